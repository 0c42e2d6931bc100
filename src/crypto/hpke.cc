// HPKE base mode (RFC 9180): DHKEM over the provider's key shares, the
// labeled HKDF of RFC 9180 4, the key schedule (5.1), and the context's
// Seal / Open (5.2) and Export (5.3).
#include "crypto/hpke.h"

#include <array>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <span>

#include "base/bytes.h"

namespace tessera::crypto {
namespace {

// RFC 9180 5: mode identifiers (only mode_base is set up here; the others
// are named for VerifyPSKInputs).
constexpr uint8_t kModeBase = 0x00;
constexpr uint8_t kModePsk = 0x01;
constexpr uint8_t kModeAuth = 0x02;
constexpr uint8_t kModeAuthPsk = 0x03;

// RFC 9180 4: the version label prefixed to every labeled KDF input.
constexpr std::string_view kVersionLabel = "HPKE-v1";

struct KemParams {
  HpkeKem id;
  NamedGroup group;
  HashAlgorithm hash;  // the KEM's own KDF (RFC 9180 4.1)
  size_t n_secret;     // Nsecret
  size_t n_enc;        // Nenc = Npk
  size_t n_dh;         // Ndh
};

// RFC 9180 7.1 (and 4.1: Ndh is 32 for P-256, the x-coordinate, and for
// X25519).
constexpr KemParams kKems[] = {
    {HpkeKem::p256_sha256, NamedGroup::secp256r1, HashAlgorithm::sha256, 32, 65, 32},
    {HpkeKem::x25519_sha256, NamedGroup::x25519, HashAlgorithm::sha256, 32, 32, 32},
};

struct KdfParams {
  HpkeKdf id;
  HashAlgorithm hash;  // Nh = hash_length(hash)
};

// RFC 9180 7.2.
constexpr KdfParams kKdfs[] = {
    {HpkeKdf::hkdf_sha256, HashAlgorithm::sha256},
    {HpkeKdf::hkdf_sha384, HashAlgorithm::sha384},
    {HpkeKdf::hkdf_sha512, HashAlgorithm::sha512},
};

struct AeadParams {
  HpkeAead id;
  AeadAlgorithm alg;  // Nk = aead_key_length(alg); Nn = 12, Nt = 16
};

// RFC 9180 7.3.
constexpr AeadParams kAeads[] = {
    {HpkeAead::aes_128_gcm, AeadAlgorithm::aes_128_gcm},
    {HpkeAead::aes_256_gcm, AeadAlgorithm::aes_256_gcm},
    {HpkeAead::chacha20_poly1305, AeadAlgorithm::chacha20_poly1305},
};

static_assert(kHpkeNonceSize == Aead::kNonceSize && kHpkeTagSize == Aead::kTagSize,
              "RFC 9180 7.3: Nn = 12 and Nt = 16 for every AEAD implemented");

struct Named {
  uint16_t id;
  std::string_view name;
};

// RFC 9180 7.1-7.3: the registry's names, including values not implemented.
constexpr Named kKemNames[] = {
    {0x0010, "DHKEM(P-256, HKDF-SHA256)"}, {0x0011, "DHKEM(P-384, HKDF-SHA384)"},
    {0x0012, "DHKEM(P-521, HKDF-SHA512)"}, {0x0020, "DHKEM(X25519, HKDF-SHA256)"},
    {0x0021, "DHKEM(X448, HKDF-SHA512)"},
};
constexpr Named kKdfNames[] = {
    {0x0001, "HKDF-SHA256"},
    {0x0002, "HKDF-SHA384"},
    {0x0003, "HKDF-SHA512"},
};
constexpr Named kAeadNames[] = {
    {0x0001, "AES-128-GCM"},
    {0x0002, "AES-256-GCM"},
    {0x0003, "ChaCha20Poly1305"},
    {0xffff, "Export-only"},
};

std::string hex_id(uint16_t id) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(id));
  return buf;
}

template <size_t N>
std::string lookup_name(const Named (&table)[N], uint16_t id) {
  for (const Named& n : table) {
    if (n.id == id) return std::string(n.name);
  }
  return hex_id(id);
}

const KemParams* find_kem(HpkeKem id) {
  for (const KemParams& k : kKems) {
    if (k.id == id) return &k;
  }
  return nullptr;
}
const KdfParams* find_kdf(HpkeKdf id) {
  for (const KdfParams& k : kKdfs) {
    if (k.id == id) return &k;
  }
  return nullptr;
}
const AeadParams* find_aead(HpkeAead id) {
  for (const AeadParams& a : kAeads) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

// unsupported names an identifier that is not implemented, with the ones
// that are.
template <size_t N>
Error unsupported(std::string_view what, std::string name, uint16_t id, const Named (&table)[N],
                  std::initializer_list<uint16_t> supported) {
  std::string message = "HPKE " + std::string(what) + " " + name;
  if (name.rfind("0x", 0) != 0) message += " (" + hex_id(id) + ")";
  message += " is not supported (supported:";
  const char* sep = " ";
  for (uint16_t s : supported) {
    message += sep + lookup_name(table, s);
    sep = ", ";
  }
  return Error(ErrorCode::unsupported_algorithm, message + ")");
}

Result<const KemParams*> kem_params(HpkeKem kem) {
  if (const KemParams* k = find_kem(kem)) return k;
  const auto id = static_cast<uint16_t>(kem);
  return unsupported("KEM", hpke_kem_name(id), id, kKemNames, {0x0010, 0x0020});
}

struct SuiteParams {
  const KemParams* kem;
  const KdfParams* kdf;
  const AeadParams* aead;
};

Result<SuiteParams> suite_params(const HpkeSuite& suite) {
  TESSERA_ASSIGN_OR_RETURN(const KemParams* kem, kem_params(suite.kem));
  const KdfParams* kdf = find_kdf(suite.kdf);
  if (kdf == nullptr) {
    const auto id = static_cast<uint16_t>(suite.kdf);
    return unsupported("KDF", hpke_kdf_name(id), id, kKdfNames, {0x0001, 0x0002, 0x0003});
  }
  const AeadParams* aead = find_aead(suite.aead);
  if (aead == nullptr) {
    const auto id = static_cast<uint16_t>(suite.aead);
    return unsupported("AEAD", hpke_aead_name(id), id, kAeadNames, {0x0001, 0x0002, 0x0003});
  }
  return SuiteParams{kem, kdf, aead};
}

// RFC 9180 4.1: inside the KEM, suite_id = concat("KEM", I2OSP(kem_id, 2)).
Bytes kem_suite_id(const KemParams& kem) {
  ByteWriter w(5);
  w.bytes(as_bytes_view("KEM"));
  w.u16(static_cast<uint16_t>(kem.id));
  return std::move(w).take();
}

// RFC 9180 5.1: elsewhere, suite_id = concat("HPKE", I2OSP(kem_id, 2),
// I2OSP(kdf_id, 2), I2OSP(aead_id, 2)).
Bytes hpke_suite_id(const HpkeSuite& suite) {
  ByteWriter w(10);
  w.bytes(as_bytes_view("HPKE"));
  w.u16(static_cast<uint16_t>(suite.kem));
  w.u16(static_cast<uint16_t>(suite.kdf));
  w.u16(static_cast<uint16_t>(suite.aead));
  return std::move(w).take();
}

// RFC 9180 4: LabeledExtract(salt, label, ikm) =
//   Extract(salt, concat("HPKE-v1", suite_id, label, ikm)).
// ikm may be secret (the DH output, a PSK), so the labeled copy is built in
// a wiping writer.
SecretBytes labeled_extract(Provider& provider, HashAlgorithm hash, ByteView suite_id,
                            ByteView salt, std::string_view label, ByteView ikm) {
  ByteWriter w =
      ByteWriter::for_secrets(kVersionLabel.size() + suite_id.size() + label.size() + ikm.size());
  w.bytes(as_bytes_view(kVersionLabel));
  w.bytes(suite_id);
  w.bytes(as_bytes_view(label));
  w.bytes(ikm);
  SecretBytes labeled_ikm = std::move(w).take_secret();
  return provider.hkdf_extract(hash, salt, labeled_ikm.view());
}

// RFC 9180 4: LabeledExpand(prk, label, info, L) =
//   Expand(prk, concat(I2OSP(L, 2), "HPKE-v1", suite_id, label, info), L).
Result<SecretBytes> labeled_expand(const HmacKey& prk, ByteView suite_id, std::string_view label,
                                   ByteView info, size_t length) {
  // I2OSP(L, 2) holds L only up to 65535.
  if (length > 0xffff) {
    return Error(ErrorCode::internal_error, "HPKE LabeledExpand(\"" + std::string(label) +
                                                "\"): length " + std::to_string(length) +
                                                " does not fit I2OSP(L, 2)");
  }
  ByteWriter w(2 + kVersionLabel.size() + suite_id.size() + label.size() + info.size());
  w.u16(static_cast<uint16_t>(length));
  w.bytes(as_bytes_view(kVersionLabel));
  w.bytes(suite_id);
  w.bytes(as_bytes_view(label));
  w.bytes(info);
  return prk.expand(w.view(), length);
}

// RFC 9180 4.1: ExtractAndExpand(dh, kem_context), with the KEM's suite_id
// and KDF.
Result<SecretBytes> extract_and_expand(Provider& provider, const KemParams& kem, ByteView dh,
                                       ByteView kem_context) {
  const Bytes suite_id = kem_suite_id(kem);
  SecretBytes eae_prk = labeled_extract(provider, kem.hash, suite_id, {}, "eae_prk", dh);
  std::unique_ptr<HmacKey> prk = provider.hmac_key(kem.hash, eae_prk.view());
  return labeled_expand(*prk, suite_id, "shared_secret", kem_context, kem.n_secret);
}

// check_key_pair checks that a key pair given to the KEM is of its group.
Result<void> check_key_pair(const KemParams& kem, const KeyShare& key, std::string_view what) {
  if (key.group() != kem.group) {
    return Error(ErrorCode::config_invalid,
                 "HPKE " + hpke_kem_name(static_cast<uint16_t>(kem.id)) + " needs " +
                     group_name(static_cast<uint16_t>(kem.group)) + " key pairs; the " +
                     std::string(what) + " is " + group_name(static_cast<uint16_t>(key.group())));
  }
  return ok();
}

// check_dh checks the length of DH(sk, pk) as the provider returned it.
Result<void> check_dh(const KemParams& kem, const SecretBytes& dh) {
  // RFC 9180 4.1: Ndh is 32 for both KEMs; for P-256 the DH output is the
  // x-coordinate of the shared point (IEEE 1363), 32 bytes.
  if (dh.size() != kem.n_dh) {
    return Error(ErrorCode::crypto_failure,
                 "HPKE " + hpke_kem_name(static_cast<uint16_t>(kem.id)) + ": the provider's " +
                     group_name(static_cast<uint16_t>(kem.group)) + " shared secret is " +
                     std::to_string(dh.size()) + " bytes, expected the " +
                     std::to_string(kem.n_dh) + "-byte Diffie-Hellman output");
  }
  return ok();
}

Bytes concat(ByteView a, ByteView b) {
  Bytes out;
  out.reserve(a.size() + b.size());
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// RFC 9180 5.1: VerifyPSKInputs(mode, psk, psk_id).
Result<void> verify_psk_inputs(uint8_t mode, ByteView psk, ByteView psk_id) {
  const bool got_psk = !psk.empty();        // psk != default_psk ("")
  const bool got_psk_id = !psk_id.empty();  // psk_id != default_psk_id ("")
  if (got_psk != got_psk_id) {
    return Error(ErrorCode::internal_error,
                 "HPKE key schedule: inconsistent PSK inputs (psk and psk_id go together)");
  }
  if (got_psk && (mode == kModeBase || mode == kModeAuth)) {
    return Error(ErrorCode::internal_error,
                 "HPKE key schedule: PSK input provided when not needed (mode " +
                     std::to_string(mode) + ")");
  }
  if (!got_psk && (mode == kModePsk || mode == kModeAuthPsk)) {
    return Error(ErrorCode::internal_error, "HPKE key schedule: missing required PSK input (mode " +
                                                std::to_string(mode) + ")");
  }
  return ok();
}

// RFC 9180 5.1: KeySchedule<ROLE>(mode, shared_secret, info, psk, psk_id),
// up to the context's inputs.
Result<HpkeKeySchedule> key_schedule(Provider& provider, const HpkeSuite& suite, uint8_t mode,
                                     ByteView shared_secret, ByteView info, ByteView psk,
                                     ByteView psk_id) {
  TESSERA_ASSIGN_OR_RETURN(SuiteParams params, suite_params(suite));
  TESSERA_TRY(verify_psk_inputs(mode, psk, psk_id));
  const HashAlgorithm hash = params.kdf->hash;
  const Bytes suite_id = hpke_suite_id(suite);

  SecretBytes psk_id_hash = labeled_extract(provider, hash, suite_id, {}, "psk_id_hash", psk_id);
  SecretBytes info_hash = labeled_extract(provider, hash, suite_id, {}, "info_hash", info);
  // key_schedule_context = concat(mode, psk_id_hash, info_hash)
  ByteWriter context(1 + psk_id_hash.size() + info_hash.size());
  context.u8(mode);
  context.bytes(psk_id_hash.view());
  context.bytes(info_hash.view());

  SecretBytes secret = labeled_extract(provider, hash, suite_id, shared_secret, "secret", psk);
  std::unique_ptr<HmacKey> prk = provider.hmac_key(hash, secret.view());
  HpkeKeySchedule out;
  TESSERA_ASSIGN_OR_RETURN(out.key, labeled_expand(*prk, suite_id, "key", context.view(),
                                                   aead_key_length(params.aead->alg)));
  TESSERA_ASSIGN_OR_RETURN(
      out.base_nonce, labeled_expand(*prk, suite_id, "base_nonce", context.view(), kHpkeNonceSize));
  TESSERA_ASSIGN_OR_RETURN(out.exporter_secret, labeled_expand(*prk, suite_id, "exp",
                                                               context.view(), hash_length(hash)));
  return out;
}

}  // namespace

bool hpke_kem_supported(uint16_t kem_id) {
  return find_kem(static_cast<HpkeKem>(kem_id)) != nullptr;
}
bool hpke_kdf_supported(uint16_t kdf_id) {
  return find_kdf(static_cast<HpkeKdf>(kdf_id)) != nullptr;
}
bool hpke_aead_supported(uint16_t aead_id) {
  return find_aead(static_cast<HpkeAead>(aead_id)) != nullptr;
}

std::optional<HpkeSuite> hpke_suite(uint16_t kem_id, uint16_t kdf_id, uint16_t aead_id) {
  if (!hpke_kem_supported(kem_id) || !hpke_kdf_supported(kdf_id) || !hpke_aead_supported(aead_id)) {
    return std::nullopt;
  }
  return HpkeSuite{static_cast<HpkeKem>(kem_id), static_cast<HpkeKdf>(kdf_id),
                   static_cast<HpkeAead>(aead_id)};
}

std::string hpke_kem_name(uint16_t kem_id) { return lookup_name(kKemNames, kem_id); }
std::string hpke_kdf_name(uint16_t kdf_id) { return lookup_name(kKdfNames, kdf_id); }
std::string hpke_aead_name(uint16_t aead_id) { return lookup_name(kAeadNames, aead_id); }

std::string hpke_suite_name(const HpkeSuite& suite) {
  return hpke_kem_name(static_cast<uint16_t>(suite.kem)) + ", " +
         hpke_kdf_name(static_cast<uint16_t>(suite.kdf)) + ", " +
         hpke_aead_name(static_cast<uint16_t>(suite.aead));
}

size_t hpke_enc_size(HpkeKem kem) {
  const KemParams* k = find_kem(kem);
  return k != nullptr ? k->n_enc : 0;
}

std::optional<NamedGroup> hpke_kem_group(HpkeKem kem) {
  const KemParams* k = find_kem(kem);
  if (k == nullptr) return std::nullopt;
  return k->group;
}

Result<HpkeEncapsulation> hpke_encap(Provider& provider, HpkeKem kem, KeyShare& ephemeral,
                                     ByteView pkR) {
  TESSERA_ASSIGN_OR_RETURN(const KemParams* k, kem_params(kem));
  TESSERA_TRY(check_key_pair(*k, ephemeral, "ephemeral key pair"));
  // RFC 9180 4.1 Encap: dh = DH(skE, pkR). The share's decapsulate
  // deserializes and validates pkR as RFC 9180 7.1.4 requires: P-256 (65
  // bytes, uncompressed, coordinates in range, on the curve, not the point
  // at infinity; the result not the point at infinity) and X25519 (32
  // bytes; the all-zero output refused).
  auto dh = ephemeral.decapsulate(pkR);
  if (!dh.ok()) return std::move(dh).error().with_context("HPKE Encap: recipient public key pkR");
  TESSERA_TRY(check_dh(*k, *dh));
  // enc = SerializePublicKey(pkE).
  const ByteView enc = ephemeral.public_value();
  if (enc.size() != k->n_enc) {
    return Error(ErrorCode::crypto_failure,
                 "HPKE Encap: the provider's ephemeral public key is " +
                     std::to_string(enc.size()) +
                     " bytes, expected Nenc = " + std::to_string(k->n_enc));
  }
  // kem_context = concat(enc, pkRm). pkR passed validation, which accepts
  // only the one encoding of a key, so pkRm = SerializePublicKey(pkR) is pkR.
  const Bytes kem_context = concat(enc, pkR);
  TESSERA_ASSIGN_OR_RETURN(SecretBytes shared_secret,
                           extract_and_expand(provider, *k, dh->view(), kem_context));
  return HpkeEncapsulation{std::move(shared_secret), Bytes(enc.begin(), enc.end())};
}

Result<SecretBytes> hpke_decap(Provider& provider, HpkeKem kem, ByteView enc, KeyShare& skR) {
  TESSERA_ASSIGN_OR_RETURN(const KemParams* k, kem_params(kem));
  TESSERA_TRY(check_key_pair(*k, skR, "recipient key pair"));
  // RFC 9180 4.1 Decap: pkE = DeserializePublicKey(enc); dh = DH(skR, pkE),
  // with pkE validated (RFC 9180 7.1.4) by the share's decapsulate.
  auto dh = skR.decapsulate(enc);
  if (!dh.ok()) return std::move(dh).error().with_context("HPKE Decap: encapsulated key enc");
  TESSERA_TRY(check_dh(*k, *dh));
  // kem_context = concat(enc, pkRm), pkRm = SerializePublicKey(pk(skR)).
  const Bytes kem_context = concat(enc, skR.public_value());
  return extract_and_expand(provider, *k, dh->view(), kem_context);
}

Result<HpkeKeySchedule> hpke_key_schedule_base(Provider& provider, const HpkeSuite& suite,
                                               ByteView shared_secret, ByteView info) {
  // RFC 9180 5.1.1: mode_base uses default_psk and default_psk_id ("").
  return key_schedule(provider, suite, kModeBase, shared_secret, info, {}, {});
}

Result<HpkeContext> hpke_key_schedule_context(Provider& provider, const HpkeSuite& suite,
                                              HpkeRole role, ByteView shared_secret,
                                              ByteView info) {
  TESSERA_ASSIGN_OR_RETURN(SuiteParams params, suite_params(suite));
  TESSERA_ASSIGN_OR_RETURN(HpkeKeySchedule ks,
                           hpke_key_schedule_base(provider, suite, shared_secret, info));
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<Aead> aead,
                           provider.aead(params.aead->alg, ks.key.view()));
  std::unique_ptr<HmacKey> exporter =
      provider.hmac_key(params.kdf->hash, ks.exporter_secret.view());
  return HpkeContext(suite, role, std::move(aead), std::move(ks.base_nonce), std::move(exporter));
}

Result<HpkeSender> hpke_setup_base_sender(Provider& provider, const HpkeSuite& suite, ByteView pkR,
                                          ByteView info) {
  TESSERA_ASSIGN_OR_RETURN(SuiteParams params, suite_params(suite));
  // RFC 9180 4.1 Encap: skE, pkE = GenerateKeyPair().
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<KeyShare> ephemeral,
                           provider.generate_key_share(params.kem->group));
  return hpke_setup_base_sender_with(provider, suite, *ephemeral, pkR, info);
}

Result<HpkeSender> hpke_setup_base_sender_with(Provider& provider, const HpkeSuite& suite,
                                               KeyShare& ephemeral, ByteView pkR, ByteView info) {
  TESSERA_TRY(suite_params(suite));
  // RFC 9180 5.1.1: SetupBaseS(pkR, info).
  TESSERA_ASSIGN_OR_RETURN(HpkeEncapsulation e, hpke_encap(provider, suite.kem, ephemeral, pkR));
  TESSERA_ASSIGN_OR_RETURN(
      HpkeContext context,
      hpke_key_schedule_context(provider, suite, HpkeRole::sender, e.shared_secret.view(), info));
  return HpkeSender{std::move(e.enc), std::move(context)};
}

Result<HpkeContext> hpke_setup_base_receiver(Provider& provider, const HpkeSuite& suite,
                                             ByteView enc, KeyShare& skR, ByteView info) {
  TESSERA_TRY(suite_params(suite));
  // RFC 9180 5.1.1: SetupBaseR(enc, skR, info).
  TESSERA_ASSIGN_OR_RETURN(SecretBytes shared_secret, hpke_decap(provider, suite.kem, enc, skR));
  return hpke_key_schedule_context(provider, suite, HpkeRole::recipient, shared_secret.view(),
                                   info);
}

Result<void> HpkeContext::check_usable(HpkeRole needed, std::string_view operation) const {
  if (!aead_ || !exporter_secret_) {
    return Error(ErrorCode::internal_error,
                 "HPKE " + std::string(operation) + " on a context that was moved from");
  }
  // RFC 9180 5.2: the sender's context MUST NOT be used for decryption, the
  // recipient's MUST NOT be used for encryption.
  if (role_ != needed) {
    return Error(ErrorCode::internal_error,
                 "HPKE " + std::string(operation) + " on the " +
                     (role_ == HpkeRole::sender ? "sender's" : "recipient's") +
                     " context (RFC 9180 5.2: only the " +
                     (needed == HpkeRole::sender ? "sender seals" : "recipient opens") + ")");
  }
  // RFC 9180 5.2: IncrementSeq raises MessageLimitReachedError instead of
  // letting the sequence number overflow. It is kept in 64 bits here
  // (shorter than Nn, padded on the left with zeros as 5.2 allows), so its
  // last value, 2^64 - 1, is never used.
  if (seq_ == std::numeric_limits<uint64_t>::max()) {
    return Error(ErrorCode::sequence_exhausted,
                 "HPKE " + std::string(operation) +
                     ": the context reached its message limit (sequence number 2^64 - 1)");
  }
  return ok();
}

void HpkeContext::compute_nonce(MutableByteView nonce) const {
  // RFC 9180 5.2: ComputeNonce(seq) = xor(base_nonce, I2OSP(seq, Nn)).
  const ByteView base = base_nonce_.view();
  for (size_t i = 0; i < kHpkeNonceSize; ++i) nonce[i] = base[i];
  for (size_t i = 0; i < sizeof(uint64_t); ++i) {
    nonce[kHpkeNonceSize - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
  }
}

Result<Bytes> HpkeContext::seal(ByteView aad, ByteView plaintext) {
  TESSERA_TRY(check_usable(HpkeRole::sender, "Seal"));
  std::array<uint8_t, kHpkeNonceSize> nonce;
  compute_nonce(nonce);
  // RFC 9180 5.2: ct = Seal(key, ComputeNonce(seq), aad, pt), Nt bytes
  // longer than pt.
  Bytes out(plaintext.size() + kHpkeTagSize);
  const MutableByteView o(out);
  Result<void> r =
      aead_->seal_from(nonce, aad, plaintext, {}, o.first(plaintext.size()), o.last(kHpkeTagSize));
  secure_wipe(nonce.data(), nonce.size());
  if (!r.ok()) return std::move(r).error().with_context("HPKE Seal");
  ++seq_;  // IncrementSeq()
  return out;
}

Result<Bytes> HpkeContext::open(ByteView aad, ByteView ciphertext) {
  TESSERA_TRY(check_usable(HpkeRole::recipient, "Open"));
  if (ciphertext.size() < kHpkeTagSize) {
    return Error(ErrorCode::decrypt_error, AlertDescription::decrypt_error,
                 "HPKE Open: ciphertext is " + std::to_string(ciphertext.size()) +
                     " bytes, shorter than the " + std::to_string(kHpkeTagSize) + "-byte AEAD tag");
  }
  std::array<uint8_t, kHpkeNonceSize> nonce;
  compute_nonce(nonce);
  // RFC 9180 5.2: pt = Open(key, ComputeNonce(seq), aad, ct); an OpenError
  // is raised before IncrementSeq, so a failure leaves seq as it was.
  const size_t n = ciphertext.size() - kHpkeTagSize;
  Bytes out(n);
  Result<void> r =
      aead_->open_from(nonce, aad, ciphertext.first(n), ciphertext.last(kHpkeTagSize), out);
  secure_wipe(nonce.data(), nonce.size());
  if (!r.ok()) {
    if (r.error().code() == ErrorCode::bad_record_mac) {
      return Error(ErrorCode::decrypt_error, AlertDescription::decrypt_error,
                   "HPKE Open failed at sequence number " + std::to_string(seq_) + ": the " +
                       hpke_aead_name(static_cast<uint16_t>(suite_.aead)) +
                       " tag does not verify (wrong key pair, enc, info, aad or sequence "
                       "number, or altered ciphertext)");
    }
    return std::move(r).error().with_context("HPKE Open");
  }
  ++seq_;  // IncrementSeq()
  return out;
}

Result<SecretBytes> HpkeContext::export_secret(ByteView exporter_context, size_t length) const {
  if (!exporter_secret_) {
    return Error(ErrorCode::internal_error, "HPKE Export on a context that was moved from");
  }
  const size_t nh = hash_length(exporter_secret_->algorithm());
  // RFC 9180 5.3: for the KDFs defined there, L is at most 255 * Nh.
  if (length > 255 * nh) {
    return Error(ErrorCode::internal_error, "HPKE Export: length " + std::to_string(length) +
                                                " exceeds 255 * Nh = " + std::to_string(255 * nh) +
                                                " for " +
                                                hpke_kdf_name(static_cast<uint16_t>(suite_.kdf)));
  }
  // RFC 9180 5.3: Export(exporter_context, L) =
  //   LabeledExpand(exporter_secret, "sec", exporter_context, L).
  return labeled_expand(*exporter_secret_, hpke_suite_id(suite_), "sec", exporter_context, length);
}

}  // namespace tessera::crypto
