// wire/ech.h — Encrypted Client Hello wire structures (draft-ietf-tls-esni-25):
// the ECHConfig a server publishes (4), the encrypted_client_hello extension
// in its three forms (5), ech_outer_extensions and the EncodedClientHelloInner
// (5.1), the ClientHelloOuterAAD (5.2) and the client's padding (6.1.3).
//
//   struct {
//       HpkeKdfId kdf_id;
//       HpkeAeadId aead_id;
//   } HpkeSymmetricCipherSuite;
//
//   struct {
//       uint8 config_id;
//       HpkeKemId kem_id;
//       HpkePublicKey public_key;                           // <1..2^16-1>
//       HpkeSymmetricCipherSuite cipher_suites<4..2^16-4>;
//   } HpkeKeyConfig;
//
//   struct {
//       HpkeKeyConfig key_config;
//       uint8 maximum_name_length;
//       opaque public_name<1..255>;
//       ECHConfigExtension extensions<0..2^16-1>;
//   } ECHConfigContents;
//
//   struct {
//       uint16 version;
//       uint16 length;
//       select (ECHConfig.version) {
//         case 0xfe0d: ECHConfigContents contents;
//       }
//   } ECHConfig;
//
//   ECHConfig ECHConfigList<4..2^16-1>;
//
// HPKE itself (RFC 9180) is not here: this file only moves bytes. The
// handshake seals EncodedClientHelloInner with ClientHelloOuterAAD as the
// associated data and ech_hpke_info() as the info.
//
// Errors follow wire/extensions.h: bad lengths, truncation and trailing bytes
// are decode_* (alert decode_error); well-formed but forbidden values are
// illegal_parameter. Messages start with the structure's name.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "wire/extensions.h"
#include "wire/hello.h"

namespace tessera::wire {

// draft-ietf-tls-esni-25 4: ECHConfig.version of this draft, the same value
// as the encrypted_client_hello code point.
inline constexpr uint16_t kEchVersion = 0xfe0d;
static_assert(kEchVersion == kExtEncryptedClientHello);

// 5: ECHHelloRetryRequest.confirmation is 8 bytes.
inline constexpr size_t kEchConfirmationSize = 8;

// 5.1: ExtensionType OuterExtensions<2..254> holds at most 127 types.
inline constexpr size_t kMaxEchOuterExtensions = 127;

// --- ECHConfig (section 4) ---------------------------------------------------

struct HpkeSymmetricCipherSuite {
  uint16_t kdf_id = 0;   // HpkeKdfId, RFC 9180 7.2
  uint16_t aead_id = 0;  // HpkeAeadId, RFC 9180 7.3

  friend bool operator==(const HpkeSymmetricCipherSuite&,
                         const HpkeSymmetricCipherSuite&) = default;
};

struct HpkeKeyConfig {
  uint8_t config_id = 0;
  uint16_t kem_id = 0;  // HpkeKemId, RFC 9180 7.1
  Bytes public_key;     // HpkePublicKey<1..2^16-1>, as SerializePublicKey writes it
  std::vector<HpkeSymmetricCipherSuite> cipher_suites;  // <4..2^16-4>, unknown ids kept

  // read reads one HpkeKeyConfig from r: decode_* on bad lengths (an empty
  // public key or suite list, a suite list that is not a multiple of 4).
  static Result<HpkeKeyConfig> read(ByteReader& r);
  void serialize(ByteWriter& w) const;

  friend bool operator==(const HpkeKeyConfig&, const HpkeKeyConfig&) = default;
};

// is_mandatory_ech_config_extension: 4.2, an ECHConfigExtension type with the
// high-order bit set is mandatory: a client that does not support it ignores
// the whole ECHConfig.
constexpr bool is_mandatory_ech_config_extension(uint16_t type) { return (type & 0x8000) != 0; }

struct EchConfigContents {
  HpkeKeyConfig key_config;
  uint8_t maximum_name_length = 0;
  std::string public_name;  // opaque public_name<1..255>, as received (see check_public_name)
  // ECHConfigExtension extensions<0..2^16-1>: each {uint16 type; opaque
  // data<0..2^16-1>}, the layout of a TLS Extension, in received order. The
  // types are ECHConfig extension types (11.3), not TLS ExtensionTypes.
  Extensions extensions;

  // read reads the contents from r: decode_* on bad lengths or an extension
  // type that occurs twice (4.2). public_name is not checked here.
  static Result<EchConfigContents> read(ByteReader& r);
  void serialize(ByteWriter& w) const;

  // unsupported_mandatory_extension returns the first mandatory extension
  // (is_mandatory_ech_config_extension) whose type is not in `supported`, or
  // nullopt: 4.2, a client MUST ignore a config that has one.
  std::optional<uint16_t> unsupported_mandatory_extension(
      std::span<const uint16_t> supported = {}) const;

  friend bool operator==(const EchConfigContents&, const EchConfigContents&) = default;
};

// EchConfig is one ECHConfig. `raw` is the config as encoded (version and
// length included): what serialize writes, and the ECHConfig that HPKE's
// info string ends with (ech_hpke_info). version and contents are the
// decoded view of raw, so make EchConfig values with parse / read (received
// configs) or make (new ones) and do not edit them in place.
struct EchConfig {
  uint16_t version = kEchVersion;
  // The decoded contents when version == kEchVersion; left empty for any
  // other version, whose contents are opaque (they stay in raw).
  EchConfigContents contents;
  Bytes raw;

  // supported is true for the version this file decodes. 4: Clients MUST
  // ignore any ECHConfig structure with a version they do not support.
  bool supported() const { return version == kEchVersion; }

  // read reads one ECHConfig from r. Any version is accepted (its contents
  // kept opaque in raw); a version-0xfe0d config must fill its length
  // exactly. decode_* on bad lengths or trailing bytes inside the config.
  static Result<EchConfig> read(ByteReader& r);
  // parse decodes data holding exactly one ECHConfig (no list length).
  static Result<EchConfig> parse(ByteView data);
  // make encodes a version-0xfe0d config from contents and checks it as a
  // received one would be (parse): decode_length if a field is empty or
  // longer than its length allows (public_name of 0 or more than 255 bytes,
  // no cipher suite, ...). check_public_name is not applied.
  static Result<EchConfig> make(const EchConfigContents& contents);

  // serialize writes raw.
  void serialize(ByteWriter& w) const { w.bytes(raw); }
};

// EchConfigList is an ECHConfigList, configs in the server's order of
// preference. Configs of versions we do not support are kept (a server
// re-serializing a list keeps them; a client skips them, and counts them
// with supported_count to tell "no usable config" apart, 6.1.6). As with
// EchConfig, raw is the encoding (its 2-byte length included), what
// serialize writes; make lists with parse / read or make.
struct EchConfigList {
  std::vector<EchConfig> configs;
  Bytes raw;

  // read reads `ECHConfig ECHConfigList<4..2^16-1>` from r: decode_* on a
  // bad length, a malformed config or trailing bytes inside the list.
  static Result<EchConfigList> read(ByteReader& r);
  // parse decodes data holding exactly one ECHConfigList (the value of the
  // DNS "ech" parameter, the retry_configs of EncryptedExtensions).
  static Result<EchConfigList> parse(ByteView data);
  // make lists configs (each serialized from its raw) and checks the result
  // as parse would: decode_length for an empty list or one over 2^16-1 bytes.
  static Result<EchConfigList> make(const std::vector<EchConfig>& configs);

  void serialize(ByteWriter& w) const { w.bytes(raw); }
  // supported_count counts the configs whose version is supported.
  size_t supported_count() const;
};

// check_public_name checks ECHConfigContents.public_name by 6.1.7: a DNS
// name in preferred name syntax, i.e. dot-separated LDH labels (ASCII
// letters, digits and hyphens, not starting or ending with a hyphen) of 1 to
// 63 bytes, without a leading or trailing dot, whose last label is neither
// all digits nor "0x"/"0X" followed by hex digits (both would read as an
// IPv4 address). config_invalid, saying which rule failed, otherwise: a
// client ignores such a config and a server should not publish one; no
// alert is involved.
Result<void> check_public_name(std::string_view name);

// check_client_usable says whether a client may use config as far as the
// wire format tells (6.1, 6.1.7, 4, 4.2): a supported version, no mandatory
// extension outside `supported_extensions`, a valid public_name. The KEM and
// the cipher suites are for the caller to match against its HPKE. On failure
// config_invalid, saying why ("ECHConfig 7: version 0xfe0c is not supported").
Result<void> check_client_usable(const EchConfig& config,
                                 std::span<const uint16_t> supported_extensions = {});

// ech_hpke_info returns the HPKE info of 6.1 and 7.1:
// "tls ech" || 0x00 || ECHConfig (config.raw).
Bytes ech_hpke_info(const EchConfig& config);

// --- encrypted_client_hello (section 5) ----------------------------------------

enum class EchClientHelloType : uint8_t { outer = 0, inner = 1 };

// EchClientHelloOuter is the body of the outer variant.
struct EchClientHelloOuter {
  HpkeSymmetricCipherSuite cipher_suite;
  uint8_t config_id = 0;
  Bytes enc;      // opaque enc<0..2^16-1>; empty in the ClientHello after a HelloRetryRequest
  Bytes payload;  // opaque payload<1..2^16-1>

  friend bool operator==(const EchClientHelloOuter&, const EchClientHelloOuter&) = default;
};

// EchClientHello is the ClientHello's encrypted_client_hello extension_data:
// the outer variant (in ClientHelloOuter) or the empty inner one (in
// ClientHelloInner).
struct EchClientHello {
  std::optional<EchClientHelloOuter> outer;  // nullopt: the inner variant

  static EchClientHello inner() { return {}; }
  EchClientHelloType type() const {
    return outer ? EchClientHelloType::outer : EchClientHelloType::inner;
  }

  // parse decodes extension_data. decode_* on bad lengths or trailing bytes
  // (an inner variant with any body); illegal_parameter for a type other
  // than outer(0) or inner(1) (7: the server MUST abort with an
  // "illegal_parameter" alert).
  static Result<EchClientHello> parse(ByteView data);
  void serialize(ByteWriter& w) const;

  friend bool operator==(const EchClientHello&, const EchClientHello&) = default;
};

// EchEncryptedExtensions is the EncryptedExtensions form: the server's
// retry configs (retry_configs.raw is the ECHConfigList to hand to the
// application for a retry, 6.1.6).
struct EchEncryptedExtensions {
  EchConfigList retry_configs;

  // parse: decode_* unless data is exactly one valid ECHConfigList (6.1.6:
  // the client MUST check that it is syntactically valid ... "decode_error"
  // otherwise).
  static Result<EchEncryptedExtensions> parse(ByteView data);
  void serialize(ByteWriter& w) const { retry_configs.serialize(w); }
};

// EchHelloRetryRequest is the HelloRetryRequest form.
struct EchHelloRetryRequest {
  std::array<uint8_t, kEchConfirmationSize> confirmation{};

  // parse: decode_length unless data is exactly 8 bytes (6.1.4).
  static Result<EchHelloRetryRequest> parse(ByteView data);
  void serialize(ByteWriter& w) const { w.bytes(confirmation); }
};

// --- ech_outer_extensions and EncodedClientHelloInner (section 5.1) -----------

// EchOuterExtensions is the ech_outer_extensions extension_data:
// ExtensionType OuterExtensions<2..254>.
struct EchOuterExtensions {
  std::vector<uint16_t> types;

  // parse: decode_* on a bad length (empty, odd, over 254 bytes). Repeated
  // or forbidden types are decode_client_hello_inner's to refuse.
  static Result<EchOuterExtensions> parse(ByteView data);
  void serialize(ByteWriter& w) const { write_u16_list(w, 1, types); }
};

// encode_client_hello_inner returns the EncodedClientHelloInner of `inner`
// (the ClientHello structure, without the handshake header): inner with an
// empty legacy_session_id, the extensions whose types `compress` lists
// replaced by one ech_outer_extensions extension listing them, followed by
// `padding` zero bytes. The listed extensions must be consecutive in inner,
// in the order listed (6.1: the client MUST order those extensions
// consecutively), and the client must send them, byte for byte and in the
// same relative order, in ClientHelloOuter. Empty `compress`: nothing is
// compressed. internal_error if `compress` lists more than 127 types, a type
// inner lacks or holds elsewhere, encrypted_client_hello or
// ech_outer_extensions, or if inner already holds ech_outer_extensions;
// decode_length if the result overflows a length.
Result<Bytes> encode_client_hello_inner(const ClientHello& inner,
                                        const std::vector<uint16_t>& compress, size_t padding);

// decode_client_hello_inner rebuilds ClientHelloInner from a decrypted
// EncodedClientHelloInner (5.1), the server side of the above: the
// ClientHello structure at the start of `encoded` (its extensions block is
// required), all bytes after it padding; legacy_session_id copied from
// `outer`; an ech_outer_extensions extension replaced, in its place, by the
// extensions it names copied from `outer`. Runs in time linear in the sizes
// of both (appendix A: one forward scan through outer's extensions).
// decode_* if the ClientHello or the OuterExtensions list is malformed;
// illegal_parameter if a padding byte is not zero, if ech_outer_extensions
// occurs twice, or if it names encrypted_client_hello or
// ech_outer_extensions, a type twice, a type outer lacks, types in an order
// other than outer's, or a type inner also holds itself, or if
// pre_shared_key ends up other than last.
Result<ClientHello> decode_client_hello_inner(ByteView encoded, const ClientHello& outer);

// --- ClientHelloOuterAAD (section 5.2) -----------------------------------------

// client_hello_outer_aad returns ClientHelloOuterAAD: the ClientHello
// structure `client_hello_body` (the body of the message, without the
// 4-byte handshake header, as received or about to be sent) with the bytes
// of its encrypted_client_hello payload set to zero. decode_* if the body
// or the extension is malformed (or has trailing bytes), illegal_parameter
// if the extension occurs twice or is the inner variant, missing_extension
// if there is none.
Result<Bytes> client_hello_outer_aad(ByteView client_hello_body);
// client_hello_outer_aad of a ClientHello value: the same, applied to its
// serialization (a client builds ClientHelloOuter with the payload it will
// replace, and gets the AAD to seal under).
Result<Bytes> client_hello_outer_aad(const ClientHello& outer);

// --- padding (section 6.1.3) ----------------------------------------------------

// ech_padding_length returns how many zero bytes a client appends to an
// EncodedClientHelloInner of encoded_inner_len bytes (encoded without
// padding) by the recommended scheme of 6.1.3, L being the config's
// maximum_name_length: with a server_name of server_name_len bytes,
// max(0, L - server_name_len); without one, L + 9; then enough to make the
// total a multiple of 32.
size_t ech_padding_length(size_t encoded_inner_len, std::optional<size_t> server_name_len,
                          uint8_t maximum_name_length);

}  // namespace tessera::wire
