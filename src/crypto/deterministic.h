// crypto/deterministic.h — DeterministicProvider: the OpenSSL provider with
// scripted randomness. FOR TESTS AND FUZZING ONLY: its "random" bytes are
// predictable by construction, so it must never protect real traffic.
//
// random() first serves bytes queued with push_random(), in order; once the
// queue is empty it continues with a stream derived from the seed:
//   block_i = SHA-256(seed || uint64_be(i)),  i = 0, 1, 2, ...
// Two providers built from the same seed with the same pushes produce the
// same bytes, hence the same key shares (every ephemeral private key is drawn
// through random(); see crypto/openssl/openssl_provider.h). To replay RFC 8448
// section 3 as the client, push the ClientHello random and then the client's
// X25519 private key.
//
// Signatures (ECDSA nonces, PSS salts) and RSA encryption padding still use
// libcrypto's DRBG and are therefore not reproducible. Unlike OpenSslProvider,
// a DeterministicProvider has mutable state: use it from one thread at a time.
#pragma once

#include <deque>

#include "crypto/openssl/openssl_provider.h"

namespace tessera::crypto {

class DeterministicProvider : public OpenSslProvider {
 public:
  // seed may be empty.
  explicit DeterministicProvider(ByteView seed = {});

  std::string_view name() const override { return "deterministic (tests only)"; }
  void random(MutableByteView out) override;
  // public_random is random(): one script serves both.
  void public_random(MutableByteView out) override { random(out); }

  // push_random queues exact bytes to be served by the next random() calls
  // before the seeded stream resumes. A random() call may take part of the
  // queue and continue into the stream.
  void push_random(ByteView bytes);
  // queued returns how many pushed bytes have not been served yet.
  size_t queued() const { return queue_.size(); }

 private:
  Bytes seed_;
  std::deque<uint8_t> queue_;
  Bytes block_;  // current stream block
  size_t block_pos_ = 0;
  uint64_t counter_ = 0;
};

}  // namespace tessera::crypto
