#include "x509/builder.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/hex.h"
#include "support/shell.h"
#include "support/temp_dir.h"
#include "x509/identity.h"
#include "x509/pem.h"

namespace tessera::x509 {
namespace {

constexpr UnixTime kNow = 1772323200;  // 2026-03-01T00:00:00Z

crypto::Provider& provider() {
  static std::shared_ptr<crypto::Provider> p = crypto::default_provider();
  return *p;
}

using testing::TempDir;

using testing::have_openssl;

std::pair<int, std::string> run(const std::string& cmd) { return testing::run_shell(cmd); }

Certificate parse(const Bytes& der) {
  Result<Certificate> c = Certificate::parse(der);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message());
  return c.ok() ? *c : Certificate{};
}

struct KeyCase {
  const char* name;
  crypto::KeyGenParams params;
  SignatureScheme scheme;
};

// gtest would otherwise print a KeyCase as raw bytes, padding included, which
// valgrind reports as a read of uninitialised memory (make test-valgrind).
[[maybe_unused]] void PrintTo(const KeyCase& k, std::ostream* os) { *os << k.name; }

class LocalPkiTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(LocalPkiTest, IssuesAValidChain) {
  const KeyCase& kc = GetParam();
  Result<LocalPki> pki = make_local_pki(provider(), kc.params, kNow);
  ASSERT_TRUE(pki.ok()) << pki.error().message();
  Certificate ca = parse(pki->ca.der);
  Certificate server = parse(pki->server.der);
  Certificate client = parse(pki->client.der);

  EXPECT_EQ(ca.subject().to_string(), "O=tessera, CN=tessera local CA");
  EXPECT_TRUE(ca.is_self_issued());
  EXPECT_TRUE(ca.is_ca());
  EXPECT_EQ(ca.extensions().basic_constraints->path_len, 0u);
  EXPECT_TRUE(ca.extensions().key_usage->has(KeyUsageBit::key_cert_sign));
  EXPECT_FALSE(ca.extensions().authority_key_id.has_value());
  EXPECT_EQ(ca.signature_algorithm().scheme, kc.scheme);
  EXPECT_EQ(ca.serial().size(), 16u);
  EXPECT_EQ(ca.not_before(), kNow - 3600);
  EXPECT_EQ(ca.not_after(), kNow + 30 * 86400);

  // Key identifiers: RFC 5280 4.2.1.2 method 1, and AKI = issuer's SKI.
  Result<Bytes> kid = key_identifier(provider(), ca.spki_der());
  ASSERT_TRUE(kid.ok());
  EXPECT_EQ(*ca.extensions().subject_key_id, *kid);
  EXPECT_EQ(*server.extensions().authority_key_id->key_id, *kid);
  EXPECT_EQ(*client.extensions().authority_key_id->key_id, *kid);

  EXPECT_TRUE(names_equal(server.issuer(), ca.subject()));
  EXPECT_EQ(server.subject().common_name(), "localhost");
  EXPECT_FALSE(server.is_ca());
  EXPECT_TRUE(server.extensions().basic_constraints.has_value());
  EXPECT_TRUE(server.extensions().ext_key_usage->has(oids::kServerAuth));
  EXPECT_FALSE(server.extensions().ext_key_usage->has(oids::kClientAuth));
  EXPECT_TRUE(server.extensions().key_usage->has(KeyUsageBit::digital_signature));
  EXPECT_EQ(server.extensions().key_usage->has(KeyUsageBit::key_encipherment),
            kc.params.type == crypto::KeyType::rsa);
  std::vector<std::string> sans;
  for (const GeneralName& n : *server.extensions().subject_alt_names) sans.push_back(n.to_string());
  EXPECT_EQ(sans, (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
  EXPECT_TRUE(client.extensions().ext_key_usage->has(oids::kClientAuth));
  EXPECT_FALSE(client.extensions().ext_key_usage->has(oids::kServerAuth));
  EXPECT_NE(to_hex(server.serial()), to_hex(client.serial()));

  // Signatures verify under the CA key, and not under another key.
  EXPECT_TRUE(verify_certificate_signature(provider(), ca, ca.spki_der()).ok());
  Result<void> sv = verify_certificate_signature(provider(), server, ca.spki_der());
  EXPECT_TRUE(sv.ok()) << sv.error().message();
  EXPECT_TRUE(verify_certificate_signature(provider(), client, ca.spki_der()).ok());
  Result<void> wrong = verify_certificate_signature(provider(), server, server.spki_der());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), ErrorCode::cert_bad_signature);

  // The keys match the certificates.
  EXPECT_EQ(pki->server.key->public_spki(), server.public_key_info().der);
  Result<std::string> key_pem = pki->server.key_pem();
  ASSERT_TRUE(key_pem.ok());
  EXPECT_NE(key_pem->find("-----BEGIN PRIVATE KEY-----"), std::string::npos);

  if (!have_openssl()) GTEST_SKIP() << "openssl CLI not available";
  TempDir dir;
  std::string ca_path = dir.write("ca.pem", pki->ca.cert_pem());
  std::string server_path = dir.write("server.pem", pki->server.cert_pem());
  std::string client_path = dir.write("client.pem", pki->client.cert_pem());
  for (const std::string& p : {ca_path, server_path, client_path}) {
    auto [rc, out] = run("openssl x509 -noout -in " + p);
    EXPECT_EQ(rc, 0) << out;
  }
  // openssl verify at the certificates' own time.
  std::string at = " -attime " + std::to_string(kNow) + " ";
  auto [rc1, out1] =
      run("openssl verify" + at + "-CAfile " + ca_path + " -purpose sslserver " + server_path);
  EXPECT_EQ(rc1, 0) << out1;
  auto [rc2, out2] =
      run("openssl verify" + at + "-CAfile " + ca_path + " -purpose sslclient " + client_path);
  EXPECT_EQ(rc2, 0) << out2;
  // And the purposes are enforced: the client cert is no server cert.
  auto [rc3, out3] =
      run("openssl verify" + at + "-CAfile " + ca_path + " -purpose sslserver " + client_path);
  EXPECT_NE(rc3, 0) << out3;
}

INSTANTIATE_TEST_SUITE_P(
    KeyTypes, LocalPkiTest,
    ::testing::Values(
        KeyCase{"p256", {crypto::KeyType::ec_p256, 0}, SignatureScheme::ecdsa_secp256r1_sha256},
        KeyCase{"p384", {crypto::KeyType::ec_p384, 0}, SignatureScheme::ecdsa_secp384r1_sha384},
        KeyCase{"ed25519", {crypto::KeyType::ed25519, 0}, SignatureScheme::ed25519}),
    [](const ::testing::TestParamInfo<KeyCase>& i) { return std::string(i.param.name); });

TEST(CertificateBuilder, IntermediateWithNameConstraintsAndCrl) {
  Result<std::unique_ptr<crypto::PrivateKey>> root_key =
      provider().generate_private_key({crypto::KeyType::ec_p256, 0});
  Result<std::unique_ptr<crypto::PrivateKey>> inter_key =
      provider().generate_private_key({crypto::KeyType::ec_p384, 0});
  Result<std::unique_ptr<crypto::PrivateKey>> leaf_key =
      provider().generate_private_key({crypto::KeyType::ed25519, 0});
  ASSERT_TRUE(root_key.ok() && inter_key.ok() && leaf_key.ok());

  CertificateBuilder rb(provider());
  rb.subject(*Name::from_string("C=US, O=Builder Test, CN=Root"))
      .validity(kNow - 86400, kNow + 3650 * 86400LL)
      .ca(std::nullopt)
      .serial({0x01});
  Result<Bytes> root_der = rb.self_sign(**root_key);
  ASSERT_TRUE(root_der.ok()) << root_der.error().message();
  Certificate root = parse(*root_der);
  EXPECT_EQ(root.serial_hex(), "01");
  EXPECT_FALSE(root.extensions().basic_constraints->path_len.has_value());

  GeneralName permitted_dns;
  permitted_dns.type = GeneralNameType::dns_name;
  permitted_dns.text = "example.com";
  GeneralName permitted_ip;
  permitted_ip.type = GeneralNameType::ip_address;
  permitted_ip.ip = *from_hex("0a000000ff000000");
  GeneralName excluded_dns;
  excluded_dns.type = GeneralNameType::dns_name;
  excluded_dns.text = "bad.example.com";
  CertificateBuilder ib(provider());
  ib.subject(*Name::from_string("C=US, O=Builder Test, CN=Intermediate"))
      .validity(kNow - 86400, kNow + 365 * 86400)
      .ca(0)
      .subject_public_key((*inter_key)->public_spki())
      .name_constraints({permitted_dns, permitted_ip}, {excluded_dns})
      .crl_distribution_uri("http://crl.example.com/root.crl")
      .policy(*Oid::from_string("2.23.140.1.2.1"));
  Result<Bytes> inter_der = ib.sign(root, **root_key);
  ASSERT_TRUE(inter_der.ok()) << inter_der.error().message();
  Certificate inter = parse(*inter_der);
  ASSERT_TRUE(inter.extensions().name_constraints.has_value());
  EXPECT_TRUE(inter.extensions().is_critical(oids::kNameConstraints));
  EXPECT_EQ(inter.extensions().name_constraints->permitted.size(), 2u);
  EXPECT_EQ(inter.extensions().name_constraints->permitted[1].base.to_string(),
            "IP:10.0.0.0/255.0.0.0");
  EXPECT_EQ(inter.extensions().name_constraints->excluded[0].base.to_string(),
            "DNS:bad.example.com");
  EXPECT_EQ(inter.extensions().crl_distribution_uris,
            std::vector<std::string>{"http://crl.example.com/root.crl"});
  EXPECT_EQ((*inter.extensions().certificate_policies)[0].to_string(), "2.23.140.1.2.1");
  EXPECT_TRUE(verify_certificate_signature(provider(), inter, root.spki_der()).ok());

  // A leaf with an empty subject: the SAN must then be critical.
  CertificateBuilder lb(provider());
  lb.validity(kNow - 60, kNow + 86400)
      .leaf_for(LeafRole::server_and_client)
      .subject_public_key((*leaf_key)->public_spki())
      .add_dns("www.example.com")
      .add_ip(*parse_ip_address("10.1.2.3"))
      .add_email("ops@example.com")
      .add_uri("https://www.example.com/");
  Result<Bytes> leaf_der = lb.sign(inter, **inter_key);
  ASSERT_TRUE(leaf_der.ok()) << leaf_der.error().message();
  Certificate leaf = parse(*leaf_der);
  EXPECT_TRUE(leaf.subject().empty());
  EXPECT_TRUE(leaf.extensions().is_critical(oids::kSubjectAltName));
  EXPECT_EQ(leaf.signature_algorithm().scheme, SignatureScheme::ecdsa_secp384r1_sha384);
  EXPECT_EQ(leaf.public_key_info().algorithm, PublicKeyAlgorithm::ed25519);
  EXPECT_TRUE(leaf.extensions().ext_key_usage->has(oids::kServerAuth));
  EXPECT_TRUE(leaf.extensions().ext_key_usage->has(oids::kClientAuth));
  EXPECT_EQ((*leaf.extensions().subject_alt_names)[3].to_string(), "URI:https://www.example.com/");
  EXPECT_TRUE(verify_certificate_signature(provider(), leaf, inter.spki_der()).ok());

  // A CRL from the root revoking the intermediate.
  CrlBuilder cb(provider());
  cb.this_update(kNow)
      .next_update(kNow + 7 * 86400)
      .crl_number(42)
      .revoke(Bytes(inter.serial().begin(), inter.serial().end()), kNow - 10,
              CrlReason::ca_compromise);
  Result<Bytes> crl_der = cb.sign(root, **root_key);
  ASSERT_TRUE(crl_der.ok()) << crl_der.error().message();
  Result<Crl> crl = Crl::parse(*crl_der);
  ASSERT_TRUE(crl.ok()) << crl.error().message();
  EXPECT_TRUE(names_equal(crl->issuer(), root.subject()));
  EXPECT_EQ(crl->this_update(), kNow);
  EXPECT_EQ(crl->next_update(), kNow + 7 * 86400);
  EXPECT_EQ(to_hex(*crl->crl_number()), "2a");
  EXPECT_EQ(*crl->authority_key_id(), *root.extensions().subject_key_id);
  const RevokedCertificate* r = crl->find_revoked(inter.serial());
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->reason, CrlReason::ca_compromise);
  EXPECT_EQ(crl->find_revoked(leaf.serial()), nullptr);
  EXPECT_TRUE(verify_signature(provider(), crl->signature_algorithm(), crl->tbs(), crl->signature(),
                               root.spki_der())
                  .ok());

  if (!have_openssl()) GTEST_SKIP() << "openssl CLI not available";
  TempDir dir;
  std::string root_path = dir.write("root.pem", pem_encode(pem_label::kCertificate, *root_der));
  std::string inter_path = dir.write("inter.pem", pem_encode(pem_label::kCertificate, *inter_der));
  std::string leaf_path = dir.write("leaf.pem", pem_encode(pem_label::kCertificate, *leaf_der));
  std::string crl_path = dir.write("root.crl", pem_encode(pem_label::kCrl, *crl_der));
  std::string at = " -attime " + std::to_string(kNow) + " ";
  auto [rc, out] = run("openssl verify" + at + "-CAfile " + root_path + " -untrusted " +
                       inter_path + " " + leaf_path);
  EXPECT_EQ(rc, 0) << out;
  auto [rc2, out2] = run("openssl crl -noout -in " + crl_path + " -CAfile " + root_path);
  EXPECT_EQ(rc2, 0) << out2;
  EXPECT_NE(out2.find("verify OK"), std::string::npos) << out2;
  auto [rc3, out3] = run("openssl verify" + at + "-crl_check -CRLfile " + crl_path + " -CAfile " +
                         root_path + " " + inter_path);
  EXPECT_NE(rc3, 0) << out3;
  EXPECT_NE(out3.find("revoked"), std::string::npos) << out3;
}

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/x509/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// RSA signing, with the openssl-made RSA root of the fixtures as issuer (RSA
// key generation is slow, so the RSA path is tested with a stored key).
TEST(CertificateBuilder, SignsWithOpensslMadeRsaCa) {
  std::string key_pem = read_fixture("root_rsa.key");
  Result<std::unique_ptr<crypto::PrivateKey>> root_key =
      provider().load_private_key(as_bytes_view(key_pem));
  ASSERT_TRUE(root_key.ok()) << root_key.error().message();
  Result<std::vector<Certificate>> roots =
      parse_certificates(as_bytes_view(read_fixture("root_rsa.pem")));
  ASSERT_TRUE(roots.ok() && roots->size() == 1);
  const Certificate& root = (*roots)[0];
  // Leaf with the fixture's RSA key (so keyEncipherment is expected).
  Result<std::unique_ptr<crypto::PrivateKey>> leaf_key =
      provider().load_private_key(as_bytes_view(read_fixture("leaf_pss.key")));
  ASSERT_TRUE(leaf_key.ok());
  const UnixTime t = root.not_before() + 3600;  // within the root's validity
  CertificateBuilder b(provider());
  b.subject(*Name::from_string("CN=rsa.example.com"))
      .validity(t - 60, t + 86400)
      .leaf_for(LeafRole::server)
      .add_dns("rsa.example.com")
      .subject_public_key((*leaf_key)->public_spki());
  Result<Bytes> der = b.sign(root, **root_key);
  ASSERT_TRUE(der.ok()) << der.error().message();
  Certificate leaf = parse(*der);
  EXPECT_EQ(leaf.signature_algorithm().scheme, SignatureScheme::rsa_pkcs1_sha256);
  EXPECT_EQ(leaf.signature_algorithm().parameters, (Bytes{0x05, 0x00}));
  EXPECT_TRUE(leaf.extensions().key_usage->has(KeyUsageBit::key_encipherment));
  EXPECT_EQ(*leaf.extensions().authority_key_id->key_id, *root.extensions().subject_key_id);
  EXPECT_TRUE(verify_certificate_signature(provider(), leaf, root.spki_der()).ok());
  if (!have_openssl()) GTEST_SKIP() << "openssl CLI not available";
  TempDir dir;
  std::string leaf_path = dir.write("leaf.pem", pem_encode(pem_label::kCertificate, *der));
  auto [rc, out] =
      run("openssl verify -attime " + std::to_string(t) + " -purpose sslserver -CAfile " +
          std::string(TESSERA_TEST_DATA_DIR) + "/x509/root_rsa.pem " + leaf_path);
  EXPECT_EQ(rc, 0) << out;
}

TEST(CertificateBuilder, RefusesInconsistentInput) {
  Result<std::unique_ptr<crypto::PrivateKey>> k1 =
      provider().generate_private_key({crypto::KeyType::ec_p256, 0});
  Result<std::unique_ptr<crypto::PrivateKey>> k2 =
      provider().generate_private_key({crypto::KeyType::ec_p256, 0});
  ASSERT_TRUE(k1.ok() && k2.ok());
  CertificateBuilder b(provider());
  b.subject(*Name::from_string("CN=x")).validity(kNow, kNow + 10).ca(std::nullopt);
  Result<Bytes> root_der = b.self_sign(**k1);
  ASSERT_TRUE(root_der.ok());
  Certificate root = parse(*root_der);

  CertificateBuilder no_key(provider());
  no_key.subject(*Name::from_string("CN=y")).validity(kNow, kNow + 10);
  Result<Bytes> r1 = no_key.sign(root, **k1);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code(), ErrorCode::config_invalid);

  CertificateBuilder wrong_issuer_key(provider());
  wrong_issuer_key.subject(*Name::from_string("CN=y"))
      .validity(kNow, kNow + 10)
      .subject_public_key((*k2)->public_spki());
  Result<Bytes> r2 = wrong_issuer_key.sign(root, **k2);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message().find("does not match"), std::string::npos);

  CertificateBuilder backwards(provider());
  backwards.subject(*Name::from_string("CN=y")).validity(kNow, kNow - 1);
  Result<Bytes> r3 = backwards.self_sign(**k2);
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message().find("is not after notBefore"), std::string::npos);

  CertificateBuilder far(provider());
  far.subject(*Name::from_string("CN=y")).validity(kNow, 253402300800);  // year 10000
  EXPECT_FALSE(far.self_sign(**k2).ok());

  CertificateBuilder bad_ip(provider());
  bad_ip.subject(*Name::from_string("CN=y")).validity(kNow, kNow + 10).add_ip({1, 2, 3});
  EXPECT_FALSE(bad_ip.self_sign(**k2).ok());

  CertificateBuilder nothing(provider());
  nothing.validity(kNow, kNow + 10);
  EXPECT_FALSE(nothing.self_sign(**k2).ok());
}

TEST(CertificateBuilder, LongValidityUsesGeneralizedTime) {
  Result<std::unique_ptr<crypto::PrivateKey>> k =
      provider().generate_private_key({crypto::KeyType::ed25519, 0});
  ASSERT_TRUE(k.ok());
  CertificateBuilder b(provider());
  b.subject(*Name::from_string("CN=long")).validity(kNow, 4102444800).ca(1);  // 2100-01-01
  Result<Bytes> der = b.self_sign(**k);
  ASSERT_TRUE(der.ok()) << der.error().message();
  Certificate c = parse(*der);
  EXPECT_EQ(format_iso8601(c.not_after()), "2100-01-01T00:00:00Z");
  EXPECT_EQ(c.extensions().basic_constraints->path_len, 1u);
}

}  // namespace
}  // namespace tessera::x509

namespace tessera::x509 {
namespace {

// A CRL of many entries, issued in no particular serial order and of serials
// of several lengths: find_revoked's index finds every listed one and no
// other (the handshake looks the peer's serial up in every usable CRL).
TEST(CrlBuilder, LargeCrlLookupFindsEveryEntryAndNothingElse) {
  Result<LocalPki> pki = make_local_pki(provider(), crypto::KeyGenParams{}, kNow);
  ASSERT_TRUE(pki.ok()) << pki.error().message();
  Certificate ca = parse(pki->ca.der);
  auto serial = [](uint32_t v) {
    Bytes b;
    for (int shift = 24; shift >= 0; shift -= 8)
      if (!b.empty() || (v >> shift) != 0 || shift == 0)
        b.push_back(static_cast<uint8_t>(v >> shift));
    if (b[0] & 0x80) b.insert(b.begin(), 0);  // a positive INTEGER
    return b;
  };
  CrlBuilder cb(provider());
  cb.this_update(kNow).next_update(kNow + 86400);
  constexpr uint32_t kEntries = 20000;
  // Odd numbers only, in a scrambled order (7919 is prime to 20000).
  for (uint32_t i = 0; i < kEntries; ++i) cb.revoke(serial(((i * 7919) % kEntries) * 2 + 1), kNow);
  Result<Bytes> der = cb.sign(ca, *pki->ca.key);
  ASSERT_TRUE(der.ok()) << der.error().message();
  Result<Crl> crl = Crl::parse(*der);
  ASSERT_TRUE(crl.ok()) << crl.error().message();
  ASSERT_EQ(crl->revoked().size(), kEntries);
  for (uint32_t v = 0; v <= 2 * kEntries + 2; ++v) {
    const RevokedCertificate* r = crl->find_revoked(serial(v));
    if (v % 2 == 1 && v < 2 * kEntries) {
      ASSERT_NE(r, nullptr) << v;
      EXPECT_EQ(r->serial, serial(v));
    } else {
      ASSERT_EQ(r, nullptr) << v;
    }
  }
  // The same number with a different encoding length is another serial.
  EXPECT_EQ(crl->find_revoked(Bytes{0x00, 0x01}), nullptr);
}

// RFC 5280 5.3.1: removeFromCRL is for delta CRLs only; the builder writes
// complete CRLs and refuses it, naming the reason.
TEST(CrlBuilder, RefusesRemoveFromCrlInACompleteCrl) {
  Result<LocalPki> pki = make_local_pki(provider(), crypto::KeyGenParams{}, kNow);
  ASSERT_TRUE(pki.ok()) << pki.error().message();
  Certificate ca = parse(pki->ca.der);
  CrlBuilder cb(provider());
  cb.this_update(kNow).next_update(kNow + 86400).revoke(Bytes{0x05}, kNow, CrlReason::superseded);
  ASSERT_TRUE(cb.sign(ca, *pki->ca.key).ok());
  cb.revoke(Bytes{0x06}, kNow, CrlReason::remove_from_crl);
  Result<Bytes> der = cb.sign(ca, *pki->ca.key);
  ASSERT_FALSE(der.ok());
  EXPECT_EQ(der.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(der.error().message().find("removeFromCRL is only for delta CRLs"), std::string::npos)
      << der.error().message();
}

}  // namespace
}  // namespace tessera::x509
