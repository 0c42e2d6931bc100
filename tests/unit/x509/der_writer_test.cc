#include "x509/der_writer.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "x509/der.h"

namespace tessera::x509 {
namespace {

Bytes H(std::string_view hex) { return *from_hex(hex); }

TEST(DerWriter, EncodesMinimally) {
  DerWriter w;
  w.sequence([](DerWriter& s) {
    s.integer(0);
    s.integer(127);
    s.integer(128);
    s.integer(-1);
    s.integer(-129);
    s.boolean(true);
    s.unsigned_integer(H("00ff"));
    s.named_bits(0x21);  // bits 0 and 5: digitalSignature, keyCertSign
  });
  EXPECT_EQ(to_hex(std::move(w).take()),
            "301c020100"
            "02017f"
            "02020080"
            "0201ff"
            "0202ff7f"
            "0101ff"
            "020200ff"
            "03020284");
  DerWriter big;
  big.octet_string(Bytes(300, 1));
  Bytes out = std::move(big).take();
  EXPECT_EQ(to_hex(ByteView(out).first(4)), "0482012c");
  DerReader r(out);
  EXPECT_TRUE(r.read_octet_string().ok());
}

TEST(DerWriter, SetOfIsSorted) {
  DerWriter w;
  w.set_of([](DerWriter& s) {
    s.integer(5);
    s.octet_string(H("01"));
    s.integer(3);
  });
  EXPECT_EQ(to_hex(std::move(w).take()), "3109020103020105040101");
}

TEST(DerWriter, TimesFollowRfc5280) {
  DerWriter w;
  w.time(0);
  w.time(2524608000);  // 2050-01-01
  Bytes out = std::move(w).take();
  DerReader r(out);
  EXPECT_EQ(*r.peek_tag(), tag::kUtcTime);
  EXPECT_EQ(*r.read_time(), 0);
  EXPECT_EQ(*r.peek_tag(), tag::kGeneralizedTime);
  EXPECT_EQ(*r.read_time(), 2524608000);
}

TEST(DerWriter, IntegersAndLengthsRoundTripThroughTheStrictReader) {
  // Every value the writer produces is accepted by the reader, which refuses
  // non-minimal encodings, so this checks minimality across boundaries.
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{127}, int64_t{128}, int64_t{-128},
                    int64_t{-129}, int64_t{255}, int64_t{256}, int64_t{32767}, int64_t{32768},
                    int64_t{-32769}, INT64_MAX, INT64_MIN}) {
    DerWriter w;
    w.integer(v);
    Bytes out = std::move(w).take();
    DerReader r(out);
    Result<ByteView> c = r.read_integer();
    ASSERT_TRUE(c.ok()) << v;
    int64_t back = (*c)[0] & 0x80 ? -1 : 0;
    for (uint8_t b : *c) back = static_cast<int64_t>(static_cast<uint64_t>(back) << 8 | b);
    EXPECT_EQ(back, v);
  }
  for (size_t n : {size_t{0}, size_t{127}, size_t{128}, size_t{255}, size_t{256}, size_t{65535},
                   size_t{65536}}) {
    DerWriter w;
    w.octet_string(Bytes(n, 0x5a));
    Bytes out = std::move(w).take();
    DerReader r(out);
    Result<ByteView> c = r.read_octet_string();
    ASSERT_TRUE(c.ok()) << n;
    EXPECT_EQ(c->size(), n);
    EXPECT_EQ(out.size() - n, 1 + der_length_octets(n).size());
  }
  for (const char* mag : {"", "00", "0000ff", "7f", "80", "ffffffffffffffffffffffffffffffffff"}) {
    DerWriter w;
    w.unsigned_integer(H(mag));
    Bytes out = std::move(w).take();
    DerReader r(out);
    Result<ByteView> c = r.read_integer();
    ASSERT_TRUE(c.ok()) << mag;
    EXPECT_EQ((*c)[0] & 0x80, 0) << mag;
  }
}

}  // namespace
}  // namespace tessera::x509
