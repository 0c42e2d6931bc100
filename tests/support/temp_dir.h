// tests/support/temp_dir.h — a temporary directory for one test, removed
// (with what is in it) when the TempDir dies.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace tessera::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tessera-test-XXXXXX").string();
    const char* d = ::mkdtemp(tmpl.data());
    path_ = d ? d : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // ok is false if the directory could not be created.
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  // file returns the path of `name` in the directory.
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // write writes `content` to `name` and returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    std::string p = file(name);
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::string path_;
};

}  // namespace tessera::testing
