// crypto/aead_backend.h — which code performs the AEAD of record protection.
//
// Two backends exist:
//   - libcrypto: OpenSSL 3 EVP (crypto/openssl/aead.cc), always built, every
//     AEAD;
//   - ipsec-mb: Intel's Multi-Buffer Crypto for IPsec library
//     (crypto/ipsecmb/), built when the library is found and the CMake option
//     TESSERA_IPSEC_MB is ON (the default): AES-128-GCM and AES-256-GCM, and
//     ChaCha20-Poly1305 where the library runs its AVX-512 VAES code (the
//     fast path below; there it beats libcrypto's; on AVX2 it does not, and
//     ChaCha20-Poly1305 stays on libcrypto: bench/RESULTS.md).
//
// The choice is made once per process (default_aead_backend()) and can be
// fixed per provider (OpenSslProvider(AeadBackend)). Automatic choice: ipsec-mb
// when its CPU detection picked the AVX-512 code (VAES + VPCLMULQDQ, where it
// is several times faster than libcrypto), libcrypto otherwise (on AVX2 CPUs
// the two are within a few percent). The environment variable
// TESSERA_AEAD_BACKEND=libcrypto|ipsec-mb|auto overrides the automatic choice,
// for tests and benchmarks; a request for ipsec-mb when it is not built in or
// cannot run falls back to libcrypto and says so in the reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tessera/algorithms.h"

namespace tessera::crypto {

enum class AeadBackend : uint8_t { libcrypto, ipsec_mb };

// aead_backend_name: "libcrypto" or "ipsec-mb" (the spelling
// TESSERA_AEAD_BACKEND accepts).
std::string_view aead_backend_name(AeadBackend b);
// parse_aead_backend accepts those names; anything else is nullopt.
std::optional<AeadBackend> parse_aead_backend(std::string_view s);

// What this process can do with ipsec-mb, detected once.
struct IpsecMbStatus {
  bool built = false;        // compiled in (TESSERA_IPSEC_MB=ON and library found)
  bool usable = false;       // a manager was initialised on this CPU (AES-NI present)
  std::string_view version;  // library version, e.g. "1.3.0"
  std::string_view arch;     // code path its detection picked: sse, avx, avx2, avx512
  bool fast_path = false;    // arch is avx512 with VAES and VPCLMULQDQ
};
const IpsecMbStatus& ipsec_mb_status();

// aead_backend_supports says whether b runs alg on this machine (a provider
// on the ipsec-mb backend takes the other AEADs from libcrypto).
bool aead_backend_supports(AeadBackend b, AeadAlgorithm alg);

struct AeadBackendChoice {
  AeadBackend backend = AeadBackend::libcrypto;
  std::string reason;  // one line, for traces and `tessera bench`
};
// choose_aead_backend applies a request ("", "auto", "libcrypto", "ipsec-mb";
// anything else is treated as auto and named in the reason) to this machine.
// The reason does not name where the request came from.
AeadBackendChoice choose_aead_backend(std::string_view request);
// default_aead_backend is choose_aead_backend(getenv("TESSERA_AEAD_BACKEND")),
// evaluated once per process; when the variable is set the reason starts
// with "TESSERA_AEAD_BACKEND: ".
const AeadBackendChoice& default_aead_backend();

}  // namespace tessera::crypto
