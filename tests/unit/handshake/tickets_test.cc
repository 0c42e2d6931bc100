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

}  // namespace
}  // namespace tessera::handshake
