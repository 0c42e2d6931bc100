#include "handshake/messages13.h"

#include <string>

#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/extension_rules.h"
#include "wire/extensions.h"
#include "wire/finished.h"
#include "wire/hello.h"
#include "wire/post_handshake.h"

namespace tessera::handshake {

Result<CertificateRequestInfo> parse_certificate_request13(ByteView body, bool post_handshake) {
  TESSERA_ASSIGN_OR_RETURN(auto cr, wire::CertificateRequest13::parse(body));
  // RFC 8446 4.3.2: certificate_request_context SHALL be zero length unless
  // used for post-handshake authentication.
  if (!post_handshake && !cr.certificate_request_context.empty())
    return Error(ErrorCode::illegal_parameter,
                 "CertificateRequest during the handshake has a non-empty context");
  // RFC 8446 4.2: a known extension not specified for CertificateRequest ->
  // illegal_parameter (unknown ones are ignored, 4.3.2).
  TESSERA_TRY(wire::check_tls13_extensions(cr.extensions,
                                           wire::ExtensionContext::certificate_request));
  CertificateRequestInfo info;
  info.context = cr.certificate_request_context;
  // RFC 8446 4.3.2: the signature_algorithms extension MUST be specified.
  const auto* sa = cr.find_extension(wire::kExtSignatureAlgorithms);
  if (!sa)
    return Error(ErrorCode::missing_extension, "CertificateRequest lacks signature_algorithms");
  TESSERA_ASSIGN_OR_RETURN(auto list, wire::SignatureSchemeList::parse(sa->data));
  info.schemes = std::move(list.schemes);
  if (const auto* ca = cr.find_extension(wire::kExtCertificateAuthorities)) {
    TESSERA_ASSIGN_OR_RETURN(auto cas, wire::CertificateAuthorities::parse(ca->data));
    info.authorities = std::move(cas.authorities);
  }
  return info;
}

Result<void> check_certificate_entry_extensions(const wire::Certificate13& cert,
                                                std::string_view sender) {
  for (size_t i = 0; i < cert.certificate_list.size(); ++i) {
    const wire::Extensions& exts = cert.certificate_list[i].extensions;
    TESSERA_TRY(wire::check_tls13_extensions(exts, wire::ExtensionContext::certificate));
    // RFC 8446 4.4.2: "If an extension applies to the entire chain, it
    // SHOULD be included in the first CertificateEntry" and the extensions
    // "MUST correspond to ones from the ClientHello / CertificateRequest";
    // 4.2: a response to an extension not sent -> unsupported_extension.
    if (!exts.empty())
      return Error(ErrorCode::unsupported_extension,
                   std::string(sender) + " Certificate entry " + std::to_string(i) +
                       " carries unsolicited extension " + wire::extension_name(exts.front().type));
  }
  return ok();
}

Result<Bytes> build_certificate_request13(ByteView context, const std::vector<uint16_t>& schemes,
                                          const std::vector<Bytes>& authorities) {
  wire::CertificateRequest13 cr;
  cr.certificate_request_context.assign(context.begin(), context.end());
  cr.extensions.push_back(
      wire::make_extension(wire::kExtSignatureAlgorithms, wire::SignatureSchemeList{schemes}));
  if (!authorities.empty())
    cr.extensions.push_back(wire::make_extension(wire::kExtCertificateAuthorities,
                                                 wire::CertificateAuthorities{authorities}));
  return wire::encode_handshake(cr);
}

Result<Bytes> build_certificate13(ByteView context,
                                  const std::vector<std::vector<uint8_t>>& chain) {
  wire::Certificate13 c;
  c.certificate_request_context.assign(context.begin(), context.end());
  for (const auto& der : chain) c.certificate_list.push_back({der, {}});
  return wire::encode_handshake(c);
}

Result<Bytes> build_certificate_verify(SignatureScheme scheme, ByteView signature) {
  wire::CertificateVerify cv;
  cv.signed_data.scheme = static_cast<uint16_t>(scheme);
  cv.signed_data.signature.assign(signature.begin(), signature.end());
  return wire::encode_handshake(cv);
}

Result<Bytes> build_finished(ByteView verify_data) {
  wire::Finished f;
  f.verify_data.assign(verify_data.begin(), verify_data.end());
  return wire::encode_handshake(f);
}

Result<Bytes> build_key_update(bool request_peer) {
  wire::KeyUpdate k;
  k.request_update = request_peer ? wire::KeyUpdateRequest::update_requested
                                  : wire::KeyUpdateRequest::update_not_requested;
  return wire::encode_handshake(k);
}

Result<Bytes> build_hello_retry_request(ByteView session_id, uint16_t suite, uint16_t group,
                                        ByteView cookie) {
  wire::ServerHello hrr;
  // RFC 8446 4.1.3: the HelloRetryRequest random is the special value.
  hrr.random = wire::kHelloRetryRequestRandom;
  hrr.legacy_session_id_echo.assign(session_id.begin(), session_id.end());
  hrr.cipher_suite = suite;
  hrr.extensions.push_back(
      wire::make_extension(wire::kExtSupportedVersions, wire::SupportedVersionsServer{0x0304}));
  hrr.extensions.push_back(
      wire::make_extension(wire::kExtKeyShare, wire::KeyShareHelloRetryRequest{group}));
  hrr.extensions.push_back(
      wire::make_extension(wire::kExtCookie, wire::Cookie{Bytes(cookie.begin(), cookie.end())}));
  return wire::encode_handshake(hrr);
}

}  // namespace tessera::handshake
