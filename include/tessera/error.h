// tessera/error.h — error codes, TLS alerts and the Error value.
//
// Every failure in tessera is an Error value (no exceptions cross the library
// boundary). An Error carries a flat ErrorCode, the TLS alert that the
// connection sends because of it (chosen where the error is detected), and a
// human-readable message that says precisely what went wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera {

// RFC 8446 6 / RFC 5246 7.2: AlertDescription values.
enum class AlertDescription : uint8_t {
  close_notify = 0,
  unexpected_message = 10,
  bad_record_mac = 20,
  record_overflow = 22,
  handshake_failure = 40,
  bad_certificate = 42,
  unsupported_certificate = 43,
  certificate_revoked = 44,
  certificate_expired = 45,
  certificate_unknown = 46,
  illegal_parameter = 47,
  unknown_ca = 48,
  access_denied = 49,
  decode_error = 50,
  decrypt_error = 51,
  protocol_version = 70,
  insufficient_security = 71,
  internal_error = 80,
  inappropriate_fallback = 86,
  user_canceled = 90,
  no_renegotiation = 100,
  missing_extension = 109,
  unsupported_extension = 110,
  unrecognized_name = 112,
  bad_certificate_status_response = 113,
  unknown_psk_identity = 115,
  certificate_required = 116,
  no_application_protocol = 120,
  ech_required = 121,  // draft-ietf-tls-esni 11.2
};

// alert_name returns the RFC spelling of an alert ("handshake_failure"), or
// "unknown_alert" for a value not in the enum.
std::string_view alert_name(AlertDescription a);

// The groups error codes fall into; used for reporting and metrics.
enum class ErrorGroup : uint8_t { decode, peer, crypto, certificate, config, io, internal };

// Flat error codes. The table in src/base/error.cc gives each its name, group
// and default alert; tests/unit/base/result_test.cc checks the table is complete.
enum class ErrorCode : uint16_t {
  // decode: the bytes do not parse
  decode_truncated,      // fewer bytes than the structure needs
  decode_trailing_data,  // bytes left over after a complete structure
  decode_invalid_value,  // a field holds a value the encoding forbids
  decode_length,         // a length field is inconsistent or out of range
  // peer: the bytes parse but the peer broke the protocol
  unexpected_message,
  illegal_parameter,
  missing_extension,
  unsupported_extension,
  record_overflow,
  bad_record_mac,
  protocol_version,
  handshake_failure,  // no common parameters
  insufficient_security,
  inappropriate_fallback,
  no_application_protocol,
  certificate_required,
  unrecognized_name,
  // Encrypted Client Hello was offered and the server refused it (it sent
  // retry configurations, or none): the handshake authenticated only the
  // server's public name, so the connection is not used (draft-ietf-tls-esni
  // 6.1.6). HandshakeSummary::ech_retry_configs holds the server's new
  // ECHConfigList, if it sent one, for a retry on a new connection.
  ech_required,
  decrypt_error,         // Finished / CertificateVerify / key exchange check failed
  peer_alert,            // the peer sent a fatal alert
  peer_closed,           // close_notify received
  truncated_connection,  // transport closed without close_notify
  too_many_messages,     // empty records, warning alerts, key updates beyond limits
  // crypto
  crypto_failure,         // libcrypto reported an error
  unsupported_algorithm,  // algorithm not available in this provider
  invalid_key_share,      // peer public value fails validation
  invalid_key,            // key material could not be loaded
  signature_invalid,
  // certificate
  cert_parse,
  cert_untrusted,  // no path to a trust anchor
  cert_expired,
  cert_not_yet_valid,
  cert_bad_signature,
  cert_revoked,
  cert_revocation_unknown,  // a CRL was required and none usable covers the certificate
  cert_status_invalid,      // a stapled OCSP response is unusable, or required and missing
  cert_name_mismatch,       // host / IP / email identity does not match
  cert_invalid_ca,          // basicConstraints / keyUsage / v1 issuer problems
  cert_path_length,         // pathLenConstraint or maximum depth exceeded
  cert_name_constraints,
  cert_bad_usage,  // keyUsage / extKeyUsage wrong for the purpose
  cert_weak_key,
  cert_unsupported,  // unknown critical extension or unsupported algorithm
  cert_work_limit,   // path building exceeded its work budget
  access_denied,     // the peer authenticated, and a PeerCheck refused it
  // config
  config_invalid,
  // io
  io_error,
  timeout,
  // internal
  internal_error,
  sequence_exhausted,  // record sequence number would wrap
  // keep last
  kCount_,
};

inline constexpr size_t kErrorCodeCount = static_cast<size_t>(ErrorCode::kCount_);

// error_code_name returns the snake_case name of a code, e.g. "cert_expired".
std::string_view error_code_name(ErrorCode c);
// error_code_group returns the group a code belongs to.
ErrorGroup error_code_group(ErrorCode c);
// default_alert returns the alert sent for a code when the detecting site did
// not choose a more specific one.
AlertDescription default_alert(ErrorCode c);

// Error is a failure value: a code, the alert to send, and a message.
class Error {
 public:
  Error(ErrorCode code, std::string message = {})
      : code_(code), alert_(default_alert(code)), message_(std::move(message)) {}
  Error(ErrorCode code, AlertDescription alert, std::string message)
      : code_(code), alert_(alert), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  AlertDescription alert() const { return alert_; }
  const std::string& message() const { return message_; }

  // with_context returns this error with "context: " prepended to its message.
  Error with_context(std::string_view context) const;

  // to_string renders "code_name: message" (or just the name when there is
  // no message).
  std::string to_string() const;

 private:
  ErrorCode code_;
  AlertDescription alert_;
  std::string message_;
};

}  // namespace tessera
