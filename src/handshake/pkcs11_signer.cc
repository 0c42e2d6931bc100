// PKCS #11 private keys as KeySigners (tessera/signer.h): a token's key
// named by an RFC 7512 URI, reached through p11-kit (URI parsing, module
// loading) and the module's PKCS #11 functions.
#include <string>

#include "tessera/signer.h"

#if TESSERA_HAVE_PKCS11

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "base/secret.h"
#include "base/secret_file.h"
#include "crypto/provider.h"
#include "x509/der_writer.h"
#include "x509/oid.h"

namespace tessera {

namespace {

// rv_text is the module's error as p11-kit words it, with its CK_RV code.
std::string rv_text(CK_RV rv) {
  char code[24];
  std::snprintf(code, sizeof code, " (CK_RV 0x%lx)", static_cast<unsigned long>(rv));
  return p11_kit_strerror(rv) + std::string(code);
}

Error p11_error(const std::string& what, CK_RV rv) {
  return Error(ErrorCode::config_invalid, what + ": " + rv_text(rv));
}

// Module is a loaded and initialized PKCS #11 module; p11-kit counts the
// initializations of a module loaded more than once.
struct Module {
  CK_FUNCTION_LIST* f = nullptr;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  ~Module() {
    if (!f) return;
    p11_kit_module_finalize(f);
    p11_kit_module_release(f);
  }
};

struct UriDeleter {
  void operator()(P11KitUri* u) const { p11_kit_uri_free(u); }
};

// The label of a token, without its padding.
std::string token_label(const CK_TOKEN_INFO& ti) {
  std::string s(reinterpret_cast<const char*>(ti.label), sizeof ti.label);
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

// The PKCS #11 mechanism of a TLS signature scheme (RFC 8446 4.2.3), with its
// hash and what the token is given to sign: ECDSA signs a digest we compute
// (CKM_ECDSA), EdDSA the message, RSA the message with the token's
// hash-and-sign mechanisms or, on a token without them, a digest we compute
// with the bare RSA mechanisms.
struct Mechanism {
  enum class Input {
    message,      // the token hashes
    digest,       // H(message)
    digest_info,  // the DER DigestInfo of H(message) (RFC 8017 9.2 step 2)
  };
  CK_MECHANISM_TYPE type;
  HashAlgorithm hash;
  Input input = Input::message;
  CK_MECHANISM_TYPE pss_hash = 0;  // RSA-PSS only
  CK_RSA_PKCS_MGF_TYPE pss_mgf = 0;
};

// mechanism_for is the scheme's mechanism: the hash-and-sign one, or with
// `bare` (RSA only) CKM_RSA_PKCS_PSS / CKM_RSA_PKCS on our digest.
std::optional<Mechanism> mechanism_for(SignatureScheme s, bool bare = false) {
  using S = SignatureScheme;
  using I = Mechanism::Input;
  // RFC 8446 4.2.3: RSASSA-PSS with MGF1 of the same hash and a salt as
  // long as the hash.
  auto pss = [bare](CK_MECHANISM_TYPE hashed, HashAlgorithm h, CK_MECHANISM_TYPE hash,
                    CK_RSA_PKCS_MGF_TYPE mgf) {
    return bare ? Mechanism{CKM_RSA_PKCS_PSS, h, I::digest, hash, mgf}
                : Mechanism{hashed, h, I::message, hash, mgf};
  };
  auto pkcs1 = [bare](CK_MECHANISM_TYPE hashed, HashAlgorithm h) {
    return bare ? Mechanism{CKM_RSA_PKCS, h, I::digest_info} : Mechanism{hashed, h};
  };
  switch (s) {
    case S::ecdsa_secp256r1_sha256: return Mechanism{CKM_ECDSA, HashAlgorithm::sha256, I::digest};
    case S::ecdsa_secp384r1_sha384: return Mechanism{CKM_ECDSA, HashAlgorithm::sha384, I::digest};
    case S::ecdsa_secp521r1_sha512: return Mechanism{CKM_ECDSA, HashAlgorithm::sha512, I::digest};
    // RFC 8032 PureEdDSA: the token signs the message itself (CKM_EDDSA
    // without parameters); the hash is Ed25519's own.
    case S::ed25519: return Mechanism{CKM_EDDSA, HashAlgorithm::sha512};
    case S::rsa_pkcs1_sha256: return pkcs1(CKM_SHA256_RSA_PKCS, HashAlgorithm::sha256);
    case S::rsa_pkcs1_sha384: return pkcs1(CKM_SHA384_RSA_PKCS, HashAlgorithm::sha384);
    case S::rsa_pkcs1_sha512: return pkcs1(CKM_SHA512_RSA_PKCS, HashAlgorithm::sha512);
    case S::rsa_pss_rsae_sha256:
      return pss(CKM_SHA256_RSA_PKCS_PSS, HashAlgorithm::sha256, CKM_SHA256, CKG_MGF1_SHA256);
    case S::rsa_pss_rsae_sha384:
      return pss(CKM_SHA384_RSA_PKCS_PSS, HashAlgorithm::sha384, CKM_SHA384, CKG_MGF1_SHA384);
    case S::rsa_pss_rsae_sha512:
      return pss(CKM_SHA512_RSA_PKCS_PSS, HashAlgorithm::sha512, CKM_SHA512, CKG_MGF1_SHA512);
    default: return std::nullopt;
  }
}

// signing_input is what the token signs for `message` under `m`.
Bytes signing_input(const Mechanism& m, ByteView message) {
  if (m.input == Mechanism::Input::message) return Bytes(message.begin(), message.end());
  Bytes digest = crypto::default_provider()->digest(m.hash, message);
  if (m.input == Mechanism::Input::digest) return digest;
  // RFC 8017 9.2 step 2: DigestInfo ::= SEQUENCE { digestAlgorithm
  // AlgorithmIdentifier (parameters NULL), digest OCTET STRING }.
  const x509::Oid& hash_oid = m.hash == HashAlgorithm::sha256   ? x509::oids::kSha256
                              : m.hash == HashAlgorithm::sha384 ? x509::oids::kSha384
                                                                : x509::oids::kSha512;
  x509::DerWriter w;
  w.sequence([&](x509::DerWriter& info) {
    info.sequence([&](x509::DerWriter& alg) {
      alg.oid(hash_oid);
      alg.null();
    });
    info.octet_string(digest);
  });
  return std::move(w).take();
}

// The schemes a signer may offer for a key type, most preferred first.
std::vector<SignatureScheme> schemes_for(CK_KEY_TYPE type) {
  using S = SignatureScheme;
  if (type == CKK_EC)
    return {S::ecdsa_secp256r1_sha256, S::ecdsa_secp384r1_sha384, S::ecdsa_secp521r1_sha512};
  if (type == CKK_EC_EDWARDS) return {S::ed25519};
  return {S::rsa_pss_rsae_sha256, S::rsa_pss_rsae_sha384, S::rsa_pss_rsae_sha512,
          S::rsa_pkcs1_sha256,    S::rsa_pkcs1_sha384,    S::rsa_pkcs1_sha512};
}

// SigningMechanisms is what a token says it can sign with (PKCS #11 2.40
// 5.5: C_GetMechanismList, and C_GetMechanismInfo's CKF_SIGN). A module that
// does not say is taken to sign with everything.
class SigningMechanisms {
 public:
  SigningMechanisms(CK_FUNCTION_LIST* f, CK_SLOT_ID slot) {
    CK_ULONG n = 0;
    if (f->C_GetMechanismList(slot, nullptr, &n) != CKR_OK) return;
    std::vector<CK_MECHANISM_TYPE> all(n);
    if (f->C_GetMechanismList(slot, all.data(), &n) != CKR_OK) return;
    all.resize(std::min<size_t>(n, all.size()));
    for (CK_MECHANISM_TYPE m : all) {
      CK_MECHANISM_INFO info{};
      if (f->C_GetMechanismInfo(slot, m, &info) != CKR_OK || (info.flags & CKF_SIGN))
        signing_.push_back(m);
    }
    known_ = true;
  }
  bool can_sign(CK_MECHANISM_TYPE m) const {
    return !known_ || std::find(signing_.begin(), signing_.end(), m) != signing_.end();
  }

 private:
  bool known_ = false;
  std::vector<CK_MECHANISM_TYPE> signing_;
};

// A session error after which the key may be reached again by opening a new
// session (the token was reset or reinserted, the HSM connection dropped,
// the application was logged out).
bool session_lost(CK_RV rv) {
  return rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
         rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT ||
         rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID;
}

// Pkcs11Signer signs with one private key on a token. A PKCS #11 session
// runs one operation at a time (PKCS #11 v2.40 5.6: C_SignInit fails with
// CKR_OPERATION_ACTIVE while another is in progress), so the signer keeps a
// pool of sessions on the key's token: a signature takes an idle session,
// opens a new one while fewer than max_sessions exist, or waits for one.
// Sessions are opened on demand, so a signer used from one thread holds one.
class Pkcs11Signer final : public KeySigner {
 public:
  // Session is an open session on the key's token, logged in, with the
  // key's handle in it.
  struct Session {
    CK_SESSION_HANDLE handle = 0;
    CK_OBJECT_HANDLE key = 0;
  };

  Pkcs11Signer(std::unique_ptr<Module> module, std::unique_ptr<P11KitUri, UriDeleter> uri,
               SecretBytes pin, std::string module_path, const Pkcs11Options& options)
      : module_(std::move(module)),
        uri_(std::move(uri)),
        pin_(std::move(pin)),
        path_(std::move(module_path)),
        asynchronous_(options.asynchronous),
        max_sessions_(std::max<size_t>(options.max_sessions, 1)) {}
  ~Pkcs11Signer() override {
    // Every signature has returned its session: the signer is destroyed
    // only when no one holds it.
    for (const Session& s : idle_) module_->f->C_CloseSession(s.handle);
  }

  // start finds the key, keeps its first session and chooses a mechanism
  // for each scheme the key's type has and the token can sign with.
  Result<void> start() {
    CK_SLOT_ID slot = 0;
    auto first = open_session(&type_, &slot);
    if (!first.ok()) return std::move(first).error();
    idle_.push_back(*first);
    open_ = 1;
    const SigningMechanisms token(module_->f, slot);
    std::string missing;
    for (SignatureScheme s : schemes_for(type_)) {
      std::optional<Mechanism> m = mechanism_for(s);
      if (!token.can_sign(m->type)) m = mechanism_for(s, true);
      if (token.can_sign(m->type))
        usable_.emplace_back(s, *m);
      else
        missing += (missing.empty() ? "" : ", ") + signature_scheme_name(static_cast<uint16_t>(s));
    }
    if (usable_.empty())
      return Error(
          ErrorCode::unsupported_algorithm,
          "the PKCS #11 token lists no mechanism that signs with the key (for " + missing + ")");
    return ok();
  }

  bool asynchronous() const override { return asynchronous_; }
  std::vector<SignatureScheme> schemes() const override {
    std::vector<SignatureScheme> out;
    for (const auto& u : usable_) out.push_back(u.first);
    return out;
  }

  Result<std::vector<uint8_t>> sign(SignatureScheme scheme,
                                    std::span<const uint8_t> message) const override {
    auto u = std::find_if(usable_.begin(), usable_.end(),
                          [scheme](const auto& e) { return e.first == scheme; });
    if (u == usable_.end())
      return Error(
          ErrorCode::unsupported_algorithm,
          "the PKCS #11 key cannot sign " + signature_scheme_name(static_cast<uint16_t>(scheme)));
    const Mechanism* m = &u->second;
    const Bytes input = signing_input(*m, message);
    const ByteView data(input);
    auto acquired = acquire();
    if (!acquired.ok()) return std::move(acquired).error();
    Session session = *acquired;
    Bytes sig;
    CK_RV rv = sign_once(session, *m, data, sig);
    if (session_lost(rv)) {
      // The session is gone (an HSM restart, a reinserted token): find the
      // key again in a new session, once, and retry. Other sessions of the
      // pool that went with it are replaced the same way when next used.
      module_->f->C_CloseSession(session.handle);
      auto again = open_session(nullptr);
      if (!again.ok()) {
        forget_session();
        return Error(ErrorCode::internal_error,
                     "PKCS #11 session lost (" + rv_text(rv) +
                         ") and the key not found again: " + again.error().message());
      }
      session = *again;
      rv = sign_once(session, *m, data, sig);
    }
    // PKCS #11 2.40 5.11: C_Sign ends the operation except on success and
    // CKR_BUFFER_TOO_SMALL. A module that asked for more room, or made an
    // empty signature (its length query, answered 0, leaves the operation
    // running), leaves a session whose next C_SignInit would fail: it is
    // closed instead of going back to the pool.
    if (rv == CKR_BUFFER_TOO_SMALL || (rv == CKR_OK && sig.empty())) {
      module_->f->C_CloseSession(session.handle);
      forget_session();
      return Error(ErrorCode::internal_error,
                   rv == CKR_OK ? std::string("the PKCS #11 module made an empty signature")
                                : "PKCS #11 C_Sign failed: " + rv_text(rv));
    }
    release(session);
    if (rv != CKR_OK)
      return Error(ErrorCode::internal_error, "PKCS #11 C_Sign failed: " + rv_text(rv));
    if (m->type != CKM_ECDSA) return sig;
    // PKCS #11 gives ECDSA signatures as r || s; TLS carries the DER
    // ECDSA-Sig-Value (RFC 8446 4.2.3, RFC 3279 2.2.3).
    if (sig.empty() || sig.size() % 2 != 0)
      return Error(ErrorCode::internal_error,
                   "the PKCS #11 module returned an ECDSA signature of " +
                       std::to_string(sig.size()) + " bytes");
    const ByteView rs(sig);
    x509::DerWriter w;
    w.sequence([&](x509::DerWriter& seq) {
      seq.unsigned_integer(rs.first(rs.size() / 2));
      seq.unsigned_integer(rs.subspan(rs.size() / 2));
    });
    return std::move(w).take();
  }

 private:
  // acquire takes an idle session, else opens one while fewer than
  // max_sessions exist, else waits for one to be released. A token that
  // refuses another session (CKR_SESSION_COUNT, or any other error while
  // the signer has sessions) caps the pool at the sessions it has.
  Result<Session> acquire() const {
    std::unique_lock lock(mu_);
    for (;;) {
      if (!idle_.empty()) {
        Session s = idle_.back();
        idle_.pop_back();
        return s;
      }
      if (open_ < max_sessions_) {
        ++open_;
        lock.unlock();
        auto opened = open_session(nullptr);
        lock.lock();
        if (opened.ok()) return *opened;
        --open_;
        // Threads waiting for a session may have waited for this one: each
        // looks again (and, with open_ now below max_sessions_, one opens).
        freed_.notify_all();
        if (open_ == 0)
          return Error(ErrorCode::internal_error,
                       "no PKCS #11 session for the key: " + opened.error().message());
        max_sessions_ = open_;
        continue;
      }
      freed_.wait(lock);
    }
  }
  void release(Session s) const {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(s);
    }
    freed_.notify_one();
  }
  // forget_session counts out a session that was closed and not replaced.
  void forget_session() const {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    freed_.notify_one();
  }

  // open_session finds the key: on the first token the URI matches that
  // holds exactly one matching private key, in a new session logged in with
  // the PIN. The first time (type set) it records the key's type; later it
  // checks that the key found is of that type.
  Result<Session> open_session(CK_KEY_TYPE* type_out, CK_SLOT_ID* slot_out = nullptr) const {
    CK_FUNCTION_LIST* f = module_->f;
    CK_ULONG n_attrs = 0;
    CK_ATTRIBUTE* attrs = p11_kit_uri_get_attributes(uri_.get(), &n_attrs);
    std::vector<CK_ATTRIBUTE> search(attrs, attrs + n_attrs);
    CK_OBJECT_CLASS private_key = CKO_PRIVATE_KEY;
    bool has_class = false;
    for (const auto& a : search)
      if (a.type == CKA_CLASS) {
        has_class = true;
        if (a.ulValueLen != sizeof(CK_OBJECT_CLASS) ||
            *static_cast<const CK_OBJECT_CLASS*>(a.pValue) != CKO_PRIVATE_KEY)
          return Error(ErrorCode::config_invalid,
                       "the PKCS #11 URI names an object of type other than private "
                       "(type=private)");
      }
    if (!has_class) search.push_back(CK_ATTRIBUTE{CKA_CLASS, &private_key, sizeof private_key});

    CK_ULONG n_slots = 0;
    if (CK_RV rv = f->C_GetSlotList(CK_TRUE, nullptr, &n_slots); rv != CKR_OK)
      return p11_error("C_GetSlotList", rv);
    std::vector<CK_SLOT_ID> slots(n_slots);
    if (CK_RV rv = f->C_GetSlotList(CK_TRUE, slots.data(), &n_slots); rv != CKR_OK)
      return p11_error("C_GetSlotList", rv);
    slots.resize(n_slots);
    std::string tried;  // what each matching token said
    for (CK_SLOT_ID slot : slots) {
      CK_TOKEN_INFO ti{};
      if (f->C_GetTokenInfo(slot, &ti) != CKR_OK || !p11_kit_uri_match_token_info(uri_.get(), &ti))
        continue;
      const std::string label = token_label(ti);
      CK_SESSION_HANDLE session = 0;
      if (CK_RV rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &session);
          rv != CKR_OK)
        return p11_error("cannot open a session on token " + label, rv);
      auto fail = [&](Error e) {
        f->C_CloseSession(session);
        return e;
      };
      if (!pin_.empty()) {
        CK_RV rv = f->C_Login(session, CKU_USER, const_cast<CK_BYTE*>(pin_.view().data()),
                              pin_.view().size());
        if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
          return fail(p11_error("cannot log in to token " + label, rv));
      }
      CK_OBJECT_HANDLE found[2];
      CK_ULONG n_found = 0;
      CK_RV rv = f->C_FindObjectsInit(session, search.data(), search.size());
      if (rv == CKR_OK) {
        rv = f->C_FindObjects(session, found, 2, &n_found);
        f->C_FindObjectsFinal(session);
      }
      if (rv != CKR_OK) return fail(p11_error("cannot search token " + label, rv));
      if (n_found > 1)
        return fail(Error(ErrorCode::config_invalid,
                          "more than one private key on token " + label +
                              " matches the PKCS #11 URI: name one with object= or id="));
      if (n_found == 0) {
        f->C_CloseSession(session);
        tried += (tried.empty() ? "" : "; ") + std::string("token ") + label +
                 ((ti.flags & CKF_LOGIN_REQUIRED) && pin_.empty()
                      ? ": no matching private key visible without logging in (no PIN given)"
                      : ": no matching private key");
        continue;
      }
      CK_KEY_TYPE type = 0;
      CK_ATTRIBUTE type_attr{CKA_KEY_TYPE, &type, sizeof type};
      if (CK_RV r = f->C_GetAttributeValue(session, found[0], &type_attr, 1); r != CKR_OK)
        return fail(p11_error("cannot read the key type on token " + label, r));
      if (type != CKK_EC && type != CKK_RSA && type != CKK_EC_EDWARDS)
        return fail(
            Error(ErrorCode::unsupported_algorithm, "the PKCS #11 key on token " + label +
                                                        " is not EC, RSA or EdDSA (CKA_KEY_TYPE " +
                                                        std::to_string(type) + ")"));
      if (type_out)
        *type_out = type;
      else if (type != type_)
        return fail(Error(
            ErrorCode::config_invalid,
            "the PKCS #11 key found again on token " + label + " is of another type than before"));
      if (slot_out) *slot_out = slot;
      return Session{session, found[0]};
    }
    return Error(ErrorCode::config_invalid,
                 "no private key matches the PKCS #11 URI in module " + path_ + " (" +
                     (tried.empty() ? std::string("no token matches") : tried) + ")");
  }

  // sign_once runs C_SignInit and C_Sign (size, then signature) on a
  // session the caller holds.
  CK_RV sign_once(Session s, const Mechanism& m, ByteView data, Bytes& sig) const {
    CK_RSA_PKCS_PSS_PARAMS pss{m.pss_hash, m.pss_mgf, hash_length(m.hash)};
    CK_MECHANISM mech{m.type, m.pss_hash ? &pss : nullptr, m.pss_hash ? sizeof pss : CK_ULONG{0}};
    CK_FUNCTION_LIST* f = module_->f;
    CK_RV rv = f->C_SignInit(s.handle, &mech, s.key);
    if (rv != CKR_OK) return rv;
    CK_ULONG len = 0;
    auto* in = const_cast<CK_BYTE*>(data.data());  // PKCS #11 takes non-const input
    rv = f->C_Sign(s.handle, in, data.size(), nullptr, &len);
    if (rv != CKR_OK) return rv;
    sig.resize(len);
    rv = f->C_Sign(s.handle, in, data.size(), sig.data(), &len);
    sig.resize(rv == CKR_OK ? len : 0);
    return rv;
  }

  std::unique_ptr<Module> module_;
  std::unique_ptr<P11KitUri, UriDeleter> uri_;  // to find the key again
  SecretBytes pin_;                             // likewise; wiped with the signer
  std::string path_;
  bool asynchronous_ = false;
  CK_KEY_TYPE type_ = 0;  // set by start(), before the signer is shared
  // The schemes the key can sign with on this token, and how (start()).
  std::vector<std::pair<SignatureScheme, Mechanism>> usable_;

  mutable std::mutex mu_;  // guards the pool below
  mutable std::condition_variable freed_;
  mutable std::vector<Session> idle_;
  mutable size_t open_ = 0;  // sessions in existence, idle or signing
  mutable size_t max_sessions_;
};

}  // namespace

Result<std::shared_ptr<const KeySigner>> pkcs11_signer(std::string_view uri_text,
                                                       const Pkcs11Options& options) {
  std::unique_ptr<P11KitUri, UriDeleter> uri(p11_kit_uri_new());
  std::string text(uri_text);
  // The copy may hold a pin-value: wiped on every way out.
  struct WipeText {
    std::string& t;
    ~WipeText() { secure_wipe(t.data(), t.size()); }
  } wipe_text{text};
  if (int r =
          p11_kit_uri_parse(text.c_str(), P11_KIT_URI_FOR_OBJECT_ON_TOKEN_AND_MODULE, uri.get());
      r != P11_KIT_URI_OK)
    return Error(ErrorCode::config_invalid,
                 "not a PKCS #11 URI (RFC 7512): " + std::string(p11_kit_uri_message(r)));
  std::string path = options.module_path;
  if (path.empty() && p11_kit_uri_get_module_path(uri.get()))
    path = p11_kit_uri_get_module_path(uri.get());
  if (path.empty())
    return Error(ErrorCode::config_invalid,
                 "no PKCS #11 module named: give its path (module-path= in the URI)");
  // The PIN: the options', the URI's pin-value, or read from the file its
  // pin-source names (RFC 7512 2.4: "file:" URI or a path), less one final
  // line ending.
  const char* uri_pin = p11_kit_uri_get_pin_value(uri.get());
  const char* pin_source = p11_kit_uri_get_pin_source(uri.get());
  SecretBytes pin;
  if (!options.pin.empty() || uri_pin) {
    pin = SecretBytes(as_bytes_view(!options.pin.empty() ? std::string_view(options.pin)
                                                         : std::string_view(uri_pin)));
  } else if (pin_source) {
    std::string_view file = pin_source;
    if (file.starts_with("file:")) file.remove_prefix(5);
    auto read = read_secret_file(std::string(file));
    if (!read.ok()) return std::move(read).error().with_context("reading the PIN from pin-source");
    ByteView line = read->view();
    if (!line.empty() && line.back() == '\n') line = line.first(line.size() - 1);
    if (!line.empty() && line.back() == '\r') line = line.first(line.size() - 1);
    pin = SecretBytes(line);
  }
  // The URI is kept to find the key again: without the PIN, which `pin`
  // holds (p11-kit would free its copy without wiping it).
  if (uri_pin) {
    secure_wipe(const_cast<char*>(uri_pin), std::strlen(uri_pin));
    p11_kit_uri_set_pin_value(uri.get(), nullptr);
  }

  auto module = std::make_unique<Module>();
  module->f = p11_kit_module_load(path.c_str(), 0);
  if (!module->f)
    return Error(ErrorCode::config_invalid,
                 "cannot load the PKCS #11 module " + path + ": " + std::string(p11_kit_message()));
  if (CK_RV rv = p11_kit_module_initialize(module->f); rv != CKR_OK) {
    p11_kit_module_release(module->f);
    module->f = nullptr;
    return p11_error("cannot initialize the PKCS #11 module " + path, rv);
  }
  auto signer = std::make_shared<Pkcs11Signer>(std::move(module), std::move(uri), std::move(pin),
                                               path, options);
  TESSERA_TRY(signer->start());
  return std::shared_ptr<const KeySigner>(std::move(signer));
}

}  // namespace tessera

#else  // !TESSERA_HAVE_PKCS11

namespace tessera {

Result<std::shared_ptr<const KeySigner>> pkcs11_signer(std::string_view, const Pkcs11Options&) {
  return Error(ErrorCode::unsupported_algorithm,
               "this tessera was built without PKCS #11 support (p11-kit, -DTESSERA_PKCS11)");
}

}  // namespace tessera

#endif
