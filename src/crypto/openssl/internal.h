// crypto/openssl/internal.h — shared plumbing of the OpenSSL provider: RAII
// owners for libcrypto objects, the process-wide cache of fetched algorithms,
// and the translation of libcrypto's error queue into tessera Errors.
//
// Internal to src/crypto/openssl/; nothing outside this folder includes it.
#pragma once

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>
#include <string_view>

#include "crypto/provider.h"

namespace tessera::crypto::ossl {

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct EvpCipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct EvpMacCtxFree {
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct EvpPkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
struct BnCtxFree {
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, EvpMacCtxFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxFree>;

// Algorithms holds every EVP algorithm the provider uses, fetched once per
// process. (HMAC, HKDF and the TLS 1.2 PRF are built on the EVP_MDs directly,
// see hash.cc: cheaper than EVP_MAC / EVP_KDF contexts.) Fetched objects are never
// freed (they live as long as the process); they are only read after
// construction, so sharing them between threads is safe.
struct Algorithms {
  // Indexed by static_cast<size_t>(HashAlgorithm).
  static constexpr size_t kHashCount = 4;
  const EVP_MD* md[kHashCount] = {};
  // Indexed by static_cast<size_t>(AeadAlgorithm).
  const EVP_CIPHER* aead[3] = {};
};

// algorithms returns the process-wide cache, fetching on first use. An
// algorithm that libcrypto does not provide is left null.
const Algorithms& algorithms();

// md returns the cached EVP_MD for alg (null if unavailable).
inline const EVP_MD* md(HashAlgorithm alg) { return algorithms().md[static_cast<size_t>(alg)]; }

// openssl_error builds an Error with code and message "what", followed by the
// reason libcrypto recorded (if any), and clears libcrypto's error queue.
Error openssl_error(ErrorCode code, std::string_view what);
Error openssl_error(ErrorCode code, AlertDescription alert, std::string_view what);

// clear_errors drops whatever libcrypto queued, for paths where a failure is
// expected and reported otherwise.
void clear_errors();

// rsa_decrypt_premaster implements PrivateKey::rsa_decrypt_premaster for an
// RSA key (rsa.cc).
Result<SecretBytes> rsa_decrypt_premaster(EVP_PKEY* key, ByteView ciphertext,
                                          uint16_t client_version, const SecretBytes& fallback);

}  // namespace tessera::crypto::ossl
