// x509/checks.h — small certificate checks shared by the verifier and the
// trust store: signature verification with an already loaded key, key
// strength, and one-line descriptions for reports.
#pragma once

#include <string>

#include "base/bytes.h"
#include "tessera/result.h"
#include "x509/certificate.h"

namespace tessera::crypto {
class PublicKey;
}

namespace tessera::x509 {

// CA/B BR 6.1.5: RSA moduli of at least 2048 bits.
inline constexpr size_t kMinRsaBits = 2048;

// verify_with_key checks `signature` over `tbs` under `key` with `alg`
// (rsa_pss_rsae_* becomes rsa_pss_pss_* for an id-RSASSA-PSS key).
// cert_weak_key for MD5/SHA-1 algorithms, cert_unsupported for an algorithm
// without a scheme, cert_bad_signature when it does not verify.
Result<void> verify_with_key(const crypto::PublicKey& key, const SignatureAlgorithm& alg,
                             ByteView tbs, ByteView signature);

// check_signature_algorithm refuses weak (MD5, SHA-1) algorithms with
// cert_weak_key and unknown ones with cert_unsupported.
Result<void> check_signature_algorithm(const SignatureAlgorithm& alg);

// rsa_modulus_bits returns the bit length of the modulus of an RSA (or
// RSASSA-PSS) SubjectPublicKeyInfo, or 0 if it is not RSA or malformed.
size_t rsa_modulus_bits(const SubjectPublicKeyInfo& spki);

// check_key_strength refuses RSA keys under min_rsa_bits (never less than
// kMinRsaBits) with cert_weak_key.
Result<void> check_key_strength(const SubjectPublicKeyInfo& spki,
                                size_t min_rsa_bits = kMinRsaBits);

// describe_key renders "RSA 2048", "RSA-PSS 3072", "EC P-256", "Ed25519".
std::string describe_key(const SubjectPublicKeyInfo& spki);

}  // namespace tessera::x509
