// record/io_buffer.h — IoBuffer: the record layer's byte buffers, held only
// while they hold bytes.
//
// An idle connection should not pay for two 18 KiB record buffers (issue 6:
// at most 8 KiB per established idle connection). The deframer and the
// engine's output queue therefore keep their storage in an IoBuffer and
// release() it whenever it becomes empty; the next record re-acquires it.
// To keep that from costing an allocation per record in a busy connection,
// buffers of the standard size (kStandardSize: one maximal TLS 1.2 record
// with its header) go back to a small per-thread cache (kCacheSlots buffers,
// at most about 74 KiB per thread) instead of to the heap, so a thread moving
// records back and forth reuses the same few buffers. Larger buffers (an
// application that lets received data pile up, a large write) are freed.
//
// Growth does not zero the new bytes (std::vector would): the record path
// overwrites every byte it exposes. A released buffer is not zeroed either;
// it held record bytes (ciphertext, or plaintext the application read), never
// keys, and nothing reads a buffer's bytes before writing them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"

namespace tessera::record {

class IoBuffer {
 public:
  // Storage is kAlignment-aligned. A record queued or received first in an
  // empty buffer starts at kRecordLead, so that its fragment (after the
  // 5-byte header) is aligned too: the AEAD then reads and writes the
  // 16 KiB body in whole cache lines (at offset 5, about one in four of its
  // 16-byte loads and stores straddles two lines; measured ~2% of the bulk
  // record path).
  static constexpr size_t kAlignment = 64;
  static constexpr size_t kRecordLead = kAlignment - 5;
  // kStandardSize fits the lead and one record of kMaxCiphertext12 plus its
  // header.
  static constexpr size_t kStandardSize = kRecordLead + 5 + (size_t{1} << 14) + 2048;
  static constexpr size_t kCacheSlots = 4;
  static constexpr size_t kSmallSize = 4096;

  IoBuffer() = default;
  IoBuffer(const IoBuffer&) = delete;
  IoBuffer& operator=(const IoBuffer&) = delete;
  IoBuffer(IoBuffer&& other) noexcept;
  IoBuffer& operator=(IoBuffer&& other) noexcept;
  ~IoBuffer() { release(); }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  // capacity is 0 when no storage is held.
  size_t capacity() const { return capacity_; }

  // reserve makes capacity() at least `n`, keeping the first `keep` bytes
  // (at most capacity(): an owner that starts at the lead in released
  // storage has nothing to keep). Up to kSmallSize it takes a small heap block (the
  // handshake's records are small: this keeps its peak low); up to
  // kStandardSize a standard buffer, from the thread's cache when one is
  // there; beyond, at least double the capacity from the heap. The bytes past
  // `keep` are unspecified.
  void reserve(size_t n, size_t keep);

  // release gives the storage back (to the thread's cache when it is a
  // standard buffer and a slot is free, else to the heap); capacity() is 0.
  void release();

  // set_thread_cache_limit bounds this thread's cache to `slots` buffers
  // (at most kCacheSlots, the default; 0 turns the cache off) and frees what
  // is over the bound: a thread about to go idle can give its buffers back,
  // and a memory measurement can see every buffer a connection takes.
  static void set_thread_cache_limit(size_t slots);

  // cached_for_testing is the number of buffers in this thread's cache.
  static size_t cached_for_testing();

 private:
  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
};

// OutputQueue: the bytes a connection has to send, in an IoBuffer. Records
// are written straight into it (grow() + commit(): the sealed record is built
// once, where it waits to be sent); consume() drops what was sent and
// releases the storage once everything has gone.
class OutputQueue {
 public:
  // pending is the unsent bytes; valid until the next non-const call.
  ByteView pending() const { return ByteView(buf_.data() + begin_, end_ - begin_); }
  // consume drops the first n pending bytes (n is clamped).
  void consume(size_t n);
  // grow returns n writable bytes after the pending ones, whose first
  // commit(k) bytes (k <= n) become pending; valid until the next call.
  MutableByteView grow(size_t n);
  void commit(size_t n) { end_ += n; }
  // append queues a copy of `bytes`.
  void append(ByteView bytes);
  size_t capacity() const { return buf_.capacity(); }

 private:
  IoBuffer buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace tessera::record
