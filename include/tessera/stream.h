// tessera/stream.h — a blocking TLS stream over a connected socket.
//
// Stream drives a Connection over a file descriptor with poll(2) and
// per-operation timeouts. It owns the descriptor and closes it on
// destruction. A signature an asynchronous KeySigner owes the handshake
// (Connection::signature_request) is made inline, on the calling thread: a
// blocking stream waits for it either way.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "tessera/connection.h"
#include "tessera/result.h"

namespace tessera {

struct StreamTimeouts {
  std::chrono::milliseconds handshake{10000};  // whole handshake
  std::chrono::milliseconds io{30000};         // each read/write wait
};

class Stream {
 public:
  Stream(int fd, std::unique_ptr<Connection> conn, StreamTimeouts timeouts = {});
  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) noexcept;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream();

  // connect_tcp opens a TCP connection to host:port (numeric or DNS name)
  // within timeout and returns the descriptor. The timeout bounds the name
  // lookup too (it runs on a thread of its own), and each address tried gets
  // an equal share of the time left. Errors: timeout, or io_error (refused,
  // unreachable, no such name).
  static Result<int> connect_tcp(const std::string& host, uint16_t port,
                                 std::chrono::milliseconds timeout);

  // handshake runs the handshake to completion (or error / timeout). On
  // failure the alert has been sent to the peer as far as possible.
  Result<void> handshake();
  // read returns up to out.size() bytes of application data; 0 means the peer
  // closed cleanly (close_notify). A transport EOF without close_notify is a
  // truncated_connection error.
  Result<size_t> read(std::span<uint8_t> out);
  // read_nowait is read() for a caller that polls fd() itself (to relay
  // between descriptors, say), once the handshake is done: one recv of what
  // the socket holds, never a wait for data to arrive (an answer it owes,
  // such as a KeyUpdate's, may wait up to the io timeout for the socket to
  // take it). std::nullopt: no application data yet (what arrived was a
  // NewSessionTicket, a KeyUpdate, part of a record, or nothing; poll
  // again); 0: the peer closed cleanly. What does not fit in out stays in
  // the connection, not the socket: call read_nowait again until it returns
  // std::nullopt before waiting on fd(), which may not wake for it.
  Result<std::optional<size_t>> read_nowait(std::span<uint8_t> out);
  // write_all sends all of data; it fails when the socket takes nothing for
  // the io timeout (a peer that reads slowly but steadily is waited for).
  Result<void> write_all(std::span<const uint8_t> data);
  // shutdown sends close_notify and flushes.
  Result<void> shutdown();
  // authenticate_client (server, TLS 1.3) asks the client for its
  // certificate after the handshake (Connection::request_client_certificate)
  // and waits up to the handshake timeout for the answer: received when the
  // client sent a certificate that verified (connection().summary() now
  // names it), declined when it sent none; an error otherwise (a certificate
  // that does not verify fails the connection). Application data arriving
  // meanwhile is kept for read().
  //
  //   auto who = stream.authenticate_client();
  //   if (!who) return who.error();            // failed
  //   if (*who != ClientCertificateRequest::received) ...  // declined
  Result<ClientCertificateRequest> authenticate_client();

  Connection& connection() { return *conn_; }
  int fd() const { return fd_; }

 private:
  // flush sends what the connection has queued by deadline; with a renew
  // above 0 the deadline moves to now + renew whenever bytes go out, so it
  // bounds each wait, not the whole transfer (StreamTimeouts::io).
  Result<void> flush(std::chrono::steady_clock::time_point deadline,
                     std::chrono::milliseconds renew = std::chrono::milliseconds(0));
  Result<bool> fill(std::chrono::steady_clock::time_point deadline);
  Result<void> receive(std::span<const uint8_t> data);

  int fd_ = -1;
  std::unique_ptr<Connection> conn_;
  StreamTimeouts timeouts_;
};

}  // namespace tessera
