#include <algorithm>

#include "tessera/policy.h"

#include "handshake/cert_compression.h"

namespace tessera {

namespace {

using CS = CipherSuite;
using NG = NamedGroup;
using SS = SignatureScheme;

std::vector<SignatureScheme> modern_schemes() {
  return {SS::ecdsa_secp256r1_sha256, SS::ecdsa_secp384r1_sha384, SS::ed25519,
          SS::rsa_pss_rsae_sha256,    SS::rsa_pss_rsae_sha384,    SS::rsa_pss_rsae_sha512,
          SS::rsa_pss_pss_sha256,     SS::rsa_pss_pss_sha384,     SS::rsa_pss_pss_sha512,
          SS::rsa_pkcs1_sha256,       SS::rsa_pkcs1_sha384,       SS::rsa_pkcs1_sha512};
}

template <class E>
std::string describe(const std::vector<uint16_t>& v, std::string (*name)(uint16_t)) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += name(v[i]);
  }
  return s + "]";
}

std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t c = s.find_first_of(",:");
    std::string_view item = s.substr(0, c);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
    if (c == std::string_view::npos) break;
    s.remove_prefix(c + 1);
  }
  return out;
}

}  // namespace

Policy Policy::default_policy() {
  Policy p;
  p.name = "default-2026-11";
  p.min_version = ProtocolVersion::tls12;
  p.max_version = ProtocolVersion::tls13;
  p.cipher_suites = {CS::TLS_AES_128_GCM_SHA256,
                     CS::TLS_AES_256_GCM_SHA384,
                     CS::TLS_CHACHA20_POLY1305_SHA256,
                     CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                     CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                     CS::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                     CS::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                     CS::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                     CS::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256};
  p.groups = {NG::x25519,    NG::secp256r1, NG::secp384r1,
              NG::ffdhe2048, NG::ffdhe3072, NG::ffdhe4096};
  p.key_share_groups = {NG::x25519};
  p.signature_schemes = modern_schemes();
  return p;
}

Policy Policy::strict() {
  Policy p;
  p.name = "strict-2026-11";
  p.min_version = ProtocolVersion::tls13;
  p.max_version = ProtocolVersion::tls13;
  p.cipher_suites = {CS::TLS_AES_128_GCM_SHA256, CS::TLS_AES_256_GCM_SHA384,
                     CS::TLS_CHACHA20_POLY1305_SHA256};
  p.groups = {NG::x25519, NG::secp256r1, NG::secp384r1};
  p.key_share_groups = {NG::x25519};
  p.signature_schemes = {
      SS::ecdsa_secp256r1_sha256, SS::ecdsa_secp384r1_sha384, SS::ed25519,
      SS::rsa_pss_rsae_sha256,    SS::rsa_pss_rsae_sha384,    SS::rsa_pss_rsae_sha512,
      SS::rsa_pss_pss_sha256,     SS::rsa_pss_pss_sha384,     SS::rsa_pss_pss_sha512};
  return p;
}

Policy Policy::compat() {
  Policy p = default_policy();
  p.name = "compat-2026-11";
  p.cipher_suites.insert(
      p.cipher_suites.end(),
      {CS::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, CS::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
       CS::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256, CS::TLS_RSA_WITH_AES_128_GCM_SHA256,
       CS::TLS_RSA_WITH_AES_256_GCM_SHA384});
  p.require_extended_master_secret = false;
  return p;
}

std::optional<Policy> Policy::by_name(std::string_view name) {
  for (auto make : {&Policy::default_policy, &Policy::strict, &Policy::compat}) {
    Policy p = make();
    std::string_view full = p.name;
    std::string_view base = full.substr(0, full.find('-'));
    if (name == full || name == base) return p;
  }
  return std::nullopt;
}

std::vector<std::string> Policy::preset_names() {
  return {default_policy().name, strict().name, compat().name};
}

bool Policy::allows_version(ProtocolVersion v) const {
  auto x = static_cast<uint16_t>(v);
  if (x < static_cast<uint16_t>(min_version) || x > static_cast<uint16_t>(max_version))
    return false;
  // A version none of our suites belongs to cannot be negotiated: a client
  // does not offer it, a server does not choose it (nor, choosing TLS 1.2,
  // claims TLS 1.3 with the downgrade sentinel, RFC 8446 4.1.3).
  return std::any_of(cipher_suites.begin(), cipher_suites.end(), [&](CipherSuite c) {
    auto info = cipher_suite_info(static_cast<uint16_t>(c));
    return info && info->version == v;
  });
}

bool Policy::allows_suite(uint16_t s) const {
  return std::any_of(cipher_suites.begin(), cipher_suites.end(),
                     [&](CipherSuite c) { return static_cast<uint16_t>(c) == s; });
}
bool Policy::allows_group(uint16_t g) const {
  return std::any_of(groups.begin(), groups.end(),
                     [&](NamedGroup c) { return static_cast<uint16_t>(c) == g; });
}
bool Policy::allows_scheme(uint16_t s) const {
  return std::any_of(signature_schemes.begin(), signature_schemes.end(),
                     [&](SignatureScheme c) { return static_cast<uint16_t>(c) == s; });
}

std::vector<CipherSuite> Policy::suites_for(ProtocolVersion v) const {
  std::vector<CipherSuite> out;
  for (CipherSuite s : cipher_suites) {
    auto info = cipher_suite_info(static_cast<uint16_t>(s));
    if (info && info->version == v) out.push_back(s);
  }
  return out;
}

Result<void> Policy::validate() const {
  if (static_cast<uint16_t>(min_version) > static_cast<uint16_t>(max_version))
    return Error(ErrorCode::config_invalid, "policy " + name + ": min_version above max_version");
  if (suites_for(ProtocolVersion::tls12).empty() && suites_for(ProtocolVersion::tls13).empty())
    return Error(ErrorCode::config_invalid, "policy " + name + ": no cipher suites");
  if (!allows_version(ProtocolVersion::tls12) && !allows_version(ProtocolVersion::tls13))
    return Error(ErrorCode::config_invalid,
                 "policy " + name + ": no cipher suite for " +
                     (min_version == max_version ? std::string(version_name(min_version))
                                                 : std::string(version_name(min_version)) + " to " +
                                                       version_name(max_version)));
  if (groups.empty()) return Error(ErrorCode::config_invalid, "policy " + name + ": no groups");
  if (signature_schemes.empty())
    return Error(ErrorCode::config_invalid, "policy " + name + ": no signature schemes");
  // Key shares exist only in TLS 1.3 ClientHellos.
  for (NamedGroup g : key_share_groups) {
    if (allows_version(ProtocolVersion::tls13) && !allows_group(static_cast<uint16_t>(g)))
      return Error(ErrorCode::config_invalid, "policy " + name + ": key share group " +
                                                  group_name(static_cast<uint16_t>(g)) +
                                                  " is not in groups");
  }
  // RFC 8449 4: no value below 64; none above the largest protocol limit.
  if (limits.record_size_limit < 64 || limits.record_size_limit > 16385)
    return Error(ErrorCode::config_invalid, "policy " + name + ": record_size_limit " +
                                                std::to_string(limits.record_size_limit) +
                                                " is outside 64..16385");
  if (min_rsa_bits < 2048)
    return Error(ErrorCode::config_invalid, "policy " + name + ": RSA keys below 2048 bits");
  // The same floor for finite-field DH (RFC 7919 groups start at 2048).
  if (min_ffdhe_bits < 2048)
    return Error(ErrorCode::config_invalid,
                 "policy " + name + ": finite-field DH groups below 2048 bits");
  for (CertCompression c : cert_compression) {
    if (!handshake::cert_compression_available(c))
      return Error(ErrorCode::config_invalid, "policy " + name + ": certificate compression " +
                                                  cert_compression_name(static_cast<uint16_t>(c)) +
                                                  " is not available in this build");
  }
  // RFC 8879 3: algorithms<2..2^8-2>, so at most 127 of them.
  if (cert_compression.size() > 127)
    return Error(ErrorCode::config_invalid,
                 "policy " + name + ": more than 127 certificate compression algorithms");
  return ok();
}

Result<void> Policy::set_cipher_suites(std::string_view list) {
  std::vector<CipherSuite> v;
  for (auto item : split_list(list)) {
    auto s = parse_cipher_suite(item);
    if (!s)
      return Error(ErrorCode::config_invalid, "unknown cipher suite '" + std::string(item) + "'");
    if (std::find(v.begin(), v.end(), *s) == v.end()) v.push_back(*s);
  }
  if (v.empty()) return Error(ErrorCode::config_invalid, "empty cipher suite list");
  cipher_suites = std::move(v);
  return ok();
}

Result<void> Policy::set_groups(std::string_view list) {
  std::vector<NamedGroup> v;
  for (auto item : split_list(list)) {
    auto g = parse_group(item);
    if (!g) return Error(ErrorCode::config_invalid, "unknown group '" + std::string(item) + "'");
    if (std::find(v.begin(), v.end(), *g) == v.end()) v.push_back(*g);
  }
  if (v.empty()) return Error(ErrorCode::config_invalid, "empty group list");
  groups = v;
  key_share_groups = {v.front()};
  return ok();
}

Result<void> Policy::set_signature_schemes(std::string_view list) {
  std::vector<SignatureScheme> v;
  for (auto item : split_list(list)) {
    auto s = parse_signature_scheme(item);
    if (!s)
      return Error(ErrorCode::config_invalid,
                   "unknown signature scheme '" + std::string(item) + "'");
    if (std::find(v.begin(), v.end(), *s) == v.end()) v.push_back(*s);
  }
  if (v.empty()) return Error(ErrorCode::config_invalid, "empty signature scheme list");
  signature_schemes = std::move(v);
  return ok();
}

Result<void> Policy::set_cert_compression(std::string_view list) {
  std::vector<CertCompression> v;
  for (auto item : split_list(list)) {
    if (item == "none" && split_list(list).size() == 1) break;
    auto c = parse_cert_compression(item);
    if (!c)
      return Error(ErrorCode::config_invalid, "unknown certificate compression algorithm '" +
                                                  std::string(item) + "' (zlib, brotli, zstd)");
    if (std::find(v.begin(), v.end(), *c) == v.end()) v.push_back(*c);
  }
  cert_compression = std::move(v);
  return ok();
}

std::string describe_groups(const std::vector<uint16_t>& v) {
  return describe<int>(v, &group_name);
}
std::string describe_suites(const std::vector<uint16_t>& v) {
  return describe<int>(v, &cipher_suite_name);
}
std::string describe_schemes(const std::vector<uint16_t>& v) {
  return describe<int>(v, &signature_scheme_name);
}
std::string describe_cert_compression(const std::vector<uint16_t>& v) {
  return describe<int>(v, &cert_compression_name);
}

}  // namespace tessera
