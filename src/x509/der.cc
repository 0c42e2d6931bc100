#include "x509/der.h"

#include <array>
#include <string>

#include "base/hex.h"
#include "x509/time.h"

namespace tessera::x509 {
namespace {

std::string tag_hex(uint8_t t) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "0x";
  s += kHex[t >> 4];
  s += kHex[t & 15];
  return s;
}

std::string tag_name(uint8_t t) {
  switch (t) {
    case tag::kBoolean: return "BOOLEAN";
    case tag::kInteger: return "INTEGER";
    case tag::kBitString: return "BIT STRING";
    case tag::kOctetString: return "OCTET STRING";
    case tag::kNull: return "NULL";
    case tag::kOid: return "OBJECT IDENTIFIER";
    case tag::kEnumerated: return "ENUMERATED";
    case tag::kUtf8String: return "UTF8String";
    case tag::kNumericString: return "NumericString";
    case tag::kPrintableString: return "PrintableString";
    case tag::kTeletexString: return "TeletexString";
    case tag::kIa5String: return "IA5String";
    case tag::kUtcTime: return "UTCTime";
    case tag::kGeneralizedTime: return "GeneralizedTime";
    case tag::kVisibleString: return "VisibleString";
    case tag::kUniversalString: return "UniversalString";
    case tag::kBmpString: return "BMPString";
    case tag::kSequence: return "SEQUENCE";
    case tag::kSet: return "SET";
    default: break;
  }
  if ((t & 0xc0) == 0x80) {
    return "[" + std::to_string(t & 0x1f) + "]" + ((t & 0x20) ? " (constructed)" : "");
  }
  return "tag " + tag_hex(t);
}

bool is_printable_char(uint8_t c) {
  // X.680 41.4 PrintableString: A-Z a-z 0-9 space ' ( ) + , - . / : = ?
  // Tolerated as deployed CAs use them (as Go and OpenSSL do): '*' '&' '@'.
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case ' ':
    case '\'':
    case '(':
    case ')':
    case '+':
    case ',':
    case '-':
    case '.':
    case '/':
    case ':':
    case '=':
    case '?':
    case '*':
    case '&':
    case '@': return true;
    default: return false;
  }
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// RFC 3629: well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool valid_utf8(ByteView s) {
  ByteReader r(s);
  while (!r.empty()) {
    uint8_t b = *r.read_u8();
    if (b < 0x80) continue;
    size_t n;
    uint32_t cp;
    uint32_t min;
    if ((b & 0xe0) == 0xc0) {
      n = 1, cp = b & 0x1f, min = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
      n = 2, cp = b & 0x0f, min = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
      n = 3, cp = b & 0x07, min = 0x10000;
    } else {
      return false;
    }
    for (size_t i = 0; i < n; ++i) {
      Result<uint8_t> c = r.read_u8();
      if (!c || (*c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (*c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  }
  return true;
}

}  // namespace

Error der_error(std::string message) { return Error(ErrorCode::cert_parse, std::move(message)); }

bool BitString::bit(size_t i) const {
  if (i >= bit_length()) return false;
  return (bytes[i / 8] >> (7 - i % 8)) & 1;
}

std::optional<uint8_t> DerReader::peek_tag() const {
  if (empty()) return std::nullopt;
  return data_[pos_];
}

Result<DerElement> DerReader::read_any() {
  ByteReader r(rest());
  if (r.empty()) return der_error("truncated: expected an element, found the end of the data");
  uint8_t t = *r.read_u8();
  // X.690 8.1.2.4: tags of 31 and above use the high-tag-number form, which
  // nothing in the X.509 profile needs.
  if ((t & 0x1f) == 0x1f)
    return der_error("high-tag-number form (" + tag_hex(t) + ") is not supported");
  Result<uint8_t> first = r.read_u8();
  if (!first) return der_error("truncated: " + tag_name(t) + " has no length");
  size_t len = *first;
  if (*first & 0x80) {
    size_t n = *first & 0x7f;
    // X.690 10.1: DER uses the definite form of length encoding only.
    if (n == 0) return der_error("indefinite length (BER) is not allowed in DER");
    if (n > 4) return der_error("length of " + std::to_string(n) + " octets is too large");
    Result<ByteView> lb = r.read_bytes(n);
    if (!lb) return der_error("truncated: " + tag_name(t) + " length is cut short");
    // X.690 10.1: the length is encoded in the minimum number of octets.
    if ((*lb)[0] == 0) return der_error("non-minimal length encoding (leading zero octet)");
    len = 0;
    for (uint8_t b : *lb) len = (len << 8) | b;
    if (len < 128) {
      return der_error("non-minimal length encoding (long form for a length of " +
                       std::to_string(len) + ")");
    }
  }
  if (len > r.remaining()) {
    return der_error("truncated: " + tag_name(t) + " of " + std::to_string(len) +
                     " octets but only " + std::to_string(r.remaining()) + " remain");
  }
  DerElement e;
  e.tag = t;
  e.content = *r.read_bytes(len);
  e.encoded = r.consumed();
  pos_ += r.position();
  return e;
}

Result<DerElement> DerReader::read_element(uint8_t t) {
  std::optional<uint8_t> next = peek_tag();
  if (!next) return der_error("truncated: expected " + tag_name(t) + ", found the end of the data");
  if (*next != t) return der_error("expected " + tag_name(t) + ", found " + tag_name(*next));
  return read_any();
}

Result<std::optional<DerElement>> DerReader::read_optional(uint8_t t) {
  if (!next_is(t)) return std::optional<DerElement>();
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_any());
  return std::optional<DerElement>(e);
}

Result<DerReader> DerReader::read_constructed(uint8_t t) {
  if ((t & 0x20) == 0) return der_error(tag_name(t) + " is not a constructed tag");
  if (depth_ + 1 > kMaxDerDepth) {
    return der_error("nesting deeper than " + std::to_string(kMaxDerDepth) + " levels");
  }
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_element(t));
  return DerReader(e.content, depth_ + 1);
}

Result<std::optional<DerReader>> DerReader::read_optional_constructed(uint8_t t) {
  if (!next_is(t)) return std::optional<DerReader>();
  TESSERA_ASSIGN_OR_RETURN(DerReader r, read_constructed(t));
  return std::optional<DerReader>(r);
}

Result<bool> DerReader::read_boolean() {
  size_t start = pos_;
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_element(tag::kBoolean));
  // X.690 11.1: in DER, TRUE is encoded as 0xFF and FALSE as 0x00.
  if (e.content.size() != 1 || (e.content[0] != 0x00 && e.content[0] != 0xff)) {
    pos_ = start;
    return der_error("BOOLEAN must be one octet 0x00 or 0xFF");
  }
  return e.content[0] == 0xff;
}

Result<ByteView> DerReader::read_integer(uint8_t t) {
  size_t start = pos_;
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_element(t));
  ByteView c = e.content;
  // X.690 8.3.1 / 8.3.2: at least one octet, and the first nine bits are not
  // all zeros or all ones.
  if (c.empty()) {
    pos_ = start;
    return der_error("empty INTEGER");
  }
  if (c.size() > 1 && ((c[0] == 0x00 && !(c[1] & 0x80)) || (c[0] == 0xff && (c[1] & 0x80)))) {
    pos_ = start;
    return der_error("non-minimal INTEGER encoding");
  }
  return c;
}

Result<uint64_t> DerReader::read_small_nonnegative(uint64_t max, uint8_t t) {
  size_t start = pos_;
  TESSERA_ASSIGN_OR_RETURN(ByteView c, read_integer(t));
  if (c[0] & 0x80) {
    pos_ = start;
    return der_error("INTEGER must not be negative");
  }
  uint64_t v = 0;
  bool too_big = c.size() > 9 || (c.size() == 9 && c[0] != 0);
  if (!too_big) {
    for (uint8_t b : c) v = (v << 8) | b;
  }
  if (too_big || v > max) {
    pos_ = start;
    return der_error("INTEGER is larger than " + std::to_string(max));
  }
  return v;
}

Result<uint8_t> DerReader::read_enumerated() {
  TESSERA_ASSIGN_OR_RETURN(uint64_t v, read_small_nonnegative(255, tag::kEnumerated));
  return static_cast<uint8_t>(v);
}

Result<Oid> DerReader::read_oid() {
  size_t start = pos_;
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_element(tag::kOid));
  Result<Oid> oid = Oid::from_der_content(e.content);
  if (!oid) pos_ = start;
  return oid;
}

Result<BitString> DerReader::read_bit_string(uint8_t t) {
  size_t start = pos_;
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_element(t));
  auto fail = [&](std::string msg) {
    pos_ = start;
    return der_error(std::move(msg));
  };
  // X.690 8.6.2: the initial octet gives the number of unused bits (0..7) in
  // the final octet; an empty string has an initial octet of zero.
  if (e.content.empty()) return fail("BIT STRING has no unused-bits octet");
  uint8_t unused = e.content[0];
  if (unused > 7) return fail("BIT STRING unused-bits octet is " + std::to_string(unused));
  if (e.content.size() == 1 && unused != 0) return fail("empty BIT STRING with unused bits");
  // X.690 11.2.1: each unused bit in the final octet is set to zero.
  if (unused != 0 && (e.content.back() & ((1u << unused) - 1)) != 0) {
    return fail("BIT STRING has non-zero unused bits");
  }
  BitString b;
  b.bytes = e.content.subspan(1);
  b.unused_bits = unused;
  return b;
}

Result<ByteView> DerReader::read_octet_string(uint8_t t) {
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_element(t));
  return e.content;
}

Result<void> DerReader::read_null() {
  size_t start = pos_;
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_element(tag::kNull));
  if (!e.content.empty()) {
    pos_ = start;
    return der_error("NULL has content");
  }
  return ok();
}

Result<int64_t> DerReader::read_time() {
  size_t start = pos_;
  std::optional<uint8_t> t = peek_tag();
  if (t != tag::kUtcTime && t != tag::kGeneralizedTime) {
    return der_error("expected UTCTime or GeneralizedTime, found " +
                     (t ? tag_name(*t) : std::string("the end of the data")));
  }
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_any());
  Result<UnixTime> r =
      *t == tag::kUtcTime ? parse_utc_time(e.content) : parse_generalized_time(e.content);
  if (!r) {
    pos_ = start;
    return r;
  }
  // RFC 5280 4.1.2.5: dates through the year 2049 MUST be encoded as UTCTime;
  // dates in 2050 or later MUST be encoded as GeneralizedTime.
  if (*t == tag::kGeneralizedTime && *r < 2524608000 && *r >= -631152000) {
    pos_ = start;
    return der_error("GeneralizedTime used for a date between 1950 and 2049 (must be UTCTime)");
  }
  return r;
}

Result<int64_t> DerReader::read_generalized_time() {
  size_t start = pos_;
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_element(tag::kGeneralizedTime));
  Result<UnixTime> r = parse_generalized_time(e.content);
  if (!r) pos_ = start;
  return r;
}

bool is_string_tag(uint8_t t) {
  switch (t) {
    case tag::kUtf8String:
    case tag::kNumericString:
    case tag::kPrintableString:
    case tag::kTeletexString:
    case tag::kIa5String:
    case tag::kVisibleString:
    case tag::kUniversalString:
    case tag::kBmpString: return true;
    default: return false;
  }
}

Result<DerString> parse_der_string(uint8_t t, ByteView c) {
  DerString s;
  s.tag = t;
  s.raw = c;
  switch (t) {
    case tag::kUtf8String:
      if (!valid_utf8(c)) return der_error("UTF8String is not valid UTF-8");
      s.utf8.assign(c.begin(), c.end());
      return s;
    case tag::kPrintableString:
      for (uint8_t b : c) {
        if (!is_printable_char(b)) {
          return der_error("PrintableString contains the forbidden character " + tag_hex(b));
        }
      }
      s.utf8.assign(c.begin(), c.end());
      return s;
    case tag::kNumericString:
      for (uint8_t b : c) {
        if (!(b == ' ' || (b >= '0' && b <= '9'))) {
          return der_error("NumericString contains the forbidden character " + tag_hex(b));
        }
      }
      s.utf8.assign(c.begin(), c.end());
      return s;
    case tag::kIa5String:
      for (uint8_t b : c) {
        if (b >= 0x80) return der_error("IA5String contains a non-ASCII octet");
      }
      s.utf8.assign(c.begin(), c.end());
      return s;
    case tag::kVisibleString:
      for (uint8_t b : c) {
        if (b < 0x20 || b > 0x7e) return der_error("VisibleString contains a non-visible octet");
      }
      s.utf8.assign(c.begin(), c.end());
      return s;
    case tag::kTeletexString:
      // Taken as ISO 8859-1, as OpenSSL and most verifiers do.
      for (uint8_t b : c) append_utf8(b, s.utf8);
      return s;
    case tag::kBmpString: {
      if (c.size() % 2 != 0) return der_error("BMPString has an odd number of octets");
      ByteReader r(c);
      while (!r.empty()) {
        uint16_t u = *r.read_u16();
        if (u >= 0xd800 && u <= 0xdfff) return der_error("BMPString contains a surrogate");
        append_utf8(u, s.utf8);
      }
      return s;
    }
    case tag::kUniversalString: {
      if (c.size() % 4 != 0) return der_error("UniversalString length is not a multiple of 4");
      ByteReader r(c);
      while (!r.empty()) {
        uint32_t u = *r.read_u32();
        if (u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff)) {
          return der_error("UniversalString contains an invalid code point");
        }
        append_utf8(u, s.utf8);
      }
      return s;
    }
    default: break;
  }
  return der_error("expected a string type, found " + tag_name(t));
}

Result<DerString> DerReader::read_string() {
  size_t start = pos_;
  std::optional<uint8_t> t = peek_tag();
  if (!t) return der_error("truncated: expected a string, found the end of the data");
  if (!is_string_tag(*t)) return der_error("expected a string type, found " + tag_name(*t));
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_any());
  Result<DerString> s = parse_der_string(e.tag, e.content);
  if (!s) pos_ = start;
  return s;
}

namespace {

template <class T>
Result<void> as_void(Result<T> r) {
  if (!r) return std::move(r).error();
  return ok();
}

// check_der_element checks one TLV's own form and, for a primitive universal
// value, its content (see DerReader::read_der_value). A constructed value's
// content is walked by the caller.
Result<void> check_der_element(const DerElement& e) {
  // Application, context-specific and private tags: their types are not
  // known here, so neither is their form.
  if ((e.tag & 0xc0) != 0) return ok();
  const uint8_t number = e.tag & 0x1f;
  const bool constructed = (e.tag & 0x20) != 0;
  switch (number) {
    // X.690 8.1.5: tag 0 of the universal class is the end-of-contents
    // octets of BER's indefinite form, not a value.
    case 0: return der_error("universal tag 0 (end-of-contents) is not a value");
    // EXTERNAL, EMBEDDED PDV and CHARACTER STRING (X.690 8.18, 8.17, 8.24)
    // have no place in a certificate, and other decoders rewrite them
    // (OpenSSL's ANY gives back 28 00 as 08 00).
    case 8:
    case 11:
    case 29: return der_error("universal tag " + tag_hex(e.tag) + " is not used in certificates");
    // SEQUENCE and SET are always constructed.
    case 16:
    case 17:
      if (!constructed) {
        return der_error(tag_name(static_cast<uint8_t>(number | 0x20)) + " in primitive form (" +
                         tag_hex(e.tag) + ")");
      }
      return ok();
    default: break;
  }
  // Every other universal type is primitive in DER (X.690 10.2 for the
  // string types, which BER may also construct).
  if (constructed) {
    return der_error(tag_name(number) + " in constructed form (" + tag_hex(e.tag) +
                     "): DER encodes it primitive");
  }
  // Content rules that are DER's (X.690 8 and 11). The character sets of the
  // string types are value rules (X.680), checked where tessera reads the
  // string, not in a value it keeps opaque.
  DerReader one(e.encoded);
  switch (e.tag) {
    case tag::kBoolean: return as_void(one.read_boolean());
    case tag::kInteger: return as_void(one.read_integer());
    case tag::kEnumerated: return as_void(one.read_integer(tag::kEnumerated));
    case tag::kBitString: return as_void(one.read_bit_string());
    case tag::kNull: return one.read_null();
    case tag::kOid: return Oid::check_der_content(e.content);
    default: return ok();
  }
}

// check_der_tree checks `top` and everything inside it, depth first, with a
// stack of readers over the constructed values still open (no recursion).
// `depth` is the depth of the reader `top` came from.
Result<void> check_der_tree(const DerElement& top, int depth) {
  std::array<DerReader, kMaxDerDepth> open;
  size_t n = 0;
  auto visit = [&](const DerElement& e, int d) -> Result<void> {
    TESSERA_TRY(check_der_element(e));
    if ((e.tag & 0x20) == 0) return ok();
    if (d + 1 > kMaxDerDepth || n == open.size()) {
      return der_error("nesting deeper than " + std::to_string(kMaxDerDepth) + " levels");
    }
    open[n++] = DerReader(e.content, d + 1);
    return ok();
  };
  TESSERA_TRY(visit(top, depth));
  while (n > 0) {
    DerReader& r = open[n - 1];
    if (r.empty()) {
      --n;
      continue;
    }
    TESSERA_ASSIGN_OR_RETURN(DerElement e, r.read_any());
    TESSERA_TRY(visit(e, r.depth()));
  }
  return ok();
}

}  // namespace

Result<DerElement> DerReader::read_der_value() {
  const size_t start = pos_;
  TESSERA_ASSIGN_OR_RETURN(DerElement e, read_any());
  Result<void> checked = check_der_tree(e, depth_);
  if (!checked) {
    pos_ = start;
    return std::move(checked).error();
  }
  return e;
}

Result<void> DerReader::expect_end() const {
  if (empty()) return ok();
  return der_error("trailing data: " + std::to_string(remaining()) + " unexpected octets");
}

}  // namespace tessera::x509
