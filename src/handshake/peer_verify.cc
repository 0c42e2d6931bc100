#include "handshake/peer_verify.h"

#include "handshake/common.h"
#include "wire/extensions.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/identity.h"
#include "x509/name.h"
#include "x509/ocsp.h"
#include "x509/time.h"
#include "x509/trust_store.h"
#include "x509/verify.h"

namespace tessera::handshake {

namespace {
const char* crl_check_name(CrlCheck c) {
  switch (c) {
    case CrlCheck::chain: return "chain";
    case CrlCheck::leaf: return "leaf";
    case CrlCheck::best_effort: return "best-effort";
  }
  return "?";
}
}  // namespace

Result<PeerChain> verify_peer_chain(crypto::Provider& provider, std::vector<Bytes> chain,
                                    const VerifyRequest& req) {
  if (req.limits) {
    if (chain.size() > req.limits->max_certificate_chain_length)
      return Error(ErrorCode::cert_path_length, AlertDescription::bad_certificate,
                   "peer sent " + std::to_string(chain.size()) +
                       " certificates, more than the policy limit of " +
                       std::to_string(req.limits->max_certificate_chain_length));
    size_t total = 0;
    for (const auto& c : chain) total += c.size();
    if (total > req.limits->max_certificate_chain_bytes)
      return Error(
          ErrorCode::cert_path_length, AlertDescription::bad_certificate,
          "peer certificate chain of " + std::to_string(total) + " bytes exceeds the policy limit");
  }
  PeerChain pc;
  for (const auto& c : chain) pc.chain.push_back(c);
  // What the handshake needs from the leaf, from the one parse of it.
  auto take_leaf = [&pc, &req](const x509::Certificate& leaf) {
    pc.subject = leaf.subject().to_string();
    if (!req.purpose_server) {  // a server keeps them in its tickets
      ByteView issuer = leaf.issuer().der(), serial = leaf.serial();
      pc.leaf_issuer.assign(issuer.begin(), issuer.end());
      pc.leaf_serial.assign(serial.begin(), serial.end());
    }
    ByteView spki = leaf.spki_der();
    pc.leaf_spki.assign(spki.begin(), spki.end());
    if (const auto& ku = leaf.extensions().key_usage) pc.leaf_key_usage = ku->bits;
    if (req.identity) {
      if (const auto& sans = leaf.extensions().subject_alt_names)
        for (const auto& n : *sans) pc.leaf_names.push_back(n.to_string());
      pc.leaf_cn = leaf.subject().common_name().value_or("");
    }
  };

  // RFC 8446 4.4.2.2 and 4.4.2.3 (RFC 5246 7.4.2, 7.4.6; RFC 5280 4.2.1.3):
  // with a keyUsage extension, the key that signs CertificateVerify (or a
  // TLS 1.2 key exchange) must have digitalSignature.
  auto check_usage = [&pc, &req]() -> Result<void> {
    if (req.peer_signs && pc.leaf_key_usage &&
        !x509::KeyUsage{*pc.leaf_key_usage}.has(x509::KeyUsageBit::digital_signature))
      return Error(ErrorCode::cert_bad_usage, AlertDescription::unsupported_certificate,
                   std::string(req.purpose_server ? "server" : "client") +
                       " certificate keyUsage lacks digitalSignature, needed to sign "
                       "CertificateVerify");
    return ok();
  };

  if (!req.verify) {
    TESSERA_ASSIGN_OR_RETURN(auto leaf, x509::Certificate::parse(chain[0]));
    take_leaf(leaf);
    TESSERA_TRY(check_usage());
    if (req.describe) pc.description = pc.subject + " (NOT verified: verification disabled)";
    return pc;
  }
  if (!req.trust)
    return Error(ErrorCode::config_invalid, "no trust anchors configured to verify the peer");
  x509::VerifyOptions opts;
  opts.purpose = req.purpose_server ? x509::Purpose::server_auth : x509::Purpose::client_auth;
  opts.now_unix = req.now_unix;
  opts.crls = req.crls;
  opts.crl_check = req.crl_check;
  opts.min_rsa_bits = req.min_rsa_bits;
  if (!req.peer_name.empty()) {
    x509::ReferenceIdentity id;
    id.kind = x509::parse_ip_address(req.peer_name) ? x509::ReferenceIdentity::Kind::ip
                                                    : x509::ReferenceIdentity::Kind::dns;
    id.value = req.peer_name;
    opts.identities.push_back(std::move(id));
  }
  auto path = x509::verify_chain(provider, *req.trust, chain, opts);
  if (!path.ok()) {
    const Error& e = path.error();
    return e.with_context(std::string(req.purpose_server ? "server" : "client") +
                          " certificate rejected");
  }
  const x509::Certificate& leaf = *path->certs.front();  // leaf first, anchor last
  take_leaf(leaf);
  TESSERA_TRY(check_usage());
  pc.leaf_cert = path->certs.front();
  if (path->certs.size() >= 2) pc.issuer_cert = path->certs[1];
  const auto& anchor = path->certs.back();
  pc.anchor_subject = anchor->subject().to_string();
  pc.anchor_cert = anchor;
  pc.path_not_after = leaf.not_after();
  for (const auto& c : path->certs) pc.path_not_after = std::min(pc.path_not_after, c->not_after());
  if (req.describe)
    pc.description =
        pc.subject + " issued by " + leaf.issuer().to_string() + " (" +
        std::to_string(chain.size()) + " certificate(s) sent); chain verified to trust anchor " +
        pc.anchor_subject +
        (req.peer_name.empty() ? "" : "; identity " + req.peer_name + " matches") +
        (req.crls == nullptr ? ""
                             : "; not revoked (" + std::to_string(req.crls->size()) + " CRL(s), " +
                                   crl_check_name(req.crl_check) + " check)");
  return pc;
}

Result<CheckedPeer> check_verified_peer(crypto::Provider& provider, const PeerCheck& check,
                                        const PeerChain& pc, bool peer_is_server,
                                        ProtocolVersion version, std::string_view server_name,
                                        bool describe) {
  CheckedPeer out;
  if (!check) return out;
  out.kept = std::make_unique<KeptIdentity>(KeptIdentity{
      pc.subject, pc.leaf_cn, pc.leaf_names, provider.digest(HashAlgorithm::sha256, pc.leaf_spki)});
  PeerIdentity id = peer_identity(*out.kept, peer_is_server);
  id.version = version;
  id.server_name = std::string(server_name);
  id.verified_by = pc.anchor_subject;
  id.chain = pc.chain;
  TESSERA_TRY(run_peer_check(check, id));
  if (describe) out.description = describe_peer(id);
  return out;
}

PeerIdentity peer_identity(const KeptIdentity& kept, bool peer_is_server) {
  PeerIdentity id;
  id.peer_is_server = peer_is_server;
  id.version = ProtocolVersion::tls13;
  id.subject = kept.subject;
  id.common_name = kept.common_name;
  id.names = kept.names;
  id.spki_sha256 = kept.spki_sha256;
  return id;
}

void write_kept_identity(ByteWriter& w, ByteView spki_sha256, std::string_view common_name,
                         const std::vector<std::string>& names) {
  size_t total = 0;
  for (const auto& n : names) total += 2 + n.size();
  if (spki_sha256.size() != 32 || total > kMaxKeptNames || common_name.size() > 0xffff) {
    w.u8(0);
    return;
  }
  w.prefixed_bytes(1, spki_sha256);
  w.prefixed_bytes(2, as_bytes_view(common_name));
  w.prefixed(2, [&](ByteWriter& list) {
    for (const auto& n : names) list.prefixed_bytes(2, as_bytes_view(n));
  });
}

Result<void> read_kept_identity(ByteReader& r, Bytes& spki_sha256, std::string& common_name,
                                std::vector<std::string>& names) {
  TESSERA_ASSIGN_OR_RETURN(ByteView spki, r.read_prefixed_bytes(1));
  if (spki.empty()) return ok();
  if (spki.size() != 32)
    return Error(ErrorCode::decode_invalid_value, "kept peer identity: bad key hash length");
  TESSERA_ASSIGN_OR_RETURN(ByteView cn, r.read_prefixed_bytes(2));
  TESSERA_ASSIGN_OR_RETURN(ByteReader list, r.read_prefixed(2));
  if (list.remaining() > kMaxKeptNames)
    return Error(ErrorCode::decode_length, "kept peer identity: names too long");
  std::vector<std::string> out;
  while (list.remaining() > 0) {
    TESSERA_ASSIGN_OR_RETURN(ByteView n, list.read_prefixed_bytes(2));
    if (n.empty()) return Error(ErrorCode::decode_invalid_value, "kept peer identity: empty name");
    out.emplace_back(n.begin(), n.end());
  }
  spki_sha256.assign(spki.begin(), spki.end());
  common_name.assign(cn.begin(), cn.end());
  names = std::move(out);
  return ok();
}

std::optional<std::string> resumed_peer_refused(const PeerCheck& check, const KeptIdentity& kept,
                                                bool peer_is_server, ProtocolVersion version,
                                                std::string_view server_name) {
  if (!check) return std::nullopt;
  if (kept.spki_sha256.empty())
    return std::string("the session kept no identity for the peer check");
  PeerIdentity id = peer_identity(kept, peer_is_server);
  id.resumed = true;
  id.version = version;
  id.server_name = std::string(server_name);
  Result<void> r = check(id);
  if (r.ok()) return std::nullopt;
  return "the peer check refuses " + describe_peer(id) + ": " + r.error().message();
}

std::string describe_peer(const PeerIdentity& peer) {
  if (!peer.psk_identity.empty())
    return "external PSK '" + printable_identity(peer.psk_identity) + "'";
  // The subject comes escaped (RFC 4514, control characters as \XX), and
  // so do the names (GeneralName::to_string, as \xNN): nothing a peer puts
  // in its certificate starts a new line in a log.
  std::string s = peer.subject.empty() ? "(no subject)" : peer.subject;
  if (!peer.names.empty()) {
    s += " [";
    for (size_t i = 0; i < peer.names.size(); ++i) {
      if (i == 4) {
        s += ", ... " + std::to_string(peer.names.size() - i) + " more";
        break;
      }
      s += (i ? ", " : "") + peer.names[i];
    }
    s += "]";
  }
  return s;
}

Result<void> run_peer_check(const PeerCheck& check, const PeerIdentity& peer) {
  if (!check) return ok();
  Result<void> r = check(peer);
  if (r.ok()) return r;
  // RFC 8446 6.2: access_denied: "A valid certificate or PSK was received,
  // but when access control was applied, the sender decided not to proceed
  // with negotiation."
  return Error(ErrorCode::access_denied, AlertDescription::access_denied,
               std::string("the peer check refused the ") +
                   (peer.peer_is_server ? "server " : "client ") + describe_peer(peer) + ": " +
                   r.error().message());
}

Result<std::string> check_stapled_ocsp(crypto::Provider& provider, const PeerChain& chain,
                                       const std::optional<Bytes>& response, OcspStapling mode,
                                       int64_t now_unix, const x509::CrlSet* crls,
                                       CrlCheck crl_check) {
  if (mode == OcspStapling::off) return std::string();
  if (!chain.leaf_cert) {  // verification disabled: a response is required, not checked
    if (!response && mode == OcspStapling::require)
      return Error(ErrorCode::cert_status_invalid,
                   "server stapled no OCSP response, and one is required");
    return std::string(response ? "stapled, NOT checked (verification disabled)" : "");
  }
  const x509::Certificate& leaf = *chain.leaf_cert;
  if (!chain.issuer_cert)  // RFC 5280 6.1: a trust anchor is not checked for revocation
    return std::string(response ? "stapled, not needed: the certificate is a trust anchor" : "");
  if (!response) {
    if (mode == OcspStapling::require)
      return Error(ErrorCode::cert_status_invalid, "server stapled no OCSP response for " +
                                                       leaf.subject().to_string() +
                                                       ", and one is required");
    // RFC 7633 4.2.3.1: a client that asked for status_request does not
    // accept a certificate whose TLS feature extension lists it ("OCSP
    // must-staple") without the response.
    if (leaf.extensions().requires_tls_feature(wire::kExtStatusRequest))
      return Error(ErrorCode::cert_status_invalid,
                   "server stapled no OCSP response for " + leaf.subject().to_string() +
                       ", whose certificate requires one (RFC 7633 TLS feature status_request, "
                       "\"must-staple\")");
    return std::string();
  }
  // RFC 6066 8: "Clients requesting an OCSP response and receiving an OCSP
  // response ... MUST check the OCSP response and abort the handshake if the
  // response is not satisfactory with bad_certificate_status_response(113)".
  auto with_context = [](const Error& e) {
    return e.with_context("stapled OCSP response rejected");
  };
  auto parsed = x509::OcspResponse::parse(*response);
  if (!parsed.ok()) return with_context(parsed.error());
  x509::OcspCheckOptions options;
  options.now = now_unix;
  if (crls != nullptr)
    options.responder_revocation = [&](const x509::Certificate& responder) {
      return refused_by_crls(crls, crl_check, responder.issuer().der(), responder.serial(),
                             now_unix,
                             "the OCSP responder's certificate " + responder.subject().to_string())
          .value_or(std::string());
    };
  auto entry = x509::check_ocsp_response(provider, *parsed, leaf, *chain.issuer_cert, options);
  if (!entry.ok()) return with_context(entry.error());
  auto verdict = x509::ocsp_status_result(*entry, leaf);
  if (!verdict.ok()) return verdict.error();
  return std::string(x509::ocsp_status_name(entry->status)) + "; thisUpdate " +
         x509::format_iso8601(entry->this_update) +
         (entry->next_update ? ", nextUpdate " + x509::format_iso8601(*entry->next_update)
                             : std::string(", no nextUpdate"));
}

Result<std::unique_ptr<crypto::PublicKey>> load_leaf_key(crypto::Provider& provider,
                                                         const PeerChain& chain) {
  auto key = provider.load_public_key(chain.leaf_spki);
  if (key.ok()) return key;
  const Error& e = key.error();
  const bool unsupported = e.code() == ErrorCode::unsupported_algorithm;
  return Error(
      e.code(),
      unsupported ? AlertDescription::unsupported_certificate : AlertDescription::bad_certificate,
      "the peer's certificate " + chain.subject + " has a public key we " +
          (unsupported ? "do not support: " : "cannot load: ") + e.message());
}

Result<void> verify_with_leaf(crypto::Provider& provider, const PeerChain& chain,
                              SignatureScheme scheme, ByteView content, ByteView signature,
                              bool tls13) {
  TESSERA_ASSIGN_OR_RETURN(auto key, load_leaf_key(provider, chain));
  // RFC 8446 4.2.3 / 4.4.3: in TLS 1.3 the scheme fixes the key's curve
  // (ecdsa_secp256r1_sha256 is P-256 only).
  if (tls13 && !key->supports(scheme))
    return Error(ErrorCode::illegal_parameter,
                 "CertificateVerify uses " + signature_scheme_name(static_cast<uint16_t>(scheme)) +
                     ", which the certificate's " +
                     std::string(crypto::key_type_name(key->type())) +
                     " key cannot make in TLS 1.3");
  auto r = key->verify(scheme, content, signature);
  if (!r.ok()) {
    // RFC 8446 4.4.3: a CertificateVerify that does not verify -> decrypt_error.
    return Error(ErrorCode::decrypt_error, AlertDescription::decrypt_error,
                 "CertificateVerify signature (" +
                     signature_scheme_name(static_cast<uint16_t>(scheme)) +
                     ") does not verify with the certificate's key: " + r.error().message());
  }
  return ok();
}

std::optional<std::string> refused_by_crls(const x509::CrlSet* crls, CrlCheck check,
                                           ByteView issuer, ByteView serial, int64_t now_unix,
                                           std::string_view what) {
  if (crls == nullptr) return std::nullopt;
  if (issuer.empty() || serial.empty())
    return "the issuer and serial of " + std::string(what) +
           " are unknown (a ticket from before "
           "they were kept)";
  auto name = x509::Name::parse(issuer);
  if (!name.ok()) return "the issuer name of " + std::string(what) + " does not parse";
  bool covered = false;
  const std::vector<x509::Crl>& list = crls->crls();
  for (size_t k = 0; k < list.size(); ++k) {
    const x509::Crl& crl = list[k];
    if (!x509::names_equal(crl.issuer(), *name)) continue;
    if (crl.find_revoked(serial) != nullptr)
      return "a CRL of " + name->to_string() + " lists " + std::string(what);
    // The usability rules of x509::verify_chain (RFC 5280 6.3.3), with the
    // signature taken from an earlier handshake's check.
    if (!crl.is_delta() && !crl.has_unknown_critical_extension() && crl.this_update() <= now_unix &&
        (!crl.next_update() || *crl.next_update() >= now_unix) && crls->verified_by_any(k))
      covered = true;
  }
  if (!covered && check != CrlCheck::best_effort)
    return "no current CRL of " + name->to_string() + " covers " + std::string(what);
  return std::nullopt;
}

std::string leaf_subject(const std::vector<std::vector<uint8_t>>& chain) {
  if (chain.empty()) return "(none)";
  auto c = x509::Certificate::parse(chain[0]);
  if (!c.ok()) return "(unparsable)";
  return c->subject().to_string();
}

}  // namespace tessera::handshake
