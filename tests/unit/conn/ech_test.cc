// Encrypted Client Hello (draft-ietf-tls-esni-25) between tessera clients
// and servers in memory: acceptance with and without HelloRetryRequest,
// refusal and retry configs, resumption, mTLS, and what an observer sees.
#include <gtest/gtest.h>

#include <string_view>

#include "pair.h"
#include "tessera/ech.h"
#include "wire/ech.h"
#include "wire/handshake.h"
#include "wire/hello.h"

namespace tessera::testing {
namespace {

// The public name is other.example (tests/vectors/pki/server-other.pem); the
// origin the client wants is localhost (server-ec.pem).
constexpr const char* kPublicName = "other.example";

std::shared_ptr<const EchKey> ech_key(uint8_t config_id, uint8_t max_name = 0) {
  auto k = EchKey::generate({kPublicName, config_id, max_name});
  EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().to_string());
  return std::make_shared<EchKey>(std::move(*k));
}

struct Env {
  std::shared_ptr<const EchKey> key = ech_key(7);
  std::shared_ptr<ClientConfig> cc = client_config();
  std::shared_ptr<ServerConfig> sc = server_config();
  std::vector<uint8_t> config_list;
  std::vector<std::string> client_trace, server_trace;
  Env() {
    sc->credentials.push_back(credential("server-other"));
    sc->ech_keys = {key};
    config_list = ech_config_list(sc->ech_keys);
  }
  Pair pair(std::vector<uint8_t> list, std::string name = "localhost") {
    Pair p;
    ClientOptions o;
    o.server_name = std::move(name);
    o.ech_config_list = std::move(list);
    auto cl = Connection::client(cc, o);
    EXPECT_TRUE(cl.ok()) << (cl.ok() ? "" : cl.error().to_string());
    auto sv = Connection::server(sc);
    EXPECT_TRUE(sv.ok());
    p.client = std::move(*cl);
    p.server = std::move(*sv);
    p.client->set_trace([this](std::string_view l) { client_trace.emplace_back(l); });
    p.server->set_trace([this](std::string_view l) { server_trace.emplace_back(l); });
    return p;
  }
};

bool contains(const Bytes& haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

bool traced(const std::vector<std::string>& lines, std::string_view what) {
  for (const auto& l : lines)
    if (l.find(what) != std::string::npos) return true;
  return false;
}

TEST(Ech, AcceptedHandshakeUsesTheInnerClientHello) {
  Env e;
  e.cc->alpn = {"h2"};
  e.sc->alpn = {"h2"};
  Pair p = e.pair(e.config_list);
  // What an observer sees: the public name, not the origin. ALPN is in the
  // clear, as in a ClientHello without ECH: the outer one looks like any
  // other (with GREASE ECH; EchGrease.LooksLikeARealOffer).
  Bytes first = take_out(*p.client);
  EXPECT_TRUE(contains(first, kPublicName));
  EXPECT_FALSE(contains(first, "localhost"));
  EXPECT_TRUE(contains(first, "h2"));
  ASSERT_TRUE(p.server->receive_tls(first).ok()) << err(*p.server);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  const auto& c = p.client->summary();
  const auto& s = p.server->summary();
  EXPECT_EQ(c.ech, EchStatus::accepted);
  EXPECT_EQ(s.ech, EchStatus::accepted);
  EXPECT_EQ(c.ech_public_name, kPublicName);
  EXPECT_TRUE(c.ech_retry_configs.empty());
  // The server answered the inner ClientHello: its SNI chose the
  // certificate, its ALPN was negotiated.
  EXPECT_EQ(s.server_name, "localhost");
  EXPECT_EQ(c.peer_subject, "CN=localhost");
  EXPECT_EQ(c.alpn, "h2");
  EXPECT_EQ(s.alpn, "h2");
  transfer(p, true, 5000);
  transfer(p, false, 5000);
  EXPECT_TRUE(traced(e.client_trace, "ECH: accepted"));
  EXPECT_TRUE(traced(e.server_trace, "opened the encrypted ClientHello"));
}

TEST(Ech, AcceptedAfterHelloRetryRequest) {
  Env e;
  // The client's only key share is P-256; the server takes X25519 only.
  e.cc->policy.key_share_groups = {NamedGroup::secp256r1};
  e.cc->policy.groups = {NamedGroup::secp256r1, NamedGroup::x25519};
  e.sc->policy.groups = {NamedGroup::x25519};
  Pair p = e.pair(e.config_list);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.client->summary().hello_retry);
  EXPECT_EQ(p.client->summary().ech, EchStatus::accepted);
  EXPECT_EQ(p.server->summary().ech, EchStatus::accepted);
  EXPECT_EQ(p.client->summary().peer_subject, "CN=localhost");
  EXPECT_TRUE(traced(e.client_trace, "confirms it opened our encrypted ClientHello"));
  transfer(p, true, 1000);
}

TEST(Ech, RefusedWithRetryConfigsThatThenWork) {
  Env e;
  // The client has a stale config: a key the server no longer holds.
  auto stale = ech_key(7);
  Pair p = e.pair(stale->config_list());
  p.pump();
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->code(), ErrorCode::ech_required) << err(*p.client);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::ech_required);
  // The server saw the alert; it never got a Finished or certificate from us.
  ASSERT_TRUE(p.server->error());
  EXPECT_EQ(p.server->error()->code(), ErrorCode::peer_alert) << err(*p.server);
  const auto& c = p.client->summary();
  EXPECT_EQ(c.ech, EchStatus::rejected);
  EXPECT_EQ(p.server->summary().ech, EchStatus::rejected);
  // The server authenticated as the public name, and sent its configs.
  EXPECT_EQ(c.peer_subject, "CN=other.example");
  EXPECT_EQ(c.ech_retry_configs, e.config_list);
  EXPECT_TRUE(traced(e.client_trace, "ECH: refused"));
  // A new connection with the retry configs is accepted.
  Pair again = e.pair(c.ech_retry_configs);
  ASSERT_TRUE(again.handshake()) << err(*again.client) << " / " << err(*again.server);
  EXPECT_EQ(again.client->summary().ech, EchStatus::accepted);
}

TEST(Ech, RefusedByAServerWithoutEch) {
  Env e;
  e.sc->ech_keys.clear();
  Pair p = e.pair(e.config_list);
  p.pump();
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->code(), ErrorCode::ech_required) << err(*p.client);
  EXPECT_TRUE(p.client->summary().ech_retry_configs.empty());
  EXPECT_EQ(p.server->summary().ech, EchStatus::not_offered);
  EXPECT_NE(err(*p.client).find("sent no retry configs"), std::string::npos) << err(*p.client);
}

TEST(Ech, RefusedAfterHelloRetryRequest) {
  Env e;
  e.cc->policy.key_share_groups = {NamedGroup::secp256r1};
  e.cc->policy.groups = {NamedGroup::secp256r1, NamedGroup::x25519};
  e.sc->policy.groups = {NamedGroup::x25519};
  auto stale = ech_key(9);
  Pair p = e.pair(stale->config_list());
  p.pump();
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->code(), ErrorCode::ech_required) << err(*p.client);
  EXPECT_TRUE(p.client->summary().hello_retry);
  EXPECT_EQ(p.client->summary().ech_retry_configs, e.config_list);
  EXPECT_TRUE(traced(e.client_trace, "answers the outer ClientHello (ECH refused)"));
}

// draft 6.1.6: the outer ClientHello offers TLS 1.2 too (as one without ECH
// would), and a server that answers it in TLS 1.2 refused ECH: the client
// authenticates the public name, sends no certificate of its own, keeps no
// session, and aborts with ech_required (no retry configs in TLS 1.2).
TEST(Ech, RefusedByATls12Server) {
  Env e;
  e.sc->ech_keys.clear();
  e.sc->policy.max_version = ProtocolVersion::tls12;
  e.sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  e.sc->client_auth = ClientAuth::optional;
  e.sc->client_trust = trust();
  e.cc->credential = credential("client-ec");
  auto store = std::make_shared<MemorySessionStore>();
  e.cc->session_store = store;
  Pair p = e.pair(e.config_list);
  p.pump();
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->code(), ErrorCode::ech_required) << err(*p.client);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::ech_required);
  EXPECT_NE(err(*p.client).find("TLS 1.2"), std::string::npos) << err(*p.client);
  const auto& c = p.client->summary();
  EXPECT_EQ(c.version, ProtocolVersion::tls12);
  EXPECT_EQ(c.ech, EchStatus::rejected);
  EXPECT_EQ(c.peer_subject, "CN=other.example");
  EXPECT_TRUE(c.ech_retry_configs.empty());
  EXPECT_TRUE(traced(e.client_trace, "TLS 1.2, which answers the outer ClientHello"));
  EXPECT_EQ(store->size(), 0u);
  // The server asked for our certificate and got an empty one; it saw only
  // the public name in server_name.
  EXPECT_FALSE(p.server->summary().client_authenticated);
  EXPECT_TRUE(p.server->summary().peer_chain.empty());
  EXPECT_EQ(p.server->summary().server_name, kPublicName);
  // Its certificate must be for the public name, not the name we want.
  Env f;
  f.sc->ech_keys.clear();
  f.sc->policy.max_version = ProtocolVersion::tls12;
  f.sc->credentials = {credential("server-ec")};  // localhost only
  Pair q = f.pair(f.config_list);
  q.pump();
  ASSERT_TRUE(q.client->error());
  EXPECT_EQ(q.client->error()->code(), ErrorCode::cert_name_mismatch) << err(*q.client);
}

// A client reaching an IP address sends no SNI of its own, but the outer
// ClientHello names the public name: after a refusal the server may
// acknowledge that server_name, and the client gets to ech_required.
TEST(Ech, RefusedForAnAddressStillGetsToEchRequired) {
  Env e;
  e.sc->ech_keys.clear();
  e.sc->credentials = {credential("server-other")};
  Pair p = e.pair(e.config_list, "127.0.0.1");
  p.pump();
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->code(), ErrorCode::ech_required) << err(*p.client);
}

TEST(Ech, RefusedServerMustHoldACertificateForThePublicName) {
  Env e;
  e.sc->credentials = {credential("server-ec")};  // localhost only
  auto stale = ech_key(7);
  Pair p = e.pair(stale->config_list());
  p.pump();
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->code(), ErrorCode::cert_name_mismatch) << err(*p.client);
  EXPECT_TRUE(p.client->summary().ech_retry_configs.empty());
}

TEST(Ech, MutualTlsAcceptedSendsOurCertificateRefusedDoesNot) {
  Env e;
  e.sc->client_auth = ClientAuth::required;
  e.sc->client_trust = trust();
  e.cc->credential = credential("client-ec");
  Pair p = e.pair(e.config_list);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.server->summary().client_authenticated);

  auto stale = ech_key(7);
  Pair r = e.pair(stale->config_list());
  r.pump();
  ASSERT_TRUE(r.client->error());
  EXPECT_EQ(r.client->error()->code(), ErrorCode::ech_required) << err(*r.client);
  EXPECT_FALSE(r.server->summary().client_authenticated);
  EXPECT_TRUE(r.server->summary().peer_chain.empty());
}

TEST(Ech, ResumptionInsideTheEncryptedClientHello) {
  Env e;
  e.cc->session_store = std::make_shared<MemorySessionStore>();
  e.sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  Pair first = e.pair(e.config_list);
  ASSERT_TRUE(first.handshake()) << err(*first.client) << " / " << err(*first.server);
  Pair second = e.pair(e.config_list);
  Bytes hello = take_out(*second.client);
  EXPECT_FALSE(contains(hello, "localhost"));
  ASSERT_TRUE(second.server->receive_tls(hello).ok()) << err(*second.server);
  ASSERT_TRUE(second.handshake()) << err(*second.client) << " / " << err(*second.server);
  EXPECT_TRUE(second.client->summary().resumed);
  EXPECT_EQ(second.client->summary().ech, EchStatus::accepted);
  // A refused ECH does not resume on the outer ClientHello (its
  // pre_shared_key is GREASE).
  e.sc->ech_keys = {ech_key(3)};
  Pair third = e.pair(e.config_list);
  third.pump();
  ASSERT_TRUE(third.client->error());
  EXPECT_EQ(third.client->error()->code(), ErrorCode::ech_required) << err(*third.client);
  EXPECT_FALSE(third.server->summary().resumed);
}

TEST(Ech, PaddingHidesTheLengthOfTheServerName) {
  Env e;
  e.sc->ech_keys = {ech_key(7, 64)};
  auto list = ech_config_list(e.sc->ech_keys);
  Pair a = e.pair(list, "localhost");
  Pair b = e.pair(list, "a-much-longer-name-than-localhost.example");
  EXPECT_EQ(take_out(*a.client).size(), take_out(*b.client).size());
}

TEST(Ech, BadConfigListsAreConfigErrors) {
  auto cc = client_config();
  auto key = ech_key(1);
  for (auto list : {std::vector<uint8_t>{1, 2, 3}, std::vector<uint8_t>{0, 0}}) {
    ClientOptions o{"localhost", {}, list};
    auto c = Connection::client(cc, o);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code(), ErrorCode::config_invalid) << c.error().to_string();
  }
  // A config of an unknown version only.
  std::vector<uint8_t> unknown = {0, 8, 0xfe, 0x0c, 0, 4, 1, 2, 3, 4};
  auto c = Connection::client(cc, ClientOptions{"localhost", {}, unknown});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::config_invalid);
  // TLS 1.2 only.
  auto cc12 = client_config();
  cc12->policy.min_version = cc12->policy.max_version = ProtocolVersion::tls12;
  auto c12 = Connection::client(cc12, ClientOptions{"localhost", {}, key->config_list()});
  ASSERT_FALSE(c12.ok());
  EXPECT_EQ(c12.error().code(), ErrorCode::config_invalid);
}

TEST(Ech, ServerRefusesAnInnerExtensionFromTheNetwork) {
  Env e;
  // A plain client's ClientHello, with the inner variant added by hand.
  Pair p = make_tls_pair(e.cc, e.sc);
  Bytes rec = take_out(*p.client);
  // Append encrypted_client_hello { type inner } to the extensions: find the
  // ClientHello's extension block length at its end and grow it.
  Bytes msg(rec.begin() + 5, rec.end());
  auto ch = wire::ClientHello::parse(ByteView(msg).subspan(4));
  ASSERT_TRUE(ch.ok());
  ch->extensions.insert(ch->extensions.begin(),
                        wire::Extension{wire::kExtEncryptedClientHello, {1}});
  auto forged = wire::encode_handshake(*ch);
  ASSERT_TRUE(forged.ok());
  (void)p.server->receive_tls(handshake_record(*forged));
  ASSERT_TRUE(p.server->error());
  EXPECT_EQ(p.server->error()->code(), ErrorCode::illegal_parameter) << err(*p.server);
}

TEST(Ech, TamperedOuterClientHelloIsNotOpened) {
  Env e;
  Pair p = e.pair(e.config_list);
  Bytes rec = take_out(*p.client);
  // Change one byte of the outer ClientHello's random: it is in the AAD, so
  // the inner one no longer opens and the server answers the outer one.
  rec[5 + 4 + 2 + 3] ^= 1;
  ASSERT_TRUE(p.server->receive_tls(rec).ok()) << err(*p.server);
  EXPECT_EQ(p.server->summary().ech, EchStatus::rejected);
  p.pump();
  ASSERT_TRUE(p.client->error());
  // The client sees a server that answered a ClientHello it did not send.
  EXPECT_NE(p.client->error()->code(), ErrorCode::ech_required);
}

}  // namespace
}  // namespace tessera::testing

namespace tessera::testing {
namespace {

// The second ClientHello after a HelloRetryRequest that accepted ECH, for
// forging: the client's flight (a compatibility CCS, then the ClientHello
// record) with the ClientHello decoded.
struct SecondHello {
  Pair p;
  wire::ClientHello ch;
};

SecondHello second_hello(Env& e) {
  e.cc->policy.key_share_groups = {NamedGroup::secp256r1};
  e.cc->policy.groups = {NamedGroup::secp256r1, NamedGroup::x25519};
  e.sc->policy.groups = {NamedGroup::x25519};
  SecondHello s{e.pair(e.config_list), {}};
  EXPECT_TRUE(s.p.server->receive_tls(take_out(*s.p.client)).ok());
  EXPECT_TRUE(s.p.client->receive_tls(take_out(*s.p.server)).ok()) << err(*s.p.client);
  Bytes flight = take_out(*s.p.client);
  // Skip records up to the handshake one.
  size_t at = 0;
  while (at + 5 <= flight.size() && flight[at] != 22)
    at += 5 + (static_cast<size_t>(flight[at + 3]) << 8 | flight[at + 4]);
  EXPECT_LT(at + 9, flight.size());
  auto ch = wire::ClientHello::parse(ByteView(flight).subspan(at + 5 + 4));
  EXPECT_TRUE(ch.ok()) << (ch.ok() ? "" : ch.error().to_string());
  if (ch.ok()) s.ch = std::move(*ch);
  return s;
}

// deliver re-encodes the (edited) second ClientHello and gives it to the
// server, returning the server's error code.
ErrorCode deliver(SecondHello& s) {
  auto msg = wire::encode_handshake(s.ch);
  EXPECT_TRUE(msg.ok());
  (void)s.p.server->receive_tls(handshake_record(*msg));
  EXPECT_TRUE(s.p.server->error());
  return s.p.server->error() ? s.p.server->error()->code() : ErrorCode::internal_error;
}

wire::Extension* ech_extension(wire::ClientHello& ch) {
  for (auto& x : ch.extensions)
    if (x.type == wire::kExtEncryptedClientHello) return &x;
  return nullptr;
}

TEST(Ech, SecondClientHelloUnchangedIsAccepted) {
  Env e;
  SecondHello s = second_hello(e);
  auto msg = wire::encode_handshake(s.ch);
  ASSERT_TRUE(msg.ok());
  ASSERT_TRUE(s.p.server->receive_tls(handshake_record(*msg)).ok()) << err(*s.p.server);
  EXPECT_EQ(s.p.server->summary().ech, EchStatus::accepted);
}

TEST(Ech, SecondClientHelloWithoutTheExtensionIsMissingExtension) {
  Env e;
  SecondHello s = second_hello(e);
  std::erase_if(s.ch.extensions,
                [](const wire::Extension& x) { return x.type == wire::kExtEncryptedClientHello; });
  EXPECT_EQ(deliver(s), ErrorCode::missing_extension) << err(*s.p.server);
}

TEST(Ech, SecondClientHelloWithAnEncOrAnotherConfigIsIllegal) {
  for (int what = 0; what < 2; ++what) {
    Env e;
    SecondHello s = second_hello(e);
    wire::Extension* x = ech_extension(s.ch);
    ASSERT_TRUE(x);
    auto ech = wire::EchClientHello::parse(x->data);
    ASSERT_TRUE(ech.ok() && ech->outer);
    if (what == 0)
      ech->outer->enc.assign(32, 9);
    else
      ech->outer->config_id ^= 1;
    *x = wire::make_extension(wire::kExtEncryptedClientHello, *ech);
    EXPECT_EQ(deliver(s), ErrorCode::illegal_parameter) << what << ": " << err(*s.p.server);
  }
}

TEST(Ech, SecondClientHelloThatDoesNotOpenIsDecryptError) {
  Env e;
  SecondHello s = second_hello(e);
  wire::Extension* x = ech_extension(s.ch);
  ASSERT_TRUE(x);
  x->data.back() ^= 0x80;  // the last byte of the payload (its tag)
  EXPECT_EQ(deliver(s), ErrorCode::decrypt_error) << err(*s.p.server);
  EXPECT_EQ(s.p.server->error()->alert(), AlertDescription::decrypt_error);
}

}  // namespace
}  // namespace tessera::testing

namespace tessera::testing {
namespace {

// --- GREASE ECH (draft-ietf-tls-esni-25 6.2; ClientConfig::ech_grease) -------

// hello_of parses the ClientHello of a client's first flight (one record).
wire::ClientHello hello_of(const Bytes& flight) {
  EXPECT_GT(flight.size(), 9u);
  auto ch = wire::ClientHello::parse(ByteView(flight).subspan(9));
  EXPECT_TRUE(ch.ok()) << (ch.ok() ? "" : ch.error().to_string());
  return ch.ok() ? std::move(*ch) : wire::ClientHello{};
}

wire::EchClientHelloOuter outer_ech(const wire::ClientHello& ch) {
  const wire::Extension* x = ch.find_extension(wire::kExtEncryptedClientHello);
  EXPECT_NE(x, nullptr);
  if (!x) return {};
  auto ech = wire::EchClientHello::parse(x->data);
  EXPECT_TRUE(ech.ok() && ech->outer);
  return ech.ok() && ech->outer ? *ech->outer : wire::EchClientHelloOuter{};
}

std::vector<uint16_t> extension_types(const wire::ClientHello& ch) {
  std::vector<uint16_t> t;
  for (const auto& x : ch.extensions) t.push_back(x.type);
  return t;
}

TEST(EchGrease, LooksLikeARealOffer) {
  // draft 6.2.1 and 10.10.4 ("Do Not Stick Out"): the same cipher suites,
  // extensions in the same order and of the same lengths but for
  // server_name, an enc of the KEM's size and a payload as long as a real
  // offer's, for the same client settings: with and without ALPN and
  // post-handshake authentication, offering TLS 1.2 or not.
  for (int variant = 0; variant < 4; ++variant) {
    const bool alpn = variant & 1, tls13_only = variant & 2;
    const std::string what = "variant " + std::to_string(variant);
    Env e;
    if (tls13_only) e.cc->policy.min_version = ProtocolVersion::tls13;
    if (alpn) e.cc->alpn = {"h2", "http/1.1"};
    if (alpn) e.sc->alpn = {"h2"};
    e.cc->post_handshake_auth = alpn;
    Pair real = e.pair(e.config_list);
    const Bytes real_hello = take_out(*real.client);
    const wire::ClientHello real_ch = hello_of(real_hello);
    e.cc->ech_grease = true;
    Pair grease = e.pair({});
    const wire::ClientHello grease_ch = hello_of(take_out(*grease.client));
    EXPECT_EQ(extension_types(grease_ch), extension_types(real_ch)) << what;
    EXPECT_EQ(grease_ch.cipher_suites, real_ch.cipher_suites) << what;
    for (size_t i = 0; i < real_ch.extensions.size() && i < grease_ch.extensions.size(); ++i) {
      const auto& x = real_ch.extensions[i];
      if (x.type == wire::kExtServerName || x.type == wire::kExtEncryptedClientHello) continue;
      EXPECT_EQ(grease_ch.extensions[i].data.size(), x.data.size()) << what << " type " << x.type;
    }
    const auto r = outer_ech(real_ch);
    const auto g = outer_ech(grease_ch);
    EXPECT_EQ(g.enc.size(), r.enc.size());
    EXPECT_EQ(g.payload.size(), r.payload.size()) << what;
    EXPECT_EQ(g.cipher_suite.kdf_id, 1);  // HKDF-SHA256, as our configs use
    EXPECT_TRUE(g.cipher_suite.aead_id == 1 || g.cipher_suite.aead_id == 3);
    // Random each time: another connection's extension differs.
    Pair other = e.pair({});
    const auto o = outer_ech(hello_of(take_out(*other.client)));
    EXPECT_NE(o.enc, g.enc);
    EXPECT_NE(o.payload, g.payload);
    EXPECT_EQ(o.payload.size(), g.payload.size());
    // The real one still negotiates what it offers, inside the ECH.
    ASSERT_TRUE(real.server->receive_tls(real_hello).ok()) << err(*real.server);
    ASSERT_TRUE(real.handshake()) << err(*real.client) << " / " << err(*real.server);
    EXPECT_EQ(real.client->summary().ech, EchStatus::accepted);
    EXPECT_EQ(real.client->summary().alpn, alpn ? "h2" : "") << what;
  }
}

TEST(EchGrease, LooksLikeARealOfferWhenResuming) {
  // An inner ClientHello offering a ticket carries its pre_shared_key
  // uncompressed: the GREASE payload counts it too.
  std::vector<size_t> payloads, identities;
  for (bool grease : {false, true}) {
    Env e;
    e.cc->policy.min_version = ProtocolVersion::tls13;
    e.cc->ech_grease = grease;
    e.cc->session_store = std::make_shared<MemorySessionStore>();
    e.sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
    const std::vector<uint8_t> list = grease ? std::vector<uint8_t>{} : e.config_list;
    Pair first = e.pair(list);
    ASSERT_TRUE(first.handshake()) << err(*first.client) << " / " << err(*first.server);
    Pair second = e.pair(list);
    const wire::ClientHello ch = hello_of(take_out(*second.client));
    const wire::Extension* psk = ch.find_extension(wire::kExtPreSharedKey);
    ASSERT_NE(psk, nullptr);
    identities.push_back(psk->data.size());
    payloads.push_back(outer_ech(ch).payload.size());
  }
  ASSERT_EQ(identities[0], identities[1]);  // tickets of the same size
  EXPECT_EQ(payloads[0], payloads[1]);
}

TEST(EchGrease, ServerWithoutEchIgnoresIt) {
  Env e;
  e.sc->ech_keys.clear();
  e.cc->ech_grease = true;
  Pair p = e.pair({});
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.client->summary().ech, EchStatus::grease);
  EXPECT_EQ(p.server->summary().ech, EchStatus::not_offered);
  EXPECT_EQ(p.server->summary().server_name, "localhost");
  EXPECT_TRUE(p.client->summary().ech_public_name.empty());
  EXPECT_TRUE(traced(e.client_trace, "ECH: GREASE"));
  transfer(p, true, 1000);
  // A TLS 1.2 server ignores it too; the summary still says it was sent.
  e.sc->policy.max_version = ProtocolVersion::tls12;
  Pair p12 = e.pair({});
  ASSERT_TRUE(p12.handshake()) << err(*p12.client) << " / " << err(*p12.server);
  EXPECT_EQ(p12.client->summary().version, ProtocolVersion::tls12);
  EXPECT_EQ(p12.client->summary().ech, EchStatus::grease);
}

TEST(EchGrease, RetryConfigsOfAServerWithEchAreCheckedAndDropped) {
  Env e;
  e.cc->ech_grease = true;
  Pair p = e.pair({});
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  // The server could not open it (no config of its has a random id's key)
  // and sent its configs; the client is not offering ECH and goes on.
  EXPECT_EQ(p.server->summary().ech, EchStatus::rejected);
  EXPECT_EQ(p.client->summary().ech, EchStatus::grease);
  EXPECT_TRUE(p.client->summary().ech_retry_configs.empty());
  EXPECT_EQ(p.client->summary().peer_subject, "CN=localhost");
  EXPECT_TRUE(traced(e.client_trace, "are ignored"));
}

TEST(EchGrease, SecondClientHelloRepeatsTheExtension) {
  Env e;
  e.cc->ech_grease = true;
  e.cc->policy.key_share_groups = {NamedGroup::secp256r1};
  e.cc->policy.groups = {NamedGroup::secp256r1, NamedGroup::x25519};
  e.sc->policy.groups = {NamedGroup::x25519};
  Pair p = e.pair({});
  Bytes first = take_out(*p.client);
  const wire::ClientHello ch1 = hello_of(first);
  ASSERT_TRUE(p.server->receive_tls(first).ok()) << err(*p.server);
  ASSERT_TRUE(p.client->receive_tls(take_out(*p.server)).ok()) << err(*p.client);
  Bytes flight = take_out(*p.client);
  // Skip the compatibility change_cipher_spec record.
  ASSERT_EQ(flight[0], 20);
  Bytes second(flight.begin() + 6, flight.end());
  const wire::ClientHello ch2 = hello_of(second);
  ASSERT_NE(ch2.find_extension(wire::kExtEncryptedClientHello), nullptr);
  EXPECT_EQ(*ch2.find_extension(wire::kExtEncryptedClientHello),
            *ch1.find_extension(wire::kExtEncryptedClientHello));
  ASSERT_TRUE(p.server->receive_tls(flight).ok()) << err(*p.server);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.client->summary().hello_retry);
  EXPECT_EQ(p.client->summary().ech, EchStatus::grease);
}

// A HelloRetryRequest may carry an encrypted_client_hello; a GREASE client
// checks that it is 8 bytes (decode_error otherwise) and ignores it.
TEST(EchGrease, HelloRetryRequestExtensionIsCheckedAndIgnored) {
  for (size_t len : {size_t{8}, size_t{3}}) {
    Env e;
    e.sc->ech_keys.clear();
    e.cc->ech_grease = true;
    e.cc->policy.key_share_groups = {NamedGroup::secp256r1};
    e.cc->policy.groups = {NamedGroup::secp256r1, NamedGroup::x25519};
    e.sc->policy.groups = {NamedGroup::x25519};
    Pair p = e.pair({});
    ASSERT_TRUE(p.server->receive_tls(take_out(*p.client)).ok()) << err(*p.server);
    Bytes hrr_rec = take_out(*p.server);
    // The HelloRetryRequest record (a change_cipher_spec may follow it).
    ASSERT_EQ(hrr_rec[0], 22);
    const size_t rec_len = static_cast<size_t>(hrr_rec[3]) << 8 | hrr_rec[4];
    auto hrr = wire::ServerHello::parse(ByteView(hrr_rec).subspan(9, rec_len - 4));
    ASSERT_TRUE(hrr.ok());
    hrr->extensions.push_back(wire::Extension{wire::kExtEncryptedClientHello, Bytes(len, 0x5a)});
    auto msg = wire::encode_handshake(*hrr);
    ASSERT_TRUE(msg.ok());
    const bool ok = p.client->receive_tls(handshake_record(*msg)).ok();
    if (len == 8) {
      EXPECT_TRUE(ok) << err(*p.client);
      EXPECT_FALSE(take_out(*p.client).empty());  // the second ClientHello
    } else {
      ASSERT_TRUE(p.client->error());
      EXPECT_EQ(p.client->error()->alert(), AlertDescription::decode_error) << err(*p.client);
    }
  }
}

TEST(EchGrease, ResumesAndGivesWayToARealConfig) {
  Env e;
  e.cc->ech_grease = true;
  e.cc->session_store = std::make_shared<MemorySessionStore>();
  e.sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  Pair first = e.pair({});
  ASSERT_TRUE(first.handshake()) << err(*first.client) << " / " << err(*first.server);
  // draft 6.2.1: "the client MAY offer to resume sessions established
  // without ECH".
  Pair second = e.pair({});
  ASSERT_TRUE(second.handshake()) << err(*second.client) << " / " << err(*second.server);
  EXPECT_TRUE(second.client->summary().resumed);
  EXPECT_EQ(second.client->summary().ech, EchStatus::grease);
  // With a config, the real thing is sent.
  Pair real = e.pair(e.config_list);
  ASSERT_TRUE(real.handshake()) << err(*real.client) << " / " << err(*real.server);
  EXPECT_EQ(real.client->summary().ech, EchStatus::accepted);
  // A TLS 1.2-only client sends none.
  e.cc->policy.min_version = e.cc->policy.max_version = ProtocolVersion::tls12;
  Pair old = e.pair({});
  const wire::ClientHello ch = hello_of(take_out(*old.client));
  EXPECT_EQ(ch.find_extension(wire::kExtEncryptedClientHello), nullptr);
  EXPECT_EQ(old.client->summary().ech, EchStatus::not_offered);
}

// draft 7: the encrypted_client_hello of a second ClientHello that the server
// does not open (the first carried no ECH) is checked too: the inner type,
// which only an encrypted ClientHello may carry, -> illegal_parameter.
TEST(Ech, SecondClientHelloWithTheInnerTypeIsRefused) {
  Env e;
  ASSERT_TRUE(e.cc->policy.set_groups("x25519,secp384r1").ok());  // a share for x25519 only
  ASSERT_TRUE(e.sc->policy.set_groups("secp384r1").ok());
  Pair p = e.pair({});  // the client offers no ECH
  ASSERT_TRUE(p.server->receive_tls(take_out(*p.client)).ok());
  ASSERT_TRUE(traced(e.server_trace, "HelloRetryRequest"));
  ASSERT_TRUE(p.client->receive_tls(take_out(*p.server)).ok());
  Bytes in;
  bool found = false;
  for (Bytes rec : records_of(take_out(*p.client))) {  // ChangeCipherSpec, ClientHello
    if (rec[0] == 22 && rec[5] == 1) {
      // Append encrypted_client_hello {type inner} to the ClientHello:
      // header, version, random, session id, suites, compression methods.
      Bytes ch(rec.begin() + 5, rec.end());
      size_t ext = 4 + 2 + 32;
      ext += 1 + ch[ext];
      ext += 2 + ((size_t{ch[ext]} << 8) | ch[ext + 1]);
      ext += 1 + ch[ext];
      append_extension(ch, ext, 0xfe0d, {0x01});
      rec = handshake_record(ch);
      found = true;
    }
    in.insert(in.end(), rec.begin(), rec.end());
  }
  ASSERT_TRUE(found);
  auto r = p.server->receive_tls(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::illegal_parameter) << r.error().to_string();
  EXPECT_NE(r.error().message().find("inner encrypted_client_hello"), std::string::npos)
      << r.error().to_string();
}

}  // namespace
}  // namespace tessera::testing
