// The epoll EventServer on loopback: echo over TLS 1.3 and 1.2 with several
// clients at once, the handshake and idle timeouts, a trickling peer that does
// not extend its handshake deadline, resets, max_connections, max_open and
// max_open_per_peer, and stop();
// credentials whose key an asynchronous KeySigner holds, signed for on the
// signing threads (or on the worker without them), failing, slow, timed out
// and stopped.
#include "tessera/event_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "tessera/signer.h"
#include "tessera/stream.h"
#include "unit/conn/pair.h"

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;

struct Ends {
  std::mutex mu;
  std::vector<std::pair<ErrorCode, bool>> errors;  // code, handshake done
  std::atomic<int> orderly{0};
  // note records a session's on_end.
  void note(const Error* e, bool done) {
    if (!e) {
      ++orderly;
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    errors.emplace_back(e->code(), done);
  }
};

class EchoSession final : public ServerSession {
 public:
  explicit EchoSession(Ends& ends) : ends_(ends) {}
  SessionAction on_data(Connection& c, bool) override {
    auto early = c.early_data();  // 0-RTT data first: it came first
    EXPECT_TRUE(c.write(early).ok());
    c.consume_early_data(early.size());
    auto d = c.app_data();
    EXPECT_TRUE(c.write(d).ok());
    c.consume_app_data(d.size());
    return SessionAction::keep;
  }
  void on_end(const Error* e, bool done) override { ends_.note(e, done); }

 private:
  Ends& ends_;
};

// Running: an EventServer on 127.0.0.1 with a thread calling run().
struct Running {
  Ends ends;
  std::unique_ptr<EventServer> server;
  std::thread thread;
  Result<void> result = ok();
  std::atomic<bool> returned{false};  // run() returned
  std::mutex mu;
  std::set<std::thread::id> worker_threads;  // where the session factory ran

  // make: the session of each connection (default: an EchoSession).
  using MakeSession = std::function<std::unique_ptr<ServerSession>(Ends&)>;
  explicit Running(EventServerOptions o,
                   std::shared_ptr<const ServerConfig> config = server_config(),
                   MakeSession make = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    auto s =
        EventServer::listen(std::move(config), o, [this, make](const std::string&, Connection&) {
          {
            std::lock_guard<std::mutex> lock(mu);
            worker_threads.insert(std::this_thread::get_id());
          }
          return make ? make(ends)
                      : std::unique_ptr<ServerSession>(std::make_unique<EchoSession>(ends));
        });
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    server = std::move(*s);
    thread = std::thread([this] {
      result = server->run();
      returned = true;
    });
  }
  ~Running() {
    server->stop();
    thread.join();
  }
  void wait_active(uint64_t n, std::chrono::milliseconds limit = 5s) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (server->stats().active != n && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(10ms);
    EXPECT_EQ(server->stats().active, n);
  }
  bool wait_returned(std::chrono::milliseconds limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!returned && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
    return returned;
  }
};

// connect_raw returns a blocking TCP socket connected to the server.
int connect_raw(uint16_t port) {
  auto fd = Stream::connect_tcp("127.0.0.1", port, 2s);
  EXPECT_TRUE(fd.ok());
  if (!fd.ok()) return -1;
  ::fcntl(*fd, F_SETFL, ::fcntl(*fd, F_GETFL, 0) & ~O_NONBLOCK);
  return *fd;
}

void echo_once(uint16_t port, std::shared_ptr<ClientConfig> cc, size_t size) {
  auto fd = Stream::connect_tcp("127.0.0.1", port, 2s);
  ASSERT_TRUE(fd.ok());
  auto c = Connection::client(cc, {"localhost", {}});
  ASSERT_TRUE(c.ok());
  Stream s(*fd, std::move(*c), StreamTimeouts{5s, 5s});
  ASSERT_TRUE(s.handshake().ok());
  auto data = pattern(size, static_cast<uint32_t>(size));
  ASSERT_TRUE(s.write_all(data).ok());
  std::vector<uint8_t> got;
  std::vector<uint8_t> buf(4096);
  while (got.size() < data.size()) {
    auto n = s.read(buf);
    ASSERT_TRUE(n.ok()) << n.error().to_string();
    ASSERT_GT(*n, 0u);
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<long>(*n));
  }
  EXPECT_EQ(got, data);
  ASSERT_TRUE(s.shutdown().ok());
  auto n = s.read(buf);  // the server answers close_notify with close_notify
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(*n, 0u);
}

TEST(EventServer, EchoesForManyClientsInBothVersions) {
  Running r({.workers = 2});
  auto cc12 = client_config();
  cc12->policy.max_version = ProtocolVersion::tls12;
  cc12->policy.cipher_suites = cc12->policy.suites_for(ProtocolVersion::tls12);
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back(
        [&, i] { echo_once(r.server->port(), i % 2 ? cc12 : client_config(), 1000 + 20000 * i); });
  }
  for (auto& t : clients) t.join();
  r.wait_active(0);
  EXPECT_EQ(r.server->stats().handshakes, 8u);
  EXPECT_EQ(r.ends.orderly, 8);
  EXPECT_TRUE(r.ends.errors.empty());
}

TEST(EventServer, SilentAndTricklingPeersHitTheHandshakeDeadline) {
  Running r({.workers = 1, .handshake_timeout = 300ms});
  int silent = connect_raw(r.server->port());
  int trickle = connect_raw(r.server->port());
  auto c = Connection::client(client_config(), {"localhost", {}});
  ASSERT_TRUE(c.ok());
  std::vector<uint8_t> hello((*c)->pending_tls().begin(), (*c)->pending_tls().end());
  r.wait_active(2);
  auto t0 = std::chrono::steady_clock::now();
  // One byte every 50 ms: the whole ClientHello would take many seconds.
  for (size_t i = 0; i < hello.size(); ++i) {
    if (::send(trickle, &hello[i], 1, MSG_NOSIGNAL) != 1) break;
    if (r.server->stats().active == 0) break;
    std::this_thread::sleep_for(50ms);
  }
  r.wait_active(0, 2s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(r.server->stats().timed_out, 2u);
  // The server canceled the handshake (RFC 8446 6.1): two plaintext alert
  // records, user_canceled (90) and close_notify (0), then it closed.
  std::vector<uint8_t> got;
  uint8_t b[64];
  for (ssize_t n; (n = ::recv(silent, b, sizeof b, 0)) > 0;) got.insert(got.end(), b, b + n);
  ASSERT_EQ(got.size(), 14u);
  EXPECT_EQ(got[0], 21);  // alert
  EXPECT_EQ(got[6], 90);  // user_canceled
  EXPECT_EQ(got[7], 21);
  EXPECT_EQ(got[13], 0);  // close_notify
  ::close(silent);
  ::close(trickle);
}

TEST(EventServer, IdleConnectionIsClosedWithCloseNotify) {
  Running r({.workers = 1, .idle_timeout = 300ms});
  auto fd = Stream::connect_tcp("127.0.0.1", r.server->port(), 2s);
  ASSERT_TRUE(fd.ok());
  auto c = Connection::client(client_config(), {"localhost", {}});
  ASSERT_TRUE(c.ok());
  Stream s(*fd, std::move(*c), StreamTimeouts{5s, 5s});
  ASSERT_TRUE(s.handshake().ok());
  std::vector<uint8_t> buf(100);
  auto t0 = std::chrono::steady_clock::now();
  auto n = s.read(buf);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(*n, 0u);  // close_notify
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  r.wait_active(0);
  EXPECT_EQ(r.server->stats().timed_out, 1u);
}

TEST(EventServer, ResetsMidHandshakeAndMidRecordReleaseTheConnection) {
  Running r({.workers = 2});
  auto c = Connection::client(client_config(), {"localhost", {}});
  ASSERT_TRUE(c.ok());
  std::vector<uint8_t> hello((*c)->pending_tls().begin(), (*c)->pending_tls().end());
  linger lg{1, 0};
  for (size_t cut : {size_t{3}, hello.size() / 2, hello.size()}) {
    int fd = connect_raw(r.server->port());
    ASSERT_EQ(::send(fd, hello.data(), cut, MSG_NOSIGNAL), static_cast<ssize_t>(cut));
    std::this_thread::sleep_for(20ms);
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::close(fd);  // RST
  }
  {
    // Established, then half an application data record and a reset.
    auto fd = Stream::connect_tcp("127.0.0.1", r.server->port(), 2s);
    ASSERT_TRUE(fd.ok());
    auto cl = Connection::client(client_config(), {"localhost", {}});
    ASSERT_TRUE(cl.ok());
    Stream s(*fd, std::move(*cl), StreamTimeouts{5s, 5s});
    ASSERT_TRUE(s.handshake().ok());
    const uint8_t partial[] = {0x17, 0x03, 0x03, 0x10, 0x00, 1, 2, 3};
    ASSERT_EQ(::send(s.fd(), partial, sizeof partial, MSG_NOSIGNAL), 8);
    std::this_thread::sleep_for(20ms);
    ::setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }  // ~Stream closes: RST
  r.wait_active(0);
  EXPECT_EQ(r.server->stats().failed, 4u);
  echo_once(r.server->port(), client_config(), 100);  // others unaffected
}

TEST(EventServer, MaxConnectionsEndsRun) {
  Ends ends;
  auto s = EventServer::listen(
      server_config(), {.host = "127.0.0.1", .max_connections = 2},
      [&](const std::string&, Connection&) { return std::make_unique<EchoSession>(ends); });
  ASSERT_TRUE(s.ok());
  uint16_t port = (*s)->port();
  std::thread t([&] { EXPECT_TRUE((*s)->run().ok()); });
  echo_once(port, client_config(), 10);
  echo_once(port, client_config(), 10);
  t.join();  // returns without stop()
  EXPECT_EQ((*s)->stats().accepted, 2u);
}

TEST(EventServer, ListenReportsBadAddresses) {
  auto s = EventServer::listen(server_config(), {.host = "not-an-address"},
                               [](const std::string&, Connection&) { return nullptr; });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::config_invalid);
  // A config Connection::server refuses, or no factory, is refused here, not
  // by every handshake failing (or the first connection calling nothing).
  auto none = [](const std::string&, Connection&) { return std::unique_ptr<ServerSession>(); };
  s = EventServer::listen(nullptr, {}, none);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::config_invalid);
  auto no_credentials = server_config();
  no_credentials->credentials.clear();
  s = EventServer::listen(no_credentials, {}, none);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::config_invalid) << s.error().to_string();
  s = EventServer::listen(server_config(), {}, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::config_invalid);
  // Limits of 0 would never read from anyone.
  for (auto o :
       {EventServerOptions{.max_pending_output = 0}, EventServerOptions{.max_unread_input = 0}}) {
    s = EventServer::listen(server_config(), o,
                            [](const std::string&, Connection&) { return nullptr; });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::config_invalid);
  }
}

// Holder keeps what arrives unconsumed until `release` is set, noting the
// most it held at once, then consumes everything it is offered.
struct Holder final : ServerSession {
  std::atomic<bool>& release;
  std::atomic<size_t>& most_held;
  std::atomic<size_t>& consumed;
  Holder(std::atomic<bool>& r, std::atomic<size_t>& m, std::atomic<size_t>& c)
      : release(r), most_held(m), consumed(c) {}
  SessionAction on_data(Connection& c, bool) override {
    const size_t held = c.app_data().size();
    if (held > most_held) most_held = held;
    if (release) {
      c.consume_app_data(held);
      consumed += held;
    }
    return SessionAction::keep;
  }
};

// A session that does not consume its input stops the server reading from
// that peer at max_unread_input (plus at most one read), so a client that
// keeps sending fills its own buffers, not the server's memory; once the
// session consumes (offered the data again on the server's tick, as nothing
// else happens on the connection) reading resumes and everything arrives.
TEST(EventServer, UnconsumedInputStopsReadingUntilTheSessionConsumes) {
  constexpr size_t kLimit = 64 * 1024, kSent = 8 * 1024 * 1024;
  std::atomic<bool> release{false};
  std::atomic<size_t> most_held{0}, consumed{0};
  EventServerOptions o{.host = "127.0.0.1", .workers = 1, .max_unread_input = kLimit};
  auto srv = EventServer::listen(server_config(), o, [&](const std::string&, Connection&) {
    return std::make_unique<Holder>(release, most_held, consumed);
  });
  ASSERT_TRUE(srv.ok()) << srv.error().to_string();
  std::thread run([&] { EXPECT_TRUE((*srv)->run().ok()); });

  auto fd = Stream::connect_tcp("127.0.0.1", (*srv)->port(), 2s);
  ASSERT_TRUE(fd.ok());
  auto c = Connection::client(client_config(), {"localhost", {}});
  ASSERT_TRUE(c.ok());
  Stream s(*fd, std::move(*c), StreamTimeouts{5s, 20s});
  ASSERT_TRUE(s.handshake().ok());
  std::thread writer([&] {
    auto data = pattern(kSent, 7);
    EXPECT_TRUE(s.write_all(data).ok());
  });
  // Let the client push what loopback buffers take: the server holds the
  // limit, then nothing more arrives for half a second.
  auto until = std::chrono::steady_clock::now() + 20s;
  while (most_held < kLimit && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  size_t last = 0;
  do {
    last = most_held;
    std::this_thread::sleep_for(500ms);
  } while (most_held != last && std::chrono::steady_clock::now() < until);
  EXPECT_GE(most_held.load(), kLimit);
  EXPECT_LE(most_held.load(), kLimit + 17 * 1024) << "the server kept reading";

  release = true;
  until = std::chrono::steady_clock::now() + 20s;
  while (consumed < kSent && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(consumed.load(), kSent);
  writer.join();
  (*srv)->stop();
  run.join();
}

// BigReply answers the first data with kReplySize bytes and closes.
constexpr size_t kReplySize = 16u << 20;
class BigReply final : public ServerSession {
 public:
  explicit BigReply(Ends& ends) : ends_(ends) {}
  SessionAction on_data(Connection& c, bool) override {
    c.consume_app_data(c.app_data().size());
    EXPECT_TRUE(c.write(pattern(kReplySize, 9)).ok());
    return SessionAction::close;
  }
  void on_end(const Error* e, bool done) override { ends_.note(e, done); }

 private:
  Ends& ends_;
};

// handshaken connects `c` to the server on port and runs its handshake (5 s
// timeouts); nullopt, with the failure recorded, if that does not work.
std::optional<Stream> handshaken(uint16_t port, Result<std::unique_ptr<Connection>> c) {
  auto fd = Stream::connect_tcp("127.0.0.1", port, 2s);
  EXPECT_TRUE(fd.ok());
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().to_string());
  if (!fd.ok() || !c.ok()) return std::nullopt;
  Stream s(*fd, std::move(*c), StreamTimeouts{5s, 5s});
  auto h = s.handshake();
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error().to_string());
  if (!h.ok()) return std::nullopt;
  return s;
}

// ping writes "ping" and says whether the echo came back.
bool ping(Stream& s) {
  if (!s.write_all(as_bytes_view(std::string("ping"))).ok()) return false;
  std::vector<uint8_t> buf(100);
  auto n = s.read(buf);
  return n.ok() && *n == 4u;
}

// A session that writes a large reply and closes: close_notify follows the
// whole reply however long the peer takes to read it (RFC 8446 6.1), as long
// as it keeps reading; linger counts only from then.
TEST(EventServer, CloseAfterALargeReplyWaitsForASlowReader) {
  Running r({.workers = 1, .idle_timeout = 2s, .linger = 100ms}, server_config(),
            [](Ends& e) { return std::make_unique<BigReply>(e); });
  auto stream =
      handshaken(r.server->port(), Connection::client(client_config(), {"localhost", {}}));
  ASSERT_TRUE(stream);
  Stream& s = *stream;
  ASSERT_TRUE(s.write_all(as_bytes_view(std::string("go"))).ok());
  std::vector<uint8_t> buf(16 * 1024);
  size_t got = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    auto n = s.read(buf);
    ASSERT_TRUE(n.ok()) << n.error().to_string() << " after " << got << " bytes";
    if (*n == 0) break;  // close_notify
    got += *n;
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(got, kReplySize);
  EXPECT_GT(std::chrono::steady_clock::now() - t0, 300ms) << "the reader was not slow enough";
  ASSERT_TRUE(s.shutdown().ok());
  r.wait_active(0);
  EXPECT_EQ(r.ends.orderly.load(), 1);
  std::lock_guard<std::mutex> lock(r.ends.mu);
  EXPECT_TRUE(r.ends.errors.empty());
}

// stop() closes idle connections at once, with close_notify, instead of
// leaving them to the end of the drain and then cutting them off.
TEST(EventServer, StopClosesIdleConnectionsWithCloseNotify) {
  Running r({.workers = 1, .drain = 10s});
  auto stream =
      handshaken(r.server->port(), Connection::client(client_config(), {"localhost", {}}));
  ASSERT_TRUE(stream);
  Stream& s = *stream;
  ASSERT_TRUE(ping(s));
  const auto t0 = std::chrono::steady_clock::now();
  r.server->stop();
  std::vector<uint8_t> buf(100);
  auto n = s.read(buf);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(*n, 0u);  // close_notify
  ASSERT_TRUE(s.shutdown().ok());
  EXPECT_TRUE(r.wait_returned(3s));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_EQ(r.ends.orderly.load(), 1);
}

// A peer whose transport closes without close_notify ends its connection
// with truncated_connection, not as an orderly close.
TEST(EventServer, FinWithoutCloseNotifyIsReportedAsTruncated) {
  Running r({.workers = 1});
  auto stream =
      handshaken(r.server->port(), Connection::client(client_config(), {"localhost", {}}));
  ASSERT_TRUE(stream);
  ASSERT_TRUE(ping(*stream));
  ASSERT_EQ(::shutdown(stream->fd(), SHUT_WR), 0);
  r.wait_active(0);
  EXPECT_EQ(r.ends.orderly.load(), 0);
  std::lock_guard<std::mutex> lock(r.ends.mu);
  ASSERT_EQ(r.ends.errors.size(), 1u);
  EXPECT_EQ(r.ends.errors[0].first, ErrorCode::truncated_connection);
  EXPECT_TRUE(r.ends.errors[0].second);
}

// 0-RTT data above max_unread_input does not stop the server reading the
// rest of the handshake: it counts once the session can consume it.
TEST(EventServer, EarlyDataAboveTheUnreadLimitDoesNotStallTheHandshake) {
  auto sc = server_config();
  sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  sc->replay_guard = std::make_shared<MemoryReplayGuard>();
  sc->max_early_data = 16384;
  auto cc = client_config();
  cc->session_store = std::make_shared<MemorySessionStore>();
  {
    auto p = make_tls_pair(cc, sc);  // a ticket that allows 0-RTT
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  }
  Running r({.workers = 1, .handshake_timeout = 3s, .max_unread_input = 1024}, sc);
  const auto early = pattern(8000, 5);
  auto stream = handshaken(r.server->port(), Connection::client_with_early_data(
                                                 cc, {"localhost", {}}, EarlyDataRequest{early}));
  ASSERT_TRUE(stream);
  Stream& s = *stream;
  EXPECT_EQ(s.connection().summary().early_data, EarlyData::accepted);
  std::vector<uint8_t> got, buf(4096);
  while (got.size() < early.size()) {
    auto n = s.read(buf);
    ASSERT_TRUE(n.ok()) << n.error().to_string();
    ASSERT_GT(*n, 0u);
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<long>(*n));
  }
  EXPECT_EQ(got, early);
}

}  // namespace
}  // namespace tessera::testing

namespace tessera::testing {
namespace {

// A session that asks for the client's certificate once the handshake is
// done and, on the answer (ServerSession::on_event), writes who the client
// is and closes; events before it arrive in order, handshake_done first.
class WhoAreYou final : public ServerSession {
 public:
  explicit WhoAreYou(std::vector<Event>& seen) : seen_(seen) {}
  void on_handshake_done(Connection& c) override {
    EXPECT_TRUE(c.request_client_certificate().ok());
  }
  SessionAction on_event(Connection& c, Event e) override {
    seen_.push_back(e);
    if (e != Event::client_certificate_answered) return SessionAction::keep;
    std::string who = c.client_certificate_request() == ClientCertificateRequest::received
                          ? c.summary().peer_subject
                          : "declined";
    EXPECT_TRUE(
        c.write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(who.data()), who.size()))
            .ok());
    return SessionAction::close;
  }
  SessionAction on_data(Connection& c, bool) override {
    c.consume_app_data(c.app_data().size());
    return SessionAction::keep;
  }

 private:
  std::vector<Event>& seen_;
};

TEST(EventServer, SessionsSeeEventsAndAskForClientCertificates) {
  auto sc = server_config();
  sc->client_trust = trust();
  std::vector<Event> seen;
  EventServerOptions o;
  o.host = "127.0.0.1";
  o.workers = 1;
  o.max_connections = 1;
  auto s = EventServer::listen(
      sc, o, [&](const std::string&, Connection&) { return std::make_unique<WhoAreYou>(seen); });
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  std::thread t([&] { EXPECT_TRUE((*s)->run().ok()); });

  auto cc = client_config();
  cc->post_handshake_auth = true;
  cc->credential = credential("client-ec");
  auto fd = Stream::connect_tcp("127.0.0.1", (*s)->port(), 2s);
  ASSERT_TRUE(fd.ok());
  auto c = Connection::client(cc, {"localhost", {}});
  ASSERT_TRUE(c.ok());
  Stream st(*fd, std::move(*c), StreamTimeouts{5s, 5s});
  ASSERT_TRUE(st.handshake().ok());
  std::string got;
  std::vector<uint8_t> buf(1024);
  for (;;) {
    auto n = st.read(buf);
    ASSERT_TRUE(n.ok()) << n.error().to_string();
    if (*n == 0) break;
    got.append(buf.begin(), buf.begin() + static_cast<long>(*n));
  }
  EXPECT_EQ(got, "CN=tessera test client");
  t.join();
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.front(), Event::handshake_done);
  EXPECT_EQ(seen.back(), Event::client_certificate_answered);
}

}  // namespace
}  // namespace tessera::testing

namespace tessera::testing {
namespace {

// AsyncSigner: an asynchronous KeySigner holding server-ec.key (the test PKI)
// as a remote HSM would. It records the threads it signs on, and can hold a
// call until released (at most 10 s, so no test can hang on it) or fail.
class AsyncSigner final : public KeySigner {
 public:
  AsyncSigner() {
    auto k = crypto::default_provider()->load_private_key(as_bytes_view(read_pki("server-ec.key")));
    EXPECT_TRUE(k.ok());
    if (k.ok()) key_ = std::move(*k);
  }
  std::vector<SignatureScheme> schemes() const override {
    return {SignatureScheme::ecdsa_secp256r1_sha256};
  }
  bool asynchronous() const override { return true; }
  Result<std::vector<uint8_t>> sign(SignatureScheme scheme,
                                    std::span<const uint8_t> message) const override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      threads_.push_back(std::this_thread::get_id());
      if (hold_next_) {
        hold_next_ = false;
        held_ = true;
        cv_.notify_all();
        cv_.wait_for(lock, 10s, [this] { return released_; });
        held_ = false;
      }
    }
    if (fail) return Error(ErrorCode::io_error, "HSM unreachable");
    return key_->sign(scheme, message);
  }

  // hold_next makes the next call wait for release().
  void hold_next() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_next_ = true;
    released_ = false;
  }
  // wait_held says whether a call is held, waiting up to limit for one.
  bool wait_held(std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return held_; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  // threads returns the threads of the calls so far, in order.
  std::vector<std::thread::id> threads() const {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_;
  }
  void forget() {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.clear();
  }

  std::atomic<bool> fail{false};

 private:
  std::unique_ptr<crypto::PrivateKey> key_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable std::vector<std::thread::id> threads_;
  mutable bool hold_next_ = false, held_ = false, released_ = false;
};

// signer_config is server_config() with server-ec's certificate and its key
// in `signer`; the test signature Credential::from_signer makes is forgotten.
std::shared_ptr<ServerConfig> signer_config(const std::shared_ptr<AsyncSigner>& signer) {
  auto sc = server_config();
  auto c = Credential::from_signer(read_pki("server-ec.pem"), signer);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().to_string());
  if (c.ok()) sc->credentials = {std::make_shared<const Credential>(std::move(*c))};
  signer->forget();
  return sc;
}

std::shared_ptr<ClientConfig> tls12_client_config() {
  auto cc = client_config();
  cc->policy.max_version = ProtocolVersion::tls12;
  cc->policy.cipher_suites = cc->policy.suites_for(ProtocolVersion::tls12);
  return cc;
}

// echo_round: a handshake, one echo of `size` bytes and a close_notify
// exchange, as echo_once but returning the first error (for client threads).
Result<void> echo_round(uint16_t port, std::shared_ptr<ClientConfig> cc, size_t size = 100) {
  TESSERA_ASSIGN_OR_RETURN(int fd, Stream::connect_tcp("127.0.0.1", port, 2s));
  auto c = Connection::client(cc, {"localhost", {}});
  if (!c.ok()) {
    ::close(fd);
    return std::move(c).error();
  }
  Stream s(fd, std::move(*c), StreamTimeouts{5s, 5s});
  TESSERA_TRY(s.handshake());
  auto data = pattern(size, static_cast<uint32_t>(size));
  TESSERA_TRY(s.write_all(data));
  std::vector<uint8_t> got;
  std::vector<uint8_t> buf(4096);
  while (got.size() < data.size()) {
    TESSERA_ASSIGN_OR_RETURN(size_t n, s.read(buf));
    if (n == 0) return Error(ErrorCode::internal_error, "the echo ended early");
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<long>(n));
  }
  if (got != data) return Error(ErrorCode::internal_error, "the echo differs");
  return s.shutdown();
}

TEST(EventServer, AsynchronousSignerSignsOnSigningThreadsInBothVersions) {
  auto signer = std::make_shared<AsyncSigner>();
  Running r({.workers = 2}, signer_config(signer));
  std::vector<std::thread> clients;
  std::atomic<int> good{0};
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&, i] {
      auto e = echo_round(r.server->port(), i % 2 ? tls12_client_config() : client_config(),
                          1000 + 5000 * static_cast<size_t>(i));
      EXPECT_TRUE(e.ok()) << e.error().to_string();
      if (e.ok()) ++good;
    });
  }
  for (auto& t : clients) t.join();
  r.wait_active(0);
  EXPECT_EQ(good, 6);
  EXPECT_EQ(r.server->stats().handshakes, 6u);
  EXPECT_TRUE(r.ends.errors.empty());
  // One signature per handshake (CertificateVerify, or ServerKeyExchange),
  // none on a worker.
  auto threads = signer->threads();
  EXPECT_EQ(threads.size(), 6u);
  std::lock_guard<std::mutex> lock(r.mu);
  EXPECT_FALSE(r.worker_threads.empty());
  for (auto id : threads) {
    EXPECT_EQ(r.worker_threads.count(id), 0u) << "signed on a worker";
    EXPECT_NE(id, std::this_thread::get_id());
  }
}

TEST(EventServer, SlowSignatureDoesNotHoldUpTheWorkersOtherHandshakes) {
  auto signer = std::make_shared<AsyncSigner>();
  Running r({.workers = 1}, signer_config(signer));
  signer->hold_next();
  std::atomic<bool> first_done{false};
  Result<void> first = ok();
  std::thread a([&] {
    first = echo_round(r.server->port(), client_config());
    first_done = true;
  });
  const bool held = signer->wait_held(5s);
  EXPECT_TRUE(held) << "the first handshake never asked for its signature";
  if (held) {
    // The only worker serves a second client (TLS 1.2 and 1.3) while the
    // first one's signature is held.
    auto second = echo_round(r.server->port(), tls12_client_config());
    EXPECT_TRUE(second.ok()) << second.error().to_string();
    auto third = echo_round(r.server->port(), client_config());
    EXPECT_TRUE(third.ok()) << third.error().to_string();
    EXPECT_FALSE(first_done);
    EXPECT_EQ(r.server->stats().handshakes, 2u);
  }
  signer->release();
  a.join();
  EXPECT_TRUE(first.ok()) << first.error().to_string();
  r.wait_active(0);
  EXPECT_EQ(r.server->stats().handshakes, 3u);
  EXPECT_EQ(signer->threads().size(), 3u);
}

TEST(EventServer, FailingAsynchronousSignerFailsTheHandshakeWithInternalError) {
  auto signer = std::make_shared<AsyncSigner>();
  Running r({.workers = 1}, signer_config(signer));
  signer->fail = true;
  auto e = echo_round(r.server->port(), client_config());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), ErrorCode::peer_alert) << e.error().to_string();
  EXPECT_NE(e.error().to_string().find("internal_error"), std::string::npos)
      << e.error().to_string();
  r.wait_active(0);
  EXPECT_EQ(r.server->stats().failed, 1u);
  EXPECT_EQ(r.server->stats().handshakes, 0u);
  std::lock_guard<std::mutex> lock(r.ends.mu);
  ASSERT_EQ(r.ends.errors.size(), 1u);
  EXPECT_EQ(r.ends.errors[0].first, ErrorCode::internal_error);
  EXPECT_FALSE(r.ends.errors[0].second);
}

TEST(EventServer, WithoutSigningThreadsTheWorkerSigns) {
  auto signer = std::make_shared<AsyncSigner>();
  Running r({.workers = 1, .signing_threads = 0}, signer_config(signer));
  for (auto cc : {client_config(), tls12_client_config()}) {
    auto e = echo_round(r.server->port(), cc);
    EXPECT_TRUE(e.ok()) << e.error().to_string();
  }
  r.wait_active(0);
  EXPECT_EQ(r.server->stats().handshakes, 2u);
  auto threads = signer->threads();
  ASSERT_EQ(threads.size(), 2u);
  std::lock_guard<std::mutex> lock(r.mu);
  ASSERT_EQ(r.worker_threads.size(), 1u);
  for (auto id : threads) EXPECT_EQ(id, *r.worker_threads.begin());
}

TEST(EventServer, HandshakeDeadlineRunsWhileTheSignatureIsPending) {
  auto signer = std::make_shared<AsyncSigner>();
  Running r({.workers = 1, .handshake_timeout = 300ms}, signer_config(signer));
  signer->hold_next();
  Result<void> first = ok();
  std::thread a([&] { first = echo_round(r.server->port(), client_config()); });
  EXPECT_TRUE(signer->wait_held(5s));
  r.wait_active(1);
  r.wait_active(0, 3s);  // timed out with the signature still held
  EXPECT_EQ(r.server->stats().timed_out, 1u);
  signer->release();  // its result is not wanted any more
  a.join();
  EXPECT_FALSE(first.ok());
  auto e = echo_round(r.server->port(), client_config());
  EXPECT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(r.server->stats().handshakes, 1u);
  EXPECT_EQ(signer->threads().size(), 2u);
}

TEST(EventServer, StopWithASignatureInFlightWaitsForTheSignerAndDropsTheRest) {
  auto signer = std::make_shared<AsyncSigner>();
  Running r({.workers = 1, .drain = 200ms, .signing_threads = 1}, signer_config(signer));
  signer->hold_next();
  Result<void> first = ok(), second = ok();
  std::thread a([&] { first = echo_round(r.server->port(), client_config()); });
  EXPECT_TRUE(signer->wait_held(5s));
  // The second handshake's signature queues behind the held one (one
  // signing thread).
  std::thread b([&] { second = echo_round(r.server->port(), client_config()); });
  r.wait_active(2);
  std::this_thread::sleep_for(100ms);
  r.server->stop();
  r.wait_active(0, 3s);  // the drain ran out: both released
  std::this_thread::sleep_for(100ms);
  // run() waits for the signature in progress: its thread is joined.
  EXPECT_FALSE(r.returned);
  signer->release();
  EXPECT_TRUE(r.wait_returned(5s));
  a.join();
  b.join();
  EXPECT_FALSE(first.ok());
  EXPECT_FALSE(second.ok());
  EXPECT_TRUE(r.result.ok());
  EXPECT_EQ(r.server->stats().handshakes, 0u);
  EXPECT_EQ(signer->threads().size(), 1u);  // the queued signature was dropped
}

// max_open: with that many connections open, the next waits in the listen
// backlog, not accepted (two workers, neither passes the limit), until one
// is released; then it is served.
TEST(EventServer, MaxOpenHoldsTheNextClientUntilOneCloses) {
  Running r({.workers = 2, .max_open = 2});
  const uint16_t port = r.server->port();
  auto first = handshaken(port, Connection::client(client_config(), {"localhost", {}}));
  auto second = handshaken(port, Connection::client(client_config(), {"localhost", {}}));
  ASSERT_TRUE(first && second);
  std::atomic<bool> third_done{false};
  Result<void> third = ok();
  std::thread t([&] {
    third = echo_round(port, client_config());
    third_done = true;
  });
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(third_done.load()) << "a third connection was served with max_open = 2";
  EXPECT_EQ(r.server->stats().accepted, 2u);
  EXPECT_EQ(r.server->stats().active, 2u);
  ASSERT_TRUE(first->shutdown().ok());
  first.reset();
  t.join();
  EXPECT_TRUE(third.ok()) << third.error().to_string();
  EXPECT_EQ(r.server->stats().accepted, 3u);
  EXPECT_TRUE(ping(*second));
}

// max_open_per_peer: one more connection from the same address is closed at
// accept, before any TLS or session, and counted as refused; once the peer
// closes one, it may connect again.
TEST(EventServer, MaxOpenPerPeerClosesTheNextConnectionFromThatAddress) {
  std::atomic<int> sessions{0};
  Running r({.workers = 1, .max_open_per_peer = 1}, server_config(), [&](Ends& e) {
    ++sessions;
    return std::make_unique<EchoSession>(e);
  });
  const uint16_t port = r.server->port();
  auto first = handshaken(port, Connection::client(client_config(), {"localhost", {}}));
  ASSERT_TRUE(first);
  Result<void> refused = echo_round(port, client_config());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(r.server->stats().refused, 1u);
  EXPECT_EQ(sessions.load(), 1);
  EXPECT_TRUE(ping(*first));  // the first is unaffected
  ASSERT_TRUE(first->shutdown().ok());
  first.reset();
  r.wait_active(0);
  EXPECT_TRUE(echo_round(port, client_config()).ok());
  EXPECT_EQ(sessions.load(), 2);
  EXPECT_EQ(r.server->stats().refused, 1u);
}

}  // namespace
}  // namespace tessera::testing
