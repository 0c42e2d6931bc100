// handshake/handshake.h — the contract between the handshake state machines
// (client13, server13, ...) and the connection engine (src/conn).
//
// The engine owns the records: it deframes and decrypts, reassembles
// handshake messages and hands each complete one to Handshake::on_message.
// The handshake answers through the Channel: it queues handshake messages,
// switches record keys, reports events, trace lines and key log lines. The
// handshake never sees sockets or record framing.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/provider.h"
#include "crypto/transcript.h"
#include "tessera/algorithms.h"
#include "tessera/config.h"
#include "tessera/connection.h"
#include "tessera/result.h"
#include "tessera/signer.h"
#include "wire/handshake.h"

namespace tessera::handshake {

// Channel is implemented by the connection engine.
class Channel {
 public:
  virtual ~Channel() = default;
  // send_handshake queues a complete handshake message (header included),
  // protected with the current write keys.
  virtual void send_handshake(ByteView message) = 0;
  // send_change_cipher_spec queues a plaintext ChangeCipherSpec record
  // (TLS 1.3 middlebox compatibility, RFC 8446 D.4).
  virtual void send_change_cipher_spec() = 0;
  // set_read_secret_tls13 / set_write_secret_tls13 switch one direction to
  // keys derived from a TLS 1.3 traffic secret (RFC 8446 7.3). Switching the
  // read side fails with unexpected_message if a partial handshake message
  // is buffered: RFC 8446 5.1, handshake messages MUST NOT span key changes.
  virtual Result<void> set_read_secret_tls13(const CipherSuiteInfo& suite, ByteView secret) = 0;
  virtual Result<void> set_write_secret_tls13(const CipherSuiteInfo& suite, ByteView secret) = 0;
  // set_read_keys_tls12 / set_write_keys_tls12 switch one direction to TLS
  // 1.2 AEAD record protection (RFC 5246 6.2.3.3, RFC 5288, RFC 7905) with a
  // write key and IV from the key block. The read side is switched when the
  // peer's ChangeCipherSpec arrives, the write side after ours is sent; a
  // partial handshake message buffered at that point is unexpected_message.
  virtual Result<void> set_read_keys_tls12(const CipherSuiteInfo& suite, ByteView key,
                                           ByteView iv) = 0;
  virtual Result<void> set_write_keys_tls12(const CipherSuiteInfo& suite, ByteView key,
                                            ByteView iv) = 0;
  // reset_write_keys returns the write side to plaintext records: a client
  // that sent 0-RTT data sends its second ClientHello (after a
  // HelloRetryRequest) unprotected, RFC 8446 4.1.2.
  virtual void reset_write_keys() = 0;
  // send_application_data queues application data under the current write
  // keys: a client's 0-RTT data (RFC 8446 2.3) or its resend after the
  // handshake when the server rejected it.
  virtual void send_application_data(ByteView data) = 0;
  // Server side of 0-RTT. accept_early_data: application data arriving under
  // the read keys just installed (the client_early_traffic_secret's) is
  // early data, at most max_bytes of it (RFC 8446 4.2.10: more ->
  // unexpected_message) until end_early_data (EndOfEarlyData arrived).
  // skip_early_data: the client's early data was refused; records that fail
  // to decrypt under the handshake keys (or, after a HelloRetryRequest,
  // application_data records before the second ClientHello) are dropped, up
  // to max_bytes in total.
  virtual void accept_early_data(size_t max_bytes) = 0;
  virtual void end_early_data() = 0;
  virtual void skip_early_data(size_t max_bytes) = 0;
  // send_warning_alert queues a warning-level alert (TLS 1.2 only, e.g.
  // no_renegotiation in answer to a HelloRequest, RFC 5246 7.4.1.1).
  virtual void send_warning_alert(AlertDescription d) = 0;
  // expect_handshake_only(true): until it is turned off, an application
  // data record is unexpected_message (RFC 8446 4.6.2: a client's answer to
  // a post-handshake CertificateRequest is consecutive handshake messages).
  virtual void expect_handshake_only(bool on) = 0;
  // RFC 8449 record_size_limit, once negotiated; max_content is the most
  // content per record (the handshake takes the TLS 1.3 inner content type
  // off the limit). limit_sent_records: records we protect from now on.
  // limit_received_records: protected records of the peer under the current
  // read keys, if any, and under every later ones; a longer record is
  // record_overflow, from its header, before decryption. The records
  // already opened under the current read keys are held to it too (a TLS 1.3
  // server's EncryptedExtensions, perhaps split over records): if one was
  // longer, it fails with record_overflow. 0 removes the limit (the
  // protocol's applies).
  virtual void limit_sent_records(size_t max_content) = 0;
  virtual Result<void> limit_received_records(size_t max_content) = 0;
  // set_negotiated_version tells the record layer which rules apply.
  virtual void set_negotiated_version(ProtocolVersion v) = 0;
  // application_records_sent counts the application data records sent so
  // far (RFC 8446 4.6.3: update requests that arrive while we have sent
  // nothing since our last KeyUpdate are answered by that one).
  virtual uint64_t application_records_sent() const = 0;
  // event queues an application-visible event.
  virtual void event(Event e) = 0;
  // trace reports one human-readable handshake step (no-op without tracer).
  virtual void trace(std::string_view line) = 0;
  // trace_lazy is trace for a line formatted by make_line only when a tracer
  // reads it. Before the connection has started (no tracer can be installed
  // yet) the engine keeps make_line for a later set_trace to replay, so it
  // must own copies of what it formats: the handshake object that made it
  // may be gone by then.
  virtual void trace_lazy(std::function<std::string()> make_line) = 0;
  virtual bool tracing() const = 0;
  // request_signature pauses the connection for a signature an asynchronous
  // KeySigner makes (Connection::signature_request): the engine processes no
  // more input until Handshake::on_signature has the answer. False: the
  // connection was closed (nothing more would be sent), so the step that
  // needs the signature is dropped and nothing pauses.
  virtual bool request_signature(SignatureRequest request) = 0;
};

// Signing makes one handshake signature: at once with the key, or, when an
// asynchronous KeySigner holds it, by asking the application through the
// Channel and going on when its answer arrives (Handshake::on_signature).
// Either way the rest of the step runs in `then`, with the signature.
class Signing {
 public:
  using Then = std::function<Result<void>(Bytes signature)>;
  // `then` may be move-only (it may own the step's secrets). It and a copy
  // of `content` are stored (on the heap) only when the handshake waits, so
  // signing with an ordinary key copies and allocates nothing for them.
  template <class F>
  Result<void> sign_then(Channel& channel, std::shared_ptr<const crypto::PrivateKey> key,
                         SignatureScheme scheme, ByteView content, F then) {
    std::shared_ptr<const KeySigner> signer = key->asynchronous_signer();
    if (!signer) {
      TESSERA_ASSIGN_OR_RETURN(Bytes sig, key->sign(scheme, content));
      return then(std::move(sig));
    }
    auto held = std::make_shared<F>(std::move(then));
    return wait_for(channel, std::move(signer), std::move(key), scheme,
                    Bytes(content.begin(), content.end()),
                    [held](Bytes sig) { return (*held)(std::move(sig)); });
  }
  // complete checks the application's answer (PrivateKey::accept_signature)
  // and runs the step that waits for it.
  Result<void> complete(Result<std::vector<uint8_t>> answer);
  bool waiting() const { return static_cast<bool>(pending_); }

 private:
  Result<void> wait_for(Channel& channel, std::shared_ptr<const KeySigner> signer,
                        std::shared_ptr<const crypto::PrivateKey> key, SignatureScheme scheme,
                        Bytes content, Then then);
  struct Pending {
    std::shared_ptr<const crypto::PrivateKey> key;
    SignatureScheme scheme{};
    Bytes content;
    Then then;
  };
  // Held by pointer: a handshake that never waits pays 8 bytes for it.
  std::unique_ptr<Pending> pending_;
};

// Handshake is one side's state machine for one connection.
class Handshake {
 public:
  virtual ~Handshake() = default;
  // start sends the first flight (client) or does nothing (server).
  virtual Result<void> start() = 0;
  // on_message handles one complete handshake message, during the handshake
  // or after it (KeyUpdate, NewSessionTicket).
  virtual Result<void> on_message(const wire::HandshakeMessage& m) = 0;
  // on_change_cipher_spec handles a TLS 1.2 ChangeCipherSpec (RFC 5246
  // 7.1): the state machine switches its read keys, or refuses it with
  // unexpected_message when it does not expect one. TLS 1.3 never calls it.
  virtual Result<void> on_change_cipher_spec() {
    return Error(ErrorCode::unexpected_message,
                 "change_cipher_spec while expecting " + expecting());
  }
  // ccs_allowed says whether a plaintext ChangeCipherSpec may arrive now
  // (RFC 8446 5: between the first ClientHello and the peer's Finished).
  virtual bool ccs_allowed() const = 0;
  // is_done is true once the handshake completed.
  virtual bool is_done() const = 0;
  // key_update sends a KeyUpdate and switches our write keys (TLS 1.3).
  virtual Result<void> key_update(bool request_peer) = 0;
  // request_client_certificate / client_certificate_request: see
  // Connection's; only a TLS 1.3 server does more than refuse.
  virtual Result<void> request_client_certificate() {
    return Error(ErrorCode::internal_error,
                 "only a TLS 1.3 server can ask for the client's certificate after the handshake");
  }
  virtual ClientCertificateRequest client_certificate_request() const {
    return ClientCertificateRequest::none;
  }
  virtual const HandshakeSummary& summary() const = 0;
  // export_keying_material derives `length` bytes of exporter output (RFC
  // 8446 7.5 / RFC 5705) once is_done(); see Connection::export_keying_material.
  virtual Result<SecretBytes> export_keying_material(std::string_view label,
                                                     std::optional<ByteView> context,
                                                     size_t length) const = 0;
  // expecting names the message(s) the state machine waits for, for
  // "expected X, got Y" diagnostics.
  virtual std::string expecting() const = 0;
  // on_signature continues the step that asked for an asynchronous
  // signature (Channel::request_signature) with the application's answer.
  virtual Result<void> on_signature(Result<std::vector<uint8_t>> answer) {
    return signing_.complete(std::move(answer));
  }

 protected:
  Signing signing_;
};

// Everything a handshake needs from its connection, fixed at creation.
struct ClientParams {
  std::shared_ptr<const ClientConfig> config;
  ClientOptions options;
  EarlyDataRequest early;  // 0-RTT data to send, if a ticket allows
  crypto::Provider* provider = nullptr;
  Channel* channel = nullptr;
  int64_t now_unix = 0;
};

struct ServerParams {
  std::shared_ptr<const ServerConfig> config;
  crypto::Provider* provider = nullptr;
  Channel* channel = nullptr;
  int64_t now_unix = 0;
  ByteView cookie_key;
};

// make_client13 / make_server13 create the state machines a connection
// starts with. Despite the name they negotiate the version too: the client
// offers TLS 1.3 and/or 1.2 as the policy allows and continues with a TLS 1.2
// state machine (make_client12) when the server chooses TLS 1.2; the server
// does the same with make_server12 after reading the ClientHello.
std::unique_ptr<Handshake> make_client13(ClientParams p);
std::unique_ptr<Handshake> make_server13(ServerParams p);

// What the TLS 1.2 client inherits from the ClientHello that was sent.
struct Client12Start {
  ClientParams params;
  crypto::Transcript transcript;  // holds the ClientHello; no hash selected yet
  std::array<uint8_t, 32> client_random{};
  std::vector<uint16_t> offered_suites;
  std::vector<uint16_t> offered_groups;
  std::vector<uint16_t> offered_schemes;
  std::vector<std::string> offered_alpn;
  std::string sni;
  Bytes session_id;                        // our ClientHello's legacy_session_id
  std::unique_ptr<Session> session;        // the TLS 1.2 session ticket we offered
  EchStatus ech = EchStatus::not_offered;  // grease: our ClientHello carried GREASE ECH
  // ECH was offered, and this TLS 1.2 ServerHello answered the outer
  // ClientHello (transcript and client_random are the outer one's): the
  // server must authenticate as this public name, and the handshake then
  // ends with ech_required (draft-ietf-tls-esni 6.1.6).
  std::string ech_public_name;
};
// make_client12 continues a handshake whose ServerHello chose TLS 1.2; it
// checks that ServerHello (m) and sets up the TLS 1.2 state machine.
Result<std::unique_ptr<Handshake>> make_client12(Client12Start start,
                                                 const wire::HandshakeMessage& m);

struct Offer;
// make_server12 answers a ClientHello (m, already parsed into `offer`) for
// which TLS 1.2 was chosen: it sends the server's first flight.
Result<std::unique_ptr<Handshake>> make_server12(ServerParams p, const Offer& offer,
                                                 const wire::HandshakeMessage& m);

// unexpected_message_error builds "expected <what>, got <type>" with the
// unexpected_message alert (RFC 8446 6.2).
Error unexpected(std::string_view expecting, wire::HandshakeType got);

}  // namespace tessera::handshake
