#include "wire/encrypted_extensions.h"

#include <gtest/gtest.h>

#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::body_of;
using testing::H;
using testing::load_vector;
using testing::reencode;

// RFC 8448 3: supported_groups, record_size_limit and the empty server_name
// acknowledgement.
TEST(EncryptedExtensions, ParsesRfc8448Section3) {
  Bytes msg = load_vector("rfc8448_s3_server_encrypted_extensions");
  auto ee = EncryptedExtensions::parse(body_of(msg, HandshakeType::encrypted_extensions));
  ASSERT_TRUE(ee.ok()) << ee.error().to_string();
  ASSERT_EQ(ee->extensions.size(), 3u);
  EXPECT_EQ(ee->extensions[0].type, kExtSupportedGroups);
  EXPECT_EQ(ee->extensions[1].type, kExtRecordSizeLimit);
  EXPECT_EQ(ee->extensions[1].data, H("4001"));
  ASSERT_NE(ee->find_extension(kExtServerName), nullptr);
  EXPECT_TRUE(expect_empty_extension(*ee->find_extension(kExtServerName)).ok());
  auto groups = NamedGroupList::parse(ee->find_extension(kExtSupportedGroups)->data);
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(groups->groups.size(), 9u);
  EXPECT_EQ(reencode(*ee), msg);
}

// RFC 8448 4: the server accepts early data.
TEST(EncryptedExtensions, ParsesRfc8448Section4EarlyData) {
  Bytes msg = load_vector("rfc8448_s4_server_encrypted_extensions");
  auto ee = EncryptedExtensions::parse(body_of(msg, HandshakeType::encrypted_extensions));
  ASSERT_TRUE(ee.ok()) << ee.error().to_string();
  ASSERT_NE(ee->find_extension(kExtEarlyData), nullptr);
  EXPECT_TRUE(expect_empty_extension(*ee->find_extension(kExtEarlyData)).ok());
  EXPECT_EQ(reencode(*ee), msg);
}

TEST(EncryptedExtensions, EmptyListRoundTrips) {
  EncryptedExtensions ee;
  auto msg = reencode(ee);
  EXPECT_EQ(msg, H("08 00 00 02 0000"));
  auto back = EncryptedExtensions::parse(H("0000"));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->extensions.empty());
}

TEST(EncryptedExtensions, Errors) {
  // Empty body: the list length is missing.
  auto none = EncryptedExtensions::parse({});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().alert(), AlertDescription::decode_error);
  EXPECT_EQ(none.error().message().rfind("EncryptedExtensions: ", 0), 0u);
  // Trailing byte.
  auto trailing = EncryptedExtensions::parse(H("0000 00"));
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().code(), ErrorCode::decode_trailing_data);
  // Duplicate.
  auto dup = EncryptedExtensions::parse(H("0008 0000 0000 0000 0000"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().alert(), AlertDescription::illegal_parameter);
  // Every truncation of the RFC message fails.
  Bytes msg = load_vector("rfc8448_s3_server_encrypted_extensions");
  ByteView body = body_of(msg, HandshakeType::encrypted_extensions);
  for (size_t n = 0; n < body.size(); ++n) {
    EXPECT_FALSE(EncryptedExtensions::parse(body.first(n)).ok()) << n;
  }
}

}  // namespace
}  // namespace tessera::wire
