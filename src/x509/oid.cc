#include "x509/oid.h"

#include <charconv>
#include <string>
#include <vector>

namespace tessera::x509 {
namespace {

Error oid_error(std::string msg) {
  return Error(ErrorCode::cert_parse, "OBJECT IDENTIFIER: " + msg);
}

// Appends the decimal form of a base-128 subidentifier (any length) to out.
void append_subidentifier(ByteView groups, uint64_t offset_first, std::string& out) {
  // Little-endian base-1e9 limbs; subidentifiers of more than 63 bits (UUID
  // OIDs under 2.25) need more than a uint64.
  std::vector<uint32_t> limbs{0};
  auto mul_add = [&](uint32_t mul, uint32_t add) {
    uint64_t carry = add;
    for (uint32_t& l : limbs) {
      uint64_t v = static_cast<uint64_t>(l) * mul + carry;
      l = static_cast<uint32_t>(v % 1000000000u);
      carry = v / 1000000000u;
    }
    while (carry != 0) {
      limbs.push_back(static_cast<uint32_t>(carry % 1000000000u));
      carry /= 1000000000u;
    }
  };
  for (uint8_t g : groups) mul_add(128, g & 0x7f);
  // Subtract offset_first (used for the second arc of the first subidentifier).
  if (offset_first != 0) {
    uint64_t borrow = offset_first;
    for (uint32_t& l : limbs) {
      uint64_t sub = borrow % 1000000000u;
      borrow /= 1000000000u;
      if (l < sub) {
        l = static_cast<uint32_t>(l + 1000000000u - sub);
        ++borrow;
      } else {
        l = static_cast<uint32_t>(l - sub);
      }
      if (borrow == 0) break;
    }
    while (limbs.size() > 1 && limbs.back() == 0) limbs.pop_back();
  }
  out += std::to_string(limbs.back());
  for (size_t i = limbs.size() - 1; i-- > 0;) {
    std::string part = std::to_string(limbs[i]);
    out.append(9 - part.size(), '0');
    out += part;
  }
}

}  // namespace

Result<void> Oid::check_der_content(ByteView content) {
  // X.690 8.19.2: an OID has at least one subidentifier.
  if (content.empty()) return oid_error("empty");
  bool at_start = true;
  for (uint8_t b : content) {
    // X.690 8.19.2: each subidentifier is encoded in the fewest possible
    // octets, so its first octet is never 0x80.
    if (at_start && b == 0x80) return oid_error("non-minimal subidentifier (leading 0x80 octet)");
    at_start = (b & 0x80) == 0;
  }
  if (!at_start) return oid_error("last subidentifier is truncated");
  return ok();
}

Result<Oid> Oid::from_der_content(ByteView content) {
  if (content.size() > kMaxOidLength) {
    return oid_error("longer than " + std::to_string(kMaxOidLength) + " octets");
  }
  TESSERA_TRY(check_der_content(content));
  Oid oid;
  for (uint8_t b : content) oid.bytes_[oid.size_++] = b;
  return oid;
}

Result<Oid> Oid::from_string(std::string_view dotted) {
  auto invalid = [&] {
    return Error(ErrorCode::config_invalid, "invalid OID \"" + std::string(dotted) + "\"");
  };
  std::vector<std::string_view> arcs;
  size_t pos = 0;
  while (true) {
    size_t dot = dotted.find('.', pos);
    std::string_view part =
        dotted.substr(pos, dot == std::string_view::npos ? dotted.npos : dot - pos);
    if (part.empty() || part.size() > 3 * kMaxOidLength || (part.size() > 1 && part[0] == '0')) {
      return invalid();
    }
    for (char c : part) {
      if (c < '0' || c > '9') return invalid();
    }
    arcs.push_back(part);
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  auto small = [](std::string_view part, uint64_t& v) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    return ec == std::errc() && end == part.data() + part.size();
  };
  uint64_t first = 0, second = 0;
  if (arcs.size() < 2 || !small(arcs[0], first) || !small(arcs[1], second) || first > 2 ||
      (first < 2 && second >= 40) || second > UINT64_MAX - 80) {
    return invalid();
  }
  Bytes content;
  // Appends the base-128 encoding of a decimal number of any size.
  auto put = [&](std::string decimal) {
    uint8_t groups[3 * kMaxOidLength];
    size_t n = 0;
    do {
      // Divide the decimal string by 128, keeping the remainder.
      std::string quotient;
      unsigned rem = 0;
      for (char c : decimal) {
        rem = rem * 10 + static_cast<unsigned>(c - '0');
        if (!quotient.empty() || rem >= 128) quotient += static_cast<char>('0' + rem / 128);
        rem %= 128;
      }
      groups[n++] = static_cast<uint8_t>(rem);
      decimal = quotient.empty() ? "0" : quotient;
    } while (decimal != "0" && n < sizeof groups);
    while (n-- > 0) content.push_back(static_cast<uint8_t>(groups[n] | (n != 0 ? 0x80 : 0)));
  };
  // X.690 8.19.4: the first two arcs form one subidentifier 40 * X + Y.
  put(std::to_string(first * 40 + second));
  for (size_t i = 2; i < arcs.size(); ++i) put(std::string(arcs[i]));
  if (content.size() > kMaxOidLength) {
    return Error(ErrorCode::config_invalid, "OID \"" + std::string(dotted) + "\" is too long");
  }
  Result<Oid> r = from_der_content(content);
  if (!r) return Error(ErrorCode::config_invalid, r.error().message());
  return r;
}

std::string Oid::to_string() const {
  std::string out;
  ByteView c = der_content();
  size_t start = 0;
  bool first = true;
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] & 0x80) continue;
    ByteView groups = c.subspan(start, i + 1 - start);
    if (first) {
      // X.690 8.19.4: the first subidentifier is 40 * X + Y; X is 2 when the
      // value is 80 or more.
      uint64_t small = 0;
      bool fits = groups.size() <= 8;
      for (uint8_t g : groups) small = (small << 7) | (g & 0x7f);
      if (fits && small < 80) {
        out += std::to_string(small / 40) + "." + std::to_string(small % 40);
      } else {
        out += "2.";
        append_subidentifier(groups, 80, out);
      }
      first = false;
    } else {
      out += '.';
      append_subidentifier(groups, 0, out);
    }
    start = i + 1;
  }
  return out;
}

std::span<const AttributeTypeName> attribute_type_names() {
  static constexpr AttributeTypeName kNames[] = {
      {&oids::kCommonName, "CN"},
      {&oids::kSurname, "SN"},
      {&oids::kSerialNumber, "serialNumber"},
      {&oids::kCountryName, "C"},
      {&oids::kLocalityName, "L"},
      {&oids::kStateOrProvinceName, "ST"},
      {&oids::kStreetAddress, "street"},
      {&oids::kOrganizationName, "O"},
      {&oids::kOrganizationalUnitName, "OU"},
      {&oids::kTitle, "title"},
      {&oids::kGivenName, "GN"},
      {&oids::kDomainComponent, "DC"},
      {&oids::kUserId, "UID"},
      {&oids::kEmailAddress, "emailAddress"},
  };
  return kNames;
}

std::string oid_name(const Oid& oid) {
  for (const AttributeTypeName& a : attribute_type_names()) {
    if (*a.oid == oid) return std::string(a.name);
  }
  struct Entry {
    const Oid* oid;
    const char* name;
  };
  static const Entry kNames[] = {
      {&oids::kRsaEncryption, "rsaEncryption"},
      {&oids::kRsassaPss, "rsassaPss"},
      {&oids::kMgf1, "mgf1"},
      {&oids::kEcPublicKey, "id-ecPublicKey"},
      {&oids::kEd25519, "ED25519"},
      {&oids::kEd448, "ED448"},
      {&oids::kSecp256r1, "prime256v1"},
      {&oids::kSecp384r1, "secp384r1"},
      {&oids::kSecp521r1, "secp521r1"},
      {&oids::kMd5WithRsa, "md5WithRSAEncryption"},
      {&oids::kSha1WithRsa, "sha1WithRSAEncryption"},
      {&oids::kSha256WithRsa, "sha256WithRSAEncryption"},
      {&oids::kSha384WithRsa, "sha384WithRSAEncryption"},
      {&oids::kSha512WithRsa, "sha512WithRSAEncryption"},
      {&oids::kEcdsaWithSha1, "ecdsa-with-SHA1"},
      {&oids::kEcdsaWithSha256, "ecdsa-with-SHA256"},
      {&oids::kEcdsaWithSha384, "ecdsa-with-SHA384"},
      {&oids::kEcdsaWithSha512, "ecdsa-with-SHA512"},
      {&oids::kSha1, "sha1"},
      {&oids::kSha256, "sha256"},
      {&oids::kSha384, "sha384"},
      {&oids::kSha512, "sha512"},
      {&oids::kSubjectKeyIdentifier, "subjectKeyIdentifier"},
      {&oids::kKeyUsage, "keyUsage"},
      {&oids::kSubjectAltName, "subjectAltName"},
      {&oids::kIssuerAltName, "issuerAltName"},
      {&oids::kBasicConstraints, "basicConstraints"},
      {&oids::kCrlNumber, "cRLNumber"},
      {&oids::kCrlReason, "cRLReason"},
      {&oids::kInvalidityDate, "invalidityDate"},
      {&oids::kDeltaCrlIndicator, "deltaCRLIndicator"},
      {&oids::kIssuingDistributionPoint, "issuingDistributionPoint"},
      {&oids::kCertificateIssuer, "certificateIssuer"},
      {&oids::kNameConstraints, "nameConstraints"},
      {&oids::kCrlDistributionPoints, "cRLDistributionPoints"},
      {&oids::kCertificatePolicies, "certificatePolicies"},
      {&oids::kPolicyMappings, "policyMappings"},
      {&oids::kAuthorityKeyIdentifier, "authorityKeyIdentifier"},
      {&oids::kPolicyConstraints, "policyConstraints"},
      {&oids::kExtKeyUsage, "extKeyUsage"},
      {&oids::kInhibitAnyPolicy, "inhibitAnyPolicy"},
      {&oids::kAuthorityInfoAccess, "authorityInfoAccess"},
      {&oids::kOcspBasic, "id-pkix-ocsp-basic"},
      {&oids::kOcspNonce, "id-pkix-ocsp-nonce"},
      {&oids::kCtPrecertificateScts, "ctPrecertificateSCTs"},
      {&oids::kTlsFeature, "tlsfeature"},
      {&oids::kAnyPolicy, "anyPolicy"},
      {&oids::kAnyExtendedKeyUsage, "anyExtendedKeyUsage"},
      {&oids::kServerAuth, "serverAuth"},
      {&oids::kClientAuth, "clientAuth"},
      {&oids::kCodeSigning, "codeSigning"},
      {&oids::kEmailProtection, "emailProtection"},
      {&oids::kTimeStamping, "timeStamping"},
      {&oids::kOcspSigning, "OCSPSigning"},
  };
  for (const Entry& e : kNames) {
    if (*e.oid == oid) return e.name;
  }
  return oid.to_string();
}

}  // namespace tessera::x509
