#include "wire/certificate_verify.h"

#include "wire/codec.h"

namespace tessera::wire {

Result<DigitallySigned> DigitallySigned::read(ByteReader& r) {
  TESSERA_ASSIGN_OR_RETURN(uint16_t scheme, field_context(r.read_u16(), "algorithm"));
  // RFC 8446 4.4.3 / RFC 5246 4.7: opaque signature<0..2^16-1>;
  TESSERA_ASSIGN_OR_RETURN(Bytes sig, read_opaque(r, 2, 0, 0xFFFF, "signature"));
  return DigitallySigned{scheme, std::move(sig)};
}

void DigitallySigned::serialize(ByteWriter& w) const {
  w.u16(scheme);
  w.prefixed_bytes(2, signature);
}

Result<CertificateVerify> CertificateVerify::parse(ByteView body) {
  return parse_all(body, "CertificateVerify", [](ByteReader& r) -> Result<CertificateVerify> {
    TESSERA_ASSIGN_OR_RETURN(DigitallySigned d, DigitallySigned::read(r));
    return CertificateVerify{std::move(d)};
  });
}

}  // namespace tessera::wire
