// Configuration mistakes refused where they are made (config_invalid from
// Connection::client / server), not later as a crash, a malformed message
// or a handshake that cannot succeed; and a few calls in the wrong state.
#include <gtest/gtest.h>

#include "pair.h"
#include "tessera/ech.h"

namespace tessera::testing {
namespace {

void expect_config_invalid(const Result<std::unique_ptr<Connection>>& r, std::string_view what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code(), ErrorCode::config_invalid) << r.error().to_string();
  EXPECT_NE(r.error().message().find(what), std::string::npos) << r.error().message();
}

// A null credential or ECH key would be dereferenced by the first
// ClientHello; a short cookie key makes HelloRetryRequest cookies forgeable.
TEST(ConfigCheck, ServerRefusesNullEntriesAndShortCookieKeys) {
  auto sc = server_config();
  sc->credentials.push_back(nullptr);
  expect_config_invalid(Connection::server(sc), "credentials holds a null entry");
  sc = server_config();
  sc->ech_keys = {nullptr};
  expect_config_invalid(Connection::server(sc), "ech_keys holds a null entry");
  sc = server_config();
  sc->cookie_key = {7};
  expect_config_invalid(Connection::server(sc), "cookie_key has 1 bytes");
  sc->cookie_key.assign(32, 7);
  EXPECT_TRUE(Connection::server(sc).ok());
}

// RFC 7301 3.1: protocol names of 1..255 bytes, never empty or truncated.
TEST(ConfigCheck, AlpnNamesMustFitTheirEncoding) {
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{""}, std::vector<std::string>{"h2", ""},
        std::vector<std::string>{std::string(300, 'a')}}) {
    auto cc = client_config();
    cc->alpn = bad;
    expect_config_invalid(Connection::client(cc, {"localhost", {}}), "ClientConfig::alpn");
    expect_config_invalid(Connection::client(client_config(), {"localhost", bad}),
                          "ClientOptions::alpn");
    auto sc = server_config();
    sc->alpn = bad;
    expect_config_invalid(Connection::server(sc), "ServerConfig::alpn");
  }
  auto cc = client_config();
  cc->alpn = {std::string(255, 'a')};
  EXPECT_TRUE(Connection::client(cc, {"localhost", {}}).ok());
}

// The name to reach is an IP address or a DNS host name; one trailing dot is
// allowed, and left out of SNI (RFC 6066 3), so the handshake works.
TEST(ConfigCheck, ServerNameIsAnAddressOrAHostName) {
  for (const char* bad : {"local host", "*.example.com", "a..b", "bad\x01name"})
    expect_config_invalid(Connection::client(client_config(), {bad, {}}), "server_name");
  expect_config_invalid(Connection::client(client_config(), {std::string(300, 'a'), {}}),
                        "server_name");
  auto p = make_tls_pair(client_config(), server_config(), "localhost.");
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.server->summary().server_name, "localhost");
}

// RFC 7919 groups start at 2048 bits, as RSA keys do.
TEST(ConfigCheck, PolicyRefusesFiniteFieldGroupsBelow2048Bits) {
  auto cc = client_config();
  cc->policy.min_ffdhe_bits = 1024;
  expect_config_invalid(Connection::client(cc, {"localhost", {}}), "below 2048 bits");
}

// Nothing follows our close_notify: key_update after close() is refused, as
// write() is.
TEST(ConfigCheck, KeyUpdateAfterCloseIsRefused) {
  auto p = handshaken_pair(client_config(), server_config());
  p.client->close();
  (void)take_out(*p.client);
  auto r = p.client->key_update(true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("after close()"), std::string::npos) << r.error().message();
  EXPECT_TRUE(p.client->pending_tls().empty());
}

}  // namespace
}  // namespace tessera::testing
