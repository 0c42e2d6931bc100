#include "wire/key_exchange.h"

#include <string>

#include "wire/codec.h"

namespace tessera::wire {

Result<EcdheServerParams> EcdheServerParams::read(ByteReader& r) {
  TESSERA_ASSIGN_OR_RETURN(uint8_t curve_type, field_context(r.read_u8(), "curve_type"));
  // RFC 8422 5.4: named_curve(3) is the only ECCurveType left; the explicit
  // curve types 1 and 2 are deprecated and MUST NOT be used.
  if (curve_type != kEcCurveTypeNamedCurve) {
    return Error(ErrorCode::illegal_parameter, AlertDescription::illegal_parameter,
                 "curve_type " + std::to_string(curve_type) + " is not named_curve(3)");
  }
  TESSERA_ASSIGN_OR_RETURN(uint16_t group, field_context(r.read_u16(), "namedcurve"));
  // RFC 8422 5.4: opaque point <1..2^8-1>;
  TESSERA_ASSIGN_OR_RETURN(Bytes point, read_opaque(r, 1, 1, 255, "public"));
  return EcdheServerParams{group, std::move(point)};
}

void EcdheServerParams::serialize(ByteWriter& w) const {
  w.u8(kEcCurveTypeNamedCurve);
  w.u16(named_group);
  w.prefixed_bytes(1, public_key);
}

Result<DheServerParams> DheServerParams::read(ByteReader& r) {
  DheServerParams out;
  // RFC 5246 7.4.3: opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>;
  //                 opaque dh_Ys<1..2^16-1>;
  TESSERA_ASSIGN_OR_RETURN(out.p, read_opaque(r, 2, 1, 0xFFFF, "dh_p"));
  TESSERA_ASSIGN_OR_RETURN(out.g, read_opaque(r, 2, 1, 0xFFFF, "dh_g"));
  TESSERA_ASSIGN_OR_RETURN(out.ys, read_opaque(r, 2, 1, 0xFFFF, "dh_Ys"));
  return out;
}

void DheServerParams::serialize(ByteWriter& w) const {
  w.prefixed_bytes(2, p);
  w.prefixed_bytes(2, g);
  w.prefixed_bytes(2, ys);
}

Bytes server_key_exchange_signed_data(const Random& client_random, const Random& server_random,
                                      ByteView params) {
  ByteWriter w(64 + params.size());
  w.bytes(client_random);
  w.bytes(server_random);
  w.bytes(params);
  return std::move(w).take();
}

Result<ServerKeyExchangeEcdhe> ServerKeyExchangeEcdhe::parse(ByteView body) {
  return parse_all(body, "ServerKeyExchange (ECDHE)",
                   [](ByteReader& r) -> Result<ServerKeyExchangeEcdhe> {
                     ServerKeyExchangeEcdhe out;
                     TESSERA_ASSIGN_OR_RETURN(out.params, EcdheServerParams::read(r));
                     TESSERA_ASSIGN_OR_RETURN(out.signature, DigitallySigned::read(r));
                     return out;
                   });
}

void ServerKeyExchangeEcdhe::serialize(ByteWriter& w) const {
  params.serialize(w);
  signature.serialize(w);
}

Result<ServerKeyExchangeDhe> ServerKeyExchangeDhe::parse(ByteView body) {
  return parse_all(body, "ServerKeyExchange (DHE)",
                   [](ByteReader& r) -> Result<ServerKeyExchangeDhe> {
                     ServerKeyExchangeDhe out;
                     TESSERA_ASSIGN_OR_RETURN(out.params, DheServerParams::read(r));
                     TESSERA_ASSIGN_OR_RETURN(out.signature, DigitallySigned::read(r));
                     return out;
                   });
}

void ServerKeyExchangeDhe::serialize(ByteWriter& w) const {
  params.serialize(w);
  signature.serialize(w);
}

Result<ClientKeyExchangeEcdhe> ClientKeyExchangeEcdhe::parse(ByteView body) {
  return parse_all(body, "ClientKeyExchange (ECDHE)",
                   [](ByteReader& r) -> Result<ClientKeyExchangeEcdhe> {
                     // RFC 8422 5.7: ECPoint ecdh_Yc; (opaque point <1..2^8-1>)
                     TESSERA_ASSIGN_OR_RETURN(Bytes point, read_opaque(r, 1, 1, 255, "ecdh_Yc"));
                     return ClientKeyExchangeEcdhe{std::move(point)};
                   });
}

Result<ClientKeyExchangeDhe> ClientKeyExchangeDhe::parse(ByteView body) {
  return parse_all(body, "ClientKeyExchange (DHE)",
                   [](ByteReader& r) -> Result<ClientKeyExchangeDhe> {
                     // RFC 5246 7.4.7.2: opaque dh_Yc<1..2^16-1>;
                     TESSERA_ASSIGN_OR_RETURN(Bytes y, read_opaque(r, 2, 1, 0xFFFF, "dh_Yc"));
                     return ClientKeyExchangeDhe{std::move(y)};
                   });
}

Result<ClientKeyExchangeRsa> ClientKeyExchangeRsa::parse(ByteView body) {
  return parse_all(body, "ClientKeyExchange (RSA)",
                   [](ByteReader& r) -> Result<ClientKeyExchangeRsa> {
                     // RFC 5246 7.4.7.1: public-key-encrypted PreMasterSecret
                     // pre_master_secret; encoded with a 2-byte length in TLS 1.0 and later.
                     TESSERA_ASSIGN_OR_RETURN(
                         Bytes epms, read_opaque(r, 2, 0, 0xFFFF, "EncryptedPreMasterSecret"));
                     return ClientKeyExchangeRsa{std::move(epms)};
                   });
}

}  // namespace tessera::wire
