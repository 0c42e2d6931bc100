// The peer's keyUsage in a handshake: a key that signs CertificateVerify (or
// a TLS 1.2 ServerKeyExchange) must have digitalSignature when its
// certificate has a keyUsage extension (RFC 8446 4.4.2.2 and 4.4.2.3, RFC
// 5246 7.4.2 and 7.4.6, RFC 5280 4.2.1.3), server and client, both versions.
#include <gtest/gtest.h>

#include "pair.h"
#include "x509/builder.h"
#include "x509/pem.h"

namespace tessera::testing {
namespace {

// leaf_with_usage is a P-256 credential for "localhost", for both server and
// client authentication, issued by the test CA with keyUsage `bits`.
std::shared_ptr<const Credential> leaf_with_usage(uint16_t bits) {
  auto& prov = *crypto::default_provider();
  auto ca_key = prov.load_private_key(as_bytes_view(read_pki("ca.key")));
  EXPECT_TRUE(ca_key.ok());
  auto key = prov.generate_private_key({crypto::KeyType::ec_p256, 0});
  EXPECT_TRUE(key.ok());
  if (!ca_key.ok() || !key.ok()) return nullptr;
  x509::CertificateBuilder b(prov);
  b.subject(*x509::Name::from_string("CN=localhost"))
      .validity(kTestNow - 86400, kTestNow + 86400)
      .leaf_for(x509::LeafRole::server_and_client)
      .key_usage(x509::KeyUsage{bits})
      .add_dns("localhost")
      .subject_public_key((*key)->public_spki());
  auto der = b.sign(pki_cert("ca.pem"), **ca_key);
  EXPECT_TRUE(der.ok()) << der.error().to_string();
  auto key_pem = (*key)->to_pkcs8_pem();
  EXPECT_TRUE(key_pem.ok());
  if (!der.ok() || !key_pem.ok()) return nullptr;
  auto c = Credential::from_pem(x509::pem_encode(x509::pem_label::kCertificate, *der), *key_pem);
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  return c.ok() ? std::make_shared<const Credential>(std::move(*c)) : nullptr;
}

constexpr uint16_t bit(x509::KeyUsageBit b) { return uint16_t(1u << static_cast<unsigned>(b)); }
constexpr uint16_t kKeyAgreementOnly = bit(x509::KeyUsageBit::key_agreement);
constexpr uint16_t kSigning =
    bit(x509::KeyUsageBit::digital_signature) | bit(x509::KeyUsageBit::key_agreement);

class PeerKeyUsage : public ::testing::TestWithParam<ProtocolVersion> {};

TEST_P(PeerKeyUsage, ServerKeyWithoutDigitalSignatureIsRefused) {
  for (uint16_t usage : {kSigning, kKeyAgreementOnly}) {
    auto cc = versioned_client_config(GetParam(), "");
    auto sc = server_config();
    sc->credentials = {leaf_with_usage(usage)};
    ASSERT_NE(sc->credentials[0], nullptr);
    Pair p = make_tls_pair(cc, sc);
    if (usage == kSigning) {
      EXPECT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
      continue;
    }
    EXPECT_FALSE(p.handshake());
    ASSERT_NE(p.client->error(), nullptr);
    EXPECT_EQ(p.client->error()->code(), ErrorCode::cert_bad_usage) << err(*p.client);
    EXPECT_NE(err(*p.client).find("digitalSignature"), std::string::npos) << err(*p.client);
    ASSERT_NE(p.server->error(), nullptr);
    EXPECT_NE(err(*p.server).find("unsupported_certificate"), std::string::npos) << err(*p.server);
  }
}

TEST_P(PeerKeyUsage, ClientKeyWithoutDigitalSignatureIsRefused) {
  for (uint16_t usage : {kSigning, kKeyAgreementOnly}) {
    auto cc = versioned_client_config(GetParam(), "");
    cc->credential = leaf_with_usage(usage);
    ASSERT_NE(cc->credential, nullptr);
    Pair p = make_tls_pair(cc, mtls_server_config());
    if (usage == kSigning) {
      EXPECT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
      EXPECT_TRUE(p.server->summary().client_authenticated);
      continue;
    }
    EXPECT_FALSE(p.handshake());
    ASSERT_NE(p.server->error(), nullptr);
    EXPECT_EQ(p.server->error()->code(), ErrorCode::cert_bad_usage) << err(*p.server);
    EXPECT_NE(err(*p.server).find("client certificate keyUsage lacks digitalSignature"),
              std::string::npos)
        << err(*p.server);
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, PeerKeyUsage,
                         ::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                         [](const ::testing::TestParamInfo<ProtocolVersion>& v) {
                           return v.param == ProtocolVersion::tls13 ? "Tls13" : "Tls12";
                         });

}  // namespace
}  // namespace tessera::testing
