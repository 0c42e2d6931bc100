// src/crypto/provider.cc: default_provider(), Provider::digest, key_type_name.
#include "crypto/provider.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "crypto_test_util.h"

namespace tessera::crypto {
namespace {

TEST(Provider, DefaultProviderIsOneSharedOpenSslProvider) {
  auto a = default_provider();
  auto b = default_provider();
  ASSERT_TRUE(a);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(dynamic_cast<OpenSslProvider*>(a.get()), nullptr);
  EXPECT_NE(a->name().find("openssl"), std::string_view::npos);
  Bytes r1(32), r2(32);
  a->random(r1);
  a->random(r2);
  EXPECT_NE(to_hex(r1), to_hex(r2));
}

// public_random serves hello randoms from a per-thread block of DRBG output
// (crypto/openssl/openssl_provider.h). Every request gets bytes no other
// request got: across block refills, at every size up to the block's limit,
// and for requests too large for the block.
TEST(Provider, PublicRandomNeverServesTheSameBytesTwice) {
  OpenSslProvider p;
  std::set<std::string> seen;
  size_t requests = 0;
  for (int round = 0; round < 40; ++round) {
    for (size_t n :
         {size_t{16}, size_t{32}, size_t{33}, size_t{64}, size_t{128}, size_t{129}, size_t{600}}) {
      Bytes b(n);
      p.public_random(b);
      // 16 bytes of zeros would mean a wiped part of the block was served.
      EXPECT_NE(to_hex(ByteView(b).first(16)), std::string(32, '0')) << n;
      seen.insert(to_hex(ByteView(b).first(16)));
      ++requests;
    }
  }
  EXPECT_EQ(seen.size(), requests);
}

// A forked child holds a copy of its parent's block: it must not serve the
// bytes the parent serves next (the parent's next ServerHello random would
// then repeat in the child's). The test runs on a new thread, whose block is
// filled by its first draw, so both sides have bytes left in their copies.
TEST(Provider, PublicRandomInAForkedChildDiffersFromItsParent) {
  OpenSslProvider p;
  Bytes from_child(32), from_parent(32);
  bool child_ok = false;
  std::thread([&] {
    Bytes first(32);
    p.public_random(first);
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_t child = fork();
    if (child < 0) return;
    if (child == 0) {
      Bytes b(32);
      p.public_random(b);
      _exit(write(fds[1], b.data(), b.size()) == static_cast<ssize_t>(b.size()) ? 0 : 1);
    }
    close(fds[1]);
    size_t got = 0;
    while (got < from_child.size()) {
      ssize_t r = read(fds[0], from_child.data() + got, from_child.size() - got);
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    close(fds[0]);
    int status = 0;
    child_ok = waitpid(child, &status, 0) == child && WIFEXITED(status) &&
               WEXITSTATUS(status) == 0 && got == from_child.size();
    p.public_random(from_parent);
  }).join();
  ASSERT_TRUE(child_ok);
  EXPECT_NE(to_hex(from_child), to_hex(from_parent));
}

TEST(Provider, DigestIsHashUpdateFinish) {
  auto p = default_provider();
  auto h = p->hash(HashAlgorithm::sha512);
  h->update(as_bytes_view("ab"));
  h->update(as_bytes_view("c"));
  EXPECT_EQ(to_hex(p->digest(HashAlgorithm::sha512, as_bytes_view("abc"))), to_hex(h->finish()));
}

TEST(Provider, KeyTypeNames) {
  EXPECT_EQ(key_type_name(KeyType::rsa), "RSA");
  EXPECT_EQ(key_type_name(KeyType::rsa_pss), "RSASSA-PSS");
  EXPECT_EQ(key_type_name(KeyType::ec_p256), "EC P-256");
  EXPECT_EQ(key_type_name(KeyType::ec_p384), "EC P-384");
  EXPECT_EQ(key_type_name(KeyType::ec_p521), "EC P-521");
  EXPECT_EQ(key_type_name(KeyType::ed25519), "Ed25519");
}

}  // namespace
}  // namespace tessera::crypto
