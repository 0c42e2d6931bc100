// x509/checks.cc — shared certificate checks.
#include "x509/checks.h"

#include "crypto/provider.h"
#include "x509/der.h"

namespace tessera::x509 {

Result<void> check_signature_algorithm(const SignatureAlgorithm& alg) {
  // CA/B BR 7.1.3.2: MD5 and SHA-1 signatures are not acceptable.
  if (alg.weak) {
    return Error(ErrorCode::cert_weak_key, "signature algorithm " + alg.name + " is too weak");
  }
  if (!alg.scheme) {
    return Error(ErrorCode::cert_unsupported, "unsupported signature algorithm " + alg.name);
  }
  return ok();
}

Result<void> verify_with_key(const crypto::PublicKey& key, const SignatureAlgorithm& alg,
                             ByteView tbs, ByteView signature) {
  TESSERA_TRY(check_signature_algorithm(alg));
  SignatureScheme scheme = *alg.scheme;
  if (key.type() == crypto::KeyType::rsa_pss) {
    switch (scheme) {
      case SignatureScheme::rsa_pss_rsae_sha256:
        scheme = SignatureScheme::rsa_pss_pss_sha256;
        break;
      case SignatureScheme::rsa_pss_rsae_sha384:
        scheme = SignatureScheme::rsa_pss_pss_sha384;
        break;
      case SignatureScheme::rsa_pss_rsae_sha512:
        scheme = SignatureScheme::rsa_pss_pss_sha512;
        break;
      default: break;
    }
  }
  Result<void> r = key.verify(scheme, tbs, signature);
  if (!r) {
    return Error(ErrorCode::cert_bad_signature,
                 alg.name + " signature does not verify (" + r.error().message() + ")");
  }
  return ok();
}

size_t rsa_modulus_bits(const SubjectPublicKeyInfo& spki) {
  if (spki.algorithm != PublicKeyAlgorithm::rsa && spki.algorithm != PublicKeyAlgorithm::rsa_pss) {
    return 0;
  }
  // RFC 8017 A.1.1: RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
  DerReader outer(spki.public_key);
  auto seq = outer.read_sequence();
  if (!seq) return 0;
  auto n = seq->read_integer();
  if (!n || n->empty()) return 0;
  ByteView m = *n;
  while (!m.empty() && m.front() == 0) m = m.subspan(1);
  if (m.empty()) return 0;
  size_t bits = m.size() * 8;
  for (uint8_t top = m.front(); !(top & 0x80); top = static_cast<uint8_t>(top << 1)) --bits;
  return bits;
}

Result<void> check_key_strength(const SubjectPublicKeyInfo& spki, size_t min_rsa_bits) {
  size_t bits = rsa_modulus_bits(spki);
  bool is_rsa =
      spki.algorithm == PublicKeyAlgorithm::rsa || spki.algorithm == PublicKeyAlgorithm::rsa_pss;
  // CA/B BR 6.1.5: RSA keys must have a modulus of at least 2048 bits (a
  // policy may ask for more).
  const size_t minimum = std::max(min_rsa_bits, kMinRsaBits);
  if (is_rsa && bits < minimum) {
    return Error(ErrorCode::cert_weak_key, "RSA key of " + std::to_string(bits) +
                                               " bits is below the minimum of " +
                                               std::to_string(minimum));
  }
  return ok();
}

std::string describe_key(const SubjectPublicKeyInfo& spki) {
  switch (spki.algorithm) {
    case PublicKeyAlgorithm::rsa: return "RSA " + std::to_string(rsa_modulus_bits(spki));
    case PublicKeyAlgorithm::rsa_pss: return "RSA-PSS " + std::to_string(rsa_modulus_bits(spki));
    case PublicKeyAlgorithm::ec:
      if (spki.curve == oids::kSecp256r1) return "EC P-256";
      if (spki.curve == oids::kSecp384r1) return "EC P-384";
      if (spki.curve == oids::kSecp521r1) return "EC P-521";
      return "EC " + (spki.curve ? spki.curve->to_string() : std::string("?"));
    case PublicKeyAlgorithm::ed25519: return "Ed25519";
    case PublicKeyAlgorithm::ed448: return "Ed448";
    case PublicKeyAlgorithm::unknown: break;
  }
  return "unknown key " + spki.algorithm_oid.to_string();
}

}  // namespace tessera::x509
