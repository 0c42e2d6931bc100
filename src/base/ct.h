// base/ct.h — constant-time helpers.
//
// These run in time that depends only on the lengths of their inputs, never on
// their contents. Use them for MACs, Finished values, padding checks and any
// selection driven by a secret.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tessera {

// ct_equal returns true iff a and b have equal length and contents. Lengths
// are treated as public, and so is the result (the protocol reveals it by
// aborting or not): only where the inputs differ stays secret. Under the
// constant-time check (see ct_declassify) the result is declassified.
bool ct_equal(std::span<const uint8_t> a, std::span<const uint8_t> b);

// ct_is_zero returns 0xff..ff if all bytes of a are zero, else 0.
uint32_t ct_is_zero_mask(std::span<const uint8_t> a);

// ct_mask_from_bit turns bit (0 or 1) into 0 or 0xffffffff without a branch.
inline uint32_t ct_mask_from_bit(uint32_t bit) { return 0u - (bit & 1u); }

// ct_eq_mask returns 0xffffffff if a == b else 0.
inline uint32_t ct_eq_mask(uint32_t a, uint32_t b) {
  uint32_t x = a ^ b;
  // (x | -x) has its top bit set iff x != 0.
  return ~ct_mask_from_bit((x | (0u - x)) >> 31);
}

// ct_select_u8 returns a where mask is all ones and b where it is zero.
inline uint8_t ct_select_u8(uint32_t mask, uint8_t a, uint8_t b) {
  return static_cast<uint8_t>((mask & a) | (~mask & b));
}

// ct_select copies a into out where mask is all ones, b where it is zero.
// Precondition: out, a and b have the same size.
void ct_select(uint32_t mask, std::span<const uint8_t> a, std::span<const uint8_t> b,
               std::span<uint8_t> out);

// Constant-time validation hooks, in the style of ctgrind (docs/constant-time.md).
// When the library is built with TESSERA_CT_VALGRIND (the default when
// <valgrind/memcheck.h> is available) these are valgrind memcheck client
// requests, otherwise no-ops; outside valgrind a client request costs a few
// instructions and does nothing.
//
// ct_poison marks n bytes at p as secret ("undefined" to memcheck): any branch
// or memory index that depends on them is then reported. Tests use it on keys
// and shared secrets.
void ct_poison(const void* p, size_t n);

// ct_declassify marks n bytes at p as public again. The library calls it only
// where a value derived from a secret is public by design, each with a comment
// saying why: a ciphertext leaving on the wire, a record's content once its tag
// has verified, the outcome of a MAC or Finished comparison, a length the
// protocol reveals.
void ct_declassify(const void* p, size_t n);

}  // namespace tessera
