#include "x509/der_writer.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <vector>

namespace tessera::x509 {

Bytes der_length_octets(size_t n) {
  Bytes out;
  // X.690 10.1: short form below 128, otherwise the minimal long form.
  if (n < 128) {
    out.push_back(static_cast<uint8_t>(n));
    return out;
  }
  uint8_t tmp[sizeof(size_t)];
  size_t k = 0;
  while (n != 0) {
    tmp[k++] = static_cast<uint8_t>(n & 0xff);
    n >>= 8;
  }
  out.push_back(static_cast<uint8_t>(0x80 | k));
  while (k-- > 0) out.push_back(tmp[k]);
  return out;
}

void DerWriter::close(size_t at, uint8_t t) {
  Bytes header = der_length_octets(buf_.size() - at);
  header.insert(header.begin(), t);
  buf_.insert(buf_.begin() + static_cast<std::ptrdiff_t>(at), header.begin(), header.end());
}

void DerWriter::sort_elements(size_t at) {
  ByteView written = ByteView(buf_).subspan(at);
  std::vector<Bytes> elements;
  DerReader r(written);
  while (!r.empty()) {
    Result<DerElement> e = r.read_any();
    assert(e.ok());  // we wrote them
    if (!e) return;
    elements.emplace_back(e->encoded.begin(), e->encoded.end());
  }
  std::sort(elements.begin(), elements.end());
  buf_.resize(at);
  for (const Bytes& e : elements) raw(e);
}

void DerWriter::element(uint8_t t, ByteView content) {
  buf_.push_back(t);
  Bytes len = der_length_octets(content.size());
  buf_.insert(buf_.end(), len.begin(), len.end());
  buf_.insert(buf_.end(), content.begin(), content.end());
}

void DerWriter::boolean(bool v) {
  const uint8_t b = v ? 0xff : 0x00;
  element(tag::kBoolean, ByteView(&b, 1));
}

void DerWriter::integer(int64_t v, uint8_t t) {
  uint8_t bytes[8];
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;  // arithmetic shift keeps the sign
  }
  size_t start = 0;
  // X.690 8.3.2: drop leading octets while the first nine bits are all equal.
  while (start < 7 && ((bytes[start] == 0x00 && !(bytes[start + 1] & 0x80)) ||
                       (bytes[start] == 0xff && (bytes[start + 1] & 0x80)))) {
    ++start;
  }
  element(t, ByteView(bytes + start, 8 - start));
}

void DerWriter::unsigned_integer(ByteView magnitude, uint8_t t) {
  size_t start = 0;
  while (start < magnitude.size() && magnitude[start] == 0) ++start;
  Bytes content;
  if (start == magnitude.size() || (magnitude[start] & 0x80)) content.push_back(0);
  content.insert(content.end(), magnitude.begin() + static_cast<std::ptrdiff_t>(start),
                 magnitude.end());
  element(t, content);
}

void DerWriter::bit_string(ByteView bytes, uint8_t unused_bits) {
  Bytes content;
  content.push_back(bytes.empty() ? 0 : unused_bits);
  content.insert(content.end(), bytes.begin(), bytes.end());
  element(tag::kBitString, content);
}

void DerWriter::named_bits(uint32_t bits) {
  // X.690 11.2.2: trailing zero bits of a NamedBitList are removed.
  int highest = -1;
  for (int i = 0; i < 32; ++i) {
    if (bits & (1u << i)) highest = i;
  }
  if (highest < 0) {
    bit_string({}, 0);
    return;
  }
  size_t nbytes = static_cast<size_t>(highest) / 8 + 1;
  Bytes out(nbytes, 0);
  for (int i = 0; i <= highest; ++i) {
    if (bits & (1u << i)) out[static_cast<size_t>(i) / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  bit_string(out, static_cast<uint8_t>(7 - highest % 8));
}

void DerWriter::time(UnixTime t) {
  Result<EncodedTime> e = encode_x509_time(t);
  assert(e.ok());
  if (!e) return;
  string(e->tag, e->text);
}

void DerWriter::generalized_time(UnixTime t) {
  CivilTime c = civil_from_unix(t);
  assert(c.year >= 0 && c.year <= 9999);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02dZ", static_cast<int>(c.year), c.month,
                c.day, c.hour, c.minute, c.second);
  string(tag::kGeneralizedTime, buf);
}

}  // namespace tessera::x509
