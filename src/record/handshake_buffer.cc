#include "record/handshake_buffer.h"

#include <cstring>
#include <string>

namespace tessera::record {

namespace {

// front_header reads the type and body length of the message at the front of
// `data` (which holds at least 4 bytes).
Result<std::pair<uint8_t, uint32_t>> front_header(ByteView data) {
  ByteReader r(data);
  TESSERA_ASSIGN_OR_RETURN(uint8_t type, r.read_u8());
  TESSERA_ASSIGN_OR_RETURN(uint32_t length, r.read_u24());
  return std::pair<uint8_t, uint32_t>(type, length);
}

}  // namespace

Result<void> HandshakeBuffer::add(ByteView fragment) {
  if (error_) return *error_;
  // RFC 8446 5.1: "Implementations MUST NOT send zero-length fragments of
  // Handshake types, even if those fragments contain padding."
  if (fragment.empty()) {
    error_ = Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
                   "zero-length handshake record");
    return *error_;
  }
  start_ += release_;
  release_ = 0;
  if (start_ > 0) {
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (buf_.size() < end_ + fragment.size()) buf_.resize(end_ + fragment.size());
  std::memcpy(buf_.data() + end_, fragment.data(), fragment.size());
  end_ += fragment.size();
  // Check the size of the front message now, so an oversized announcement is
  // refused before its body is buffered.
  if (end_ - start_ >= kHandshakeHeaderSize) {
    Result<std::optional<HandshakeMessage>> peek = next();
    if (!peek.ok()) return std::move(peek).error();
    release_ = 0;  // peeking does not consume
  }
  return ok();
}

Result<std::optional<HandshakeMessage>> HandshakeBuffer::next() {
  if (error_) return *error_;
  start_ += release_;
  release_ = 0;
  if (start_ == end_ && !buf_.empty()) {
    // Everything was handed out: give the storage back, so an established
    // connection does not keep its largest message's worth (issue 6).
    Bytes().swap(buf_);
    start_ = end_ = 0;
  }
  size_t avail = end_ - start_;
  if (avail < kHandshakeHeaderSize) return std::optional<HandshakeMessage>();
  ByteView data(buf_.data() + start_, avail);
  TESSERA_ASSIGN_OR_RETURN(auto header, front_header(data));
  if (header.second > max_message_) {
    error_ = Error(ErrorCode::decode_length, AlertDescription::decode_error,
                   "handshake message of type " + std::to_string(header.first) + " announces " +
                       std::to_string(header.second) + " bytes, more than the limit of " +
                       std::to_string(max_message_));
    return *error_;
  }
  size_t total = kHandshakeHeaderSize + header.second;
  if (avail < total) return std::optional<HandshakeMessage>();
  release_ = total;
  return std::optional<HandshakeMessage>(HandshakeMessage{
      header.first, data.subspan(kHandshakeHeaderSize, header.second), data.first(total)});
}

Result<void> HandshakeBuffer::check_key_change_boundary() const {
  // RFC 8446 5.1: "Handshake messages MUST NOT span key changes.
  // Implementations MUST verify that all messages immediately preceding a key
  // change align with a record boundary; if not, then they MUST terminate the
  // connection with an "unexpected_message" alert."
  if (has_partial()) {
    return Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
                 "a handshake message spans a key change (" +
                     std::to_string(end_ - start_ - release_) + " bytes left over)");
  }
  return ok();
}

}  // namespace tessera::record
