#include "handshake/cert_compression.h"

#include <string>

#if TESSERA_HAVE_CERT_COMPRESSION
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>

#define ZLIB_CONST
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#endif

namespace tessera::handshake {

namespace {

std::string alg_name(CertCompression alg) {
  return cert_compression_name(static_cast<uint16_t>(alg));
}

}  // namespace

#if !TESSERA_HAVE_CERT_COMPRESSION

// Built with -DTESSERA_CERT_COMPRESSION=OFF (or zlib, brotli or zstd missing).
bool cert_compression_available(CertCompression) { return false; }
Result<Bytes> compress_certificate_message(CertCompression alg, ByteView) {
  return Error(ErrorCode::internal_error,
               "tessera was built without certificate compression (" + alg_name(alg) + ")");
}
Result<Bytes> decompress_certificate_message(CertCompression alg, uint32_t, ByteView) {
  return Error(ErrorCode::internal_error,
               "tessera was built without certificate compression (" + alg_name(alg) + ")");
}

#else

namespace {

// RFC 8879 4: uint24 uncompressed_length; opaque
// compressed_certificate_message<1..2^24-1>.
constexpr size_t kMaxLength = 0xFFFFFF;

// Compression settings (the result is cached per chain, so ratio matters
// more than speed). Measured on a 4060-byte Certificate body (the nine
// certificates of tests/vectors/pki): zlib 9 -> 2344 bytes, 0.2 ms; brotli
// 10 -> 2264, 2.8 ms, 11 -> 2257, 4.4 ms, 9 -> 2279, 0.3 ms; zstd 19 ->
// 2287, 0.5 ms (22 is no smaller). On a 1 KiB chain brotli 9 beats 10 and 11
// (856 against 905 and 931 bytes), so brotli runs at both 10 and 9 and keeps
// the smaller: ~3 ms for a 4 KiB chain, within 0.3% of quality 11 at 70% of
// its time.
constexpr int kZlibLevel = 9;
constexpr int kZlibMemLevel = 9;
constexpr int kBrotliQualities[] = {10, 9};
constexpr int kZstdLevel = 19;  // the strongest level without --ultra's large windows

// The brotli decoder's tables are bounded by the format: at most 256 Huffman
// trees each for literals, insert-and-copy lengths and distances, ~2.7 MB of
// tables in the worst case, plus its state. Its ring buffer grows with the
// output (pos + the current meta-block's length, rounded up to a power of two,
// at least 1 KiB, plus 542 bytes of slack; old and new coexist while it
// grows), and nothing else allocates. So 3 MiB plus twice a ring buffer for
// uncompressed_length is enough for any valid stream of that length; a
// stream that announces a meta-block longer than that (a decompression bomb)
// has its ring buffer refused before anything is decoded.
constexpr size_t kBrotliTablesBudget = size_t{3} << 20;

Error unsupported(CertCompression alg) {
  return Error(ErrorCode::internal_error,
               "certificate compression algorithm " + alg_name(alg) + " is not supported");
}

// RFC 8879 4: "If the received CompressedCertificate message cannot be
// decompressed, the connection MUST be terminated with the "bad_certificate"
// alert."; "If after decompression the specified length does not match the
// actual length, the party receiving the invalid message MUST abort the
// connection with the "bad_certificate" alert."
Error bad(CertCompression alg, const std::string& what) {
  return Error(ErrorCode::cert_parse, AlertDescription::bad_certificate,
               "CompressedCertificate (" + alg_name(alg) + "): " + what);
}

std::string more_than(size_t n) {
  return "decompressed to more than the announced " + std::to_string(n) + " bytes";
}
std::string ends_early(size_t got, size_t n) {
  return "the compressed data ends after " + std::to_string(got) + " of the announced " +
         std::to_string(n) + " bytes";
}
std::string short_of(size_t got, size_t n) {
  return "the stream ends after " + std::to_string(got) + " of the announced " + std::to_string(n) +
         " bytes";
}
std::string no_end_at(size_t n) {
  return "the compressed data does not end after the announced " + std::to_string(n) +
         " bytes (it is truncated or longer)";
}
std::string hex32(uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += kDigits[(v >> shift) & 0xf];
  return s;
}

std::string trailing(size_t k) {
  return std::to_string(k) + " trailing bytes after the end of the compressed stream";
}

// --- zlib (RFC 1950) ---------------------------------------------------------------

Result<Bytes> zlib_compress(ByteView in) {
  // A window no larger than the input needs (deflate's longest distance is
  // the window less 262 bytes) compresses the same and lets the peer's
  // inflate allocate less.
  int window_bits = 9;
  while (window_bits < 15 && (size_t{1} << window_bits) - 262 < in.size()) ++window_bits;
  z_stream z{};
  if (deflateInit2(&z, kZlibLevel, Z_DEFLATED, window_bits, kZlibMemLevel, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    return Error(ErrorCode::internal_error, "zlib: deflateInit2 failed");
  Bytes out(deflateBound(&z, static_cast<uLong>(in.size())));
  z.next_in = in.data();
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t n = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END)
    return Error(ErrorCode::internal_error, "zlib: deflate failed (" + std::to_string(rc) + ")");
  out.resize(n);
  return out;
}

Result<void> zlib_decompress(MutableByteView out, ByteView in) {
  const CertCompression alg = CertCompression::zlib;
  z_stream z{};
  // RFC 8879 4: the zlib format of RFC 1950, which inflateInit (not the raw
  // or gzip variants of inflateInit2) reads. Its window is at most 32 KiB.
  if (inflateInit(&z) != Z_OK) return Error(ErrorCode::internal_error, "zlib: inflateInit failed");
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};
  z.next_in = in.data();
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  switch (rc) {
    case Z_STREAM_END:
      if (z.avail_in != 0) return bad(alg, trailing(z.avail_in));
      if (z.avail_out != 0) return bad(alg, short_of(z.total_out, out.size()));
      return ok();
    case Z_NEED_DICT: return bad(alg, "the stream needs a preset dictionary (FDICT)");
    case Z_DATA_ERROR:
      return bad(alg, std::string("corrupt data: ") + (z.msg ? z.msg : "inflate failed"));
    case Z_MEM_ERROR: return Error(ErrorCode::internal_error, "zlib: out of memory");
    case Z_BUF_ERROR:  // no further progress: output full, or input used up
      if (z.avail_out != 0) return bad(alg, ends_early(z.total_out, out.size()));
      if (z.avail_in != 0) return bad(alg, more_than(out.size()));
      return bad(alg, no_end_at(out.size()));
    default: return bad(alg, "inflate failed (" + std::to_string(rc) + ")");
  }
}

// --- brotli (RFC 7932) -------------------------------------------------------------

Result<Bytes> brotli_compress(ByteView in) {
  // RFC 7932 9.1: the window is 2^WBITS - 16 bytes; the smallest that holds
  // the input compresses the same, faster, and bounds the peer's ring buffer.
  int lgwin = BROTLI_MIN_WINDOW_BITS;
  while (lgwin < BROTLI_MAX_WINDOW_BITS && (size_t{1} << lgwin) - 16 < in.size()) ++lgwin;
  Bytes best;
  for (int quality : kBrotliQualities) {
    size_t n = BrotliEncoderMaxCompressedSize(in.size());
    if (n == 0) return Error(ErrorCode::internal_error, "brotli: input too large");
    Bytes out(n);
    if (!BrotliEncoderCompress(quality, lgwin, BROTLI_MODE_GENERIC, in.size(), in.data(), &n,
                               out.data()))
      return Error(ErrorCode::internal_error,
                   "brotli: BrotliEncoderCompress failed at quality " + std::to_string(quality));
    out.resize(n);
    if (best.empty() || out.size() < best.size()) best = std::move(out);
  }
  return best;
}

// BrotliBudget is the brotli decoder's allocator: malloc with a cap on the
// bytes live at once (see kBrotliTablesBudget). Each block carries its size
// in front of it, in a max_align_t-sized header so the block stays aligned.
struct BrotliBudget {
  static constexpr size_t kHeader = alignof(std::max_align_t);
  size_t left;
  bool refused = false;

  static void* alloc(void* opaque, size_t size) {
    auto* b = static_cast<BrotliBudget*>(opaque);
    if (size > b->left) {
      b->refused = true;
      return nullptr;
    }
    auto* p = static_cast<uint8_t*>(std::malloc(size + kHeader));
    if (p == nullptr) return nullptr;
    std::memcpy(p, &size, sizeof size);
    b->left -= size;
    return p + kHeader;
  }
  static void release(void* opaque, void* block) {
    if (block == nullptr) return;
    auto* b = static_cast<BrotliBudget*>(opaque);
    uint8_t* p = static_cast<uint8_t*>(block) - kHeader;
    size_t size;
    std::memcpy(&size, p, sizeof size);
    b->left += size;
    std::free(p);
  }
};

struct BrotliDecoderFree {
  void operator()(BrotliDecoderState* s) const { BrotliDecoderDestroyInstance(s); }
};

Result<void> brotli_decompress(MutableByteView out, ByteView in) {
  const CertCompression alg = CertCompression::brotli;
  const size_t ring = std::bit_ceil(std::max<size_t>(out.size(), 1024)) + 1024;
  BrotliBudget budget{kBrotliTablesBudget + 2 * ring};
  std::unique_ptr<BrotliDecoderState, BrotliDecoderFree> dec(
      BrotliDecoderCreateInstance(&BrotliBudget::alloc, &BrotliBudget::release, &budget));
  if (!dec) return Error(ErrorCode::internal_error, "brotli: BrotliDecoderCreateInstance failed");
  // RFC 7932 windows only (at most 2^24 - 16 bytes), not the large-window
  // extension, which RFC 8879 does not allow.
  if (!BrotliDecoderSetParameter(dec.get(), BROTLI_DECODER_PARAM_LARGE_WINDOW, 0))
    return Error(ErrorCode::internal_error, "brotli: cannot turn off large windows");
  size_t avail_in = in.size();
  const uint8_t* next_in = in.data();
  size_t avail_out = out.size();
  uint8_t* next_out = out.data();
  const BrotliDecoderResult rc =
      BrotliDecoderDecompressStream(dec.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
  const size_t produced = out.size() - avail_out;
  switch (rc) {
    case BROTLI_DECODER_RESULT_SUCCESS:
      if (avail_in != 0) return bad(alg, trailing(avail_in));
      if (avail_out != 0) return bad(alg, short_of(produced, out.size()));
      return ok();
    case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: return bad(alg, more_than(out.size()));
    case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: return bad(alg, ends_early(produced, out.size()));
    case BROTLI_DECODER_RESULT_ERROR: break;
  }
  if (budget.refused)
    return bad(alg, "a meta-block longer than the announced " + std::to_string(out.size()) +
                        " bytes (decoder memory limit)");
  const BrotliDecoderErrorCode code = BrotliDecoderGetErrorCode(dec.get());
  // Allocation failures the budget did not cause are ours, not the peer's.
  if (code <= BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES &&
      code >= BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES)
    return Error(ErrorCode::internal_error, "brotli: out of memory");
  return bad(alg, std::string("corrupt data: ") + BrotliDecoderErrorString(code));
}

// --- zstd (RFC 8478) ---------------------------------------------------------------

Result<Bytes> zstd_compress(ByteView in) {
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> c(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  if (!c) return Error(ErrorCode::internal_error, "zstd: ZSTD_createCCtx failed");
  size_t rc = ZSTD_CCtx_setParameter(c.get(), ZSTD_c_compressionLevel, kZstdLevel);
  if (ZSTD_isError(rc))
    return Error(ErrorCode::internal_error, std::string("zstd: ") + ZSTD_getErrorName(rc));
  // ZSTD_compress2 knows the size: one frame that gives its content size,
  // with a window no larger than the input.
  Bytes out(ZSTD_compressBound(in.size()));
  rc = ZSTD_compress2(c.get(), out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(rc))
    return Error(ErrorCode::internal_error, std::string("zstd: ") + ZSTD_getErrorName(rc));
  out.resize(rc);
  return out;
}

Result<void> zstd_decompress(MutableByteView out, ByteView in) {
  const CertCompression alg = CertCompression::zstd;
  // RFC 8478 3: Zstandard data is one or more frames. Walk them first: each
  // must be a whole frame, anything after the last one is not zstd data, and
  // the content sizes the frames declare must fit in the announced length
  // (checked before anything is decoded).
  size_t at = 0, declared_total = 0;
  while (at < in.size()) {
    const uint8_t* p = in.data() + at;
    const size_t left = in.size() - at;
    // RFC 8478 3.1.1 and 3.1.2: a Zstandard frame (magic 0xFD2FB528) or a
    // skippable frame (0x184D2A50..5F). Only those: the system libzstd also
    // decodes the pre-RFC v0.5-v0.7 formats (other magic numbers), a decoder
    // that peer input has no business reaching.
    if (left >= 4) {
      const uint32_t magic =
          uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
      if (magic != ZSTD_MAGICNUMBER &&
          (magic & ZSTD_MAGIC_SKIPPABLE_MASK) != ZSTD_MAGIC_SKIPPABLE_START)
        return bad(
            alg, at != 0 ? trailing(left) : "not a zstd frame (magic number " + hex32(magic) + ")");
    }
    const size_t frame = ZSTD_findFrameCompressedSize(p, left);
    if (ZSTD_isError(frame)) {
      const ZSTD_ErrorCode code = ZSTD_getErrorCode(frame);
      if (code == ZSTD_error_prefix_unknown)
        return bad(alg, at != 0 ? trailing(left) : "not a zstd frame (bad magic number)");
      if (code == ZSTD_error_srcSize_wrong)
        return bad(alg, "the compressed data ends after " + std::to_string(left) +
                            " bytes of an unfinished frame");
      return bad(alg, std::string("corrupt data: ") + ZSTD_getErrorName(frame));
    }
    const unsigned long long declared = ZSTD_getFrameContentSize(p, left);
    if (declared == ZSTD_CONTENTSIZE_ERROR) return bad(alg, "corrupt frame header");
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN) {
      if (declared > out.size() - std::min(declared_total, out.size()))
        return bad(alg, "a frame declares " + std::to_string(declared) +
                            " bytes of content, more than the announced " +
                            std::to_string(out.size()) + " bytes");
      declared_total += static_cast<size_t>(declared);
    }
    at += frame;
  }
  // One shot into `out`: the output buffer is the decoder's window, so it
  // allocates no window of its own whatever window a frame declares (the
  // streaming API would buffer up to 2^Window_Log bytes, 8 MiB for a frame
  // of zstd's level 19 without a content size, per handshake, at the peer's
  // choosing). Content beyond out.size() fails as dstSize_tooSmall.
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> d(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!d) return Error(ErrorCode::internal_error, "zstd: ZSTD_createDCtx failed");
  const size_t rc = ZSTD_decompressDCtx(d.get(), out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(rc)) {
    if (ZSTD_getErrorCode(rc) == ZSTD_error_dstSize_tooSmall)
      return bad(alg, more_than(out.size()));
    if (ZSTD_getErrorCode(rc) == ZSTD_error_memory_allocation)
      return Error(ErrorCode::internal_error, "zstd: out of memory");
    return bad(alg, std::string("corrupt data: ") + ZSTD_getErrorName(rc));
  }
  if (rc != out.size()) return bad(alg, short_of(rc, out.size()));
  return ok();
}

}  // namespace

bool cert_compression_available(CertCompression alg) {
  switch (alg) {
    case CertCompression::zlib:
    case CertCompression::brotli:
    case CertCompression::zstd: return true;
  }
  return false;
}

Result<Bytes> compress_certificate_message(CertCompression alg, ByteView body) {
  if (!cert_compression_available(alg)) return unsupported(alg);
  // RFC 8446 4.4.2: a Certificate body holds at least its two length fields;
  // RFC 8879 4: its length must fit uncompressed_length (uint24).
  if (body.empty() || body.size() > kMaxLength)
    return Error(ErrorCode::internal_error, "cannot compress a Certificate message body of " +
                                                std::to_string(body.size()) + " bytes");
  Result<Bytes> out = Error(ErrorCode::internal_error);
  switch (alg) {
    case CertCompression::zlib: out = zlib_compress(body); break;
    case CertCompression::brotli: out = brotli_compress(body); break;
    case CertCompression::zstd: out = zstd_compress(body); break;
  }
  if (!out) return out;
  // RFC 8879 4: opaque compressed_certificate_message<1..2^24-1>.
  if (out->empty() || out->size() > kMaxLength)
    return Error(ErrorCode::internal_error, alg_name(alg) + " compressed " +
                                                std::to_string(body.size()) + " bytes to " +
                                                std::to_string(out->size()));
  return out;
}

Result<Bytes> decompress_certificate_message(CertCompression alg, uint32_t uncompressed_length,
                                             ByteView compressed) {
  if (!cert_compression_available(alg)) return unsupported(alg);
  // RFC 8879 4: uncompressed_length is the Certificate message's length,
  // never 0 (RFC 8446 4.4.2: the body holds at least its two length fields),
  // and a uint24.
  if (uncompressed_length == 0) return bad(alg, "announces an uncompressed_length of 0");
  if (uncompressed_length > kMaxLength)
    return bad(alg, "announces an uncompressed_length of " + std::to_string(uncompressed_length) +
                        ", above 2^24-1");
  // RFC 8879 4: opaque compressed_certificate_message<1..2^24-1>.
  if (compressed.empty()) return bad(alg, "the compressed_certificate_message is empty");
  if (compressed.size() > kMaxLength)
    return bad(alg, "the compressed_certificate_message is longer than 2^24-1 bytes");
  // RFC 8879 5: "Implementations MUST limit the size of the resulting
  // decompressed chain to the specified uncompressed length": the output is
  // this buffer and never grows.
  Bytes out(uncompressed_length);
  Result<void> r = ok();
  switch (alg) {
    case CertCompression::zlib: r = zlib_decompress(out, compressed); break;
    case CertCompression::brotli: r = brotli_decompress(out, compressed); break;
    case CertCompression::zstd: r = zstd_decompress(out, compressed); break;
  }
  if (!r) return std::move(r).error();
  return out;
}

#endif  // TESSERA_HAVE_CERT_COMPRESSION

}  // namespace tessera::handshake
