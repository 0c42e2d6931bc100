#include "x509/certificate.h"

#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/hex.h"
#include "crypto/provider.h"
#include "x509/der.h"
#include "x509/pem.h"

namespace tessera::x509 {
namespace {

// Reads an AlgorithmIdentifier of a hash inside RSASSA-PSS-params: the OID
// and NULL or absent parameters.
Result<Oid> read_hash_algorithm(DerReader& r) {
  TESSERA_ASSIGN_OR_RETURN(DerReader alg, r.read_sequence());
  TESSERA_ASSIGN_OR_RETURN(Oid oid, alg.read_oid());
  if (alg.next_is(tag::kNull)) TESSERA_TRY(alg.read_null());
  TESSERA_TRY(alg.expect_end());
  return oid;
}

struct PssHash {
  const Oid* oid;
  SignatureScheme scheme;
  uint64_t salt;
  const char* name;
};
constexpr PssHash kPssHashes[] = {
    {&oids::kSha256, SignatureScheme::rsa_pss_rsae_sha256, 32, "rsassaPss (SHA-256)"},
    {&oids::kSha384, SignatureScheme::rsa_pss_rsae_sha384, 48, "rsassaPss (SHA-384)"},
    {&oids::kSha512, SignatureScheme::rsa_pss_rsae_sha512, 64, "rsassaPss (SHA-512)"},
};

// RFC 4055 3.1: RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0]
// HashAlgorithm DEFAULT sha1, maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT
// mgf1SHA1, saltLength [2] INTEGER DEFAULT 20, trailerField [3]
// TrailerField DEFAULT trailerFieldBC }. Fills alg.scheme only for the
// standard combinations (hash H, MGF1 with H, salt = |H|, trailer 1).
Result<void> classify_pss(ByteView params, SignatureAlgorithm& alg) {
  alg.name = "rsassaPss";
  if (params.empty()) return der_error("RSASSA-PSS parameters are missing");
  DerReader outer(params);
  TESSERA_ASSIGN_OR_RETURN(DerReader p, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  Oid hash = oids::kSha1;
  Oid mgf_hash = oids::kSha1;
  uint64_t salt = 20;
  TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> h,
                           p.read_optional_constructed(tag::context_constructed(0)));
  if (h) {
    TESSERA_ASSIGN_OR_RETURN(hash, with_field(read_hash_algorithm(*h), "hashAlgorithm"));
    TESSERA_TRY(h->expect_end());
  }
  TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> m,
                           p.read_optional_constructed(tag::context_constructed(1)));
  if (m) {
    TESSERA_ASSIGN_OR_RETURN(DerReader mgf, with_field(m->read_sequence(), "maskGenAlgorithm"));
    TESSERA_TRY(m->expect_end());
    TESSERA_ASSIGN_OR_RETURN(Oid mgf_oid, mgf.read_oid());
    if (!(mgf_oid == oids::kMgf1)) return ok();  // unknown MGF: no scheme
    TESSERA_ASSIGN_OR_RETURN(mgf_hash, with_field(read_hash_algorithm(mgf), "maskGenAlgorithm"));
    TESSERA_TRY(mgf.expect_end());
  }
  TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> s,
                           p.read_optional_constructed(tag::context_constructed(2)));
  if (s) {
    TESSERA_ASSIGN_OR_RETURN(salt, with_field(s->read_small_nonnegative(UINT32_MAX), "saltLength"));
    TESSERA_TRY(s->expect_end());
  }
  TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> t,
                           p.read_optional_constructed(tag::context_constructed(3)));
  uint64_t trailer = 1;
  if (t) {
    TESSERA_ASSIGN_OR_RETURN(trailer,
                             with_field(t->read_small_nonnegative(UINT32_MAX), "trailerField"));
    TESSERA_TRY(t->expect_end());
  }
  TESSERA_TRY(p.expect_end());
  // X.690 11.5: DER leaves out a component equal to its DEFAULT.
  if ((h && hash == oids::kSha1) || (m && mgf_hash == oids::kSha1) || (s && salt == 20) ||
      (t && trailer == 1))
    return der_error(
        "RSASSA-PSS parameters write out a DEFAULT value (sha1, mgf1SHA1, salt 20 "
        "or trailer 1), which DER leaves out");
  if (hash == oids::kSha1) alg.weak = true;
  for (const PssHash& ph : kPssHashes) {
    if (*ph.oid == hash) alg.name = ph.name;
    // RFC 8446 4.2.3 / RFC 4055: the TLS rsa_pss_* schemes use MGF1 with the
    // same hash and a salt as long as the digest.
    if (*ph.oid == hash && mgf_hash == hash && salt == ph.salt && trailer == 1) {
      alg.scheme = ph.scheme;
    }
  }
  return ok();
}

// Reads "AlgorithmIdentifier" as an element of r into (oid, params, encoded).
Result<SignatureAlgorithm> read_signature_algorithm(DerReader& r) {
  TESSERA_ASSIGN_OR_RETURN(DerElement e, r.read_element(tag::kSequence));
  return parse_signature_algorithm(e.encoded);
}

std::string version_field(int v) { return "v" + std::to_string(v); }

}  // namespace

Result<SignatureAlgorithm> parse_signature_algorithm(ByteView der) {
  DerReader outer(der);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  SignatureAlgorithm alg;
  alg.encoded.assign(der.begin(), der.end());
  TESSERA_ASSIGN_OR_RETURN(alg.oid, with_field(r.read_oid(), "algorithm"));
  if (!r.empty()) {
    // RFC 5280 4.1.1.2: parameters ANY DEFINED BY algorithm OPTIONAL; those
    // of the algorithms tessera knows are checked below.
    TESSERA_ASSIGN_OR_RETURN(DerElement params, with_field(r.read_der_value(), "parameters"));
    alg.parameters.assign(params.encoded.begin(), params.encoded.end());
  }
  TESSERA_TRY(r.expect_end());
  const Oid& o = alg.oid;
  bool params_null =
      alg.parameters.size() == 2 && alg.parameters[0] == tag::kNull && alg.parameters[1] == 0;
  struct Plain {
    const Oid* oid;
    std::optional<SignatureScheme> scheme;
    bool weak;
    bool rsa;  // parameters NULL (absent tolerated) rather than absent
  };
  static const Plain kPlain[] = {
      {&oids::kSha256WithRsa, SignatureScheme::rsa_pkcs1_sha256, false, true},
      {&oids::kSha384WithRsa, SignatureScheme::rsa_pkcs1_sha384, false, true},
      {&oids::kSha512WithRsa, SignatureScheme::rsa_pkcs1_sha512, false, true},
      {&oids::kSha1WithRsa, SignatureScheme::rsa_pkcs1_sha1, true, true},
      {&oids::kMd5WithRsa, std::nullopt, true, true},
      {&oids::kEcdsaWithSha256, SignatureScheme::ecdsa_secp256r1_sha256, false, false},
      {&oids::kEcdsaWithSha384, SignatureScheme::ecdsa_secp384r1_sha384, false, false},
      {&oids::kEcdsaWithSha512, SignatureScheme::ecdsa_secp521r1_sha512, false, false},
      {&oids::kEcdsaWithSha1, SignatureScheme::ecdsa_sha1, true, false},
      {&oids::kEd25519, SignatureScheme::ed25519, false, false},
  };
  for (const Plain& p : kPlain) {
    if (!(*p.oid == o)) continue;
    alg.name = oid_name(o);
    if (o == oids::kEd25519) alg.name = "Ed25519";
    if (p.rsa) {
      // RFC 4055 5: the parameters MUST be NULL (absent is accepted, as
      // some old encoders omitted them).
      if (!alg.parameters.empty() && !params_null) {
        return der_error(alg.name + ": parameters must be NULL");
      }
    } else if (!alg.parameters.empty()) {
      // RFC 5758 3.2 (ECDSA) and RFC 8410 3 (Ed25519): the parameters MUST
      // be absent.
      return der_error(alg.name + ": parameters must be absent");
    }
    alg.scheme = p.scheme;
    alg.weak = p.weak;
    return alg;
  }
  if (o == oids::kRsassaPss) {
    TESSERA_TRY(with_field(classify_pss(alg.parameters, alg), "RSASSA-PSS parameters"));
    return alg;
  }
  alg.name = o.to_string();
  return alg;
}

Result<SubjectPublicKeyInfo> parse_subject_public_key_info(ByteView der) {
  // RFC 5280 4.1: SubjectPublicKeyInfo ::= SEQUENCE { algorithm
  // AlgorithmIdentifier, subjectPublicKey BIT STRING }.
  DerReader outer(der);
  TESSERA_ASSIGN_OR_RETURN(DerReader r, outer.read_sequence());
  TESSERA_TRY(outer.expect_end());
  SubjectPublicKeyInfo spki;
  spki.der.assign(der.begin(), der.end());
  TESSERA_ASSIGN_OR_RETURN(DerReader alg, with_field(r.read_sequence(), "algorithm"));
  TESSERA_ASSIGN_OR_RETURN(spki.algorithm_oid, with_field(alg.read_oid(), "algorithm"));
  const Oid& o = spki.algorithm_oid;
  if (o == oids::kRsaEncryption) {
    spki.algorithm = PublicKeyAlgorithm::rsa;
    // RFC 3279 2.3.1: the parameters field MUST have ASN.1 type NULL.
    TESSERA_TRY(with_field(alg.read_null(), "algorithm.parameters (rsaEncryption)"));
  } else if (o == oids::kRsassaPss) {
    spki.algorithm = PublicKeyAlgorithm::rsa_pss;
    // RFC 4055 3.1: RSASSA-PSS-params, when present (kept unread: the key is
    // loaded through the provider, which reads them).
    if (!alg.empty()) {
      TESSERA_ASSIGN_OR_RETURN(DerElement params,
                               with_field(alg.read_der_value(), "algorithm.parameters"));
      if (params.tag != tag::kSequence)
        return der_error("algorithm.parameters: RSASSA-PSS-params is not a SEQUENCE");
    }
  } else if (o == oids::kEcPublicKey) {
    spki.algorithm = PublicKeyAlgorithm::ec;
    // RFC 5480 2.1.1: ECParameters is a CHOICE, and conforming CAs MUST use
    // namedCurve.
    TESSERA_ASSIGN_OR_RETURN(spki.curve, with_field(alg.read_oid(), "algorithm.namedCurve"));
  } else if (o == oids::kEd25519 || o == oids::kEd448) {
    spki.algorithm = o == oids::kEd25519 ? PublicKeyAlgorithm::ed25519 : PublicKeyAlgorithm::ed448;
    // RFC 8410 3: the parameters MUST be absent.
  } else {
    spki.algorithm = PublicKeyAlgorithm::unknown;
    if (!alg.empty()) TESSERA_TRY(with_field(alg.read_der_value(), "algorithm.parameters"));
  }
  TESSERA_TRY(with_field(alg.expect_end(), "algorithm.parameters"));
  TESSERA_ASSIGN_OR_RETURN(BitString key, with_field(r.read_bit_string(), "subjectPublicKey"));
  if (key.unused_bits != 0) return der_error("subjectPublicKey: unused bits in a key");
  spki.public_key.assign(key.bytes.begin(), key.bytes.end());
  TESSERA_TRY(r.expect_end());
  return spki;
}

Result<Certificate> Certificate::parse(ByteView der) {
  // RFC 5280 4.1: Certificate ::= SEQUENCE { tbsCertificate TBSCertificate,
  // signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }.
  DerReader outer(der);
  TESSERA_ASSIGN_OR_RETURN(DerReader cert, with_field(outer.read_sequence(), "Certificate"));
  TESSERA_TRY(with_field(outer.expect_end(), "Certificate"));
  Certificate c;
  c.der_.assign(der.begin(), der.end());

  TESSERA_ASSIGN_OR_RETURN(DerElement tbs_el,
                           with_field(cert.read_element(tag::kSequence), "tbsCertificate"));
  c.tbs_offset_ = static_cast<size_t>(tbs_el.encoded.data() - der.data());
  c.tbs_length_ = tbs_el.encoded.size();
  TESSERA_ASSIGN_OR_RETURN(c.signature_algorithm_,
                           with_field(read_signature_algorithm(cert), "signatureAlgorithm"));
  TESSERA_ASSIGN_OR_RETURN(BitString sig, with_field(cert.read_bit_string(), "signatureValue"));
  if (sig.unused_bits != 0) return der_error("signatureValue: unused bits in a signature");
  c.signature_.assign(sig.bytes.begin(), sig.bytes.end());
  TESSERA_TRY(with_field(cert.expect_end(), "Certificate"));

  // TBSCertificate ::= SEQUENCE { version [0] Version DEFAULT v1,
  // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo,
  // issuerUniqueID [1] IMPLICIT OPTIONAL, subjectUniqueID [2] IMPLICIT
  // OPTIONAL, extensions [3] Extensions OPTIONAL }
  DerReader tbs(tbs_el.content, 1);
  TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> ver,
                           with_field(tbs.read_optional_constructed(tag::context_constructed(0)),
                                      "tbsCertificate.version"));
  if (ver) {
    TESSERA_ASSIGN_OR_RETURN(uint64_t v,
                             with_field(ver->read_small_nonnegative(2), "tbsCertificate.version"));
    TESSERA_TRY(with_field(ver->expect_end(), "tbsCertificate.version"));
    // X.690 11.5: DER never encodes the DEFAULT value v1.
    if (v == 0) return der_error("tbsCertificate.version: v1 must be omitted (DER DEFAULT)");
    c.version_ = static_cast<int>(v) + 1;
  }
  TESSERA_ASSIGN_OR_RETURN(ByteView serial,
                           with_field(tbs.read_integer(), "tbsCertificate.serialNumber"));
  // RFC 5280 4.1.2.2: The serial number MUST be a positive integer ...
  // Conforming CAs MUST NOT use serialNumber values longer than 20 octets.
  // Negative serials are refused; zero is tolerated (deployed CAs used it).
  if (serial[0] & 0x80) return der_error("tbsCertificate.serialNumber: negative serial number");
  size_t magnitude = serial.size() - (serial.size() > 1 && serial[0] == 0 ? 1 : 0);
  if (magnitude > 20) {
    return der_error("tbsCertificate.serialNumber: " + std::to_string(magnitude) +
                     " octets (at most 20 allowed)");
  }
  c.serial_.assign(serial.begin(), serial.end());
  TESSERA_ASSIGN_OR_RETURN(SignatureAlgorithm inner,
                           with_field(read_signature_algorithm(tbs), "tbsCertificate.signature"));
  // RFC 5280 4.1.1.2: This field MUST contain the same algorithm identifier
  // as the signature field in the sequence tbsCertificate.
  if (inner.encoded != c.signature_algorithm_.encoded) {
    return der_error("signatureAlgorithm (" + c.signature_algorithm_.name +
                     ") differs from tbsCertificate.signature (" + inner.name + ")");
  }
  TESSERA_ASSIGN_OR_RETURN(DerElement issuer,
                           with_field(tbs.read_element(tag::kSequence), "tbsCertificate.issuer"));
  TESSERA_ASSIGN_OR_RETURN(c.issuer_,
                           with_field(Name::parse(issuer.encoded), "tbsCertificate.issuer"));
  // RFC 5280 4.1.2.4: The issuer field MUST contain a non-empty distinguished name.
  if (c.issuer_.empty()) return der_error("tbsCertificate.issuer: empty name");
  TESSERA_ASSIGN_OR_RETURN(DerReader validity,
                           with_field(tbs.read_sequence(), "tbsCertificate.validity"));
  TESSERA_ASSIGN_OR_RETURN(c.not_before_,
                           with_field(validity.read_time(), "tbsCertificate.validity.notBefore"));
  TESSERA_ASSIGN_OR_RETURN(c.not_after_,
                           with_field(validity.read_time(), "tbsCertificate.validity.notAfter"));
  TESSERA_TRY(with_field(validity.expect_end(), "tbsCertificate.validity"));
  TESSERA_ASSIGN_OR_RETURN(DerElement subject,
                           with_field(tbs.read_element(tag::kSequence), "tbsCertificate.subject"));
  TESSERA_ASSIGN_OR_RETURN(c.subject_,
                           with_field(Name::parse(subject.encoded), "tbsCertificate.subject"));
  TESSERA_ASSIGN_OR_RETURN(DerElement spki, with_field(tbs.read_element(tag::kSequence),
                                                       "tbsCertificate.subjectPublicKeyInfo"));
  TESSERA_ASSIGN_OR_RETURN(c.spki_, with_field(parse_subject_public_key_info(spki.encoded),
                                               "tbsCertificate.subjectPublicKeyInfo"));
  // RFC 5280 4.1.2.8: unique identifiers MUST only appear if the version is
  // 2 or 3.
  for (uint8_t n : {uint8_t{1}, uint8_t{2}}) {
    const char* field = n == 1 ? "tbsCertificate.issuerUniqueID" : "tbsCertificate.subjectUniqueID";
    if (!tbs.next_is(tag::context_specific(n))) continue;
    if (c.version_ < 2) return der_error(std::string(field) + ": not allowed in a v1 certificate");
    TESSERA_TRY(with_field(tbs.read_bit_string(tag::context_specific(n)), field));
  }
  TESSERA_ASSIGN_OR_RETURN(std::optional<DerReader> exts,
                           with_field(tbs.read_optional_constructed(tag::context_constructed(3)),
                                      "tbsCertificate.extensions"));
  if (exts) {
    // RFC 5280 4.1.2.9: This field MUST only appear if the version is 3.
    if (c.version_ != 3) {
      return der_error("tbsCertificate.extensions: not allowed in a " + version_field(c.version_) +
                       " certificate");
    }
    TESSERA_ASSIGN_OR_RETURN(DerElement list, with_field(exts->read_element(tag::kSequence),
                                                         "tbsCertificate.extensions"));
    TESSERA_TRY(with_field(exts->expect_end(), "tbsCertificate.extensions"));
    TESSERA_ASSIGN_OR_RETURN(
        c.extensions_, with_field(parse_extensions(list.encoded), "tbsCertificate.extensions"));
  }
  TESSERA_TRY(with_field(tbs.expect_end(), "tbsCertificate"));
  return c;
}

namespace {

// The cache behind parse_cached. Keys are views of the cached certificates'
// own DER bytes, which the map's shared_ptrs keep alive.
class ParsedCertificateCache {
 public:
  std::shared_ptr<const Certificate> find(ByteView der) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key(der));
    return it == map_.end() ? nullptr : it->second;
  }

  void insert(const std::shared_ptr<const Certificate>& cert) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string_view k = key(cert->der());
    if (!map_.emplace(k, cert).second) return;  // another thread parsed it too
    order_.push_back(k);
    while (order_.size() > kParsedCertificateCacheSize) {
      // Erase by iterator: the key's bytes belong to the entry erased.
      auto it = map_.find(order_.front());
      if (it != map_.end()) map_.erase(it);
      order_.pop_front();
    }
  }

  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return map_.size();
  }

 private:
  static std::string_view key(ByteView der) {
    return std::string_view(reinterpret_cast<const char*>(der.data()), der.size());
  }

  std::mutex mu_;
  std::unordered_map<std::string_view, std::shared_ptr<const Certificate>> map_;
  std::deque<std::string_view> order_;  // insertion order, for eviction
};

ParsedCertificateCache& parsed_certificate_cache() {
  static ParsedCertificateCache cache;
  return cache;
}

}  // namespace

Result<std::shared_ptr<const Certificate>> parse_cached(ByteView der) {
  ParsedCertificateCache& cache = parsed_certificate_cache();
  if (std::shared_ptr<const Certificate> hit = cache.find(der)) return hit;
  TESSERA_ASSIGN_OR_RETURN(Certificate parsed, Certificate::parse(der));
  auto cert = std::make_shared<const Certificate>(std::move(parsed));
  cache.insert(cert);
  return cert;
}

size_t parsed_certificate_cache_size_for_testing() { return parsed_certificate_cache().size(); }

std::string Certificate::serial_hex() const {
  ByteView s = serial_;
  if (s.size() > 1 && s[0] == 0) s = s.subspan(1);
  return to_hex(s);
}

bool Certificate::is_self_issued() const { return names_equal(issuer_, subject_); }

bool Certificate::is_ca() const {
  return extensions_.basic_constraints.has_value() && extensions_.basic_constraints->ca;
}

Bytes Certificate::fingerprint_sha256(crypto::Provider& provider) const {
  return provider.digest(HashAlgorithm::sha256, der_);
}

Result<void> verify_signature(crypto::Provider& provider, const SignatureAlgorithm& alg,
                              ByteView tbs, ByteView signature, ByteView issuer_spki_der) {
  if (alg.weak) {
    return Error(ErrorCode::cert_unsupported, AlertDescription::bad_certificate,
                 "signature algorithm " + alg.name + " is too weak (MD5/SHA-1)");
  }
  if (!alg.scheme) {
    return Error(ErrorCode::cert_unsupported, AlertDescription::unsupported_certificate,
                 "unsupported signature algorithm " + alg.name);
  }
  Result<std::unique_ptr<crypto::PublicKey>> key = provider.load_public_key(issuer_spki_der);
  if (!key) {
    return Error(ErrorCode::cert_bad_signature, AlertDescription::bad_certificate,
                 "cannot load the issuer's public key: " + key.error().message());
  }
  SignatureScheme scheme = *alg.scheme;
  if ((*key)->type() == crypto::KeyType::rsa_pss) {
    // RFC 8446 4.2.3: rsa_pss_pss_* is PSS with a key of type id-RSASSA-PSS.
    if (scheme == SignatureScheme::rsa_pss_rsae_sha256)
      scheme = SignatureScheme::rsa_pss_pss_sha256;
    if (scheme == SignatureScheme::rsa_pss_rsae_sha384)
      scheme = SignatureScheme::rsa_pss_pss_sha384;
    if (scheme == SignatureScheme::rsa_pss_rsae_sha512)
      scheme = SignatureScheme::rsa_pss_pss_sha512;
  }
  Result<void> r = (*key)->verify(scheme, tbs, signature);
  if (!r) {
    return Error(ErrorCode::cert_bad_signature, AlertDescription::bad_certificate,
                 alg.name + " signature does not verify: " + r.error().message());
  }
  return ok();
}

Result<void> verify_certificate_signature(crypto::Provider& provider, const Certificate& cert,
                                          ByteView issuer_spki_der) {
  return verify_signature(provider, cert.signature_algorithm(), cert.tbs(), cert.signature(),
                          issuer_spki_der);
}

Result<std::vector<Certificate>> parse_certificates(ByteView pem_or_der) {
  std::string_view text(reinterpret_cast<const char*>(pem_or_der.data()), pem_or_der.size());
  std::vector<Certificate> out;
  if (!looks_like_pem(text)) {
    TESSERA_ASSIGN_OR_RETURN(Certificate c, Certificate::parse(pem_or_der));
    out.push_back(std::move(c));
    return out;
  }
  TESSERA_ASSIGN_OR_RETURN(std::vector<Bytes> ders,
                           pem_decode_label(text, pem_label::kCertificate));
  for (size_t i = 0; i < ders.size(); ++i) {
    Result<Certificate> c = Certificate::parse(ders[i]);
    if (!c) return c.error().with_context("certificate " + std::to_string(i + 1));
    out.push_back(std::move(*c));
  }
  return out;
}

}  // namespace tessera::x509
