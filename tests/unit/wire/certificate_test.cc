#include "wire/certificate.h"

#include <gtest/gtest.h>

#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::body_of;
using testing::H;
using testing::load_vector;
using testing::reencode;

template <class T>
Bytes ser(const T& v) {
  ByteWriter w;
  v.serialize(w);
  return std::move(w).take();
}

// RFC 8448 3: the server's single RSA certificate.
TEST(Certificate13, ParsesRfc8448Section3) {
  Bytes msg = load_vector("rfc8448_s3_server_certificate");
  ASSERT_EQ(msg.size(), 445u);
  auto c = Certificate13::parse(body_of(msg, HandshakeType::certificate));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_TRUE(c->certificate_request_context.empty());
  ASSERT_EQ(c->certificate_list.size(), 1u);
  const CertificateEntry& e = c->certificate_list[0];
  EXPECT_EQ(e.cert_data.size(), 0x1b0u);
  // A DER SEQUENCE of 0x1ac content bytes.
  EXPECT_EQ(Bytes(e.cert_data.begin(), e.cert_data.begin() + 4), H("308201ac"));
  EXPECT_TRUE(e.extensions.empty());
  EXPECT_EQ(reencode(*c), msg);
}

// RFC 8448 6: the client's certificate in mutual authentication.
TEST(Certificate13, ParsesRfc8448Section6ClientCertificate) {
  Bytes msg = load_vector("rfc8448_s6_client_certificate");
  auto c = Certificate13::parse(body_of(msg, HandshakeType::certificate));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ASSERT_EQ(c->certificate_list.size(), 1u);
  EXPECT_EQ(c->certificate_list[0].cert_data.size(), 0x1b6u);
  EXPECT_EQ(reencode(*c), msg);
}

TEST(Certificate13, TruncationAtEveryOffsetFails) {
  Bytes msg = load_vector("rfc8448_s3_server_certificate");
  ByteView body = body_of(msg, HandshakeType::certificate);
  for (size_t n = 0; n < body.size(); ++n) {
    auto c = Certificate13::parse(body.first(n));
    ASSERT_FALSE(c.ok()) << n;
    EXPECT_EQ(c.error().alert(), AlertDescription::decode_error) << n;
  }
  Bytes longer(body.begin(), body.end());
  longer.push_back(0);
  auto t = Certificate13::parse(longer);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), ErrorCode::decode_trailing_data);
}

TEST(Certificate13, RoundTripWithContextAndEntryExtensions) {
  Certificate13 c;
  c.certificate_request_context = H("0102");
  c.certificate_list.push_back({H("3003020101"), {make_empty_extension(kExtStatusRequest)}});
  c.certificate_list.push_back({H("3003020102"), {}});
  auto back = Certificate13::parse(ser(c));
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->certificate_request_context, c.certificate_request_context);
  EXPECT_EQ(back->certificate_list, c.certificate_list);

  // An empty certificate_list is well-formed (a client with no certificate).
  auto empty = Certificate13::parse(H("00 000000"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->certificate_list.empty());
}

TEST(Certificate13, EntryErrorsNameTheEntry) {
  // Second entry has empty cert_data.
  auto empty_cert = Certificate13::parse(H("00 00000d  000003 300100 0000  000000 0000"));
  ASSERT_FALSE(empty_cert.ok());
  EXPECT_EQ(empty_cert.error().alert(), AlertDescription::decode_error);
  EXPECT_NE(empty_cert.error().message().find("certificate_list[1] cert_data"), std::string::npos)
      << empty_cert.error().message();
  // Duplicate extension within an entry.
  auto dup = Certificate13::parse(H("00 000010  000003 300100 0008 0005 0000 0005 0000"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().alert(), AlertDescription::illegal_parameter);
  EXPECT_NE(dup.error().message().find("certificate_list[0] extensions"), std::string::npos)
      << dup.error().message();
}

TEST(Certificate12, RoundTripAndBounds) {
  Certificate12 c{{H("3003020101"), H("30020500")}};
  Bytes b = ser(c);
  EXPECT_EQ(b, H("00000f 000005 3003020101 000004 30020500"));
  auto back = Certificate12::parse(b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->certificate_list, c.certificate_list);
  EXPECT_EQ(reencode(c)[0], static_cast<uint8_t>(HandshakeType::certificate));

  auto empty_list = Certificate12::parse(H("000000"));
  ASSERT_TRUE(empty_list.ok());
  EXPECT_TRUE(empty_list->certificate_list.empty());

  auto empty_cert = Certificate12::parse(H("000003 000000"));
  ASSERT_FALSE(empty_cert.ok());
  EXPECT_NE(empty_cert.error().message().find("certificate_list[0] ASN.1Cert"), std::string::npos)
      << empty_cert.error().message();
  EXPECT_FALSE(Certificate12::parse(H("000006 000005 3003")).ok());
  EXPECT_FALSE(Certificate12::parse(H("000000 00")).ok());
  for (size_t n = 0; n < b.size(); ++n)
    EXPECT_FALSE(Certificate12::parse(ByteView(b).first(n)).ok());
}

// RFC 8879 4: algorithm, uint24 uncompressed_length, opaque
// compressed_certificate_message<1..2^24-1>.
TEST(CompressedCertificate, RoundTripAndBounds) {
  CompressedCertificate c{2, 0x012345, H("0b0c0d")};
  Bytes b = ser(c);
  EXPECT_EQ(b, H("0002 012345 000003 0b0c0d"));
  auto back = CompressedCertificate::parse(b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->algorithm, 2);
  EXPECT_EQ(back->uncompressed_length, 0x012345u);
  EXPECT_EQ(back->compressed, H("0b0c0d"));
  EXPECT_EQ(reencode(c)[0], 25);
  EXPECT_EQ(handshake_type_name(HandshakeType::compressed_certificate), "compressed_certificate");

  auto empty = CompressedCertificate::parse(H("0001 000010 000000"));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message().find("compressed_certificate_message"), std::string::npos)
      << empty.error().message();
  EXPECT_EQ(empty.error().alert(), AlertDescription::decode_error);
  auto trailing = CompressedCertificate::parse(H("0001 000010 000001 aa bb"));
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().alert(), AlertDescription::decode_error);
  for (size_t n = 0; n < b.size(); ++n)
    EXPECT_FALSE(CompressedCertificate::parse(ByteView(b).first(n)).ok()) << n;
}

// RFC 6066 8 CertificateStatus: ocsp(1) and an OCSPResponse<1..2^24-1>.
TEST(CertificateStatus, RoundTripAndBounds) {
  CertificateStatus s{CertificateStatus::kOcsp, H("3003 0a0100")};
  Bytes b = ser(s);
  EXPECT_EQ(b, H("01 000005 3003 0a0100"));
  auto back = CertificateStatus::parse(b);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->status_type, 1);
  EXPECT_EQ(back->ocsp_response, H("3003 0a0100"));
  EXPECT_EQ(reencode(s)[0], 22);
  EXPECT_EQ(handshake_type_name(HandshakeType::certificate_status), "certificate_status");

  auto empty = CertificateStatus::parse(H("01 000000"));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message().find("OCSPResponse"), std::string::npos)
      << empty.error().message();
  EXPECT_EQ(empty.error().alert(), AlertDescription::decode_error);
  auto trailing = CertificateStatus::parse(H("01 000001 aa bb"));
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().alert(), AlertDescription::decode_error);
  auto other = CertificateStatus::parse(H("02 000001 aa"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().alert(), AlertDescription::illegal_parameter);
  EXPECT_NE(other.error().message().find("status_type 2 is not ocsp(1)"), std::string::npos);
  for (size_t n = 0; n < b.size(); ++n)
    EXPECT_FALSE(CertificateStatus::parse(ByteView(b).first(n)).ok()) << n;
}

// RFC 8448 6: the server asks for a client certificate.
TEST(CertificateRequest13, ParsesRfc8448Section6) {
  Bytes msg = load_vector("rfc8448_s6_server_certificate_request");
  auto cr = CertificateRequest13::parse(body_of(msg, HandshakeType::certificate_request));
  ASSERT_TRUE(cr.ok()) << cr.error().to_string();
  EXPECT_TRUE(cr->certificate_request_context.empty());
  auto sigs = cr->signature_algorithms();
  ASSERT_TRUE(sigs.ok());
  ASSERT_EQ(sigs->schemes.size(), 15u);
  EXPECT_EQ(sigs->schemes[0], 0x0403);
  EXPECT_EQ(reencode(*cr), msg);
}

TEST(CertificateRequest13, SignatureAlgorithmsIsRequired) {
  CertificateRequest13 cr;
  cr.certificate_request_context = H("aa");
  cr.extensions.push_back(make_empty_extension(kExtPostHandshakeAuth));
  auto r = CertificateRequest13::parse(ser(cr));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::missing_extension);
  EXPECT_EQ(r.error().alert(), AlertDescription::missing_extension);
  EXPECT_NE(r.error().message().find("signature_algorithms"), std::string::npos);

  // A malformed signature_algorithms is a decode error.
  cr.extensions.push_back(Extension{kExtSignatureAlgorithms, H("0000")});
  auto bad = CertificateRequest13::parse(ser(cr));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().alert(), AlertDescription::decode_error);

  cr.extensions.back() = make_extension(kExtSignatureAlgorithms, SignatureSchemeList{{0x0804}});
  auto good = CertificateRequest13::parse(ser(cr));
  ASSERT_TRUE(good.ok()) << good.error().to_string();
  EXPECT_EQ(good->certificate_request_context, H("aa"));
  EXPECT_EQ(good->extensions, cr.extensions);

  // extensions<2..2^16-1>: an empty list is too short.
  auto empty = CertificateRequest13::parse(H("00 0000"));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), ErrorCode::decode_length);
}

TEST(CertificateRequest12, RoundTripAndBounds) {
  CertificateRequest12 cr;
  cr.certificate_types = {kClientCertTypeRsaSign, kClientCertTypeEcdsaSign};
  cr.supported_signature_algorithms = {0x0804, 0x0403, 0x0401};
  cr.certificate_authorities = {H("3000"), H("300d310b3009060355040613025553")};
  Bytes b = ser(cr);
  auto back = CertificateRequest12::parse(b);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->certificate_types, cr.certificate_types);
  EXPECT_EQ(back->supported_signature_algorithms, cr.supported_signature_algorithms);
  EXPECT_EQ(back->certificate_authorities, cr.certificate_authorities);
  for (size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(CertificateRequest12::parse(ByteView(b).first(n)).ok()) << n;
  }

  // No authorities is fine.
  EXPECT_TRUE(CertificateRequest12::parse(H("01 40  0002 0403  0000")).ok());
  // Empty certificate_types.
  auto no_types = CertificateRequest12::parse(H("00  0002 0403  0000"));
  ASSERT_FALSE(no_types.ok());
  EXPECT_NE(no_types.error().message().find("certificate_types"), std::string::npos);
  // Empty or odd signature algorithm list.
  EXPECT_FALSE(CertificateRequest12::parse(H("01 40  0000  0000")).ok());
  EXPECT_FALSE(CertificateRequest12::parse(H("01 40  0003 040304  0000")).ok());
  // Empty DistinguishedName.
  EXPECT_FALSE(CertificateRequest12::parse(H("01 40  0002 0403  0002 0000")).ok());
}

}  // namespace
}  // namespace tessera::wire
