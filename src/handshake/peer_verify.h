// handshake/peer_verify.h — verifying the peer's certificate chain with our
// X.509 verifier, and its CertificateVerify signature with the leaf key.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "crypto/provider.h"
#include "tessera/config.h"
#include "tessera/policy.h"
#include "tessera/result.h"

namespace tessera::x509 {
class TrustStore;
class CrlSet;
class Certificate;
}  // namespace tessera::x509

namespace tessera::handshake {

struct VerifyRequest {
  bool purpose_server = true;  // serverAuth (client verifying) or clientAuth
  std::string peer_name;       // DNS name or IP literal to check; empty: none
  bool verify = true;          // false: accept any chain (debugging only)
  const x509::TrustStore* trust = nullptr;
  const x509::CrlSet* crls = nullptr;  // revocation; null: not checked
  CrlCheck crl_check = CrlCheck::chain;
  int64_t now_unix = 0;
  const Limits* limits = nullptr;
  size_t min_rsa_bits = 2048;  // Policy::min_rsa_bits: RSA keys on the peer's path
  bool describe = true;        // build PeerChain::description (only the trace reads it)
  bool identity = false;       // fill PeerChain::leaf_names / leaf_cn (a PeerCheck will read them)
  // The peer proves its key by signing (CertificateVerify): a leaf with a
  // keyUsage extension must allow digitalSignature. A TLS 1.2 client checks
  // the bit the suite needs itself (RSA key transport: keyEncipherment).
  bool peer_signs = true;
};

// The peer's chain after verification.
struct PeerChain {
  std::vector<std::vector<uint8_t>> chain;  // as sent, leaf first
  Bytes leaf_spki;
  // The leaf's keyUsage bits (x509::KeyUsage::bits), when it has the
  // extension: TLS 1.2 checks digitalSignature / keyEncipherment against the
  // key exchange (RFC 5246 7.4.2).
  std::optional<uint16_t> leaf_key_usage;
  std::string subject;  // leaf subject
  // A client certificate's issuer Name (DER) and serial number (INTEGER
  // content octets), which the server keeps in its tickets to look the
  // certificate up in its CRLs on resumption; empty for a server's chain.
  Bytes leaf_issuer;
  Bytes leaf_serial;
  // The leaf's subjectAltNames as GeneralName renders them, and its
  // subject's commonName, when VerifyRequest::identity asked for them.
  std::vector<std::string> leaf_names;
  std::string leaf_cn;
  std::string anchor_subject;  // the trust anchor the path ended at
  std::string description;     // one line for the trace; empty unless describe
  // The verified leaf and its issuer from the path (null issuer: the leaf is
  // itself a trust anchor; both null when verification is disabled), for
  // checking a stapled OCSP response.
  std::shared_ptr<const x509::Certificate> leaf_cert, issuer_cert;
  // The anchor the path ended at, and the earliest notAfter on the path
  // (Unix s); null and 0 when verification is disabled.
  std::shared_ptr<const x509::Certificate> anchor_cert;
  int64_t path_not_after = 0;
};

// verify_peer_chain enforces the policy limits on the chain, then runs the
// X.509 verifier (RFC 5280 path validation + identity). Errors carry the
// verifier's report in their message and the alert it maps to (bad_certificate,
// unknown_ca, certificate_expired, ...).
Result<PeerChain> verify_peer_chain(crypto::Provider& provider, std::vector<Bytes> chain,
                                    const VerifyRequest& req);

// load_leaf_key loads the public key of a verified chain's leaf. A key
// libcrypto cannot load (an EC point off its curve, a malformed RSA key) is
// the certificate's fault: bad_certificate; a key type we do not support
// (secp256k1, DSA, ...) is unsupported_certificate (RFC 8446 6.2,
// RFC 5246 7.2.2).
Result<std::unique_ptr<crypto::PublicKey>> load_leaf_key(crypto::Provider& provider,
                                                         const PeerChain& chain);

// verify_with_leaf checks a CertificateVerify (or ServerKeyExchange)
// signature with the leaf's public key; decrypt_error when it does not verify.
// In TLS 1.3 (tls13) the scheme must fit the key exactly (RFC 8446 4.2.3: an
// ecdsa_* scheme names its curve) -> illegal_parameter otherwise; TLS 1.2
// schemes name the hash only.
Result<void> verify_with_leaf(crypto::Provider& provider, const PeerChain& chain,
                              SignatureScheme scheme, ByteView content, ByteView signature,
                              bool tls13);

// refused_by_crls says why the certificate (issuer, serial) must not be
// accepted on the word of `crls` alone, or nullopt if it may: any CRL in the
// issuer's name that lists the serial refuses, and unless `check` is
// best_effort so does the lack of a current CRL of the issuer that has
// verified in an earlier check (no signature is verified here, so the
// lookup is cheap and errs towards refusing). Used where the certificate
// itself is not path-validated again: a resumed session's client
// certificate (a refused ticket only means a full handshake; tickets keep
// the leaf's issuer and serial, not the chain) and a delegated OCSP
// responder's certificate (check_stapled_ocsp). `what` names the
// certificate in the answer.
std::optional<std::string> refused_by_crls(const x509::CrlSet* crls, CrlCheck check,
                                           ByteView issuer, ByteView serial, int64_t now_unix,
                                           std::string_view what = "the client certificate");

// check_stapled_ocsp applies a client's OcspStapling mode to the OCSP
// response the server stapled for the leaf of `chain` (nullopt: none):
// see OcspStapling in tessera/config.h for the rules and errors. Returns
// one line for the summary and the trace ("good; thisUpdate ..., nextUpdate
// ...") or, without a response, an empty string.
// A delegated responder's certificate without id-pkix-ocsp-nocheck is
// looked up in `crls` (when given) as refused_by_crls does
// (RFC 6960 4.2.2.2.1).
Result<std::string> check_stapled_ocsp(crypto::Provider& provider, const PeerChain& chain,
                                       const std::optional<Bytes>& response, OcspStapling mode,
                                       int64_t now_unix, const x509::CrlSet* crls,
                                       CrlCheck crl_check);

// KeptIdentity: what a session keeps of the peer's identity so that a
// PeerCheck can be run again when it is resumed (ticket state on the
// server, Session on the client). Empty spki_sha256: nothing kept.
struct KeptIdentity {
  std::string subject, common_name;
  std::vector<std::string> names;
  Bytes spki_sha256;
};

// CheckedPeer: what check_verified_peer leaves: the identity a session keeps
// (null when there is no check) and, when asked for, its description for
// the trace.
struct CheckedPeer {
  std::unique_ptr<KeptIdentity> kept;
  std::string description;
};

// check_verified_peer runs `check` (null: nothing to do) on the peer whose
// chain `pc` (verified with VerifyRequest::identity) and signature have
// verified: the one place each state machine hands a certificate peer to
// the application. A refusal is as run_peer_check's.
Result<CheckedPeer> check_verified_peer(crypto::Provider& provider, const PeerCheck& check,
                                        const PeerChain& pc, bool peer_is_server,
                                        ProtocolVersion version, std::string_view server_name,
                                        bool describe);

// peer_identity builds what a PeerCheck sees of a full handshake's chain
// (resumed false, chain pointing into pc) or of a kept identity (resumed
// true): the caller fills in the rest (version, server_name, psk_identity).
PeerIdentity peer_identity(const KeptIdentity& kept, bool peer_is_server);

// write_kept_identity / read_kept_identity: a kept identity in ticket
// states and session files: spki_sha256<0..255> (0 or 32 bytes), then, when
// it is present, common_name<0..2^16-1> and names<0..2^16-1>, each name
// <1..2^16-1>. An identity whose names take more than kMaxKeptNames bytes
// is written as none (its sessions are then not resumed under a check).
inline constexpr size_t kMaxKeptNames = 4096;
void write_kept_identity(ByteWriter& w, ByteView spki_sha256, std::string_view common_name,
                         const std::vector<std::string>& names);
Result<void> read_kept_identity(ByteReader& r, Bytes& spki_sha256, std::string& common_name,
                                std::vector<std::string>& names);

// run_peer_check calls `check` (null: proceed) and turns a refusal into
// ErrorCode::access_denied with the access_denied alert (RFC 8446 6.2),
// naming the peer and carrying the check's message.
Result<void> run_peer_check(const PeerCheck& check, const PeerIdentity& peer);

// resumed_peer_refused runs `check` on the identity kept with a session
// about to be resumed (PeerIdentity::resumed): why the session must not be
// resumed (no identity was kept, or the check refuses it), or nullopt.
std::optional<std::string> resumed_peer_refused(const PeerCheck& check, const KeptIdentity& kept,
                                                bool peer_is_server, ProtocolVersion version,
                                                std::string_view server_name);

// describe_peer names a peer for messages and the trace: the PSK identity,
// else the subject, with its names.
std::string describe_peer(const PeerIdentity& peer);

// leaf_subject renders the subject of chain[0], or "(unparsable)".
std::string leaf_subject(const std::vector<std::vector<uint8_t>>& chain);

}  // namespace tessera::handshake
