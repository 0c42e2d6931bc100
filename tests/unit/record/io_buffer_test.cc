// Tests for record/io_buffer: storage held only while needed, the per-thread
// cache of standard buffers, and the output queue.
#include "record/io_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

namespace tessera::record {
namespace {

TEST(IoBuffer, StandardBuffersGoBackToTheThreadCache) {
  // Run on a fresh thread so the cache starts empty.
  std::thread([] {
    EXPECT_EQ(IoBuffer::cached_for_testing(), 0u);
    IoBuffer a;
    EXPECT_EQ(a.capacity(), 0u);
    a.reserve(IoBuffer::kSmallSize + 1, 0);
    EXPECT_EQ(a.capacity(), IoBuffer::kStandardSize);
    uint8_t* first = a.data();
    a.release();
    EXPECT_EQ(a.capacity(), 0u);
    EXPECT_EQ(IoBuffer::cached_for_testing(), 1u);
    // Re-acquiring takes the cached buffer back: no allocation.
    IoBuffer b;
    b.reserve(IoBuffer::kStandardSize, 0);
    EXPECT_EQ(b.data(), first);
    EXPECT_EQ(IoBuffer::cached_for_testing(), 0u);
    // The cache is bounded.
    std::vector<IoBuffer> many(IoBuffer::kCacheSlots + 3);
    for (auto& m : many) m.reserve(IoBuffer::kStandardSize, 0);
    many.clear();
    EXPECT_EQ(IoBuffer::cached_for_testing(), IoBuffer::kCacheSlots);
    // Lowering the limit frees the surplus; 0 turns the cache off.
    IoBuffer::set_thread_cache_limit(1);
    EXPECT_EQ(IoBuffer::cached_for_testing(), 1u);
    IoBuffer::set_thread_cache_limit(0);
    EXPECT_EQ(IoBuffer::cached_for_testing(), 0u);
    IoBuffer c;
    c.reserve(IoBuffer::kStandardSize, 0);
    c.release();
    EXPECT_EQ(IoBuffer::cached_for_testing(), 0u);
    IoBuffer::set_thread_cache_limit(IoBuffer::kCacheSlots);
  }).join();
}

TEST(IoBuffer, GrowingKeepsTheBytesAndLargeBuffersAreNotCached) {
  std::thread([] {
    IoBuffer a;
    a.reserve(10, 0);
    EXPECT_EQ(a.capacity(), IoBuffer::kSmallSize);  // small requests take a small block
    std::memcpy(a.data(), "0123456789", 10);
    a.reserve(IoBuffer::kSmallSize + 1, 10);
    EXPECT_EQ(a.capacity(), IoBuffer::kStandardSize);
    EXPECT_EQ(std::memcmp(a.data(), "0123456789", 10), 0);
    EXPECT_EQ(IoBuffer::cached_for_testing(), 0u);  // the small block went to the heap
    a.reserve(IoBuffer::kStandardSize + 1, 10);
    EXPECT_GE(a.capacity(), IoBuffer::kStandardSize + 1);
    EXPECT_EQ(std::memcmp(a.data(), "0123456789", 10), 0);
    // Growing returned the standard buffer to the cache.
    EXPECT_EQ(IoBuffer::cached_for_testing(), 1u);
    size_t before = a.capacity();
    a.reserve(before + 1, 10);
    EXPECT_GE(a.capacity(), 2 * before);  // doubling
    a.release();
    EXPECT_EQ(IoBuffer::cached_for_testing(), 1u);
    // Moves transfer the storage.
    IoBuffer b;
    b.reserve(IoBuffer::kStandardSize, 0);
    IoBuffer c(std::move(b));
    EXPECT_EQ(b.capacity(), 0u);
    EXPECT_EQ(c.capacity(), IoBuffer::kStandardSize);
  }).join();
}

TEST(OutputQueue, PartialConsumeThenReleaseWhenEmpty) {
  OutputQueue q;
  EXPECT_EQ(q.capacity(), 0u);
  EXPECT_TRUE(q.pending().empty());
  const uint8_t abc[] = {'a', 'b', 'c', 'd', 'e'};
  q.append(abc);
  MutableByteView w = q.grow(4);
  ASSERT_EQ(w.size(), 4u);
  std::memcpy(w.data(), "WXYZ", 4);
  q.commit(2);  // only part of what was grown
  ASSERT_EQ(q.pending().size(), 7u);
  EXPECT_EQ(std::memcmp(q.pending().data(), "abcdeWX", 7), 0);
  q.consume(3);
  ASSERT_EQ(q.pending().size(), 4u);
  EXPECT_EQ(std::memcmp(q.pending().data(), "deWX", 4), 0);
  EXPECT_GT(q.capacity(), 0u);
  q.consume(100);  // clamped
  EXPECT_TRUE(q.pending().empty());
  EXPECT_EQ(q.capacity(), 0u);
}

bool aligned(const uint8_t* p) {
  return reinterpret_cast<uintptr_t>(p) % IoBuffer::kAlignment == 0;
}

TEST(IoBuffer, StorageIsAligned) {
  for (size_t n :
       {size_t{1}, IoBuffer::kSmallSize, IoBuffer::kStandardSize, IoBuffer::kStandardSize + 1}) {
    IoBuffer b;
    b.reserve(n, 0);
    EXPECT_TRUE(aligned(b.data())) << n;
  }
}

TEST(OutputQueue, TheFirstRecordsFragmentIsAligned) {
  // A record queued into an empty queue starts at the lead, so its fragment
  // (after the 5-byte header) starts on an aligned address; again after the
  // queue was emptied and its storage released.
  OutputQueue q;
  for (int round = 0; round < 2; ++round) {
    MutableByteView w = q.grow(5 + 16384 + 17);
    EXPECT_TRUE(aligned(w.data() + 5)) << round;
    q.commit(w.size());
    EXPECT_EQ(q.pending().data(), w.data());
    EXPECT_LE(q.capacity(), IoBuffer::kStandardSize);  // still one standard buffer
    q.consume(q.pending().size());
    EXPECT_EQ(q.capacity(), 0u);
  }
}

TEST(OutputQueue, LargeBacklogKeepsOrder) {
  // Many records queued without being sent: the queue grows past the
  // standard size, and a partial consume in the middle keeps the order.
  OutputQueue q;
  std::vector<uint8_t> expect;
  for (int i = 0; i < 40; ++i) {
    std::vector<uint8_t> chunk(1000 + i * 7, static_cast<uint8_t>(i));
    q.append(chunk);
    expect.insert(expect.end(), chunk.begin(), chunk.end());
    if (i == 20) {
      q.consume(1500);
      expect.erase(expect.begin(), expect.begin() + 1500);
    }
  }
  ASSERT_EQ(q.pending().size(), expect.size());
  EXPECT_EQ(std::memcmp(q.pending().data(), expect.data(), expect.size()), 0);
  q.consume(expect.size());
  EXPECT_EQ(q.capacity(), 0u);
}

}  // namespace
}  // namespace tessera::record
