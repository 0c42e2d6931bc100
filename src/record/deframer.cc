#include "record/deframer.h"

#include <algorithm>
#include <cstring>

namespace tessera::record {

Deframer::Deframer(size_t max_fragment_length)
    : buf_(kHeaderSize + max_fragment_length),
      capacity_limit_(max_fragment_length),
      max_fragment_(max_fragment_length) {}

void Deframer::set_max_fragment_length(size_t max_fragment_length) {
  max_fragment_ = std::min(max_fragment_length, capacity_limit_);
}

size_t Deframer::feed(ByteView data) {
  if (error_) return 0;
  // Drop the record handed out by the last next() and move what is left to
  // the front, so a whole record always fits.
  start_ += release_;
  release_ = 0;
  if (start_ == end_) {
    start_ = end_ = 0;
  } else if (start_ > 0 && buf_.size() - end_ < data.size()) {
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  size_t n = std::min(data.size(), buf_.size() - end_);
  if (n > 0) std::memcpy(buf_.data() + end_, data.data(), n);
  end_ += n;
  return n;
}

Result<std::optional<Record>> Deframer::next() {
  if (error_) return *error_;
  start_ += release_;
  release_ = 0;
  if (end_ - start_ < kHeaderSize) return std::optional<Record>();
  ByteReader reader(ByteView(buf_).subspan(start_, end_ - start_));
  Result<RecordHeader> header = parse_record_header(reader, max_fragment_);
  if (!header.ok()) {
    error_ = header.error();
    return *error_;
  }
  size_t total = kHeaderSize + header->length;
  if (end_ - start_ < total) return std::optional<Record>();
  Record rec{header->type, header->legacy_version,
             MutableByteView(buf_).subspan(start_ + kHeaderSize, header->length)};
  release_ = total;
  return std::optional<Record>(rec);
}

}  // namespace tessera::record
