// Tests for the engine's record path: application data is decrypted in place
// and served from the receive buffer (record/deframer.h), records are sealed
// straight into the output queue. These check what a reader sees whatever the
// split of the incoming bytes and however much it consumes at a time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

#include "crypto/openssl/openssl_provider.h"
#include "pair.h"
#include "record/io_buffer.h"

namespace tessera::testing {
namespace {

// sent_bytes takes everything `c` has queued for the peer.
std::vector<uint8_t> sent_bytes(Connection& c) {
  auto b = c.pending_tls();
  std::vector<uint8_t> out(b.begin(), b.end());
  c.consume_tls(out.size());
  return out;
}

std::vector<uint8_t> take_app_data(Connection& c, size_t max = SIZE_MAX) {
  auto a = c.app_data();
  size_t n = std::min(max, a.size());
  std::vector<uint8_t> out(a.begin(), a.begin() + static_cast<ptrdiff_t>(n));
  c.consume_app_data(n);
  return out;
}

TEST(RecordPath, RecordsOfEverySizeInOneReceiveReadPartially) {
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  // Small, maximal-plus (two records), one-byte writes, all arriving in one
  // receive_tls call while the reader has consumed nothing.
  std::vector<uint8_t> expect;
  for (size_t n : {size_t{10}, size_t{16384 + 5000}, size_t{1}, size_t{16384}}) {
    auto d = pattern(n, static_cast<uint32_t>(n));
    ASSERT_TRUE(p.client->write(d).ok());
    expect.insert(expect.end(), d.begin(), d.end());
  }
  auto wire = sent_bytes(*p.client);
  ASSERT_TRUE(p.server->receive_tls(wire).ok()) << err(*p.server);
  ASSERT_EQ(p.server->app_data().size(), expect.size());
  // Consumed a little at a time, interleaved with more data arriving.
  std::vector<uint8_t> got = take_app_data(*p.server, 7);
  auto more = pattern(3000, 99);
  ASSERT_TRUE(p.client->write(more).ok());
  expect.insert(expect.end(), more.begin(), more.end());
  wire = sent_bytes(*p.client);
  ASSERT_TRUE(p.server->receive_tls(wire).ok()) << err(*p.server);
  while (!p.server->app_data().empty()) {
    auto part = take_app_data(*p.server, 4096);
    got.insert(got.end(), part.begin(), part.end());
  }
  EXPECT_TRUE(got == expect);
  // The reader has everything; nothing more appears.
  EXPECT_TRUE(p.server->app_data().empty());
  ASSERT_TRUE(p.server->receive_tls({}).ok());
  EXPECT_TRUE(p.server->app_data().empty());
}

TEST(RecordPath, BytesArrivingOneAtATime) {
  // Every split point of every record at once: records of 1, 2, 300 and
  // 16384 + 100 bytes, a KeyUpdate between them, and close_notify at the
  // end, fed to the receiver one byte per receive_tls call; the reader
  // consumes whatever is there after every byte.
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  std::vector<uint8_t> expect;
  auto send = [&](size_t n) {
    auto d = pattern(n, static_cast<uint32_t>(n) + 7);
    ASSERT_TRUE(p.client->write(d).ok());
    expect.insert(expect.end(), d.begin(), d.end());
  };
  send(1);
  send(2);
  ASSERT_TRUE(p.client->key_update(false).ok());
  send(300);
  send(16384 + 100);
  p.client->close();
  auto wire = sent_bytes(*p.client);
  std::vector<uint8_t> got;
  for (uint8_t b : wire) {
    ASSERT_TRUE(p.server->receive_tls(std::span<const uint8_t>(&b, 1)).ok()) << err(*p.server);
    auto part = take_app_data(*p.server);
    got.insert(got.end(), part.begin(), part.end());
  }
  EXPECT_TRUE(got == expect);
  EXPECT_TRUE(p.server->is_peer_closed());
}

// AeadCountingProvider counts the AEADs (record protection contexts) it
// makes, how many are alive, and how many of those were ever used: an
// OpenSslAead keys its libcrypto context on first use, so an unused one holds
// no cipher context.
class AeadCountingProvider final : public crypto::OpenSslProvider {
 public:
  struct Counts {
    int made = 0, alive = 0, alive_used = 0;
  };
  Result<std::unique_ptr<crypto::Aead>> aead(AeadAlgorithm alg, ByteView key) override {
    TESSERA_ASSIGN_OR_RETURN(auto inner, OpenSslProvider::aead(alg, key));
    ++counts.made;
    return std::unique_ptr<crypto::Aead>(std::make_unique<Tracked>(std::move(inner), counts));
  }
  Counts counts;

 private:
  class Tracked final : public crypto::Aead {
   public:
    Tracked(std::unique_ptr<crypto::Aead> inner, Counts& c) : inner_(std::move(inner)), c_(c) {
      ++c_.alive;
    }
    ~Tracked() override {
      --c_.alive;
      if (used_) --c_.alive_used;
    }
    AeadAlgorithm algorithm() const override { return inner_->algorithm(); }
    std::string_view implementation() const override { return inner_->implementation(); }
    Result<void> seal(ByteView n, ByteView a, MutableByteView d, MutableByteView t) override {
      use();
      return inner_->seal(n, a, d, t);
    }
    Result<void> open(ByteView n, ByteView a, MutableByteView d, ByteView t) override {
      use();
      return inner_->open(n, a, d, t);
    }
    bool rekey(ByteView key) override { return inner_->rekey(key); }

   protected:
    Result<void> do_seal_from(ByteView n, ByteView a, ByteView head, ByteView tail,
                              MutableByteView out, MutableByteView tag) override {
      use();
      return inner_->seal_from(n, a, head, tail, out, tag);
    }
    Result<void> do_open_from(ByteView n, ByteView a, ByteView in, ByteView tag,
                              MutableByteView out) override {
      use();
      return inner_->open_from(n, a, in, tag, out);
    }

   private:
    void use() {
      if (!used_) ++c_.alive_used;
      used_ = true;
    }
    std::unique_ptr<crypto::Aead> inner_;
    Counts& c_;
    bool used_ = false;
  };
};

// Each direction makes one AEAD for the handshake keys, freed when the
// application keys come, and one for the application keys, keyed on first
// use: an established connection that has sent and received nothing holds
// two unused AEADs (no cipher context). Every KeyUpdate then re-keys the one
// in use (Engine::install_tls13_keys), and the data still flows both ways
// under each new key.
TEST(RecordPath, IdleConnectionHoldsNoKeyedAeadAndKeyUpdatesReuseIt) {
  auto cp = std::make_shared<AeadCountingProvider>();
  auto sp = std::make_shared<AeadCountingProvider>();
  auto cc = client_config();
  cc->provider = cp;
  auto sc = server_config();
  sc->provider = sp;
  auto p = make_tls_pair(cc, sc);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  for (auto* c : {&cp->counts, &sp->counts}) {
    EXPECT_EQ(c->made, 4);
    EXPECT_EQ(c->alive, 2);
    EXPECT_EQ(c->alive_used, 0);
  }
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    ASSERT_TRUE(p.client->key_update(true).ok());  // both directions move on
    transfer(p, true, 20000);
    transfer(p, false, 300);
  }
  for (auto* c : {&cp->counts, &sp->counts}) {
    EXPECT_EQ(c->made, 4);
    EXPECT_EQ(c->alive, 2);
    EXPECT_EQ(c->alive_used, 2);
  }
}

TEST(RecordPath, DataAndCloseNotifyTogetherKeepTheData) {
  // The peer's last data and its close_notify arrive in one call: the data
  // stays readable after the close was seen, then is consumed in two parts.
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  auto d = pattern(20000, 5);
  ASSERT_TRUE(p.client->write(d).ok());
  p.client->close();
  ASSERT_TRUE(p.server->receive_tls(sent_bytes(*p.client)).ok()) << err(*p.server);
  EXPECT_TRUE(p.server->is_peer_closed());
  auto got = take_app_data(*p.server, 12345);
  auto rest = take_app_data(*p.server);
  got.insert(got.end(), rest.begin(), rest.end());
  EXPECT_TRUE(got == d);
  EXPECT_TRUE(p.server->app_data().empty());
}

TEST(RecordPath, LargeBacklogBothWays) {
  // 1 MiB written before the peer reads anything, each way; the reader
  // gets one contiguous span of it all.
  auto p = make_tls_pair(client_config(), server_config());
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  for (bool c2s : {true, false}) {
    Connection& from = c2s ? *p.client : *p.server;
    Connection& to = c2s ? *p.server : *p.client;
    auto d = pattern(1 << 20, c2s ? 1 : 2);
    ASSERT_TRUE(from.write(d).ok());
    ASSERT_TRUE(p.pump());
    ASSERT_EQ(to.app_data().size(), d.size());
    EXPECT_TRUE(std::equal(d.begin(), d.end(), to.app_data().begin()));
    to.consume_app_data(d.size());
    EXPECT_TRUE(to.app_data().empty());
  }
}

TEST(RecordPath, IdleConnectionsGiveTheirRecordBuffersBack) {
  // On a fresh thread (empty buffer cache): a 16 KiB record takes a standard
  // buffer for the sender's output queue and one for the receiver's
  // deframer. Once the record was sent and read, both connections are idle
  // and both buffers are back in the thread's cache; the next record takes
  // them from there again (re-acquired on demand, no new buffer), and so on.
  std::thread([] {
    ASSERT_EQ(record::IoBuffer::cached_for_testing(), 0u);
    auto p = make_tls_pair(client_config(), server_config());
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    auto d = pattern(16384, 3);
    for (int round = 0; round < 3; ++round) {
      ASSERT_TRUE(p.client->write(d).ok());
      auto wire = p.client->pending_tls();
      ASSERT_TRUE(p.server->receive_tls(wire).ok()) << err(*p.server);
      p.client->consume_tls(wire.size());
      // The unread record's plaintext is held in the server's buffer.
      ASSERT_EQ(p.server->app_data().size(), d.size());
      EXPECT_EQ(record::IoBuffer::cached_for_testing(), 1u)
          << "the client's sent queue went back, the server's buffer is in use";
      p.server->consume_app_data(d.size() / 2);
      EXPECT_EQ(record::IoBuffer::cached_for_testing(), 1u);  // half read: still held
      p.server->consume_app_data(d.size());
      EXPECT_EQ(record::IoBuffer::cached_for_testing(), 2u) << "round " << round;
    }
  }).join();
}

bool aligned(const uint8_t* p) {
  return reinterpret_cast<uintptr_t>(p) % record::IoBuffer::kAlignment == 0;
}

TEST(RecordPath, BulkRecordsAreSealedAndOpenedOnAlignedFragments) {
  // The AEAD reads and writes a 16 KiB body in whole cache lines: the sealed
  // record's fragment (after its 5-byte header) starts aligned in the
  // sender's queue, and a record arriving whole is decrypted to an aligned
  // place in the receiver's buffer, record after record. Both versions.
  for (bool tls12 : {false, true}) {
    SCOPED_TRACE(tls12 ? "TLS 1.2" : "TLS 1.3");
    auto c = client_config();
    if (tls12) c->policy.min_version = c->policy.max_version = ProtocolVersion::tls12;
    auto p = make_tls_pair(c, server_config());
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    ASSERT_EQ(p.client->summary().version, tls12 ? ProtocolVersion::tls12 : ProtocolVersion::tls13);
    auto d = pattern(16384, 9);
    for (int round = 0; round < 3; ++round) {
      ASSERT_TRUE(p.client->write(d).ok());
      auto wire = p.client->pending_tls();
      ASSERT_GT(wire.size(), 5u + d.size());
      EXPECT_TRUE(aligned(wire.data() + 5)) << "round " << round;
      ASSERT_TRUE(p.server->receive_tls(wire).ok()) << err(*p.server);
      p.client->consume_tls(wire.size());
      ASSERT_EQ(p.server->app_data().size(), d.size());
      EXPECT_TRUE(aligned(p.server->app_data().data())) << "round " << round;
      EXPECT_TRUE(std::equal(d.begin(), d.end(), p.server->app_data().begin()));
      p.server->consume_app_data(d.size());
    }
  }
}

TEST(RecordPath, WholeAndSplitRecordsInEveryChunkingBothVersions) {
  // Records that arrive whole are opened from the caller's buffer, records
  // cut by a receive_tls boundary are buffered first; the reader must not
  // see a difference. The same stream (data records of several sizes, a
  // KeyUpdate in TLS 1.3, close_notify) is delivered in chunks of several
  // sizes, for TLS 1.3 and TLS 1.2 (AES-GCM with its explicit nonce), with
  // AES-128-GCM and ChaCha20-Poly1305.
  struct Case {
    ProtocolVersion v;
    CipherSuite suite;
  };
  const Case cases[] = {
      {ProtocolVersion::tls13, CipherSuite::TLS_AES_128_GCM_SHA256},
      {ProtocolVersion::tls13, CipherSuite::TLS_CHACHA20_POLY1305_SHA256},
      {ProtocolVersion::tls12, CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
      {ProtocolVersion::tls12, CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
  };
  for (const Case& c : cases) {
    for (size_t chunk : {size_t{7}, size_t{1000}, size_t{16384 + 22}, size_t{40000}, SIZE_MAX}) {
      SCOPED_TRACE(::testing::Message()
                   << (c.v == ProtocolVersion::tls13 ? "TLS 1.3" : "TLS 1.2") << " suite "
                   << static_cast<int>(c.suite) << " chunk " << chunk);
      auto cc = client_config();
      auto sc = server_config();
      for (Policy* pol : {&cc->policy, &sc->policy}) {
        pol->min_version = pol->max_version = c.v;
        pol->cipher_suites = {c.suite};
      }
      auto p = make_tls_pair(cc, sc);
      ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
      ASSERT_EQ(p.server->summary().cipher_suite, static_cast<uint16_t>(c.suite));
      std::vector<uint8_t> expect;
      for (size_t n : {size_t{16384}, size_t{1}, size_t{16384 * 2 + 3}, size_t{500}}) {
        auto d = pattern(n, static_cast<uint32_t>(n + chunk));
        ASSERT_TRUE(p.client->write(d).ok());
        expect.insert(expect.end(), d.begin(), d.end());
        if (n == 1 && c.v == ProtocolVersion::tls13) {
          ASSERT_TRUE(p.client->key_update(true).ok());
        }
      }
      p.client->close();
      auto wire = sent_bytes(*p.client);
      std::vector<uint8_t> got;
      for (size_t off = 0; off < wire.size();) {
        size_t n = std::min(chunk, wire.size() - off);
        ASSERT_TRUE(p.server->receive_tls(std::span<const uint8_t>(wire.data() + off, n)).ok())
            << err(*p.server);
        off += n;
        // The reader takes half of what is there: data piles up across
        // whole and buffered records.
        auto part = take_app_data(*p.server, (p.server->app_data().size() + 1) / 2);
        got.insert(got.end(), part.begin(), part.end());
      }
      auto rest = take_app_data(*p.server);
      got.insert(got.end(), rest.begin(), rest.end());
      EXPECT_TRUE(got == expect);
      EXPECT_TRUE(p.server->is_peer_closed());
      EXPECT_FALSE(p.server->error());
    }
  }
}

TEST(RecordPath, TamperedWholeRecordIsBadRecordMacAndReleasesNothing) {
  // A whole record with one flipped ciphertext bit, arriving with a good
  // record before it: the good data stays readable, the bad record is
  // bad_record_mac (with the alert) and none of its plaintext appears.
  for (bool v13 : {true, false}) {
    SCOPED_TRACE(v13 ? "TLS 1.3" : "TLS 1.2");
    auto cc = client_config();
    auto sc = server_config();
    for (Policy* pol : {&cc->policy, &sc->policy}) {
      pol->min_version = pol->max_version = v13 ? ProtocolVersion::tls13 : ProtocolVersion::tls12;
      pol->cipher_suites = {v13 ? CipherSuite::TLS_AES_128_GCM_SHA256
                                : CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    }
    auto p = make_tls_pair(cc, sc);
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    auto good = pattern(3000, 1);
    ASSERT_TRUE(p.client->write(good).ok());
    auto first = sent_bytes(*p.client);
    ASSERT_TRUE(p.client->write(std::vector<uint8_t>(4000, 0x61)).ok());
    auto second = sent_bytes(*p.client);
    second[100] ^= 0x01;
    first.insert(first.end(), second.begin(), second.end());
    auto r = p.server->receive_tls(first);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
    EXPECT_EQ(r.error().alert(), AlertDescription::bad_record_mac);
    auto a = p.server->app_data();
    EXPECT_TRUE(std::equal(a.begin(), a.end(), good.begin(), good.end()));
    // The alert went out.
    auto alert = sent_bytes(*p.server);
    EXPECT_FALSE(alert.empty());
  }
}

}  // namespace
}  // namespace tessera::testing
