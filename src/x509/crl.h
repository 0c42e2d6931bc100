// x509/crl.h — X.509 v2 certificate revocation lists (RFC 5280 5).
//
// Crl::parse reads a DER CertificateList strictly (DER rules of der.h,
// signatureAlgorithm identical to tbsCertList.signature, version v2 when
// extensions are present). Checking the CRL's signature and freshness is the
// verifier's job: use verify_signature (certificate.h) with tbs(),
// signature_algorithm() and signature().
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "tessera/result.h"
#include "x509/certificate.h"
#include "x509/name.h"
#include "x509/time.h"

namespace tessera::x509 {

// RFC 5280 5.3.1: CRLReason.
enum class CrlReason : uint8_t {
  unspecified = 0,
  key_compromise = 1,
  ca_compromise = 2,
  affiliation_changed = 3,
  superseded = 4,
  cessation_of_operation = 5,
  certificate_hold = 6,
  remove_from_crl = 8,
  privilege_withdrawn = 9,
  aa_compromise = 10,
};

// crl_reason_name returns the RFC 5280 5.3.1 name of a reason
// ("keyCompromise", "cACompromise", ...).
std::string crl_reason_name(CrlReason r);

struct RevokedCertificate {
  Bytes serial;  // INTEGER content octets, as in Certificate::serial()
  UnixTime revocation_date = 0;
  std::optional<CrlReason> reason;
};

class Crl {
 public:
  Crl() = default;

  // parse reads one CRL; `der` must be exactly one CertificateList.
  // cert_parse naming the field on any violation. An unknown critical CRL or
  // CRL entry extension (anything but cRLNumber, authorityKeyIdentifier,
  // deltaCRLIndicator, cRLReason, invalidityDate) sets
  // has_unknown_critical_extension: RFC 5280 5.2 says such a CRL cannot be
  // used to decide revocation, which the verifier enforces. Duplicate
  // extensions are rejected.
  static Result<Crl> parse(ByteView der);

  ByteView der() const { return der_; }
  ByteView tbs() const { return ByteView(der_).subspan(tbs_offset_, tbs_length_); }
  int version() const { return version_; }  // 1 or 2
  const SignatureAlgorithm& signature_algorithm() const { return signature_algorithm_; }
  ByteView signature() const { return signature_; }
  const Name& issuer() const { return issuer_; }
  UnixTime this_update() const { return this_update_; }
  std::optional<UnixTime> next_update() const { return next_update_; }
  const std::vector<RevokedCertificate>& revoked() const { return revoked_; }
  std::optional<Bytes> crl_number() const { return crl_number_; }
  const std::optional<Bytes>& authority_key_id() const { return authority_key_id_; }
  // is_delta is true if the CRL carries a deltaCRLIndicator.
  bool is_delta() const { return is_delta_; }
  // lists_remove_from_crl is true if an entry has reason removeFromCRL,
  // which RFC 5280 5.3.1 allows only in delta CRLs: such an entry un-revokes
  // a certificate a base CRL listed, so a complete CRL carrying one is
  // inconsistent and the verifier does not use it.
  bool lists_remove_from_crl() const { return lists_remove_from_crl_; }
  bool has_unknown_critical_extension() const { return has_unknown_critical_extension_; }
  // has_issuing_distribution_point: the CRL has an issuingDistributionPoint
  // (RFC 5280 5.2.5), critical or not: it may cover only some of the
  // issuer's certificates, so the verifier does not use it.
  bool has_issuing_distribution_point() const { return has_issuing_distribution_point_; }

  // find_revoked returns the entry for a serial (INTEGER content octets, as
  // Certificate::serial() returns them), or nullptr if it is not listed.
  // A binary search (the entries are indexed by serial when parsed).
  const RevokedCertificate* find_revoked(ByteView serial) const;

 private:
  Bytes der_;
  size_t tbs_offset_ = 0;
  size_t tbs_length_ = 0;
  int version_ = 1;
  SignatureAlgorithm signature_algorithm_;
  Bytes signature_;
  Name issuer_;
  UnixTime this_update_ = 0;
  std::optional<UnixTime> next_update_;
  std::vector<RevokedCertificate> revoked_;
  std::vector<size_t> by_serial_;  // indexes of revoked_, ordered by serial
  std::optional<Bytes> crl_number_;
  std::optional<Bytes> authority_key_id_;
  bool is_delta_ = false;
  bool lists_remove_from_crl_ = false;
  bool has_unknown_critical_extension_ = false;
  bool has_issuing_distribution_point_ = false;
};

// CrlSet is the CRLs a verifier consults (VerifyOptions::crls): the ones a
// ClientConfig or ServerConfig shares between its connections, or those given
// to `tessera verify`. A CRL is only used once its signature has verified
// with the key of the certificate that issued the certificate being checked;
// the set remembers which issuer keys each CRL verified with, so a server
// checks a CRL's signature once per issuer key rather than once per handshake.
//
// Thread safety: adding is not thread-safe. Once filled, a CrlSet may be
// shared (std::shared_ptr<const CrlSet>) and used by verify_chain from
// several threads at once: the cache is guarded by a mutex.
class CrlSet {
 public:
  CrlSet() = default;
  CrlSet(const CrlSet&) = delete;
  CrlSet& operator=(const CrlSet&) = delete;

  // add adds one parsed CRL.
  void add(Crl crl);
  // add_pem adds every "X509 CRL" block of a PEM text, or one DER CRL.
  // Returns the number added; cert_parse naming the block if any fails to
  // parse (nothing is added then), and cert_parse for PEM text without a CRL.
  Result<size_t> add_pem(ByteView pem_or_der);

  const std::vector<Crl>& crls() const { return crls_; }
  size_t size() const { return crls_.size(); }
  bool empty() const { return crls_.empty(); }

  // verified_with is true if crls()[index]'s signature has verified with the
  // public key `issuer_spki` (SubjectPublicKeyInfo DER); remember_verified
  // records that it has. At most kMaxRemembered pairs are kept (the oldest
  // is dropped first).
  bool verified_with(size_t index, ByteView issuer_spki) const;
  void remember_verified(size_t index, ByteView issuer_spki) const;
  // verified_by_any is true if crls()[index] has verified with some key.
  bool verified_by_any(size_t index) const;
  static constexpr size_t kMaxRemembered = 256;

 private:
  std::vector<Crl> crls_;
  mutable std::mutex mu_;
  mutable std::vector<std::pair<size_t, Bytes>> verified_;  // guarded by mu_
};

}  // namespace tessera::x509
