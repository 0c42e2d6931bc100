#include "tessera/algorithms.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace tessera {

namespace {

using CS = CipherSuite;
using V = ProtocolVersion;
using AE = AeadAlgorithm;
using H = HashAlgorithm;
using KX = KeyExchange;
using AU = AuthAlgorithm;

constexpr std::array<CipherSuiteInfo, 14> kSuites{{
    {CS::TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", V::tls13,
     AE::aes_128_gcm, H::sha256, KX::tls13, AU::tls13},
    {CS::TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", V::tls13,
     AE::aes_256_gcm, H::sha384, KX::tls13, AU::tls13},
    {CS::TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256",
     "TLS_CHACHA20_POLY1305_SHA256", V::tls13, AE::chacha20_poly1305, H::sha256, KX::tls13,
     AU::tls13},
    {CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
     "ECDHE-ECDSA-AES128-GCM-SHA256", V::tls12, AE::aes_128_gcm, H::sha256, KX::ecdhe, AU::ecdsa},
    {CS::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
     "ECDHE-ECDSA-AES256-GCM-SHA384", V::tls12, AE::aes_256_gcm, H::sha384, KX::ecdhe, AU::ecdsa},
    {CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
     "ECDHE-RSA-AES128-GCM-SHA256", V::tls12, AE::aes_128_gcm, H::sha256, KX::ecdhe, AU::rsa},
    {CS::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     "ECDHE-RSA-AES256-GCM-SHA384", V::tls12, AE::aes_256_gcm, H::sha384, KX::ecdhe, AU::rsa},
    {CS::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
     "ECDHE-RSA-CHACHA20-POLY1305", V::tls12, AE::chacha20_poly1305, H::sha256, KX::ecdhe, AU::rsa},
    {CS::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", V::tls12,
     AE::chacha20_poly1305, H::sha256, KX::ecdhe, AU::ecdsa},
    {CS::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
     "DHE-RSA-AES128-GCM-SHA256", V::tls12, AE::aes_128_gcm, H::sha256, KX::dhe, AU::rsa},
    {CS::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
     "DHE-RSA-AES256-GCM-SHA384", V::tls12, AE::aes_256_gcm, H::sha384, KX::dhe, AU::rsa},
    {CS::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
     "DHE-RSA-CHACHA20-POLY1305", V::tls12, AE::chacha20_poly1305, H::sha256, KX::dhe, AU::rsa},
    {CS::TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256",
     V::tls12, AE::aes_128_gcm, H::sha256, KX::rsa, AU::rsa},
    {CS::TLS_RSA_WITH_AES_256_GCM_SHA384, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384",
     V::tls12, AE::aes_256_gcm, H::sha384, KX::rsa, AU::rsa},
}};

struct Named {
  uint16_t value;
  std::string_view name;
  std::string_view alias1;
  std::string_view alias2;
};

constexpr std::array<Named, 6> kGroups{{
    {0x0017, "secp256r1", "P-256", "prime256v1"},
    {0x0018, "secp384r1", "P-384", ""},
    {0x001d, "x25519", "X25519", ""},
    {0x0100, "ffdhe2048", "", ""},
    {0x0101, "ffdhe3072", "", ""},
    {0x0102, "ffdhe4096", "", ""},
}};

constexpr std::array<Named, 15> kSchemes{{
    {0x0401, "rsa_pkcs1_sha256", "RSA+SHA256", ""},
    {0x0501, "rsa_pkcs1_sha384", "RSA+SHA384", ""},
    {0x0601, "rsa_pkcs1_sha512", "RSA+SHA512", ""},
    {0x0403, "ecdsa_secp256r1_sha256", "ECDSA+SHA256", ""},
    {0x0503, "ecdsa_secp384r1_sha384", "ECDSA+SHA384", ""},
    {0x0603, "ecdsa_secp521r1_sha512", "ECDSA+SHA512", ""},
    {0x0804, "rsa_pss_rsae_sha256", "RSA-PSS+SHA256", ""},
    {0x0805, "rsa_pss_rsae_sha384", "RSA-PSS+SHA384", ""},
    {0x0806, "rsa_pss_rsae_sha512", "RSA-PSS+SHA512", ""},
    {0x0807, "ed25519", "Ed25519", ""},
    {0x0809, "rsa_pss_pss_sha256", "", ""},
    {0x080a, "rsa_pss_pss_sha384", "", ""},
    {0x080b, "rsa_pss_pss_sha512", "", ""},
    {0x0201, "rsa_pkcs1_sha1", "RSA+SHA1", ""},
    {0x0203, "ecdsa_sha1", "ECDSA+SHA1", ""},
}};

// RFC 8879 3.
constexpr std::array<Named, 3> kCertCompressions{{
    {1, "zlib", "", ""},
    {2, "brotli", "", ""},
    {3, "zstd", "", ""},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string hex_value(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

template <size_t N>
std::string named_lookup(const std::array<Named, N>& table, uint16_t v) {
  for (const auto& n : table)
    if (n.value == v) return std::string(n.name);
  return hex_value(v);
}

template <size_t N>
std::optional<uint16_t> named_parse(const std::array<Named, N>& table, std::string_view s) {
  for (const auto& n : table)
    if (iequals(s, n.name) || iequals(s, n.alias1) || iequals(s, n.alias2)) return n.value;
  return std::nullopt;
}

}  // namespace

std::optional<CipherSuiteInfo> cipher_suite_info(uint16_t value) {
  for (const auto& s : kSuites)
    if (static_cast<uint16_t>(s.suite) == value) return s;
  return std::nullopt;
}

std::string version_name(ProtocolVersion v) {
  switch (v) {
    case ProtocolVersion::tls12: return "TLS 1.2";
    case ProtocolVersion::tls13: return "TLS 1.3";
  }
  return hex_value(static_cast<uint16_t>(v));
}

std::string cipher_suite_name(uint16_t value) {
  if (auto i = cipher_suite_info(value)) return std::string(i->iana_name);
  return hex_value(value);
}
std::string group_name(uint16_t value) { return named_lookup(kGroups, value); }
std::string signature_scheme_name(uint16_t value) { return named_lookup(kSchemes, value); }
std::string cert_compression_name(uint16_t value) { return named_lookup(kCertCompressions, value); }

std::string_view hash_name(HashAlgorithm h) {
  switch (h) {
    case H::sha256: return "SHA-256";
    case H::sha384: return "SHA-384";
    case H::sha512: return "SHA-512";
    case H::sha1: return "SHA-1";
  }
  return "?";
}

std::string_view aead_name(AeadAlgorithm a) {
  switch (a) {
    case AE::aes_128_gcm: return "AES-128-GCM";
    case AE::aes_256_gcm: return "AES-256-GCM";
    case AE::chacha20_poly1305: return "ChaCha20-Poly1305";
  }
  return "?";
}

size_t hash_length(HashAlgorithm h) {
  switch (h) {
    case H::sha256: return 32;
    case H::sha384: return 48;
    case H::sha512: return 64;
    case H::sha1: return 20;
  }
  return 0;
}

size_t aead_key_length(AeadAlgorithm a) {
  switch (a) {
    case AE::aes_128_gcm: return 16;
    case AE::aes_256_gcm: return 32;
    case AE::chacha20_poly1305: return 32;
  }
  return 0;
}

std::optional<CipherSuite> parse_cipher_suite(std::string_view name) {
  for (const auto& s : kSuites)
    if (iequals(name, s.iana_name) || iequals(name, s.openssl_name)) return s.suite;
  return std::nullopt;
}

std::optional<NamedGroup> parse_group(std::string_view name) {
  if (auto v = named_parse(kGroups, name)) return static_cast<NamedGroup>(*v);
  return std::nullopt;
}

std::optional<SignatureScheme> parse_signature_scheme(std::string_view name) {
  if (auto v = named_parse(kSchemes, name)) return static_cast<SignatureScheme>(*v);
  return std::nullopt;
}

std::optional<CertCompression> parse_cert_compression(std::string_view name) {
  if (auto v = named_parse(kCertCompressions, name)) return static_cast<CertCompression>(*v);
  return std::nullopt;
}

std::optional<ProtocolVersion> parse_version(std::string_view s) {
  if (s == "1.2" || iequals(s, "TLSv1.2") || iequals(s, "tls1.2") || iequals(s, "TLS 1.2"))
    return ProtocolVersion::tls12;
  if (s == "1.3" || iequals(s, "TLSv1.3") || iequals(s, "tls1.3") || iequals(s, "TLS 1.3"))
    return ProtocolVersion::tls13;
  return std::nullopt;
}

std::optional<HashAlgorithm> signature_scheme_hash(SignatureScheme s) {
  using S = SignatureScheme;
  switch (s) {
    case S::rsa_pkcs1_sha256:
    case S::ecdsa_secp256r1_sha256:
    case S::rsa_pss_rsae_sha256:
    case S::rsa_pss_pss_sha256: return H::sha256;
    case S::rsa_pkcs1_sha384:
    case S::ecdsa_secp384r1_sha384:
    case S::rsa_pss_rsae_sha384:
    case S::rsa_pss_pss_sha384: return H::sha384;
    case S::rsa_pkcs1_sha512:
    case S::ecdsa_secp521r1_sha512:
    case S::rsa_pss_rsae_sha512:
    case S::rsa_pss_pss_sha512: return H::sha512;
    case S::rsa_pkcs1_sha1:
    case S::ecdsa_sha1: return H::sha1;
    case S::ed25519: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace tessera
