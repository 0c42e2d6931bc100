// Robustness: every single-byte mutation and every truncation of every
// recorded handshake message is handed to every body parser. Parsers must
// return (a value or an Error) without crashing or reading out of bounds —
// run under ASan/UBSan (-DTESSERA_SANITIZE=ON) this is a small, deterministic
// fuzz pass. Whatever parses must re-serialize to exactly the input, since
// every field has a single encoding.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "wire/alert.h"
#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/empty_messages.h"
#include "wire/encrypted_extensions.h"
#include "wire/finished.h"
#include "wire/hello.h"
#include "wire/key_exchange.h"
#include "wire/post_handshake.h"
#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using Parser = std::function<Result<Bytes>(ByteView)>;

template <class M>
Parser body_parser() {
  return [](ByteView body) -> Result<Bytes> {
    auto m = M::parse(body);
    if (!m.ok()) return std::move(m).error();
    ByteWriter w;
    m->serialize(w);
    return std::move(w).finish();
  };
}

std::vector<std::pair<std::string, Parser>> all_parsers() {
  return {
      {"ClientHello", body_parser<ClientHello>()},
      {"ServerHello", body_parser<ServerHello>()},
      {"EncryptedExtensions", body_parser<EncryptedExtensions>()},
      {"Certificate13", body_parser<Certificate13>()},
      {"Certificate12", body_parser<Certificate12>()},
      {"CertificateRequest13", body_parser<CertificateRequest13>()},
      {"CertificateRequest12", body_parser<CertificateRequest12>()},
      {"CertificateVerify", body_parser<CertificateVerify>()},
      {"NewSessionTicket", body_parser<NewSessionTicket>()},
      {"NewSessionTicket12", body_parser<NewSessionTicket12>()},
      {"KeyUpdate", body_parser<KeyUpdate>()},
      {"ServerKeyExchangeEcdhe", body_parser<ServerKeyExchangeEcdhe>()},
      {"ServerKeyExchangeDhe", body_parser<ServerKeyExchangeDhe>()},
      {"ClientKeyExchangeEcdhe", body_parser<ClientKeyExchangeEcdhe>()},
      {"ClientKeyExchangeDhe", body_parser<ClientKeyExchangeDhe>()},
      {"ClientKeyExchangeRsa", body_parser<ClientKeyExchangeRsa>()},
      {"Alert", body_parser<Alert>()},
      // Extension bodies, fed the same inputs.
      {"ServerNameList", body_parser<ServerNameList>()},
      {"KeyShareClientHello", body_parser<KeyShareClientHello>()},
      {"OfferedPsks", body_parser<OfferedPsks>()},
      {"ProtocolNameList", body_parser<ProtocolNameList>()},
      {"CertificateAuthorities", body_parser<CertificateAuthorities>()},
  };
}

std::vector<Bytes> all_vectors() {
  std::vector<Bytes> out;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(TESSERA_TEST_DATA_DIR) + "/wire")) {
    if (entry.path().extension() == ".hex") {
      out.push_back(testing::load_vector(entry.path().stem().string()));
    }
  }
  return out;
}

void check(const std::vector<std::pair<std::string, Parser>>& parsers, ByteView input,
           size_t& parsed_count) {
  for (const auto& [name, parse] : parsers) {
    auto r = parse(input);
    if (r.ok()) {
      ++parsed_count;
      ASSERT_EQ(*r, Bytes(input.begin(), input.end())) << name << " re-encoded differently";
    } else {
      ASSERT_FALSE(r.error().message().empty()) << name;
    }
  }
}

TEST(Mutation, ParsersSurviveMutatedAndTruncatedMessages) {
  auto parsers = all_parsers();
  std::vector<Bytes> vectors = all_vectors();
  ASSERT_GT(vectors.size(), 60u);
  size_t parsed = 0;
  for (const Bytes& msg : vectors) {
    ByteView body = ByteView(msg).subspan(kHandshakeHeaderSize);
    // Truncations (a stride keeps the large certificates cheap).
    size_t stride = body.size() > 300 ? 7 : 1;
    for (size_t n = 0; n < body.size(); n += stride) check(parsers, body.first(n), parsed);
    // Single-byte mutations at every offset of the first 300 bytes, where
    // all the length fields of these messages are.
    Bytes copy(body.begin(), body.end());
    for (size_t i = 0; i < copy.size() && i < 300; ++i) {
      uint8_t orig = copy[i];
      for (uint8_t v : {uint8_t(0x00), uint8_t(0xff), uint8_t(orig ^ 0x01)}) {
        copy[i] = v;
        check(parsers, copy, parsed);
      }
      copy[i] = orig;
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  EXPECT_GT(parsed, 0u);
}

}  // namespace
}  // namespace tessera::wire
