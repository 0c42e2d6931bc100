// wire/handshake.h — handshake message types and the handshake header
// (RFC 8446 4, RFC 5246 7.4).
//
//   struct {
//       HandshakeType msg_type;    /* handshake type */
//       uint24 length;             /* remaining bytes in message */
//       select (Handshake.msg_type) { ... } body;
//   } Handshake;
//
// Message structs in src/wire/ parse and serialize the body only; this file
// frames bodies with their 4-byte header. Reassembly across records belongs to
// the record layer; complete_handshake_message_size() tells it when a whole
// message has been buffered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "wire/codec.h"

namespace tessera::wire {

// RFC 8446 4 and RFC 5246 7.4: HandshakeType. Values outside the enum can be
// held (they arrive from the peer) and are named "unknown(N)".
enum class HandshakeType : uint8_t {
  hello_request = 0,  // TLS 1.2 only (RFC 5246 7.4.1.1)
  client_hello = 1,
  server_hello = 2,
  new_session_ticket = 4,
  end_of_early_data = 5,
  encrypted_extensions = 8,
  certificate = 11,
  server_key_exchange = 12,
  certificate_request = 13,
  server_hello_done = 14,
  certificate_verify = 15,
  client_key_exchange = 16,
  finished = 20,
  certificate_status = 22,  // RFC 6066 8 (TLS 1.2)
  key_update = 24,
  compressed_certificate = 25,  // RFC 8879 4
  message_hash = 254,
};

// handshake_type_name returns the RFC spelling ("client_hello"), or
// "unknown(N)" for a value not in the enum.
std::string handshake_type_name(HandshakeType t);

inline constexpr size_t kHandshakeHeaderSize = 4;
inline constexpr uint32_t kMaxHandshakeBodyLength = 0xFFFFFF;

// HandshakeHeader is the 4-byte msg_type + uint24 length prefix.
struct HandshakeHeader {
  HandshakeType type = HandshakeType::client_hello;
  uint32_t length = 0;  // body length, < 2^24

  // parse reads the 4 header bytes from r; decode_truncated if fewer are left.
  static Result<HandshakeHeader> parse(ByteReader& r);
  // serialize writes the header; precondition: length < 2^24.
  void serialize(ByteWriter& w) const;
};

// HandshakeMessage is one complete handshake message located in a buffer.
// The views point into the buffer the message was read from and are valid
// only as long as it is.
struct HandshakeMessage {
  HandshakeType type = HandshakeType::client_hello;
  ByteView body;  // the body, without the header
  ByteView raw;   // header + body: what enters the transcript hash
};

// read_handshake_message reads one header and its whole body from r.
// Fails with decode_truncated (naming the message type) if the body is not
// complete; r is left unchanged then.
Result<HandshakeMessage> read_handshake_message(ByteReader& r);

// complete_handshake_message_size returns the size (header included) of the
// first handshake message in `buffered` if all of it is present, else nullopt.
std::optional<size_t> complete_handshake_message_size(ByteView buffered);

// write_handshake writes a handshake header of the given type followed by
// whatever body_fn(ByteWriter&) writes; the length is filled in afterwards (a
// body of 2^24 bytes or more marks the writer failed).
template <class Fn>
void write_handshake(ByteWriter& w, HandshakeType type, Fn&& body_fn) {
  w.u8(static_cast<uint8_t>(type));
  w.prefixed<3>(std::forward<Fn>(body_fn));
}

// encode_handshake returns the complete message (header + body) for a message
// struct M with `static constexpr HandshakeType kType` and
// `void serialize(ByteWriter&) const`; decode_length if a field overflowed.
template <class M>
Result<Bytes> encode_handshake(const M& message) {
  // Most handshake messages fit in kEncodeReserve: one allocation, not one
  // per doubling of the buffer.
  ByteWriter w(kEncodeReserve);
  write_handshake(w, M::kType, [&](ByteWriter& body) { message.serialize(body); });
  return std::move(w).finish();
}

// message_hash_message returns the synthetic handshake message that replaces
// ClientHello1 in the transcript after a HelloRetryRequest (RFC 8446 4.4.1):
//   message_hash(254) || 00 00 Hash.length || Hash(ClientHello1)
// Precondition: hash is shorter than 256 bytes.
Bytes message_hash_message(ByteView client_hello1_hash);

// expect_empty_body checks that a message with no content (ServerHelloDone,
// EndOfEarlyData, HelloRequest) has an empty body; decode_error otherwise.
Result<void> expect_empty_body(ByteView body, std::string_view message_name);

}  // namespace tessera::wire
