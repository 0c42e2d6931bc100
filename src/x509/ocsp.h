// x509/ocsp.h — OCSP responses (RFC 6960) for OCSP stapling (RFC 6066 8,
// RFC 8446 4.4.2.1).
//
// OcspResponse::parse reads one DER OCSPResponse strictly (the DER rules of
// der.h, a successful basic response only). check_ocsp_response then decides
// whether a parsed response may be used for a certificate (RFC 6960 3.2): the
// CertID, who signed it, its signature, its freshness. ocsp_status_result
// turns the entry it returns into the verdict.
//
// Every error is ErrorCode::cert_status_invalid (its alert is
// bad_certificate_status_response, RFC 6066 8), except the verdict "revoked"
// (cert_revoked). Messages name the field, e.g.
//   "OCSP response: BasicOCSPResponse.tbsResponseData.responses[0].thisUpdate:
//    GeneralizedTime must end in 'Z' (YYYYMMDDHHMMSSZ)".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "crypto/provider.h"
#include "tessera/algorithms.h"
#include "tessera/result.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/name.h"
#include "x509/time.h"

namespace tessera::x509 {

// RFC 6960 4.2.1: CertStatus.
enum class OcspCertStatus : uint8_t { good, revoked, unknown };
// ocsp_status_name returns "good", "revoked" or "unknown".
std::string_view ocsp_status_name(OcspCertStatus s);

// RFC 6960 4.2.1: one SingleResponse.
struct OcspSingleResponse {
  HashAlgorithm hash = HashAlgorithm::sha1;  // CertID.hashAlgorithm
  Bytes issuer_name_hash, issuer_key_hash;
  Bytes serial;  // INTEGER content octets, as Certificate::serial()
  OcspCertStatus status = OcspCertStatus::unknown;
  UnixTime revocation_time = 0;     // revoked only
  std::optional<CrlReason> reason;  // revoked only
  UnixTime this_update = 0;
  std::optional<UnixTime> next_update;
  // has_unknown_critical_extension: a critical singleExtension tessera does
  // not know (RFC 6960 4.4: then the response cannot be relied on).
  bool has_unknown_critical_extension = false;
};

class OcspResponse {
 public:
  OcspResponse() = default;

  // parse reads exactly one DER OCSPResponse (RFC 6960 4.2.1); trailing bytes
  // are an error. A responseStatus other than successful is an error naming
  // it ("tryLater", ...); responseBytes must be id-pkix-ocsp-basic. Then
  // BasicOCSPResponse (signatureAlgorithm and signature; certs optional,
  // each parsed as a Certificate), ResponseData (v1 only: the version is
  // never encoded), ResponderID byName or byKey (a 20-octet SHA-1), producedAt
  // and the times of each SingleResponse as GeneralizedTime, CertID with
  // SHA-1/256/384/512 (hashes of that length), CertStatus, and extensions:
  // the nonce (id-pkix-ocsp-nonce, kept as is) is known; an unknown critical
  // response or single extension is recorded, not refused (as Crl does),
  // and check_ocsp_response refuses the response then. At least one
  // SingleResponse. Errors: cert_status_invalid naming the field.
  static Result<OcspResponse> parse(ByteView der);

  ByteView der() const { return der_; }
  // tbs returns the DER of tbsResponseData (what the signature covers).
  ByteView tbs() const { return ByteView(der_).subspan(tbs_offset_, tbs_length_); }
  const SignatureAlgorithm& signature_algorithm() const { return signature_algorithm_; }
  ByteView signature() const { return signature_; }
  // Exactly one of responder_name (ResponderID byName) and
  // responder_key_hash (byKey: SHA-1 of the responder's subjectPublicKey
  // BIT STRING contents) is set.
  const std::optional<Name>& responder_name() const { return responder_name_; }
  const std::optional<Bytes>& responder_key_hash() const { return responder_key_hash_; }
  UnixTime produced_at() const { return produced_at_; }
  const std::vector<OcspSingleResponse>& responses() const { return responses_; }
  // certs returns the certificates the response carries (a delegated
  // responder's certificate, often the issuer's).
  const std::vector<Certificate>& certs() const { return certs_; }
  // nonce returns the extnValue contents of the id-pkix-ocsp-nonce response
  // extension, if present (not interpreted: stapled responses answer no
  // request of ours).
  const std::optional<Bytes>& nonce() const { return nonce_; }
  // has_unknown_critical_extension is true if a response extension or a
  // single extension of any entry is critical and unknown.
  bool has_unknown_critical_extension() const { return has_unknown_critical_extension_; }

 private:
  static Result<OcspResponse> parse_der(ByteView der);

  Bytes der_;
  size_t tbs_offset_ = 0;
  size_t tbs_length_ = 0;
  SignatureAlgorithm signature_algorithm_;
  Bytes signature_;
  std::optional<Name> responder_name_;
  std::optional<Bytes> responder_key_hash_;
  UnixTime produced_at_ = 0;
  std::vector<OcspSingleResponse> responses_;
  std::vector<Certificate> certs_;
  std::optional<Bytes> nonce_;
  bool has_unknown_critical_extension_ = false;
};

struct OcspCheckOptions {
  UnixTime now = 0;
  // skew_s tolerates clocks this far apart (thisUpdate ahead of now,
  // nextUpdate or the caps below behind it).
  int64_t skew_s = 300;
  // max_age_s bounds the age of a response without nextUpdate.
  int64_t max_age_s = 7 * 86400;
  // max_validity_s bounds the age of any response, whatever its nextUpdate
  // says: the CA/Browser Forum Baseline Requirements cap an OCSP response's
  // validity at 10 days (mozilla::pkix applies the same cap), so an old
  // "good" with a far nextUpdate is not replayed for years.
  int64_t max_validity_s = 10 * 86400;
  // RFC 6960 4.2.2.2.1: a delegated responder's own revocation. Unless its
  // certificate carries id-pkix-ocsp-nocheck, this is asked about it (when
  // set); a non-empty answer (why it is revoked, or not known not to be)
  // refuses the response. Unset, the client's policy is not to check.
  std::function<std::string(const Certificate& responder)> responder_revocation;
};

// check_ocsp_response applies RFC 6960 3.2 to a parsed response for `leaf`,
// whose issuer certificate (already verified by path validation) is `issuer`,
// and returns the SingleResponse that covers `leaf`, whatever its status:
//  - the CertID matching leaf: serial, issuerNameHash = H(DER of leaf's issuer
//    Name), issuerKeyHash = H(issuer's subjectPublicKey BIT STRING contents),
//    for H = SHA-1, SHA-256, SHA-384 or SHA-512 as the CertID says;
//  - signed by the issuer itself (ResponderID names it or its key hash), or by
//    a delegated responder (RFC 6960 4.2.2.2): a certificate in certs() that
//    the ResponderID identifies, issued by `issuer` (name and signature),
//    extKeyUsage id-kp-OCSPSigning, valid at `now` (within skew_s). Anything
//    else is not trusted;
//  - thisUpdate not in the future (beyond skew_s), nextUpdate (if present)
//    not in the past (beyond skew_s); without nextUpdate, thisUpdate no older
//    than max_age_s, and with it no older than max_validity_s;
//  - if the response lists leaf more than once: any "revoked" entry is the
//    answer (returned without the time checks: revocation is final); entries
//    that otherwise disagree are refused; of agreeing ones the newest is
//    used;
//  - a delegated responder's key is as strong as path validation demands
//    (check_key_strength);
//  - no unknown critical extension.
// Errors: cert_status_invalid with a message naming what failed.
Result<OcspSingleResponse> check_ocsp_response(crypto::Provider& p, const OcspResponse& r,
                                               const Certificate& leaf, const Certificate& issuer,
                                               const OcspCheckOptions& o);

// ocsp_delegation_problem says why `responder` may not sign OCSP responses
// about the certificates `issuer` issued as its delegated responder (RFC
// 6960 4.2.2.2: issued by `issuer`, name and signature; extKeyUsage
// id-kp-OCSPSigning; valid at o.now within o.skew_s; no unknown critical
// extension), starting "its certificate ..."; "" if it may.
std::string ocsp_delegation_problem(crypto::Provider& p, const Certificate& responder,
                                    const Certificate& issuer, const OcspCheckOptions& o);

// check_ocsp_freshness is check_ocsp_response's time rules for one entry
// (thisUpdate, nextUpdate, max_age_s, max_validity_s, skew_s).
Result<void> check_ocsp_freshness(const OcspSingleResponse& s, const OcspCheckOptions& o);
// ocsp_usable_until is the last time those rules accept the entry, without
// the clock skew: nextUpdate, but at most max_validity_s after thisUpdate
// (max_age_s after it without nextUpdate). A server staples until then.
UnixTime ocsp_usable_until(const OcspSingleResponse& s, const OcspCheckOptions& o);

// ocsp_status_result turns a checked entry into the verdict: good -> ok;
// revoked -> cert_revoked ("... was revoked at <time> (reason: ...) according
// to the OCSP response"); unknown -> cert_status_invalid.
Result<void> ocsp_status_result(const OcspSingleResponse& s, const Certificate& leaf);

}  // namespace tessera::x509
