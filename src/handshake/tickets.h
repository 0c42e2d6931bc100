// handshake/tickets.h — the TLS 1.3 server's session tickets: the state a
// resumed connection needs, sealed with AES-256-GCM under a TicketKey
// (tessera/session.h) so the server keeps nothing per session.
//
//   ticket = key_id[16] || nonce[12] || AES-256-GCM(key, nonce, aad = key_id, state) || tag[16]
//
// The state holds the resumption PSK (RFC 8446 4.6.1), the suite, the issue
// time, lifetime and ticket_age_add, and what the full handshake established
// (ALPN, SNI, the client certificate's subject) so a resumed connection
// reports the same identity.
#pragma once

#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/provider.h"
#include "handshake/peer_verify.h"
#include "tessera/config.h"
#include "tessera/connection.h"
#include "tessera/session.h"

namespace tessera::handshake {

struct TicketState {
  uint16_t version = 0x0304;  // TLS 1.2 tickets (RFC 5077) carry the master secret as psk
  bool extended_master_secret = false;
  uint16_t cipher_suite = 0;
  int64_t issued_at_ms = 0;
  uint32_t lifetime_s = 0;
  uint32_t age_add = 0;
  SecretBytes psk;
  std::string alpn;
  std::string sni;
  std::string client_subject;  // empty: no client certificate
  // The client certificate's issuer (Name DER) and serial number (INTEGER
  // content octets), to look it up in the server's CRLs when the session is
  // resumed; empty without a client certificate, and in format 2-3 states.
  Bytes client_issuer;
  Bytes client_serial;
  // The client's identity for ServerConfig::peer_check (format 5), kept when
  // the session's handshake ran one; empty spki_sha256: none kept.
  KeptIdentity client_kept;
  uint32_t max_early_data = 0;  // TLS 1.3: the early data the ticket allows (RFC 8446 4.6.1)
  // TLS 1.3: the RFC 8449 limit we advertised in the ticket's handshake (0:
  // none negotiated), which binds the 0-RTT records sent with it.
  uint16_t record_size_limit = 0;
};

// seal_ticket encrypts the state under keys.current(now).
Result<Bytes> seal_ticket(crypto::Provider& p, TicketKeyProvider& keys, const TicketState& s,
                          int64_t now_s);

// open_ticket returns the state of a ticket we issued under a key still
// accepted, or nullopt for anything else (unknown key, forged, truncated):
// RFC 8446 4.2.11 says an unusable PSK is simply not selected.
std::optional<TicketState> open_ticket(crypto::Provider& p, TicketKeyProvider& keys,
                                       ByteView ticket, int64_t now_s);

// ticket_state_for starts the state of a ticket from what the handshake
// established (suite, ALPN, SNI, the client certificate's subject) and the
// issue time; the caller adds version, PSK, lifetime and age_add.
TicketState ticket_state_for(const HandshakeSummary& summary, int64_t now_unix);

// ticket_current says whether a ticket is within its lifetime (RFC 8446
// 4.6.1, RFC 5077 4), allowing 1 s of clock skew before its issue time.
bool ticket_current(const TicketState& s, int64_t now_ms);

// session_for starts the client's Session for a ticket just received: the
// suite, name, ALPN and server identity of this connection, and the time;
// the caller adds the ticket, lifetime, PSK (or master secret) and version.
// The server identity the handshake's peer check saw (null: none) is kept
// with it.
Session session_for(const HandshakeSummary& summary, const std::string& server_name,
                    int64_t now_unix, const KeptIdentity* server);

// kept_identity is the server identity a Session kept for a peer check
// (empty spki_sha256: none), the inverse of what session_for stores.
KeptIdentity kept_identity(const Session& s);

// encode_state / decode_state: the state's serialization (decode_state
// returns nullopt for anything malformed).
SecretBytes encode_state(const TicketState& s);
std::optional<TicketState> decode_state(ByteView state);

// issue_ticket makes the ticket for a state as the server's config says:
// an ID into ServerConfig::session_cache (stateful), else the sealed state
// under ticket_keys (or the process-wide keys). redeem_ticket is the inverse;
// a cached session is taken out (single use).
Result<Bytes> issue_ticket(crypto::Provider& p, const ServerConfig& cfg, const TicketState& s,
                           int64_t now_s);
std::optional<TicketState> redeem_ticket(crypto::Provider& p, const ServerConfig& cfg,
                                         ByteView ticket, int64_t now_s);

// TLS 1.2 session IDs (RFC 5246 7.4.1.2-3): the server names a session with a
// random 32-byte ID and keeps its state in ServerConfig::session_cache (or a
// process-wide cache), sealed under the same ticket keys as tickets, so key
// rotation retires IDs and tickets alike and no master secret sits in the
// cache in the clear. find_session takes the entry out (the caller stores it
// again if the session stays resumable).
Bytes new_session_id(crypto::Provider& p);
Result<void> store_session(crypto::Provider& p, const ServerConfig& cfg, ByteView id,
                           const TicketState& s, int64_t now_s);
std::optional<TicketState> find_session(crypto::Provider& p, const ServerConfig& cfg, ByteView id,
                                        int64_t now_s);

// The process-wide ticket keys of servers whose config sets none.
TicketKeyProvider& default_ticket_keys();
// The process-wide 0-RTT replay guard of servers whose config sets none.
ReplayGuard& default_replay_guard();

}  // namespace tessera::handshake
