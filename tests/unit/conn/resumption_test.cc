// TLS 1.3 session resumption (RFC 8446 2.2, 4.2.11, 4.6.1) in memory:
// tickets, binders, single use, lifetimes, key rotation, mTLS, HRR.
#include <gtest/gtest.h>

#include "pair.h"
#include "tessera/session.h"

namespace tessera::testing {
namespace {

struct Env {
  std::shared_ptr<MemorySessionStore> store = std::make_shared<MemorySessionStore>();
  std::shared_ptr<ClientConfig> cc = client_config();
  std::shared_ptr<ServerConfig> sc = server_config();
  std::shared_ptr<RotatingTicketKeys> keys =
      std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  Env() {
    cc->session_store = store;
    sc->ticket_keys = keys;
  }
  Pair connect() { return handshaken_pair(cc, sc); }
  // one_ticket runs a full handshake that leaves one ticket, and takes it
  // out of the store.
  std::optional<Session> one_ticket() {
    sc->tickets = 1;
    connect();
    return store->take("localhost", kTestNow * 1000);
  }
};

TEST(Resumption, FullHandshakeLeavesTicketsAndTheNextOneResumes) {
  Env e;
  auto first = e.connect();
  EXPECT_FALSE(first.client->summary().resumed);
  EXPECT_FALSE(first.server->summary().resumed);
  EXPECT_EQ(e.store->size(), 2u);  // ServerConfig::tickets default
  auto second = e.connect();
  EXPECT_TRUE(second.client->summary().resumed);
  EXPECT_TRUE(second.server->summary().resumed);
  EXPECT_TRUE(second.client->summary().peer_chain.empty());  // no Certificate this time
  EXPECT_EQ(second.client->summary().peer_subject, "CN=localhost");
  EXPECT_EQ(second.client->summary().signature_scheme, 0);
  transfer(second, true, 20000);
  transfer(second, false, 20000);
  // One ticket used, two new ones from the resumed handshake.
  EXPECT_EQ(e.store->size(), 3u);
}

TEST(Resumption, TicketsAreSingleUse) {
  Env e;
  e.sc->tickets = 1;
  e.connect();
  ASSERT_EQ(e.store->size(), 1u);
  auto s = e.store->take("localhost", kTestNow * 1000);
  ASSERT_TRUE(s);
  EXPECT_EQ(e.store->size(), 0u);
  // Without a ticket the next connection is a full handshake.
  auto p = e.connect();
  EXPECT_FALSE(p.client->summary().resumed);
}

TEST(Resumption, NoTicketsWhenServerDisablesThem) {
  Env e;
  e.sc->tickets = 0;
  e.connect();
  EXPECT_EQ(e.store->size(), 0u);
}

TEST(Resumption, TraceShowsSkippedCertificateSteps) {
  Env e;
  e.connect();
  std::vector<std::string> lines;
  auto p = make_tls_pair(e.cc, e.sc);
  p.client->set_trace([&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_TRUE(p.handshake());
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("offering a resumption ticket"), std::string::npos) << all;
  EXPECT_NE(all.find("resuming: the server accepted our ticket"), std::string::npos) << all;
  EXPECT_EQ(all.find("<- Certificate"), std::string::npos) << all;
  EXPECT_EQ(all.find("<- CertificateVerify"), std::string::npos) << all;
}

TEST(Resumption, MutualTlsIdentityCarriesOver) {
  Env e;
  e.sc->client_auth = ClientAuth::required;
  e.sc->client_trust = trust();
  e.cc->credential = credential("client-ec");
  e.connect();
  auto p = e.connect();
  ASSERT_TRUE(p.server->summary().resumed);
  EXPECT_TRUE(p.server->summary().client_authenticated);
  EXPECT_EQ(p.server->summary().peer_subject, "CN=tessera test client");
}

TEST(Resumption, ServerRequiringClientAuthIgnoresTicketsWithoutIt) {
  Env e;
  e.connect();  // no client certificate: tickets without a client identity
  auto sc2 = server_config();
  sc2->ticket_keys = e.keys;  // same keys, stricter server
  sc2->client_auth = ClientAuth::required;
  sc2->client_trust = trust();
  e.cc->credential = credential("client-ec");
  auto p = make_tls_pair(e.cc, sc2);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_FALSE(p.server->summary().resumed);
  EXPECT_TRUE(p.server->summary().client_authenticated);
}

TEST(Resumption, TicketFromAnotherKeyFallsBackToFullHandshake) {
  Env e;
  e.connect();
  e.sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  auto p = e.connect();
  EXPECT_FALSE(p.client->summary().resumed);
  EXPECT_FALSE(p.server->summary().resumed);
  EXPECT_FALSE(p.client->summary().peer_chain.empty());
}

TEST(Resumption, ExpiredTicketIsNotAccepted) {
  Env e;
  e.sc->ticket_lifetime_s = 60;
  e.connect();
  // The server's clock is past the lifetime; the client's is not.
  e.sc->clock = [] { return kTestNow + 120; };
  auto p = e.connect();
  EXPECT_FALSE(p.server->summary().resumed);
  // And a client whose clock is past the lifetime does not offer it.
  Env f;
  f.sc->ticket_lifetime_s = 60;
  f.connect();
  EXPECT_FALSE(f.store->take("localhost", (kTestNow + 61) * 1000));
}

// RFC 8446 9.2: only a ClientHello without pre_shared_key must carry
// signature_algorithms; one resuming without it is served (the PSK
// authenticates the server). If its PSK cannot be used, authenticating with a
// certificate needs the extension: missing_extension (4.2.3). The
// ClientHello is edited and its binder computed again.
TEST(Resumption, AClientHelloWithoutSignatureAlgorithmsResumes) {
  Env e;
  auto s = e.one_ticket();
  ASSERT_TRUE(s);
  const Bytes psk = s->psk;
  auto client_hello = [&] {
    e.store->put("localhost", *s);
    auto client = Connection::client(e.cc, {"localhost", {}});
    EXPECT_TRUE(client.ok());
    const Bytes flight = client.ok() ? take_out(**client) : Bytes{};
    return client_hello_without(flight, wire::kExtSignatureAlgorithms, psk,
                                crypto::PskKind::resumption);
  };
  auto server = Connection::server(e.sc);
  ASSERT_TRUE(server.ok());
  auto r = (*server)->receive_tls(client_hello());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE((*server)->summary().resumed);
  EXPECT_FALSE((*server)->pending_tls().empty());  // ServerHello onwards
  // A server that cannot open the ticket.
  e.sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  auto other = Connection::server(e.sc);
  ASSERT_TRUE(other.ok());
  r = (*other)->receive_tls(client_hello());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::missing_extension) << r.error().to_string();
  EXPECT_EQ(r.error().alert(), AlertDescription::missing_extension);
}

TEST(Resumption, WrongBinderIsDecryptError) {
  Env e;
  auto s = e.one_ticket();
  ASSERT_TRUE(s);
  s->psk[0] ^= 1;  // the client now computes a wrong binder
  e.store->put("localhost", *s);
  auto p = make_tls_pair(e.cc, e.sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::decrypt_error);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::decrypt_error);
}

TEST(Resumption, ResumesAfterHelloRetryRequest) {
  Env e;
  e.connect();
  e.sc->policy.groups = {NamedGroup::secp256r1};  // the client's x25519 share is refused
  e.sc->policy.key_share_groups = {NamedGroup::secp256r1};
  auto p = e.connect();
  EXPECT_TRUE(p.client->summary().hello_retry);
  EXPECT_TRUE(p.client->summary().resumed);
  EXPECT_TRUE(p.server->summary().resumed);
}

TEST(Resumption, SuiteWithAnotherHashIsNotResumed) {
  Env e;
  e.connect();  // TLS_AES_128_GCM_SHA256
  e.sc->policy.cipher_suites = {CipherSuite::TLS_AES_256_GCM_SHA384};
  auto p = e.connect();
  EXPECT_FALSE(p.server->summary().resumed);
  EXPECT_EQ(p.client->summary().cipher_suite, 0x1302);
}

void make_tls12(Env& e) {
  e.cc->policy.max_version = ProtocolVersion::tls12;
  e.cc->policy.cipher_suites = e.cc->policy.suites_for(ProtocolVersion::tls12);
}

// --- stateful resumption: ServerConfig::session_cache ---------------------------

TEST(ResumptionCache, TicketsNameCacheEntriesUsedOnce) {
  Env e;
  auto cache = std::make_shared<MemoryServerSessionCache>();
  e.sc->session_cache = cache;
  e.sc->tickets = 1;
  e.connect();
  ASSERT_EQ(cache->size(), 1u);
  auto s = e.store->take("localhost", kTestNow * 1000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ticket.size(), 16u);  // a name, not sealed state
  // Offer the same ticket twice: the first resumes, the replay does not.
  e.store->put("localhost", *s);
  auto first = e.connect();
  EXPECT_TRUE(first.server->summary().resumed);
  e.store->take("localhost", kTestNow * 1000);  // drop the fresh ticket
  e.store->put("localhost", *s);
  auto replay = e.connect();
  EXPECT_FALSE(replay.server->summary().resumed);
  EXPECT_FALSE(replay.client->summary().resumed);
}

// The cache holds each session's state sealed under the ticket keys, as a
// ticket would carry it: a cache shared by a fleet (or dumped) shows no
// resumption secret, nor the names and identities in the state.
TEST(ResumptionCache, EntriesAreSealed) {
  struct Recording final : ServerSessionCache {
    MemoryServerSessionCache inner;
    std::vector<std::vector<uint8_t>> values;
    void put(const std::vector<uint8_t>& id, std::vector<uint8_t> state, int64_t exp) override {
      values.push_back(state);
      inner.put(id, std::move(state), exp);
    }
    std::optional<std::vector<uint8_t>> take(const std::vector<uint8_t>& id, int64_t now) override {
      return inner.take(id, now);
    }
  };
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    Env e;
    if (v == ProtocolVersion::tls12) make_tls12(e);
    auto cache = std::make_shared<Recording>();
    e.sc->session_cache = cache;
    e.sc->client_auth = ClientAuth::required;
    e.sc->client_trust = trust();
    e.cc->credential = credential("client-ec");
    e.connect();
    ASSERT_FALSE(cache->values.empty());
    for (const auto& value : cache->values) {
      const std::string text(value.begin(), value.end());
      EXPECT_EQ(text.find("localhost"), std::string::npos);
      EXPECT_EQ(text.find("tessera test client"), std::string::npos);
    }
    EXPECT_TRUE(e.connect().server->summary().resumed);
  }
}

TEST(ResumptionCache, Tls12SessionTicketsToo) {
  Env e;
  make_tls12(e);
  e.sc->session_cache = std::make_shared<MemoryServerSessionCache>();
  e.connect();
  auto p = e.connect();
  EXPECT_TRUE(p.server->summary().resumed);
  EXPECT_EQ(p.client->summary().version, ProtocolVersion::tls12);
}

TEST(ResumptionCache, BoundedAndExpiring) {
  MemoryServerSessionCache cache(2);
  cache.put({1}, {9}, 100);
  cache.put({2}, {9}, 100);
  cache.put({3}, {9}, 100);  // drops {1}
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.take({1}, 50));
  EXPECT_TRUE(cache.take({3}, 50));
  EXPECT_FALSE(cache.take({2}, 101));  // expired (and gone)
  EXPECT_EQ(cache.size(), 0u);
}

// --- TLS 1.2 session tickets (RFC 5077) ---------------------------------------

TEST(Resumption12, SessionTicketResumesWithAnAbbreviatedHandshake) {
  Env e;
  make_tls12(e);
  auto first = e.connect();
  EXPECT_EQ(first.client->summary().version, ProtocolVersion::tls12);
  EXPECT_FALSE(first.client->summary().resumed);
  ASSERT_EQ(e.store->size(), 1u);  // one ticket per TLS 1.2 handshake
  std::vector<std::string> lines;
  auto second = make_tls_pair(e.cc, e.sc);
  second.client->set_trace([&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_TRUE(second.handshake()) << err(*second.client) << " / " << err(*second.server);
  EXPECT_TRUE(second.client->summary().resumed);
  EXPECT_TRUE(second.server->summary().resumed);
  EXPECT_TRUE(second.client->summary().extended_master_secret);
  EXPECT_EQ(second.client->summary().peer_subject, "CN=localhost");
  EXPECT_EQ(second.client->summary().cipher_suite, first.client->summary().cipher_suite);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("offering a TLS 1.2 session ticket"), std::string::npos) << all;
  EXPECT_EQ(all.find("<- Certificate"), std::string::npos) << all;
  EXPECT_EQ(all.find("ClientKeyExchange"), std::string::npos) << all;
  transfer(second, true, 30000);
  transfer(second, false, 30000);
  // The resumed handshake hands out a fresh ticket: a third connection resumes too.
  ASSERT_EQ(e.store->size(), 1u);
  auto third = e.connect();
  EXPECT_TRUE(third.server->summary().resumed);
}

TEST(Resumption12, MutualTlsIdentityCarriesOver) {
  Env e;
  make_tls12(e);
  e.sc->client_auth = ClientAuth::required;
  e.sc->client_trust = trust();
  e.cc->credential = credential("client-ec");
  e.connect();
  auto p = e.connect();
  ASSERT_TRUE(p.server->summary().resumed);
  EXPECT_EQ(p.server->summary().peer_subject, "CN=tessera test client");
}

// --- the session's origin: client trust, age, client certificate expiry ------

// Tickets name the trust anchor that verified the client certificate. A
// server sharing the ticket keys that trusts another CA for clients does not
// resume such a session: it would take the other CA's word for a client it
// refuses; the full handshake then refuses the client. A server trusting the
// same anchor (its own TrustStore) resumes it. TLS 1.3 and 1.2.
TEST(ResumptionOrigin, AnotherServersClientTrustDoesNotCarryOver) {
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    SCOPED_TRACE(v == ProtocolVersion::tls13 ? "TLS 1.3" : "TLS 1.2");
    Env e;
    if (v == ProtocolVersion::tls12) make_tls12(e);
    e.sc->client_auth = ClientAuth::required;
    e.sc->client_trust = trust("rogue-ca.pem");
    e.cc->credential = credential("rogue-client");
    e.connect();
    ASSERT_GT(e.store->size(), 0u);
    auto strict = mtls_server_config();
    strict->ticket_keys = e.keys;
    auto p = make_tls_pair(e.cc, strict);
    EXPECT_FALSE(p.handshake()) << "a client of another CA was let in on its ticket";
    EXPECT_FALSE(p.server->summary().resumed);
    EXPECT_FALSE(p.server->summary().client_authenticated);

    Env same;
    if (v == ProtocolVersion::tls12) make_tls12(same);
    same.sc->client_auth = ClientAuth::required;
    same.sc->client_trust = trust();
    same.cc->credential = credential("client-ec");
    same.connect();
    auto twin = mtls_server_config();  // its own TrustStore of the same CA
    twin->ticket_keys = same.keys;
    auto q = make_tls_pair(same.cc, twin);
    ASSERT_TRUE(q.handshake()) << err(*q.client) << " / " << err(*q.server);
    EXPECT_TRUE(q.server->summary().resumed);
    EXPECT_EQ(q.server->summary().peer_subject, "CN=tessera test client");
  }
}

// A server that does not authenticate clients does not resume a session
// that carries a client identity (it could not vouch for it).
TEST(ResumptionOrigin, AServerWithoutClientAuthDoesNotTakeAClientIdentity) {
  Env e;
  e.sc->client_auth = ClientAuth::required;
  e.sc->client_trust = trust();
  e.cc->credential = credential("client-ec");
  e.connect();
  auto plain = server_config();
  plain->ticket_keys = e.keys;
  auto p = make_tls_pair(e.cc, plain);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_FALSE(p.server->summary().resumed);
  EXPECT_FALSE(p.server->summary().client_authenticated);
}

// Each resumption gets fresh tickets, but a session does not live on through
// them: tickets issued on resumptions end 7 days after the full handshake,
// and the server refuses the session after that whatever a ticket says.
TEST(ResumptionOrigin, ResumptionsEndSevenDaysAfterTheFullHandshake) {
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    SCOPED_TRACE(v == ProtocolVersion::tls13 ? "TLS 1.3" : "TLS 1.2");
    Env e;
    if (v == ProtocolVersion::tls12) make_tls12(e);
    auto now = std::make_shared<int64_t>(kTestNow);
    e.sc->clock = [now] { return *now; };
    e.cc->clock = [now] { return *now; };
    e.sc->tickets = 1;
    e.sc->ticket_lifetime_s = 2 * 86400;
    // Keys that outlive the test's week (the default 12-hour keys are
    // retired a day after they are drawn, and their tickets with them).
    e.keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider(),
                                                  std::chrono::hours(7 * 24), 1);
    e.sc->ticket_keys = e.keys;
    ASSERT_FALSE(e.connect().server->summary().resumed);
    for (int step = 1; step <= 4; ++step) {  // +1.5, +3, +4.5, +6 days
      *now += 3 * 86400 / 2;
      auto p = e.connect();
      EXPECT_TRUE(p.server->summary().resumed) << "step " << step;
    }
    // The ticket from day 6 has one day left, not two.
    auto last = e.store->take("localhost", *now * 1000);
    ASSERT_TRUE(last);
    EXPECT_EQ(last->lifetime_s, 86400u);
    // Offered past day 7 (the client's clock held back, so it does offer it),
    // the server refuses it.
    e.store->put("localhost", *last);
    *now = kTestNow + 7 * 86400 + 10;
    e.cc->clock = [] { return kTestNow + 6 * 86400; };
    auto p = make_tls_pair(e.cc, e.sc);
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_FALSE(p.server->summary().resumed);
  }
}

// A ticket ends when the client certificate the session verified expires
// (the earliest notAfter on its path), not after.
TEST(ResumptionOrigin, TicketsEndWhenTheClientCertificateExpires) {
  const int64_t expiry = pki_cert("ca.pem").not_after();  // the path's earliest
  Env e;
  e.sc->client_auth = ClientAuth::required;
  e.sc->client_trust = trust();
  e.cc->credential = credential("client-ec");
  e.sc->clock = [expiry] { return expiry - 100; };
  e.cc->clock = [expiry] { return expiry - 100; };
  e.sc->tickets = 1;
  e.connect();
  auto s = e.store->take("localhost", (expiry - 100) * 1000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->lifetime_s, 100u);
}

// A TLS 1.2 session resumed by its session ID is stored again with the
// client identity its peer check saw, so it resumes again and again (it
// used to lose the identity, making every other connection a full one).
TEST(ResumptionOrigin, Tls12SessionIdKeepsItsPeerCheckIdentity) {
  Env e;
  make_tls12(e);
  e.sc->tls12_tickets = false;
  e.sc->client_auth = ClientAuth::required;
  e.sc->client_trust = trust();
  e.sc->peer_check = [](const PeerIdentity&) -> Result<void> { return ok(); };
  e.cc->credential = credential("client-ec");
  ASSERT_FALSE(e.connect().server->summary().resumed);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(e.connect().server->summary().resumed) << i;
}

// A cached session's name travels in the clear (a TLS 1.2 session ID, a
// stateful ticket's name in the PSK identity): someone who offers it where
// it cannot be resumed (here, without the server name it was made for) gets
// a full handshake and the entry goes back, so its owner still resumes.
TEST(ResumptionOrigin, ACachedSessionRefusedToAnotherClientStaysForItsOwner) {
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    SCOPED_TRACE(v == ProtocolVersion::tls13 ? "TLS 1.3 stateful ticket" : "TLS 1.2 session ID");
    Env e;
    if (v == ProtocolVersion::tls12) make_tls12(e);
    e.sc->tls12_tickets = false;  // TLS 1.2: session IDs
    e.sc->session_cache = std::make_shared<MemoryServerSessionCache>();
    e.sc->tickets = 1;
    e.connect();
    auto owned = e.store->take("localhost", kTestNow * 1000);
    ASSERT_TRUE(owned);
    // The same session offered for 127.0.0.1 (no SNI): not resumed.
    auto other = client_config();
    other->policy = e.cc->policy;
    other->session_store = std::make_shared<MemorySessionStore>();
    Session copy = *owned;
    copy.server_name = "127.0.0.1";
    other->session_store->put("127.0.0.1", copy);
    auto p = make_tls_pair(other, e.sc, "127.0.0.1");
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_FALSE(p.server->summary().resumed);
    // Its owner still resumes it.
    e.store->put("localhost", *owned);
    auto q = e.connect();
    EXPECT_TRUE(q.server->summary().resumed);
  }
}

// A server that issues no TLS 1.2 tickets takes none either.
TEST(ResumptionOrigin, Tls12TicketsAreNotTakenWhenTurnedOff) {
  Env e;
  make_tls12(e);
  e.connect();
  ASSERT_EQ(e.store->size(), 1u);
  e.sc->tls12_tickets = false;
  EXPECT_FALSE(e.connect().server->summary().resumed);
}

// RFC 8446 4.6.1: ticket nonces, one byte here, must differ within a
// connection: more than 255 tickets is a config error.
TEST(ResumptionOrigin, MoreThan255TicketsIsAConfigError) {
  auto sc = server_config();
  sc->tickets = 256;
  auto c = Connection::server(sc);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::config_invalid);
  sc->tickets = 255;
  EXPECT_TRUE(Connection::server(sc).ok());
}

TEST(Resumption12, UnknownTicketFallsBackToFullHandshake) {
  Env e;
  make_tls12(e);
  e.connect();
  e.sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  auto p = e.connect();
  EXPECT_FALSE(p.server->summary().resumed);
  EXPECT_FALSE(p.client->summary().resumed);
  EXPECT_EQ(e.store->size(), 1u);  // and a new ticket from the new key
}

TEST(Resumption12, SessionFileRoundTrip) {
  Env e;
  make_tls12(e);
  e.connect();
  auto s = e.store->take("localhost", kTestNow * 1000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version, 0x0303);
  EXPECT_EQ(s->psk.size(), 48u);
  auto back = Session::from_pem(s->to_pem());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->version, 0x0303);
  EXPECT_TRUE(back->extended_master_secret);
  e.store->put("localhost", *back);
  EXPECT_TRUE(e.connect().client->summary().resumed);
}

TEST(Resumption12, Tls12TicketIsNotUsedWhenTls13IsNegotiated) {
  Env e;
  make_tls12(e);
  e.connect();
  e.cc->policy = Policy::default_policy();  // now 1.3 and 1.2
  auto p = e.connect();
  EXPECT_EQ(p.client->summary().version, ProtocolVersion::tls13);
  EXPECT_FALSE(p.client->summary().resumed);
}

TEST(Session, PemRoundTrip) {
  Env e;
  e.sc->tickets = 1;
  e.connect();
  auto s = e.store->take("localhost", kTestNow * 1000);
  ASSERT_TRUE(s);
  std::string pem = s->to_pem();
  EXPECT_NE(pem.find("BEGIN TESSERA SESSION"), std::string::npos);
  auto back = Session::from_pem(pem);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->ticket, s->ticket);
  EXPECT_EQ(back->psk, s->psk);
  EXPECT_EQ(back->age_add, s->age_add);
  EXPECT_EQ(back->server_name, "localhost");
  // And the restored session resumes.
  e.store->put("localhost", *back);
  auto p = e.connect();
  EXPECT_TRUE(p.client->summary().resumed);
  EXPECT_FALSE(
      Session::from_pem("-----BEGIN TESSERA SESSION-----\nAAAA\n-----END TESSERA SESSION-----\n")
          .ok());
  // A field too long for its length prefix: no file, rather than one that
  // reads back wrong.
  Session big = *s;
  big.server_name.assign(256, 'a');
  EXPECT_EQ(big.to_pem(), "");
  big = *s;
  big.peer_subject.assign(70000, 'a');
  EXPECT_EQ(big.to_pem(), "");
}

TEST(Session, StoreIsBounded) {
  MemorySessionStore store(2, 2);
  Session s;
  s.lifetime_s = 100;
  s.received_at_ms = 1000;
  s.psk = {1};
  for (const char* n : {"a", "a", "a", "b", "c"}) store.put(n, s);
  // "a" kept at most 2; the third name pushed the oldest name ("a") out.
  EXPECT_EQ(store.size(), 2u);
  EXPECT_FALSE(store.take("a", 1000));
  EXPECT_TRUE(store.take("b", 1000));
  EXPECT_FALSE(store.take("c", 1000 + 100 * 1000));  // expired
}

TEST(TicketKeys, RotateAndKeepThePreviousKey) {
  RotatingTicketKeys keys(crypto::default_provider(), std::chrono::seconds(100), 1);
  TicketKey k0 = keys.current(1000);
  EXPECT_EQ(keys.current(1050).id, k0.id);
  TicketKey k1 = keys.current(1100);
  EXPECT_NE(k1.id, k0.id);
  EXPECT_TRUE(keys.find(k0.id, 1150));  // previous key still accepted
  TicketKey k2 = keys.current(1200);
  EXPECT_NE(k2.id, k1.id);
  EXPECT_FALSE(keys.find(k0.id, 1200));  // two rotations later: gone
  EXPECT_TRUE(keys.find(k1.id, 1200));
  // After a quiet spell the key before the new one is too old, though it is
  // the previous key.
  TicketKey k3 = keys.current(2000);
  EXPECT_NE(k3.id, k2.id);
  EXPECT_FALSE(keys.find(k2.id, 2000));
  EXPECT_TRUE(keys.find(k3.id, 2199));
  EXPECT_FALSE(keys.find(k3.id, 2200));
}

}  // namespace
}  // namespace tessera::testing
