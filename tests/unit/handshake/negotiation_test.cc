#include "handshake/negotiation.h"

#include <gtest/gtest.h>

namespace tessera::handshake {
namespace {

TEST(Negotiation, VersionPicksHighestAllowed) {
  Policy p = Policy::default_policy();
  std::vector<uint16_t> offered = {0x0304, 0x0303};
  EXPECT_EQ(*choose_version(p, offered), ProtocolVersion::tls13);
  p.max_version = ProtocolVersion::tls12;
  EXPECT_EQ(*choose_version(p, offered), ProtocolVersion::tls12);
  std::vector<uint16_t> old = {0x0302, 0x0301};
  auto e = choose_version(p, old);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().alert(), AlertDescription::protocol_version);
  EXPECT_EQ(e.error().message(),
            "no common protocol version: peer offered [TLS 1.1, TLS 1.0], policy allows [TLS 1.2]");
}

TEST(Negotiation, SuiteByServerPreference) {
  Policy p = Policy::default_policy();
  std::vector<uint16_t> offered = {0x1303, 0x1302, 0x1301};
  EXPECT_EQ(*choose_suite(p, ProtocolVersion::tls13, offered), CipherSuite::TLS_AES_128_GCM_SHA256);
  std::vector<uint16_t> only_chacha = {0x1303};
  EXPECT_EQ(*choose_suite(p, ProtocolVersion::tls13, only_chacha),
            CipherSuite::TLS_CHACHA20_POLY1305_SHA256);
  std::vector<uint16_t> none = {0x1304, 0x002f};
  auto e = choose_suite(p, ProtocolVersion::tls13, none);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().alert(), AlertDescription::handshake_failure);
  EXPECT_NE(e.error().message().find("peer offered [0x1304, 0x002f]"), std::string::npos);
}

TEST(Negotiation, GroupPrefersExistingShareThenRetries) {
  Policy p = Policy::default_policy();  // x25519, secp256r1, secp384r1, ffdhe...
  std::vector<uint16_t> supported = {0x0017, 0x001d};
  std::vector<uint16_t> shares = {0x0017};
  auto c = choose_group_tls13(p, supported, shares);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->group, NamedGroup::secp256r1);
  EXPECT_TRUE(c->have_share);
  std::vector<uint16_t> no_shares;
  c = choose_group_tls13(p, supported, no_shares);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->group, NamedGroup::x25519);
  EXPECT_FALSE(c->have_share);
}

TEST(Negotiation, NoCommonGroupExplainsItself) {
  Policy p = Policy::default_policy();
  ASSERT_TRUE(p.set_groups("secp384r1").ok());
  std::vector<uint16_t> supported = {0x001d};
  auto e = choose_group_tls13(p, supported, supported);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message(),
            "no common group: peer offered [x25519], policy allows [secp384r1]");
}

TEST(Negotiation, Tls12GroupKinds) {
  Policy p = Policy::compat();
  std::vector<uint16_t> offered = {0x0100, 0x0017};
  EXPECT_EQ(*choose_group(p, offered, false), NamedGroup::secp256r1);
  EXPECT_EQ(*choose_group(p, offered, true), NamedGroup::ffdhe2048);
}

TEST(Negotiation, Alpn) {
  std::vector<std::string> server = {"h2", "http/1.1"};
  auto a = choose_alpn(server, {"http/1.1", "h2"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->value(), "h2");
  auto none = choose_alpn(server, {});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto e = choose_alpn(server, {"spdy/3"});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().alert(), AlertDescription::no_application_protocol);
}

TEST(Policy, PresetsAreValidAndNamed) {
  for (const auto& n : Policy::preset_names()) {
    auto p = Policy::by_name(n);
    ASSERT_TRUE(p.has_value()) << n;
    EXPECT_TRUE(p->validate().ok()) << n;
  }
  EXPECT_TRUE(Policy::by_name("compat").has_value());
  EXPECT_FALSE(Policy::by_name("insecure").has_value());
  // The strict preset has no TLS 1.2 and no RSA PKCS#1 signatures.
  Policy s = Policy::strict();
  EXPECT_FALSE(s.allows_version(ProtocolVersion::tls12));
  EXPECT_FALSE(s.allows_scheme(0x0401));
  // RSA key transport only in compat.
  EXPECT_FALSE(Policy::default_policy().allows_suite(0x009c));
  EXPECT_TRUE(Policy::compat().allows_suite(0x009c));
}

TEST(Policy, ListsFromCliNames) {
  Policy p = Policy::default_policy();
  ASSERT_TRUE(p.set_cipher_suites("TLS_AES_256_GCM_SHA384,ECDHE-ECDSA-AES128-GCM-SHA256").ok());
  EXPECT_EQ(p.cipher_suites.size(), 2u);
  auto bad = p.set_groups("x25519,P-999");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("P-999"), std::string::npos);
  Policy q = Policy::default_policy();
  q.min_version = ProtocolVersion::tls13;
  q.max_version = ProtocolVersion::tls12;
  EXPECT_FALSE(q.validate().ok());
}

}  // namespace
}  // namespace tessera::handshake
