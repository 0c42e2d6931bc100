// fuzz/state_machine.h — the scenarios shared by the state-machine fuzz
// targets (fuzz_client, fuzz_server) and the seed generator (corpus_gen.cc).
//
// Both peers use a crypto::DeterministicProvider with fixed seeds, the server
// an Ed25519 certificate (Ed25519 signatures are deterministic, RFC 8032), a
// fixed HelloRetryRequest cookie key and a fixed ECH key, and the clock is
// pinned. So every byte the tessera peer under test sends is the same from
// run to run, and a flight recorded from a real handshake (corpus_gen)
// replays completely: the fuzzer starts from inputs that get past Finished
// into application data, KeyUpdate and close_notify, and mutates from there.
//
// Input format of both targets: byte 0 selects the scenario (modulo
// kNumScenarios), the rest is the byte stream from the peer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "crypto/deterministic.h"
#include "fuzz_common.h"
#include "handshake/tickets.h"
#include "tessera/config.h"
#include "tessera/connection.h"
#include "tessera/ech.h"
#include "tessera/session.h"
#include "tessera/signer.h"
#include "x509/trust_store.h"

namespace tessera::fuzz {

// TLS 1.3: plain, mtls, hello_retry, alpn. TLS 1.2 (ECDHE_ECDSA with the
// Ed25519 certificate, extended master secret): tls12, tls12_mtls. TLS 1.3
// resumption with 0-RTT data: resume_early (the client holds a session whose
// ticket the server's fixed ticket key opens, and sends early data). TLS 1.3
// mutual TLS with RFC 8879 certificate compression both ways: compressed
// (the server sends its certificate brotli-compressed, the client its own
// zstd-compressed), so the fuzzer reaches the decompressors from a real flight.
// TLS 1.3 with an external PSK (RFC 8446 4.2.11): psk (a client that knows
// only the PSK, a server that has only PSKs and no certificate). TLS 1.3
// post-handshake client authentication (RFC 8446 4.6.2): pha (the server asks
// for the client's certificate as soon as its handshake is done; see feed).
// TLS 1.3 with Encrypted Client Hello (draft-ietf-tls-esni-25): ech (the
// client seals its ClientHello to the server's fixed ECH key, fuzz_ech_key,
// and the server opens it, so ECH is accepted); grease (a client with
// ClientConfig::ech_grease and no config, a server with the ECH key: the
// server cannot open the GREASE extension and sends retry configs, which
// the client checks and drops); echhrr (ech after a HelloRetryRequest: the
// confirmation in its extension, the second ClientHello sealed with the
// same HPKE context). TLS 1.3 mutual TLS with both keys held by
// asynchronous KeySigners (tessera/signer.h): async (each side pauses at its
// CertificateVerify; feed completes the signature, so the input that arrived
// meanwhile is processed from where the engine kept it).
enum class Scenario : uint8_t {
  plain = 0,
  mtls = 1,
  hello_retry = 2,
  alpn = 3,
  tls12 = 4,
  tls12_mtls = 5,
  resume_early = 6,
  compressed = 7,
  external_psk = 8,
  post_handshake = 9,
  ech = 10,
  ech_grease = 11,
  ech_hello_retry = 12,
  async_signer = 13
};
inline constexpr uint8_t kNumScenarios = 14;
inline const char* const kScenarioNames[kNumScenarios] = {
    "plain", "mtls", "hrr", "alpn", "tls12",  "tls12m", "early",
    "compr", "psk",  "pha", "ech",  "grease", "echhrr", "async"};

inline bool uses_ech_key(Scenario s) {
  return s == Scenario::ech || s == Scenario::ech_grease || s == Scenario::ech_hello_retry;
}

inline bool is_tls12(Scenario s) { return s == Scenario::tls12 || s == Scenario::tls12_mtls; }

inline constexpr std::string_view kClientSeed = "tessera-fuzz-client";
inline constexpr std::string_view kServerSeed = "tessera-fuzz-server";

struct Fixtures {
  std::shared_ptr<const Credential> server_cred, client_cred;
  // The same keys behind asynchronous KeySigners (the async scenario).
  std::shared_ptr<const Credential> async_server_cred, async_client_cred;
  std::shared_ptr<const x509::TrustStore> trust;
};

// AsyncSigner signs with a fixture's key, asynchronously: the handshake
// pauses and feed() completes the signature.
class AsyncSigner final : public KeySigner {
 public:
  AsyncSigner(std::shared_ptr<const crypto::PrivateKey> key, SignatureScheme scheme)
      : key_(std::move(key)), scheme_(scheme) {}
  std::vector<SignatureScheme> schemes() const override { return {scheme_}; }
  bool asynchronous() const override { return true; }
  Result<std::vector<uint8_t>> sign(SignatureScheme scheme,
                                    std::span<const uint8_t> message) const override {
    return key_->sign(scheme, message);
  }

 private:
  std::shared_ptr<const crypto::PrivateKey> key_;
  SignatureScheme scheme_;
};

inline const Fixtures& fixtures() {
  static const Fixtures* f = [] {
    auto* out = new Fixtures;
    auto load = [](const char* base) {
      auto c = Credential::from_pem(read_pki(std::string(base) + ".pem"),
                                    read_pki(std::string(base) + ".key"));
      if (!c.ok()) std::abort();
      return std::make_shared<const Credential>(std::move(*c));
    };
    out->server_cred = load("server-ed25519");
    out->client_cred = load("client-ec");
    auto async = [](const char* base, const std::shared_ptr<const Credential>& from,
                    SignatureScheme scheme) {
      auto c = Credential::from_signer(read_pki(std::string(base) + ".pem"),
                                       std::make_shared<AsyncSigner>(from->key, scheme));
      if (!c.ok()) std::abort();
      return std::make_shared<const Credential>(std::move(*c));
    };
    out->async_server_cred = async("server-ed25519", out->server_cred, SignatureScheme::ed25519);
    out->async_client_cred =
        async("client-ec", out->client_cred, SignatureScheme::ecdsa_secp256r1_sha256);
    auto t = load_trust_anchors(read_pki("ca.pem"));
    if (!t.ok()) std::abort();
    out->trust = *t;
    return out;
  }();
  return *f;
}

// resume_early's fixtures: one fixed ticket key, a replay guard that lets the
// same ClientHello carry early data on every run (the fuzzer replays inputs
// by design; the guard itself is unit-tested), and the client's session: a
// ticket sealed under that key for a 32-byte PSK, issued at kFuzzNow.
class FixedTicketKeys final : public TicketKeyProvider {
 public:
  TicketKey current(int64_t) override { return key(); }
  std::optional<TicketKey> find(const std::array<uint8_t, 16>& id, int64_t) override {
    if (id != key().id) return std::nullopt;
    return key();
  }
  static TicketKey key() {
    TicketKey k;
    k.id.fill(0x42);
    k.key.fill(0x24);
    return k;
  }
};

class AlwaysFresh final : public ReplayGuard {
 public:
  int64_t window_ms() const override { return 10000; }
  bool claim(const std::array<uint8_t, 32>&, int64_t) override { return true; }
};

inline constexpr uint32_t kFuzzMaxEarlyData = 4096;

inline const Session& early_session() {
  static const Session* s = [] {
    const Bytes psk(32, 0x11);
    handshake::TicketState st;
    st.version = 0x0304;
    st.cipher_suite = 0x1301;  // TLS_AES_128_GCM_SHA256
    st.issued_at_ms = kFuzzNow * 1000;
    st.lifetime_s = 7200;
    st.psk = SecretBytes(psk);
    st.sni = "localhost";
    st.max_early_data = kFuzzMaxEarlyData;
    crypto::DeterministicProvider p(as_bytes_view(std::string_view("tessera-fuzz-ticket")));
    FixedTicketKeys keys;
    auto ticket = handshake::seal_ticket(p, keys, st, kFuzzNow);
    if (!ticket.ok()) std::abort();
    auto* out = new Session;
    out->version = 0x0304;
    out->cipher_suite = st.cipher_suite;
    out->server_name = "localhost";
    out->ticket = *ticket;
    out->lifetime_s = st.lifetime_s;
    out->received_at_ms = st.issued_at_ms;
    out->max_early_data = kFuzzMaxEarlyData;
    out->psk = psk;
    return out;
  }();
  return *s;
}

// external_psk's key, the same on both sides.
inline std::shared_ptr<const ExternalPsk> fuzz_psk() {
  static const auto* p = [] {
    auto k = ExternalPsk::make("fuzz-device", std::vector<uint8_t>(32, 0x77));
    if (!k.ok()) std::abort();
    return new std::shared_ptr<const ExternalPsk>(std::make_shared<ExternalPsk>(std::move(*k)));
  }();
  return *p;
}

// ech's key: an X25519 key pair drawn from a DeterministicProvider of its
// own seed, so the ECHConfig (and the ECHConfigList the client is given) is
// the same on every run. Its public name is localhost, the inner ClientHello's
// name too: the scenarios' one certificate (server-ed25519, SAN localhost)
// covers both, so the server also answers a ClientHello it cannot open (the
// refusal path, reached by mutations) deterministically, with Ed25519.
// maximum_name_length 32 makes the client pad the inner ClientHello (6.1.3).
inline constexpr uint8_t kFuzzEchConfigId = 0x2a;

inline std::shared_ptr<const EchKey> fuzz_ech_key() {
  static const auto* k = [] {
    auto p = std::make_shared<crypto::DeterministicProvider>(
        as_bytes_view(std::string_view("tessera-fuzz-ech")));
    auto key = EchKey::generate({"localhost", kFuzzEchConfigId, 32}, p);
    if (!key.ok()) std::abort();
    return new std::shared_ptr<const EchKey>(std::make_shared<EchKey>(std::move(*key)));
  }();
  return *k;
}

// peer_check_for allows the fixtures' peers (either side's view).
inline PeerCheck peer_check_for(Scenario s) {
  auto check = s == Scenario::external_psk
                   ? allow_peers({"psk:fuzz-device"})
                   : allow_peers({"DNS:localhost", "CN:tessera test client"});
  if (!check.ok()) std::abort();
  return *check;
}

inline std::shared_ptr<ClientConfig> client_config(Scenario s) {
  auto c = std::make_shared<ClientConfig>();
  c->provider = std::make_shared<crypto::DeterministicProvider>(as_bytes_view(kClientSeed));
  c->trust = fixtures().trust;
  c->clock = [] { return kFuzzNow; };
  if (s == Scenario::mtls || s == Scenario::tls12_mtls || s == Scenario::compressed ||
      s == Scenario::post_handshake)
    c->credential = fixtures().client_cred;
  if (s == Scenario::async_signer) c->credential = fixtures().async_client_cred;
  c->post_handshake_auth = s == Scenario::post_handshake;
  if (s == Scenario::compressed)
    c->policy.cert_compression = {CertCompression::zstd, CertCompression::zlib,
                                  CertCompression::brotli};
  if (is_tls12(s)) {
    c->policy.max_version = ProtocolVersion::tls12;
    c->policy.cipher_suites = c->policy.suites_for(ProtocolVersion::tls12);
  }
  // A share the server does not accept forces a HelloRetryRequest (RFC 8446 4.1.4).
  if (s == Scenario::hello_retry || s == Scenario::ech_hello_retry)
    c->policy.key_share_groups = {NamedGroup::secp384r1};
  if (s == Scenario::alpn) c->alpn = {"h2", "http/1.1"};
  if (s == Scenario::ech_grease) c->ech_grease = true;
  if (s == Scenario::resume_early) {
    auto store = std::make_shared<MemorySessionStore>();
    store->put("localhost", early_session());
    c->session_store = store;
  }
  if (s == Scenario::external_psk) {
    c->external_psk = fuzz_psk();
    c->verify_peer = false;
  }
  // The mTLS and PSK scenarios authorize the peer too (PeerCheck): the
  // identity is built from what the peer sent, and the legitimate peer passes.
  if (s == Scenario::mtls || s == Scenario::tls12_mtls || s == Scenario::external_psk)
    c->peer_check = peer_check_for(s);
  return c;
}

inline std::shared_ptr<ServerConfig> server_config(Scenario s) {
  auto c = std::make_shared<ServerConfig>();
  c->provider = std::make_shared<crypto::DeterministicProvider>(as_bytes_view(kServerSeed));
  c->credentials = {fixtures().server_cred};
  c->clock = [] { return kFuzzNow; };
  c->cookie_key = std::vector<uint8_t>(32, 0x5a);
  if (s == Scenario::mtls || s == Scenario::tls12_mtls || s == Scenario::compressed ||
      s == Scenario::async_signer) {
    c->client_auth = ClientAuth::required;
    c->client_trust = fixtures().trust;
  }
  if (s == Scenario::async_signer) c->credentials = {fixtures().async_server_cred};
  if (s == Scenario::compressed)
    c->policy.cert_compression = {CertCompression::brotli, CertCompression::zstd,
                                  CertCompression::zlib};
  if (s == Scenario::hello_retry || s == Scenario::ech_hello_retry)
    c->policy.groups = {NamedGroup::x25519, NamedGroup::secp256r1};
  if (s == Scenario::alpn) c->alpn = {"http/1.1"};
  if (s == Scenario::resume_early) {
    c->ticket_keys = std::make_shared<FixedTicketKeys>();
    c->replay_guard = std::make_shared<AlwaysFresh>();
    c->max_early_data = kFuzzMaxEarlyData;
  }
  if (s == Scenario::external_psk) {
    c->credentials.clear();
    c->external_psks = {fuzz_psk()};
  }
  // pha: no certificate in the handshake; asked for after it (feed).
  if (s == Scenario::post_handshake) c->client_trust = fixtures().trust;
  if (uses_ech_key(s)) c->ech_keys = {fuzz_ech_key()};
  if (s == Scenario::mtls || s == Scenario::tls12_mtls || s == Scenario::external_psk ||
      s == Scenario::post_handshake)
    c->peer_check = peer_check_for(s);
  return c;
}

// feed gives a connection the peer's bytes. A pha server takes them record by
// record and asks for the client's certificate as soon as its handshake is
// done, as an application would, so that the client's answer that follows in
// the stream meets a request.
// In async, a signature the handshake asks for is made and handed back at
// once (complete_signatures), as the application would.
inline Result<void> complete_signatures(Connection& c, Result<void> r) {
  return r.ok() ? c.sign_inline() : r;
}

inline Result<void> feed(Connection& c, Scenario s, bool server, std::span<const uint8_t> in) {
  if (s == Scenario::async_signer) return complete_signatures(c, c.receive_tls(in));
  if (!server || s != Scenario::post_handshake) return c.receive_tls(in);
  bool asked = false;
  size_t at = 0;
  while (at < in.size()) {
    size_t n = in.size() - at;
    if (n >= 5) n = std::min(n, 5 + ((size_t{in[at + 3]} << 8) | in[at + 4]));
    auto r = c.receive_tls(in.subspan(at, n));
    if (!r.ok()) return r;
    at += n;
    if (!asked && c.is_handshake_done()) {
      asked = true;
      (void)c.request_client_certificate();
    }
  }
  return ok();
}

// client_options: the server name, and in ech the key's ECHConfigList.
inline ClientOptions client_options(Scenario s) {
  ClientOptions o{"localhost", {}};
  if (s == Scenario::ech || s == Scenario::ech_hello_retry)
    o.ech_config_list = fuzz_ech_key()->config_list();
  return o;
}

// new_client makes the scenario's client connection (with its 0-RTT request
// in resume_early); its first flight is queued.
inline Result<std::unique_ptr<Connection>> new_client(Scenario s) {
  if (s != Scenario::resume_early) return Connection::client(client_config(s), client_options(s));
  const std::string_view req = "GET /early HTTP/1.0\r\n\r\n";
  return Connection::client_with_early_data(client_config(s), client_options(s),
                                            EarlyDataRequest{Bytes(req.begin(), req.end()), true});
}

// exercise drives a connection after its input was fed: drains output and
// events, and once the handshake is done reads, writes, updates keys and
// closes, so that those paths run on fuzzed state too.
inline void exercise(Connection& c) {
  while (c.poll_event()) {
  }
  (void)c.summary();
  if (c.is_handshake_done() && !c.error()) {
    c.consume_app_data(c.app_data().size());
    c.consume_early_data(c.early_data().size());
    static const uint8_t kMsg[] = {'p', 'i', 'n', 'g'};
    (void)c.write(kMsg);
    (void)c.key_update(true);
    c.close();
  }
  c.consume_tls(c.pending_tls().size());
}

}  // namespace tessera::fuzz
