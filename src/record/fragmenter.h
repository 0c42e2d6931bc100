// record/fragmenter.h — splitting outgoing data into records.
//
// RFC 8446 5.1 / RFC 5246 6.2.1: the record layer fragments data into
// TLSPlaintext records carrying 2^14 bytes or less. Handshake messages may be
// coalesced into one record or split across several; application data is
// split the same way. A smaller limit can be set (RFC 8449 record_size_limit).
#pragma once

#include <cstddef>

#include "base/bytes.h"
#include "record/protection.h"
#include "record/record.h"
#include "tessera/result.h"

namespace tessera::record {

struct FragmentOptions {
  // Largest plaintext per record, 1..2^14. For RFC 8449 record_size_limit in
  // TLS 1.3, pass limit - 1 (the limit counts the inner content type).
  size_t max_fragment = kMaxPlaintext;
  // legacy_record_version of unprotected records (0x0301 is allowed for an
  // initial ClientHello, RFC 8446 5.1). Protected records always use 0x0303.
  uint16_t legacy_version = kRecordVersion;
  // TLS 1.3 only: zero bytes of padding added to each protected record.
  size_t padding = 0;
};

// write_records splits `data` into records of at most options.max_fragment
// bytes of `type` and appends them to `out`: sealed with `protection` when
// it is not null, unprotected otherwise. Empty data writes nothing (RFC 8446
// 5.1 forbids zero-length handshake fragments; an empty application_data
// record has no use). internal_error for a max_fragment outside 1..2^14;
// otherwise the errors of RecordProtection::seal. On error `out` may hold
// the records written before it.
Result<void> write_records(RecordProtection* protection, ContentType type, ByteView data,
                           Bytes& out, const FragmentOptions& options = {});

}  // namespace tessera::record
