// DeterministicProvider (src/crypto/deterministic.cc): scripted bytes first,
// then a reproducible seeded stream.
#include "crypto/deterministic.h"

#include <gtest/gtest.h>

#include "crypto_test_util.h"

namespace tessera::crypto {
namespace {

using testing::H;

// Hello randoms are drawn with public_random: the script serves them too, in
// the same order as random() draws (RFC 8448 replays push the ClientHello
// random, then the X25519 private key).
TEST(DeterministicProvider, PublicRandomFollowsTheScript) {
  DeterministicProvider a(as_bytes_view("seed")), b(as_bytes_view("seed"));
  a.push_random(H("0a0b0c"));
  b.push_random(H("0a0b0c"));
  Bytes x(2), y(40), x2(2), y2(40);
  a.public_random(x);
  a.random(y);
  b.random(x2);
  b.public_random(y2);
  EXPECT_EQ(to_hex(x), "0a0b");
  EXPECT_EQ(to_hex(x), to_hex(x2));
  EXPECT_EQ(to_hex(y), to_hex(y2));
}

TEST(DeterministicProvider, PushedBytesComeFirstThenSeededStream) {
  DeterministicProvider p(as_bytes_view("seed"));
  p.push_random(H("0102030405"));
  Bytes out(8);
  p.random(out);
  // 5 pushed bytes, then the first 3 bytes of SHA-256("seed" || 0^8).
  Bytes block0_in = {'s', 'e', 'e', 'd', 0, 0, 0, 0, 0, 0, 0, 0};
  Bytes block0 = p.digest(HashAlgorithm::sha256, block0_in);
  EXPECT_EQ(to_hex(ByteView(out).first(5)), "0102030405");
  EXPECT_EQ(to_hex(ByteView(out).subspan(5)), to_hex(ByteView(block0).first(3)));
  // The stream continues across block boundaries.
  Bytes rest(40);
  p.random(rest);
  Bytes block1_in = block0_in;
  block1_in.back() = 1;
  Bytes block1 = p.digest(HashAlgorithm::sha256, block1_in);
  EXPECT_EQ(to_hex(ByteView(rest).first(29)), to_hex(ByteView(block0).subspan(3)));
  EXPECT_EQ(to_hex(ByteView(rest).subspan(29)), to_hex(ByteView(block1).first(11)));
}

TEST(DeterministicProvider, SameSeedSameKeySharesDifferentSeedDiffers) {
  for (NamedGroup g :
       {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1, NamedGroup::ffdhe2048}) {
    SCOPED_TRACE(group_name(static_cast<uint16_t>(g)));
    DeterministicProvider a(as_bytes_view("fuzz-1")), b(as_bytes_view("fuzz-1")),
        c(as_bytes_view("fuzz-2"));
    auto sa = a.generate_key_share(g);
    auto sb = b.generate_key_share(g);
    auto sc = c.generate_key_share(g);
    ASSERT_TRUE(sa.ok() && sb.ok() && sc.ok());
    EXPECT_EQ(to_hex((*sa)->public_value()), to_hex((*sb)->public_value()));
    EXPECT_NE(to_hex((*sa)->public_value()), to_hex((*sc)->public_value()));
    // Server side too: same seeds, same server share and secret.
    auto ea = a.encapsulate(g, (*sc)->public_value());
    auto eb = b.encapsulate(g, (*sc)->public_value());
    ASSERT_TRUE(ea.ok() && eb.ok());
    EXPECT_EQ(to_hex(ea->ciphertext), to_hex(eb->ciphertext));
    EXPECT_EQ(testing::hex_of(ea->shared_secret), testing::hex_of(eb->shared_secret));
  }
}

// RFC 8448 section 3 as the client: push the ClientHello random, then the
// X25519 private key; the share's public key is the trace's.
TEST(DeterministicProvider, ReplaysRfc8448ClientRandomAndKeyShare) {
  DeterministicProvider p;
  const Bytes client_random = H("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7");
  p.push_random(client_random);
  p.push_random(H("49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005"));
  Bytes random(32);
  p.random(random);
  EXPECT_EQ(random, client_random);
  auto share = p.generate_key_share(NamedGroup::x25519);
  ASSERT_TRUE(share.ok());
  EXPECT_EQ(to_hex((*share)->public_value()),
            "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c");
  EXPECT_EQ(p.queued(), 0u);
}

}  // namespace
}  // namespace tessera::crypto
