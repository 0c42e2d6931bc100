#include "record/fragmenter.h"

#include <algorithm>
#include <string>

namespace tessera::record {

Result<void> write_records(RecordProtection* protection, ContentType type, ByteView data,
                           Bytes& out, const FragmentOptions& options) {
  // RFC 8446 5.1: "The length MUST NOT exceed 2^14 bytes."
  if (options.max_fragment == 0 || options.max_fragment > kMaxPlaintext) {
    return Error(
        ErrorCode::internal_error,
        "record fragment size " + std::to_string(options.max_fragment) + " is outside 1..2^14");
  }
  if (protection == nullptr && options.padding != 0) {
    return Error(ErrorCode::internal_error, "padding needs record protection");
  }
  size_t per_record = options.max_fragment;
  if (protection != nullptr && options.padding != 0) {
    // Keep TLSInnerPlaintext within 2^14 + 1 (RFC 8446 5.4).
    if (options.padding >= kMaxPlaintext) {
      return Error(ErrorCode::internal_error, "record padding leaves no room for content");
    }
    per_record = std::min(per_record, kMaxPlaintext - options.padding);
  }
  size_t records = (data.size() + per_record - 1) / per_record;
  out.reserve(out.size() + data.size() + records * (kHeaderSize + 8 + 1 + options.padding + 16));
  for (size_t off = 0; off < data.size(); off += per_record) {
    ByteView chunk = data.subspan(off, std::min(per_record, data.size() - off));
    if (protection != nullptr) {
      TESSERA_TRY(protection->seal(type, chunk, options.padding, out));
    } else {
      TESSERA_TRY(write_plaintext_record(type, options.legacy_version, chunk, out));
    }
  }
  return ok();
}

}  // namespace tessera::record
