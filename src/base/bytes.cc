#include "base/bytes.h"

#include <algorithm>
#include <string>

namespace tessera {

Result<uint64_t> ByteReader::read_uint(size_t n) {
  if (remaining() < n) {
    return Error(ErrorCode::decode_truncated,
                 "need " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | data_[pos_ + i];
  pos_ += n;
  return v;
}

Result<uint8_t> ByteReader::read_u8() {
  TESSERA_ASSIGN_OR_RETURN(uint64_t v, read_uint(1));
  return static_cast<uint8_t>(v);
}
Result<uint16_t> ByteReader::read_u16() {
  TESSERA_ASSIGN_OR_RETURN(uint64_t v, read_uint(2));
  return static_cast<uint16_t>(v);
}
Result<uint32_t> ByteReader::read_u24() {
  TESSERA_ASSIGN_OR_RETURN(uint64_t v, read_uint(3));
  return static_cast<uint32_t>(v);
}
Result<uint32_t> ByteReader::read_u32() {
  TESSERA_ASSIGN_OR_RETURN(uint64_t v, read_uint(4));
  return static_cast<uint32_t>(v);
}
Result<uint64_t> ByteReader::read_u64() { return read_uint(8); }

Result<ByteView> ByteReader::read_bytes(size_t n) {
  if (remaining() < n) {
    return Error(ErrorCode::decode_truncated,
                 "need " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
  }
  ByteView v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

Result<ByteReader> ByteReader::read_prefixed(size_t prefix_len) {
  size_t start = pos_;
  TESSERA_ASSIGN_OR_RETURN(uint64_t len, read_uint(prefix_len));
  if (remaining() < len) {
    pos_ = start;
    return Error(ErrorCode::decode_truncated, "length prefix " + std::to_string(len) +
                                                  " exceeds the " + std::to_string(remaining()) +
                                                  " bytes left");
  }
  ByteReader child(data_.subspan(pos_, len));
  pos_ += len;
  return child;
}

Result<ByteView> ByteReader::read_prefixed_bytes(size_t prefix_len) {
  TESSERA_ASSIGN_OR_RETURN(ByteReader child, read_prefixed(prefix_len));
  return child.rest();
}

Result<void> ByteReader::skip(size_t n) {
  TESSERA_TRY(read_bytes(n));
  return ok();
}

Result<uint8_t> ByteReader::peek_u8() const {
  if (empty()) return Error(ErrorCode::decode_truncated, "need 1 byte, 0 left");
  return data_[pos_];
}

Result<void> ByteReader::expect_end(std::string_view what) const {
  if (empty()) return ok();
  std::string msg = std::to_string(remaining()) + " trailing bytes";
  if (!what.empty()) msg += " after " + std::string(what);
  return Error(ErrorCode::decode_trailing_data, std::move(msg));
}

ByteWriter::~ByteWriter() {
  if (secret_) secure_wipe(buf_.data(), buf_.size());
}

ByteWriter ByteWriter::for_secrets(size_t reserve) {
  ByteWriter w(reserve);
  w.secret_ = true;
  return w;
}

void ByteWriter::make_room(size_t n) {
  if (buf_.capacity() - buf_.size() >= n) return;
  Bytes bigger;
  bigger.reserve(std::max(2 * buf_.capacity(), buf_.size() + n));
  bigger.assign(buf_.begin(), buf_.end());
  secure_wipe(buf_.data(), buf_.size());
  buf_.swap(bigger);
}

SecretBytes ByteWriter::take_secret() && {
  SecretBytes out{ByteView(buf_)};
  secure_wipe(buf_.data(), buf_.size());
  Bytes().swap(buf_);
  return out;
}

void ByteWriter::u16(uint16_t v) {
  if (secret_) make_room(2);
  buf_.push_back(static_cast<uint8_t>(v >> 8));
  buf_.push_back(static_cast<uint8_t>(v));
}
void ByteWriter::u24(uint32_t v) {
  if (secret_) make_room(3);
  buf_.push_back(static_cast<uint8_t>(v >> 16));
  buf_.push_back(static_cast<uint8_t>(v >> 8));
  buf_.push_back(static_cast<uint8_t>(v));
}
void ByteWriter::u32(uint32_t v) {
  if (secret_) make_room(4);
  for (int s = 24; s >= 0; s -= 8) buf_.push_back(static_cast<uint8_t>(v >> s));
}
void ByteWriter::u64(uint64_t v) {
  if (secret_) make_room(8);
  for (int s = 56; s >= 0; s -= 8) buf_.push_back(static_cast<uint8_t>(v >> s));
}

size_t ByteWriter::open_prefix(size_t prefix_len) {
  if (secret_) make_room(prefix_len);
  size_t at = buf_.size();
  buf_.insert(buf_.end(), prefix_len, 0);
  return at;
}

void ByteWriter::close_prefix(size_t at, size_t prefix_len) {
  size_t len = buf_.size() - at - prefix_len;
  uint64_t max = (prefix_len >= 8) ? UINT64_MAX : ((uint64_t{1} << (8 * prefix_len)) - 1);
  if (len > max) {
    failed_ = true;
    return;
  }
  for (size_t i = 0; i < prefix_len; ++i) {
    buf_[at + i] = static_cast<uint8_t>(len >> (8 * (prefix_len - 1 - i)));
  }
}

Result<Bytes> ByteWriter::finish() && {
  if (failed_)
    return Error(ErrorCode::decode_length, "a field is longer than its length prefix allows");
  return std::move(buf_);
}

}  // namespace tessera
