#include "x509/extensions.h"

#include <cstdio>
#include <set>
#include <string>

#include "base/hex.h"
#include "x509/der.h"

namespace tessera::x509 {
namespace {

std::string format_ipv4(ByteView a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
         std::to_string(a[3]);
}

// RFC 5952 4: lowercase hex, leading zeros dropped, the longest run (>= 2)
// of zero groups replaced by "::".
std::string format_ipv6(ByteView a) {
  uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = static_cast<uint16_t>((a[2 * i] << 8) | a[2 * i + 1]);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) best = i, best_len = j - i;
    i = j;
  }
  std::string out;
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", g[i]);
    out += buf;
  }
  return out;
}

std::string format_ip(ByteView a) { return a.size() == 4 ? format_ipv4(a) : format_ipv6(a); }

Result<std::string> read_ia5(ByteView content, std::string_view what) {
  Result<DerString> s = parse_der_string(tag::kIa5String, content);
  if (!s) return s.error().with_context(what);
  return std::move(s->utf8);
}

// Reads the elements of a GeneralNames SEQUENCE body (already opened).
Result<std::vector<GeneralName>> read_general_names_body(DerReader& r, GeneralNameContext ctx) {
  std::vector<GeneralName> names;
  // RFC 5280 4.2.1.6: GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName.
  if (r.empty()) return der_error("GeneralNames is empty");
  while (!r.empty()) {
    TESSERA_ASSIGN_OR_RETURN(DerElement e, r.read_any());
    Result<GeneralName> n = parse_general_name(e.encoded, ctx);
    if (!n) return n.error().with_context("name " + std::to_string(names.size()));
    names.push_back(std::move(*n));
  }
  return names;
}

Result<void> reject_empty(ByteView value) {
  if (value.empty()) return der_error("empty extension value");
  return ok();
}

}  // namespace

ByteView GeneralName::ip_address() const {
  ByteView v = ip;
  if (v.size() == 8 || v.size() == 32) return v.first(v.size() / 2);
  return v;
}

ByteView GeneralName::ip_mask() const {
  ByteView v = ip;
  if (v.size() == 8 || v.size() == 32) return v.subspan(v.size() / 2);
  return {};
}

namespace {
// shown is IA5String text for display: any ASCII octet is allowed there,
// control characters included, and a name goes into logs, traces and
// terminals, so those are written as \xNN.
std::string shown(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

std::string GeneralName::to_string() const {
  switch (type) {
    case GeneralNameType::dns_name: return "DNS:" + shown(text);
    case GeneralNameType::rfc822_name: return "email:" + shown(text);
    case GeneralNameType::uri: return "URI:" + shown(text);
    case GeneralNameType::ip_address: {
      ByteView addr = ip_address();
      if (addr.size() != 4 && addr.size() != 16) return "IP:<invalid>";
      std::string s = "IP:" + format_ip(addr);
      if (!ip_mask().empty()) s += "/" + format_ip(ip_mask());
      return s;
    }
    case GeneralNameType::directory_name: return "DirName:" + directory_name.to_string();
    case GeneralNameType::registered_id: return "RID:" + registered_id.to_string();
    case GeneralNameType::other_name: return "othername:<unsupported>";
    case GeneralNameType::x400_address: return "X400Name:<unsupported>";
    case GeneralNameType::edi_party_name: return "EdiPartyName:<unsupported>";
  }
  return "<unknown>";
}

Result<GeneralName> parse_general_name(ByteView der, GeneralNameContext ctx) {
  DerReader r(der);
  TESSERA_ASSIGN_OR_RETURN(DerElement e, r.read_any());
  TESSERA_TRY(r.expect_end());
  GeneralName n;
  n.raw.assign(der.begin(), der.end());
  // RFC 5280 4.2.1.6: GeneralName ::= CHOICE { otherName [0], rfc822Name [1]
  // IA5String, dNSName [2] IA5String, x400Address [3], directoryName [4] Name,
  // ediPartyName [5], uniformResourceIdentifier [6] IA5String, iPAddress [7]
  // OCTET STRING, registeredID [8] OBJECT IDENTIFIER } (implicit tags).
  // otherName, x400Address and ediPartyName are kept as they are, once
  // read_der_value has checked them (otherName's value is ANY DEFINED BY
  // type-id).
  auto opaque = [&](GeneralNameType type) -> Result<GeneralName> {
    TESSERA_TRY(DerReader(der).read_der_value());
    n.type = type;
    return n;
  };
  switch (e.tag) {
    case tag::context_constructed(0): return opaque(GeneralNameType::other_name);
    case tag::context_specific(1): {
      n.type = GeneralNameType::rfc822_name;
      TESSERA_ASSIGN_OR_RETURN(n.text, read_ia5(e.content, "rfc822Name"));
      return n;
    }
    case tag::context_specific(2): {
      n.type = GeneralNameType::dns_name;
      TESSERA_ASSIGN_OR_RETURN(n.text, read_ia5(e.content, "dNSName"));
      // RFC 5280 4.2.1.6: subjectAltName extensions with a dNSName of " "
      // MUST NOT be used (an empty name is meaningless in a SAN).
      if (ctx == GeneralNameContext::alt_name && (n.text.empty() || n.text == " ")) {
        return der_error("dNSName is empty");
      }
      return n;
    }
    case tag::context_constructed(3): return opaque(GeneralNameType::x400_address);
    case tag::context_constructed(4): {
      n.type = GeneralNameType::directory_name;
      // directoryName is [4] EXPLICIT Name (a CHOICE cannot be implicitly tagged).
      DerReader inner(e.content, 1);
      TESSERA_ASSIGN_OR_RETURN(DerElement name, inner.read_element(tag::kSequence));
      TESSERA_TRY(with_field(inner.expect_end(), "directoryName"));
      Result<Name> parsed = Name::parse(name.encoded);
      if (!parsed) return parsed.error().with_context("directoryName");
      n.directory_name = std::move(*parsed);
      return n;
    }
    case tag::context_constructed(5): return opaque(GeneralNameType::edi_party_name);
    case tag::context_specific(6): {
      n.type = GeneralNameType::uri;
      TESSERA_ASSIGN_OR_RETURN(n.text, read_ia5(e.content, "uniformResourceIdentifier"));
      return n;
    }
    case tag::context_specific(7): {
      n.type = GeneralNameType::ip_address;
      size_t len = e.content.size();
      if (ctx == GeneralNameContext::alt_name) {
        // RFC 5280 4.2.1.6: four octets for IPv4, sixteen for IPv6.
        if (len != 4 && len != 16) {
          return der_error("iPAddress of " + std::to_string(len) + " octets (must be 4 or 16)");
        }
      } else {
        // RFC 5280 4.2.1.10: address and mask, eight octets for IPv4 and 32
        // for IPv6.
        if (len != 8 && len != 32) {
          return der_error("iPAddress constraint of " + std::to_string(len) +
                           " octets (must be 8 or 32)");
        }
      }
      n.ip.assign(e.content.begin(), e.content.end());
      return n;
    }
    case tag::context_specific(8): {
      n.type = GeneralNameType::registered_id;
      Result<Oid> oid = Oid::from_der_content(e.content);
      if (!oid) return oid.error().with_context("registeredID");
      n.registered_id = *oid;
      return n;
    }
    default: break;
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", e.tag);
  return der_error(std::string("GeneralName has an unknown tag ") + buf);
}

Result<std::vector<GeneralName>> parse_general_names(ByteView der, GeneralNameContext ctx) {
  DerReader outer(der);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  return read_general_names_body(r, ctx);
}

bool ExtendedKeyUsage::has(const Oid& purpose) const {
  for (const Oid& p : purposes) {
    if (p == purpose) return true;
  }
  return false;
}

bool ExtendedKeyUsage::allows(const Oid& purpose) const {
  return has(purpose) || has(oids::kAnyExtendedKeyUsage);
}

const ExtensionInfo* Extensions::find(const Oid& oid) const {
  for (const ExtensionInfo& e : all) {
    if (e.oid == oid) return &e;
  }
  return nullptr;
}

bool Extensions::is_critical(const Oid& oid) const {
  const ExtensionInfo* e = find(oid);
  return e != nullptr && e->critical;
}

Result<BasicConstraints> parse_basic_constraints(ByteView value) {
  // RFC 5280 4.2.1.9: BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT
  // FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }.
  DerReader outer(value);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  BasicConstraints bc;
  if (r.next_is(tag::kBoolean)) {
    TESSERA_ASSIGN_OR_RETURN(bc.ca, with_field(r.read_boolean(), "cA"));
    // X.690 11.5: a DEFAULT value is never encoded in DER.
    if (!bc.ca) return der_error("cA: FALSE must be omitted (DER DEFAULT)");
  }
  if (r.next_is(tag::kInteger)) {
    TESSERA_ASSIGN_OR_RETURN(uint64_t n,
                             with_field(r.read_small_nonnegative(UINT32_MAX), "pathLenConstraint"));
    bc.path_len = static_cast<uint32_t>(n);
  }
  TESSERA_TRY(r.expect_end());
  return bc;
}

Result<KeyUsage> parse_key_usage(ByteView value) {
  DerReader r(value);
  TESSERA_ASSIGN_OR_RETURN(BitString bits, r.read_bit_string());
  TESSERA_TRY(r.expect_end());
  KeyUsage ku;
  for (size_t i = 0; i <= static_cast<size_t>(KeyUsageBit::decipher_only); ++i) {
    if (bits.bit(i)) ku.bits = static_cast<uint16_t>(ku.bits | (1u << i));
  }
  // RFC 5280 4.2.1.3: When the keyUsage extension appears in a certificate,
  // at least one of the bits MUST be set to 1.
  if (ku.bits == 0) return der_error("no key usage bit is set");
  return ku;
}

Result<ExtendedKeyUsage> parse_ext_key_usage(ByteView value) {
  // RFC 5280 4.2.1.12: ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId.
  DerReader outer(value);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  if (r.empty()) return der_error("empty list of key purposes");
  ExtendedKeyUsage eku;
  while (!r.empty()) {
    TESSERA_ASSIGN_OR_RETURN(Oid oid, r.read_oid());
    eku.purposes.push_back(oid);
  }
  return eku;
}

Result<NameConstraints> parse_name_constraints(ByteView value) {
  // RFC 5280 4.2.1.10: NameConstraints ::= SEQUENCE { permittedSubtrees [0]
  // GeneralSubtrees OPTIONAL, excludedSubtrees [1] GeneralSubtrees OPTIONAL }.
  DerReader outer(value);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  NameConstraints nc;
  auto read_subtrees = [&](uint8_t t, std::vector<GeneralSubtree>& out,
                           std::string_view field) -> Result<void> {
    TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> list, r.read_optional_constructed(t));
    if (!list) return ok();
    // GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree.
    if (list->empty()) return der_error(std::string(field) + ": empty list");
    while (!list->empty()) {
      std::string where = std::string(field) + "[" + std::to_string(out.size()) + "]";
      TESSERA_ASSIGN_OR_RETURN(DerReader sub, with_field(list->read_sequence(), where));
      TESSERA_ASSIGN_OR_RETURN(DerElement base, with_field(sub.read_any(), where));
      Result<GeneralName> name =
          parse_general_name(base.encoded, GeneralNameContext::name_constraint);
      if (!name) return name.error().with_context(where);
      // RFC 5280 4.2.1.10: Within this profile, the minimum and maximum fields
      // are not used with any name forms, thus, the minimum MUST be zero, and
      // maximum MUST be absent.
      if (sub.next_is(tag::context_specific(0))) {
        TESSERA_ASSIGN_OR_RETURN(uint64_t min, with_field(sub.read_small_nonnegative(
                                                              UINT32_MAX, tag::context_specific(0)),
                                                          where + ".minimum"));
        if (min != 0) return der_error(where + ": minimum must be 0");
      }
      if (sub.next_is(tag::context_specific(1)))
        return der_error(where + ": maximum must be absent");
      TESSERA_TRY(with_field(sub.expect_end(), where));
      out.push_back(GeneralSubtree{std::move(*name)});
    }
    return ok();
  };
  TESSERA_TRY(read_subtrees(tag::context_constructed(0), nc.permitted, "permittedSubtrees"));
  TESSERA_TRY(read_subtrees(tag::context_constructed(1), nc.excluded, "excludedSubtrees"));
  TESSERA_TRY(r.expect_end());
  // RFC 5280 4.2.1.10: Conforming CAs MUST NOT issue certificates where name
  // constraints is an empty sequence.
  if (nc.permitted.empty() && nc.excluded.empty()) {
    return der_error("neither permittedSubtrees nor excludedSubtrees is present");
  }
  return nc;
}

Result<AuthorityKeyIdentifier> parse_authority_key_identifier(ByteView value) {
  // RFC 5280 4.2.1.1: AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0]
  // KeyIdentifier OPTIONAL, authorityCertIssuer [1] GeneralNames OPTIONAL,
  // authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL }.
  DerReader outer(value);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  AuthorityKeyIdentifier aki;
  TESSERA_ASSIGN_OR_RETURN(std::optional<DerElement> kid,
                           r.read_optional(tag::context_specific(0)));
  if (kid) aki.key_id = Bytes(kid->content.begin(), kid->content.end());
  TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> issuer,
                           r.read_optional_constructed(tag::context_constructed(1)));
  if (issuer) {
    TESSERA_ASSIGN_OR_RETURN(
        aki.cert_issuer, with_field(read_general_names_body(*issuer, GeneralNameContext::alt_name),
                                    "authorityCertIssuer"));
  }
  if (r.next_is(tag::context_specific(2))) {
    TESSERA_ASSIGN_OR_RETURN(ByteView serial, with_field(r.read_integer(tag::context_specific(2)),
                                                         "authorityCertSerialNumber"));
    aki.cert_serial = Bytes(serial.begin(), serial.end());
  }
  TESSERA_TRY(r.expect_end());
  return aki;
}

Result<Bytes> parse_subject_key_identifier(ByteView value) {
  DerReader r(value);
  TESSERA_ASSIGN_OR_RETURN(ByteView id, r.read_octet_string());
  TESSERA_TRY(r.expect_end());
  return Bytes(id.begin(), id.end());
}

Result<std::vector<Oid>> parse_certificate_policies(ByteView value) {
  // RFC 5280 4.2.1.4: certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF
  // PolicyInformation; PolicyInformation ::= SEQUENCE { policyIdentifier
  // CertPolicyId, policyQualifiers SEQUENCE SIZE (1..MAX) OF
  // PolicyQualifierInfo OPTIONAL }.
  DerReader outer(value);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  if (r.empty()) return der_error("empty list of policies");
  std::vector<Oid> policies;
  std::set<Oid> seen;
  while (!r.empty()) {
    TESSERA_ASSIGN_OR_RETURN(DerReader info, r.read_sequence());
    TESSERA_ASSIGN_OR_RETURN(Oid oid, info.read_oid());
    // RFC 5280 4.2.1.4: A certificate policy OID MUST NOT appear more than
    // once in a certificate policies extension.
    if (!seen.insert(oid).second) return der_error("policy " + oid.to_string() + " appears twice");
    if (!info.empty()) {
      TESSERA_ASSIGN_OR_RETURN(DerReader qualifiers, info.read_sequence());
      if (qualifiers.empty()) return der_error("empty policyQualifiers");
      TESSERA_TRY(info.expect_end());
    }
    policies.push_back(oid);
  }
  return policies;
}

Result<std::vector<uint16_t>> parse_tls_feature(ByteView value) {
  // RFC 7633 4.1: Features ::= SEQUENCE OF INTEGER, each a TLS
  // ExtensionType (uint16).
  DerReader outer(value);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  std::vector<uint16_t> features;
  while (!r.empty()) {
    TESSERA_ASSIGN_OR_RETURN(ByteView n, r.read_integer());
    if ((n[0] & 0x80) != 0 || n.size() > 3 || (n.size() == 3 && n[0] != 0))
      return der_error("feature is not a TLS extension type (0..65535)");
    uint32_t v = 0;
    for (uint8_t b : n) v = (v << 8) | b;
    features.push_back(static_cast<uint16_t>(v));
  }
  return features;
}

Result<std::vector<std::string>> parse_crl_distribution_points(ByteView value) {
  // RFC 5280 4.2.1.13: CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF
  // DistributionPoint; DistributionPoint ::= SEQUENCE { distributionPoint [0]
  // DistributionPointName OPTIONAL, reasons [1] ReasonFlags OPTIONAL,
  // cRLIssuer [2] GeneralNames OPTIONAL }; DistributionPointName ::= CHOICE {
  // fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] RDN }.
  DerReader outer(value);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  if (r.empty()) return der_error("empty list of distribution points");
  std::vector<std::string> uris;
  while (!r.empty()) {
    TESSERA_ASSIGN_OR_RETURN(DerReader dp, r.read_sequence());
    TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> dpn,
                             dp.read_optional_constructed(tag::context_constructed(0)));
    if (dpn) {
      TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> full,
                               dpn->read_optional_constructed(tag::context_constructed(0)));
      if (full) {
        TESSERA_ASSIGN_OR_RETURN(std::vector<GeneralName> names,
                                 read_general_names_body(*full, GeneralNameContext::alt_name));
        for (GeneralName& n : names) {
          if (n.type == GeneralNameType::uri) uris.push_back(std::move(n.text));
        }
      } else {
        TESSERA_TRY(dpn->read_constructed(tag::context_constructed(1)));
      }
      TESSERA_TRY(dpn->expect_end());
    }
    TESSERA_TRY(dp.read_optional(tag::context_specific(1)));
    TESSERA_TRY(dp.read_optional(tag::context_constructed(2)));
    TESSERA_TRY(dp.expect_end());
  }
  return uris;
}

Result<std::vector<ExtensionInfo>> parse_extension_list(ByteView der) {
  // RFC 5280 4.1: Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension;
  // Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN
  // DEFAULT FALSE, extnValue OCTET STRING }.
  DerReader outer(der);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  if (r.empty()) return der_error("empty extensions list");
  std::vector<ExtensionInfo> list;
  std::set<Oid> seen;
  while (!r.empty()) {
    std::string where = "extension " + std::to_string(list.size());
    TESSERA_ASSIGN_OR_RETURN(DerReader ext, with_field(r.read_sequence(), where));
    TESSERA_ASSIGN_OR_RETURN(Oid oid, with_field(ext.read_oid(), where + ".extnID"));
    where = oid_name(oid);
    bool critical = false;
    if (ext.next_is(tag::kBoolean)) {
      TESSERA_ASSIGN_OR_RETURN(critical, with_field(ext.read_boolean(), where + ".critical"));
      // X.690 11.5: a DEFAULT value is never encoded in DER.
      if (!critical) return der_error(where + ".critical: FALSE must be omitted (DER DEFAULT)");
    }
    TESSERA_ASSIGN_OR_RETURN(ByteView value,
                             with_field(ext.read_octet_string(), where + ".extnValue"));
    TESSERA_TRY(with_field(ext.expect_end(), where));
    // RFC 5280 4.2: A certificate MUST NOT include more than one instance of
    // a particular extension.
    if (!seen.insert(oid).second) return der_error(where + ": duplicate extension");
    list.push_back(ExtensionInfo{oid, critical, Bytes(value.begin(), value.end())});
  }
  return list;
}

Result<Extensions> parse_extensions(ByteView der) {
  Extensions exts;
  TESSERA_ASSIGN_OR_RETURN(exts.all, parse_extension_list(der));
  for (const ExtensionInfo& info : exts.all) {
    const Oid& oid = info.oid;
    const bool critical = info.critical;
    const ByteView value = info.value;
    const std::string where = oid_name(oid);
    Result<void> parsed = ok();
    if (oid == oids::kBasicConstraints) {
      Result<BasicConstraints> v = parse_basic_constraints(value);
      if (v)
        exts.basic_constraints = *v;
      else
        parsed = v.error();
    } else if (oid == oids::kKeyUsage) {
      Result<KeyUsage> v = parse_key_usage(value);
      if (v)
        exts.key_usage = *v;
      else
        parsed = v.error();
    } else if (oid == oids::kExtKeyUsage) {
      Result<ExtendedKeyUsage> v = parse_ext_key_usage(value);
      if (v)
        exts.ext_key_usage = std::move(*v);
      else
        parsed = v.error();
    } else if (oid == oids::kSubjectAltName) {
      Result<std::vector<GeneralName>> v = parse_general_names(value, GeneralNameContext::alt_name);
      if (v)
        exts.subject_alt_names = std::move(*v);
      else
        parsed = v.error();
    } else if (oid == oids::kNameConstraints) {
      Result<NameConstraints> v = parse_name_constraints(value);
      if (v)
        exts.name_constraints = std::move(*v);
      else
        parsed = v.error();
    } else if (oid == oids::kAuthorityKeyIdentifier) {
      Result<AuthorityKeyIdentifier> v = parse_authority_key_identifier(value);
      if (v)
        exts.authority_key_id = std::move(*v);
      else
        parsed = v.error();
    } else if (oid == oids::kSubjectKeyIdentifier) {
      Result<Bytes> v = parse_subject_key_identifier(value);
      if (v)
        exts.subject_key_id = std::move(*v);
      else
        parsed = v.error();
    } else if (oid == oids::kCertificatePolicies) {
      Result<std::vector<Oid>> v = parse_certificate_policies(value);
      if (v)
        exts.certificate_policies = std::move(*v);
      else
        parsed = v.error();
    } else if (oid == oids::kCrlDistributionPoints) {
      Result<std::vector<std::string>> v = parse_crl_distribution_points(value);
      if (v)
        exts.crl_distribution_uris = std::move(*v);
      else
        parsed = v.error();
    } else if (oid == oids::kTlsFeature) {
      Result<std::vector<uint16_t>> v = parse_tls_feature(value);
      if (v)
        exts.tls_features = std::move(*v);
      else
        parsed = v.error();
    } else if (oid == oids::kIssuerAltName || oid == oids::kAuthorityInfoAccess ||
               oid == oids::kCtPrecertificateScts) {
      // Recognised, not needed for validation: parsed no further.
      parsed = reject_empty(value);
    } else if (critical) {
      // RFC 5280 4.2: A certificate-using system MUST reject the certificate
      // if it encounters a critical extension it does not recognize. The
      // verifier does so; the parser records it.
      exts.has_unknown_critical_extension = true;
      exts.unknown_critical_oids.push_back(oid);
    }
    if (!parsed) return std::move(parsed).error().with_context(where);
  }
  return exts;
}

}  // namespace tessera::x509
