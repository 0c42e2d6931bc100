// handshake/cert_compression.h — the codecs behind RFC 8879 certificate
// compression: a TLS 1.3 Certificate message body in, the
// compressed_certificate_message of a CompressedCertificate out, and back.
//
//   zlib   (1)  RFC 1950 zlib format (a 2-byte header, deflate, Adler-32)
//   brotli (2)  RFC 7932
//   zstd   (3)  RFC 8478 (one or more frames)
//
// Decompression is the peer's input and is bounded: the output buffer is
// exactly the announced uncompressed_length, allocated up front, and the
// decoders' own memory is capped (see cert_compression.cc). Negotiation (which
// algorithms were offered, RFC 8879 3) and the handshake's message size limit
// are the caller's to check before calling.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "tessera/algorithms.h"
#include "tessera/result.h"

namespace tessera::handshake {

// cert_compression_available says whether this build can compress and
// decompress with `alg`: all three algorithms when built with
// TESSERA_CERT_COMPRESSION, none without; never a value outside the enum.
bool cert_compression_available(CertCompression alg);

// compress_certificate_message compresses an encoded Certificate message body
// (RFC 8879 4: without its 4-byte handshake header) at a high-ratio setting:
// the result is meant to be computed once per credential and cached. The
// caller should still send the plain Certificate when the result is not
// smaller. internal_error if `alg` is unavailable, the body is empty or longer
// than 2^24-1 bytes, or the library fails.
Result<Bytes> compress_certificate_message(CertCompression alg, ByteView body);

// decompress_certificate_message inflates a CompressedCertificate's
// compressed_certificate_message into exactly uncompressed_length bytes: the
// Certificate body to parse as if it had been sent uncompressed (RFC 8879 5).
// It never produces or allocates more than uncompressed_length bytes of
// output. Any failure to decompress to exactly that length (the stream would
// produce more, ends early, has bytes after its end, or is corrupt), an
// uncompressed_length of 0 or above 2^24-1, or empty input is cert_parse with
// the bad_certificate alert (RFC 8879 4), its message naming the algorithm and
// the fault. internal_error if `alg` is unavailable (a peer's choice of an
// algorithm we did not offer is illegal_parameter, for the caller to send).
Result<Bytes> decompress_certificate_message(CertCompression alg, uint32_t uncompressed_length,
                                             ByteView compressed);

}  // namespace tessera::handshake
