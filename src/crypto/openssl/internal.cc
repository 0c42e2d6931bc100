#include "crypto/openssl/internal.h"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <string>

#include "tessera/algorithms.h"

namespace tessera::crypto::ossl {
namespace {

constexpr const char* kHashNames[Algorithms::kHashCount] = {"SHA2-256", "SHA2-384", "SHA2-512",
                                                            "SHA1"};

Algorithms* fetch_all() {
  auto* a = new Algorithms();
  for (size_t i = 0; i < Algorithms::kHashCount; ++i) {
    a->md[i] = EVP_MD_fetch(nullptr, kHashNames[i], nullptr);
  }
  a->aead[static_cast<size_t>(AeadAlgorithm::aes_128_gcm)] =
      EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  a->aead[static_cast<size_t>(AeadAlgorithm::aes_256_gcm)] =
      EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  a->aead[static_cast<size_t>(AeadAlgorithm::chacha20_poly1305)] =
      EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  ERR_clear_error();
  return a;
}

}  // namespace

const Algorithms& algorithms() {
  // Intentionally never freed: objects created from these may outlive any
  // static destructor ordering we could choose.
  static const Algorithms* const kAlgorithms = fetch_all();
  return *kAlgorithms;
}

Error openssl_error(ErrorCode code, std::string_view what) {
  return openssl_error(code, default_alert(code), what);
}

Error openssl_error(ErrorCode code, AlertDescription alert, std::string_view what) {
  std::string msg(what);
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    msg += " (libcrypto: ";
    msg += buf;
    msg += ")";
  }
  ERR_clear_error();
  return Error(code, alert, std::move(msg));
}

void clear_errors() { ERR_clear_error(); }

}  // namespace tessera::crypto::ossl
