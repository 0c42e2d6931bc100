#include "base/ct.h"

#include <cassert>

#if defined(TESSERA_CT_VALGRIND)
#include <valgrind/memcheck.h>
#endif

namespace tessera {

namespace {
// value_barrier stops the optimiser from reasoning about v (and so from
// turning mask arithmetic back into branches).
inline uint32_t value_barrier(uint32_t v) {
  __asm__("" : "+r"(v));
  return v;
}
}  // namespace

bool ct_equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  uint32_t acc = 0;
  for (size_t i = 0; i < a.size(); ++i) acc |= static_cast<uint32_t>(a[i] ^ b[i]);
  bool equal = value_barrier(acc) == 0;
  // The outcome is public (the caller aborts or goes on); the position of a
  // difference is not, and the loop above never branches on it.
  ct_declassify(&equal, sizeof equal);
  return equal;
}

uint32_t ct_is_zero_mask(std::span<const uint8_t> a) {
  uint32_t acc = 0;
  for (uint8_t v : a) acc |= v;
  return ct_eq_mask(value_barrier(acc), 0);
}

void ct_select(uint32_t mask, std::span<const uint8_t> a, std::span<const uint8_t> b,
               std::span<uint8_t> out) {
  assert(a.size() == b.size() && a.size() == out.size());
  mask = value_barrier(mask);
  for (size_t i = 0; i < out.size(); ++i) out[i] = ct_select_u8(mask, a[i], b[i]);
}

void ct_poison(const void* p, size_t n) {
#if defined(TESSERA_CT_VALGRIND)
  (void)VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#else
  (void)p;
  (void)n;
#endif
}

void ct_declassify(const void* p, size_t n) {
#if defined(TESSERA_CT_VALGRIND)
  (void)VALGRIND_MAKE_MEM_DEFINED(p, n);
#else
  (void)p;
  (void)n;
#endif
}

}  // namespace tessera
