// base/hex.h — hex encoding for traces, key logs and tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"

namespace tessera {

// to_hex renders bytes as lowercase hex without separators.
std::string to_hex(ByteView b);
// from_hex parses hex (upper or lower case; spaces, newlines and colons are
// ignored); nullopt on any other character or an odd digit count.
std::optional<Bytes> from_hex(std::string_view s);

}  // namespace tessera
