#include "tessera/stream.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

namespace tessera {

namespace {

using SteadyClock = std::chrono::steady_clock;

int remaining_ms(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  if (left.count() <= 0) return 0;
  return static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
}

Result<void> wait_fd(int fd, short events, SteadyClock::time_point deadline, const char* what) {
  for (;;) {
    pollfd p{fd, events, 0};
    int ms = remaining_ms(deadline);
    if (ms == 0) return Error(ErrorCode::timeout, std::string("timed out waiting to ") + what);
    int r = ::poll(&p, 1, ms);
    if (r > 0) return ok();
    if (r == 0) return Error(ErrorCode::timeout, std::string("timed out waiting to ") + what);
    if (errno != EINTR)
      return Error(ErrorCode::io_error, std::string("poll: ") + std::strerror(errno));
  }
}

struct AddrinfoDeleter {
  void operator()(addrinfo* a) const {
    if (a) ::freeaddrinfo(a);
  }
};
using AddressList = std::unique_ptr<addrinfo, AddrinfoDeleter>;

// Lookup is one getaddrinfo call on a thread of its own, shared by that
// thread and the caller waiting for it.
struct Lookup {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int gai = 0;
  AddressList result;
};

// resolve is getaddrinfo bounded by the deadline. A numeric address is
// converted at once; a name is looked up on a thread of its own, because
// glibc's resolver has timeouts of its own (5 s per server and attempt by
// default, resolv.conf(5)) that no caller's deadline shortens. If the
// deadline passes first the caller gets a timeout and the thread, which
// holds the lookup too, finishes and frees it on its own.
Result<AddressList> resolve(const std::string& host, const std::string& port,
                            SteadyClock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int gai = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (gai != EAI_NONAME) {
    if (gai != 0)
      return Error(ErrorCode::io_error, "cannot resolve " + host + ": " + ::gai_strerror(gai));
    return AddressList(res);
  }
  hints.ai_flags = AI_NUMERICSERV;
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([lookup, host, port, hints] {
      addrinfo* found = nullptr;
      const int r = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
      std::lock_guard lock(lookup->mu);
      lookup->gai = r;
      lookup->result.reset(found);
      lookup->done = true;
      lookup->cv.notify_one();
    }).detach();
  } catch (const std::system_error&) {
    // No thread to be had: look up here, unbounded, rather than fail.
    gai = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (gai != 0)
      return Error(ErrorCode::io_error, "cannot resolve " + host + ": " + ::gai_strerror(gai));
    return AddressList(res);
  }
  std::unique_lock lock(lookup->mu);
  if (!lookup->cv.wait_until(lock, deadline, [&] { return lookup->done; }))
    return Error(ErrorCode::timeout, "timed out resolving " + host);
  if (lookup->gai != 0)
    return Error(ErrorCode::io_error,
                 "cannot resolve " + host + ": " + ::gai_strerror(lookup->gai));
  return std::move(lookup->result);
}

}  // namespace

Stream::Stream(int fd, std::unique_ptr<Connection> conn, StreamTimeouts timeouts)
    : fd_(fd), conn_(std::move(conn)), timeouts_(timeouts) {
  int flags = ::fcntl(fd_, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Stream::Stream(Stream&& o) noexcept
    : fd_(o.fd_), conn_(std::move(o.conn_)), timeouts_(o.timeouts_) {
  o.fd_ = -1;
}

Stream& Stream::operator=(Stream&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    conn_ = std::move(o.conn_);
    timeouts_ = o.timeouts_;
    o.fd_ = -1;
  }
  return *this;
}

Stream::~Stream() {
  if (fd_ >= 0) ::close(fd_);
}

Result<int> Stream::connect_tcp(const std::string& host, uint16_t port,
                                std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  const std::string port_s = std::to_string(port);
  TESSERA_ASSIGN_OR_RETURN(AddressList addresses, resolve(host, port_s, deadline));
  size_t left = 0;
  for (addrinfo* ai = addresses.get(); ai; ai = ai->ai_next) ++left;
  std::string last = "no addresses";
  bool timed_out = false;  // the last attempt
  for (addrinfo* ai = addresses.get(); ai; ai = ai->ai_next, --left) {
    int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    // Each address gets an equal share of the time left, so one that drops
    // SYNs (an unrouted IPv6 address before a working IPv4 one) does not
    // use up the whole timeout.
    const auto attempt_deadline = SteadyClock::now() + (deadline - SteadyClock::now()) / left;
    int r = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (r != 0 && errno == EINPROGRESS) {
      auto w = wait_fd(fd, POLLOUT, attempt_deadline, "connect");
      if (w.ok()) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        r = err == 0 ? 0 : -1;
        errno = err;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (r == 0) return fd;
    timed_out = errno == ETIMEDOUT;
    last = std::strerror(errno);
    ::close(fd);
  }
  return Error(timed_out ? ErrorCode::timeout : ErrorCode::io_error,
               "cannot connect to " + host + ":" + port_s + ": " + last);
}

Result<void> Stream::flush(SteadyClock::time_point deadline, std::chrono::milliseconds renew) {
  while (!conn_->pending_tls().empty()) {
    auto out = conn_->pending_tls();
    ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      conn_->consume_tls(static_cast<size_t>(n));
      if (renew.count() > 0) deadline = SteadyClock::now() + renew;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      TESSERA_TRY(wait_fd(fd_, POLLOUT, deadline, "send"));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return Error(ErrorCode::io_error, std::string("send: ") + std::strerror(errno));
  }
  return ok();
}

// receive hands bytes from the socket to the connection, and signs inline
// for a handshake that waits for an asynchronous KeySigner. On an error the
// alert is sent as far as possible.
Result<void> Stream::receive(std::span<const uint8_t> data) {
  Result<void> r = conn_->receive_tls(data);
  if (r.ok()) r = conn_->sign_inline();
  if (!r.ok()) {
    (void)flush(SteadyClock::now() + std::chrono::milliseconds(200));  // send the alert
    return std::move(r).error();
  }
  return ok();
}

// fill reads once from the socket into the connection; false on EOF.
Result<bool> Stream::fill(SteadyClock::time_point deadline) {
  uint8_t buf[16 * 1024 + 512];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      TESSERA_TRY(receive(std::span<const uint8_t>(buf, static_cast<size_t>(n))));
      return true;
    }
    if (n == 0) return false;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      TESSERA_TRY(wait_fd(fd_, POLLIN, deadline, "receive"));
      continue;
    }
    if (errno == EINTR) continue;
    return Error(ErrorCode::io_error, std::string("recv: ") + std::strerror(errno));
  }
}

Result<void> Stream::handshake() {
  auto deadline = SteadyClock::now() + timeouts_.handshake;
  for (;;) {
    TESSERA_TRY(flush(deadline));
    if (conn_->error()) return *conn_->error();
    if (conn_->is_handshake_done()) return ok();
    TESSERA_ASSIGN_OR_RETURN(bool more, fill(deadline));
    if (!more) {
      TESSERA_TRY(flush(deadline));
      if (conn_->error()) return *conn_->error();
      return Error(ErrorCode::truncated_connection,
                   "peer closed the connection during the handshake");
    }
  }
}

Result<size_t> Stream::read(std::span<uint8_t> out) {
  // 0 means the peer closed: an empty buffer cannot say anything else.
  if (out.empty()) return Error(ErrorCode::internal_error, "Stream::read into an empty buffer");
  for (;;) {
    auto avail = conn_->app_data();
    if (!avail.empty()) {
      size_t n = std::min(avail.size(), out.size());
      std::memcpy(out.data(), avail.data(), n);
      conn_->consume_app_data(n);
      return n;
    }
    if (conn_->is_peer_closed()) return size_t{0};
    if (conn_->error()) return *conn_->error();
    auto deadline = SteadyClock::now() + timeouts_.io;
    TESSERA_TRY(flush(deadline));  // e.g. KeyUpdate responses
    TESSERA_ASSIGN_OR_RETURN(bool more, fill(deadline));
    TESSERA_TRY(flush(deadline));
    if (!more) {
      if (conn_->is_peer_closed()) return size_t{0};
      return Error(ErrorCode::truncated_connection,
                   "peer closed the transport without close_notify");
    }
  }
}

Result<std::optional<size_t>> Stream::read_nowait(std::span<uint8_t> out) {
  using Got = std::optional<size_t>;
  auto take = [&]() -> Got {
    auto avail = conn_->app_data();
    if (avail.empty() || out.empty()) return std::nullopt;
    size_t n = std::min(avail.size(), out.size());
    std::memcpy(out.data(), avail.data(), n);
    conn_->consume_app_data(n);
    return n;
  };
  if (Got n = take()) return n;
  if (conn_->is_peer_closed()) return Got(0);
  if (conn_->error()) return *conn_->error();
  uint8_t buf[16 * 1024 + 512];
  ssize_t n;
  do {
    n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    TESSERA_TRY(receive(std::span<const uint8_t>(buf, static_cast<size_t>(n))));
    // Answers (a KeyUpdate's) go out; data that arrived comes first, and a
    // transport that cannot take them fails the next call instead.
    Result<void> sent = flush(SteadyClock::now() + timeouts_.io);
    if (Got got = take()) return got;
    if (!sent.ok()) return sent.error();
    if (conn_->is_peer_closed()) return Got(0);
    return Got();  // one recv per call: the caller polls again
  }
  if (n == 0) {
    if (conn_->is_peer_closed()) return Got(0);
    return Error(ErrorCode::truncated_connection, "peer closed the transport without close_notify");
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) return Got();
  return Error(ErrorCode::io_error, std::string("recv: ") + std::strerror(errno));
}

Result<ClientCertificateRequest> Stream::authenticate_client() {
  TESSERA_TRY(conn_->request_client_certificate());
  auto deadline = SteadyClock::now() + timeouts_.handshake;
  for (;;) {
    TESSERA_TRY(flush(deadline));
    if (conn_->error()) return *conn_->error();
    const ClientCertificateRequest state = conn_->client_certificate_request();
    if (state == ClientCertificateRequest::received || state == ClientCertificateRequest::declined)
      return state;
    if (conn_->is_peer_closed())
      return Error(ErrorCode::peer_closed,
                   "the client closed the connection instead of answering our request for its "
                   "certificate");
    TESSERA_ASSIGN_OR_RETURN(bool more, fill(deadline));
    if (!more && !conn_->is_peer_closed())
      return Error(ErrorCode::truncated_connection,
                   "the client closed the transport instead of answering our request for its "
                   "certificate");
  }
}

Result<void> Stream::write_all(std::span<const uint8_t> data) {
  TESSERA_TRY(conn_->write(data));
  return flush(SteadyClock::now() + timeouts_.io, timeouts_.io);
}

Result<void> Stream::shutdown() {
  conn_->close();
  auto r = flush(SteadyClock::now() + timeouts_.io, timeouts_.io);
  ::shutdown(fd_, SHUT_WR);
  return r;
}

}  // namespace tessera
