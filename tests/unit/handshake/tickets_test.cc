// Stateful tickets and TLS 1.2 session IDs share ServerConfig::session_cache;
// a name of one kind must not reach an entry of the other.
#include <gtest/gtest.h>

#include <memory>

#include "crypto/provider.h"
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

// Ticket state format 3 added the RFC 8449 limit of the ticket's handshake,
// format 4 the client certificate's issuer and serial, format 5 the client
// identity kept for a peer check. Format 2-4 states (tickets issued before
// an upgrade, or by a server of the fleet not yet upgraded) still open,
// without what came later; formats 1 and 6 do not.
TEST(TicketState, OlderFormatsStillOpenWithoutTheLaterFields) {
  TicketState st;
  st.cipher_suite = 0x1301;
  st.psk = SecretBytes(Bytes(32, 5));
  st.sni = "localhost";
  st.client_subject = "CN=c";
  st.max_early_data = 1000;
  st.record_size_limit = 300;
  st.client_issuer = {0x30, 0x00};
  st.client_serial = {0x01, 0x02, 0x03};
  SecretBytes v5 = encode_state(st);  // no identity kept: one 0 byte at the end
  ASSERT_EQ(v5.view()[0], 5);
  ASSERT_EQ(v5.view().back(), 0);
  Bytes v4(v5.view().begin(), v5.view().end() - 1);
  v4[0] = 4;
  auto back = decode_state(v4);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->record_size_limit, 300);
  EXPECT_EQ(back->client_subject, "CN=c");
  EXPECT_EQ(back->client_issuer, st.client_issuer);
  EXPECT_EQ(back->client_serial, st.client_serial);
  EXPECT_TRUE(back->client_kept.spki_sha256.empty());
  // Format 3: the same without the issuer (2 + 2 bytes) and serial (1 + 3 bytes).
  Bytes v3(v4.begin(), v4.end() - 8);
  v3[0] = 3;
  auto three = decode_state(v3);
  ASSERT_TRUE(three.has_value());
  EXPECT_EQ(three->record_size_limit, 300);
  EXPECT_TRUE(three->client_issuer.empty() && three->client_serial.empty());
  EXPECT_EQ(three->client_subject, "CN=c");
  Bytes v2(v3.begin(), v3.end() - 2);  // no limit at the end
  v2[0] = 2;
  auto old = decode_state(v2);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->record_size_limit, 0);
  EXPECT_EQ(old->max_early_data, 1000u);
  EXPECT_EQ(old->sni, "localhost");
  Bytes bad(v5.view().begin(), v5.view().end());
  for (uint8_t fmt : {uint8_t{1}, uint8_t{6}}) {
    bad[0] = fmt;
    EXPECT_FALSE(decode_state(bad).has_value()) << int(fmt);
  }
  v2[0] = 3;  // format 3 without its limit: truncated
  EXPECT_FALSE(decode_state(v2).has_value());
  v3[0] = 4;  // format 4 without the client fields: truncated
  EXPECT_FALSE(decode_state(v3).has_value());
  v4[0] = 5;  // format 5 without the kept identity: truncated
  EXPECT_FALSE(decode_state(v4).has_value());
}

TEST(TicketState, KeepsTheClientIdentityForAPeerCheck) {
  TicketState st;
  st.cipher_suite = 0x1301;
  st.psk = SecretBytes(Bytes(32, 5));
  st.client_subject = "CN=api, O=Example";
  st.client_kept.common_name = "api";
  st.client_kept.names = {"DNS:api.internal", "URI:spiffe://example.org/ns/prod/sa/api"};
  st.client_kept.spki_sha256 = Bytes(32, 0xc3);
  SecretBytes enc = encode_state(st);
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
  auto big = decode_state(encode_state(st).view());
  ASSERT_TRUE(big.has_value());
  EXPECT_TRUE(big->client_kept.spki_sha256.empty());
  EXPECT_TRUE(big->client_kept.names.empty());
}

}  // namespace
}  // namespace tessera::handshake
