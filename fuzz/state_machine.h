// fuzz/state_machine.h — the scenarios shared by the state-machine fuzz
// targets (fuzz_client, fuzz_server) and the seed generator (corpus_gen.cc).
//
// Both peers use a crypto::DeterministicProvider with fixed seeds, the server
// an Ed25519 certificate (Ed25519 signatures are deterministic, RFC 8032) and
// a fixed HelloRetryRequest cookie key, and the clock is pinned. So every
// byte the tessera peer under test sends is the same from run to run, and a
// flight recorded from a real handshake (corpus_gen) replays completely:
// the fuzzer starts from inputs that get past Finished into application data,
// KeyUpdate and close_notify, and mutates from there.
//
// Input format of both targets: byte 0 selects the scenario (modulo
// kNumScenarios), the rest is the byte stream from the peer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "crypto/deterministic.h"
#include "fuzz_common.h"
#include "tessera/config.h"
#include "tessera/connection.h"
#include "x509/trust_store.h"

namespace tessera::fuzz {

// TLS 1.3: plain, mtls, hello_retry, alpn. TLS 1.2 (ECDHE_ECDSA with the
// Ed25519 certificate, extended master secret): tls12, tls12_mtls.
enum class Scenario : uint8_t {
  plain = 0,
  mtls = 1,
  hello_retry = 2,
  alpn = 3,
  tls12 = 4,
  tls12_mtls = 5
};
inline constexpr uint8_t kNumScenarios = 6;
inline const char* const kScenarioNames[kNumScenarios] = {"plain", "mtls",  "hrr",
                                                          "alpn",  "tls12", "tls12m"};

inline bool is_tls12(Scenario s) { return s == Scenario::tls12 || s == Scenario::tls12_mtls; }

inline constexpr std::string_view kClientSeed = "tessera-fuzz-client";
inline constexpr std::string_view kServerSeed = "tessera-fuzz-server";

struct Fixtures {
  std::shared_ptr<const Credential> server_cred, client_cred;
  std::shared_ptr<const x509::TrustStore> trust;
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
    auto t = load_trust_anchors(read_pki("ca.pem"));
    if (!t.ok()) std::abort();
    out->trust = *t;
    return out;
  }();
  return *f;
}

inline std::shared_ptr<ClientConfig> client_config(Scenario s) {
  auto c = std::make_shared<ClientConfig>();
  c->provider = std::make_shared<crypto::DeterministicProvider>(as_bytes_view(kClientSeed));
  c->trust = fixtures().trust;
  c->clock = [] { return kFuzzNow; };
  if (s == Scenario::mtls || s == Scenario::tls12_mtls) c->credential = fixtures().client_cred;
  if (is_tls12(s)) {
    c->policy.max_version = ProtocolVersion::tls12;
    c->policy.cipher_suites = c->policy.suites_for(ProtocolVersion::tls12);
  }
  // A share the server does not accept forces a HelloRetryRequest (RFC 8446 4.1.4).
  if (s == Scenario::hello_retry) c->policy.key_share_groups = {NamedGroup::secp384r1};
  if (s == Scenario::alpn) c->alpn = {"h2", "http/1.1"};
  return c;
}

inline std::shared_ptr<ServerConfig> server_config(Scenario s) {
  auto c = std::make_shared<ServerConfig>();
  c->provider = std::make_shared<crypto::DeterministicProvider>(as_bytes_view(kServerSeed));
  c->credentials = {fixtures().server_cred};
  c->clock = [] { return kFuzzNow; };
  c->cookie_key = std::vector<uint8_t>(32, 0x5a);
  if (s == Scenario::mtls || s == Scenario::tls12_mtls) {
    c->client_auth = ClientAuth::required;
    c->client_trust = fixtures().trust;
  }
  if (s == Scenario::hello_retry) c->policy.groups = {NamedGroup::x25519, NamedGroup::secp256r1};
  if (s == Scenario::alpn) c->alpn = {"http/1.1"};
  return c;
}

inline ClientOptions client_options() { return ClientOptions{"localhost", {}}; }

// exercise drives a connection after its input was fed: drains output and
// events, and once the handshake is done reads, writes, updates keys and
// closes, so that those paths run on fuzzed state too.
inline void exercise(Connection& c) {
  while (c.poll_event()) {
  }
  (void)c.summary();
  if (c.is_handshake_done() && !c.error()) {
    c.consume_app_data(c.app_data().size());
    static const uint8_t kMsg[] = {'p', 'i', 'n', 'g'};
    (void)c.write(kMsg);
    (void)c.key_update(true);
    c.close();
  }
  c.consume_tls(c.pending_tls().size());
}

}  // namespace tessera::fuzz
