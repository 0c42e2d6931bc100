// x509/oid.h — OBJECT IDENTIFIER values and the OIDs tessera knows by name.
//
// An Oid holds the DER content octets of an OBJECT IDENTIFIER (without tag
// and length), inline, so the well-known OIDs below are constexpr values and
// comparing two OIDs is a byte comparison. OIDs longer than kMaxOidLength
// content octets are refused by the parser (no real certificate needs more).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "tessera/result.h"

namespace tessera::x509 {

inline constexpr size_t kMaxOidLength = 63;

class Oid {
 public:
  constexpr Oid() = default;
  // Constructs an OID from DER content octets known to be valid (for
  // constants); longer than kMaxOidLength is truncated, so keep to constants.
  constexpr Oid(std::initializer_list<uint8_t> content) {
    for (uint8_t b : content) {
      if (size_ < kMaxOidLength) bytes_[size_++] = b;
    }
  }

  // from_der_content validates DER content octets (non-empty, minimal
  // base-128 subidentifiers: no leading 0x80 byte, last byte of the content
  // ends a subidentifier, length <= kMaxOidLength) and returns the Oid;
  // cert_parse naming the problem otherwise.
  static Result<Oid> from_der_content(ByteView content);
  // check_der_content applies the same rules except the length limit (for
  // OIDs inside values tessera does not interpret, see
  // DerReader::read_der_value).
  static Result<void> check_der_content(ByteView content);
  // from_string parses dotted decimal ("1.2.840.113549.1.1.11"): at least
  // two arcs, first arc 0..2, second arc < 40 unless the first is 2;
  // config_invalid on anything else.
  static Result<Oid> from_string(std::string_view dotted);

  // der_content returns the content octets (valid while this Oid lives).
  ByteView der_content() const { return {bytes_.data(), size_}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // to_string renders dotted decimal, e.g. "2.5.29.19".
  std::string to_string() const;

  friend constexpr bool operator==(const Oid& a, const Oid& b) {
    return a.size_ == b.size_ &&
           std::equal(a.bytes_.begin(), a.bytes_.begin() + a.size_, b.bytes_.begin());
  }
  friend constexpr bool operator<(const Oid& a, const Oid& b) {
    return std::lexicographical_compare(a.bytes_.begin(), a.bytes_.begin() + a.size_,
                                        b.bytes_.begin(), b.bytes_.begin() + b.size_);
  }

 private:
  std::array<uint8_t, kMaxOidLength> bytes_{};
  uint8_t size_ = 0;
};

// oid_name returns a short well-known name for an OID ("CN", "serverAuth",
// "basicConstraints", "sha256WithRSAEncryption", ...) or the dotted form for
// one we do not know.
std::string oid_name(const Oid& oid);

// AttributeTypeName pairs a Distinguished Name attribute type (RFC 5280
// 4.1.2.4, X.520) with its short name, spelled as OpenSSL prints it.
struct AttributeTypeName {
  const Oid* oid;
  std::string_view name;
};
// attribute_type_names lists the attribute types tessera names ("CN", "O",
// ...); oid_name and the Name parser and printer (name.cc) share it.
std::span<const AttributeTypeName> attribute_type_names();

namespace oids {
// Public key algorithms (RFC 3279, RFC 4055, RFC 5480, RFC 8410).
inline constexpr Oid kRsaEncryption{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
inline constexpr Oid kRsassaPss{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};
inline constexpr Oid kMgf1{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08};
inline constexpr Oid kEcPublicKey{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
inline constexpr Oid kEd25519{0x2b, 0x65, 0x70};
inline constexpr Oid kEd448{0x2b, 0x65, 0x71};
// Named curves (RFC 5480 2.1.1.1).
inline constexpr Oid kSecp256r1{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
inline constexpr Oid kSecp384r1{0x2b, 0x81, 0x04, 0x00, 0x22};
inline constexpr Oid kSecp521r1{0x2b, 0x81, 0x04, 0x00, 0x23};
// Signature algorithms (RFC 3279, RFC 4055, RFC 5758).
inline constexpr Oid kMd5WithRsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04};
inline constexpr Oid kSha1WithRsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05};
inline constexpr Oid kSha256WithRsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
inline constexpr Oid kSha384WithRsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c};
inline constexpr Oid kSha512WithRsa{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d};
inline constexpr Oid kEcdsaWithSha1{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01};
inline constexpr Oid kEcdsaWithSha256{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
inline constexpr Oid kEcdsaWithSha384{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
inline constexpr Oid kEcdsaWithSha512{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};
// Hash algorithms.
inline constexpr Oid kSha1{0x2b, 0x0e, 0x03, 0x02, 0x1a};
inline constexpr Oid kSha256{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
inline constexpr Oid kSha384{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
inline constexpr Oid kSha512{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};
// Attribute types (RFC 5280 4.1.2.4, appendix A.1).
inline constexpr Oid kCommonName{0x55, 0x04, 0x03};
inline constexpr Oid kSurname{0x55, 0x04, 0x04};
inline constexpr Oid kSerialNumber{0x55, 0x04, 0x05};
inline constexpr Oid kCountryName{0x55, 0x04, 0x06};
inline constexpr Oid kLocalityName{0x55, 0x04, 0x07};
inline constexpr Oid kStateOrProvinceName{0x55, 0x04, 0x08};
inline constexpr Oid kStreetAddress{0x55, 0x04, 0x09};
inline constexpr Oid kOrganizationName{0x55, 0x04, 0x0a};
inline constexpr Oid kOrganizationalUnitName{0x55, 0x04, 0x0b};
inline constexpr Oid kTitle{0x55, 0x04, 0x0c};
inline constexpr Oid kGivenName{0x55, 0x04, 0x2a};
inline constexpr Oid kDomainComponent{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19};
inline constexpr Oid kUserId{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01};
inline constexpr Oid kEmailAddress{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};
// Certificate and CRL extensions (RFC 5280 4.2, 5.2, 5.3).
inline constexpr Oid kSubjectKeyIdentifier{0x55, 0x1d, 0x0e};
inline constexpr Oid kKeyUsage{0x55, 0x1d, 0x0f};
inline constexpr Oid kSubjectAltName{0x55, 0x1d, 0x11};
inline constexpr Oid kIssuerAltName{0x55, 0x1d, 0x12};
inline constexpr Oid kBasicConstraints{0x55, 0x1d, 0x13};
inline constexpr Oid kCrlNumber{0x55, 0x1d, 0x14};
inline constexpr Oid kCrlReason{0x55, 0x1d, 0x15};
inline constexpr Oid kInvalidityDate{0x55, 0x1d, 0x18};
inline constexpr Oid kDeltaCrlIndicator{0x55, 0x1d, 0x1b};
inline constexpr Oid kIssuingDistributionPoint{0x55, 0x1d, 0x1c};
inline constexpr Oid kCertificateIssuer{0x55, 0x1d, 0x1d};
inline constexpr Oid kNameConstraints{0x55, 0x1d, 0x1e};
inline constexpr Oid kCrlDistributionPoints{0x55, 0x1d, 0x1f};
inline constexpr Oid kCertificatePolicies{0x55, 0x1d, 0x20};
inline constexpr Oid kPolicyMappings{0x55, 0x1d, 0x21};
inline constexpr Oid kAuthorityKeyIdentifier{0x55, 0x1d, 0x23};
inline constexpr Oid kPolicyConstraints{0x55, 0x1d, 0x24};
inline constexpr Oid kExtKeyUsage{0x55, 0x1d, 0x25};
inline constexpr Oid kInhibitAnyPolicy{0x55, 0x1d, 0x36};
inline constexpr Oid kAuthorityInfoAccess{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};
// RFC 7633 4.1: id-pe-tlsfeature, 1.3.6.1.5.5.7.1.24.
inline constexpr Oid kTlsFeature{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18};
// id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1): 1.3.6.1.5.5.7.48.1.5.
inline constexpr Oid kOcspNoCheck{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x05};
// OCSP (RFC 6960 4.2.1, 4.4.1): id-pkix-ocsp-basic and id-pkix-ocsp-nonce.
inline constexpr Oid kOcspBasic{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};
inline constexpr Oid kOcspNonce{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02};
inline constexpr Oid kCtPrecertificateScts{0x2b, 0x06, 0x01, 0x04, 0x01,
                                           0xd6, 0x79, 0x02, 0x04, 0x02};
// anyPolicy (RFC 5280 4.2.1.4).
inline constexpr Oid kAnyPolicy{0x55, 0x1d, 0x20, 0x00};
// Extended key usage purposes (RFC 5280 4.2.1.12).
inline constexpr Oid kAnyExtendedKeyUsage{0x55, 0x1d, 0x25, 0x00};
inline constexpr Oid kServerAuth{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
inline constexpr Oid kClientAuth{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
inline constexpr Oid kCodeSigning{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03};
inline constexpr Oid kEmailProtection{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04};
inline constexpr Oid kTimeStamping{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08};
inline constexpr Oid kOcspSigning{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09};
}  // namespace oids

}  // namespace tessera::x509
