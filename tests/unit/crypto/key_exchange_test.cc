// Key exchange tests (src/crypto/openssl/key_exchange.cc): RFC 7748 X25519
// vectors, RFC 8448 key shares through the deterministic provider, RFC 5903
// P-256 ECDH, point validation, and FFDHE round trips and range checks.
#include <gtest/gtest.h>

#include "crypto/deterministic.h"
#include "crypto/ffdhe.h"
#include "crypto_test_util.h"

namespace tessera::crypto {
namespace {

using testing::H;
using testing::hex_of;

const NamedGroup kAllGroups[] = {NamedGroup::x25519,    NamedGroup::secp256r1,
                                 NamedGroup::secp384r1, NamedGroup::ffdhe2048,
                                 NamedGroup::ffdhe3072, NamedGroup::ffdhe4096};

// share_from_private builds a key share whose private key is exactly
// `private_bytes` by scripting the provider's randomness.
std::unique_ptr<KeyShare> share_from_private(NamedGroup g, ByteView private_bytes) {
  DeterministicProvider p;
  p.push_random(private_bytes);
  auto s = p.generate_key_share(g);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(p.queued(), 0u);
  return s.ok() ? std::move(*s) : nullptr;
}

void expect_invalid_share(Result<SecretBytes> r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code(), ErrorCode::invalid_key_share) << what;
  EXPECT_EQ(r.error().alert(), AlertDescription::illegal_parameter) << what;
}

TEST(KeyExchange, RoundTripEveryGroup) {
  OpenSslProvider p;
  for (NamedGroup g : kAllGroups) {
    SCOPED_TRACE(group_name(static_cast<uint16_t>(g)));
    ASSERT_TRUE(p.supports_group(g));
    auto client = p.generate_key_share(g);
    ASSERT_TRUE(client.ok()) << client.error().to_string();
    EXPECT_EQ((*client)->group(), g);
    auto enc = p.encapsulate(g, (*client)->public_value());
    ASSERT_TRUE(enc.ok()) << enc.error().to_string();
    EXPECT_EQ(enc->ciphertext.size(), (*client)->public_value().size());
    auto dec = (*client)->decapsulate(enc->ciphertext);
    ASSERT_TRUE(dec.ok()) << dec.error().to_string();
    EXPECT_EQ(hex_of(*dec), hex_of(enc->shared_secret));
    EXPECT_FALSE(dec->empty());
    // Two fresh shares differ.
    auto other = p.generate_key_share(g);
    ASSERT_TRUE(other.ok());
    EXPECT_NE(to_hex((*other)->public_value()), to_hex((*client)->public_value()));
  }
  EXPECT_FALSE(p.supports_group(static_cast<NamedGroup>(0x0019)));
  EXPECT_FALSE(p.generate_key_share(static_cast<NamedGroup>(0x0019)).ok());
}

// RFC 7748 6.1: Alice's and Bob's keys and their shared secret.
TEST(X25519, Rfc7748Section6_1) {
  auto alice = share_from_private(
      NamedGroup::x25519, H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = share_from_private(
      NamedGroup::x25519, H("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_TRUE(alice && bob);
  EXPECT_EQ(to_hex(alice->public_value()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(to_hex(bob->public_value()),
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  auto k1 = alice->decapsulate(bob->public_value());
  auto k2 = bob->decapsulate(alice->public_value());
  ASSERT_TRUE(k1.ok() && k2.ok());
  EXPECT_EQ(hex_of(*k1), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_EQ(hex_of(*k2), hex_of(*k1));
}

// RFC 7748 5.2: the first single-iteration test vector (scalar, u-coordinate,
// output), exercised as private key, peer value, shared secret.
TEST(X25519, Rfc7748Section5_2) {
  auto s = share_from_private(
      NamedGroup::x25519, H("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"));
  ASSERT_TRUE(s);
  auto out = s->decapsulate(H("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(hex_of(*out), "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  auto s2 = share_from_private(
      NamedGroup::x25519, H("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"));
  ASSERT_TRUE(s2);
  auto out2 =
      s2->decapsulate(H("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"));
  ASSERT_TRUE(out2.ok());
  EXPECT_EQ(hex_of(*out2), "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

// RFC 8448 section 3: the client's and the server's X25519 private keys give
// the trace's public keys and shared secret (the handshake secret's IKM).
TEST(X25519, Rfc8448Section3KeyShares) {
  auto client = share_from_private(
      NamedGroup::x25519, H("49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005"));
  auto server = share_from_private(
      NamedGroup::x25519, H("b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e"));
  ASSERT_TRUE(client && server);
  EXPECT_EQ(to_hex(client->public_value()),
            "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c");
  EXPECT_EQ(to_hex(server->public_value()),
            "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f");
  auto ss = client->decapsulate(server->public_value());
  ASSERT_TRUE(ss.ok());
  EXPECT_EQ(hex_of(*ss), "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d");
}

TEST(X25519, LowOrderAndBadLengthRefused) {
  OpenSslProvider p;
  auto s = p.generate_key_share(NamedGroup::x25519);
  ASSERT_TRUE(s.ok());
  // RFC 7748 6.1 / RFC 8446 7.4.2: low-order points give an all-zero secret.
  expect_invalid_share((*s)->decapsulate(Bytes(32, 0)), "zero point");
  Bytes one(32, 0);
  one[0] = 1;
  expect_invalid_share((*s)->decapsulate(one), "u = 1");
  expect_invalid_share(
      (*s)->decapsulate(H("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")),
      "order-8 point");
  expect_invalid_share((*s)->decapsulate(Bytes(31, 9)), "31 bytes");
  expect_invalid_share((*s)->decapsulate(Bytes(33, 9)), "33 bytes");
  // The server side refuses the same.
  auto enc = p.encapsulate(NamedGroup::x25519, Bytes(32, 0));
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.error().code(), ErrorCode::invalid_key_share);
}

// RFC 5903 8.1: 256-bit random ECP group.
TEST(Ecdh, Rfc5903P256) {
  auto i = share_from_private(
      NamedGroup::secp256r1, H("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433"));
  auto r = share_from_private(
      NamedGroup::secp256r1, H("C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53"));
  ASSERT_TRUE(i && r);
  EXPECT_EQ(to_hex(i->public_value()),
            "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
            "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3");
  EXPECT_EQ(to_hex(r->public_value()),
            "04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
            "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab");
  auto k1 = i->decapsulate(r->public_value());
  auto k2 = r->decapsulate(i->public_value());
  ASSERT_TRUE(k1.ok() && k2.ok());
  EXPECT_EQ(hex_of(*k1), "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
  EXPECT_EQ(hex_of(*k2), hex_of(*k1));
}

TEST(Ecdh, ScalarRejectionSampling) {
  // P-256's order n starts ffffffff00000000ffff...; an all-ones draw is >= n
  // and all-zero is 0: both are rejected and the next draw is used.
  DeterministicProvider p;
  p.push_random(Bytes(32, 0xff));
  p.push_random(Bytes(32, 0x00));
  Bytes good = H("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433");
  p.push_random(good);
  auto s = p.generate_key_share(NamedGroup::secp256r1);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(p.queued(), 0u);
  EXPECT_EQ(to_hex((*s)->public_value()).substr(0, 20), "04dad0b65394221cf9b0");
}

TEST(Ecdh, PointValidation) {
  OpenSslProvider p;
  for (NamedGroup g : {NamedGroup::secp256r1, NamedGroup::secp384r1}) {
    SCOPED_TRACE(group_name(static_cast<uint16_t>(g)));
    auto s = p.generate_key_share(g);
    auto peer = p.generate_key_share(g);
    ASSERT_TRUE(s.ok() && peer.ok());
    Bytes good((*peer)->public_value().begin(), (*peer)->public_value().end());
    ASSERT_TRUE((*s)->decapsulate(good).ok());
    // Off the curve: change the last byte of Y.
    Bytes off = good;
    off.back() ^= 0x01;
    expect_invalid_share((*s)->decapsulate(off), "off-curve point");
    // Identity (point at infinity) encoding.
    expect_invalid_share((*s)->decapsulate(Bytes{0x00}), "identity");
    // All-zero coordinates are not on the curve.
    Bytes zeros(good.size(), 0);
    zeros[0] = 0x04;
    expect_invalid_share((*s)->decapsulate(zeros), "(0,0)");
    // Compressed form of a valid point.
    Bytes compressed(good.begin(), good.begin() + 1 + (good.size() - 1) / 2);
    compressed[0] = static_cast<uint8_t>(0x02 | (good.back() & 1));
    expect_invalid_share((*s)->decapsulate(compressed), "compressed");
    // Wrong prefix byte at the right length, and wrong lengths.
    Bytes hybrid = good;
    hybrid[0] = 0x06 | (good.back() & 1);
    expect_invalid_share((*s)->decapsulate(hybrid), "hybrid form");
    expect_invalid_share((*s)->decapsulate(ByteView(good).first(good.size() - 1)), "short");
    Bytes longer = good;
    longer.push_back(0);
    expect_invalid_share((*s)->decapsulate(longer), "long");
    expect_invalid_share((*s)->decapsulate({}), "empty");
    auto enc = p.encapsulate(g, off);
    ASSERT_FALSE(enc.ok());
    EXPECT_EQ(enc.error().code(), ErrorCode::invalid_key_share);
  }
}

// RFC 7919 appendix A.1: the ffdhe2048 prime.
const char kFfdhe2048P[] =
    "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE"
    "249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3"
    "B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182"
    "B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D70"
    "9E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC"
    "2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF";

Bytes with_last_byte_plus(Bytes v, int delta) {
  v.back() = static_cast<uint8_t>(v.back() + delta);
  return v;
}

// FFDHE peer values: 0, 1, p-1, p and wrong lengths are refused (RFC 7919
// 5.1, RFC 8446 4.2.8.1); 2 and p-2 are in range and accepted.
TEST(Ffdhe, PeerValueRangeAndLength2048) {
  OpenSslProvider p;
  auto s = p.generate_key_share(NamedGroup::ffdhe2048);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ((*s)->public_value().size(), 256u);
  const Bytes prime = H(kFfdhe2048P);
  ASSERT_EQ(prime.size(), 256u);
  ASSERT_EQ(prime.back(), 0xff);  // so p-1, p-2 only change the last byte
  Bytes zero(256, 0), one(256, 0), two(256, 0);
  one.back() = 1;
  two.back() = 2;
  expect_invalid_share((*s)->decapsulate(zero), "0");
  expect_invalid_share((*s)->decapsulate(one), "1");
  expect_invalid_share((*s)->decapsulate(with_last_byte_plus(prime, -1)), "p-1");
  expect_invalid_share((*s)->decapsulate(prime), "p");
  expect_invalid_share((*s)->decapsulate(Bytes(256, 0xff)), "2^2048-1 > p");
  EXPECT_TRUE((*s)->decapsulate(two).ok());
  EXPECT_TRUE((*s)->decapsulate(with_last_byte_plus(prime, -2)).ok());
  // Right value, wrong encoding length.
  expect_invalid_share((*s)->decapsulate(ByteView(two).subspan(1)), "255 bytes");
  Bytes longer(257, 0);
  longer.back() = 2;
  expect_invalid_share((*s)->decapsulate(longer), "257 bytes");
  auto enc = p.encapsulate(NamedGroup::ffdhe2048, prime);
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.error().code(), ErrorCode::invalid_key_share);
}

TEST(Ffdhe, LargerGroupsRefuseDegenerateValues) {
  OpenSslProvider p;
  for (NamedGroup g : {NamedGroup::ffdhe3072, NamedGroup::ffdhe4096}) {
    SCOPED_TRACE(group_name(static_cast<uint16_t>(g)));
    auto s = p.generate_key_share(g);
    ASSERT_TRUE(s.ok());
    const size_t len = g == NamedGroup::ffdhe3072 ? 384 : 512;
    ASSERT_EQ((*s)->public_value().size(), len);
    Bytes zero(len, 0), one(len, 0), two(len, 0);
    one.back() = 1;
    two.back() = 2;
    expect_invalid_share((*s)->decapsulate(zero), "0");
    expect_invalid_share((*s)->decapsulate(one), "1");
    expect_invalid_share((*s)->decapsulate(Bytes(len, 0xff)), "> p");
    EXPECT_TRUE((*s)->decapsulate(two).ok());
    expect_invalid_share((*s)->decapsulate(ByteView(two).subspan(1)), "short");
  }
}

// The public value is g^x mod p with g = 2: an exponent of 2 (the smallest
// accepted) gives 4, left-padded to len(p); the shared secret with peer
// value 2 is 2^2 = 4, also left-padded (RFC 8446 7.4.1).
TEST(Ffdhe, PublicValueAndSecretAreLeftPadded) {
  DeterministicProvider p;
  Bytes exponent(32, 0);
  exponent.back() = 2;
  p.push_random(exponent);
  auto s = p.generate_key_share(NamedGroup::ffdhe2048);
  ASSERT_TRUE(s.ok());
  Bytes four(256, 0);
  four.back() = 4;
  EXPECT_EQ(to_hex((*s)->public_value()), to_hex(four));
  Bytes two(256, 0);
  two.back() = 2;
  auto z = (*s)->decapsulate(two);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(hex_of(*z), to_hex(four));
}

}  // namespace
}  // namespace tessera::crypto

namespace tessera::crypto {
namespace {

// crypto/ffdhe.h recognises the RFC 7919 groups (checked against the copy of
// the ffdhe2048 prime above) and nothing else.
TEST(Ffdhe, IdentifiesNamedGroupsByPrime) {
  const Bytes prime = H(kFfdhe2048P);
  EXPECT_EQ(ffdhe_prime(NamedGroup::ffdhe2048), prime);
  EXPECT_EQ(identify_ffdhe_group(prime, Bytes{2}), NamedGroup::ffdhe2048);
  Bytes padded = prime;
  padded.insert(padded.begin(), 0);
  EXPECT_EQ(identify_ffdhe_group(padded, Bytes{0, 2}), NamedGroup::ffdhe2048);
  EXPECT_EQ(identify_ffdhe_group(prime, Bytes{5}), std::nullopt);
  EXPECT_EQ(identify_ffdhe_group(with_last_byte_plus(prime, -2), Bytes{2}), std::nullopt);
  EXPECT_EQ(identify_ffdhe_group(ffdhe_prime(NamedGroup::ffdhe4096), Bytes{2}),
            NamedGroup::ffdhe4096);
  EXPECT_EQ(bit_length(prime), 2048u);
  EXPECT_EQ(bit_length(Bytes{0, 0, 1}), 1u);
}

// A custom DH group (TLS 1.2 servers may send their own p and g): two shares
// over the same group agree; unusable groups are refused.
TEST(Ffdhe, CustomGroupAgreesAndRefusesUnusableParameters) {
  OpenSslProvider p;
  const Bytes prime = H(kFfdhe2048P);  // any odd p works; use a known prime
  auto a = p.generate_dh_key_share(prime, Bytes{2});
  auto b = p.generate_dh_key_share(prime, Bytes{2});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->public_value().size(), 256u);
  auto za = (*a)->decapsulate((*b)->public_value());
  auto zb = (*b)->decapsulate((*a)->public_value());
  ASSERT_TRUE(za.ok() && zb.ok());
  EXPECT_TRUE(
      std::equal(za->view().begin(), za->view().end(), zb->view().begin(), zb->view().end()));
  // Interoperates with the named-group implementation over the same prime.
  auto named = p.generate_key_share(NamedGroup::ffdhe2048);
  ASSERT_TRUE(named.ok());
  auto zc = (*a)->decapsulate((*named)->public_value());
  auto zd = (*named)->decapsulate((*a)->public_value());
  ASSERT_TRUE(zc.ok() && zd.ok());
  EXPECT_TRUE(
      std::equal(zc->view().begin(), zc->view().end(), zd->view().begin(), zd->view().end()));
  Bytes even = prime;
  even.back() = 0xfe;
  EXPECT_EQ(p.generate_dh_key_share(even, Bytes{2}).error().code(), ErrorCode::invalid_key_share);
  EXPECT_EQ(p.generate_dh_key_share(prime, Bytes{1}).error().code(), ErrorCode::invalid_key_share);
  EXPECT_EQ(p.generate_dh_key_share(prime, with_last_byte_plus(prime, -1)).error().code(),
            ErrorCode::invalid_key_share);
  Bytes huge(1100, 0xff);  // 8800 bits
  EXPECT_EQ(p.generate_dh_key_share(huge, Bytes{2}).error().code(), ErrorCode::invalid_key_share);
}

// --- Provider::import_key_share and KeyShare::private_key: long-term keys
// (an HPKE recipient's, crypto/hpke.h) stored as raw private keys.

// The P-256 and P-384 group orders (SEC 2 2.4.2, 2.5.1).
constexpr std::string_view kP256Order =
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
constexpr std::string_view kP384Order =
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc529"
    "73";

void expect_invalid_key(const Result<std::unique_ptr<KeyShare>>& r, const std::string& message) {
  ASSERT_FALSE(r.ok()) << message;
  EXPECT_EQ(r.error().code(), ErrorCode::invalid_key) << message;
  EXPECT_EQ(r.error().message(), message);
}

// RFC 7748 6.1: Alice's private key imported gives her public key and the
// shared secret with Bob.
TEST(ImportKeyShare, X25519Rfc7748Section6_1) {
  OpenSslProvider p;
  const Bytes alice_priv = H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  auto alice = p.import_key_share(NamedGroup::x25519, alice_priv);
  ASSERT_TRUE(alice.ok()) << alice.error().to_string();
  EXPECT_EQ((*alice)->group(), NamedGroup::x25519);
  EXPECT_EQ(to_hex((*alice)->public_value()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  auto k =
      (*alice)->decapsulate(H("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  ASSERT_TRUE(k.ok()) << k.error().to_string();
  EXPECT_EQ(hex_of(*k), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  // The key can be used again (a long-term key decapsulates many times).
  auto again =
      (*alice)->decapsulate(H("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(hex_of(*again), hex_of(*k));
  // private_key gives the bytes back as imported (unclamped).
  auto priv = (*alice)->private_key();
  ASSERT_TRUE(priv.ok()) << priv.error().to_string();
  EXPECT_EQ(hex_of(*priv), to_hex(alice_priv));
}

// import_key_pair: X25519 takes the public value as given, and the pair
// derives the RFC 7748 6.1 secret; P-256 computes it and refuses a mismatch.
TEST(ImportKeyPair, X25519TakesThePublicValueP256ChecksIt) {
  OpenSslProvider p;
  const Bytes priv = H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const Bytes pub = H("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  auto alice = p.import_key_pair(NamedGroup::x25519, priv, pub);
  ASSERT_TRUE(alice.ok()) << alice.error().to_string();
  EXPECT_EQ(to_hex((*alice)->public_value()), to_hex(pub));
  auto k =
      (*alice)->decapsulate(H("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  ASSERT_TRUE(k.ok()) << k.error().to_string();
  EXPECT_EQ(hex_of(*k), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  auto back = (*alice)->private_key();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(hex_of(*back), to_hex(priv));
  // Wrong lengths fall back to import_key_share's checks.
  auto short_pub = p.import_key_pair(NamedGroup::x25519, priv, Bytes(31, 1));
  ASSERT_FALSE(short_pub.ok());
  EXPECT_EQ(short_pub.error().code(), ErrorCode::invalid_key);
  EXPECT_FALSE(p.import_key_pair(NamedGroup::x25519, Bytes(31, 1), pub).ok());

  auto ec = p.generate_key_share(NamedGroup::secp256r1);
  ASSERT_TRUE(ec.ok());
  auto ec_priv = (*ec)->private_key();
  ASSERT_TRUE(ec_priv.ok());
  auto same = p.import_key_pair(NamedGroup::secp256r1, ec_priv->view(), (*ec)->public_value());
  ASSERT_TRUE(same.ok()) << same.error().to_string();
  EXPECT_EQ(to_hex((*same)->public_value()), to_hex((*ec)->public_value()));
  Bytes other((*ec)->public_value().begin(), (*ec)->public_value().end());
  other.back() ^= 1;
  auto mismatch = p.import_key_pair(NamedGroup::secp256r1, ec_priv->view(), other);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code(), ErrorCode::invalid_key);
}

// RFC 5903 8.1: the initiator's P-256 private key gives its public point.
TEST(ImportKeyShare, P256Rfc5903Section8_1) {
  OpenSslProvider p;
  const std::string_view priv = "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433";
  auto s = p.import_key_share(NamedGroup::secp256r1, H(priv));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ((*s)->group(), NamedGroup::secp256r1);
  EXPECT_EQ(to_hex((*s)->public_value()),
            "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
            "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3");
  auto back = (*s)->private_key();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(hex_of(*back), priv);
}

TEST(ImportKeyShare, PrivateKeyRoundTripsForGeneratedShares) {
  OpenSslProvider p;
  for (NamedGroup g : {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1}) {
    SCOPED_TRACE(group_name(static_cast<uint16_t>(g)));
    auto generated = p.generate_key_share(g);
    ASSERT_TRUE(generated.ok());
    auto priv = (*generated)->private_key();
    ASSERT_TRUE(priv.ok()) << priv.error().to_string();
    EXPECT_EQ(priv->size(), g == NamedGroup::secp384r1 ? 48u : 32u);
    auto imported = p.import_key_share(g, priv->view());
    ASSERT_TRUE(imported.ok()) << imported.error().to_string();
    EXPECT_EQ((*imported)->group(), g);
    EXPECT_EQ(to_hex((*imported)->public_value()), to_hex((*generated)->public_value()));
    auto again = (*imported)->private_key();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(hex_of(*again), hex_of(*priv));
    // Both agree with a peer.
    auto enc = p.encapsulate(g, (*imported)->public_value());
    ASSERT_TRUE(enc.ok());
    auto a = (*imported)->decapsulate(enc->ciphertext);
    auto b = (*generated)->decapsulate(enc->ciphertext);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(hex_of(*a), hex_of(enc->shared_secret));
    EXPECT_EQ(hex_of(*b), hex_of(enc->shared_secret));
  }
}

TEST(ImportKeyShare, DeterministicShareExportsTheScriptedBytes) {
  const Bytes scripted = H("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  auto s = share_from_private(NamedGroup::x25519, scripted);
  ASSERT_TRUE(s);
  auto priv = s->private_key();
  ASSERT_TRUE(priv.ok());
  EXPECT_EQ(hex_of(*priv), to_hex(scripted));
}

TEST(ImportKeyShare, RefusesWrongLengthsAndOutOfRangeScalars) {
  OpenSslProvider p;
  expect_invalid_key(p.import_key_share(NamedGroup::x25519, Bytes(31, 1)),
                     "X25519 private key is 31 bytes, expected 32");
  expect_invalid_key(p.import_key_share(NamedGroup::x25519, Bytes(33, 1)),
                     "X25519 private key is 33 bytes, expected 32");
  expect_invalid_key(p.import_key_share(NamedGroup::x25519, {}),
                     "X25519 private key is 0 bytes, expected 32");
  expect_invalid_key(p.import_key_share(NamedGroup::secp256r1, Bytes(31, 1)),
                     "secp256r1 private key is 31 bytes, expected 32 (big-endian scalar)");
  expect_invalid_key(p.import_key_share(NamedGroup::secp256r1, Bytes(33, 1)),
                     "secp256r1 private key is 33 bytes, expected 32 (big-endian scalar)");
  expect_invalid_key(p.import_key_share(NamedGroup::secp384r1, Bytes(32, 1)),
                     "secp384r1 private key is 32 bytes, expected 48 (big-endian scalar)");
  const std::string range =
      " private key is out of range (it must be in [1, n-1], n the order of the curve)";
  expect_invalid_key(p.import_key_share(NamedGroup::secp256r1, Bytes(32, 0)), "secp256r1" + range);
  expect_invalid_key(p.import_key_share(NamedGroup::secp256r1, H(kP256Order)), "secp256r1" + range);
  expect_invalid_key(p.import_key_share(NamedGroup::secp256r1, Bytes(32, 0xff)),
                     "secp256r1" + range);
  expect_invalid_key(p.import_key_share(NamedGroup::secp384r1, H(kP384Order)), "secp384r1" + range);
  // n - 1 and 1 are the ends of the range.
  Bytes n_minus_1 = H(kP256Order);
  n_minus_1.back() -= 1;
  EXPECT_TRUE(p.import_key_share(NamedGroup::secp256r1, n_minus_1).ok());
  Bytes one(32, 0);
  one.back() = 1;
  auto g = p.import_key_share(NamedGroup::secp256r1, one);
  ASSERT_TRUE(g.ok());
  // 1 * G is the base point (SEC 2 2.4.2).
  EXPECT_EQ(to_hex((*g)->public_value()),
            "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
  Bytes n_minus_1_384 = H(kP384Order);
  n_minus_1_384.back() -= 1;
  EXPECT_TRUE(p.import_key_share(NamedGroup::secp384r1, n_minus_1_384).ok());
  // Any 32 bytes are an X25519 key (RFC 7748 5 clamps them).
  EXPECT_TRUE(p.import_key_share(NamedGroup::x25519, Bytes(32, 0)).ok());
  EXPECT_TRUE(p.import_key_share(NamedGroup::x25519, Bytes(32, 0xff)).ok());
}

TEST(ImportKeyShare, FiniteFieldGroupsAreUnsupported) {
  OpenSslProvider p;
  auto r = p.import_key_share(NamedGroup::ffdhe2048, Bytes(32, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unsupported_algorithm);
  EXPECT_EQ(r.error().message(),
            "importing a private key of group ffdhe2048 is not supported (x25519, secp256r1 and "
            "secp384r1 only)");
  EXPECT_EQ(p.import_key_share(static_cast<NamedGroup>(0x0019), Bytes(66, 1)).error().code(),
            ErrorCode::unsupported_algorithm);
  auto ff = p.generate_key_share(NamedGroup::ffdhe2048);
  ASSERT_TRUE(ff.ok());
  auto priv = (*ff)->private_key();
  ASSERT_FALSE(priv.ok());
  EXPECT_EQ(priv.error().code(), ErrorCode::unsupported_algorithm);
  EXPECT_EQ(priv.error().message(), "a key share of ffdhe2048 cannot export its private key");
}

}  // namespace
}  // namespace tessera::crypto
