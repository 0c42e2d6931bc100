// fuzz/fuzz_x509.cc — X.509 certificate parsing (RFC 5280 4.1) and the
// accessors the verifier uses on a parsed certificate; also the CRL parser
// (RFC 5280 5.1), the OCSP response parser (RFC 6960 4.2.1) and Name parsing
// on the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/name.h"
#include "x509/ocsp.h"

using namespace tessera;
using namespace tessera::x509;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView der(data, size);
  auto cert = Certificate::parse(der);
  if (cert.ok()) {
    if (cert->der().size() != size) std::abort();
    if (cert->tbs().size() >= size) std::abort();
    (void)cert->serial_hex();
    (void)cert->subject().to_string();
    (void)cert->issuer().to_string();
    (void)cert->is_self_issued();
    (void)cert->is_ca();
    (void)parse_subject_public_key_info(cert->spki_der());
    // The subject and issuer keep their DER; it must parse on its own.
    if (!Name::parse(cert->subject().der()).ok()) std::abort();
    if (!Name::parse(cert->issuer().der()).ok()) std::abort();
  }
  auto crl = Crl::parse(der);
  if (crl.ok()) {
    // The serial index finds every entry (one with an equal serial).
    for (const RevokedCertificate& r : crl->revoked()) {
      const RevokedCertificate* found = crl->find_revoked(r.serial);
      if (found == nullptr || found->serial != r.serial) std::abort();
    }
  }
  auto ocsp = OcspResponse::parse(der);
  if (ocsp.ok()) {
    if (ocsp->der().size() != size) std::abort();
    if (ocsp->tbs().size() >= size) std::abort();
    if (ocsp->responder_name().has_value() == ocsp->responder_key_hash().has_value()) std::abort();
    if (ocsp->responses().empty()) std::abort();
    if (ocsp->responder_name()) (void)ocsp->responder_name()->to_string();
    (void)ocsp->produced_at();
    (void)ocsp->signature_algorithm();
    (void)ocsp->signature();
    (void)ocsp->nonce();
    (void)ocsp->has_unknown_critical_extension();
    for (const OcspSingleResponse& s : ocsp->responses()) {
      (void)ocsp_status_name(s.status);
      if (s.issuer_name_hash.size() != hash_length(s.hash)) std::abort();
      if (s.status != OcspCertStatus::revoked && (s.reason || s.revocation_time != 0)) std::abort();
    }
    for (const Certificate& c : ocsp->certs()) (void)c.subject().to_string();
  } else if (ocsp.error().code() != ErrorCode::cert_status_invalid) {
    std::abort();  // every OCSP parse error is cert_status_invalid
  }
  auto name = Name::parse(der);
  if (name.ok()) (void)name->to_string();
  return 0;
}
