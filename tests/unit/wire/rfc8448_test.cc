// Every handshake message printed in RFC 8448 (sections 3 to 7) parses with
// the codec for its type and re-serializes byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/empty_messages.h"
#include "wire/encrypted_extensions.h"
#include "wire/finished.h"
#include "wire/hello.h"
#include "wire/post_handshake.h"
#include "wire_test_util.h"

namespace tessera::wire {
namespace {

template <class M>
Result<Bytes> roundtrip(Result<M> parsed) {
  if (!parsed.ok()) return std::move(parsed).error();
  return encode_handshake(*parsed);
}

Result<Bytes> parse_and_reencode(const HandshakeMessage& m) {
  switch (m.type) {
    case HandshakeType::client_hello: return roundtrip(ClientHello::parse(m.body));
    case HandshakeType::server_hello: return roundtrip(ServerHello::parse(m.body));
    case HandshakeType::encrypted_extensions: return roundtrip(EncryptedExtensions::parse(m.body));
    case HandshakeType::certificate: return roundtrip(Certificate13::parse(m.body));
    case HandshakeType::certificate_request: return roundtrip(CertificateRequest13::parse(m.body));
    case HandshakeType::certificate_verify: return roundtrip(CertificateVerify::parse(m.body));
    // All RFC 8448 traces use TLS_AES_128_GCM_SHA256: 32-byte verify_data.
    case HandshakeType::finished: return roundtrip(Finished::parse(m.body, 32));
    case HandshakeType::new_session_ticket: return roundtrip(NewSessionTicket::parse(m.body));
    case HandshakeType::end_of_early_data: return roundtrip(EndOfEarlyData::parse(m.body));
    default: return Error(ErrorCode::unexpected_message, handshake_type_name(m.type));
  }
}

TEST(Rfc8448, EveryMessageRoundTrips) {
  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(TESSERA_TEST_DATA_DIR) + "/wire")) {
    std::string name = entry.path().stem().string();
    if (name.rfind("rfc8448_s", 0) == 0 && name.find("binder_prefix") == std::string::npos) {
      names.push_back(name);
    }
  }
  // Sections 3 to 7 print 40 handshake messages.
  EXPECT_EQ(names.size(), 40u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    Bytes msg = testing::load_vector(name);
    ByteReader r(msg);
    auto m = read_handshake_message(r);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_TRUE(r.empty());
    auto again = parse_and_reencode(*m);
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_EQ(*again, msg);
  }
}

}  // namespace
}  // namespace tessera::wire
