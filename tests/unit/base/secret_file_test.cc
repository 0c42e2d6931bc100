// base/secret_file.h: private keys and session files are read and written
// without leaving a copy of their bytes in freed heap memory, and written
// with mode 0600.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "base/secret_file.h"
#include "support/freed_memory_probe.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

using testing::FreedMemoryProbe;
using testing::kSecretMarker;
using testing::TempDir;

class SecretFile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    // A PEM-like text with the marker inside, longer than one read.
    text_ = "-----BEGIN PRIVATE KEY-----\n";
    text_.append(reinterpret_cast<const char*>(kSecretMarker), sizeof kSecretMarker);
    text_ += "\n" + std::string(3000, 'A') + "\n-----END PRIVATE KEY-----\n";
  }

  std::string path(const char* name) const { return dir_.file(name); }
  void put(const std::string& p, const std::string& content) const {
    std::ofstream(p, std::ios::binary) << content;
  }
  static unsigned mode_of(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }

  TempDir dir_;
  std::string text_;
};

TEST_F(SecretFile, ReadLeavesNoCopyInFreedMemory) {
  TESSERA_SKIP_WITHOUT_PROBE();
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
  // Control: the usual stream-based reading leaves copies behind (the stream
  // buffers and the string), which shows the probe would see them.
  {
    FreedMemoryProbe probe;
    {
      std::ifstream f(p, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      EXPECT_EQ(ss.str(), text_);
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
    if (FreedMemoryProbe::sees_frees()) {
      EXPECT_EQ(probe.freed_with_marker(), 0);
    }
  }
  EXPECT_EQ(text.find_first_not_of('\0'), std::string::npos) << "the caller's text is wiped";
  EXPECT_EQ(mode_of(p), 0600u);
  Result<SecretBytes> back = read_secret_file(p);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(as_text(*back), text_);

  // An existing, readable file is replaced by a new one of mode 0600.
  const std::string old = path("old.pem");
  put(old, std::string(10000, 'x'));
  ASSERT_EQ(::chmod(old.c_str(), 0644), 0);
  std::string again = text_;
  ASSERT_TRUE(write_secret_file(old, again).ok());
  EXPECT_EQ(mode_of(old), 0600u);
  EXPECT_EQ(std::filesystem::file_size(old), text_.size());
  // No temporary file is left beside it.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path()))
    files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(SecretFile, WriteReplacesALinkInsteadOfWritingThroughIt) {
  const std::string target = path("target.pem");
  put(target, "public");
  const std::string link = path("link.pem");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  std::string text = text_;
  Result<void> w = write_secret_file(link, text);
  ASSERT_TRUE(w.ok()) << w.error().message();
  EXPECT_EQ(text.find_first_not_of('\0'), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_regular_file(std::filesystem::symlink_status(link)));
  EXPECT_EQ(mode_of(link), 0600u);
  std::ifstream in(target);
  std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(kept, "public");
}

TEST_F(SecretFile, FailedWriteWipesTheTextAndLeavesNothing) {
  const std::string blocker = path("not-a-dir");
  put(blocker, "x");
  std::string text = text_;
  Result<void> w = write_secret_file(blocker + "/key.pem", text);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), ErrorCode::io_error);
  EXPECT_NE(w.error().message().find("not-a-dir/key.pem"), std::string::npos);
  EXPECT_EQ(text.find_first_not_of('\0'), std::string::npos);
}

TEST_F(SecretFile, ReadsFromAPipe) {
  // --key <(command) and /dev/stdin are pipes: read to the end, in a buffer
  // that grows (the content is longer than the first 4096 bytes).
  const std::string fifo = path("key.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string content = text_ + std::string(10000, 'B');
  // The writer uses write(2): a stream buffer freed on its side would be
  // seen by the probe too.
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY);
    if (fd < 0) return;
    for (size_t done = 0; done < content.size();) {
      ssize_t n = ::write(fd, content.data() + done, content.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  });
  Result<SecretBytes> got = Error(ErrorCode::internal_error, "not read");
  {
    FreedMemoryProbe probe;
    got = read_secret_file(fifo);
    writer.join();
    if (FreedMemoryProbe::sees_frees()) {
      EXPECT_EQ(probe.freed_with_marker(), 0);  // the outgrown buffers were wiped
    }
  }
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(as_text(*got), content);
}

TEST_F(SecretFile, RefusesWhatIsNotAKeyFile) {
  Result<SecretBytes> missing = read_secret_file(path("missing.pem"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::io_error);
  EXPECT_NE(missing.error().message().find("missing.pem"), std::string::npos);
  Result<SecretBytes> dir = read_secret_file(dir_.path());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message().find("is a directory"), std::string::npos);
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
}

}  // namespace
}  // namespace tessera
