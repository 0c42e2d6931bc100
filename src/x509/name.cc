#include "x509/name.h"

#include <algorithm>
#include <string>

#include "base/hex.h"
#include "x509/der.h"
#include "x509/der_writer.h"

namespace tessera::x509 {
namespace {

std::string type_name(const Oid& oid) {
  for (const AttributeTypeName& a : attribute_type_names()) {
    if (*a.oid == oid) return std::string(a.name);
  }
  return oid.to_string();
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Result<Oid> type_from_name(std::string_view name) {
  for (const AttributeTypeName& a : attribute_type_names()) {
    if (ieq(a.name, name)) return *a.oid;
  }
  if (ieq(name, "commonName")) return oids::kCommonName;
  if (ieq(name, "organizationName")) return oids::kOrganizationName;
  if (ieq(name, "organizationalUnitName")) return oids::kOrganizationalUnitName;
  if (ieq(name, "countryName")) return oids::kCountryName;
  if (ieq(name, "localityName")) return oids::kLocalityName;
  if (ieq(name, "stateOrProvinceName")) return oids::kStateOrProvinceName;
  if (ieq(name, "E") || ieq(name, "email")) return oids::kEmailAddress;
  if (!name.empty() && name[0] >= '0' && name[0] <= '2') return Oid::from_string(name);
  return Error(ErrorCode::config_invalid, "unknown attribute type \"" + std::string(name) + "\"");
}

// RFC 4514 2.4 escaping of a value for display.
std::string escape_value(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    bool special = c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' ||
                   c == ';' || c == '=';
    bool edge_blank = c == ' ' && (i == 0 || i + 1 == v.size());
    bool leading_hash = c == '#' && i == 0;
    if (special || edge_blank || leading_hash) out += '\\';
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '\\';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[c & 15];
      continue;
    }
    out += c;
  }
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool attribute_equal(const AttributeTypeAndValue& a, const AttributeTypeAndValue& b) {
  if (!(a.type == b.type)) return false;
  // RFC 5280 7.1: two values match "after processing with the string
  // preparation algorithm" (RFC 4518), whatever string type encodes them:
  // the same text in a BMPString and a UTF8String is the same name, or an
  // excluded directoryName could be escaped by re-encoding it. Every string
  // type was decoded to UTF-8 (Name::parse); we fold ASCII case and
  // compress whitespace, which covers 7.3's case-insensitive domainComponent
  // (an IA5String) too. Other values compare as encoded.
  if (is_string_tag(a.value_tag) && is_string_tag(b.value_tag)) {
    return normalize_name_value(a.value) == normalize_name_value(b.value);
  }
  return a.value_tag == b.value_tag && a.value_raw == b.value_raw;
}

// Splits text at unescaped `sep`, keeping escapes in the parts.
std::vector<std::string_view> split_unescaped(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      continue;
    }
    if (text[i] == sep) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

Result<std::string> unescape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\\') {
      out += v[i];
      continue;
    }
    if (i + 1 >= v.size()) {
      return Error(ErrorCode::config_invalid, "name value ends with a lone backslash");
    }
    out += v[++i];
  }
  return out;
}

}  // namespace

Result<Name> Name::parse(ByteView der) {
  DerReader outer(der);
  TESSERA_ASSIGN_OR_RETURN(DerReader seq, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  Name name;
  name.der_.assign(der.begin(), der.end());
  size_t index = 0;
  while (!seq.empty()) {
    std::string where = "RDN " + std::to_string(index);
    Result<DerReader> set = seq.read_constructed(tag::kSet);
    if (!set) return set.error().with_context(where);
    // RFC 5280 4.1.2.4: RelativeDistinguishedName ::= SET SIZE (1..MAX) OF
    // AttributeTypeAndValue.
    if (set->empty()) return der_error(where + ": empty SET");
    RelativeDistinguishedName rdn;
    ByteView previous;  // the encoding of the RDN's previous attribute
    while (!set->empty()) {
      const ByteView before = set->rest();
      Result<DerReader> atv = set->read_sequence();
      if (!atv) return atv.error().with_context(where);
      // X.690 11.6: a SET OF in DER lists its elements in ascending order of
      // their encodings (a multi-valued RDN, "O=x+CN=y").
      const ByteView encoded = before.first(before.size() - set->rest().size());
      if (!previous.empty() && std::lexicographical_compare(encoded.begin(), encoded.end(),
                                                            previous.begin(), previous.end()))
        return der_error(where + ": SET OF attributes not in ascending DER order");
      previous = encoded;
      AttributeTypeAndValue a;
      Result<Oid> type = atv->read_oid();
      if (!type) return type.error().with_context(where + ": attribute type");
      a.type = *type;
      std::string attr = where + " (" + type_name(a.type) + ")";
      // RFC 5280 4.1.2.4: AttributeValue ::= ANY -- DEFINED BY AttributeType.
      // A string is decoded below; any other value is kept as it is, once
      // read_der_value has checked it.
      Result<DerElement> value =
          is_string_tag(atv->peek_tag().value_or(0)) ? atv->read_any() : atv->read_der_value();
      if (!value) return value.error().with_context(attr);
      TESSERA_TRY(with_field(atv->expect_end(), attr));
      a.value_tag = value->tag;
      a.value_raw.assign(value->content.begin(), value->content.end());
      if (is_string_tag(value->tag)) {
        Result<DerString> s = parse_der_string(value->tag, value->content);
        if (!s) return s.error().with_context(attr);
        a.value = std::move(s->utf8);
      }
      rdn.push_back(std::move(a));
    }
    name.rdns_.push_back(std::move(rdn));
    ++index;
  }
  return name;
}

Name Name::from_rdns(std::vector<RelativeDistinguishedName> rdns) {
  DerWriter w;
  w.sequence([&](DerWriter& seq) {
    for (const RelativeDistinguishedName& rdn : rdns) {
      seq.set_of([&](DerWriter& set) {
        for (const AttributeTypeAndValue& a : rdn) {
          set.sequence([&](DerWriter& atv) {
            atv.oid(a.type);
            atv.element(a.value_tag, a.value_raw);
          });
        }
      });
    }
  });
  Name name;
  name.der_ = std::move(w).take();
  name.rdns_ = std::move(rdns);
  return name;
}

Result<Name> Name::from_string(std::string_view text) {
  text = trim(text);
  std::vector<std::string_view> parts;
  if (!text.empty() && text[0] == '/') {
    // OpenSSL's "/C=US/O=Org/CN=name" form.
    parts = split_unescaped(text.substr(1), '/');
  } else if (!text.empty()) {
    parts = split_unescaped(text, ',');
  }
  std::vector<RelativeDistinguishedName> rdns;
  for (std::string_view part : parts) {
    part = trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Error(ErrorCode::config_invalid,
                   "name component \"" + std::string(part) + "\" is not TYPE=value");
    }
    TESSERA_ASSIGN_OR_RETURN(Oid type, type_from_name(trim(part.substr(0, eq))));
    TESSERA_ASSIGN_OR_RETURN(std::string value, unescape(trim(part.substr(eq + 1))));
    if (value.empty()) {
      return Error(ErrorCode::config_invalid,
                   "name component \"" + std::string(part) + "\" has an empty value");
    }
    AttributeTypeAndValue a;
    a.type = type;
    if (type == oids::kCountryName) {
      a.value_tag = tag::kPrintableString;
    } else if (type == oids::kEmailAddress || type == oids::kDomainComponent) {
      a.value_tag = tag::kIa5String;
    } else {
      a.value_tag = tag::kUtf8String;
    }
    a.value_raw.assign(value.begin(), value.end());
    // RFC 5280 A.1: X520countryName ::= PrintableString (SIZE (2)), an ISO
    // 3166 two-letter code.
    if (type == oids::kCountryName && value.size() != 2)
      return Error(ErrorCode::config_invalid,
                   "name component \"" + std::string(part) +
                       "\": a country is a two-letter code (ISO 3166), e.g. C=US");
    // Validate the value against the chosen string type.
    Result<DerString> s = parse_der_string(a.value_tag, a.value_raw);
    if (!s) {
      return Error(ErrorCode::config_invalid,
                   "name component \"" + std::string(part) + "\": " + s.error().message());
    }
    a.value = std::move(value);
    rdns.push_back({std::move(a)});
  }
  return from_rdns(std::move(rdns));
}

std::string Name::to_string() const {
  std::string out;
  for (size_t i = 0; i < rdns_.size(); ++i) {
    if (i != 0) out += ", ";
    for (size_t j = 0; j < rdns_[i].size(); ++j) {
      const AttributeTypeAndValue& a = rdns_[i][j];
      if (j != 0) out += " + ";
      out += type_name(a.type);
      out += '=';
      if (is_string_tag(a.value_tag)) {
        out += escape_value(a.value);
      } else {
        // RFC 4514 2.4: a value that is not a string is written as '#' and
        // the hex of its BER encoding.
        Bytes enc;
        enc.push_back(a.value_tag);
        Bytes len = der_length_octets(a.value_raw.size());
        enc.insert(enc.end(), len.begin(), len.end());
        enc.insert(enc.end(), a.value_raw.begin(), a.value_raw.end());
        out += '#' + to_hex(enc);
      }
    }
  }
  return out;
}

std::optional<std::string> Name::common_name() const {
  std::optional<std::string> cn;
  for (const RelativeDistinguishedName& rdn : rdns_) {
    for (const AttributeTypeAndValue& a : rdn) {
      if (a.type == oids::kCommonName && is_string_tag(a.value_tag)) cn = a.value;
    }
  }
  return cn;
}

std::vector<std::string> Name::attribute_values(const Oid& type) const {
  std::vector<std::string> out;
  for (const RelativeDistinguishedName& rdn : rdns_) {
    for (const AttributeTypeAndValue& a : rdn) {
      if (a.type == type) out.push_back(a.value);
    }
  }
  return out;
}

std::string normalize_name_value(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : trim(v)) {
    if (is_space(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

bool rdn_equal(const RelativeDistinguishedName& a, const RelativeDistinguishedName& b) {
  if (a.size() != b.size()) return false;
  // Same set of attributes, in any order: every attribute of a matches a
  // distinct attribute of b. RDNs hold a handful of attributes at most in
  // practice, but the loop stays quadratic only in the RDN's own size.
  std::vector<bool> used(b.size(), false);
  for (const AttributeTypeAndValue& x : a) {
    bool found = false;
    for (size_t j = 0; j < b.size(); ++j) {
      if (!used[j] && attribute_equal(x, b[j])) {
        used[j] = true;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

bool names_equal(const Name& a, const Name& b) {
  if (a.der().size() == b.der().size() &&
      std::equal(a.der().begin(), a.der().end(), b.der().begin())) {
    return true;
  }
  if (a.rdns().size() != b.rdns().size()) return false;
  for (size_t i = 0; i < a.rdns().size(); ++i) {
    if (!rdn_equal(a.rdns()[i], b.rdns()[i])) return false;
  }
  return true;
}

}  // namespace tessera::x509
