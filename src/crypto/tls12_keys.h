// crypto/tls12_keys.h — TLS 1.2 key derivation: master secret (RFC 5246
// 8.1), extended master secret (RFC 7627 4), the key block for AEAD suites
// (RFC 5246 6.3, RFC 5288 3, RFC 7905 2) and Finished verify_data
// (RFC 5246 7.4.9).
//
// All use the TLS 1.2 PRF with the suite's PRF hash (SHA-256, or SHA-384 for
// the *_SHA384 suites), through Provider::tls12_prf.
#pragma once

#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/provider.h"
#include "tessera/algorithms.h"
#include "tessera/result.h"

namespace tessera::crypto {

inline constexpr size_t kTls12MasterSecretSize = 48;
inline constexpr size_t kTls12RandomSize = 32;
inline constexpr size_t kTls12VerifyDataSize = 12;

// tls12_master_secret implements RFC 5246 8.1:
//   master_secret = PRF(pre_master_secret, "master secret",
//                       ClientHello.random + ServerHello.random)[0..47]
// internal_error if a random is not 32 bytes.
Result<SecretBytes> tls12_master_secret(Provider& provider, HashAlgorithm prf_hash,
                                        ByteView pre_master_secret, ByteView client_random,
                                        ByteView server_random);

// tls12_extended_master_secret implements RFC 7627 4:
//   master_secret = PRF(pre_master_secret, "extended master secret",
//                       session_hash)[0..47]
// where session_hash = Hash(handshake messages up to and including
// ClientKeyExchange), e.g. Transcript::current_hash() at that point.
// internal_error if session_hash does not have the PRF hash's length.
Result<SecretBytes> tls12_extended_master_secret(Provider& provider, HashAlgorithm prf_hash,
                                                 ByteView pre_master_secret, ByteView session_hash);

// The write keys and IVs of both directions for an AEAD suite.
struct Tls12KeyBlock {
  SecretBytes client_write_key;
  SecretBytes server_write_key;
  // RFC 5288 3: 4-byte implicit salt for AES-GCM; RFC 7905 2: 12-byte IV for
  // ChaCha20-Poly1305.
  SecretBytes client_write_iv;
  SecretBytes server_write_iv;
};

// tls12_iv_length is the fixed IV length of an AEAD in TLS 1.2: 4 for
// AES-GCM, 12 for ChaCha20-Poly1305.
size_t tls12_iv_length(AeadAlgorithm aead);

// tls12_key_block implements RFC 5246 6.3:
//   key_block = PRF(SecurityParameters.master_secret, "key expansion",
//                   SecurityParameters.server_random + SecurityParameters.client_random)
// partitioned as client_write_key, server_write_key, client_write_IV,
// server_write_IV (AEAD suites have no MAC keys).
Result<Tls12KeyBlock> tls12_key_block(Provider& provider, HashAlgorithm prf_hash,
                                      ByteView master_secret, ByteView client_random,
                                      ByteView server_random, AeadAlgorithm aead);

// Which side sent a Finished message.
enum class Tls12Sender : uint8_t { client, server };

// tls12_finished implements RFC 5246 7.4.9:
//   verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))
//                 [0..verify_data_length-1], verify_data_length = 12,
//   finished_label = "client finished" | "server finished".
// handshake_hash is the transcript hash of every handshake message before
// this Finished (for the server's Finished it includes the client's).
Result<Bytes> tls12_finished(Provider& provider, HashAlgorithm prf_hash, ByteView master_secret,
                             Tls12Sender sender, ByteView handshake_hash);

// tls12_verify_finished recomputes verify_data and compares it with
// `received` in constant time: decrypt_error (alert decrypt_error) on a
// mismatch (RFC 5246 7.4.9: "Recipients of Finished messages MUST verify that
// the contents are correct"), decode_error for a wrong length.
Result<void> tls12_verify_finished(Provider& provider, HashAlgorithm prf_hash,
                                   ByteView master_secret, Tls12Sender sender,
                                   ByteView handshake_hash, ByteView received);

// kTls12PremasterSize: RFC 5246 7.4.7.1, the RSA-transported PreMasterSecret.
inline constexpr size_t kTls12PremasterSize = 48;

// tls12_rsa_premaster_from_em is the padding check of RSA key transport with
// implicit rejection (RFC 5246 7.4.7.1, RFC 8017 7.2.2): given EM, the raw RSA
// decryption of the ClientKeyExchange (as many bytes as the modulus), it
// returns M if EM = 0x00 || 0x02 || PS (>= 8 non-zero bytes) || 0x00 || M
// with |M| = 48 and M starting with client_version, and `fallback` otherwise.
// Constant time: no branch or index depends on EM's contents (checked by
// tests/ct). Preconditions: em.size() >= 59, fallback.size() == 48.
SecretBytes tls12_rsa_premaster_from_em(ByteView em, uint16_t client_version, ByteView fallback);

// tls12_export_keying_material implements the TLS 1.2 exporter (RFC 5705 4):
//   PRF(master_secret, label, client_random + server_random
//       [+ uint16 context_length + context_value])[0..length-1]
// With no context the seed stops after the randoms; an empty context is
// different from no context. internal_error if a random is not 32 bytes or
// the context is longer than 65535 bytes. RFC 7627 5.4: without extended
// master secret the exporter should not be used (the caller decides).
Result<SecretBytes> tls12_export_keying_material(Provider& provider, HashAlgorithm prf_hash,
                                                 ByteView master_secret, std::string_view label,
                                                 ByteView client_random, ByteView server_random,
                                                 std::optional<ByteView> context, size_t length);

}  // namespace tessera::crypto
