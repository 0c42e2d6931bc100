// The CLI's secret-file helpers (tools/tessera/tls_options.h): private keys
// and session files are read and written without leaving a copy of their
// bytes in freed heap memory, and written with mode 0600.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/freed_memory_probe.h"
#include "tls_options.h"

namespace tessera::cli {
namespace {

using testing::FreedMemoryProbe;
using testing::kSecretMarker;

class SecretFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tessera-secret-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    // A PEM-like text with the marker inside, longer than one read.
    text_ = "-----BEGIN PRIVATE KEY-----\n";
    text_.append(reinterpret_cast<const char*>(kSecretMarker), sizeof kSecretMarker);
    text_ += "\n" + std::string(3000, 'A') + "\n-----END PRIVATE KEY-----\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const char* name) const { return (dir_ / name).string(); }
  void put(const std::string& p, const std::string& content) const {
    std::ofstream(p, std::ios::binary) << content;
  }
  static unsigned mode_of(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }

  std::filesystem::path dir_;
  std::string text_;
};

TEST_F(SecretFile, ReadLeavesNoCopyInFreedMemory) {
  const std::string p = path("key.pem");
  put(p, text_);
  {
    FreedMemoryProbe probe;
    {
      Result<SecretBytes> got = read_secret_file(p);
      ASSERT_TRUE(got.ok()) << got.error().message();
      EXPECT_EQ(as_text(*got), text_);
    }
    EXPECT_EQ(probe.freed_with_marker(), 0);
  }
  // Control: the stream-based reader leaves copies behind (its stream buffer
  // and the returned string), which shows the probe would see them.
  {
    FreedMemoryProbe probe;
    {
      Result<std::string> got = read_text_file(p);
      ASSERT_TRUE(got.ok());
    }
    EXPECT_GT(probe.freed_with_marker(), 0);
  }
}

TEST_F(SecretFile, WriteIsMode0600AndWipesTheText) {
  const std::string p = path("sub/dir/key.pem");  // parent directories are created
  std::string text = text_;
  {
    FreedMemoryProbe probe;
    Result<void> w = write_secret_file(p, text);
    ASSERT_TRUE(w.ok()) << w.error().message();
    EXPECT_EQ(probe.freed_with_marker(), 0);
  }
  EXPECT_EQ(text.find_first_not_of('\0'), std::string::npos) << "the caller's text is wiped";
  EXPECT_EQ(mode_of(p), 0600u);
  Result<SecretBytes> back = read_secret_file(p);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(as_text(*back), text_);

  // An existing, readable file is narrowed to 0600 and truncated.
  const std::string old = path("old.pem");
  put(old, std::string(10000, 'x'));
  ASSERT_EQ(::chmod(old.c_str(), 0644), 0);
  std::string again = text_;
  ASSERT_TRUE(write_secret_file(old, again).ok());
  EXPECT_EQ(mode_of(old), 0600u);
  EXPECT_EQ(std::filesystem::file_size(old), text_.size());
}

TEST_F(SecretFile, RefusesWhatIsNotAKeyFile) {
  Result<SecretBytes> missing = read_secret_file(path("missing.pem"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::io_error);
  EXPECT_NE(missing.error().message().find("missing.pem"), std::string::npos);
  Result<SecretBytes> dir = read_secret_file(dir_.string());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message().find("not a regular file"), std::string::npos);
  const std::string big = path("big.pem");
  put(big, std::string(kMaxSecretFile + 1, 'A'));
  Result<SecretBytes> too_big = read_secret_file(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.error().message().find("larger than 1 MiB"), std::string::npos);
  put(big, std::string(kMaxSecretFile, 'A'));
  EXPECT_TRUE(read_secret_file(big).ok());
  const std::string empty = path("empty.pem");
  put(empty, "");
  Result<SecretBytes> none = read_secret_file(empty);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->size(), 0u);

  // A secret is not written through a symbolic link (O_NOFOLLOW), and the
  // text is wiped all the same.
  const std::string target = path("target.pem");
  put(target, "public");
  const std::string link = path("link.pem");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  std::string text = text_;
  Result<void> w = write_secret_file(link, text);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), ErrorCode::io_error);
  EXPECT_EQ(text.find_first_not_of('\0'), std::string::npos);
  std::ifstream in(target);
  std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(kept, "public");
}

}  // namespace
}  // namespace tessera::cli
