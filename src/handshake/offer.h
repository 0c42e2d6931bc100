// handshake/offer.h — what a server learns from a ClientHello, parsed once
// and shared by the TLS 1.3 and TLS 1.2 servers (version negotiation happens
// before either takes over).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "tessera/result.h"
#include "wire/extensions.h"
#include "wire/hello.h"

namespace tessera::handshake {

// RFC 7507 1: TLS_FALLBACK_SCSV; RFC 5746 3.3: TLS_EMPTY_RENEGOTIATION_INFO_SCSV.
inline constexpr uint16_t kFallbackScsv = 0x5600;
inline constexpr uint16_t kEmptyRenegotiationInfoScsv = 0x00ff;

struct Offer {
  wire::ClientHello ch;
  std::vector<uint16_t> versions;  // supported_versions (empty if absent)
  std::vector<uint16_t> groups;
  std::vector<uint16_t> schemes;
  std::vector<uint16_t> cert_schemes;
  std::optional<wire::KeyShareClientHello> shares;
  std::vector<std::string> alpn;
  std::string sni;
  Bytes cookie;
  std::optional<wire::OfferedPsks> psks;  // pre_shared_key (RFC 8446 4.2.11)
  std::vector<uint8_t> psk_modes;         // psk_key_exchange_modes (RFC 8446 4.2.9)
  bool early_data = false;                // early_data (RFC 8446 4.2.10): 0-RTT data follows
  bool post_handshake_auth = false;       // RFC 8446 4.2.6: may be asked for a certificate later
  std::optional<uint16_t> record_size_limit;  // RFC 8449 4 (as sent: may exceed 2^14 + 1)
  std::vector<uint16_t> cert_compression;     // RFC 8879 3 compress_certificate (TLS 1.3)
  bool status_request_ocsp = false;           // RFC 6066 8 status_request of type ocsp(1)
  // A compress_certificate that does not parse: an error only once TLS 1.3
  // is chosen (RFC 8879 3: with TLS 1.2 "the peers MUST ignore this
  // extension").
  std::optional<Error> cert_compression_error;
  // TLS 1.2
  bool extended_master_secret = false;      // RFC 7627
  std::optional<Bytes> renegotiation_info;  // RFC 5746 (present, with its content)
  bool ec_point_formats = false;            // RFC 8422 5.1.2 (uncompressed checked)
  std::optional<Bytes> session_ticket;      // RFC 5077 (present, maybe empty)
  bool fallback_scsv = false;               // RFC 7507
  bool renegotiation_scsv = false;          // RFC 5746 3.3

  // offered_versions is what the client can speak: supported_versions when
  // present, else legacy_version (RFC 8446 4.2.1; a legacy_version above
  // TLS 1.2 without the extension means TLS 1.2, RFC 8446 D.2).
  std::vector<uint16_t> offered_versions() const;
  // secure_renegotiation says whether the client signalled RFC 5746 support.
  bool secure_renegotiation() const { return renegotiation_scsv || renegotiation_info; }
};

// parse_offer decodes a ClientHello body and the extensions tessera uses;
// malformed extensions fail with their own decode error.
Result<Offer> parse_offer(ByteView body);

}  // namespace tessera::handshake
