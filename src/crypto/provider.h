// crypto/provider.h — the Provider interface: every cryptographic operation
// tessera performs goes through it, named in RFC terms.
//
// The default provider (crypto/openssl/openssl_provider.h) implements it over
// OpenSSL 3 libcrypto. The deterministic provider (crypto/deterministic.h)
// replaces the randomness with a script so RFC 8448 traces replay byte for
// byte and fuzzers are reproducible: every random value, including private
// keys of ephemeral key shares, is drawn through Provider::random().
//
// Objects returned by a provider are independent of it once created (they own
// their libcrypto state), are not thread-safe, and may be used from one thread
// at a time, const members included (HmacKey works in a scratch context).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/secret.h"
#include "tessera/algorithms.h"
#include "tessera/result.h"

namespace tessera {
class KeySigner;  // tessera/signer.h
}  // namespace tessera

namespace tessera::crypto {

// Incremental hash. clone() copies the running state cheaply, so a transcript
// can produce a snapshot hash without finishing.
class HashContext {
 public:
  virtual ~HashContext() = default;
  virtual HashAlgorithm algorithm() const = 0;
  virtual size_t output_size() const = 0;
  virtual void update(ByteView data) = 0;
  // finish returns the digest; the context must not be used afterwards.
  virtual Bytes finish() = 0;
  // clone returns an independent copy of the running state.
  virtual std::unique_ptr<HashContext> clone() const = 0;
};

// HmacKey is an HMAC key (RFC 2104) scheduled once, for several MACs and
// HKDF-Expand calls (RFC 5869 2.3) under the same key: the TLS 1.3 key
// schedule expands most of its secrets two to four times (RFC 8446 7.1, 7.3),
// and each keying costs two hash compressions.
class HmacKey {
 public:
  virtual ~HmacKey() = default;
  virtual HashAlgorithm algorithm() const = 0;
  // mac returns HMAC(key, data).
  virtual Bytes mac(ByteView data) const = 0;
  // expand returns HKDF-Expand(PRK = key, info, length); internal_error if
  // length > 255 * HashLen.
  virtual Result<SecretBytes> expand(ByteView info, size_t length) const = 0;
};

// One AEAD direction, keyed once (RFC 5116 interface). Nonces are 12 bytes,
// tags 16 bytes. Seal and open work in place and do not allocate.
class Aead {
 public:
  virtual ~Aead() = default;
  virtual AeadAlgorithm algorithm() const = 0;
  // implementation names the code doing the work: "libcrypto" or "ipsec-mb"
  // (crypto/aead_backend.h).
  virtual std::string_view implementation() const = 0;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  // seal encrypts data in place and writes the 16-byte tag to tag.
  virtual Result<void> seal(ByteView nonce, ByteView aad, MutableByteView data,
                            MutableByteView tag) = 0;
  // open decrypts data in place after checking tag; a wrong tag is
  // bad_record_mac and leaves data wiped (zeros): the decrypted bytes of a
  // record that failed authentication are never released.
  virtual Result<void> open(ByteView nonce, ByteView aad, MutableByteView data, ByteView tag) = 0;
  // seal_from encrypts the concatenation head || tail into out (out.size() ==
  // head.size() + tail.size(), else internal_error) and writes the tag, like
  // copying head || tail into out and calling seal. The TLS 1.3 record layer
  // seals the caller's data followed by the inner content type. head must not
  // overlap out; tail either does not overlap out or is exactly at its place
  // in out (out.data() + head.size(), in place).
  Result<void> seal_from(ByteView nonce, ByteView aad, ByteView head, ByteView tail,
                         MutableByteView out, MutableByteView tag);
  // open_from checks tag and decrypts `ciphertext` into out (out.size() ==
  // ciphertext.size(), else internal_error), like copying it into out and
  // calling open: the record layer decrypts a record lying whole in the
  // caller's input straight into its receive buffer. ciphertext either does
  // not overlap out or is exactly out (in place). A wrong tag is
  // bad_record_mac and out is wiped (zeros): no decrypted byte of a record
  // that failed authentication is left in it.
  Result<void> open_from(ByteView nonce, ByteView aad, ByteView ciphertext, ByteView tag,
                         MutableByteView out);
  // rekey replaces the key (same algorithm and length) and keeps the
  // contexts: the TLS 1.3 record layer moves to the next keys on KeyUpdate
  // without creating a new Aead. false when the key does not fit or this
  // implementation cannot; the caller then asks the provider for a new Aead
  // and must not use this one again.
  virtual bool rekey(ByteView key) {
    (void)key;
    return false;
  }

 protected:
  // do_seal_from and do_open_from are seal_from and open_from once their
  // sizes were checked. These defaults copy, then seal or open in place;
  // backends override them to read the input where it is (no copy).
  virtual Result<void> do_seal_from(ByteView nonce, ByteView aad, ByteView head, ByteView tail,
                                    MutableByteView out, MutableByteView tag);
  virtual Result<void> do_open_from(ByteView nonce, ByteView aad, ByteView ciphertext, ByteView tag,
                                    MutableByteView out);
};

// The client's half of a key exchange (a KEM decapsulation key). For (EC)DH
// groups the "ciphertext" is the server's public value.
class KeyShare {
 public:
  virtual ~KeyShare() = default;
  virtual NamedGroup group() const = 0;
  // public_value is the encoded share sent in key_share / ClientKeyExchange
  // (X25519: 32 bytes; P-256/P-384: uncompressed point; ffdhe: big-endian,
  // left-padded to the size of p).
  virtual ByteView public_value() const = 0;
  // decapsulate validates the peer's value (RFC 8446 4.2.8.1/4.2.8.2,
  // RFC 7919 5.1) and returns the shared secret; invalid_key_share on a bad
  // value (including an all-zero X25519 result).
  virtual Result<SecretBytes> decapsulate(ByteView peer_value) = 0;
  // private_key returns the raw private key, in the encoding
  // Provider::import_key_share takes back (X25519: the 32 bytes as drawn or
  // imported, unclamped; secp256r1/secp384r1: the scalar, big-endian, 32/48
  // bytes), so a long-term key (an ECH server's HPKE key) can be stored.
  // unsupported_algorithm for shares that cannot export it (the default;
  // ffdhe and custom DH groups).
  virtual Result<SecretBytes> private_key() const;
};

struct Encapsulation {
  Bytes ciphertext;  // the server's share, sent back to the client
  SecretBytes shared_secret;
};

// A public key for signature verification, loaded from SubjectPublicKeyInfo.
enum class KeyType : uint8_t { rsa, rsa_pss, ec_p256, ec_p384, ec_p521, ed25519 };
std::string_view key_type_name(KeyType t);
// scheme_fits_key says whether a key of type t can make signatures with
// scheme s. strict_curve: TLS 1.3 (and PublicKey/PrivateKey::supports), where
// an ecdsa_* scheme names its curve; without it (TLS 1.2, X.509) ecdsa_*
// names the hash only and fits any EC key (RFC 8446 4.2.3).
bool scheme_fits_key(SignatureScheme s, KeyType t, bool strict_curve);

class PublicKey {
 public:
  virtual ~PublicKey() = default;
  virtual KeyType type() const = 0;
  virtual size_t bits() const = 0;
  // spki returns the DER SubjectPublicKeyInfo this key was loaded from.
  virtual ByteView spki() const = 0;
  // verify checks signature over message under scheme (the scheme's hash is
  // applied by the provider; for ed25519 the message is signed as is).
  // signature_invalid on a bad signature; unsupported_algorithm if the scheme
  // does not fit the key type.
  virtual Result<void> verify(SignatureScheme scheme, ByteView message,
                              ByteView signature) const = 0;
  // supports says whether scheme can be used with this key.
  virtual bool supports(SignatureScheme scheme) const = 0;
};

// A private key able to sign; also exposes its public half.
class PrivateKey {
 public:
  virtual ~PrivateKey() = default;
  virtual KeyType type() const = 0;
  virtual size_t bits() const = 0;
  virtual bool supports(SignatureScheme scheme) const = 0;
  virtual Result<Bytes> sign(SignatureScheme scheme, ByteView message) const = 0;
  // public_spki returns the DER SubjectPublicKeyInfo of the public key.
  virtual Bytes public_spki() const = 0;
  // to_pkcs8_pem writes the key as an unencrypted PKCS#8 PEM block.
  virtual Result<std::string> to_pkcs8_pem() const = 0;
  // rsa_decrypt_premaster: RFC 5246 7.4.7.1 RSA key transport with implicit
  // rejection. Decrypts ciphertext and, without any data-dependent branch,
  // returns the 48-byte premaster if the PKCS#1 v1.5 padding is valid, its
  // length is 48 and its first two bytes equal client_version, and otherwise
  // the 48 bytes of `fallback` (random bytes drawn by the caller before the
  // decryption). Never fails for a bad ciphertext; fails only if the key is
  // not RSA or libcrypto fails.
  virtual Result<SecretBytes> rsa_decrypt_premaster(ByteView ciphertext, uint16_t client_version,
                                                    const SecretBytes& fallback) const = 0;
  // can_decrypt says whether rsa_decrypt_premaster can work at all: false for
  // a key that only signs (a KeySigner's; tessera/signer.h).
  virtual bool can_decrypt() const { return type() == KeyType::rsa; }
  // asynchronous_signer is the application's KeySigner when it signs
  // asynchronously (KeySigner::asynchronous; tessera/signer.h): the
  // handshake then asks the application instead of calling sign(), and
  // passes what comes back through accept_signature. Null for other keys.
  virtual std::shared_ptr<const KeySigner> asynchronous_signer() const { return nullptr; }
  // accept_signature does with an asynchronous signer's answer what sign()
  // does with a synchronous one's: an error, or a signature that does not
  // verify with the key, is internal_error.
  virtual Result<Bytes> accept_signature(SignatureScheme scheme, ByteView message,
                                         Result<std::vector<uint8_t>> answer) const {
    (void)scheme, (void)message, (void)answer;
    return Error(ErrorCode::internal_error, "this key does not sign asynchronously");
  }
};

struct KeyGenParams {
  KeyType type = KeyType::ec_p256;
  size_t rsa_bits = 2048;  // RSA only: 2048..4096
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string_view name() const = 0;

  // random fills out with cryptographically secure random bytes, for values
  // that stay secret: private keys, premaster secrets, ticket keys.
  virtual void random(MutableByteView out) = 0;
  // public_random fills out with cryptographically secure random bytes for
  // values sent in the clear (hello randoms, session IDs). It exists so a
  // provider can draw these from a separate generator, and in larger blocks,
  // than secrets; by default it is random().
  virtual void public_random(MutableByteView out) { random(out); }

  // --- hashes and MACs ---
  virtual std::unique_ptr<HashContext> hash(HashAlgorithm alg) = 0;
  Bytes digest(HashAlgorithm alg, ByteView data);
  virtual Bytes hmac(HashAlgorithm alg, ByteView key, ByteView data) = 0;
  // RFC 5869.
  virtual SecretBytes hkdf_extract(HashAlgorithm alg, ByteView salt, ByteView ikm) = 0;
  virtual Result<SecretBytes> hkdf_expand(HashAlgorithm alg, ByteView prk, ByteView info,
                                          size_t length) = 0;
  // hmac_key schedules key for repeated hmac / hkdf_expand. The default
  // keeps a copy of the key and calls hmac() and hkdf_expand(); providers
  // override it to key the hash once.
  virtual std::unique_ptr<HmacKey> hmac_key(HashAlgorithm alg, ByteView key);
  // RFC 5246 5: PRF(secret, label, seed) = P_hash(secret, label + seed).
  virtual Result<SecretBytes> tls12_prf(HashAlgorithm alg, ByteView secret, std::string_view label,
                                        ByteView seed, size_t length) = 0;

  // --- AEAD ---
  virtual Result<std::unique_ptr<Aead>> aead(AeadAlgorithm alg, ByteView key) = 0;
  // aead_implementation describes, in one line for traces and `tessera
  // bench`, the code aead(alg) uses, e.g. "ipsec-mb 1.3.0 (avx512)" or
  // "libcrypto (OpenSSL 3.0.x)".
  virtual std::string aead_implementation(AeadAlgorithm alg) const = 0;

  // --- key exchange (KEM-shaped) ---
  virtual bool supports_group(NamedGroup g) const = 0;
  // generate_key_share creates the client's ephemeral share for g.
  virtual Result<std::unique_ptr<KeyShare>> generate_key_share(NamedGroup g) = 0;
  // encapsulate is the server side: validate the client's share, create the
  // server's, and return it with the shared secret.
  virtual Result<Encapsulation> encapsulate(NamedGroup g, ByteView client_share) = 0;
  // import_key_share makes a key share of g from a raw private key (the
  // encoding KeyShare::private_key returns): a long-term key used as the
  // receiver of a KEM, e.g. an HPKE recipient key (crypto/hpke.h). X25519
  // takes 32 bytes (any value: RFC 7748 5 clamps it in every scalar
  // multiplication); secp256r1 / secp384r1 a 32 / 48-byte big-endian scalar
  // in [1, n-1]. A wrong length or an out-of-range scalar is invalid_key;
  // other groups are unsupported_algorithm.
  virtual Result<std::unique_ptr<KeyShare>> import_key_share(NamedGroup g,
                                                             ByteView private_key) = 0;
  // import_key_pair is import_key_share for a stored key whose public value
  // was kept with it and checked when it was stored (an ECH server's key and
  // the public key of its ECHConfig, EchKey::from_pem): the provider may
  // take public_value instead of computing it (X25519: one scalar
  // multiplication, about a third of an ECH server's added cost). The
  // default computes it and refuses a mismatch (invalid_key); a provider
  // that takes it as given answers a mismatched pair with shared secrets no
  // peer can match, never with a wrong key.
  virtual Result<std::unique_ptr<KeyShare>> import_key_pair(NamedGroup g, ByteView private_key,
                                                            ByteView public_value);

  // generate_dh_key_share creates a Diffie-Hellman share over a custom group
  // (big-endian p and g), for a TLS 1.2 server that names no RFC 7919 group.
  // The caller enforces the minimum size; the provider refuses an even p,
  // p over 8192 bits and g outside 1 < g < p-1 (invalid_key_share).
  virtual Result<std::unique_ptr<KeyShare>> generate_dh_key_share(ByteView p, ByteView g) = 0;

  // --- signatures and keys ---
  virtual Result<std::unique_ptr<PublicKey>> load_public_key(ByteView spki_der) = 0;
  // load_private_key accepts PEM (PKCS#8, traditional RSA/EC) or PKCS#8 DER.
  virtual Result<std::unique_ptr<PrivateKey>> load_private_key(ByteView pem_or_der) = 0;
  virtual Result<std::unique_ptr<PrivateKey>> generate_private_key(const KeyGenParams& p) = 0;

  // --- RSA key transport, client side (RFC 5246 7.4.7.1) ---
  virtual Result<Bytes> rsa_encrypt_pkcs1(const PublicKey& key, ByteView plaintext) = 0;
};

// default_provider returns the process-wide OpenSSL provider.
std::shared_ptr<Provider> default_provider();

}  // namespace tessera::crypto
