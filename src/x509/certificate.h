// x509/certificate.h — the parsed X.509 certificate (RFC 5280 4.1).
//
// Certificate::parse reads one DER certificate strictly: DER rules (see
// der.h), the RFC 5280 profile rules that a parser can check on its own, and
// nothing more. Trust decisions (validity period, chain, usage, names) are
// the verifier's (x509/verify.h). Errors are cert_parse with the failing field
// path in the message, e.g.
//   "tbsCertificate.validity.notAfter: UTCTime must end in 'Z'".
//
// A Certificate owns its bytes and is freely copyable; every view it returns
// lives as long as the Certificate (or until it is assigned to).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "tessera/algorithms.h"
#include "tessera/result.h"
#include "x509/extensions.h"
#include "x509/name.h"
#include "x509/oid.h"
#include "x509/time.h"

namespace tessera::crypto {
class Provider;
}

namespace tessera::x509 {

// RFC 5280 4.1.1.2 / 4.1.2.3: an AlgorithmIdentifier used for a signature,
// mapped to the TLS SignatureScheme the provider verifies it with.
struct SignatureAlgorithm {
  Oid oid;
  Bytes parameters;  // DER of the parameters (e.g. NULL, RSASSA-PSS-params); empty if absent
  Bytes encoded;     // DER of the whole AlgorithmIdentifier
  // The scheme to verify with:
  //   sha{256,384,512}WithRSAEncryption -> rsa_pkcs1_sha{256,384,512}
  //   ecdsa-with-SHA{256,384,512} -> ecdsa_secp{256r1,384r1,521r1}_sha{...}
  //     (the hash is what matters; the verifier accepts any curve)
  //   RSASSA-PSS with hash H, MGF1(H), salt = len(H), trailer 1, H in
  //     SHA-256/384/512 -> rsa_pss_rsae_shaH (use rsa_pss_pss_* when the key
  //     is an id-RSASSA-PSS key)
  //   Ed25519 -> ed25519
  //   md5/sha1 with RSA, ecdsa-with-SHA1 -> rsa_pkcs1_sha1 / ecdsa_sha1 with
  //     weak = true (md5 has no scheme: nullopt, weak = true)
  // nullopt for anything else (including non-standard PSS parameters).
  std::optional<SignatureScheme> scheme;
  bool weak = false;
  // name is "sha256WithRSAEncryption", "ecdsa-with-SHA256", "rsassaPss
  // (SHA-256)", "Ed25519", ... or the dotted OID.
  std::string name;
};

// parse_signature_algorithm reads an AlgorithmIdentifier from its complete
// DER encoding and classifies it. Parameters must follow RFC 4055 / RFC 5758 /
// RFC 8410: NULL for the RSA PKCS#1 OIDs (absent tolerated), absent for ECDSA
// and Ed25519. An unknown algorithm is not an error (scheme = nullopt).
Result<SignatureAlgorithm> parse_signature_algorithm(ByteView der);

enum class PublicKeyAlgorithm : uint8_t { rsa, rsa_pss, ec, ed25519, ed448, unknown };

// RFC 5280 4.1.2.7.
struct SubjectPublicKeyInfo {
  Bytes der;  // the whole SubjectPublicKeyInfo SEQUENCE (what the provider loads)
  PublicKeyAlgorithm algorithm = PublicKeyAlgorithm::unknown;
  Oid algorithm_oid;
  std::optional<Oid> curve;  // namedCurve for EC keys
  Bytes public_key;          // the subjectPublicKey BIT STRING contents (0 unused bits)
};

// parse_subject_public_key_info reads an SPKI from its complete DER encoding.
Result<SubjectPublicKeyInfo> parse_subject_public_key_info(ByteView der);

class Certificate {
 public:
  Certificate() = default;

  // parse reads one certificate; `der` must be exactly one Certificate
  // SEQUENCE (trailing bytes are an error). Checks, among others:
  //   - RFC 5280 4.1.1.2: signatureAlgorithm identical to tbs.signature;
  //   - version v1/v2/v3, encoded only when not v1; issuer/subjectUniqueID
  //     only in v2/v3; extensions only in v3;
  //   - RFC 5280 4.1.2.2: serial positive and at most 20 octets (zero is
  //     tolerated as many deployed CAs used it);
  //   - validity times per RFC 5280 4.1.2.5;
  //   - extensions as in extensions.h.
  static Result<Certificate> parse(ByteView der);

  // der returns the whole certificate.
  ByteView der() const { return der_; }
  // tbs returns the DER of tbsCertificate (what the signature covers).
  ByteView tbs() const { return ByteView(der_).subspan(tbs_offset_, tbs_length_); }
  // version is 1, 2 or 3.
  int version() const { return version_; }
  // serial returns the serial number's INTEGER content octets (minimal, so a
  // leading 0x00 is present when the top bit of the value is set).
  ByteView serial() const { return serial_; }
  // serial_hex renders the serial as lowercase hex of its magnitude.
  std::string serial_hex() const;
  const SignatureAlgorithm& signature_algorithm() const { return signature_algorithm_; }
  // signature returns the signatureValue BIT STRING contents.
  ByteView signature() const { return signature_; }
  const Name& issuer() const { return issuer_; }
  const Name& subject() const { return subject_; }
  UnixTime not_before() const { return not_before_; }
  UnixTime not_after() const { return not_after_; }
  const SubjectPublicKeyInfo& public_key_info() const { return spki_; }
  ByteView spki_der() const { return spki_.der; }
  const Extensions& extensions() const { return extensions_; }

  // is_self_issued is true iff subject and issuer are equal names (RFC 5280
  // 6.1, compared with names_equal).
  bool is_self_issued() const;
  // is_ca is true iff basicConstraints is present with cA TRUE.
  bool is_ca() const;
  // fingerprint_sha256 returns SHA-256 of der() computed with the provider.
  Bytes fingerprint_sha256(crypto::Provider& provider) const;

 private:
  Bytes der_;
  size_t tbs_offset_ = 0;
  size_t tbs_length_ = 0;
  int version_ = 1;
  Bytes serial_;
  SignatureAlgorithm signature_algorithm_;
  Bytes signature_;
  Name issuer_;
  Name subject_;
  UnixTime not_before_ = 0;
  UnixTime not_after_ = 0;
  SubjectPublicKeyInfo spki_;
  Extensions extensions_;
};

// parse_cached is Certificate::parse through a small process-wide cache of
// parsed certificates, keyed by their exact DER encoding: a peer that
// presents the same certificate again (a client reconnecting to a server, an
// mTLS client connecting again) costs a hash and a comparison instead of a
// parse (issue 6: no certificate re-parsing; a parse is ~50k instructions,
// ~4% of a full ECDSA handshake pair). Only successful parses are kept, and
// the parsed certificate is immutable and shared; nothing about its validity
// is cached (path validation and every signature check run each time). At
// most kParsedCertificateCacheSize entries, the oldest evicted first.
// Thread-safe.
inline constexpr size_t kParsedCertificateCacheSize = 64;
Result<std::shared_ptr<const Certificate>> parse_cached(ByteView der);
size_t parsed_certificate_cache_size_for_testing();

// verify_signature checks that `signature` over `tbs` was made by the key in
// `issuer_spki_der` with algorithm `alg`, through the provider. Picks
// rsa_pss_pss_* instead of rsa_pss_rsae_* when the issuer key is an
// id-RSASSA-PSS key. ECDSA signatures verify on any curve (the provider
// allows e.g. ecdsa-with-SHA384 under a P-256 key). Errors: cert_unsupported for an algorithm
// without a scheme or weak (md5/sha1), cert_bad_signature when the signature does not verify or the
// key cannot be loaded or does not fit the algorithm.
Result<void> verify_signature(crypto::Provider& provider, const SignatureAlgorithm& alg,
                              ByteView tbs, ByteView signature, ByteView issuer_spki_der);

// verify_certificate_signature is verify_signature for cert's tbs, algorithm
// and signature under issuer_spki_der (the issuer certificate's SPKI).
Result<void> verify_certificate_signature(crypto::Provider& provider, const Certificate& cert,
                                          ByteView issuer_spki_der);

// parse_certificates parses every certificate of a PEM text (blocks labelled
// CERTIFICATE; other blocks and text between blocks are ignored) or, if the
// input does not look like PEM, a single DER certificate. Errors name the
// block index ("certificate 2: ...").
Result<std::vector<Certificate>> parse_certificates(ByteView pem_or_der);

}  // namespace tessera::x509
