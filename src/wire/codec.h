// wire/codec.h — shared helpers for the TLS presentation language
// (RFC 8446 3): bounded vectors, lists of 16-bit values, field-named errors.
//
// Every helper reads through a ByteReader and reports failures as decode_*
// errors (alert decode_error) whose message names the field, e.g.
// "cipher_suites: length 3 is odd". Callers add the enclosing structure with
// Error::with_context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"

namespace tessera::wire {

// Initial capacities of the writers that encode a message or an extension
// body: most fit, so encoding one costs one allocation instead of one per
// doubling (a ~250-byte ClientHello took nine).
inline constexpr size_t kEncodeReserve = 512;
inline constexpr size_t kExtensionReserve = 64;

// field_context returns r unchanged on success, or its error with "field: "
// prepended.
template <class T>
Result<T> field_context(Result<T> r, std::string_view field) {
  if (!r.ok()) return std::move(r).error().with_context(field);
  return r;
}

// read_vector reads a TLS vector `field<min_len..max_len>` whose length
// prefix is prefix_len bytes (1..4) and returns a reader over its contents.
// Fails with decode_truncated if the input ends early and decode_length if
// the length is outside [min_len, max_len]; the message names `field`.
Result<ByteReader> read_vector(ByteReader& r, size_t prefix_len, size_t min_len, size_t max_len,
                               std::string_view field);

// read_opaque is read_vector returning a copy of the contents.
Result<Bytes> read_opaque(ByteReader& r, size_t prefix_len, size_t min_len, size_t max_len,
                          std::string_view field);

// read_u16_list reads a vector of 16-bit values `field<min_len..max_len>`
// (bounds in bytes). An odd byte length is decode_length. Unknown values are
// kept as they are.
Result<std::vector<uint16_t>> read_u16_list(ByteReader& r, size_t prefix_len, size_t min_len,
                                            size_t max_len, std::string_view field);

// read_u8_list reads a vector of 8-bit values `field<min_len..max_len>`.
Result<std::vector<uint8_t>> read_u8_list(ByteReader& r, size_t prefix_len, size_t min_len,
                                          size_t max_len, std::string_view field);

// write_u16_list writes values as a vector with a prefix_len-byte length.
void write_u16_list(ByteWriter& w, size_t prefix_len, const std::vector<uint16_t>& values);

// expect_consumed succeeds if r has no bytes left, else decode_trailing_data
// naming `what` ("3 trailing bytes after ClientHello").
Result<void> expect_consumed(const ByteReader& r, std::string_view what);

// parse_all runs fn(ByteReader&) -> Result<T> over a reader on data, requires
// that fn consumed all of data (else decode_trailing_data), and prefixes any
// error with "name: ". Every message and extension parser is built on it.
template <class Fn>
auto parse_all(ByteView data, std::string_view name, Fn&& fn)
    -> decltype(fn(std::declval<ByteReader&>())) {
  ByteReader r(data);
  auto result = fn(r);
  if (!result.ok()) return std::move(result).error().with_context(name);
  auto end = r.expect_end();
  if (!end.ok()) return std::move(end).error().with_context(name);
  return result;
}

// encode runs serialize on a fresh writer and returns the bytes, or
// decode_length if a field overflowed its length prefix.
template <class T>
Result<Bytes> encode(const T& value) {
  ByteWriter w(kEncodeReserve);
  value.serialize(w);
  return std::move(w).finish();
}

}  // namespace tessera::wire
