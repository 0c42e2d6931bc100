#include "wire/alert.h"

#include <gtest/gtest.h>

#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::H;

TEST(Alert, ParsesFatalAndWarning) {
  auto a = Alert::parse(H("02 28"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->level, AlertLevel::fatal);
  EXPECT_EQ(a->description, AlertDescription::handshake_failure);
  EXPECT_EQ(a->to_string(), "fatal handshake_failure(40)");

  auto b = Alert::parse(H("01 00"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->level, AlertLevel::warning);
  EXPECT_EQ(b->description, AlertDescription::close_notify);
}

TEST(Alert, KeepsUnknownDescriptions) {
  auto a = Alert::parse(H("02 fe"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(static_cast<int>(a->description), 0xfe);
}

TEST(Alert, RoundTrips) {
  Alert a{AlertLevel::fatal, AlertDescription::decode_error};
  ByteWriter w;
  a.serialize(w);
  EXPECT_EQ(Bytes(w.view().begin(), w.view().end()), H("0232"));
  auto back = Alert::parse(w.view());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->description, AlertDescription::decode_error);
}

TEST(Alert, MustBeExactlyTwoBytes) {
  for (const char* hex : {"", "02", "02 28 00"}) {
    auto a = Alert::parse(H(hex));
    ASSERT_FALSE(a.ok()) << hex;
    EXPECT_EQ(a.error().alert(), AlertDescription::decode_error);
    EXPECT_NE(a.error().message().find("exactly 2 bytes"), std::string::npos);
  }
}

// The level is kept as it arrives: TLS 1.3 ignores it (RFC 8446 6.2), TLS
// 1.2 refuses an unknown one (the engine decides; tests/unit/conn).
TEST(Alert, UnknownLevelIsKeptForTheCallerToJudge) {
  for (const char* hex : {"00 28", "03 28", "ff 00"}) {
    auto a = Alert::parse(H(hex));
    ASSERT_TRUE(a.ok()) << hex;
    EXPECT_FALSE(a->known_level()) << hex;
  }
  auto a = Alert::parse(H("03 28"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->description, AlertDescription::handshake_failure);
  EXPECT_EQ(a->to_string(), "level 3 handshake_failure(40)");
  EXPECT_TRUE(Alert::parse(H("01 00"))->known_level());
  EXPECT_TRUE(Alert::parse(H("02 28"))->known_level());
}

}  // namespace
}  // namespace tessera::wire
