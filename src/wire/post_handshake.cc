#include "wire/post_handshake.h"

#include <string>

namespace tessera::wire {

Result<NewSessionTicket> NewSessionTicket::parse(ByteView body) {
  return parse_all(body, "NewSessionTicket", [](ByteReader& r) -> Result<NewSessionTicket> {
    NewSessionTicket t;
    TESSERA_ASSIGN_OR_RETURN(t.ticket_lifetime, field_context(r.read_u32(), "ticket_lifetime"));
    // RFC 8446 4.6.1: Servers MUST NOT use any value greater than 604800
    // seconds (7 days).
    if (t.ticket_lifetime > kMaxTicketLifetime) {
      return Error(ErrorCode::illegal_parameter, AlertDescription::illegal_parameter,
                   "ticket_lifetime " + std::to_string(t.ticket_lifetime) +
                       " exceeds the maximum of 604800 seconds");
    }
    TESSERA_ASSIGN_OR_RETURN(t.ticket_age_add, field_context(r.read_u32(), "ticket_age_add"));
    // RFC 8446 4.6.1: opaque ticket_nonce<0..255>;
    TESSERA_ASSIGN_OR_RETURN(t.ticket_nonce, read_opaque(r, 1, 0, 255, "ticket_nonce"));
    // RFC 8446 4.6.1: opaque ticket<1..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(t.ticket, read_opaque(r, 2, 1, 0xFFFF, "ticket"));
    // RFC 8446 4.6.1: Extension extensions<0..2^16-2>;
    TESSERA_ASSIGN_OR_RETURN(t.extensions, read_extensions(r, 0, 0xFFFE, ""));
    return t;
  });
}

void NewSessionTicket::serialize(ByteWriter& w) const {
  w.u32(ticket_lifetime);
  w.u32(ticket_age_add);
  w.prefixed_bytes(1, ticket_nonce);
  w.prefixed_bytes(2, ticket);
  write_extensions(w, extensions);
}

Result<std::optional<uint32_t>> NewSessionTicket::max_early_data_size() const {
  const Extension* e = find_extension(kExtEarlyData);
  if (e == nullptr) return std::optional<uint32_t>();
  TESSERA_ASSIGN_OR_RETURN(EarlyDataNewSessionTicket ed, EarlyDataNewSessionTicket::parse(e->data));
  return std::optional<uint32_t>(ed.max_early_data_size);
}

Result<NewSessionTicket12> NewSessionTicket12::parse(ByteView body) {
  return parse_all(body, "NewSessionTicket", [](ByteReader& r) -> Result<NewSessionTicket12> {
    NewSessionTicket12 t;
    TESSERA_ASSIGN_OR_RETURN(t.ticket_lifetime_hint,
                             field_context(r.read_u32(), "ticket_lifetime_hint"));
    // RFC 5077 3.3: opaque ticket<0..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(t.ticket, read_opaque(r, 2, 0, 0xFFFF, "ticket"));
    return t;
  });
}

void NewSessionTicket12::serialize(ByteWriter& w) const {
  w.u32(ticket_lifetime_hint);
  w.prefixed_bytes(2, ticket);
}

Result<KeyUpdate> KeyUpdate::parse(ByteView body) {
  if (body.size() != 1) {
    return Error(ErrorCode::decode_length,
                 "KeyUpdate: body must be 1 byte, got " + std::to_string(body.size()));
  }
  uint8_t v = body[0];
  // RFC 8446 4.6.3: If an implementation receives any other value, it MUST
  // terminate the connection with an "illegal_parameter" alert.
  if (v > 1) {
    return Error(ErrorCode::illegal_parameter, AlertDescription::illegal_parameter,
                 "KeyUpdate: request_update " + std::to_string(v) +
                     " is neither update_not_requested(0) nor update_requested(1)");
  }
  return KeyUpdate{static_cast<KeyUpdateRequest>(v)};
}

}  // namespace tessera::wire
