// The TLS 1.3 server (RFC 8446 2, 4).
//
//   ExpectClientHello --(no usable key share)--> HelloRetryRequest sent
//     -> ExpectClientHello (retried; the cookie carries the transcript)
//   -> ServerHello, {EncryptedExtensions, [CertificateRequest], Certificate,
//      CertificateVerify, Finished} sent (resumed: no certificate messages)
//   -> [ExpectEndOfEarlyData (0-RTT accepted; early data read meanwhile)]
//   -> [ExpectClientCertificate -> ExpectClientCertificateVerify]
//   -> ExpectClientFinished -> Connected
#include <algorithm>
#include <bitset>
#include <variant>

#include "base/ct.h"
#include "base/hex.h"
#include "crypto/key_schedule.h"
#include "crypto/transcript.h"
#include "handshake/common.h"
#include "handshake/ech.h"
#include "handshake/handshake.h"
#include "handshake/messages13.h"
#include "handshake/negotiation.h"
#include "handshake/offer.h"
#include "handshake/peer_verify.h"
#include "handshake/tickets.h"
#include "handshake/traffic13.h"
#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/empty_messages.h"
#include "wire/encrypted_extensions.h"
#include "wire/extension_rules.h"
#include "wire/extensions.h"
#include "wire/hello.h"
#include "wire/post_handshake.h"
#include "x509/identity.h"
#include "x509/trust_store.h"

namespace tessera::handshake {

namespace {

using wire::HandshakeType;

// RFC 8446 4.2.10: how much refused early data we skip when our own
// max_early_data is smaller (the usual max_early_data_size of servers).
constexpr size_t kEarlyDataSkipBudget = 16384;

bool offers_psk_mode(const Offer& o, PskMode m) {
  return std::find(o.psk_modes.begin(), o.psk_modes.end(), static_cast<uint8_t>(m)) !=
         o.psk_modes.end();
}

struct ExpectClientHello {
  static constexpr const char* kExpecting = "ClientHello";
  bool retried = false;
  uint16_t hrr_suite = 0;
  uint16_t hrr_group = 0;
  Bytes session_id;  // the first ClientHello's, which the second must repeat
};

struct Secrets {
  std::optional<crypto::MasterSecret> master;
  SecretBytes client_hs;
  SecretBytes client_ap;
  SecretBytes server_ap;
  SecretBytes exporter;
};

struct ExpectEndOfEarlyData {
  static constexpr const char* kExpecting = "EndOfEarlyData";
  Secrets s;
};
struct ExpectClientCertificate {
  static constexpr const char* kExpecting = "Certificate";
  Secrets s;
};
struct ExpectClientCertificateVerify {
  static constexpr const char* kExpecting = "CertificateVerify";
  Secrets s;
  PeerChain chain;
};
struct ExpectClientFinished {
  static constexpr const char* kExpecting = "Finished";
  Secrets s;
};
// What the end of our first flight needs (Server13::finish_flight), kept
// while an asynchronous KeySigner signs our CertificateVerify.
struct FlightEnd {
  HandshakeTrafficSecrets keys;
  std::optional<SecretBytes> early_secret;  // set: 0-RTT data accepted
  uint32_t early_max = 0;
  uint16_t early_record_limit = 0;  // RFC 8449: of the ticket's handshake
  bool skip_early_data = false;     // the client sent 0-RTT data we refused
  bool want_client_cert = false;
};

struct Connected {
  static constexpr const char* kExpecting = "KeyUpdate";
  Traffic13 traffic;
};

// A post-handshake request for the client's certificate (RFC 8446 4.6.2),
// from our CertificateRequest to the client's Finished.
struct PostHandshakeAuth {
  enum class Expect : uint8_t { certificate, certificate_verify, finished };
  Expect expect = Expect::certificate;
  Bytes context;  // our certificate_request_context, which the Certificate echoes
  // The handshake's transcript through the client's Finished, then this
  // exchange's messages (RFC 8446 4.4).
  crypto::Transcript transcript;
  std::optional<PeerChain> chain;  // once a non-empty Certificate verified
  uint16_t compressed_with = 0;
};

// A client Certificate as read: the verified chain, or none (empty).
struct ClientCertificate {
  std::optional<PeerChain> chain;
  uint16_t compressed_with = 0;  // RFC 8879: the algorithm it came compressed with
};

class Server13 final : public Handshake {
 public:
  explicit Server13(ServerParams p) : p_(std::move(p)), cfg_(*p_.config) {}

  Result<void> start() override { return ok(); }
  Result<void> on_message(const wire::HandshakeMessage& m) override;
  // Once TLS 1.2 was chosen everything goes to the TLS 1.2 state machine.
  Result<void> on_change_cipher_spec() override {
    if (tls12_) return tls12_->on_change_cipher_spec();
    return Handshake::on_change_cipher_spec();
  }
  bool ccs_allowed() const override {
    if (tls12_) return tls12_->ccs_allowed();
    return received_client_hello_ && !std::holds_alternative<Connected>(state_);
  }
  bool is_done() const override {
    return tls12_ ? tls12_->is_done() : std::holds_alternative<Connected>(state_);
  }
  Result<void> key_update(bool request_peer) override;
  Result<void> request_client_certificate() override;
  Result<void> on_signature(Result<std::vector<uint8_t>> answer) override {
    if (tls12_) return tls12_->on_signature(std::move(answer));
    return Handshake::on_signature(std::move(answer));
  }
  ClientCertificateRequest client_certificate_request() const override {
    return tls12_ ? tls12_->client_certificate_request() : auth_request_;
  }
  const HandshakeSummary& summary() const override { return tls12_ ? tls12_->summary() : summary_; }
  Result<SecretBytes> export_keying_material(std::string_view label,
                                             std::optional<ByteView> context,
                                             size_t length) const override {
    if (tls12_) return tls12_->export_keying_material(label, context, length);
    const auto* c = std::get_if<Connected>(&state_);
    return Traffic13::export_keying_material(c ? &c->traffic : nullptr, *p_.provider, label,
                                             context, length);
  }
  std::string expecting() const override;

 private:
  Result<void> on_client_hello(const wire::HandshakeMessage& m, ExpectClientHello& st);
  Result<void> process_client_hello(const wire::HandshakeMessage& m, ExpectClientHello& st);
  Result<void> send_hello_retry(const Offer& o, ByteView raw, uint16_t suite, uint16_t group);
  Result<void> finish_flight(FlightEnd f);
  Result<void> set_client_handshake_read_keys(ByteView client_hs);
  Result<void> on_end_of_early_data(const wire::HandshakeMessage& m, ExpectEndOfEarlyData& st);
  Result<void> on_client_certificate(const wire::HandshakeMessage& m, ExpectClientCertificate& st);
  Result<void> on_client_certificate_verify(const wire::HandshakeMessage& m,
                                            ExpectClientCertificateVerify& st);
  Result<void> on_client_finished(const wire::HandshakeMessage& m, ExpectClientFinished& st);
  Result<void> on_post_handshake(const wire::HandshakeMessage& m, Connected& st);
  Result<void> on_post_handshake_auth(const wire::HandshakeMessage& m, Connected& st);
  Result<ClientCertificate> read_client_certificate(const wire::HandshakeMessage& m,
                                                    ByteView context);
  Result<void> verify_client_signature(const wire::HandshakeMessage& m, const PeerChain& chain,
                                       const crypto::Transcript& t);
  Result<CheckedPeer> check_client(const PeerChain& chain);
  void set_client_identity(const PeerChain& chain, uint16_t compressed_with);
  std::vector<Bytes> client_ca_names() const;
  void choose_requested_schemes();
  struct AcceptedPsk {
    uint16_t identity;
    TicketState state;
    crypto::EarlySecret early;
    PskMode mode;
    uint32_t obfuscated_age;
    const ExternalPsk* external = nullptr;  // set: an external PSK, not a ticket
  };
  Result<std::optional<AcceptedPsk>> choose_psk(const Offer& o, ByteView client_hello,
                                                bool have_share);
  void look_up_external_psks(const Offer& o);
  // The external PSK the client's i-th PSK identity names, or null.
  const ExternalPsk* external_psk(size_t i) const {
    return i < offered_external_.size() ? offered_external_[i].get() : nullptr;
  }
  std::string no_certificate_reason(const Offer& o) const;
  const ExternalPsk* offered_external_psk(const Offer& o) const;
  std::string early_data_refusal(const Offer& o, const AcceptedPsk& psk, uint16_t suite,
                                 const std::optional<std::string>& alpn);
  Result<void> send_tickets(ByteView resumption_master_secret);

  void trace(const std::string& s) { p_.channel->trace(s); }
  crypto::Provider& provider() { return *p_.provider; }

  ServerParams p_;
  const ServerConfig& cfg_;
  std::variant<ExpectClientHello, ExpectEndOfEarlyData, ExpectClientCertificate,
               ExpectClientCertificateVerify, ExpectClientFinished, Connected>
      state_;
  crypto::Transcript transcript_;
  wire::Random client_random_{};
  std::optional<CipherSuiteInfo> suite_;
  std::vector<uint16_t> requested_schemes_;  // in our CertificateRequest
  bool received_client_hello_ = false;
  bool sent_ccs_ = false;
  Bytes hrr_cookie_;  // the cookie our HelloRetryRequest carried (the second ClientHello echoes it)
  bool client_psk_usable_ = false;  // the client offers a PSK mode our policy allows
  // The session's origin (this full handshake and the client certificate it
  // verified, or the resumed session's), kept in the tickets we issue.
  SessionOrigin origin_;
  // The external PSKs the ClientHello's PSK identities name (null: none of
  // ours), looked up once per ClientHello; they live as long as the
  // handshake may use them.
  std::vector<std::shared_ptr<const ExternalPsk>> offered_external_;
  // The client identity a peer check saw (verified, or from the ticket),
  // kept in the tickets we issue; null when no check ran.
  std::unique_ptr<KeptIdentity> client_kept_;
  // Post-handshake client authentication (RFC 8446 4.6.2): whether the
  // client offered it, the request in progress, the latest one's state, and
  // how many we made (each context is unique within the connection).
  bool client_offered_pha_ = false;
  std::unique_ptr<PostHandshakeAuth> pending_auth_;
  ClientCertificateRequest auth_request_ = ClientCertificateRequest::none;
  uint32_t auth_requests_ = 0;
  HandshakeSummary summary_;
  // Encrypted Client Hello (ServerConfig::ech_keys): set when we have keys.
  std::unique_ptr<EchServer> ech_;
  std::unique_ptr<Handshake> tls12_;  // set when TLS 1.2 was negotiated
};

std::string Server13::expecting() const {
  if (tls12_) return tls12_->expecting();
  return expecting_name(state_);
}

Result<void> Server13::on_message(const wire::HandshakeMessage& m) {
  if (tls12_) return tls12_->on_message(m);
  if (auto* s = std::get_if<ExpectClientHello>(&state_)) {
    if (m.type != HandshakeType::client_hello) return unexpected(expecting(), m.type);
    return on_client_hello(m, *s);
  }
  if (auto* s = std::get_if<ExpectEndOfEarlyData>(&state_)) {
    if (m.type != HandshakeType::end_of_early_data) return unexpected(expecting(), m.type);
    return on_end_of_early_data(m, *s);
  }
  if (auto* s = std::get_if<ExpectClientCertificate>(&state_)) {
    // RFC 8879 4: a CompressedCertificate replaces the Certificate when our
    // CertificateRequest offered compression (it does whenever the policy
    // lists an algorithm).
    const bool offered = !cfg_.policy.cert_compression.empty();
    if (m.type != HandshakeType::certificate &&
        !(m.type == HandshakeType::compressed_certificate && offered))
      return unexpected(expecting(), m.type);
    return on_client_certificate(m, *s);
  }
  if (auto* s = std::get_if<ExpectClientCertificateVerify>(&state_)) {
    if (m.type != HandshakeType::certificate_verify) return unexpected(expecting(), m.type);
    return on_client_certificate_verify(m, *s);
  }
  if (auto* s = std::get_if<ExpectClientFinished>(&state_)) {
    if (m.type != HandshakeType::finished) return unexpected(expecting(), m.type);
    return on_client_finished(m, *s);
  }
  return on_post_handshake(m, std::get<Connected>(state_));
}

// on_client_hello opens an Encrypted Client Hello first (draft-ietf-tls-esni
// 7.1): "the client-facing server determines if it will accept ECH, prior to
// negotiating any other TLS parameters". An inner ClientHello we open is
// then handled as the ClientHello; one we cannot open leaves the outer one.
// After our HelloRetryRequest, the second ClientHello is opened with the
// first one's HPKE context if we accepted, and taken as it is if not (7.1.1).
Result<void> Server13::on_client_hello(const wire::HandshakeMessage& m, ExpectClientHello& st) {
  received_client_hello_ = true;
  if (cfg_.ech_keys.empty()) return process_client_hello(m, st);
  std::optional<EchOpened> opened;
  if (!st.retried) {
    ech_ = std::make_unique<EchServer>();
    TESSERA_ASSIGN_OR_RETURN(opened, ech_->open(provider(), cfg_.ech_keys, m));
    summary_.ech = opened          ? EchStatus::accepted
                   : ech_->offered ? EchStatus::rejected
                                   : EchStatus::not_offered;
  } else if (ech_ && ech_->accepted) {
    TESSERA_ASSIGN_OR_RETURN(opened, ech_->open_second(m));
  } else {
    // draft 7: the second ClientHello's extension is checked too.
    TESSERA_TRY(EchServer::check_unopened(m));
  }
  if (!opened) {
    if (p_.channel->tracing() && !st.retried && ech_->offered)
      trace("<- ClientHello: carries an encrypted ClientHello that none of our " +
            std::to_string(cfg_.ech_keys.size()) +
            " ECH key(s) opens (a stale config, or GREASE): we answer the outer ClientHello and "
            "send our current configs");
    return process_client_hello(m, st);
  }
  if (p_.channel->tracing())
    trace("<- ClientHello (outer): SNI " +
          std::string(st.retried ? "(unchanged)" : "of the public name") +
          "; opened the encrypted ClientHello inside with " + opened->description +
          ": it is the one we answer");
  return process_client_hello(opened->inner, st);
}

Result<void> Server13::process_client_hello(const wire::HandshakeMessage& m,
                                            ExpectClientHello& st) {
  TESSERA_ASSIGN_OR_RETURN(Offer o, parse_offer(m.body));
  const Policy& pol = cfg_.policy;
  // RFC 8446 D.5: a ClientHello.legacy_version of 0x0300 (SSL 3.0) ->
  // protocol_version, whatever supported_versions says.
  if (o.ch.legacy_version == 0x0300)
    return Error(ErrorCode::protocol_version, AlertDescription::protocol_version,
                 "ClientHello.legacy_version is 0x0300 (SSL 3.0)");
  // RFC 8446 4.2.1: with supported_versions the client's versions are that
  // list and legacy_version is ignored; without it the client speaks TLS 1.2
  // (or below, which no policy allows).
  std::vector<uint16_t> offered_versions = o.offered_versions();
  if (st.retried && (o.versions.empty() ||
                     std::find(o.versions.begin(), o.versions.end(), 0x0304) == o.versions.end()))
    return Error(ErrorCode::illegal_parameter,
                 "second ClientHello no longer offers TLS 1.3 after our HelloRetryRequest");
  if (!st.retried) {
    // RFC 7507 3: TLS_FALLBACK_SCSV from a client whose highest version is
    // below ours means a downgrade by a failed-and-retried connection (or an
    // attacker) -> inappropriate_fallback.
    uint16_t client_max = *std::max_element(offered_versions.begin(), offered_versions.end());
    if (o.fallback_scsv && client_max < static_cast<uint16_t>(pol.max_version))
      return Error(ErrorCode::inappropriate_fallback,
                   "client signalled TLS_FALLBACK_SCSV offering at most " +
                       describe_versions(std::vector<uint16_t>{client_max}) + ", but we support " +
                       version_name(pol.max_version));
  }
  TESSERA_ASSIGN_OR_RETURN(ProtocolVersion version, choose_version(pol, offered_versions));
  if (version == ProtocolVersion::tls12) {
    if (p_.channel->tracing())
      trace("<- ClientHello: client offers versions " + describe_versions(offered_versions) +
            "; cipher suites " + describe_suites(o.ch.cipher_suites) + "; groups " +
            describe_groups(o.groups) + "; SNI " + (o.sni.empty() ? "(none)" : o.sni) +
            "; random " + hex_short(o.ch.random));
    // External PSKs are TLS 1.3 only: a server without a certificate has
    // nothing to offer a TLS 1.2 client.
    if (cfg_.credentials.empty() && !cfg_.credential_resolver)
      return Error(ErrorCode::handshake_failure,
                   "the client negotiates TLS 1.2, and we have no certificate (our external PSKs "
                   "are for TLS 1.3 only)");
    TESSERA_ASSIGN_OR_RETURN(tls12_, make_server12(p_, o, m));
    return ok();
  }
  // RFC 8446 4.1.2: for TLS 1.3, legacy_compression_methods MUST be exactly [0].
  if (o.ch.legacy_compression_methods != Bytes{0})
    return Error(ErrorCode::illegal_parameter,
                 "TLS 1.3 ClientHello offers compression methods other than null");
  // RFC 8446 4.2: a known extension not specified for a ClientHello
  // (oid_filters) -> illegal_parameter.
  TESSERA_TRY(wire::check_tls13_extensions(o.ch.extensions, wire::ExtensionContext::client_hello));
  client_offered_pha_ = o.post_handshake_auth;
  // RFC 8879 3: compress_certificate counts with TLS 1.3 only (its TLS 1.2
  // server never looks at it), so a malformed one fails here.
  if (o.cert_compression_error) return *o.cert_compression_error;
  if (st.retried) {
    // RFC 8446 4.1.2: the second ClientHello repeats the first except for
    // key_share, early_data, cookie and pre_shared_key.
    if (o.ch.legacy_session_id != st.session_id)
      return Error(ErrorCode::illegal_parameter, "second ClientHello changed legacy_session_id");
    if (o.cookie.empty())
      return Error(ErrorCode::missing_extension, "second ClientHello does not echo the cookie");
    // RFC 8446 4.2.2: the client echoes our cookie. This connection sent it,
    // so it must be that one: another connection's (equally valid) cookie
    // would put another ClientHello1's hash in the transcript (4.4.1).
    if (o.cookie != hrr_cookie_)
      return Error(ErrorCode::illegal_parameter,
                   "second ClientHello's cookie is not the one our HelloRetryRequest sent");
    TESSERA_ASSIGN_OR_RETURN(CookieState cs, open_cookie(provider(), p_.cookie_key, o.cookie));
    if (cs.cipher_suite != st.hrr_suite || cs.group != st.hrr_group)
      return Error(ErrorCode::illegal_parameter, "cookie does not match our HelloRetryRequest");
  }
  std::copy(o.ch.random.begin(), o.ch.random.end(), client_random_.begin());
  summary_.server_name = o.sni;
  if (p_.channel->tracing() && !st.retried)
    trace("<- ClientHello: client offers versions " + describe_versions(offered_versions) +
          "; cipher suites " + describe_suites(o.ch.cipher_suites) + "; groups " +
          describe_groups(o.groups) + "; SNI " + (o.sni.empty() ? "(none)" : o.sni) +
          (o.cert_compression.empty() ? std::string()
                                      : "; takes certificates compressed with " +
                                            describe_cert_compression(o.cert_compression)) +
          (o.post_handshake_auth ? "; offers post-handshake authentication" : "") + "; random " +
          hex_short(o.ch.random));

  // RFC 8446 4.2.10: early data is not permitted after a HelloRetryRequest;
  // the second ClientHello drops the extension (4.1.2).
  if (st.retried && o.early_data)
    return Error(ErrorCode::illegal_parameter,
                 "second ClientHello still offers early_data after our HelloRetryRequest");
  // RFC 8446 9.2: "If containing a "supported_groups" extension, it MUST
  // also contain a "key_share" extension, and vice versa" -> missing_extension,
  // whatever PSK mode it offers. Without both it can only resume with psk_ke
  // (4.2.9), if our policy allows that; certificate authentication needs
  // signature_algorithms.
  if (o.shares.has_value() != !o.groups.empty())
    return Error(ErrorCode::missing_extension,
                 o.shares ? "TLS 1.3 ClientHello has key_share but no supported_groups"
                          : "TLS 1.3 ClientHello has supported_groups but no key_share");
  const bool psk_ke_possible =
      o.psks && offers_psk_mode(o, PskMode::psk_ke) &&
      std::find(pol.psk_modes.begin(), pol.psk_modes.end(), PskMode::psk_ke) != pol.psk_modes.end();
  const bool have_shares = o.shares.has_value();
  if (!have_shares && !psk_ke_possible)
    return Error(ErrorCode::missing_extension,
                 "TLS 1.3 ClientHello lacks key_share and supported_groups");
  // RFC 8446 9.2: "if not containing a "pre_shared_key" extension, it MUST
  // contain both a "signature_algorithms" extension and a "supported_groups"
  // extension."
  if (o.schemes.empty() && !o.psks)
    return Error(ErrorCode::missing_extension, "TLS 1.3 ClientHello lacks signature_algorithms");
  std::vector<uint16_t> share_groups;
  if (o.shares) {
    // RFC 8446 4.2.8: each KeyShareEntry's group MUST be in supported_groups
    // -> illegal_parameter (KeyShareClientHello::parse refused a group twice).
    // A bit per group: linear time in the list sizes.
    std::bitset<0x10000> offered;
    for (uint16_t g : o.groups) offered.set(g);
    for (const auto& ks : o.shares->client_shares) {
      if (!offered.test(ks.group))
        return Error(ErrorCode::illegal_parameter,
                     "key share for " + group_name(ks.group) + " which is not in supported_groups");
      share_groups.push_back(ks.group);
    }
  }

  TESSERA_ASSIGN_OR_RETURN(CipherSuite suite,
                           choose_suite(pol, ProtocolVersion::tls13, o.ch.cipher_suites));
  // RFC 8446 4.2.11: "The server MUST ensure that it selects a compatible
  // PSK (if any) and cipher suite." A client offering one of our external
  // PSKs gets our first suite with that PSK's hash, if it offers one.
  look_up_external_psks(o);
  const ExternalPsk* offered_external = offered_external_psk(o);
  if (offered_external &&
      cipher_suite_info(static_cast<uint16_t>(suite))->hash != offered_external->hash) {
    std::vector<uint16_t> same_hash;
    for (uint16_t cs : o.ch.cipher_suites) {
      auto info = cipher_suite_info(cs);
      if (info && info->hash == offered_external->hash) same_hash.push_back(cs);
    }
    if (auto s2 = choose_suite(pol, ProtocolVersion::tls13, same_hash); s2.ok()) suite = *s2;
  }
  std::optional<GroupChoice> gc;
  if (have_shares) {
    TESSERA_ASSIGN_OR_RETURN(gc, choose_group_tls13(pol, o.groups, share_groups));
  }
  if (st.retried) {
    // RFC 8446 4.2.8: after an HRR the client's only share is for the group
    // we selected -> illegal_parameter otherwise.
    if (share_groups.size() != 1 || share_groups[0] != st.hrr_group)
      return Error(ErrorCode::illegal_parameter,
                   "second ClientHello does not carry exactly the key share we asked for (" +
                       group_name(st.hrr_group) + ")");
    if (static_cast<uint16_t>(suite) != st.hrr_suite)
      return Error(ErrorCode::illegal_parameter, "second ClientHello changed the cipher suites");
    gc = GroupChoice{static_cast<NamedGroup>(st.hrr_group), true};
  }
  // Credential: by SNI and the client's signature schemes. None is needed
  // if the client offers a PSK we can use (decided by choose_psk, below): a
  // ClientHello with pre_shared_key need not even have signature_algorithms
  // (RFC 8446 9.2).
  std::vector<std::shared_ptr<const Credential>> resolved;
  const auto& creds = candidate_credentials(cfg_, o.sni, resolved);
  auto cred = select_credential(creds, o.sni, pol, o.schemes, true);
  auto no_credential = [&] {
    std::string why = "no certificate can sign with a scheme the client offered";
    if (creds.empty())
      why = no_certificate_reason(o);
    else if (creds[0]->key)
      why = choose_signature_scheme(pol, o.schemes, *creds[0]->key, true).error().message();
    return Error(ErrorCode::handshake_failure, why);
  };
  if (!cred && !o.psks) return no_credential();
  SignatureScheme scheme{};
  if (cred) {
    TESSERA_ASSIGN_OR_RETURN(scheme, choose_signature_scheme(pol, o.schemes, *cred->key, true));
  }
  TESSERA_ASSIGN_OR_RETURN(auto alpn, choose_alpn(cfg_.alpn, o.alpn));

  suite_ = cipher_suite_info(static_cast<uint16_t>(suite));
  if (gc && !gc->have_share) {
    transcript_.add(m.raw);
    st.session_id = o.ch.legacy_session_id;
    st.hrr_suite = static_cast<uint16_t>(suite);
    st.hrr_group = static_cast<uint16_t>(gc->group);
    st.retried = true;
    if (o.early_data) {
      // RFC 8446 4.2.10: a HelloRetryRequest refuses early data; the client's
      // 0-RTT records before its second ClientHello are skipped.
      p_.channel->skip_early_data(std::max<size_t>(cfg_.max_early_data, kEarlyDataSkipBudget));
      summary_.early_data = EarlyData::rejected;
      if (p_.channel->tracing())
        trace("   0-RTT: refused (HelloRetryRequest); skipping the client's early data");
    }
    return send_hello_retry(o, m.raw, st.hrr_suite, st.hrr_group);
  }
  if (st.retried) {
    // Rebuild the transcript from the cookie, as a stateless server would.
    TESSERA_ASSIGN_OR_RETURN(CookieState cs, open_cookie(provider(), p_.cookie_key, o.cookie));
    crypto::Transcript t;
    TESSERA_TRY(t.select_hash(provider(), suite_->hash));
    TESSERA_TRY(t.start_from_message_hash(cs.client_hello1_hash));
    // The HelloRetryRequest we sent is deterministic given suite, group,
    // session id and cookie: rebuild it byte for byte.
    TESSERA_ASSIGN_OR_RETURN(
        Bytes hrr,
        build_hello_retry_request(o.ch.legacy_session_id, cs.cipher_suite, cs.group, o.cookie,
                                  ech_ ? ech_->hrr_confirmation : std::nullopt));
    t.add(hrr);
    transcript_ = std::move(t);
  } else {
    TESSERA_TRY(transcript_.select_hash(provider(), suite_->hash));
  }
  TESSERA_ASSIGN_OR_RETURN(std::optional<AcceptedPsk> psk,
                           choose_psk(o, m.raw, gc && gc->have_share));
  if (!psk && !gc)
    return Error(ErrorCode::missing_extension,
                 "TLS 1.3 ClientHello has no key_share, and its PSK is not usable here");
  // RFC 8446 4.2.3: "If a server is authenticating via a certificate and
  // the client has not sent a "signature_algorithms" extension, then the
  // server MUST abort the handshake with a "missing_extension" alert".
  if (!psk && o.schemes.empty() && !creds.empty())
    return Error(ErrorCode::missing_extension,
                 "the client's PSK is not usable here, and its ClientHello has no "
                 "signature_algorithms for a certificate");
  if (!psk && !cred) return no_credential();
  transcript_.add(m.raw);
  const bool psk_only = psk && psk->mode == PskMode::psk_ke;

  // 0-RTT (RFC 8446 4.2.10): accept or refuse the client's early data.
  std::optional<SecretBytes> early_secret;
  uint32_t early_max = 0;
  uint16_t early_record_limit = 0;  // RFC 8449: of the ticket's handshake
  if (o.early_data) {
    std::string refusal = psk ? early_data_refusal(o, *psk, static_cast<uint16_t>(suite), alpn)
                              : std::string("no resumption");
    if (refusal.empty()) {
      early_max = std::min(cfg_.max_early_data, psk->state.max_early_data);
      early_record_limit = psk->state.record_size_limit;
      TESSERA_ASSIGN_OR_RETURN(Bytes ch_hash, transcript_.current_hash());
      TESSERA_ASSIGN_OR_RETURN(early_secret, psk->early.client_early_traffic_secret(ch_hash));
      if (cfg_.keylog)
        cfg_.keylog(
            keylog_line("CLIENT_EARLY_TRAFFIC_SECRET", client_random_, early_secret->view()));
      summary_.early_data = EarlyData::accepted;
    } else {
      summary_.early_data = EarlyData::rejected;
    }
    if (p_.channel->tracing())
      trace(refusal.empty()
                ? "   0-RTT: accepting up to " + std::to_string(early_max) +
                      " bytes of early data (replayable: the application is told so)"
                : "   0-RTT: refused (" + refusal + "); the client's early data will be skipped");
  }

  crypto::Encapsulation enc;
  if (!psk_only) {
    const wire::KeyShareEntry* client_share = o.shares->find(static_cast<uint16_t>(gc->group));
    TESSERA_ASSIGN_OR_RETURN(enc, provider().encapsulate(gc->group, client_share->key_exchange));
  }

  wire::ServerHello sh;
  provider().public_random(sh.random);
  sh.legacy_session_id_echo = o.ch.legacy_session_id;
  sh.cipher_suite = static_cast<uint16_t>(suite);
  // key_share before supported_versions, the order of RFC 8448's traces, so
  // that the server side replays them byte for byte.
  if (!psk_only)
    sh.extensions.push_back(wire::make_extension(
        wire::kExtKeyShare,
        wire::KeyShareServerHello{{static_cast<uint16_t>(gc->group), enc.ciphertext}}));
  sh.extensions.push_back(
      wire::make_extension(wire::kExtSupportedVersions, wire::SupportedVersionsServer{0x0304}));
  if (psk)
    sh.extensions.push_back(
        wire::make_extension(wire::kExtPreSharedKey, wire::PreSharedKeyServerHello{psk->identity}));
  TESSERA_ASSIGN_OR_RETURN(Bytes shmsg, wire::encode_handshake(sh));
  if (ech_ && ech_->accepted) {
    // draft-ietf-tls-esni 7.2: the last 8 bytes of our random become
    // accept_confirmation over the inner transcript ending with this
    // ServerHello, those bytes zeroed. The random is at offset 6 of the
    // message: type (1), length (3), legacy_version (2).
    constexpr size_t kTail = 6 + sizeof(wire::Random) - kEchConfirmationSize;
    std::fill_n(shmsg.begin() + kTail, kEchConfirmationSize, 0);
    TESSERA_ASSIGN_OR_RETURN(Bytes th, transcript_.current_hash_with(shmsg));
    TESSERA_ASSIGN_OR_RETURN(auto conf, ech_confirmation(provider(), suite_->hash, client_random_,
                                                         th, /*hello_retry=*/false));
    std::copy(conf.begin(), conf.end(), shmsg.begin() + kTail);
    std::copy(conf.begin(), conf.end(), sh.random.end() - kEchConfirmationSize);
  }
  transcript_.add(shmsg);
  p_.channel->send_handshake(shmsg);
  // RFC 8446 D.4: compatibility CCS right after our first handshake message,
  // when the client asked for middlebox compatibility (non-empty session id).
  if (!sent_ccs_ && !o.ch.legacy_session_id.empty()) {
    p_.channel->send_change_cipher_spec();
    sent_ccs_ = true;
  }
  p_.channel->set_negotiated_version(ProtocolVersion::tls13);
  summary_.version = ProtocolVersion::tls13;
  summary_.cipher_suite = static_cast<uint16_t>(suite);
  summary_.group = psk_only ? 0 : static_cast<uint16_t>(gc->group);
  summary_.psk_only = psk_only;
  if (!psk) summary_.signature_scheme = static_cast<uint16_t>(scheme);
  if (alpn) summary_.alpn = *alpn;
  if (psk && psk->external) {
    // RFC 8446 2.2: the external PSK authenticates both sides.
    summary_.psk_identity = psk->external->identity;
  } else if (psk) {
    summary_.resumed = true;
    summary_.peer_subject = psk->state.client_subject;
    summary_.client_authenticated = !psk->state.client_subject.empty();
    origin_ = psk->state.origin;
    if (!psk->state.client_kept.spki_sha256.empty())
      client_kept_ = std::make_unique<KeptIdentity>(std::move(psk->state.client_kept));
  }
  if (!summary_.resumed) origin_ = origin_of(provider(), nullptr, p_.now_unix);  // a new session

  const HashAlgorithm hash = suite_->hash;
  TESSERA_ASSIGN_OR_RETURN(Bytes hello_hash, transcript_.current_hash());
  TESSERA_ASSIGN_OR_RETURN(
      auto keys, derive_handshake_traffic(
                     psk ? std::move(psk->early) : crypto::EarlySecret::derive(provider(), hash),
                     enc.shared_secret.view(), hello_hash, cfg_.keylog, client_random_));
  if (p_.channel->tracing()) {
    if (psk_only) {
      trace("-> ServerHello: chose TLS 1.3, " + cipher_suite_name(summary_.cipher_suite) +
            ", PSK only (psk_ke: no key share); random " + hex_short(sh.random));
      trace("   key exchange: none (psk_ke); handshake traffic keys derived from the PSK alone (" +
            std::string(aead_name(suite_->aead)) + ") - no forward secrecy");
    } else {
      trace("-> ServerHello: chose TLS 1.3, " + cipher_suite_name(summary_.cipher_suite) +
            ", group " + group_name(summary_.group) + "; random " + hex_short(sh.random));
      trace("   key exchange: " + group_name(summary_.group) + " shared secret established (" +
            std::to_string(enc.shared_secret.size()) + " bytes); handshake traffic keys derived (" +
            std::string(aead_name(suite_->aead)) + ")");
    }
  }
  TESSERA_TRY(p_.channel->set_write_secret_tls13(*suite_, keys.server.view()));

  // EncryptedExtensions
  wire::EncryptedExtensions ee;
  if (alpn)
    ee.extensions.push_back(wire::make_extension(wire::kExtAlpn, wire::ProtocolNameList{{*alpn}}));
  // RFC 6066 3: a server that used the server_name MAY answer with an empty one.
  if (!o.sni.empty()) ee.extensions.push_back(wire::make_empty_extension(wire::kExtServerName));
  // RFC 8446 4.2.10: an empty early_data extension says the early data is accepted.
  if (early_secret) ee.extensions.push_back(wire::make_empty_extension(wire::kExtEarlyData));
  // draft-ietf-tls-esni 7.1: a client whose Encrypted Client Hello we could
  // not open gets our current configs to retry with.
  if (ech_ && ech_->offered && !ech_->accepted)
    ee.extensions.push_back(retry_configs_extension(cfg_.ech_keys));
  // RFC 8449 4: "In TLS 1.3, the server sends the "record_size_limit"
  // extension in the EncryptedExtensions message." The client's limit binds
  // our records from this one on; ours binds the client's under its
  // handshake and application keys (limit_received_records once those are
  // installed), not 0-RTT data, which the ticket's handshake governs.
  if (o.record_size_limit) {
    ee.extensions.push_back(wire::make_extension(
        wire::kExtRecordSizeLimit,
        wire::RecordSizeLimit{advertised_record_size_limit(cfg_.policy, true)}));
    summary_.peer_record_size_limit = std::min(*o.record_size_limit, wire::kMaxRecordSizeLimit13);
    p_.channel->limit_sent_records(record_content_limit(*o.record_size_limit, true));
  }
  TESSERA_ASSIGN_OR_RETURN(Bytes eemsg, wire::encode_handshake(ee));
  transcript_.add(eemsg);
  p_.channel->send_handshake(eemsg);
  ech_.reset();  // its HPKE context served the ClientHellos; summary_.ech keeps the outcome
  if (p_.channel->tracing())
    trace("-> EncryptedExtensions" + (alpn ? ": ALPN " + *alpn : std::string(": no ALPN")) +
          record_size_limit_note(summary_.peer_record_size_limit,
                                 advertised_record_size_limit(cfg_.policy, true)));

  if (psk) {
    // RFC 8446 2.2: a handshake with a PSK authenticates with it; no
    // certificates are exchanged (4.3.2: no CertificateRequest either).
    if (p_.channel->tracing())
      trace((psk->external
                 ? "   external PSK '" + printable_identity(psk->external->identity) +
                       "': the client's binder proves it holds the key; no certificates ("
                 : std::string("   resumption: the client's ticket is valid and its binder "
                               "verified; no certificates this time (")) +
            (psk_only ? std::string("PSK only: no forward secrecy")
                      : "PSK with " + group_name(summary_.group) + " for forward secrecy") +
            ")");
  }
  // CertificateRequest
  const bool want_client_cert = cfg_.client_auth != ClientAuth::none && !psk;
  if (want_client_cert) {
    choose_requested_schemes();
    const std::vector<Bytes> cas = client_ca_names();
    // RFC 8879 3: compress_certificate in a CertificateRequest offers to take
    // the client's certificate compressed.
    TESSERA_ASSIGN_OR_RETURN(Bytes crmsg,
                             build_certificate_request13({}, requested_schemes_, cas,
                                                         cert_compression_values(cfg_.policy)));
    transcript_.add(crmsg);
    p_.channel->send_handshake(crmsg);
    if (p_.channel->tracing())
      trace(std::string("-> CertificateRequest: client certificate ") +
            (cfg_.client_auth == ClientAuth::required ? "required" : "optional") + "; " +
            std::to_string(cas.size()) + " acceptable CA name(s)" +
            (!cfg_.policy.cert_compression.empty()
                 ? "; we take it compressed with " +
                       describe_cert_compression(cert_compression_values(cfg_.policy))
                 : std::string()));
  }

  FlightEnd flight_end{std::move(keys), std::move(early_secret), early_max, early_record_limit,
                       o.early_data,    want_client_cert};
  // Certificate, CertificateVerify (not when resuming)
  if (!psk) {
    // RFC 6066 8 / RFC 8446 4.4.2.1: the OCSP response, to a client that
    // asked for one, while it is current.
    const std::span<const uint8_t> staple =
        o.status_request_ocsp ? cred->ocsp_staple(p_.now_unix) : std::span<const uint8_t>();
    summary_.ocsp_stapled = !staple.empty();
    TESSERA_ASSIGN_OR_RETURN(Bytes certmsg, build_certificate13({}, cred->chain, ByteView(staple)));
    // RFC 8879 4: with an algorithm the client listed, a CompressedCertificate
    // replaces the Certificate (made once per chain; see compress_own_certificate).
    const CertificateCompressionNote packed =
        compress_if_smaller(choose_cert_compression(cfg_.policy, o.cert_compression), certmsg);
    summary_.own_cert_compression = packed.used;
    const std::string& compressed_note = packed.note;
    transcript_.add(certmsg);
    p_.channel->send_handshake(certmsg);
    if (p_.channel->tracing())
      trace("-> Certificate: " + leaf_subject(cred->chain) + " (" +
            std::to_string(cred->chain.size()) + " certificate(s))" + compressed_note +
            (summary_.ocsp_stapled
                 ? "; OCSP response stapled (" + std::to_string(staple.size()) + " bytes)"
                 : std::string()));
    TESSERA_ASSIGN_OR_RETURN(Bytes h, transcript_.current_hash());
    // The rest of the flight waits for the signature (an asynchronous
    // KeySigner's may come later: Signing).
    return signing_.sign_then(
        *p_.channel, cred->key, scheme, certificate_verify_input(/*server=*/true, h),
        [this, scheme, end = std::move(flight_end)](Bytes sig) mutable -> Result<void> {
          TESSERA_ASSIGN_OR_RETURN(Bytes cvmsg, build_certificate_verify(scheme, sig));
          transcript_.add(cvmsg);
          p_.channel->send_handshake(cvmsg);
          if (p_.channel->tracing())
            trace("-> CertificateVerify: signed the transcript with " +
                  signature_scheme_name(static_cast<uint16_t>(scheme)));
          return finish_flight(std::move(end));
        });
  }
  return finish_flight(std::move(flight_end));
}

// finish_flight ends the server's first flight with our Finished, then
// waits for the client's early data, certificate or Finished.
Result<void> Server13::finish_flight(FlightEnd f) {
  const HashAlgorithm hash = suite_->hash;
  auto& keys = f.keys;
  auto& early_secret = f.early_secret;
  // Finished
  TESSERA_ASSIGN_OR_RETURN(Bytes fh, transcript_.current_hash());
  TESSERA_ASSIGN_OR_RETURN(Bytes vd,
                           crypto::compute_finished(provider(), hash, keys.server.view(), fh));
  TESSERA_ASSIGN_OR_RETURN(Bytes finmsg, build_finished(vd));
  transcript_.add(finmsg);
  p_.channel->send_handshake(finmsg);
  TESSERA_ASSIGN_OR_RETURN(Bytes server_fin_hash, transcript_.current_hash());
  TESSERA_ASSIGN_OR_RETURN(
      auto app, derive_application_traffic(std::move(keys.secret), server_fin_hash, cfg_.keylog,
                                           client_random_));
  if (p_.channel->tracing()) trace("-> Finished: application traffic keys derived");
  TESSERA_TRY(p_.channel->set_write_secret_tls13(*suite_, app.server.view()));
  Secrets s{std::move(app.master), std::move(keys.client), std::move(app.client),
            std::move(app.server), std::move(app.exporter)};
  if (early_secret) {
    // RFC 8446 2.3: the client's early data, then its EndOfEarlyData, come
    // under the client_early_traffic_secret's keys.
    TESSERA_TRY(p_.channel->set_read_secret_tls13(*suite_, early_secret->view()));
    // RFC 8449 4: early records follow the limits of the handshake that made
    // their keys: the one we advertised when the ticket was issued.
    if (f.early_record_limit != 0)
      TESSERA_TRY(
          p_.channel->limit_received_records(record_content_limit(f.early_record_limit, true)));
    p_.channel->accept_early_data(f.early_max);
    state_ = ExpectEndOfEarlyData{std::move(s)};
    return ok();
  }
  TESSERA_TRY(set_client_handshake_read_keys(s.client_hs.view()));
  if (f.skip_early_data)
    p_.channel->skip_early_data(std::max<size_t>(cfg_.max_early_data, kEarlyDataSkipBudget));
  if (f.want_client_cert)
    state_ = ExpectClientCertificate{std::move(s)};
  else
    state_ = ExpectClientFinished{std::move(s)};
  return ok();
}

// set_client_handshake_read_keys switches to reading the client's handshake
// records; a negotiated RFC 8449 limit of ours binds them from here on.
Result<void> Server13::set_client_handshake_read_keys(ByteView client_hs) {
  TESSERA_TRY(p_.channel->set_read_secret_tls13(*suite_, client_hs));
  // Not negotiated: no limit (not even the one 0-RTT data had).
  return p_.channel->limit_received_records(
      summary_.peer_record_size_limit != 0
          ? record_content_limit(advertised_record_size_limit(cfg_.policy, true), true)
          : 0);
}

Result<void> Server13::send_hello_retry(const Offer& o, ByteView raw, uint16_t suite,
                                        uint16_t group) {
  (void)raw;
  auto info = cipher_suite_info(suite);
  TESSERA_TRY(transcript_.select_hash(provider(), info->hash));
  TESSERA_ASSIGN_OR_RETURN(Bytes ch1_hash, transcript_.current_hash());
  CookieState cs{suite, group, ch1_hash};
  Bytes cookie = seal_cookie(provider(), p_.cookie_key, cs);
  TESSERA_TRY(transcript_.replace_with_message_hash());
  if (ech_ && ech_->accepted) {
    // draft-ietf-tls-esni 7.2.1: our encrypted_client_hello extension holds
    // hrr_accept_confirmation over message_hash(ClientHelloInner1) and this
    // HelloRetryRequest with the extension's 8 bytes zeroed.
    TESSERA_ASSIGN_OR_RETURN(
        Bytes zeroed, build_hello_retry_request(o.ch.legacy_session_id, suite, group, cookie,
                                                std::array<uint8_t, kEchConfirmationSize>{}));
    TESSERA_ASSIGN_OR_RETURN(Bytes th, transcript_.current_hash_with(zeroed));
    TESSERA_ASSIGN_OR_RETURN(ech_->hrr_confirmation,
                             ech_confirmation(provider(), info->hash, client_random_, th,
                                              /*hello_retry=*/true));
  }
  TESSERA_ASSIGN_OR_RETURN(Bytes hrr,
                           build_hello_retry_request(o.ch.legacy_session_id, suite, group, cookie,
                                                     ech_ ? ech_->hrr_confirmation : std::nullopt));
  transcript_.add(hrr);
  p_.channel->send_handshake(hrr);
  hrr_cookie_ = std::move(cookie);
  if (!o.ch.legacy_session_id.empty()) {
    p_.channel->send_change_cipher_spec();
    sent_ccs_ = true;
  }
  summary_.hello_retry = true;
  if (p_.channel->tracing())
    trace("-> HelloRetryRequest: no acceptable key share; asking for " + group_name(group) +
          " (with a stateless cookie)");
  return ok();
}

Result<void> Server13::on_end_of_early_data(const wire::HandshakeMessage& m,
                                            ExpectEndOfEarlyData& st) {
  // RFC 8446 4.5: EndOfEarlyData is empty; then the client switches to its
  // handshake traffic keys.
  TESSERA_TRY(wire::EndOfEarlyData::parse(m.body));
  transcript_.add(m.raw);
  TESSERA_TRY(set_client_handshake_read_keys(st.s.client_hs.view()));
  p_.channel->end_early_data();
  if (p_.channel->tracing()) trace("<- EndOfEarlyData: the client's 0-RTT data is complete");
  state_ = ExpectClientFinished{std::move(st.s)};
  return ok();
}

// choose_requested_schemes sets the signature schemes our CertificateRequest
// lists: the policy's, as far as TLS 1.3 allows them (RFC 8446 4.4.3: no
// PKCS#1 v1.5 or SHA-1).
void Server13::choose_requested_schemes() {
  requested_schemes_.clear();
  for (SignatureScheme s : cfg_.policy.signature_schemes)
    if (scheme_allowed_tls13(static_cast<uint16_t>(s)))
      requested_schemes_.push_back(static_cast<uint16_t>(s));
}

// client_ca_names: the certificate_authorities of our CertificateRequest
// (RFC 8446 4.2.4), the subjects of the client trust anchors.
std::vector<Bytes> Server13::client_ca_names() const {
  std::vector<Bytes> cas;
  if (cfg_.client_trust) {
    for (const auto& a : cfg_.client_trust->anchors()) {
      ByteView n = a->subject().der();
      cas.emplace_back(n.begin(), n.end());
    }
  }
  return cas;
}

// read_client_certificate parses and verifies the client's Certificate (or
// CompressedCertificate) answering our CertificateRequest with `context`,
// in the handshake or after it. Tracing says what it holds.
Result<ClientCertificate> Server13::read_client_certificate(const wire::HandshakeMessage& m,
                                                            ByteView context) {
  TESSERA_ASSIGN_OR_RETURN(ReceivedCertificate rc, received_certificate13(m, cfg_.policy));
  // RFC 8879 5: processed as if it had not been compressed.
  TESSERA_ASSIGN_OR_RETURN(auto cert, wire::Certificate13::parse(rc.body()));
  // RFC 8446 4.4.2: the context echoes the CertificateRequest's.
  if (!std::equal(cert.certificate_request_context.begin(), cert.certificate_request_context.end(),
                  context.begin(), context.end()))
    return Error(ErrorCode::illegal_parameter,
                 "client Certificate context does not match our CertificateRequest");
  // RFC 8446 4.4.2: entry extensions must answer CertificateRequest
  // extensions; ours has none that a certificate entry could answer.
  TESSERA_TRY(check_certificate_entry_extensions(cert, "client"));
  ClientCertificate out;
  out.compressed_with = rc.compressed_with;
  if (cert.certificate_list.empty()) return out;
  std::vector<Bytes> chain;
  for (auto& e : cert.certificate_list) chain.push_back(std::move(e.cert_data));
  VerifyRequest vr;
  vr.purpose_server = false;
  vr.verify = true;
  vr.trust = cfg_.client_trust.get();
  vr.crls = cfg_.client_crls.get();
  vr.crl_check = cfg_.client_crl_check;
  vr.now_unix = p_.now_unix;
  vr.limits = &cfg_.policy.limits;
  vr.min_rsa_bits = cfg_.policy.min_rsa_bits;
  vr.describe = p_.channel->tracing();
  vr.identity = static_cast<bool>(cfg_.peer_check);
  TESSERA_ASSIGN_OR_RETURN(out.chain, verify_peer_chain(provider(), std::move(chain), vr));
  if (p_.channel->tracing()) {
    if (rc.compressed_with)
      trace("<- CompressedCertificate (client): " + cert_compression_name(rc.compressed_with) +
            ", " + std::to_string(rc.compressed_size) + " bytes for a " +
            std::to_string(rc.body().size()) + "-byte Certificate");
    trace("<- Certificate (client): " + out.chain->description);
  }
  return out;
}

// set_client_identity records a verified client certificate in the summary
// (and, for tickets, in the session's origin).
void Server13::set_client_identity(const PeerChain& chain, uint16_t compressed_with) {
  summary_.peer_subject = chain.subject;
  summary_.peer_verified_by = chain.anchor_subject;
  summary_.peer_chain = chain.chain;
  summary_.peer_cert_compression = compressed_with;
  origin_ = origin_of(provider(), &chain, p_.now_unix);
}

Result<void> Server13::on_client_certificate(const wire::HandshakeMessage& m,
                                             ExpectClientCertificate& st) {
  // The context of our in-handshake CertificateRequest is empty.
  TESSERA_ASSIGN_OR_RETURN(ClientCertificate cc, read_client_certificate(m, {}));
  transcript_.add(m.raw);
  if (!cc.chain) {
    // RFC 8446 4.4.2.4: if the client sends no certificate and the server
    // requires one, abort with certificate_required.
    if (cfg_.client_auth == ClientAuth::required)
      return Error(ErrorCode::certificate_required, "client did not send a certificate");
    if (p_.channel->tracing()) trace("<- Certificate: client sent none (optional)");
    state_ = ExpectClientFinished{std::move(st.s)};
    return ok();
  }
  set_client_identity(*cc.chain, cc.compressed_with);
  state_ = ExpectClientCertificateVerify{std::move(st.s), std::move(*cc.chain)};
  return ok();
}

// verify_client_signature checks the client's CertificateVerify over
// transcript `t` (RFC 8446 4.4.3) with the leaf of `chain`.
Result<void> Server13::verify_client_signature(const wire::HandshakeMessage& m,
                                               const PeerChain& chain,
                                               const crypto::Transcript& t) {
  TESSERA_ASSIGN_OR_RETURN(auto cv, wire::CertificateVerify::parse(m.body));
  // RFC 8446 4.4.3: the scheme MUST be one of those in our CertificateRequest.
  if (std::find(requested_schemes_.begin(), requested_schemes_.end(), cv.signed_data.scheme) ==
      requested_schemes_.end())
    return Error(ErrorCode::illegal_parameter, "client CertificateVerify uses " +
                                                   signature_scheme_name(cv.signed_data.scheme) +
                                                   ", which our CertificateRequest did not list");
  TESSERA_ASSIGN_OR_RETURN(Bytes h, t.current_hash());
  Bytes content = certificate_verify_input(/*server=*/false, h);
  TESSERA_TRY(verify_with_leaf(provider(), chain,
                               static_cast<SignatureScheme>(cv.signed_data.scheme), content,
                               cv.signed_data.signature, /*tls13=*/true));
  summary_.client_signature_scheme = cv.signed_data.scheme;
  if (p_.channel->tracing())
    trace("<- CertificateVerify (client): " + signature_scheme_name(cv.signed_data.scheme) +
          " signature verified with the client's key");
  return ok();
}

// check_client runs the application's access control
// (ServerConfig::peer_check) on a client that has proven its certificate's
// identity.
Result<CheckedPeer> Server13::check_client(const PeerChain& chain) {
  TESSERA_ASSIGN_OR_RETURN(CheckedPeer checked,
                           check_verified_peer(provider(), cfg_.peer_check, chain,
                                               /*peer_is_server=*/false, ProtocolVersion::tls13,
                                               summary_.server_name, p_.channel->tracing()));
  if (checked.kept && p_.channel->tracing())
    trace("   peer check: client " + checked.description + " allowed");
  return checked;
}

Result<void> Server13::on_client_certificate_verify(const wire::HandshakeMessage& m,
                                                    ExpectClientCertificateVerify& st) {
  TESSERA_TRY(verify_client_signature(m, st.chain, transcript_));
  transcript_.add(m.raw);
  summary_.client_authenticated = true;
  // The client has proven its certificate's identity: the application's
  // access control decides whether we go on.
  TESSERA_ASSIGN_OR_RETURN(CheckedPeer checked, check_client(st.chain));
  client_kept_ = std::move(checked.kept);
  state_ = ExpectClientFinished{std::move(st.s)};
  return ok();
}

Result<void> Server13::on_client_finished(const wire::HandshakeMessage& m,
                                          ExpectClientFinished& st) {
  const HashAlgorithm hash = suite_->hash;
  TESSERA_ASSIGN_OR_RETURN(Bytes h, transcript_.current_hash());
  TESSERA_TRY(crypto::verify_finished(provider(), hash, st.s.client_hs.view(), h, m.body));
  transcript_.add(m.raw);
  TESSERA_ASSIGN_OR_RETURN(Bytes client_fin_hash, transcript_.current_hash());
  TESSERA_ASSIGN_OR_RETURN(auto res, st.s.master->resumption_master_secret(client_fin_hash));
  TESSERA_TRY(p_.channel->set_read_secret_tls13(*suite_, st.s.client_ap.view()));
  if (p_.channel->tracing()) trace("<- Finished: client Finished verified; handshake complete");
  // The external PSKs the ClientHello named are no longer needed: a PSK
  // withdrawn from the config or store is not kept alive by connections.
  std::vector<std::shared_ptr<const ExternalPsk>>().swap(offered_external_);
  state_ = Connected{Traffic13(*suite_, std::move(st.s.server_ap), std::move(st.s.client_ap),
                               std::move(res), std::move(st.s.exporter))};
  p_.channel->event(Event::handshake_done);
  return send_tickets(std::get<Connected>(state_).traffic.resumption_master_secret());
}

// RFC 8446 4.6.1: tickets go out after the handshake, each with its own
// nonce (so its own PSK) and a random ticket_age_add. Only to clients that
// can use them: psk_dhe_ke among their psk_key_exchange_modes (4.2.9).
//
// None after an external PSK handshake: the PSK already gives that client a
// handshake as cheap as a resumption, and a ticket would outlive the PSK's
// removal from the config (a device whose key was withdrawn could resume
// for the ticket's lifetime).
Result<void> Server13::send_tickets(ByteView resumption_master_secret) {
  if (cfg_.tickets == 0 || !client_psk_usable_ || !summary_.psk_identity.empty()) return ok();
  // A resumed session keeps its origin, so its new tickets end when the
  // session must (kMaxSessionAgeS, the client certificate's expiry).
  const uint32_t lifetime = session_ticket_lifetime(cfg_.ticket_lifetime_s, origin_, p_.now_unix);
  if (lifetime == 0) {
    if (p_.channel->tracing())
      trace(
          "   no NewSessionTicket: the session may not be resumed any more (7 days since its "
          "full handshake, or its client certificate expires)");
    return ok();
  }
  for (size_t i = 0; i < cfg_.tickets; ++i) {
    TicketState ts = ticket_state_for(summary_, origin_, cfg_.ticket_lifetime_s, p_.now_unix);
    if (client_kept_) ts.client_kept = *client_kept_;
    // RFC 8449 4: the limit this handshake set binds 0-RTT data under the
    // ticket's PSK.
    if (summary_.peer_record_size_limit != 0)
      ts.record_size_limit = advertised_record_size_limit(cfg_.policy, true);
    uint8_t add[4];
    provider().random(add);
    ts.age_add = static_cast<uint32_t>(add[0]) << 24 | static_cast<uint32_t>(add[1]) << 16 |
                 static_cast<uint32_t>(add[2]) << 8 | add[3];
    wire::NewSessionTicket nst;
    nst.ticket_nonce = {static_cast<uint8_t>(i)};
    if (cfg_.max_early_data > 0) {
      // RFC 8446 4.6.1: the early_data extension says the ticket may be used
      // for 0-RTT, up to max_early_data_size bytes.
      ts.max_early_data = cfg_.max_early_data;
      nst.extensions.push_back(wire::make_extension(
          wire::kExtEarlyData, wire::EarlyDataNewSessionTicket{cfg_.max_early_data}));
    }
    TESSERA_ASSIGN_OR_RETURN(
        ts.psk, crypto::resumption_psk(provider(), suite_->hash, resumption_master_secret,
                                       nst.ticket_nonce));
    auto ticket = issue_ticket(provider(), cfg_, ts, p_.now_unix);
    if (!ticket.ok()) {
      // No ticket (the state does not fit one): the session is not
      // resumable, and the connection goes on.
      if (p_.channel->tracing()) trace("   no NewSessionTicket: " + ticket.error().message());
      return ok();
    }
    nst.ticket = std::move(*ticket);
    nst.ticket_lifetime = ts.lifetime_s;
    nst.ticket_age_add = ts.age_add;
    TESSERA_ASSIGN_OR_RETURN(Bytes msg, wire::encode_handshake(nst));
    p_.channel->send_handshake(msg);
  }
  if (p_.channel->tracing())
    trace("-> NewSessionTicket x" + std::to_string(cfg_.tickets) + ": resumption tickets (" +
          std::to_string(lifetime) + " s lifetime) sealed under our ticket key");
  return ok();
}

// choose_psk looks for a ticket we issued among the client's PSK identities
// (RFC 8446 4.2.11): the first one that opens, is within its lifetime, was
// issued for the same SNI and a suite with the chosen suite's hash. Its
// binder must then verify (decrypt_error otherwise). Unusable identities are
// ignored: the handshake falls back to a full one. The key exchange mode
// (4.2.9) is the first of our policy's psk_modes the client offers;
// psk_dhe_ke needs a key share we can use.
Result<std::optional<Server13::AcceptedPsk>> Server13::choose_psk(const Offer& o,
                                                                  ByteView client_hello,
                                                                  bool have_share) {
  if (o.psks && o.psk_modes.empty())
    // RFC 8446 4.2.9: pre_shared_key requires psk_key_exchange_modes.
    return Error(ErrorCode::missing_extension,
                 "ClientHello offers pre_shared_key without psk_key_exchange_modes");
  std::optional<PskMode> mode;
  client_psk_usable_ = false;
  for (PskMode m : cfg_.policy.psk_modes) {
    if (!offers_psk_mode(o, m)) continue;
    client_psk_usable_ = true;
    if (!mode && (m == PskMode::psk_ke || have_share)) mode = m;
  }
  if (!o.psks || !mode) return std::optional<AcceptedPsk>();
  const int64_t now_ms = p_.now_unix * 1000;
  TESSERA_ASSIGN_OR_RETURN(ByteView truncated, o.ch.truncate_for_binders(client_hello));
  for (size_t i = 0; i < o.psks->identities.size(); ++i) {
    if (const ExternalPsk* x = external_psk(i)) {
      // RFC 8446 4.2.11: usable only with a suite of the PSK's hash (the
      // suite was chosen for it when the client offers one; see
      // on_client_hello).
      if (x->hash != suite_->hash) {
        if (p_.channel->tracing())
          trace("   external PSK '" + printable_identity(x->identity) + "' needs " +
                std::string(hash_name(x->hash)) + ", and no suite we share has it");
        continue;
      }
      auto early = crypto::EarlySecret::derive(provider(), x->hash, x->key);
      TESSERA_ASSIGN_OR_RETURN(Bytes th, transcript_.current_hash_with(truncated));
      TESSERA_ASSIGN_OR_RETURN(Bytes want,
                               psk_binder(early, provider(), th, crypto::PskKind::external));
      // RFC 8446 4.2.11: a binder that does not validate -> abort,
      // decrypt_error (a client with another key under this identity).
      if (!ct_equal(want, o.psks->binders[i]))
        return Error(ErrorCode::decrypt_error,
                     "the binder of external PSK '" + printable_identity(x->identity) +
                         "' does not verify: the client holds another key");
      // The binder proves the client holds the key: the application's
      // access control decides whether we go on with it.
      if (cfg_.peer_check) {
        PeerIdentity id;
        id.peer_is_server = false;
        id.server_name = o.sni;
        id.psk_identity = x->identity;
        TESSERA_TRY(run_peer_check(cfg_.peer_check, id));
        if (p_.channel->tracing()) trace("   peer check: client " + describe_peer(id) + " allowed");
      }
      TicketState none;
      none.cipher_suite = static_cast<uint16_t>(suite_->suite);
      return std::optional<AcceptedPsk>(
          AcceptedPsk{static_cast<uint16_t>(i), std::move(none), std::move(early), *mode,
                      o.psks->identities[i].obfuscated_ticket_age, x});
    }
    if (cfg_.tickets == 0) continue;
    const ByteView identity = o.psks->identities[i].identity;
    auto st = redeem_ticket(provider(), cfg_, identity, p_.now_unix);
    if (!st) continue;
    // A cached ticket not used after all goes back (give_back_ticket).
    auto not_used = [&] { give_back_ticket(provider(), cfg_, identity, *st, p_.now_unix); };
    auto info = cipher_suite_info(st->cipher_suite);
    // RFC 8446 4.6.1: the ticket is not used beyond its lifetime, nor for
    // another name, nor with another hash.
    if (st->version != 0x0304 || !info || info->hash != suite_->hash || st->sni != o.sni ||
        !ticket_current(*st, now_ms)) {
      not_used();
      continue;
    }
    // The session's client authentication must hold here and now (tickets
    // may be shared with differently configured servers); else a full
    // handshake checks the client afresh.
    if (auto why =
            resumption_refused(provider(), cfg_, *st, ProtocolVersion::tls13, o.sni, p_.now_unix)) {
      if (p_.channel->tracing())
        trace("   PSK identity " + std::to_string(i) + " not resumed: " + *why);
      not_used();
      continue;
    }
    auto early = crypto::EarlySecret::derive(provider(), suite_->hash, st->psk.view());
    TESSERA_ASSIGN_OR_RETURN(Bytes th, transcript_.current_hash_with(truncated));
    TESSERA_ASSIGN_OR_RETURN(Bytes want,
                             psk_binder(early, provider(), th, crypto::PskKind::resumption));
    // RFC 8446 4.2.11: a binder that does not validate -> abort, decrypt_error.
    // Whoever sent it did not hold the PSK: the ticket goes back to its owner.
    if (!ct_equal(want, o.psks->binders[i])) {
      not_used();
      return Error(ErrorCode::decrypt_error, "PSK binder does not verify");
    }
    return std::optional<AcceptedPsk>(AcceptedPsk{static_cast<uint16_t>(i), std::move(*st),
                                                  std::move(early), *mode,
                                                  o.psks->identities[i].obfuscated_ticket_age});
  }
  if (p_.channel->tracing())
    trace("   the client offered " + std::to_string(o.psks->identities.size()) + " PSK identit" +
          (o.psks->identities.size() == 1 ? "y" : "ies") + ", none usable here: full handshake");
  return std::optional<AcceptedPsk>();
}

// look_up_external_psks finds the external PSKs the client's identities
// name: in ServerConfig::external_psks, then in external_psk_store (one
// lookup per identity and ClientHello; a PSK the store returns that fails
// validation counts as unknown).
void Server13::look_up_external_psks(const Offer& o) {
  offered_external_.clear();
  if (!o.psks || (cfg_.external_psks.empty() && !cfg_.external_psk_store)) return;
  for (const auto& id : o.psks->identities) {
    std::shared_ptr<const ExternalPsk> found;
    for (const auto& x : cfg_.external_psks)
      if (x && x->identity.size() == id.identity.size() &&
          std::equal(id.identity.begin(), id.identity.end(), as_bytes_view(x->identity).begin())) {
        found = x;
        break;
      }
    if (!found && cfg_.external_psk_store) {
      found = cfg_.external_psk_store->find(
          std::string_view(reinterpret_cast<const char*>(id.identity.data()), id.identity.size()));
      if (found && !found->validate().ok()) found.reset();
    }
    offered_external_.push_back(std::move(found));
  }
}

// no_certificate_reason says why a server with external PSKs and no
// certificate cannot serve this ClientHello (offered_external_psk found
// nothing).
std::string Server13::no_certificate_reason(const Offer& o) const {
  if (!o.psks) return "we have no certificate (only external PSKs), and the client offered no PSK";
  for (size_t i = 0; i < o.psks->identities.size(); ++i)
    if (const ExternalPsk* x = external_psk(i))
      return "the client offers our external PSK '" + printable_identity(x->identity) +
             "' but no PSK key exchange mode our policy allows (psk_modes), and we have no "
             "certificate";
  return "we have no certificate, and the client offered none of our external PSKs (" +
         std::to_string(o.psks->identities.size()) + " unknown identit" +
         (o.psks->identities.size() == 1 ? "y" : "ies") + ")";
}

// offered_external_psk is the first of our external PSKs among the client's
// identities, if it can use one at all (a PSK mode we share).
const ExternalPsk* Server13::offered_external_psk(const Offer& o) const {
  if (!o.psks || offered_external_.empty()) return nullptr;
  bool mode = false;
  for (PskMode m : cfg_.policy.psk_modes) mode = mode || offers_psk_mode(o, m);
  if (!mode) return nullptr;
  for (size_t i = 0; i < o.psks->identities.size(); ++i)
    if (const ExternalPsk* x = external_psk(i)) return x;
  return nullptr;
}

// early_data_refusal says why the client's 0-RTT data cannot be accepted,
// or returns "" when it can (RFC 8446 4.2.10, 8).
std::string Server13::early_data_refusal(const Offer& o, const AcceptedPsk& psk, uint16_t suite,
                                         const std::optional<std::string>& alpn) {
  if (cfg_.max_early_data == 0) return "this server takes no early data";
  if (psk.external) return "tessera takes early data only with resumption tickets";
  if (psk.state.max_early_data == 0) return "the ticket was issued without early data";
  // RFC 8446 4.2.10: early data goes with the first PSK identity, the
  // ticket's cipher suite and its ALPN protocol.
  if (psk.identity != 0) return "the accepted ticket is not the first identity";
  if (suite != psk.state.cipher_suite) return "the cipher suite differs from the ticket's";
  if (alpn.value_or(std::string()) != psk.state.alpn) return "ALPN differs from the ticket's";
  // RFC 8446 8.3: the client's view of the ticket age (obfuscated age minus
  // ticket_age_add, mod 2^32) must match ours within the window; a replay
  // of an older ClientHello does not.
  ReplayGuard& guard = cfg_.replay_guard ? *cfg_.replay_guard : default_replay_guard();
  const int64_t now_ms = p_.now_unix * 1000;
  const int64_t client_age = static_cast<uint32_t>(psk.obfuscated_age - psk.state.age_add);
  const int64_t server_age = now_ms - psk.state.issued_at_ms;
  if (std::llabs(server_age - client_age) > guard.window_ms())
    return "the ticket age is outside the freshness window";
  // RFC 8446 8.2: each ticket carries early data once within the window.
  Bytes digest = provider().digest(HashAlgorithm::sha256, o.psks->identities[0].identity);
  std::array<uint8_t, 32> id{};
  std::copy_n(digest.begin(), std::min(digest.size(), id.size()), id.begin());
  if (!guard.claim(id, now_ms)) return "replay: this ticket already carried early data";
  return "";
}

Result<void> Server13::on_post_handshake(const wire::HandshakeMessage& m, Connected& st) {
  // RFC 8446 4.6.2: the client's answer (Certificate through Finished)
  // comes "consecutively on the wire with no intervening messages of other
  // types": a KeyUpdate is taken before its Certificate, not inside it.
  if (m.type == HandshakeType::key_update &&
      (!pending_auth_ || pending_auth_->expect == PostHandshakeAuth::Expect::certificate))
    return st.traffic.on_key_update(provider(), *p_.channel, m.body, "client");
  if (pending_auth_) return on_post_handshake_auth(m, st);
  return unexpected(expecting(), m.type);
}

// RFC 8446 4.6.2: "When the client has sent the "post_handshake_auth"
// extension (see Section 4.2.6), a server MAY request client authentication
// at any time after the handshake has completed by sending a
// CertificateRequest message." The context makes each request's answer its
// own (RFC 8446 4.3.2: "unique within the connection (thus preventing replay
// of client CertificateVerify messages)"): a counter, then random bytes.
Result<void> Server13::request_client_certificate() {
  if (tls12_) return tls12_->request_client_certificate();
  if (!std::holds_alternative<Connected>(state_))
    return Error(ErrorCode::internal_error,
                 "the client's certificate can be asked for only after the handshake");
  if (!client_offered_pha_)
    return Error(ErrorCode::internal_error,
                 "the client did not offer post_handshake_auth, so it cannot be asked for its "
                 "certificate after the handshake (RFC 8446 4.6.2)");
  if (!cfg_.client_trust)
    return Error(ErrorCode::config_invalid,
                 "asking for the client's certificate needs ServerConfig::client_trust");
  if (pending_auth_)
    return Error(ErrorCode::internal_error,
                 "the client has not answered our last request for its certificate yet");
  auto pa = std::make_unique<PostHandshakeAuth>();
  const uint32_t n = ++auth_requests_;
  pa->context = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                 static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  pa->context.resize(16);
  provider().public_random(MutableByteView(pa->context).subspan(4));
  TESSERA_ASSIGN_OR_RETURN(pa->transcript, transcript_.fork());
  choose_requested_schemes();
  const std::vector<Bytes> cas = client_ca_names();
  TESSERA_ASSIGN_OR_RETURN(Bytes crmsg,
                           build_certificate_request13(pa->context, requested_schemes_, cas,
                                                       cert_compression_values(cfg_.policy)));
  pa->transcript.add(crmsg);
  p_.channel->send_handshake(crmsg);
  if (p_.channel->tracing())
    trace("-> CertificateRequest (after the handshake): asking for the client's certificate; " +
          std::to_string(cas.size()) + " acceptable CA name(s)");
  pending_auth_ = std::move(pa);
  auth_request_ = ClientCertificateRequest::pending;
  return ok();
}

// The client's answer to our post-handshake CertificateRequest (RFC 8446
// 4.6.2): Certificate, CertificateVerify and Finished, or an empty
// Certificate and Finished, verified as in the handshake (RFC 8446 4.4)
// over the handshake's transcript plus this exchange, the Finished keyed by
// client_application_traffic_secret_N. "All of the client's messages for a
// given response MUST appear consecutively on the wire with no intervening
// messages of other types": from its Certificate to its Finished only
// handshake records are accepted.
Result<void> Server13::on_post_handshake_auth(const wire::HandshakeMessage& m, Connected& st) {
  PostHandshakeAuth& pa = *pending_auth_;
  using Expect = PostHandshakeAuth::Expect;
  switch (pa.expect) {
    case Expect::certificate: {
      const bool offered = !cfg_.policy.cert_compression.empty();
      if (m.type != HandshakeType::certificate &&
          !(m.type == HandshakeType::compressed_certificate && offered))
        return unexpected("Certificate (answering our CertificateRequest) or KeyUpdate", m.type);
      TESSERA_ASSIGN_OR_RETURN(ClientCertificate cc, read_client_certificate(m, pa.context));
      pa.transcript.add(m.raw);
      p_.channel->expect_handshake_only(true);
      pa.compressed_with = cc.compressed_with;
      if (!cc.chain) {
        if (p_.channel->tracing()) trace("<- Certificate: the client declines (sent none)");
        pa.expect = Expect::finished;
        return ok();
      }
      pa.chain = std::move(cc.chain);
      pa.expect = Expect::certificate_verify;
      return ok();
    }
    case Expect::certificate_verify: {
      if (m.type != HandshakeType::certificate_verify)
        return unexpected("CertificateVerify", m.type);
      TESSERA_TRY(verify_client_signature(m, *pa.chain, pa.transcript));
      pa.transcript.add(m.raw);
      TESSERA_ASSIGN_OR_RETURN(CheckedPeer checked, check_client(*pa.chain));
      (void)checked;  // no tickets follow, so nothing keeps the identity
      pa.expect = Expect::finished;
      return ok();
    }
    case Expect::finished: {
      if (m.type != HandshakeType::finished) return unexpected("Finished", m.type);
      TESSERA_ASSIGN_OR_RETURN(Bytes h, pa.transcript.current_hash());
      TESSERA_TRY(
          crypto::verify_finished(provider(), suite_->hash, st.traffic.peer_secret(), h, m.body));
      p_.channel->expect_handshake_only(false);
      if (pa.chain) {
        set_client_identity(*pa.chain, pa.compressed_with);
        summary_.client_authenticated = true;
        auth_request_ = ClientCertificateRequest::received;
      } else {
        auth_request_ = ClientCertificateRequest::declined;
      }
      if (p_.channel->tracing())
        trace(pa.chain ? "<- Finished: the client's answer verified; it is " + pa.chain->subject
                       : std::string("<- Finished: the client's answer verified (no certificate)"));
      pending_auth_.reset();
      p_.channel->event(Event::client_certificate_answered);
      return ok();
    }
  }
  return Error(ErrorCode::internal_error, "post-handshake authentication in an unknown state");
}

Result<void> Server13::key_update(bool request_peer) {
  if (tls12_) return tls12_->key_update(request_peer);
  auto* st = std::get_if<Connected>(&state_);
  if (!st) return Error(ErrorCode::unexpected_message, "KeyUpdate before the handshake completed");
  return st->traffic.send_key_update(provider(), *p_.channel, request_peer);
}

}  // namespace

std::unique_ptr<Handshake> make_server13(ServerParams p) {
  return std::make_unique<Server13>(std::move(p));
}

}  // namespace tessera::handshake
