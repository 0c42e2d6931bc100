// fuzz/fuzz_pem.cc — PEM (RFC 7468) and base64 (RFC 4648) decoding, and the
// "PEM or DER" certificate loader built on them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "x509/certificate.h"
#include "x509/pem.h"

using namespace tessera;
using namespace tessera::x509;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)looks_like_pem(text);
  auto blocks = pem_decode(text);
  if (blocks.ok()) {
    for (const PemBlock& b : *blocks) {
      // Encoding a decoded block and decoding it again gives the same block.
      std::string again = pem_encode(b.label, b.der);
      auto round = pem_decode(again);
      if (!round.ok() || round->size() != 1 || (*round)[0].der != b.der ||
          (*round)[0].label != b.label) {
        std::abort();
      }
    }
  }
  (void)pem_decode_label(text, pem_label::kCertificate);
  (void)pem_decode_secret(text, pem_label::kPrivateKey);
  auto raw = base64_decode(text);
  if (raw.ok()) {
    auto back = base64_decode(base64_encode(*raw));
    if (!back.ok() || *back != *raw) std::abort();
  }
  (void)parse_certificates(ByteView(data, size));
  return 0;
}
