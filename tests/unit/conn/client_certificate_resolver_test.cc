// Choosing the client certificate per CertificateRequest
// (ClientConfig::certificate_resolver, select_client_certificate): what the
// resolver sees in both versions and after the handshake, the choice by the
// server's certificate_authorities, declining, and a choice that does not fit.
#include <gtest/gtest.h>

#include "pair.h"
#include "x509/builder.h"
#include "x509/certificate.h"

namespace tessera::testing {
namespace {

// A client certificate from another CA (x509::make_local_pki): a client
// holding it and the test PKI's must pick the one the server's CA issued.
std::shared_ptr<const Credential> foreign_client(crypto::KeyType type = crypto::KeyType::ec_p256) {
  auto pki = x509::make_local_pki(*crypto::default_provider(), {type}, kTestNow);
  EXPECT_TRUE(pki.ok());
  auto key = pki->client.key_pem();
  auto cred = Credential::from_pem(pki->client.cert_pem(), *key);
  EXPECT_TRUE(cred.ok());
  return std::make_shared<Credential>(std::move(*cred));
}

Bytes ca_name() {
  const x509::Certificate ca = pki_cert("ca.pem");
  ByteView n = ca.subject().der();
  return Bytes(n.begin(), n.end());
}

// What a resolver saw, copied out of the view.
struct Seen {
  std::string server_name;
  ProtocolVersion version = ProtocolVersion::tls13;
  bool after_handshake = false;
  std::vector<Bytes> authorities;
  size_t schemes = 0;
  bool ours_fits = false, foreign_fits = false;
};

TEST(ClientCertificateResolver, PicksTheCertificateTheServersCaIssuedInBothVersions) {
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    SCOPED_TRACE(version_name(v));
    auto ours = credential("client-ec");
    auto foreign = foreign_client();
    // Either order: the foreign one is first in one of them.
    for (bool foreign_first : {true, false}) {
      auto cc = versioned_client_config(v, "");
      std::vector<Seen> seen;
      auto select = select_client_certificate(
          foreign_first ? std::vector<std::shared_ptr<const Credential>>{foreign, ours}
                        : std::vector<std::shared_ptr<const Credential>>{ours, foreign});
      cc->certificate_resolver = [&, select](const CertificateRequestView& r) {
        seen.push_back({std::string(r.server_name), r.version, r.after_handshake,
                        std::vector<Bytes>(r.authorities.begin(), r.authorities.end()),
                        r.signature_schemes.size(), r.fits(*ours), r.fits(*foreign)});
        return select(r);
      };
      std::vector<std::string> trace;
      Pair p = make_tls_pair(cc, mtls_server_config());
      p.client->set_trace([&](std::string_view l) { trace.emplace_back(l); });
      ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
      EXPECT_EQ(p.server->summary().peer_subject, "CN=tessera test client");
      ASSERT_EQ(seen.size(), 1u);
      EXPECT_EQ(seen[0].server_name, "localhost");
      EXPECT_EQ(seen[0].version, v);
      EXPECT_FALSE(seen[0].after_handshake);
      EXPECT_EQ(seen[0].authorities, std::vector<Bytes>{ca_name()});
      EXPECT_GT(seen[0].schemes, 0u);
      EXPECT_TRUE(seen[0].ours_fits);
      EXPECT_TRUE(seen[0].foreign_fits);  // it fits; it is not the CA's
      EXPECT_TRUE(std::any_of(trace.begin(), trace.end(), [](const std::string& l) {
        return l.find("certificate resolver chose CN=tessera test client") != std::string::npos;
      }));
    }
  }
}

TEST(ClientCertificateResolver, NoCertificateOfTheServersCaDeclines) {
  // Only a foreign certificate: select_client_certificate chooses none, the
  // client sends an empty Certificate, and a server that requires one says so.
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    SCOPED_TRACE(version_name(v));
    auto cc = versioned_client_config(v, "");
    cc->certificate_resolver = select_client_certificate({foreign_client()});
    Pair p = make_tls_pair(cc, mtls_server_config());
    EXPECT_FALSE(p.handshake());
    ASSERT_NE(p.server->error(), nullptr);
    EXPECT_EQ(p.server->error()->code(), ErrorCode::certificate_required) << err(*p.server);
  }
}

TEST(ClientCertificateResolver, TheResolverReplacesTheCredential) {
  // With a resolver, `credential` is not used: a resolver that declines
  // declines even though a credential is configured.
  auto cc = versioned_client_config(ProtocolVersion::tls13, "client-ec");
  int calls = 0;
  cc->certificate_resolver = [&](const CertificateRequestView&) {
    ++calls;
    return std::shared_ptr<const Credential>();
  };
  auto sc = mtls_server_config();
  sc->client_auth = ClientAuth::optional;
  Pair p = handshaken_pair(cc, sc);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(p.server->summary().client_authenticated);
}

TEST(ClientCertificateResolver, AChoiceThatDoesNotFitIsNotSent) {
  // The resolver returns an RSA certificate to a server whose policy takes
  // only ECDSA: the client declines rather than send what cannot verify.
  auto cc = versioned_client_config(ProtocolVersion::tls13, "");
  auto rsa = foreign_client(crypto::KeyType::rsa);
  bool fits = true;
  cc->certificate_resolver = [&](const CertificateRequestView& r) {
    fits = r.fits(*rsa);
    return rsa;
  };
  auto sc = mtls_server_config();
  sc->client_auth = ClientAuth::optional;
  sc->policy.signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256};
  Pair p = handshaken_pair(cc, sc);
  EXPECT_FALSE(fits);
  EXPECT_FALSE(p.server->summary().client_authenticated);
}

TEST(ClientCertificateResolver, AskedAgainAfterTheHandshake) {
  // A post-handshake request (RFC 8446 4.6.2) goes to the resolver too.
  auto cc = versioned_client_config(ProtocolVersion::tls13, "");
  cc->post_handshake_auth = true;
  std::vector<bool> after;
  auto select = select_client_certificate({foreign_client(), credential("client-ec")});
  cc->certificate_resolver = [&, select](const CertificateRequestView& r) {
    after.push_back(r.after_handshake);
    return select(r);
  };
  auto sc = server_config();
  sc->client_trust = trust();
  Pair p = handshaken_pair(cc, sc);
  EXPECT_TRUE(after.empty());
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(after, std::vector<bool>{true});
  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::received);
  EXPECT_EQ(p.server->summary().peer_subject, "CN=tessera test client");
}

TEST(SelectClientCertificate, ChoosesByFitThenAuthority) {
  auto ours = credential("client-ec");
  auto foreign = foreign_client();
  auto select = select_client_certificate({nullptr, foreign, ours});
  const Bytes ca = ca_name();
  CertificateRequestView r;
  // No authorities named: the first that fits.
  EXPECT_EQ(select(r), foreign);
  r.fits = [&](const Credential& c) { return &c != foreign.get(); };
  EXPECT_EQ(select(r), ours);
  r.fits = [](const Credential&) { return false; };
  EXPECT_EQ(select(r), nullptr);
  // Authorities named: only a chain one of them issued.
  r.fits = nullptr;
  std::vector<std::vector<uint8_t>> names = {Bytes{0x30, 0x00}, ca};
  r.authorities = names;
  EXPECT_EQ(select(r), ours);
  names.pop_back();
  r.authorities = names;
  EXPECT_EQ(select(r), nullptr);
  EXPECT_EQ(select_client_certificate({})(r), nullptr);
}

}  // namespace
}  // namespace tessera::testing
