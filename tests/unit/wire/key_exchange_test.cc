#include "wire/key_exchange.h"

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

Random random_of(const Bytes& hello_message) {
  // Both hellos: header(4) + legacy_version(2) + random(32).
  Random r{};
  std::copy(hello_message.begin() + 6, hello_message.begin() + 38, r.begin());
  return r;
}

// OpenSSL's ECDHE-ECDSA ServerKeyExchange on P-256.
TEST(ServerKeyExchange, ParsesCapturedEcdhe) {
  Bytes msg = load_vector("tls12_ecdhe_ecdsa_mtls_03_server_server_key_exchange");
  auto ske = ServerKeyExchangeEcdhe::parse(body_of(msg, HandshakeType::server_key_exchange));
  ASSERT_TRUE(ske.ok()) << ske.error().to_string();
  EXPECT_EQ(ske->params.named_group, 0x0017);
  ASSERT_EQ(ske->params.public_key.size(), 65u);
  EXPECT_EQ(ske->params.public_key[0], 0x04);
  EXPECT_EQ(ske->signature.scheme, 0x0403);
  EXPECT_EQ(ske->signature.signature[0], 0x30);  // DER ECDSA-Sig-Value
  EXPECT_EQ(reencode(*ske), msg);

  // What the signature covers: client_random + server_random + the params
  // exactly as they appear in the message.
  Random cr = random_of(load_vector("tls12_ecdhe_ecdsa_mtls_00_client_client_hello"));
  Random sr = random_of(load_vector("tls12_ecdhe_ecdsa_mtls_01_server_server_hello"));
  Bytes signed_data = ske->signed_data(cr, sr);
  ASSERT_EQ(signed_data.size(), 64u + 4u + 65u);
  EXPECT_TRUE(std::equal(cr.begin(), cr.end(), signed_data.begin()));
  EXPECT_TRUE(std::equal(sr.begin(), sr.end(), signed_data.begin() + 32));
  EXPECT_TRUE(std::equal(signed_data.begin() + 64, signed_data.end(), msg.begin() + 4));
}

// OpenSSL's DHE-RSA ServerKeyExchange with the RFC 7919 ffdhe2048 group.
TEST(ServerKeyExchange, ParsesCapturedDheFfdhe2048) {
  Bytes msg = load_vector("tls12_dhe_rsa_03_server_server_key_exchange");
  auto ske = ServerKeyExchangeDhe::parse(body_of(msg, HandshakeType::server_key_exchange));
  ASSERT_TRUE(ske.ok()) << ske.error().to_string();
  // RFC 7919 appendix A.1: the ffdhe2048 modulus, g = 2.
  EXPECT_EQ(ske->params.p, H("FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1"
                             "D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9"
                             "7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561"
                             "2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935"
                             "984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735"
                             "30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB"
                             "B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19"
                             "0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61"
                             "9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73"
                             "3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA"
                             "886B4238 61285C97 FFFFFFFF FFFFFFFF"));
  EXPECT_EQ(ske->params.g, H("02"));
  EXPECT_LE(ske->params.ys.size(), 256u);
  EXPECT_EQ(ske->signature.scheme >> 8, 0x08);  // rsa_pss_rsae_*
  EXPECT_EQ(ske->signature.signature.size(), 256u);
  EXPECT_EQ(reencode(*ske), msg);
  Bytes params = encode_params(ske->params);
  EXPECT_TRUE(std::equal(params.begin(), params.end(), msg.begin() + 4));
}

TEST(ServerKeyExchange, EcdheErrors) {
  // Explicit curves are refused.
  auto explicit_curve = ServerKeyExchangeEcdhe::parse(H("01 0017 01 04  0403 0000"));
  ASSERT_FALSE(explicit_curve.ok());
  EXPECT_EQ(explicit_curve.error().alert(), AlertDescription::illegal_parameter);
  EXPECT_NE(explicit_curve.error().message().find("named_curve"), std::string::npos);
  // Empty point.
  auto empty_point = ServerKeyExchangeEcdhe::parse(H("03 001d 00  0403 0000"));
  ASSERT_FALSE(empty_point.ok());
  EXPECT_EQ(empty_point.error().alert(), AlertDescription::decode_error);
  // Truncated at every offset, and trailing bytes.
  Bytes msg = load_vector("tls12_ecdhe_ecdsa_mtls_03_server_server_key_exchange");
  ByteView body = body_of(msg, HandshakeType::server_key_exchange);
  for (size_t n = 0; n < body.size(); ++n) {
    auto s = ServerKeyExchangeEcdhe::parse(body.first(n));
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.error().alert(), AlertDescription::decode_error) << n;
  }
  Bytes longer(body.begin(), body.end());
  longer.push_back(0);
  auto t = ServerKeyExchangeEcdhe::parse(longer);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), ErrorCode::decode_trailing_data);
}

TEST(ServerKeyExchange, DheErrors) {
  ServerKeyExchangeDhe ske;
  ske.params = {H("17"), H("05"), H("0b")};
  ske.signature = {0x0804, H("aabb")};
  Bytes b = ser(ske);
  auto back = ServerKeyExchangeDhe::parse(b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->params, ske.params);
  EXPECT_EQ(back->signature, ske.signature);
  for (size_t n = 0; n < b.size(); ++n)
    EXPECT_FALSE(ServerKeyExchangeDhe::parse(ByteView(b).first(n)).ok());
  // Empty dh_g.
  auto empty_g = ServerKeyExchangeDhe::parse(H("0001 17  0000  0001 0b  0804 0000"));
  ASSERT_FALSE(empty_g.ok());
  EXPECT_NE(empty_g.error().message().find("dh_g"), std::string::npos);
}

TEST(ServerKeyExchange, SignedDataHelper) {
  Random c{}, s{};
  c.fill(1);
  s.fill(2);
  Bytes d = server_key_exchange_signed_data(c, s, H("030017 01 04"));
  ASSERT_EQ(d.size(), 69u);
  EXPECT_EQ(d[0], 1);
  EXPECT_EQ(d[32], 2);
  EXPECT_EQ(Bytes(d.begin() + 64, d.end()), H("0300170104"));
  EcdheServerParams p{0x0017, H("04")};
  EXPECT_EQ(encode_params(p), H("0300170104"));
}

TEST(ClientKeyExchange, ParsesCapturedMessages) {
  Bytes ecdhe = load_vector("tls12_ecdhe_ecdsa_mtls_07_client_client_key_exchange");
  auto e = ClientKeyExchangeEcdhe::parse(body_of(ecdhe, HandshakeType::client_key_exchange));
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(e->public_key.size(), 65u);
  EXPECT_EQ(reencode(*e), ecdhe);

  Bytes dhe = load_vector("tls12_dhe_rsa_05_client_client_key_exchange");
  auto d = ClientKeyExchangeDhe::parse(body_of(dhe, HandshakeType::client_key_exchange));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->yc.size(), 256u);
  EXPECT_EQ(reencode(*d), dhe);

  Bytes rsa = load_vector("tls12_rsa_04_client_client_key_exchange");
  auto r = ClientKeyExchangeRsa::parse(body_of(rsa, HandshakeType::client_key_exchange));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->encrypted_pre_master_secret.size(), 256u);  // RSA-2048 ciphertext
  EXPECT_EQ(reencode(*r), rsa);
}

TEST(ClientKeyExchange, Errors) {
  EXPECT_FALSE(ClientKeyExchangeEcdhe::parse(H("00")).ok());        // implicit form
  EXPECT_FALSE(ClientKeyExchangeEcdhe::parse(H("02 04")).ok());     // truncated
  EXPECT_FALSE(ClientKeyExchangeEcdhe::parse(H("01 04 00")).ok());  // trailing
  EXPECT_FALSE(ClientKeyExchangeDhe::parse(H("0000")).ok());        // empty Yc
  EXPECT_FALSE(ClientKeyExchangeDhe::parse(H("0002 01")).ok());
  EXPECT_FALSE(ClientKeyExchangeRsa::parse(H("01")).ok());
  EXPECT_FALSE(ClientKeyExchangeRsa::parse(H("0001 aa bb")).ok());
  auto named = ClientKeyExchangeDhe::parse(H("0000"));
  EXPECT_NE(named.error().message().find("dh_Yc"), std::string::npos);
  EXPECT_EQ(named.error().message().rfind("ClientKeyExchange (DHE): ", 0), 0u);
}

}  // namespace
}  // namespace tessera::wire
