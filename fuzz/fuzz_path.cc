// fuzz/fuzz_path.cc — certificate path building and validation (RFC 5280 6,
// src/x509/verify.h) against the test CA with hostile intermediate sets.
//
// Input: byte 0 picks the purpose and the identity to check; the rest is a
// list of certificates, each a 2-byte big-endian length and that many DER
// bytes (leaf first, then the "intermediates" in the order a peer would send
// them). At most 16 certificates. The trust store holds tests/vectors/pki
// ca.pem and rogue-ca.pem and tests/vectors/x509v root.pem and other_root.pem
// (the roots of the verify_test hostile sets); the clock is pinned to
// 2030-01-01 (pki) or, with mode bit 0x10, to 2026-06-01 (x509v's kNow).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "crypto/provider.h"
#include "fuzz_common.h"
#include "x509/trust_store.h"
#include "x509/verify.h"

using namespace tessera;
using namespace tessera::x509;

namespace {

const TrustStore& trust() {
  static TrustStore* store = [] {
    auto* s = new TrustStore();
    for (const char* f :
         {"ca.pem", "rogue-ca.pem", "../x509v/root.pem", "../x509v/other_root.pem"}) {
      std::string pem = fuzz::read_pki(f);
      if (!s->add_pem(as_bytes_view(pem)).ok()) std::abort();
    }
    return s;
  }();
  return *store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::vector<Bytes> chain;
  size_t off = 1;
  while (off + 2 <= size && chain.size() < 16) {
    size_t len = static_cast<size_t>(data[off] << 8 | data[off + 1]);
    off += 2;
    len = std::min(len, size - off);
    chain.emplace_back(data + off, data + off + len);
    off += len;
  }
  if (chain.empty()) return 0;

  VerifyOptions opt;
  opt.now_unix = (mode & 0x10) ? 1780272000 : fuzz::kFuzzNow;
  opt.purpose = (mode & 1) ? Purpose::client_auth : Purpose::server_auth;
  if (mode & 2) opt.purpose = Purpose::any;
  if (mode & 4) opt.identities.push_back({ReferenceIdentity::Kind::dns, "localhost"});
  if (mode & 8) opt.identities.push_back({ReferenceIdentity::Kind::ip, "127.0.0.1"});
  VerifyReport report;
  auto path = verify_chain(*crypto::default_provider(), trust(), chain, opt, &report);
  if (path.ok()) {
    // A verified path runs from the leaf to an anchor of the store.
    if (path->certs.empty()) std::abort();
    if (path->certs.front()->der().size() != chain[0].size()) std::abort();
    if (!trust().contains_der(path->certs.back()->der())) std::abort();
  }
  // Work budget (verify.h): the check that takes the count past
  // max_signature_checks is the one that trips cert_work_limit, so at most
  // max + 1 verifications run (verify_test HostileSameNameIntermediatesHitWorkLimit).
  if (report.signature_checks > opt.max_signature_checks + 1) std::abort();
  (void)report.to_string();
  return 0;
}
