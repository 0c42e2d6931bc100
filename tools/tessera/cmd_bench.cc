// `tessera bench`: handshakes per second and bulk throughput for a suite,
// group and certificate the user chooses, measured in memory (client and
// server connections in this process, one thread, bytes handed over directly),
// like `openssl speed` for TLS as a whole. The certificate is either a
// throw-away local PKI of --key-type or the user's --cert/--key (with --ca to
// verify it). Prints the crypto provider and AEAD backend in use and the
// negotiated parameters, then the medians of --repeat timed batches.
// `tessera bench load HOST:PORT` (bench_load.cc) loads a server on loopback.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "base/thread_clock.h"
#include "bench_load.h"
#include "command.h"
#include "crypto/aead_backend.h"
#include "crypto/openssl/openssl_provider.h"
#include "crypto/provider.h"
#include "tessera/config.h"
#include "tessera/connection.h"
#include "tessera/policy.h"
#include "tls_options.h"
#include "x509/builder.h"
#include "x509/trust_store.h"

namespace tessera::cli {
namespace {

struct BenchOptions {
  std::string suite = "TLS_AES_128_GCM_SHA256";
  std::string group = "x25519";
  std::string sigalgs;
  std::string key_type = "ec-p256";
  std::string cert, key, ca, servername = "localhost";
  bool mtls = false;
  std::string only;  // "", "handshake" or "bulk"
  double seconds = 1.0;
  int repeat = 3;
  size_t write_size = 16384;
  std::string aead_backend = "auto";  // auto (TESSERA_AEAD_BACKEND or CPU), libcrypto, ipsec-mb
};

// Clock: thread CPU time (base/thread_clock.h); both sides run in this thread.
using Clock = tessera::ThreadCpuClock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Result<crypto::KeyGenParams> key_params(const std::string& t) {
  crypto::KeyGenParams p;
  if (t == "ec-p256") {
    p.type = crypto::KeyType::ec_p256;
  } else if (t == "ec-p384") {
    p.type = crypto::KeyType::ec_p384;
  } else if (t == "ed25519") {
    p.type = crypto::KeyType::ed25519;
  } else if (t == "rsa2048" || t == "rsa3072" || t == "rsa4096") {
    p.type = crypto::KeyType::rsa;
    p.rsa_bits = static_cast<size_t>(std::stoi(t.substr(3)));
  } else {
    return Error(
        ErrorCode::config_invalid,
        "unknown key type '" + t + "' (ec-p256, ec-p384, ed25519, rsa2048, rsa3072, " + "rsa4096)");
  }
  return p;
}

struct Setup {
  std::shared_ptr<ClientConfig> client;
  std::shared_ptr<ServerConfig> server;
  std::string server_name;
  std::string certificate;  // what the server presents, in words
};

Result<Setup> make_setup(const BenchOptions& o, const std::shared_ptr<crypto::Provider>& provider) {
  auto policy = Policy::default_policy();
  TESSERA_TRY(policy.set_cipher_suites(o.suite));
  TESSERA_TRY(policy.set_groups(o.group));
  if (!o.sigalgs.empty()) TESSERA_TRY(policy.set_signature_schemes(o.sigalgs));
  // One suite: its version is the only one to offer.
  auto info = cipher_suite_info(static_cast<uint16_t>(policy.cipher_suites.front()));
  if (!info) return Error(ErrorCode::config_invalid, "unknown cipher suite " + o.suite);
  policy.min_version = policy.max_version = info->version;
  TESSERA_TRY(policy.validate());

  const auto now = static_cast<int64_t>(std::time(nullptr));
  Setup s;
  s.client = std::make_shared<ClientConfig>();
  s.server = std::make_shared<ServerConfig>();
  s.client->policy = s.server->policy = policy;
  s.client->provider = s.server->provider = provider;
  s.client->clock = s.server->clock = [now] { return now; };
  s.server_name = o.servername;
  auto trust = std::make_shared<x509::TrustStore>();
  if (!o.cert.empty() || !o.key.empty()) {
    if (o.cert.empty() || o.key.empty() || o.ca.empty()) {
      return Error(ErrorCode::config_invalid, "--cert, --key and --ca go together");
    }
    if (o.mtls) {
      return Error(ErrorCode::config_invalid, "--mtls needs the local PKI (no --cert/--key)");
    }
    TESSERA_ASSIGN_OR_RETURN(Credential cred, load_credential(*provider, o.cert, o.key));
    TESSERA_ASSIGN_OR_RETURN(std::string ca_pem, read_text_file(o.ca));
    TESSERA_TRY(trust->add_pem(as_bytes_view(ca_pem)));
    s.server->credentials = {std::make_shared<Credential>(std::move(cred))};
    s.certificate = o.cert;
  } else {
    TESSERA_ASSIGN_OR_RETURN(auto kp, key_params(o.key_type));
    TESSERA_ASSIGN_OR_RETURN(auto pki, x509::make_local_pki(*provider, kp, now));
    TESSERA_TRY(trust->add_pem(pki.ca.der));
    auto server_cred = std::make_shared<Credential>();
    server_cred->chain = {pki.server.der};
    server_cred->key = std::move(pki.server.key);
    s.server->credentials = {server_cred};
    if (o.mtls) {
      auto client_cred = std::make_shared<Credential>();
      client_cred->chain = {pki.client.der};
      client_cred->key = std::move(pki.client.key);
      s.client->credential = client_cred;
      s.server->client_auth = ClientAuth::required;
      s.server->client_trust = trust;
    }
    s.certificate = "throw-away local PKI, " + o.key_type + " keys: CA + server" +
                    (o.mtls ? " + client" : "") + " certificate";
  }
  s.client->trust = trust;
  return s;
}

struct Pair {
  std::unique_ptr<Connection> client;
  std::unique_ptr<Connection> server;
};

// move hands `from`'s pending bytes to `to`.
bool move(Connection& from, Connection& to) {
  auto b = from.pending_tls();
  if (b.empty()) return false;
  size_t n = b.size();
  (void)to.receive_tls(b);
  from.consume_tls(n);
  return true;
}

Result<Pair> handshake(const Setup& s) {
  TESSERA_ASSIGN_OR_RETURN(auto c, Connection::client(s.client, {s.server_name, {}}));
  TESSERA_ASSIGN_OR_RETURN(auto v, Connection::server(s.server));
  Pair p{std::move(c), std::move(v)};
  for (int i = 0; i < 64; ++i) {
    bool moved = move(*p.client, *p.server);
    moved = move(*p.server, *p.client) || moved;
    if (!moved) break;
  }
  if (p.client->error()) return *p.client->error();
  if (p.server->error()) return *p.server->error();
  if (!p.client->is_handshake_done() || !p.server->is_handshake_done()) {
    return Error(ErrorCode::internal_error, "handshake did not finish");
  }
  return p;
}

// bulk sends `total` bytes client -> server in writes of chunk.size().
Result<void> bulk(Pair& p, const std::vector<uint8_t>& chunk, size_t total) {
  for (size_t done = 0; done < total; done += chunk.size()) {
    TESSERA_TRY(p.client->write(chunk));
    move(*p.client, *p.server);
    if (p.server->error()) return *p.server->error();
    auto a = p.server->app_data();
    p.server->consume_app_data(a.size());
  }
  return ok();
}

// timed runs batches of `step` until `seconds` have passed; returns units per
// second over the whole run.
template <typename F>
Result<double> timed(double seconds, F&& step) {
  auto t0 = Clock::now();
  double units = 0, elapsed = 0;
  do {
    TESSERA_ASSIGN_OR_RETURN(double u, step());
    units += u;
    elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (elapsed < seconds);
  return units / elapsed;
}

int fail(const Error& e) {
  std::fprintf(stderr, "tessera bench: %s\n", e.to_string().c_str());
  return 1;
}

int run_bench(const BenchOptions& o) {
  // The AEAD backend: --aead-backend, else the process default (automatic,
  // or the TESSERA_AEAD_BACKEND environment variable).
  crypto::AeadBackendChoice choice = o.aead_backend == "auto"
                                         ? crypto::default_aead_backend()
                                         : crypto::choose_aead_backend(o.aead_backend);
  if (o.aead_backend != "auto") choice.reason = "--aead-backend: " + choice.reason;
  auto provider = std::make_shared<crypto::OpenSslProvider>(choice.backend);
  auto setup = make_setup(o, provider);
  if (!setup.ok()) {
    std::fprintf(stderr, "tessera bench: %s\n", setup.error().to_string().c_str());
    return 2;
  }
  if (o.write_size == 0 || o.write_size > 16384) {
    std::fprintf(stderr, "tessera bench: --size must be 1..16384\n");
    return 2;
  }
  auto first = handshake(*setup);
  if (!first.ok()) return fail(first.error());
  const HandshakeSummary& sum = first->client->summary();
  auto info = cipher_suite_info(sum.cipher_suite);
  std::printf("crypto provider:  %s\n", std::string(provider->name()).c_str());
  std::printf(
      "AEAD backend:     %s on %s; %s\n", info ? std::string(aead_name(info->aead)).c_str() : "?",
      info ? provider->aead_implementation(info->aead).c_str() : "?", choice.reason.c_str());
  std::printf("negotiated:       %s, %s, group %s, signature %s%s\n",
              version_name(sum.version).c_str(), cipher_suite_name(sum.cipher_suite).c_str(),
              sum.group ? group_name(sum.group).c_str() : "none (RSA key transport)",
              sum.signature_scheme ? signature_scheme_name(sum.signature_scheme).c_str() : "none",
              first->server->summary().client_authenticated ? ", client authenticated" : "");
  std::printf("certificate:      %s\n", setup->certificate.c_str());
  std::printf(
      "measurement:      in memory, client and server in one thread, CPU time; median of %d "
      "runs of %.2g s\n",
      o.repeat, o.seconds);
  std::fflush(stdout);

  if (o.only.empty() || o.only == "handshake") {
    std::vector<double> rates;
    for (int r = 0; r < o.repeat; ++r) {
      // Eight handshakes per clock read: the thread CPU clock is a system
      // call (~1.4 us on some VMs), too dear to read after every handshake.
      auto rate = timed(o.seconds, [&]() -> Result<double> {
        constexpr int kPerStep = 8;
        for (int i = 0; i < kPerStep; ++i) TESSERA_TRY(handshake(*setup));
        return double(kPerStep);
      });
      if (!rate.ok()) return fail(rate.error());
      rates.push_back(*rate);
    }
    double hs = median(rates);
    std::printf("handshakes:       %.0f /s (client + server pair, full handshake, %.1f us each)\n",
                hs, 1e6 / hs);
  }
  if (o.only.empty() || o.only == "bulk") {
    std::vector<uint8_t> chunk(o.write_size, 0xa5);
    const size_t batch = std::max<size_t>(o.write_size, 1u << 20);
    std::vector<double> rates;
    for (int r = 0; r < o.repeat; ++r) {
      auto rate = timed(o.seconds, [&]() -> Result<double> {
        TESSERA_TRY(bulk(*first, chunk, batch));
        return double(batch) / 1e6;
      });
      if (!rate.ok()) return fail(rate.error());
      rates.push_back(*rate);
    }
    std::printf(
        "throughput:       %.0f MB/s (client -> server, %zu-byte writes; seal + open on "
        "one core)\n",
        median(rates), o.write_size);
  }
  return 0;
}

const bool kRegistered = register_command(
    {"bench", "Measure handshakes/s and throughput in memory for a suite, group and certificate",
     [](CLI::App& app) {
       auto o = std::make_shared<BenchOptions>();
       app.add_option("--suite", o->suite, "Cipher suite (IANA or OpenSSL name)")
           ->capture_default_str();
       app.add_option("--group", o->group, "Key exchange group, e.g. x25519, secp256r1, ffdhe2048")
           ->capture_default_str();
       app.add_option("--sigalgs", o->sigalgs, "Comma-separated signature schemes to allow");
       app.add_option("--key-type", o->key_type,
                      "Local PKI key type: ec-p256, ec-p384, ed25519, rsa2048, rsa3072, rsa4096")
           ->capture_default_str();
       app.add_option("--cert", o->cert, "Server certificate chain (PEM) instead of the local PKI");
       app.add_option("--key", o->key,
                      "Server private key (PEM) for --cert, or a PKCS #11 URI (pkcs11:...): the "
                      "handshake rate with the key on its token");
       app.add_option("--ca", o->ca, "Trust anchors (PEM) the client verifies --cert with");
       app.add_option("--servername", o->servername, "Name the client checks in the certificate")
           ->capture_default_str();
       app.add_flag("--mtls", o->mtls, "Client certificate too (local PKI only)");
       app.add_option("--only", o->only, "Measure only handshake or bulk")
           ->check(CLI::IsMember({"handshake", "bulk"}));
       app.add_option("--time", o->seconds, "Seconds per run")
           ->capture_default_str()
           ->check(CLI::Range(0.0, 600.0));
       app.add_option("--repeat", o->repeat, "Runs per measurement (the median is printed)")
           ->capture_default_str()
           ->check(CLI::Range(1, 100));
       app.add_option("--size", o->write_size, "Bytes per write for the throughput test")
           ->capture_default_str();
       app.add_option("--aead-backend", o->aead_backend,
                      "AEAD backend: auto (CPU detection, or TESSERA_AEAD_BACKEND), libcrypto, "
                      "ipsec-mb (AES-GCM; ChaCha20 on AVX-512 VAES CPUs; else libcrypto)")
           ->capture_default_str()
           ->check(CLI::IsMember({"auto", "libcrypto", "ipsec-mb"}));
       Runner load = add_bench_load(app);
       CLI::App* self = &app;
       return [o, load, self]() { return self->got_subcommand("load") ? load() : run_bench(*o); };
     }});

}  // namespace
}  // namespace tessera::cli
