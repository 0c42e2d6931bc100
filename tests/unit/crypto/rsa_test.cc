// RSA key transport (src/crypto/openssl/rsa.cc): PKCS#1 v1.5 encryption and
// decryption with implicit rejection (RFC 5246 7.4.7.1).
#include <gtest/gtest.h>

#include <sstream>

#include "crypto_test_util.h"

namespace tessera::crypto {
namespace {

using testing::H;
using testing::hex_of;
using testing::read_vector;

SecretBytes fallback_bytes() {
  Bytes f(48);
  for (size_t i = 0; i < f.size(); ++i) f[i] = static_cast<uint8_t>(0xa0 + i);
  return SecretBytes(f);
}

TEST(RsaKeyTransport, EncryptThenDecryptPremaster) {
  OpenSslProvider p;
  auto key = p.load_private_key(read_vector("rsa2048.key.pem"));
  auto pub = p.load_public_key(read_vector("rsa2048.spki.der"));
  ASSERT_TRUE(key.ok() && pub.ok());
  Bytes premaster(48);
  p.random(premaster);
  premaster[0] = 0x03;
  premaster[1] = 0x03;
  auto ct = p.rsa_encrypt_pkcs1(**pub, premaster);
  ASSERT_TRUE(ct.ok()) << ct.error().to_string();
  EXPECT_EQ(ct->size(), 256u);
  SecretBytes fb = fallback_bytes();
  auto pm = (*key)->rsa_decrypt_premaster(*ct, 0x0303, fb);
  ASSERT_TRUE(pm.ok());
  EXPECT_EQ(hex_of(*pm), to_hex(premaster));
  // Same ciphertext, a different client_version: the fallback, no error.
  auto other = (*key)->rsa_decrypt_premaster(*ct, 0x0302, fb);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(hex_of(*other), hex_of(fb));
  // PKCS#1 v1.5 encryption is randomized.
  auto ct2 = p.rsa_encrypt_pkcs1(**pub, premaster);
  ASSERT_TRUE(ct2.ok());
  EXPECT_NE(to_hex(*ct), to_hex(*ct2));
}

// Hand-built encryption blocks (tests/vectors/crypto/gen_rsa_key_transport.py):
// only the valid one decrypts; every malformed block yields exactly the
// fallback, with no error and the same length.
TEST(RsaKeyTransport, MalformedBlocksYieldExactlyTheFallback) {
  OpenSslProvider p;
  auto key = p.load_private_key(read_vector("rsa2048.key.pem"));
  ASSERT_TRUE(key.ok());
  Bytes file = read_vector("rsa_key_transport.txt");
  std::istringstream lines(std::string(file.begin(), file.end()));
  std::string name, expect, version, premaster, ciphertext;
  SecretBytes fb = fallback_bytes();
  int count = 0, valid = 0;
  while (lines >> name >> expect >> version >> premaster >> ciphertext) {
    SCOPED_TRACE(name);
    ++count;
    auto v = H(version);
    ASSERT_EQ(v.size(), 2u);
    auto r =
        (*key)->rsa_decrypt_premaster(H(ciphertext), static_cast<uint16_t>(v[0] << 8 | v[1]), fb);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    ASSERT_EQ(r->size(), 48u);
    if (expect == "premaster") {
      ++valid;
      EXPECT_EQ(hex_of(*r), premaster);
    } else {
      EXPECT_EQ(expect, "fallback");
      EXPECT_EQ(hex_of(*r), hex_of(fb));
    }
  }
  EXPECT_EQ(count, 9);
  EXPECT_EQ(valid, 1);
}

TEST(RsaKeyTransport, PubliclyBadCiphertextsYieldTheFallback) {
  OpenSslProvider p;
  auto key = p.load_private_key(read_vector("rsa2048.key.pem"));
  ASSERT_TRUE(key.ok());
  SecretBytes fb = fallback_bytes();
  for (const Bytes& ct : {Bytes(255, 0x11), Bytes(257, 0x11), Bytes(256, 0xff), Bytes()}) {
    auto r = (*key)->rsa_decrypt_premaster(ct, 0x0303, fb);
    ASSERT_TRUE(r.ok()) << ct.size();
    EXPECT_EQ(hex_of(*r), hex_of(fb));
  }
}

TEST(RsaKeyTransport, MisuseIsAnError) {
  OpenSslProvider p;
  auto rsa = p.load_private_key(read_vector("rsa2048.key.pem"));
  auto ec = p.load_private_key(read_vector("p256.traditional.pem"));
  auto ec_pub = p.load_public_key(read_vector("p256.spki.der"));
  auto pss_pub = p.load_public_key(read_vector("rsapss2048.spki.der"));
  ASSERT_TRUE(rsa.ok() && ec.ok() && ec_pub.ok() && pss_pub.ok());
  SecretBytes fb = fallback_bytes();
  auto r1 = (*ec)->rsa_decrypt_premaster(Bytes(256), 0x0303, fb);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code(), ErrorCode::unsupported_algorithm);
  SecretBytes short_fb(Bytes(47, 1));
  EXPECT_FALSE((*rsa)->rsa_decrypt_premaster(Bytes(256), 0x0303, short_fb).ok());
  auto e1 = p.rsa_encrypt_pkcs1(**ec_pub, Bytes(48));
  ASSERT_FALSE(e1.ok());
  EXPECT_EQ(e1.error().code(), ErrorCode::unsupported_algorithm);
  EXPECT_FALSE(p.rsa_encrypt_pkcs1(**pss_pub, Bytes(48)).ok());
}

}  // namespace
}  // namespace tessera::crypto
