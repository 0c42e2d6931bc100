// tessera/connection.h — the sans-I/O TLS connection.
//
// A Connection never touches a socket: feed it the bytes that arrived from
// the peer with receive_tls(), send what pending_tls() returns and then
// consume_tls() that many bytes. Application data goes in with write() and
// comes out through app_data()/consume_app_data(). Events (handshake done,
// peer closed, key update, ticket) are polled. The same engine serves the
// blocking Stream in tessera/stream.h, an epoll loop, or a fuzzer.
//
//   auto c = Connection::client(config, {.server_name = "example.com"}).value();
//   while (!c->is_handshake_done()) {
//     auto out = c->pending_tls();
//     send(out);
//     c->consume_tls(out.size());
//     if (auto r = c->receive_tls(recv()); !r.ok()) {  // the alert is queued: send it
//       send(c->pending_tls());
//       return r.error();
//     }
//   }
//
// After any error the connection is failed: the alert describing it has been
// queued in pending_tls(), and every later call returns the same error.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/config.h"
#include "tessera/ech.h"
#include "tessera/error.h"
#include "tessera/result.h"
#include "tessera/signer.h"

namespace tessera {

struct ClientOptions {
  // DNS name (sent as SNI and verified against dNSName SANs) or an IP literal
  // (not sent as SNI; verified against iPAddress SANs). Empty: no SNI and no
  // identity check (only allowed with verify_peer = false).
  std::string server_name;
  // Overrides ClientConfig::alpn when non-empty.
  std::vector<std::string> alpn;
  // Encrypted Client Hello (draft-ietf-tls-esni-25; see tessera/ech.h): the
  // server's ECHConfigList, as published. Set: the ClientHello naming
  // server_name is sent encrypted, inside an outer ClientHello that names
  // the config's public name; the inner ClientHello offers only TLS 1.3
  // (the outer one TLS 1.2 too, as a server without ECH expects), and no
  // 0-RTT data is sent.
  // A server that cannot open it is authenticated for the public name and
  // the handshake then fails with ErrorCode::ech_required, its retry
  // configs (if any) in HandshakeSummary::ech_retry_configs. A list with no
  // config we can use is config_invalid. Empty: no ECH.
  std::vector<uint8_t> ech_config_list = {};
};

// EarlyDataRequest: 0-RTT data for Connection::client_with_early_data.
struct EarlyDataRequest {
  std::vector<uint8_t> data;
  // When the server refuses the early data (or no ticket allows it), send
  // it as ordinary application data once the handshake completes.
  bool resend_if_rejected = true;
};

// What became of 0-RTT data on this connection.
enum class EarlyData : uint8_t {
  not_offered,  // the client sent none (or the server saw none)
  accepted,     // the server took it as 0-RTT data
  rejected,     // the server refused it (it was skipped; see ClientOptions)
};

enum class Event : uint8_t {
  handshake_done,
  peer_closed,          // close_notify received
  key_update_received,  // the peer updated its sending keys
  new_session_ticket,   // a TLS 1.3 NewSessionTicket arrived
  early_data_received,  // server: 0-RTT data is waiting in early_data()
  early_data_rejected,  // client: the server refused our 0-RTT data
  // Post-handshake client authentication (RFC 8446 4.6.2).
  certificate_requested,        // client: the server asked, and we answered
  client_certificate_answered,  // server: see Connection::client_certificate_request()
  // The handshake waits for a signature from an asynchronous KeySigner:
  // see Connection::signature_request().
  signature_requested,
};

// The state of a server's latest post-handshake request for the client's
// certificate (Connection::request_client_certificate).
enum class ClientCertificateRequest : uint8_t {
  none,      // none was made
  pending,   // sent; the client has not answered it yet
  received,  // answered with a certificate that verified: summary() names it
  declined,  // answered with an empty Certificate
};

// What was negotiated, for display and for application decisions.
struct HandshakeSummary {
  ProtocolVersion version = ProtocolVersion::tls13;
  uint16_t cipher_suite = 0;
  uint16_t group = 0;             // key exchange group (0 for RSA key transport)
  uint16_t signature_scheme = 0;  // the server's CertificateVerify/ServerKeyExchange scheme
  uint16_t client_signature_scheme = 0;
  std::string alpn;
  std::string server_name;  // SNI sent (client) or received (server)
  bool hello_retry = false;
  bool resumed = false;  // TLS 1.3 PSK resumption: no certificate was exchanged
  bool client_authenticated = false;
  bool extended_master_secret = false;  // TLS 1.2: RFC 7627 negotiated (always true in TLS 1.3)
  bool psk_only = false;                // TLS 1.3 PSK with psk_ke: no (EC)DHE, no forward secrecy
  // TLS 1.3 external PSK (ExternalPsk): the identity of the one both sides
  // used, which authenticated them instead of certificates; empty otherwise.
  std::string psk_identity;
  EarlyData early_data = EarlyData::not_offered;
  // Client: the server refused our 0-RTT data and it was not sent again,
  // because this connection selected another ALPN protocol than the ticket's
  // (RFC 8446 4.2.10: the data was written for that protocol).
  bool early_data_dropped = false;
  // RFC 8449 record_size_limit, when both sides sent one: the peer's, which
  // bounds the records we send it (0: not negotiated; our own limit is
  // Policy::limits.record_size_limit, capped for the version).
  uint16_t peer_record_size_limit = 0;
  // RFC 8879: the algorithm (CertCompression value) the peer's certificate
  // came compressed with, and the one we compressed ours with; 0: none.
  uint16_t peer_cert_compression = 0;
  uint16_t own_cert_compression = 0;
  std::vector<std::vector<uint8_t>> peer_chain;  // DER, leaf first, as sent by the peer
  std::string peer_subject;                      // leaf subject, e.g. "CN=localhost"
  std::string peer_verified_by;                  // trust anchor subject, when verified
  // OCSP stapling (RFC 6066 8): a server, whether it stapled its response; a
  // client, whether the server stapled one, and what checking it found
  // ("good; thisUpdate ..., nextUpdate ...").
  bool ocsp_stapled = false;
  std::string peer_ocsp;
  // Encrypted Client Hello (tessera/ech.h). A client that offered it: the
  // public name the outer ClientHello named, and, when the server refused
  // it (ErrorCode::ech_required), the ECHConfigList it sent to retry with
  // (empty: it sent none, and ECH may be disabled for that server). Use
  // them on a new connection only: they are authenticated by the server's
  // certificate for the public name, never by the origin's.
  EchStatus ech = EchStatus::not_offered;
  std::string ech_public_name;
  std::vector<uint8_t> ech_retry_configs;
};

// TraceCallback receives one plain-words line per handshake step
// ("Client Hello: offered TLS 1.3, TLS 1.2; suites ...").
using TraceCallback = std::function<void(std::string_view line)>;

class Connection {
 public:
  // client creates a client connection; its ClientHello is queued at once.
  static Result<std::unique_ptr<Connection>> client(std::shared_ptr<const ClientConfig> config,
                                                    ClientOptions options);
  // client_with_early_data is client() that also sends `early.data` as 0-RTT
  // data (RFC 8446 2.3, 4.2.10) right behind its ClientHello, when the
  // session store holds a ticket for the server name that allows early data
  // (up to the ticket's max_early_data; any rest follows the handshake).
  // Early data is REPLAYABLE: an attacker can deliver it to the server again,
  // so send only requests that are safe to repeat. If the server refuses it
  // (or no ticket allows it), the bytes go out as ordinary application data
  // once the handshake completes unless early.resend_if_rejected is false, or
  // the connection selected another ALPN protocol than the ticket's (RFC 8446
  // 4.2.10; summary().early_data_dropped); summary().early_data says which
  // happened.
  static Result<std::unique_ptr<Connection>> client_with_early_data(
      std::shared_ptr<const ClientConfig> config, ClientOptions options, EarlyDataRequest early);
  // server creates a server connection waiting for a ClientHello.
  static Result<std::unique_ptr<Connection>> server(std::shared_ptr<const ServerConfig> config);

  virtual ~Connection() = default;

  // set_trace installs a callback for human-readable handshake steps.
  virtual void set_trace(TraceCallback cb) = 0;

  // receive_tls consumes bytes from the peer (any split). On a fatal error
  // the alert is queued and the error returned.
  virtual Result<void> receive_tls(std::span<const uint8_t> data) = 0;
  // pending_tls returns bytes to send to the peer; valid until the next call
  // on this connection.
  virtual std::span<const uint8_t> pending_tls() const = 0;
  virtual void consume_tls(size_t n) = 0;

  // write queues application data (allowed once the handshake is done).
  virtual Result<void> write(std::span<const uint8_t> data) = 0;
  // app_data returns received, decrypted application data not yet consumed.
  virtual std::span<const uint8_t> app_data() const = 0;
  virtual void consume_app_data(size_t n) = 0;
  // early_data returns 0-RTT data received by a server (RFC 8446 2.3) and not
  // yet consumed. It arrives before the handshake completes and is
  // REPLAYABLE: the server's anti-replay defences (single-use tickets, a
  // freshness window, ServerConfig::replay_guard) make a replay unlikely, not
  // impossible. Act on it only if doing it twice is harmless.
  virtual std::span<const uint8_t> early_data() const = 0;
  virtual void consume_early_data(size_t n) = 0;

  // close queues close_notify; no more writes are accepted. Before the
  // handshake has completed it cancels it: user_canceled, then close_notify
  // (RFC 8446 6.1).
  virtual void close() = 0;
  // key_update sends a KeyUpdate (TLS 1.3), asking the peer to update too
  // when request_peer is true.
  virtual Result<void> key_update(bool request_peer) = 0;

  // request_client_certificate (server, TLS 1.3) asks the client for its
  // certificate after the handshake (RFC 8446 4.6.2): a client that offered
  // post_handshake_auth answers with a Certificate, a CertificateVerify and
  // a Finished, or declines with an empty Certificate and a Finished. The
  // answer is handled as later bytes arrive (application data may come
  // before it): it is verified as an in-handshake client certificate would
  // be (ServerConfig::client_trust, client_crls, peer_check), and then
  // Event::client_certificate_answered is queued and
  // client_certificate_request() says received or declined. A certificate
  // that fails verification, or that the peer check refuses, fails the
  // connection with the alert for it; a client that declines does not (the
  // application decides what it may do). A certificate received replaces
  // the client identity in summary(); tickets already issued keep the
  // identity of the handshake. Errors (the connection is not affected):
  // internal_error on a client, before the handshake completed, after
  // close() or the client's close_notify, with TLS 1.2, when the client did
  // not offer post_handshake_auth, or while a request is pending;
  // config_invalid without client_trust; after a fatal error, that error.
  virtual Result<void> request_client_certificate() = 0;
  virtual ClientCertificateRequest client_certificate_request() const = 0;

  // Asynchronous signing (KeySigner::asynchronous). When our certificate's
  // key is held by such a signer, the handshake pauses where it needs the
  // signature (a server's CertificateVerify or TLS 1.2 ServerKeyExchange, a
  // client's CertificateVerify, also after the handshake):
  // Event::signature_requested is queued and signature_request() returns
  // the request (null when none is pending). What was sent before it is in
  // pending_tls(); bytes received meanwhile are kept, unprocessed, until
  // the signature arrives (at most 256 KiB: more fails with
  // too_many_messages), and write() holds application data until then.
  // complete_signature hands the signer's result back, on the connection's
  // thread: the signature is verified with the certificate's key, the
  // handshake goes on and the kept bytes are processed; an error (from the
  // signer, or a signature that does not verify) fails the connection with
  // internal_error. Without a pending request, complete_signature returns
  // internal_error and changes nothing; close() drops a pending request.
  virtual const SignatureRequest* signature_request() const = 0;
  virtual Result<void> complete_signature(Result<std::vector<uint8_t>> signature) = 0;
  // sign_inline makes each signature the handshake waits for on the calling
  // thread and hands it back (what Stream does, and EventServer without
  // signing threads); the first error is returned.
  Result<void> sign_inline() {
    while (const SignatureRequest* request = signature_request())
      if (auto done = complete_signature(request->sign()); !done.ok()) return done;
    return ok();
  }

  virtual std::optional<Event> poll_event() = 0;
  virtual bool is_handshake_done() const = 0;
  virtual bool is_peer_closed() const = 0;
  // error returns the fatal error, or null.
  virtual const Error* error() const = 0;
  virtual const HandshakeSummary& summary() const = 0;

  // export_keying_material fills `out` with keying material that both ends
  // of this connection, and nobody else, can compute from `label` and
  // `context` (RFC 8446 7.5 in TLS 1.3, RFC 5705 in TLS 1.2): for binding an
  // application's authentication to the connection (RFC 9266 channel
  // binding: label "EXPORTER-Channel-Binding", an empty context, 32 bytes)
  // or for keying a protocol inside it. Labels SHOULD begin with "EXPORTER"
  // (or "EXPERIMENTAL" for private use). context std::nullopt is no context,
  // an empty span an empty one: the same in TLS 1.3, different in TLS 1.2.
  // Errors (a failed call does not affect the connection): internal_error
  // before the handshake completed; after a fatal error, that error;
  // config_invalid for a label that is empty, longer than 249 bytes or one
  // TLS 1.2 uses itself ("key expansion", ...), a context over 65535 bytes,
  // or an empty `out` or one over 255 hash lengths; insufficient_security
  // for TLS 1.2 without the extended master secret (RFC 7627 5.4). Like
  // every call, not concurrently with another call on the same Connection.
  virtual Result<void> export_keying_material(
      std::span<uint8_t> out, std::string_view label,
      std::optional<std::span<const uint8_t>> context) const = 0;
  Result<void> export_keying_material(std::span<uint8_t> out, std::string_view label) const {
    return export_keying_material(out, label, std::nullopt);
  }
};

}  // namespace tessera
