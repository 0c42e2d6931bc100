// Tests for x509/identity: RFC 6125 / RFC 9525 matching and IP parsing.
#include "x509/identity.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "x509/certificate.h"
#include "x509/pem.h"

namespace tessera::x509 {
namespace {

TEST(ParseIpAddress, Ipv4) {
  EXPECT_EQ(parse_ip_address("127.0.0.1"), (Bytes{127, 0, 0, 1}));
  EXPECT_EQ(parse_ip_address("255.255.255.255"), (Bytes{255, 255, 255, 255}));
  EXPECT_EQ(parse_ip_address("0.0.0.0"), (Bytes{0, 0, 0, 0}));
  for (const char* bad : {"256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "1.2.3.4 ", "",
                          "a.b.c.d", "1.2.3.-4", "1.2.3.4."}) {
    EXPECT_FALSE(parse_ip_address(bad)) << bad;
  }
}

TEST(ParseIpAddress, Ipv6) {
  Bytes loopback(16, 0);
  loopback[15] = 1;
  EXPECT_EQ(parse_ip_address("::1"), loopback);
  EXPECT_EQ(parse_ip_address("0:0:0:0:0:0:0:1"), loopback);
  EXPECT_EQ(parse_ip_address("::"), Bytes(16, 0));
  Bytes db8 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  EXPECT_EQ(parse_ip_address("2001:db8::1"), db8);
  EXPECT_EQ(parse_ip_address("2001:DB8:0:0:0:0:0:1"), db8);
  Bytes mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  EXPECT_EQ(parse_ip_address("::ffff:192.0.2.1"), mapped);
  Bytes tail = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(parse_ip_address("2001:db8::"), tail);
  for (const char* bad : {":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", ":1::",
                          "1:", "g::1", "::1%eth0", "[::1]", "1:2:3:4:5:6:7::8:9", "::1.2.3.4:5"}) {
    EXPECT_FALSE(parse_ip_address(bad)) << bad;
  }
}

TEST(FormatIpAddress, Rfc5952) {
  EXPECT_EQ(format_ip_address(*parse_ip_address("10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(format_ip_address(*parse_ip_address("::1")), "::1");
  EXPECT_EQ(format_ip_address(*parse_ip_address("2001:0db8:0:0:1:0:0:1")), "2001:db8::1:0:0:1");
  EXPECT_EQ(format_ip_address(*parse_ip_address("2001:db8:0:1:1:1:1:1")), "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(format_ip_address(*parse_ip_address("::")), "::");
}

TEST(DnsNameMatches, ExactCaseInsensitive) {
  EXPECT_TRUE(dns_name_matches("www.example.com", "www.example.com"));
  EXPECT_TRUE(dns_name_matches("WWW.Example.COM", "www.example.com"));
  EXPECT_TRUE(dns_name_matches("www.example.com.", "www.example.com"));
  EXPECT_TRUE(dns_name_matches("www.example.com", "www.example.com."));
  EXPECT_FALSE(dns_name_matches("www.example.com", "example.com"));
  EXPECT_FALSE(dns_name_matches("example.com", "www.example.com"));
  EXPECT_FALSE(dns_name_matches("www.example.com", "www.example.co"));
}

TEST(DnsNameMatches, Wildcards) {
  EXPECT_TRUE(dns_name_matches("*.example.com", "a.example.com"));
  EXPECT_TRUE(dns_name_matches("*.EXAMPLE.com", "Foo.example.COM"));
  EXPECT_FALSE(dns_name_matches("*.example.com", "a.b.example.com"));  // one label only
  EXPECT_FALSE(dns_name_matches("*.example.com", "example.com"));
  EXPECT_FALSE(dns_name_matches("*.example.com", ".example.com"));
  EXPECT_FALSE(dns_name_matches("*.com", "example.com"));  // over a single label
  EXPECT_FALSE(dns_name_matches("*", "example"));
  EXPECT_FALSE(dns_name_matches("*.", "example"));
  EXPECT_FALSE(dns_name_matches("f*.example.com", "foo.example.com"));  // partial
  EXPECT_FALSE(dns_name_matches("*oo.example.com", "foo.example.com"));
  EXPECT_FALSE(dns_name_matches("a.*.example.com", "a.b.example.com"));
  EXPECT_FALSE(dns_name_matches("*.*.example.com", "a.b.example.com"));
  EXPECT_FALSE(dns_name_matches("xn--*.example.com", "xn--bcher-kva.example.com"));
  // Never wildcard-match an A-label; exact A-label comparison is ASCII.
  EXPECT_FALSE(dns_name_matches("*.example.com", "xn--bcher-kva.example.com"));
  EXPECT_TRUE(dns_name_matches("xn--bcher-kva.example.com", "XN--BCHER-KVA.example.com"));
  EXPECT_TRUE(dns_name_matches("*.xn--bcher-kva.example", "www.xn--bcher-kva.example"));
  // The reference identity itself may not be a wildcard or malformed.
  EXPECT_FALSE(dns_name_matches("*.example.com", "*.example.com"));
  EXPECT_FALSE(dns_name_matches("a..example.com", "a..example.com"));
}

TEST(IsValidDnsReference, Rules) {
  EXPECT_TRUE(is_valid_dns_reference("localhost"));
  EXPECT_TRUE(is_valid_dns_reference("a-b.example.com."));
  EXPECT_FALSE(is_valid_dns_reference(""));
  EXPECT_FALSE(is_valid_dns_reference("-a.example.com"));
  EXPECT_FALSE(is_valid_dns_reference("a b.example.com"));
  EXPECT_FALSE(is_valid_dns_reference(std::string(64, 'a') + ".com"));
  EXPECT_TRUE(is_valid_dns_reference(std::string(63, 'a') + ".com"));
  // Forms a resolver reads as an IPv4 address are not DNS names (RFC 9525
  // 6.1; RFC 3696 2: no top-level domain is all-numeric).
  for (const char* ip : {"127.1", "010.0.0.1", "0x7f000001", "0x7f.0.0.1", "10.0.0.256",
                         "1.2.3.4.5", "2130706433", "127.0.0.1."}) {
    EXPECT_TRUE(numeric_ipv4_form(ip)) << ip;
    EXPECT_FALSE(is_valid_dns_reference(ip)) << ip;
  }
  for (const char* name : {"a1.example", "123.example.com", "0x.example", "x0ff", "3com.com"}) {
    EXPECT_FALSE(numeric_ipv4_form(name)) << name;
    EXPECT_TRUE(is_valid_dns_reference(name)) << name;
  }
}

Certificate load_leaf(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/x509v/" + name, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto certs = parse_certificates(as_bytes_view(text));
  EXPECT_TRUE(certs.ok()) << name;
  return certs.ok() && !certs->empty() ? (*certs)[0] : Certificate{};
}

// leaf.pem: SAN DNS:www.example.com, DNS:*.example.org, IP:127.0.0.1,
// IP:::1, email:admin@example.com; CN=www.example.com.
TEST(CheckIdentity, AgainstCertificateSans) {
  Certificate leaf = load_leaf("leaf.pem");
  using K = ReferenceIdentity::Kind;
  EXPECT_TRUE(check_identity(leaf, {K::dns, "www.example.com"}).ok());
  EXPECT_TRUE(check_identity(leaf, {K::dns, "foo.example.org"}).ok());
  EXPECT_TRUE(check_identity(leaf, {K::ip, "127.0.0.1"}).ok());
  EXPECT_TRUE(check_identity(leaf, {K::ip, "0:0::1"}).ok());
  EXPECT_TRUE(check_identity(leaf, {K::email, "admin@Example.com"}).ok());

  auto r = check_identity(leaf, {K::dns, "a.b.example.org"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::cert_name_mismatch);
  EXPECT_NE(r.error().message().find("does not match host a.b.example.org"), std::string::npos);
  EXPECT_NE(r.error().message().find("DNS:*.example.org"), std::string::npos);

  r = check_identity(leaf, {K::ip, "127.0.0.2"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::cert_name_mismatch);
  // IPv4 never matches the IPv4-mapped IPv6 form.
  EXPECT_FALSE(check_identity(leaf, {K::ip, "::ffff:127.0.0.1"}).ok());
  // An IP address is not matched against DNS SANs or the other way round.
  EXPECT_FALSE(check_identity(leaf, {K::dns, "127.0.0.1"}).ok());
  EXPECT_EQ(check_identity(leaf, {K::ip, "www.example.com"}).error().code(),
            ErrorCode::config_invalid);
  EXPECT_EQ(check_identity(leaf, {K::email, "nobody"}).error().code(), ErrorCode::config_invalid);
  EXPECT_EQ(check_identity(leaf, {K::email, "root@example.com"}).error().code(),
            ErrorCode::cert_name_mismatch);
}

// The CN is never used: leaf_nc_ok has CN=nc_ok and SAN www.example.com.
TEST(CheckIdentity, CommonNameIgnored) {
  Certificate leaf = load_leaf("leaf_nc_ok.pem");
  EXPECT_FALSE(check_identity(leaf, {ReferenceIdentity::Kind::dns, "nc_ok"}).ok());
  EXPECT_TRUE(check_identity(leaf, {ReferenceIdentity::Kind::ip, "10.1.2.3"}).ok());
}

// A reference name in one of those forms is refused with a message that says
// how to write the address, never matched against a dNSName.
TEST(CheckIdentity, NumericIpv4FormsAreNotMatchedAsDnsNames) {
  Certificate leaf = load_leaf("leaf.pem");
  auto r = check_identity(leaf, {ReferenceIdentity::Kind::dns, "127.1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(r.error().message().find("dotted-quad"), std::string::npos) << r.error().message();
}

TEST(EmailMatches, LocalPartExactDomainFolded) {
  EXPECT_TRUE(email_matches("admin@example.com", "admin@EXAMPLE.com"));
  EXPECT_FALSE(email_matches("Admin@example.com", "admin@example.com"));
  EXPECT_FALSE(email_matches("admin@example.com", "admin@sub.example.com"));
  EXPECT_FALSE(email_matches("example.com", "admin@example.com"));
}

}  // namespace
}  // namespace tessera::x509
