// Tests for x509/name_constraints: RFC 5280 4.2.1.10 subtree matching.
#include "x509/name_constraints.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "x509/certificate.h"
#include "x509/der_writer.h"
#include "x509/identity.h"

namespace tessera::x509 {
namespace {

TEST(DnsNameInSubtree, LabelBoundaries) {
  EXPECT_TRUE(dns_name_in_subtree("example.com", "example.com"));
  EXPECT_TRUE(dns_name_in_subtree("www.EXAMPLE.com", "example.com"));
  EXPECT_TRUE(dns_name_in_subtree("a.b.example.com", "Example.Com"));
  EXPECT_FALSE(dns_name_in_subtree("badexample.com", "example.com"));
  EXPECT_FALSE(dns_name_in_subtree("example.com.evil", "example.com"));
  EXPECT_FALSE(dns_name_in_subtree("com", "example.com"));
  // Leading dot: proper subdomains only.
  EXPECT_TRUE(dns_name_in_subtree("www.example.com", ".example.com"));
  EXPECT_FALSE(dns_name_in_subtree("example.com", ".example.com"));
  // Empty constraint: everything.
  EXPECT_TRUE(dns_name_in_subtree("anything.test", ""));
}

TEST(DnsNameInSubtree, Wildcards) {
  EXPECT_TRUE(dns_name_in_subtree("*.example.com", "example.com"));
  EXPECT_TRUE(dns_name_in_subtree("*.example.com", ".example.com"));
  EXPECT_TRUE(dns_name_in_subtree("*.a.example.com", "example.com"));
  EXPECT_FALSE(dns_name_in_subtree("*.example.com", "a.example.com"));
  // Excluded checks count any overlap.
  EXPECT_TRUE(dns_name_overlaps_subtree("*.example.com", "a.example.com"));
  EXPECT_TRUE(dns_name_overlaps_subtree("*.example.com", "x.a.example.com"));
  EXPECT_TRUE(dns_name_overlaps_subtree("*.example.com", "example.com"));
  EXPECT_FALSE(dns_name_overlaps_subtree("*.example.com", "example.org"));
  EXPECT_FALSE(dns_name_overlaps_subtree("*.example.com", "aexample.com"));
  EXPECT_FALSE(dns_name_overlaps_subtree("www.example.com", "a.example.com"));
}

TEST(EmailInSubtree, ThreeForms) {
  EXPECT_TRUE(email_in_subtree("a@example.com", "a@example.com"));
  EXPECT_FALSE(email_in_subtree("b@example.com", "a@example.com"));
  EXPECT_TRUE(email_in_subtree("b@EXAMPLE.com", "example.com"));
  EXPECT_FALSE(email_in_subtree("b@mail.example.com", "example.com"));
  EXPECT_TRUE(email_in_subtree("b@mail.example.com", ".example.com"));
  EXPECT_FALSE(email_in_subtree("b@example.com", ".example.com"));
  EXPECT_FALSE(email_in_subtree("no-at-sign", "example.com"));
}

TEST(IpInSubtree, Masks) {
  Bytes net = {10, 0, 0, 0, 255, 0, 0, 0};
  EXPECT_TRUE(ip_in_subtree(*parse_ip_address("10.1.2.3"), net));
  EXPECT_FALSE(ip_in_subtree(*parse_ip_address("11.1.2.3"), net));
  EXPECT_FALSE(ip_in_subtree(*parse_ip_address("::1"), net));  // family mismatch
  Bytes host = {192, 168, 1, 7, 255, 255, 255, 255};
  EXPECT_TRUE(ip_in_subtree(*parse_ip_address("192.168.1.7"), host));
  EXPECT_FALSE(ip_in_subtree(*parse_ip_address("192.168.1.8"), host));
  Bytes v6 = *parse_ip_address("2001:db8::");
  Bytes mask = *parse_ip_address("ffff:ffff::");
  v6.insert(v6.end(), mask.begin(), mask.end());
  EXPECT_TRUE(ip_in_subtree(*parse_ip_address("2001:db8:1::5"), v6));
  EXPECT_FALSE(ip_in_subtree(*parse_ip_address("2001:db9::5"), v6));
}

TEST(DirectoryNameInSubtree, RdnPrefix) {
  Name c = *Name::from_string("C=US, O=Example");
  EXPECT_TRUE(directory_name_in_subtree(*Name::from_string("C=US, O=example, CN=x"), c));
  EXPECT_TRUE(directory_name_in_subtree(*Name::from_string("C=US, O=Example"), c));
  EXPECT_FALSE(directory_name_in_subtree(*Name::from_string("C=US, O=Other, CN=x"), c));
  EXPECT_FALSE(directory_name_in_subtree(*Name::from_string("C=US"), c));
  EXPECT_FALSE(directory_name_in_subtree(*Name::from_string("O=Example, C=US"), c));
  // The same names in other string types are inside too (RFC 5280 7.1): an
  // excluded subtree cannot be escaped by re-encoding the name.
  DerWriter w;
  w.sequence([](DerWriter& seq) {
    seq.set_of([](DerWriter& set) {
      set.sequence([](DerWriter& atv) {
        atv.oid(oids::kCountryName);
        atv.string(tag::kIa5String, "us");
      });
    });
    seq.set_of([](DerWriter& set) {
      set.sequence([](DerWriter& atv) {
        atv.oid(oids::kOrganizationName);
        atv.string(tag::kBmpString, std::string("\0E\0X\0A\0M\0P\0L\0E", 14));
      });
    });
  });
  Result<Name> reencoded = Name::parse(std::move(w).take());
  ASSERT_TRUE(reencoded.ok()) << reencoded.error().message();
  EXPECT_TRUE(directory_name_in_subtree(*reencoded, c));
}

Certificate load(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/x509v/" + name, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto certs = parse_certificates(as_bytes_view(text));
  EXPECT_TRUE(certs.ok() && !certs->empty()) << name;
  return certs.ok() && !certs->empty() ? (*certs)[0] : Certificate{};
}

// nc_int.pem: permitted DNS:example.com, IP:10.0.0.0/8; excluded
// DNS:bad.example.com.
TEST(CheckNameConstraints, FixtureLeaves) {
  Certificate ca = load("nc_int.pem");
  ASSERT_TRUE(ca.extensions().name_constraints.has_value());
  const NameConstraints& nc = *ca.extensions().name_constraints;
  EXPECT_TRUE(check_name_constraints(nc, load("leaf_nc_ok.pem"), true).ok());

  auto r = check_name_constraints(nc, load("leaf_nc_dns_bad.pem"), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::cert_name_constraints);
  EXPECT_NE(r.error().message().find("DNS:www.example.net is not in the permitted subtrees"),
            std::string::npos)
      << r.error().message();

  r = check_name_constraints(nc, load("leaf_nc_excluded.pem"), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::cert_name_constraints);
  EXPECT_NE(r.error().message().find("DNS:x.bad.example.com is in the excluded subtree"),
            std::string::npos)
      << r.error().message();

  r = check_name_constraints(nc, load("leaf_nc_ip_bad.pem"), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::cert_name_constraints);
  EXPECT_NE(r.error().message().find("IP:192.168.1.1"), std::string::npos) << r.error().message();
}

// Hand-built constraints: directoryName, email from the subject, CN as DNS.
TEST(CheckNameConstraints, SubjectNamesAndCommonName) {
  // leaf_other.pem: CN=www.example.com with SAN DNS names; leaf_under_v1 too.
  Certificate leaf = load("leaf.pem");
  NameConstraints dn_only;
  GeneralSubtree st;
  st.base.type = GeneralNameType::directory_name;
  st.base.directory_name = *Name::from_string("CN=www.example.com");
  dn_only.permitted.push_back(st);
  EXPECT_TRUE(check_name_constraints(dn_only, leaf, true).ok());
  st.base.directory_name = *Name::from_string("O=Elsewhere");
  dn_only.permitted = {st};
  auto r = check_name_constraints(dn_only, leaf, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::cert_name_constraints);
  EXPECT_NE(r.error().message().find("DirName:CN=www.example.com"), std::string::npos);

  // The leaf has a rfc822 SAN admin@example.com: an email constraint applies.
  NameConstraints mail;
  GeneralSubtree m;
  m.base.type = GeneralNameType::rfc822_name;
  m.base.text = "example.net";
  mail.permitted.push_back(m);
  r = check_name_constraints(mail, leaf, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("email:admin@example.com"), std::string::npos);
  mail.permitted[0].base.text = "example.com";
  EXPECT_TRUE(check_name_constraints(mail, leaf, true).ok());
}

}  // namespace
}  // namespace tessera::x509
