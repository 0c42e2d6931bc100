// Key exchange over libcrypto, KEM-shaped: X25519 (RFC 7748), secp256r1 and
// secp384r1 ECDH (SEC 1), and the RFC 7919 finite-field groups.
//
// Private keys are derived from bytes drawn through Provider::random() (see
// openssl_provider.h), so a scripted provider reproduces key shares exactly.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <string>

#include "base/ct.h"
#include "crypto/ffdhe.h"
#include "crypto/openssl/internal.h"
#include "crypto/openssl/openssl_provider.h"

namespace tessera::crypto {
namespace {

using ossl::BnCtxPtr;
using ossl::BnPtr;
using ossl::PkeyCtxPtr;
using ossl::PkeyPtr;

// Rejection sampling gives up after this many draws; with the groups here
// the chance of even one rejection is below 2^-32.
constexpr int kMaxDraws = 64;

Error bad_share(std::string message) {
  return Error(ErrorCode::invalid_key_share, AlertDescription::illegal_parameter,
               std::move(message));
}

struct EcPointFree {
  void operator()(EC_POINT* p) const { EC_POINT_clear_free(p); }
};
struct EcGroupFree {
  void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
};
using EcPointPtr = std::unique_ptr<EC_POINT, EcPointFree>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, EcGroupFree>;

// ---------------------------------------------------------------- X25519

constexpr size_t kX25519Size = 32;

// x25519_import makes an X25519 EVP_PKEY from raw values: the public value
// alone (priv empty) or a key pair (both given; libcrypto then skips
// computing the public value itself). It goes through one EVP_PKEY_CTX per
// thread, made on first use: EVP_PKEY_new_raw_*_key_ex looks "X25519" up by
// name on every call, which cost about 16,000 instructions per key in
// callgrind (libcrypto 3.0), a tenth of a resumed handshake's overhead.
PkeyPtr x25519_import(ByteView priv, ByteView pub) {
  thread_local PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "X25519", nullptr));
  OSSL_PARAM params[3];
  size_t n = 0;
  if (!priv.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY,
                                                    const_cast<uint8_t*>(priv.data()), priv.size());
  }
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                  const_cast<uint8_t*>(pub.data()), pub.size());
  params[n] = OSSL_PARAM_construct_end();
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, priv.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR,
                        params) != 1) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return PkeyPtr(key);
}

// x25519_context makes a derivation context for own's private key.
PkeyCtxPtr x25519_context(EVP_PKEY* own) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
  if (ctx && EVP_PKEY_derive_init(ctx.get()) != 1) ctx.reset();
  return ctx;
}

// x25519 computes X25519(the context's private key, peer public key) into
// out (32 bytes). False if libcrypto refuses (it refuses an all-zero result).
bool x25519(EVP_PKEY_CTX* ctx, EVP_PKEY* peer, MutableByteView out) {
  size_t n = out.size();
  return EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) == 1 &&
         EVP_PKEY_derive(ctx, out.data(), &n) == 1 && n == kX25519Size;
}

// The X25519 base point, u = 9 (RFC 7748 4.1), as a public key shared by
// every thread (libcrypto only reads it; derive takes a reference). Made
// once and kept for the life of the process, like the fetched algorithms
// (internal.h).
constexpr uint8_t kBasePoint[kX25519Size] = {9};
EVP_PKEY* x25519_base_point() {
  static EVP_PKEY* const base = x25519_import({}, ByteView(kBasePoint)).release();
  return base;
}

class X25519Share final : public KeyShare {
 public:
  X25519Share(PkeyCtxPtr ctx, Bytes pub) : ctx_(std::move(ctx)), pub_(std::move(pub)) {}

  static Result<std::unique_ptr<KeyShare>> generate(Provider& rng) {
    // RFC 7748 5: the private key is 32 random bytes (clamped by the
    // scalar multiplication itself).
    SecretBytes priv(kX25519Size);
    rng.random(priv.mutable_view());
    return from_private(priv.view());
  }

  // from_private makes the share of a 32-byte private key (the caller
  // checked the length).
  static Result<std::unique_ptr<KeyShare>> from_private(ByteView priv) {
    // RFC 7748 6.1: the public value is X25519(a, 9). It is computed here by
    // that very function, the Montgomery ladder libcrypto uses for every
    // X25519: importing the private key alone would have libcrypto compute
    // it with its Ed25519 base-point tables instead, about 10% more work in
    // callgrind (libcrypto 3.0). The key object therefore carries the base
    // point where its public value would be; it only ever serves as the
    // private half of derivations (ecx derive reads nothing else), through
    // the one context kept here for X25519(a, 9) and then X25519(a, peer).
    Bytes pub(kX25519Size);
    EVP_PKEY* base = x25519_base_point();
    PkeyPtr key = x25519_import(priv, ByteView(kBasePoint));
    PkeyCtxPtr ctx = key ? x25519_context(key.get()) : nullptr;
    if (base == nullptr || !ctx || !x25519(ctx.get(), base, pub)) {
      return ossl::openssl_error(ErrorCode::crypto_failure, "X25519 key generation failed");
    }
    return std::unique_ptr<KeyShare>(std::make_unique<X25519Share>(std::move(ctx), std::move(pub)));
  }

  // from_pair makes the share of a 32-byte private key with its public
  // value as given (import_key_pair; both lengths checked by the caller).
  static Result<std::unique_ptr<KeyShare>> from_pair(ByteView priv, ByteView pub) {
    PkeyPtr key = x25519_import(priv, ByteView(kBasePoint));
    PkeyCtxPtr ctx = key ? x25519_context(key.get()) : nullptr;
    if (!ctx) return ossl::openssl_error(ErrorCode::crypto_failure, "X25519 key import failed");
    return std::unique_ptr<KeyShare>(
        std::make_unique<X25519Share>(std::move(ctx), Bytes(pub.begin(), pub.end())));
  }

  NamedGroup group() const override { return NamedGroup::x25519; }
  ByteView public_value() const override { return pub_; }

  Result<SecretBytes> decapsulate(ByteView peer) override {
    // RFC 8446 4.2.8.2: X25519 key_exchange is the 32-byte public value.
    if (peer.size() != kX25519Size) {
      return bad_share("X25519 public value is " + std::to_string(peer.size()) +
                       " bytes, expected 32");
    }
    PkeyPtr peer_key = x25519_import({}, peer);
    if (!peer_key) {
      return ossl::openssl_error(ErrorCode::crypto_failure, "X25519 derivation setup failed");
    }
    SecretBytes shared(kX25519Size);
    bool derived = x25519(ctx_.get(), peer_key.get(), shared.mutable_view());
    ossl::clear_errors();
    // RFC 8446 7.4.2 / RFC 7748 6.1: implementations MUST check whether the
    // computed Diffie-Hellman shared secret is the all-zero value and abort if
    // so. (libcrypto refuses to output it; the explicit check stays in case it
    // ever does.)
    if (!derived || ct_is_zero_mask(shared.view()) != 0) {
      return bad_share("X25519 shared secret is all zero (peer sent a low-order point)");
    }
    return shared;
  }

  Result<SecretBytes> private_key() const override {
    // The key object holds the 32 bytes it was made from, unclamped.
    SecretBytes priv(kX25519Size);
    size_t n = priv.size();
    EVP_PKEY* key = EVP_PKEY_CTX_get0_pkey(ctx_.get());
    if (key == nullptr || EVP_PKEY_get_raw_private_key(key, priv.data(), &n) != 1 ||
        n != kX25519Size) {
      return ossl::openssl_error(ErrorCode::crypto_failure, "X25519 private key export failed");
    }
    return priv;
  }

 private:
  PkeyCtxPtr ctx_;  // derivation context holding the private key
  Bytes pub_;
};

// ---------------------------------------------------------------- ECDH

struct Curve {
  NamedGroup group;
  int nid;
  size_t field_size;  // bytes of a coordinate == bytes of the order here
  const char* name;
};

constexpr Curve kP256 = {NamedGroup::secp256r1, NID_X9_62_prime256v1, 32, "secp256r1"};
constexpr Curve kP384 = {NamedGroup::secp384r1, NID_secp384r1, 48, "secp384r1"};

class EcShare final : public KeyShare {
 public:
  EcShare(const Curve& c, EcGroupPtr group, BnPtr priv, Bytes pub)
      : curve_(c), group_(std::move(group)), priv_(std::move(priv)), pub_(std::move(pub)) {}

  static Result<std::unique_ptr<KeyShare>> generate(const Curve& c, Provider& rng) {
    EcGroupPtr group(EC_GROUP_new_by_curve_name_ex(nullptr, nullptr, c.nid));
    BnPtr priv(BN_secure_new());
    if (!group || !priv) {
      return ossl::openssl_error(ErrorCode::crypto_failure, std::string(c.name) + " setup failed");
    }
    BN_set_flags(priv.get(), BN_FLG_CONSTTIME);
    const BIGNUM* order = EC_GROUP_get0_order(group.get());
    // The private scalar is uniform in [1, n-1]: draw len(n) bytes and reject
    // values outside the range (FIPS 186-4 B.4.2 style).
    SecretBytes raw(c.field_size);
    bool found = false;
    for (int i = 0; i < kMaxDraws && !found; ++i) {
      rng.random(raw.mutable_view());
      if (BN_bin2bn(raw.data(), static_cast<int>(raw.size()), priv.get()) == nullptr) {
        return ossl::openssl_error(ErrorCode::crypto_failure, "BN_bin2bn failed");
      }
      found = !BN_is_zero(priv.get()) && BN_cmp(priv.get(), order) < 0;
    }
    if (!found) {
      return Error(ErrorCode::crypto_failure,
                   std::string(c.name) + ": random source never produced a valid scalar");
    }
    return from_scalar(c, std::move(group), std::move(priv));
  }

  // import makes the share of a private scalar given as c.field_size
  // big-endian bytes.
  static Result<std::unique_ptr<KeyShare>> import(const Curve& c, ByteView raw) {
    if (raw.size() != c.field_size) {
      return Error(ErrorCode::invalid_key,
                   std::string(c.name) + " private key is " + std::to_string(raw.size()) +
                       " bytes, expected " + std::to_string(c.field_size) + " (big-endian scalar)");
    }
    EcGroupPtr group(EC_GROUP_new_by_curve_name_ex(nullptr, nullptr, c.nid));
    BnPtr priv(BN_secure_new());
    if (!group || !priv ||
        BN_bin2bn(raw.data(), static_cast<int>(raw.size()), priv.get()) == nullptr) {
      return ossl::openssl_error(ErrorCode::crypto_failure, std::string(c.name) + " setup failed");
    }
    BN_set_flags(priv.get(), BN_FLG_CONSTTIME);
    // SEC 1 3.2.1: a private key is an integer in [1, n-1]. (RFC 9180 7.1.2
    // asks DHKEM implementations to catch a key equivalent to 0 mod n; a key
    // of n or more is refused rather than reduced.)
    if (BN_is_zero(priv.get()) || BN_cmp(priv.get(), EC_GROUP_get0_order(group.get())) >= 0) {
      return Error(ErrorCode::invalid_key, std::string(c.name) +
                                               " private key is out of range (it must be in "
                                               "[1, n-1], n the order of the curve)");
    }
    return from_scalar(c, std::move(group), std::move(priv));
  }

  // from_scalar makes the share of priv, in [1, n-1].
  static Result<std::unique_ptr<KeyShare>> from_scalar(const Curve& c, EcGroupPtr group,
                                                       BnPtr priv) {
    BnCtxPtr bn_ctx(BN_CTX_new());
    if (!bn_ctx) {
      return ossl::openssl_error(ErrorCode::crypto_failure, std::string(c.name) + " setup failed");
    }
    EcPointPtr point(EC_POINT_new(group.get()));
    Bytes pub(1 + 2 * c.field_size);
    if (!point ||
        EC_POINT_mul(group.get(), point.get(), priv.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
        EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, pub.data(),
                           pub.size(), bn_ctx.get()) != pub.size()) {
      return ossl::openssl_error(ErrorCode::crypto_failure,
                                 std::string(c.name) + ": public point computation failed");
    }
    return std::unique_ptr<KeyShare>(
        std::make_unique<EcShare>(c, std::move(group), std::move(priv), std::move(pub)));
  }

  NamedGroup group() const override { return curve_.group; }
  ByteView public_value() const override { return pub_; }

  Result<SecretBytes> decapsulate(ByteView peer) override {
    const size_t want = 1 + 2 * curve_.field_size;
    // RFC 8446 4.2.8.2: the key_exchange is the UncompressedPointRepresentation
    // (legacy_form 4, then X and Y); RFC 8422 5.1.1: compressed points are not
    // used in TLS 1.3, and tessera refuses them in TLS 1.2 as well.
    if (peer.size() != want) {
      return bad_share(std::string(curve_.name) + " public value is " +
                       std::to_string(peer.size()) + " bytes, expected " + std::to_string(want) +
                       " (uncompressed point)");
    }
    if (peer[0] != 0x04) {
      return bad_share(std::string(curve_.name) + " public value is not an uncompressed point");
    }
    BnCtxPtr bn_ctx(BN_CTX_new());
    EcPointPtr q(EC_POINT_new(group_.get()));
    EcPointPtr s(EC_POINT_new(group_.get()));
    BnPtr x(BN_new());
    if (!bn_ctx || !q || !s || !x) {
      return ossl::openssl_error(ErrorCode::crypto_failure, "ECDH setup failed");
    }
    // RFC 8446 4.2.8.2: peers MUST validate the point: it is on the curve and
    // not the point at infinity (SP 800-56A 5.6.2.3.4; the cofactor is 1).
    if (EC_POINT_oct2point(group_.get(), q.get(), peer.data(), peer.size(), bn_ctx.get()) != 1 ||
        EC_POINT_is_on_curve(group_.get(), q.get(), bn_ctx.get()) != 1) {
      ossl::clear_errors();
      return bad_share(std::string(curve_.name) + " public value is not a point on the curve");
    }
    if (EC_POINT_is_at_infinity(group_.get(), q.get()) == 1) {
      return bad_share(std::string(curve_.name) + " public value is the point at infinity");
    }
    SecretBytes shared(curve_.field_size);
    if (EC_POINT_mul(group_.get(), s.get(), nullptr, q.get(), priv_.get(), bn_ctx.get()) != 1 ||
        EC_POINT_is_at_infinity(group_.get(), s.get()) == 1 ||
        EC_POINT_get_affine_coordinates(group_.get(), s.get(), x.get(), nullptr, bn_ctx.get()) !=
            1 ||
        // RFC 8446 7.4.2: the shared secret is the x-coordinate, a
        // field-size big-endian string.
        BN_bn2binpad(x.get(), shared.data(), static_cast<int>(shared.size())) < 0) {
      return ossl::openssl_error(ErrorCode::invalid_key_share, AlertDescription::illegal_parameter,
                                 std::string(curve_.name) + " shared secret computation failed");
    }
    return shared;
  }

  Result<SecretBytes> private_key() const override {
    // SEC 1 2.3.7: the scalar as a big-endian string of the order's length.
    SecretBytes raw(curve_.field_size);
    if (BN_bn2binpad(priv_.get(), raw.data(), static_cast<int>(raw.size())) < 0) {
      return ossl::openssl_error(ErrorCode::crypto_failure,
                                 std::string(curve_.name) + " private key export failed");
    }
    return raw;
  }

 private:
  const Curve& curve_;
  EcGroupPtr group_;
  BnPtr priv_;
  Bytes pub_;
};

// ---------------------------------------------------------------- FFDHE

struct FfdheGroup {
  NamedGroup group;
  const char* p_hex;
  size_t p_size;         // bytes
  size_t exponent_size;  // bytes of private exponent drawn
  const char* name;
};

// RFC 7919 5.2: a short exponent of at least twice the security strength
// (225 / 275 / 325 bits) is acceptable; 256 / 320 / 384 bits are used.
constexpr FfdheGroup kFfdhe2048 = {NamedGroup::ffdhe2048, kFfdhe2048PrimeHex, 256, 32, "ffdhe2048"};
constexpr FfdheGroup kFfdhe3072 = {NamedGroup::ffdhe3072, kFfdhe3072PrimeHex, 384, 40, "ffdhe3072"};
constexpr FfdheGroup kFfdhe4096 = {NamedGroup::ffdhe4096, kFfdhe4096PrimeHex, 512, 48, "ffdhe4096"};

// A finite-field Diffie-Hellman share over (p, g): an RFC 7919 named group,
// or (TLS 1.2 only) a server's custom group.
struct DhParams {
  NamedGroup group;  // 0 for a custom group
  std::string name;
  size_t p_size;         // bytes
  size_t exponent_size;  // bytes of private exponent drawn
};

class FfdheShare final : public KeyShare {
 public:
  FfdheShare(DhParams d, BnPtr p, BnPtr x, Bytes pub)
      : g_(std::move(d)), p_(std::move(p)), x_(std::move(x)), pub_(std::move(pub)) {}

  static Result<std::unique_ptr<KeyShare>> generate(const FfdheGroup& g, Provider& rng) {
    BIGNUM* p_raw = nullptr;
    BnPtr two(BN_new());
    if (BN_hex2bn(&p_raw, g.p_hex) == 0 || !two || BN_set_word(two.get(), 2) != 1) {
      BN_free(p_raw);
      return ossl::openssl_error(ErrorCode::crypto_failure, std::string(g.name) + " setup failed");
    }
    return generate_over(DhParams{g.group, g.name, g.p_size, g.exponent_size}, BnPtr(p_raw),
                         std::move(two), rng);
  }

  static Result<std::unique_ptr<KeyShare>> generate_over(DhParams d, BnPtr p, BnPtr gen,
                                                         Provider& rng) {
    BnCtxPtr bn_ctx(BN_CTX_new());
    BnPtr x(BN_secure_new()), two(BN_new()), y(BN_new());
    if (!bn_ctx || !x || !two || !y || BN_set_word(two.get(), 2) != 1) {
      return ossl::openssl_error(ErrorCode::crypto_failure, d.name + " setup failed");
    }
    BN_set_flags(x.get(), BN_FLG_CONSTTIME);
    // The private exponent x is drawn from random(), x >= 2.
    SecretBytes raw(d.exponent_size);
    bool found = false;
    for (int i = 0; i < kMaxDraws && !found; ++i) {
      rng.random(raw.mutable_view());
      if (BN_bin2bn(raw.data(), static_cast<int>(raw.size()), x.get()) == nullptr) {
        return ossl::openssl_error(ErrorCode::crypto_failure, "BN_bin2bn failed");
      }
      found = BN_cmp(x.get(), two.get()) >= 0;
    }
    if (!found) {
      return Error(ErrorCode::crypto_failure,
                   d.name + ": random source never produced a valid exponent");
    }
    // RFC 8446 4.2.8.1: the public value Y = g^X mod p is encoded as a
    // big-endian integer padded to the left with zeros to the size of p.
    Bytes pub(d.p_size);
    if (BN_mod_exp_mont_consttime(y.get(), gen.get(), x.get(), p.get(), bn_ctx.get(), nullptr) !=
            1 ||
        BN_bn2binpad(y.get(), pub.data(), static_cast<int>(pub.size())) < 0) {
      return ossl::openssl_error(ErrorCode::crypto_failure,
                                 d.name + ": public value computation failed");
    }
    return std::unique_ptr<KeyShare>(
        std::make_unique<FfdheShare>(std::move(d), std::move(p), std::move(x), std::move(pub)));
  }

  NamedGroup group() const override { return g_.group; }
  ByteView public_value() const override { return pub_; }

  Result<SecretBytes> decapsulate(ByteView peer) override {
    // RFC 8446 4.2.8.1 / RFC 7919 5.1: the peer's value is exactly len(p)
    // bytes ...
    if (peer.size() != g_.p_size) {
      return bad_share(g_.name + " public value is " + std::to_string(peer.size()) +
                       " bytes, expected " + std::to_string(g_.p_size));
    }
    BnCtxPtr bn_ctx(BN_CTX_new());
    BnPtr y(BN_bin2bn(peer.data(), static_cast<int>(peer.size()), nullptr));
    BnPtr p_minus_1(BN_dup(p_.get()));
    BnPtr z(BN_secure_new());
    if (!bn_ctx || !y || !p_minus_1 || !z || BN_sub_word(p_minus_1.get(), 1) != 1) {
      return ossl::openssl_error(ErrorCode::crypto_failure, "FFDHE setup failed");
    }
    // ... and RFC 7919 5.1: peers MUST verify that 1 < Y < p-1 (this
    // excludes the degenerate values 0, 1 and p-1, and anything >= p).
    if (BN_cmp(y.get(), BN_value_one()) <= 0 || BN_cmp(y.get(), p_minus_1.get()) >= 0) {
      return bad_share(g_.name + " public value is outside 1 < Y < p-1");
    }
    // RFC 8446 7.4.1: the shared secret Z = Y^x mod p is used with leading
    // zero bytes kept, i.e. left-padded to the size of p.
    SecretBytes shared(g_.p_size);
    if (BN_mod_exp_mont_consttime(z.get(), y.get(), x_.get(), p_.get(), bn_ctx.get(), nullptr) !=
            1 ||
        BN_bn2binpad(z.get(), shared.data(), static_cast<int>(shared.size())) < 0) {
      return ossl::openssl_error(ErrorCode::crypto_failure,
                                 g_.name + " shared secret computation failed");
    }
    return shared;
  }

 private:
  DhParams g_;
  BnPtr p_;
  BnPtr x_;
  Bytes pub_;
};

}  // namespace

bool OpenSslProvider::supports_group(NamedGroup g) const {
  switch (g) {
    case NamedGroup::x25519:
    case NamedGroup::secp256r1:
    case NamedGroup::secp384r1:
    case NamedGroup::ffdhe2048:
    case NamedGroup::ffdhe3072:
    case NamedGroup::ffdhe4096: return true;
  }
  return false;
}

Result<std::unique_ptr<KeyShare>> OpenSslProvider::generate_key_share(NamedGroup g) {
  switch (g) {
    case NamedGroup::x25519: return X25519Share::generate(*this);
    case NamedGroup::secp256r1: return EcShare::generate(kP256, *this);
    case NamedGroup::secp384r1: return EcShare::generate(kP384, *this);
    case NamedGroup::ffdhe2048: return FfdheShare::generate(kFfdhe2048, *this);
    case NamedGroup::ffdhe3072: return FfdheShare::generate(kFfdhe3072, *this);
    case NamedGroup::ffdhe4096: return FfdheShare::generate(kFfdhe4096, *this);
  }
  return Error(ErrorCode::unsupported_algorithm,
               "key exchange group " + group_name(static_cast<uint16_t>(g)) + " is not supported");
}

Result<std::unique_ptr<KeyShare>> OpenSslProvider::import_key_pair(NamedGroup g,
                                                                   ByteView private_key,
                                                                   ByteView public_value) {
  if (g == NamedGroup::x25519 && private_key.size() == kX25519Size &&
      public_value.size() == kX25519Size)
    return X25519Share::from_pair(private_key, public_value);
  return Provider::import_key_pair(g, private_key, public_value);
}

Result<std::unique_ptr<KeyShare>> OpenSslProvider::import_key_share(NamedGroup g,
                                                                    ByteView private_key) {
  switch (g) {
    case NamedGroup::x25519:
      // RFC 7748 5: an X25519 private key is 32 bytes; every value is usable
      // (the scalar multiplication clamps it).
      if (private_key.size() != kX25519Size) {
        return Error(
            ErrorCode::invalid_key,
            "X25519 private key is " + std::to_string(private_key.size()) + " bytes, expected 32");
      }
      return X25519Share::from_private(private_key);
    case NamedGroup::secp256r1: return EcShare::import(kP256, private_key);
    case NamedGroup::secp384r1: return EcShare::import(kP384, private_key);
    case NamedGroup::ffdhe2048:
    case NamedGroup::ffdhe3072:
    case NamedGroup::ffdhe4096: break;
  }
  return Error(ErrorCode::unsupported_algorithm,
               "importing a private key of group " + group_name(static_cast<uint16_t>(g)) +
                   " is not supported (x25519, secp256r1 and secp384r1 only)");
}

Result<std::unique_ptr<KeyShare>> OpenSslProvider::generate_dh_key_share(ByteView p, ByteView g) {
  BnPtr pb(BN_bin2bn(p.data(), static_cast<int>(p.size()), nullptr));
  BnPtr gb(BN_bin2bn(g.data(), static_cast<int>(g.size()), nullptr));
  BnPtr p_minus_1(pb ? BN_dup(pb.get()) : nullptr);
  if (!pb || !gb || !p_minus_1 || BN_sub_word(p_minus_1.get(), 1) != 1)
    return ossl::openssl_error(ErrorCode::crypto_failure, "custom DH group setup failed");
  const int bits = BN_num_bits(pb.get());
  // A usable group: an odd p of at most 8192 bits (a bound on the work a
  // server can ask of us) and 1 < g < p-1. Primality is not checked: the
  // group comes signed by the server, which could leak the secret anyway.
  if (bits > 8192 || !BN_is_odd(pb.get()) || BN_cmp(gb.get(), BN_value_one()) <= 0 ||
      BN_cmp(gb.get(), p_minus_1.get()) >= 0)
    return Error(ErrorCode::invalid_key_share, AlertDescription::illegal_parameter,
                 "server's Diffie-Hellman group is unusable (p even or over 8192 bits, or g out "
                 "of range)");
  const size_t p_size = static_cast<size_t>((bits + 7) / 8);
  DhParams d{static_cast<NamedGroup>(0), "custom " + std::to_string(bits) + "-bit DH group", p_size,
             p_size};
  return FfdheShare::generate_over(std::move(d), std::move(pb), std::move(gb), *this);
}

Result<Encapsulation> OpenSslProvider::encapsulate(NamedGroup g, ByteView client_share) {
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<KeyShare> server, generate_key_share(g));
  auto shared = server->decapsulate(client_share);
  if (!shared.ok()) return std::move(shared).error().with_context("client key share");
  Bytes ciphertext(server->public_value().begin(), server->public_value().end());
  return Encapsulation{std::move(ciphertext), std::move(*shared)};
}

}  // namespace tessera::crypto
