// Helpers shared by the crypto provider tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "base/hex.h"
#include "crypto/openssl/openssl_provider.h"

namespace tessera::crypto::testing {

// H parses hex test data; malformed hex is a bug in the test itself.
inline Bytes H(std::string_view hex) {
  auto b = from_hex(hex);
  if (!b) {
    ADD_FAILURE() << "bad hex in test: " << hex;
    return {};
  }
  return *b;
}

inline std::string hex_of(const SecretBytes& s) { return to_hex(s.view()); }

}  // namespace tessera::crypto::testing
