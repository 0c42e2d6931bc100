// handshake/peer_verify.h — verifying the peer's certificate chain with our
// X.509 verifier, and its CertificateVerify signature with the leaf key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "crypto/provider.h"
#include "tessera/policy.h"
#include "tessera/result.h"

namespace tessera::x509 {
class TrustStore;
}

namespace tessera::handshake {

struct VerifyRequest {
  bool purpose_server = true;  // serverAuth (client verifying) or clientAuth
  std::string peer_name;       // DNS name or IP literal to check; empty: none
  bool verify = true;          // false: accept any chain (debugging only)
  const x509::TrustStore* trust = nullptr;
  int64_t now_unix = 0;
  const Limits* limits = nullptr;
  bool describe = true;  // build PeerChain::description (only the trace reads it)
};

// The peer's chain after verification.
struct PeerChain {
  std::vector<std::vector<uint8_t>> chain;  // as sent, leaf first
  Bytes leaf_spki;
  // The leaf's keyUsage bits (x509::KeyUsage::bits), when it has the
  // extension: TLS 1.2 checks digitalSignature / keyEncipherment against the
  // key exchange (RFC 5246 7.4.2).
  std::optional<uint16_t> leaf_key_usage;
  std::string subject;         // leaf subject
  std::string anchor_subject;  // the trust anchor the path ended at
  std::string description;     // one line for the trace; empty unless describe
};

// verify_peer_chain enforces the policy limits on the chain, then runs the
// X.509 verifier (RFC 5280 path validation + identity). Errors carry the
// verifier's report in their message and the alert it maps to (bad_certificate,
// unknown_ca, certificate_expired, ...).
Result<PeerChain> verify_peer_chain(crypto::Provider& provider, std::vector<Bytes> chain,
                                    const VerifyRequest& req);

// verify_with_leaf checks a CertificateVerify (or ServerKeyExchange)
// signature with the leaf's public key; decrypt_error when it does not verify.
Result<void> verify_with_leaf(crypto::Provider& provider, const PeerChain& chain,
                              SignatureScheme scheme, ByteView content, ByteView signature);

// leaf_subject renders the subject of chain[0], or "(unparsable)".
std::string leaf_subject(const std::vector<std::vector<uint8_t>>& chain);

}  // namespace tessera::handshake
