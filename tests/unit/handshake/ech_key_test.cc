// EchKey (tessera/ech.h): generating a server's ECH key, its PEM file, the
// config lists clients get; and the accept confirmation of
// draft-ietf-tls-esni 7.2, recomputed here from its definition.
#include <gtest/gtest.h>

#include <string>

#include "crypto/key_schedule.h"
#include "crypto/provider.h"
#include "handshake/ech.h"
#include "support/freed_memory_probe.h"
#include "tessera/ech.h"
#include "wire/ech.h"
#include "x509/pem.h"

namespace tessera {
namespace {

EchKey make(const std::string& name = "public.example", uint8_t id = 7, uint8_t max = 32) {
  auto k = EchKey::generate({name, id, max});
  EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().to_string());
  return std::move(*k);
}

TEST(EchKey, GenerateMakesAConfigClientsCanUse) {
  EchKey k = make();
  EXPECT_EQ(k.public_name(), "public.example");
  EXPECT_EQ(k.config_id(), 7);
  EXPECT_EQ(k.private_key().size(), 32u);
  auto c = wire::EchConfig::parse(k.config());
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->version, wire::kEchVersion);
  EXPECT_EQ(c->contents.key_config.config_id, 7);
  EXPECT_EQ(c->contents.key_config.kem_id, 0x0020);  // DHKEM(X25519, HKDF-SHA256)
  EXPECT_EQ(c->contents.key_config.public_key.size(), 32u);
  ASSERT_EQ(c->contents.key_config.cipher_suites.size(), 2u);
  EXPECT_EQ(c->contents.key_config.cipher_suites[0], (wire::HpkeSymmetricCipherSuite{1, 1}));
  EXPECT_EQ(c->contents.key_config.cipher_suites[1], (wire::HpkeSymmetricCipherSuite{1, 3}));
  EXPECT_EQ(c->contents.maximum_name_length, 32);
  EXPECT_EQ(c->contents.public_name, "public.example");
  auto client = handshake::EchClient::choose(k.config_list());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  EXPECT_EQ((*client)->public_name(), "public.example");
  // Two keys make two different key pairs.
  EXPECT_NE(make().private_key(), k.private_key());
}

TEST(EchKey, RefusesPublicNamesThatAreNotDnsNames) {
  for (const char* bad :
       {"", "10.0.0.1", "example.0x1f", "-bad.example", "a..b", "exa mple.com", "example.com."}) {
    auto k = EchKey::generate({bad, 1, 0});
    ASSERT_FALSE(k.ok()) << bad;
    EXPECT_EQ(k.error().code(), ErrorCode::config_invalid) << bad;
  }
}

TEST(EchKey, PemRoundTrip) {
  EchKey k = make();
  const std::string pem = k.to_pem();
  EXPECT_NE(pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_NE(pem.find("-----BEGIN ECHCONFIG-----"), std::string::npos);
  auto back = EchKey::from_pem(pem);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->config(), k.config());
  EXPECT_EQ(back->private_key(), k.private_key());
  EXPECT_EQ(back->public_name(), k.public_name());
  EXPECT_EQ(back->config_id(), k.config_id());
  // The ECHCONFIG block is an ECHConfigList holding the one config.
  auto lists = x509::pem_decode_label(pem, "ECHCONFIG");
  ASSERT_TRUE(lists.ok());
  ASSERT_EQ(lists->size(), 1u);
  EXPECT_EQ((*lists)[0], k.config_list());
}

TEST(EchKey, FromPemRefusesMismatchesAndOtherKeys) {
  EchKey a = make(), b = make();
  const std::string pa = a.to_pem(), pb = b.to_pem();
  // a's private key with b's config.
  const std::string mixed =
      pa.substr(0, pa.find("-----BEGIN ECHCONFIG")) + pb.substr(pb.find("-----BEGIN ECHCONFIG"));
  auto m = EchKey::from_pem(mixed);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message().find("not the private key's"), std::string::npos)
      << m.error().to_string();
  // No config; no key; an EC key instead of X25519.
  EXPECT_FALSE(EchKey::from_pem(pa.substr(0, pa.find("-----BEGIN ECHCONFIG"))).ok());
  EXPECT_FALSE(EchKey::from_pem(pa.substr(pa.find("-----BEGIN ECHCONFIG"))).ok());
  auto ec = crypto::default_provider()->generate_private_key({});
  ASSERT_TRUE(ec.ok());
  auto ec_pem = (*ec)->to_pkcs8_pem();
  ASSERT_TRUE(ec_pem.ok());
  auto wrong = EchKey::from_pem(*ec_pem + pa.substr(pa.find("-----BEGIN ECHCONFIG")));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), ErrorCode::config_invalid);
}

TEST(EchKey, ConfigListConcatenatesInOrder) {
  auto a = std::make_shared<EchKey>(make("a.example", 1));
  auto b = std::make_shared<EchKey>(make("b.example", 2));
  auto list = ech_config_list({a, b});
  auto parsed = wire::EchConfigList::parse(list);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  ASSERT_EQ(parsed->configs.size(), 2u);
  EXPECT_EQ(parsed->configs[0].raw, a->config());
  EXPECT_EQ(parsed->configs[1].raw, b->config());
  // A client takes the first one it can use.
  auto client = handshake::EchClient::choose(list);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->public_name(), "a.example");
}

// Loading a key file leaves no copy of the private key in memory it frees
// (the probe searches every freed block for the marker the key starts with).
TEST(EchKey, FromPemLeavesNoCopyOfTheKeyInFreedMemory) {
  TESSERA_SKIP_WITHOUT_PROBE();
  Bytes raw(std::begin(testing::kSecretMarker), std::end(testing::kSecretMarker));
  raw.resize(32, 0x42);
  auto share = crypto::default_provider()->import_key_share(NamedGroup::x25519, raw);
  ASSERT_TRUE(share.ok());
  wire::EchConfigContents c;
  c.key_config.config_id = 3;
  c.key_config.kem_id = 0x0020;
  c.key_config.public_key.assign((*share)->public_value().begin(), (*share)->public_value().end());
  c.key_config.cipher_suites = {{1, 1}};
  c.public_name = "public.example";
  auto config = wire::EchConfig::make(c);
  ASSERT_TRUE(config.ok());
  // RFC 8410 7: PKCS#8 of an X25519 key.
  Bytes der = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
               0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20};
  der.insert(der.end(), raw.begin(), raw.end());
  Bytes list = {0, static_cast<uint8_t>(config->raw.size())};
  list.insert(list.end(), config->raw.begin(), config->raw.end());
  const std::string pem =
      x509::pem_encode("ECHCONFIG", list) + x509::pem_encode("PRIVATE KEY", der);
  testing::FreedMemoryProbe probe;
  {
    auto k = EchKey::from_pem(pem);
    ASSERT_TRUE(k.ok()) << k.error().to_string();
    EXPECT_EQ(k->private_key(), raw);
    EXPECT_EQ(k->config_id(), 3);
  }
  EXPECT_EQ(probe.freed_with_marker(), 0);
}

// The confirmation, computed step by step from draft 7.2 with RFC 8446 7.1's
// HKDF-Expand-Label written out: HkdfLabel = length (2) || "tls13 " + label
// (1-byte length) || context (1-byte length).
TEST(EchConfirmation, MatchesItsDefinition) {
  auto& prov = *crypto::default_provider();
  const Bytes random(32, 0x11), th(32, 0x22);
  for (bool hrr : {false, true}) {
    auto got = handshake::ech_confirmation(prov, HashAlgorithm::sha256, random, th, hrr);
    ASSERT_TRUE(got.ok());
    const std::string label =
        std::string("tls13 ") + (hrr ? "hrr ech accept confirmation" : "ech accept confirmation");
    Bytes info;
    info.reserve(3 + label.size() + 1 + th.size());
    info.push_back(0);
    info.push_back(8);
    info.push_back(static_cast<uint8_t>(label.size()));
    for (char ch : label) info.push_back(static_cast<uint8_t>(ch));
    info.push_back(static_cast<uint8_t>(th.size()));
    info.insert(info.end(), th.begin(), th.end());
    SecretBytes prk = prov.hkdf_extract(HashAlgorithm::sha256, Bytes(32, 0), random);
    auto want = prov.hkdf_expand(HashAlgorithm::sha256, prk.view(), info, 8);
    ASSERT_TRUE(want.ok());
    EXPECT_TRUE(std::equal(got->begin(), got->end(), want->view().begin(), want->view().end()))
        << hrr;
  }
}

}  // namespace
}  // namespace tessera
