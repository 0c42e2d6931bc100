// See freed_memory_probe.h. The replacement operators inspect a block only
// while a probe is armed, so the rest of the binary runs as usual.
#include "support/freed_memory_probe.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <new>

namespace {

std::atomic<bool> g_armed{false};
std::atomic<int> g_freed_with_marker{0};
std::atomic<int> g_inspected{0};

[[maybe_unused]] void inspect(void* p) {
  if (p == nullptr || !g_armed.load(std::memory_order_relaxed)) return;
  g_inspected.fetch_add(1, std::memory_order_relaxed);
  const auto* b = static_cast<const uint8_t*>(p);
  const size_t n = malloc_usable_size(p);
  using tessera::testing::kSecretMarker;
  if (std::search(b, b + n, std::begin(kSecretMarker), std::end(kSecretMarker)) != b + n)
    g_freed_with_marker.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

// ThreadSanitizer's runtime defines these operators itself (strongly): under
// TESSERA_TSAN the probe leaves them alone and sees no frees (sees_frees()).
#if !TESSERA_NO_NEW_REPLACEMENT
void* operator new(size_t n) {
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return ::operator new(n); }
void operator delete(void* p) noexcept {
  inspect(p);
  std::free(p);
}
void operator delete[](void* p) noexcept { ::operator delete(p); }
void operator delete(void* p, size_t) noexcept { ::operator delete(p); }
void operator delete[](void* p, size_t) noexcept { ::operator delete(p); }
#endif

namespace tessera::testing {

FreedMemoryProbe::FreedMemoryProbe() {
  g_freed_with_marker = 0;
  g_armed = true;
}
FreedMemoryProbe::~FreedMemoryProbe() { g_armed = false; }
int FreedMemoryProbe::freed_with_marker() const { return g_freed_with_marker.load(); }

bool FreedMemoryProbe::sees_frees() {
  const bool was_armed = g_armed.exchange(true);
  const int before = g_inspected.load();
  // Through pointers, as the rest of the binary reaches them: a direct call
  // in this file could be inlined, past the tool's redirection.
  void* (*volatile allocate)(size_t) = &::operator new;
  void (*volatile deallocate)(void*) noexcept = &::operator delete;
  void* p = allocate(16);
  std::memset(p, 0, 16);
  deallocate(p);
  const bool seen = g_inspected.load() != before;
  g_armed = was_armed;
  return seen;
}

}  // namespace tessera::testing
