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

// Ticket state format 3 added the RFC 8449 limit of the ticket's handshake.
// Format 2 states (tickets issued before an upgrade, or by a server of the
// fleet not yet upgraded) still open, with no limit; formats 1 and 4 do not.
TEST(TicketState, Format2StillOpensWithoutARecordSizeLimit) {
  TicketState st;
  st.cipher_suite = 0x1301;
  st.psk = SecretBytes(Bytes(32, 5));
  st.sni = "localhost";
  st.max_early_data = 1000;
  st.record_size_limit = 300;
  SecretBytes v3 = encode_state(st);
  auto back = decode_state(v3.view());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->record_size_limit, 300);
  ASSERT_EQ(v3.view()[0], 3);
  Bytes v2(v3.view().begin(), v3.view().end() - 2);  // no limit at the end
  v2[0] = 2;
  auto old = decode_state(v2);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->record_size_limit, 0);
  EXPECT_EQ(old->max_early_data, 1000u);
  EXPECT_EQ(old->sni, "localhost");
  Bytes bad(v3.view().begin(), v3.view().end());
  for (uint8_t fmt : {uint8_t{1}, uint8_t{4}}) {
    bad[0] = fmt;
    EXPECT_FALSE(decode_state(bad).has_value()) << int(fmt);
  }
  v2[0] = 3;  // format 3 without its limit: truncated
  EXPECT_FALSE(decode_state(v2).has_value());
}

}  // namespace
}  // namespace tessera::handshake
