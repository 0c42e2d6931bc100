// handshake/tls12_common.h — pieces shared by the TLS 1.2 client and server:
// key derivation from the premaster secret (with the extended master secret
// and key logging), suite/key compatibility, Diffie-Hellman value encoding.
#pragma once

#include <string>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/provider.h"
#include "crypto/tls12_keys.h"
#include "crypto/transcript.h"
#include "handshake/handshake.h"
#include "tessera/algorithms.h"
#include "tessera/config.h"

namespace tessera::handshake {

// The connection keys of a TLS 1.2 session.
struct Tls12Secrets {
  SecretBytes master;
  crypto::Tls12KeyBlock block;
};

// derive_tls12_secrets computes the master secret from the premaster secret
// (RFC 7627 4 over session_hash when ems is set, else RFC 5246 8.1 over the
// randoms), the key block (RFC 5246 6.3), and key-logs "CLIENT_RANDOM".
Result<Tls12Secrets> derive_tls12_secrets(crypto::Provider& p, const CipherSuiteInfo& suite,
                                          ByteView premaster, bool ems, ByteView session_hash,
                                          ByteView client_random, ByteView server_random,
                                          const KeyLogCallback& keylog);

// resume_tls12_secrets rebuilds the connection keys of a resumed session
// (RFC 5246 7.3 abbreviated handshake, RFC 5077 3.1): the session's master
// secret with the new randoms' key block; key-logs "CLIENT_RANDOM".
Result<Tls12Secrets> resume_tls12_secrets(crypto::Provider& p, const CipherSuiteInfo& suite,
                                          ByteView master_secret, ByteView client_random,
                                          ByteView server_random, const KeyLogCallback& keylog);

// send_change_cipher_spec_and_finished ends one side's flight (RFC 5246
// 7.1, 7.4.9): ChangeCipherSpec, switch our write keys to the key block's
// (client or server side), then Finished = PRF(master, "<side> finished",
// transcript hash), added to the transcript and sent, with trace lines.
Result<void> send_change_cipher_spec_and_finished(crypto::Provider& p, Channel& channel,
                                                  crypto::Transcript& transcript,
                                                  const CipherSuiteInfo& suite,
                                                  const Tls12Secrets& secrets,
                                                  crypto::Tls12Sender us);

// tls12_exporter is the TLS 1.2 exporter (RFC 5705 4) of an established
// connection (secrets null before the handshake completed: internal_error),
// its arguments checked by check_exporter_request. RFC 7627 5.4: a
// connection without the extended master secret "MUST NOT export any key
// material" -> insufficient_security.
Result<SecretBytes> tls12_exporter(crypto::Provider& p, const CipherSuiteInfo& suite, bool ems,
                                   const Tls12Secrets* secrets, ByteView client_random,
                                   ByteView server_random, std::string_view label,
                                   std::optional<ByteView> context, size_t length);

// key_fits_suite says whether a certificate key of type t can authenticate
// the suite: ECDSA suites need an EC or Ed25519 key (RFC 8422 5.3, RFC 8422
// bis for Ed25519), *_RSA suites an RSA key, and RSA key transport an
// rsaEncryption key (RFC 5246 7.4.2), never an RSASSA-PSS-only key.
bool key_fits_suite(const CipherSuiteInfo& suite, crypto::KeyType t);

// scheme_allowed_tls12 says whether a signature scheme may sign a TLS 1.2
// ServerKeyExchange or CertificateVerify: SHA-1 schemes never.
bool scheme_allowed_tls12(uint16_t s);

// key_can_sign_tls12 says whether the peer's key can have made a TLS 1.2
// signature with scheme s. RFC 8446 4.2.3: in TLS 1.2 the ecdsa_* schemes
// name the hash only and "did not constrain the signing curve": any EC key
// may use any of them (TLS 1.3 pairs each with its curve).
bool key_can_sign_tls12(const crypto::PublicKey& key, uint16_t s);

// dhe_shared_secret computes the TLS 1.2 DHE shared secret Z with the
// peer's public value. RFC 7919 3 and 4: a value outside 1 < Y < p-1 (the
// provider checks it) ends the handshake with handshake_failure, on either
// side.
Result<SecretBytes> dhe_shared_secret(crypto::KeyShare& share, ByteView peer_value);

// kx_name renders the key exchange of a suite: "ECDHE", "DHE", "RSA".
std::string kx_name(KeyExchange kx);

// dh_value_padded returns a Diffie-Hellman public value left-padded to the
// size of p (TLS 1.2 sends it without leading zeros, RFC 5246 7.4.3);
// illegal_parameter if it is longer than p once leading zeros are removed.
Result<Bytes> dh_value_padded(ByteView y, size_t p_size);

// strip_leading_zeros applies RFC 5246 8.1.2: leading zero bytes of the DH
// shared secret Z are stripped before it is used as the premaster secret.
SecretBytes strip_leading_zeros(SecretBytes z);

}  // namespace tessera::handshake
