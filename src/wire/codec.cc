#include "wire/codec.h"

#include <string>

namespace tessera::wire {

Result<ByteReader> read_vector(ByteReader& r, size_t prefix_len, size_t min_len, size_t max_len,
                               std::string_view field) {
  ByteReader saved = r;
  TESSERA_ASSIGN_OR_RETURN(ByteReader child, field_context(r.read_prefixed(prefix_len), field));
  size_t len = child.remaining();
  if (len < min_len || len > max_len) {
    // Leave the cursor where it was, as every failed ByteReader read does.
    r = saved;
    return Error(ErrorCode::decode_length, std::string(field) + ": length " + std::to_string(len) +
                                               " is outside the allowed " +
                                               std::to_string(min_len) + ".." +
                                               std::to_string(max_len));
  }
  return child;
}

Result<Bytes> read_opaque(ByteReader& r, size_t prefix_len, size_t min_len, size_t max_len,
                          std::string_view field) {
  TESSERA_ASSIGN_OR_RETURN(ByteReader child, read_vector(r, prefix_len, min_len, max_len, field));
  ByteView v = child.rest();
  return Bytes(v.begin(), v.end());
}

Result<std::vector<uint16_t>> read_u16_list(ByteReader& r, size_t prefix_len, size_t min_len,
                                            size_t max_len, std::string_view field) {
  TESSERA_ASSIGN_OR_RETURN(ByteReader child, read_vector(r, prefix_len, min_len, max_len, field));
  if (child.remaining() % 2 != 0) {
    return Error(ErrorCode::decode_length, std::string(field) + ": length " +
                                               std::to_string(child.remaining()) +
                                               " is odd, but the list holds 2-byte values");
  }
  std::vector<uint16_t> out;
  out.reserve(child.remaining() / 2);
  while (!child.empty()) {
    TESSERA_ASSIGN_OR_RETURN(uint16_t v, child.read_u16());
    out.push_back(v);
  }
  return out;
}

Result<std::vector<uint8_t>> read_u8_list(ByteReader& r, size_t prefix_len, size_t min_len,
                                          size_t max_len, std::string_view field) {
  TESSERA_ASSIGN_OR_RETURN(ByteReader child, read_vector(r, prefix_len, min_len, max_len, field));
  ByteView v = child.rest();
  return std::vector<uint8_t>(v.begin(), v.end());
}

void write_u16_list(ByteWriter& w, size_t prefix_len, const std::vector<uint16_t>& values) {
  w.prefixed(prefix_len, [&](ByteWriter& c) {
    for (uint16_t v : values) c.u16(v);
  });
}

Result<void> expect_consumed(const ByteReader& r, std::string_view what) {
  return r.expect_end(what);
}

}  // namespace tessera::wire
