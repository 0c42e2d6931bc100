// tools/tessera/bench_load.h — `tessera bench load HOST:PORT`: a bounded,
// loopback-only load generator for `tessera server --echo` (bench_load.cc).
#pragma once

#include <CLI/CLI.hpp>

#include "command.h"

namespace tessera::cli {

// add_bench_load adds the `load` subcommand to `bench` and returns the runner
// to call when it was chosen.
Runner add_bench_load(CLI::App& bench);

}  // namespace tessera::cli
