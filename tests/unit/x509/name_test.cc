#include "x509/name.h"

#include <gtest/gtest.h>

#include <tuple>

#include "base/hex.h"
#include "x509/der.h"
#include "x509/der_writer.h"

namespace tessera::x509 {
namespace {

Bytes H(std::string_view hex) { return *from_hex(hex); }

// Builds a Name DER from (oid, tag, value) triples, one RDN each.
Bytes name_der(std::initializer_list<std::tuple<Oid, uint8_t, std::string>> atvs) {
  DerWriter w;
  w.sequence([&](DerWriter& seq) {
    for (const auto& item : atvs) {
      // (clang 14 cannot capture structured bindings in the lambdas below)
      const Oid& oid = std::get<0>(item);
      uint8_t t = std::get<1>(item);
      const std::string& v = std::get<2>(item);
      seq.set_of([&](DerWriter& set) {
        set.sequence([&](DerWriter& atv) {
          atv.oid(oid);
          atv.string(t, v);
        });
      });
    }
  });
  return std::move(w).take();
}

TEST(Name, ParsesAndRenders) {
  Bytes der = name_der({{oids::kCountryName, tag::kPrintableString, "US"},
                        {oids::kOrganizationName, tag::kUtf8String, "Example, Inc."},
                        {oids::kCommonName, tag::kUtf8String, "Example Intermediate"}});
  Result<Name> n = Name::parse(der);
  ASSERT_TRUE(n.ok()) << n.error().message();
  EXPECT_EQ(n->to_string(), "C=US, O=Example\\, Inc., CN=Example Intermediate");
  EXPECT_EQ(n->common_name(), "Example Intermediate");
  EXPECT_EQ(n->rdns().size(), 3u);
  EXPECT_EQ(n->der().size(), der.size());
  EXPECT_EQ(Name::parse(H("3000"))->to_string(), "");
  EXPECT_FALSE(Name::parse(H("3000"))->common_name().has_value());
}

TEST(Name, MultiValuedRdnAndNonStringValues) {
  DerWriter w;
  w.sequence([](DerWriter& seq) {
    seq.set_of([](DerWriter& set) {
      set.sequence([](DerWriter& atv) {
        atv.oid(oids::kCommonName);
        atv.string(tag::kUtf8String, "a");
      });
      set.sequence([](DerWriter& atv) {
        atv.oid(oids::kOrganizationalUnitName);
        atv.string(tag::kUtf8String, "b");
      });
    });
    seq.set_of([](DerWriter& set) {
      set.sequence([](DerWriter& atv) {
        atv.oid(*Oid::from_string("1.2.3.4"));
        atv.integer(5);
      });
    });
  });
  Result<Name> n = Name::parse(std::move(w).take());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->to_string(), "CN=a + OU=b, 1.2.3.4=#020105");
}

TEST(Name, RejectsMalformed) {
  // Empty RDN SET.
  Result<Name> empty_rdn = Name::parse(H("3002 3100"));
  ASSERT_FALSE(empty_rdn.ok());
  EXPECT_EQ(empty_rdn.error().message(), "RDN 0: empty SET");
  // Invalid PrintableString character.
  Result<Name> bad = Name::parse(name_der({{oids::kCountryName, tag::kPrintableString, "U_"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("RDN 0 (C): PrintableString"), std::string::npos)
      << bad.error().message();
  // Trailing bytes, extra element in the AttributeTypeAndValue.
  EXPECT_FALSE(Name::parse(H("3000 00")).ok());
  EXPECT_FALSE(Name::parse(H("300d310b3009 0603550403 0c0161 0500")).ok());
  // RDN that is a SEQUENCE instead of a SET.
  EXPECT_FALSE(Name::parse(H("300a 3008 3006 0603550403 0c00")).ok());
  // RFC 5280 4.1.2.4: the value of an unknown attribute type is kept as it
  // is, but must be DER: here a BIT STRING with unused bits and no content.
  Result<Name> opaque = Name::parse(H("300c 310a 3008 06032a0304 030107"));
  ASSERT_FALSE(opaque.ok());
  EXPECT_EQ(opaque.error().message(), "RDN 0 (1.2.3.4): empty BIT STRING with unused bits");
  EXPECT_TRUE(Name::parse(H("300c 310a 3008 06032a0304 030100")).ok());
  // X.690 11.6: a multi-valued RDN lists its attributes in ascending order of
  // their encodings: CN (2.5.4.3) before OU (2.5.4.11), not after.
  EXPECT_TRUE(Name::parse(H("3016 3114 3008 0603550403 0c0161 3008 060355040b 0c0162")).ok());
  Result<Name> unsorted = Name::parse(H("3016 3114 3008 060355040b 0c0162 3008 0603550403 0c0161"));
  ASSERT_FALSE(unsorted.ok());
  EXPECT_NE(unsorted.error().message().find("ascending"), std::string::npos)
      << unsorted.error().message();
}

TEST(Name, Rfc5280Comparison) {
  Result<Name> a = Name::parse(name_der({{oids::kCountryName, tag::kPrintableString, "US"},
                                         {oids::kCommonName, tag::kUtf8String, "Example  CA"}}));
  Result<Name> b =
      Name::parse(name_der({{oids::kCountryName, tag::kPrintableString, "us"},
                            {oids::kCommonName, tag::kPrintableString, " example ca "}}));
  Result<Name> c = Name::parse(name_der({{oids::kCountryName, tag::kPrintableString, "US"},
                                         {oids::kCommonName, tag::kUtf8String, "Example CB"}}));
  Result<Name> d = Name::parse(name_der({{oids::kCountryName, tag::kPrintableString, "US"}}));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_TRUE(names_equal(*a, *b));
  EXPECT_TRUE(names_equal(*a, *a));
  EXPECT_FALSE(names_equal(*a, *c));
  EXPECT_FALSE(names_equal(*a, *d));
  EXPECT_EQ(normalize_name_value("  Foo \t  Bar  "), "foo bar");
}

// RFC 5280 7.1: values match after string preparation whatever string type
// encodes them (an excluded directoryName must not be escaped by writing
// "Evil" as a BMPString); 7.3: domainComponent (IA5String) case-insensitively.
TEST(Name, Rfc5280ComparisonAcrossStringTypes) {
  const std::string bmp_evil("\0E\0v\0i\0l", 8);                         // UTF-16BE
  const std::string universal_evil("\0\0\0E\0\0\0V\0\0\0I\0\0\0L", 16);  // UTF-32BE
  Result<Name> utf8 = Name::parse(name_der({{oids::kOrganizationName, tag::kUtf8String, "evil"}}));
  Result<Name> bmp = Name::parse(name_der({{oids::kOrganizationName, tag::kBmpString, bmp_evil}}));
  Result<Name> ia5 = Name::parse(name_der({{oids::kOrganizationName, tag::kIa5String, "EVIL"}}));
  Result<Name> universal =
      Name::parse(name_der({{oids::kOrganizationName, tag::kUniversalString, universal_evil}}));
  Result<Name> other = Name::parse(
      name_der({{oids::kOrganizationName, tag::kBmpString, std::string("\0E\0v\0i\0n", 8)}}));
  ASSERT_TRUE(utf8.ok() && bmp.ok() && ia5.ok() && universal.ok() && other.ok());
  EXPECT_TRUE(names_equal(*utf8, *bmp));
  EXPECT_TRUE(names_equal(*utf8, *ia5));
  EXPECT_TRUE(names_equal(*utf8, *universal));
  EXPECT_FALSE(names_equal(*utf8, *other));
  Result<Name> dc_lower =
      Name::parse(name_der({{oids::kDomainComponent, tag::kIa5String, "com"},
                            {oids::kDomainComponent, tag::kIa5String, "evil"}}));
  Result<Name> dc_upper =
      Name::parse(name_der({{oids::kDomainComponent, tag::kIa5String, "COM"},
                            {oids::kDomainComponent, tag::kIa5String, "Evil"}}));
  ASSERT_TRUE(dc_lower.ok() && dc_upper.ok());
  EXPECT_TRUE(names_equal(*dc_lower, *dc_upper));
  // A non-string value still compares as encoded.
  EXPECT_FALSE(names_equal(*Name::parse(H("300c 310a 3008 06032a0304 020105")),
                           *Name::parse(H("300c 310a 3008 06032a0304 020106"))));
}

TEST(Name, MultiValuedRdnOrderDoesNotMatter) {
  auto rdn = [](bool swap) {
    AttributeTypeAndValue cn{oids::kCommonName, tag::kUtf8String, {'a'}, "a"};
    AttributeTypeAndValue ou{oids::kOrganizationalUnitName, tag::kUtf8String, {'b'}, "b"};
    RelativeDistinguishedName r =
        swap ? RelativeDistinguishedName{ou, cn} : RelativeDistinguishedName{cn, ou};
    return r;
  };
  EXPECT_TRUE(rdn_equal(rdn(false), rdn(true)));
  RelativeDistinguishedName one = {rdn(false)[0]};
  EXPECT_FALSE(rdn_equal(rdn(false), one));
}

TEST(Name, FromStringBuildsDer) {
  Result<Name> n = Name::from_string("CN=Example Intermediate, O=Example\\, Inc., C=US");
  ASSERT_TRUE(n.ok()) << n.error().message();
  EXPECT_EQ(n->to_string(), "CN=Example Intermediate, O=Example\\, Inc., C=US");
  // Re-parsing the DER gives the same name; C is a PrintableString.
  Result<Name> again = Name::parse(n->der());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rdns()[2][0].value_tag, tag::kPrintableString);
  EXPECT_EQ(again->rdns()[0][0].value_tag, tag::kUtf8String);
  EXPECT_TRUE(names_equal(*n, *again));
  Result<Name> slash = Name::from_string("/C=US/O=Org/CN=x.example");
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(slash->to_string(), "C=US, O=Org, CN=x.example");
  EXPECT_EQ(Name::from_string("emailAddress=a@b.c, DC=com, 2.5.4.3=z")->to_string(),
            "emailAddress=a@b.c, DC=com, CN=z");
  EXPECT_FALSE(Name::from_string("CN").ok());
  EXPECT_FALSE(Name::from_string("XX=1").ok());
  EXPECT_FALSE(Name::from_string("CN=").ok());
  EXPECT_FALSE(Name::from_string("C=U_S").ok());
  // RFC 5280 A.1: a country is two letters.
  EXPECT_FALSE(Name::from_string("C=USA, CN=x").ok());
  EXPECT_FALSE(Name::from_string("C=U").ok());
  EXPECT_TRUE(Name::from_string("")->empty());
}

}  // namespace
}  // namespace tessera::x509
