#include "wire/handshake.h"

#include <string>

namespace tessera::wire {

std::string handshake_type_name(HandshakeType t) {
  using T = HandshakeType;
  switch (t) {
    case T::hello_request: return "hello_request";
    case T::client_hello: return "client_hello";
    case T::server_hello: return "server_hello";
    case T::new_session_ticket: return "new_session_ticket";
    case T::end_of_early_data: return "end_of_early_data";
    case T::encrypted_extensions: return "encrypted_extensions";
    case T::certificate: return "certificate";
    case T::server_key_exchange: return "server_key_exchange";
    case T::certificate_request: return "certificate_request";
    case T::server_hello_done: return "server_hello_done";
    case T::certificate_verify: return "certificate_verify";
    case T::client_key_exchange: return "client_key_exchange";
    case T::finished: return "finished";
    case T::key_update: return "key_update";
    case T::certificate_status: return "certificate_status";
    case T::compressed_certificate: return "compressed_certificate";
    case T::message_hash: return "message_hash";
  }
  return "unknown(" + std::to_string(static_cast<unsigned>(t)) + ")";
}

Result<HandshakeHeader> HandshakeHeader::parse(ByteReader& r) {
  ByteReader saved = r;
  auto type = r.read_u8();
  auto length = r.read_u24();
  if (!type.ok() || !length.ok()) {
    r = saved;
    return Error(ErrorCode::decode_truncated,
                 "handshake header: need 4 bytes, " + std::to_string(saved.remaining()) + " left");
  }
  return HandshakeHeader{static_cast<HandshakeType>(*type), *length};
}

void HandshakeHeader::serialize(ByteWriter& w) const {
  w.u8(static_cast<uint8_t>(type));
  w.u24(length);
}

Result<HandshakeMessage> read_handshake_message(ByteReader& r) {
  ByteReader saved = r;
  TESSERA_ASSIGN_OR_RETURN(HandshakeHeader h, HandshakeHeader::parse(r));
  auto body = r.read_bytes(h.length);
  if (!body.ok()) {
    std::string msg = handshake_type_name(h.type) + " message: header announces " +
                      std::to_string(h.length) + " body bytes, " + std::to_string(r.remaining()) +
                      " present";
    r = saved;
    return Error(ErrorCode::decode_truncated, std::move(msg));
  }
  ByteView all = saved.rest();
  return HandshakeMessage{h.type, *body, all.first(kHandshakeHeaderSize + h.length)};
}

std::optional<size_t> complete_handshake_message_size(ByteView buffered) {
  ByteReader r(buffered);
  auto h = HandshakeHeader::parse(r);
  if (!h.ok() || r.remaining() < h->length) return std::nullopt;
  return kHandshakeHeaderSize + size_t{h->length};
}

Bytes message_hash_message(ByteView client_hello1_hash) {
  // RFC 8446 4.4.1: Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
  //   Hash(message_hash ||        /* Handshake type */
  //        00 00 Hash.length  ||  /* Handshake message length (bytes) */
  //        Hash(ClientHello1) ||  /* Hash of ClientHello1 */
  //        HelloRetryRequest  || ... || Mn)
  ByteWriter w(kHandshakeHeaderSize + client_hello1_hash.size());
  write_handshake(w, HandshakeType::message_hash,
                  [&](ByteWriter& body) { body.bytes(client_hello1_hash); });
  return std::move(w).take();
}

Result<void> expect_empty_body(ByteView body, std::string_view message_name) {
  if (body.empty()) return ok();
  return Error(ErrorCode::decode_trailing_data, std::string(message_name) +
                                                    " must have an empty body, got " +
                                                    std::to_string(body.size()) + " bytes");
}

}  // namespace tessera::wire
