// RFC 8449 record_size_limit in memory: both sides advertise their limit,
// the records each side protects follow the peer's, unprotected records and
// 0-RTT data keep their own rules, and a peer that ignores our limit (forged
// from the key log) gets record_overflow.
#include <gtest/gtest.h>

#include <map>

#include "base/hex.h"
#include "crypto/key_schedule.h"
#include "crypto/tls12_keys.h"
#include "pair.h"
#include "record/protection.h"
#include "record/record.h"
#include "tessera/session.h"
#include "x509/pem.h"

namespace tessera::testing {
namespace {

using record::ContentType;

// move_flight hands everything `from` has queued to `to` and returns it.
Bytes move_flight(Connection& from, Connection& to) {
  auto b = from.pending_tls();
  Bytes v(b.begin(), b.end());
  from.consume_tls(v.size());
  (void)to.receive_tls(v);
  return v;
}

struct RecordInfo {
  ContentType type;
  size_t length;  // of the fragment
};

// records_in splits a byte stream into its records' types and lengths.
std::vector<RecordInfo> records_in(const Bytes& wire) {
  std::vector<RecordInfo> out;
  size_t at = 0;
  while (at + 5 <= wire.size()) {
    size_t len = (size_t{wire[at + 3]} << 8) | wire[at + 4];
    EXPECT_LE(at + 5 + len, wire.size());
    out.push_back({static_cast<ContentType>(wire[at]), len});
    at += 5 + len;
  }
  EXPECT_EQ(at, wire.size());
  return out;
}

size_t largest(const std::vector<RecordInfo>& recs, ContentType type) {
  size_t m = 0;
  for (const auto& r : recs)
    if (r.type == type) m = std::max(m, r.length);
  return m;
}

size_t count(const std::vector<RecordInfo>& recs, ContentType type) {
  size_t n = 0;
  for (const auto& r : recs) n += r.type == type;
  return n;
}

std::shared_ptr<ClientConfig> client_with_limit(size_t limit) {
  auto c = client_config();
  c->policy.limits.record_size_limit = limit;
  return c;
}

std::shared_ptr<ServerConfig> server_with_limit(size_t limit) {
  auto s = server_config();
  s->policy.limits.record_size_limit = limit;
  return s;
}

Policy tls12_only() {
  Policy p = Policy::default_policy();
  p.min_version = p.max_version = ProtocolVersion::tls12;
  p.cipher_suites = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  return p;
}

// write_all sends n bytes in one write and returns what the peer received.
std::vector<uint8_t> write_one(Connection& from, Connection& to, size_t n, Bytes* wire) {
  auto data = pattern(n, static_cast<uint32_t>(n));
  EXPECT_TRUE(from.write(data).ok());
  *wire = move_flight(from, to);
  auto in = to.app_data();
  std::vector<uint8_t> got(in.begin(), in.end());
  to.consume_app_data(in.size());
  EXPECT_EQ(got, data);
  return got;
}

TEST(RecordSizeLimit, AdvertisedByDefaultAndAnsweredInTls13) {
  auto p = handshaken_pair(client_config(), server_config());
  EXPECT_EQ(p.client->summary().peer_record_size_limit, 16385);
  EXPECT_EQ(p.server->summary().peer_record_size_limit, 16385);
  // The protocol's own limit: a 40000-byte write still goes out in full
  // 2^14-byte records (2^14 + inner type + tag).
  Bytes wire;
  write_one(*p.server, *p.client, 40000, &wire);
  EXPECT_EQ(largest(records_in(wire), ContentType::application_data),
            record::kMaxPlaintext + 1 + 16);
}

TEST(RecordSizeLimit, Tls12CapsTheLimitAtTwoToTheFourteen) {
  auto cc = client_config();
  auto sc = server_config();
  cc->policy = sc->policy = tls12_only();
  auto p = handshaken_pair(cc, sc);
  ASSERT_EQ(p.client->summary().version, ProtocolVersion::tls12);
  EXPECT_EQ(p.client->summary().peer_record_size_limit, 16384);
  EXPECT_EQ(p.server->summary().peer_record_size_limit, 16384);
}

// A client that offers TLS 1.3 advertises 2^14 + 1; a TLS 1.2 server holds
// its records to 2^14 all the same (RFC 8449 4: never beyond the protocol).
TEST(RecordSizeLimit, Tls12ServerCapsAClientsTls13Limit) {
  auto sc = server_config();
  sc->policy = tls12_only();
  auto cc = client_config();
  cc->policy.cipher_suites.push_back(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
  auto p = handshaken_pair(cc, sc);
  ASSERT_EQ(p.server->summary().version, ProtocolVersion::tls12);
  EXPECT_EQ(p.server->summary().peer_record_size_limit, 16384);
  Bytes wire;
  write_one(*p.server, *p.client, 40000, &wire);
  // explicit nonce (8) + 2^14 + tag (16)
  EXPECT_EQ(largest(records_in(wire), ContentType::application_data), record::kMaxPlaintext + 24);
}

// RFC 8449 4: each side's protected records carry at most the peer's limit
// of TLSInnerPlaintext (content + type); the ServerHello is unprotected and
// not subject to it.
TEST(RecordSizeLimit, Tls13RecordsFollowThePeersLimit) {
  auto p = make_tls_pair(client_with_limit(256), server_with_limit(1000));
  move_flight(*p.client, *p.server);                        // ClientHello
  Bytes server_flight = move_flight(*p.server, *p.client);  // ServerHello .. Finished
  Bytes client_flight = move_flight(*p.client, *p.server);  // Finished
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  ASSERT_TRUE(p.client->is_handshake_done() && p.server->is_handshake_done());
  EXPECT_EQ(p.client->summary().peer_record_size_limit, 1000);
  EXPECT_EQ(p.server->summary().peer_record_size_limit, 256);

  auto recs = records_in(server_flight);
  EXPECT_EQ(count(recs, ContentType::handshake), 1u);  // ServerHello, in the clear
  // EncryptedExtensions, Certificate, CertificateVerify, Finished: cut into
  // records of at most 255 bytes of content + type + tag.
  EXPECT_GE(count(recs, ContentType::application_data), 3u);
  EXPECT_EQ(largest(recs, ContentType::application_data), 256u + 16);

  Bytes wire;
  write_one(*p.server, *p.client, 5000, &wire);
  recs = records_in(wire);
  EXPECT_EQ(largest(recs, ContentType::application_data), 256u + 16);
  EXPECT_EQ(count(recs, ContentType::application_data), (5000 + 254) / 255);
  write_one(*p.client, *p.server, 5000, &wire);
  EXPECT_EQ(largest(records_in(wire), ContentType::application_data), 1000u + 16);
  (void)client_flight;
}

// TLS 1.2: the same after the ChangeCipherSpecs, and the plaintext
// Certificate flight keeps records of up to 2^14 (RFC 8449 4: "Unprotected
// messages are not subject to this limit").
TEST(RecordSizeLimit, Tls12RecordsFollowThePeersLimit) {
  auto cc = client_with_limit(256);
  auto sc = server_with_limit(700);
  cc->policy = tls12_only();
  cc->policy.limits.record_size_limit = 256;
  sc->policy = tls12_only();
  sc->policy.limits.record_size_limit = 700;
  auto p = make_tls_pair(cc, sc);
  move_flight(*p.client, *p.server);
  Bytes server_flight = move_flight(*p.server, *p.client);
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  ASSERT_TRUE(p.client->is_handshake_done() && p.server->is_handshake_done());
  EXPECT_EQ(p.client->summary().peer_record_size_limit, 700);
  EXPECT_EQ(p.server->summary().peer_record_size_limit, 256);
  EXPECT_GT(largest(records_in(server_flight), ContentType::handshake), 256u);

  Bytes wire;
  write_one(*p.server, *p.client, 5000, &wire);
  EXPECT_EQ(largest(records_in(wire), ContentType::application_data), 256u + 8 + 16);
  write_one(*p.client, *p.server, 5000, &wire);
  EXPECT_EQ(largest(records_in(wire), ContentType::application_data), 700u + 8 + 16);
}

// --- a peer that ignores our limit ------------------------------------------

// sealed forges one application_data record with `inner` bytes of
// TLSInnerPlaintext (content, type, zero padding) or, in TLS 1.2, of
// plaintext.
Bytes sealed(record::RecordProtection& prot, size_t inner, bool tls13) {
  Bytes content(tls13 ? 10 : inner, 'r');
  Bytes out;
  EXPECT_TRUE(prot.seal(ContentType::application_data, content, tls13 ? inner - 11 : 0, out).ok());
  return out;
}

void expect_overflow(Connection& c, const Bytes& rec) {
  auto r = c.receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow) << r.error().to_string();
  EXPECT_EQ(r.error().alert(), AlertDescription::record_overflow);
  EXPECT_NE(r.error().to_string().find("record_size_limit"), std::string::npos)
      << r.error().to_string();
  EXPECT_FALSE(c.pending_tls().empty());  // the alert
}

struct Forged13 {
  KeyLog log;
  Pair p;
  Forged13(size_t client_limit, size_t server_limit) {
    auto cc = client_with_limit(client_limit);
    cc->policy.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
    cc->keylog = collect_key_log(log);
    auto sc = server_with_limit(server_limit);
    sc->tickets = 0;
    p = handshaken_pair(cc, sc);
  }
};

TEST(RecordSizeLimit, ServerRefusesARecordOverItsLimit) {
  Forged13 f(16385, 256);
  auto client_writer = tls13_protection(f.log["CLIENT_TRAFFIC_SECRET_0"]);
  // 256 bytes of TLSInnerPlaintext (padding counts, RFC 8449 4) is the limit.
  ASSERT_TRUE(f.p.server->receive_tls(sealed(*client_writer, 256, true)).ok()) << err(*f.p.server);
  EXPECT_EQ(f.p.server->app_data().size(), 10u);
  expect_overflow(*f.p.server, sealed(*client_writer, 257, true));
}

TEST(RecordSizeLimit, ClientRefusesARecordOverItsLimit) {
  Forged13 f(100, 16385);
  auto server_writer = tls13_protection(f.log["SERVER_TRAFFIC_SECRET_0"]);
  ASSERT_TRUE(f.p.client->receive_tls(sealed(*server_writer, 100, true)).ok()) << err(*f.p.client);
  expect_overflow(*f.p.client, sealed(*server_writer, 101, true));
}

TEST(RecordSizeLimit, Tls12ServerRefusesARecordOverItsLimit) {
  auto cc = client_config();
  cc->policy = tls12_only();
  auto sc = server_with_limit(200);
  sc->policy = tls12_only();
  sc->policy.limits.record_size_limit = 200;
  sc->tickets = 0;
  Forged12 f(cc, sc);
  ASSERT_TRUE(f.writer);
  ASSERT_TRUE(f.p.server->receive_tls(sealed(*f.writer, 200, false)).ok()) << err(*f.p.server);
  EXPECT_EQ(f.p.server->app_data().size(), 200u);
  expect_overflow(*f.p.server, sealed(*f.writer, 201, false));
}

// --- malformed and absent extensions ------------------------------------------

// find_limit returns the offset of the record_size_limit extension's value
// in a ClientHello record (type 0x001c, length 2).
size_t find_limit(const Bytes& ch, uint16_t value) {
  const uint8_t pat[] = {
      0x00, 0x1c, 0x00, 0x02, static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
  auto it = std::search(ch.begin(), ch.end(), std::begin(pat), std::end(pat));
  EXPECT_NE(it, ch.end());
  return static_cast<size_t>(it - ch.begin());
}

Bytes client_hello(Pair& p) {
  auto b = p.client->pending_tls();
  Bytes v(b.begin(), b.end());
  p.client->consume_tls(v.size());
  return v;
}

// RFC 8449 4: a value below 64 -> illegal_parameter.
TEST(RecordSizeLimit, ClientHelloLimitBelow64IsIllegalParameter) {
  auto p = make_tls_pair(client_config(), server_config());
  Bytes ch = client_hello(p);
  size_t at = find_limit(ch, 16385);
  ch[at + 4] = 0, ch[at + 5] = 63;
  auto r = p.server->receive_tls(ch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::illegal_parameter) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find("below the minimum of 64"), std::string::npos);
}

// A value of exactly 64 is the smallest allowed: the server answers and
// keeps its records to 63 bytes of content.
TEST(RecordSizeLimit, SixtyFourIsTheSmallestLimit) {
  auto p = make_tls_pair(client_with_limit(64), server_config());
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.server->summary().peer_record_size_limit, 64);
  Bytes wire;
  write_one(*p.server, *p.client, 1000, &wire);
  EXPECT_EQ(largest(records_in(wire), ContentType::application_data), 64u + 16);
}

// A ClientHello without the extension: the server does not answer it and
// writes full-size records.
TEST(RecordSizeLimit, NoExtensionNoLimit) {
  auto p = make_tls_pair(client_with_limit(100), server_config());
  Bytes ch = client_hello(p);
  size_t at = find_limit(ch, 100);
  ch[at] = 0xfa, ch[at + 1] = 0xfa;  // an unknown (GREASE) extension instead
  ASSERT_TRUE(p.server->receive_tls(ch).ok()) << err(*p.server);
  EXPECT_EQ(p.server->summary().peer_record_size_limit, 0);
  auto out = p.server->pending_tls();
  auto recs = records_in(Bytes(out.begin(), out.end()));
  EXPECT_GT(largest(recs, ContentType::application_data), 100u + 16);
}

TEST(RecordSizeLimit, PolicyValidatesTheRange) {
  Policy p = Policy::default_policy();
  for (size_t bad : {size_t{0}, size_t{63}, size_t{16386}}) {
    p.limits.record_size_limit = bad;
    auto r = p.validate();
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::config_invalid);
  }
  for (size_t good : {size_t{64}, size_t{16384}, size_t{16385}}) {
    p.limits.record_size_limit = good;
    EXPECT_TRUE(p.validate().ok()) << good;
  }
}

// --- 0-RTT ---------------------------------------------------------------

struct EarlyEnv {
  std::shared_ptr<MemorySessionStore> store = std::make_shared<MemorySessionStore>();
  std::shared_ptr<ClientConfig> cc = client_config();
  std::shared_ptr<ServerConfig> sc = server_config();
  EarlyEnv() {
    cc->session_store = store;
    sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
    sc->replay_guard = std::make_shared<MemoryReplayGuard>();
    sc->max_early_data = 16384;
  }
  void prime() {
    auto p = make_tls_pair(cc, sc);
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    ASSERT_GT(store->size(), 0u);
  }
  Pair connect_early(const std::vector<uint8_t>& early) {
    Pair p;
    auto c = Connection::client_with_early_data(cc, {"localhost", {}}, EarlyDataRequest{early});
    EXPECT_TRUE(c.ok());
    auto s = Connection::server(sc);
    EXPECT_TRUE(s.ok());
    p.client = std::move(*c);
    p.server = std::move(*s);
    return p;
  }
};

// RFC 8449 4: "Records are subject to the limits that were set in the
// handshake that produces the keys": 0-RTT records follow the limit the
// server gave in the ticket's handshake, which the session keeps.
TEST(RecordSizeLimit, EarlyDataFollowsTheTicketsHandshake) {
  EarlyEnv e;
  e.sc->policy.limits.record_size_limit = 300;
  e.prime();
  auto data = pattern(2000, 7);
  auto p = e.connect_early(data);
  Bytes first = move_flight(*p.client, *p.server);
  auto recs = records_in(first);
  EXPECT_GE(count(recs, ContentType::application_data), 2000u / 299);
  EXPECT_EQ(largest(recs, ContentType::application_data), 300u + 16);
  ASSERT_FALSE(p.server->error()) << err(*p.server);
  auto early = p.server->early_data();
  EXPECT_EQ(std::vector<uint8_t>(early.begin(), early.end()), data);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.client->summary().early_data, EarlyData::accepted);
}

// Refused 0-RTT data is skipped whatever its size: it was sized by the
// ticket's handshake, not by the limit this server now advertises.
TEST(RecordSizeLimit, RefusedEarlyDataIsSkippedWhateverItsSize) {
  EarlyEnv e;
  e.prime();  // the ticket's handshake: limit 16385
  e.sc->policy.limits.record_size_limit = 256;
  e.sc->max_early_data = 0;  // refuse 0-RTT now
  auto data = pattern(5000, 8);
  auto p = e.connect_early(data);
  Bytes first = move_flight(*p.client, *p.server);
  EXPECT_GT(largest(records_in(first), ContentType::application_data), 5000u);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.client->summary().early_data, EarlyData::rejected);
  // The client resent the data after the handshake, within the new limit.
  auto in = p.server->app_data();
  EXPECT_EQ(std::vector<uint8_t>(in.begin(), in.end()), data);
}

// The early data's keys come from the ticket's handshake, so its records are
// held to the limit we advertised then (RFC 8449 4), kept in the ticket.
TEST(RecordSizeLimit, AcceptedEarlyDataOverTheTicketsLimitIsRefused) {
  for (size_t inner : {size_t{300}, size_t{301}}) {
    EarlyEnv e;
    KeyLog log;
    e.cc->policy.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
    e.sc->policy.limits.record_size_limit = 300;
    e.prime();
    // This handshake's limit is another: the ticket's (300) is the one.
    e.sc->policy.limits.record_size_limit = inner == 300 ? 200 : 1000;
    e.cc->keylog = collect_key_log(log);
    auto p = e.connect_early(pattern(10, 9));
    // The ClientHello and the CCS as sent; the early data forged.
    auto out = p.client->pending_tls();
    Bytes flight(out.begin(), out.end());
    p.client->consume_tls(flight.size());
    Bytes wire;
    for (size_t at = 0; at + 5 <= flight.size();) {
      size_t len = (size_t{flight[at + 3]} << 8) | flight[at + 4];
      if (flight[at] != 23)
        wire.insert(wire.end(), flight.begin() + at, flight.begin() + at + 5 + len);
      at += 5 + len;
    }
    auto early = tls13_protection(log["CLIENT_EARLY_TRAFFIC_SECRET"]);
    Bytes rec = sealed(*early, inner, true);
    wire.insert(wire.end(), rec.begin(), rec.end());
    if (inner == 300) {
      ASSERT_TRUE(p.server->receive_tls(wire).ok()) << err(*p.server);
      EXPECT_EQ(p.server->early_data().size(), 10u);
    } else {
      expect_overflow(*p.server, wire);
    }
  }
}

// After refused 0-RTT data, the first record that opens under the client's
// handshake keys ends the skipping, and is held to our limit of this
// handshake.
TEST(RecordSizeLimit, FirstRecordAfterRefusedEarlyDataIsHeldToTheLimit) {
  EarlyEnv e;
  KeyLog log;
  e.cc->policy.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  e.prime();
  e.sc->policy.limits.record_size_limit = 256;
  e.sc->max_early_data = 0;
  e.cc->keylog = collect_key_log(log);
  auto p = e.connect_early(pattern(1000, 10));
  move_flight(*p.client, *p.server);  // ClientHello, CCS, refused early data
  move_flight(*p.server, *p.client);  // the client now has its handshake keys
  ASSERT_FALSE(p.client->error()) << err(*p.client);
  p.client->consume_tls(p.client->pending_tls().size());
  auto hs = tls13_protection(log["CLIENT_HANDSHAKE_TRAFFIC_SECRET"]);
  expect_overflow(*p.server, sealed(*hs, 257, true));
}

// Resumed handshakes (TLS 1.3 PSK, TLS 1.2 abbreviated) and a
// HelloRetryRequest negotiate the limit again (RFC 8449 4: "During
// renegotiation or resumption, the record size limit is renegotiated").
TEST(RecordSizeLimit, NegotiatedAgainOnResumptionAndAfterHelloRetryRequest) {
  for (int kind = 0; kind < 3; ++kind) {
    auto store = std::make_shared<MemorySessionStore>();
    auto cc = client_config();
    auto sc = server_config();
    if (kind == 1) cc->policy = sc->policy = tls12_only();
    if (kind == 2) {  // the client sends an x25519 share; the server wants P-256
      sc->policy.groups = {NamedGroup::secp256r1};
      sc->policy.key_share_groups = {NamedGroup::secp256r1};
    }
    cc->policy.limits.record_size_limit = 256;
    cc->session_store = store;
    sc->ticket_keys = std::make_shared<RotatingTicketKeys>(crypto::default_provider());
    if (kind != 2) {  // leaves a session to resume, made with other limits
      cc->policy.limits.record_size_limit = 4000;
      sc->policy.limits.record_size_limit = 5000;
      handshaken_pair(cc, sc);
      cc->policy.limits.record_size_limit = 256;
      sc->policy.limits.record_size_limit = 16385;
    }
    auto p = make_tls_pair(cc, sc);
    move_flight(*p.client, *p.server);
    if (kind == 2) {
      move_flight(*p.server, *p.client);  // HelloRetryRequest
      move_flight(*p.client, *p.server);  // the second ClientHello
    }
    Bytes flight = move_flight(*p.server, *p.client);
    ASSERT_TRUE(p.handshake()) << kind << ": " << err(*p.client) << " / " << err(*p.server);
    EXPECT_EQ(p.client->summary().resumed, kind != 2) << kind;
    EXPECT_EQ(p.client->summary().hello_retry, kind == 2) << kind;
    const size_t expansion = kind == 1 ? 8 + 16 : 16;
    EXPECT_EQ(p.server->summary().peer_record_size_limit, 256) << kind;
    if (kind != 1) {  // TLS 1.2's resumed flight is only the Finished after the CCS
      EXPECT_LE(largest(records_in(flight), ContentType::application_data), 256u + expansion);
    }
    Bytes wire;
    write_one(*p.server, *p.client, 3000, &wire);
    EXPECT_EQ(largest(records_in(wire), ContentType::application_data), 256u + expansion) << kind;
  }
}

// RFC 8449 4: "A server MUST NOT enforce this restriction [the protocol
// maximum]; a client might advertise a higher limit".
TEST(RecordSizeLimit, ServerTakesALimitAboveTheProtocolMaximum) {
  auto p = make_tls_pair(client_config(), server_config());
  Bytes ch = client_hello(p);
  size_t at = find_limit(ch, 16385);
  ch[at + 4] = 0xff, ch[at + 5] = 0xff;
  ASSERT_TRUE(p.server->receive_tls(ch).ok()) << err(*p.server);
  EXPECT_EQ(p.server->summary().peer_record_size_limit, 16385);
}

// --- the session file keeps the server's limit ------------------------------

TEST(RecordSizeLimit, SessionFileKeepsTheLimit) {
  Session s;
  s.server_name = "localhost";
  s.cipher_suite = 0x1301;
  s.ticket = {1, 2, 3};
  s.psk = Bytes(32, 7);
  s.record_size_limit = 300;
  auto back = Session::from_pem(s.to_pem());
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->record_size_limit, 300);
  // A format-2 file (before the limit was kept) still loads, without one.
  auto der = x509::pem_decode_label(s.to_pem(), "TESSERA SESSION");
  ASSERT_TRUE(der.ok() && der->size() == 1);
  // (format 4 appended one byte, an empty kept identity, after the limit)
  Bytes old(der->front().begin(), der->front().end() - 3);
  old[0] = 2;
  auto v2 = Session::from_pem(x509::pem_encode("TESSERA SESSION", old));
  ASSERT_TRUE(v2.ok()) << v2.error().to_string();
  EXPECT_EQ(v2->record_size_limit, 0);
  EXPECT_EQ(v2->ticket, s.ticket);
  s.record_size_limit = 63;  // not a limit RFC 8449 allows
  auto bad = Session::from_pem(s.to_pem());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().to_string().find("record_size_limit"), std::string::npos);
}

}  // namespace
}  // namespace tessera::testing
