// tests/interop/loopback_bind.cc — an LD_PRELOAD shim that keeps a test peer
// on loopback.
//
// The interop tests run their peers on 127.0.0.1 / ::1 only. gnutls-serv has
// no option to choose its listening address: it binds the wildcard address of
// each family (0.0.0.0 and ::), which would expose the test server on every
// interface of the machine. Preloaded into it (tlspeers.start does this for
// gnutls-serv), this bind() turns a wildcard address into the loopback address
// of the same family and leaves every other address alone. tlspeers.wait_port
// then checks in /proc/net that the server listens on loopback only, so a
// shim that stopped working fails the test instead of going unnoticed.
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace {

using BindFn = int (*)(int, const sockaddr*, socklen_t);

BindFn real_bind() {
  static BindFn fn = reinterpret_cast<BindFn>(dlsym(RTLD_NEXT, "bind"));
  return fn;
}

}  // namespace

extern "C" int bind(int fd, const sockaddr* addr, socklen_t len) {
  BindFn fn = real_bind();
  if (fn == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  if (addr != nullptr && addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in a;
    std::memcpy(&a, addr, sizeof a);
    if (a.sin_addr.s_addr == htonl(INADDR_ANY)) {
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      return fn(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);
    }
  } else if (addr != nullptr && addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    sockaddr_in6 a;
    std::memcpy(&a, addr, sizeof a);
    if (std::memcmp(&a.sin6_addr, &in6addr_any, sizeof a.sin6_addr) == 0) {
      a.sin6_addr = in6addr_loopback;
      return fn(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);
    }
  }
  return fn(fd, addr, len);
}
