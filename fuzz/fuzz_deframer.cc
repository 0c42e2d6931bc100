// fuzz/fuzz_deframer.cc — the record layer's input side: Deframer (records
// out of a byte stream fed in arbitrary chunks), the plaintext record checks,
// and HandshakeBuffer (handshake messages reassembled across records).
//
// Input: byte 0 picks the chunk size pattern and the limits, the rest is the
// stream as it would come off the socket.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "record/deframer.h"
#include "record/handshake_buffer.h"
#include "record/record.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  ByteView in(data + 1, size - 1);

  record::Deframer deframer((mode & 0x80) ? record::kMaxCiphertext13 : record::kMaxCiphertext12);
  if (mode & 0x40) deframer.set_max_fragment_length(record::kMaxCiphertext13);
  record::HandshakeBuffer hs((mode & 0x20) ? 256 : record::kDefaultMaxHandshakeMessage);
  const size_t chunk = (mode & 0x1f) == 0 ? in.size() + 1 : (mode & 0x1f);

  size_t off = 0;
  while (off < in.size()) {
    ByteView piece = in.subspan(off, std::min(chunk, in.size() - off));
    size_t took = deframer.feed(piece);
    off += took;
    bool progressed = took != 0;
    while (true) {
      auto rec = deframer.next();
      if (!rec.ok()) return 0;  // sticky error: the stream is bad
      if (!*rec) break;
      progressed = true;
      const record::Record& r = **rec;
      if (r.fragment.size() > deframer.max_fragment_length()) abort();  // limit enforced
      (void)record::check_plaintext_record(r);
      if (r.type == record::ContentType::handshake) {
        if (!hs.add(r.fragment).ok()) continue;
        while (true) {
          auto m = hs.next();
          if (!m.ok() || !*m) break;
          if ((*m)->message.size() != (*m)->body.size() + record::kHandshakeHeaderSize) abort();
        }
        (void)hs.check_key_change_boundary();
      }
    }
    // The buffer holds one maximal record, so with a valid header there is
    // always room or a record to pull: no progress would be a livelock.
    if (!progressed) abort();
  }
  (void)deframer.has_partial();
  return 0;
}
