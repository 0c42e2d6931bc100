// Tests for record/deframer and the header rules of record/record.
#include "record/deframer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/hex.h"

namespace tessera::record {
namespace {

Bytes H(std::string_view hex) {
  auto b = from_hex(hex);
  EXPECT_TRUE(b.has_value()) << hex;
  return b.value_or(Bytes{});
}

Bytes load(const std::string& name) {
  std::string path = std::string(TESSERA_TEST_DATA_DIR) + "/record/rfc8448_" + name + ".hex";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return H(ss.str());
}

struct Got {
  ContentType type;
  uint16_t version;
  Bytes fragment;
};

// drain feeds `data` in chunks of `chunk` bytes and collects every record.
Result<std::vector<Got>> drain(Deframer& d, ByteView data, size_t chunk) {
  std::vector<Got> out;
  size_t off = 0;
  while (off < data.size()) {
    size_t n = std::min(chunk, data.size() - off);
    size_t took = d.feed(data.subspan(off, n));
    off += took;
    while (true) {
      TESSERA_ASSIGN_OR_RETURN(std::optional<Record> rec, d.next());
      if (!rec) break;
      out.push_back(
          Got{rec->type, rec->legacy_version, Bytes(rec->fragment.begin(), rec->fragment.end())});
    }
    if (took == 0 && n > 0) {
      return Error(ErrorCode::internal_error, "deframer made no progress");
    }
  }
  return out;
}

Bytes rfc8448_stream() {
  // ClientHello (plaintext, version 0x0301), then the server's first flight:
  // ServerHello (plaintext) and the encrypted handshake record.
  Bytes s;
  for (const char* n : {"s3_server_handshake_record", "s3_client_finished_record",
                        "s3_server_ticket_record", "s3_client_appdata_record"}) {
    Bytes b = load(n);
    s.insert(s.end(), b.begin(), b.end());
  }
  return s;
}

TEST(Deframer, SplitsAStreamFedOneByteAtATime) {
  Bytes stream = rfc8448_stream();
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{500}, stream.size()}) {
    Deframer d;
    auto got = drain(d, stream, chunk);
    ASSERT_TRUE(got.ok()) << got.error().to_string();
    ASSERT_EQ(got->size(), 4u) << "chunk " << chunk;
    EXPECT_EQ((*got)[0].type, ContentType::application_data);
    EXPECT_EQ((*got)[0].version, 0x0303);
    EXPECT_EQ((*got)[0].fragment.size(), 0x2a2u);
    EXPECT_EQ((*got)[1].fragment.size(), 0x35u);
    EXPECT_EQ((*got)[2].fragment.size(), 0xdeu);
    EXPECT_EQ(to_hex((*got)[3].fragment),
              to_hex(ByteView(load("s3_client_appdata_record")).subspan(5)));
    EXPECT_FALSE(d.has_partial());
  }
}

TEST(Deframer, KeepsAPartialRecord) {
  Bytes rec = load("s3_client_appdata_record");
  Deframer d;
  EXPECT_EQ(d.feed(ByteView(rec).first(rec.size() - 1)), rec.size() - 1);
  auto r = d.next();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_TRUE(d.has_partial());
  EXPECT_EQ(d.feed(ByteView(rec).last(1)), 1u);
  auto r2 = d.next();
  ASSERT_TRUE(r2.ok());
  ASSERT_TRUE(r2->has_value());
  EXPECT_EQ((*r2)->fragment.size(), rec.size() - 5);
}

TEST(Deframer, ZeroLengthRecordsAreFramed) {
  // The deframer frames empty records; whether they are allowed is decided
  // by the protection layer or check_plaintext_record.
  Deframer d;
  Bytes two = H("1703030000 1603030000");
  auto got = drain(d, two, 1);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_TRUE((*got)[0].fragment.empty());
  EXPECT_EQ((*got)[1].type, ContentType::handshake);
  Record empty_hs{ContentType::handshake, 0x0303, {}};
  auto chk = check_plaintext_record(empty_hs);
  ASSERT_FALSE(chk.ok());
  EXPECT_EQ(chk.error().code(), ErrorCode::unexpected_message);
}

TEST(Deframer, OversizedHeaderIsRejectedBeforeTheBody) {
  // TLS 1.3 limit: 2^14 + 256; a header announcing one byte more fails as
  // soon as the 5 header bytes are in, with no body sent.
  Deframer d(kMaxCiphertext12);
  d.set_max_fragment_length(kMaxCiphertext13);
  Bytes header = H("1703034101");  // 0x4101 = 16641 = 2^14 + 257
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(d.feed(ByteView(header).subspan(i, 1)), 1u);
    auto r = d.next();
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value());
  }
  EXPECT_EQ(d.feed(ByteView(header).subspan(4, 1)), 1u);
  auto r = d.next();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
  EXPECT_EQ(r.error().alert(), AlertDescription::record_overflow);
  // Sticky: further input is refused and the error repeats.
  EXPECT_EQ(d.feed(H("00")), 0u);
  auto again = d.next();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::record_overflow);

  // Exactly the limit is accepted.
  Deframer ok13(kMaxCiphertext13);
  ok13.feed(H("1703034100"));
  auto r2 = ok13.next();
  ASSERT_TRUE(r2.ok());
  EXPECT_FALSE(r2->has_value());  // waiting for the body

  // TLS 1.2 limit: 2^14 + 2048.
  Deframer d12;
  d12.feed(H("1703034801"));
  auto r3 = d12.next();
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code(), ErrorCode::record_overflow);
}

TEST(Deframer, BadContentTypeIsUnexpectedMessage) {
  for (std::string_view h : {"0003030001", "1803030001", "ff03030001", "1303030001"}) {
    Deframer d;
    d.feed(H(h));
    auto r = d.next();
    ASSERT_FALSE(r.ok()) << h;
    EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message) << h;
    EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
  }
}

TEST(Deframer, NonTlsVersionIsRejected) {
  // "GET / HTTP/1.1" starts with 47 45 54 20 2f: type 0x47 is unknown; an
  // input with a valid type byte but version 0x4854 is refused for its version.
  Deframer d;
  d.feed(H("1648545450"));
  auto r = d.next();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::protocol_version);
  // Any 0x03xx is accepted (the initial ClientHello may use 0x0301).
  Deframer d2;
  d2.feed(H("16030100020102"));
  auto r2 = d2.next();
  ASSERT_TRUE(r2.ok());
  ASSERT_TRUE(r2->has_value());
  EXPECT_EQ((*r2)->legacy_version, 0x0301);
}

TEST(Deframer, BufferIsBounded) {
  // The buffer never holds more than one maximal record plus a header: feed
  // stops taking bytes when it is full, and continues after next().
  Deframer d(kMaxCiphertext13);
  Bytes rec(kHeaderSize + kMaxCiphertext13, 0xab);
  rec[0] = 23;
  rec[1] = 3;
  rec[2] = 3;
  rec[3] = static_cast<uint8_t>(kMaxCiphertext13 >> 8);
  rec[4] = static_cast<uint8_t>(kMaxCiphertext13);
  Bytes two = rec;
  two.insert(two.end(), rec.begin(), rec.end());
  size_t took = d.feed(two);
  EXPECT_EQ(took, rec.size());
  EXPECT_EQ(d.feed(ByteView(two).subspan(took)), 0u);
  auto r = d.next();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->fragment.size(), kMaxCiphertext13);
  EXPECT_EQ(d.feed(ByteView(two).subspan(took)), rec.size());
  auto r2 = d.next();
  ASSERT_TRUE(r2.ok());
  ASSERT_TRUE(r2->has_value());
  auto r3 = d.next();
  ASSERT_TRUE(r3.ok());
  EXPECT_FALSE(r3->has_value());
  EXPECT_FALSE(d.has_partial());
}

TEST(Deframer, FragmentIsMutableForInPlaceDecryption) {
  Deframer d;
  d.feed(H("170303000201020000"));  // one record of 2 bytes + 2 bytes of the next
  auto r = d.next();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  (*r)->fragment[0] = 0xff;
  EXPECT_EQ(to_hex((*r)->fragment), "ff02");
  EXPECT_TRUE(d.has_partial());
}

TEST(Deframer, AFedRecordsFragmentIsAligned) {
  // The first record fed into an empty deframer lands at the lead, so its
  // fragment, decrypted in place, is aligned (after a release, too); a
  // maximal TLS 1.2 record still fits one standard buffer.
  Deframer d;
  for (int round = 0; round < 2; ++round) {
    Bytes rec = {23, 3, 3, 0x48, 0x00};  // 2^14 + 2048 bytes
    rec.resize(5 + 0x4800, 0x11);
    ASSERT_EQ(d.feed(rec), rec.size());
    auto r = d.next();
    ASSERT_TRUE(r.ok() && r->has_value());
    EXPECT_EQ(reinterpret_cast<uintptr_t>((*r)->fragment.data()) % IoBuffer::kAlignment, 0u);
    EXPECT_EQ(d.capacity(), IoBuffer::kStandardSize);
    d.release_if_idle();
    EXPECT_TRUE(d.next().ok());  // spends the record
    EXPECT_EQ(d.capacity(), 0u) << round;
  }
}

// --- Held application data (the in-place receive path) ---

// app_record builds a record whose fragment is `payload` followed by a
// 16-byte stand-in for an AEAD tag; the reader "decrypts" by keeping the
// fragment without the tag, as the engine keeps the plaintext it opened in
// place.
Bytes app_record(const Bytes& payload) {
  Bytes r = {23, 3, 3, static_cast<uint8_t>((payload.size() + 16) >> 8),
             static_cast<uint8_t>(payload.size() + 16)};
  r.insert(r.end(), payload.begin(), payload.end());
  r.insert(r.end(), 16, 0xee);
  return r;
}

Bytes payload_of(size_t n, uint8_t seed) {
  Bytes p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(seed + i * 7);
  return p;
}

// pull_and_keep takes every complete record and keeps its payload.
void pull_and_keep(Deframer& d) {
  for (;;) {
    auto r = d.next();
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    if (!r->has_value()) return;
    MutableByteView f = (*r)->fragment;
    d.keep(f.first(f.size() - 16));
  }
}

TEST(Deframer, KeptPlaintextIsServedInPlaceAndReleasedWhenConsumed) {
  Deframer d;
  EXPECT_EQ(d.capacity(), 0u);  // nothing held before bytes arrive
  Bytes payload = payload_of(1000, 1);
  Bytes rec = app_record(payload);
  ASSERT_EQ(d.feed(rec), rec.size());
  auto r = d.next();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  const uint8_t* where = (*r)->fragment.data();
  d.keep((*r)->fragment.first(payload.size()));
  auto none = d.next();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  // The reader sees the bytes where they were decrypted: no copy.
  EXPECT_EQ(d.held().data(), where);
  EXPECT_EQ(to_hex(d.held()), to_hex(payload));
  EXPECT_GT(d.capacity(), 0u);
  // Consumed partially: the rest stays; consumed fully: the storage goes.
  d.consume_held(300);
  EXPECT_EQ(to_hex(d.held()), to_hex(ByteView(payload).subspan(300)));
  EXPECT_GT(d.capacity(), 0u);
  d.consume_held(700);
  EXPECT_TRUE(d.held().empty());
  EXPECT_EQ(d.capacity(), 0u);
}

TEST(Deframer, StorageIsReleasedWhenRecordsAreNotKept) {
  // Handshake or alert records are copied out by the engine; once the last
  // one is pulled, nothing is held.
  Deframer d;
  d.feed(H("16030300020102150303000201"));  // handshake record, then part of an alert
  auto hs = d.next();
  ASSERT_TRUE(hs.ok());
  ASSERT_TRUE(hs->has_value());
  auto partial = d.next();
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());
  EXPECT_GT(d.capacity(), 0u);  // the partial alert record is still buffered
  d.feed(H("02"));
  auto r = d.next();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  auto none = d.next();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(d.capacity(), 0u);
  EXPECT_FALSE(d.has_partial());
}

TEST(Deframer, HeldDataStaysContiguousWhileTheReaderLags) {
  // Small, empty, maximal and odd-sized records arrive together; the reader
  // consumes nothing until all are in, then part, then the rest. The held
  // data grows past one buffer (5 maximal records).
  Deframer d;
  std::vector<Bytes> payloads = {payload_of(1, 3),     payload_of(0, 4),      payload_of(16384, 5),
                                 payload_of(777, 6),   payload_of(16384, 7),  payload_of(16384, 8),
                                 payload_of(16384, 9), payload_of(16384, 10), payload_of(2, 11)};
  Bytes stream, expect;
  for (const auto& p : payloads) {
    Bytes rec = app_record(p);
    stream.insert(stream.end(), rec.begin(), rec.end());
    expect.insert(expect.end(), p.begin(), p.end());
  }
  size_t off = 0;
  while (off < stream.size()) {
    size_t took = d.feed(ByteView(stream).subspan(off));
    off += took;
    pull_and_keep(d);
    ASSERT_TRUE(took > 0 || off == stream.size());
  }
  ASSERT_EQ(d.held().size(), expect.size());
  EXPECT_TRUE(std::equal(expect.begin(), expect.end(), d.held().begin()));
  d.consume_held(20000);
  ASSERT_EQ(d.held().size(), expect.size() - 20000);
  EXPECT_TRUE(std::equal(expect.begin() + 20000, expect.end(), d.held().begin()));
  // More data after a partial consume lands after what is left.
  Bytes more = payload_of(5000, 12);
  Bytes rec = app_record(more);
  ASSERT_EQ(d.feed(rec), rec.size());
  pull_and_keep(d);
  expect.insert(expect.end(), more.begin(), more.end());
  ASSERT_EQ(d.held().size(), expect.size() - 20000);
  EXPECT_TRUE(std::equal(expect.begin() + 20000, expect.end(), d.held().begin()));
  d.consume_held(d.held().size());
  EXPECT_EQ(d.capacity(), 0u);
}

// three_record_stream returns three application_data records (payloads of
// 10, 16384 and 33 bytes) back to back, and their payloads concatenated.
std::pair<Bytes, Bytes> three_record_stream() {
  Bytes stream, expect;
  for (const Bytes& p : {payload_of(10, 1), payload_of(16384, 2), payload_of(33, 3)}) {
    Bytes rec = app_record(p);
    stream.insert(stream.end(), rec.begin(), rec.end());
    expect.insert(expect.end(), p.begin(), p.end());
  }
  return {stream, expect};
}

TEST(Deframer, RecordsSplitAtEveryByteWithHeldData) {
  // Three records (small, maximal, small) cut at every byte position into
  // two feeds, with the reader consuming part of the held data between them.
  const auto records = three_record_stream();
  const Bytes& stream = records.first;
  const Bytes& expect = records.second;
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Deframer d;
    size_t consumed = 0;
    auto feed_all = [&](ByteView part) {
      size_t off = 0;
      while (off < part.size()) {
        size_t took = d.feed(part.subspan(off));
        off += took;
        pull_and_keep(d);
        if (took == 0) FAIL() << "no progress at cut " << cut;
      }
    };
    feed_all(ByteView(stream).first(cut));
    size_t c = std::min<size_t>(d.held().size(), 7);
    d.consume_held(c);
    consumed += c;
    feed_all(ByteView(stream).subspan(cut));
    ASSERT_EQ(d.held().size(), expect.size() - consumed) << "cut " << cut;
    ASSERT_TRUE(std::equal(expect.begin() + static_cast<ptrdiff_t>(consumed), expect.end(),
                           d.held().begin()))
        << "cut " << cut;
    EXPECT_FALSE(d.has_partial());
    d.consume_held(d.held().size());
    EXPECT_EQ(d.capacity(), 0u) << "cut " << cut;
  }
}

// receive mirrors the engine's receive loop: a record lying whole at the
// front of `in` while nothing is buffered is taken with next_whole and
// "opened" into room() (copied without its stand-in tag), anything else is
// fed and pulled with next(). Returns how many records took each path.
struct Paths {
  size_t whole = 0, fed = 0;
};
Paths receive(Deframer& d, ByteView in) {
  Paths p;
  size_t off = 0;
  while (off < in.size() || d.buffered()) {
    if (d.buffered() == 0) {
      auto w = d.next_whole(in.subspan(off));
      EXPECT_TRUE(w.ok());
      if (!w.ok()) return p;
      if (w->has_value()) {
        ByteView f = (*w)->fragment;
        MutableByteView room = d.room(f.size());
        std::copy(f.begin(), f.end(), room.begin());
        d.keep(room.first(f.size() - 16));
        d.release_if_idle();
        off += kHeaderSize + f.size();
        ++p.whole;
        continue;
      }
    }
    size_t took = d.feed(in.subspan(off));
    off += took;
    size_t before = d.held().size();
    pull_and_keep(d);
    if (d.held().size() != before || took > 0) ++p.fed;
    if (took == 0 && off < in.size() && d.buffered() == 0) {
      ADD_FAILURE() << "no progress";
      return p;
    }
    if (took == 0 && off == in.size()) break;
  }
  return p;
}

TEST(Deframer, WholeRecordsAreOpenedIntoRoomAfterTheHeldData) {
  // Records arriving whole take no copy through feed(); the reader lags, so
  // each room lands right after the held bytes and held() stays contiguous.
  Deframer d;
  std::vector<Bytes> payloads = {payload_of(10, 1), payload_of(16384, 2), payload_of(0, 3),
                                 payload_of(16384, 4), payload_of(999, 5)};
  Bytes stream, expect;
  for (const auto& p : payloads) {
    Bytes rec = app_record(p);
    stream.insert(stream.end(), rec.begin(), rec.end());
    expect.insert(expect.end(), p.begin(), p.end());
  }
  Paths paths = receive(d, stream);
  EXPECT_EQ(paths.whole, payloads.size());
  EXPECT_EQ(paths.fed, 0u);
  ASSERT_EQ(d.held().size(), expect.size());
  EXPECT_TRUE(std::equal(expect.begin(), expect.end(), d.held().begin()));
  // Consume part, then more whole records land after what is left.
  d.consume_held(20000);
  Bytes more = payload_of(5000, 6);
  receive(d, app_record(more));
  expect.insert(expect.end(), more.begin(), more.end());
  ASSERT_EQ(d.held().size(), expect.size() - 20000);
  EXPECT_TRUE(std::equal(expect.begin() + 20000, expect.end(), d.held().begin()));
  d.consume_held(d.held().size());
  EXPECT_EQ(d.capacity(), 0u);
}

TEST(Deframer, NextWholeOnlyForAWholeRecordWithNothingBuffered) {
  Deframer d;
  Bytes rec = app_record(payload_of(100, 1));
  // A partial record in the input: nullopt (it must be fed).
  auto partial = d.next_whole(ByteView(rec).first(rec.size() - 1));
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());
  auto header_only = d.next_whole(ByteView(rec).first(3));
  ASSERT_TRUE(header_only.ok());
  EXPECT_FALSE(header_only->has_value());
  // Whole: the record views the input itself.
  auto whole = d.next_whole(rec);
  ASSERT_TRUE(whole.ok());
  ASSERT_TRUE(whole->has_value());
  EXPECT_EQ((*whole)->fragment.data(), rec.data() + kHeaderSize);
  EXPECT_EQ((*whole)->fragment.size(), rec.size() - kHeaderSize);
  EXPECT_EQ((*whole)->type, ContentType::application_data);
  EXPECT_EQ(d.capacity(), 0u);  // nothing copied, nothing held
  // A room whose plaintext is not kept (e.g. a post-handshake message) is
  // given back.
  MutableByteView room = d.room(100);
  EXPECT_EQ(room.size(), 100u);
  EXPECT_GT(d.capacity(), 0u);
  d.release_if_idle();
  EXPECT_EQ(d.capacity(), 0u);
  // Bytes buffered: nullopt even for a whole record behind them.
  ASSERT_EQ(d.feed(ByteView(rec).first(2)), 2u);
  auto buffered = d.next_whole(rec);
  ASSERT_TRUE(buffered.ok());
  EXPECT_FALSE(buffered->has_value());
}

TEST(Deframer, NextWholeChecksTheHeaderAndTheErrorSticks) {
  Deframer d(kMaxCiphertext13);
  // Length 2^14 + 257: record_overflow before the body is there.
  auto r = d.next_whole(H("1703034101"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
  auto again = d.next_whole(app_record(payload_of(1, 1)));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::record_overflow);
  auto next = d.next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(d.feed(app_record(payload_of(1, 1))), 0u);
  Deframer v;
  auto bad_version = v.next_whole(H("1702030001ff"));
  ASSERT_FALSE(bad_version.ok());
  EXPECT_EQ(bad_version.error().code(), ErrorCode::protocol_version);
}

TEST(Deframer, WholeAndFedRecordsMixAtEveryCut) {
  // Three records (small, maximal, small) delivered in two receives cut at
  // every byte position, the reader consuming part of the held data between
  // them: the records before the cut go whole, the one across it is fed,
  // those after it go whole again once nothing is buffered.
  const auto records = three_record_stream();
  const Bytes& stream = records.first;
  const Bytes& expect = records.second;
  size_t whole_total = 0;
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Deframer d;
    Paths a = receive(d, ByteView(stream).first(cut));
    size_t c = std::min<size_t>(d.held().size(), 7);
    d.consume_held(c);
    Paths b = receive(d, ByteView(stream).subspan(cut));
    whole_total += a.whole + b.whole;
    ASSERT_EQ(d.held().size(), expect.size() - c) << "cut " << cut;
    ASSERT_TRUE(
        std::equal(expect.begin() + static_cast<ptrdiff_t>(c), expect.end(), d.held().begin()))
        << "cut " << cut;
    EXPECT_FALSE(d.has_partial());
    d.consume_held(d.held().size());
    EXPECT_EQ(d.capacity(), 0u) << "cut " << cut;
  }
  EXPECT_GT(whole_total, stream.size() / 2);  // most cuts leave at least one record whole
}

TEST(RecordHeader, SplitRecordAndPlaintextChecks) {
  Bytes rec = H("160303000401020304");
  auto r = split_record(rec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ContentType::handshake);
  EXPECT_EQ(to_hex(r->fragment), "01020304");
  EXPECT_TRUE(check_plaintext_record(*r).ok());

  Bytes trailing = H("16030300040102030405");
  auto t = split_record(trailing);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), ErrorCode::decode_trailing_data);
  Bytes truncated = H("160303000401");
  auto tr = split_record(truncated);
  ASSERT_FALSE(tr.ok());
  EXPECT_EQ(tr.error().code(), ErrorCode::decode_truncated);

  // A plaintext record over 2^14 is record_overflow (RFC 8446 5.1).
  Bytes big(kMaxPlaintext + 1, 1);
  Record bigrec{ContentType::handshake, 0x0303, MutableByteView(big)};
  auto b = check_plaintext_record(bigrec);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), ErrorCode::record_overflow);
  // Unprotected application data is refused.
  Bytes one{1};
  Record app{ContentType::application_data, 0x0303, MutableByteView(one)};
  EXPECT_FALSE(check_plaintext_record(app).ok());
}

TEST(RecordHeader, WritePlaintextRecord) {
  Bytes out;
  ASSERT_TRUE(write_plaintext_record(ContentType::handshake, kInitialRecordVersion,
                                     load("s3_client_hello"), out)
                  .ok());
  // RFC 8448 3: {client} send handshake record: complete record.
  EXPECT_EQ(to_hex(ByteView(out).first(5)), "16030100c4");
  EXPECT_EQ(out.size(), 201u);
  Bytes big(kMaxPlaintext + 1);
  Bytes out2;
  EXPECT_FALSE(write_plaintext_record(ContentType::handshake, kRecordVersion, big, out2).ok());
  // RFC 8446 5.1 / RFC 5246 6.2.1: no zero-length fragments are sent.
  for (ContentType t :
       {ContentType::handshake, ContentType::alert, ContentType::change_cipher_spec}) {
    auto r = write_plaintext_record(t, kRecordVersion, {}, out2);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  }
  EXPECT_TRUE(out2.empty());
  // Appending keeps what is there: the record follows it, header first.
  ASSERT_TRUE(write_plaintext_record(ContentType::alert, kRecordVersion, Bytes{1, 0}, out).ok());
  EXPECT_EQ(out.size(), 201u + 7);
  EXPECT_EQ(to_hex(ByteView(out).subspan(201)), "15030300020100");
  EXPECT_EQ(content_type_name(ContentType::alert), "alert");
}

}  // namespace
}  // namespace tessera::record
