// RFC 8448 section 3 (simple 1-RTT) replayed through our TLS 1.3 server
// engine with the deterministic provider: given the trace's ClientHello, the
// server's ephemeral X25519 key and its random, our server must send the
// trace's ServerHello byte for byte and derive the trace's handshake traffic
// secrets. (The rest of the server flight differs by design: our
// EncryptedExtensions carry other extensions and our certificate is not the
// trace's, and the RSA-PSS signature is randomised, so the flight is checked
// by the key schedule and record tests in crypto/ and record/ instead.)
#include <gtest/gtest.h>

#include <fstream>

#include "base/hex.h"
#include "crypto/deterministic.h"
#include "pair.h"

namespace tessera::testing {
namespace {

Bytes hex_file(const std::string& name) {
  std::ifstream f(std::string(TESSERA_TEST_DATA_DIR) + "/record/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  auto b = from_hex(ss.str());
  EXPECT_TRUE(b.has_value()) << name;
  return b.value_or(Bytes{});
}

Bytes H(const char* s) { return *from_hex(s); }

TEST(Rfc8448, ServerReplaysSimple1RttServerHelloAndHandshakeSecrets) {
  auto provider = std::make_shared<crypto::DeterministicProvider>();
  // RFC 8448 3: {server} create an ephemeral x25519 key pair, then the
  // ServerHello random. Our server draws them in this order.
  provider->push_random(H("b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e"));
  provider->push_random(H("a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928"));

  std::vector<std::string> keylog;
  auto sc = server_config();
  sc->provider = provider;
  sc->cookie_key = Bytes(32, 0x42);
  sc->keylog = [&](std::string_view l) { keylog.emplace_back(l); };
  auto server = Connection::server(sc);
  ASSERT_TRUE(server.ok());

  Bytes client_hello_record = hex_file("rfc8448_s3_client_hello_record.hex");
  ASSERT_TRUE((*server)->receive_tls(client_hello_record).ok()) << err(**server);

  Bytes want_sh = hex_file("rfc8448_s3_server_hello_record.hex");
  auto out = (*server)->pending_tls();
  ASSERT_GE(out.size(), want_sh.size());
  EXPECT_EQ(to_hex(out.first(want_sh.size())), to_hex(want_sh));
  EXPECT_EQ(provider->queued(), 0u);

  const std::string client_random =
      "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7";
  ASSERT_GE(keylog.size(), 2u);
  EXPECT_EQ(keylog[0], "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + client_random +
                           " b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21");
  EXPECT_EQ(keylog[1], "SERVER_HANDSHAKE_TRAFFIC_SECRET " + client_random +
                           " b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
}

}  // namespace
}  // namespace tessera::testing
