// tools/tessera/command.h — how a `tessera` subcommand plugs into the CLI.
//
// Each command lives in its own file and registers itself at start-up:
//
//   static const bool kRegistered = tessera::cli::register_command(
//       {"verify", "Verify a certificate chain", [](CLI::App& app) {
//          auto opts = std::make_shared<VerifyOptions>();
//          app.add_option("--trust", opts->trust, "...");
//          return [opts]() { return run_verify(*opts); };   // exit status
//        }});
//
// main() creates one CLI11 subcommand per registration, calls `setup` to add
// its options, parses, and calls the runner of the chosen command. Exit status
// 2 is a usage error (CLI11 parse failure).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace tessera::cli {

using Runner = std::function<int()>;

struct Command {
  std::string name;
  std::string description;
  std::function<Runner(CLI::App&)> setup;
};

bool register_command(Command c);
const std::vector<Command>& commands();

}  // namespace tessera::cli
