// wire/certificate_verify.h — DigitallySigned and CertificateVerify
// (RFC 8446 4.4.3, RFC 5246 4.7 / 7.4.8).
//
//   struct {
//       SignatureScheme algorithm;
//       opaque signature<0..2^16-1>;
//   } CertificateVerify;
//
// TLS 1.2 encodes the signature of ServerKeyExchange and CertificateVerify
// the same way (digitally-signed with SignatureAndHashAlgorithm, RFC 5246
// 4.7), so both versions share DigitallySigned.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "wire/handshake.h"

namespace tessera::wire {

struct DigitallySigned {
  uint16_t scheme = 0;  // SignatureScheme, raw: the peer may send anything
  Bytes signature;      // <0..2^16-1>

  // read reads scheme + signature from r (other fields may follow).
  static Result<DigitallySigned> read(ByteReader& r);
  void serialize(ByteWriter& w) const;
  friend bool operator==(const DigitallySigned&, const DigitallySigned&) = default;
};

struct CertificateVerify {
  static constexpr HandshakeType kType = HandshakeType::certificate_verify;

  DigitallySigned signed_data;

  // parse decodes the body (TLS 1.3 and TLS 1.2 alike); decode_* on bad
  // lengths or trailing bytes.
  static Result<CertificateVerify> parse(ByteView body);
  void serialize(ByteWriter& w) const { signed_data.serialize(w); }
};

}  // namespace tessera::wire
