// Known-answer and tamper tests for the AEADs, run against each AEAD backend
// (src/crypto/openssl/aead.cc and src/crypto/ipsecmb/aead.cc; the ipsec-mb
// instance covers AES-GCM there, and ChaCha20-Poly1305 there on AVX-512 VAES
// CPUs and on libcrypto elsewhere, and is skipped when ipsec-mb is not built in or
// cannot run on this CPU).
#include <gtest/gtest.h>

#include <algorithm>

#include "crypto_test_util.h"

namespace tessera::crypto {
namespace {

using testing::H;

struct AeadCase {
  const char* name;
  AeadAlgorithm alg;
  std::string_view key, nonce, aad, plaintext, ciphertext, tag;
};

constexpr std::string_view kGcmP =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
    "b525b16aedf5aa0de657ba637b391aafd255";
constexpr std::string_view kGcmP60 =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
    "b525b16aedf5aa0de657ba637b39";

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases
// 1, 3, 4 (AES-128) and 13, 15, 16 (AES-256); RFC 8439 2.8.2.
const AeadCase kCases[] = {
    {"GCM TC1", AeadAlgorithm::aes_128_gcm, "00000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "58e2fccefa7e3061367f1d57a4e7455a"},
    {"GCM TC3", AeadAlgorithm::aes_128_gcm, "feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "", kGcmP,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac"
     "84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"GCM TC4", AeadAlgorithm::aes_128_gcm, "feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2", kGcmP60,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac"
     "84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"GCM TC13", AeadAlgorithm::aes_256_gcm,
     "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"GCM TC15", AeadAlgorithm::aes_256_gcm,
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "", kGcmP,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
     "828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"GCM TC16", AeadAlgorithm::aes_256_gcm,
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2", kGcmP60,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
     "828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    {"RFC 8439 2.8.2", AeadAlgorithm::chacha20_poly1305, testing::rfc8439::kKey,
     testing::rfc8439::kNonce, testing::rfc8439::kAad, testing::rfc8439::kPlaintext,
     testing::rfc8439::kCiphertext, testing::rfc8439::kTag},
};

// The provider under test: an OpenSslProvider fixed to the backend of the
// parameter.
class AeadBackends : public ::testing::TestWithParam<AeadBackend> {
 protected:
  void SetUp() override {
    if (!aead_backend_supports(GetParam(), AeadAlgorithm::aes_128_gcm)) {
      GTEST_SKIP() << aead_backend_name(GetParam()) << " is not available here";
    }
  }
  // expected_implementation: what Aead::implementation() must say for alg.
  std::string_view expected_implementation(AeadAlgorithm alg) const {
    return aead_backend_supports(GetParam(), alg) ? aead_backend_name(GetParam()) : "libcrypto";
  }
  OpenSslProvider p{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(Backends, AeadBackends,
                         ::testing::Values(AeadBackend::libcrypto, AeadBackend::ipsec_mb),
                         [](const auto& param_info) {
                           return param_info.param == AeadBackend::libcrypto ? "libcrypto"
                                                                             : "ipsec_mb";
                         });

TEST_P(AeadBackends, KnownAnswersSealAndOpenInPlace) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto aead = p.aead(c.alg, H(c.key));
    ASSERT_TRUE(aead.ok()) << aead.error().to_string();
    EXPECT_EQ((*aead)->algorithm(), c.alg);
    EXPECT_EQ((*aead)->implementation(), expected_implementation(c.alg));
    Bytes data = H(c.plaintext);
    Bytes tag(Aead::kTagSize);
    ASSERT_TRUE((*aead)->seal(H(c.nonce), H(c.aad), data, tag).ok());
    EXPECT_EQ(to_hex(data), c.ciphertext);
    EXPECT_EQ(to_hex(tag), c.tag);
    // The same context seals again identically (only the nonce is reset).
    Bytes again = H(c.plaintext);
    ASSERT_TRUE((*aead)->seal(H(c.nonce), H(c.aad), again, tag).ok());
    EXPECT_EQ(to_hex(again), c.ciphertext);
    // Open with a separately keyed context.
    auto opener = p.aead(c.alg, H(c.key));
    ASSERT_TRUE(opener.ok());
    auto r = (*opener)->open(H(c.nonce), H(c.aad), data, tag);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(to_hex(data), c.plaintext);
  }
}

// rekey gives the known answers of the new key, whichever directions the
// old key had been used in (a used direction is re-keyed in its context, an
// unused one keys lazily), and the old key no longer opens anything.
TEST_P(AeadBackends, RekeyGivesTheKnownAnswersOfTheNewKey) {
  for (const auto& c : kCases) {
    for (int used = 0; used < 4; ++used) {  // bit 0: sealed before, bit 1: opened before
      SCOPED_TRACE(std::string(c.name) + ", used " + std::to_string(used));
      const Bytes old_key(aead_key_length(c.alg), 0x5a);
      auto aead = p.aead(c.alg, old_key);
      ASSERT_TRUE(aead.ok());
      auto old_peer = p.aead(c.alg, old_key);
      ASSERT_TRUE(old_peer.ok());
      Bytes old_record = H("0102030405"), old_tag(Aead::kTagSize);
      ASSERT_TRUE((*old_peer)->seal(H(c.nonce), {}, old_record, old_tag).ok());
      if (used & 1) {
        Bytes d = H("00"), t(Aead::kTagSize);
        ASSERT_TRUE((*aead)->seal(H(c.nonce), {}, d, t).ok());
      }
      if (used & 2) {
        Bytes d = old_record;
        ASSERT_TRUE((*aead)->open(H(c.nonce), {}, d, old_tag).ok());
      }
      EXPECT_FALSE((*aead)->rekey(H("00112233")));  // wrong length: refused
      ASSERT_TRUE((*aead)->rekey(H(c.key)));
      Bytes data = H(c.plaintext), tag(Aead::kTagSize);
      ASSERT_TRUE((*aead)->seal(H(c.nonce), H(c.aad), data, tag).ok());
      EXPECT_EQ(to_hex(data), c.ciphertext);
      EXPECT_EQ(to_hex(tag), c.tag);
      ASSERT_TRUE((*aead)->open(H(c.nonce), H(c.aad), data, tag).ok());
      EXPECT_EQ(to_hex(data), c.plaintext);
      Bytes stale = old_record;
      auto r = (*aead)->open(H(c.nonce), {}, stale, old_tag);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
    }
  }
}

// Any change to the tag, the ciphertext, the AAD or the nonce is
// bad_record_mac (with the bad_record_mac alert), and the context stays usable.
TEST_P(AeadBackends, TamperingIsBadRecordMac) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto aead = p.aead(c.alg, H(c.key));
    ASSERT_TRUE(aead.ok());
    const Bytes ct = H(c.ciphertext), tag = H(c.tag), aad = H(c.aad), nonce = H(c.nonce);
    auto expect_reject = [&](Bytes n, Bytes a, Bytes d, Bytes t, const char* what) {
      auto r = (*aead)->open(n, a, d, t);
      ASSERT_FALSE(r.ok()) << what;
      EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac) << what;
      EXPECT_EQ(r.error().alert(), AlertDescription::bad_record_mac) << what;
    };
    for (size_t i : {size_t{0}, size_t{7}, size_t{15}}) {
      Bytes t = tag;
      t[i] ^= 0x01;
      expect_reject(nonce, aad, ct, t, "tag bit flipped");
    }
    if (!ct.empty()) {
      Bytes d = ct;
      d[d.size() / 2] ^= 0x80;
      expect_reject(nonce, aad, d, tag, "ciphertext bit flipped");
      Bytes shorter(ct.begin(), ct.end() - 1);
      expect_reject(nonce, aad, shorter, tag, "ciphertext truncated");
    }
    Bytes a = aad;
    if (a.empty()) {
      a.push_back(0);
    } else {
      a[0] ^= 0x01;
    }
    expect_reject(nonce, a, ct, tag, "AAD changed");
    Bytes n = nonce;
    n[11] ^= 0x01;
    expect_reject(n, aad, ct, tag, "nonce changed");
    // Still opens correctly afterwards.
    Bytes d = ct;
    EXPECT_TRUE((*aead)->open(nonce, aad, d, tag).ok());
    EXPECT_EQ(to_hex(d), c.plaintext);
  }
}

TEST_P(AeadBackends, WrongSizesAreErrors) {
  for (AeadAlgorithm alg :
       {AeadAlgorithm::aes_128_gcm, AeadAlgorithm::aes_256_gcm, AeadAlgorithm::chacha20_poly1305}) {
    SCOPED_TRACE(aead_name(alg));
    size_t klen = aead_key_length(alg);
    EXPECT_FALSE(p.aead(alg, Bytes(klen - 1)).ok());
    EXPECT_FALSE(p.aead(alg, Bytes(klen + 1)).ok());
    EXPECT_FALSE(p.aead(alg, Bytes()).ok());
    auto aead = p.aead(alg, Bytes(klen, 7));
    ASSERT_TRUE(aead.ok());
    Bytes data(20), tag(16), short_tag(15);
    EXPECT_FALSE((*aead)->seal(Bytes(11), {}, data, tag).ok());
    EXPECT_FALSE((*aead)->seal(Bytes(13), {}, data, tag).ok());
    EXPECT_FALSE((*aead)->seal(Bytes(12), {}, data, short_tag).ok());
    EXPECT_FALSE((*aead)->open(Bytes(8), {}, data, tag).ok());
    EXPECT_FALSE((*aead)->open(Bytes(12), {}, data, short_tag).ok());
  }
}

TEST_P(AeadBackends, LargeRecordRoundTrip) {
  for (AeadAlgorithm alg :
       {AeadAlgorithm::aes_128_gcm, AeadAlgorithm::aes_256_gcm, AeadAlgorithm::chacha20_poly1305}) {
    Bytes key(aead_key_length(alg));
    p.random(key);
    auto s = p.aead(alg, key);
    auto o = p.aead(alg, key);
    ASSERT_TRUE(s.ok() && o.ok());
    Bytes plain(16384 + 1);
    p.random(plain);
    Bytes data = plain, tag(16), nonce(12, 0x33), aad(13, 0x17);
    for (int seq = 0; seq < 3; ++seq) {
      nonce[11] = static_cast<uint8_t>(seq);
      data = plain;
      ASSERT_TRUE((*s)->seal(nonce, aad, data, tag).ok());
      EXPECT_NE(data, plain);
      ASSERT_TRUE((*o)->open(nonce, aad, data, tag).ok());
      EXPECT_EQ(data, plain);
    }
  }
}

// A wrapper that only forwards seal/open, so seal_from and open_from take
// the interface's defaults (copy, then seal or open in place).
class ForwardingAead final : public Aead {
 public:
  explicit ForwardingAead(std::unique_ptr<Aead> a) : a_(std::move(a)) {}
  AeadAlgorithm algorithm() const override { return a_->algorithm(); }
  std::string_view implementation() const override { return a_->implementation(); }
  Result<void> seal(ByteView n, ByteView aad, MutableByteView d, MutableByteView t) override {
    return a_->seal(n, aad, d, t);
  }
  Result<void> open(ByteView n, ByteView aad, MutableByteView d, ByteView t) override {
    return a_->open(n, aad, d, t);
  }

 private:
  std::unique_ptr<Aead> a_;
};

// seal_from(head, tail) must produce exactly seal(head || tail), for the
// libcrypto override and for the default, including a tail sealed in place
// and empty heads or tails.
TEST_P(AeadBackends, SealFromMatchesSealOfConcatenation) {
  for (AeadAlgorithm alg :
       {AeadAlgorithm::aes_128_gcm, AeadAlgorithm::aes_256_gcm, AeadAlgorithm::chacha20_poly1305}) {
    Bytes key(aead_key_length(alg));
    p.random(key);
    auto ref = p.aead(alg, key);
    auto direct = p.aead(alg, key);
    ASSERT_TRUE(ref.ok() && direct.ok());
    ForwardingAead fallback(std::move(*p.aead(alg, key)));
    for (size_t head_len :
         {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{300}, size_t{16384}}) {
      for (size_t tail_len : {size_t{0}, size_t{1}, size_t{17}}) {
        Bytes head(head_len), tail(tail_len), nonce(12), aad(5);
        p.random(head);
        p.random(tail);
        p.random(nonce);
        p.random(aad);
        Bytes want = head;
        want.insert(want.end(), tail.begin(), tail.end());
        Bytes want_tag(16);
        ASSERT_TRUE((*ref)->seal(nonce, aad, want, want_tag).ok());
        for (Aead* a : {static_cast<Aead*>(direct->get()), static_cast<Aead*>(&fallback)}) {
          // tail copied to its place in out first: sealed in place.
          Bytes out(head_len + tail_len), tag(16);
          std::copy(tail.begin(), tail.end(), out.begin() + static_cast<ptrdiff_t>(head_len));
          ASSERT_TRUE(
              a->seal_from(nonce, aad, head, ByteView(out.data() + head_len, tail_len), out, tag)
                  .ok());
          EXPECT_EQ(out, want) << aead_name(alg) << " " << head_len << "+" << tail_len;
          EXPECT_EQ(tag, want_tag);
          // tail in a separate buffer.
          Bytes out2(head_len + tail_len), tag2(16);
          ASSERT_TRUE(a->seal_from(nonce, aad, head, tail, out2, tag2).ok());
          EXPECT_EQ(out2, want);
          EXPECT_EQ(tag2, want_tag);
          // a wrong output size is an error.
          Bytes small(head_len + tail_len + 1);
          EXPECT_FALSE(a->seal_from(nonce, aad, head, tail, small, tag2).ok());
        }
      }
    }
  }
}

// open_from decrypts out of place (the ciphertext untouched) or in place to
// exactly what open gives, for the backend's override and for the default:
// the known answers, then random lengths around the block sizes up to a
// maximal TLS record. A tampered record is bad_record_mac and leaves the
// output all zeros (no plaintext of a record that failed authentication),
// as open leaves its buffer; a wrong output size is an error.
TEST_P(AeadBackends, OpenFromMatchesOpenAndWipesOnBadTag) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto a = p.aead(c.alg, H(c.key));
    ASSERT_TRUE(a.ok());
    const Bytes ct = H(c.ciphertext);
    Bytes out(ct.size(), 0xee);
    ASSERT_TRUE((*a)->open_from(H(c.nonce), H(c.aad), ct, H(c.tag), out).ok());
    EXPECT_EQ(to_hex(out), c.plaintext);
    EXPECT_EQ(to_hex(ct), c.ciphertext);  // the input is read, not written
  }
  for (AeadAlgorithm alg :
       {AeadAlgorithm::aes_128_gcm, AeadAlgorithm::aes_256_gcm, AeadAlgorithm::chacha20_poly1305}) {
    Bytes key(aead_key_length(alg));
    p.random(key);
    auto sealer = p.aead(alg, key);
    auto direct = p.aead(alg, key);
    ASSERT_TRUE(sealer.ok() && direct.ok());
    EXPECT_EQ((*direct)->implementation(), expected_implementation(alg));
    ForwardingAead fallback(std::move(*p.aead(alg, key)));
    for (size_t len : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{255},
                       size_t{4097}, size_t{16384 + 1 + 16}}) {
      SCOPED_TRACE(::testing::Message() << aead_name(alg) << " length " << len);
      Bytes plain(len), nonce(12), aad(5);
      p.random(plain);
      p.random(nonce);
      p.random(aad);
      Bytes ct = plain, tag(16);
      ASSERT_TRUE((*sealer)->seal(nonce, aad, ct, tag).ok());
      for (Aead* a : {static_cast<Aead*>(direct->get()), static_cast<Aead*>(&fallback)}) {
        // Out of place.
        Bytes out(len, 0xee);
        const Bytes ct_before = ct;
        ASSERT_TRUE(a->open_from(nonce, aad, ct, tag, out).ok());
        EXPECT_EQ(out, plain);
        EXPECT_EQ(ct, ct_before);
        // In place (ciphertext == out) and open: the same plaintext.
        Bytes in_place = ct;
        ASSERT_TRUE(a->open_from(nonce, aad, in_place, tag, in_place).ok());
        EXPECT_EQ(in_place, plain);
        Bytes via_open = ct;
        ASSERT_TRUE(a->open(nonce, aad, via_open, tag).ok());
        EXPECT_EQ(via_open, plain);
        // A flipped tag bit or ciphertext bit: rejected, output wiped.
        Bytes bad_tag = tag;
        bad_tag[len % 16] ^= 0x04;
        Bytes wiped(len, 0xee);
        auto r = a->open_from(nonce, aad, ct, bad_tag, wiped);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
        EXPECT_EQ(r.error().alert(), AlertDescription::bad_record_mac);
        EXPECT_EQ(wiped, Bytes(len, 0));
        if (len > 0) {
          Bytes bad_ct = ct;
          bad_ct[len / 2] ^= 0x80;
          Bytes out2(len, 0xee);
          EXPECT_FALSE(a->open_from(nonce, aad, bad_ct, tag, out2).ok());
          EXPECT_EQ(out2, Bytes(len, 0));
          // In place as well: the buffer holds zeros, not the decryption.
          EXPECT_FALSE(a->open(nonce, aad, bad_ct, tag).ok());
          EXPECT_EQ(bad_ct, Bytes(len, 0));
        }
        // The context still opens correctly after a failure.
        Bytes again(len);
        ASSERT_TRUE(a->open_from(nonce, aad, ct, tag, again).ok());
        EXPECT_EQ(again, plain);
        // A wrong output size is an error.
        Bytes big(len + 1);
        EXPECT_FALSE(a->open_from(nonce, aad, ct, tag, big).ok());
      }
    }
  }
}

}  // namespace
}  // namespace tessera::crypto
