// Hashes, HMAC, HKDF (RFC 5869) and the TLS 1.2 PRF (RFC 5246 5) over
// libcrypto, plus the provider's name and randomness.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "crypto/openssl/internal.h"
#include "crypto/openssl/openssl_provider.h"

namespace tessera::crypto {
namespace {

using ossl::MdCtxPtr;

class OpenSslHash final : public HashContext {
 public:
  OpenSslHash(HashAlgorithm alg, MdCtxPtr ctx) : alg_(alg), ctx_(std::move(ctx)) {}

  HashAlgorithm algorithm() const override { return alg_; }
  size_t output_size() const override { return hash_length(alg_); }
  void update(ByteView data) override {
    // EVP_DigestUpdate cannot fail for an initialised software digest.
    EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
  }
  Bytes finish() override {
    Bytes out(EVP_MAX_MD_SIZE);
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), out.data(), &n);
    out.resize(n);
    return out;
  }
  std::unique_ptr<HashContext> clone() const override {
    MdCtxPtr copy(EVP_MD_CTX_new());
    if (!copy || EVP_MD_CTX_copy_ex(copy.get(), ctx_.get()) != 1) std::abort();
    return std::make_unique<OpenSslHash>(alg_, std::move(copy));
  }

 private:
  HashAlgorithm alg_;
  MdCtxPtr ctx_;
};

// KeyedHmac is an HMAC key scheduled once; mac() computes HMAC(key, parts...)
// on a duplicate of the keyed context, so HKDF-Expand and P_hash key HMAC only
// once per call.
class KeyedHmac {
 public:
  KeyedHmac(HashAlgorithm alg, ByteView key);
  size_t size() const { return size_; }
  // mac writes HMAC(key, a || b || c) to out (out.size() == size()).
  void mac(ByteView a, ByteView b, ByteView c, uint8_t* out) const;

 private:
  ossl::MacCtxPtr keyed_;
  size_t size_;
};

// A non-null pointer for zero-length inputs: libcrypto treats a null octet
// string as "parameter absent".
const uint8_t* nonnull(ByteView b) {
  static const uint8_t kEmpty = 0;
  return b.empty() ? &kEmpty : b.data();
}

KeyedHmac::KeyedHmac(HashAlgorithm alg, ByteView key) : size_(hash_length(alg)) {
  EVP_MAC_CTX* tmpl = ossl::algorithms().hmac_template[static_cast<size_t>(alg)];
  keyed_.reset(tmpl ? EVP_MAC_CTX_dup(tmpl) : nullptr);
  // HMAC over a built-in digest cannot fail short of memory exhaustion.
  if (!keyed_ || EVP_MAC_init(keyed_.get(), nonnull(key), key.size(), nullptr) != 1) std::abort();
}

void KeyedHmac::mac(ByteView a, ByteView b, ByteView c, uint8_t* out) const {
  ossl::MacCtxPtr ctx(EVP_MAC_CTX_dup(keyed_.get()));
  size_t n = 0;
  if (!ctx || EVP_MAC_update(ctx.get(), a.data(), a.size()) != 1 ||
      EVP_MAC_update(ctx.get(), b.data(), b.size()) != 1 ||
      EVP_MAC_update(ctx.get(), c.data(), c.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out, &n, size_) != 1 || n != size_) {
    std::abort();
  }
}

}  // namespace

std::string_view OpenSslProvider::name() const {
  static const std::string kName =
      std::string("openssl (") + OpenSSL_version(OPENSSL_VERSION) + ")";
  return kName;
}

void OpenSslProvider::random(MutableByteView out) {
  if (out.empty()) return;
  // A failing DRBG leaves nothing safe to do: handshakes would run on
  // predictable values.
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) std::abort();
}

std::unique_ptr<HashContext> OpenSslProvider::hash(HashAlgorithm alg) {
  const EVP_MD* md = ossl::md(alg);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  // Every HashAlgorithm is a built-in default-provider digest; failing to
  // initialise one means libcrypto is broken or out of memory.
  if (md == nullptr || !ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1) std::abort();
  return std::make_unique<OpenSslHash>(alg, std::move(ctx));
}

Bytes OpenSslProvider::hmac(HashAlgorithm alg, ByteView key, ByteView data) {
  KeyedHmac h(alg, key);
  Bytes out(h.size());
  h.mac(data, {}, {}, out.data());
  return out;
}

SecretBytes OpenSslProvider::hkdf_extract(HashAlgorithm alg, ByteView salt, ByteView ikm) {
  // RFC 5869 2.2: PRK = HMAC-Hash(salt, IKM); if salt is not provided it is
  // set to a string of HashLen zeros.
  Bytes zeros;
  if (salt.empty()) {
    zeros.assign(hash_length(alg), 0);
    salt = zeros;
  }
  Bytes prk = hmac(alg, salt, ikm);
  SecretBytes out(prk);
  secure_wipe(prk.data(), prk.size());
  return out;
}

Result<SecretBytes> OpenSslProvider::hkdf_expand(HashAlgorithm alg, ByteView prk, ByteView info,
                                                 size_t length) {
  // RFC 5869 2.3: L <= 255*HashLen.
  if (length > 255 * hash_length(alg)) {
    return Error(ErrorCode::internal_error, "HKDF-Expand: requested " + std::to_string(length) +
                                                " bytes, more than 255 * HashLen");
  }
  // RFC 5869 2.3: T(0) = empty; T(i) = HMAC-Hash(PRK, T(i-1) | info | i);
  // OKM = the first L octets of T(1) | T(2) | ...
  KeyedHmac h(alg, prk);
  const size_t n = h.size();
  SecretBytes okm(length);
  SecretBytes t(n);
  ByteView prev;
  for (size_t done = 0, i = 1; done < length; ++i) {
    const uint8_t counter = static_cast<uint8_t>(i);
    h.mac(prev, info, ByteView(&counter, 1), t.data());
    size_t take = std::min(n, length - done);
    std::copy_n(t.data(), take, okm.data() + done);
    done += take;
    prev = t.view();
  }
  return okm;
}

Result<SecretBytes> OpenSslProvider::tls12_prf(HashAlgorithm alg, ByteView secret,
                                               std::string_view label, ByteView seed,
                                               size_t length) {
  // RFC 5246 5: the TLS 1.2 PRF is P_<hash> with SHA-256 or a stronger hash;
  // P_SHA1 alone was never a TLS PRF.
  if (alg == HashAlgorithm::sha1) {
    return Error(ErrorCode::unsupported_algorithm, "TLS 1.2 PRF: SHA-1 is not a PRF hash");
  }
  if (length == 0) return SecretBytes();
  // RFC 5246 5: PRF(secret, label, seed) = P_<hash>(secret, label + seed), where
  //   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
  //                          HMAC_hash(secret, A(2) + seed) + ...
  //   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1)).
  ByteView label_bytes = as_bytes_view(label);
  KeyedHmac h(alg, secret);
  const size_t n = h.size();
  SecretBytes out(length);
  SecretBytes a(n), block(n);
  h.mac(label_bytes, seed, {}, a.data());  // A(1)
  for (size_t done = 0; done < length;) {
    h.mac(a.view(), label_bytes, seed, block.data());
    size_t take = std::min(n, length - done);
    std::copy_n(block.data(), take, out.data() + done);
    done += take;
    h.mac(a.view(), {}, {}, a.data());  // A(i+1); mac() reads a before writing it
  }
  return out;
}

}  // namespace tessera::crypto
