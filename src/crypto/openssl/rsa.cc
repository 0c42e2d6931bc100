// RSA key transport for TLS 1.2 (RFC 5246 7.4.7.1): PKCS#1 v1.5 encryption
// on the client, and decryption with implicit rejection on the server.
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <string>

#include "crypto/openssl/internal.h"
#include "crypto/openssl/openssl_provider.h"
#include "crypto/tls12_keys.h"

namespace tessera::crypto {

namespace {
constexpr size_t kPremasterSize = kTls12PremasterSize;
}  // namespace

Result<Bytes> OpenSslProvider::rsa_encrypt_pkcs1(const PublicKey& key, ByteView plaintext) {
  if (key.type() != KeyType::rsa) {
    return Error(ErrorCode::unsupported_algorithm,
                 "RSA key transport needs an rsaEncryption key, not " +
                     std::string(key_type_name(key.type())));
  }
  // Re-read the key from its SPKI so any PublicKey implementation works.
  ByteView spki = key.spki();
  const unsigned char* p = spki.data();
  ossl::PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  ossl::PkeyCtxPtr ctx(pkey ? EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr) : nullptr);
  size_t len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) != 1) {
    return ossl::openssl_error(ErrorCode::crypto_failure, "cannot set up RSA encryption");
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(), plaintext.size()) != 1) {
    return ossl::openssl_error(ErrorCode::crypto_failure,
                               "RSA PKCS#1 v1.5 encryption failed (plaintext too long?)");
  }
  out.resize(len);
  return out;
}

namespace ossl {

// Why this function looks the way it does: a server that reveals, by an
// error, an alert, a length or timing, whether a ClientKeyExchange decrypted
// to well-formed PKCS#1 v1.5 padding is a padding oracle (Bleichenbacher 1998;
// ROBOT 2017) that lets an attacker decrypt recorded sessions or sign with the
// server's key. RFC 5246 7.4.7.1 therefore requires that a malformed message
// be handled exactly like a well-formed one carrying a random premaster: the
// caller draws `fallback` before decrypting, and we return either the
// decrypted premaster or `fallback`, chosen with a constant-time select. The
// padding check (tls12_rsa_premaster_from_em) uses only mask arithmetic: no branch, no early return
// and no error depends on the decrypted bytes.
Result<SecretBytes> rsa_decrypt_premaster(EVP_PKEY* key, ByteView ciphertext,
                                          uint16_t client_version, const SecretBytes& fallback) {
  if (fallback.size() != kPremasterSize) {
    return Error(ErrorCode::internal_error, "RSA key transport: fallback must be 48 bytes");
  }
  const size_t k = static_cast<size_t>(EVP_PKEY_get_size(key));  // modulus bytes
  // A ciphertext of the wrong length, or one libcrypto refuses to raw-decrypt
  // (c >= n), is rejected on public information only; it still yields the
  // fallback and no error, like any other malformed message.
  SecretBytes em(k);
  size_t em_len = k;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1) {
    return openssl_error(ErrorCode::crypto_failure, "cannot set up RSA decryption");
  }
  if (k < kPremasterSize + 11 || ciphertext.size() != k ||
      EVP_PKEY_decrypt(ctx.get(), em.data(), &em_len, ciphertext.data(), ciphertext.size()) != 1 ||
      em_len != k) {
    clear_errors();
    return fallback.copy();
  }
  return tls12_rsa_premaster_from_em(em.view(), client_version, fallback.view());
}

}  // namespace ossl
}  // namespace tessera::crypto
