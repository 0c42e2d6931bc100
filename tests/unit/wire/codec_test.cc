#include "wire/codec.h"

#include <gtest/gtest.h>

#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::H;

TEST(Codec, ReadVectorEnforcesBoundsAndNamesTheField) {
  Bytes d = H("03 aa bb cc");
  {
    ByteReader r(d);
    auto v = read_vector(r, 1, 1, 3, "thing");
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->remaining(), 3u);
    EXPECT_TRUE(r.empty());
  }
  {
    ByteReader r(d);
    auto v = read_vector(r, 1, 4, 10, "thing");
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code(), ErrorCode::decode_length);
    EXPECT_EQ(v.error().message(), "thing: length 3 is outside the allowed 4..10");
    EXPECT_EQ(r.position(), 0u);  // nothing consumed
  }
  {
    ByteReader r(d);
    auto v = read_vector(r, 1, 0, 2, "thing");
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code(), ErrorCode::decode_length);
  }
  {
    Bytes short_data = H("05 aa");
    ByteReader r(short_data);
    auto v = read_vector(r, 1, 0, 10, "thing");
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code(), ErrorCode::decode_truncated);
    EXPECT_EQ(v.error().message().rfind("thing: ", 0), 0u);
  }
}

TEST(Codec, U16ListRejectsOddLengths) {
  Bytes even = H("0004 1301 1302");
  ByteReader r(even);
  auto l = read_u16_list(r, 2, 2, 0xFFFE, "suites");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(*l, (std::vector<uint16_t>{0x1301, 0x1302}));

  Bytes odd = H("0003 1301 13");
  ByteReader r2(odd);
  auto bad = read_u16_list(r2, 2, 2, 0xFFFE, "suites");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::decode_length);
  EXPECT_NE(bad.error().message().find("odd"), std::string::npos);
}

TEST(Codec, WriteU16ListRoundTrips) {
  ByteWriter w;
  write_u16_list(w, 1, {0x0304, 0x0303});
  EXPECT_EQ(Bytes(w.view().begin(), w.view().end()), H("04 0304 0303"));
  ByteReader r(w.view());
  auto l = read_u16_list(r, 1, 2, 254, "versions");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(*l, (std::vector<uint16_t>{0x0304, 0x0303}));
}

TEST(Codec, ReadOpaqueCopies) {
  Bytes d = H("0002 abcd ff");
  ByteReader r(d);
  auto o = read_opaque(r, 2, 1, 0xFFFF, "x");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*o, H("abcd"));
  auto end = expect_consumed(r, "x");
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.error().code(), ErrorCode::decode_trailing_data);
}

}  // namespace
}  // namespace tessera::wire
