// tessera/config.h — immutable client and server configurations.
//
// Build a config once, then share it between connections as
// std::shared_ptr<const ClientConfig> / <const ServerConfig>. Everything a
// connection may vary per instance (the server name to verify) is passed to
// Connection::client instead.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/ech.h"
#include "tessera/policy.h"
#include "tessera/result.h"
#include "tessera/session.h"

namespace tessera {

namespace crypto {
class Provider;
class PrivateKey;
}  // namespace crypto
namespace x509 {
class TrustStore;
class CrlSet;
}  // namespace x509

class KeySigner;  // tessera/signer.h

// Credential: a certificate chain (DER, leaf first) and its private key.
struct Credential {
  std::vector<std::vector<uint8_t>> chain;
  std::shared_ptr<const crypto::PrivateKey> key;

  // from_pem loads a PEM chain (leaf first) and a PEM private key, and checks
  // that the key matches the leaf's public key.
  static Result<Credential> from_pem(crypto::Provider& provider, std::string_view chain_pem,
                                     std::string_view key_pem);
  // from_pem with the default (OpenSSL libcrypto) provider.
  static Result<Credential> from_pem(std::string_view chain_pem, std::string_view key_pem);
  // from_pem_files reads the chain and key files (each at most 1 MiB; a pipe
  // works too) and calls from_pem. The files are read with read(2) into
  // memory that is wiped afterwards, so no copy of the key is left behind in
  // stream buffers or strings; io_error names a file that cannot be read.
  static Result<Credential> from_pem_files(crypto::Provider& provider,
                                           const std::string& chain_path,
                                           const std::string& key_path);
  static Result<Credential> from_pem_files(const std::string& chain_path,
                                           const std::string& key_path);
  // from_signer pairs a PEM chain (leaf first) with a key tessera does not
  // hold (an HSM, a TPM, a KMS; see tessera/signer.h). The signer must list
  // a scheme the leaf's key allows, and a test signature it makes must
  // verify with the leaf's public key (config_invalid otherwise). Such a
  // credential signs (TLS 1.3, TLS 1.2 ECDHE, client CertificateVerify) but
  // is never used for TLS 1.2 RSA key transport.
  static Result<Credential> from_signer(crypto::Provider& provider, std::string_view chain_pem,
                                        std::shared_ptr<const KeySigner> signer);
  static Result<Credential> from_signer(std::string_view chain_pem,
                                        std::shared_ptr<const KeySigner> signer);
  // dns_names returns the leaf's dNSName SANs (for SNI-based selection).
  std::vector<std::string> dns_names() const;

  // OCSP stapling (RFC 6066 8; TLS 1.3: RFC 8446 4.4.2.1): a DER
  // OCSPResponse about the leaf, sent to clients that ask for one
  // (status_request) until ocsp_expires. Set it with set_ocsp_response; a
  // server refreshes it by building a new config with a newer response.
  std::vector<uint8_t> ocsp_response;
  // Unix time: the response's nextUpdate, at most its thisUpdate + 10 days
  // (+ 7 days without nextUpdate): the caps clients apply (x509/ocsp.h).
  int64_t ocsp_expires = 0;
  // set_ocsp_response checks that `der` is a successful OCSP response about
  // the leaf (its serial; and when the chain holds the leaf's issuer, the
  // issuer's name and key hashes and the response's signature, as a client
  // will check it) that says "good" and is current at now_unix, then keeps it.
  // cert_status_invalid (or cert_revoked) says what is wrong.
  Result<void> set_ocsp_response(crypto::Provider& provider, std::span<const uint8_t> der,
                                 int64_t now_unix);
  // ocsp_staple is the response to send at now_unix, or empty when there is
  // none or it has expired.
  std::span<const uint8_t> ocsp_staple(int64_t now_unix) const {
    if (ocsp_response.empty() || now_unix > ocsp_expires) return {};
    return ocsp_response;
  }
};

// ExternalPsk: a TLS 1.3 pre-shared key provisioned out of band (RFC 8446
// 2.2, 4.2.11), e.g. per device or per service pair, instead of
// certificates: a handshake that uses it authenticates both sides by their
// knowledge of the key, and no certificate is exchanged. The (EC)DHE key
// exchange still runs (psk_dhe_ke) unless the policy allows psk_ke too.
// Make one with ExternalPsk::make, which checks it; the key is wiped when
// the object is destroyed or assigned over. Share it as
// std::shared_ptr<const ExternalPsk>.
struct ExternalPskFields {
  std::string identity;                        // sent in the clear; 1..1024 bytes
  std::vector<uint8_t> key;                    // secret; 16..256 bytes
  HashAlgorithm hash = HashAlgorithm::sha256;  // SHA-256 or SHA-384 (RFC 8446 4.2.11)
};
class ExternalPsk : public ExternalPskFields {
 public:
  ExternalPsk() = default;
  ExternalPsk(const ExternalPsk&) = default;
  ExternalPsk(ExternalPsk&&) = default;
  ExternalPsk& operator=(const ExternalPsk& other);
  ExternalPsk& operator=(ExternalPsk&& other) noexcept;
  ~ExternalPsk();

  // make checks the identity (1..1024 bytes), the key (16..256 bytes: RFC
  // 8446 2.2 warns that an observer of one handshake can test guesses
  // offline against its binder, so it must be random, not a password) and
  // the hash (SHA-256 or SHA-384). The key's bytes are moved, not copied.
  static Result<ExternalPsk> make(std::string identity, std::vector<uint8_t> key,
                                  HashAlgorithm hash = HashAlgorithm::sha256);
  // validate applies make's checks to an object filled in field by field.
  Result<void> validate() const;
};

// ExternalPskStore: where a server looks up the external PSKs clients name
// (ServerConfig::external_psk_store), for a server with more of them than
// a list in its config suits (one per device of a fleet), or that adds and
// withdraws them while it runs. find is called once per identity a
// ClientHello offers, on the thread driving that connection, so it must be
// thread-safe; it returns null for an identity it does not know. A PSK it
// returns that ExternalPsk::validate refuses counts as unknown.
class ExternalPskStore {
 public:
  virtual ~ExternalPskStore() = default;
  virtual std::shared_ptr<const ExternalPsk> find(std::string_view identity) const = 0;
};

// MemoryExternalPskStore: an ExternalPskStore in memory, a thread-safe map
// by identity. PSKs can be added and removed while connections use it: a
// removed PSK authenticates no handshake that starts after remove returns
// (no tickets follow an external-PSK handshake, so nothing outlives it).
class MemoryExternalPskStore final : public ExternalPskStore {
 public:
  // add checks the PSK (ExternalPsk::validate) and refuses a second one with
  // the same identity; config_invalid either way.
  Result<void> add(std::shared_ptr<const ExternalPsk> psk);
  // remove drops the PSK with this identity; false if there was none.
  bool remove(std::string_view identity);
  size_t size() const;
  std::shared_ptr<const ExternalPsk> find(std::string_view identity) const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const ExternalPsk>, std::less<>> psks_;
};

// load_trust_anchors parses PEM (or DER) CA certificates into a trust store
// for ClientConfig::trust / ServerConfig::client_trust. Every certificate is
// an anchor, self-signed or not. All or nothing: one certificate that does
// not parse fails the whole text (cert_parse naming it), and so does text
// with no certificate. A system-wide bundle kept by someone else (Debian's
// holds a root that is not strict RFC 5280 DER) is better left to the
// default: a ClientConfig without `trust` uses the system store, which skips
// such certificates.
Result<std::shared_ptr<const x509::TrustStore>> load_trust_anchors(std::string_view pem);

// load_crls parses certificate revocation lists (RFC 5280 5), PEM ("X509
// CRL" blocks, any number, e.g. several files' text concatenated) or one DER
// CRL, for ClientConfig::crls / ServerConfig::client_crls. Nothing is trusted
// yet: a CRL is used only when its signature verifies with the key of the
// issuer of the certificate it is consulted for (see CrlCheck).
Result<std::shared_ptr<const x509::CrlSet>> load_crls(std::string_view pem_or_der);

// CrlCheck: which certificates of the peer's chain must be covered by a
// usable CRL when CRLs are configured. Whatever the setting, a certificate
// that a usable CRL lists is refused (cert_revoked, alert certificate_revoked).
// A CRL is usable for a certificate (RFC 5280 6.3.3) when its issuer name is
// the certificate's issuer, its signature verifies with that issuer's key
// (whose keyUsage, if present, allows cRLSign), thisUpdate <= now <= nextUpdate,
// and it is a complete CRL without unsupported critical extensions (delta
// CRLs and issuingDistributionPoint are not supported).
enum class CrlCheck : uint8_t {
  // Every certificate below the trust anchor must be covered (as OpenSSL's
  // X509_V_FLAG_CRL_CHECK_ALL); one that is not is cert_revocation_unknown
  // (alert certificate_unknown). The default.
  chain,
  // The leaf must be covered; intermediates are checked against the CRLs
  // there are (as X509_V_FLAG_CRL_CHECK).
  leaf,
  // Nothing must be covered: a certificate without a usable CRL is accepted.
  best_effort,
};

// OcspStapling: whether a client asks the server to staple an OCSP response
// about its certificate (RFC 6066 8 status_request; in TLS 1.3 the response
// comes in the Certificate message, RFC 8446 4.4.2.1), and what it demands.
// A stapled response is checked as RFC 6960 3.2 says: it must cover the
// server's certificate (CertID: serial, issuer name and key hashes), be
// signed by that certificate's issuer or by a responder the issuer delegated
// to (extKeyUsage OCSPSigning, a key as strong as path validation asks),
// and be current (thisUpdate <= now <= nextUpdate, 5 minutes of clock skew;
// never more than 10 days old, the CA/Browser Forum's cap, and without
// nextUpdate at most 7 days old). A response that lists the certificate
// more than once counts as "revoked" if any entry says so, and is refused
// if its entries otherwise disagree. A response saying "revoked" is
// cert_revoked (alert
// certificate_revoked); one that fails a check or says "unknown" is
// cert_status_invalid (alert bad_certificate_status_response), and so is no
// response for a certificate whose RFC 7633 TLS feature extension lists
// status_request ("must-staple"), once the client asked. Resumed sessions
// carry no certificate and so no response. A server certificate that is
// itself a trust anchor is not checked for revocation (RFC 5280 6.1), so
// neither require nor must-staple applies to it; with verify_peer false a
// response is not checked, but require still demands one.
enum class OcspStapling : uint8_t {
  off,         // not asked for (the default)
  if_stapled,  // asked for; a stapled response is checked, none is accepted
  require,     // asked for; a response saying "good" must be stapled
};

// KeyLogCallback receives one NSS key log line (no trailing newline), e.g.
// "CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random hex> <secret hex>". Like
// every callback and interface a config holds (PeerCheck, Clock, the
// resolvers, the stores in tessera/session.h, KeySigner), it is called on the
// thread driving each connection made from the config, so from several
// threads at once when connections run on several: it must be thread-safe.
using KeyLogCallback = std::function<void(std::string_view line)>;
// PeerIdentity: who the peer proved to be, as a PeerCheck sees it. A peer
// authenticates by a certificate chain (subject, names, spki_sha256 and,
// in a full handshake, chain are set) or by an external PSK (psk_identity
// is set, the certificate fields are empty).
struct PeerIdentity {
  bool peer_is_server = true;  // true: we are the client
  ProtocolVersion version = ProtocolVersion::tls13;
  // A resumed session: nothing was authenticated in this handshake; the
  // identity is the one checked when the session was established, kept in
  // the session (client) or its ticket (server), and chain is empty.
  bool resumed = false;
  std::string server_name;  // the SNI name: the one we asked for (client) or were asked for
  std::string subject;      // the leaf's subject, e.g. "CN=api, O=Example"
  std::string common_name;  // the subject's (last) commonName, e.g. "api"; may be empty
  // The leaf's subjectAltNames, rendered as "DNS:api.internal",
  // "IP:10.0.0.7", "IP:2001:db8::7", "URI:spiffe://example.org/ns/prod/sa/api",
  // "email:ops@example.org" (other forms as "DirName:...", "RID:...").
  std::vector<std::string> names;
  // SHA-256 of the leaf's DER SubjectPublicKeyInfo: the key pin of RFC
  // 7469 2.4 and curl's --pinnedpubkey sha256//.
  std::vector<uint8_t> spki_sha256;
  std::string verified_by;  // the trust anchor's subject; empty when not verified
  // DER, leaf first, as sent (full handshakes). A view of the handshake's
  // own copy: valid only during the PeerCheck call; copy what you keep.
  std::span<const std::vector<uint8_t>> chain;
  std::string psk_identity;  // external PSK authentication
};

// PeerCheck: the application's decision whether to proceed with a peer
// whose identity the handshake has established (authorization: pinning,
// an allowlist of SPIFFE IDs or service names, ...). It runs after the
// checks tessera makes itself have passed: once the certificate chain and
// the peer's signature have verified (or, for an external PSK, its binder
// or the server's acceptance of it), before we send anything the result
// depends on (a client its certificate and Finished; a server its ticket
// or, in TLS 1.2, its Finished). It runs on servers only for clients that
// authenticated (none under ClientAuth::none, or an optional certificate
// not sent). On resumption it runs against the kept identity before the
// session is offered (client) or accepted (server): a session it refuses
// (or one kept without an identity) is not resumed, and the full handshake
// checks the peer again. Returning an error aborts the handshake with
// ErrorCode::access_denied and the access_denied alert (RFC 8446 6.2: "a
// valid certificate or PSK was received, but when access control was
// applied, the sender decided not to proceed"), its message naming the
// peer and carrying the check's own. It may be called from any thread
// that drives a connection, so it must be thread-safe.
using PeerCheck = std::function<Result<void>(const PeerIdentity& peer)>;

// allow_peers builds a PeerCheck that proceeds with a peer matching any of
// `allowed`, each one of:
//   "DNS:name"   a dNSName SAN, compared without regard to ASCII case;
//   "IP:address" an iPAddress SAN (IPv4 or IPv6, any textual form);
//   "URI:uri"    a URI SAN, compared exactly (e.g. a SPIFFE ID);
//   "email:addr" an rfc822Name SAN, compared exactly;
//   "CN:name"    the leaf subject's commonName, compared exactly;
//   "spki-sha256:pin" the leaf key's SHA-256 (peer.spki_sha256), in base64
//                (as RFC 7469 and curl's sha256//) or in 64 hex digits;
//   "psk:identity" an external PSK's identity.
// Only exact matches count: there are no wildcards or prefixes. An entry of
// another form is config_invalid, naming it.
Result<PeerCheck> allow_peers(const std::vector<std::string>& allowed);

// CertificateRequestView: what a server's CertificateRequest asks of the
// client (RFC 8446 4.3.2; RFC 5246 7.4.4), for choosing the certificate to
// answer with.
struct CertificateRequestView {
  std::string_view server_name;  // the name the client connected to
  ProtocolVersion version = ProtocolVersion::tls13;
  bool after_handshake = false;  // a TLS 1.3 post-handshake request (RFC 8446 4.6.2)
  // certificate_authorities: the DER distinguished names of the CAs whose
  // certificates the server takes; empty when it names none.
  std::span<const std::vector<uint8_t>> authorities;
  std::span<const uint16_t> signature_schemes;  // the schemes the server takes
  // fits says whether a credential can answer: its key signs with one of
  // signature_schemes that our policy allows (TLS 1.2: and is of a
  // certificate type the request lists). A credential that does not fit is
  // not sent even if chosen (the request is declined).
  std::function<bool(const Credential&)> fits;
};

// ClientCertificateResolver chooses the client certificate for a server's
// CertificateRequest, in the handshake or after it: for clients holding
// several (one per CA, per service, per key type), or whose certificate
// comes from elsewhere (renewed, or looked up when asked). Null declines:
// an empty Certificate, which a server that requires one refuses. Called on
// the thread driving the connection, once per request; it must be
// thread-safe.
using ClientCertificateResolver =
    std::function<std::shared_ptr<const Credential>(const CertificateRequestView& request)>;

// select_client_certificate builds the common resolver: the first of
// `credentials` that fits the request and, when the request names
// certificate authorities, whose chain was issued by one of them (any of its
// certificates' issuer is named); null when none does.
ClientCertificateResolver select_client_certificate(
    std::vector<std::shared_ptr<const Credential>> credentials);

// Clock returns the current time in seconds since the Unix epoch; used for
// certificate validity and ticket ages.
using Clock = std::function<int64_t()>;

enum class ClientAuth : uint8_t { none, optional, required };

struct ClientConfig {
  Policy policy = Policy::default_policy();
  std::shared_ptr<crypto::Provider> provider;     // null: the default OpenSSL provider
  std::shared_ptr<const x509::TrustStore> trust;  // null with verify_peer: the system bundle
  bool verify_peer = true;                        // false only for tests and debugging
  std::vector<std::string> alpn;                  // offered protocols, in preference order
  std::shared_ptr<const Credential> credential;   // client certificate for mTLS, if any
  // Chooses the client certificate for each CertificateRequest instead of
  // `credential` (see ClientCertificateResolver); null: `credential`.
  ClientCertificateResolver certificate_resolver;
  Clock clock;            // null: system clock
  KeyLogCallback keylog;  // null: no key log
  // TLS 1.3 resumption: tickets received are kept here (per server name) and
  // offered on the next connection to the same name. Null: no resumption.
  std::shared_ptr<SessionStore> session_store;
  // Revocation of the server's chain (load_crls); null: not checked.
  std::shared_ptr<const x509::CrlSet> crls;
  CrlCheck crl_check = CrlCheck::chain;
  // OCSP stapling of the server's certificate (see OcspStapling).
  OcspStapling ocsp = OcspStapling::off;
  // A TLS 1.3 external PSK to offer (RFC 8446 4.2.11; see ExternalPsk),
  // instead of any resumption ticket. The policy must allow TLS 1.3 and a
  // TLS 1.3 suite with the PSK's hash. When the server does not take it, the
  // handshake falls back to the server's certificate if verify_peer is true;
  // with verify_peer false it fails (handshake_failure) and TLS 1.2 is not
  // offered: the PSK is then the only way the server can authenticate.
  std::shared_ptr<const ExternalPsk> external_psk;
  // Authorization of the server beyond path validation (see PeerCheck);
  // null: any server that verifies.
  PeerCheck peer_check;
  // TLS 1.3 post-handshake client authentication (RFC 8446 4.2.6, 4.6.2):
  // offer it, so that the server may ask for our certificate at any time
  // after the handshake (say, when a request reaches a protected resource).
  // We answer each request at once with what certificate_resolver returns
  // (if set), else `credential` (if it can sign with a scheme the request
  // lists) or, without one, with an empty Certificate that declines;
  // Event::certificate_requested reports it. Off: a server's
  // post-handshake CertificateRequest is unexpected_message.
  bool post_handshake_auth = false;
  // GREASE ECH (draft-ietf-tls-esni-25 6.2): a connection without
  // ClientOptions::ech_config_list still sends an encrypted_client_hello
  // extension, a random one shaped like a real offer, so that connections
  // that do use ECH do not stand out. Servers ignore it (one with ECH keys
  // answers with its retry configs, which the client checks and drops);
  // HandshakeSummary::ech says EchStatus::grease. TLS 1.3 offers only.
  bool ech_grease = false;
};

// CredentialResolver: the server's certificates for a ClientHello, looked up
// by the name it asks for (SNI; empty when it sends none) instead of fixed in
// the config: for servers with many names, or whose certificates are renewed
// while they run (ACME): return the current ones from wherever they are kept.
// It may return several (an ECDSA and an RSA certificate for the name); the
// server picks among them as among ServerConfig::credentials (the SNI host,
// then the client's signature algorithms), and falls back to those when
// none fits or none is returned. Called once per ClientHello (twice after a
// HelloRetryRequest), on the thread driving the connection: it must be
// thread-safe. Credentials are taken as
// they come (Credential::from_pem checks that key and leaf match).
using CredentialResolver =
    std::function<std::vector<std::shared_ptr<const Credential>>(std::string_view server_name)>;

// ServerConfigFields are ServerConfig's fields; ServerConfig adds only the
// special members that wipe cookie_key (a long-term secret) when the config
// is destroyed or assigned over.
struct ServerConfigFields {
  Policy policy = Policy::default_policy();
  std::shared_ptr<crypto::Provider> provider;
  // Server certificates; chosen by SNI (leaf dNSName SANs) and by the
  // client's signature algorithms. The first one is the fallback. May be
  // empty when there are external PSKs (external_psks or
  // external_psk_store): then only clients with one of them can connect.
  std::vector<std::shared_ptr<const Credential>> credentials;
  // Certificates looked up per ClientHello, tried before `credentials`
  // (see CredentialResolver); null: only `credentials`.
  CredentialResolver credential_resolver;
  // TLS 1.3 external PSKs (RFC 8446 4.2.11; see ExternalPsk) that clients
  // may offer, each with a distinct identity. A client whose PSK is taken is
  // authenticated by it: no certificate is sent or asked for, whatever
  // client_auth says (RFC 8446 4.3.2), and HandshakeSummary::psk_identity
  // names it. An unknown identity gets a certificate handshake. No
  // resumption tickets follow a PSK handshake, so removing a PSK from the
  // config shuts its holder out at once.
  std::vector<std::shared_ptr<const ExternalPsk>> external_psks;
  // More external PSKs, looked up by identity (see ExternalPskStore) after
  // external_psks; null: none. The same rules apply to the PSKs it holds.
  std::shared_ptr<const ExternalPskStore> external_psk_store;
  ClientAuth client_auth = ClientAuth::none;
  std::shared_ptr<const x509::TrustStore> client_trust;  // required unless client_auth == none
  // Revocation of client certificates (load_crls); null: not checked. On
  // resumption the client certificate (its issuer and serial, kept in the
  // ticket) is looked up again: a session whose certificate a CRL now lists,
  // or (unless best_effort) without a current CRL of its issuer, gets a full
  // handshake instead.
  std::shared_ptr<const x509::CrlSet> client_crls;
  CrlCheck client_crl_check = CrlCheck::chain;
  std::vector<std::string> alpn;  // supported protocols, in server preference order
  // Authorization of clients that authenticate, by certificate or external
  // PSK (see PeerCheck); null: any client that verifies.
  PeerCheck peer_check;
  Clock clock;
  KeyLogCallback keylog;
  // Key for stateless HelloRetryRequest cookies (32 bytes or more, else
  // config_invalid; wiped with the
  // config); empty: a process-wide random key, drawn when the first server
  // connection without one is created (servers that share cookies across
  // processes set the same key in each).
  std::vector<uint8_t> cookie_key;
  // TLS 1.3 resumption (RFC 8446 4.6.1): NewSessionTickets sent after each
  // handshake, full or resumed (0 disables resumption; at most 255, each
  // ticket's nonce being one byte), their lifetime, and the ticket keys
  // (null: a process-wide RotatingTicketKeys, 12-hour rotation).
  // A session resumed from a ticket is held to its full handshake: tickets
  // issued on resumptions end 7 days after it at most, and before the
  // client certificate it verified expires; a server resumes a session with
  // a client certificate only if its client_trust holds the anchor that
  // verified it (servers sharing ticket keys may trust different CAs).
  // A ticket also ends with its key: the default keys are accepted for 24 h
  // after they are drawn, so a ticket_lifetime_s beyond that needs
  // ticket_keys with a longer period.
  size_t tickets = 2;
  uint32_t ticket_lifetime_s = 7200;
  std::shared_ptr<TicketKeyProvider> ticket_keys;
  // Set: stateful resumption instead: tickets name entries of this cache,
  // each used once (TLS 1.3 and TLS 1.2 tickets alike), which hold the
  // session state sealed under the ticket keys.
  std::shared_ptr<ServerSessionCache> session_cache;
  // TLS 1.2: issue RFC 5077 tickets to clients that ask for them; false (or
  // a client without tickets) gets a session ID instead (RFC 5246 7.4.1.3),
  // its state kept in session_cache (or a process-wide cache) sealed under
  // the ticket keys.
  bool tls12_tickets = true;
  // 0-RTT (RFC 8446 2.3, 4.2.10, 8): tickets allow up to max_early_data bytes
  // of early data (0: no 0-RTT, the default). Early data is accepted only on
  // the first identity of a fresh ticket (the client's ticket age within the
  // replay guard's window of ours) that the replay guard has not seen, with
  // the ticket's suite and ALPN, and without HelloRetryRequest; otherwise it
  // is skipped and the handshake goes on. Connection::early_data() hands it
  // to the application, which must treat it as replayable. replay_guard
  // null: a process-wide MemoryReplayGuard (a fleet of servers sharing
  // ticket keys needs a shared guard, or a shared session_cache).
  uint32_t max_early_data = 0;
  std::shared_ptr<ReplayGuard> replay_guard;
  // Encrypted Client Hello (draft-ietf-tls-esni-25; tessera/ech.h): the keys
  // that open clients' encrypted ClientHellos, in shared mode (this server
  // is both the client-facing and the backend server). A ClientHello sealed
  // to one of them is answered as the inner ClientHello it holds; one that
  // none opens (a stale config, or a client's GREASE) is answered as sent,
  // and its client is given all these keys' configs to retry with. The
  // certificates must cover each key's public name. Empty: no ECH.
  std::vector<std::shared_ptr<const EchKey>> ech_keys;
};

struct ServerConfig : ServerConfigFields {
  ServerConfig() = default;
  ServerConfig(const ServerConfig&) = default;
  ServerConfig(ServerConfig&&) = default;
  // The assignments and the destructor wipe the cookie_key they drop (the
  // defaulted ones would free its buffer as it is).
  ServerConfig& operator=(const ServerConfig& other);
  ServerConfig& operator=(ServerConfig&& other) noexcept;
  ~ServerConfig();
};

}  // namespace tessera
