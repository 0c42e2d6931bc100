// Tests for crypto/transcript against the RFC 8448 traces: section 3 (simple
// 1-RTT) and section 5 (HelloRetryRequest, RFC 8446 4.4.1 message_hash rule).
// The message bytes live in tests/vectors/record/rfc8448_*.hex (copied from
// the RFC by tests/vectors/record/extract_rfc8448.py); the expected hashes
// are the "hash" inputs the trace prints for the Derive-Secret steps.
#include "crypto/transcript.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "base/hex.h"

namespace tessera::crypto {
namespace {

Bytes load(const std::string& name) {
  std::string path = std::string(TESSERA_TEST_DATA_DIR) + "/record/rfc8448_" + name + ".hex";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  auto b = from_hex(ss.str());
  EXPECT_TRUE(b.has_value()) << path;
  return b.value_or(Bytes{});
}

std::string hash_hex(const Transcript& t) {
  auto r = t.current_hash();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return r.ok() ? to_hex(*r) : std::string();
}

class TranscriptTest : public ::testing::Test {
 protected:
  std::shared_ptr<Provider> provider_ = default_provider();
};

TEST_F(TranscriptTest, Rfc8448Section3Hashes) {
  Transcript t;
  // The ClientHello arrives before the suite (and hash) is known.
  t.add(load("s3_client_hello"));
  EXPECT_FALSE(t.has_hash());
  auto early = t.current_hash();
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::internal_error);

  ASSERT_TRUE(t.select_hash(*provider_, HashAlgorithm::sha256).ok());
  EXPECT_TRUE(t.has_hash());
  t.add(load("s3_server_hello"));
  // "tls13 c hs traffic" hash: ClientHello..ServerHello.
  EXPECT_EQ(hash_hex(t), "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");
  // Taking a snapshot does not disturb the running hash.
  EXPECT_EQ(hash_hex(t), "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");

  t.add(load("s3_encrypted_extensions"));
  t.add(load("s3_certificate"));
  t.add(load("s3_certificate_verify"));
  t.add(load("s3_server_finished"));
  // "tls13 c ap traffic" hash: ClientHello..server Finished.
  EXPECT_EQ(hash_hex(t), "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13");
  t.add(load("s3_client_finished"));
  // "tls13 res master" hash: ClientHello..client Finished.
  EXPECT_EQ(hash_hex(t), "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d");
}

TEST_F(TranscriptTest, CurrentHashWithDoesNotAdd) {
  Transcript a;
  ASSERT_TRUE(a.select_hash(*provider_, HashAlgorithm::sha256).ok());
  a.add(load("s3_client_hello"));
  Bytes sh = load("s3_server_hello");
  auto with = a.current_hash_with(sh);
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(to_hex(*with), "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");
  // Nothing was added: the hash is still that of the ClientHello alone.
  EXPECT_EQ(hash_hex(a), to_hex(provider_->digest(HashAlgorithm::sha256, load("s3_client_hello"))));
}

TEST_F(TranscriptTest, Rfc8448Section5HelloRetryRequest) {
  Transcript t;
  t.add(load("s5_client_hello1"));
  // The HelloRetryRequest fixes the suite (TLS_AES_128_GCM_SHA256).
  ASSERT_TRUE(t.select_hash(*provider_, HashAlgorithm::sha256).ok());
  ASSERT_TRUE(t.replace_with_message_hash().ok());
  t.add(load("s5_hello_retry_request"));
  t.add(load("s5_client_hello2"));
  t.add(load("s5_server_hello"));
  // RFC 8448 5 "tls13 c hs traffic" hash.
  EXPECT_EQ(hash_hex(t), "8aa8e828ec2f8a884fec95a3139de01c15a3daa7ff5bfc3f4bfcc21b438d7bf8");
  t.add(load("s5_encrypted_extensions"));
  t.add(load("s5_certificate"));
  t.add(load("s5_certificate_verify"));
  t.add(load("s5_server_finished"));
  // RFC 8448 5 "tls13 c ap traffic" hash.
  EXPECT_EQ(hash_hex(t), "50f63cbf36b0dd049e7a0ba27d6455745ea2aaac54bb167f9950b2b7ce9509da");
  t.add(load("s5_client_finished"));
  // RFC 8448 5 "tls13 res master" hash.
  EXPECT_EQ(hash_hex(t), "0e8b349158b855fdcd0c11dbbc4e83e43caa6e483c6c65df53151888e50165f4");
}

TEST_F(TranscriptTest, Rfc8448Section5WithoutTheRuleGivesADifferentHash) {
  // Guard: hashing ClientHello1 directly (forgetting the message_hash rule)
  // must not produce the trace's value.
  Transcript t;
  ASSERT_TRUE(t.select_hash(*provider_, HashAlgorithm::sha256).ok());
  t.add(load("s5_client_hello1"));
  t.add(load("s5_hello_retry_request"));
  t.add(load("s5_client_hello2"));
  t.add(load("s5_server_hello"));
  EXPECT_NE(hash_hex(t), "8aa8e828ec2f8a884fec95a3139de01c15a3daa7ff5bfc3f4bfcc21b438d7bf8");
}

TEST_F(TranscriptTest, StartFromMessageHashMatchesReplace) {
  // A stateless server rebuilds the transcript from Hash(ClientHello1).
  Bytes ch1_hash = provider_->digest(HashAlgorithm::sha256, load("s5_client_hello1"));
  Transcript t;
  ASSERT_TRUE(t.select_hash(*provider_, HashAlgorithm::sha256).ok());
  ASSERT_TRUE(t.start_from_message_hash(ch1_hash).ok());
  t.add(load("s5_hello_retry_request"));
  t.add(load("s5_client_hello2"));
  t.add(load("s5_server_hello"));
  EXPECT_EQ(hash_hex(t), "8aa8e828ec2f8a884fec95a3139de01c15a3daa7ff5bfc3f4bfcc21b438d7bf8");

  // A hash of the wrong length, or a transcript that already has messages, is refused.
  Transcript u;
  ASSERT_TRUE(u.select_hash(*provider_, HashAlgorithm::sha256).ok());
  EXPECT_FALSE(u.start_from_message_hash(ByteView(ch1_hash).first(20)).ok());
  u.add(load("s5_client_hello1"));
  EXPECT_FALSE(u.start_from_message_hash(ch1_hash).ok());
}

TEST_F(TranscriptTest, MisuseIsReported) {
  Transcript t;
  EXPECT_FALSE(t.replace_with_message_hash().ok());  // no hash yet
  ASSERT_TRUE(t.select_hash(*provider_, HashAlgorithm::sha256).ok());
  EXPECT_FALSE(t.replace_with_message_hash().ok());                     // nothing added
  EXPECT_FALSE(t.select_hash(*provider_, HashAlgorithm::sha384).ok());  // twice
}

TEST_F(TranscriptTest, Sha384AndRetainedMessages) {
  Bytes ch = load("s3_client_hello");
  Bytes sh = load("s3_server_hello");
  Transcript t;
  t.retain_messages();
  t.add(ch);
  ASSERT_TRUE(t.select_hash(*provider_, HashAlgorithm::sha384).ok());
  t.add(sh);
  Bytes all = ch;
  all.insert(all.end(), sh.begin(), sh.end());
  EXPECT_EQ(hash_hex(t), to_hex(provider_->digest(HashAlgorithm::sha384, all)));
  EXPECT_EQ(to_hex(t.retained_messages()), to_hex(all));

  // Without retain_messages, nothing is kept once the hash is selected.
  Transcript u;
  u.add(ch);
  ASSERT_TRUE(u.select_hash(*provider_, HashAlgorithm::sha384).ok());
  u.add(sh);
  EXPECT_TRUE(u.retained_messages().empty());
}

}  // namespace
}  // namespace tessera::crypto
