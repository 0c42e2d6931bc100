// Tests for x509/trust_store: loading anchors from PEM, files, directories.
#include "x509/trust_store.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
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

// A bundle with a certificate the parser refuses between two good ones:
// add_bundle (and so system_default) keeps the good ones and counts the bad;
// add_file refuses the whole file.
TEST(TrustStore, BundlesSkipCertificatesThatDoNotParse) {
  const std::string bad = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
  char path[] = "/tmp/tessera-bundle-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  auto write = [&](const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  };
  write(read("root.pem") + bad + read("int.pem"));
  TrustStore t;
  auto r = t.add_bundle(path);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, 2u);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.skipped_certificates(), 1u);
  TrustStore strict;
  EXPECT_FALSE(strict.add_file(path).ok());

  write(bad);  // nothing usable: an error naming the file
  TrustStore none;
  auto e = none.add_bundle(path);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), ErrorCode::cert_parse);
  EXPECT_NE(e.error().to_string().find(path), std::string::npos);
  write("no PEM here\n");
  EXPECT_FALSE(none.add_bundle(path).ok());
  std::remove(path);
  EXPECT_EQ(none.add_bundle(path).error().code(), ErrorCode::io_error);
}

// The machine's own bundle loads (Debian 12's holds a root whose 2046
// notAfter is a GeneralizedTime, which the parser refuses: it is skipped).
TEST(TrustStore, SystemDefaultLoads) {
  std::ifstream probe(kSystemCaBundle);
  if (!probe) GTEST_SKIP() << "no " << kSystemCaBundle;
  auto t = TrustStore::system_default();
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_GT(t->size(), 50u);
}

}  // namespace
}  // namespace tessera::x509
