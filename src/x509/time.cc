#include "x509/time.h"

#include <cstdio>
#include <string>

#include "x509/der.h"

namespace tessera::x509 {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Reads n ASCII digits from text at pos; -1 if any is not a digit.
int64_t digits(ByteView text, size_t pos, size_t n) {
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = text[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

Error time_error(std::string_view type, std::string msg) {
  return Error(ErrorCode::cert_parse, std::string(type) + " " + msg);
}

// Parses MMDDHHMMSSZ at text[pos..] for both time types.
Result<UnixTime> parse_rest(std::string_view type, int64_t year, ByteView text, size_t pos) {
  for (size_t i = pos; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') {
      if (text[i] == '.') return time_error(type, "must not have fractional seconds");
      if (text[i] == '+' || text[i] == '-') {
        return time_error(type, "must be in UTC ('Z'), not with a time zone offset");
      }
      return time_error(type, "has a non-digit character");
    }
  }
  CivilTime c;
  c.year = year;
  c.month = static_cast<int>(digits(text, pos, 2));
  c.day = static_cast<int>(digits(text, pos + 2, 2));
  c.hour = static_cast<int>(digits(text, pos + 4, 2));
  c.minute = static_cast<int>(digits(text, pos + 6, 2));
  c.second = static_cast<int>(digits(text, pos + 8, 2));
  Result<UnixTime> t = unix_from_civil(c);
  if (!t) return time_error(type, t.error().message());
  return t;
}

// Common shape checks: exact length and the final 'Z'.
Result<void> check_shape(std::string_view type, ByteView text, size_t expected,
                         std::string_view form) {
  if (text.empty() || text.back() != 'Z') {
    // Look for the usual culprits to give a precise message.
    for (uint8_t c : text) {
      if (c == '.') return time_error(type, "must not have fractional seconds");
    }
    return time_error(type, "must end in 'Z' (" + std::string(form) + ")");
  }
  if (text.size() != expected) {
    for (uint8_t c : text) {
      if (c == '.') return time_error(type, "must not have fractional seconds");
    }
    if (text.size() < expected) {
      return time_error(type, "is too short: seconds are required (" + std::string(form) + ")");
    }
    return time_error(type, "has " + std::to_string(text.size()) + " characters, expected " +
                                std::to_string(expected) + " (" + std::string(form) + ")");
  }
  return ok();
}

}  // namespace

int days_in_month(int64_t y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && is_leap(y)) return 29;
  return kDays[(m - 1) % 12];
}

// days_from_civil after Howard Hinnant, "chrono-Compatible Low-Level Date
// Algorithms": proleptic Gregorian calendar, eras of 400 years.
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = floor_div(y, 400);
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

CivilTime civil_from_unix(UnixTime t) {
  int64_t z = floor_div(t, kSecondsPerDay);
  int64_t secs = t - z * kSecondsPerDay;
  z += 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  CivilTime c;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>(secs / 60 % 60);
  c.second = static_cast<int>(secs % 60);
  return c;
}

Result<UnixTime> unix_from_civil(const CivilTime& c) {
  if (c.year < -1000000 || c.year > 1000000) {
    return Error(ErrorCode::cert_parse, "year " + std::to_string(c.year) + " is out of range");
  }
  if (c.month < 1 || c.month > 12) {
    return Error(ErrorCode::cert_parse, "month " + std::to_string(c.month) + " is out of range");
  }
  if (c.day < 1 || c.day > days_in_month(c.year, c.month)) {
    return Error(ErrorCode::cert_parse, "day " + std::to_string(c.day) + " does not exist in " +
                                            std::to_string(c.year) + "-" +
                                            (c.month < 10 ? "0" : "") + std::to_string(c.month));
  }
  if (c.hour < 0 || c.hour > 23) {
    return Error(ErrorCode::cert_parse, "hour " + std::to_string(c.hour) + " is out of range");
  }
  if (c.minute < 0 || c.minute > 59) {
    return Error(ErrorCode::cert_parse, "minute " + std::to_string(c.minute) + " is out of range");
  }
  // RFC 5280 4.1.2.5: seconds are 00..59; there is no leap second.
  if (c.second < 0 || c.second > 59) {
    return Error(ErrorCode::cert_parse, "second " + std::to_string(c.second) + " is out of range");
  }
  return days_from_civil(c.year, c.month, c.day) * kSecondsPerDay + c.hour * 3600 + c.minute * 60 +
         c.second;
}

std::string format_iso8601(UnixTime t) {
  CivilTime c = civil_from_unix(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(c.year),
                c.month, c.day, c.hour, c.minute, c.second);
  return buf;
}

Result<UnixTime> parse_utc_time(ByteView content) {
  // RFC 5280 4.1.2.5.1: UTCTime values MUST be expressed in Greenwich Mean
  // Time (Zulu) and MUST include seconds (i.e., times are YYMMDDHHMMSSZ).
  TESSERA_TRY(check_shape("UTCTime", content, 13, "YYMMDDHHMMSSZ"));
  int64_t yy = digits(content, 0, 2);
  if (yy < 0) return time_error("UTCTime", "has a non-digit character");
  // RFC 5280 4.1.2.5.1: Where YY is greater than or equal to 50, the year
  // SHALL be interpreted as 19YY; and where YY is less than 50, the year SHALL
  // be interpreted as 20YY.
  int64_t year = yy >= 50 ? 1900 + yy : 2000 + yy;
  return parse_rest("UTCTime", year, content, 2);
}

Result<UnixTime> parse_generalized_time(ByteView content) {
  // RFC 5280 4.1.2.5.2: GeneralizedTime values MUST be expressed in Greenwich
  // Mean Time (Zulu) and MUST include seconds (i.e., times are
  // YYYYMMDDHHMMSSZ), even where the number of seconds is zero.
  // GeneralizedTime values MUST NOT include fractional seconds.
  TESSERA_TRY(check_shape("GeneralizedTime", content, 15, "YYYYMMDDHHMMSSZ"));
  int64_t year = digits(content, 0, 4);
  if (year < 0) return time_error("GeneralizedTime", "has a non-digit character");
  return parse_rest("GeneralizedTime", year, content, 4);
}

Result<EncodedTime> encode_x509_time(UnixTime t) {
  CivilTime c = civil_from_unix(t);
  if (c.year < 0 || c.year > 9999) {
    return Error(ErrorCode::config_invalid,
                 "time " + format_iso8601(t) + " cannot be encoded in a certificate");
  }
  char buf[32];
  EncodedTime out;
  // RFC 5280 4.1.2.5: CAs conforming to this profile MUST always encode
  // certificate validity dates through the year 2049 as UTCTime; certificate
  // validity dates in 2050 or later MUST be encoded as GeneralizedTime.
  if (c.year >= 1950 && c.year <= 2049) {
    std::snprintf(buf, sizeof buf, "%02d%02d%02d%02d%02d%02dZ", static_cast<int>(c.year % 100),
                  c.month, c.day, c.hour, c.minute, c.second);
    out.tag = tag::kUtcTime;
  } else {
    std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02dZ", static_cast<int>(c.year), c.month,
                  c.day, c.hour, c.minute, c.second);
    out.tag = tag::kGeneralizedTime;
  }
  out.text = buf;
  return out;
}

}  // namespace tessera::x509
