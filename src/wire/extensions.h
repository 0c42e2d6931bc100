// wire/extensions.h — TLS extensions: the generic Extension list and typed
// codecs for the extension_data of each extension tessera understands
// (RFC 8446 4.2, RFC 6066, RFC 7301, RFC 8422, RFC 7627, RFC 5746, RFC 5077).
//
//   struct {
//       ExtensionType extension_type;
//       opaque extension_data<0..2^16-1>;
//   } Extension;
//
// Messages keep their extensions as a list of raw Extension values (unknown
// types included, in the order received). Handshake code picks the ones it
// needs with find_extension() and decodes extension_data with the typed
// struct's parse(), which consumes exactly the data (trailing bytes are
// decode_error). Lists of groups, schemes, versions and suites stay raw
// uint16_t values so that unknown values offered by a peer survive parsing
// and can be ignored by negotiation and named in error messages.
//
// Errors: structural problems (lengths, truncation, trailing bytes) are
// decode_* codes with alert decode_error; well-formed but forbidden values
// are illegal_parameter. Messages start with the extension name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "wire/codec.h"

namespace tessera::wire {

// IANA TLS ExtensionType values.
inline constexpr uint16_t kExtServerName = 0;                   // RFC 6066
inline constexpr uint16_t kExtMaxFragmentLength = 1;            // RFC 6066
inline constexpr uint16_t kExtStatusRequest = 5;                // RFC 6066
inline constexpr uint16_t kExtSupportedGroups = 10;             // RFC 8446, RFC 8422
inline constexpr uint16_t kExtEcPointFormats = 11;              // RFC 8422
inline constexpr uint16_t kExtSignatureAlgorithms = 13;         // RFC 8446
inline constexpr uint16_t kExtUseSrtp = 14;                     // RFC 5764
inline constexpr uint16_t kExtHeartbeat = 15;                   // RFC 6520
inline constexpr uint16_t kExtAlpn = 16;                        // RFC 7301
inline constexpr uint16_t kExtSignedCertificateTimestamp = 18;  // RFC 6962
inline constexpr uint16_t kExtClientCertificateType = 19;       // RFC 7250
inline constexpr uint16_t kExtServerCertificateType = 20;       // RFC 7250
inline constexpr uint16_t kExtPadding = 21;                     // RFC 7685
inline constexpr uint16_t kExtEncryptThenMac = 22;              // RFC 7366
inline constexpr uint16_t kExtExtendedMasterSecret = 23;        // RFC 7627
inline constexpr uint16_t kExtCompressCertificate = 27;         // RFC 8879
inline constexpr uint16_t kExtRecordSizeLimit = 28;             // RFC 8449
inline constexpr uint16_t kExtSessionTicket = 35;               // RFC 5077
inline constexpr uint16_t kExtPreSharedKey = 41;                // RFC 8446
inline constexpr uint16_t kExtEarlyData = 42;                   // RFC 8446
inline constexpr uint16_t kExtSupportedVersions = 43;           // RFC 8446
inline constexpr uint16_t kExtCookie = 44;                      // RFC 8446
inline constexpr uint16_t kExtPskKeyExchangeModes = 45;         // RFC 8446
inline constexpr uint16_t kExtCertificateAuthorities = 47;      // RFC 8446
inline constexpr uint16_t kExtOidFilters = 48;                  // RFC 8446
inline constexpr uint16_t kExtPostHandshakeAuth = 49;           // RFC 8446
inline constexpr uint16_t kExtSignatureAlgorithmsCert = 50;     // RFC 8446
inline constexpr uint16_t kExtKeyShare = 51;                    // RFC 8446
inline constexpr uint16_t kExtEchOuterExtensions = 0xfd00;      // draft-ietf-tls-esni 5.1
inline constexpr uint16_t kExtEncryptedClientHello = 0xfe0d;    // draft-ietf-tls-esni
inline constexpr uint16_t kExtRenegotiationInfo = 0xff01;       // RFC 5746

// extension_name returns the IANA name ("server_name",
// "application_layer_protocol_negotiation", ...) or "unknown(N)".
std::string extension_name(uint16_t type);

struct Extension {
  uint16_t type = 0;
  Bytes data;  // extension_data, without its length prefix

  friend bool operator==(const Extension&, const Extension&) = default;
};
using Extensions = std::vector<Extension>;

// read_extensions reads `Extension extensions<min_len..max_len>` (2-byte
// length) from r. `what` names the enclosing message for errors. Fails with
// decode_* on bad lengths and with illegal_parameter if a type occurs twice.
Result<Extensions> read_extensions(ByteReader& r, size_t min_len, size_t max_len,
                                   std::string_view what);

// write_extensions writes the list with its 2-byte length, in list order.
void write_extensions(ByteWriter& w, const Extensions& extensions);

// find_extension returns the extension of the given type, or nullptr. The
// pointer is valid while the list is unchanged.
const Extension* find_extension(const Extensions& extensions, uint16_t type);

// make_extension serializes a typed extension body into an Extension. A
// body that overflows one of its own length prefixes (a bug in the caller,
// or a peer's value too large to send back) becomes 2^16 bytes long, more
// than any extension can be: the message carrying it then fails to encode
// (ByteWriter::finish: decode_length), instead of going out malformed.
inline constexpr size_t kUnencodableExtension = 0x10000;
template <class T>
Extension make_extension(uint16_t type, const T& body) {
  ByteWriter w(kExtensionReserve);
  body.serialize(w);
  if (w.failed()) return Extension{type, Bytes(kUnencodableExtension)};
  return Extension{type, std::move(w).take()};
}

// make_empty_extension returns an extension with empty extension_data
// (extended_master_secret, the server's server_name / early_data echo, ...).
inline Extension make_empty_extension(uint16_t type) { return Extension{type, {}}; }

// expect_empty_extension succeeds if e.data is empty, else decode_error
// naming the extension.
Result<void> expect_empty_extension(const Extension& e);

// --- server_name (RFC 6066 3), ClientHello form -----------------------------
// The server's acknowledgement is an empty extension.
struct ServerNameList {
  std::string host_name;  // ASCII, no trailing dot, no NUL

  // parse requires exactly one host_name(0) entry. Another name type, a
  // second host_name, a NUL or non-ASCII byte or a trailing dot is
  // illegal_parameter; bad lengths (including an empty list or name) are
  // decode_error.
  static Result<ServerNameList> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- supported_groups (RFC 8446 4.2.7, RFC 8422 5.1.1) ----------------------
struct NamedGroupList {
  std::vector<uint16_t> groups;  // named_group_list<2..2^16-1>, may hold unknown values

  static Result<NamedGroupList> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- signature_algorithms / signature_algorithms_cert (RFC 8446 4.2.3) -----
struct SignatureSchemeList {
  std::vector<uint16_t> schemes;  // supported_signature_algorithms<2..2^16-2>

  static Result<SignatureSchemeList> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- supported_versions (RFC 8446 4.2.1) -----------------------------------
// ClientHello: ProtocolVersion versions<2..254> (1-byte length).
struct SupportedVersionsClient {
  std::vector<uint16_t> versions;

  static Result<SupportedVersionsClient> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};
// ServerHello / HelloRetryRequest: ProtocolVersion selected_version.
struct SupportedVersionsServer {
  uint16_t selected_version = 0x0304;

  static Result<SupportedVersionsServer> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- key_share (RFC 8446 4.2.8) --------------------------------------------
struct KeyShareEntry {
  uint16_t group = 0;
  Bytes key_exchange;  // opaque key_exchange<1..2^16-1>

  static Result<KeyShareEntry> read(ByteReader& r);
  void serialize(ByteWriter& w) const;
  friend bool operator==(const KeyShareEntry&, const KeyShareEntry&) = default;
};
// ClientHello: KeyShareEntry client_shares<0..2^16-1>; a group offered twice
// is illegal_parameter.
struct KeyShareClientHello {
  std::vector<KeyShareEntry> client_shares;

  static Result<KeyShareClientHello> parse(ByteView data);
  void serialize(ByteWriter& w) const;
  // find returns the share for group, or nullptr.
  const KeyShareEntry* find(uint16_t group) const;
};
// ServerHello: KeyShareEntry server_share.
struct KeyShareServerHello {
  KeyShareEntry server_share;

  static Result<KeyShareServerHello> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};
// HelloRetryRequest: NamedGroup selected_group.
struct KeyShareHelloRetryRequest {
  uint16_t selected_group = 0;

  static Result<KeyShareHelloRetryRequest> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- cookie (RFC 8446 4.2.2) -----------------------------------------------
struct Cookie {
  Bytes cookie;  // opaque cookie<1..2^16-1>

  static Result<Cookie> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- application_layer_protocol_negotiation (RFC 7301 3.1) -----------------
struct ProtocolNameList {
  std::vector<std::string> protocol_names;  // each opaque ProtocolName<1..2^8-1>

  // parse reads ProtocolNameList protocol_name_list<2..2^16-1>; an empty name
  // is decode_error.
  static Result<ProtocolNameList> parse(ByteView data);
  // parse_selected reads the ServerHello / EncryptedExtensions form, which
  // holds exactly one name; more than one is illegal_parameter.
  static Result<std::string> parse_selected(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- psk_key_exchange_modes (RFC 8446 4.2.9) -------------------------------
enum class PskKeyExchangeMode : uint8_t { psk_ke = 0, psk_dhe_ke = 1 };
struct PskKeyExchangeModes {
  std::vector<uint8_t> modes;  // PskKeyExchangeMode ke_modes<1..255>, unknown values kept

  static Result<PskKeyExchangeModes> parse(ByteView data);
  void serialize(ByteWriter& w) const;
  bool contains(PskKeyExchangeMode m) const;
};

// --- pre_shared_key (RFC 8446 4.2.11) --------------------------------------
struct PskIdentity {
  Bytes identity;  // opaque identity<1..2^16-1>
  uint32_t obfuscated_ticket_age = 0;
  friend bool operator==(const PskIdentity&, const PskIdentity&) = default;
};
// ClientHello: OfferedPsks { identities<7..2^16-1>; binders<33..2^16-1> }.
struct OfferedPsks {
  std::vector<PskIdentity> identities;
  std::vector<Bytes> binders;  // opaque PskBinderEntry<32..255>, one per identity

  // parse fails with illegal_parameter if the number of binders differs from
  // the number of identities.
  static Result<OfferedPsks> parse(ByteView data);
  void serialize(ByteWriter& w) const;
  // binders_size returns the encoded size of the binders list, its 2-byte
  // length included: the tail of the ClientHello left out of the binder
  // transcript (RFC 8446 4.2.11.2).
  size_t binders_size() const;
  // serialize_binders writes just the binders list (with its length).
  void serialize_binders(ByteWriter& w) const;
};
// ServerHello: uint16 selected_identity.
struct PreSharedKeyServerHello {
  uint16_t selected_identity = 0;

  static Result<PreSharedKeyServerHello> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- early_data (RFC 8446 4.2.10) ------------------------------------------
// In ClientHello and EncryptedExtensions the extension is empty; in
// NewSessionTicket it carries max_early_data_size.
struct EarlyDataNewSessionTicket {
  uint32_t max_early_data_size = 0;

  static Result<EarlyDataNewSessionTicket> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- certificate_authorities (RFC 8446 4.2.4) ------------------------------
struct CertificateAuthorities {
  // DistinguishedName authorities<3..2^16-1>; each opaque
  // DistinguishedName<1..2^16-1>, DER left uninterpreted here.
  std::vector<Bytes> authorities;

  static Result<CertificateAuthorities> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};
// read_distinguished_names reads `DistinguishedName field<min_len..2^16-1>`
// (shared with the TLS 1.2 CertificateRequest).
Result<std::vector<Bytes>> read_distinguished_names(ByteReader& r, size_t min_len,
                                                    std::string_view field);
void write_distinguished_names(ByteWriter& w, const std::vector<Bytes>& names);

// --- ec_point_formats (RFC 8422 5.1.2) -------------------------------------
inline constexpr uint8_t kEcPointFormatUncompressed = 0;
struct EcPointFormats {
  std::vector<uint8_t> formats = {kEcPointFormatUncompressed};  // <1..2^8-1>

  // parse fails with illegal_parameter if uncompressed(0) is missing.
  static Result<EcPointFormats> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- renegotiation_info (RFC 5746 3.2) -------------------------------------
struct RenegotiationInfo {
  Bytes renegotiated_connection;  // opaque <0..255>; empty on an initial handshake

  static Result<RenegotiationInfo> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- session_ticket (RFC 5077 3.2) -----------------------------------------
struct SessionTicketExtension {
  Bytes ticket;  // the whole extension_data; empty to ask for a new ticket

  static Result<SessionTicketExtension> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- record_size_limit (RFC 8449 4) -----------------------------------------
// RFC 8449 4: the largest protected record plaintext the sender accepts; in
// TLS 1.3 it counts the inner content type and padding (TLSInnerPlaintext).
inline constexpr uint16_t kMinRecordSizeLimit = 64;
inline constexpr uint16_t kMaxRecordSizeLimit12 = 16384;  // 2^14
inline constexpr uint16_t kMaxRecordSizeLimit13 = 16385;  // 2^14 + 1
struct RecordSizeLimit {
  uint16_t limit = kMaxRecordSizeLimit13;

  // parse reads the uint16 (anything else: decode_error); a value below 64
  // is illegal_parameter. Values above the protocol's maximum are accepted
  // here: only a client may refuse them, once the version is known.
  static Result<RecordSizeLimit> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- compress_certificate (RFC 8879 3) --------------------------------------
//   struct {
//       CertificateCompressionAlgorithm algorithms<2..2^8-2>;
//   } CertificateCompressionAlgorithms;
struct CertificateCompressionAlgorithms {
  std::vector<uint16_t> algorithms;  // unknown values are kept (and ignored by the handshake)

  // parse: decode_* on a bad length (odd, empty or trailing bytes).
  static Result<CertificateCompressionAlgorithms> parse(ByteView data);
  void serialize(ByteWriter& w) const;
};

// --- status_request (RFC 6066 8) -------------------------------------------
// A client asks for a stapled OCSP response with status_type ocsp(1), an
// empty responder_id_list (the responders are the server's to know) and no
// request_extensions: 01 0000 0000. A server answers with the response it
// has, whatever responders and extensions the request names.
struct CertificateStatusRequest {
  uint8_t status_type = 1;  // ocsp(1)

  void serialize(ByteWriter& w) const;

  // parse validates the ocsp(1) form (responder_id_list<0..2^16-1>,
  // request_extensions<0..2^16-1>); other status types are accepted opaque.
  static Result<CertificateStatusRequest> parse(ByteView data);
};

}  // namespace tessera::wire
