// wire/encrypted_extensions.h — EncryptedExtensions (RFC 8446 4.3.1).
//
//   struct {
//       Extension extensions<0..2^16-1>;
//   } EncryptedExtensions;
//
// Which extensions may appear here is checked by the handshake layer
// (RFC 8446 4.2 table); this codec only rejects malformed lists and
// duplicates.
#pragma once

#include "base/bytes.h"
#include "wire/extensions.h"
#include "wire/handshake.h"

namespace tessera::wire {

struct EncryptedExtensions {
  static constexpr HandshakeType kType = HandshakeType::encrypted_extensions;

  Extensions extensions;

  // parse decodes the body; decode_* on bad lengths or trailing bytes,
  // illegal_parameter on a duplicated extension.
  static Result<EncryptedExtensions> parse(ByteView body);
  void serialize(ByteWriter& w) const;

  const Extension* find_extension(uint16_t type) const {
    return wire::find_extension(extensions, type);
  }
};

}  // namespace tessera::wire
