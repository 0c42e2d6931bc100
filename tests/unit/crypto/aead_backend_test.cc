// The AEAD backends (src/crypto/aead_backend.h): the choice of backend, and a
// differential test of ipsec-mb's AES-GCM and ChaCha20-Poly1305
// (src/crypto/ipsecmb/aead.cc) against libcrypto's on random keys, nonces,
// AAD and plaintext lengths from 0 to 2^14 + 256, including tampered tags,
// ciphertexts and AAD.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "crypto/aead_backend.h"
#include "crypto/ipsecmb/ipsecmb_aead.h"
#include "crypto_test_util.h"

namespace tessera::crypto {
namespace {

TEST(AeadBackend, NamesRoundTrip) {
  for (AeadBackend b : {AeadBackend::libcrypto, AeadBackend::ipsec_mb}) {
    EXPECT_EQ(parse_aead_backend(aead_backend_name(b)), b);
  }
  EXPECT_EQ(aead_backend_name(AeadBackend::ipsec_mb), "ipsec-mb");
  EXPECT_FALSE(parse_aead_backend("auto"));
  EXPECT_FALSE(parse_aead_backend("ipsec_mb"));
  EXPECT_FALSE(parse_aead_backend(""));
}

TEST(AeadBackend, ChoiceFollowsRequestAndCpu) {
  const IpsecMbStatus& s = ipsec_mb_status();
  if (s.fast_path) {
    EXPECT_EQ(s.arch, "avx512");
    EXPECT_TRUE(s.usable);
  }
  if (!s.built) {
    EXPECT_FALSE(s.usable);
  }
  // libcrypto is always honoured.
  auto lc = choose_aead_backend("libcrypto");
  EXPECT_EQ(lc.backend, AeadBackend::libcrypto);
  EXPECT_EQ(lc.reason.rfind("libcrypto forced (", 0), 0u) << lc.reason;
  // ipsec-mb is honoured exactly when it can run here.
  auto forced = choose_aead_backend("ipsec-mb");
  EXPECT_EQ(forced.backend, s.usable ? AeadBackend::ipsec_mb : AeadBackend::libcrypto)
      << forced.reason;
  if (!s.usable) {
    EXPECT_NE(forced.reason.find("unavailable"), std::string::npos);
  }
  // Automatic: ipsec-mb only on its AVX-512 VAES path.
  for (std::string_view req : {"", "auto"}) {
    auto c = choose_aead_backend(req);
    EXPECT_EQ(c.backend, s.fast_path ? AeadBackend::ipsec_mb : AeadBackend::libcrypto) << c.reason;
    EXPECT_NE(c.reason.find("automatic"), std::string::npos) << c.reason;
  }
  auto bad = choose_aead_backend("fastest");
  EXPECT_EQ(bad.backend, choose_aead_backend("auto").backend);
  EXPECT_NE(bad.reason.find("\"fastest\" not understood"), std::string::npos) << bad.reason;
}

TEST(AeadBackend, ProviderReportsTheImplementationItUses) {
  OpenSslProvider lc(AeadBackend::libcrypto);
  OpenSslProvider mb(AeadBackend::ipsec_mb);
  EXPECT_EQ(lc.aead_backend(), AeadBackend::libcrypto);
  EXPECT_EQ(mb.aead_backend(), AeadBackend::ipsec_mb);
  Bytes key(16, 1);
  EXPECT_EQ((*lc.aead(AeadAlgorithm::aes_128_gcm, key))->implementation(), "libcrypto");
  EXPECT_EQ(lc.aead_implementation(AeadAlgorithm::aes_128_gcm).rfind("libcrypto (", 0), 0u);
  const bool usable = ipsec_mb_status().usable;
  EXPECT_EQ((*mb.aead(AeadAlgorithm::aes_128_gcm, key))->implementation(),
            usable ? "ipsec-mb" : "libcrypto");
  EXPECT_EQ(mb.aead_implementation(AeadAlgorithm::aes_256_gcm).rfind("ipsec-mb ", 0),
            usable ? 0u : std::string::npos);
  // ChaCha20-Poly1305 comes from ipsec-mb only on its AVX-512 VAES code path
  // (where it beats libcrypto's), else from libcrypto.
  const bool mb_chacha = usable && ipsec_mb_status().fast_path;
  EXPECT_EQ(aead_backend_supports(AeadBackend::ipsec_mb, AeadAlgorithm::chacha20_poly1305),
            mb_chacha);
  Bytes ckey(32, 2);
  EXPECT_EQ((*mb.aead(AeadAlgorithm::chacha20_poly1305, ckey))->implementation(),
            mb_chacha ? "ipsec-mb" : "libcrypto");
  EXPECT_EQ(mb.aead_implementation(AeadAlgorithm::chacha20_poly1305)
                .rfind(mb_chacha ? "ipsec-mb " : "libcrypto (", 0),
            0u);
  EXPECT_EQ((*lc.aead(AeadAlgorithm::chacha20_poly1305, ckey))->implementation(), "libcrypto");
  // Called directly (tests, benchmarks), ipsec-mb keys it on any code path.
  auto direct = ipsec_mb_aead(AeadAlgorithm::chacha20_poly1305, ckey);
  ASSERT_EQ(direct.ok(), usable);
  if (usable) {
    EXPECT_EQ((*direct)->implementation(), "ipsec-mb");
  }
}

// RFC 8439 2.8.2 through ipsec-mb's ChaCha20-Poly1305 directly, whatever its
// code path (the provider-level known-answer tests reach it only on AVX-512):
// seal in place, seal_from split mid-block, open, and a flipped tag bit.
TEST(AeadBackend, IpsecMbChaChaKnownAnswer) {
  if (!ipsec_mb_status().usable) GTEST_SKIP() << "ipsec-mb not available here";
  namespace v = testing::rfc8439;
  const Bytes key = testing::H(v::kKey), nonce = testing::H(v::kNonce), aad = testing::H(v::kAad);
  const Bytes plain = testing::H(v::kPlaintext);
  const std::string ct_hex(v::kCiphertext), tag_hex(v::kTag);
  auto a = ipsec_mb_aead(AeadAlgorithm::chacha20_poly1305, key);
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  Bytes data = plain, tag(16);
  ASSERT_TRUE((*a)->seal(nonce, aad, data, tag).ok());
  EXPECT_EQ(to_hex(data), ct_hex);
  EXPECT_EQ(to_hex(tag), tag_hex);
  Bytes out(plain.size()), tag2(16);
  const ByteView head(plain.data(), 70), tail(plain.data() + 70, plain.size() - 70);
  ASSERT_TRUE((*a)->seal_from(nonce, aad, head, tail, out, tag2).ok());
  EXPECT_EQ(out, data);
  EXPECT_EQ(tag2, tag);
  Bytes opened = data;
  ASSERT_TRUE((*a)->open(nonce, aad, opened, tag).ok());
  EXPECT_EQ(opened, plain);
  tag[15] ^= 0x80;
  Bytes rejected = data;
  auto r = (*a)->open(nonce, aad, rejected, tag);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
  EXPECT_EQ(rejected, Bytes(data.size(), 0));
  EXPECT_FALSE(ipsec_mb_aead(AeadAlgorithm::chacha20_poly1305, Bytes(16)).ok());
  EXPECT_FALSE((*a)->rekey(Bytes(31)));
  // Rekeyed to another key the output changes; back to the RFC key, it is
  // the known answer again.
  ASSERT_TRUE((*a)->rekey(Bytes(32, 0x5a)));
  Bytes other = plain, other_tag(16);
  ASSERT_TRUE((*a)->seal(nonce, aad, other, other_tag).ok());
  EXPECT_NE(to_hex(other), ct_hex);
  ASSERT_TRUE((*a)->rekey(key));
  Bytes again = plain, again_tag(16);
  ASSERT_TRUE((*a)->seal(nonce, aad, again, again_tag).ok());
  EXPECT_EQ(to_hex(again), ct_hex);
  EXPECT_EQ(to_hex(again_tag), tag_hex);
}

TEST(AeadBackend, IpsecMbRefusesWrongKeyLengths) {
  if (!ipsec_mb_status().usable) GTEST_SKIP() << "ipsec-mb not available here";
  EXPECT_FALSE(ipsec_mb_aead(AeadAlgorithm::aes_128_gcm, Bytes(15)).ok());
  EXPECT_FALSE(ipsec_mb_aead(AeadAlgorithm::aes_128_gcm, Bytes(32)).ok());
  EXPECT_FALSE(ipsec_mb_aead(AeadAlgorithm::aes_256_gcm, Bytes(16)).ok());
  EXPECT_FALSE(ipsec_mb_aead(AeadAlgorithm::aes_256_gcm, Bytes()).ok());
}

// The plaintext lengths of the differential test: every length up to 64,
// every length within one byte of a multiple of 16 (the AES block and GHASH
// unit; the library's code paths switch on 16-, 128- and 256-byte strides)
// up to 2^14 + 256, the end of that range, and a random sample in between.
std::vector<size_t> differential_lengths(std::mt19937_64& rng) {
  constexpr size_t kMax = 16384 + 256;
  std::set<size_t> lens;
  for (size_t n = 0; n <= 64; ++n) lens.insert(n);
  for (size_t b = 16; b <= kMax; b += 16) {
    lens.insert(b - 1);
    lens.insert(b);
    if (b + 1 <= kMax) lens.insert(b + 1);
  }
  std::uniform_int_distribution<size_t> any(0, kMax);
  for (int i = 0; i < 400; ++i) lens.insert(any(rng));
  return {lens.begin(), lens.end()};
}

void fill(std::mt19937_64& rng, MutableByteView out) {
  for (auto& b : out) b = static_cast<uint8_t>(rng());
}

Result<void> open_copy(Aead& a, ByteView nonce, ByteView aad, ByteView ct, ByteView tag,
                       Bytes* plain) {
  *plain = Bytes(ct.begin(), ct.end());
  return a.open(nonce, aad, *plain, tag);
}

class IpsecMbDifferential : public ::testing::TestWithParam<AeadAlgorithm> {
 protected:
  void SetUp() override {
    if (!ipsec_mb_status().usable) GTEST_SKIP() << "ipsec-mb not available here";
  }
};

INSTANTIATE_TEST_SUITE_P(All, IpsecMbDifferential,
                         ::testing::Values(AeadAlgorithm::aes_128_gcm, AeadAlgorithm::aes_256_gcm,
                                           AeadAlgorithm::chacha20_poly1305),
                         [](const auto& param_info) {
                           switch (param_info.param) {
                             case AeadAlgorithm::aes_128_gcm: return "aes128";
                             case AeadAlgorithm::aes_256_gcm: return "aes256";
                             default: return "chacha20poly1305";
                           }
                         });

// For each length: fresh random key, nonce and AAD (0..64 bytes, with 5 and
// 13, the TLS sizes, frequent); both backends seal in place to the same
// ciphertext and tag, and seal_from (out of place, with a random split and
// the tail either in place or elsewhere) agrees; each opens the other's
// output, with open and with open_from (out of place and in place); a
// flipped bit in the tag, the ciphertext or the AAD, a truncated
// ciphertext and a changed nonce are rejected by both with bad_record_mac,
// by open and open_from alike, leaving no plaintext in the output.
TEST_P(IpsecMbDifferential, MatchesLibcryptoOnRandomInputs) {
  const AeadAlgorithm alg = GetParam();
  std::mt19937_64 rng(0x7e55e7a + static_cast<int>(alg));
  OpenSslProvider lc_provider(AeadBackend::libcrypto);
  size_t checked = 0;
  for (size_t len : differential_lengths(rng)) {
    SCOPED_TRACE(::testing::Message() << aead_name(alg) << " length " << len);
    Bytes key(aead_key_length(alg)), nonce(Aead::kNonceSize);
    fill(rng, key);
    fill(rng, nonce);
    const size_t aad_len = rng() % 4 == 0 ? rng() % 65 : (rng() % 2 ? 13 : 5);
    Bytes aad(aad_len), plain(len);
    fill(rng, aad);
    fill(rng, plain);

    auto lc = lc_provider.aead(alg, key);
    auto mb = ipsec_mb_aead(alg, key);
    ASSERT_TRUE(lc.ok() && mb.ok());
    ASSERT_EQ((*lc)->implementation(), "libcrypto");
    ASSERT_EQ((*mb)->implementation(), "ipsec-mb");

    Bytes ct_lc = plain, ct_mb = plain, tag_lc(16), tag_mb(16);
    ASSERT_TRUE((*lc)->seal(nonce, aad, ct_lc, tag_lc).ok());
    ASSERT_TRUE((*mb)->seal(nonce, aad, ct_mb, tag_mb).ok());
    ASSERT_EQ(ct_mb, ct_lc);
    ASSERT_EQ(tag_mb, tag_lc);

    // Out of place: seal_from with a random split of the plaintext.
    const size_t split = len == 0 ? 0 : rng() % (len + 1);
    ByteView head(plain.data(), split), tail(plain.data() + split, len - split);
    Bytes out(len), tag_out(16);
    ASSERT_TRUE((*mb)->seal_from(nonce, aad, head, tail, out, tag_out).ok());
    ASSERT_EQ(out, ct_lc);
    ASSERT_EQ(tag_out, tag_lc);
    Bytes out2(len);
    std::copy(tail.begin(), tail.end(), out2.begin() + static_cast<ptrdiff_t>(split));
    ASSERT_TRUE(
        (*mb)
            ->seal_from(nonce, aad, head, ByteView(out2.data() + split, len - split), out2, tag_out)
            .ok());
    ASSERT_EQ(out2, ct_lc);
    ASSERT_EQ(tag_out, tag_lc);

    // Each opens the other's output.
    Bytes back;
    ASSERT_TRUE(open_copy(**mb, nonce, aad, ct_lc, tag_lc, &back).ok());
    ASSERT_EQ(back, plain);
    ASSERT_TRUE(open_copy(**lc, nonce, aad, ct_mb, tag_mb, &back).ok());
    ASSERT_EQ(back, plain);
    // open_from out of place (the ciphertext left as it is) and in place.
    for (Aead* aead : {lc->get(), mb->get()}) {
      Bytes opened(len, 0xee);
      ASSERT_TRUE(aead->open_from(nonce, aad, ct_lc, tag_lc, opened).ok())
          << aead->implementation();
      ASSERT_EQ(opened, plain) << aead->implementation();
      Bytes in_place = ct_lc;
      ASSERT_TRUE(aead->open_from(nonce, aad, in_place, tag_lc, in_place).ok());
      ASSERT_EQ(in_place, plain) << aead->implementation();
    }
    ASSERT_EQ(ct_lc, ct_mb);

    // Tampering: both reject.
    auto both_reject = [&](ByteView n, ByteView a, ByteView c, ByteView t, const char* what) {
      for (Aead* aead : {lc->get(), mb->get()}) {
        Bytes scratch;
        auto r = open_copy(*aead, n, a, c, t, &scratch);
        ASSERT_FALSE(r.ok()) << what << " accepted by " << aead->implementation();
        EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac) << what;
        EXPECT_EQ(r.error().alert(), AlertDescription::bad_record_mac) << what;
        EXPECT_EQ(scratch, Bytes(c.size(), 0)) << what << ": open left plaintext";
        // open_from out of place: rejected too, and its output wiped.
        Bytes into(c.size(), 0xee);
        auto r2 = aead->open_from(n, a, c, t, into);
        ASSERT_FALSE(r2.ok()) << what << " accepted by " << aead->implementation();
        EXPECT_EQ(r2.error().code(), ErrorCode::bad_record_mac) << what;
        EXPECT_EQ(into, Bytes(c.size(), 0)) << what << ": open_from left plaintext";
      }
    };
    Bytes bad_tag = tag_lc;
    bad_tag[rng() % 16] ^= static_cast<uint8_t>(1u << (rng() % 8));
    both_reject(nonce, aad, ct_lc, bad_tag, "tag bit flipped");
    if (len > 0) {
      Bytes bad_ct = ct_lc;
      bad_ct[rng() % len] ^= static_cast<uint8_t>(1u << (rng() % 8));
      both_reject(nonce, aad, bad_ct, tag_lc, "ciphertext bit flipped");
      both_reject(nonce, aad, ByteView(ct_lc.data(), len - 1), tag_lc, "ciphertext truncated");
    }
    Bytes bad_aad = aad;
    if (bad_aad.empty()) {
      bad_aad.push_back(0);
    } else {
      bad_aad[rng() % bad_aad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    both_reject(nonce, bad_aad, ct_lc, tag_lc, "AAD changed");
    Bytes bad_nonce = nonce;
    bad_nonce[rng() % 12] ^= 0x01;
    both_reject(bad_nonce, aad, ct_lc, tag_lc, "nonce changed");
    ++checked;
  }
  EXPECT_GT(checked, 3000u);
}

// The contexts are reused across records (TLS keys an Aead once per
// direction): a long sequence of seals and opens of varying lengths on the
// same pair of objects stays equal to libcrypto's.
TEST_P(IpsecMbDifferential, ReusedContextsStayEqual) {
  const AeadAlgorithm alg = GetParam();
  std::mt19937_64 rng(42);
  Bytes key(aead_key_length(alg));
  fill(rng, key);
  OpenSslProvider lc_provider(AeadBackend::libcrypto);
  auto lc = lc_provider.aead(alg, key);
  auto mb_seal = ipsec_mb_aead(alg, key);
  auto mb_open = ipsec_mb_aead(alg, key);
  ASSERT_TRUE(lc.ok() && mb_seal.ok() && mb_open.ok());
  Bytes nonce(12), aad(13);
  fill(rng, nonce);
  for (uint64_t seq = 0; seq < 200; ++seq) {
    nonce[11] = static_cast<uint8_t>(seq);
    nonce[10] = static_cast<uint8_t>(seq >> 8);
    fill(rng, aad);
    Bytes plain(rng() % (16384 + 257));
    fill(rng, plain);
    Bytes a = plain, b = plain, ta(16), tb(16);
    ASSERT_TRUE((*lc)->seal(nonce, aad, a, ta).ok());
    ASSERT_TRUE((*mb_seal)->seal(nonce, aad, b, tb).ok());
    ASSERT_EQ(a, b) << seq;
    ASSERT_EQ(ta, tb) << seq;
    ASSERT_TRUE((*mb_open)->open(nonce, aad, b, tb).ok());
    ASSERT_EQ(b, plain);
  }
}

// A failed open wipes the would-be plaintext (RFC 5116 2.2: nothing is
// released), so a caller that ignores the error reads zeros.
TEST(AeadBackend, IpsecMbFailedOpenReleasesNoPlaintext) {
  if (!ipsec_mb_status().usable) GTEST_SKIP() << "ipsec-mb not available here";
  Bytes key(16, 9), nonce(12, 1), aad(5, 0x17);
  auto mb = ipsec_mb_aead(AeadAlgorithm::aes_128_gcm, key);
  ASSERT_TRUE(mb.ok());
  Bytes data(100, 0x41), tag(16);
  ASSERT_TRUE((*mb)->seal(nonce, aad, data, tag).ok());
  tag[0] ^= 1;
  ASSERT_FALSE((*mb)->open(nonce, aad, data, tag).ok());
  EXPECT_EQ(data, Bytes(100, 0));
}

}  // namespace
}  // namespace tessera::crypto
