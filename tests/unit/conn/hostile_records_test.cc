// Hostile peers, record layer and limits (issue 7): a peer that knows the
// traffic keys (taken from the key log) sends protected records no honest
// implementation would: empty, oversized, typeless, interleaved; plus the
// Policy limits (empty records, warning alerts, certificate chains, handshake
// message size) and invalid key shares inside real ClientHellos. Each test
// checks the exact error and the alert actually queued for the peer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <optional>

#include "base/hex.h"
#include "crypto/key_schedule.h"
#include "crypto/tls12_keys.h"
#include "handshake/cert_compression.h"
#include "handshake/messages13.h"
#include "pair.h"
#include "record/protection.h"
#include "record/record.h"
#include "wire/extensions.h"
#include "wire/hello.h"

namespace tessera::testing {
namespace {

using record::ContentType;

// A TLS 1.3 pair (TLS_AES_128_GCM_SHA256, no tickets) after its handshake,
// with a forger that writes the client's protected records and a reader for
// the server's.
struct Keyed13 {
  Pair p;
  KeyLog log;
  std::unique_ptr<crypto::Aead> aead;  // client -> server
  Bytes iv;
  uint64_t seq = 0;
  Bytes secret;  // the current client application traffic secret
  std::unique_ptr<record::Tls13RecordProtection> server_reader;

  explicit Keyed13(const Limits& server_limits = {},
                   std::shared_ptr<SessionStore> client_store = nullptr) {
    auto cc = client_config();
    cc->policy.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
    cc->keylog = collect_key_log(log);
    cc->session_store = std::move(client_store);
    auto sc = server_config();
    sc->policy.limits = server_limits;
    sc->tickets = 0;
    p = handshaken_pair(cc, sc);
    auto& prov = *crypto::default_provider();
    auto ck = crypto::traffic_keys(prov, HashAlgorithm::sha256, log["CLIENT_TRAFFIC_SECRET_0"],
                                   AeadAlgorithm::aes_128_gcm);
    auto sk = crypto::traffic_keys(prov, HashAlgorithm::sha256, log["SERVER_TRAFFIC_SECRET_0"],
                                   AeadAlgorithm::aes_128_gcm);
    EXPECT_TRUE(ck.ok() && sk.ok());
    secret = log["CLIENT_TRAFFIC_SECRET_0"];
    aead = std::move(*prov.aead(AeadAlgorithm::aes_128_gcm, ck->key.view()));
    iv = Bytes(ck->iv.view().begin(), ck->iv.view().end());
    server_reader = std::move(*record::Tls13RecordProtection::create(
        prov, AeadAlgorithm::aes_128_gcm, sk->key.view(), sk->iv.view()));
  }

  // seal_inner protects an arbitrary TLSInnerPlaintext (content || type ||
  // zeros) as the client would, with the next sequence number.
  Bytes seal_inner(Bytes inner) {
    size_t len = inner.size() + 16;
    Bytes rec = {0x17, 0x03, 0x03, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
    Bytes nonce = iv;
    for (int i = 0; i < 8; ++i) nonce[4 + i] ^= static_cast<uint8_t>(seq >> (56 - 8 * i));
    ++seq;
    Bytes tag(16);
    EXPECT_TRUE(aead->seal(nonce, ByteView(rec.data(), 5), inner, tag).ok());
    rec.insert(rec.end(), inner.begin(), inner.end());
    rec.insert(rec.end(), tag.begin(), tag.end());
    return rec;
  }
  // key_update sends KeyUpdate (update_not_requested, or update_requested)
  // and moves the forger to the next client traffic key (RFC 8446 7.2).
  Bytes key_update(bool request = false) {
    Bytes rec = seal(ContentType::handshake, {24, 0, 0, 1, static_cast<uint8_t>(request)});
    auto& prov = *crypto::default_provider();
    auto next = crypto::next_application_traffic_secret(prov, HashAlgorithm::sha256, secret);
    EXPECT_TRUE(next.ok());
    secret = Bytes(next->view().begin(), next->view().end());
    auto k = crypto::traffic_keys(prov, HashAlgorithm::sha256, secret, AeadAlgorithm::aes_128_gcm);
    aead = std::move(*prov.aead(AeadAlgorithm::aes_128_gcm, k->key.view()));
    iv = Bytes(k->iv.view().begin(), k->iv.view().end());
    seq = 0;
    return rec;
  }
  Bytes seal(ContentType type, Bytes content, size_t padding = 0) {
    content.push_back(static_cast<uint8_t>(type));
    content.resize(content.size() + padding, 0);
    return seal_inner(std::move(content));
  }

  // server_alert decrypts what the server queued and returns the alert in it.
  std::optional<AlertDescription> server_alert() {
    Bytes out = take_out(*p.server);
    std::optional<AlertDescription> alert;
    size_t at = 0;
    while (at + 5 <= out.size()) {
      size_t len = (size_t{out[at + 3]} << 8) | out[at + 4];
      if (at + 5 + len > out.size()) break;
      record::Record rec{static_cast<ContentType>(out[at]), 0x0303,
                         MutableByteView(out.data() + at + 5, len)};
      auto opened = server_reader->open(rec);
      if (!opened.ok()) return std::nullopt;
      if (opened->type == ContentType::alert && opened->plaintext.size() == 2)
        alert = static_cast<AlertDescription>(opened->plaintext[1]);
      at += 5 + len;
    }
    return alert;
  }

  void expect_failure(Bytes wire, ErrorCode code, AlertDescription alert) {
    auto r = p.server->receive_tls(wire);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), code) << r.error().to_string();
    EXPECT_EQ(server_alert(), alert);
  }
};

Bytes app(std::string_view s) { return Bytes(s.begin(), s.end()); }

// The forger itself must be right, or every test below proves nothing.
TEST(HostileRecords, ForgedRecordsAreAccepted) {
  Keyed13 k;
  ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::application_data, app("hello"))).ok());
  ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::application_data, app("!"), 300)).ok());
  EXPECT_EQ(read_all(*k.p.server), "hello!");
}

// RFC 8446 5.1: "Zero-length fragments of Application Data MAY be sent, as
// they are potentially useful as a traffic analysis countermeasure." Allowed,
// but Limits::max_empty_records in a row bounds them (a peer could otherwise
// keep us decrypting nothing forever).
TEST(HostileRecords, EmptyApplicationDataAllowedUpToTheLimit) {
  Limits lim;
  lim.max_empty_records = 3;
  Keyed13 k(lim);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::application_data, {})).ok());
  // Data in between resets the count.
  ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::application_data, app("x"))).ok());
  EXPECT_EQ(read_all(*k.p.server), "x");
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::application_data, {})).ok());
  k.expect_failure(k.seal(ContentType::application_data, {}), ErrorCode::too_many_messages,
                   AlertDescription::unexpected_message);
}

// RFC 8446 5.1: "Implementations MUST NOT send zero-length fragments of
// Handshake types, even if those fragments contain padding." 5.4 keeps the
// rule under protection; alerts carry exactly two bytes (RFC 8446 6).
TEST(HostileRecords, ProtectedEmptyHandshakeRecord) {
  Keyed13 k;
  k.expect_failure(k.seal(ContentType::handshake, {}, 10), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

TEST(HostileRecords, ProtectedEmptyAlertRecord) {
  Keyed13 k;
  k.expect_failure(k.seal(ContentType::alert, {}), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

// RFC 8446 6: an alert is level + description, two bytes.
TEST(HostileRecords, ProtectedAlertOfWrongLength) {
  Keyed13 k;
  auto r = k.p.server->receive_tls(k.seal(ContentType::alert, {2, 40, 0}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error);
  EXPECT_EQ(k.server_alert(), AlertDescription::decode_error);
}

// RFC 8446 5.4: no non-zero octet in the cleartext -> unexpected_message.
TEST(HostileRecords, ProtectedAllZeroPlaintext) {
  Keyed13 k;
  k.expect_failure(k.seal_inner(Bytes(40, 0)), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

// RFC 8446 5: unknown content types -> unexpected_message; so is an
// encrypted change_cipher_spec ("An implementation which receives any other
// change_cipher_spec value or which receives a protected change_cipher_spec
// record MUST abort the handshake with an "unexpected_message" alert.").
TEST(HostileRecords, ProtectedUnknownContentType) {
  Keyed13 k;
  k.expect_failure(k.seal(static_cast<ContentType>(0x19), app("abc")),
                   ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(HostileRecords, ProtectedChangeCipherSpec) {
  Keyed13 k;
  k.expect_failure(k.seal(ContentType::change_cipher_spec, {1}), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

// RFC 8446 5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1
// octets"; 5.2: over the limit after decryption -> record_overflow.
TEST(HostileRecords, ProtectedPlaintextOver2To14Plus1) {
  Keyed13 k;
  Bytes inner(record::kMaxInnerPlaintext13 + 1, 'a');
  inner.back() = static_cast<uint8_t>(ContentType::application_data);
  k.expect_failure(k.seal_inner(std::move(inner)), ErrorCode::record_overflow,
                   AlertDescription::record_overflow);
}

TEST(HostileRecords, PaddingUpToTheLimitIsAccepted) {
  Keyed13 k;
  Bytes content = app("ok");
  size_t padding = record::kMaxInnerPlaintext13 - content.size() - 1;
  ASSERT_TRUE(
      k.p.server->receive_tls(k.seal(ContentType::application_data, content, padding)).ok());
  EXPECT_EQ(read_all(*k.p.server), "ok");
}

// RFC 8446 5.2: "The length MUST NOT exceed 2^14 + 256 bytes. An endpoint
// that receives a record that exceeds this length MUST terminate the
// connection with a "record_overflow" alert."
TEST(HostileRecords, CiphertextOver2To14Plus256) {
  Keyed13 k;
  size_t len = record::kMaxCiphertext13 + 1;
  Bytes rec = {0x17, 0x03, 0x03, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
  rec.resize(5 + len, 0x42);
  k.expect_failure(rec, ErrorCode::record_overflow, AlertDescription::record_overflow);
}

// RFC 8446 5.1: "Handshake messages MUST NOT be interleaved with other record
// types. That is, if a handshake message is split over two or more records,
// there MUST NOT be any other records between them."
TEST(HostileRecords, HandshakeMessageInterleavedWithApplicationData) {
  Keyed13 k;
  // The first two bytes of a KeyUpdate (type 24, length 00 00 01, 1 byte).
  ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::handshake, {24, 0})).ok());
  k.expect_failure(k.seal(ContentType::application_data, app("data")),
                   ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

// An error alert between the records of a split handshake message ends the
// connection as the peer's alert, with no alert in reply (RFC 8446 6); a
// warning there (user_canceled) would let the handshake go on, so it is
// refused as interleaved.
TEST(HostileRecords, AlertInsideASplitHandshakeMessage) {
  {
    Keyed13 k;
    ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::handshake, {24, 0})).ok());
    auto r = k.p.server->receive_tls(k.seal(ContentType::alert, {2, 80}));  // internal_error
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::peer_alert) << r.error().to_string();
    EXPECT_EQ(r.error().alert(), AlertDescription::internal_error);
    EXPECT_EQ(k.server_alert(), std::nullopt) << "an alert in reply to the peer's";
  }
  Keyed13 k;
  ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::handshake, {24, 0})).ok());
  k.expect_failure(k.seal(ContentType::alert, {1, 90}), ErrorCode::unexpected_message,
                   AlertDescription::unexpected_message);
}

// RFC 8446 6: in TLS 1.3 the alert level is a legacy field; 6.2: error
// alerts are errors "regardless of the AlertLevel in the message". An
// unknown level is the peer's alert, not a reason to send illegal_parameter.
TEST(HostileRecords, UnknownAlertLevelIsThePeersAlert) {
  Keyed13 k;
  auto r = k.p.server->receive_tls(k.seal(ContentType::alert, {3, 40}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::peer_alert) << r.error().to_string();
  EXPECT_EQ(r.error().alert(), AlertDescription::handshake_failure);
  EXPECT_EQ(k.server_alert(), std::nullopt) << "an alert in reply to the peer's";
}

// A ticket too large to offer beside a ClientHello's other extensions
// (kMaxTicketKept) is not kept: offering it would make every later
// ClientHello to that server fail to encode.
TEST(HostileRecords, TicketTooLargeToOfferIsNotKept) {
  auto store = std::make_shared<MemorySessionStore>();
  Keyed13 k({}, store);
  auto writer = tls13_protection(k.log["SERVER_TRAFFIC_SECRET_0"]);  // no record sent yet
  for (size_t size : {size_t{1000}, size_t{40000}}) {
    // NewSessionTicket: lifetime, age_add, nonce<1>, ticket<2>, extensions<2>.
    Bytes body = {0, 0, 0x0e, 0x10, 1, 2, 3, 4, 1, 0};
    body.push_back(static_cast<uint8_t>(size >> 8));
    body.push_back(static_cast<uint8_t>(size));
    body.resize(body.size() + size, 0x5a);
    body.insert(body.end(), {0, 0});
    Bytes msg = {4, 0, static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())};
    msg.insert(msg.end(), body.begin(), body.end());
    Bytes wire;
    for (size_t at = 0; at < msg.size(); at += 16384) {
      const size_t n = std::min<size_t>(16384, msg.size() - at);
      ASSERT_TRUE(writer->seal(ContentType::handshake, ByteView(msg.data() + at, n), 0, wire).ok());
    }
    ASSERT_TRUE(k.p.client->receive_tls(wire).ok()) << err(*k.p.client);
    EXPECT_EQ(store->size(), 1u) << size << "-byte ticket";
  }
}

TEST(HostileRecords, HandshakeMessageSplitAcrossRecordsIsAccepted) {
  Keyed13 k;
  ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::handshake, {24, 0})).ok());
  ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::handshake, {0, 1})).ok());
  // KeyUpdate body: update_not_requested. The server now reads with the next
  // key; nothing failed.
  ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::handshake, {0})).ok());
  EXPECT_EQ(k.p.server->error(), nullptr);
}

// Limits::max_warning_alerts: non-fatal alerts (TLS 1.3: user_canceled,
// RFC 8446 6.1) in a row; other records end the run.
TEST(HostileRecords, WarningAlertsInARowUpToTheLimit) {
  Limits lim;
  lim.max_warning_alerts = 2;
  Keyed13 k(lim);
  const Bytes user_canceled = {1, 90};
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 2; ++i)
      ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::alert, user_canceled)).ok());
    ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::application_data, app("y"))).ok());
  }
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::alert, user_canceled)).ok());
  k.expect_failure(k.seal(ContentType::alert, user_canceled), ErrorCode::too_many_messages,
                   AlertDescription::unexpected_message);
}

// Limits::max_key_updates_per_record_window: KeyUpdates without application
// data in between are bounded (each costs a key derivation).
TEST(HostileRecords, KeyUpdatesWithoutDataUpToTheLimit) {
  Limits lim;
  lim.max_key_updates_per_record_window = 3;
  Keyed13 k(lim);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(k.p.server->receive_tls(k.key_update()).ok()) << i;
  ASSERT_TRUE(k.p.server->receive_tls(k.seal(ContentType::application_data, app("new key"))).ok());
  EXPECT_EQ(read_all(*k.p.server), "new key");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(k.p.server->receive_tls(k.key_update()).ok()) << i;
  k.expect_failure(k.key_update(), ErrorCode::too_many_messages,
                   AlertDescription::unexpected_message);
}

// RFC 8446 4.6.3: update requests received while silent get a single
// update; once we have sent data, the next request gets a new one.
TEST(HostileRecords, UpdateRequestsWhileSilentGetOneKeyUpdate) {
  Keyed13 k;
  (void)take_out(*k.p.server);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(k.p.server->receive_tls(k.key_update(/*request=*/true)).ok()) << i;
  EXPECT_EQ(records_of(take_out(*k.p.server)).size(), 1u);  // one KeyUpdate
  ASSERT_TRUE(k.p.server->write(app("data")).ok());
  EXPECT_EQ(records_of(take_out(*k.p.server)).size(), 1u);  // the data
  ASSERT_TRUE(k.p.server->receive_tls(k.key_update(/*request=*/true)).ok());
  EXPECT_EQ(records_of(take_out(*k.p.server)).size(), 1u);  // a new KeyUpdate
}

// --- plaintext records before the handshake --------------------------------

std::unique_ptr<Connection> new_server(std::shared_ptr<ServerConfig> sc = server_config()) {
  return std::move(*Connection::server(sc));
}

AlertDescription plaintext_alert(Connection& c) {
  Bytes v = take_out(c);
  EXPECT_EQ(v.size(), 7u);
  if (v.size() < 7) return AlertDescription::close_notify;
  EXPECT_EQ(v[0], 21);
  return static_cast<AlertDescription>(v.back());
}

// RFC 8446 5.1: plaintext records over 2^14 -> record_overflow.
TEST(HostilePlaintext, RecordOver2To14) {
  auto s = new_server();
  size_t len = record::kMaxPlaintext + 1;
  Bytes rec = {0x16, 0x03, 0x01, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
  rec.resize(5 + len, 0);
  auto r = s->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
  EXPECT_EQ(plaintext_alert(*s), AlertDescription::record_overflow);
}

// RFC 8446 5.1 / RFC 5246 6.2.1: zero-length Handshake, Alert and
// ChangeCipherSpec fragments are forbidden; application data may not come
// before the keys at all.
TEST(HostilePlaintext, ZeroLengthRecordsOfEveryType) {
  for (uint8_t type : {20, 21, 22, 23}) {
    auto s = new_server();
    Bytes rec = {type, 0x03, 0x03, 0x00, 0x00};
    auto r = s->receive_tls(rec);
    ASSERT_FALSE(r.ok()) << int(type);
    EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << int(type);
    EXPECT_EQ(plaintext_alert(*s), AlertDescription::unexpected_message) << int(type);
  }
}

// A zero-length handshake record between two halves of the ClientHello.
TEST(HostilePlaintext, ZeroLengthHandshakeRecordInsideAMessage) {
  auto c = std::move(*Connection::client(client_config(), {"localhost", {}}));
  Bytes ch = take_out(*c);
  auto s = new_server();
  // Re-frame the ClientHello: its first 10 bytes, an empty record, the rest.
  Bytes body(ch.begin() + 5, ch.end());
  auto frame = [](ByteView b) {
    Bytes r = {0x16, 0x03, 0x01, static_cast<uint8_t>(b.size() >> 8),
               static_cast<uint8_t>(b.size())};
    r.insert(r.end(), b.begin(), b.end());
    return r;
  };
  ASSERT_TRUE(s->receive_tls(frame(ByteView(body).first(10))).ok());
  auto r = s->receive_tls(frame({}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
  EXPECT_EQ(plaintext_alert(*s), AlertDescription::unexpected_message);
}

// RFC 8446 5: a change_cipher_spec other than the single byte 0x01 ->
// unexpected_message.
TEST(HostilePlaintext, ChangeCipherSpecWithOtherPayload) {
  auto p = make_tls_pair(client_config(), server_config());
  Bytes ch = take_out(*p.client);
  ASSERT_TRUE(p.server->receive_tls(ch).ok());
  Bytes rec = {0x14, 0x03, 0x03, 0x00, 0x02, 0x01, 0x01};
  auto r = p.server->receive_tls(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
  // The server's flight and its (now encrypted) alert reach the client.
  (void)p.client->receive_tls(take_out(*p.server));
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->code(), ErrorCode::peer_alert) << p.client->error()->to_string();
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::unexpected_message);
}

// --- limits ------------------------------------------------------------------

// Limits::max_handshake_message_size, checked from the 4-byte header before
// the body is buffered.
TEST(HostileLimits, HandshakeMessageSize) {
  auto sc = server_config();
  sc->policy.limits.max_handshake_message_size = 128;
  auto c = std::move(*Connection::client(client_config(), {"localhost", {}}));
  Bytes ch = take_out(*c);
  ASSERT_GT(ch.size(), 5u + 128u);
  auto s = new_server(sc);
  auto r = s->receive_tls(ch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error) << r.error().to_string();
  EXPECT_EQ(plaintext_alert(*s), AlertDescription::decode_error);
}

std::shared_ptr<ServerConfig> server_with_ca_in_chain() {
  auto sc = server_config();
  auto cred = Credential::from_pem(*crypto::default_provider(),
                                   read_pki("server-ec.pem") + read_pki("ca.pem"),
                                   read_pki("server-ec.key"));
  EXPECT_TRUE(cred.ok()) << (cred.ok() ? "" : cred.error().to_string());
  sc->credentials = {std::make_shared<Credential>(std::move(*cred))};
  return sc;
}

// Limits::max_certificate_chain_length / _bytes: the client refuses a chain
// over either before verifying it.
TEST(HostileLimits, CertificateChainLength) {
  auto cc = client_config();
  cc->policy.limits.max_certificate_chain_length = 1;
  auto p = make_tls_pair(cc, server_with_ca_in_chain());
  ASSERT_FALSE(p.handshake());
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::bad_certificate)
      << p.client->error()->to_string();
  ASSERT_NE(p.server->error(), nullptr);  // and the server got that alert
  EXPECT_EQ(p.server->error()->code(), ErrorCode::peer_alert);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::bad_certificate);
}

TEST(HostileLimits, CertificateChainLengthWithinLimit) {
  auto cc = client_config();
  cc->policy.limits.max_certificate_chain_length = 2;
  auto p = make_tls_pair(cc, server_with_ca_in_chain());
  EXPECT_TRUE(p.handshake()) << err(*p.client);
}

TEST(HostileLimits, CertificateChainBytes) {
  auto cc = client_config();
  cc->policy.limits.max_certificate_chain_bytes = 200;
  auto p = make_tls_pair(cc, server_config());
  ASSERT_FALSE(p.handshake());
  ASSERT_NE(p.client->error(), nullptr);
  EXPECT_EQ(p.client->error()->alert(), AlertDescription::bad_certificate)
      << p.client->error()->to_string();
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::bad_certificate);
}

// --- invalid key shares inside a real ClientHello ---------------------------

// replace_share finds the key_share entry (group, length) in a ClientHello
// record and overwrites its value.
bool replace_share(Bytes& ch, uint16_t group, const Bytes& value) {
  uint8_t pat[4] = {static_cast<uint8_t>(group >> 8), static_cast<uint8_t>(group),
                    static_cast<uint8_t>(value.size() >> 8), static_cast<uint8_t>(value.size())};
  auto it = std::search(ch.begin(), ch.end(), pat, pat + 4);
  if (it == ch.end() || ch.end() - it < static_cast<long>(4 + value.size())) return false;
  std::copy(value.begin(), value.end(), it + 4);
  return true;
}

void expect_share_refused(NamedGroup g, const Bytes& value, const char* what) {
  auto cc = client_config();
  cc->policy.groups = {g};
  cc->policy.key_share_groups = {g};
  auto sc = server_config();
  sc->policy.groups = {g};
  sc->policy.key_share_groups = {g};
  auto c = std::move(*Connection::client(cc, {"localhost", {}}));
  Bytes ch = take_out(*c);
  ASSERT_TRUE(replace_share(ch, static_cast<uint16_t>(g), value)) << what;
  auto s = new_server(sc);
  auto r = s->receive_tls(ch);
  ASSERT_FALSE(r.ok()) << what;
  // RFC 8446 4.2.8.1 / 4.2.8.2 / 7.4: an invalid share is illegal_parameter.
  EXPECT_EQ(r.error().code(), ErrorCode::invalid_key_share) << what;
  EXPECT_EQ(plaintext_alert(*s), AlertDescription::illegal_parameter) << what;
}

TEST(HostileKeyShare, X25519AllZeroSharedSecret) {
  expect_share_refused(NamedGroup::x25519, Bytes(32, 0), "u = 0");
  Bytes one(32, 0);
  one[0] = 1;
  expect_share_refused(NamedGroup::x25519, one, "u = 1");
}

TEST(HostileKeyShare, P256OffCurveAndIdentity) {
  auto ks = crypto::default_provider()->generate_key_share(NamedGroup::secp256r1);
  ASSERT_TRUE(ks.ok());
  Bytes pt((*ks)->public_value().begin(), (*ks)->public_value().end());
  Bytes off = pt;
  off.back() ^= 1;
  expect_share_refused(NamedGroup::secp256r1, off, "off curve");
  Bytes zero(65, 0);
  zero[0] = 4;
  expect_share_refused(NamedGroup::secp256r1, zero, "(0,0)");
  Bytes compressed_form = pt;
  compressed_form[0] = 2;
  expect_share_refused(NamedGroup::secp256r1, compressed_form, "prefix 2 at 65 bytes");
}

TEST(HostileKeyShare, Ffdhe2048DegenerateValues) {
  auto ks = crypto::default_provider()->generate_key_share(NamedGroup::ffdhe2048);
  ASSERT_TRUE(ks.ok());
  // RFC 7919 appendix A.1: p ends in 64 one bits; p-1 only changes the last byte.
  Bytes p_minus_1(256, 0xff);
  Bytes p_hex = *from_hex(
      "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE"
      "249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3"
      "B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182"
      "B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D70"
      "9E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC"
      "2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF");
  ASSERT_EQ(p_hex.size(), 256u);
  p_minus_1 = p_hex;
  p_minus_1.back() = 0xfe;
  Bytes zero(256, 0), one(256, 0);
  one.back() = 1;
  expect_share_refused(NamedGroup::ffdhe2048, zero, "0");
  expect_share_refused(NamedGroup::ffdhe2048, one, "1");
  expect_share_refused(NamedGroup::ffdhe2048, p_minus_1, "p-1");
  expect_share_refused(NamedGroup::ffdhe2048, p_hex, "p");
}

// --- TLS 1.2 flights: reordered, duplicated, truncated messages ------------

Policy tls12_policy() {
  Policy p = Policy::compat();
  p.min_version = p.max_version = ProtocolVersion::tls12;
  p.cipher_suites = p.suites_for(ProtocolVersion::tls12);
  return p;
}

// handshake_messages splits a plaintext flight into its handshake messages.
std::vector<Bytes> handshake_messages(const Bytes& flight) {
  Bytes stream;
  for (size_t at = 0; at + 5 <= flight.size();) {
    size_t len = (size_t{flight[at + 3]} << 8) | flight[at + 4];
    if (flight[at] == 22)
      stream.insert(stream.end(), flight.begin() + at + 5, flight.begin() + at + 5 + len);
    at += 5 + len;
  }
  std::vector<Bytes> out;
  for (size_t at = 0; at + 4 <= stream.size();) {
    size_t len = (size_t{stream[at + 1]} << 16) | (size_t{stream[at + 2]} << 8) | stream[at + 3];
    out.emplace_back(stream.begin() + at, stream.begin() + at + 4 + len);
    at += 4 + len;
  }
  return out;
}

Bytes one_record(const std::vector<Bytes>& msgs) {
  Bytes body;
  for (const Bytes& m : msgs) body.insert(body.end(), m.begin(), m.end());
  Bytes r = {0x16, 0x03, 0x03, static_cast<uint8_t>(body.size() >> 8),
             static_cast<uint8_t>(body.size())};
  r.insert(r.end(), body.begin(), body.end());
  return r;
}

size_t server_hello_extensions_at(const Bytes& sh);

struct Tls12Flight {
  std::unique_ptr<Connection> client, server;
  std::vector<Bytes> msgs;  // ServerHello, Certificate, ServerKeyExchange, ServerHelloDone
  // client_offers_tls13: the client offers TLS 1.3 too (the server only 1.2).
  explicit Tls12Flight(const std::string& cred = "server-ec", OcspStapling ocsp = OcspStapling::off,
                       bool client_offers_tls13 = false) {
    auto cc = client_config();
    if (!client_offers_tls13) cc->policy = tls12_policy();
    cc->ocsp = ocsp;
    auto sc = server_config(cred);
    sc->policy = tls12_policy();
    client = std::move(*Connection::client(cc, {"localhost", {}}));
    server = std::move(*Connection::server(sc));
    EXPECT_TRUE(server->receive_tls(take_out(*client)).ok());
    msgs = handshake_messages(take_out(*server));
    EXPECT_EQ(msgs.size(), 4u);
  }
  void expect_client_refuses(const std::vector<Bytes>& flight, ErrorCode code,
                             AlertDescription alert) {
    auto r = client->receive_tls(one_record(flight));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), code) << r.error().to_string();
    EXPECT_EQ(plaintext_alert(*client), alert);
  }
};

// RFC 5246 7.2: enum { warning(1), fatal(2), (255) } AlertLevel. Once TLS
// 1.2 is negotiated (the ServerHello), an alert of another level is
// illegal_parameter; a warning is ignored.
TEST(HostileFlight, Tls12AlertOfUnknownLevel) {
  Tls12Flight f;
  ASSERT_TRUE(f.client->receive_tls(one_record({f.msgs[0]})).ok());
  ASSERT_TRUE(f.client->receive_tls(Bytes{21, 3, 3, 0, 2, 1, 112}).ok());  // unrecognized_name
  auto r = f.client->receive_tls(Bytes{21, 3, 3, 0, 2, 3, 112});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::illegal_parameter) << r.error().to_string();
  EXPECT_EQ(plaintext_alert(*f.client), AlertDescription::illegal_parameter);
}

TEST(HostileFlight, Tls12FlightAsSentIsAccepted) {
  Tls12Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  ASSERT_TRUE(f.client->receive_tls(one_record(f.msgs)).ok());
  EXPECT_FALSE(f.client->pending_tls().empty());  // ClientKeyExchange ...
}

// RFC 5246 7.3 fixes the order; a message out of it is unexpected_message.
TEST(HostileFlight, Tls12ReorderedServerFlight) {
  Tls12Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  f.expect_client_refuses({f.msgs[0], f.msgs[2], f.msgs[1], f.msgs[3]},
                          ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(HostileFlight, Tls12DuplicatedServerHello) {
  Tls12Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  f.expect_client_refuses({f.msgs[0], f.msgs[0], f.msgs[1], f.msgs[2], f.msgs[3]},
                          ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

TEST(HostileFlight, Tls12DuplicatedCertificate) {
  Tls12Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  f.expect_client_refuses({f.msgs[0], f.msgs[1], f.msgs[1], f.msgs[2], f.msgs[3]},
                          ErrorCode::unexpected_message, AlertDescription::unexpected_message);
}

// A ServerKeyExchange whose length header was cut to 10 bytes: its fields
// run past the end -> decode_error (RFC 8446 6.2 / RFC 5246 7.2.2).
TEST(HostileFlight, Tls12TruncatedServerKeyExchange) {
  Tls12Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  Bytes ske(f.msgs[2].begin(), f.msgs[2].begin() + 4 + 10);
  ske[1] = 0;
  ske[2] = 0;
  ske[3] = 10;
  f.expect_client_refuses({f.msgs[0], f.msgs[1], ske, f.msgs[3]}, ErrorCode::decode_truncated,
                          AlertDescription::decode_error);
}

// RFC 5246 7.4.1.1: a HelloRequest that arrives while the client is
// negotiating (before or after the ServerHello) is ignored, and kept out of
// the transcript: the handshake completes with the server, which never sent it.
TEST(HostileFlight, Tls12HelloRequestDuringTheHandshakeIsIgnored) {
  Tls12Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  const Bytes hello_request = {0, 0, 0, 0};
  ASSERT_TRUE(
      f.client->receive_tls(one_record({f.msgs[0], f.msgs[1], hello_request, f.msgs[2], f.msgs[3]}))
          .ok());
  ASSERT_TRUE(f.server->receive_tls(take_out(*f.client)).ok());
  ASSERT_TRUE(f.client->receive_tls(take_out(*f.server)).ok());
  EXPECT_TRUE(f.client->is_handshake_done());
  EXPECT_TRUE(f.server->is_handshake_done());
  // Before the ServerHello too, from a client offering TLS 1.2 only or
  // both versions: until the ServerHello it is negotiating a session.
  for (bool offers13 : {false, true}) {
    Tls12Flight h("server-ec", OcspStapling::off, offers13);
    ASSERT_EQ(h.msgs.size(), 4u);
    ASSERT_TRUE(
        h.client
            ->receive_tls(one_record({hello_request, h.msgs[0], h.msgs[1], h.msgs[2], h.msgs[3]}))
            .ok())
        << offers13;
    ASSERT_TRUE(h.server->receive_tls(take_out(*h.client)).ok()) << offers13;
    ASSERT_TRUE(h.client->receive_tls(take_out(*h.server)).ok()) << offers13;
    EXPECT_TRUE(h.client->is_handshake_done()) << offers13;
  }
  // TLS 1.3 has no HelloRequest: a client offering only TLS 1.3 refuses it.
  auto cc = client_config();
  cc->policy.min_version = ProtocolVersion::tls13;
  auto c13 = std::move(*Connection::client(cc, {"localhost", {}}));
  (void)take_out(*c13);
  auto r = c13->receive_tls(one_record({hello_request}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << r.error().to_string();
  EXPECT_EQ(plaintext_alert(*c13), AlertDescription::unexpected_message);
  // With a body it is malformed.
  Tls12Flight g;
  ASSERT_EQ(g.msgs.size(), 4u);
  g.expect_client_refuses({g.msgs[0], g.msgs[1], {0, 0, 0, 1, 0}, g.msgs[2], g.msgs[3]},
                          ErrorCode::decode_trailing_data, AlertDescription::decode_error);
}

// A TLS 1.2 client with a session store, up to the server's last flight:
// NewSessionTicket, ChangeCipherSpec, Finished (one record each).
struct Tls12TicketFlight {
  std::shared_ptr<MemorySessionStore> store = std::make_shared<MemorySessionStore>();
  std::unique_ptr<Connection> client, server;
  std::vector<Bytes> last;
  Tls12TicketFlight() {
    auto cc = client_config();
    cc->policy = tls12_policy();
    cc->session_store = store;
    auto sc = server_config();
    sc->policy = tls12_policy();
    client = std::move(*Connection::client(cc, {"localhost", {}}));
    server = std::move(*Connection::server(sc));
    EXPECT_TRUE(server->receive_tls(take_out(*client)).ok());
    EXPECT_TRUE(client->receive_tls(take_out(*server)).ok());
    EXPECT_TRUE(server->receive_tls(take_out(*client)).ok());
    last = records_of(take_out(*server));
    EXPECT_EQ(last.size(), 3u);
    if (last.size() == 3) {
      EXPECT_EQ(last[0][0], 22);
      EXPECT_EQ(last[0][5], 4);  // new_session_ticket
      EXPECT_EQ(last[1][0], 20);
    }
  }
  Result<void> deliver(const std::vector<Bytes>& records) {
    Bytes in;
    for (const Bytes& r : records) in.insert(in.end(), r.begin(), r.end());
    return client->receive_tls(in);
  }
};

// RFC 8446 4.1.3/4.1.4: the random is examined first, and a
// HelloRetryRequest must carry supported_versions: a TLS 1.2-looking
// ServerHello with the HelloRetryRequest random is refused, not taken as TLS
// 1.2 by a client offering both.
TEST(HostileFlight, HelloRetryRequestRandomWithoutSupportedVersions) {
  Tls12Flight f("server-ec", OcspStapling::off, /*client_offers_tls13=*/true);
  ASSERT_EQ(f.msgs.size(), 4u);
  Bytes sh = f.msgs[0];
  ASSERT_GE(sh.size(), 6u + 32u);
  std::copy(wire::kHelloRetryRequestRandom.begin(), wire::kHelloRetryRequestRandom.end(),
            sh.begin() + 6);  // header (4), legacy_version (2), random
  f.expect_client_refuses({sh, f.msgs[1], f.msgs[2], f.msgs[3]}, ErrorCode::missing_extension,
                          AlertDescription::missing_extension);
}

// RFC 5246 7.2.2 / RFC 5746: a renegotiating ClientHello gets a
// no_renegotiation warning; a client that keeps trying past
// Limits::max_warning_alerts is cut off with a fatal alert, and
// no_renegotiation "is always a warning": unexpected_message.
TEST(HostileFlight, Tls12RenegotiationAttemptsAreCutOff) {
  auto cc = client_config();
  cc->policy = tls12_policy();
  cc->policy.cipher_suites = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  auto sc = server_config();
  sc->policy = tls12_policy();
  sc->policy.limits.max_warning_alerts = 2;
  sc->tickets = 0;
  Forged12 f(cc, sc);
  ASSERT_TRUE(f.writer);
  auto other = std::move(*Connection::client(cc, {"localhost", {}}));
  const std::vector<Bytes> hello = handshake_messages(take_out(*other));
  ASSERT_EQ(hello.size(), 1u);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(f.p.server->receive_tls(f.seal(ContentType::handshake, hello[0])).ok())
        << err(*f.p.server);
    EXPECT_FALSE(take_out(*f.p.server).empty());  // the warning
  }
  auto r = f.p.server->receive_tls(f.seal(ContentType::handshake, hello[0]));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::too_many_messages) << r.error().to_string();
  EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
}

// RFC 8446 4.2.1: with supported_versions in the ServerHello, "clients MUST
// ignore the ServerHello.legacy_version value"; only SSL 3.0's is still
// refused (D.5: protocol_version).
TEST(HostileFlight, Tls13ServerHelloLegacyVersionIsIgnored) {
  for (uint16_t version : {0x0302, 0x0304, 0x0300}) {
    auto client = std::move(*Connection::client(client_config(), {"localhost", {}}));
    auto server = std::move(*Connection::server(server_config()));
    ASSERT_TRUE(server->receive_tls(take_out(*client)).ok());
    Bytes flight = take_out(*server);
    ASSERT_GE(flight.size(), 11u);
    ASSERT_EQ(flight[0], 22);
    ASSERT_EQ(flight[5], 2);  // server_hello
    Bytes sh(flight.begin(), flight.begin() + 5 + ((size_t{flight[3]} << 8) | flight[4]));
    sh[9] = static_cast<uint8_t>(version >> 8);  // header (5 + 4), legacy_version
    sh[10] = static_cast<uint8_t>(version);
    auto r = client->receive_tls(sh);
    if (version == 0x0300) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code(), ErrorCode::protocol_version) << r.error().to_string();
    } else {
      EXPECT_TRUE(r.ok()) << std::hex << version << ": " << r.error().to_string();
    }
  }
}

// RFC 5246 7.2 (RFC 5077 3.3): a ticket counts only once the server's
// Finished verifies; a handshake that fails after it leaves nothing to
// resume (an attacker without the keys cannot plant a ticket).
TEST(HostileFlight, Tls12TicketIsKeptOnlyAfterTheServerFinished) {
  {
    Tls12TicketFlight f;
    ASSERT_EQ(f.last.size(), 3u);
    ASSERT_TRUE(f.deliver(f.last).ok());
    EXPECT_TRUE(f.client->is_handshake_done());
    EXPECT_EQ(f.store->size(), 1u) << "the control: a ticket from a completed handshake is kept";
  }
  Tls12TicketFlight f;
  ASSERT_EQ(f.last.size(), 3u);
  f.last[2].back() ^= 1;  // the encrypted Finished no longer authenticates
  ASSERT_FALSE(f.deliver(f.last).ok());
  EXPECT_EQ(f.store->size(), 0u);
  EXPECT_FALSE(has_event(drain_events(*f.client), Event::new_session_ticket));
}

// RFC 5077 3.3: a server whose ServerHello answered session_ticket MUST
// send a NewSessionTicket; a ChangeCipherSpec in its place ->
// unexpected_message.
TEST(HostileFlight, Tls12PromisedTicketMissing) {
  Tls12TicketFlight f;
  ASSERT_EQ(f.last.size(), 3u);
  auto r = f.deliver({f.last[1], f.last[2]});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << r.error().to_string();
  EXPECT_NE(r.error().message().find("NewSessionTicket"), std::string::npos);
}

// RFC 5246 7.4.1.4 / RFC 8446 4.2: a ServerHello answering ALPN, which the
// client did not offer -> unsupported_extension.
TEST(HostileFlight, Tls12UnsolicitedAlpn) {
  Tls12Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  Bytes sh = f.msgs[0];
  append_extension(sh, server_hello_extensions_at(sh), wire::kExtAlpn,
                   {0x00, 0x03, 0x02, 'h', '2'});
  f.expect_client_refuses({sh, f.msgs[1], f.msgs[2], f.msgs[3]}, ErrorCode::unsupported_extension,
                          AlertDescription::unsupported_extension);
}

// RFC 7919 4 and 5.1: a DHE ClientKeyExchange Yc of 0, 1 or p-1 is refused
// with handshake_failure, before any key is derived.
// A TLS 1.2 DHE (ffdhe2048) server that has sent its flight, and the
// client's ClientKeyExchange record for it (5 + 4 + 2 + 256 bytes).
struct DheExchange {
  std::unique_ptr<Connection> server;
  Bytes cke;
  DheExchange() {
    auto cc = client_config();
    cc->policy = tls12_policy();
    cc->policy.cipher_suites = {CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256};
    cc->policy.groups = {NamedGroup::ffdhe2048};
    auto sc = server_config("server-rsa");
    sc->policy = tls12_policy();
    auto client = std::move(*Connection::client(cc, {"localhost", {}}));
    server = std::move(*Connection::server(sc));
    EXPECT_TRUE(server->receive_tls(take_out(*client)).ok());
    EXPECT_TRUE(client->receive_tls(take_out(*server)).ok());
    Bytes out = take_out(*client);
    EXPECT_GE(out.size(), 267u);
    if (out.size() < 267) return;
    EXPECT_EQ(out[5], 16);  // client_key_exchange
    EXPECT_EQ(out[9], 1);   // Yc length 256
    EXPECT_EQ(out[10], 0);
    cke.assign(out.begin(), out.begin() + 267);
  }
};

TEST(HostileFlight, Tls12DheClientKeyExchangeDegenerateValues) {
  for (uint8_t last : {0, 1, 2}) {  // 2 stands for p-1 below
    DheExchange x;
    Bytes& cke = x.cke;
    ASSERT_EQ(cke.size(), 267u);
    if (last == 2) {
      // p-1: ffdhe2048's p ends in 64 one bits and starts with 64 more.
      std::fill(cke.begin() + 11, cke.end(), 0xff);
      Bytes p = *from_hex(
          "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939D"
          "CE249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1A"
          "F3B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB1"
          "82B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D"
          "709E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FC"
          "BC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF");
      std::copy(p.begin(), p.end(), cke.begin() + 11);
      cke.back() = 0xfe;
    } else {
      std::fill(cke.begin() + 11, cke.end(), 0);
      cke.back() = last;
    }
    auto r = x.server->receive_tls(cke);
    ASSERT_FALSE(r.ok()) << int(last);
    EXPECT_EQ(r.error().code(), ErrorCode::invalid_key_share) << r.error().to_string();
    // RFC 7919 4: an out-of-range dh_Yc -> handshake_failure.
    EXPECT_EQ(plaintext_alert(*x.server), AlertDescription::handshake_failure) << int(last);
  }
  // A dh_Yc longer than p (257 bytes of 0xff) is out of range too.
  DheExchange x;
  ASSERT_EQ(x.cke.size(), 267u);
  Bytes cke = {22, 3, 3, 1, 7, 16, 0, 1, 3, 1, 1};  // record 263, message 259, Yc 257
  cke.resize(cke.size() + 257, 0xff);
  auto r = x.server->receive_tls(cke);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("longer than the group's prime"), std::string::npos)
      << r.error().to_string();
  EXPECT_EQ(plaintext_alert(*x.server), AlertDescription::handshake_failure);
}

// RFC 7919 4: a client listing only ffdhe groups the server does not accept,
// with no other suite the server can use -> insufficient_security.
TEST(HostileFlight, Tls12NoAcceptableFfdheGroupIsInsufficientSecurity) {
  auto cc = client_config();
  cc->policy = tls12_policy();
  cc->policy.cipher_suites = {CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256};
  cc->policy.groups = {NamedGroup::ffdhe4096};
  auto sc = server_config("server-rsa");
  sc->policy = tls12_policy();
  sc->policy.groups = {NamedGroup::x25519, NamedGroup::ffdhe2048};
  Pair p = make_tls_pair(cc, sc);
  EXPECT_FALSE(p.handshake());
  ASSERT_NE(p.server->error(), nullptr);
  EXPECT_EQ(p.server->error()->code(), ErrorCode::insufficient_security) << err(*p.server);
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::insufficient_security);
}

// --- TLS 1.3 server flights, decrypted and rearranged ------------------------

// A client that has processed the ServerHello, and the server's encrypted
// messages (EncryptedExtensions, Certificate, CertificateVerify, Finished) in
// the clear, to be re-sent in any order under the server's handshake keys.
struct Tls13Flight {
  KeyLog log;
  std::unique_ptr<Connection> client, server;
  std::vector<Bytes> msgs;
  explicit Tls13Flight(size_t client_record_size_limit = 16385,
                       std::vector<CertCompression> cert_compression = {},
                       std::shared_ptr<ClientConfig> cc = client_config()) {
    cc->policy.limits.record_size_limit = client_record_size_limit;
    cc->policy.cert_compression = std::move(cert_compression);
    cc->policy.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
    cc->keylog = collect_key_log(log);
    client = std::move(*Connection::client(cc, {"localhost", {}}));
    server = std::move(*Connection::server(server_config()));
    EXPECT_TRUE(server->receive_tls(take_out(*client)).ok());
    Bytes flight = take_out(*server);
    Bytes encrypted_stream;
    for (size_t at = 0; at + 5 <= flight.size();) {
      size_t len = (size_t{flight[at + 3]} << 8) | flight[at + 4];
      Bytes rec(flight.begin() + at, flight.begin() + at + 5 + len);
      at += 5 + len;
      if (rec[0] == 22) {
        EXPECT_TRUE(client->receive_tls(rec).ok());  // ServerHello: keys now known
      } else if (rec[0] == 23) {
        encrypted_stream.insert(encrypted_stream.end(), rec.begin(), rec.end());
      }
    }
    auto reader = tls13_protection(log["SERVER_HANDSHAKE_TRAFFIC_SECRET"]);
    Bytes plain;
    for (size_t at = 0; at + 5 <= encrypted_stream.size();) {
      size_t len = (size_t{encrypted_stream[at + 3]} << 8) | encrypted_stream[at + 4];
      record::Record rec{ContentType::application_data, 0x0303,
                         MutableByteView(encrypted_stream.data() + at + 5, len)};
      auto opened = reader->open(rec);
      EXPECT_TRUE(opened.ok());
      if (opened.ok())
        plain.insert(plain.end(), opened->plaintext.begin(), opened->plaintext.end());
      at += 5 + len;
    }
    for (size_t at = 0; at + 4 <= plain.size();) {
      size_t len = (size_t{plain[at + 1]} << 16) | (size_t{plain[at + 2]} << 8) | plain[at + 3];
      msgs.emplace_back(plain.begin() + at, plain.begin() + at + 4 + len);
      at += 4 + len;
    }
  }
  // deliver seals `flight` as one handshake record and gives it to the client.
  Result<void> deliver(const std::vector<Bytes>& flight) {
    auto writer = tls13_protection(log["SERVER_HANDSHAKE_TRAFFIC_SECRET"]);
    Bytes body, wire;
    for (const Bytes& m : flight) body.insert(body.end(), m.begin(), m.end());
    EXPECT_TRUE(writer->seal(ContentType::handshake, body, 0, wire).ok());
    return client->receive_tls(wire);
  }
  // client_alert decrypts the alert the client queued (under its handshake keys).
  std::optional<AlertDescription> client_alert() {
    Bytes out = take_out(*client);
    auto reader = tls13_protection(log["CLIENT_HANDSHAKE_TRAFFIC_SECRET"]);
    for (size_t at = 0; at + 5 <= out.size();) {
      size_t len = (size_t{out[at + 3]} << 8) | out[at + 4];
      if (out[at] == 23) {
        record::Record rec{ContentType::application_data, 0x0303,
                           MutableByteView(out.data() + at + 5, len)};
        auto opened = reader->open(rec);
        if (opened.ok() && opened->type == ContentType::alert && opened->plaintext.size() == 2)
          return static_cast<AlertDescription>(opened->plaintext[1]);
      }
      at += 5 + len;
    }
    return std::nullopt;
  }
  void expect_refused(const std::vector<Bytes>& flight) {
    auto r = deliver(flight);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << r.error().to_string();
    EXPECT_EQ(client_alert(), AlertDescription::unexpected_message);
  }
};

TEST(HostileFlight, Tls13FlightAsSentIsAccepted) {
  Tls13Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  ASSERT_TRUE(f.deliver(f.msgs).ok());
  EXPECT_TRUE(f.client->is_handshake_done());
}

// RFC 8446 4: the server's messages come in a fixed order; anything else is
// unexpected_message (RFC 8446 6.2).
TEST(HostileFlight, Tls13ReorderedServerFlight) {
  Tls13Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  f.expect_refused({f.msgs[1], f.msgs[0], f.msgs[2], f.msgs[3]});
}

TEST(HostileFlight, Tls13DuplicatedEncryptedExtensions) {
  Tls13Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  f.expect_refused({f.msgs[0], f.msgs[0], f.msgs[1], f.msgs[2], f.msgs[3]});
}

TEST(HostileFlight, Tls13CertificateVerifyMissing) {
  Tls13Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  f.expect_refused({f.msgs[0], f.msgs[1], f.msgs[3]});
}

TEST(HostileFlight, Tls13DuplicatedFinished) {
  Tls13Flight f;
  ASSERT_EQ(f.msgs.size(), 4u);
  // After the first Finished the client is done and answers; the second one
  // arrives where only post-handshake messages may.
  auto r = f.deliver({f.msgs[0], f.msgs[1], f.msgs[2], f.msgs[3], f.msgs[3]});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message) << r.error().to_string();
}

// RFC 8449 4: a server's record_size_limit below 64 is illegal_parameter;
// above 2^14 + 1 in TLS 1.3 a client MAY refuse it, and we do.
TEST(HostileFlight, Tls13RecordSizeLimitOutOfRange) {
  for (uint16_t value : {uint16_t{63}, uint16_t{16386}}) {
    Tls13Flight f;
    ASSERT_EQ(f.msgs.size(), 4u);
    Bytes& ee = f.msgs[0];
    const uint8_t ours[] = {0x00, 0x1c, 0x00, 0x02, 0x40, 0x01};  // the server's 2^14 + 1
    auto it = std::search(ee.begin(), ee.end(), std::begin(ours), std::end(ours));
    ASSERT_NE(it, ee.end());
    it[4] = static_cast<uint8_t>(value >> 8);
    it[5] = static_cast<uint8_t>(value);
    auto r = f.deliver(f.msgs);
    ASSERT_FALSE(r.ok()) << value;
    EXPECT_EQ(r.error().code(), ErrorCode::illegal_parameter) << r.error().to_string();
    EXPECT_NE(r.error().to_string().find(value == 63 ? "minimum of 64" : "TLS 1.3 maximum"),
              std::string::npos)
        << r.error().to_string();
    EXPECT_EQ(f.client_alert(), AlertDescription::illegal_parameter);
  }
}

// RFC 8449 4: the server knew our limit when it protected the record that
// carries EncryptedExtensions; that record is held to it too, not only the
// ones after it.
TEST(HostileFlight, Tls13ServerFlightOverOurRecordSizeLimit) {
  Tls13Flight f(256);
  ASSERT_EQ(f.msgs.size(), 4u);
  size_t flight = 0;
  for (const Bytes& m : f.msgs) flight += m.size();
  ASSERT_GT(flight + 1, 256u);  // one record of all four is over the limit
  auto r = f.deliver(f.msgs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find("record_size_limit"), std::string::npos);
  EXPECT_EQ(f.client_alert(), AlertDescription::record_overflow);
  EXPECT_FALSE(f.client->is_handshake_done());
}

// The same when the server splits EncryptedExtensions: the record before
// the one that completes it (a few bytes of EE and a lot of padding) is
// checked once the limit is known.
TEST(HostileFlight, Tls13SplitEncryptedExtensionsOverOurRecordSizeLimit) {
  Tls13Flight f(256);
  ASSERT_EQ(f.msgs.size(), 4u);
  auto writer = tls13_protection(f.log["SERVER_HANDSHAKE_TRAFFIC_SECRET"]);
  const Bytes& ee = f.msgs[0];
  Bytes head(ee.begin(), ee.begin() + 2), rest(ee.begin() + 2, ee.end()), wire;
  ASSERT_TRUE(writer->seal(ContentType::handshake, head, 400, wire).ok());  // 403 bytes inner
  ASSERT_TRUE(writer->seal(ContentType::handshake, rest, 0, wire).ok());
  auto r = f.client->receive_tls(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow) << r.error().to_string();
  EXPECT_EQ(f.client_alert(), AlertDescription::record_overflow);
}

TEST(HostileFlight, Tls13ServerFlightWithinOurRecordSizeLimit) {
  Tls13Flight f(4096);
  ASSERT_TRUE(f.deliver(f.msgs).ok());
  EXPECT_TRUE(f.client->is_handshake_done());
}

// --- extensions in the wrong message, or unsolicited --------------------------
//
// RFC 8446 4.2: "If an implementation receives an extension which it
// recognizes and which is not specified for the message in which it appears,
// it MUST abort the handshake with an "illegal_parameter" alert", and an
// extension response to an extension not sent -> "unsupported_extension".

// server_hello_extensions_at is the offset of a ServerHello's (or HRR's)
// extension block: header, legacy_version, random, legacy_session_id_echo,
// cipher_suite, legacy_compression_method.
size_t server_hello_extensions_at(const Bytes& sh) { return 4 + 2 + 32 + 1 + sh[38] + 2 + 1; }

// append_to_first_entry adds an extension to the first CertificateEntry of a
// TLS 1.3 Certificate message, fixing the entry's, the list's and the
// message's lengths.
void append_to_first_entry(Bytes& cert, uint16_t type) {
  const size_t list_at = 4 + 1 + cert[4];
  const size_t cert_len =
      (size_t{cert[list_at + 3]} << 16) | (size_t{cert[list_at + 4]} << 8) | cert[list_at + 5];
  append_extension(cert, list_at + 3 + 3 + cert_len, type, {0x01, 0x00, 0x00, 0x00, 0x00});
  const size_t list = cert.size() - list_at - 3;
  cert[list_at] = static_cast<uint8_t>(list >> 16);
  cert[list_at + 1] = static_cast<uint8_t>(list >> 8);
  cert[list_at + 2] = static_cast<uint8_t>(list);
}

struct Misplaced {
  uint16_t type;
  Bytes data;
  ErrorCode code;
  AlertDescription alert;
  const char* says;
};

// The client gets the server's first flight with the ServerHello (or, with
// `hrr`, the HelloRetryRequest) carrying one more extension.
void expect_server_hello_refused(bool hrr, const Misplaced& m) {
  auto cc = client_config();
  auto sc = server_config();
  if (hrr) {
    ASSERT_TRUE(cc->policy.set_groups("x25519,secp384r1").ok());  // share for x25519 only
    ASSERT_TRUE(sc->policy.set_groups("secp384r1").ok());
  }
  auto client = std::move(*Connection::client(cc, {"localhost", {}}));
  auto server = new_server(sc);
  ASSERT_TRUE(server->receive_tls(take_out(*client)).ok());
  Bytes flight = take_out(*server);
  ASSERT_GE(flight.size(), 9u);
  ASSERT_EQ(flight[0], 22);
  const size_t len = (size_t{flight[3]} << 8) | flight[4];
  Bytes sh(flight.begin() + 5, flight.begin() + 5 + static_cast<std::ptrdiff_t>(len));
  ASSERT_EQ(sh[0], 2);  // the (first) record holds the ServerHello alone
  append_extension(sh, server_hello_extensions_at(sh), m.type, m.data);
  auto r = client->receive_tls(handshake_record(sh));
  ASSERT_FALSE(r.ok()) << m.type;
  EXPECT_EQ(r.error().code(), m.code) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find(m.says), std::string::npos) << r.error().to_string();
  EXPECT_EQ(plaintext_alert(*client), m.alert) << m.type;
}

// The client's ClientHello record and the server's ServerHello (or
// HelloRetryRequest) message, from a fresh pair.
struct FirstHellos {
  std::unique_ptr<Connection> client, server;
  Bytes client_hello_record, server_hello;
  explicit FirstHellos(std::shared_ptr<ClientConfig> cc = client_config(),
                       std::shared_ptr<ServerConfig> sc = server_config()) {
    client = std::move(*Connection::client(cc, {"localhost", {}}));
    server = new_server(sc);
    client_hello_record = take_out(*client);
    EXPECT_TRUE(server->receive_tls(client_hello_record).ok());
    Bytes flight = take_out(*server);
    EXPECT_GE(flight.size(), 9u);
    if (flight.size() < 9) return;
    const size_t len = (size_t{flight[3]} << 8) | flight[4];
    server_hello.assign(flight.begin() + 5, flight.begin() + 5 + static_cast<std::ptrdiff_t>(len));
    EXPECT_EQ(server_hello[0], 2);
  }
};

// RFC 8446 B.4, 4.1.3: a TLS 1.3 ServerHello naming a TLS 1.2 suite (which
// the client offered for a TLS 1.2 answer) -> illegal_parameter.
TEST(HostileFlight, Tls13ServerHelloWithATls12Suite) {
  FirstHellos h;
  Bytes sh = h.server_hello;
  const size_t suite_at = 4 + 2 + 32 + 1 + sh[38];
  sh[suite_at] = 0xc0;  // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  sh[suite_at + 1] = 0x2b;
  auto r = h.client->receive_tls(handshake_record(sh));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::illegal_parameter) << r.error().to_string();
  EXPECT_NE(r.error().message().find("TLS 1.2 cipher suite"), std::string::npos)
      << r.error().to_string();
  EXPECT_EQ(plaintext_alert(*h.client), AlertDescription::illegal_parameter);
}

// RFC 8446 D.5: a Hello with legacy_version 0x0300 -> protocol_version, on
// either side, whatever supported_versions says.
TEST(HostileFlight, Ssl3LegacyVersionInEitherHello) {
  {
    FirstHellos h;
    Bytes sh = h.server_hello;
    sh[4] = 0x03;
    sh[5] = 0x00;
    auto r = h.client->receive_tls(handshake_record(sh));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::protocol_version) << r.error().to_string();
    EXPECT_EQ(plaintext_alert(*h.client), AlertDescription::protocol_version);
  }
  auto client = std::move(*Connection::client(client_config(), {"localhost", {}}));
  Bytes ch = take_out(*client);
  ASSERT_EQ(ch[5], 1);  // client_hello
  ch[9] = 0x03;
  ch[10] = 0x00;
  auto server = new_server();
  auto r = server->receive_tls(ch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::protocol_version) << r.error().to_string();
  EXPECT_EQ(plaintext_alert(*server), AlertDescription::protocol_version);
}

// The cookie extension's data in a HelloRetryRequest.
Bytes hrr_cookie(const Bytes& hrr) {
  size_t at = server_hello_extensions_at(hrr);
  const size_t end = at + 2 + ((size_t{hrr[at]} << 8) | hrr[at + 1]);
  for (at += 2; at + 4 <= end;) {
    const uint16_t type = static_cast<uint16_t>((hrr[at] << 8) | hrr[at + 1]);
    const size_t len = (size_t{hrr[at + 2]} << 8) | hrr[at + 3];
    if (type == 44) return Bytes(hrr.begin() + at + 4, hrr.begin() + at + 4 + len);
    at += 4 + len;
  }
  return {};
}

// RFC 8446 4.2.2, 4.4.1: the second ClientHello must echo this connection's
// cookie. Another connection's (as valid, for the same suite and group) would
// put its ClientHello1's hash into this transcript.
TEST(HostileFlight, CookieFromAnotherConnectionIsRefused) {
  auto cc = client_config();
  ASSERT_TRUE(cc->policy.set_groups("x25519,secp384r1").ok());  // a share for x25519 only
  auto sc = server_config();
  ASSERT_TRUE(sc->policy.set_groups("secp384r1").ok());
  FirstHellos a(cc, sc), b(cc, sc);
  ASSERT_TRUE(a.server_hello.size() > 40 && b.server_hello.size() > 40);
  const Bytes cookie_a = hrr_cookie(a.server_hello), cookie_b = hrr_cookie(b.server_hello);
  ASSERT_FALSE(cookie_a.empty());
  ASSERT_EQ(cookie_a.size(), cookie_b.size());
  ASSERT_NE(cookie_a, cookie_b);
  ASSERT_TRUE(a.client->receive_tls(handshake_record(a.server_hello)).ok());
  Bytes ch2 = take_out(*a.client);
  // The second ClientHello follows a compatibility ChangeCipherSpec record.
  auto at = std::search(ch2.begin(), ch2.end(), cookie_a.begin(), cookie_a.end());
  ASSERT_NE(at, ch2.end());
  std::copy(cookie_b.begin(), cookie_b.end(), at);
  auto r = a.server->receive_tls(ch2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::illegal_parameter) << r.error().to_string();
  EXPECT_NE(r.error().message().find("cookie"), std::string::npos) << r.error().to_string();
}

TEST(ExtensionPlacement, ServerHello) {
  // Known, but only for EncryptedExtensions (ALPN, record_size_limit) or a
  // ClientHello (psk_key_exchange_modes, a TLS 1.2 extension); then one
  // tessera does not know, which answers nothing we sent.
  const Misplaced cases[] = {
      {wire::kExtAlpn,
       {0x00, 0x03, 0x02, 'h', '2'},
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "ServerHello: extension application_layer_protocol"},
      {wire::kExtRecordSizeLimit,
       {0x40, 0x01},
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "not allowed in this message"},
      {wire::kExtPskKeyExchangeModes,
       {0x01, 0x01},
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "not allowed in this message"},
      {wire::kExtExtendedMasterSecret,
       {},
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "not allowed in this message"},
      {0x7a7a,
       {},
       ErrorCode::unsupported_extension,
       AlertDescription::unsupported_extension,
       "unsolicited extension"},
  };
  for (const Misplaced& m : cases) expect_server_hello_refused(false, m);
}

TEST(ExtensionPlacement, HelloRetryRequest) {
  const Misplaced cases[] = {
      {wire::kExtEarlyData,
       {},
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "HelloRetryRequest: extension early_data"},
      {wire::kExtPreSharedKey,
       {0x00, 0x00},
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "not allowed in this message"},
      {0x7a7a,
       {},
       ErrorCode::unsupported_extension,
       AlertDescription::unsupported_extension,
       "unsolicited extension"},
  };
  for (const Misplaced& m : cases) expect_server_hello_refused(true, m);
}

TEST(ExtensionPlacement, EncryptedExtensions) {
  const Misplaced cases[] = {
      // Specified for other messages only.
      {wire::kExtKeyShare,
       {0x00, 0x1d},
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "EncryptedExtensions: extension key_share"},
      {wire::kExtPskKeyExchangeModes,
       {0x01, 0x01},
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "not allowed in this message"},
      {wire::kExtCertificateAuthorities,
       {0x00, 0x00},
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "not allowed in this message"},
      {wire::kExtStatusRequest,
       {},
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "not allowed in this message"},
      // Allowed in EncryptedExtensions, but we did not offer them.
      {wire::kExtMaxFragmentLength,
       {0x01},
       ErrorCode::unsupported_extension,
       AlertDescription::unsupported_extension,
       "unsolicited extension max_fragment_length"},
      {wire::kExtHeartbeat,
       {0x01},
       ErrorCode::unsupported_extension,
       AlertDescription::unsupported_extension,
       "unsolicited extension"},
      {0x7a7a,
       {},
       ErrorCode::unsupported_extension,
       AlertDescription::unsupported_extension,
       "unsolicited extension"},
  };
  for (const Misplaced& m : cases) {
    Tls13Flight f;
    ASSERT_EQ(f.msgs.size(), 4u);
    append_extension(f.msgs[0], 4, m.type, m.data);
    auto r = f.deliver(f.msgs);
    ASSERT_FALSE(r.ok()) << m.type;
    EXPECT_EQ(r.error().code(), m.code) << r.error().to_string();
    EXPECT_NE(r.error().to_string().find(m.says), std::string::npos) << r.error().to_string();
    EXPECT_EQ(f.client_alert(), m.alert) << m.type;
  }
}

// RFC 8446 4.4.2: Certificate entry extensions answer ClientHello
// extensions; tessera's ClientHello asks for none of them.
TEST(ExtensionPlacement, ServerCertificateEntry) {
  const std::pair<uint16_t, AlertDescription> cases[] = {
      {wire::kExtStatusRequest, AlertDescription::unsupported_extension},
      {wire::kExtSignedCertificateTimestamp, AlertDescription::unsupported_extension},
      {0x7a7a, AlertDescription::unsupported_extension},
      {wire::kExtKeyShare, AlertDescription::illegal_parameter},
  };
  for (const auto& [type, alert] : cases) {
    Tls13Flight f;
    ASSERT_EQ(f.msgs.size(), 4u);
    ASSERT_EQ(f.msgs[1][0], 11);
    append_to_first_entry(f.msgs[1], type);
    auto r = f.deliver(f.msgs);
    ASSERT_FALSE(r.ok()) << type;
    EXPECT_EQ(r.error().alert(), alert) << r.error().to_string();
    if (alert == AlertDescription::unsupported_extension) {
      EXPECT_NE(r.error().to_string().find("server Certificate entry 0 carries unsolicited"),
                std::string::npos)
          << r.error().to_string();
    }
    EXPECT_EQ(f.client_alert(), alert) << type;
  }
}

// RFC 6066 8: a TLS 1.2 status_request in the ServerHello answers ours (a
// client that did not ask refuses it), and a CertificateStatus may follow the
// Certificate only after that answer: "a server MUST NOT send the
// CertificateStatus message unless it ... sent a status_request extension in
// the server hello".
TEST(HostileOcspStapling, Tls12UnsolicitedStatusRequestAndCertificateStatus) {
  {
    Tls12Flight f;  // the client did not ask
    append_extension(f.msgs[0], server_hello_extensions_at(f.msgs[0]), wire::kExtStatusRequest);
    auto r = f.client->receive_tls(one_record(f.msgs));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::unsupported_extension) << r.error().to_string();
    EXPECT_NE(r.error().to_string().find("status_request acknowledged but not sent"),
              std::string::npos);
    EXPECT_EQ(plaintext_alert(*f.client), AlertDescription::unsupported_extension);
  }
  // CertificateStatus (type 22): ocsp(1), a 2-byte "response".
  const Bytes status = {22, 0, 0, 6, 1, 0, 0, 2, 0x30, 0x00};
  for (OcspStapling ocsp : {OcspStapling::off, OcspStapling::if_stapled, OcspStapling::require}) {
    // The server has no response, so its ServerHello does not announce one.
    Tls12Flight f("server-ec", ocsp);
    f.expect_client_refuses({f.msgs[0], f.msgs[1], status, f.msgs[2], f.msgs[3]},
                            ErrorCode::unexpected_message, AlertDescription::unexpected_message);
  }
}

// RFC 8446 4.4.2.1: a status_request in a Certificate entry holds a
// CertificateStatus; one that is not well formed is refused (here the
// OCSPResponse<1..2^24-1> is empty and a byte trails).
TEST(HostileOcspStapling, Tls13MalformedCertificateStatusInTheEntry) {
  auto cc = client_config();
  cc->ocsp = OcspStapling::if_stapled;
  Tls13Flight f(16385, {}, cc);
  ASSERT_EQ(f.msgs.size(), 4u);
  append_to_first_entry(f.msgs[1], wire::kExtStatusRequest);
  auto r = f.deliver(f.msgs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decode_error) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find("server Certificate entry 0 status_request"),
            std::string::npos)
      << r.error().to_string();
  EXPECT_EQ(f.client_alert(), AlertDescription::decode_error);
}

// The same for a client certificate: our CertificateRequest asks for no
// entry extension.
// Tls13ClientFlight is a mutual-TLS server that has sent its flight, and the
// client's answer in the clear: its first message (the Certificate, as it
// was sent: plain or compressed) and the rest (CertificateVerify,
// Finished), to be re-sent changed under the client's handshake keys. A
// compatibility change_cipher_spec is passed on as it is.
struct Tls13ClientFlight {
  KeyLog log;
  std::unique_ptr<Connection> client, server;
  Bytes passed, certificate, rest;
  Tls13ClientFlight(std::vector<CertCompression> client_cc = {},
                    std::vector<CertCompression> server_cc = {}) {
    auto cc = client_config();
    cc->policy.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
    cc->policy.cert_compression = std::move(client_cc);
    cc->credential = credential("client-ec");
    cc->keylog = collect_key_log(log);
    auto sc = server_config();
    sc->policy.cert_compression = std::move(server_cc);
    sc->client_auth = ClientAuth::required;
    sc->client_trust = trust();
    client = std::move(*Connection::client(cc, {"localhost", {}}));
    server = new_server(sc);
    EXPECT_TRUE(server->receive_tls(take_out(*client)).ok());
    EXPECT_TRUE(client->receive_tls(take_out(*server)).ok());
    Bytes out = take_out(*client), plain;
    auto reader = tls13_protection(log["CLIENT_HANDSHAKE_TRAFFIC_SECRET"]);
    for (size_t at = 0; at + 5 <= out.size();) {
      const size_t len = (size_t{out[at + 3]} << 8) | out[at + 4];
      if (out[at] == 23) {
        record::Record rec{ContentType::application_data, 0x0303,
                           MutableByteView(out.data() + at + 5, len)};
        auto opened = reader->open(rec);
        EXPECT_TRUE(opened.ok());
        if (opened.ok())
          plain.insert(plain.end(), opened->plaintext.begin(), opened->plaintext.end());
      } else {
        passed.insert(passed.end(), out.begin() + static_cast<std::ptrdiff_t>(at),
                      out.begin() + static_cast<std::ptrdiff_t>(at + 5 + len));
      }
      at += 5 + len;
    }
    EXPECT_GE(plain.size(), 4u);
    if (plain.size() < 4) return;
    const size_t len = (size_t{plain[1]} << 16) | (size_t{plain[2]} << 8) | plain[3];
    certificate.assign(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(4 + len));
    rest.assign(plain.begin() + static_cast<std::ptrdiff_t>(4 + len), plain.end());
  }
  // deliver seals `first` and the rest of the flight as one record and gives
  // it to the server.
  Result<void> deliver(const Bytes& first) {
    Bytes body = first, wire = passed;
    body.insert(body.end(), rest.begin(), rest.end());
    auto writer = tls13_protection(log["CLIENT_HANDSHAKE_TRAFFIC_SECRET"]);
    EXPECT_TRUE(writer->seal(ContentType::handshake, body, 0, wire).ok());
    return server->receive_tls(wire);
  }
};

// The same for a client certificate: our CertificateRequest asks for no
// entry extension.
TEST(ExtensionPlacement, ClientCertificateEntry) {
  for (uint16_t type : {wire::kExtSignedCertificateTimestamp, wire::kExtStatusRequest}) {
    Tls13ClientFlight f;
    ASSERT_EQ(f.certificate[0], 11);
    Bytes cert = f.certificate;
    append_to_first_entry(cert, type);
    auto r = f.deliver(cert);
    ASSERT_FALSE(r.ok()) << type;
    EXPECT_EQ(r.error().code(), ErrorCode::unsupported_extension) << r.error().to_string();
    EXPECT_NE(r.error().to_string().find("client Certificate entry 0 carries unsolicited"),
              std::string::npos)
        << r.error().to_string();
    EXPECT_FALSE(f.server->is_handshake_done());
  }
}

// --- RFC 8879 CompressedCertificate from a hostile server ---------------------

// compressed_certificate makes a CompressedCertificate message of the
// Certificate message `cert` with `alg`, announcing `announced` bytes
// (default: the true length).
Bytes compressed_certificate(const Bytes& cert, CertCompression alg,
                             std::optional<uint32_t> announced = std::nullopt,
                             uint16_t claimed_alg = 0) {
  ByteView body = ByteView(cert).subspan(4);
  auto packed = handshake::compress_certificate_message(alg, body);
  EXPECT_TRUE(packed.ok());
  wire::CompressedCertificate cc{claimed_alg ? claimed_alg : static_cast<uint16_t>(alg),
                                 announced.value_or(static_cast<uint32_t>(body.size())), *packed};
  return *wire::encode_handshake(cc);
}

TEST(HostileCompressedCertificate, AWellFormedForgeryReachesTheSignatureCheck) {
  if (!handshake::cert_compression_available(CertCompression::brotli)) GTEST_SKIP();
  Tls13Flight f(16385, {CertCompression::brotli});
  ASSERT_EQ(f.msgs.size(), 4u);
  // The server sent it compressed only if asked; this server was not, so
  // the flight carries a plain Certificate that we compress ourselves. The
  // CertificateVerify then signs a transcript with the other message: the
  // client gets as far as checking that signature.
  ASSERT_EQ(f.msgs[1][0], 11);
  auto r = f.deliver({f.msgs[0], compressed_certificate(f.msgs[1], CertCompression::brotli),
                      f.msgs[2], f.msgs[3]});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decrypt_error) << r.error().to_string();
  EXPECT_EQ(f.client->summary().peer_cert_compression,
            static_cast<uint16_t>(CertCompression::brotli));
}

TEST(HostileCompressedCertificate, Refusals) {
  if (!handshake::cert_compression_available(CertCompression::zlib)) GTEST_SKIP();
  struct Case {
    const char* what;
    std::vector<CertCompression> offered;
    std::function<Bytes(const Bytes&)> forge;
    ErrorCode code;
    AlertDescription alert;
    const char* says;
  };
  using C = CertCompression;
  const Case cases[] = {
      // RFC 8879 4: the algorithm MUST be one the client listed.
      {"algorithm not offered",
       {C::brotli},
       [](const Bytes& c) { return compressed_certificate(c, C::zlib); },
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "CompressedCertificate uses zlib, which we did not offer"},
      {"unknown algorithm",
       {C::zlib},
       [](const Bytes& c) { return compressed_certificate(c, C::zlib, std::nullopt, 0x7a7a); },
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "which we did not offer"},
      // RFC 8879 4: a length that does not match -> bad_certificate.
      {"announced too short",
       {C::zlib},
       [](const Bytes& c) { return compressed_certificate(c, C::zlib, uint32_t(c.size() - 10)); },
       ErrorCode::cert_parse,
       AlertDescription::bad_certificate,
       "CompressedCertificate (zlib): decompressed to more than the announced"},
      {"announced too long",
       {C::zlib},
       [](const Bytes& c) { return compressed_certificate(c, C::zlib, uint32_t(c.size() + 10)); },
       ErrorCode::cert_parse,
       AlertDescription::bad_certificate,
       "CompressedCertificate (zlib): the stream ends after"},
      // RFC 8879 5: the same limit as without compression, before inflating.
      {"above the message limit",
       {C::zlib},
       [](const Bytes& c) { return compressed_certificate(c, C::zlib, 64 * 1024 + 1); },
       ErrorCode::cert_parse,
       AlertDescription::bad_certificate,
       "above the handshake message limit of 65536"},
      // RFC 8879 4: data that cannot be decompressed -> bad_certificate.
      {"corrupt",
       {C::zlib},
       [](const Bytes& c) {
         Bytes m = compressed_certificate(c, C::zlib);
         for (size_t i = 16; i < m.size(); i += 7) m[i] ^= 0x5a;
         return m;
       },
       ErrorCode::cert_parse,
       AlertDescription::bad_certificate,
       "CompressedCertificate (zlib): corrupt data"},
      // Not offered at all: the message is out of place.
      {"compression never offered",
       {},
       [](const Bytes& c) { return compressed_certificate(c, C::zlib); },
       ErrorCode::unexpected_message,
       AlertDescription::unexpected_message,
       "compressed_certificate"},
  };
  for (const Case& k : cases) {
    Tls13Flight f(16385, k.offered);
    ASSERT_EQ(f.msgs.size(), 4u) << k.what;
    auto r = f.deliver({f.msgs[0], k.forge(f.msgs[1]), f.msgs[2], f.msgs[3]});
    ASSERT_FALSE(r.ok()) << k.what;
    EXPECT_EQ(r.error().code(), k.code) << k.what << ": " << r.error().to_string();
    EXPECT_NE(r.error().to_string().find(k.says), std::string::npos)
        << k.what << ": " << r.error().to_string();
    EXPECT_EQ(f.client_alert(), k.alert) << k.what;
    EXPECT_FALSE(f.client->is_handshake_done());
  }
}

// The server's side: a client's CompressedCertificate (RFC 8879 4) after a
// CertificateRequest that offered compression, or one that did not.
TEST(HostileCompressedCertificate, FromAClient) {
  if (!handshake::cert_compression_available(CertCompression::zstd)) GTEST_SKIP();
  using C = CertCompression;
  {
    // The honest flight: the client compressed with zstd, the server's
    // first choice that it takes (the client's own list is zstd first).
    Tls13ClientFlight f({C::zstd}, {C::brotli, C::zstd});
    ASSERT_EQ(f.certificate[0], 25);
    ASSERT_TRUE(f.deliver(f.certificate).ok()) << err(*f.server);
    EXPECT_TRUE(f.server->is_handshake_done());
    EXPECT_EQ(f.server->summary().peer_cert_compression, static_cast<uint16_t>(C::zstd));
  }
  struct Case {
    const char* what;
    std::vector<C> server;
    std::function<Bytes(const Bytes&)> forge;
    ErrorCode code;
    AlertDescription alert;
    const char* says;
  };
  const Case cases[] = {
      {"algorithm the CertificateRequest did not list",
       {C::brotli},
       [](const Bytes& c) { return compressed_certificate(c, C::zlib); },
       ErrorCode::illegal_parameter,
       AlertDescription::illegal_parameter,
       "CompressedCertificate uses zlib, which we did not offer"},
      {"announced too long",
       {C::zlib},
       [](const Bytes& c) { return compressed_certificate(c, C::zlib, uint32_t(c.size())); },
       ErrorCode::cert_parse,
       AlertDescription::bad_certificate,
       "CompressedCertificate (zlib): "},
      {"compression never offered",
       {},
       [](const Bytes& c) { return compressed_certificate(c, C::zlib); },
       ErrorCode::unexpected_message,
       AlertDescription::unexpected_message,
       "compressed_certificate"},
  };
  for (const Case& k : cases) {
    Tls13ClientFlight f({}, k.server);  // the client sends its Certificate plain
    ASSERT_EQ(f.certificate[0], 11) << k.what;
    auto r = f.deliver(k.forge(f.certificate));
    ASSERT_FALSE(r.ok()) << k.what;
    EXPECT_EQ(r.error().code(), k.code) << k.what << ": " << r.error().to_string();
    EXPECT_EQ(r.error().alert(), k.alert) << k.what;
    EXPECT_NE(r.error().to_string().find(k.says), std::string::npos)
        << k.what << ": " << r.error().to_string();
    EXPECT_FALSE(f.server->is_handshake_done());
  }
  // A CompressedCertificate of the client's certificate, well formed and
  // offered for, but not what the CertificateVerify signed over: the server
  // hashes the message as received, so the signature fails.
  Tls13ClientFlight f({}, {C::zlib});
  auto r = f.deliver(compressed_certificate(f.certificate, C::zlib));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::decrypt_error) << r.error().to_string();
}

// RFC 8879 4: compressing is a MAY; what does not get smaller goes as it is.
TEST(HostileCompressedCertificate, IncompressibleCertificateGoesPlain) {
  if (!handshake::cert_compression_available(CertCompression::brotli)) GTEST_SKIP();
  // A Certificate message whose single entry is 600 pseudo-random bytes.
  Bytes cert = {11, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 0x58};
  uint32_t x = 0x12345678;
  for (int i = 0; i < 600; ++i) {
    x = x * 1103515245u + 12345u;
    cert.push_back(static_cast<uint8_t>(x >> 24));
  }
  cert.insert(cert.end(), {0x00, 0x00});  // no entry extensions
  const size_t list = cert.size() - 8, body = cert.size() - 4;
  cert[5] = static_cast<uint8_t>(list >> 16), cert[6] = static_cast<uint8_t>(list >> 8),
  cert[7] = static_cast<uint8_t>(list);
  cert[1] = static_cast<uint8_t>(body >> 16), cert[2] = static_cast<uint8_t>(body >> 8),
  cert[3] = static_cast<uint8_t>(body);
  ASSERT_TRUE(wire::Certificate13::parse(ByteView(cert).subspan(4)).ok());
  const Bytes original = cert;
  auto note = handshake::compress_if_smaller(CertCompression::brotli, cert);
  EXPECT_EQ(note.used, 0);
  EXPECT_EQ(cert, original);
  EXPECT_NE(note.note.find("not compressed (brotli does not make it smaller)"), std::string::npos)
      << note.note;
  // A compressible one is replaced, and the same bytes come from the cache.
  Bytes chain = *handshake::build_certificate13({}, credential("server-rsa")->chain);
  const Bytes plain = chain;
  auto first = handshake::compress_if_smaller(CertCompression::brotli, chain);
  ASSERT_EQ(first.used, static_cast<uint16_t>(CertCompression::brotli)) << first.note;
  EXPECT_EQ(chain[0], 25);
  EXPECT_LT(chain.size(), plain.size());
  Bytes again = plain;
  (void)handshake::compress_if_smaller(CertCompression::brotli, again);
  EXPECT_EQ(again, chain);
}

// RFC 8446 4.3.2 / 4.6.1: a known extension not specified for a
// CertificateRequest or a NewSessionTicket -> illegal_parameter; unknown
// ones are ignored there (checked through the parser the client uses).
TEST(ExtensionPlacement, CertificateRequestRules) {
  Bytes cr = {13, 0, 0, 0, 0, 0, 0};  // empty context, empty extension block at 5
  append_extension(cr, 5, wire::kExtSignatureAlgorithms, {0x00, 0x02, 0x04, 0x03});
  append_extension(cr, 5, 0x7a7a);
  Bytes body(cr.begin() + 4, cr.end());
  ASSERT_TRUE(handshake::parse_certificate_request13(body, false).ok());
  append_extension(cr, 5, wire::kExtKeyShare, {0x00, 0x1d});
  body.assign(cr.begin() + 4, cr.end());
  auto r = handshake::parse_certificate_request13(body, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::illegal_parameter) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find("CertificateRequest: extension key_share"),
            std::string::npos)
      << r.error().to_string();
}

// RFC 8446 5: application data before the handshake completes, even an
// empty record (which is otherwise allowed), -> unexpected_message.
TEST(HostileRecords, EmptyApplicationDataBeforeTheHandshakeCompletes) {
  Tls13ClientFlight f;
  Bytes wire = f.passed;
  auto writer = tls13_protection(f.log["CLIENT_HANDSHAKE_TRAFFIC_SECRET"]);
  ASSERT_TRUE(writer->seal(ContentType::application_data, {}, 0, wire).ok());
  auto r = f.server->receive_tls(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << r.error().to_string();
  EXPECT_NE(r.error().message().find("before the handshake completed"), std::string::npos);
}

// RFC 8446 6.1: "Any data received after a closure alert has been received
// MUST be ignored" -- not parsed either: garbage behind the client's
// close_notify does not fail the server or make it send an alert.
TEST(HostileRecords, BytesAfterCloseNotifyAreIgnored) {
  auto p = handshaken_pair(client_config(), server_config());
  ASSERT_TRUE(p.client->write(app("last words")).ok());
  p.client->close();
  Bytes in = take_out(*p.client);
  const Bytes garbage = {0x63, 0x03, 0x03, 0x00, 0x01, 0x00, 'G', 'E', 'T'};
  in.insert(in.end(), garbage.begin(), garbage.end());
  ASSERT_TRUE(p.server->receive_tls(in).ok()) << err(*p.server);
  EXPECT_TRUE(p.server->is_peer_closed());
  EXPECT_EQ(p.server->error(), nullptr);
  EXPECT_EQ(read_all(*p.server), "last words");
  ASSERT_TRUE(p.server->receive_tls(garbage).ok());
  EXPECT_EQ(p.server->error(), nullptr);
}

// RFC 8446 6.1: after our close_notify we send nothing more, not even the
// fatal alert a bad record would otherwise get.
TEST(HostileRecords, NoAlertAfterOurCloseNotify) {
  auto p = handshaken_pair(client_config(), server_config());
  p.server->close();
  const size_t after_close = p.server->pending_tls().size();
  ASSERT_GT(after_close, 0u);
  auto r = p.server->receive_tls(Bytes{0x63, 0x03, 0x03, 0x00, 0x01, 0x00});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(p.server->pending_tls().size(), after_close);
}

// key_update() before the handshake completes is refused, and the
// connection goes on: the caller's mistake sends the peer no alert.
TEST(HostileRecords, KeyUpdateBeforeTheHandshakeIsRefusedQuietly) {
  auto client = std::move(*Connection::client(client_config(), {"localhost", {}}));
  const size_t hello = client->pending_tls().size();
  auto r = client->key_update(false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(client->error(), nullptr);
  EXPECT_EQ(client->pending_tls().size(), hello);
  auto server = new_server();
  Pair p{std::move(client), std::move(server)};
  EXPECT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
}

}  // namespace
}  // namespace tessera::testing
