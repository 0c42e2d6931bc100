#include "wire/hello.h"

#include <algorithm>
#include <string>

namespace tessera::wire {

namespace {

Result<Random> read_random(ByteReader& r) {
  TESSERA_ASSIGN_OR_RETURN(ByteView v, field_context(r.read_bytes(32), "random"));
  Random out;
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

// read_hello_extensions reads the optional extensions block of a hello.
// min_tls13 is the lower bound RFC 8446 sets for the block; it applies when
// supported_versions is present, i.e. when the hello is a TLS 1.3 one.
Result<Extensions> read_hello_extensions(ByteReader& r, size_t min_tls13) {
  // RFC 5246 7.4.1.2: the extensions block may be absent entirely.
  if (r.empty()) return Extensions{};
  TESSERA_ASSIGN_OR_RETURN(Extensions exts, read_extensions(r, 0, 0xFFFF, ""));
  size_t block = 0;
  for (const Extension& e : exts) block += 4 + e.data.size();
  // RFC 8446 4.1.2 / 4.1.3: Extension extensions<8..2^16-1> (ClientHello),
  // <6..2^16-1> (ServerHello) in a TLS 1.3 hello.
  if (find_extension(exts, kExtSupportedVersions) != nullptr && block < min_tls13) {
    return Error(ErrorCode::decode_length, "extensions: length " + std::to_string(block) +
                                               " is below the TLS 1.3 minimum of " +
                                               std::to_string(min_tls13));
  }
  return exts;
}

}  // namespace

void set_downgrade_sentinel(Random& random, DowngradeSentinel sentinel) {
  if (sentinel == DowngradeSentinel::none) return;
  const auto& s =
      sentinel == DowngradeSentinel::tls12 ? kDowngradeSentinelTls12 : kDowngradeSentinelTls11;
  std::copy(s.begin(), s.end(), random.end() - 8);
}

DowngradeSentinel downgrade_sentinel_of(const Random& random) {
  if (std::equal(kDowngradeSentinelTls12.begin(), kDowngradeSentinelTls12.end(),
                 random.end() - 8)) {
    return DowngradeSentinel::tls12;
  }
  if (std::equal(kDowngradeSentinelTls11.begin(), kDowngradeSentinelTls11.end(),
                 random.end() - 8)) {
    return DowngradeSentinel::tls11_or_below;
  }
  return DowngradeSentinel::none;
}

// --- ClientHello ---------------------------------------------------------------

Result<ClientHello> ClientHello::parse(ByteView body) {
  auto parsed = [&]() -> Result<ClientHello> {
    ByteReader r(body);
    ClientHello ch;
    TESSERA_ASSIGN_OR_RETURN(ch.legacy_version, field_context(r.read_u16(), "legacy_version"));
    TESSERA_ASSIGN_OR_RETURN(ch.random, read_random(r));
    // RFC 8446 4.1.2: opaque legacy_session_id<0..32>;
    TESSERA_ASSIGN_OR_RETURN(ch.legacy_session_id,
                             read_opaque(r, 1, 0, kMaxSessionIdLength, "legacy_session_id"));
    // RFC 8446 4.1.2: CipherSuite cipher_suites<2..2^16-2>;
    TESSERA_ASSIGN_OR_RETURN(ch.cipher_suites, read_u16_list(r, 2, 2, 0xFFFE, "cipher_suites"));
    // RFC 8446 4.1.2: opaque legacy_compression_methods<1..2^8-1>;
    TESSERA_ASSIGN_OR_RETURN(ch.legacy_compression_methods,
                             read_opaque(r, 1, 1, 255, "legacy_compression_methods"));
    ch.extensions_present = !r.empty();
    TESSERA_ASSIGN_OR_RETURN(ch.extensions, read_hello_extensions(r, 8));
    TESSERA_TRY(r.expect_end("the extensions"));
    // RFC 8446 4.2.11: The "pre_shared_key" extension MUST be the last
    // extension in the ClientHello ... Servers MUST check that it is the last
    // extension and otherwise fail the handshake with an "illegal_parameter"
    // alert.
    for (size_t i = 0; i + 1 < ch.extensions.size(); ++i) {
      if (ch.extensions[i].type == kExtPreSharedKey) {
        return Error(ErrorCode::illegal_parameter, AlertDescription::illegal_parameter,
                     "pre_shared_key is extension " + std::to_string(i + 1) + " of " +
                         std::to_string(ch.extensions.size()) + ", it must be the last");
      }
    }
    return ch;
  }();
  if (!parsed.ok()) return std::move(parsed).error().with_context("ClientHello");
  return parsed;
}

void ClientHello::serialize(ByteWriter& w) const {
  w.u16(legacy_version);
  w.bytes(random);
  w.prefixed_bytes(1, legacy_session_id);
  write_u16_list(w, 2, cipher_suites);
  w.prefixed_bytes(1, legacy_compression_methods);
  if (extensions_present || !extensions.empty()) write_extensions(w, extensions);
}

Result<size_t> ClientHello::binders_size() const {
  if (extensions.empty() || extensions.back().type != kExtPreSharedKey) return size_t{0};
  TESSERA_ASSIGN_OR_RETURN(OfferedPsks psks, OfferedPsks::parse(extensions.back().data));
  return psks.binders_size();
}

Result<ByteView> ClientHello::truncate_for_binders(ByteView message) const {
  TESSERA_ASSIGN_OR_RETURN(size_t binders, binders_size());
  if (message.size() < kHandshakeHeaderSize + binders) {
    return Error(ErrorCode::internal_error,
                 "ClientHello: message of " + std::to_string(message.size()) +
                     " bytes cannot hold a binders list of " + std::to_string(binders) + " bytes");
  }
  return message.first(message.size() - binders);
}

// --- ServerHello -----------------------------------------------------------------

Result<ServerHello> ServerHello::parse(ByteView body) {
  std::string_view context = "ServerHello";
  auto parsed = [&]() -> Result<ServerHello> {
    ByteReader r(body);
    ServerHello sh;
    TESSERA_ASSIGN_OR_RETURN(sh.legacy_version, field_context(r.read_u16(), "legacy_version"));
    TESSERA_ASSIGN_OR_RETURN(sh.random, read_random(r));
    // RFC 8446 4.1.3: opaque legacy_session_id_echo<0..32>;
    TESSERA_ASSIGN_OR_RETURN(sh.legacy_session_id_echo,
                             read_opaque(r, 1, 0, kMaxSessionIdLength, "legacy_session_id_echo"));
    TESSERA_ASSIGN_OR_RETURN(sh.cipher_suite, field_context(r.read_u16(), "cipher_suite"));
    TESSERA_ASSIGN_OR_RETURN(sh.legacy_compression_method,
                             field_context(r.read_u8(), "legacy_compression_method"));
    if (sh.is_hello_retry_request()) context = "HelloRetryRequest";
    sh.extensions_present = !r.empty();
    TESSERA_ASSIGN_OR_RETURN(sh.extensions, read_hello_extensions(r, 6));
    TESSERA_TRY(r.expect_end("the extensions"));
    return sh;
  }();
  if (!parsed.ok()) return std::move(parsed).error().with_context(context);
  return parsed;
}

void ServerHello::serialize(ByteWriter& w) const {
  w.u16(legacy_version);
  w.bytes(random);
  w.prefixed_bytes(1, legacy_session_id_echo);
  w.u16(cipher_suite);
  w.u8(legacy_compression_method);
  if (extensions_present || !extensions.empty()) write_extensions(w, extensions);
}

}  // namespace tessera::wire
