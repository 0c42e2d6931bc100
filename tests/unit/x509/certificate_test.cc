#include "x509/certificate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "base/hex.h"
#include "crypto/provider.h"
#include "x509/der.h"
#include "x509/der_writer.h"
#include "x509/pem.h"

namespace tessera::x509 {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/x509/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Bytes fixture_der(const std::string& name) {
  Result<std::vector<Bytes>> ders = pem_decode_label(read_fixture(name), pem_label::kCertificate);
  EXPECT_TRUE(ders.ok());
  EXPECT_EQ(ders->size(), 1u) << name;
  return ders->empty() ? Bytes{} : (*ders)[0];
}

Certificate fixture(const std::string& name) {
  Result<Certificate> c = Certificate::parse(fixture_der(name));
  EXPECT_TRUE(c.ok()) << name << ": " << (c.ok() ? "" : c.error().message());
  return c.ok() ? *c : Certificate{};
}

Bytes H(std::string_view hex) { return *from_hex(hex); }

// Splits a certificate into its TBS elements, lets `edit` change them (and the
// outer signature algorithm), and re-assembles it. The signature is kept, so
// the result only exercises the parser.
Bytes rebuild(ByteView cert, const std::function<void(std::vector<Bytes>&, Bytes&)>& edit) {
  DerReader outer(cert);
  DerReader seq = *outer.read_sequence();
  DerElement tbs_el = *seq.read_any();
  DerElement alg_el = *seq.read_any();
  DerElement sig_el = *seq.read_any();
  std::vector<Bytes> elems;
  DerReader t(tbs_el.content);
  while (!t.empty()) {
    DerElement e = *t.read_any();
    elems.emplace_back(e.encoded.begin(), e.encoded.end());
  }
  Bytes outer_alg(alg_el.encoded.begin(), alg_el.encoded.end());
  edit(elems, outer_alg);
  DerWriter w;
  w.sequence([&](DerWriter& c) {
    c.sequence([&](DerWriter& s) {
      for (const Bytes& e : elems) s.raw(e);
    });
    c.raw(outer_alg);
    c.raw(sig_el.encoded);
  });
  return std::move(w).take();
}

// Returns the extension elements of a TBS extensions field ([3] { SEQUENCE { ... } }).
std::vector<Bytes> split_extensions(const Bytes& field) {
  DerReader r(field);
  DerReader a3 = *r.read_constructed(tag::context_constructed(3));
  DerReader seq = *a3.read_sequence();
  std::vector<Bytes> out;
  while (!seq.empty()) {
    DerElement e = *seq.read_any();
    out.emplace_back(e.encoded.begin(), e.encoded.end());
  }
  return out;
}

Bytes join_extensions(const std::vector<Bytes>& exts) {
  DerWriter w;
  w.constructed(tag::context_constructed(3), [&](DerWriter& a3) {
    a3.sequence([&](DerWriter& s) {
      for (const Bytes& e : exts) s.raw(e);
    });
  });
  return std::move(w).take();
}

TEST(Certificate, ParsesEcdsaLeafWithAllExtensions) {
  Certificate c = fixture("leaf_ec.pem");
  EXPECT_EQ(c.version(), 3);
  EXPECT_EQ(c.serial_hex(), "c0ffee0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c.signature_algorithm().oid, oids::kEcdsaWithSha256);
  EXPECT_EQ(c.signature_algorithm().scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_FALSE(c.signature_algorithm().weak);
  EXPECT_EQ(c.signature_algorithm().name, "ecdsa-with-SHA256");
  EXPECT_EQ(c.issuer().to_string(), "C=US, O=Tessera Test, CN=Tessera Test Intermediate");
  EXPECT_EQ(c.subject().to_string(),
            "C=US, ST=California, L=San Francisco, O=Example\\, Inc., OU=Web, CN=www.example.com");
  EXPECT_EQ(c.subject().common_name(), "www.example.com");
  EXPECT_EQ(format_iso8601(c.not_before()), "2026-11-26T23:45:18Z");
  EXPECT_EQ(format_iso8601(c.not_after()), "2126-11-02T23:45:18Z");  // GeneralizedTime
  EXPECT_EQ(c.public_key_info().algorithm, PublicKeyAlgorithm::ec);
  EXPECT_EQ(c.public_key_info().curve, oids::kSecp256r1);
  EXPECT_EQ(c.public_key_info().public_key.size(), 65u);
  EXPECT_FALSE(c.is_self_issued());
  EXPECT_FALSE(c.is_ca());
  // The signature is an ECDSA-Sig-Value SEQUENCE.
  EXPECT_EQ(c.signature()[0], 0x30);
  // TBS is a prefix-free part of the certificate.
  EXPECT_EQ(c.tbs()[0], 0x30);
  EXPECT_LT(c.tbs().size(), c.der().size());

  const Extensions& e = c.extensions();
  ASSERT_TRUE(e.basic_constraints.has_value());
  EXPECT_FALSE(e.basic_constraints->ca);
  EXPECT_TRUE(e.is_critical(oids::kBasicConstraints));
  ASSERT_TRUE(e.key_usage.has_value());
  EXPECT_TRUE(e.key_usage->has(KeyUsageBit::digital_signature));
  EXPECT_TRUE(e.key_usage->has(KeyUsageBit::key_agreement));
  EXPECT_FALSE(e.key_usage->has(KeyUsageBit::key_cert_sign));
  EXPECT_FALSE(e.key_usage->has(KeyUsageBit::key_encipherment));
  ASSERT_TRUE(e.ext_key_usage.has_value());
  EXPECT_TRUE(e.ext_key_usage->has(oids::kServerAuth));
  EXPECT_TRUE(e.ext_key_usage->has(oids::kClientAuth));
  EXPECT_FALSE(e.ext_key_usage->allows(oids::kCodeSigning));
  ASSERT_TRUE(e.subject_alt_names.has_value());
  std::vector<std::string> sans;
  for (const GeneralName& n : *e.subject_alt_names) sans.push_back(n.to_string());
  EXPECT_EQ(sans, (std::vector<std::string>{
                      "DNS:www.example.com", "DNS:*.example.com", "IP:10.1.2.3", "IP:2001:db8::1",
                      "email:admin@example.com", "URI:https://www.example.com/",
                      "DirName:C=US, O=Example Dir, CN=Directory Name"}));
  EXPECT_EQ(to_hex((*e.subject_alt_names)[2].ip), "0a010203");
  EXPECT_EQ((*e.subject_alt_names)[6].directory_name.common_name(), "Directory Name");
  ASSERT_TRUE(e.subject_key_id.has_value());
  EXPECT_EQ(to_hex(*e.subject_key_id), "521599981c37cf8da4ef85eef12deebabb4cc57f");
  ASSERT_TRUE(e.authority_key_id.has_value());
  EXPECT_EQ(to_hex(*e.authority_key_id->key_id), "eeae2009cc4366b144bc1dedd552cc034a19a459");
  ASSERT_TRUE(e.certificate_policies.has_value());
  ASSERT_EQ(e.certificate_policies->size(), 2u);
  EXPECT_EQ((*e.certificate_policies)[0].to_string(), "2.23.140.1.2.1");
  EXPECT_EQ((*e.certificate_policies)[1].to_string(), "1.3.6.1.4.1.55555.7");
  EXPECT_EQ(e.crl_distribution_uris, std::vector<std::string>{"http://crl.example.com/inter.crl"});
  EXPECT_FALSE(e.has_unknown_critical_extension);
  EXPECT_EQ(e.all.size(), 8u);
}

TEST(Certificate, ParsesRsaRootAndIntermediateWithNameConstraints) {
  Certificate root = fixture("root_rsa.pem");
  EXPECT_EQ(root.serial_hex(), "01");
  EXPECT_EQ(root.signature_algorithm().scheme, SignatureScheme::rsa_pkcs1_sha256);
  EXPECT_EQ(root.signature_algorithm().name, "sha256WithRSAEncryption");
  EXPECT_EQ(root.public_key_info().algorithm, PublicKeyAlgorithm::rsa);
  EXPECT_TRUE(root.is_self_issued());
  EXPECT_TRUE(root.is_ca());
  EXPECT_EQ(root.extensions().basic_constraints->path_len, 1u);
  EXPECT_TRUE(root.extensions().key_usage->has(KeyUsageBit::key_cert_sign));
  EXPECT_TRUE(root.extensions().key_usage->has(KeyUsageBit::crl_sign));
  EXPECT_EQ(root.signature().size(), 256u);

  Certificate inter = fixture("inter_ec.pem");
  EXPECT_TRUE(names_equal(inter.issuer(), root.subject()));
  EXPECT_EQ(inter.extensions().basic_constraints->path_len, 0u);
  EXPECT_EQ(to_hex(*inter.extensions().authority_key_id->key_id),
            to_hex(*root.extensions().subject_key_id));
  ASSERT_TRUE(inter.extensions().name_constraints.has_value());
  EXPECT_TRUE(inter.extensions().is_critical(oids::kNameConstraints));
  const NameConstraints& nc = *inter.extensions().name_constraints;
  std::vector<std::string> permitted, excluded;
  for (const GeneralSubtree& s : nc.permitted) permitted.push_back(s.base.to_string());
  for (const GeneralSubtree& s : nc.excluded) excluded.push_back(s.base.to_string());
  EXPECT_EQ(permitted,
            (std::vector<std::string>{"DNS:example.com", "IP:10.0.0.0/255.0.0.0",
                                      "IP:2001:db8::/ffff:ffff::", "email:example.com"}));
  EXPECT_EQ(excluded, (std::vector<std::string>{"DNS:bad.example.com",
                                                "IP:2001:db8:bad::/ffff:ffff:ffff::"}));
  EXPECT_EQ(to_hex(nc.permitted[1].base.ip_address()), "0a000000");
  EXPECT_EQ(to_hex(nc.permitted[1].base.ip_mask()), "ff000000");
}

TEST(Certificate, ParsesPssP384Ed25519AndV1) {
  Certificate pss = fixture("leaf_pss.pem");
  EXPECT_EQ(pss.signature_algorithm().oid, oids::kRsassaPss);
  EXPECT_EQ(pss.signature_algorithm().scheme, SignatureScheme::rsa_pss_rsae_sha256);
  EXPECT_EQ(pss.signature_algorithm().name, "rsassaPss (SHA-256)");
  EXPECT_EQ(pss.subject().to_string(), "CN=PSS Client, emailAddress=pss@example.com");
  EXPECT_EQ(pss.subject().attribute_values(oids::kEmailAddress),
            std::vector<std::string>{"pss@example.com"});
  EXPECT_FALSE(pss.extensions().basic_constraints.has_value());

  Certificate p384 = fixture("leaf_p384.pem");
  EXPECT_EQ(p384.signature_algorithm().scheme, SignatureScheme::ecdsa_secp384r1_sha384);
  EXPECT_EQ(p384.public_key_info().curve, oids::kSecp384r1);

  Certificate ed = fixture("ed25519.pem");
  EXPECT_EQ(ed.signature_algorithm().scheme, SignatureScheme::ed25519);
  EXPECT_EQ(ed.signature_algorithm().parameters.size(), 0u);
  EXPECT_EQ(ed.public_key_info().algorithm, PublicKeyAlgorithm::ed25519);
  EXPECT_EQ(ed.public_key_info().public_key.size(), 32u);
  EXPECT_EQ(ed.signature().size(), 64u);
  EXPECT_TRUE(ed.is_self_issued());

  Certificate v1 = fixture("v1.pem");
  EXPECT_EQ(v1.version(), 1);
  EXPECT_TRUE(v1.extensions().all.empty());
  EXPECT_FALSE(v1.extensions().basic_constraints.has_value());
}

TEST(Certificate, FlagsUnknownCriticalExtension) {
  Certificate c = fixture("unknown_crit.pem");
  EXPECT_TRUE(c.extensions().has_unknown_critical_extension);
  ASSERT_EQ(c.extensions().unknown_critical_oids.size(), 1u);
  EXPECT_EQ(c.extensions().unknown_critical_oids[0].to_string(), "1.3.6.1.4.1.55555.1");
  // The non-critical unknown one (.2) is listed but not flagged.
  ASSERT_NE(c.extensions().find(*Oid::from_string("1.3.6.1.4.1.55555.2")), nullptr);
  EXPECT_FALSE(c.extensions().is_critical(*Oid::from_string("1.3.6.1.4.1.55555.2")));
}

TEST(Certificate, RejectsDuplicateExtension) {
  Bytes der = fixture_der("leaf_ec.pem");
  Bytes dup = rebuild(der, [](std::vector<Bytes>& tbs, Bytes&) {
    std::vector<Bytes> exts = split_extensions(tbs.back());
    exts.push_back(exts[2]);  // extendedKeyUsage twice
    tbs.back() = join_extensions(exts);
  });
  Result<Certificate> c = Certificate::parse(dup);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::cert_parse);
  EXPECT_EQ(c.error().message(), "tbsCertificate.extensions: extKeyUsage: duplicate extension");
  // The unmodified rebuild parses: the rebuild itself is faithful.
  Bytes same = rebuild(der, [](std::vector<Bytes>&, Bytes&) {});
  EXPECT_EQ(same, der);
}

TEST(Certificate, RejectsSignatureAlgorithmMismatch) {
  Bytes der = fixture_der("leaf_ec.pem");
  Bytes bad = rebuild(der, [](std::vector<Bytes>&, Bytes& outer) {
    DerWriter w;
    w.sequence([](DerWriter& s) { s.oid(oids::kEcdsaWithSha384); });
    outer = std::move(w).take();
  });
  Result<Certificate> c = Certificate::parse(bad);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("differs from tbsCertificate.signature"), std::string::npos)
      << c.error().message();
}

TEST(Certificate, RejectsProfileViolations) {
  Bytes der = fixture_der("leaf_ec.pem");
  auto expect_error = [&](const std::function<void(std::vector<Bytes>&, Bytes&)>& edit,
                          std::string_view want) {
    Result<Certificate> c = Certificate::parse(rebuild(der, edit));
    ASSERT_FALSE(c.ok()) << want;
    EXPECT_NE(c.error().message().find(want), std::string::npos) << c.error().message();
  };
  // Extensions in a v1 certificate: drop the version field.
  expect_error([](std::vector<Bytes>& t, Bytes&) { t.erase(t.begin()); },
               "tbsCertificate.extensions: not allowed in a v1 certificate");
  // Explicit v1 version.
  expect_error([](std::vector<Bytes>& t, Bytes&) { t[0] = H("a003020100"); }, "v1 must be omitted");
  // Version 4.
  expect_error([](std::vector<Bytes>& t, Bytes&) { t[0] = H("a003020103"); },
               "tbsCertificate.version");
  // Negative serial.
  expect_error([](std::vector<Bytes>& t, Bytes&) { t[1] = H("0201ff"); }, "negative serial");
  // Serial of 21 octets.
  expect_error([](std::vector<Bytes>& t, Bytes&) { t[1] = H("0215 01" + std::string(40, '0')); },
               "21 octets");
  // Non-minimal serial.
  expect_error([](std::vector<Bytes>& t, Bytes&) { t[1] = H("02020001"); },
               "tbsCertificate.serialNumber: non-minimal INTEGER");
  // Empty issuer.
  expect_error([](std::vector<Bytes>& t, Bytes&) { t[3] = H("3000"); },
               "tbsCertificate.issuer: empty name");
  // notAfter with fractional seconds (GeneralizedTime for 2126).
  expect_error(
      [](std::vector<Bytes>& t, Bytes&) {
        DerWriter w;
        w.sequence([](DerWriter& v) {
          v.string(tag::kUtcTime, "261126234518Z");
          v.string(tag::kGeneralizedTime, "21261102234518.5Z");
        });
        t[4] = std::move(w).take();
      },
      "tbsCertificate.validity.notAfter: GeneralizedTime must not have fractional seconds");
  // UTCTime without 'Z'.
  expect_error(
      [](std::vector<Bytes>& t, Bytes&) {
        DerWriter w;
        w.sequence([](DerWriter& v) {
          v.string(tag::kUtcTime, "2611262345180");
          v.string(tag::kGeneralizedTime, "21261102234518Z");
        });
        t[4] = std::move(w).take();
      },
      "tbsCertificate.validity.notBefore: UTCTime must end in 'Z'");
  // Trailing element in the TBS.
  expect_error([](std::vector<Bytes>& t, Bytes&) { t.push_back(H("0500")); },
               "tbsCertificate: trailing data");
  // subjectUniqueID in a v1 certificate (version removed, extensions replaced).
  expect_error(
      [](std::vector<Bytes>& t, Bytes&) {
        t.erase(t.begin());
        t.back() = H("820100");
      },
      "subjectUniqueID: not allowed in a v1 certificate");
  // critical FALSE explicitly encoded.
  expect_error(
      [](std::vector<Bytes>& t, Bytes&) {
        std::vector<Bytes> exts = split_extensions(t.back());
        DerWriter w;
        w.sequence([](DerWriter& e) {
          e.oid(oids::kInhibitAnyPolicy);
          e.boolean(false);
          e.octet_string(H("020100"));
        });
        exts.push_back(std::move(w).take());
        t.back() = join_extensions(exts);
      },
      "critical: FALSE must be omitted");
  // iPAddress of 5 octets in the SAN.
  expect_error(
      [](std::vector<Bytes>& t, Bytes&) {
        std::vector<Bytes> exts = split_extensions(t.back());
        DerWriter w;
        w.sequence([](DerWriter& e) {
          e.oid(oids::kSubjectAltName);
          e.octet_string_wrapping([](DerWriter& v) {
            v.sequence([](DerWriter& s) { s.octet_string(H("0102030405"), 0x87); });
          });
        });
        exts[3] = std::move(w).take();
        t.back() = join_extensions(exts);
      },
      "subjectAltName: name 0: iPAddress of 5 octets (must be 4 or 16)");
  // Outer trailing data.
  Bytes trailing = der;
  trailing.push_back(0);
  Result<Certificate> c = Certificate::parse(trailing);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("trailing"), std::string::npos);
}

TEST(Certificate, TruncationAtEveryOffsetFailsCleanly) {
  for (const char* name : {"leaf_ec.pem", "leaf_pss.pem", "ed25519.pem"}) {
    Bytes der = fixture_der(name);
    for (size_t n = 0; n < der.size(); ++n) {
      Result<Certificate> c = Certificate::parse(ByteView(der).first(n));
      ASSERT_FALSE(c.ok()) << name << " truncated to " << n;
      ASSERT_EQ(c.error().code(), ErrorCode::cert_parse);
    }
    EXPECT_TRUE(Certificate::parse(der).ok());
  }
}

TEST(Certificate, SingleByteCorruptionNeverCrashes) {
  Bytes der = fixture_der("leaf_ec.pem");
  size_t parsed = 0;
  for (size_t i = 0; i < der.size(); ++i) {
    for (uint8_t x : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      Bytes m = der;
      m[i] ^= x;
      Result<Certificate> c = Certificate::parse(m);
      if (c.ok()) ++parsed;  // a change inside a key or signature still parses
    }
  }
  EXPECT_LT(parsed, der.size() * 3);
}

TEST(SignatureAlgorithm, ClassifiesParameters) {
  auto alg = [](const Oid& oid, std::optional<Bytes> params) {
    DerWriter w;
    w.sequence([&](DerWriter& s) {
      s.oid(oid);
      if (params) s.raw(*params);
    });
    return parse_signature_algorithm(std::move(w).take());
  };
  EXPECT_EQ(alg(oids::kSha256WithRsa, H("0500"))->scheme, SignatureScheme::rsa_pkcs1_sha256);
  EXPECT_EQ(alg(oids::kSha384WithRsa, std::nullopt)->scheme, SignatureScheme::rsa_pkcs1_sha384);
  EXPECT_FALSE(alg(oids::kSha256WithRsa, H("020100")).ok());
  EXPECT_FALSE(alg(oids::kEcdsaWithSha256, H("0500")).ok());
  EXPECT_FALSE(alg(oids::kEd25519, H("0500")).ok());
  Result<SignatureAlgorithm> sha1 = alg(oids::kSha1WithRsa, H("0500"));
  EXPECT_TRUE(sha1->weak);
  EXPECT_EQ(sha1->scheme, SignatureScheme::rsa_pkcs1_sha1);
  Result<SignatureAlgorithm> md5 = alg(oids::kMd5WithRsa, H("0500"));
  EXPECT_TRUE(md5->weak);
  EXPECT_FALSE(md5->scheme.has_value());
  EXPECT_TRUE(alg(oids::kEcdsaWithSha1, std::nullopt)->weak);
  Result<SignatureAlgorithm> unknown = alg(*Oid::from_string("1.2.3.4"), H("0500"));
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->scheme.has_value());

  // RSASSA-PSS: SHA-384, MGF1(SHA-384), salt 48.
  auto pss = [&](const Oid& hash, const Oid& mgf_hash, int salt) {
    DerWriter p;
    p.sequence([&](DerWriter& s) {
      s.constructed(tag::context_constructed(0),
                    [&](DerWriter& h) { h.sequence([&](DerWriter& a) { a.oid(hash); }); });
      s.constructed(tag::context_constructed(1), [&](DerWriter& m) {
        m.sequence([&](DerWriter& a) {
          a.oid(oids::kMgf1);
          a.sequence([&](DerWriter& hh) { hh.oid(mgf_hash); });
        });
      });
      s.constructed(tag::context_constructed(2), [&](DerWriter& sl) { sl.integer(salt); });
    });
    return alg(oids::kRsassaPss, std::move(p).take());
  };
  EXPECT_EQ(pss(oids::kSha384, oids::kSha384, 48)->scheme, SignatureScheme::rsa_pss_rsae_sha384);
  EXPECT_EQ(pss(oids::kSha512, oids::kSha512, 64)->scheme, SignatureScheme::rsa_pss_rsae_sha512);
  EXPECT_FALSE(pss(oids::kSha384, oids::kSha384, 32)->scheme.has_value());
  EXPECT_FALSE(pss(oids::kSha384, oids::kSha256, 48)->scheme.has_value());
  // X.690 11.5: DER leaves out a component equal to its DEFAULT: a written
  // out sha1, mgf1SHA1, salt 20 or trailer 1 is not DER.
  for (auto bad : {pss(oids::kSha1, oids::kSha256, 32), pss(oids::kSha256, oids::kSha1, 32),
                   pss(oids::kSha256, oids::kSha256, 20)}) {
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message().find("DEFAULT"), std::string::npos) << bad.error().message();
  }
  // sha256 / mgf1(sha256) / salt 32 / trailerField [3] INTEGER 1.
  Result<SignatureAlgorithm> trailer = alg(
      oids::kRsassaPss, H("3039 a00f300d06096086480165030402010500 a11c301a06092a864886f70d010108"
                          "300d06096086480165030402010500 a203020120 a303020101"));
  ASSERT_FALSE(trailer.ok());
  EXPECT_NE(trailer.error().message().find("DEFAULT"), std::string::npos)
      << trailer.error().message();
  // Absent PSS parameters (all SHA-1 defaults): no scheme, and marked weak.
  EXPECT_FALSE(alg(oids::kRsassaPss, std::nullopt).ok());
  Result<SignatureAlgorithm> defaults = alg(oids::kRsassaPss, H("3000"));
  ASSERT_TRUE(defaults.ok());
  EXPECT_FALSE(defaults->scheme.has_value());
  EXPECT_TRUE(defaults->weak);
  // The parameters of an unknown algorithm are kept, but must be DER.
  Result<SignatureAlgorithm> opaque =
      alg(*Oid::from_string("1.2.3.4"), H("3008 0101ff 0303060140"));
  ASSERT_TRUE(opaque.ok());
  EXPECT_EQ(to_hex(opaque->parameters), "30080101ff0303060140");
  Result<SignatureAlgorithm> not_der = alg(*Oid::from_string("1.2.3.4"), H("3003 010101"));
  ASSERT_FALSE(not_der.ok());
  EXPECT_EQ(not_der.error().message(), "parameters: BOOLEAN must be one octet 0x00 or 0xFF");
}

// RFC 5280 4.1.2.7: AlgorithmIdentifier.parameters is ANY DEFINED BY
// algorithm. For a key algorithm tessera does not know, the parameters are
// kept as they are, and must be DER all the same.
TEST(SubjectPublicKeyInfo, ParametersOfUnknownAlgorithmsMustBeDer) {
  auto spki = [](const Oid& oid, std::optional<Bytes> params) {
    DerWriter w;
    w.sequence([&](DerWriter& s) {
      s.sequence([&](DerWriter& a) {
        a.oid(oid);
        if (params) a.raw(*params);
      });
      s.raw(H("0303000102"));  // subjectPublicKey
    });
    return parse_subject_public_key_info(std::move(w).take());
  };
  const Oid unknown = *Oid::from_string("1.2.840.10045.2.1.6.8");
  EXPECT_TRUE(spki(unknown, std::nullopt).ok());
  Result<SubjectPublicKeyInfo> not_tlv = spki(unknown, H("3006 020101 a00105"));
  ASSERT_FALSE(not_tlv.ok());  // [0] holds "05" alone: not a TLV
  EXPECT_EQ(not_tlv.error().message(), "algorithm.parameters: truncated: NULL has no length");
  Result<SubjectPublicKeyInfo> good = spki(unknown, H("3007 020101 a0020500"));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->algorithm, PublicKeyAlgorithm::unknown);
  // The fuzz_x509_differential finding: a BIT STRING with 7 unused bits and
  // no content (OpenSSL accepts it and re-encodes it as 03 01 00).
  Result<SubjectPublicKeyInfo> bits = spki(unknown, H("030107"));
  ASSERT_FALSE(bits.ok());
  EXPECT_EQ(bits.error().message(), "algorithm.parameters: empty BIT STRING with unused bits");
  // X.690 10.2: a constructed OCTET STRING is BER, not DER.
  Result<SubjectPublicKeyInfo> ber = spki(unknown, H("2403040100"));
  ASSERT_FALSE(ber.ok());
  EXPECT_NE(ber.error().message().find("OCTET STRING in constructed form"), std::string::npos);
  // RSASSA-PSS keys: absent parameters, or an RSASSA-PSS-params SEQUENCE.
  EXPECT_TRUE(spki(oids::kRsassaPss, std::nullopt).ok());
  EXPECT_TRUE(spki(oids::kRsassaPss, H("3000")).ok());
  Result<SubjectPublicKeyInfo> pss_null = spki(oids::kRsassaPss, H("0500"));
  ASSERT_FALSE(pss_null.ok());
  EXPECT_EQ(pss_null.error().message(),
            "algorithm.parameters: RSASSA-PSS-params is not a SEQUENCE");
  EXPECT_FALSE(spki(oids::kRsassaPss, H("3003 020001")).ok());
}

TEST(Certificate, VerifiesOpensslSignaturesThroughTheProvider) {
  std::shared_ptr<crypto::Provider> provider = crypto::default_provider();
  Certificate root = fixture("root_rsa.pem");
  Certificate inter = fixture("inter_ec.pem");
  struct Case {
    const char* cert;
    const Certificate* issuer;
  } cases[] = {{"root_rsa.pem", &root},   {"inter_ec.pem", &root}, {"leaf_ec.pem", &inter},
               {"leaf_p384.pem", &inter}, {"leaf_pss.pem", &root}, {"v1.pem", &root}};
  for (const Case& c : cases) {
    Certificate cert = fixture(c.cert);
    Result<void> r = verify_certificate_signature(*provider, cert, c.issuer->spki_der());
    EXPECT_TRUE(r.ok()) << c.cert << ": " << (r.ok() ? "" : r.error().message());
  }
  Certificate ed = fixture("ed25519.pem");
  EXPECT_TRUE(verify_certificate_signature(*provider, ed, ed.spki_der()).ok());
  // Wrong issuer key.
  Result<void> wrong =
      verify_certificate_signature(*provider, fixture("leaf_ec.pem"), root.spki_der());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), ErrorCode::cert_bad_signature);
  // A flipped bit in the TBS breaks the signature.
  Bytes der = fixture_der("leaf_ec.pem");
  Certificate leaf = fixture("leaf_ec.pem");
  Bytes tbs(leaf.tbs().begin(), leaf.tbs().end());
  tbs[tbs.size() - 5] ^= 1;
  EXPECT_EQ(verify_signature(*provider, leaf.signature_algorithm(), tbs, leaf.signature(),
                             inter.spki_der())
                .error()
                .code(),
            ErrorCode::cert_bad_signature);
  // Weak and unknown algorithms are refused before any key is loaded.
  SignatureAlgorithm sha1 = *parse_signature_algorithm(*from_hex("300d06092a864886f70d0101050500"));
  Result<void> weak =
      verify_signature(*provider, sha1, leaf.tbs(), leaf.signature(), root.spki_der());
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().code(), ErrorCode::cert_unsupported);
  EXPECT_NE(weak.error().message().find("sha1WithRSAEncryption"), std::string::npos);
}

TEST(Certificate, ParseCertificatesReadsBundlesAndDer) {
  std::string bundle = "junk before\n" + read_fixture("leaf_ec.pem") + "comment\n" +
                       read_fixture("inter_ec.pem") + read_fixture("root.crl.pem");
  Result<std::vector<Certificate>> certs = parse_certificates(as_bytes_view(bundle));
  ASSERT_TRUE(certs.ok()) << certs.error().message();
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ((*certs)[1].subject().common_name(), "Tessera Test Intermediate");
  Bytes der = fixture_der("root_rsa.pem");
  Result<std::vector<Certificate>> one = parse_certificates(der);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
}

// with_serial is leaf_ec.pem with serial number `n` (two octets): a distinct
// DER encoding that parses (the signature is not checked by the parser).
Bytes with_serial(const Bytes& der, uint16_t n) {
  return rebuild(der, [n](std::vector<Bytes>& t, Bytes&) {
    t[1] = {0x02, 0x03, 0x01, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  });
}

TEST(ParsedCertificateCache, TheSameDerSharesOneParse) {
  Bytes der = with_serial(fixture_der("leaf_ec.pem"), 7);
  auto a = parse_cached(der);
  ASSERT_TRUE(a.ok()) << a.error().message();
  auto b = parse_cached(Bytes(der));  // equal bytes elsewhere in memory
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->get(), b->get());
  // What the cache hands out is what a parse gives.
  Result<Certificate> fresh = Certificate::parse(der);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(std::equal((*a)->der().begin(), (*a)->der().end(), der.begin(), der.end()));
  EXPECT_EQ((*a)->serial_hex(), fresh->serial_hex());
  EXPECT_EQ((*a)->subject().to_string(), fresh->subject().to_string());
  // A different encoding is a different entry.
  auto c = parse_cached(with_serial(fixture_der("leaf_ec.pem"), 8));
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->get(), c->get());
  EXPECT_EQ((*c)->serial_hex(), "010008");
}

TEST(ParsedCertificateCache, ErrorsAreNotCached) {
  Bytes der = fixture_der("leaf_ec.pem");
  Bytes bad = der;
  bad.push_back(0);  // trailing byte
  for (int i = 0; i < 2; ++i) {
    auto r = parse_cached(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::cert_parse);
  }
}

TEST(ParsedCertificateCache, IsBoundedAndEvictsTheOldestFirst) {
  Bytes base = fixture_der("leaf_ec.pem");
  Bytes first = with_serial(base, 1000);
  auto kept = parse_cached(first);
  ASSERT_TRUE(kept.ok());
  for (uint16_t n = 1001; n < 1001 + kParsedCertificateCacheSize + 5; ++n) {
    ASSERT_TRUE(parse_cached(with_serial(base, n)).ok());
    EXPECT_LE(parsed_certificate_cache_size_for_testing(), kParsedCertificateCacheSize);
  }
  // The first entry was evicted: parsing it again gives a new object, and
  // the one handed out before is still intact (shared ownership).
  auto again = parse_cached(first);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(kept->get(), again->get());
  EXPECT_EQ((*kept)->serial_hex(), "0103e8");
}

TEST(ParsedCertificateCache, ConcurrentLookupsAgree) {
  Bytes base = fixture_der("leaf_ec.pem");
  std::vector<Bytes> ders;
  for (uint16_t n = 2000; n < 2000 + kParsedCertificateCacheSize * 2; ++n)
    ders.push_back(with_serial(base, n));  // twice the bound: lookups race evictions
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 400; ++i) {
        const Bytes& der = ders[static_cast<size_t>(i * 7 + t) % ders.size()];
        auto r = parse_cached(der);
        if (!r.ok() || !std::equal((*r)->der().begin(), (*r)->der().end(), der.begin(), der.end()))
          ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(parsed_certificate_cache_size_for_testing(), kParsedCertificateCacheSize);
}

}  // namespace
}  // namespace tessera::x509
