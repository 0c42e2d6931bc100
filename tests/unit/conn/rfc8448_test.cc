// RFC 8448 sections 3 (simple 1-RTT) and 6 (client authentication) replayed through our TLS 1.3
// server engine with the deterministic provider: given the trace's ClientHello, the server's
// ephemeral X25519 key and its random, our server must send the trace's ServerHello byte for byte
// and derive the trace's handshake traffic secrets (section 6 with client authentication required).
// (The rest of the server flight differs by design: our EncryptedExtensions carry other extensions
// and our certificate is not the trace's, and the RSA-PSS signature is randomised, so the flight is
// checked by the key schedule and record tests in crypto/ and record/ instead.)
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

struct Trace {
  const char* name;
  const char* client_hello_record;  // file in tests/vectors/record
  const char* server_hello_record;
  const char* server_x25519_private;
  const char* server_random;
  const char* client_random;
  const char* client_hs_traffic;
  const char* server_hs_traffic;
  bool client_auth;
};

// RFC 8448 3 (simple 1-RTT) and 6 (client authentication).
const Trace kTraces[] = {
    {"section3_simple_1rtt", "rfc8448_s3_client_hello_record.hex",
     "rfc8448_s3_server_hello_record.hex",
     "b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e",
     "a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928",
     "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7",
     "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21",
     "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", false},
    {"section6_client_auth", "rfc8448_s6_client_hello_record.hex",
     "rfc8448_s6_server_hello_record.hex",
     "7382a5ad1cdd2056ae18cc708bd007d98130dbe2cd4d9ead9b96952becbb0888",
     "3b50fdf1c3d572e40e68953e7fff4e2758459c59afa0582c0ea032874255fe6e",
     "6a472236328b83af40386d3a3e1f1ce624fa4ed89ab865a4ff0f4144ce3ae233",
     "cec7a30c6872070f22a7eeb065768db67c45e29533db879908ce6dc66f5911de",
     "8b02d3c00442a2722c4098ebe8675b23e801510f0d7ed778d8eb0b8f42a19a5e", true},
};

class Rfc8448Server : public ::testing::TestWithParam<Trace> {};

TEST_P(Rfc8448Server, ReplaysServerHelloAndHandshakeSecrets) {
  const Trace& t = GetParam();
  auto provider = std::make_shared<crypto::DeterministicProvider>();
  // {server} create an ephemeral x25519 key pair, then the ServerHello
  // random: our server draws them in this order.
  provider->push_random(H(t.server_x25519_private));
  provider->push_random(H(t.server_random));

  std::vector<std::string> keylog;
  auto sc = server_config();
  sc->provider = provider;
  sc->cookie_key = Bytes(32, 0x42);
  sc->keylog = [&](std::string_view l) { keylog.emplace_back(l); };
  if (t.client_auth) {
    sc->client_auth = ClientAuth::required;
    sc->client_trust = trust();
  }
  auto server = Connection::server(sc);
  ASSERT_TRUE(server.ok());

  Bytes client_hello_record = hex_file(t.client_hello_record);
  ASSERT_TRUE((*server)->receive_tls(client_hello_record).ok()) << err(**server);

  Bytes want_sh = hex_file(t.server_hello_record);
  auto out = (*server)->pending_tls();
  ASSERT_GE(out.size(), want_sh.size());
  EXPECT_EQ(to_hex(out.first(want_sh.size())), to_hex(want_sh));
  EXPECT_EQ(provider->queued(), 0u);

  ASSERT_GE(keylog.size(), 2u);
  EXPECT_EQ(keylog[0], std::string("CLIENT_HANDSHAKE_TRAFFIC_SECRET ") + t.client_random + " " +
                           t.client_hs_traffic);
  EXPECT_EQ(keylog[1], std::string("SERVER_HANDSHAKE_TRAFFIC_SECRET ") + t.client_random + " " +
                           t.server_hs_traffic);
}

INSTANTIATE_TEST_SUITE_P(Traces, Rfc8448Server, ::testing::ValuesIn(kTraces),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace tessera::testing
