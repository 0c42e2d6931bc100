// handshake/common.h — pieces shared by the TLS 1.3 (and 1.2) client and
// server state machines: CertificateVerify input, HelloRetryRequest cookies,
// credential and signature scheme selection, key log lines.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/key_schedule.h"
#include "crypto/provider.h"
#include "tessera/config.h"
#include "tessera/policy.h"

namespace tessera::handshake {

// kMaxTicketKept: a client keeps no ticket larger than this. RFC 8446 and
// RFC 5077 allow up to 2^16-1 bytes, but a ticket must fit, with every other
// extension, in the ClientHello's extensions<8..2^16-1>; real tickets are a
// few hundred bytes (a few KiB with client certificates).
inline constexpr size_t kMaxTicketKept = 32 * 1024;

// RFC 8446 4.4.3: the content covered by a CertificateVerify signature:
// 64 spaces, the context string, a zero byte, then the transcript hash.
Bytes certificate_verify_input(bool server, ByteView transcript_hash);

// choose_signature_scheme picks, by policy preference, a scheme that the peer
// offered (`peer_schemes`), that the key supports, and that is allowed in
// TLS 1.3 CertificateVerify when tls13 is set (no RSA PKCS#1, no SHA-1,
// ECDSA curve must match). handshake_failure listing both sides otherwise.
Result<SignatureScheme> choose_signature_scheme(const Policy& policy,
                                                std::span<const uint16_t> peer_schemes,
                                                const crypto::PrivateKey& key, bool tls13);

// scheme_allowed_tls13 says whether a peer may use `s` in a TLS 1.3
// CertificateVerify (RFC 8446 4.4.3: RSA signatures MUST use RSASSA-PSS).
bool scheme_allowed_tls13(uint16_t s);

// select_credential picks the server credential for the client's SNI and
// signature schemes: first one whose leaf names the SNI host and whose key
// can sign one of the schemes; else the first usable one; else null.
std::shared_ptr<const Credential> select_credential(
    const std::vector<std::shared_ptr<const Credential>>& creds, const std::string& sni,
    const Policy& policy, std::span<const uint16_t> peer_schemes, bool tls13);

// candidate_credentials is the server's credentials for a ClientHello
// naming `sni`: ServerConfig::credentials or, with a credential_resolver,
// what it returns for `sni` (null entries dropped) followed by those, kept
// in `storage` (so a server without a resolver copies nothing).
const std::vector<std::shared_ptr<const Credential>>& candidate_credentials(
    const ServerConfig& cfg, const std::string& sni,
    std::vector<std::shared_ptr<const Credential>>& storage);

// pick_credential is select_credential with the usability test given:
// the first credential that `fits` and names the SNI host, else the first
// that fits, else null. Credentials without a key never fit.
std::shared_ptr<const Credential> pick_credential(
    const std::vector<std::shared_ptr<const Credential>>& creds, const std::string& sni,
    const std::function<bool(const Credential&)>& fits);

// client_credential is the credential a client answers a CertificateRequest
// with: ClientConfig::certificate_resolver's choice for `request`, or
// ClientConfig::credential. Null, or one that does not fit the request,
// means an empty Certificate. `chosen` is set to a description of what the
// resolver chose (empty without one), for traces.
std::shared_ptr<const Credential> client_credential(const ClientConfig& cfg,
                                                    const CertificateRequestView& request,
                                                    std::string* chosen);

// HelloRetryRequest cookie (RFC 8446 4.2.2): lets a stateless server rebuild
// the transcript. It carries the chosen suite and group and the hash of
// ClientHello1, authenticated with HMAC-SHA256 under the server's cookie key.
struct CookieState {
  uint16_t cipher_suite = 0;
  uint16_t group = 0;
  Bytes client_hello1_hash;
};
Bytes seal_cookie(crypto::Provider& p, ByteView key, const CookieState& s);
// open_cookie verifies and decodes a cookie; illegal_parameter on any
// mismatch (forged, truncated or from another key).
Result<CookieState> open_cookie(crypto::Provider& p, ByteView key, ByteView cookie);

// The TLS 1.3 handshake traffic secrets (RFC 8446 7.1), derived the same way
// on both sides: Early Secret (no PSK) -> Handshake Secret from the (EC)DHE
// shared secret -> client/server handshake traffic secrets over
// Hash(ClientHello..ServerHello). Both go to the key log when one is set.
struct HandshakeTrafficSecrets {
  crypto::HandshakeSecret secret;
  SecretBytes client;
  SecretBytes server;
};
Result<HandshakeTrafficSecrets> derive_handshake_traffic(crypto::Provider& p, HashAlgorithm hash,
                                                         ByteView shared_secret,
                                                         ByteView hello_hash,
                                                         const KeyLogCallback& keylog,
                                                         ByteView client_random);
// The same from an Early Secret derived with a PSK (resumption).
Result<HandshakeTrafficSecrets> derive_handshake_traffic(crypto::EarlySecret&& early,
                                                         ByteView shared_secret,
                                                         ByteView hello_hash,
                                                         const KeyLogCallback& keylog,
                                                         ByteView client_random);

// psk_binder computes a PSK binder (RFC 8446 4.2.11.2): the Finished
// computation with binder_key = Derive-Secret(Early Secret, "res binder" for
// a resumption ticket or "ext binder" for an external PSK, "") over the
// transcript hash through the truncated ClientHello.
Result<Bytes> psk_binder(const crypto::EarlySecret& early, crypto::Provider& p,
                         ByteView truncated_transcript_hash, crypto::PskKind kind);

// The application traffic secrets after the server Finished (RFC 8446 7.1):
// Master Secret -> client/server application traffic secret 0 and the
// exporter master secret (key-logged), over Hash(ClientHello..server Finished).
struct ApplicationTrafficSecrets {
  crypto::MasterSecret master;
  SecretBytes client;
  SecretBytes server;
  SecretBytes exporter;  // exporter_master_secret, for Connection::export_keying_material
};
Result<ApplicationTrafficSecrets> derive_application_traffic(crypto::HandshakeSecret&& hs,
                                                             ByteView server_finished_hash,
                                                             const KeyLogCallback& keylog,
                                                             ByteView client_random);

// keylog_line renders an NSS key log line: "LABEL <client_random> <secret>".
std::string keylog_line(std::string_view label, ByteView client_random, ByteView secret);

// selected_alpn reads the server's ALPN answer (ServerHello in TLS 1.2,
// EncryptedExtensions in TLS 1.3): exactly one name, which RFC 7301 3.1
// requires to be one the client offered (illegal_parameter otherwise).
Result<std::string> selected_alpn(ByteView extension_data, const std::vector<std::string>& offered);

// RFC 8449 record_size_limit. advertised_record_size_limit is the limit we
// send: the policy's, capped at the protocol maximum (RFC 8449 4: 2^14 + 1
// in TLS 1.3, 2^14 in TLS 1.2; a TLS 1.2-only ClientHello uses the latter).
// record_content_limit is the content a limit leaves per record: the limit
// capped at that maximum ("an endpoint MUST NOT send records larger than the
// protocol-defined limit", even when offered more), less the inner content
// type in TLS 1.3.
uint16_t advertised_record_size_limit(const Policy& policy, bool tls13);
size_t record_content_limit(size_t limit, bool tls13);
// record_size_limit_note is "; record_size_limit: the peer takes records of
// up to N bytes, we M" for a trace line, or "" when peer is 0.
std::string record_size_limit_note(uint16_t peer, uint16_t own);

// check_exporter_request checks the arguments of an exporter call (RFC 5705
// 4, RFC 8446 7.5), for either version: a label of 1..249 bytes (TLS 1.3's
// HkdfLabel holds "tls13 " + label in 7..255 bytes) that is none of TLS
// 1.2's own PRF labels, a context of at most 65535 bytes (RFC 5705's
// uint16 length), and 1..255 * Hash.length bytes of output (HKDF-Expand's
// limit). config_invalid otherwise.
Result<void> check_exporter_request(std::string_view label, std::optional<ByteView> context,
                                    size_t length, HashAlgorithm hash);

// expecting_name names what a state machine waits for: the kExpecting of
// the state its std::variant holds (each state struct declares one).
template <class StateVariant>
std::string expecting_name(const StateVariant& state) {
  return std::visit(
      [](const auto& s) { return std::string(std::decay_t<decltype(s)>::kExpecting); }, state);
}

// describe helpers for trace lines.
std::string hex_short(ByteView b, size_t max_bytes = 8);
// printable_identity shows a PSK identity (any bytes) in a trace line:
// printable ASCII as is, other bytes as \xNN, at most 64 characters of it.
std::string printable_identity(std::string_view identity);

}  // namespace tessera::handshake
