// Stream::connect_tcp: the timeout bounds the name lookup and the connect.
//
// A resolver that does not answer is played by this file's getaddrinfo: the
// io_tests executable's own definition, which the library's call binds to
// (the executable comes first in symbol lookup). It holds the lookups of one
// name until the test lets them go and passes every other name to glibc's.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string_view>

#include "tessera/stream.h"

namespace {

constexpr std::string_view kSilentName = "silent-resolver.tessera.test";

std::mutex resolver_mu;
std::condition_variable resolver_cv;
bool resolver_released = false;
int lookups_held = 0;      // lookups of kSilentName now waiting
int lookups_answered = 0;  // lookups of kSilentName answered

}  // namespace

extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints,
                           addrinfo** res) {
  using Fn = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
  static const Fn real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "getaddrinfo"));
  if (node == nullptr || std::string_view(node) != kSilentName)
    return real ? real(node, service, hints, res) : EAI_FAIL;
  if (hints && (hints->ai_flags & AI_NUMERICHOST)) return EAI_NONAME;  // not an address
  std::unique_lock lock(resolver_mu);
  ++lookups_held;
  // At most 60 s, so a broken test cannot hang the run for ever.
  resolver_cv.wait_for(lock, std::chrono::seconds(60), [] { return resolver_released; });
  --lookups_held;
  ++lookups_answered;
  resolver_cv.notify_all();
  return EAI_AGAIN;
}

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;

// A lookup that outlasts the timeout ends the call with a timeout; the lookup
// goes on on its own thread and ends when the resolver answers.
TEST(ConnectTcp, TheTimeoutBoundsTheNameLookup) {
  auto fd = Stream::connect_tcp(std::string(kSilentName), 443, 200ms);
  ASSERT_FALSE(fd.ok()) << "connected to a name that never resolves";
  EXPECT_EQ(fd.error().code(), ErrorCode::timeout) << fd.error().to_string();
  EXPECT_NE(fd.error().message().find("timed out resolving " + std::string(kSilentName)),
            std::string::npos)
      << fd.error().to_string();
  std::unique_lock lock(resolver_mu);
  EXPECT_EQ(lookups_held, 1) << "the lookup should still be waiting for its answer";
  resolver_released = true;
  resolver_cv.notify_all();
  EXPECT_TRUE(resolver_cv.wait_for(lock, 10s, [] { return lookups_answered == 1; }));
}

// A refused connection is an io_error that says so (not a timeout).
TEST(ConnectTcp, ARefusedConnectionIsAnIoError) {
  // A port that was free a moment ago: bound, not listening, then closed.
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(s, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(s);
  auto fd = Stream::connect_tcp("127.0.0.1", ntohs(a.sin_port), 2s);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().code(), ErrorCode::io_error) << fd.error().to_string();
  EXPECT_NE(fd.error().message().find(std::strerror(ECONNREFUSED)), std::string::npos)
      << fd.error().to_string();
}

}  // namespace
}  // namespace tessera::testing
