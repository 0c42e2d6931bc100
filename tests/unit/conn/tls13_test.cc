// In-memory TLS 1.3 client <-> server tests over the sans-I/O Connection.
#include <gtest/gtest.h>

#include <numeric>

#include "pair.h"

namespace tessera::testing {
namespace {

TEST(Tls13, HandshakeAndDataBothWays) {
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  const auto& s = p.client->summary();
  EXPECT_EQ(s.version, ProtocolVersion::tls13);
  EXPECT_EQ(s.cipher_suite, 0x1301);
  EXPECT_EQ(s.group, 0x001d);
  EXPECT_EQ(s.signature_scheme, 0x0403);
  EXPECT_EQ(s.peer_subject, "CN=localhost");
  EXPECT_EQ(s.peer_verified_by, "CN=tessera test CA");
  EXPECT_EQ(p.server->summary().server_name, "localhost");
  EXPECT_EQ(p.client->poll_event(), Event::handshake_done);
  transfer(p, true, 1000);
  transfer(p, false, 70000);
  p.client->close();
  ASSERT_TRUE(p.pump());
  EXPECT_TRUE(p.server->is_peer_closed());
}

struct MatrixCase {
  const char* group;
  const char* suite;
  const char* cred;
};

class Tls13Matrix : public ::testing::TestWithParam<MatrixCase> {};

TEST_P(Tls13Matrix, Negotiates) {
  const auto& c = GetParam();
  auto cc = client_config();
  ASSERT_TRUE(cc->policy.set_groups(c.group).ok());
  ASSERT_TRUE(cc->policy.set_cipher_suites(c.suite).ok());
  auto p = make_tls_pair(cc, server_config(c.cred));
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(group_name(p.client->summary().group),
            group_name(static_cast<uint16_t>(*parse_group(c.group))));
  EXPECT_EQ(cipher_suite_name(p.server->summary().cipher_suite), c.suite);
  EXPECT_FALSE(p.client->summary().hello_retry);
  transfer(p, true, 20000);
  transfer(p, false, 20000);
}

std::vector<MatrixCase> matrix() {
  std::vector<MatrixCase> v;
  for (const char* g : {"x25519", "secp256r1", "secp384r1", "ffdhe2048", "ffdhe3072", "ffdhe4096"})
    for (const char* s :
         {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"})
      for (const char* k : {"server-ec", "server-p384", "server-rsa", "server-ed25519"}) {
        // keep the slow ffdhe groups to one credential
        if ((std::string(g) == "ffdhe3072" || std::string(g) == "ffdhe4096") &&
            std::string(k) != "server-ec")
          continue;
        v.push_back({g, s, k});
      }
  return v;
}

INSTANTIATE_TEST_SUITE_P(AllGroupsSuitesKeys, Tls13Matrix, ::testing::ValuesIn(matrix()),
                         [](const auto& param_info) {
                           std::string n = std::string(param_info.param.group) + "_" +
                                           param_info.param.suite + "_" + param_info.param.cred;
                           for (auto& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

TEST(Tls13, SignatureSchemesPerKey) {
  struct Case {
    const char* cred;
    const char* schemes;
    uint16_t want;
  } cases[] = {
      {"server-rsa", "rsa_pss_rsae_sha256", 0x0804},
      {"server-rsa", "rsa_pss_rsae_sha384", 0x0805},
      {"server-rsa", "rsa_pss_rsae_sha512", 0x0806},
      {"server-p384", "ecdsa_secp384r1_sha384", 0x0503},
      {"server-ed25519", "ed25519", 0x0807},
  };
  for (const auto& c : cases) {
    auto cc = client_config();
    ASSERT_TRUE(cc->policy.set_signature_schemes(c.schemes).ok());
    auto p = make_tls_pair(cc, server_config(c.cred));
    ASSERT_TRUE(p.handshake()) << c.cred << " " << c.schemes << ": " << err(*p.client);
    EXPECT_EQ(p.client->summary().signature_scheme, c.want) << c.cred;
  }
}

// Policy::min_rsa_bits raises the bar for the RSA keys on the peer's path
// (never below 2048): a 2048-bit server key is refused under 3072, in both
// versions, with cert_weak_key.
TEST(Tls13, PolicyMinRsaBitsAppliesToThePeersCertificates) {
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    auto cc = versioned_client_config(v, "");
    cc->policy.min_rsa_bits = 3072;
    auto p = make_tls_pair(cc, server_config("server-rsa"));
    ASSERT_FALSE(p.handshake());
    ASSERT_TRUE(p.client->error());
    EXPECT_EQ(p.client->error()->code(), ErrorCode::cert_weak_key) << err(*p.client);
    EXPECT_NE(p.client->error()->message().find("below the minimum of 3072"), std::string::npos)
        << err(*p.client);
    auto ok = versioned_client_config(v, "");  // 2048, the default
    auto q = make_tls_pair(ok, server_config("server-rsa"));
    EXPECT_TRUE(q.handshake()) << err(*q.client);
  }
}

TEST(Tls13, HelloRetryRequestWhenNoAcceptableShare) {
  auto cc = client_config();
  ASSERT_TRUE(cc->policy.set_groups("x25519,secp384r1").ok());  // share for x25519 only
  auto sc = server_config();
  ASSERT_TRUE(sc->policy.set_groups("secp384r1").ok());
  auto p = make_tls_pair(cc, sc);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.client->summary().hello_retry);
  EXPECT_TRUE(p.server->summary().hello_retry);
  EXPECT_EQ(p.client->summary().group, 0x0018);
  transfer(p, true, 5000);
}

TEST(Tls13, NoCommonGroupExplainsItself) {
  auto cc = client_config();
  ASSERT_TRUE(cc->policy.set_groups("x25519").ok());
  auto sc = server_config();
  ASSERT_TRUE(sc->policy.set_groups("secp384r1").ok());
  auto p = make_tls_pair(cc, sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->message(),
            "no common group: peer offered [x25519], policy allows [secp384r1]");
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::peer_alert);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::handshake_failure);
}

TEST(Tls13, NoCommonSuite) {
  auto cc = client_config();
  ASSERT_TRUE(cc->policy.set_cipher_suites("TLS_CHACHA20_POLY1305_SHA256").ok());
  auto sc = server_config();
  ASSERT_TRUE(sc->policy.set_cipher_suites("TLS_AES_256_GCM_SHA384").ok());
  auto p = make_tls_pair(cc, sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::handshake_failure);
  EXPECT_NE(p.server->error()->message().find("peer offered [TLS_CHACHA20_POLY1305_SHA256]"),
            std::string::npos);
}

TEST(Tls13, Alpn) {
  auto cc = client_config();
  cc->alpn = {"h2", "http/1.1"};
  auto sc = server_config();
  sc->alpn = {"http/1.1", "h2"};
  auto p = make_tls_pair(cc, sc);
  ASSERT_TRUE(p.handshake());
  EXPECT_EQ(p.client->summary().alpn, "http/1.1");  // server preference
  EXPECT_EQ(p.server->summary().alpn, "http/1.1");

  auto cc2 = client_config();
  cc2->alpn = {"spdy/3"};
  auto p2 = make_tls_pair(cc2, sc);
  EXPECT_FALSE(p2.pump());
  ASSERT_NE(p2.server->error(), nullptr);
  EXPECT_EQ(p2.server->error()->alert(), AlertDescription::no_application_protocol);
}

TEST(Tls13, CertificateChosenBySni) {
  auto sc = server_config();
  sc->credentials = {credential("server-other"), credential("server-ec")};
  auto cc = client_config();
  auto p = make_tls_pair(cc, sc, "localhost");
  ASSERT_TRUE(p.handshake()) << err(*p.client);
  EXPECT_EQ(p.client->summary().peer_subject, "CN=localhost");
  auto p2 = make_tls_pair(cc, sc, "other.example");
  ASSERT_TRUE(p2.handshake()) << err(*p2.client);
  EXPECT_EQ(p2.client->summary().peer_subject, "CN=other.example");
}

TEST(Tls13, IpAddressIdentity) {
  auto p = make_tls_pair(client_config(), server_config(), "127.0.0.1");
  ASSERT_TRUE(p.handshake()) << err(*p.client);
  EXPECT_EQ(p.server->summary().server_name, "");  // RFC 6066: no SNI for IP literals
}

TEST(Tls13, MutualTlsRequired) {
  auto sc = server_config();
  sc->client_auth = ClientAuth::required;
  sc->client_trust = trust();
  auto cc = client_config();
  cc->credential = credential("client-ec");
  auto p = make_tls_pair(cc, sc);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.server->summary().client_authenticated);
  EXPECT_EQ(p.server->summary().peer_subject, "CN=tessera test client");
  EXPECT_TRUE(p.client->summary().client_authenticated);
  transfer(p, true, 3000);
}

TEST(Tls13, MutualTlsRequiredButAbsent) {
  auto sc = server_config();
  sc->client_auth = ClientAuth::required;
  sc->client_trust = trust();
  auto p = make_tls_pair(client_config(), sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::certificate_required);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::certificate_required);
  // The client finished its side first (TLS 1.3), then receives the alert.
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::certificate_required);
}

TEST(Tls13, MutualTlsOptional) {
  auto sc = server_config();
  sc->client_auth = ClientAuth::optional;
  sc->client_trust = trust();
  auto p = make_tls_pair(client_config(), sc);
  ASSERT_TRUE(p.handshake()) << err(*p.server);
  EXPECT_FALSE(p.server->summary().client_authenticated);
  auto cc = client_config();
  cc->credential = credential("client-ec");
  auto p2 = make_tls_pair(cc, sc);
  ASSERT_TRUE(p2.handshake());
  EXPECT_TRUE(p2.server->summary().client_authenticated);
}

TEST(Tls13, UntrustedClientCertificateRefused) {
  auto sc = server_config();
  sc->client_auth = ClientAuth::required;
  sc->client_trust = trust();
  auto cc = client_config();
  cc->credential = credential("rogue-client");
  auto p = make_tls_pair(cc, sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::cert_untrusted);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::unknown_ca);
  EXPECT_NE(p.server->error()->message().find("client certificate rejected"), std::string::npos);
}

TEST(Tls13, WrongHostRefused) {
  auto p = make_tls_pair(client_config(), server_config(), "www.example.org");
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::cert_name_mismatch);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::bad_certificate);
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::bad_certificate);
}

TEST(Tls13, UntrustedServerRefused) {
  auto cc = client_config();
  cc->trust = trust("rogue-ca.pem");
  auto p = make_tls_pair(cc, server_config());
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::cert_untrusted);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::unknown_ca);
}

TEST(Tls13, ExpiredServerRefused) {
  auto cc = client_config();
  cc->clock = [] { return int64_t{4102444800} + 100LL * 365 * 86400; };  // 2230
  auto p = make_tls_pair(cc, server_config());
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::certificate_expired);
}

TEST(Tls13, KeyUpdateBothWays) {
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake());
  transfer(p, true, 100);
  ASSERT_TRUE(p.client->key_update(/*request_peer=*/true).ok());
  ASSERT_TRUE(p.pump());
  transfer(p, true, 5000);
  transfer(p, false, 5000);
  bool saw = false;
  while (auto e = p.server->poll_event()) saw |= *e == Event::key_update_received;
  EXPECT_TRUE(saw);
  saw = false;
  while (auto e = p.client->poll_event()) saw |= *e == Event::key_update_received;
  EXPECT_TRUE(saw);  // the server answered update_requested
  ASSERT_TRUE(p.server->key_update(false).ok());
  ASSERT_TRUE(p.pump());
  transfer(p, false, 5000);
}

// RFC 8446 5.5 / 4.6.3: after Limits::key_update_records records under one
// key the sender moves to the next with a KeyUpdate before its next record
// (the same mechanism that enforces AES-GCM's 2^24.5-record limit); the
// peer reads on.
TEST(Tls13, KeyUpdateAtTheRecordLimit) {
  auto cc = versioned_client_config(ProtocolVersion::tls13, "");
  cc->policy.limits.key_update_records = 4;
  auto p = handshaken_pair(cc, server_config());
  (void)drain_events(*p.server);
  std::string sent;
  for (int i = 0; i < 10; ++i) {
    const std::string msg = "record " + std::to_string(i) + ";";
    ASSERT_TRUE(p.client->write(as_bytes_view(msg)).ok());
    sent += msg;
  }
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(read_all(*p.server), sent);
  int updates = 0;
  for (Event e : drain_events(*p.server)) updates += e == Event::key_update_received;
  // Four records under each key: KeyUpdates before the 5th and the 9th.
  EXPECT_EQ(updates, 2);
}

TEST(Tls13, LargeTransfersBothWays) {
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake());
  transfer(p, true, 64u << 20);
  transfer(p, false, 64u << 20);
}

TEST(Tls13, TamperedRecordIsBadRecordMac) {
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake());
  uint8_t msg[5] = {1, 2, 3, 4, 5};
  ASSERT_TRUE(p.client->write(msg).ok());
  auto b = p.client->pending_tls();
  std::vector<uint8_t> rec(b.begin(), b.end());
  p.client->consume_tls(rec.size());
  rec[rec.size() - 3] ^= 0x01;
  auto r = p.server->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
  // The server queued a bad_record_mac alert for the client.
  auto out = p.server->pending_tls();
  std::vector<uint8_t> alert(out.begin(), out.end());
  auto rc = p.client->receive_tls(alert);
  ASSERT_FALSE(rc.ok());
  EXPECT_EQ(rc.error().alert(), AlertDescription::bad_record_mac);
}

TEST(Tls13, ByteAtATimeDelivery) {
  auto p = make_tls_pair(client_config(), server_config());
  for (int round = 0;
       round < 16 && !(p.client->is_handshake_done() && p.server->is_handshake_done()); ++round) {
    for (Connection* from : {p.client.get(), p.server.get()}) {
      Connection* to = from == p.client.get() ? p.server.get() : p.client.get();
      auto b = from->pending_tls();
      std::vector<uint8_t> copy(b.begin(), b.end());
      from->consume_tls(copy.size());
      for (uint8_t byte : copy)
        ASSERT_TRUE(to->receive_tls(std::span<const uint8_t>(&byte, 1)).ok());
    }
  }
  EXPECT_TRUE(p.client->is_handshake_done());
  EXPECT_TRUE(p.server->is_handshake_done());
}

TEST(Tls13, ApplicationDataBeforeHandshakeIsRefused) {
  auto p = make_tls_pair(client_config(), server_config());
  uint8_t d[1] = {0};
  EXPECT_FALSE(p.client->write(d).ok());
}

// deliver hands everything `from` has queued to `to`.
void deliver(Connection& from, Connection& to) {
  auto b = from.pending_tls();
  std::vector<uint8_t> copy(b.begin(), b.end());
  from.consume_tls(copy.size());
  (void)to.receive_tls(copy);
}

// expect_canceled: `c` failed because its peer canceled the handshake.
void expect_canceled(const Connection& c) {
  ASSERT_TRUE(c.error());
  EXPECT_EQ(c.error()->code(), ErrorCode::peer_closed);
  EXPECT_NE(err(c).find("peer canceled the handshake"), std::string::npos) << err(c);
}

// close() before the handshake completes cancels it (RFC 8446 6.1):
// user_canceled, then close_notify; the peer reports the cancellation.
TEST(Tls13, CloseDuringTheHandshakeCancelsIt) {
  {
    auto p = make_tls_pair(client_config(), server_config());
    deliver(*p.client, *p.server);  // ClientHello
    std::vector<std::string> trace;
    p.server->set_trace([&](std::string_view l) { trace.emplace_back(l); });
    p.client->close();
    deliver(*p.client, *p.server);
    expect_canceled(*p.server);
    ASSERT_GE(trace.size(), 2u);
    EXPECT_NE(trace[trace.size() - 2].find("user_canceled"), std::string::npos);
    EXPECT_NE(trace.back().find("close_notify"), std::string::npos);
  }
  {
    // The server cancels after its HelloRetryRequest, while it waits for
    // the second ClientHello. (Once its whole flight is out, the client's
    // handshake is complete and the alerts only close the connection.)
    auto cc = client_config();
    ASSERT_TRUE(cc->policy.set_groups("x25519,secp384r1").ok());  // share for x25519 only
    auto sc = server_config();
    ASSERT_TRUE(sc->policy.set_groups("secp384r1").ok());
    auto p = make_tls_pair(cc, sc);
    deliver(*p.client, *p.server);  // ClientHello; the server answers with an HRR
    p.server->close();
    deliver(*p.server, *p.client);
    expect_canceled(*p.client);
  }
  {
    // After the handshake, close() is close_notify alone.
    auto p = make_tls_pair(client_config(), server_config());
    ASSERT_TRUE(p.handshake());
    std::vector<std::string> trace;
    p.server->set_trace([&](std::string_view l) { trace.emplace_back(l); });
    p.client->close();
    ASSERT_TRUE(p.pump());
    EXPECT_TRUE(p.server->is_peer_closed());
    ASSERT_EQ(trace.size(), 1u);
    EXPECT_NE(trace[0].find("close_notify"), std::string::npos);
  }
}

// The ClientHello is sent when the client is created, before any tracer can
// be installed; its line is formatted when set_trace replays it, here after
// the whole handshake, from the copies the deferred line owns.
TEST(Tls13, ClientHelloLineIsReplayedInFullAfterTheHandshake) {
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake());
  std::vector<std::string> cl;
  p.client->set_trace([&](std::string_view l) { cl.emplace_back(l); });
  ASSERT_EQ(cl.size(), 1u);
  const std::string& l = cl[0];
  EXPECT_EQ(l.rfind("-> ClientHello: offering TLS 1.3", 0), 0u) << l;
  EXPECT_NE(l.find("; cipher suites [TLS_AES_128_GCM_SHA256, "), std::string::npos) << l;
  EXPECT_NE(l.find("; key shares [x25519]"), std::string::npos) << l;
  EXPECT_NE(l.find("; SNI localhost"), std::string::npos) << l;
  EXPECT_NE(l.find("; random "), std::string::npos) << l;
  // Replayed once: a second tracer sees no early lines.
  std::vector<std::string> again;
  p.client->set_trace([&](std::string_view x) { again.emplace_back(x); });
  EXPECT_TRUE(again.empty());
}

TEST(Tls13, TraceDescribesEachStep) {
  auto sc = server_config();
  sc->client_auth = ClientAuth::required;
  sc->client_trust = trust();
  auto cc = client_config();
  cc->credential = credential("client-ec");
  auto p = make_tls_pair(cc, sc);
  std::vector<std::string> cl, sl;
  p.client->set_trace([&](std::string_view l) { cl.emplace_back(l); });
  p.server->set_trace([&](std::string_view l) { sl.emplace_back(l); });
  ASSERT_TRUE(p.handshake());
  auto has = [](const std::vector<std::string>& v, const char* s) {
    for (const auto& l : v)
      if (l.find(s) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has(cl, "-> ClientHello"));  // replayed: sent before set_trace
  EXPECT_TRUE(has(cl, "<- ServerHello"));
  EXPECT_TRUE(has(cl, "chain verified to trust anchor CN=tessera test CA"));
  EXPECT_TRUE(has(cl, "<- CertificateRequest"));
  EXPECT_TRUE(has(sl, "<- Certificate (client): CN=tessera test client"));
  EXPECT_TRUE(has(sl, "client Finished verified"));
}

TEST(Tls13, KeyLogLines) {
  std::vector<std::string> lines;
  auto cc = client_config();
  cc->keylog = [&](std::string_view l) { lines.emplace_back(l); };
  auto p = make_tls_pair(cc, server_config());
  ASSERT_TRUE(p.handshake());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].rfind("CLIENT_HANDSHAKE_TRAFFIC_SECRET ", 0), 0u);
  EXPECT_EQ(lines[3].rfind("SERVER_TRAFFIC_SECRET_0 ", 0), 0u);
  // label, 64 hex chars of client random, 64 hex chars of secret (SHA-256)
  EXPECT_EQ(lines[0].size(),
            std::string("CLIENT_HANDSHAKE_TRAFFIC_SECRET").size() + 1 + 64 + 1 + 64);
}

}  // namespace
}  // namespace tessera::testing
