// x509/trust_store.h — the set of trust anchors a chain must end in.
//
// A TrustStore holds certificates trusted as anchors: each one ends a path,
// whether or not it is self-signed (a trusted intermediate is an anchor too).
// Anchors are parsed once when added; their public keys are loaded lazily
// through the provider on first use and cached.
//
// File access: by design only src/io touches files. TrustStore is the one
// narrow exception: add_file, add_directory and system_default read files,
// and all of that reading lives in trust_store.cc.
//
// Thread safety: adding is not thread-safe. Once filled, a TrustStore may be
// shared (e.g. as std::shared_ptr<const TrustStore>) and used by
// verify_chain from several threads at once: the key cache and each cached
// key are guarded by a mutex.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "tessera/result.h"
#include "x509/certificate.h"

namespace tessera::crypto {
class Provider;
class PublicKey;
}  // namespace tessera::crypto

namespace tessera::x509 {

// The Debian/Ubuntu bundle used by system_default().
inline constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

class TrustStore {
 public:
  TrustStore();
  ~TrustStore();
  TrustStore(TrustStore&&) noexcept;
  TrustStore& operator=(TrustStore&&) noexcept;

  // add_certificate adds one anchor; a certificate already present (same
  // DER) is not added twice. Returns the number added (0 or 1).
  size_t add_certificate(Certificate cert);
  // add_pem adds every CERTIFICATE block of a PEM text (or one DER
  // certificate). Returns the number added; cert_parse naming the block if
  // any certificate fails to parse (nothing is added then).
  Result<size_t> add_pem(ByteView pem_or_der);
  // add_file reads `path` and calls add_pem; io_error if it cannot be read,
  // with the path in the message.
  Result<size_t> add_file(const std::string& path);
  // add_directory adds every regular file of `path` whose name ends in
  // ".pem" or ".crt" or is an OpenSSL hashed name ("5ed36f99.0"). Files
  // that fail to parse are skipped (counted in skipped_files()); io_error if
  // the directory cannot be read.
  Result<size_t> add_directory(const std::string& path);
  // add_bundle reads a CA bundle (PEM, any number of CERTIFICATE blocks) as
  // add_file does, but skips certificates that fail to parse, counting them
  // in skipped_certificates(): a bundle is a list of independent roots kept
  // by someone else, and one our parser refuses must not take the others
  // with it. io_error if the file cannot be read; cert_parse if the PEM
  // itself is malformed or no certificate in it parses.
  Result<size_t> add_bundle(const std::string& path);
  // system_default returns a store filled from kSystemCaBundle (add_bundle).
  // Debian 12's bundle holds a root that is not RFC 5280 DER (Certum Trusted
  // Network CA 2 encodes its 2046 notAfter as GeneralizedTime, which 4.1.2.5
  // forbids before 2050): it is skipped, the rest are loaded.
  static Result<TrustStore> system_default();

  size_t size() const { return anchors_.size(); }
  size_t skipped_files() const { return skipped_files_; }
  // first_skipped_file is why the first skipped file was skipped (its path
  // in the message), if any was.
  const std::optional<Error>& first_skipped_file() const { return first_skipped_file_; }
  size_t skipped_certificates() const { return skipped_certificates_; }
  const std::vector<std::shared_ptr<const Certificate>>& anchors() const { return anchors_; }

  // find_issuers returns the indices of anchors whose subject equals `name`
  // (RFC 5280 7.1).
  std::vector<size_t> find_issuers(const Name& name) const;
  // contains_der returns the index of the anchor with exactly this DER.
  std::optional<size_t> contains_der(ByteView der) const;

  // verify_with_anchor checks `signature` over `tbs` with the key of anchor
  // `index` (loaded on first use, then cached). Errors as
  // verify_certificate_signature; cert_weak_key for an RSA key under 2048
  // bits. The cache belongs to the first provider that used it; other
  // providers get a fresh key each time.
  Result<void> verify_with_anchor(crypto::Provider& provider, size_t index,
                                  const SignatureAlgorithm& alg, ByteView tbs,
                                  ByteView signature) const;

 private:
  struct KeySlot;
  std::vector<std::shared_ptr<const Certificate>> anchors_;
  std::vector<std::unique_ptr<KeySlot>> keys_;
  size_t skipped_files_ = 0;
  std::optional<Error> first_skipped_file_;
  size_t skipped_certificates_ = 0;
};

}  // namespace tessera::x509
