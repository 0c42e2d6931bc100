// wire/key_exchange.h — TLS 1.2 ServerKeyExchange and ClientKeyExchange for
// ECDHE (RFC 8422 5.4, 5.7), DHE (RFC 5246 7.4.3, 7.4.7.2; RFC 7919) and RSA
// key transport (RFC 5246 7.4.7.1).
//
//   struct {                                  /* RFC 8422 5.4 */
//       ECParameters curve_params;            /* named_curve(3) + NamedCurve */
//       ECPoint      public;                  /* opaque point <1..2^8-1> */
//   } ServerECDHParams;
//   struct {                                  /* RFC 5246 7.4.3 */
//       opaque dh_p<1..2^16-1>;
//       opaque dh_g<1..2^16-1>;
//       opaque dh_Ys<1..2^16-1>;
//   } ServerDHParams;
//   struct {
//       ServerECDHParams / ServerDHParams params;
//       digitally-signed struct {
//           opaque client_random[32];
//           opaque server_random[32];
//           params;
//       } signed_params;                      /* SignatureAndHashAlgorithm + opaque<0..2^16-1> */
//   } ServerKeyExchange;
//
//   ClientKeyExchange: ECPoint ecdh_Yc <1..2^8-1> (ECDHE);
//                      opaque dh_Yc<1..2^16-1> (DHE);
//                      EncryptedPreMasterSecret opaque<0..2^16-1> (RSA).
//
// The body layout depends on the negotiated key exchange, which the caller
// knows; it picks the matching struct. Public values are not validated here
// (point on curve, 1 < Y < p-1): that is the crypto provider's job.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "wire/certificate_verify.h"
#include "wire/handshake.h"
#include "wire/hello.h"

namespace tessera::wire {

// RFC 8422 5.4: enum { ..., named_curve(3), (255) } ECCurveType.
inline constexpr uint8_t kEcCurveTypeNamedCurve = 3;

// EcdheServerParams is ServerECDHParams in its named_curve form.
struct EcdheServerParams {
  uint16_t named_group = 0;  // NamedGroup, raw
  Bytes public_key;          // ECPoint (uncompressed point, or 32/56 bytes for x25519/x448)

  // read reads the params; curve_type other than named_curve(3) is
  // illegal_parameter, bad lengths decode_error.
  static Result<EcdheServerParams> read(ByteReader& r);
  void serialize(ByteWriter& w) const;
  friend bool operator==(const EcdheServerParams&, const EcdheServerParams&) = default;
};

// DheServerParams is ServerDHParams: big-endian p, g and Ys.
struct DheServerParams {
  Bytes p;
  Bytes g;
  Bytes ys;

  static Result<DheServerParams> read(ByteReader& r);
  void serialize(ByteWriter& w) const;
  friend bool operator==(const DheServerParams&, const DheServerParams&) = default;
};

// server_key_exchange_signed_data returns client_random + server_random +
// params: the bytes the ServerKeyExchange signature covers (RFC 5246 7.4.3,
// RFC 8422 5.4). `params` is the serialized ServerECDHParams/ServerDHParams.
Bytes server_key_exchange_signed_data(const Random& client_random, const Random& server_random,
                                      ByteView params);

// encode_params serializes EcdheServerParams or DheServerParams.
template <class Params>
Bytes encode_params(const Params& params) {
  ByteWriter w;
  params.serialize(w);
  return std::move(w).take();
}

struct ServerKeyExchangeEcdhe {
  static constexpr HandshakeType kType = HandshakeType::server_key_exchange;

  EcdheServerParams params;
  DigitallySigned signature;

  // parse decodes the body; decode_* on bad lengths or trailing bytes.
  static Result<ServerKeyExchangeEcdhe> parse(ByteView body);
  void serialize(ByteWriter& w) const;
  // signed_data returns what `signature` signs: randoms followed by params.
  Bytes signed_data(const Random& client_random, const Random& server_random) const {
    return server_key_exchange_signed_data(client_random, server_random, encode_params(params));
  }
};

struct ServerKeyExchangeDhe {
  static constexpr HandshakeType kType = HandshakeType::server_key_exchange;

  DheServerParams params;
  DigitallySigned signature;

  static Result<ServerKeyExchangeDhe> parse(ByteView body);
  void serialize(ByteWriter& w) const;
  Bytes signed_data(const Random& client_random, const Random& server_random) const {
    return server_key_exchange_signed_data(client_random, server_random, encode_params(params));
  }
};

// ClientKeyExchange for ECDHE: ClientECDiffieHellmanPublic with an explicit
// point (the implicit, empty form is for fixed-ECDH certificates only).
struct ClientKeyExchangeEcdhe {
  static constexpr HandshakeType kType = HandshakeType::client_key_exchange;

  Bytes public_key;  // ECPoint ecdh_Yc <1..2^8-1>

  static Result<ClientKeyExchangeEcdhe> parse(ByteView body);
  void serialize(ByteWriter& w) const { w.prefixed_bytes(1, public_key); }
};

// ClientKeyExchange for DHE: ClientDiffieHellmanPublic, explicit form.
struct ClientKeyExchangeDhe {
  static constexpr HandshakeType kType = HandshakeType::client_key_exchange;

  Bytes yc;  // opaque dh_Yc<1..2^16-1>

  static Result<ClientKeyExchangeDhe> parse(ByteView body);
  void serialize(ByteWriter& w) const { w.prefixed_bytes(2, yc); }
};

// ClientKeyExchange for RSA key transport: EncryptedPreMasterSecret. Parse
// errors concern only the public framing; the ciphertext itself must go to
// the provider's implicit-rejection decrypt whatever its length.
struct ClientKeyExchangeRsa {
  static constexpr HandshakeType kType = HandshakeType::client_key_exchange;

  Bytes encrypted_pre_master_secret;  // opaque <0..2^16-1>

  static Result<ClientKeyExchangeRsa> parse(ByteView body);
  void serialize(ByteWriter& w) const { w.prefixed_bytes(2, encrypted_pre_master_secret); }
};

}  // namespace tessera::wire
