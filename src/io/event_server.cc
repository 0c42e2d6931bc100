// The epoll server behind tessera/event_server.h. Each worker thread has its
// own epoll instance; the listening socket and a stop eventfd are registered
// in all of them (the listener with EPOLLEXCLUSIVE). A connection lives in the
// worker that accepted it, in one of four states:
//
//   handshaking --handshake done--> open --close_notify/eof/session--> closing
//   closing (our close_notify being flushed) --sent--> lingering (waiting for
//   the peer's FIN) --eof or linger timeout--> released
//
// Every state has a deadline (handshake_timeout from the accept, idle_timeout
// from the last bytes received, linger); a sweep every kTick releases what is
// past it. Errors and resets release the connection at once.
#include "tessera/event_server.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tessera/nonblocking.h"

namespace tessera {

using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kTick = std::chrono::milliseconds(200);
constexpr uint64_t kListenerTag = 0;
constexpr uint64_t kStopTag = 1;
constexpr uint64_t kFirstConnTag = 2;
constexpr size_t kReadBudget = 256 * 1024;  // per wakeup per connection
// Heap trimming: after this many connections were released below the
// worker's peak, at most every kTrimEvery.
constexpr size_t kTrimAfter = 256;
constexpr auto kTrimEvery = std::chrono::seconds(1);

std::string address_string(const sockaddr_storage& ss) {
  char name[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, name, sizeof name);
  } else if (ss.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, name,
                sizeof name);
  }
  return name;
}

}  // namespace

struct EventServer::Shared {
  std::shared_ptr<const ServerConfig> config;
  EventServerOptions options;
  SessionFactory factory;
  int listen_fd = -1;
  int stop_fd = -1;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> accepted{0}, active{0}, handshakes{0}, failed{0}, timed_out{0};

  ~Shared() {
    if (listen_fd >= 0) ::close(listen_fd);
    if (stop_fd >= 0) ::close(stop_fd);
  }
  void request_stop() {
    stopping.store(true);
    uint64_t one = 1;
    ssize_t n = ::write(stop_fd, &one, sizeof one);
    (void)n;
  }
};

namespace {

enum class State : uint8_t { handshaking, open, closing, lingering };

struct Conn {
  uint64_t tag = 0;
  int fd = -1;
  // The session (which may own what the connection's trace callback uses)
  // outlives the connection: members are destroyed in reverse order.
  std::unique_ptr<ServerSession> session;
  std::unique_ptr<Connection> tls;
  State state = State::handshaking;
  bool eof = false;       // the peer's FIN arrived
  bool want_out = false;  // registered for EPOLLOUT
  bool reading = true;    // registered for EPOLLIN
  SteadyClock::time_point deadline;
};

class Worker {
 public:
  explicit Worker(EventServer::Shared& s) : s_(s), scratch_(16 * 1024 + 512) {}
  ~Worker() {
    for (auto& [tag, c] : conns_) release(*c, nullptr, false);
    if (ep_ >= 0) ::close(ep_);
  }

  Result<void> init() {
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0)
      return Error(ErrorCode::io_error, std::string("epoll_create1: ") + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.u64 = kListenerTag;
    if (::epoll_ctl(ep_, EPOLL_CTL_ADD, s_.listen_fd, &ev) != 0)
      return Error(ErrorCode::io_error, std::string("epoll_ctl: ") + std::strerror(errno));
    ev.events = EPOLLIN;
    ev.data.u64 = kStopTag;
    if (::epoll_ctl(ep_, EPOLL_CTL_ADD, s_.stop_fd, &ev) != 0)
      return Error(ErrorCode::io_error, std::string("epoll_ctl: ") + std::strerror(errno));
    return ok();
  }

  void run() {
    std::vector<epoll_event> events(256);
    auto next_sweep = SteadyClock::now() + kTick;
    std::optional<SteadyClock::time_point> drain_until;
    bool accepting = true;
    SteadyClock::time_point resume_accept{};
    for (;;) {
      if (!drain_until && s_.stopping.load()) {
        drain_until = SteadyClock::now() + s_.options.drain;
        if (accepting) ::epoll_ctl(ep_, EPOLL_CTL_DEL, s_.listen_fd, nullptr);
        accepting = false;
        ::epoll_ctl(ep_, EPOLL_CTL_DEL, s_.stop_fd, nullptr);
      }
      if (drain_until && (conns_.empty() || SteadyClock::now() >= *drain_until)) break;
      int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()),
                           static_cast<int>(kTick.count()));
      for (int i = 0; i < n; ++i) {
        uint64_t tag = events[i].data.u64;
        if (tag == kListenerTag) {
          if (!accept_some()) {
            // Out of descriptors: stop listening here for a tick rather than spin.
            ::epoll_ctl(ep_, EPOLL_CTL_DEL, s_.listen_fd, nullptr);
            accepting = false;
            resume_accept = SteadyClock::now() + kTick;
          }
          continue;
        }
        if (tag == kStopTag) continue;  // handled at the top of the loop
        auto it = conns_.find(tag);
        if (it == conns_.end()) continue;
        service(*it->second, events[i].events);
      }
      auto now = SteadyClock::now();
      if (!accepting && !drain_until && !s_.stopping.load() && now >= resume_accept) {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLEXCLUSIVE;
        ev.data.u64 = kListenerTag;
        accepting = ::epoll_ctl(ep_, EPOLL_CTL_ADD, s_.listen_fd, &ev) == 0;
      }
      if (now >= next_sweep) {
        sweep(now);
        next_sweep = now + kTick;
      }
    }
    for (auto& [tag, c] : conns_) release(*c, nullptr, false);
    conns_.clear();
  }

 private:
  // accept_some accepts what is waiting; false when out of descriptors.
  bool accept_some() {
    for (int i = 0; i < 64 && !s_.stopping.load(); ++i) {
      sockaddr_storage peer{};
      socklen_t plen = sizeof peer;
      int fd = ::accept4(s_.listen_fd, reinterpret_cast<sockaddr*>(&peer), &plen,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) return false;
        return true;  // EAGAIN (another worker took it), ECONNABORTED, EINTR
      }
      uint64_t number = ++s_.accepted;
      if (s_.options.max_connections && number > s_.options.max_connections) {
        ::close(fd);
        s_.request_stop();
        return true;
      }
      add(fd, address_string(peer));
      if (s_.options.max_connections && number == s_.options.max_connections) s_.request_stop();
    }
    return true;
  }

  void add(int fd, const std::string& peer) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto tls = Connection::server(s_.config);
    if (!tls.ok()) {
      ::close(fd);
      ++s_.failed;
      return;
    }
    auto c = std::make_unique<Conn>();
    c->tag = next_tag_++;
    c->fd = fd;
    c->tls = std::move(*tls);
    c->session = s_.factory(peer, *c->tls);
    c->deadline = SteadyClock::now() + s_.options.handshake_timeout;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = c->tag;
    if (!c->session || ::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      ++s_.failed;
      return;
    }
    ++s_.active;
    conns_.emplace(c->tag, std::move(c));
  }

  // release closes the descriptor, tells the session, and frees the connection.
  void release(Conn& c, const Error* error, bool erase = true) {
    if (c.fd >= 0) {
      ::close(c.fd);  // also removes it from the epoll set
      c.fd = -1;
    }
    if (error) ++(error->code() == ErrorCode::timeout ? s_.timed_out : s_.failed);
    if (c.session) c.session->on_end(error, c.state != State::handshaking);
    --s_.active;
    if (erase) conns_.erase(c.tag);  // destroys c
  }

  void fail(Conn& c, const Error& e) {
    // The alert (if any) is queued: one try to send it, then release.
    (void)send_pending(c.fd, *c.tls);
    release(c, &e);
  }

  void service(Conn& c, uint32_t events) {
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      auto r = receive_available(c.fd, *c.tls, scratch_, kReadBudget);
      if (!r.ok()) return fail(c, r.error());
      if (r->eof) c.eof = true;
      if (r->bytes > 0 && c.state == State::open)
        c.deadline = SteadyClock::now() + s_.options.idle_timeout;
    }
    // After our close_notify, whatever the peer still sends is dropped.
    if (c.state == State::closing || c.state == State::lingering)
      c.tls->consume_app_data(c.tls->app_data().size());
    if (c.state == State::handshaking && c.tls->is_handshake_done()) {
      c.state = State::open;
      ++s_.handshakes;
      c.deadline = SteadyClock::now() + s_.options.idle_timeout;
      c.session->on_handshake_done(*c.tls);
    }
    // Events go to the session once it is open; until then (and after it
    // closes) they are dropped.
    bool close_now = false;
    while (auto e = c.tls->poll_event())
      if (c.state == State::open && !close_now)
        close_now = c.session->on_event(*c.tls, *e) == SessionAction::close;
    if (c.state == State::handshaking && c.eof) {
      Error e(ErrorCode::truncated_connection, "peer closed the connection during the handshake");
      return fail(c, e);
    }
    if (c.state == State::open) {
      bool peer_done = c.tls->is_peer_closed() || c.eof;
      SessionAction action = close_now ? SessionAction::close : SessionAction::keep;
      if (!close_now && (!c.tls->app_data().empty() || !c.tls->early_data().empty() || peer_done))
        action = c.session->on_data(*c.tls, c.eof && !c.tls->is_peer_closed());
      if (action == SessionAction::close || peer_done) {
        c.tls->close();
        c.state = State::closing;
        c.deadline = SteadyClock::now() + s_.options.linger;
      }
    }
    flush(c);
  }

  // flush sends what is pending and advances closing -> lingering -> released.
  void flush(Conn& c) {
    auto sent = send_pending(c.fd, *c.tls);
    if (!sent.ok()) {
      // A reset after the peer's close_notify is an orderly end.
      if (c.state == State::closing && c.tls->is_peer_closed()) return release(c, nullptr);
      return fail(c, sent.error());
    }
    if (c.tls->error()) return release(c, c.tls->error());
    if (*sent && c.state == State::closing) {
      ::shutdown(c.fd, SHUT_WR);
      if (c.eof) return release(c, nullptr);
      c.state = State::lingering;
    }
    if (c.state == State::lingering && c.eof) return release(c, nullptr);
    bool want_out = !*sent;
    // No read interest after the FIN (it would fire forever) or while the
    // peer leaves our output unread.
    bool reading = !c.eof && c.tls->pending_tls().size() < s_.options.max_pending_output;
    if (want_out != c.want_out || reading != c.reading) {
      epoll_event ev{};
      ev.events = (reading ? EPOLLIN | EPOLLRDHUP : 0u) | (want_out ? EPOLLOUT : 0u);
      ev.data.u64 = c.tag;
      ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
      c.want_out = want_out;
      c.reading = reading;
    }
  }

  void sweep(SteadyClock::time_point now) {
    expire(now);
    // glibc keeps freed heap (one arena per worker) mapped; after a burst of
    // connections has gone, give it back so RSS follows the load down.
    peak_ = std::max(peak_, conns_.size());
    if (peak_ - conns_.size() >= kTrimAfter && now >= next_trim_) {
#ifdef __GLIBC__
      ::malloc_trim(0);
#endif
      peak_ = conns_.size();
      next_trim_ = now + kTrimEvery;
    }
  }

  void expire(SteadyClock::time_point now) {
    std::vector<Conn*> expired;
    for (auto& [tag, c] : conns_) {
      if (now < c->deadline) continue;
      if (c->state == State::open && s_.options.idle_timeout.count() == 0) continue;
      expired.push_back(c.get());
    }
    for (Conn* c : expired) {
      switch (c->state) {
        case State::handshaking: {
          Error e(ErrorCode::timeout, "handshake not completed within " +
                                          std::to_string(s_.options.handshake_timeout.count()) +
                                          " ms");
          c->tls->close();  // user_canceled, close_notify (RFC 8446 6.1)
          (void)send_pending(c->fd, *c->tls);
          release(*c, &e);
          break;
        }
        case State::open: {
          Error e(ErrorCode::timeout,
                  "idle for " + std::to_string(s_.options.idle_timeout.count()) + " ms");
          c->tls->close();
          (void)send_pending(c->fd, *c->tls);
          release(*c, &e);
          break;
        }
        case State::closing:
        case State::lingering: release(*c, nullptr); break;
      }
    }
  }

  EventServer::Shared& s_;
  int ep_ = -1;
  std::vector<uint8_t> scratch_;
  std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns_;
  uint64_t next_tag_ = kFirstConnTag;
  size_t peak_ = 0;  // most connections since the last heap trim
  SteadyClock::time_point next_trim_{};
};

}  // namespace

Result<std::unique_ptr<EventServer>> EventServer::listen(std::shared_ptr<const ServerConfig> config,
                                                         EventServerOptions options,
                                                         SessionFactory factory) {
  auto shared = std::make_unique<Shared>();
  shared->config = std::move(config);
  shared->factory = std::move(factory);
  shared->options = std::move(options);
  const auto& o = shared->options;
  sockaddr_storage ss{};
  socklen_t slen = 0;
  int family = AF_INET;
  if (auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      ::inet_pton(AF_INET, o.host.c_str(), &a->sin_addr) == 1) {
    a->sin_family = AF_INET;
    a->sin_port = htons(o.port);
    slen = sizeof *a;
  } else if (auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
             ::inet_pton(AF_INET6, o.host.c_str(), &a6->sin6_addr) == 1) {
    family = AF_INET6;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(o.port);
    slen = sizeof *a6;
  } else {
    return Error(ErrorCode::config_invalid, "not a numeric IP address: " + o.host);
  }
  const std::string where = o.host + ":" + std::to_string(o.port);
  shared->listen_fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (shared->listen_fd < 0)
    return Error(ErrorCode::io_error, std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(shared->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(shared->listen_fd, reinterpret_cast<sockaddr*>(&ss), slen) != 0 ||
      ::listen(shared->listen_fd, o.backlog) != 0) {
    return Error(ErrorCode::io_error, "cannot listen on " + where + ": " + std::strerror(errno));
  }
  shared->stop_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (shared->stop_fd < 0)
    return Error(ErrorCode::io_error, std::string("eventfd: ") + std::strerror(errno));
  sockaddr_storage bound{};
  socklen_t blen = sizeof bound;
  ::getsockname(shared->listen_fd, reinterpret_cast<sockaddr*>(&bound), &blen);
  std::unique_ptr<EventServer> server(new EventServer());
  server->port_ =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  server->shared_ = std::move(shared);
  return server;
}

EventServer::~EventServer() = default;

Result<void> EventServer::run() {
  unsigned n = shared_->options.workers;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>(*shared_);
    TESSERA_TRY(w->init());
    workers.push_back(std::move(w));
  }
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < n; ++i) threads.emplace_back([w = workers[i].get()] { w->run(); });
  workers[0]->run();
  for (auto& t : threads) t.join();
  return ok();
}

void EventServer::stop() { shared_->request_stop(); }

EventServerStats EventServer::stats() const {
  EventServerStats st;
  st.accepted = shared_->accepted.load();
  st.active = shared_->active.load();
  st.handshakes = shared_->handshakes.load();
  st.failed = shared_->failed.load();
  st.timed_out = shared_->timed_out.load();
  return st;
}

}  // namespace tessera
