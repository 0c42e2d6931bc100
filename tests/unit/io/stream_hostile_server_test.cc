// The client side of the blocking Stream against servers that never finish
// their flight (issue 7): a real server Connection whose output is cut off
// after the ServerHello, or trickled one byte at a time. The client must fail
// with `timeout` at its whole-handshake deadline, however alive the server
// looks, and never hang.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tessera/stream.h"
#include "unit/conn/pair.h"

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;

// StallingServer answers a ClientHello with the first `send_now` bytes of a
// real server's flight, then sends the rest one byte per `trickle` (never,
// when trickle is zero) until stopped.
class StallingServer {
 public:
  StallingServer(int fd, size_t send_now, std::chrono::milliseconds trickle)
      : fd_(fd), thread_([this, send_now, trickle] { run(send_now, trickle); }) {}
  ~StallingServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

 private:
  void run(size_t send_now, std::chrono::milliseconds trickle) {
    auto s = std::move(*Connection::server(server_config()));
    uint8_t buf[4096];
    while (!stop_ && s->pending_tls().empty()) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        (void)s->receive_tls(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
      } else {
        std::this_thread::sleep_for(5ms);
      }
    }
    std::vector<uint8_t> flight(s->pending_tls().begin(), s->pending_tls().end());
    size_t at = std::min(send_now, flight.size());
    if (::write(fd_, flight.data(), at) != static_cast<ssize_t>(at)) return;
    while (!stop_) {
      if (trickle.count() == 0 || at >= flight.size()) {
        std::this_thread::sleep_for(5ms);
        continue;
      }
      if (::write(fd_, &flight[at++], 1) != 1) return;
      std::this_thread::sleep_for(trickle);
    }
  }

  int fd_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// expect_client_timeout runs a client Stream handshake against a
// StallingServer and expects `timeout` well before the I/O timeout.
void expect_client_timeout(size_t send_now, std::chrono::milliseconds trickle, StreamTimeouts to) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  StallingServer server(fds[1], send_now, trickle);
  auto c = Connection::client(client_config(), {"localhost", {}});
  ASSERT_TRUE(c.ok());
  Stream s(fds[0], std::move(*c), to);
  auto t0 = std::chrono::steady_clock::now();
  auto r = s.handshake();
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::timeout) << r.error().to_string();
  EXPECT_LT(took, 3s);  // the handshake deadline, not the 5 s I/O timeout
}

// The server sends its ServerHello record (the first 100 bytes of its flight
// hold at least that much) and then nothing: the whole-handshake deadline
// (400 ms) ends it, long before the 5 s I/O timeout would.
TEST(StreamHostileServer, ServerThatNeverFinishesItsFlight) {
  expect_client_timeout(100, 0ms, StreamTimeouts{400ms, 5s});
}

// One byte every 100 ms keeps each read under its I/O timeout; the
// whole-handshake deadline still ends it (a slowloris against the client).
TEST(StreamHostileServer, TricklingServerHitsTheHandshakeDeadline) {
  expect_client_timeout(10, 100ms, StreamTimeouts{500ms, 5s});
}

}  // namespace
}  // namespace tessera::testing
