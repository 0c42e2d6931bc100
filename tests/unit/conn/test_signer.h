// test_signer.h — a KeySigner over a test PKI key, for the signer tests
// of the connection and of the blocking Stream.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "pair.h"
#include "tessera/signer.h"

namespace tessera::testing {

// TestSigner holds a key from the test PKI as an HSM would, counts its
// signatures, and can be told to fail or to return a corrupted signature,
// or to declare itself asynchronous (KeySigner::asynchronous).
class TestSigner final : public KeySigner {
 public:
  enum class Fault { none, error, corrupt };
  TestSigner(const std::string& key_file, std::vector<SignatureScheme> schemes)
      : schemes_(std::move(schemes)) {
    auto k = crypto::default_provider()->load_private_key(as_bytes_view(read_pki(key_file)));
    EXPECT_TRUE(k.ok()) << key_file;
    if (k.ok()) key_ = std::move(*k);
  }
  std::vector<SignatureScheme> schemes() const override { return schemes_; }
  bool asynchronous() const override { return async; }
  Result<std::vector<uint8_t>> sign(SignatureScheme scheme,
                                    std::span<const uint8_t> message) const override {
    ++calls;
    last_scheme = scheme;
    if (fault == Fault::error) return Error(ErrorCode::io_error, "HSM unreachable");
    TESSERA_ASSIGN_OR_RETURN(Bytes sig, key_->sign(scheme, message));
    if (fault == Fault::corrupt) sig[sig.size() / 2] ^= 0x01;
    return sig;
  }

  mutable std::atomic<int> calls{0};
  mutable std::atomic<SignatureScheme> last_scheme{SignatureScheme::rsa_pkcs1_sha1};
  std::atomic<Fault> fault{Fault::none};
  std::atomic<bool> async{false};

 private:
  std::vector<SignatureScheme> schemes_;
  std::unique_ptr<crypto::PrivateKey> key_;
};

inline std::shared_ptr<const Credential> signer_credential(
    const std::string& base, std::shared_ptr<const KeySigner> signer) {
  auto c = Credential::from_signer(read_pki(base + ".pem"), std::move(signer));
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().to_string());
  return c.ok() ? std::make_shared<const Credential>(std::move(*c)) : nullptr;
}

}  // namespace tessera::testing
