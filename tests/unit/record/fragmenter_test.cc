// Tests for record/fragmenter: outgoing data split into records of at most
// 2^14 bytes (or a smaller limit), unprotected or sealed.
#include "record/fragmenter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hex.h"
#include "record/deframer.h"

namespace tessera::record {
namespace {

Bytes H(std::string_view hex) {
  auto b = from_hex(hex);
  EXPECT_TRUE(b.has_value()) << hex;
  return b.value_or(Bytes{});
}

Bytes pattern(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + 3);
  return b;
}

struct Framed {
  ContentType type;
  uint16_t legacy_version;
  size_t size;
};

// frame splits a buffer of records into their headers (returned) and
// fragments (copied into `fragments`).
std::vector<Framed> frame(Bytes& records, std::vector<Bytes>& fragments) {
  std::vector<Framed> out;
  Deframer d;
  size_t off = 0;
  while (off < records.size()) {
    off += d.feed(ByteView(records).subspan(off));
    while (true) {
      auto r = d.next();
      EXPECT_TRUE(r.ok());
      if (!r.ok() || !r->has_value()) break;
      out.push_back(Framed{(*r)->type, (*r)->legacy_version, (*r)->fragment.size()});
      fragments.emplace_back((*r)->fragment.begin(), (*r)->fragment.end());
    }
  }
  return out;
}

TEST(Fragmenter, PlaintextSplitsAt2To14) {
  Bytes data = pattern(2 * kMaxPlaintext + 10);
  Bytes out;
  ASSERT_TRUE(write_records(nullptr, ContentType::handshake, data, out).ok());
  std::vector<Bytes> frags;
  auto recs = frame(out, frags);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(frags[0].size(), kMaxPlaintext);
  EXPECT_EQ(frags[1].size(), kMaxPlaintext);
  EXPECT_EQ(frags[2].size(), 10u);
  Bytes joined;
  for (auto& f : frags) joined.insert(joined.end(), f.begin(), f.end());
  EXPECT_EQ(joined, data);
  for (auto& r : recs) {
    EXPECT_EQ(r.type, ContentType::handshake);
    EXPECT_EQ(r.legacy_version, kRecordVersion);
  }
}

TEST(Fragmenter, SmallerLimitAndVersion) {
  Bytes data = pattern(1000);
  Bytes out;
  FragmentOptions opts;
  opts.max_fragment = 300;
  opts.legacy_version = kInitialRecordVersion;
  ASSERT_TRUE(write_records(nullptr, ContentType::handshake, data, out, opts).ok());
  std::vector<Bytes> frags;
  auto recs = frame(out, frags);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(frags[3].size(), 100u);
  EXPECT_EQ(recs[0].legacy_version, kInitialRecordVersion);
}

TEST(Fragmenter, EmptyDataWritesNothingAndBadLimitsFail) {
  Bytes out;
  ASSERT_TRUE(write_records(nullptr, ContentType::application_data, {}, out).ok());
  EXPECT_TRUE(out.empty());
  FragmentOptions zero;
  zero.max_fragment = 0;
  EXPECT_FALSE(write_records(nullptr, ContentType::handshake, H("01"), out, zero).ok());
  FragmentOptions big;
  big.max_fragment = kMaxPlaintext + 1;
  EXPECT_FALSE(write_records(nullptr, ContentType::handshake, H("01"), out, big).ok());
  FragmentOptions pad;
  pad.padding = 1;
  EXPECT_FALSE(write_records(nullptr, ContentType::handshake, H("01"), out, pad).ok());
}

TEST(Fragmenter, ProtectedRecordsRoundTrip) {
  auto provider = crypto::default_provider();
  Bytes key = H("17422dda596ed5d9acd890e3c63f5051");
  Bytes iv = H("5b78923dee08579033e523d9");
  auto sealer = Tls13RecordProtection::create(*provider, AeadAlgorithm::aes_128_gcm, key, iv);
  auto opener = Tls13RecordProtection::create(*provider, AeadAlgorithm::aes_128_gcm, key, iv);
  ASSERT_TRUE(sealer.ok() && opener.ok());
  Bytes data = pattern(kMaxPlaintext + 5);
  Bytes out;
  FragmentOptions opts;
  opts.padding = 3;  // each record keeps within 2^14 + 1 of inner plaintext
  ASSERT_TRUE(write_records(sealer->get(), ContentType::application_data, data, out, opts).ok());
  std::vector<Bytes> frags;
  auto recs = frame(out, frags);
  ASSERT_EQ(recs.size(), 2u);
  Bytes joined;
  for (const Framed& r : recs) EXPECT_LE(r.size, kMaxCiphertext13);
  for (Bytes& f : frags) {
    Record r{ContentType::application_data, kRecordVersion, MutableByteView(f)};
    auto o = (*opener)->open(r);
    ASSERT_TRUE(o.ok()) << o.error().to_string();
    EXPECT_EQ(o->type, ContentType::application_data);
    EXPECT_LE(o->plaintext.size(), kMaxPlaintext - 3);
    joined.insert(joined.end(), o->plaintext.begin(), o->plaintext.end());
  }
  EXPECT_EQ(joined, data);
}

}  // namespace
}  // namespace tessera::record
