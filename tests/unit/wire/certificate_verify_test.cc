#include "wire/certificate_verify.h"

#include <gtest/gtest.h>

#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::body_of;
using testing::H;
using testing::load_vector;
using testing::reencode;

// RFC 8448 3: rsa_pss_rsae_sha256 signature of 128 bytes.
TEST(CertificateVerify, ParsesRfc8448Section3) {
  Bytes msg = load_vector("rfc8448_s3_server_certificate_verify");
  auto cv = CertificateVerify::parse(body_of(msg, HandshakeType::certificate_verify));
  ASSERT_TRUE(cv.ok()) << cv.error().to_string();
  EXPECT_EQ(cv->signed_data.scheme, 0x0804);
  ASSERT_EQ(cv->signed_data.signature.size(), 128u);
  EXPECT_EQ(cv->signed_data.signature[0], 0x5a);
  EXPECT_EQ(cv->signed_data.signature[127], 0xf3);
  EXPECT_EQ(reencode(*cv), msg);
}

// RFC 8448 6: the server signs with ecdsa_secp256r1_sha256.
TEST(CertificateVerify, ParsesRfc8448Section6Ecdsa) {
  Bytes msg = load_vector("rfc8448_s6_server_certificate_verify");
  auto cv = CertificateVerify::parse(body_of(msg, HandshakeType::certificate_verify));
  ASSERT_TRUE(cv.ok()) << cv.error().to_string();
  EXPECT_EQ(cv->signed_data.scheme, 0x0403);
  EXPECT_EQ(cv->signed_data.signature.size(), 0x47u);
  EXPECT_EQ(reencode(*cv), msg);
}

TEST(CertificateVerify, TruncationAndTrailingBytes) {
  Bytes msg = load_vector("rfc8448_s3_server_certificate_verify");
  ByteView body = body_of(msg, HandshakeType::certificate_verify);
  for (size_t n = 0; n < body.size(); ++n) {
    auto cv = CertificateVerify::parse(body.first(n));
    ASSERT_FALSE(cv.ok()) << n;
    EXPECT_EQ(cv.error().alert(), AlertDescription::decode_error);
    EXPECT_EQ(cv.error().message().rfind("CertificateVerify: ", 0), 0u);
  }
  Bytes longer(body.begin(), body.end());
  longer.push_back(0);
  auto t = CertificateVerify::parse(longer);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), ErrorCode::decode_trailing_data);
}

TEST(DigitallySigned, ReadLeavesFollowingBytes) {
  Bytes d = H("0401 0002 abcd ff");
  ByteReader r(d);
  auto ds = DigitallySigned::read(r);
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ(ds->scheme, 0x0401);
  EXPECT_EQ(ds->signature, H("abcd"));
  EXPECT_EQ(r.remaining(), 1u);
  // An empty signature is well-formed (<0..2^16-1>); verification fails later.
  auto empty = CertificateVerify::parse(H("0807 0000"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->signed_data.signature.empty());
}

}  // namespace
}  // namespace tessera::wire
