#include <gtest/gtest.h>

#include "base/ct.h"
#include "base/secret.h"
#include "tessera/algorithms.h"

namespace tessera {
namespace {

TEST(SecretBytes, HoldsAndCopiesExplicitly) {
  uint8_t raw[4] = {1, 2, 3, 4};
  SecretBytes s(std::span<const uint8_t>(raw, 4));
  ASSERT_EQ(s.size(), 4u);
  SecretBytes c = s.copy();
  EXPECT_TRUE(ct_equal(s.view(), c.view()));
  EXPECT_NE(s.data(), c.data());
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  uint8_t raw[3] = {9, 9, 9};
  SecretBytes a(std::span<const uint8_t>(raw, 3));
  SecretBytes b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): checking the contract
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b.size(), 3u);
  SecretBytes c;
  c = std::move(b);
  EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.view()[2], 9);
}

TEST(SecretBytes, ClearWipes) {
  SecretBytes s(16);
  for (auto& v : s.mutable_view()) v = 0x5a;
  s.clear();
  EXPECT_TRUE(s.empty());
}

TEST(SecureWipe, ZeroesMemory) {
  uint8_t buf[32];
  for (auto& v : buf) v = 0xff;
  secure_wipe(buf, sizeof buf);
  for (auto v : buf) EXPECT_EQ(v, 0);
}

TEST(ConstantTime, Equal) {
  uint8_t a[5] = {1, 2, 3, 4, 5}, b[5] = {1, 2, 3, 4, 5}, c[5] = {1, 2, 3, 4, 6};
  EXPECT_TRUE(ct_equal(a, b));
  EXPECT_FALSE(ct_equal(a, c));
  EXPECT_FALSE(ct_equal(std::span<const uint8_t>(a, 4), b));
  EXPECT_TRUE(ct_equal(std::span<const uint8_t>(), std::span<const uint8_t>()));
}

TEST(ConstantTime, MasksAndSelect) {
  EXPECT_EQ(ct_eq_mask(5, 5), 0xffffffffu);
  EXPECT_EQ(ct_eq_mask(5, 6), 0u);
  EXPECT_EQ(ct_eq_mask(0, 0x80000000u), 0u);
  EXPECT_EQ(ct_mask_from_bit(1), 0xffffffffu);
  EXPECT_EQ(ct_mask_from_bit(0), 0u);
  EXPECT_EQ(ct_select_u8(0xffffffffu, 1, 2), 1);
  EXPECT_EQ(ct_select_u8(0, 1, 2), 2);
  uint8_t z[3] = {0, 0, 0}, nz[3] = {0, 1, 0};
  EXPECT_EQ(ct_is_zero_mask(z), 0xffffffffu);
  EXPECT_EQ(ct_is_zero_mask(nz), 0u);
  uint8_t a[3] = {1, 1, 1}, b[3] = {2, 2, 2}, out[3];
  ct_select(0xffffffffu, a, b, out);
  EXPECT_EQ(out[0], 1);
  ct_select(0, a, b, out);
  EXPECT_EQ(out[2], 2);
}

TEST(Algorithms, NamesAndAliases) {
  EXPECT_EQ(cipher_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(cipher_suite_name(0xffff), "0xffff");
  EXPECT_EQ(parse_cipher_suite("ECDHE-ECDSA-AES128-GCM-SHA256"),
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
  EXPECT_EQ(parse_cipher_suite("AES128-GCM-SHA256"), CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256);
  EXPECT_EQ(parse_group("X25519"), NamedGroup::x25519);
  EXPECT_EQ(parse_group("P-256"), NamedGroup::secp256r1);
  EXPECT_EQ(parse_group("prime256v1"), NamedGroup::secp256r1);
  EXPECT_FALSE(parse_group("").has_value());
  EXPECT_FALSE(parse_group("P-521").has_value());
  EXPECT_EQ(group_name(0x0100), "ffdhe2048");
  EXPECT_EQ(parse_signature_scheme("ecdsa_secp256r1_sha256"),
            SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_EQ(parse_version("1.3"), ProtocolVersion::tls13);
  EXPECT_EQ(parse_version("TLSv1.2"), ProtocolVersion::tls12);
  EXPECT_FALSE(parse_version("1.1").has_value());
  auto info = cipher_suite_info(0x1302);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->hash, HashAlgorithm::sha384);
  EXPECT_EQ(info->aead, AeadAlgorithm::aes_256_gcm);
  EXPECT_FALSE(cipher_suite_info(0x002f).has_value());  // CBC suites are not implemented
  EXPECT_EQ(signature_scheme_hash(SignatureScheme::rsa_pss_rsae_sha384), HashAlgorithm::sha384);
  EXPECT_FALSE(signature_scheme_hash(SignatureScheme::ed25519).has_value());
}

}  // namespace
}  // namespace tessera
