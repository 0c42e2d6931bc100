// Stateful tickets and TLS 1.2 session IDs share ServerConfig::session_cache;
// a name of one kind must not reach an entry of the other.
#include <gtest/gtest.h>

#include <memory>

#include "base/bytes.h"
#include "crypto/provider.h"
#include "handshake/peer_verify.h"
#include "handshake/tickets.h"
#include "tessera/config.h"
#include "tessera/session.h"

namespace tessera::handshake {
namespace {

TicketState state_with_psk(uint8_t fill) {
  TicketState s;
  s.version = 0x0303;
  s.cipher_suite = 0xc02b;
  s.issued_at_ms = 1'000'000;
  s.lifetime_s = 3600;
  s.psk = SecretBytes(Bytes(48, fill));
  s.sni = "localhost";
  return s;
}

TEST(SessionCacheKinds, TicketNameIsNotASessionIdAndBack) {
  auto& p = *crypto::default_provider();
  ServerConfig cfg;
  cfg.session_cache = std::make_shared<MemoryServerSessionCache>();
  const int64_t now = 1000;

  auto ticket = issue_ticket(p, cfg, state_with_psk(0x11), now);
  ASSERT_TRUE(ticket.ok());
  const Bytes sid = new_session_id(p);
  ASSERT_TRUE(store_session(p, cfg, sid, state_with_psk(0x22), now).ok());

  // Each name offered as the other kind finds nothing...
  EXPECT_FALSE(find_session(p, cfg, *ticket, now).has_value());
  EXPECT_FALSE(redeem_ticket(p, cfg, sid, now).has_value());

  // ...and did not use the entry up: each still resumes under its own kind.
  auto by_ticket = redeem_ticket(p, cfg, *ticket, now);
  ASSERT_TRUE(by_ticket.has_value());
  EXPECT_EQ(by_ticket->psk.view()[0], 0x11);
  auto by_id = find_session(p, cfg, sid, now);
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->psk.view()[0], 0x22);

  // Single use.
  EXPECT_FALSE(redeem_ticket(p, cfg, *ticket, now).has_value());
  EXPECT_FALSE(find_session(p, cfg, sid, now).has_value());
}

// old_format is a state in the layout of format 2-5, as those versions wrote
// it (1-byte SNI length; 3: the RFC 8449 limit; 4: the client certificate's
// issuer and serial; 5: the client identity kept for a peer check).
Bytes old_format(uint8_t fmt, const TicketState& s) {
  ByteWriter w;
  w.u8(fmt);
  w.u16(s.version);
  w.u8(s.extended_master_secret ? 1 : 0);
  w.u16(s.cipher_suite);
  w.u64(static_cast<uint64_t>(s.issued_at_ms));
  w.u32(s.lifetime_s);
  w.u32(s.age_add);
  w.prefixed_bytes(1, s.psk.view());
  w.prefixed_bytes(1, as_bytes_view(s.alpn));
  w.prefixed_bytes(1, as_bytes_view(s.sni));
  w.prefixed_bytes(2, as_bytes_view(s.client_subject));
  w.u32(s.max_early_data);
  if (fmt >= 3) w.u16(s.record_size_limit);
  if (fmt >= 4) {
    w.prefixed_bytes(2, s.origin.client_issuer);
    w.prefixed_bytes(1, s.origin.client_serial);
  }
  if (fmt >= 5)
    write_kept_identity(w, s.client_kept.spki_sha256, s.client_kept.common_name,
                        s.client_kept.names);
  return std::move(w).take();
}

TicketState client_state() {
  TicketState st;
  st.cipher_suite = 0x1301;
  st.issued_at_ms = 5'000'000;
  st.psk = SecretBytes(Bytes(32, 5));
  st.sni = "localhost";
  st.client_subject = "CN=c";
  st.max_early_data = 1000;
  st.record_size_limit = 300;
  st.origin.client_issuer = {0x30, 0x00};
  st.origin.client_serial = {0x01, 0x02, 0x03};
  return st;
}

// Format 2-5 states (tickets issued before an upgrade, or by a server of the
// fleet not yet upgraded) still open, without what came later: their session
// counts as made when the ticket was issued, and names no client trust
// anchor. Formats 1 and 7 do not open, nor does a state cut short.
TEST(TicketState, OlderFormatsStillOpenWithoutTheLaterFields) {
  const TicketState st = client_state();
  for (uint8_t fmt = 2; fmt <= 5; ++fmt) {
    auto back = decode_state(old_format(fmt, st));
    ASSERT_TRUE(back.has_value()) << int(fmt);
    EXPECT_EQ(back->sni, "localhost");
    EXPECT_EQ(back->client_subject, "CN=c");
    EXPECT_EQ(back->max_early_data, 1000u);
    EXPECT_EQ(back->record_size_limit, fmt >= 3 ? 300 : 0);
    EXPECT_EQ(back->origin.client_issuer, fmt >= 4 ? st.origin.client_issuer : Bytes());
    EXPECT_EQ(back->origin.client_serial, fmt >= 4 ? st.origin.client_serial : Bytes());
    EXPECT_EQ(back->origin.authenticated_at_ms, st.issued_at_ms);
    EXPECT_TRUE(back->origin.client_anchor_sha256.empty());
    EXPECT_TRUE(back->client_kept.spki_sha256.empty());
    if (fmt == 2) continue;
    // The layout of the format before, labelled as this one: truncated.
    Bytes short_one = old_format(static_cast<uint8_t>(fmt - 1), st);
    short_one[0] = fmt;
    EXPECT_FALSE(decode_state(short_one).has_value()) << int(fmt);
  }
  auto v6 = encode_state(st);
  ASSERT_TRUE(v6.ok());
  ASSERT_EQ(v6->view()[0], 6);
  Bytes bad(v6->view().begin(), v6->view().end());
  for (uint8_t fmt : {uint8_t{1}, uint8_t{7}}) {
    bad[0] = fmt;
    EXPECT_FALSE(decode_state(bad).has_value()) << int(fmt);
  }
  // Format 6 without its origin fields (the layout of 5): truncated.
  Bytes five = old_format(5, st);
  five[0] = 6;
  EXPECT_FALSE(decode_state(five).has_value());
}

// Format 6 keeps the session's origin, and an SNI of any length the wire
// allows: before it, an SNI over 255 bytes overflowed its 1-byte length, and
// its bytes were read back as the fields after it (a client identity of the
// client's choosing, sealed by the server).
TEST(TicketState, KeepsTheOriginAndALongServerName) {
  TicketState st = client_state();
  st.origin.authenticated_at_ms = 4'000'000;
  st.origin.client_anchor_subject = {0x30, 0x03, 0x31, 0x01, 0x00};
  st.origin.client_anchor_sha256 = Bytes(32, 0xa7);
  st.origin.client_not_after = 1'900'000'000;
  st.client_subject.clear();
  st.sni = std::string(290, 'x') + "CN=admin,O";  // what a client would have us misread
  auto enc = encode_state(st);
  ASSERT_TRUE(enc.ok()) << enc.error().to_string();
  auto back = decode_state(enc->view());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->sni, st.sni);
  EXPECT_EQ(back->client_subject, "");
  EXPECT_EQ(back->origin.authenticated_at_ms, 4'000'000);
  EXPECT_EQ(back->origin.client_anchor_subject, st.origin.client_anchor_subject);
  EXPECT_EQ(back->origin.client_anchor_sha256, st.origin.client_anchor_sha256);
  EXPECT_EQ(back->origin.client_not_after, 1'900'000'000);
  EXPECT_EQ(back->origin.client_issuer, st.origin.client_issuer);
  Bytes longer(enc->view().begin(), enc->view().end());
  longer.push_back(0);
  EXPECT_FALSE(decode_state(longer).has_value());
}

// Times no server writes (found by fuzz_tickets: the lifetime arithmetic on
// them overflowed) are refused by the decoder.
TEST(TicketState, AbsurdTimesAreRefused) {
  TicketState st = client_state();
  auto good = encode_state(st);
  ASSERT_TRUE(good.ok());
  ASSERT_TRUE(decode_state(good->view()).has_value());
  for (int which = 0; which < 3; ++which) {
    TicketState bad = client_state();
    if (which == 0) bad.issued_at_ms = int64_t{1} << 62;
    if (which == 1) bad.origin.authenticated_at_ms = -1;  // 2^64 - 1 as written
    if (which == 2) bad.origin.client_not_after = int64_t{1} << 50;
    auto enc = encode_state(bad);
    ASSERT_TRUE(enc.ok());
    EXPECT_FALSE(decode_state(enc->view()).has_value()) << which;
  }
}

// A field longer than its length prefix fails the encoding (the server
// then sends no ticket) instead of writing a state that reads back wrong.
TEST(TicketState, AFieldTooLongForItsPrefixIsAnError) {
  TicketState st = client_state();
  st.origin.client_serial = Bytes(256, 1);  // 1-byte length
  auto enc = encode_state(st);
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.error().code(), ErrorCode::internal_error);
  st = client_state();
  st.sni.assign(70000, 'a');  // 2-byte length
  EXPECT_FALSE(encode_state(st).ok());
  auto& p = *crypto::default_provider();
  ServerConfig cfg;
  EXPECT_FALSE(issue_ticket(p, cfg, st, 1000).ok());
}

TEST(TicketState, KeepsTheClientIdentityForAPeerCheck) {
  TicketState st;
  st.cipher_suite = 0x1301;
  st.psk = SecretBytes(Bytes(32, 5));
  st.client_subject = "CN=api, O=Example";
  st.client_kept.common_name = "api";
  st.client_kept.names = {"DNS:api.internal", "URI:spiffe://example.org/ns/prod/sa/api"};
  st.client_kept.spki_sha256 = Bytes(32, 0xc3);
  auto encoded = encode_state(st);
  ASSERT_TRUE(encoded.ok());
  const SecretBytes& enc = *encoded;
  auto back = decode_state(enc.view());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->client_kept.subject, "CN=api, O=Example");
  EXPECT_EQ(back->client_kept.common_name, "api");
  EXPECT_EQ(back->client_kept.names, st.client_kept.names);
  EXPECT_EQ(back->client_kept.spki_sha256, st.client_kept.spki_sha256);
  // Truncated anywhere inside the identity, or with a byte more: refused.
  for (size_t cut = 1; cut < 40; ++cut)
    EXPECT_FALSE(decode_state(enc.view().first(enc.size() - cut)).has_value()) << cut;
  Bytes longer(enc.view().begin(), enc.view().end());
  longer.push_back(0);
  EXPECT_FALSE(decode_state(longer).has_value());
  // An identity too large to keep is written as none.
  st.client_kept.names.assign(100, std::string(60, 'a'));
  auto big_state = encode_state(st);
  ASSERT_TRUE(big_state.ok());
  auto big = decode_state(big_state->view());
  ASSERT_TRUE(big.has_value());
  EXPECT_TRUE(big->client_kept.spki_sha256.empty());
  EXPECT_TRUE(big->client_kept.names.empty());
}

}  // namespace
}  // namespace tessera::handshake
