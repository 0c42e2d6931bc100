// x509/extensions.h — the certificate extensions tessera understands
// (RFC 5280 4.2) and their parsers.
//
// parse_extensions reads the `extensions` field of a v3 TBSCertificate and
// fills an Extensions value. Recognised extensions are decoded strictly; a
// malformed recognised extension makes the certificate fail to parse.
// Unknown non-critical extensions are ignored; unknown critical ones are
// recorded (has_unknown_critical_extension, unknown_critical_oids) so the
// verifier refuses the certificate (RFC 5280 4.2). Every extension is also
// listed in `all` with its criticality.
//
// Recognised and decoded: basicConstraints, keyUsage, extKeyUsage,
// subjectAltName, nameConstraints, authorityKeyIdentifier,
// subjectKeyIdentifier, certificatePolicies, cRLDistributionPoints.
// Recognised but not decoded (never flagged): issuerAltName,
// authorityInfoAccess, CT precertificate SCTs. Everything else, including
// policyMappings, policyConstraints and inhibitAnyPolicy (tessera does no
// policy processing), counts as unknown: flagged when critical.
// keyUsage: trailing zero bits in the BIT STRING are tolerated (some
// encoders leave them), but at least one bit must be set.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "tessera/result.h"
#include "x509/name.h"
#include "x509/oid.h"

namespace tessera::x509 {

// RFC 5280 4.2.1.6: GeneralName CHOICE tags.
enum class GeneralNameType : uint8_t {
  other_name = 0,
  rfc822_name = 1,
  dns_name = 2,
  x400_address = 3,
  directory_name = 4,
  edi_party_name = 5,
  uri = 6,
  ip_address = 7,
  registered_id = 8,
};

// One GeneralName. Which fields are meaningful depends on `type`:
//   rfc822_name, dns_name, uri: `text` (IA5String, ASCII checked);
//   ip_address: `ip` — 4 or 16 octets in subjectAltName; in nameConstraints
//     8 or 32 octets (address followed by mask), see `ip_mask()`;
//   directory_name: `directory_name`;
//   registered_id: `registered_id`;
//   other_name, x400_address, edi_party_name: only `raw`.
// `raw` is always the complete DER encoding of the GeneralName.
struct GeneralName {
  GeneralNameType type = GeneralNameType::dns_name;
  std::string text;
  Bytes ip;
  Name directory_name;
  Oid registered_id;
  Bytes raw;

  // ip_address returns the address part of `ip` (all of it in a SAN, the
  // first half in a name constraint).
  ByteView ip_address() const;
  // ip_mask returns the mask half of a name-constraint iPAddress (empty for a
  // SAN address).
  ByteView ip_mask() const;
  // to_string renders "DNS:example.com", "IP:127.0.0.1", "IP:::1",
  // "IP:10.0.0.0/255.0.0.0", "email:a@b", "URI:https://...",
  // "DirName:CN=...", "RID:1.2.3", "othername:<unsupported>", like OpenSSL;
  // control characters in IA5String text as \xNN.
  std::string to_string() const;
};

// Where a GeneralNames value is parsed decides the iPAddress lengths allowed.
enum class GeneralNameContext : uint8_t { alt_name, name_constraint };

// parse_general_name reads one GeneralName from its complete DER encoding.
Result<GeneralName> parse_general_name(ByteView der, GeneralNameContext ctx);
// parse_general_names reads GeneralNames ::= SEQUENCE SIZE (1..MAX) OF
// GeneralName from its complete DER encoding.
Result<std::vector<GeneralName>> parse_general_names(ByteView der, GeneralNameContext ctx);

// RFC 5280 4.2.1.9.
struct BasicConstraints {
  bool ca = false;
  std::optional<uint32_t> path_len;  // pathLenConstraint, only meaningful if ca
};

// RFC 5280 4.2.1.3: KeyUsage bit numbers (ASN.1 NamedBitList positions).
enum class KeyUsageBit : uint8_t {
  digital_signature = 0,
  non_repudiation = 1,  // contentCommitment
  key_encipherment = 2,
  data_encipherment = 3,
  key_agreement = 4,
  key_cert_sign = 5,
  crl_sign = 6,
  encipher_only = 7,
  decipher_only = 8,
};

struct KeyUsage {
  uint16_t bits = 0;  // bit (1 << n) set iff KeyUsageBit n is asserted
  bool has(KeyUsageBit b) const { return (bits >> static_cast<unsigned>(b)) & 1u; }
};

// RFC 5280 4.2.1.12.
struct ExtendedKeyUsage {
  std::vector<Oid> purposes;
  bool has(const Oid& purpose) const;
  // allows is true if `purpose` or anyExtendedKeyUsage is listed.
  bool allows(const Oid& purpose) const;
};

// RFC 5280 4.2.1.10: one GeneralSubtree (minimum is 0 and maximum absent;
// anything else is refused by the parser).
struct GeneralSubtree {
  GeneralName base;
};

struct NameConstraints {
  std::vector<GeneralSubtree> permitted;
  std::vector<GeneralSubtree> excluded;
};

// RFC 5280 4.2.1.1 (only keyIdentifier is used for path building; the
// issuer/serial form is kept raw).
struct AuthorityKeyIdentifier {
  std::optional<Bytes> key_id;
  std::optional<std::vector<GeneralName>> cert_issuer;
  std::optional<Bytes> cert_serial;
};

// One entry of the extensions list as it appeared.
struct ExtensionInfo {
  Oid oid;
  bool critical = false;
  Bytes value;  // the extnValue OCTET STRING contents
};

struct Extensions {
  std::optional<BasicConstraints> basic_constraints;
  std::optional<KeyUsage> key_usage;
  std::optional<ExtendedKeyUsage> ext_key_usage;
  // subjectAltName: the names in order (empty if the extension is absent).
  std::optional<std::vector<GeneralName>> subject_alt_names;
  std::optional<NameConstraints> name_constraints;
  std::optional<AuthorityKeyIdentifier> authority_key_id;
  std::optional<Bytes> subject_key_id;
  // certificatePolicies: the policy OIDs (qualifiers are not kept).
  std::optional<std::vector<Oid>> certificate_policies;
  // cRLDistributionPoints: every URI found in a distributionPoint fullName.
  std::vector<std::string> crl_distribution_uris;
  // RFC 7633 TLS feature: the TLS extension types a server presenting this
  // certificate must use; 5 (status_request) is "OCSP must-staple".
  std::optional<std::vector<uint16_t>> tls_features;

  // RFC 5280 4.2: "A certificate-using system MUST reject the certificate if
  // it encounters a critical extension it does not recognize".
  bool has_unknown_critical_extension = false;
  std::vector<Oid> unknown_critical_oids;

  std::vector<ExtensionInfo> all;

  // find returns the entry for oid, or nullptr.
  const ExtensionInfo* find(const Oid& oid) const;
  // is_critical is true iff the extension is present and marked critical.
  bool is_critical(const Oid& oid) const;
  // requires_tls_feature is true iff the RFC 7633 TLS feature extension
  // lists the TLS extension `type` (5, status_request: "must-staple").
  bool requires_tls_feature(uint16_t type) const {
    return tls_features &&
           std::find(tls_features->begin(), tls_features->end(), type) != tls_features->end();
  }
};

// parse_extensions reads Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
// from its complete DER encoding (the SEQUENCE TLV inside [3] EXPLICIT).
// Rejects duplicates (RFC 5280 4.2), an explicit DEFAULT FALSE critical flag
// encoded as FALSE (DER forbids encoding a default), and malformed recognised
// extensions; errors name the extension ("basicConstraints: ..."; the
// certificate parser prefixes "tbsCertificate.extensions: ").
Result<Extensions> parse_extensions(ByteView der);

// parse_extension_list reads Extensions ::= SEQUENCE SIZE (1..MAX) OF
// Extension from its complete DER encoding without interpreting any value:
// the shared part of parse_extensions and the OCSP parser (ocsp.h). Rejects
// an empty list, a critical flag encoded as FALSE (DER DEFAULT) and
// duplicates (RFC 5280 4.2); errors name the extension.
Result<std::vector<ExtensionInfo>> parse_extension_list(ByteView der);

// Parsers of individual extension values (the extnValue contents).
Result<BasicConstraints> parse_basic_constraints(ByteView value);
Result<KeyUsage> parse_key_usage(ByteView value);
Result<ExtendedKeyUsage> parse_ext_key_usage(ByteView value);
Result<NameConstraints> parse_name_constraints(ByteView value);
Result<AuthorityKeyIdentifier> parse_authority_key_identifier(ByteView value);
Result<Bytes> parse_subject_key_identifier(ByteView value);
Result<std::vector<Oid>> parse_certificate_policies(ByteView value);
Result<std::vector<std::string>> parse_crl_distribution_points(ByteView value);
Result<std::vector<uint16_t>> parse_tls_feature(ByteView value);

}  // namespace tessera::x509
