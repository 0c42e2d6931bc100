// In-memory TLS 1.2 client <-> server tests, and version negotiation between
// TLS 1.2 and TLS 1.3, over the sans-I/O Connection.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <optional>

#include "crypto/provider.h"
#include "pair.h"
#include "record/record.h"
#include "wire/handshake.h"
#include "wire/hello.h"
#include "x509/certificate.h"

namespace tessera::testing {
namespace {

using CS = CipherSuite;

Policy policy_tls12(std::vector<CipherSuite> suites = {}) {
  Policy p = Policy::compat();
  p.min_version = ProtocolVersion::tls12;
  p.max_version = ProtocolVersion::tls12;
  if (!suites.empty())
    p.cipher_suites = std::move(suites);
  else
    p.cipher_suites = p.suites_for(ProtocolVersion::tls12);
  return p;
}

// --- every suite, with and without mTLS ------------------------------------

struct SuiteCase {
  CS suite;
  const char* cert;
  NamedGroup group;  // ignored for RSA key transport
};

class Tls12Suites : public ::testing::TestWithParam<std::tuple<SuiteCase, bool>> {};

TEST_P(Tls12Suites, HandshakeAndData) {
  auto [c, mtls] = GetParam();
  auto cc = client_config();
  cc->policy = policy_tls12({c.suite});
  cc->policy.groups = {c.group};
  auto sc = server_config(c.cert);
  sc->policy = policy_tls12();
  if (mtls) {
    sc->client_auth = ClientAuth::required;
    sc->client_trust = trust();
    cc->credential = credential("client-ec");
  }
  auto p = make_tls_pair(cc, sc);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  for (const Connection* side : {p.client.get(), p.server.get()}) {
    const auto& s = side->summary();
    EXPECT_EQ(s.version, ProtocolVersion::tls12);
    EXPECT_EQ(s.cipher_suite, static_cast<uint16_t>(c.suite));
    EXPECT_TRUE(s.extended_master_secret);
    auto info = cipher_suite_info(s.cipher_suite);
    if (info->kx == KeyExchange::rsa) {
      EXPECT_EQ(s.group, 0);
      EXPECT_EQ(s.signature_scheme, 0);
    } else {
      EXPECT_EQ(s.group, static_cast<uint16_t>(c.group));
      EXPECT_NE(s.signature_scheme, 0);
    }
    EXPECT_EQ(s.client_authenticated, mtls);
  }
  EXPECT_EQ(p.client->summary().peer_subject, "CN=localhost");
  if (mtls) {
    EXPECT_EQ(p.server->summary().peer_subject, "CN=tessera test client");
  }
  transfer(p, true, 40000);
  transfer(p, false, 70000);
  EXPECT_FALSE(p.client->key_update(false).ok());  // no KeyUpdate in TLS 1.2 ...
  EXPECT_EQ(p.client->error(), nullptr);           // ... and asking does no harm
  p.client->close();
  p.pump();
  EXPECT_TRUE(p.server->is_peer_closed());
}

const SuiteCase kSuites[] = {
    {CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-ec", NamedGroup::x25519},
    {CS::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "server-p384", NamedGroup::secp384r1},
    {CS::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "server-ec", NamedGroup::secp256r1},
    {CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-ed25519", NamedGroup::x25519},
    {CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "server-rsa", NamedGroup::secp256r1},
    {CS::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "server-rsa", NamedGroup::x25519},
    {CS::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "server-rsa", NamedGroup::secp384r1},
    {CS::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, "server-rsa", NamedGroup::ffdhe2048},
    {CS::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, "server-rsa", NamedGroup::ffdhe3072},
    {CS::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "server-rsa", NamedGroup::ffdhe2048},
    {CS::TLS_RSA_WITH_AES_128_GCM_SHA256, "server-rsa", NamedGroup::x25519},
    {CS::TLS_RSA_WITH_AES_256_GCM_SHA384, "server-rsa", NamedGroup::x25519},
};

INSTANTIATE_TEST_SUITE_P(All, Tls12Suites,
                         ::testing::Combine(::testing::ValuesIn(kSuites), ::testing::Bool()),
                         [](const auto& param_info) {
                           const auto& c = std::get<0>(param_info.param);
                           return cipher_suite_name(static_cast<uint16_t>(c.suite)) + "_" +
                                  std::string(c.cert).substr(7) + "_" +
                                  group_name(static_cast<uint16_t>(c.group)) +
                                  (std::get<1>(param_info.param) ? "_mtls" : "");
                         });

TEST(Tls12, FfdheOf4096Bits) {
  auto cc = client_config();
  cc->policy = policy_tls12({CS::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256});
  cc->policy.groups = {NamedGroup::ffdhe4096};
  auto sc = server_config("server-rsa");
  sc->policy = policy_tls12();
  auto p = make_tls_pair(cc, sc);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.client->summary().group, static_cast<uint16_t>(NamedGroup::ffdhe4096));
  transfer(p, true, 1000);
}

// TLS 1.2 cannot change keys: at the record limit the sender closes in an
// orderly way (close_notify) and write() says why; what was written before
// arrives, and the peer sees a clean close, not an error.
TEST(Tls12, ClosesAtTheRecordLimit) {
  auto cc = versioned_client_config(ProtocolVersion::tls12, "");
  cc->policy.limits.key_update_records = 4;
  auto p = handshaken_pair(cc, server_config());
  // The client's Finished was record 0 under its key: three more fit.
  std::string sent;
  for (int i = 0; i < 3; ++i) {
    const std::string msg = "record " + std::to_string(i) + ";";
    ASSERT_TRUE(p.client->write(as_bytes_view(msg)).ok()) << i;
    sent += msg;
  }
  auto w = p.client->write(as_bytes_view(std::string("one too many")));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), ErrorCode::sequence_exhausted);
  EXPECT_NE(w.error().message().find("reconnect"), std::string::npos) << w.error().message();
  EXPECT_EQ(p.client->error(), nullptr);  // closed, not failed
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(read_all(*p.server), sent);
  EXPECT_TRUE(p.server->is_peer_closed());
  EXPECT_EQ(p.server->error(), nullptr);
  // The server's own key is not at its limit (no limit configured there).
  EXPECT_TRUE(p.server->write(as_bytes_view(std::string("still open"))).ok());
}

// --- version negotiation -----------------------------------------------------

// A version the policy has no cipher suite for is not negotiated: a client
// allowing TLS 1.2-1.3 with TLS 1.2 suites only does not offer TLS 1.3, and
// such a server does not choose it, nor set the TLS 1.3 downgrade sentinel
// when it chooses TLS 1.2 (which a TLS 1.3 client would refuse). Before,
// both ended in "no common cipher suite for TLS 1.3".
TEST(VersionsWithoutSuites, AreNeitherOfferedNorChosen) {
  const std::vector<CipherSuite> only12 = {CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  for (bool client_side : {true, false}) {
    auto cc = client_config();
    auto sc = server_config();
    Policy& p = client_side ? cc->policy : sc->policy;
    p.cipher_suites = only12;
    EXPECT_FALSE(p.allows_version(ProtocolVersion::tls13));
    EXPECT_TRUE(p.allows_version(ProtocolVersion::tls12));
    auto pair = make_tls_pair(cc, sc);
    ASSERT_TRUE(pair.handshake()) << (client_side ? "client" : "server") << ": "
                                  << err(*pair.client) << " / " << err(*pair.server);
    EXPECT_EQ(pair.client->summary().version, ProtocolVersion::tls12);
  }
  // A policy with no suite for any version it allows is refused.
  auto cc = client_config();
  cc->policy.min_version = ProtocolVersion::tls13;
  cc->policy.cipher_suites = only12;
  auto c = Connection::client(cc, {"localhost", {}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(c.error().message().find("no cipher suite for TLS 1.3"), std::string::npos)
      << c.error().message();
}

struct VersionCase {
  ProtocolVersion cmin, cmax, smin, smax;
  std::optional<ProtocolVersion> expect;  // nullopt: protocol_version failure
};

class VersionNegotiation : public ::testing::TestWithParam<VersionCase> {};

TEST_P(VersionNegotiation, ChoosesHighestCommon) {
  const auto& v = GetParam();
  auto cc = client_config();
  cc->policy.min_version = v.cmin;
  cc->policy.max_version = v.cmax;
  auto sc = server_config();
  sc->policy.min_version = v.smin;
  sc->policy.max_version = v.smax;
  if (v.cmax == ProtocolVersion::tls12 && v.cmin == ProtocolVersion::tls12)
    cc->policy.cipher_suites = cc->policy.suites_for(ProtocolVersion::tls12);
  if (v.smax == ProtocolVersion::tls12 && v.smin == ProtocolVersion::tls12)
    sc->policy.cipher_suites = sc->policy.suites_for(ProtocolVersion::tls12);
  if (v.cmin == ProtocolVersion::tls13)
    cc->policy.cipher_suites = cc->policy.suites_for(ProtocolVersion::tls13);
  if (v.smin == ProtocolVersion::tls13)
    sc->policy.cipher_suites = sc->policy.suites_for(ProtocolVersion::tls13);
  auto p = make_tls_pair(cc, sc);
  if (v.expect) {
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_EQ(p.client->summary().version, *v.expect);
    EXPECT_EQ(p.server->summary().version, *v.expect);
    transfer(p, true, 5000);
  } else {
    EXPECT_FALSE(p.pump());
    ASSERT_NE(p.server->error(), nullptr);
    EXPECT_EQ(p.server->error()->code(), ErrorCode::protocol_version) << err(*p.server);
    ASSERT_NE(p.client->error(), nullptr);
    EXPECT_EQ(p.client->error()->alert(), AlertDescription::protocol_version);
  }
}

constexpr auto V12 = ProtocolVersion::tls12;
constexpr auto V13 = ProtocolVersion::tls13;

INSTANTIATE_TEST_SUITE_P(
    EveryMinMax, VersionNegotiation,
    ::testing::Values(VersionCase{V12, V12, V12, V12, V12}, VersionCase{V12, V12, V12, V13, V12},
                      VersionCase{V12, V12, V13, V13, std::nullopt},
                      VersionCase{V12, V13, V12, V12, V12}, VersionCase{V12, V13, V12, V13, V13},
                      VersionCase{V12, V13, V13, V13, V13},
                      VersionCase{V13, V13, V12, V12, std::nullopt},
                      VersionCase{V13, V13, V12, V13, V13}, VersionCase{V13, V13, V13, V13, V13}));

// Splits the records in `bytes` and returns the handshake messages carried
// by plaintext handshake records.
std::vector<std::vector<uint8_t>> plaintext_messages(std::span<const uint8_t> bytes) {
  std::vector<uint8_t> hs;
  size_t off = 0;
  while (off + 5 <= bytes.size()) {
    size_t len = static_cast<size_t>(bytes[off + 3]) << 8 | bytes[off + 4];
    if (bytes[off] == 22)
      hs.insert(hs.end(), bytes.begin() + off + 5, bytes.begin() + off + 5 + len);
    if (bytes[off] == 20) break;  // encrypted from here
    off += 5 + len;
  }
  std::vector<std::vector<uint8_t>> out;
  for (size_t i = 0; i + 4 <= hs.size();) {
    size_t len =
        static_cast<size_t>(hs[i + 1]) << 16 | static_cast<size_t>(hs[i + 2]) << 8 | hs[i + 3];
    out.emplace_back(hs.begin() + i, hs.begin() + i + 4 + len);
    i += 4 + len;
  }
  return out;
}

TEST(Tls12Downgrade, SentinelSetByTls13CapableServerAndAcceptedByTls12Client) {
  auto cc = client_config();
  cc->policy = policy_tls12(Policy::default_policy().suites_for(V12));
  auto p = make_tls_pair(cc, server_config());
  ASSERT_TRUE(p.server->receive_tls(p.client->pending_tls()).ok());
  p.client->consume_tls(p.client->pending_tls().size());
  auto msgs = plaintext_messages(p.server->pending_tls());
  ASSERT_FALSE(msgs.empty());
  auto sh = wire::ServerHello::parse(std::span<const uint8_t>(msgs[0]).subspan(4));
  ASSERT_TRUE(sh.ok());
  // RFC 8446 4.1.3: 44 4F 57 4E 47 52 44 01.
  EXPECT_EQ(sh->downgrade_sentinel(), wire::DowngradeSentinel::tls12);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.client->summary().version, V12);
}

TEST(Tls12Downgrade, NoSentinelFromTls12OnlyServer) {
  auto sc = server_config();
  sc->policy = policy_tls12(Policy::default_policy().suites_for(V12));
  auto p = make_tls_pair(client_config(), sc);
  ASSERT_TRUE(p.server->receive_tls(p.client->pending_tls()).ok());
  p.client->consume_tls(p.client->pending_tls().size());
  auto msgs = plaintext_messages(p.server->pending_tls());
  ASSERT_FALSE(msgs.empty());
  auto sh = wire::ServerHello::parse(std::span<const uint8_t>(msgs[0]).subspan(4));
  ASSERT_TRUE(sh.ok());
  EXPECT_EQ(sh->downgrade_sentinel(), wire::DowngradeSentinel::none);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.client->summary().version, V12);
}

TEST(Tls12Downgrade, Tls13ClientDetectsStrippedTls13) {
  // An attacker strips TLS 1.3 from a 1.2+1.3 client's hello: here the
  // server sees a TLS 1.2-only client's hello and answers with TLS 1.2 and
  // the sentinel; the 1.2+1.3 client receiving that answer must refuse.
  auto victim = Connection::client(client_config(), {"localhost", {}});
  ASSERT_TRUE(victim.ok());
  auto cc12 = client_config();
  cc12->policy = policy_tls12(Policy::default_policy().suites_for(V12));
  auto p = make_tls_pair(cc12, server_config());
  ASSERT_TRUE(p.server->receive_tls(p.client->pending_tls()).ok());
  auto answer = p.server->pending_tls();
  std::vector<uint8_t> bytes(answer.begin(), answer.end());
  EXPECT_FALSE((*victim)->receive_tls(bytes).ok());
  ASSERT_NE((*victim)->error(), nullptr);
  EXPECT_EQ((*victim)->error()->code(), ErrorCode::illegal_parameter);
  EXPECT_NE((*victim)->error()->message().find("downgrade sentinel"), std::string::npos);
}

// A ClientHello built by hand, with extra cipher suite values.
std::vector<uint8_t> hand_client_hello(std::vector<uint16_t> suites, bool ems) {
  wire::ClientHello ch;
  ch.random.fill(7);
  ch.cipher_suites = std::move(suites);
  ch.extensions.push_back(
      wire::make_extension(wire::kExtSupportedGroups, wire::NamedGroupList{{0x001d, 0x0017}}));
  ch.extensions.push_back(wire::make_extension(
      wire::kExtSignatureAlgorithms, wire::SignatureSchemeList{{0x0403, 0x0804, 0x0401}}));
  if (ems) ch.extensions.push_back(wire::make_empty_extension(wire::kExtExtendedMasterSecret));
  auto msg = wire::encode_handshake(ch);
  EXPECT_TRUE(msg.ok());
  return handshake_record(*msg);
}

TEST(Tls12Downgrade, FallbackScsvRefusedByTls13CapableServer) {
  auto s = Connection::server(server_config());
  ASSERT_TRUE(s.ok());
  auto r = (*s)->receive_tls(hand_client_hello({0xc02b, 0x5600}, true));
  ASSERT_FALSE(r.ok());
  // RFC 7507 3: inappropriate_fallback.
  EXPECT_EQ(r.error().code(), ErrorCode::inappropriate_fallback);
  auto out = (*s)->pending_tls();
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[5], 2);   // fatal
  EXPECT_EQ(out[6], 86);  // inappropriate_fallback
}

TEST(Tls12Downgrade, FallbackScsvAcceptedWhenTls12IsOurBest) {
  auto sc = server_config();
  sc->policy = policy_tls12(Policy::default_policy().suites_for(V12));
  auto s = Connection::server(sc);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->receive_tls(hand_client_hello({0xc02b, 0x5600}, true)).ok()) << err(**s);
}

TEST(Tls12, ExtendedMasterSecretRequiredByDefault) {
  auto s = Connection::server(server_config());
  ASSERT_TRUE(s.ok());
  auto r = (*s)->receive_tls(hand_client_hello({0xc02b}, false));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::handshake_failure);
  EXPECT_EQ(r.error().alert(), AlertDescription::handshake_failure);
  EXPECT_NE(r.error().message().find("extended master secret"), std::string::npos);
  // The compat preset accepts a client without it.
  auto sc = server_config();
  sc->policy = Policy::compat();
  auto s2 = Connection::server(sc);
  ASSERT_TRUE(s2.ok());
  EXPECT_TRUE((*s2)->receive_tls(hand_client_hello({0xc02b}, false)).ok()) << err(**s2);
}

TEST(Tls12, RsaKeyExchangeOffOutsideCompat) {
  auto cc = client_config();
  cc->policy = policy_tls12({CS::TLS_RSA_WITH_AES_128_GCM_SHA256});
  auto sc = server_config("server-rsa");
  sc->policy = Policy::default_policy();  // no RSA key transport
  auto p = make_tls_pair(cc, sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::handshake_failure);
  EXPECT_FALSE(Policy::default_policy().allows_suite(0x009c));
  EXPECT_TRUE(Policy::compat().allows_suite(0x009c));
}

TEST(Tls12, EcdsaSuiteWithoutEcdsaCertificateExplainsItself) {
  auto cc = client_config();
  cc->policy = policy_tls12({CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256});
  auto p = make_tls_pair(cc, server_config("server-rsa"));
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::handshake_failure);
  EXPECT_NE(p.server->error()->message().find("no certificate whose key fits"), std::string::npos)
      << p.server->error()->message();
}

TEST(Tls12, DheWithoutCommonFfdheGroupFallsBackToEcdhe) {
  auto cc = client_config();
  cc->policy = policy_tls12(
      {CS::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256});
  cc->policy.groups = {NamedGroup::ffdhe4096, NamedGroup::x25519};
  auto sc = server_config("server-rsa");
  sc->policy = policy_tls12();
  sc->policy.groups = {NamedGroup::x25519, NamedGroup::ffdhe2048};
  auto p = make_tls_pair(cc, sc);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  // RFC 7919 4: the client listed ffdhe groups, none is acceptable: no DHE.
  EXPECT_EQ(p.client->summary().cipher_suite,
            static_cast<uint16_t>(CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
}

TEST(Tls12, MutualTlsRequiredButAbsent) {
  auto cc = client_config();
  cc->policy = policy_tls12();
  auto sc = server_config();
  sc->client_auth = ClientAuth::required;
  sc->client_trust = trust();
  auto p = make_tls_pair(cc, sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::certificate_required);
  // RFC 5246 7.4.6: TLS 1.2 has no certificate_required alert.
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::handshake_failure);
}

TEST(Tls12, MutualTlsOptionalAndAbsent) {
  auto cc = client_config();
  cc->policy = policy_tls12();
  auto sc = server_config();
  sc->client_auth = ClientAuth::optional;
  sc->client_trust = trust();
  auto p = make_tls_pair(cc, sc);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_FALSE(p.server->summary().client_authenticated);
}

TEST(Tls12, UntrustedClientCertificateRefused) {
  auto cc = client_config();
  cc->policy = policy_tls12();
  cc->credential = credential("rogue-client");
  auto sc = server_config();
  sc->client_auth = ClientAuth::required;
  sc->client_trust = trust();
  auto p = make_tls_pair(cc, sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::unknown_ca) << err(*p.server);
}

TEST(Tls12, WrongHostRefused) {
  auto cc = client_config();
  cc->policy = policy_tls12();
  auto p = make_tls_pair(cc, server_config(), "other.example");
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::cert_name_mismatch);
}

TEST(Tls12, TamperedRecordIsBadRecordMac) {
  auto cc = client_config();
  cc->policy = policy_tls12();
  auto p = make_tls_pair(cc, server_config());
  ASSERT_TRUE(p.handshake());
  ASSERT_TRUE(p.client->write(std::vector<uint8_t>(100, 1)).ok());
  std::vector<uint8_t> rec(p.client->pending_tls().begin(), p.client->pending_tls().end());
  rec[rec.size() - 20] ^= 1;
  EXPECT_FALSE(p.server->receive_tls(rec).ok());
  EXPECT_EQ(p.server->error()->code(), ErrorCode::bad_record_mac);
}

TEST(Tls12, ChangeCipherSpecOutOfOrderIsUnexpected) {
  auto cc = client_config();
  cc->policy = policy_tls12();
  auto p = make_tls_pair(cc, server_config());
  ASSERT_TRUE(p.server->receive_tls(p.client->pending_tls()).ok());
  p.client->consume_tls(p.client->pending_tls().size());
  // The server waits for ClientKeyExchange: a ChangeCipherSpec now is wrong.
  const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
  EXPECT_FALSE(p.server->receive_tls(ccs).ok());
  EXPECT_EQ(p.server->error()->code(), ErrorCode::unexpected_message);
  EXPECT_NE(p.server->error()->message().find("ClientKeyExchange"), std::string::npos)
      << p.server->error()->message();
}

TEST(Tls12, TraceWalksThroughTheKeyExchange) {
  std::vector<std::string> client_lines, server_lines;
  auto cc = client_config();
  cc->policy = policy_tls12({CS::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256});
  auto sc = server_config("server-rsa");
  sc->policy = policy_tls12();
  auto p = make_tls_pair(cc, sc);
  p.client->set_trace([&](std::string_view l) { client_lines.emplace_back(l); });
  p.server->set_trace([&](std::string_view l) { server_lines.emplace_back(l); });
  ASSERT_TRUE(p.handshake());
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    for (const auto& l : v)
      if (l.find(s) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has(client_lines, "-> ClientHello: offering TLS 1.2"));
  EXPECT_TRUE(has(client_lines, "<- ServerHello: server chose TLS 1.2"));
  EXPECT_TRUE(
      has(client_lines, "<- ServerKeyExchange: server's ephemeral DHE public value for ffdhe2048"));
  EXPECT_TRUE(has(client_lines, "-> ClientKeyExchange"));
  EXPECT_TRUE(has(client_lines, "extended master secret"));
  EXPECT_TRUE(has(client_lines, "<- Finished: server Finished verified"));
  EXPECT_TRUE(has(server_lines, "-> ServerKeyExchange"));
  EXPECT_TRUE(has(server_lines, "<- ChangeCipherSpec"));
}

TEST(Tls12, KeyLogHasClientRandomLine) {
  std::vector<std::string> lines;
  auto cc = client_config();
  cc->policy = policy_tls12();
  cc->keylog = [&](std::string_view l) { lines.emplace_back(l); };
  auto p = make_tls_pair(cc, server_config());
  ASSERT_TRUE(p.handshake());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("CLIENT_RANDOM ", 0), 0u);
  EXPECT_EQ(lines[0].size(), 14 + 64 + 1 + 96);
}

// --- a hostile server's first flight -----------------------------------------

std::vector<uint8_t> handshake_record(const std::vector<std::vector<uint8_t>>& msgs) {
  std::vector<uint8_t> body;
  for (const auto& m : msgs) body.insert(body.end(), m.begin(), m.end());
  std::vector<uint8_t> rec(5 + body.size());
  rec[0] = 22, rec[1] = 3, rec[2] = 3;
  rec[3] = static_cast<uint8_t>(body.size() >> 8);
  rec[4] = static_cast<uint8_t>(body.size());
  std::copy(body.begin(), body.end(), rec.begin() + 5);
  return rec;
}

// Runs ClientHello -> server, lets `edit` change the server's first flight
// (as handshake messages), feeds it to the client and returns its error.
std::optional<Error> client_reaction(
    CS suite, const std::string& cert,
    const std::function<void(std::vector<std::vector<uint8_t>>&)>& edit) {
  auto cc = client_config();
  cc->policy = policy_tls12({suite});
  auto sc = server_config(cert);
  sc->policy = policy_tls12();
  auto p = make_tls_pair(cc, sc);
  EXPECT_TRUE(p.server->receive_tls(p.client->pending_tls()).ok());
  auto msgs = plaintext_messages(p.server->pending_tls());
  edit(msgs);
  auto r = p.client->receive_tls(handshake_record(msgs));
  if (r.ok()) return std::nullopt;
  return r.error();
}

TEST(Tls12Hostile, TamperedServerKeyExchangeSignatureIsDecryptError) {
  auto e = client_reaction(CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-ec", [](auto& m) {
    ASSERT_EQ(m[2][0], 12);  // server_key_exchange
    m[2][m[2].size() - 3] ^= 0x40;
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->alert(), AlertDescription::decrypt_error) << e->to_string();
}

TEST(Tls12Hostile, TamperedEcdhePublicValueBreaksTheSignature) {
  auto e = client_reaction(CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "server-rsa", [](auto& m) {
    m[2][4 + 4 + 5] ^= 1;  // inside the x25519 public value
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->alert(), AlertDescription::decrypt_error) << e->to_string();
}

TEST(Tls12Hostile, ServerKeyExchangeForRsaTransportIsUnexpected) {
  auto e = client_reaction(CS::TLS_RSA_WITH_AES_128_GCM_SHA256, "server-rsa", [](auto& m) {
    // ServerHello, Certificate, ServerHelloDone: insert a copy of the
    // Certificate message typed as ServerKeyExchange before ServerHelloDone.
    auto fake = m[1];
    fake[0] = 12;
    m.insert(m.begin() + 2, fake);
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), ErrorCode::unexpected_message);
  EXPECT_NE(e->message().find("expected CertificateRequest or ServerHelloDone"), std::string::npos)
      << e->message();
}

TEST(Tls12Hostile, ReorderedFlightIsUnexpected) {
  auto e = client_reaction(CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-ec",
                           [](auto& m) { std::swap(m[1], m[2]); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), ErrorCode::unexpected_message);
}

TEST(Tls12Hostile, UnsolicitedServerHelloExtensionIsRefused) {
  auto e = client_reaction(CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-ec", [](auto& m) {
    auto sh = wire::ServerHello::parse(std::span<const uint8_t>(m[0]).subspan(4));
    ASSERT_TRUE(sh.ok());
    sh->extensions.push_back(wire::make_empty_extension(wire::kExtSessionTicket));
    auto enc = wire::encode_handshake(*sh);
    ASSERT_TRUE(enc.ok());
    m[0] = *enc;
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), ErrorCode::unsupported_extension);
}

TEST(Tls12Hostile, NonEmptyRenegotiationInfoIsHandshakeFailure) {
  auto e = client_reaction(CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "server-ec", [](auto& m) {
    auto sh = wire::ServerHello::parse(std::span<const uint8_t>(m[0]).subspan(4));
    ASSERT_TRUE(sh.ok());
    for (auto& x : sh->extensions)
      if (x.type == wire::kExtRenegotiationInfo) x.data = {3, 1, 2, 3};
    auto enc = wire::encode_handshake(*sh);
    ASSERT_TRUE(enc.ok());
    m[0] = *enc;
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), ErrorCode::handshake_failure);
}

TEST(Tls12Hostile, ServerChoosingAnUnofferedGroupIsIllegalParameter) {
  // The client offered only x25519; the server (told otherwise) picks P-256.
  auto cc = client_config();
  cc->policy = policy_tls12({CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256});
  cc->policy.groups = {NamedGroup::x25519};
  auto sc = server_config();
  sc->policy = policy_tls12();
  auto p = make_tls_pair(cc, sc);
  auto cc2 = client_config();
  cc2->policy = policy_tls12({CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256});
  cc2->policy.groups = {NamedGroup::secp256r1};
  auto other = make_tls_pair(cc2, sc);
  ASSERT_TRUE(other.server->receive_tls(other.client->pending_tls()).ok());
  // Feed the P-256 server flight to the x25519-only client (random mismatch
  // is not detectable before the group check).
  auto r = p.client->receive_tls(other.server->pending_tls());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::illegal_parameter) << r.error().to_string();
}

// --- RSA key exchange: malformed premaster secrets ---------------------------

// Runs an RSA key exchange handshake and replaces the client's encrypted
// premaster secret with `ciphertext` (same length as the modulus). Returns
// the server's error and the bytes it sent in answer to the client's flight.
struct ServerReaction {
  ErrorCode code;
  AlertDescription alert;
  std::string message;
  std::vector<uint8_t> sent;
};

ServerReaction react_to_premaster(
    const std::function<std::vector<uint8_t>(crypto::PublicKey&, crypto::Provider&)>&
        make_ciphertext) {
  auto cc = client_config();
  cc->policy = policy_tls12({CS::TLS_RSA_WITH_AES_128_GCM_SHA256});
  auto sc = server_config("server-rsa");
  sc->policy = policy_tls12();
  auto p = make_tls_pair(cc, sc);
  // ClientHello -> server; server flight -> client.
  EXPECT_TRUE(p.server->receive_tls(p.client->pending_tls()).ok());
  p.client->consume_tls(p.client->pending_tls().size());
  EXPECT_TRUE(p.client->receive_tls(p.server->pending_tls()).ok());
  p.server->consume_tls(p.server->pending_tls().size());
  std::vector<uint8_t> flight(p.client->pending_tls().begin(), p.client->pending_tls().end());
  p.client->consume_tls(flight.size());
  // flight = record(handshake: ClientKeyExchange) | record(CCS) | record(Finished)
  EXPECT_EQ(flight[0], 22);
  EXPECT_EQ(flight[5], 16);  // client_key_exchange
  size_t ct_len = static_cast<size_t>(flight[9]) << 8 | flight[10];
  EXPECT_EQ(ct_len, 256u);
  auto provider = crypto::default_provider();
  auto cert = x509::Certificate::parse(p.client->summary().peer_chain[0]);
  EXPECT_TRUE(cert.ok());
  auto key = provider->load_public_key(cert->spki_der());
  EXPECT_TRUE(key.ok());
  auto ct = make_ciphertext(**key, *provider);
  EXPECT_EQ(ct.size(), 256u);
  std::copy(ct.begin(), ct.end(), flight.begin() + 11);
  (void)p.server->receive_tls(flight);
  ServerReaction r{};
  EXPECT_NE(p.server->error(), nullptr);
  if (p.server->error()) {
    r.code = p.server->error()->code();
    r.alert = p.server->error()->alert();
    r.message = p.server->error()->message();
  }
  r.sent.assign(p.server->pending_tls().begin(), p.server->pending_tls().end());
  return r;
}

std::vector<uint8_t> encrypt(crypto::PublicKey& k, crypto::Provider& p, std::vector<uint8_t> pt) {
  auto c = p.rsa_encrypt_pkcs1(k, pt);
  EXPECT_TRUE(c.ok());
  return *c;
}

TEST(Tls12RsaKeyExchange, MalformedPremasterLooksLikeAWrongOne) {
  auto well_formed_wrong = react_to_premaster([](auto& k, auto& p) {
    std::vector<uint8_t> pm(48, 0x5a);
    pm[0] = 3, pm[1] = 3;
    return encrypt(k, p, pm);
  });
  auto wrong_version = react_to_premaster([](auto& k, auto& p) {
    std::vector<uint8_t> pm(48, 0x5a);
    pm[0] = 3, pm[1] = 1;
    return encrypt(k, p, pm);
  });
  auto short_premaster = react_to_premaster([](auto& k, auto& p) {
    std::vector<uint8_t> pm(47, 0x5a);
    pm[0] = 3, pm[1] = 3;
    return encrypt(k, p, pm);
  });
  auto long_premaster = react_to_premaster([](auto& k, auto& p) {
    std::vector<uint8_t> pm(49, 0x5a);
    pm[0] = 3, pm[1] = 3;
    return encrypt(k, p, pm);
  });
  auto bad_padding = react_to_premaster([](auto&, auto& p) {
    // A random value below the modulus decrypts to garbage: wrong padding.
    std::vector<uint8_t> ct(256);
    p.random(ct);
    ct[0] = 0x01;
    return ct;
  });
  auto zero = react_to_premaster([](auto&, auto&) { return std::vector<uint8_t>(256, 0); });
  for (const auto* r : {&wrong_version, &short_premaster, &long_premaster, &bad_padding, &zero}) {
    // Same error, same alert, same message, same number of bytes sent.
    EXPECT_EQ(r->code, well_formed_wrong.code);
    EXPECT_EQ(r->alert, well_formed_wrong.alert);
    EXPECT_EQ(r->message, well_formed_wrong.message);
    EXPECT_EQ(r->sent.size(), well_formed_wrong.sent.size());
  }
  // The failure surfaces when the client's Finished record does not decrypt
  // under the keys from the (replaced) premaster.
  EXPECT_EQ(well_formed_wrong.code, ErrorCode::bad_record_mac);
  EXPECT_EQ(well_formed_wrong.alert, AlertDescription::bad_record_mac);
}

}  // namespace
}  // namespace tessera::testing
