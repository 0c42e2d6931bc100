// tessera/algorithms.h — IANA identifiers for versions, cipher suites, groups
// and signature schemes, with their names.
//
// Protocol code names algorithms by these identifiers only. Names are the IANA
// spellings ("TLS_AES_128_GCM_SHA256", "x25519", "ecdsa_secp256r1_sha256");
// the parse_* functions also accept OpenSSL's spellings as aliases
// ("ECDHE-ECDSA-AES128-GCM-SHA256", "X25519", "P-256").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera {

enum class ProtocolVersion : uint16_t {
  tls12 = 0x0303,
  tls13 = 0x0304,
};

// RFC 8446 B.4, RFC 5288, RFC 5289, RFC 7905: AEAD suites only.
enum class CipherSuite : uint16_t {
  // TLS 1.3
  TLS_AES_128_GCM_SHA256 = 0x1301,
  TLS_AES_256_GCM_SHA384 = 0x1302,
  TLS_CHACHA20_POLY1305_SHA256 = 0x1303,
  // TLS 1.2 ECDHE
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9,
  // TLS 1.2 DHE
  TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009e,
  TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009f,
  TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xccaa,
  // TLS 1.2 RSA key transport
  TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c,
  TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d,
};

// RFC 8446 4.2.7, RFC 7919.
enum class NamedGroup : uint16_t {
  secp256r1 = 0x0017,
  secp384r1 = 0x0018,
  x25519 = 0x001d,
  ffdhe2048 = 0x0100,
  ffdhe3072 = 0x0101,
  ffdhe4096 = 0x0102,
};

// RFC 8446 4.2.3.
enum class SignatureScheme : uint16_t {
  rsa_pkcs1_sha256 = 0x0401,
  rsa_pkcs1_sha384 = 0x0501,
  rsa_pkcs1_sha512 = 0x0601,
  ecdsa_secp256r1_sha256 = 0x0403,
  ecdsa_secp384r1_sha384 = 0x0503,
  ecdsa_secp521r1_sha512 = 0x0603,
  rsa_pss_rsae_sha256 = 0x0804,
  rsa_pss_rsae_sha384 = 0x0805,
  rsa_pss_rsae_sha512 = 0x0806,
  ed25519 = 0x0807,
  rsa_pss_pss_sha256 = 0x0809,
  rsa_pss_pss_sha384 = 0x080a,
  rsa_pss_pss_sha512 = 0x080b,
  // legacy, recognised only to be refused
  rsa_pkcs1_sha1 = 0x0201,
  ecdsa_sha1 = 0x0203,
};

// RFC 8879 3: CertificateCompressionAlgorithm.
enum class CertCompression : uint16_t {
  zlib = 1,    // RFC 1950
  brotli = 2,  // RFC 7932
  zstd = 3,    // RFC 8478
};

enum class HashAlgorithm : uint8_t { sha256, sha384, sha512, sha1 };
enum class AeadAlgorithm : uint8_t { aes_128_gcm, aes_256_gcm, chacha20_poly1305 };
enum class KeyExchange : uint8_t { tls13, ecdhe, dhe, rsa };
enum class AuthAlgorithm : uint8_t { tls13, ecdsa, rsa };

// Properties of a cipher suite.
struct CipherSuiteInfo {
  CipherSuite suite;
  std::string_view iana_name;
  std::string_view openssl_name;
  ProtocolVersion version;  // tls13 suites are TLS 1.3 only; others TLS 1.2 only
  AeadAlgorithm aead;
  HashAlgorithm hash;  // transcript / HKDF / PRF hash
  KeyExchange kx;
  AuthAlgorithm auth;
};

// cipher_suite_info returns the properties of a suite we implement, or
// nullopt for any other value.
std::optional<CipherSuiteInfo> cipher_suite_info(uint16_t value);

std::string version_name(ProtocolVersion v);        // "TLS 1.3"
std::string cipher_suite_name(uint16_t value);      // IANA name or "0x1234"
std::string group_name(uint16_t value);             // "x25519" or "0x1234"
std::string signature_scheme_name(uint16_t value);  // "ecdsa_secp256r1_sha256" or "0x1234"
std::string cert_compression_name(uint16_t value);  // "brotli" or "0x1234"
std::string_view hash_name(HashAlgorithm h);        // "SHA-256"
std::string_view aead_name(AeadAlgorithm a);        // "AES-128-GCM"
size_t hash_length(HashAlgorithm h);
size_t aead_key_length(AeadAlgorithm a);

std::optional<CipherSuite> parse_cipher_suite(std::string_view name);
std::optional<NamedGroup> parse_group(std::string_view name);
std::optional<SignatureScheme> parse_signature_scheme(std::string_view name);
std::optional<ProtocolVersion> parse_version(std::string_view name);  // "1.2", "1.3", "TLSv1.3"
std::optional<CertCompression> parse_cert_compression(std::string_view name);  // "zlib", ...

// The hash a signature scheme signs with (sha256 for ed25519 is not
// meaningful; ed25519 returns nullopt).
std::optional<HashAlgorithm> signature_scheme_hash(SignatureScheme s);

}  // namespace tessera
