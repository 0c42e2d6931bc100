// The sans-I/O connection engine: records in and out, the handshake state
// machine, alerts, application data, close.
//
// Incoming bytes -> Deframer -> (record protection) -> by content type:
//   handshake        -> HandshakeBuffer -> Handshake::on_message
//   alert            -> close_notify / fatal alert handling
//   change_cipher_spec -> dropped when RFC 8446 5 allows it
//   application_data -> decrypted in place and kept in the deframer's buffer,
//                       which app_data() returns (no copy); a server's
//                       accepted 0-RTT data is copied to early_in_ instead
// Outgoing handshake messages are coalesced per key epoch and cut into
// records of at most 2^14 bytes (protected ones: at most the peer's RFC 8449
// record_size_limit) when the epoch changes or the flight ends.
// Every record is sealed once, straight into the output queue. The deframer's
// buffer and the output queue hold storage only while they hold bytes
// (record/io_buffer.h), so an idle connection keeps neither.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <deque>
#include <mutex>

#include "crypto/key_schedule.h"
#include "crypto/provider.h"
#include "handshake/handshake.h"
#include "record/deframer.h"
#include "record/handshake_buffer.h"
#include "record/io_buffer.h"
#include "record/protection.h"
#include "record/record.h"
#include "tessera/connection.h"
#include "wire/alert.h"
#include "x509/identity.h"
#include "x509/trust_store.h"

namespace tessera {

namespace {

using record::ContentType;

// The engine does no I/O; wall-clock time for certificate validity comes from
// the config's clock, or from the system clock when none is set.
int64_t now_from(const Clock& clock) {
  if (clock) return clock();
  return static_cast<int64_t>(std::time(nullptr));
}

// Process-wide cookie key for servers whose config does not set one.
ByteView process_cookie_key(crypto::Provider& p) {
  static std::once_flag once;
  static uint8_t key[32];
  std::call_once(once, [&] { p.random(key); });
  return ByteView(key, sizeof key);
}

class Engine final : public Connection, private handshake::Channel {
 public:
  Engine(std::shared_ptr<crypto::Provider> provider, const Policy& policy)
      : provider_(std::move(provider)),
        limits_(policy.limits),
        hs_buf_(policy.limits.max_handshake_message_size) {}

  Result<void> init_client(std::shared_ptr<const ClientConfig> cfg, ClientOptions opts,
                           EarlyDataRequest early) {
    handshake::ClientParams p;
    p.now_unix = now_from(cfg->clock);
    p.config = std::move(cfg);
    p.options = std::move(opts);
    p.early = std::move(early);
    p.provider = provider_.get();
    p.channel = this;
    hs_ = handshake::make_client13(std::move(p));
    return ok();
  }

  Result<void> init_server(std::shared_ptr<const ServerConfig> cfg) {
    handshake::ServerParams p;
    p.now_unix = now_from(cfg->clock);
    p.cookie_key =
        cfg->cookie_key.empty() ? process_cookie_key(*provider_) : ByteView(cfg->cookie_key);
    p.config = std::move(cfg);
    p.provider = provider_.get();
    p.channel = this;
    hs_ = handshake::make_server13(std::move(p));
    return ok();
  }

  Result<void> start() {
    auto r = hs_->start();
    started_ = true;
    flush_handshake();
    if (!r.ok()) return fail(std::move(r).error());
    return ok();
  }

  // --- Connection ---
  void set_trace(TraceCallback cb) override {
    trace_ = std::move(cb);
    // Replay the steps taken before a tracer was installed (the ClientHello
    // is sent when the connection is created).
    if (trace_)
      for (const auto& make_line : early_trace_) trace_(make_line());
    early_trace_.clear();
  }

  Result<void> receive_tls(std::span<const uint8_t> data) override {
    if (error_) return *error_;
    if (paused_) return stall(data);
    size_t off = 0;
    while (off < data.size() || deframer_.buffered()) {
      // RFC 8446 6.1: "Any data received after a closure alert has been
      // received MUST be ignored" (not even parsed).
      if (peer_closed_) return ok();
      // A whole protected record at the front of the input (the usual case:
      // the peer's records arrive in full) is decrypted from the caller's
      // buffer straight into the deframer's, without being copied first.
      if (deframer_.buffered() == 0) {
        auto whole = deframer_.next_whole(data.subspan(off));
        if (!whole.ok()) return fail(deframe_error(std::move(whole).error()));
        if (whole->has_value() && opens_from_input(**whole)) {
          off += record::kHeaderSize + (*whole)->fragment.size();
          auto r = on_record_in_input(**whole);
          flush_handshake();
          if (!r.ok()) return fail(std::move(r).error());
          if (error_) return *error_;
          if (paused_) return stall(data.subspan(off));
          continue;
        }
      }
      size_t took = deframer_.feed(data.subspan(off));
      off += took;
      bool any = false;
      for (;;) {
        auto rec = deframer_.next();
        if (!rec.ok()) return fail(deframe_error(std::move(rec).error()));
        if (!rec->has_value()) break;
        any = true;
        if (peer_closed_) continue;  // RFC 8446 6.1: data after close_notify is ignored
        auto r = on_record(**rec);
        flush_handshake();
        if (!r.ok()) return fail(std::move(r).error());
        if (error_) return *error_;
        // Records still in the deframer wait there; the rest of `data`
        // is kept (stall).
        if (paused_) return stall(data.subspan(off));
      }
      if (!any && took == 0) break;
    }
    return ok();
  }

  std::span<const uint8_t> pending_tls() const override { return out_.pending(); }
  void consume_tls(size_t n) override { out_.consume(n); }

  Result<void> write(std::span<const uint8_t> data) override {
    if (error_) return *error_;
    if (closed_) return Error(ErrorCode::internal_error, "write after close()");
    if (!hs_->is_done())
      return Error(ErrorCode::internal_error, "write before the handshake completed");
    if (paused_) {
      // RFC 8446 4.6.2: our answer to a post-handshake CertificateRequest
      // goes out without application data inside it.
      paused_->held_writes.insert(paused_->held_writes.end(), data.begin(), data.end());
      return ok();
    }
    while (!data.empty()) {
      // RFC 8446 5.5: a sending key protects a bounded number of records
      // (AES-GCM: 2^24.5); at the limit we move to the next key (4.6.3).
      if (write_->sequence_number() >= write_record_limit_) {
        // The same bound holds for TLS 1.2's AES-GCM keys (RFC 5288 uses the
        // same AEAD), but TLS 1.2 cannot change keys without renegotiation,
        // which we refuse (we send RFC 5746's signal, and never renegotiate):
        // the connection ends in an orderly way (close_notify), and the
        // caller reconnects.
        if (version_ == ProtocolVersion::tls12) {
          const uint64_t used = write_->sequence_number();
          close();
          return Error(ErrorCode::sequence_exhausted,
                       "the TLS 1.2 sending key has protected " + std::to_string(used) +
                           " records, its limit (RFC 8446 5.5; Limits::key_update_records); "
                           "TLS 1.2 cannot change keys, so the connection was closed "
                           "(close_notify): reconnect to send more");
        }
        auto u = hs_->key_update(false);
        flush_handshake();
        if (!u.ok()) return fail(std::move(u).error());
      }
      size_t n = std::min(data.size(), send_limit_);
      auto r = queue_record(ContentType::application_data, data.first(n));
      if (!r.ok()) return fail(std::move(r).error());
      ++application_records_sent_;
      data = data.subspan(n);
    }
    return ok();
  }

  std::span<const uint8_t> app_data() const override { return deframer_.held(); }
  void consume_app_data(size_t n) override { deframer_.consume_held(n); }

  std::span<const uint8_t> early_data() const override {
    return std::span<const uint8_t>(early_in_).subspan(early_off_);
  }
  void consume_early_data(size_t n) override {
    early_off_ += std::min(n, early_in_.size() - early_off_);
    if (early_off_ == early_in_.size()) {
      Bytes().swap(early_in_);
      early_off_ = 0;
    }
  }

  void close() override {
    if (closed_ || error_) return;
    closed_ = true;
    // A pending signature is not wanted any more; the handshake stays
    // paused (receive_tls drops what arrives) and never resumes.
    if (paused_) *paused_ = Paused{};
    // RFC 8446 6.1: user_canceled "notifies the recipient that the sender is
    // canceling the handshake for some reason unrelated to a protocol
    // failure. [...] This alert SHOULD be followed by a close_notify."
    // (RFC 5246 7.2.1 has the same alert, generally a warning.)
    if (!hs_->is_done()) send_alert(wire::AlertLevel::warning, AlertDescription::user_canceled);
    // RFC 8446 6.1: close_notify before closing the write side.
    send_alert(wire::AlertLevel::warning, AlertDescription::close_notify);
    close_notify_sent_ = true;
  }

  Result<void> request_client_certificate() override {
    if (error_) return *error_;
    // No answer could come (or be asked for) once either side has closed.
    if (closed_ || peer_closed_)
      return Error(ErrorCode::internal_error,
                   closed_ ? "the client's certificate cannot be asked for after close()"
                           : "the client closed the connection; it cannot answer a request for "
                             "its certificate");
    // Nothing is sent when it fails: the connection goes on.
    auto r = hs_->request_client_certificate();
    flush_handshake();
    return r;
  }
  ClientCertificateRequest client_certificate_request() const override {
    return hs_->client_certificate_request();
  }

  Result<void> key_update(bool request_peer) override {
    if (error_) return *error_;
    if (paused_)
      return Error(ErrorCode::internal_error,
                   "key_update while the handshake waits for a signature (complete_signature)");
    if (negotiated_ && version_ == ProtocolVersion::tls12)
      return Error(ErrorCode::internal_error, "key_update: TLS 1.2 has no KeyUpdate");
    // A call too early is the caller's mistake, not the peer's: refused,
    // and the connection goes on (no alert), as write() does.
    if (!hs_->is_done())
      return Error(ErrorCode::internal_error, "key_update before the handshake completed");
    // RFC 8446 6.1: nothing follows our close_notify (as for write()).
    if (closed_) return Error(ErrorCode::internal_error, "key_update after close()");
    auto r = hs_->key_update(request_peer);
    flush_handshake();
    if (!r.ok()) return fail(std::move(r).error());
    return ok();
  }

  const SignatureRequest* signature_request() const override {
    return paused_ && paused_->signature ? &*paused_->signature : nullptr;
  }

  Result<void> complete_signature(Result<std::vector<uint8_t>> signature) override {
    if (error_) return *error_;
    if (!signature_request())
      return Error(ErrorCode::internal_error,
                   closed_ ? "complete_signature after close(): the signature is not wanted"
                           : "complete_signature: no signature was requested");
    Paused kept = std::move(*paused_);
    paused_.reset();
    auto r = hs_->on_signature(std::move(signature));
    flush_handshake();
    if (!r.ok()) return fail(std::move(r).error());
    if (error_) return *error_;
    if (paused_) {
      // (No step asks for a second signature; if one did, what was kept
      // waits for it, in order.)
      auto& again = *paused_;
      again.stalled.insert(again.stalled.begin(), kept.stalled.begin(), kept.stalled.end());
      again.held_writes.insert(again.held_writes.begin(), kept.held_writes.begin(),
                               kept.held_writes.end());
      return ok();
    }
    // Application data written meanwhile follows the completed answer.
    if (!kept.held_writes.empty()) TESSERA_TRY(write(kept.held_writes));
    // Then what arrived meanwhile: handshake messages already reassembled
    // (the rest of the record that asked for the signature), the records
    // in the deframer, and the bytes kept while paused.
    r = drain_handshake();
    flush_handshake();
    if (!r.ok()) return fail(std::move(r).error());
    if (error_) return *error_;
    return receive_tls(kept.stalled);
  }

  std::optional<Event> poll_event() override {
    if (events_.empty()) return std::nullopt;
    Event e = events_.front();
    events_.pop_front();
    return e;
  }
  bool is_handshake_done() const override { return hs_->is_done(); }
  bool is_peer_closed() const override { return peer_closed_; }
  const Error* error() const override { return error_ ? &*error_ : nullptr; }
  const HandshakeSummary& summary() const override { return hs_->summary(); }

  Result<void> export_keying_material(
      std::span<uint8_t> out, std::string_view label,
      std::optional<std::span<const uint8_t>> context) const override {
    if (error_) return *error_;
    if (!hs_->is_done())
      return Error(ErrorCode::internal_error,
                   "keying material export before the handshake completed");
    std::optional<ByteView> ctx;
    if (context) ctx = ByteView(context->data(), context->size());
    TESSERA_ASSIGN_OR_RETURN(SecretBytes material,
                             hs_->export_keying_material(label, ctx, out.size()));
    std::copy(material.view().begin(), material.view().end(), out.begin());
    return ok();
  }

 private:
  // --- Channel ---
  void send_handshake(ByteView message) override {
    pending_hs_.insert(pending_hs_.end(), message.begin(), message.end());
  }
  void send_change_cipher_spec() override {
    flush_handshake();
    static constexpr uint8_t kCcs[1] = {1};
    (void)queue_plaintext_record(ContentType::change_cipher_spec, kCcs);
  }
  Result<void> set_read_secret_tls13(const CipherSuiteInfo& suite, ByteView secret) override {
    // RFC 8446 5.1: handshake messages MUST NOT span key changes.
    TESSERA_TRY(hs_buf_.check_key_change_boundary());
    TESSERA_TRY(install_tls13_keys(read_, suite, secret));
    largest_opened_ = 0;  // the records opened so far were under the old keys
    apply_receive_limit();
    return ok();
  }
  Result<void> set_write_secret_tls13(const CipherSuiteInfo& suite, ByteView secret) override {
    flush_handshake();
    TESSERA_TRY(install_tls13_keys(write_, suite, secret));
    set_write_record_limit(suite.aead);
    return ok();
  }
  // set_write_record_limit sets how many records a new sending key protects:
  // AES-GCM's bound (RFC 8446 5.5) or the configured one, if lower.
  void set_write_record_limit(AeadAlgorithm aead) {
    write_record_limit_ = aead == AeadAlgorithm::chacha20_poly1305
                              ? UINT64_MAX
                              : record::Tls13RecordProtection::kAesGcmRecordLimit;
    if (limits_.key_update_records != 0)
      write_record_limit_ = std::min(write_record_limit_, limits_.key_update_records);
  }
  // install_tls13_keys derives the traffic keys of `secret` (RFC 8446 7.3)
  // into `slot`. After the handshake (KeyUpdate) the protection in use is
  // re-keyed in place, keeping its AEAD contexts: no allocation on a busy
  // connection. During the handshake a new one is created: its contexts are
  // keyed on first use, so an established connection that is idle holds
  // none, and the handshake's are freed.
  Result<void> install_tls13_keys(std::unique_ptr<record::RecordProtection>& slot,
                                  const CipherSuiteInfo& suite, ByteView secret) {
    TESSERA_ASSIGN_OR_RETURN(auto keys,
                             crypto::traffic_keys(*provider_, suite.hash, secret, suite.aead));
    auto* current = dynamic_cast<record::Tls13RecordProtection*>(slot.get());
    if (hs_->is_done() && current && current->aead_algorithm() == suite.aead &&
        current->rekey(keys.key.view(), keys.iv.view()))
      return ok();
    TESSERA_ASSIGN_OR_RETURN(
        auto prot, record::Tls13RecordProtection::create(*provider_, suite.aead, keys.key.view(),
                                                         keys.iv.view()));
    slot = std::move(prot);
    return ok();
  }
  Result<void> set_read_keys_tls12(const CipherSuiteInfo& suite, ByteView key,
                                   ByteView iv) override {
    // RFC 5246 7.1 / RFC 8446 5.1 in spirit: a handshake message may not
    // straddle the ChangeCipherSpec.
    TESSERA_TRY(hs_buf_.check_key_change_boundary());
    TESSERA_ASSIGN_OR_RETURN(
        auto prot, record::Tls12AeadRecordProtection::create(*provider_, suite.aead, key, iv));
    read_ = std::move(prot);
    largest_opened_ = 0;
    apply_receive_limit();
    return ok();
  }
  Result<void> set_write_keys_tls12(const CipherSuiteInfo& suite, ByteView key,
                                    ByteView iv) override {
    flush_handshake();
    TESSERA_ASSIGN_OR_RETURN(
        auto prot, record::Tls12AeadRecordProtection::create(*provider_, suite.aead, key, iv));
    write_ = std::move(prot);
    set_write_record_limit(suite.aead);  // TLS 1.2 closes at it (write())
    return ok();
  }
  void reset_write_keys() override {
    flush_handshake();
    write_.reset();
  }
  uint64_t application_records_sent() const override { return application_records_sent_; }
  void send_application_data(ByteView data) override {
    flush_handshake();
    if (!write_ && !error_) {
      error_ = Error(ErrorCode::internal_error, "application data without write keys");
      return;
    }
    while (!data.empty() && !error_) {
      size_t n = std::min(data.size(), send_limit_);
      auto r = queue_record(ContentType::application_data, data.first(n));
      if (!r.ok()) error_ = std::move(r).error();
      ++application_records_sent_;
      data = data.subspan(n);
    }
  }
  void accept_early_data(size_t max_bytes) override {
    early_mode_ = EarlyMode::accepting;
    early_budget_ = max_bytes;
  }
  void end_early_data() override { early_mode_ = EarlyMode::none; }
  void skip_early_data(size_t max_bytes) override {
    early_mode_ = EarlyMode::skipping;
    early_budget_ = max_bytes;
    // Refused 0-RTT records were sized by the ticket's handshake, not by our
    // RFC 8449 limit of this one: the limit waits until skipping ends.
    deframer_.set_max_fragment_length(protocol_fragment_limit());
  }
  void send_warning_alert(AlertDescription d) override { send_alert(wire::AlertLevel::warning, d); }
  void expect_handshake_only(bool on) override { handshake_only_ = on; }
  void limit_sent_records(size_t max_content) override {
    send_limit_ = std::clamp<size_t>(max_content, 1, record::kMaxPlaintext);
  }
  Result<void> limit_received_records(size_t max_content) override {
    if (max_content == 0) {
      receive_limit_.reset();
      deframer_.set_max_fragment_length(protocol_fragment_limit());
      return ok();
    }
    receive_limit_ = max_content;
    apply_receive_limit();
    // RFC 8449 4: the peer knew our limit when it protected the records
    // opened under these keys so far (the one being processed carried its
    // answer, and may have been split over several).
    const size_t bound = receive_bound();
    if (bound != 0 && largest_opened_ > bound) return overflow(largest_opened_, bound);
    return ok();
  }
  void set_negotiated_version(ProtocolVersion v) override {
    negotiated_ = true;
    version_ = v;
    deframer_.set_max_fragment_length(protocol_fragment_limit());
    apply_receive_limit();
  }
  void event(Event e) override { events_.push_back(e); }
  void trace(std::string_view line) override {
    if (trace_)
      trace_(line);
    else if (!started_)
      early_trace_.emplace_back([l = std::string(line)] { return l; });
  }
  void trace_lazy(std::function<std::string()> make_line) override {
    if (trace_)
      trace_(make_line());
    else if (!started_)
      early_trace_.push_back(std::move(make_line));
  }
  bool tracing() const override { return static_cast<bool>(trace_) || !started_; }
  bool request_signature(SignatureRequest request) override {
    // After close() (our close_notify is out) nothing the handshake would
    // answer is sent (flush_handshake): not worth a signature, nor a pause
    // that would keep the peer's close_notify from being read.
    if (closed_) return false;
    paused_ = std::make_unique<Paused>();
    paused_->signature = std::move(request);
    events_.push_back(Event::signature_requested);
    return true;
  }

  // stall keeps input that arrives while the handshake waits for a
  // signature (processed by complete_signature), within a bound: the peer
  // has no reason to send much before our answer. After close() it is
  // dropped: the handshake will not resume.
  Result<void> stall(std::span<const uint8_t> data) {
    if (closed_) return ok();
    Bytes& stalled = paused_->stalled;
    if (stalled.size() + data.size() > kMaxStalledInput)
      return fail(Error(ErrorCode::too_many_messages,
                        "more than " + std::to_string(kMaxStalledInput / 1024) +
                            " KiB arrived while the handshake waited for the key signer"));
    stalled.insert(stalled.end(), data.begin(), data.end());
    return ok();
  }

  // --- records ---
  // queue_record seals `data` (at most 2^14 bytes) as one record of `type`
  // straight into the output queue, or writes it unprotected before keys.
  Result<void> queue_record(ContentType type, ByteView data) {
    if (!write_) return queue_plaintext_record(type, data);
    MutableByteView dst = out_.grow(write_->sealed_size(data.size(), 0));
    TESSERA_ASSIGN_OR_RETURN(size_t n, write_->seal_into(type, data, 0, dst));
    out_.commit(n);
    return ok();
  }
  Result<void> queue_plaintext_record(ContentType type, ByteView data) {
    Bytes rec;
    TESSERA_TRY(record::write_plaintext_record(type, record::kRecordVersion, data, rec));
    out_.append(rec);
    return ok();
  }

  // apply_receive_limit bounds the deframer to the longest record under the
  // current read keys whose content fits receive_limit_ (RFC 8449 4): the
  // content, plus the protection's expansion (TLS 1.3: inner type and tag;
  // TLS 1.2: explicit nonce and tag).
  void apply_receive_limit() {
    if (early_mode_ == EarlyMode::skipping) return;
    if (size_t bound = receive_bound()) deframer_.set_max_fragment_length(bound);
  }
  // receive_bound is that longest record's fragment (0: no limit).
  size_t receive_bound() const {
    if (!receive_limit_ || !read_) return 0;
    return read_->sealed_size(*receive_limit_, 0) - record::kHeaderSize;
  }
  // protocol_fragment_limit is the protocol's own bound on a fragment
  // (RFC 8446 5.2: 2^14 + 256; RFC 5246 6.2.3: 2^14 + 2048).
  size_t protocol_fragment_limit() const {
    return negotiated_ && version_ == ProtocolVersion::tls12 ? record::kMaxCiphertext12
                                                             : record::kMaxCiphertext13;
  }

  // deframe_error names our RFC 8449 limit in the record_overflow of a
  // record that exceeds it.
  Error deframe_error(Error e) const {
    if (e.code() != ErrorCode::record_overflow || !receive_limit_ || !read_) return e;
    return e.with_context("the peer ignored the record_size_limit we advertised (RFC 8449: " +
                          std::to_string(*receive_limit_) + " bytes of content per record)");
  }
  Error overflow(size_t fragment, size_t bound) const {
    return deframe_error(Error(ErrorCode::record_overflow, "record of " + std::to_string(fragment) +
                                                               " bytes exceeds the limit of " +
                                                               std::to_string(bound)));
  }

  void flush_handshake() {
    // RFC 8446 6.1: nothing follows our close_notify (the peer would ignore
    // it): what the handshake answers after it (a KeyUpdate, our
    // certificate for a post-handshake CertificateRequest) is not sent.
    if (close_notify_sent_) pending_hs_.clear();
    ByteView rest = pending_hs_;
    // RFC 8449 4: "Unprotected messages are not subject to this limit."
    const size_t limit = write_ ? send_limit_ : record::kMaxPlaintext;
    while (!rest.empty()) {
      size_t n = std::min(rest.size(), limit);
      Result<void> r = queue_record(ContentType::handshake, rest.first(n));
      if (!r.ok() && !error_) {
        error_ = std::move(r).error();
        break;
      }
      rest = rest.subspan(n);
    }
    // Release the flight's storage rather than keep its capacity (issue 6:
    // memory held by an established connection).
    Bytes().swap(pending_hs_);
  }

  void send_alert(wire::AlertLevel level, AlertDescription d) {
    flush_handshake();
    uint8_t body[2] = {static_cast<uint8_t>(level), static_cast<uint8_t>(d)};
    (void)queue_record(ContentType::alert, body);
  }

  Error fail(Error e) {
    if (error_) return *error_;
    // A fatal alert from the peer or its close needs no alert in return;
    // after our close_notify we send nothing more (RFC 8446 6.1).
    if (e.code() != ErrorCode::peer_alert && e.code() != ErrorCode::peer_closed &&
        e.code() != ErrorCode::truncated_connection && !close_notify_sent_) {
      send_alert(wire::AlertLevel::fatal, e.alert());
      if (trace_)
        trace_("!! fatal error: " + e.to_string() + "; sent alert " +
               std::string(alert_name(e.alert())));
    }
    error_ = e;
    return e;
  }

  // skip_refused_early_record drops one record of 0-RTT data the server
  // refused (RFC 8446 4.2.10), charging its plaintext size (at least 1) to
  // the budget; beyond it -> unexpected_message.
  Result<void> skip_refused_early_record(const record::Record& rec) {
    const size_t overhead = 17;  // inner content type + 16-byte AEAD tag
    size_t charge =
        std::max<size_t>(1, rec.fragment.size() > overhead ? rec.fragment.size() - overhead : 0);
    if (charge > early_budget_)
      return Error(ErrorCode::unexpected_message,
                   "more refused early data than max_early_data_size allows");
    early_budget_ -= charge;
    return ok();
  }

  // opens_from_input says whether `rec` (lying whole in the caller's input)
  // takes the path of on_record_in_input: a protected application_data
  // record (every TLS 1.3 record once keys are in use) that on_record would
  // open with read_. Anything else is fed to the deframer and goes through
  // on_record.
  bool opens_from_input(const record::RecordView& rec) const {
    return read_ && !peer_closed_ && early_mode_ != EarlyMode::skipping &&
           rec.type == ContentType::application_data;
  }

  // on_record_in_input is on_record for such a record: opened from where it
  // lies into the deframer's room, whose application data the deframer keeps.
  Result<void> on_record_in_input(const record::RecordView& rec) {
    auto r = read_->open_into(rec, deframer_.room(rec.fragment.size()));
    Result<void> done =
        r.ok() ? opened(rec.fragment.size(), r->type, r->plaintext) : Result<void>(r.error());
    deframer_.release_if_idle();
    return done;
  }

  Result<void> on_record(record::Record& rec) {
    ContentType type = rec.type;
    if (early_mode_ == EarlyMode::skipping) {
      // RFC 8446 4.2.10: after a HelloRetryRequest the server skips the
      // client's application_data records until the second ClientHello.
      if (!read_ && type == ContentType::application_data) return skip_refused_early_record(rec);
      if (!read_ && type == ContentType::handshake) early_mode_ = EarlyMode::none;
    }
    if (type == ContentType::change_cipher_spec && negotiated_ &&
        version_ == ProtocolVersion::tls12) {
      // RFC 5246 7.1: the message is the single byte 1, sent under the
      // current (here always null) read state; the state machine decides
      // whether one may arrive now.
      if (read_) return Error(ErrorCode::unexpected_message, "second change_cipher_spec record");
      if (rec.fragment.size() != 1 || rec.fragment[0] != 1)
        return Error(ErrorCode::decode_invalid_value, AlertDescription::decode_error,
                     "malformed change_cipher_spec record");
      return hs_->on_change_cipher_spec();
    }
    if (type == ContentType::change_cipher_spec) {
      // RFC 8446 5: a plaintext change_cipher_spec of the single byte 0x01,
      // between the first ClientHello and the peer's Finished, is dropped;
      // any other -> unexpected_message.
      if (version_ == ProtocolVersion::tls13 || !hs_->is_done()) {
        if (rec.fragment.size() != 1 || rec.fragment[0] != 1)
          return Error(ErrorCode::unexpected_message, "malformed change_cipher_spec record");
        if (!hs_->ccs_allowed())
          return Error(ErrorCode::unexpected_message, "change_cipher_spec record at this point");
        if (++ccs_seen_ > limits_.max_ccs_records + 1)
          return Error(ErrorCode::unexpected_message, "too many change_cipher_spec records");
        return ok();
      }
      return Error(ErrorCode::unexpected_message, "change_cipher_spec after the handshake");
    }
    if (read_ && !(type == ContentType::alert && !hs_->is_done() && rec.fragment.size() == 2)) {
      // RFC 8446 5.2: protected TLS 1.3 records have the outer type
      // application_data (TLS 1.2 records keep their real type).
      if (version_ == ProtocolVersion::tls13 && type != ContentType::application_data)
        return Error(ErrorCode::unexpected_message,
                     "unprotected " + std::string(record::content_type_name(type)) +
                         " record after keys were established");
      auto r = read_->open(rec);
      if (!r.ok() && early_mode_ == EarlyMode::skipping)
        // RFC 8446 4.2.10: refused 0-RTT records fail to decrypt under the
        // handshake keys and are skipped (the sequence number is not used up).
        return skip_refused_early_record(rec);
      if (!r.ok()) return std::move(r).error();
      if (early_mode_ == EarlyMode::skipping) {
        // The first record that opens under the handshake keys ends the
        // skipping; it and all later ones are held to our limit again.
        early_mode_ = EarlyMode::none;
        apply_receive_limit();
        const size_t bound = receive_bound();
        if (bound != 0 && rec.fragment.size() > bound) return overflow(rec.fragment.size(), bound);
      }
      return opened(rec.fragment.size(), r->type, r->plaintext);
    }
    // A plaintext alert during the handshake is accepted even after keys
    // were installed: a peer that failed to derive them can only send one in
    // the clear, and its reason is worth reporting.
    TESSERA_TRY(record::check_plaintext_record(rec));
    return on_content(type, rec.fragment);
  }

  // opened is on_opened, keeping the largest fragment opened under the
  // current read keys for limit_received_records.
  Result<void> opened(size_t fragment, ContentType type, ByteView content) {
    largest_opened_ = std::max(largest_opened_, fragment);
    return on_opened(type, content);
  }

  // on_opened handles the content of a record that record protection opened.
  Result<void> on_opened(ContentType type, ByteView content) {
    if (type == ContentType::change_cipher_spec)
      return Error(ErrorCode::unexpected_message, "encrypted change_cipher_spec record");
    return on_content(type, content);
  }

  // on_content handles a record's content by type (for application data:
  // plaintext inside the deframer's buffer, which keeps it).
  Result<void> on_content(ContentType type, ByteView content) {
    // RFC 8446 5.1: "Handshake messages MUST NOT be interleaved with other
    // record types. That is, if a handshake message is split over two or
    // more records, there MUST NOT be any other records between them."
    if (type != ContentType::handshake && hs_buf_.has_partial()) {
      // The peer's error alert (or close) ends the connection as it would
      // anywhere else, without an alert in reply (RFC 8446 6); only a
      // warning that would let the handshake go on is refused for where it
      // is.
      if (type == ContentType::alert) TESSERA_TRY(on_alert(content));
      return Error(ErrorCode::unexpected_message,
                   std::string(record::content_type_name(type)) +
                       " record inside a handshake message split over records");
    }
    // RFC 8446 4.6.2: the client's messages answering a post-handshake
    // CertificateRequest "MUST appear consecutively on the wire with no
    // intervening messages of other types".
    if (type == ContentType::application_data && handshake_only_)
      return Error(ErrorCode::unexpected_message,
                   "application data between the client's Certificate and Finished answering our "
                   "CertificateRequest");
    if (content.empty() && type == ContentType::application_data) {
      // RFC 8446 5: application data (empty or not) before the handshake
      // completes, other than accepted 0-RTT data -> unexpected_message.
      if (!hs_->is_done() && early_mode_ != EarlyMode::accepting)
        return Error(ErrorCode::unexpected_message,
                     "application data before the handshake completed");
      if (++empty_records_ > limits_.max_empty_records)
        return Error(ErrorCode::too_many_messages, "too many empty records");
      return ok();
    }
    empty_records_ = 0;
    // Limits::max_warning_alerts counts warning alerts in a row: any other
    // non-empty record ends the run.
    if (type != ContentType::alert) warning_alerts_ = 0;
    switch (type) {
      case ContentType::handshake: return on_handshake_data(content);
      case ContentType::alert: return on_alert(content);
      case ContentType::application_data:
        if (!hs_->is_done() && early_mode_ == EarlyMode::accepting) {
          // RFC 8446 4.2.10: more than max_early_data_size -> unexpected_message.
          if (content.size() > early_budget_)
            return Error(ErrorCode::unexpected_message,
                         "the client sent more early data than max_early_data_size allows");
          early_budget_ -= content.size();
          if (early_data().empty()) events_.push_back(Event::early_data_received);
          early_in_.insert(early_in_.end(), content.begin(), content.end());
          return ok();
        }
        if (!hs_->is_done())
          return Error(ErrorCode::unexpected_message,
                       "application data before the handshake completed");
        key_updates_ = 0;
        // The plaintext was decrypted in place in the deframer's buffer and
        // stays there for app_data().
        deframer_.keep(content);
        return ok();
      default: return Error(ErrorCode::unexpected_message, "unexpected record type");
    }
  }

  Result<void> on_handshake_data(ByteView content) {
    TESSERA_TRY(hs_buf_.add(content));
    return drain_handshake();
  }

  // drain_handshake hands the complete handshake messages buffered to the
  // handshake, until one makes it wait for a signature.
  Result<void> drain_handshake() {
    while (!paused_) {
      TESSERA_ASSIGN_OR_RETURN(auto m, hs_buf_.next());
      if (!m) break;
      wire::HandshakeMessage msg;
      msg.type = static_cast<wire::HandshakeType>(m->type);
      msg.body = m->body;
      msg.raw = m->message;
      // Limits::max_key_updates_per_record_window: each KeyUpdate costs a
      // key derivation (and, when requested, one of ours in reply), so a
      // peer may send only so many before application data.
      if (msg.type == wire::HandshakeType::key_update &&
          ++key_updates_ > limits_.max_key_updates_per_record_window)
        return Error(ErrorCode::too_many_messages, "too many KeyUpdates without application data");
      TESSERA_TRY(hs_->on_message(msg));
    }
    return ok();
  }

  Result<void> on_alert(ByteView content) {
    TESSERA_ASSIGN_OR_RETURN(auto alert, wire::Alert::parse(content));
    const bool tls12 = negotiated_ && version_ == ProtocolVersion::tls12;
    // RFC 5246 7.2: enum { warning(1), fatal(2), (255) } AlertLevel. In TLS
    // 1.3 the level is a legacy field: error alerts are errors "regardless
    // of the AlertLevel in the message" (RFC 8446 6.2).
    if (tls12 && !alert.known_level())
      return Error(ErrorCode::illegal_parameter, AlertDescription::illegal_parameter,
                   "alert with unknown level " +
                       std::to_string(static_cast<unsigned>(alert.level)) + " (expected 1 or 2)");
    if (alert.description == AlertDescription::close_notify) {
      peer_closed_ = true;
      events_.push_back(Event::peer_closed);
      if (trace_) trace_("<- alert close_notify: the peer closed the connection");
      if (!hs_->is_done())
        return Error(ErrorCode::peer_closed,
                     peer_canceled_ ? "peer canceled the handshake (user_canceled, close_notify)"
                                    : "peer sent close_notify during the handshake");
      return ok();
    }
    // RFC 8446 6: user_canceled is followed by close_notify; all other
    // alerts are fatal in TLS 1.3 whatever their level. RFC 5246 7.2: in
    // TLS 1.2 a warning-level alert does not end the connection (we count
    // them, so a peer cannot keep us busy with them).
    if (alert.description == AlertDescription::user_canceled ||
        (tls12 && alert.level == wire::AlertLevel::warning)) {
      if (trace_) trace_("<- alert " + alert.to_string() + " (warning, ignored)");
      if (alert.description == AlertDescription::user_canceled && !hs_->is_done())
        peer_canceled_ = true;
      if (++warning_alerts_ > limits_.max_warning_alerts)
        return Error(ErrorCode::too_many_messages, "too many warning alerts");
      return ok();
    }
    if (trace_) trace_("<- alert " + alert.to_string());
    return Error(
        ErrorCode::peer_alert, alert.description,
        "peer sent alert " + std::string(alert_name(alert.description)) + " while we " +
            (hs_->is_done() ? "exchanged application data" : "expected " + hs_->expecting()));
  }

  std::shared_ptr<crypto::Provider> provider_;
  Limits limits_;
  std::unique_ptr<handshake::Handshake> hs_;
  record::Deframer deframer_;
  record::HandshakeBuffer hs_buf_;
  std::unique_ptr<record::RecordProtection> read_;
  std::unique_ptr<record::RecordProtection> write_;
  // The records write_ may protect before a KeyUpdate (TLS 1.3; RFC 8446 5.5).
  uint64_t write_record_limit_ = UINT64_MAX;
  uint64_t application_records_sent_ = 0;  // by write() and send_application_data
  ProtocolVersion version_ = ProtocolVersion::tls13;
  bool negotiated_ = false;     // version_ was set by the handshake
  bool peer_canceled_ = false;  // the peer sent user_canceled during the handshake
  Bytes pending_hs_;
  record::OutputQueue out_;
  // 0-RTT on the server: accepted early data, or skipping refused early data.
  enum class EarlyMode : uint8_t { none, accepting, skipping };
  EarlyMode early_mode_ = EarlyMode::none;
  size_t early_budget_ = 0;
  Bytes early_in_;
  size_t early_off_ = 0;
  std::deque<Event> events_;
  std::optional<Error> error_;
  TraceCallback trace_;
  // Steps taken before a tracer could be installed, formatted on replay.
  std::vector<std::function<std::string()>> early_trace_;
  bool started_ = false;
  bool peer_closed_ = false;
  bool closed_ = false;
  bool close_notify_sent_ = false;
  // RFC 8449 record_size_limit: content per record we send (the peer's
  // limit) and accept (ours), once negotiated.
  size_t send_limit_ = record::kMaxPlaintext;
  std::optional<size_t> receive_limit_;
  size_t largest_opened_ = 0;  // largest fragment opened under the current read keys
  size_t ccs_seen_ = 0;
  size_t empty_records_ = 0;
  size_t key_updates_ = 0;       // KeyUpdates received since the last application data
  bool handshake_only_ = false;  // see Channel::expect_handshake_only
  size_t warning_alerts_ = 0;
  // Asynchronous signing (Connection::signature_request): while paused_ is
  // set, no input is processed; it waits in `stalled` (and in the deframer
  // and hs_buf_), and application data written waits in `held_writes`.
  // After close() it stays set, empty: the handshake never resumes. Held
  // by pointer: a connection that never pauses pays 8 bytes for it.
  struct Paused {
    std::optional<SignatureRequest> signature;
    Bytes stalled;
    Bytes held_writes;
  };
  static constexpr size_t kMaxStalledInput = 256 * 1024;
  std::unique_ptr<Paused> paused_;
};

}  // namespace

namespace {

// check_alpn: RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>, each
// opaque ProtocolName<1..2^8-1>; "Empty strings MUST NOT be included and byte
// strings MUST NOT be truncated."
Result<void> check_alpn(const std::vector<std::string>& names, const char* where) {
  size_t total = 0;
  for (const std::string& n : names) {
    if (n.empty() || n.size() > 255)
      return Error(ErrorCode::config_invalid,
                   std::string(where) +
                       ": an ALPN protocol name is 1 to 255 bytes (RFC 7301 3.1); " +
                       (n.empty() ? "one is empty" : "one has " + std::to_string(n.size())));
    total += 1 + n.size();
  }
  if (total > 0xffff)
    return Error(ErrorCode::config_invalid,
                 std::string(where) + ": the ALPN protocol names exceed 65535 bytes in all");
  return ok();
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::client(std::shared_ptr<const ClientConfig> config,
                                                       ClientOptions options) {
  return client_with_early_data(std::move(config), std::move(options), EarlyDataRequest{});
}

Result<std::unique_ptr<Connection>> Connection::client_with_early_data(
    std::shared_ptr<const ClientConfig> config, ClientOptions options, EarlyDataRequest early) {
  if (!config) return Error(ErrorCode::config_invalid, "null client config");
  TESSERA_TRY(config->policy.validate());
  TESSERA_TRY(check_alpn(config->alpn, "ClientConfig::alpn"));
  TESSERA_TRY(check_alpn(options.alpn, "ClientOptions::alpn"));
  // The name to reach: an IP address, or a DNS host name (RFC 1123 labels, no
  // wildcard; one trailing dot allowed). Anything else would fail later as a
  // certificate error, or be refused by the server in SNI.
  if (const std::string& n = options.server_name; !n.empty() && !x509::parse_ip_address(n) &&
                                                  !x509::numeric_ipv4_form(n) &&
                                                  !x509::is_valid_dns_reference(n))
    return Error(ErrorCode::config_invalid,
                 "ClientOptions::server_name \"" + n +
                     "\" is neither an IP address nor a DNS host name (letters, digits and "
                     "hyphens in dot-separated labels of 1-63, at most 253 in all)");
  if (config->external_psk) {
    TESSERA_TRY(config->external_psk->validate());
    if (config->policy.psk_modes.empty())
      return Error(ErrorCode::config_invalid,
                   "an external PSK needs a PSK key exchange mode in the policy (psk_modes)");
  }
  if (config->verify_peer && options.server_name.empty())
    return Error(ErrorCode::config_invalid,
                 "a server name (or IP address) to verify is required unless verify_peer is false");
  if (config->verify_peer && !config->trust) {
    // No trust store given: use the system bundle, loaded once per process.
    static std::once_flag once;
    static std::shared_ptr<const x509::TrustStore> system;
    static std::optional<Error> system_error;
    std::call_once(once, [] {
      auto t = x509::TrustStore::system_default();
      if (t.ok())
        system = std::make_shared<x509::TrustStore>(std::move(*t));
      else
        system_error = t.error();
    });
    if (!system) return system_error->with_context("loading the system trust store");
    auto copy = std::make_shared<ClientConfig>(*config);
    copy->trust = system;
    config = std::move(copy);
  }
  auto provider = config->provider ? config->provider : crypto::default_provider();
  auto e = std::make_unique<Engine>(provider, config->policy);
  TESSERA_TRY(e->init_client(std::move(config), std::move(options), std::move(early)));
  TESSERA_TRY(e->start());
  return std::unique_ptr<Connection>(std::move(e));
}

Result<std::unique_ptr<Connection>> Connection::server(std::shared_ptr<const ServerConfig> config) {
  if (!config) return Error(ErrorCode::config_invalid, "null server config");
  TESSERA_TRY(config->policy.validate());
  TESSERA_TRY(check_alpn(config->alpn, "ServerConfig::alpn"));
  // A null entry (a load that failed, say) would be dereferenced by the
  // first ClientHello: refused here, where the mistake is.
  for (const auto& c : config->credentials)
    if (!c) return Error(ErrorCode::config_invalid, "ServerConfig::credentials holds a null entry");
  for (const auto& k : config->ech_keys)
    if (!k) return Error(ErrorCode::config_invalid, "ServerConfig::ech_keys holds a null entry");
  // HMAC-SHA256 cookies (RFC 8446 4.2.2) need a key of the hash's size: a
  // short one would make them forgeable.
  if (!config->cookie_key.empty() && config->cookie_key.size() < 32)
    return Error(ErrorCode::config_invalid, "ServerConfig::cookie_key has " +
                                                std::to_string(config->cookie_key.size()) +
                                                " bytes; it needs 32 (or none, for a random one)");
  if (config->credentials.empty() && !config->credential_resolver &&
      config->external_psks.empty() && !config->external_psk_store)
    return Error(ErrorCode::config_invalid,
                 "a server needs at least one certificate and key (or a credential resolver), or "
                 "external PSKs");
  for (size_t i = 0; i < config->external_psks.size(); ++i) {
    const auto& psk = config->external_psks[i];
    if (!psk) return Error(ErrorCode::config_invalid, "null external PSK");
    TESSERA_TRY(psk->validate());
    for (size_t j = 0; j < i; ++j)
      if (config->external_psks[j]->identity == psk->identity)
        return Error(ErrorCode::config_invalid, "two external PSKs have the same identity");
  }
  if (config->client_auth != ClientAuth::none && !config->client_trust)
    return Error(ErrorCode::config_invalid, "client authentication needs client_trust anchors");
  // RFC 8446 4.6.1: each ticket's nonce, one byte here, must differ within
  // the connection (it makes each ticket's PSK).
  if (config->tickets > 255)
    return Error(ErrorCode::config_invalid, "ServerConfig::tickets is " +
                                                std::to_string(config->tickets) +
                                                "; at most 255 tickets per connection");
  auto provider = config->provider ? config->provider : crypto::default_provider();
  auto e = std::make_unique<Engine>(provider, config->policy);
  TESSERA_TRY(e->init_server(std::move(config)));
  TESSERA_TRY(e->start());
  return std::unique_ptr<Connection>(std::move(e));
}

}  // namespace tessera
