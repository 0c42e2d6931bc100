// Every handshake message of three TLS 1.2 handshakes captured from OpenSSL
// (tests/vectors/wire/tls12_*.hex: ECDHE-ECDSA with mutual authentication,
// DHE-RSA with ffdhe2048, RSA key transport) parses with the codec for its
// type and key exchange and re-serializes byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/empty_messages.h"
#include "wire/finished.h"
#include "wire/hello.h"
#include "wire/key_exchange.h"
#include "wire/post_handshake.h"
#include "wire_test_util.h"

namespace tessera::wire {
namespace {

template <class M>
Result<Bytes> roundtrip(Result<M> parsed) {
  if (!parsed.ok()) return std::move(parsed).error();
  return encode_handshake(*parsed);
}

enum class Kx { ecdhe, dhe, rsa };

Result<Bytes> parse_and_reencode(const HandshakeMessage& m, Kx kx) {
  switch (m.type) {
    case HandshakeType::client_hello: return roundtrip(ClientHello::parse(m.body));
    case HandshakeType::server_hello: return roundtrip(ServerHello::parse(m.body));
    case HandshakeType::certificate: return roundtrip(Certificate12::parse(m.body));
    case HandshakeType::certificate_request: return roundtrip(CertificateRequest12::parse(m.body));
    case HandshakeType::server_key_exchange:
      if (kx == Kx::ecdhe) return roundtrip(ServerKeyExchangeEcdhe::parse(m.body));
      return roundtrip(ServerKeyExchangeDhe::parse(m.body));
    case HandshakeType::server_hello_done: return roundtrip(ServerHelloDone::parse(m.body));
    case HandshakeType::client_key_exchange:
      if (kx == Kx::ecdhe) return roundtrip(ClientKeyExchangeEcdhe::parse(m.body));
      if (kx == Kx::dhe) return roundtrip(ClientKeyExchangeDhe::parse(m.body));
      return roundtrip(ClientKeyExchangeRsa::parse(m.body));
    case HandshakeType::certificate_verify: return roundtrip(CertificateVerify::parse(m.body));
    case HandshakeType::finished: return roundtrip(Finished::parse(m.body, kTls12VerifyDataLength));
    case HandshakeType::new_session_ticket: return roundtrip(NewSessionTicket12::parse(m.body));
    default: return Error(ErrorCode::unexpected_message, handshake_type_name(m.type));
  }
}

TEST(Tls12Capture, EveryMessageRoundTrips) {
  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(TESSERA_TEST_DATA_DIR) + "/wire")) {
    std::string name = entry.path().stem().string();
    if (name.rfind("tls12_", 0) == 0) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names.size(), 12u + 9u + 8u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    Kx kx = name.rfind("tls12_ecdhe", 0) == 0 ? Kx::ecdhe
            : name.rfind("tls12_dhe", 0) == 0 ? Kx::dhe
                                              : Kx::rsa;
    Bytes msg = testing::load_vector(name);
    ByteReader r(msg);
    auto m = read_handshake_message(r);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    auto again = parse_and_reencode(*m, kx);
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_EQ(*again, msg);
  }
}

TEST(Tls12Capture, MutualAuthenticationMessages) {
  using testing::body_of;
  using testing::load_vector;
  auto ch = ClientHello::parse(body_of(load_vector("tls12_ecdhe_ecdsa_mtls_00_client_client_hello"),
                                       HandshakeType::client_hello));
  ASSERT_TRUE(ch.ok());
  auto sni = ServerNameList::parse(ch->find_extension(kExtServerName)->data);
  ASSERT_TRUE(sni.ok());
  EXPECT_EQ(sni->host_name, "localhost");
  ASSERT_NE(ch->find_extension(kExtEcPointFormats), nullptr);
  EXPECT_TRUE(EcPointFormats::parse(ch->find_extension(kExtEcPointFormats)->data).ok());

  auto sh = ServerHello::parse(body_of(load_vector("tls12_ecdhe_ecdsa_mtls_01_server_server_hello"),
                                       HandshakeType::server_hello));
  ASSERT_TRUE(sh.ok());
  EXPECT_EQ(sh->cipher_suite, 0xc02b);
  EXPECT_NE(sh->find_extension(kExtExtendedMasterSecret), nullptr);
  EXPECT_NE(sh->find_extension(kExtRenegotiationInfo), nullptr);
  // OpenSSL 3 is TLS 1.3-capable and negotiated 1.2 on request: it marks the
  // server random with the downgrade sentinel (RFC 8446 4.1.3).
  EXPECT_EQ(sh->downgrade_sentinel(), DowngradeSentinel::tls12);

  auto cr = CertificateRequest12::parse(
      body_of(load_vector("tls12_ecdhe_ecdsa_mtls_04_server_certificate_request"),
              HandshakeType::certificate_request));
  ASSERT_TRUE(cr.ok()) << cr.error().to_string();
  EXPECT_NE(std::find(cr->certificate_types.begin(), cr->certificate_types.end(),
                      kClientCertTypeEcdsaSign),
            cr->certificate_types.end());
  EXPECT_FALSE(cr->supported_signature_algorithms.empty());
  // The server was configured with one CA file: its subject is listed.
  EXPECT_EQ(cr->certificate_authorities.size(), 1u);

  auto cert = Certificate12::parse(body_of(
      load_vector("tls12_ecdhe_ecdsa_mtls_06_client_certificate"), HandshakeType::certificate));
  ASSERT_TRUE(cert.ok());
  ASSERT_EQ(cert->certificate_list.size(), 1u);
  EXPECT_EQ(cert->certificate_list[0][0], 0x30);

  auto cv = CertificateVerify::parse(
      body_of(load_vector("tls12_ecdhe_ecdsa_mtls_08_client_certificate_verify"),
              HandshakeType::certificate_verify));
  ASSERT_TRUE(cv.ok());
  EXPECT_EQ(cv->signed_data.signature.size(), 256u);
}

TEST(NewSessionTicket12, RoundTripAndBounds) {
  NewSessionTicket12 t{7200, testing::H("0102")};
  auto msg = testing::reencode(t);
  EXPECT_EQ(msg, testing::H("04 000008 00001c20 0002 0102"));
  auto empty = NewSessionTicket12::parse(testing::H("00000000 0000"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->ticket.empty());
  EXPECT_FALSE(NewSessionTicket12::parse(testing::H("00000000 0001")).ok());
  EXPECT_FALSE(NewSessionTicket12::parse(testing::H("00000000 0000 00")).ok());
  EXPECT_FALSE(NewSessionTicket12::parse(testing::H("000000")).ok());
}

}  // namespace
}  // namespace tessera::wire
