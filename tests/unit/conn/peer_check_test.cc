// PeerCheck (ClientConfig::peer_check, ServerConfig::peer_check) and
// allow_peers in memory: what the check sees, where it runs, the
// access_denied alert a refusal sends, resumption gated by the check, and
// external PSKs.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "base/hex.h"
#include "handshake/peer_verify.h"
#include "pair.h"
#include "tessera/config.h"
#include "tessera/session.h"
#include "x509/pem.h"

namespace tessera::testing {
namespace {

// Recorder: a PeerCheck that remembers what it saw and answers as told.
struct Recorder {
  std::vector<PeerIdentity> seen;  // chain spans cleared: they do not outlive the call
  std::vector<size_t> chain_sizes;
  bool allow = true;
  PeerCheck check() {
    return [this](const PeerIdentity& p) -> Result<void> {
      PeerIdentity copy = p;
      chain_sizes.push_back(p.chain.size());
      copy.chain = {};
      seen.push_back(std::move(copy));
      if (allow) return ok();
      return Error(ErrorCode::access_denied, "not on the list");
    };
  }
};

PeerCheck allowing(const std::vector<std::string>& allowed) {
  auto c = allow_peers(allowed);
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  return *c;
}

std::vector<uint8_t> spki_sha256_of(const std::string& pem) {
  x509::Certificate c = pki_cert(pem);
  return crypto::default_provider()->digest(HashAlgorithm::sha256, c.spki_der());
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class PeerCheckTest : public ::testing::TestWithParam<ProtocolVersion> {
 protected:
  ProtocolVersion version() const { return GetParam(); }
  std::shared_ptr<ClientConfig> client(bool with_cert = true) {
    return versioned_client_config(version(), with_cert ? "client-ec" : "");
  }
  std::shared_ptr<ServerConfig> mtls_server() { return mtls_server_config(); }
};

TEST_P(PeerCheckTest, ClientSeesTheServersVerifiedIdentity) {
  Recorder r;
  auto c = client(false);
  c->peer_check = r.check();
  Pair p = handshaken_pair(c, server_config());
  ASSERT_EQ(r.seen.size(), 1u);
  const PeerIdentity& id = r.seen[0];
  EXPECT_TRUE(id.peer_is_server);
  EXPECT_EQ(id.version, version());
  EXPECT_FALSE(id.resumed);
  EXPECT_EQ(id.server_name, "localhost");
  EXPECT_EQ(id.subject, "CN=localhost");
  EXPECT_EQ(id.common_name, "localhost");
  EXPECT_EQ(id.names, (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
  EXPECT_EQ(id.spki_sha256, spki_sha256_of("server-ec.pem"));
  EXPECT_EQ(id.verified_by, p.client->summary().peer_verified_by);
  EXPECT_FALSE(id.verified_by.empty());
  EXPECT_EQ(r.chain_sizes[0], p.client->summary().peer_chain.size());
  EXPECT_TRUE(id.psk_identity.empty());
}

TEST_P(PeerCheckTest, ClientRefusalIsAccessDeniedBeforeItsCertificateGoesOut) {
  Recorder r;
  r.allow = false;
  auto c = client();
  c->peer_check = r.check();
  auto p = make_tls_pair(c, mtls_server());
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::access_denied) << err(*p.client);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::access_denied);
  EXPECT_NE(err(*p.client).find("the peer check refused the server CN=localhost [DNS:localhost, "
                                "IP:127.0.0.1, IP:::1]: not on the list"),
            std::string::npos)
      << err(*p.client);
  // The server is told (RFC 8446 6.2) and never saw our certificate.
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::peer_alert) << err(*p.server);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::access_denied);
  EXPECT_TRUE(p.server->summary().peer_chain.empty());
  EXPECT_FALSE(p.server->summary().client_authenticated);
}

TEST_P(PeerCheckTest, ServerSeesTheClientsVerifiedIdentity) {
  Recorder r;
  auto s = mtls_server();
  s->peer_check = r.check();
  Pair p = handshaken_pair(client(), s);
  ASSERT_EQ(r.seen.size(), 1u);
  const PeerIdentity& id = r.seen[0];
  EXPECT_FALSE(id.peer_is_server);
  EXPECT_EQ(id.version, version());
  EXPECT_EQ(id.server_name, "localhost");
  EXPECT_EQ(id.subject, "CN=tessera test client");
  EXPECT_EQ(id.common_name, "tessera test client");
  EXPECT_TRUE(id.names.empty());
  EXPECT_EQ(id.spki_sha256, spki_sha256_of("client-ec.pem"));
  EXPECT_EQ(r.chain_sizes[0], p.server->summary().peer_chain.size());
  transfer(p, true, 1000);
}

TEST_P(PeerCheckTest, ServerRefusalIsAccessDenied) {
  auto s = mtls_server();
  s->peer_check = allowing({"CN:someone else", "DNS:tessera test client"});
  auto p = make_tls_pair(client(), s);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::access_denied) << err(*p.server);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::access_denied);
  EXPECT_NE(err(*p.server).find("refused the client CN=tessera test client: not among the 2 "
                                "allowed peer(s), spki-sha256:" +
                                x509::base64_encode(spki_sha256_of("client-ec.pem"))),
            std::string::npos)
      << err(*p.server);
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::access_denied) << err(*p.client);
  // TLS 1.2: the check runs before the server's Finished.
  if (version() == ProtocolVersion::tls12) {
    EXPECT_FALSE(p.client->is_handshake_done());
  }
}

TEST_P(PeerCheckTest, AnonymousClientsAreNotChecked) {
  Recorder r;
  auto s = server_config();  // ClientAuth::none
  s->peer_check = r.check();
  handshaken_pair(client(), s);
  s->client_auth = ClientAuth::optional;
  s->client_trust = trust();
  handshaken_pair(client(false), s);
  EXPECT_TRUE(r.seen.empty());
}

TEST_P(PeerCheckTest, AllowPeersMatchesEachKindOfName) {
  const std::string pin = x509::base64_encode(spki_sha256_of("server-ec.pem"));
  const std::string hex_pin = to_hex(spki_sha256_of("server-ec.pem"));
  for (const std::string& entry : {std::string("DNS:LocalHost"), std::string("IP:127.0.0.1"),
                                   std::string("IP:0:0:0:0:0:0:0:1"), std::string("CN:localhost"),
                                   "spki-sha256:" + pin, "spki-sha256:" + hex_pin}) {
    auto c = client(false);
    c->peer_check = allowing({"DNS:other.example", entry});
    Pair p = handshaken_pair(c, server_config());
    EXPECT_TRUE(p.client->is_handshake_done()) << entry;
  }
  // Exact matches only: no suffixes, prefixes or other kinds of name.
  for (const std::string& entry :
       {std::string("DNS:host"), std::string("DNS:localhost."), std::string("URI:localhost"),
        std::string("email:localhost"), std::string("CN:LOCALHOST"), std::string("IP:127.0.0.2"),
        std::string("psk:localhost"), "spki-sha256:" + x509::base64_encode(Bytes(32, 1))}) {
    auto c = client(false);
    c->peer_check = allowing({entry});
    auto p = make_tls_pair(c, server_config());
    EXPECT_FALSE(p.pump()) << entry;
    ASSERT_NE(p.client->error(), nullptr);
    EXPECT_EQ(p.client->error()->code(), ErrorCode::access_denied) << entry;
  }
}

// Resumption: the identity the check saw is kept with the session (the
// server's ticket, the client's Session), and checked again before the
// session is resumed.
TEST_P(PeerCheckTest, ServerChecksAResumedClientAgain) {
  Resuming r(client(), mtls_server());
  Recorder rec;
  r.sc->peer_check = rec.check();
  handshaken_pair(r.cc, r.sc);
  Pair resumed = handshaken_pair(r.cc, r.sc);
  ASSERT_TRUE(resumed.server->summary().resumed);
  ASSERT_EQ(rec.seen.size(), 2u);
  EXPECT_TRUE(rec.seen[1].resumed);
  EXPECT_EQ(rec.chain_sizes[1], 0u);
  EXPECT_EQ(rec.seen[1].common_name, "tessera test client");
  EXPECT_EQ(rec.seen[1].spki_sha256, spki_sha256_of("client-ec.pem"));
  EXPECT_EQ(rec.seen[1].version, version());

  // The same ticket keys, and a check that now refuses the client: the
  // ticket is not honoured, and the full handshake refuses the certificate.
  handshaken_pair(r.cc, r.sc);  // a fresh ticket
  auto sc2 = std::make_shared<ServerConfig>(*r.sc);
  sc2->peer_check = allowing({"CN:someone else"});
  auto p = make_tls_pair(r.cc, sc2);
  EXPECT_FALSE(p.pump());
  EXPECT_FALSE(p.server->summary().resumed);
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::access_denied) << err(*p.server);
  EXPECT_EQ(p.server->error()->message().find("resumed"), std::string::npos);
}

TEST_P(PeerCheckTest, ServerDoesNotResumeASessionThatKeptNoIdentity) {
  Resuming r(client(), mtls_server());
  handshaken_pair(r.cc, r.sc);  // no check: the ticket keeps no identity
  auto sc2 = std::make_shared<ServerConfig>(*r.sc);
  Recorder rec;
  sc2->peer_check = rec.check();
  Pair p = handshaken_pair(r.cc, sc2);
  EXPECT_FALSE(p.server->summary().resumed);
  ASSERT_EQ(rec.seen.size(), 1u);
  EXPECT_FALSE(rec.seen[0].resumed);
  // Its own tickets keep the identity: the next connection resumes.
  Pair q = handshaken_pair(r.cc, sc2);
  EXPECT_TRUE(q.server->summary().resumed);
}

TEST_P(PeerCheckTest, ClientChecksAStoredSessionBeforeOfferingIt) {
  Resuming r(client(false), server_config());
  Recorder rec;
  r.cc->peer_check = rec.check();
  handshaken_pair(r.cc, r.sc);
  Pair resumed = handshaken_pair(r.cc, r.sc);
  ASSERT_TRUE(resumed.client->summary().resumed);
  ASSERT_EQ(rec.seen.size(), 2u);
  EXPECT_TRUE(rec.seen[1].resumed);
  EXPECT_TRUE(rec.seen[1].peer_is_server);
  EXPECT_EQ(rec.seen[1].names, rec.seen[0].names);
  EXPECT_EQ(rec.seen[1].spki_sha256, spki_sha256_of("server-ec.pem"));

  // A check that now refuses the server: the session is not offered, and
  // the full handshake refuses the server.
  handshaken_pair(r.cc, r.sc);  // a fresh session in the store
  auto cc2 = std::make_shared<ClientConfig>(*r.cc);
  rec.allow = false;
  auto p = make_tls_pair(cc2, r.sc);
  EXPECT_FALSE(p.pump());
  EXPECT_FALSE(p.client->summary().resumed);
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::access_denied) << err(*p.client);
  EXPECT_FALSE(rec.seen.back().resumed);
}

TEST_P(PeerCheckTest, ClientDoesNotOfferASessionThatKeptNoIdentity) {
  Resuming r(client(false), server_config());
  handshaken_pair(r.cc, r.sc);  // no check: the session keeps no identity
  auto cc2 = std::make_shared<ClientConfig>(*r.cc);
  cc2->peer_check = allowing({"DNS:localhost"});
  Pair p = handshaken_pair(cc2, r.sc);
  EXPECT_FALSE(p.client->summary().resumed);
  Pair q = handshaken_pair(cc2, r.sc);
  EXPECT_TRUE(q.client->summary().resumed);
}

INSTANTIATE_TEST_SUITE_P(Versions, PeerCheckTest,
                         ::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                         [](const auto& param_info) {
                           return param_info.param == ProtocolVersion::tls13 ? "tls13" : "tls12";
                         });

TEST(PeerCheckTls13, TraceSaysTheCheckAllowedThePeer) {
  auto c = client_config();
  c->peer_check = allowing({"DNS:localhost"});
  auto s = server_config();
  s->client_auth = ClientAuth::required;
  s->client_trust = trust();
  s->peer_check = allowing({"CN:tessera test client"});
  c->credential = credential("client-ec");
  Pair p = make_tls_pair(c, s);
  std::vector<std::string> ct, st;
  p.client->set_trace([&](std::string_view l) { ct.emplace_back(l); });
  p.server->set_trace([&](std::string_view l) { st.emplace_back(l); });
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(has(ct,
                  "   peer check: server CN=localhost [DNS:localhost, IP:127.0.0.1, IP:::1] "
                  "allowed"));
  EXPECT_TRUE(has(st, "   peer check: client CN=tessera test client allowed"));
}

std::shared_ptr<const ExternalPsk> psk(const std::string& identity) {
  auto p = ExternalPsk::make(identity, std::vector<uint8_t>(32, 0x5a));
  EXPECT_TRUE(p.ok());
  return std::make_shared<ExternalPsk>(std::move(*p));
}

TEST(PeerCheckTls13, ExternalPskIdentitiesAreChecked) {
  auto c = client_config();
  c->verify_peer = false;
  c->trust = nullptr;
  c->external_psk = psk("device-17");
  auto s = server_config();
  s->credentials.clear();
  s->external_psks = {psk("device-16"), psk("device-17")};
  Recorder cr;
  c->peer_check = cr.check();
  s->peer_check = allowing({"psk:device-17"});
  Pair p = handshaken_pair(c, s);
  EXPECT_EQ(p.server->summary().psk_identity, "device-17");
  ASSERT_EQ(cr.seen.size(), 1u);
  EXPECT_EQ(cr.seen[0].psk_identity, "device-17");
  EXPECT_TRUE(cr.seen[0].peer_is_server);
  EXPECT_TRUE(cr.seen[0].spki_sha256.empty());

  // A server that allows only device-16: the binder verifies, and access
  // control refuses device-17.
  auto s2 = std::make_shared<ServerConfig>(*s);
  s2->peer_check = allowing({"psk:device-16", "CN:device-17"});
  auto q = make_tls_pair(c, s2);
  EXPECT_FALSE(q.pump());
  ASSERT_NE(q.server->error(), nullptr);
  EXPECT_EQ(q.server->error()->code(), ErrorCode::access_denied) << err(*q.server);
  EXPECT_NE(err(*q.server).find("refused the client external PSK 'device-17'"), std::string::npos)
      << err(*q.server);
  ASSERT_NE(q.client->error(), nullptr);
  EXPECT_EQ(q.client->error()->alert(), AlertDescription::access_denied);
}

TEST(PeerCheckConfig, AllowPeersRefusesMalformedEntries) {
  for (const char* bad : {"localhost", "DNS:", "dns:localhost", "IP:300.1.1.1", "IP:localhost",
                          "spki-sha256:abcd", "spki-sha256:" /* empty */, "URL:https://x", ":x"}) {
    auto c = allow_peers({bad});
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().code(), ErrorCode::config_invalid);
    EXPECT_NE(c.error().message().find(bad), std::string::npos) << c.error().message();
  }
  EXPECT_FALSE(allow_peers({}).ok());
}

TEST(PeerCheckConfig, AllowPeersMatchesUrisAndEmailsExactly) {
  auto check = allowing({"URI:spiffe://example.org/ns/prod/sa/api", "email:ops@example.org"});
  PeerIdentity id;
  id.spki_sha256 = Bytes(32, 7);
  id.names = {"DNS:api", "URI:spiffe://example.org/ns/prod/sa/api"};
  EXPECT_TRUE(check(id).ok());
  id.names = {"URI:spiffe://example.org/ns/prod/sa/api/x",
              "URI:SPIFFE://example.org/ns/prod/sa/api", "email:OPS@example.org",
              "DNS:ops@example.org"};
  EXPECT_FALSE(check(id).ok());
  id.names = {"email:ops@example.org"};
  EXPECT_TRUE(check(id).ok());
  // A PSK peer is matched only by psk: entries.
  PeerIdentity by_psk;
  by_psk.psk_identity = "URI:spiffe://example.org/ns/prod/sa/api";
  by_psk.names = {"URI:spiffe://example.org/ns/prod/sa/api"};
  EXPECT_FALSE(check(by_psk).ok());
}

TEST(PeerCheckConfig, RefusalsNameThePeerAndTheChecksReason) {
  PeerIdentity id;
  id.peer_is_server = false;
  id.subject = "CN=x";
  id.names = {"DNS:a", "URI:u", "email:e", "IP:10.0.0.1", "DNS:fifth"};
  EXPECT_EQ(handshake::describe_peer(id), "CN=x [DNS:a, URI:u, email:e, IP:10.0.0.1, ... 1 more]");
  auto r = handshake::run_peer_check(
      [](const PeerIdentity&) -> Result<void> { return Error(ErrorCode::internal_error, "no"); },
      id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::access_denied);
  EXPECT_EQ(r.error().alert(), AlertDescription::access_denied);
  EXPECT_EQ(r.error().message(),
            "the peer check refused the client CN=x [DNS:a, URI:u, email:e, IP:10.0.0.1, ... 1 "
            "more]: no");
  EXPECT_TRUE(handshake::run_peer_check(nullptr, id).ok());
}

TEST(PeerCheckConfig, SessionFilesKeepTheServerIdentity) {
  Session s;
  s.version = 0x0304;
  s.cipher_suite = 0x1301;
  s.server_name = "localhost";
  s.ticket = {1, 2, 3};
  s.psk = std::vector<uint8_t>(32, 9);
  s.peer_subject = "CN=localhost";
  s.peer_common_name = "localhost";
  s.peer_names = {"DNS:localhost", "IP:127.0.0.1"};
  s.peer_spki_sha256 = std::vector<uint8_t>(32, 0xab);
  auto back = Session::from_pem(s.to_pem());
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->peer_common_name, "localhost");
  EXPECT_EQ(back->peer_names, s.peer_names);
  EXPECT_EQ(back->peer_spki_sha256, s.peer_spki_sha256);
  // Without a kept identity, nothing comes back.
  s.peer_spki_sha256.clear();
  back = Session::from_pem(s.to_pem());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->peer_names.empty());
  EXPECT_TRUE(back->peer_common_name.empty());
}

}  // namespace
}  // namespace tessera::testing
