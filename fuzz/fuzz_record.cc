// fuzz/fuzz_record.cc — record protection with plaintext the fuzzer chooses.
// The state-machine targets (fuzz_client, fuzz_server) reach an encrypted
// record only up to its AEAD tag check: their mutations break the tag. Here
// the fuzzer picks what is sealed, so opening and the TLS 1.3 content-type
// scan (RFC 8446 5.4) see arbitrary TLSInnerPlaintext:
//  1. both forms of the scan (portable, and AVX2 where the CPU has it) agree
//     with a plain backwards search on the content followed by zero padding;
//  2. a record sealed by one protection opens in a twin (in place, and from
//     a read-only buffer) to exactly the type and content sealed, or is
//     refused as RFC 8446 5 and 5.4 require (an unknown or change_cipher_spec
//     inner type); an empty record that is not application_data is refused
//     by seal itself (RFC 8446 5.1, RFC 5246 6.2.1: internal_error, nothing
//     written);
//  3. the same record with one bit of its fragment flipped is bad_record_mac.
//
// Input: byte 0: bits 0-1 the protection (TLS 1.3 with AES-128-GCM,
// AES-256-GCM or ChaCha20-Poly1305; TLS 1.2 with AES-128-GCM), bits 2-7 the
// TLS 1.3 padding in units of 64 bytes; byte 1: the content type sealed (any
// value); bytes 2-3: the fragment bit to flip; the rest: the content (at most
// 2^14 bytes are used).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "crypto/provider.h"
#include "record/protection.h"
#include "record/record.h"

using namespace tessera;
using namespace tessera::record;

namespace {

std::optional<size_t> last_nonzero(ByteView b) {
  for (size_t i = b.size(); i-- > 0;) {
    if (b[i] != 0) return i;
  }
  return std::nullopt;
}

void check_scan(ByteView inner) {
  const std::optional<size_t> want = last_nonzero(inner);
  for (bool avx2 : {false, true}) {
    if (avx2 && !detail::content_scan_avx2_supported()) continue;
    const auto got = detail::content_scan_for_testing(inner, avx2);
    if (got.found != want.has_value()) abort();
    if (got.found && got.pos != *want) abort();
  }
}

std::unique_ptr<RecordProtection> make(int kind) {
  static const uint8_t kKey[32] = {0x42, 0x17, 0x99, 0x01, 0x5a, 0xc3, 0x7e, 0x20, 0x0f, 0xee, 0x31,
                                   0x64, 0x88, 0x02, 0xb6, 0x4d, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
                                   0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00};
  static const uint8_t kIv[12] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0xfe, 0xfd};
  static const std::shared_ptr<crypto::Provider> provider = crypto::default_provider();
  const AeadAlgorithm algs[] = {AeadAlgorithm::aes_128_gcm, AeadAlgorithm::aes_256_gcm,
                                AeadAlgorithm::chacha20_poly1305, AeadAlgorithm::aes_128_gcm};
  const AeadAlgorithm alg = algs[kind];
  const ByteView key(kKey, aead_key_length(alg));
  if (kind == 3) {
    auto p = Tls12AeadRecordProtection::create(*provider, alg, key, ByteView(kIv, 4));
    if (!p.ok()) abort();
    return std::move(p).value();
  }
  auto p = Tls13RecordProtection::create(*provider, alg, key, ByteView(kIv, 12));
  if (!p.ok()) abort();
  return std::move(p).value();
}

// check_opened holds an open() result to what was sealed: the same type and
// content, or unexpected_message for what the receiver must refuse (TLS 1.3:
// an unknown or change_cipher_spec inner type).
void check_opened(const Result<OpenedRecord>& r, bool tls13, uint8_t type, ByteView content) {
  const auto parsed = parse_content_type(type);
  const bool refused_type = tls13 && (!parsed || *parsed == ContentType::change_cipher_spec);
  if (refused_type) {
    if (r.ok() || r.error().code() != ErrorCode::unexpected_message) abort();
    return;
  }
  if (!r.ok()) abort();
  if (static_cast<uint8_t>(r->type) != type) abort();
  if (r->plaintext.size() != content.size()) abort();
  if (!content.empty() && std::memcmp(r->plaintext.data(), content.data(), content.size()) != 0)
    abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const int kind = data[0] & 3;
  const bool tls13 = kind != 3;
  const size_t padding = tls13 ? static_cast<size_t>(data[0] >> 2) * 64 : 0;
  const uint8_t type = data[1];
  const size_t flip = (static_cast<size_t>(data[2]) << 8) | data[3];
  ByteView content(data + 4, std::min(size - 4, kMaxPlaintext));

  // 1. The scan on the content as a TLSInnerPlaintext, zero padding after it.
  std::vector<uint8_t> inner(content.begin(), content.end());
  inner.resize(std::min(inner.size() + padding, kMaxInnerPlaintext13), 0);
  check_scan(inner);

  // 2. Seal, then open in a twin, in place and from a read-only buffer. A
  // TLS 1.2 record carries its type in the header, which split_record (as
  // the deframer) checks first: only the defined types are sealed there.
  if (!tls13 && !parse_content_type(type)) return 0;
  auto sealer = make(kind);
  Bytes wire;
  auto sealed = sealer->seal(static_cast<ContentType>(type), content, padding, wire);
  if (content.empty() && type != static_cast<uint8_t>(ContentType::application_data)) {
    if (sealed.ok() || sealed.error().code() != ErrorCode::internal_error || !wire.empty()) abort();
    return 0;
  }
  if (!sealed.ok()) return 0;  // an invalid type, or content + padding over 2^14 + 1
  if (wire.size() != sealer->sealed_size(content.size(), padding)) abort();

  Bytes copy = wire;
  {
    auto opener = make(kind);
    auto rec = split_record(copy, kMaxCiphertext12);
    if (!rec.ok()) abort();
    check_opened(opener->open(*rec), tls13, type, content);
  }
  {
    auto opener = make(kind);
    const RecordView view{static_cast<ContentType>(wire[0]),
                          static_cast<uint16_t>((wire[1] << 8) | wire[2]),
                          ByteView(wire).subspan(kHeaderSize)};
    std::vector<uint8_t> out(view.fragment.size());
    check_opened(opener->open_into(view, out), tls13, type, content);
  }

  // 3. One bit of the fragment flipped: the tag no longer verifies.
  copy = wire;
  const size_t fragment_bits = (copy.size() - kHeaderSize) * 8;
  const size_t bit = flip % fragment_bits;
  copy[kHeaderSize + bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  auto opener = make(kind);
  auto rec = split_record(copy, kMaxCiphertext12);
  if (!rec.ok()) abort();
  auto opened = opener->open(*rec);
  if (opened.ok() || opened.error().code() != ErrorCode::bad_record_mac) abort();
  return 0;
}
