#include "record/protection.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <string>

#include "base/ct.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TESSERA_SCAN_AVX2 1
#else
#define TESSERA_SCAN_AVX2 0
#endif

namespace tessera::record {

namespace {

constexpr size_t kTag = crypto::Aead::kTagSize;
constexpr size_t kNonce = crypto::Aead::kNonceSize;

// The nonce, AAD and header of a record are fixed-size and built on the stack
// so that sealing and opening do not allocate.
// to_be64 is v in network byte order as it sits in memory. One byte swap
// and one 8-byte store: the byte-at-a-time form, read back as a word by
// xor_sequence_into, stalled store-to-load forwarding (~1% of the bulk path).
inline uint64_t to_be64(uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(v);
  return v;
}

void store_be64(uint64_t v, uint8_t* out) {
  const uint64_t be = to_be64(v);
  std::memcpy(out, &be, sizeof be);
}

void store_be16(uint16_t v, uint8_t* out) {
  out[0] = static_cast<uint8_t>(v >> 8);
  out[1] = static_cast<uint8_t>(v);
}

// xor_sequence_into computes RFC 8446 5.3 / RFC 7905 2: the 64-bit sequence
// number in network byte order, left-padded with zeros to the IV length,
// XORed with the IV.
void xor_sequence_into(ByteView iv, uint64_t seq, uint8_t* nonce) {
  std::memcpy(nonce, iv.data(), kNonce - 8);
  uint64_t tail;
  std::memcpy(&tail, iv.data() + kNonce - 8, sizeof tail);
  tail ^= to_be64(seq);
  std::memcpy(nonce + kNonce - 8, &tail, sizeof tail);
}

Error mac_error(uint64_t seq, const Error& cause) {
  if (cause.code() != ErrorCode::bad_record_mac) return cause;
  return Error(ErrorCode::bad_record_mac, AlertDescription::bad_record_mac,
               "record " + std::to_string(seq) +
                   " failed AEAD authentication (wrong keys, or the record was altered)");
}

Error empty_fragment_error(ContentType type) {
  // RFC 8446 5.1 / RFC 5246 6.2.1: "Implementations MUST NOT send
  // zero-length fragments of Handshake [, Alert, or ChangeCipherSpec]
  // content types."
  return Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
               "zero-length " + std::string(content_type_name(type)) + " record");
}

// refuse_empty_send is the sending side of the same rule (RFC 8446 5.1:
// "even if those fragments contain padding"; RFC 5246 6.2.1): only
// application data may be sealed empty. The engine never asks for such a
// record; a caller that does has a bug, reported before anything is sealed.
Result<void> refuse_empty_send(ContentType type, ByteView content) {
  if (!content.empty() || type == ContentType::application_data) return ok();
  return Error(ErrorCode::internal_error, "refusing to seal a zero-length " +
                                              std::string(content_type_name(type)) +
                                              " record (only application data may be empty)");
}

// find_content_type locates the last non-zero byte of a TLSInnerPlaintext
// (RFC 8446 5.4: the content type, after which only zero padding follows) in
// time that depends only on `len`, not on the padding length or the data:
// no branch and no memory address depends on the bytes. Three passes, over
// 16-byte vectors (GCC/Clang vector extensions: SSE2 on x86-64, NEON on
// AArch64, plain words elsewhere):
//  1. OR each 128-byte chunk down to one vector; remember with masks the
//     index of the last chunk that is not all zero;
//  2. read every chunk again and keep (masked) the one with that index, so its
//     position does not show in which memory is touched;
//  3. find the last non-zero byte in those 128 bytes, with masks.
// (The previous form, a masked select per 32 bytes in scalar words, cost
// ~9% of the bulk receive path.)
struct ContentScan {
  uint64_t found = 0;  // all ones if a non-zero byte exists, else 0
  size_t pos = 0;      // its index (0 when none)
};

using U64x2 = uint64_t __attribute__((vector_size(16)));
constexpr size_t kScanChunk = 128;
constexpr size_t kScanVectors = kScanChunk / sizeof(U64x2);

inline uint64_t nonzero_mask(uint64_t x) { return 0 - ((x | (0 - x)) >> 63); }

inline U64x2 load_vector(const uint8_t* p) {
  U64x2 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// or_chunk ORs the 128 bytes at p down to one word.
inline uint64_t or_chunk(const uint8_t* p) {
  U64x2 a = load_vector(p), b = load_vector(p + 16), c = load_vector(p + 32),
        d = load_vector(p + 48);
  a |= load_vector(p + 64);
  b |= load_vector(p + 80);
  c |= load_vector(p + 96);
  d |= load_vector(p + 112);
  a |= b | c | d;
  return a[0] | a[1];
}

// last_nonzero_in_chunk is the index of the last non-zero byte of the chunk
// (0 when none), with masks. The chunk's offset is added by the caller, after
// the loop: with `last_chunk * kScanChunk + j` inside it, g++ 12 -O2
// strength-reduces the loop counter to start at that (secret) offset, so the
// loop bound and the load address become secret-derived (caught by the
// constant-time check, tests/ct).
inline uint64_t last_nonzero_in_chunk(const uint8_t* bytes) {
  uint64_t in_chunk = 0;
  for (size_t j = 0; j < kScanChunk; ++j) {
    const uint64_t nz = nonzero_mask(bytes[j]);
    in_chunk = (in_chunk & ~nz) | (static_cast<uint64_t>(j) & nz);
  }
  return in_chunk;
}

ContentScan find_content_type(const uint8_t* data, size_t len) {
  const size_t full = len / kScanChunk;
  const size_t tail_len = len - full * kScanChunk;
  // The short last chunk is zero-padded (its length is public: the record
  // length).
  alignas(16) uint8_t tail[kScanChunk] = {};
  if (tail_len != 0) std::memcpy(tail, data + full * kScanChunk, tail_len);
  const size_t chunks = full + (tail_len != 0 ? 1 : 0);
  auto chunk_at = [&](size_t c) { return c < full ? data + c * kScanChunk : tail; };

  uint64_t found = 0;
  uint64_t last_chunk = 0;
  for (size_t c = 0; c < chunks; ++c) {
    const uint64_t nz = nonzero_mask(or_chunk(chunk_at(c)));
    last_chunk = (last_chunk & ~nz) | (static_cast<uint64_t>(c) & nz);
    found |= nz;
  }
  U64x2 sel[kScanVectors] = {};
  for (size_t c = 0; c < chunks; ++c) {
    const uint64_t m = ~nonzero_mask(static_cast<uint64_t>(c) ^ last_chunk);
    const U64x2 mv = {m, m};
    const uint8_t* p = chunk_at(c);
    for (size_t i = 0; i < kScanVectors; ++i) sel[i] |= load_vector(p + 16 * i) & mv;
  }
  uint8_t bytes[kScanChunk];
  std::memcpy(bytes, sel, kScanChunk);  // memory order, independent of endianness
  const uint64_t pos = last_chunk * kScanChunk + last_nonzero_in_chunk(bytes);
  return ContentScan{found, static_cast<size_t>(pos & found)};
}

#if TESSERA_SCAN_AVX2
// highest_bit is the index of the highest set bit of x (x != 0; all ones
// for 0), without a branch or a bit-scan instruction: smear the bit down,
// count the ones (SWAR).
inline uint64_t highest_bit(uint64_t x) {
  x |= x >> 1;
  x |= x >> 2;
  x |= x >> 4;
  x |= x >> 8;
  x |= x >> 16;
  x |= x >> 32;
  x -= (x >> 1) & 0x5555555555555555u;
  x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
  return ((x * 0x0101010101010101u) >> 56) - 1;
}

// find_content_type_avx2 is find_content_type in one pass over 32-byte AVX2
// vectors, in 256-byte chunks. Each chunk is folded into one vector, its
// zero map: bit i of byte j says whether byte 32 * i + j of the chunk is zero
// (see zero_map). The map is kept (masked blend) when the chunk has a non-zero
// byte, so after the pass `kept` is the map of the last such chunk, and the
// type's position in it is read from its complement: the highest vector i
// with a non-zero byte, then the highest byte j in it. Two vector
// instructions per 32 bytes plus a few per chunk (the previous map, min(v, 1)
// gathered by doubling and adding, took three: ~20% more time per record);
// the portable form reads every chunk twice. The same rules as above: no
// branch and no memory address depends on the bytes.
constexpr size_t kWideChunk = 256;

// zero_step shifts the map w down one bit and puts vector p's zero flags in
// bit 7: one compare (0xff for a zero byte) and one rounding average,
// (w + 0xff + 1) >> 1 = w / 2 + 0x80 and (w + 0 + 1) >> 1 = w / 2, exact
// because w is even before each of a chunk's eight steps.
__attribute__((target("avx2"))) inline __m256i zero_step(__m256i w, const uint8_t* p) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  return _mm256_avg_epu8(w, _mm256_cmpeq_epi8(v, _mm256_setzero_si256()));
}

// zero_map is the zero map of the 256-byte chunk at p: vector 0 goes in first
// and ends in bit 0, vector 7 in bit 7. Written out (g++ -O2 keeps a loop, at
// twice the instructions).
__attribute__((target("avx2"))) inline __m256i zero_map(const uint8_t* p) {
  __m256i w = zero_step(_mm256_setzero_si256(), p);
  w = zero_step(w, p + 32 * 1);
  w = zero_step(w, p + 32 * 2);
  w = zero_step(w, p + 32 * 3);
  w = zero_step(w, p + 32 * 4);
  w = zero_step(w, p + 32 * 5);
  w = zero_step(w, p + 32 * 6);
  return zero_step(w, p + 32 * 7);
}

struct WideScan {
  __m256i kept;
  uint64_t found;
  uint64_t last_chunk;
};

__attribute__((target("avx2"))) inline void scan_chunk(WideScan& st, const uint8_t* p, uint64_t c) {
  const __m256i w = zero_map(p);
  // testc is 1 when every bit of w is set (an all-zero chunk): nz is all
  // ones for a chunk with a non-zero byte.
  const uint64_t nz =
      static_cast<uint64_t>(_mm256_testc_si256(w, _mm256_set1_epi8(static_cast<char>(0xff)))) - 1;
  st.last_chunk = (st.last_chunk & ~nz) | (c & nz);
  st.found |= nz;
  st.kept = _mm256_blendv_epi8(st.kept, w, _mm256_set1_epi64x(static_cast<long long>(nz)));
}

__attribute__((target("avx2"))) ContentScan find_content_type_avx2(const uint8_t* data,
                                                                   size_t len) {
  const size_t full = len / kWideChunk;
  const size_t tail_len = len - full * kWideChunk;
  alignas(32) uint8_t tail[kWideChunk] = {};
  if (tail_len != 0) std::memcpy(tail, data + full * kWideChunk, tail_len);
  WideScan st{_mm256_setzero_si256(), 0, 0};
  for (size_t c = 0; c < full; ++c) scan_chunk(st, data + c * kWideChunk, c);
  if (tail_len != 0) scan_chunk(st, tail, full);  // zero-padded; its length is public
  // The map of non-zero bytes of the last chunk that has one.
  const __m256i kept = _mm256_xor_si256(st.kept, _mm256_set1_epi8(static_cast<char>(0xff)));
  // Vector i's byte mask (bit j: byte 32 * i + j non-zero) is the top bits
  // of the map shifted left by 7 - i (16-bit lanes: no bit of a byte's
  // neighbour reaches its top bit). The last vector with a non-zero mask
  // holds the type, at the mask's highest bit.
  uint64_t vec = 0, mask = 0;
  for (int i = 0; i < 8; ++i) {
    const uint64_t m = static_cast<uint32_t>(
        _mm256_movemask_epi8(_mm256_sll_epi16(kept, _mm_cvtsi32_si128(7 - i))));
    const uint64_t nzm = nonzero_mask(m);
    vec = (vec & ~nzm) | (static_cast<uint64_t>(i) & nzm);
    mask = (mask & ~nzm) | (m & nzm);
  }
  const uint64_t in_chunk = 32 * vec + highest_bit(mask);
  // The chunk's offset is added after the loops (see last_nonzero_in_chunk).
  const uint64_t pos = st.last_chunk * kWideChunk + in_chunk;
  return ContentScan{st.found, static_cast<size_t>(pos & st.found)};
}
#endif

bool avx2_supported() {
#if TESSERA_SCAN_AVX2
  static const bool kAvx2 = __builtin_cpu_supports("avx2");
  return kAvx2;
#else
  return false;
#endif
}

// scan_content_type picks the AVX2 form when the CPU has it (decided once;
// the choice depends on the CPU only, never on the data).
ContentScan scan_content_type(const uint8_t* data, size_t len, bool avx2) {
#if TESSERA_SCAN_AVX2
  if (avx2) return find_content_type_avx2(data, len);
#else
  (void)avx2;
#endif
  return find_content_type(data, len);
}

}  // namespace

Result<uint64_t> RecordProtection::next_sequence_number() const {
  // RFC 8446 5.3: "If a TLS implementation would need to wrap a sequence
  // number, it MUST either rekey (Section 4.6.3) or terminate the connection."
  if (exhausted_) {
    return Error(ErrorCode::sequence_exhausted, AlertDescription::internal_error,
                 "record sequence number would wrap past 2^64-1; the connection must rekey or "
                 "close");
  }
  return seq_;
}

void RecordProtection::advance_sequence_number() {
  if (seq_ == UINT64_MAX) {
    exhausted_ = true;
  } else {
    ++seq_;
  }
}

Result<uint64_t> RecordProtection::take_sequence_number() {
  TESSERA_ASSIGN_OR_RETURN(uint64_t seq, next_sequence_number());
  advance_sequence_number();
  return seq;
}

Result<void> RecordProtection::seal(ContentType type, ByteView plaintext, size_t padding_len,
                                    Bytes& out) {
  size_t at = out.size();
  // An oversized request gets no room: seal_into reports the size error.
  size_t need = sealed_size(plaintext.size(), padding_len);
  if (need > kHeaderSize + kMaxCiphertext12) need = 0;
  out.resize(at + need);
  Result<size_t> n = seal_into(type, plaintext, padding_len, MutableByteView(out).subspan(at));
  if (!n.ok()) {
    out.resize(at);
    return std::move(n).error();
  }
  out.resize(at + *n);
  return ok();
}

namespace {

// check_open_output: open_into's buffer must hold the whole fragment and lie
// outside it (the AEAD decrypts out of place or exactly in place, never
// shifted).
Result<void> check_open_output(const RecordView& record, MutableByteView out) {
  const uint8_t* f = record.fragment.data();
  const uint8_t* o = out.data();
  const bool overlap = !out.empty() && !record.fragment.empty() && o < f + record.fragment.size() &&
                       f < o + out.size();
  if (out.size() < record.fragment.size() || overlap) {
    return Error(ErrorCode::internal_error,
                 "open_into: the output (" + std::to_string(out.size()) + " bytes) must hold the " +
                     std::to_string(record.fragment.size()) + "-byte fragment and not overlap it");
  }
  return ok();
}

Error short_output_error(size_t need, size_t have) {
  return Error(ErrorCode::internal_error, "seal_into: the record needs " + std::to_string(need) +
                                              " bytes, the output has " + std::to_string(have));
}

}  // namespace

// ---------------------------------------------------------------------------
// TLS 1.3

Tls13RecordProtection::Tls13RecordProtection(std::unique_ptr<crypto::Aead> aead, ByteView iv)
    : aead_(std::move(aead)), iv_(iv) {}

Result<std::unique_ptr<Tls13RecordProtection>> Tls13RecordProtection::create(
    std::unique_ptr<crypto::Aead> aead, ByteView iv) {
  if (aead == nullptr) {
    return Error(ErrorCode::internal_error, "TLS 1.3 record protection: no AEAD");
  }
  // RFC 8446 5.3: iv_length = max(8, N_MIN) = 12 for every TLS 1.3 AEAD.
  if (iv.size() != kNonce) {
    return Error(ErrorCode::internal_error, "TLS 1.3 record protection: IV must be 12 bytes, got " +
                                                std::to_string(iv.size()));
  }
  return std::unique_ptr<Tls13RecordProtection>(new Tls13RecordProtection(std::move(aead), iv));
}

Result<std::unique_ptr<Tls13RecordProtection>> Tls13RecordProtection::create(
    crypto::Provider& provider, AeadAlgorithm alg, ByteView key, ByteView iv) {
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<crypto::Aead> aead, provider.aead(alg, key));
  return create(std::move(aead), iv);
}

bool Tls13RecordProtection::rekey(ByteView key, ByteView iv) {
  if (iv.size() != kNonce || !aead_->rekey(key)) return false;
  iv_ = SecretBytes(iv);
  restart_sequence();
  return true;
}

size_t Tls13RecordProtection::sealed_size(size_t plaintext_len, size_t padding_len) const {
  return kHeaderSize + plaintext_len + 1 + padding_len + kTag;
}

Result<size_t> Tls13RecordProtection::seal_into(ContentType type, ByteView plaintext,
                                                size_t padding_len, MutableByteView out) {
  if (type == ContentType::invalid || type == ContentType::change_cipher_spec) {
    return Error(ErrorCode::internal_error,
                 "TLS 1.3 never protects " + std::string(content_type_name(type)) + " records");
  }
  TESSERA_TRY(refuse_empty_send(type, plaintext));
  // RFC 8446 5.4: "The presence of padding does not change the overall record
  // size limitations: the full encoded TLSInnerPlaintext MUST NOT exceed
  // 2^14 + 1 octets."
  if (plaintext.size() > kMaxPlaintext || padding_len > kMaxInnerPlaintext13 ||
      plaintext.size() + 1 + padding_len > kMaxInnerPlaintext13) {
    return Error(ErrorCode::internal_error,
                 "TLS 1.3 seal: " + std::to_string(plaintext.size()) + " bytes of content and " +
                     std::to_string(padding_len) + " of padding exceed 2^14 + 1");
  }
  size_t inner_len = plaintext.size() + 1 + padding_len;
  size_t length = inner_len + kTag;
  if (out.size() < kHeaderSize + length)
    return short_output_error(kHeaderSize + length, out.size());
  TESSERA_ASSIGN_OR_RETURN(uint64_t seq, take_sequence_number());
  // RFC 8446 5.2: opaque_type = application_data, legacy_record_version =
  // 0x0303, and the AAD is exactly this header.
  std::array<uint8_t, kHeaderSize> header{};
  header[0] = static_cast<uint8_t>(ContentType::application_data);
  store_be16(kRecordVersion, &header[1]);
  store_be16(static_cast<uint16_t>(length), &header[3]);

  uint8_t* p = out.data();
  std::memcpy(p, header.data(), kHeaderSize);
  uint8_t* inner = p + kHeaderSize;
  // TLSInnerPlaintext = content || ContentType type || uint8 zeros[length_of_padding].
  // The content is encrypted from where it is (no copy into `out` first); the
  // type byte and padding follow it, built in place at the end of `out`.
  uint8_t* trailer = inner + plaintext.size();
  trailer[0] = static_cast<uint8_t>(type);
  std::memset(trailer + 1, 0, padding_len);
  // The trailer is sealed in place (it sits exactly where its ciphertext goes).
  std::array<uint8_t, kNonce> nonce{};
  xor_sequence_into(iv_.view(), seq, nonce.data());
  Result<void> sealed =
      aead_->seal_from(nonce, header, plaintext, ByteView(trailer, 1 + padding_len),
                       MutableByteView(inner, inner_len), MutableByteView(inner + inner_len, kTag));
  if (!sealed.ok()) return std::move(sealed).error();
  // The protected record goes on the wire: it is public (constant-time check).
  ct_declassify(inner, length);
  return kHeaderSize + length;
}

Result<OpenedRecord> Tls13RecordProtection::open(const Record& record) {
  return open_to(RecordView{record.type, record.legacy_version, record.fragment},
                 record.fragment.data());
}

Result<OpenedRecord> Tls13RecordProtection::open_into(const RecordView& record,
                                                      MutableByteView out) {
  TESSERA_TRY(check_open_output(record, out));
  return open_to(record, out.data());
}

Result<OpenedRecord> Tls13RecordProtection::open_to(const RecordView& record, uint8_t* out) {
  // RFC 8446 5.2: protected records always carry opaque_type application_data.
  // (An unprotected change_cipher_spec must be routed around open.)
  if (record.type != ContentType::application_data) {
    return Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
                 std::string(content_type_name(record.type)) +
                     " record received where only protected (application_data) records are "
                     "allowed");
  }
  size_t length = record.fragment.size();
  // RFC 8446 5.2: "The length MUST NOT exceed 2^14 + 256 bytes. An endpoint
  // that receives a record that exceeds this length MUST terminate the
  // connection with a "record_overflow" alert."
  if (length > kMaxCiphertext13) {
    return Error(ErrorCode::record_overflow, AlertDescription::record_overflow,
                 "protected record of " + std::to_string(length) + " bytes exceeds 2^14 + 256");
  }
  TESSERA_ASSIGN_OR_RETURN(uint64_t seq, next_sequence_number());
  // RFC 8446 5.2: "If the decryption fails, the receiver MUST terminate the
  // connection with a "bad_record_mac" alert." A record shorter than the tag
  // cannot be decrypted.
  if (length < kTag) {
    return Error(ErrorCode::bad_record_mac, AlertDescription::bad_record_mac,
                 "protected record of " + std::to_string(length) +
                     " bytes is shorter than the 16-byte AEAD tag");
  }
  std::array<uint8_t, kHeaderSize> aad{};
  aad[0] = static_cast<uint8_t>(record.type);
  store_be16(record.legacy_version, &aad[1]);
  store_be16(static_cast<uint16_t>(length), &aad[3]);
  std::array<uint8_t, kNonce> nonce{};
  xor_sequence_into(iv_.view(), seq, nonce.data());

  size_t inner_len = length - kTag;
  MutableByteView inner(out, inner_len);
  Result<void> opened = aead_->open_from(nonce, aad, record.fragment.first(inner_len),
                                         record.fragment.subspan(inner_len), inner);
  if (!opened.ok()) return mac_error(seq, opened.error());
  advance_sequence_number();

  // RFC 8446 5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1
  // octets"; 5.2: a decrypted plaintext over the limit is "record_overflow".
  if (inner_len > kMaxInnerPlaintext13) {
    return Error(ErrorCode::record_overflow, AlertDescription::record_overflow,
                 "TLSInnerPlaintext of " + std::to_string(inner_len) + " bytes exceeds 2^14 + 1");
  }
  // RFC 8446 5.4: the receiver scans from the end for the first non-zero
  // octet, which is the content type.
  const ContentScan scan = scan_content_type(inner.data(), inner_len, avx2_supported());
  uint64_t found = scan.found;
  size_t pos = scan.pos;
  // Only the scan above must not depend on the padding. From here on the
  // record has authenticated, and its content, content type and content
  // length are public: they decide how the record is handled, and its length
  // reaches the application. Declassified for the constant-time check
  // (docs/constant-time.md); this is the point where the padding length stops
  // being secret.
  ct_declassify(&found, sizeof found);
  ct_declassify(&pos, sizeof pos);
  ct_declassify(inner.data(), inner_len);
  // RFC 8446 5.4: "If a receiving implementation does not find a non-zero
  // octet in the cleartext, it MUST terminate the connection with an
  // "unexpected_message" alert."
  if (found == 0) {
    return Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
                 "protected record has no content type (TLSInnerPlaintext is all zeros)");
  }
  uint8_t type_byte = inner[pos];
  std::optional<ContentType> type = parse_content_type(type_byte);
  // RFC 8446 5: unknown record types, and change_cipher_spec inside
  // protection, are "unexpected_message".
  if (!type || *type == ContentType::change_cipher_spec) {
    return Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
                 "protected record carries content type " + std::to_string(type_byte) +
                     ", which is not allowed under TLS 1.3 protection");
  }
  if (pos == 0 && *type != ContentType::application_data) return empty_fragment_error(*type);
  return OpenedRecord{*type, ByteView(inner.data(), pos)};
}

// ---------------------------------------------------------------------------
// TLS 1.2 AEAD

Tls12AeadRecordProtection::Tls12AeadRecordProtection(std::unique_ptr<crypto::Aead> aead,
                                                     ByteView iv)
    : aead_(std::move(aead)),
      iv_(iv),
      explicit_nonce_(aead_->algorithm() == AeadAlgorithm::chacha20_poly1305 ? 0 : 8) {}

Result<std::unique_ptr<Tls12AeadRecordProtection>> Tls12AeadRecordProtection::create(
    std::unique_ptr<crypto::Aead> aead, ByteView iv) {
  if (aead == nullptr) {
    return Error(ErrorCode::internal_error, "TLS 1.2 record protection: no AEAD");
  }
  // RFC 5288 3: the implicit part of the GCM nonce (client/server_write_IV) is
  // 4 bytes; RFC 7905 2: ChaCha20-Poly1305 uses a 12-byte IV.
  size_t want = aead->algorithm() == AeadAlgorithm::chacha20_poly1305 ? kNonce : 4;
  if (iv.size() != want) {
    return Error(ErrorCode::internal_error,
                 "TLS 1.2 record protection: " + std::string(aead_name(aead->algorithm())) +
                     " needs a " + std::to_string(want) + "-byte IV, got " +
                     std::to_string(iv.size()));
  }
  return std::unique_ptr<Tls12AeadRecordProtection>(
      new Tls12AeadRecordProtection(std::move(aead), iv));
}

Result<std::unique_ptr<Tls12AeadRecordProtection>> Tls12AeadRecordProtection::create(
    crypto::Provider& provider, AeadAlgorithm alg, ByteView key, ByteView iv) {
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<crypto::Aead> aead, provider.aead(alg, key));
  return create(std::move(aead), iv);
}

void Tls12AeadRecordProtection::make_nonce(uint64_t seq, ByteView explicit_nonce,
                                           uint8_t* nonce) const {
  if (explicit_nonce_ == 0) {
    // RFC 7905 2: nonce = client/server_write_IV XOR padded sequence number.
    xor_sequence_into(iv_.view(), seq, nonce);
  } else {
    // RFC 5288 3: struct { opaque salt[4]; opaque nonce_explicit[8]; } GCMNonce;
    std::memcpy(nonce, iv_.data(), 4);
    std::memcpy(nonce + 4, explicit_nonce.data(), 8);
  }
}

namespace {

// RFC 5246 6.2.3.3: additional_data = seq_num + TLSCompressed.type +
// TLSCompressed.version + TLSCompressed.length (of the plaintext).
std::array<uint8_t, 13> tls12_aad(uint64_t seq, ContentType type, uint16_t version,
                                  size_t plaintext_len) {
  std::array<uint8_t, 13> aad{};
  store_be64(seq, aad.data());
  aad[8] = static_cast<uint8_t>(type);
  store_be16(version, &aad[9]);
  store_be16(static_cast<uint16_t>(plaintext_len), &aad[11]);
  return aad;
}

}  // namespace

size_t Tls12AeadRecordProtection::sealed_size(size_t plaintext_len, size_t) const {
  return kHeaderSize + explicit_nonce_ + plaintext_len + kTag;
}

Result<size_t> Tls12AeadRecordProtection::seal_into(ContentType type, ByteView plaintext,
                                                    size_t padding_len, MutableByteView out) {
  if (padding_len != 0) {
    return Error(ErrorCode::internal_error, "TLS 1.2 records cannot carry TLS 1.3 padding");
  }
  if (type == ContentType::invalid) {
    return Error(ErrorCode::internal_error, "TLS 1.2 seal: invalid content type");
  }
  TESSERA_TRY(refuse_empty_send(type, plaintext));
  // RFC 5246 6.2.1: "The length MUST NOT exceed 2^14."
  if (plaintext.size() > kMaxPlaintext) {
    return Error(ErrorCode::internal_error, "TLS 1.2 seal: " + std::to_string(plaintext.size()) +
                                                " bytes exceed 2^14 (fragment it first)");
  }
  size_t length = explicit_nonce_ + plaintext.size() + kTag;
  if (out.size() < kHeaderSize + length)
    return short_output_error(kHeaderSize + length, out.size());
  TESSERA_ASSIGN_OR_RETURN(uint64_t seq, take_sequence_number());
  std::array<uint8_t, kHeaderSize> header{};
  header[0] = static_cast<uint8_t>(type);
  store_be16(kRecordVersion, &header[1]);
  store_be16(static_cast<uint16_t>(length), &header[3]);

  uint8_t* p = out.data();
  std::memcpy(p, header.data(), kHeaderSize);
  uint8_t* explicit_nonce = p + kHeaderSize;
  // RFC 5288 3: "The nonce_explicit MAY be the 64-bit sequence number."
  if (explicit_nonce_ != 0) store_be64(seq, explicit_nonce);
  uint8_t* data = explicit_nonce + explicit_nonce_;
  if (!plaintext.empty()) std::memcpy(data, plaintext.data(), plaintext.size());

  std::array<uint8_t, kNonce> nonce{};
  make_nonce(seq, ByteView(explicit_nonce, explicit_nonce_), nonce.data());
  std::array<uint8_t, 13> aad = tls12_aad(seq, type, kRecordVersion, plaintext.size());
  Result<void> sealed = aead_->seal(nonce, aad, MutableByteView(data, plaintext.size()),
                                    MutableByteView(data + plaintext.size(), kTag));
  if (!sealed.ok()) return std::move(sealed).error();
  // The protected record goes on the wire: it is public (constant-time check).
  ct_declassify(data, plaintext.size() + kTag);
  return kHeaderSize + length;
}

Result<OpenedRecord> Tls12AeadRecordProtection::open(const Record& record) {
  // In place: the plaintext replaces the ciphertext, after the explicit
  // nonce (a fragment too short for it fails in open_to before any write).
  return open_to(RecordView{record.type, record.legacy_version, record.fragment},
                 record.fragment.data() + std::min(explicit_nonce_, record.fragment.size()));
}

Result<OpenedRecord> Tls12AeadRecordProtection::open_into(const RecordView& record,
                                                          MutableByteView out) {
  TESSERA_TRY(check_open_output(record, out));
  return open_to(record, out.data());
}

Result<OpenedRecord> Tls12AeadRecordProtection::open_to(const RecordView& record, uint8_t* out) {
  if (record.type == ContentType::invalid) {
    return Error(ErrorCode::unexpected_message, AlertDescription::unexpected_message,
                 "record with content type 0");
  }
  size_t length = record.fragment.size();
  // RFC 5246 6.2.3: "The length MUST NOT exceed 2^14 + 2048."
  if (length > kMaxCiphertext12) {
    return Error(ErrorCode::record_overflow, AlertDescription::record_overflow,
                 "protected record of " + std::to_string(length) + " bytes exceeds 2^14 + 2048");
  }
  TESSERA_ASSIGN_OR_RETURN(uint64_t seq, next_sequence_number());
  if (length < explicit_nonce_ + kTag) {
    return Error(ErrorCode::bad_record_mac, AlertDescription::bad_record_mac,
                 "protected record of " + std::to_string(length) +
                     " bytes is too short for the explicit nonce and AEAD tag");
  }
  size_t plaintext_len = length - explicit_nonce_ - kTag;
  MutableByteView data(out, plaintext_len);
  std::array<uint8_t, kNonce> nonce{};
  make_nonce(seq, record.fragment.first(explicit_nonce_), nonce.data());
  std::array<uint8_t, 13> aad = tls12_aad(seq, record.type, record.legacy_version, plaintext_len);
  Result<void> opened =
      aead_->open_from(nonce, aad, record.fragment.subspan(explicit_nonce_, plaintext_len),
                       record.fragment.subspan(explicit_nonce_ + plaintext_len), data);
  // RFC 5246 6.2.3.3: "If the decryption fails, a fatal bad_record_mac alert
  // MUST be generated."
  if (!opened.ok()) return mac_error(seq, opened.error());
  advance_sequence_number();
  // The record has authenticated: its content is public from here on (the
  // constant-time check stops at the record layer; docs/constant-time.md).
  ct_declassify(data.data(), plaintext_len);
  // RFC 5246 6.2.1 (null compression): plaintext over 2^14 -> record_overflow.
  if (plaintext_len > kMaxPlaintext) {
    return Error(ErrorCode::record_overflow, AlertDescription::record_overflow,
                 "decrypted record of " + std::to_string(plaintext_len) + " bytes exceeds 2^14");
  }
  if (plaintext_len == 0 && record.type != ContentType::application_data) {
    return empty_fragment_error(record.type);
  }
  return OpenedRecord{record.type, ByteView(data.data(), plaintext_len)};
}

namespace detail {

bool content_scan_avx2_supported() { return avx2_supported(); }

ContentScanForTesting content_scan_for_testing(ByteView inner, bool avx2) {
  const ContentScan scan = scan_content_type(inner.data(), inner.size(), avx2 && avx2_supported());
  return ContentScanForTesting{scan.found != 0, scan.pos};
}

}  // namespace detail

}  // namespace tessera::record
