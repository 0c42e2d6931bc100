// The CLI's --psk-file (tools/tessera/tls_options.h, PskOptions): GnuTLS's
// psk passwd format read into ExternalPsks, errors naming file and line, and
// no copy of a key left in freed memory.
#include <gtest/gtest.h>

#include <string>

#include "base/hex.h"
#include "support/freed_memory_probe.h"
#include "support/temp_dir.h"
#include "tls_options.h"

namespace tessera::cli {
namespace {

using tessera::testing::FreedMemoryProbe;
using tessera::testing::kSecretMarker;

const std::string kKey16 = "000102030405060708090a0b0c0d0e0f";

class PskFile : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  PskOptions opts(const std::string& content, std::string identity = {}) {
    PskOptions o;
    o.file = dir_.write("psk.txt", content);
    o.identity = std::move(identity);
    return o;
  }
  std::string error_of(const PskOptions& o) {
    auto r = o.load();
    return r.ok() ? std::string("(loaded)") : r.error().to_string();
  }
  testing::TempDir dir_;
};

TEST_F(PskFile, ReadsLinesSkippingBlanksAndComments) {
  auto o = opts("# provisioned 2026-11\n\ndevice-17:" + kKey16 +
                "\r\n  \nother:" + std::string(96, 'A') + "  \n");
  o.hash = "sha384";
  auto r = o.load();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0]->identity, "device-17");
  EXPECT_EQ(to_hex((*r)[0]->key), kKey16);
  EXPECT_EQ((*r)[0]->hash, HashAlgorithm::sha384);
  EXPECT_EQ((*r)[1]->identity, "other");
  EXPECT_EQ((*r)[1]->key, std::vector<uint8_t>(48, 0xaa));
}

TEST_F(PskFile, ErrorsNameFileAndLineButNotTheKey) {
  const std::string secret = "0123456789abcdef0123456789abcdef";
  auto o = opts("ok:" + kKey16 + "\n\n" + secret + "\n");
  std::string e = error_of(o);
  EXPECT_NE(e.find(o.file + ":3: expected IDENTITY:HEXKEY"), std::string::npos) << e;
  EXPECT_EQ(e.find(secret), std::string::npos) << e;

  o = opts("id:" + kKey16 + "0");
  e = error_of(o);
  EXPECT_NE(e.find(o.file + ":1: the key of 'id' is not hex"), std::string::npos) << e;
  o = opts("id:" + kKey16.substr(2) + "zz");
  EXPECT_NE(error_of(o).find("is not hex"), std::string::npos);

  // A short key gets ExternalPsk::make's message, with the place.
  o = opts("x:" + kKey16 + "\nid:0011223344556677\n");
  e = error_of(o);
  EXPECT_NE(e.find(o.file + ":2: an external PSK needs 16 to 256 bytes of key"), std::string::npos)
      << e;
  EXPECT_NE(e.find("not 8"), std::string::npos) << e;
  o = opts(":" + kKey16);
  EXPECT_NE(error_of(o).find(":1: an external PSK identity has 1 to 1024 bytes, not 0"),
            std::string::npos);

  o = opts("a:" + kKey16 + "\nb:" + kKey16 + "\na:" + kKey16 + "\n");
  e = error_of(o);
  EXPECT_NE(e.find(o.file + ":3: identity 'a' is already on line 1"), std::string::npos) << e;

  o = opts("# nothing yet\n\n");
  EXPECT_NE(error_of(o).find("holds no PSK"), std::string::npos);
  o.file = dir_.file("missing.txt");
  e = error_of(o);
  EXPECT_NE(e.find("io_error: cannot open " + o.file), std::string::npos) << e;
}

TEST_F(PskFile, ClientTakesTheNamedOrTheOnlyPsk) {
  auto one = opts("solo:" + kKey16 + "\n");
  auto r = one.load_one();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)->identity, "solo");

  const std::string two = "a:" + kKey16 + "\nb:" + std::string(32, 'f') + "\n";
  auto named = opts(two, "b");
  r = named.load_one();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)->identity, "b");
  EXPECT_EQ((*r)->key, std::vector<uint8_t>(16, 0xff));

  auto unnamed = opts(two);
  r = unnamed.load_one();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("holds 2 PSKs: choose one with --psk-identity"),
            std::string::npos);
  auto unknown = opts(two, "c\x01");
  r = unknown.load_one();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("has no PSK with identity 'c\\x01'"), std::string::npos)
      << r.error().message();
}

TEST_F(PskFile, LeavesNoCopyOfAKeyInFreedMemory) {
  if (!FreedMemoryProbe::sees_frees()) GTEST_SKIP() << "the probe cannot see frees here";
  const std::string hex = to_hex(ByteView(kSecretMarker, sizeof kSecretMarker));
  // Two PSKs: the client's load_one drops the one it does not use, and a
  // refused (too long) key must be wiped too.
  auto o = opts("a:" + hex + "\nb:" + hex + "\n", "b");
  {
    FreedMemoryProbe probe;
    {
      auto r = o.load_one();
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      EXPECT_EQ((*r)->key.size(), sizeof kSecretMarker);
    }
    EXPECT_EQ(probe.freed_with_marker(), 0);
  }
  auto too_long = opts("a:" + std::string(2 * 256, '0') + hex + "\n");
  {
    FreedMemoryProbe probe;
    EXPECT_FALSE(too_long.load().ok());
    EXPECT_EQ(probe.freed_with_marker(), 0);
  }
  // Control: decoding through from_hex and copying leaves the decoded bytes
  // behind, which shows the probe would see them.
  {
    FreedMemoryProbe probe;
    {
      auto b = from_hex(hex);
      ASSERT_TRUE(b);
      auto psk = ExternalPsk::make("a", std::vector<uint8_t>(b->begin(), b->end()));
      ASSERT_TRUE(psk.ok());
    }
    EXPECT_GT(probe.freed_with_marker(), 0);
  }
}

}  // namespace
}  // namespace tessera::cli
