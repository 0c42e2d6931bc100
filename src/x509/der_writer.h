// x509/der_writer.h — a DER encoder with nested scopes.
//
// Like ByteWriter::prefixed, a constructed value is written inside a scope
// whose length is filled in (in minimal DER form) when the scope closes:
//
//   DerWriter w;
//   w.sequence([&](DerWriter& seq) {
//     seq.integer(2);
//     seq.oid(oids::kSha256WithRsa);
//     seq.set_of([&](DerWriter& set) { ... });   // elements sorted (X.690 11.6)
//   });
//   Bytes der = std::move(w).take();
//
// Nobody computes a length by hand. The writer cannot fail except for values
// the caller must not pass (documented per method).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "x509/der.h"
#include "x509/oid.h"
#include "x509/time.h"

namespace tessera::x509 {

class DerWriter {
 public:
  DerWriter() = default;

  // constructed writes tag t with whatever fn writes as its content.
  template <class Fn>
  void constructed(uint8_t t, Fn&& fn) {
    size_t at = buf_.size();
    fn(*this);
    close(at, t);
  }
  template <class Fn>
  void sequence(Fn&& fn) {
    constructed(tag::kSequence, std::forward<Fn>(fn));
  }
  // set_of writes a SET OF: the elements fn writes are reordered into
  // ascending order of their encodings as DER requires (X.690 11.6).
  template <class Fn>
  void set_of(Fn&& fn) {
    size_t at = buf_.size();
    fn(*this);
    sort_elements(at);
    close(at, tag::kSet);
  }
  // octet_string_wrapping writes an OCTET STRING whose content is what fn
  // writes (e.g. extnValue).
  template <class Fn>
  void octet_string_wrapping(Fn&& fn) {
    constructed_primitive(tag::kOctetString, std::forward<Fn>(fn));
  }
  // bit_string_wrapping writes a BIT STRING with 0 unused bits whose content
  // is what fn writes.
  template <class Fn>
  void bit_string_wrapping(Fn&& fn) {
    size_t at = buf_.size();
    buf_.push_back(0);
    fn(*this);
    close(at, tag::kBitString);
  }
  // constructed_primitive writes a primitive tag t whose content is what fn
  // writes (used for OCTET STRING wrappers and [n] IMPLICIT OCTET STRINGs).
  template <class Fn>
  void constructed_primitive(uint8_t t, Fn&& fn) {
    size_t at = buf_.size();
    fn(*this);
    close(at, t);
  }

  // element writes tag t with the given content octets.
  void element(uint8_t t, ByteView content);
  // raw appends an already encoded element (e.g. a Name's DER).
  void raw(ByteView encoded) { buf_.insert(buf_.end(), encoded.begin(), encoded.end()); }

  void boolean(bool v);
  // integer writes a (possibly negative) INTEGER in minimal form.
  void integer(int64_t v, uint8_t t = tag::kInteger);
  // unsigned_integer writes the non-negative INTEGER whose big-endian
  // magnitude is `magnitude` (leading zeros stripped, a 0x00 added when the
  // top bit is set; empty means zero).
  void unsigned_integer(ByteView magnitude, uint8_t t = tag::kInteger);
  void oid(const Oid& o) { element(tag::kOid, o.der_content()); }
  void null() { element(tag::kNull, {}); }
  void octet_string(ByteView b, uint8_t t = tag::kOctetString) { element(t, b); }
  // bit_string writes bytes with `unused_bits` (0..7) unused low bits in the
  // last octet (the caller keeps them zero).
  void bit_string(ByteView bytes, uint8_t unused_bits = 0);
  // named_bits writes a NamedBitList BIT STRING from bits (bit n of `bits` is
  // named bit n) with trailing zero bits removed (X.690 11.2.2).
  void named_bits(uint32_t bits);
  // string writes text with string tag t (the caller picks a type the text
  // is valid for).
  void string(uint8_t t, std::string_view text) { element(t, as_bytes_view(text)); }
  // time writes a UTCTime or GeneralizedTime per RFC 5280 4.1.2.5.
  // Precondition: year 0..9999 (encode_x509_time succeeds).
  void time(UnixTime t);
  // generalized_time writes a GeneralizedTime "YYYYMMDDHHMMSSZ" whatever the
  // year (OCSP times, RFC 6960 4.2.2.1). Precondition: year 0..9999.
  void generalized_time(UnixTime t);

  size_t size() const { return buf_.size(); }
  ByteView view() const { return buf_; }
  Bytes take() && { return std::move(buf_); }

 private:
  // close inserts tag and length before the content written since `at`.
  void close(size_t at, uint8_t t);
  // sort_elements sorts the complete elements written since `at`.
  void sort_elements(size_t at);

  Bytes buf_;
};

// der_length_octets returns the DER length encoding of n.
Bytes der_length_octets(size_t n);

}  // namespace tessera::x509
