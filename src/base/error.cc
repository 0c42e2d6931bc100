#include "tessera/error.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tessera/result.h"

namespace tessera {

namespace {

using A = AlertDescription;
using G = ErrorGroup;

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;
  ErrorGroup group;
  AlertDescription alert;
};

// The one table from error codes to names, groups and default alerts
// (RFC 8446 6.2 names the alert for each class of failure).
constexpr std::array<ErrorInfo, kErrorCodeCount> kErrors{{
    {ErrorCode::decode_truncated, "decode_truncated", G::decode, A::decode_error},
    {ErrorCode::decode_trailing_data, "decode_trailing_data", G::decode, A::decode_error},
    {ErrorCode::decode_invalid_value, "decode_invalid_value", G::decode, A::decode_error},
    {ErrorCode::decode_length, "decode_length", G::decode, A::decode_error},
    {ErrorCode::unexpected_message, "unexpected_message", G::peer, A::unexpected_message},
    {ErrorCode::illegal_parameter, "illegal_parameter", G::peer, A::illegal_parameter},
    {ErrorCode::missing_extension, "missing_extension", G::peer, A::missing_extension},
    {ErrorCode::unsupported_extension, "unsupported_extension", G::peer, A::unsupported_extension},
    {ErrorCode::record_overflow, "record_overflow", G::peer, A::record_overflow},
    {ErrorCode::bad_record_mac, "bad_record_mac", G::peer, A::bad_record_mac},
    {ErrorCode::protocol_version, "protocol_version", G::peer, A::protocol_version},
    {ErrorCode::handshake_failure, "handshake_failure", G::peer, A::handshake_failure},
    {ErrorCode::insufficient_security, "insufficient_security", G::peer, A::insufficient_security},
    {ErrorCode::inappropriate_fallback, "inappropriate_fallback", G::peer,
     A::inappropriate_fallback},
    {ErrorCode::no_application_protocol, "no_application_protocol", G::peer,
     A::no_application_protocol},
    {ErrorCode::certificate_required, "certificate_required", G::peer, A::certificate_required},
    {ErrorCode::unrecognized_name, "unrecognized_name", G::peer, A::unrecognized_name},
    {ErrorCode::ech_required, "ech_required", G::peer, A::ech_required},
    {ErrorCode::decrypt_error, "decrypt_error", G::peer, A::decrypt_error},
    {ErrorCode::peer_alert, "peer_alert", G::peer, A::close_notify},
    {ErrorCode::peer_closed, "peer_closed", G::peer, A::close_notify},
    {ErrorCode::truncated_connection, "truncated_connection", G::peer, A::close_notify},
    {ErrorCode::too_many_messages, "too_many_messages", G::peer, A::unexpected_message},
    {ErrorCode::crypto_failure, "crypto_failure", G::crypto, A::internal_error},
    {ErrorCode::unsupported_algorithm, "unsupported_algorithm", G::crypto, A::handshake_failure},
    {ErrorCode::invalid_key_share, "invalid_key_share", G::crypto, A::illegal_parameter},
    {ErrorCode::invalid_key, "invalid_key", G::crypto, A::internal_error},
    {ErrorCode::signature_invalid, "signature_invalid", G::crypto, A::decrypt_error},
    {ErrorCode::cert_parse, "cert_parse", G::certificate, A::bad_certificate},
    {ErrorCode::cert_untrusted, "cert_untrusted", G::certificate, A::unknown_ca},
    {ErrorCode::cert_expired, "cert_expired", G::certificate, A::certificate_expired},
    {ErrorCode::cert_not_yet_valid, "cert_not_yet_valid", G::certificate, A::certificate_expired},
    {ErrorCode::cert_bad_signature, "cert_bad_signature", G::certificate, A::bad_certificate},
    {ErrorCode::cert_revoked, "cert_revoked", G::certificate, A::certificate_revoked},
    // RFC 8446 6.2 certificate_unknown: "some other (unspecified) issue arose
    // in processing the certificate, rendering it unacceptable".
    {ErrorCode::cert_revocation_unknown, "cert_revocation_unknown", G::certificate,
     A::certificate_unknown},
    // RFC 6066 8: a client that requested an OCSP response and finds the one
    // it received unsatisfactory aborts with bad_certificate_status_response.
    {ErrorCode::cert_status_invalid, "cert_status_invalid", G::certificate,
     A::bad_certificate_status_response},
    {ErrorCode::cert_name_mismatch, "cert_name_mismatch", G::certificate, A::bad_certificate},
    {ErrorCode::cert_invalid_ca, "cert_invalid_ca", G::certificate, A::bad_certificate},
    {ErrorCode::cert_path_length, "cert_path_length", G::certificate, A::bad_certificate},
    {ErrorCode::cert_name_constraints, "cert_name_constraints", G::certificate, A::bad_certificate},
    {ErrorCode::cert_bad_usage, "cert_bad_usage", G::certificate, A::unsupported_certificate},
    {ErrorCode::cert_weak_key, "cert_weak_key", G::certificate, A::insufficient_security},
    {ErrorCode::cert_unsupported, "cert_unsupported", G::certificate, A::unsupported_certificate},
    {ErrorCode::cert_work_limit, "cert_work_limit", G::certificate, A::bad_certificate},
    {ErrorCode::access_denied, "access_denied", G::certificate, A::access_denied},
    {ErrorCode::config_invalid, "config_invalid", G::config, A::internal_error},
    {ErrorCode::io_error, "io_error", G::io, A::internal_error},
    {ErrorCode::timeout, "timeout", G::io, A::user_canceled},
    {ErrorCode::internal_error, "internal_error", G::internal, A::internal_error},
    {ErrorCode::sequence_exhausted, "sequence_exhausted", G::internal, A::internal_error},
}};

constexpr bool table_in_order() {
  for (size_t i = 0; i < kErrors.size(); ++i) {
    if (static_cast<size_t>(kErrors[i].code) != i) return false;
  }
  return true;
}
static_assert(table_in_order(), "kErrors must list every ErrorCode in declaration order");

const ErrorInfo& info(ErrorCode c) {
  size_t i = static_cast<size_t>(c);
  if (i >= kErrors.size()) i = static_cast<size_t>(ErrorCode::internal_error);
  return kErrors[i];
}

}  // namespace

std::string_view error_code_name(ErrorCode c) { return info(c).name; }
ErrorGroup error_code_group(ErrorCode c) { return info(c).group; }
AlertDescription default_alert(ErrorCode c) { return info(c).alert; }

std::string_view alert_name(AlertDescription a) {
  switch (a) {
    case A::close_notify: return "close_notify";
    case A::unexpected_message: return "unexpected_message";
    case A::bad_record_mac: return "bad_record_mac";
    case A::record_overflow: return "record_overflow";
    case A::handshake_failure: return "handshake_failure";
    case A::bad_certificate: return "bad_certificate";
    case A::unsupported_certificate: return "unsupported_certificate";
    case A::certificate_revoked: return "certificate_revoked";
    case A::certificate_expired: return "certificate_expired";
    case A::certificate_unknown: return "certificate_unknown";
    case A::illegal_parameter: return "illegal_parameter";
    case A::unknown_ca: return "unknown_ca";
    case A::access_denied: return "access_denied";
    case A::decode_error: return "decode_error";
    case A::decrypt_error: return "decrypt_error";
    case A::protocol_version: return "protocol_version";
    case A::insufficient_security: return "insufficient_security";
    case A::internal_error: return "internal_error";
    case A::inappropriate_fallback: return "inappropriate_fallback";
    case A::user_canceled: return "user_canceled";
    case A::no_renegotiation: return "no_renegotiation";
    case A::missing_extension: return "missing_extension";
    case A::unsupported_extension: return "unsupported_extension";
    case A::unrecognized_name: return "unrecognized_name";
    case A::bad_certificate_status_response: return "bad_certificate_status_response";
    case A::unknown_psk_identity: return "unknown_psk_identity";
    case A::certificate_required: return "certificate_required";
    case A::no_application_protocol: return "no_application_protocol";
    case A::ech_required: return "ech_required";
  }
  return "unknown_alert";
}

Error Error::with_context(std::string_view context) const {
  std::string m(context);
  if (!message_.empty()) {
    m += ": ";
    m += message_;
  }
  return Error(code_, alert_, std::move(m));
}

namespace result_internal {

void result_misuse(const char* what, const Error* error) {
  std::fprintf(stderr, "tessera: %s%s%s\n", what, error ? ": " : "",
               error ? error->to_string().c_str() : "");
  std::abort();
}

}  // namespace result_internal

std::string Error::to_string() const {
  std::string s(error_code_name(code_));
  if (!message_.empty()) {
    s += ": ";
    s += message_;
  }
  return s;
}

}  // namespace tessera
