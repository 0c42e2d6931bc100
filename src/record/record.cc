#include "record/record.h"

#include <cstdio>
#include <string>

namespace tessera::record {

namespace {

std::string hex16(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

}  // namespace

std::string_view content_type_name(ContentType t) {
  switch (t) {
    case ContentType::invalid: return "invalid";
    case ContentType::change_cipher_spec: return "change_cipher_spec";
    case ContentType::alert: return "alert";
    case ContentType::handshake: return "handshake";
    case ContentType::application_data: return "application_data";
  }
  return "unknown";
}

std::optional<ContentType> parse_content_type(uint8_t value) {
  switch (value) {
    case 20: return ContentType::change_cipher_spec;
    case 21: return ContentType::alert;
    case 22: return ContentType::handshake;
    case 23: return ContentType::application_data;
    default: return std::nullopt;
  }
}

Result<RecordHeader> parse_record_header(ByteReader& reader, size_t max_fragment_length) {
  if (reader.remaining() < kHeaderSize) {
    return Error(ErrorCode::decode_truncated,
                 "record header needs 5 bytes, have " + std::to_string(reader.remaining()));
  }
  // The five bytes are there (checked above): read them once, not field by
  // field through Result (this runs for every record received).
  const ByteView h = reader.rest().first(kHeaderSize);
  const uint8_t type_byte = h[0];
  const uint16_t version = static_cast<uint16_t>((h[1] << 8) | h[2]);
  const uint16_t length = static_cast<uint16_t>((h[3] << 8) | h[4]);
  TESSERA_TRY(reader.skip(kHeaderSize));
  // RFC 8446 5: "If a TLS implementation receives an unexpected record type,
  // it MUST terminate the connection with an "unexpected_message" alert."
  std::optional<ContentType> type = parse_content_type(type_byte);
  if (!type) {
    return Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
                 "record has unknown content type " + std::to_string(type_byte));
  }
  // RFC 8446 5.1: legacy_record_version is otherwise ignored, but every TLS
  // version writes 0x03xx there; anything else is not a TLS peer.
  if ((version >> 8) != 0x03) {
    return Error(ErrorCode::protocol_version, AlertDescription::protocol_version,
                 "record version " + hex16(version) +
                     " is not TLS (expected 0x03xx); the peer does not speak TLS");
  }
  // RFC 8446 5.1/5.2, RFC 5246 6.2.1/6.2.3: a record longer than allowed MUST
  // be answered with a "record_overflow" alert.
  if (length > max_fragment_length) {
    return Error(ErrorCode::record_overflow, AlertDescription::record_overflow,
                 std::string(content_type_name(*type)) + " record of " + std::to_string(length) +
                     " bytes exceeds the limit of " + std::to_string(max_fragment_length));
  }
  return RecordHeader{*type, version, length};
}

void write_record_header(const RecordHeader& header, Bytes& out) {
  const uint8_t bytes[kHeaderSize] = {
      static_cast<uint8_t>(header.type), static_cast<uint8_t>(header.legacy_version >> 8),
      static_cast<uint8_t>(header.legacy_version), static_cast<uint8_t>(header.length >> 8),
      static_cast<uint8_t>(header.length)};
  out.insert(out.end(), bytes, bytes + kHeaderSize);
}

Result<Record> split_record(MutableByteView bytes, size_t max_fragment_length) {
  ByteReader reader(bytes);
  TESSERA_ASSIGN_OR_RETURN(RecordHeader h, parse_record_header(reader, max_fragment_length));
  TESSERA_TRY(reader.skip(h.length));  // the fragment, viewed mutably below
  TESSERA_TRY(reader.expect_end("record"));
  return Record{h.type, h.legacy_version, bytes.subspan(kHeaderSize, h.length)};
}

Result<void> check_plaintext_record(const Record& record) {
  // RFC 8446 5.1: "The length MUST NOT exceed 2^14 bytes. An endpoint that
  // receives a record that exceeds this length MUST terminate the connection
  // with a "record_overflow" alert."
  if (record.fragment.size() > kMaxPlaintext) {
    return Error(ErrorCode::record_overflow, AlertDescription::record_overflow,
                 "plaintext " + std::string(content_type_name(record.type)) + " record of " +
                     std::to_string(record.fragment.size()) + " bytes exceeds 2^14");
  }
  // RFC 8446 5.1: "Implementations MUST NOT send zero-length fragments of
  // Handshake types"; alerts MUST NOT be fragmented (RFC 5246 6.2.1 forbids
  // zero-length Handshake, Alert and ChangeCipherSpec fragments).
  if (record.fragment.empty() && record.type != ContentType::application_data) {
    return Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
                 "zero-length " + std::string(content_type_name(record.type)) + " record");
  }
  // RFC 8446 2 / RFC 5246 7: application data flows only once keys are
  // established, so it never arrives unprotected.
  if (record.type == ContentType::application_data) {
    return Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
                 "application_data record received before encryption was established");
  }
  return ok();
}

Result<void> write_plaintext_record(ContentType type, uint16_t legacy_version, ByteView fragment,
                                    Bytes& out) {
  if (fragment.size() > kMaxPlaintext) {
    return Error(ErrorCode::internal_error, "write_plaintext_record: fragment of " +
                                                std::to_string(fragment.size()) +
                                                " bytes exceeds 2^14 (fragment it first)");
  }
  // RFC 8446 5.1 / RFC 5246 6.2.1: no zero-length handshake, alert or
  // change_cipher_spec fragments (application data is never sent in the clear).
  if (fragment.empty()) {
    return Error(ErrorCode::internal_error, "refusing to write a zero-length " +
                                                std::string(content_type_name(type)) + " record");
  }
  write_record_header(RecordHeader{type, legacy_version, static_cast<uint16_t>(fragment.size())},
                      out);
  out.insert(out.end(), fragment.begin(), fragment.end());
  return ok();
}

}  // namespace tessera::record
