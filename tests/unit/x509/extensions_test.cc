#include "x509/extensions.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "x509/der.h"
#include "x509/der_writer.h"

namespace tessera::x509 {
namespace {

Bytes H(std::string_view hex) { return *from_hex(hex); }

TEST(Extensions, BasicConstraints) {
  Result<BasicConstraints> ca = parse_basic_constraints(H("30060101ff020102"));
  ASSERT_TRUE(ca.ok());
  EXPECT_TRUE(ca->ca);
  EXPECT_EQ(ca->path_len, 2u);
  Result<BasicConstraints> leaf = parse_basic_constraints(H("3000"));
  ASSERT_TRUE(leaf.ok());
  EXPECT_FALSE(leaf->ca);
  EXPECT_FALSE(leaf->path_len.has_value());
  // DER: cA FALSE must be omitted; BOOLEAN 0x01 is BER; negative pathLen.
  EXPECT_FALSE(parse_basic_constraints(H("3003010100")).ok());
  EXPECT_FALSE(parse_basic_constraints(H("3003010101")).ok());
  EXPECT_FALSE(parse_basic_constraints(H("30060101ff0201ff")).ok());
  EXPECT_FALSE(parse_basic_constraints(H("30060101ff020102 00")).ok());
  EXPECT_FALSE(parse_basic_constraints(H("30080101ff0201020500")).ok());
}

// RFC 7633 4.1: Features ::= SEQUENCE OF INTEGER (TLS extension types).
TEST(Extensions, TlsFeature) {
  // status_request (5), as `openssl x509 -extfile` writes tlsfeature = status_request.
  Result<std::vector<uint16_t>> must_staple = parse_tls_feature(H("3003020105"));
  ASSERT_TRUE(must_staple.ok()) << must_staple.error().message();
  EXPECT_EQ(*must_staple, std::vector<uint16_t>{5});
  Result<std::vector<uint16_t>> two = parse_tls_feature(H("3007020105 020200ff"));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, (std::vector<uint16_t>{5, 255}));
  EXPECT_EQ(*parse_tls_feature(H("300402020100")), std::vector<uint16_t>{256});
  EXPECT_EQ(*parse_tls_feature(H("30050203 00ffff")), std::vector<uint16_t>{65535});
  // Negative, above 65535, not an INTEGER, not minimal, trailing bytes.
  EXPECT_FALSE(parse_tls_feature(H("30030201ff")).ok());
  EXPECT_FALSE(parse_tls_feature(H("3005020301 0000")).ok());
  EXPECT_FALSE(parse_tls_feature(H("3003040105")).ok());
  EXPECT_FALSE(parse_tls_feature(H("300402020005")).ok());
  EXPECT_FALSE(parse_tls_feature(H("3003020105 00")).ok());
  // Inside a certificate's extension list: parsed, and a bad value named.
  Result<Extensions> exts = parse_extensions(H("3013 3011 06082b06010505070118 0405 3003020105"));
  ASSERT_TRUE(exts.ok()) << exts.error().message();
  ASSERT_TRUE(exts->tls_features.has_value());
  EXPECT_EQ(*exts->tls_features, std::vector<uint16_t>{5});
  Result<Extensions> bad = parse_extensions(H("3013 3011 06082b06010505070118 0405 30030201ff"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("tlsfeature"), std::string::npos) << bad.error().message();
}

TEST(Extensions, KeyUsage) {
  // digitalSignature | keyEncipherment: 0xa0, 5 unused bits.
  Result<KeyUsage> ku = parse_key_usage(H("030205a0"));
  ASSERT_TRUE(ku.ok());
  EXPECT_TRUE(ku->has(KeyUsageBit::digital_signature));
  EXPECT_TRUE(ku->has(KeyUsageBit::key_encipherment));
  EXPECT_FALSE(ku->has(KeyUsageBit::non_repudiation));
  // decipherOnly is bit 8, in the second octet.
  Result<KeyUsage> dec = parse_key_usage(H("0303070080"));
  ASSERT_TRUE(dec.ok());
  EXPECT_TRUE(dec->has(KeyUsageBit::decipher_only));
  // RFC 5280 4.2.1.3: at least one bit set.
  EXPECT_FALSE(parse_key_usage(H("030100")).ok());
  EXPECT_FALSE(parse_key_usage(H("03020000")).ok());
}

TEST(Extensions, ExtKeyUsageAny) {
  DerWriter w;
  w.sequence([](DerWriter& s) { s.oid(oids::kAnyExtendedKeyUsage); });
  Result<ExtendedKeyUsage> eku = parse_ext_key_usage(std::move(w).take());
  ASSERT_TRUE(eku.ok());
  EXPECT_FALSE(eku->has(oids::kServerAuth));
  EXPECT_TRUE(eku->allows(oids::kServerAuth));
  EXPECT_FALSE(parse_ext_key_usage(H("3000")).ok());
}

TEST(Extensions, GeneralNames) {
  Result<GeneralName> dns =
      parse_general_name(H("820b6578616d706c652e636f6d"), GeneralNameContext::alt_name);
  ASSERT_TRUE(dns.ok());
  EXPECT_EQ(dns->type, GeneralNameType::dns_name);
  EXPECT_EQ(dns->text, "example.com");
  Result<GeneralName> ip6 =
      parse_general_name(H("871000000000000000000000000000000001"), GeneralNameContext::alt_name);
  ASSERT_TRUE(ip6.ok());
  EXPECT_EQ(ip6->to_string(), "IP:::1");
  // Lengths depend on where the name appears.
  EXPECT_FALSE(parse_general_name(H("87080a000000ff000000"), GeneralNameContext::alt_name).ok());
  Result<GeneralName> masked =
      parse_general_name(H("87080a000000ff000000"), GeneralNameContext::name_constraint);
  ASSERT_TRUE(masked.ok());
  EXPECT_EQ(masked->to_string(), "IP:10.0.0.0/255.0.0.0");
  EXPECT_FALSE(parse_general_name(H("87040a000000"), GeneralNameContext::name_constraint).ok());
  // Non-ASCII dNSName, empty dNSName in a SAN, unknown tag, registeredID.
  EXPECT_FALSE(parse_general_name(H("8201ff"), GeneralNameContext::alt_name).ok());
  EXPECT_FALSE(parse_general_name(H("8200"), GeneralNameContext::alt_name).ok());
  EXPECT_TRUE(parse_general_name(H("8200"), GeneralNameContext::name_constraint).ok());
  EXPECT_FALSE(parse_general_name(H("8900"), GeneralNameContext::alt_name).ok());
  // IA5String text may hold control characters: shown as \xNN, so a
  // certificate's name cannot start a new line in a log or a terminal.
  Result<GeneralName> uri = parse_general_name(H("8604610a627f"), GeneralNameContext::alt_name);
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->text, "a\nb\x7f");
  EXPECT_EQ(uri->to_string(), "URI:a\\x0ab\\x7f");
  Result<GeneralName> rid = parse_general_name(H("88032a0304"), GeneralNameContext::alt_name);
  ASSERT_TRUE(rid.ok());
  EXPECT_EQ(rid->to_string(), "RID:1.2.3.4");
  Result<GeneralName> other =
      parse_general_name(H("a00a06032a0304a0030c0161"), GeneralNameContext::alt_name);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->type, GeneralNameType::other_name);
  EXPECT_EQ(to_hex(other->raw), "a00a06032a0304a0030c0161");
  // otherName's value is ANY DEFINED BY type-id: kept, but it must be DER.
  Result<GeneralName> other_ber =
      parse_general_name(H("a00a06032a0304a0032c0161"), GeneralNameContext::alt_name);
  ASSERT_FALSE(other_ber.ok());
  EXPECT_NE(other_ber.error().message().find("UTF8String in constructed form"), std::string::npos)
      << other_ber.error().message();
  EXPECT_FALSE(parse_general_name(H("a303010101"), GeneralNameContext::alt_name).ok());  // x400
  EXPECT_TRUE(parse_general_name(H("a5023000"), GeneralNameContext::alt_name).ok());     // EDI
  EXPECT_FALSE(parse_general_names(H("3000"), GeneralNameContext::alt_name).ok());
}

TEST(Extensions, NameConstraintsMinimumAndMaximum) {
  auto nc = [](std::string_view subtree_extra) {
    return parse_name_constraints(H(
        "30" +
        to_hex(
            std::vector<uint8_t>{static_cast<uint8_t>(2 + 2 + 2 + 11 + subtree_extra.size() / 2)}) +
        "a0" +
        to_hex(std::vector<uint8_t>{static_cast<uint8_t>(2 + 2 + 11 + subtree_extra.size() / 2)}) +
        "30" +
        to_hex(std::vector<uint8_t>{static_cast<uint8_t>(2 + 11 + subtree_extra.size() / 2)}) +
        "820b6578616d706c652e636f6d" + std::string(subtree_extra)));
  };
  ASSERT_TRUE(nc("").ok()) << nc("").error().message();
  EXPECT_EQ(nc("")->permitted.size(), 1u);
  EXPECT_TRUE(nc("800100").ok());  // minimum 0 encoded (tolerated)
  Result<NameConstraints> min1 = nc("800101");
  ASSERT_FALSE(min1.ok());
  EXPECT_NE(min1.error().message().find("minimum must be 0"), std::string::npos);
  Result<NameConstraints> max = nc("810105");
  ASSERT_FALSE(max.ok());
  EXPECT_NE(max.error().message().find("maximum must be absent"), std::string::npos);
  // Empty NameConstraints and empty subtree list.
  EXPECT_FALSE(parse_name_constraints(H("3000")).ok());
  EXPECT_FALSE(parse_name_constraints(H("3002a000")).ok());
}

TEST(Extensions, AuthorityKeyIdentifierForms) {
  Result<AuthorityKeyIdentifier> kid = parse_authority_key_identifier(H("30048002abcd"));
  ASSERT_TRUE(kid.ok());
  EXPECT_EQ(to_hex(*kid->key_id), "abcd");
  EXPECT_FALSE(kid->cert_serial.has_value());
  // keyIdentifier + authorityCertIssuer (DNS name) + serial.
  Result<AuthorityKeyIdentifier> full =
      parse_authority_key_identifier(H("300e8002abcd a1058203782e79 820107"));
  ASSERT_TRUE(full.ok()) << full.error().message();
  EXPECT_EQ((*full->cert_issuer)[0].text, "x.y");
  EXPECT_EQ(to_hex(*full->cert_serial), "07");
  EXPECT_FALSE(parse_authority_key_identifier(H("30048102abcd")).ok());
}

TEST(Extensions, PoliciesAndDistributionPoints) {
  DerWriter w;
  w.sequence([](DerWriter& s) {
    s.sequence([](DerWriter& p) { p.oid(oids::kAnyPolicy); });
    s.sequence([](DerWriter& p) {
      p.oid(*Oid::from_string("2.23.140.1.2.1"));
      p.sequence([](DerWriter& q) {
        q.sequence([](DerWriter& qi) {
          qi.oid(*Oid::from_string("1.3.6.1.5.5.7.2.1"));
          qi.string(tag::kIa5String, "https://cps.example");
        });
      });
    });
  });
  Result<std::vector<Oid>> pol = parse_certificate_policies(std::move(w).take());
  ASSERT_TRUE(pol.ok()) << pol.error().message();
  ASSERT_EQ(pol->size(), 2u);
  EXPECT_EQ((*pol)[0], oids::kAnyPolicy);
  DerWriter dup;
  dup.sequence([](DerWriter& s) {
    s.sequence([](DerWriter& p) { p.oid(oids::kAnyPolicy); });
    s.sequence([](DerWriter& p) { p.oid(oids::kAnyPolicy); });
  });
  EXPECT_FALSE(parse_certificate_policies(std::move(dup).take()).ok());

  DerWriter dp;
  dp.sequence([](DerWriter& s) {
    s.sequence([](DerWriter& point) {
      point.constructed(tag::context_constructed(0), [](DerWriter& name) {
        name.constructed(tag::context_constructed(0), [](DerWriter& full) {
          full.string(tag::context_specific(6), "http://a/1.crl");
          full.string(tag::context_specific(2), "ignored.example");
        });
      });
    });
  });
  Result<std::vector<std::string>> uris = parse_crl_distribution_points(std::move(dp).take());
  ASSERT_TRUE(uris.ok()) << uris.error().message();
  EXPECT_EQ(*uris, std::vector<std::string>{"http://a/1.crl"});
}

TEST(Extensions, ListRules) {
  auto ext = [](const Oid& oid, bool critical, ByteView value) {
    DerWriter w;
    w.sequence([&](DerWriter& e) {
      e.oid(oid);
      if (critical) e.boolean(true);
      e.octet_string(value);
    });
    return std::move(w).take();
  };
  auto list = [](std::initializer_list<Bytes> exts) {
    DerWriter w;
    w.sequence([&](DerWriter& s) {
      for (const Bytes& e : exts) s.raw(e);
    });
    return std::move(w).take();
  };
  Oid unknown = *Oid::from_string("1.2.3.4.5");
  Result<Extensions> ok1 = parse_extensions(
      list({ext(oids::kBasicConstraints, true, H("30030101ff")), ext(unknown, false, H("0500"))}));
  ASSERT_TRUE(ok1.ok());
  EXPECT_FALSE(ok1->has_unknown_critical_extension);
  EXPECT_TRUE(ok1->basic_constraints->ca);
  Result<Extensions> crit = parse_extensions(list({ext(unknown, true, H("0500"))}));
  ASSERT_TRUE(crit.ok());
  EXPECT_TRUE(crit->has_unknown_critical_extension);
  EXPECT_EQ(crit->unknown_critical_oids[0], unknown);
  Result<Extensions> dup =
      parse_extensions(list({ext(unknown, false, H("05")), ext(unknown, false, H("05"))}));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().message(), "1.2.3.4.5: duplicate extension");
  Result<Extensions> malformed = parse_extensions(list({ext(oids::kKeyUsage, true, H("0500"))}));
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().message(), "keyUsage: expected BIT STRING, found NULL");
  EXPECT_FALSE(parse_extensions(H("3000")).ok());
}

}  // namespace
}  // namespace tessera::x509
