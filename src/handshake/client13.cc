// The TLS 1.3 client (RFC 8446 2, 4): one struct per state, held in a
// std::variant; handling a message moves what is known into the next state.
//
//   START -> ClientHello [+ 0-RTT data] sent
//         -> ExpectServerHello --(HRR)--> ExpectServerHello (retried)
//         -> ExpectEncryptedExtensions -> ExpectCertificateOrRequest
//         -> [ExpectCertificate] -> ExpectCertificateVerify -> ExpectFinished
//         -> Connected (KeyUpdate, NewSessionTicket)
#include <algorithm>
#include <array>
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
#include "handshake/peer_verify.h"
#include "handshake/tickets.h"
#include "handshake/traffic13.h"
#include "record/record.h"
#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/empty_messages.h"
#include "wire/encrypted_extensions.h"
#include "wire/extension_rules.h"
#include "wire/extensions.h"
#include "wire/hello.h"
#include "wire/post_handshake.h"
#include "x509/identity.h"

namespace tessera::handshake {

namespace {

using wire::HandshakeType;

struct ExpectServerHello {
  static constexpr const char* kExpecting = "ServerHello";
  std::vector<std::unique_ptr<crypto::KeyShare>> shares;
  bool retried = false;
  uint16_t hrr_suite = 0;  // the suite a HelloRetryRequest named
};

using Keys = HandshakeTrafficSecrets;

struct ExpectEncryptedExtensions {
  static constexpr const char* kExpecting = "EncryptedExtensions";
  Keys keys;
};
struct ExpectCertificateOrRequest {
  static constexpr const char* kExpecting = "Certificate or CertificateRequest";
  Keys keys;
};
struct ExpectCertificate {
  static constexpr const char* kExpecting = "Certificate";
  Keys keys;
  CertificateRequestInfo request;  // the server asked for our certificate
};
struct ExpectCertificateVerify {
  static constexpr const char* kExpecting = "CertificateVerify";
  Keys keys;
  std::optional<CertificateRequestInfo> request;
  PeerChain chain;
};
struct ExpectFinished {
  static constexpr const char* kExpecting = "Finished";
  Keys keys;
  std::optional<CertificateRequestInfo> request;
};
struct Connected {
  static constexpr const char* kExpecting = "KeyUpdate or NewSessionTicket";
  Traffic13 traffic;
};

class Client13 final : public Handshake {
 public:
  explicit Client13(ClientParams p) : p_(std::move(p)), cfg_(*p_.config) {}

  Result<void> start() override;
  Result<void> on_message(const wire::HandshakeMessage& m) override;
  // Once the server chose TLS 1.2 everything goes to the TLS 1.2 state machine.
  Result<void> on_change_cipher_spec() override {
    if (tls12_) return tls12_->on_change_cipher_spec();
    return Handshake::on_change_cipher_spec();
  }
  Result<void> on_signature(Result<std::vector<uint8_t>> answer) override {
    if (tls12_) return tls12_->on_signature(std::move(answer));
    return Handshake::on_signature(std::move(answer));
  }
  bool ccs_allowed() const override {
    if (tls12_) return tls12_->ccs_allowed();
    return !std::holds_alternative<Connected>(state_) && sent_client_hello_;
  }
  bool is_done() const override {
    return tls12_ ? tls12_->is_done() : std::holds_alternative<Connected>(state_);
  }
  Result<void> key_update(bool request_peer) override;
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
  Result<void> on_server_hello(const wire::HandshakeMessage& m, ExpectServerHello& st);
  Result<void> on_hello_retry(const wire::ServerHello& hrr, ByteView raw, ExpectServerHello& st);
  Result<void> on_encrypted_extensions(const wire::HandshakeMessage& m,
                                       ExpectEncryptedExtensions& st);
  Result<void> on_certificate_request(const wire::HandshakeMessage& m,
                                      ExpectCertificateOrRequest& st);
  Result<void> on_certificate(const wire::HandshakeMessage& m, Keys keys,
                              std::optional<CertificateRequestInfo> request);
  Result<void> on_certificate_verify(const wire::HandshakeMessage& m, ExpectCertificateVerify& st);
  Result<void> on_finished(const wire::HandshakeMessage& m, ExpectFinished& st);
  Result<void> on_post_handshake(const wire::HandshakeMessage& m, Connected& st);
  Result<void> on_post_handshake_certificate_request(const wire::HandshakeMessage& m,
                                                     Connected& st);
  // Then: the rest of a step, once our CertificateVerify (if any) is sent.
  using Then = std::function<Result<void>()>;
  Result<void> send_client_authentication(const CertificateRequestInfo& request,
                                          crypto::Transcript& t, bool after_handshake, Then then);
  // Our second flight's Finished, after the client authentication.
  struct SecondFlight {
    ApplicationTrafficSecrets app;
    SecretBytes client_hs;
  };
  Result<void> finish_second_flight(SecondFlight f);

  // Which ClientHello make_client_hello builds: the only one, or, with
  // Encrypted Client Hello, the inner one (sealed) or the outer one (sent).
  enum class HelloPart : uint8_t { plain, inner, outer };
  Result<wire::ClientHello> make_client_hello(
      const std::vector<std::unique_ptr<crypto::KeyShare>>& shares, ByteView cookie,
      HelloPart part);
  Result<Bytes> finish_client_hello(wire::ClientHello& ch, bool early_data);
  // The bytes finish_client_hello's pre_shared_key extension adds (RFC 8446
  // 4.2.11): type and length, one identity with its age, one binder.
  size_t psk_extension_size() const {
    if (!offer13_ || !session_) return 0;
    const size_t binder = hash_length(cipher_suite_info(session_->cipher_suite)->hash);
    return 4 + 2 + (2 + session_->ticket.size() + 4) + 2 + (1 + binder);
  }
  Result<Bytes> send_client_hello(const std::vector<std::unique_ptr<crypto::KeyShare>>& shares,
                                  ByteView cookie, bool early_data);
  Result<void> ech_hello_retry(const wire::ServerHello& hrr,
                               const std::optional<wire::EchHelloRetryRequest>& confirmation);
  Result<void> ech_server_hello(const wire::ServerHello& sh, ByteView raw);
  void ech_rejected();
  // ECH offered and refused; summary_.ech is the one record of the server's
  // answer (not_offered until it comes).
  bool ech_rejected_now() const { return ech_ && summary_.ech == EchStatus::rejected; }
  Result<void> send_early_data(ByteView client_hello);
  void early_data_refused(const std::string& why);
  void send_after_handshake_data();
  bool offers_psk_mode(PskMode m) const {
    const auto& v = cfg_.policy.psk_modes;
    return std::find(v.begin(), v.end(), m) != v.end();
  }
  void trace(const std::string& s) { p_.channel->trace(s); }

  ClientParams p_;
  const ClientConfig& cfg_;
  crypto::Provider& provider() { return *p_.provider; }

  std::variant<ExpectServerHello, ExpectEncryptedExtensions, ExpectCertificateOrRequest,
               ExpectCertificate, ExpectCertificateVerify, ExpectFinished, Connected>
      state_;
  crypto::Transcript transcript_;
  wire::Random client_random_{};
  Bytes session_id_;
  std::vector<uint16_t> offered_suites_;
  std::vector<uint16_t> offered_groups_;
  std::vector<uint16_t> offered_schemes_;
  std::vector<std::string> offered_alpn_;
  std::string sni_;  // empty when server_name is an IP literal
  std::optional<CipherSuiteInfo> suite_;
  bool sent_client_hello_ = false;
  bool offer13_ = true;
  // The ClientHello on the wire (with ECH: the outer one) offers TLS 1.2; an
  // inner ClientHello never does (offers12).
  bool offer12_ = false;
  bool offers12(HelloPart part) const { return offer12_ && part != HelloPart::inner; }
  // suites_offered is the cipher_suites list of a ClientHello part: ours,
  // without the TLS 1.2 suites where the part offers TLS 1.3 only (draft 6.1).
  std::vector<uint16_t> suites_offered(HelloPart part) const {
    std::vector<uint16_t> out;
    for (uint16_t cs : offered_suites_)
      if (offers12(part) || cipher_suite_info(cs)->version == ProtocolVersion::tls13)
        out.push_back(cs);
    return out;
  }
  // The ticket we offer, until the ServerHello. Sessions are held by pointer:
  // a Session is ~280 bytes, and most connections offer none.
  std::unique_ptr<Session> session_;
  // session_ holds cfg_.external_psk instead of a ticket (RFC 8446 4.2.11):
  // its binder uses "ext binder", and no 0-RTT data goes with it.
  bool external_psk_ = false;
  std::optional<crypto::EarlySecret> psk_early_;  // session_'s Early Secret (RFC 8446 7.1)
  std::unique_ptr<Session> session12_;            // a TLS 1.2 session ticket we offer
  // The server identity a peer check saw (verified, or from the resumed
  // session), kept in the sessions we store; null when no check ran.
  std::unique_ptr<KeptIdentity> server_kept_;
  bool psk_accepted_ = false;
  bool sent_ccs_ = false;
  // 0-RTT (RFC 8446 2.3): early_sent_ bytes of options.early_data went out
  // under the early traffic keys, which stay our write keys while
  // early_pending_ (until EncryptedExtensions says whether they were taken).
  size_t early_sent_ = 0;
  bool early_pending_ = false;
  std::optional<std::string> early_alpn_;  // the ticket's ALPN, when 0-RTT data was sent
  bool early_accepted_ = false;
  HandshakeSummary summary_;
  std::unique_ptr<Handshake> tls12_;  // set when the server chose TLS 1.2
  // Encrypted Client Hello offered (ClientOptions::ech_config_list): the
  // config, the HPKE context and the outer ClientHello's transcript.
  std::unique_ptr<EchClient> ech_;
  // GREASE ECH (ClientConfig::ech_grease) instead: the extension our first
  // ClientHello carried, which a second one repeats (draft 6.2.1).
  std::optional<wire::Extension> ech_grease_;
};

std::string Client13::expecting() const {
  if (tls12_) return tls12_->expecting();
  if (std::holds_alternative<Connected>(state_) && cfg_.post_handshake_auth)
    return "KeyUpdate, NewSessionTicket or CertificateRequest";
  return expecting_name(state_);
}

// make_client_hello builds a ClientHello up to, not including, its
// early_data and pre_shared_key extensions (finish_client_hello adds them).
// With Encrypted Client Hello (draft-ietf-tls-esni 6.1) the inner one is
// ours as usual, TLS 1.3 only, plus the inner encrypted_client_hello
// extension. The outer one (the only one an observer sees) has its own
// random and names the config's public name; otherwise it offers what we
// would without ECH (TLS 1.2 if the policy allows it, ALPN,
// post_handshake_auth), so that it carries the extensions of a ClientHello
// with GREASE ECH, in the same order (10.10.4, "Do Not Stick Out"). ALPN
// is thus sent in the clear, as without ECH (6.1 allows copying it); it is
// compressed out of the inner one. Neither offers a TLS 1.2 session (start).
Result<wire::ClientHello> Client13::make_client_hello(
    const std::vector<std::unique_ptr<crypto::KeyShare>>& shares, ByteView cookie, HelloPart part) {
  using namespace wire;
  const bool outer = part == HelloPart::outer;
  ClientHello ch;
  ch.random = outer ? ech_->outer_random : client_random_;
  // draft 6.1: the outer ClientHello copies legacy_session_id from the inner.
  ch.legacy_session_id = session_id_;
  const bool with12 = offers12(part);
  ch.cipher_suites = suites_offered(part);
  // RFC 8446 4.1.2: legacy_compression_methods MUST contain exactly one byte, 0.
  ch.legacy_compression_methods = {0};
  // draft 6.1: the outer ClientHello SHOULD name ECHConfig.public_name.
  const std::string& sni = outer ? ech_->public_name() : sni_;
  if (!sni.empty()) ch.extensions.push_back(make_extension(kExtServerName, ServerNameList{sni}));
  if (offer13_) {
    // RFC 8446 4.2.1: supported_versions lists every version we speak, in
    // preference order; a TLS 1.2-only hello omits it.
    SupportedVersionsClient sv{{0x0304}};
    if (with12) sv.versions.push_back(0x0303);
    ch.extensions.push_back(make_extension(kExtSupportedVersions, sv));
  }
  ch.extensions.push_back(make_extension(kExtSupportedGroups, NamedGroupList{offered_groups_}));
  ch.extensions.push_back(
      make_extension(kExtSignatureAlgorithms, SignatureSchemeList{offered_schemes_}));
  // RFC 6066 8: ask for the server's OCSP response (both versions).
  if (cfg_.ocsp != OcspStapling::off)
    ch.extensions.push_back(make_extension(kExtStatusRequest, CertificateStatusRequest{}));
  if (offer13_) {
    KeyShareClientHello ks;
    for (const auto& s : shares) {
      ByteView pub = s->public_value();
      ks.client_shares.push_back(
          {static_cast<uint16_t>(s->group()), Bytes(pub.begin(), pub.end())});
    }
    ch.extensions.push_back(make_extension(kExtKeyShare, ks));
  }
  if (with12) {
    // RFC 7627 5.1: offer the extended master secret; RFC 5746 3.4: an empty
    // renegotiation_info (we never renegotiate, but servers want the signal);
    // RFC 8422 5.1.2: ec_point_formats with uncompressed only.
    ch.extensions.push_back(make_empty_extension(kExtExtendedMasterSecret));
    ch.extensions.push_back(make_extension(kExtRenegotiationInfo, RenegotiationInfo{}));
    ch.extensions.push_back(make_extension(kExtEcPointFormats, EcPointFormats{}));
    // RFC 5077 3.1/3.4: ask for a ticket (empty) or offer ours.
    if (cfg_.session_store)
      ch.extensions.push_back(make_extension(
          kExtSessionTicket, SessionTicketExtension{session12_ ? session12_->ticket : Bytes{}}));
  }
  if (!offered_alpn_.empty())
    ch.extensions.push_back(make_extension(kExtAlpn, ProtocolNameList{offered_alpn_}));
  // RFC 8449 4: "Endpoints SHOULD advertise the "record_size_limit"
  // extension, even if they have no need to limit the size of records."
  ch.extensions.push_back(make_extension(
      kExtRecordSizeLimit, RecordSizeLimit{advertised_record_size_limit(cfg_.policy, offer13_)}));
  // RFC 8879 3: compress_certificate offers to take the server's
  // certificate compressed (TLS 1.3 only; a TLS 1.2 server ignores it).
  if (offer13_ && !cfg_.policy.cert_compression.empty())
    ch.extensions.push_back(
        make_extension(kExtCompressCertificate,
                       CertificateCompressionAlgorithms{cert_compression_values(cfg_.policy)}));
  if (!cookie.empty())
    ch.extensions.push_back(
        make_extension(kExtCookie, Cookie{Bytes(cookie.begin(), cookie.end())}));
  // RFC 8446 4.2.6: post_handshake_auth (empty) lets the server ask for our
  // certificate after the handshake.
  if (offer13_ && cfg_.post_handshake_auth)
    ch.extensions.push_back(make_empty_extension(kExtPostHandshakeAuth));
  if (offer13_ && (cfg_.session_store || external_psk_) && !cfg_.policy.psk_modes.empty()) {
    // RFC 8446 4.2.9: the modes we can use tickets with, as the policy lists
    // them (psk_dhe_ke unless psk_ke was allowed).
    PskKeyExchangeModes modes;
    for (PskMode m : cfg_.policy.psk_modes) modes.modes.push_back(static_cast<uint8_t>(m));
    ch.extensions.push_back(make_extension(kExtPskKeyExchangeModes, modes));
  }
  // draft 5: the inner ClientHello carries the extension's inner variant
  // (so that the server may answer it), left unmodified after an HRR (6.1.5).
  if (part == HelloPart::inner)
    ch.extensions.push_back(make_extension(kExtEncryptedClientHello, EchClientHello::inner()));
  return ch;
}

// finish_client_hello adds early_data and pre_shared_key (with its binder)
// to a ClientHello from make_client_hello and encodes it.
Result<Bytes> Client13::finish_client_hello(wire::ClientHello& ch, bool early_data) {
  using namespace wire;
  if (!offer13_ || !session_) return encode_handshake(ch);
  // RFC 8446 4.2.10: early_data goes with pre_shared_key (never after a
  // HelloRetryRequest).
  if (early_data) ch.extensions.push_back(make_empty_extension(kExtEarlyData));
  // RFC 8446 4.2.11: pre_shared_key is the last extension. The binder is
  // computed over the ClientHello truncated before the binders list (and,
  // after a HelloRetryRequest, the transcript before it), then filled in.
  const HashAlgorithm hash = cipher_suite_info(session_->cipher_suite)->hash;
  const size_t hlen = hash_length(hash);
  const int64_t age_ms = p_.now_unix * 1000 - session_->received_at_ms;
  OfferedPsks psks;
  psks.identities.push_back(
      {Bytes(session_->ticket.begin(), session_->ticket.end()),
       static_cast<uint32_t>(static_cast<uint32_t>(std::max<int64_t>(age_ms, 0)) +
                             session_->age_add)});
  psks.binders.push_back(Bytes(hlen, 0));
  ch.extensions.push_back(make_extension(kExtPreSharedKey, psks));
  TESSERA_ASSIGN_OR_RETURN(Bytes msg, encode_handshake(ch));
  TESSERA_ASSIGN_OR_RETURN(ByteView truncated, ch.truncate_for_binders(msg));
  Bytes th;
  if (transcript_.has_hash()) {
    TESSERA_ASSIGN_OR_RETURN(th, transcript_.current_hash_with(truncated));
  } else {
    th = provider().digest(hash, truncated);
  }
  // The ticket's Early Secret, derived once: it also keys the binder of a
  // second ClientHello, our 0-RTT data and, if the server takes the PSK,
  // the handshake secrets.
  if (!psk_early_) psk_early_ = crypto::EarlySecret::derive(provider(), hash, session_->psk);
  TESSERA_ASSIGN_OR_RETURN(Bytes binder, psk_binder(*psk_early_, provider(), th,
                                                    external_psk_ ? crypto::PskKind::external
                                                                  : crypto::PskKind::resumption));
  std::copy(binder.begin(), binder.end(), msg.end() - static_cast<std::ptrdiff_t>(hlen));
  return msg;
}

// send_client_hello builds, records and sends our (first or second)
// ClientHello, and returns the one whose transcript counts for 0-RTT. With
// Encrypted Client Hello (draft 6.1) the inner ClientHello is sealed into
// the outer one, which is what goes out; both transcripts are kept until
// the server's answer says which one it used. After a HelloRetryRequest that
// refused ECH only the outer ClientHello is left, and it repeats the first
// one's encrypted_client_hello extension unchanged (RFC 8446 4.1.2).
Result<Bytes> Client13::send_client_hello(
    const std::vector<std::unique_ptr<crypto::KeyShare>>& shares, ByteView cookie,
    bool early_data) {
  const bool seal = ech_ && !ech_rejected_now();
  TESSERA_ASSIGN_OR_RETURN(wire::ClientHello ch, make_client_hello(shares, cookie,
                                                                   !ech_  ? HelloPart::plain
                                                                   : seal ? HelloPart::inner
                                                                          : HelloPart::outer));
  if (ech_ && !seal) ch.extensions.push_back(ech_->first_extension());
  if (summary_.ech == EchStatus::grease) {
    // draft 6.2.1: a GREASE extension in the first ClientHello, copied
    // unchanged into the second. It goes where a real one would, before
    // early_data and pre_shared_key, and is as long as a real one would be.
    if (!ech_grease_) {
      TESSERA_ASSIGN_OR_RETURN(wire::ClientHello inner,
                               make_client_hello(shares, cookie, HelloPart::inner));
      TESSERA_ASSIGN_OR_RETURN(ech_grease_,
                               grease_ech_extension(provider(), ch, inner, psk_extension_size()));
    }
    ch.extensions.push_back(*ech_grease_);
  }
  TESSERA_ASSIGN_OR_RETURN(Bytes msg, finish_client_hello(ch, early_data));
  if (!seal) {
    transcript_.add(msg);
    p_.channel->send_handshake(msg);
    return msg;
  }
  TESSERA_ASSIGN_OR_RETURN(auto inner, wire::ClientHello::parse(ByteView(msg).subspan(4)));
  TESSERA_ASSIGN_OR_RETURN(wire::ClientHello outer,
                           make_client_hello(shares, cookie, HelloPart::outer));
  TESSERA_ASSIGN_OR_RETURN(Bytes outer_msg, ech_->seal(provider(), inner, std::move(outer)));
  transcript_.add(msg);
  if (summary_.ech == EchStatus::not_offered) ech_->outer_transcript.add(outer_msg);
  p_.channel->send_handshake(outer_msg);
  return msg;
}

Result<void> Client13::start() {
  const Policy& pol = cfg_.policy;
  offer13_ = pol.allows_version(ProtocolVersion::tls13);
  offer12_ = pol.allows_version(ProtocolVersion::tls12);
  if (!p_.options.ech_config_list.empty()) {
    if (!offer13_)
      return Error(ErrorCode::config_invalid,
                   "Encrypted Client Hello needs TLS 1.3, which the policy does not allow");
    TESSERA_ASSIGN_OR_RETURN(ech_, EchClient::choose(p_.options.ech_config_list));
    // draft-ietf-tls-esni 6.1: the inner ClientHello "MUST NOT offer to
    // negotiate TLS 1.2 or below" (offers12); the outer one may, and does
    // when the policy allows TLS 1.2, like a ClientHello without ECH. A
    // server that answers it in TLS 1.2 refused ECH (on_server_hello).
    provider().public_random(ech_->outer_random);
    summary_.ech_public_name = ech_->public_name();
  } else if (cfg_.ech_grease && offer13_) {
    summary_.ech = EchStatus::grease;
  }
  // With an external PSK and no certificate verification, the PSK is the
  // only way the server can authenticate: TLS 1.2 could not use it.
  if (cfg_.external_psk && !cfg_.verify_peer) offer12_ = false;
  // RFC 8446 D.4: in middlebox compatibility mode the client sends a
  // non-empty legacy_session_id. A TLS 1.2-only client resumes nothing and
  // sends an empty one (RFC 5246 7.4.1.2). Both values go on the wire in the
  // clear: one public_random draw makes both.
  std::array<uint8_t, 2 * sizeof client_random_> fresh{};
  provider().public_random(
      MutableByteView(fresh).first(offer13_ ? fresh.size() : sizeof client_random_));
  std::copy_n(fresh.begin(), client_random_.size(), client_random_.begin());
  if (offer13_) session_id_.assign(fresh.begin() + client_random_.size(), fresh.end());
  // Only the suites of the versions we offer (a TLS 1.3-only ClientHello
  // lists no TLS 1.2 suite).
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    if (!(v == ProtocolVersion::tls13 ? offer13_ : offer12_)) continue;
    for (CipherSuite s : pol.suites_for(v)) offered_suites_.push_back(static_cast<uint16_t>(s));
  }
  for (NamedGroup g : pol.groups) offered_groups_.push_back(static_cast<uint16_t>(g));
  for (SignatureScheme s : pol.signature_schemes)
    offered_schemes_.push_back(static_cast<uint16_t>(s));
  offered_alpn_ = p_.options.alpn.empty() ? cfg_.alpn : p_.options.alpn;
  const std::string& name = p_.options.server_name;
  // RFC 6066 3: literal IP addresses are not permitted in server_name, in
  // any of the forms a resolver reads ("127.1" too).
  if (!name.empty() && !x509::parse_ip_address(name) && !x509::numeric_ipv4_form(name)) {
    // RFC 6066 3: the HostName is sent "without a trailing dot" (the
    // certificate check ignores one).
    sni_ = name;
    if (sni_.back() == '.') sni_.pop_back();
  }
  summary_.server_name = sni_;

  if (cfg_.external_psk) {
    // RFC 8446 4.2.11: an external PSK is offered with an obfuscated ticket
    // age of 0, and only with suites of its hash (Connection::client checked
    // that we offer one; the first stands in for the PSK's "suite").
    const ExternalPsk& x = *cfg_.external_psk;
    for (uint16_t cs : offered_suites_) {
      auto info = cipher_suite_info(cs);
      if (info && info->version == ProtocolVersion::tls13 && info->hash == x.hash) {
        session_ = std::make_unique<Session>();
        session_->cipher_suite = cs;
        break;
      }
    }
    if (!session_ || !offer13_)
      return Error(ErrorCode::config_invalid,
                   "an external PSK needs TLS 1.3 and a TLS 1.3 cipher suite with its hash (" +
                       std::string(hash_name(x.hash)) + ")");
    session_->ticket.assign(x.identity.begin(), x.identity.end());
    session_->psk = x.key;
    session_->received_at_ms = p_.now_unix * 1000;
    external_psk_ = true;
  } else if (cfg_.session_store && !p_.options.server_name.empty()) {
    // RFC 8446 4.6.1 / C.4: a ticket is offered once, for the name it was
    // issued for, and only with a suite of the same hash.
    if (auto taken = cfg_.session_store->take(p_.options.server_name, p_.now_unix * 1000))
      session_ = std::make_unique<Session>(std::move(*taken));
    // A server identity the peer check refuses now (or one the session did
    // not keep) is not resumed: the full handshake checks the server again.
    if (session_ && cfg_.peer_check) {
      KeptIdentity k = kept_identity(*session_);
      if (auto why = resumed_peer_refused(
              cfg_.peer_check, k, /*peer_is_server=*/true,
              session_->version == 0x0303 ? ProtocolVersion::tls12 : ProtocolVersion::tls13,
              p_.options.server_name)) {
        if (p_.channel->tracing()) trace("   stored session not offered: " + *why);
        session_.reset();
      } else {
        server_kept_ = std::make_unique<KeptIdentity>(std::move(k));
      }
    }
    if (session_ && session_->version == 0x0303) {
      // A TLS 1.2 session ticket (RFC 5077), offered in session_ticket with
      // a session id the server echoes when it accepts it (3.4).
      auto info = cipher_suite_info(session_->cipher_suite);
      // draft 6.1: not with ECH, inside ("MUST NOT offer to resume any
      // session for TLS 1.2") or outside (6.1.2: nothing of the true server).
      if (offer12_ && !ech_ && info && info->version == ProtocolVersion::tls12 &&
          std::find(offered_suites_.begin(), offered_suites_.end(), session_->cipher_suite) !=
              offered_suites_.end() &&
          session_->psk.size() == 48 && session_->extended_master_secret &&
          (!session_->ticket.empty() || !session_->session_id.empty())) {
        session12_ = std::move(session_);
        if (session12_->ticket.empty()) {
          // RFC 5246 7.4.1.2: a session the server named by ID is offered by
          // that ID (it also serves as the middlebox-compatibility ID).
          session_id_ = session12_->session_id;
        } else if (session_id_.empty()) {
          session_id_.resize(32);
          provider().public_random(session_id_);
        }
      }
      session_.reset();
    }
    if (session_) {
      auto info = cipher_suite_info(session_->cipher_suite);
      bool usable =
          offer13_ && info && info->version == ProtocolVersion::tls13 && !session_->psk.empty();
      if (usable) {
        usable = false;
        for (uint16_t cs : offered_suites_) {
          auto o = cipher_suite_info(cs);
          if (o && o->version == ProtocolVersion::tls13 && o->hash == info->hash) usable = true;
        }
      }
      if (!usable) session_.reset();
    }
  }
  // RFC 8446 4.2.10: 0-RTT needs a ticket that allows it, whose cipher suite
  // we offer and whose ALPN protocol (if any) we offer.
  // No 0-RTT with Encrypted Client Hello (ClientOptions::ech_config_list).
  const bool early =
      !ech_ && session_ && !p_.early.data.empty() && session_->max_early_data > 0 &&
      std::find(offered_suites_.begin(), offered_suites_.end(), session_->cipher_suite) !=
          offered_suites_.end() &&
      (session_->alpn.empty() || std::find(offered_alpn_.begin(), offered_alpn_.end(),
                                           session_->alpn) != offered_alpn_.end());

  ExpectServerHello st;
  if (offer13_)
    for (NamedGroup g : pol.key_share_groups) {
      TESSERA_ASSIGN_OR_RETURN(auto share, provider().generate_key_share(g));
      st.shares.push_back(std::move(share));
    }
  TESSERA_ASSIGN_OR_RETURN(Bytes ch, send_client_hello(st.shares, {}, early));
  sent_client_hello_ = true;
  if (p_.channel->tracing()) {
    // Formatted only if a tracer reads it; the closure owns copies of what it
    // names (see Channel::trace_lazy).
    std::vector<uint16_t> share_groups;
    for (const auto& s : st.shares) share_groups.push_back(static_cast<uint16_t>(s->group()));
    // With ECH, what the inner ClientHello offers (the outer one: below).
    const HelloPart ours = ech_ ? HelloPart::inner : HelloPart::plain;
    const char* versions = offer13_ && offers12(ours) ? "TLS 1.3 and TLS 1.2"
                           : offer13_                 ? "TLS 1.3"
                                                      : "TLS 1.2";
    std::vector<uint16_t> suites = suites_offered(ours);
    const char* resuming = external_psk_ ? "; offering our external PSK"
                           : session_
                               ? "; offering a resumption ticket (PSK) from an earlier connection"
                           : !session12_ ? ""
                           : session12_->ticket.empty()
                               ? "; offering a TLS 1.2 session ID from an earlier connection"
                               : "; offering a TLS 1.2 session ticket from an earlier connection";
    p_.channel->trace_lazy(
        [versions, resuming, suites = std::move(suites), groups = offered_groups_,
         share_groups = std::move(share_groups), offer13 = offer13_, sni = sni_,
         alpn = !offered_alpn_.empty(), random = client_random_,
         pha = offer13_ && cfg_.post_handshake_auth,
         compression = offer13_ ? cert_compression_values(cfg_.policy) : std::vector<uint16_t>{}] {
          return "-> ClientHello: offering " + std::string(versions) + "; cipher suites " +
                 describe_suites(suites) + "; groups " + describe_groups(groups) +
                 (offer13 ? "; key shares " + describe_groups(share_groups) : std::string()) +
                 "; SNI " + (sni.empty() ? "(none)" : sni) + (alpn ? "; ALPN offered" : "") +
                 (pha ? "; post-handshake authentication offered" : "") +
                 (compression.empty() ? std::string()
                                      : "; takes certificates compressed with " +
                                            describe_cert_compression(compression)) +
                 resuming + "; random " + hex_short(random);
        });
    if (ech_grease_)
      trace("   ECH: GREASE encrypted_client_hello (" + std::to_string(ech_grease_->data.size()) +
            " bytes of random, shaped like a real offer; we have no ECH config for this server)");
    if (ech_)
      trace("   ECH: this ClientHello is encrypted (" + std::to_string(ech_->inner_size()) +
            " bytes, padded) to " + ech_->describe() +
            "; the outer ClientHello sent around it names only " + ech_->public_name() +
            (offer12_ ? " and offers TLS 1.2 too, as it would without ECH" : "") + "; random " +
            hex_short(ech_->outer_random));
  }
  state_ = std::move(st);
  if (early) TESSERA_TRY(send_early_data(ch));
  return ok();
}

// send_early_data sends our 0-RTT data right after the ClientHello (RFC 8446
// 2.3) under client_early_traffic_secret = Derive-Secret(Early Secret of the
// ticket's PSK, "c e traffic", ClientHello) with the ticket's suite.
Result<void> Client13::send_early_data(ByteView client_hello) {
  const auto info = *cipher_suite_info(session_->cipher_suite);
  TESSERA_ASSIGN_OR_RETURN(SecretBytes secret, psk_early_->client_early_traffic_secret(
                                                   provider().digest(info.hash, client_hello)));
  if (cfg_.keylog)
    cfg_.keylog(keylog_line("CLIENT_EARLY_TRAFFIC_SECRET", client_random_, secret.view()));
  // RFC 8446 D.4: with early data the compatibility CCS follows the first
  // ClientHello immediately.
  p_.channel->send_change_cipher_spec();
  sent_ccs_ = true;
  TESSERA_TRY(p_.channel->set_write_secret_tls13(info, secret.view()));
  // RFC 8449 4: "Records are subject to the limits that were set in the
  // handshake that produces the keys that are used to protect those
  // records": 0-RTT keys come from the ticket's handshake.
  if (session_->record_size_limit != 0)
    p_.channel->limit_sent_records(record_content_limit(session_->record_size_limit, true));
  early_alpn_ = session_->alpn;  // RFC 8446 4.2.10: resent only under the same ALPN
  early_sent_ = std::min<size_t>(p_.early.data.size(), session_->max_early_data);
  p_.channel->send_application_data(ByteView(p_.early.data).first(early_sent_));
  early_pending_ = true;
  if (p_.channel->tracing())
    trace("-> early data (0-RTT): " + std::to_string(early_sent_) +
          " bytes sent before the server answered, under the ticket's early traffic keys "
          "(replayable by an attacker: only for requests safe to repeat)");
  return ok();
}

// early_data_refused records that the server did not take our 0-RTT data:
// from now on we write with the handshake keys (after an HRR, in plaintext).
void Client13::early_data_refused(const std::string& why) {
  early_pending_ = false;
  summary_.early_data = EarlyData::rejected;
  p_.channel->event(Event::early_data_rejected);
  if (p_.channel->tracing())
    trace("   0-RTT refused (" + why + ")" +
          (p_.early.resend_if_rejected ? "; the data will be sent again after the handshake"
                                       : "; the data is dropped (resend_if_rejected is off)"));
}

// send_after_handshake_data sends, under the application keys, what of
// options.early_data did not travel as accepted 0-RTT data.
void Client13::send_after_handshake_data() {
  ByteView data = p_.early.data;
  if (data.empty()) return;
  if (early_accepted_) {
    data = data.subspan(early_sent_);
  } else if (!p_.early.resend_if_rejected) {
    return;
  } else if (early_alpn_ && summary_.alpn != *early_alpn_) {
    // RFC 8446 4.2.10: "A TLS implementation MUST NOT automatically resend
    // early data unless the negotiated connection selects the same ALPN
    // protocol": the data was written for the ticket's protocol.
    summary_.early_data_dropped = true;
    if (p_.channel->tracing())
      trace("   the refused 0-RTT data is dropped, not sent again: it was written for ALPN '" +
            *early_alpn_ + "' and this connection selected '" + summary_.alpn +
            "' (RFC 8446 4.2.10)");
    return;
  }
  if (!data.empty()) p_.channel->send_application_data(data);
}

Result<void> Client13::on_message(const wire::HandshakeMessage& m) {
  if (tls12_) return tls12_->on_message(m);
  if (auto* s = std::get_if<ExpectServerHello>(&state_)) {
    // RFC 5246 7.4.1.1: a HelloRequest "will be ignored by the client if the
    // client is currently negotiating a session" - which a client offering
    // TLS 1.2 is until the ServerHello names the version. TLS 1.3 has no
    // HelloRequest: a TLS 1.3-only client, or one a HelloRetryRequest has
    // committed to TLS 1.3, refuses it (unexpected_message, below).
    if (m.type == HandshakeType::hello_request && offer12_ && !s->retried) {
      if (!m.body.empty())
        return Error(ErrorCode::decode_trailing_data, AlertDescription::decode_error,
                     "HelloRequest has a body");
      if (p_.channel->tracing())
        trace("<- HelloRequest: ignored during the handshake (RFC 5246 7.4.1.1)");
      return ok();
    }
    if (m.type != HandshakeType::server_hello) return unexpected(expecting(), m.type);
    return on_server_hello(m, *s);
  }
  if (auto* s = std::get_if<ExpectEncryptedExtensions>(&state_)) {
    if (m.type != HandshakeType::encrypted_extensions) return unexpected(expecting(), m.type);
    return on_encrypted_extensions(m, *s);
  }
  // RFC 8879 4: a CompressedCertificate replaces the Certificate, when we
  // offered compression; otherwise it is unexpected like any other message.
  const bool certificate =
      m.type == HandshakeType::certificate ||
      (m.type == HandshakeType::compressed_certificate && !cfg_.policy.cert_compression.empty());
  if (auto* s = std::get_if<ExpectCertificateOrRequest>(&state_)) {
    if (m.type == HandshakeType::certificate_request) return on_certificate_request(m, *s);
    if (certificate) return on_certificate(m, std::move(s->keys), std::nullopt);
    return unexpected(expecting(), m.type);
  }
  if (auto* s = std::get_if<ExpectCertificate>(&state_)) {
    if (!certificate) return unexpected(expecting(), m.type);
    return on_certificate(m, std::move(s->keys), std::move(s->request));
  }
  if (auto* s = std::get_if<ExpectCertificateVerify>(&state_)) {
    if (m.type != HandshakeType::certificate_verify) return unexpected(expecting(), m.type);
    return on_certificate_verify(m, *s);
  }
  if (auto* s = std::get_if<ExpectFinished>(&state_)) {
    if (m.type != HandshakeType::finished) return unexpected(expecting(), m.type);
    return on_finished(m, *s);
  }
  return on_post_handshake(m, std::get<Connected>(state_));
}

Result<void> Client13::on_server_hello(const wire::HandshakeMessage& m, ExpectServerHello& st) {
  TESSERA_ASSIGN_OR_RETURN(auto sh, wire::ServerHello::parse(m.body));
  const auto* sv = sh.find_extension(wire::kExtSupportedVersions);
  // RFC 8446 4.1.3: the random is examined first; 4.1.4: a
  // HelloRetryRequest "MUST contain supported_versions" (it is TLS 1.3's
  // alone, never a TLS 1.2 ServerHello).
  if (!sv && sh.is_hello_retry_request())
    return Error(ErrorCode::missing_extension, AlertDescription::missing_extension,
                 "HelloRetryRequest without supported_versions");
  if (!sv) {
    // RFC 8446 4.1.3: a TLS 1.3 client receiving a TLS 1.2 (or lower)
    // ServerHello whose random carries a downgrade sentinel MUST abort with
    // illegal_parameter.
    if (offer13_ && sh.downgrade_sentinel() != wire::DowngradeSentinel::none)
      return Error(ErrorCode::illegal_parameter,
                   "ServerHello.random carries a TLS 1.3 downgrade sentinel: a TLS 1.3 server "
                   "chose " +
                       describe_versions(std::vector<uint16_t>{sh.legacy_version}) +
                       ", so someone removed TLS 1.3 from our ClientHello");
    std::vector<uint16_t> ours;
    if (offer13_) ours.push_back(0x0304);
    if (offer12_) ours.push_back(0x0303);
    if (!offer12_ || sh.legacy_version != 0x0303)
      return Error(ErrorCode::protocol_version,
                   "server chose " + describe_versions(std::vector<uint16_t>{sh.legacy_version}) +
                       " but we offered " + describe_versions(ours));
    // RFC 8446 4.1.4: after a HelloRetryRequest the ServerHello must be TLS 1.3.
    if (st.retried)
      return Error(ErrorCode::illegal_parameter,
                   "server chose TLS 1.2 after sending a TLS 1.3 HelloRetryRequest");
    // A TLS 1.2 server takes no 0-RTT data (it will likely fail on it);
    // our handshake continues in plaintext.
    if (early_pending_) {
      p_.channel->reset_write_keys();
      early_data_refused("the server chose TLS 1.2");
    }
    // draft-ietf-tls-esni 6.1.6: a server that answers in TLS 1.2 answered
    // the outer ClientHello (the inner one offers only TLS 1.3): ECH was
    // refused. The handshake goes on with the outer transcript to
    // authenticate the public name, then ends with ech_required (Client12).
    std::string ech_public_name;
    if (ech_) {
      ech_rejected();
      ech_public_name = ech_->public_name();
      if (p_.channel->tracing())
        trace(
            "<- ServerHello: TLS 1.2, which answers the outer ClientHello (ECH refused); we go "
            "on only to authenticate " +
            ech_public_name);
    }
    Client12Start start{p_,
                        std::move(transcript_),
                        client_random_,
                        offered_suites_,
                        offered_groups_,
                        offered_schemes_,
                        offered_alpn_,
                        sni_,
                        session_id_,
                        std::move(session12_),
                        summary_.ech,
                        std::move(ech_public_name)};
    ech_grease_.reset();  // a TLS 1.2 server ignored it
    TESSERA_ASSIGN_OR_RETURN(tls12_, make_client12(std::move(start), m));
    return ok();
  }
  if (!offer13_)
    return Error(ErrorCode::illegal_parameter,
                 "ServerHello has supported_versions but we offered only TLS 1.2");
  TESSERA_ASSIGN_OR_RETURN(auto ver, wire::SupportedVersionsServer::parse(sv->data));
  // RFC 8446 4.2.1: a selected_version the client did not offer ->
  // illegal_parameter.
  if (ver.selected_version != 0x0304)
    return Error(ErrorCode::illegal_parameter,
                 "server selected version " +
                     describe_versions(std::vector<uint16_t>{ver.selected_version}) +
                     " which we did not offer");
  // RFC 8446 4.2.1: with supported_versions, "clients MUST ignore the
  // ServerHello.legacy_version value" (the server MUST send 0x0303, 4.1.3,
  // but a wrong one is not ours to refuse); D.5: SSL 3.0 is still refused
  // with protocol_version.
  if (sh.legacy_version == 0x0300)
    return Error(ErrorCode::protocol_version, AlertDescription::protocol_version,
                 "ServerHello.legacy_version is 0x0300 (SSL 3.0)");
  // RFC 8446 4.1.3: a legacy_session_id_echo that does not match -> illegal_parameter.
  if (sh.legacy_session_id_echo != session_id_)
    return Error(ErrorCode::illegal_parameter,
                 "ServerHello.legacy_session_id_echo does not echo our session id");
  // RFC 8446 4.1.3: a cipher suite that was not offered -> illegal_parameter.
  if (std::find(offered_suites_.begin(), offered_suites_.end(), sh.cipher_suite) ==
      offered_suites_.end())
    return Error(ErrorCode::illegal_parameter, "server chose cipher suite " +
                                                   cipher_suite_name(sh.cipher_suite) +
                                                   " which we did not offer");
  // RFC 8446 B.4: TLS 1.2 suites (offered for a TLS 1.2 answer) cannot be
  // used with TLS 1.3 -> illegal_parameter (4.1.3).
  if (auto chosen = cipher_suite_info(sh.cipher_suite);
      !chosen || chosen->version != ProtocolVersion::tls13)
    return Error(
        ErrorCode::illegal_parameter,
        "server chose TLS 1.2 cipher suite " + cipher_suite_name(sh.cipher_suite) + " for TLS 1.3");
  if (sh.legacy_compression_method != 0)
    return Error(ErrorCode::illegal_parameter, "ServerHello.legacy_compression_method is not 0");

  if (sh.is_hello_retry_request()) return on_hello_retry(sh, m.raw, st);
  if (ech_) {
    suite_ = cipher_suite_info(sh.cipher_suite);
    TESSERA_TRY(ech_server_hello(sh, m.raw));
  }

  // RFC 8446 4.1.4: the ServerHello's suite MUST be the one of the HRR.
  if (st.retried && sh.cipher_suite != st.hrr_suite)
    return Error(ErrorCode::illegal_parameter,
                 "ServerHello cipher suite differs from the HelloRetryRequest's");
  // RFC 8446 4.2: only key_share, supported_versions and pre_shared_key may
  // appear in a ServerHello. Another extension tessera knows is in the wrong
  // message -> illegal_parameter (check_tls13_extensions); one it does not
  // know, or pre_shared_key when we offered no PSK, answers nothing we sent
  // -> unsupported_extension.
  TESSERA_TRY(wire::check_tls13_extensions(sh.extensions, wire::ExtensionContext::server_hello));
  bool resumed = false;
  for (const auto& e : sh.extensions) {
    // draft-ietf-tls-esni 6.1.2: resuming on the outer ClientHello (whose
    // pre_shared_key, if any, was GREASE) -> illegal_parameter.
    if (e.type == wire::kExtPreSharedKey && ech_rejected_now())
      return Error(ErrorCode::illegal_parameter,
                   "server refused our Encrypted Client Hello but answers a pre_shared_key");
    if (e.type == wire::kExtPreSharedKey && session_) {
      TESSERA_ASSIGN_OR_RETURN(auto sel, wire::PreSharedKeyServerHello::parse(e.data));
      // RFC 8446 4.2.11: selected_identity must be one we offered -> illegal_parameter.
      if (sel.selected_identity != 0)
        return Error(ErrorCode::illegal_parameter, "server selected PSK identity " +
                                                       std::to_string(sel.selected_identity) +
                                                       ", we offered one");
      // RFC 8446 4.2.11: the suite's hash must be the PSK's.
      if (cipher_suite_info(sh.cipher_suite)->hash !=
          cipher_suite_info(session_->cipher_suite)->hash)
        return Error(ErrorCode::illegal_parameter,
                     external_psk_
                         ? "server took our external PSK with a suite whose hash differs from it"
                         : "server resumed with a suite whose hash differs from the ticket's");
      resumed = true;
      continue;
    }
    if (e.type != wire::kExtKeyShare && e.type != wire::kExtSupportedVersions)
      return Error(ErrorCode::unsupported_extension,
                   "ServerHello carries unsolicited extension " + wire::extension_name(e.type));
  }
  // RFC 8446 4.2.9: without a key_share the server chose psk_ke, which it
  // may only when resuming and when we offered it; with one, psk_dhe_ke.
  const auto* ks_ext = sh.find_extension(wire::kExtKeyShare);
  if (!ks_ext && !(resumed && offers_psk_mode(PskMode::psk_ke)))
    return Error(ErrorCode::missing_extension,
                 resumed ? "ServerHello has no key_share, but we did not offer psk_ke"
                         : "ServerHello has no key_share");
  if (ks_ext && resumed && !offers_psk_mode(PskMode::psk_dhe_ke))
    return Error(ErrorCode::illegal_parameter,
                 "server resumed with psk_dhe_ke, but we offered only psk_ke");
  SecretBytes shared;
  uint16_t server_group = 0;
  if (ks_ext) {
    TESSERA_ASSIGN_OR_RETURN(auto ks, wire::KeyShareServerHello::parse(ks_ext->data));
    crypto::KeyShare* mine = nullptr;
    for (auto& s : st.shares)
      if (static_cast<uint16_t>(s->group()) == ks.server_share.group) mine = s.get();
    // RFC 8446 4.2.8: the server's share MUST be in a group we offered a share for.
    if (!mine)
      return Error(ErrorCode::illegal_parameter, "server key share for group " +
                                                     group_name(ks.server_share.group) +
                                                     " for which we sent no share");
    TESSERA_ASSIGN_OR_RETURN(shared, mine->decapsulate(ks.server_share.key_exchange));
    server_group = ks.server_share.group;
  }

  suite_ = cipher_suite_info(sh.cipher_suite);
  if (!transcript_.has_hash()) TESSERA_TRY(transcript_.select_hash(provider(), suite_->hash));
  transcript_.add(m.raw);
  TESSERA_ASSIGN_OR_RETURN(Bytes hello_hash, transcript_.current_hash());

  TESSERA_ASSIGN_OR_RETURN(
      auto keys,
      derive_handshake_traffic(
          resumed ? std::move(*psk_early_) : crypto::EarlySecret::derive(provider(), suite_->hash),
          shared.view(), hello_hash, cfg_.keylog, client_random_));
  if (resumed && external_psk_) {
    psk_accepted_ = true;
    summary_.psk_identity = cfg_.external_psk->identity;
    summary_.peer_verified_by = "(external PSK: the server proved it holds the key)";
    resumed = false;
    if (cfg_.peer_check) {
      PeerIdentity id;
      id.server_name = p_.options.server_name;
      id.psk_identity = cfg_.external_psk->identity;
      TESSERA_TRY(run_peer_check(cfg_.peer_check, id));
      if (p_.channel->tracing()) trace("   peer check: server " + describe_peer(id) + " allowed");
    }
  } else if (resumed) {
    psk_accepted_ = true;
    summary_.resumed = true;
    summary_.peer_subject = session_->peer_subject;
    summary_.peer_verified_by = "(resumed session: verified in the original handshake)";
  } else if (external_psk_ && !cfg_.verify_peer) {
    // Without certificate verification nothing else can authenticate the
    // server (ClientConfig::external_psk).
    return Error(ErrorCode::handshake_failure,
                 "the server did not accept our external PSK, and certificate verification is "
                 "off");
  }
  session_.reset();  // used or refused, never offered again
  if (early_pending_ && !resumed) early_data_refused("the server did not accept our ticket");

  summary_.version = ProtocolVersion::tls13;
  summary_.cipher_suite = sh.cipher_suite;
  summary_.group = server_group;
  summary_.psk_only = !ks_ext;
  p_.channel->set_negotiated_version(ProtocolVersion::tls13);
  if (p_.channel->tracing()) {
    trace("<- ServerHello: server chose TLS 1.3, " + cipher_suite_name(sh.cipher_suite) +
          (ks_ext ? ", group " + group_name(server_group) : std::string(", PSK only (psk_ke)")) +
          (resumed ? "; resuming: the server accepted our ticket, so no certificate exchange"
           : !summary_.psk_identity.empty()
               ? "; the server accepted our external PSK, so no certificate exchange"
               : "") +
          "; random " + hex_short(sh.random));
    if (ech_)
      trace(ech_rejected_now()
                ? "   ECH: refused - the server answered the outer ClientHello; we authenticate " +
                      ech_->public_name() +
                      " and then abort with ech_required (our real ClientHello stays secret)"
                : "   ECH: accepted - the random's last 8 bytes confirm the server opened our "
                  "encrypted ClientHello; the handshake goes on with it");
    if (ks_ext)
      trace("   key exchange: " + group_name(server_group) + " shared secret established (" +
            std::to_string(shared.size()) + " bytes); handshake traffic keys derived (" +
            std::string(aead_name(suite_->aead)) + ")");
    else
      trace("   key exchange: none (psk_ke); handshake traffic keys derived from the PSK alone (" +
            std::string(aead_name(suite_->aead)) + ") - no forward secrecy");
  }
  TESSERA_TRY(p_.channel->set_read_secret_tls13(*suite_, keys.server.view()));
  // RFC 8446 D.4: the compatibility CCS goes before our second flight
  // (after an HRR, or with early data, it was sent already). From here on
  // everything we send, alerts included, uses the handshake keys - unless
  // our 0-RTT data may have been accepted: then the early keys stay until
  // EncryptedExtensions tells.
  if (!sent_ccs_) {
    p_.channel->send_change_cipher_spec();
    sent_ccs_ = true;
  }
  if (!early_pending_) TESSERA_TRY(p_.channel->set_write_secret_tls13(*suite_, keys.client.view()));
  state_ = ExpectEncryptedExtensions{std::move(keys)};
  return ok();
}

Result<void> Client13::on_hello_retry(const wire::ServerHello& hrr, ByteView raw,
                                      ExpectServerHello& st) {
  // RFC 8446 4.1.4: a second HelloRetryRequest -> unexpected_message.
  if (st.retried)
    return Error(ErrorCode::unexpected_message, "second HelloRetryRequest in one handshake");
  std::optional<uint16_t> group;
  Bytes cookie;
  std::optional<wire::EchHelloRetryRequest> ech_confirmation;
  // RFC 8446 4.2: a known extension not specified for a HelloRetryRequest ->
  // illegal_parameter.
  TESSERA_TRY(
      wire::check_tls13_extensions(hrr.extensions, wire::ExtensionContext::hello_retry_request));
  for (const auto& e : hrr.extensions) {
    if (e.type == wire::kExtKeyShare) {
      TESSERA_ASSIGN_OR_RETURN(auto k, wire::KeyShareHelloRetryRequest::parse(e.data));
      group = k.selected_group;
    } else if (e.type == wire::kExtCookie) {
      TESSERA_ASSIGN_OR_RETURN(auto c, wire::Cookie::parse(e.data));
      cookie = std::move(c.cookie);
    } else if (e.type == wire::kExtEncryptedClientHello && (ech_ || ech_grease_)) {
      // draft-ietf-tls-esni 6.1.4: one that is not 8 bytes -> decode_error.
      // 6.2.1: with GREASE, checked the same way and then ignored.
      TESSERA_ASSIGN_OR_RETURN(ech_confirmation, wire::EchHelloRetryRequest::parse(e.data));
    } else if (e.type != wire::kExtSupportedVersions) {
      // RFC 8446 4.1.4: an extension we do not know cannot answer anything we
      // offered -> unsupported_extension.
      return Error(
          ErrorCode::unsupported_extension,
          "HelloRetryRequest carries unsolicited extension " + wire::extension_name(e.type));
    }
  }
  if (group) {
    // RFC 8446 4.2.8: the selected_group MUST be in supported_groups and
    // MUST NOT be one we already sent a share for -> illegal_parameter.
    if (std::find(offered_groups_.begin(), offered_groups_.end(), *group) == offered_groups_.end())
      return Error(
          ErrorCode::illegal_parameter,
          "HelloRetryRequest selected group " + group_name(*group) + " which we did not offer");
    for (const auto& s : st.shares)
      if (static_cast<uint16_t>(s->group()) == *group)
        return Error(ErrorCode::illegal_parameter, "HelloRetryRequest asks for group " +
                                                       group_name(*group) +
                                                       " for which we already sent a share");
  } else if (cookie.empty()) {
    // RFC 8446 4.1.4: an HRR that would not change the ClientHello -> illegal_parameter.
    return Error(ErrorCode::illegal_parameter,
                 "HelloRetryRequest would not change the ClientHello");
  }
  suite_ = cipher_suite_info(hrr.cipher_suite);
  // RFC 8446 4.1.4 / 4.2.11: the second ClientHello may offer the ticket
  // again only if the chosen suite shares its hash.
  if (session_ && cipher_suite_info(session_->cipher_suite)->hash != suite_->hash) session_.reset();
  TESSERA_TRY(transcript_.select_hash(provider(), suite_->hash));
  TESSERA_TRY(transcript_.replace_with_message_hash());
  if (ech_) TESSERA_TRY(ech_hello_retry(hrr, ech_confirmation));
  transcript_.add(raw);
  st.retried = true;
  st.hrr_suite = hrr.cipher_suite;
  summary_.hello_retry = true;
  if (group) {
    st.shares.clear();
    TESSERA_ASSIGN_OR_RETURN(auto share,
                             provider().generate_key_share(static_cast<NamedGroup>(*group)));
    st.shares.push_back(std::move(share));
  }
  if (p_.channel->tracing())
    trace("<- HelloRetryRequest: server wants a key share for " +
          (group ? group_name(*group) : std::string("(same groups)")) +
          (cookie.empty() ? "" : ", with a cookie"));
  // RFC 8446 4.2.10 / 4.1.2: a HelloRetryRequest refuses early data; the
  // second ClientHello drops early_data and goes out unprotected.
  if (early_pending_) {
    p_.channel->reset_write_keys();
    early_data_refused("the server sent a HelloRetryRequest");
  }
  // RFC 8446 D.4: the compatibility CCS goes before the second ClientHello.
  if (!sent_ccs_) {
    p_.channel->send_change_cipher_spec();
    sent_ccs_ = true;
  }
  TESSERA_ASSIGN_OR_RETURN(Bytes ch2, send_client_hello(st.shares, cookie, false));
  if (p_.channel->tracing())
    trace("-> ClientHello (second): key share " +
          group_name(static_cast<uint16_t>(st.shares[0]->group())) +
          (!ech_                ? std::string()
           : ech_rejected_now() ? "; the outer ClientHello only (ECH refused)"
                                : "; encrypted again to the same ECH context, with an empty enc"));
  return ok();
}

// ech_rejected: the server answered the outer ClientHello (draft-ietf-tls-esni
// 6.1.6). Its transcript and random replace the inner ones, and nothing of
// the inner ClientHello is used any more: not our ticket (6.1.2), not our
// certificate (6.1.7).
void Client13::ech_rejected() {
  summary_.ech = EchStatus::rejected;
  transcript_ = std::move(ech_->outer_transcript);
  client_random_ = ech_->outer_random;
  session_.reset();
  psk_early_.reset();
}

// ech_hello_retry decides, on a HelloRetryRequest, whether the server took
// our inner ClientHello (draft-ietf-tls-esni 6.1.4, 7.2.1): its
// encrypted_client_hello extension must hold hrr_accept_confirmation over
// the inner transcript (message_hash(ClientHelloInner1), then this
// HelloRetryRequest with those 8 bytes zeroed). transcript_ holds the
// message_hash already.
Result<void> Client13::ech_hello_retry(
    const wire::ServerHello& hrr, const std::optional<wire::EchHelloRetryRequest>& confirmation) {
  bool accepted = false;
  if (confirmation) {
    wire::ServerHello zeroed = hrr;
    for (auto& e : zeroed.extensions)
      if (e.type == wire::kExtEncryptedClientHello) e.data.assign(kEchConfirmationSize, 0);
    TESSERA_ASSIGN_OR_RETURN(Bytes zeroed_msg, wire::encode_handshake(zeroed));
    TESSERA_ASSIGN_OR_RETURN(Bytes th, transcript_.current_hash_with(zeroed_msg));
    TESSERA_ASSIGN_OR_RETURN(auto expect, ech_confirmation(provider(), suite_->hash, client_random_,
                                                           th, /*hello_retry=*/true));
    accepted = ct_equal(expect, confirmation->confirmation);
  }
  if (accepted) {
    summary_.ech = EchStatus::accepted;  // the ServerHello must confirm it again
    if (p_.channel->tracing())
      trace("<- HelloRetryRequest: confirms it opened our encrypted ClientHello (ECH accepted)");
    return ok();
  }
  ech_rejected();
  TESSERA_TRY(transcript_.select_hash(provider(), suite_->hash));
  TESSERA_TRY(transcript_.replace_with_message_hash());
  if (p_.channel->tracing())
    trace(
        "<- HelloRetryRequest: answers the outer ClientHello (ECH refused); we go on only to "
        "authenticate " +
        ech_->public_name());
  return ok();
}

// ech_server_hello decides, on the ServerHello, whether the server took our
// inner ClientHello (draft-ietf-tls-esni 6.1.4, 7.2): the last 8 bytes of its
// random must be accept_confirmation over the inner transcript ending with
// this ServerHello, those 8 bytes zeroed. After a HelloRetryRequest that
// confirmed, a ServerHello that does not is illegal_parameter (6.1.5).
Result<void> Client13::ech_server_hello(const wire::ServerHello& sh, ByteView raw) {
  if (ech_rejected_now()) return ok();  // refused by the HelloRetryRequest
  if (!transcript_.has_hash()) TESSERA_TRY(transcript_.select_hash(provider(), suite_->hash));
  // The random is at offset 6 of the message: type (1), length (3),
  // legacy_version (2).
  constexpr size_t kTail = 6 + sizeof(wire::Random) - kEchConfirmationSize;
  Bytes zeroed(raw.begin(), raw.end());
  if (zeroed.size() < kTail + kEchConfirmationSize)
    return Error(ErrorCode::internal_error, "ServerHello shorter than its random");
  std::fill_n(zeroed.begin() + kTail, kEchConfirmationSize, 0);
  TESSERA_ASSIGN_OR_RETURN(Bytes th, transcript_.current_hash_with(zeroed));
  TESSERA_ASSIGN_OR_RETURN(auto expect, ech_confirmation(provider(), suite_->hash, client_random_,
                                                         th, /*hello_retry=*/false));
  if (ct_equal(expect, ByteView(sh.random).last(kEchConfirmationSize))) {
    summary_.ech = EchStatus::accepted;
    ech_->outer_transcript = crypto::Transcript();  // the outer ClientHello is done with
    return ok();
  }
  if (summary_.ech == EchStatus::accepted)  // by the HelloRetryRequest
    return Error(ErrorCode::illegal_parameter,
                 "ServerHello does not confirm the Encrypted Client Hello its HelloRetryRequest "
                 "accepted");
  ech_rejected();
  return ok();
}

Result<void> Client13::on_encrypted_extensions(const wire::HandshakeMessage& m,
                                               ExpectEncryptedExtensions& st) {
  TESSERA_ASSIGN_OR_RETURN(auto ee, wire::EncryptedExtensions::parse(m.body));
  // RFC 8446 4.2: a known extension not specified for EncryptedExtensions
  // (key_share, pre_shared_key, signature_algorithms, ...) -> illegal_parameter.
  TESSERA_TRY(
      wire::check_tls13_extensions(ee.extensions, wire::ExtensionContext::encrypted_extensions));
  for (const auto& e : ee.extensions) {
    switch (e.type) {
      case wire::kExtServerName:
        // RFC 6066 3: the server's server_name extension is empty.
        TESSERA_TRY(wire::expect_empty_extension(e));
        // After an ECH refusal it answers the outer ClientHello, which named
        // the public name even when the inner one named none (an IP).
        if (sni_.empty() && !ech_rejected_now())
          return Error(ErrorCode::unsupported_extension, "server_name acknowledged but not sent");
        break;
      case wire::kExtSupportedGroups:  // RFC 8446 4.2.7: informational only
        break;
      case wire::kExtEarlyData:
        // RFC 8446 4.2.10: an (empty) early_data answer accepts our 0-RTT
        // data; it requires that we sent some and that the server took our
        // ticket (the first and only identity) -> illegal_parameter otherwise.
        TESSERA_TRY(wire::expect_empty_extension(e));
        if (!early_pending_)
          return Error(summary_.early_data == EarlyData::not_offered
                           ? ErrorCode::unsupported_extension
                           : ErrorCode::illegal_parameter,
                       "server accepted early data we did not send (or after refusing it)");
        early_accepted_ = true;
        break;
      case wire::kExtAlpn: {
        // After an ECH rejection the server answered the outer ClientHello,
        // which offers the same ALPN list (make_client_hello).
        TESSERA_ASSIGN_OR_RETURN(summary_.alpn, selected_alpn(e.data, offered_alpn_));
        break;
      }
      case wire::kExtEncryptedClientHello: {
        // draft-ietf-tls-esni 5: retry configs answer only an outer
        // ClientHello the server used -> unsupported_extension otherwise;
        // 6.1.6: they must parse -> decode_error.
        if (ech_grease_) {
          // 6.2.1: "the client MUST check the extension syntactically and
          // abort the connection with a "decode_error" alert if it is
          // invalid. It otherwise ignores the extension. It MUST NOT save
          // the "retry_configs" value".
          TESSERA_TRY(wire::EchEncryptedExtensions::parse(e.data));
          if (p_.channel->tracing())
            trace(
                "   EncryptedExtensions: the server has ECH keys; its retry configs answer our "
                "GREASE extension and are ignored");
          break;
        }
        if (!ech_rejected_now())
          return Error(ErrorCode::unsupported_extension,
                       ech_ ? "EncryptedExtensions carries ECH retry configs, but the server "
                              "accepted our Encrypted Client Hello"
                            : "EncryptedExtensions carries unsolicited extension "
                              "encrypted_client_hello");
        TESSERA_ASSIGN_OR_RETURN(auto retry, wire::EchEncryptedExtensions::parse(e.data));
        ech_->retry_configs = std::move(retry.retry_configs.raw);
        break;
      }
      case wire::kExtRecordSizeLimit: {
        TESSERA_ASSIGN_OR_RETURN(auto l, wire::RecordSizeLimit::parse(e.data));
        // RFC 8449 4: "A client MAY abort the handshake with an
        // "illegal_parameter" alert if the record_size_limit extension
        // includes a value greater than the maximum record size permitted
        // by the negotiated protocol version".
        if (l.limit > wire::kMaxRecordSizeLimit13)
          return Error(ErrorCode::illegal_parameter,
                       "record_size_limit " + std::to_string(l.limit) +
                           " is above the TLS 1.3 maximum of 2^14 + 1");
        summary_.peer_record_size_limit = l.limit;
        break;
      }
      default:
        // RFC 8446 4.2: allowed here, but not an answer to anything we sent
        // (max_fragment_length, heartbeat, use_srtp, an unknown type, ...).
        return Error(
            ErrorCode::unsupported_extension,
            "EncryptedExtensions carries unsolicited extension " + wire::extension_name(e.type));
    }
  }
  transcript_.add(m.raw);
  // RFC 8449 4: negotiated when the server answers with its own limit. It
  // binds the records under this handshake's keys, in both directions; our
  // 0-RTT records (if any) were bound by the ticket's.
  const uint16_t peer_limit = summary_.peer_record_size_limit;
  p_.channel->limit_sent_records(peer_limit ? record_content_limit(peer_limit, true)
                                            : record::kMaxPlaintext);
  if (peer_limit)
    TESSERA_TRY(p_.channel->limit_received_records(
        record_content_limit(advertised_record_size_limit(cfg_.policy, true), true)));
  if (p_.channel->tracing())
    trace("<- EncryptedExtensions" +
          (summary_.alpn.empty() ? std::string(": no ALPN") : ": ALPN " + summary_.alpn) +
          record_size_limit_note(peer_limit, advertised_record_size_limit(cfg_.policy, true)) +
          (early_accepted_ ? "; the server accepted our 0-RTT data" : ""));
  if (early_pending_) {
    if (early_accepted_) {
      summary_.early_data = EarlyData::accepted;
    } else {
      early_data_refused("the server did not answer early_data");
      TESSERA_TRY(p_.channel->set_write_secret_tls13(*suite_, st.keys.client.view()));
    }
  }
  if (psk_accepted_)
    state_ = ExpectFinished{std::move(st.keys), std::nullopt};
  else
    state_ = ExpectCertificateOrRequest{std::move(st.keys)};
  return ok();
}

Result<void> Client13::on_certificate_request(const wire::HandshakeMessage& m,
                                              ExpectCertificateOrRequest& st) {
  TESSERA_ASSIGN_OR_RETURN(auto req, parse_certificate_request13(m.body, /*post_handshake=*/false));
  transcript_.add(m.raw);
  if (p_.channel->tracing())
    trace("<- CertificateRequest: the server asks for a client certificate; signature schemes " +
          describe_schemes(req.schemes) + "; " + std::to_string(req.authorities.size()) +
          " acceptable CA name(s)" +
          (req.cert_compression.empty() ? std::string()
                                        : "; takes certificates compressed with " +
                                              describe_cert_compression(req.cert_compression)));
  state_ = ExpectCertificate{std::move(st.keys), std::move(req)};
  return ok();
}

Result<void> Client13::on_certificate(const wire::HandshakeMessage& m, Keys keys,
                                      std::optional<CertificateRequestInfo> request) {
  TESSERA_ASSIGN_OR_RETURN(ReceivedCertificate rc, received_certificate13(m, cfg_.policy));
  // RFC 8879 5: "After decompression, the Certificate message MUST be
  // processed as if it were encoded without being compressed."
  TESSERA_ASSIGN_OR_RETURN(auto cert, wire::Certificate13::parse(rc.body()));
  // RFC 8446 4.4.2: for server authentication the context SHALL be zero length.
  if (!cert.certificate_request_context.empty())
    return Error(ErrorCode::illegal_parameter,
                 "server Certificate has a non-empty request context");
  // RFC 8446 4.4.2.4: an empty server Certificate -> decode_error.
  if (cert.certificate_list.empty())
    return Error(ErrorCode::decode_invalid_value, AlertDescription::decode_error,
                 "server sent an empty Certificate message");
  // RFC 8446 4.4.2: entry extensions must answer ClientHello extensions:
  // status_request when we asked for OCSP stapling (4.4.2.1), nothing else.
  TESSERA_ASSIGN_OR_RETURN(
      std::optional<Bytes> stapled,
      check_certificate_entry_extensions(cert, "server", cfg_.ocsp != OcspStapling::off));
  std::vector<Bytes> chain;
  for (auto& e : cert.certificate_list) chain.push_back(std::move(e.cert_data));
  VerifyRequest vr;
  vr.purpose_server = true;
  // draft-ietf-tls-esni 6.1.7: a server that refused our Encrypted Client
  // Hello must hold a certificate for the config's public name.
  vr.peer_name = ech_rejected_now() ? ech_->public_name() : p_.options.server_name;
  vr.verify = cfg_.verify_peer;
  vr.trust = cfg_.trust.get();
  vr.crls = cfg_.crls.get();
  vr.crl_check = cfg_.crl_check;
  vr.now_unix = p_.now_unix;
  vr.limits = &cfg_.policy.limits;
  vr.min_rsa_bits = cfg_.policy.min_rsa_bits;
  vr.describe = p_.channel->tracing();
  vr.identity = static_cast<bool>(cfg_.peer_check);
  TESSERA_ASSIGN_OR_RETURN(PeerChain pc, verify_peer_chain(provider(), std::move(chain), vr));
  TESSERA_ASSIGN_OR_RETURN(summary_.peer_ocsp,
                           check_stapled_ocsp(provider(), pc, stapled, cfg_.ocsp, p_.now_unix,
                                              cfg_.crls.get(), cfg_.crl_check));
  summary_.ocsp_stapled = stapled.has_value();
  summary_.peer_subject = pc.subject;
  summary_.peer_verified_by = pc.anchor_subject;
  summary_.peer_chain = pc.chain;
  summary_.peer_cert_compression = rc.compressed_with;
  transcript_.add(m.raw);
  if (p_.channel->tracing()) {
    if (rc.compressed_with)
      trace("<- CompressedCertificate: " + cert_compression_name(rc.compressed_with) + ", " +
            std::to_string(rc.compressed_size) + " bytes for a " +
            std::to_string(rc.body().size()) + "-byte Certificate");
    trace("<- Certificate: " + pc.description);
    if (stapled) trace("   OCSP response stapled: " + summary_.peer_ocsp);
  }
  state_ = ExpectCertificateVerify{std::move(keys), std::move(request), std::move(pc)};
  return ok();
}

Result<void> Client13::on_certificate_verify(const wire::HandshakeMessage& m,
                                             ExpectCertificateVerify& st) {
  TESSERA_ASSIGN_OR_RETURN(auto cv, wire::CertificateVerify::parse(m.body));
  // RFC 8446 4.4.3: the scheme MUST be one we offered in signature_algorithms
  // and RSA signatures MUST be RSASSA-PSS.
  if (std::find(offered_schemes_.begin(), offered_schemes_.end(), cv.signed_data.scheme) ==
          offered_schemes_.end() ||
      !scheme_allowed_tls13(cv.signed_data.scheme))
    return Error(ErrorCode::illegal_parameter, "server CertificateVerify uses " +
                                                   signature_scheme_name(cv.signed_data.scheme) +
                                                   ", which we did not offer for TLS 1.3");
  TESSERA_ASSIGN_OR_RETURN(Bytes h, transcript_.current_hash());
  Bytes content = certificate_verify_input(/*server=*/true, h);
  TESSERA_TRY(verify_with_leaf(provider(), st.chain,
                               static_cast<SignatureScheme>(cv.signed_data.scheme), content,
                               cv.signed_data.signature, /*tls13=*/true));
  summary_.signature_scheme = cv.signed_data.scheme;
  transcript_.add(m.raw);
  if (p_.channel->tracing())
    trace("<- CertificateVerify: " + signature_scheme_name(cv.signed_data.scheme) +
          " signature over the transcript verified with the server's key");
  // The server has proven its certificate's identity: the application's
  // access control (ClientConfig::peer_check) decides whether we go on,
  // before our certificate or Finished goes out.
  // Not when the server refused our Encrypted Client Hello: it proved only
  // the public name, and the connection ends with ech_required anyway.
  TESSERA_ASSIGN_OR_RETURN(
      CheckedPeer checked,
      check_verified_peer(provider(), ech_rejected_now() ? PeerCheck{} : cfg_.peer_check, st.chain,
                          /*peer_is_server=*/true, ProtocolVersion::tls13, p_.options.server_name,
                          p_.channel->tracing()));
  if (checked.kept) {
    server_kept_ = std::move(checked.kept);
    if (p_.channel->tracing()) trace("   peer check: server " + checked.description + " allowed");
  }
  state_ = ExpectFinished{std::move(st.keys), std::move(st.request)};
  return ok();
}

Result<void> Client13::on_finished(const wire::HandshakeMessage& m, ExpectFinished& st) {
  const HashAlgorithm hash = suite_->hash;
  TESSERA_ASSIGN_OR_RETURN(Bytes h, transcript_.current_hash());
  // RFC 8446 4.4.4: a Finished that does not verify -> decrypt_error.
  TESSERA_TRY(crypto::verify_finished(provider(), hash, st.keys.server.view(), h, m.body));
  transcript_.add(m.raw);
  TESSERA_ASSIGN_OR_RETURN(Bytes server_fin_hash, transcript_.current_hash());
  TESSERA_ASSIGN_OR_RETURN(
      auto app, derive_application_traffic(std::move(st.keys.secret), server_fin_hash, cfg_.keylog,
                                           client_random_));
  if (p_.channel->tracing())
    trace("<- Finished: server Finished verified; application traffic keys derived");
  if (ech_rejected_now()) {
    // draft-ietf-tls-esni 6.1.6: the server authenticated as the public
    // name; we abort with ech_required before sending anything else, and
    // hand its retry configs (if any) to the application.
    summary_.ech_retry_configs = ech_->retry_configs;
    return Error(
        ErrorCode::ech_required,
        "the server did not accept our Encrypted Client Hello; it authenticated as " +
            ech_->public_name() +
            (ech_->retry_configs.empty()
                 ? std::string(" and sent no retry configs (ECH may be off there)")
                 : " and sent retry configs (" + std::to_string(ech_->retry_configs.size()) +
                       " bytes): retry with them on a new connection"));
  }

  // RFC 8446 4.5: after accepted 0-RTT data, EndOfEarlyData under the early
  // keys ends it; then our handshake keys.
  if (early_accepted_ && early_pending_) {
    TESSERA_ASSIGN_OR_RETURN(Bytes eoed, wire::encode_handshake(wire::EndOfEarlyData{}));
    transcript_.add(eoed);
    p_.channel->send_handshake(eoed);
    TESSERA_TRY(p_.channel->set_write_secret_tls13(*suite_, st.keys.client.view()));
    early_pending_ = false;
    if (p_.channel->tracing()) trace("-> EndOfEarlyData: our 0-RTT data is complete");
  }
  // Our second flight: [Certificate, CertificateVerify], Finished. The
  // Finished may wait for our CertificateVerify's signature (an
  // asynchronous KeySigner's: Signing).
  SecondFlight rest{std::move(app), std::move(st.keys.client)};
  if (!st.request) return finish_second_flight(std::move(rest));
  auto kept = std::make_shared<SecondFlight>(std::move(rest));
  return send_client_authentication(
      *st.request, transcript_, /*after_handshake=*/false,
      [this, kept] { return finish_second_flight(std::move(*kept)); });
}

// finish_second_flight sends our Finished and completes the handshake.
Result<void> Client13::finish_second_flight(SecondFlight f) {
  const HashAlgorithm hash = suite_->hash;
  auto& app = f.app;
  TESSERA_ASSIGN_OR_RETURN(Bytes ch_hash, transcript_.current_hash());
  TESSERA_ASSIGN_OR_RETURN(Bytes verify_data,
                           crypto::compute_finished(provider(), hash, f.client_hs.view(), ch_hash));
  TESSERA_ASSIGN_OR_RETURN(Bytes fin, build_finished(verify_data));
  transcript_.add(fin);
  p_.channel->send_handshake(fin);
  TESSERA_ASSIGN_OR_RETURN(Bytes client_fin_hash, transcript_.current_hash());
  TESSERA_ASSIGN_OR_RETURN(auto res, app.master.resumption_master_secret(client_fin_hash));
  TESSERA_TRY(p_.channel->set_write_secret_tls13(*suite_, app.client.view()));
  TESSERA_TRY(p_.channel->set_read_secret_tls13(*suite_, app.server.view()));
  if (p_.channel->tracing()) trace("-> Finished: handshake complete");
  ech_.reset();  // accepted (a refusal ended above): summary_ keeps the outcome
  ech_grease_.reset();
  state_ = Connected{Traffic13(*suite_, std::move(app.client), std::move(app.server),
                               std::move(res), std::move(app.exporter))};
  p_.channel->event(Event::handshake_done);
  send_after_handshake_data();
  return ok();
}

// send_client_authentication sends our answer to a CertificateRequest, in
// the handshake or after it (RFC 8446 4.4.2, 4.4.3): a Certificate echoing
// its context, holding our certificate if it can sign with a scheme the
// request lists, and then a CertificateVerify over transcript `t`; or an
// empty Certificate. Each message goes into `t`; the Finished that follows is
// the caller's.
Result<void> Client13::send_client_authentication(const CertificateRequestInfo& request,
                                                  crypto::Transcript& t, bool after_handshake,
                                                  Then then) {
  CertificateRequestView view;
  view.server_name = p_.options.server_name;
  view.version = ProtocolVersion::tls13;
  view.after_handshake = after_handshake;
  view.authorities = request.authorities;
  view.signature_schemes = request.schemes;
  view.fits = [&](const Credential& c) {
    return c.key && choose_signature_scheme(cfg_.policy, request.schemes, *c.key, true).ok();
  };
  std::string chosen;
  const std::shared_ptr<const Credential> chosen_cred =
      client_credential(cfg_, view, p_.channel->tracing() ? &chosen : nullptr);
  if (!chosen.empty()) trace("   certificate resolver chose " + chosen);
  const Credential* cred = chosen_cred.get();
  std::optional<SignatureScheme> scheme;
  if (cred && cred->key) {
    auto s = choose_signature_scheme(cfg_.policy, request.schemes, *cred->key, true);
    if (s.ok())
      scheme = *s;
    else if (p_.channel->tracing())
      trace("   our client certificate cannot sign with any scheme the server accepts: " +
            s.error().message());
  }
  TESSERA_ASSIGN_OR_RETURN(
      Bytes cmsg, build_certificate13(request.context,
                                      scheme ? cred->chain : std::vector<std::vector<uint8_t>>{}));
  // RFC 8879 3: the server's CertificateRequest listed the algorithms it
  // takes our certificate compressed with.
  // (An empty Certificate is not worth compressing.)
  const CertificateCompressionNote packed = compress_if_smaller(
      scheme ? choose_cert_compression(cfg_.policy, request.cert_compression) : std::nullopt, cmsg);
  summary_.own_cert_compression = packed.used;
  t.add(cmsg);
  p_.channel->send_handshake(cmsg);
  if (!scheme) {
    if (p_.channel->tracing())
      trace("-> Certificate: empty (we have no suitable client certificate)");
    return then();
  }
  if (p_.channel->tracing())
    trace("-> Certificate: our client certificate " + leaf_subject(cred->chain) + packed.note);
  TESSERA_ASSIGN_OR_RETURN(Bytes h, t.current_hash());
  const SignatureScheme sc = *scheme;
  return signing_.sign_then(
      *p_.channel, cred->key, sc, certificate_verify_input(/*server=*/false, h),
      [this, &t, sc, then](Bytes sig) -> Result<void> {
        TESSERA_ASSIGN_OR_RETURN(Bytes cvmsg, build_certificate_verify(sc, sig));
        t.add(cvmsg);
        p_.channel->send_handshake(cvmsg);
        summary_.client_signature_scheme = static_cast<uint16_t>(sc);
        summary_.client_authenticated = true;
        if (p_.channel->tracing())
          trace("-> CertificateVerify: signed the transcript with " +
                signature_scheme_name(static_cast<uint16_t>(sc)));
        return then();
      });
}

// RFC 8446 4.6.2: a server may ask a client that offered post_handshake_auth
// for its certificate at any time after the handshake. We answer at once, all
// three messages together ("MUST appear consecutively on the wire"): the
// Authentication messages of RFC 8446 4.4 over the handshake's transcript
// through our Finished plus this CertificateRequest, the Finished keyed by
// our current client_application_traffic_secret_N.
Result<void> Client13::on_post_handshake_certificate_request(const wire::HandshakeMessage& m,
                                                             Connected& st) {
  TESSERA_ASSIGN_OR_RETURN(auto req, parse_certificate_request13(m.body, /*post_handshake=*/true));
  if (p_.channel->tracing())
    trace(
        "<- CertificateRequest (after the handshake): the server asks for a client "
        "certificate; signature schemes " +
        describe_schemes(req.schemes));
  TESSERA_ASSIGN_OR_RETURN(crypto::Transcript fork, transcript_.fork());
  // The fork lives as long as the answer (which may wait for an
  // asynchronous signature); `st` lives in state_, which stays Connected.
  auto t = std::make_shared<crypto::Transcript>(std::move(fork));
  t->add(m.raw);
  return send_client_authentication(
      req, *t, /*after_handshake=*/true, [this, t, &st]() -> Result<void> {
        TESSERA_ASSIGN_OR_RETURN(Bytes h, t->current_hash());
        TESSERA_ASSIGN_OR_RETURN(
            Bytes verify_data,
            crypto::compute_finished(provider(), suite_->hash, st.traffic.own_secret(), h));
        TESSERA_ASSIGN_OR_RETURN(Bytes fin, build_finished(verify_data));
        p_.channel->send_handshake(fin);
        if (p_.channel->tracing())
          trace("-> Finished: our answer to the CertificateRequest is complete");
        p_.channel->event(Event::certificate_requested);
        return ok();
      });
}

Result<void> Client13::on_post_handshake(const wire::HandshakeMessage& m, Connected& st) {
  switch (m.type) {
    case HandshakeType::new_session_ticket: {
      TESSERA_ASSIGN_OR_RETURN(auto nst, wire::NewSessionTicket::parse(m.body));
      // RFC 8446 4.2: a known extension not specified for NewSessionTicket ->
      // illegal_parameter (unknown ones are ignored, 4.6.1).
      TESSERA_TRY(
          wire::check_tls13_extensions(nst.extensions, wire::ExtensionContext::new_session_ticket));
      p_.channel->event(Event::new_session_ticket);
      // RFC 8446 4.6.1: a lifetime of zero means "do not use". A client
      // with an external PSK offers that, never a ticket: none is kept.
      if (!cfg_.session_store || cfg_.external_psk || nst.ticket_lifetime == 0 ||
          p_.options.server_name.empty())
        return ok();
      if (nst.ticket.size() > kMaxTicketKept) {
        if (p_.channel->tracing())
          trace("<- NewSessionTicket: not kept: " + std::to_string(nst.ticket.size()) +
                "-byte ticket, more than a ClientHello can carry beside its other extensions");
        return ok();
      }
      Session s = session_for(summary_, p_.options.server_name, p_.now_unix, server_kept_.get());
      s.ticket = std::move(nst.ticket);
      s.lifetime_s = nst.ticket_lifetime;
      s.age_add = nst.ticket_age_add;
      TESSERA_ASSIGN_OR_RETURN(auto early_data, nst.max_early_data_size());
      s.max_early_data = early_data.value_or(0);
      TESSERA_ASSIGN_OR_RETURN(
          SecretBytes psk,
          crypto::resumption_psk(provider(), suite_->hash, st.traffic.resumption_master_secret(),
                                 nst.ticket_nonce));
      s.psk.assign(psk.view().begin(), psk.view().end());
      cfg_.session_store->put(p_.options.server_name, std::move(s));
      if (p_.channel->tracing())
        trace("<- NewSessionTicket: kept for resuming " + p_.options.server_name + " (" +
              std::to_string(nst.ticket_lifetime) + " s lifetime)");
      return ok();
    }
    case HandshakeType::key_update:
      return st.traffic.on_key_update(provider(), *p_.channel, m.body, "server");
    case HandshakeType::certificate_request:
      // RFC 8446 4.6.2: "A client that receives a CertificateRequest message
      // without having sent the "post_handshake_auth" extension MUST send an
      // "unexpected_message" fatal alert."
      if (cfg_.post_handshake_auth) return on_post_handshake_certificate_request(m, st);
      return unexpected(expecting(), m.type);
    default: return unexpected(expecting(), m.type);
  }
}

Result<void> Client13::key_update(bool request_peer) {
  if (tls12_) return tls12_->key_update(request_peer);
  auto* st = std::get_if<Connected>(&state_);
  if (!st) return Error(ErrorCode::unexpected_message, "KeyUpdate before the handshake completed");
  return st->traffic.send_key_update(provider(), *p_.channel, request_peer);
}

}  // namespace

std::unique_ptr<Handshake> make_client13(ClientParams p) {
  return std::make_unique<Client13>(std::move(p));
}

}  // namespace tessera::handshake
