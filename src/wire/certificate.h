// wire/certificate.h — Certificate and CertificateRequest, TLS 1.3
// (RFC 8446 4.4.2, 4.3.2) and TLS 1.2 (RFC 5246 7.4.2, 7.4.4) forms.
//
// TLS 1.3:
//   struct {
//       opaque cert_data<1..2^24-1>;          /* X.509 only */
//       Extension extensions<0..2^16-1>;
//   } CertificateEntry;
//   struct {
//       opaque certificate_request_context<0..2^8-1>;
//       CertificateEntry certificate_list<0..2^24-1>;
//   } Certificate;
//   struct {
//       opaque certificate_request_context<0..2^8-1>;
//       Extension extensions<2..2^16-1>;
//   } CertificateRequest;
//
// TLS 1.2:
//   opaque ASN.1Cert<1..2^24-1>;
//   struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
//   struct {
//       ClientCertificateType certificate_types<1..2^8-1>;
//       SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
//       DistinguishedName certificate_authorities<0..2^16-1>;
//   } CertificateRequest;
//
// Certificates stay opaque DER here; the x509 layer parses them. The first
// certificate is the end-entity one.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "wire/extensions.h"
#include "wire/handshake.h"

namespace tessera::wire {

struct CertificateEntry {
  Bytes cert_data;        // DER, <1..2^24-1>
  Extensions extensions;  // per-certificate (status_request, SCT, ...)

  friend bool operator==(const CertificateEntry&, const CertificateEntry&) = default;
};

// Certificate13 is the TLS 1.3 Certificate message.
struct Certificate13 {
  static constexpr HandshakeType kType = HandshakeType::certificate;

  Bytes certificate_request_context;  // <0..255>; empty for server certificates
  std::vector<CertificateEntry> certificate_list;

  // parse decodes the body; decode_* on bad lengths or trailing bytes (the
  // message names the entry), illegal_parameter on a duplicated extension
  // within one entry.
  static Result<Certificate13> parse(ByteView body);
  void serialize(ByteWriter& w) const;
};

// Certificate12 is the TLS 1.2 Certificate message.
struct Certificate12 {
  static constexpr HandshakeType kType = HandshakeType::certificate;

  std::vector<Bytes> certificate_list;  // each DER, <1..2^24-1>

  static Result<Certificate12> parse(ByteView body);
  void serialize(ByteWriter& w) const;
};

// CompressedCertificate replaces a TLS 1.3 Certificate when the peer offered
// compress_certificate (RFC 8879 4):
//   struct {
//        CertificateCompressionAlgorithm algorithm;
//        uint24 uncompressed_length;
//        opaque compressed_certificate_message<1..2^24-1>;
//   } CompressedCertificate;
// The compressed bytes are those of the Certificate message's body (without
// its 4-byte handshake header), as BoringSSL, OpenSSL and GnuTLS send it.
struct CompressedCertificate {
  static constexpr HandshakeType kType = HandshakeType::compressed_certificate;

  uint16_t algorithm = 0;
  uint32_t uncompressed_length = 0;  // < 2^24
  Bytes compressed;                  // <1..2^24-1>

  // parse decodes the body; decode_* on bad lengths or trailing bytes. The
  // algorithm and the lengths are the handshake's to judge.
  static Result<CompressedCertificate> parse(ByteView body);
  void serialize(ByteWriter& w) const;
};

// CertificateStatus (RFC 6066 8) carries a stapled OCSP response: in TLS
// 1.2 as the certificate_status handshake message after Certificate, in TLS
// 1.3 as the body of the status_request extension of the CertificateEntry it
// is about (RFC 8446 4.4.2.1).
//   struct {
//       CertificateStatusType status_type;     /* ocsp(1) */
//       select (status_type) {
//           case ocsp: OCSPResponse;
//       } response;
//   } CertificateStatus;
//   opaque OCSPResponse<1..2^24-1>;
// The response stays opaque DER here; x509/ocsp.h parses and checks it.
struct CertificateStatus {
  static constexpr HandshakeType kType = HandshakeType::certificate_status;
  static constexpr uint8_t kOcsp = 1;

  uint8_t status_type = kOcsp;
  Bytes ocsp_response;  // DER OCSPResponse, <1..2^24-1>

  // parse decodes the body; decode_* on bad lengths or trailing bytes,
  // illegal_parameter for a status_type other than ocsp(1) (the only one
  // there is to request, RFC 6066 8).
  static Result<CertificateStatus> parse(ByteView body);
  void serialize(ByteWriter& w) const;
};

// CertificateRequest13 is the TLS 1.3 CertificateRequest.
struct CertificateRequest13 {
  static constexpr HandshakeType kType = HandshakeType::certificate_request;

  Bytes certificate_request_context;  // <0..255>
  Extensions extensions;              // must contain signature_algorithms

  // parse decodes the body; decode_* on bad lengths or trailing bytes,
  // illegal_parameter on a duplicated extension, missing_extension without
  // signature_algorithms, and the extension's own error if it is malformed.
  static Result<CertificateRequest13> parse(ByteView body);
  void serialize(ByteWriter& w) const;

  const Extension* find_extension(uint16_t type) const {
    return wire::find_extension(extensions, type);
  }
  // signature_algorithms decodes the (required) signature_algorithms
  // extension; missing_extension if absent.
  Result<SignatureSchemeList> signature_algorithms() const;
};

// RFC 5246 7.4.4 / RFC 8422 5.5: ClientCertificateType values we use.
inline constexpr uint8_t kClientCertTypeRsaSign = 1;
inline constexpr uint8_t kClientCertTypeEcdsaSign = 64;

// CertificateRequest12 is the TLS 1.2 CertificateRequest.
struct CertificateRequest12 {
  static constexpr HandshakeType kType = HandshakeType::certificate_request;

  std::vector<uint8_t> certificate_types;                // <1..2^8-1>, unknown values kept
  std::vector<uint16_t> supported_signature_algorithms;  // <2..2^16-2>
  std::vector<Bytes> certificate_authorities;            // DER DistinguishedNames, <0..2^16-1>

  static Result<CertificateRequest12> parse(ByteView body);
  void serialize(ByteWriter& w) const;
};

}  // namespace tessera::wire
