#include "wire/empty_messages.h"

namespace tessera::wire {

Result<EndOfEarlyData> EndOfEarlyData::parse(ByteView body) {
  TESSERA_TRY(expect_empty_body(body, "EndOfEarlyData"));
  return EndOfEarlyData{};
}

Result<ServerHelloDone> ServerHelloDone::parse(ByteView body) {
  TESSERA_TRY(expect_empty_body(body, "ServerHelloDone"));
  return ServerHelloDone{};
}

Result<HelloRequest> HelloRequest::parse(ByteView body) {
  TESSERA_TRY(expect_empty_body(body, "HelloRequest"));
  return HelloRequest{};
}

}  // namespace tessera::wire
