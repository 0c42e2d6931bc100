#include "record/io_buffer.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

namespace tessera::record {

namespace {

// Storage is kAlignment-aligned (see io_buffer.h) and not zeroed.
uint8_t* new_storage(size_t n) {
  return static_cast<uint8_t*>(::operator new[](n, std::align_val_t{IoBuffer::kAlignment}));
}

void free_storage(uint8_t* p) { ::operator delete[](p, std::align_val_t{IoBuffer::kAlignment}); }

// The per-thread cache of standard-size buffers: thread_local (not a locked
// global) so that reusing a buffer costs no synchronisation. The slots are
// trivially destructible, so they stay usable while the thread's (or, for
// the main thread, the program's) other objects are destroyed; a separate
// reaper frees the cached buffers when the thread ends and marks the cache
// closed, after which released buffers go straight to the heap (a connection
// destroyed by a static destructor after the reaper ran).
struct Cache {
  uint8_t* slots[IoBuffer::kCacheSlots];
  size_t count;
  size_t limit;
  bool closed;
};
thread_local Cache t_cache = {{}, 0, IoBuffer::kCacheSlots, false};

struct CacheReaper {
  CacheReaper() = default;
  CacheReaper(const CacheReaper&) = delete;
  CacheReaper& operator=(const CacheReaper&) = delete;
  ~CacheReaper() {
    while (t_cache.count > 0) free_storage(t_cache.slots[--t_cache.count]);
    t_cache.closed = true;
  }
};
thread_local CacheReaper t_reaper;

Cache& cache() { return t_cache; }

uint8_t* allocate(size_t n) {
  if (n == IoBuffer::kStandardSize) {
    Cache& c = cache();
    if (c.count > 0) return c.slots[--c.count];
  }
  return new_storage(n);
}

void deallocate(uint8_t* p, size_t n) {
  if (p == nullptr) return;
  if (n == IoBuffer::kStandardSize) {
    Cache& c = cache();
    if (!c.closed && c.count < c.limit) {
      (void)&t_reaper;  // first use in this thread: registers the reaper
      c.slots[c.count++] = p;
      return;
    }
  }
  free_storage(p);
}

}  // namespace

IoBuffer::IoBuffer(IoBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}

IoBuffer& IoBuffer::operator=(IoBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

void IoBuffer::reserve(size_t n, size_t keep) {
  if (n <= capacity_) return;
  // Small, then standard buffers; beyond that, at least double so that a
  // growing backlog costs amortised constant copying.
  size_t want = n <= kSmallSize      ? kSmallSize
                : n <= kStandardSize ? kStandardSize
                                     : std::max(n, 2 * capacity_);
  uint8_t* p = allocate(want);
  // Nothing to copy from no storage (a released buffer whose owner kept its
  // lead offset: memcpy from null is undefined even for 0 bytes).
  const size_t kept = std::min(keep, capacity_);
  if (kept > 0) std::memcpy(p, data_, kept);
  deallocate(data_, capacity_);
  data_ = p;
  capacity_ = want;
}

void IoBuffer::release() {
  deallocate(data_, capacity_);
  data_ = nullptr;
  capacity_ = 0;
}

void IoBuffer::set_thread_cache_limit(size_t slots) {
  Cache& c = cache();
  c.limit = std::min(slots, kCacheSlots);
  while (c.count > c.limit) free_storage(c.slots[--c.count]);
}

size_t IoBuffer::cached_for_testing() { return cache().count; }

void OutputQueue::consume(size_t n) {
  begin_ += std::min(n, end_ - begin_);
  if (begin_ == end_) {
    begin_ = end_ = 0;
    buf_.release();
  }
}

MutableByteView OutputQueue::grow(size_t n) {
  if (begin_ == end_) {
    // Nothing pending (the storage was released): the next record starts at
    // the lead, so that its fragment is aligned.
    begin_ = end_ = IoBuffer::kRecordLead;
  } else if (begin_ > IoBuffer::kRecordLead && buf_.capacity() - end_ < n) {
    std::memmove(buf_.data() + IoBuffer::kRecordLead, buf_.data() + begin_, end_ - begin_);
    end_ -= begin_ - IoBuffer::kRecordLead;
    begin_ = IoBuffer::kRecordLead;
  }
  buf_.reserve(end_ + n, end_);
  return MutableByteView(buf_.data() + end_, n);
}

void OutputQueue::append(ByteView bytes) {
  if (bytes.empty()) return;
  MutableByteView dst = grow(bytes.size());
  std::memcpy(dst.data(), bytes.data(), bytes.size());
  commit(bytes.size());
}

}  // namespace tessera::record
