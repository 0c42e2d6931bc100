// Keys and signatures (src/crypto/openssl/keys.cc): signatures made by the
// openssl CLI verify, tampering fails, scheme/key mismatches are refused,
// every key container loads, sign/verify round trips, key generation.
#include <gtest/gtest.h>

#include "crypto_test_util.h"

namespace tessera::crypto {
namespace {

using testing::read_vector;
using S = SignatureScheme;

struct FixedSig {
  const char* spki;
  const char* sig;
  SignatureScheme scheme;
  KeyType type;
  size_t bits;
};

// Signatures over message.txt produced by the openssl CLI (see
// tests/vectors/crypto/README.md).
const FixedSig kFixed[] = {
    {"rsa2048.spki.der", "rsa2048.pss_rsae_sha256.sig", S::rsa_pss_rsae_sha256, KeyType::rsa, 2048},
    {"rsa2048.spki.der", "rsa2048.pkcs1_sha384.sig", S::rsa_pkcs1_sha384, KeyType::rsa, 2048},
    {"rsapss2048.spki.der", "rsapss2048.pss_pss_sha256.sig", S::rsa_pss_pss_sha256,
     KeyType::rsa_pss, 2048},
    {"p256.spki.der", "p256.ecdsa_sha256.sig", S::ecdsa_secp256r1_sha256, KeyType::ec_p256, 256},
    {"p384.spki.der", "p384.ecdsa_sha384.sig", S::ecdsa_secp384r1_sha384, KeyType::ec_p384, 384},
    {"p521.spki.der", "p521.ecdsa_sha512.sig", S::ecdsa_secp521r1_sha512, KeyType::ec_p521, 521},
    {"ed25519.spki.der", "ed25519.sig", S::ed25519, KeyType::ed25519, 256},
};

void expect_code(const Result<void>& r, ErrorCode code, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code(), code) << what << ": " << r.error().to_string();
}

TEST(Signatures, OpenSslCliSignaturesVerifyAndTamperingFails) {
  OpenSslProvider p;
  const Bytes msg = read_vector("message.txt");
  ASSERT_FALSE(msg.empty());
  for (const auto& c : kFixed) {
    SCOPED_TRACE(c.sig);
    Bytes spki = read_vector(c.spki);
    auto key = p.load_public_key(spki);
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    EXPECT_EQ((*key)->type(), c.type);
    EXPECT_EQ((*key)->bits(), c.bits);
    EXPECT_EQ(to_hex((*key)->spki()), to_hex(spki));
    EXPECT_TRUE((*key)->supports(c.scheme));
    Bytes sig = read_vector(c.sig);
    auto ok = (*key)->verify(c.scheme, msg, sig);
    EXPECT_TRUE(ok.ok()) << ok.error().to_string();
    for (size_t pos : {size_t{0}, sig.size() / 2, sig.size() - 1}) {
      Bytes bad = sig;
      bad[pos] ^= 0x01;
      auto r = (*key)->verify(c.scheme, msg, bad);
      expect_code(r, ErrorCode::signature_invalid, "signature bit flipped");
      if (!r.ok()) {
        EXPECT_EQ(r.error().alert(), AlertDescription::decrypt_error);
      }
    }
    Bytes bad_msg = msg;
    bad_msg[3] ^= 0x20;
    expect_code((*key)->verify(c.scheme, bad_msg, sig), ErrorCode::signature_invalid,
                "message changed");
    expect_code((*key)->verify(c.scheme, msg, ByteView(sig).first(sig.size() - 1)),
                ErrorCode::signature_invalid, "signature truncated");
    expect_code((*key)->verify(c.scheme, msg, {}), ErrorCode::signature_invalid, "empty");
  }
}

// The same RSA key signs PKCS#1 and PSS; a signature checked under the other
// padding or another hash fails.
TEST(Signatures, WrongPaddingOrHashFails) {
  OpenSslProvider p;
  const Bytes msg = read_vector("message.txt");
  auto rsa = p.load_public_key(read_vector("rsa2048.spki.der"));
  ASSERT_TRUE(rsa.ok());
  Bytes pss = read_vector("rsa2048.pss_rsae_sha256.sig");
  expect_code((*rsa)->verify(S::rsa_pkcs1_sha256, msg, pss), ErrorCode::signature_invalid,
              "PSS signature as PKCS#1");
  expect_code((*rsa)->verify(S::rsa_pss_rsae_sha384, msg, pss), ErrorCode::signature_invalid,
              "SHA-256 PSS as SHA-384");
  Bytes pkcs1 = read_vector("rsa2048.pkcs1_sha384.sig");
  expect_code((*rsa)->verify(S::rsa_pkcs1_sha256, msg, pkcs1), ErrorCode::signature_invalid,
              "SHA-384 PKCS#1 as SHA-256");
  expect_code((*rsa)->verify(S::rsa_pss_rsae_sha384, msg, pkcs1), ErrorCode::signature_invalid,
              "PKCS#1 as PSS");
}

TEST(Signatures, SchemeKeyMismatchIsRefused) {
  OpenSslProvider p;
  const Bytes msg = read_vector("message.txt");
  auto rsa = p.load_public_key(read_vector("rsa2048.spki.der"));
  auto pss = p.load_public_key(read_vector("rsapss2048.spki.der"));
  auto p256 = p.load_public_key(read_vector("p256.spki.der"));
  auto ed = p.load_public_key(read_vector("ed25519.spki.der"));
  ASSERT_TRUE(rsa.ok() && pss.ok() && p256.ok() && ed.ok());
  Bytes sig(64, 1);
  struct Mismatch {
    const PublicKey* key;
    SignatureScheme scheme;
  };
  const Mismatch cases[] = {
      {rsa->get(), S::ecdsa_secp256r1_sha256},
      {rsa->get(), S::ed25519},
      // RFC 8446 4.2.3: rsa_pss_pss_* needs an id-RSASSA-PSS key and
      // rsa_pss_rsae_* an rsaEncryption key.
      {rsa->get(), S::rsa_pss_pss_sha256},
      {pss->get(), S::rsa_pss_rsae_sha256},
      {pss->get(), S::rsa_pkcs1_sha256},
      {p256->get(), S::rsa_pss_rsae_sha256},
      {p256->get(), S::ed25519},
      {ed->get(), S::ecdsa_secp256r1_sha256},
      {ed->get(), S::rsa_pkcs1_sha256},
  };
  for (const auto& m : cases) {
    std::string what = std::string(key_type_name(m.key->type())) + " with " +
                       signature_scheme_name(static_cast<uint16_t>(m.scheme));
    EXPECT_FALSE(m.key->supports(m.scheme)) << what;
    expect_code(m.key->verify(m.scheme, msg, sig), ErrorCode::unsupported_algorithm, what);
  }
  // An unknown scheme value.
  EXPECT_FALSE((*rsa)->supports(static_cast<SignatureScheme>(0x0999)));
  expect_code((*rsa)->verify(static_cast<SignatureScheme>(0x0999), msg, sig),
              ErrorCode::unsupported_algorithm, "unknown scheme");
}

TEST(Signatures, Sha1SchemesAreUnsupported) {
  OpenSslProvider p;
  auto rsa = p.load_public_key(read_vector("rsa2048.spki.der"));
  auto ec = p.load_public_key(read_vector("p256.spki.der"));
  ASSERT_TRUE(rsa.ok() && ec.ok());
  EXPECT_FALSE((*rsa)->supports(S::rsa_pkcs1_sha1));
  EXPECT_FALSE((*ec)->supports(S::ecdsa_sha1));
  expect_code((*rsa)->verify(S::rsa_pkcs1_sha1, as_bytes_view("m"), Bytes(256)),
              ErrorCode::unsupported_algorithm, "rsa_pkcs1_sha1");
  expect_code((*ec)->verify(S::ecdsa_sha1, as_bytes_view("m"), Bytes(70)),
              ErrorCode::unsupported_algorithm, "ecdsa_sha1");
  auto key = p.load_private_key(read_vector("p256.traditional.pem"));
  ASSERT_TRUE(key.ok());
  auto s = (*key)->sign(S::ecdsa_sha1, as_bytes_view("m"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::unsupported_algorithm);
}

// TLS 1.2 and X.509 pair ECDSA hashes freely with curves: supports() follows
// TLS 1.3 (curve must match) but verify() accepts any ecdsa_* hash.
TEST(Signatures, EcdsaHashIndependentOfCurveForVerify) {
  OpenSslProvider p;
  auto key = p.load_private_key(read_vector("p256.traditional.pem"));
  ASSERT_TRUE(key.ok());
  auto pub = p.load_public_key((*key)->public_spki());
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE((*pub)->supports(S::ecdsa_secp256r1_sha256));
  EXPECT_FALSE((*pub)->supports(S::ecdsa_secp384r1_sha384));
  EXPECT_FALSE((*key)->supports(S::ecdsa_secp521r1_sha512));
  const ByteView msg = as_bytes_view("tbs certificate bytes");
  auto sig = (*key)->sign(S::ecdsa_secp384r1_sha384, msg);
  ASSERT_TRUE(sig.ok()) << sig.error().to_string();
  EXPECT_TRUE((*pub)->verify(S::ecdsa_secp384r1_sha384, msg, *sig).ok());
  // The hash really is SHA-384: checking it as SHA-256 fails.
  expect_code((*pub)->verify(S::ecdsa_secp256r1_sha256, msg, *sig), ErrorCode::signature_invalid,
              "SHA-384 signature checked as SHA-256");
}

TEST(PrivateKeys, EveryContainerLoadsAndMatchesItsPublicKey) {
  OpenSslProvider p;
  struct Container {
    const char* file;
    const char* spki;
    KeyType type;
  };
  const Container cases[] = {
      {"rsa2048.key.pem", "rsa2048.spki.der", KeyType::rsa},            // PKCS#8 PEM
      {"rsa2048.traditional.pem", "rsa2048.spki.der", KeyType::rsa},    // RSA PRIVATE KEY
      {"rsapss2048.key.pem", "rsapss2048.spki.der", KeyType::rsa_pss},  // PKCS#8 PEM
      {"p256.traditional.pem", "p256.spki.der", KeyType::ec_p256},      // EC PRIVATE KEY
      {"p384.key.der", "p384.spki.der", KeyType::ec_p384},              // PKCS#8 DER
      {"p521.key.pem", "p521.spki.der", KeyType::ec_p521},              // PKCS#8 PEM
      {"ed25519.key.pem", "ed25519.spki.der", KeyType::ed25519},        // PKCS#8 PEM
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    auto key = p.load_private_key(read_vector(c.file));
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    EXPECT_EQ((*key)->type(), c.type);
    EXPECT_EQ(to_hex((*key)->public_spki()), to_hex(read_vector(c.spki)));
  }
}

TEST(PrivateKeys, BadInputsAreRefused) {
  OpenSslProvider p;
  auto expect_invalid = [&](const Bytes& in, const char* what) {
    auto r = p.load_private_key(in);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code(), ErrorCode::invalid_key) << what;
    EXPECT_FALSE(r.error().message().empty());
  };
  expect_invalid(read_vector("p256.encrypted.pem"), "encrypted PKCS#8");
  expect_invalid({}, "empty");
  expect_invalid(Bytes{0x30, 0x03, 0x02, 0x01, 0x00}, "not a key");
  Bytes der = read_vector("p384.key.der");
  Bytes trailing = der;
  trailing.push_back(0);
  expect_invalid(trailing, "trailing byte after PKCS#8 DER");
  expect_invalid(Bytes(der.begin(), der.end() - 1), "truncated PKCS#8 DER");
  std::string pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  expect_invalid(Bytes(pem.begin(), pem.end()), "garbage PEM body");
}

TEST(PublicKeys, BadInputsAreRefused) {
  OpenSslProvider p;
  Bytes spki = read_vector("p256.spki.der");
  Bytes trailing = spki;
  trailing.push_back(0);
  auto r1 = p.load_public_key(trailing);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code(), ErrorCode::invalid_key);
  auto r2 = p.load_public_key(ByteView(spki).first(spki.size() - 1));
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code(), ErrorCode::invalid_key);
  auto r3 = p.load_public_key(read_vector("secp256k1.spki.der"));
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code(), ErrorCode::unsupported_algorithm);
  EXPECT_FALSE(p.load_public_key({}).ok());
}

// Named-curve P-256 / P-384 keys with an uncompressed point take a fast
// import path and every loaded key is cached by its SPKI bytes: a point off
// the curve is still refused (and stays refused when asked again), a
// compressed point still loads through the generic decoder, and loading the
// same SPKI again gives a key that behaves the same.
TEST(PublicKeys, FastEcImportAndCacheKeepBehaviour) {
  OpenSslProvider p;
  for (const char* name : {"p256.spki.der", "p384.spki.der"}) {
    Bytes spki = read_vector(name);
    Bytes off_curve = spki;
    off_curve.back() ^= 1;  // the last byte of Y: no longer on the curve
    for (int i = 0; i < 2; ++i) {
      auto bad = p.load_public_key(off_curve);
      ASSERT_FALSE(bad.ok()) << name;
      EXPECT_EQ(bad.error().code(), ErrorCode::invalid_key) << name;
    }
    for (int i = 0; i < 3; ++i) {
      auto k = p.load_public_key(spki);
      ASSERT_TRUE(k.ok()) << name << ": " << k.error().to_string();
      EXPECT_EQ(to_hex((*k)->spki()), to_hex(spki));
    }
  }
  // The fixed CLI signatures verify with keys loaded twice (cached second).
  for (const auto& f : kFixed) {
    for (int i = 0; i < 2; ++i) {
      auto k = p.load_public_key(read_vector(f.spki));
      ASSERT_TRUE(k.ok()) << f.spki;
      EXPECT_EQ((*k)->type(), f.type) << f.spki;
      EXPECT_EQ((*k)->bits(), f.bits) << f.spki;
      EXPECT_TRUE((*k)->verify(f.scheme, read_vector("message.txt"), read_vector(f.sig)).ok())
          << f.spki;
    }
  }
  // A compressed P-256 point (RFC 5480 2.2) is not on the fast path.
  auto key = p.generate_private_key({KeyType::ec_p256, 0});
  ASSERT_TRUE(key.ok());
  Bytes full = (*key)->public_spki();
  ASSERT_EQ(full.size(), 91u);
  const uint8_t y_last = full.back();
  Bytes compressed(full.begin(), full.begin() + 26 + 33);  // prefix, 02/03 || X
  compressed[1] = 0x39;                                    // SEQUENCE length 57
  compressed[24] = 0x22;                                   // BIT STRING length 34
  compressed[26] = static_cast<uint8_t>(0x02 | (y_last & 1));
  auto c = p.load_public_key(compressed);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ((*c)->type(), KeyType::ec_p256);
  auto sig = (*key)->sign(S::ecdsa_secp256r1_sha256, as_bytes_view("m"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE((*c)->verify(S::ecdsa_secp256r1_sha256, as_bytes_view("m"), *sig).ok());
}

// Every scheme a key supports signs and verifies; the signature fails under
// a changed message. Also checks to_pkcs8_pem() round-trips.
void round_trip_all_schemes(Provider& p, const PrivateKey& key) {
  static const SignatureScheme kSchemes[] = {S::rsa_pkcs1_sha256,
                                             S::rsa_pkcs1_sha384,
                                             S::rsa_pkcs1_sha512,
                                             S::rsa_pss_rsae_sha256,
                                             S::rsa_pss_rsae_sha384,
                                             S::rsa_pss_rsae_sha512,
                                             S::rsa_pss_pss_sha256,
                                             S::rsa_pss_pss_sha384,
                                             S::rsa_pss_pss_sha512,
                                             S::ecdsa_secp256r1_sha256,
                                             S::ecdsa_secp384r1_sha384,
                                             S::ecdsa_secp521r1_sha512,
                                             S::ed25519};
  auto pub = p.load_public_key(key.public_spki());
  ASSERT_TRUE(pub.ok()) << pub.error().to_string();
  EXPECT_EQ((*pub)->type(), key.type());
  EXPECT_EQ((*pub)->bits(), key.bits());
  int supported = 0;
  const ByteView msg = as_bytes_view("CertificateVerify content");
  for (SignatureScheme s : kSchemes) {
    std::string name = signature_scheme_name(static_cast<uint16_t>(s));
    EXPECT_EQ(key.supports(s), (*pub)->supports(s)) << name;
    if (!key.supports(s)) continue;
    ++supported;
    auto sig = key.sign(s, msg);
    ASSERT_TRUE(sig.ok()) << name << ": " << sig.error().to_string();
    EXPECT_TRUE((*pub)->verify(s, msg, *sig).ok()) << name;
    expect_code((*pub)->verify(s, as_bytes_view("CertificateVerify contenT"), *sig),
                ErrorCode::signature_invalid, name);
  }
  EXPECT_GE(supported, 1);
  auto pem = key.to_pkcs8_pem();
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  auto again = p.load_private_key(as_bytes_view(*pem));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(to_hex((*again)->public_spki()), to_hex(key.public_spki()));
}

TEST(PrivateKeys, SignVerifyRoundTripPerScheme) {
  OpenSslProvider p;
  for (const char* f : {"rsa2048.key.pem", "rsapss2048.key.pem", "p256.traditional.pem",
                        "p384.key.der", "p521.key.pem", "ed25519.key.pem"}) {
    SCOPED_TRACE(f);
    auto key = p.load_private_key(read_vector(f));
    ASSERT_TRUE(key.ok());
    round_trip_all_schemes(p, **key);
  }
}

// Ed25519 signatures are deterministic (RFC 8032): ours equals the CLI's.
TEST(PrivateKeys, Ed25519SignatureEqualsOpenSslCli) {
  OpenSslProvider p;
  auto key = p.load_private_key(read_vector("ed25519.key.pem"));
  ASSERT_TRUE(key.ok());
  auto sig = (*key)->sign(S::ed25519, read_vector("message.txt"));
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(to_hex(*sig), to_hex(read_vector("ed25519.sig")));
}

TEST(PrivateKeys, GenerationOfEachType) {
  OpenSslProvider p;
  struct Gen {
    KeyGenParams params;
    size_t bits;
  };
  const Gen cases[] = {
      {{KeyType::ec_p256, 0}, 256}, {{KeyType::ec_p384, 0}, 384}, {{KeyType::ec_p521, 0}, 521},
      {{KeyType::ed25519, 0}, 256}, {{KeyType::rsa, 2048}, 2048}, {{KeyType::rsa_pss, 2048}, 2048},
  };
  for (const auto& g : cases) {
    SCOPED_TRACE(key_type_name(g.params.type));
    auto key = p.generate_private_key(g.params);
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    EXPECT_EQ((*key)->type(), g.params.type);
    EXPECT_EQ((*key)->bits(), g.bits);
    round_trip_all_schemes(p, **key);
  }
  // Two generated keys differ.
  auto a = p.generate_private_key({KeyType::ec_p256, 0});
  auto b = p.generate_private_key({KeyType::ec_p256, 0});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(to_hex((*a)->public_spki()), to_hex((*b)->public_spki()));
  for (size_t bits : {size_t{1024}, size_t{2047}, size_t{4097}, size_t{8192}}) {
    auto r = p.generate_private_key({KeyType::rsa, bits});
    ASSERT_FALSE(r.ok()) << bits;
    EXPECT_EQ(r.error().code(), ErrorCode::config_invalid);
  }
}

}  // namespace
}  // namespace tessera::crypto
