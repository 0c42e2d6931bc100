#include "x509/time.h"

#include <gtest/gtest.h>

namespace tessera::x509 {
namespace {

ByteView V(std::string_view s) { return as_bytes_view(s); }

TEST(Time, DaysFromCivilKnownDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2026, 3, 1), 20513);
  EXPECT_EQ(days_from_civil(1600, 1, 1), -135140);
}

TEST(Time, RoundTripsAcrossCenturies) {
  for (int64_t t = -12219292800;  // 1582-10-15
       t < 253402300800;          // 10000-01-01
       t += 86400 * 37 + 3601) {
    CivilTime c = civil_from_unix(t);
    Result<UnixTime> back = unix_from_civil(c);
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(*back, t);
  }
}

TEST(Time, FormatsIso8601) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(1772323200), "2026-03-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59Z");
}

TEST(Time, ValidatesFields) {
  EXPECT_FALSE(unix_from_civil({2023, 2, 29, 0, 0, 0}).ok());
  EXPECT_TRUE(unix_from_civil({2024, 2, 29, 0, 0, 0}).ok());
  EXPECT_FALSE(unix_from_civil({1900, 2, 29, 0, 0, 0}).ok());
  EXPECT_TRUE(unix_from_civil({2000, 2, 29, 0, 0, 0}).ok());
  EXPECT_FALSE(unix_from_civil({2024, 4, 31, 0, 0, 0}).ok());
  EXPECT_FALSE(unix_from_civil({2024, 13, 1, 0, 0, 0}).ok());
  EXPECT_FALSE(unix_from_civil({2024, 0, 1, 0, 0, 0}).ok());
  EXPECT_FALSE(unix_from_civil({2024, 1, 1, 0, 60, 0}).ok());
  Result<UnixTime> feb30 = unix_from_civil({2024, 2, 30, 0, 0, 0});
  ASSERT_FALSE(feb30.ok());
  EXPECT_EQ(feb30.error().message(), "day 30 does not exist in 2024-02");
}

TEST(Time, UtcTimePivot) {
  // RFC 5280 4.1.2.5.1: YY >= 50 -> 19YY, YY < 50 -> 20YY.
  EXPECT_EQ(civil_from_unix(*parse_utc_time(V("500101000000Z"))).year, 1950);
  EXPECT_EQ(civil_from_unix(*parse_utc_time(V("491231235959Z"))).year, 2049);
  EXPECT_EQ(civil_from_unix(*parse_utc_time(V("990101000000Z"))).year, 1999);
  EXPECT_EQ(civil_from_unix(*parse_utc_time(V("000101000000Z"))).year, 2000);
}

TEST(Time, RejectsMalformedTimes) {
  for (const char* s : {"700101000000", "7001010000Z", "700101000000+0000", "700101000000.5Z",
                        "70010100000aZ", "700101000000z", "7001010000000Z", "", "Z",
                        "700231000000Z", "701301000000Z", "700101240000Z"}) {
    EXPECT_FALSE(parse_utc_time(V(s)).ok()) << s;
  }
  for (const char* s : {"20500101000000", "20500101000000.0Z", "205001010000Z",
                        "20500101000000+0100", "20500230000000Z", " 2050101000000Z"}) {
    EXPECT_FALSE(parse_generalized_time(V(s)).ok()) << s;
  }
  Result<UnixTime> r = parse_utc_time(V("700101000000"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("'Z'"), std::string::npos) << r.error().message();
}

TEST(Time, EncodesForCertificates) {
  Result<EncodedTime> a = encode_x509_time(0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->text, "700101000000Z");
  Result<EncodedTime> b = encode_x509_time(2524608000);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->text, "20500101000000Z");
  Result<EncodedTime> c = encode_x509_time(-631152001);  // 1949-12-31T23:59:59
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->text, "19491231235959Z");
  EXPECT_FALSE(encode_x509_time(253402300800).ok());  // year 10000
}

}  // namespace
}  // namespace tessera::x509
