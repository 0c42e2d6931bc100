// Revocation during handshakes: ClientConfig::crls / ServerConfig::client_crls
// (RFC 5280 6.3 through x509::verify_chain), in TLS 1.3 and TLS 1.2. The
// CRLs are issued here by the test PKI's CA (tests/vectors/pki) with
// x509::CrlBuilder and loaded through the public load_crls.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "pair.h"
#include "tessera/config.h"
#include "tessera/session.h"
#include "x509/builder.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/pem.h"

namespace tessera::testing {
namespace {

Bytes serial_of(const std::string& name) {
  x509::Certificate c = pki_cert(name);
  return Bytes(c.serial().begin(), c.serial().end());
}

struct CrlSpec {
  std::vector<std::string> revoked;  // certificates of the test PKI, e.g. "client-ec.pem"
  int64_t this_update = kTestNow - 86400;
  int64_t next_update = kTestNow + 7 * 86400;
  bool forged = false;  // the signature's last byte changed: a forgery in the CA's name
};

// crl_pem is a CRL in the name of the test CA.
std::string crl_pem(const CrlSpec& spec) {
  auto& prov = *crypto::default_provider();
  auto key = prov.load_private_key(as_bytes_view(read_pki("ca.key")));
  EXPECT_TRUE(key.ok());
  x509::CrlBuilder b(prov);
  b.this_update(spec.this_update).next_update(spec.next_update).crl_number(7);
  for (const std::string& r : spec.revoked)
    b.revoke(serial_of(r), spec.this_update, x509::CrlReason::key_compromise);
  auto der = b.sign(pki_cert("ca.pem"), **key);
  EXPECT_TRUE(der.ok()) << (der.ok() ? "" : der.error().to_string());
  if (spec.forged) der->back() ^= 0x01;  // the end of signatureValue
  return x509::pem_encode(x509::pem_label::kCrl, *der);
}

std::shared_ptr<const x509::CrlSet> crls(const CrlSpec& spec) {
  auto set = load_crls(crl_pem(spec));
  EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().to_string());
  return *set;
}

class Revocation : public ::testing::TestWithParam<ProtocolVersion> {
 protected:
  std::shared_ptr<ClientConfig> client(const std::string& cred = "client-ec") {
    return versioned_client_config(GetParam(), cred);
  }
  std::shared_ptr<ServerConfig> mtls_server() { return mtls_server_config(); }
};

TEST_P(Revocation, ServerRefusesARevokedClientCertificate) {
  auto s = mtls_server();
  s->client_crls = crls({{"client-ec.pem"}});
  auto p = make_tls_pair(client(), s);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::cert_revoked) << err(*p.server);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::certificate_revoked);
  EXPECT_NE(err(*p.server).find("client certificate rejected"), std::string::npos);
  EXPECT_NE(err(*p.server).find("(CN=tessera test client) was revoked at"), std::string::npos)
      << err(*p.server);
  EXPECT_NE(err(*p.server).find("keyCompromise"), std::string::npos);
  // The client is told why (RFC 8446 6.2 certificate_revoked).
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::certificate_revoked) << err(*p.client);
}

TEST_P(Revocation, ServerAcceptsAClientTheCrlDoesNotList) {
  auto s = mtls_server();
  s->client_crls = crls({{"server-other.pem"}});
  Pair p = handshaken_pair(client(), s);
  EXPECT_TRUE(p.server->summary().client_authenticated);
  transfer(p, true, 1000);
}

TEST_P(Revocation, ChainModeRefusesAClientWithoutAUsableCrl) {
  auto s = mtls_server();
  // Expired a day before the handshake: not usable (RFC 5280 6.3.3 (a)).
  s->client_crls = crls({{}, kTestNow - 8 * 86400, kTestNow - 86400});
  auto p = make_tls_pair(client(), s);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::cert_revocation_unknown) << err(*p.server);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::certificate_unknown);
  EXPECT_NE(err(*p.server).find("has no usable CRL from its issuer CN=tessera test CA: CRL from "
                                "CN=tessera test CA expired"),
            std::string::npos)
      << err(*p.server);
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::certificate_unknown);

  // Leaf mode asks the same of the leaf (the only certificate below the CA);
  // best effort accepts it.
  s->client_crl_check = CrlCheck::leaf;
  auto q = make_tls_pair(client(), s);
  EXPECT_FALSE(q.pump());
  ASSERT_NE(q.server->error(), nullptr);
  EXPECT_EQ(q.server->error()->code(), ErrorCode::cert_revocation_unknown);
  s->client_crl_check = CrlCheck::best_effort;
  Pair r = handshaken_pair(client(), s);
  EXPECT_TRUE(r.server->summary().client_authenticated);
}

TEST_P(Revocation, AForgedCrlNeitherRevokesNorVouches) {
  auto s = mtls_server();
  // In the CA's name, with a signature that does not verify.
  s->client_crls = crls({{"client-ec.pem"}, kTestNow - 86400, kTestNow + 86400, true});
  s->client_crl_check = CrlCheck::best_effort;
  Pair p = handshaken_pair(client(), s);
  EXPECT_TRUE(p.server->summary().client_authenticated);
  s->client_crl_check = CrlCheck::chain;
  auto q = make_tls_pair(client(), s);
  EXPECT_FALSE(q.pump());
  ASSERT_NE(q.server->error(), nullptr);
  EXPECT_EQ(q.server->error()->code(), ErrorCode::cert_revocation_unknown);
  EXPECT_NE(err(*q.server).find("signature does not verify"), std::string::npos) << err(*q.server);
}

TEST_P(Revocation, ClientRefusesARevokedServerCertificate) {
  auto c = client_config();
  c->policy.min_version = c->policy.max_version = GetParam();
  c->crls = crls({{"server-ec.pem"}});
  auto p = make_tls_pair(c, server_config());
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::cert_revoked) << err(*p.client);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::certificate_revoked);
  EXPECT_NE(err(*p.client).find("server certificate rejected"), std::string::npos);
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::certificate_revoked);

  // The same CRL with another server certificate of the CA: accepted, and
  // the CRL's signature is remembered for the CA's key.
  auto sv = server_config("server-rsa");
  Pair q = handshaken_pair(c, sv);
  EXPECT_TRUE(c->crls->verified_with(0, pki_cert("ca.pem").spki_der()));
  Pair q2 = handshaken_pair(c, sv);
  transfer(q2, false, 100);
}

// Resumption: tickets carry the client certificate's issuer and serial, so a
// server whose CRLs now list it (or no longer establish its status) does not
// resume the session: the full handshake that follows refuses the certificate.
TEST_P(Revocation, ARevokedClientDoesNotResume) {
  Resuming r(client(), mtls_server());
  r.sc->client_crls = crls({{"server-other.pem"}});
  handshaken_pair(r.cc, r.sc);
  Pair resumed = handshaken_pair(r.cc, r.sc);
  ASSERT_TRUE(resumed.server->summary().resumed);
  EXPECT_TRUE(resumed.server->summary().client_authenticated);

  // The same ticket keys, and a CRL that now lists the client.
  auto sc2 = std::make_shared<ServerConfig>(*r.sc);
  sc2->client_crls = crls({{"client-ec.pem"}});
  auto p = make_tls_pair(r.cc, sc2);
  EXPECT_FALSE(p.pump());
  EXPECT_FALSE(p.server->summary().resumed);
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::cert_revoked) << err(*p.server);
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::certificate_revoked);
}

TEST_P(Revocation, AClientWhoseCrlExpiredResumesOnlyInBestEffort) {
  Resuming r(client(), mtls_server());
  r.sc->client_crls = crls({{}});
  handshaken_pair(r.cc, r.sc);

  auto sc2 = std::make_shared<ServerConfig>(*r.sc);
  sc2->client_crls = crls({{}, kTestNow - 8 * 86400, kTestNow - 86400});
  auto p = make_tls_pair(r.cc, sc2);
  EXPECT_FALSE(p.pump());
  EXPECT_FALSE(p.server->summary().resumed);
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::cert_revocation_unknown) << err(*p.server);

  // best_effort: nothing lists the client, so the ticket is honoured.
  handshaken_pair(r.cc, r.sc);  // a fresh ticket (the refused one was used)
  sc2->client_crl_check = CrlCheck::best_effort;
  Pair q = handshaken_pair(r.cc, sc2);
  EXPECT_TRUE(q.server->summary().resumed);
}

TEST(RevocationConfig, LoadCrlsRefusesWhatIsNotACrl) {
  auto none = load_crls(read_pki("ca.pem"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::cert_parse);
  auto junk = load_crls("not a CRL");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code(), ErrorCode::cert_parse);
  // Two CRLs in one text (two files' contents concatenated).
  auto two = load_crls(crl_pem({{"client-ec.pem"}}) + crl_pem({{}}));
  ASSERT_TRUE(two.ok()) << two.error().to_string();
  EXPECT_EQ((*two)->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Versions, Revocation,
                         ::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                         [](const auto& param_info) {
                           return param_info.param == ProtocolVersion::tls13 ? "tls13" : "tls12";
                         });

}  // namespace
}  // namespace tessera::testing
