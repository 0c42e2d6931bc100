// x509/der.h — a strict DER reader (X.690 distinguished encoding rules).
//
// DerReader is a non-owning cursor over DER bytes, in the spirit of
// ByteReader: each read either returns the decoded value and advances, or
// returns a cert_parse Error and leaves the cursor where it was. It accepts
// only DER:
//   - single-byte tags (the high-tag-number form 0x1f is refused);
//   - definite lengths in minimal form: short form below 128, long form only
//     for lengths >= 128, without leading zero octets, at most 4 length octets
//     (the indefinite form 0x80 of BER is refused);
//   - INTEGER in minimal two's complement; BOOLEAN only 0x00 / 0xFF;
//   - BIT STRING with 0..7 unused bits, which must be zero, and no unused bits
//     in an empty string;
//   - OBJECT IDENTIFIER with minimal subidentifiers;
//   - UTCTime / GeneralizedTime exactly as RFC 5280 4.1.2.5 profiles them.
// Nesting depth is bounded by kMaxDerDepth: read_constructed() refuses to
// open a child deeper than that. Nothing here recurses or allocates in
// proportion to attacker-controlled counts.
//
// Error messages are short and say what is wrong ("non-minimal length
// encoding"); parsers of structures prefix them with the field path using
// Error::with_context, e.g. "tbsCertificate.validity.notAfter: ...".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "tessera/result.h"
#include "x509/oid.h"

namespace tessera::x509 {

// Universal tags (X.680 8.4), with the constructed bit where DER requires it.
namespace tag {
inline constexpr uint8_t kBoolean = 0x01;
inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kBitString = 0x03;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kNull = 0x05;
inline constexpr uint8_t kOid = 0x06;
inline constexpr uint8_t kEnumerated = 0x0a;
inline constexpr uint8_t kUtf8String = 0x0c;
inline constexpr uint8_t kNumericString = 0x12;
inline constexpr uint8_t kPrintableString = 0x13;
inline constexpr uint8_t kTeletexString = 0x14;
inline constexpr uint8_t kIa5String = 0x16;
inline constexpr uint8_t kUtcTime = 0x17;
inline constexpr uint8_t kGeneralizedTime = 0x18;
inline constexpr uint8_t kVisibleString = 0x1a;
inline constexpr uint8_t kUniversalString = 0x1c;
inline constexpr uint8_t kBmpString = 0x1e;
inline constexpr uint8_t kSequence = 0x30;
inline constexpr uint8_t kSet = 0x31;
// context_specific(n) is [n] IMPLICIT of a primitive type: 0x80 | n.
constexpr uint8_t context_specific(uint8_t n) { return static_cast<uint8_t>(0x80 | n); }
// context_constructed(n) is [n] EXPLICIT, or IMPLICIT of a constructed type:
// 0xa0 | n.
constexpr uint8_t context_constructed(uint8_t n) { return static_cast<uint8_t>(0xa0 | n); }
}  // namespace tag

// kMaxDerDepth bounds how deep constructed values may nest.
inline constexpr int kMaxDerDepth = 32;

// One TLV: its tag, its content octets and the whole encoding (tag, length
// and content). Both views point into the reader's buffer.
struct DerElement {
  uint8_t tag = 0;
  ByteView content;
  ByteView encoded;
};

// A BIT STRING: the content octets after the unused-bits octet and the number
// of unused bits (0..7) in the last octet.
struct BitString {
  ByteView bytes;
  uint8_t unused_bits = 0;

  // bit returns bit i counted from the most significant bit of the first
  // octet (the ASN.1 NamedBitList numbering); false beyond the end.
  bool bit(size_t i) const;
  // bit_length is 8 * bytes.size() - unused_bits.
  size_t bit_length() const { return bytes.size() * 8 - unused_bits; }
};

// A character string of any of the ASN.1 string types that appear in
// certificates, with its tag, its raw content and the text as UTF-8
// (BMPString and UniversalString are converted; the others must already be
// valid for their type: PrintableString its restricted set, IA5String and
// VisibleString ASCII, UTF8String well-formed UTF-8; TeletexString is taken
// as Latin-1 as most implementations do).
struct DerString {
  uint8_t tag = 0;
  ByteView raw;
  std::string utf8;
};

class DerReader {
 public:
  DerReader() = default;
  explicit DerReader(ByteView data, int depth = 0) : data_(data), depth_(depth) {}

  bool empty() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  int depth() const { return depth_; }
  // rest returns the unread bytes without consuming them.
  ByteView rest() const { return data_.subspan(pos_); }

  // peek_tag returns the next tag without consuming it; nullopt at the end.
  std::optional<uint8_t> peek_tag() const;
  // next_is is true iff the next element exists and has tag t.
  bool next_is(uint8_t t) const { return peek_tag() == t; }

  // read_any reads one complete TLV of any (single-byte) tag. Its content is
  // not looked at: use it where the caller parses the content itself.
  Result<DerElement> read_any();
  // read_der_value reads one complete TLV whose type the caller does not
  // interpret (RFC 5280's ANY DEFINED BY values of types tessera does not
  // know: attribute values, algorithm parameters, otherName) and checks the
  // DER encoding rules that apply without knowing the value's type: at every
  // depth, every constructed value, of any class, holds only complete TLVs,
  // nested at most kMaxDerDepth deep; universal values have their DER form
  // (SEQUENCE and SET constructed, every other universal type primitive,
  // X.690 10.2; BOOLEAN, INTEGER, ENUMERATED, BIT STRING, NULL and OBJECT
  // IDENTIFIER contents as the typed reads above check them, the OID without
  // their 63-octet limit); universal tag 0 and EXTERNAL, EMBEDDED PDV and
  // CHARACTER STRING are refused. Not checked: what needs the type (SET OF
  // order, DEFAULT values, time and string contents); primitive values of
  // other classes stay opaque. The walk uses a fixed stack, not recursion.
  Result<DerElement> read_der_value();
  // read_element reads one TLV and requires its tag to be t.
  Result<DerElement> read_element(uint8_t t);
  // read_optional reads a TLV with tag t if the next element has that tag;
  // nullopt (nothing consumed) otherwise.
  Result<std::optional<DerElement>> read_optional(uint8_t t);
  // read_constructed reads a TLV with tag t (SEQUENCE, SET, [n] EXPLICIT...)
  // and returns a reader over its content, one level deeper; refuses a
  // primitive tag (bit 0x20 clear) and nesting beyond kMaxDerDepth.
  Result<DerReader> read_constructed(uint8_t t);
  Result<DerReader> read_sequence() { return read_constructed(tag::kSequence); }
  // read_optional_constructed is read_constructed when the next tag is t.
  Result<std::optional<DerReader>> read_optional_constructed(uint8_t t);

  // read_boolean reads a BOOLEAN: one content octet, 0x00 or 0xFF.
  Result<bool> read_boolean();
  // read_integer reads an INTEGER (tag t, default kInteger) and returns its
  // minimal two's-complement content octets (non-empty).
  Result<ByteView> read_integer(uint8_t t = tag::kInteger);
  // read_small_nonnegative reads an INTEGER that must be in 0..max.
  Result<uint64_t> read_small_nonnegative(uint64_t max, uint8_t t = tag::kInteger);
  // read_enumerated reads an ENUMERATED in 0..255.
  Result<uint8_t> read_enumerated();
  Result<Oid> read_oid();
  Result<BitString> read_bit_string(uint8_t t = tag::kBitString);
  Result<ByteView> read_octet_string(uint8_t t = tag::kOctetString);
  Result<void> read_null();
  // read_time reads a UTCTime or GeneralizedTime (RFC 5280 4.1.2.5) and
  // returns unix seconds. A GeneralizedTime for a date in 1950..2049 is
  // refused (RFC 5280: such dates MUST be UTCTime).
  Result<int64_t> read_time();
  // read_generalized_time reads a GeneralizedTime of any year, in the form
  // RFC 5280 4.1.2.5.2 profiles ("YYYYMMDDHHMMSSZ"), for structures whose
  // times are always GeneralizedTime (OCSP, RFC 6960 4.2.2.1).
  Result<int64_t> read_generalized_time();
  // read_string reads any character string type listed for DerString.
  Result<DerString> read_string();

  // expect_end succeeds iff every byte was consumed; otherwise a cert_parse
  // error "trailing data".
  Result<void> expect_end() const;

 private:
  ByteView data_{};
  size_t pos_ = 0;
  int depth_ = 0;
};

// parse_der_string validates the content octets of a string of type t and
// returns it as a DerString (see there for the rules).
Result<DerString> parse_der_string(uint8_t t, ByteView content);
// is_string_tag says whether t is one of the string tags read_string accepts.
bool is_string_tag(uint8_t t);

// der_error makes the cert_parse Error used throughout the X.509 parsers.
Error der_error(std::string message);

// with_field prefixes a failed Result's message with a field path; a
// successful one passes through unchanged.
template <class T>
Result<T> with_field(Result<T> r, std::string_view field) {
  if (r.ok()) return r;
  return std::move(r).error().with_context(field);
}

}  // namespace tessera::x509
