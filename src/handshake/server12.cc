// The TLS 1.2 server (RFC 5246 7.3), entered from the version-negotiating
// server when the ClientHello's best common version is TLS 1.2:
//
//   ClientHello -> ServerHello, Certificate, [ServerKeyExchange],
//                  [CertificateRequest], ServerHelloDone sent
//   -> [ExpectClientCertificate] -> ExpectClientKeyExchange
//   -> [ExpectCertificateVerify] -> ExpectChangeCipherSpec -> ExpectFinished
//   -> ChangeCipherSpec, Finished sent -> Connected
#include <algorithm>
#include <variant>

#include "crypto/ffdhe.h"
#include "crypto/tls12_keys.h"
#include "handshake/common.h"
#include "handshake/handshake.h"
#include "handshake/messages13.h"
#include "handshake/negotiation.h"
#include "handshake/offer.h"
#include "handshake/peer_verify.h"
#include "handshake/tickets.h"
#include "handshake/tls12_common.h"
#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/empty_messages.h"
#include "wire/extensions.h"
#include "wire/hello.h"
#include "wire/key_exchange.h"
#include "wire/post_handshake.h"
#include "x509/trust_store.h"

namespace tessera::handshake {

namespace {

using wire::HandshakeType;

struct ExpectClientCertificate {
  static constexpr const char* kExpecting = "Certificate";
};
struct ExpectClientKeyExchange {
  static constexpr const char* kExpecting = "ClientKeyExchange";
  std::optional<PeerChain> client_chain;
};
struct ExpectCertificateVerify {
  static constexpr const char* kExpecting = "CertificateVerify";
  Tls12Secrets secrets;
  PeerChain chain;
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

// The parameters chosen for the connection.
struct Choice {
  CipherSuiteInfo suite{};
  std::shared_ptr<const Credential> cred;
  std::optional<SignatureScheme> scheme;  // signs the ServerKeyExchange (not RSA transport)
  uint16_t group = 0;                     // ECDHE / DHE group
};

class Server12 final : public Handshake {
 public:
  explicit Server12(ServerParams p) : p_(std::move(p)), cfg_(*p_.config) {}

  Result<void> on_client_hello(const Offer& o, const wire::HandshakeMessage& m);

  Result<void> start() override { return ok(); }
  Result<void> on_message(const wire::HandshakeMessage& m) override;
  Result<void> on_change_cipher_spec() override;
  bool ccs_allowed() const override {
    return std::holds_alternative<ExpectChangeCipherSpec>(state_);
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
    return tls12_exporter(*p_.provider, choice_.suite, ems_, c ? &c->secrets : nullptr,
                          client_random_, server_random_, label, context, length);
  }
  std::string expecting() const override;

 private:
  Result<Choice> choose(const Offer& o);
  Result<void> resume(const Offer& o, const wire::HandshakeMessage& m, TicketState st, bool by_id);
  std::optional<std::string> not_resumable(const Offer& o, const TicketState& st) const;
  TicketState session_state(const Tls12Secrets& secrets) const;
  Result<void> send_session_ticket(const Tls12Secrets& secrets);
  Result<void> answer_record_size_limit(const Offer& o, wire::Extensions& extensions);
  Result<void> finish_first_flight(bool want_client_cert);
  Result<void> on_client_certificate(const wire::HandshakeMessage& m);
  Result<void> on_client_key_exchange(const wire::HandshakeMessage& m, ExpectClientKeyExchange& st);
  Result<void> on_certificate_verify(const wire::HandshakeMessage& m, ExpectCertificateVerify& st);
  Result<void> on_finished(const wire::HandshakeMessage& m, ExpectFinished& st);

  void trace(const std::string& s) { p_.channel->trace(s); }
  bool tracing() const { return p_.channel->tracing(); }
  crypto::Provider& provider() { return *p_.provider; }

  ServerParams p_;
  const ServerConfig& cfg_;
  crypto::Transcript transcript_;
  wire::Random client_random_{};
  wire::Random server_random_{};
  uint16_t client_version_ = 0;
  Choice choice_;
  bool ems_ = false;
  std::unique_ptr<crypto::KeyShare> share_;  // our ephemeral ECDHE/DHE key
  size_t dh_p_size_ = 0;
  std::vector<uint16_t> requested_schemes_;
  size_t renegotiation_attempts_ = 0;
  bool ticket_promised_ = false;  // RFC 5077: we answered session_ticket
  Bytes session_id_;              // the ID we gave this session (no ticket), RFC 5246 7.4.1.3
  bool resumed_ = false;
  std::variant<ExpectClientCertificate, ExpectClientKeyExchange, ExpectCertificateVerify,
               ExpectChangeCipherSpec, ExpectFinished, Connected>
      state_;
  HandshakeSummary summary_;
  // The session's origin (this full handshake and the client certificate it
  // verified, or the resumed session's), kept in the session state we issue.
  SessionOrigin origin_;
  // The client identity a peer check saw (verified, or from the resumed
  // session), kept in the session state we issue; null when no check ran.
  std::unique_ptr<KeptIdentity> client_kept_;
};

std::string Server12::expecting() const { return expecting_name(state_); }

// choose picks, by policy preference, the first TLS 1.2 suite the client
// offered that we can serve: a credential whose key fits the suite (and can
// sign with a scheme the client offered, for signed key exchanges) and, for
// ECDHE/DHE, a group.
Result<Choice> Server12::choose(const Offer& o) {
  const Policy& pol = cfg_.policy;
  std::vector<uint16_t> schemes;
  for (uint16_t s : o.schemes)
    if (scheme_allowed_tls12(s)) schemes.push_back(s);
  bool client_lists_ffdhe = std::any_of(o.groups.begin(), o.groups.end(), is_ffdhe);
  std::vector<std::shared_ptr<const Credential>> resolved;
  const auto& creds = candidate_credentials(cfg_, o.sni, resolved);
  std::vector<std::string> reasons;
  for (CipherSuite cs : pol.suites_for(ProtocolVersion::tls12)) {
    const uint16_t v = static_cast<uint16_t>(cs);
    if (std::find(o.ch.cipher_suites.begin(), o.ch.cipher_suites.end(), v) ==
        o.ch.cipher_suites.end())
      continue;
    Choice c;
    c.suite = *cipher_suite_info(v);
    if (c.suite.kx == KeyExchange::ecdhe) {
      // RFC 8422 4: without supported_groups the server may pick any curve.
      if (o.groups.empty()) {
        for (NamedGroup g : pol.groups)
          if (!is_ffdhe(static_cast<uint16_t>(g))) {
            c.group = static_cast<uint16_t>(g);
            break;
          }
      } else if (auto g = choose_group(pol, o.groups, false); g.ok()) {
        c.group = static_cast<uint16_t>(*g);
      }
      if (!c.group) {
        reasons.push_back(std::string(c.suite.iana_name) + ": no common elliptic curve");
        continue;
      }
    } else if (c.suite.kx == KeyExchange::dhe) {
      // RFC 7919 4: a client that lists ffdhe groups gets one of them (or no
      // DHE suite); an older client that lists none gets our preferred one.
      if (client_lists_ffdhe) {
        if (auto g = choose_group(pol, o.groups, true); g.ok()) c.group = static_cast<uint16_t>(*g);
      } else {
        for (NamedGroup g : pol.groups)
          if (is_ffdhe(static_cast<uint16_t>(g))) {
            c.group = static_cast<uint16_t>(g);
            break;
          }
      }
      if (!c.group) {
        reasons.push_back(std::string(c.suite.iana_name) + ": no common ffdhe group");
        continue;
      }
    }
    const bool signs = c.suite.kx != KeyExchange::rsa;
    c.cred = pick_credential(creds, o.sni, [&](const Credential& cr) {
      if (!key_fits_suite(c.suite, cr.key->type())) return false;
      // RSA key transport needs a key that decrypts (not a KeySigner's).
      if (!signs) return cr.key->can_decrypt() && cr.key->bits() >= pol.min_rsa_bits;
      return choose_signature_scheme(pol, schemes, *cr.key, false).ok();
    });
    if (!c.cred) {
      reasons.push_back(std::string(c.suite.iana_name) +
                        (signs ? ": no certificate whose key fits it and can sign with a scheme "
                                 "the client offered"
                               : ": no RSA certificate"));
      continue;
    }
    if (signs) {
      TESSERA_ASSIGN_OR_RETURN(SignatureScheme s,
                               choose_signature_scheme(pol, schemes, *c.cred->key, false));
      c.scheme = s;
    }
    return c;
  }
  std::vector<uint16_t> mine;
  for (CipherSuite cs : pol.suites_for(ProtocolVersion::tls12))
    mine.push_back(static_cast<uint16_t>(cs));
  std::string why;
  for (const auto& r : reasons) why += "; " + r;
  const std::string what = "no usable TLS 1.2 cipher suite: peer offered " +
                           describe_suites(o.ch.cipher_suites) + ", policy allows " +
                           describe_suites(mine) + why;
  // RFC 7919 4: "If the extension is present with FFDHE groups, none of the
  // client's offered groups are acceptable by the server, and none of the
  // client's proposed non-FFDHE cipher suites are acceptable to the server,
  // the server MUST end the connection with a fatal TLS alert of type
  // insufficient_security(71)."
  if (client_lists_ffdhe && !choose_group(pol, o.groups, true).ok())
    return Error(ErrorCode::insufficient_security,
                 what + " (and none of the client's ffdhe groups is acceptable)");
  // RFC 5246 7.4.1.3: no acceptable choices -> handshake_failure.
  return Error(ErrorCode::handshake_failure, what);
}

Result<void> Server12::on_client_hello(const Offer& o, const wire::HandshakeMessage& m) {
  const Policy& pol = cfg_.policy;
  // RFC 5246 7.4.1.2: the list MUST include the null compression method;
  // we never choose any other.
  if (std::find(o.ch.legacy_compression_methods.begin(), o.ch.legacy_compression_methods.end(),
                0) == o.ch.legacy_compression_methods.end())
    return Error(ErrorCode::illegal_parameter, "ClientHello does not offer null compression");
  // RFC 5746 3.6: on an initial handshake renegotiation_info must be empty.
  if (o.renegotiation_info && !o.renegotiation_info->empty())
    return Error(ErrorCode::handshake_failure,
                 "ClientHello renegotiation_info is not empty on an initial handshake");
  // RFC 7627 5.3: a server that requires the extended master secret aborts
  // with handshake_failure when the client does not offer it.
  if (!o.extended_master_secret && pol.require_extended_master_secret)
    return Error(ErrorCode::handshake_failure,
                 "client does not offer the extended master secret (RFC 7627), which policy " +
                     pol.name + " requires");
  ems_ = o.extended_master_secret;
  // RFC 5077 3.1/3.4: a ticket we issued resumes its session (abbreviated
  // handshake) when still valid for this client, suite and name; anything
  // else falls back to a full handshake. A session id is needed to signal it.
  // Without a ticket, RFC 5246 7.4.1.2: the session ID may name a session
  // we cached.
  if (cfg_.tickets > 0 && !o.ch.legacy_session_id.empty()) {
    // A server that issues no TLS 1.2 tickets takes none (another server's
    // sharing its keys) either.
    const bool by_ticket = cfg_.tls12_tickets && o.session_ticket && !o.session_ticket->empty();
    auto st = by_ticket ? redeem_ticket(provider(), cfg_, *o.session_ticket, p_.now_unix)
                        : find_session(provider(), cfg_, o.ch.legacy_session_id, p_.now_unix);
    // A cached session not used after all goes back (give_back_session).
    auto not_used = [&] {
      if (by_ticket)
        give_back_ticket(provider(), cfg_, *o.session_ticket, *st, p_.now_unix);
      else
        give_back_session(provider(), cfg_, o.ch.legacy_session_id, *st, p_.now_unix);
    };
    if (st && (st->version != 0x0303 || st->psk.size() != crypto::kTls12MasterSecretSize)) {
      not_used();
      if (tracing()) trace("   the client's session is not a TLS 1.2 session; full handshake");
    } else if (st) {
      // RFC 7627 5.3: a session with the extended master secret may not be
      // resumed by a ClientHello without it.
      if (st->extended_master_secret && !o.extended_master_secret) {
        not_used();
        return Error(ErrorCode::handshake_failure,
                     "ClientHello resumes an extended-master-secret session without the extension");
      }
      auto why = not_resumable(o, *st);
      if (!why) return resume(o, m, std::move(*st), !by_ticket);
      not_used();
      if (tracing())
        trace(std::string("   the client's ") + (by_ticket ? "session ticket" : "session ID") +
              " is not resumed: " + *why + "; full handshake");
    } else if (tracing()) {
      trace(std::string("   the client's ") +
            (by_ticket ? "session ticket is not one we can open (another server's, or its key "
                         "has retired)"
                       : "session ID names no session we hold") +
            "; full handshake");
    }
  }
  TESSERA_ASSIGN_OR_RETURN(choice_, choose(o));
  TESSERA_ASSIGN_OR_RETURN(auto alpn, choose_alpn(cfg_.alpn, o.alpn));
  std::copy(o.ch.random.begin(), o.ch.random.end(), client_random_.begin());
  client_version_ = o.ch.legacy_version;
  const CipherSuiteInfo& suite = choice_.suite;
  origin_ = origin_of(provider(), nullptr, p_.now_unix);  // a new session

  // Transcript: RFC 5246 7.4.8 needs the messages themselves to check a
  // client CertificateVerify.
  const bool want_client_cert = cfg_.client_auth != ClientAuth::none;
  if (want_client_cert) transcript_.retain_messages();
  TESSERA_TRY(transcript_.select_hash(provider(), suite.hash));
  transcript_.add(m.raw);

  // ServerHello.
  wire::ServerHello sh;
  provider().public_random(sh.random);
  // RFC 8446 4.1.3: a server able to speak TLS 1.3 that negotiates TLS 1.2
  // ends its random with "DOWNGRD\x01", so a TLS 1.3 client can detect a
  // downgrade.
  const bool sentinel = pol.allows_version(ProtocolVersion::tls13);
  if (sentinel) wire::set_downgrade_sentinel(sh.random, wire::DowngradeSentinel::tls12);
  server_random_ = sh.random;
  sh.cipher_suite = static_cast<uint16_t>(suite.suite);
  // RFC 5077 3.2: an empty session_ticket promises a NewSessionTicket.
  // Only sessions with the extended master secret are resumable (RFC 7627
  // 5.3 lets a server refuse the others; without it a resumed session is
  // open to the triple handshake attack): no ticket and no ID otherwise.
  const bool resumable_session = cfg_.tickets > 0 && ems_;
  ticket_promised_ = o.session_ticket.has_value() && resumable_session && cfg_.tls12_tickets;
  // RFC 5246 7.4.1.3: a client without tickets gets a session ID naming the
  // cached session; an empty one means it will not be resumed.
  if (!ticket_promised_ && resumable_session) session_id_ = new_session_id(provider());
  sh.legacy_session_id_echo = session_id_;
  if (o.secure_renegotiation())
    sh.extensions.push_back(
        wire::make_extension(wire::kExtRenegotiationInfo, wire::RenegotiationInfo{}));
  if (ems_) sh.extensions.push_back(wire::make_empty_extension(wire::kExtExtendedMasterSecret));
  if (suite.kx == KeyExchange::ecdhe && o.ec_point_formats)
    sh.extensions.push_back(wire::make_extension(wire::kExtEcPointFormats, wire::EcPointFormats{}));
  if (alpn)
    sh.extensions.push_back(wire::make_extension(wire::kExtAlpn, wire::ProtocolNameList{{*alpn}}));
  if (!o.sni.empty()) sh.extensions.push_back(wire::make_empty_extension(wire::kExtServerName));
  if (ticket_promised_)
    sh.extensions.push_back(
        wire::make_extension(wire::kExtSessionTicket, wire::SessionTicketExtension{}));
  // RFC 6066 8: a server that will send a CertificateStatus includes an
  // empty status_request in its ServerHello; we do when the client asked
  // and we have a current response.
  const std::span<const uint8_t> staple =
      o.status_request_ocsp ? choice_.cred->ocsp_staple(p_.now_unix) : std::span<const uint8_t>();
  if (!staple.empty()) sh.extensions.push_back(wire::make_empty_extension(wire::kExtStatusRequest));
  TESSERA_TRY(answer_record_size_limit(o, sh.extensions));
  TESSERA_ASSIGN_OR_RETURN(Bytes shmsg, wire::encode_handshake(sh));
  transcript_.add(shmsg);
  p_.channel->send_handshake(shmsg);
  p_.channel->set_negotiated_version(ProtocolVersion::tls12);
  summary_.version = ProtocolVersion::tls12;
  summary_.cipher_suite = static_cast<uint16_t>(suite.suite);
  summary_.group = choice_.group;
  summary_.server_name = o.sni;
  summary_.extended_master_secret = ems_;
  if (choice_.scheme) summary_.signature_scheme = static_cast<uint16_t>(*choice_.scheme);
  if (alpn) summary_.alpn = *alpn;
  if (tracing())
    trace("-> ServerHello: chose TLS 1.2, " + std::string(suite.iana_name) + " (" +
          kx_name(suite.kx) + " key exchange); extended master secret " + (ems_ ? "yes" : "NO") +
          (sentinel ? "; random ends with the TLS 1.3 downgrade sentinel" : "") +
          record_size_limit_note(summary_.peer_record_size_limit,
                                 advertised_record_size_limit(cfg_.policy, false)) +
          "; random " + hex_short(sh.random));

  // Certificate.
  wire::Certificate12 cert;
  for (const auto& der : choice_.cred->chain)
    cert.certificate_list.emplace_back(der.begin(), der.end());
  TESSERA_ASSIGN_OR_RETURN(Bytes certmsg, wire::encode_handshake(cert));
  transcript_.add(certmsg);
  p_.channel->send_handshake(certmsg);
  if (tracing())
    trace("-> Certificate: " + leaf_subject(choice_.cred->chain) + " (" +
          std::to_string(choice_.cred->chain.size()) + " certificate(s))");

  // CertificateStatus (RFC 6066 8): "immediately after the Certificate
  // message (and before any ServerKeyExchange or CertificateRequest".
  if (!staple.empty()) {
    wire::CertificateStatus status;
    status.ocsp_response.assign(staple.begin(), staple.end());
    TESSERA_ASSIGN_OR_RETURN(Bytes statusmsg, wire::encode_handshake(status));
    transcript_.add(statusmsg);
    p_.channel->send_handshake(statusmsg);
    summary_.ocsp_stapled = true;
    if (tracing())
      trace("-> CertificateStatus: our OCSP response (" + std::to_string(staple.size()) +
            " bytes)");
  }

  // ServerKeyExchange (RFC 5246 7.4.3, RFC 8422 5.4): our ephemeral public
  // value, signed together with both randoms.
  if (suite.kx != KeyExchange::rsa) {
    TESSERA_ASSIGN_OR_RETURN(share_,
                             provider().generate_key_share(static_cast<NamedGroup>(choice_.group)));
    ByteView pub = share_->public_value();
    const SignatureScheme scheme = *choice_.scheme;
    Bytes content;  // what the signature covers: both randoms and the parameters
    std::string what;
    std::variant<wire::ServerKeyExchangeEcdhe, wire::ServerKeyExchangeDhe> ske;
    if (suite.kx == KeyExchange::ecdhe) {
      wire::ServerKeyExchangeEcdhe e;
      e.params.named_group = choice_.group;
      e.params.public_key.assign(pub.begin(), pub.end());
      e.signature.scheme = static_cast<uint16_t>(scheme);
      content = e.signed_data(client_random_, server_random_);
      ske = std::move(e);
      what = group_name(choice_.group) + " public value";
    } else {
      wire::ServerKeyExchangeDhe d;
      d.params.p = crypto::ffdhe_prime(static_cast<NamedGroup>(choice_.group));
      d.params.g = {2};
      d.params.ys.assign(pub.begin(), pub.end());
      dh_p_size_ = d.params.p.size();
      d.signature.scheme = static_cast<uint16_t>(scheme);
      content = d.signed_data(client_random_, server_random_);
      ske = std::move(d);
      what = group_name(choice_.group) + " parameters (p: " + std::to_string(dh_p_size_ * 8) +
             " bits, g = 2) and public value";
    }
    // The rest of the flight waits for the signature (an asynchronous
    // KeySigner's may come later: Signing).
    return signing_.sign_then(
        *p_.channel, choice_.cred->key, scheme, content,
        [this, ske = std::move(ske), what = std::move(what), scheme,
         want_client_cert](Bytes sig) mutable -> Result<void> {
          auto encode = [&sig](auto& msg) {
            msg.signature.signature = std::move(sig);
            return wire::encode_handshake(msg);
          };
          TESSERA_ASSIGN_OR_RETURN(Bytes skemsg, std::visit(encode, ske));
          transcript_.add(skemsg);
          p_.channel->send_handshake(skemsg);
          if (tracing())
            trace("-> ServerKeyExchange: our ephemeral " + what + ", signed with " +
                  signature_scheme_name(static_cast<uint16_t>(scheme)) + " over both randoms");
          return finish_first_flight(want_client_cert);
        });
  }
  return finish_first_flight(want_client_cert);
}

// finish_first_flight ends our first flight after the ServerKeyExchange:
// CertificateRequest when we want the client's certificate, ServerHelloDone.
Result<void> Server12::finish_first_flight(bool want_client_cert) {
  const Policy& pol = cfg_.policy;
  // CertificateRequest (RFC 5246 7.4.4).
  if (want_client_cert) {
    wire::CertificateRequest12 cr;
    cr.certificate_types = {wire::kClientCertTypeEcdsaSign, wire::kClientCertTypeRsaSign};
    requested_schemes_.clear();
    for (SignatureScheme s : pol.signature_schemes)
      if (scheme_allowed_tls12(static_cast<uint16_t>(s)))
        requested_schemes_.push_back(static_cast<uint16_t>(s));
    cr.supported_signature_algorithms = requested_schemes_;
    if (cfg_.client_trust)
      for (const auto& a : cfg_.client_trust->anchors()) {
        ByteView n = a->subject().der();
        cr.certificate_authorities.emplace_back(n.begin(), n.end());
      }
    TESSERA_ASSIGN_OR_RETURN(Bytes crmsg, wire::encode_handshake(cr));
    transcript_.add(crmsg);
    p_.channel->send_handshake(crmsg);
    if (tracing())
      trace(std::string("-> CertificateRequest: client certificate ") +
            (cfg_.client_auth == ClientAuth::required ? "required" : "optional") + "; " +
            std::to_string(cr.certificate_authorities.size()) + " acceptable CA name(s)");
  }

  TESSERA_ASSIGN_OR_RETURN(Bytes donemsg, wire::encode_handshake(wire::ServerHelloDone{}));
  transcript_.add(donemsg);
  p_.channel->send_handshake(donemsg);
  if (tracing()) trace("-> ServerHelloDone: our first flight is complete");
  if (want_client_cert)
    state_ = ExpectClientCertificate{};
  else
    state_ = ExpectClientKeyExchange{};
  return ok();
}

Result<void> Server12::on_message(const wire::HandshakeMessage& m) {
  if (std::holds_alternative<ExpectClientCertificate>(state_)) {
    if (m.type != HandshakeType::certificate) return unexpected(expecting(), m.type);
    return on_client_certificate(m);
  }
  if (auto* s = std::get_if<ExpectClientKeyExchange>(&state_)) {
    if (m.type != HandshakeType::client_key_exchange) return unexpected(expecting(), m.type);
    return on_client_key_exchange(m, *s);
  }
  if (auto* s = std::get_if<ExpectCertificateVerify>(&state_)) {
    if (m.type != HandshakeType::certificate_verify) return unexpected(expecting(), m.type);
    return on_certificate_verify(m, *s);
  }
  if (auto* s = std::get_if<ExpectFinished>(&state_)) {
    if (m.type != HandshakeType::finished) return unexpected(expecting(), m.type);
    return on_finished(m, *s);
  }
  if (std::holds_alternative<Connected>(state_) && m.type == HandshakeType::client_hello) {
    // RFC 5246 7.2.2 / RFC 5746: tessera never renegotiates; a
    // renegotiating ClientHello is answered with a no_renegotiation warning
    // (and a client that keeps trying is cut off: no_renegotiation "is
    // always a warning", so the fatal alert is unexpected_message).
    if (++renegotiation_attempts_ > cfg_.policy.limits.max_warning_alerts)
      return Error(ErrorCode::too_many_messages, AlertDescription::unexpected_message,
                   "client keeps trying to renegotiate");
    p_.channel->send_warning_alert(AlertDescription::no_renegotiation);
    if (tracing()) trace("<- ClientHello (renegotiation): refused with a no_renegotiation warning");
    return ok();
  }
  return unexpected(expecting(), m.type);
}

Result<void> Server12::on_client_certificate(const wire::HandshakeMessage& m) {
  TESSERA_ASSIGN_OR_RETURN(auto cert, wire::Certificate12::parse(m.body));
  transcript_.add(m.raw);
  if (cert.certificate_list.empty()) {
    // RFC 5246 7.4.6: a server that requires client authentication may
    // answer an empty Certificate with a fatal handshake_failure.
    if (cfg_.client_auth == ClientAuth::required)
      return Error(ErrorCode::certificate_required, AlertDescription::handshake_failure,
                   "client did not send a certificate");
    if (tracing()) trace("<- Certificate: client sent none (optional)");
    state_ = ExpectClientKeyExchange{};
    return ok();
  }
  VerifyRequest vr;
  vr.purpose_server = false;
  vr.verify = true;
  vr.trust = cfg_.client_trust.get();
  vr.crls = cfg_.client_crls.get();
  vr.crl_check = cfg_.client_crl_check;
  vr.now_unix = p_.now_unix;
  vr.limits = &cfg_.policy.limits;
  vr.min_rsa_bits = cfg_.policy.min_rsa_bits;
  vr.describe = tracing();
  vr.identity = static_cast<bool>(cfg_.peer_check);
  TESSERA_ASSIGN_OR_RETURN(PeerChain pc,
                           verify_peer_chain(provider(), std::move(cert.certificate_list), vr));
  summary_.peer_subject = pc.subject;
  summary_.peer_verified_by = pc.anchor_subject;
  summary_.peer_chain = pc.chain;
  origin_ = origin_of(provider(), &pc, p_.now_unix);
  if (tracing()) trace("<- Certificate (client): " + pc.description);
  state_ = ExpectClientKeyExchange{std::move(pc)};
  return ok();
}

Result<void> Server12::on_client_key_exchange(const wire::HandshakeMessage& m,
                                              ExpectClientKeyExchange& st) {
  const CipherSuiteInfo& suite = choice_.suite;
  SecretBytes premaster;
  std::string kx_trace;
  if (suite.kx == KeyExchange::rsa) {
    TESSERA_ASSIGN_OR_RETURN(auto cke, wire::ClientKeyExchangeRsa::parse(m.body));
    // RFC 5246 7.4.7.1 (Bleichenbacher / ROBOT): draw the random fallback
    // first, then decrypt with implicit rejection. A bad padding, length or
    // version yields the fallback without any observable difference; the
    // handshake then fails at the client's Finished with decrypt_error, the
    // same as for a well-formed but wrong premaster.
    SecretBytes fallback(crypto::kTls12MasterSecretSize);
    provider().random(fallback.mutable_view());
    TESSERA_ASSIGN_OR_RETURN(
        premaster, choice_.cred->key->rsa_decrypt_premaster(cke.encrypted_pre_master_secret,
                                                            client_version_, fallback));
    kx_trace = "<- ClientKeyExchange: " + std::to_string(cke.encrypted_pre_master_secret.size()) +
               "-byte RSA-encrypted premaster secret, decrypted with our private key "
               "(implicit rejection: a malformed one would silently become random)";
  } else if (suite.kx == KeyExchange::ecdhe) {
    TESSERA_ASSIGN_OR_RETURN(auto cke, wire::ClientKeyExchangeEcdhe::parse(m.body));
    // RFC 8422 5.10: the premaster secret is the shared x-coordinate; an
    // invalid point -> illegal_parameter (provider validation).
    TESSERA_ASSIGN_OR_RETURN(premaster, share_->decapsulate(cke.public_key));
    kx_trace = "<- ClientKeyExchange: the client's ephemeral " + group_name(choice_.group) +
               " public value; shared secret computed (" + std::to_string(premaster.size()) +
               " bytes)";
  } else {
    TESSERA_ASSIGN_OR_RETURN(auto cke, wire::ClientKeyExchangeDhe::parse(m.body));
    TESSERA_ASSIGN_OR_RETURN(Bytes yc, dh_value_padded(cke.yc, dh_p_size_));
    // RFC 7919 4 and 5.1: 1 < Yc < p-1 (checked by the provider), else
    // handshake_failure; RFC 5246 8.1.2: leading zero bytes of Z are stripped.
    TESSERA_ASSIGN_OR_RETURN(SecretBytes z, dhe_shared_secret(*share_, yc));
    premaster = strip_leading_zeros(std::move(z));
    kx_trace = "<- ClientKeyExchange: the client's ephemeral " + group_name(choice_.group) +
               " public value; shared secret computed (" + std::to_string(premaster.size()) +
               " bytes)";
  }
  share_.reset();
  transcript_.add(m.raw);
  if (tracing()) trace(kx_trace);
  // RFC 7627 3: session_hash covers the messages through ClientKeyExchange.
  TESSERA_ASSIGN_OR_RETURN(Bytes session_hash, transcript_.current_hash());
  TESSERA_ASSIGN_OR_RETURN(
      Tls12Secrets secrets,
      derive_tls12_secrets(provider(), suite, premaster.view(), ems_, session_hash, client_random_,
                           server_random_, cfg_.keylog));
  if (tracing())
    trace(std::string("   master secret = PRF(premaster, \"") +
          (ems_ ? "extended master secret\", session hash" : "master secret\", randoms") +
          "); key block -> " + std::string(aead_name(suite.aead)) + " keys for both directions");
  if (st.client_chain)
    state_ = ExpectCertificateVerify{std::move(secrets), std::move(*st.client_chain)};
  else
    state_ = ExpectChangeCipherSpec{std::move(secrets)};
  return ok();
}

Result<void> Server12::on_certificate_verify(const wire::HandshakeMessage& m,
                                             ExpectCertificateVerify& st) {
  TESSERA_ASSIGN_OR_RETURN(auto cv, wire::CertificateVerify::parse(m.body));
  // RFC 5246 7.4.8: the algorithm MUST be one of those in our
  // CertificateRequest; the signature covers all handshake messages so far.
  if (std::find(requested_schemes_.begin(), requested_schemes_.end(), cv.signed_data.scheme) ==
      requested_schemes_.end())
    return Error(ErrorCode::illegal_parameter, "client CertificateVerify uses " +
                                                   signature_scheme_name(cv.signed_data.scheme) +
                                                   ", which our CertificateRequest did not list");
  TESSERA_TRY(verify_with_leaf(provider(), st.chain,
                               static_cast<SignatureScheme>(cv.signed_data.scheme),
                               transcript_.retained_messages(), cv.signed_data.signature,
                               /*tls13=*/false));
  transcript_.add(m.raw);
  summary_.client_signature_scheme = cv.signed_data.scheme;
  summary_.client_authenticated = true;
  if (tracing())
    trace("<- CertificateVerify (client): " + signature_scheme_name(cv.signed_data.scheme) +
          " signature over the handshake messages verified with the client's key");
  // The client has proven its certificate's identity: the application's
  // access control (ServerConfig::peer_check) decides whether we go on,
  // before our Finished.
  TESSERA_ASSIGN_OR_RETURN(CheckedPeer checked,
                           check_verified_peer(provider(), cfg_.peer_check, st.chain,
                                               /*peer_is_server=*/false, ProtocolVersion::tls12,
                                               summary_.server_name, tracing()));
  if (checked.kept) {
    client_kept_ = std::move(checked.kept);
    if (tracing()) trace("   peer check: client " + checked.description + " allowed");
  }
  state_ = ExpectChangeCipherSpec{std::move(st.secrets)};
  return ok();
}

Result<void> Server12::on_change_cipher_spec() {
  auto* st = std::get_if<ExpectChangeCipherSpec>(&state_);
  // RFC 5246 7.1: a ChangeCipherSpec anywhere else -> unexpected_message.
  if (!st) return Handshake::on_change_cipher_spec();
  const auto& b = st->secrets.block;
  TESSERA_TRY(p_.channel->set_read_keys_tls12(choice_.suite, b.client_write_key.view(),
                                              b.client_write_iv.view()));
  if (tracing()) trace("<- ChangeCipherSpec: the client's records are encrypted from now on");
  state_ = ExpectFinished{std::move(st->secrets)};
  return ok();
}

Result<void> Server12::on_finished(const wire::HandshakeMessage& m, ExpectFinished& st) {
  const CipherSuiteInfo& suite = choice_.suite;
  TESSERA_ASSIGN_OR_RETURN(Bytes h, transcript_.current_hash());
  // RFC 5246 7.4.9: a Finished that does not verify -> decrypt_error.
  TESSERA_TRY(crypto::tls12_verify_finished(provider(), suite.hash, st.secrets.master.view(),
                                            crypto::Tls12Sender::client, h, m.body));
  transcript_.add(m.raw);
  if (resumed_) {
    if (tracing()) trace("<- Finished: client Finished verified; resumed handshake complete");
    state_ = Connected{std::move(st.secrets)};
    p_.channel->event(Event::handshake_done);
    return ok();
  }
  if (tracing()) trace("<- Finished: client Finished verified");
  if (ticket_promised_) TESSERA_TRY(send_session_ticket(st.secrets));
  if (!session_id_.empty()) {
    // A session that cannot be stored is not resumable; the connection goes on.
    auto stored =
        store_session(provider(), cfg_, session_id_, session_state(st.secrets), p_.now_unix);
    if (tracing())
      trace(stored.ok() ? "   session cached under the session ID we sent (RFC 5246 7.4.1.3), "
                          "sealed under our ticket key"
                        : "   session not cached: " + stored.error().message());
  }
  TESSERA_TRY(send_change_cipher_spec_and_finished(provider(), *p_.channel, transcript_, suite,
                                                   st.secrets, crypto::Tls12Sender::server));
  state_ = Connected{std::move(st.secrets)};
  p_.channel->event(Event::handshake_done);
  return ok();
}

// not_resumable says why a session from a ticket or the session cache may not
// be resumed by this ClientHello (nullopt: it may): both need the extended
// master secret (RFC 7627 5.3), its suite offered and allowed, the same SNI,
// within its lifetime, and its client authentication must hold here and now
// (resumption_refused).
std::optional<std::string> Server12::not_resumable(const Offer& o, const TicketState& st) const {
  const auto& cs = o.ch.cipher_suites;
  if (!st.extended_master_secret || !o.extended_master_secret)
    return "it was made without the extended master secret (RFC 7627)";
  if (std::find(cs.begin(), cs.end(), st.cipher_suite) == cs.end() ||
      !cfg_.policy.allows_suite(st.cipher_suite))
    return "its suite " + cipher_suite_name(st.cipher_suite) +
           " is not offered now or not allowed by policy " + cfg_.policy.name;
  if (st.sni != o.sni) return "it was made for another server name";
  if (!ticket_current(st, p_.now_unix * 1000)) return "it has expired";
  return resumption_refused(*p_.provider, cfg_, st, ProtocolVersion::tls12, o.sni, p_.now_unix);
}

// session_state is what a ticket or a session ID keeps of this session.
TicketState Server12::session_state(const Tls12Secrets& secrets) const {
  TicketState ts = ticket_state_for(summary_, origin_, cfg_.ticket_lifetime_s, p_.now_unix);
  if (client_kept_) ts.client_kept = *client_kept_;
  ts.version = 0x0303;
  ts.extended_master_secret = ems_;
  ts.psk = secrets.master.copy();
  return ts;
}

// RFC 5077 3.3: NewSessionTicket carries our sealed session state (the
// master secret, suite, EMS, identities); sent before our ChangeCipherSpec.
// A session that may not be resumed any more (session_ticket_lifetime 0)
// gets the empty ticket 3.3 provides for a server that changed its mind.
Result<void> Server12::send_session_ticket(const Tls12Secrets& secrets) {
  TicketState ts = session_state(secrets);
  wire::NewSessionTicket12 nst;
  nst.ticket_lifetime_hint = ts.lifetime_s;
  std::string not_issued;
  if (ts.lifetime_s > 0) {
    auto ticket = issue_ticket(provider(), cfg_, ts, p_.now_unix);
    if (ticket.ok())
      nst.ticket = std::move(*ticket);
    else
      not_issued = ticket.error().message();  // the empty ticket, and the connection goes on
  }
  TESSERA_ASSIGN_OR_RETURN(Bytes msg, wire::encode_handshake(nst));
  transcript_.add(msg);
  p_.channel->send_handshake(msg);
  if (tracing())
    trace(!not_issued.empty() ? "-> NewSessionTicket: empty (" + not_issued + ")"
          : nst.ticket.empty()
              ? "-> NewSessionTicket: empty (the session may not be resumed any more: 7 days "
                "since its full handshake, or its client certificate expires)"
              : "-> NewSessionTicket: the session's state sealed under our ticket key (RFC 5077)");
  return ok();
}

// answer_record_size_limit answers the client's RFC 8449 record_size_limit
// (in the ServerHello, TLS 1.2) with ours, and applies both: they bind
// every protected record of the connection, all of which come after the
// ServerHello.
Result<void> Server12::answer_record_size_limit(const Offer& o, wire::Extensions& extensions) {
  if (!o.record_size_limit) return ok();
  const uint16_t own = advertised_record_size_limit(cfg_.policy, false);
  extensions.push_back(wire::make_extension(wire::kExtRecordSizeLimit, wire::RecordSizeLimit{own}));
  summary_.peer_record_size_limit = std::min(*o.record_size_limit, wire::kMaxRecordSizeLimit12);
  p_.channel->limit_sent_records(record_content_limit(*o.record_size_limit, false));
  return p_.channel->limit_received_records(record_content_limit(own, false));
}

// The abbreviated handshake (RFC 5246 7.3, RFC 5077 3.1): ServerHello echoing
// the client's session id, a new ticket (to clients that take tickets),
// ChangeCipherSpec and Finished; the keys come from the session's master
// secret and the new randoms. A session resumed by ID stays cached under it.
Result<void> Server12::resume(const Offer& o, const wire::HandshakeMessage& m, TicketState st,
                              bool by_id) {
  const Policy& pol = cfg_.policy;
  resumed_ = true;
  choice_.suite = *cipher_suite_info(st.cipher_suite);
  ems_ = st.extended_master_secret;
  TESSERA_ASSIGN_OR_RETURN(auto alpn, choose_alpn(cfg_.alpn, o.alpn));
  std::copy(o.ch.random.begin(), o.ch.random.end(), client_random_.begin());
  client_version_ = o.ch.legacy_version;
  const CipherSuiteInfo& suite = choice_.suite;
  TESSERA_TRY(transcript_.select_hash(provider(), suite.hash));
  transcript_.add(m.raw);
  wire::ServerHello sh;
  provider().public_random(sh.random);
  if (pol.allows_version(ProtocolVersion::tls13))
    wire::set_downgrade_sentinel(sh.random, wire::DowngradeSentinel::tls12);
  server_random_ = sh.random;
  sh.legacy_session_id_echo = o.ch.legacy_session_id;
  sh.cipher_suite = st.cipher_suite;
  if (o.secure_renegotiation())
    sh.extensions.push_back(
        wire::make_extension(wire::kExtRenegotiationInfo, wire::RenegotiationInfo{}));
  if (ems_) sh.extensions.push_back(wire::make_empty_extension(wire::kExtExtendedMasterSecret));
  ticket_promised_ = o.session_ticket.has_value() && cfg_.tls12_tickets;
  if (ticket_promised_)
    sh.extensions.push_back(
        wire::make_extension(wire::kExtSessionTicket, wire::SessionTicketExtension{}));
  if (alpn)
    sh.extensions.push_back(wire::make_extension(wire::kExtAlpn, wire::ProtocolNameList{{*alpn}}));
  TESSERA_TRY(answer_record_size_limit(o, sh.extensions));
  TESSERA_ASSIGN_OR_RETURN(Bytes shmsg, wire::encode_handshake(sh));
  transcript_.add(shmsg);
  p_.channel->send_handshake(shmsg);
  p_.channel->set_negotiated_version(ProtocolVersion::tls12);
  summary_.version = ProtocolVersion::tls12;
  summary_.cipher_suite = st.cipher_suite;
  summary_.server_name = o.sni;
  summary_.extended_master_secret = ems_;
  summary_.resumed = true;
  summary_.peer_subject = st.client_subject;
  summary_.client_authenticated = !st.client_subject.empty();
  origin_ = st.origin;
  // A copy: a session resumed by ID is stored again below, identity and all.
  if (!st.client_kept.spki_sha256.empty())
    client_kept_ = std::make_unique<KeptIdentity>(st.client_kept);
  if (alpn) summary_.alpn = *alpn;
  if (tracing())
    trace(std::string("-> ServerHello: resuming the client's TLS 1.2 session from its ") +
          (by_id ? "session ID" : "ticket") + " (" + std::string(suite.iana_name) +
          "); no certificates, no key exchange" +
          record_size_limit_note(summary_.peer_record_size_limit,
                                 advertised_record_size_limit(cfg_.policy, false)));
  TESSERA_ASSIGN_OR_RETURN(Tls12Secrets secrets,
                           resume_tls12_secrets(provider(), suite, st.psk.view(), client_random_,
                                                server_random_, cfg_.keylog));
  if (by_id) TESSERA_TRY(store_session(provider(), cfg_, o.ch.legacy_session_id, st, p_.now_unix));
  if (ticket_promised_) TESSERA_TRY(send_session_ticket(secrets));
  TESSERA_TRY(send_change_cipher_spec_and_finished(provider(), *p_.channel, transcript_, suite,
                                                   secrets, crypto::Tls12Sender::server));
  state_ = ExpectChangeCipherSpec{std::move(secrets)};
  return ok();
}

}  // namespace

Result<std::unique_ptr<Handshake>> make_server12(ServerParams p, const Offer& offer,
                                                 const wire::HandshakeMessage& m) {
  auto s = std::make_unique<Server12>(std::move(p));
  TESSERA_TRY(s->on_client_hello(offer, m));
  return std::unique_ptr<Handshake>(std::move(s));
}

}  // namespace tessera::handshake
