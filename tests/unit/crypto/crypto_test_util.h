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

// RFC 8439 2.8.2, the ChaCha20-Poly1305 AEAD test vector (hex).
namespace rfc8439 {
inline constexpr std::string_view kKey =
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
inline constexpr std::string_view kNonce = "070000004041424344454647";
inline constexpr std::string_view kAad = "50515253c0c1c2c3c4c5c6c7";
// "Ladies and Gentlemen of the class of '99: If I could offer you only one
// tip for the future, sunscreen would be it."
inline constexpr std::string_view kPlaintext =
    "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a2049662049"
    "20636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f7220746865206675747572652c20"
    "73756e73637265656e20776f756c642062652069742e";
inline constexpr std::string_view kCiphertext =
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92"
    "728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b"
    "4831d7bc3ff4def08e4b7a9de576d26586cec64b6116";
inline constexpr std::string_view kTag = "1ae10b594f09e26a7e902ecbd0600691";
}  // namespace rfc8439

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
