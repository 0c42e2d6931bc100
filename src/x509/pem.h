// x509/pem.h — PEM (RFC 7468) decoding and encoding, and a strict base64.
//
// Decoding follows what OpenSSL accepts in practice: any text outside
// "-----BEGIN <label>-----" / "-----END <label>-----" pairs is ignored
// (comments, `openssl x509 -text` output, blank lines); inside a block the
// base64 body is strict: only the base64 alphabet, '=' padding only at the
// end, line breaks (LF or CRLF) and trailing spaces/tabs on a line tolerated,
// RFC 1421 style headers ("Proc-Type: ...") refused; the END label must match
// the BEGIN label. Encrypted PEM keys are therefore refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/secret.h"
#include "tessera/result.h"

namespace tessera::x509 {

namespace pem_label {
inline constexpr std::string_view kCertificate = "CERTIFICATE";
inline constexpr std::string_view kCrl = "X509 CRL";
inline constexpr std::string_view kPrivateKey = "PRIVATE KEY";
inline constexpr std::string_view kEcPrivateKey = "EC PRIVATE KEY";
inline constexpr std::string_view kRsaPrivateKey = "RSA PRIVATE KEY";
inline constexpr std::string_view kPublicKey = "PUBLIC KEY";
inline constexpr std::string_view kCertificateRequest = "CERTIFICATE REQUEST";
}  // namespace pem_label

struct PemBlock {
  std::string label;
  Bytes der;
};

// pem_decode returns every PEM block of `text` in order, whatever its label.
// An empty vector when there is none. cert_parse for a malformed block
// (unterminated, mismatched END label, bad base64), naming the block's line.
// Private key blocks come back as plain Bytes: to load a key pass the PEM
// text to crypto::Provider::load_private_key, or use pem_decode_secret.
Result<std::vector<PemBlock>> pem_decode(std::string_view text);

// pem_decode_label returns the DER of every block labelled `label`, ignoring
// (and wiping once decoded) blocks with other labels.
Result<std::vector<Bytes>> pem_decode_label(std::string_view text, std::string_view label);

// pem_decode_secret returns the DER of the first block labelled `label` as
// SecretBytes (for private keys); cert_parse if there is none.
Result<SecretBytes> pem_decode_secret(std::string_view text, std::string_view label);

// looks_like_pem is true iff text contains "-----BEGIN ".
bool looks_like_pem(std::string_view text);

// pem_encode writes one block: "-----BEGIN label-----\n", base64 of der in
// 64-column lines, "-----END label-----\n".
std::string pem_encode(std::string_view label, ByteView der);

// base64_encode writes standard base64 (RFC 4648 4) with '=' padding, no
// line breaks.
std::string base64_encode(ByteView data);
// base64_decode reads standard base64 strictly: length a multiple of 4,
// padding only at the end, unused bits of the last group zero, no whitespace.
// cert_parse otherwise.
Result<Bytes> base64_decode(std::string_view text);

}  // namespace tessera::x509
