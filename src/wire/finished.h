// wire/finished.h — Finished (RFC 8446 4.4.4, RFC 5246 7.4.9).
//
//   struct {
//       opaque verify_data[Hash.length];   /* TLS 1.2: verify_data_length, 12 */
//   } Finished;
//
// The length is not encoded: the receiver knows it from the cipher suite and
// passes it to parse. Compare verify_data with ct_equal (base/ct.h).
#pragma once

#include <cstddef>

#include "base/bytes.h"
#include "wire/handshake.h"

namespace tessera::wire {

// RFC 5246 7.4.9: verify_data_length is 12 for all TLS 1.2 suites we have.
inline constexpr size_t kTls12VerifyDataLength = 12;

struct Finished {
  static constexpr HandshakeType kType = HandshakeType::finished;

  Bytes verify_data;

  // parse requires the body to be exactly verify_data_length bytes
  // (decode_error otherwise, naming both lengths).
  static Result<Finished> parse(ByteView body, size_t verify_data_length);
  void serialize(ByteWriter& w) const { w.bytes(verify_data); }
};

}  // namespace tessera::wire
