// handshake/messages13.h — building and checking the TLS 1.3 messages whose
// codecs live in src/wire, with the handshake-level rules applied.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "tessera/algorithms.h"
#include "tessera/policy.h"
#include "tessera/result.h"
#include "wire/certificate.h"
#include "wire/handshake.h"

namespace tessera::handshake {

// What a CertificateRequest asked for.
struct CertificateRequestInfo {
  Bytes context;
  std::vector<uint16_t> schemes;           // signature_algorithms
  std::vector<Bytes> authorities;          // certificate_authorities (DER names), may be empty
  std::vector<uint16_t> cert_compression;  // compress_certificate (RFC 8879 3), may be empty
};

// parse_certificate_request13 decodes a CertificateRequest body.
// RFC 8446 4.3.2: signature_algorithms MUST be present (missing_extension);
// the context is empty unless post-handshake (illegal_parameter).
Result<CertificateRequestInfo> parse_certificate_request13(ByteView body, bool post_handshake);

// check_certificate_entry_extensions applies RFC 8446 4.4.2 to a received
// Certificate: an extension tessera knows that is not specified for a
// certificate entry -> illegal_parameter (4.2); one our request (ClientHello
// or CertificateRequest) did not ask for -> unsupported_extension. The only
// one tessera asks for is status_request, in a client's ClientHello when
// `status_requested`: then an entry's status_request must hold a
// CertificateStatus (RFC 8446 4.4.2.1), and the end-entity entry's OCSP
// response is returned (nullopt: none stapled). `sender` ("server" or
// "client") names the peer in the error.
Result<std::optional<Bytes>> check_certificate_entry_extensions(const wire::Certificate13& cert,
                                                                std::string_view sender,
                                                                bool status_requested = false);

// build_certificate_request13 makes a CertificateRequest; with a non-empty
// `cert_compression` it carries compress_certificate (RFC 8879 3).
Result<Bytes> build_certificate_request13(ByteView context, const std::vector<uint16_t>& schemes,
                                          const std::vector<Bytes>& authorities,
                                          const std::vector<uint16_t>& cert_compression = {});
// build_certificate13 makes a Certificate of `chain`; a non-empty
// `leaf_ocsp` is stapled to the end-entity entry (RFC 8446 4.4.2.1).
Result<Bytes> build_certificate13(ByteView context, const std::vector<std::vector<uint8_t>>& chain,
                                  ByteView leaf_ocsp = {});
Result<Bytes> build_certificate_verify(SignatureScheme scheme, ByteView signature);

// --- RFC 8879 certificate compression ------------------------------------------

// cert_compression_values is the policy's list as it goes on the wire.
std::vector<uint16_t> cert_compression_values(const Policy& policy);
// choose_cert_compression is our first algorithm that the peer listed.
std::optional<CertCompression> choose_cert_compression(const Policy& policy,
                                                       const std::vector<uint16_t>& peer);

// CompressedOwnCertificate is what to send in place of an encoded Certificate
// message (header and body).
struct CompressedOwnCertificate {
  Bytes message;        // a CompressedCertificate message, or empty: send the Certificate
  size_t uncompressed;  // the Certificate message's body length
  size_t compressed;    // the compressed bytes' length
};
// compress_own_certificate compresses `certificate_message` with `alg`
// (RFC 8879 4: its body). Certificate messages repeat from handshake to
// handshake, so the result is kept in a small process-wide cache keyed by the
// algorithm and the message's bytes; compression runs once per chain. When
// compression does not make the message smaller, `message` is empty.
Result<CompressedOwnCertificate> compress_own_certificate(CertCompression alg,
                                                          ByteView certificate_message);

// compress_if_smaller replaces `certificate_message` by a
// CompressedCertificate with `alg` (if any) when that is smaller. It returns
// the algorithm used (0: sent as it is) and a note for the trace. Compressing
// is a MAY (RFC 8879 4): if it fails, the Certificate goes as it is and the
// note says why.
struct CertificateCompressionNote {
  uint16_t used = 0;
  std::string note;  // ", compressed with brotli (1031 -> 695 bytes)", or empty
};
CertificateCompressionNote compress_if_smaller(std::optional<CertCompression> alg,
                                               Bytes& certificate_message);

// ReceivedCertificate is the body of a peer's Certificate, decompressed when
// it came as a CompressedCertificate (the transcript takes the message as
// received either way, RFC 8879 4).
struct ReceivedCertificate {
  ByteView plain;                // the body of an uncompressed Certificate (the message's bytes)
  Bytes decompressed;            // the body of a CompressedCertificate, decompressed
  uint16_t compressed_with = 0;  // the algorithm; 0 when not compressed
  size_t compressed_size = 0;
  // body is the Certificate body either way (a view taken when asked, so
  // copies and moves of this struct never point into another's buffer).
  ByteView body() const { return compressed_with ? ByteView(decompressed) : plain; }
};
// received_certificate13 takes a Certificate or a CompressedCertificate.
// For the latter (which the caller accepts only after offering compression),
// RFC 8879 4: the algorithm MUST be one we listed (illegal_parameter); the
// uncompressed length is held to limits.max_handshake_message_size, the bound
// of an uncompressed Certificate, before anything is decompressed; data that
// does not decompress to exactly that length is bad_certificate.
Result<ReceivedCertificate> received_certificate13(const wire::HandshakeMessage& m,
                                                   const Policy& policy);
Result<Bytes> build_finished(ByteView verify_data);
Result<Bytes> build_key_update(bool request_peer);
// build_hello_retry_request makes the complete HelloRetryRequest message; it
// is a pure function of its inputs, so a stateless server can rebuild it.
// ech_confirmation: an encrypted_client_hello extension holding it, for a
// server that accepted Encrypted Client Hello (draft-ietf-tls-esni 7.2.1).
Result<Bytes> build_hello_retry_request(
    ByteView session_id, uint16_t suite, uint16_t group, ByteView cookie,
    const std::optional<std::array<uint8_t, 8>>& ech_confirmation = std::nullopt);

}  // namespace tessera::handshake
