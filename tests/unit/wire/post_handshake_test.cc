#include "wire/post_handshake.h"

#include <gtest/gtest.h>

#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::body_of;
using testing::H;
using testing::load_vector;
using testing::reencode;

template <class T>
Bytes ser(const T& v) {
  ByteWriter w;
  v.serialize(w);
  return std::move(w).take();
}

// RFC 8448 3: the ticket later used for resumption in section 4.
TEST(NewSessionTicket, ParsesRfc8448Section3) {
  Bytes msg = load_vector("rfc8448_s3_server_new_session_ticket");
  auto t = NewSessionTicket::parse(body_of(msg, HandshakeType::new_session_ticket));
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->ticket_lifetime, 30u);
  EXPECT_EQ(t->ticket_age_add, 0xfad6aac5u);
  EXPECT_EQ(t->ticket_nonce, H("0000"));
  EXPECT_EQ(t->ticket.size(), 0xb2u);
  auto max = t->max_early_data_size();
  ASSERT_TRUE(max.ok());
  ASSERT_TRUE(max->has_value());
  EXPECT_EQ(**max, 0x400u);
  EXPECT_EQ(reencode(*t), msg);

  // RFC 8448 4: the resumption ClientHello carries this ticket as identity.
  Bytes ch = load_vector("rfc8448_s4_client_client_hello");
  auto at = std::search(ch.begin(), ch.end(), t->ticket.begin(), t->ticket.end());
  EXPECT_NE(at, ch.end());
}

TEST(NewSessionTicket, TruncationAndBounds) {
  Bytes msg = load_vector("rfc8448_s3_server_new_session_ticket");
  ByteView body = body_of(msg, HandshakeType::new_session_ticket);
  for (size_t n = 0; n < body.size(); ++n) {
    auto t = NewSessionTicket::parse(body.first(n));
    ASSERT_FALSE(t.ok()) << n;
    EXPECT_EQ(t.error().alert(), AlertDescription::decode_error);
  }
  NewSessionTicket t;
  t.ticket_lifetime = kMaxTicketLifetime;
  t.ticket = H("01");
  auto ok = NewSessionTicket::parse(ser(t));
  ASSERT_TRUE(ok.ok());
  auto none = ok->max_early_data_size();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  t.ticket_lifetime = kMaxTicketLifetime + 1;
  auto too_long = NewSessionTicket::parse(ser(t));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().alert(), AlertDescription::illegal_parameter);
  EXPECT_NE(too_long.error().message().find("ticket_lifetime"), std::string::npos);

  t.ticket_lifetime = 60;
  t.ticket.clear();
  auto empty_ticket = NewSessionTicket::parse(ser(t));
  ASSERT_FALSE(empty_ticket.ok());
  EXPECT_NE(empty_ticket.error().message().find("ticket"), std::string::npos);

  t.ticket = H("01");
  t.extensions.push_back(Extension{kExtEarlyData, H("0001")});
  auto bad_ed = NewSessionTicket::parse(ser(t));
  ASSERT_TRUE(bad_ed.ok());  // the extension is only decoded on request
  EXPECT_FALSE(bad_ed->max_early_data_size().ok());
}

TEST(KeyUpdate, ValidValues) {
  auto a = KeyUpdate::parse(H("00"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->request_update, KeyUpdateRequest::update_not_requested);
  auto b = KeyUpdate::parse(H("01"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->request_update, KeyUpdateRequest::update_requested);
  EXPECT_EQ(reencode(*b), H("18 000001 01"));
}

TEST(KeyUpdate, OtherValuesAreIllegalParameter) {
  for (int v : {2, 3, 0x80, 0xff}) {
    Bytes d{static_cast<uint8_t>(v)};
    auto k = KeyUpdate::parse(d);
    ASSERT_FALSE(k.ok()) << v;
    EXPECT_EQ(k.error().code(), ErrorCode::illegal_parameter);
    EXPECT_EQ(k.error().alert(), AlertDescription::illegal_parameter);
  }
  for (const char* hex : {"", "0000", "0100"}) {
    auto k = KeyUpdate::parse(H(hex));
    ASSERT_FALSE(k.ok()) << hex;
    EXPECT_EQ(k.error().alert(), AlertDescription::decode_error);
  }
}

}  // namespace
}  // namespace tessera::wire
