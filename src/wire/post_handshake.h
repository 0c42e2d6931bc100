// wire/post_handshake.h — session tickets and key updates: the TLS 1.3
// post-handshake messages NewSessionTicket (RFC 8446 4.6.1) and KeyUpdate
// (RFC 8446 4.6.3), and the TLS 1.2 NewSessionTicket (RFC 5077 3.3).
//
//   struct {
//       uint32 ticket_lifetime;
//       uint32 ticket_age_add;
//       opaque ticket_nonce<0..255>;
//       opaque ticket<1..2^16-1>;
//       Extension extensions<0..2^16-2>;
//   } NewSessionTicket;
//
//   struct {                                  /* TLS 1.2, RFC 5077 3.3 */
//       uint32 ticket_lifetime_hint;
//       opaque ticket<0..2^16-1>;
//   } NewSessionTicket;
//
//   enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
//   struct { KeyUpdateRequest request_update; } KeyUpdate;
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "wire/extensions.h"
#include "wire/handshake.h"

namespace tessera::wire {

// RFC 8446 4.6.1: Servers MUST NOT use any value greater than 604800 seconds
// (7 days).
inline constexpr uint32_t kMaxTicketLifetime = 604800;

struct NewSessionTicket {
  static constexpr HandshakeType kType = HandshakeType::new_session_ticket;

  uint32_t ticket_lifetime = 0;  // seconds, <= kMaxTicketLifetime
  uint32_t ticket_age_add = 0;
  Bytes ticket_nonce;  // <0..255>
  Bytes ticket;        // <1..2^16-1>
  Extensions extensions;

  // parse decodes the body; decode_* on bad lengths or trailing bytes,
  // illegal_parameter for a lifetime above 7 days or a duplicated extension.
  static Result<NewSessionTicket> parse(ByteView body);
  void serialize(ByteWriter& w) const;

  const Extension* find_extension(uint16_t type) const {
    return wire::find_extension(extensions, type);
  }
  // max_early_data_size returns the early_data extension's value, nullopt if
  // the ticket does not allow early data, or the extension's decode error.
  Result<std::optional<uint32_t>> max_early_data_size() const;
};

// NewSessionTicket12 is the TLS 1.2 session ticket message (RFC 5077 3.3).
struct NewSessionTicket12 {
  static constexpr HandshakeType kType = HandshakeType::new_session_ticket;

  uint32_t ticket_lifetime_hint = 0;  // seconds, 0 = unspecified
  Bytes ticket;                       // <0..2^16-1>; empty: no ticket after all

  static Result<NewSessionTicket12> parse(ByteView body);
  void serialize(ByteWriter& w) const;
};

enum class KeyUpdateRequest : uint8_t { update_not_requested = 0, update_requested = 1 };

struct KeyUpdate {
  static constexpr HandshakeType kType = HandshakeType::key_update;

  KeyUpdateRequest request_update = KeyUpdateRequest::update_not_requested;

  // parse requires exactly one byte holding 0 or 1; any other value is
  // illegal_parameter, any other length decode_error.
  static Result<KeyUpdate> parse(ByteView body);
  void serialize(ByteWriter& w) const { w.u8(static_cast<uint8_t>(request_update)); }
};

}  // namespace tessera::wire
