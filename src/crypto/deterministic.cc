#include "crypto/deterministic.h"

namespace tessera::crypto {

DeterministicProvider::DeterministicProvider(ByteView seed) : seed_(seed.begin(), seed.end()) {}

void DeterministicProvider::push_random(ByteView bytes) {
  queue_.insert(queue_.end(), bytes.begin(), bytes.end());
}

void DeterministicProvider::random(MutableByteView out) {
  size_t i = 0;
  for (; i < out.size() && !queue_.empty(); ++i) {
    out[i] = queue_.front();
    queue_.pop_front();
  }
  for (; i < out.size(); ++i) {
    if (block_pos_ == block_.size()) {
      // block_i = SHA-256(seed || uint64_be(i))
      auto h = hash(HashAlgorithm::sha256);
      h->update(seed_);
      uint8_t ctr[8];
      for (int b = 0; b < 8; ++b) ctr[b] = static_cast<uint8_t>(counter_ >> (56 - 8 * b));
      h->update(ctr);
      block_ = h->finish();
      block_pos_ = 0;
      ++counter_;
    }
    out[i] = block_[block_pos_++];
  }
}

}  // namespace tessera::crypto
