#include "crypto/provider.h"

#include "crypto/openssl/openssl_provider.h"

namespace tessera::crypto {

Bytes Provider::digest(HashAlgorithm alg, ByteView data) {
  std::unique_ptr<HashContext> h = hash(alg);
  h->update(data);
  return h->finish();
}

std::string_view key_type_name(KeyType t) {
  switch (t) {
    case KeyType::rsa: return "RSA";
    case KeyType::rsa_pss: return "RSASSA-PSS";
    case KeyType::ec_p256: return "EC P-256";
    case KeyType::ec_p384: return "EC P-384";
    case KeyType::ec_p521: return "EC P-521";
    case KeyType::ed25519: return "Ed25519";
  }
  return "unknown";
}

std::shared_ptr<Provider> default_provider() {
  static const std::shared_ptr<OpenSslProvider> kProvider = std::make_shared<OpenSslProvider>();
  return kProvider;
}

}  // namespace tessera::crypto
