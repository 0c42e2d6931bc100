// wire/empty_messages.h — handshake messages without content:
// EndOfEarlyData (RFC 8446 4.5), ServerHelloDone (RFC 5246 7.4.5) and
// HelloRequest (RFC 5246 7.4.1.1).
//
//   struct {} EndOfEarlyData;
//   struct {} ServerHelloDone;
//   struct {} HelloRequest;
//
// parse accepts only an empty body (decode_error otherwise).
#pragma once

#include "base/bytes.h"
#include "wire/handshake.h"

namespace tessera::wire {

struct EndOfEarlyData {
  static constexpr HandshakeType kType = HandshakeType::end_of_early_data;
  static Result<EndOfEarlyData> parse(ByteView body);
  void serialize(ByteWriter&) const {}
};

struct ServerHelloDone {
  static constexpr HandshakeType kType = HandshakeType::server_hello_done;
  static Result<ServerHelloDone> parse(ByteView body);
  void serialize(ByteWriter&) const {}
};

struct HelloRequest {
  static constexpr HandshakeType kType = HandshakeType::hello_request;
  static Result<HelloRequest> parse(ByteView body);
  void serialize(ByteWriter&) const {}
};

}  // namespace tessera::wire
