// handshake/tickets.h — the TLS 1.3 server's session tickets: the state a
// resumed connection needs, sealed with AES-256-GCM under a TicketKey
// (tessera/session.h) so the server keeps nothing per session.
//
//   ticket = key_id[16] || nonce[12] || AES-256-GCM(key, nonce, aad = key_id, state) || tag[16]
//
// The state holds the resumption PSK (RFC 8446 4.6.1), the suite, the issue
// time, lifetime and ticket_age_add, and what the full handshake established
// (ALPN, SNI, the client certificate's subject, the SessionOrigin) so a
// resumed connection reports the same identity and is held to the same
// checks.
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

// SessionOrigin is what a session's tickets carry forward from the full
// handshake that made it, so that each resumption, and each ticket issued on
// one, is judged by it: when that handshake was (a chain of resumptions ends
// kMaxSessionAge after it), and which client certificate it verified: to
// which trust anchor (a server that does not trust that anchor does not
// resume the session) and until when its path is valid.
struct SessionOrigin {
  int64_t authenticated_at_ms = 0;
  // The client certificate's issuer (Name DER) and serial number (INTEGER
  // content octets), to look it up in the server's CRLs when the session is
  // resumed; empty without a client certificate, and in format 2-3 states.
  Bytes client_issuer;
  Bytes client_serial;
  // The trust anchor the client's chain was verified to: its subject (Name
  // DER) and the SHA-256 of its certificate; empty in states before format 6.
  Bytes client_anchor_subject;
  Bytes client_anchor_sha256;
  int64_t client_not_after = 0;  // the earliest notAfter on the verified path (Unix s)
};

// A session and the chain of tickets issued on its resumptions end this long
// after its full handshake: RFC 8446 4.6.1's 7 days, for the authentication
// the resumptions reuse as for each ticket.
inline constexpr int64_t kMaxSessionAgeS = 604800;

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
  SessionOrigin origin;
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
// established (suite, ALPN, SNI, the client certificate's subject), the
// session's origin and the issue time; the lifetime is
// session_ticket_lifetime's; the caller adds version, PSK and age_add.
TicketState ticket_state_for(const HandshakeSummary& summary, const SessionOrigin& origin,
                             uint32_t configured_lifetime_s, int64_t now_unix);

// session_ticket_lifetime is the lifetime of a ticket issued now for a
// session of this origin: the configured one, cut to what is left of the
// session's kMaxSessionAgeS and of its client certificate's validity; 0
// means the session may not be resumed any more (send no ticket).
uint32_t session_ticket_lifetime(uint32_t configured_s, const SessionOrigin& origin,
                                 int64_t now_unix);

// origin_of is the origin of a session whose full handshake is now, with
// the client's verified chain (null: no client certificate).
SessionOrigin origin_of(crypto::Provider& p, const PeerChain* client_chain, int64_t now_unix);

// resumption_refused says why a session (a ticket or a session ID we
// opened, within its lifetime) may not be resumed under `cfg` by a
// connection of `version` for `sni` (nullopt: it may). Beyond the ticket's
// own lifetime, the session is refused:
//  - kMaxSessionAgeS after its full handshake, or beyond the lifetime `cfg`
//    gives tickets now;
//  - if it has no client certificate and `cfg` requires one;
//  - if it has one and `cfg` does not trust the anchor that verified it
//    (tickets may be shared by servers with other client trust), or its
//    path has expired since, or `cfg`'s CRLs or peer check refuse it now.
// A full handshake then checks the client afresh.
std::optional<std::string> resumption_refused(crypto::Provider& p, const ServerConfig& cfg,
                                              const TicketState& s, ProtocolVersion version,
                                              const std::string& sni, int64_t now_unix);

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
// returns nullopt for anything malformed). encode_state fails
// (internal_error) for a state one of whose fields overflows its length
// prefix: the server then sends no ticket.
Result<SecretBytes> encode_state(const TicketState& s);
std::optional<TicketState> decode_state(ByteView state);

// issue_ticket makes the ticket for a state as the server's config says:
// an ID into ServerConfig::session_cache (stateful; the cache holds the
// state sealed under the ticket keys, so no PSK sits in it in the clear),
// else the sealed state under ticket_keys (or the process-wide keys).
// redeem_ticket is the inverse; a cached session is taken out (single use).
Result<Bytes> issue_ticket(crypto::Provider& p, const ServerConfig& cfg, const TicketState& s,
                           int64_t now_s);
std::optional<TicketState> redeem_ticket(crypto::Provider& p, const ServerConfig& cfg,
                                         ByteView ticket, int64_t now_s);

// give_back_ticket / give_back_session put a cached session that
// redeem_ticket / find_session took out back into the cache when the
// handshake did not use it (it was refused, or its binder did not verify):
// the names travel in the clear, and taking an entry out for good before the
// checks would let anyone who saw one cost its owner the resumption. A state
// past its lifetime is not put back; self-contained tickets need nothing.
void give_back_ticket(crypto::Provider& p, const ServerConfig& cfg, ByteView ticket,
                      const TicketState& s, int64_t now_s);
void give_back_session(crypto::Provider& p, const ServerConfig& cfg, ByteView id,
                       const TicketState& s, int64_t now_s);

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
