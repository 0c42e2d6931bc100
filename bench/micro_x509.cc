// Micro-benchmarks of X.509 chain verification: parsing and validating a
// 3-certificate ECDSA P-256 chain (leaf, intermediate, root from
// tests/vectors/x509v) against the bare signature verifications the chain
// needs, so the overhead of path building and the RFC 5280 checks can be
// read as the ratio BM_VerifyChain / BM_BareSignatures (target <= 1.2).
//
// Both sides do the same cryptographic work per iteration: load the
// intermediate's public key from its SPKI and verify two ECDSA signatures;
// the root's key is loaded once (verify_chain caches anchor keys in the
// TrustStore).
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

#include "crypto/provider.h"
#include "x509/certificate.h"
#include "x509/checks.h"
#include "x509/crl.h"
#include "x509/pem.h"
#include "x509/verify.h"

namespace {

using namespace tessera;

std::string read(const std::string& name) {
  std::string path = std::string(__FILE__);
  path = path.substr(0, path.rfind('/')) + "/../tests/vectors/x509v/" + name;
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Bytes der(const std::string& name) {
  auto r = x509::pem_decode_label(read(name), x509::pem_label::kCertificate);
  return r.ok() && !r->empty() ? (*r)[0] : Bytes{};
}

constexpr int64_t kNow = 1780272000;  // 2026-06-01

// verify_leaf_chain times verify_chain of leaf.pem + int.pem for
// www.example.com against root.pem, with `crls` if given.
void verify_leaf_chain(benchmark::State& state, const x509::CrlSet* crls = nullptr) {
  auto provider = crypto::default_provider();
  x509::TrustStore trust;
  if (!trust.add_pem(as_bytes_view(read("root.pem"))).ok()) {
    state.SkipWithError("cannot load root.pem");
    return;
  }
  std::vector<Bytes> chain = {der("leaf.pem"), der("int.pem")};
  x509::VerifyOptions opts;
  opts.now_unix = kNow;
  opts.identities = {{x509::ReferenceIdentity::Kind::dns, "www.example.com"}};
  opts.crls = crls;
  opts.crl_check = CrlCheck::leaf;
  for (auto _ : state) {
    auto r = x509::verify_chain(*provider, trust, chain, opts);
    if (!r.ok()) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(r);
  }
}

void BM_VerifyChain(benchmark::State& state) { verify_leaf_chain(state); }
BENCHMARK(BM_VerifyChain);

// BM_VerifyChain with revocation: the intermediate's CRL (tests/vectors/x509v
// int_crl.pem) consulted for the leaf (CrlCheck::leaf: the root has issued no
// CRL for the intermediate). The CRL's signature verifies in the first
// iteration and is remembered by the CrlSet, as a server's shared set does
// across handshakes; each iteration then pays the name match, the dates and
// the serial lookup.
void BM_VerifyChainWithCrl(benchmark::State& state) {
  x509::CrlSet crls;
  if (!crls.add_pem(as_bytes_view(read("int_crl.pem"))).ok()) {
    state.SkipWithError("cannot load int_crl.pem");
    return;
  }
  verify_leaf_chain(state, &crls);
}
BENCHMARK(BM_VerifyChainWithCrl);

void BM_BareSignatures(benchmark::State& state) {
  auto provider = crypto::default_provider();
  auto leaf = x509::Certificate::parse(der("leaf.pem"));
  auto inter = x509::Certificate::parse(der("int.pem"));
  auto root = x509::Certificate::parse(der("root.pem"));
  if (!leaf.ok() || !inter.ok() || !root.ok()) {
    state.SkipWithError("cannot parse the fixtures");
    return;
  }
  auto root_key = provider->load_public_key(root->spki_der());
  if (!root_key.ok()) {
    state.SkipWithError("cannot load the root key");
    return;
  }
  for (auto _ : state) {
    auto int_key = provider->load_public_key(inter->spki_der());
    bool ok = int_key.ok() &&
              x509::verify_with_key(**int_key, leaf->signature_algorithm(), leaf->tbs(),
                                    leaf->signature())
                  .ok() &&
              x509::verify_with_key(**root_key, inter->signature_algorithm(), inter->tbs(),
                                    inter->signature())
                  .ok();
    if (!ok) {
      state.SkipWithError("signature verification failed");
      return;
    }
  }
}
BENCHMARK(BM_BareSignatures);

void BM_ParseChain(benchmark::State& state) {
  std::vector<Bytes> chain = {der("leaf.pem"), der("int.pem"), der("root.pem")};
  for (auto _ : state) {
    for (const Bytes& d : chain) {
      auto c = x509::Certificate::parse(d);
      benchmark::DoNotOptimize(c);
    }
  }
}
BENCHMARK(BM_ParseChain);

}  // namespace
