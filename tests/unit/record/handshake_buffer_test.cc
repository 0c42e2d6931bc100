// Tests for record/handshake_buffer: reassembly of handshake messages from
// record fragments, using the RFC 8448 section 3 server flight.
#include "record/handshake_buffer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/hex.h"

namespace tessera::record {
namespace {

Bytes H(std::string_view hex) {
  auto b = from_hex(hex);
  EXPECT_TRUE(b.has_value()) << hex;
  return b.value_or(Bytes{});
}

Bytes load(const std::string& name) {
  std::string path = std::string(TESSERA_TEST_DATA_DIR) + "/record/rfc8448_" + name + ".hex";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return H(ss.str());
}

// pull collects every complete message (header + body) available.
std::vector<Bytes> pull(HandshakeBuffer& b) {
  std::vector<Bytes> out;
  while (true) {
    auto r = b.next();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    if (!r.ok() || !r->has_value()) break;
    const HandshakeMessage& m = **r;
    EXPECT_EQ(m.message.size(), m.body.size() + 4);
    EXPECT_EQ(m.type, m.message[0]);
    out.emplace_back(m.message.begin(), m.message.end());
  }
  return out;
}

const std::vector<std::string> kFlight = {"s3_encrypted_extensions", "s3_certificate",
                                          "s3_certificate_verify", "s3_server_finished"};

TEST(HandshakeBuffer, CoalescedMessagesInOneRecord) {
  // RFC 8448 3: the server's encrypted record carries EE, Certificate,
  // CertificateVerify and Finished together.
  HandshakeBuffer b;
  ASSERT_TRUE(b.add(load("s3_server_handshake_payload")).ok());
  std::vector<Bytes> msgs = pull(b);
  ASSERT_EQ(msgs.size(), 4u);
  for (size_t i = 0; i < kFlight.size(); ++i) EXPECT_EQ(to_hex(msgs[i]), to_hex(load(kFlight[i])));
  EXPECT_FALSE(b.has_partial());
  EXPECT_TRUE(b.check_key_change_boundary().ok());
}

TEST(HandshakeBuffer, FragmentedAcrossRecordsOfAnySize) {
  Bytes payload = load("s3_server_handshake_payload");
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{100}, size_t{445}}) {
    HandshakeBuffer b;
    std::vector<Bytes> msgs;
    for (size_t off = 0; off < payload.size(); off += chunk) {
      ByteView piece = ByteView(payload).subspan(off, std::min(chunk, payload.size() - off));
      ASSERT_TRUE(b.add(piece).ok());
      for (Bytes& m : pull(b)) msgs.push_back(std::move(m));
    }
    ASSERT_EQ(msgs.size(), 4u) << "chunk " << chunk;
    for (size_t i = 0; i < kFlight.size(); ++i) {
      EXPECT_EQ(to_hex(msgs[i]), to_hex(load(kFlight[i]))) << "chunk " << chunk;
    }
    EXPECT_FALSE(b.has_partial());
  }
}

TEST(HandshakeBuffer, PartialMessageAndKeyChange) {
  Bytes cert = load("s3_certificate");
  HandshakeBuffer b;
  ASSERT_TRUE(b.add(ByteView(cert).first(3)).ok());  // not even a full header
  EXPECT_TRUE(pull(b).empty());
  EXPECT_TRUE(b.has_partial());
  ASSERT_TRUE(b.add(ByteView(cert).subspan(3, 100)).ok());
  EXPECT_TRUE(pull(b).empty());
  // RFC 8446 5.1: a key change now would split the message.
  auto r = b.check_key_change_boundary();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
  EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
  ASSERT_TRUE(b.add(ByteView(cert).subspan(103)).ok());
  auto msgs = pull(b);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(to_hex(msgs[0]), to_hex(cert));
  EXPECT_TRUE(b.check_key_change_boundary().ok());
}

TEST(HandshakeBuffer, CompleteButUnpulledMessagesAlsoBlockAKeyChange) {
  HandshakeBuffer b;
  ASSERT_TRUE(b.add(load("s3_server_finished")).ok());
  EXPECT_TRUE(b.has_partial());
  EXPECT_FALSE(b.check_key_change_boundary().ok());
  EXPECT_EQ(pull(b).size(), 1u);
  EXPECT_TRUE(b.check_key_change_boundary().ok());
}

TEST(HandshakeBuffer, SizeLimitIsCheckedFromTheHeader) {
  HandshakeBuffer b(1000);
  // Certificate header announces 0x1b9 = 441 bytes: fine under 1000.
  ASSERT_TRUE(b.add(load("s3_certificate")).ok());
  EXPECT_EQ(pull(b).size(), 1u);
  // A header announcing 1001 bytes fails with only the header present.
  auto r = b.add(H("0b0003e9"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::decode_length);
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error);
  // Sticky.
  EXPECT_FALSE(b.add(H("00")).ok());
  EXPECT_FALSE(b.next().ok());

  // Exactly the limit is accepted.
  HandshakeBuffer c(4);
  ASSERT_TRUE(c.add(H("1400000401020304")).ok());
  EXPECT_EQ(pull(c).size(), 1u);
  // The default limit is 64 KiB; a 16 MiB announcement is refused.
  HandshakeBuffer d;
  EXPECT_EQ(d.max_message_size(), kDefaultMaxHandshakeMessage);
  EXPECT_FALSE(d.add(H("0bffffff")).ok());
}

TEST(HandshakeBuffer, LimitCheckedWhenHeaderFollowsACompleteMessage) {
  // Finished, then the header of an oversized message in the same record.
  HandshakeBuffer b(100);
  Bytes data = load("s3_server_finished");
  Bytes over = H("0b000fff");
  data.insert(data.end(), over.begin(), over.end());
  ASSERT_TRUE(b.add(data).ok());
  auto first = b.next();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  auto second = b.next();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::decode_length);
}

TEST(HandshakeBuffer, EmptyFragmentIsRefused) {
  HandshakeBuffer b;
  auto r = b.add({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
}

TEST(HandshakeBuffer, ZeroLengthBodies) {
  // EndOfEarlyData (type 5) and HelloRequest-like messages have empty bodies.
  HandshakeBuffer b;
  ASSERT_TRUE(b.add(H("05000000 05000000")).ok());
  auto msgs = pull(b);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(to_hex(msgs[0]), "05000000");
}

}  // namespace
}  // namespace tessera::record
