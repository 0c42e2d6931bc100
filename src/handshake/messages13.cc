#include "handshake/messages13.h"

#include <algorithm>
#include <list>
#include <mutex>
#include <string>

#include "handshake/cert_compression.h"

#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/extension_rules.h"
#include "wire/extensions.h"
#include "wire/finished.h"
#include "wire/hello.h"
#include "wire/post_handshake.h"

namespace tessera::handshake {

Result<CertificateRequestInfo> parse_certificate_request13(ByteView body, bool post_handshake) {
  TESSERA_ASSIGN_OR_RETURN(auto cr, wire::CertificateRequest13::parse(body));
  // RFC 8446 4.3.2: certificate_request_context SHALL be zero length unless
  // used for post-handshake authentication.
  if (!post_handshake && !cr.certificate_request_context.empty())
    return Error(ErrorCode::illegal_parameter,
                 "CertificateRequest during the handshake has a non-empty context");
  // RFC 8446 4.2: a known extension not specified for CertificateRequest ->
  // illegal_parameter (unknown ones are ignored, 4.3.2).
  TESSERA_TRY(
      wire::check_tls13_extensions(cr.extensions, wire::ExtensionContext::certificate_request));
  CertificateRequestInfo info;
  info.context = cr.certificate_request_context;
  // RFC 8446 4.3.2: the signature_algorithms extension MUST be specified.
  const auto* sa = cr.find_extension(wire::kExtSignatureAlgorithms);
  if (!sa)
    return Error(ErrorCode::missing_extension, "CertificateRequest lacks signature_algorithms");
  TESSERA_ASSIGN_OR_RETURN(auto list, wire::SignatureSchemeList::parse(sa->data));
  info.schemes = std::move(list.schemes);
  if (const auto* ca = cr.find_extension(wire::kExtCertificateAuthorities)) {
    TESSERA_ASSIGN_OR_RETURN(auto cas, wire::CertificateAuthorities::parse(ca->data));
    info.authorities = std::move(cas.authorities);
  }
  if (const auto* cc = cr.find_extension(wire::kExtCompressCertificate)) {
    TESSERA_ASSIGN_OR_RETURN(auto algs, wire::CertificateCompressionAlgorithms::parse(cc->data));
    info.cert_compression = std::move(algs.algorithms);
  }
  return info;
}

Result<std::optional<Bytes>> check_certificate_entry_extensions(const wire::Certificate13& cert,
                                                                std::string_view sender,
                                                                bool status_requested) {
  std::optional<Bytes> leaf_status;
  for (size_t i = 0; i < cert.certificate_list.size(); ++i) {
    const wire::Extensions& exts = cert.certificate_list[i].extensions;
    TESSERA_TRY(wire::check_tls13_extensions(exts, wire::ExtensionContext::certificate));
    for (const wire::Extension& e : exts) {
      // RFC 8446 4.4.2.1: "the server's OCSP information is carried in an
      // extension in the CertificateEntry containing the associated
      // certificate", a CertificateStatus. Only the end entity's is used.
      if (e.type == wire::kExtStatusRequest && status_requested) {
        auto status = wire::CertificateStatus::parse(e.data);
        if (!status.ok())
          return Error(status.error().code(), status.error().alert(),
                       std::string(sender) + " Certificate entry " + std::to_string(i) +
                           " status_request: " + status.error().message());
        if (i == 0) leaf_status = std::move(status->ocsp_response);
        continue;
      }
      // RFC 8446 4.4.2: the extensions "MUST correspond to ones from the
      // ClientHello / CertificateRequest"; 4.2: a response to an extension
      // not sent -> unsupported_extension.
      return Error(ErrorCode::unsupported_extension,
                   std::string(sender) + " Certificate entry " + std::to_string(i) +
                       " carries unsolicited extension " + wire::extension_name(e.type));
    }
  }
  return leaf_status;
}

Result<Bytes> build_certificate_request13(ByteView context, const std::vector<uint16_t>& schemes,
                                          const std::vector<Bytes>& authorities,
                                          const std::vector<uint16_t>& cert_compression) {
  wire::CertificateRequest13 cr;
  cr.certificate_request_context.assign(context.begin(), context.end());
  cr.extensions.push_back(
      wire::make_extension(wire::kExtSignatureAlgorithms, wire::SignatureSchemeList{schemes}));
  if (!authorities.empty())
    cr.extensions.push_back(wire::make_extension(wire::kExtCertificateAuthorities,
                                                 wire::CertificateAuthorities{authorities}));
  // RFC 8879 3: sent by a server in a CertificateRequest, it offers
  // decompression of the client's certificate.
  if (!cert_compression.empty())
    cr.extensions.push_back(wire::make_extension(
        wire::kExtCompressCertificate, wire::CertificateCompressionAlgorithms{cert_compression}));
  return wire::encode_handshake(cr);
}

Result<Bytes> build_certificate13(ByteView context, const std::vector<std::vector<uint8_t>>& chain,
                                  ByteView leaf_ocsp) {
  wire::Certificate13 c;
  c.certificate_request_context.assign(context.begin(), context.end());
  for (const auto& der : chain) c.certificate_list.push_back({der, {}});
  if (!leaf_ocsp.empty() && !c.certificate_list.empty()) {
    // RFC 8446 4.4.2.1: the body of the entry's status_request extension is
    // a CertificateStatus.
    wire::CertificateStatus status;
    status.ocsp_response.assign(leaf_ocsp.begin(), leaf_ocsp.end());
    c.certificate_list[0].extensions.push_back(
        wire::make_extension(wire::kExtStatusRequest, status));
  }
  return wire::encode_handshake(c);
}

// --- RFC 8879 certificate compression ------------------------------------------

std::vector<uint16_t> cert_compression_values(const Policy& policy) {
  std::vector<uint16_t> v;
  for (CertCompression c : policy.cert_compression) v.push_back(static_cast<uint16_t>(c));
  return v;
}

std::optional<CertCompression> choose_cert_compression(const Policy& policy,
                                                       const std::vector<uint16_t>& peer) {
  for (CertCompression c : policy.cert_compression)
    if (std::find(peer.begin(), peer.end(), static_cast<uint16_t>(c)) != peer.end()) return c;
  return std::nullopt;
}

namespace {

// CompressionCache keeps the most recently used compressed Certificate
// messages. A server sends the same message to every client (its chain, an
// empty context, no entry extensions), so a hit is the rule; the key is the
// whole message, so a changed chain can never get another chain's
// compression. Least recently used first out: a client can only force a
// recompression (milliseconds of brotli) by cycling through more
// (chain, algorithm) pairs than kEntries, more than a server has.
class CompressionCache {
 public:
  static constexpr size_t kEntries = 128;

  std::optional<CompressedOwnCertificate> find(CertCompression alg, ByteView message) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->alg == alg && it->message.size() == message.size() &&
          std::equal(it->message.begin(), it->message.end(), message.begin())) {
        entries_.splice(entries_.begin(), entries_, it);  // most recently used first
        return entries_.front().result;
      }
    }
    return std::nullopt;
  }
  void put(CertCompression alg, ByteView message, const CompressedOwnCertificate& result) {
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() == kEntries) entries_.pop_back();
    entries_.push_front(Entry{alg, Bytes(message.begin(), message.end()), result});
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    CertCompression alg;
    Bytes message;
    CompressedOwnCertificate result;
  };
  std::mutex mu_;
  std::list<Entry> entries_;
};

CompressionCache& compression_cache() {
  static CompressionCache cache;
  return cache;
}

}  // namespace

Result<CompressedOwnCertificate> compress_own_certificate(CertCompression alg,
                                                          ByteView certificate_message) {
  if (auto hit = compression_cache().find(alg, certificate_message)) return *hit;
  const ByteView body = certificate_message.subspan(wire::kHandshakeHeaderSize);
  TESSERA_ASSIGN_OR_RETURN(Bytes packed, compress_certificate_message(alg, body));
  CompressedOwnCertificate out{{}, body.size(), packed.size()};
  // RFC 8879 4: compressing is a MAY; a CompressedCertificate that is not
  // smaller than the Certificate (8 bytes of its own framing: algorithm,
  // uncompressed_length, the compressed bytes' length) is not sent.
  if (packed.size() + 8 < body.size()) {
    wire::CompressedCertificate cc{static_cast<uint16_t>(alg), static_cast<uint32_t>(body.size()),
                                   std::move(packed)};
    TESSERA_ASSIGN_OR_RETURN(out.message, wire::encode_handshake(cc));
  }
  compression_cache().put(alg, certificate_message, out);
  return out;
}

CertificateCompressionNote compress_if_smaller(std::optional<CertCompression> alg,
                                               Bytes& certificate_message) {
  CertificateCompressionNote out;
  if (!alg) return out;
  const std::string name = cert_compression_name(static_cast<uint16_t>(*alg));
  auto packed = compress_own_certificate(*alg, certificate_message);
  if (!packed.ok()) {
    out.note = "; not compressed (" + name + " failed: " + packed.error().message() + ")";
    return out;
  }
  if (packed->message.empty()) {
    out.note = "; not compressed (" + name + " does not make it smaller)";
    return out;
  }
  certificate_message = std::move(packed->message);
  out.used = static_cast<uint16_t>(*alg);
  out.note = ", compressed with " + name + " (" + std::to_string(packed->uncompressed) + " -> " +
             std::to_string(packed->compressed) + " bytes)";
  return out;
}

Result<ReceivedCertificate> received_certificate13(const wire::HandshakeMessage& m,
                                                   const Policy& policy) {
  ReceivedCertificate out;
  if (m.type != wire::HandshakeType::compressed_certificate) {
    out.plain = m.body;
    return out;
  }
  TESSERA_ASSIGN_OR_RETURN(auto cc, wire::CompressedCertificate::parse(m.body));
  const std::string name = cert_compression_name(cc.algorithm);
  // RFC 8879 4: "The algorithm MUST be one of the algorithms listed in the
  // peer's compress_certificate extension."
  const bool listed =
      std::any_of(policy.cert_compression.begin(), policy.cert_compression.end(),
                  [&](CertCompression c) { return static_cast<uint16_t>(c) == cc.algorithm; });
  if (!listed)
    return Error(ErrorCode::illegal_parameter,
                 "CompressedCertificate uses " + name + ", which we did not offer");
  // RFC 8879 5: "they MUST apply the same limit as if no compression were
  // used" -- checked on the announced length, before decompressing.
  if (cc.uncompressed_length > policy.limits.max_handshake_message_size)
    return Error(ErrorCode::cert_parse, AlertDescription::bad_certificate,
                 "CompressedCertificate announces " + std::to_string(cc.uncompressed_length) +
                     " bytes, above the handshake message limit of " +
                     std::to_string(policy.limits.max_handshake_message_size));
  TESSERA_ASSIGN_OR_RETURN(
      out.decompressed, decompress_certificate_message(static_cast<CertCompression>(cc.algorithm),
                                                       cc.uncompressed_length, cc.compressed));
  out.compressed_with = cc.algorithm;
  out.compressed_size = cc.compressed.size();
  return out;
}

Result<Bytes> build_certificate_verify(SignatureScheme scheme, ByteView signature) {
  wire::CertificateVerify cv;
  cv.signed_data.scheme = static_cast<uint16_t>(scheme);
  cv.signed_data.signature.assign(signature.begin(), signature.end());
  return wire::encode_handshake(cv);
}

Result<Bytes> build_finished(ByteView verify_data) {
  wire::Finished f;
  f.verify_data.assign(verify_data.begin(), verify_data.end());
  return wire::encode_handshake(f);
}

Result<Bytes> build_key_update(bool request_peer) {
  wire::KeyUpdate k;
  k.request_update = request_peer ? wire::KeyUpdateRequest::update_requested
                                  : wire::KeyUpdateRequest::update_not_requested;
  return wire::encode_handshake(k);
}

Result<Bytes> build_hello_retry_request(
    ByteView session_id, uint16_t suite, uint16_t group, ByteView cookie,
    const std::optional<std::array<uint8_t, 8>>& ech_confirmation) {
  wire::ServerHello hrr;
  // RFC 8446 4.1.3: the HelloRetryRequest random is the special value.
  hrr.random = wire::kHelloRetryRequestRandom;
  hrr.legacy_session_id_echo.assign(session_id.begin(), session_id.end());
  hrr.cipher_suite = suite;
  hrr.extensions.push_back(
      wire::make_extension(wire::kExtSupportedVersions, wire::SupportedVersionsServer{0x0304}));
  hrr.extensions.push_back(
      wire::make_extension(wire::kExtKeyShare, wire::KeyShareHelloRetryRequest{group}));
  hrr.extensions.push_back(
      wire::make_extension(wire::kExtCookie, wire::Cookie{Bytes(cookie.begin(), cookie.end())}));
  if (ech_confirmation)
    hrr.extensions.push_back(wire::Extension{
        wire::kExtEncryptedClientHello, Bytes(ech_confirmation->begin(), ech_confirmation->end())});
  return wire::encode_handshake(hrr);
}

}  // namespace tessera::handshake
