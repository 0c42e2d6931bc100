// handshake/handshake.h — the contract between the handshake state machines
// (client13, server13, ...) and the connection engine (src/conn).
//
// The engine owns the records: it deframes and decrypts, reassembles
// handshake messages and hands each complete one to Handshake::on_message.
// The handshake answers through the Channel: it queues handshake messages,
// switches record keys, reports events, trace lines and key log lines. The
// handshake never sees sockets or record framing.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "crypto/provider.h"
#include "tessera/algorithms.h"
#include "tessera/config.h"
#include "tessera/connection.h"
#include "tessera/result.h"
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
  // set_negotiated_version tells the record layer which rules apply.
  virtual void set_negotiated_version(ProtocolVersion v) = 0;
  // event queues an application-visible event.
  virtual void event(Event e) = 0;
  // trace reports one human-readable handshake step (no-op without tracer).
  virtual void trace(std::string_view line) = 0;
  virtual bool tracing() const = 0;
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
  // ccs_allowed says whether a plaintext ChangeCipherSpec may arrive now
  // (RFC 8446 5: between the first ClientHello and the peer's Finished).
  virtual bool ccs_allowed() const = 0;
  // is_done is true once the handshake completed.
  virtual bool is_done() const = 0;
  // key_update sends a KeyUpdate and switches our write keys (TLS 1.3).
  virtual Result<void> key_update(bool request_peer) = 0;
  virtual const HandshakeSummary& summary() const = 0;
  // expecting names the message(s) the state machine waits for, for
  // "expected X, got Y" diagnostics.
  virtual std::string expecting() const = 0;
};

// Everything a handshake needs from its connection, fixed at creation.
struct ClientParams {
  std::shared_ptr<const ClientConfig> config;
  ClientOptions options;
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

std::unique_ptr<Handshake> make_client13(ClientParams p);
std::unique_ptr<Handshake> make_server13(ServerParams p);

// unexpected_message_error builds "expected <what>, got <type>" with the
// unexpected_message alert (RFC 8446 6.2).
Error unexpected(std::string_view expecting, wire::HandshakeType got);

}  // namespace tessera::handshake
