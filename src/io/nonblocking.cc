#include "tessera/nonblocking.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace tessera {

Result<bool> send_pending(int fd, Connection& conn) {
  for (;;) {
    auto out = conn.pending_tls();
    if (out.empty()) return true;
    ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      conn.consume_tls(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    if (n < 0 && errno == EINTR) continue;
    return Error(ErrorCode::io_error, std::string("send: ") + std::strerror(errno));
  }
}

Result<ReceiveResult> receive_available(int fd, Connection& conn, std::span<uint8_t> scratch,
                                        size_t max_bytes) {
  // recv into nothing returns 0, which would read as the peer's FIN.
  if (scratch.empty())
    return Error(ErrorCode::internal_error, "receive_available: the scratch buffer is empty");
  ReceiveResult r;
  while (r.bytes < max_bytes) {
    ssize_t n = ::recv(fd, scratch.data(), scratch.size(), 0);
    if (n > 0) {
      r.bytes += static_cast<size_t>(n);
      TESSERA_TRY(conn.receive_tls(scratch.first(static_cast<size_t>(n))));
      // Even after a short read: a FIN queued behind the data is seen only
      // by the next recv, and an edge-triggered caller gets no other wakeup.
      continue;
    }
    if (n == 0) {
      r.eof = true;
      break;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (errno == EINTR) continue;
    return Error(ErrorCode::io_error, std::string("recv: ") + std::strerror(errno));
  }
  return r;
}

Result<uint64_t> raise_open_file_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return Error(ErrorCode::io_error, std::string("getrlimit: ") + std::strerror(errno));
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0)
      return Error(ErrorCode::io_error, std::string("setrlimit: ") + std::strerror(errno));
  }
  return static_cast<uint64_t>(lim.rlim_cur);
}

bool is_loopback_address(const std::string& address) {
  in_addr v4{};
  if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

}  // namespace tessera
