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
  // IA5String values are compared byte for byte.
  Result<Name> e1 = Name::parse(name_der({{oids::kEmailAddress, tag::kIa5String, "A@x"}}));
  Result<Name> e2 = Name::parse(name_der({{oids::kEmailAddress, tag::kIa5String, "a@x"}}));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok() && e1.ok() && e2.ok());
  EXPECT_TRUE(names_equal(*a, *b));
  EXPECT_TRUE(names_equal(*a, *a));
  EXPECT_FALSE(names_equal(*a, *c));
  EXPECT_FALSE(names_equal(*a, *d));
  EXPECT_FALSE(names_equal(*e1, *e2));
  EXPECT_EQ(normalize_name_value("  Foo \t  Bar  "), "foo bar");
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
  EXPECT_TRUE(Name::from_string("")->empty());
}

}  // namespace
}  // namespace tessera::x509
