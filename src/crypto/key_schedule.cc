#include "crypto/key_schedule.h"

#include <mutex>
#include <string>

#include "base/ct.h"
#include "base/hex.h"

namespace tessera::crypto {

namespace {

constexpr std::string_view kLabelPrefix = "tls13 ";

Result<void> check_hash_length(HashAlgorithm hash, ByteView transcript_hash,
                               std::string_view what) {
  if (transcript_hash.size() != hash_length(hash)) {
    return Error(ErrorCode::internal_error, std::string(what) + ": transcript hash has " +
                                                std::to_string(transcript_hash.size()) +
                                                " bytes, " + std::string(hash_name(hash)) +
                                                " needs " + std::to_string(hash_length(hash)));
  }
  return ok();
}

// empty_hash returns Hash("") (the Transcript-Hash of no messages, RFC 8446
// 7.1), computed once per process and hash.
ByteView empty_hash(Provider& provider, HashAlgorithm hash) {
  static constexpr size_t kHashes = 4;
  static std::once_flag once[kHashes];
  static Bytes value[kHashes];
  const auto i = static_cast<size_t>(hash);
  if (i >= kHashes) return {};  // not a TLS hash; the length check reports it
  std::call_once(once[i], [&] { value[i] = provider.digest(hash, {}); });
  return value[i];
}

Result<SecretBytes> derive_secret_with(const HmacKey& secret, std::string_view label,
                                       ByteView transcript_hash) {
  const HashAlgorithm hash = secret.algorithm();
  TESSERA_TRY(check_hash_length(hash, transcript_hash, label));
  return hkdf_expand_label(secret, label, transcript_hash, hash_length(hash));
}

// derived_salt returns Derive-Secret(secret, "derived", "") (RFC 8446 7.1).
Result<SecretBytes> derived_salt(Provider& provider, const HmacKey& secret) {
  return derive_secret_with(secret, "derived", empty_hash(provider, secret.algorithm()));
}

// live returns the keyed secret of a key schedule stage, or internal_error
// if the stage was moved from (its secret was consumed by the next
// derivation).
Result<const HmacKey*> live(const std::unique_ptr<HmacKey>& prk, std::string_view stage) {
  if (!prk) {
    return Error(ErrorCode::internal_error,
                 std::string(stage) + " used after it was consumed by the next derivation");
  }
  return prk.get();
}

// hkdf_label builds the HkdfLabel of RFC 8446 7.1.
Result<Bytes> hkdf_label(std::string_view label, ByteView context, size_t length) {
  // RFC 8446 7.1: opaque label<7..255> = "tls13 " + Label (so Label is not
  // empty); opaque context<0..255>.
  if (label.empty() || kLabelPrefix.size() + label.size() > 255 || context.size() > 255 ||
      length > 0xffff) {
    return Error(ErrorCode::internal_error,
                 "HKDF-Expand-Label: label empty, or label, context or length too long for "
                 "HkdfLabel");
  }
  ByteWriter info(4 + kLabelPrefix.size() + label.size() + context.size());
  info.u16(static_cast<uint16_t>(length));
  info.prefixed<1>([&](ByteWriter& w) {
    w.bytes(as_bytes_view(kLabelPrefix));
    w.bytes(as_bytes_view(label));
  });
  info.prefixed<1>([&](ByteWriter& w) { w.bytes(context); });
  return std::move(info).take();
}

}  // namespace

Result<SecretBytes> hkdf_expand_label(Provider& provider, HashAlgorithm hash, ByteView secret,
                                      std::string_view label, ByteView context, size_t length) {
  TESSERA_ASSIGN_OR_RETURN(Bytes info, hkdf_label(label, context, length));
  return provider.hkdf_expand(hash, secret, info, length);
}

Result<SecretBytes> hkdf_expand_label(const HmacKey& secret, std::string_view label,
                                      ByteView context, size_t length) {
  TESSERA_ASSIGN_OR_RETURN(Bytes info, hkdf_label(label, context, length));
  return secret.expand(info, length);
}

Result<SecretBytes> derive_secret(Provider& provider, HashAlgorithm hash, ByteView secret,
                                  std::string_view label, ByteView transcript_hash) {
  TESSERA_TRY(check_hash_length(hash, transcript_hash, label));
  return hkdf_expand_label(provider, hash, secret, label, transcript_hash, hash_length(hash));
}

// ---- EarlySecret ----

EarlySecret EarlySecret::derive(Provider& provider, HashAlgorithm hash, ByteView psk) {
  // RFC 8446 7.1: "If a given secret is not available, then the 0-value
  // consisting of a string of Hash.length bytes set to zeros is used."
  // The salt is 0 as well, written out as Hash.length zero bytes (RFC 5869 2.2).
  SecretBytes zeros(hash_length(hash));
  ByteView ikm = psk.empty() ? zeros.view() : psk;
  return EarlySecret(&provider, hash, provider.hkdf_extract(hash, zeros.view(), ikm));
}

Result<SecretBytes> EarlySecret::binder_key(PskKind kind) const {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "EarlySecret"));
  return derive_secret_with(*current, kind == PskKind::external ? "ext binder" : "res binder",
                            empty_hash(*provider_, hash_));
}

Result<SecretBytes> EarlySecret::client_early_traffic_secret(ByteView client_hello_hash) const {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "EarlySecret"));
  return derive_secret_with(*current, "c e traffic", client_hello_hash);
}

Result<SecretBytes> EarlySecret::early_exporter_master_secret(ByteView client_hello_hash) const {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "EarlySecret"));
  return derive_secret_with(*current, "e exp master", client_hello_hash);
}

Result<HandshakeSecret> EarlySecret::into_handshake_secret(ByteView shared_secret) && {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "EarlySecret"));
  TESSERA_ASSIGN_OR_RETURN(SecretBytes salt, derived_salt(*provider_, *current));
  SecretBytes zeros(hash_length(hash_));
  ByteView ikm = shared_secret.empty() ? zeros.view() : shared_secret;
  SecretBytes hs = provider_->hkdf_extract(hash_, salt.view(), ikm);
  secret_.clear();
  prk_.reset();
  return HandshakeSecret(provider_, hash_, std::move(hs));
}

// ---- HandshakeSecret ----

Result<SecretBytes> HandshakeSecret::client_handshake_traffic_secret(ByteView hello_hash) const {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "HandshakeSecret"));
  return derive_secret_with(*current, "c hs traffic", hello_hash);
}

Result<SecretBytes> HandshakeSecret::server_handshake_traffic_secret(ByteView hello_hash) const {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "HandshakeSecret"));
  return derive_secret_with(*current, "s hs traffic", hello_hash);
}

Result<MasterSecret> HandshakeSecret::into_master_secret() && {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "HandshakeSecret"));
  TESSERA_ASSIGN_OR_RETURN(SecretBytes salt, derived_salt(*provider_, *current));
  SecretBytes zeros(hash_length(hash_));
  SecretBytes ms = provider_->hkdf_extract(hash_, salt.view(), zeros.view());
  secret_.clear();
  prk_.reset();
  return MasterSecret(provider_, hash_, std::move(ms));
}

// ---- MasterSecret ----

Result<SecretBytes> MasterSecret::client_application_traffic_secret_0(
    ByteView server_finished_hash) const {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "MasterSecret"));
  return derive_secret_with(*current, "c ap traffic", server_finished_hash);
}

Result<SecretBytes> MasterSecret::server_application_traffic_secret_0(
    ByteView server_finished_hash) const {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "MasterSecret"));
  return derive_secret_with(*current, "s ap traffic", server_finished_hash);
}

Result<SecretBytes> MasterSecret::exporter_master_secret(ByteView server_finished_hash) const {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "MasterSecret"));
  return derive_secret_with(*current, "exp master", server_finished_hash);
}

Result<SecretBytes> MasterSecret::resumption_master_secret(ByteView client_finished_hash) const {
  TESSERA_ASSIGN_OR_RETURN(const HmacKey* current, live(prk_, "MasterSecret"));
  return derive_secret_with(*current, "res master", client_finished_hash);
}

// ---- keys, Finished, updates ----

Result<TrafficKeys> traffic_keys(Provider& provider, HashAlgorithm hash, ByteView traffic_secret,
                                 AeadAlgorithm aead) {
  // RFC 8446 7.3: [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
  //               [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
  std::unique_ptr<HmacKey> secret = provider.hmac_key(hash, traffic_secret);
  TESSERA_ASSIGN_OR_RETURN(SecretBytes key,
                           hkdf_expand_label(*secret, "key", {}, aead_key_length(aead)));
  TESSERA_ASSIGN_OR_RETURN(SecretBytes iv, hkdf_expand_label(*secret, "iv", {}, Aead::kNonceSize));
  return TrafficKeys{std::move(key), std::move(iv)};
}

Result<SecretBytes> finished_key(Provider& provider, HashAlgorithm hash, ByteView base_key) {
  return hkdf_expand_label(provider, hash, base_key, "finished", {}, hash_length(hash));
}

Result<Bytes> compute_finished(Provider& provider, HashAlgorithm hash, ByteView base_key,
                               ByteView transcript_hash) {
  TESSERA_TRY(check_hash_length(hash, transcript_hash, "Finished"));
  TESSERA_ASSIGN_OR_RETURN(SecretBytes key, finished_key(provider, hash, base_key));
  // RFC 8446 4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context,
  //                                    Certificate*, CertificateVerify*))
  return provider.hmac(hash, key.view(), transcript_hash);
}

Result<void> verify_finished(Provider& provider, HashAlgorithm hash, ByteView base_key,
                             ByteView transcript_hash, ByteView received) {
  TESSERA_ASSIGN_OR_RETURN(Bytes expected,
                           compute_finished(provider, hash, base_key, transcript_hash));
  // RFC 8446 4.4.4: "Recipients of Finished messages MUST verify that the
  // contents are correct and if incorrect MUST terminate the connection with
  // a "decrypt_error" alert." One of the wrong length (not Hash.length) is
  // malformed: decode_error (RFC 8446 6.2).
  if (received.size() != expected.size())
    return Error(ErrorCode::decode_length, AlertDescription::decode_error,
                 "Finished is " + std::to_string(received.size()) + " bytes, not the " +
                     std::to_string(expected.size()) + " of the handshake hash");
  if (!ct_equal(expected, received)) {
    return Error(ErrorCode::decrypt_error, AlertDescription::decrypt_error,
                 "Finished verify_data does not match the transcript (wrong keys or a "
                 "tampered handshake)");
  }
  return ok();
}

Result<SecretBytes> next_application_traffic_secret(Provider& provider, HashAlgorithm hash,
                                                    ByteView current_secret) {
  // RFC 8446 7.2.
  return hkdf_expand_label(provider, hash, current_secret, "traffic upd", {}, hash_length(hash));
}

Result<SecretBytes> resumption_psk(Provider& provider, HashAlgorithm hash,
                                   ByteView resumption_master_secret, ByteView ticket_nonce) {
  // RFC 8446 4.6.1.
  return hkdf_expand_label(provider, hash, resumption_master_secret, "resumption", ticket_nonce,
                           hash_length(hash));
}

Result<SecretBytes> export_keying_material(Provider& provider, HashAlgorithm hash,
                                           ByteView exporter_master_secret, std::string_view label,
                                           ByteView context, size_t length) {
  // RFC 8446 7.5.
  TESSERA_ASSIGN_OR_RETURN(
      SecretBytes per_label,
      derive_secret(provider, hash, exporter_master_secret, label, empty_hash(provider, hash)));
  Bytes context_hash = provider.digest(hash, context);
  return hkdf_expand_label(provider, hash, per_label.view(), "exporter", context_hash, length);
}

namespace keylog {
std::string line(std::string_view label, ByteView client_random, ByteView secret) {
  std::string out(label);
  out += ' ';
  out += to_hex(client_random);
  out += ' ';
  out += to_hex(secret);
  return out;
}
}  // namespace keylog

}  // namespace tessera::crypto
