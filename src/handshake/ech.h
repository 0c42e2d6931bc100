// handshake/ech.h — Encrypted Client Hello (draft-ietf-tls-esni-25) for the
// TLS 1.3 client and server: choosing a config, sealing the inner
// ClientHello into the outer one, opening it on the server, and the accept
// confirmations that tell the client which ClientHello the server used.
// The wire structures are in wire/ech.h, HPKE (RFC 9180) in crypto/hpke.h.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "crypto/hpke.h"
#include "crypto/provider.h"
#include "crypto/transcript.h"
#include "tessera/ech.h"
#include "tessera/result.h"
#include "wire/ech.h"
#include "wire/handshake.h"
#include "wire/hello.h"

namespace tessera::handshake {

using wire::kEchConfirmationSize;

// ech_confirmation computes accept_confirmation (draft 7.2) or, with
// hello_retry, hrr_accept_confirmation (7.2.1):
//   HKDF-Expand-Label(HKDF-Extract(0, ClientHelloInner.random),
//                     "[hrr ]ech accept confirmation", transcript_hash, 8)
Result<std::array<uint8_t, kEchConfirmationSize>> ech_confirmation(crypto::Provider& provider,
                                                                   HashAlgorithm hash,
                                                                   ByteView inner_random,
                                                                   ByteView transcript_hash,
                                                                   bool hello_retry);

// EchClient: a client's offer of ECH, from the config it chose to the
// server's answer.
class EchClient {
 public:
  // choose picks the first ECHConfig of `config_list` we can use (draft 6.1:
  // version 0xfe0d, a KEM and a cipher suite we support, no mandatory
  // extension we do not know, a public name that is a valid DNS name and not
  // an IPv4 address, 6.1.7); config_invalid, saying why each was skipped,
  // when there is none.
  static Result<std::unique_ptr<EchClient>> choose(ByteView config_list);

  const std::string& public_name() const { return config_.contents.public_name; }
  // describe names the config and suite, for traces:
  // "config 7 for public name example.com, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM".
  std::string describe() const;

  // seal returns the ClientHelloOuter message (draft 5.1, 6.1.1, 6.1.3):
  // `inner` (complete, binders included) is encoded with the extensions it
  // shares byte for byte with `outer` compressed, padded, and sealed under
  // the HPKE context with the outer ClientHello as AAD; `outer` gains the
  // encrypted_client_hello extension (before pre_shared_key, which stays
  // last). The first call sets up the HPKE context and sends its enc; the
  // one after a HelloRetryRequest reuses it and sends an empty enc (6.1.5).
  Result<Bytes> seal(crypto::Provider& provider, const wire::ClientHello& inner,
                     wire::ClientHello outer);
  // The encrypted_client_hello extension of the first outer ClientHello: a
  // ClientHello that follows a HelloRetryRequest refusing ECH repeats it
  // unchanged (RFC 8446 4.1.2).
  const wire::Extension& first_extension() const { return first_extension_; }
  size_t inner_size() const { return inner_size_; }

  // The outer ClientHello's random and handshake, kept until the server's
  // first answer tells which one counts (the client's HandshakeSummary::ech
  // records the answer: not_offered until then).
  wire::Random outer_random{};
  crypto::Transcript outer_transcript;
  Bytes retry_configs;  // from EncryptedExtensions, when rejected

 private:
  wire::EchConfig config_;
  crypto::HpkeSuite suite_{};
  std::optional<crypto::HpkeContext> context_;
  wire::Extension first_extension_;
  size_t inner_size_ = 0;
};

// grease_ech_extension makes the GREASE encrypted_client_hello of a client
// that has no ECHConfig for the server (draft 6.2.1), so that its
// ClientHello looks like one offering ECH: a random config_id, one of the
// cipher suites servers publish (kOurSuites, chosen at random), the public
// value of a fresh DHKEM(X25519) key pair as enc, and a random payload as
// long as the sealed EncodedClientHelloInner of `inner` would be (padded as
// 6.1.3 pads it for a config with maximum_name_length 0). `hello` is the
// ClientHello the extension goes into, before pre_shared_key; `inner` is
// the inner ClientHello the client would send around it if it offered ECH
// (TLS 1.3 only, with the inner encrypted_client_hello extension), before
// pre_shared_key; `psk_extension_size` is what its pre_shared_key extension
// adds (0 without), which an inner ClientHello carries uncompressed.
Result<wire::Extension> grease_ech_extension(crypto::Provider& provider,
                                             const wire::ClientHello& hello,
                                             const wire::ClientHello& inner,
                                             size_t psk_extension_size);

// EchOpened: an outer ClientHello a server opened (draft 7.1).
struct EchOpened {
  wire::HandshakeMessage inner;  // the ClientHelloInner, as a message (header included)
  Bytes inner_raw;               // the bytes inner.raw / inner.body point into
  std::string description;       // for traces: config and suite
};

// EchServer: a server's ECH state for one connection.
class EchServer {
 public:
  // open tries the keys on the encrypted_client_hello extension of a first
  // ClientHello (draft 7.1): nullopt when it has none or no key opens it
  // (the server goes on with the outer ClientHello, and `offered` says
  // whether the client sent the extension); illegal_parameter for an inner
  // extension in an outer ClientHello (7), an inner ClientHello that lacks
  // its inner extension or offers TLS 1.2 or below (7.1), and the decoding
  // errors of 5.1.
  Result<std::optional<EchOpened>> open(crypto::Provider& provider,
                                        const std::vector<std::shared_ptr<const EchKey>>& keys,
                                        const wire::HandshakeMessage& outer);
  // open_second opens the ClientHello after our HelloRetryRequest with the
  // same HPKE context (7.1.1): missing_extension without the extension,
  // illegal_parameter if its config_id or suite changed or its enc is not
  // empty, decrypt_error if it does not open.
  Result<EchOpened> open_second(const wire::HandshakeMessage& outer);
  // check_unopened checks the encrypted_client_hello extension of a
  // ClientHello we do not open (the second one after an ECH we did not
  // accept): draft 7, only the outer type may appear in a ClientHello ->
  // illegal_parameter (and decode errors) otherwise.
  static Result<void> check_unopened(const wire::HandshakeMessage& m);

  bool offered = false;   // the first ClientHello carried encrypted_client_hello
  bool accepted = false;  // a key opened it: the inner ClientHello is the one used
  // The confirmation our HelloRetryRequest carried (accepted only), to
  // rebuild it byte for byte.
  std::optional<std::array<uint8_t, kEchConfirmationSize>> hrr_confirmation;

 private:
  std::optional<crypto::HpkeContext> context_;
  uint8_t config_id_ = 0;
  wire::HpkeSymmetricCipherSuite suite_{};
  std::string description_;
};

// retry_configs_extension is our EncryptedExtensions' encrypted_client_hello
// for a client whose ECH we did not accept: the configs of `keys`.
wire::Extension retry_configs_extension(const std::vector<std::shared_ptr<const EchKey>>& keys);

}  // namespace tessera::handshake
