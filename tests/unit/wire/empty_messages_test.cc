#include "wire/empty_messages.h"

#include <gtest/gtest.h>

#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::body_of;
using testing::H;
using testing::load_vector;
using testing::reencode;

// RFC 8448 4: the client's EndOfEarlyData.
TEST(EmptyMessages, EndOfEarlyDataRfc8448Section4) {
  Bytes msg = load_vector("rfc8448_s4_client_end_of_early_data");
  auto e = EndOfEarlyData::parse(body_of(msg, HandshakeType::end_of_early_data));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(reencode(*e), msg);
}

TEST(EmptyMessages, EncodeAndRejectContent) {
  EXPECT_EQ(reencode(ServerHelloDone{}), H("0e000000"));
  EXPECT_EQ(reencode(HelloRequest{}), H("00000000"));
  EXPECT_TRUE(ServerHelloDone::parse({}).ok());
  EXPECT_TRUE(HelloRequest::parse({}).ok());
  Bytes one = H("00");
  auto a = ServerHelloDone::parse(one);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().alert(), AlertDescription::decode_error);
  EXPECT_NE(a.error().message().find("ServerHelloDone"), std::string::npos);
  EXPECT_FALSE(EndOfEarlyData::parse(one).ok());
  EXPECT_FALSE(HelloRequest::parse(one).ok());
}

}  // namespace
}  // namespace tessera::wire
