// The blocking Stream over real sockets (socketpair): handshakes and data in
// both versions, and hostile or absent peers that must cost a bounded time:
// a peer that trickles its ClientHello one byte at a time, one that says
// nothing, one that disconnects mid-handshake.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "tessera/nonblocking.h"
#include "tessera/session.h"
#include "tessera/stream.h"
#include "unit/conn/pair.h"
#include "unit/conn/test_signer.h"

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;

struct SocketPair {
  int a = -1, b = -1;
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    a = fds[0];
    b = fds[1];
  }
};

Stream server_stream(int fd, StreamTimeouts to = {}) {
  auto c = Connection::server(server_config());
  EXPECT_TRUE(c.ok());
  return Stream(fd, std::move(*c), to);
}

void round_trip(std::shared_ptr<ClientConfig> cc, ProtocolVersion want) {
  SocketPair sp;
  auto server = std::async(std::launch::async, [&] {
    Stream s = server_stream(sp.b);
    if (!s.handshake().ok()) return std::string("server handshake failed");
    std::vector<uint8_t> buf(1024);
    auto n = s.read(buf);
    if (!n.ok()) return n.error().to_string();
    (void)s.write_all(std::span<const uint8_t>(buf.data(), *n));
    (void)s.shutdown();
    return std::string();
  });
  auto c = Connection::client(cc, {"localhost", {}});
  ASSERT_TRUE(c.ok());
  Stream s(sp.a, std::move(*c));
  ASSERT_TRUE(s.handshake().ok());
  EXPECT_EQ(s.connection().summary().version, want);
  const std::string msg = "hello over a socket";
  ASSERT_TRUE(s.write_all(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(msg.data()),
                                                   msg.size()))
                  .ok());
  // An empty buffer is refused: read's 0 means the peer closed.
  auto none = s.read({});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::internal_error);
  std::vector<uint8_t> buf(1024);
  auto n = s.read(buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + static_cast<long>(*n)), msg);
  EXPECT_EQ(server.get(), "");
}

TEST(Stream, Tls13RoundTrip) { round_trip(client_config(), ProtocolVersion::tls13); }

TEST(Stream, Tls12RoundTrip) {
  auto cc = client_config();
  cc->policy.max_version = ProtocolVersion::tls12;
  cc->policy.cipher_suites = cc->policy.suites_for(ProtocolVersion::tls12);
  round_trip(cc, ProtocolVersion::tls12);
}

// Stream::authenticate_client: the server asks for the client's certificate
// after the handshake (RFC 8446 4.6.2) while the client's request is on its
// way; the request is kept for read(), and the answer says who the client is
// (or that it declined).
// With async_keys, both keys are held by asynchronous KeySigners, which the
// Stream signs with inline (the server's CertificateVerify in handshake(),
// the client's answer in read()).
void post_handshake_auth(bool with_certificate, bool async_keys = false) {
  SocketPair sp;
  auto sc = server_config();
  sc->client_trust = trust();
  auto server_signer = std::make_shared<TestSigner>(
      "server-ec.key", std::vector{SignatureScheme::ecdsa_secp256r1_sha256});
  auto client_signer = std::make_shared<TestSigner>(
      "client-ec.key", std::vector{SignatureScheme::ecdsa_secp256r1_sha256});
  if (async_keys) {
    sc->credentials = {signer_credential("server-ec", server_signer)};
    server_signer->async = true;
    client_signer->async = true;
  }
  auto server = std::async(std::launch::async, [&]() -> std::string {
    auto c = Connection::server(sc);
    if (!c.ok()) return c.error().to_string();
    Stream s(sp.b, std::move(*c));
    if (!s.handshake().ok()) return "server handshake failed";
    auto who = s.authenticate_client();
    if (!who.ok()) return who.error().to_string();
    std::vector<uint8_t> buf(1024);
    auto n = s.read(buf);
    if (!n.ok()) return n.error().to_string();
    std::string reply =
        std::string(buf.begin(), buf.begin() + static_cast<long>(*n)) + " from " +
        (*who == ClientCertificateRequest::received ? s.connection().summary().peer_subject
                                                    : "(declined)");
    (void)s.write_all(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(reply.data()), reply.size()));
    (void)s.shutdown();
    return "";
  });
  auto cc = client_config();
  cc->post_handshake_auth = true;
  if (with_certificate)
    cc->credential =
        async_keys ? signer_credential("client-ec", client_signer) : credential("client-ec");
  auto c = Connection::client(cc, {"localhost", {}});
  ASSERT_TRUE(c.ok());
  Stream s(sp.a, std::move(*c));
  ASSERT_TRUE(s.handshake().ok());
  const std::string msg = "GET /private";
  ASSERT_TRUE(s.write_all(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(msg.data()),
                                                   msg.size()))
                  .ok());
  std::vector<uint8_t> buf(1024);
  auto n = s.read(buf);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + static_cast<long>(*n)),
            msg + (with_certificate ? " from CN=tessera test client" : " from (declined)"));
  EXPECT_EQ(server.get(), "");
  if (async_keys) {
    // One signature each beyond from_signer's test signature.
    EXPECT_EQ(server_signer->calls, 2);
    EXPECT_EQ(client_signer->calls, 2);
  }
}

TEST(Stream, AuthenticateClientAfterTheHandshake) { post_handshake_auth(true); }
TEST(Stream, AuthenticateClientDeclined) { post_handshake_auth(false); }
TEST(Stream, SignsInlineForAsynchronousSigners) { post_handshake_auth(true, true); }

// A peer that sends its ClientHello one byte every 50 ms (a slowloris) is cut
// off by the whole-handshake deadline, not kept alive by its trickle.
TEST(StreamHostile, TricklingPeerHitsTheHandshakeDeadline) {
  SocketPair sp;
  auto c = Connection::client(client_config(), {"localhost", {}});
  ASSERT_TRUE(c.ok());
  std::vector<uint8_t> hello((*c)->pending_tls().begin(), (*c)->pending_tls().end());
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    for (size_t i = 0; i < hello.size() && !stop; ++i) {
      if (::write(sp.a, &hello[i], 1) != 1) break;
      std::this_thread::sleep_for(50ms);
    }
  });
  Stream s = server_stream(sp.b, StreamTimeouts{300ms, 300ms});
  auto t0 = std::chrono::steady_clock::now();
  auto r = s.handshake();
  auto took = std::chrono::steady_clock::now() - t0;
  stop = true;
  trickle.join();
  ::close(sp.a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::timeout) << r.error().to_string();
  EXPECT_LT(took, 2s);  // the trickle alone would take hello.size() * 50 ms
  EXPECT_GT(hello.size() * 50ms, 5s);
}

TEST(StreamHostile, SilentPeerTimesOut) {
  SocketPair sp;
  Stream s = server_stream(sp.b, StreamTimeouts{200ms, 200ms});
  auto r = s.handshake();
  ::close(sp.a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::timeout);
}

TEST(StreamHostile, PeerVanishingMidHandshakeIsAnErrorNotAHang) {
  SocketPair sp;
  auto c = Connection::client(client_config(), {"localhost", {}});
  ASSERT_TRUE(c.ok());
  auto hello = (*c)->pending_tls();
  // Half a ClientHello, then the peer is gone.
  ASSERT_EQ(::write(sp.a, hello.data(), hello.size() / 2), static_cast<ssize_t>(hello.size() / 2));
  ::close(sp.a);
  Stream s = server_stream(sp.b, StreamTimeouts{5s, 5s});
  auto t0 = std::chrono::steady_clock::now();
  auto r = s.handshake();
  ASSERT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_NE(r.error().code(), ErrorCode::timeout) << r.error().to_string();
}

// read_nowait takes what the socket holds and never waits. After the
// handshake the server sends only its NewSessionTickets: a caller that polls
// the socket itself gets "no application data yet" (read() waited for some,
// leaving the caller's other descriptor unread: the CLI client's stdin),
// then the data, then 0 for the peer's close_notify.
TEST(Stream, ReadNowaitNeverWaits) {
  SocketPair sp;
  std::promise<void> go;
  auto go_signal = go.get_future();
  auto server = std::async(std::launch::async, [&] {
    Stream s = server_stream(sp.b);
    if (!s.handshake().ok()) return std::string("server handshake failed");
    go_signal.wait();  // nothing but the tickets until the client has looked
    const std::string msg = "late data";
    (void)s.write_all(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(msg.data()), msg.size()));
    (void)s.shutdown();
    return std::string();
  });
  auto cc = client_config();
  cc->session_store = std::make_shared<MemorySessionStore>();  // so the server sends tickets
  auto c = Connection::client(cc, {"localhost", {}});
  ASSERT_TRUE(c.ok());
  StreamTimeouts to;
  to.io = 2s;
  Stream s(sp.a, std::move(*c), to);
  ASSERT_TRUE(s.handshake().ok());
  std::vector<uint8_t> buf(1024);
  pollfd p{s.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);  // the tickets
  auto tickets = s.read_nowait(buf);
  ASSERT_TRUE(tickets.ok()) << tickets.error().to_string();
  EXPECT_FALSE(tickets->has_value());
  auto nothing = s.read_nowait(buf);  // an empty socket
  ASSERT_TRUE(nothing.ok()) << nothing.error().to_string();
  EXPECT_FALSE(nothing->has_value());
  go.set_value();
  std::string got;
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    ASSERT_EQ(::poll(&p, 1, 5000), 1);
    auto r = s.read_nowait(buf);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    if (!*r) continue;
    if (**r == 0) closed = true;
    got.append(reinterpret_cast<const char*>(buf.data()), **r);
  }
  EXPECT_TRUE(closed);
  EXPECT_EQ(got, "late data");
  EXPECT_EQ(server.get(), "");
}

// StreamTimeouts::io bounds each wait, not a whole transfer: write_all of
// 4 MiB to a peer that reads steadily but slowly (~1.6 MB/s) takes longer
// than the timeout in all, and succeeds.
TEST(Stream, WriteAllWaitsForASlowButSteadyReader) {
  SocketPair sp;
  constexpr size_t kSize = 4 << 20;
  auto server = std::async(std::launch::async, [&] {
    Stream s = server_stream(sp.b);
    if (!s.handshake().ok()) return std::string("server handshake failed");
    std::vector<uint8_t> buf(64 * 1024);
    size_t got = 0;
    while (got < kSize) {
      auto n = s.read(buf);
      if (!n.ok()) return n.error().to_string();
      if (*n == 0) return std::string("closed early");
      got += *n;  // a record at most: ~16 KiB per 10 ms
      std::this_thread::sleep_for(10ms);
    }
    return std::string();
  });
  auto c = Connection::client(client_config(), {"localhost", {}});
  ASSERT_TRUE(c.ok());
  StreamTimeouts to;
  to.io = 1s;
  Stream s(sp.a, std::move(*c), to);
  ASSERT_TRUE(s.handshake().ok());
  const auto data = pattern(kSize, 3);
  const auto t0 = std::chrono::steady_clock::now();
  auto w = s.write_all(data);
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  EXPECT_EQ(server.get(), "");
  EXPECT_GT(std::chrono::steady_clock::now() - t0, to.io) << "the reader was not slow enough";
}

// receive_available reads until the socket would block or ends, not just
// until a short read: a FIN queued behind the data is reported with it (an
// edge-triggered caller would get no other wakeup for it).
TEST(Nonblocking, ReceiveAvailableSeesAFinQueuedBehindData) {
  SocketPair sp;
  auto client = Connection::client(client_config(), {"localhost", {}});
  ASSERT_TRUE(client.ok());
  const Bytes hello = take_out(**client);
  ASSERT_EQ(::write(sp.a, hello.data(), hello.size()), static_cast<ssize_t>(hello.size()));
  ASSERT_EQ(::shutdown(sp.a, SHUT_WR), 0);
  ASSERT_EQ(::fcntl(sp.b, F_SETFL, ::fcntl(sp.b, F_GETFL, 0) | O_NONBLOCK), 0);
  auto server = Connection::server(server_config());
  ASSERT_TRUE(server.ok());
  std::vector<uint8_t> scratch(16 * 1024 + 512);
  auto r = receive_available(sp.b, **server, scratch, 1 << 20);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->bytes, hello.size());
  EXPECT_TRUE(r->eof);
  // recv into nothing returns 0, which must not read as the peer's FIN.
  auto empty = receive_available(sp.b, **server, {}, 1 << 20);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), ErrorCode::internal_error);
  ::close(sp.a);
  ::close(sp.b);
}

}  // namespace
}  // namespace tessera::testing
