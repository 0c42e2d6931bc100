#include "wire/ech.h"

#include <algorithm>
#include <bitset>
#include <iterator>
#include <string>
#include <utility>

namespace tessera::wire {

namespace {

Error illegal(std::string message) {
  return Error(ErrorCode::illegal_parameter, AlertDescription::illegal_parameter,
               std::move(message));
}

// hex16 renders a 16-bit code point as "0xfe0d".
std::string hex16(uint16_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) s += kDigits[(v >> shift) & 0xF];
  return s;
}

// quoted renders a name for an error message: printable ASCII as is, other
// bytes as \xNN, in double quotes.
std::string quoted(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += kDigits[c >> 4];
      out += kDigits[c & 0xF];
    }
  }
  return out + "\"";
}

// name_of names a TLS extension type for messages: "key_share (51)".
std::string name_of(uint16_t type) {
  return extension_name(type) + " (" + std::to_string(type) + ")";
}

// read_config reads one ECHConfig; errors carry no structure name, the
// callers add it.
Result<EchConfig> read_config(ByteReader& r) {
  const ByteView start = r.rest();
  EchConfig out;
  TESSERA_ASSIGN_OR_RETURN(out.version, field_context(r.read_u16(), "version"));
  // draft-ietf-tls-esni-25 4: uint16 length; "This length field allows
  // implementations to skip over the elements in such a list where they
  // cannot parse the specific version of ECHConfig."
  TESSERA_ASSIGN_OR_RETURN(ByteReader body, field_context(r.read_prefixed(2), "contents"));
  if (out.version == kEchVersion) {
    TESSERA_ASSIGN_OR_RETURN(out.contents, EchConfigContents::read(body));
    TESSERA_TRY(body.expect_end("ECHConfigContents"));
  }
  ByteView raw = start.first(start.size() - r.remaining());
  out.raw.assign(raw.begin(), raw.end());
  return out;
}

// skip_to_extensions advances r over the fields of a ClientHello structure
// that precede its extensions block (RFC 8446 4.1.2), checking only their
// lengths: ClientHello::parse checks the rest.
Result<void> skip_to_extensions(ByteReader& r) {
  TESSERA_TRY(field_context(r.skip(2), "legacy_version"));
  TESSERA_TRY(field_context(r.skip(32), "random"));
  TESSERA_TRY(field_context(r.read_prefixed(1), "legacy_session_id"));
  TESSERA_TRY(field_context(r.read_prefixed(2), "cipher_suites"));
  TESSERA_TRY(field_context(r.read_prefixed(1), "legacy_compression_methods"));
  return ok();
}

// expand_outer_extensions replaces inner's ech_outer_extensions extension,
// if any, by the extensions it references in outer (draft 5.1), in one
// forward pass over each list (appendix A).
Result<void> expand_outer_extensions(ClientHello& inner, const ClientHello& outer) {
  // (Two ech_outer_extensions extensions were refused by ClientHello::parse,
  // RFC 8446 4.2: illegal_parameter.)
  auto marker = std::find_if(inner.extensions.begin(), inner.extensions.end(),
                             [](const Extension& e) { return e.type == kExtEchOuterExtensions; });
  if (marker == inner.extensions.end()) return ok();
  TESSERA_ASSIGN_OR_RETURN(EchOuterExtensions refs, EchOuterExtensions::parse(marker->data));

  std::bitset<65536> held;  // types inner holds itself
  for (const Extension& e : inner.extensions) {
    if (e.type != kExtEchOuterExtensions) held.set(e.type);
  }
  std::bitset<65536> referenced;

  Extensions out;
  out.reserve(inner.extensions.size() - 1 + refs.types.size());
  std::move(inner.extensions.begin(), marker, std::back_inserter(out));
  // draft 5.1 and appendix A: let I be zero and N the number of extensions
  // in ClientHelloOuter; for each type E in OuterExtensions, advance I to
  // the next extension of type E and copy it.
  const Extensions& from = outer.extensions;
  size_t i = 0;
  for (uint16_t type : refs.types) {
    // draft 5.1: The server MUST abort the connection with an
    // "illegal_parameter" alert if ... "encrypted_client_hello" is
    // referenced in OuterExtensions.
    if (type == kExtEncryptedClientHello) {
      return illegal("ech_outer_extensions references encrypted_client_hello");
    }
    // draft 5.1: The "ech_outer_extensions" extension ... MUST NOT appear in
    // either ClientHelloOuter or ClientHelloInner.
    if (type == kExtEchOuterExtensions) {
      return illegal("ech_outer_extensions references ech_outer_extensions");
    }
    // draft 5.1: ... if any of the following are true: ... Any extension is
    // referenced in OuterExtensions more than once.
    if (referenced.test(type)) {
      return illegal("ech_outer_extensions references " + name_of(type) + " more than once");
    }
    referenced.set(type);
    // RFC 8446 4.2: There MUST NOT be more than one extension of the same
    // type in a given extension block.
    if (held.test(type)) {
      return illegal("ech_outer_extensions references " + name_of(type) +
                     ", which ClientHelloInner also holds");
    }
    while (i < from.size() && from[i].type != type) ++i;
    // draft 5.1: ... Any referenced extension is missing in
    // ClientHelloOuter. ... The extensions in ClientHelloOuter corresponding
    // to those in OuterExtensions do not occur in the same order.
    if (i == from.size()) {
      if (find_extension(from, type) != nullptr) {
        return illegal("ech_outer_extensions references " + name_of(type) +
                       " out of its order in ClientHelloOuter");
      }
      return illegal("ech_outer_extensions references " + name_of(type) +
                     ", which ClientHelloOuter does not hold");
    }
    out.push_back(from[i]);
    ++i;
  }
  std::move(marker + 1, inner.extensions.end(), std::back_inserter(out));
  inner.extensions = std::move(out);

  // RFC 8446 4.2.11: The "pre_shared_key" extension MUST be the last
  // extension in the ClientHello ... Servers MUST check that it is the last
  // extension and otherwise fail the handshake with an "illegal_parameter"
  // alert. (Checked again: the expansion may have moved it.)
  for (size_t j = 0; j + 1 < inner.extensions.size(); ++j) {
    if (inner.extensions[j].type == kExtPreSharedKey) {
      return illegal("pre_shared_key is extension " + std::to_string(j + 1) + " of " +
                     std::to_string(inner.extensions.size()) +
                     " of the expanded ClientHelloInner, it must be the last");
    }
  }
  return ok();
}

}  // namespace

// --- ECHConfig -------------------------------------------------------------------

Result<HpkeKeyConfig> HpkeKeyConfig::read(ByteReader& r) {
  HpkeKeyConfig out;
  TESSERA_ASSIGN_OR_RETURN(out.config_id, field_context(r.read_u8(), "config_id"));
  TESSERA_ASSIGN_OR_RETURN(out.kem_id, field_context(r.read_u16(), "kem_id"));
  // draft-ietf-tls-esni-25 4: opaque HpkePublicKey<1..2^16-1>;
  TESSERA_ASSIGN_OR_RETURN(out.public_key, read_opaque(r, 2, 1, 0xFFFF, "public_key"));
  // draft-ietf-tls-esni-25 4: HpkeSymmetricCipherSuite cipher_suites<4..2^16-4>;
  TESSERA_ASSIGN_OR_RETURN(ByteReader suites, read_vector(r, 2, 4, 0xFFFC, "cipher_suites"));
  if (suites.remaining() % 4 != 0) {
    return Error(ErrorCode::decode_length,
                 "cipher_suites: length " + std::to_string(suites.remaining()) +
                     " is not a multiple of 4, the size of an HpkeSymmetricCipherSuite");
  }
  out.cipher_suites.reserve(suites.remaining() / 4);
  while (!suites.empty()) {
    HpkeSymmetricCipherSuite s;
    TESSERA_ASSIGN_OR_RETURN(s.kdf_id, suites.read_u16());
    TESSERA_ASSIGN_OR_RETURN(s.aead_id, suites.read_u16());
    out.cipher_suites.push_back(s);
  }
  return out;
}

void HpkeKeyConfig::serialize(ByteWriter& w) const {
  w.u8(config_id);
  w.u16(kem_id);
  w.prefixed_bytes(2, public_key);
  w.prefixed<2>([&](ByteWriter& list) {
    for (const HpkeSymmetricCipherSuite& s : cipher_suites) {
      list.u16(s.kdf_id);
      list.u16(s.aead_id);
    }
  });
}

Result<EchConfigContents> EchConfigContents::read(ByteReader& r) {
  EchConfigContents out;
  TESSERA_ASSIGN_OR_RETURN(out.key_config, HpkeKeyConfig::read(r));
  TESSERA_ASSIGN_OR_RETURN(out.maximum_name_length,
                           field_context(r.read_u8(), "maximum_name_length"));
  // draft-ietf-tls-esni-25 4: opaque public_name<1..255>;
  TESSERA_ASSIGN_OR_RETURN(ByteReader name, read_vector(r, 1, 1, 255, "public_name"));
  ByteView name_bytes = name.rest();
  out.public_name.assign(name_bytes.begin(), name_bytes.end());
  // draft-ietf-tls-esni-25 4: ECHConfigExtension extensions<0..2^16-1>;
  TESSERA_ASSIGN_OR_RETURN(ByteReader list, read_vector(r, 2, 0, 0xFFFF, "extensions"));
  std::bitset<65536> seen;
  while (!list.empty()) {
    TESSERA_ASSIGN_OR_RETURN(uint16_t type,
                             field_context(list.read_u16(), "extensions: ECHConfigExtension"));
    // draft-ietf-tls-esni-25 4: opaque data<0..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(
        ByteView data, field_context(list.read_prefixed_bytes(2), "extensions: " + hex16(type)));
    // draft-ietf-tls-esni-25 4.2: there MUST NOT be more than one extension
    // of the same type in the extensions block. (6.1.6: a config the client
    // cannot read is a "decode_error".)
    if (seen.test(type)) {
      return Error(ErrorCode::decode_invalid_value,
                   "extensions: " + hex16(type) + " appears more than once");
    }
    seen.set(type);
    out.extensions.push_back(Extension{type, Bytes(data.begin(), data.end())});
  }
  return out;
}

void EchConfigContents::serialize(ByteWriter& w) const {
  key_config.serialize(w);
  w.u8(maximum_name_length);
  w.prefixed_bytes(1, as_bytes_view(public_name));
  write_extensions(w, extensions);
}

std::optional<uint16_t> EchConfigContents::unsupported_mandatory_extension(
    std::span<const uint16_t> supported) const {
  for (const Extension& e : extensions) {
    // draft-ietf-tls-esni-25 4.2: Clients MUST parse the extension list and
    // check for unsupported mandatory extensions. If an unsupported
    // mandatory extension is present, clients MUST ignore the "ECHConfig".
    if (is_mandatory_ech_config_extension(e.type) &&
        std::find(supported.begin(), supported.end(), e.type) == supported.end()) {
      return e.type;
    }
  }
  return std::nullopt;
}

Result<EchConfig> EchConfig::read(ByteReader& r) {
  return field_context(read_config(r), "ECHConfig");
}

Result<EchConfig> EchConfig::parse(ByteView data) {
  return parse_all(data, "ECHConfig", [](ByteReader& r) { return read_config(r); });
}

Result<EchConfig> EchConfig::make(const EchConfigContents& contents) {
  ByteWriter w(kEncodeReserve);
  w.u16(kEchVersion);
  w.prefixed<2>([&](ByteWriter& body) { contents.serialize(body); });
  TESSERA_ASSIGN_OR_RETURN(Bytes raw, field_context(std::move(w).finish(), "ECHConfig"));
  // Parsed back, so that a config we make obeys every bound a client checks.
  return parse(raw);
}

Result<EchConfigList> EchConfigList::read(ByteReader& r) {
  const ByteView start = r.rest();
  // draft-ietf-tls-esni-25 4: ECHConfig ECHConfigList<4..2^16-1>;
  TESSERA_ASSIGN_OR_RETURN(ByteReader list, read_vector(r, 2, 4, 0xFFFF, "ECHConfigList"));
  EchConfigList out;
  while (!list.empty()) {
    Result<EchConfig> config = read_config(list);
    if (!config.ok()) {
      return std::move(config).error().with_context("ECHConfigList: ECHConfig " +
                                                    std::to_string(out.configs.size() + 1));
    }
    out.configs.push_back(std::move(config).value());
  }
  ByteView raw = start.first(start.size() - r.remaining());
  out.raw.assign(raw.begin(), raw.end());
  return out;
}

Result<EchConfigList> EchConfigList::parse(ByteView data) {
  ByteReader r(data);
  TESSERA_ASSIGN_OR_RETURN(EchConfigList list, read(r));
  TESSERA_TRY(field_context(r.expect_end(), "ECHConfigList"));
  return list;
}

Result<EchConfigList> EchConfigList::make(const std::vector<EchConfig>& configs) {
  ByteWriter w(kEncodeReserve);
  w.prefixed<2>([&](ByteWriter& list) {
    for (const EchConfig& c : configs) c.serialize(list);
  });
  TESSERA_ASSIGN_OR_RETURN(Bytes raw, field_context(std::move(w).finish(), "ECHConfigList"));
  return parse(raw);
}

size_t EchConfigList::supported_count() const {
  return static_cast<size_t>(std::count_if(configs.begin(), configs.end(),
                                           [](const EchConfig& c) { return c.supported(); }));
}

Result<void> check_public_name(std::string_view name) {
  auto invalid = [&](const std::string& why) -> Result<void> {
    return Error(ErrorCode::config_invalid, "public_name " + quoted(name) + " " + why);
  };
  // draft-ietf-tls-esni-25 6.1.7: to be valid, the public_name needs to be a
  // dot-separated sequence of LDH labels, as defined in Section 2.3.1 of
  // RFC 5890, where: the sequence does not begin or end with an ASCII dot,
  // and all labels are at most 63 octets.
  if (name.empty()) return invalid("is empty");
  if (name.front() == '.') return invalid("begins with a dot");
  if (name.back() == '.') return invalid("ends with a dot");
  std::string_view last;
  size_t index = 0;
  for (std::string_view rest = name; !rest.empty();) {
    const size_t dot = rest.find('.');
    const std::string_view label = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    ++index;
    const std::string where = "label " + std::to_string(index);
    if (label.empty()) return invalid("has an empty " + where);
    if (label.size() > 63) {
      return invalid("has a " + std::to_string(label.size()) + "-byte " + where +
                     ", the limit is 63");
    }
    // RFC 5890 2.3.1: [an LDH label is] a string consisting of ASCII
    // letters, digits, and the hyphen with the further restriction that the
    // hyphen cannot appear at the beginning or end of the string.
    for (char c : label) {
      const bool ldh =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ldh) {
        return invalid("has " + quoted(std::string_view(&c, 1)) + " in " + where +
                       ", only letters, digits and hyphens are allowed");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return invalid("has " + where + " beginning or ending with a hyphen");
    }
    last = label;
  }
  // draft-ietf-tls-esni-25 6.1.7: Clients additionally SHOULD ignore the
  // structure if the final LDH label either consists of all ASCII digits
  // (i.e. '0' through '9') or is "0x" or "0X" followed by some, possibly
  // empty, sequence of ASCII hexadecimal digits ... This avoids public_name
  // values that may be interpreted as IPv4 literals.
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_hex = [&](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  if (std::all_of(last.begin(), last.end(), is_digit)) {
    return invalid("ends with an all-digit label, which reads as an IPv4 address");
  }
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') &&
      std::all_of(last.begin() + 2, last.end(), is_hex)) {
    return invalid("ends with a hexadecimal label, which reads as an IPv4 address");
  }
  return ok();
}

Result<void> check_client_usable(const EchConfig& config,
                                 std::span<const uint16_t> supported_extensions) {
  // draft-ietf-tls-esni-25 4: Clients MUST ignore any "ECHConfig" structure
  // with a version they do not support.
  if (!config.supported()) {
    return Error(ErrorCode::config_invalid,
                 "ECHConfig: version " + hex16(config.version) + " is not supported");
  }
  const std::string name = "ECHConfig " + std::to_string(config.contents.key_config.config_id);
  // draft-ietf-tls-esni-25 4.2: If an unsupported mandatory extension is
  // present, clients MUST ignore the "ECHConfig".
  if (auto type = config.contents.unsupported_mandatory_extension(supported_extensions)) {
    return Error(ErrorCode::config_invalid,
                 name + ": mandatory extension " + hex16(*type) + " is not supported");
  }
  // draft-ietf-tls-esni-25 6.1.7: Clients SHOULD ignore any "ECHConfig"
  // structure with a public_name that is not a valid host name in preferred
  // name syntax.
  return field_context(check_public_name(config.contents.public_name), name);
}

Bytes ech_hpke_info(const EchConfig& config) {
  // draft-ietf-tls-esni-25 6.1, 7.1: "tls ech" || 0x00 || ECHConfig
  ByteWriter w(8 + config.raw.size());
  w.bytes(as_bytes_view("tls ech"));
  w.u8(0);
  w.bytes(config.raw);
  return std::move(w).take();
}

// --- encrypted_client_hello --------------------------------------------------------

Result<EchClientHello> EchClientHello::parse(ByteView data) {
  return parse_all(data, "encrypted_client_hello", [](ByteReader& r) -> Result<EchClientHello> {
    TESSERA_ASSIGN_OR_RETURN(uint8_t type, field_context(r.read_u8(), "type"));
    if (type == static_cast<uint8_t>(EchClientHelloType::inner)) {
      // draft-ietf-tls-esni-25 5: case inner: Empty;
      TESSERA_TRY(r.expect_end("the inner variant"));
      return EchClientHello::inner();
    }
    // draft-ietf-tls-esni-25 7: If "ECHClientHello.type" is not a valid
    // "ECHClientHelloType", then the server MUST abort with an
    // "illegal_parameter" alert.
    if (type != static_cast<uint8_t>(EchClientHelloType::outer)) {
      return illegal("type " + std::to_string(type) + " is neither outer(0) nor inner(1)");
    }
    EchClientHelloOuter body;
    TESSERA_ASSIGN_OR_RETURN(body.cipher_suite.kdf_id, field_context(r.read_u16(), "cipher_suite"));
    TESSERA_ASSIGN_OR_RETURN(body.cipher_suite.aead_id,
                             field_context(r.read_u16(), "cipher_suite"));
    TESSERA_ASSIGN_OR_RETURN(body.config_id, field_context(r.read_u8(), "config_id"));
    // draft-ietf-tls-esni-25 5: opaque enc<0..2^16-1>; opaque payload<1..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(body.enc, read_opaque(r, 2, 0, 0xFFFF, "enc"));
    TESSERA_ASSIGN_OR_RETURN(body.payload, read_opaque(r, 2, 1, 0xFFFF, "payload"));
    return EchClientHello{std::move(body)};
  });
}

void EchClientHello::serialize(ByteWriter& w) const {
  w.u8(static_cast<uint8_t>(type()));
  if (!outer) return;
  w.u16(outer->cipher_suite.kdf_id);
  w.u16(outer->cipher_suite.aead_id);
  w.u8(outer->config_id);
  w.prefixed_bytes(2, outer->enc);
  w.prefixed_bytes(2, outer->payload);
}

Result<EchEncryptedExtensions> EchEncryptedExtensions::parse(ByteView data) {
  // draft-ietf-tls-esni-25 5: struct { ECHConfigList retry_configs; }
  return parse_all(data, "encrypted_client_hello",
                   [](ByteReader& r) -> Result<EchEncryptedExtensions> {
                     TESSERA_ASSIGN_OR_RETURN(EchConfigList list, EchConfigList::read(r));
                     return EchEncryptedExtensions{std::move(list)};
                   });
}

Result<EchHelloRetryRequest> EchHelloRetryRequest::parse(ByteView data) {
  // draft-ietf-tls-esni-25 6.1.4: if it has a length other than 8, the
  // client aborts the handshake with a "decode_error" alert.
  if (data.size() != kEchConfirmationSize) {
    return Error(ErrorCode::decode_length, "encrypted_client_hello: confirmation is " +
                                               std::to_string(data.size()) +
                                               " bytes, it must be 8");
  }
  ByteReader r(data);
  TESSERA_ASSIGN_OR_RETURN(ByteView v, r.read_bytes(kEchConfirmationSize));
  EchHelloRetryRequest out;
  std::copy(v.begin(), v.end(), out.confirmation.begin());
  return out;
}

// --- ech_outer_extensions, EncodedClientHelloInner ---------------------------------

Result<EchOuterExtensions> EchOuterExtensions::parse(ByteView data) {
  return parse_all(data, "ech_outer_extensions", [](ByteReader& r) -> Result<EchOuterExtensions> {
    // draft-ietf-tls-esni-25 5.1: ExtensionType OuterExtensions<2..254>;
    TESSERA_ASSIGN_OR_RETURN(auto list, read_u16_list(r, 1, 2, 254, "OuterExtensions"));
    return EchOuterExtensions{std::move(list)};
  });
}

Result<Bytes> encode_client_hello_inner(const ClientHello& inner,
                                        const std::vector<uint16_t>& compress, size_t padding) {
  auto misuse = [](const std::string& what) {
    return Error(ErrorCode::internal_error, "EncodedClientHelloInner: " + what);
  };
  // draft-ietf-tls-esni-25 5.1: The "ech_outer_extensions" extension can
  // only be included in EncodedClientHelloInner, and MUST NOT appear in
  // either ClientHelloOuter or ClientHelloInner.
  if (inner.find_extension(kExtEchOuterExtensions) != nullptr) {
    return misuse("ClientHelloInner already holds ech_outer_extensions");
  }
  // draft-ietf-tls-esni-25 5.1: ... setting the legacy_session_id field to
  // the empty string.
  ClientHello encoded;
  encoded.legacy_version = inner.legacy_version;
  encoded.random = inner.random;
  encoded.cipher_suites = inner.cipher_suites;
  encoded.legacy_compression_methods = inner.legacy_compression_methods;
  encoded.extensions_present = true;  // the server finds the padding after the block
  if (compress.empty()) {
    encoded.extensions = inner.extensions;
  } else {
    // draft-ietf-tls-esni-25 5.1: ExtensionType OuterExtensions<2..254>;
    if (compress.size() > kMaxEchOuterExtensions) {
      return misuse("cannot compress " + std::to_string(compress.size()) +
                    " extensions, OuterExtensions holds at most 127");
    }
    for (uint16_t type : compress) {
      // draft-ietf-tls-esni-25 5.1: the server aborts if
      // "encrypted_client_hello" is referenced in OuterExtensions.
      if (type == kExtEncryptedClientHello || type == kExtEchOuterExtensions) {
        return misuse(name_of(type) + " cannot be compressed");
      }
    }
    const Extensions& exts = inner.extensions;
    auto first = std::find_if(exts.begin(), exts.end(),
                              [&](const Extension& e) { return e.type == compress.front(); });
    if (first == exts.end()) {
      return misuse("ClientHelloInner does not hold " + name_of(compress.front()) +
                    ", which is to be compressed");
    }
    // draft-ietf-tls-esni-25 5.1: The values MUST be ordered contiguously in
    // ClientHelloInner, and the "ech_outer_extensions" extension MUST be
    // inserted in the corresponding position in EncodedClientHelloInner.
    const auto at = static_cast<size_t>(first - exts.begin());
    for (size_t k = 1; k < compress.size(); ++k) {
      if (at + k >= exts.size() || exts[at + k].type != compress[k]) {
        return misuse(
            "the extensions to compress are not consecutive in ClientHelloInner in "
            "the order given: " +
            name_of(compress[k]) + " does not follow " + name_of(compress[k - 1]));
      }
    }
    encoded.extensions.reserve(exts.size() - compress.size() + 1);
    encoded.extensions.insert(encoded.extensions.end(), exts.begin(), first);
    encoded.extensions.push_back(
        make_extension(kExtEchOuterExtensions, EchOuterExtensions{compress}));
    encoded.extensions.insert(encoded.extensions.end(),
                              first + static_cast<std::ptrdiff_t>(compress.size()), exts.end());
  }
  ByteWriter w(kEncodeReserve);
  encoded.serialize(w);
  // draft-ietf-tls-esni-25 5.1: uint8 zeros[length_of_padding];
  w.zeros(padding);
  return field_context(std::move(w).finish(), "EncodedClientHelloInner");
}

Result<ClientHello> decode_client_hello_inner(ByteView encoded, const ClientHello& outer) {
  auto decoded = [&]() -> Result<ClientHello> {
    // draft-ietf-tls-esni-25 5.1: First it parses EncodedClientHelloInner,
    // interpreting all bytes after "client_hello" as padding. (A TLS 1.3
    // ClientHello has an extensions block: it is where the structure ends.)
    ByteReader r(encoded);
    TESSERA_TRY(skip_to_extensions(r));
    TESSERA_TRY(field_context(r.read_prefixed(2), "extensions"));
    TESSERA_ASSIGN_OR_RETURN(ClientHello inner, ClientHello::parse(r.consumed()));
    // draft-ietf-tls-esni-25 5.1: If any padding byte is non-zero, the
    // server MUST abort the connection with an "illegal_parameter" alert.
    const ByteView padding = r.rest();
    auto nonzero = std::find_if(padding.begin(), padding.end(), [](uint8_t b) { return b != 0; });
    if (nonzero != padding.end()) {
      return illegal("padding byte " + std::to_string(nonzero - padding.begin() + 1) + " of " +
                     std::to_string(padding.size()) + " is not zero");
    }
    // draft-ietf-tls-esni-25 5.1: Next it makes a copy of the
    // "client_hello" field and copies the "legacy_session_id" field from
    // ClientHelloOuter.
    inner.legacy_session_id = outer.legacy_session_id;
    TESSERA_TRY(expand_outer_extensions(inner, outer));
    return inner;
  }();
  if (!decoded.ok()) return std::move(decoded).error().with_context("EncodedClientHelloInner");
  return decoded;
}

// --- ClientHelloOuterAAD -------------------------------------------------------------

Result<Bytes> client_hello_outer_aad(ByteView client_hello_body) {
  auto payload_range = [&]() -> Result<std::pair<size_t, size_t>> {
    ByteReader r(client_hello_body);
    TESSERA_TRY(skip_to_extensions(r));
    TESSERA_ASSIGN_OR_RETURN(ByteReader list, field_context(r.read_prefixed(2), "extensions"));
    TESSERA_TRY(r.expect_end("the extensions"));
    std::optional<ByteView> ech;
    while (!list.empty()) {
      TESSERA_ASSIGN_OR_RETURN(uint16_t type, field_context(list.read_u16(), "extensions"));
      TESSERA_ASSIGN_OR_RETURN(ByteView data, field_context(list.read_prefixed_bytes(2),
                                                            "extensions: " + name_of(type)));
      if (type != kExtEncryptedClientHello) continue;
      // RFC 8446 4.2: There MUST NOT be more than one extension of the same
      // type in a given extension block.
      if (ech) return illegal("encrypted_client_hello appears more than once");
      ech = data;
    }
    if (!ech) {
      return Error(ErrorCode::missing_extension, AlertDescription::missing_extension,
                   "no encrypted_client_hello extension");
    }
    TESSERA_ASSIGN_OR_RETURN(EchClientHello ext, EchClientHello::parse(*ech));
    // draft-ietf-tls-esni-25 7: a server which receives a "ClientHello" with
    // "ECHClientHello.type" of "inner" MUST abort with an
    // "illegal_parameter" alert.
    if (!ext.outer) return illegal("encrypted_client_hello is the inner variant");
    // payload is the last field of the extension: its bytes end the
    // extension_data, which is a view into client_hello_body.
    const size_t end = static_cast<size_t>(ech->data() - client_hello_body.data()) + ech->size();
    const size_t size = ext.outer->payload.size();
    return std::pair{end - size, size};
  }();
  if (!payload_range.ok()) {
    return std::move(payload_range).error().with_context("ClientHelloOuterAAD");
  }
  // draft-ietf-tls-esni-25 5.2: ClientHelloOuterAAD ... matches the
  // ClientHelloOuter except that the "payload" field of the
  // "encrypted_client_hello" is replaced with a byte string of the same
  // length but whose contents are zeros.
  Bytes aad(client_hello_body.begin(), client_hello_body.end());
  const auto [offset, size] = *payload_range;
  std::fill_n(aad.begin() + static_cast<std::ptrdiff_t>(offset), size, uint8_t{0});
  return aad;
}

Result<Bytes> client_hello_outer_aad(const ClientHello& outer) {
  TESSERA_ASSIGN_OR_RETURN(Bytes body, field_context(encode(outer), "ClientHelloOuterAAD"));
  return client_hello_outer_aad(body);
}

// --- padding ---------------------------------------------------------------------------

size_t ech_padding_length(size_t encoded_inner_len, std::optional<size_t> server_name_len,
                          uint8_t maximum_name_length) {
  const size_t max_name = maximum_name_length;
  size_t padding = 0;
  if (server_name_len) {
    // draft-ietf-tls-esni-25 6.1.3: If the ClientHelloInner contained a
    // "server_name" extension with a name of length D, add max(0, L - D)
    // bytes of padding.
    padding = *server_name_len < max_name ? max_name - *server_name_len : 0;
  } else {
    // draft-ietf-tls-esni-25 6.1.3: If the ClientHelloInner did not contain
    // a "server_name" extension ..., add L + 9 bytes of padding.
    padding = max_name + 9;
  }
  // draft-ietf-tls-esni-25 6.1.3: Let L be the length of the
  // EncodedClientHelloInner with all the padding computed so far. Let
  // N = 31 - ((L - 1) % 32) and add N bytes of padding.
  const size_t total = encoded_inner_len + padding;
  if (total == 0) return padding;  // already a multiple of 32
  return padding + (31 - ((total - 1) % 32));
}

}  // namespace tessera::wire
