// fuzz/fuzz_der.cc — the strict DER reader (src/x509/der.h, X.690 DER rules
// as used by RFC 5280): a generic walk of the whole TLV tree, and every typed
// read tried on each element.
#include <cstddef>
#include <cstdint>

#include "x509/der.h"
#include "x509/oid.h"
#include "x509/time.h"

using namespace tessera;
using namespace tessera::x509;

namespace {

void typed_reads(const DerElement& e) {
  // Re-read the element through each typed reader (each on a fresh reader).
  auto fresh = [&] { return DerReader(e.encoded); };
  {
    auto r = fresh();
    (void)r.read_boolean();
  }
  {
    auto r = fresh();
    (void)r.read_integer(e.tag);
  }
  {
    auto r = fresh();
    (void)r.read_small_nonnegative(1000000, e.tag);
  }
  {
    auto r = fresh();
    (void)r.read_enumerated();
  }
  {
    auto r = fresh();
    auto oid = r.read_oid();
    if (oid.ok()) (void)oid->to_string(), (void)oid_name(*oid);
  }
  {
    auto r = fresh();
    auto bits = r.read_bit_string(e.tag);
    if (bits.ok()) {
      if (bits->unused_bits > 7) std::abort();
      (void)bits->bit(bits->bit_length());
      if (bits->bit_length() > 0) (void)bits->bit(bits->bit_length() - 1);
    }
  }
  {
    auto r = fresh();
    (void)r.read_octet_string(e.tag);
  }
  {
    auto r = fresh();
    (void)r.read_null();
  }
  {
    auto r = fresh();
    (void)r.read_time();
  }
  {
    auto r = fresh();
    (void)r.read_string();
  }
  (void)parse_utc_time(e.content);
  (void)parse_generalized_time(e.content);
}

// walk reads every element of r, descending into constructed ones; the
// reader's own depth limit (kMaxDerDepth) bounds the recursion.
void walk(DerReader r, size_t& budget) {
  while (!r.empty() && budget > 0) {
    --budget;
    auto tag = r.peek_tag();
    if (!tag) std::abort();  // not empty, so there is a tag
    if (*tag & 0x20) {
      DerReader copy = r;
      auto any = copy.read_any();
      auto inner = r.read_constructed(*tag);
      if (!inner.ok()) return;
      if (!any.ok()) std::abort();  // read_constructed accepted what read_any refused
      walk(*inner, budget);
    } else {
      auto e = r.read_any();
      if (!e.ok()) return;
      if (e->encoded.size() < e->content.size() + 2) std::abort();
      typed_reads(*e);
    }
  }
  (void)r.expect_end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t budget = 4096;
  walk(DerReader(ByteView(data, size)), budget);
  return 0;
}
