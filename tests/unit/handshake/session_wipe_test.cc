// Session's assignments and destructor leave no copy of the PSK in memory
// they free (tests/support/freed_memory_probe.h searches every freed block
// for the marker). The control case, a plain vector assigned over, shows the
// check can see such copies.
#include <iterator>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/freed_memory_probe.h"
#include "tessera/config.h"
#include "tessera/session.h"

namespace tessera {
namespace {

using testing::FreedMemoryProbe;
using testing::kSecretMarker;

Session with_marker_psk() {
  Session s;
  s.server_name = "example.com";
  s.ticket = {1, 2, 3};
  s.psk.assign(std::begin(kSecretMarker), std::end(kSecretMarker));
  return s;
}

Session with_other_psk(size_t n) {
  Session s;
  s.server_name = "other.example";
  s.psk.assign(n, 0x33);
  return s;
}

TEST(SessionWipe, PlainVectorAssignmentLeavesTheOldBytes) {
  TESSERA_SKIP_WITHOUT_PROBE();
  FreedMemoryProbe probe;
  {
    std::vector<uint8_t> v(std::begin(kSecretMarker), std::end(kSecretMarker));
    v = std::vector<uint8_t>(8, 0x33);  // move: the old buffer is freed as it is
  }
  EXPECT_GT(probe.freed_with_marker(), 0) << "the check cannot see unwiped copies";
}

TEST(SessionWipe, AssignmentsWipeThePskTheyReplace) {
  TESSERA_SKIP_WITHOUT_PROBE();
  FreedMemoryProbe probe;
  {
    Session s = with_marker_psk();
    s = with_other_psk(8);  // move-assigned: the old PSK's buffer is freed
    EXPECT_EQ(s.psk, std::vector<uint8_t>(8, 0x33));
    EXPECT_EQ(s.server_name, "other.example");
    EXPECT_TRUE(s.ticket.empty());
  }
  {
    Session s = with_marker_psk();
    const Session longer = with_other_psk(64);
    s = longer;  // copy-assigned, longer: the old buffer is freed
    EXPECT_EQ(s.psk, longer.psk);
  }
  {
    // Copy-assigned an empty PSK: a plain copy would keep the old buffer,
    // marker and all, and the destructor would find nothing to wipe.
    Session s = with_marker_psk();
    const Session empty = with_other_psk(0);
    s = empty;
    EXPECT_TRUE(s.psk.empty());
    EXPECT_EQ(s.server_name, "other.example");
  }
  {
    Session s = with_marker_psk();
    Session moved(std::move(s));  // move-constructed: the new owner wipes
    Session copy = moved;         // copied: both wipe
  }
  EXPECT_EQ(probe.freed_with_marker(), 0);
}

TEST(SessionWipe, SelfAssignmentKeepsTheSession) {
  Session s = with_marker_psk();
  Session& same = s;
  s = same;
  EXPECT_EQ(s.psk, std::vector<uint8_t>(std::begin(kSecretMarker), std::end(kSecretMarker)));
  s = std::move(same);
  EXPECT_EQ(s.psk, std::vector<uint8_t>(std::begin(kSecretMarker), std::end(kSecretMarker)));
  EXPECT_EQ(s.server_name, "example.com");
}

// An expired entry of the server's session cache is wiped and dropped at the
// next take(), whatever id that take asks for.
TEST(SessionWipe, ExpiredServerCacheEntriesAreWipedAtTheNextTake) {
  TESSERA_SKIP_WITHOUT_PROBE();
  FreedMemoryProbe probe;
  MemoryServerSessionCache cache;
  cache.put({1}, std::vector<uint8_t>(std::begin(kSecretMarker), std::end(kSecretMarker)), 100);
  cache.put({2}, {9}, 300);
  EXPECT_FALSE(cache.take({7}, 50));  // nothing expired yet
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.take({7}, 200));  // {1} expired at 100
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(probe.freed_with_marker(), 0);
  EXPECT_TRUE(cache.take({2}, 200));
}

// ServerConfig's cookie_key (the HelloRetryRequest cookie HMAC key) is
// wiped the same way when the config is destroyed or assigned over.
TEST(ServerConfigWipe, CookieKeyIsWiped) {
  TESSERA_SKIP_WITHOUT_PROBE();
  FreedMemoryProbe probe;
  auto marked = [] {
    ServerConfig c;
    c.cookie_key.assign(std::begin(kSecretMarker), std::end(kSecretMarker));
    return c;
  };
  { ServerConfig c = marked(); }  // destroyed
  {
    ServerConfig c = marked();
    ServerConfig other;
    other.cookie_key.assign(64, 0x33);
    c = std::move(other);  // move-assigned
    EXPECT_EQ(c.cookie_key, std::vector<uint8_t>(64, 0x33));
  }
  {
    ServerConfig c = marked();
    const ServerConfig empty;
    c = empty;  // copy-assigned an empty key
    EXPECT_TRUE(c.cookie_key.empty());
  }
  {
    auto shared = std::make_shared<ServerConfig>(marked());
    ServerConfig copy = *shared;  // copies: each wipes its own
  }
  EXPECT_EQ(probe.freed_with_marker(), 0);
}

TEST(ServerConfigWipe, CopiesKeepEveryField) {
  ServerConfig c;
  c.cookie_key = {1, 2, 3};
  c.tickets = 5;
  c.alpn = {"h2"};
  c.max_early_data = 77;
  ServerConfig d;
  d = c;
  EXPECT_EQ(d.cookie_key, c.cookie_key);
  EXPECT_EQ(d.tickets, 5u);
  EXPECT_EQ(d.alpn, c.alpn);
  EXPECT_EQ(d.max_early_data, 77u);
  ServerConfig e(std::move(d));
  EXPECT_EQ(e.cookie_key, (std::vector<uint8_t>{1, 2, 3}));
  ServerConfig& same = e;
  e = same;  // self-assignment keeps it
  EXPECT_EQ(e.cookie_key, (std::vector<uint8_t>{1, 2, 3}));
}

}  // namespace
}  // namespace tessera
