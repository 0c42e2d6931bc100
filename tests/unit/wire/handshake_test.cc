#include "wire/handshake.h"

#include <gtest/gtest.h>

#include "wire/alert.h"
#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::H;

TEST(HandshakeType, NamesFollowTheRfc) {
  EXPECT_EQ(handshake_type_name(HandshakeType::client_hello), "client_hello");
  EXPECT_EQ(handshake_type_name(HandshakeType::encrypted_extensions), "encrypted_extensions");
  EXPECT_EQ(handshake_type_name(HandshakeType::message_hash), "message_hash");
  EXPECT_EQ(handshake_type_name(HandshakeType::key_update), "key_update");
  EXPECT_EQ(handshake_type_name(static_cast<HandshakeType>(99)), "unknown(99)");
}

TEST(HandshakeType, ValuesMatchRfc8446) {
  EXPECT_EQ(static_cast<int>(HandshakeType::new_session_ticket), 4);
  EXPECT_EQ(static_cast<int>(HandshakeType::end_of_early_data), 5);
  EXPECT_EQ(static_cast<int>(HandshakeType::encrypted_extensions), 8);
  EXPECT_EQ(static_cast<int>(HandshakeType::certificate_request), 13);
  EXPECT_EQ(static_cast<int>(HandshakeType::client_key_exchange), 16);
  EXPECT_EQ(static_cast<int>(HandshakeType::finished), 20);
  EXPECT_EQ(static_cast<int>(HandshakeType::key_update), 24);
  EXPECT_EQ(static_cast<int>(HandshakeType::message_hash), 254);
}

TEST(HandshakeHeader, ParsesAndSerializes) {
  Bytes d = H("14 00 01 02");
  ByteReader r(d);
  auto h = HandshakeHeader::parse(r);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->type, HandshakeType::finished);
  EXPECT_EQ(h->length, 0x102u);
  ByteWriter w;
  h->serialize(w);
  EXPECT_EQ(Bytes(w.view().begin(), w.view().end()), d);
}

TEST(HandshakeHeader, TruncatedHeaderFailsAndConsumesNothing) {
  for (size_t n = 0; n < 4; ++n) {
    Bytes d = H("01 00 00 05");
    d.resize(n);
    ByteReader r(d);
    auto h = HandshakeHeader::parse(r);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.error().code(), ErrorCode::decode_truncated);
    EXPECT_EQ(r.position(), 0u);
  }
}

TEST(HandshakeMessage, ReadsConsecutiveMessages) {
  Bytes d = H("0e 00 00 00  14 00 00 03 aa bb cc");
  ByteReader r(d);
  auto a = read_handshake_message(r);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->type, HandshakeType::server_hello_done);
  EXPECT_TRUE(a->body.empty());
  EXPECT_EQ(a->raw.size(), 4u);
  auto b = read_handshake_message(r);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->type, HandshakeType::finished);
  EXPECT_EQ(Bytes(b->body.begin(), b->body.end()), H("aabbcc"));
  EXPECT_EQ(Bytes(b->raw.begin(), b->raw.end()), H("14000003aabbcc"));
  EXPECT_TRUE(r.empty());
}

TEST(HandshakeMessage, IncompleteBodyIsTruncatedAndNamed) {
  Bytes d = H("14 00 00 20 01 02");
  ByteReader r(d);
  auto m = read_handshake_message(r);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), ErrorCode::decode_truncated);
  EXPECT_NE(m.error().message().find("finished"), std::string::npos) << m.error().message();
  EXPECT_EQ(r.position(), 0u);
}

TEST(HandshakeMessage, CompleteSizeNeedsTheWholeMessage) {
  Bytes d = H("02 00 00 03 01 02 03 ff");
  for (size_t n = 0; n < 7; ++n) {
    EXPECT_FALSE(complete_handshake_message_size(ByteView(d).first(n)).has_value()) << n;
  }
  EXPECT_EQ(complete_handshake_message_size(ByteView(d).first(7)), std::optional<size_t>(7));
  EXPECT_EQ(complete_handshake_message_size(d), std::optional<size_t>(7));
}

TEST(HandshakeMessage, WriteHandshakeFillsTheLength) {
  ByteWriter w;
  write_handshake(w, HandshakeType::certificate_verify, [](ByteWriter& b) {
    b.u16(0x0804);
    b.prefixed_bytes(2, H("0102"));
  });
  auto out = std::move(w).finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, H("0f 00 00 06 0804 0002 0102"));
}

TEST(HandshakeMessage, MessageHashForHelloRetryRequest) {
  Bytes hash(32, 0xab);
  Bytes m = message_hash_message(hash);
  ASSERT_EQ(m.size(), 36u);
  EXPECT_EQ(Bytes(m.begin(), m.begin() + 4), H("fe000020"));
  EXPECT_TRUE(std::equal(hash.begin(), hash.end(), m.begin() + 4));
  Bytes m384 = message_hash_message(Bytes(48, 1));
  ASSERT_EQ(m384.size(), 52u);
  EXPECT_EQ(Bytes(m384.begin(), m384.begin() + 4), H("fe000030"));
}

TEST(HandshakeMessage, EmptyBodyCheck) {
  EXPECT_TRUE(expect_empty_body({}, "ServerHelloDone").ok());
  Bytes one = H("00");
  auto r = expect_empty_body(one, "ServerHelloDone");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error);
  EXPECT_NE(r.error().message().find("ServerHelloDone"), std::string::npos);
}

}  // namespace
}  // namespace tessera::wire
