// x509/verify.h — certificate path building and validation (RFC 5280 6,
// Web PKI / CA/B Forum Baseline Requirements).
//
// verify_chain is what the TLS handshake calls with the peer's Certificate
// message: it builds a path from the leaf (chain_der[0]) through any of the
// untrusted certificates that came with it (chain_der[1..], any order, some
// possibly unrelated) to an anchor of a TrustStore, trying alternatives with
// backtracking, and validates it. A path that fails validation is abandoned
// for the next candidate, so cross-signed chains with an expired alternative
// still verify.
//
// Path building: issuers are found by subject == issuer (RFC 5280 7.1 via
// names_equal); when the child has an authorityKeyIdentifier keyIdentifier
// and the candidate a subjectKeyIdentifier they must be equal. Candidates are
// tried in this order: trust anchors first, then untrusted certificates with a
// matching key identifier, then those valid at `now_unix`. A certificate
// appears at most once in a path (loops are cut). The work is bounded:
// more than max_signature_checks signature verifications or max_paths
// candidate paths (complete or dead-ended) is cert_work_limit.
//
// Validation of a path leaf=0 .. anchor=n, in this order, per certificate
// from the leaf up (the first failure is reported):
//   - RFC 5280 4.2: an unrecognised critical extension -> cert_unsupported;
//   - MD5/SHA-1 signature on any non-anchor certificate and RSA keys under
//     2048 bits anywhere (the anchor's own self-signature is not checked, so a
//     SHA-1 self-signed root is fine) -> cert_weak_key;
//   - validity at now_unix (anchors too, as OpenSSL does) -> cert_expired /
//     cert_not_yet_valid;
//   - issuers (1..n): basicConstraints cA TRUE (v1 and v2 certificates are not
//     CAs; decision: an anchor that is v1, or v3 without basicConstraints, is
//     accepted as an issuer because the trust store vouches for it, but an
//     anchor with cA FALSE is refused) -> cert_invalid_ca; keyCertSign when
//     keyUsage is present -> cert_invalid_ca; pathLenConstraint counted over
//     the non-self-issued intermediates below -> cert_path_length;
//   - more than max_intermediates intermediates -> cert_path_length;
//   - every certificate's signature by the next one's key -> cert_bad_signature
//     (checked while building; reported if no path survives);
//   - name constraints of every issuer (anchor included) applied to every
//     certificate below it that is the leaf or not self-issued
//     (RFC 5280 6.1.3 (b)/(c); see name_constraints.h) -> cert_name_constraints;
//   - extendedKeyUsage: the leaf, if it has the extension, must list the
//     purpose (serverAuth / clientAuth) and every required_ekus entry;
//     anyExtendedKeyUsage does NOT satisfy a purpose in a leaf (CA/B BR
//     7.1.2.7.10 forbids it in subscriber certificates; OpenSSL agrees).
//     Intermediates with the extension must list the purpose or
//     anyExtendedKeyUsage (EKU chaining as in Chrome and Go) -> cert_bad_usage;
//   - keyUsage of the leaf, if present: for server_auth digitalSignature,
//     keyEncipherment or keyAgreement; for client_auth digitalSignature or
//     keyAgreement; plus every bit of required_key_usage -> cert_bad_usage.
//     An absent extension places no restriction (RFC 5280 4.2.1.3);
//   - revocation, if crls is set (RFC 5280 6.3): for each non-anchor
//     certificate, every CRL whose issuer equals its issuer and whose
//     signature verifies with the issuer's key (which must allow cRLSign if it
//     has keyUsage) is consulted; a listed serial -> cert_revoked. CRLs that
//     are not yet valid, expired (nextUpdate < now), delta CRLs or with
//     unknown critical extensions are not usable (noted in the report). A
//     certificate that crl_check requires to be covered (all of them for
//     chain, the leaf for leaf, none for best_effort) and that no usable CRL
//     covers -> cert_revocation_unknown, naming why each candidate CRL was
//     not usable;
//   - identities of the leaf (identity.h) -> cert_name_mismatch.
// Errors name the certificate by depth and subject:
//   "certificate 1 (CN=Example Intermediate) expired at 2026-03-01T00:00:00Z"
//   "certificate 0 (CN=leaf) issuer CN=X not found among 3 trusted certificates"
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "tessera/config.h"
#include "tessera/result.h"
#include "x509/certificate.h"
#include "x509/checks.h"
#include "x509/crl.h"
#include "x509/identity.h"
#include "x509/trust_store.h"

namespace tessera::crypto {
class Provider;
}

namespace tessera::x509 {

enum class Purpose : uint8_t { server_auth, client_auth, any };

struct VerifyOptions {
  Purpose purpose = Purpose::server_auth;
  std::vector<ReferenceIdentity> identities;  // all must match (empty: no identity check)
  int64_t now_unix = 0;                       // validation time; required (0 is refused)
  size_t max_intermediates = 8;               // --max-depth counts intermediates only
  std::vector<std::string> required_ekus;     // extra EKU OIDs or names (eku_from_name)
  uint16_t required_key_usage = 0;            // KeyUsage bits (1 << KeyUsageBit) the leaf must have
  const CrlSet* crls = nullptr;               // optional revocation
  CrlCheck crl_check = CrlCheck::chain;       // with crls: what must be covered
  size_t max_signature_checks = 64, max_paths = 64;  // work budget
  size_t min_rsa_bits = kMinRsaBits;  // RSA keys on the path (raised only: never below 2048)
};

// The path that verified: leaf first, anchor last (the anchor is the
// TrustStore's own object). A leaf that is itself in the trust store gives a
// path of one certificate.
struct VerifiedPath {
  std::vector<std::shared_ptr<const Certificate>> certs;
};

// A record of what verify_chain did, for `tessera verify --explain` and logs.
struct VerifyReport {
  struct CertSummary {
    int depth = 0;
    std::string subject, issuer;
    UnixTime not_before = 0, not_after = 0;
    std::string key;        // "EC P-256"
    std::string signature;  // "ecdsa-with-SHA256"
    std::string serial;     // hex
    bool anchor = false;
    bool self_issued = false;
  };
  struct Check {
    int depth = -1;    // -1: the chain as a whole
    std::string name;  // "validity", "signature", "basicConstraints", ...
    bool ok = false;
    std::string detail;
  };
  std::vector<CertSummary> chain;  // the path reported (verified or first failing)
  std::vector<Check> checks;       // every check run on that path, in order
  std::vector<std::string> notes;  // other paths tried, ignored inputs, budget use
  size_t signature_checks = 0;
  size_t paths_tried = 0;
  bool valid = false;
  std::optional<Error> error;

  // to_string renders the chain and the checks as an aligned, readable table.
  std::string to_string() const;
};

// verify_chain builds and validates a path as described at the top of this
// file. chain_der[0] is the leaf; unparsable extra certificates are ignored
// (noted in the report), an unparsable leaf is cert_parse. The TrustStore
// must outlive the returned path. `report`, if given, is filled in whether or
// not verification succeeds. Thread-safe for concurrent calls sharing a
// TrustStore (each call needs its own provider or a thread-safe one).
Result<VerifiedPath> verify_chain(crypto::Provider& provider, const TrustStore& trust,
                                  std::span<const Bytes> chain_der, const VerifyOptions& options,
                                  VerifyReport* report = nullptr);

// eku_from_name maps "serverAuth"/"server", "clientAuth"/"client",
// "codeSigning", "emailProtection", "timeStamping", "OCSPSigning",
// "anyExtendedKeyUsage" or a dotted OID to the OID; nullopt otherwise.
std::optional<Oid> eku_from_name(std::string_view name);
// key_usage_from_name maps the RFC 5280 names ("digitalSignature",
// "nonRepudiation"/"contentCommitment", "keyEncipherment", "dataEncipherment",
// "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly")
// to the bit mask (1 << KeyUsageBit); nullopt otherwise.
std::optional<uint16_t> key_usage_from_name(std::string_view name);

}  // namespace tessera::x509
