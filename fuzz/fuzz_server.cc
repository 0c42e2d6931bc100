// fuzz/fuzz_server.cc — a tessera server Connection (sans-I/O engine + TLS 1.3
// server state machine) fed arbitrary client bytes. See state_machine.h for
// the scenarios and why the runs are reproducible.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "state_machine.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto scenario = static_cast<fuzz::Scenario>(data[0] % fuzz::kNumScenarios);
  auto conn = Connection::server(fuzz::server_config(scenario));
  if (!conn.ok()) std::abort();
  Connection& c = **conn;
  auto r = fuzz::feed(c, scenario, /*server=*/true, std::span<const uint8_t>(data + 1, size - 1));
  if (!r.ok() && c.error() == nullptr) std::abort();
  fuzz::exercise(c);
  return 0;
}
