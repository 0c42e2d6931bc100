// x509/time.h — calendar time <-> unix seconds, without libc time zones.
//
// Certificates carry UTC calendar times; tessera works in int64 unix seconds
// (seconds since 1970-01-01T00:00:00Z, leap seconds ignored as POSIX does).
// The conversions use the proleptic Gregorian calendar (days_from_civil, after
// H. Hinnant) and never consult the process time zone or the clock: "now"
// always comes from the caller.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "tessera/result.h"

namespace tessera::x509 {

using UnixTime = int64_t;

struct CivilTime {
  int64_t year = 1970;
  int month = 1;   // 1..12
  int day = 1;     // 1..31
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;  // 0..59 (RFC 5280 allows no leap second 60)
};

// days_from_civil returns the number of days from 1970-01-01 to y-m-d
// (negative before). Precondition: 1 <= m <= 12, 1 <= d <= days_in_month.
int64_t days_from_civil(int64_t y, int m, int d);
// civil_from_unix splits unix seconds into UTC calendar fields.
CivilTime civil_from_unix(UnixTime t);
// days_in_month returns 28..31 for month m (1..12) of year y.
int days_in_month(int64_t y, int m);
// unix_from_civil validates every field (month 1..12, day within the month,
// hour 0..23, minute 0..59, second 0..59) and returns unix seconds;
// cert_parse naming the bad field otherwise.
Result<UnixTime> unix_from_civil(const CivilTime& c);

// format_iso8601 renders "2026-03-01T00:00:00Z" (years outside 0..9999 are
// printed with as many digits as they need and a sign if negative).
std::string format_iso8601(UnixTime t);

// RFC 5280 4.1.2.5.1: parse_utc_time reads UTCTime content "YYMMDDHHMMSSZ"
// (exactly 13 characters, seconds present, 'Z' required); YY >= 50 is 19YY,
// YY < 50 is 20YY.
Result<UnixTime> parse_utc_time(ByteView content);
// RFC 5280 4.1.2.5.2: parse_generalized_time reads "YYYYMMDDHHMMSSZ"
// (exactly 15 characters, no fractional seconds, 'Z' required).
Result<UnixTime> parse_generalized_time(ByteView content);

// RFC 5280 4.1.2.5: encode_x509_time returns the tag (UTCTime for years
// 1950..2049, GeneralizedTime otherwise) and the content octets used by the
// DER writer. Fails (config_invalid) for years outside 0..9999.
struct EncodedTime {
  uint8_t tag = 0;
  std::string text;
};
Result<EncodedTime> encode_x509_time(UnixTime t);

}  // namespace tessera::x509
