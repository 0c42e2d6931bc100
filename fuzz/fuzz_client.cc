// fuzz/fuzz_client.cc — a tessera client Connection (sans-I/O engine + TLS 1.3
// client state machine) fed arbitrary server bytes. See state_machine.h for
// the scenarios and why the runs are reproducible.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "state_machine.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto scenario = static_cast<fuzz::Scenario>(data[0] % fuzz::kNumScenarios);
  auto conn = fuzz::new_client(scenario);
  if (!conn.ok()) std::abort();
  Connection& c = **conn;
  c.consume_tls(c.pending_tls().size());  // the ClientHello
  auto r = fuzz::feed(c, scenario, /*server=*/false, std::span<const uint8_t>(data + 1, size - 1));
  // A failed receive leaves the connection failed for good (sticky error).
  if (!r.ok() && c.error() == nullptr) std::abort();
  fuzz::exercise(c);
  return 0;
}
