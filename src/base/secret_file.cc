#include "base/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tessera {

void create_parent_directories(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
}

namespace {

Error file_error(const char* what, const std::string& path, int err) {
  return Error(ErrorCode::io_error, std::string(what) + " " + path + ": " + std::strerror(err));
}

// Fd closes a file descriptor when it goes out of scope.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<SecretBytes> read_secret_file(const std::string& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return file_error("cannot open", path, errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return file_error("cannot read", path, errno);
  if (S_ISDIR(st.st_mode)) return Error(ErrorCode::io_error, path + " is a directory");
  auto too_large = [&] {
    return Error(ErrorCode::io_error, path + " is larger than " +
                                          std::to_string(kMaxSecretFile >> 20) +
                                          " MiB: not a key or session file");
  };
  // A regular file is read into a buffer of its size (one byte more, to see
  // it grow); a pipe (--key <(...), /dev/stdin) into one that doubles, each
  // buffer wiped when it is replaced.
  size_t capacity = 4096;
  if (S_ISREG(st.st_mode)) {
    if (st.st_size > static_cast<off_t>(kMaxSecretFile)) return too_large();
    capacity = static_cast<size_t>(st.st_size) + 1;
  }
  SecretBytes buf(capacity);
  size_t got = 0;
  for (;;) {
    if (got == buf.size()) {
      if (got > kMaxSecretFile) return too_large();
      SecretBytes bigger(std::min(2 * buf.size(), kMaxSecretFile + 1));
      std::memcpy(bigger.data(), buf.data(), got);
      buf = std::move(bigger);
    }
    ssize_t n = ::read(f.fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return file_error("cannot read", path, errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > kMaxSecretFile) return too_large();
  return SecretBytes(buf.view().first(got));
}

namespace {

// write_replacing writes `text` to a new file of `mode` beside `path` and
// renames it over `path`.
Result<void> write_replacing(const std::string& path, std::string_view text, mode_t mode) {
  create_parent_directories(path);
  // Written to a new file beside the target (mkostemp: mode 0600, O_EXCL),
  // then renamed over it. Whatever is at the path (another user's file, a
  // link to one, a pipe) is never opened, truncated or written through; a
  // failure leaves the old file as it was and no partial key behind.
  std::string tmp = path + ".XXXXXX";
  Fd f{::mkostemp(tmp.data(), O_CLOEXEC)};
  if (f.fd < 0) return file_error("cannot write", path, errno);
  struct Unlink {
    const std::string& p;
    bool armed = true;
    ~Unlink() {
      if (armed) ::unlink(p.c_str());
    }
  } unlink_tmp{tmp};
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(f.fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return file_error("cannot write", tmp, errno);
    if (n == 0) return Error(ErrorCode::io_error, "cannot write " + tmp + ": no progress");
    done += static_cast<size_t>(n);
  }
  if (mode != 0600 && ::fchmod(f.fd, mode) != 0) return file_error("cannot write", tmp, errno);
  if (::fsync(f.fd) != 0) return file_error("cannot write", tmp, errno);
  const int fd = f.fd;
  f.fd = -1;
  if (::close(fd) != 0) return file_error("cannot write", tmp, errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return file_error("cannot write", path, errno);
  unlink_tmp.armed = false;
  return ok();
}

}  // namespace

Result<void> write_secret_file(const std::string& path, std::string& text) {
  struct Wipe {
    std::string& s;
    ~Wipe() { secure_wipe(s.data(), s.size()); }
  } wipe{text};
  return write_replacing(path, text, 0600);
}

Result<void> write_public_file(const std::string& path, std::string_view text) {
  return write_replacing(path, text, 0644);
}

}  // namespace tessera
