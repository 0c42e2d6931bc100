// tessera/policy.h — what a connection may negotiate: versions, suites,
// groups, signature schemes, key sizes and limits.
//
// A Policy is a plain value. Named, dated presets (in the spirit of s2n's
// security policies) give safe starting points:
//
//   "default"  (= "default-2026-11") TLS 1.2-1.3, AEAD only, extended
//              master secret required; ffdhe2048-4096 among the groups (TLS
//              1.3), no TLS 1.2 DHE_RSA or RSA key transport suites.
//   "strict"   (= "strict-2026-11") TLS 1.3 only, AES-GCM + ChaCha20,
//              X25519/P-256/P-384, no RSA PKCS#1 signatures at all.
//   "compat"   (= "compat-2026-11") TLS 1.2-1.3 for old TLS 1.2 peers: adds
//              the DHE_RSA and RSA key transport suites; extended master
//              secret preferred but not required. Still AEAD only.
//
// Lists are in preference order; a server picks by its own preference.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/algorithms.h"
#include "tessera/result.h"

namespace tessera {

// Limits bound what a peer can make us buffer or loop over; exceeding one is
// a fatal error with the alert named (tests: tests/unit/conn/hostile_*).
// The handshake deadline is an I/O matter: StreamTimeouts (tessera/stream.h).
struct Limits {
  // decode_error (checked from the message header, before buffering):
  size_t max_handshake_message_size = 64 * 1024;  // per message, after reassembly
  // bad_certificate:
  size_t max_certificate_chain_length = 10;  // certificates in a peer's chain
  size_t max_certificate_chain_bytes = 128 * 1024;
  // too_many_messages, alert unexpected_message:
  size_t max_empty_records = 32;  // consecutive empty records
  size_t max_warning_alerts = 4;  // non-fatal alerts in a row (TLS 1.2 warnings, user_canceled)
  size_t max_key_updates_per_record_window = 32;  // KeyUpdates without application data
  size_t max_ccs_records = 1;                     // middlebox-compat CCS records (RFC 8446 5)
  // record_overflow: RFC 8449 record_size_limit, the most plaintext we accept
  // in one protected record (in TLS 1.3 counting the inner content type and
  // padding), 64..16385. A client advertises it in every ClientHello, as RFC
  // 8449 4 recommends even without need, and a server answers a client that
  // sent one with it (TLS 1.2 caps it at 2^14); once negotiated it binds the
  // peer's protected records, and we respect the peer's limit in turn.
  // Unprotected records are not held to it; accepted 0-RTT records are held
  // to the limit of the handshake that issued their ticket, refused ones are
  // skipped whatever their size.
  size_t record_size_limit = 16385;
  // The most records one sending key protects. TLS 1.3: at the limit a
  // KeyUpdate (RFC 8446 4.6.3) moves to the next key before the next
  // application record. TLS 1.2, which cannot change keys (we refuse
  // renegotiation), closes the connection with close_notify instead, and
  // write() fails with sequence_exhausted: the application reconnects.
  // 0: only the AEAD's own limit (RFC 8446 5.5: 2^24.5 records for AES-GCM,
  // about 24 million full records, in both versions; ChaCha20-Poly1305 has
  // none short of the sequence number). Lower values change keys more often.
  uint64_t key_update_records = 0;
};

// TLS 1.3 PSK key exchange modes (RFC 8446 4.2.9).
enum class PskMode : uint8_t {
  psk_ke = 0,      // PSK only: no (EC)DHE, so no forward secrecy for the resumed connection
  psk_dhe_ke = 1,  // PSK with (EC)DHE (the default)
};

struct Policy {
  std::string name;  // e.g. "default-2026-11"
  ProtocolVersion min_version = ProtocolVersion::tls12;
  ProtocolVersion max_version = ProtocolVersion::tls13;
  std::vector<CipherSuite> cipher_suites;
  std::vector<NamedGroup> groups;
  // groups the client sends key shares for in its first ClientHello
  std::vector<NamedGroup> key_share_groups;
  std::vector<SignatureScheme> signature_schemes;
  // The least RSA modulus accepted on the peer's certificate path (and of
  // our own key for TLS 1.2 RSA key transport); at least 2048.
  size_t min_rsa_bits = 2048;
  size_t min_ffdhe_bits = 2048;
  bool require_extended_master_secret = true;  // TLS 1.2, RFC 7627
  // TLS 1.3 resumption modes, in preference order: the client offers them,
  // the server uses the first it shares with the client. psk_ke trades
  // forward secrecy for a cheaper handshake; it is off unless listed.
  std::vector<PskMode> psk_modes = {PskMode::psk_dhe_ke};
  // RFC 8879 certificate compression, TLS 1.3 only, in preference order: the
  // algorithms we take a peer's certificate compressed with (a client lists
  // them in its ClientHello, a server in its CertificateRequest), and with
  // which we compress our own when the peer lists one of them (our first
  // that it lists; compressed chains are cached, process-wide, the 128 most
  // recently used).
  // Empty, the default: neither. Decompression is bounded by
  // limits.max_handshake_message_size, as an uncompressed Certificate is.
  std::vector<CertCompression> cert_compression;
  Limits limits;

  // Presets.
  static Policy default_policy();
  static Policy strict();
  static Policy compat();
  // by_name accepts "default", "strict", "compat" and their dated names.
  static std::optional<Policy> by_name(std::string_view name);
  static std::vector<std::string> preset_names();

  // validate checks the policy is usable (non-empty lists, versions ordered,
  // suites consistent with the versions); config_invalid otherwise.
  Result<void> validate() const;

  // allows_version: v is within min_version..max_version and the policy lists
  // a cipher suite of it (a version without one cannot be negotiated: it is
  // not offered, chosen or signalled).
  bool allows_version(ProtocolVersion v) const;
  bool allows_suite(uint16_t suite) const;
  bool allows_group(uint16_t group) const;
  bool allows_scheme(uint16_t scheme) const;
  // Suites of the given version, in preference order.
  std::vector<CipherSuite> suites_for(ProtocolVersion v) const;

  // Policy editing helpers for the CLI's LIST options: each replaces the list
  // with the named items (IANA or OpenSSL names), in the given order;
  // config_invalid names the first unknown item. Naming a TLS 1.2 RSA
  // key-exchange suite enables it.
  Result<void> set_cipher_suites(std::string_view comma_list);
  Result<void> set_groups(std::string_view comma_list);
  Result<void> set_signature_schemes(std::string_view comma_list);
  // set_cert_compression takes "brotli,zlib" ...; "" or "none" turns
  // certificate compression off.
  Result<void> set_cert_compression(std::string_view comma_list);
};

// describe_list renders a list of IANA values as "[x25519, secp256r1]" for
// negotiation error messages.
std::string describe_groups(const std::vector<uint16_t>& v);
std::string describe_suites(const std::vector<uint16_t>& v);
std::string describe_schemes(const std::vector<uint16_t>& v);
std::string describe_cert_compression(const std::vector<uint16_t>& v);

}  // namespace tessera
