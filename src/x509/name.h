// x509/name.h — X.501 Name (a sequence of RDNs) as used in certificates.
//
// A Name keeps its raw DER (for exact matching and re-encoding) and the parsed
// RelativeDistinguishedNames in certificate order (most significant first,
// usually C / O / ... / CN).
//
// to_string() renders the RDNs in certificate order, separated by ", ", with
// the attributes of a multi-valued RDN joined by " + " (the order OpenSSL
// prints them in, without spaces around '='):
//     "C=US, O=Example, CN=Example Intermediate"
// Attribute types use their short names (CN, O, OU, C, L, ST, DC, UID,
// emailAddress, serialNumber, ...) or dotted OIDs; values that contain
// ',', '+', '"', '\\', '<', '>', ';' or '=' or leading/trailing blanks are
// escaped with a backslash as in RFC 4514.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "tessera/result.h"
#include "x509/oid.h"

namespace tessera::x509 {

struct AttributeTypeAndValue {
  Oid type;
  uint8_t value_tag = 0;  // DER tag of the value (a string tag for known types)
  Bytes value_raw;        // content octets of the value as encoded
  std::string value;      // the value as UTF-8 (for string types); empty if not a string
};

// RFC 5280 4.1.2.4: RelativeDistinguishedName ::= SET SIZE (1..MAX) OF
// AttributeTypeAndValue.
using RelativeDistinguishedName = std::vector<AttributeTypeAndValue>;

class Name {
 public:
  Name() = default;

  // parse reads a Name from its complete DER encoding (a SEQUENCE TLV, which
  // must be all of `der`): a SEQUENCE OF non-empty SETs of
  // AttributeTypeAndValue. cert_parse on any violation.
  static Result<Name> parse(ByteView der);
  // from_string parses "CN=Example, O=Org, C=US" (RDNs in the order given,
  // one attribute each; ',' inside a value escaped as "\,"; known short names
  // or dotted OIDs as types) and builds the Name with its DER encoding:
  // C as PrintableString, emailAddress and DC as IA5String, others as
  // UTF8String. config_invalid on a malformed string.
  static Result<Name> from_string(std::string_view text);
  // from_rdns builds a Name (and its DER) from RDNs whose value_tag/value_raw
  // are set.
  static Name from_rdns(std::vector<RelativeDistinguishedName> rdns);

  // der returns the complete DER encoding (SEQUENCE TLV).
  ByteView der() const { return der_; }
  const std::vector<RelativeDistinguishedName>& rdns() const { return rdns_; }
  bool empty() const { return rdns_.empty(); }

  // to_string renders the name as documented at the top of this file;
  // an empty name renders as "" .
  std::string to_string() const;
  // common_name returns the value of the last (most specific) CN attribute,
  // or nullopt if there is none.
  std::optional<std::string> common_name() const;
  // attribute_values returns the values of every attribute of the given type,
  // in order (e.g. all emailAddress values for name constraints).
  std::vector<std::string> attribute_values(const Oid& type) const;

 private:
  Bytes der_;
  std::vector<RelativeDistinguishedName> rdns_;
};

// RFC 5280 7.1: names_equal compares two Names: the same number of RDNs, and
// each pair of RDNs holds the same set of attributes (in any order within the
// RDN). Values of PrintableString or UTF8String (on both sides) are compared
// after case folding (ASCII) and whitespace compression (leading and trailing
// spaces removed, inner runs reduced to one space); all other values are
// compared byte for byte, tag included.
bool names_equal(const Name& a, const Name& b);

// rdn_equal compares two RDNs with the rules of names_equal.
bool rdn_equal(const RelativeDistinguishedName& a, const RelativeDistinguishedName& b);

// normalize_name_value applies the comparison normalisation of names_equal to
// a string value (case folding and whitespace compression).
std::string normalize_name_value(std::string_view v);

}  // namespace tessera::x509
