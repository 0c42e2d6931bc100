// Known-answer tests for hashes, HMAC, HKDF and the TLS 1.2 PRF
// (src/crypto/openssl/hash.cc).
#include <gtest/gtest.h>

#include "crypto_test_util.h"

namespace tessera::crypto {
namespace {

using testing::H;
using testing::hex_of;

constexpr std::string_view kAbc = "abc";
constexpr std::string_view k448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr std::string_view k896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmno"
    "pqrsmnopqrstnopqrstu";

struct HashCase {
  HashAlgorithm alg;
  std::string_view msg;
  std::string_view digest;
};

// FIPS 180-2 appendices B, C and D (one-block, multi-block messages).
const HashCase kHashCases[] = {
    {HashAlgorithm::sha256, kAbc,
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {HashAlgorithm::sha256, k448,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {HashAlgorithm::sha384, kAbc,
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c8"
     "25a7"},
    {HashAlgorithm::sha384, k896,
     "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa9174"
     "6039"},
    {HashAlgorithm::sha512, kAbc,
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fe"
     "ebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {HashAlgorithm::sha512, k896,
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5"
     "433ac7d329eeb6dd26545e96e55b874be909"},
    // FIPS 180-2 A.1: SHA-1("abc").
    {HashAlgorithm::sha1, kAbc, "a9993e364706816aba3e25717850c26c9cd0d89d"},
};

TEST(Hash, Fips180KnownAnswers) {
  OpenSslProvider p;
  for (const auto& c : kHashCases) {
    EXPECT_EQ(to_hex(p.digest(c.alg, as_bytes_view(c.msg))), c.digest) << hash_name(c.alg);
    auto h = p.hash(c.alg);
    EXPECT_EQ(h->algorithm(), c.alg);
    EXPECT_EQ(h->output_size(), hash_length(c.alg));
  }
}

TEST(Hash, MultiPartUpdateEqualsOneShot) {
  OpenSslProvider p;
  for (const auto& c : kHashCases) {
    auto h = p.hash(c.alg);
    ByteView m = as_bytes_view(c.msg);
    // Byte-at-a-time updates, including an empty one.
    h->update({});
    for (size_t i = 0; i < m.size(); ++i) h->update(m.subspan(i, 1));
    EXPECT_EQ(to_hex(h->finish()), c.digest) << hash_name(c.alg);
  }
}

TEST(Hash, CloneThenContinueIsIndependent) {
  OpenSslProvider p;
  ByteView m = as_bytes_view(k448);
  auto h = p.hash(HashAlgorithm::sha256);
  h->update(m.first(3));  // "abc"
  auto snapshot = h->clone();
  h->update(m.subspan(3));
  // The snapshot finishes the prefix; the original continues to the whole.
  EXPECT_EQ(to_hex(snapshot->finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(h->finish()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // A clone taken after more input continues on its own as well.
  auto h2 = p.hash(HashAlgorithm::sha384);
  h2->update(as_bytes_view("ab"));
  auto c2 = h2->clone();
  c2->update(as_bytes_view("c"));
  EXPECT_EQ(to_hex(c2->finish()).substr(0, 16), "cb00753f45a35e8b");
}

// RFC 4231 test cases 1 and 2.
TEST(Hmac, Rfc4231) {
  OpenSslProvider p;
  Bytes key1(20, 0x0b);
  EXPECT_EQ(to_hex(p.hmac(HashAlgorithm::sha256, key1, as_bytes_view("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  ByteView jefe = as_bytes_view("Jefe");
  ByteView what = as_bytes_view("what do ya want for nothing?");
  EXPECT_EQ(to_hex(p.hmac(HashAlgorithm::sha256, jefe, what)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(
      to_hex(p.hmac(HashAlgorithm::sha384, jefe, what)),
      "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ec"
      "fab21649");
  EXPECT_EQ(
      to_hex(p.hmac(HashAlgorithm::sha512, jefe, what)),
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65"
      "f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

struct HkdfCase {
  HashAlgorithm alg;
  std::string_view ikm, salt, info;
  size_t length;
  std::string_view prk, okm;
};

// RFC 5869 A.1-A.3, and a SHA-384 case (RFC 5869 has none). The SHA-384
// values were produced with the OpenSSL 3.0.19 CLI:
//   openssl kdf -keylen 48 -kdfopt digest:SHA384 -kdfopt mode:EXTRACT_ONLY
//     -kdfopt hexkey:0b*22 -kdfopt hexsalt:000102030405060708090a0b0c HKDF
//   openssl kdf -keylen 50 -kdfopt digest:SHA384 -kdfopt hexkey:0b*22
//     -kdfopt hexsalt:000102030405060708090a0b0c -kdfopt hexinfo:f0f1f2f3f4f5f6f7f8f9 HKDF
const HkdfCase kHkdfCases[] = {
    {HashAlgorithm::sha256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
     "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
     "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
    {HashAlgorithm::sha256,
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d"
     "2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
     "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d"
     "8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
     "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
     "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     82, "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
     "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e59"
     "0e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
    {HashAlgorithm::sha256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
     "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
     "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
    {HashAlgorithm::sha384, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 50,
     "704b39990779ce1dc548052c7dc39f303570dd13fb39f7acc564680bef80e8dec70ee9a7e1f3e293ef68eceb072a"
     "5ade",
     "9b5097a86038b805309076a44b3a9f38063e25b516dcbf369f394cfab43685f748b6457763e4f0204fc5d95d1da3"
     "e62587b2"},
};

TEST(Hkdf, KnownAnswers) {
  OpenSslProvider p;
  for (const auto& c : kHkdfCases) {
    SecretBytes prk = p.hkdf_extract(c.alg, H(c.salt), H(c.ikm));
    EXPECT_EQ(hex_of(prk), c.prk);
    auto okm = p.hkdf_expand(c.alg, prk.view(), H(c.info), c.length);
    ASSERT_TRUE(okm.ok()) << okm.error().to_string();
    EXPECT_EQ(hex_of(*okm), c.okm);
  }
}

TEST(Hkdf, ExpandLengthLimit) {
  OpenSslProvider p;
  Bytes prk(32, 0x42);
  // RFC 5869 2.3: L <= 255*HashLen.
  auto max = p.hkdf_expand(HashAlgorithm::sha256, prk, {}, 255 * 32);
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->size(), 255u * 32);
  auto over = p.hkdf_expand(HashAlgorithm::sha256, prk, {}, 255 * 32 + 1);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code(), ErrorCode::internal_error);
  // A shorter output is a prefix of a longer one.
  auto shorter = p.hkdf_expand(HashAlgorithm::sha256, prk, {}, 40);
  ASSERT_TRUE(shorter.ok());
  EXPECT_EQ(to_hex(shorter->view()), to_hex(max->view().first(40)));
}

// An HmacKey gives the RFC answers for every use of one key, in any order
// (its scratch state must not leak from one call into the next), both from
// the OpenSSL provider's keyed implementation and from the Provider default
// (a copy of the key and the one-shot calls).
TEST(HmacKey, RepeatedUseMatchesKnownAnswers) {
  OpenSslProvider p;
  for (bool base_default : {false, true}) {
    SCOPED_TRACE(base_default ? "Provider default" : "OpenSslProvider");
    auto key_of = [&](HashAlgorithm alg, ByteView key) {
      return base_default ? p.Provider::hmac_key(alg, key) : p.hmac_key(alg, key);
    };
    // RFC 4231 4.3, twice with other work in between.
    auto jefe = key_of(HashAlgorithm::sha256, as_bytes_view("Jefe"));
    EXPECT_EQ(jefe->algorithm(), HashAlgorithm::sha256);
    ByteView what = as_bytes_view("what do ya want for nothing?");
    const std::string rfc4231 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    EXPECT_EQ(to_hex(jefe->mac(what)), rfc4231);
    EXPECT_EQ(to_hex(jefe->mac({})),
              to_hex(p.hmac(HashAlgorithm::sha256, as_bytes_view("Jefe"), {})));
    EXPECT_EQ(to_hex(jefe->mac(what)), rfc4231);
    // RFC 5869 A.1-A.3 and the SHA-384 case: every expansion from one keyed
    // PRK, each repeated, and shorter lengths as prefixes.
    for (const auto& c : kHkdfCases) {
      auto prk = key_of(c.alg, H(c.prk));
      for (int round = 0; round < 2; ++round) {
        auto okm = prk->expand(H(c.info), c.length);
        ASSERT_TRUE(okm.ok()) << okm.error().to_string();
        EXPECT_EQ(hex_of(*okm), c.okm);
        auto part = prk->expand(H(c.info), 7);
        ASSERT_TRUE(part.ok());
        EXPECT_EQ(hex_of(*part), c.okm.substr(0, 14));
      }
    }
    // RFC 5869 2.3: L <= 255*HashLen, also through a keyed PRK.
    auto prk = key_of(HashAlgorithm::sha256, Bytes(32, 0x42));
    EXPECT_TRUE(prk->expand({}, 255 * 32).ok());
    auto over = prk->expand({}, 255 * 32 + 1);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().code(), ErrorCode::internal_error);
  }
}

// TLS 1.2 PRF values produced with the OpenSSL 3.0.19 CLI (an independent
// implementation path, the TLS1-PRF KDF driven from the command line):
//   openssl kdf -keylen 100 -kdfopt digest:SHA256 -kdfopt secret:tessera-secret
//     -kdfopt seed:"test labelseed-bytes" TLS1-PRF
// and the same with digest:SHA384.
TEST(Tls12Prf, CrossCheckedWithOpenSslCli) {
  OpenSslProvider p;
  ByteView secret = as_bytes_view("tessera-secret");
  ByteView seed = as_bytes_view("seed-bytes");
  auto r256 = p.tls12_prf(HashAlgorithm::sha256, secret, "test label", seed, 100);
  ASSERT_TRUE(r256.ok());
  EXPECT_EQ(hex_of(*r256),
            "6c1b8b013fa021f5f94bda3e4061e0d57b69267b64515c061df78902cd8e4785432135dbd85a310c4b94e0"
            "7d90ac0e183619ddb794eb3a75f09d75c96f0014998e61f84aa1d95bc5186a1654bcdc4521d5114ebf9351"
            "ee710e6f7e35d95e4ef9b9a95aea");
  auto r384 = p.tls12_prf(HashAlgorithm::sha384, secret, "test label", seed, 100);
  ASSERT_TRUE(r384.ok());
  EXPECT_EQ(hex_of(*r384),
            "488ed8d6d62c9f3be88fdb04d73bf5d2f72e39f2edd4bd2b574f0314784c669c07b2b18bf49af262061ff0"
            "4eb924b68995f4d435a5d5822282f0d19d4fae3725e067219e405c47e3f16ded2fd9ff4ff2d2cbe8e03713"
            "6ab53226e080abde498c83719e42");
}

// RFC 5246 5: P_hash is HMAC-chained; check the PRF against a direct
// computation from hmac() so the label/seed concatenation is verified too.
TEST(Tls12Prf, MatchesPHashDefinition) {
  OpenSslProvider p;
  Bytes secret = H("0102030405");
  std::string_view label = "master secret";
  Bytes seed = H("a0a1a2a3a4a5");
  Bytes ls(label.begin(), label.end());
  ls.insert(ls.end(), seed.begin(), seed.end());
  Bytes a = ls, expect;
  while (expect.size() < 80) {
    a = p.hmac(HashAlgorithm::sha256, secret, a);  // A(i) = HMAC(secret, A(i-1))
    Bytes in = a;
    in.insert(in.end(), ls.begin(), ls.end());
    Bytes block = p.hmac(HashAlgorithm::sha256, secret, in);
    expect.insert(expect.end(), block.begin(), block.end());
  }
  expect.resize(80);
  auto got = p.tls12_prf(HashAlgorithm::sha256, secret, label, seed, 80);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(hex_of(*got), to_hex(expect));
}

TEST(Tls12Prf, Sha1Refused) {
  OpenSslProvider p;
  auto r = p.tls12_prf(HashAlgorithm::sha1, as_bytes_view("k"), "l", as_bytes_view("s"), 12);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unsupported_algorithm);
}

}  // namespace
}  // namespace tessera::crypto
