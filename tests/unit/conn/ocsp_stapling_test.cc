// OCSP stapling in handshakes (RFC 6066 8; TLS 1.3: RFC 8446 4.4.2.1), in
// TLS 1.3 and TLS 1.2: ClientConfig::ocsp asks for the server's response and
// checks it; Credential::set_ocsp_response gives a server one to staple. The
// responses are made here for the test PKI (tests/vectors/pki) by its CA
// with x509::OcspResponseBuilder.
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
#include "x509/ocsp.h"
#include "x509/oid.h"
#include "x509/pem.h"

namespace tessera::testing {
namespace {

struct ResponseSpec {
  std::string about = "server-ec.pem";  // the certificate the response is about
  x509::OcspCertStatus status = x509::OcspCertStatus::good;
  int64_t this_update = kTestNow - 3600;
  std::optional<int64_t> next_update = kTestNow + 4 * 86400;
  bool forged = false;  // the signature's last byte changed
};

// response is a DER OCSPResponse signed by the test CA itself.
Bytes response(const ResponseSpec& spec) {
  auto& prov = *crypto::default_provider();
  auto key = prov.load_private_key(as_bytes_view(read_pki("ca.key")));
  EXPECT_TRUE(key.ok());
  x509::OcspResponseBuilder b(prov);
  b.produced_at(spec.this_update);
  const bool revoked = spec.status == x509::OcspCertStatus::revoked;
  b.add(pki_cert(spec.about), pki_cert("ca.pem"), spec.status, spec.this_update, spec.next_update,
        revoked ? spec.this_update - 86400 : 0,
        revoked ? std::optional<x509::CrlReason>(x509::CrlReason::key_compromise) : std::nullopt);
  auto der = b.sign(pki_cert("ca.pem"), **key);
  EXPECT_TRUE(der.ok()) << (der.ok() ? "" : der.error().to_string());
  if (spec.forged) der->back() ^= 0x01;  // the end of the signature
  return *der;
}

// stapling is the test server credential with a response set as it is,
// without set_ocsp_response's checks (to send the client what a careless or
// hostile server would).
std::shared_ptr<Credential> stapling(const Bytes& der, const std::string& cred = "server-ec") {
  auto c = std::make_shared<Credential>(*credential(cred));
  c->ocsp_response = der;
  c->ocsp_expires = kTestNow + 86400;
  return c;
}

class OcspStapling_ : public ::testing::TestWithParam<ProtocolVersion> {
 protected:
  std::shared_ptr<ClientConfig> client(OcspStapling mode) {
    auto c = client_config();
    c->policy.min_version = c->policy.max_version = GetParam();
    c->ocsp = mode;
    return c;
  }
  static std::shared_ptr<ServerConfig> server(std::shared_ptr<const Credential> cred) {
    auto s = server_config();
    s->credentials = {std::move(cred)};
    return s;
  }
  // refused runs a handshake the client must refuse with `code`, and
  // checks the alert the server was sent and the client's message.
  static void refused(Pair& p, ErrorCode code, AlertDescription alert, const std::string& says) {
    EXPECT_FALSE(p.pump());
    ASSERT_NE(p.client->error(), nullptr);
    EXPECT_EQ(p.client->error()->code(), code) << err(*p.client);
    EXPECT_EQ(p.client->error()->alert(), alert);
    EXPECT_NE(err(*p.client).find(says), std::string::npos) << err(*p.client);
    ASSERT_NE(p.server->error(), nullptr);
    EXPECT_EQ(p.server->error()->alert(), alert) << err(*p.server);
  }
};

TEST_P(OcspStapling_, AGoodStapledResponseIsCheckedAndReported) {
  for (OcspStapling mode : {OcspStapling::if_stapled, OcspStapling::require}) {
    Pair p = handshaken_pair(client(mode), server(stapling(response({}))));
    EXPECT_TRUE(p.server->summary().ocsp_stapled);
    EXPECT_TRUE(p.client->summary().ocsp_stapled);
    EXPECT_EQ(p.client->summary().peer_ocsp.rfind("good; thisUpdate ", 0), 0u)
        << p.client->summary().peer_ocsp;
    transfer(p, true, 1000);
  }
}

TEST_P(OcspStapling_, NotAskedNotStapled) {
  // A client that does not ask gets no response (and would refuse one: an
  // unsolicited status_request, see hostile_records_test).
  Pair p = handshaken_pair(client(OcspStapling::off), server(stapling(response({}))));
  EXPECT_FALSE(p.server->summary().ocsp_stapled);
  EXPECT_FALSE(p.client->summary().ocsp_stapled);
  EXPECT_TRUE(p.client->summary().peer_ocsp.empty());
}

TEST_P(OcspStapling_, RequireRefusesAServerThatStaplesNothing) {
  auto p = make_tls_pair(client(OcspStapling::require), server_config());
  refused(p, ErrorCode::cert_status_invalid, AlertDescription::bad_certificate_status_response,
          "server stapled no OCSP response for CN=localhost, and one is required");
  // if_stapled accepts the same server.
  Pair q = handshaken_pair(client(OcspStapling::if_stapled), server_config());
  EXPECT_FALSE(q.client->summary().ocsp_stapled);
}

TEST_P(OcspStapling_, ARevokedResponseRefusesTheServer) {
  auto p = make_tls_pair(client(OcspStapling::if_stapled),
                         server(stapling(response({.status = x509::OcspCertStatus::revoked}))));
  refused(p, ErrorCode::cert_revoked, AlertDescription::certificate_revoked, "was revoked at");
  EXPECT_NE(err(*p.client).find("keyCompromise"), std::string::npos) << err(*p.client);
}

TEST_P(OcspStapling_, AnUnusableResponseIsBadCertificateStatusResponse) {
  struct Case {
    ResponseSpec spec;
    std::string says;
  };
  const Case cases[] = {
      // About another certificate of the same CA.
      {{.about = "server-other.pem"}, "stapled OCSP response rejected"},
      {{.forged = true}, "stapled OCSP response rejected"},
      // Past its nextUpdate (more than the 5 minutes of skew).
      {{.this_update = kTestNow - 3 * 86400, .next_update = kTestNow - 86400},
       "stapled OCSP response rejected"},
      // The responder does not know the certificate.
      {{.status = x509::OcspCertStatus::unknown}, ""},
  };
  for (const Case& c : cases) {
    auto p = make_tls_pair(client(OcspStapling::if_stapled), server(stapling(response(c.spec))));
    refused(p, ErrorCode::cert_status_invalid, AlertDescription::bad_certificate_status_response,
            c.says);
  }
  // Bytes that are no OCSP response at all.
  auto p = make_tls_pair(client(OcspStapling::if_stapled), server(stapling(Bytes{0x30, 0x00})));
  refused(p, ErrorCode::cert_status_invalid, AlertDescription::bad_certificate_status_response,
          "stapled OCSP response rejected");
}

TEST_P(OcspStapling_, AnExpiredStapleIsNotSent) {
  auto cred = stapling(response({}));
  cred->ocsp_expires = kTestNow - 1;
  auto p = make_tls_pair(client(OcspStapling::require), server(cred));
  refused(p, ErrorCode::cert_status_invalid, AlertDescription::bad_certificate_status_response,
          "stapled no OCSP response");
  EXPECT_FALSE(p.server->summary().ocsp_stapled);
}

TEST_P(OcspStapling_, ResumptionNeedsNoResponse) {
  auto c = client(OcspStapling::require);
  c->session_store = std::make_shared<MemorySessionStore>();
  auto s = server(stapling(response({})));
  s->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  handshaken_pair(c, s);
  Pair resumed = handshaken_pair(c, s);
  EXPECT_TRUE(resumed.client->summary().resumed);
  EXPECT_FALSE(resumed.client->summary().ocsp_stapled);
}

// Paths a response must take as well: after a HelloRetryRequest (TLS 1.3),
// with RSA key transport (TLS 1.2: CertificateStatus then ServerHelloDone,
// no ServerKeyExchange), and signed by a responder the CA delegated to.
TEST(OcspStaplingPaths, AfterAHelloRetryRequest) {
  auto c = client_config();
  c->ocsp = OcspStapling::require;
  ASSERT_TRUE(c->policy.set_groups("x25519,secp384r1").ok());  // a share for x25519 only
  auto s = server_config();
  ASSERT_TRUE(s->policy.set_groups("secp384r1").ok());
  s->credentials = {stapling(response({}))};
  Pair p = handshaken_pair(c, s);
  EXPECT_TRUE(p.client->summary().hello_retry);
  EXPECT_TRUE(p.client->summary().ocsp_stapled);
  EXPECT_EQ(p.client->summary().peer_ocsp.rfind("good", 0), 0u);
}

TEST(OcspStaplingPaths, Tls12RsaKeyTransport) {
  Policy rsa = Policy::compat();
  rsa.min_version = rsa.max_version = ProtocolVersion::tls12;
  rsa.cipher_suites = {CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256};
  auto c = client_config();
  c->policy = rsa;
  c->ocsp = OcspStapling::require;
  auto s = server_config("server-rsa");
  s->policy = rsa;
  s->credentials = {stapling(response({.about = "server-rsa.pem"}), "server-rsa")};
  Pair p = handshaken_pair(c, s);
  EXPECT_EQ(p.client->summary().cipher_suite,
            static_cast<uint16_t>(CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256));
  EXPECT_TRUE(p.client->summary().ocsp_stapled);
  // And a revoked one is refused on that path too.
  s->credentials = {
      stapling(response({.about = "server-rsa.pem", .status = x509::OcspCertStatus::revoked}),
               "server-rsa")};
  auto q = make_tls_pair(c, s);
  EXPECT_FALSE(q.pump());
  ASSERT_NE(q.client->error(), nullptr);
  EXPECT_EQ(q.client->error()->code(), ErrorCode::cert_revoked) << err(*q.client);
}

// delegated_response is a "good" response about server-ec signed by a
// responder the test CA delegated to (serial 0x0c5b), with or without
// id-pkix-ocsp-nocheck.
Bytes delegated_response(bool nocheck = false) {
  auto& prov = *crypto::default_provider();
  auto ca_key = prov.load_private_key(as_bytes_view(read_pki("ca.key")));
  EXPECT_TRUE(ca_key.ok());
  auto responder_key = prov.generate_private_key({crypto::KeyType::ec_p256, 0});
  EXPECT_TRUE(responder_key.ok());
  x509::CertificateBuilder rb(prov);
  rb.subject(*x509::Name::from_string("CN=tessera test OCSP responder"))
      .serial({0x0c, 0x5b})
      .validity(kTestNow - 86400, kTestNow + 86400)
      .leaf_for(x509::LeafRole::server)
      .ext_key_usage({x509::oids::kOcspSigning})
      .subject_public_key((*responder_key)->public_spki());
  if (nocheck) rb.ocsp_nocheck();
  auto rder = rb.sign(pki_cert("ca.pem"), **ca_key);
  EXPECT_TRUE(rder.ok()) << rder.error().to_string();
  auto responder = x509::Certificate::parse(*rder);
  EXPECT_TRUE(responder.ok());
  EXPECT_EQ(responder->extensions().find(x509::oids::kOcspNoCheck) != nullptr, nocheck);
  x509::OcspResponseBuilder b(prov);
  b.produced_at(kTestNow - 60)
      .add(pki_cert("server-ec.pem"), pki_cert("ca.pem"), x509::OcspCertStatus::good, kTestNow - 60,
           kTestNow + 3600);
  auto der = b.sign(*responder, **responder_key);
  EXPECT_TRUE(der.ok()) << der.error().to_string();
  return *der;
}

// A CRL of the test CA listing `serials`.
std::shared_ptr<const x509::CrlSet> ca_crl(const std::vector<Bytes>& serials) {
  auto& prov = *crypto::default_provider();
  auto ca_key = prov.load_private_key(as_bytes_view(read_pki("ca.key")));
  EXPECT_TRUE(ca_key.ok());
  x509::CrlBuilder b(prov);
  b.this_update(kTestNow - 3600).next_update(kTestNow + 86400).crl_number(1);
  for (const Bytes& s : serials) b.revoke(s, kTestNow - 3600, x509::CrlReason::key_compromise);
  auto der = b.sign(pki_cert("ca.pem"), **ca_key);
  EXPECT_TRUE(der.ok()) << der.error().to_string();
  auto set = load_crls(x509::pem_encode(x509::pem_label::kCrl, *der));
  EXPECT_TRUE(set.ok()) << set.error().to_string();
  return *set;
}

TEST(OcspStaplingPaths, ADelegatedResponder) {
  const Bytes der = delegated_response();
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    auto c = client_config();
    c->policy.min_version = c->policy.max_version = v;
    c->ocsp = OcspStapling::require;
    auto s = server_config();
    s->credentials = {stapling(der)};
    Pair p = handshaken_pair(c, s);
    EXPECT_EQ(p.client->summary().peer_ocsp.rfind("good", 0), 0u) << p.client->summary().peer_ocsp;
  }
}

// RFC 6960 4.2.2.2.1: a client with CRLs checks a delegated responder's
// certificate against them too, unless it carries id-pkix-ocsp-nocheck.
TEST_P(OcspStapling_, ARevokedDelegatedResponderIsRefused) {
  auto c = client(OcspStapling::require);
  c->crl_check = CrlCheck::leaf;
  c->crls = ca_crl({{0x0c, 0x5b}});
  auto s = server(stapling(delegated_response()));
  auto p = make_tls_pair(c, s);
  refused(p, ErrorCode::cert_status_invalid, AlertDescription::bad_certificate_status_response,
          "lists the OCSP responder's certificate CN=tessera test OCSP responder");
  // Not listed: accepted, the CRL covering it.
  c->crls = ca_crl({{0x01, 0x02, 0x03}});
  Pair ok = handshaken_pair(c, s);
  EXPECT_EQ(ok.client->summary().peer_ocsp.rfind("good", 0), 0u);
  // Listed, but the CA said not to check it.
  c->crls = ca_crl({{0x0c, 0x5b}});
  Pair nocheck = handshaken_pair(c, server(stapling(delegated_response(/*nocheck=*/true))));
  EXPECT_EQ(nocheck.client->summary().peer_ocsp.rfind("good", 0), 0u);
}

// With verification disabled (debugging only) a response cannot be checked,
// but require still demands one.
TEST(OcspStaplingPaths, RequireWithoutVerification) {
  auto c = client_config();
  c->verify_peer = false;
  c->ocsp = OcspStapling::require;
  auto p = make_tls_pair(c, server_config());
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::cert_status_invalid) << err(*p.client);
  auto s = server_config();
  s->credentials = {stapling(response({}))};
  Pair q = handshaken_pair(c, s);
  EXPECT_EQ(q.client->summary().peer_ocsp, "stapled, NOT checked (verification disabled)");
}

// must_staple is a localhost certificate from the test CA for the server-ec
// key, with the RFC 7633 TLS feature status_request ("OCSP must-staple").
std::shared_ptr<Credential> must_staple() {
  auto& prov = *crypto::default_provider();
  auto ca_key = prov.load_private_key(as_bytes_view(read_pki("ca.key")));
  EXPECT_TRUE(ca_key.ok());
  const Credential base = *credential("server-ec");
  x509::CertificateBuilder b(prov);
  b.subject(*x509::Name::from_string("CN=localhost"))
      .validity(kTestNow - 86400, kTestNow + 86400)
      .subject_public_key(base.key->public_spki())
      .leaf_for(x509::LeafRole::server)
      .add_dns("localhost")
      .tls_feature({5});
  auto der = b.sign(pki_cert("ca.pem"), **ca_key);
  EXPECT_TRUE(der.ok()) << (der.ok() ? "" : der.error().to_string());
  auto cred = std::make_shared<Credential>(base);
  cred->chain = {*der};
  return cred;
}

// RFC 7633 4.2.3.1: a client that asked for the status does not accept a
// must-staple certificate without it; one that did not ask cannot expect it.
TEST_P(OcspStapling_, AMustStapleCertificateNeedsItsResponse) {
  auto p = make_tls_pair(client(OcspStapling::if_stapled), server(must_staple()));
  refused(p, ErrorCode::cert_status_invalid, AlertDescription::bad_certificate_status_response,
          "whose certificate requires one (RFC 7633 TLS feature status_request");
  Pair q = handshaken_pair(client(OcspStapling::off), server(must_staple()));
  EXPECT_FALSE(q.client->summary().ocsp_stapled);
  // With its response stapled it is accepted.
  auto cred = must_staple();
  auto leaf = x509::Certificate::parse(cred->chain[0]);
  ASSERT_TRUE(leaf.ok());
  auto& prov = *crypto::default_provider();
  auto ca_key = prov.load_private_key(as_bytes_view(read_pki("ca.key")));
  ASSERT_TRUE(ca_key.ok());
  x509::OcspResponseBuilder rb(prov);
  rb.produced_at(kTestNow - 60)
      .add(*leaf, pki_cert("ca.pem"), x509::OcspCertStatus::good, kTestNow - 60, kTestNow + 3600);
  auto der = rb.sign(pki_cert("ca.pem"), **ca_key);
  ASSERT_TRUE(der.ok()) << der.error().to_string();
  ASSERT_TRUE(cred->set_ocsp_response(prov, *der, kTestNow).ok());
  Pair r = handshaken_pair(client(OcspStapling::if_stapled), server(cred));
  EXPECT_TRUE(r.client->summary().ocsp_stapled);
}

INSTANTIATE_TEST_SUITE_P(Versions, OcspStapling_,
                         ::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                         [](const auto& param_info) {
                           return param_info.param == ProtocolVersion::tls13 ? "tls13" : "tls12";
                         });

// --- Credential::set_ocsp_response --------------------------------------------

TEST(OcspStaplingConfig, SetOcspResponseKeepsOnlyAGoodCurrentResponseAboutTheLeaf) {
  auto& prov = *crypto::default_provider();
  Credential leaf_only = *credential("server-ec");
  // The leaf alone: the serial and the dates are checked.
  const Bytes good = response({});
  ASSERT_TRUE(leaf_only.set_ocsp_response(prov, good, kTestNow).ok());
  EXPECT_EQ(leaf_only.ocsp_response, good);
  EXPECT_EQ(leaf_only.ocsp_expires, kTestNow + 4 * 86400);
  EXPECT_EQ(leaf_only.ocsp_staple(kTestNow).size(), good.size());
  EXPECT_TRUE(leaf_only.ocsp_staple(kTestNow + 5 * 86400).empty());

  auto refused = [&](const Credential& base, const Bytes& der, ErrorCode code,
                     const std::string& says) {
    Credential c = base;
    auto r = c.set_ocsp_response(prov, der, kTestNow);
    ASSERT_FALSE(r.ok()) << says;
    EXPECT_EQ(r.error().code(), code) << r.error().to_string();
    EXPECT_NE(r.error().to_string().find(says), std::string::npos) << r.error().to_string();
    EXPECT_EQ(c.ocsp_response, base.ocsp_response);  // a refused response changes nothing
  };
  Credential fresh = *credential("server-ec");
  refused(fresh, response({.about = "server-other.pem"}), ErrorCode::cert_status_invalid,
          "not about CN=localhost");
  refused(fresh, response({.status = x509::OcspCertStatus::revoked}), ErrorCode::cert_revoked,
          "revoked");
  refused(fresh, response({.this_update = kTestNow - 3 * 86400, .next_update = kTestNow - 86400}),
          ErrorCode::cert_status_invalid, "not current");
  refused(fresh, Bytes{0x30, 0x00}, ErrorCode::cert_status_invalid, "");

  // With the issuer in the chain the response is checked as a client will:
  // a forged signature is found too.
  Credential with_issuer = *credential("server-ec");
  auto ca = x509::pem_decode_label(read_pki("ca.pem"), x509::pem_label::kCertificate);
  ASSERT_TRUE(ca.ok());
  with_issuer.chain.push_back(ca->front());
  ASSERT_TRUE(with_issuer.set_ocsp_response(prov, good, kTestNow).ok());
  refused(with_issuer, response({.forged = true}), ErrorCode::cert_status_invalid, "");
  // The issuer is found by name and signature wherever it sits in the chain.
  Credential misordered = *credential("server-ec");
  auto other = x509::pem_decode_label(read_pki("server-other.pem"), x509::pem_label::kCertificate);
  ASSERT_TRUE(other.ok());
  misordered.chain = {misordered.chain[0], other->front(), ca->front()};
  ASSERT_TRUE(misordered.set_ocsp_response(prov, good, kTestNow).ok());
  refused(misordered, response({.forged = true}), ErrorCode::cert_status_invalid,
          "signature does not verify");
  // A response too large to staple (TLS 1.3 carries it in a 2^16-1 byte
  // extension) is refused before it is parsed.
  refused(fresh, Bytes(16385, 0x30), ErrorCode::config_invalid, "at most 16384 are stapled");
  Credential leaf_again = *credential("server-ec");
  EXPECT_TRUE(leaf_again.set_ocsp_response(prov, response({.forged = true}), kTestNow).ok())
      << "without the issuer the signature is the client's to check";
}

}  // namespace
}  // namespace tessera::testing
