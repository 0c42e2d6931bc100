#include "crypto/aead_backend.h"

#include <cstdlib>

#include "crypto/ipsecmb/ipsecmb_aead.h"

namespace tessera::crypto {

#if !TESSERA_HAVE_IPSEC_MB
// Built without ipsec-mb (-DTESSERA_IPSEC_MB=OFF or library not found).
IpsecMbStatus ipsec_mb_detect() { return IpsecMbStatus{}; }
Result<std::unique_ptr<Aead>> ipsec_mb_aead(AeadAlgorithm, ByteView) {
  return Error(ErrorCode::unsupported_algorithm,
               "tessera was built without the ipsec-mb AEAD backend");
}
#endif

std::string_view aead_backend_name(AeadBackend b) {
  switch (b) {
    case AeadBackend::libcrypto: return "libcrypto";
    case AeadBackend::ipsec_mb: return "ipsec-mb";
  }
  return "unknown";
}

std::optional<AeadBackend> parse_aead_backend(std::string_view s) {
  if (s == "libcrypto") return AeadBackend::libcrypto;
  if (s == "ipsec-mb") return AeadBackend::ipsec_mb;
  return std::nullopt;
}

const IpsecMbStatus& ipsec_mb_status() {
  static const IpsecMbStatus kStatus = ipsec_mb_detect();
  return kStatus;
}

bool aead_backend_supports(AeadBackend b, AeadAlgorithm alg) {
  if (b == AeadBackend::libcrypto) return true;
  const IpsecMbStatus& s = ipsec_mb_status();
  if (!s.usable) return false;
  // ChaCha20-Poly1305 only on the AVX-512 VAES code path (fast_path), where
  // it was measured to beat libcrypto's (~1.24x on 16 KiB records, an AVX-512
  // CPU with VAES and IFMA); on AVX2 it is slower (bench/RESULTS.md), and
  // AVX-512 CPUs without VAES (Skylake-SP, Cascade Lake: no IFMA either, which
  // its Poly1305 uses) were not measured.
  if (alg == AeadAlgorithm::chacha20_poly1305) return s.fast_path;
  return alg == AeadAlgorithm::aes_128_gcm || alg == AeadAlgorithm::aes_256_gcm;
}

AeadBackendChoice choose_aead_backend(std::string_view request) {
  const IpsecMbStatus& s = ipsec_mb_status();
  const std::string detected =
      s.built ? (s.usable ? "ipsec-mb " + std::string(s.version) + " picked its " +
                                std::string(s.arch) + " code"
                          : "ipsec-mb " + std::string(s.version) + " cannot run on this CPU")
              : std::string("ipsec-mb not built in");
  std::optional<AeadBackend> want = parse_aead_backend(request);
  std::string prefix;
  if (!request.empty() && request != "auto" && !want) {
    prefix = "\"" + std::string(request) + "\" not understood; ";
  }
  if (want == AeadBackend::libcrypto) {
    return {AeadBackend::libcrypto, "libcrypto forced (" + detected + ")"};
  }
  if (want == AeadBackend::ipsec_mb) {
    if (s.usable) return {AeadBackend::ipsec_mb, "ipsec-mb forced (" + detected + ")"};
    return {AeadBackend::libcrypto, "ipsec-mb requested but unavailable (" + detected + ")"};
  }
  if (s.fast_path) {
    return {AeadBackend::ipsec_mb, prefix + "automatic: " + detected + " (VAES, VPCLMULQDQ)"};
  }
  return {AeadBackend::libcrypto,
          prefix + "automatic: " + detected +
              (s.usable ? ", not the AVX-512 VAES path where it beats libcrypto" : "")};
}

const AeadBackendChoice& default_aead_backend() {
  static const AeadBackendChoice kChoice = [] {
    const char* env = std::getenv("TESSERA_AEAD_BACKEND");
    AeadBackendChoice c = choose_aead_backend(env ? env : "");
    if (env != nullptr && *env != '\0') c.reason = "TESSERA_AEAD_BACKEND: " + c.reason;
    return c;
  }();
  return kChoice;
}

}  // namespace tessera::crypto
