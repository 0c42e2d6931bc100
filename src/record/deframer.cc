#include "record/deframer.h"

#include <algorithm>
#include <cstring>

namespace tessera::record {

Deframer::Deframer(size_t max_fragment_length)
    : capacity_limit_(max_fragment_length), max_fragment_(max_fragment_length) {}

void Deframer::set_max_fragment_length(size_t max_fragment_length) {
  max_fragment_ = std::min(max_fragment_length, capacity_limit_);
}

void Deframer::drop_released() {
  start_ += release_;
  release_ = 0;
  if (start_ == end_ && held_begin_ == held_end_) {
    start_ = end_ = held_begin_ = held_end_ = 0;
    buf_.release();
  }
}

size_t Deframer::feed(ByteView data) {
  if (error_) return 0;
  drop_released();
  if (data.empty()) return 0;
  const size_t held = held_end_ - held_begin_;
  const size_t pending = end_ - start_;
  const size_t record_room = kHeaderSize + capacity_limit_;
  // Take at most what completes room for one whole record from start_ on
  // (pending bytes included): full only when a whole record waits for
  // next().
  const size_t n = std::min(data.size(), start_ + record_room - end_);
  // When the storage is short, close the gaps left by spent headers, tags and
  // records (slide the held bytes, then the pending record bytes, to the
  // front) if that frees at least as much as it moves, so the moves cost
  // amortised O(1) per byte; otherwise grow (by doubling past the standard
  // size). The storage grows only as far as the arriving bytes need: a
  // handshake's small records take a small buffer.
  if (buf_.capacity() == 0) {
    // Empty (the storage was released): the first record starts at the
    // lead, so that its fragment, opened in place, is aligned.
    start_ = end_ = IoBuffer::kRecordLead;
  }
  const size_t gap = end_ - held - pending;
  if (end_ + n > buf_.capacity() && gap > 0 && held + pending > 0 && gap >= held + pending) {
    uint8_t* b = buf_.data();
    if (held > 0) std::memmove(b, b + held_begin_, held);
    if (pending > 0) std::memmove(b + held, b + start_, pending);
    held_begin_ = 0;
    held_end_ = held;
    start_ = held;
    end_ = held + pending;
  }
  buf_.reserve(end_ + n, end_);
  std::memcpy(buf_.data() + end_, data.data(), n);
  end_ += n;
  return n;
}

Result<std::optional<Record>> Deframer::next() {
  if (error_) return *error_;
  drop_released();
  if (end_ - start_ < kHeaderSize) return std::optional<Record>();
  ByteReader reader(ByteView(buf_.data() + start_, end_ - start_));
  Result<RecordHeader> header = parse_record_header(reader, max_fragment_);
  if (!header.ok()) {
    error_ = header.error();
    return *error_;
  }
  size_t total = kHeaderSize + header->length;
  if (end_ - start_ < total) return std::optional<Record>();
  Record rec{header->type, header->legacy_version,
             MutableByteView(buf_.data() + start_ + kHeaderSize, header->length)};
  release_ = total;
  return std::optional<Record>(rec);
}

Result<std::optional<RecordView>> Deframer::next_whole(ByteView in) {
  if (error_) return *error_;
  drop_released();
  if (end_ != start_ || in.size() < kHeaderSize) return std::optional<RecordView>();
  ByteReader reader(in);
  Result<RecordHeader> header = parse_record_header(reader, max_fragment_);
  if (!header.ok()) {
    error_ = header.error();
    return *error_;
  }
  if (in.size() - kHeaderSize < header->length) return std::optional<RecordView>();
  return std::optional<RecordView>(
      RecordView{header->type, header->legacy_version, in.subspan(kHeaderSize, header->length)});
}

MutableByteView Deframer::room(size_t n) {
  drop_released();
  const size_t held = held_end_ - held_begin_;
  // Nothing is pending, so the room goes right after the held bytes; slide
  // them to the front first if the storage is short and that frees at least
  // as much as it moves (as in feed).
  if (held_end_ + n > buf_.capacity() && held_begin_ > 0 && held_begin_ >= held) {
    if (held > 0) std::memmove(buf_.data(), buf_.data() + held_begin_, held);
    held_begin_ = 0;
    held_end_ = held;
  }
  buf_.reserve(held_end_ + n, held_end_);
  start_ = end_ = held_end_ + n;
  return MutableByteView(buf_.data() + held_end_, n);
}

void Deframer::release_if_idle() {
  if (release_ == 0) drop_released();
}

void Deframer::keep(ByteView plaintext) {
  if (plaintext.empty()) return;
  const size_t at = static_cast<size_t>(plaintext.data() - buf_.data());
  if (held_begin_ == held_end_) {
    held_begin_ = at;
    held_end_ = at + plaintext.size();
    return;
  }
  if (at == held_end_) {  // already right after the held bytes (a room())
    held_end_ += plaintext.size();
    return;
  }
  // The reader has not caught up: append to the held bytes (the record's
  // header and the held data's old tail are spent, so this never overlaps
  // anything still needed).
  std::memmove(buf_.data() + held_end_, plaintext.data(), plaintext.size());
  held_end_ += plaintext.size();
}

void Deframer::consume_held(size_t n) {
  held_begin_ += std::min(n, held_end_ - held_begin_);
  if (held_begin_ == held_end_) {
    held_begin_ = held_end_ = 0;
    if (release_ == 0) drop_released();
  }
}

}  // namespace tessera::record
