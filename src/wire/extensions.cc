#include "wire/extensions.h"

#include <bitset>
#include <string>
#include <utility>

namespace tessera::wire {

namespace {

Error illegal(std::string message) {
  return Error(ErrorCode::illegal_parameter, AlertDescription::illegal_parameter,
               std::move(message));
}

}  // namespace

std::string extension_name(uint16_t type) {
  switch (type) {
    case kExtServerName: return "server_name";
    case kExtMaxFragmentLength: return "max_fragment_length";
    case kExtStatusRequest: return "status_request";
    case kExtSupportedGroups: return "supported_groups";
    case kExtEcPointFormats: return "ec_point_formats";
    case kExtSignatureAlgorithms: return "signature_algorithms";
    case kExtUseSrtp: return "use_srtp";
    case kExtHeartbeat: return "heartbeat";
    case kExtAlpn: return "application_layer_protocol_negotiation";
    case kExtSignedCertificateTimestamp: return "signed_certificate_timestamp";
    case kExtClientCertificateType: return "client_certificate_type";
    case kExtServerCertificateType: return "server_certificate_type";
    case kExtPadding: return "padding";
    case kExtEncryptThenMac: return "encrypt_then_mac";
    case kExtExtendedMasterSecret: return "extended_master_secret";
    case kExtCompressCertificate: return "compress_certificate";
    case kExtRecordSizeLimit: return "record_size_limit";
    case kExtSessionTicket: return "session_ticket";
    case kExtPreSharedKey: return "pre_shared_key";
    case kExtEarlyData: return "early_data";
    case kExtSupportedVersions: return "supported_versions";
    case kExtCookie: return "cookie";
    case kExtPskKeyExchangeModes: return "psk_key_exchange_modes";
    case kExtCertificateAuthorities: return "certificate_authorities";
    case kExtOidFilters: return "oid_filters";
    case kExtPostHandshakeAuth: return "post_handshake_auth";
    case kExtSignatureAlgorithmsCert: return "signature_algorithms_cert";
    case kExtKeyShare: return "key_share";
    case kExtEchOuterExtensions: return "ech_outer_extensions";
    case kExtEncryptedClientHello: return "encrypted_client_hello";
    case kExtRenegotiationInfo: return "renegotiation_info";
    default: return "unknown(" + std::to_string(type) + ")";
  }
}

Result<Extensions> read_extensions(ByteReader& r, size_t min_len, size_t max_len,
                                   std::string_view what) {
  // Error messages name the block and the extension; those names are
  // formatted only when a read fails (every hello and Certificate entry is
  // parsed here, and formatting them up front cost more than the parse).
  auto field = [what] {
    return what.empty() ? std::string("extensions") : std::string(what) + " extensions";
  };
  Result<ByteReader> block = read_vector(r, 2, min_len, max_len, "extensions");
  // A failed read leaves r where it was: read again for the named error.
  if (!block.ok()) return read_vector(r, 2, min_len, max_len, field()).error();
  ByteReader& list = *block;
  Extensions out;
  std::bitset<65536> seen;
  while (!list.empty()) {
    Result<uint16_t> type_read = list.read_u16();
    if (!type_read.ok()) return std::move(type_read).error().with_context(field());
    const uint16_t type = *type_read;
    // extension_data<0..2^16-1>: only a truncated length or body can fail.
    Result<ByteReader> data = list.read_prefixed(2);
    if (!data.ok())
      return std::move(data).error().with_context(field() + ": " + extension_name(type));
    // RFC 8446 4.2: There MUST NOT be more than one extension of the same
    // type in a given extension block. (RFC 5246 7.4.1.4 says the same.)
    if (seen.test(type)) {
      return illegal(field() + ": " + extension_name(type) + " (" + std::to_string(type) +
                     ") appears more than once");
    }
    seen.set(type);
    ByteView body = data->rest();
    out.push_back(Extension{type, Bytes(body.begin(), body.end())});
  }
  return out;
}

void write_extensions(ByteWriter& w, const Extensions& extensions) {
  w.prefixed<2>([&](ByteWriter& list) {
    for (const Extension& e : extensions) {
      list.u16(e.type);
      list.prefixed_bytes(2, e.data);
    }
  });
}

const Extension* find_extension(const Extensions& extensions, uint16_t type) {
  for (const Extension& e : extensions) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

Result<void> expect_empty_extension(const Extension& e) {
  if (e.data.empty()) return ok();
  return Error(ErrorCode::decode_trailing_data, extension_name(e.type) +
                                                    ": extension_data must be empty, got " +
                                                    std::to_string(e.data.size()) + " bytes");
}

// --- server_name -------------------------------------------------------------

Result<ServerNameList> ServerNameList::parse(ByteView data) {
  return parse_all(data, "server_name", [](ByteReader& r) -> Result<ServerNameList> {
    // RFC 6066 3: ServerName server_name_list<1..2^16-1>
    TESSERA_ASSIGN_OR_RETURN(ByteReader list, read_vector(r, 2, 1, 0xFFFF, "server_name_list"));
    std::optional<std::string> host;
    while (!list.empty()) {
      TESSERA_ASSIGN_OR_RETURN(uint8_t name_type, field_context(list.read_u8(), "name_type"));
      // RFC 6066 3: enum { host_name(0), (255) } NameType. Only host_name is
      // defined, and the encoding of other types is unknown, so they cannot
      // be skipped.
      if (name_type != 0) {
        return illegal("name_type " + std::to_string(name_type) + " is not host_name(0)");
      }
      TESSERA_ASSIGN_OR_RETURN(ByteReader name, read_vector(list, 2, 1, 0xFFFF, "host_name"));
      // RFC 6066 3: The ServerNameList MUST NOT contain more than one name of
      // the same name_type.
      if (host.has_value()) return illegal("more than one host_name in server_name_list");
      ByteView v = name.rest();
      for (uint8_t c : v) {
        // RFC 6066 3: "HostName" contains the fully qualified DNS hostname of
        // the server ... represented as a byte string using ASCII encoding.
        if (c == 0) return illegal("host_name contains a NUL byte");
        if (c >= 0x80) return illegal("host_name contains a non-ASCII byte");
      }
      // RFC 6066 3: ... without a trailing dot.
      if (v.back() == '.') return illegal("host_name has a trailing dot");
      host = std::string(v.begin(), v.end());
    }
    return ServerNameList{std::move(*host)};
  });
}

void ServerNameList::serialize(ByteWriter& w) const {
  w.prefixed<2>([&](ByteWriter& list) {
    list.u8(0);  // host_name
    list.prefixed_bytes(2, as_bytes_view(host_name));
  });
}

// --- supported_groups, signature_algorithms, supported_versions ---------------

Result<NamedGroupList> NamedGroupList::parse(ByteView data) {
  return parse_all(data, "supported_groups", [](ByteReader& r) -> Result<NamedGroupList> {
    // RFC 8446 4.2.7: NamedGroup named_group_list<2..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(auto list, read_u16_list(r, 2, 2, 0xFFFF, "named_group_list"));
    return NamedGroupList{std::move(list)};
  });
}

void NamedGroupList::serialize(ByteWriter& w) const { write_u16_list(w, 2, groups); }

Result<SignatureSchemeList> SignatureSchemeList::parse(ByteView data) {
  return parse_all(data, "signature_algorithms", [](ByteReader& r) -> Result<SignatureSchemeList> {
    // RFC 8446 4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2>;
    TESSERA_ASSIGN_OR_RETURN(auto list,
                             read_u16_list(r, 2, 2, 0xFFFE, "supported_signature_algorithms"));
    return SignatureSchemeList{std::move(list)};
  });
}

void SignatureSchemeList::serialize(ByteWriter& w) const { write_u16_list(w, 2, schemes); }

Result<SupportedVersionsClient> SupportedVersionsClient::parse(ByteView data) {
  return parse_all(data, "supported_versions",
                   [](ByteReader& r) -> Result<SupportedVersionsClient> {
                     // RFC 8446 4.2.1: ProtocolVersion versions<2..254>;
                     TESSERA_ASSIGN_OR_RETURN(auto list, read_u16_list(r, 1, 2, 254, "versions"));
                     return SupportedVersionsClient{std::move(list)};
                   });
}

void SupportedVersionsClient::serialize(ByteWriter& w) const { write_u16_list(w, 1, versions); }

Result<SupportedVersionsServer> SupportedVersionsServer::parse(ByteView data) {
  return parse_all(
      data, "supported_versions", [](ByteReader& r) -> Result<SupportedVersionsServer> {
        // RFC 8446 4.2.1: ProtocolVersion selected_version;
        TESSERA_ASSIGN_OR_RETURN(uint16_t v, field_context(r.read_u16(), "selected_version"));
        return SupportedVersionsServer{v};
      });
}

void SupportedVersionsServer::serialize(ByteWriter& w) const { w.u16(selected_version); }

// --- key_share -----------------------------------------------------------------

Result<KeyShareEntry> KeyShareEntry::read(ByteReader& r) {
  TESSERA_ASSIGN_OR_RETURN(uint16_t group, field_context(r.read_u16(), "KeyShareEntry group"));
  // RFC 8446 4.2.8: opaque key_exchange<1..2^16-1>;
  TESSERA_ASSIGN_OR_RETURN(Bytes key, read_opaque(r, 2, 1, 0xFFFF, "key_exchange"));
  return KeyShareEntry{group, std::move(key)};
}

void KeyShareEntry::serialize(ByteWriter& w) const {
  w.u16(group);
  w.prefixed_bytes(2, key_exchange);
}

Result<KeyShareClientHello> KeyShareClientHello::parse(ByteView data) {
  return parse_all(data, "key_share", [](ByteReader& r) -> Result<KeyShareClientHello> {
    // RFC 8446 4.2.8: KeyShareEntry client_shares<0..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(ByteReader list, read_vector(r, 2, 0, 0xFFFF, "client_shares"));
    KeyShareClientHello out;
    // A bit per group: a list of thousands of tiny shares costs linear time.
    std::bitset<0x10000> seen;
    while (!list.empty()) {
      TESSERA_ASSIGN_OR_RETURN(KeyShareEntry e, KeyShareEntry::read(list));
      // RFC 8446 4.2.8: Clients MUST NOT offer multiple KeyShareEntry values
      // for the same group. ... Servers MAY check for violations of these
      // rules and abort the handshake with an "illegal_parameter" alert.
      if (seen.test(e.group)) {
        return illegal("client_shares offers group " + std::to_string(e.group) + " twice");
      }
      seen.set(e.group);
      out.client_shares.push_back(std::move(e));
    }
    return out;
  });
}

void KeyShareClientHello::serialize(ByteWriter& w) const {
  w.prefixed<2>([&](ByteWriter& list) {
    for (const KeyShareEntry& e : client_shares) e.serialize(list);
  });
}

const KeyShareEntry* KeyShareClientHello::find(uint16_t group) const {
  for (const KeyShareEntry& e : client_shares) {
    if (e.group == group) return &e;
  }
  return nullptr;
}

Result<KeyShareServerHello> KeyShareServerHello::parse(ByteView data) {
  return parse_all(data, "key_share", [](ByteReader& r) -> Result<KeyShareServerHello> {
    TESSERA_ASSIGN_OR_RETURN(KeyShareEntry e, KeyShareEntry::read(r));
    return KeyShareServerHello{std::move(e)};
  });
}

void KeyShareServerHello::serialize(ByteWriter& w) const { server_share.serialize(w); }

Result<KeyShareHelloRetryRequest> KeyShareHelloRetryRequest::parse(ByteView data) {
  return parse_all(data, "key_share", [](ByteReader& r) -> Result<KeyShareHelloRetryRequest> {
    TESSERA_ASSIGN_OR_RETURN(uint16_t g, field_context(r.read_u16(), "selected_group"));
    return KeyShareHelloRetryRequest{g};
  });
}

void KeyShareHelloRetryRequest::serialize(ByteWriter& w) const { w.u16(selected_group); }

// --- cookie --------------------------------------------------------------------

Result<Cookie> Cookie::parse(ByteView data) {
  return parse_all(data, "cookie", [](ByteReader& r) -> Result<Cookie> {
    // RFC 8446 4.2.2: opaque cookie<1..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(Bytes c, read_opaque(r, 2, 1, 0xFFFF, "cookie"));
    return Cookie{std::move(c)};
  });
}

void Cookie::serialize(ByteWriter& w) const { w.prefixed_bytes(2, cookie); }

// --- ALPN ----------------------------------------------------------------------

Result<ProtocolNameList> ProtocolNameList::parse(ByteView data) {
  return parse_all(data, "application_layer_protocol_negotiation",
                   [](ByteReader& r) -> Result<ProtocolNameList> {
                     // RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>;
                     TESSERA_ASSIGN_OR_RETURN(ByteReader list,
                                              read_vector(r, 2, 2, 0xFFFF, "protocol_name_list"));
                     ProtocolNameList out;
                     while (!list.empty()) {
                       // RFC 7301 3.1: opaque ProtocolName<1..2^8-1>; Empty strings MUST
                       // NOT be included and byte strings MUST NOT be truncated.
                       TESSERA_ASSIGN_OR_RETURN(ByteReader name,
                                                read_vector(list, 1, 1, 255, "ProtocolName"));
                       ByteView v = name.rest();
                       out.protocol_names.emplace_back(v.begin(), v.end());
                     }
                     return out;
                   });
}

Result<std::string> ProtocolNameList::parse_selected(ByteView data) {
  TESSERA_ASSIGN_OR_RETURN(ProtocolNameList list, parse(data));
  // RFC 7301 3.1: [the server's] "ProtocolNameList" MUST contain exactly one
  // "ProtocolName".
  if (list.protocol_names.size() != 1) {
    return illegal("application_layer_protocol_negotiation: the server selected " +
                   std::to_string(list.protocol_names.size()) +
                   " protocols, exactly one is required");
  }
  return std::move(list.protocol_names[0]);
}

void ProtocolNameList::serialize(ByteWriter& w) const {
  w.prefixed<2>([&](ByteWriter& list) {
    for (const std::string& n : protocol_names) list.prefixed_bytes(1, as_bytes_view(n));
  });
}

// --- psk_key_exchange_modes ------------------------------------------------------

Result<PskKeyExchangeModes> PskKeyExchangeModes::parse(ByteView data) {
  return parse_all(data, "psk_key_exchange_modes",
                   [](ByteReader& r) -> Result<PskKeyExchangeModes> {
                     // RFC 8446 4.2.9: PskKeyExchangeMode ke_modes<1..255>;
                     TESSERA_ASSIGN_OR_RETURN(auto list, read_u8_list(r, 1, 1, 255, "ke_modes"));
                     return PskKeyExchangeModes{std::move(list)};
                   });
}

void PskKeyExchangeModes::serialize(ByteWriter& w) const { w.prefixed_bytes(1, modes); }

bool PskKeyExchangeModes::contains(PskKeyExchangeMode m) const {
  for (uint8_t v : modes) {
    if (v == static_cast<uint8_t>(m)) return true;
  }
  return false;
}

// --- pre_shared_key ----------------------------------------------------------------

Result<OfferedPsks> OfferedPsks::parse(ByteView data) {
  return parse_all(data, "pre_shared_key", [](ByteReader& r) -> Result<OfferedPsks> {
    OfferedPsks out;
    // RFC 8446 4.2.11: PskIdentity identities<7..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(ByteReader ids, read_vector(r, 2, 7, 0xFFFF, "identities"));
    while (!ids.empty()) {
      // RFC 8446 4.2.11: opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age;
      TESSERA_ASSIGN_OR_RETURN(Bytes id, read_opaque(ids, 2, 1, 0xFFFF, "identity"));
      TESSERA_ASSIGN_OR_RETURN(uint32_t age,
                               field_context(ids.read_u32(), "obfuscated_ticket_age"));
      out.identities.push_back(PskIdentity{std::move(id), age});
    }
    // RFC 8446 4.2.11: PskBinderEntry binders<33..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(ByteReader binder_list, read_vector(r, 2, 33, 0xFFFF, "binders"));
    while (!binder_list.empty()) {
      // RFC 8446 4.2.11: opaque PskBinderEntry<32..255>;
      TESSERA_ASSIGN_OR_RETURN(Bytes b, read_opaque(binder_list, 1, 32, 255, "PskBinderEntry"));
      out.binders.push_back(std::move(b));
    }
    // RFC 8446 4.2.11: binders: A series of HMAC values, one for each value
    // in the identities list and in the same order.
    if (out.binders.size() != out.identities.size()) {
      return illegal(std::to_string(out.identities.size()) + " identities but " +
                     std::to_string(out.binders.size()) + " binders");
    }
    return out;
  });
}

void OfferedPsks::serialize(ByteWriter& w) const {
  w.prefixed<2>([&](ByteWriter& ids) {
    for (const PskIdentity& id : identities) {
      ids.prefixed_bytes(2, id.identity);
      ids.u32(id.obfuscated_ticket_age);
    }
  });
  serialize_binders(w);
}

size_t OfferedPsks::binders_size() const {
  size_t n = 2;
  for (const Bytes& b : binders) n += 1 + b.size();
  return n;
}

void OfferedPsks::serialize_binders(ByteWriter& w) const {
  w.prefixed<2>([&](ByteWriter& list) {
    for (const Bytes& b : binders) list.prefixed_bytes(1, b);
  });
}

Result<PreSharedKeyServerHello> PreSharedKeyServerHello::parse(ByteView data) {
  return parse_all(data, "pre_shared_key", [](ByteReader& r) -> Result<PreSharedKeyServerHello> {
    TESSERA_ASSIGN_OR_RETURN(uint16_t sel, field_context(r.read_u16(), "selected_identity"));
    return PreSharedKeyServerHello{sel};
  });
}

void PreSharedKeyServerHello::serialize(ByteWriter& w) const { w.u16(selected_identity); }

// --- early_data ------------------------------------------------------------------

Result<EarlyDataNewSessionTicket> EarlyDataNewSessionTicket::parse(ByteView data) {
  return parse_all(data, "early_data", [](ByteReader& r) -> Result<EarlyDataNewSessionTicket> {
    // RFC 8446 4.2.10: case new_session_ticket: uint32 max_early_data_size;
    TESSERA_ASSIGN_OR_RETURN(uint32_t max, field_context(r.read_u32(), "max_early_data_size"));
    return EarlyDataNewSessionTicket{max};
  });
}

void EarlyDataNewSessionTicket::serialize(ByteWriter& w) const { w.u32(max_early_data_size); }

// --- certificate_authorities -------------------------------------------------------

Result<std::vector<Bytes>> read_distinguished_names(ByteReader& r, size_t min_len,
                                                    std::string_view field) {
  TESSERA_ASSIGN_OR_RETURN(ByteReader list, read_vector(r, 2, min_len, 0xFFFF, field));
  std::vector<Bytes> out;
  while (!list.empty()) {
    // RFC 8446 4.2.4 / RFC 5246 7.4.4: opaque DistinguishedName<1..2^16-1>;
    TESSERA_ASSIGN_OR_RETURN(Bytes dn, read_opaque(list, 2, 1, 0xFFFF, "DistinguishedName"));
    out.push_back(std::move(dn));
  }
  return out;
}

void write_distinguished_names(ByteWriter& w, const std::vector<Bytes>& names) {
  w.prefixed<2>([&](ByteWriter& list) {
    for (const Bytes& dn : names) list.prefixed_bytes(2, dn);
  });
}

Result<CertificateAuthorities> CertificateAuthorities::parse(ByteView data) {
  return parse_all(
      data, "certificate_authorities", [](ByteReader& r) -> Result<CertificateAuthorities> {
        // RFC 8446 4.2.4: DistinguishedName authorities<3..2^16-1>;
        TESSERA_ASSIGN_OR_RETURN(auto names, read_distinguished_names(r, 3, "authorities"));
        return CertificateAuthorities{std::move(names)};
      });
}

void CertificateAuthorities::serialize(ByteWriter& w) const {
  write_distinguished_names(w, authorities);
}

// --- ec_point_formats ----------------------------------------------------------------

Result<EcPointFormats> EcPointFormats::parse(ByteView data) {
  return parse_all(data, "ec_point_formats", [](ByteReader& r) -> Result<EcPointFormats> {
    // RFC 8422 5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>
    TESSERA_ASSIGN_OR_RETURN(auto list, read_u8_list(r, 1, 1, 255, "ec_point_format_list"));
    // RFC 8422 5.1.2: If the client sends the extension and the extension
    // does not contain the uncompressed point format, and the client has used
    // the Supported Groups extension to indicate support for any of the
    // curves defined in this specification, then the server MUST abort the
    // handshake and return an illegal_parameter alert. (5.2 holds the server
    // to the same list.)
    bool has_uncompressed = false;
    for (uint8_t f : list) has_uncompressed |= (f == kEcPointFormatUncompressed);
    if (!has_uncompressed) return illegal("the list does not include uncompressed(0)");
    return EcPointFormats{std::move(list)};
  });
}

void EcPointFormats::serialize(ByteWriter& w) const { w.prefixed_bytes(1, formats); }

// --- renegotiation_info, session_ticket, status_request -------------------------------

Result<RenegotiationInfo> RenegotiationInfo::parse(ByteView data) {
  return parse_all(data, "renegotiation_info", [](ByteReader& r) -> Result<RenegotiationInfo> {
    // RFC 5746 3.2: opaque renegotiated_connection<0..255>;
    TESSERA_ASSIGN_OR_RETURN(Bytes rc, read_opaque(r, 1, 0, 255, "renegotiated_connection"));
    return RenegotiationInfo{std::move(rc)};
  });
}

void RenegotiationInfo::serialize(ByteWriter& w) const {
  w.prefixed_bytes(1, renegotiated_connection);
}

Result<SessionTicketExtension> SessionTicketExtension::parse(ByteView data) {
  // RFC 5077 3.2: the extension_data is the opaque ticket itself (possibly
  // empty), without a further length.
  return SessionTicketExtension{Bytes(data.begin(), data.end())};
}

void SessionTicketExtension::serialize(ByteWriter& w) const { w.bytes(ticket); }

Result<RecordSizeLimit> RecordSizeLimit::parse(ByteView data) {
  return parse_all(data, "record_size_limit", [](ByteReader& r) -> Result<RecordSizeLimit> {
    // RFC 8449 4: uint16 RecordSizeLimit;
    TESSERA_ASSIGN_OR_RETURN(uint16_t value, field_context(r.read_u16(), "RecordSizeLimit"));
    // RFC 8449 4: "Endpoints MUST NOT send a "record_size_limit" extension
    // with a value smaller than 64. An endpoint MUST treat receipt of a
    // smaller value as a fatal error and generate an "illegal_parameter"
    // alert."
    if (value < kMinRecordSizeLimit)
      return illegal("RecordSizeLimit " + std::to_string(value) + " is below the minimum of 64");
    return RecordSizeLimit{value};
  });
}

void RecordSizeLimit::serialize(ByteWriter& w) const { w.u16(limit); }

Result<CertificateCompressionAlgorithms> CertificateCompressionAlgorithms::parse(ByteView data) {
  return parse_all(
      data, "compress_certificate", [](ByteReader& r) -> Result<CertificateCompressionAlgorithms> {
        // RFC 8879 3: CertificateCompressionAlgorithm algorithms<2..2^8-2>;
        TESSERA_ASSIGN_OR_RETURN(auto list, read_u16_list(r, 1, 2, 0xFE, "algorithms"));
        return CertificateCompressionAlgorithms{std::move(list)};
      });
}

void CertificateCompressionAlgorithms::serialize(ByteWriter& w) const {
  write_u16_list(w, 1, algorithms);
}

void CertificateStatusRequest::serialize(ByteWriter& w) const {
  w.u8(status_type);
  w.u16(0);  // responder_id_list: empty
  w.u16(0);  // request_extensions: none
}

Result<CertificateStatusRequest> CertificateStatusRequest::parse(ByteView data) {
  return parse_all(data, "status_request", [](ByteReader& r) -> Result<CertificateStatusRequest> {
    TESSERA_ASSIGN_OR_RETURN(uint8_t type, field_context(r.read_u8(), "status_type"));
    if (type != 1) {
      // Not ocsp(1): the request's layout is not ours to know; skip it.
      TESSERA_TRY(r.skip(r.remaining()));
      return CertificateStatusRequest{type};
    }
    // RFC 6066 8: ResponderID responder_id_list<0..2^16-1>;
    //             Extensions  request_extensions;   (<0..2^16-1>)
    TESSERA_ASSIGN_OR_RETURN(ByteReader ids, read_vector(r, 2, 0, 0xFFFF, "responder_id_list"));
    while (!ids.empty()) {
      // RFC 6066 8: opaque ResponderID<1..2^16-1>;
      TESSERA_TRY(read_vector(ids, 2, 1, 0xFFFF, "ResponderID"));
    }
    TESSERA_TRY(read_vector(r, 2, 0, 0xFFFF, "request_extensions"));
    return CertificateStatusRequest{type};
  });
}

}  // namespace tessera::wire
