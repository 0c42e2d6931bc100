// `tessera server`: a TLS server on loopback that answers each HTTP request
// with a page describing the negotiated parameters (like `openssl s_server
// -www`), or echoes bytes with --echo. Serves connections concurrently until
// SIGTERM/SIGINT.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <thread>

#include "command.h"
#include "crypto/provider.h"
#include "tessera/stream.h"
#include "tls_options.h"
#include "x509/trust_store.h"

namespace tessera::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

struct ServerOptions {
  uint16_t port = 0;
  std::string host = "127.0.0.1";
  std::string cert, key, client_ca, verify_client = "require";
  bool echo = false;
  int max_connections = 0;  // 0 = unlimited (for tests: exit after N)
  TlsOptions tls;
};

std::string html_escape(std::string_view s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string page_for(const HandshakeSummary& s) {
  std::string rows;
  auto row = [&](const std::string& k, const std::string& v) {
    rows += "<tr><th>" + html_escape(k) + "</th><td>" + html_escape(v) + "</td></tr>\n";
  };
  row("Protocol", version_name(s.version));
  row("Cipher suite", cipher_suite_name(s.cipher_suite));
  row("Key exchange group",
      s.group ? group_name(s.group)
              : (s.cipher_suite == 0x009c || s.cipher_suite == 0x009d ? "none (RSA key transport)"
                                                                      : "(none)"));
  row("Server signature scheme",
      s.signature_scheme ? signature_scheme_name(s.signature_scheme) : "-");
  row("ALPN", s.alpn.empty() ? "(none)" : s.alpn);
  row("SNI", s.server_name.empty() ? "(none)" : s.server_name);
  row("Client certificate", s.client_authenticated ? s.peer_subject : "(none)");
  row("Hello retry", s.hello_retry ? "yes" : "no");
  row("Resumed", s.resumed ? "yes (from a ticket we issued; no certificates sent)" : "no");
  if (s.version == ProtocolVersion::tls12)
    row("Extended master secret", s.extended_master_secret ? "yes" : "no");
  return "<!DOCTYPE html>\n<html><head><meta "
         "charset=\"utf-8\"><title>tessera</title></head><body>\n"
         "<h1>tessera: TLS connection established</h1>\n<table>\n" +
         rows + "</table>\n</body></html>\n";
}

void serve_one(int fd, std::shared_ptr<const ServerConfig> config, const ServerOptions& opts,
               std::string peer) {
  auto conn = Connection::server(config);
  if (!conn.ok()) {
    ::close(fd);
    return;
  }
  std::unique_ptr<Tracer> tracer;
  if (opts.tls.trace) {
    tracer = std::make_unique<Tracer>("server " + peer);
    (*conn)->set_trace(tracer->callback());
  }
  Stream stream(fd, std::move(*conn));
  auto hs = stream.handshake();
  if (!hs.ok()) {
    std::lock_guard<std::mutex> lock(output_mutex());
    std::fprintf(stderr, "server: handshake with %s failed: %s\n", peer.c_str(),
                 hs.error().to_string().c_str());
    return;
  }
  const HandshakeSummary& s = stream.connection().summary();
  if (opts.tls.trace) tracer->line(protection_line(s, config->provider));
  std::vector<uint8_t> buf(16 * 1024);
  if (opts.echo) {
    for (;;) {
      auto n = stream.read(buf);
      if (!n.ok() || *n == 0) break;
      if (!stream.write_all(std::span<const uint8_t>(buf.data(), *n)).ok()) break;
    }
  } else {
    // Read until the end of the HTTP request head (or EOF), then answer.
    std::string req;
    while (req.find("\r\n\r\n") == std::string::npos && req.find("\n\n") == std::string::npos &&
           req.size() < 64 * 1024) {
      auto n = stream.read(buf);
      if (!n.ok() || *n == 0) break;
      req.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    std::string body = page_for(s);
    std::string resp =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    (void)stream.write_all(as_bytes_view(resp));
  }
  (void)stream.shutdown();
}

int run_server(ServerOptions& opts) {
  auto policy = opts.tls.make_policy();
  if (!policy.ok()) {
    std::fprintf(stderr, "tessera server: %s\n", policy.error().to_string().c_str());
    return 2;
  }
  auto provider = crypto::default_provider();
  auto cfg = std::make_shared<ServerConfig>();
  cfg->policy = *policy;
  cfg->provider = provider;
  cfg->alpn = opts.tls.alpn_list();
  cfg->keylog = opts.tls.keylog();
  auto chain = read_text_file(opts.cert);
  auto key = read_text_file(opts.key);
  if (!chain.ok() || !key.ok()) {
    std::fprintf(stderr, "tessera server: %s\n",
                 (!chain.ok() ? chain.error() : key.error()).to_string().c_str());
    return 1;
  }
  auto cred = Credential::from_pem(*provider, *chain, *key);
  if (!cred.ok()) {
    std::fprintf(stderr, "tessera server: %s\n", cred.error().to_string().c_str());
    return 1;
  }
  cfg->credentials.push_back(std::make_shared<Credential>(std::move(*cred)));
  if (!opts.client_ca.empty()) {
    auto ts = std::make_shared<x509::TrustStore>();
    auto r = ts->add_file(opts.client_ca);
    if (!r.ok()) {
      std::fprintf(stderr, "tessera server: %s\n", r.error().to_string().c_str());
      return 1;
    }
    cfg->client_trust = ts;
    cfg->client_auth =
        opts.verify_client == "optional" ? ClientAuth::optional : ClientAuth::required;
  }

  int family = opts.host.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  int lfd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t slen;
  if (family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(opts.port);
    if (::inet_pton(AF_INET6, opts.host.c_str(), &a->sin6_addr) != 1) {
      std::fprintf(stderr, "tessera server: bad --host %s\n", opts.host.c_str());
      return 2;
    }
    slen = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(opts.port);
    if (::inet_pton(AF_INET, opts.host.c_str(), &a->sin_addr) != 1) {
      std::fprintf(stderr, "tessera server: bad --host %s\n", opts.host.c_str());
      return 2;
    }
    slen = sizeof *a;
  }
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&ss), slen) != 0 || ::listen(lfd, 512) != 0) {
    std::fprintf(stderr, "tessera server: cannot listen on %s:%u: %s\n", opts.host.c_str(),
                 opts.port, std::strerror(errno));
    return 1;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  {
    std::lock_guard<std::mutex> lock(output_mutex());
    std::fprintf(stderr, "tessera server listening on %s:%u (policy %s)\n", opts.host.c_str(),
                 opts.port, cfg->policy.name.c_str());
  }
  std::shared_ptr<const ServerConfig> config = cfg;
  std::atomic<int> active{0};
  int served = 0;
  while (!g_stop) {
    pollfd p{lfd, POLLIN, 0};
    int r = ::poll(&p, 1, 200);
    if (r <= 0) continue;
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    int fd = ::accept4(lfd, reinterpret_cast<sockaddr*>(&peer), &plen, SOCK_CLOEXEC);
    if (fd < 0) continue;
    char name[INET6_ADDRSTRLEN + 8] = "?";
    if (peer.ss_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&peer);
      ::inet_ntop(AF_INET, &a->sin_addr, name, sizeof name);
    } else if (peer.ss_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&peer);
      ::inet_ntop(AF_INET6, &a->sin6_addr, name, sizeof name);
    }
    ++active;
    std::thread([fd, config, &opts, &active, peer_name = std::string(name)] {
      serve_one(fd, config, opts, peer_name);
      --active;
    }).detach();
    if (opts.max_connections > 0 && ++served >= opts.max_connections) break;
  }
  ::close(lfd);
  // Give connections in flight a moment to finish.
  for (int i = 0; i < 100 && active > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return 0;
}

const bool kRegistered = register_command(
    {"server", "Run a TLS server (HTML status page or --echo)", [](CLI::App& app) -> Runner {
       auto o = std::make_shared<ServerOptions>();
       app.add_option("--port", o->port, "TCP port")->required();
       app.add_option("--host", o->host, "Address to listen on")->capture_default_str();
       app.add_option("--cert", o->cert, "Certificate chain PEM (leaf first)")->required();
       app.add_option("--key", o->key, "Private key PEM")->required();
       app.add_option("--client-ca", o->client_ca, "Request client certificates trusted by CA.pem");
       app.add_option("--verify-client", o->verify_client, "require|optional")
           ->check(CLI::IsMember({"require", "optional"}))
           ->capture_default_str();
       app.add_flag("--echo", o->echo, "Echo bytes instead of answering HTTP");
       app.add_option("--max-connections", o->max_connections,
                      "Exit after N connections (0: never)");
       o->tls.add(app);
       return [o] { return run_server(*o); };
     }});

}  // namespace
}  // namespace tessera::cli
