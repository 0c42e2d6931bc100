// ByteWriter::for_secrets leaves no copy of what it wrote in memory it frees.
//
// This binary replaces the global operator new/delete (with malloc/free, as
// the default ones do) so that, while a test arms it, every block handed back
// is searched for a marker before it is freed. The control case (a plain
// ByteWriter outgrowing its buffer) shows the check finds such copies.
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include <gtest/gtest.h>

#include "base/bytes.h"

namespace {

constexpr uint8_t kMarker[16] = {'s', 'e', 'c', 'r',  'e',  't',  '-',  'p',
                                 's', 'k', '-', 0x9d, 0x41, 0xe7, 0x02, 0x5c};
std::atomic<bool> g_armed{false};
std::atomic<int> g_freed_with_marker{0};

void inspect(void* p) {
  if (p == nullptr || !g_armed.load(std::memory_order_relaxed)) return;
  const auto* b = static_cast<const uint8_t*>(p);
  const size_t n = malloc_usable_size(p);
  if (std::search(b, b + n, std::begin(kMarker), std::end(kMarker)) != b + n)
    g_freed_with_marker.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

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

namespace tessera {
namespace {

// write_through_growth writes the marker early into a writer with little
// room, then enough after it to make the buffer grow several times.
void write_through_growth(ByteWriter& w) {
  w.u8(1);
  w.bytes(ByteView(kMarker, sizeof kMarker));
  for (uint16_t i = 0; i < 300; ++i) w.u16(i);
  w.prefixed<2>([](ByteWriter& c) { c.zeros(700); });
}

// expected_bytes is what write_through_growth writes (built unarmed).
Bytes expected_bytes() {
  Bytes e = {1};
  e.insert(e.end(), std::begin(kMarker), std::end(kMarker));
  for (uint16_t i = 0; i < 300; ++i) {
    e.push_back(static_cast<uint8_t>(i >> 8));
    e.push_back(static_cast<uint8_t>(i));
  }
  e.insert(e.end(), {0x02, 0xbc});
  e.insert(e.end(), 700, 0);
  return e;
}

TEST(SecretByteWriter, PlainWriterLeavesCopiesWhenItGrows) {
  g_freed_with_marker = 0;
  g_armed = true;
  {
    ByteWriter w(8);
    write_through_growth(w);
  }
  g_armed = false;
  EXPECT_GT(g_freed_with_marker.load(), 0) << "the check cannot see unwiped copies";
}

TEST(SecretByteWriter, WipesEveryBufferItLeaves) {
  const Bytes expected = expected_bytes();
  g_freed_with_marker = 0;
  g_armed = true;
  bool same = false;
  {
    ByteWriter w = ByteWriter::for_secrets(8);
    write_through_growth(w);
    EXPECT_FALSE(w.failed());
    SecretBytes s = std::move(w).take_secret();
    same = std::equal(s.view().begin(), s.view().end(), expected.begin(), expected.end());
  }
  {
    // Dropped without being taken: wiped when it dies.
    ByteWriter w = ByteWriter::for_secrets(4);
    write_through_growth(w);
  }
  {
    // Moved: the new owner wipes.
    ByteWriter w = ByteWriter::for_secrets(4);
    w.bytes(ByteView(kMarker, sizeof kMarker));
    ByteWriter moved(std::move(w));
    moved.zeros(100);
  }
  g_armed = false;
  EXPECT_TRUE(same);
  EXPECT_EQ(g_freed_with_marker.load(), 0);
}

}  // namespace
}  // namespace tessera
