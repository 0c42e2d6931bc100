// verify_with_leaf: a CertificateVerify (or TLS 1.2 ServerKeyExchange)
// signature checked with the peer's leaf key, by protocol version; and the
// alert for a leaf key that cannot be used.
#include "handshake/peer_verify.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "x509/certificate.h"

namespace tessera::handshake {
namespace {

std::string read_pki(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/pki/" + name, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Bytes read_crypto_vector(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/crypto/" + name, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A leaf whose key libcrypto cannot load is a bad certificate; one with a
// key type we do not support is an unsupported certificate (RFC 8446 6.2,
// RFC 5246 7.2.2), not internal_error or handshake_failure: the certificate
// chain verified, so only its key is at fault.
TEST(LoadLeafKey, AKeyThatCannotBeUsedIsTheCertificatesFault) {
  auto& prov = *crypto::default_provider();
  PeerChain chain;
  chain.subject = "CN=peer";
  chain.leaf_spki = read_crypto_vector("p256.spki.der");
  ASSERT_FALSE(chain.leaf_spki.empty());
  EXPECT_TRUE(load_leaf_key(prov, chain).ok());
  chain.leaf_spki.back() ^= 1;  // the last byte of Y: no longer on the curve
  auto off_curve = load_leaf_key(prov, chain);
  ASSERT_FALSE(off_curve.ok());
  EXPECT_EQ(off_curve.error().alert(), AlertDescription::bad_certificate)
      << off_curve.error().to_string();
  EXPECT_NE(off_curve.error().message().find("CN=peer"), std::string::npos);
  chain.leaf_spki = read_crypto_vector("secp256k1.spki.der");
  ASSERT_FALSE(chain.leaf_spki.empty());
  auto k1 = load_leaf_key(prov, chain);
  ASSERT_FALSE(k1.ok());
  EXPECT_EQ(k1.error().alert(), AlertDescription::unsupported_certificate)
      << k1.error().to_string();
  // verify_with_leaf loads it the same way.
  auto r = verify_with_leaf(prov, chain, SignatureScheme::ecdsa_secp256r1_sha256,
                            as_bytes_view("content"), as_bytes_view("signature"), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::unsupported_certificate);
}

// RFC 8446 4.2.3: in TLS 1.3 ecdsa_secp256r1_sha256 is P-256 with SHA-256
// only; in TLS 1.2 the same codepoint names the hash and fits any curve.
TEST(VerifyWithLeaf, Tls13BindsTheEcdsaSchemeToTheCurve) {
  auto& prov = *crypto::default_provider();
  auto certs = x509::parse_certificates(as_bytes_view(read_pki("server-p384.pem")));
  ASSERT_TRUE(certs.ok() && !certs->empty());
  PeerChain chain;
  ByteView spki = (*certs)[0].spki_der();
  chain.leaf_spki.assign(spki.begin(), spki.end());
  auto key = prov.load_private_key(as_bytes_view(read_pki("server-p384.key")));
  ASSERT_TRUE(key.ok());
  const std::string_view content = "the content a CertificateVerify signs";
  for (SignatureScheme scheme :
       {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384}) {
    auto sig = (*key)->sign(scheme, as_bytes_view(content));
    ASSERT_TRUE(sig.ok()) << sig.error().to_string();
    // TLS 1.2 takes either hash on the P-384 key.
    EXPECT_TRUE(verify_with_leaf(prov, chain, scheme, as_bytes_view(content), *sig, false).ok());
    auto r13 = verify_with_leaf(prov, chain, scheme, as_bytes_view(content), *sig, true);
    if (scheme == SignatureScheme::ecdsa_secp384r1_sha384) {
      EXPECT_TRUE(r13.ok()) << r13.error().to_string();
      // And a signature that does not verify is still decrypt_error.
      Bytes bad = *sig;
      bad[bad.size() / 2] ^= 1;
      auto r = verify_with_leaf(prov, chain, scheme, as_bytes_view(content), bad, true);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().alert(), AlertDescription::decrypt_error);
    } else {
      ASSERT_FALSE(r13.ok());
      EXPECT_EQ(r13.error().code(), ErrorCode::illegal_parameter) << r13.error().to_string();
      EXPECT_NE(r13.error().message().find("cannot make in TLS 1.3"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace tessera::handshake
