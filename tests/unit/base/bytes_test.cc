#include "base/bytes.h"

#include <gtest/gtest.h>

#include <functional>

#include "base/hex.h"

namespace tessera {
namespace {

Bytes B(std::initializer_list<uint8_t> v) { return Bytes(v); }

TEST(ByteReader, ReadsBigEndianIntegers) {
  Bytes d = B({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a});
  ByteReader r(d);
  EXPECT_EQ(*r.read_u8(), 0x01);
  EXPECT_EQ(*r.read_u16(), 0x0203);
  EXPECT_EQ(*r.read_u24(), 0x040506u);
  EXPECT_EQ(*r.read_u32(), 0x0708090au);
  EXPECT_TRUE(r.empty());
  EXPECT_TRUE(r.expect_end().ok());
}

TEST(ByteReader, ReadsU64) {
  Bytes d = B({0, 0, 0, 0, 0, 0, 1, 2});
  ByteReader r(d);
  EXPECT_EQ(*r.read_u64(), 0x0102u);
}

// Every read past the end is refused with decode_truncated and consumes nothing.
TEST(ByteReader, EveryOutOfBoundsReadIsRefused) {
  for (size_t have = 0; have < 8; ++have) {
    Bytes d(have, 0xAA);
    struct Case {
      size_t need;
      std::function<bool(ByteReader&)> read;
    };
    std::vector<Case> cases = {
        {1, [](ByteReader& r) { return r.read_u8().ok(); }},
        {2, [](ByteReader& r) { return r.read_u16().ok(); }},
        {3, [](ByteReader& r) { return r.read_u24().ok(); }},
        {4, [](ByteReader& r) { return r.read_u32().ok(); }},
        {8, [](ByteReader& r) { return r.read_u64().ok(); }},
        {5, [](ByteReader& r) { return r.read_bytes(5).ok(); }},
        {1, [](ByteReader& r) { return r.peek_u8().ok(); }},
        {6, [](ByteReader& r) { return r.skip(6).ok(); }},
    };
    for (const auto& c : cases) {
      ByteReader r(d);
      EXPECT_EQ(c.read(r), have >= c.need) << "have=" << have << " need=" << c.need;
      if (have < c.need) {
        EXPECT_EQ(r.position(), 0u);
      }
    }
  }
  ByteReader r(ByteView{});
  auto e = r.read_u8();
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), ErrorCode::decode_truncated);
  EXPECT_EQ(e.error().alert(), AlertDescription::decode_error);
}

TEST(ByteReader, PrefixedChildIsBoundedByItsLength) {
  Bytes d = B({0x00, 0x03, 0xaa, 0xbb, 0xcc, 0xdd});
  ByteReader r(d);
  auto child = r.read_prefixed<2>();
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->remaining(), 3u);
  EXPECT_EQ(*child->read_u16(), 0xaabb);
  EXPECT_FALSE(child->read_u16().ok());  // only one byte left in the child
  EXPECT_EQ(*child->read_u8(), 0xcc);
  EXPECT_TRUE(child->expect_end().ok());
  EXPECT_EQ(r.remaining(), 1u);
}

TEST(ByteReader, PrefixLongerThanDataIsRefusedAndCursorRestored) {
  for (size_t n = 1; n <= 4; ++n) {
    Bytes d(n, 0);
    d.back() = 5;  // length 5, no body
    d.push_back(1);
    ByteReader r(d);
    auto c = r.read_prefixed(n);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code(), ErrorCode::decode_truncated);
    EXPECT_EQ(r.position(), 0u);
  }
}

TEST(ByteReader, TrailingBytesAreAnError) {
  Bytes d = B({1, 2, 3});
  ByteReader r(d);
  ASSERT_TRUE(r.read_u8().ok());
  auto e = r.expect_end("ServerHello");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), ErrorCode::decode_trailing_data);
  EXPECT_EQ(e.error().alert(), AlertDescription::decode_error);
  EXPECT_NE(e.error().message().find("ServerHello"), std::string::npos);
}

TEST(ByteWriter, WritesNestedPrefixesWithoutArithmetic) {
  ByteWriter w;
  w.u16(0x0303);
  w.prefixed<2>([](ByteWriter& a) {
    a.u8(7);
    a.prefixed<1>([](ByteWriter& b) { b.bytes(B({1, 2, 3})); });
    a.prefixed<3>([](ByteWriter&) {});
  });
  w.u24(0x010203);
  w.u32(0xdeadbeef);
  auto out = std::move(w).finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(to_hex(*out), "0303" "0008" "07" "03010203" "000000" "010203" "deadbeef");
}

TEST(ByteWriter, OverflowingPrefixFailsFinish) {
  ByteWriter w;
  w.prefixed<1>([](ByteWriter& c) { c.zeros(256); });
  EXPECT_TRUE(w.failed());
  auto out = std::move(w).finish();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::decode_length);
}

TEST(ByteWriter, MaxLengthFitsExactly) {
  ByteWriter w;
  w.prefixed<1>([](ByteWriter& c) { c.zeros(255); });
  EXPECT_FALSE(w.failed());
  EXPECT_EQ(w.size(), 256u);
  EXPECT_EQ(w.view()[0], 0xff);
}

TEST(ByteCodec, RoundTrip) {
  ByteWriter w;
  w.prefixed<2>([](ByteWriter& c) {
    for (uint16_t i = 0; i < 100; ++i) c.u16(i);
  });
  Bytes b = std::move(w).take();
  ByteReader r(b);
  auto c = r.read_prefixed<2>();
  ASSERT_TRUE(c.ok());
  for (uint16_t i = 0; i < 100; ++i) EXPECT_EQ(*c->read_u16(), i);
  EXPECT_TRUE(c->expect_end().ok());
  EXPECT_TRUE(r.expect_end().ok());
}

TEST(Hex, RoundTripAndRejectsJunk) {
  auto b = from_hex("00 01:ab\nFF");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(to_hex(*b), "0001abff");
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
}

}  // namespace
}  // namespace tessera
