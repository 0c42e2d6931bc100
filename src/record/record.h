// record/record.h — TLS record framing: content types, the 5-byte record
// header, and the size limits of RFC 8446 5.1/5.2 and RFC 5246 6.2.
//
//   struct {
//       ContentType type;
//       ProtocolVersion legacy_record_version;
//       uint16 length;
//       opaque fragment[TLSPlaintext.length];
//   } TLSPlaintext;
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "tessera/result.h"

namespace tessera::record {

// RFC 8446 5.1 / RFC 5246 6.2.1.
enum class ContentType : uint8_t {
  invalid = 0,
  change_cipher_spec = 20,
  alert = 21,
  handshake = 22,
  application_data = 23,
};

// content_type_name returns "handshake", "alert", ... or "unknown".
std::string_view content_type_name(ContentType t);

// parse_content_type maps a wire byte to a ContentType the record layer
// carries (20..23); nullopt for anything else, including invalid(0).
std::optional<ContentType> parse_content_type(uint8_t value);

inline constexpr size_t kHeaderSize = 5;
// RFC 8446 5.1 / RFC 5246 6.2.1: a plaintext fragment is at most 2^14 bytes.
inline constexpr size_t kMaxPlaintext = size_t{1} << 14;
// RFC 8446 5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256.
inline constexpr size_t kMaxCiphertext13 = kMaxPlaintext + 256;
// RFC 5246 6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048.
inline constexpr size_t kMaxCiphertext12 = kMaxPlaintext + 2048;
// RFC 8446 5.4: the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1.
inline constexpr size_t kMaxInnerPlaintext13 = kMaxPlaintext + 1;

// The legacy_record_version written on records: 0x0303, except that a
// ClientHello may be sent with 0x0301 for compatibility (RFC 8446 5.1).
inline constexpr uint16_t kRecordVersion = 0x0303;
inline constexpr uint16_t kInitialRecordVersion = 0x0301;

struct RecordHeader {
  ContentType type = ContentType::invalid;
  uint16_t legacy_version = kRecordVersion;
  uint16_t length = 0;
};

// parse_record_header reads a 5-byte header from `reader` and checks it:
//  - the content type is one of 20..23, else unexpected_message;
//  - legacy_record_version is 0x03xx, else protocol_version (the peer is
//    not speaking TLS, e.g. plain HTTP);
//  - length <= max_fragment_length, else record_overflow.
// decode_truncated if fewer than 5 bytes remain.
Result<RecordHeader> parse_record_header(ByteReader& reader, size_t max_fragment_length);

// write_record_header appends the 5-byte header to `out`.
void write_record_header(const RecordHeader& header, Bytes& out);

// A record as it came off the wire. The fragment is mutable so that record
// protection can decrypt in place; it views memory owned by whoever produced
// the record (the Deframer, or the caller of split_record).
struct Record {
  ContentType type = ContentType::invalid;
  uint16_t legacy_version = kRecordVersion;
  MutableByteView fragment;
};

// A record read where it lies without being copied (the caller's input):
// the fragment is read-only, so record protection decrypts it into a buffer
// of the receiver's (RecordProtection::open_into).
struct RecordView {
  ContentType type = ContentType::invalid;
  uint16_t legacy_version = kRecordVersion;
  ByteView fragment;
};

// split_record parses exactly one complete record (header + fragment) from
// `bytes`; trailing bytes are decode_trailing_data, a short body is
// decode_truncated. Header checks as in parse_record_header.
Result<Record> split_record(MutableByteView bytes, size_t max_fragment_length = kMaxCiphertext12);

// check_plaintext_record applies the rules for a record received without
// protection (before keys are in use):
//  - RFC 8446 5.1 / RFC 5246 6.2.1: the fragment is at most 2^14 bytes, else
//    record_overflow;
//  - RFC 8446 5.1: zero-length fragments of handshake or alert records are
//    not allowed (unexpected_message);
//  - application_data never arrives unprotected (unexpected_message).
Result<void> check_plaintext_record(const Record& record);

// write_plaintext_record appends one unprotected record carrying `fragment`
// (1 to 2^14 bytes; internal_error otherwise: RFC 8446 5.1 forbids sending
// an empty one).
Result<void> write_plaintext_record(ContentType type, uint16_t legacy_version, ByteView fragment,
                                    Bytes& out);

}  // namespace tessera::record
