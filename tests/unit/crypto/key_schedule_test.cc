// Tests for crypto/key_schedule: every intermediate value of the RFC 8448
// section 3 trace (simple 1-RTT handshake, TLS_AES_128_GCM_SHA256) and the
// section 5 trace (HelloRetryRequest), computed from the IKMs and transcript
// hashes given in the trace. Hex strings are copied from
// /work/shared/rfcs/rfc8448.txt.
#include "crypto/key_schedule.h"

#include <gtest/gtest.h>

#include <string>

#include "base/hex.h"

namespace tessera::crypto {
namespace {

constexpr HashAlgorithm kSha256 = HashAlgorithm::sha256;

Bytes H(std::string_view hex) {
  auto b = from_hex(hex);
  EXPECT_TRUE(b.has_value()) << hex;
  return b.value_or(Bytes{});
}

std::string hex_of(const SecretBytes& s) { return to_hex(s.view()); }

template <class T>
T value_of(Result<T> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return std::move(r).value();
}

// RFC 8448 section 3 values.
constexpr std::string_view kS3EarlySecret =
    "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a";
constexpr std::string_view kS3SharedSecret =  // "extract secret handshake" IKM
    "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
constexpr std::string_view kS3HandshakeSecret =
    "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac";
constexpr std::string_view kS3HelloHash =  // Hash(ClientHello, ServerHello)
    "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
constexpr std::string_view kS3ClientHsTraffic =
    "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
constexpr std::string_view kS3ServerHsTraffic =
    "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
constexpr std::string_view kS3MasterSecret =
    "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919";
constexpr std::string_view kS3ServerFinishedHash =  // Hash(ClientHello..server Finished)
    "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";
constexpr std::string_view kS3ClientApTraffic =
    "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
constexpr std::string_view kS3ServerApTraffic =
    "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
constexpr std::string_view kS3ExporterMaster =
    "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50";
constexpr std::string_view kS3ClientFinishedHash =  // Hash(ClientHello..client Finished)
    "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d";
constexpr std::string_view kS3ResumptionMaster =
    "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c";

class KeyScheduleTest : public ::testing::Test {
 protected:
  std::shared_ptr<Provider> provider_ = default_provider();
};

TEST_F(KeyScheduleTest, HkdfExpandLabelBuildsTheRfc8448Info) {
  // RFC 8448 3: derive secret for handshake "tls13 derived" from the early
  // secret with Hash("") as context.
  Bytes empty_hash = provider_->digest(kSha256, {});
  EXPECT_EQ(to_hex(empty_hash), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  SecretBytes derived = value_of(
      hkdf_expand_label(*provider_, kSha256, H(kS3EarlySecret), "derived", empty_hash, 32));
  EXPECT_EQ(hex_of(derived), "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba");

  // The same through the raw HKDF-Expand with the info bytes printed in the trace.
  SecretBytes raw = value_of(provider_->hkdf_expand(
      kSha256, H(kS3EarlySecret),
      H("00 20 0d 74 6c 73 31 33 20 64 65 72 69 76 65 64 20 e3 b0 c4 42 98 fc 1c 14 9a fb f4 c8"
        "99 6f b9 24 27 ae 41 e4 64 9b 93 4c a4 95 99 1b 78 52 b8 55"),
      32));
  EXPECT_EQ(hex_of(raw), hex_of(derived));
}

TEST_F(KeyScheduleTest, HkdfExpandLabelRejectsOversizedLabel) {
  std::string long_label(250, 'x');
  auto r = hkdf_expand_label(*provider_, kSha256, H(kS3EarlySecret), long_label, {}, 32);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  // RFC 8446 7.1: label<7..255> is "tls13 " and a Label of at least one byte.
  r = hkdf_expand_label(*provider_, kSha256, H(kS3EarlySecret), "", {}, 32);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  EXPECT_TRUE(hkdf_expand_label(*provider_, kSha256, H(kS3EarlySecret), "x", {}, 32).ok());
}

TEST_F(KeyScheduleTest, DeriveSecretRejectsWrongTranscriptHashLength) {
  auto r = derive_secret(*provider_, kSha256, H(kS3EarlySecret), "c hs traffic", H("0011"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
}

TEST_F(KeyScheduleTest, Rfc8448Section3FullSchedule) {
  // {server} extract secret "early": salt 0, IKM 32 zero bytes.
  EarlySecret early = EarlySecret::derive(*provider_, kSha256);
  EXPECT_EQ(to_hex(early.secret()), kS3EarlySecret);

  // {server} extract secret "handshake".
  HandshakeSecret hs = value_of(std::move(early).into_handshake_secret(H(kS3SharedSecret)));
  EXPECT_EQ(to_hex(hs.secret()), kS3HandshakeSecret);

  SecretBytes c_hs = value_of(hs.client_handshake_traffic_secret(H(kS3HelloHash)));
  SecretBytes s_hs = value_of(hs.server_handshake_traffic_secret(H(kS3HelloHash)));
  EXPECT_EQ(hex_of(c_hs), kS3ClientHsTraffic);
  EXPECT_EQ(hex_of(s_hs), kS3ServerHsTraffic);

  // {server} derive secret for master "tls13 derived" + extract secret "master".
  MasterSecret master = value_of(std::move(hs).into_master_secret());
  EXPECT_EQ(to_hex(master.secret()), kS3MasterSecret);

  SecretBytes c_ap = value_of(master.client_application_traffic_secret_0(H(kS3ServerFinishedHash)));
  SecretBytes s_ap = value_of(master.server_application_traffic_secret_0(H(kS3ServerFinishedHash)));
  SecretBytes exp = value_of(master.exporter_master_secret(H(kS3ServerFinishedHash)));
  SecretBytes res = value_of(master.resumption_master_secret(H(kS3ClientFinishedHash)));
  EXPECT_EQ(hex_of(c_ap), kS3ClientApTraffic);
  EXPECT_EQ(hex_of(s_ap), kS3ServerApTraffic);
  EXPECT_EQ(hex_of(exp), kS3ExporterMaster);
  EXPECT_EQ(hex_of(res), kS3ResumptionMaster);
}

TEST_F(KeyScheduleTest, Rfc8448Section3TrafficKeys) {
  struct Case {
    std::string_view secret, key, iv;
  };
  const Case cases[] = {
      // {server} derive write traffic keys for handshake data
      {kS3ServerHsTraffic, "3fce516009c21727d0f2e4e86ee403bc", "5d313eb2671276ee13000b30"},
      // {server} derive read traffic keys for handshake data (client's write keys)
      {kS3ClientHsTraffic, "dbfaa693d1762c5b666af5d950258d01", "5bd3c71b836e0b76bb73265f"},
      // {server} derive write traffic keys for application data
      {kS3ServerApTraffic, "9f02283b6c9c07efc26bb9f2ac92e356", "cf782b88dd83549aadf1e984"},
      // {client} derive write traffic keys for application data
      {kS3ClientApTraffic, "17422dda596ed5d9acd890e3c63f5051", "5b78923dee08579033e523d9"},
  };
  for (const Case& c : cases) {
    TrafficKeys k =
        value_of(traffic_keys(*provider_, kSha256, H(c.secret), AeadAlgorithm::aes_128_gcm));
    EXPECT_EQ(hex_of(k.key), c.key);
    EXPECT_EQ(hex_of(k.iv), c.iv);
  }
  // AES-256 and ChaCha20 use 32-byte keys; the IV stays 12 bytes.
  TrafficKeys k256 = value_of(
      traffic_keys(*provider_, kSha256, H(kS3ServerHsTraffic), AeadAlgorithm::aes_256_gcm));
  EXPECT_EQ(k256.key.size(), 32u);
  EXPECT_EQ(k256.iv.size(), 12u);
}

TEST_F(KeyScheduleTest, Rfc8448Section3FinishedKeys) {
  // {server} calculate finished "tls13 finished": expanded = finished_key.
  SecretBytes s_fk = value_of(finished_key(*provider_, kSha256, H(kS3ServerHsTraffic)));
  EXPECT_EQ(hex_of(s_fk), "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8");
  SecretBytes c_fk = value_of(finished_key(*provider_, kSha256, H(kS3ClientHsTraffic)));
  EXPECT_EQ(hex_of(c_fk), "b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4");
}

TEST_F(KeyScheduleTest, FinishedComputeAndVerify) {
  // The client Finished of RFC 8448 3 covers ClientHello..server Finished,
  // whose hash the trace prints for "c ap traffic".
  Bytes verify = value_of(
      compute_finished(*provider_, kSha256, H(kS3ClientHsTraffic), H(kS3ServerFinishedHash)));
  EXPECT_EQ(to_hex(verify), "a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61");

  EXPECT_TRUE(
      verify_finished(*provider_, kSha256, H(kS3ClientHsTraffic), H(kS3ServerFinishedHash), verify)
          .ok());
  Bytes tampered = verify;
  tampered[31] ^= 0x01;
  auto bad = verify_finished(*provider_, kSha256, H(kS3ClientHsTraffic), H(kS3ServerFinishedHash),
                             tampered);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::decrypt_error);
  EXPECT_EQ(bad.error().alert(), AlertDescription::decrypt_error);
  // A value of the wrong length is malformed: decode_error (RFC 8446 6.2).
  auto short_r = verify_finished(*provider_, kSha256, H(kS3ClientHsTraffic),
                                 H(kS3ServerFinishedHash), ByteView(verify).first(12));
  ASSERT_FALSE(short_r.ok());
  EXPECT_EQ(short_r.error().code(), ErrorCode::decode_length);
  EXPECT_EQ(short_r.error().alert(), AlertDescription::decode_error);
  // The wrong base key (server's instead of client's) fails.
  EXPECT_FALSE(
      verify_finished(*provider_, kSha256, H(kS3ServerHsTraffic), H(kS3ServerFinishedHash), verify)
          .ok());
}

TEST_F(KeyScheduleTest, Rfc8448Section3ResumptionPsk) {
  // {server} generate resumption secret "tls13 resumption": nonce 00 00.
  SecretBytes psk =
      value_of(resumption_psk(*provider_, kSha256, H(kS3ResumptionMaster), H("0000")));
  EXPECT_EQ(hex_of(psk), "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
}

TEST_F(KeyScheduleTest, Rfc8448Section4ResumedEarlySecretAndBinderKey) {
  // RFC 8448 4: the resumed handshake's early secret is extracted from the
  // PSK above; its binder key uses "res binder".
  SecretBytes psk =
      value_of(resumption_psk(*provider_, kSha256, H(kS3ResumptionMaster), H("0000")));
  EarlySecret early = EarlySecret::derive(*provider_, kSha256, psk.view());
  EXPECT_EQ(to_hex(early.secret()),
            "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c");
  SecretBytes binder = value_of(early.binder_key(PskKind::resumption));
  EXPECT_EQ(hex_of(binder), "69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256");
  SecretBytes ext = value_of(early.binder_key(PskKind::external));
  EXPECT_NE(hex_of(ext), hex_of(binder));

  // {client} calculate PSK binder: finished_key from the binder key, HMAC over
  // the hash of the truncated ClientHello.
  SecretBytes binder_fk = value_of(finished_key(*provider_, kSha256, binder.view()));
  EXPECT_EQ(hex_of(binder_fk), "5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa");
  Bytes binder_value = value_of(
      compute_finished(*provider_, kSha256, binder.view(),
                       H("63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14")));
  EXPECT_EQ(to_hex(binder_value),
            "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d");

  // {client} derive secret "tls13 c e traffic" / "tls13 e exp master".
  Bytes ch_hash = H("08ad0fa05d7c7233b1775ba2ff9f4c5b8b59276b7f227f13a976245f5d960913");
  SecretBytes c_e = value_of(early.client_early_traffic_secret(ch_hash));
  EXPECT_EQ(hex_of(c_e), "3fbbe6a60deb66c30a32795aba0eff7eaa10105586e7be5c09678d63b6caab62");
  SecretBytes e_exp = value_of(early.early_exporter_master_secret(ch_hash));
  EXPECT_EQ(hex_of(e_exp), "b2026866610937d7423e5be90862ccf24c0e6091186d34f812089ff5be2ef7df");
  // {client} derive write traffic keys for early application data.
  TrafficKeys early_keys =
      value_of(traffic_keys(*provider_, kSha256, c_e.view(), AeadAlgorithm::aes_128_gcm));
  EXPECT_EQ(hex_of(early_keys.key), "920205a5b7bf2115e6fc5c2942834f54");
  EXPECT_EQ(hex_of(early_keys.iv), "6d475f0993c8e564610db2b9");
}

TEST_F(KeyScheduleTest, KeyUpdateNextApplicationTrafficSecret) {
  // Expected value produced once, independently, with
  //   openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt mode:EXPAND_ONLY
  //     -kdfopt hexkey:<server ap traffic secret of RFC 8448 3>
  //     -kdfopt hexinfo:0020117463...   ("tls13 traffic upd", empty context) HKDF
  // and cross-checked with a Python hmac implementation of HKDF-Expand.
  SecretBytes next =
      value_of(next_application_traffic_secret(*provider_, kSha256, H(kS3ServerApTraffic)));
  EXPECT_EQ(hex_of(next), "51921b8aa3001976eb401d0a4319a8516416a6c56001a357e5d162031e84f916");

  // And by computation through the raw HKDF-Expand with HkdfLabel built by hand.
  Bytes info = H("0020 11");
  std::string_view label = "tls13 traffic upd";
  info.insert(info.end(), label.begin(), label.end());
  info.push_back(0);
  SecretBytes raw = value_of(provider_->hkdf_expand(kSha256, H(kS3ServerApTraffic), info, 32));
  EXPECT_EQ(hex_of(raw), hex_of(next));

  // A second update changes the secret again.
  SecretBytes next2 = value_of(next_application_traffic_secret(*provider_, kSha256, next.view()));
  EXPECT_NE(hex_of(next2), hex_of(next));
}

TEST_F(KeyScheduleTest, ExporterMatchesIndependentComputation) {
  // Expected value computed once with a separate Python implementation of
  // RFC 8446 7.5 (hmac/hashlib) from the RFC 8448 3 exporter master secret,
  // label "EXPORTER-tessera-test", context "context value", length 42.
  SecretBytes out =
      value_of(export_keying_material(*provider_, kSha256, H(kS3ExporterMaster),
                                      "EXPORTER-tessera-test", as_bytes_view("context value"), 42));
  EXPECT_EQ(hex_of(out),
            "7670ccf3219d1a771cc39c693912e4eb7398e2f64a35572df22104577a15113903606129771ef8ab6e45");
}

TEST_F(KeyScheduleTest, Rfc8448Section5HelloRetryRequestSchedule) {
  // RFC 8448 5: P-256 shared secret; the hello hash covers
  // message_hash(ClientHello1), HelloRetryRequest, ClientHello2, ServerHello
  // (see transcript_test.cc, which computes these hashes from the messages).
  EarlySecret early = EarlySecret::derive(*provider_, kSha256);
  HandshakeSecret hs = value_of(std::move(early).into_handshake_secret(
      H("c142ce13ca11b5c2233652e63ad3d97844f1621fbfb9de69d547dc8fedeabeb4")));
  EXPECT_EQ(to_hex(hs.secret()),
            "ce022e5e6e81e50736d773f2d3adfce8220d049bf510f0dbfac927ef4243b148");
  Bytes hello_hash = H("8aa8e828ec2f8a884fec95a3139de01c15a3daa7ff5bfc3f4bfcc21b438d7bf8");
  SecretBytes c_hs = value_of(hs.client_handshake_traffic_secret(hello_hash));
  SecretBytes s_hs = value_of(hs.server_handshake_traffic_secret(hello_hash));
  EXPECT_EQ(hex_of(c_hs), "158aa7ab8855073582b41d674b4055cabcc534728f659314861b4e08e2011566");
  EXPECT_EQ(hex_of(s_hs), "3403e781e2af7b6508da28574f6e95a1abf162de83a97927c37672a4a0cef8a1");

  MasterSecret master = value_of(std::move(hs).into_master_secret());
  EXPECT_EQ(to_hex(master.secret()),
            "1131545d0baf79ddce9b87f06945781a57dd18ef378dcd2060f8f9a569027ed8");
  Bytes sfin_hash = H("50f63cbf36b0dd049e7a0ba27d6455745ea2aaac54bb167f9950b2b7ce9509da");
  SecretBytes c_ap = value_of(master.client_application_traffic_secret_0(sfin_hash));
  SecretBytes s_ap = value_of(master.server_application_traffic_secret_0(sfin_hash));
  SecretBytes exp = value_of(master.exporter_master_secret(sfin_hash));
  EXPECT_EQ(hex_of(c_ap), "75ecf4b972525aa0dcd057c9944d4cd5d82671d8843141d7dc2a4ff15a21dc51");
  EXPECT_EQ(hex_of(s_ap), "5c74f87df04225db0f8209c9de6429e49435fdefa7cad61864874d12f31cfc8d");
  EXPECT_EQ(hex_of(exp), "7c06d3ae106a3a374ace4837b3985cac67780a6e2c5c04b58319d584df09d223");
  SecretBytes res = value_of(master.resumption_master_secret(
      H("0e8b349158b855fdcd0c11dbbc4e83e43caa6e483c6c65df53151888e50165f4")));
  EXPECT_EQ(hex_of(res), "09170c6d472721566f9cf99b08699daff561ec8fb22d5a32c3f94ce009b69975");

  TrafficKeys s_hs_keys =
      value_of(traffic_keys(*provider_, kSha256, s_hs.view(), AeadAlgorithm::aes_128_gcm));
  EXPECT_EQ(hex_of(s_hs_keys.key), "4646bfac1712c426cd78d8a24a8a6f6b");
  EXPECT_EQ(hex_of(s_hs_keys.iv), "c7d395c08d62f297d13768ea");
  TrafficKeys c_ap_keys =
      value_of(traffic_keys(*provider_, kSha256, c_ap.view(), AeadAlgorithm::aes_128_gcm));
  EXPECT_EQ(hex_of(c_ap_keys.key), "a7eb2a0525eb4331d58fcbf9f7ca2e9c");
  EXPECT_EQ(hex_of(c_ap_keys.iv), "86e8be227c1bd2b3e39cb444");

  SecretBytes s_fk = value_of(finished_key(*provider_, kSha256, s_hs.view()));
  EXPECT_EQ(hex_of(s_fk), "e7f8bb3ea4b6c30c4710b3d09c3313658117e70b097e850368e2510ca5631f74");
  SecretBytes c_fk = value_of(finished_key(*provider_, kSha256, c_hs.view()));
  EXPECT_EQ(hex_of(c_fk), "81be4131fbb9b6f4471450846f74fd1e68c5224ba7c2a8677f5c53ad226fdc13");
}

TEST_F(KeyScheduleTest, ConsumedStageCannotDerive) {
  EarlySecret early = EarlySecret::derive(*provider_, kSha256);
  HandshakeSecret hs = value_of(std::move(early).into_handshake_secret(H(kS3SharedSecret)));
  // NOLINTNEXTLINE(bugprone-use-after-move): checking the contract
  auto again = early.binder_key(PskKind::external);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::internal_error);
  MasterSecret master = value_of(std::move(hs).into_master_secret());
  // NOLINTNEXTLINE(bugprone-use-after-move)
  EXPECT_FALSE(hs.client_handshake_traffic_secret(H(kS3HelloHash)).ok());
  EXPECT_TRUE(master.exporter_master_secret(H(kS3ServerFinishedHash)).ok());
}

TEST(KeyLog, LineFormat) {
  EXPECT_EQ(keylog::line(keylog::kClientHandshakeTrafficSecret, H("0102"), H("aabb")),
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET 0102 aabb");
  EXPECT_EQ(keylog::kServerTrafficSecret0, "SERVER_TRAFFIC_SECRET_0");
}

}  // namespace
}  // namespace tessera::crypto
