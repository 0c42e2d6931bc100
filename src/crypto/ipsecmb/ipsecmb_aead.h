// crypto/ipsecmb/ipsecmb_aead.h — AES-GCM and ChaCha20-Poly1305 over Intel's
// Multi-Buffer Crypto for IPsec library (intel-ipsec-mb). The only code that includes
// <intel-ipsec-mb.h> is crypto/ipsecmb/aead.cc; when the library is left out
// of the build (-DTESSERA_IPSEC_MB=OFF) crypto/aead_backend.cc defines these
// two functions as "not built". Callers choose the backend through
// crypto/aead_backend.h and OpenSslProvider, not by calling this directly
// (tests and benchmarks excepted).
#pragma once

#include <memory>

#include "crypto/aead_backend.h"
#include "crypto/provider.h"

namespace tessera::crypto {

// ipsec_mb_detect allocates one multi-buffer manager, lets the library's CPU
// detection (init_mb_mgr_auto) pick its code path and reports it. Called once
// per process by ipsec_mb_status(); the manager lives until exit and is only
// read afterwards (the direct GCM and ChaCha20-Poly1305 APIs are a table of
// function pointers).
IpsecMbStatus ipsec_mb_detect();

// ipsec_mb_aead keys an AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305 Aead
// (for GCM the key schedule and GHASH key powers are computed once; keys are
// held in the object and wiped on destruction), on whatever code path the
// library picked: aead_backend_supports() says which AEADs the backend
// actually uses. unsupported_algorithm when ipsec-mb is not usable here;
// internal_error for a key of the wrong length.
Result<std::unique_ptr<Aead>> ipsec_mb_aead(AeadAlgorithm alg, ByteView key);

}  // namespace tessera::crypto
