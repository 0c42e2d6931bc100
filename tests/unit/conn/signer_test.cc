// Credentials whose private key tessera does not hold (tessera/signer.h):
// a KeySigner standing in for an HSM, signing for servers and for clients
// in mutual TLS, checked at load, checked on every signature, and kept out of
// TLS 1.2 RSA key transport.
#include <gtest/gtest.h>

#include <atomic>

#include "pair.h"
#include "tessera/signer.h"

namespace tessera::testing {
namespace {

// TestSigner holds a key from the test PKI as an HSM would, counts its
// signatures, and can be told to fail or to return a corrupted signature.
class TestSigner final : public KeySigner {
 public:
  enum class Fault { none, error, corrupt };
  TestSigner(const std::string& key_file, std::vector<SignatureScheme> schemes)
      : schemes_(std::move(schemes)) {
    auto k = crypto::default_provider()->load_private_key(as_bytes_view(read_pki(key_file)));
    EXPECT_TRUE(k.ok()) << key_file;
    if (k.ok()) key_ = std::move(*k);
  }
  std::vector<SignatureScheme> schemes() const override { return schemes_; }
  Result<std::vector<uint8_t>> sign(SignatureScheme scheme,
                                    std::span<const uint8_t> message) const override {
    ++calls;
    last_scheme = scheme;
    if (fault == Fault::error) return Error(ErrorCode::io_error, "HSM unreachable");
    TESSERA_ASSIGN_OR_RETURN(Bytes sig, key_->sign(scheme, message));
    if (fault == Fault::corrupt) sig[sig.size() / 2] ^= 0x01;
    return sig;
  }

  mutable std::atomic<int> calls{0};
  mutable std::atomic<SignatureScheme> last_scheme{SignatureScheme::rsa_pkcs1_sha1};
  std::atomic<Fault> fault{Fault::none};

 private:
  std::vector<SignatureScheme> schemes_;
  std::unique_ptr<crypto::PrivateKey> key_;
};

constexpr SignatureScheme kP256 = SignatureScheme::ecdsa_secp256r1_sha256;

std::shared_ptr<const Credential> signer_credential(const std::string& base,
                                                    std::shared_ptr<const KeySigner> signer) {
  auto c = Credential::from_signer(read_pki(base + ".pem"), std::move(signer));
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().to_string());
  return c.ok() ? std::make_shared<const Credential>(std::move(*c)) : nullptr;
}

TEST(KeySigner, ServerSignsThroughItInTls13AndTls12) {
  auto signer = std::make_shared<TestSigner>("server-ec.key", std::vector{kP256});
  auto sc = server_config();
  sc->credentials = {signer_credential("server-ec", signer)};
  ASSERT_EQ(signer->calls, 1);  // the test signature of from_signer
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    const int before = signer->calls;
    Pair p = make_tls_pair(versioned_client_config(v, ""), sc);
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_EQ(p.client->summary().version, v);
    EXPECT_EQ(p.client->summary().peer_subject, "CN=localhost");
    // One signature per handshake: CertificateVerify, or ServerKeyExchange.
    EXPECT_EQ(signer->calls, before + 1);
    EXPECT_EQ(signer->last_scheme.load(), kP256);
    transfer(p, true, 1000);
  }
}

TEST(KeySigner, RsaKeySignsButIsNeverUsedForRsaKeyTransport) {
  auto signer = std::make_shared<TestSigner>(
      "server-rsa.key",
      std::vector{SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pkcs1_sha256});
  auto sc = server_config("server-rsa");
  sc->credentials = {signer_credential("server-rsa", signer)};
  Pair p13 = make_tls_pair(versioned_client_config(ProtocolVersion::tls13, ""), sc);
  ASSERT_TRUE(p13.handshake()) << err(*p13.client) << " / " << err(*p13.server);
  EXPECT_EQ(signer->last_scheme.load(), SignatureScheme::rsa_pss_rsae_sha256);
  // A TLS 1.2 client that offers only RSA key transport: a key held as a
  // file would serve it (the control); a signer's cannot decrypt.
  auto cc = versioned_client_config(ProtocolVersion::tls12, "");
  cc->policy.cipher_suites = {CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256};
  auto file_sc = server_config("server-rsa");
  file_sc->policy.cipher_suites.push_back(CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256);
  sc->policy.cipher_suites = file_sc->policy.cipher_suites;
  Pair control = make_tls_pair(cc, file_sc);
  ASSERT_TRUE(control.handshake()) << err(*control.client) << " / " << err(*control.server);
  Pair p = make_tls_pair(cc, sc);
  EXPECT_FALSE(p.handshake());
  ASSERT_TRUE(p.server->error());
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::handshake_failure) << err(*p.server);
  // With ECDHE offered too, the signer's credential signs the key exchange.
  cc->policy.cipher_suites.push_back(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
  const int before = signer->calls;
  Pair ecdhe = make_tls_pair(cc, sc);
  ASSERT_TRUE(ecdhe.handshake()) << err(*ecdhe.client) << " / " << err(*ecdhe.server);
  EXPECT_EQ(ecdhe.client->summary().cipher_suite,
            static_cast<uint16_t>(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
  EXPECT_EQ(signer->calls, before + 1);
}

TEST(KeySigner, ClientCertificateInMutualTls) {
  auto signer = std::make_shared<TestSigner>("client-ec.key", std::vector{kP256});
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    auto cc = versioned_client_config(v, "");
    cc->credential = signer_credential("client-ec", signer);
    const int before = signer->calls;
    Pair p = make_tls_pair(cc, mtls_server_config());
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_TRUE(p.server->summary().client_authenticated);
    EXPECT_EQ(signer->calls, before + 1);
  }
}

TEST(KeySigner, LoadRefusesAnotherKeyOrNoUsableScheme) {
  // The signer holds the client's key, not the server certificate's.
  auto c = Credential::from_signer(
      read_pki("server-ec.pem"), std::make_shared<TestSigner>("client-ec.key", std::vector{kP256}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(c.error().message().find("does not match the certificate CN=localhost"),
            std::string::npos)
      << c.error().to_string();
  // Only schemes a P-256 key cannot make.
  c = Credential::from_signer(
      read_pki("server-ec.pem"),
      std::make_shared<TestSigner>("server-ec.key",
                                   std::vector{SignatureScheme::rsa_pss_rsae_sha256,
                                               SignatureScheme::ecdsa_secp384r1_sha384}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(c.error().message().find("rsa_pss_rsae_sha256, ecdsa_secp384r1_sha384"),
            std::string::npos)
      << c.error().to_string();
  // A signer that fails its test signature; none at all; no certificate.
  auto failing = std::make_shared<TestSigner>("server-ec.key", std::vector{kP256});
  failing->fault = TestSigner::Fault::error;
  c = Credential::from_signer(read_pki("server-ec.pem"), failing);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().to_string().find("HSM unreachable"), std::string::npos)
      << c.error().to_string();
  EXPECT_FALSE(Credential::from_signer(read_pki("server-ec.pem"), nullptr).ok());
  EXPECT_FALSE(
      Credential::from_signer("", std::make_shared<TestSigner>("server-ec.key", std::vector{kP256}))
          .ok());
  // The key is not exportable.
  auto ok = signer_credential("server-ec",
                              std::make_shared<TestSigner>("server-ec.key", std::vector{kP256}));
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ok->key->to_pkcs8_pem().ok());
}

TEST(KeySigner, FailingOrCorruptSignatureFailsTheHandshakeUnsent) {
  for (auto fault : {TestSigner::Fault::error, TestSigner::Fault::corrupt}) {
    auto signer = std::make_shared<TestSigner>("server-ec.key", std::vector{kP256});
    auto sc = server_config();
    sc->credentials = {signer_credential("server-ec", signer)};
    signer->fault = fault;
    Pair p = make_tls_pair(client_config(), sc);
    EXPECT_FALSE(p.handshake());
    ASSERT_TRUE(p.server->error());
    EXPECT_EQ(p.server->error()->code(), ErrorCode::internal_error);
    EXPECT_NE(err(*p.server).find(fault == TestSigner::Fault::error
                                      ? "the key signer failed to sign"
                                      : "does not verify with the certificate's key"),
              std::string::npos)
        << err(*p.server);
    // The client got internal_error, not a signature to reject.
    ASSERT_TRUE(p.client->error());
    EXPECT_EQ(p.client->error()->code(), ErrorCode::peer_alert) << err(*p.client);
    EXPECT_NE(err(*p.client).find("internal_error"), std::string::npos) << err(*p.client);
  }
}

}  // namespace
}  // namespace tessera::testing
