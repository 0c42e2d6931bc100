// x509/trust_store.cc — trust anchors. The only file of src/x509 that reads
// files (see trust_store.h).
#include "x509/trust_store.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

#include "crypto/provider.h"
#include "x509/checks.h"
#include "x509/pem.h"

namespace tessera::x509 {

struct TrustStore::KeySlot {
  std::mutex mu;
  crypto::Provider* owner = nullptr;
  std::unique_ptr<crypto::PublicKey> key;
};

TrustStore::TrustStore() = default;
TrustStore::~TrustStore() = default;
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;

size_t TrustStore::add_certificate(Certificate cert) {
  if (contains_der(cert.der())) return 0;
  anchors_.push_back(std::make_shared<const Certificate>(std::move(cert)));
  keys_.push_back(std::make_unique<KeySlot>());
  return 1;
}

Result<size_t> TrustStore::add_pem(ByteView pem_or_der) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<Certificate> certs, parse_certificates(pem_or_der));
  size_t added = 0;
  for (Certificate& c : certs) added += add_certificate(std::move(c));
  return added;
}

namespace {

Result<Bytes> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::io_error, "cannot read " + path + ": " + std::strerror(errno));
  }
  Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error(ErrorCode::io_error, "error reading " + path);
  return data;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// OpenSSL c_rehash names: 8 hex digits, '.', a decimal index ("5ed36f99.0").
bool is_hashed_name(std::string_view n) {
  size_t dot = n.find('.');
  if (dot != 8 || dot + 1 >= n.size()) return false;
  for (size_t i = 0; i < 8; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(n[i]))) return false;
  }
  for (size_t i = dot + 1; i < n.size(); ++i) {
    if (n[i] < '0' || n[i] > '9') return false;
  }
  return true;
}

}  // namespace

Result<size_t> TrustStore::add_file(const std::string& path) {
  TESSERA_ASSIGN_OR_RETURN(Bytes data, read_file(path));
  Result<size_t> r = add_pem(data);
  if (!r) return std::move(r).error().with_context(path);
  return r;
}

Result<size_t> TrustStore::add_directory(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    return Error(ErrorCode::io_error,
                 "cannot open directory " + path + ": " + std::strerror(errno));
  }
  std::vector<std::string> files;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (ends_with(name, ".pem") || ends_with(name, ".crt") || is_hashed_name(name)) {
      files.push_back(path + "/" + name);
    }
  }
  ::closedir(dir);
  std::sort(files.begin(), files.end());
  size_t added = 0;
  for (const std::string& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    Result<size_t> r = add_file(f);
    if (r) {
      added += *r;
    } else {
      if (!first_skipped_file_) first_skipped_file_ = r.error();  // names the file
      ++skipped_files_;
    }
  }
  return added;
}

Result<size_t> TrustStore::add_bundle(const std::string& path) {
  TESSERA_ASSIGN_OR_RETURN(Bytes data, read_file(path));
  auto blocks =
      pem_decode(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  if (!blocks) return std::move(blocks).error().with_context(path);
  size_t added = 0, seen = 0, parsed = 0;
  std::optional<Error> first;
  for (const PemBlock& b : *blocks) {
    if (b.label != pem_label::kCertificate) continue;
    ++seen;
    auto cert = Certificate::parse(b.der);
    if (!cert) {
      ++skipped_certificates_;
      if (!first) first = std::move(cert).error();
      continue;
    }
    ++parsed;
    added += add_certificate(std::move(*cert));
  }
  if (seen == 0) return Error(ErrorCode::cert_parse, path + ": no CERTIFICATE block in the bundle");
  if (parsed == 0) return first->with_context(path + ": no certificate parses");
  return added;
}

Result<TrustStore> TrustStore::system_default() {
  TrustStore store;
  TESSERA_TRY(store.add_bundle(kSystemCaBundle));
  return store;
}

std::vector<size_t> TrustStore::find_issuers(const Name& name) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < anchors_.size(); ++i) {
    if (names_equal(anchors_[i]->subject(), name)) out.push_back(i);
  }
  return out;
}

std::optional<size_t> TrustStore::contains_der(ByteView der) const {
  for (size_t i = 0; i < anchors_.size(); ++i) {
    ByteView a = anchors_[i]->der();
    if (a.size() == der.size() && std::equal(a.begin(), a.end(), der.begin())) return i;
  }
  return std::nullopt;
}

Result<void> TrustStore::verify_with_anchor(crypto::Provider& provider, size_t index,
                                            const SignatureAlgorithm& alg, ByteView tbs,
                                            ByteView signature) const {
  TESSERA_TRY(check_signature_algorithm(alg));
  KeySlot& slot = *keys_[index];
  std::lock_guard<std::mutex> lock(slot.mu);
  if (slot.owner != nullptr && slot.owner != &provider) {
    return verify_signature(provider, alg, tbs, signature, anchors_[index]->spki_der());
  }
  if (!slot.key) {
    auto key = provider.load_public_key(anchors_[index]->spki_der());
    if (!key) {
      return Error(ErrorCode::cert_bad_signature,
                   "cannot load the anchor's public key: " + key.error().message());
    }
    slot.key = std::move(*key);
    slot.owner = &provider;
  }
  return verify_with_key(*slot.key, alg, tbs, signature);
}

}  // namespace tessera::x509
