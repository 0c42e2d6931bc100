#include "x509/crl.h"

#include <algorithm>
#include <string>

#include "x509/der.h"
#include "x509/pem.h"

namespace tessera::x509 {

namespace {
// serial_less orders serial numbers (INTEGER content octets) by length, then
// bytes: any strict order serves the index, and equal means the same number.
bool serial_less(ByteView a, ByteView b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}
}  // namespace

std::string crl_reason_name(CrlReason r) {
  switch (r) {
    case CrlReason::unspecified: return "unspecified";
    case CrlReason::key_compromise: return "keyCompromise";
    case CrlReason::ca_compromise: return "cACompromise";
    case CrlReason::affiliation_changed: return "affiliationChanged";
    case CrlReason::superseded: return "superseded";
    case CrlReason::cessation_of_operation: return "cessationOfOperation";
    case CrlReason::certificate_hold: return "certificateHold";
    case CrlReason::remove_from_crl: return "removeFromCRL";
    case CrlReason::privilege_withdrawn: return "privilegeWithdrawn";
    case CrlReason::aa_compromise: return "aACompromise";
  }
  return "unknown";
}

Result<Crl> Crl::parse(ByteView der) {
  // RFC 5280 5.1: CertificateList ::= SEQUENCE { tbsCertList TBSCertList,
  // signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }.
  DerReader outer(der);
  TESSERA_ASSIGN_OR_RETURN(DerReader list, with_field(outer.read_sequence(), "CertificateList"));
  TESSERA_TRY(with_field(outer.expect_end(), "CertificateList"));
  Crl crl;
  crl.der_.assign(der.begin(), der.end());
  TESSERA_ASSIGN_OR_RETURN(DerElement tbs_el,
                           with_field(list.read_element(tag::kSequence), "tbsCertList"));
  crl.tbs_offset_ = static_cast<size_t>(tbs_el.encoded.data() - der.data());
  crl.tbs_length_ = tbs_el.encoded.size();
  TESSERA_ASSIGN_OR_RETURN(DerElement alg_el,
                           with_field(list.read_element(tag::kSequence), "signatureAlgorithm"));
  TESSERA_ASSIGN_OR_RETURN(
      crl.signature_algorithm_,
      with_field(parse_signature_algorithm(alg_el.encoded), "signatureAlgorithm"));
  TESSERA_ASSIGN_OR_RETURN(BitString sig, with_field(list.read_bit_string(), "signatureValue"));
  if (sig.unused_bits != 0) return der_error("signatureValue: unused bits in a signature");
  crl.signature_.assign(sig.bytes.begin(), sig.bytes.end());
  TESSERA_TRY(with_field(list.expect_end(), "CertificateList"));

  // TBSCertList ::= SEQUENCE { version Version OPTIONAL (v2 if present),
  // signature, issuer, thisUpdate, nextUpdate OPTIONAL,
  // revokedCertificates SEQUENCE OF SEQUENCE { userCertificate, revocationDate,
  // crlEntryExtensions OPTIONAL } OPTIONAL, crlExtensions [0] EXPLICIT OPTIONAL }
  DerReader tbs(tbs_el.content, 1);
  if (tbs.next_is(tag::kInteger)) {
    TESSERA_ASSIGN_OR_RETURN(uint64_t v,
                             with_field(tbs.read_small_nonnegative(1), "tbsCertList.version"));
    // RFC 5280 5.1.2.1: this field MUST be present and v2 when extensions are used
    // (and it is only ever present as v2).
    if (v != 1) return der_error("tbsCertList.version: must be v2 when present");
    crl.version_ = 2;
  }
  TESSERA_ASSIGN_OR_RETURN(DerElement inner_el,
                           with_field(tbs.read_element(tag::kSequence), "tbsCertList.signature"));
  // RFC 5280 5.1.1.2: signatureAlgorithm MUST contain the same algorithm
  // identifier as the signature field in the sequence tbsCertList.
  if (!std::equal(inner_el.encoded.begin(), inner_el.encoded.end(),
                  crl.signature_algorithm_.encoded.begin(),
                  crl.signature_algorithm_.encoded.end())) {
    return der_error("signatureAlgorithm differs from tbsCertList.signature");
  }
  TESSERA_ASSIGN_OR_RETURN(DerElement issuer,
                           with_field(tbs.read_element(tag::kSequence), "tbsCertList.issuer"));
  TESSERA_ASSIGN_OR_RETURN(crl.issuer_,
                           with_field(Name::parse(issuer.encoded), "tbsCertList.issuer"));
  // RFC 5280 5.1.2.3: The issuer field MUST contain a non-empty X.500
  // distinguished name (DN).
  if (crl.issuer_.empty()) return der_error("tbsCertList.issuer: empty name");
  TESSERA_ASSIGN_OR_RETURN(crl.this_update_, with_field(tbs.read_time(), "tbsCertList.thisUpdate"));
  if (tbs.next_is(tag::kUtcTime) || tbs.next_is(tag::kGeneralizedTime)) {
    TESSERA_ASSIGN_OR_RETURN(UnixTime next, with_field(tbs.read_time(), "tbsCertList.nextUpdate"));
    crl.next_update_ = next;
  }
  // RFC 5280 5.2 / 5.3: CRL and entry extensions, in the certificate's
  // Extensions syntax (parse_extension_list: non-empty, DER BOOLEAN, no
  // extension twice).
  auto read_extensions = [&](ByteView exts_der, const std::string& where, bool entry,
                             RevokedCertificate* rc) -> Result<void> {
    TESSERA_ASSIGN_OR_RETURN(std::vector<ExtensionInfo> exts,
                             with_field(parse_extension_list(exts_der), where));
    for (const ExtensionInfo& e : exts) {
      const Oid& oid = e.oid;
      const bool critical = e.critical;
      const ByteView value = e.value;
      const std::string field = where + "." + oid_name(oid);
      DerReader v(value);
      if (!entry && oid == oids::kCrlNumber) {
        // RFC 5280 5.2.3: CRLNumber ::= INTEGER (0..MAX), at most 20 octets.
        TESSERA_ASSIGN_OR_RETURN(ByteView n, with_field(v.read_integer(), field));
        if (n[0] & 0x80) return der_error(field + ": negative CRL number");
        crl.crl_number_ = Bytes(n.begin(), n.end());
      } else if (!entry && oid == oids::kAuthorityKeyIdentifier) {
        TESSERA_ASSIGN_OR_RETURN(AuthorityKeyIdentifier aki,
                                 with_field(parse_authority_key_identifier(value), field));
        crl.authority_key_id_ = aki.key_id;
        continue;
      } else if (!entry && oid == oids::kIssuingDistributionPoint) {
        // RFC 5280 5.2.5: the CRL covers part of the issuer's certificates
        // (6.3.3 (b)(2): its scope applies whether or not the extension is
        // marked critical). Not interpreted: the verifier does not use it.
        crl.has_issuing_distribution_point_ = true;
        continue;
      } else if (!entry && oid == oids::kDeltaCrlIndicator) {
        TESSERA_TRY(with_field(v.read_integer(), field));
        crl.is_delta_ = true;
      } else if (entry && oid == oids::kCrlReason) {
        // RFC 5280 5.3.1: CRLReason ::= ENUMERATED; value 7 is not used.
        TESSERA_ASSIGN_OR_RETURN(uint8_t reason, with_field(v.read_enumerated(), field));
        if (reason == 7 || reason > 10) {
          return der_error(field + ": unknown reason code " + std::to_string(reason));
        }
        rc->reason = static_cast<CrlReason>(reason);
        if (rc->reason == CrlReason::remove_from_crl) crl.lists_remove_from_crl_ = true;
      } else if (entry && oid == oids::kInvalidityDate) {
        // RFC 5280 5.3.2: GeneralizedTime; not used by tessera.
        TESSERA_TRY(with_field(v.read_element(tag::kGeneralizedTime), field));
      } else {
        if (critical) crl.has_unknown_critical_extension_ = true;
        continue;
      }
      TESSERA_TRY(with_field(v.expect_end(), field));
    }
    return ok();
  };
  TESSERA_ASSIGN_OR_RETURN(
      std::optional<DerReader> revoked,
      with_field(tbs.read_optional_constructed(tag::kSequence), "tbsCertList.revokedCertificates"));
  if (revoked) {
    while (!revoked->empty()) {
      std::string where =
          "tbsCertList.revokedCertificates[" + std::to_string(crl.revoked_.size()) + "]";
      TESSERA_ASSIGN_OR_RETURN(DerReader entry, with_field(revoked->read_sequence(), where));
      RevokedCertificate rc;
      TESSERA_ASSIGN_OR_RETURN(ByteView serial,
                               with_field(entry.read_integer(), where + ".userCertificate"));
      rc.serial.assign(serial.begin(), serial.end());
      TESSERA_ASSIGN_OR_RETURN(rc.revocation_date,
                               with_field(entry.read_time(), where + ".revocationDate"));
      if (!entry.empty()) {
        if (crl.version_ != 2) return der_error(where + ": entry extensions require a v2 CRL");
        TESSERA_ASSIGN_OR_RETURN(DerElement exts,
                                 with_field(entry.read_any(), where + ".crlEntryExtensions"));
        TESSERA_TRY(read_extensions(exts.encoded, where + ".crlEntryExtensions", true, &rc));
      }
      TESSERA_TRY(with_field(entry.expect_end(), where));
      crl.revoked_.push_back(std::move(rc));
    }
  }
  TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> exts_wrapper,
                           with_field(tbs.read_optional_constructed(tag::context_constructed(0)),
                                      "tbsCertList.crlExtensions"));
  if (exts_wrapper) {
    if (crl.version_ != 2) return der_error("tbsCertList.crlExtensions: require a v2 CRL");
    TESSERA_ASSIGN_OR_RETURN(DerElement exts,
                             with_field(exts_wrapper->read_any(), "tbsCertList.crlExtensions"));
    TESSERA_TRY(with_field(exts_wrapper->expect_end(), "tbsCertList.crlExtensions"));
    TESSERA_TRY(read_extensions(exts.encoded, "tbsCertList.crlExtensions", false, nullptr));
  }
  TESSERA_TRY(with_field(tbs.expect_end(), "tbsCertList"));
  // The lookup index: entries by serial, so a handshake's lookup in a CRL of
  // many thousand entries is a binary search.
  crl.by_serial_.resize(crl.revoked_.size());
  for (size_t i = 0; i < crl.by_serial_.size(); ++i) crl.by_serial_[i] = i;
  std::stable_sort(crl.by_serial_.begin(), crl.by_serial_.end(), [&crl](size_t a, size_t b) {
    return serial_less(crl.revoked_[a].serial, crl.revoked_[b].serial);
  });
  return crl;
}

const RevokedCertificate* Crl::find_revoked(ByteView serial) const {
  auto it =
      std::lower_bound(by_serial_.begin(), by_serial_.end(), serial,
                       [this](size_t i, ByteView s) { return serial_less(revoked_[i].serial, s); });
  if (it == by_serial_.end()) return nullptr;
  const Bytes& found = revoked_[*it].serial;
  return std::equal(found.begin(), found.end(), serial.begin(), serial.end()) ? &revoked_[*it]
                                                                              : nullptr;
}

void CrlSet::add(Crl crl) { crls_.push_back(std::move(crl)); }

Result<size_t> CrlSet::add_pem(ByteView pem_or_der) {
  std::string_view text(reinterpret_cast<const char*>(pem_or_der.data()), pem_or_der.size());
  std::vector<Bytes> blocks;
  if (looks_like_pem(text)) {
    TESSERA_ASSIGN_OR_RETURN(blocks, pem_decode_label(text, pem_label::kCrl));
    if (blocks.empty()) return Error(ErrorCode::cert_parse, "no X509 CRL block in the PEM text");
  } else {
    blocks.emplace_back(pem_or_der.begin(), pem_or_der.end());
  }
  std::vector<Crl> parsed;
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto crl = Crl::parse(blocks[i]);
    if (!crl.ok()) return std::move(crl).error().with_context("CRL " + std::to_string(i + 1));
    parsed.push_back(std::move(*crl));
  }
  for (Crl& c : parsed) crls_.push_back(std::move(c));
  return parsed.size();
}

bool CrlSet::verified_with(size_t index, ByteView issuer_spki) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::any_of(verified_.begin(), verified_.end(), [&](const auto& v) {
    return v.first == index &&
           std::equal(v.second.begin(), v.second.end(), issuer_spki.begin(), issuer_spki.end());
  });
}

bool CrlSet::verified_by_any(size_t index) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::any_of(verified_.begin(), verified_.end(),
                     [&](const auto& v) { return v.first == index; });
}

void CrlSet::remember_verified(size_t index, ByteView issuer_spki) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (verified_.size() >= kMaxRemembered) verified_.erase(verified_.begin());
  verified_.emplace_back(index, Bytes(issuer_spki.begin(), issuer_spki.end()));
}

}  // namespace tessera::x509
