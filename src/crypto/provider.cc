#include "crypto/provider.h"

#include <algorithm>

#include <cstring>
#include <string>

#include "crypto/openssl/openssl_provider.h"

namespace tessera::crypto {

Result<void> Aead::seal_from(ByteView nonce, ByteView aad, ByteView head, ByteView tail,
                             MutableByteView out, MutableByteView tag) {
  if (out.size() != head.size() + tail.size()) {
    return Error(ErrorCode::internal_error,
                 "AEAD seal: output is " + std::to_string(out.size()) + " bytes for " +
                     std::to_string(head.size() + tail.size()) + " bytes of plaintext");
  }
  return do_seal_from(nonce, aad, head, tail, out, tag);
}

Result<void> Aead::do_seal_from(ByteView nonce, ByteView aad, ByteView head, ByteView tail,
                                MutableByteView out, MutableByteView tag) {
  if (!head.empty()) std::memcpy(out.data(), head.data(), head.size());
  if (!tail.empty()) std::memmove(out.data() + head.size(), tail.data(), tail.size());
  return seal(nonce, aad, out, tag);
}

Result<void> Aead::open_from(ByteView nonce, ByteView aad, ByteView ciphertext, ByteView tag,
                             MutableByteView out) {
  if (out.size() != ciphertext.size()) {
    return Error(ErrorCode::internal_error, "AEAD open: output is " + std::to_string(out.size()) +
                                                " bytes for " + std::to_string(ciphertext.size()) +
                                                " bytes of ciphertext");
  }
  return do_open_from(nonce, aad, ciphertext, tag, out);
}

Result<void> Aead::do_open_from(ByteView nonce, ByteView aad, ByteView ciphertext, ByteView tag,
                                MutableByteView out) {
  if (!ciphertext.empty() && ciphertext.data() != out.data()) {
    std::memmove(out.data(), ciphertext.data(), ciphertext.size());
  }
  return open(nonce, aad, out, tag);
}

Result<std::unique_ptr<KeyShare>> Provider::import_key_pair(NamedGroup g, ByteView private_key,
                                                            ByteView public_value) {
  TESSERA_ASSIGN_OR_RETURN(auto share, import_key_share(g, private_key));
  if (!std::equal(public_value.begin(), public_value.end(), share->public_value().begin(),
                  share->public_value().end()))
    return Error(ErrorCode::invalid_key, "the public value given is not the private key's");
  return share;
}

Result<SecretBytes> KeyShare::private_key() const {
  const auto g = static_cast<uint16_t>(group());
  return Error(ErrorCode::unsupported_algorithm,
               "a key share of " +
                   (g == 0 ? std::string("a custom Diffie-Hellman group") : group_name(g)) +
                   " cannot export its private key");
}

namespace {

// ProviderHmacKey is the default HmacKey: the key and the provider's
// one-shot hmac and hkdf_expand.
class ProviderHmacKey final : public HmacKey {
 public:
  ProviderHmacKey(Provider& p, HashAlgorithm alg, ByteView key) : p_(p), alg_(alg), key_(key) {}
  HashAlgorithm algorithm() const override { return alg_; }
  Bytes mac(ByteView data) const override { return p_.hmac(alg_, key_.view(), data); }
  Result<SecretBytes> expand(ByteView info, size_t length) const override {
    return p_.hkdf_expand(alg_, key_.view(), info, length);
  }

 private:
  Provider& p_;
  HashAlgorithm alg_;
  SecretBytes key_;
};

}  // namespace

std::unique_ptr<HmacKey> Provider::hmac_key(HashAlgorithm alg, ByteView key) {
  return std::make_unique<ProviderHmacKey>(*this, alg, key);
}

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
