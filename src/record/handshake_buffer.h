// record/handshake_buffer.h — HandshakeBuffer: reassembles handshake
// messages from the plaintext of handshake records.
//
// A handshake message is
//   struct { HandshakeType msg_type; uint24 length; opaque body[length]; }
// and may be split across several records, or share a record with other
// messages (RFC 8446 5.1, RFC 5246 6.2.1). add() appends a record's
// plaintext; next() yields each complete message as a view of header + body
// (the transcript hashes the header too).
//
// The size limit is checked from the 4-byte header, before the body arrives:
// a message longer than max_message_size is refused with decode_length and
// the alert decode_error. Why decode_error: RFC 8446 6.2 defines it as "a
// message could not be decoded because some field was out of the specified
// range or the length of the message was incorrect" — the length field is out
// of the range this endpoint accepts. (illegal_parameter is for fields that
// are "incorrectly set or inconsistent with other fields", and
// record_overflow concerns records, not messages.)
//
// Memory: the buffer holds at most one message (max_message_size + 4) plus
// the record that completed it; the caller drains next() after each add().
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "tessera/result.h"

namespace tessera::record {

inline constexpr size_t kHandshakeHeaderSize = 4;
// Default limit: 64 KiB covers certificate chains of ordinary size.
inline constexpr size_t kDefaultMaxHandshakeMessage = 64 * 1024;

// A complete handshake message; views into the HandshakeBuffer, valid until
// the next add() or next().
struct HandshakeMessage {
  uint8_t type = 0;
  ByteView body;     // the message body (length bytes)
  ByteView message;  // header + body, as hashed into the transcript
};

class HandshakeBuffer {
 public:
  // max_message_size bounds the body length of one message (the 4-byte
  // header is not counted).
  explicit HandshakeBuffer(size_t max_message_size = kDefaultMaxHandshakeMessage)
      : max_message_(max_message_size) {}

  // add appends the plaintext of one handshake record. Errors are sticky:
  // after a size violation, add() and next() keep returning it.
  // RFC 8446 5.1 forbids zero-length handshake records: an empty fragment is
  // unexpected_message.
  Result<void> add(ByteView fragment);

  // next returns the next complete message, nullopt if more data is needed,
  // or decode_length (alert decode_error) if a header announces a message
  // longer than max_message_size.
  Result<std::optional<HandshakeMessage>> next();

  // has_partial says whether bytes not yet returned by next() are buffered
  // (an incomplete message, or complete ones not pulled yet).
  bool has_partial() const { return end_ > start_ + release_; }

  // check_key_change_boundary returns unexpected_message if has_partial():
  // the bytes before a key change must end at a record boundary. RFC 8446 5.1: "Handshake messages
  // MUST NOT span key changes." Call it whenever the read key changes.
  Result<void> check_key_change_boundary() const;

  size_t max_message_size() const { return max_message_; }

 private:
  Bytes buf_;
  size_t max_message_;
  size_t start_ = 0;    // first unconsumed byte in buf_
  size_t end_ = 0;      // bytes used in buf_
  size_t release_ = 0;  // size of the message handed out last, dropped on the next call
  std::optional<Error> error_;
};

}  // namespace tessera::record
