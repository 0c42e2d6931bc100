// ByteWriter::for_secrets leaves no copy of what it wrote in memory it frees
// (tests/support/freed_memory_probe.h searches every freed block for the
// marker). The control case (a plain ByteWriter outgrowing its buffer) shows
// the check finds such copies.
#include <algorithm>
#include <iterator>

#include <gtest/gtest.h>

#include "base/bytes.h"
#include "support/freed_memory_probe.h"

namespace tessera {
namespace {

using testing::FreedMemoryProbe;
using testing::kSecretMarker;

// write_through_growth writes the marker early into a writer with little
// room, then enough after it to make the buffer grow several times.
void write_through_growth(ByteWriter& w) {
  w.u8(1);
  w.bytes(ByteView(kSecretMarker, sizeof kSecretMarker));
  for (uint16_t i = 0; i < 300; ++i) w.u16(i);
  w.prefixed<2>([](ByteWriter& c) { c.zeros(700); });
}

// expected_bytes is what write_through_growth writes (built unarmed).
Bytes expected_bytes() {
  Bytes e = {1};
  e.insert(e.end(), std::begin(kSecretMarker), std::end(kSecretMarker));
  for (uint16_t i = 0; i < 300; ++i) {
    e.push_back(static_cast<uint8_t>(i >> 8));
    e.push_back(static_cast<uint8_t>(i));
  }
  e.insert(e.end(), {0x02, 0xbc});
  e.insert(e.end(), 700, 0);
  return e;
}

TEST(SecretByteWriter, PlainWriterLeavesCopiesWhenItGrows) {
  TESSERA_SKIP_WITHOUT_PROBE();
  FreedMemoryProbe probe;
  {
    ByteWriter w(8);
    write_through_growth(w);
  }
  EXPECT_GT(probe.freed_with_marker(), 0) << "the check cannot see unwiped copies";
}

TEST(SecretByteWriter, WipesEveryBufferItLeaves) {
  TESSERA_SKIP_WITHOUT_PROBE();
  const Bytes expected = expected_bytes();
  FreedMemoryProbe probe;
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
    w.bytes(ByteView(kSecretMarker, sizeof kSecretMarker));
    ByteWriter moved(std::move(w));
    moved.zeros(100);
  }
  EXPECT_TRUE(same);
  EXPECT_EQ(probe.freed_with_marker(), 0);
}

}  // namespace
}  // namespace tessera
