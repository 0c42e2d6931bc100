// tests/ct/ct_test.cc — constant-time checks in the style of ctgrind
// (docs/constant-time.md). Each test marks secrets "undefined" with
// ct_poison (a valgrind memcheck client request) and runs the code that
// handles them; under `valgrind --error-exitcode=1` any conditional jump,
// conditional move or memory index that depends on a secret is reported and
// fails the run. The library declassifies (ct_declassify) only values that
// are public by design, each with a comment at the call.
//
// These tests only mean something under valgrind (ctest: ct_memcheck;
// `make test-ct`). Run natively they still check the functional results.
// The NegativeControl tests must be reported by memcheck: ctest runs them
// separately and requires memcheck's report in the output, so the harness is
// shown to catch a variable-time comparison and a secret-indexed load.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "base/ct.h"
#include "crypto/key_schedule.h"
#include "crypto/provider.h"
#include "crypto/tls12_keys.h"
#include "pair.h"
#include "record/protection.h"
#include "record/record.h"

namespace tessera::testing {
namespace {

template <typename T>
void poison(const T& bytes) {
  ct_poison(bytes.data(), bytes.size());
}
template <typename T>
void declassify(const T& bytes) {
  ct_declassify(bytes.data(), bytes.size());
}

// --- negative controls -------------------------------------------------------

// A variable-time comparison on a secret: memcmp stops at the first
// difference. memcheck must report "Conditional jump or move depends on
// uninitialised value(s)".
TEST(NegativeControl, MemcmpOnSecretIsReported) {
  std::vector<uint8_t> secret(32, 0x5a), guess(32, 0x5a);
  guess[7] = 0;
  poison(secret);
  volatile int equal = std::memcmp(secret.data(), guess.data(), secret.size()) == 0;
  EXPECT_FALSE(equal);
}

// A table lookup indexed by a secret byte (a cache-timing leak): memcheck
// must report "Use of uninitialised value".
TEST(NegativeControl, SecretIndexedLoadIsReported) {
  static volatile uint8_t table[256];
  std::vector<uint8_t> secret(1, 0x42);
  poison(secret);
  volatile uint8_t v = table[secret[0]];
  (void)v;
}

// --- base/ct -----------------------------------------------------------------

TEST(ConstantTime, CtEqual) {
  std::vector<uint8_t> a(48, 0x11), b(48, 0x11), c(48, 0x11);
  c[47] ^= 1;
  poison(a);
  EXPECT_TRUE(ct_equal(a, b));  // the result is declassified by ct_equal
  EXPECT_FALSE(ct_equal(a, c));
  EXPECT_FALSE(ct_equal(c, a));
  uint32_t z = ct_is_zero_mask(a);
  uint32_t sel = ct_eq_mask(a[0], 0x11);
  std::vector<uint8_t> out(48);
  ct_select(sel, a, c, out);
  declassify(out);
  ct_declassify(&z, sizeof z);
  EXPECT_EQ(z, 0u);
  EXPECT_EQ(out[47], 0x11);
}

// --- record protection: key poisoned, so the plaintext and the tag computed
// by libcrypto are secret; the tag check's outcome is public (suppressed in
// tests/ct/ct.supp), the TLS 1.3 padding scan must not branch on the padding.

struct RecordCase {
  AeadAlgorithm aead;
  size_t key_size;
};

Bytes make_key(size_t n, uint8_t seed) {
  Bytes k(n);
  for (size_t i = 0; i < n; ++i) k[i] = static_cast<uint8_t>(seed + 7 * i);
  return k;
}

Bytes make_content(size_t n) {
  Bytes c(n);
  for (size_t i = 0; i < n; ++i) c[i] = static_cast<uint8_t>(i * 31 + 1);
  return c;
}

void check_tls13_records(const RecordCase& rc) {
  auto& provider = *crypto::default_provider();
  Bytes key = make_key(rc.key_size, 3), iv = make_key(12, 9);
  auto sealer = record::Tls13RecordProtection::create(provider, rc.aead, key, iv);
  ASSERT_TRUE(sealer.ok());
  Bytes secret_key = key;
  poison(secret_key);
  auto opener = record::Tls13RecordProtection::create(provider, rc.aead, secret_key, iv);
  ASSERT_TRUE(opener.ok());
  struct Rec {
    record::ContentType type;
    size_t content, padding;
  };
  const Rec recs[] = {{record::ContentType::handshake, 100, 0},
                      {record::ContentType::application_data, 0, 0},
                      {record::ContentType::application_data, 1, 31},
                      {record::ContentType::application_data, 33, 32},
                      {record::ContentType::alert, 2, 200},
                      {record::ContentType::handshake, 64, 1000},
                      {record::ContentType::application_data, 0, 77},
                      {record::ContentType::application_data, 4000, 3}};
  for (const Rec& r : recs) {
    Bytes content = make_content(r.content);
    Bytes wire;
    ASSERT_TRUE((*sealer)->seal(r.type, content, r.padding, wire).ok());
    Bytes body(wire.begin() + record::kHeaderSize, wire.end());
    record::Record rec{record::ContentType::application_data, record::kRecordVersion, body};
    auto opened = (*opener)->open(rec);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    EXPECT_EQ(opened->type, r.type);
    EXPECT_TRUE(std::equal(opened->plaintext.begin(), opened->plaintext.end(), content.begin(),
                           content.end()));
  }
  // A tampered record: the tag check fails and the error is public.
  Bytes wire;
  ASSERT_TRUE(
      (*sealer)->seal(record::ContentType::application_data, make_content(50), 5, wire).ok());
  Bytes body(wire.begin() + record::kHeaderSize, wire.end());
  body[10] ^= 0x80;
  record::Record rec{record::ContentType::application_data, record::kRecordVersion, body};
  auto opened = (*opener)->open(rec);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::bad_record_mac);
}

TEST(ConstantTime, Tls13RecordOpenAes128Gcm) {
  check_tls13_records({AeadAlgorithm::aes_128_gcm, 16});
}
TEST(ConstantTime, Tls13RecordOpenAes256Gcm) {
  check_tls13_records({AeadAlgorithm::aes_256_gcm, 32});
}
TEST(ConstantTime, Tls13RecordOpenChaCha20Poly1305) {
  check_tls13_records({AeadAlgorithm::chacha20_poly1305, 32});
}

// The content-type scan itself, in both forms (the portable one and the
// AVX2 one that open() uses where the CPU has it), on poisoned inner
// plaintexts: lengths and padding around its 128- and 256-byte chunks.
TEST(ConstantTime, Tls13ContentScanBothForms) {
  for (size_t content :
       {size_t{0}, size_t{1}, size_t{127}, size_t{255}, size_t{256}, size_t{3000}}) {
    for (size_t pad : {size_t{0}, size_t{1}, size_t{128}, size_t{255}, size_t{700}}) {
      Bytes inner = make_content(content);
      inner.push_back(static_cast<uint8_t>(record::ContentType::application_data));
      inner.insert(inner.end(), pad, 0);
      poison(inner);
      for (bool avx2 : {false, true}) {
        if (avx2 && !record::detail::content_scan_avx2_supported()) continue;
        record::detail::ContentScanForTesting r =
            record::detail::content_scan_for_testing(inner, avx2);
        ct_declassify(&r, sizeof r);
        EXPECT_TRUE(r.found);
        EXPECT_EQ(r.pos, content) << "content " << content << " pad " << pad << " avx2 " << avx2;
      }
    }
  }
}

void check_tls12_records(const RecordCase& rc, size_t iv_size) {
  auto& provider = *crypto::default_provider();
  Bytes key = make_key(rc.key_size, 5), iv = make_key(iv_size, 1);
  auto sealer = record::Tls12AeadRecordProtection::create(provider, rc.aead, key, iv);
  ASSERT_TRUE(sealer.ok());
  Bytes secret_key = key;
  poison(secret_key);
  auto opener = record::Tls12AeadRecordProtection::create(provider, rc.aead, secret_key, iv);
  ASSERT_TRUE(opener.ok());
  for (size_t n : {0, 1, 100, 16384}) {
    Bytes content = make_content(n);
    Bytes wire;
    ASSERT_TRUE((*sealer)->seal(record::ContentType::application_data, content, 0, wire).ok());
    Bytes body(wire.begin() + record::kHeaderSize, wire.end());
    record::Record rec{record::ContentType::application_data, record::kRecordVersion, body};
    auto opened = (*opener)->open(rec);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    EXPECT_TRUE(std::equal(opened->plaintext.begin(), opened->plaintext.end(), content.begin(),
                           content.end()));
  }
  Bytes wire;
  ASSERT_TRUE(
      (*sealer)->seal(record::ContentType::application_data, make_content(40), 0, wire).ok());
  Bytes body(wire.begin() + record::kHeaderSize, wire.end());
  body.back() ^= 1;  // the tag
  record::Record rec{record::ContentType::application_data, record::kRecordVersion, body};
  auto opened = (*opener)->open(rec);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::bad_record_mac);
}

TEST(ConstantTime, Tls12RecordOpenAes128Gcm) {
  check_tls12_records({AeadAlgorithm::aes_128_gcm, 16}, 4);
}
TEST(ConstantTime, Tls12RecordOpenChaCha20Poly1305) {
  check_tls12_records({AeadAlgorithm::chacha20_poly1305, 32}, 12);
}

// --- Finished verification: the base key is secret, the outcome public.

TEST(ConstantTime, Tls13FinishedVerify) {
  auto& provider = *crypto::default_provider();
  for (HashAlgorithm h : {HashAlgorithm::sha256, HashAlgorithm::sha384}) {
    Bytes base = make_key(h == HashAlgorithm::sha256 ? 32 : 48, 11);
    Bytes th = make_key(h == HashAlgorithm::sha256 ? 32 : 48, 40);
    auto good = crypto::compute_finished(provider, h, base, th);
    ASSERT_TRUE(good.ok());
    Bytes bad = *good;
    bad[bad.size() / 2] ^= 4;
    poison(base);
    EXPECT_TRUE(crypto::verify_finished(provider, h, base, th, *good).ok());
    auto r = crypto::verify_finished(provider, h, base, th, bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::decrypt_error);
  }
}

TEST(ConstantTime, Tls12FinishedVerify) {
  auto& provider = *crypto::default_provider();
  Bytes master = make_key(48, 21), hh = make_key(32, 50);
  auto good = crypto::tls12_finished(provider, HashAlgorithm::sha256, master,
                                     crypto::Tls12Sender::client, hh);
  ASSERT_TRUE(good.ok());
  Bytes bad = *good;
  bad[0] ^= 1;
  poison(master);
  EXPECT_TRUE(crypto::tls12_verify_finished(provider, HashAlgorithm::sha256, master,
                                            crypto::Tls12Sender::client, hh, *good)
                  .ok());
  auto r = crypto::tls12_verify_finished(provider, HashAlgorithm::sha256, master,
                                         crypto::Tls12Sender::client, hh, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::decrypt_error);
}

// --- RSA key transport: EM (the raw RSA decryption) is secret; whether its
// padding is valid must not show, the premaster or the fallback comes out.

TEST(ConstantTime, RsaPremasterImplicitRejection) {
  const size_t k = 256;
  const uint16_t version = 0x0303;
  Bytes fallback = make_key(48, 200);
  auto valid = [&] {
    Bytes em(k, 0x33);
    em[0] = 0x00;
    em[1] = 0x02;
    em[k - 49] = 0x00;
    em[k - 48] = 0x03;
    em[k - 47] = 0x03;
    return em;
  };
  struct Case {
    const char* what;
    size_t index;
    uint8_t value;
    bool ok;
  };
  const Case cases[] = {{"valid", 0, 0x00, true},
                        {"first byte", 0, 0x01, false},
                        {"block type", 1, 0x01, false},
                        {"zero in PS", 9, 0x00, false},
                        {"no separator", k - 49, 0x01, false},
                        {"wrong version", k - 47, 0x01, false}};
  for (const Case& c : cases) {
    Bytes em = valid();
    em[c.index] = c.value;
    Bytes expect_m(em.end() - 48, em.end());
    poison(em);
    SecretBytes out = crypto::tls12_rsa_premaster_from_em(em, version, fallback);
    declassify(out.view());  // the test looks at the result
    Bytes got(out.view().begin(), out.view().end());
    EXPECT_EQ(got, c.ok ? expect_m : fallback) << c.what;
  }
}

// --- whole handshakes with every (EC)DHE/FFDHE shared secret and RSA premaster
// poisoned as it leaves the provider: the key schedule, the TLS 1.2 premaster
// handling, Finished and the record layer must run without a secret branch.

class PoisonedKeyShare : public crypto::KeyShare {
 public:
  explicit PoisonedKeyShare(std::unique_ptr<crypto::KeyShare> inner) : inner_(std::move(inner)) {}
  NamedGroup group() const override { return inner_->group(); }
  ByteView public_value() const override { return inner_->public_value(); }
  Result<SecretBytes> decapsulate(ByteView peer) override {
    auto r = inner_->decapsulate(peer);
    if (r.ok()) ct_poison(r->data(), r->size());
    return r;
  }
  Result<SecretBytes> private_key() const override {
    auto r = inner_->private_key();
    if (r.ok()) ct_poison(r->data(), r->size());
    return r;
  }

 private:
  std::unique_ptr<crypto::KeyShare> inner_;
};

class PoisonedPrivateKey : public crypto::PrivateKey {
 public:
  explicit PoisonedPrivateKey(std::unique_ptr<crypto::PrivateKey> inner)
      : inner_(std::move(inner)) {}
  crypto::KeyType type() const override { return inner_->type(); }
  size_t bits() const override { return inner_->bits(); }
  bool supports(SignatureScheme s) const override { return inner_->supports(s); }
  Result<Bytes> sign(SignatureScheme s, ByteView m) const override { return inner_->sign(s, m); }
  Bytes public_spki() const override { return inner_->public_spki(); }
  Result<std::string> to_pkcs8_pem() const override { return inner_->to_pkcs8_pem(); }
  Result<SecretBytes> rsa_decrypt_premaster(ByteView c, uint16_t v,
                                            const SecretBytes& fallback) const override {
    ct_poison(fallback.data(), fallback.size());
    auto r = inner_->rsa_decrypt_premaster(c, v, fallback);
    if (r.ok()) ct_poison(r->data(), r->size());
    return r;
  }

 private:
  std::unique_ptr<crypto::PrivateKey> inner_;
};

class PoisoningProvider : public crypto::Provider {
 public:
  std::string_view name() const override { return "poisoning"; }
  void random(MutableByteView out) override { p_->random(out); }
  void public_random(MutableByteView out) override { p_->public_random(out); }
  std::unique_ptr<crypto::HashContext> hash(HashAlgorithm a) override { return p_->hash(a); }
  Bytes hmac(HashAlgorithm a, ByteView k, ByteView d) override { return p_->hmac(a, k, d); }
  SecretBytes hkdf_extract(HashAlgorithm a, ByteView s, ByteView i) override {
    return p_->hkdf_extract(a, s, i);
  }
  Result<SecretBytes> hkdf_expand(HashAlgorithm a, ByteView prk, ByteView info, size_t n) override {
    return p_->hkdf_expand(a, prk, info, n);
  }
  Result<SecretBytes> tls12_prf(HashAlgorithm a, ByteView s, std::string_view l, ByteView seed,
                                size_t n) override {
    return p_->tls12_prf(a, s, l, seed, n);
  }
  Result<std::unique_ptr<crypto::Aead>> aead(AeadAlgorithm a, ByteView k) override {
    return p_->aead(a, k);
  }
  std::string aead_implementation(AeadAlgorithm a) const override {
    return p_->aead_implementation(a);
  }
  bool supports_group(NamedGroup g) const override { return p_->supports_group(g); }
  Result<std::unique_ptr<crypto::KeyShare>> generate_key_share(NamedGroup g) override {
    TESSERA_ASSIGN_OR_RETURN(auto ks, p_->generate_key_share(g));
    return std::unique_ptr<crypto::KeyShare>(new PoisonedKeyShare(std::move(ks)));
  }
  Result<crypto::Encapsulation> encapsulate(NamedGroup g, ByteView client_share) override {
    auto r = p_->encapsulate(g, client_share);
    if (r.ok()) ct_poison(r->shared_secret.data(), r->shared_secret.size());
    return r;
  }
  Result<std::unique_ptr<crypto::KeyShare>> import_key_share(NamedGroup g,
                                                             ByteView private_key) override {
    TESSERA_ASSIGN_OR_RETURN(auto ks, p_->import_key_share(g, private_key));
    return std::unique_ptr<crypto::KeyShare>(new PoisonedKeyShare(std::move(ks)));
  }
  Result<std::unique_ptr<crypto::KeyShare>> generate_dh_key_share(ByteView p, ByteView g) override {
    TESSERA_ASSIGN_OR_RETURN(auto ks, p_->generate_dh_key_share(p, g));
    return std::unique_ptr<crypto::KeyShare>(new PoisonedKeyShare(std::move(ks)));
  }
  Result<std::unique_ptr<crypto::PublicKey>> load_public_key(ByteView spki) override {
    return p_->load_public_key(spki);
  }
  Result<std::unique_ptr<crypto::PrivateKey>> load_private_key(ByteView pem_or_der) override {
    TESSERA_ASSIGN_OR_RETURN(auto k, p_->load_private_key(pem_or_der));
    return std::unique_ptr<crypto::PrivateKey>(new PoisonedPrivateKey(std::move(k)));
  }
  Result<std::unique_ptr<crypto::PrivateKey>> generate_private_key(
      const crypto::KeyGenParams& kp) override {
    return p_->generate_private_key(kp);
  }
  Result<Bytes> rsa_encrypt_pkcs1(const crypto::PublicKey& k, ByteView m) override {
    return p_->rsa_encrypt_pkcs1(k, m);
  }

 private:
  std::shared_ptr<crypto::Provider> p_ = crypto::default_provider();
};

struct HandshakeCase {
  ProtocolVersion version;
  CipherSuite suite;
  NamedGroup group;
  const char* cert;
};

void poisoned_handshake(const HandshakeCase& hc) {
  auto provider = std::make_shared<PoisoningProvider>();
  auto cc = client_config();
  auto sc = std::make_shared<ServerConfig>();
  sc->policy = Policy::default_policy();
  sc->clock = [] { return kTestNow; };
  auto cred = Credential::from_pem(*provider, read_pki(std::string(hc.cert) + ".pem"),
                                   read_pki(std::string(hc.cert) + ".key"));
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  sc->credentials = {std::make_shared<Credential>(std::move(*cred))};
  for (Policy* p : {&cc->policy, &sc->policy}) {
    *p = Policy::compat();
    p->min_version = p->max_version = hc.version;
    p->cipher_suites = {hc.suite};
    p->groups = {hc.group};
    p->key_share_groups = {hc.group};
  }
  cc->provider = provider;
  sc->provider = provider;
  auto p = make_tls_pair(cc, sc);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  transfer(p, true, 3000);
  transfer(p, false, 20000);
}

TEST(ConstantTime, HandshakeTls13X25519) {
  poisoned_handshake({ProtocolVersion::tls13, CipherSuite::TLS_AES_128_GCM_SHA256,
                      NamedGroup::x25519, "server-ec"});
}
TEST(ConstantTime, HandshakeTls13P256) {
  poisoned_handshake({ProtocolVersion::tls13, CipherSuite::TLS_AES_256_GCM_SHA384,
                      NamedGroup::secp256r1, "server-ec"});
}
TEST(ConstantTime, HandshakeTls13Ffdhe2048) {
  poisoned_handshake({ProtocolVersion::tls13, CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                      NamedGroup::ffdhe2048, "server-ec"});
}
TEST(ConstantTime, HandshakeTls12Ecdhe) {
  poisoned_handshake({ProtocolVersion::tls12, CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                      NamedGroup::secp256r1, "server-ec"});
}
TEST(ConstantTime, HandshakeTls12Dhe) {
  poisoned_handshake({ProtocolVersion::tls12, CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
                      NamedGroup::ffdhe2048, "server-rsa"});
}
TEST(ConstantTime, HandshakeTls12RsaKeyTransport) {
  poisoned_handshake({ProtocolVersion::tls12, CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
                      NamedGroup::x25519, "server-rsa"});
}

}  // namespace
}  // namespace tessera::testing
