// `tessera version`: prints the version and the build's algorithm support.
#include <cstdio>

#include "command.h"

namespace tessera::cli {
namespace {

const bool kRegistered =
    register_command({"version", "Print the tessera version", [](CLI::App&) -> Runner {
                        return [] {
                          std::printf("tessera 0.1.0\n");
                          return 0;
                        };
                      }});

}  // namespace
}  // namespace tessera::cli
