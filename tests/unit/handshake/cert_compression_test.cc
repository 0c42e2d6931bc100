// RFC 8879 certificate compression codecs: round trips on a real chain,
// known answers from other encoders (python's zlib, the zstd CLI, streams
// assembled by hand from RFC 7932 / RFC 1951 / RFC 8478), and every way a
// peer's compressed_certificate_message can be wrong, decompression bombs
// included.
#include "handshake/cert_compression.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/hex.h"
#include "wire/certificate.h"
#include "x509/pem.h"

namespace tessera::handshake {
namespace {

using CC = CertCompression;

std::string name_of(CC alg) { return cert_compression_name(static_cast<uint16_t>(alg)); }

Bytes hex(std::string_view s) {
  auto b = from_hex(s);
  EXPECT_TRUE(b.has_value()) << s;
  return b.value_or(Bytes{});
}

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

// A TLS 1.3 Certificate body (RFC 8446 4.4.2) carrying the test PKI's nine
// certificates, as a server would send it: 4060 bytes.
Bytes chain_body() {
  static const char* const kFiles[] = {
      "server-rsa.pem",   "server-ec.pem", "server-p384.pem", "server-ed25519.pem",
      "server-other.pem", "client-ec.pem", "ca.pem",          "rogue-ca.pem",
      "rogue-client.pem",
  };
  ByteWriter w;
  w.u8(0);  // certificate_request_context: empty
  w.prefixed(3, [&](ByteWriter& list) {
    for (const char* f : kFiles) {
      std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/pki/" + f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      auto ders = x509::pem_decode_label(ss.str(), "CERTIFICATE");
      EXPECT_TRUE(ders.ok() && ders->size() == 1) << f;
      if (!ders.ok()) continue;
      for (const Bytes& der : *ders) {
        list.prefixed_bytes(3, der);  // cert_data
        list.u16(0);                  // extensions: none
      }
    }
  });
  auto body = std::move(w).finish();
  EXPECT_TRUE(body.ok());
  return body.ok() ? *body : Bytes{};
}

// expect_bad checks a decompression failure: cert_parse, the bad_certificate
// alert (RFC 8879 4), and a message naming the algorithm and the fault.
void expect_bad(const Result<Bytes>& r, CC alg, std::string_view fault) {
  ASSERT_FALSE(r.ok()) << "decompressed " << r->size() << " bytes";
  EXPECT_EQ(r.error().code(), ErrorCode::cert_parse) << r.error().to_string();
  EXPECT_EQ(r.error().alert(), AlertDescription::bad_certificate) << r.error().to_string();
  const std::string& m = r.error().message();
  EXPECT_NE(m.find("CompressedCertificate (" + name_of(alg) + "): "), std::string::npos) << m;
  EXPECT_NE(m.find(fault), std::string::npos) << m << "\n  does not say: " << fault;
}

// --- streams built by hand from the format specifications ------------------------

// BitWriter packs RFC 1951 3.1.1 bit streams: fields LSB first, Huffman codes
// MSB first.
struct BitWriter {
  Bytes out;
  uint32_t acc = 0;
  int n = 0;
  void put(uint32_t bit) {
    acc |= bit << n;
    if (++n == 8) flush();
  }
  void code(uint32_t c, int len) {
    for (int i = len - 1; i >= 0; --i) put((c >> i) & 1);
  }
  void bits(uint32_t v, int len) {
    for (int i = 0; i < len; ++i) put((v >> i) & 1);
  }
  void flush() {
    if (n) out.push_back(static_cast<uint8_t>(acc));
    acc = 0;
    n = 0;
  }
};

// zlib_zeros is an RFC 1950 stream of n (>= 1) zero bytes: one fixed-Huffman
// deflate block (RFC 1951 3.2.6) with a literal 0 and then copies of 258
// bytes at distance 1, ~13 bits per 258 bytes.
Bytes zlib_zeros(size_t n) {
  BitWriter w;
  w.out = {0x78, 0x01};  // CM 8, CINFO 7 (32 KiB window), FCHECK; no FDICT
  w.bits(1, 1);          // BFINAL
  w.bits(1, 2);          // BTYPE 01: fixed Huffman codes
  w.code(0x30, 8);       // literal 0
  size_t left = n - 1;
  for (; left >= 258; left -= 258) {
    w.code(0xC5, 8);  // length code 285: 258
    w.code(0, 5);     // distance code 0: 1
  }
  for (; left > 0; --left) w.code(0x30, 8);
  w.code(0, 7);  // end of block (256)
  w.flush();
  // RFC 1950 2.2: ADLER32 of n zeros is s2 = n mod 65521, s1 = 1.
  const uint32_t adler = static_cast<uint32_t>(n % 65521) << 16 | 1;
  for (int shift = 24; shift >= 0; shift -= 8)
    w.out.push_back(static_cast<uint8_t>(adler >> shift));
  return w.out;
}

// zstd_zeros is one RFC 8478 frame of `blocks` RLE blocks of 128 KiB zeros:
// with a Frame_Content_Size (single segment) when `content_size` is given,
// else with a window of 2^window_log.
Bytes zstd_zeros(size_t blocks, std::optional<uint32_t> content_size, int window_log = 17) {
  Bytes f = {0x28, 0xB5, 0x2F, 0xFD};  // Magic_Number 0xFD2FB528
  if (content_size) {
    f.push_back(0xA0);  // FCS_Field_Size 4 bytes, Single_Segment_flag
    for (int i = 0; i < 4; ++i) f.push_back(static_cast<uint8_t>(*content_size >> (8 * i)));
  } else {
    f.push_back(0x00);  // no FCS, no checksum, no dictionary
    f.push_back(static_cast<uint8_t>((window_log - 10) << 3));  // Window_Descriptor: exponent
  }
  for (size_t i = 0; i < blocks; ++i) {
    // Block_Header: Last_Block, Block_Type 1 (RLE), Block_Size 128 KiB.
    const uint32_t h = (131072u << 3) | (1u << 1) | (i + 1 == blocks ? 1u : 0u);
    f.insert(f.end(), {static_cast<uint8_t>(h), static_cast<uint8_t>(h >> 8),
                       static_cast<uint8_t>(h >> 16), 0x00});  // and the byte to repeat
  }
  return f;
}

// brotli_stored is an RFC 7932 stream holding `data` (1..65536 bytes) in one
// uncompressed meta-block, then an empty last one.
Bytes brotli_stored(ByteView data) {
  BitWriter w;
  w.bits(0, 1);                           // WBITS: 16 (9.1)
  w.bits(0, 1);                           // ISLAST: 0 (9.2)
  w.bits(0, 2);                           // MNIBBLES: 4
  w.bits(uint32_t(data.size() - 1), 16);  // MLEN - 1
  w.bits(1, 1);                           // ISUNCOMPRESSED; then zero bits to the byte boundary
  w.flush();
  w.out.insert(w.out.end(), data.begin(), data.end());
  w.bits(1, 1);  // ISLAST
  w.bits(1, 1);  // ISLASTEMPTY
  w.flush();
  return w.out;
}

// --- per algorithm ---------------------------------------------------------------

class CertCompressionCodec : public ::testing::TestWithParam<CC> {
 protected:
  void SetUp() override {
    if (!cert_compression_available(GetParam())) GTEST_SKIP() << "built without compression";
    body_ = chain_body();
    ASSERT_EQ(body_.size(), 4060u);
    auto packed = compress_certificate_message(GetParam(), body_);
    ASSERT_TRUE(packed.ok()) << packed.error().to_string();
    packed_ = *packed;
  }
  Result<Bytes> decompress(ByteView in, size_t n) {
    return decompress_certificate_message(GetParam(), static_cast<uint32_t>(n), in);
  }
  Bytes body_, packed_;
};

TEST_P(CertCompressionCodec, RoundTripsARealChain) {
  auto out = decompress(packed_, body_.size());
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, body_);
  auto parsed = wire::Certificate13::parse(*out);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->certificate_list.size(), 9u);
}

TEST_P(CertCompressionCodec, ShrinksARealChain) {
  // Measured: zlib 2344, brotli 2264, zstd 2287 of 4060 bytes (56-58%).
  EXPECT_LT(packed_.size(), body_.size() * 62 / 100) << packed_.size() << " of " << body_.size();
}

TEST_P(CertCompressionCodec, RoundTripsLargerInput) {
  // 64 KiB of words from a small vocabulary: several deflate blocks, zstd
  // blocks and brotli meta-blocks.
  static const char* const kWords[] = {"issuer", "subject", "validity", "extension",
                                       "ecdsa",  "rsa",     "sha256",   "critical"};
  Bytes in;
  uint32_t x = 12345;
  while (in.size() < 65536) {
    x = x * 1103515245 + 12345;
    const char* word = kWords[(x >> 16) % 8];
    in.insert(in.end(), word, word + std::char_traits<char>::length(word));
    in.push_back(static_cast<uint8_t>(' ' + (x >> 28)));
  }
  auto packed = compress_certificate_message(GetParam(), in);
  ASSERT_TRUE(packed.ok()) << packed.error().to_string();
  EXPECT_LT(packed->size(), in.size() / 2);
  auto out = decompress(*packed, in.size());
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, in);
}

TEST_P(CertCompressionCodec, AnnouncedLengthTooSmall) {
  // RFC 8879 5: the output is limited to uncompressed_length.
  expect_bad(decompress(packed_, body_.size() - 1), GetParam(), "more than the announced 4059");
  expect_bad(decompress(packed_, 1), GetParam(), "more than the announced 1 ");
}

TEST_P(CertCompressionCodec, AnnouncedLengthTooLarge) {
  // RFC 8879 4: the length after decompression must match.
  expect_bad(decompress(packed_, body_.size() + 1), GetParam(),
             "ends after 4060 of the announced 4061 bytes");
}

TEST_P(CertCompressionCodec, AnnouncedLengthZero) {
  expect_bad(decompress(packed_, 0), GetParam(), "uncompressed_length of 0");
}

TEST_P(CertCompressionCodec, AnnouncedLengthAboveUint24) {
  expect_bad(decompress(packed_, 0x1000000), GetParam(), "above 2^24-1");
}

TEST_P(CertCompressionCodec, EmptyInput) {
  expect_bad(decompress({}, body_.size()), GetParam(), "compressed_certificate_message is empty");
}

TEST_P(CertCompressionCodec, TrailingBytes) {
  for (const Bytes& extra : {Bytes{0x00}, Bytes{0x03}, Bytes(6, 0)}) {
    Bytes in = packed_;
    in.insert(in.end(), extra.begin(), extra.end());
    expect_bad(decompress(in, body_.size()), GetParam(),
               std::to_string(extra.size()) + " trailing bytes after the end");
  }
  // The stream twice: zstd data may be several frames (RFC 8478 3), so there
  // the second frame is more output than announced.
  Bytes twice = packed_;
  twice.insert(twice.end(), packed_.begin(), packed_.end());
  expect_bad(decompress(twice, body_.size()), GetParam(),
             GetParam() == CC::zstd ? "more than the announced 4060 bytes"
                                    : std::to_string(packed_.size()) + " trailing bytes");
}

TEST_P(CertCompressionCodec, Truncated) {
  for (size_t keep : {size_t{1}, packed_.size() / 2, packed_.size() - 1}) {
    auto r = decompress(ByteView(packed_).first(keep), body_.size());
    ASSERT_FALSE(r.ok()) << "kept " << keep;
    EXPECT_EQ(r.error().code(), ErrorCode::cert_parse);
    EXPECT_EQ(r.error().alert(), AlertDescription::bad_certificate);
  }
  // Half a stream stops within the chain: named as ending early.
  expect_bad(decompress(ByteView(packed_).first(packed_.size() / 2), body_.size()), GetParam(),
             "ends after ");
}

TEST_P(CertCompressionCodec, EveryBitFlipFailsCleanlyOrKeepsTheLength) {
  // Neither brotli nor zstd (as compressed here) carries a checksum, so a
  // flipped bit may decode to other bytes of the right length; anything
  // else must be a clean bad_certificate.
  int failed = 0;
  for (size_t i = 0; i < packed_.size(); ++i) {
    Bytes in = packed_;
    in[i] ^= static_cast<uint8_t>(1u << (i % 8));
    auto r = decompress(in, body_.size());
    if (r.ok()) {
      EXPECT_EQ(r->size(), body_.size());
      continue;
    }
    ++failed;
    EXPECT_EQ(r.error().code(), ErrorCode::cert_parse) << i << ": " << r.error().to_string();
    EXPECT_EQ(r.error().alert(), AlertDescription::bad_certificate) << i;
  }
  EXPECT_GT(failed, 0);
}

TEST_P(CertCompressionCodec, OtherAlgorithmsDataIsRefused) {
  for (CC other : {CC::zlib, CC::brotli, CC::zstd}) {
    if (other == GetParam()) continue;
    auto packed = compress_certificate_message(other, body_);
    ASSERT_TRUE(packed.ok());
    auto r = decompress(*packed, body_.size());
    ASSERT_FALSE(r.ok()) << name_of(other) << " data decoded as " << name_of(GetParam());
    EXPECT_EQ(r.error().alert(), AlertDescription::bad_certificate);
  }
}

INSTANTIATE_TEST_SUITE_P(CertCompression, CertCompressionCodec,
                         ::testing::Values(CC::zlib, CC::brotli, CC::zstd),
                         [](const auto& param_info) { return name_of(param_info.param); });

// --- known answers ---------------------------------------------------------------

class CertCompressionKnownAnswer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cert_compression_available(CC::zlib)) GTEST_SKIP() << "built without compression";
  }
  // "tessera RFC 8879 known answer. " four times: 124 bytes.
  const Bytes expected_ = text(
      "tessera RFC 8879 known answer. tessera RFC 8879 known answer. "
      "tessera RFC 8879 known answer. tessera RFC 8879 known answer. ");
};

TEST_F(CertCompressionKnownAnswer, ZlibFromPython) {
  // python3 -c 'import zlib; print(zlib.compress(b"tessera RFC 8879 known answer. "*4, 9).hex())'
  const Bytes in =
      hex("78da2b492d2e4e2d4a5408727356b0b030b754c8cecb2fcf5348cc2b2e4f2dd25328a1a534000af028f5");
  auto out = decompress_certificate_message(CC::zlib, 124, in);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, expected_);
}

TEST_F(CertCompressionKnownAnswer, ZlibRejectsRawDeflateAndGzip) {
  // RFC 8879 4: the zlib format (RFC 1950), not raw deflate (RFC 1951) or gzip (RFC 1952).
  const Bytes zlib =
      hex("78da2b492d2e4e2d4a5408727356b0b030b754c8cecb2fcf5348cc2b2e4f2dd25328a1a534000af028f5");
  const Bytes raw(zlib.begin() + 2, zlib.end() - 4);
  expect_bad(decompress_certificate_message(CC::zlib, 124, raw), CC::zlib, "corrupt data");
  // python3 gzip.compress(..., 9, mtime=0): the same deflate data in a gzip wrapper.
  const Bytes gz =
      hex("1f8b08000000000002ff2b492d2e4e2d4a5408727356b0b030b754c8cecb2fcf5348cc2b2e4f2dd25328a1a5"
          "34006a56ceb27c000000");
  expect_bad(decompress_certificate_message(CC::zlib, 124, gz), CC::zlib, "corrupt data");
}

TEST_F(CertCompressionKnownAnswer, ZlibCorruptions) {
  const Bytes good =
      hex("78da2b492d2e4e2d4a5408727356b0b030b754c8cecb2fcf5348cc2b2e4f2dd25328a1a534000af028f5");
  Bytes header = good;
  header[1] ^= 1;  // RFC 1950 2.2: FCHECK no longer makes CMF*256+FLG a multiple of 31
  expect_bad(decompress_certificate_message(CC::zlib, 124, header), CC::zlib,
             "corrupt data: incorrect header check");
  Bytes adler = good;
  adler.back() ^= 1;
  expect_bad(decompress_certificate_message(CC::zlib, 124, adler), CC::zlib,
             "corrupt data: incorrect data check");
  Bytes dict = {0x78, 0xBB, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00};  // FDICT set, DICTID 1
  expect_bad(decompress_certificate_message(CC::zlib, 124, dict), CC::zlib, "preset dictionary");
}

TEST_F(CertCompressionKnownAnswer, ZstdFromTheCli) {
  // printf '...' | zstd -19 --no-check | xxd -p (zstd 1.5.4): a frame without
  // a content size, with the 8 MiB window of level 19, the most we accept.
  const Bytes in =
      hex("28b52ffd0068350100f874657373657261205246432038383739206b6e6f776e20616e737765722e2001"
          "00ab989413");
  auto out = decompress_certificate_message(CC::zstd, 124, in);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, expected_);
}

TEST_F(CertCompressionKnownAnswer, ZstdSeveralFrames) {
  // RFC 8478 3: Zstandard data is one or more frames. printf 'hello, ' |
  // zstd -19 --no-check, then printf 'world' | zstd -3 (with a checksum).
  const Bytes hello = hex("28b52ffd006839000068656c6c6f2c20");
  const Bytes world = hex("28b52ffd0458290000776f726c64ef51ee66");
  Bytes in = hello;
  in.insert(in.end(), world.begin(), world.end());
  auto out = decompress_certificate_message(CC::zstd, 12, in);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, text("hello, world"));
  // The checksum is checked.
  Bytes bad_sum = in;
  bad_sum.back() ^= 1;
  expect_bad(decompress_certificate_message(CC::zstd, 12, bad_sum), CC::zstd, "corrupt data");
  // Each frame counts against the announced length.
  expect_bad(decompress_certificate_message(CC::zstd, 11, in), CC::zstd,
             "decompressed to more than the announced 11 bytes");
}

TEST_F(CertCompressionKnownAnswer, ZstdLargeWindowNeedsNoWindowBuffer) {
  // printf 'hi' | zstd --ultra -22 --no-check | xxd -p: Window_Descriptor
  // 0x88, a 128 MiB window, for two bytes. Decoded in one shot into the
  // 2-byte output (which is the decoder's window), it needs no buffer of its
  // own: accepted, like the same frame with an 8 MiB window (exponent 13).
  for (const char* frame : {"28b52ffd00881100006869", "28b52ffd00681100006869"}) {
    auto out = decompress_certificate_message(CC::zstd, 2, hex(frame));
    ASSERT_TRUE(out.ok()) << frame << ": " << out.error().to_string();
    EXPECT_EQ(*out, text("hi"));
  }
}

TEST_F(CertCompressionKnownAnswer, ZstdOnlyRfc8478Frames) {
  // The same two-byte frame with the magic numbers of zstd v0.7 and v0.5
  // (before RFC 8478): libzstd would hand them to its legacy decoders; we
  // refuse them before it sees them.
  for (const char* legacy : {"27b52ffd00681100006869", "25b52ffd00681100006869"}) {
    expect_bad(decompress_certificate_message(CC::zstd, 2, hex(legacy)), CC::zstd,
               "not a zstd frame (magic number 0xfd2fb52");
  }
  // RFC 8478 3.1.2: a skippable frame (magic 0x184D2A5?, a 4-byte size, that
  // many bytes) before the data frame is allowed and produces nothing.
  auto out = decompress_certificate_message(CC::zstd, 2,
                                            hex("502a4d1803000000abcdef"
                                                "28b52ffd00681100006869"));
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, text("hi"));
  // After a whole frame, a legacy magic number is trailing data.
  expect_bad(decompress_certificate_message(CC::zstd, 2,
                                            hex("28b52ffd00681100006869"
                                                "27b52ffd00")),
             CC::zstd, "5 trailing bytes after the end");
}

TEST_F(CertCompressionKnownAnswer, ZstdReservedBlockTypeIsCorrupt) {
  Bytes in = hex("28b52ffd00681100006869");
  in[6] |= 0x06;  // RFC 8478 3.1.1.2: Block_Type 3 is reserved
  expect_bad(decompress_certificate_message(CC::zstd, 2, in), CC::zstd, "corrupt data");
  expect_bad(decompress_certificate_message(CC::zstd, 2, text("not zstd")), CC::zstd,
             "not a zstd frame");
}

TEST_F(CertCompressionKnownAnswer, BrotliAssembledByHand) {
  // RFC 7932 9.1, 9.2: WBITS 16; a meta-block of MLEN 124, ISUNCOMPRESSED;
  // the data; then ISLAST, ISLASTEMPTY.
  const Bytes in = brotli_stored(expected_);
  ASSERT_EQ(to_hex(ByteView(in).first(3)), "b00710");
  ASSERT_EQ(in.back(), 0x03);
  auto out = decompress_certificate_message(CC::brotli, 124, in);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, expected_);
  // The padding to the byte boundary must be zero (RFC 7932 9.2).
  Bytes pad = in;
  pad[2] |= 0x20;
  expect_bad(decompress_certificate_message(CC::brotli, 124, pad), CC::brotli, "corrupt data");
  // The ISLASTEMPTY meta-block is the end: without it the stream is cut short.
  expect_bad(decompress_certificate_message(CC::brotli, 124, ByteView(in).first(in.size() - 1)),
             CC::brotli, "ends after 124 of the announced 124 bytes");
}

TEST_F(CertCompressionKnownAnswer, BrotliFromLibbrotli) {
  // libbrotlienc 1.0.9, BrotliEncoderCompress(quality 11, lgwin 10, generic).
  const Bytes in =
      hex("a1d803c0ef4cb0635c1057aa46f71ac7488a4e82dce434c890dc9c2c0b9b4b4216422c5de0e4a8de2b52a0b5"
          "1b683b");
  auto out = decompress_certificate_message(CC::brotli, 124, in);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, expected_);
}

// --- decompression bombs ---------------------------------------------------------

class CertCompressionBomb : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cert_compression_available(CC::zlib)) GTEST_SKIP() << "built without compression";
  }
  static constexpr uint32_t k16MiB = 16u << 20;
};

TEST_F(CertCompressionBomb, ZlibSixteenMiBOfZeros) {
  // The builder makes valid streams: a small one decodes in full.
  auto small = decompress_certificate_message(CC::zlib, 100000, zlib_zeros(100000));
  ASSERT_TRUE(small.ok()) << small.error().to_string();
  EXPECT_EQ(*small, Bytes(100000, 0));
  // 16 MiB of zeros in ~104 KiB, announced as 1000 bytes.
  const Bytes bomb = zlib_zeros(k16MiB);
  ASSERT_LT(bomb.size(), 110000u);
  expect_bad(decompress_certificate_message(CC::zlib, 1000, bomb), CC::zlib,
             "decompressed to more than the announced 1000 bytes");
}

TEST_F(CertCompressionBomb, ZstdSixteenMiBOfZeros) {
  // The builder makes valid frames: two blocks decode in full.
  auto small = decompress_certificate_message(CC::zstd, 262144, zstd_zeros(2, std::nullopt));
  ASSERT_TRUE(small.ok()) << small.error().to_string();
  EXPECT_EQ(*small, Bytes(262144, 0));
  // 128 RLE blocks (16 MiB) in 518 bytes, no content size: refused once the
  // 1000 bytes are out.
  const Bytes bomb = zstd_zeros(128, std::nullopt);
  ASSERT_EQ(bomb.size(), 518u);
  expect_bad(decompress_certificate_message(CC::zstd, 1000, bomb), CC::zstd,
             "decompressed to more than the announced 1000 bytes");
  // With its content size in the frame header: refused before decoding.
  expect_bad(decompress_certificate_message(CC::zstd, 1000, zstd_zeros(128, k16MiB)), CC::zstd,
             "a frame declares 16777216 bytes of content, more than the announced 1000");
}

TEST_F(CertCompressionBomb, BrotliSixteenMiBOfZeros) {
  // libbrotlienc 1.0.9, BrotliEncoderCompress(quality 5, lgwin 24) of
  // 2^24-1 zeros (the most a Certificate can be): 14 bytes, one meta-block.
  const Bytes bomb = hex("9ffeffff002400e2b14070efff01");
  // Announced as 1000 bytes, the decoder may not even allocate a ring buffer
  // for the meta-block.
  expect_bad(decompress_certificate_message(CC::brotli, 1000, bomb), CC::brotli,
             "a meta-block longer than the announced 1000 bytes (decoder memory limit)");
  // The same encoder's 1 MiB of zeros (lgwin 24): its ring buffer is within
  // the decoder's fixed allowance, so announced as 1000 bytes it is refused
  // by the output bound; announced as what it is, it decodes.
  const Bytes mib = hex("5fffff0f4002201e0b24f7fe01");
  expect_bad(decompress_certificate_message(CC::brotli, 1000, mib), CC::brotli,
             "decompressed to more than the announced 1000 bytes");
  auto full = decompress_certificate_message(CC::brotli, 1u << 20, mib);
  ASSERT_TRUE(full.ok()) << full.error().to_string();
  EXPECT_EQ(*full, Bytes(1u << 20, 0));
}

// --- availability ----------------------------------------------------------------

TEST(CertCompressionAvailability, AllOrNone) {
  const bool zlib = cert_compression_available(CC::zlib);
  EXPECT_EQ(cert_compression_available(CC::brotli), zlib);
  EXPECT_EQ(cert_compression_available(CC::zstd), zlib);
  if (zlib) return;
  // Built with -DTESSERA_CERT_COMPRESSION=OFF: the stubs say so.
  auto r = compress_certificate_message(CC::brotli, text("abc"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  EXPECT_NE(r.error().message().find("built without certificate compression"), std::string::npos);
}

TEST(CertCompressionAvailability, UnknownAlgorithmIsInternalError) {
  const CC nine = static_cast<CC>(9);
  EXPECT_FALSE(cert_compression_available(nine));
  for (const Result<Bytes>& r : {compress_certificate_message(nine, text("abc")),
                                 decompress_certificate_message(nine, 3, text("abc"))}) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::internal_error) << r.error().to_string();
    EXPECT_EQ(r.error().alert(), AlertDescription::internal_error);
    EXPECT_NE(r.error().message().find("0x0009"), std::string::npos) << r.error().message();
  }
}

TEST(CertCompressionAvailability, CompressingNothingIsInternalError) {
  if (!cert_compression_available(CC::zlib)) GTEST_SKIP() << "built without compression";
  for (CC alg : {CC::zlib, CC::brotli, CC::zstd}) {
    auto r = compress_certificate_message(alg, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
  }
}

}  // namespace
}  // namespace tessera::handshake
