#include "tessera/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "base/bytes.h"

namespace tessera {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error(ErrorCode::illegal_parameter, "not positive");
  return v;
}

Result<int> doubled(int v) {
  TESSERA_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

Result<void> check(int v) {
  TESSERA_TRY(parse_positive(v));
  return ok();
}

TEST(Result, ValueAndError) {
  auto a = doubled(21);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 42);
  auto b = doubled(-1);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), ErrorCode::illegal_parameter);
  EXPECT_EQ(b.error().alert(), AlertDescription::illegal_parameter);
  EXPECT_EQ(b.error().to_string(), "illegal_parameter: not positive");
  EXPECT_TRUE(check(1).ok());
  EXPECT_FALSE(check(0).ok());
}

TEST(Result, MoveOnlyValues) {
  auto make = []() -> Result<std::unique_ptr<int>> { return std::make_unique<int>(7); };
  auto r = make();
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

// Reading a Result the wrong way is a bug in the caller: it aborts with a
// message naming the mistake (and the error), in release builds as well,
// instead of throwing bad_variant_access or reading an empty optional.
TEST(ResultDeathTest, MisuseAbortsWithTheError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH((void)doubled(-1).value(),
               "Result::value\\(\\) called on an error: illegal_parameter: not positive");
  EXPECT_DEATH((void)*doubled(-1), "Result::value\\(\\) called on an error");
  EXPECT_DEATH((void)doubled(2).error(), "Result::error\\(\\) called on a value");
  EXPECT_DEATH((void)check(1).error(), "Result<void>::error\\(\\) called on success");
}

TEST(Error, ContextIsPrepended) {
  Error e(ErrorCode::decode_truncated, "need 2 bytes, 1 left");
  Error c = e.with_context("ServerHello.cipher_suite");
  EXPECT_EQ(c.message(), "ServerHello.cipher_suite: need 2 bytes, 1 left");
  EXPECT_EQ(c.code(), ErrorCode::decode_truncated);
  EXPECT_EQ(c.alert(), AlertDescription::decode_error);
}

TEST(Error, ExplicitAlertOverridesDefault) {
  Error e(ErrorCode::handshake_failure, AlertDescription::insufficient_security, "x");
  EXPECT_EQ(e.alert(), AlertDescription::insufficient_security);
}

// The code table is complete: every code has a distinct non-empty name, and
// decode errors always map to decode_error (RFC 8446 6.2).
TEST(Error, TableIsComplete) {
  std::set<std::string> names;
  for (size_t i = 0; i < kErrorCodeCount; ++i) {
    auto c = static_cast<ErrorCode>(i);
    std::string n(error_code_name(c));
    EXPECT_FALSE(n.empty());
    EXPECT_TRUE(names.insert(n).second) << "duplicate name " << n;
    if (error_code_group(c) == ErrorGroup::decode) {
      EXPECT_EQ(default_alert(c), AlertDescription::decode_error) << n;
    }
    EXPECT_NE(alert_name(default_alert(c)), "unknown_alert") << n;
  }
  EXPECT_EQ(error_code_name(ErrorCode::cert_expired), "cert_expired");
  EXPECT_EQ(default_alert(ErrorCode::cert_expired), AlertDescription::certificate_expired);
  EXPECT_EQ(default_alert(ErrorCode::bad_record_mac), AlertDescription::bad_record_mac);
  EXPECT_EQ(alert_name(AlertDescription::certificate_required), "certificate_required");
}

}  // namespace
}  // namespace tessera
