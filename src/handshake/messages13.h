// handshake/messages13.h — building and checking the TLS 1.3 messages whose
// codecs live in src/wire, with the handshake-level rules applied.
#pragma once

#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "tessera/algorithms.h"
#include "tessera/result.h"
#include "wire/certificate.h"

namespace tessera::handshake {

// What a CertificateRequest asked for.
struct CertificateRequestInfo {
  Bytes context;
  std::vector<uint16_t> schemes;   // signature_algorithms
  std::vector<Bytes> authorities;  // certificate_authorities (DER names), may be empty
};

// parse_certificate_request13 decodes a CertificateRequest body.
// RFC 8446 4.3.2: signature_algorithms MUST be present (missing_extension);
// the context is empty unless post-handshake (illegal_parameter).
Result<CertificateRequestInfo> parse_certificate_request13(ByteView body, bool post_handshake);

// check_certificate_entry_extensions applies RFC 8446 4.4.2 to a received
// Certificate whose request (ClientHello or CertificateRequest) asked for no
// per-entry extension, as tessera's never do: an extension tessera knows that
// is not specified for a certificate entry -> illegal_parameter (4.2); any
// other (status_request, signed_certificate_timestamp, an unknown type) is
// unsolicited -> unsupported_extension. `sender` ("server" or "client")
// names the peer in the error.
Result<void> check_certificate_entry_extensions(const wire::Certificate13& cert,
                                                std::string_view sender);

Result<Bytes> build_certificate_request13(ByteView context, const std::vector<uint16_t>& schemes,
                                          const std::vector<Bytes>& authorities);
Result<Bytes> build_certificate13(ByteView context, const std::vector<std::vector<uint8_t>>& chain);
Result<Bytes> build_certificate_verify(SignatureScheme scheme, ByteView signature);
Result<Bytes> build_finished(ByteView verify_data);
Result<Bytes> build_key_update(bool request_peer);
// build_hello_retry_request makes the complete HelloRetryRequest message; it
// is a pure function of its inputs, so a stateless server can rebuild it.
Result<Bytes> build_hello_retry_request(ByteView session_id, uint16_t suite, uint16_t group,
                                        ByteView cookie);

}  // namespace tessera::handshake
