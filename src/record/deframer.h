// record/deframer.h — Deframer: cuts an incoming byte stream into records.
//
// Bytes arrive in arbitrary chunks (one byte at a time works). The header of
// each record is validated as soon as its 5 bytes are present, before the
// body arrives (see parse_record_header: unknown content type ->
// unexpected_message, non-0x03xx version -> protocol_version, length over
// the limit -> record_overflow). Errors are sticky: once the stream is bad,
// every later call returns the same error.
//
// Memory is bounded: the buffer holds at most one maximal record plus its
// header (kHeaderSize + max_fragment_length bytes), allocated once. feed()
// accepts only what fits and says how much it took; pull records with next()
// to make room, then feed the rest.
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
  // it cannot exceed the limit given at construction (the buffer size).
  void set_max_fragment_length(size_t max_fragment_length);
  size_t max_fragment_length() const { return max_fragment_; }

  // feed copies as many bytes of `data` as fit into the buffer and returns
  // how many it took (0 when the buffer is full of an incomplete record,
  // which cannot happen with a valid header, or after an error).
  size_t feed(ByteView data);

  // next returns the next complete record, nullopt when more bytes are
  // needed, or the (sticky) error of an invalid header. The record's fragment
  // points into the deframer's buffer and is valid until the next call to
  // feed() or next(); it may be decrypted in place.
  Result<std::optional<Record>> next();

  // buffered is the number of bytes held that are not yet part of a
  // returned record.
  size_t buffered() const { return end_ - start_ - release_; }
  // has_partial says whether a partial record is buffered (for
  // truncation detection at end of stream).
  bool has_partial() const { return buffered() != 0; }

 private:
  Bytes buf_;
  size_t capacity_limit_;
  size_t max_fragment_;
  size_t start_ = 0;    // first unconsumed byte
  size_t end_ = 0;      // one past the last buffered byte
  size_t release_ = 0;  // bytes of the record last returned, dropped on the next call
  std::optional<Error> error_;
};

}  // namespace tessera::record
