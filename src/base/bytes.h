// base/bytes.h — ByteReader and ByteWriter: the only way tessera reads and
// writes wire formats.
//
// A ByteReader is a non-owning, bounds-checked cursor. Every read either
// succeeds or returns a decode error and leaves the cursor where it was.
// Parsers finish with expect_end(): trailing bytes are an error.
//
// A ByteWriter appends to an owned buffer. Length-prefixed children are
// written inside prefixed<N>(fn): the prefix is filled in when fn returns, so
// nobody computes a length by hand. A child longer than its prefix can hold
// marks the writer failed; finish() reports it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/secret.h"
#include "tessera/result.h"

namespace tessera {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using MutableByteView = std::span<uint8_t>;

// as_bytes_view views the characters of a string as bytes.
inline ByteView as_bytes_view(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(ByteView data) : data_(data) {}

  Result<uint8_t> read_u8();
  Result<uint16_t> read_u16();
  Result<uint32_t> read_u24();
  Result<uint32_t> read_u32();
  Result<uint64_t> read_u64();
  // read_bytes returns a view of the next n bytes (valid as long as the
  // underlying buffer).
  Result<ByteView> read_bytes(size_t n);
  // read_prefixed reads a big-endian length of prefix_len bytes (1..4) and
  // returns a reader over exactly that many following bytes.
  Result<ByteReader> read_prefixed(size_t prefix_len);
  template <size_t N>
  Result<ByteReader> read_prefixed() {
    static_assert(N >= 1 && N <= 4);
    return read_prefixed(N);
  }
  // read_prefixed_bytes is read_prefixed followed by taking all its bytes.
  Result<ByteView> read_prefixed_bytes(size_t prefix_len);
  // skip advances by n bytes.
  Result<void> skip(size_t n);

  // peek_u8 returns the next byte without consuming it.
  Result<uint8_t> peek_u8() const;

  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  size_t position() const { return pos_; }
  // rest returns the unread bytes without consuming them.
  ByteView rest() const { return data_.subspan(pos_); }
  // consumed returns the bytes read so far.
  ByteView consumed() const { return data_.first(pos_); }

  // expect_end succeeds only if every byte was consumed; otherwise it is a
  // decode_trailing_data error naming `what`.
  Result<void> expect_end(std::string_view what = {}) const;

 private:
  Result<uint64_t> read_uint(size_t n);

  ByteView data_{};
  size_t pos_ = 0;
};

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(size_t reserve) { buf_.reserve(reserve); }
  ByteWriter(ByteWriter&&) = default;
  ByteWriter& operator=(ByteWriter&&) = delete;
  ~ByteWriter();

  // for_secrets is a writer for bytes that include key material (a ticket's
  // state, a saved session). std::vector frees the buffer it outgrows as it
  // is, so a plain writer would leave copies of the secret on the heap; this
  // one wipes each buffer it leaves, and what it still holds when it dies.
  // Take the bytes with take_secret() (or take(), and wipe them).
  static ByteWriter for_secrets(size_t reserve);

  void u8(uint8_t v) {
    if (secret_) make_room(1);
    buf_.push_back(v);
  }
  void u16(uint16_t v);
  void u24(uint32_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void bytes(ByteView b) {
    if (secret_) make_room(b.size());
    buf_.insert(buf_.end(), b.begin(), b.end());
  }
  void zeros(size_t n) {
    if (secret_) make_room(n);
    buf_.insert(buf_.end(), n, 0);
  }

  // prefixed writes a prefix_len-byte length (1..4) followed by whatever fn
  // writes to this writer; the length is filled in after fn returns.
  template <class Fn>
  void prefixed(size_t prefix_len, Fn&& fn) {
    size_t at = open_prefix(prefix_len);
    fn(*this);
    close_prefix(at, prefix_len);
  }
  template <size_t N, class Fn>
  void prefixed(Fn&& fn) {
    static_assert(N >= 1 && N <= 4);
    prefixed(N, std::forward<Fn>(fn));
  }
  // prefixed_bytes writes b with a prefix_len-byte length.
  void prefixed_bytes(size_t prefix_len, ByteView b) {
    prefixed(prefix_len, [&](ByteWriter& w) { w.bytes(b); });
  }

  size_t size() const { return buf_.size(); }
  // failed is true if a child overflowed its length prefix.
  bool failed() const { return failed_; }
  ByteView view() const { return buf_; }
  // finish returns the written bytes, or decode_length if a child overflowed
  // its length prefix.
  Result<Bytes> finish() &&;
  // take returns the bytes; precondition: !failed().
  Bytes take() && { return std::move(buf_); }
  // take_secret returns the bytes as SecretBytes and wipes the writer's
  // copy; precondition: !failed().
  SecretBytes take_secret() &&;

 private:
  size_t open_prefix(size_t prefix_len);
  void close_prefix(size_t at, size_t prefix_len);
  // make_room (secret writers) grows the buffer for n more bytes itself,
  // wiping the one it leaves.
  void make_room(size_t n);

  Bytes buf_;
  bool failed_ = false;
  bool secret_ = false;
};

}  // namespace tessera
