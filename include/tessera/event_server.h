// tessera/event_server.h — an event-loop TLS server: epoll, non-blocking
// sockets, one worker thread per core, every connection a sans-I/O Connection.
//
// The listening socket is shared by the workers (each waits on it with
// EPOLLEXCLUSIVE, so one worker wakes per new connection); a worker owns the
// connections it accepted and drives them to the end. What a connection does
// with application data is up to a ServerSession the application supplies:
//
//   struct Echo : ServerSession {
//     SessionAction on_data(Connection& c, bool) override {
//       auto d = c.app_data();
//       (void)c.write(d);
//       c.consume_app_data(d.size());
//       return SessionAction::keep;
//     }
//   };
//   auto srv = EventServer::listen(config, {.port = 8443},
//       [](const std::string&, Connection&) { return std::make_unique<Echo>(); }).value();
//   if (auto r = srv->run(); !r.ok()) { /* r.error() */ }   // until srv->stop()
//
// Limits: a handshake must complete within handshake_timeout of the accept
// (half-open handshakes are canceled: user_canceled and close_notify, then
// the connection is dropped); an established connection that neither sends
// bytes nor takes any of ours for idle_timeout is closed, and so is one
// whose peer stops taking the output queued before our close_notify; a peer
// that resets or vanishes at any point only costs the descriptor and the
// Connection until the worker sees it, both released at once.
//
// A credential whose key is held by an asynchronous KeySigner
// (tessera/signer.h; a network KMS, a remote HSM) is signed for off the
// workers, on signing_threads: a handshake that waits for its signature
// holds up no other connection, and handshake_timeout still applies to it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "tessera/config.h"
#include "tessera/connection.h"
#include "tessera/result.h"

namespace tessera {

enum class SessionAction : uint8_t {
  keep,   // keep the connection open
  close,  // send close_notify (after any queued data) and end the connection
};

// ServerSession: the application side of one accepted connection. The server
// makes one per connection and calls it only from the worker that owns the
// connection, never concurrently.
class ServerSession {
 public:
  virtual ~ServerSession() = default;
  // on_handshake_done is called once, when the handshake completes.
  virtual void on_handshake_done(Connection& conn) { (void)conn; }
  // on_event is called for each Event the connection reports once the
  // handshake is done (Event::handshake_done first), before on_data: e.g.
  // Event::client_certificate_answered, the answer to a
  // Connection::request_client_certificate() made in on_handshake_done.
  virtual SessionAction on_event(Connection& conn, Event e) {
    (void)conn;
    (void)e;
    return SessionAction::keep;
  }
  // on_data is called when application data arrived (conn.app_data() is not
  // empty, or 0-RTT data waits in conn.early_data() - replayable, see
  // Connection::early_data), when the peer sent close_notify (conn.is_peer_closed()), or once
  // with eof = true when the transport closed without close_notify. It
  // consumes what it handles and may write(). After close_notify or eof the
  // connection ends whatever it returns.
  virtual SessionAction on_data(Connection& conn, bool eof) = 0;
  // on_end is called once when the connection is released: error is why
  // (handshake failure, reset, timeout, a transport closed without
  // close_notify: truncated_connection), or null after an orderly close. The
  // Connection the factory was given is still valid until on_end returns
  // (its summary() says how far a failed handshake got), and freed after.
  virtual void on_end(const Error* error, bool handshake_done) {
    (void)error;
    (void)handshake_done;
  }
};

struct EventServerOptions {
  std::string host = "127.0.0.1";  // numeric IPv4 or IPv6 address
  uint16_t port = 0;               // 0: an ephemeral port (see port())
  unsigned workers = 0;            // 0: one per online CPU
  int backlog = 4096;              // listen(2) backlog (the kernel caps it at somaxconn)
  std::chrono::milliseconds handshake_timeout{10000};  // from accept to handshake done
  // No bytes from the peer and none of ours taken by it (also while the
  // output before our close_notify is sent); 0: none.
  std::chrono::milliseconds idle_timeout{300000};
  std::chrono::milliseconds linger{1000};  // once our close_notify is sent, wait for the peer's FIN
  // After stop(): idle connections are closed at once (close_notify); the
  // others have this long to finish, then are closed with close_notify and
  // their sessions' on_end gets a timeout error.
  std::chrono::milliseconds drain{2000};
  uint64_t max_connections = 0;  // stop after accepting this many (0: never)
  // Connections open at once, over all workers: at the limit no more are
  // accepted (they wait in the listen backlog, see `backlog`) until one is
  // released. 0: no limit but the process's descriptors (out of them,
  // accepting pauses for 200 ms at a time).
  uint64_t max_open = 0;
  // Connections open at once from one peer address (IPv4, or IPv6 to the
  // full 128 bits): one more is closed as soon as it is accepted, before any
  // TLS, and counted in EventServerStats::refused. 0: no limit (peers behind
  // one NAT or proxy share an address).
  uint32_t max_open_per_peer = 0;
  size_t max_pending_output = 256 * 1024;  // stop reading from a peer that does not read
  // Stop reading from a peer while its session leaves this much application
  // data (with 0-RTT data) unconsumed: the peer's further bytes wait in its
  // own buffers (TCP flow control), not in ours. One read (up to a record's
  // worth) may go past it. The session is offered the data again (on_data) at
  // the connection's next event and at least every 200 ms, and reading resumes
  // once it has consumed below the limit.
  size_t max_unread_input = 256 * 1024;
  // Threads (shared by the workers, started by run() and joined before it
  // returns) that call SignatureRequest::sign() for handshakes waiting for an
  // asynchronous KeySigner; 0: the worker signs itself, holding up its other
  // connections meanwhile. At stop(), signatures not started are dropped and
  // run() waits for those in progress (their results are discarded).
  unsigned signing_threads = 2;
};

struct EventServerStats {
  uint64_t accepted = 0;
  uint64_t active = 0;      // connections open now
  uint64_t handshakes = 0;  // completed
  uint64_t failed = 0;      // ended with an error (handshake, reset, protocol)
  uint64_t timed_out = 0;   // handshake or idle timeout
  uint64_t refused = 0;     // closed at accept: the peer's max_open_per_peer reached
};

class EventServer {
 public:
  // SessionFactory makes the session for a new connection; peer is the
  // client's address. It may install a trace on conn.
  using SessionFactory =
      std::function<std::unique_ptr<ServerSession>(const std::string& peer, Connection& conn)>;

  // listen binds and listens on options.host:options.port; io_error names the
  // address on failure. Nothing is accepted until run().
  static Result<std::unique_ptr<EventServer>> listen(std::shared_ptr<const ServerConfig> config,
                                                     EventServerOptions options,
                                                     SessionFactory factory);
  ~EventServer();
  EventServer(const EventServer&) = delete;
  EventServer& operator=(const EventServer&) = delete;

  // port returns the port listened on.
  uint16_t port() const { return port_; }
  // run serves on options.workers threads (the caller's thread is one of
  // them) until stop() is called or max_connections were accepted, then
  // gives open connections `drain` to finish, closes the rest and returns.
  Result<void> run();
  // stop makes run() return as described. Async-signal-safe: it only stores
  // an atomic flag and writes to an eventfd.
  void stop();
  EventServerStats stats() const;

  struct Shared;  // state the workers share (event_server.cc)

 private:
  EventServer() = default;
  std::unique_ptr<Shared> shared_;
  uint16_t port_ = 0;
};

}  // namespace tessera
