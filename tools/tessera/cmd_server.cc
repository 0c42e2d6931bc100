// `tessera server`: a TLS server on loopback that answers each HTTP request
// with a page describing the negotiated parameters (like `openssl s_server
// -www`), or echoes bytes with --echo. An EventServer (epoll, one worker per
// core, tessera/event_server.h) serves connections concurrently until
// SIGTERM/SIGINT; SIGHUP reloads --cert/--key (and --ocsp-response) for
// the handshakes that follow. --client-ca asks for client certificates; with it, --crl
// FILE (repeatable) and --crl-check chain|leaf|best-effort check them for
// revocation. --psk-file takes TLS 1.3 external PSKs, with or without a
// certificate. --allow-peer SPEC (repeatable) goes on only with clients
// matching one (tessera::allow_peers), e.g. a SPIFFE ID or a PSK identity.
// --cert/--key may be repeated: the handshake picks a certificate by the
// client's SNI and signature algorithms. --ech-key FILE (repeatable) opens
// clients' Encrypted Client Hellos (draft-ietf-tls-esni-25, shared mode);
// each connection that offered one is reported on stderr and on the page.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>

#include "command.h"
#include "crypto/provider.h"
#include "ech_input.h"
#include "tessera/event_server.h"
#include "tessera/nonblocking.h"
#include "tls_options.h"
#include "x509/certificate.h"
#include "x509/identity.h"
#include "x509/trust_store.h"

namespace tessera::cli {
namespace {

std::atomic<EventServer*> g_server{nullptr};
void on_signal(int) {
  if (EventServer* s = g_server.load()) s->stop();
}

struct ServerOptions {
  uint16_t port = 0;
  std::string host = "127.0.0.1";
  std::vector<std::string> certs, keys;  // --cert/--key pairs, in order
  std::string client_ca, verify_client = "require";
  bool verify_client_given = false;   // --verify-client was on the command line
  std::string ocsp_response;          // DER OCSPResponse to staple (RFC 6066 8), for certs[0]
  std::vector<std::string> ech_keys;  // --ech-key files
  bool echo = false;
  int max_connections = 0;         // 0 = unlimited (for tests: exit after N)
  uint64_t max_open = 0;           // connections open at once (0: descriptors only)
  uint32_t max_open_per_peer = 0;  // ... from one address (0: no limit)
  uint32_t max_early_data = 0;
  unsigned workers = 0;  // 0 = one per core
  double handshake_timeout = 10, idle_timeout = 300;
  CrlOptions crl;          // client certificates' revocation: only with --client-ca
  PeerCheckOptions allow;  // clients that authenticate: needs --client-ca or --psk-file
  PskOptions psk;
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

// ech_report says what became of Encrypted Client Hello on a connection,
// and the SNI the handshake went on with.
std::string ech_report(const HandshakeSummary& s) {
  const std::string sni = s.server_name.empty() ? "(none)" : s.server_name;
  switch (s.ech) {
    case EchStatus::accepted:
      return s.server_name.empty()
                 ? std::string("ECH accepted: the encrypted ClientHello named no server (no SNI)")
                 : "ECH accepted: SNI " + sni + " (from the encrypted ClientHello)";
    case EchStatus::rejected:
      return "ECH refused: none of our keys opens the client's encrypted ClientHello (a stale "
             "config, or GREASE); answered the outer ClientHello, SNI " +
             sni + ", and sent our ECH configs for a retry";
    case EchStatus::not_offered:
    case EchStatus::grease:  // a client-side status
      break;
  }
  return "ECH not offered: SNI " + sni;
}

std::string page_for(const HandshakeSummary& s, size_t early_bytes, const std::string& exported,
                     const std::string& post_handshake, bool ech_enabled) {
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
  if (ech_enabled || s.ech != EchStatus::not_offered)
    row("Encrypted Client Hello",
        s.ech == EchStatus::accepted   ? "accepted: the SNI above came encrypted, inside an outer "
                                         "ClientHello naming our public name"
        : s.ech == EchStatus::rejected ? "offered, but none of our keys opens it: we answered the "
                                         "outer ClientHello and sent our configs for a retry"
                                       : "not offered");
  row("Client certificate", s.client_authenticated ? s.peer_subject : "(none)");
  if (!post_handshake.empty()) row("Post-handshake authentication", post_handshake);
  if (!s.psk_identity.empty()) row("Authenticated by", describe_external_psk(s));
  row("OCSP response stapled", s.ocsp_stapled ? "yes" : "no");
  row("Client record_size_limit",
      s.peer_record_size_limit ? std::to_string(s.peer_record_size_limit) + " bytes (RFC 8449)"
                               : "(none)");
  if (s.own_cert_compression || s.peer_cert_compression)
    row("Certificate compression (RFC 8879)",
        std::string("ours: ") +
            (s.own_cert_compression ? cert_compression_name(s.own_cert_compression) : "none") +
            "; client's: " +
            (s.peer_cert_compression ? cert_compression_name(s.peer_cert_compression) : "none"));
  row("Hello retry", s.hello_retry ? "yes" : "no");
  row("Resumed", !s.resumed   ? "no"
                 : s.psk_only ? "yes (PSK only, psk_ke: no key exchange, no forward secrecy)"
                              : "yes (from a ticket we issued; no certificates sent)");
  if (s.early_data != EarlyData::not_offered)
    row("Early data", s.early_data == EarlyData::accepted
                          ? std::to_string(early_bytes) + " bytes accepted as 0-RTT (replayable)"
                          : "offered, refused and skipped");
  if (s.version == ProtocolVersion::tls12)
    row("Extended master secret", s.extended_master_secret ? "yes" : "no");
  if (!exported.empty()) row("Keying material", exported);
  return "<!DOCTYPE html>\n<html><head><meta "
         "charset=\"utf-8\"><title>tessera</title></head><body>\n"
         "<h1>tessera: TLS connection established</h1>\n<table>\n" +
         rows + "</table>\n</body></html>\n";
}

// CliSession: what both modes share: the trace and the failure report.
class CliSession : public ServerSession {
 public:
  CliSession(std::string peer, const Connection& conn, std::unique_ptr<Tracer> tracer,
             std::shared_ptr<crypto::Provider> provider, std::shared_ptr<const TlsOptions> tls,
             bool post_handshake_auth, bool ech_enabled)
      : peer_(std::move(peer)),
        conn_(conn),
        tracer_(std::move(tracer)),
        provider_(std::move(provider)),
        tls_(std::move(tls)),
        post_handshake_auth_(post_handshake_auth),
        ech_enabled_(ech_enabled) {}
  void on_handshake_done(Connection& c) override {
    // Encrypted Client Hello: each connection that offered one says what
    // became of it, and which SNI the handshake used.
    if (c.summary().ech != EchStatus::not_offered) {
      std::lock_guard<std::mutex> lock(output_mutex());
      std::fprintf(stderr, "server: %s: %s\n", peer_.c_str(), ech_report(c.summary()).c_str());
    }
    if (tracer_) {
      tracer_->line(protection_line(c.summary(), provider_));
      if (!c.summary().psk_identity.empty())
        tracer_->line("authenticated by " + describe_external_psk(c.summary()));
    }
    // --export-label: reported on stderr, and on the page.
    exported_ = tls_->describe_export(c);
    if (!exported_.empty()) {
      std::lock_guard<std::mutex> lock(output_mutex());
      std::fprintf(stderr, "server: %s: %s\n", peer_.c_str(), exported_.c_str());
    }
    // --verify-client post-handshake: ask now (RFC 8446 4.6.2); a TLS 1.2
    // client, or one that did not offer post_handshake_auth, cannot be asked.
    if (post_handshake_auth_) {
      auto r = c.request_client_certificate();
      asked_ = r.ok();
      post_handshake_ =
          r.ok() ? "asked after the handshake; no answer" : "not asked: " + r.error().message();
      if (!r.ok()) report(post_handshake_);
    }
  }
  SessionAction on_event(Connection& c, Event e) override {
    if (e != Event::client_certificate_answered) return SessionAction::keep;
    asked_ = false;
    post_handshake_ = c.client_certificate_request() == ClientCertificateRequest::received
                          ? "asked after the handshake; the client sent " + c.summary().peer_subject
                          : "asked after the handshake; the client declined (no certificate)";
    report(post_handshake_);
    return on_client_answer(c);
  }
  void on_end(const Error* error, bool handshake_done) override {
    // A client certificate sent after the handshake that failed verification
    // (or the peer check) ends the connection: say why.
    if (error && handshake_done && asked_) return report("refused: " + error->to_string());
    if (!error || handshake_done) return;
    std::lock_guard<std::mutex> lock(output_mutex());
    std::fprintf(stderr, "server: handshake with %s failed: %s\n", peer_.c_str(),
                 error->to_string().c_str());
    // A client whose ECH we refused ends the handshake itself, with the
    // ech_required alert once it has authenticated our public name.
    // (The EventServer releases the Connection only after on_end.)
    if (conn_.summary().ech != EchStatus::not_offered)
      std::fprintf(stderr, "server: %s: %s\n", peer_.c_str(), ech_report(conn_.summary()).c_str());
  }

 protected:
  // on_client_answer: the client answered our post-handshake request.
  virtual SessionAction on_client_answer(Connection&) { return SessionAction::keep; }
  void report(const std::string& what) {
    std::lock_guard<std::mutex> lock(output_mutex());
    std::fprintf(stderr, "server: %s: client certificate: %s\n", peer_.c_str(), what.c_str());
  }

  bool ech_enabled() const { return ech_enabled_; }

  std::string exported_;        // describe_export's line, once connected
  std::string post_handshake_;  // what became of post-handshake authentication
  bool asked_ = false;          // a post-handshake request awaits its answer

 private:
  std::string peer_;
  // The connection this session serves: the EventServer destroys it after
  // the session's last call (on_end), which reads its summary.
  const Connection& conn_;
  std::unique_ptr<Tracer> tracer_;
  std::shared_ptr<crypto::Provider> provider_;
  std::shared_ptr<const TlsOptions> tls_;
  bool post_handshake_auth_;
  bool ech_enabled_;  // the server holds ECH keys (the page says what became of ECH)
};

// PageSession answers one HTTP request with page_for() and closes. A request
// sent as 0-RTT data (replayable; this page is harmless to repeat) counts too.
class PageSession final : public CliSession {
 public:
  using CliSession::CliSession;
  SessionAction on_data(Connection& c, bool eof) override {
    auto early = c.early_data();
    early_bytes_ += early.size();
    req_.append(reinterpret_cast<const char*>(early.data()),
                std::min(early.size(), kMaxRequest - std::min(kMaxRequest, req_.size())));
    c.consume_early_data(early.size());
    auto d = c.app_data();
    if (req_.size() < kMaxRequest)
      req_.append(reinterpret_cast<const char*>(d.data()),
                  std::min(d.size(), kMaxRequest - req_.size()));
    c.consume_app_data(d.size());
    // Answer at the end of the request head, at 64 KiB, or when the client
    // stops sending (the page does not depend on the request); but not
    // before the client answered a post-handshake request for its
    // certificate, unless it closed.
    complete_ = req_.find("\r\n\r\n") != std::string::npos ||
                req_.find("\n\n") != std::string::npos || req_.size() >= kMaxRequest;
    const bool ended = eof || c.is_peer_closed();
    if (!ended &&
        (!complete_ || c.client_certificate_request() == ClientCertificateRequest::pending))
      return SessionAction::keep;
    return respond(c);
  }

 private:
  SessionAction on_client_answer(Connection& c) override {
    return complete_ ? respond(c) : SessionAction::keep;
  }
  SessionAction respond(Connection& c) {
    std::string body =
        page_for(c.summary(), early_bytes_, exported_, post_handshake_, ech_enabled());
    std::string resp =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    (void)c.write(as_bytes_view(resp));
    return SessionAction::close;
  }

  bool complete_ = false;
  static constexpr size_t kMaxRequest = 64 * 1024;
  std::string req_;
  size_t early_bytes_ = 0;
};

// EchoSession sends back every byte it receives until the client closes.
class EchoSession final : public CliSession {
 public:
  using CliSession::CliSession;
  SessionAction on_data(Connection& c, bool) override {
    auto early = c.early_data();  // 0-RTT data first
    if (!early.empty() && !c.write(early).ok()) return SessionAction::close;
    c.consume_early_data(early.size());
    auto d = c.app_data();
    if (!d.empty() && !c.write(d).ok()) return SessionAction::close;
    c.consume_app_data(d.size());
    return SessionAction::keep;
  }
};

// requires_stapling: the leaf carries the RFC 7633 TLS feature status_request.
bool requires_stapling(const Credential& cred) {
  auto leaf = x509::Certificate::parse(cred.chain.front());
  return leaf.ok() && leaf->extensions().requires_tls_feature(5);  // 5: status_request
}

// read_credential loads one --cert/--key pair, with `ocsp_response` (if not
// empty) stapled (checked now: about the leaf, "good", current, and its
// signature when the chain holds the issuer; stapled to clients that ask
// until it expires).
Result<std::shared_ptr<const Credential>> read_credential(const std::string& cert,
                                                          const std::string& key,
                                                          const std::string& ocsp_response,
                                                          crypto::Provider& provider) {
  // A key on a PKCS #11 token signs on the EventServer's signing threads,
  // not on a worker (a slow token would stall the worker's connections).
  TESSERA_ASSIGN_OR_RETURN(Credential cred,
                           load_credential(provider, cert, key, /*asynchronous=*/true));
  if (!ocsp_response.empty()) {
    auto der = read_text_file(ocsp_response);
    auto set = der.ok() ? cred.set_ocsp_response(provider, as_bytes_view(*der),
                                                 static_cast<int64_t>(std::time(nullptr)))
                        : Result<void>(der.error());
    if (!set.ok()) return std::move(set).error().with_context("--ocsp-response " + ocsp_response);
  }
  if (ocsp_response.empty() && requires_stapling(cred))
    std::fprintf(stderr,
                 "tessera server: warning: %s requires OCSP stapling (RFC 7633 must-staple): "
                 "clients that ask for a response will refuse it; give --ocsp-response\n",
                 cert.c_str());
  return std::shared_ptr<const Credential>(std::make_shared<Credential>(std::move(cred)));
}

// read_credentials loads every --cert/--key pair, in order; --ocsp-response
// goes with the first.
Result<std::vector<std::shared_ptr<const Credential>>> read_credentials(
    const ServerOptions& opts, crypto::Provider& provider) {
  std::vector<std::shared_ptr<const Credential>> out;
  for (size_t i = 0; i < opts.certs.size(); ++i) {
    TESSERA_ASSIGN_OR_RETURN(
        auto cred, read_credential(opts.certs[i], opts.keys[i],
                                   i == 0 ? opts.ocsp_response : std::string(), provider));
    out.push_back(std::move(cred));
  }
  return out;
}

// SIGHUP asks for --cert/--key (and --ocsp-response) to be read again: a
// renewed certificate is served from the next handshake on, without a
// restart, through ServerConfig::credential_resolver. A reload that fails
// keeps the certificates in use and says why.
std::atomic<bool> g_reload{false};
void on_sighup(int) { g_reload.store(true); }

class CertificateReloader {
 public:
  CertificateReloader(ServerOptions opts, std::shared_ptr<crypto::Provider> provider,
                      std::vector<std::shared_ptr<const Credential>> first)
      : opts_(std::move(opts)), provider_(std::move(provider)), current_(std::move(first)) {}

  std::vector<std::shared_ptr<const Credential>> resolve() {
    std::lock_guard<std::mutex> lock(mu_);
    if (g_reload.exchange(false)) {
      auto fresh = read_credentials(opts_, *provider_);
      std::lock_guard<std::mutex> out(output_mutex());
      if (fresh.ok()) {
        current_ = std::move(*fresh);
        for (size_t i = 0; i < current_.size(); ++i) {
          auto leaf = x509::Certificate::parse(current_[i]->chain.front());
          std::fprintf(stderr, "tessera server: reloaded %s (%s)\n", opts_.certs[i].c_str(),
                       leaf.ok() ? leaf->subject().to_string().c_str() : "?");
        }
      } else {
        std::fprintf(stderr,
                     "tessera server: reload failed, keeping the current certificate%s: %s\n",
                     current_.size() == 1 ? "" : "s", fresh.error().to_string().c_str());
      }
    }
    return current_;
  }

 private:
  ServerOptions opts_;
  std::shared_ptr<crypto::Provider> provider_;
  std::mutex mu_;
  std::vector<std::shared_ptr<const Credential>> current_;
};

// load_ech_keys reads every --ech-key file and checks them against the
// server's other options: distinct config ids, TLS 1.3 allowed, and a
// certificate for each public name (else only a warning: a client whose
// ECH we refuse could not authenticate us, and gets no retry configs).
// Returns the exit status on failure (after saying why), 0 on success.
int load_ech_keys(const ServerOptions& opts, const ServerConfig& cfg,
                  const std::vector<std::shared_ptr<const Credential>>& creds,
                  std::vector<std::shared_ptr<const EchKey>>& keys) {
  if (opts.ech_keys.empty()) return 0;
  if (cfg.policy.max_version < ProtocolVersion::tls13) {
    std::fprintf(stderr,
                 "tessera server: --ech-key needs TLS 1.3 (Encrypted Client Hello does not exist "
                 "in TLS 1.2), and the policy's highest version is %s\n",
                 version_name(cfg.policy.max_version).c_str());
    return 2;
  }
  if (creds.empty()) {
    std::fprintf(stderr,
                 "tessera server: --ech-key needs --cert/--key, with a certificate for each key's "
                 "public name: a client whose ECH we cannot open authenticates that name\n");
    return 2;
  }
  for (const std::string& path : opts.ech_keys) {
    auto key = load_ech_key(path);
    if (!key.ok()) {
      std::fprintf(stderr, "tessera server: loading --ech-key: %s\n",
                   key.error().to_string().c_str());
      return 1;
    }
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i]->config_id() == (*key)->config_id()) {
        std::fprintf(stderr,
                     "tessera server: --ech-key %s and %s have the same config id %u: a server's "
                     "keys need distinct ones (tessera ech keygen --config-id)\n",
                     opts.ech_keys[i].c_str(), path.c_str(), (*key)->config_id());
        return 1;
      }
    bool covered = false;
    for (const auto& cred : creds) {
      auto leaf = x509::Certificate::parse(cred->chain.front());
      if (leaf.ok() &&
          x509::check_identity(*leaf, {x509::ReferenceIdentity::Kind::dns, (*key)->public_name()})
              .ok())
        covered = true;
    }
    if (!covered)
      std::fprintf(stderr,
                   "tessera server: warning: --ech-key %s: no --cert is for its public name %s: "
                   "clients whose ECH we cannot open (a stale config) cannot authenticate us, "
                   "and get no retry configs\n",
                   path.c_str(), printable_name((*key)->public_name()).c_str());
    keys.push_back(std::move(*key));
  }
  return 0;
}

int run_server(ServerOptions& opts) {
  auto policy = opts.tls.make_policy();
  if (!policy.ok()) {
    std::fprintf(stderr, "tessera server: %s\n", policy.error().to_string().c_str());
    return 2;
  }
  // Someone asking for client certificates without saying whom to trust
  // would otherwise get a server that asks for none.
  if (opts.verify_client_given && opts.client_ca.empty()) {
    std::fprintf(stderr,
                 "tessera server: --verify-client %s asks for client certificates: it needs "
                 "--client-ca (the CA that issues them)\n",
                 opts.verify_client.c_str());
    return 2;
  }
  if (opts.crl.given() && opts.client_ca.empty()) {
    std::fprintf(stderr,
                 "tessera server: --crl checks client certificates: it needs --client-ca "
                 "(client certificate verification)\n");
    return 2;
  }
  if (opts.allow.given() && opts.client_ca.empty() && !opts.psk.given()) {
    std::fprintf(stderr,
                 "tessera server: --allow-peer checks clients that authenticate: it needs "
                 "--client-ca (client certificates) or --psk-file (external PSKs)\n");
    return 2;
  }
  // A certificate, external PSKs, or both. Without a certificate only
  // clients with one of the PSKs can connect, so nothing that belongs to a
  // certificate handshake has a use.
  const bool have_cert = !opts.certs.empty() || !opts.keys.empty();
  if (!have_cert && !opts.psk.given()) {
    std::fprintf(stderr,
                 "tessera server: give --cert and --key, --psk-file (TLS 1.3 external PSKs), or "
                 "both\n");
    return 2;
  }
  if (opts.certs.size() != opts.keys.size()) {
    std::fprintf(stderr,
                 "tessera server: --cert and --key go together (one --key for each --cert: %zu "
                 "--cert, %zu --key)\n",
                 opts.certs.size(), opts.keys.size());
    return 2;
  }
  if (!have_cert && (!opts.client_ca.empty() || !opts.ocsp_response.empty())) {
    std::fprintf(stderr,
                 "tessera server: %s needs --cert/--key: a server with only --psk-file makes no "
                 "certificate handshake\n",
                 opts.client_ca.empty() ? "--ocsp-response" : "--client-ca");
    return 2;
  }
  auto provider = crypto::default_provider();
  auto cfg = std::make_shared<ServerConfig>();
  cfg->policy = *policy;
  cfg->provider = provider;
  cfg->alpn = opts.tls.alpn_list();
  cfg->keylog = opts.tls.keylog();
  cfg->max_early_data = opts.max_early_data;
  auto check = opts.allow.make();
  if (!check.ok()) {
    std::fprintf(stderr, "tessera server: %s\n", check.error().to_string().c_str());
    return 2;
  }
  cfg->peer_check = std::move(*check);
  size_t psk_count = 0;
  if (opts.psk.given()) {
    auto psks = opts.psk.load();
    if (!psks.ok()) {
      std::fprintf(stderr, "tessera server: loading --psk-file: %s\n",
                   psks.error().to_string().c_str());
      return 1;
    }
    // A map by identity: a file may list a whole fleet's devices.
    auto store = std::make_shared<MemoryExternalPskStore>();
    for (auto& x : *psks) {
      if (auto added = store->add(std::move(x)); !added.ok()) {
        std::fprintf(stderr, "tessera server: loading --psk-file: %s\n",
                     added.error().to_string().c_str());
        return 1;
      }
    }
    psk_count = store->size();
    cfg->external_psk_store = std::move(store);
  }
  std::vector<std::shared_ptr<const Credential>> creds;
  if (have_cert) {
    auto loaded = read_credentials(opts, *provider);
    if (!loaded.ok()) {
      std::fprintf(stderr, "tessera server: %s\n", loaded.error().to_string().c_str());
      return 1;
    }
    creds = *loaded;
    auto reloader = std::make_shared<CertificateReloader>(opts, provider, std::move(*loaded));
    cfg->credential_resolver = [reloader](std::string_view) { return reloader->resolve(); };
  }
  // Encrypted Client Hello keys (read at start; SIGHUP does not reload them).
  if (int rc = load_ech_keys(opts, *cfg, creds, cfg->ech_keys); rc != 0) return rc;
  if (!opts.client_ca.empty()) {
    auto ts = std::make_shared<x509::TrustStore>();
    auto r = ts->add_bundle(opts.client_ca);
    if (!r.ok()) {
      std::fprintf(stderr, "tessera server: %s\n", r.error().to_string().c_str());
      return 1;
    }
    if (ts->skipped_certificates() > 0)
      std::fprintf(stderr,
                   "tessera server: warning: --client-ca %s: skipped %zu certificate(s) that do "
                   "not parse\n",
                   opts.client_ca.c_str(), ts->skipped_certificates());
    cfg->client_trust = ts;
    // post-handshake: no certificate in the handshake; each session asks
    // for it once the handshake is done.
    cfg->client_auth = opts.verify_client == "optional"         ? ClientAuth::optional
                       : opts.verify_client == "post-handshake" ? ClientAuth::none
                                                                : ClientAuth::required;
    auto crls = opts.crl.load();
    if (!crls.ok()) {
      std::fprintf(stderr, "tessera server: loading --crl: %s\n", crls.error().to_string().c_str());
      return 1;
    }
    cfg->client_crls = std::move(*crls);
    cfg->client_crl_check = opts.crl.mode();
  }

  if (auto lim = raise_open_file_limit(); !lim.ok()) {
    std::fprintf(stderr, "tessera server: warning: %s\n", lim.error().to_string().c_str());
  }
  EventServerOptions eo;
  eo.host = opts.host;
  eo.port = opts.port;
  eo.workers = opts.workers;
  eo.handshake_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(opts.handshake_timeout * 1000));
  eo.idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(opts.idle_timeout * 1000));
  eo.max_connections = static_cast<uint64_t>(opts.max_connections);
  eo.max_open = opts.max_open;
  eo.max_open_per_peer = opts.max_open_per_peer;
  const bool trace = opts.tls.trace, echo = opts.echo;
  const bool post_handshake = !opts.client_ca.empty() && opts.verify_client == "post-handshake";
  const bool ech = !cfg->ech_keys.empty();
  auto tls = std::make_shared<const TlsOptions>(opts.tls);
  auto server = EventServer::listen(
      cfg, eo,
      [trace, echo, provider, tls, post_handshake, ech](
          const std::string& peer, Connection& c) -> std::unique_ptr<ServerSession> {
        std::unique_ptr<Tracer> tracer;
        if (trace) {
          tracer = std::make_unique<Tracer>("server " + peer);
          c.set_trace(tracer->callback());
        }
        if (echo)
          return std::make_unique<EchoSession>(peer, c, std::move(tracer), provider, tls,
                                               post_handshake, ech);
        return std::make_unique<PageSession>(peer, c, std::move(tracer), provider, tls,
                                             post_handshake, ech);
      });
  if (!server.ok()) {
    std::fprintf(stderr, "tessera server: %s\n", server.error().to_string().c_str());
    return server.error().code() == ErrorCode::config_invalid ? 2 : 1;
  }
  g_server = server->get();
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGHUP, on_sighup);
  std::signal(SIGPIPE, SIG_IGN);
  {
    std::lock_guard<std::mutex> lock(output_mutex());
    std::string psks;
    if (psk_count != 0)
      psks = ", " + std::to_string(psk_count) + " external PSK" + (psk_count == 1 ? "" : "s") +
             (have_cert ? "" : " and no certificate");
    std::string ech_keys;
    for (const auto& k : cfg->ech_keys)
      ech_keys += (ech_keys.empty() ? ", ECH: config " : "; config ") +
                  std::to_string(k->config_id()) + " for " + printable_name(k->public_name());
    std::fprintf(stderr, "tessera server listening on %s:%u (policy %s%s%s)\n", opts.host.c_str(),
                 (*server)->port(), cfg->policy.name.c_str(), psks.c_str(), ech_keys.c_str());
  }
  auto r = (*server)->run();
  g_server = nullptr;
  if (!r.ok()) {
    std::fprintf(stderr, "tessera server: %s\n", r.error().to_string().c_str());
    return 1;
  }
  return 0;
}

const bool kRegistered = register_command(
    {"server", "Run a TLS server (HTML status page or --echo)", [](CLI::App& app) -> Runner {
       auto o = std::make_shared<ServerOptions>();
       app.add_option("--port", o->port, "TCP port")->required();
       app.add_option("--host", o->host, "Address to listen on")->capture_default_str();
       app.add_option("--cert", o->certs,
                      "Certificate chain PEM (leaf first); optional with --psk-file. Repeat with "
                      "--key for several (chosen by the client's SNI and signature algorithms)");
       app.add_option("--key", o->keys,
                      "Private key PEM, one per --cert; or a PKCS #11 URI "
                      "(pkcs11:token=...;object=...) for a key on a token");
       app.add_option("--client-ca", o->client_ca, "Request client certificates trusted by CA.pem");
       app.add_option("--verify-client", o->verify_client,
                      "With --client-ca. require|optional: in the handshake; post-handshake: ask "
                      "TLS 1.3 clients that offer it once the handshake is done (RFC 8446 4.6.2)")
           ->check(CLI::IsMember({"require", "optional", "post-handshake"}))
           ->capture_default_str()
           ->each([o](const std::string&) { o->verify_client_given = true; });
       app.add_flag("--echo", o->echo, "Echo bytes instead of answering HTTP");
       app.add_option("--early-data", o->max_early_data,
                      "Accept up to N bytes of TLS 1.3 0-RTT data on resumed connections "
                      "(replayable; anti-replay: single claim per ticket, 10 s window); 0: off")
           ->capture_default_str();
       app.add_option("--max-connections", o->max_connections,
                      "Exit after N connections (0: never)");
       app.add_option("--max-open", o->max_open,
                      "Connections open at once; more wait in the listen backlog (0: as many as "
                      "descriptors allow)")
           ->capture_default_str();
       app.add_option("--max-open-per-peer", o->max_open_per_peer,
                      "Connections open at once from one client address; more are closed at "
                      "accept (0: no limit)")
           ->capture_default_str();
       app.add_option("--workers", o->workers, "Event-loop threads (0: one per core)")
           ->capture_default_str();
       app.add_option("--handshake-timeout", o->handshake_timeout,
                      "Seconds from accept to handshake done before a connection is dropped")
           ->capture_default_str()
           ->check(CLI::Range(0.001, 3600.0));
       app.add_option("--idle-timeout", o->idle_timeout,
                      "Seconds without bytes from the client before it is closed (0: never)")
           ->capture_default_str()
           ->check(CLI::Range(0.0, 86400.0));
       app.add_option("--ocsp-response", o->ocsp_response,
                      "Staple this DER OCSP response about the (first) --cert to clients that "
                      "ask (status_request); checked at start")
           ->check(CLI::ExistingFile);
       app.add_option("--ech-key", o->ech_keys,
                      "Encrypted Client Hello key file from tessera ech keygen (repeatable): open "
                      "clients' encrypted ClientHellos; needs a --cert for each key's public name")
           ->check(CLI::ExistingFile);
       o->crl.add(app, "client certificates (with --client-ca)");
       o->allow.add(app, "clients (with --client-ca or --psk-file)");
       o->psk.add(app, false);
       o->tls.add(app);
       return [o] { return run_server(*o); };
     }});

}  // namespace
}  // namespace tessera::cli
