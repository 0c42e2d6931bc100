// Micro-benchmark of the record layer: the TLS 1.3 content-type scan
// (RFC 8446 5.4) over a full 16 KiB record's TLSInnerPlaintext, in both
// forms (0 portable, 1 AVX2 where the CPU has it; the label says which ran).
#include <benchmark/benchmark.h>

#include <vector>

#include "record/protection.h"

namespace tessera::record {
namespace {

void BM_ContentScan(benchmark::State& state) {
  const bool avx2 = state.range(0) == 1 && detail::content_scan_avx2_supported();
  // 16 KiB of content, the type byte, no padding: the scan reads every byte
  // whatever the padding is.
  std::vector<uint8_t> inner(kMaxPlaintext + 1, 0x61);
  inner.back() = 23;
  for (auto _ : state) {
    auto r = detail::content_scan_for_testing(inner, avx2);
    benchmark::DoNotOptimize(r);
    if (!r.found || r.pos != kMaxPlaintext) state.SkipWithError("wrong content type position");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * inner.size()));
  state.SetLabel(avx2 ? "avx2" : "portable");
}
BENCHMARK(BM_ContentScan)->Arg(0)->Arg(1);

}  // namespace
}  // namespace tessera::record
