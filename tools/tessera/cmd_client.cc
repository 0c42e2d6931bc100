// `tessera client HOST:PORT`: connects, verifies the server (system trust
// store by default), then copies stdin to the connection and the connection to
// stdout. At the end of stdin it sends close_notify and keeps reading until
// the server closes. --crl FILE (repeatable) checks the server's chain for
// revocation; --crl-check chain|leaf|best-effort says what must be covered.
// --allow-peer SPEC (repeatable) goes on only with a server matching one
// (tessera::allow_peers), e.g. a key pin.
// --ocsp if-stapled|require asks the server for a stapled OCSP response.
// --psk-file offers a TLS 1.3 external PSK; without --ca (or --insecure) the
// server must take it, as nothing else can authenticate it.
// --ech-config FILE|BASE64 offers Encrypted Client Hello (draft-ietf-tls-esni-25)
// with the server's ECHConfigList; a server that refuses it ends the
// handshake with ech_required, and its retry configs are printed (or, with
// --ech-retry, used once on a new connection). --ech-grease, without a
// config, sends a GREASE encrypted_client_hello (6.2) that servers ignore.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <optional>

#include "command.h"
#include "crypto/provider.h"
#include "ech_input.h"
#include "tessera/stream.h"
#include "tls_options.h"
#include "x509/pem.h"
#include "x509/trust_store.h"

namespace tessera::cli {
namespace {

struct ClientCliOptions {
  std::string target;
  std::string ca, servername;
  std::vector<std::string> certs, keys;  // --cert/--key pairs, in order
  bool insecure = false;
  bool quiet = false;
  bool post_handshake_auth = false;
  int timeout_s = 10;
  int reconnect = 0;
  std::string sess_in, sess_out;
  std::string early_data_file;
  CrlOptions crl;
  PeerCheckOptions allow;
  std::string ocsp = "off";
  PskOptions psk;
  std::string ech_config;  // --ech-config FILE|BASE64
  bool ech_retry = false;
  bool ech_grease = false;  // --ech-grease
  TlsOptions tls;
};

bool split_host_port(const std::string& t, std::string& host, uint16_t& port) {
  size_t colon = t.rfind(':');
  if (colon == std::string::npos) return false;
  host = t.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  // The port is 1..65535 in decimal digits, and nothing else ("8443x" is
  // not 8443).
  const std::string digits = t.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const unsigned long p = std::stoul(digits);
  if (p == 0 || p > 65535) return false;
  port = static_cast<uint16_t>(p);
  return !host.empty();
}

int fail(const char* what, const Error& e) {
  std::fprintf(stderr, "tessera client: %s: %s\n", what, e.to_string().c_str());
  return 1;
}

// report_ech_refusal follows a handshake that ended with ech_required: the
// server's retry configs, if it sent any, and how to use them.
void report_ech_refusal(const HandshakeSummary& s, bool will_retry, bool was_retry) {
  if (s.ech_retry_configs.empty()) {
    std::fprintf(stderr,
                 "tessera client: the server sent no retry configs: it may have turned ECH off. "
                 "Connecting without --ech-config would go on, with the server name sent in the "
                 "clear\n");
    return;
  }
  const std::string b64 = x509::base64_encode(s.ech_retry_configs);
  std::fprintf(stderr,
               "tessera client: the server's retry configs (ECHConfigList, base64; authenticated "
               "by its certificate for %s):\n%s\n%s",
               printable_name(s.ech_public_name).c_str(), b64.c_str(),
               describe_ech_config_list(s.ech_retry_configs, "    ").c_str());
  if (was_retry)
    std::fprintf(stderr,
                 "tessera client: not retrying again: the server refused the configs it gave us "
                 "(draft-ietf-tls-esni 6.1.6: it is likely misconfigured)\n");
  else if (!will_retry)
    std::fprintf(stderr,
                 "tessera client: retry on a new connection with --ech-config %s (or add "
                 "--ech-retry to do it once by itself)\n",
                 b64.c_str());
}

// run_connection makes one connection: handshake, then relays stdin (or the
// saved request) to the server and the server's data to stdout until close.
// A handshake that ends with ech_required puts the server's retry configs
// (possibly none) in *ech_retry_configs.
int run_connection(const ClientCliOptions& o, std::shared_ptr<const ClientConfig> cfg,
                   const ClientOptions& copts, const std::string& host, uint16_t port,
                   const std::optional<std::vector<uint8_t>>& request,
                   const std::vector<uint8_t>& early_data, bool ech_retried,
                   std::optional<std::vector<uint8_t>>* ech_retry_configs) {
  // --early-data: sent as 0-RTT data when the stored ticket allows it, else
  // right after the handshake (Connection::client_with_early_data).
  auto conn = Connection::client_with_early_data(cfg, copts, EarlyDataRequest{early_data, true});
  if (!conn.ok()) return fail("configuration", conn.error());
  Tracer tracer("client");
  if (o.tls.trace) (*conn)->set_trace(tracer.callback());

  auto fd = Stream::connect_tcp(host, port, std::chrono::seconds(o.timeout_s));
  if (!fd.ok()) return fail("connect", fd.error());
  StreamTimeouts to;
  to.handshake = std::chrono::seconds(o.timeout_s);
  Stream stream(*fd, std::move(*conn), to);
  const auto t0 = std::chrono::steady_clock::now();
  auto hs = stream.handshake();
  if (!hs.ok()) {
    const int rc = fail("handshake failed", hs.error());
    if (hs.error().code() == ErrorCode::ech_required) {
      const auto& s = stream.connection().summary();
      const bool will_retry = o.ech_retry && !ech_retried && !s.ech_retry_configs.empty();
      report_ech_refusal(s, will_retry, ech_retried);
      *ech_retry_configs = s.ech_retry_configs;
    }
    return rc;
  }
  const double hs_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const auto& s = stream.connection().summary();
  if (o.tls.trace) {
    tracer.line(protection_line(s, cfg->provider));
    if (!s.psk_identity.empty()) tracer.line("authenticated by " + describe_external_psk(s));
  }
  if (!o.quiet) {
    std::string exported = o.tls.describe_export(stream.connection());
    if (!exported.empty()) exported += "\n";
    std::fprintf(stderr, "--- tessera: connected to %s:%u\n%s%shandshake time: %.2f ms\n---\n",
                 host.c_str(), port, describe_summary(s).c_str(), exported.c_str(), hs_ms);
  }

  // Relay loop.
  bool stdin_open = !request;
  if (request) {
    auto w = stream.write_all(*request);
    if (!w.ok()) return fail("write", w.error());
    (void)stream.shutdown();
  }
  std::vector<uint8_t> buf(16 * 1024);
  for (;;) {
    // Say when the server asked for our certificate after the handshake.
    while (auto e = stream.connection().poll_event()) {
      if (*e != Event::certificate_requested || o.quiet) continue;
      const auto& sum = stream.connection().summary();
      std::fprintf(stderr, "--- tessera: the server asked for our certificate; %s\n",
                   sum.client_authenticated ? "sent it" : "declined (no usable --cert)");
    }
    // Drain decrypted data first.
    auto avail = stream.connection().app_data();
    if (!avail.empty()) {
      size_t off = 0;
      while (off < avail.size()) {
        ssize_t w = ::write(1, avail.data() + off, avail.size() - off);
        if (w <= 0) {
          if (errno == EINTR) continue;
          return 1;
        }
        off += static_cast<size_t>(w);
      }
      stream.connection().consume_app_data(avail.size());
    }
    if (stream.connection().is_peer_closed()) break;
    pollfd p[2] = {{stream.fd(), POLLIN, 0}, {0, POLLIN, 0}};
    int n = ::poll(p, stdin_open ? 2 : 1, o.timeout_s * 1000);
    if (n == 0) {
      if (!stdin_open) break;  // waited long enough for the server after our close_notify
      continue;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (stdin_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
      ssize_t r = ::read(0, buf.data(), buf.size());
      if (r > 0) {
        auto w = stream.write_all(std::span<const uint8_t>(buf.data(), static_cast<size_t>(r)));
        if (!w.ok()) return fail("write", w.error());
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {  // end of stdin, or no stdin
        stdin_open = false;
        (void)stream.shutdown();
      }
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      // Only what the socket holds: records that carry no application data
      // (NewSessionTicket, KeyUpdate) must not leave stdin unread while
      // read() waits for more.
      auto r = stream.read_nowait(buf);
      if (!r.ok()) {
        // After our close_notify, a peer that closes (or resets, having our
        // close_notify unread) without its own ends the exchange; the data
        // it sent before has been delivered already.
        if (!stdin_open && (r.error().code() == ErrorCode::truncated_connection ||
                            r.error().code() == ErrorCode::io_error))
          break;
        return fail("read", r.error());
      }
      if (!*r) continue;
      if (**r == 0) break;
      size_t off = 0;
      while (off < **r) {
        ssize_t w = ::write(1, buf.data() + off, **r - off);
        if (w <= 0) {
          if (errno == EINTR) continue;
          return 1;
        }
        off += static_cast<size_t>(w);
      }
    }
  }
  if (stdin_open) (void)stream.shutdown();
  return 0;
}

int run_client(ClientCliOptions& o) {
  std::signal(SIGPIPE, SIG_IGN);
  std::string host;
  uint16_t port = 0;
  if (!split_host_port(o.target, host, port)) {
    std::fprintf(stderr, "tessera client: expected HOST:PORT, got '%s'\n", o.target.c_str());
    return 2;
  }
  auto policy = o.tls.make_policy();
  if (!policy.ok()) {
    std::fprintf(stderr, "tessera client: %s\n", policy.error().to_string().c_str());
    return 2;
  }
  // --psk-file without --ca: the external PSK is the only way the server can
  // authenticate, so no certificate is verified and the handshake fails
  // unless the server takes the PSK (ClientConfig::external_psk). With --ca,
  // a server that does not take it is verified by its certificate.
  const bool psk_only = o.psk.given() && o.ca.empty() && !o.insecure;
  const char* unverified = o.insecure ? "with --insecure (the server's certificate is not verified)"
                                      : "with --psk-file and no --ca (the server is authenticated "
                                        "by the PSK; give --ca to accept its certificate too)";
  if ((o.insecure || psk_only) && o.crl.given()) {
    std::fprintf(stderr, "tessera client: --crl has no effect %s\n", unverified);
    return 2;
  }
  if ((o.insecure || psk_only) && o.ocsp != "off") {
    std::fprintf(stderr, "tessera client: --ocsp has no effect %s\n", unverified);
    return 2;
  }
  if (o.ech_grease && !o.ech_config.empty()) {
    std::fprintf(stderr,
                 "tessera client: --ech-grease stands in for ECH without a config; with "
                 "--ech-config the real one is sent\n");
    return 2;
  }
  if (o.ech_retry && o.ech_config.empty()) {
    std::fprintf(stderr, "tessera client: --ech-retry needs --ech-config\n");
    return 2;
  }
  if (o.psk.given() && (!o.sess_in.empty() || !o.sess_out.empty())) {
    std::fprintf(stderr,
                 "tessera client: --sess-in/--sess-out carry resumption tickets; with --psk-file "
                 "the client offers its external PSK instead and keeps no tickets\n");
    return 2;
  }
  auto provider = crypto::default_provider();
  auto cfg = std::make_shared<ClientConfig>();
  cfg->policy = *policy;
  cfg->provider = provider;
  cfg->alpn = o.tls.alpn_list();
  cfg->keylog = o.tls.keylog();
  cfg->verify_peer = !o.insecure && !psk_only;
  auto ts = std::make_shared<x509::TrustStore>();
  if (o.ca.empty()) {
    auto sys = x509::TrustStore::system_default();
    if (!sys.ok() && cfg->verify_peer) return fail("loading the system trust store", sys.error());
    if (sys.ok()) *ts = std::move(*sys);
  } else {
    // A CA bundle (the system's, say) may hold a root our parser refuses:
    // it is skipped, with a warning, rather than refusing all the others.
    auto tr = ts->add_bundle(o.ca);
    if (!tr.ok() && cfg->verify_peer) return fail("loading --ca", tr.error());
    if (ts->skipped_certificates() > 0)
      std::fprintf(stderr,
                   "tessera client: warning: --ca %s: skipped %zu certificate(s) that do not "
                   "parse\n",
                   o.ca.c_str(), ts->skipped_certificates());
  }
  cfg->trust = ts;
  auto crls = o.crl.load();
  if (!crls.ok()) return fail("loading --crl", crls.error());
  cfg->crls = std::move(*crls);
  cfg->crl_check = o.crl.mode();
  auto check = o.allow.make();
  if (!check.ok()) {
    std::fprintf(stderr, "tessera client: %s\n", check.error().to_string().c_str());
    return 2;
  }
  cfg->peer_check = std::move(*check);
  cfg->post_handshake_auth = o.post_handshake_auth;
  cfg->ocsp = o.ocsp == "require"      ? OcspStapling::require
              : o.ocsp == "if-stapled" ? OcspStapling::if_stapled
                                       : OcspStapling::off;
  if (o.certs.size() != o.keys.size()) {
    std::fprintf(stderr, "tessera client: give one --key for each --cert (%zu --cert, %zu --key)\n",
                 o.certs.size(), o.keys.size());
    return 2;
  }
  std::vector<std::shared_ptr<const Credential>> creds;
  for (size_t i = 0; i < o.certs.size(); ++i) {
    auto cred = load_credential(*provider, o.certs[i], o.keys[i]);
    if (!cred.ok()) return fail("loading --cert/--key", cred.error());
    creds.push_back(std::make_shared<Credential>(std::move(*cred)));
  }
  // Several: each CertificateRequest gets the first that the server's CAs
  // issued and that can sign what it takes (select_client_certificate).
  if (creds.size() == 1) cfg->credential = creds.front();
  if (creds.size() > 1) cfg->certificate_resolver = select_client_certificate(std::move(creds));
  if (o.psk.given()) {
    auto psk = o.psk.load_one();
    if (!psk.ok()) return fail("loading --psk-file", psk.error());
    cfg->external_psk = std::move(*psk);
  }
  // TLS 1.3 resumption: tickets go to an in-memory store; --sess-in seeds it
  // from a file, --sess-out saves the newest ticket at the end.
  auto store = std::make_shared<MemorySessionStore>();
  cfg->session_store = store;
  ClientOptions copts;
  copts.server_name = o.servername.empty() ? host : o.servername;
  if (!o.ech_config.empty()) {
    auto ech = load_ech_input(o.ech_config);
    if (!ech.ok()) return fail("loading --ech-config", ech.error());
    copts.ech_config_list = std::move(ech->config_list);
  }
  cfg->ech_grease = o.ech_grease;
  if (!o.sess_in.empty()) {
    auto text = read_secret_file(o.sess_in);
    if (!text.ok()) return fail("reading --sess-in", text.error());
    auto sess = Session::from_pem(as_text(*text));
    if (!sess.ok()) return fail("loading --sess-in", sess.error());
    store->put(copts.server_name, std::move(*sess));
  }
  std::vector<uint8_t> early_data;
  if (!o.early_data_file.empty()) {
    auto text = read_text_file(o.early_data_file);
    if (!text.ok()) return fail("reading --early-data", text.error());
    early_data.assign(text->begin(), text->end());
  }
  // With --reconnect the request is read once and sent on every connection.
  std::optional<std::vector<uint8_t>> request;
  if (o.reconnect > 0) {
    request.emplace();
    std::vector<uint8_t> chunk(16 * 1024);
    for (;;) {
      ssize_t r = ::read(0, chunk.data(), chunk.size());
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      request->insert(request->end(), chunk.begin(), chunk.begin() + r);
    }
  }
  bool ech_retried = false;  // a connection used the server's retry configs
  for (int i = 0; i <= o.reconnect; ++i) {
    if (o.reconnect > 0 && !o.quiet)
      std::fprintf(stderr, "=== connection %d of %d\n", i + 1, o.reconnect + 1);
    std::optional<std::vector<uint8_t>> retry_configs;
    int rc =
        run_connection(o, cfg, copts, host, port, request, early_data, ech_retried, &retry_configs);
    // ECH refused, with configs to retry with: once, on a new connection
    // (draft-ietf-tls-esni 6.1.6), and those configs for the connections
    // after it too.
    if (rc != 0 && retry_configs && !retry_configs->empty() && o.ech_retry && !ech_retried) {
      ech_retried = true;
      copts.ech_config_list = std::move(*retry_configs);
      if (!o.quiet)
        std::fprintf(stderr,
                     "--- tessera: ECH refused; connecting again with the server's retry "
                     "configs (once)\n");
      retry_configs.reset();
      rc = run_connection(o, cfg, copts, host, port, request, early_data, ech_retried,
                          &retry_configs);
    }
    if (rc != 0) return rc;
  }
  if (!o.sess_out.empty()) {
    auto sess = store->take(copts.server_name, static_cast<int64_t>(std::time(nullptr)) * 1000);
    if (!sess) {
      std::fprintf(stderr, "tessera client: --sess-out: the server sent no usable ticket\n");
      return 1;
    }
    std::string pem = sess->to_pem();
    if (pem.empty()) {
      std::fprintf(stderr, "tessera client: --sess-out: the session does not fit a session file\n");
      return 1;
    }
    auto w = write_secret_file(o.sess_out, pem);
    if (!w.ok()) return fail("writing --sess-out", w.error());
  }
  return 0;
}

const bool kRegistered = register_command(
    {"client", "Connect to a TLS server and relay stdin/stdout", [](CLI::App& app) -> Runner {
       auto o = std::make_shared<ClientCliOptions>();
       app.add_option("target", o->target, "HOST:PORT")->required();
       app.add_option("--ca", o->ca, "Trusted CA certificates (PEM); default: system store");
       app.add_option("--cert", o->certs,
                      "Client certificate chain (PEM) for mTLS; repeat with --key for several, "
                      "and each server gets one its CAs issued");
       app.add_option("--key", o->keys,
                      "Client private key (PEM), one per --cert; or a PKCS #11 URI (pkcs11:...) "
                      "for a key on a token");
       app.add_option("--servername", o->servername, "Server name for SNI and verification");
       app.add_flag("--insecure", o->insecure, "Do not verify the server (debugging only)");
       app.add_flag("--quiet", o->quiet, "Do not print the connection summary");
       app.add_flag("--post-handshake-auth", o->post_handshake_auth,
                    "TLS 1.3: let the server ask for our --cert after the handshake "
                    "(RFC 8446 4.6.2)");
       app.add_option("--timeout", o->timeout_s, "Seconds for connect, handshake and idle reads")
           ->capture_default_str();
       app.add_option("--reconnect", o->reconnect,
                      "After the first connection, connect N more times resuming the session "
                      "(the request read from stdin is sent on each)");
       app.add_option("--sess-in", o->sess_in, "Resume the session saved in FILE (TLS 1.3)");
       app.add_option("--early-data", o->early_data_file,
                      "Send FILE as 0-RTT early data when resuming a ticket that allows it "
                      "(replayable: only for requests safe to repeat); otherwise it is sent "
                      "right after the handshake");
       app.add_option("--sess-out", o->sess_out,
                      "Save a resumption ticket to FILE (holds the session key: keep it private)");
       o->crl.add(app, "the server's chain");
       o->allow.add(app, "a server");
       o->psk.add(app, true);
       app.add_option("--ech-config", o->ech_config,
                      "Encrypted Client Hello: the server's ECHConfigList, as base64 text (a DNS "
                      "HTTPS record's ech= value) or a file holding it (base64, PEM ECHCONFIG, "
                      "or an ECH key file); the SNI and the rest of the ClientHello go "
                      "encrypted, the outer one names the config's public name");
       app.add_flag("--ech-retry", o->ech_retry,
                    "If the server refuses our ECH and sends retry configs, connect again once "
                    "with them");
       app.add_flag("--ech-grease", o->ech_grease,
                    "Without --ech-config: send a GREASE (random) encrypted_client_hello shaped "
                    "like a real one, so that connections using ECH do not stand out");
       app.add_option("--ocsp", o->ocsp,
                      "Ask the server to staple an OCSP response (RFC 6066 8): off; if-stapled "
                      "checks one if sent; require fails without a good one")
           ->check(CLI::IsMember({"off", "if-stapled", "require"}))
           ->capture_default_str();
       o->tls.add(app);
       return [o] { return run_client(*o); };
     }});

}  // namespace
}  // namespace tessera::cli
