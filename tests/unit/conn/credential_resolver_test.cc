// ServerConfig::credential_resolver: certificates looked up per ClientHello
// by SNI (many names, renewal while running), in both versions.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "pair.h"
#include "tessera/config.h"

namespace tessera::testing {
namespace {

// Holder: what a server renewing its certificate would keep, and the names
// it was asked for.
struct Holder {
  std::mutex mu;
  std::vector<std::shared_ptr<const Credential>> current;
  std::vector<std::string> asked;
  CredentialResolver resolver() {
    return [this](std::string_view name) {
      std::lock_guard<std::mutex> lock(mu);
      asked.emplace_back(name);
      return current;
    };
  }
};

class Resolver : public ::testing::TestWithParam<ProtocolVersion> {
 protected:
  std::shared_ptr<ClientConfig> client() { return versioned_client_config(GetParam(), ""); }
  std::shared_ptr<ServerConfig> server(Holder& h, bool with_fallback) {
    auto s = server_config();
    if (!with_fallback) s->credentials.clear();
    s->credential_resolver = h.resolver();
    return s;
  }
  static std::vector<uint8_t> leaf_of(const std::string& base) {
    return credential(base)->chain[0];
  }
};

TEST_P(Resolver, AServerWithOnlyAResolverServesWhatItReturns) {
  Holder h;
  h.current = {credential("server-ec")};
  Pair p = handshaken_pair(client(), server(h, false));
  EXPECT_EQ(h.asked, std::vector<std::string>{"localhost"});
  ASSERT_FALSE(p.client->summary().peer_chain.empty());
  EXPECT_EQ(p.client->summary().peer_chain[0], leaf_of("server-ec"));
  transfer(p, true, 1000);
}

TEST_P(Resolver, ARenewedCertificateIsServedToTheNextClient) {
  Holder h;
  h.current = {credential("server-ec")};
  auto s = server(h, false);
  Pair first = handshaken_pair(client(), s);
  {
    std::lock_guard<std::mutex> lock(h.mu);
    h.current = {credential("server-rsa")};  // renewed: same config, new certificate
  }
  Pair second = handshaken_pair(client(), s);
  EXPECT_EQ(first.client->summary().peer_chain[0], leaf_of("server-ec"));
  EXPECT_EQ(second.client->summary().peer_chain[0], leaf_of("server-rsa"));
  // The connection made before goes on with its certificate.
  transfer(first, false, 1000);
}

TEST_P(Resolver, NothingReturnedFallsBackToTheConfigsCredentials) {
  Holder h;  // knows no name
  Pair p = handshaken_pair(client(), server(h, true));
  EXPECT_EQ(h.asked.size(), 1u);
  EXPECT_EQ(p.client->summary().peer_chain[0], leaf_of("server-ec"));
  // A null entry is skipped, not dereferenced.
  h.current = {nullptr};
  Pair q = handshaken_pair(client(), server(h, true));
  EXPECT_EQ(q.client->summary().peer_chain[0], leaf_of("server-ec"));
}

TEST_P(Resolver, TheClientsSignatureAlgorithmsPickAmongWhatItReturns) {
  Holder h;
  h.current = {credential("server-ec"), credential("server-rsa")};
  auto c = client();
  c->policy.signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256};
  Pair p = handshaken_pair(c, server(h, false));
  EXPECT_EQ(p.client->summary().peer_chain[0], leaf_of("server-rsa"));
  Pair q = handshaken_pair(client(), server(h, false));  // ECDSA first when both fit
  EXPECT_EQ(q.client->summary().peer_chain[0], leaf_of("server-ec"));
}

TEST_P(Resolver, NoCertificateAnywhereIsHandshakeFailure) {
  Holder h;
  auto p = make_tls_pair(client(), server(h, false));
  EXPECT_FALSE(p.pump());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::handshake_failure) << err(*p.server);
}

INSTANTIATE_TEST_SUITE_P(Versions, Resolver,
                         ::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                         [](const auto& param_info) {
                           return param_info.param == ProtocolVersion::tls13 ? "tls13" : "tls12";
                         });

TEST(ResolverConfig, AResolverAloneMakesAValidServerConfig) {
  auto s = server_config();
  s->credentials.clear();
  auto none = Connection::server(s);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message().find("or a credential resolver"), std::string::npos);
  s->credential_resolver = [](std::string_view) {
    return std::vector<std::shared_ptr<const Credential>>{};
  };
  EXPECT_TRUE(Connection::server(s).ok());
}

}  // namespace
}  // namespace tessera::testing
