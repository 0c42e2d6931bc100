// TLS 1.2 session IDs (RFC 5246 7.3, 7.4.1.2-3): the server names a session,
// caches its state sealed under the ticket keys, and resumes it by ID.
#include <gtest/gtest.h>

#include "pair.h"
#include "tessera/session.h"
#include "wire/extensions.h"
#include "wire/hello.h"

namespace tessera::testing {
namespace {

struct Env {
  std::shared_ptr<MemorySessionStore> store = std::make_shared<MemorySessionStore>();
  std::shared_ptr<ClientConfig> cc = client_config();
  std::shared_ptr<ServerConfig> sc = server_config();
  Env() {
    cc->session_store = store;
    cc->policy.max_version = ProtocolVersion::tls12;
    sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
    sc->tls12_tickets = false;  // session IDs instead of tickets
  }
  Pair connect() { return handshaken_pair(cc, sc); }
};

TEST(SessionId, ServerNamesTheSessionAndResumesItByIdAgainAndAgain) {
  Env e;
  auto first = e.connect();
  EXPECT_FALSE(first.client->summary().resumed);
  auto s = e.store->take("localhost", kTestNow * 1000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version, 0x0303);
  EXPECT_TRUE(s->ticket.empty());
  EXPECT_EQ(s->session_id.size(), 32u);
  e.store->put("localhost", *s);
  for (int i = 0; i < 3; ++i) {
    auto p = e.connect();
    EXPECT_TRUE(p.client->summary().resumed) << i;
    EXPECT_TRUE(p.server->summary().resumed) << i;
    EXPECT_TRUE(p.client->summary().peer_chain.empty());
    EXPECT_EQ(p.client->summary().peer_subject, "CN=localhost");
    transfer(p, true, 5000);
    transfer(p, false, 5000);
    auto again = e.store->take("localhost", kTestNow * 1000);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->session_id, s->session_id);  // the same ID keeps naming it
    e.store->put("localhost", *again);
  }
}

TEST(SessionId, RotatedTicketKeysRetireCachedSessions) {
  Env e;
  e.connect();
  e.sc = std::make_shared<ServerConfig>(*e.sc);
  e.sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  auto p = e.connect();
  EXPECT_FALSE(p.server->summary().resumed);
}

TEST(SessionId, AnUnknownIdIsAFullHandshake) {
  Env e;
  e.connect();
  auto s = e.store->take("localhost", kTestNow * 1000);
  ASSERT_TRUE(s);
  s->session_id[0] ^= 1;
  e.store->put("localhost", *s);
  std::string trace;
  Pair p = make_tls_pair(e.cc, e.sc);
  p.server->set_trace([&](std::string_view l) { (trace += l) += "\n"; });
  ASSERT_TRUE(p.handshake());
  EXPECT_FALSE(p.client->summary().resumed);
  EXPECT_FALSE(p.server->summary().resumed);
  EXPECT_NE(trace.find("the client's session ID names no session we hold; full handshake"),
            std::string::npos);
}

// The server's trace says why it did not resume the session a client
// offered: a suite its policy no longer allows, a ticket it cannot open (an
// ID it does not hold: AnUnknownIdIsAFullHandshake).
TEST(SessionId, ServerSaysWhyASessionIsNotResumed) {
  auto server_trace = [](Env& e) {
    std::string all;
    Pair p = make_tls_pair(e.cc, e.sc);
    p.server->set_trace([&](std::string_view l) { (all += l) += "\n"; });
    EXPECT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_FALSE(p.server->summary().resumed);
    return all;
  };
  {
    // The server's policy no longer allows the session's suite.
    Env e;
    e.sc->policy.cipher_suites = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    e.connect();
    e.sc = std::make_shared<ServerConfig>(*e.sc);
    e.sc->policy.cipher_suites = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384};
    EXPECT_NE(server_trace(e).find("the client's session ID is not resumed: its suite "
                                   "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 is not offered now or "
                                   "not allowed by policy"),
              std::string::npos);
  }
  {
    Env e;
    e.sc->tls12_tickets = true;
    e.connect();
    e.sc = std::make_shared<ServerConfig>(*e.sc);
    e.sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
    EXPECT_NE(server_trace(e).find("the client's session ticket is not one we can open"),
              std::string::npos);
  }
}

TEST(SessionId, ClientsThatTakeTicketsGetTicketsByDefault) {
  Env e;
  e.sc->tls12_tickets = true;
  e.connect();
  auto s = e.store->take("localhost", kTestNow * 1000);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->ticket.empty());
  EXPECT_TRUE(s->session_id.empty());
}

TEST(SessionId, SessionFilesKeepTheId) {
  Env e;
  e.connect();
  auto s = e.store->take("localhost", kTestNow * 1000);
  ASSERT_TRUE(s);
  auto back = Session::from_pem(s->to_pem());
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->session_id, s->session_id);
  EXPECT_EQ(back->psk, s->psk);
  e.store->put("localhost", std::move(*back));
  auto p = e.connect();
  EXPECT_TRUE(p.client->summary().resumed);
}

}  // namespace
}  // namespace tessera::testing

namespace tessera::testing {
namespace {

// A TLS 1.2 ClientHello built by hand: session_ticket (empty), with or
// without the extended master secret.
std::vector<uint8_t> hello12(bool ems) {
  wire::ClientHello ch;
  ch.random.fill(9);
  ch.cipher_suites = {0xc02b};
  ch.extensions.push_back(
      wire::make_extension(wire::kExtSupportedGroups, wire::NamedGroupList{{0x001d, 0x0017}}));
  ch.extensions.push_back(wire::make_extension(wire::kExtSignatureAlgorithms,
                                               wire::SignatureSchemeList{{0x0403, 0x0804}}));
  ch.extensions.push_back(wire::make_empty_extension(wire::kExtSessionTicket));
  if (ems) ch.extensions.push_back(wire::make_empty_extension(wire::kExtExtendedMasterSecret));
  auto msg = wire::encode_handshake(ch);
  EXPECT_TRUE(msg.ok());
  return handshake_record(*msg);
}

// The ServerHello the server answered with (first record, plaintext).
wire::ServerHello server_hello_of(Connection& s) {
  auto out = s.pending_tls();
  EXPECT_GT(out.size(), 9u);
  size_t len = size_t{out[6]} << 16 | size_t{out[7]} << 8 | out[8];
  auto sh = wire::ServerHello::parse(out.subspan(9, len));
  EXPECT_TRUE(sh.ok());
  return *sh;
}

TEST(SessionResumption12, OnlySessionsWithTheExtendedMasterSecretAreResumable) {
  auto sc = server_config();
  sc->policy = Policy::compat();  // accepts a client without EMS
  for (bool ems : {true, false}) {
    for (bool tickets : {true, false}) {
      auto cfg = std::make_shared<ServerConfig>(*sc);
      cfg->tls12_tickets = tickets;
      auto s = Connection::server(cfg);
      ASSERT_TRUE(s.ok());
      ASSERT_TRUE((*s)->receive_tls(hello12(ems)).ok()) << err(**s);
      auto sh = server_hello_of(**s);
      const bool ticket = sh.find_extension(wire::kExtSessionTicket) != nullptr;
      const bool id = !sh.legacy_session_id_echo.empty();
      // RFC 7627 5.3: no ticket and no session ID for a session without EMS.
      EXPECT_EQ(ticket, ems && tickets) << ems << tickets;
      EXPECT_EQ(id, ems && !tickets) << ems << tickets;
    }
  }
}

}  // namespace
}  // namespace tessera::testing
