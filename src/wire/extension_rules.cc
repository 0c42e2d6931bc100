#include "wire/extension_rules.h"

#include <string>

namespace tessera::wire {

namespace {

using C = ExtensionContext;

constexpr uint8_t bit(C c) { return static_cast<uint8_t>(1u << static_cast<unsigned>(c)); }

constexpr uint8_t kCH = bit(C::client_hello);
constexpr uint8_t kSH = bit(C::server_hello);
constexpr uint8_t kHRR = bit(C::hello_retry_request);
constexpr uint8_t kEE = bit(C::encrypted_extensions);
constexpr uint8_t kCT = bit(C::certificate);
constexpr uint8_t kCR = bit(C::certificate_request);
constexpr uint8_t kNST = bit(C::new_session_ticket);

// allowed_mask returns the contexts a recognized extension may appear in, or
// nullopt for an unrecognized type.
std::optional<uint8_t> allowed_mask(uint16_t type) {
  switch (type) {
    // RFC 8446 4.2, the table of extensions.
    case kExtServerName: return kCH | kEE;
    case kExtMaxFragmentLength: return kCH | kEE;
    case kExtStatusRequest: return kCH | kCR | kCT;
    case kExtSupportedGroups: return kCH | kEE;
    case kExtSignatureAlgorithms: return kCH | kCR;
    case kExtUseSrtp: return kCH | kEE;
    case kExtHeartbeat: return kCH | kEE;
    case kExtAlpn: return kCH | kEE;
    case kExtSignedCertificateTimestamp: return kCH | kCR | kCT;
    case kExtClientCertificateType: return kCH | kEE;
    case kExtServerCertificateType: return kCH | kEE;
    case kExtPadding: return kCH;
    case kExtKeyShare: return kCH | kSH | kHRR;
    case kExtPreSharedKey: return kCH | kSH;
    case kExtPskKeyExchangeModes: return kCH;
    case kExtEarlyData: return kCH | kEE | kNST;
    case kExtCookie: return kCH | kHRR;
    case kExtSupportedVersions: return kCH | kSH | kHRR;
    case kExtCertificateAuthorities: return kCH | kCR;
    case kExtOidFilters: return kCR;
    case kExtPostHandshakeAuth: return kCH;
    case kExtSignatureAlgorithmsCert: return kCH | kCR;
    // RFC 8449 4 and 8: record_size_limit in ClientHello and EncryptedExtensions.
    case kExtRecordSizeLimit: return kCH | kEE;
    // RFC 8879 3: compress_certificate in ClientHello and CertificateRequest.
    case kExtCompressCertificate: return kCH | kCR;
    // draft-ietf-tls-esni 11.1: encrypted_client_hello in ClientHello,
    // HelloRetryRequest and EncryptedExtensions; ech_outer_extensions only
    // in a ClientHelloInner, where the server expands it (5.1).
    case kExtEncryptedClientHello: return kCH | kHRR | kEE;
    case kExtEchOuterExtensions: return kCH;
    // TLS 1.2-only extensions: a ClientHello may offer them for TLS 1.2.
    case kExtEcPointFormats:
    case kExtExtendedMasterSecret:
    case kExtRenegotiationInfo:
    case kExtSessionTicket:
    case kExtEncryptThenMac: return kCH;
    default: return std::nullopt;
  }
}

std::string_view context_name(C c) {
  switch (c) {
    case C::client_hello: return "ClientHello";
    case C::server_hello: return "ServerHello";
    case C::hello_retry_request: return "HelloRetryRequest";
    case C::encrypted_extensions: return "EncryptedExtensions";
    case C::certificate: return "Certificate";
    case C::certificate_request: return "CertificateRequest";
    case C::new_session_ticket: return "NewSessionTicket";
  }
  return "unknown message";
}

}  // namespace

std::optional<bool> tls13_extension_allowed(uint16_t type, ExtensionContext context) {
  auto mask = allowed_mask(type);
  if (!mask) return std::nullopt;
  return (*mask & bit(context)) != 0;
}

Result<void> check_tls13_extensions(const Extensions& extensions, ExtensionContext context) {
  for (const Extension& e : extensions) {
    // RFC 8446 4.2: If an implementation receives an extension which it
    // recognizes and which is not specified for the message in which it
    // appears, it MUST abort the handshake with an "illegal_parameter" alert.
    if (tls13_extension_allowed(e.type, context) == std::optional<bool>(false)) {
      return Error(ErrorCode::illegal_parameter, AlertDescription::illegal_parameter,
                   std::string(context_name(context)) + ": extension " + extension_name(e.type) +
                       " is not allowed in this message in TLS 1.3");
    }
  }
  return ok();
}

}  // namespace tessera::wire
