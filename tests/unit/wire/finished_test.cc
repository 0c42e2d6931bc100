#include "wire/finished.h"

#include <gtest/gtest.h>

#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::body_of;
using testing::H;
using testing::load_vector;
using testing::reencode;

// RFC 8448 3: server and client Finished, SHA-256 (32 bytes).
TEST(Finished, ParsesRfc8448Section3) {
  Bytes server = load_vector("rfc8448_s3_server_finished");
  auto f = Finished::parse(body_of(server, HandshakeType::finished), 32);
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  EXPECT_EQ(f->verify_data, H("9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718"));
  EXPECT_EQ(reencode(*f), server);

  Bytes client = load_vector("rfc8448_s3_client_finished");
  auto c = Finished::parse(body_of(client, HandshakeType::finished), 32);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(reencode(*c), client);
}

TEST(Finished, LengthMustMatchTheHash) {
  Bytes server = load_vector("rfc8448_s3_server_finished");
  ByteView body = body_of(server, HandshakeType::finished);
  auto sha384 = Finished::parse(body, 48);
  ASSERT_FALSE(sha384.ok());
  EXPECT_EQ(sha384.error().alert(), AlertDescription::decode_error);
  EXPECT_NE(sha384.error().message().find("must be 48 bytes, got 32"), std::string::npos)
      << sha384.error().message();
  EXPECT_FALSE(Finished::parse(body.first(31), 32).ok());
  Bytes longer(body.begin(), body.end());
  longer.push_back(0);
  EXPECT_FALSE(Finished::parse(longer, 32).ok());
}

TEST(Finished, Tls12VerifyData) {
  Finished f{Bytes(kTls12VerifyDataLength, 0x42)};
  Bytes msg = reencode(f);
  EXPECT_EQ(msg.size(), 4u + 12u);
  auto back = Finished::parse(ByteView(msg).subspan(4), kTls12VerifyDataLength);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->verify_data, f.verify_data);
}

}  // namespace
}  // namespace tessera::wire
