// tests/support/freed_memory_probe.h — finds copies of a secret left in heap
// memory that was freed without being wiped.
//
// freed_memory_probe.cc replaces the global operator new/delete (with
// malloc/free, as the default ones do); it is linked only into the test
// binaries that use this probe (tests/CMakeLists.txt). While a FreedMemoryProbe
// is alive, every block handed back to operator delete is searched for
// kSecretMarker before it is freed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tessera::testing {

// kSecretMarker: the bytes a test puts in its secret.
inline constexpr uint8_t kSecretMarker[16] = {'s', 'e', 'c', 'r',  'e',  't',  '-',  'p',
                                              's', 'k', '-', 0x9d, 0x41, 0xe7, 0x02, 0x5c};

// FreedMemoryProbe arms the search for its lifetime (one at a time).
class FreedMemoryProbe {
 public:
  FreedMemoryProbe();
  ~FreedMemoryProbe();
  FreedMemoryProbe(const FreedMemoryProbe&) = delete;
  FreedMemoryProbe& operator=(const FreedMemoryProbe&) = delete;
  // freed_with_marker: blocks freed since construction that held the marker.
  int freed_with_marker() const;
  // sees_frees: whether freed blocks reach the probe at all. False when the
  // tool running the binary replaces operator new/delete itself (valgrind
  // does): the probe's checks then prove nothing, and tests skip them
  // (TESSERA_SKIP_WITHOUT_PROBE).
  static bool sees_frees();
};

// TESSERA_SKIP_WITHOUT_PROBE skips the current GoogleTest test when the probe
// cannot see freed blocks (see sees_frees).
#define TESSERA_SKIP_WITHOUT_PROBE()                                                    \
  do {                                                                                  \
    if (!::tessera::testing::FreedMemoryProbe::sees_frees())                            \
      GTEST_SKIP() << "operator delete is not the probe's here (valgrind replaces it)"; \
  } while (0)

}  // namespace tessera::testing
