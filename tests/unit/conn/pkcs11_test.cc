// PKCS #11 keys (tessera::pkcs11_signer) on a SoftHSM v2 token made for the
// test: the test PKI's keys imported with softhsm2-util, used for TLS 1.3 and
// TLS 1.2 servers and for mTLS clients, and every way of naming a key wrongly.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "pair.h"
#include "support/shell.h"
#include "support/temp_dir.h"
#include "tessera/signer.h"

#if TESSERA_HAVE_PKCS11
#include <p11-kit/p11-kit.h>
#endif

namespace tessera::testing {
namespace {

constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";
constexpr const char* kPin = "1234";

// Token is a SoftHSM token "tessera" (user PIN 1234) holding the test PKI's
// keys, labelled by file name, with ids 01.., in a directory of its own
// (SOFTHSM2_CONF points SoftHSM at it before the module is first loaded).
class Token {
 public:
  Token() {
    if (!dir_.ok()) return;
    std::filesystem::create_directory(dir_.file("tokens"));
    std::ofstream(dir_.file("softhsm2.conf"))
        << "directories.tokendir = " << dir_.file("tokens") << "\n"
        << "objectstore.backend = file\nlog.level = ERROR\n";
    ::setenv("SOFTHSM2_CONF", dir_.file("softhsm2.conf").c_str(), 1);
    // run_shell's commands inherit SOFTHSM2_CONF.
    auto [rc, out] =
        run_shell(std::string("softhsm2-util --init-token --free --label tessera --pin ") + kPin +
                  " --so-pin 5678");
    setup_ = rc == 0 ? "" : "softhsm2-util --init-token: " + out;
    int id = 1;
    for (const char* key :
         {"server-ec", "server-p384", "server-rsa", "client-ec", "server-ed25519"}) {
      if (!setup_.empty()) break;
      char hex[8];
      std::snprintf(hex, sizeof hex, "%02x", id++);
      auto [r, o] =
          run_shell("softhsm2-util --import " + pki_path(std::string(key) + ".key") +
                    " --token tessera --label " + key + " --id " + hex + " --pin " + kPin);
      if (r != 0) setup_ = std::string("softhsm2-util --import ") + key + ": " + o;
    }
  }
  // error is empty when the token is ready.
  const std::string& error() const { return setup_; }

 private:
  TempDir dir_;
  std::string setup_ = "no temporary directory";
};

Token& token() {
  static Token t;
  return t;
}

std::string uri(const std::string& path_attrs, const std::string& query = "") {
  return "pkcs11:token=tessera;" + path_attrs + "?module-path=" + kModule +
         (query.empty() ? "" : "&" + query);
}

class Pkcs11 : public ::testing::Test {
 protected:
  void SetUp() override {
    auto probe = pkcs11_signer("pkcs11:");
    if (!probe.ok() && probe.error().code() == ErrorCode::unsupported_algorithm)
      GTEST_SKIP() << "built without PKCS #11 (-DTESSERA_PKCS11=OFF)";
    ASSERT_TRUE(std::filesystem::exists(kModule)) << "SoftHSM v2 is not installed (make deps)";
    ASSERT_EQ(token().error(), "");
  }

  static std::shared_ptr<const Credential> credential_on_token(const std::string& name) {
    auto signer = pkcs11_signer(uri("object=" + name), {"", kPin});
    EXPECT_TRUE(signer.ok()) << (signer.ok() ? "" : signer.error().to_string());
    if (!signer.ok()) return nullptr;
    auto c = Credential::from_signer(read_pki(name + ".pem"), *signer);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().to_string());
    return c.ok() ? std::make_shared<const Credential>(std::move(*c)) : nullptr;
  }
};

TEST_F(Pkcs11, ServerKeysOnTheTokenInTls13AndTls12) {
  for (const char* name : {"server-ec", "server-p384", "server-rsa", "server-ed25519"}) {
    auto cred = credential_on_token(name);
    ASSERT_TRUE(cred) << name;
    auto sc = server_config(name);
    sc->credentials = {cred};
    for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
      Pair p = make_tls_pair(versioned_client_config(v, ""), sc);
      ASSERT_TRUE(p.handshake()) << name << ": " << err(*p.client) << " / " << err(*p.server);
      EXPECT_EQ(p.client->summary().version, v);
      EXPECT_EQ(p.client->summary().peer_subject, "CN=localhost") << name;
      transfer(p, false, 2000);
    }
  }
}

TEST_F(Pkcs11, RsaPkcs1AndEveryPssHashOnTheToken) {
  auto cred = credential_on_token("server-rsa");
  ASSERT_TRUE(cred);
  auto sc = server_config("server-rsa");
  sc->credentials = {cred};
  using S = SignatureScheme;
  for (auto scheme : {S::rsa_pss_rsae_sha256, S::rsa_pss_rsae_sha384, S::rsa_pss_rsae_sha512,
                      S::rsa_pkcs1_sha256, S::rsa_pkcs1_sha384, S::rsa_pkcs1_sha512}) {
    const bool pkcs1 = scheme == S::rsa_pkcs1_sha256 || scheme == S::rsa_pkcs1_sha384 ||
                       scheme == S::rsa_pkcs1_sha512;
    // PKCS #1 v1.5 signs handshakes in TLS 1.2 only (RFC 8446 4.2.3).
    auto cc = versioned_client_config(pkcs1 ? ProtocolVersion::tls12 : ProtocolVersion::tls13, "");
    cc->policy.signature_schemes = {scheme};
    Pair p = make_tls_pair(cc, sc);
    ASSERT_TRUE(p.handshake()) << signature_scheme_name(static_cast<uint16_t>(scheme)) << ": "
                               << err(*p.client) << " / " << err(*p.server);
    EXPECT_EQ(p.client->summary().signature_scheme, static_cast<uint16_t>(scheme));
  }
}

TEST_F(Pkcs11, ClientKeyOnTheTokenInMutualTls) {
  auto cc = client_config();
  cc->credential = credential_on_token("client-ec");
  ASSERT_TRUE(cc->credential);
  Pair p = make_tls_pair(cc, mtls_server_config());
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.server->summary().client_authenticated);
}

// Pkcs11Options::asynchronous: the handshake pauses for the token's
// signature, which another thread makes.
TEST_F(Pkcs11, AsynchronousSignerPausesTheHandshake) {
  Pkcs11Options options{"", kPin};
  options.asynchronous = true;
  auto signer = pkcs11_signer(uri("object=server-ec"), options);
  ASSERT_TRUE(signer.ok()) << signer.error().to_string();
  EXPECT_TRUE((*signer)->asynchronous());
  auto c = Credential::from_signer(read_pki("server-ec.pem"), *signer);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  auto sc = server_config();
  sc->credentials = {std::make_shared<const Credential>(std::move(*c))};
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    Pair p = make_tls_pair(versioned_client_config(v, ""), sc);
    ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
    const SignatureRequest* req = p.server->signature_request();
    ASSERT_NE(req, nullptr);
    auto sig = std::async(std::launch::async, [copy = *req] { return copy.sign(); }).get();
    ASSERT_TRUE(p.server->complete_signature(std::move(sig)).ok()) << err(*p.server);
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_EQ(p.client->summary().version, v);
  }
}

TEST_F(Pkcs11, KeysAreNamedByIdAndPinFromTheUri) {
  // id=%02 is server-p384's; the PIN comes from the URI's pin-value.
  auto signer = pkcs11_signer(uri("id=%02", std::string("pin-value=") + kPin));
  ASSERT_TRUE(signer.ok()) << signer.error().to_string();
  EXPECT_TRUE(Credential::from_signer(read_pki("server-p384.pem"), *signer).ok());
  // Or from a file its pin-source names (RFC 7512 2.4), final newline dropped.
  TempDir d;
  std::ofstream(d.file("pin")) << kPin << "\n";
  auto from_file = pkcs11_signer(uri("object=server-ec", "pin-source=file:" + d.file("pin")));
  ASSERT_TRUE(from_file.ok()) << from_file.error().to_string();
  auto no_file = pkcs11_signer(uri("object=server-ec", "pin-source=file:" + d.file("none")));
  ASSERT_FALSE(no_file.ok());
  EXPECT_NE(no_file.error().to_string().find("reading the PIN from pin-source"), std::string::npos)
      << no_file.error().to_string();
  // The module may come from the options instead of the URI.
  auto from_options = pkcs11_signer("pkcs11:token=tessera;object=server-ec", {kModule, kPin});
  ASSERT_TRUE(from_options.ok()) << from_options.error().to_string();
  // A signer for one certificate's key does not fit another certificate.
  auto mismatch = Credential::from_signer(read_pki("server-ec.pem"), *signer);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code(), ErrorCode::config_invalid) << mismatch.error().to_string();
}

// Several signers share a module (p11-kit counts its initializations), one
// signer serves threads at once, and a signer outlives another on the same
// token.
TEST_F(Pkcs11, SignersShareTheModuleAndServeThreads) {
  auto ec = pkcs11_signer(uri("object=server-ec"), {"", kPin});
  auto rsa = pkcs11_signer(uri("object=server-rsa"), {"", kPin});
  ASSERT_TRUE(ec.ok() && rsa.ok());
  auto pub = crypto::default_provider()->load_public_key(pki_cert("server-ec.pem").spki_der());
  ASSERT_TRUE(pub.ok());
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string msg = "thread " + std::to_string(t) + " message " + std::to_string(i);
        auto sig = (*ec)->sign(SignatureScheme::ecdsa_secp256r1_sha256, as_bytes_view(msg));
        if (sig.ok() &&
            (*pub)->verify(SignatureScheme::ecdsa_secp256r1_sha256, as_bytes_view(msg), *sig).ok())
          ++good;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(good, 40);
  // Dropping the RSA signer (its session, one initialization of the module)
  // leaves the EC signer working.
  rsa->reset();
  const std::string_view msg = "after the other signer went";
  auto sig = (*ec)->sign(SignatureScheme::ecdsa_secp256r1_sha256, as_bytes_view(msg));
  ASSERT_TRUE(sig.ok()) << sig.error().to_string();
  EXPECT_TRUE(
      (*pub)->verify(SignatureScheme::ecdsa_secp256r1_sha256, as_bytes_view(msg), *sig).ok());
  // A scheme of the other key type is refused by the signer itself.
  EXPECT_FALSE((*ec)->sign(SignatureScheme::rsa_pss_rsae_sha256, as_bytes_view(msg)).ok());
}

#if TESSERA_HAVE_PKCS11
// A signer whose session is closed under it (as an HSM restart or a
// reinserted token would) opens a new one, logs in again and signs.
TEST_F(Pkcs11, ReopensALostSession) {
  auto signer = pkcs11_signer(uri("object=server-ec"), {"", kPin});
  ASSERT_TRUE(signer.ok()) << signer.error().to_string();
  auto cred = Credential::from_signer(read_pki("server-ec.pem"), *signer);
  ASSERT_TRUE(cred.ok());
  auto sc = server_config();
  sc->credentials = {std::make_shared<const Credential>(std::move(*cred))};
  // The module itself, beside p11-kit's managed copy the signer uses: the
  // same loaded library, so closing every session of the token's slot here
  // closes the signer's too.
  CK_FUNCTION_LIST* raw = p11_kit_module_load(kModule, P11_KIT_MODULE_UNMANAGED);
  ASSERT_NE(raw, nullptr);
  CK_RV init = raw->C_Initialize(nullptr);
  ASSERT_TRUE(init == CKR_OK || init == CKR_CRYPTOKI_ALREADY_INITIALIZED) << init;
  CK_SLOT_ID slots[16];
  CK_ULONG n = 16;
  ASSERT_EQ(raw->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
  int closed = 0;
  for (CK_ULONG i = 0; i < n; ++i) {
    CK_TOKEN_INFO ti{};
    if (raw->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
        std::string_view(reinterpret_cast<const char*>(ti.label), 7) == "tessera") {
      ASSERT_EQ(raw->C_CloseAllSessions(slots[i]), CKR_OK);
      ++closed;
    }
  }
  ASSERT_EQ(closed, 1);
  Pair p = make_tls_pair(client_config(), sc);
  EXPECT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  if (init == CKR_OK) raw->C_Finalize(nullptr);
  p11_kit_module_release(raw);
}

// The controls of tests/support/pkcs11_gate.cc, a module that passes calls to
// SoftHSM and can hold C_Sign calls, in the copy p11-kit loaded.
struct Gate {
  void (*arm)(int calls, int limit_ms) = nullptr;
  int (*most_at_once)() = nullptr;
  void (*limit_sessions)(int open) = nullptr;
  int (*sessions)() = nullptr;
  int (*refused)() = nullptr;
  void (*outage)(int on, int delay_ms) = nullptr;
  void (*empty_signatures)(int on) = nullptr;
  void (*hide_mechanisms)(const unsigned long* list, int n) = nullptr;

  static Gate loaded() {
    Gate g;
    void* h = ::dlopen(TESSERA_PKCS11_GATE, RTLD_NOW | RTLD_NOLOAD);
    if (!h) return g;
    g.arm = reinterpret_cast<void (*)(int, int)>(::dlsym(h, "pkcs11_gate_arm"));
    g.most_at_once = reinterpret_cast<int (*)()>(::dlsym(h, "pkcs11_gate_most_at_once"));
    g.limit_sessions = reinterpret_cast<void (*)(int)>(::dlsym(h, "pkcs11_gate_limit_sessions"));
    g.sessions = reinterpret_cast<int (*)()>(::dlsym(h, "pkcs11_gate_sessions"));
    g.refused = reinterpret_cast<int (*)()>(::dlsym(h, "pkcs11_gate_refused"));
    g.outage = reinterpret_cast<void (*)(int, int)>(::dlsym(h, "pkcs11_gate_outage"));
    g.empty_signatures =
        reinterpret_cast<void (*)(int)>(::dlsym(h, "pkcs11_gate_empty_signatures"));
    g.hide_mechanisms = reinterpret_cast<void (*)(const unsigned long*, int)>(
        ::dlsym(h, "pkcs11_gate_hide_mechanisms"));
    ::dlclose(h);  // p11-kit still holds the module
    return g;
  }
  bool ok() const {
    return arm && most_at_once && limit_sessions && sessions && refused && outage &&
           empty_signatures && hide_mechanisms;
  }
};

Result<std::shared_ptr<const KeySigner>> gated_signer_for(const std::string& object,
                                                          size_t max_sessions = 1) {
  Pkcs11Options o;
  o.module_path = TESSERA_PKCS11_GATE;
  o.pin = kPin;
  o.max_sessions = max_sessions;
  return pkcs11_signer("pkcs11:token=tessera;object=" + object, o);
}

std::shared_ptr<const KeySigner> gated_signer(size_t max_sessions) {
  auto signer = gated_signer_for("server-ec", max_sessions);
  EXPECT_TRUE(signer.ok()) << (signer.ok() ? "" : signer.error().to_string());
  return signer.ok() ? *signer : nullptr;
}

// signatures_from_threads has `threads` threads make `each` signatures with
// the signer at once and counts those that verify with server-ec's key.
int signatures_from_threads(const KeySigner& signer, int threads, int each) {
  auto pub = crypto::default_provider()->load_public_key(pki_cert("server-ec.pem").spki_der());
  if (!pub.ok()) return -1;
  std::atomic<int> good{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < each; ++i) {
        const std::string msg = "thread " + std::to_string(t) + " message " + std::to_string(i);
        auto sig = signer.sign(SignatureScheme::ecdsa_secp256r1_sha256, as_bytes_view(msg));
        if (sig.ok() &&
            (*pub)->verify(SignatureScheme::ecdsa_secp256r1_sha256, as_bytes_view(msg), *sig).ok())
          ++good;
      }
    });
  for (auto& th : pool) th.join();
  return good;
}

// A signer signs for several threads at once, each in a session of its own,
// opened when needed, up to max_sessions; with max_sessions 1, one at a time.
TEST_F(Pkcs11, SignsInParallelInUpToMaxSessions) {
  auto four = gated_signer(4);
  ASSERT_NE(four, nullptr);
  Gate gate = Gate::loaded();
  ASSERT_TRUE(gate.ok()) << "pkcs11_gate is not loaded";
  const int before = gate.sessions() - 1;  // the signer found its key in one
  // Every C_Sign waits (10 s at most) until four are in progress at once:
  // only four sessions signing at the same time get past it in time.
  gate.arm(4, 10000);
  EXPECT_EQ(signatures_from_threads(*four, 4, 3), 12);
  EXPECT_EQ(gate.most_at_once(), 4);
  EXPECT_EQ(gate.sessions() - before, 4);
  // More threads than sessions: they wait for one; no fifth session.
  EXPECT_EQ(signatures_from_threads(*four, 6, 3), 18);
  EXPECT_EQ(gate.sessions() - before, 4);
  four.reset();
  EXPECT_EQ(gate.sessions(), before) << "the signer's sessions are closed with it";

  auto one = gated_signer(1);
  ASSERT_NE(one, nullptr);
  gate.arm(2, 300);  // two at once never happens: the first call waits 300 ms, alone
  EXPECT_EQ(signatures_from_threads(*one, 4, 3), 12);
  EXPECT_EQ(gate.most_at_once(), 1);
  EXPECT_EQ(gate.sessions() - before, 1);
}

// A token that refuses another session (CKR_SESSION_COUNT) caps the signer at
// the sessions it has: signatures wait for them and all succeed.
TEST_F(Pkcs11, ATokenThatRefusesSessionsCapsTheSigner) {
  auto signer = gated_signer(8);
  ASSERT_NE(signer, nullptr);
  Gate gate = Gate::loaded();
  ASSERT_TRUE(gate.ok()) << "pkcs11_gate is not loaded";
  gate.limit_sessions(gate.sessions() + 1);  // one more than the signer has
  gate.arm(3, 1000);                         // three at once never happens: two sessions at most
  EXPECT_EQ(signatures_from_threads(*signer, 4, 5), 20);
  EXPECT_EQ(gate.most_at_once(), 2);
  // Only threads that asked at the same moment were refused; later ones
  // waited for a session instead of asking the token again.
  EXPECT_GE(gate.refused(), 1);
  EXPECT_LE(gate.refused(), 3);
  gate.limit_sessions(-1);
}

// A token outage (the sessions lost, none can be opened) fails the
// signatures asked for meanwhile, and a thread waiting for a session is woken
// when the one opening it fails: it must not wait for a session nobody is
// opening. Once the token is back, signing works again.
TEST_F(Pkcs11, AnOutageWakesThreadsWaitingForASession) {
  auto signer = gated_signer(1);
  ASSERT_NE(signer, nullptr);
  Gate gate = Gate::loaded();
  ASSERT_TRUE(gate.ok()) << "pkcs11_gate is not loaded";
  auto sign = [&] {
    return signer->sign(SignatureScheme::ecdsa_secp256r1_sha256, as_bytes_view("outage"));
  };
  ASSERT_TRUE(sign().ok());
  gate.outage(1, 300);
  EXPECT_FALSE(sign().ok());                          // the session is lost and cannot be replaced
  auto first = std::async(std::launch::async, sign);  // opens a session: fails in 300 ms
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto second = std::async(std::launch::async, sign);  // waits for that session
  EXPECT_FALSE(first.get().ok());
  gate.outage(0, 0);
  const bool woken = second.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  EXPECT_TRUE(woken) << "a signature still waits for a session nobody is opening";
  if (!woken) (void)sign();  // a session released wakes it, so the test can end
  (void)second.get();        // either result: it may have tried during the outage
  EXPECT_TRUE(sign().ok());
}

// A module that answers the length query with 0 leaves its signing operation
// running (PKCS #11 5.11): the signature fails, and the session is closed
// rather than pooled, so the next signature gets a fresh one and works.
TEST_F(Pkcs11, AnEmptySignatureDoesNotSpoilTheSession) {
  auto signer = gated_signer(1);
  ASSERT_NE(signer, nullptr);
  Gate gate = Gate::loaded();
  ASSERT_TRUE(gate.ok()) << "pkcs11_gate is not loaded";
  auto sign = [&] {
    return signer->sign(SignatureScheme::ecdsa_secp256r1_sha256, as_bytes_view("empty"));
  };
  ASSERT_TRUE(sign().ok());
  gate.empty_signatures(1);
  auto r = sign();
  gate.empty_signatures(0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("empty signature"), std::string::npos)
      << r.error().to_string();
  auto again = sign();
  EXPECT_TRUE(again.ok()) << again.error().to_string();
}

// Hidden is the gate's token lacking some mechanisms while it lives.
class Hidden {
 public:
  Hidden(Gate g, std::vector<unsigned long> mechanisms, bool no_list = false) : g_(g) {
    g_.hide_mechanisms(mechanisms.data(), no_list ? -1 : static_cast<int>(mechanisms.size()));
  }
  ~Hidden() { g_.hide_mechanisms(nullptr, 0); }
  Hidden(const Hidden&) = delete;
  Hidden& operator=(const Hidden&) = delete;

 private:
  Gate g_;
};

// each_scheme_verifies signs with every scheme the signer offers and checks
// each signature with the key of pki/<name>.pem; it returns what failed.
std::string each_scheme_verifies(const KeySigner& signer, const std::string& name) {
  auto pub = crypto::default_provider()->load_public_key(pki_cert(name + ".pem").spki_der());
  if (!pub.ok()) return pub.error().to_string();
  std::string failed;
  for (SignatureScheme s : signer.schemes()) {
    const std::string scheme = signature_scheme_name(static_cast<uint16_t>(s));
    const std::string msg = "signed with " + scheme;
    auto sig = signer.sign(s, as_bytes_view(msg));
    if (!sig.ok())
      failed += scheme + ": " + sig.error().to_string() + "; ";
    else if (!(*pub)->verify(s, as_bytes_view(msg), *sig).ok())
      failed += scheme + ": does not verify; ";
  }
  return failed;
}

const std::vector<unsigned long> kHashAndSignRsa = {
    CKM_SHA256_RSA_PKCS_PSS, CKM_SHA384_RSA_PKCS_PSS, CKM_SHA512_RSA_PKCS_PSS,
    CKM_SHA256_RSA_PKCS,     CKM_SHA384_RSA_PKCS,     CKM_SHA512_RSA_PKCS};

// A token with only the bare RSA mechanisms (CKM_RSA_PKCS_PSS, CKM_RSA_PKCS),
// as some HSMs have: the signer hashes (and, for PKCS #1 v1.5, makes the
// DigestInfo) itself, for every scheme and in TLS 1.3 and 1.2 handshakes.
TEST_F(Pkcs11, ATokenWithoutHashAndSignMechanismsSignsOurDigest) {
  auto anchor = gated_signer(1);  // keeps the gate module, and its switches, loaded
  ASSERT_NE(anchor, nullptr);
  Gate gate = Gate::loaded();
  ASSERT_TRUE(gate.ok()) << "pkcs11_gate is not loaded";
  Hidden hidden(gate, kHashAndSignRsa);
  auto signer = gated_signer_for("server-rsa");
  ASSERT_TRUE(signer.ok()) << signer.error().to_string();
  using S = SignatureScheme;
  EXPECT_EQ((*signer)->schemes(),
            (std::vector<S>{S::rsa_pss_rsae_sha256, S::rsa_pss_rsae_sha384, S::rsa_pss_rsae_sha512,
                            S::rsa_pkcs1_sha256, S::rsa_pkcs1_sha384, S::rsa_pkcs1_sha512}));
  EXPECT_EQ(each_scheme_verifies(**signer, "server-rsa"), "");
  auto cred = Credential::from_signer(read_pki("server-rsa.pem"), *signer);
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  auto sc = server_config("server-rsa");
  sc->credentials = {std::make_shared<const Credential>(std::move(*cred))};
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    Pair p = make_tls_pair(versioned_client_config(v, ""), sc);
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  }
}

// The signer offers only the schemes the token can sign with: without any
// RSA-PSS mechanism, PKCS #1 v1.5 only; without CKM_ECDSA, nothing, which
// is an error at once. A module that does not list its mechanisms is taken
// to have them all.
TEST_F(Pkcs11, SchemesFollowTheTokensMechanisms) {
  auto anchor = gated_signer(1);  // keeps the gate module, and its switches, loaded
  ASSERT_NE(anchor, nullptr);
  Gate gate = Gate::loaded();
  ASSERT_TRUE(gate.ok()) << "pkcs11_gate is not loaded";
  using S = SignatureScheme;
  {
    Hidden hidden(gate, {CKM_RSA_PKCS_PSS, CKM_SHA256_RSA_PKCS_PSS, CKM_SHA384_RSA_PKCS_PSS,
                         CKM_SHA512_RSA_PKCS_PSS});
    auto signer = gated_signer_for("server-rsa");
    ASSERT_TRUE(signer.ok()) << signer.error().to_string();
    EXPECT_EQ((*signer)->schemes(),
              (std::vector<S>{S::rsa_pkcs1_sha256, S::rsa_pkcs1_sha384, S::rsa_pkcs1_sha512}));
    EXPECT_EQ(each_scheme_verifies(**signer, "server-rsa"), "");
    auto pss = (*signer)->sign(S::rsa_pss_rsae_sha256, as_bytes_view("pss"));
    ASSERT_FALSE(pss.ok());
    EXPECT_EQ(pss.error().code(), ErrorCode::unsupported_algorithm);
  }
  {
    Hidden hidden(gate, {CKM_ECDSA});
    auto signer = gated_signer_for("server-ec");
    ASSERT_FALSE(signer.ok());
    EXPECT_EQ(signer.error().code(), ErrorCode::unsupported_algorithm);
    EXPECT_NE(signer.error().message().find("lists no mechanism that signs with the key"),
              std::string::npos)
        << signer.error().to_string();
  }
  {
    Hidden hidden(gate, {}, /*no_list=*/true);
    auto signer = gated_signer_for("server-rsa");
    ASSERT_TRUE(signer.ok()) << signer.error().to_string();
    EXPECT_EQ((*signer)->schemes().size(), 6u);
    EXPECT_EQ(each_scheme_verifies(**signer, "server-rsa"), "");
  }
}
#endif

TEST_F(Pkcs11, NamingErrorsSayWhatIsWrong) {
  struct Case {
    std::string uri;
    Pkcs11Options options;
    std::string says;
  };
  const Case cases[] = {
      {uri("object=server-ec"), {"", "9999"}, "PIN is incorrect (CK_RV 0xa0)"},
      {uri("object=server-ec"), {}, "no matching private key visible without logging in"},
      {uri("object=no-such-key"), {"", kPin}, "token tessera: no matching private key"},
      {uri("id=%01;object=server-rsa"), {"", kPin}, "no matching private key"},
      {"pkcs11:token=other;object=server-ec?module-path=" + std::string(kModule),
       {"", kPin},
       "no token matches"},
      {"pkcs11:token=tessera?module-path=" + std::string(kModule),
       {"", kPin},
       "more than one private key on token tessera"},
      {uri("object=server-ec;type=cert"), {"", kPin}, "type=private"},
      {"pkcs11:token=tessera;object=server-ec", {"", kPin}, "no PKCS #11 module named"},
      {"pkcs11:object=x?module-path=/nonexistent/module.so", {"", kPin}, "cannot load"},
      {"https://example.com/key", {"", kPin}, "not a PKCS #11 URI"},
  };
  for (const auto& c : cases) {
    auto s = pkcs11_signer(c.uri, c.options);
    ASSERT_FALSE(s.ok()) << c.uri;
    EXPECT_EQ(s.error().code(), ErrorCode::config_invalid) << c.uri;
    EXPECT_NE(s.error().to_string().find(c.says), std::string::npos)
        << c.uri << " -> " << s.error().to_string();
  }
}

}  // namespace
}  // namespace tessera::testing
