// base/secret.h — SecretBytes: key material that is wiped when it dies.
//
// SecretBytes owns a heap buffer that is zeroized on destruction, on
// assignment and when moved from (the moved-from object is left empty). It
// has no operator== (compare with ct_equal from base/ct.h) and no printing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace tessera {

// secure_wipe zeroizes memory in a way the compiler may not elide.
void secure_wipe(void* p, size_t n);

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n);  // n zero bytes
  explicit SecretBytes(std::span<const uint8_t> data);
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept : data_(std::move(o.data_)), size_(o.size_) { o.size_ = 0; }
  SecretBytes& operator=(SecretBytes&& o) noexcept;
  ~SecretBytes() { clear(); }

  // copy makes an explicit deep copy (copies of secrets should be visible).
  SecretBytes copy() const { return SecretBytes(view()); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  std::span<const uint8_t> view() const { return {data_.get(), size_}; }
  std::span<uint8_t> mutable_view() { return {data_.get(), size_}; }

  // clear wipes and releases the buffer.
  void clear();

 private:
  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

}  // namespace tessera
