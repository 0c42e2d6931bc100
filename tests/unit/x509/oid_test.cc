#include "x509/oid.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "x509/der.h"

namespace tessera::x509 {
namespace {

TEST(Oid, StringRoundTripAndLargeArcs) {
  for (const char* s : {"2.5.29.19", "1.3.6.1.5.5.7.3.1", "0.9.2342.19200300.100.1.25", "2.999.3",
                        "2.25.329800735698586629295641978511506172918"}) {
    Result<Oid> o = Oid::from_string(s);
    ASSERT_TRUE(o.ok()) << s;
    EXPECT_EQ(o->to_string(), s);
    Result<Oid> back = Oid::from_der_content(o->der_content());
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(*back == *o);
  }
  EXPECT_EQ(Oid::from_string("2.999.3")->to_string(), "2.999.3");
  EXPECT_EQ(to_hex(Oid::from_string("2.999.3")->der_content()), "883703");
  EXPECT_FALSE(Oid::from_string("1").ok());
  EXPECT_FALSE(Oid::from_string("3.1").ok());
  EXPECT_FALSE(Oid::from_string("1.40").ok());
  EXPECT_FALSE(Oid::from_string("1..2").ok());
  EXPECT_FALSE(Oid::from_string("1.02").ok());
  EXPECT_EQ(oid_name(oids::kServerAuth), "serverAuth");
  EXPECT_EQ(oid_name(*Oid::from_string("1.2.3.4")), "1.2.3.4");
}

}  // namespace
}  // namespace tessera::x509
