// crypto/openssl/openssl_provider.h — OpenSslProvider: the default Provider,
// implemented over OpenSSL 3 libcrypto (never libssl).
//
// This header deliberately includes no OpenSSL header, so code outside
// src/crypto/openssl/ (e.g. crypto/deterministic.h) can derive from the class.
//
// Algorithms (EVP_MD, EVP_CIPHER) are fetched once per
// process and shared; every object the provider returns owns its own libcrypto
// contexts. The provider's only mutable state is a process-wide, mutex-guarded
// cache of decoded public keys (keyed by the exact SubjectPublicKeyInfo bytes,
// at most 256 entries): its methods may be called from several threads at
// once (objects it returns may not).
//
// Every random value, including the private keys of ephemeral key shares, is
// drawn through the virtual random() or public_random(), so a derived class
// that scripts both reproduces key shares exactly:
//   - x25519: 32 random bytes are the raw private key (RFC 7748 5 clamps them);
//   - secp256r1 / secp384r1: a scalar in [1, n-1] by rejection sampling of
//     len(n)-byte big-endian strings;
//   - ffdhe*: an exponent x >= 2 of 256/320/384 bits for ffdhe2048/3072/4096
//     (RFC 7919 5.2 asks for at least twice the security strength), public
//     value g^x mod p left-padded to len(p).
// Signing (ECDSA nonces, PSS salts), RSA encryption padding and key
// generation use libcrypto's own DRBG.
#pragma once

#include "crypto/aead_backend.h"
#include "crypto/provider.h"

namespace tessera::crypto {

class OpenSslProvider : public Provider {
 public:
  // The AEAD backend is default_aead_backend() (crypto/aead_backend.h:
  // automatic, or TESSERA_AEAD_BACKEND), or the one given. An Aead comes from
  // ipsec-mb when the backend is ipsec_mb and aead_backend_supports() says
  // ipsec-mb runs it here (AES-GCM wherever ipsec-mb can run; ChaCha20-Poly1305
  // on its AVX-512 VAES code only); everything else from libcrypto.
  OpenSslProvider() : aead_backend_(default_aead_backend().backend) {}
  explicit OpenSslProvider(AeadBackend aead_backend) : aead_backend_(aead_backend) {}
  AeadBackend aead_backend() const { return aead_backend_; }

  std::string_view name() const override;
  // random fills out from libcrypto's private DRBG (RAND_priv_bytes).
  // public_random serves out from a per-thread block of 512 bytes drawn from
  // the public DRBG (RAND_bytes): a draw costs about 5k cycles whatever its
  // size, and a handshake's randoms are 32 or 64 bytes. Served bytes are
  // wiped from the block; a process forked from this one (its pid differs)
  // draws a fresh block instead of reusing its parent's. Requests above 128
  // bytes go to RAND_bytes directly. Both abort the process if the DRBG
  // fails: continuing without randomness would be worse.
  void random(MutableByteView out) override;
  void public_random(MutableByteView out) override;

  // hash supports sha256, sha384, sha512 and sha1 (sha1 only so callers can
  // compute legacy digests; signature schemes over SHA-1 are refused).
  std::unique_ptr<HashContext> hash(HashAlgorithm alg) override;
  Bytes hmac(HashAlgorithm alg, ByteView key, ByteView data) override;
  // hkdf_extract: an empty salt means HashLen zero bytes (RFC 5869 2.2).
  SecretBytes hkdf_extract(HashAlgorithm alg, ByteView salt, ByteView ikm) override;
  // hkdf_expand fails with internal_error if length > 255 * HashLen.
  Result<SecretBytes> hkdf_expand(HashAlgorithm alg, ByteView prk, ByteView info,
                                  size_t length) override;
  // hmac_key keeps the hash states after the key's ipad and opad blocks.
  std::unique_ptr<HmacKey> hmac_key(HashAlgorithm alg, ByteView key) override;
  // tls12_prf: alg is sha256 or sha384 (sha512 also works); sha1 is refused
  // with unsupported_algorithm.
  Result<SecretBytes> tls12_prf(HashAlgorithm alg, ByteView secret, std::string_view label,
                                ByteView seed, size_t length) override;

  // aead fails with internal_error if key has the wrong length for alg.
  Result<std::unique_ptr<Aead>> aead(AeadAlgorithm alg, ByteView key) override;
  std::string aead_implementation(AeadAlgorithm alg) const override;

  bool supports_group(NamedGroup g) const override;
  Result<std::unique_ptr<KeyShare>> generate_key_share(NamedGroup g) override;
  Result<Encapsulation> encapsulate(NamedGroup g, ByteView client_share) override;
  // import_key_share: x25519, secp256r1 and secp384r1. The shares it and
  // generate_key_share make for these groups answer private_key(); ffdhe
  // shares do not.
  Result<std::unique_ptr<KeyShare>> import_key_share(NamedGroup g, ByteView private_key) override;
  // import_key_pair: X25519 takes the public value as given (no scalar
  // multiplication); the EC groups compute and compare it (the default).
  Result<std::unique_ptr<KeyShare>> import_key_pair(NamedGroup g, ByteView private_key,
                                                    ByteView public_value) override;
  Result<std::unique_ptr<KeyShare>> generate_dh_key_share(ByteView p, ByteView g) override;

  // load_public_key accepts RSA, RSASSA-PSS, EC (P-256/P-384/P-521) and
  // Ed25519 SubjectPublicKeyInfo DER; anything else is unsupported_algorithm,
  // malformed DER (including trailing bytes) is invalid_key.
  //
  // Keys from this provider (public and private) behave as follows:
  //   - bits(): RSA modulus bits, EC curve bits (256/384/521), Ed25519 256.
  //   - rsa_pkcs1_* and rsa_pss_rsae_* need an rsaEncryption key,
  //     rsa_pss_pss_* an id-RSASSA-PSS key (RFC 8446 4.2.3); PSS always uses
  //     salt length = hash length and MGF1 with the same hash.
  //   - ECDSA signatures are DER. supports() is true for an ecdsa_* scheme only
  //     if its curve is the key's (TLS 1.3), but verify() and sign() accept
  //     any ecdsa_* scheme's hash on any EC key (TLS 1.2 and X.509 pair e.g.
  //     ecdsa-with-SHA384 with P-256).
  //   - rsa_pkcs1_sha1 / ecdsa_sha1 are always unsupported_algorithm.
  //   - A scheme that does not fit the key is unsupported_algorithm; a bad
  //     signature is signature_invalid with alert decrypt_error.
  Result<std::unique_ptr<PublicKey>> load_public_key(ByteView spki_der) override;
  // load_private_key refuses encrypted PEM (there is no passphrase prompt).
  Result<std::unique_ptr<PrivateKey>> load_private_key(ByteView pem_or_der) override;
  // generate_private_key: rsa / rsa_pss 2048..4096 bits, ec_p256, ec_p384,
  // ec_p521, ed25519.
  Result<std::unique_ptr<PrivateKey>> generate_private_key(const KeyGenParams& p) override;

  // rsa_encrypt_pkcs1 encrypts with RSAES-PKCS1-v1_5 (RFC 8017 7.2) under an
  // rsaEncryption key; any other key type is unsupported_algorithm.
  Result<Bytes> rsa_encrypt_pkcs1(const PublicKey& key, ByteView plaintext) override;

 private:
  bool use_ipsec_mb(AeadAlgorithm alg) const {
    return aead_backend_ == AeadBackend::ipsec_mb && aead_backend_supports(aead_backend_, alg);
  }

  AeadBackend aead_backend_;
};

}  // namespace tessera::crypto
