// The TLS 1.2 client (RFC 5246 7.3), entered from the version-negotiating
// client when the ServerHello chooses TLS 1.2:
//
//   ServerHello (checked here) -> ExpectCertificate
//   -> [CertificateStatus]                  (if we asked and the server said so)
//   -> [ExpectServerKeyExchange]            (ECDHE, DHE; not RSA transport)
//   -> ExpectCertificateRequestOrDone -> [ExpectServerHelloDone]
//   -> our flight: [Certificate], ClientKeyExchange, [CertificateVerify],
//      ChangeCipherSpec, Finished
//   -> ExpectChangeCipherSpec -> ExpectFinished -> Connected
#include <algorithm>
#include <variant>

#include "crypto/ffdhe.h"
#include "crypto/tls12_keys.h"
#include "handshake/common.h"
#include "handshake/handshake.h"
#include "handshake/messages13.h"
#include "handshake/negotiation.h"
#include "handshake/peer_verify.h"
#include "handshake/tickets.h"
#include "handshake/tls12_common.h"
#include "record/record.h"
#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/empty_messages.h"
#include "wire/extensions.h"
#include "wire/hello.h"
#include "wire/key_exchange.h"
#include "wire/post_handshake.h"
#include "x509/extensions.h"

namespace tessera::handshake {

namespace {

using wire::HandshakeType;

// What the server's first flight established so far.
struct ServerAuth {
  PeerChain chain;
  std::unique_ptr<crypto::PublicKey> key;
};
// The key exchange agreed in the ServerKeyExchange (or RSA transport).
struct KeyAgreement {
  std::unique_ptr<crypto::KeyShare> share;  // ours, for ECDHE/DHE
  Bytes server_value;                       // the server's public value
  uint16_t group = 0;
  size_t dh_p_size = 0;
};

struct ExpectCertificate {
  static constexpr const char* kExpecting = "Certificate";
};
struct ExpectServerKeyExchange {
  static constexpr const char* kExpecting = "ServerKeyExchange";
  ServerAuth auth;
};
struct ExpectCertificateRequestOrDone {
  static constexpr const char* kExpecting = "CertificateRequest or ServerHelloDone";
  ServerAuth auth;
  KeyAgreement kx;
};
struct ExpectServerHelloDone {
  static constexpr const char* kExpecting = "ServerHelloDone";
  ServerAuth auth;
  KeyAgreement kx;
  wire::CertificateRequest12 request;
};
struct ExpectChangeCipherSpec {
  static constexpr const char* kExpecting = "ChangeCipherSpec";
  Tls12Secrets secrets;
};
struct ExpectFinished {
  static constexpr const char* kExpecting = "Finished";
  Tls12Secrets secrets;
};
struct Connected {
  static constexpr const char* kExpecting = "application data";
  Tls12Secrets secrets;
};
// Abbreviated handshake (RFC 5246 7.3, RFC 5077 3.1): the server's
// [NewSessionTicket], ChangeCipherSpec and Finished come first.
struct ExpectResumedChangeCipherSpec {
  static constexpr const char* kExpecting = "ChangeCipherSpec";
  Tls12Secrets secrets;
};
struct ExpectResumedFinished {
  static constexpr const char* kExpecting = "Finished";
  Tls12Secrets secrets;
};

class Client12 final : public Handshake {
 public:
  explicit Client12(Client12Start s)
      : p_(std::move(s.params)),
        cfg_(*p_.config),
        transcript_(std::move(s.transcript)),
        client_random_(s.client_random),
        offered_suites_(std::move(s.offered_suites)),
        offered_groups_(std::move(s.offered_groups)),
        offered_schemes_(std::move(s.offered_schemes)),
        offered_alpn_(std::move(s.offered_alpn)),
        sni_(std::move(s.sni)),
        ech_public_name_(std::move(s.ech_public_name)),
        session_id_(std::move(s.session_id)),
        session_(std::move(s.session)) {
    summary_.ech = s.ech;
  }

  Result<void> on_server_hello(const wire::HandshakeMessage& m);

  Result<void> start() override { return ok(); }
  Result<void> on_message(const wire::HandshakeMessage& m) override;
  Result<void> on_change_cipher_spec() override;
  Result<void> send_finished(Tls12Secrets secrets);
  bool ccs_allowed() const override {
    return std::holds_alternative<ExpectChangeCipherSpec>(state_) ||
           std::holds_alternative<ExpectResumedChangeCipherSpec>(state_);
  }
  bool is_done() const override { return std::holds_alternative<Connected>(state_); }
  Result<void> key_update(bool) override {
    return Error(ErrorCode::internal_error, "TLS 1.2 has no KeyUpdate");
  }
  const HandshakeSummary& summary() const override { return summary_; }
  Result<SecretBytes> export_keying_material(std::string_view label,
                                             std::optional<ByteView> context,
                                             size_t length) const override {
    const auto* c = std::get_if<Connected>(&state_);
    return tls12_exporter(*p_.provider, suite_, ems_, c ? &c->secrets : nullptr, client_random_,
                          server_random_, label, context, length);
  }
  std::string expecting() const override;

 private:
  Result<void> on_certificate(const wire::HandshakeMessage& m);
  // The server identity a peer check saw (verified, or from the resumed
  // session), kept in the sessions we store; null when no check ran (most
  // connections: it costs them a pointer).
  std::unique_ptr<KeptIdentity> server_kept_;
  Result<void> on_server_key_exchange(const wire::HandshakeMessage& m, ExpectServerKeyExchange& st);
  Result<void> on_certificate_request(const wire::HandshakeMessage& m,
                                      ExpectCertificateRequestOrDone& st);
  Result<void> on_server_hello_done(const wire::HandshakeMessage& m, ServerAuth& auth,
                                    KeyAgreement& kx, const wire::CertificateRequest12* request);
  Result<void> on_finished(const wire::HandshakeMessage& m, ExpectFinished& st);
  Result<void> on_resumed_finished(const wire::HandshakeMessage& m, ExpectResumedFinished& st);
  Result<void> on_session_ticket(const wire::HandshakeMessage& m);
  void keep_session(const Tls12Secrets& secrets);
  Result<void> check_signature_scheme(uint16_t scheme, const ServerAuth& auth) const;
  Result<void> on_message_after_certificate(const wire::HandshakeMessage& m, bool& consumed);

  void trace(const std::string& s) { p_.channel->trace(s); }
  bool tracing() const { return p_.channel->tracing(); }
  crypto::Provider& provider() { return *p_.provider; }

  ClientParams p_;
  const ClientConfig& cfg_;
  crypto::Transcript transcript_;
  wire::Random client_random_;
  wire::Random server_random_{};
  std::vector<uint16_t> offered_suites_;
  std::vector<uint16_t> offered_groups_;
  std::vector<uint16_t> offered_schemes_;
  std::vector<std::string> offered_alpn_;
  std::string sni_;
  // ECH was refused (Client12Start::ech_public_name): the server must hold a
  // certificate for this name, we send no certificate of ours, and the
  // handshake ends with ech_required after the server's Finished.
  std::string ech_public_name_;
  const std::string& peer_name() const {
    return ech_public_name_.empty() ? p_.options.server_name : ech_public_name_;
  }
  CipherSuiteInfo suite_{};
  bool ems_ = false;
  Bytes session_id_;                  // ours, echoed by a server that resumes
  std::unique_ptr<Session> session_;  // the session ticket we offered
  bool ticket_promised_ = false;      // the server will send a NewSessionTicket
  bool ticket_received_ = false;
  Bytes ticket_;  // the ticket received, kept once the server's Finished verifies
  uint32_t ticket_lifetime_s_ = 0;
  bool status_acked_ = false;  // the ServerHello answered our status_request (RFC 6066 8)
  bool ocsp_pending_ = false;  // the next message may be CertificateStatus; OCSP not yet decided
  Bytes server_session_id_;    // the session ID the server gave (RFC 5246 7.4.1.3)
  Bytes custom_p_, custom_g_;  // a server-chosen DH group that is not an RFC 7919 one
  std::variant<ExpectCertificate, ExpectServerKeyExchange, ExpectCertificateRequestOrDone,
               ExpectServerHelloDone, ExpectChangeCipherSpec, ExpectFinished, Connected,
               ExpectResumedChangeCipherSpec, ExpectResumedFinished>
      state_;
  HandshakeSummary summary_;
};

std::string Client12::expecting() const { return expecting_name(state_); }

Result<void> Client12::on_server_hello(const wire::HandshakeMessage& m) {
  TESSERA_ASSIGN_OR_RETURN(auto sh, wire::ServerHello::parse(m.body));
  // RFC 5246 7.4.1.3: the suite MUST be one the client offered, and a TLS
  // 1.3 suite cannot be used with TLS 1.2.
  auto info = cipher_suite_info(sh.cipher_suite);
  if (std::find(offered_suites_.begin(), offered_suites_.end(), sh.cipher_suite) ==
          offered_suites_.end() ||
      !info || info->version != ProtocolVersion::tls12)
    return Error(ErrorCode::illegal_parameter, "server chose cipher suite " +
                                                   cipher_suite_name(sh.cipher_suite) +
                                                   ", which we did not offer for TLS 1.2");
  // RFC 5246 7.4.1.2: we offered only the null compression method.
  if (sh.legacy_compression_method != 0)
    return Error(ErrorCode::illegal_parameter,
                 "server chose a compression method we did not offer");
  suite_ = *info;
  bool reneg_ok = false;
  for (const auto& e : sh.extensions) {
    switch (e.type) {
      case wire::kExtRenegotiationInfo: {
        // RFC 5746 3.4: on an initial handshake renegotiated_connection
        // MUST be empty, else abort with handshake_failure.
        TESSERA_ASSIGN_OR_RETURN(auto ri, wire::RenegotiationInfo::parse(e.data));
        if (!ri.renegotiated_connection.empty())
          return Error(ErrorCode::handshake_failure,
                       "ServerHello renegotiation_info is not empty on an initial handshake");
        reneg_ok = true;
        break;
      }
      case wire::kExtExtendedMasterSecret:
        TESSERA_TRY(wire::expect_empty_extension(e));
        ems_ = true;
        break;
      case wire::kExtEcPointFormats: {
        TESSERA_ASSIGN_OR_RETURN(auto f, wire::EcPointFormats::parse(e.data));
        (void)f;
        break;
      }
      case wire::kExtAlpn: {
        TESSERA_ASSIGN_OR_RETURN(summary_.alpn, selected_alpn(e.data, offered_alpn_));
        break;
      }
      case wire::kExtServerName:
        TESSERA_TRY(wire::expect_empty_extension(e));
        if (sni_.empty() && ech_public_name_.empty())
          return Error(ErrorCode::unsupported_extension, "server_name acknowledged but not sent");
        break;
      case wire::kExtRecordSizeLimit: {
        // RFC 8449 4: the server's own limit (we always send ours). A value
        // above 2^14 is one a client "MAY abort" on; we cap it instead
        // (record_content_limit), as a server that offers TLS 1.3 limits
        // may send 2^14 + 1.
        TESSERA_ASSIGN_OR_RETURN(auto l, wire::RecordSizeLimit::parse(e.data));
        summary_.peer_record_size_limit = std::min<uint16_t>(l.limit, wire::kMaxRecordSizeLimit12);
        break;
      }
      case wire::kExtStatusRequest:
        // RFC 6066 8: empty, and only an answer to ours; a CertificateStatus
        // may then follow the Certificate.
        if (cfg_.ocsp == OcspStapling::off)
          return Error(ErrorCode::unsupported_extension,
                       "status_request acknowledged but not sent");
        TESSERA_TRY(wire::expect_empty_extension(e));
        status_acked_ = true;
        break;
      case wire::kExtSessionTicket:
        // RFC 5077 3.2: the server's extension is empty and promises a
        // NewSessionTicket; only an answer to ours.
        if (!cfg_.session_store)
          return Error(ErrorCode::unsupported_extension,
                       "session_ticket acknowledged but not sent");
        TESSERA_TRY(wire::expect_empty_extension(e));
        ticket_promised_ = true;
        break;
      default:
        // RFC 5246 7.4.1.4: an extension in the ServerHello that the client
        // did not request -> unsupported_extension.
        return Error(ErrorCode::unsupported_extension,
                     "ServerHello carries unsolicited extension " + wire::extension_name(e.type));
    }
  }
  // RFC 7627 5.3: a client that requires the extended master secret aborts
  // with handshake_failure when the server does not negotiate it.
  if (!ems_ && cfg_.policy.require_extended_master_secret)
    return Error(ErrorCode::handshake_failure,
                 "server does not support the extended master secret (RFC 7627), which policy " +
                     cfg_.policy.name + " requires");
  // RFC 8449 4: negotiated, the limits bind every protected record of the
  // connection (all of them come after this ServerHello in TLS 1.2). Not
  // negotiated, the protocol's limit replaces whatever came before (a TLS
  // 1.3 ticket's, for 0-RTT data).
  p_.channel->limit_sent_records(summary_.peer_record_size_limit != 0
                                     ? record_content_limit(summary_.peer_record_size_limit, false)
                                     : record::kMaxPlaintext);
  if (summary_.peer_record_size_limit != 0)
    TESSERA_TRY(p_.channel->limit_received_records(
        record_content_limit(advertised_record_size_limit(cfg_.policy, false), false)));
  server_random_ = sh.random;
  server_session_id_ = sh.legacy_session_id_echo;
  // RFC 5077 3.4 / RFC 5246 7.4.1.3: a server that resumes our session (by
  // ticket or by session ID) echoes our session id.
  const bool resumed = session_ && !session_id_.empty() && sh.legacy_session_id_echo == session_id_;
  if (resumed) {
    // RFC 5246 7.4.1.3: a resumed session keeps its suite; RFC 7627 5.3: and
    // its extended master secret setting.
    if (sh.cipher_suite != session_->cipher_suite)
      return Error(ErrorCode::illegal_parameter,
                   "server resumed our session with another cipher suite");
    if (ems_ != session_->extended_master_secret)
      return Error(ErrorCode::handshake_failure,
                   "server resumed our session with a different extended master secret setting");
  }
  // RFC 5246 7.4.8: a client CertificateVerify signs the handshake messages
  // themselves, so keep them.
  transcript_.retain_messages();
  TESSERA_TRY(transcript_.select_hash(provider(), suite_.hash));
  transcript_.add(m.raw);
  summary_.version = ProtocolVersion::tls12;
  summary_.cipher_suite = sh.cipher_suite;
  summary_.server_name = sni_;
  summary_.extended_master_secret = ems_;
  p_.channel->set_negotiated_version(ProtocolVersion::tls12);
  if (tracing())
    trace("<- ServerHello: server chose TLS 1.2, " + cipher_suite_name(sh.cipher_suite) + " (" +
          kx_name(suite_.kx) + " key exchange); extended master secret " + (ems_ ? "yes" : "NO") +
          "; secure renegotiation " +
          (reneg_ok ? "indicated (we never renegotiate)" : "not indicated") +
          record_size_limit_note(summary_.peer_record_size_limit,
                                 advertised_record_size_limit(cfg_.policy, false)) +
          "; random " + hex_short(sh.random));
  if (resumed) {
    TESSERA_ASSIGN_OR_RETURN(Tls12Secrets secrets,
                             resume_tls12_secrets(provider(), suite_, session_->psk, client_random_,
                                                  server_random_, cfg_.keylog));
    summary_.resumed = true;
    summary_.peer_subject = session_->peer_subject;
    summary_.peer_verified_by = "(resumed session: verified in the original handshake)";
    if (!session_->peer_spki_sha256.empty())
      server_kept_ = std::make_unique<KeptIdentity>(kept_identity(*session_));
    if (tracing())
      trace(std::string("   resuming: the server accepted our session ") +
            (session_->ticket.empty() ? "ID" : "ticket (it echoed our session id)") +
            "; no certificates and no key exchange, keys from the session's master secret");
    state_ = ExpectResumedChangeCipherSpec{std::move(secrets)};
  }
  session_.reset();
  return ok();
}

// keep_session stores the session for resuming, once the server's Finished
// has verified: with the ticket the server sent, else under the session ID
// it gave (RFC 5246 7.4.1.3; a session resumed by ID is kept again, as the
// store hands each session out once).
void Client12::keep_session(const Tls12Secrets& secrets) {
  if (ticket_received_) p_.channel->event(Event::new_session_ticket);
  // RFC 7627 5.3: only sessions with the extended master secret are resumed.
  const bool usable = ticket_received_ ? !ticket_.empty() && ticket_.size() <= kMaxTicketKept
                                       : !server_session_id_.empty();
  if (!usable || !cfg_.session_store || p_.options.server_name.empty() || !ems_) return;
  Session s = session_for(summary_, p_.options.server_name, p_.now_unix, server_kept_.get());
  s.version = 0x0303;
  s.extended_master_secret = ems_;
  if (ticket_received_) {
    s.ticket = std::move(ticket_);
    s.lifetime_s = ticket_lifetime_s_;
  } else {
    s.session_id.assign(server_session_id_.begin(), server_session_id_.end());
    s.lifetime_s = 3600;  // the server does not say; RFC 5246 F.1.4 suggests at most 24 h
  }
  s.psk.assign(secrets.master.view().begin(), secrets.master.view().end());
  cfg_.session_store->put(p_.options.server_name, std::move(s));
  if (tracing())
    trace(std::string(ticket_received_ ? "   session ticket" : "   session ID") +
          " kept for resuming " + p_.options.server_name +
          (ticket_received_ ? "" : " (the server sent no ticket)"));
}

Result<void> Client12::on_session_ticket(const wire::HandshakeMessage& m) {
  TESSERA_ASSIGN_OR_RETURN(auto nst, wire::NewSessionTicket12::parse(m.body));
  transcript_.add(m.raw);
  ticket_received_ = true;
  // RFC 5077 3.3: an empty ticket means none after all; a zero hint means
  // the lifetime is unspecified (we then keep it for an hour). The ticket
  // is kept only once the server's Finished verifies (keep_session): until
  // then nothing shows it came from the server (RFC 5246 7.2: a failed
  // handshake leaves no session to resume).
  ticket_ = std::move(nst.ticket);
  ticket_lifetime_s_ = nst.ticket_lifetime_hint ? nst.ticket_lifetime_hint : 3600;
  if (tracing())
    trace("<- NewSessionTicket: " +
          (ticket_.empty() ? std::string("empty (no ticket after all)")
           : ticket_.size() > kMaxTicketKept
               ? std::to_string(ticket_.size()) +
                     "-byte TLS 1.2 session ticket: not kept, more than a ClientHello can carry "
                     "beside its other extensions"
               : std::to_string(ticket_.size()) +
                     "-byte TLS 1.2 session ticket, kept once the server's Finished verifies"));
  return ok();
}

// on_message_after_certificate decides OCSP stapling at the message that
// follows the server's Certificate: a CertificateStatus (allowed only after
// the ServerHello acknowledged our status_request) is checked and consumed;
// any other message means no response was stapled (RFC 6066 8: "a server
// MAY also choose not to send a CertificateStatus message").
Result<void> Client12::on_message_after_certificate(const wire::HandshakeMessage& m,
                                                    bool& consumed) {
  ocsp_pending_ = false;
  const ServerAuth* auth = nullptr;
  if (const auto* s = std::get_if<ExpectServerKeyExchange>(&state_)) auth = &s->auth;
  if (const auto* s = std::get_if<ExpectCertificateRequestOrDone>(&state_)) auth = &s->auth;
  if (auth == nullptr) return ok();
  std::optional<Bytes> stapled;
  consumed = m.type == HandshakeType::certificate_status && status_acked_;
  if (consumed) {
    TESSERA_ASSIGN_OR_RETURN(auto status, wire::CertificateStatus::parse(m.body));
    stapled = std::move(status.ocsp_response);
    transcript_.add(m.raw);
  }
  TESSERA_ASSIGN_OR_RETURN(summary_.peer_ocsp,
                           check_stapled_ocsp(provider(), auth->chain, stapled, cfg_.ocsp,
                                              p_.now_unix, cfg_.crls.get(), cfg_.crl_check));
  summary_.ocsp_stapled = stapled.has_value();
  if (tracing() && stapled) trace("<- CertificateStatus: OCSP response " + summary_.peer_ocsp);
  return ok();
}

Result<void> Client12::on_message(const wire::HandshakeMessage& m) {
  // RFC 5246 7.4.1.1: a HelloRequest while the handshake is under way is
  // ignored (and never enters the transcript).
  if (m.type == HandshakeType::hello_request && !std::holds_alternative<Connected>(state_)) {
    if (!m.body.empty())
      return Error(ErrorCode::decode_trailing_data, AlertDescription::decode_error,
                   "HelloRequest has a body");
    if (tracing()) trace("<- HelloRequest: ignored during the handshake (RFC 5246 7.4.1.1)");
    return ok();
  }
  // RFC 6066 8: a CertificateStatus the ServerHello did not announce is out
  // of place (unexpected_message, below), whatever the OCSP setting.
  if (ocsp_pending_ && !(m.type == HandshakeType::certificate_status && !status_acked_)) {
    bool consumed = false;
    TESSERA_TRY(on_message_after_certificate(m, consumed));
    if (consumed) return ok();
  }
  if (std::holds_alternative<ExpectCertificate>(state_)) {
    if (m.type != HandshakeType::certificate) return unexpected(expecting(), m.type);
    return on_certificate(m);
  }
  if (auto* s = std::get_if<ExpectServerKeyExchange>(&state_)) {
    if (m.type != HandshakeType::server_key_exchange) return unexpected(expecting(), m.type);
    return on_server_key_exchange(m, *s);
  }
  if (auto* s = std::get_if<ExpectCertificateRequestOrDone>(&state_)) {
    if (m.type == HandshakeType::certificate_request) return on_certificate_request(m, *s);
    if (m.type == HandshakeType::server_hello_done)
      return on_server_hello_done(m, s->auth, s->kx, nullptr);
    return unexpected(expecting(), m.type);
  }
  if (auto* s = std::get_if<ExpectServerHelloDone>(&state_)) {
    if (m.type != HandshakeType::server_hello_done) return unexpected(expecting(), m.type);
    return on_server_hello_done(m, s->auth, s->kx, &s->request);
  }
  if (auto* s = std::get_if<ExpectFinished>(&state_)) {
    if (m.type != HandshakeType::finished) return unexpected(expecting(), m.type);
    return on_finished(m, *s);
  }
  if (auto* s = std::get_if<ExpectResumedFinished>(&state_)) {
    if (m.type != HandshakeType::finished) return unexpected(expecting(), m.type);
    return on_resumed_finished(m, *s);
  }
  // RFC 5077 3.3: the promised NewSessionTicket comes right before the
  // server's ChangeCipherSpec.
  if (m.type == HandshakeType::new_session_ticket && ticket_promised_ && !ticket_received_ &&
      (std::holds_alternative<ExpectChangeCipherSpec>(state_) ||
       std::holds_alternative<ExpectResumedChangeCipherSpec>(state_)))
    return on_session_ticket(m);
  if (std::holds_alternative<Connected>(state_) && m.type == HandshakeType::hello_request) {
    // RFC 5246 7.4.1.1: a client that does not want to renegotiate may
    // answer a HelloRequest with a no_renegotiation warning alert. We never
    // renegotiate (RFC 5746 is only signalled).
    if (!m.body.empty())
      return Error(ErrorCode::decode_trailing_data, AlertDescription::decode_error,
                   "HelloRequest has a body");
    p_.channel->send_warning_alert(AlertDescription::no_renegotiation);
    if (tracing()) trace("<- HelloRequest: renegotiation refused (no_renegotiation warning)");
    return ok();
  }
  // RFC 5246 7.4: any other message here -> unexpected_message.
  return unexpected(expecting(), m.type);
}

Result<void> Client12::on_certificate(const wire::HandshakeMessage& m) {
  TESSERA_ASSIGN_OR_RETURN(auto cert, wire::Certificate12::parse(m.body));
  // RFC 5246 7.4.2: every suite we offer authenticates the server with a
  // certificate; an empty list cannot.
  if (cert.certificate_list.empty())
    return Error(ErrorCode::decode_invalid_value, AlertDescription::decode_error,
                 "server sent an empty Certificate message");
  VerifyRequest vr;
  vr.purpose_server = true;
  // draft-ietf-tls-esni 6.1.7: a server that refused our Encrypted Client
  // Hello must hold a certificate for the config's public name.
  vr.peer_name = peer_name();
  vr.verify = cfg_.verify_peer;
  vr.trust = cfg_.trust.get();
  vr.crls = cfg_.crls.get();
  vr.crl_check = cfg_.crl_check;
  vr.now_unix = p_.now_unix;
  vr.limits = &cfg_.policy.limits;
  vr.min_rsa_bits = cfg_.policy.min_rsa_bits;
  vr.describe = tracing();
  vr.identity = static_cast<bool>(cfg_.peer_check) && ech_public_name_.empty();
  vr.peer_signs = false;  // the suite decides the keyUsage bit, below
  TESSERA_ASSIGN_OR_RETURN(PeerChain pc,
                           verify_peer_chain(provider(), std::move(cert.certificate_list), vr));
  TESSERA_ASSIGN_OR_RETURN(auto key, load_leaf_key(provider(), pc));
  // RFC 5246 7.4.2: the certificate's key must fit the suite's key exchange
  // (ECDSA key for *_ECDSA_*, RSA key for *_RSA_*, rsaEncryption for RSA
  // key transport) -> unsupported_certificate otherwise.
  if (!key_fits_suite(suite_, key->type()))
    return Error(ErrorCode::cert_bad_usage, AlertDescription::unsupported_certificate,
                 "server certificate has a " + std::string(crypto::key_type_name(key->type())) +
                     " key, which cannot be used with " + std::string(suite_.iana_name));
  // RFC 5246 7.4.2 / RFC 5280 4.2.1.3: with a keyUsage extension, RSA key
  // transport needs keyEncipherment and signed key exchanges digitalSignature.
  if (pc.leaf_key_usage) {
    bool transport = suite_.kx == KeyExchange::rsa;
    auto bit =
        transport ? x509::KeyUsageBit::key_encipherment : x509::KeyUsageBit::digital_signature;
    if (!x509::KeyUsage{*pc.leaf_key_usage}.has(bit))
      return Error(ErrorCode::cert_bad_usage, AlertDescription::unsupported_certificate,
                   std::string("server certificate keyUsage lacks ") +
                       (transport ? "keyEncipherment, needed for RSA key exchange"
                                  : "digitalSignature, needed to sign the key exchange"));
  }
  summary_.peer_subject = pc.subject;
  summary_.peer_verified_by = pc.anchor_subject;
  summary_.peer_chain = pc.chain;
  transcript_.add(m.raw);
  if (tracing()) trace("<- Certificate: " + pc.description);
  ServerAuth auth{std::move(pc), std::move(key)};
  ocsp_pending_ = cfg_.ocsp != OcspStapling::off;
  if (suite_.kx == KeyExchange::rsa)
    state_ = ExpectCertificateRequestOrDone{std::move(auth), KeyAgreement{}};
  else
    state_ = ExpectServerKeyExchange{std::move(auth)};
  return ok();
}

Result<void> Client12::check_signature_scheme(uint16_t scheme, const ServerAuth& auth) const {
  // RFC 5246 7.4.1.4.1 / RFC 8446 4.2.3: the server must sign with a scheme
  // we offered, that fits its key; SHA-1 is never acceptable.
  if (std::find(offered_schemes_.begin(), offered_schemes_.end(), scheme) ==
          offered_schemes_.end() ||
      !scheme_allowed_tls12(scheme))
    return Error(ErrorCode::illegal_parameter, "server signed its key exchange with " +
                                                   signature_scheme_name(scheme) +
                                                   ", which we did not offer");
  if (!key_can_sign_tls12(*auth.key, scheme))
    return Error(ErrorCode::illegal_parameter, "server signed with " +
                                                   signature_scheme_name(scheme) +
                                                   ", which its certificate key cannot use");
  return ok();
}

Result<void> Client12::on_server_key_exchange(const wire::HandshakeMessage& m,
                                              ExpectServerKeyExchange& st) {
  KeyAgreement kx;
  uint16_t scheme = 0;
  Bytes signed_data;
  Bytes signature;
  std::string what;
  if (suite_.kx == KeyExchange::ecdhe) {
    TESSERA_ASSIGN_OR_RETURN(auto ske, wire::ServerKeyExchangeEcdhe::parse(m.body));
    // RFC 8422 5.4: the curve MUST be one the client offered in
    // supported_groups -> illegal_parameter.
    uint16_t g = ske.params.named_group;
    if (std::find(offered_groups_.begin(), offered_groups_.end(), g) == offered_groups_.end() ||
        is_ffdhe(g))
      return Error(ErrorCode::illegal_parameter,
                   "server chose ECDHE group " + group_name(g) + ", which we did not offer");
    scheme = ske.signature.scheme;
    signed_data = ske.signed_data(client_random_, server_random_);
    signature = std::move(ske.signature.signature);
    kx.group = g;
    kx.server_value = std::move(ske.params.public_key);
    what = group_name(g);
  } else {
    TESSERA_ASSIGN_OR_RETURN(auto ske, wire::ServerKeyExchangeDhe::parse(m.body));
    // RFC 7919 4/5: the server picks a named group, recognised by its prime;
    // an older server may send a custom group, accepted when at least as
    // large as the policy's minimum (insufficient_security otherwise).
    auto named = crypto::identify_ffdhe_group(ske.params.p, ske.params.g);
    size_t bits = crypto::bit_length(ske.params.p);
    if (named && !cfg_.policy.allows_group(static_cast<uint16_t>(*named)))
      return Error(ErrorCode::insufficient_security,
                   "server chose " + group_name(static_cast<uint16_t>(*named)) + ", which policy " +
                       cfg_.policy.name + " does not allow");
    if (!named && bits < cfg_.policy.min_ffdhe_bits)
      return Error(ErrorCode::insufficient_security,
                   "server chose a custom " + std::to_string(bits) +
                       "-bit Diffie-Hellman group; policy " + cfg_.policy.name +
                       " requires at least " + std::to_string(cfg_.policy.min_ffdhe_bits) +
                       " bits");
    scheme = ske.signature.scheme;
    signed_data = ske.signed_data(client_random_, server_random_);
    signature = std::move(ske.signature.signature);
    kx.dh_p_size = (bits + 7) / 8;
    TESSERA_ASSIGN_OR_RETURN(kx.server_value, dh_value_padded(ske.params.ys, kx.dh_p_size));
    if (named) {
      kx.group = static_cast<uint16_t>(*named);
      what = group_name(kx.group) + " (" + std::to_string(bits) + "-bit prime, generator 2)";
    } else {
      custom_p_ = std::move(ske.params.p);
      custom_g_ = std::move(ske.params.g);
      what = "a custom " + std::to_string(bits) + "-bit group chosen by the server";
    }
  }
  TESSERA_TRY(check_signature_scheme(scheme, st.auth));
  // RFC 5246 7.4.3: the signature covers client_random + server_random +
  // params; a bad signature -> decrypt_error.
  TESSERA_TRY(verify_with_leaf(provider(), st.auth.chain, static_cast<SignatureScheme>(scheme),
                               signed_data, signature, /*tls13=*/false));
  if (!custom_p_.empty()) {
    TESSERA_ASSIGN_OR_RETURN(kx.share, provider().generate_dh_key_share(custom_p_, custom_g_));
  } else {
    TESSERA_ASSIGN_OR_RETURN(kx.share,
                             provider().generate_key_share(static_cast<NamedGroup>(kx.group)));
  }
  summary_.group = kx.group;
  summary_.signature_scheme = scheme;
  transcript_.add(m.raw);
  if (tracing())
    trace("<- ServerKeyExchange: server's ephemeral " + kx_name(suite_.kx) + " public value for " +
          what + ", signed with " + signature_scheme_name(scheme) +
          " over both randoms; signature verified with the certificate's key");
  state_ = ExpectCertificateRequestOrDone{std::move(st.auth), std::move(kx)};
  return ok();
}

Result<void> Client12::on_certificate_request(const wire::HandshakeMessage& m,
                                              ExpectCertificateRequestOrDone& st) {
  TESSERA_ASSIGN_OR_RETURN(auto req, wire::CertificateRequest12::parse(m.body));
  transcript_.add(m.raw);
  if (tracing())
    trace("<- CertificateRequest: the server asks for a client certificate; signature schemes " +
          describe_schemes(req.supported_signature_algorithms) + "; " +
          std::to_string(req.certificate_authorities.size()) + " acceptable CA name(s)");
  state_ = ExpectServerHelloDone{std::move(st.auth), std::move(st.kx), std::move(req)};
  return ok();
}

Result<void> Client12::on_server_hello_done(const wire::HandshakeMessage& m, ServerAuth& auth,
                                            KeyAgreement& kx,
                                            const wire::CertificateRequest12* request) {
  TESSERA_ASSIGN_OR_RETURN(auto done, wire::ServerHelloDone::parse(m.body));
  (void)done;
  transcript_.add(m.raw);
  if (tracing()) trace("<- ServerHelloDone: the server's first flight is complete");
  // The server's chain has verified, and so has its signature over the key
  // exchange (RSA key transport has none: the server proves its key by
  // decrypting ours, in its Finished). The application's access control
  // (ClientConfig::peer_check) decides whether we go on, before our
  // certificate or key exchange goes out.
  // After an ECH refusal the server is only the public name, and the
  // connection ends anyway: the application's check is not asked.
  TESSERA_ASSIGN_OR_RETURN(
      CheckedPeer checked,
      check_verified_peer(provider(), ech_public_name_.empty() ? cfg_.peer_check : PeerCheck{},
                          auth.chain, /*peer_is_server=*/true, ProtocolVersion::tls12, peer_name(),
                          tracing()));
  if (checked.kept) {
    server_kept_ = std::move(checked.kept);
    if (tracing()) trace("   peer check: server " + checked.description + " allowed");
  }

  // Our certificate, when asked (RFC 5246 7.4.6): the credential's key must
  // match a certificate type and sign with a scheme the server listed.
  std::shared_ptr<const Credential> chosen_cred;
  std::optional<SignatureScheme> client_scheme;
  if (request) {
    // draft-ietf-tls-esni 6.1.7: after an ECH refusal the client "MUST NOT"
    // send its certificate to the client-facing server: an empty one.
    if (ech_public_name_.empty()) {
      std::vector<uint16_t> usable;
      for (uint16_t s : request->supported_signature_algorithms)
        if (scheme_allowed_tls12(s)) usable.push_back(s);
      auto type_ok = [&](const crypto::PrivateKey& key) {
        bool is_rsa = key.type() == crypto::KeyType::rsa || key.type() == crypto::KeyType::rsa_pss;
        uint8_t want = is_rsa ? wire::kClientCertTypeRsaSign : wire::kClientCertTypeEcdsaSign;
        return std::find(request->certificate_types.begin(), request->certificate_types.end(),
                         want) != request->certificate_types.end();
      };
      CertificateRequestView view;
      view.server_name = p_.options.server_name;
      view.version = ProtocolVersion::tls12;
      view.authorities = request->certificate_authorities;
      view.signature_schemes = request->supported_signature_algorithms;
      view.fits = [&](const Credential& c) {
        return c.key && type_ok(*c.key) &&
               choose_signature_scheme(cfg_.policy, usable, *c.key, false).ok();
      };
      std::string chosen;
      chosen_cred = client_credential(cfg_, view, tracing() ? &chosen : nullptr);
      if (!chosen.empty()) trace("   certificate resolver chose " + chosen);
      if (chosen_cred && chosen_cred->key) {
        const bool fits_type = type_ok(*chosen_cred->key);
        auto s = choose_signature_scheme(cfg_.policy, usable, *chosen_cred->key, false);
        if (fits_type && s.ok())
          client_scheme = *s;
        else if (tracing())
          trace("   our client certificate does not fit the request: " +
                (fits_type ? s.error().message() : std::string("certificate type not accepted")));
      }
    }
    wire::Certificate12 c;
    if (client_scheme)
      for (const auto& der : chosen_cred->chain)
        c.certificate_list.emplace_back(der.begin(), der.end());
    TESSERA_ASSIGN_OR_RETURN(Bytes cmsg, wire::encode_handshake(c));
    transcript_.add(cmsg);
    p_.channel->send_handshake(cmsg);
    if (tracing())
      trace(client_scheme
                ? "-> Certificate: our client certificate " + leaf_subject(chosen_cred->chain)
            : ech_public_name_.empty()
                ? std::string("-> Certificate: empty (no suitable client certificate)")
                : std::string("-> Certificate: empty (ECH was refused: ours stays for the real "
                              "server)"));
  }

  // ClientKeyExchange and the premaster secret.
  SecretBytes premaster;
  Bytes ckemsg;
  std::string kx_trace;
  if (suite_.kx == KeyExchange::rsa) {
    // RFC 5246 7.4.7.1: premaster = client_version (the version in our
    // ClientHello, 0x0303) + 46 random bytes, encrypted with the server's
    // RSA key (PKCS #1 v1.5).
    premaster = SecretBytes(crypto::kTls12MasterSecretSize);
    provider().random(premaster.mutable_view());
    premaster.data()[0] = 0x03;
    premaster.data()[1] = 0x03;
    wire::ClientKeyExchangeRsa cke;
    TESSERA_ASSIGN_OR_RETURN(cke.encrypted_pre_master_secret,
                             provider().rsa_encrypt_pkcs1(*auth.key, premaster.view()));
    TESSERA_ASSIGN_OR_RETURN(ckemsg, wire::encode_handshake(cke));
    kx_trace =
        "-> ClientKeyExchange: a fresh 48-byte premaster secret (version 3,3 + 46 random "
        "bytes) encrypted with the server's " +
        std::to_string(auth.key->bits()) + "-bit RSA key (" +
        std::to_string(cke.encrypted_pre_master_secret.size()) + " bytes)";
  } else {
    ByteView pub = kx.share->public_value();
    // RFC 7919 3: a DHE dh_Ys outside 1 < Ys < p-1 -> handshake_failure.
    TESSERA_ASSIGN_OR_RETURN(SecretBytes z, suite_.kx == KeyExchange::dhe
                                                ? dhe_shared_secret(*kx.share, kx.server_value)
                                                : kx.share->decapsulate(kx.server_value));
    if (suite_.kx == KeyExchange::ecdhe) {
      // RFC 8422 5.10: the premaster secret is the x-coordinate (X25519: the
      // shared secret) as is.
      premaster = std::move(z);
      wire::ClientKeyExchangeEcdhe cke{Bytes(pub.begin(), pub.end())};
      TESSERA_ASSIGN_OR_RETURN(ckemsg, wire::encode_handshake(cke));
    } else {
      // RFC 5246 8.1.2: leading zero bytes of Z are stripped.
      premaster = strip_leading_zeros(std::move(z));
      wire::ClientKeyExchangeDhe cke{Bytes(pub.begin(), pub.end())};
      TESSERA_ASSIGN_OR_RETURN(ckemsg, wire::encode_handshake(cke));
    }
    kx_trace = "-> ClientKeyExchange: our ephemeral " +
               (custom_p_.empty() ? group_name(kx.group) : std::string("DH")) +
               " public value; both sides now compute the same " +
               std::to_string(premaster.size()) + "-byte premaster secret";
  }
  transcript_.add(ckemsg);
  p_.channel->send_handshake(ckemsg);
  if (tracing()) trace(kx_trace);

  // RFC 7627 3: session_hash = Hash(handshake messages through ClientKeyExchange).
  TESSERA_ASSIGN_OR_RETURN(Bytes session_hash, transcript_.current_hash());
  TESSERA_ASSIGN_OR_RETURN(
      Tls12Secrets secrets,
      derive_tls12_secrets(provider(), suite_, premaster.view(), ems_, session_hash, client_random_,
                           server_random_, cfg_.keylog));
  if (tracing())
    trace(std::string("   master secret = PRF(premaster, \"") +
          (ems_ ? "extended master secret\", session hash" : "master secret\", randoms") +
          "); key block -> " + std::string(aead_name(suite_.aead)) + " keys for both directions");

  // RFC 5246 7.4.8: CertificateVerify signs all handshake messages so far.
  // The rest of the flight may wait for the signature (an asynchronous
  // KeySigner's: Signing).
  if (client_scheme) {
    const SignatureScheme sc = *client_scheme;
    return signing_.sign_then(
        *p_.channel, chosen_cred->key, sc, transcript_.retained_messages(),
        [this, sc, kept = std::move(secrets)](Bytes sig) mutable -> Result<void> {
          TESSERA_ASSIGN_OR_RETURN(Bytes cvmsg, build_certificate_verify(sc, sig));
          transcript_.add(cvmsg);
          p_.channel->send_handshake(cvmsg);
          summary_.client_signature_scheme = static_cast<uint16_t>(sc);
          summary_.client_authenticated = true;
          if (tracing())
            trace("-> CertificateVerify: signed the handshake messages with " +
                  signature_scheme_name(static_cast<uint16_t>(sc)));
          return send_finished(std::move(kept));
        });
  }
  return send_finished(std::move(secrets));
}

// send_finished ends our flight (RFC 5246 7.1): ChangeCipherSpec, then
// Finished under the new keys.
Result<void> Client12::send_finished(Tls12Secrets secrets) {
  TESSERA_TRY(send_change_cipher_spec_and_finished(provider(), *p_.channel, transcript_, suite_,
                                                   secrets, crypto::Tls12Sender::client));
  state_ = ExpectChangeCipherSpec{std::move(secrets)};
  return ok();
}

Result<void> Client12::on_change_cipher_spec() {
  // RFC 5077 3.3: a server that answered session_ticket in its ServerHello
  // MUST send a NewSessionTicket before its ChangeCipherSpec.
  if (ticket_promised_ && !ticket_received_ && ccs_allowed())
    return Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
                 "server sent ChangeCipherSpec without the NewSessionTicket its ServerHello "
                 "promised");
  if (auto* r = std::get_if<ExpectResumedChangeCipherSpec>(&state_)) {
    TESSERA_TRY(p_.channel->set_read_keys_tls12(suite_, r->secrets.block.server_write_key.view(),
                                                r->secrets.block.server_write_iv.view()));
    if (tracing()) trace("<- ChangeCipherSpec: the server's records are encrypted from now on");
    state_ = ExpectResumedFinished{std::move(r->secrets)};
    return ok();
  }
  auto* st = std::get_if<ExpectChangeCipherSpec>(&state_);
  // RFC 5246 7.1: a ChangeCipherSpec anywhere else -> unexpected_message.
  if (!st) return Handshake::on_change_cipher_spec();
  TESSERA_TRY(p_.channel->set_read_keys_tls12(suite_, st->secrets.block.server_write_key.view(),
                                              st->secrets.block.server_write_iv.view()));
  if (tracing()) trace("<- ChangeCipherSpec: the server's records are encrypted from now on");
  state_ = ExpectFinished{std::move(st->secrets)};
  return ok();
}

Result<void> Client12::on_finished(const wire::HandshakeMessage& m, ExpectFinished& st) {
  TESSERA_ASSIGN_OR_RETURN(Bytes h, transcript_.current_hash());
  // RFC 5246 7.4.9: a Finished that does not verify -> decrypt_error.
  TESSERA_TRY(crypto::tls12_verify_finished(provider(), suite_.hash, st.secrets.master.view(),
                                            crypto::Tls12Sender::server, h, m.body));
  transcript_.add(m.raw);
  if (!ech_public_name_.empty()) {
    // draft-ietf-tls-esni 6.1.6: the server authenticated as the public
    // name; we abort with ech_required. TLS 1.2 has no EncryptedExtensions,
    // so there are no retry configs.
    return Error(ErrorCode::ech_required,
                 "the server did not accept our Encrypted Client Hello: it answered the outer "
                 "ClientHello in TLS 1.2 (ECH needs TLS 1.3) and authenticated as " +
                     ech_public_name_ + "; it sent no retry configs");
  }
  if (tracing()) trace("<- Finished: server Finished verified; handshake complete");
  keep_session(st.secrets);
  state_ = Connected{std::move(st.secrets)};
  p_.channel->event(Event::handshake_done);
  return ok();
}

Result<void> Client12::on_resumed_finished(const wire::HandshakeMessage& m,
                                           ExpectResumedFinished& st) {
  TESSERA_ASSIGN_OR_RETURN(Bytes h, transcript_.current_hash());
  // RFC 5246 7.4.9: a Finished that does not verify -> decrypt_error.
  TESSERA_TRY(crypto::tls12_verify_finished(provider(), suite_.hash, st.secrets.master.view(),
                                            crypto::Tls12Sender::server, h, m.body));
  transcript_.add(m.raw);
  if (tracing()) trace("<- Finished: server Finished verified");
  TESSERA_TRY(send_change_cipher_spec_and_finished(provider(), *p_.channel, transcript_, suite_,
                                                   st.secrets, crypto::Tls12Sender::client));
  if (tracing()) trace("   resumed handshake complete");
  keep_session(st.secrets);
  state_ = Connected{std::move(st.secrets)};
  p_.channel->event(Event::handshake_done);
  return ok();
}

}  // namespace

Result<std::unique_ptr<Handshake>> make_client12(Client12Start start,
                                                 const wire::HandshakeMessage& m) {
  auto c = std::make_unique<Client12>(std::move(start));
  TESSERA_TRY(c->on_server_hello(m));
  return std::unique_ptr<Handshake>(std::move(c));
}

}  // namespace tessera::handshake
