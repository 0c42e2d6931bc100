// tessera/session.h — TLS 1.3 session resumption (RFC 8446 2.2, 4.6.1).
//
// Client side: a Session is what a NewSessionTicket leaves behind (the ticket
// and the resumption PSK). Sessions go into a SessionStore keyed by server
// name; the next connection to that name takes one out (tickets are used once)
// and offers it. Server side: tickets are the server's own state, sealed with
// AES-256-GCM under a TicketKey from a TicketKeyProvider; RotatingTicketKeys
// rotates them on a schedule, and a fleet of servers can share keys by
// implementing the interface over their own key distribution.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/result.h"

namespace tessera {

namespace crypto {
class Provider;
}

// A resumable session, as the client keeps it: a TLS 1.3 ticket with its
// PSK, or a TLS 1.2 session ticket (RFC 5077) with the master secret.
// SessionFields: what a Session holds. Kept apart so that Session's
// assignments can wipe the PSK they replace and still assign member by
// member (fields added here are assigned without further code). Use Session:
// a SessionFields copied or assigned on its own does not wipe its PSK.
struct SessionFields {
  uint16_t version = 0x0304;            // 0x0304 TLS 1.3, 0x0303 TLS 1.2
  bool extended_master_secret = false;  // TLS 1.2: the session used RFC 7627
  uint16_t cipher_suite = 0;            // of the connection that issued the ticket
  std::string server_name;              // the name the ticket is for
  std::string alpn;                     // negotiated then (informational)
  std::string peer_subject;             // the server certificate verified then
  // The server's identity for ClientConfig::peer_check (see PeerIdentity),
  // kept when the session's handshake ran one; empty peer_spki_sha256:
  // none kept, and a client with a peer check does not offer the session.
  std::string peer_common_name;
  std::vector<std::string> peer_names;
  std::vector<uint8_t> peer_spki_sha256;
  std::vector<uint8_t> ticket;      // opaque to the client
  std::vector<uint8_t> session_id;  // TLS 1.2 session ID (RFC 5246 7.4.1.2) when no ticket
  uint32_t lifetime_s = 0;          // RFC 8446 4.6.1 ticket_lifetime
  uint32_t age_add = 0;             // ticket_age_add
  int64_t received_at_ms = 0;       // Unix time in ms when the ticket arrived
  uint32_t max_early_data = 0;      // 0: no early data
  uint16_t record_size_limit = 0;   // RFC 8449: the server's then, bounding our 0-RTT records
  std::vector<uint8_t> psk;         // TLS 1.3 resumption PSK / TLS 1.2 master secret: secret
};

class Session : public SessionFields {
 public:
  Session() = default;
  Session(const Session&) = default;
  Session(Session&&) = default;
  // Assignments wipe the PSK they replace before its memory is reused or
  // freed; the destructor wipes psk.
  Session& operator=(const Session& other);
  Session& operator=(Session&& other) noexcept;
  ~Session();

  // usable_at says whether the ticket is still within its lifetime.
  bool usable_at(int64_t now_ms) const;
  // to_pem / from_pem write and read a session file ("TESSERA SESSION"
  // PEM block). The file holds the PSK: protect it like a private key.
  // to_pem returns an empty string for a session with a field too long for
  // the file (a server name over 255 bytes, a subject over 65535).
  std::string to_pem() const;
  static Result<Session> from_pem(std::string_view pem);
};

// Threads: a config and what it points to are shared by every connection
// made from it, and each calls these interfaces on the thread that drives it
// (its Stream, or the EventServer worker that owns it). With connections on
// several threads, as EventServer runs them, calls come at once from all of
// them: an implementation of SessionStore, TicketKeyProvider,
// ServerSessionCache or ReplayGuard (like the Memory* ones here) must be
// thread-safe, and must not block for long (it holds up that thread's other
// connections).

// SessionStore: where a client keeps sessions between connections.
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual void put(const std::string& server_name, Session s) = 0;
  // take removes and returns the newest usable session for the name (each
  // ticket is offered once, RFC 8446 C.4), discarding expired ones.
  virtual std::optional<Session> take(const std::string& server_name, int64_t now_ms) = 0;
};

// MemorySessionStore: bounded, thread-safe; keeps at most `per_name`
// sessions per server name and `max_names` names (oldest dropped first).
class MemorySessionStore final : public SessionStore {
 public:
  explicit MemorySessionStore(size_t max_names = 1024, size_t per_name = 4)
      : max_names_(max_names), per_name_(per_name) {}
  void put(const std::string& server_name, Session s) override;
  std::optional<Session> take(const std::string& server_name, int64_t now_ms) override;
  size_t size() const;

 private:
  size_t max_names_, per_name_;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<Session>> sessions_;
  std::deque<std::string> order_;  // names, oldest first
};

// A ticket-sealing key: a 16-byte name carried in clear in the ticket and a
// 32-byte AES-256-GCM key.
struct TicketKey {
  std::array<uint8_t, 16> id{};
  std::array<uint8_t, 32> key{};
};

// TicketKeyProvider: the server's ticket keys. current() seals new tickets;
// find() returns the key a ticket names if it is still accepted.
class TicketKeyProvider {
 public:
  virtual ~TicketKeyProvider() = default;
  virtual TicketKey current(int64_t now_s) = 0;
  virtual std::optional<TicketKey> find(const std::array<uint8_t, 16>& id, int64_t now_s) = 0;
};

// RotatingTicketKeys draws a new random key every `period` and keeps
// accepting the previous `keep` keys, each until (keep + 1) * period after
// it was drawn (so a ticket lives at most that long, however long the
// server was idle). Keys never leave the process.
class RotatingTicketKeys final : public TicketKeyProvider {
 public:
  RotatingTicketKeys(std::shared_ptr<crypto::Provider> provider,
                     std::chrono::seconds period = std::chrono::hours(12), size_t keep = 1);
  ~RotatingTicketKeys() override;
  TicketKey current(int64_t now_s) override;
  std::optional<TicketKey> find(const std::array<uint8_t, 16>& id, int64_t now_s) override;

 private:
  void rotate_locked(int64_t now_s);
  std::shared_ptr<crypto::Provider> provider_;
  int64_t period_s_;
  size_t keep_;
  std::mutex mu_;
  std::deque<std::pair<int64_t, TicketKey>> keys_;  // (created_at, key), newest first
};

// ServerSessionCache: server-side session state, as an alternative to
// self-contained tickets (ServerConfig::session_cache). The ticket is then a
// random 16-byte name for an entry here, and each entry is used once. TLS 1.2
// session IDs are kept here too; the library prefixes each key with its
// kind, so the two never meet. Keys and states are opaque bytes; each state
// is sealed under the server's ticket keys, as a ticket would be.
class ServerSessionCache {
 public:
  virtual ~ServerSessionCache() = default;
  virtual void put(const std::vector<uint8_t>& id, std::vector<uint8_t> state,
                   int64_t expires_at_s) = 0;
  // take removes and returns the entry if present and not expired.
  virtual std::optional<std::vector<uint8_t>> take(const std::vector<uint8_t>& id,
                                                   int64_t now_s) = 0;
};

// MemoryServerSessionCache: bounded (oldest entries dropped first),
// thread-safe; entries (which hold session secrets) are wiped when dropped:
// when taken, evicted, replaced or destroyed, and, once expired, at the next
// take() (from the oldest, while they have expired).
class MemoryServerSessionCache final : public ServerSessionCache {
 public:
  explicit MemoryServerSessionCache(size_t max_entries = 20000) : max_(max_entries) {}
  ~MemoryServerSessionCache() override;
  void put(const std::vector<uint8_t>& id, std::vector<uint8_t> state,
           int64_t expires_at_s) override;
  std::optional<std::vector<uint8_t>> take(const std::vector<uint8_t>& id, int64_t now_s) override;
  size_t size() const;

 private:
  struct Entry {
    std::vector<uint8_t> state;
    int64_t expires_at_s;
  };
  size_t max_;
  mutable std::mutex mu_;
  std::map<std::vector<uint8_t>, Entry> entries_;
  std::deque<std::vector<uint8_t>> order_;  // ids, oldest first (may hold taken ones)
};

// ReplayGuard: the server's 0-RTT anti-replay record (RFC 8446 8.2). A
// ClientHello's early data is accepted only if claim() is the first for its
// ticket while that ClientHello can pass the freshness check (8.3: once the
// ticket age no longer matches, replays are refused before they get here).
// A ClientHello whose ticket age was up to one window ahead of the server's
// view stays fresh for up to two windows after it first arrives, so a
// record must keep each id for twice window_ms.
class ReplayGuard {
 public:
  virtual ~ReplayGuard() = default;
  // window_ms is the freshness window: how far the client's ticket age may
  // differ from the server's view of it.
  virtual int64_t window_ms() const = 0;
  // claim records `id` (a ticket identity digest) and returns true if it was
  // not claimed in the last 2 * window_ms; false for a replay or when the
  // record is full (fail closed: the connection falls back to 1-RTT).
  virtual bool claim(const std::array<uint8_t, 32>& id, int64_t now_ms) = 0;
};

// MemoryReplayGuard: a bounded, thread-safe in-process record.
class MemoryReplayGuard final : public ReplayGuard {
 public:
  explicit MemoryReplayGuard(std::chrono::milliseconds window = std::chrono::seconds(10),
                             size_t max_entries = 100000)
      : window_ms_(window.count()), max_(max_entries) {}
  int64_t window_ms() const override { return window_ms_; }
  bool claim(const std::array<uint8_t, 32>& id, int64_t now_ms) override;
  size_t size() const;

 private:
  int64_t window_ms_;
  size_t max_;
  mutable std::mutex mu_;
  std::map<std::array<uint8_t, 32>, int64_t> seen_;                // id -> expiry (ms)
  std::deque<std::pair<int64_t, std::array<uint8_t, 32>>> order_;  // (expiry, id), oldest first
};

}  // namespace tessera
