#include "handshake/tickets.h"

#include <algorithm>

#include "crypto/key_schedule.h"
#include "x509/certificate.h"
#include "x509/name.h"
#include "x509/trust_store.h"

namespace tessera::handshake {

namespace {
constexpr size_t kIdSize = 16, kNonceSize = 12, kTagSize = 16;
// 2: max_early_data added; 3: record_size_limit; 4: the client certificate's
// issuer and serial; 5: the client identity kept for a peer check; 6: a
// 2-byte SNI length, and the session's origin (its full handshake's time,
// the client chain's anchor and expiry). Format 2-5 states still open
// (tickets issued before an upgrade, or by a server of the fleet not yet
// upgraded), without the fields added since: their full handshake counts
// as at their issue time, and one with a client certificate, whose anchor
// it does not name, is not resumed.
constexpr uint8_t kStateFormat = 6;
}  // namespace

TicketState ticket_state_for(const HandshakeSummary& summary, const SessionOrigin& origin,
                             uint32_t configured_lifetime_s, int64_t now_unix) {
  TicketState ts;
  ts.cipher_suite = summary.cipher_suite;
  ts.issued_at_ms = now_unix * 1000;
  ts.lifetime_s = session_ticket_lifetime(configured_lifetime_s, origin, now_unix);
  ts.alpn = summary.alpn;
  ts.sni = summary.server_name;
  if (summary.client_authenticated) ts.client_subject = summary.peer_subject;
  ts.origin = origin;
  return ts;
}

uint32_t session_ticket_lifetime(uint32_t configured_s, const SessionOrigin& origin,
                                 int64_t now_unix) {
  int64_t left = std::min<int64_t>(configured_s, kMaxSessionAgeS);
  left = std::min(left, origin.authenticated_at_ms / 1000 + kMaxSessionAgeS - now_unix);
  if (!origin.client_anchor_sha256.empty())
    left = std::min(left, origin.client_not_after - now_unix);
  return static_cast<uint32_t>(std::max<int64_t>(left, 0));
}

SessionOrigin origin_of(crypto::Provider& p, const PeerChain* client_chain, int64_t now_unix) {
  SessionOrigin o;
  o.authenticated_at_ms = now_unix * 1000;
  if (!client_chain) return o;
  o.client_issuer = client_chain->leaf_issuer;
  o.client_serial = client_chain->leaf_serial;
  if (client_chain->anchor_cert) {
    const ByteView subject = client_chain->anchor_cert->subject().der();
    o.client_anchor_subject.assign(subject.begin(), subject.end());
    o.client_anchor_sha256 = client_chain->anchor_cert->fingerprint_sha256(p);
    o.client_not_after = client_chain->path_not_after;
  }
  return o;
}

namespace {
// trusts_anchor says whether `trust` holds the anchor a session's client
// chain was verified to: a certificate with that subject and SHA-256.
bool trusts_anchor(crypto::Provider& p, const x509::TrustStore* trust, const SessionOrigin& o) {
  if (!trust || o.client_anchor_sha256.empty()) return false;
  auto subject = x509::Name::parse(o.client_anchor_subject);
  if (!subject.ok()) return false;
  for (size_t i : trust->find_issuers(*subject)) {
    const Bytes fp = trust->anchors()[i]->fingerprint_sha256(p);
    if (fp.size() == o.client_anchor_sha256.size() &&
        std::equal(fp.begin(), fp.end(), o.client_anchor_sha256.begin()))
      return true;
  }
  return false;
}
}  // namespace

std::optional<std::string> resumption_refused(crypto::Provider& p, const ServerConfig& cfg,
                                              const TicketState& s, ProtocolVersion version,
                                              const std::string& sni, int64_t now_unix) {
  const int64_t now_ms = now_unix * 1000;
  if (now_ms - s.origin.authenticated_at_ms > kMaxSessionAgeS * 1000)
    return std::string("its full handshake was more than 7 days ago");
  if (now_ms - s.issued_at_ms > static_cast<int64_t>(cfg.ticket_lifetime_s) * 1000)
    return std::string("it is older than the ticket lifetime configured now");
  if (s.client_subject.empty()) {
    if (cfg.client_auth == ClientAuth::required)
      return std::string("it has no client certificate, which we require");
    return std::nullopt;
  }
  if (cfg.client_auth == ClientAuth::none)
    return std::string(
        "it has a client certificate, and this server does not authenticate clients");
  if (s.origin.client_anchor_sha256.empty())
    return std::string("it does not name the trust anchor that verified its client certificate");
  if (!trusts_anchor(p, cfg.client_trust.get(), s.origin))
    return std::string("the trust anchor that verified its client certificate is not trusted here");
  if (now_unix > s.origin.client_not_after)
    return std::string("its client certificate chain has expired since");
  // A client certificate revoked since (or whose revocation status the CRLs
  // no longer establish) gets a full handshake, which refuses it; so does
  // one the peer check refuses now (or whose identity the session did not
  // keep).
  if (auto why = refused_by_crls(cfg.client_crls.get(), cfg.client_crl_check,
                                 s.origin.client_issuer, s.origin.client_serial, now_unix))
    return why;
  return resumed_peer_refused(cfg.peer_check, s.client_kept, /*peer_is_server=*/false, version,
                              sni);
}

bool ticket_current(const TicketState& s, int64_t now_ms) {
  return now_ms - s.issued_at_ms <= static_cast<int64_t>(s.lifetime_s) * 1000 &&
         now_ms >= s.issued_at_ms - 1000;
}

Session session_for(const HandshakeSummary& summary, const std::string& server_name,
                    int64_t now_unix, const KeptIdentity* server) {
  Session s;
  s.cipher_suite = summary.cipher_suite;
  s.server_name = server_name;
  s.alpn = summary.alpn;
  s.peer_subject = summary.peer_subject;
  if (server) {
    s.peer_common_name = server->common_name;
    s.peer_names = server->names;
    s.peer_spki_sha256 = server->spki_sha256;
  }
  s.record_size_limit = summary.peer_record_size_limit;
  s.received_at_ms = now_unix * 1000;
  return s;
}

KeptIdentity kept_identity(const Session& s) {
  return KeptIdentity{s.peer_subject, s.peer_common_name, s.peer_names, s.peer_spki_sha256};
}

Result<SecretBytes> encode_state(const TicketState& s) {
  const SessionOrigin& o = s.origin;
  // The state holds the PSK: a writer that leaves no copy of it behind.
  ByteWriter w = ByteWriter::for_secrets(
      64 + s.psk.size() + s.alpn.size() + s.sni.size() + s.client_subject.size() +
      o.client_issuer.size() + o.client_serial.size() + 64 + s.client_kept.common_name.size() +
      o.client_anchor_subject.size() + 64);
  w.u8(kStateFormat);
  w.u16(s.version);
  w.u8(s.extended_master_secret ? 1 : 0);
  w.u16(s.cipher_suite);
  w.u64(static_cast<uint64_t>(s.issued_at_ms));
  w.u32(s.lifetime_s);
  w.u32(s.age_add);
  w.prefixed_bytes(1, s.psk.view());
  w.prefixed_bytes(1, as_bytes_view(s.alpn));
  w.prefixed_bytes(2, as_bytes_view(s.sni));
  w.prefixed_bytes(2, as_bytes_view(s.client_subject));
  w.u32(s.max_early_data);
  w.u16(s.record_size_limit);
  w.prefixed_bytes(2, o.client_issuer);
  w.prefixed_bytes(1, o.client_serial);
  write_kept_identity(w, s.client_kept.spki_sha256, s.client_kept.common_name, s.client_kept.names);
  w.u64(static_cast<uint64_t>(o.authenticated_at_ms));
  w.prefixed_bytes(2, o.client_anchor_subject);
  w.prefixed_bytes(1, o.client_anchor_sha256);
  w.u64(static_cast<uint64_t>(o.client_not_after));
  // A field longer than its length prefix would have the decoder read its
  // bytes as the fields after it: no ticket then.
  if (w.failed())
    return Error(ErrorCode::internal_error,
                 "the session state does not fit a ticket (a field is too long for its length "
                 "prefix)");
  return std::move(w).take_secret();
}

std::optional<TicketState> decode_state(ByteView state) {
  ByteReader r(state);
  TicketState s;
  auto str = [](ByteView v) { return std::string(v.begin(), v.end()); };
  auto fmt = r.read_u8();
  auto version = r.read_u16();
  auto ems = r.read_u8();
  auto suite = r.read_u16();
  auto at = r.read_u64();
  auto life = r.read_u32();
  auto add = r.read_u32();
  auto psk = r.read_prefixed_bytes(1);
  auto alpn = r.read_prefixed_bytes(1);
  auto sni = r.read_prefixed_bytes(fmt.ok() && *fmt >= 6 ? 2 : 1);
  auto subject = r.read_prefixed_bytes(2);
  auto max_early = r.read_u32();
  const bool has_limit = fmt.ok() && *fmt >= 3;
  auto record_limit = has_limit ? r.read_u16() : Result<uint16_t>(uint16_t{0});
  const bool has_client_id = fmt.ok() && *fmt >= 4;
  auto issuer = has_client_id ? r.read_prefixed_bytes(2) : Result<ByteView>(ByteView());
  auto serial = has_client_id ? r.read_prefixed_bytes(1) : Result<ByteView>(ByteView());
  const bool has_kept = fmt.ok() && *fmt >= 5;
  auto kept = has_kept ? read_kept_identity(r, s.client_kept.spki_sha256, s.client_kept.common_name,
                                            s.client_kept.names)
                       : Result<void>(ok());
  const bool has_origin = fmt.ok() && *fmt >= 6;
  auto auth_at = has_origin ? r.read_u64() : Result<uint64_t>(uint64_t{0});
  auto anchor_subject = has_origin ? r.read_prefixed_bytes(2) : Result<ByteView>(ByteView());
  auto anchor_sha256 = has_origin ? r.read_prefixed_bytes(1) : Result<ByteView>(ByteView());
  auto not_after = has_origin ? r.read_u64() : Result<uint64_t>(uint64_t{0});
  if (!auth_at.ok() || !anchor_subject.ok() || !anchor_sha256.ok() || !not_after.ok() ||
      !max_early.ok() || !record_limit.ok() || !issuer.ok() || !serial.ok() || !kept.ok() ||
      !fmt.ok() || *fmt < 2 || *fmt > kStateFormat || !version.ok() || !ems.ok() || *ems > 1 ||
      !suite.ok() || !at.ok() || !life.ok() || !add.ok() || !psk.ok() || !alpn.ok() || !sni.ok() ||
      !subject.ok() || !r.expect_end("ticket").ok())
    return std::nullopt;
  // Times the server could have written (ms since 1970, under 2^52: some
  // 140,000 years; a notAfter within 2^40 s either way), so that the
  // lifetime arithmetic on them cannot overflow.
  constexpr uint64_t kMaxMs = uint64_t{1} << 52;
  const auto not_after_s = static_cast<int64_t>(*not_after);
  if (*at > kMaxMs || *auth_at > kMaxMs || not_after_s > (int64_t{1} << 40) ||
      not_after_s < -(int64_t{1} << 40))
    return std::nullopt;
  s.version = *version;
  s.extended_master_secret = *ems == 1;
  s.cipher_suite = *suite;
  s.issued_at_ms = static_cast<int64_t>(*at);
  s.lifetime_s = *life;
  s.age_add = *add;
  s.psk = SecretBytes(*psk);
  s.alpn = str(*alpn);
  s.sni = str(*sni);
  s.client_subject = str(*subject);
  s.client_kept.subject = s.client_subject;
  s.max_early_data = *max_early;
  s.record_size_limit = *record_limit;
  SessionOrigin& o = s.origin;
  // Before format 6, the session counts as made when the ticket was issued.
  o.authenticated_at_ms = has_origin ? static_cast<int64_t>(*auth_at) : s.issued_at_ms;
  o.client_issuer.assign(issuer->begin(), issuer->end());
  o.client_serial.assign(serial->begin(), serial->end());
  o.client_anchor_subject.assign(anchor_subject->begin(), anchor_subject->end());
  o.client_anchor_sha256.assign(anchor_sha256->begin(), anchor_sha256->end());
  o.client_not_after = static_cast<int64_t>(*not_after);
  return s;
}

Result<Bytes> seal_ticket(crypto::Provider& p, TicketKeyProvider& keys, const TicketState& s,
                          int64_t now_s) {
  TicketKey key = keys.current(now_s);
  // The key is wiped as soon as the AEAD holds it, whether or not that worked.
  auto aead = p.aead(AeadAlgorithm::aes_256_gcm, key.key);
  secure_wipe(key.key.data(), key.key.size());
  if (!aead.ok()) return std::move(aead).error();
  TESSERA_ASSIGN_OR_RETURN(SecretBytes state, encode_state(s));
  Bytes out(kIdSize + kNonceSize + state.size() + kTagSize);
  std::copy(key.id.begin(), key.id.end(), out.begin());
  MutableByteView nonce(out.data() + kIdSize, kNonceSize);
  p.public_random(nonce);  // travels in the ticket, in the clear
  MutableByteView body(out.data() + kIdSize + kNonceSize, state.size());
  std::copy(state.view().begin(), state.view().end(), body.begin());
  Result<void> sealed =
      (*aead)->seal(nonce, ByteView(out.data(), kIdSize), body,
                    MutableByteView(out.data() + out.size() - kTagSize, kTagSize));
  if (!sealed.ok()) {
    secure_wipe(out.data(), out.size());  // it may still hold the state in the clear
    return std::move(sealed).error();
  }
  return out;
}

std::optional<TicketState> open_ticket(crypto::Provider& p, TicketKeyProvider& keys,
                                       ByteView ticket, int64_t now_s) {
  if (ticket.size() < kIdSize + kNonceSize + kTagSize + 1) return std::nullopt;
  std::array<uint8_t, kIdSize> id;
  std::copy(ticket.begin(), ticket.begin() + kIdSize, id.begin());
  auto key = keys.find(id, now_s);
  if (!key) return std::nullopt;
  auto aead = p.aead(AeadAlgorithm::aes_256_gcm, key->key);
  secure_wipe(key->key.data(), key->key.size());
  if (!aead.ok()) return std::nullopt;
  const size_t body_len = ticket.size() - kIdSize - kNonceSize - kTagSize;
  SecretBytes body(ticket.subspan(kIdSize + kNonceSize, body_len));
  if (!(*aead)
           ->open(ticket.subspan(kIdSize, kNonceSize), ticket.first(kIdSize), body.mutable_view(),
                  ticket.last(kTagSize))
           .ok())
    return std::nullopt;
  return decode_state(body.view());
}

namespace {
// One ServerSessionCache holds two kinds of entry: the sealed state of a
// stateful ticket (the ticket is only its name) and that of a TLS 1.2
// session ID. Both names travel in the clear, so each
// kind is keyed under its own prefix: a ClientHello that offers a ticket's
// name as its legacy_session_id (or a session ID as a PSK identity) finds
// nothing, and neither takes the other's entry out nor reaches its bytes.
constexpr uint8_t kTicketEntry = 'T';
constexpr uint8_t kSessionIdEntry = 'S';

TicketKeyProvider& keys_of(const ServerConfig& cfg) {
  return cfg.ticket_keys ? *cfg.ticket_keys : default_ticket_keys();
}

Bytes cache_key(uint8_t kind, ByteView name) {
  Bytes key;
  key.reserve(1 + name.size());
  key.push_back(kind);
  key.insert(key.end(), name.begin(), name.end());
  return key;
}

// cache_sealed puts a state, sealed under the config's ticket keys, into
// `cache` under a name of `kind`, until the state's lifetime ends.
Result<void> cache_sealed(crypto::Provider& p, const ServerConfig& cfg, ServerSessionCache& cache,
                          uint8_t kind, ByteView name, const TicketState& s, int64_t now_s) {
  TESSERA_ASSIGN_OR_RETURN(Bytes sealed, seal_ticket(p, keys_of(cfg), s, now_s));
  cache.put(cache_key(kind, name), std::move(sealed),
            s.issued_at_ms / 1000 + static_cast<int64_t>(s.lifetime_s));
  return ok();
}
}  // namespace

Result<Bytes> issue_ticket(crypto::Provider& p, const ServerConfig& cfg, const TicketState& s,
                           int64_t now_s) {
  if (cfg.session_cache) {
    // Stateful: the ticket is a random name for the state we keep, sealed
    // as a ticket would be, so a cache shared by a fleet (or dumped) holds
    // no resumption secret in the clear.
    Bytes id(kIdSize);
    p.random(id);
    TESSERA_TRY(cache_sealed(p, cfg, *cfg.session_cache, kTicketEntry, id, s, now_s));
    return id;
  }
  return seal_ticket(p, keys_of(cfg), s, now_s);
}

std::optional<TicketState> redeem_ticket(crypto::Provider& p, const ServerConfig& cfg,
                                         ByteView ticket, int64_t now_s) {
  if (cfg.session_cache) {
    auto sealed = cfg.session_cache->take(cache_key(kTicketEntry, ticket), now_s);
    if (!sealed) return std::nullopt;
    return open_ticket(p, keys_of(cfg), *sealed, now_s);
  }
  return open_ticket(p, keys_of(cfg), ticket, now_s);
}

void give_back_ticket(crypto::Provider& p, const ServerConfig& cfg, ByteView ticket,
                      const TicketState& s, int64_t now_s) {
  if (!cfg.session_cache || !ticket_current(s, now_s * 1000)) return;
  // A failure leaves it used up.
  (void)cache_sealed(p, cfg, *cfg.session_cache, kTicketEntry, ticket, s, now_s);
}

void give_back_session(crypto::Provider& p, const ServerConfig& cfg, ByteView id,
                       const TicketState& s, int64_t now_s) {
  if (!ticket_current(s, now_s * 1000)) return;
  (void)store_session(p, cfg, id, s, now_s);  // a failure leaves it used up
}

TicketKeyProvider& default_ticket_keys() {
  static RotatingTicketKeys keys(crypto::default_provider());
  return keys;
}

namespace {
ServerSessionCache& default_session_id_cache() {
  static MemoryServerSessionCache cache;
  return cache;
}
}  // namespace

Bytes new_session_id(crypto::Provider& p) {
  Bytes id(32);
  p.public_random(id);  // sent in the ServerHello, in the clear
  return id;
}

Result<void> store_session(crypto::Provider& p, const ServerConfig& cfg, ByteView id,
                           const TicketState& s, int64_t now_s) {
  ServerSessionCache& cache = cfg.session_cache ? *cfg.session_cache : default_session_id_cache();
  return cache_sealed(p, cfg, cache, kSessionIdEntry, id, s, now_s);
}

std::optional<TicketState> find_session(crypto::Provider& p, const ServerConfig& cfg, ByteView id,
                                        int64_t now_s) {
  ServerSessionCache& cache = cfg.session_cache ? *cfg.session_cache : default_session_id_cache();
  auto sealed = cache.take(cache_key(kSessionIdEntry, id), now_s);
  if (!sealed) return std::nullopt;
  auto out = open_ticket(p, keys_of(cfg), *sealed, now_s);
  secure_wipe(sealed->data(), sealed->size());
  return out;
}

ReplayGuard& default_replay_guard() {
  static MemoryReplayGuard guard;
  return guard;
}

}  // namespace tessera::handshake
