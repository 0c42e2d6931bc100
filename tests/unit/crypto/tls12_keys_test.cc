// Tests for crypto/tls12_keys.
//
// Expected values were produced once with the OpenSSL 3.0 command line,
//   openssl kdf -keylen <n> -kdfopt digest:SHA256 -kdfopt hexsecret:<secret>
//               -kdfopt hexseed:<hex(label) || seed> TLS1-PRF
// and cross-checked with an independent Python (hmac/hashlib) P_SHA256, from
// these inputs:
//   pre_master_secret = 30 31 .. 5f (48 bytes), client_random = a0 .. bf,
//   server_random = c0 .. df, session/handshake hash = SHA-256("handshake messages").
#include "crypto/tls12_keys.h"

#include <gtest/gtest.h>

#include "base/hex.h"

namespace tessera::crypto {
namespace {

Bytes range(uint8_t from, uint8_t to_exclusive) {
  Bytes b;
  for (unsigned v = from; v < to_exclusive; ++v) b.push_back(static_cast<uint8_t>(v));
  return b;
}

Bytes H(std::string_view hex) {
  auto b = from_hex(hex);
  EXPECT_TRUE(b.has_value()) << hex;
  return b.value_or(Bytes{});
}

template <class T>
T value_of(Result<T> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return std::move(r).value();
}

constexpr std::string_view kMaster =
    "5473d380d9920ad7e864aa2266a4d23a14aa63c3e2858a250cc54ec77e0f5a89e49c284f6deca5a9a3ef8c2215aab5"
    "91";

class Tls12KeysTest : public ::testing::Test {
 protected:
  std::shared_ptr<Provider> provider_ = default_provider();
  Bytes pms_ = range(0x30, 0x60);
  Bytes client_random_ = range(0xa0, 0xc0);
  Bytes server_random_ = range(0xc0, 0xe0);
  Bytes session_hash_ =
      provider_->digest(HashAlgorithm::sha256, as_bytes_view("handshake messages"));
};

TEST_F(Tls12KeysTest, MasterSecret) {
  SecretBytes ms = value_of(
      tls12_master_secret(*provider_, HashAlgorithm::sha256, pms_, client_random_, server_random_));
  EXPECT_EQ(to_hex(ms.view()), kMaster);
  SecretBytes ms384 = value_of(
      tls12_master_secret(*provider_, HashAlgorithm::sha384, pms_, client_random_, server_random_));
  EXPECT_EQ(to_hex(ms384.view()),
            "b04ade71553b2a86e04c2222c0f47bc82e7197cb6b517191f6a2c33b8fe14a83392ee97ac9718d31baad0a"
            "a44748bfd2");
  // Swapping the randoms changes the result (order matters).
  SecretBytes swapped = value_of(
      tls12_master_secret(*provider_, HashAlgorithm::sha256, pms_, server_random_, client_random_));
  EXPECT_NE(to_hex(swapped.view()), kMaster);
  auto bad = tls12_master_secret(*provider_, HashAlgorithm::sha256, pms_, H("00"), server_random_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::internal_error);
}

TEST_F(Tls12KeysTest, ExtendedMasterSecret) {
  EXPECT_EQ(to_hex(session_hash_),
            "6e1b983f2338a681fec9331551f24072641b2c011c693e3410cd95da2d6b5458");
  SecretBytes ems = value_of(
      tls12_extended_master_secret(*provider_, HashAlgorithm::sha256, pms_, session_hash_));
  EXPECT_EQ(to_hex(ems.view()),
            "c3368f7b75ad361d6147e75fb37c464804bb6d4eabf324b260fac823fb4919a6ea98d9f10640ec298e482a"
            "b1dcc5e4b0");
  EXPECT_FALSE(
      tls12_extended_master_secret(*provider_, HashAlgorithm::sha384, pms_, session_hash_).ok());
}

TEST_F(Tls12KeysTest, KeyBlockAesGcm) {
  // key_block (40 bytes) = f122591c17a6ea3928991fc03bb14cec 863676334171622c689e917c0d7fa2d3
  //                        cd7be4fc f0f73dd6
  Tls12KeyBlock kb =
      value_of(tls12_key_block(*provider_, HashAlgorithm::sha256, H(kMaster), client_random_,
                               server_random_, AeadAlgorithm::aes_128_gcm));
  EXPECT_EQ(to_hex(kb.client_write_key.view()), "f122591c17a6ea3928991fc03bb14cec");
  EXPECT_EQ(to_hex(kb.server_write_key.view()), "863676334171622c689e917c0d7fa2d3");
  EXPECT_EQ(to_hex(kb.client_write_iv.view()), "cd7be4fc");
  EXPECT_EQ(to_hex(kb.server_write_iv.view()), "f0f73dd6");
}

TEST_F(Tls12KeysTest, KeyBlockChaCha20Poly1305) {
  // key_block (88 bytes) from the same PRF stream: 32 + 32 + 12 + 12.
  Tls12KeyBlock kb =
      value_of(tls12_key_block(*provider_, HashAlgorithm::sha256, H(kMaster), client_random_,
                               server_random_, AeadAlgorithm::chacha20_poly1305));
  EXPECT_EQ(to_hex(kb.client_write_key.view()),
            "f122591c17a6ea3928991fc03bb14cec863676334171622c689e917c0d7fa2d3");
  EXPECT_EQ(to_hex(kb.server_write_key.view()),
            "cd7be4fcf0f73dd6690fbd15a348ead689305b1405003288b0b5c7c854a1f5ed");
  EXPECT_EQ(to_hex(kb.client_write_iv.view()), "e4e2b5801e74780be24dfb42");
  EXPECT_EQ(to_hex(kb.server_write_iv.view()), "efdd19846a0a12508de23e5e");
  EXPECT_EQ(tls12_iv_length(AeadAlgorithm::aes_256_gcm), 4u);
}

TEST_F(Tls12KeysTest, FinishedVerifyData) {
  Bytes c = value_of(tls12_finished(*provider_, HashAlgorithm::sha256, H(kMaster),
                                    Tls12Sender::client, session_hash_));
  Bytes s = value_of(tls12_finished(*provider_, HashAlgorithm::sha256, H(kMaster),
                                    Tls12Sender::server, session_hash_));
  EXPECT_EQ(to_hex(c), "c99249cf8ae92981a18e8715");
  EXPECT_EQ(to_hex(s), "9b313b9c30a8b110ca777d4f");

  EXPECT_TRUE(tls12_verify_finished(*provider_, HashAlgorithm::sha256, H(kMaster),
                                    Tls12Sender::client, session_hash_, c)
                  .ok());
  // The other side's value and a flipped bit fail with decrypt_error (RFC
  // 5246 7.4.9); a value of the wrong length, shorter or longer, is
  // malformed: decode_error (7.2.2).
  Bytes flipped = c, shorter(c.begin(), c.end() - 1), longer = c;
  flipped[0] ^= 0x80;
  longer.push_back(0);
  const struct {
    Bytes wrong;
    ErrorCode code;
    AlertDescription alert;
  } cases[] = {{s, ErrorCode::decrypt_error, AlertDescription::decrypt_error},
               {flipped, ErrorCode::decrypt_error, AlertDescription::decrypt_error},
               {shorter, ErrorCode::decode_length, AlertDescription::decode_error},
               {longer, ErrorCode::decode_length, AlertDescription::decode_error}};
  for (const auto& k : cases) {
    auto r = tls12_verify_finished(*provider_, HashAlgorithm::sha256, H(kMaster),
                                   Tls12Sender::client, session_hash_, k.wrong);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), k.code);
    EXPECT_EQ(r.error().alert(), k.alert);
  }
}

TEST_F(Tls12KeysTest, Exporter) {
  // RFC 5705: label "EXPORTER-tessera-test", 42 bytes; values from the same
  // openssl kdf TLS1-PRF run (seed = label || randoms [|| 000d || context]),
  // the first two also from the Python P_SHA256.
  auto run = [&](std::optional<ByteView> ctx) {
    return to_hex(value_of(tls12_export_keying_material(*provider_, HashAlgorithm::sha256,
                                                        H(kMaster), "EXPORTER-tessera-test",
                                                        client_random_, server_random_, ctx, 42))
                      .view());
  };
  EXPECT_EQ(run(std::nullopt),
            "f8b9f09da12ab36d1d2643843be89f71ecf93bf9d75dc2689752b004da56d5427fdae1300d6144bb60f0");
  EXPECT_EQ(run(as_bytes_view("context value")),
            "85f2989a8f72126347511ffa79948a96bb1c891ee4c9930efb055045bb53ad41676cfe0882481dd3f3a3");
  EXPECT_EQ(run(ByteView{}),
            "95d4749fd1293eb0bbf33ab05414a1e0aafd4085a16f3c6f91aaf9d3f38b4bbd071181447d94e85a86b9");
}

}  // namespace
}  // namespace tessera::crypto
