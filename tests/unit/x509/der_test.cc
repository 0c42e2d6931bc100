#include "x509/der.h"

#include <gtest/gtest.h>

#include <functional>

#include "base/hex.h"
#include "x509/der_writer.h"

namespace tessera::x509 {
namespace {

Bytes H(std::string_view hex) { return *from_hex(hex); }

std::string error_of(const Error& e) { return e.message(); }

TEST(DerReader, ReadsShortAndLongFormLengths) {
  Bytes short_form = H("0403 010203");
  DerReader r(short_form);
  Result<ByteView> v = r.read_octet_string();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(to_hex(*v), "010203");
  EXPECT_TRUE(r.expect_end().ok());

  Bytes long_form(3 + 200, 0xaa);
  long_form[0] = 0x04;
  long_form[1] = 0x81;
  long_form[2] = 200;
  DerReader r2(long_form);
  Result<ByteView> v2 = r2.read_octet_string();
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->size(), 200u);
}

TEST(DerReader, RejectsLongFormForShortLength) {
  Bytes b = H("048103 010203");
  DerReader r(b);
  Result<ByteView> v = r.read_octet_string();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::cert_parse);
  EXPECT_NE(error_of(v.error()).find("non-minimal length"), std::string::npos)
      << v.error().message();
  // The cursor did not move.
  EXPECT_EQ(r.remaining(), b.size());
}

TEST(DerReader, RejectsLengthWithLeadingZeroOctet) {
  Bytes b(4 + 200, 0);
  b[0] = 0x04;
  b[1] = 0x82;
  b[2] = 0x00;
  b[3] = 200;
  DerReader r(b);
  Result<ByteView> v = r.read_octet_string();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("leading zero"), std::string::npos);
}

TEST(DerReader, RejectsIndefiniteLength) {
  Bytes b = H("3080 020101 0000");
  DerReader r(b);
  Result<DerReader> v = r.read_sequence();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("indefinite length"), std::string::npos);
}

TEST(DerReader, RejectsTooManyLengthOctetsAndTruncation) {
  Bytes five = H("0485 0100000000");
  DerReader r(five);
  EXPECT_FALSE(r.read_any().ok());
  Bytes trunc = H("0405 0102");
  DerReader r2(trunc);
  Result<DerElement> e = r2.read_any();
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message().find("truncated"), std::string::npos);
  Bytes no_len = H("04");
  DerReader r3(no_len);
  EXPECT_FALSE(r3.read_any().ok());
}

TEST(DerReader, RejectsHighTagNumberForm) {
  Bytes b = H("1f2101 00");
  DerReader r(b);
  EXPECT_FALSE(r.read_any().ok());
}

TEST(DerReader, Integers) {
  struct Case {
    const char* hex;
    bool ok;
  } cases[] = {
      {"020100", true},    {"02017f", true},    {"02020080", true},
      {"0201ff", true},    {"020280ff", true},  {"0200", false},
      {"02020001", false}, {"0202ff80", false}, {"0203000080", false},
  };
  for (const Case& c : cases) {
    Bytes b = H(c.hex);
    DerReader r(b);
    EXPECT_EQ(r.read_integer().ok(), c.ok) << c.hex;
  }
  Bytes small = H("020200c8");
  DerReader r(small);
  Result<uint64_t> v = r.read_small_nonnegative(1000);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 200u);
  DerReader r2(small);
  EXPECT_FALSE(r2.read_small_nonnegative(100).ok());
  Bytes neg = H("0201ff");
  DerReader r3(neg);
  EXPECT_FALSE(r3.read_small_nonnegative(100).ok());
}

TEST(DerReader, Booleans) {
  for (const char* hex : {"010100", "0101ff"}) {
    Bytes b = H(hex);
    DerReader r(b);
    EXPECT_TRUE(r.read_boolean().ok()) << hex;
  }
  for (const char* hex : {"010101", "01017f", "0100", "01020000"}) {
    Bytes b = H(hex);
    DerReader r(b);
    Result<bool> v = r.read_boolean();
    EXPECT_FALSE(v.ok()) << hex;
  }
  Bytes t = H("0101ff");
  DerReader r(t);
  EXPECT_TRUE(*r.read_boolean());
}

TEST(DerReader, BitStrings) {
  Bytes ok_b = H("03020780");  // one bit set, 7 unused
  DerReader r(ok_b);
  Result<BitString> b = r.read_bit_string();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->unused_bits, 7);
  EXPECT_EQ(b->bit_length(), 1u);
  EXPECT_TRUE(b->bit(0));
  EXPECT_FALSE(b->bit(1));
  for (const char* hex : {"0300", "030108", "03020781", "030201ff", "030107"}) {
    Bytes bad = H(hex);
    DerReader rb(bad);
    EXPECT_FALSE(rb.read_bit_string().ok()) << hex;
  }
  Bytes empty = H("030100");
  DerReader re(empty);
  EXPECT_TRUE(re.read_bit_string().ok());
}

TEST(DerReader, Oids) {
  Bytes b = H("06092a864886f70d01010b");
  DerReader r(b);
  Result<Oid> oid = r.read_oid();
  ASSERT_TRUE(oid.ok());
  EXPECT_EQ(oid->to_string(), "1.2.840.113549.1.1.11");
  EXPECT_TRUE(*oid == oids::kSha256WithRsa);
  for (const char* hex : {"0600", "0602 2a80", "0603 2a8001", "0602 2a86"}) {
    Bytes bad = H(hex);
    DerReader rb(bad);
    EXPECT_FALSE(rb.read_oid().ok()) << hex;
  }
}

TEST(DerReader, NullAndStrings) {
  Bytes null_ok = H("0500");
  DerReader r(null_ok);
  EXPECT_TRUE(r.read_null().ok());
  Bytes null_bad = H("050100");
  DerReader r2(null_bad);
  EXPECT_FALSE(r2.read_null().ok());

  struct Case {
    const char* hex;
    bool ok;
    const char* utf8;
  } cases[] = {
      {"130341422d", true, "AB-"},
      {"1302415f", false, ""},  // '_' not in PrintableString
      {"0c03e282ac", true, "\xe2\x82\xac"},
      {"0c02c080", false, ""},    // overlong
      {"0c03eda080", false, ""},  // surrogate
      {"160141", true, "A"},
      {"160180", false, ""},
      {"1e0400e900e9", true, "\xc3\xa9\xc3\xa9"},
      {"1e0300e900", false, ""},
      {"1e02d800", false, ""},
      {"1c040001f600", true, "\xf0\x9f\x98\x80"},
      {"1401e9", true, "\xc3\xa9"},
      {"12023132", true, "12"},
      {"12014a", false, ""},
      {"1a0109", false, ""},
      {"0401", false, ""},
  };
  for (const Case& c : cases) {
    Bytes b = H(c.hex);
    DerReader rs(b);
    Result<DerString> s = rs.read_string();
    EXPECT_EQ(s.ok(), c.ok) << c.hex;
    if (s.ok()) {
      EXPECT_EQ(s->utf8, c.utf8) << c.hex;
    }
  }
}

TEST(DerReader, Times) {
  struct Case {
    const char* hex;
    int64_t want;  // -1: must fail
  } cases[] = {
      // UTCTime 700101000000Z
      {"170d3730303130313030303030305a", 0},
      // UTCTime 491231235959Z -> 2049-12-31T23:59:59Z
      {"170d3439313233313233353935395a", 2524607999},
      // UTCTime 500101000000Z -> 1950
      {"170d3530303130313030303030305a", -631152000},
      // GeneralizedTime 20500101000000Z
      {"180f32303530303130313030303030305a", 2524608000},
      // GeneralizedTime for 2030 must be UTCTime
      {"180f32303330303130313030303030305a", -1},
      // missing Z
      {"170d373030313031303030303030302b", -1},
      // no seconds: 7001010000Z
      {"170b373030313031303030305a", -1},
      // fractional seconds 20500101000000.5Z
      {"181132303530303130313030303030302e355a", -1},
      // Feb 30
      {"170d3234303233303030303030305a", -1},
      // Feb 29 2024 is fine, 2023 is not
      {"170d3234303232393030303030305a", 1709164800},
      {"170d3233303232393030303030305a", -1},
      // hour 24, second 60
      {"170d3730303130313234303030305a", -1},
      {"170d3730303130313030303036305a", -1},
      // time zone offset
      {"17113730303130313030303030302b30313030", -1},
      // wrong tag
      {"040d3730303130313030303030305a", -1},
  };
  for (const Case& c : cases) {
    Bytes b = H(c.hex);
    DerReader r(b);
    Result<int64_t> t = r.read_time();
    if (c.want == -1) {
      EXPECT_FALSE(t.ok()) << c.hex;
    } else {
      ASSERT_TRUE(t.ok()) << c.hex << ": " << t.error().message();
      EXPECT_EQ(*t, c.want) << c.hex;
    }
  }
  Bytes frac = H("181132303530303130313030303030302e355a");
  DerReader r(frac);
  Result<int64_t> t = r.read_time();
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message().find("fractional"), std::string::npos) << t.error().message();
}

TEST(DerReader, NestingDepthIsBounded) {
  // 40 nested SEQUENCEs: deeper than kMaxDerDepth.
  DerWriter w;
  std::function<void(DerWriter&, int)> nest = [&](DerWriter& d, int n) {
    if (n == 0) {
      d.null();
      return;
    }
    d.sequence([&](DerWriter& s) { nest(s, n - 1); });
  };
  nest(w, 40);
  Bytes der = std::move(w).take();
  DerReader r(der);
  Result<void> failed = ok();
  for (int i = 0; i < 40; ++i) {
    Result<DerReader> child = r.read_sequence();
    if (!child) {
      failed = child.error();
      EXPECT_EQ(i, kMaxDerDepth);
      break;
    }
    r = *child;
  }
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message().find("nesting"), std::string::npos);
}

TEST(DerReader, OptionalAndTrailing) {
  Bytes b = H("a003020102 0500");
  DerReader r(b);
  Result<std::optional<DerReader>> ctx = r.read_optional_constructed(tag::context_constructed(0));
  ASSERT_TRUE(ctx.ok());
  ASSERT_TRUE(ctx->has_value());
  Result<std::optional<DerElement>> missing = r.read_optional(tag::kInteger);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_FALSE(r.expect_end().ok());
  EXPECT_TRUE(r.read_null().ok());
  EXPECT_TRUE(r.expect_end().ok());
  Bytes wrong = H("0500");
  DerReader rw(wrong);
  Result<DerElement> e = rw.read_element(tag::kInteger);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message(), "expected INTEGER, found NULL");
}

// Values of types the caller does not interpret (ANY DEFINED BY ...) are
// read whole, and must be DER at every depth.
TEST(DerReader, DerValueAcceptsDerOfAnyShape) {
  const char* const kValues[] = {
      // NULL; BOOLEAN; minimal INTEGER; ENUMERATED.
      "0500",
      "0101ff",
      "010100",
      "020100",
      "0202ff7f",
      "0a0101",
      // BIT STRING: empty; one bit, the unused bits zero. OCTET STRING; OID.
      "030100",
      "03020780",
      "0403010203",
      "06032a0304",
      // UTF8String; GeneralString and UTCTime: primitive, content not read.
      // Nor are string character sets (X.680 value rules, not DER's): a
      // PrintableString with '_' and a UTF8String that is not UTF-8 pass.
      "0c03616263",
      "13015f",
      "0c01ff",
      "1b0161",
      "170d3235303130313030303030305a",
      // [1] and [APPLICATION 3] primitive: opaque. Empty SEQUENCE and SET.
      "8103ffffff",
      "4300",
      "3000",
      "3100",
      // SEQUENCE { OID, [0] { SEQUENCE { INTEGER, BIT STRING } }, [PRIVATE 2] }
      "3015 06032a0304 a00a 3008 020105 0303060140 c2020102",
  };
  for (const char* hex : kValues) {
    Bytes der = H(hex);
    DerReader r(der);
    Result<DerElement> e = r.read_der_value();
    ASSERT_TRUE(e.ok()) << hex << ": " << e.error().message();
    EXPECT_EQ(e->encoded.size(), der.size()) << hex;
    EXPECT_TRUE(r.expect_end().ok()) << hex;
  }
  // An OID longer than the 63 octets tessera keeps for the OIDs it reads is
  // still a valid value.
  Bytes long_oid(2 + 100, 0x81);
  long_oid[0] = tag::kOid;
  long_oid[1] = 100;
  long_oid[2] = 0x2a;
  long_oid.back() = 0x01;
  DerReader lr(long_oid);
  EXPECT_TRUE(lr.read_der_value().ok());
}

TEST(DerReader, DerValueRejectsWhatIsNotDerAtAnyDepth) {
  struct Case {
    const char* hex;
    const char* error;
  };
  const Case kCases[] = {
      {"030107", "empty BIT STRING with unused bits"},  // found by fuzz_x509_differential
      {"030201ff", "non-zero unused bits"},
      {"030108", "unused-bits octet is 8"},
      {"0300", "no unused-bits octet"},
      {"010101", "BOOLEAN must be one octet 0x00 or 0xFF"},
      {"02020001", "non-minimal INTEGER"},
      {"0a020001", "non-minimal INTEGER"},
      {"0200", "empty INTEGER"},
      {"050100", "NULL has content"},
      {"0600", "empty"},
      {"06022a81", "last subidentifier is truncated"},
      {"0603802a01", "leading 0x80"},
      {"2800", "universal tag 0x28 is not used in certificates"},  // EXTERNAL
      {"0800", "universal tag 0x08 is not used in certificates"},
      {"2b00", "universal tag 0x2b is not used in certificates"},  // EMBEDDED PDV
      {"3d00", "universal tag 0x3d is not used in certificates"},  // CHARACTER STRING
      {"2403040100", "OCTET STRING in constructed form (0x24)"},   // X.690 10.2
      {"2c00", "constructed form (0x2c)"},                         // UTF8String
      {"3702 1700", "constructed form (0x37)"},                    // UTCTime
      {"1000", "SEQUENCE in primitive form (0x10)"},
      {"1100", "SET in primitive form (0x11)"},
      {"0000", "universal tag 0 (end-of-contents) is not a value"},
      {"a00105", "truncated: NULL has no length"},  // constructed content is not TLVs
  };
  for (const Case& c : kCases) {
    // The bad value at the top, and wrapped two levels deep in [0] and a
    // SEQUENCE, with a good value before it.
    Bytes bad = H(c.hex);
    Bytes inner = H("0500");
    inner.insert(inner.end(), bad.begin(), bad.end());
    Bytes seq{tag::kSequence, static_cast<uint8_t>(inner.size())};
    seq.insert(seq.end(), inner.begin(), inner.end());
    Bytes wrapped{tag::context_constructed(0), static_cast<uint8_t>(seq.size())};
    wrapped.insert(wrapped.end(), seq.begin(), seq.end());
    for (const Bytes& der : {bad, wrapped}) {
      DerReader r(der);
      Result<DerElement> e = r.read_der_value();
      ASSERT_FALSE(e.ok()) << to_hex(der);
      EXPECT_EQ(e.error().code(), ErrorCode::cert_parse);
      EXPECT_NE(e.error().message().find(c.error), std::string::npos)
          << to_hex(der) << ": " << e.error().message();
      // The cursor did not move: the same TLV can still be read as opaque.
      EXPECT_TRUE(r.read_any().ok()) << to_hex(der);
    }
  }
}

TEST(DerReader, DerValueNestingIsBounded) {
  // [0] { [0] { ... NULL } }: kMaxDerDepth levels are read, one more is not.
  auto nested = [](int levels) {
    DerWriter w;
    std::function<void(DerWriter&, int)> nest = [&](DerWriter& d, int n) {
      if (n == 0) {
        d.null();
        return;
      }
      d.constructed(tag::context_constructed(0), [&](DerWriter& c) { nest(c, n - 1); });
    };
    nest(w, levels);
    return std::move(w).take();
  };
  Bytes ok_depth = nested(kMaxDerDepth);
  DerReader r(ok_depth);
  EXPECT_TRUE(r.read_der_value().ok());
  Bytes too_deep = nested(kMaxDerDepth + 1);
  DerReader r2(too_deep);
  Result<DerElement> e = r2.read_der_value();
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message().find("nesting deeper than"), std::string::npos);
  // The depth counts from the reader the value is read from.
  Bytes one_less = nested(kMaxDerDepth - 1);
  EXPECT_TRUE(DerReader(one_less, 1).read_der_value().ok());
  EXPECT_FALSE(DerReader(ok_depth, 1).read_der_value().ok());
}

}  // namespace
}  // namespace tessera::x509
