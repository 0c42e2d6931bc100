// Micro-benchmarks of the OpenSSL provider: AEAD records, key shares,
// signatures, HKDF-Expand-Label-sized expansion and SHA-256.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <string>

#include "crypto/openssl/openssl_provider.h"

namespace tessera::crypto {
namespace {

OpenSslProvider& provider() {
  static OpenSslProvider p;
  return p;
}

template <class T>
T must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "benchmark setup failed: %s\n", r.error().to_string().c_str());
    std::abort();
  }
  return std::move(r).value();
}

constexpr size_t kRecord = 16384;

// aead_provider: a provider fixed to AEAD backend range(1) (0 libcrypto,
// 1 ipsec-mb; ipsec-mb falls back to libcrypto where it cannot run, and the
// label says which ran).
OpenSslProvider& aead_provider(const benchmark::State& state) {
  static OpenSslProvider libcrypto(AeadBackend::libcrypto);
  static OpenSslProvider ipsec_mb(AeadBackend::ipsec_mb);
  return state.range(1) == 0 ? libcrypto : ipsec_mb;
}

void BM_AeadSeal(benchmark::State& state) {
  auto alg = static_cast<AeadAlgorithm>(state.range(0));
  Bytes key(aead_key_length(alg), 0x42);
  auto aead = must(aead_provider(state).aead(alg, key));
  Bytes data(kRecord, 0x17), tag(Aead::kTagSize), nonce(Aead::kNonceSize, 0), aad(5, 0x17);
  uint64_t seq = 0;
  for (auto _ : state) {
    nonce[11] = static_cast<uint8_t>(++seq);
    if (!aead->seal(nonce, aad, data, tag).ok()) state.SkipWithError("seal failed");
    benchmark::DoNotOptimize(tag.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kRecord);
  state.SetLabel(std::string(aead_name(alg)) + " on " + std::string(aead->implementation()));
}

void BM_AeadOpen(benchmark::State& state) {
  auto alg = static_cast<AeadAlgorithm>(state.range(0));
  Bytes key(aead_key_length(alg), 0x42);
  auto sealer = must(aead_provider(state).aead(alg, key));
  auto opener = must(aead_provider(state).aead(alg, key));
  Bytes plain(kRecord, 0x17), sealed = plain, tag(Aead::kTagSize), nonce(Aead::kNonceSize, 0),
                              aad(5, 0x17);
  if (!sealer->seal(nonce, aad, sealed, tag).ok()) std::abort();
  Bytes data(kRecord);
  for (auto _ : state) {
    std::copy(sealed.begin(), sealed.end(), data.begin());
    if (!opener->open(nonce, aad, data, tag).ok()) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(data.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kRecord);
  state.SetLabel(std::string(aead_name(alg)) + " on " + std::string(opener->implementation()));
}

// {AEAD, backend}: every AEAD on libcrypto, AES-GCM also on ipsec-mb.
#define TESSERA_AEAD_ARGS                                       \
  Args({static_cast<int>(AeadAlgorithm::aes_128_gcm), 0})       \
      ->Args({static_cast<int>(AeadAlgorithm::aes_128_gcm), 1}) \
      ->Args({static_cast<int>(AeadAlgorithm::aes_256_gcm), 0}) \
      ->Args({static_cast<int>(AeadAlgorithm::aes_256_gcm), 1}) \
      ->Args({static_cast<int>(AeadAlgorithm::chacha20_poly1305), 0})
BENCHMARK(BM_AeadSeal)->TESSERA_AEAD_ARGS;
BENCHMARK(BM_AeadOpen)->TESSERA_AEAD_ARGS;

// One full exchange: client share, server encapsulation, client decapsulation.
void BM_KeyExchange(benchmark::State& state) {
  auto g = static_cast<NamedGroup>(state.range(0));
  for (auto _ : state) {
    auto client = must(provider().generate_key_share(g));
    auto enc = must(provider().encapsulate(g, client->public_value()));
    auto secret = must(client->decapsulate(enc.ciphertext));
    benchmark::DoNotOptimize(secret.data());
  }
  state.SetLabel(group_name(static_cast<uint16_t>(g)));
}
BENCHMARK(BM_KeyExchange)
    ->Arg(static_cast<int>(NamedGroup::x25519))
    ->Arg(static_cast<int>(NamedGroup::secp256r1))
    ->Arg(static_cast<int>(NamedGroup::secp384r1))
    ->Arg(static_cast<int>(NamedGroup::ffdhe2048))
    ->Arg(static_cast<int>(NamedGroup::ffdhe3072))
    ->Unit(benchmark::kMicrosecond);

struct SigSetup {
  KeyGenParams params;
  SignatureScheme scheme;
};

const SigSetup kSigSetups[] = {
    {{KeyType::ec_p256, 0}, SignatureScheme::ecdsa_secp256r1_sha256},
    {{KeyType::ec_p384, 0}, SignatureScheme::ecdsa_secp384r1_sha384},
    {{KeyType::rsa, 2048}, SignatureScheme::rsa_pss_rsae_sha256},
    {{KeyType::ed25519, 0}, SignatureScheme::ed25519},
};

// Keys are generated once per scheme and reused.
const PrivateKey& bench_key(size_t i) {
  static std::unique_ptr<PrivateKey> keys[std::size(kSigSetups)];
  if (!keys[i]) keys[i] = must(provider().generate_private_key(kSigSetups[i].params));
  return *keys[i];
}

void BM_Sign(benchmark::State& state) {
  const size_t i = static_cast<size_t>(state.range(0));
  const PrivateKey& key = bench_key(i);
  Bytes msg(130, 0x20);  // about the size of a TLS 1.3 CertificateVerify input
  for (auto _ : state) {
    auto sig = must(key.sign(kSigSetups[i].scheme, msg));
    benchmark::DoNotOptimize(sig.data());
  }
  state.SetLabel(signature_scheme_name(static_cast<uint16_t>(kSigSetups[i].scheme)));
}

void BM_Verify(benchmark::State& state) {
  const size_t i = static_cast<size_t>(state.range(0));
  const PrivateKey& key = bench_key(i);
  auto pub = must(provider().load_public_key(key.public_spki()));
  Bytes msg(130, 0x20);
  Bytes sig = must(key.sign(kSigSetups[i].scheme, msg));
  for (auto _ : state) {
    if (!pub->verify(kSigSetups[i].scheme, msg, sig).ok()) state.SkipWithError("verify failed");
  }
  state.SetLabel(signature_scheme_name(static_cast<uint16_t>(kSigSetups[i].scheme)));
}
BENCHMARK(BM_Sign)->DenseRange(0, std::size(kSigSetups) - 1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Verify)->DenseRange(0, std::size(kSigSetups) - 1)->Unit(benchmark::kMicrosecond);

// HKDF-Expand-Label for a traffic key: 32-byte PRK, ~20-byte HkdfLabel, 16
// bytes out (RFC 8446 7.1/7.3).
void BM_HkdfExpandLabelSized(benchmark::State& state) {
  Bytes prk(32, 0x0b), info(20, 0x74);
  for (auto _ : state) {
    auto out = must(provider().hkdf_expand(HashAlgorithm::sha256, prk, info, 16));
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_HkdfExpandLabelSized);

void BM_Sha256_1KiB(benchmark::State& state) {
  Bytes data(1024, 0x61);
  for (auto _ : state) {
    Bytes d = provider().digest(HashAlgorithm::sha256, data);
    benchmark::DoNotOptimize(d.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 1024);
}
BENCHMARK(BM_Sha256_1KiB);

}  // namespace
}  // namespace tessera::crypto
