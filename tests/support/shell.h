// tests/support/shell.h — running a shell command from a test (the openssl
// CLI, to check that it accepts what tessera builds).
#pragma once

#include <stdio.h>
#include <sys/wait.h>

#include <string>
#include <utility>

namespace tessera::testing {

// run_shell executes a shell command, bounded to 30 s by timeout(1), and
// returns its exit status (-1 if it did not exit) and combined output.
inline std::pair<int, std::string> run_shell(const std::string& cmd) {
  std::string full = "timeout 30 " + cmd + " 2>&1";
  FILE* f = popen(full.c_str(), "r");
  if (!f) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  int status = pclose(f);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// have_openssl is true if the openssl CLI runs.
inline bool have_openssl() { return run_shell("openssl version").first == 0; }

}  // namespace tessera::testing
