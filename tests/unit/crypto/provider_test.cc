// src/crypto/provider.cc: default_provider(), Provider::digest, key_type_name.
#include "crypto/provider.h"

#include <gtest/gtest.h>

#include "crypto_test_util.h"

namespace tessera::crypto {
namespace {

TEST(Provider, DefaultProviderIsOneSharedOpenSslProvider) {
  auto a = default_provider();
  auto b = default_provider();
  ASSERT_TRUE(a);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(dynamic_cast<OpenSslProvider*>(a.get()), nullptr);
  EXPECT_NE(a->name().find("openssl"), std::string_view::npos);
  Bytes r1(32), r2(32);
  a->random(r1);
  a->random(r2);
  EXPECT_NE(to_hex(r1), to_hex(r2));
}

TEST(Provider, DigestIsHashUpdateFinish) {
  auto p = default_provider();
  auto h = p->hash(HashAlgorithm::sha512);
  h->update(as_bytes_view("ab"));
  h->update(as_bytes_view("c"));
  EXPECT_EQ(to_hex(p->digest(HashAlgorithm::sha512, as_bytes_view("abc"))), to_hex(h->finish()));
}

TEST(Provider, KeyTypeNames) {
  EXPECT_EQ(key_type_name(KeyType::rsa), "RSA");
  EXPECT_EQ(key_type_name(KeyType::rsa_pss), "RSASSA-PSS");
  EXPECT_EQ(key_type_name(KeyType::ec_p256), "EC P-256");
  EXPECT_EQ(key_type_name(KeyType::ec_p384), "EC P-384");
  EXPECT_EQ(key_type_name(KeyType::ec_p521), "EC P-521");
  EXPECT_EQ(key_type_name(KeyType::ed25519), "Ed25519");
}

}  // namespace
}  // namespace tessera::crypto
