// Tests for record/protection.
//
// TLS 1.3: the protected records of RFC 8448 section 3 are opened with the
// trace's traffic keys and compared with the trace's payloads byte for byte,
// then sealed again (same sequence numbers, no padding) to the same bytes.
// The record bytes are in tests/vectors/record/rfc8448_s3_*.hex (copied from
// the RFC by extract_rfc8448.py); keys and IVs are copied from the trace.
//
// TLS 1.2: a known-answer record for AES-128-GCM (RFC 5288) and
// ChaCha20-Poly1305 (RFC 7905) computed once with Python's `cryptography`
// package (see the comments at each vector), round trips, tampering.
#include "record/protection.h"

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

// RFC 8448 3 traffic keys (AES-128-GCM).
constexpr std::string_view kServerHsKey = "3fce516009c21727d0f2e4e86ee403bc";
constexpr std::string_view kServerHsIv = "5d313eb2671276ee13000b30";
constexpr std::string_view kClientHsKey = "dbfaa693d1762c5b666af5d950258d01";
constexpr std::string_view kClientHsIv = "5bd3c71b836e0b76bb73265f";
constexpr std::string_view kServerApKey = "9f02283b6c9c07efc26bb9f2ac92e356";
constexpr std::string_view kServerApIv = "cf782b88dd83549aadf1e984";
constexpr std::string_view kClientApKey = "17422dda596ed5d9acd890e3c63f5051";
constexpr std::string_view kClientApIv = "5b78923dee08579033e523d9";

class ProtectionTest : public ::testing::Test {
 protected:
  std::unique_ptr<Tls13RecordProtection> tls13(std::string_view key, std::string_view iv) {
    auto r = Tls13RecordProtection::create(*provider_, AeadAlgorithm::aes_128_gcm, H(key), H(iv));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // open_one opens a complete record held in `bytes` (decrypted in place).
  static Result<OpenedRecord> open_one(RecordProtection& p, Bytes& bytes) {
    TESSERA_ASSIGN_OR_RETURN(Record rec, split_record(bytes));
    return p.open(rec);
  }

  std::shared_ptr<crypto::Provider> provider_ = crypto::default_provider();
};

TEST_F(ProtectionTest, Rfc8448ServerHandshakeRecordOpens) {
  auto p = tls13(kServerHsKey, kServerHsIv);
  ASSERT_NE(p, nullptr);
  Bytes record = load("s3_server_handshake_record");
  auto opened = open_one(*p, record);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(opened->type, ContentType::handshake);
  EXPECT_EQ(to_hex(opened->plaintext), to_hex(load("s3_server_handshake_payload")));
  EXPECT_EQ(p->sequence_number(), 1u);
}

TEST_F(ProtectionTest, Rfc8448ServerHandshakeRecordSealsToTheSameBytes) {
  auto p = tls13(kServerHsKey, kServerHsIv);
  ASSERT_NE(p, nullptr);
  Bytes out;
  ASSERT_TRUE(p->seal(ContentType::handshake, load("s3_server_handshake_payload"), 0, out).ok());
  EXPECT_EQ(to_hex(out), to_hex(load("s3_server_handshake_record")));
}

TEST_F(ProtectionTest, Rfc8448ClientFinishedRecord) {
  auto opener = tls13(kClientHsKey, kClientHsIv);
  Bytes record = load("s3_client_finished_record");
  auto opened = open_one(*opener, record);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(opened->type, ContentType::handshake);
  EXPECT_EQ(to_hex(opened->plaintext), to_hex(load("s3_client_finished")));

  auto sealer = tls13(kClientHsKey, kClientHsIv);
  Bytes out;
  ASSERT_TRUE(sealer->seal(ContentType::handshake, load("s3_client_finished"), 0, out).ok());
  EXPECT_EQ(to_hex(out), to_hex(load("s3_client_finished_record")));
}

TEST_F(ProtectionTest, Rfc8448ServerApplicationTrafficSequence) {
  // Server application keys: NewSessionTicket (seq 0), application data
  // (seq 1), close_notify alert (seq 2).
  auto opener = tls13(kServerApKey, kServerApIv);
  auto sealer = tls13(kServerApKey, kServerApIv);
  Bytes ticket = load("s3_server_ticket_record");
  Bytes data = load("s3_server_appdata_record");
  Bytes alert = load("s3_server_alert_record");

  auto t = open_one(*opener, ticket);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->type, ContentType::handshake);
  EXPECT_EQ(to_hex(t->plaintext), to_hex(load("s3_new_session_ticket")));
  auto d = open_one(*opener, data);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->type, ContentType::application_data);
  EXPECT_EQ(to_hex(d->plaintext), to_hex(load("s3_server_appdata_payload")));
  auto a = open_one(*opener, alert);
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  EXPECT_EQ(a->type, ContentType::alert);
  EXPECT_EQ(to_hex(a->plaintext), "0100");  // warning(1), close_notify(0)
  EXPECT_EQ(opener->sequence_number(), 3u);

  Bytes out;
  ASSERT_TRUE(sealer->seal(ContentType::handshake, load("s3_new_session_ticket"), 0, out).ok());
  ASSERT_TRUE(
      sealer->seal(ContentType::application_data, load("s3_server_appdata_payload"), 0, out).ok());
  ASSERT_TRUE(sealer->seal(ContentType::alert, H("0100"), 0, out).ok());
  Bytes expected = load("s3_server_ticket_record");
  for (const char* n : {"s3_server_appdata_record", "s3_server_alert_record"}) {
    Bytes b = load(n);
    expected.insert(expected.end(), b.begin(), b.end());
  }
  EXPECT_EQ(to_hex(out), to_hex(expected));
}

TEST_F(ProtectionTest, Rfc8448ClientApplicationTrafficSequence) {
  auto opener = tls13(kClientApKey, kClientApIv);
  auto sealer = tls13(kClientApKey, kClientApIv);
  Bytes data = load("s3_client_appdata_record");
  Bytes alert = load("s3_client_alert_record");
  auto d = open_one(*opener, data);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->type, ContentType::application_data);
  EXPECT_EQ(to_hex(d->plaintext), to_hex(load("s3_client_appdata_payload")));
  auto a = open_one(*opener, alert);
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  EXPECT_EQ(a->type, ContentType::alert);
  EXPECT_EQ(to_hex(a->plaintext), "0100");

  Bytes out;
  ASSERT_TRUE(
      sealer->seal(ContentType::application_data, load("s3_client_appdata_payload"), 0, out).ok());
  ASSERT_TRUE(sealer->seal(ContentType::alert, H("0100"), 0, out).ok());
  Bytes expected = load("s3_client_appdata_record");
  Bytes b = load("s3_client_alert_record");
  expected.insert(expected.end(), b.begin(), b.end());
  EXPECT_EQ(to_hex(out), to_hex(expected));
}

TEST_F(ProtectionTest, TamperingAnyByteIsBadRecordMac) {
  Bytes original = load("s3_client_appdata_record");
  // Every byte of the ciphertext and tag, and the AAD bytes of the header
  // (version and length changes; the type byte is checked before decryption).
  for (size_t i = 1; i < original.size(); ++i) {
    if (i == 3 || i == 4) continue;  // length bytes: covered below
    Bytes rec = original;
    rec[i] ^= 0x01;
    auto p = tls13(kClientApKey, kClientApIv);
    Record r{ContentType::application_data, static_cast<uint16_t>(rec[1] << 8 | rec[2]),
             MutableByteView(rec).subspan(kHeaderSize)};
    auto opened = p->open(r);
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.error().code(), ErrorCode::bad_record_mac) << "byte " << i;
    EXPECT_EQ(opened.error().alert(), AlertDescription::bad_record_mac);
  }
  // A record cut short by one byte (header length adjusted) fails too.
  Bytes shortened(original.begin(), original.end() - 1);
  shortened[4] = static_cast<uint8_t>(shortened[4] - 1);
  auto p = tls13(kClientApKey, kClientApIv);
  auto opened = open_one(*p, shortened);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::bad_record_mac);
}

TEST_F(ProtectionTest, WrongSequenceNumberFails) {
  auto p = tls13(kClientApKey, kClientApIv);
  p->set_sequence_number_for_testing(1);
  Bytes rec = load("s3_client_appdata_record");
  auto opened = open_one(*p, rec);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::bad_record_mac);
}

TEST_F(ProtectionTest, Tls13PaddingIsStrippedAndLimited) {
  auto sealer = tls13(kClientApKey, kClientApIv);
  auto opener = tls13(kClientApKey, kClientApIv);
  Bytes out;
  ASSERT_TRUE(sealer->seal(ContentType::handshake, H("0102030000"), 100, out).ok());
  EXPECT_EQ(out.size(), kHeaderSize + 5 + 1 + 100 + 16);
  auto opened = open_one(*opener, out);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(opened->type, ContentType::handshake);
  // Zero bytes at the end of the content itself are kept: the type byte ends them.
  EXPECT_EQ(to_hex(opened->plaintext), "0102030000");

  // Padding that pushes TLSInnerPlaintext past 2^14 + 1 is refused.
  Bytes big(kMaxPlaintext, 0x41);
  Bytes out2;
  auto too_much = sealer->seal(ContentType::application_data, big, 1, out2);
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.error().code(), ErrorCode::internal_error);
  EXPECT_TRUE(out2.empty());
  // Exactly 2^14 of content with no padding is fine and opens.
  ASSERT_TRUE(sealer->seal(ContentType::application_data, big, 0, out2).ok());
  EXPECT_EQ(out2.size(), kHeaderSize + kMaxPlaintext + 1 + 16);
  auto opener2 = tls13(kClientApKey, kClientApIv);
  opener2->set_sequence_number_for_testing(1);
  auto o2 = open_one(*opener2, out2);
  ASSERT_TRUE(o2.ok()) << o2.error().to_string();
  EXPECT_EQ(o2->plaintext.size(), kMaxPlaintext);
}

// seal_raw_inner builds a TLS 1.3 record whose TLSInnerPlaintext is `inner`
// as given (the type byte and padding included), bypassing seal's checks.
Bytes seal_raw_inner(crypto::Provider& provider, ByteView inner) {
  auto aead = provider.aead(AeadAlgorithm::aes_128_gcm, H(kClientApKey));
  EXPECT_TRUE(aead.ok());
  Bytes rec(5 + inner.size() + 16, 0);
  rec[0] = 23;
  rec[1] = 3;
  rec[2] = 3;
  rec[3] = static_cast<uint8_t>((inner.size() + 16) >> 8);
  rec[4] = static_cast<uint8_t>(inner.size() + 16);
  std::copy(inner.begin(), inner.end(), rec.begin() + 5);
  Bytes header(rec.begin(), rec.begin() + 5);
  Bytes nonce = H(kClientApIv);  // sequence number 0
  auto sealed = (*aead)->seal(nonce, header, MutableByteView(rec).subspan(5, inner.size()),
                              MutableByteView(rec).subspan(5 + inner.size(), 16));
  EXPECT_TRUE(sealed.ok());
  return rec;
}

TEST_F(ProtectionTest, Tls13InnerPlaintextRules) {
  // All zeros: no content type -> unexpected_message (RFC 8446 5.4).
  {
    Bytes rec = seal_raw_inner(*provider_, Bytes(20, 0));
    auto p = tls13(kClientApKey, kClientApIv);
    auto r = open_one(*p, rec);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
    EXPECT_EQ(r.error().alert(), AlertDescription::unexpected_message);
  }
  // Empty inner plaintext (a bare tag) is also all-zero.
  {
    Bytes rec = seal_raw_inner(*provider_, Bytes{});
    auto p = tls13(kClientApKey, kClientApIv);
    auto r = open_one(*p, rec);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
  }
  // Unknown inner type 24 and change_cipher_spec inside protection.
  for (uint8_t t : {uint8_t{24}, uint8_t{20}}) {
    Bytes rec = seal_raw_inner(*provider_, Bytes{1, 2, t, 0, 0});
    auto p = tls13(kClientApKey, kClientApIv);
    auto r = open_one(*p, rec);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
  }
  // Zero-length handshake content is refused, zero-length application data is not.
  {
    Bytes rec = seal_raw_inner(*provider_, Bytes{22, 0, 0});
    auto p = tls13(kClientApKey, kClientApIv);
    auto r = open_one(*p, rec);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
    Bytes rec2 = seal_raw_inner(*provider_, Bytes{23, 0, 0});
    auto p2 = tls13(kClientApKey, kClientApIv);
    auto r2 = open_one(*p2, rec2);
    ASSERT_TRUE(r2.ok()) << r2.error().to_string();
    EXPECT_EQ(r2->type, ContentType::application_data);
    EXPECT_TRUE(r2->plaintext.empty());
  }
  // Inner plaintext of 2^14 + 2 bytes (authentic) -> record_overflow.
  {
    Bytes inner(kMaxInnerPlaintext13 + 1, 0x41);
    inner.back() = 23;
    Bytes rec = seal_raw_inner(*provider_, inner);
    auto p = tls13(kClientApKey, kClientApIv);
    auto r = open_one(*p, rec);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::record_overflow);
    EXPECT_EQ(r.error().alert(), AlertDescription::record_overflow);
  }
}

TEST_F(ProtectionTest, Tls13OuterChecks) {
  auto p = tls13(kClientApKey, kClientApIv);
  // Outer type other than application_data.
  Bytes frag(40, 0);
  Record hs{ContentType::handshake, 0x0303, MutableByteView(frag)};
  auto r = p->open(hs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::unexpected_message);
  // Ciphertext over 2^14 + 256.
  Bytes big(kMaxCiphertext13 + 1, 0);
  Record over{ContentType::application_data, 0x0303, MutableByteView(big)};
  auto r2 = p->open(over);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code(), ErrorCode::record_overflow);
  // Shorter than a tag.
  Bytes tiny(15, 0);
  Record small{ContentType::application_data, 0x0303, MutableByteView(tiny)};
  auto r3 = p->open(small);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code(), ErrorCode::bad_record_mac);
}

TEST_F(ProtectionTest, SequenceExhaustion) {
  auto sealer = tls13(kClientApKey, kClientApIv);
  auto opener = tls13(kClientApKey, kClientApIv);
  sealer->set_sequence_number_for_testing(UINT64_MAX - 1);
  opener->set_sequence_number_for_testing(UINT64_MAX - 1);
  Bytes out;
  // 2^64-2 and 2^64-1 can be used...
  ASSERT_TRUE(sealer->seal(ContentType::application_data, H("aa"), 0, out).ok());
  size_t first_len = out.size();
  ASSERT_TRUE(sealer->seal(ContentType::application_data, H("bb"), 0, out).ok());
  // ...then the counter would wrap.
  Bytes more;
  auto r = sealer->seal(ContentType::application_data, H("cc"), 0, more);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::sequence_exhausted);
  EXPECT_TRUE(more.empty());

  Bytes first(out.begin(), out.begin() + first_len);
  Bytes second(out.begin() + first_len, out.end());
  auto o1 = open_one(*opener, first);
  ASSERT_TRUE(o1.ok()) << o1.error().to_string();
  EXPECT_EQ(to_hex(o1->plaintext), "aa");
  auto o2 = open_one(*opener, second);
  ASSERT_TRUE(o2.ok()) << o2.error().to_string();
  EXPECT_EQ(to_hex(o2->plaintext), "bb");
  Bytes again = second;
  auto o3 = open_one(*opener, again);
  ASSERT_FALSE(o3.ok());
  EXPECT_EQ(o3.error().code(), ErrorCode::sequence_exhausted);

  // A new key starts again at 0 (rekey: RekeyMovesOneObjectFromHandshakeToApplicationKeys).
  auto rekeyed = tls13(kClientApKey, kClientApIv);
  EXPECT_EQ(rekeyed->sequence_number(), 0u);
}

// One protection object moves from the server's handshake keys to its
// application keys (Engine re-keys rather than replaces): the RFC 8448 records
// of both epochs, sealed and opened in sequence, with the sequence number
// starting again at 0 after the rekey, even from an exhausted counter.
TEST_F(ProtectionTest, RekeyMovesOneObjectFromHandshakeToApplicationKeys) {
  auto sealer = tls13(kServerHsKey, kServerHsIv);
  auto opener = tls13(kServerHsKey, kServerHsIv);
  Bytes out;
  ASSERT_TRUE(
      sealer->seal(ContentType::handshake, load("s3_server_handshake_payload"), 0, out).ok());
  EXPECT_EQ(to_hex(out), to_hex(load("s3_server_handshake_record")));
  Bytes hs = load("s3_server_handshake_record");
  ASSERT_TRUE(open_one(*opener, hs).ok());

  EXPECT_FALSE(sealer->rekey(H(kServerApKey), H("00112233")));  // a 4-byte IV is refused
  sealer = tls13(kServerHsKey, kServerHsIv);                    // (unusable after a refusal)
  ASSERT_TRUE(
      sealer->seal(ContentType::handshake, load("s3_server_handshake_payload"), 0, out).ok());
  sealer->set_sequence_number_for_testing(UINT64_MAX);
  ASSERT_TRUE(sealer->seal(ContentType::handshake, H("00"), 0, out).ok());   // uses 2^64-1
  ASSERT_FALSE(sealer->seal(ContentType::handshake, H("00"), 0, out).ok());  // exhausted
  ASSERT_TRUE(sealer->rekey(H(kServerApKey), H(kServerApIv)));
  ASSERT_TRUE(opener->rekey(H(kServerApKey), H(kServerApIv)));
  EXPECT_EQ(sealer->sequence_number(), 0u);
  EXPECT_EQ(opener->sequence_number(), 0u);

  Bytes app;
  ASSERT_TRUE(sealer->seal(ContentType::handshake, load("s3_new_session_ticket"), 0, app).ok());
  ASSERT_TRUE(
      sealer->seal(ContentType::application_data, load("s3_server_appdata_payload"), 0, app).ok());
  EXPECT_EQ(to_hex(ByteView(app).first(load("s3_server_ticket_record").size())),
            to_hex(load("s3_server_ticket_record")));
  EXPECT_EQ(to_hex(ByteView(app).subspan(load("s3_server_ticket_record").size())),
            to_hex(load("s3_server_appdata_record")));
  Bytes ticket = load("s3_server_ticket_record");
  auto t = open_one(*opener, ticket);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(to_hex(t->plaintext), to_hex(load("s3_new_session_ticket")));
  // A record under the old key no longer opens.
  Bytes stale = load("s3_server_handshake_record");
  EXPECT_FALSE(open_one(*opener, stale).ok());
}

TEST_F(ProtectionTest, Tls13ChaChaAndAes256KnownAnswers) {
  // Computed once with Python `cryptography` (ChaCha20Poly1305 / AESGCM):
  // key = 00 01 .. 1f, iv = 5b78923dee08579033e523d9, sequence number 2,
  // TLSInnerPlaintext = "hi" || 17 || 00 00, AAD = 17 03 03 00 15.
  struct Case {
    AeadAlgorithm alg;
    std::string_view record;
  };
  for (const Case& c :
       {Case{AeadAlgorithm::chacha20_poly1305,
             "17030300157e7bd4863462f8b2d3577b9940f65813eb6cf8bcca"},
        Case{AeadAlgorithm::aes_256_gcm, "1703030015dcc23f41194e744641c7f2694a13829847c3c15931"}}) {
    Bytes key = H("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    auto sealer = Tls13RecordProtection::create(*provider_, c.alg, key, H(kClientApIv));
    auto opener = Tls13RecordProtection::create(*provider_, c.alg, key, H(kClientApIv));
    ASSERT_TRUE(sealer.ok() && opener.ok());
    (*sealer)->set_sequence_number_for_testing(2);
    (*opener)->set_sequence_number_for_testing(2);
    Bytes out;
    ASSERT_TRUE((*sealer)->seal(ContentType::application_data, as_bytes_view("hi"), 2, out).ok());
    EXPECT_EQ(to_hex(out), c.record);
    auto o = open_one(**opener, out);
    ASSERT_TRUE(o.ok()) << o.error().to_string();
    EXPECT_EQ(std::string(o->plaintext.begin(), o->plaintext.end()), "hi");
  }
}

TEST_F(ProtectionTest, CreateChecksIvLength) {
  auto r = Tls13RecordProtection::create(*provider_, AeadAlgorithm::aes_128_gcm, H(kClientApKey),
                                         H("0011"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  auto r2 = Tls12AeadRecordProtection::create(*provider_, AeadAlgorithm::aes_128_gcm,
                                              H(kClientApKey), H(kClientApIv));  // 12, want 4
  ASSERT_FALSE(r2.ok());
  auto r3 = Tls12AeadRecordProtection::create(
      *provider_, AeadAlgorithm::chacha20_poly1305,
      H("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), H("01020304"));
  ASSERT_FALSE(r3.ok());
}

// ---------------------------------------------------------------------------
// TLS 1.2

struct Tls12Case {
  AeadAlgorithm alg;
  std::string_view key, iv;
};

const Tls12Case kGcm{AeadAlgorithm::aes_128_gcm, "000102030405060708090a0b0c0d0e0f", "a0a1a2a3"};
const Tls12Case kChaCha{AeadAlgorithm::chacha20_poly1305,
                        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
                        "070000004041424344454647"};

class Tls12ProtectionTest : public ProtectionTest {
 protected:
  std::unique_ptr<Tls12AeadRecordProtection> tls12(const Tls12Case& c) {
    auto r = Tls12AeadRecordProtection::create(*provider_, c.alg, H(c.key), H(c.iv));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? std::move(r).value() : nullptr;
  }
};

TEST_F(Tls12ProtectionTest, GcmRecordLayoutAndKnownAnswer) {
  auto sealer = tls12(kGcm);
  EXPECT_EQ(sealer->explicit_nonce_size(), 8u);
  sealer->set_sequence_number_for_testing(1);
  Bytes out;
  ASSERT_TRUE(
      sealer->seal(ContentType::application_data, as_bytes_view("hello, tls 1.2"), 0, out).ok());
  // header || explicit nonce (= sequence number 1) || ciphertext || tag
  ASSERT_EQ(out.size(), 5u + 8 + 14 + 16);
  EXPECT_EQ(to_hex(ByteView(out).first(13)),
            "170303002600000000000000"
            "01");
  // Known answer, computed once with Python `cryptography`:
  //   AESGCM(key).encrypt(nonce=a0a1a2a3||0000000000000001, b"hello, tls 1.2",
  //                       aad=0000000000000001||17||0303||000e)
  EXPECT_EQ(to_hex(ByteView(out).subspan(13)),
            "2e14709e03a85724eb1f6626f536c689f7589d465d4fa9f64a24af5163ae");

  auto opener = tls12(kGcm);
  opener->set_sequence_number_for_testing(1);
  auto opened = open_one(*opener, out);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(opened->type, ContentType::application_data);
  EXPECT_EQ(std::string(opened->plaintext.begin(), opened->plaintext.end()), "hello, tls 1.2");
}

TEST_F(Tls12ProtectionTest, ChaChaRecordLayoutAndKnownAnswer) {
  auto sealer = tls12(kChaCha);
  EXPECT_EQ(sealer->explicit_nonce_size(), 0u);
  sealer->set_sequence_number_for_testing(5);
  Bytes out;
  ASSERT_TRUE(sealer->seal(ContentType::handshake, as_bytes_view("chacha record"), 0, out).ok());
  // Known answer, computed once with Python `cryptography`:
  //   ChaCha20Poly1305(key).encrypt(nonce = iv XOR 00000000||0000000000000005,
  //                                 b"chacha record", aad=0000000000000005||16||0303||000d)
  EXPECT_EQ(to_hex(out),
            "160303001d"
            "0de063213adad6ad847e56265e068d1204d5e143f4e3a13155603c390d");
  auto opener = tls12(kChaCha);
  opener->set_sequence_number_for_testing(5);
  auto opened = open_one(*opener, out);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(opened->type, ContentType::handshake);
  EXPECT_EQ(std::string(opened->plaintext.begin(), opened->plaintext.end()), "chacha record");
}

TEST_F(Tls12ProtectionTest, RoundTripsAndTampering) {
  for (const Tls12Case* c : {&kGcm, &kChaCha}) {
    auto sealer = tls12(*c);
    auto opener = tls12(*c);
    Bytes records;
    Bytes big(kMaxPlaintext, 0x5a);
    ASSERT_TRUE(sealer->seal(ContentType::handshake, H("0100000401020304"), 0, records).ok());
    ASSERT_TRUE(sealer->seal(ContentType::application_data, big, 0, records).ok());
    ASSERT_TRUE(
        sealer->seal(ContentType::application_data, {}, 0, records).ok());  // empty is allowed
    ASSERT_TRUE(sealer->seal(ContentType::alert, H("0100"), 0, records).ok());
    EXPECT_EQ(sealer->sequence_number(), 4u);

    size_t off = 0;
    std::vector<std::pair<ContentType, Bytes>> got;
    while (off < records.size()) {
      size_t len = kHeaderSize + (size_t{records[off + 3]} << 8 | records[off + 4]);
      Bytes one(records.begin() + off, records.begin() + off + len);
      auto o = open_one(*opener, one);
      ASSERT_TRUE(o.ok()) << o.error().to_string();
      got.emplace_back(o->type, Bytes(o->plaintext.begin(), o->plaintext.end()));
      off += len;
    }
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0].first, ContentType::handshake);
    EXPECT_EQ(to_hex(got[0].second), "0100000401020304");
    EXPECT_EQ(got[1].second, big);
    EXPECT_TRUE(got[2].second.empty());
    EXPECT_EQ(got[3].first, ContentType::alert);

    // Tamper with every byte of a small record, header included: the type,
    // version and length all enter the AAD.
    auto s2 = tls12(*c);
    Bytes rec;
    ASSERT_TRUE(s2->seal(ContentType::application_data, H("00112233445566778899"), 0, rec).ok());
    for (size_t i = 0; i < rec.size(); ++i) {
      if (i == 3 || i == 4) continue;  // length: framing changes, tested via split_record
      Bytes t = rec;
      t[i] ^= 0x02;  // 23 -> 21 (alert) for the type byte: still a known type
      auto o2 = tls12(*c);
      Record r{static_cast<ContentType>(t[0]), static_cast<uint16_t>(t[1] << 8 | t[2]),
               MutableByteView(t).subspan(kHeaderSize)};
      auto res = o2->open(r);
      ASSERT_FALSE(res.ok()) << "byte " << i;
      EXPECT_EQ(res.error().code(), ErrorCode::bad_record_mac) << "byte " << i;
    }
  }
}

TEST_F(Tls12ProtectionTest, SizeAndShapeErrors) {
  auto opener = tls12(kGcm);
  Bytes tiny(8 + 15, 0);  // too short for explicit nonce + tag
  Record r{ContentType::application_data, 0x0303, MutableByteView(tiny)};
  auto res = opener->open(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), ErrorCode::bad_record_mac);

  Bytes big(kMaxCiphertext12 + 1, 0);
  Record over{ContentType::application_data, 0x0303, MutableByteView(big)};
  auto res2 = tls12(kGcm)->open(over);
  ASSERT_FALSE(res2.ok());
  EXPECT_EQ(res2.error().code(), ErrorCode::record_overflow);

  // An authentic record whose plaintext exceeds 2^14 -> record_overflow.
  auto aead = provider_->aead(AeadAlgorithm::aes_128_gcm, H(kGcm.key));
  ASSERT_TRUE(aead.ok());
  size_t n = kMaxPlaintext + 1;
  Bytes frag(8 + n + 16, 0x33);
  std::fill(frag.begin(), frag.begin() + 8, 0);  // explicit nonce = 0
  Bytes nonce = H("a0a1a2a30000000000000000");
  Bytes aad = H("0000000000000000170303");
  aad.push_back(static_cast<uint8_t>(n >> 8));
  aad.push_back(static_cast<uint8_t>(n));
  ASSERT_TRUE((*aead)
                  ->seal(nonce, aad, MutableByteView(frag).subspan(8, n),
                         MutableByteView(frag).subspan(8 + n, 16))
                  .ok());
  Record oversized{ContentType::application_data, 0x0303, MutableByteView(frag)};
  auto res3 = tls12(kGcm)->open(oversized);
  ASSERT_FALSE(res3.ok());
  EXPECT_EQ(res3.error().code(), ErrorCode::record_overflow);

  // Padding is a TLS 1.3 feature; oversized plaintext is the caller's bug.
  Bytes out;
  EXPECT_FALSE(tls12(kGcm)->seal(ContentType::application_data, H("00"), 1, out).ok());
  EXPECT_FALSE(
      tls12(kGcm)->seal(ContentType::application_data, Bytes(kMaxPlaintext + 1), 0, out).ok());
  EXPECT_TRUE(out.empty());
}

// RFC 5246 6.2.1: zero-length handshake, alert and change_cipher_spec
// fragments MUST NOT be sent. An authentic one (forged with the raw AEAD) is
// refused on receipt with unexpected_message; seal refuses to make one.
TEST_F(Tls12ProtectionTest, EmptyNonApplicationRecordsAreRefused) {
  for (ContentType type : {ContentType::handshake, ContentType::alert}) {
    auto aead = provider_->aead(AeadAlgorithm::aes_128_gcm, H(kGcm.key));
    ASSERT_TRUE(aead.ok());
    Bytes frag(8 + 16, 0);  // explicit nonce 0, then the tag of nothing
    Bytes aad = H("0000000000000000");
    aad.push_back(static_cast<uint8_t>(type));
    aad.insert(aad.end(), {0x03, 0x03, 0x00, 0x00});
    ASSERT_TRUE((*aead)
                    ->seal(H("a0a1a2a30000000000000000"), aad, MutableByteView(frag).first(0),
                           MutableByteView(frag).subspan(8, 16))
                    .ok());
    Record rec{type, 0x0303, MutableByteView(frag)};
    auto o = tls12(kGcm)->open(rec);
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.error().code(), ErrorCode::unexpected_message);
    EXPECT_EQ(o.error().alert(), AlertDescription::unexpected_message);

    auto sealer = tls12(kGcm);
    Bytes out;
    auto s = sealer->seal(type, {}, 0, out);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::internal_error);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(sealer->sequence_number(), 0u);  // nothing was sealed
  }
  // Application data may be empty.
  Bytes out;
  ASSERT_TRUE(tls12(kGcm)->seal(ContentType::application_data, {}, 0, out).ok());
  auto o = open_one(*tls12(kGcm), out);
  ASSERT_TRUE(o.ok()) << o.error().to_string();
  EXPECT_TRUE(o->plaintext.empty());
}

// RFC 8446 5.1: "even if those fragments contain padding" — TLS 1.3 seal
// refuses an empty handshake or alert record, padded or not (the receiving
// side is tested above with forged inner plaintexts).
TEST_F(ProtectionTest, Tls13SealRefusesEmptyNonApplicationRecords) {
  for (ContentType type : {ContentType::handshake, ContentType::alert}) {
    for (size_t pad : {size_t{0}, size_t{10}}) {
      auto sealer = tls13(kClientApKey, kClientApIv);
      Bytes out;
      auto s = sealer->seal(type, {}, pad, out);
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.error().code(), ErrorCode::internal_error);
      EXPECT_EQ(s.error().message(), "refusing to seal a zero-length " +
                                         std::string(content_type_name(type)) +
                                         " record (only application data may be empty)");
      EXPECT_TRUE(out.empty());
      EXPECT_EQ(sealer->sequence_number(), 0u);
    }
  }
}

}  // namespace
}  // namespace tessera::record

namespace tessera::record {
namespace {

// The content type is found after any padding, across the 8-byte word
// boundaries the constant-time scan works in, and zero bytes inside the
// content are kept.
TEST_F(ProtectionTest, Tls13ContentTypeFoundForEveryContentAndPaddingLength) {
  for (size_t len = 0; len <= 24; ++len) {
    for (size_t pad = 0; pad <= 24; ++pad) {
      Bytes content(len);
      for (size_t i = 0; i < len; ++i) content[i] = i % 3 == 0 ? 0 : static_cast<uint8_t>(i + 1);
      ContentType type = len == 0 ? ContentType::application_data : ContentType::handshake;
      auto sealer = tls13(kClientApKey, kClientApIv);
      Bytes rec;
      ASSERT_TRUE(sealer->seal(type, content, pad, rec).ok());
      auto opener = tls13(kClientApKey, kClientApIv);
      auto r = open_one(*opener, rec);
      ASSERT_TRUE(r.ok()) << "len " << len << " pad " << pad << ": " << r.error().to_string();
      EXPECT_EQ(r->type, type) << "len " << len << " pad " << pad;
      EXPECT_EQ(to_hex(r->plaintext), to_hex(content)) << "len " << len << " pad " << pad;
    }
  }
}

// The scan works in 128-byte chunks: content and padding lengths around the
// chunk boundaries (and a chunk of zero content before the type) are found
// exactly, up to the largest record.
TEST_F(ProtectionTest, Tls13ContentTypeFoundAcrossScanChunks) {
  const size_t lens[] = {1,   126, 127, 128, 129,  255,   256,   257,  383,
                         384, 385, 511, 512, 1000, 16256, 16383, 16384};
  const size_t pads[] = {0, 1, 126, 127, 128, 129, 255, 256, 257, 300};
  for (size_t len : lens) {
    for (size_t pad : pads) {
      if (len + 1 + pad > kMaxInnerPlaintext13) continue;
      Bytes content(len, 0);  // all zero but the first byte: zeros before the type are content
      content[0] = 0x42;
      auto sealer = tls13(kClientApKey, kClientApIv);
      Bytes rec;
      ASSERT_TRUE(sealer->seal(ContentType::alert, content, pad, rec).ok());
      auto opener = tls13(kClientApKey, kClientApIv);
      auto r = open_one(*opener, rec);
      ASSERT_TRUE(r.ok()) << "len " << len << " pad " << pad << ": " << r.error().to_string();
      EXPECT_EQ(r->type, ContentType::alert) << "len " << len << " pad " << pad;
      EXPECT_EQ(r->plaintext.size(), len) << "len " << len << " pad " << pad;
    }
  }
}

// Both forms of the constant-time scan (the portable one and, where the CPU
// has it, the AVX2 one open() uses) find the last non-zero byte exactly as a
// plain backwards search does, for every length up to 600 and around each
// chunk boundary (128 and 256 bytes) up to the largest inner plaintext, with
// the last non-zero byte at each position of interest and zeros before it.
TEST(ContentScan, BothFormsMatchABackwardsSearch) {
  std::vector<size_t> lens;
  for (size_t n = 0; n <= 600; ++n) lens.push_back(n);
  for (size_t b = 640; b <= kMaxInnerPlaintext13; b += 128) {
    for (size_t d : {b - 1, b, b + 1}) {
      if (d <= kMaxInnerPlaintext13) lens.push_back(d);
    }
  }
  lens.push_back(kMaxInnerPlaintext13);
  size_t checked = 0;
  for (size_t len : lens) {
    // Last non-zero byte at: none, 0, len-1, and around chunk edges.
    std::vector<size_t> where = {SIZE_MAX, 0, len - 1, len / 2, 127, 128, 255, 256, 257};
    for (size_t w : where) {
      if (len == 0 && w != SIZE_MAX) continue;
      if (w != SIZE_MAX && w >= len) continue;
      Bytes inner(len, 0);
      for (size_t i = 0; w != SIZE_MAX && i <= w; ++i) inner[i] = static_cast<uint8_t>(i % 5);
      if (w != SIZE_MAX) inner[w] = static_cast<uint8_t>(0x80 | (w & 0x7f));
      for (bool avx2 : {false, true}) {
        if (avx2 && !detail::content_scan_avx2_supported()) continue;
        auto r = detail::content_scan_for_testing(inner, avx2);
        ASSERT_EQ(r.found, w != SIZE_MAX) << "len " << len << " at " << w << " avx2 " << avx2;
        if (r.found) {
          ASSERT_EQ(r.pos, w) << "len " << len << " avx2 " << avx2;
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 4000u);
}

// seal_into builds the same record as seal, in the caller's span, and refuses
// (without using a sequence number) a span that is too short.
TEST_F(ProtectionTest, SealIntoMatchesSealAndChecksTheSpan) {
  Bytes data(3000, 0x61);
  for (bool v13 : {true, false}) {
    SCOPED_TRACE(v13 ? "TLS 1.3" : "TLS 1.2");
    std::unique_ptr<RecordProtection> a, b;
    if (v13) {
      a = tls13(kClientApKey, kClientApIv);
      b = tls13(kClientApKey, kClientApIv);
    } else {
      a = std::move(Tls12AeadRecordProtection::create(*provider_, AeadAlgorithm::aes_128_gcm,
                                                      H(kClientApKey), H("01020304"))
                        .value());
      b = std::move(Tls12AeadRecordProtection::create(*provider_, AeadAlgorithm::aes_128_gcm,
                                                      H(kClientApKey), H("01020304"))
                        .value());
    }
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    Bytes via_seal;
    ASSERT_TRUE(a->seal(ContentType::application_data, data, 0, via_seal).ok());
    size_t need = b->sealed_size(data.size(), 0);
    EXPECT_EQ(need, via_seal.size());
    Bytes out(need + 7, 0xee);
    auto short_out =
        b->seal_into(ContentType::application_data, data, 0, MutableByteView(out).first(need - 1));
    ASSERT_FALSE(short_out.ok());
    EXPECT_EQ(short_out.error().code(), ErrorCode::internal_error);
    EXPECT_EQ(b->sequence_number(), 0u);
    auto n = b->seal_into(ContentType::application_data, data, 0, out);
    ASSERT_TRUE(n.ok()) << n.error().to_string();
    EXPECT_EQ(*n, need);
    EXPECT_EQ(to_hex(ByteView(out).first(need)), to_hex(via_seal));
    EXPECT_EQ(out[need], 0xee);  // nothing written past the record
    EXPECT_EQ(b->sequence_number(), 1u);
  }
}

// open_into opens a record from a read-only fragment into the caller's
// buffer: the same type and plaintext as open() in place, the fragment left
// as it is, the same errors (a tampered record is bad_record_mac, uses no
// sequence number, and leaves no plaintext in the buffer), and a buffer too
// short for the fragment or overlapping it is internal_error.
TEST_F(ProtectionTest, OpenIntoMatchesOpenFromAReadOnlyFragment) {
  struct Case {
    bool v13;
    AeadAlgorithm alg;
    std::string_view key, iv;
  };
  const Case cases[] = {
      {true, AeadAlgorithm::aes_128_gcm, kClientApKey, kClientApIv},
      {true, AeadAlgorithm::chacha20_poly1305, kChaCha.key, kChaCha.iv},
      {false, AeadAlgorithm::aes_128_gcm, kGcm.key, kGcm.iv},
      {false, AeadAlgorithm::chacha20_poly1305, kChaCha.key, kChaCha.iv},
  };
  auto make = [&](const Case& c) -> std::unique_ptr<RecordProtection> {
    if (c.v13) {
      auto r = Tls13RecordProtection::create(*provider_, c.alg, H(c.key), H(c.iv));
      return r.ok() ? std::unique_ptr<RecordProtection>(std::move(r).value()) : nullptr;
    }
    auto r = Tls12AeadRecordProtection::create(*provider_, c.alg, H(c.key), H(c.iv));
    return r.ok() ? std::unique_ptr<RecordProtection>(std::move(r).value()) : nullptr;
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << (c.v13 ? "TLS 1.3 " : "TLS 1.2 ") << aead_name(c.alg));
    auto sealer = make(c), in_place = make(c), into = make(c);
    ASSERT_TRUE(sealer && in_place && into);
    for (size_t len : {size_t{0}, size_t{1}, size_t{200}, size_t{16384}}) {
      for (size_t pad : {size_t{0}, size_t{40}}) {
        if (!c.v13 && pad != 0) continue;
        if (len + 1 + pad > kMaxInnerPlaintext13) continue;
        Bytes content(len);
        for (size_t i = 0; i < len; ++i) content[i] = static_cast<uint8_t>(i * 7 + len);
        Bytes wire;
        ASSERT_TRUE(sealer->seal(ContentType::application_data, content, pad, wire).ok());
        const Bytes sent = wire;
        const RecordView view{ContentType::application_data, kRecordVersion,
                              ByteView(sent).subspan(kHeaderSize)};
        Bytes out(view.fragment.size() + 3, 0xee);
        auto got = into->open_into(view, out);
        ASSERT_TRUE(got.ok()) << got.error().to_string();
        auto want = open_one(*in_place, wire);
        ASSERT_TRUE(want.ok());
        EXPECT_EQ(got->type, want->type);
        EXPECT_EQ(to_hex(got->plaintext), to_hex(want->plaintext));
        EXPECT_EQ(to_hex(got->plaintext), to_hex(content));
        EXPECT_EQ(got->plaintext.data(), out.data());  // it views the caller's buffer
        EXPECT_EQ(into->sequence_number(), in_place->sequence_number());
      }
    }
    // Tampered: rejected like open(), no sequence number used, no plaintext.
    Bytes wire;
    ASSERT_TRUE(sealer->seal(ContentType::application_data, Bytes(300, 0x61), 0, wire).ok());
    Bytes bad = wire;
    bad[kHeaderSize + 20] ^= 0x01;
    const RecordView bad_view{ContentType::application_data, kRecordVersion,
                              ByteView(bad).subspan(kHeaderSize)};
    Bytes out(bad_view.fragment.size(), 0xee);
    const uint64_t seq = into->sequence_number();
    auto r = into->open_into(bad_view, out);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::bad_record_mac);
    EXPECT_EQ(r.error().alert(), AlertDescription::bad_record_mac);
    EXPECT_EQ(into->sequence_number(), seq);
    EXPECT_EQ(std::count(out.begin(), out.end(), 0x61), 0) << "plaintext left in the buffer";
    // A buffer too short, or overlapping the fragment: internal_error, and
    // the record still opens afterwards.
    const RecordView view{ContentType::application_data, kRecordVersion,
                          ByteView(wire).subspan(kHeaderSize)};
    Bytes short_out(view.fragment.size() - 1);
    auto s1 = into->open_into(view, short_out);
    ASSERT_FALSE(s1.ok());
    EXPECT_EQ(s1.error().code(), ErrorCode::internal_error);
    Bytes copy = wire;
    auto s2 = into->open_into(RecordView{ContentType::application_data, kRecordVersion,
                                         ByteView(copy).subspan(kHeaderSize)},
                              MutableByteView(copy).subspan(kHeaderSize - 1, view.fragment.size()));
    ASSERT_FALSE(s2.ok());
    EXPECT_EQ(s2.error().code(), ErrorCode::internal_error);
    EXPECT_EQ(into->sequence_number(), seq);
    auto fine = into->open_into(view, out);
    ASSERT_TRUE(fine.ok()) << fine.error().to_string();
    EXPECT_EQ(to_hex(fine->plaintext), to_hex(Bytes(300, 0x61)));
  }
}

}  // namespace
}  // namespace tessera::record
