#include "wire/encrypted_extensions.h"

namespace tessera::wire {

Result<EncryptedExtensions> EncryptedExtensions::parse(ByteView body) {
  auto parsed = [&]() -> Result<EncryptedExtensions> {
    ByteReader r(body);
    // RFC 8446 4.3.1: Extension extensions<0..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(Extensions exts, read_extensions(r, 0, 0xFFFF, ""));
    TESSERA_TRY(r.expect_end("the extensions"));
    return EncryptedExtensions{std::move(exts)};
  }();
  if (!parsed.ok()) return std::move(parsed).error().with_context("EncryptedExtensions");
  return parsed;
}

void EncryptedExtensions::serialize(ByteWriter& w) const { write_extensions(w, extensions); }

}  // namespace tessera::wire
