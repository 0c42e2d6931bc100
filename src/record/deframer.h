// record/deframer.h — Deframer: cuts an incoming byte stream into records,
// and holds the decrypted application data the reader has not consumed yet.
//
// Bytes arrive in arbitrary chunks (one byte at a time works). The header of
// each record is validated as soon as its 5 bytes are present, before the
// body arrives (see parse_record_header: unknown content type ->
// unexpected_message, non-0x03xx version -> protocol_version, length over
// the limit -> record_overflow). Errors are sticky: once the stream is bad,
// every later call returns the same error.
//
// The receive path copies no record byte when records arrive whole: a record
// lying whole in the caller's input (next_whole) is decrypted from there
// straight into this buffer (room). Otherwise each byte is copied once
// (feed) and a record returned by next() is decrypted where it lies. Either
// way the engine calls keep() on the application-data plaintext, which stays
// in this buffer as held() until the reader consume_held()s it. No second buffer, no per-record
// copy while the reader keeps up (held() is empty when the next record is
// kept). When the reader lags, each newly kept plaintext is moved down to
// follow the held bytes, so held() stays one contiguous span.
//
// Memory: the buffer (an IoBuffer) is acquired when bytes arrive and released
// as soon as it holds nothing (no partial record, no held data), so an idle
// connection holds none. While held() is empty it holds at most one maximal
// record plus its header; held data makes it grow as needed.
//
//   size_t off = 0;
//   while (off < in.size()) {
//     off += deframer.feed(in.subspan(off));
//     while (true) {
//       TESSERA_ASSIGN_OR_RETURN(std::optional<Record> rec, deframer.next());
//       if (!rec) break;
//       ... use rec->fragment (valid until the next feed()/next() call) ...
//     }
//   }
#pragma once

#include <optional>

#include "base/bytes.h"
#include "record/io_buffer.h"
#include "record/record.h"
#include "tessera/result.h"

namespace tessera::record {

class Deframer {
 public:
  // max_fragment_length bounds TLSPlaintext/TLSCiphertext.length. The
  // default admits TLS 1.2 ciphertexts (2^14 + 2048); once TLS 1.3 is
  // negotiated lower it to kMaxCiphertext13.
  explicit Deframer(size_t max_fragment_length = kMaxCiphertext12);

  // set_max_fragment_length changes the limit for headers not yet parsed;
  // it cannot exceed the limit given at construction.
  void set_max_fragment_length(size_t max_fragment_length);
  size_t max_fragment_length() const { return max_fragment_; }

  // feed copies as many bytes of `data` as fit and returns how many it took
  // (0 after an error, or when the buffered bytes already complete a record
  // that next() has not returned). Room for one whole record after the held
  // data is always made, so pulling records with next() always makes
  // progress.
  size_t feed(ByteView data);

  // next returns the next complete record, nullopt when more bytes are
  // needed, or the (sticky) error of an invalid header. The record's fragment
  // points into the deframer's buffer and is valid until the next call to
  // feed(), next() or keep(); it may be decrypted in place.
  Result<std::optional<Record>> next();

  // next_whole returns the record at the start of `in` when `in` holds all
  // of it and nothing is buffered (buffered() == 0): the caller can then
  // open it where it lies (RecordProtection::open_into, into room()) and
  // skip its kHeaderSize + fragment.size() bytes of `in` instead of
  // feed()ing them. nullopt when a copy is needed (bytes are buffered, or
  // `in` holds only part of a record): feed() then. The header is checked
  // as in next(); an error is sticky like next()'s.
  Result<std::optional<RecordView>> next_whole(ByteView in);

  // room returns n writable bytes after held(), where the plaintext of a
  // record from next_whole() is decrypted; keep() the part that is
  // application data. Valid until the next call other than keep(). Only
  // when buffered() == 0.
  MutableByteView room(size_t n);

  // keep adds `plaintext` — a span inside the fragment of the record last
  // returned by next() (typically its plaintext, decrypted in place), or
  // inside the last room() — to held(). Call it before the next
  // feed()/next()/room().
  void keep(ByteView plaintext);

  // release_if_idle gives the storage back when it holds nothing (after a
  // room() whose plaintext was not kept, e.g. a post-handshake message).
  void release_if_idle();

  // held is the kept application data not yet consumed, in order; valid
  // until the next non-const call.
  ByteView held() const { return ByteView(buf_.data() + held_begin_, held_end_ - held_begin_); }
  // consume_held drops the first n bytes of held() (n is clamped).
  void consume_held(size_t n);

  // buffered is the number of bytes held that are not yet part of a
  // returned record.
  size_t buffered() const { return end_ - start_ - release_; }
  // has_partial says whether a partial record is buffered (for
  // truncation detection at end of stream).
  bool has_partial() const { return buffered() != 0; }
  // capacity is the size of the storage held now: 0 when idle.
  size_t capacity() const { return buf_.capacity(); }

 private:
  // drop_released forgets the record last returned by next() and releases
  // the storage if nothing is left in it.
  void drop_released();

  IoBuffer buf_;
  size_t capacity_limit_;
  size_t max_fragment_;
  // Layout: [held_begin_, held_end_) held plaintext, then (after a gap of
  // spent header/tag bytes) [start_, end_) record bytes; held_end_ <= start_.
  size_t held_begin_ = 0;
  size_t held_end_ = 0;
  size_t start_ = 0;    // first unconsumed record byte
  size_t end_ = 0;      // one past the last buffered byte
  size_t release_ = 0;  // bytes of the record last returned, dropped on the next call
  std::optional<Error> error_;
};

}  // namespace tessera::record
