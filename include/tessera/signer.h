// tessera/signer.h — private keys tessera does not hold: a certificate's key
// in an HSM, a TPM, a cloud KMS or another process, used through a signing
// callback (Credential::from_signer in tessera/config.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/algorithms.h"
#include "tessera/result.h"

namespace tessera {

// KeySigner signs handshake messages with a key held elsewhere. tessera asks
// it for one test signature when the credential is made, then one per full
// handshake in which the credential authenticates: the server's CertificateVerify (TLS 1.3, RFC
// 8446 4.4.3) or ServerKeyExchange (TLS 1.2, RFC 5246 7.4.3), or a client's CertificateVerify in
// mutual TLS.
//
// Calls come from several connections at once: an implementation must be
// thread-safe. A synchronous signer (the default) is called on the thread
// driving the connection, and a slow one holds up that thread; an
// asynchronous() one is called wherever the application chooses.
// Every signature it returns is verified with the certificate's public key
// before it is sent (a faulty signer fails the handshake instead of sending
// a bad signature, or an RSA-CRT fault that would reveal the key).
//
// A KeySigner cannot decrypt: a credential made with one is not used for
// TLS 1.2 RSA key transport (the TLS_RSA_WITH_* suites).
class KeySigner {
 public:
  virtual ~KeySigner() = default;
  // schemes lists the signature schemes the key can make (RFC 8446 4.2.3),
  // e.g. ecdsa_secp256r1_sha256 for a P-256 key, or rsa_pss_rsae_sha256 and
  // rsa_pkcs1_sha256 for an RSA key. tessera uses only those the
  // certificate's key type allows.
  virtual std::vector<SignatureScheme> schemes() const = 0;
  // sign returns the signature of `message` under `scheme`, one of
  // schemes(), in the form TLS carries it (RFC 8446 4.4.3): the scheme's
  // hash is applied by the signer (the message is the whole content to be
  // signed, not a digest); ECDSA signatures are DER-encoded
  // ECDSA-Sig-Value; RSA-PSS uses a salt as long as the hash; Ed25519 signs
  // the message itself. An error fails the handshake with internal_error
  // and the error's message.
  virtual Result<std::vector<uint8_t>> sign(SignatureScheme scheme,
                                            std::span<const uint8_t> message) const = 0;
  // asynchronous: true for a signer too slow to call on the thread driving
  // the connection (a network KMS, a remote HSM). Then a handshake that needs
  // a signature does not call sign(): it pauses, reports
  // Event::signature_requested, and Connection::signature_request() holds
  // the request; the application has it signed where it likes (another
  // thread, an RPC) and hands the result back with
  // Connection::complete_signature(). Stream and EventServer do this for
  // the application (see there). Credential::from_signer still calls sign()
  // once, when the credential is made.
  virtual bool asynchronous() const { return false; }
};

// SignatureRequest: a signature a paused handshake waits for, from an
// asynchronous KeySigner (Connection::signature_request). It owns what it
// refers to, so a copy may be signed on any thread, after the connection is
// gone.
struct SignatureRequest {
  std::shared_ptr<const KeySigner> signer;
  SignatureScheme scheme{};
  std::vector<uint8_t> message;  // the content to sign (KeySigner::sign's message)

  // sign calls the signer (synchronously, on the calling thread).
  Result<std::vector<uint8_t>> sign() const { return signer->sign(scheme, message); }
};

// --- PKCS #11 ---------------------------------------------------------------

// Pkcs11Options completes a PKCS #11 URI for pkcs11_signer.
struct Pkcs11Options {
  // The PKCS #11 module (shared library) to load, e.g.
  // /usr/lib/softhsm/libsofthsm2.so; empty: the URI's module-path.
  std::string module_path;
  // The token's user PIN; empty: the URI's pin-value, else the contents of
  // the file its pin-source names (pin-source=file:/etc/app/pin), else no
  // login.
  std::string pin;
  // Make the signer asynchronous() (tessera/signer.h): a handshake pauses
  // for its signatures instead of calling it on the thread driving the
  // connection; for a server on EventServer (which signs on its signing
  // threads) or an application that completes signatures itself.
  bool asynchronous = false;
  // The most sessions the signer opens on the token. A session signs one
  // message at a time, so this many signatures can be in progress at once
  // (from EventServer's signing threads, say); more wait for a session.
  // Sessions are opened as signatures need them; a token that refuses one
  // more caps the signer at the sessions it has. 0 counts as 1.
  size_t max_sessions = 8;
};

// pkcs11_signer opens the private key a PKCS #11 URI (RFC 7512) names, e.g.
//   pkcs11:token=web;object=server-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234
// on the first token that matches, logging in with the PIN. Exactly one
// private key object must match (object= and/or id= tell them apart). EC
// keys sign ECDSA (the digest is computed here, the token signs it); RSA
// keys sign RSA-PSS and PKCS #1 v1.5 with the token's SHA-2 mechanisms, or
// where the token lacks them with CKM_RSA_PKCS_PSS / CKM_RSA_PKCS on a
// digest computed here; Ed25519 keys (CKK_EC_EDWARDS) sign with CKM_EDDSA.
// schemes() lists only what the token's mechanism list says it can sign
// (all, if the module gives no list); a key it cannot sign with at all is
// refused with unsupported_algorithm.
// A signer serves threads at once, each signature in a session of its own
// (up to Pkcs11Options::max_sessions); a session lost under it (a restarted
// HSM, a reinserted token) is replaced by finding the key again with the URI
// and the PIN, which the signer keeps until it is destroyed.
// The URI is parsed by p11-kit; config_invalid (or unsupported_algorithm
// when tessera was built without p11-kit) says what failed, with the
// module's error and CK_RV code.
Result<std::shared_ptr<const KeySigner>> pkcs11_signer(std::string_view uri,
                                                       const Pkcs11Options& options = {});

}  // namespace tessera
