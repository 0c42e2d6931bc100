// `tessera demo`: the README's main job. Creates a throw-away local PKI,
// starts a server that requires mTLS on a free loopback port, connects a
// client, shows every handshake step on both sides (the server staples an
// OCSP response from the demo CA, which the client checks), exchanges a message, and
// then shows three refused handshakes with the reason: a client certificate
// from an untrusted CA, a trusted one the server's allowlist does not name
// (authorization, PeerCheck), and the client certificate after the CA
// revoked it (a CRL the server checks). In TLS 1.3, two more: the server
// asks for the client certificate after the handshake, and an Encrypted
// Client Hello handshake (the outer ClientHello names only the public name;
// the server opens the inner one and answers it). Exits 0 when everything
// went as expected.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>
#include <future>
#include <thread>

#include "command.h"
#include "crypto/provider.h"
#include "ech_input.h"
#include "tessera/ech.h"
#include "tessera/stream.h"
#include "tls_options.h"
#include "wire/ech.h"
#include "wire/hello.h"
#include "x509/builder.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/name.h"
#include "x509/ocsp.h"
#include "x509/pem.h"
#include "x509/trust_store.h"

namespace tessera::cli {
namespace {

struct DemoOptions {
  std::string key_type = "ec-p256";
  bool tls12 = false;
  bool resume = false;
  std::string kx = "ecdhe";  // with --tls1.2: ecdhe, dhe or rsa
  bool quiet = false;
  TlsOptions tls;
};

void say(const std::string& s) {
  std::lock_guard<std::mutex> lock(output_mutex());
  std::fprintf(stderr, "%s\n", s.c_str());
}

void heading(const std::string& s) {
  say("");
  say("== " + s + " " + std::string(s.size() < 70 ? 70 - s.size() : 0, '='));
}

// request sends `msg` on an established stream, traces it (with `note`),
// reads the demo server's one reply and closes: the reply, or "" with
// `failure` saying why.
std::string request(Stream& s, Tracer& ct, const std::string& msg, const std::string& note,
                    std::string& failure) {
  ct.line("sending \"" + msg + "\"" + note);
  (void)s.write_all(as_bytes_view(msg));
  std::vector<uint8_t> buf(4096);
  auto n = s.read(buf);
  std::string reply;
  if (n.ok())
    reply.assign(reinterpret_cast<const char*>(buf.data()), *n);
  else
    failure = n.error().to_string();
  (void)s.shutdown();
  return reply;
}

struct Listener {
  int fd = -1;
  uint16_t port = 0;
  ~Listener() {
    if (fd >= 0) ::close(fd);
  }
};

Result<void> listen_loopback(Listener& l) {
  l.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;  // a free port chosen by the kernel
  if (::bind(l.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(l.fd, 8) != 0)
    return Error(ErrorCode::io_error, std::string("listen: ") + std::strerror(errno));
  socklen_t len = sizeof a;
  ::getsockname(l.fd, reinterpret_cast<sockaddr*>(&a), &len);
  l.port = ntohs(a.sin_port);
  return ok();
}

struct ServerOutcome {
  bool handshake_ok = false;
  std::string error;
  std::string received;
  bool received_early = false;  // as 0-RTT data, before the handshake completed
  HandshakeSummary summary;
};

// serve_once accepts one connection, reads the client's first message and
// answers it. ask_after_handshake: before answering, ask for the client's
// certificate (TLS 1.3 post-handshake authentication, Stream::authenticate_client).
ServerOutcome serve_once(int lfd, std::shared_ptr<const ServerConfig> cfg, Tracer* tracer,
                         bool ask_after_handshake = false) {
  ServerOutcome out;
  pollfd p{lfd, POLLIN, 0};
  if (::poll(&p, 1, 10000) <= 0) {
    out.error = "no connection within 10 s";
    return out;
  }
  int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  auto conn = Connection::server(cfg);
  if (!conn.ok()) {
    ::close(fd);
    out.error = conn.error().to_string();
    return out;
  }
  if (tracer) (*conn)->set_trace(tracer->callback());
  Stream s(fd, std::move(*conn));
  auto hs = s.handshake();
  if (!hs.ok()) {
    out.error =
        hs.error().to_string() + " (alert " + std::string(alert_name(hs.error().alert())) + ")";
    return out;
  }
  out.handshake_ok = true;
  out.summary = s.connection().summary();
  std::vector<uint8_t> buf(4096);
  // 0-RTT data arrived with the ClientHello (the demo's message is harmless
  // to replay); otherwise read the first message.
  auto early = s.connection().early_data();
  Result<size_t> n = early.size();
  if (!early.empty()) {
    out.received_early = true;
    out.received.assign(early.begin(), early.end());
    s.connection().consume_early_data(early.size());
  } else {
    n = s.read(buf);
    if (n.ok()) out.received.assign(reinterpret_cast<const char*>(buf.data()), *n);
  }
  if (n.ok() && ask_after_handshake) {
    auto who = s.authenticate_client();
    if (!who.ok()) {
      out.error = who.error().to_string();
      return out;
    }
    if (*who != ClientCertificateRequest::received)
      out.error = "the client declined to send a certificate";
    out.summary = s.connection().summary();
  }
  if (n.ok()) {
    std::string reply = "hello, " + out.summary.peer_subject + "; the server got your " +
                        std::to_string(*n) + " bytes";
    (void)s.write_all(as_bytes_view(reply));
  }
  (void)s.shutdown();
  return out;
}

struct RoguePki {
  Bytes ca_der;
  Bytes client_der;
  std::unique_ptr<crypto::PrivateKey> client_key;
};

Result<RoguePki> make_rogue_client(crypto::Provider& p, const crypto::KeyGenParams& kp,
                                   int64_t now) {
  TESSERA_ASSIGN_OR_RETURN(auto ca_key, p.generate_private_key(kp));
  TESSERA_ASSIGN_OR_RETURN(auto ca_name, x509::Name::from_string("CN=tessera demo rogue CA"));
  x509::CertificateBuilder cab(p);
  cab.subject(ca_name).validity(now - 3600, now + 86400).ca(0);
  TESSERA_ASSIGN_OR_RETURN(Bytes ca_der, cab.self_sign(*ca_key));
  TESSERA_ASSIGN_OR_RETURN(auto ca_cert, x509::Certificate::parse(ca_der));
  RoguePki r;
  TESSERA_ASSIGN_OR_RETURN(r.client_key, p.generate_private_key(kp));
  TESSERA_ASSIGN_OR_RETURN(auto cn, x509::Name::from_string("CN=mallory"));
  x509::CertificateBuilder b(p);
  b.subject(cn)
      .validity(now - 3600, now + 86400)
      .leaf_for(x509::LeafRole::client)
      .subject_public_key(r.client_key->public_spki());
  TESSERA_ASSIGN_OR_RETURN(r.client_der, b.sign(ca_cert, *ca_key));
  r.ca_der = std::move(ca_der);
  return r;
}

Result<crypto::KeyGenParams> key_params(const std::string& t) {
  crypto::KeyGenParams p;
  if (t == "ec-p256")
    p.type = crypto::KeyType::ec_p256;
  else if (t == "ec-p384")
    p.type = crypto::KeyType::ec_p384;
  else if (t == "ed25519")
    p.type = crypto::KeyType::ed25519;
  else if (t == "rsa2048") {
    p.type = crypto::KeyType::rsa;
    p.rsa_bits = 2048;
  } else
    return Error(ErrorCode::config_invalid, "unknown key type " + t);
  return p;
}

// The textbook account of a TLS 1.2 key exchange, printed before the trace.
std::vector<std::string> kx_story(const std::string& kx) {
  if (kx == "rsa")
    return {"RSA key transport: the client makes up a 48-byte premaster secret (the version",
            "3,3 and 46 random bytes), encrypts it with the RSA public key from the server's",
            "certificate and sends it in ClientKeyExchange. Only the holder of the private key",
            "can decrypt it, so a server that completes the handshake proves it has the key.",
            "No forward secrecy: anyone who later obtains the server's private key can decrypt",
            "recorded sessions. That is why this preset (compat) is needed to enable it.",
            "The server decrypts with implicit rejection: a malformed premaster becomes a",
            "random one, so padding errors are never visible (Bleichenbacher / ROBOT)."};
  if (kx == "dhe")
    return {"Finite-field Diffie-Hellman (DHE): the server picks a secret exponent a and sends",
            "the group (prime p, generator g = 2; an RFC 7919 group) and g^a mod p in",
            "ServerKeyExchange, signed with its certificate key together with both randoms.",
            "The client checks the signature, picks b, sends g^b mod p in ClientKeyExchange;",
            "both compute g^ab mod p, the premaster secret. The exponents are thrown away",
            "after the handshake: forward secrecy."};
  return {"Elliptic-curve Diffie-Hellman (ECDHE): the server picks a secret scalar a and sends",
          "the curve name and the point aG in ServerKeyExchange, signed with its certificate",
          "key together with both randoms. The client checks the signature, picks b, sends bG;",
          "both compute abG, whose x-coordinate is the premaster secret. Forward secrecy, and",
          "far cheaper than DHE at the same strength."};
}

int run_demo(DemoOptions& o) {
  auto provider = crypto::default_provider();
  if (o.kx != "ecdhe" && o.kx != "dhe" && o.kx != "rsa") {
    std::fprintf(stderr, "tessera demo: --kx must be ecdhe, dhe or rsa\n");
    return 2;
  }
  // Options that would otherwise be dropped without a word: --kx chooses a
  // TLS 1.2 key exchange (TLS 1.3's is always (EC)DHE), and the TLS 1.2
  // walk-through sets its own policy (one suite of the compat preset).
  if (!o.tls12 && o.kx != "ecdhe") {
    std::fprintf(stderr, "tessera demo: --kx %s is a TLS 1.2 key exchange: add --tls1.2\n",
                 o.kx.c_str());
    return 2;
  }
  if (o.tls12 && (o.tls.policy != "default" || !o.tls.ciphers.empty() ||
                  !o.tls.min_version.empty() || !o.tls.max_version.empty())) {
    std::fprintf(stderr,
                 "tessera demo: --tls1.2 uses its own policy (one suite of the compat preset, "
                 "chosen by --kx): --policy, --ciphers and --min/--max-version do not apply\n");
    return 2;
  }
  // DHE and RSA key transport authenticate with RSA certificates.
  if (o.tls12 && o.kx != "ecdhe") o.key_type = "rsa2048";
  auto policy = o.tls.make_policy();
  if (!policy.ok()) {
    std::fprintf(stderr, "tessera demo: %s\n", policy.error().to_string().c_str());
    return 2;
  }
  if (o.tls12) {
    // RFC 5246 handshake with one suite of the chosen key exchange: the
    // compat preset is the one that allows DHE and RSA key transport.
    Policy p = Policy::compat();
    p.min_version = p.max_version = ProtocolVersion::tls12;
    const bool rsa_cert = o.key_type == "rsa2048";
    if (o.kx == "rsa")
      p.cipher_suites = {CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256};
    else if (o.kx == "dhe")
      p.cipher_suites = {CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256};
    else
      p.cipher_suites = {rsa_cert ? CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
                                  : CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    p.name += " (TLS 1.2 demo)";
    *policy = std::move(p);
  }
  auto kp = key_params(o.key_type);
  if (!kp.ok()) {
    std::fprintf(stderr, "tessera demo: %s\n", kp.error().to_string().c_str());
    return 2;
  }

  heading("1. A throw-away local PKI (in memory)");
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto pki = x509::make_local_pki(*provider, *kp, now);
  if (!pki.ok()) {
    say("could not create the demo PKI: " + pki.error().to_string());
    return 1;
  }
  // A second, unrelated CA with its own client certificate: the server does
  // not trust it.
  auto rogue = make_rogue_client(*provider, *kp, now);
  if (!rogue.ok()) {
    say("could not create the rogue CA: " + rogue.error().to_string());
    return 1;
  }
  auto subject_of = [](const Bytes& der) {
    auto c = x509::Certificate::parse(der);
    return c.ok() ? c->subject().to_string() : std::string("?");
  };
  say("  CA certificate      " + subject_of(pki->ca.der) +
      "  (self-signed; trusted by both sides)");
  say("  server certificate  " + subject_of(pki->server.der) +
      "  SAN localhost, 127.0.0.1, ::1; EKU serverAuth; key " + o.key_type);
  say("  client certificate  " + subject_of(pki->client.der) + "  EKU clientAuth; same CA");
  say("  rogue client cert   " + subject_of(rogue->client_der) + "  issued by " +
      subject_of(rogue->ca_der) + ", which the server does not trust");

  auto trust = std::make_shared<x509::TrustStore>();
  if (auto r = trust->add_pem(pki->ca.der); !r.ok()) {
    say("trust store: " + r.error().to_string());
    return 1;
  }
  auto server_cred = std::make_shared<Credential>();
  server_cred->chain = {pki->server.der};
  server_cred->key = std::move(pki->server.key);
  // The CA answers for the server certificate (an OCSP response, RFC 6960);
  // the server staples it and the client requires it (RFC 6066 8).
  {
    auto ca = x509::Certificate::parse(pki->ca.der);
    auto server_cert = x509::Certificate::parse(pki->server.der);
    Result<Bytes> ocsp = Error(ErrorCode::internal_error, "demo CA certificate");
    if (ca.ok() && server_cert.ok()) {
      x509::OcspResponseBuilder ob(*provider);
      ob.produced_at(now - 60).add(*server_cert, *ca, x509::OcspCertStatus::good, now - 60,
                                   now + 4 * 86400);
      ocsp = ob.sign(*ca, *pki->ca.key);
    }
    auto set = ocsp.ok() ? server_cred->set_ocsp_response(*provider, *ocsp, now)
                         : Result<void>(ocsp.error());
    if (!set.ok()) {
      say("OCSP response: " + set.error().to_string());
      return 1;
    }
    say("  OCSP response       from the CA: the server certificate is good (" +
        std::to_string(ocsp->size()) + " bytes); the server staples it");
  }
  auto client_cred = std::make_shared<Credential>();
  client_cred->chain = {pki->client.der};
  client_cred->key = std::move(pki->client.key);
  auto rogue_cred = std::make_shared<Credential>();
  rogue_cred->chain = {rogue->client_der};
  rogue_cred->key = std::move(rogue->client_key);

  auto scfg = std::make_shared<ServerConfig>();
  scfg->policy = *policy;
  scfg->provider = provider;
  scfg->credentials = {server_cred};
  scfg->client_auth = ClientAuth::required;
  scfg->client_trust = trust;
  scfg->alpn = {"http/1.1"};
  scfg->keylog = o.tls.keylog();
  if (o.resume) scfg->max_early_data = 4096;  // tickets allow 0-RTT for the resumption part

  auto make_client = [&](std::shared_ptr<const Credential> cred) {
    auto c = std::make_shared<ClientConfig>();
    c->policy = *policy;
    c->provider = provider;
    c->trust = trust;
    c->credential = std::move(cred);
    c->ocsp = OcspStapling::require;
    c->alpn = {"http/1.1"};
    c->keylog = o.tls.keylog();
    return std::shared_ptr<const ClientConfig>(c);
  };

  Listener l;
  if (auto r = listen_loopback(l); !r.ok()) {
    say(r.error().to_string());
    return 1;
  }

  bool all_ok = true;
  // --- 2. the mTLS handshake ---
  heading(std::string(o.tls12 ? "2. Mutual TLS 1.2 handshake" : "2. Mutual TLS handshake") +
          " on 127.0.0.1:" + std::to_string(l.port));
  say("  The server requires a client certificate from the demo CA.");
  if (o.tls12) {
    say("  Key exchange: " + cipher_suite_name(static_cast<uint16_t>(policy->cipher_suites[0])));
    say("");
    for (const auto& line : kx_story(o.kx)) say("  " + line);
  }
  say("");
  {
    Tracer st("server"), ct("client");
    auto server = std::async(std::launch::async, [&] { return serve_once(l.fd, scfg, &st); });
    auto conn = Connection::client(make_client(client_cred), {"localhost", {}});
    if (!conn.ok()) {
      say("client: " + conn.error().to_string());
      return 1;
    }
    (*conn)->set_trace(ct.callback());
    auto fd = Stream::connect_tcp("127.0.0.1", l.port, std::chrono::seconds(5));
    if (!fd.ok()) {
      say("client: " + fd.error().to_string());
      return 1;
    }
    Stream s(*fd, std::move(*conn));
    auto hs = s.handshake();
    std::string reply;
    if (hs.ok()) {
      const auto& sum = s.connection().summary();
      ct.line("application data protected with " +
              std::string(aead_name(cipher_suite_info(sum.cipher_suite)->aead)));
      std::string failure;
      reply = request(s, ct, "hello from the tessera demo client", "", failure);
    }
    ServerOutcome so = server.get();
    say("");
    if (hs.ok() && so.handshake_ok && !reply.empty()) {
      say("  result: handshake complete on both sides");
      say("  server received: \"" + so.received + "\"");
      say("  client received: \"" + reply + "\"");
      say("  negotiated:");
      std::string d = describe_summary(s.connection().summary());
      size_t pos = 0;
      while (pos < d.size()) {
        size_t nl = d.find('\n', pos);
        say("    " + d.substr(pos, nl - pos));
        pos = nl + 1;
      }
      say("    client certificate (seen by server): " + so.summary.peer_subject);
    } else {
      all_ok = false;
      say("  UNEXPECTED: the mTLS handshake failed");
      if (!hs.ok()) say("  client error: " + hs.error().to_string());
      if (!so.error.empty()) say("  server error: " + so.error);
    }
  }

  // --- resumption: a full handshake, then a resumed one ---
  if (o.resume && !o.tls12) {
    heading("Resumption: a full handshake, then one resumed from its ticket");
    say("  After a handshake the server sends NewSessionTickets: its own state, sealed under a");
    say("  ticket key only it holds. The client keeps one with the PSK derived from the");
    say("  resumption master secret and offers it next time, proving it holds the PSK with a");
    say("  binder. The server then skips Certificate and CertificateVerify (and the client's");
    say("  certificate): no signatures, only an X25519 exchange for forward secrecy.");
    auto store = std::make_shared<MemorySessionStore>();
    // One traced connection each way, then 7 untraced ones of each kind for
    // the times (median: the machine may be busy).
    auto connect_once = [&](bool resume, bool traced, double& ms, bool& resumed,
                            const std::string& early = {}) -> bool {
      Tracer st("server"), ct("client");
      auto server = std::async(std::launch::async,
                               [&] { return serve_once(l.fd, scfg, traced ? &st : nullptr); });
      auto cc = std::make_shared<ClientConfig>(*make_client(client_cred));
      cc->session_store = resume ? store : std::make_shared<MemorySessionStore>();
      EarlyDataRequest ed;
      ed.data.assign(early.begin(), early.end());
      auto conn = Connection::client_with_early_data(cc, {"localhost", {}}, std::move(ed));
      if (!conn.ok()) return false;
      if (traced) (*conn)->set_trace(ct.callback());
      auto fd = Stream::connect_tcp("127.0.0.1", l.port, std::chrono::seconds(5));
      if (!fd.ok()) return false;
      Stream s(*fd, std::move(*conn));
      const auto t0 = std::chrono::steady_clock::now();
      auto hs = s.handshake();
      ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (hs.ok()) {
        resumed = s.connection().summary().resumed;
        std::string msg = "hello again";
        if (early.empty()) (void)s.write_all(as_bytes_view(msg));
        std::vector<uint8_t> buf(4096);
        (void)s.read(buf);  // the reply, and the tickets that precede it
        (void)s.shutdown();
      }
      ServerOutcome so = server.get();
      if (!hs.ok() || !so.handshake_ok)
        say("  UNEXPECTED: handshake failed: " + (hs.ok() ? so.error : hs.error().to_string()));
      if (!early.empty() && hs.ok() && so.handshake_ok) {
        say("");
        say(so.received_early ? "  the server received \"" + so.received +
                                    "\" as 0-RTT data, before the handshake finished"
                              : "  UNEXPECTED: the early data did not arrive as 0-RTT");
        if (!so.received_early) return false;
      }
      return hs.ok() && so.handshake_ok;
    };
    double ms = 0;
    bool resumed = false;
    say("");
    say("  -- full handshake --");
    all_ok = connect_once(true, true, ms, resumed) && !resumed;
    say("");
    say("  -- resumed handshake --");
    all_ok = all_ok && connect_once(true, true, ms, resumed) && resumed;
    say("");
    say("  -- resumed with 0-RTT early data --");
    say("  The ticket allows early data, so the client sends its first message right behind");
    say("  the ClientHello, under keys from the ticket's PSK: the server has it one round trip");
    say("  earlier. An attacker can replay it, so servers accept it once per ticket within a");
    say("  10-second window and applications use it only for requests safe to repeat.");
    all_ok = all_ok && connect_once(true, true, ms, resumed, "GET / (sent as 0-RTT)") && resumed;
    std::vector<double> full_ms, resumed_ms;
    for (int i = 0; i < 7 && all_ok; ++i) {
      all_ok = connect_once(false, false, ms, resumed) && !resumed;
      full_ms.push_back(ms);
      all_ok = all_ok && connect_once(true, false, ms, resumed) && resumed;
      resumed_ms.push_back(ms);
    }
    if (all_ok) {
      std::sort(full_ms.begin(), full_ms.end());
      std::sort(resumed_ms.begin(), resumed_ms.end());
      char line[200];
      say("");
      std::snprintf(line, sizeof line,
                    "  handshake time, median of 7 over loopback: full %.2f ms, resumed %.2f ms",
                    full_ms[3], resumed_ms[3]);
      say(line);
    } else {
      say("  UNEXPECTED: resumption did not work as shown above");
    }
  }

  // refused_handshake connects with `cred` to a server configured by `cfg`
  // and shows that the server refuses it, and why.
  auto refused_handshake = [&](std::shared_ptr<const ServerConfig> cfg,
                               std::shared_ptr<const Credential> cred, const std::string& what) {
    Tracer st("server"), ct("client");
    auto server = std::async(std::launch::async, [&] { return serve_once(l.fd, cfg, &st); });
    auto conn = Connection::client(make_client(std::move(cred)), {"localhost", {}});
    (*conn)->set_trace(ct.callback());
    auto fd = Stream::connect_tcp("127.0.0.1", l.port, std::chrono::seconds(5));
    if (!fd.ok()) {
      say("client: " + fd.error().to_string());
      server.get();
      return false;
    }
    Stream s(*fd, std::move(*conn));
    auto hs = s.handshake();
    Result<size_t> got = size_t{0};
    if (hs.ok()) {
      // In TLS 1.3 the client finishes first; the server's verdict arrives as an alert.
      std::vector<uint8_t> buf(256);
      got = s.read(buf);
    }
    ServerOutcome so = server.get();
    say("");
    if (!so.handshake_ok && (!hs.ok() || !got.ok())) {
      say("  result: refused, as expected");
      say("  server: " + so.error);
      say("  client: " + (!hs.ok() ? hs.error().to_string() : got.error().to_string()));
      return true;
    }
    say("  UNEXPECTED: the server accepted " + what);
    return false;
  };

  // --- 3. a refused handshake: untrusted CA ---
  heading("3. A client certificate from an untrusted CA is refused");
  all_ok = refused_handshake(scfg, rogue_cred, "a certificate from an untrusted CA") && all_ok;

  // --- 4. a refused handshake: trusted, but not authorized ---
  heading("4. A trusted client the server's allowlist does not name is refused");
  {
    // Path validation says who the client is; the server's PeerCheck says
    // whether it may connect (ServerConfig::peer_check, allow_peers).
    const std::vector<std::string> allowed = {"URI:spiffe://tessera.demo/ns/prod/sa/billing",
                                              "CN:billing"};
    auto check = allow_peers(allowed);
    if (!check.ok()) {
      say("allowlist: " + check.error().to_string());
      return 1;
    }
    say("  The client certificate is valid and from the trusted CA, but this server lets in");
    say("  only " + allowed[0] + " or " + allowed[1] + ".");
    auto authorizing = std::make_shared<ServerConfig>(*scfg);
    authorizing->peer_check = std::move(*check);
    all_ok = refused_handshake(authorizing, client_cred, "a client its allowlist does not name") &&
             all_ok;
  }

  // --- 5. a refused handshake: revoked certificate ---
  heading("5. The CA revokes the client certificate; the server checks its CRL");
  {
    // RFC 5280 5: a CRL signed by the CA, listing the client certificate's
    // serial; the server consults it for every client certificate
    // (ServerConfig::client_crls, CrlCheck::chain).
    auto client_cert = x509::Certificate::parse(client_cred->chain[0]);
    auto ca_cert = x509::Certificate::parse(pki->ca.der);
    if (!client_cert.ok() || !ca_cert.ok()) {
      say("could not read the demo certificates");
      return 1;
    }
    x509::CrlBuilder cb(*provider);
    cb.this_update(now - 60).next_update(now + 7 * 86400);
    cb.revoke(Bytes(client_cert->serial().begin(), client_cert->serial().end()), now - 60,
              x509::CrlReason::key_compromise);
    auto crl_der = cb.sign(*ca_cert, *pki->ca.key);
    auto crls = std::make_shared<x509::CrlSet>();
    auto added = crl_der.ok() ? crls->add_pem(*crl_der) : Result<size_t>(crl_der.error());
    if (!added.ok()) {
      say("could not issue the demo CRL: " + added.error().to_string());
      return 1;
    }
    say("  CRL by " + subject_of(pki->ca.der) + ": serial " + client_cert->serial_hex() + " (" +
        subject_of(client_cred->chain[0]) + ") revoked, keyCompromise; next update in 7 days");
    auto revoking = std::make_shared<ServerConfig>(*scfg);
    revoking->client_crls = crls;
    all_ok = refused_handshake(revoking, client_cred, "a revoked certificate") && all_ok;
  }

  // --- 6. post-handshake client authentication (TLS 1.3) ---
  if (!o.tls12) {
    heading("6. The server asks for the client certificate after the handshake (TLS 1.3)");
    say("  This server does not ask for a certificate in the handshake: anyone may connect.");
    say("  When the client's request needs to know who it is, the server sends a");
    say("  CertificateRequest on the open connection (RFC 8446 4.6.2); the client, having");
    say("  offered post_handshake_auth, answers with Certificate, CertificateVerify and");
    say("  Finished over the handshake transcript plus that request.");
    say("");
    auto later = std::make_shared<ServerConfig>(*scfg);
    later->client_auth = ClientAuth::none;
    auto ccfg = std::make_shared<ClientConfig>(*make_client(client_cred));
    ccfg->post_handshake_auth = true;
    Tracer st("server"), ct("client");
    auto server =
        std::async(std::launch::async, [&] { return serve_once(l.fd, later, &st, /*ask=*/true); });
    std::string reply, failure;
    auto conn = Connection::client(ccfg, {"localhost", {}});
    auto fd = conn.ok() ? Stream::connect_tcp("127.0.0.1", l.port, std::chrono::seconds(5))
                        : Result<int>(conn.error());
    if (fd.ok()) {
      (*conn)->set_trace(ct.callback());
      Stream s(*fd, std::move(*conn));
      auto hs = s.handshake();
      if (hs.ok()) {
        // Reading the reply answers the CertificateRequest on the way.
        reply = request(s, ct, "GET /account", " (no certificate sent so far)", failure);
      } else {
        failure = hs.error().to_string();
      }
    } else {
      failure = fd.error().to_string();
    }
    ServerOutcome so = server.get();
    say("");
    if (so.handshake_ok && so.error.empty() && so.summary.client_authenticated && !reply.empty()) {
      say("  result: the client proved who it is after the handshake");
      say("  client certificate (seen by server): " + so.summary.peer_subject);
      say("  client received: \"" + reply + "\"");
    } else {
      all_ok = false;
      say("  UNEXPECTED: post-handshake authentication failed");
      if (!failure.empty()) say("  client error: " + failure);
      if (!so.error.empty()) say("  server error: " + so.error);
    }
  }

  // --- 7. Encrypted Client Hello (TLS 1.3) ---
  if (!o.tls12) {
    heading("7. Encrypted Client Hello: the name the client asks for travels encrypted");
    const std::string public_name = "public.tessera.demo";
    say("  The server publishes an ECH key (X25519, for HPKE; in DNS, the ech= parameter of its");
    say("  HTTPS record) under the public name " + public_name + ". The client seals its real");
    say("  ClientHello (SNI localhost, its ALPN, key shares) to that key and sends it inside an");
    say("  outer ClientHello that names only " + public_name + ". The server opens it with");
    say("  its private key and answers the inner ClientHello: an observer sees the public name.");
    bool ok = all_ok;
    auto key = EchKey::generate({public_name, 17, 0}, provider);
    // The server also holds a certificate for the public name: a client
    // whose ECH it cannot open (a stale config) authenticates that name,
    // and gets the current config to retry with.
    auto ca_cert = x509::Certificate::parse(pki->ca.der);
    auto pub_key = provider->generate_private_key(*kp);
    auto pub_name = x509::Name::from_string("CN=" + public_name);
    Result<Bytes> pub_der = Error(ErrorCode::internal_error, "public name certificate");
    if (ca_cert.ok() && pub_key.ok() && pub_name.ok()) {
      x509::CertificateBuilder b(*provider);
      b.subject(*pub_name)
          .validity(now - 3600, now + 86400)
          .leaf_for(x509::LeafRole::server)
          .add_dns(public_name)
          .subject_public_key((*pub_key)->public_spki());
      pub_der = b.sign(*ca_cert, *pki->ca.key);
    }
    if (!key.ok() || !pub_der.ok()) {
      say("could not make the ECH key: " +
          (key.ok() ? pub_der.error().to_string() : key.error().to_string()));
      return 1;
    }
    auto ech_key = std::make_shared<const EchKey>(std::move(*key));
    auto pub_cred = std::make_shared<Credential>();
    pub_cred->chain = {*pub_der};
    pub_cred->key = std::move(*pub_key);
    if (auto c = wire::EchConfig::parse(ech_key->config()); c.ok())
      say("  ECH key             " + describe_ech_config_line(*c));
    say("  ECHConfigList       " + x509::base64_encode(ech_key->config_list()) + " (base64)");
    say("  certificates        " + subject_of(pki->server.der) + " and " + subject_of(*pub_der) +
        " (the public name)");
    say("");
    auto ech_server = std::make_shared<ServerConfig>(*scfg);
    ech_server->credentials = {server_cred, pub_cred};
    ech_server->ech_keys = {ech_key};
    Tracer st("server"), ct("client");
    auto server = std::async(std::launch::async, [&] { return serve_once(l.fd, ech_server, &st); });
    ClientOptions copts{"localhost", {}, ech_key->config_list()};
    auto conn = Connection::client(make_client(client_cred), copts);
    std::string reply, failure, observed;
    HandshakeSummary client_sum;
    if (conn.ok()) {
      (*conn)->set_trace(ct.callback());
      // What an observer of the connection sees: the first record the
      // client sends, its ClientHello (record header, handshake header).
      ByteView first = (*conn)->pending_tls();
      const bool names_origin = std::search(first.begin(), first.end(), std::begin("localhost"),
                                            std::end("localhost") - 1) != first.end();
      if (first.size() > 9) {
        const size_t len = size_t{first[6]} << 16 | size_t{first[7]} << 8 | first[8];
        auto ch = wire::ClientHello::parse(first.subspan(9, std::min(len, first.size() - 9)));
        const wire::Extension* sni = ch.ok() ? ch->find_extension(wire::kExtServerName) : nullptr;
        const wire::Extension* ech =
            ch.ok() ? ch->find_extension(wire::kExtEncryptedClientHello) : nullptr;
        const Error missing(ErrorCode::internal_error, "not in the ClientHello");
        auto name =
            sni ? wire::ServerNameList::parse(sni->data) : Result<wire::ServerNameList>(missing);
        auto inner =
            ech ? wire::EchClientHello::parse(ech->data) : Result<wire::EchClientHello>(missing);
        if (name.ok() && inner.ok() && inner->outer)
          observed = "SNI " + name->host_name + "; encrypted_client_hello: config " +
                     std::to_string(inner->outer->config_id) + ", " +
                     std::to_string(inner->outer->payload.size()) +
                     " bytes of sealed ClientHello; \"localhost\" " +
                     (names_origin ? "APPEARS in it" : "appears nowhere in it");
      }
      say("");
      say("  an observer of the client's first flight sees: " +
          (observed.empty() ? std::string("(could not decode it)") : observed));
      say("");
      auto fd = Stream::connect_tcp("127.0.0.1", l.port, std::chrono::seconds(5));
      if (fd.ok()) {
        Stream s(*fd, std::move(*conn));
        auto hs = s.handshake();
        if (hs.ok()) {
          client_sum = s.connection().summary();
          reply = request(s, ct, "GET / (its SNI and ALPN were encrypted)", "", failure);
        } else {
          failure = hs.error().to_string();
        }
      } else {
        failure = fd.error().to_string();
      }
    } else {
      failure = conn.error().to_string();
    }
    ServerOutcome so = server.get();
    say("");
    if (so.handshake_ok && client_sum.ech == EchStatus::accepted &&
        so.summary.ech == EchStatus::accepted && !reply.empty() &&
        observed.find("appears nowhere") != std::string::npos) {
      say("  result: ECH accepted on both sides");
      say("  client: ECH: accepted (outer ClientHello named " + client_sum.ech_public_name +
          "); server certificate " + client_sum.peer_subject + "; ALPN " + client_sum.alpn);
      say("  server: SNI " + so.summary.server_name + " (from the encrypted ClientHello)");
      say("  client received: \"" + reply + "\"");
    } else {
      ok = false;
      say("  UNEXPECTED: the ECH handshake did not go as shown above");
      if (!failure.empty()) say("  client error: " + failure);
      if (!so.error.empty()) say("  server error: " + so.error);
    }
    all_ok = ok;
  }

  heading(all_ok ? "demo complete: everything went as expected" : "demo FAILED");
  return all_ok ? 0 : 1;
}

const bool kRegistered = register_command(
    {"demo", "Show a local mutual-TLS handshake step by step", [](CLI::App& app) -> Runner {
       auto o = std::make_shared<DemoOptions>();
       app.add_option("--key-type", o->key_type, "ec-p256, ec-p384, ed25519 or rsa2048")
           ->capture_default_str();
       app.add_flag("--tls1.2", o->tls12, "Walk through a TLS 1.2 handshake instead of TLS 1.3");
       app.add_flag("--resume", o->resume,
                    "Also show a full TLS 1.3 handshake and a resumed one, with their times");
       app.add_option("--kx", o->kx,
                      "With --tls1.2, the key exchange: ecdhe, dhe or rsa (dhe and rsa use an "
                      "RSA certificate)")
           ->capture_default_str();
       o->tls.add(app);
       return [o] { return run_demo(*o); };
     }});

}  // namespace
}  // namespace tessera::cli
