// AES-128-GCM and AES-256-GCM (NIST SP 800-38D, as used by RFC 5288 and
// RFC 8446 5.2) over intel-ipsec-mb's direct GCM API, and ChaCha20-Poly1305
// (RFC 8439) over its direct ChaCha20-Poly1305 API. GCM seal and open are one
// library call each (open_from too; seal_from: init, two updates, finalize);
// ChaCha20-Poly1305 is always init, updates, finalize. The per-operation
// state lives on the stack and is wiped after use; the key (expanded, for
// GCM) lives in the Aead and is wiped on destruction.
#include <intel-ipsec-mb.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "base/ct.h"
#include "base/secret.h"
#include "crypto/ipsecmb/ipsecmb_aead.h"

namespace tessera::crypto {
namespace {

// The manager, created once. After init_mb_mgr_auto it is never written: the
// GCM entry points are function pointers in it that take no manager, so it is
// shared by all threads.
struct Manager {
  IMB_MGR* mgr = nullptr;
  IMB_ARCH arch = IMB_ARCH_NONE;
};

const Manager& manager() {
  static const Manager kManager = [] {
    Manager m;
    m.mgr = alloc_mb_mgr(0);
    if (m.mgr == nullptr) return m;
    init_mb_mgr_auto(m.mgr, &m.arch);
    if (imb_get_errno(m.mgr) != 0 || m.arch == IMB_ARCH_NONE || m.arch == IMB_ARCH_NOAESNI) {
      // No AES-NI (or no usable code path): libcrypto stays in charge.
      free_mb_mgr(m.mgr);
      m.mgr = nullptr;
    }
    return m;
  }();
  return kManager;
}

std::string_view arch_name(IMB_ARCH a) {
  switch (a) {
    case IMB_ARCH_NOAESNI: return "noaesni";
    case IMB_ARCH_SSE: return "sse";
    case IMB_ARCH_AVX: return "avx";
    case IMB_ARCH_AVX2: return "avx2";
    case IMB_ARCH_AVX512: return "avx512";
    default: return "none";
  }
}

// A non-null pointer for empty inputs (the library's parameter checks refuse
// null buffers even for zero lengths in some builds).
alignas(16) const uint8_t kEmpty[16] = {};
const uint8_t* ptr(ByteView v) { return v.empty() ? kEmpty : v.data(); }
uint8_t* ptr(MutableByteView v) { return v.empty() ? const_cast<uint8_t*>(kEmpty) : v.data(); }

// Wipes the per-operation state (GCM: counter, GHASH accumulator, partial
// keystream block; ChaCha20-Poly1305: the Poly1305 key and accumulator, the
// last keystream block) when it goes out of scope.
template <class Context>
struct Wiped {
  Context c;
  ~Wiped() { secure_wipe(&c, sizeof c); }
};
using WipedContext = Wiped<gcm_context_data>;

Result<void> check_sizes(AeadAlgorithm alg, ByteView nonce, size_t tag_size) {
  if (nonce.size() != Aead::kNonceSize) {
    return Error(ErrorCode::internal_error, std::string(aead_name(alg)) + ": nonce is " +
                                                std::to_string(nonce.size()) +
                                                " bytes, expected 12");
  }
  if (tag_size != Aead::kTagSize) {
    return Error(ErrorCode::internal_error, std::string(aead_name(alg)) + ": tag buffer is " +
                                                std::to_string(tag_size) + " bytes, expected 16");
  }
  return ok();
}

// check_tag ends an open: RFC 5116 2.2, if the tag does not verify, the
// decryption fails and no plaintext is released. The comparison is constant
// time; the computed tag is wiped, and on failure so are the decrypted bytes,
// so a caller that ignores the error sees nothing.
Result<void> check_tag(AeadAlgorithm alg, uint8_t (&computed)[Aead::kTagSize], ByteView tag,
                       MutableByteView out) {
  const bool good = ct_equal(ByteView(computed, Aead::kTagSize), tag);
  secure_wipe(computed, sizeof computed);
  if (!good) {
    secure_wipe(out.data(), out.size());
    return Error(ErrorCode::bad_record_mac, AlertDescription::bad_record_mac,
                 std::string(aead_name(alg)) + ": authentication tag mismatch");
  }
  return ok();
}

class IpsecMbGcm final : public Aead {
 public:
  IpsecMbGcm(AeadAlgorithm alg, const IMB_MGR* mgr, ByteView key) : alg_(alg), mgr_(mgr) {
    expand(key);
  }
  ~IpsecMbGcm() override { secure_wipe(&key_, sizeof key_); }
  IpsecMbGcm(const IpsecMbGcm&) = delete;
  IpsecMbGcm& operator=(const IpsecMbGcm&) = delete;

  AeadAlgorithm algorithm() const override { return alg_; }
  std::string_view implementation() const override { return "ipsec-mb"; }

  Result<void> seal(ByteView nonce, ByteView aad, MutableByteView data,
                    MutableByteView tag) override {
    TESSERA_TRY(check_sizes(alg_, nonce, tag.size()));
    WipedContext ctx;
    if (aes128()) {
      IMB_AES128_GCM_ENC(mgr_, &key_, &ctx.c, ptr(data), ptr(data), data.size(), nonce.data(),
                         ptr(aad), aad.size(), tag.data(), kTagSize);
    } else {
      IMB_AES256_GCM_ENC(mgr_, &key_, &ctx.c, ptr(data), ptr(data), data.size(), nonce.data(),
                         ptr(aad), aad.size(), tag.data(), kTagSize);
    }
    return ok();
  }

  Result<void> open(ByteView nonce, ByteView aad, MutableByteView data, ByteView tag) override {
    return do_open_from(nonce, aad, data, tag, data);
  }

  bool rekey(ByteView key) override {
    if (key.size() != aead_key_length(alg_)) return false;
    expand(key);
    return true;
  }

 protected:
  Result<void> do_seal_from(ByteView nonce, ByteView aad, ByteView head, ByteView tail,
                            MutableByteView out, MutableByteView tag) override {
    TESSERA_TRY(check_sizes(alg_, nonce, tag.size()));
    // The updates carry a partial block over from head to tail, so any split
    // gives the ciphertext of head || tail. tail may already be at its place
    // in out (in place) or elsewhere; head never overlaps out.
    WipedContext ctx;
    uint8_t* tail_out = out.data() + head.size();
    if (aes128()) {
      IMB_AES128_GCM_INIT(mgr_, &key_, &ctx.c, nonce.data(), ptr(aad), aad.size());
      if (!head.empty())
        IMB_AES128_GCM_ENC_UPDATE(mgr_, &key_, &ctx.c, out.data(), head.data(), head.size());
      if (!tail.empty())
        IMB_AES128_GCM_ENC_UPDATE(mgr_, &key_, &ctx.c, tail_out, tail.data(), tail.size());
      IMB_AES128_GCM_ENC_FINALIZE(mgr_, &key_, &ctx.c, tag.data(), kTagSize);
    } else {
      IMB_AES256_GCM_INIT(mgr_, &key_, &ctx.c, nonce.data(), ptr(aad), aad.size());
      if (!head.empty())
        IMB_AES256_GCM_ENC_UPDATE(mgr_, &key_, &ctx.c, out.data(), head.data(), head.size());
      if (!tail.empty())
        IMB_AES256_GCM_ENC_UPDATE(mgr_, &key_, &ctx.c, tail_out, tail.data(), tail.size());
      IMB_AES256_GCM_ENC_FINALIZE(mgr_, &key_, &ctx.c, tag.data(), kTagSize);
    }
    return ok();
  }

  // do_open_from serves open (in place) and open_from: one library call reads
  // the ciphertext where it is and writes the plaintext to out.
  Result<void> do_open_from(ByteView nonce, ByteView aad, ByteView in, ByteView tag,
                            MutableByteView out) override {
    TESSERA_TRY(check_sizes(alg_, nonce, tag.size()));
    WipedContext ctx;
    uint8_t computed[kTagSize];
    if (aes128()) {
      IMB_AES128_GCM_DEC(mgr_, &key_, &ctx.c, ptr(out), ptr(in), in.size(), nonce.data(), ptr(aad),
                         aad.size(), computed, kTagSize);
    } else {
      IMB_AES256_GCM_DEC(mgr_, &key_, &ctx.c, ptr(out), ptr(in), in.size(), nonce.data(), ptr(aad),
                         aad.size(), computed, kTagSize);
    }
    return check_tag(alg_, computed, tag, out);
  }

 private:
  bool aes128() const { return alg_ == AeadAlgorithm::aes_128_gcm; }
  // expand computes the AES round keys and GHASH key of `key` into key_.
  void expand(ByteView key) {
    if (aes128()) {
      IMB_AES128_GCM_PRE(mgr_, key.data(), &key_);
    } else {
      IMB_AES256_GCM_PRE(mgr_, key.data(), &key_);
    }
  }

  AeadAlgorithm alg_;
  const IMB_MGR* mgr_;
  // Round keys and GHASH key powers; the AVX-512 code reads them with aligned
  // 64-byte loads.
  alignas(64) gcm_key_data key_;
};

// ChaCha20-Poly1305 (RFC 8439 2.8). The library takes the raw 32-byte key on
// every call (there is nothing to expand), the AAD at init, and any split of
// the text across updates (the context carries the partial keystream block
// and Poly1305 state over).
class IpsecMbChaCha final : public Aead {
 public:
  IpsecMbChaCha(const IMB_MGR* mgr, ByteView key) : mgr_(mgr) { rekey(key); }
  ~IpsecMbChaCha() override { secure_wipe(key_, sizeof key_); }
  IpsecMbChaCha(const IpsecMbChaCha&) = delete;
  IpsecMbChaCha& operator=(const IpsecMbChaCha&) = delete;

  AeadAlgorithm algorithm() const override { return AeadAlgorithm::chacha20_poly1305; }
  std::string_view implementation() const override { return "ipsec-mb"; }

  Result<void> seal(ByteView nonce, ByteView aad, MutableByteView data,
                    MutableByteView tag) override {
    return do_seal_from(nonce, aad, {}, data, data, tag);
  }

  Result<void> open(ByteView nonce, ByteView aad, MutableByteView data, ByteView tag) override {
    return do_open_from(nonce, aad, data, tag, data);
  }

  bool rekey(ByteView key) override {
    if (key.size() != sizeof key_) return false;
    std::memcpy(key_, key.data(), sizeof key_);
    return true;
  }

 protected:
  Result<void> do_seal_from(ByteView nonce, ByteView aad, ByteView head, ByteView tail,
                            MutableByteView out, MutableByteView tag) override {
    TESSERA_TRY(check_sizes(algorithm(), nonce, tag.size()));
    // As for GCM: tail may already be at its place in out; head never
    // overlaps out.
    Wiped<chacha20_poly1305_context_data> ctx;
    IMB_CHACHA20_POLY1305_INIT(mgr_, key_, &ctx.c, nonce.data(), ptr(aad), aad.size());
    if (!head.empty())
      IMB_CHACHA20_POLY1305_ENC_UPDATE(mgr_, key_, &ctx.c, out.data(), head.data(), head.size());
    if (!tail.empty())
      IMB_CHACHA20_POLY1305_ENC_UPDATE(mgr_, key_, &ctx.c, out.data() + head.size(), tail.data(),
                                       tail.size());
    IMB_CHACHA20_POLY1305_ENC_FINALIZE(mgr_, &ctx.c, tag.data(), kTagSize);
    return ok();
  }

  Result<void> do_open_from(ByteView nonce, ByteView aad, ByteView in, ByteView tag,
                            MutableByteView out) override {
    TESSERA_TRY(check_sizes(algorithm(), nonce, tag.size()));
    Wiped<chacha20_poly1305_context_data> ctx;
    uint8_t computed[kTagSize];
    IMB_CHACHA20_POLY1305_INIT(mgr_, key_, &ctx.c, nonce.data(), ptr(aad), aad.size());
    if (!in.empty())
      IMB_CHACHA20_POLY1305_DEC_UPDATE(mgr_, key_, &ctx.c, out.data(), in.data(), in.size());
    IMB_CHACHA20_POLY1305_DEC_FINALIZE(mgr_, &ctx.c, computed, kTagSize);
    return check_tag(algorithm(), computed, tag, out);
  }

 private:
  const IMB_MGR* mgr_;
  alignas(16) uint8_t key_[32];
};

}  // namespace

IpsecMbStatus ipsec_mb_detect() {
  IpsecMbStatus s;
  s.built = true;
  s.version = imb_get_version_str();
  const Manager& m = manager();
  s.usable = m.mgr != nullptr;
  s.arch = arch_name(m.arch);
  s.fast_path = s.usable && m.arch == IMB_ARCH_AVX512 &&
                (m.mgr->features & IMB_FEATURE_VAES) != 0 &&
                (m.mgr->features & IMB_FEATURE_VPCLMULQDQ) != 0;
  return s;
}

Result<std::unique_ptr<Aead>> ipsec_mb_aead(AeadAlgorithm alg, ByteView key) {
  const Manager& m = manager();
  if (m.mgr == nullptr) {
    return Error(ErrorCode::unsupported_algorithm, "ipsec-mb cannot run on this CPU");
  }
  if (key.size() != aead_key_length(alg)) {
    return Error(ErrorCode::internal_error, std::string(aead_name(alg)) + ": key is " +
                                                std::to_string(key.size()) + " bytes, expected " +
                                                std::to_string(aead_key_length(alg)));
  }
  if (alg == AeadAlgorithm::chacha20_poly1305) {
    return std::unique_ptr<Aead>(std::make_unique<IpsecMbChaCha>(m.mgr, key));
  }
  return std::unique_ptr<Aead>(std::make_unique<IpsecMbGcm>(alg, m.mgr, key));
}

}  // namespace tessera::crypto
