#include "base/secret.h"

#include <cstring>

namespace tessera {

void secure_wipe(void* p, size_t n) {
  if (p == nullptr || n == 0) return;
  // explicit_bzero (glibc) is guaranteed not to be optimised away.
  explicit_bzero(p, n);
}

SecretBytes::SecretBytes(size_t n) : data_(n ? new uint8_t[n]() : nullptr), size_(n) {}

SecretBytes::SecretBytes(std::span<const uint8_t> d)
    : data_(d.empty() ? nullptr : new uint8_t[d.size()]), size_(d.size()) {
  if (!d.empty()) std::memcpy(data_.get(), d.data(), d.size());
}

SecretBytes& SecretBytes::operator=(SecretBytes&& o) noexcept {
  if (this != &o) {
    clear();
    data_ = std::move(o.data_);
    size_ = o.size_;
    o.size_ = 0;
  }
  return *this;
}

void SecretBytes::clear() {
  secure_wipe(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

}  // namespace tessera
