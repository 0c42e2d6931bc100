// RFC 8879 certificate compression through whole handshakes: who compresses
// with what, mutual TLS both ways, TLS 1.2 ignoring the extension, the bytes
// saved, and the trace. Forged CompressedCertificate messages are in
// hostile_records_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "handshake/cert_compression.h"
#include "pair.h"
#include "wire/handshake.h"
#include "wire/hello.h"

namespace tessera::testing {
namespace {

using CC = CertCompression;

struct Configs {
  std::shared_ptr<ClientConfig> client = client_config();
  std::shared_ptr<ServerConfig> server = server_config();
};

Configs with_compression(std::vector<CC> client, std::vector<CC> server) {
  Configs c;
  c.client->policy.cert_compression = std::move(client);
  c.server->policy.cert_compression = std::move(server);
  return c;
}

// server_flight_bytes runs a handshake and counts the bytes the server sent.
size_t server_flight_bytes(const Configs& c) {
  Pair p = make_tls_pair(c.client, c.server);
  size_t sent = 0;
  for (int i = 0; i < 16; ++i) {
    auto out = p.client->pending_tls();
    Bytes cb(out.begin(), out.end());
    p.client->consume_tls(cb.size());
    if (!cb.empty()) {
      EXPECT_TRUE(p.server->receive_tls(cb).ok()) << err(*p.server);
    }
    auto sout = p.server->pending_tls();
    Bytes sb(sout.begin(), sout.end());
    p.server->consume_tls(sb.size());
    sent += sb.size();
    if (!sb.empty()) {
      EXPECT_TRUE(p.client->receive_tls(sb).ok()) << err(*p.client);
    }
    if (cb.empty() && sb.empty()) break;
  }
  EXPECT_TRUE(p.client->is_handshake_done() && p.server->is_handshake_done());
  return sent;
}

TEST(CertCompressionHandshake, EachAlgorithmCarriesTheServerCertificate) {
  for (CC alg : {CC::zlib, CC::brotli, CC::zstd}) {
    if (!handshake::cert_compression_available(alg)) GTEST_SKIP() << "built without compression";
    Configs c = with_compression({alg}, {alg});
    Pair p = handshaken_pair(c.client, c.server);
    EXPECT_EQ(p.client->summary().peer_cert_compression, static_cast<uint16_t>(alg));
    EXPECT_EQ(p.server->summary().own_cert_compression, static_cast<uint16_t>(alg));
    EXPECT_EQ(p.server->summary().peer_cert_compression, 0);
    // The chain arrived whole and was verified as usual.
    EXPECT_EQ(p.client->summary().peer_chain, c.server->credentials[0]->chain);
    EXPECT_EQ(p.client->summary().peer_subject, "CN=localhost");
    transfer(p, true, 3000);
    transfer(p, false, 3000);
  }
}

// RFC 8879 4: the algorithm is one the client listed; the server takes its
// own first preference among them.
TEST(CertCompressionHandshake, ServerPreferenceAmongTheClientsAlgorithms) {
  if (!handshake::cert_compression_available(CC::zlib)) GTEST_SKIP();
  Configs c = with_compression({CC::brotli, CC::zlib}, {CC::zstd, CC::zlib, CC::brotli});
  Pair p = handshaken_pair(c.client, c.server);
  EXPECT_EQ(p.client->summary().peer_cert_compression, static_cast<uint16_t>(CC::zlib));
  Configs d = with_compression({CC::brotli}, {CC::zstd, CC::zlib});
  Pair q = handshaken_pair(d.client, d.server);  // nothing in common: sent as it is
  EXPECT_EQ(q.client->summary().peer_cert_compression, 0);
  EXPECT_EQ(q.server->summary().own_cert_compression, 0);
}

TEST(CertCompressionHandshake, OnlyWhenBothSidesWantIt) {
  if (!handshake::cert_compression_available(CC::brotli)) GTEST_SKIP();
  for (auto [client, server] : {std::pair{std::vector<CC>{CC::brotli}, std::vector<CC>{}},
                                std::pair{std::vector<CC>{}, std::vector<CC>{CC::brotli}}}) {
    Configs c = with_compression(client, server);
    Pair p = handshaken_pair(c.client, c.server);
    EXPECT_EQ(p.client->summary().peer_cert_compression, 0);
    EXPECT_EQ(p.server->summary().own_cert_compression, 0);
  }
}

TEST(CertCompressionHandshake, SavesBytesOnTheWire) {
  if (!handshake::cert_compression_available(CC::brotli)) GTEST_SKIP();
  for (const char* cred : {"server-ec", "server-rsa"}) {
    Configs plain;
    plain.server = server_config(cred);
    Configs packed = with_compression({CC::brotli}, {CC::brotli});
    packed.server = server_config(cred);
    packed.server->policy.cert_compression = {CC::brotli};
    const size_t a = server_flight_bytes(plain), b = server_flight_bytes(packed);
    // One test certificate (random key and signature bytes, few repeated
    // names) saves little: 26 of 711 bytes (EC) and 85 of 1105 (RSA) with
    // brotli, measured 2026-11-28; any saving shows the message was sent
    // compressed and the rest of the flight unchanged.
    EXPECT_LT(b, a) << cred << ": " << b << " vs " << a;
  }
}

// Mutual TLS: the server's CertificateRequest lists its algorithms (RFC 8879
// 3) and the client compresses its certificate with one of them.
TEST(CertCompressionHandshake, ClientCertificateBothWays) {
  if (!handshake::cert_compression_available(CC::zstd)) GTEST_SKIP();
  struct Case {
    std::vector<CC> client, server;
    uint16_t client_cert;  // what the client's certificate is compressed with
    uint16_t server_cert;
  };
  const Case cases[] = {
      // Each sender takes its own first algorithm that the other lists.
      {{CC::zstd, CC::brotli}, {CC::brotli, CC::zstd}, 3, 2},
      {{CC::zlib}, {CC::zlib}, 1, 1},
      {{}, {CC::zlib}, 0, 0},  // the client neither offers nor compresses
      {{CC::zlib}, {}, 0, 0},  // the server neither offers nor compresses
  };
  for (const Case& k : cases) {
    Configs c = with_compression(k.client, k.server);
    c.server->client_auth = ClientAuth::required;
    c.server->client_trust = trust();
    c.client->credential = credential("client-ec");
    Pair p = handshaken_pair(c.client, c.server);
    ASSERT_TRUE(p.server->summary().client_authenticated);
    EXPECT_EQ(p.server->summary().peer_subject, "CN=tessera test client");
    EXPECT_EQ(p.client->summary().own_cert_compression, k.client_cert);
    EXPECT_EQ(p.server->summary().peer_cert_compression, k.client_cert);
    EXPECT_EQ(p.client->summary().peer_cert_compression, k.server_cert);
    EXPECT_EQ(p.server->summary().own_cert_compression, k.server_cert);
  }
}

// RFC 8879 3: "if TLS 1.2 [RFC5246] or earlier is negotiated, the peers MUST
// ignore this extension."
TEST(CertCompressionHandshake, IgnoredInTls12) {
  if (!handshake::cert_compression_available(CC::brotli)) GTEST_SKIP();
  Configs c = with_compression({CC::brotli}, {CC::brotli});
  c.server->policy.max_version = ProtocolVersion::tls12;
  Pair p = handshaken_pair(c.client, c.server);
  EXPECT_EQ(p.client->summary().version, ProtocolVersion::tls12);
  EXPECT_EQ(p.client->summary().peer_cert_compression, 0);
  EXPECT_EQ(p.server->summary().own_cert_compression, 0);
}

// The client's first flight, its ClientHello re-encoded with a
// compress_certificate whose algorithm list has an odd length (malformed).
std::vector<uint8_t> hello_with_malformed_compression(Connection& client) {
  auto out = client.pending_tls();
  Bytes rec(out.begin(), out.end());
  client.consume_tls(rec.size());
  EXPECT_GT(rec.size(), 9u);
  auto ch = wire::ClientHello::parse(ByteView(rec).subspan(9));  // record + handshake headers
  EXPECT_TRUE(ch.ok());
  ch->extensions.insert(ch->extensions.begin(), wire::Extension{wire::kExtCompressCertificate,
                                                                Bytes{0x03, 0x00, 0x02, 0x00}});
  auto msg = wire::encode_handshake(*ch);
  EXPECT_TRUE(msg.ok());
  return handshake_record(*msg);
}

// RFC 8879 3: "if TLS 1.2 or earlier is negotiated, the peers MUST ignore
// this extension", malformed or not; with TLS 1.3 it is a decode_error.
TEST(CertCompressionHandshake, MalformedOfferIgnoredInTls12RefusedInTls13) {
  Configs c;
  c.server->policy.max_version = ProtocolVersion::tls12;
  Pair p = make_tls_pair(c.client, c.server);
  ASSERT_TRUE(p.server->receive_tls(hello_with_malformed_compression(*p.client)).ok())
      << err(*p.server);
  EXPECT_FALSE(p.server->pending_tls().empty());  // ServerHello and the rest of its flight

  Configs d;
  Pair q = make_tls_pair(d.client, d.server);
  auto r = q.server->receive_tls(hello_with_malformed_compression(*q.client));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error) << r.error().to_string();
}

// After a HelloRetryRequest the second ClientHello offers it again.
TEST(CertCompressionHandshake, AfterHelloRetryRequest) {
  if (!handshake::cert_compression_available(CC::zlib)) GTEST_SKIP();
  Configs c = with_compression({CC::zlib}, {CC::zlib});
  ASSERT_TRUE(c.client->policy.set_groups("x25519,secp384r1").ok());
  ASSERT_TRUE(c.server->policy.set_groups("secp384r1").ok());
  Pair p = handshaken_pair(c.client, c.server);
  EXPECT_TRUE(p.client->summary().hello_retry);
  EXPECT_EQ(p.client->summary().peer_cert_compression, static_cast<uint16_t>(CC::zlib));
}

TEST(CertCompressionHandshake, TraceSaysWhatHappened) {
  if (!handshake::cert_compression_available(CC::brotli)) GTEST_SKIP();
  Configs c = with_compression({CC::brotli, CC::zlib}, {CC::brotli});
  Pair p = make_tls_pair(c.client, c.server);
  std::vector<std::string> client_lines, server_lines;
  p.client->set_trace([&](std::string_view l) { client_lines.emplace_back(l); });
  p.server->set_trace([&](std::string_view l) { server_lines.emplace_back(l); });
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  auto has = [](const std::vector<std::string>& lines, const std::string& what) {
    for (const auto& l : lines)
      if (l.find(what) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has(client_lines, "takes certificates compressed with [brotli, zlib]"));
  EXPECT_TRUE(has(server_lines, "takes certificates compressed with [brotli, zlib]"));
  EXPECT_TRUE(has(server_lines, "compressed with brotli ("));
  EXPECT_TRUE(has(client_lines, "<- CompressedCertificate: brotli, "));
}

TEST(CertCompressionHandshake, PolicyNamesAndValidation) {
  Policy p = Policy::default_policy();
  EXPECT_TRUE(p.cert_compression.empty());  // off unless asked for
  ASSERT_TRUE(p.set_cert_compression("brotli, zlib,brotli").ok());
  EXPECT_EQ(p.cert_compression, (std::vector<CC>{CC::brotli, CC::zlib}));
  ASSERT_TRUE(p.set_cert_compression("none").ok());
  EXPECT_TRUE(p.cert_compression.empty());
  auto bad = p.set_cert_compression("gzip");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(bad.error().message().find("gzip"), std::string::npos);
  p.cert_compression = {static_cast<CC>(9)};
  auto unknown = p.validate();
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("not available"), std::string::npos);
}

}  // namespace
}  // namespace tessera::testing
