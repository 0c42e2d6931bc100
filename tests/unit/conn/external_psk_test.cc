// TLS 1.3 external pre-shared keys (RFC 8446 2.2, 4.2.11) in memory: PSK
// handshakes without certificates, fallback to certificates, wrong keys,
// hashes, modes, HelloRetryRequest, and configuration checks.
#include <gtest/gtest.h>

#include "crypto/key_schedule.h"
#include "handshake/common.h"
#include "pair.h"
#include "wire/handshake.h"
#include "wire/hello.h"

namespace tessera::testing {
namespace {

std::shared_ptr<const ExternalPsk> psk(const std::string& identity, uint8_t fill = 0x5a,
                                       HashAlgorithm hash = HashAlgorithm::sha256) {
  auto p = ExternalPsk::make(identity, std::vector<uint8_t>(32, fill), hash);
  EXPECT_TRUE(p.ok()) << p.error().to_string();
  return std::make_shared<ExternalPsk>(std::move(*p));
}

// A client that knows only the PSK (no certificate verification) and a
// server that has only PSKs (no certificate).
struct Env {
  std::shared_ptr<ClientConfig> cc = client_config();
  std::shared_ptr<ServerConfig> sc = server_config();
  Env() {
    cc->verify_peer = false;
    cc->trust = nullptr;
    cc->external_psk = psk("device-17");
    sc->credentials.clear();
    sc->external_psks = {psk("device-16", 0x11), psk("device-17")};
  }
};

TEST(ExternalPsk, AuthenticatesBothSidesWithoutCertificates) {
  Env e;
  auto p = handshaken_pair(e.cc, e.sc);
  for (auto* c : {p.client.get(), p.server.get()}) {
    const HandshakeSummary& s = c->summary();
    EXPECT_EQ(s.psk_identity, "device-17");
    EXPECT_FALSE(s.resumed);
    EXPECT_FALSE(s.psk_only);  // psk_dhe_ke: forward secrecy
    EXPECT_EQ(s.group, static_cast<uint16_t>(NamedGroup::x25519));
    EXPECT_EQ(s.signature_scheme, 0);
    EXPECT_TRUE(s.peer_chain.empty());
    EXPECT_TRUE(s.peer_subject.empty());
  }
  EXPECT_FALSE(p.server->summary().client_authenticated);  // no certificate
  transfer(p, true, 40000);
  transfer(p, false, 40000);
}

TEST(ExternalPsk, TakenBeforeCertificatesWhenTheServerHasBoth) {
  Env e;
  e.sc->credentials = {credential("server-ec")};
  e.cc->verify_peer = true;
  e.cc->trust = trust();
  auto p = handshaken_pair(e.cc, e.sc);
  EXPECT_EQ(p.client->summary().psk_identity, "device-17");
  EXPECT_TRUE(p.client->summary().peer_chain.empty());
}

TEST(ExternalPsk, UnknownIdentityFallsBackToTheCertificate) {
  Env e;
  e.sc->credentials = {credential("server-ec")};
  e.cc->verify_peer = true;
  e.cc->trust = trust();
  e.cc->external_psk = psk("device-99");
  auto p = handshaken_pair(e.cc, e.sc);
  EXPECT_TRUE(p.client->summary().psk_identity.empty());
  EXPECT_TRUE(p.server->summary().psk_identity.empty());
  EXPECT_EQ(p.client->summary().peer_subject, "CN=localhost");
}

TEST(ExternalPsk, UnknownIdentityWithoutVerificationFailsClosed) {
  // The server has a certificate, but the client cannot verify it: it must
  // not accept the handshake (anyone could present a certificate).
  Env e;
  e.sc->credentials = {credential("server-ec")};
  e.cc->external_psk = psk("device-99");
  auto p = make_tls_pair(e.cc, e.sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::handshake_failure);
  EXPECT_NE(p.client->error()->message().find("did not accept our external PSK"), std::string::npos)
      << p.client->error()->message();
  EXPECT_FALSE(p.client->is_handshake_done());
}

TEST(ExternalPsk, ServerWithoutCertificateRefusesAnUnknownIdentity) {
  Env e;
  e.cc->external_psk = psk("device-99");
  auto p = make_tls_pair(e.cc, e.sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::handshake_failure);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::handshake_failure);
  EXPECT_NE(p.server->error()->message().find(
                "we have no certificate, and the client offered none of our external PSKs"),
            std::string::npos)
      << p.server->error()->message();
}

// server_refuses runs a handshake the PSK-only server must refuse with
// handshake_failure and a message containing `says`.
void server_refuses(std::shared_ptr<const ClientConfig> cc, std::shared_ptr<const ServerConfig> sc,
                    const std::string& says) {
  auto p = make_tls_pair(std::move(cc), std::move(sc));
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::handshake_failure);
  EXPECT_NE(p.server->error()->message().find(says), std::string::npos)
      << p.server->error()->message();
}

TEST(ExternalPsk, ServerWithoutCertificateSaysWhyItRefuses) {
  Env e;
  server_refuses(client_config(), e.sc, "the client offered no PSK");
  // Our PSK, but only psk_ke, which the default server policy does not allow.
  e.cc->policy.psk_modes = {PskMode::psk_ke};
  server_refuses(e.cc, e.sc, "but no PSK key exchange mode our policy allows");
  // A TLS 1.2 client: external PSKs are TLS 1.3 only.
  auto cc12 = client_config();
  cc12->policy.max_version = ProtocolVersion::tls12;
  server_refuses(cc12, e.sc, "we have no certificate (our external PSKs are for TLS 1.3 only)");
}

TEST(ExternalPsk, WrongKeyIsDecryptError) {
  Env e;
  e.cc->external_psk = psk("device-17", 0x5b);  // same identity, another key
  auto p = make_tls_pair(e.cc, e.sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::decrypt_error);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::decrypt_error);
  EXPECT_NE(p.server->error()->message().find("device-17"), std::string::npos);
  ASSERT_NE(p.client->error(), nullptr);  // the client got the alert
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::decrypt_error);
}

TEST(ExternalPsk, Sha384PskGetsASha384Suite) {
  // The server prefers TLS_AES_128_GCM_SHA256, but the PSK's hash decides
  // (RFC 8446 4.2.11: a compatible PSK and cipher suite).
  Env e;
  e.cc->external_psk = psk("device-17", 0x5a, HashAlgorithm::sha384);
  e.sc->external_psks = {psk("device-17", 0x5a, HashAlgorithm::sha384)};
  auto p = handshaken_pair(e.cc, e.sc);
  EXPECT_EQ(p.client->summary().cipher_suite,
            static_cast<uint16_t>(CipherSuite::TLS_AES_256_GCM_SHA384));
  EXPECT_EQ(p.server->summary().psk_identity, "device-17");
  transfer(p, true, 20000);
}

TEST(ExternalPsk, HashMismatchedProvisioningIsDecryptError) {
  // Same identity and key, provisioned with SHA-384 on the client and
  // SHA-256 on the server: the server checks the binder with its own hash,
  // which cannot match.
  Env e;
  e.cc->external_psk = psk("device-17", 0x5a, HashAlgorithm::sha384);
  auto p = make_tls_pair(e.cc, e.sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::decrypt_error);
}

TEST(ExternalPsk, NoSuiteWithThePsksHashLeavesItUnused) {
  // RFC 8446 4.2.11: a PSK is used only with a suite of its hash. This
  // server allows none for its SHA-384 PSK, and has no certificate.
  Env e;
  e.cc->external_psk = psk("device-17", 0x5a, HashAlgorithm::sha384);
  e.sc->external_psks = {psk("device-17", 0x5a, HashAlgorithm::sha384)};
  e.sc->policy.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  auto p = make_tls_pair(e.cc, e.sc);
  std::vector<std::string> lines;
  p.server->set_trace([&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::handshake_failure);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("needs SHA-384"), std::string::npos) << all;
}

TEST(ExternalPsk, PskKeModeSkipsTheKeyExchangeWhenBothAllowOnlyIt) {
  Env e;
  e.cc->policy.psk_modes = {PskMode::psk_ke};
  e.sc->policy.psk_modes = {PskMode::psk_ke};
  auto p = handshaken_pair(e.cc, e.sc);
  EXPECT_TRUE(p.client->summary().psk_only);
  EXPECT_TRUE(p.server->summary().psk_only);
  EXPECT_EQ(p.client->summary().group, 0);
  EXPECT_EQ(p.client->summary().psk_identity, "device-17");
  transfer(p, false, 20000);
}

TEST(ExternalPsk, DefaultServerPolicyKeepsTheKeyExchange) {
  // A client that allows both modes gets psk_dhe_ke from a default server.
  Env e;
  e.cc->policy.psk_modes = {PskMode::psk_ke, PskMode::psk_dhe_ke};
  auto p = handshaken_pair(e.cc, e.sc);
  EXPECT_FALSE(p.client->summary().psk_only);
  EXPECT_NE(p.client->summary().group, 0);
}

TEST(ExternalPsk, AcceptedAfterHelloRetryRequest) {
  Env e;
  e.sc->policy.groups = {NamedGroup::secp256r1};  // the client's x25519 share is refused
  e.sc->policy.key_share_groups = {NamedGroup::secp256r1};
  auto p = handshaken_pair(e.cc, e.sc);
  EXPECT_TRUE(p.client->summary().hello_retry);
  EXPECT_EQ(p.client->summary().psk_identity, "device-17");
  EXPECT_EQ(p.server->summary().group, static_cast<uint16_t>(NamedGroup::secp256r1));
}

TEST(ExternalPsk, NoClientCertificateIsAskedFor) {
  // RFC 8446 4.3.2: a server authenticating with a PSK sends no
  // CertificateRequest; the PSK authenticates the client.
  Env e;
  e.sc->client_auth = ClientAuth::required;
  e.sc->client_trust = trust();
  e.cc->credential = credential("client-ec");
  auto p = handshaken_pair(e.cc, e.sc);
  EXPECT_EQ(p.server->summary().psk_identity, "device-17");
  EXPECT_FALSE(p.server->summary().client_authenticated);
  EXPECT_EQ(p.server->summary().client_signature_scheme, 0);
}

TEST(ExternalPsk, ServerChoosingTls12FailsAPskOnlyClient) {
  // A PSK-only client offers TLS 1.3 alone: a TLS 1.2 server cannot use
  // the PSK, and the client could not authenticate it otherwise.
  Env e;
  e.sc->credentials = {credential("server-ec")};
  e.sc->policy.max_version = ProtocolVersion::tls12;
  auto p = make_tls_pair(e.cc, e.sc);
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::protocol_version);
}

TEST(ExternalPsk, TraceNamesThePsk) {
  Env e;
  auto p = make_tls_pair(e.cc, e.sc);
  std::string client, server;
  p.client->set_trace([&](std::string_view l) { client += std::string(l) + "\n"; });
  p.server->set_trace([&](std::string_view l) { server += std::string(l) + "\n"; });
  ASSERT_TRUE(p.handshake());
  EXPECT_NE(client.find("offering our external PSK"), std::string::npos) << client;
  // PSK-only: TLS 1.3 alone, so no TLS 1.2 suite is listed either.
  EXPECT_NE(client.find("-> ClientHello: offering TLS 1.3;"), std::string::npos) << client;
  EXPECT_EQ(client.find("TLS_ECDHE_"), std::string::npos) << client;
  EXPECT_NE(client.find("the server accepted our external PSK"), std::string::npos) << client;
  EXPECT_EQ(client.find("<- Certificate"), std::string::npos) << client;
  EXPECT_NE(server.find("external PSK 'device-17'"), std::string::npos) << server;
  EXPECT_EQ(server.find("-> Certificate"), std::string::npos) << server;
}

TEST(ExternalPsk, NoEarlyDataWithAnExternalPsk) {
  Env e;
  e.sc->max_early_data = 16384;
  const std::vector<uint8_t> early = pattern(100, 7);
  auto cl = Connection::client_with_early_data(e.cc, {"localhost", {}}, {early});
  ASSERT_TRUE(cl.ok()) << cl.error().to_string();
  auto sv = Connection::server(e.sc);
  ASSERT_TRUE(sv.ok());
  Pair p{std::move(*cl), std::move(*sv)};
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_NE(p.client->summary().early_data, EarlyData::accepted);
  EXPECT_TRUE(p.server->early_data().empty());
}

TEST(ExternalPsk, NoTicketsAfterAPskHandshake) {
  // A ticket would let the client resume after its PSK is withdrawn from
  // the server's config; the PSK handshake is as cheap as a resumption.
  Env e;
  auto store = std::make_shared<MemorySessionStore>();
  auto plain = client_config();
  plain->session_store = store;
  e.sc->credentials = {credential("server-ec")};
  handshaken_pair(plain, e.sc);  // a certificate handshake gets tickets
  EXPECT_EQ(store->size(), 2u);
  e.cc->session_store = store;
  auto p = handshaken_pair(e.cc, e.sc);
  transfer(p, false, 100);
  EXPECT_EQ(store->size(), 2u);  // none more
  // A client with an external PSK offers it, never a ticket it holds.
  auto again = handshaken_pair(e.cc, e.sc);
  EXPECT_EQ(again.client->summary().psk_identity, "device-17");
  EXPECT_FALSE(again.client->summary().resumed);
  EXPECT_EQ(store->size(), 2u);
}

TEST(ExternalPskConfig, MakeChecksIdentityKeyAndHash) {
  EXPECT_TRUE(ExternalPsk::make("id", std::vector<uint8_t>(16, 1)).ok());
  auto short_key = ExternalPsk::make("id", std::vector<uint8_t>(15, 1));
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(short_key.error().message().find("16 to 256 bytes"), std::string::npos);
  EXPECT_FALSE(ExternalPsk::make("", std::vector<uint8_t>(32, 1)).ok());
  EXPECT_FALSE(ExternalPsk::make(std::string(1025, 'a'), std::vector<uint8_t>(32, 1)).ok());
  EXPECT_FALSE(ExternalPsk::make("id", std::vector<uint8_t>(257, 1)).ok());
  EXPECT_FALSE(ExternalPsk::make("id", std::vector<uint8_t>(32, 1), HashAlgorithm::sha512).ok());
  EXPECT_TRUE(ExternalPsk::make("id", std::vector<uint8_t>(32, 1), HashAlgorithm::sha384).ok());
}

TEST(ExternalPskConfig, ConnectionsCheckTheirPsks) {
  Env e;
  // A server with neither certificates nor PSKs.
  auto none = server_config();
  none->credentials.clear();
  auto s1 = Connection::server(none);
  ASSERT_FALSE(s1.ok());
  EXPECT_NE(s1.error().message().find("or external PSKs"), std::string::npos);
  // Two PSKs under one identity.
  auto dup = std::make_shared<ServerConfig>(*e.sc);
  dup->external_psks.push_back(psk("device-17", 0x33));
  auto s2 = Connection::server(dup);
  ASSERT_FALSE(s2.ok());
  EXPECT_NE(s2.error().message().find("same identity"), std::string::npos);
  // A PSK filled in field by field is checked too.
  auto weak = std::make_shared<ExternalPsk>();
  weak->identity = "x";
  weak->key = {1, 2, 3, 4};
  auto cc = std::make_shared<ClientConfig>(*e.cc);
  cc->external_psk = weak;
  auto c1 = Connection::client(cc, {"localhost", {}});
  ASSERT_FALSE(c1.ok());
  EXPECT_EQ(c1.error().code(), ErrorCode::config_invalid);
  // A client limited to TLS 1.2 cannot use one.
  auto cc12 = std::make_shared<ClientConfig>(*e.cc);
  cc12->policy.max_version = ProtocolVersion::tls12;
  auto c2 = Connection::client(cc12, {"localhost", {}});
  ASSERT_FALSE(c2.ok());
  EXPECT_NE(c2.error().message().find("needs TLS 1.3"), std::string::npos);
  // Nor one whose policy has no suite with the PSK's hash.
  auto cc384 = std::make_shared<ClientConfig>(*e.cc);
  cc384->external_psk = psk("device-17", 0x5a, HashAlgorithm::sha384);
  cc384->policy.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  auto c3 = Connection::client(cc384, {"localhost", {}});
  ASSERT_FALSE(c3.ok());
  EXPECT_NE(c3.error().message().find("SHA-384"), std::string::npos);
}

TEST(ExternalPskConfig, AssignmentReplacesTheKey) {
  ExternalPsk a = *psk("a", 0x01);
  ExternalPsk b = *psk("b", 0x02);
  a = b;
  EXPECT_EQ(a.identity, "b");
  EXPECT_EQ(a.key, std::vector<uint8_t>(32, 0x02));
  a = std::move(b);
  EXPECT_EQ(a.key, std::vector<uint8_t>(32, 0x02));
}

// --- ExternalPskStore: PSKs looked up by identity --------------------------

// CountingStore wraps a MemoryExternalPskStore and counts lookups.
class CountingStore final : public ExternalPskStore {
 public:
  MemoryExternalPskStore inner;
  mutable std::vector<std::string> asked;
  std::shared_ptr<const ExternalPsk> find(std::string_view identity) const override {
    asked.emplace_back(identity);
    return inner.find(identity);
  }
};

TEST(ExternalPskStore, ServerWithOnlyAStoreAuthenticatesItsClients) {
  Env e;
  auto store = std::make_shared<CountingStore>();
  ASSERT_TRUE(store->inner.add(psk("device-17")).ok());
  e.sc->external_psks.clear();
  e.sc->external_psk_store = store;
  auto p = handshaken_pair(e.cc, e.sc);
  EXPECT_EQ(p.server->summary().psk_identity, "device-17");
  // One lookup for the one identity offered.
  EXPECT_EQ(store->asked, std::vector<std::string>{"device-17"});
  transfer(p, true, 1000);
  // An identity the store does not know: refused, saying why.
  e.cc->external_psk = psk("device-99");
  server_refuses(e.cc, e.sc, "the client offered none of our external PSKs (1 unknown identity)");
}

TEST(ExternalPskStore, AWithdrawnPskAuthenticatesNoNewHandshake) {
  Env e;
  auto store = std::make_shared<MemoryExternalPskStore>();
  ASSERT_TRUE(store->add(psk("device-17")).ok());
  e.sc->external_psks.clear();
  e.sc->external_psk_store = store;
  Pair before = handshaken_pair(e.cc, e.sc);
  EXPECT_TRUE(store->remove("device-17"));
  EXPECT_FALSE(store->remove("device-17"));
  EXPECT_EQ(store->size(), 0u);
  server_refuses(e.cc, e.sc, "none of our external PSKs");
  // The connection made before goes on (no ticket could renew it).
  transfer(before, false, 1000);
}

TEST(ExternalPskStore, TheConfigsListComesFirst) {
  Env e;
  auto store = std::make_shared<CountingStore>();
  ASSERT_TRUE(store->inner.add(psk("device-17", 0x99)).ok());  // another key
  e.sc->external_psk_store = store;  // external_psks holds device-17 with the client's key
  auto p = handshaken_pair(e.cc, e.sc);
  EXPECT_EQ(p.server->summary().psk_identity, "device-17");
  EXPECT_TRUE(store->asked.empty());
}

TEST(ExternalPskStore, LooksUpOncePerClientHello) {
  Env e;
  auto store = std::make_shared<CountingStore>();
  ASSERT_TRUE(store->inner.add(psk("device-17")).ok());
  e.sc->external_psks.clear();
  e.sc->external_psk_store = store;
  e.sc->policy.groups = {NamedGroup::secp256r1};  // a HelloRetryRequest: two ClientHellos
  e.sc->policy.key_share_groups = {NamedGroup::secp256r1};
  auto p = handshaken_pair(e.cc, e.sc);
  EXPECT_TRUE(p.server->summary().hello_retry);
  EXPECT_EQ(store->asked, (std::vector<std::string>{"device-17", "device-17"}));
}

// A store that hands out whatever it holds, checked or not.
class UncheckedStore final : public ExternalPskStore {
 public:
  std::shared_ptr<const ExternalPsk> held;
  std::shared_ptr<const ExternalPsk> find(std::string_view) const override { return held; }
};

TEST(ExternalPskStore, APskThatFailsValidationCountsAsUnknown) {
  Env e;
  auto store = std::make_shared<UncheckedStore>();
  auto weak = std::make_shared<ExternalPsk>();
  weak->identity = "device-17";
  weak->key = std::vector<uint8_t>(8, 0x5a);  // 64 bits: ExternalPsk::make would refuse it
  store->held = weak;
  e.sc->external_psks.clear();
  e.sc->external_psk_store = store;
  // (Used, its key would fail the client's binder: decrypt_error instead.)
  server_refuses(e.cc, e.sc, "none of our external PSKs");
}

TEST(ExternalPskStore, AddChecksThePsk) {
  MemoryExternalPskStore store;
  EXPECT_FALSE(store.add(nullptr).ok());
  auto weak = std::make_shared<ExternalPsk>();
  weak->identity = "x";
  weak->key = std::vector<uint8_t>(8, 1);
  auto r = store.add(weak);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::config_invalid);
  ASSERT_TRUE(store.add(psk("a")).ok());
  r = store.add(psk("a", 0x33));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("already has an external PSK 'a'"), std::string::npos);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.find("a")->key, std::vector<uint8_t>(32, 0x5a));
  EXPECT_EQ(store.find("b"), nullptr);
  // A server with only a store is a valid config.
  auto sc = server_config();
  sc->credentials.clear();
  sc->external_psk_store = std::make_shared<MemoryExternalPskStore>();
  EXPECT_TRUE(Connection::server(sc).ok());
}

// RFC 8446 9.2: "If containing a "supported_groups" extension, it MUST also
// contain a "key_share" extension, and vice versa" -> missing_extension, also
// from a client that could resume with psk_ke alone. The ClientHello is
// edited and its binder computed again, so only the rule can refuse it.
TEST(ExternalPsk, SupportedGroupsWithoutKeyShareIsMissingExtensionEvenWithPskKe) {
  Env e;
  e.cc->policy.psk_modes = {PskMode::psk_ke};
  e.sc->policy.psk_modes = {PskMode::psk_ke, PskMode::psk_dhe_ke};
  auto client = Connection::client(e.cc, {"", {}});
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  const Bytes flight = take_out(**client);
  ASSERT_GT(flight.size(), 9u);
  for (uint16_t drop : {wire::kExtKeyShare, wire::kExtSupportedGroups}) {
    const Bytes record = client_hello_without(flight, drop, e.cc->external_psk->key);
    auto server = Connection::server(e.sc);
    ASSERT_TRUE(server.ok());
    auto r = (*server)->receive_tls(record);
    ASSERT_FALSE(r.ok()) << "dropped " << drop;
    EXPECT_EQ(r.error().code(), ErrorCode::missing_extension) << r.error().to_string();
  }
}

}  // namespace
}  // namespace tessera::testing
