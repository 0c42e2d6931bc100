// Credential::from_pem_files: a chain and its key loaded from files.
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "base/secret_file.h"
#include "crypto/provider.h"
#include "support/temp_dir.h"
#include "tessera/config.h"
#include "x509/builder.h"

namespace tessera {
namespace {

class CredentialFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    auto pki = x509::make_local_pki(*crypto::default_provider(), crypto::KeyGenParams{},
                                    static_cast<x509::UnixTime>(std::time(nullptr)));
    ASSERT_TRUE(pki.ok()) << pki.error().message();
    put("server.pem", pki->server.cert_pem());
    put("client.pem", pki->client.cert_pem());
    auto key = pki->server.key_pem();
    ASSERT_TRUE(key.ok());
    ASSERT_TRUE(write_secret_file(path("server.key"), *key).ok());
  }
  std::string path(const char* name) const { return dir_.file(name); }
  void put(const char* name, const std::string& text) const { dir_.write(name, text); }

  testing::TempDir dir_;
};

TEST_F(CredentialFiles, LoadsAChainAndItsKey) {
  Result<Credential> c = Credential::from_pem_files(path("server.pem"), path("server.key"));
  ASSERT_TRUE(c.ok()) << c.error().message();
  ASSERT_EQ(c->chain.size(), 1u);
  EXPECT_TRUE(c->key);
  EXPECT_EQ(c->dns_names(), std::vector<std::string>{"localhost"});
}

TEST_F(CredentialFiles, NamesWhatIsWrong) {
  Result<Credential> missing = Credential::from_pem_files(path("server.pem"), path("none.key"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::io_error);
  EXPECT_NE(missing.error().message().find("none.key"), std::string::npos);
  Result<Credential> no_chain = Credential::from_pem_files(path("none.pem"), path("server.key"));
  ASSERT_FALSE(no_chain.ok());
  EXPECT_NE(no_chain.error().message().find("none.pem"), std::string::npos);
  // The key must belong to the leaf.
  Result<Credential> other = Credential::from_pem_files(path("client.pem"), path("server.key"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(other.error().message().find("does not match"), std::string::npos);
}

}  // namespace
}  // namespace tessera
