// Public and private keys over libcrypto: loading (SPKI DER, PEM, PKCS#8
// DER), signature verification and signing per SignatureScheme (RFC 8446
// 4.2.3), export, and key generation.
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crypto/openssl/internal.h"
#include "crypto/openssl/openssl_provider.h"

namespace tessera::crypto {
namespace {

using ossl::MdCtxPtr;
using ossl::PkeyCtxPtr;
using ossl::PkeyPtr;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

enum class SigKind { pkcs1, pss_rsae, pss_pss, ecdsa, ed25519 };

struct SchemeInfo {
  SigKind kind;
  HashAlgorithm hash;  // unused for ed25519
  KeyType curve;       // ecdsa only: the curve the TLS 1.3 scheme names
};

std::string scheme_str(SignatureScheme s) {
  return signature_scheme_name(static_cast<uint16_t>(s));
}

// scheme_info describes the schemes tessera signs and verifies with; SHA-1
// schemes and unknown values are unsupported_algorithm.
Result<SchemeInfo> scheme_info(SignatureScheme s) {
  using S = SignatureScheme;
  using H = HashAlgorithm;
  switch (s) {
    case S::rsa_pkcs1_sha256: return SchemeInfo{SigKind::pkcs1, H::sha256, KeyType::rsa};
    case S::rsa_pkcs1_sha384: return SchemeInfo{SigKind::pkcs1, H::sha384, KeyType::rsa};
    case S::rsa_pkcs1_sha512: return SchemeInfo{SigKind::pkcs1, H::sha512, KeyType::rsa};
    case S::rsa_pss_rsae_sha256: return SchemeInfo{SigKind::pss_rsae, H::sha256, KeyType::rsa};
    case S::rsa_pss_rsae_sha384: return SchemeInfo{SigKind::pss_rsae, H::sha384, KeyType::rsa};
    case S::rsa_pss_rsae_sha512: return SchemeInfo{SigKind::pss_rsae, H::sha512, KeyType::rsa};
    case S::rsa_pss_pss_sha256: return SchemeInfo{SigKind::pss_pss, H::sha256, KeyType::rsa_pss};
    case S::rsa_pss_pss_sha384: return SchemeInfo{SigKind::pss_pss, H::sha384, KeyType::rsa_pss};
    case S::rsa_pss_pss_sha512: return SchemeInfo{SigKind::pss_pss, H::sha512, KeyType::rsa_pss};
    case S::ecdsa_secp256r1_sha256: return SchemeInfo{SigKind::ecdsa, H::sha256, KeyType::ec_p256};
    case S::ecdsa_secp384r1_sha384: return SchemeInfo{SigKind::ecdsa, H::sha384, KeyType::ec_p384};
    case S::ecdsa_secp521r1_sha512: return SchemeInfo{SigKind::ecdsa, H::sha512, KeyType::ec_p521};
    case S::ed25519: return SchemeInfo{SigKind::ed25519, H::sha256, KeyType::ed25519};
    case S::rsa_pkcs1_sha1:
    case S::ecdsa_sha1:
      // RFC 8446 4.2.3: SHA-1 schemes are legacy; tessera never accepts a
      // signature over SHA-1.
      return Error(ErrorCode::unsupported_algorithm,
                   "signature scheme " + scheme_str(s) + " uses SHA-1, which is not accepted");
  }
  return Error(ErrorCode::unsupported_algorithm,
               "signature scheme " + scheme_str(s) + " is not supported");
}

bool is_ec(KeyType t) {
  return t == KeyType::ec_p256 || t == KeyType::ec_p384 || t == KeyType::ec_p521;
}

// scheme_fits says whether a scheme can be used with a key type. strict_curve
// makes ecdsa_* schemes require their curve (TLS 1.3 semantics); without it
// any ecdsa_* hash is allowed on any EC key (TLS 1.2 and X.509 pair e.g.
// ecdsa-with-SHA384 with P-256 keys).
bool scheme_fits(const SchemeInfo& info, KeyType key, bool strict_curve) {
  switch (info.kind) {
    // RFC 8446 4.2.3: rsa_pss_rsae_* (and PKCS#1 v1.5) keys are
    // rsaEncryption; rsa_pss_pss_* keys are id-RSASSA-PSS.
    case SigKind::pkcs1:
    case SigKind::pss_rsae: return key == KeyType::rsa;
    case SigKind::pss_pss: return key == KeyType::rsa_pss;
    case SigKind::ecdsa: return strict_curve ? key == info.curve : is_ec(key);
    case SigKind::ed25519: return key == KeyType::ed25519;
  }
  return false;
}

Result<SchemeInfo> check_scheme(SignatureScheme s, KeyType key) {
  TESSERA_ASSIGN_OR_RETURN(SchemeInfo info, scheme_info(s));
  if (!scheme_fits(info, key, /*strict_curve=*/false)) {
    return Error(ErrorCode::unsupported_algorithm, "signature scheme " + scheme_str(s) +
                                                       " cannot be used with a " +
                                                       std::string(key_type_name(key)) + " key");
  }
  return info;
}

Result<KeyType> key_type_of(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) return KeyType::rsa;
  if (EVP_PKEY_is_a(pkey, "RSA-PSS")) return KeyType::rsa_pss;
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyType::ed25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char name[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, name, sizeof name, &len) != 1) {
      ossl::clear_errors();
      return Error(ErrorCode::unsupported_algorithm, "EC key with explicit or unknown curve");
    }
    std::string_view n(name, len);
    if (n == "prime256v1" || n == "P-256") return KeyType::ec_p256;
    if (n == "secp384r1" || n == "P-384") return KeyType::ec_p384;
    if (n == "secp521r1" || n == "P-521") return KeyType::ec_p521;
    return Error(ErrorCode::unsupported_algorithm, "EC key on unsupported curve " + std::string(n));
  }
  return Error(ErrorCode::unsupported_algorithm,
               std::string("unsupported key algorithm ") + EVP_PKEY_get0_type_name(pkey));
}

size_t key_bits(EVP_PKEY* pkey, KeyType t) {
  // Ed25519: libcrypto reports 253; the key is a 256-bit string.
  if (t == KeyType::ed25519) return 256;
  return static_cast<size_t>(EVP_PKEY_get_bits(pkey));
}

// configure_padding sets RSA padding on a DigestSign/Verify context: PSS with
// salt length = hash length and MGF1 over the same hash (RFC 8446 4.2.3).
bool configure_padding(EVP_PKEY_CTX* pctx, const SchemeInfo& info) {
  switch (info.kind) {
    case SigKind::pkcs1: return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    case SigKind::pss_rsae:
    case SigKind::pss_pss:
      // RFC 8446 4.2.3: the length of the Salt MUST be equal to the length of
      // the output of the digest algorithm; MGF1 uses the same hash.
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, ossl::md(info.hash)) == 1;
    case SigKind::ecdsa:
    case SigKind::ed25519: return true;
  }
  return false;
}

const EVP_MD* digest_for(const SchemeInfo& info) {
  // Ed25519 (RFC 8032 PureEdDSA) signs the message itself.
  return info.kind == SigKind::ed25519 ? nullptr : ossl::md(info.hash);
}

Result<void> verify_with(EVP_PKEY* pkey, KeyType type, SignatureScheme scheme, ByteView message,
                         ByteView signature) {
  TESSERA_ASSIGN_OR_RETURN(SchemeInfo info, check_scheme(scheme, type));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digest_for(info), nullptr, pkey) != 1 ||
      !configure_padding(pctx, info)) {
    return ossl::openssl_error(ErrorCode::crypto_failure,
                               "cannot set up " + scheme_str(scheme) + " verification");
  }
  int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size());
  if (rc != 1) {
    ossl::clear_errors();
    return Error(ErrorCode::signature_invalid, AlertDescription::decrypt_error,
                 scheme_str(scheme) + " signature does not verify");
  }
  return ok();
}

Result<Bytes> sign_with(EVP_PKEY* pkey, KeyType type, SignatureScheme scheme, ByteView message) {
  TESSERA_ASSIGN_OR_RETURN(SchemeInfo info, check_scheme(scheme, type));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, digest_for(info), nullptr, pkey) != 1 ||
      !configure_padding(pctx, info) ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return ossl::openssl_error(ErrorCode::crypto_failure,
                               "cannot set up " + scheme_str(scheme) + " signing");
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) {
    return ossl::openssl_error(ErrorCode::crypto_failure, scheme_str(scheme) + " signing failed");
  }
  sig.resize(len);
  return sig;
}

Result<Bytes> spki_of(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return ossl::openssl_error(ErrorCode::crypto_failure, "cannot encode public key");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

class OpenSslPublicKey final : public PublicKey {
 public:
  OpenSslPublicKey(PkeyPtr pkey, KeyType type, Bytes spki)
      : pkey_(std::move(pkey)), type_(type), spki_(std::move(spki)) {}
  KeyType type() const override { return type_; }
  size_t bits() const override { return key_bits(pkey_.get(), type_); }
  ByteView spki() const override { return spki_; }
  Result<void> verify(SignatureScheme scheme, ByteView message, ByteView signature) const override {
    return verify_with(pkey_.get(), type_, scheme, message, signature);
  }
  bool supports(SignatureScheme scheme) const override {
    auto info = scheme_info(scheme);
    return info.ok() && scheme_fits(*info, type_, /*strict_curve=*/true);
  }

 private:
  PkeyPtr pkey_;
  KeyType type_;
  Bytes spki_;
};

class OpenSslPrivateKey final : public PrivateKey {
 public:
  OpenSslPrivateKey(PkeyPtr pkey, KeyType type) : pkey_(std::move(pkey)), type_(type) {}
  KeyType type() const override { return type_; }
  size_t bits() const override { return key_bits(pkey_.get(), type_); }
  bool supports(SignatureScheme scheme) const override {
    auto info = scheme_info(scheme);
    return info.ok() && scheme_fits(*info, type_, /*strict_curve=*/true);
  }
  Result<Bytes> sign(SignatureScheme scheme, ByteView message) const override {
    return sign_with(pkey_.get(), type_, scheme, message);
  }
  Bytes public_spki() const override {
    auto spki = spki_of(pkey_.get());
    return spki.ok() ? std::move(*spki) : Bytes();
  }
  Result<std::string> to_pkcs8_pem() const override {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                              nullptr) != 1) {
      return ossl::openssl_error(ErrorCode::crypto_failure, "cannot write PKCS#8 PEM");
    }
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
  }
  Result<SecretBytes> rsa_decrypt_premaster(ByteView ciphertext, uint16_t client_version,
                                            const SecretBytes& fallback) const override {
    if (type_ != KeyType::rsa) {
      return Error(
          ErrorCode::unsupported_algorithm,
          "RSA key transport needs an rsaEncryption key, not " + std::string(key_type_name(type_)));
    }
    return ossl::rsa_decrypt_premaster(pkey_.get(), ciphertext, client_version, fallback);
  }

 private:
  PkeyPtr pkey_;
  KeyType type_;
};

Result<std::unique_ptr<PrivateKey>> wrap_private(PkeyPtr pkey) {
  TESSERA_ASSIGN_OR_RETURN(KeyType type, key_type_of(pkey.get()));
  return std::unique_ptr<PrivateKey>(std::make_unique<OpenSslPrivateKey>(std::move(pkey), type));
}

// refuse_passphrase is the PEM password callback: tessera never prompts.
int refuse_passphrase(char*, int, int, void*) { return -1; }

bool looks_like_pem(ByteView data) {
  std::string_view s(reinterpret_cast<const char*>(data.data()), data.size());
  return s.find("-----BEGIN ") != std::string_view::npos;
}

// ---------------------------------------------------------------- loading SPKI
//
// d2i_PUBKEY goes through libcrypto 3.0's generic decoder framework, which
// costs more than an ECDSA verification (about 1.4 M instructions per P-256
// key, measured with callgrind). Two things avoid it:
//   - named-curve EC keys with an uncompressed point (what every TLS peer
//     sends) are recognised by their fixed DER prefix and imported with
//     EVP_PKEY_fromdata, which checks that the point is on the curve;
//   - every decoded key is kept in a small process-wide cache keyed by the
//     exact SPKI bytes, so a peer certificate seen again (the same server, the
//     same mTLS client) reuses the parsed key. A cached EVP_PKEY is only read
//     after it is created (verification never modifies it), so sharing it
//     between connections and threads is safe; the map is guarded by a mutex.

struct EcSpkiPrefix {
  KeyType type;
  const char* group;
  std::vector<uint8_t> prefix;  // SEQUENCE, AlgorithmIdentifier, BIT STRING header
  size_t point_size;            // 0x04 || X || Y
};

// RFC 5480 2: SubjectPublicKeyInfo with id-ecPublicKey and a namedCurve
// parameter, subjectPublicKey the uncompressed point.
const std::vector<EcSpkiPrefix>& ec_prefixes() {
  static const std::vector<EcSpkiPrefix> kPrefixes = {
      {KeyType::ec_p256,
       "P-256",
       {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
        0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00},
       65},
      {KeyType::ec_p384,
       "P-384",
       {0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
        0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00},
       97},
  };
  return kPrefixes;
}

// fast_ec_import returns the key for a P-256 / P-384 SPKI with an uncompressed
// point, null for anything else (the caller then uses d2i_PUBKEY, which also
// produces the error for a point that is not on the curve).
PkeyPtr fast_ec_import(ByteView spki, KeyType& type) {
  for (const auto& e : ec_prefixes()) {
    if (spki.size() != e.prefix.size() + e.point_size ||
        std::memcmp(spki.data(), e.prefix.data(), e.prefix.size()) != 0 ||
        spki[e.prefix.size()] != 0x04) {
      continue;
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(e.group), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                          const_cast<uint8_t*>(spki.data() + e.prefix.size()),
                                          e.point_size),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
      ossl::clear_errors();
      return nullptr;
    }
    type = e.type;
    return PkeyPtr(raw);
  }
  return nullptr;
}

// Orders Bytes keys and lets find() take a ByteView without copying it.
struct SpanLess {
  using is_transparent = void;
  static bool less(ByteView a, ByteView b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }
  bool operator()(const Bytes& a, const Bytes& b) const { return less(a, b); }
  bool operator()(const Bytes& a, ByteView b) const { return less(a, b); }
  bool operator()(ByteView a, const Bytes& b) const { return less(a, b); }
};

class PublicKeyCache {
 public:
  static constexpr size_t kCapacity = 256;

  ~PublicKeyCache() {
    for (auto& [der, entry] : map_) EVP_PKEY_free(entry.pkey);
  }

  // find returns a new reference to the cached key for spki (null if absent).
  PkeyPtr find(ByteView spki, KeyType& type) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(spki);
    if (it == map_.end()) return nullptr;
    if (EVP_PKEY_up_ref(it->second.pkey) != 1) return nullptr;
    type = it->second.type;
    return PkeyPtr(it->second.pkey);
  }

  void insert(ByteView spki, EVP_PKEY* pkey, KeyType type) {
    std::lock_guard<std::mutex> lock(mu_);
    Bytes der(spki.begin(), spki.end());
    if (map_.count(der) != 0 || EVP_PKEY_up_ref(pkey) != 1) return;
    if (order_.size() >= kCapacity) {  // first in, first out
      auto old = map_.find(order_.front());
      EVP_PKEY_free(old->second.pkey);
      map_.erase(old);
      order_.pop_front();
    }
    order_.push_back(der);
    map_.emplace(std::move(der), Entry{pkey, type});
  }

 private:
  struct Entry {
    EVP_PKEY* pkey;  // one reference owned by the cache
    KeyType type;
  };
  std::mutex mu_;
  std::map<Bytes, Entry, SpanLess> map_;
  std::deque<Bytes> order_;
};

PublicKeyCache& public_key_cache() {
  static PublicKeyCache cache;
  return cache;
}

}  // namespace

bool scheme_fits_key(SignatureScheme s, KeyType t, bool strict_curve) {
  auto info = scheme_info(s);
  return info.ok() && scheme_fits(*info, t, strict_curve);
}

Result<std::unique_ptr<PublicKey>> OpenSslProvider::load_public_key(ByteView spki_der) {
  KeyType type{};
  PkeyPtr pkey = public_key_cache().find(spki_der, type);
  if (!pkey) {
    pkey = fast_ec_import(spki_der, type);
    if (!pkey) {
      const unsigned char* p = spki_der.data();
      pkey.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
      if (!pkey) {
        return ossl::openssl_error(ErrorCode::invalid_key,
                                   "SubjectPublicKeyInfo is not valid DER or not a supported key");
      }
      if (p != spki_der.data() + spki_der.size()) {
        return Error(ErrorCode::invalid_key, "trailing bytes after SubjectPublicKeyInfo");
      }
      TESSERA_ASSIGN_OR_RETURN(type, key_type_of(pkey.get()));
    }
    public_key_cache().insert(spki_der, pkey.get(), type);
  }
  return std::unique_ptr<PublicKey>(std::make_unique<OpenSslPublicKey>(
      std::move(pkey), type, Bytes(spki_der.begin(), spki_der.end())));
}

Result<std::unique_ptr<PrivateKey>> OpenSslProvider::load_private_key(ByteView pem_or_der) {
  if (pem_or_der.empty()) return Error(ErrorCode::invalid_key, "private key input is empty");
  if (looks_like_pem(pem_or_der)) {
    BioPtr bio(BIO_new_mem_buf(pem_or_der.data(), static_cast<int>(pem_or_der.size())));
    PkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, nullptr)
                     : nullptr);
    if (!pkey) {
      return ossl::openssl_error(
          ErrorCode::invalid_key,
          "no usable private key in PEM (expected an unencrypted PRIVATE KEY, RSA PRIVATE KEY "
          "or EC PRIVATE KEY block)");
    }
    return wrap_private(std::move(pkey));
  }
  const unsigned char* p = pem_or_der.data();
  PKCS8_PRIV_KEY_INFO* p8 =
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(pem_or_der.size()));
  if (p8 == nullptr) {
    return ossl::openssl_error(ErrorCode::invalid_key, "private key is neither PEM nor PKCS#8 DER");
  }
  bool trailing = p != pem_or_der.data() + pem_or_der.size();
  PkeyPtr pkey(trailing ? nullptr : EVP_PKCS82PKEY(p8));
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (trailing) return Error(ErrorCode::invalid_key, "trailing bytes after PKCS#8 private key");
  if (!pkey) return ossl::openssl_error(ErrorCode::invalid_key, "PKCS#8 key could not be decoded");
  return wrap_private(std::move(pkey));
}

Result<std::unique_ptr<PrivateKey>> OpenSslProvider::generate_private_key(const KeyGenParams& kp) {
  EVP_PKEY* raw = nullptr;
  switch (kp.type) {
    case KeyType::rsa:
    case KeyType::rsa_pss: {
      if (kp.rsa_bits < 2048 || kp.rsa_bits > 4096) {
        return Error(ErrorCode::config_invalid,
                     "RSA key size " + std::to_string(kp.rsa_bits) + " is outside 2048..4096");
      }
      PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(
          nullptr, kp.type == KeyType::rsa ? "RSA" : "RSA-PSS", nullptr));
      if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
          EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(kp.rsa_bits)) != 1 ||
          EVP_PKEY_generate(ctx.get(), &raw) != 1) {
        return ossl::openssl_error(ErrorCode::crypto_failure, "RSA key generation failed");
      }
      break;
    }
    case KeyType::ec_p256: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::ec_p384: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::ec_p521: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"); break;
    case KeyType::ed25519: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
  }
  if (raw == nullptr) {
    return ossl::openssl_error(ErrorCode::crypto_failure,
                               std::string(key_type_name(kp.type)) + " key generation failed");
  }
  return wrap_private(PkeyPtr(raw));
}

}  // namespace tessera::crypto
