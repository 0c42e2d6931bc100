// Hashes, HMAC, HKDF (RFC 5869) and the TLS 1.2 PRF (RFC 5246 5) over
// libcrypto, plus the provider's name and randomness.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

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

// KeyedHmac is an HMAC key (RFC 2104) scheduled once: the digest states after
// the ipad and opad blocks are kept, and mac() continues copies of them, so
// HKDF-Expand and P_hash hash the key blocks only once per call. This is built
// directly on EVP_MD_CTX rather than EVP_MAC: libcrypto 3.0's EVP_MAC path
// (dup, parameter handling, final) cost about 12,600 instructions per
// HMAC-SHA256 of a short input in callgrind, this about a third of that.
class KeyedHmac {
 public:
  KeyedHmac(HashAlgorithm alg, ByteView key);
  size_t size() const { return size_; }
  // mac writes HMAC(key, a || b || c) to out (out.size() == size()). It may
  // be called repeatedly; `out` may alias a, b or c. Not from two threads at
  // once, const or not: it works in the one scratch context work_.
  void mac(ByteView a, ByteView b, ByteView c, uint8_t* out) const;

 private:
  ossl::MdCtxPtr inner_;  // state after H((K ^ ipad))
  ossl::MdCtxPtr outer_;  // state after H((K ^ opad))
  ossl::MdCtxPtr work_;   // scratch copy; mac() is logically const
  size_t size_;
};

KeyedHmac::KeyedHmac(HashAlgorithm alg, ByteView key)
    : inner_(EVP_MD_CTX_new()),
      outer_(EVP_MD_CTX_new()),
      work_(EVP_MD_CTX_new()),
      size_(hash_length(alg)) {
  const EVP_MD* md = ossl::md(alg);
  // HMAC over a built-in digest cannot fail short of memory exhaustion.
  if (md == nullptr || !inner_ || !outer_ || !work_) std::abort();
  const size_t block = static_cast<size_t>(EVP_MD_get_block_size(md));
  uint8_t k0[EVP_MAX_MD_SIZE > 128 ? EVP_MAX_MD_SIZE : 128] = {};
  uint8_t pad[sizeof k0];
  if (block > sizeof k0) std::abort();
  if (key.size() > block) {
    // RFC 2104 2: keys longer than the block size are hashed first.
    unsigned int n = 0;
    if (EVP_Digest(key.data(), key.size(), k0, &n, md, nullptr) != 1) std::abort();
  } else if (!key.empty()) {
    std::memcpy(k0, key.data(), key.size());
  }
  for (size_t i = 0; i < block; ++i) pad[i] = static_cast<uint8_t>(k0[i] ^ 0x36);
  bool ok = EVP_DigestInit_ex2(inner_.get(), md, nullptr) == 1 &&
            EVP_DigestUpdate(inner_.get(), pad, block) == 1;
  for (size_t i = 0; i < block; ++i) pad[i] = static_cast<uint8_t>(k0[i] ^ 0x5c);
  ok = ok && EVP_DigestInit_ex2(outer_.get(), md, nullptr) == 1 &&
       EVP_DigestUpdate(outer_.get(), pad, block) == 1;
  secure_wipe(k0, sizeof k0);
  secure_wipe(pad, sizeof pad);
  if (!ok) std::abort();
}

void KeyedHmac::mac(ByteView a, ByteView b, ByteView c, uint8_t* out) const {
  uint8_t inner_hash[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_MD_CTX* w = work_.get();
  bool ok = EVP_MD_CTX_copy_ex(w, inner_.get()) == 1 &&
            (a.empty() || EVP_DigestUpdate(w, a.data(), a.size()) == 1) &&
            (b.empty() || EVP_DigestUpdate(w, b.data(), b.size()) == 1) &&
            (c.empty() || EVP_DigestUpdate(w, c.data(), c.size()) == 1) &&
            EVP_DigestFinal_ex(w, inner_hash, &n) == 1 && n == size_ &&
            EVP_MD_CTX_copy_ex(w, outer_.get()) == 1 && EVP_DigestUpdate(w, inner_hash, n) == 1 &&
            EVP_DigestFinal_ex(w, out, &n) == 1 && n == size_;
  secure_wipe(inner_hash, sizeof inner_hash);
  if (!ok) std::abort();
}

// hkdf_expand_with implements RFC 5869 2.3 with an already keyed PRK:
//   T(0) = empty; T(i) = HMAC-Hash(PRK, T(i-1) | info | i);
//   OKM = the first L octets of T(1) | T(2) | ...
Result<SecretBytes> hkdf_expand_with(const KeyedHmac& h, HashAlgorithm alg, ByteView info,
                                     size_t length) {
  // RFC 5869 2.3: L <= 255*HashLen.
  if (length > 255 * h.size()) {
    return Error(ErrorCode::internal_error, "HKDF-Expand: requested " + std::to_string(length) +
                                                " bytes, more than 255 * HashLen of " +
                                                std::string(hash_name(alg)));
  }
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

class OpenSslHmacKey final : public HmacKey {
 public:
  OpenSslHmacKey(HashAlgorithm alg, ByteView key) : alg_(alg), h_(alg, key) {}
  HashAlgorithm algorithm() const override { return alg_; }
  Bytes mac(ByteView data) const override {
    Bytes out(h_.size());
    h_.mac(data, {}, {}, out.data());
    return out;
  }
  Result<SecretBytes> expand(ByteView info, size_t length) const override {
    return hkdf_expand_with(h_, alg_, info, length);
  }

 private:
  HashAlgorithm alg_;
  KeyedHmac h_;
};

// draw_public fills out from libcrypto's public DRBG.
void draw_public(uint8_t* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) std::abort();
}

// PublicRandomBlock is one thread's block of public-DRBG output, served front
// to back to OpenSslProvider::public_random.
class PublicRandomBlock {
 public:
  static constexpr size_t kSize = 512;
  static constexpr size_t kMaxServed = kSize / 4;

  PublicRandomBlock() = default;
  PublicRandomBlock(const PublicRandomBlock&) = delete;
  PublicRandomBlock& operator=(const PublicRandomBlock&) = delete;
  ~PublicRandomBlock() { OPENSSL_cleanse(bytes_, sizeof bytes_); }

  void serve(MutableByteView out) {
    // After fork() the child holds a copy of this block: the bytes its
    // parent will serve next. getpid() tells them apart (glibc does not
    // cache it, so it is right after any fork or clone).
    const pid_t pid = getpid();
    if (pid != pid_ || left_ < out.size()) {
      draw_public(bytes_, kSize);
      left_ = kSize;
      pid_ = pid;
    }
    uint8_t* next = bytes_ + (kSize - left_);
    std::memcpy(out.data(), next, out.size());
    OPENSSL_cleanse(next, out.size());  // served once, never again
    left_ -= out.size();
  }

 private:
  uint8_t bytes_[kSize];
  size_t left_ = 0;
  pid_t pid_ = -1;
};

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
  if (RAND_priv_bytes(out.data(), static_cast<int>(out.size())) != 1) std::abort();
}

void OpenSslProvider::public_random(MutableByteView out) {
  if (out.size() > PublicRandomBlock::kMaxServed) return draw_public(out.data(), out.size());
  thread_local PublicRandomBlock block;
  block.serve(out);
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
  return hkdf_expand_with(KeyedHmac(alg, prk), alg, info, length);
}

std::unique_ptr<HmacKey> OpenSslProvider::hmac_key(HashAlgorithm alg, ByteView key) {
  return std::make_unique<OpenSslHmacKey>(alg, key);
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
