// Credential: loading a certificate chain and its key, and the names it covers.
#include <algorithm>
#include <optional>
#include <type_traits>
#include <utility>

#include "base/ct.h"
#include "base/secret.h"
#include "base/secret_file.h"
#include "crypto/provider.h"
#include "handshake/common.h"
#include "tessera/config.h"
#include "tessera/signer.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/extensions.h"
#include "x509/name.h"
#include "x509/ocsp.h"
#include "x509/trust_store.h"

namespace tessera {

namespace handshake {

std::shared_ptr<const Credential> client_credential(const ClientConfig& cfg,
                                                    const CertificateRequestView& request,
                                                    std::string* chosen) {
  if (!cfg.certificate_resolver) return cfg.credential;
  std::shared_ptr<const Credential> c = cfg.certificate_resolver(request);
  if (chosen) {
    *chosen = "none";
    if (c && !c->chain.empty()) {
      auto leaf = x509::Certificate::parse(c->chain.front());
      *chosen = leaf.ok() ? leaf->subject().to_string() : std::string("(unparsable certificate)");
    }
  }
  return c;
}

}  // namespace handshake

Result<Credential> Credential::from_pem(crypto::Provider& provider, std::string_view chain_pem,
                                        std::string_view key_pem) {
  TESSERA_ASSIGN_OR_RETURN(auto certs, x509::parse_certificates(as_bytes_view(chain_pem)));
  if (certs.empty())
    return Error(ErrorCode::config_invalid, "no certificate found in the certificate chain file");
  TESSERA_ASSIGN_OR_RETURN(auto key, provider.load_private_key(as_bytes_view(key_pem)));
  // The key must belong to the leaf certificate.
  Bytes spki = key->public_spki();
  if (!ct_equal(spki, certs[0].spki_der()))
    return Error(ErrorCode::config_invalid, "the private key does not match the certificate " +
                                                certs[0].subject().to_string());
  Credential c;
  for (const auto& cert : certs) c.chain.emplace_back(cert.der().begin(), cert.der().end());
  c.key = std::shared_ptr<const crypto::PrivateKey>(std::move(key));
  return c;
}

Result<Credential> Credential::from_pem(std::string_view chain_pem, std::string_view key_pem) {
  return from_pem(*crypto::default_provider(), chain_pem, key_pem);
}

namespace {

std::string scheme_name(SignatureScheme s) {
  return signature_scheme_name(static_cast<uint16_t>(s));
}

// SignerKey is a certificate's key held by an application's KeySigner: the
// signatures come from it, and each is verified with the certificate's
// public key before tessera sends it (tessera/signer.h).
class SignerKey final : public crypto::PrivateKey {
 public:
  SignerKey(std::shared_ptr<const KeySigner> signer, std::unique_ptr<crypto::PublicKey> pub,
            std::vector<SignatureScheme> schemes)
      : signer_(std::move(signer)), pub_(std::move(pub)), schemes_(std::move(schemes)) {}

  crypto::KeyType type() const override { return pub_->type(); }
  size_t bits() const override { return pub_->bits(); }
  bool supports(SignatureScheme scheme) const override {
    return std::find(schemes_.begin(), schemes_.end(), scheme) != schemes_.end();
  }
  Result<Bytes> sign(SignatureScheme scheme, ByteView message) const override {
    return accept_signature(scheme, message, signer_->sign(scheme, message));
  }
  std::shared_ptr<const KeySigner> asynchronous_signer() const override {
    return signer_->asynchronous() ? signer_ : nullptr;
  }
  Result<Bytes> accept_signature(SignatureScheme scheme, ByteView message,
                                 Result<std::vector<uint8_t>> sig) const override {
    if (!sig.ok())
      return Error(ErrorCode::internal_error, "the key signer failed to sign (" +
                                                  scheme_name(scheme) +
                                                  "): " + sig.error().to_string());
    if (auto v = pub_->verify(scheme, message, *sig); !v.ok())
      return Error(ErrorCode::internal_error,
                   "the key signer's " + scheme_name(scheme) +
                       " signature does not verify with the certificate's key (" +
                       v.error().message() + "); not sent");
    return std::move(*sig);
  }
  Bytes public_spki() const override {
    ByteView spki = pub_->spki();
    return Bytes(spki.begin(), spki.end());
  }
  Result<std::string> to_pkcs8_pem() const override {
    return Error(ErrorCode::unsupported_algorithm, "a key held by a KeySigner cannot be exported");
  }
  bool can_decrypt() const override { return false; }
  Result<SecretBytes> rsa_decrypt_premaster(ByteView, uint16_t, const SecretBytes&) const override {
    return Error(ErrorCode::internal_error,
                 "a key held by a KeySigner cannot decrypt (TLS 1.2 RSA key transport)");
  }

 private:
  std::shared_ptr<const KeySigner> signer_;
  std::unique_ptr<crypto::PublicKey> pub_;
  std::vector<SignatureScheme> schemes_;  // the signer's, that the key allows
};

}  // namespace

Result<Credential> Credential::from_signer(crypto::Provider& provider, std::string_view chain_pem,
                                           std::shared_ptr<const KeySigner> signer) {
  if (!signer) return Error(ErrorCode::config_invalid, "no key signer given");
  TESSERA_ASSIGN_OR_RETURN(auto certs, x509::parse_certificates(as_bytes_view(chain_pem)));
  if (certs.empty())
    return Error(ErrorCode::config_invalid, "no certificate found in the certificate chain file");
  const x509::Certificate& leaf = certs[0];
  TESSERA_ASSIGN_OR_RETURN(auto pub, provider.load_public_key(leaf.spki_der()));
  std::vector<SignatureScheme> schemes;
  std::string refused;
  for (SignatureScheme s : signer->schemes()) {
    if (pub->supports(s)) {
      if (std::find(schemes.begin(), schemes.end(), s) == schemes.end()) schemes.push_back(s);
    } else {
      refused += (refused.empty() ? "" : ", ") + scheme_name(s);
    }
  }
  if (schemes.empty())
    return Error(ErrorCode::config_invalid,
                 "the key signer offers no signature scheme the key of " +
                     leaf.subject().to_string() + " can make" +
                     (refused.empty() ? std::string(" (it lists none)") : " (" + refused + ")"));
  // The signer must hold the leaf's key: one signature over a fixed message,
  // verified with the certificate's public key, as from_pem compares keys.
  constexpr std::string_view kProbe = "tessera: does this signer hold the certificate's key?";
  auto probe = signer->sign(schemes.front(), as_bytes_view(kProbe));
  if (!probe.ok())
    return probe.error().with_context("the key signer failed a test signature (" +
                                      scheme_name(schemes.front()) + ")");
  if (!pub->verify(schemes.front(), as_bytes_view(kProbe), *probe).ok())
    return Error(ErrorCode::config_invalid, "the key signer's key does not match the certificate " +
                                                leaf.subject().to_string() +
                                                " (its test signature does not verify)");
  Credential c;
  for (const auto& cert : certs) c.chain.emplace_back(cert.der().begin(), cert.der().end());
  c.key = std::make_shared<const SignerKey>(std::move(signer), std::move(pub), std::move(schemes));
  return c;
}

Result<Credential> Credential::from_signer(std::string_view chain_pem,
                                           std::shared_ptr<const KeySigner> signer) {
  return from_signer(*crypto::default_provider(), chain_pem, std::move(signer));
}

Result<Credential> Credential::from_pem_files(crypto::Provider& provider,
                                              const std::string& chain_path,
                                              const std::string& key_path) {
  TESSERA_ASSIGN_OR_RETURN(SecretBytes chain, read_secret_file(chain_path));
  TESSERA_ASSIGN_OR_RETURN(SecretBytes key, read_secret_file(key_path));
  return from_pem(provider, as_text(chain), as_text(key));
}

Result<Credential> Credential::from_pem_files(const std::string& chain_path,
                                              const std::string& key_path) {
  return from_pem_files(*crypto::default_provider(), chain_path, key_path);
}

Result<std::shared_ptr<const x509::TrustStore>> load_trust_anchors(std::string_view pem) {
  auto store = std::make_shared<x509::TrustStore>();
  TESSERA_ASSIGN_OR_RETURN(size_t n, store->add_pem(as_bytes_view(pem)));
  if (n == 0) return Error(ErrorCode::config_invalid, "no CA certificate found");
  return std::shared_ptr<const x509::TrustStore>(std::move(store));
}

Result<std::shared_ptr<const x509::CrlSet>> load_crls(std::string_view pem_or_der) {
  auto set = std::make_shared<x509::CrlSet>();
  TESSERA_ASSIGN_OR_RETURN(size_t n, set->add_pem(as_bytes_view(pem_or_der)));
  if (n == 0) return Error(ErrorCode::config_invalid, "no CRL found");
  return std::shared_ptr<const x509::CrlSet>(std::move(set));
}

Result<void> Credential::set_ocsp_response(crypto::Provider& provider, std::span<const uint8_t> der,
                                           int64_t now_unix) {
  if (chain.empty())
    return Error(ErrorCode::config_invalid, "an OCSP response needs the certificate it is about");
  // Far above any CA's response (a few KiB with a responder certificate), and
  // keeps the Certificate message within what peers accept (TLS 1.3 carries
  // it in a CertificateEntry extension, at most 2^16-1 bytes).
  constexpr size_t kMaxOcspResponse = 16384;
  if (der.size() > kMaxOcspResponse)
    return Error(ErrorCode::config_invalid, "the OCSP response is " + std::to_string(der.size()) +
                                                " bytes; at most " +
                                                std::to_string(kMaxOcspResponse) + " are stapled");
  TESSERA_ASSIGN_OR_RETURN(auto response, x509::OcspResponse::parse(ByteView(der)));
  TESSERA_ASSIGN_OR_RETURN(auto leaf, x509::Certificate::parse(chain[0]));
  x509::OcspCheckOptions options;
  options.now = now_unix;
  x509::OcspSingleResponse entry;
  // The leaf's issuer, if the chain holds it (by name and signature).
  std::optional<x509::Certificate> issuer;
  for (size_t i = 1; i < chain.size() && !issuer; ++i) {
    auto c = x509::Certificate::parse(chain[i]);
    if (c.ok() && x509::names_equal(c->subject(), leaf.issuer()) &&
        x509::verify_certificate_signature(provider, leaf, c->spki_der()).ok())
      issuer = std::move(*c);
  }
  if (issuer) {
    // The response is checked as a client will.
    TESSERA_ASSIGN_OR_RETURN(entry,
                             x509::check_ocsp_response(provider, response, leaf, *issuer, options));
  } else {
    // Without the issuer only the serial and the dates can be checked here.
    const auto& all = response.responses();
    auto it = std::find_if(all.begin(), all.end(), [&](const x509::OcspSingleResponse& s) {
      return std::ranges::equal(s.serial, leaf.serial());
    });
    if (it == all.end())
      return Error(ErrorCode::cert_status_invalid,
                   "the OCSP response is not about " + leaf.subject().to_string());
    entry = *it;
    if (auto fresh = x509::check_ocsp_freshness(entry, options); !fresh)
      return fresh.error().with_context("the OCSP response about " + leaf.subject().to_string() +
                                        " is not current");
  }
  // A server staples only a response a client will accept.
  TESSERA_TRY(x509::ocsp_status_result(entry, leaf));
  ocsp_expires = x509::ocsp_usable_until(entry, options);  // stapled while clients take it
  ocsp_response.assign(der.begin(), der.end());
  return ok();
}

std::vector<std::string> Credential::dns_names() const {
  std::vector<std::string> out;
  if (chain.empty()) return out;
  auto cert = x509::Certificate::parse(chain[0]);
  if (!cert.ok()) return out;
  if (const auto& san = cert->extensions().subject_alt_names) {
    for (const auto& n : *san) {
      if (n.type == x509::GeneralNameType::dns_name) out.push_back(n.text);
    }
  }
  return out;
}

// --- ServerConfig: the cookie key is wiped with the config ---------------------

ServerConfig::~ServerConfig() {
  if (!cookie_key.empty()) secure_wipe(cookie_key.data(), cookie_key.size());
}

ServerConfig& ServerConfig::operator=(const ServerConfig& other) {
  if (this == &other) return *this;
  ServerConfigFields copy(other);  // may throw: *this is untouched until it has
  if (!cookie_key.empty()) secure_wipe(cookie_key.data(), cookie_key.size());
  ServerConfigFields::operator=(std::move(copy));
  return *this;
}

static_assert(std::is_nothrow_move_assignable_v<ServerConfigFields>,
              "ServerConfig's move assignment is noexcept");

ServerConfig& ServerConfig::operator=(ServerConfig&& other) noexcept {
  if (this == &other) return *this;
  if (!cookie_key.empty()) secure_wipe(cookie_key.data(), cookie_key.size());
  ServerConfigFields::operator=(std::move(other));
  return *this;
}

}  // namespace tessera

// ExternalPsk ---------------------------------------------------------------

namespace tessera {

ExternalPsk::~ExternalPsk() {
  if (!key.empty()) secure_wipe(key.data(), key.size());
}

// As Session's: the defaulted assignments would free (move) or reuse (copy)
// the old key's buffer without wiping it.
ExternalPsk& ExternalPsk::operator=(const ExternalPsk& other) {
  if (this == &other) return *this;
  ExternalPskFields copy(other);  // may throw: *this is untouched until it has
  if (!key.empty()) secure_wipe(key.data(), key.size());
  ExternalPskFields::operator=(std::move(copy));
  return *this;
}

static_assert(std::is_nothrow_move_assignable_v<ExternalPskFields>,
              "ExternalPsk's move assignment is noexcept");

ExternalPsk& ExternalPsk::operator=(ExternalPsk&& other) noexcept {
  if (this == &other) return *this;
  if (!key.empty()) secure_wipe(key.data(), key.size());
  ExternalPskFields::operator=(std::move(other));
  return *this;
}

Result<ExternalPsk> ExternalPsk::make(std::string identity, std::vector<uint8_t> key,
                                      HashAlgorithm hash) {
  ExternalPsk psk;
  psk.identity = std::move(identity);
  psk.key = std::move(key);
  psk.hash = hash;
  TESSERA_TRY(psk.validate());
  return psk;
}

Result<void> ExternalPsk::validate() const {
  // RFC 8446 4.2.11: opaque identity<1..2^16-1>; tessera keeps it to what
  // fits any ClientHello comfortably.
  if (identity.empty() || identity.size() > 1024)
    return Error(ErrorCode::config_invalid, "an external PSK identity has 1 to 1024 bytes, not " +
                                                std::to_string(identity.size()));
  // RFC 8446 2.2: "A low-entropy secret, or password, is subject to
  // dictionary attacks based on the PSK binder": one recorded handshake lets
  // an attacker test guesses offline. 128 bits at least (as RFC 9257 6 asks).
  if (key.size() < 16 || key.size() > 256)
    return Error(ErrorCode::config_invalid,
                 "an external PSK needs 16 to 256 bytes of key (at least 128 bits: a short key "
                 "can be guessed offline from one recorded handshake), not " +
                     std::to_string(key.size()));
  // RFC 8446 2.2: the identity and the KDF hash are provisioned with the
  // key; 4.2.11: SHA-256 by default. It must be a TLS 1.3 suite's hash.
  if (hash != HashAlgorithm::sha256 && hash != HashAlgorithm::sha384)
    return Error(ErrorCode::config_invalid, "an external PSK's hash is SHA-256 or SHA-384");
  return ok();
}

Result<void> MemoryExternalPskStore::add(std::shared_ptr<const ExternalPsk> psk) {
  if (!psk) return Error(ErrorCode::config_invalid, "null external PSK");
  TESSERA_TRY(psk->validate());
  std::lock_guard<std::mutex> lock(mu_);
  if (!psks_.emplace(psk->identity, psk).second)
    return Error(ErrorCode::config_invalid, "the store already has an external PSK '" +
                                                handshake::printable_identity(psk->identity) + "'");
  return ok();
}

bool MemoryExternalPskStore::remove(std::string_view identity) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = psks_.find(identity);
  if (it == psks_.end()) return false;
  psks_.erase(it);
  return true;
}

size_t MemoryExternalPskStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return psks_.size();
}

std::shared_ptr<const ExternalPsk> MemoryExternalPskStore::find(std::string_view identity) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = psks_.find(identity);
  return it == psks_.end() ? nullptr : it->second;
}

ClientCertificateResolver select_client_certificate(
    std::vector<std::shared_ptr<const Credential>> credentials) {
  // Each credential with the issuer names of its chain, parsed once.
  struct Entry {
    std::shared_ptr<const Credential> credential;
    std::vector<Bytes> issuers;
  };
  auto entries = std::make_shared<std::vector<Entry>>();
  for (auto& c : credentials) {
    if (!c) continue;
    Entry e{std::move(c), {}};
    for (const auto& der : e.credential->chain) {
      auto cert = x509::Certificate::parse(der);
      if (!cert.ok()) continue;
      ByteView issuer = cert->issuer().der();
      e.issuers.emplace_back(issuer.begin(), issuer.end());
    }
    entries->push_back(std::move(e));
  }
  return [entries](const CertificateRequestView& r) -> std::shared_ptr<const Credential> {
    for (const Entry& e : *entries) {
      if (r.fits && !r.fits(*e.credential)) continue;
      if (r.authorities.empty()) return e.credential;
      for (const Bytes& issuer : e.issuers)
        if (std::find(r.authorities.begin(), r.authorities.end(), issuer) != r.authorities.end())
          return e.credential;
    }
    return nullptr;
  };
}

}  // namespace tessera
