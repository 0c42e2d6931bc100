// wire/alert.h — the Alert message (RFC 8446 6, RFC 5246 7.2).
//
//   struct {
//       AlertLevel level;
//       AlertDescription description;
//   } Alert;
//
// An alert record carries exactly these two bytes.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "tessera/error.h"

namespace tessera::wire {

enum class AlertLevel : uint8_t { warning = 1, fatal = 2 };

struct Alert {
  AlertLevel level = AlertLevel::fatal;
  // Unknown description values are kept as they arrive (RFC 8446 6.2:
  // "Unknown Alert types MUST be treated as error alerts").
  AlertDescription description = AlertDescription::close_notify;

  // parse decodes an alert from exactly two bytes: any other length is
  // decode_error. The level is kept as it arrives, known or not: in TLS 1.3
  // it is a legacy field (RFC 8446 6), so the caller decides what an unknown
  // one means (see known_level).
  static Result<Alert> parse(ByteView data);
  // known_level: warning(1) or fatal(2) (RFC 5246 7.2).
  bool known_level() const { return level == AlertLevel::warning || level == AlertLevel::fatal; }
  void serialize(ByteWriter& w) const;
  // to_string renders "fatal handshake_failure(40)".
  std::string to_string() const;
};

}  // namespace tessera::wire
