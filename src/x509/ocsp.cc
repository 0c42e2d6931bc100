#include "x509/ocsp.h"

#include <algorithm>
#include <string>

#include "base/hex.h"
#include "x509/checks.h"
#include "x509/der.h"
#include "x509/extensions.h"

namespace tessera::x509 {

namespace {

// RFC 6960 4.2.1: OCSPResponseStatus names.
std::string response_status_name(uint8_t s) {
  switch (s) {
    case 0: return "successful";
    case 1: return "malformedRequest";
    case 2: return "internalError";
    case 3: return "tryLater";
    case 5: return "sigRequired";
    case 6: return "unauthorized";
    default: return "an unknown status (" + std::to_string(s) + ")";
  }
}

Error status_error(std::string message) {
  return Error(ErrorCode::cert_status_invalid, std::move(message));
}

bool same_bytes(ByteView a, ByteView b) { return std::ranges::equal(a, b); }

// Reads CertID.hashAlgorithm: SHA-1, SHA-256, SHA-384 or SHA-512 with
// parameters absent or NULL (RFC 5754 2: both must be accepted).
Result<HashAlgorithm> read_cert_id_hash(DerReader& r) {
  TESSERA_ASSIGN_OR_RETURN(DerReader alg, r.read_sequence());
  TESSERA_ASSIGN_OR_RETURN(Oid oid, alg.read_oid());
  if (!alg.empty()) TESSERA_TRY(alg.read_null());
  TESSERA_TRY(alg.expect_end());
  if (oid == oids::kSha1) return HashAlgorithm::sha1;
  if (oid == oids::kSha256) return HashAlgorithm::sha256;
  if (oid == oids::kSha384) return HashAlgorithm::sha384;
  if (oid == oids::kSha512) return HashAlgorithm::sha512;
  return der_error("unsupported hash algorithm " + oid_name(oid));
}

// Reads a SingleResponse (RFC 6960 4.2.1):
//   SingleResponse ::= SEQUENCE { certID CertID, certStatus CertStatus,
//     thisUpdate GeneralizedTime, nextUpdate [0] EXPLICIT GeneralizedTime
//     OPTIONAL, singleExtensions [1] EXPLICIT Extensions OPTIONAL }
//   CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash
//     OCTET STRING, issuerKeyHash OCTET STRING, serialNumber INTEGER }
//   CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT
//     RevokedInfo, unknown [2] IMPLICIT UnknownInfo (NULL) }
//   RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
//     revocationReason [0] EXPLICIT CRLReason OPTIONAL }
Result<OcspSingleResponse> read_single_response(DerReader& list, const std::string& where) {
  TESSERA_ASSIGN_OR_RETURN(DerReader sr, with_field(list.read_sequence(), where));
  OcspSingleResponse s;
  const std::string cid = where + ".certID";
  TESSERA_ASSIGN_OR_RETURN(DerReader id, with_field(sr.read_sequence(), cid));
  TESSERA_ASSIGN_OR_RETURN(s.hash, with_field(read_cert_id_hash(id), cid + ".hashAlgorithm"));
  const size_t hash_len = hash_length(s.hash);
  TESSERA_ASSIGN_OR_RETURN(ByteView name_hash,
                           with_field(id.read_octet_string(), cid + ".issuerNameHash"));
  TESSERA_ASSIGN_OR_RETURN(ByteView key_hash,
                           with_field(id.read_octet_string(), cid + ".issuerKeyHash"));
  if (name_hash.size() != hash_len || key_hash.size() != hash_len) {
    return der_error(cid + ": issuerNameHash and issuerKeyHash must be " +
                     std::to_string(hash_len) + " octets for " + std::string(hash_name(s.hash)));
  }
  s.issuer_name_hash.assign(name_hash.begin(), name_hash.end());
  s.issuer_key_hash.assign(key_hash.begin(), key_hash.end());
  TESSERA_ASSIGN_OR_RETURN(ByteView serial, with_field(id.read_integer(), cid + ".serialNumber"));
  s.serial.assign(serial.begin(), serial.end());
  TESSERA_TRY(with_field(id.expect_end(), cid));

  const std::string cs = where + ".certStatus";
  if (sr.next_is(tag::context_specific(0)) || sr.next_is(tag::context_specific(2))) {
    TESSERA_ASSIGN_OR_RETURN(DerElement e, with_field(sr.read_any(), cs));
    if (!e.content.empty()) return der_error(cs + ": good / unknown must be an empty NULL");
    s.status = e.tag == tag::context_specific(0) ? OcspCertStatus::good : OcspCertStatus::unknown;
  } else if (sr.next_is(tag::context_constructed(1))) {
    s.status = OcspCertStatus::revoked;
    TESSERA_ASSIGN_OR_RETURN(
        DerReader ri,
        with_field(sr.read_constructed(tag::context_constructed(1)), cs + ".revoked"));
    TESSERA_ASSIGN_OR_RETURN(
        s.revocation_time, with_field(ri.read_generalized_time(), cs + ".revoked.revocationTime"));
    TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> reason,
                             with_field(ri.read_optional_constructed(tag::context_constructed(0)),
                                        cs + ".revoked.revocationReason"));
    if (reason) {
      const std::string rf = cs + ".revoked.revocationReason";
      TESSERA_ASSIGN_OR_RETURN(uint8_t code, with_field(reason->read_enumerated(), rf));
      TESSERA_TRY(with_field(reason->expect_end(), rf));
      // RFC 5280 5.3.1: CRLReason ::= ENUMERATED; value 7 is not used.
      if (code == 7 || code > 10)
        return der_error(rf + ": unknown reason code " + std::to_string(code));
      s.reason = static_cast<CrlReason>(code);
    }
    TESSERA_TRY(with_field(ri.expect_end(), cs + ".revoked"));
  } else {
    return der_error(cs + ": expected good [0], revoked [1] or unknown [2]");
  }

  TESSERA_ASSIGN_OR_RETURN(s.this_update,
                           with_field(sr.read_generalized_time(), where + ".thisUpdate"));
  TESSERA_ASSIGN_OR_RETURN(
      std::optional<DerReader> next,
      with_field(sr.read_optional_constructed(tag::context_constructed(0)), where + ".nextUpdate"));
  if (next) {
    TESSERA_ASSIGN_OR_RETURN(UnixTime t,
                             with_field(next->read_generalized_time(), where + ".nextUpdate"));
    TESSERA_TRY(with_field(next->expect_end(), where + ".nextUpdate"));
    // RFC 6960 4.2.2.1: nextUpdate is the time at or before which newer
    // information will be available: never before thisUpdate.
    if (t < s.this_update) return der_error(where + ".nextUpdate: before thisUpdate");
    s.next_update = t;
  }
  TESSERA_ASSIGN_OR_RETURN(
      std::optional<DerElement> exts,
      with_field(sr.read_optional(tag::context_constructed(1)), where + ".singleExtensions"));
  if (exts) {
    TESSERA_ASSIGN_OR_RETURN(
        std::vector<ExtensionInfo> single_exts,
        with_field(parse_extension_list(exts->content), where + ".singleExtensions"));
    // RFC 6960 4.4: no single extension is needed to use the response; one
    // that is critical and unknown makes it unusable (recorded here).
    s.has_unknown_critical_extension = std::any_of(
        single_exts.begin(), single_exts.end(), [](const ExtensionInfo& e) { return e.critical; });
  }
  TESSERA_TRY(with_field(sr.expect_end(), where));
  return s;
}

}  // namespace

std::string_view ocsp_status_name(OcspCertStatus s) {
  switch (s) {
    case OcspCertStatus::good: return "good";
    case OcspCertStatus::revoked: return "revoked";
    case OcspCertStatus::unknown: return "unknown";
  }
  return "unknown";
}

Result<OcspResponse> OcspResponse::parse(ByteView der) {
  Result<OcspResponse> r = parse_der(der);
  if (r.ok() || r.error().code() == ErrorCode::cert_status_invalid) return r;
  return status_error("OCSP response: " + r.error().message());
}

Result<OcspResponse> OcspResponse::parse_der(ByteView der) {
  // RFC 6960 4.2.1: OCSPResponse ::= SEQUENCE { responseStatus
  // OCSPResponseStatus, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }.
  DerReader outer(der);
  TESSERA_ASSIGN_OR_RETURN(DerReader resp, with_field(outer.read_sequence(), "OCSPResponse"));
  TESSERA_TRY(with_field(outer.expect_end(), "OCSPResponse"));
  TESSERA_ASSIGN_OR_RETURN(uint8_t status,
                           with_field(resp.read_enumerated(), "OCSPResponse.responseStatus"));
  // RFC 6960 4.2.1: a response other than successful carries no
  // responseBytes and tells nothing about the certificate.
  if (status != 0) {
    TESSERA_TRY(with_field(resp.expect_end(), "OCSPResponse"));
    return status_error("OCSP response status is " + response_status_name(status) +
                        ", not successful");
  }
  TESSERA_ASSIGN_OR_RETURN(
      DerReader wrapper,
      with_field(resp.read_constructed(tag::context_constructed(0)), "OCSPResponse.responseBytes"));
  TESSERA_TRY(with_field(resp.expect_end(), "OCSPResponse"));
  // ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response
  // OCTET STRING }.
  TESSERA_ASSIGN_OR_RETURN(DerReader rb,
                           with_field(wrapper.read_sequence(), "OCSPResponse.responseBytes"));
  TESSERA_TRY(with_field(wrapper.expect_end(), "OCSPResponse.responseBytes"));
  TESSERA_ASSIGN_OR_RETURN(Oid type, with_field(rb.read_oid(), "responseBytes.responseType"));
  // RFC 6960 4.2.1: OCSP responders SHALL be capable of producing responses
  // of the id-pkix-ocsp-basic response type; it is the only one we accept.
  if (type != oids::kOcspBasic) {
    return der_error("responseBytes.responseType: " + oid_name(type) +
                     " is not id-pkix-ocsp-basic");
  }
  TESSERA_ASSIGN_OR_RETURN(ByteView basic_der,
                           with_field(rb.read_octet_string(), "responseBytes.response"));
  TESSERA_TRY(with_field(rb.expect_end(), "OCSPResponse.responseBytes"));

  // BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData,
  // signatureAlgorithm AlgorithmIdentifier, signature BIT STRING,
  // certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }.
  OcspResponse r;
  r.der_.assign(der.begin(), der.end());
  DerReader basic_outer(basic_der, 3);
  TESSERA_ASSIGN_OR_RETURN(DerReader basic,
                           with_field(basic_outer.read_sequence(), "BasicOCSPResponse"));
  TESSERA_TRY(with_field(basic_outer.expect_end(), "BasicOCSPResponse"));
  TESSERA_ASSIGN_OR_RETURN(DerElement tbs_el, with_field(basic.read_element(tag::kSequence),
                                                         "BasicOCSPResponse.tbsResponseData"));
  r.tbs_offset_ = static_cast<size_t>(tbs_el.encoded.data() - der.data());
  r.tbs_length_ = tbs_el.encoded.size();
  TESSERA_ASSIGN_OR_RETURN(DerElement alg_el, with_field(basic.read_element(tag::kSequence),
                                                         "BasicOCSPResponse.signatureAlgorithm"));
  TESSERA_ASSIGN_OR_RETURN(r.signature_algorithm_,
                           with_field(parse_signature_algorithm(alg_el.encoded),
                                      "BasicOCSPResponse.signatureAlgorithm"));
  TESSERA_ASSIGN_OR_RETURN(BitString sig,
                           with_field(basic.read_bit_string(), "BasicOCSPResponse.signature"));
  if (sig.unused_bits != 0) return der_error("BasicOCSPResponse.signature: unused bits");
  r.signature_.assign(sig.bytes.begin(), sig.bytes.end());
  TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> certs_wrapper,
                           with_field(basic.read_optional_constructed(tag::context_constructed(0)),
                                      "BasicOCSPResponse.certs"));
  if (certs_wrapper) {
    TESSERA_ASSIGN_OR_RETURN(DerReader certs,
                             with_field(certs_wrapper->read_sequence(), "BasicOCSPResponse.certs"));
    TESSERA_TRY(with_field(certs_wrapper->expect_end(), "BasicOCSPResponse.certs"));
    while (!certs.empty()) {
      std::string where = "BasicOCSPResponse.certs[" + std::to_string(r.certs_.size()) + "]";
      TESSERA_ASSIGN_OR_RETURN(DerElement c, with_field(certs.read_element(tag::kSequence), where));
      TESSERA_ASSIGN_OR_RETURN(Certificate cert, with_field(Certificate::parse(c.encoded), where));
      r.certs_.push_back(std::move(cert));
    }
  }
  TESSERA_TRY(with_field(basic.expect_end(), "BasicOCSPResponse"));

  // ResponseData ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1,
  // responderID ResponderID, producedAt GeneralizedTime, responses SEQUENCE
  // OF SingleResponse, responseExtensions [1] EXPLICIT Extensions OPTIONAL }.
  const std::string td = "tbsResponseData";
  DerReader tbs(tbs_el.content, 5);
  // RFC 6960 4.2.1 defines only v1, which DER omits (X.690 11.5: a DEFAULT
  // value is not encoded).
  if (tbs.next_is(tag::context_constructed(0))) {
    return der_error(td + ".version: only v1 is defined, and DER leaves it out");
  }
  // ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash } (EXPLICIT
  // tags, RFC 6960 appendix B.1); KeyHash ::= OCTET STRING, the SHA-1 hash
  // of the responder's public key.
  if (tbs.next_is(tag::context_constructed(1))) {
    TESSERA_ASSIGN_OR_RETURN(
        DerReader by_name,
        with_field(tbs.read_constructed(tag::context_constructed(1)), td + ".responderID.byName"));
    TESSERA_ASSIGN_OR_RETURN(DerElement name_el, with_field(by_name.read_element(tag::kSequence),
                                                            td + ".responderID.byName"));
    TESSERA_TRY(with_field(by_name.expect_end(), td + ".responderID.byName"));
    TESSERA_ASSIGN_OR_RETURN(Name name,
                             with_field(Name::parse(name_el.encoded), td + ".responderID.byName"));
    r.responder_name_ = std::move(name);
  } else if (tbs.next_is(tag::context_constructed(2))) {
    TESSERA_ASSIGN_OR_RETURN(
        DerReader by_key,
        with_field(tbs.read_constructed(tag::context_constructed(2)), td + ".responderID.byKey"));
    TESSERA_ASSIGN_OR_RETURN(ByteView hash,
                             with_field(by_key.read_octet_string(), td + ".responderID.byKey"));
    TESSERA_TRY(with_field(by_key.expect_end(), td + ".responderID.byKey"));
    if (hash.size() != 20) {
      return der_error(td + ".responderID.byKey: a SHA-1 hash has 20 octets, not " +
                       std::to_string(hash.size()));
    }
    r.responder_key_hash_ = Bytes(hash.begin(), hash.end());
  } else {
    return der_error(td + ".responderID: expected byName [1] or byKey [2]");
  }
  TESSERA_ASSIGN_OR_RETURN(r.produced_at_,
                           with_field(tbs.read_generalized_time(), td + ".producedAt"));
  TESSERA_ASSIGN_OR_RETURN(DerReader list, with_field(tbs.read_sequence(), td + ".responses"));
  while (!list.empty()) {
    std::string where = td + ".responses[" + std::to_string(r.responses_.size()) + "]";
    TESSERA_ASSIGN_OR_RETURN(OcspSingleResponse s, read_single_response(list, where));
    if (s.has_unknown_critical_extension) r.has_unknown_critical_extension_ = true;
    r.responses_.push_back(std::move(s));
  }
  if (r.responses_.empty()) return der_error(td + ".responses: empty");
  TESSERA_ASSIGN_OR_RETURN(
      std::optional<DerElement> exts,
      with_field(tbs.read_optional(tag::context_constructed(1)), td + ".responseExtensions"));
  if (exts) {
    TESSERA_ASSIGN_OR_RETURN(
        std::vector<ExtensionInfo> list_exts,
        with_field(parse_extension_list(exts->content), td + ".responseExtensions"));
    for (ExtensionInfo& e : list_exts) {
      if (e.oid == oids::kOcspNonce) {
        // RFC 6960 4.4.1 / RFC 8954: the nonce binds a response to a
        // request; kept, not interpreted.
        r.nonce_ = std::move(e.value);
      } else if (e.critical) {
        r.has_unknown_critical_extension_ = true;
      }
    }
  }
  TESSERA_TRY(with_field(tbs.expect_end(), td));
  return r;
}

namespace {

std::string cert_text(const Certificate& c) {
  std::string s = c.subject().to_string();
  return (s.empty() ? std::string("(empty subject)") : s) + " serial " + c.serial_hex();
}

std::string responder_text(const OcspResponse& r) {
  if (r.responder_name()) return r.responder_name()->to_string();
  return "the key with SHA-1 hash " + to_hex(*r.responder_key_hash());
}

// identifies is true if the response's ResponderID names `c` or the SHA-1
// hash of its key.
bool identifies(crypto::Provider& p, const OcspResponse& r, const Certificate& c) {
  if (r.responder_name()) return names_equal(*r.responder_name(), c.subject());
  return same_bytes(*r.responder_key_hash(),
                    p.digest(HashAlgorithm::sha1, c.public_key_info().public_key));
}

}  // namespace

std::string ocsp_delegation_problem(crypto::Provider& p, const Certificate& c,
                                    const Certificate& issuer, const OcspCheckOptions& o) {
  // RFC 6960 4.2.2.2: the responder certificate MUST be issued directly by
  // the CA that is identified in the request.
  if (!names_equal(c.issuer(), issuer.subject()))
    return "its certificate was issued by " + c.issuer().to_string() + ", not by " +
           issuer.subject().to_string();
  if (Result<void> sig = verify_certificate_signature(p, c, issuer.spki_der()); !sig)
    return "its certificate's signature does not verify with the key of " +
           issuer.subject().to_string() + " (" + sig.error().message() + ")";
  // RFC 6960 4.2.2.2: ... by including a value of id-kp-OCSPSigning in an
  // extended key usage extension in the OCSP signer's certificate.
  if (!c.extensions().ext_key_usage || !c.extensions().ext_key_usage->has(oids::kOcspSigning))
    return "its certificate has no extKeyUsage id-kp-OCSPSigning";
  if (c.not_before() > o.now + o.skew_s)
    return "its certificate is not yet valid (notBefore " + format_iso8601(c.not_before()) + ")";
  if (c.not_after() < o.now - o.skew_s)
    return "its certificate expired (notAfter " + format_iso8601(c.not_after()) + ")";
  if (c.extensions().has_unknown_critical_extension)
    return "its certificate has an unknown critical extension";
  // The same key strength as path validation asks of every certificate: a
  // weak responder key could sign "good" for anything its issuer issued.
  if (Result<void> strength = check_key_strength(c.public_key_info()); !strength)
    return "its key is too weak: " + strength.error().message();
  return "";
}

namespace {

// Finds the entries whose CertID is leaf's (RFC 6960 4.1.1, 3.2 (1)).
std::vector<const OcspSingleResponse*> find_entries(crypto::Provider& p, const OcspResponse& r,
                                                    const Certificate& leaf,
                                                    const Certificate& issuer) {
  std::vector<const OcspSingleResponse*> found;
  for (const OcspSingleResponse& s : r.responses()) {
    if (!same_bytes(s.serial, leaf.serial())) continue;
    // issuerNameHash is the hash of the issuer's distinguished name as it
    // appears in the certificate; issuerKeyHash the hash of the issuer's
    // subjectPublicKey BIT STRING value (without tag, length, unused bits).
    if (same_bytes(s.issuer_name_hash, p.digest(s.hash, leaf.issuer().der())) &&
        same_bytes(s.issuer_key_hash, p.digest(s.hash, issuer.public_key_info().public_key)))
      found.push_back(&s);
  }
  return found;
}

}  // namespace

Result<OcspSingleResponse> check_ocsp_response(crypto::Provider& p, const OcspResponse& r,
                                               const Certificate& leaf, const Certificate& issuer,
                                               const OcspCheckOptions& o) {
  // RFC 6960 3.2 (1): the certificate identified in a received response
  // corresponds to the one that was identified in the corresponding request.
  const std::vector<const OcspSingleResponse*> entries = find_entries(p, r, leaf, issuer);
  if (entries.empty()) {
    std::string listed;
    for (const OcspSingleResponse& e : r.responses())
      listed += (listed.empty() ? "" : ", ") + to_hex(e.serial);
    return status_error("OCSP response does not cover certificate " + cert_text(leaf) +
                        " issued by " + issuer.subject().to_string() + " (it lists serial " +
                        listed + " with another issuer or serial)");
  }

  // RFC 6960 3.2 (2)-(4): the signature is valid, and the signer is the CA
  // that issued the certificate or a responder it authorised (4.2.2.2).
  const Certificate* signer = nullptr;
  std::string refused;
  if (identifies(p, r, issuer)) {
    signer = &issuer;
  } else {
    for (const Certificate& c : r.certs()) {
      if (!identifies(p, r, c)) continue;
      std::string why = ocsp_delegation_problem(p, c, issuer, o);
      // RFC 6960 4.2.2.2.1: without id-pkix-ocsp-nocheck, whether the
      // responder's certificate is checked for revocation "will be up to the
      // OCSP client's local security policy": ours is to check it against
      // the CRLs the client was given.
      if (why.empty() && o.responder_revocation && !c.extensions().find(oids::kOcspNoCheck)) {
        if (std::string revoked = o.responder_revocation(c); !revoked.empty())
          why = "its certificate's revocation check failed: " + revoked;
      }
      if (why.empty()) {
        signer = &c;
        break;
      }
      if (refused.empty()) refused = ": " + why;
    }
  }
  if (!signer) {
    if (refused.empty()) refused = " (the response carries no certificate for it)";
    return status_error("OCSP response signed by " + responder_text(r) +
                        ", which is neither the issuer nor a responder it delegated "
                        "(id-kp-OCSPSigning)" +
                        refused);
  }
  Result<void> sig =
      verify_signature(p, r.signature_algorithm(), r.tbs(), r.signature(), signer->spki_der());
  if (!sig) {
    return status_error("OCSP response signature does not verify with the key of " +
                        signer->subject().to_string() + ": " + sig.error().message());
  }

  // RFC 6960 4.4: a critical extension that is not recognised makes the
  // response unusable.
  if (r.has_unknown_critical_extension())
    return status_error("OCSP response has an unknown critical extension");

  // One answer when the certificate is listed more than once: revoked wins
  // (fail closed), other disagreement is refused, else the newest entry.
  const OcspSingleResponse* s = nullptr;
  for (const OcspSingleResponse* e : entries) {
    if (e->status == OcspCertStatus::revoked) return *e;
    if (s && s->status != e->status)
      return status_error("OCSP response lists certificate " + cert_text(leaf) + " as both " +
                          std::string(ocsp_status_name(s->status)) + " and " +
                          std::string(ocsp_status_name(e->status)));
    if (!s || e->this_update > s->this_update) s = e;
  }

  TESSERA_TRY(check_ocsp_freshness(*s, o));
  return *s;
}

Result<void> check_ocsp_freshness(const OcspSingleResponse& s, const OcspCheckOptions& o) {
  // RFC 6960 3.2 (5): thisUpdate is sufficiently recent; (6) when
  // available, nextUpdate is greater than the current time.
  if (s.this_update > o.now + o.skew_s)
    return status_error("OCSP response is not yet valid (thisUpdate " +
                        format_iso8601(s.this_update) + ")");
  if (s.next_update && *s.next_update < o.now - o.skew_s)
    return status_error("OCSP response expired (nextUpdate " + format_iso8601(*s.next_update) +
                        ")");
  // The caps get the same skew: a server staples a response until the cap
  // (ocsp_usable_until), and a client whose clock runs a little ahead must
  // still take it.
  if (s.next_update && s.this_update < o.now - o.skew_s - o.max_validity_s) {
    return status_error(
        "OCSP response is too old (thisUpdate " + format_iso8601(s.this_update) + ", more than " +
        (o.max_validity_s % 86400 == 0 ? std::to_string(o.max_validity_s / 86400) + " days"
                                       : std::to_string(o.max_validity_s) + " s") +
        " ago, whatever its nextUpdate)");
  }
  if (!s.next_update && s.this_update < o.now - o.skew_s - o.max_age_s) {
    // RFC 6960 4.2.2.1: without nextUpdate newer information is always
    // available; the client decides how old is too old.
    return status_error("OCSP response without nextUpdate is too old (thisUpdate " +
                        format_iso8601(s.this_update) + ", more than " +
                        std::to_string(o.max_age_s) + " s ago)");
  }
  return ok();
}

UnixTime ocsp_usable_until(const OcspSingleResponse& s, const OcspCheckOptions& o) {
  return s.next_update ? std::min(*s.next_update, s.this_update + o.max_validity_s)
                       : s.this_update + o.max_age_s;
}

Result<void> ocsp_status_result(const OcspSingleResponse& s, const Certificate& leaf) {
  switch (s.status) {
    case OcspCertStatus::good: return ok();
    case OcspCertStatus::revoked: {
      std::string reason = s.reason ? " (reason: " + crl_reason_name(*s.reason) + ")" : "";
      return Error(ErrorCode::cert_revoked, "certificate " + cert_text(leaf) + " was revoked at " +
                                                format_iso8601(s.revocation_time) + reason +
                                                " according to the OCSP response for " +
                                                leaf.issuer().to_string());
    }
    case OcspCertStatus::unknown: break;
  }
  return status_error("the OCSP response for " + leaf.issuer().to_string() +
                      " gives the status of certificate " + cert_text(leaf) + " as unknown");
}

}  // namespace tessera::x509
