#include "wire/certificate.h"

#include <string>

namespace tessera::wire {

namespace {

constexpr size_t kMax24 = 0xFFFFFF;

// entry_error names the certificate_list entry a read failed in
// ("certificate_list[1] cert_data: ..."). The index is formatted for an
// error only, not for every entry read.
Error entry_error(const Error& e, size_t index) {
  return Error(e.code(), e.alert(),
               "certificate_list[" + std::to_string(index) + "] " + e.message());
}

}  // namespace

// --- TLS 1.3 Certificate -----------------------------------------------------------

Result<Certificate13> Certificate13::parse(ByteView body) {
  return parse_all(body, "Certificate", [](ByteReader& r) -> Result<Certificate13> {
    Certificate13 out;
    // RFC 8446 4.4.2: opaque certificate_request_context<0..2^8-1>;
    TESSERA_ASSIGN_OR_RETURN(out.certificate_request_context,
                             read_opaque(r, 1, 0, 255, "certificate_request_context"));
    // RFC 8446 4.4.2: CertificateEntry certificate_list<0..2^24-1>;
    TESSERA_ASSIGN_OR_RETURN(ByteReader list, read_vector(r, 3, 0, kMax24, "certificate_list"));
    while (!list.empty()) {
      // The entry's index is named only in an error (not formatted per entry).
      const size_t index = out.certificate_list.size();
      CertificateEntry e;
      // RFC 8446 4.4.2: opaque cert_data<1..2^24-1>;
      auto data = read_opaque(list, 3, 1, kMax24, "cert_data");
      if (!data.ok()) return entry_error(data.error(), index);
      e.cert_data = std::move(data).value();
      // RFC 8446 4.4.2: Extension extensions<0..2^16-1>;
      auto extensions = read_extensions(list, 0, 0xFFFF, "");
      if (!extensions.ok()) return entry_error(extensions.error(), index);
      e.extensions = std::move(extensions).value();
      out.certificate_list.push_back(std::move(e));
    }
    return out;
  });
}

void Certificate13::serialize(ByteWriter& w) const {
  w.prefixed_bytes(1, certificate_request_context);
  w.prefixed<3>([&](ByteWriter& list) {
    for (const CertificateEntry& e : certificate_list) {
      list.prefixed_bytes(3, e.cert_data);
      write_extensions(list, e.extensions);
    }
  });
}

// --- CompressedCertificate (RFC 8879 4) ---------------------------------------------

Result<CompressedCertificate> CompressedCertificate::parse(ByteView body) {
  return parse_all(
      body, "CompressedCertificate", [](ByteReader& r) -> Result<CompressedCertificate> {
        CompressedCertificate out;
        // RFC 8879 4: CertificateCompressionAlgorithm algorithm;
        TESSERA_ASSIGN_OR_RETURN(out.algorithm, field_context(r.read_u16(), "algorithm"));
        // RFC 8879 4: uint24 uncompressed_length;
        TESSERA_ASSIGN_OR_RETURN(out.uncompressed_length,
                                 field_context(r.read_u24(), "uncompressed_length"));
        // RFC 8879 4: opaque compressed_certificate_message<1..2^24-1>;
        TESSERA_ASSIGN_OR_RETURN(out.compressed,
                                 read_opaque(r, 3, 1, kMax24, "compressed_certificate_message"));
        return out;
      });
}

void CompressedCertificate::serialize(ByteWriter& w) const {
  w.u16(algorithm);
  w.u24(uncompressed_length);
  w.prefixed_bytes(3, compressed);
}

// --- CertificateStatus (RFC 6066 8) ---------------------------------------------------

Result<CertificateStatus> CertificateStatus::parse(ByteView body) {
  return parse_all(body, "CertificateStatus", [](ByteReader& r) -> Result<CertificateStatus> {
    CertificateStatus out;
    // RFC 6066 8: CertificateStatusType status_type; enum { ocsp(1), (255) }.
    TESSERA_ASSIGN_OR_RETURN(out.status_type, field_context(r.read_u8(), "status_type"));
    if (out.status_type != kOcsp)
      return Error(ErrorCode::illegal_parameter, AlertDescription::illegal_parameter,
                   "CertificateStatus status_type " + std::to_string(out.status_type) +
                       " is not ocsp(1), the only type requested");
    // RFC 6066 8: opaque OCSPResponse<1..2^24-1>;
    TESSERA_ASSIGN_OR_RETURN(out.ocsp_response, read_opaque(r, 3, 1, kMax24, "OCSPResponse"));
    return out;
  });
}

void CertificateStatus::serialize(ByteWriter& w) const {
  w.u8(status_type);
  w.prefixed_bytes(3, ocsp_response);
}

// --- TLS 1.2 Certificate ---------------------------------------------------------------

Result<Certificate12> Certificate12::parse(ByteView body) {
  return parse_all(body, "Certificate", [](ByteReader& r) -> Result<Certificate12> {
    Certificate12 out;
    // RFC 5246 7.4.2: ASN.1Cert certificate_list<0..2^24-1>;
    TESSERA_ASSIGN_OR_RETURN(ByteReader list, read_vector(r, 3, 0, kMax24, "certificate_list"));
    while (!list.empty()) {
      // RFC 5246 7.4.2: opaque ASN.1Cert<1..2^24-1>;
      auto cert = read_opaque(list, 3, 1, kMax24, "ASN.1Cert");
      if (!cert.ok()) return entry_error(cert.error(), out.certificate_list.size());
      out.certificate_list.push_back(std::move(cert).value());
    }
    return out;
  });
}

void Certificate12::serialize(ByteWriter& w) const {
  w.prefixed<3>([&](ByteWriter& list) {
    for (const Bytes& c : certificate_list) list.prefixed_bytes(3, c);
  });
}

// --- TLS 1.3 CertificateRequest ----------------------------------------------------------

Result<CertificateRequest13> CertificateRequest13::parse(ByteView body) {
  return parse_all(body, "CertificateRequest", [](ByteReader& r) -> Result<CertificateRequest13> {
    CertificateRequest13 out;
    // RFC 8446 4.3.2: opaque certificate_request_context<0..2^8-1>;
    TESSERA_ASSIGN_OR_RETURN(out.certificate_request_context,
                             read_opaque(r, 1, 0, 255, "certificate_request_context"));
    // RFC 8446 4.3.2: Extension extensions<2..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(out.extensions, read_extensions(r, 2, 0xFFFF, ""));
    // RFC 8446 4.3.2: The "signature_algorithms" extension MUST be specified.
    TESSERA_TRY(out.signature_algorithms());
    return out;
  });
}

void CertificateRequest13::serialize(ByteWriter& w) const {
  w.prefixed_bytes(1, certificate_request_context);
  write_extensions(w, extensions);
}

Result<SignatureSchemeList> CertificateRequest13::signature_algorithms() const {
  const Extension* e = find_extension(kExtSignatureAlgorithms);
  if (e == nullptr) {
    return Error(ErrorCode::missing_extension, AlertDescription::missing_extension,
                 "the required signature_algorithms extension is missing");
  }
  return SignatureSchemeList::parse(e->data);
}

// --- TLS 1.2 CertificateRequest --------------------------------------------------------------

Result<CertificateRequest12> CertificateRequest12::parse(ByteView body) {
  return parse_all(body, "CertificateRequest", [](ByteReader& r) -> Result<CertificateRequest12> {
    CertificateRequest12 out;
    // RFC 5246 7.4.4: ClientCertificateType certificate_types<1..2^8-1>;
    TESSERA_ASSIGN_OR_RETURN(out.certificate_types,
                             read_u8_list(r, 1, 1, 255, "certificate_types"));
    // RFC 5246 7.4.4: SignatureAndHashAlgorithm
    //   supported_signature_algorithms<2..2^16-2>;
    TESSERA_ASSIGN_OR_RETURN(out.supported_signature_algorithms,
                             read_u16_list(r, 2, 2, 0xFFFE, "supported_signature_algorithms"));
    // RFC 5246 7.4.4: DistinguishedName certificate_authorities<0..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(out.certificate_authorities,
                             read_distinguished_names(r, 0, "certificate_authorities"));
    return out;
  });
}

void CertificateRequest12::serialize(ByteWriter& w) const {
  w.prefixed_bytes(1, certificate_types);
  write_u16_list(w, 2, supported_signature_algorithms);
  write_distinguished_names(w, certificate_authorities);
}

}  // namespace tessera::wire
