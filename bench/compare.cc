// bench/compare.cc — tessera vs. OpenSSL libssl, in one process, interleaved
// (A/B/A/B...) with the same certificates (tests/vectors/pki) and the same
// settings: TLS 1.3 only, X25519, chain + host name ("localhost") verified by
// the client, no session tickets or cache, connection objects created and torn
// down per handshake (configs / SSL_CTX once). Bytes move in memory: tessera
// through pending_tls / receive_tls, OpenSSL through two shared memory BIOs.
// Times are this thread's CPU time (everything runs in one thread). Handshake
// batches are paired (one tessera batch and one OpenSSL batch back to back,
// alternating which goes first) and the t/o column is the median of the
// per-pair ratios, so load drifting on this shared machine hits both alike.
//
// Scenarios: full handshake with an ECDSA P-256 and an RSA-2048 server
// certificate, mTLS (ECDSA both sides), each also with the server side's own
// share of the time (server object creation + processing), bulk transfer
// (16 KiB writes, client to server) per AEAD next to the raw provider AEAD
// speed (on the AEAD backend in use, and for AES-GCM also on the other backend
// when it can run here: crypto/aead_backend.h), memory per established connection and peak during a
// handshake (global operator new / CRYPTO_set_mem_functions counting), and the crypto floor of each
// handshake scenario measured through the tessera provider.
//
// The resumed TLS 1.3 handshake (PSK + X25519, one ticket issued and redeemed
// per handshake) is its own scenario (--only resumed), as is the external-PSK
// handshake (PSK + X25519, no certificates, no tickets; --only psk).
//
// Usage: tessera_compare_bench [--quick] [--only handshake|resumed|psk|bulk|memory] [--growth N]
//                              [--bulk-mib N] [--pki DIR]
// (--growth: handshakes in the memory mode's no-growth check; 100000 by
// default, 2000 with --quick, 0 skips it. --bulk-mib: MiB per bulk batch, 64
// by default, 16 with --quick; a small value makes a callgrind run short).
// libssl is linked here (bench/) only; never in src/.

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/thread_clock.h"
#include "crypto/aead_backend.h"
#include "crypto/key_schedule.h"
#include "crypto/openssl/openssl_provider.h"
#include "crypto/provider.h"
#include "crypto/transcript.h"
#include "record/io_buffer.h"
#include "tessera/connection.h"
#include "tessera/signer.h"
#include "x509/trust_store.h"

// ---------------------------------------------------------------------------
// Allocation counting. Every block carries a 16-byte header holding its size,
// so frees can be subtracted. One set of counters for C++ new and for
// OpenSSL's CRYPTO_malloc (tessera's provider uses libcrypto too, so both
// implementations are charged for their libcrypto state the same way).

namespace {

struct AllocStats {
  int64_t current = 0;
  int64_t peak = 0;
  uint64_t count = 0;
  // Per side: [0] everything outside server_side() (the client, the
  // harness), [1] allocations made inside server_side(). A block is charged
  // to the side that allocated it, also when the other side frees it.
  int64_t side_current[2] = {0, 0};
  int64_t side_peak[2] = {0, 0};
};
AllocStats g_alloc;
size_t g_side = 0;              // 1 while in server_side()
constexpr size_t kHeader = 16;  // size, then the side, per block

inline void charge(size_t side, int64_t delta) {
  g_alloc.current += delta;
  g_alloc.side_current[side] += delta;
  if (g_alloc.current > g_alloc.peak) g_alloc.peak = g_alloc.current;
  if (g_alloc.side_current[side] > g_alloc.side_peak[side])
    g_alloc.side_peak[side] = g_alloc.side_current[side];
}

inline void* counted_malloc(size_t n) {
  auto* p = static_cast<unsigned char*>(std::malloc(n + kHeader));
  if (p == nullptr) return nullptr;
  std::memcpy(p, &n, sizeof n);
  std::memcpy(p + 8, &g_side, sizeof g_side);
  g_alloc.count++;
  charge(g_side, static_cast<int64_t>(n));
  return p + kHeader;
}

inline void counted_free(void* q) {
  if (q == nullptr) return;
  auto* p = static_cast<unsigned char*>(q) - kHeader;
  size_t n, side;
  std::memcpy(&n, p, sizeof n);
  std::memcpy(&side, p + 8, sizeof side);
  charge(side, -static_cast<int64_t>(n));
  std::free(p);
}

inline void* counted_realloc(void* q, size_t n) {
  if (q == nullptr) return counted_malloc(n);
  if (n == 0) {
    counted_free(q);
    return nullptr;
  }
  auto* p = static_cast<unsigned char*>(q) - kHeader;
  size_t old, side;
  std::memcpy(&old, p, sizeof old);
  std::memcpy(&side, p + 8, sizeof side);
  auto* np = static_cast<unsigned char*>(std::realloc(p, n + kHeader));
  if (np == nullptr) return nullptr;
  std::memcpy(np, &n, sizeof n);
  g_alloc.count++;
  charge(side, static_cast<int64_t>(n) - static_cast<int64_t>(old));
  return np + kHeader;
}

void* ossl_malloc(size_t n, const char*, int) { return counted_malloc(n); }
void* ossl_realloc(void* p, size_t n, const char*, int) { return counted_realloc(p, n); }
void ossl_free(void* p, const char*, int) { counted_free(p); }

}  // namespace

void* operator new(size_t n) {
  void* p = counted_malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return counted_malloc(n == 0 ? 1 : n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return counted_malloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, size_t) noexcept { counted_free(p); }
void operator delete[](void* p, size_t) noexcept { counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_free(p); }

namespace {

// Clock: thread CPU time (base/thread_clock.h); both sides run in this thread.
using Clock = tessera::ThreadCpuClock;
using tessera::ByteView;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "compare: %s\n", what.c_str());
  ERR_print_errors_fp(stderr);
  std::exit(1);
}

std::string g_pki = TESSERA_PKI_DIR;

std::string pki(const std::string& name) { return g_pki + "/" + name; }

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) die("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

template <typename F>
double time_s(F&& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// g_server_s accumulates the time spent in server-side calls only (creating
// the server connection object and processing what the client sent), for the
// "server side only" rows; both implementations run in one thread, so this is
// the server's share of the pair's time (wall time of short intervals: see
// SideClock).
double g_server_s = 0;

// SideClock times server_side's calls. Not Clock: CLOCK_THREAD_CPUTIME_ID is
// a system call (~1.4 us each on the VM of 2026-11-27, against ~30 ns for the
// monotonic clock through the vDSO), and server_side runs several times inside
// every handshake, inside the timed batches: with the CPU clock, each pair's
// time carried ~10-20 us of clock reads (the crypto floor none), which
// understated tessera's lead and overstated its ratio to the floor. The
// intervals timed here are microseconds long, so wall time is the CPU time
// but for the rare preemption, which the medians absorb.
using SideClock = std::chrono::steady_clock;

template <typename F>
auto server_side(F&& f) {
  auto t0 = SideClock::now();
  g_side = 1;
  auto r = f();
  g_side = 0;
  g_server_s += std::chrono::duration<double>(SideClock::now() - t0).count();
  return r;
}

// ---------------------------------------------------------------------------
// tessera side

tessera::Policy tls13_policy(tessera::CipherSuite suite) {
  tessera::Policy p = tessera::Policy::default_policy();
  p.min_version = tessera::ProtocolVersion::tls13;
  p.max_version = tessera::ProtocolVersion::tls13;
  p.cipher_suites = {suite};
  p.groups = {tessera::NamedGroup::x25519};
  p.key_share_groups = {tessera::NamedGroup::x25519};
  return p;
}

std::shared_ptr<const tessera::Credential> t_credential(const std::string& base) {
  auto c =
      tessera::Credential::from_pem(*tessera::crypto::default_provider(),
                                    read_file(pki(base + ".pem")), read_file(pki(base + ".key")));
  if (!c.ok()) die("tessera credential " + base + ": " + c.error().to_string());
  return std::make_shared<tessera::Credential>(std::move(*c));
}

// FileSigner: a key in memory behind a KeySigner (tessera/signer.h), so
// every signature is verified before it is sent; asynchronous, the
// handshake pauses and TPair::move signs as soon as it asks: the two rows
// differ by what the pause and the resumption cost.
class FileSigner final : public tessera::KeySigner {
 public:
  FileSigner(std::shared_ptr<const tessera::crypto::PrivateKey> key, bool async)
      : key_(std::move(key)), async_(async) {}
  std::vector<tessera::SignatureScheme> schemes() const override {
    return {tessera::SignatureScheme::ecdsa_secp256r1_sha256};
  }
  bool asynchronous() const override { return async_; }
  tessera::Result<std::vector<uint8_t>> sign(tessera::SignatureScheme scheme,
                                             std::span<const uint8_t> message) const override {
    return key_->sign(scheme, message);
  }

 private:
  std::shared_ptr<const tessera::crypto::PrivateKey> key_;
  bool async_;
};

std::shared_ptr<const tessera::Credential> t_signer_credential(const std::string& base,
                                                               bool async) {
  auto c = tessera::Credential::from_signer(
      read_file(pki(base + ".pem")), std::make_shared<FileSigner>(t_credential(base)->key, async));
  if (!c.ok()) die("tessera credential " + base + " (signer): " + c.error().to_string());
  return std::make_shared<tessera::Credential>(std::move(*c));
}

std::shared_ptr<const tessera::x509::TrustStore> t_trust() {
  auto t = std::make_shared<tessera::x509::TrustStore>();
  auto r = t->add_file(pki("ca.pem"));
  if (!r.ok()) die("tessera trust: " + r.error().to_string());
  return t;
}

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

struct TConfigs {
  std::shared_ptr<tessera::ClientConfig> client;
  std::shared_ptr<tessera::ServerConfig> server;
  // Set: the client offers Encrypted Client Hello with this ECHConfigList,
  // and every handshake must have been accepted with it.
  std::vector<uint8_t> ech_config_list;
};

// TLS 1.2 scenarios: one suite; compat allows RSA key transport. P-256 is
// listed too because in TLS 1.2 supported_groups also limits the curve of the
// server's ECDSA certificate (RFC 8422 5.1); X25519 stays preferred.
tessera::Policy tls12_policy(tessera::CipherSuite suite) {
  tessera::Policy p = tessera::Policy::compat();
  p.min_version = p.max_version = tessera::ProtocolVersion::tls12;
  p.cipher_suites = {suite};
  p.groups = {tessera::NamedGroup::x25519, tessera::NamedGroup::secp256r1};
  return p;
}

TConfigs t_configs(const std::string& server_cred, bool mtls,
                   tessera::CipherSuite suite = tessera::CipherSuite::TLS_AES_128_GCM_SHA256,
                   std::optional<tessera::CipherSuite> tls12_suite = std::nullopt) {
  TConfigs c;
  auto trust = t_trust();
  c.client = std::make_shared<tessera::ClientConfig>();
  c.client->policy = tls12_suite ? tls12_policy(*tls12_suite) : tls13_policy(suite);
  c.client->trust = trust;
  c.client->clock = now_seconds;
  c.server = std::make_shared<tessera::ServerConfig>();
  c.server->policy = tls12_suite ? tls12_policy(*tls12_suite) : tls13_policy(suite);
  c.server->credentials = {t_credential(server_cred)};
  c.server->clock = now_seconds;
  c.server->tickets = 0;  // no session cache unless measured (OpenSSL: SSL_OP_NO_TICKET)
  if (mtls) {
    c.client->credential = t_credential("client-ec");
    c.server->client_auth = tessera::ClientAuth::required;
    c.server->client_trust = trust;
  }
  return c;
}

struct TPair {
  std::unique_ptr<tessera::Connection> client;
  std::unique_ptr<tessera::Connection> server;

  // move hands `from`'s pending bytes to `to` without an intermediate copy.
  static bool move(tessera::Connection& from, tessera::Connection& to) {
    auto b = from.pending_tls();
    if (b.empty()) return false;
    size_t n = b.size();
    (void)to.receive_tls(b);
    from.consume_tls(n);
    // A signature an asynchronous KeySigner owes the handshake is made at once.
    (void)to.sign_inline();
    return true;
  }
  bool pump() {
    for (int i = 0; i < 64; ++i) {
      // client -> server is the server's work (receive_tls runs its state machine).
      bool moved = server_side([&] { return move(*client, *server); });
      moved = move(*server, *client) || moved;
      if (!moved) break;
    }
    return !client->error() && !server->error();
  }
};

TPair t_new_pair(const TConfigs& c) {
  auto cl = tessera::Connection::client(c.client, {"localhost", {}, c.ech_config_list});
  if (!cl.ok()) die("tessera client: " + cl.error().to_string());
  auto sv = server_side([&] { return tessera::Connection::server(c.server); });
  if (!sv.ok()) die("tessera server: " + sv.error().to_string());
  return TPair{std::move(*cl), std::move(*sv)};
}

void t_handshake_checked(TPair& p, bool mtls) {
  if (!p.pump() || !p.client->is_handshake_done() || !p.server->is_handshake_done()) {
    std::string e = p.client->error()   ? p.client->error()->to_string()
                    : p.server->error() ? p.server->error()->to_string()
                                        : "not done";
    die("tessera handshake failed: " + e);
  }
  if (mtls && !p.server->summary().client_authenticated)
    die("tessera mTLS: client not authenticated");
}

void t_handshakes(const TConfigs& c, int n, bool mtls) {
  for (int i = 0; i < n; ++i) {
    TPair p = t_new_pair(c);
    t_handshake_checked(p, mtls);
    if (!c.ech_config_list.empty() && (p.client->summary().ech != tessera::EchStatus::accepted ||
                                       p.server->summary().ech != tessera::EchStatus::accepted))
      die("tessera handshake did not accept ECH");
    if (c.client->ech_grease && p.client->summary().ech != tessera::EchStatus::grease)
      die("tessera handshake did not send GREASE ECH");
  }
}

// ---------------------------------------------------------------------------
// OpenSSL side

struct OConfigs {
  SSL_CTX* client = nullptr;
  SSL_CTX* server = nullptr;
  ~OConfigs() {
    SSL_CTX_free(client);
    SSL_CTX_free(server);
  }
};

void o_common(SSL_CTX* ctx, const char* suite) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  if (SSL_CTX_set_ciphersuites(ctx, suite) != 1) die("SSL_CTX_set_ciphersuites");
  if (SSL_CTX_set1_groups_list(ctx, "X25519") != 1) die("SSL_CTX_set1_groups_list");
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  // Send exactly the chain in the PEM file, as tessera does: without this,
  // OpenSSL rebuilds (and verifies) the local chain from the verify store on
  // every handshake and appends the CA certificate when the store holds it.
  SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
}

std::unique_ptr<OConfigs> o_configs(const std::string& server_cred, bool mtls,
                                    const char* suite = "TLS_AES_128_GCM_SHA256",
                                    const char* tls12_cipher = nullptr) {
  auto c = std::make_unique<OConfigs>();
  c->client = SSL_CTX_new(TLS_client_method());
  c->server = SSL_CTX_new(TLS_server_method());
  if (!c->client || !c->server) die("SSL_CTX_new");
  o_common(c->client, suite);
  o_common(c->server, suite);
  SSL_CTX_set_num_tickets(c->server, 0);
  if (tls12_cipher) {
    for (SSL_CTX* ctx : {c->client, c->server}) {
      SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
      SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
      if (SSL_CTX_set_cipher_list(ctx, tls12_cipher) != 1) die("SSL_CTX_set_cipher_list");
      if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256") != 1) die("SSL_CTX_set1_groups_list");
    }
  }
  if (SSL_CTX_load_verify_locations(c->client, pki("ca.pem").c_str(), nullptr) != 1)
    die("client load_verify_locations");
  SSL_CTX_set_verify(c->client, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_use_certificate_chain_file(c->server, pki(server_cred + ".pem").c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(c->server, pki(server_cred + ".key").c_str(), SSL_FILETYPE_PEM) !=
          1)
    die("server certificate/key");
  if (mtls) {
    if (SSL_CTX_use_certificate_chain_file(c->client, pki("client-ec.pem").c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(c->client, pki("client-ec.key").c_str(), SSL_FILETYPE_PEM) != 1)
      die("client certificate/key");
    if (SSL_CTX_load_verify_locations(c->server, pki("ca.pem").c_str(), nullptr) != 1)
      die("server load_verify_locations");
    SSL_CTX_set_verify(c->server, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return c;
}

struct OPair {
  SSL* client = nullptr;
  SSL* server = nullptr;
  OPair() = default;
  OPair(const OPair&) = delete;
  OPair& operator=(const OPair&) = delete;
  ~OPair() {
    SSL_free(client);
    SSL_free(server);
  }
  void free_client() {
    SSL_free(client);
    client = nullptr;
  }
};

BIO* o_mem_bio() {
  BIO* b = BIO_new(BIO_s_mem());
  if (!b) die("BIO_new");
  BIO_set_mem_eof_return(b, -1);  // empty means "retry", not EOF
  return b;
}

void o_new_pair(const OConfigs& c, OPair& p) {
  p.client = SSL_new(c.client);
  p.server = server_side([&] { return SSL_new(c.server); });
  if (!p.client || !p.server) die("SSL_new");
  BIO* c2s = o_mem_bio();
  BIO* s2c = o_mem_bio();
  // Each BIO is shared by both SSLs (one reads, one writes): two references.
  BIO_up_ref(c2s);
  BIO_up_ref(s2c);
  SSL_set_bio(p.client, s2c, c2s);
  SSL_set_bio(p.server, c2s, s2c);
  SSL_set_tlsext_host_name(p.client, "localhost");
  if (SSL_set1_host(p.client, "localhost") != 1) die("SSL_set1_host");
  SSL_set_connect_state(p.client);
  SSL_set_accept_state(p.server);
}

void o_handshake_checked(OPair& p, bool mtls) {
  bool cd = false, sd = false;
  for (int i = 0; i < 64 && !(cd && sd); ++i) {
    if (!cd) {
      int r = SSL_do_handshake(p.client);
      if (r == 1) {
        cd = true;
      } else if (SSL_get_error(p.client, r) != SSL_ERROR_WANT_READ) {
        die("OpenSSL client handshake");
      }
    }
    if (!sd) {
      int r = server_side([&] { return SSL_do_handshake(p.server); });
      if (r == 1) {
        sd = true;
      } else if (SSL_get_error(p.server, r) != SSL_ERROR_WANT_READ) {
        die("OpenSSL server handshake");
      }
    }
  }
  if (!cd || !sd) die("OpenSSL handshake did not finish");
  if (SSL_get_verify_result(p.client) != X509_V_OK) die("OpenSSL client verify");
  if (mtls) {
    X509* peer = SSL_get1_peer_certificate(p.server);
    if (!peer || SSL_get_verify_result(p.server) != X509_V_OK) die("OpenSSL mTLS verify");
    X509_free(peer);
  }
}

void o_handshakes(const OConfigs& c, int n, bool mtls) {
  for (int i = 0; i < n; ++i) {
    OPair p;
    o_new_pair(c, p);
    o_handshake_checked(p, mtls);
  }
}

// ---------------------------------------------------------------------------
// Reporting

struct Row {
  std::string name;
  double t = 0, o = 0;  // tessera, OpenSSL medians
  std::string unit;
  bool higher_better = false;
  std::string note;
  double ratio = -1;  // median of paired per-rep ratios; < 0: t / o
};

std::vector<Row> g_rows;

std::string fmt(double v, const std::string& unit) {
  char buf[64];
  if (unit == "us")
    std::snprintf(buf, sizeof buf, "%.1f us", v);
  else if (unit == "MB/s")
    std::snprintf(buf, sizeof buf, "%.0f MB/s", v);
  else if (unit == "allocs")
    std::snprintf(buf, sizeof buf, "%.2f", v);
  else if (unit == "KiB")
    std::snprintf(buf, sizeof buf, "%.1f KiB", v);
  else
    std::snprintf(buf, sizeof buf, "%.3g %s", v, unit.c_str());
  return buf;
}

void print_table() {
  size_t w0 = 9, w1 = 8, w2 = 8;
  std::vector<std::array<std::string, 4>> cells;
  for (auto& r : g_rows) {
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.2f", r.ratio >= 0 ? r.ratio : r.o != 0 ? r.t / r.o : 0.0);
    cells.push_back({r.name, fmt(r.t, r.unit), r.o != 0 || r.unit == "KiB" ? fmt(r.o, r.unit) : "-",
                     r.o != 0 && r.unit != "allocs" ? ratio : "-"});
    w0 = std::max(w0, r.name.size());
    w1 = std::max(w1, cells.back()[1].size());
    w2 = std::max(w2, cells.back()[2].size());
  }
  std::printf("\n| %-*s | %*s | %*s | %-7s | %s\n", int(w0), "scenario", int(w1), "tessera",
              int(w2), "OpenSSL", "t/o", "better");
  std::printf("|%s|%s:|%s:|%s:|---\n", std::string(w0 + 2, '-').c_str(),
              std::string(w1 + 1, '-').c_str(), std::string(w2 + 1, '-').c_str(),
              std::string(8, '-').c_str());
  for (size_t i = 0; i < cells.size(); ++i) {
    auto& r = g_rows[i];
    std::printf("| %-*s | %*s | %*s | %-7s | %s%s%s\n", int(w0), cells[i][0].c_str(), int(w1),
                cells[i][1].c_str(), int(w2), cells[i][2].c_str(), cells[i][3].c_str(),
                r.higher_better ? "higher" : "lower", r.note.empty() ? "" : "; ", r.note.c_str());
  }
}

// ---------------------------------------------------------------------------
// Scenarios

struct Settings {
  int reps = 7;             // bulk and crypto floor
  int handshake_reps = 15;  // paired handshake batches
  int handshakes = 100;
  std::string only;  // empty: all scenarios; else handshake, bulk, memory, floor
  size_t bulk_bytes = 64u << 20;
  int growth_handshakes = 100000;  // memory mode: handshakes in the growth check (0: skip)
};

// Paired handshake timing: each rep times one tessera batch and one OpenSSL
// batch back to back, alternating which goes first, so both see the same
// state of this shared machine; the ratio is the median of the per-rep
// ratios (steadier than a ratio of medians when the load drifts).
// With a floor batch (the crypto floor's operations for one handshake, run as
// many times), each rep also times it between the two, for per-rep
// tessera/floor and OpenSSL/floor ratios.
struct PairedTimes {
  std::vector<double> t, o, ts, os;  // per handshake: pair, pair, server side, server side
  std::vector<double> r, rs;         // per-rep ratios t/o (pair, server side)
  std::vector<double> f, rf, of;     // floor per handshake; per-rep t/floor and o/floor
};

template <class TBatch, class OBatch>
PairedTimes paired_reps(const Settings& s, TBatch&& t_batch, OBatch&& o_batch,
                        const std::function<void(int)>& floor_batch = {}) {
  PairedTimes p;
  for (int rep = 0; rep < s.handshake_reps; ++rep) {
    double t = 0, ts = 0, o = 0, os = 0, f = 0;
    auto run_f = [&] {
      if (floor_batch) f = time_s([&] { floor_batch(s.handshakes); }) * 1e6 / s.handshakes;
    };
    auto run_t = [&] {
      g_server_s = 0;
      t = time_s([&] { t_batch(s.handshakes); }) * 1e6 / s.handshakes;
      ts = g_server_s * 1e6 / s.handshakes;
    };
    auto run_o = [&] {
      g_server_s = 0;
      o = time_s([&] { o_batch(s.handshakes); }) * 1e6 / s.handshakes;
      os = g_server_s * 1e6 / s.handshakes;
    };
    if (rep % 2 == 0) {
      run_t();
      run_f();
      run_o();
    } else {
      run_o();
      run_f();
      run_t();
    }
    if (floor_batch) {
      p.f.push_back(f);
      p.rf.push_back(t / f);
      p.of.push_back(o / f);
    }
    p.t.push_back(t);
    p.o.push_back(o);
    p.ts.push_back(ts);
    p.os.push_back(os);
    p.r.push_back(t / o);
    p.rs.push_back(ts / os);
  }
  return p;
}

void push_paired_rows(const std::string& name, const PairedTimes& p, const std::string& note) {
  g_rows.push_back({name, median(p.t), median(p.o), "us", false, note, median(p.r)});
  g_rows.push_back({"  server side only, " + name, median(p.ts), median(p.os), "us", false,
                    "object creation + processing the client's flights", median(p.rs)});
  std::fprintf(stderr, "  %s: tessera %.1f us, OpenSSL %.1f us, paired ratio %.2f\n", name.c_str(),
               median(p.t), median(p.o), median(p.r));
}

// sanity checks, once per handshake scenario, that both implementations do the
// same work: a wrong host name must fail on both, and the negotiated
// parameters are printed side by side.
void sanity(const TConfigs& tc, const OConfigs& oc, const std::string& name) {
  {
    auto cl = tessera::Connection::client(tc.client, {"wrong.example", {}});
    auto sv = tessera::Connection::server(tc.server);
    if (!cl.ok() || !sv.ok()) die("tessera sanity: create");
    TPair p{std::move(*cl), std::move(*sv)};
    if (p.pump() && p.client->is_handshake_done()) die("tessera accepted a wrong host name");
  }
  {
    OPair p;
    o_new_pair(oc, p);
    if (SSL_set1_host(p.client, "wrong.example") != 1) die("SSL_set1_host");
    bool ok = true;
    for (int i = 0; i < 16 && ok; ++i) {
      int r = SSL_do_handshake(p.client);
      if (r <= 0 && SSL_get_error(p.client, r) != SSL_ERROR_WANT_READ) ok = false;
      if (r == 1) break;
      r = SSL_do_handshake(p.server);
      if (r <= 0 && SSL_get_error(p.server, r) != SSL_ERROR_WANT_READ) ok = false;
    }
    if (ok) die("OpenSSL accepted a wrong host name");
    ERR_clear_error();
  }
  TPair tp = t_new_pair(tc);
  t_handshake_checked(tp, false);
  OPair op;
  o_new_pair(oc, op);
  o_handshake_checked(op, false);
  int nid = 0;
  SSL_get_peer_signature_type_nid(op.client, &nid);
  int hnid = 0;
  SSL_get_peer_signature_nid(op.client, &hnid);
  std::printf("# %s: tessera %s %s %s | OpenSSL %s group %d sig %s/%s\n", name.c_str(),
              tessera::cipher_suite_name(tp.client->summary().cipher_suite).c_str(),
              tessera::group_name(tp.client->summary().group).c_str(),
              tessera::signature_scheme_name(tp.client->summary().signature_scheme).c_str(),
              SSL_CIPHER_get_name(SSL_get_current_cipher(op.client)),
              int(SSL_get_negotiated_group(op.client)), OBJ_nid2sn(nid), OBJ_nid2sn(hnid));
  std::fflush(stdout);
}

// The crypto floor's operation counts for one handshake pair (see the
// "Crypto floor" section below).
struct FloorCounts {
  std::string name;
  int sign_ec = 0, sign_rsa = 0, verify_ec = 0, verify_rsa = 0;
};
void floor_batch(const FloorCounts& c, int n);

struct FloorScenario {
  FloorCounts counts;
  double t = 0, o = 0, f = 0;  // medians (us per handshake pair)
  double tf = 0, of = 0;       // medians of the per-rep ratios to the floor
};
std::vector<FloorScenario> g_floor_scenarios;

void bench_handshake(const Settings& s, const std::string& name, const std::string& cred, bool mtls,
                     std::optional<tessera::CipherSuite> tls12_suite = std::nullopt,
                     const char* o_tls12_cipher = nullptr,
                     std::optional<FloorCounts> floor = std::nullopt,
                     const std::function<void(TConfigs&)>& tweak = {}) {
  TConfigs tc = t_configs(cred, mtls, tessera::CipherSuite::TLS_AES_128_GCM_SHA256, tls12_suite);
  if (tweak) tweak(tc);
  auto oc = o_configs(cred, mtls, "TLS_AES_128_GCM_SHA256", o_tls12_cipher);
  sanity(tc, *oc, name);
  // Warm-up (lazy initialisation, caches) outside the timed batches.
  t_handshakes(tc, 3, mtls);
  o_handshakes(*oc, 3, mtls);
  std::function<void(int)> fb;
  if (floor) fb = [&](int n) { floor_batch(*floor, n); };
  PairedTimes p = paired_reps(
      s, [&](int n) { t_handshakes(tc, n, mtls); }, [&](int n) { o_handshakes(*oc, n, mtls); }, fb);
  push_paired_rows(name, p, "");
  if (floor) {
    g_floor_scenarios.push_back(
        {*floor, median(p.t), median(p.o), median(p.f), median(p.rf), median(p.of)});
  }
}

// Resumed TLS 1.3 handshakes (PSK with X25519, ECDSA server): each pair
// resumes the session whose ticket the previous pair left, one ticket per
// handshake on both sides, so the chain is steady and every handshake issues,
// receives and redeems one ticket. OpenSSL's client reads after the handshake
// to take in the NewSessionTicket, and is marked shut down before it is
// freed (else OpenSSL marks the session not resumable); every resumed pair
// is checked to have resumed on both sides.
void bench_resumed(const Settings& s) {
  const std::string name = "resumed handshake (PSK + X25519), TLS 1.3";
  TConfigs tc = t_configs("server-ec", false);
  tc.server->tickets = 1;
  tc.server->ticket_keys =
      std::make_shared<tessera::RotatingTicketKeys>(tessera::crypto::default_provider());
  tc.client->session_store = std::make_shared<tessera::MemorySessionStore>();
  auto t_resumed = [&](int n) {
    for (int i = 0; i < n; ++i) {
      TPair p = t_new_pair(tc);
      t_handshake_checked(p, false);
      if (!p.client->summary().resumed || !p.server->summary().resumed)
        die("tessera resumed handshake did not resume");
    }
  };
  auto oc = o_configs("server-ec", false);
  SSL_CTX_clear_options(oc->client, SSL_OP_NO_TICKET);
  SSL_CTX_clear_options(oc->server, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(oc->server, 1);
  SSL_SESSION* sess = nullptr;
  auto o_one = [&](bool must_resume) {
    OPair p;
    o_new_pair(*oc, p);
    if (sess && SSL_set_session(p.client, sess) != 1) die("SSL_set_session");
    o_handshake_checked(p, false);
    unsigned char b;
    int r = SSL_read(p.client, &b, 1);
    if (r > 0 || SSL_get_error(p.client, r) != SSL_ERROR_WANT_READ)
      die("OpenSSL client: reading the NewSessionTicket");
    if (must_resume && (!SSL_session_reused(p.client) || !SSL_session_reused(p.server)))
      die("OpenSSL resumed handshake did not resume");
    SSL_SESSION_free(sess);
    sess = SSL_get1_session(p.client);
    if (!sess || !SSL_SESSION_is_resumable(sess)) die("OpenSSL session is not resumable");
    // Freeing an SSL that did not shut down marks its session bad (not
    // resumable); a real client closes properly, which this stands for.
    SSL_set_shutdown(p.client, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  };
  // Prime both (a full handshake leaves the first ticket), then warm up.
  {
    TPair p = t_new_pair(tc);
    t_handshake_checked(p, false);
  }
  o_one(false);
  t_resumed(3);
  for (int i = 0; i < 3; ++i) o_one(true);
  PairedTimes p = paired_reps(s, t_resumed, [&](int n) {
    for (int i = 0; i < n; ++i) o_one(true);
  });
  SSL_SESSION_free(sess);
  push_paired_rows(name, p, "each issues, receives and redeems one ticket");
}

// External-PSK TLS 1.3 handshakes (RFC 8446 4.2.11; psk_dhe_ke with X25519,
// no certificates either way, no tickets): tessera's ExternalPsk on both
// sides; OpenSSL through its PSK session callbacks, which build an
// SSL_SESSION holding the key per handshake as `openssl s_server -psk` and
// s_client do. Every pair is checked to have used the PSK on both sides.
constexpr unsigned char kPskIdentity[] = "bench-device";
constexpr unsigned char kPskTls13Aes128Gcm[2] = {0x13, 0x01};

std::vector<uint8_t> bench_psk_key() { return std::vector<uint8_t>(32, 0x42); }

SSL_SESSION* o_psk_session(SSL* ssl) {
  const SSL_CIPHER* cipher = SSL_CIPHER_find(ssl, kPskTls13Aes128Gcm);
  SSL_SESSION* sess = SSL_SESSION_new();
  const std::vector<uint8_t> key = bench_psk_key();
  if (!cipher || !sess || SSL_SESSION_set1_master_key(sess, key.data(), key.size()) != 1 ||
      SSL_SESSION_set_cipher(sess, cipher) != 1 ||
      SSL_SESSION_set_protocol_version(sess, TLS1_3_VERSION) != 1)
    die("OpenSSL PSK session");
  return sess;
}

int o_psk_use(SSL* ssl, const EVP_MD*, const unsigned char** id, size_t* idlen,
              SSL_SESSION** sess) {
  *sess = o_psk_session(ssl);
  *id = kPskIdentity;
  *idlen = sizeof kPskIdentity - 1;
  return 1;
}

int o_psk_find(SSL* ssl, const unsigned char* id, size_t idlen, SSL_SESSION** sess) {
  const bool ours = idlen == sizeof kPskIdentity - 1 && std::equal(id, id + idlen, kPskIdentity);
  *sess = ours ? o_psk_session(ssl) : nullptr;
  return 1;
}

void bench_external_psk(const Settings& s) {
  const std::string name = "external PSK handshake (PSK + X25519), TLS 1.3";
  TConfigs tc = t_configs("server-ec", false);
  auto psk = tessera::ExternalPsk::make(
      std::string(reinterpret_cast<const char*>(kPskIdentity), sizeof kPskIdentity - 1),
      bench_psk_key());
  if (!psk.ok()) die("ExternalPsk: " + psk.error().to_string());
  auto shared = std::make_shared<const tessera::ExternalPsk>(std::move(*psk));
  tc.client->external_psk = shared;
  tc.server->external_psks = {shared};
  auto t_psk = [&](int n) {
    for (int i = 0; i < n; ++i) {
      TPair p = t_new_pair(tc);
      t_handshake_checked(p, false);
      if (p.client->summary().psk_identity.empty() || p.server->summary().psk_identity.empty() ||
          !p.client->summary().peer_chain.empty())
        die("tessera external PSK handshake did not use the PSK");
    }
  };
  auto oc = o_configs("server-ec", false);
  SSL_CTX_set_psk_use_session_callback(oc->client, o_psk_use);
  SSL_CTX_set_psk_find_session_callback(oc->server, o_psk_find);
  auto o_psk = [&](int n) {
    for (int i = 0; i < n; ++i) {
      OPair p;
      o_new_pair(*oc, p);
      o_handshake_checked(p, false);
      if (!SSL_session_reused(p.client) || !SSL_session_reused(p.server) ||
          SSL_get0_peer_certificate(p.client) != nullptr)
        die("OpenSSL external PSK handshake did not use the PSK");
    }
  };
  t_psk(3);
  o_psk(3);
  PairedTimes p = paired_reps(s, t_psk, o_psk);
  push_paired_rows(name, p, "no certificates, no tickets");
}

constexpr size_t kChunk = 16384;

void t_bulk(TPair& p, const std::vector<uint8_t>& chunk, size_t total) {
  for (size_t done = 0; done < total; done += kChunk) {
    if (!p.client->write(chunk).ok()) die("tessera write");
    TPair::move(*p.client, *p.server);
    auto a = p.server->app_data();
    if (a.size() != kChunk) die("tessera bulk: short read");
    p.server->consume_app_data(a.size());
  }
}

void o_bulk(OPair& p, const std::vector<uint8_t>& chunk, std::vector<uint8_t>& rbuf, size_t total) {
  for (size_t done = 0; done < total; done += kChunk) {
    if (SSL_write(p.client, chunk.data(), int(kChunk)) != int(kChunk)) die("SSL_write");
    size_t got = 0;
    while (got < kChunk) {
      int r = SSL_read(p.server, rbuf.data(), int(rbuf.size()));
      if (r <= 0) die("SSL_read");
      got += size_t(r);
    }
  }
}

// same_key_pair is two AEADs of `alg` under one key: a sealing and an
// opening side.
std::pair<std::unique_ptr<tessera::crypto::Aead>, std::unique_ptr<tessera::crypto::Aead>>
same_key_pair(tessera::crypto::Provider& prov, tessera::AeadAlgorithm alg) {
  std::vector<uint8_t> key(tessera::aead_key_length(alg), 0x42);
  auto a = prov.aead(alg, key);
  auto b = prov.aead(alg, key);
  if (!a.ok() || !b.ok()) die("provider aead");
  return {std::move(*a), std::move(*b)};
}

double raw_aead(tessera::crypto::Provider& prov, tessera::AeadAlgorithm alg, size_t total,
                bool with_open) {
  auto [a, b] = same_key_pair(prov, alg);
  std::vector<uint8_t> data(kChunk, 0x5a), tag(16), nonce(12, 1), aad(5, 0x17);
  double t = time_s([&] {
    for (size_t done = 0; done < total; done += kChunk) {
      nonce[11]++;
      if (!a->seal(nonce, aad, data, tag).ok()) die("seal");
      if (with_open && !b->open(nonce, aad, data, tag).ok()) die("open");
    }
  });
  return double(total) / t / 1e6;
}

// record_shaped_aead is the AEAD work of a TLS 1.3 record of 16 KiB in the
// form the record layer must do it, timed alone: the content and its content
// type byte sealed out of place into the record buffer (16385 bytes, in two
// parts), then opened out of place into the receive buffer. Against
// raw_aead's in-place 16384 bytes it shows what the record format itself
// costs; against the record path, what the rest of the record layer costs
// (the content-type scan, framing, sequence numbers, buffers). MB/s of
// content.
double record_shaped_aead(tessera::crypto::Provider& prov, tessera::AeadAlgorithm alg,
                          size_t total) {
  auto [a, b] = same_key_pair(prov, alg);
  std::vector<uint8_t> data(kChunk, 0x5a), wire(kChunk + 1), back(kChunk + 1), tag(16),
      nonce(12, 1), aad(5, 0x17);
  const uint8_t type = 23;
  double t = time_s([&] {
    for (size_t done = 0; done < total; done += kChunk) {
      nonce[11]++;
      if (!a->seal_from(nonce, aad, data, ByteView(&type, 1), wire, tag).ok()) die("seal");
      if (!b->open_from(nonce, aad, wire, tag, back).ok()) die("open");
    }
  });
  return double(total) / t / 1e6;
}

void bench_bulk(const Settings& s) {
  struct Alg {
    const char* label;
    tessera::CipherSuite suite;
    const char* ossl;
    tessera::AeadAlgorithm aead;
  };
  const Alg algs[] = {
      {"AES-128-GCM", tessera::CipherSuite::TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256",
       tessera::AeadAlgorithm::aes_128_gcm},
      {"AES-256-GCM", tessera::CipherSuite::TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384",
       tessera::AeadAlgorithm::aes_256_gcm},
      {"ChaCha20-Poly1305", tessera::CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
       "TLS_CHACHA20_POLY1305_SHA256", tessera::AeadAlgorithm::chacha20_poly1305},
  };
  std::vector<uint8_t> chunk(kChunk, 0xa5), rbuf(kChunk);
  const tessera::crypto::AeadBackend in_use = tessera::crypto::default_aead_backend().backend;
  for (const auto& alg : algs) {
    // The tessera side runs on the AEAD backend in use and, when the other
    // backend can run this AEAD here, on that one too (e.g. ipsec-mb forced
    // on a CPU where the automatic choice is libcrypto), each against the
    // same OpenSSL libssl pair.
    std::vector<tessera::crypto::AeadBackend> backends = {in_use};
    for (auto b : {tessera::crypto::AeadBackend::libcrypto, tessera::crypto::AeadBackend::ipsec_mb})
      if (b != in_use && tessera::crypto::aead_backend_supports(b, alg.aead) &&
          tessera::crypto::aead_backend_supports(in_use, alg.aead))
        backends.push_back(b);
    for (auto backend : backends) {
      auto provider = std::make_shared<tessera::crypto::OpenSslProvider>(backend);
      const std::string impl = provider->aead_implementation(alg.aead);
      const std::string label =
          std::string(alg.label) + ", tessera on " + impl + (backend == in_use ? "" : " (forced)");
      TConfigs tc = t_configs("server-ec", false, alg.suite);
      tc.client->provider = tc.server->provider = provider;
      auto oc = o_configs("server-ec", false, alg.ossl);
      TPair tp = t_new_pair(tc);
      t_handshake_checked(tp, false);
      if (tp.client->summary().cipher_suite != uint16_t(alg.suite)) die("tessera suite mismatch");
      OPair op;
      o_new_pair(*oc, op);
      o_handshake_checked(op, false);
      if (std::string(SSL_CIPHER_get_name(SSL_get_current_cipher(op.client))) != alg.ossl)
        die("OpenSSL suite mismatch");
      t_bulk(tp, chunk, 1u << 20);  // warm-up
      o_bulk(op, chunk, rbuf, 1u << 20);
      const size_t records = (1u << 20) / kChunk;
      uint64_t c0 = g_alloc.count;
      t_bulk(tp, chunk, 1u << 20);
      double t_allocs = double(g_alloc.count - c0) / records;
      c0 = g_alloc.count;
      o_bulk(op, chunk, rbuf, 1u << 20);
      double o_allocs = double(g_alloc.count - c0) / records;
      std::vector<double> tv, ov, rs, rso;
      for (int r = 0; r < s.reps; ++r) {
        tv.push_back(double(s.bulk_bytes) / time_s([&] { t_bulk(tp, chunk, s.bulk_bytes); }) / 1e6);
        ov.push_back(double(s.bulk_bytes) / time_s([&] { o_bulk(op, chunk, rbuf, s.bulk_bytes); }) /
                     1e6);
        rs.push_back(raw_aead(*provider, alg.aead, s.bulk_bytes, false));
        rso.push_back(raw_aead(*provider, alg.aead, s.bulk_bytes, true));
      }
      // Paired: the record path and the raw seal+open floor alternate in
      // 1 MiB slices, so both see the same state of a shared, noisy machine
      // (the medians above come from batches measured up to ~0.2 s apart);
      // per rep, the ratio of the floor's total time to the record path's.
      // The record-shaped AEAD (see record_shaped_aead) alternates with them:
      // its ratios split the gap into the record format's share and the
      // record layer's.
      std::vector<double> paired, shaped_raw, path_shaped;
      for (int r = 0; r < s.reps; ++r) {
        double t_time = 0, raw_time = 0, shaped_time = 0;
        for (size_t done = 0; done < s.bulk_bytes; done += 1u << 20) {
          t_time += time_s([&] { t_bulk(tp, chunk, 1u << 20); });
          raw_time += double(1u << 20) / 1e6 / raw_aead(*provider, alg.aead, 1u << 20, true);
          shaped_time += double(1u << 20) / 1e6 / record_shaped_aead(*provider, alg.aead, 1u << 20);
        }
        paired.push_back(raw_time / t_time);
        shaped_raw.push_back(raw_time / shaped_time);
        path_shaped.push_back(shaped_time / t_time);
      }
      double t = median(tv), o = median(ov), seal = median(rs), so = median(rso);
      char note[400];
      std::snprintf(note, sizeof note,
                    "raw AEAD (%s) seal %.0f MB/s (record path/seal %.2f), seal+open %.0f MB/s "
                    "(record path/seal+open %.2f, paired %.2f; record-shaped AEAD/raw %.2f, "
                    "record path/record-shaped %.2f)",
                    std::string(tessera::crypto::aead_backend_name(
                                    tessera::crypto::aead_backend_supports(backend, alg.aead)
                                        ? backend
                                        : tessera::crypto::AeadBackend::libcrypto))
                        .c_str(),
                    seal, t / seal, so, t / so, median(paired), median(shaped_raw),
                    median(path_shaped));
      g_rows.push_back({"bulk 16 KiB writes, " + label, t, o, "MB/s", true, note});
      if (backend == in_use) {
        g_rows.push_back({std::string("  heap allocations per 16 KiB record, ") + alg.label,
                          t_allocs, o_allocs, "allocs", false, "both sides, write + read"});
      }
      std::fprintf(stderr, "  bulk %s: tessera %.0f MB/s, OpenSSL %.0f MB/s, %s\n", label.c_str(),
                   t, o, note);
    }
  }
}

struct MemResult {
  double held_total = 0, held_server = 0, held_client = 0, peak = 0, peak_server = 0,
         peak_client = 0;
};

// memory measures the handshake of a fresh pair: peak above the baseline while
// it runs (for the pair, and per side: what each side's calls allocated),
// bytes held by both established connections, and by the server side alone
// (after the client is destroyed). tessera's per-thread cache of record
// buffers is turned off while measuring, so every buffer a side takes is an
// allocation charged to it (with the cache on, buffers come from and go back
// to the cache, and an idle connection holds the same).
template <typename NewPair, typename Handshake, typename FreeClient>
MemResult measure_memory(NewPair np, Handshake hs, FreeClient fc) {
  tessera::record::IoBuffer::set_thread_cache_limit(0);
  MemResult m;
  int64_t base = g_alloc.current;
  int64_t base_side[2] = {g_alloc.side_current[0], g_alloc.side_current[1]};
  g_alloc.peak = base;
  for (int i = 0; i < 2; ++i) g_alloc.side_peak[i] = base_side[i];
  auto p = np();
  hs(*p);
  m.peak = double(g_alloc.peak - base) / 1024;
  m.peak_client = double(g_alloc.side_peak[0] - base_side[0]) / 1024;
  m.peak_server = double(g_alloc.side_peak[1] - base_side[1]) / 1024;
  m.held_total = double(g_alloc.current - base) / 1024;
  m.held_client = double(g_alloc.side_current[0] - base_side[0]) / 1024;
  fc(*p);
  m.held_server = double(g_alloc.current - base) / 1024;
  tessera::record::IoBuffer::set_thread_cache_limit(tessera::record::IoBuffer::kCacheSlots);
  return m;
}

// growth runs `n` full handshakes (pair created, handshake, both destroyed)
// and returns the bytes still allocated after the first 1000 and after all
// n, above the count before the loop: a leak or an unbounded cache shows as a
// difference.
template <typename One>
std::pair<double, double> growth(int n, One one) {
  int64_t base = g_alloc.current;
  double at_1k = 0;
  for (int i = 1; i <= n; ++i) {
    one();
    if (i == std::min(n, 1000)) at_1k = double(g_alloc.current - base) / 1024;
  }
  return {at_1k, double(g_alloc.current - base) / 1024};
}

void bench_memory(const Settings& s) {
  TConfigs tc = t_configs("server-ec", false);
  auto oc = o_configs("server-ec", false);
  t_handshakes(tc, 3, false);
  o_handshakes(*oc, 3, false);
  auto tm = measure_memory([&] { return std::make_unique<TPair>(t_new_pair(tc)); },
                           [&](TPair& p) { t_handshake_checked(p, false); },
                           [](TPair& p) { p.client.reset(); });
  auto om = measure_memory(
      [&] {
        auto p = std::make_unique<OPair>();
        o_new_pair(*oc, *p);
        return p;
      },
      [&](OPair& p) { o_handshake_checked(p, false); }, [](OPair& p) { p.free_client(); });
  g_rows.push_back({"memory held, established pair (both sides)", tm.held_total, om.held_total,
                    "KiB", false, ""});
  g_rows.push_back(
      {"memory held, server side only", tm.held_server, om.held_server, "KiB", false, ""});
  g_rows.push_back({"memory held, client side only", tm.held_total - tm.held_server,
                    om.held_total - om.held_server, "KiB", false, ""});
  g_rows.push_back(
      {"peak heap during ECDSA handshake (both sides)", tm.peak, om.peak, "KiB", false, ""});
  g_rows.push_back({"  peak, server side's own allocations", tm.peak_server, om.peak_server, "KiB",
                    false, "what server-side calls allocated, at its highest"});
  g_rows.push_back(
      {"  peak, client side's own allocations", tm.peak_client, om.peak_client, "KiB", false, ""});
  // Heap allocations (operator new and libcrypto's, counted alike) per full
  // ECDSA handshake pair: created, handshaken, destroyed. The crypto floor's
  // own operations (run the same way, see below) allocate too; the note
  // gives their count, so what is above it is the handshake's own.
  {
    constexpr int kPairs = 100;
    auto count = [](const std::function<void()>& one) {
      uint64_t c0 = g_alloc.count;
      for (int i = 0; i < kPairs; ++i) one();
      return double(g_alloc.count - c0) / kPairs;
    };
    const double ta = count([&] {
      TPair p = t_new_pair(tc);
      t_handshake_checked(p, false);
    });
    const double oa = count([&] {
      OPair p;
      o_new_pair(*oc, p);
      o_handshake_checked(p, false);
    });
    const FloorCounts ecdsa{"ECDSA P-256", 1, 0, 2, 0};
    floor_batch(ecdsa, 1);  // keys loaded before counting
    const double fa = count([&] { floor_batch(ecdsa, 1); });
    char note[120];
    std::snprintf(note, sizeof note, "both sides; the crypto floor's operations alone: %.0f", fa);
    g_rows.push_back({"heap allocations per ECDSA handshake pair", ta, oa, "allocs", false, note});
  }
  if (s.growth_handshakes > 0) {
    std::fprintf(stderr, "  growth: %d tessera handshakes...\n", s.growth_handshakes);
    auto tg = growth(s.growth_handshakes, [&] {
      TPair p = t_new_pair(tc);
      t_handshake_checked(p, false);
    });
    std::fprintf(stderr, "  growth: %d OpenSSL handshakes...\n", s.growth_handshakes);
    auto og = growth(s.growth_handshakes, [&] {
      OPair p;
      o_new_pair(*oc, p);
      o_handshake_checked(p, false);
    });
    std::string n = std::to_string(s.growth_handshakes);
    g_rows.push_back({"live heap after 1000 handshakes (above start)", tg.first, og.first, "KiB",
                      false, "pairs created, used and destroyed"});
    g_rows.push_back({"live heap after " + n + " handshakes (above start)", tg.second, og.second,
                      "KiB", false, "no growth: same as after 1000"});
  }
}

// ---------------------------------------------------------------------------
// Crypto floor: the cryptographic operations a TLS 1.3 full handshake pair
// cannot avoid, each timed through the tessera provider in this run with keys
// already loaded (no parsing): the X25519 exchange (client keygen, server
// keygen + derive, client derive), the CertificateVerify signatures, the
// verifications of CertificateVerify and of each leaf's signature by the CA
// (ECDSA P-256 here), and the key schedule of both sides (HKDF extracts and
// expands, Finished MACs, traffic keys) plus the transcript hashing (about
// 2.5 KiB of messages hashed by each side, with a snapshot per derived secret).

struct FloorParts {
  double kx = 0;          // X25519 keygen + encapsulate + decapsulate
  double sign_ec = 0;     // ECDSA P-256 sign
  double sign_rsa = 0;    // RSA-PSS-2048 sign
  double verify_ec = 0;   // ECDSA P-256 verify
  double verify_rsa = 0;  // RSA-PSS-2048 verify
  double schedule = 0;    // key schedule + transcript hashing, both sides
};

std::unique_ptr<tessera::crypto::PrivateKey> floor_key(const std::string& name) {
  auto prov = tessera::crypto::default_provider();
  std::string pem = read_file(pki(name + ".key"));
  auto key =
      prov->load_private_key(ByteView(reinterpret_cast<const uint8_t*>(pem.data()), pem.size()));
  if (!key.ok()) die("load key " + name + ": " + key.error().to_string());
  return std::move(*key);
}

// one_side_key_schedule is what each side of a full TLS 1.3 handshake derives
// (RFC 8446 7.1-7.3, 4.4.4): early, handshake and master secrets, both
// handshake and application traffic secrets and their keys, the exporter
// master secret, and two Finished MACs (its own and the peer's).
void one_side_key_schedule(tessera::crypto::Provider& p, ByteView shared, ByteView transcript) {
  using namespace tessera::crypto;
  const auto h = tessera::HashAlgorithm::sha256;
  const auto aead = tessera::AeadAlgorithm::aes_128_gcm;
  Transcript tr;
  if (!tr.select_hash(p, h).ok()) die("transcript");
  const size_t part = transcript.size() / 4;
  auto feed = [&](int i) { tr.add(transcript.subspan(size_t(i) * part, part)); };
  feed(0);
  auto hello_hash = *tr.current_hash();
  auto hs = EarlySecret::derive(p, h).into_handshake_secret(shared);
  if (!hs.ok()) die("handshake secret");
  auto chs = *hs->client_handshake_traffic_secret(hello_hash);
  auto shs = *hs->server_handshake_traffic_secret(hello_hash);
  if (!traffic_keys(p, h, chs.view(), aead).ok() || !traffic_keys(p, h, shs.view(), aead).ok())
    die("traffic keys");
  feed(1);
  auto cv_hash = *tr.current_hash();
  (void)cv_hash;
  feed(2);
  auto sf_hash = *tr.current_hash();
  if (!compute_finished(p, h, shs.view(), sf_hash).ok()) die("finished");
  auto ms = std::move(*hs).into_master_secret();
  if (!ms.ok()) die("master secret");
  auto cap = *ms->client_application_traffic_secret_0(sf_hash);
  auto sap = *ms->server_application_traffic_secret_0(sf_hash);
  (void)*ms->exporter_master_secret(sf_hash);
  if (!traffic_keys(p, h, cap.view(), aead).ok() || !traffic_keys(p, h, sap.view(), aead).ok())
    die("traffic keys");
  feed(3);
  if (!compute_finished(p, h, chs.view(), *tr.current_hash()).ok()) die("finished");
}

// FloorOps holds the floor's keys and messages, loaded once, and runs each
// floor operation through the tessera provider.
class FloorOps {
 public:
  FloorOps()
      : prov_(tessera::crypto::default_provider()),
        ec_key_(floor_key("server-ec")),
        rsa_key_(floor_key("server-rsa")),
        // CertificateVerify signs 64 spaces, the context string, a zero byte
        // and the transcript hash (RFC 8446 4.4.3): 130 bytes.
        cv_msg_(64 + 34 + 32, 0x20),
        tbs_(400, 0x30),
        shared_(32, 0x11),
        transcript_(2560, 0x42) {
    auto ec_pub = prov_->load_public_key(ec_key_->public_spki());
    auto rsa_pub = prov_->load_public_key(rsa_key_->public_spki());
    if (!ec_pub.ok() || !rsa_pub.ok()) die("load public keys");
    ec_pub_ = std::move(*ec_pub);
    rsa_pub_ = std::move(*rsa_pub);
    auto ec_sig = ec_key_->sign(kEcdsa, tbs_);
    auto rsa_sig = rsa_key_->sign(kPss, tbs_);
    if (!ec_sig.ok() || !rsa_sig.ok()) die("sign");
    ec_sig_ = std::move(*ec_sig);
    rsa_sig_ = std::move(*rsa_sig);
  }

  void kx() {
    auto ks = prov_->generate_key_share(tessera::NamedGroup::x25519);
    if (!ks.ok()) die("keyshare");
    auto enc = prov_->encapsulate(tessera::NamedGroup::x25519, (*ks)->public_value());
    if (!enc.ok()) die("encapsulate");
    if (!(*ks)->decapsulate(enc->ciphertext).ok()) die("decapsulate");
  }
  void sign_ec() {
    if (!ec_key_->sign(kEcdsa, cv_msg_).ok()) die("sign");
  }
  void sign_rsa() {
    if (!rsa_key_->sign(kPss, cv_msg_).ok()) die("sign");
  }
  void verify_ec() {
    if (!ec_pub_->verify(kEcdsa, tbs_, ec_sig_).ok()) die("verify");
  }
  void verify_rsa() {
    if (!rsa_pub_->verify(kPss, tbs_, rsa_sig_).ok()) die("verify");
  }
  void schedule() {
    one_side_key_schedule(*prov_, shared_, transcript_);
    one_side_key_schedule(*prov_, shared_, transcript_);
  }
  // handshake runs the floor of one handshake pair.
  void handshake(const FloorCounts& c) {
    kx();
    schedule();
    for (int i = 0; i < c.sign_ec; ++i) sign_ec();
    for (int i = 0; i < c.sign_rsa; ++i) sign_rsa();
    for (int i = 0; i < c.verify_ec; ++i) verify_ec();
    for (int i = 0; i < c.verify_rsa; ++i) verify_rsa();
  }

 private:
  static constexpr auto kEcdsa = tessera::SignatureScheme::ecdsa_secp256r1_sha256;
  static constexpr auto kPss = tessera::SignatureScheme::rsa_pss_rsae_sha256;
  std::shared_ptr<tessera::crypto::Provider> prov_;
  std::unique_ptr<tessera::crypto::PrivateKey> ec_key_, rsa_key_;
  std::unique_ptr<tessera::crypto::PublicKey> ec_pub_, rsa_pub_;
  std::vector<uint8_t> cv_msg_, tbs_, shared_, transcript_;
  tessera::Bytes ec_sig_, rsa_sig_;
};

FloorOps& floor_ops() {
  static FloorOps ops;
  return ops;
}

void floor_batch(const FloorCounts& c, int n) {
  for (int i = 0; i < n; ++i) floor_ops().handshake(c);
}

FloorParts measure_floor(const Settings& s) {
  FloorOps& ops = floor_ops();
  const int n = std::max(50, s.handshakes / 2);
  auto per_op = [&](auto&& op) {
    std::vector<double> v;
    for (int r = 0; r < s.reps; ++r)
      v.push_back(time_s([&] {
                    for (int i = 0; i < n; ++i) op();
                  }) *
                  1e6 / n);
    return median(v);
  };
  FloorParts f;
  f.kx = per_op([&] { ops.kx(); });
  f.sign_ec = per_op([&] { ops.sign_ec(); });
  f.sign_rsa = per_op([&] { ops.sign_rsa(); });
  f.verify_ec = per_op([&] { ops.verify_ec(); });
  f.verify_rsa = per_op([&] { ops.verify_rsa(); });
  f.schedule = per_op([&] { ops.schedule(); });
  return f;
}

void bench_crypto_floor(const Settings& s) {
  if (g_floor_scenarios.empty()) return;
  FloorParts f = measure_floor(s);
  std::printf(
      "\nCrypto floor per handshake pair (tessera provider, keys preloaded, this run, median):\n"
      "  X25519 keygen + encapsulate + decapsulate  %8.1f us\n"
      "  ECDSA P-256 sign / verify                  %8.1f / %.1f us\n"
      "  RSA-PSS-2048 sign / verify                 %8.1f / %.1f us\n"
      "  key schedule + transcript, both sides      %8.1f us\n",
      f.kx, f.sign_ec, f.verify_ec, f.sign_rsa, f.verify_rsa, f.schedule);
  std::printf(
      "\nEach scenario's floor was timed in every paired rep, between the tessera and OpenSSL "
      "batches;\nthe ratios are medians of the per-rep ratios.\n"
      "\n| scenario | floor | tessera | OpenSSL | tessera/floor | OpenSSL/floor | tessera "
      "above floor |\n|---|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& sc : g_floor_scenarios) {
    const FloorCounts& c = sc.counts;
    std::printf(
        "| %s (%d sign, %d verify) | %.1f us | %.1f us | %.1f us | %.2f | %.2f | %.1f us |\n",
        c.name.c_str(), c.sign_ec + c.sign_rsa, c.verify_ec + c.verify_rsa, sc.f, sc.t, sc.o, sc.tf,
        sc.of, sc.t - sc.f);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Must precede any OpenSSL allocation.
  bool mem_hooked = CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free) == 1;
  Settings s;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      s.reps = 3;
      s.handshake_reps = 5;
      s.handshakes = 40;
      s.bulk_bytes = 16u << 20;
      s.growth_handshakes = 2000;
    } else if (a == "--growth" && i + 1 < argc) {
      s.growth_handshakes = std::atoi(argv[++i]);
    } else if (a == "--bulk-mib" && i + 1 < argc) {
      s.bulk_bytes = size_t(std::max(1, std::atoi(argv[++i]))) << 20;
    } else if (a == "--only" && i + 1 < argc) {
      s.only = argv[++i];
    } else if (a == "--pki" && i + 1 < argc) {
      g_pki = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--quick] [--only handshake|resumed|psk|bulk|memory] [--growth N] "
                   "[--bulk-mib N] [--pki DIR]\n",
                   argv[0]);
      return 2;
    }
  }
  if (!mem_hooked) std::fprintf(stderr, "warning: CRYPTO_set_mem_functions failed\n");
  std::printf(
      "tessera vs %s — handshakes: %d paired reps of %d (median; t/o = median of per-rep ratios); "
      "bulk: %d reps of %zu MiB\n",
      OpenSSL_version(OPENSSL_VERSION), s.handshake_reps, s.handshakes, s.reps, s.bulk_bytes >> 20);
  const auto& choice = tessera::crypto::default_aead_backend();
  std::printf("AEAD backend in use: %s (%s)\n",
              std::string(tessera::crypto::aead_backend_name(choice.backend)).c_str(),
              choice.reason.c_str());
  std::fflush(stdout);

  auto want = [&](const char* n) { return s.only.empty() || s.only == n; };
  if (want("handshake")) {
    // Signatures and verifications per pair: the server's CertificateVerify
    // (and the client's for mTLS), each verified, plus each leaf's signature
    // by the (ECDSA P-256) CA.
    bench_handshake(s, "full handshake, ECDSA P-256 cert", "server-ec", false, std::nullopt,
                    nullptr, FloorCounts{"ECDSA P-256", 1, 0, 2, 0});
    bench_handshake(s, "full handshake, RSA-2048 cert", "server-rsa", false, std::nullopt, nullptr,
                    FloorCounts{"RSA-2048", 0, 1, 1, 1});
    bench_handshake(s, "mTLS handshake, ECDSA both sides", "server-ec", true, std::nullopt, nullptr,
                    FloorCounts{"mTLS ECDSA", 2, 0, 4, 0});
    // The same with authorization on both sides (allow_peers; OpenSSL's
    // side is plain mTLS, having nothing like it built in): what a peer
    // check adds, the identity collected from the leaf and the SPKI hash.
    bench_handshake(s, "mTLS handshake + allow_peers both sides", "server-ec", true, std::nullopt,
                    nullptr, FloorCounts{"mTLS ECDSA + checks", 2, 0, 4, 0}, [](TConfigs& c) {
                      c.client->peer_check = *tessera::allow_peers({"DNS:localhost"});
                      c.server->peer_check = *tessera::allow_peers({"CN:tessera test client"});
                    });
    // Encrypted Client Hello (draft-ietf-tls-esni-25), accepted: what it
    // adds to the first row (an HPKE X25519 setup on each side, the inner
    // ClientHello sealed and opened, a second transcript until the
    // ServerHello). OpenSSL 3.0 has no ECH: its side is the plain handshake.
    bench_handshake(s, "full handshake + ECH (OpenSSL: without)", "server-ec", false, std::nullopt,
                    nullptr, std::nullopt, [](TConfigs& c) {
                      auto key = tessera::EchKey::generate({"public.example", 1, 0});
                      if (!key.ok()) die("EchKey::generate: " + key.error().to_string());
                      auto shared = std::make_shared<tessera::EchKey>(std::move(*key));
                      c.server->ech_keys = {shared};
                      c.ech_config_list = shared->config_list();
                    });
    // GREASE ECH (ClientConfig::ech_grease) to a server without ECH: what a
    // client pays for looking like one that uses ECH (an X25519 key pair
    // for the enc, the inner encoding's length computed, random bytes).
    bench_handshake(s, "full handshake + GREASE ECH (OpenSSL: without)", "server-ec", false,
                    std::nullopt, nullptr, std::nullopt,
                    [](TConfigs& c) { c.client->ech_grease = true; });
    // The server's key behind a KeySigner (each signature verified before
    // it is sent), synchronous, then asynchronous and signed as soon as
    // asked: the difference is what pausing and resuming the handshake costs.
    for (bool async : {false, true})
      bench_handshake(s,
                      async ? "full handshake, asynchronous KeySigner (OpenSSL: key in memory)"
                            : "full handshake, KeySigner (OpenSSL: key in memory)",
                      "server-ec", false, std::nullopt, nullptr, std::nullopt,
                      [async](TConfigs& c) {
                        c.server->credentials = {t_signer_credential("server-ec", async)};
                      });
    bench_handshake(s, "TLS 1.2 ECDHE-ECDSA-AES128-GCM", "server-ec", false,
                    tessera::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                    "ECDHE-ECDSA-AES128-GCM-SHA256");
    bench_handshake(s, "TLS 1.2 RSA key exchange, AES128-GCM", "server-rsa", false,
                    tessera::CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256");
  }
  if (want("handshake") || want("resumed")) bench_resumed(s);
  if (want("handshake") || want("psk")) bench_external_psk(s);
  if (want("bulk")) bench_bulk(s);
  if (want("memory") && mem_hooked) bench_memory(s);
  print_table();
  std::fflush(stdout);
  bench_crypto_floor(s);
  return 0;
}
