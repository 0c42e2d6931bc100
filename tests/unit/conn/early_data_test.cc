// 0-RTT early data (RFC 8446 2.3, 4.2.10, 8) and psk_ke (4.2.9) in memory:
// acceptance, refusal and resend, anti-replay, the freshness window,
// max_early_data_size, HelloRetryRequest, ALPN, key log.
#include <gtest/gtest.h>

#include "pair.h"
#include "tessera/session.h"

namespace tessera::testing {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

struct Env {
  std::shared_ptr<MemorySessionStore> store = std::make_shared<MemorySessionStore>();
  std::shared_ptr<ClientConfig> cc = client_config();
  std::shared_ptr<ServerConfig> sc = server_config();
  std::shared_ptr<RotatingTicketKeys> keys =
      std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  std::shared_ptr<MemoryReplayGuard> guard = std::make_shared<MemoryReplayGuard>();
  Env() {
    cc->session_store = store;
    sc->ticket_keys = keys;
    sc->replay_guard = guard;
    sc->max_early_data = 16384;
  }
  // A full handshake that leaves tickets in the store.
  void prime() {
    auto p = make_tls_pair(cc, sc);
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    ASSERT_GT(store->size(), 0u);
  }
  Pair connect_early(std::vector<uint8_t> early, bool resend = true,
                     std::vector<std::string> alpn = {}) {
    Pair p;
    ClientOptions o;
    o.server_name = "localhost";
    o.alpn = std::move(alpn);
    auto c = Connection::client_with_early_data(cc, o, EarlyDataRequest{std::move(early), resend});
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().to_string());
    auto s = Connection::server(sc);
    EXPECT_TRUE(s.ok());
    p.client = std::move(*c);
    p.server = std::move(*s);
    return p;
  }
};

// Moves the client's pending bytes to the server once.
void client_flight(Pair& p) {
  auto b = p.client->pending_tls();
  std::vector<uint8_t> copy(b.begin(), b.end());
  p.client->consume_tls(copy.size());
  (void)p.server->receive_tls(copy);
}

std::vector<uint8_t> take_app(Connection& c) {
  auto in = c.app_data();
  std::vector<uint8_t> out(in.begin(), in.end());
  c.consume_app_data(in.size());
  return out;
}

bool has_event(Connection& c, Event want) {
  bool found = false;
  while (auto e = c.poll_event())
    if (*e == want) found = true;
  return found;
}

TEST(EarlyData, AcceptedDataArrivesWithTheClientHello) {
  Env e;
  e.prime();
  const auto request = bytes_of("GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n");
  auto p = e.connect_early(request);
  client_flight(p);
  // Before the server's flight reached the client, the server already holds
  // the request, marked as early (replayable) data.
  ASSERT_FALSE(p.server->error()) << err(*p.server);
  EXPECT_FALSE(p.server->is_handshake_done());
  auto early = p.server->early_data();
  EXPECT_EQ(std::vector<uint8_t>(early.begin(), early.end()), request);
  EXPECT_TRUE(has_event(*p.server, Event::early_data_received));
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.client->summary().early_data, EarlyData::accepted);
  EXPECT_EQ(p.server->summary().early_data, EarlyData::accepted);
  EXPECT_TRUE(p.client->summary().resumed);
  EXPECT_TRUE(take_app(*p.server).empty());  // not delivered twice
  p.server->consume_early_data(request.size());
  EXPECT_TRUE(p.server->early_data().empty());
  transfer(p, true, 40000);
  transfer(p, false, 40000);
}

TEST(EarlyData, LargerThanTheTicketAllowsTheRestFollowsTheHandshake) {
  Env e;
  e.sc->max_early_data = 1000;
  e.prime();
  auto data = pattern(5000, 7);
  auto p = e.connect_early(data);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.server->summary().early_data, EarlyData::accepted);
  auto early = p.server->early_data();
  ASSERT_EQ(early.size(), 1000u);
  std::vector<uint8_t> got(early.begin(), early.end());
  auto rest = take_app(*p.server);
  got.insert(got.end(), rest.begin(), rest.end());
  EXPECT_EQ(got, data);
}

TEST(EarlyData, RefusedDataIsSkippedAndSentAgainAfterTheHandshake) {
  Env e;
  e.prime();
  auto refusing = std::make_shared<ServerConfig>(*e.sc);
  refusing->max_early_data = 0;  // this server takes no 0-RTT (its tickets did)
  e.sc = refusing;
  const auto request = pattern(3000, 3);
  auto p = e.connect_early(request);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.client->summary().resumed);
  EXPECT_EQ(p.client->summary().early_data, EarlyData::rejected);
  EXPECT_EQ(p.server->summary().early_data, EarlyData::rejected);
  EXPECT_TRUE(has_event(*p.client, Event::early_data_rejected));
  EXPECT_TRUE(p.server->early_data().empty());
  EXPECT_EQ(take_app(*p.server), request);  // resent once, under 1-RTT keys
  EXPECT_FALSE(p.client->summary().early_data_dropped);
}

TEST(EarlyData, RefusedDataIsDroppedWhenResendIsOff) {
  Env e;
  e.prime();
  auto refusing = std::make_shared<ServerConfig>(*e.sc);
  refusing->max_early_data = 0;
  e.sc = refusing;
  auto p = e.connect_early(bytes_of("PING"), /*resend=*/false);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.client->summary().early_data, EarlyData::rejected);
  EXPECT_TRUE(take_app(*p.server).empty());
  transfer(p, true, 1000);  // the connection itself is fine
}

TEST(EarlyData, WithoutATicketTheDataIsSentAfterTheHandshake) {
  Env e;  // nothing primed: a full handshake
  auto p = e.connect_early(bytes_of("hello"));
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.client->summary().early_data, EarlyData::not_offered);
  EXPECT_EQ(take_app(*p.server), bytes_of("hello"));
}

TEST(EarlyData, AReplayedClientHelloGetsNoEarlyData) {
  Env e;
  e.prime();
  auto p = e.connect_early(bytes_of("POST /transfer?amount=100"));
  auto b = p.client->pending_tls();
  std::vector<uint8_t> first_flight(b.begin(), b.end());
  // The genuine server takes it...
  ASSERT_TRUE(p.server->receive_tls(first_flight).ok()) << err(*p.server);
  EXPECT_EQ(p.server->summary().early_data, EarlyData::accepted);
  EXPECT_FALSE(p.server->early_data().empty());
  // ... an attacker replays the same bytes to another server of the fleet
  // (same ticket keys, same replay guard): the ticket is still good for a
  // 1-RTT handshake, but its early data is skipped.
  auto replay = Connection::server(e.sc);
  ASSERT_TRUE(replay.ok());
  ASSERT_TRUE((*replay)->receive_tls(first_flight).ok()) << err(**replay);
  EXPECT_EQ((*replay)->summary().early_data, EarlyData::rejected);
  EXPECT_TRUE((*replay)->early_data().empty());
  EXPECT_EQ(e.guard->size(), 1u);
  // A whole window later the ClientHello's ticket age still passes the
  // freshness check (|10 s - 0 s| is not more than the 10 s window), so the
  // guard must still remember the ticket: no early data then either.
  auto later = std::make_shared<ServerConfig>(*e.sc);
  later->clock = [] { return kTestNow + 10; };
  auto late_replay = Connection::server(later);
  ASSERT_TRUE(late_replay.ok());
  ASSERT_TRUE((*late_replay)->receive_tls(first_flight).ok()) << err(**late_replay);
  EXPECT_EQ((*late_replay)->summary().early_data, EarlyData::rejected);
  EXPECT_TRUE((*late_replay)->early_data().empty());
}

TEST(EarlyData, AStaleTicketAgeIsOutsideTheFreshnessWindow) {
  Env e;
  e.prime();
  // The client believes the ticket is fresh; the server's clock says it was
  // issued a minute ago (a ClientHello recorded and replayed a minute later
  // looks like this).
  auto later = std::make_shared<ServerConfig>(*e.sc);
  later->clock = [] { return kTestNow + 60; };
  e.sc = later;
  auto p = e.connect_early(bytes_of("x"));
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.server->summary().resumed);
  EXPECT_EQ(p.server->summary().early_data, EarlyData::rejected);
  EXPECT_EQ(take_app(*p.server), bytes_of("x"));
}

TEST(EarlyData, MoreThanTheServersLimitIsUnexpectedMessage) {
  Env e;
  e.sc->max_early_data = 4000;  // the ticket allows 4000 bytes
  e.prime();
  auto smaller = std::make_shared<ServerConfig>(*e.sc);
  smaller->max_early_data = 100;  // but this server now takes only 100
  e.sc = smaller;
  auto p = e.connect_early(pattern(4000, 9));
  client_flight(p);
  ASSERT_TRUE(p.server->error());
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::unexpected_message);
  EXPECT_NE(p.server->error()->message().find("max_early_data_size"), std::string::npos)
      << err(*p.server);
}

TEST(EarlyData, HelloRetryRequestRefusesItAndTheSecondHelloIsPlaintext) {
  Env e;
  e.cc->policy.key_share_groups = {NamedGroup::x25519};
  e.sc->policy.groups = {NamedGroup::secp256r1};  // forces an HRR every time
  e.sc->policy.key_share_groups = {NamedGroup::secp256r1};
  e.prime();
  const auto request = pattern(2000, 5);
  auto p = e.connect_early(request);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.server->summary().hello_retry);
  EXPECT_TRUE(p.server->summary().resumed);
  EXPECT_EQ(p.client->summary().early_data, EarlyData::rejected);
  EXPECT_EQ(p.server->summary().early_data, EarlyData::rejected);
  EXPECT_EQ(take_app(*p.server), request);
}

TEST(EarlyData, ServerRefusesWhenTheAlpnDiffersFromTheTickets) {
  Env e;
  e.cc->alpn = {"h2", "http/1.1"};
  e.sc->alpn = {"h2", "http/1.1"};
  e.prime();  // ticket for h2
  auto other = std::make_shared<ServerConfig>(*e.sc);
  other->alpn = {"http/1.1", "h2"};  // would now choose http/1.1
  e.sc = other;
  auto p = e.connect_early(bytes_of("GET /"));
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.server->summary().alpn, "http/1.1");
  EXPECT_EQ(p.server->summary().early_data, EarlyData::rejected);
  // RFC 8446 4.2.10: the data was written for h2; the client does not send
  // it again under http/1.1, and says so.
  EXPECT_TRUE(take_app(*p.server).empty());
  EXPECT_EQ(p.client->summary().early_data, EarlyData::rejected);
  EXPECT_TRUE(p.client->summary().early_data_dropped);
}

TEST(EarlyData, BothSidesLogTheSameEarlyTrafficSecret) {
  Env e;
  e.prime();
  std::vector<std::string> client_lines, server_lines;
  auto cc = std::make_shared<ClientConfig>(*e.cc);
  cc->keylog = [&](std::string_view l) { client_lines.emplace_back(l); };
  auto sc = std::make_shared<ServerConfig>(*e.sc);
  sc->keylog = [&](std::string_view l) { server_lines.emplace_back(l); };
  e.cc = cc;
  e.sc = sc;
  auto p = e.connect_early(bytes_of("hi"));
  ASSERT_TRUE(p.handshake());
  auto find = [](const std::vector<std::string>& v) {
    for (const auto& l : v)
      if (l.rfind("CLIENT_EARLY_TRAFFIC_SECRET ", 0) == 0) return l;
    return std::string();
  };
  EXPECT_FALSE(find(client_lines).empty());
  EXPECT_EQ(find(client_lines), find(server_lines));
}

TEST(EarlyData, TicketsSayHowMuchEarlyDataTheyAllow) {
  Env e;
  e.sc->max_early_data = 12345;
  e.prime();
  auto s = e.store->take("localhost", kTestNow * 1000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->max_early_data, 12345u);
  Env off;
  off.sc->max_early_data = 0;
  off.prime();
  auto t = off.store->take("localhost", kTestNow * 1000);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->max_early_data, 0u);
}

TEST(ReplayGuard, ClaimsOncePerWindowAndFailsClosedWhenFull) {
  MemoryReplayGuard g(std::chrono::seconds(10), 2);
  std::array<uint8_t, 32> a{}, b{}, c{};
  a[0] = 1;
  b[0] = 2;
  c[0] = 3;
  EXPECT_TRUE(g.claim(a, 1000));
  EXPECT_FALSE(g.claim(a, 2000));  // replay within the window
  EXPECT_TRUE(g.claim(b, 2000));
  EXPECT_FALSE(g.claim(c, 3000));  // full: refuse rather than forget
  // A ClientHello whose ticket age ran a window ahead of the server's stays
  // fresh for two windows: a is still remembered at 1000 + 20000...
  EXPECT_FALSE(g.claim(a, 21000));
  EXPECT_FALSE(g.claim(c, 21000));  // (and the record is still full)
  // ... and forgotten after, when no replay of it can pass the freshness check.
  EXPECT_TRUE(g.claim(c, 21001));
  EXPECT_EQ(g.size(), 2u);
}

// psk_ke (RFC 8446 4.2.9): PSK-only resumption, by policy on both sides.
TEST(PskModes, PskKeWhenBothPoliciesPreferIt) {
  Env e;
  e.cc->policy.psk_modes = {PskMode::psk_ke, PskMode::psk_dhe_ke};
  e.sc->policy.psk_modes = {PskMode::psk_ke, PskMode::psk_dhe_ke};
  e.prime();
  std::vector<std::string> lines;
  auto p = make_tls_pair(e.cc, e.sc);
  p.server->set_trace([&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.client->summary().resumed);
  EXPECT_TRUE(p.client->summary().psk_only);
  EXPECT_TRUE(p.server->summary().psk_only);
  EXPECT_EQ(p.client->summary().group, 0);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("no forward secrecy"), std::string::npos) << all;
  transfer(p, true, 20000);
  transfer(p, false, 20000);
}

TEST(PskModes, DefaultServerPolicyKeepsDheEvenIfTheClientOffersPskKe) {
  Env e;
  e.cc->policy.psk_modes = {PskMode::psk_ke, PskMode::psk_dhe_ke};
  e.prime();
  auto p = make_tls_pair(e.cc, e.sc);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.server->summary().resumed);
  EXPECT_FALSE(p.server->summary().psk_only);
  EXPECT_NE(p.client->summary().group, 0);
}

TEST(PskModes, NoCommonModeMeansNoTicketsAndFullHandshakes) {
  Env e;
  e.cc->policy.psk_modes = {PskMode::psk_ke};  // the server allows only psk_dhe_ke
  auto p = make_tls_pair(e.cc, e.sc);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(e.store->size(), 0u);  // tickets it could not use were not sent
}

TEST(PskModes, PskKeWithEarlyData) {
  Env e;
  e.cc->policy.psk_modes = {PskMode::psk_ke};
  e.sc->policy.psk_modes = {PskMode::psk_ke};
  e.prime();
  auto p = e.connect_early(bytes_of("ping"));
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.server->summary().psk_only);
  EXPECT_EQ(p.server->summary().early_data, EarlyData::accepted);
  auto early = p.server->early_data();
  EXPECT_EQ(std::vector<uint8_t>(early.begin(), early.end()), bytes_of("ping"));
}

}  // namespace
}  // namespace tessera::testing
