#include "wire/finished.h"

#include <string>

namespace tessera::wire {

Result<Finished> Finished::parse(ByteView body, size_t verify_data_length) {
  // RFC 8446 4.4.4: opaque verify_data[Hash.length];
  if (body.size() != verify_data_length) {
    return Error(ErrorCode::decode_length, "Finished: verify_data must be " +
                                               std::to_string(verify_data_length) + " bytes, got " +
                                               std::to_string(body.size()));
  }
  return Finished{Bytes(body.begin(), body.end())};
}

}  // namespace tessera::wire
