// Connection::export_keying_material: both ends derive the same bytes, from
// the right secret (checked against the key schedule from the key log), in
// TLS 1.3 (RFC 8446 7.5) and TLS 1.2 (RFC 5705); full and resumed
// handshakes; the argument and state checks. Interop with OpenSSL's
// -keymatexport is in tests/interop.
#include <gtest/gtest.h>

#include <map>

#include "base/hex.h"
#include "crypto/key_schedule.h"
#include "crypto/tls12_keys.h"
#include "handshake/tls12_common.h"
#include "pair.h"
#include "tessera/session.h"

namespace tessera::testing {
namespace {

Bytes exported(const Connection& c, std::string_view label, size_t n,
               std::optional<Bytes> context = std::nullopt) {
  Bytes out(n);
  auto r = c.export_keying_material(
      out, label, context ? std::optional<std::span<const uint8_t>>(*context) : std::nullopt);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return out;
}

Policy tls12_only() {
  Policy p = Policy::default_policy();
  p.min_version = p.max_version = ProtocolVersion::tls12;
  return p;
}

TEST(Exporter, Tls13BothEndsAgreeAndMatchTheKeySchedule) {
  KeyLog log;
  auto cc = client_config();
  cc->policy.cipher_suites = {CipherSuite::TLS_AES_256_GCM_SHA384};
  cc->keylog = collect_key_log(log);
  auto p = handshaken_pair(cc, server_config());
  const Bytes ctx = {1, 2, 3};
  Bytes c = exported(*p.client, "EXPORTER-Channel-Binding", 32);
  EXPECT_EQ(c, exported(*p.server, "EXPORTER-Channel-Binding", 32));
  // RFC 8446 7.5 over the exporter_master_secret the key schedule derived.
  auto want = crypto::export_keying_material(*crypto::default_provider(), HashAlgorithm::sha384,
                                             log["EXPORTER_SECRET"], "EXPORTER-Channel-Binding",
                                             ByteView(), 32);
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(c, Bytes(want->view().begin(), want->view().end()));
  // No context and an empty one are the same in TLS 1.3; a context, another
  // label or another length change the output.
  EXPECT_EQ(c, exported(*p.client, "EXPORTER-Channel-Binding", 32, Bytes{}));
  Bytes with_ctx = exported(*p.client, "EXPORTER-Channel-Binding", 32, ctx);
  EXPECT_NE(c, with_ctx);
  EXPECT_EQ(with_ctx, exported(*p.server, "EXPORTER-Channel-Binding", 32, ctx));
  EXPECT_NE(c, exported(*p.client, "EXPORTER-other", 32));
  Bytes longer = exported(*p.client, "EXPORTER-Channel-Binding", 48);
  EXPECT_NE(Bytes(longer.begin(), longer.begin() + 32), c);  // the length is in the HkdfLabel
  // The largest output: 255 hash lengths of SHA-384.
  EXPECT_EQ(exported(*p.server, "EXPORTER-x", 255 * 48),
            exported(*p.client, "EXPORTER-x", 255 * 48));
}

// KeyUpdate changes the traffic keys, not the exporter.
TEST(Exporter, Tls13UnchangedByKeyUpdate) {
  auto p = handshaken_pair(client_config(), server_config());
  Bytes before = exported(*p.client, "EXPORTER-test", 32);
  ASSERT_TRUE(p.client->key_update(true).ok());
  ASSERT_TRUE(p.pump());
  EXPECT_EQ(exported(*p.client, "EXPORTER-test", 32), before);
  EXPECT_EQ(exported(*p.server, "EXPORTER-test", 32), before);
}

TEST(Exporter, Tls12BothEndsAgreeAndMatchRfc5705) {
  KeyLog log;
  Bytes client_random;
  auto cc = client_config();
  auto sc = server_config();
  cc->policy = sc->policy = tls12_only();
  cc->keylog = collect_key_log(log, &client_random);
  auto p = make_tls_pair(cc, sc);
  // The server random, from the ServerHello (record header, handshake
  // header, version).
  ASSERT_TRUE(p.server->receive_tls(p.client->pending_tls()).ok());
  p.client->consume_tls(p.client->pending_tls().size());
  auto flight = p.server->pending_tls();
  Bytes server_random(flight.begin() + 11, flight.begin() + 43);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  ASSERT_EQ(p.client->summary().version, ProtocolVersion::tls12);
  ASSERT_TRUE(p.client->summary().extended_master_secret);

  Bytes c = exported(*p.client, "EXPORTER-test", 40);
  EXPECT_EQ(c, exported(*p.server, "EXPORTER-test", 40));
  auto suite = cipher_suite_info(p.client->summary().cipher_suite);
  auto want = crypto::tls12_export_keying_material(*crypto::default_provider(), suite->hash,
                                                   log["CLIENT_RANDOM"], "EXPORTER-test",
                                                   client_random, server_random, std::nullopt, 40);
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(c, Bytes(want->view().begin(), want->view().end()));
  // RFC 5705 4: in TLS 1.2 an empty context is not the same as none.
  Bytes empty_ctx = exported(*p.client, "EXPORTER-test", 40, Bytes{});
  EXPECT_NE(c, empty_ctx);
  EXPECT_EQ(empty_ctx, exported(*p.server, "EXPORTER-test", 40, Bytes{}));
}

// RFC 7627 5.4: "If a client or server chooses to continue with a full
// handshake without the extended master secret extension, then the new
// session becomes vulnerable to the man-in-the-middle key synchronization
// attack [...] they MUST NOT export any key material based on the new
// master secret". tessera always negotiates it with itself, so the rule is
// checked on the TLS 1.2 exporter directly; interop covers a real peer.
TEST(Exporter, Tls12WithoutExtendedMasterSecretIsRefused) {
  auto& prov = *crypto::default_provider();
  handshake::Tls12Secrets secrets;
  secrets.master = SecretBytes(Bytes(48, 9));
  const Bytes random(32, 1);
  auto suite = *cipher_suite_info(0xc02b);
  auto r = handshake::tls12_exporter(prov, suite, false, &secrets, random, random, "EXPORTER-test",
                                     std::nullopt, 32);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::insufficient_security);
  EXPECT_NE(r.error().to_string().find("RFC 7627"), std::string::npos);
  EXPECT_TRUE(handshake::tls12_exporter(prov, suite, true, &secrets, random, random,
                                        "EXPORTER-test", std::nullopt, 32)
                  .ok());
}

// Resumed handshakes have their own exporter secret, and both ends agree.
TEST(Exporter, ResumedConnectionsAgree) {
  for (bool tls12 : {false, true}) {
    auto store = std::make_shared<MemorySessionStore>();
    auto cc = client_config();
    auto sc = server_config();
    if (tls12) cc->policy = sc->policy = tls12_only();
    cc->session_store = store;
    sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
    auto first = handshaken_pair(cc, sc);
    auto second = handshaken_pair(cc, sc);
    ASSERT_TRUE(second.client->summary().resumed) << tls12;
    Bytes a = exported(*second.client, "EXPORTER-test", 32);
    EXPECT_EQ(a, exported(*second.server, "EXPORTER-test", 32)) << tls12;
    EXPECT_NE(a, exported(*first.client, "EXPORTER-test", 32)) << tls12;
  }
}

// The other ways a handshake can go: HelloRetryRequest, accepted 0-RTT, and
// a TLS 1.2 session resumed by ID. Both ends agree in each.
TEST(Exporter, AgreeAfterHelloRetryZeroRttAndSessionIdResumption) {
  {
    auto sc = server_config();
    sc->policy.groups = sc->policy.key_share_groups = {NamedGroup::secp256r1};
    auto p = handshaken_pair(client_config(), sc);
    ASSERT_TRUE(p.client->summary().hello_retry);
    EXPECT_EQ(exported(*p.client, "EXPORTER-hrr", 32), exported(*p.server, "EXPORTER-hrr", 32));
  }
  {
    auto store = std::make_shared<MemorySessionStore>();
    auto cc = client_config();
    auto sc = server_config();
    cc->session_store = store;
    sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
    sc->replay_guard = std::make_shared<MemoryReplayGuard>();
    sc->max_early_data = 1024;
    handshaken_pair(cc, sc);
    auto c = Connection::client_with_early_data(cc, {"localhost", {}},
                                                EarlyDataRequest{Bytes{'h', 'i'}});
    ASSERT_TRUE(c.ok());
    Pair p;
    p.client = std::move(*c);
    p.server = std::move(*Connection::server(sc));
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    ASSERT_EQ(p.client->summary().early_data, EarlyData::accepted);
    EXPECT_EQ(exported(*p.client, "EXPORTER-0rtt", 32), exported(*p.server, "EXPORTER-0rtt", 32));
  }
  {
    auto store = std::make_shared<MemorySessionStore>();
    auto cc = client_config();
    auto sc = server_config();
    cc->policy = sc->policy = tls12_only();
    cc->session_store = store;
    sc->tls12_tickets = false;  // a session ID instead
    handshaken_pair(cc, sc);
    auto p = handshaken_pair(cc, sc);
    ASSERT_TRUE(p.client->summary().resumed);
    ASSERT_TRUE(p.server->summary().resumed);
    EXPECT_EQ(exported(*p.client, "EXPORTER-id", 32), exported(*p.server, "EXPORTER-id", 32));
  }
}

void expect_refused(const Connection& c, std::string_view label, size_t n, ErrorCode code,
                    std::string_view what, std::optional<Bytes> context = std::nullopt) {
  Bytes out(n);
  auto r = c.export_keying_material(
      out, label, context ? std::optional<std::span<const uint8_t>>(*context) : std::nullopt);
  ASSERT_FALSE(r.ok()) << label;
  EXPECT_EQ(r.error().code(), code) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find(what), std::string::npos) << r.error().to_string();
}

TEST(Exporter, RefusesBadArgumentsAndEarlyCalls) {
  auto p = make_tls_pair(client_config(), server_config());
  expect_refused(*p.client, "EXPORTER-test", 32, ErrorCode::internal_error, "before the handshake");
  ASSERT_TRUE(p.handshake());
  expect_refused(*p.client, "", 32, ErrorCode::config_invalid, "1..249");
  expect_refused(*p.client, std::string(250, 'E'), 32, ErrorCode::config_invalid, "1..249");
  EXPECT_EQ(exported(*p.client, std::string(249, 'E'), 32),
            exported(*p.server, std::string(249, 'E'), 32));
  for (const char* own : {"key expansion", "master secret", "client finished", "server finished",
                          "extended master secret"})
    expect_refused(*p.client, own, 32, ErrorCode::config_invalid, "one TLS itself uses");
  expect_refused(*p.client, "EXPORTER-test", 0, ErrorCode::config_invalid, "1..8160");
  expect_refused(*p.client, "EXPORTER-test", 255 * 32 + 1, ErrorCode::config_invalid, "1..8160");
  expect_refused(*p.client, "EXPORTER-test", 32, ErrorCode::config_invalid, "65535",
                 Bytes(65536, 0));
  // None of these hurt the connection.
  EXPECT_FALSE(p.client->error());
  ASSERT_TRUE(p.client->write(std::vector<uint8_t>{'o', 'k'}).ok());
  ASSERT_TRUE(p.pump());
  EXPECT_EQ(p.server->app_data().size(), 2u);
}

// The two-argument form is no context; in TLS 1.3 the same as an empty one.
TEST(Exporter, TwoArgumentFormIsNoContext) {
  auto p = handshaken_pair(client_config(), server_config());
  Bytes a(32), b(32);
  ASSERT_TRUE(p.client->export_keying_material(a, "EXPORTER-Channel-Binding").ok());
  ASSERT_TRUE(p.server->export_keying_material(b, "EXPORTER-Channel-Binding", Bytes{}).ok());
  EXPECT_EQ(a, b);
}

TEST(Exporter, RefusedAfterAFatalError) {
  auto p = handshaken_pair(client_config(), server_config());
  const uint8_t junk[] = {0x17, 0x03, 0x03, 0x00, 0x20, 1,  2,  3,  4,  5,  6,  7,  8,
                          9,    10,   11,   12,   13,   14, 15, 16, 17, 18, 19, 20, 21,
                          22,   23,   24,   25,   26,   27, 28, 29, 30, 31, 32};
  ASSERT_FALSE(p.server->receive_tls(junk).ok());
  // Like every call after a fatal error, the error itself.
  expect_refused(*p.server, "EXPORTER-test", 32, ErrorCode::bad_record_mac, "");
}

}  // namespace
}  // namespace tessera::testing
