#include "handshake/common.h"

#include <algorithm>

#include "base/ct.h"
#include "base/hex.h"
#include "handshake/handshake.h"
#include "handshake/negotiation.h"
#include "wire/extensions.h"

namespace tessera::handshake {

Bytes certificate_verify_input(bool server, ByteView transcript_hash) {
  static constexpr std::string_view kServer = "TLS 1.3, server CertificateVerify";
  static constexpr std::string_view kClient = "TLS 1.3, client CertificateVerify";
  ByteWriter w(64 + 34 + 1 + transcript_hash.size());
  for (int i = 0; i < 64; ++i) w.u8(0x20);
  w.bytes(as_bytes_view(server ? kServer : kClient));
  w.u8(0);
  w.bytes(transcript_hash);
  return std::move(w).take();
}

Result<void> Signing::wait_for(Channel& channel, std::shared_ptr<const KeySigner> signer,
                               std::shared_ptr<const crypto::PrivateKey> key,
                               SignatureScheme scheme, Bytes content, Then then) {
  // (The engine delivers no message while a signature is pending, so no
  // step can ask for a second one.)
  if (waiting())
    return Error(ErrorCode::internal_error,
                 "a second signature was asked for while one is pending");
  if (!channel.request_signature(SignatureRequest{std::move(signer), scheme, content}))
    return ok();  // the connection was closed: the step is dropped
  channel.trace("   waiting for the key signer's " +
                signature_scheme_name(static_cast<uint16_t>(scheme)) +
                " signature (asynchronous KeySigner)");
  pending_ = std::make_unique<Pending>(
      Pending{std::move(key), scheme, std::move(content), std::move(then)});
  return ok();
}

Result<void> Signing::complete(Result<std::vector<uint8_t>> answer) {
  if (!waiting()) return Error(ErrorCode::internal_error, "no signature was asked for");
  std::unique_ptr<Pending> p = std::move(pending_);
  TESSERA_ASSIGN_OR_RETURN(Bytes sig,
                           p->key->accept_signature(p->scheme, p->content, std::move(answer)));
  return p->then(std::move(sig));
}

bool scheme_allowed_tls13(uint16_t s) {
  using S = SignatureScheme;
  switch (static_cast<S>(s)) {
    case S::ecdsa_secp256r1_sha256:
    case S::ecdsa_secp384r1_sha384:
    case S::ecdsa_secp521r1_sha512:
    case S::rsa_pss_rsae_sha256:
    case S::rsa_pss_rsae_sha384:
    case S::rsa_pss_rsae_sha512:
    case S::rsa_pss_pss_sha256:
    case S::rsa_pss_pss_sha384:
    case S::rsa_pss_pss_sha512:
    case S::ed25519: return true;
    default: return false;
  }
}

Result<SignatureScheme> choose_signature_scheme(const Policy& policy,
                                                std::span<const uint16_t> peer_schemes,
                                                const crypto::PrivateKey& key, bool tls13) {
  for (SignatureScheme s : policy.signature_schemes) {
    auto v = static_cast<uint16_t>(s);
    if (tls13 && !scheme_allowed_tls13(v)) continue;
    if (std::find(peer_schemes.begin(), peer_schemes.end(), v) == peer_schemes.end()) continue;
    if (!key.supports(s)) continue;
    return s;
  }
  std::vector<uint16_t> mine;
  for (SignatureScheme s : policy.signature_schemes) {
    if ((!tls13 || scheme_allowed_tls13(static_cast<uint16_t>(s))) && key.supports(s))
      mine.push_back(static_cast<uint16_t>(s));
  }
  std::vector<uint16_t> off(peer_schemes.begin(), peer_schemes.end());
  return Error(ErrorCode::handshake_failure,
               "no common signature scheme for our " +
                   std::string(crypto::key_type_name(key.type())) + " key: peer offered " +
                   describe_schemes(off) + ", policy and key allow " + describe_schemes(mine));
}

std::shared_ptr<const Credential> select_credential(
    const std::vector<std::shared_ptr<const Credential>>& creds, const std::string& sni,
    const Policy& policy, std::span<const uint16_t> peer_schemes, bool tls13) {
  return pick_credential(creds, sni, [&](const Credential& c) {
    return choose_signature_scheme(policy, peer_schemes, *c.key, tls13).ok();
  });
}

const std::vector<std::shared_ptr<const Credential>>& candidate_credentials(
    const ServerConfig& cfg, const std::string& sni,
    std::vector<std::shared_ptr<const Credential>>& storage) {
  if (!cfg.credential_resolver) return cfg.credentials;
  storage = cfg.credential_resolver(sni);
  storage.erase(std::remove(storage.begin(), storage.end(), nullptr), storage.end());
  storage.insert(storage.end(), cfg.credentials.begin(), cfg.credentials.end());
  return storage;
}

std::shared_ptr<const Credential> pick_credential(
    const std::vector<std::shared_ptr<const Credential>>& creds, const std::string& sni,
    const std::function<bool(const Credential&)>& fits) {
  auto usable = [&](const Credential& c) { return c.key && fits(c); };
  auto names_host = [&](const Credential& c) {
    if (sni.empty()) return false;
    for (const auto& n : c.dns_names()) {
      if (n.size() == sni.size() && std::equal(n.begin(), n.end(), sni.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          }))
        return true;
      // "*.example.com" covers exactly one left-most label.
      if (n.size() > 2 && n[0] == '*' && n[1] == '.') {
        size_t dot = sni.find('.');
        if (dot != std::string::npos && dot > 0) {
          std::string rest = sni.substr(dot);
          std::string wild = n.substr(1);
          if (rest.size() == wild.size() &&
              std::equal(rest.begin(), rest.end(), wild.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
              }))
            return true;
        }
      }
    }
    return false;
  };
  // SNI decides only between several credentials (and costs a parse of each
  // leaf): with one, the fallback below picks the same.
  if (creds.size() > 1)
    for (const auto& c : creds)
      if (c && names_host(*c) && usable(*c)) return c;
  for (const auto& c : creds)
    if (c && usable(*c)) return c;
  return nullptr;
}

Bytes seal_cookie(crypto::Provider& p, ByteView key, const CookieState& s) {
  ByteWriter w;
  w.u8(1);  // cookie format version
  w.u16(s.cipher_suite);
  w.u16(s.group);
  w.prefixed<1>([&](ByteWriter& c) { c.bytes(s.client_hello1_hash); });
  Bytes body = std::move(w).take();
  Bytes tag = p.hmac(HashAlgorithm::sha256, key, body);
  body.insert(body.end(), tag.begin(), tag.end());
  return body;
}

Result<CookieState> open_cookie(crypto::Provider& p, ByteView key, ByteView cookie) {
  constexpr size_t kTag = 32;
  if (cookie.size() < kTag + 6)
    return Error(ErrorCode::illegal_parameter, "HelloRetryRequest cookie is too short");
  ByteView body = cookie.first(cookie.size() - kTag);
  Bytes want = p.hmac(HashAlgorithm::sha256, key, body);
  if (!ct_equal(want, cookie.last(kTag)))
    return Error(ErrorCode::illegal_parameter, "HelloRetryRequest cookie does not authenticate");
  ByteReader r(body);
  CookieState s;
  TESSERA_ASSIGN_OR_RETURN(uint8_t ver, r.read_u8());
  if (ver != 1) return Error(ErrorCode::illegal_parameter, "unknown cookie format");
  TESSERA_ASSIGN_OR_RETURN(s.cipher_suite, r.read_u16());
  TESSERA_ASSIGN_OR_RETURN(s.group, r.read_u16());
  TESSERA_ASSIGN_OR_RETURN(ByteView h, r.read_prefixed_bytes(1));
  s.client_hello1_hash.assign(h.begin(), h.end());
  TESSERA_TRY(r.expect_end("cookie"));
  return s;
}

Result<HandshakeTrafficSecrets> derive_handshake_traffic(crypto::Provider& p, HashAlgorithm hash,
                                                         ByteView shared_secret,
                                                         ByteView hello_hash,
                                                         const KeyLogCallback& keylog,
                                                         ByteView client_random) {
  return derive_handshake_traffic(crypto::EarlySecret::derive(p, hash), shared_secret, hello_hash,
                                  keylog, client_random);
}

Result<Bytes> psk_binder(const crypto::EarlySecret& early, crypto::Provider& p,
                         ByteView truncated_transcript_hash, crypto::PskKind kind) {
  TESSERA_ASSIGN_OR_RETURN(SecretBytes binder_key, early.binder_key(kind));
  return crypto::compute_finished(p, early.hash(), binder_key.view(), truncated_transcript_hash);
}

Result<HandshakeTrafficSecrets> derive_handshake_traffic(crypto::EarlySecret&& early,
                                                         ByteView shared_secret,
                                                         ByteView hello_hash,
                                                         const KeyLogCallback& keylog,
                                                         ByteView client_random) {
  TESSERA_ASSIGN_OR_RETURN(auto hs, std::move(early).into_handshake_secret(shared_secret));
  TESSERA_ASSIGN_OR_RETURN(auto chts, hs.client_handshake_traffic_secret(hello_hash));
  TESSERA_ASSIGN_OR_RETURN(auto shts, hs.server_handshake_traffic_secret(hello_hash));
  if (keylog) {
    keylog(crypto::keylog::line(crypto::keylog::kClientHandshakeTrafficSecret, client_random,
                                chts.view()));
    keylog(crypto::keylog::line(crypto::keylog::kServerHandshakeTrafficSecret, client_random,
                                shts.view()));
  }
  return HandshakeTrafficSecrets{std::move(hs), std::move(chts), std::move(shts)};
}

Result<ApplicationTrafficSecrets> derive_application_traffic(crypto::HandshakeSecret&& hs,
                                                             ByteView server_finished_hash,
                                                             const KeyLogCallback& keylog,
                                                             ByteView client_random) {
  TESSERA_ASSIGN_OR_RETURN(auto master, std::move(hs).into_master_secret());
  TESSERA_ASSIGN_OR_RETURN(auto cats,
                           master.client_application_traffic_secret_0(server_finished_hash));
  TESSERA_ASSIGN_OR_RETURN(auto sats,
                           master.server_application_traffic_secret_0(server_finished_hash));
  TESSERA_ASSIGN_OR_RETURN(auto ems, master.exporter_master_secret(server_finished_hash));
  if (keylog) {
    keylog(crypto::keylog::line(crypto::keylog::kClientTrafficSecret0, client_random, cats.view()));
    keylog(crypto::keylog::line(crypto::keylog::kServerTrafficSecret0, client_random, sats.view()));
    keylog(crypto::keylog::line(crypto::keylog::kExporterSecret, client_random, ems.view()));
  }
  return ApplicationTrafficSecrets{std::move(master), std::move(cats), std::move(sats),
                                   std::move(ems)};
}

Result<std::string> selected_alpn(ByteView extension_data,
                                  const std::vector<std::string>& offered) {
  // RFC 8446 4.2 / RFC 5246 7.4.1.4: an answer to an extension we did not
  // send -> unsupported_extension.
  if (offered.empty())
    return Error(ErrorCode::unsupported_extension,
                 "server selected an ALPN protocol, but we offered none");
  TESSERA_ASSIGN_OR_RETURN(std::string proto,
                           wire::ProtocolNameList::parse_selected(extension_data));
  // RFC 7301 3.1: the selected protocol must be one the client offered.
  if (std::find(offered.begin(), offered.end(), proto) == offered.end())
    return Error(ErrorCode::illegal_parameter,
                 "server selected ALPN protocol '" + proto + "' which we did not offer");
  return proto;
}

std::string keylog_line(std::string_view label, ByteView client_random, ByteView secret) {
  std::string s(label);
  s += ' ';
  s += to_hex(client_random);
  s += ' ';
  s += to_hex(secret);
  return s;
}

std::string hex_short(ByteView b, size_t max_bytes) {
  if (b.size() <= max_bytes) return to_hex(b);
  return to_hex(b.first(max_bytes)) + "...";
}

}  // namespace tessera::handshake

namespace tessera::handshake {

Error unexpected(std::string_view expecting, wire::HandshakeType got) {
  // RFC 8446 6.2: a message received out of order -> unexpected_message.
  return Error(ErrorCode::unexpected_message,
               "expected " + std::string(expecting) + ", got " + wire::handshake_type_name(got));
}

Result<void> check_exporter_request(std::string_view label, std::optional<ByteView> context,
                                    size_t length, HashAlgorithm hash) {
  if (label.empty() || label.size() > 249)
    return Error(ErrorCode::config_invalid,
                 "exporter label must be 1..249 bytes, not " + std::to_string(label.size()));
  // RFC 5705 4: "exporter labels have the potential to collide with existing
  // PRF labels"; TLS 1.2's own are refused outright (as OpenSSL does).
  for (std::string_view own : {"client finished", "server finished", "master secret",
                               "extended master secret", "key expansion"}) {
    if (label == own)
      return Error(ErrorCode::config_invalid,
                   "exporter label '" + std::string(label) + "' is one TLS itself uses");
  }
  if (context && context->size() > 0xFFFF)
    return Error(ErrorCode::config_invalid, "exporter context longer than 65535 bytes");
  const size_t max = 255 * hash_length(hash);
  if (length == 0 || length > max)
    return Error(ErrorCode::config_invalid, "exporter length must be 1.." + std::to_string(max) +
                                                " bytes, not " + std::to_string(length));
  return ok();
}

uint16_t advertised_record_size_limit(const Policy& policy, bool tls13) {
  const size_t max = tls13 ? wire::kMaxRecordSizeLimit13 : wire::kMaxRecordSizeLimit12;
  return static_cast<uint16_t>(std::min(policy.limits.record_size_limit, max));
}

size_t record_content_limit(size_t limit, bool tls13) {
  const size_t max = tls13 ? wire::kMaxRecordSizeLimit13 : wire::kMaxRecordSizeLimit12;
  return std::min(limit, max) - (tls13 ? 1 : 0);
}

std::string record_size_limit_note(uint16_t peer, uint16_t own) {
  if (peer == 0) return {};
  return "; record_size_limit: the peer takes records of up to " + std::to_string(peer) +
         " bytes, we " + std::to_string(own);
}

std::string printable_identity(std::string_view identity) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : identity.substr(0, 64)) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  if (identity.size() > 64) out += "...";
  return out;
}

}  // namespace tessera::handshake
