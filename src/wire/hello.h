// wire/hello.h — ClientHello and ServerHello (RFC 8446 4.1.2, 4.1.3;
// RFC 5246 7.4.1.2, 7.4.1.3). A HelloRetryRequest is a ServerHello with a
// special random (is_hello_retry_request()).
//
//   struct {
//       ProtocolVersion legacy_version = 0x0303;
//       Random random;
//       opaque legacy_session_id<0..32>;
//       CipherSuite cipher_suites<2..2^16-2>;
//       opaque legacy_compression_methods<1..2^8-1>;
//       Extension extensions<8..2^16-1>;
//   } ClientHello;
//
//   struct {
//       ProtocolVersion legacy_version = 0x0303;
//       Random random;
//       opaque legacy_session_id_echo<0..32>;
//       CipherSuite cipher_suite;
//       uint8 legacy_compression_method = 0;
//       Extension extensions<6..2^16-1>;
//   } ServerHello;
//
// Both parsers accept the TLS 1.2 forms too: the extensions block may be
// absent (RFC 5246 7.4.1.2: "the presence of extensions can be detected by
// determining whether there are bytes following the compression methods")
// and, without supported_versions, may be shorter than the TLS 1.3 minimum.
// Version-specific rules (TLS 1.3 compression must be [0], ...) are checked
// by the handshake layer, which knows the negotiated version.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "wire/extensions.h"
#include "wire/handshake.h"

namespace tessera::wire {

using Random = std::array<uint8_t, 32>;

inline constexpr uint16_t kLegacyVersionTls12 = 0x0303;
inline constexpr size_t kMaxSessionIdLength = 32;

// RFC 8446 4.1.3: the Random of a HelloRetryRequest is SHA-256 of
// "HelloRetryRequest".
inline constexpr Random kHelloRetryRequestRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// RFC 8446 4.1.3: the last 8 bytes of ServerHello.random when a TLS 1.3
// server negotiates TLS 1.2 (…01) or TLS 1.1 or below (…00).
inline constexpr std::array<uint8_t, 8> kDowngradeSentinelTls12 = {0x44, 0x4F, 0x57, 0x4E,
                                                                   0x47, 0x52, 0x44, 0x01};
inline constexpr std::array<uint8_t, 8> kDowngradeSentinelTls11 = {0x44, 0x4F, 0x57, 0x4E,
                                                                   0x47, 0x52, 0x44, 0x00};

enum class DowngradeSentinel : uint8_t { none, tls12, tls11_or_below };

// set_downgrade_sentinel overwrites the last 8 bytes of a server random with
// the sentinel (none leaves it unchanged).
void set_downgrade_sentinel(Random& random, DowngradeSentinel sentinel);
// downgrade_sentinel_of reports which sentinel, if any, ends a server random.
DowngradeSentinel downgrade_sentinel_of(const Random& random);

struct ClientHello {
  static constexpr HandshakeType kType = HandshakeType::client_hello;

  uint16_t legacy_version = kLegacyVersionTls12;
  Random random{};
  Bytes legacy_session_id;                 // <0..32>
  std::vector<uint16_t> cipher_suites;     // raw values, unknown ones kept, in client order
  Bytes legacy_compression_methods = {0};  // <1..2^8-1>
  Extensions extensions;                   // in received order
  // RFC 5246 7.4.1.2 `extensions_present`: false only for a TLS 1.2 hello
  // that ends after the compression methods. serialize writes the block when
  // this is true or extensions is non-empty, so parse and serialize are exact
  // inverses.
  bool extensions_present = true;

  // parse decodes a ClientHello body (no handshake header). Fails with
  // decode_* on bad lengths or trailing bytes (the message names the field),
  // illegal_parameter on a duplicated extension or a pre_shared_key that is
  // not the last extension.
  static Result<ClientHello> parse(ByteView body);
  // serialize writes the body (see extensions_present).
  void serialize(ByteWriter& w) const;

  // find_extension returns the extension of that type, or nullptr.
  const Extension* find_extension(uint16_t type) const {
    return wire::find_extension(extensions, type);
  }

  // binders_size returns how many bytes at the end of the message the PSK
  // binders list occupies (its 2-byte length included), or 0 without a
  // pre_shared_key extension; a malformed pre_shared_key is an error.
  Result<size_t> binders_size() const;
  // truncate_for_binders returns the prefix of `message` (the complete
  // handshake message, header included, that this ClientHello was parsed
  // from or serialized to) that ends before the binders list: the input of
  // the binder transcript hash, RFC 8446 4.2.11.2. Without pre_shared_key it
  // returns all of message. The view aliases `message`.
  Result<ByteView> truncate_for_binders(ByteView message) const;
};

struct ServerHello {
  static constexpr HandshakeType kType = HandshakeType::server_hello;

  uint16_t legacy_version = kLegacyVersionTls12;
  Random random{};
  Bytes legacy_session_id_echo;  // <0..32>
  uint16_t cipher_suite = 0;
  uint8_t legacy_compression_method = 0;
  Extensions extensions;
  bool extensions_present = true;  // as in ClientHello

  // parse decodes a ServerHello (or HelloRetryRequest) body. Fails with
  // decode_* on bad lengths or trailing bytes, illegal_parameter on a
  // duplicated extension.
  static Result<ServerHello> parse(ByteView body);
  void serialize(ByteWriter& w) const;

  const Extension* find_extension(uint16_t type) const {
    return wire::find_extension(extensions, type);
  }
  // is_hello_retry_request is true iff random is kHelloRetryRequestRandom
  // (RFC 8446 4.1.3).
  bool is_hello_retry_request() const { return random == kHelloRetryRequestRandom; }
  // downgrade_sentinel reports the RFC 8446 4.1.3 sentinel in random.
  DowngradeSentinel downgrade_sentinel() const { return downgrade_sentinel_of(random); }
};

}  // namespace tessera::wire
