// crypto/ffdhe.h — the RFC 7919 finite-field Diffie-Hellman groups as
// parameters: the primes (generator 2), for the TLS 1.2 ServerKeyExchange,
// which sends p and g explicitly, and for recognising them in one.
#pragma once

#include <optional>

#include "base/bytes.h"
#include "tessera/algorithms.h"

namespace tessera::crypto {

// RFC 7919 appendix A: p of ffdhe2048/3072/4096 in hexadecimal.
extern const char kFfdhe2048PrimeHex[];
extern const char kFfdhe3072PrimeHex[];
extern const char kFfdhe4096PrimeHex[];

// ffdhe_prime returns p (big-endian, no leading zeros) of an ffdhe group, or
// empty for any other group. The generator of every RFC 7919 group is 2.
Bytes ffdhe_prime(NamedGroup g);

// identify_ffdhe_group returns the named group whose p and g these are
// (leading zero bytes ignored), or nullopt for a custom group.
std::optional<NamedGroup> identify_ffdhe_group(ByteView p, ByteView g);

// bit_length returns the number of significant bits of a big-endian integer.
size_t bit_length(ByteView v);

}  // namespace tessera::crypto
