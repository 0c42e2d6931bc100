// Tests for x509/trust_store: loading anchors from PEM, files, directories.
#include "x509/trust_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace tessera::x509 {
namespace {

const std::string kDir = std::string(TESSERA_TEST_DATA_DIR) + "/x509v";

std::string read(const std::string& name) {
  std::ifstream in(kDir + "/" + name, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(TrustStore, AddPemDeduplicates) {
  TrustStore t;
  auto r = t.add_pem(as_bytes_view(read("root.pem") + read("int.pem") + read("root.pem")));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, 2u);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.find_issuers(*Name::from_string("CN=test root")).size(), 1u);
  EXPECT_TRUE(t.find_issuers(*Name::from_string("CN=Nobody")).empty());
  EXPECT_TRUE(t.contains_der(t.anchors()[1]->der()).has_value());
}

TEST(TrustStore, AddPemRejectsGarbage) {
  TrustStore t;
  auto r = t.add_pem(
      as_bytes_view(std::string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::cert_parse);
  EXPECT_EQ(t.size(), 0u);
}

TEST(TrustStore, FilesAndDirectories) {
  TrustStore t;
  auto r = t.add_file(kDir + "/hostile_set.pem");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, 20u);
  auto missing = t.add_file(kDir + "/does-not-exist.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::io_error);
  EXPECT_NE(missing.error().message().find("does-not-exist.pem"), std::string::npos);

  TrustStore d;
  auto rd = d.add_directory(kDir);
  ASSERT_TRUE(rd.ok()) << rd.error().to_string();
  // Every .pem of the directory except the CRL file holds certificates.
  EXPECT_GE(*rd, 50u);
  EXPECT_EQ(d.skipped_files(), 0u);
  EXPECT_FALSE(d.add_directory(kDir + "/nope").ok());
}

}  // namespace
}  // namespace tessera::x509
