// crypto/hpke.h — Hybrid Public Key Encryption (RFC 9180), base mode only:
// the public-key encryption Encrypted Client Hello is built on.
//
// Implemented here (every primitive comes from the Provider):
//   KEMs   DHKEM(P-256, HKDF-SHA256) 0x0010, DHKEM(X25519, HKDF-SHA256) 0x0020
//          over the provider's secp256r1 / x25519 key shares;
//   KDFs   HKDF-SHA256 0x0001, HKDF-SHA384 0x0002, HKDF-SHA512 0x0003;
//   AEADs  AES-128-GCM 0x0001, AES-256-GCM 0x0002, ChaCha20Poly1305 0x0003.
// Not implemented: mode_psk, mode_auth, mode_auth_psk, the export-only AEAD
// (0xFFFF), DeriveKeyPair, the single-shot APIs (RFC 9180 6).
//
// A sender calls hpke_setup_base_sender(provider, suite, pkR, info), sends
// `enc` to the recipient and seals with the context; the recipient, holding
// its key pair as a KeyShare (Provider::import_key_share for a stored key),
// calls hpke_setup_base_receiver(provider, suite, enc, skR, info) and opens
// the ciphertexts in the order they were sealed.
//
// A context keeps its AEAD keyed once (Provider::aead) and its exporter
// secret keyed once (Provider::hmac_key); the key, base_nonce and
// exporter_secret are wiped when it dies (SecretBytes, and the provider's
// objects wipe their key material). It uses the provider only through those
// objects; with a provider whose hmac_key keeps a reference to it (the
// Provider default), the provider must outlive the context. Like every
// provider object a context may be used from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/provider.h"
#include "tessera/algorithms.h"
#include "tessera/result.h"

namespace tessera::crypto {

// RFC 9180 7.1: KEM identifiers (the ones implemented).
enum class HpkeKem : uint16_t {
  p256_sha256 = 0x0010,    // DHKEM(P-256, HKDF-SHA256)
  x25519_sha256 = 0x0020,  // DHKEM(X25519, HKDF-SHA256)
};

// RFC 9180 7.2: KDF identifiers.
enum class HpkeKdf : uint16_t {
  hkdf_sha256 = 0x0001,
  hkdf_sha384 = 0x0002,
  hkdf_sha512 = 0x0003,
};

// RFC 9180 7.3: AEAD identifiers (not the export-only 0xFFFF).
enum class HpkeAead : uint16_t {
  aes_128_gcm = 0x0001,
  aes_256_gcm = 0x0002,
  chacha20_poly1305 = 0x0003,
};

// An HPKE ciphersuite (RFC 9180 4: a (KEM, KDF, AEAD) triple).
struct HpkeSuite {
  HpkeKem kem;
  HpkeKdf kdf;
  HpkeAead aead;
  friend bool operator==(const HpkeSuite&, const HpkeSuite&) = default;
};

// Whether an identifier read from the wire (an ECHConfig) is one this
// implementation supports.
bool hpke_kem_supported(uint16_t kem_id);
bool hpke_kdf_supported(uint16_t kdf_id);
bool hpke_aead_supported(uint16_t aead_id);
// hpke_suite returns the suite of three wire identifiers, or nullopt unless
// all three are supported.
std::optional<HpkeSuite> hpke_suite(uint16_t kem_id, uint16_t kdf_id, uint16_t aead_id);

// Names for traces and error messages: the RFC 9180 7 registry spellings
// ("DHKEM(X25519, HKDF-SHA256)", "HKDF-SHA384", "ChaCha20Poly1305"), also for
// registered values not implemented here (DHKEM(X448, HKDF-SHA512),
// Export-only), and "0x1234" for unregistered ones.
std::string hpke_kem_name(uint16_t kem_id);
std::string hpke_kdf_name(uint16_t kdf_id);
std::string hpke_aead_name(uint16_t aead_id);
// hpke_suite_name: "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM".
std::string hpke_suite_name(const HpkeSuite& suite);

// RFC 9180 7.3: Nn and Nt of every AEAD implemented here.
inline constexpr size_t kHpkeNonceSize = 12;
inline constexpr size_t kHpkeTagSize = 16;
// hpke_enc_size returns Nenc (= Npk) of a KEM: 65 for DHKEM(P-256), 32 for
// DHKEM(X25519); 0 for a value that is not a supported KEM.
size_t hpke_enc_size(HpkeKem kem);
// hpke_kem_group returns the key-exchange group of a KEM's key pairs
// (secp256r1, x25519), or nullopt for a value that is not a supported KEM.
std::optional<NamedGroup> hpke_kem_group(HpkeKem kem);

// Which end of a context this is: RFC 9180 5.2 forbids decrypting with the
// sender's context and encrypting with the recipient's.
enum class HpkeRole : uint8_t { sender, recipient };

class HpkeContext;
struct HpkeSender;

// hpke_setup_base_sender is SetupBaseS(pkR, info) (RFC 9180 5.1.1): Encap
// with a fresh ephemeral key pair, then the mode_base key schedule. pkR is
// SerializePublicKey(pkR) (X25519: 32 bytes; P-256: the 65-byte uncompressed
// point) and is validated (RFC 9180 7.1.4); a bad one is invalid_key_share.
// An unsupported suite is unsupported_algorithm.
Result<HpkeSender> hpke_setup_base_sender(Provider& provider, const HpkeSuite& suite, ByteView pkR,
                                          ByteView info);
// hpke_setup_base_sender_with is the same with the given ephemeral key pair
// (its group must be the KEM's, else config_invalid): for known-answer
// tests. Real senders use a fresh key pair per setup.
Result<HpkeSender> hpke_setup_base_sender_with(Provider& provider, const HpkeSuite& suite,
                                               KeyShare& ephemeral, ByteView pkR, ByteView info);
// hpke_setup_base_receiver is SetupBaseR(enc, skR, info) (RFC 9180 5.1.1):
// Decap of enc (validated; a bad one is invalid_key_share) with the
// recipient's key pair skR (its group must be the KEM's, else
// config_invalid; it is used, not consumed), then the key schedule.
Result<HpkeContext> hpke_setup_base_receiver(Provider& provider, const HpkeSuite& suite,
                                             ByteView enc, KeyShare& skR, ByteView info);

// An HPKE encryption context (RFC 9180 5.2, 5.3). Move-only; a moved-from
// context answers seal, open and export_secret with internal_error.
class HpkeContext {
 public:
  HpkeContext(HpkeContext&&) noexcept = default;
  HpkeContext& operator=(HpkeContext&&) noexcept = default;
  ~HpkeContext() = default;

  const HpkeSuite& suite() const { return suite_; }
  HpkeRole role() const { return role_; }
  // sequence_number is the number of messages sealed or opened so far.
  uint64_t sequence_number() const { return seq_; }

  // seal is ContextS.Seal(aad, pt) (sender only): returns ciphertext || tag,
  // Nt = 16 bytes longer than plaintext. sequence_exhausted once the
  // sequence number would overflow (2^64 - 1 messages).
  Result<Bytes> seal(ByteView aad, ByteView plaintext);
  // open is ContextR.Open(aad, ct) (recipient only): returns the plaintext,
  // or decrypt_error (alert decrypt_error) if ct is shorter than the tag or
  // does not authenticate (wrong key, enc, info, aad or sequence number, or
  // altered bytes). A failed open does not advance the sequence number.
  Result<Bytes> open(ByteView aad, ByteView ciphertext);
  // export_secret is Context.Export(exporter_context, L) (RFC 9180 5.3),
  // either role; internal_error if L > 255 * Nh.
  Result<SecretBytes> export_secret(ByteView exporter_context, size_t length) const;

  // For tests only: jump the sequence number (to reach its limit).
  void set_sequence_number_for_testing(uint64_t seq) { seq_ = seq; }

 private:
  friend Result<HpkeContext> hpke_key_schedule_context(Provider& provider, const HpkeSuite& suite,
                                                       HpkeRole role, ByteView shared_secret,
                                                       ByteView info);
  HpkeContext(const HpkeSuite& suite, HpkeRole role, std::unique_ptr<Aead> aead,
              SecretBytes base_nonce, std::unique_ptr<HmacKey> exporter_secret)
      : suite_(suite),
        role_(role),
        aead_(std::move(aead)),
        base_nonce_(std::move(base_nonce)),
        exporter_secret_(std::move(exporter_secret)) {}

  Result<void> check_usable(HpkeRole needed, std::string_view operation) const;
  // compute_nonce is ComputeNonce(seq) (RFC 9180 5.2).
  void compute_nonce(MutableByteView nonce) const;

  HpkeSuite suite_;
  HpkeRole role_;
  std::unique_ptr<Aead> aead_;  // keyed with `key`
  SecretBytes base_nonce_;
  std::unique_ptr<HmacKey> exporter_secret_;
  uint64_t seq_ = 0;
};

// What the sender gets from its setup: the encapsulated key to send and the
// context to seal with.
struct HpkeSender {
  Bytes enc;
  HpkeContext context;
};

// --- the steps of the setups, exposed for known-answer tests ---

// HpkeEncapsulation is what Encap(pkR) returns (RFC 9180 4.1).
struct HpkeEncapsulation {
  SecretBytes shared_secret;
  Bytes enc;
};
// hpke_encap is Encap(pkR) of the DHKEM with the given ephemeral key pair.
Result<HpkeEncapsulation> hpke_encap(Provider& provider, HpkeKem kem, KeyShare& ephemeral,
                                     ByteView pkR);
// hpke_decap is Decap(enc, skR) of the DHKEM (RFC 9180 4.1).
Result<SecretBytes> hpke_decap(Provider& provider, HpkeKem kem, ByteView enc, KeyShare& skR);

// HpkeKeySchedule holds the outputs of KeySchedule (RFC 9180 5.1).
struct HpkeKeySchedule {
  SecretBytes key;
  SecretBytes base_nonce;
  SecretBytes exporter_secret;
};
// hpke_key_schedule_base is KeySchedule(mode_base, shared_secret, info,
// default_psk, default_psk_id) up to the context's inputs.
Result<HpkeKeySchedule> hpke_key_schedule_base(Provider& provider, const HpkeSuite& suite,
                                               ByteView shared_secret, ByteView info);
// hpke_key_schedule_context is the same, returning the context of `role`
// (the setups' last step).
Result<HpkeContext> hpke_key_schedule_context(Provider& provider, const HpkeSuite& suite,
                                              HpkeRole role, ByteView shared_secret, ByteView info);

}  // namespace tessera::crypto
