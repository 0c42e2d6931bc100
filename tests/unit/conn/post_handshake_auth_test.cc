// TLS 1.3 post-handshake client authentication (RFC 8446 4.2.6, 4.6.2): a
// server asks, after the handshake, a client that offered post_handshake_auth
// for its certificate; the client answers with Certificate, CertificateVerify
// and Finished, or declines. Both sides in memory, then a peer that forges
// the client's or the server's records (keys from the key log) to send what
// an honest one never would.
#include <gtest/gtest.h>

#include <algorithm>

#include "handshake/messages13.h"
#include "pair.h"
#include "record/protection.h"
#include "record/record.h"
#include "x509/builder.h"
#include "x509/trust_store.h"

namespace tessera::testing {
namespace {

using record::ContentType;

// A client that offers post-handshake authentication with the test client
// certificate, and a server that trusts its CA but does not ask for a
// certificate in the handshake (one TLS 1.3 suite; no tickets, so the
// server's first application-key record is what a test makes it send).
struct Env {
  std::shared_ptr<ClientConfig> cc = client_config();
  std::shared_ptr<ServerConfig> sc = server_config();
  KeyLog log;
  Env() {
    cc->policy.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
    cc->credential = credential("client-ec");
    cc->post_handshake_auth = true;
    cc->keylog = collect_key_log(log);
    sc->client_trust = trust();
    sc->tickets = 0;
  }
};

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(PostHandshakeAuth, ServerAsksAfterTheHandshakeAndTheClientAuthenticates) {
  Env e;
  std::vector<std::string> client_trace, server_trace;
  Pair p = make_tls_pair(e.cc, e.sc);
  p.client->set_trace([&](std::string_view l) { client_trace.emplace_back(l); });
  p.server->set_trace([&](std::string_view l) { server_trace.emplace_back(l); });
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_FALSE(p.server->summary().client_authenticated);
  EXPECT_EQ(p.server->summary().peer_subject, "");
  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::none);
  (void)drain_events(*p.client);
  (void)drain_events(*p.server);

  ASSERT_TRUE(p.server->request_client_certificate().ok());
  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::pending);
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);

  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::received);
  const HandshakeSummary& s = p.server->summary();
  EXPECT_TRUE(s.client_authenticated);
  EXPECT_EQ(s.peer_subject, "CN=tessera test client");
  EXPECT_EQ(s.peer_verified_by, "CN=tessera test CA");
  ASSERT_EQ(s.peer_chain.size(), 1u);
  EXPECT_EQ(s.peer_chain[0], credential("client-ec")->chain[0]);
  EXPECT_EQ(s.client_signature_scheme,
            static_cast<uint16_t>(SignatureScheme::ecdsa_secp256r1_sha256));
  EXPECT_TRUE(has_event(drain_events(*p.server), Event::client_certificate_answered));
  EXPECT_TRUE(has_event(drain_events(*p.client), Event::certificate_requested));
  EXPECT_TRUE(p.client->summary().client_authenticated);

  auto contains = [](const std::vector<std::string>& lines, std::string_view what) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(contains(server_trace, "-> CertificateRequest (after the handshake)"));
  EXPECT_TRUE(contains(server_trace, "it is CN=tessera test client"));
  EXPECT_TRUE(contains(client_trace, "<- CertificateRequest (after the handshake)"));
  EXPECT_TRUE(contains(client_trace, "-> Certificate: our client certificate"));

  // The connection goes on in both directions.
  transfer(p, true, 40000);
  transfer(p, false, 40000);
}

// A client certificate of another key type, from a PKI made for the test
// (x509::make_local_pki), and the server trust that goes with it.
struct LocalClient {
  std::shared_ptr<const Credential> credential;
  std::shared_ptr<x509::TrustStore> trust = std::make_shared<x509::TrustStore>();
};
LocalClient local_client(crypto::KeyType type) {
  LocalClient out;
  auto pki = x509::make_local_pki(*crypto::default_provider(), {type}, kTestNow);
  EXPECT_TRUE(pki.ok()) << pki.error().to_string();
  if (!pki.ok()) return out;
  auto key = pki->client.key_pem();
  EXPECT_TRUE(key.ok());
  auto cred = Credential::from_pem(pki->client.cert_pem(), *key);
  EXPECT_TRUE(cred.ok()) << cred.error().to_string();
  if (cred.ok()) out.credential = std::make_shared<Credential>(std::move(*cred));
  const std::string ca = pki->ca.cert_pem();
  EXPECT_TRUE(
      out.trust->add_pem(ByteView(reinterpret_cast<const uint8_t*>(ca.data()), ca.size())).ok());
  return out;
}

TEST(PostHandshakeAuth, EachKeyTypeAndRepeatedRequests) {
  // An RSA client key signs with RSA-PSS (RFC 8446 4.4.3); a second request
  // is answered as the first, each over its own context.
  for (crypto::KeyType type :
       {crypto::KeyType::ec_p256, crypto::KeyType::rsa, crypto::KeyType::ed25519}) {
    SCOPED_TRACE(crypto::key_type_name(type));
    LocalClient local = local_client(type);
    Env e;
    e.cc->credential = local.credential;
    e.sc->client_trust = local.trust;
    Pair p = handshaken_pair(e.cc, e.sc);
    for (int round = 0; round < 2; ++round) {
      ASSERT_TRUE(p.server->request_client_certificate().ok());
      ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
      EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::received);
      EXPECT_EQ(p.server->summary().peer_subject, "O=tessera, CN=tessera client");
      transfer(p, true, 1000);
    }
    const uint16_t scheme = p.server->summary().client_signature_scheme;
    if (type == crypto::KeyType::rsa) {
      EXPECT_EQ(scheme, static_cast<uint16_t>(SignatureScheme::rsa_pss_rsae_sha256));
    } else if (type == crypto::KeyType::ed25519) {
      EXPECT_EQ(scheme, static_cast<uint16_t>(SignatureScheme::ed25519));
    }
  }
}

TEST(PostHandshakeAuth, ReplacesTheHandshakesClientIdentity) {
  // A client that authenticated in the handshake is asked again and answers
  // with another certificate (the config's credential changed in between, a
  // test device): the summary names the new one.
  LocalClient local = local_client(crypto::KeyType::ec_p256);
  Env e;
  e.sc->client_auth = ClientAuth::optional;
  auto both = std::make_shared<x509::TrustStore>();
  ASSERT_TRUE(both->add_file(pki_path("ca.pem")).ok());
  for (const auto& a : local.trust->anchors()) ASSERT_TRUE(both->add_pem(a->der()).ok());
  e.sc->client_trust = both;
  Pair p = handshaken_pair(e.cc, e.sc);
  EXPECT_EQ(p.server->summary().peer_subject, "CN=tessera test client");
  e.cc->credential = local.credential;
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::received);
  EXPECT_EQ(p.server->summary().peer_subject, "O=tessera, CN=tessera client");
  EXPECT_EQ(p.server->summary().peer_verified_by, "O=tessera, CN=tessera local CA");
}

TEST(PostHandshakeAuth, ClientWithoutCertificateDeclines) {
  Env e;
  e.cc->credential = nullptr;
  Pair p = handshaken_pair(e.cc, e.sc);
  (void)drain_events(*p.server);
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::declined);
  EXPECT_FALSE(p.server->summary().client_authenticated);
  EXPECT_EQ(p.server->summary().peer_subject, "");
  EXPECT_TRUE(has_event(drain_events(*p.server), Event::client_certificate_answered));
  EXPECT_TRUE(has_event(drain_events(*p.client), Event::certificate_requested));
  EXPECT_FALSE(p.client->summary().client_authenticated);
  transfer(p, true, 1000);
  transfer(p, false, 1000);
}

TEST(PostHandshakeAuth, ClientWhoseKeyCannotSignAnyRequestedSchemeDeclines) {
  // The server's policy (an RSA server) lists only RSA-PSS in its request.
  Env e;
  e.sc->credentials = {credential("server-rsa")};
  e.sc->policy.signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256};
  Pair p = handshaken_pair(e.cc, e.sc);
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::declined);
}

TEST(PostHandshakeAuth, ApplicationDataBeforeTheAnswerIsKept) {
  // The client's data written before the request reached it arrives first;
  // the answer follows, and nothing is lost.
  Env e;
  Pair p = handshaken_pair(e.cc, e.sc);
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  ASSERT_TRUE(p.client->write(text("GET /private")).ok());
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(read_all(*p.server), "GET /private");
  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::received);
}

TEST(PostHandshakeAuth, KeyUpdatesOnEitherSideBeforeTheAnswer) {
  // The answer's Finished is keyed by the client's traffic secret when it
  // answers (RFC 8446 4.4: client_application_traffic_secret_N): a client
  // KeyUpdate before the request reaches it, or a server one after asking,
  // changes nothing for the exchange.
  for (bool client_updates : {true, false}) {
    SCOPED_TRACE(client_updates ? "client KeyUpdate" : "server KeyUpdate");
    Env e;
    Pair p = handshaken_pair(e.cc, e.sc);
    ASSERT_TRUE(p.server->request_client_certificate().ok());
    if (client_updates) {
      ASSERT_TRUE(p.client->key_update(/*request_peer=*/true).ok());
    } else {
      ASSERT_TRUE(p.server->key_update(/*request_peer=*/true).ok());
    }
    ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::received);
    transfer(p, true, 1000);
    transfer(p, false, 1000);
  }
}

TEST(PostHandshakeAuth, NothingFollowsTheClientsCloseNotify) {
  // RFC 8446 6.1: a client that closed its side sends no answer after its
  // close_notify; the server sees the close, and its request stays pending.
  Env e;
  Pair p = handshaken_pair(e.cc, e.sc);
  p.client->close();
  Bytes closing = take_out(*p.client);
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  ASSERT_TRUE(p.client->receive_tls(take_out(*p.server)).ok());
  EXPECT_TRUE(p.client->pending_tls().empty());
  ASSERT_TRUE(p.server->receive_tls(closing).ok());
  EXPECT_TRUE(p.server->is_peer_closed());
  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::pending);
}

TEST(PostHandshakeAuth, RequestRefusedWhenItCannotBeMade) {
  // Each refusal leaves the connection usable, and nothing is sent.
  auto expect_refused = [](Connection& c, ErrorCode code, std::string_view words) {
    auto r = c.request_client_certificate();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), code) << r.error().to_string();
    EXPECT_NE(r.error().message().find(words), std::string::npos) << r.error().message();
    EXPECT_TRUE(c.pending_tls().empty());
    EXPECT_EQ(c.error(), nullptr);
  };
  {
    SCOPED_TRACE("client did not offer post_handshake_auth");
    Env e;
    e.cc->post_handshake_auth = false;
    Pair p = handshaken_pair(e.cc, e.sc);
    expect_refused(*p.server, ErrorCode::internal_error, "did not offer post_handshake_auth");
    transfer(p, true, 1000);
  }
  {
    SCOPED_TRACE("no client_trust");
    Env e;
    e.sc->client_trust = nullptr;
    Pair p = handshaken_pair(e.cc, e.sc);
    expect_refused(*p.server, ErrorCode::config_invalid, "client_trust");
  }
  {
    SCOPED_TRACE("a request pending");
    Env e;
    Pair p = handshaken_pair(e.cc, e.sc);
    ASSERT_TRUE(p.server->request_client_certificate().ok());
    (void)p.server->pending_tls();
    auto r = p.server->request_client_certificate();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("not answered"), std::string::npos);
    ASSERT_TRUE(p.pump());
    EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::received);
  }
  {
    SCOPED_TRACE("before the handshake");
    Env e;
    Pair p = make_tls_pair(e.cc, e.sc);
    auto r = p.server->request_client_certificate();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  }
  {
    SCOPED_TRACE("TLS 1.2");
    Env e;
    e.cc->policy = Policy::default_policy();
    e.cc->policy.max_version = ProtocolVersion::tls12;
    Pair p = handshaken_pair(e.cc, e.sc);
    expect_refused(*p.server, ErrorCode::internal_error, "TLS 1.3 server");
  }
  {
    SCOPED_TRACE("after close(), or after the client's close_notify");
    Env e;
    Pair p = handshaken_pair(e.cc, e.sc);
    p.client->close();
    ASSERT_TRUE(p.server->receive_tls(take_out(*p.client)).ok());
    auto r = p.server->request_client_certificate();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("the client closed"), std::string::npos);
    p.server->close();
    (void)take_out(*p.server);
    r = p.server->request_client_certificate();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("after close()"), std::string::npos);
  }
  {
    SCOPED_TRACE("a client");
    Env e;
    Pair p = handshaken_pair(e.cc, e.sc);
    expect_refused(*p.client, ErrorCode::internal_error, "TLS 1.3 server");
  }
}

TEST(PostHandshakeAuth, UntrustedClientCertificateFailsTheConnection) {
  Env e;
  e.cc->credential = credential("rogue-client");
  Pair p = handshaken_pair(e.cc, e.sc);
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::cert_untrusted) << err(*p.server);
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::peer_alert);
  EXPECT_NE(err(*p.client).find("unknown_ca"), std::string::npos) << err(*p.client);
  EXPECT_FALSE(p.server->summary().client_authenticated);
}

TEST(PostHandshakeAuth, PeerCheckDecidesOnTheAnswer) {
  for (bool allow : {true, false}) {
    SCOPED_TRACE(allow);
    Env e;
    auto check = allow_peers({allow ? "CN:tessera test client" : "CN:someone else"});
    ASSERT_TRUE(check.ok());
    e.sc->peer_check = *check;
    Pair p = handshaken_pair(e.cc, e.sc);  // no certificate yet: not checked
    ASSERT_TRUE(p.server->request_client_certificate().ok());
    EXPECT_EQ(p.pump(), allow);
    if (allow) {
      EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::received);
      continue;
    }
    ASSERT_NE(p.server->error(), nullptr);
    EXPECT_EQ(p.server->error()->code(), ErrorCode::access_denied);
    EXPECT_NE(err(*p.client).find("access_denied"), std::string::npos) << err(*p.client);
    EXPECT_FALSE(p.server->summary().client_authenticated);
  }
}

TEST(PostHandshakeAuth, ClientAdvertisesItOnlyWhenConfigured) {
  // The extension is empty and in the ClientHello only when configured
  // (RFC 8446 4.2.6); a TLS 1.2-only ClientHello never carries it.
  auto offered = [](std::shared_ptr<ClientConfig> cc) {
    auto c = Connection::client(cc, {"localhost", {}});
    EXPECT_TRUE(c.ok());
    auto b = (*c)->pending_tls();
    Bytes hello(b.begin(), b.end());
    const Bytes ext = {0x00, 0x31, 0x00, 0x00};  // type 49, length 0
    return std::search(hello.begin(), hello.end(), ext.begin(), ext.end()) != hello.end();
  };
  Env e;
  EXPECT_TRUE(offered(e.cc));
  e.cc->post_handshake_auth = false;
  EXPECT_FALSE(offered(e.cc));
  e.cc->post_handshake_auth = true;
  e.cc->policy.max_version = ProtocolVersion::tls12;
  e.cc->policy.cipher_suites = Policy::default_policy().cipher_suites;
  EXPECT_FALSE(offered(e.cc));
}

TEST(PostHandshakeAuth, ExtensionWithContentIsDecodeError) {
  // RFC 8446 4.2.6: its extension_data is zero length. A real ClientHello
  // whose post_handshake_auth carries one byte (every length fixed up).
  Env e;
  auto c = Connection::client(e.cc, {"localhost", {}});
  ASSERT_TRUE(c.ok());
  Bytes rec = take_out(**c);
  const Bytes ext = {0x00, 0x31, 0x00, 0x00};
  auto at = std::search(rec.begin(), rec.end(), ext.begin(), ext.end());
  ASSERT_NE(at, rec.end());
  const size_t pos = static_cast<size_t>(at - rec.begin());
  rec[pos + 3] = 1;
  rec.insert(rec.begin() + static_cast<long>(pos) + 4, 0x00);
  auto bump = [&](size_t off, int bytes) {  // a big-endian length field, plus one
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | rec[off + static_cast<size_t>(i)];
    ++v;
    for (int i = bytes - 1; i >= 0; --i, v >>= 8) rec[off + static_cast<size_t>(i)] = v & 0xff;
  };
  bump(3, 2);  // record length
  bump(6, 3);  // handshake length
  // The extensions length: after version, random, session id, suites, compression.
  size_t off = 9 + 2 + 32;
  off += 1 + rec[off];
  off += 2 + ((size_t{rec[off]} << 8) | rec[off + 1]);
  off += 1 + rec[off];
  bump(off, 2);
  auto server = Connection::server(e.sc);
  ASSERT_TRUE(server.ok());
  auto r = (*server)->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error) << r.error().to_string();
}

// --- forged records --------------------------------------------------------

// One direction of a pair's application traffic, from the key log: sealing
// what that side would send, or opening what it sent.
struct Direction {
  std::unique_ptr<record::Tls13RecordProtection> prot;
  explicit Direction(const Bytes& secret) : prot(tls13_protection(secret)) {}
  Bytes seal(ContentType type, ByteView content) {
    Bytes out;
    EXPECT_TRUE(prot->seal(type, content, 0, out).ok());
    return out;
  }
  // open_all returns the (type, content) of each record in `wire`.
  std::vector<std::pair<ContentType, Bytes>> open_all(Bytes wire) {
    std::vector<std::pair<ContentType, Bytes>> out;
    size_t at = 0;
    while (at + 5 <= wire.size()) {
      size_t len = (size_t{wire[at + 3]} << 8) | wire[at + 4];
      if (at + 5 + len > wire.size()) break;
      record::Record rec{static_cast<ContentType>(wire[at]), 0x0303,
                         MutableByteView(wire.data() + at + 5, len)};
      auto opened = prot->open(rec);
      EXPECT_TRUE(opened.ok());
      if (!opened.ok()) break;
      out.emplace_back(opened->type, Bytes(opened->plaintext.begin(), opened->plaintext.end()));
      at += 5 + len;
    }
    return out;
  }
};

// A pair after its handshake whose client is played by the test: the server
// has sent a CertificateRequest, whose context the test read.
struct ForgedClient {
  Env e;
  Pair p;
  std::unique_ptr<Direction> to_server, from_server;
  Bytes context;
  ForgedClient() {
    p = handshaken_pair(e.cc, e.sc);
    to_server = std::make_unique<Direction>(e.log["CLIENT_TRAFFIC_SECRET_0"]);
    from_server = std::make_unique<Direction>(e.log["SERVER_TRAFFIC_SECRET_0"]);
    EXPECT_TRUE(p.server->request_client_certificate().ok());
    auto recs = from_server->open_all(take_out(*p.server));
    EXPECT_EQ(recs.size(), 1u);
    if (recs.empty()) return;
    auto cr = handshake::parse_certificate_request13(ByteView(recs[0].second).subspan(4), true);
    EXPECT_TRUE(cr.ok());
    if (cr.ok()) context = cr->context;
  }
  // send feeds the server one forged handshake message; the result of
  // receive_tls.
  Result<void> send(ContentType type, ByteView content) {
    return p.server->receive_tls(to_server->seal(type, content));
  }
  std::optional<AlertDescription> server_alert() {
    for (auto& [type, content] : from_server->open_all(take_out(*p.server)))
      if (type == ContentType::alert && content.size() == 2)
        return static_cast<AlertDescription>(content[1]);
    return std::nullopt;
  }
  void expect_failure(Result<void> r, ErrorCode code, AlertDescription alert) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), code) << r.error().to_string();
    EXPECT_EQ(server_alert(), alert);
  }
};

TEST(PostHandshakeAuthForged, TheForgerIsRight) {
  // Without this, the failures below could be the forger's.
  ForgedClient f;
  ASSERT_EQ(f.context.size(), 16u);
  ASSERT_TRUE(f.send(ContentType::application_data, text("hello")).ok());
  EXPECT_EQ(read_all(*f.p.server), "hello");
}

TEST(PostHandshakeAuthForged, ContextsAreUniqueWithinTheConnection) {
  ForgedClient f;
  // Decline the first (empty Certificate) needs a Finished over the
  // transcript, which the forger cannot compute; a fresh pair's context
  // differs too, and the counter prefix makes them differ within one.
  ForgedClient g;
  EXPECT_NE(f.context, g.context);
  EXPECT_EQ(Bytes(f.context.begin(), f.context.begin() + 4), (Bytes{0, 0, 0, 1}));
}

TEST(PostHandshakeAuthForged, CertificateWithAnotherContextIsIllegalParameter) {
  ForgedClient f;
  Bytes other = f.context;
  other[5] ^= 1;
  auto cert = handshake::build_certificate13(other, credential("client-ec")->chain);
  ASSERT_TRUE(cert.ok());
  f.expect_failure(f.send(ContentType::handshake, *cert), ErrorCode::illegal_parameter,
                   AlertDescription::illegal_parameter);
}

TEST(PostHandshakeAuthForged, ApplicationDataInsideTheAnswerIsUnexpected) {
  // RFC 8446 4.6.2: the answer's messages appear consecutively.
  ForgedClient f;
  auto cert = handshake::build_certificate13(f.context, {});
  ASSERT_TRUE(cert.ok());
  ASSERT_TRUE(f.send(ContentType::handshake, *cert).ok());
  f.expect_failure(f.send(ContentType::application_data, text("x")), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(PostHandshakeAuthForged, KeyUpdateInsideTheAnswerIsUnexpected) {
  // RFC 8446 4.6.2: "no intervening messages of other types" — a KeyUpdate
  // after the Certificate is refused (before it, it is taken: see
  // KeyUpdatesOnEitherSideBeforeTheAnswer).
  ForgedClient f;
  auto cert = handshake::build_certificate13(f.context, {});
  ASSERT_TRUE(cert.ok());
  ASSERT_TRUE(f.send(ContentType::handshake, *cert).ok());
  const Bytes key_update = {24, 0, 0, 1, 0};  // update_not_requested
  f.expect_failure(f.send(ContentType::handshake, key_update), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(PostHandshakeAuthForged, WrongFinishedIsDecryptError) {
  ForgedClient f;
  auto cert = handshake::build_certificate13(f.context, {});
  ASSERT_TRUE(cert.ok());
  ASSERT_TRUE(f.send(ContentType::handshake, *cert).ok());
  auto fin = handshake::build_finished(Bytes(32, 0x42));
  ASSERT_TRUE(fin.ok());
  f.expect_failure(f.send(ContentType::handshake, *fin), ErrorCode::decrypt_error,
                   AlertDescription::decrypt_error);
  EXPECT_EQ(f.p.server->client_certificate_request(), ClientCertificateRequest::pending);
}

TEST(PostHandshakeAuthForged, BadSignatureIsDecryptError) {
  ForgedClient f;
  auto cert = handshake::build_certificate13(f.context, credential("client-ec")->chain);
  ASSERT_TRUE(cert.ok());
  ASSERT_TRUE(f.send(ContentType::handshake, *cert).ok());
  auto cv =
      handshake::build_certificate_verify(SignatureScheme::ecdsa_secp256r1_sha256, Bytes(70, 0x30));
  ASSERT_TRUE(cv.ok());
  f.expect_failure(f.send(ContentType::handshake, *cv), ErrorCode::decrypt_error,
                   AlertDescription::decrypt_error);
  EXPECT_FALSE(f.p.server->summary().client_authenticated);
}

TEST(PostHandshakeAuthForged, FinishedInsteadOfCertificateIsUnexpected) {
  ForgedClient f;
  auto fin = handshake::build_finished(Bytes(32, 0x42));
  ASSERT_TRUE(fin.ok());
  f.expect_failure(f.send(ContentType::handshake, *fin), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(PostHandshakeAuthForged, UnrequestedCertificateIsUnexpected) {
  // No request pending: a Certificate from the client is unexpected.
  Env e;
  Pair p = handshaken_pair(e.cc, e.sc);
  Direction to_server(e.log["CLIENT_TRAFFIC_SECRET_0"]);
  auto cert = handshake::build_certificate13({}, credential("client-ec")->chain);
  ASSERT_TRUE(cert.ok());
  auto r = p.server->receive_tls(to_server.seal(ContentType::handshake, *cert));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
}

TEST(PostHandshakeAuthForged, RequestToAClientThatDidNotOfferIsUnexpected) {
  // RFC 8446 4.6.2: a client that did not send post_handshake_auth answers
  // a CertificateRequest with unexpected_message; one that did but gets a
  // request without signature_algorithms fails to parse it.
  for (bool offered : {false, true}) {
    SCOPED_TRACE(offered);
    Env e;
    e.cc->post_handshake_auth = offered;
    Pair p = handshaken_pair(e.cc, e.sc);
    Direction to_client(e.log["SERVER_TRAFFIC_SECRET_0"]);
    Bytes cr;
    if (offered) {
      // context "ab"; one unknown, empty extension, no signature_algorithms
      // (RFC 8446 4.3.2: it MUST be there).
      cr = {13, 0, 0, 9, 2, 'a', 'b', 0, 4, 0xff, 0x01, 0, 0};
    } else {
      auto m = handshake::build_certificate_request13(
          text("ctx"), {static_cast<uint16_t>(SignatureScheme::ecdsa_secp256r1_sha256)}, {}, {});
      ASSERT_TRUE(m.ok());
      cr = *m;
    }
    auto r = p.client->receive_tls(to_client.seal(ContentType::handshake, cr));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(),
              offered ? ErrorCode::missing_extension : ErrorCode::unexpected_message)
        << r.error().to_string();
  }
}

}  // namespace
}  // namespace tessera::testing
