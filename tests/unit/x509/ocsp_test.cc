#include "x509/ocsp.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "base/hex.h"
#include "support/shell.h"
#include "support/temp_dir.h"
#include "x509/builder.h"
#include "x509/pem.h"

namespace tessera::x509 {
namespace {

// The fixtures come from tests/vectors/ocsp/gen.sh (see there for what each
// is); their thisUpdate is when gen.sh ran (2026..2029).
constexpr UnixTime kNow = 1893456000;     // 2030-01-01T00:00:00Z
constexpr UnixTime kBefore = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kYears = 20LL * 365 * 86400;

crypto::Provider& provider() {
  static std::shared_ptr<crypto::Provider> p = crypto::default_provider();
  return *p;
}

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/ocsp/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Bytes der_of(const std::string& name) {
  std::string s = read_fixture(name);
  EXPECT_FALSE(s.empty()) << name;
  return Bytes(s.begin(), s.end());
}

Certificate cert(const std::string& name) {
  Result<std::vector<Certificate>> c = parse_certificates(as_bytes_view(read_fixture(name)));
  EXPECT_TRUE(c.ok() && c->size() == 1u) << name;
  return c.ok() && !c->empty() ? (*c)[0] : Certificate{};
}

OcspResponse response(const std::string& name) {
  Result<OcspResponse> r = OcspResponse::parse(der_of(name));
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : OcspResponse{};
}

// at checks at `now`. The vectors' responses are valid for ten years (see
// gen.sh): the 10-day cap on a response's age is lifted here, and tested in
// Freshness.
OcspCheckOptions at(UnixTime now) {
  OcspCheckOptions o;
  o.now = now;
  o.max_validity_s = kYears;
  return o;
}

Result<OcspSingleResponse> check(const std::string& resp, const std::string& leaf,
                                 const std::string& issuer = "ca.pem", UnixTime now = kNow) {
  return check_ocsp_response(provider(), response(resp), cert(leaf), cert(issuer), at(now));
}

// expect_refused checks that r failed with cert_status_invalid and a message
// containing `text`.
template <class T>
void expect_refused(const Result<T>& r, const std::string& text) {
  ASSERT_FALSE(r.ok()) << "expected: " << text;
  EXPECT_EQ(r.error().code(), ErrorCode::cert_status_invalid) << r.error().message();
  EXPECT_NE(r.error().message().find(text), std::string::npos) << r.error().message();
}

TEST(OcspResponse, ParsesOpensslGoodByName) {
  OcspResponse r = response("good_byname.der");
  Certificate ca = cert("ca.pem"), leaf = cert("leaf.pem");
  ASSERT_TRUE(r.responder_name().has_value());
  EXPECT_TRUE(names_equal(*r.responder_name(), ca.subject()));
  EXPECT_FALSE(r.responder_key_hash().has_value());
  EXPECT_EQ(r.signature_algorithm().scheme, SignatureScheme::ecdsa_secp256r1_sha256);
  ASSERT_EQ(r.responses().size(), 1u);
  const OcspSingleResponse& s = r.responses()[0];
  EXPECT_EQ(s.hash, HashAlgorithm::sha1);
  EXPECT_EQ(to_hex(s.serial), "1001");
  EXPECT_EQ(s.status, OcspCertStatus::good);
  EXPECT_EQ(s.issuer_name_hash, provider().digest(HashAlgorithm::sha1, leaf.issuer().der()));
  EXPECT_EQ(s.issuer_key_hash, *key_identifier(provider(), ca.spki_der()));
  ASSERT_TRUE(s.next_update.has_value());
  // -ndays 3650: ten years (and a leap day or three) after thisUpdate.
  EXPECT_EQ(*s.next_update - s.this_update, 3650LL * 86400);
  EXPECT_EQ(r.produced_at(), s.this_update);
  EXPECT_GE(s.this_update, kBefore);
  EXPECT_LT(s.this_update, kNow);
  EXPECT_TRUE(r.nonce().has_value());  // openssl ocsp adds a nonce by default
  EXPECT_FALSE(r.has_unknown_critical_extension());
  ASSERT_EQ(r.certs().size(), 1u);  // the signer's certificate
  EXPECT_TRUE(std::ranges::equal(r.certs()[0].der(), ca.der()));
  EXPECT_TRUE(
      verify_signature(provider(), r.signature_algorithm(), r.tbs(), r.signature(), ca.spki_der())
          .ok());

  Result<OcspSingleResponse> c = check("good_byname.der", "leaf.pem");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->status, OcspCertStatus::good);
  EXPECT_TRUE(ocsp_status_result(*c, leaf).ok());
  EXPECT_EQ(ocsp_status_name(c->status), "good");
}

TEST(OcspResponse, ByKeyWithSha256CertId) {
  OcspResponse r = response("good_bykey_sha256.der");
  Certificate ca = cert("ca.pem");
  EXPECT_FALSE(r.responder_name().has_value());
  ASSERT_TRUE(r.responder_key_hash().has_value());
  EXPECT_EQ(*r.responder_key_hash(), *key_identifier(provider(), ca.spki_der()));
  EXPECT_FALSE(r.nonce().has_value());
  ASSERT_EQ(r.responses().size(), 1u);
  EXPECT_EQ(r.responses()[0].hash, HashAlgorithm::sha256);
  EXPECT_EQ(r.responses()[0].issuer_key_hash.size(), 32u);
  Result<OcspSingleResponse> c = check("good_bykey_sha256.der", "leaf.pem");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->status, OcspCertStatus::good);
}

TEST(OcspResponse, RevokedWithTimeAndReason) {
  Result<OcspSingleResponse> c = check("revoked.der", "revoked.pem");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->status, OcspCertStatus::revoked);
  EXPECT_EQ(format_iso8601(c->revocation_time), "2026-03-01T12:00:00Z");
  EXPECT_EQ(c->reason, CrlReason::key_compromise);
  Result<void> v = ocsp_status_result(*c, cert("revoked.pem"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::cert_revoked);
  EXPECT_EQ(v.error().message(),
            "certificate CN=ocsp revoked serial 1002 was revoked at 2026-03-01T12:00:00Z (reason: "
            "keyCompromise) according to the OCSP response for CN=Tessera OCSP Test CA");
  // The same response does not speak for another certificate of the CA.
  expect_refused(check("revoked.der", "leaf.pem"),
                 "OCSP response does not cover certificate CN=ocsp leaf serial 1001");
}

TEST(OcspResponse, UnknownStatusIsAnError) {
  Result<OcspSingleResponse> c = check("unknown.der", "unknown.pem");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->status, OcspCertStatus::unknown);
  expect_refused(ocsp_status_result(*c, cert("unknown.pem")), "as unknown");
}

TEST(OcspResponse, DelegatedResponder) {
  for (const char* name : {"delegated.der", "delegated_bykey.der"}) {
    OcspResponse r = response(name);
    ASSERT_EQ(r.certs().size(), 1u) << name;
    EXPECT_EQ(r.certs()[0].subject().to_string(), "CN=ocsp responder");
    EXPECT_EQ(r.signature_algorithm().scheme, SignatureScheme::rsa_pkcs1_sha256);
    Result<OcspSingleResponse> c = check(name, "leaf.pem");
    ASSERT_TRUE(c.ok()) << name << ": " << c.error().message();
    EXPECT_EQ(c->status, OcspCertStatus::good);
  }
}

TEST(OcspResponse, DelegatedResponderWithoutEkuOrFromAnotherCaIsRefused) {
  expect_refused(check("delegated_noeku.der", "leaf.pem"),
                 "OCSP response signed by CN=ocsp responder without EKU, which is neither the "
                 "issuer nor a responder it delegated (id-kp-OCSPSigning): its certificate has "
                 "no extKeyUsage id-kp-OCSPSigning");
  expect_refused(check("delegated_other_ca.der", "leaf.pem"),
                 "its certificate was issued by CN=Tessera OCSP Other CA, not by CN=Tessera OCSP "
                 "Test CA");
  // A response signed by the twin (same name, other key) is not the CA's.
  Result<OcspSingleResponse> twin = check("twin.der", "twin_leaf.pem", "twin_ca.pem");
  ASSERT_TRUE(twin.ok()) << twin.error().message();
  expect_refused(check("twin.der", "leaf.pem"), "does not cover certificate");
}

TEST(OcspResponse, AnotherIssuerWithTheSameNameIsNotCovered) {
  // twin_leaf.pem has leaf.pem's issuer name and serial, but another issuer
  // key: the issuerKeyHash tells them apart.
  expect_refused(check("good_byname.der", "twin_leaf.pem", "twin_ca.pem"),
                 "does not cover certificate CN=ocsp leaf serial 1001 issued by CN=Tessera OCSP "
                 "Test CA");
}

TEST(OcspResponse, TamperedSignatureIsRefused) {
  Bytes der = der_of("good_byname.der");
  OcspResponse r = response("good_byname.der");
  auto sig = std::search(der.begin(), der.end(), r.signature().begin(), r.signature().end());
  ASSERT_NE(sig, der.end());
  sig[static_cast<ptrdiff_t>(r.signature().size() / 2)] ^= 0x01;
  Result<OcspResponse> t = OcspResponse::parse(der);
  ASSERT_TRUE(t.ok()) << t.error().message();
  expect_refused(check_ocsp_response(provider(), *t, cert("leaf.pem"), cert("ca.pem"), at(kNow)),
                 "OCSP response signature does not verify with the key of CN=Tessera OCSP Test CA");
  // A changed tbsResponseData (the serial) fails the same way for the
  // certificate it now names.
  Bytes der2 = der_of("good_byname.der");
  Bytes serial = *from_hex("02021001");
  auto it = std::search(der2.begin(), der2.end(), serial.begin(), serial.end());
  ASSERT_NE(it, der2.end());
  it[3] = 0x02;  // serial 1002
  Result<OcspResponse> t2 = OcspResponse::parse(der2);
  ASSERT_TRUE(t2.ok());
  expect_refused(
      check_ocsp_response(provider(), *t2, cert("revoked.pem"), cert("ca.pem"), at(kNow)),
      "signature does not verify");
}

TEST(OcspResponse, Freshness) {
  expect_refused(check("nmin.der", "leaf.pem"), "OCSP response expired (nextUpdate 20");
  expect_refused(check("good_byname.der", "leaf.pem", "ca.pem", kBefore),
                 "OCSP response is not yet valid (thisUpdate 20");
  expect_refused(check("no_next.der", "leaf.pem"), "without nextUpdate is too old");
  // A far nextUpdate does not keep a response usable for more than 10 days
  // after its thisUpdate by default (CA/Browser Forum BR, mozilla::pkix).
  OcspCheckOptions capped;
  capped.now = kNow;
  expect_refused(check_ocsp_response(provider(), response("good_byname.der"), cert("leaf.pem"),
                                     cert("ca.pem"), capped),
                 "OCSP response is too old (thisUpdate 20");
  capped.now = response("good_byname.der").responses()[0].this_update + 10 * 86400 - 1;
  EXPECT_TRUE(check_ocsp_response(provider(), response("good_byname.der"), cert("leaf.pem"),
                                  cert("ca.pem"), capped)
                  .ok());
  // A server staples until ocsp_usable_until; a client whose clock is up to
  // the skew ahead still takes the response (with and without nextUpdate).
  for (const char* name : {"good_byname.der", "no_next.der"}) {
    const OcspSingleResponse entry = response(name).responses()[0];
    OcspCheckOptions ahead;
    const UnixTime until = ocsp_usable_until(entry, ahead);
    ahead.now = until + ahead.skew_s - 1;
    EXPECT_TRUE(check_ocsp_freshness(entry, ahead).ok()) << name;
    ahead.now = until + ahead.skew_s + 1;
    EXPECT_FALSE(check_ocsp_freshness(entry, ahead).ok()) << name;
  }
  OcspResponse r = response("no_next.der");
  EXPECT_FALSE(r.responses()[0].next_update.has_value());
  OcspCheckOptions o = at(kNow);
  o.max_age_s = kYears;
  EXPECT_TRUE(check_ocsp_response(provider(), r, cert("leaf.pem"), cert("ca.pem"), o).ok());
  // Within the skew: 5 minutes before thisUpdate and after nextUpdate.
  OcspResponse n = response("nmin.der");
  const OcspSingleResponse& s = n.responses()[0];
  EXPECT_EQ(*s.next_update - s.this_update, 300);
  o = at(*s.next_update + 299);
  EXPECT_TRUE(check_ocsp_response(provider(), n, cert("leaf.pem"), cert("ca.pem"), o).ok());
  o.now = *s.next_update + 301;
  EXPECT_FALSE(check_ocsp_response(provider(), n, cert("leaf.pem"), cert("ca.pem"), o).ok());
  o.now = s.this_update - 299;
  EXPECT_TRUE(check_ocsp_response(provider(), n, cert("leaf.pem"), cert("ca.pem"), o).ok());
  o.now = s.this_update - 301;
  EXPECT_FALSE(check_ocsp_response(provider(), n, cert("leaf.pem"), cert("ca.pem"), o).ok());
}

TEST(OcspResponse, NonSuccessfulStatusIsNamed) {
  const struct {
    uint8_t code;
    const char* name;
  } cases[] = {{1, "malformedRequest"}, {2, "internalError"}, {3, "tryLater"},
               {5, "sigRequired"},      {6, "unauthorized"},  {4, "an unknown status (4)"}};
  for (const auto& c : cases) {
    const uint8_t der[] = {0x30, 0x03, 0x0a, 0x01, c.code};
    Result<OcspResponse> r = OcspResponse::parse(der);
    expect_refused(r, std::string("OCSP response status is ") + c.name);
  }
  // successful without responseBytes, and tryLater with them, are malformed.
  const uint8_t bare[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
  expect_refused(OcspResponse::parse(bare), "responseBytes");
  const uint8_t later_with[] = {0x30, 0x05, 0x0a, 0x01, 0x03, 0xa0, 0x00};
  expect_refused(OcspResponse::parse(later_with), "trailing data");
}

TEST(OcspResponse, TruncationAndTrailingDataFail) {
  for (const char* name : {"good_byname.der", "revoked.der", "delegated.der"}) {
    Bytes der = der_of(name);
    for (size_t n = 0; n < der.size(); ++n) {
      Result<OcspResponse> r = OcspResponse::parse(ByteView(der).first(n));
      ASSERT_FALSE(r.ok()) << name << " " << n;
      ASSERT_EQ(r.error().code(), ErrorCode::cert_status_invalid);
    }
    der.push_back(0);
    expect_refused(OcspResponse::parse(der), "trailing data");
  }
}

// Our builder, for what openssl cannot make: an unknown critical extension.
struct Pki {
  Bytes ca_der, leaf_der, responder_der;
  std::unique_ptr<crypto::PrivateKey> ca_key, leaf_key, responder_key;
  Certificate ca, leaf, responder;
};

Pki make_pki(bool responder_eku = true, UnixTime now = kNow) {
  Pki p;
  p.ca_key = *provider().generate_private_key({crypto::KeyType::ec_p256, 0});
  p.leaf_key = *provider().generate_private_key({crypto::KeyType::ed25519, 0});
  p.responder_key = *provider().generate_private_key({crypto::KeyType::ec_p384, 0});
  CertificateBuilder cb(provider());
  cb.subject(*Name::from_string("CN=OCSP Builder CA"))
      .validity(now - 86400, now + 365 * 86400)
      .ca(0);
  p.ca_der = *cb.self_sign(*p.ca_key);
  p.ca = *Certificate::parse(p.ca_der);
  CertificateBuilder lb(provider());
  lb.subject(*Name::from_string("CN=builder leaf"))
      .validity(now - 86400, now + 30 * 86400)
      .leaf_for(LeafRole::server)
      .add_dns("leaf.example")
      .subject_public_key(p.leaf_key->public_spki());
  p.leaf_der = *lb.sign(p.ca, *p.ca_key);
  p.leaf = *Certificate::parse(p.leaf_der);
  CertificateBuilder rb(provider());
  rb.subject(*Name::from_string("CN=builder responder"))
      .validity(now - 86400, now + 30 * 86400)
      .leaf_for(LeafRole::server)
      .subject_public_key(p.responder_key->public_spki());
  if (responder_eku) rb.ext_key_usage({oids::kOcspSigning});
  p.responder_der = *rb.sign(p.ca, *p.ca_key);
  p.responder = *Certificate::parse(p.responder_der);
  return p;
}

TEST(OcspResponseBuilder, RoundTripThroughParserAndCheck) {
  Pki p = make_pki();
  for (OcspCertStatus st :
       {OcspCertStatus::good, OcspCertStatus::revoked, OcspCertStatus::unknown}) {
    for (bool delegated : {false, true}) {
      OcspResponseBuilder b(provider());
      bool revoked = st == OcspCertStatus::revoked;
      b.produced_at(kNow).add(p.leaf, p.ca, st, kNow - 60, kNow + 86400, revoked ? kNow - 3600 : 0,
                              revoked ? std::optional(CrlReason::superseded) : std::nullopt);
      Result<Bytes> der =
          delegated ? b.sign(p.responder, *p.responder_key) : b.sign(p.ca, *p.ca_key);
      ASSERT_TRUE(der.ok()) << der.error().message();
      Result<OcspResponse> r = OcspResponse::parse(*der);
      ASSERT_TRUE(r.ok()) << r.error().message();
      EXPECT_EQ(r->produced_at(), kNow);
      ASSERT_TRUE(r->responder_name().has_value());
      EXPECT_TRUE(
          names_equal(*r->responder_name(), delegated ? p.responder.subject() : p.ca.subject()));
      EXPECT_EQ(r->certs().size(), delegated ? 1u : 0u);
      Result<OcspSingleResponse> c = check_ocsp_response(provider(), *r, p.leaf, p.ca, at(kNow));
      ASSERT_TRUE(c.ok()) << c.error().message();
      EXPECT_EQ(c->status, st);
      EXPECT_EQ(c->this_update, kNow - 60);
      EXPECT_EQ(c->next_update, kNow + 86400);
      if (revoked) {
        EXPECT_EQ(c->revocation_time, kNow - 3600);
        EXPECT_EQ(c->reason, CrlReason::superseded);
      }
      EXPECT_EQ(ocsp_status_result(*c, p.leaf).ok(), st == OcspCertStatus::good);
    }
  }
  // A delegated responder's certificate must be valid when the response is
  // used: the one of make_pki expires after 30 days, the response later.
  OcspResponseBuilder b(provider());
  b.add(p.leaf, p.ca, OcspCertStatus::good, kNow, kNow + 90 * 86400);
  Result<Bytes> der = b.sign(p.responder, *p.responder_key);
  ASSERT_TRUE(der.ok()) << der.error().message();
  Result<OcspResponse> r = OcspResponse::parse(*der);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(check_ocsp_response(provider(), *r, p.leaf, p.ca, at(kNow + 29 * 86400)).ok());
  expect_refused(check_ocsp_response(provider(), *r, p.leaf, p.ca, at(kNow + 31 * 86400)),
                 "its certificate expired");
}

// A response that lists the certificate twice: any "revoked" entry is the
// answer, whichever comes first (fail closed); "good" and "unknown" together
// are refused; two agreeing entries give the newer.
TEST(OcspResponse, ACertificateListedTwice) {
  Pki p = make_pki();
  auto twice = [&](OcspCertStatus first, UnixTime first_at, OcspCertStatus second,
                   UnixTime second_at) {
    OcspResponseBuilder b(provider());
    auto add = [&](OcspCertStatus st, UnixTime t) {
      const bool revoked = st == OcspCertStatus::revoked;
      b.add(p.leaf, p.ca, st, t, t + 86400, revoked ? t - 60 : 0,
            revoked ? std::optional(CrlReason::key_compromise) : std::nullopt);
    };
    add(first, first_at);
    add(second, second_at);
    Result<Bytes> der = b.produced_at(kNow).sign(p.ca, *p.ca_key);
    EXPECT_TRUE(der.ok()) << der.error().message();
    Result<OcspResponse> r = OcspResponse::parse(*der);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->responses().size(), 2u);
    return check_ocsp_response(provider(), *r, p.leaf, p.ca, at(kNow));
  };
  for (bool revoked_first : {true, false}) {
    Result<OcspSingleResponse> c =
        revoked_first ? twice(OcspCertStatus::revoked, kNow - 60, OcspCertStatus::good, kNow - 30)
                      : twice(OcspCertStatus::good, kNow - 30, OcspCertStatus::revoked, kNow - 60);
    ASSERT_TRUE(c.ok()) << c.error().message();
    EXPECT_EQ(c->status, OcspCertStatus::revoked) << revoked_first;
    EXPECT_EQ(ocsp_status_result(*c, p.leaf).error().code(), ErrorCode::cert_revoked);
  }
  expect_refused(twice(OcspCertStatus::good, kNow - 60, OcspCertStatus::unknown, kNow - 30),
                 "as both good and unknown");
  Result<OcspSingleResponse> newer =
      twice(OcspCertStatus::good, kNow - 600, OcspCertStatus::good, kNow - 60);
  ASSERT_TRUE(newer.ok()) << newer.error().message();
  EXPECT_EQ(newer->this_update, kNow - 60);
}

// A delegated responder's key must be as strong as path validation demands
// of any certificate (RSA >= 2048): the builder, which shares the checker's
// delegation rules (ocsp_delegation_problem), refuses an RSA-1024 responder.
TEST(OcspResponse, AWeakDelegatedResponderKeyIsRefused) {
  Pki p = make_pki();
  EVP_PKEY* weak = EVP_RSA_gen(1024);
  ASSERT_NE(weak, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, weak, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* pem = nullptr;
  const long pem_len = BIO_get_mem_data(bio, &pem);
  Result<std::unique_ptr<crypto::PrivateKey>> key = provider().load_private_key(
      ByteView(reinterpret_cast<const uint8_t*>(pem), static_cast<size_t>(pem_len)));
  BIO_free(bio);
  EVP_PKEY_free(weak);
  ASSERT_TRUE(key.ok()) << key.error().message();
  CertificateBuilder rb(provider());
  rb.subject(*Name::from_string("CN=weak responder"))
      .validity(kNow - 86400, kNow + 30 * 86400)
      .leaf_for(LeafRole::server)
      .ext_key_usage({oids::kOcspSigning})
      .subject_public_key((*key)->public_spki());
  Result<Bytes> rder = rb.sign(p.ca, *p.ca_key);
  ASSERT_TRUE(rder.ok()) << rder.error().message();
  Certificate responder = *Certificate::parse(*rder);
  EXPECT_NE(ocsp_delegation_problem(provider(), responder, p.ca, at(kNow)).find("too weak"),
            std::string::npos);
  OcspResponseBuilder b(provider());
  b.produced_at(kNow).add(p.leaf, p.ca, OcspCertStatus::good, kNow - 60, kNow + 86400);
  Result<Bytes> der = b.sign(responder, **key);
  ASSERT_FALSE(der.ok());
  EXPECT_NE(der.error().message().find("too weak"), std::string::npos) << der.error().message();
}

TEST(OcspResponseBuilder, UnknownCriticalExtensionIsRecordedAndRefused) {
  Pki p = make_pki();
  const Oid private_ext = *Oid::from_string("1.3.6.1.4.1.99999.1");
  for (bool critical : {false, true}) {
    OcspResponseBuilder b(provider());
    b.add(p.leaf, p.ca, OcspCertStatus::good, kNow - 60, kNow + 86400)
        .response_extension(oids::kOcspNonce, false, {0x04, 0x02, 0xab, 0xcd})
        .response_extension(private_ext, critical, {0x05, 0x00});
    Result<Bytes> der = b.sign(p.ca, *p.ca_key);
    ASSERT_TRUE(der.ok()) << der.error().message();
    Result<OcspResponse> r = OcspResponse::parse(*der);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->nonce(), Bytes({0x04, 0x02, 0xab, 0xcd}));
    EXPECT_EQ(r->has_unknown_critical_extension(), critical);
    Result<OcspSingleResponse> c = check_ocsp_response(provider(), *r, p.leaf, p.ca, at(kNow));
    if (critical) {
      expect_refused(c, "unknown critical extension");
    } else {
      EXPECT_TRUE(c.ok()) << c.error().message();
    }
  }
}

TEST(OcspResponseBuilder, RefusesUnauthorisedResponderAndBadInput) {
  Pki p = make_pki(/*responder_eku=*/false);
  OcspResponseBuilder b(provider());
  b.add(p.leaf, p.ca, OcspCertStatus::good, kNow, kNow + 86400);
  Result<Bytes> r = b.sign(p.responder, *p.responder_key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(r.error().message().find("no extKeyUsage id-kp-OCSPSigning"), std::string::npos)
      << r.error().message();
  // A key that is not the responder's.
  r = b.sign(p.ca, *p.responder_key);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("does not match"), std::string::npos);
  // The leaf cannot sign for its issuer.
  r = b.sign(p.leaf, *p.leaf_key);
  ASSERT_FALSE(r.ok());
  // A reason without revoked status; nothing added.
  OcspResponseBuilder c(provider());
  c.add(p.leaf, p.ca, OcspCertStatus::good, kNow, std::nullopt, 0, CrlReason::key_compromise);
  EXPECT_FALSE(c.sign(p.ca, *p.ca_key).ok());
  EXPECT_FALSE(OcspResponseBuilder(provider()).sign(p.ca, *p.ca_key).ok());
}

TEST(OcspResponseBuilder, OpensslAcceptsOurResponses) {
  if (!testing::have_openssl()) GTEST_SKIP() << "openssl CLI not available";
  // openssl checks thisUpdate / nextUpdate against its own clock.
  const UnixTime now = std::time(nullptr);
  Pki p = make_pki(true, now);
  testing::TempDir dir;
  std::string ca = dir.write("ca.pem", pem_encode(pem_label::kCertificate, p.ca_der));
  std::string leaf = dir.write("leaf.pem", pem_encode(pem_label::kCertificate, p.leaf_der));
  for (bool delegated : {false, true}) {
    OcspResponseBuilder b(provider());
    b.produced_at(now).add(p.leaf, p.ca, OcspCertStatus::revoked, now - 60, now + 86400, now - 3600,
                           CrlReason::key_compromise);
    Result<Bytes> der = delegated ? b.sign(p.responder, *p.responder_key) : b.sign(p.ca, *p.ca_key);
    ASSERT_TRUE(der.ok()) << der.error().message();
    std::string resp = dir.write("resp.der", std::string(der->begin(), der->end()));
    auto [rc, out] = testing::run_shell("openssl ocsp -respin " + resp + " -issuer " + ca +
                                        " -cert " + leaf + " -CAfile " + ca + " -resp_text");
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("Response verify OK"), std::string::npos) << out;
    EXPECT_NE(out.find(leaf + ": revoked"), std::string::npos) << out;
    EXPECT_NE(out.find("Reason: keyCompromise"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace tessera::x509
