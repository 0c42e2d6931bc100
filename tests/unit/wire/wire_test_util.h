// tests/unit/wire/wire_test_util.h — helpers shared by the wire tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "base/bytes.h"
#include "base/hex.h"
#include "wire/handshake.h"

namespace tessera::wire::testing {

// load_vector reads tests/vectors/wire/<name>.hex: hex bytes, '#' lines are
// comments. Fails the test (and returns empty) if the file is missing.
inline Bytes load_vector(const std::string& name) {
  std::string path = std::string(TESSERA_TEST_DATA_DIR) + "/wire/" + name + ".hex";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "missing vector " << path;
  std::string line, hex;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    hex += line + "\n";
  }
  auto bytes = from_hex(hex);
  EXPECT_TRUE(bytes.has_value()) << "bad hex in " << path;
  return bytes.value_or(Bytes{});
}

// H parses a hex literal (test data only).
inline Bytes H(std::string_view hex) {
  auto b = from_hex(hex);
  EXPECT_TRUE(b.has_value()) << hex;
  return b.value_or(Bytes{});
}

// split_message checks the handshake header of a complete message and
// returns its body.
inline ByteView body_of(const Bytes& message, HandshakeType expected) {
  ByteReader r(message);
  auto m = read_handshake_message(r);
  EXPECT_TRUE(m.ok());
  if (!m.ok()) return {};
  EXPECT_EQ(m->type, expected);
  EXPECT_TRUE(r.empty());
  return m->body;
}

// reencode serializes a message struct and returns the complete handshake
// message (header included).
template <class M>
Bytes reencode(const M& m) {
  auto b = encode_handshake(m);
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes{};
}

// Bytes of a string, for ALPN / SNI tests.
inline Bytes S(std::string_view s) {
  ByteView v = as_bytes_view(s);
  return Bytes(v.begin(), v.end());
}

}  // namespace tessera::wire::testing
