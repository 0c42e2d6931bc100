// tessera/nonblocking.h — moving TLS bytes between a Connection and a
// non-blocking socket, for event loops (tessera/event_server.h, the CLI's load
// generator, or an application's own epoll loop).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "tessera/connection.h"
#include "tessera/result.h"

namespace tessera {

// send_pending writes conn.pending_tls() to the non-blocking socket fd and
// consumes what was sent, until nothing is left or the socket would block.
// Returns true when everything was sent, false when the socket is full (wait
// for EPOLLOUT). A reset or other send error is io_error. SIGPIPE is never
// raised (MSG_NOSIGNAL).
Result<bool> send_pending(int fd, Connection& conn);

struct ReceiveResult {
  size_t bytes = 0;  // bytes read from the socket and fed to the connection
  bool eof = false;  // the peer shut down its sending side (or closed)
};

// receive_available reads from the non-blocking socket fd into conn (through
// scratch, which must not be empty) until the socket would block, the peer
// closed, or at least max_bytes were read (fairness between connections:
// with EPOLLET, a caller stopped by max_bytes must come back by itself).
// A TLS error from receive_tls is returned as is (its alert is then queued in
// conn.pending_tls()); a reset or other recv error is io_error. A handshake
// that waits for an asynchronous KeySigner keeps what is read meanwhile: the
// caller sees conn.signature_request() and completes it (EventServer does).
Result<ReceiveResult> receive_available(int fd, Connection& conn, std::span<uint8_t> scratch,
                                        size_t max_bytes);

// raise_open_file_limit raises the soft RLIMIT_NOFILE to the hard limit and
// returns the new soft limit (a server holding 10,000 connections needs more
// than the usual 1024 descriptors).
Result<uint64_t> raise_open_file_limit();

// is_loopback_address says whether a numeric IPv4/IPv6 address is a loopback
// address (127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104).
bool is_loopback_address(const std::string& address);

}  // namespace tessera
