#include "x509/pem.h"

#include <gtest/gtest.h>

#include "base/hex.h"

namespace tessera::x509 {
namespace {

TEST(Base64, Rfc4648Vectors) {
  // RFC 4648 10.
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, enc] : kVectors) {
    EXPECT_EQ(base64_encode(as_bytes_view(plain)), enc);
    Result<Bytes> dec = base64_decode(enc);
    ASSERT_TRUE(dec.ok()) << enc;
    EXPECT_EQ(std::string(dec->begin(), dec->end()), plain);
  }
}

TEST(Base64, StrictDecoding) {
  for (const char* bad :
       {"Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zg==Zg==", "Zm 9v", "Zm9v\n", "Zm-v", "=Zm9"}) {
    EXPECT_FALSE(base64_decode(bad).ok()) << bad;
  }
}

TEST(Pem, EncodesIn64ColumnLines) {
  Bytes der(100, 0xab);
  std::string pem = pem_encode("CERTIFICATE", der);
  EXPECT_EQ(pem.substr(0, 28), "-----BEGIN CERTIFICATE-----\n");
  size_t first_nl = pem.find('\n', 28);
  EXPECT_EQ(first_nl - 28, 64u);
  EXPECT_EQ(pem.substr(pem.size() - 26), "-----END CERTIFICATE-----\n");
  Result<std::vector<PemBlock>> back = pem_decode(pem);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].label, "CERTIFICATE");
  EXPECT_EQ((*back)[0].der, der);
}

TEST(Pem, DecodesBundlesWithJunkBetweenBlocks) {
  std::string text =
      "Certificate:\n    Data: ...\n"
      "-----BEGIN CERTIFICATE-----\r\nAQID\r\n-----END CERTIFICATE-----\r\n"
      "subject=CN = x\n\n"
      "-----BEGIN PRIVATE KEY-----\nBAUG  \n-----END PRIVATE KEY-----\n"
      "-----BEGIN CERTIFICATE-----\nBwgJ\nCg==\n-----END CERTIFICATE-----\n";
  Result<std::vector<PemBlock>> blocks = pem_decode(text);
  ASSERT_TRUE(blocks.ok()) << blocks.error().message();
  ASSERT_EQ(blocks->size(), 3u);
  EXPECT_EQ(to_hex((*blocks)[0].der), "010203");
  EXPECT_EQ((*blocks)[1].label, "PRIVATE KEY");
  EXPECT_EQ(to_hex((*blocks)[2].der), "0708090a");
  Result<std::vector<Bytes>> certs = pem_decode_label(text, pem_label::kCertificate);
  ASSERT_TRUE(certs.ok());
  EXPECT_EQ(certs->size(), 2u);
  Result<SecretBytes> key = pem_decode_secret(text, pem_label::kPrivateKey);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(to_hex(key->view()), "040506");
  EXPECT_FALSE(pem_decode_secret(text, pem_label::kEcPrivateKey).ok());
  EXPECT_TRUE(looks_like_pem(text));
  EXPECT_FALSE(looks_like_pem("0\x82"));
  Result<std::vector<PemBlock>> none = pem_decode("no pem here");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(Pem, RejectsMalformedBlocks) {
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      {"-----BEGIN CERTIFICATE-----\nAQID\n", "no END line"},
      {"-----BEGIN CERTIFICATE-----\nAQID\n-----END X509 CRL-----\n", "does not match"},
      {"-----BEGIN CERTIFICATE-----\nAQ*D\n-----END CERTIFICATE-----\n", "invalid base64"},
      {"-----BEGIN CERTIFICATE-----\nAQ==\nAQID\n-----END CERTIFICATE-----\n", "after the final"},
      {"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAQID\n"
       "-----END RSA PRIVATE KEY-----\n",
       "headers"},
      {"-----BEGIN CERTIFICATE\nAQID\n-----END CERTIFICATE-----\n", "malformed BEGIN"},
  };
  for (const Case& c : cases) {
    Result<std::vector<PemBlock>> r = pem_decode(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code(), ErrorCode::cert_parse);
    EXPECT_NE(r.error().message().find(c.want), std::string::npos) << r.error().message();
  }
}

}  // namespace
}  // namespace tessera::x509
