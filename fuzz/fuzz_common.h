// fuzz/fuzz_common.h — helpers shared by the libFuzzer targets.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "base/bytes.h"
#include "wire/codec.h"

namespace tessera::fuzz {

// 2030-01-01T00:00:00Z: inside the validity of tests/vectors/pki, as in the
// unit tests.
inline constexpr int64_t kFuzzNow = 1893456000;

inline std::string read_pki(const std::string& name) {
  std::ifstream f(std::string(TESSERA_FUZZ_PKI_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  if (ss.str().empty()) {
    std::fprintf(stderr, "fuzz: cannot read %s/%s\n", TESSERA_FUZZ_PKI_DIR, name.c_str());
    std::abort();
  }
  return ss.str();
}

// check_reencode: a value the parser accepted must serialize, the encoding
// must parse again, and serializing that must give the same bytes
// (serialize o parse is idempotent on the parser's image). A violation is a
// codec bug (a parser that accepts what the writer cannot express, or a
// writer that emits what the parser refuses), so it aborts.
template <class M, class Parse>
void check_reencode(const M& value, Parse&& parse) {
  auto enc = wire::encode(value);
  if (!enc.ok()) return;  // an over-long field cannot be re-framed: not a parser bug
  auto again = parse(ByteView(*enc));
  if (!again.ok()) {
    std::fprintf(stderr, "re-encoded value does not parse: %s\n",
                 again.error().to_string().c_str());
    std::abort();
  }
  auto enc2 = wire::encode(*again);
  if (!enc2.ok() || *enc2 != *enc) {
    std::fprintf(stderr, "re-encoding is not stable\n");
    std::abort();
  }
}

}  // namespace tessera::fuzz
