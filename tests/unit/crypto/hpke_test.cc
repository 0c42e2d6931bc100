// HPKE tests (src/crypto/hpke.cc): the RFC 9180 Appendix A mode_base vectors
// on every AEAD backend, round trips over every suite with fresh keys, the
// failures of Open and of the setups, the role and sequence-number rules of
// RFC 9180 5.2, the Export length bound (5.3), and the names.
#include "crypto/hpke.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/aead_backend.h"
#include "crypto_test_util.h"
#include "rfc9180_vectors.h"

namespace tessera::crypto {
namespace {

using testing::H;
using testing::hex_of;

constexpr HpkeKem kKems[] = {HpkeKem::p256_sha256, HpkeKem::x25519_sha256};
constexpr HpkeKdf kKdfs[] = {HpkeKdf::hkdf_sha256, HpkeKdf::hkdf_sha384, HpkeKdf::hkdf_sha512};
constexpr HpkeAead kAeads[] = {HpkeAead::aes_128_gcm, HpkeAead::aes_256_gcm,
                               HpkeAead::chacha20_poly1305};

const HpkeSuite kX25519Suite{HpkeKem::x25519_sha256, HpkeKdf::hkdf_sha256, HpkeAead::aes_128_gcm};
const HpkeSuite kP256Suite{HpkeKem::p256_sha256, HpkeKdf::hkdf_sha256, HpkeAead::chacha20_poly1305};

std::vector<HpkeSuite> all_suites() {
  std::vector<HpkeSuite> out;
  for (HpkeKem kem : kKems) {
    for (HpkeKdf kdf : kKdfs) {
      for (HpkeAead aead : kAeads) out.push_back({kem, kdf, aead});
    }
  }
  return out;
}

NamedGroup group_of(HpkeKem kem) {
  auto g = hpke_kem_group(kem);
  EXPECT_TRUE(g.has_value());
  return g.value_or(NamedGroup::x25519);
}

std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

// A recipient key pair and a sender/recipient pair of contexts over it.
struct Pair {
  std::unique_ptr<KeyShare> skR;
  Bytes enc;
  std::optional<HpkeContext> sender;
  std::optional<HpkeContext> receiver;
};

Pair make_pair(Provider& p, const HpkeSuite& suite, ByteView info) {
  Pair out;
  auto skR = p.generate_key_share(group_of(suite.kem));
  EXPECT_TRUE(skR.ok()) << skR.error().to_string();
  if (!skR.ok()) return out;
  out.skR = std::move(*skR);
  auto s = hpke_setup_base_sender(p, suite, out.skR->public_value(), info);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  if (!s.ok()) return out;
  out.enc = s->enc;
  out.sender.emplace(std::move(s->context));
  auto r = hpke_setup_base_receiver(p, suite, out.enc, *out.skR, info);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (r.ok()) out.receiver.emplace(std::move(*r));
  return out;
}

void expect_decrypt_error(const Result<Bytes>& r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code(), ErrorCode::decrypt_error) << what;
  EXPECT_EQ(r.error().alert(), AlertDescription::decrypt_error) << what;
}

// ---------------------------------------------------------------- RFC 9180 A

// The vectors run on an OpenSslProvider fixed to each AEAD backend.
class HpkeRfc9180 : public ::testing::TestWithParam<AeadBackend> {
 protected:
  void SetUp() override {
    if (!aead_backend_supports(GetParam(), AeadAlgorithm::aes_128_gcm)) {
      GTEST_SKIP() << aead_backend_name(GetParam()) << " is not available here";
    }
  }
  OpenSslProvider p{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(Backends, HpkeRfc9180,
                         ::testing::Values(AeadBackend::libcrypto, AeadBackend::ipsec_mb),
                         [](const auto& param_info) {
                           return param_info.param == AeadBackend::libcrypto ? "libcrypto"
                                                                             : "ipsec_mb";
                         });

TEST_P(HpkeRfc9180, BaseModeVectors) {
  const auto& vectors = testing::rfc9180::base_mode_vectors();
  ASSERT_EQ(vectors.size(), 5u);  // A.1 to A.5
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.suite);
    auto suite = hpke_suite(v.kem_id, v.kdf_id, v.aead_id);
    ASSERT_TRUE(suite.has_value());
    EXPECT_EQ(hpke_suite_name(*suite), v.suite);
    const NamedGroup group = group_of(suite->kem);
    const Bytes info = H(v.info);
    const Bytes pkRm = H(v.pkRm);

    // The key pairs, from their serialized private keys.
    auto skE = p.import_key_share(group, H(v.skEm));
    auto skR = p.import_key_share(group, H(v.skRm));
    ASSERT_TRUE(skE.ok()) << skE.error().to_string();
    ASSERT_TRUE(skR.ok()) << skR.error().to_string();
    EXPECT_EQ(to_hex((*skE)->public_value()), v.pkEm);
    EXPECT_EQ(to_hex((*skR)->public_value()), v.pkRm);
    EXPECT_EQ(hpke_enc_size(suite->kem), pkRm.size());

    // Encap, Decap and the key schedule, step by step.
    auto encap = hpke_encap(p, suite->kem, **skE, pkRm);
    ASSERT_TRUE(encap.ok()) << encap.error().to_string();
    EXPECT_EQ(to_hex(encap->enc), v.enc);
    EXPECT_EQ(hex_of(encap->shared_secret), v.shared_secret);
    auto decap = hpke_decap(p, suite->kem, H(v.enc), **skR);
    ASSERT_TRUE(decap.ok()) << decap.error().to_string();
    EXPECT_EQ(hex_of(*decap), v.shared_secret);
    auto ks = hpke_key_schedule_base(p, *suite, H(v.shared_secret), info);
    ASSERT_TRUE(ks.ok()) << ks.error().to_string();
    EXPECT_EQ(hex_of(ks->key), v.key);
    EXPECT_EQ(hex_of(ks->base_nonce), v.base_nonce);
    EXPECT_EQ(hex_of(ks->exporter_secret), v.exporter_secret);

    // The setups.
    auto sender = hpke_setup_base_sender_with(p, *suite, **skE, pkRm, info);
    ASSERT_TRUE(sender.ok()) << sender.error().to_string();
    EXPECT_EQ(to_hex(sender->enc), v.enc);
    HpkeContext& s = sender->context;
    EXPECT_EQ(s.role(), HpkeRole::sender);
    EXPECT_TRUE(s.suite() == *suite);
    auto receiver = hpke_setup_base_receiver(p, *suite, H(v.enc), **skR, info);
    ASSERT_TRUE(receiver.ok()) << receiver.error().to_string();
    HpkeContext& r = *receiver;
    EXPECT_EQ(r.role(), HpkeRole::recipient);

    // Encryptions: every sequence number from 0 to the last one listed is
    // sealed and opened; those the appendix lists (0, 1, 2, 4, 255, 256) are
    // compared with it, the others (3, ...) use an AAD of our own.
    const Bytes pt = H(v.pt);
    size_t next = 0;
    const uint64_t last = v.encryptions.back().seq;
    for (uint64_t seq = 0; seq <= last; ++seq) {
      SCOPED_TRACE("sequence number " + std::to_string(seq));
      ASSERT_EQ(s.sequence_number(), seq);
      ASSERT_EQ(r.sequence_number(), seq);
      const bool listed = next < v.encryptions.size() && v.encryptions[next].seq == seq;
      const Bytes aad = listed ? H(v.encryptions[next].aad)
                               : Bytes{'o', 'u', 'r', 's', '-', static_cast<uint8_t>(seq)};
      auto ct = s.seal(aad, pt);
      ASSERT_TRUE(ct.ok()) << ct.error().to_string();
      ASSERT_EQ(ct->size(), pt.size() + kHpkeTagSize);
      if (listed) {
        EXPECT_EQ(to_hex(*ct), v.encryptions[next].ct);
        ++next;
      }
      auto opened = r.open(aad, *ct);
      ASSERT_TRUE(opened.ok()) << opened.error().to_string();
      EXPECT_EQ(to_hex(*opened), v.pt);
    }
    EXPECT_EQ(next, v.encryptions.size());

    // The appendix's ciphertexts open on a fresh recipient context that
    // skips the unlisted sequence numbers.
    auto fresh = hpke_setup_base_receiver(p, *suite, H(v.enc), **skR, info);
    ASSERT_TRUE(fresh.ok());
    for (const auto& e : v.encryptions) {
      fresh->set_sequence_number_for_testing(e.seq);
      auto opened = fresh->open(H(e.aad), H(e.ct));
      ASSERT_TRUE(opened.ok()) << "seq " << e.seq << ": " << opened.error().to_string();
      EXPECT_EQ(to_hex(*opened), v.pt);
    }

    // Exported values, from either end.
    ASSERT_EQ(v.exports.size(), 3u);
    for (const auto& x : v.exports) {
      SCOPED_TRACE("exporter_context " + std::string(x.exporter_context));
      auto from_sender = s.export_secret(H(x.exporter_context), x.length);
      auto from_receiver = r.export_secret(H(x.exporter_context), x.length);
      ASSERT_TRUE(from_sender.ok()) << from_sender.error().to_string();
      ASSERT_TRUE(from_receiver.ok()) << from_receiver.error().to_string();
      EXPECT_EQ(hex_of(*from_sender), x.exported_value);
      EXPECT_EQ(hex_of(*from_receiver), x.exported_value);
    }
  }
}

// ---------------------------------------------------------------- round trips

TEST(Hpke, RoundTripEverySuiteWithFreshKeys) {
  OpenSslProvider p;
  const Bytes info = {'t', 'l', 's', ' ', 'e', 'c', 'h', 0};
  for (const HpkeSuite& suite : all_suites()) {
    SCOPED_TRACE(hpke_suite_name(suite));
    Pair pair = make_pair(p, suite, info);
    ASSERT_TRUE(pair.sender && pair.receiver);
    EXPECT_EQ(pair.enc.size(), hpke_enc_size(suite.kem));
    EXPECT_NE(to_hex(pair.enc), to_hex(pair.skR->public_value()));
    // Several messages, including empty ones and empty AAD.
    const Bytes messages[] = {{}, {'h', 'e', 'l', 'l', 'o'}, Bytes(1000, 0xa5), {}};
    const Bytes aads[] = {{}, {'a'}, {}, Bytes(300, 0x01)};
    for (size_t i = 0; i < std::size(messages); ++i) {
      auto ct = pair.sender->seal(aads[i], messages[i]);
      ASSERT_TRUE(ct.ok()) << ct.error().to_string();
      EXPECT_EQ(ct->size(), messages[i].size() + kHpkeTagSize);
      auto pt = pair.receiver->open(aads[i], *ct);
      ASSERT_TRUE(pt.ok()) << pt.error().to_string();
      EXPECT_EQ(*pt, messages[i]);
    }
    EXPECT_EQ(pair.sender->sequence_number(), 4u);
    EXPECT_EQ(pair.receiver->sequence_number(), 4u);
    // Same plaintext twice: different ciphertexts (different nonces).
    auto c1 = pair.sender->seal({}, messages[1]);
    auto c2 = pair.sender->seal({}, messages[1]);
    ASSERT_TRUE(c1.ok() && c2.ok());
    EXPECT_NE(to_hex(*c1), to_hex(*c2));
    // Exports agree, differ by context, and have the asked length.
    auto e1 = pair.sender->export_secret(as_bytes_view("ctx"), 48);
    auto e2 = pair.receiver->export_secret(as_bytes_view("ctx"), 48);
    auto e3 = pair.receiver->export_secret(as_bytes_view("ctx2"), 48);
    ASSERT_TRUE(e1.ok() && e2.ok() && e3.ok());
    EXPECT_EQ(e1->size(), 48u);
    EXPECT_EQ(hex_of(*e1), hex_of(*e2));
    EXPECT_NE(hex_of(*e1), hex_of(*e3));
  }
}

TEST(Hpke, TwoSetupsToTheSameKeyDiffer) {
  OpenSslProvider p;
  for (HpkeKem kem : kKems) {
    const HpkeSuite suite{kem, HpkeKdf::hkdf_sha256, HpkeAead::aes_128_gcm};
    auto skR = p.generate_key_share(group_of(kem));
    ASSERT_TRUE(skR.ok());
    auto a = hpke_setup_base_sender(p, suite, (*skR)->public_value(), {});
    auto b = hpke_setup_base_sender(p, suite, (*skR)->public_value(), {});
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(to_hex(a->enc), to_hex(b->enc));  // fresh ephemeral keys
  }
}

TEST(Hpke, StoredRecipientKeyDecrypts) {
  // The recipient's key survives private_key() / import_key_share().
  OpenSslProvider p;
  for (HpkeKem kem : kKems) {
    const HpkeSuite suite{kem, HpkeKdf::hkdf_sha384, HpkeAead::aes_256_gcm};
    auto skR = p.generate_key_share(group_of(kem));
    ASSERT_TRUE(skR.ok());
    auto stored = (*skR)->private_key();
    ASSERT_TRUE(stored.ok()) << stored.error().to_string();
    auto s = hpke_setup_base_sender(p, suite, (*skR)->public_value(), as_bytes_view("info"));
    ASSERT_TRUE(s.ok());
    auto ct = s->context.seal(as_bytes_view("aad"), as_bytes_view("secret message"));
    ASSERT_TRUE(ct.ok());
    auto loaded = p.import_key_share(group_of(kem), stored->view());
    ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
    auto r = hpke_setup_base_receiver(p, suite, s->enc, **loaded, as_bytes_view("info"));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    auto pt = r->open(as_bytes_view("aad"), *ct);
    ASSERT_TRUE(pt.ok()) << pt.error().to_string();
    EXPECT_EQ(text(*pt), "secret message");
  }
}

// ---------------------------------------------------------------- Open failures

TEST(Hpke, OpenRejectsAlteredTagCiphertextAndAad) {
  OpenSslProvider p;
  for (const HpkeSuite& suite : {kX25519Suite, kP256Suite}) {
    SCOPED_TRACE(hpke_suite_name(suite));
    Pair pair = make_pair(p, suite, as_bytes_view("info"));
    ASSERT_TRUE(pair.sender && pair.receiver);
    const Bytes aad = {'a', 'a', 'd'};
    auto ct = pair.sender->seal(aad, as_bytes_view("attack at dawn"));
    ASSERT_TRUE(ct.ok());

    Bytes bad_tag = *ct;
    bad_tag.back() ^= 0x01;
    auto r = pair.receiver->open(aad, bad_tag);
    expect_decrypt_error(r, "wrong tag");
    EXPECT_NE(r.error().message().find("sequence number 0"), std::string::npos)
        << r.error().message();
    EXPECT_NE(r.error().message().find("tag does not verify"), std::string::npos)
        << r.error().message();

    Bytes bad_ct = *ct;
    bad_ct[0] ^= 0x80;
    expect_decrypt_error(pair.receiver->open(aad, bad_ct), "altered ciphertext");
    expect_decrypt_error(pair.receiver->open(as_bytes_view("aae"), *ct), "wrong aad");
    expect_decrypt_error(pair.receiver->open({}, *ct), "missing aad");
    expect_decrypt_error(pair.receiver->open(aad, ByteView(*ct).first(ct->size() - 1)),
                         "truncated");
    auto short_ct = pair.receiver->open(aad, ByteView(*ct).first(kHpkeTagSize - 1));
    expect_decrypt_error(short_ct, "shorter than a tag");
    EXPECT_NE(short_ct.error().message().find("shorter than the 16-byte AEAD tag"),
              std::string::npos)
        << short_ct.error().message();

    // Failed opens do not advance the sequence number: the real message
    // still opens.
    EXPECT_EQ(pair.receiver->sequence_number(), 0u);
    auto pt = pair.receiver->open(aad, *ct);
    ASSERT_TRUE(pt.ok()) << pt.error().to_string();
    EXPECT_EQ(text(*pt), "attack at dawn");
    EXPECT_EQ(pair.receiver->sequence_number(), 1u);
  }
}

TEST(Hpke, OpenRejectsOutOfOrderMessages) {
  OpenSslProvider p;
  Pair pair = make_pair(p, kX25519Suite, {});
  ASSERT_TRUE(pair.sender && pair.receiver);
  auto c0 = pair.sender->seal({}, as_bytes_view("first"));
  auto c1 = pair.sender->seal({}, as_bytes_view("second"));
  ASSERT_TRUE(c0.ok() && c1.ok());
  expect_decrypt_error(pair.receiver->open({}, *c1), "second message first");
  ASSERT_TRUE(pair.receiver->open({}, *c0).ok());
  ASSERT_TRUE(pair.receiver->open({}, *c1).ok());
  expect_decrypt_error(pair.receiver->open({}, *c1), "replayed");
}

TEST(Hpke, WrongEncInfoOrKeyGivesAContextThatCannotOpen) {
  OpenSslProvider p;
  for (const HpkeSuite& suite : {kX25519Suite, kP256Suite}) {
    SCOPED_TRACE(hpke_suite_name(suite));
    Pair pair = make_pair(p, suite, as_bytes_view("info"));
    ASSERT_TRUE(pair.sender && pair.receiver);
    auto ct = pair.sender->seal({}, as_bytes_view("message"));
    ASSERT_TRUE(ct.ok());

    // Another valid enc (of another setup to the same key).
    auto other = hpke_setup_base_sender(p, suite, pair.skR->public_value(), as_bytes_view("info"));
    ASSERT_TRUE(other.ok());
    auto r1 = hpke_setup_base_receiver(p, suite, other->enc, *pair.skR, as_bytes_view("info"));
    ASSERT_TRUE(r1.ok()) << r1.error().to_string();
    expect_decrypt_error(r1->open({}, *ct), "wrong enc");

    // Another info.
    auto r2 = hpke_setup_base_receiver(p, suite, pair.enc, *pair.skR, as_bytes_view("inf0"));
    ASSERT_TRUE(r2.ok());
    expect_decrypt_error(r2->open({}, *ct), "wrong info");

    // Another recipient key.
    auto wrong_key = p.generate_key_share(group_of(suite.kem));
    ASSERT_TRUE(wrong_key.ok());
    auto r3 = hpke_setup_base_receiver(p, suite, pair.enc, **wrong_key, as_bytes_view("info"));
    ASSERT_TRUE(r3.ok());
    expect_decrypt_error(r3->open({}, *ct), "wrong key pair");

    // Another suite (same KEM).
    HpkeSuite other_suite = suite;
    other_suite.kdf = HpkeKdf::hkdf_sha512;
    auto r4 = hpke_setup_base_receiver(p, other_suite, pair.enc, *pair.skR, as_bytes_view("info"));
    ASSERT_TRUE(r4.ok());
    expect_decrypt_error(r4->open({}, *ct), "wrong suite");
  }
}

TEST(Hpke, InvalidEncIsRefusedAtSetup) {
  OpenSslProvider p;
  auto x = p.generate_key_share(NamedGroup::x25519);
  auto e = p.generate_key_share(NamedGroup::secp256r1);
  ASSERT_TRUE(x.ok() && e.ok());
  struct Case {
    const char* what;
    HpkeSuite suite;
    KeyShare* skR;
    Bytes enc;
  };
  Bytes p256_enc((*e)->public_value().begin(), (*e)->public_value().end());
  Bytes off_curve = p256_enc;
  off_curve.back() ^= 0x01;
  Bytes compressed(p256_enc.begin(), p256_enc.begin() + 33);
  compressed[0] = 0x02;
  const Case cases[] = {
      {"X25519 enc of 31 bytes", kX25519Suite, x->get(), Bytes(31, 0x09)},
      {"X25519 enc of 33 bytes", kX25519Suite, x->get(), Bytes(33, 0x09)},
      {"X25519 low-order enc (all-zero DH output)", kX25519Suite, x->get(), Bytes(32, 0)},
      {"empty enc", kX25519Suite, x->get(), {}},
      {"P-256 enc off the curve", kP256Suite, e->get(), off_curve},
      {"P-256 compressed enc", kP256Suite, e->get(), compressed},
      {"P-256 enc of 64 bytes", kP256Suite, e->get(), Bytes(p256_enc.begin() + 1, p256_enc.end())},
  };
  for (const Case& c : cases) {
    auto r = hpke_setup_base_receiver(p, c.suite, c.enc, *c.skR, {});
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.error().code(), ErrorCode::invalid_key_share) << c.what;
    EXPECT_EQ(r.error().message().rfind("HPKE Decap: encapsulated key enc: ", 0), 0u)
        << c.what << ": " << r.error().message();
  }
}

TEST(Hpke, InvalidRecipientPublicKeyIsRefusedBySender) {
  OpenSslProvider p;
  auto e = p.generate_key_share(NamedGroup::secp256r1);
  ASSERT_TRUE(e.ok());
  Bytes off_curve((*e)->public_value().begin(), (*e)->public_value().end());
  off_curve[40] ^= 0x01;
  const std::pair<HpkeSuite, Bytes> cases[] = {
      {kX25519Suite, Bytes(32, 0)},  // low order: all-zero DH output
      {kX25519Suite, Bytes(65, 4)},  // a P-256-sized key
      {kP256Suite, off_curve},
      {kP256Suite, Bytes(32, 9)},
  };
  for (const auto& [suite, pkR] : cases) {
    auto s = hpke_setup_base_sender(p, suite, pkR, {});
    ASSERT_FALSE(s.ok()) << to_hex(pkR);
    EXPECT_EQ(s.error().code(), ErrorCode::invalid_key_share);
    EXPECT_EQ(s.error().message().rfind("HPKE Encap: recipient public key pkR: ", 0), 0u)
        << s.error().message();
  }
}

// ---------------------------------------------------------------- RFC 9180 5.2

TEST(Hpke, EachContextOnlyWorksInItsDirection) {
  OpenSslProvider p;
  Pair pair = make_pair(p, kX25519Suite, {});
  ASSERT_TRUE(pair.sender && pair.receiver);
  auto ct = pair.sender->seal({}, as_bytes_view("m"));
  ASSERT_TRUE(ct.ok());
  auto sender_opens = pair.sender->open({}, *ct);
  ASSERT_FALSE(sender_opens.ok());
  EXPECT_EQ(sender_opens.error().code(), ErrorCode::internal_error);
  EXPECT_EQ(sender_opens.error().message(),
            "HPKE Open on the sender's context (RFC 9180 5.2: only the recipient opens)");
  auto receiver_seals = pair.receiver->seal({}, as_bytes_view("m"));
  ASSERT_FALSE(receiver_seals.ok());
  EXPECT_EQ(receiver_seals.error().code(), ErrorCode::internal_error);
  EXPECT_EQ(receiver_seals.error().message(),
            "HPKE Seal on the recipient's context (RFC 9180 5.2: only the sender seals)");
  // Neither failure moved a sequence number.
  EXPECT_EQ(pair.sender->sequence_number(), 1u);
  EXPECT_EQ(pair.receiver->sequence_number(), 0u);
}

TEST(Hpke, SequenceNumberLimitIsAnError) {
  OpenSslProvider p;
  Pair pair = make_pair(p, kP256Suite, {});
  ASSERT_TRUE(pair.sender && pair.receiver);
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  // The last usable sequence number, 2^64 - 2, seals and opens, with the
  // nonce xor-ed into its last 8 bytes as both ends compute it.
  pair.sender->set_sequence_number_for_testing(kMax - 1);
  pair.receiver->set_sequence_number_for_testing(kMax - 1);
  auto ct = pair.sender->seal({}, as_bytes_view("last"));
  ASSERT_TRUE(ct.ok()) << ct.error().to_string();
  auto pt = pair.receiver->open({}, *ct);
  ASSERT_TRUE(pt.ok()) << pt.error().to_string();
  EXPECT_EQ(text(*pt), "last");
  EXPECT_EQ(pair.sender->sequence_number(), kMax);

  auto seal = pair.sender->seal({}, as_bytes_view("one too many"));
  ASSERT_FALSE(seal.ok());
  EXPECT_EQ(seal.error().code(), ErrorCode::sequence_exhausted);
  EXPECT_EQ(seal.error().message(),
            "HPKE Seal: the context reached its message limit (sequence number 2^64 - 1)");
  auto open = pair.receiver->open({}, *ct);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().code(), ErrorCode::sequence_exhausted);
  EXPECT_EQ(pair.sender->sequence_number(), kMax);
  EXPECT_EQ(pair.receiver->sequence_number(), kMax);
  // Export still works.
  EXPECT_TRUE(pair.sender->export_secret({}, 32).ok());
}

TEST(Hpke, MovedFromContextRefusesEverything) {
  OpenSslProvider p;
  Pair pair = make_pair(p, kX25519Suite, {});
  ASSERT_TRUE(pair.sender && pair.receiver);
  HpkeContext moved = std::move(*pair.sender);
  ASSERT_TRUE(moved.seal({}, as_bytes_view("m")).ok());
  HpkeContext& old = *pair.sender;
  auto seal = old.seal({}, as_bytes_view("m"));  // NOLINT(bugprone-use-after-move)
  ASSERT_FALSE(seal.ok());
  EXPECT_EQ(seal.error().code(), ErrorCode::internal_error);
  EXPECT_EQ(seal.error().message(), "HPKE Seal on a context that was moved from");
  auto exported = old.export_secret({}, 32);
  ASSERT_FALSE(exported.ok());
  EXPECT_EQ(exported.error().code(), ErrorCode::internal_error);
}

// ---------------------------------------------------------------- RFC 9180 5.3

TEST(Hpke, ExportLengthIsBoundedBy255TimesNh) {
  OpenSslProvider p;
  for (HpkeKdf kdf : kKdfs) {
    const HpkeSuite suite{HpkeKem::x25519_sha256, kdf, HpkeAead::aes_128_gcm};
    SCOPED_TRACE(hpke_suite_name(suite));
    Pair pair = make_pair(p, suite, {});
    ASSERT_TRUE(pair.sender);
    const size_t nh = kdf == HpkeKdf::hkdf_sha256 ? 32 : kdf == HpkeKdf::hkdf_sha384 ? 48 : 64;
    auto longest = pair.sender->export_secret(as_bytes_view("c"), 255 * nh);
    ASSERT_TRUE(longest.ok()) << longest.error().to_string();
    EXPECT_EQ(longest->size(), 255 * nh);
    auto too_long = pair.sender->export_secret(as_bytes_view("c"), 255 * nh + 1);
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().code(), ErrorCode::internal_error);
    EXPECT_EQ(too_long.error().message(), "HPKE Export: length " + std::to_string(255 * nh + 1) +
                                              " exceeds 255 * Nh = " + std::to_string(255 * nh) +
                                              " for " + hpke_kdf_name(static_cast<uint16_t>(kdf)));
    // Unlike plain HKDF-Expand, a shorter export is not a prefix of a longer
    // one: LabeledExpand puts I2OSP(L, 2) in the info (RFC 9180 4).
    auto short_one = pair.sender->export_secret(as_bytes_view("c"), 10);
    ASSERT_TRUE(short_one.ok());
    EXPECT_EQ(short_one->size(), 10u);
    EXPECT_NE(hex_of(*short_one), to_hex(longest->view().first(10)));
    auto empty = pair.sender->export_secret(as_bytes_view("c"), 0);
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->empty());
  }
}

// ---------------------------------------------------------------- suites and keys

TEST(Hpke, UnsupportedAlgorithmsAreNamed) {
  OpenSslProvider p;
  auto x = p.generate_key_share(NamedGroup::x25519);
  ASSERT_TRUE(x.ok());
  struct Case {
    HpkeSuite suite;
    const char* message;
  };
  const Case cases[] = {
      {{static_cast<HpkeKem>(0x0021), HpkeKdf::hkdf_sha256, HpkeAead::aes_128_gcm},
       "HPKE KEM DHKEM(X448, HKDF-SHA512) (0x0021) is not supported (supported: "
       "DHKEM(P-256, HKDF-SHA256), DHKEM(X25519, HKDF-SHA256))"},
      {{static_cast<HpkeKem>(0x0099), HpkeKdf::hkdf_sha256, HpkeAead::aes_128_gcm},
       "HPKE KEM 0x0099 is not supported (supported: DHKEM(P-256, HKDF-SHA256), "
       "DHKEM(X25519, HKDF-SHA256))"},
      {{HpkeKem::x25519_sha256, static_cast<HpkeKdf>(0x0004), HpkeAead::aes_128_gcm},
       "HPKE KDF 0x0004 is not supported (supported: HKDF-SHA256, HKDF-SHA384, HKDF-SHA512)"},
      {{HpkeKem::x25519_sha256, HpkeKdf::hkdf_sha256, static_cast<HpkeAead>(0xffff)},
       "HPKE AEAD Export-only (0xffff) is not supported (supported: AES-128-GCM, AES-256-GCM, "
       "ChaCha20Poly1305)"},
  };
  for (const Case& c : cases) {
    auto s = hpke_setup_base_sender(p, c.suite, (*x)->public_value(), {});
    ASSERT_FALSE(s.ok()) << c.message;
    EXPECT_EQ(s.error().code(), ErrorCode::unsupported_algorithm);
    EXPECT_EQ(s.error().message(), c.message);
    auto r = hpke_setup_base_receiver(p, c.suite, (*x)->public_value(), **x, {});
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.error().message(), c.message);
  }
}

TEST(Hpke, KeyPairOfAnotherGroupIsRefused) {
  OpenSslProvider p;
  auto p256 = p.generate_key_share(NamedGroup::secp256r1);
  auto x = p.generate_key_share(NamedGroup::x25519);
  ASSERT_TRUE(p256.ok() && x.ok());
  auto r = hpke_setup_base_receiver(p, kX25519Suite, (*x)->public_value(), **p256, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::config_invalid);
  EXPECT_EQ(r.error().message(),
            "HPKE DHKEM(X25519, HKDF-SHA256) needs x25519 key pairs; the recipient key pair is "
            "secp256r1");
  auto s = hpke_setup_base_sender_with(p, kP256Suite, **x, (*p256)->public_value(), {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::config_invalid);
  EXPECT_EQ(s.error().message(),
            "HPKE DHKEM(P-256, HKDF-SHA256) needs secp256r1 key pairs; the ephemeral key pair is "
            "x25519");
}

TEST(Hpke, IdentifiersAndNames) {
  EXPECT_TRUE(hpke_kem_supported(0x0010));
  EXPECT_TRUE(hpke_kem_supported(0x0020));
  EXPECT_FALSE(hpke_kem_supported(0x0011));
  EXPECT_FALSE(hpke_kem_supported(0x0021));
  EXPECT_FALSE(hpke_kem_supported(0));
  EXPECT_TRUE(hpke_kdf_supported(1) && hpke_kdf_supported(2) && hpke_kdf_supported(3));
  EXPECT_FALSE(hpke_kdf_supported(0) || hpke_kdf_supported(4));
  EXPECT_TRUE(hpke_aead_supported(1) && hpke_aead_supported(2) && hpke_aead_supported(3));
  EXPECT_FALSE(hpke_aead_supported(0) || hpke_aead_supported(0xffff));

  auto suite = hpke_suite(0x0020, 0x0001, 0x0003);
  ASSERT_TRUE(suite.has_value());
  EXPECT_TRUE((*suite == HpkeSuite{HpkeKem::x25519_sha256, HpkeKdf::hkdf_sha256,
                                   HpkeAead::chacha20_poly1305}));
  EXPECT_FALSE(hpke_suite(0x0021, 1, 1).has_value());
  EXPECT_FALSE(hpke_suite(0x0020, 4, 1).has_value());
  EXPECT_FALSE(hpke_suite(0x0020, 1, 0xffff).has_value());

  EXPECT_EQ(hpke_kem_name(0x0010), "DHKEM(P-256, HKDF-SHA256)");
  EXPECT_EQ(hpke_kem_name(0x0012), "DHKEM(P-521, HKDF-SHA512)");
  EXPECT_EQ(hpke_kem_name(0x0020), "DHKEM(X25519, HKDF-SHA256)");
  EXPECT_EQ(hpke_kem_name(0x1234), "0x1234");
  EXPECT_EQ(hpke_kdf_name(2), "HKDF-SHA384");
  EXPECT_EQ(hpke_kdf_name(7), "0x0007");
  EXPECT_EQ(hpke_aead_name(2), "AES-256-GCM");
  EXPECT_EQ(hpke_aead_name(3), "ChaCha20Poly1305");
  EXPECT_EQ(hpke_aead_name(0xffff), "Export-only");
  EXPECT_EQ(hpke_suite_name({HpkeKem::p256_sha256, HpkeKdf::hkdf_sha512, HpkeAead::aes_128_gcm}),
            "DHKEM(P-256, HKDF-SHA256), HKDF-SHA512, AES-128-GCM");

  EXPECT_EQ(hpke_enc_size(HpkeKem::p256_sha256), 65u);
  EXPECT_EQ(hpke_enc_size(HpkeKem::x25519_sha256), 32u);
  EXPECT_EQ(hpke_enc_size(static_cast<HpkeKem>(0x0011)), 0u);
  EXPECT_EQ(hpke_kem_group(HpkeKem::p256_sha256), NamedGroup::secp256r1);
  EXPECT_EQ(hpke_kem_group(HpkeKem::x25519_sha256), NamedGroup::x25519);
  EXPECT_FALSE(hpke_kem_group(static_cast<HpkeKem>(0x0021)).has_value());
}

}  // namespace
}  // namespace tessera::crypto
