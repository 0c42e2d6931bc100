// The CLI's --keylog file (tools/tessera/tls_options.h): the traffic
// secrets go to a file created with mode 0600, appended line by line.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <string>

#include "support/temp_dir.h"
#include "tls_options.h"

namespace tessera::cli {
namespace {

TEST(KeyLog, FileIsMode0600AndAppends) {
  testing::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string log = dir.file("keys.log");
  TlsOptions o;
  o.keylog_file = log;
  KeyLogCallback cb = o.keylog();
  ASSERT_TRUE(cb);
  cb("CLIENT_RANDOM 00 11");
  cb("SERVER_HANDSHAKE_TRAFFIC_SECRET 00 22");
  struct stat st {};
  ASSERT_EQ(::stat(log.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(log);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all, "CLIENT_RANDOM 00 11\nSERVER_HANDSHAKE_TRAFFIC_SECRET 00 22\n");
}

}  // namespace
}  // namespace tessera::cli
