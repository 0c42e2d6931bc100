// End-to-end test of the record layer on the RFC 8448 section 3 server
// flight, as a client would receive it: the byte stream is deframed one byte
// at a time, the plaintext ServerHello record is checked and reassembled,
// the read key changes (with the "no message spans a key change" check),
// and the encrypted record is opened and reassembled into the four messages
// of the trace. Vectors: tests/vectors/record/rfc8448_*.hex.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/hex.h"
#include "record/deframer.h"
#include "record/handshake_buffer.h"
#include "record/protection.h"

namespace tessera::record {
namespace {

Bytes load(const std::string& name) {
  std::string path = std::string(TESSERA_TEST_DATA_DIR) + "/record/rfc8448_" + name + ".hex";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return from_hex(ss.str()).value_or(Bytes{});
}

TEST(Rfc8448Flow, ClientReceivesTheServerFlight) {
  auto provider = crypto::default_provider();
  Bytes stream = load("s3_server_hello_record");
  Bytes enc = load("s3_server_handshake_record");
  stream.insert(stream.end(), enc.begin(), enc.end());

  Deframer deframer;
  HandshakeBuffer handshake;
  std::unique_ptr<RecordProtection> read_protection;  // none until ServerHello
  std::vector<Bytes> messages;

  for (size_t i = 0; i < stream.size(); ++i) {
    ASSERT_EQ(deframer.feed(ByteView(stream).subspan(i, 1)), 1u);
    auto next = deframer.next();
    ASSERT_TRUE(next.ok()) << next.error().to_string();
    if (!next->has_value()) continue;
    const Record& rec = **next;
    ByteView plaintext;
    if (read_protection == nullptr) {
      ASSERT_TRUE(check_plaintext_record(rec).ok());
      ASSERT_EQ(rec.type, ContentType::handshake);
      plaintext = rec.fragment;
    } else {
      auto opened = read_protection->open(rec);
      ASSERT_TRUE(opened.ok()) << opened.error().to_string();
      ASSERT_EQ(opened->type, ContentType::handshake);
      plaintext = opened->plaintext;
    }
    ASSERT_TRUE(handshake.add(plaintext).ok());
    while (true) {
      auto m = handshake.next();
      ASSERT_TRUE(m.ok()) << m.error().to_string();
      if (!m->has_value()) break;
      messages.emplace_back((*m)->message.begin(), (*m)->message.end());
      if ((*m)->type == 2) {  // ServerHello: switch to the server handshake key
        ASSERT_TRUE(handshake.check_key_change_boundary().ok());
        auto p = Tls13RecordProtection::create(*provider, AeadAlgorithm::aes_128_gcm,
                                               from_hex("3fce516009c21727d0f2e4e86ee403bc").value(),
                                               from_hex("5d313eb2671276ee13000b30").value());
        ASSERT_TRUE(p.ok());
        read_protection = std::move(p).value();
        deframer.set_max_fragment_length(kMaxCiphertext13);
      }
    }
  }
  const std::vector<std::string> expected = {"s3_server_hello", "s3_encrypted_extensions",
                                             "s3_certificate", "s3_certificate_verify",
                                             "s3_server_finished"};
  ASSERT_EQ(messages.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(to_hex(messages[i]), to_hex(load(expected[i]))) << expected[i];
  }
  EXPECT_FALSE(deframer.has_partial());
  EXPECT_FALSE(handshake.has_partial());
}

TEST(Rfc8448Flow, ServerSkipsUndecryptableRecordsWithoutLosingItsSequence) {
  // RFC 8446 4.2.10: a server that rejected 0-RTT skips records that fail
  // to deprotect under its handshake key; such failures must not consume a
  // sequence number, or the client's real Finished (sequence 0) would fail.
  auto provider = crypto::default_provider();
  auto p = Tls13RecordProtection::create(*provider, AeadAlgorithm::aes_128_gcm,
                                         from_hex("dbfaa693d1762c5b666af5d950258d01").value(),
                                         from_hex("5bd3c71b836e0b76bb73265f").value());
  ASSERT_TRUE(p.ok());
  Bytes early = load("s3_client_appdata_record");  // under another key: fails
  auto bad = split_record(early);
  ASSERT_TRUE(bad.ok());
  auto r1 = (*p)->open(*bad);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code(), ErrorCode::bad_record_mac);
  EXPECT_EQ((*p)->sequence_number(), 0u);
  Bytes fin = load("s3_client_finished_record");
  auto good = split_record(fin);
  ASSERT_TRUE(good.ok());
  auto r2 = (*p)->open(*good);
  ASSERT_TRUE(r2.ok()) << r2.error().to_string();
  EXPECT_EQ(to_hex(r2->plaintext), to_hex(load("s3_client_finished")));
  EXPECT_EQ((*p)->sequence_number(), 1u);
}

}  // namespace
}  // namespace tessera::record
