// Tests for x509/verify: declarative chain cases over the openssl-generated
// fixtures of tests/vectors/x509v (see gen.sh there for what each one is).
#include "x509/verify.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>

#include "crypto/provider.h"
#include "x509/der_writer.h"
#include "x509/pem.h"

namespace tessera::x509 {
namespace {

// 2026-06-01T00:00:00Z: inside 2025-01-01 .. 2035-01-01.
constexpr int64_t kNow = 1780272000;

std::string read(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/x509v/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<Bytes> ders(const std::string& name) {
  auto r = pem_decode_label(read(name), pem_label::kCertificate);
  EXPECT_TRUE(r.ok()) << name;
  return r.ok() ? *r : std::vector<Bytes>{};
}

// A chain case: the leaf, the untrusted certificates, the anchors.
struct Case {
  std::string leaf;
  std::vector<std::string> untrusted;
  std::vector<std::string> trusted = {"root.pem"};
};

class VerifyTest : public ::testing::Test {
 protected:
  Result<VerifiedPath> run(const Case& c, VerifyOptions opts = {}, bool with_report = true) {
    trust_ = TrustStore();
    for (const std::string& t : c.trusted) {
      auto r = trust_.add_pem(as_bytes_view(read(t)));
      EXPECT_TRUE(r.ok()) << t;
    }
    std::vector<Bytes> chain = ders(c.leaf);
    for (const std::string& u : c.untrusted) {
      for (Bytes& d : ders(u)) chain.push_back(std::move(d));
    }
    if (opts.now_unix == 0) opts.now_unix = kNow;
    return verify_chain(*provider_, trust_, chain, opts, with_report ? &report_ : nullptr);
  }

  // run_with_crl verifies c with `crl` as the only CRL, under `check`.
  Result<VerifiedPath> run_with_crl(const Case& c, Crl crl, CrlCheck check) {
    CrlSet crls;
    crls.add(std::move(crl));
    VerifyOptions o;
    o.crls = &crls;
    o.crl_check = check;
    return run(c, o);
  }
  void expect_error(const Result<VerifiedPath>& r, ErrorCode code, const std::string& substring) {
    ASSERT_FALSE(r.ok()) << report_.to_string();
    EXPECT_EQ(r.error().code(), code) << r.error().to_string();
    EXPECT_NE(r.error().message().find(substring), std::string::npos)
        << "message: " << r.error().message() << "\nwanted: " << substring;
    EXPECT_FALSE(report_.valid);
    ASSERT_TRUE(report_.error.has_value());
    EXPECT_EQ(report_.error->code(), code);
  }

  std::vector<std::string> subjects(const VerifiedPath& p) {
    std::vector<std::string> out;
    for (const auto& c : p.certs) out.push_back(c->subject().to_string());
    return out;
  }

  std::shared_ptr<crypto::Provider> provider_ = crypto::default_provider();
  TrustStore trust_;
  VerifyReport report_;
};

using Strings = std::vector<std::string>;

TEST_F(VerifyTest, ValidChain) {
  VerifyOptions o;
  o.identities = {{ReferenceIdentity::Kind::dns, "www.example.com"}};
  auto r = run({"leaf.pem", {"int.pem"}}, o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(subjects(*r), (Strings{"CN=www.example.com", "CN=Test Intermediate", "CN=Test Root"}));
  EXPECT_TRUE(report_.valid);
  EXPECT_EQ(report_.chain.size(), 3u);
  EXPECT_TRUE(report_.chain[2].anchor);
  EXPECT_EQ(report_.signature_checks, 2u);
  for (const auto& ch : report_.checks) EXPECT_TRUE(ch.ok) << ch.name << ": " << ch.detail;
  std::string text = report_.to_string();
  EXPECT_NE(text.find("Result: OK"), std::string::npos) << text;
  EXPECT_NE(text.find("[trust anchor]"), std::string::npos) << text;
  // Passed checks carry their details in a report (built only when one is
  // asked for): every certificate's validity period, the identity match.
  size_t validity = 0, identity = 0;
  for (const auto& ch : report_.checks) {
    if (ch.name == "validity" && ch.detail.find(" .. ") != std::string::npos) ++validity;
    if (ch.name == "identity" && ch.detail.find("matches") != std::string::npos) ++identity;
  }
  EXPECT_EQ(validity, 3u);
  EXPECT_EQ(identity, 1u);
}

TEST_F(VerifyTest, WithoutAReportTheSameChainVerifiesAndFailuresAreNamed) {
  // No report: passed checks are not written out, failures still are.
  VerifyOptions o;
  o.identities = {{ReferenceIdentity::Kind::dns, "www.example.com"}};
  auto r = run({"leaf.pem", {"int.pem"}}, o, /*with_report=*/false);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->certs.size(), 3u);
  o.identities = {{ReferenceIdentity::Kind::dns, "other.example.com"}};
  auto bad = run({"leaf.pem", {"int.pem"}}, o, /*with_report=*/false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::cert_name_mismatch);
  EXPECT_NE(bad.error().message().find("certificate 0 (CN=www.example.com)"), std::string::npos)
      << bad.error().message();
}

TEST_F(VerifyTest, LeafExpiredAndNotYetValid) {
  expect_error(run({"leaf_expired.pem", {"int.pem"}}), ErrorCode::cert_expired,
               "certificate 0 (CN=www.example.com) expired at 2021-01-01T00:00:00Z");
  expect_error(run({"leaf_future.pem", {"int.pem"}}), ErrorCode::cert_not_yet_valid,
               "certificate 0 (CN=www.example.com) is not valid before 2030-01-01T00:00:00Z");
  // The same chain at a time inside the leaf's validity is fine.
  VerifyOptions o;
  o.now_unix = 1610000000;  // 2021-01-07: leaf_expired expired, int not yet valid
  expect_error(run({"leaf.pem", {"int.pem"}}, o), ErrorCode::cert_not_yet_valid,
               "certificate 0 (CN=www.example.com) is not valid before 2025-01-01T00:00:00Z");
}

TEST_F(VerifyTest, IntermediateExpired) {
  expect_error(run({"leaf.pem", {"int_expired.pem"}}), ErrorCode::cert_expired,
               "certificate 1 (CN=Test Intermediate) expired at 2021-01-01T00:00:00Z");
}

TEST_F(VerifyTest, ExpiredAlternativeIsSkipped) {
  // Both intermediates share name and key; the expired one comes first.
  auto r = run({"leaf.pem", {"int_expired.pem", "int.pem"}});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->certs[1]->not_after(), 2051222400);  // 2035-01-01: the valid one
}

TEST_F(VerifyTest, CrossSignedWithExpiredRootBacktracks) {
  // int_by_root2 (valid) leads to the expired Root Two; int leads to Test
  // Root. The first candidate tried fails at the anchor; backtracking finds
  // the other path.
  auto r = run({"leaf.pem", {"int_by_root2.pem", "int.pem"}, {"root2_expired.pem", "root.pem"}});
  ASSERT_TRUE(r.ok()) << r.error().to_string() << "\n" << report_.to_string();
  EXPECT_EQ(subjects(*r), (Strings{"CN=www.example.com", "CN=Test Intermediate", "CN=Test Root"}));
  EXPECT_GE(report_.paths_tried, 2u);
  bool noted = std::any_of(report_.notes.begin(), report_.notes.end(), [](const std::string& n) {
    return n.find("Root Two") != std::string::npos && n.find("expired") != std::string::npos;
  });
  EXPECT_TRUE(noted) << report_.to_string();
  // With only Root Two trusted there is no valid path.
  expect_error(run({"leaf.pem", {"int_by_root2.pem", "int.pem"}, {"root2_expired.pem"}}),
               ErrorCode::cert_expired, "certificate 2 (CN=Root Two) expired at");
}

TEST_F(VerifyTest, MissingIntermediate) {
  expect_error(run({"leaf.pem", {}}), ErrorCode::cert_untrusted,
               "certificate 0 (CN=www.example.com) issuer CN=Test Intermediate not found among 1 "
               "trusted certificates");
}

TEST_F(VerifyTest, UnknownIssuer) {
  expect_error(run({"leaf_other.pem", {"other_root.pem", "int.pem"}}), ErrorCode::cert_untrusted,
               "certificate 1 (CN=Other Root) is self-signed and not among the 1 trusted "
               "certificates and 2 untrusted ones");
}

TEST_F(VerifyTest, ShuffledAndUnrelatedIntermediates) {
  std::vector<std::string> extra = {"sub_int.pem", "int.pem",     "other_root.pem",
                                    "nc_int.pem",  "pl0_int.pem", "fake_int_self.pem",
                                    "v1_int.pem"};
  std::mt19937 rng(1234);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(extra.begin(), extra.end(), rng);
    auto r = run({"leaf_sub.pem", extra});
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(subjects(*r), (Strings{"CN=www.example.com", "CN=Sub Intermediate",
                                     "CN=Test Intermediate", "CN=Test Root"}));
  }
}

TEST_F(VerifyTest, BadSignatureFromImpostorIssuer) {
  // leaf_badsig is signed by a key that calls itself Test Intermediate; the
  // real Test Intermediate's key does not verify it.
  expect_error(run({"leaf_badsig.pem", {"int.pem"}}), ErrorCode::cert_bad_signature,
               "certificate 0 (CN=www.example.com) signature by CN=Test Intermediate: "
               "ecdsa-with-SHA256 signature does not verify");
  // With an authorityKeyIdentifier naming the impostor's key, the real
  // intermediate is not even a candidate.
  expect_error(run({"leaf_wrong_akid.pem", {"int.pem"}}), ErrorCode::cert_untrusted,
               "issuer CN=Test Intermediate not found among 1 trusted certificates and 1 untrusted "
               "ones (1 certificate(s) with that name have a different key identifier)");
}

TEST_F(VerifyTest, PathLenViolation) {
  expect_error(
      run({"leaf_pl.pem", {"under_pl0.pem", "pl0_int.pem"}}), ErrorCode::cert_path_length,
      "certificate 2 (CN=PathLen0 Intermediate) allows 0 intermediate(s) below it, found 1");
}

TEST_F(VerifyTest, MaximumDepth) {
  VerifyOptions o;
  o.max_intermediates = 1;
  expect_error(run({"leaf_sub.pem", {"sub_int.pem", "int.pem"}}, o), ErrorCode::cert_path_length,
               "would exceed the maximum of 1 intermediates");
  o.max_intermediates = 2;
  EXPECT_TRUE(run({"leaf_sub.pem", {"sub_int.pem", "int.pem"}}, o).ok());
}

TEST_F(VerifyTest, NameConstraints) {
  Case c{"leaf_nc_ok.pem", {"nc_int.pem"}};
  EXPECT_TRUE(run(c).ok());
  c.leaf = "leaf_nc_dns_bad.pem";
  expect_error(
      run(c), ErrorCode::cert_name_constraints,
      "certificate 0 (CN=nc_dns_bad) violates the name constraints of certificate 1 (CN=NC "
      "Intermediate): DNS:www.example.net is not in the permitted subtrees");
  c.leaf = "leaf_nc_excluded.pem";
  expect_error(run(c), ErrorCode::cert_name_constraints,
               "DNS:x.bad.example.com is in the excluded subtree DNS:bad.example.com");
  c.leaf = "leaf_nc_ip_bad.pem";
  expect_error(run(c), ErrorCode::cert_name_constraints,
               "IP:192.168.1.1 is not in the permitted subtrees");
}

TEST_F(VerifyTest, WrongExtendedKeyUsage) {
  expect_error(run({"leaf_client.pem", {"int.pem"}}), ErrorCode::cert_bad_usage,
               "certificate 0 (CN=www.example.com) extKeyUsage does not include serverAuth");
  VerifyOptions o;
  o.purpose = Purpose::client_auth;
  EXPECT_TRUE(run({"leaf_client.pem", {"int.pem"}}, o).ok());
  o.purpose = Purpose::server_auth;
  o.required_ekus = {"codeSigning"};
  expect_error(run({"leaf.pem", {"int.pem"}}, o), ErrorCode::cert_bad_usage,
               "extKeyUsage does not include codeSigning");
  o.required_ekus = {"1.3.6.1.5.5.7.3.1"};
  EXPECT_TRUE(run({"leaf.pem", {"int.pem"}}, o).ok());
}

TEST_F(VerifyTest, WrongKeyUsage) {
  expect_error(run({"leaf_ku.pem", {"int.pem"}}), ErrorCode::cert_bad_usage,
               "keyUsage allows neither digitalSignature nor key exchange");
  VerifyOptions o;
  o.required_key_usage = *key_usage_from_name("keyEncipherment");
  expect_error(run({"leaf.pem", {"int.pem"}}, o), ErrorCode::cert_bad_usage,
               "keyUsage lacks a required bit");
  o.required_key_usage = *key_usage_from_name("digitalSignature");
  EXPECT_TRUE(run({"leaf.pem", {"int.pem"}}, o).ok());
}

TEST_F(VerifyTest, WeakKeyAndSha1Signature) {
  expect_error(
      run({"leaf_rsa1024.pem", {"int.pem"}}), ErrorCode::cert_weak_key,
      "certificate 0 (CN=www.example.com) RSA key of 1024 bits is below the minimum of 2048");
  expect_error(run({"leaf_sha1.pem", {"int.pem"}}), ErrorCode::cert_weak_key,
               "signature algorithm ecdsa-with-SHA1 is too weak");
}

TEST_F(VerifyTest, UnknownCriticalExtension) {
  expect_error(run({"leaf_crit.pem", {"int.pem"}}), ErrorCode::cert_unsupported,
               "certificate 0 (CN=www.example.com) has unsupported critical extension "
               "1.3.6.1.4.1.55555.1");
}

TEST_F(VerifyTest, NotACaIntermediate) {
  expect_error(run({"leaf_under_noca.pem", {"noca_int.pem"}}), ErrorCode::cert_invalid_ca,
               "certificate 1 (CN=NotCA Intermediate) is not a CA (basicConstraints CA:FALSE)");
}

TEST_F(VerifyTest, V1Intermediate) {
  expect_error(
      run({"leaf_under_v1.pem", {"v1_int.pem"}}), ErrorCode::cert_invalid_ca,
      "certificate 1 (CN=V1 Intermediate) is a v1 certificate and cannot issue certificates");
  // Trusted directly, the v1 certificate is an anchor and may issue.
  EXPECT_TRUE(run({"leaf_under_v1.pem", {}, {"v1_int.pem"}}).ok());
}

TEST_F(VerifyTest, TrustedIntermediateIsAnAnchor) {
  auto r = run({"leaf.pem", {}, {"int.pem"}});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->certs.size(), 2u);
}

// int_crl.pem: the intermediate's CRL (thisUpdate 2026-01-01, nextUpdate
// 2027-01-01) listing leaf_revoked.pem (keyCompromise). No CRL of the root's
// covers the intermediate.
void add_int_crl(CrlSet& set) {
  auto r = set.add_pem(as_bytes_view(read("int_crl.pem")));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(*r, 1u);
}

TEST_F(VerifyTest, RevokedByCrl) {
  CrlSet crls;
  add_int_crl(crls);
  VerifyOptions o;
  o.crls = &crls;
  o.crl_check = CrlCheck::best_effort;
  expect_error(run({"leaf_revoked.pem", {"int.pem"}}, o), ErrorCode::cert_revoked,
               "certificate 0 (CN=revoked.example.com) was revoked at");
  EXPECT_NE(report_.error->message().find("keyCompromise"), std::string::npos);
  // The other leaf is not listed; the intermediate has no CRL.
  auto r = run({"leaf.pem", {"int.pem"}}, o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  // Without CRLs the revoked leaf verifies.
  EXPECT_TRUE(run({"leaf_revoked.pem", {"int.pem"}}).ok());
  // A CRL that is not yet valid is ignored.
  o.now_unix = 1760000000;  // 2025-10-09, before thisUpdate 2026-01-01
  EXPECT_TRUE(run({"leaf_revoked.pem", {"int.pem"}}, o).ok());
}

// RFC 5280 6.3: with CrlCheck::chain (the default) every certificate below
// the anchor needs a usable CRL from its issuer; the intermediate has none.
TEST_F(VerifyTest, CrlCheckChainNeedsACrlForEveryCertificate) {
  CrlSet crls;
  add_int_crl(crls);
  VerifyOptions o;
  o.crls = &crls;
  expect_error(run({"leaf.pem", {"int.pem"}}, o), ErrorCode::cert_revocation_unknown,
               "certificate 1 (CN=Test Intermediate) has no usable CRL from its issuer "
               "CN=Test Root (none given)");
  EXPECT_EQ(default_alert(ErrorCode::cert_revocation_unknown),
            AlertDescription::certificate_unknown);
  // A revoked leaf is reported as revoked (its check comes first).
  expect_error(run({"leaf_revoked.pem", {"int.pem"}}, o), ErrorCode::cert_revoked,
               "was revoked at");
}

TEST_F(VerifyTest, CrlCheckLeafNeedsAUsableCrlForTheLeaf) {
  CrlSet crls;
  add_int_crl(crls);
  VerifyOptions o;
  o.crls = &crls;
  o.crl_check = CrlCheck::leaf;
  auto r = run({"leaf.pem", {"int.pem"}}, o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  expect_error(run({"leaf_revoked.pem", {"int.pem"}}, o), ErrorCode::cert_revoked,
               "(reason: keyCompromise)");
  // Not yet valid and expired CRLs are not usable, and say so.
  o.now_unix = 1760000000;  // 2025-10-09
  expect_error(run({"leaf.pem", {"int.pem"}}, o), ErrorCode::cert_revocation_unknown,
               "certificate 0 (CN=www.example.com) has no usable CRL from its issuer CN=Test "
               "Intermediate: CRL from CN=Test Intermediate is not yet valid (thisUpdate "
               "2026-01-01T00:00:00Z)");
  o.now_unix = 1814400000;  // 2027-07-01
  expect_error(run({"leaf.pem", {"int.pem"}}, o), ErrorCode::cert_revocation_unknown,
               "expired (nextUpdate 2027-01-01T00:00:00Z)");
}

TEST_F(VerifyTest, CrlWithABadSignatureIsNotUsed) {
  auto der = pem_decode_label(read("int_crl.pem"), pem_label::kCrl);
  ASSERT_TRUE(der.ok() && der->size() == 1);
  Bytes tampered = der->front();
  tampered[tampered.size() - 5] ^= 0x01;  // inside signatureValue
  auto crl = Crl::parse(tampered);
  ASSERT_TRUE(crl.ok()) << crl.error().to_string();
  CrlSet crls;
  crls.add(std::move(*crl));
  VerifyOptions o;
  o.crls = &crls;
  o.crl_check = CrlCheck::best_effort;
  // A forged CRL cannot revoke...
  EXPECT_TRUE(run({"leaf_revoked.pem", {"int.pem"}}, o).ok());
  // ...nor vouch for a certificate.
  o.crl_check = CrlCheck::leaf;
  expect_error(run({"leaf.pem", {"int.pem"}}, o), ErrorCode::cert_revocation_unknown,
               "CRL from CN=Test Intermediate signature does not verify");
}

// RFC 5280 5.3.1: removeFromCRL belongs to delta CRLs (it un-revokes a
// certificate a base CRL listed); a complete CRL carrying it is inconsistent,
// so the verifier does not use it, whatever the entry's serial. The entry of
// int_crl.pem is re-coded from keyCompromise to removeFromCRL, which breaks
// the signature: the message shows the CRL is refused for its reason code,
// which is checked first.
TEST_F(VerifyTest, CompleteCrlListingRemoveFromCrlIsNotUsed) {
  auto der = pem_decode_label(read("int_crl.pem"), pem_label::kCrl);
  ASSERT_TRUE(der.ok() && der->size() == 1);
  Bytes patched = der->front();
  // cRLReason extension: OID 2.5.29.21, OCTET STRING { ENUMERATED 1 }.
  const uint8_t reason_ext[] = {0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01, 0x01};
  auto at =
      std::search(patched.begin(), patched.end(), std::begin(reason_ext), std::end(reason_ext));
  ASSERT_NE(at, patched.end());
  at[sizeof reason_ext - 1] = 8;  // removeFromCRL
  auto crl = Crl::parse(patched);
  ASSERT_TRUE(crl.ok()) << crl.error().to_string();
  EXPECT_TRUE(crl->lists_remove_from_crl());
  ASSERT_EQ(crl->revoked().size(), 1u);
  EXPECT_EQ(crl->revoked()[0].reason, CrlReason::remove_from_crl);
  CrlSet crls;
  crls.add(std::move(*crl));
  VerifyOptions o;
  o.crls = &crls;
  o.crl_check = CrlCheck::leaf;
  expect_error(run({"leaf_revoked.pem", {"int.pem"}}, o), ErrorCode::cert_revocation_unknown,
               "CRL from CN=Test Intermediate lists an entry with reason removeFromCRL, which "
               "only delta CRLs may");
  o.crl_check = CrlCheck::best_effort;
  EXPECT_TRUE(run({"leaf_revoked.pem", {"int.pem"}}, o).ok());
}

// RFC 5280 6.3.3 (b)(2): a CRL with an issuingDistributionPoint covers only
// its scope (here onlyContainsCACerts), whether or not the extension is
// marked critical; tessera does not check scopes, so it does not use such a
// CRL: a leaf CRL check is left without one. (The CRL is unsigned: the scope
// is checked first, and the message says so.)
TEST_F(VerifyTest, PartitionedCrlIsNotUsedCriticalOrNot) {
  for (bool critical : {false, true}) {
    DerWriter w;
    w.sequence([&](DerWriter& cl) {
      cl.sequence([&](DerWriter& tbs) {
        tbs.integer(1);
        tbs.sequence([](DerWriter& a) { a.oid(oids::kEcdsaWithSha256); });
        tbs.raw(Name::from_string("CN=Test Intermediate")->der());
        tbs.time(1767225600);  // 2026-01-01
        tbs.time(1798761600);  // 2027-01-01
        tbs.constructed(tag::context_constructed(0), [&](DerWriter& c) {
          c.sequence([&](DerWriter& l) {
            l.sequence([&](DerWriter& e) {
              e.oid(oids::kIssuingDistributionPoint);
              if (critical) e.boolean(true);
              // IssuingDistributionPoint { onlyContainsCACerts [2] TRUE }
              e.octet_string_wrapping([](DerWriter& v) {
                v.sequence([](DerWriter& idp) { idp.element(0x82, Bytes{0xff}); });
              });
            });
          });
        });
      });
      cl.sequence([](DerWriter& a) { a.oid(oids::kEcdsaWithSha256); });
      cl.bit_string(Bytes(8, 0));
    });
    auto crl = Crl::parse(std::move(w).take());
    ASSERT_TRUE(crl.ok()) << crl.error().to_string();
    EXPECT_TRUE(crl->has_issuing_distribution_point());
    EXPECT_FALSE(crl->has_unknown_critical_extension());
    expect_error(run_with_crl({"leaf.pem", {"int.pem"}}, std::move(*crl), CrlCheck::leaf),
                 ErrorCode::cert_revocation_unknown, "issuingDistributionPoint");
  }
}

TEST_F(VerifyTest, CrlSignatureIsCheckedOncePerIssuerKey) {
  CrlSet crls;
  add_int_crl(crls);
  auto int_der = ders("int.pem");
  ASSERT_EQ(int_der.size(), 1u);
  auto inter = Certificate::parse(int_der[0]);
  ASSERT_TRUE(inter.ok());
  EXPECT_FALSE(crls.verified_with(0, inter->spki_der()));
  VerifyOptions o;
  o.crls = &crls;
  o.crl_check = CrlCheck::leaf;
  ASSERT_TRUE(run({"leaf.pem", {"int.pem"}}, o).ok());
  EXPECT_TRUE(crls.verified_with(0, inter->spki_der()));
  // Another key (the root's) has not verified it.
  auto root = Certificate::parse(ders("root.pem")[0]);
  ASSERT_TRUE(root.ok());
  EXPECT_FALSE(crls.verified_with(0, root->spki_der()));
  // A remembered pair is still subject to the dates: at 2027-07 it is expired.
  o.now_unix = 1814400000;
  expect_error(run({"leaf.pem", {"int.pem"}}, o), ErrorCode::cert_revocation_unknown, "expired");
}

TEST(CrlSetTest, AddPemRefusesTextWithoutACrlAndBadBlocks) {
  CrlSet set;
  auto none = set.add_pem(as_bytes_view(
      std::string_view("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::cert_parse);
  auto junk = set.add_pem(as_bytes_view(std::string_view("\x30\x03\x02\x01\x01", 5)));
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code(), ErrorCode::cert_parse);
  EXPECT_TRUE(set.empty());
  // Two CRLs in one text, plus the same again: four.
  std::string two = read("int_crl.pem") + read("int_crl.pem");
  auto r = set.add_pem(as_bytes_view(two));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, 2u);
  EXPECT_EQ(set.size(), 2u);
}

// The work is bounded by count (signature checks), not by a wall-clock
// time, which a loaded machine or a sanitizer would break.
TEST_F(VerifyTest, HostileSameNameIntermediatesHitWorkLimit) {
  expect_error(run({"leaf_hostile.pem", {"hostile_set.pem"}}), ErrorCode::cert_work_limit,
               "path building gave up after");
  EXPECT_LE(report_.signature_checks, 65u);
}

TEST_F(VerifyTest, IdentityMismatch) {
  VerifyOptions o;
  o.identities = {{ReferenceIdentity::Kind::dns, "a.b.example.org"}};
  expect_error(
      run({"leaf.pem", {"int.pem"}}, o), ErrorCode::cert_name_mismatch,
      "certificate 0 (CN=www.example.com): certificate does not match host a.b.example.org");
  o.identities = {{ReferenceIdentity::Kind::dns, "x.example.org"},
                  {ReferenceIdentity::Kind::ip, "::1"},
                  {ReferenceIdentity::Kind::email, "admin@example.com"}};
  EXPECT_TRUE(run({"leaf.pem", {"int.pem"}}, o).ok());
  o.identities.push_back({ReferenceIdentity::Kind::ip, "10.0.0.1"});
  expect_error(run({"leaf.pem", {"int.pem"}}, o), ErrorCode::cert_name_mismatch,
               "does not match IP address 10.0.0.1");
}

TEST_F(VerifyTest, LeafParseErrorAndNoTime) {
  TrustStore t;
  std::vector<Bytes> chain = {Bytes{0x30, 0x03, 0x02, 0x01, 0x01}};
  VerifyOptions o;
  o.now_unix = kNow;
  auto r = verify_chain(*provider_, t, chain, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::cert_parse);
  EXPECT_NE(r.error().message().find("certificate 0"), std::string::npos);
  o.now_unix = 0;
  chain = ders("leaf.pem");
  EXPECT_EQ(verify_chain(*provider_, t, chain, o).error().code(), ErrorCode::config_invalid);
}

TEST(EkuAndKeyUsageNames, Mapping) {
  EXPECT_EQ(eku_from_name("serverAuth"), oids::kServerAuth);
  EXPECT_EQ(eku_from_name("1.3.6.1.5.5.7.3.2"), oids::kClientAuth);
  EXPECT_FALSE(eku_from_name("nonsense"));
  EXPECT_EQ(key_usage_from_name("keyCertSign"), 1u << 5);
  EXPECT_FALSE(key_usage_from_name("keycertsign"));
}

}  // namespace
}  // namespace tessera::x509
