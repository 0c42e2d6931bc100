// Sessions, the client session store and rotating ticket keys
// (tessera/session.h).
#include "tessera/session.h"

#include <algorithm>
#include <type_traits>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/provider.h"
#include "handshake/peer_verify.h"
#include "wire/extensions.h"
#include "x509/pem.h"

namespace tessera {

namespace {
constexpr std::string_view kSessionPemLabel = "TESSERA SESSION";
// Format 2 added the TLS 1.2 session ID, format 3 the server's RFC 8449
// record_size_limit, format 4 the server identity kept for a peer check;
// older files still load.
constexpr uint8_t kSessionFormat = 4;
}  // namespace

Session::~Session() {
  if (!psk.empty()) secure_wipe(psk.data(), psk.size());
}

// The defaulted assignments would free the old PSK's buffer (move), or free
// it or leave it in the part of the buffer the new one does not cover
// (copy), without wiping it.
Session& Session::operator=(const Session& other) {
  if (this == &other) return *this;
  SessionFields copy(other);  // may throw: *this is untouched until it has
  if (!psk.empty()) secure_wipe(psk.data(), psk.size());
  SessionFields::operator=(std::move(copy));
  return *this;
}

static_assert(std::is_nothrow_move_assignable_v<SessionFields>,
              "Session's move assignment is noexcept");

Session& Session::operator=(Session&& other) noexcept {
  if (this == &other) return *this;
  if (!psk.empty()) secure_wipe(psk.data(), psk.size());
  SessionFields::operator=(std::move(other));
  return *this;
}

bool Session::usable_at(int64_t now_ms) const {
  return now_ms >= received_at_ms - 1000 &&
         now_ms - received_at_ms < static_cast<int64_t>(lifetime_s) * 1000;
}

std::string Session::to_pem() const {
  // The file holds the PSK: a writer that leaves no copy of it behind.
  ByteWriter w = ByteWriter::for_secrets(
      64 + server_name.size() + alpn.size() + peer_subject.size() + peer_common_name.size() +
      2 * peer_names.size() + 32 + ticket.size() + psk.size() + session_id.size());
  w.u8(kSessionFormat);
  w.u16(version);
  w.u8(extended_master_secret ? 1 : 0);
  w.u16(cipher_suite);
  w.prefixed_bytes(1, as_bytes_view(server_name));
  w.prefixed_bytes(1, as_bytes_view(alpn));
  w.prefixed_bytes(2, as_bytes_view(peer_subject));
  w.prefixed_bytes(2, ticket);
  w.u32(lifetime_s);
  w.u32(age_add);
  w.u64(static_cast<uint64_t>(received_at_ms));
  w.u32(max_early_data);
  w.prefixed_bytes(1, psk);
  w.prefixed_bytes(1, session_id);
  w.u16(record_size_limit);
  handshake::write_kept_identity(w, peer_spki_sha256, peer_common_name, peer_names);
  // A field longer than its length prefix would be read back as the fields
  // after it: no file rather than a wrong one.
  if (w.failed()) return std::string();
  SecretBytes der = std::move(w).take_secret();
  return x509::pem_encode(kSessionPemLabel, der.view());
}

Result<Session> Session::from_pem(std::string_view pem) {
  TESSERA_ASSIGN_OR_RETURN(SecretBytes der, x509::pem_decode_secret(pem, kSessionPemLabel));
  ByteReader r(der.view());
  Session s;
  auto str = [](ByteView v) { return std::string(v.begin(), v.end()); };
  TESSERA_ASSIGN_OR_RETURN(uint8_t fmt, r.read_u8());
  if (fmt < 1 || fmt > kSessionFormat)
    return Error(ErrorCode::decode_invalid_value, "unknown session file format");
  TESSERA_ASSIGN_OR_RETURN(s.version, r.read_u16());
  TESSERA_ASSIGN_OR_RETURN(uint8_t ems, r.read_u8());
  if ((s.version != 0x0304 && s.version != 0x0303) || ems > 1)
    return Error(ErrorCode::decode_invalid_value, "session file: bad version or flag");
  s.extended_master_secret = ems == 1;
  TESSERA_ASSIGN_OR_RETURN(s.cipher_suite, r.read_u16());
  TESSERA_ASSIGN_OR_RETURN(ByteView name, r.read_prefixed_bytes(1));
  TESSERA_ASSIGN_OR_RETURN(ByteView alpn, r.read_prefixed_bytes(1));
  TESSERA_ASSIGN_OR_RETURN(ByteView subject, r.read_prefixed_bytes(2));
  TESSERA_ASSIGN_OR_RETURN(ByteView ticket, r.read_prefixed_bytes(2));
  TESSERA_ASSIGN_OR_RETURN(s.lifetime_s, r.read_u32());
  TESSERA_ASSIGN_OR_RETURN(s.age_add, r.read_u32());
  TESSERA_ASSIGN_OR_RETURN(uint64_t at, r.read_u64());
  TESSERA_ASSIGN_OR_RETURN(s.max_early_data, r.read_u32());
  TESSERA_ASSIGN_OR_RETURN(ByteView psk, r.read_prefixed_bytes(1));
  ByteView session_id;
  if (fmt >= 2) {
    TESSERA_ASSIGN_OR_RETURN(session_id, r.read_prefixed_bytes(1));
  }
  if (fmt >= 3) {
    TESSERA_ASSIGN_OR_RETURN(s.record_size_limit, r.read_u16());
    // RFC 8449 4: 0 (none negotiated) or 64..2^14 + 1.
    if (s.record_size_limit != 0 && (s.record_size_limit < wire::kMinRecordSizeLimit ||
                                     s.record_size_limit > wire::kMaxRecordSizeLimit13))
      return Error(ErrorCode::decode_invalid_value, "session file: bad record_size_limit");
  }
  if (fmt >= 4) {
    TESSERA_TRY(
        handshake::read_kept_identity(r, s.peer_spki_sha256, s.peer_common_name, s.peer_names));
  }
  TESSERA_TRY(r.expect_end("session"));
  // RFC 5246 7.4.1.2: a session ID is at most 32 bytes; only TLS 1.2
  // sessions may be named by one instead of a ticket.
  if (session_id.size() > 32 || (!session_id.empty() && s.version != 0x0303))
    return Error(ErrorCode::decode_invalid_value, "session file: bad session ID");
  if ((ticket.empty() && session_id.empty()) || psk.empty())
    return Error(ErrorCode::decode_invalid_value, "session file has no ticket or no PSK");
  s.session_id.assign(session_id.begin(), session_id.end());
  s.server_name = str(name);
  s.alpn = str(alpn);
  s.peer_subject = str(subject);
  s.ticket.assign(ticket.begin(), ticket.end());
  s.received_at_ms = static_cast<int64_t>(at);
  s.psk.assign(psk.begin(), psk.end());
  return s;
}

void MemorySessionStore::put(const std::string& server_name, Session s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(server_name);
  if (it == sessions_.end()) {
    if (sessions_.size() >= max_names_ && !order_.empty()) {
      sessions_.erase(order_.front());
      order_.pop_front();
    }
    it = sessions_.emplace(server_name, std::deque<Session>{}).first;
    order_.push_back(server_name);
  }
  it->second.push_back(std::move(s));
  while (it->second.size() > per_name_) it->second.pop_front();
}

std::optional<Session> MemorySessionStore::take(const std::string& server_name, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(server_name);
  if (it == sessions_.end()) return std::nullopt;
  auto& q = it->second;
  std::optional<Session> out;
  while (!q.empty() && !out) {
    Session s = std::move(q.back());
    q.pop_back();
    if (s.usable_at(now_ms)) out = std::move(s);
  }
  if (q.empty()) {
    sessions_.erase(it);
    order_.erase(std::remove(order_.begin(), order_.end(), server_name), order_.end());
  }
  return out;
}

size_t MemorySessionStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [name, q] : sessions_) n += q.size();
  return n;
}

RotatingTicketKeys::RotatingTicketKeys(std::shared_ptr<crypto::Provider> provider,
                                       std::chrono::seconds period, size_t keep)
    : provider_(provider ? std::move(provider) : crypto::default_provider()),
      period_s_(std::max<int64_t>(1, period.count())),
      keep_(keep) {}

RotatingTicketKeys::~RotatingTicketKeys() {
  for (auto& [at, k] : keys_) secure_wipe(k.key.data(), k.key.size());
}

void RotatingTicketKeys::rotate_locked(int64_t now_s) {
  if (!keys_.empty() && now_s - keys_.front().first < period_s_) return;
  TicketKey k;
  provider_->random(k.id);
  provider_->random(k.key);
  keys_.emplace_front(now_s, k);
  secure_wipe(k.key.data(), k.key.size());
  while (keys_.size() > keep_ + 1) {
    secure_wipe(keys_.back().second.key.data(), keys_.back().second.key.size());
    keys_.pop_back();
  }
}

TicketKey RotatingTicketKeys::current(int64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  rotate_locked(now_s);
  return keys_.front().second;
}

std::optional<TicketKey> RotatingTicketKeys::find(const std::array<uint8_t, 16>& id,
                                                  int64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  rotate_locked(now_s);
  // Rotation happens on use, so after a quiet spell the previous key can be
  // far older than `keep` periods: the age itself is checked too.
  const int64_t max_age = static_cast<int64_t>(keep_ + 1) * period_s_;
  for (const auto& [at, k] : keys_)
    if (k.id == id) return now_s - at < max_age ? std::optional<TicketKey>(k) : std::nullopt;
  return std::nullopt;
}

MemoryServerSessionCache::~MemoryServerSessionCache() {
  for (auto& [id, e] : entries_) secure_wipe(e.state.data(), e.state.size());
}

void MemoryServerSessionCache::put(const std::vector<uint8_t>& id, std::vector<uint8_t> state,
                                   int64_t expires_at_s) {
  std::lock_guard<std::mutex> lock(mu_);
  while (entries_.size() >= max_ && !order_.empty()) {
    auto it = entries_.find(order_.front());
    if (it != entries_.end()) {
      secure_wipe(it->second.state.data(), it->second.state.size());
      entries_.erase(it);
    }
    order_.pop_front();
  }
  // Taken entries leave their ids in order_; keep it from growing without bound.
  if (order_.size() > 2 * max_ + 16) {
    std::deque<std::vector<uint8_t>> live;
    for (auto& i : order_)
      if (entries_.count(i)) live.push_back(std::move(i));
    order_ = std::move(live);
  }
  auto [it, fresh] = entries_.try_emplace(id);
  // An entry under the same id is replaced: its state is wiped first.
  if (!fresh) secure_wipe(it->second.state.data(), it->second.state.size());
  it->second = Entry{std::move(state), expires_at_s};
  order_.push_back(id);
}

std::optional<std::vector<uint8_t>> MemoryServerSessionCache::take(const std::vector<uint8_t>& id,
                                                                   int64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  // Entries whose time has passed are wiped and dropped from the front of
  // the insertion order (under one ticket lifetime the oldest expire first),
  // so an expired session's secret does not wait for its id or for eviction.
  while (!order_.empty()) {
    auto front = entries_.find(order_.front());
    if (front != entries_.end()) {
      if (now_s <= front->second.expires_at_s) break;
      secure_wipe(front->second.state.data(), front->second.state.size());
      entries_.erase(front);
    }
    order_.pop_front();
  }
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  Entry e = std::move(it->second);
  entries_.erase(it);
  if (now_s > e.expires_at_s) {
    secure_wipe(e.state.data(), e.state.size());
    return std::nullopt;
  }
  return std::move(e.state);
}

bool MemoryReplayGuard::claim(const std::array<uint8_t, 32>& id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  // Forget what can no longer pass the freshness check: a ClientHello first
  // seen at t with its ticket age up to a window ahead of ours stays fresh
  // until t + 2 * window (inclusive), so it is kept until then.
  while (!order_.empty() && order_.front().first <= now_ms) {
    auto it = seen_.find(order_.front().second);
    if (it != seen_.end() && it->second == order_.front().first) seen_.erase(it);
    order_.pop_front();
  }
  auto it = seen_.find(id);
  if (it != seen_.end() && it->second > now_ms) return false;  // a replay
  if (seen_.size() >= max_) return false;                      // full: fail closed
  const int64_t expiry = now_ms + 2 * window_ms_ + 1;
  seen_[id] = expiry;
  order_.emplace_back(expiry, id);
  return true;
}

size_t MemoryReplayGuard::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.size();
}

size_t MemoryServerSessionCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace tessera
