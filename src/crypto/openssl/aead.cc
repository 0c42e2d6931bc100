// AEAD (RFC 5116) over libcrypto: AES-128-GCM, AES-256-GCM and
// ChaCha20-Poly1305 (RFC 8439). Each Aead keys an EVP_CIPHER_CTX per direction
// once, on the first seal or open (a TLS record protection only ever uses one
// direction, so the other is never keyed); after that seal and open only set
// the nonce, so they do not allocate. OpenSslProvider::aead hands AES-GCM to
// the ipsec-mb backend instead when that is the provider's choice.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <string>

#include "crypto/ipsecmb/ipsecmb_aead.h"
#include "crypto/openssl/internal.h"
#include "crypto/openssl/openssl_provider.h"

namespace tessera::crypto {
namespace {

using ossl::CipherCtxPtr;

class OpenSslAead final : public Aead {
 public:
  OpenSslAead(AeadAlgorithm alg, const EVP_CIPHER* cipher, ByteView key)
      : alg_(alg), cipher_(cipher), key_(key) {}

  AeadAlgorithm algorithm() const override { return alg_; }
  std::string_view implementation() const override { return "libcrypto"; }

  Result<void> seal(ByteView nonce, ByteView aad, MutableByteView data,
                    MutableByteView tag) override {
    TESSERA_TRY(check_sizes(nonce, aad, data.size(), tag.size()));
    if (!enc_) TESSERA_TRY(key_context(enc_, true));
    int n = 0;
    if (EVP_EncryptInit_ex2(enc_.get(), nullptr, nullptr, nonce.data(), nullptr) != 1 ||
        (!aad.empty() && EVP_EncryptUpdate(enc_.get(), nullptr, &n, aad.data(),
                                           static_cast<int>(aad.size())) != 1) ||
        (!data.empty() && EVP_EncryptUpdate(enc_.get(), data.data(), &n, data.data(),
                                            static_cast<int>(data.size())) != 1) ||
        EVP_EncryptFinal_ex(enc_.get(), data.data() + data.size(), &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(enc_.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagSize),
                            tag.data()) != 1) {
      return ossl::openssl_error(ErrorCode::crypto_failure,
                                 std::string(aead_name(alg_)) + " seal failed");
    }
    return ok();
  }

  Result<void> open(ByteView nonce, ByteView aad, MutableByteView data, ByteView tag) override {
    return do_open_from(nonce, aad, data, tag, data);
  }

  bool rekey(ByteView key) override {
    if (key.size() != aead_key_length(alg_)) return false;
    // A keyed direction takes the new key in its context (the cipher and
    // the provider's context stay); an unkeyed one keys lazily from key_.
    if (enc_ && EVP_CipherInit_ex2(enc_.get(), nullptr, key.data(), nullptr, 1, nullptr) != 1)
      return false;
    if (dec_ && EVP_CipherInit_ex2(dec_.get(), nullptr, key.data(), nullptr, 0, nullptr) != 1)
      return false;
    key_ = enc_ && dec_ ? SecretBytes() : SecretBytes(key);
    return true;
  }

 protected:
  Result<void> do_seal_from(ByteView nonce, ByteView aad, ByteView head, ByteView tail,
                            MutableByteView out, MutableByteView tag) override {
    TESSERA_TRY(check_sizes(nonce, aad, out.size(), tag.size()));
    if (!enc_) TESSERA_TRY(key_context(enc_, true));
    // libcrypto reads each input where it is and writes the ciphertext to
    // out; GCM and ChaCha20-Poly1305 accept the plaintext in several updates.
    int n = 0;
    if (EVP_EncryptInit_ex2(enc_.get(), nullptr, nullptr, nonce.data(), nullptr) != 1 ||
        (!aad.empty() && EVP_EncryptUpdate(enc_.get(), nullptr, &n, aad.data(),
                                           static_cast<int>(aad.size())) != 1) ||
        (!head.empty() && EVP_EncryptUpdate(enc_.get(), out.data(), &n, head.data(),
                                            static_cast<int>(head.size())) != 1) ||
        (!tail.empty() && EVP_EncryptUpdate(enc_.get(), out.data() + head.size(), &n, tail.data(),
                                            static_cast<int>(tail.size())) != 1) ||
        EVP_EncryptFinal_ex(enc_.get(), out.data() + out.size(), &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(enc_.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagSize),
                            tag.data()) != 1) {
      return ossl::openssl_error(ErrorCode::crypto_failure,
                                 std::string(aead_name(alg_)) + " seal failed");
    }
    return ok();
  }

  // do_open_from serves open (in place) and open_from: libcrypto reads the
  // ciphertext where it is and writes the plaintext to out.
  Result<void> do_open_from(ByteView nonce, ByteView aad, ByteView in, ByteView tag,
                            MutableByteView out) override {
    TESSERA_TRY(check_sizes(nonce, aad, in.size(), tag.size()));
    if (!dec_) TESSERA_TRY(key_context(dec_, false));
    int n = 0;
    if (EVP_DecryptInit_ex2(dec_.get(), nullptr, nullptr, nonce.data(), nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(dec_.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagSize),
                            const_cast<uint8_t*>(tag.data())) != 1 ||
        (!aad.empty() && EVP_DecryptUpdate(dec_.get(), nullptr, &n, aad.data(),
                                           static_cast<int>(aad.size())) != 1) ||
        (!in.empty() && EVP_DecryptUpdate(dec_.get(), out.data(), &n, in.data(),
                                          static_cast<int>(in.size())) != 1)) {
      secure_wipe(out.data(), out.size());
      return ossl::openssl_error(ErrorCode::crypto_failure,
                                 std::string(aead_name(alg_)) + " open failed");
    }
    // RFC 5116 2.2: if the tag does not verify, the decryption fails and no
    // plaintext is released. libcrypto compares the tags in constant time;
    // the plaintext it already wrote to out is wiped, so a caller that
    // ignores the error sees nothing.
    if (EVP_DecryptFinal_ex(dec_.get(), out.data() + out.size(), &n) != 1) {
      ossl::clear_errors();
      secure_wipe(out.data(), out.size());
      return Error(ErrorCode::bad_record_mac, AlertDescription::bad_record_mac,
                   std::string(aead_name(alg_)) + ": authentication tag mismatch");
    }
    return ok();
  }

 private:
  // key_context creates and keys the context of one direction. Both ciphers
  // default to a 12-byte IV, which is what TLS uses.
  Result<void> key_context(CipherCtxPtr& ctx, bool encrypt) {
    CipherCtxPtr c(EVP_CIPHER_CTX_new());
    if (!c ||
        EVP_CipherInit_ex2(c.get(), cipher_, key_.data(), nullptr, encrypt ? 1 : 0, nullptr) != 1) {
      return ossl::openssl_error(ErrorCode::crypto_failure,
                                 std::string(aead_name(alg_)) + ": keying failed");
    }
    ctx = std::move(c);
    if (enc_ && dec_) key_.clear();  // both directions keyed: the raw key is no longer needed
    return ok();
  }

  Result<void> check_sizes(ByteView nonce, ByteView aad, size_t data_size, size_t tag_size) const {
    if (nonce.size() != kNonceSize) {
      return Error(ErrorCode::internal_error, std::string(aead_name(alg_)) + ": nonce is " +
                                                  std::to_string(nonce.size()) +
                                                  " bytes, expected 12");
    }
    if (tag_size != kTagSize) {
      return Error(ErrorCode::internal_error, std::string(aead_name(alg_)) + ": tag buffer is " +
                                                  std::to_string(tag_size) + " bytes, expected 16");
    }
    if (aad.size() > INT_MAX || data_size > INT_MAX) {
      return Error(ErrorCode::internal_error,
                   std::string(aead_name(alg_)) + ": input larger than 2^31 bytes");
    }
    return ok();
  }

  AeadAlgorithm alg_;
  const EVP_CIPHER* cipher_;
  SecretBytes key_;  // until both directions are keyed
  CipherCtxPtr enc_;
  CipherCtxPtr dec_;
};

}  // namespace

Result<std::unique_ptr<Aead>> OpenSslProvider::aead(AeadAlgorithm alg, ByteView key) {
  if (use_ipsec_mb(alg)) return ipsec_mb_aead(alg, key);
  const EVP_CIPHER* cipher = ossl::algorithms().aead[static_cast<size_t>(alg)];
  if (cipher == nullptr) {
    return Error(ErrorCode::unsupported_algorithm,
                 std::string(aead_name(alg)) + " is not available in libcrypto");
  }
  if (key.size() != aead_key_length(alg)) {
    return Error(ErrorCode::internal_error, std::string(aead_name(alg)) + ": key is " +
                                                std::to_string(key.size()) + " bytes, expected " +
                                                std::to_string(aead_key_length(alg)));
  }
  return std::unique_ptr<Aead>(std::make_unique<OpenSslAead>(alg, cipher, key));
}

std::string OpenSslProvider::aead_implementation(AeadAlgorithm alg) const {
  if (use_ipsec_mb(alg)) {
    const IpsecMbStatus& s = ipsec_mb_status();
    return "ipsec-mb " + std::string(s.version) + " (" + std::string(s.arch) + ")";
  }
  return std::string("libcrypto (") + OpenSSL_version(OPENSSL_VERSION) + ")";
}

}  // namespace tessera::crypto
