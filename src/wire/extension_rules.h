// wire/extension_rules.h — which TLS 1.3 message may carry which extension
// (RFC 8446 4.2, the table of extensions and the messages they appear in).
//
// RFC 8446 4.2: If an implementation receives an extension which it
// recognizes and which is not specified for the message in which it appears,
// it MUST abort the handshake with an "illegal_parameter" alert.
//
// This is the message-local half of the extension rules. The other half —
// that a response extension answers an extension the endpoint actually sent
// (unsupported_extension) — needs handshake state and lives there.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "wire/extensions.h"

namespace tessera::wire {

// The TLS 1.3 messages that carry extensions, as abbreviated in RFC 8446 4.2.
enum class ExtensionContext : uint8_t {
  client_hello,          // CH
  server_hello,          // SH
  hello_retry_request,   // HRR
  encrypted_extensions,  // EE
  certificate,           // CT (per CertificateEntry)
  certificate_request,   // CR
  new_session_ticket,    // NST
};

// tls13_extension_allowed returns whether the extension may appear in the
// message, or nullopt if tessera does not recognize the type (unrecognized
// extensions are ignored by the rule above). The TLS 1.2-only extensions
// tessera knows (ec_point_formats, extended_master_secret,
// renegotiation_info, session_ticket, encrypt_then_mac) are allowed only in
// a ClientHello, which may also be negotiated as TLS 1.2.
std::optional<bool> tls13_extension_allowed(uint16_t type, ExtensionContext context);

// check_tls13_extensions fails with illegal_parameter, naming the extension
// and the message, at the first recognized extension not allowed in context.
Result<void> check_tls13_extensions(const Extensions& extensions, ExtensionContext context);

}  // namespace tessera::wire
