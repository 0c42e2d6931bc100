// Helpers shared by the crypto provider tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
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

// read_vector returns the bytes of tests/vectors/crypto/<name>.
inline Bytes read_vector(const std::string& name) {
  std::string path = std::string(TESSERA_TEST_DATA_DIR) + "/crypto/" + name;
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    ADD_FAILURE() << "cannot open test vector " << path;
    return {};
  }
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

}  // namespace tessera::crypto::testing
