#include "x509/crl.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/hex.h"
#include "x509/pem.h"

namespace tessera::x509 {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/x509/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Bytes crl_der() {
  Result<std::vector<Bytes>> ders = pem_decode_label(read_fixture("root.crl.pem"), pem_label::kCrl);
  EXPECT_TRUE(ders.ok());
  EXPECT_EQ(ders->size(), 1u);
  return ders->empty() ? Bytes{} : (*ders)[0];
}

TEST(Crl, ParsesOpensslCrl) {
  Result<Crl> crl = Crl::parse(crl_der());
  ASSERT_TRUE(crl.ok()) << crl.error().message();
  EXPECT_EQ(crl->version(), 2);
  EXPECT_EQ(crl->issuer().to_string(), "C=US, O=Tessera Test, CN=Tessera Test Root");
  EXPECT_EQ(crl->signature_algorithm().scheme, SignatureScheme::rsa_pkcs1_sha256);
  EXPECT_EQ(format_iso8601(crl->this_update()), "2026-11-26T23:45:19Z");
  ASSERT_TRUE(crl->next_update().has_value());
  EXPECT_EQ(format_iso8601(*crl->next_update()), "2126-11-02T23:45:19Z");
  ASSERT_EQ(crl->revoked().size(), 1u);
  EXPECT_EQ(to_hex(crl->revoked()[0].serial), "7055");
  EXPECT_EQ(crl->revoked()[0].reason, CrlReason::key_compromise);
  ASSERT_TRUE(crl->crl_number().has_value());
  EXPECT_EQ(to_hex(*crl->crl_number()), "1000");
  EXPECT_FALSE(crl->authority_key_id().has_value());  // openssl ca adds none by default
  EXPECT_FALSE(crl->has_unknown_critical_extension());
  EXPECT_FALSE(crl->is_delta());
  const uint8_t serial[] = {0x70, 0x55};
  EXPECT_NE(crl->find_revoked(serial), nullptr);
  const uint8_t other[] = {0x70, 0x56};
  EXPECT_EQ(crl->find_revoked(other), nullptr);
  EXPECT_EQ(crl->signature().size(), 256u);
}

TEST(Crl, TruncationAndTrailingDataFail) {
  Bytes der = crl_der();
  for (size_t n = 0; n < der.size(); ++n) {
    Result<Crl> c = Crl::parse(ByteView(der).first(n));
    ASSERT_FALSE(c.ok()) << n;
    ASSERT_EQ(c.error().code(), ErrorCode::cert_parse);
  }
  der.push_back(0);
  EXPECT_FALSE(Crl::parse(der).ok());
}

}  // namespace
}  // namespace tessera::x509
