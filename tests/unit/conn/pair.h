// tests/unit/conn/pair.h — an in-memory client<->server pair over the
// sans-I/O Connection, with the test PKI in tests/vectors/pki.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <sstream>
#include <string>

#include "base/hex.h"
#include "crypto/key_schedule.h"
#include "crypto/provider.h"
#include "crypto/tls12_keys.h"
#include "handshake/common.h"
#include "record/protection.h"
#include "tessera/connection.h"
#include "tessera/session.h"
#include "wire/handshake.h"
#include "wire/hello.h"
#include "x509/certificate.h"
#include "x509/pem.h"
#include "x509/trust_store.h"

namespace tessera::testing {

// 2030-01-01T00:00:00Z, inside the test PKI's validity.
inline constexpr int64_t kTestNow = 1893456000;

inline std::string pki_path(const std::string& name) {
  return std::string(TESSERA_TEST_DATA_DIR) + "/pki/" + name;
}

inline std::string read_pki(const std::string& name) {
  std::ifstream f(pki_path(name), std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// pki_cert parses the first certificate of a test PKI file ("ca.pem").
inline x509::Certificate pki_cert(const std::string& name) {
  auto der = x509::pem_decode_label(read_pki(name), x509::pem_label::kCertificate);
  EXPECT_TRUE(der.ok() && !der->empty()) << name;
  auto c = x509::Certificate::parse(der->front());
  EXPECT_TRUE(c.ok()) << name;
  return std::move(*c);
}

inline std::shared_ptr<const Credential> credential(const std::string& base) {
  auto c = Credential::from_pem(*crypto::default_provider(), read_pki(base + ".pem"),
                                read_pki(base + ".key"));
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().to_string());
  return std::make_shared<Credential>(std::move(*c));
}

inline std::shared_ptr<x509::TrustStore> trust(const std::string& ca = "ca.pem") {
  auto t = std::make_shared<x509::TrustStore>();
  auto r = t->add_file(pki_path(ca));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return t;
}

inline std::shared_ptr<ClientConfig> client_config() {
  auto c = std::make_shared<ClientConfig>();
  c->policy = Policy::default_policy();
  c->trust = trust();
  c->clock = [] { return kTestNow; };
  return c;
}

inline std::shared_ptr<ServerConfig> server_config(const std::string& cred = "server-ec") {
  auto s = std::make_shared<ServerConfig>();
  s->policy = Policy::default_policy();
  s->credentials = {credential(cred)};
  s->clock = [] { return kTestNow; };
  return s;
}

// mtls_server_config is server_config() requiring client certificates
// from the test CA.
inline std::shared_ptr<ServerConfig> mtls_server_config(const std::string& cred = "server-ec") {
  auto s = server_config(cred);
  s->client_auth = ClientAuth::required;
  s->client_trust = trust();
  return s;
}

// versioned_client_config is client_config() for one version, with the
// credential `cred` (none when empty).
inline std::shared_ptr<ClientConfig> versioned_client_config(ProtocolVersion v,
                                                             const std::string& cred) {
  auto c = client_config();
  c->policy.min_version = c->policy.max_version = v;
  if (!cred.empty()) c->credential = credential(cred);
  return c;
}

// Resuming: a client and server config set up to resume (a session store;
// ticket keys that configs copied from sc share).
struct Resuming {
  std::shared_ptr<ClientConfig> cc;
  std::shared_ptr<ServerConfig> sc;
  std::shared_ptr<RotatingTicketKeys> keys =
      std::make_shared<RotatingTicketKeys>(crypto::default_provider());
  Resuming(std::shared_ptr<ClientConfig> c, std::shared_ptr<ServerConfig> s)
      : cc(std::move(c)), sc(std::move(s)) {
    cc->session_store = std::make_shared<MemorySessionStore>();
    sc->ticket_keys = keys;
  }
};

struct Pair {
  std::unique_ptr<Connection> client;
  std::unique_ptr<Connection> server;

  // pump moves bytes both ways until neither side has anything to send.
  // Returns false if either side failed.
  bool pump(int max_rounds = 64) {
    for (int i = 0; i < max_rounds; ++i) {
      bool moved = false;
      if (!client->pending_tls().empty()) {
        auto b = client->pending_tls();
        std::vector<uint8_t> copy(b.begin(), b.end());
        client->consume_tls(copy.size());
        (void)server->receive_tls(copy);
        moved = true;
      }
      if (!server->pending_tls().empty()) {
        auto b = server->pending_tls();
        std::vector<uint8_t> copy(b.begin(), b.end());
        server->consume_tls(copy.size());
        (void)client->receive_tls(copy);
        moved = true;
      }
      if (!moved) break;
    }
    return !client->error() && !server->error();
  }

  bool handshake() { return pump() && client->is_handshake_done() && server->is_handshake_done(); }
};

inline Pair make_tls_pair(std::shared_ptr<const ClientConfig> c,
                          std::shared_ptr<const ServerConfig> s,
                          std::string server_name = "localhost") {
  Pair p;
  auto cl = Connection::client(c, {server_name, {}});
  EXPECT_TRUE(cl.ok()) << (cl.ok() ? "" : cl.error().to_string());
  auto sv = Connection::server(s);
  EXPECT_TRUE(sv.ok()) << (sv.ok() ? "" : sv.error().to_string());
  p.client = std::move(*cl);
  p.server = std::move(*sv);
  return p;
}

inline std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(seed);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// Sends data from one side to the other in chunks and checks it arrives intact.
inline void transfer(Pair& p, bool client_to_server, size_t size) {
  Connection& from = client_to_server ? *p.client : *p.server;
  Connection& to = client_to_server ? *p.server : *p.client;
  auto data = pattern(size, static_cast<uint32_t>(size) + (client_to_server ? 1 : 2));
  std::vector<uint8_t> got;
  got.reserve(size);
  size_t sent = 0;
  while (sent < size) {
    size_t n = std::min<size_t>(256 * 1024, size - sent);
    ASSERT_TRUE(from.write(std::span<const uint8_t>(data).subspan(sent, n)).ok());
    sent += n;
    ASSERT_TRUE(p.pump());
    auto in = to.app_data();
    got.insert(got.end(), in.begin(), in.end());
    to.consume_app_data(in.size());
  }
  ASSERT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
}

// handshake_record wraps a handshake message in one plaintext TLS record.
inline std::vector<uint8_t> handshake_record(std::span<const uint8_t> msg) {
  std::vector<uint8_t> rec(5 + msg.size());
  rec[0] = 22, rec[1] = 3, rec[2] = 3;
  rec[3] = static_cast<uint8_t>(msg.size() >> 8);
  rec[4] = static_cast<uint8_t>(msg.size());
  std::copy(msg.begin(), msg.end(), rec.begin() + 5);
  return rec;
}

// client_hello_without is the ClientHello in `flight` (a client's first
// flight: one plaintext record) with extension `drop` left out, in one
// plaintext record. When it offers a PSK, `psk` is its key (SHA-256) and its
// binder is computed again, so the server can refuse the ClientHello only for
// what is missing.
inline Bytes client_hello_without(ByteView flight, uint16_t drop, ByteView psk = {},
                                  crypto::PskKind kind = crypto::PskKind::external) {
  EXPECT_GT(flight.size(), 9u);
  if (flight.size() <= 9) return {};
  auto ch = wire::ClientHello::parse(flight.subspan(9));
  EXPECT_TRUE(ch.ok()) << ch.error().to_string();
  if (!ch.ok()) return {};
  std::erase_if(ch->extensions, [&](const wire::Extension& x) { return x.type == drop; });
  auto msg = wire::encode_handshake(*ch);
  EXPECT_TRUE(msg.ok());
  if (!msg.ok()) return {};
  if (!psk.empty()) {
    auto truncated = ch->truncate_for_binders(*msg);
    EXPECT_TRUE(truncated.ok());
    if (!truncated.ok()) return {};
    auto provider = crypto::default_provider();
    const Bytes th = provider->digest(HashAlgorithm::sha256, *truncated);
    auto early = crypto::EarlySecret::derive(*provider, HashAlgorithm::sha256, psk);
    auto binder = handshake::psk_binder(early, *provider, th, kind);
    EXPECT_TRUE(binder.ok());
    if (!binder.ok()) return {};
    std::copy(binder->begin(), binder->end(), msg->end() - static_cast<long>(binder->size()));
  }
  return handshake_record(*msg);
}

// take_out returns (and consumes) what c has queued for its peer.
inline Bytes take_out(Connection& c) {
  auto b = c.pending_tls();
  Bytes v(b.begin(), b.end());
  c.consume_tls(v.size());
  return v;
}

// read_all returns (and consumes) the application data c received.
inline std::string read_all(Connection& c) {
  auto d = c.app_data();
  std::string s(d.begin(), d.end());
  c.consume_app_data(d.size());
  return s;
}

// drain_events returns (and takes) the events c queued.
inline std::vector<Event> drain_events(Connection& c) {
  std::vector<Event> out;
  while (auto e = c.poll_event()) out.push_back(*e);
  return out;
}

inline bool has_event(const std::vector<Event>& v, Event e) {
  return std::find(v.begin(), v.end(), e) != v.end();
}

inline std::string err(const Connection& c) {
  return c.error() ? c.error()->to_string() : "(none)";
}

// KeyLog holds the secrets a key log callback reported, by label
// ("CLIENT_TRAFFIC_SECRET_0", "CLIENT_RANDOM", ...): tests use them to forge
// a peer's records or to recompute what the library derived.
using KeyLog = std::map<std::string, std::vector<uint8_t>>;

// collect_key_log returns a KeyLogCallback filling `log` (and, if given,
// `client_random` with the connection's client random).
inline KeyLogCallback collect_key_log(KeyLog& log, std::vector<uint8_t>* client_random = nullptr) {
  return [&log, client_random](std::string_view line) {
    std::string l(line);
    auto a = l.find(' '), b = l.rfind(' ');
    log[l.substr(0, a)] = *from_hex(l.substr(b + 1));
    if (client_random) *client_random = *from_hex(l.substr(a + 1, b - a - 1));
  };
}

// tls13_protection is the record protection of a TLS_AES_128_GCM_SHA256
// traffic secret (from a KeyLog), for forging or reading a peer's records.
inline std::unique_ptr<record::Tls13RecordProtection> tls13_protection(
    const std::vector<uint8_t>& secret) {
  auto& prov = *crypto::default_provider();
  auto k = crypto::traffic_keys(prov, HashAlgorithm::sha256, secret, AeadAlgorithm::aes_128_gcm);
  EXPECT_TRUE(k.ok());
  return std::move(*record::Tls13RecordProtection::create(prov, AeadAlgorithm::aes_128_gcm,
                                                          k->key.view(), k->iv.view()));
}

// handshaken_pair makes a client/server pair and runs its handshake,
// expecting it to succeed.
// The records of a flight, as sent.
inline std::vector<Bytes> records_of(const Bytes& flight) {
  std::vector<Bytes> out;
  for (size_t at = 0; at + 5 <= flight.size();) {
    const size_t len = (size_t{flight[at + 3]} << 8) | flight[at + 4];
    out.emplace_back(flight.begin() + static_cast<std::ptrdiff_t>(at),
                     flight.begin() + static_cast<std::ptrdiff_t>(at + 5 + len));
    at += 5 + len;
  }
  return out;
}

// append_extension adds an extension at the end of the extension block whose
// 2-byte length is at `block` in handshake message `msg` (4-byte header
// included), and fixes that length and the message's.
inline void append_extension(Bytes& msg, size_t block, uint16_t type, const Bytes& data = {}) {
  const size_t old = (size_t{msg[block]} << 8) | msg[block + 1];
  Bytes ext = {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type),
               static_cast<uint8_t>(data.size() >> 8), static_cast<uint8_t>(data.size())};
  ext.insert(ext.end(), data.begin(), data.end());
  msg.insert(msg.begin() + static_cast<std::ptrdiff_t>(block + 2 + old), ext.begin(), ext.end());
  const size_t now = old + ext.size(), body = msg.size() - 4;
  msg[block] = static_cast<uint8_t>(now >> 8);
  msg[block + 1] = static_cast<uint8_t>(now);
  msg[1] = static_cast<uint8_t>(body >> 16);
  msg[2] = static_cast<uint8_t>(body >> 8);
  msg[3] = static_cast<uint8_t>(body);
}

inline Pair handshaken_pair(std::shared_ptr<const ClientConfig> c,
                            std::shared_ptr<const ServerConfig> s) {
  Pair p = make_tls_pair(std::move(c), std::move(s));
  EXPECT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  return p;
}

// Forged12 is a finished TLS 1.2 handshake (the configs must choose an
// AES-128-GCM suite with SHA-256) with the client's write protection rebuilt
// from its key log, the client random and the ServerHello: `writer` forges
// the client's next records (sequence number 1 on: its Finished was 0).
struct Forged12 {
  KeyLog log;
  Bytes client_random;
  Pair p;
  std::unique_ptr<record::Tls12AeadRecordProtection> writer;

  Forged12(std::shared_ptr<ClientConfig> cc, std::shared_ptr<const ServerConfig> sc) {
    cc->keylog = collect_key_log(log, &client_random);
    p = make_tls_pair(cc, std::move(sc));
    EXPECT_TRUE(p.server->receive_tls(take_out(*p.client)).ok());
    const Bytes server_flight = take_out(*p.server);
    EXPECT_TRUE(p.client->receive_tls(server_flight).ok());
    EXPECT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    // ServerHello: record header (5), handshake header (4), version (2), random.
    EXPECT_GE(server_flight.size(), 43u);
    if (server_flight.size() < 43) return;
    const Bytes server_random(server_flight.begin() + 11, server_flight.begin() + 43);
    auto& prov = *crypto::default_provider();
    auto kb = crypto::tls12_key_block(prov, HashAlgorithm::sha256, log["CLIENT_RANDOM"],
                                      client_random, server_random, AeadAlgorithm::aes_128_gcm);
    EXPECT_TRUE(kb.ok());
    if (!kb.ok()) return;
    auto w = record::Tls12AeadRecordProtection::create(
        prov, AeadAlgorithm::aes_128_gcm, kb->client_write_key.view(), kb->client_write_iv.view());
    EXPECT_TRUE(w.ok());
    if (!w.ok()) return;
    writer = std::move(*w);
    writer->set_sequence_number_for_testing(1);
  }
  // seal protects `content` as the client's next record of `type`.
  Bytes seal(record::ContentType type, ByteView content) {
    Bytes out;
    EXPECT_TRUE(writer && writer->seal(type, content, 0, out).ok());
    return out;
  }
};

}  // namespace tessera::testing
