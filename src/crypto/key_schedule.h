// crypto/key_schedule.h — the TLS 1.3 key schedule (RFC 8446 7.1-7.5).
//
// The schedule is a chain of move-only typestates, each holding one secret:
//
//   EarlySecret   = HKDF-Extract(0, PSK or zeros)
//     -> binder_key, client_early_traffic_secret, early_exporter_master_secret
//     -> into_handshake_secret((EC)DHE shared secret)
//   HandshakeSecret
//     -> client/server_handshake_traffic_secret(Hash(ClientHello..ServerHello))
//     -> into_master_secret()
//   MasterSecret
//     -> client/server_application_traffic_secret_0(Hash(ClientHello..server Finished))
//     -> exporter_master_secret(Hash(ClientHello..server Finished))
//     -> resumption_master_secret(Hash(ClientHello..client Finished))
//
// The only way from one stage to the next is the next derivation, which
// consumes the previous stage (call it on an rvalue: std::move(early)); a
// consumed or moved-from stage answers every derivation with internal_error.
// Each stage uses the Provider it was made with (through a non-owning pointer
// or its keyed secret, Provider::hmac_key); the provider must outlive it.
// Transcript hashes are passed in (see crypto/transcript.h) and must have the
// length of the schedule's hash.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/provider.h"
#include "tessera/algorithms.h"
#include "tessera/result.h"

namespace tessera::crypto {

// hkdf_expand_label implements RFC 8446 7.1:
//   HKDF-Expand-Label(Secret, Label, Context, Length) =
//     HKDF-Expand(Secret, HkdfLabel, Length),
//   HkdfLabel = uint16 length || opaque label<7..255> = "tls13 " + Label ||
//               opaque context<0..255>.
// `label` is given without the "tls13 " prefix. internal_error if the label
// or context is too long for its length prefix or length exceeds 65535.
Result<SecretBytes> hkdf_expand_label(Provider& provider, HashAlgorithm hash, ByteView secret,
                                      std::string_view label, ByteView context, size_t length);
// The same with the secret already keyed (Provider::hmac_key), for secrets
// expanded more than once.
Result<SecretBytes> hkdf_expand_label(const HmacKey& secret, std::string_view label,
                                      ByteView context, size_t length);

// derive_secret implements RFC 8446 7.1:
//   Derive-Secret(Secret, Label, Messages) =
//     HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)
// taking the transcript hash itself (not the messages).
Result<SecretBytes> derive_secret(Provider& provider, HashAlgorithm hash, ByteView secret,
                                  std::string_view label, ByteView transcript_hash);

class HandshakeSecret;
class MasterSecret;

// Whether a PSK binder is for an external PSK or a resumption PSK
// (RFC 8446 7.1: "ext binder" / "res binder").
enum class PskKind : uint8_t { external, resumption };

// EarlySecret is the first stage: HKDF-Extract(salt 0, IKM = PSK or zeros).
class EarlySecret {
 public:
  // derive computes the early secret from psk, or from Hash.length zero
  // bytes when psk is empty (no PSK in use).
  static EarlySecret derive(Provider& provider, HashAlgorithm hash, ByteView psk = {});

  EarlySecret(EarlySecret&&) = default;
  EarlySecret& operator=(EarlySecret&&) = default;

  HashAlgorithm hash() const { return hash_; }
  // secret exposes the early secret itself (for tests and traces).
  ByteView secret() const { return secret_.view(); }

  // binder_key = Derive-Secret(., "ext binder" | "res binder", "").
  Result<SecretBytes> binder_key(PskKind kind) const;
  // client_early_traffic_secret = Derive-Secret(., "c e traffic", ClientHello).
  Result<SecretBytes> client_early_traffic_secret(ByteView client_hello_hash) const;
  // early_exporter_master_secret = Derive-Secret(., "e exp master", ClientHello).
  Result<SecretBytes> early_exporter_master_secret(ByteView client_hello_hash) const;

  // into_handshake_secret consumes this stage:
  //   HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE shared secret).
  // With a PSK-only handshake (psk_ke) pass an empty shared secret: zeros
  // of Hash.length are used, as RFC 8446 7.1 specifies.
  Result<HandshakeSecret> into_handshake_secret(ByteView shared_secret) &&;

 private:
  EarlySecret(Provider* p, HashAlgorithm h, SecretBytes s)
      : provider_(p), hash_(h), secret_(std::move(s)), prk_(p->hmac_key(h, secret_.view())) {}
  Provider* provider_;
  HashAlgorithm hash_;
  SecretBytes secret_;
  std::unique_ptr<HmacKey> prk_;  // secret_ keyed once for its derivations
};

// HandshakeSecret is the second stage, after the (EC)DHE shared secret.
class HandshakeSecret {
 public:
  HandshakeSecret(HandshakeSecret&&) = default;
  HandshakeSecret& operator=(HandshakeSecret&&) = default;

  HashAlgorithm hash() const { return hash_; }
  ByteView secret() const { return secret_.view(); }

  // client_handshake_traffic_secret = Derive-Secret(., "c hs traffic",
  // ClientHello...ServerHello).
  Result<SecretBytes> client_handshake_traffic_secret(ByteView hello_hash) const;
  // server_handshake_traffic_secret = Derive-Secret(., "s hs traffic",
  // ClientHello...ServerHello).
  Result<SecretBytes> server_handshake_traffic_secret(ByteView hello_hash) const;

  // into_master_secret consumes this stage:
  //   HKDF-Extract(Derive-Secret(., "derived", ""), zeros of Hash.length).
  Result<MasterSecret> into_master_secret() &&;

 private:
  friend class EarlySecret;
  HandshakeSecret(Provider* p, HashAlgorithm h, SecretBytes s)
      : provider_(p), hash_(h), secret_(std::move(s)), prk_(p->hmac_key(h, secret_.view())) {}
  Provider* provider_;
  HashAlgorithm hash_;
  SecretBytes secret_;
  std::unique_ptr<HmacKey> prk_;  // secret_ keyed once for its derivations
};

// MasterSecret is the last stage.
class MasterSecret {
 public:
  MasterSecret(MasterSecret&&) = default;
  MasterSecret& operator=(MasterSecret&&) = default;

  HashAlgorithm hash() const { return hash_; }
  ByteView secret() const { return secret_.view(); }

  // Derive-Secret(., "c ap traffic", ClientHello...server Finished).
  Result<SecretBytes> client_application_traffic_secret_0(ByteView server_finished_hash) const;
  // Derive-Secret(., "s ap traffic", ClientHello...server Finished).
  Result<SecretBytes> server_application_traffic_secret_0(ByteView server_finished_hash) const;
  // Derive-Secret(., "exp master", ClientHello...server Finished).
  Result<SecretBytes> exporter_master_secret(ByteView server_finished_hash) const;
  // Derive-Secret(., "res master", ClientHello...client Finished).
  Result<SecretBytes> resumption_master_secret(ByteView client_finished_hash) const;

 private:
  friend class HandshakeSecret;
  MasterSecret(Provider* p, HashAlgorithm h, SecretBytes s)
      : hash_(h), secret_(std::move(s)), prk_(p->hmac_key(h, secret_.view())) {}
  HashAlgorithm hash_;
  SecretBytes secret_;
  std::unique_ptr<HmacKey> prk_;  // secret_ keyed once for its derivations
};

// TrafficKeys are the AEAD key and IV of one direction (RFC 8446 7.3).
struct TrafficKeys {
  SecretBytes key;
  SecretBytes iv;  // 12 bytes (Aead::kNonceSize)
};

// traffic_keys implements RFC 8446 7.3:
//   write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
//   write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
Result<TrafficKeys> traffic_keys(Provider& provider, HashAlgorithm hash, ByteView traffic_secret,
                                 AeadAlgorithm aead);

// finished_key implements RFC 8446 4.4.4:
//   finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)
// where BaseKey is the sender's handshake traffic secret.
Result<SecretBytes> finished_key(Provider& provider, HashAlgorithm hash, ByteView base_key);

// compute_finished returns verify_data = HMAC(finished_key, transcript_hash)
// (RFC 8446 4.4.4), where transcript_hash covers the handshake up to, not
// including, the Finished message.
Result<Bytes> compute_finished(Provider& provider, HashAlgorithm hash, ByteView base_key,
                               ByteView transcript_hash);

// verify_finished recomputes verify_data and compares it with `received` in
// constant time: decrypt_error (alert decrypt_error) if they differ;
// decode_error for a verify_data of the wrong length (RFC 8446 6.2).
Result<void> verify_finished(Provider& provider, HashAlgorithm hash, ByteView base_key,
                             ByteView transcript_hash, ByteView received);

// next_application_traffic_secret implements RFC 8446 7.2 (KeyUpdate):
//   application_traffic_secret_N+1 =
//     HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
Result<SecretBytes> next_application_traffic_secret(Provider& provider, HashAlgorithm hash,
                                                    ByteView current_secret);

// resumption_psk implements RFC 8446 4.6.1: the PSK of a ticket is
//   HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)
Result<SecretBytes> resumption_psk(Provider& provider, HashAlgorithm hash,
                                   ByteView resumption_master_secret, ByteView ticket_nonce);

// export_keying_material implements the TLS 1.3 exporter (RFC 8446 7.5):
//   TLS-Exporter(label, context_value, key_length) =
//     HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter",
//                       Hash(context_value), key_length)
// with Secret the (early) exporter master secret. An absent context and an
// empty one are the same in TLS 1.3.
Result<SecretBytes> export_keying_material(Provider& provider, HashAlgorithm hash,
                                           ByteView exporter_master_secret, std::string_view label,
                                           ByteView context, size_t length);

// NSS key log labels (the SSLKEYLOGFILE format read by Wireshark).
namespace keylog {
inline constexpr std::string_view kClientEarlyTrafficSecret = "CLIENT_EARLY_TRAFFIC_SECRET";
inline constexpr std::string_view kClientHandshakeTrafficSecret = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
inline constexpr std::string_view kServerHandshakeTrafficSecret = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
inline constexpr std::string_view kClientTrafficSecret0 = "CLIENT_TRAFFIC_SECRET_0";
inline constexpr std::string_view kServerTrafficSecret0 = "SERVER_TRAFFIC_SECRET_0";
inline constexpr std::string_view kExporterSecret = "EXPORTER_SECRET";
inline constexpr std::string_view kEarlyExporterSecret = "EARLY_EXPORTER_SECRET";
// TLS 1.2: the line carries the master secret.
inline constexpr std::string_view kClientRandom = "CLIENT_RANDOM";

// line renders one key log line "<label> <client_random hex> <secret hex>"
// (no trailing newline).
std::string line(std::string_view label, ByteView client_random, ByteView secret);
}  // namespace keylog

}  // namespace tessera::crypto
