// The epoll server behind tessera/event_server.h. Each worker thread has its
// own epoll instance; the listening socket and a stop eventfd are registered
// in all of them (the listener with EPOLLEXCLUSIVE). A connection lives in the
// worker that accepted it, in one of four states:
//
//   handshaking --handshake done--> open --close_notify/eof/session--> closing
//   closing (our output, then close_notify, being flushed) --sent--> lingering
//   (waiting for the peer's FIN) --eof or linger timeout--> released
//
// Every state has a deadline (handshake_timeout from the accept; idle_timeout
// from the last bytes received or taken by the peer, open or closing; linger
// from our close_notify sent); a sweep every kTick releases what is past it.
// Errors and resets release the connection at once.
//
// A handshake paused for an asynchronous KeySigner (Connection::
// signature_request) is signed for by the signing threads (SigningPool,
// shared by the workers): the worker hands a copy of the request over, keeps
// the connection handshaking (its deadline runs on), and gets the result back
// through its SignedQueue, whose eventfd is in its epoll set. A connection
// released meanwhile cancels its job; a result that comes back for it anyway
// is dropped. Only the pool's queue and the SignedQueue take a mutex: a
// connection that never signs asynchronously takes no lock.
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
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tessera/nonblocking.h"

namespace tessera {

using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kTick = std::chrono::milliseconds(200);
constexpr uint64_t kListenerTag = 0;
constexpr uint64_t kStopTag = 1;
constexpr uint64_t kSignedTag = 2;  // a worker's SignedQueue has results
constexpr uint64_t kFirstConnTag = 3;
constexpr size_t kReadBudget = 256 * 1024;  // per wakeup per connection
// The least a wakeup reads (a whole record's worth) even past
// max_unread_input: a hangup or error must be read to be seen, and an epoll
// set that reports it level-triggered would otherwise spin.
constexpr size_t kMinRead = 16 * 1024 + 512;
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
  std::atomic<uint64_t> accepted{0}, active{0}, handshakes{0}, failed{0}, timed_out{0}, refused{0};
  // Open connections per peer address, kept only with max_open_per_peer.
  std::mutex peers_mu;
  std::unordered_map<std::string, uint32_t> open_per_peer;

  ~Shared() {
    if (listen_fd >= 0) ::close(listen_fd);
    if (stop_fd >= 0) ::close(stop_fd);
  }
  // reserve_slot counts one more open connection, unless max_open are open.
  bool reserve_slot() {
    const uint64_t limit = options.max_open;
    uint64_t open = active.load();
    do {
      if (limit != 0 && open >= limit) return false;
    } while (!active.compare_exchange_weak(open, open + 1));
    return true;
  }
  // admit_peer counts one more connection from `peer`, unless it has
  // max_open_per_peer open; leave_peer counts one less.
  bool admit_peer(const std::string& peer) {
    if (options.max_open_per_peer == 0) return true;
    std::lock_guard<std::mutex> lock(peers_mu);
    uint32_t& n = open_per_peer[peer];
    if (n >= options.max_open_per_peer) return false;
    ++n;
    return true;
  }
  void leave_peer(const std::string& peer) {
    if (options.max_open_per_peer == 0) return;
    std::lock_guard<std::mutex> lock(peers_mu);
    auto it = open_per_peer.find(peer);
    if (it != open_per_peer.end() && --it->second == 0) open_per_peer.erase(it);
  }
  void request_stop() {
    stopping.store(true);
    uint64_t one = 1;
    ssize_t n = ::write(stop_fd, &one, sizeof one);
    (void)n;
  }
};

namespace {

// SignedQueue: the signatures made for one worker's connections, pushed by
// the signing threads; each push wakes the worker through fd (an eventfd in
// its epoll set, kSignedTag).
struct SignedQueue {
  struct Done {
    uint64_t tag;  // the connection's
    Result<std::vector<uint8_t>> signature;
  };
  int fd = -1;
  std::mutex mu;
  std::vector<Done> done;

  void push(uint64_t tag, Result<std::vector<uint8_t>> signature) {
    {
      std::lock_guard<std::mutex> lock(mu);
      done.push_back(Done{tag, std::move(signature)});
    }
    uint64_t one = 1;
    ssize_t n = ::write(fd, &one, sizeof one);
    (void)n;
  }
  std::vector<Done> take() {
    std::lock_guard<std::mutex> lock(mu);
    return std::exchange(done, {});
  }
};

// SignJob: one signature for one connection, from its submission to the
// pool until the result is back (or the connection is released).
struct SignJob {
  SignatureRequest request;           // a copy: it owns the signer and the message
  SignedQueue* to = nullptr;          // the owning worker's
  uint64_t tag = 0;                   // the connection's
  std::atomic<bool> canceled{false};  // the connection was released: don't sign
};

// SigningPool: the signing threads (EventServerOptions::signing_threads),
// shared by the workers. run() starts them once the workers are made and
// stops them after the workers returned: jobs not started are dropped, those
// in progress are waited for and their results go to queues nobody reads.
class SigningPool {
 public:
  SigningPool() = default;
  ~SigningPool() { stop(); }
  SigningPool(const SigningPool&) = delete;
  SigningPool& operator=(const SigningPool&) = delete;

  void start(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
  }
  // submit queues a signature for the connection `tag` of the worker whose
  // queue is `to`; the connection keeps the job to cancel it.
  std::shared_ptr<SignJob> submit(const SignatureRequest& request, SignedQueue& to, uint64_t tag) {
    auto job = std::make_shared<SignJob>();
    job->request = request;
    job->to = &to;
    job->tag = tag;
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(job);
    }
    cv_.notify_one();
    return job;
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      jobs_.clear();
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void loop() {
    for (;;) {
      std::shared_ptr<SignJob> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      if (job->canceled.load()) continue;
      auto signature = job->request.sign();
      if (!job->canceled.load()) job->to->push(job->tag, std::move(signature));
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<SignJob>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

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
  std::shared_ptr<SignJob> signing;  // the signature the signing threads make for it
  std::string peer;                  // the client's address
  // Why a connection that ends without a failure of ours ends anyway: the
  // peer's FIN came without close_notify (given to on_end).
  std::optional<Error> truncated;
};

class Worker {
 public:
  // pool: the signing threads, or null to sign on the worker (signing_threads 0).
  Worker(EventServer::Shared& s, SigningPool* pool)
      : s_(s), pool_(pool), scratch_(16 * 1024 + 512) {}
  ~Worker() {
    for (auto& [tag, c] : conns_) release(*c, nullptr, false);
    if (ep_ >= 0) ::close(ep_);
    if (signed_.fd >= 0) ::close(signed_.fd);
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
    if (pool_) {
      signed_.fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      if (signed_.fd < 0)
        return Error(ErrorCode::io_error, std::string("eventfd: ") + std::strerror(errno));
      ev.events = EPOLLIN;
      ev.data.u64 = kSignedTag;
      if (::epoll_ctl(ep_, EPOLL_CTL_ADD, signed_.fd, &ev) != 0)
        return Error(ErrorCode::io_error, std::string("epoll_ctl: ") + std::strerror(errno));
    }
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
        close_idle();
      }
      if (drain_until && (conns_.empty() || SteadyClock::now() >= *drain_until)) break;
      int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()),
                           static_cast<int>(kTick.count()));
      for (int i = 0; i < n; ++i) {
        uint64_t tag = events[i].data.u64;
        if (tag == kListenerTag) {
          const Accepted a = accept_some();
          if (a != Accepted::all) {
            // Out of descriptors, or max_open reached: stop listening here
            // rather than spin; after a tick, or once a slot is free.
            ::epoll_ctl(ep_, EPOLL_CTL_DEL, s_.listen_fd, nullptr);
            accepting = false;
            resume_accept =
                SteadyClock::now() +
                (a == Accepted::out_of_descriptors ? kTick : SteadyClock::duration::zero());
          }
          continue;
        }
        if (tag == kStopTag) continue;  // handled at the top of the loop
        if (tag == kSignedTag) {
          finish_signatures();
          continue;
        }
        auto it = conns_.find(tag);
        if (it == conns_.end()) continue;
        service(*it->second, events[i].events);
      }
      auto now = SteadyClock::now();
      if (!accepting && !drain_until && !s_.stopping.load() && now >= resume_accept &&
          !at_open_limit()) {
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
    // Those still busy after `drain`: close_notify after what is queued,
    // one try to send it, and the session hears why.
    for (auto& [tag, c] : conns_) {
      const bool finished = c->state == State::lingering;
      if (!finished) {
        c->tls->close();
        (void)send_pending(c->fd, *c->tls);
      }
      Error e(ErrorCode::timeout,
              "the server stopped, and the connection was not finished within " +
                  std::to_string(s_.options.drain.count()) + " ms");
      release(*c, finished ? nullptr : &e, false);
    }
    conns_.clear();
  }

 private:
  // close_idle closes (close_notify) the open connections with nothing
  // under way, when stop() begins the drain: only the busy ones need it.
  void close_idle() {
    std::vector<uint64_t> idle;
    for (auto& [tag, c] : conns_)
      if (c->state == State::open && unread(*c) == 0 && c->tls->pending_tls().empty())
        idle.push_back(tag);
    for (uint64_t tag : idle) {
      auto it = conns_.find(tag);
      if (it == conns_.end()) continue;
      start_closing(*it->second);
      flush(*it->second);
    }
  }

  // start_closing sends close_notify after what is queued (RFC 8446 6.1).
  // While output remains the peer has idle_timeout to take each part of it
  // (flush renews it); linger starts once it is all sent.
  void start_closing(Conn& c) {
    c.tls->close();
    c.state = State::closing;
    c.deadline = SteadyClock::now() + s_.options.idle_timeout;
  }
  bool at_open_limit() const {
    return s_.options.max_open != 0 && s_.active.load() >= s_.options.max_open;
  }

  enum class Accepted { all, out_of_descriptors, at_open_limit };
  // accept_some accepts what is waiting (up to 64 connections).
  Accepted accept_some() {
    for (int i = 0; i < 64 && !s_.stopping.load(); ++i) {
      // A slot is taken before the accept, so workers accepting at once
      // cannot pass max_open together.
      if (!s_.reserve_slot()) return Accepted::at_open_limit;
      sockaddr_storage peer{};
      socklen_t plen = sizeof peer;
      int fd = ::accept4(s_.listen_fd, reinterpret_cast<sockaddr*>(&peer), &plen,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        --s_.active;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
          return Accepted::out_of_descriptors;
        return Accepted::all;  // EAGAIN (another worker took it), ECONNABORTED, EINTR
      }
      uint64_t number = ++s_.accepted;
      if (s_.options.max_connections && number > s_.options.max_connections) {
        --s_.active;
        ::close(fd);
        s_.request_stop();
        return Accepted::all;
      }
      add(fd, address_string(peer));
      if (s_.options.max_connections && number == s_.options.max_connections) s_.request_stop();
    }
    return Accepted::all;
  }

  // add makes the connection for an accepted descriptor, in the slot
  // reserve_slot counted for it (given back if it is not kept).
  void add(int fd, std::string peer) {
    // The counters change before the close: a peer that sees its connection
    // closed then finds them (stats()) already counting it.
    if (!s_.admit_peer(peer)) {
      // The peer has max_open_per_peer open: closed before any TLS.
      ++s_.refused;
      --s_.active;
      ::close(fd);
      return;
    }
    auto drop = [&] {
      s_.leave_peer(peer);
      ++s_.failed;
      --s_.active;
      ::close(fd);
    };
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto tls = Connection::server(s_.config);
    if (!tls.ok()) return drop();
    auto c = std::make_unique<Conn>();
    c->tag = next_tag_++;
    c->fd = fd;
    c->tls = std::move(*tls);
    c->session = s_.factory(peer, *c->tls);
    c->deadline = SteadyClock::now() + s_.options.handshake_timeout;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = c->tag;
    if (!c->session || ::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) != 0) return drop();
    c->peer = std::move(peer);
    conns_.emplace(c->tag, std::move(c));
  }

  // release closes the descriptor, tells the session, and frees the connection.
  void release(Conn& c, const Error* error, bool erase = true) {
    if (c.fd >= 0) {
      ::close(c.fd);  // also removes it from the epoll set
      c.fd = -1;
    }
    if (c.signing) c.signing->canceled.store(true);  // a result still coming is dropped
    if (error) ++(error->code() == ErrorCode::timeout ? s_.timed_out : s_.failed);
    if (c.session) c.session->on_end(error, c.state != State::handshaking);
    s_.leave_peer(c.peer);
    --s_.active;
    if (erase) conns_.erase(c.tag);  // destroys c
  }

  // finish releases a connection that ended in order on our side (its
  // close_notify sent, or the peer's answered).
  void finish(Conn& c) { release(c, c.truncated ? &*c.truncated : nullptr); }

  void fail(Conn& c, const Error& e) {
    // The alert (if any) is queued: one try to send it, then release.
    (void)send_pending(c.fd, *c.tls);
    release(c, &e);
  }

  // unread is the application data c's session has not consumed yet. 0-RTT
  // data counts once the session can take it (open): before, it is bounded
  // by ServerConfig::max_early_data, and the handshake must be read on.
  static size_t unread(const Conn& c) {
    return c.tls->app_data().size() + (c.state == State::open ? c.tls->early_data().size() : 0);
  }

  void service(Conn& c, uint32_t events) {
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      // Read up to max_unread_input unconsumed (see EventServerOptions).
      const size_t held = unread(c), limit = s_.options.max_unread_input;
      const size_t budget = std::clamp(held < limit ? limit - held : 0, kMinRead, kReadBudget);
      auto r = receive_available(c.fd, *c.tls, scratch_, budget);
      if (!r.ok()) return fail(c, r.error());
      if (r->eof) c.eof = true;
      if (r->bytes > 0 && c.state == State::open)
        c.deadline = SteadyClock::now() + s_.options.idle_timeout;
    }
    advance(c);
  }

  // advance moves c on after input or a signature: the signature a paused
  // handshake asks for, the end of the handshake, events and data to the
  // session, closing, and what is to be sent.
  void advance(Conn& c) {
    if (!sign(c)) return;
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
      if (c.eof && !c.tls->is_peer_closed())
        c.truncated.emplace(ErrorCode::truncated_connection,
                            "the peer closed the transport without close_notify");
      if (action == SessionAction::close || peer_done) start_closing(c);
    }
    flush(c);
  }

  // sign has the signature a paused handshake waits for made: by the signing
  // threads (c.signing until the result is back, see finish_signatures), or
  // right here without them. False when c was released (the signature failed).
  bool sign(Conn& c) {
    // A handshake whose peer has gone fails below: nothing to sign for.
    if (c.signing || (c.state == State::handshaking && c.eof)) return true;
    const SignatureRequest* request = c.tls->signature_request();
    if (!request) return true;
    if (pool_) {
      c.signing = pool_->submit(*request, signed_, c.tag);
      return true;
    }
    if (auto r = c.tls->sign_inline(); !r.ok()) {
      fail(c, r.error());
      return false;
    }
    return true;
  }

  // finish_signatures hands the signatures the signing threads made to their
  // connections, which go on as after input. Results for connections released
  // meanwhile (timeout, reset, shutdown) are dropped.
  void finish_signatures() {
    uint64_t count = 0;
    ssize_t n = ::read(signed_.fd, &count, sizeof count);  // before take(): no wakeup lost
    (void)n;
    for (auto& done : signed_.take()) {
      auto it = conns_.find(done.tag);
      if (it == conns_.end()) continue;
      Conn& c = *it->second;
      c.signing.reset();
      if (!c.tls->signature_request()) continue;  // close() dropped the request
      auto r = c.tls->complete_signature(std::move(done.signature));
      if (!r.ok()) {
        fail(c, r.error());
        continue;
      }
      advance(c);
    }
  }

  // flush sends what is pending and advances closing -> lingering -> released.
  void flush(Conn& c) {
    const size_t queued = c.tls->pending_tls().size();
    auto sent = send_pending(c.fd, *c.tls);
    if (!sent.ok()) {
      // A reset after the peer's close_notify is an orderly end.
      if (c.state == State::closing && c.tls->is_peer_closed()) return finish(c);
      return fail(c, sent.error());
    }
    if (c.tls->error()) return release(c, c.tls->error());
    // A peer taking our output is not idle (open), and a closing connection
    // waits as long as it keeps taking it.
    if (c.tls->pending_tls().size() < queued &&
        (c.state == State::open || c.state == State::closing))
      c.deadline = SteadyClock::now() + s_.options.idle_timeout;
    if (*sent && c.state == State::closing) {
      ::shutdown(c.fd, SHUT_WR);
      if (c.eof) return finish(c);
      c.state = State::lingering;
      c.deadline = SteadyClock::now() + s_.options.linger;
    }
    if (c.state == State::lingering && c.eof) return finish(c);
    bool want_out = !*sent;
    // No read interest after the FIN (it would fire forever), while the
    // peer leaves our output unread, or while the session leaves its input
    // unconsumed (offered again by sweep()).
    bool reading = !c.eof && c.tls->pending_tls().size() < s_.options.max_pending_output &&
                   unread(c) < s_.options.max_unread_input;
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
    reoffer();
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

  // reoffer gives sessions that hold max_unread_input unconsumed (and so are
  // not read from) their data again: nothing else may wake such a connection.
  void reoffer() {
    std::vector<uint64_t> held;
    for (auto& [tag, c] : conns_)
      if (c->state == State::open && !c->eof && unread(*c) >= s_.options.max_unread_input)
        held.push_back(tag);
    for (uint64_t tag : held)
      if (auto it = conns_.find(tag); it != conns_.end()) advance(*it->second);
  }

  void expire(SteadyClock::time_point now) {
    std::vector<Conn*> expired;
    for (auto& [tag, c] : conns_) {
      if (now < c->deadline) continue;
      if ((c->state == State::open || c->state == State::closing) &&
          s_.options.idle_timeout.count() == 0)
        continue;
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
        case State::closing: {
          // Our close_notify is still queued behind output the peer does
          // not take: the end is not orderly.
          Error e(ErrorCode::timeout, "the peer took none of our last " +
                                          std::to_string(c->tls->pending_tls().size()) +
                                          " bytes (and close_notify) for " +
                                          std::to_string(s_.options.idle_timeout.count()) + " ms");
          release(*c, &e);
          break;
        }
        case State::lingering: finish(*c); break;
      }
    }
  }

  EventServer::Shared& s_;
  SigningPool* pool_;
  SignedQueue signed_;  // used with pool_ only
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
  // The config's mistakes are reported here, not as every connection
  // failing its handshake: one connection is made (and dropped) to run
  // Connection::server's checks.
  if (!factory) return Error(ErrorCode::config_invalid, "EventServer: no session factory");
  {
    auto probe = Connection::server(config);
    if (!probe.ok()) return std::move(probe).error().with_context("EventServer");
  }
  auto shared = std::make_unique<Shared>();
  shared->config = std::move(config);
  shared->factory = std::move(factory);
  shared->options = std::move(options);
  const auto& o = shared->options;
  // Either at 0 would never read from anyone.
  if (o.max_pending_output == 0 || o.max_unread_input == 0)
    return Error(ErrorCode::config_invalid,
                 "EventServerOptions: max_pending_output and max_unread_input must be above 0");
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
  const unsigned signing_threads = shared_->options.signing_threads;
  SigningPool pool;  // outlives the workers: its threads push to their queues
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>(*shared_, signing_threads ? &pool : nullptr);
    TESSERA_TRY(w->init());
    workers.push_back(std::move(w));
  }
  pool.start(signing_threads);
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < n; ++i) threads.emplace_back([w = workers[i].get()] { w->run(); });
  workers[0]->run();
  for (auto& t : threads) t.join();
  // The connections are released: drop the signatures not started, wait for
  // those in progress (their results are not wanted).
  pool.stop();
  return ok();
}

void EventServer::stop() { shared_->request_stop(); }

EventServerStats EventServer::stats() const {
  EventServerStats st;
  st.accepted = shared_->accepted.load();
  st.active = shared_->active.load();
  st.refused = shared_->refused.load();
  st.handshakes = shared_->handshakes.load();
  st.failed = shared_->failed.load();
  st.timed_out = shared_->timed_out.load();
  return st;
}

}  // namespace tessera
