// Hostile peers: malformed, unexpected and out-of-order input to the
// connection engine, each checked for the exact error and alert.
#include <gtest/gtest.h>

#include "pair.h"

namespace tessera::testing {
namespace {

std::vector<uint8_t> take(Connection& c) {
  auto b = c.pending_tls();
  std::vector<uint8_t> v(b.begin(), b.end());
  c.consume_tls(v.size());
  return v;
}

// The alert a failed connection queued (last two bytes of its last plaintext record).
AlertDescription queued_plaintext_alert(Connection& c) {
  auto v = take(c);
  EXPECT_GE(v.size(), 7u);
  EXPECT_EQ(v[v.size() - 7], 21);  // content type alert
  return static_cast<AlertDescription>(v.back());
}

std::unique_ptr<Connection> fresh_server() {
  return std::move(*Connection::server(server_config()));
}
std::unique_ptr<Connection> fresh_client() {
  return std::move(*Connection::client(client_config(), {"localhost", {}}));
}

TEST(Hostile, UnknownContentType) {
  auto s = fresh_server();
  std::vector<uint8_t> rec = {0x19, 0x03, 0x03, 0x00, 0x01, 0x00};
  auto r = s->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
  EXPECT_EQ(queued_plaintext_alert(*s), AlertDescription::unexpected_message);
}

TEST(Hostile, OversizedRecordHeaderRefusedBeforeBody) {
  auto s = fresh_server();
  // 2^14 + 2049 bytes announced: more than any TLS record may carry.
  std::vector<uint8_t> hdr = {0x16, 0x03, 0x03, 0x48, 0x01};
  auto r = s->receive_tls(hdr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
  EXPECT_EQ(queued_plaintext_alert(*s), AlertDescription::record_overflow);
}

TEST(Hostile, NotTlsAtAll) {
  auto s = fresh_server();
  std::string http = "GET / HTTP/1.1\r\n\r\n";
  auto r = s->receive_tls(as_bytes_view(http));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().alert(), AlertDescription::close_notify);
}

TEST(Hostile, FinishedInsteadOfServerHello) {
  auto c = fresh_client();
  (void)take(*c);
  // handshake record carrying a Finished message (type 20, 32-byte body)
  std::vector<uint8_t> rec = {0x16, 0x03, 0x03, 0x00, 0x24, 0x14, 0x00, 0x00, 0x20};
  rec.resize(rec.size() + 32, 0xaa);
  auto r = c->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
  EXPECT_EQ(r.error().message(), "expected ServerHello, got finished");
  EXPECT_EQ(queued_plaintext_alert(*c), AlertDescription::unexpected_message);
}

TEST(Hostile, TruncatedServerHelloIsDecodeError) {
  auto c = fresh_client();
  (void)take(*c);
  std::vector<uint8_t> rec = {0x16, 0x03, 0x03, 0x00, 0x08, 0x02, 0x00,
                              0x00, 0x04, 0x03, 0x03, 0x00, 0x00};
  auto r = c->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error);
}

TEST(Hostile, AlertWithWrongLength) {
  auto s = fresh_server();
  std::vector<uint8_t> rec = {0x15, 0x03, 0x03, 0x00, 0x03, 0x02, 0x28, 0x00};
  auto r = s->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error);
}

TEST(Hostile, ChangeCipherSpecBeforeClientHello) {
  auto s = fresh_server();
  std::vector<uint8_t> rec = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
  auto r = s->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
}

TEST(Hostile, MalformedChangeCipherSpec) {
  auto p = make_tls_pair(client_config(), server_config());
  auto ch = take(*p.client);
  ASSERT_TRUE(p.server->receive_tls(ch).ok());
  std::vector<uint8_t> rec = {0x14, 0x03, 0x03, 0x00, 0x01, 0x02};
  auto r = p.server->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
}

TEST(Hostile, ChangeCipherSpecAfterHandshake) {
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake());
  std::vector<uint8_t> rec = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
  auto r = p.server->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
}

TEST(Hostile, PlaintextHandshakeAfterKeysIsRefused) {
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake());
  auto another = fresh_client();
  auto ch = take(*another);  // a plaintext ClientHello record
  auto r = p.server->receive_tls(ch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
}

TEST(Hostile, ClientHelloWithoutKeyShareIsMissingExtension) {
  // A TLS 1.3 ClientHello with supported_versions but no key_share / groups.
  std::vector<uint8_t> body = {0x03, 0x03};
  body.resize(body.size() + 32, 0x11);                                       // random
  body.push_back(0);                                                         // session id
  for (uint8_t b : {0x00, 0x02, 0x13, 0x01, 0x01, 0x00}) body.push_back(b);  // suites, compression
  // extensions: supported_versions [TLS 1.3], signature_algorithms [ecdsa_secp256r1_sha256]
  std::vector<uint8_t> ext = {0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04, 0x00,
                              0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x03};
  body.push_back(0);
  body.push_back(static_cast<uint8_t>(ext.size()));
  body.insert(body.end(), ext.begin(), ext.end());
  std::vector<uint8_t> msg = {0x01, 0x00, 0x00, static_cast<uint8_t>(body.size())};
  msg.insert(msg.end(), body.begin(), body.end());
  std::vector<uint8_t> rec = {0x16, 0x03, 0x01, 0x00, static_cast<uint8_t>(msg.size())};
  rec.insert(rec.end(), msg.begin(), msg.end());
  auto s = fresh_server();
  auto r = s->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::missing_extension);
  EXPECT_EQ(queued_plaintext_alert(*s), AlertDescription::missing_extension);
}

// RFC 8996: TLS 1.1 and below are never negotiated -> protocol_version.
TEST(Hostile, Tls11ClientGetsProtocolVersion) {
  std::vector<uint8_t> body = {0x03, 0x02};
  body.resize(body.size() + 32, 0x22);
  body.push_back(0);
  for (uint8_t b : {0x00, 0x02, 0xc0, 0x2b, 0x01, 0x00}) body.push_back(b);
  std::vector<uint8_t> msg = {0x01, 0x00, 0x00, static_cast<uint8_t>(body.size())};
  msg.insert(msg.end(), body.begin(), body.end());
  std::vector<uint8_t> rec = {0x16, 0x03, 0x01, 0x00, static_cast<uint8_t>(msg.size())};
  rec.insert(rec.end(), msg.begin(), msg.end());
  auto s = fresh_server();
  auto r = s->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::protocol_version);
  EXPECT_EQ(queued_plaintext_alert(*s), AlertDescription::protocol_version);
}

TEST(Hostile, OversizedHandshakeMessageRefusedFromHeader) {
  auto s = fresh_server();
  // A ClientHello header announcing 1 MiB: over the 64 KiB policy limit.
  std::vector<uint8_t> rec = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x10, 0x00, 0x00};
  auto r = s->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error);
}

TEST(Hostile, GarbageAfterCloseNotifyIsIgnored) {
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake());
  p.client->close();
  auto cn = take(*p.client);
  ASSERT_TRUE(p.server->receive_tls(cn).ok());
  EXPECT_TRUE(p.server->is_peer_closed());
  std::vector<uint8_t> junk = {0x17, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5};
  EXPECT_TRUE(p.server->receive_tls(junk).ok());
}

TEST(Hostile, ErrorsAreSticky) {
  auto s = fresh_server();
  std::vector<uint8_t> rec = {0x19, 0x03, 0x03, 0x00, 0x01, 0x00};
  ASSERT_FALSE(s->receive_tls(rec).ok());
  auto again = s->receive_tls(rec);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::unexpected_message);
  ASSERT_NE(s->error(), nullptr);
}

}  // namespace
}  // namespace tessera::testing
