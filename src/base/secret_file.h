// base/secret_file.h — files that hold secrets (private keys, session files):
// read and written with plain read(2) / write(2) on one buffer, with no
// stream buffers in between, so no copy of the secret is left in freed
// memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/secret.h"
#include "tessera/result.h"

namespace tessera {

// kMaxSecretFile bounds what read_secret_file reads: no key or session file
// comes near it.
inline constexpr size_t kMaxSecretFile = 1 << 20;

// read_secret_file reads a whole file of at most kMaxSecretFile bytes (a
// regular file or a pipe, e.g. --key <(...)) into a SecretBytes (wiped when
// it dies). io_error names the path.
Result<SecretBytes> read_secret_file(const std::string& path);

// write_secret_file writes `text` to a new file of mode 0600 beside `path`
// and renames it to `path` (so an existing file, or a symbolic link, at
// `path` is replaced, never written through, and a failure leaves it as it
// was), creating parent directories; it wipes `text` whether or not it
// succeeded. io_error names the path.
Result<void> write_secret_file(const std::string& path, std::string& text);

// write_public_file is write_secret_file for a file anyone may read
// (certificates, CRLs): mode 0644, the same replace-by-rename.
Result<void> write_public_file(const std::string& path, std::string_view text);

// create_parent_directories creates the directories above `path` that do not
// exist yet (errors are left to the write that follows). write_secret_file
// uses it; so does the CLI for the public files it writes.
void create_parent_directories(const std::string& path);

// as_text views a secret file's bytes as text (PEM).
inline std::string_view as_text(const SecretBytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace tessera
