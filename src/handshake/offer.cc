#include "handshake/offer.h"

#include <algorithm>

#include "wire/certificate.h"

namespace tessera::handshake {

std::vector<uint16_t> Offer::offered_versions() const {
  if (!versions.empty()) return versions;
  if (ch.legacy_version >= 0x0303) return {0x0303};
  return {ch.legacy_version};
}

Result<Offer> parse_offer(ByteView body) {
  Offer o;
  TESSERA_ASSIGN_OR_RETURN(o.ch, wire::ClientHello::parse(body));
  for (const auto& e : o.ch.extensions) {
    switch (e.type) {
      case wire::kExtSupportedVersions: {
        TESSERA_ASSIGN_OR_RETURN(auto v, wire::SupportedVersionsClient::parse(e.data));
        o.versions = std::move(v.versions);
        break;
      }
      case wire::kExtSupportedGroups: {
        TESSERA_ASSIGN_OR_RETURN(auto g, wire::NamedGroupList::parse(e.data));
        o.groups = std::move(g.groups);
        break;
      }
      case wire::kExtSignatureAlgorithms: {
        TESSERA_ASSIGN_OR_RETURN(auto s, wire::SignatureSchemeList::parse(e.data));
        o.schemes = std::move(s.schemes);
        break;
      }
      case wire::kExtSignatureAlgorithmsCert: {
        TESSERA_ASSIGN_OR_RETURN(auto s, wire::SignatureSchemeList::parse(e.data));
        o.cert_schemes = std::move(s.schemes);
        break;
      }
      case wire::kExtKeyShare: {
        TESSERA_ASSIGN_OR_RETURN(auto k, wire::KeyShareClientHello::parse(e.data));
        o.shares = std::move(k);
        break;
      }
      case wire::kExtAlpn: {
        TESSERA_ASSIGN_OR_RETURN(auto a, wire::ProtocolNameList::parse(e.data));
        o.alpn = std::move(a.protocol_names);
        break;
      }
      case wire::kExtServerName: {
        TESSERA_ASSIGN_OR_RETURN(auto s, wire::ServerNameList::parse(e.data));
        o.sni = std::move(s.host_name);
        break;
      }
      case wire::kExtCookie: {
        TESSERA_ASSIGN_OR_RETURN(auto c, wire::Cookie::parse(e.data));
        o.cookie = std::move(c.cookie);
        break;
      }
      case wire::kExtPreSharedKey: {
        TESSERA_ASSIGN_OR_RETURN(auto k, wire::OfferedPsks::parse(e.data));
        o.psks = std::move(k);
        break;
      }
      case wire::kExtPskKeyExchangeModes: {
        TESSERA_ASSIGN_OR_RETURN(auto m, wire::PskKeyExchangeModes::parse(e.data));
        o.psk_modes = std::move(m.modes);
        break;
      }
      case wire::kExtEarlyData:
        // RFC 8446 4.2.10: empty in a ClientHello.
        TESSERA_TRY(wire::expect_empty_extension(e));
        o.early_data = true;
        break;
      case wire::kExtPostHandshakeAuth:
        // RFC 8446 4.2.6: "The "extension_data" field of the
        // "post_handshake_auth" extension is zero length."
        TESSERA_TRY(wire::expect_empty_extension(e));
        o.post_handshake_auth = true;
        break;
      case wire::kExtCompressCertificate: {
        auto c = wire::CertificateCompressionAlgorithms::parse(e.data);
        if (c.ok()) {
          o.cert_compression = std::move(c->algorithms);
        } else {
          o.cert_compression_error = std::move(c).error();
        }
        break;
      }
      case wire::kExtStatusRequest: {
        // RFC 6066 8: a request for a stapled OCSP response (other status
        // types are accepted opaque, and not answered).
        TESSERA_ASSIGN_OR_RETURN(auto sr, wire::CertificateStatusRequest::parse(e.data));
        o.status_request_ocsp = sr.status_type == wire::CertificateStatus::kOcsp;
        break;
      }
      case wire::kExtRecordSizeLimit: {
        // RFC 8449 4: below 64 -> illegal_parameter (parse). "A server MUST
        // NOT enforce" the protocol maximum: larger values are kept, and
        // capped when used.
        TESSERA_ASSIGN_OR_RETURN(auto l, wire::RecordSizeLimit::parse(e.data));
        o.record_size_limit = l.limit;
        break;
      }
      case wire::kExtSessionTicket: {
        TESSERA_ASSIGN_OR_RETURN(auto t, wire::SessionTicketExtension::parse(e.data));
        o.session_ticket = std::move(t.ticket);
        break;
      }
      case wire::kExtExtendedMasterSecret:
        // RFC 7627 5.1: the extension_data is empty.
        TESSERA_TRY(wire::expect_empty_extension(e));
        o.extended_master_secret = true;
        break;
      case wire::kExtRenegotiationInfo: {
        TESSERA_ASSIGN_OR_RETURN(auto r, wire::RenegotiationInfo::parse(e.data));
        o.renegotiation_info = std::move(r.renegotiated_connection);
        break;
      }
      case wire::kExtEcPointFormats: {
        // RFC 8422 5.1.2: the list MUST contain uncompressed (parse checks).
        TESSERA_ASSIGN_OR_RETURN(auto f, wire::EcPointFormats::parse(e.data));
        (void)f;
        o.ec_point_formats = true;
        break;
      }
      default: break;  // RFC 8446 4.1.2 / RFC 5246 7.4.1.4: unknown extensions are ignored
    }
  }
  const auto& cs = o.ch.cipher_suites;
  o.fallback_scsv = std::find(cs.begin(), cs.end(), kFallbackScsv) != cs.end();
  o.renegotiation_scsv = std::find(cs.begin(), cs.end(), kEmptyRenegotiationInfoScsv) != cs.end();
  return o;
}

}  // namespace tessera::handshake
