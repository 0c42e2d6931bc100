#include "wire/alert.h"

#include <string>

namespace tessera::wire {

Result<Alert> Alert::parse(ByteView data) {
  // RFC 8446 6 / RFC 5246 7.2: an Alert is exactly one level byte and one
  // description byte.
  if (data.size() != 2) {
    return Error(ErrorCode::decode_length,
                 "Alert: must be exactly 2 bytes, got " + std::to_string(data.size()));
  }
  ByteReader r(data);
  TESSERA_ASSIGN_OR_RETURN(uint8_t level, r.read_u8());
  TESSERA_ASSIGN_OR_RETURN(uint8_t description, r.read_u8());
  return Alert{static_cast<AlertLevel>(level), static_cast<AlertDescription>(description)};
}

void Alert::serialize(ByteWriter& w) const {
  w.u8(static_cast<uint8_t>(level));
  w.u8(static_cast<uint8_t>(description));
}

std::string Alert::to_string() const {
  std::string s = level == AlertLevel::warning ? "warning "
                  : level == AlertLevel::fatal
                      ? "fatal "
                      : "level " + std::to_string(static_cast<unsigned>(level)) + " ";
  s += alert_name(description);
  s += "(" + std::to_string(static_cast<unsigned>(description)) + ")";
  return s;
}

}  // namespace tessera::wire
