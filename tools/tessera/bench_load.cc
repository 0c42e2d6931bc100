// `tessera bench load HOST:PORT`: opens --connections connections to an echo
// server (`tessera server --echo`) on loopback and keeps them busy for
// --duration seconds from one epoll loop with non-blocking sockets. Each
// connection does a full or (with --resume P, for P% of connections) resumed
// handshake, then echo rounds of --size bytes: either one round every
// --interval ms for the whole run (--requests 0: connections are held), or
// --requests rounds and then a clean close and a new connection in its place.
// Every byte that comes back is compared with what was sent. At the end every
// connection is closed cleanly and the figures are printed; any error (refused
// connect, failed handshake, wrong byte, timeout, reset) makes the exit status 1.
#include "bench_load.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "tessera/algorithms.h"
#include "tessera/config.h"
#include "tessera/connection.h"
#include "tessera/nonblocking.h"
#include "tessera/session.h"
#include "tls_options.h"

namespace tessera::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct LoadOptions {
  std::string target;
  size_t connections = 100;
  double duration = 10;
  int resume_percent = 0;
  size_t requests = 0;  // 0: hold the connection for the whole run
  size_t size = 1024;
  int interval_ms = 1000;
  size_t ramp = 128;  // connects + handshakes in flight at once
  double timeout = 10;
  std::string ca, servername = "localhost", max_version;
  bool progress = false;
};

// PutOnlyStore keeps the tickets full handshakes receive without offering any:
// connections meant to do a full handshake use it, resumed ones take from the
// store behind it.
class PutOnlyStore final : public SessionStore {
 public:
  explicit PutOnlyStore(std::shared_ptr<SessionStore> inner) : inner_(std::move(inner)) {}
  void put(const std::string& name, Session s) override { inner_->put(name, std::move(s)); }
  std::optional<Session> take(const std::string&, int64_t) override { return std::nullopt; }

 private:
  std::shared_ptr<SessionStore> inner_;
};

enum class Phase : uint8_t { idle, connecting, handshaking, ready, echoing, closing };

struct Slot {
  uint32_t index = 0;
  uint32_t generation = 0;  // bumped per connection: stale epoll events are ignored
  int fd = -1;
  std::unique_ptr<Connection> tls;
  Phase phase = Phase::idle;
  bool want_out = false;
  size_t rounds = 0;
  uint64_t rng = 0;
  std::vector<uint8_t> expect;  // the bytes of the round in flight
  size_t matched = 0;
  SteadyClock::time_point deadline, next_round;
};

struct Totals {
  uint64_t connects = 0, full = 0, resumed = 0, rounds = 0, bytes = 0, errors = 0;
  size_t held = 0, peak_held = 0, in_flight = 0;
  std::vector<std::string> first_errors;
};

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class LoadGenerator {
 public:
  LoadGenerator(const LoadOptions& o, sockaddr_storage addr, socklen_t addr_len,
                std::shared_ptr<const ClientConfig> full,
                std::shared_ptr<const ClientConfig> resume)
      : o_(o),
        addr_(addr),
        addr_len_(addr_len),
        full_(std::move(full)),
        resume_(std::move(resume)),
        slots_(o.connections),
        scratch_(16 * 1024 + 512) {
    for (size_t i = 0; i < slots_.size(); ++i) {
      slots_[i].index = static_cast<uint32_t>(i);
      slots_[i].rng = 0x7e55e7a000000000ull + i;
      idle_.push_back(static_cast<uint32_t>(slots_.size() - 1 - i));
    }
  }
  ~LoadGenerator() {
    for (auto& s : slots_)
      if (s.fd >= 0) ::close(s.fd);
    if (ep_ >= 0) ::close(ep_);
  }

  int run() {
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) {
      std::fprintf(stderr, "tessera bench load: epoll_create1: %s\n", std::strerror(errno));
      return 1;
    }
    const auto start = start_ = SteadyClock::now();
    const auto end = start + milliseconds(static_cast<int64_t>(o_.duration * 1000));
    const auto timeout = milliseconds(static_cast<int64_t>(o_.timeout * 1000));
    auto next_progress = start + std::chrono::seconds(1);
    std::vector<epoll_event> events(512);
    bool ending = false;
    SteadyClock::time_point give_up{}, next_scan{};
    for (;;) {
      auto now = SteadyClock::now();
      if (!ending && now >= end) {
        ending = true;
        give_up = now + timeout;
        load_seconds_ = std::chrono::duration<double>(now - start).count();
        for (auto& s : slots_) {
          if (s.phase == Phase::ready) begin_close(s);
        }
      }
      if (ending) {
        if (idle_.size() == slots_.size()) break;
        if (now >= give_up) {
          for (auto& s : slots_)
            if (s.phase != Phase::idle) fail(s, "did not finish within --timeout after the run");
          break;
        }
      } else {
        // Ramp: start idle slots while few connects/handshakes are in flight.
        for (size_t tries = 0; tries < o_.ramp && !idle_.empty() && t_.in_flight < o_.ramp;
             ++tries) {
          Slot& s = slots_[idle_.back()];
          idle_.pop_back();
          open(s, now + timeout);
        }
      }
      int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 10);
      for (int i = 0; i < n; ++i) {
        uint64_t tag = events[i].data.u64;
        Slot& s = slots_[tag & 0xffffffffu];
        if (s.fd < 0 || s.generation != (tag >> 32)) continue;
        service(s, events[i].events, ending, timeout);
      }
      now = SteadyClock::now();
      // Timers (next rounds, deadlines): a scan of all slots every 10 ms.
      if (now < next_scan) continue;
      next_scan = now + milliseconds(10);
      for (auto& s : slots_) {
        if (s.phase == Phase::idle) continue;
        if (s.phase == Phase::ready && !ending && o_.requests == 0 && now >= s.next_round) {
          start_round(s, now + timeout);
          flush(s);
        } else if (s.phase != Phase::ready && now >= s.deadline) {
          fail(s, phase_timeout(s.phase));
        }
      }
      if (o_.progress && now >= next_progress) {
        std::fprintf(stderr, "[%5.1f s] held %zu, handshakes %llu, errors %llu\n",
                     std::chrono::duration<double>(now - start).count(), t_.held,
                     static_cast<unsigned long long>(t_.full + t_.resumed),
                     static_cast<unsigned long long>(t_.errors));
        next_progress += std::chrono::seconds(1);
      }
    }
    return report();
  }

 private:
  static const char* phase_timeout(Phase p) {
    switch (p) {
      case Phase::connecting: return "connect timed out";
      case Phase::handshaking: return "handshake timed out";
      case Phase::echoing: return "echo timed out (bytes missing)";
      case Phase::closing: return "close timed out (no close_notify from the server)";
      default: return "timed out";
    }
  }

  void error(std::string what) {
    ++t_.errors;
    if (t_.first_errors.size() < 5) t_.first_errors.push_back(std::move(what));
  }

  // release closes the slot's connection; the slot becomes idle.
  void release(Slot& s) {
    if (s.phase == Phase::connecting || s.phase == Phase::handshaking) --t_.in_flight;
    if (s.phase == Phase::ready || s.phase == Phase::echoing || s.phase == Phase::closing)
      --t_.held;
    if (s.fd >= 0) ::close(s.fd);
    s.fd = -1;
    s.tls.reset();
    if (s.phase != Phase::idle) idle_.push_back(s.index);
    s.phase = Phase::idle;
    s.want_out = false;
  }

  void fail(Slot& s, const std::string& what) {
    error("connection " + std::to_string(s.index) + ": " + what);
    release(s);
  }

  void open(Slot& s, SteadyClock::time_point deadline) {
    bool resume =
        o_.resume_percent > 0 && static_cast<int>(splitmix(s.rng) % 100) < o_.resume_percent;
    auto tls = Connection::client(resume ? resume_ : full_, {o_.servername, {}});
    int fd =
        tls.ok() ? ::socket(addr_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
    if (fd < 0) {
      idle_.insert(idle_.begin(), s.index);  // retried after the others
      return fail(
          s, tls.ok() ? std::string("socket: ") + std::strerror(errno) : tls.error().to_string());
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++t_.connects;
    ++t_.in_flight;
    s.fd = fd;
    s.tls = std::move(*tls);
    s.phase = Phase::connecting;
    s.rounds = 0;
    s.deadline = deadline;
    ++s.generation;
    int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr_), addr_len_);
    if (r != 0 && errno != EINPROGRESS)
      return fail(s, std::string("connect: ") + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    ev.data.u64 = (uint64_t{s.generation} << 32) | s.index;
    s.want_out = true;
    if (::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) != 0)
      return fail(s, std::string("epoll_ctl: ") + std::strerror(errno));
  }

  void start_round(Slot& s, SteadyClock::time_point deadline) {
    s.expect.resize(o_.size);
    for (size_t i = 0; i < s.expect.size(); i += 8) {
      uint64_t v = splitmix(s.rng);
      std::memcpy(s.expect.data() + i, &v, std::min<size_t>(8, s.expect.size() - i));
    }
    s.matched = 0;
    s.phase = Phase::echoing;
    s.deadline = deadline;
    auto w = s.tls->write(s.expect);
    if (!w.ok()) fail(s, "write: " + w.error().to_string());
  }

  void begin_close(Slot& s) {
    s.tls->close();
    s.phase = Phase::closing;
    s.deadline = SteadyClock::now() + milliseconds(static_cast<int64_t>(o_.timeout * 1000));
    flush(s);
  }

  // after_round decides what a connection does once an echo round is verified.
  void after_round(Slot& s, bool ending) {
    ++s.rounds;
    ++t_.rounds;
    s.phase = Phase::ready;
    s.next_round = SteadyClock::now() + milliseconds(o_.interval_ms);
    if (ending || (o_.requests > 0 && s.rounds >= o_.requests)) return begin_close(s);
    if (o_.requests > 0)
      start_round(s, SteadyClock::now() + milliseconds(static_cast<int64_t>(o_.timeout * 1000)));
  }

  void service(Slot& s, uint32_t events, bool ending, milliseconds timeout) {
    if (s.phase == Phase::connecting) {
      if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return fail(s, std::string("connect: ") + std::strerror(err));
      s.phase = Phase::handshaking;
    }
    bool eof = false;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      auto r = receive_available(s.fd, *s.tls, scratch_, 256 * 1024);
      if (!r.ok()) {
        // A reset after both close_notify were exchanged ends the connection too.
        if (s.phase == Phase::closing && s.tls->is_peer_closed()) return release(s);
        return fail(s, r.error().to_string());
      }
      eof = r->eof;
    }
    while (s.tls->poll_event()) {
    }
    if (s.phase == Phase::handshaking && s.tls->is_handshake_done()) {
      --t_.in_flight;
      ++(s.tls->summary().resumed ? t_.resumed : t_.full);
      t_.peak_held = std::max(t_.peak_held, ++t_.held);
      if (t_.held == slots_.size() && all_held_after_ == 0)
        all_held_after_ = std::chrono::duration<double>(SteadyClock::now() - start_).count();
      s.phase = Phase::ready;
      if (ending) {
        begin_close(s);
      } else if (o_.requests > 0) {
        start_round(s, SteadyClock::now() + timeout);
      } else {
        s.next_round = SteadyClock::now();  // the first round at once
      }
      if (s.fd < 0) return;
    }
    auto data = s.tls->app_data();
    if (!data.empty()) {
      if (s.phase != Phase::echoing || s.matched + data.size() > s.expect.size())
        return fail(s, "received " + std::to_string(data.size()) + " bytes nobody asked for");
      if (std::memcmp(data.data(), s.expect.data() + s.matched, data.size()) != 0)
        return fail(s, "echoed bytes differ from the bytes sent");
      s.matched += data.size();
      t_.bytes += data.size();
      s.tls->consume_app_data(data.size());
      if (s.matched == s.expect.size()) after_round(s, ending);
      if (s.fd < 0) return;
    }
    if (s.tls->is_peer_closed() || eof) {
      if (s.phase == Phase::closing) return release(s);
      return fail(s, s.tls->is_peer_closed() ? "server closed the connection"
                                             : "server closed the transport without close_notify");
    }
    if (s.tls->error()) return fail(s, s.tls->error()->to_string());
    flush(s);
  }

  void flush(Slot& s) {
    if (s.fd < 0) return;
    auto sent = send_pending(s.fd, *s.tls);
    if (!sent.ok()) return fail(s, sent.error().to_string());
    bool want_out = !*sent;
    if (want_out == s.want_out) return;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0u);
    ev.data.u64 = (uint64_t{s.generation} << 32) | s.index;
    ::epoll_ctl(ep_, EPOLL_CTL_MOD, s.fd, &ev);
    s.want_out = want_out;
  }

  int report() {
    uint64_t hs = t_.full + t_.resumed;
    double secs = load_seconds_ > 0 ? load_seconds_ : o_.duration;
    std::printf("target:            %s (loopback)\n", o_.target.c_str());
    if (o_.requests == 0) {
      std::printf("mode:              hold %zu connections, one %zu-byte echo each every %d ms\n",
                  o_.connections, o_.size, o_.interval_ms);
    } else {
      std::printf(
          "mode:              %zu connections, each %zu echoes of %zu bytes, then a new "
          "connection\n",
          o_.connections, o_.requests, o_.size);
    }
    std::printf("resumption:        %d%% of connections offer a ticket\n", o_.resume_percent);
    std::printf("duration:          %.1f s\n", secs);
    std::printf("connections held:  %zu (peak concurrent established)", t_.peak_held);
    if (all_held_after_ > 0) {
      std::printf(", all %zu after %.1f s (%.1f handshakes/s while ramping)", slots_.size(),
                  all_held_after_, static_cast<double>(slots_.size()) / all_held_after_);
    }
    std::printf("\n");
    std::printf("connections:       %llu opened\n", static_cast<unsigned long long>(t_.connects));
    std::printf("handshakes:        %llu (full %llu, resumed %llu), %.1f /s\n",
                static_cast<unsigned long long>(hs), static_cast<unsigned long long>(t_.full),
                static_cast<unsigned long long>(t_.resumed), hs / secs);
    std::printf("echo rounds:       %llu\n", static_cast<unsigned long long>(t_.rounds));
    std::printf("bytes verified:    %llu\n", static_cast<unsigned long long>(t_.bytes));
    std::printf("errors:            %llu\n", static_cast<unsigned long long>(t_.errors));
    for (const auto& e : t_.first_errors)
      std::fprintf(stderr, "tessera bench load: %s\n", e.c_str());
    if (t_.errors == 0 && hs == 0) {
      std::fprintf(stderr, "tessera bench load: no handshake completed\n");
      return 1;
    }
    return t_.errors == 0 ? 0 : 1;
  }

  const LoadOptions& o_;
  sockaddr_storage addr_;
  socklen_t addr_len_;
  std::shared_ptr<const ClientConfig> full_, resume_;
  std::vector<Slot> slots_;
  std::vector<uint8_t> scratch_;
  int ep_ = -1;
  Totals t_;
  std::vector<uint32_t> idle_;  // slots with no connection, opened from the back
  double load_seconds_ = 0;
  SteadyClock::time_point start_;
  double all_held_after_ = 0;  // seconds until every connection was established (0: never)
};

int usage(const std::string& msg) {
  std::fprintf(stderr, "tessera bench load: %s\n", msg.c_str());
  return 2;
}

int run_load(const LoadOptions& o) {
  // HOST:PORT or [IPv6]:PORT; the host must be a loopback address.
  std::string host, port;
  if (!o.target.empty() && o.target.front() == '[') {
    auto close = o.target.find("]:");
    if (close == std::string::npos) return usage("expected [ADDRESS]:PORT, got " + o.target);
    host = o.target.substr(1, close - 1);
    port = o.target.substr(close + 2);
  } else {
    auto colon = o.target.rfind(':');
    if (colon == std::string::npos) return usage("expected HOST:PORT, got " + o.target);
    host = o.target.substr(0, colon);
    port = o.target.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res)
    return usage("'" + o.target + "' is not a numeric ADDRESS:PORT (or localhost:PORT)");
  sockaddr_storage addr{};
  std::memcpy(&addr, res->ai_addr, res->ai_addrlen);
  auto addr_len = static_cast<socklen_t>(res->ai_addrlen);
  ::freeaddrinfo(res);
  if (!is_loopback_address(host))
    return usage("refusing " + host +
                 ": the load generator only targets loopback addresses (127.0.0.0/8, ::1)");
  if (o.connections == 0) return usage("--connections must be at least 1");

  auto limit = raise_open_file_limit();
  if (limit.ok() && *limit < o.connections + 64)
    return usage("--connections " + std::to_string(o.connections) +
                 " needs more descriptors than RLIMIT_NOFILE allows (" + std::to_string(*limit) +
                 ")");

  auto cfg = std::make_shared<ClientConfig>();
  if (!o.max_version.empty()) {
    auto v = parse_version(o.max_version);
    if (!v) return usage("unknown version '" + o.max_version + "'");
    cfg->policy.max_version = *v;
  }
  if (o.ca.empty()) {
    cfg->verify_peer = false;
  } else {
    auto pem = read_text_file(o.ca);
    if (!pem.ok()) return usage(pem.error().to_string());
    auto trust = load_trust_anchors(*pem);
    if (!trust.ok()) return usage(trust.error().to_string());
    cfg->trust = *trust;
  }
  auto store = std::make_shared<MemorySessionStore>(16, 64);
  auto resume = std::make_shared<ClientConfig>(*cfg);
  resume->session_store = store;
  cfg->session_store = std::make_shared<PutOnlyStore>(store);
  std::signal(SIGPIPE, SIG_IGN);
  LoadGenerator gen(o, addr, addr_len, cfg, resume);
  return gen.run();
}

}  // namespace

Runner add_bench_load(CLI::App& bench) {
  auto o = std::make_shared<LoadOptions>();
  CLI::App* app = bench.add_subcommand(
      "load", "Load an echo server (tessera server --echo) on loopback and check every byte");
  app->add_option("target", o->target, "HOST:PORT of the server (loopback only)")->required();
  app->add_option("--connections", o->connections, "Concurrent connections")->capture_default_str();
  app->add_option("--duration", o->duration, "Seconds of load")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  app->add_option("--resume", o->resume_percent,
                  "Percent of connections that offer a ticket from an earlier one")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  app->add_option("--requests", o->requests,
                  "Echo rounds per connection before it is replaced by a new one (0: hold "
                  "connections for the whole run)")
      ->capture_default_str();
  app->add_option("--size", o->size, "Bytes per echo round")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  app->add_option("--interval", o->interval_ms, "Milliseconds between rounds on a held connection")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600000));
  app->add_option("--ramp", o->ramp, "Connects and handshakes in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app->add_option("--timeout", o->timeout, "Seconds allowed for each connect, handshake and round")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  app->add_option("--ca", o->ca, "Verify the server with these trust anchors (default: no check)");
  app->add_option("--servername", o->servername, "SNI and name to verify")->capture_default_str();
  app->add_option("--max-version", o->max_version, "Highest TLS version to offer: 1.2 or 1.3");
  app->add_flag("--progress", o->progress, "Print held connections and handshakes every second");
  return [o] { return run_load(*o); };
}

}  // namespace tessera::cli
