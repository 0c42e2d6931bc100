// bench/probe_ipsec_mb.cc — standalone probe (not built by CMake): is Intel's
// Multi-Buffer Crypto for IPsec library (Debian libipsec-mb-dev 1.3) faster
// than libcrypto's EVP AES-GCM on this CPU for 16 KiB TLS records, in place?
// Checks that both produce the same ciphertext and tag, then prints the median
// of 5 runs of 20,000 records per direction and library; then the same for
// ChaCha20-Poly1305 (seal only). The backend built on it is
// src/crypto/ipsecmb/ (AES-GCM, and ChaCha20-Poly1305 on the AVX-512 code
// only: on AVX2 its ChaCha20-Poly1305 is slower than libcrypto's); see
// bench/RESULTS.md.
//
//   apt-get install libipsec-mb-dev
//   g++ -O2 bench/probe_ipsec_mb.cc -o /tmp/probe_ipsec_mb -lIPSec_MB -lcrypto &&
//   /tmp/probe_ipsec_mb
#include <intel-ipsec-mb.h>
#include <openssl/evp.h>
#include <time.h>
#include <algorithm>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "../src/base/thread_clock.h"
// Thread CPU time, not wall time: on a shared machine preemption would
// otherwise dominate the differences.
using clk = tessera::ThreadCpuClock;
static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
int main() {
  const int N = 16384, iters = 20000;
  IMB_MGR* m = alloc_mb_mgr(0);
  IMB_ARCH arch;
  init_mb_mgr_auto(m, &arch);
  const char* an[] = {"none", "noaesni", "sse", "avx", "avx2", "avx512"};
  printf("ipsec-mb %s arch %s features 0x%llx\n", imb_get_version_str(), an[arch],
         (unsigned long long)m->features);
  for (int bits : {128, 256}) {
    unsigned char key[32] = {1, 2, 3}, iv[12] = {0}, aad[5] = {0x17}, tag[16], tag2[16];
    std::vector<unsigned char> buf(N, 0x17), ref(N, 0x17);
    alignas(64) gcm_key_data kd;
    gcm_context_data cd;
    if (bits == 128)
      IMB_AES128_GCM_PRE(m, key, &kd);
    else
      IMB_AES256_GCM_PRE(m, key, &kd);
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, bits == 128 ? "AES-128-GCM" : "AES-256-GCM", nullptr);
    EVP_CIPHER_CTX* e = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex2(e, c, key, nullptr, nullptr);
    EVP_CIPHER_CTX* d = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex2(d, c, key, nullptr, nullptr);
    int n;
    // correctness: same ciphertext and tag
    if (bits == 128)
      IMB_AES128_GCM_ENC(m, &kd, &cd, buf.data(), buf.data(), N, iv, aad, 5, tag, 16);
    else
      IMB_AES256_GCM_ENC(m, &kd, &cd, buf.data(), buf.data(), N, iv, aad, 5, tag, 16);
    EVP_EncryptInit_ex2(e, nullptr, nullptr, iv, nullptr);
    EVP_EncryptUpdate(e, nullptr, &n, aad, 5);
    EVP_EncryptUpdate(e, ref.data(), &n, ref.data(), N);
    EVP_EncryptFinal_ex(e, ref.data() + N, &n);
    EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag2);
    printf("AES-%d-GCM ciphertext %s, tag %s\n", bits, buf == ref ? "equal" : "DIFFER",
           memcmp(tag, tag2, 16) ? "DIFFER" : "equal");
    std::vector<double> ie, id, oe, od;
    for (int rep = 0; rep < 5; rep++) {
      auto t0 = clk::now();
      for (int i = 0; i < iters; i++) {
        iv[11] = i;
        if (bits == 128)
          IMB_AES128_GCM_ENC(m, &kd, &cd, buf.data(), buf.data(), N, iv, aad, 5, tag, 16);
        else
          IMB_AES256_GCM_ENC(m, &kd, &cd, buf.data(), buf.data(), N, iv, aad, 5, tag, 16);
      }
      auto t1 = clk::now();
      for (int i = 0; i < iters; i++) {
        iv[11] = i;
        if (bits == 128)
          IMB_AES128_GCM_DEC(m, &kd, &cd, buf.data(), buf.data(), N, iv, aad, 5, tag, 16);
        else
          IMB_AES256_GCM_DEC(m, &kd, &cd, buf.data(), buf.data(), N, iv, aad, 5, tag, 16);
      }
      auto t2 = clk::now();
      for (int i = 0; i < iters; i++) {
        iv[11] = i;
        EVP_EncryptInit_ex2(e, nullptr, nullptr, iv, nullptr);
        EVP_EncryptUpdate(e, nullptr, &n, aad, 5);
        EVP_EncryptUpdate(e, buf.data(), &n, buf.data(), N);
        EVP_EncryptFinal_ex(e, buf.data() + N, &n);
        EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag2);
      }
      auto t3 = clk::now();
      for (int i = 0; i < iters; i++) {
        iv[11] = i;
        EVP_DecryptInit_ex2(d, nullptr, nullptr, iv, nullptr);
        EVP_CIPHER_CTX_ctrl(d, EVP_CTRL_AEAD_SET_TAG, 16, tag2);
        EVP_DecryptUpdate(d, nullptr, &n, aad, 5);
        EVP_DecryptUpdate(d, buf.data(), &n, buf.data(), N);
        EVP_DecryptFinal_ex(d, buf.data() + N, &n);
      }
      auto t4 = clk::now();
      auto mbs = [&](auto a, auto b) {
        return double(N) * iters / std::chrono::duration<double>(b - a).count() / 1e6;
      };
      ie.push_back(mbs(t0, t1));
      id.push_back(mbs(t1, t2));
      oe.push_back(mbs(t2, t3));
      od.push_back(mbs(t3, t4));
    }
    printf(
        "AES-%d-GCM 16 KiB, median of 5 x %d: ipsec-mb seal %.0f MB/s open %.0f MB/s | libcrypto "
        "seal %.0f MB/s open %.0f MB/s\n",
        bits, iters, median(ie), median(id), median(oe), median(od));
  }
  // ChaCha20-Poly1305 (RFC 8439) through the direct API (init, update,
  // finalize): same check and measurement, seal only.
  {
    unsigned char key[32] = {4, 5, 6}, iv[12] = {0}, aad[5] = {0x17}, tag[16], tag2[16];
    std::vector<unsigned char> buf(N, 0x17), ref(N, 0x17);
    chacha20_poly1305_context_data cd;
    auto mb_seal = [&](unsigned char* p) {
      IMB_CHACHA20_POLY1305_INIT(m, key, &cd, iv, aad, 5);
      IMB_CHACHA20_POLY1305_ENC_UPDATE(m, key, &cd, p, p, N);
      IMB_CHACHA20_POLY1305_ENC_FINALIZE(m, &cd, tag, 16);
    };
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
    EVP_CIPHER_CTX* e = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex2(e, c, key, nullptr, nullptr);
    int n;
    auto ossl_seal = [&](unsigned char* p) {
      EVP_EncryptInit_ex2(e, nullptr, nullptr, iv, nullptr);
      EVP_EncryptUpdate(e, nullptr, &n, aad, 5);
      EVP_EncryptUpdate(e, p, &n, p, N);
      EVP_EncryptFinal_ex(e, p + N, &n);
      EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag2);
    };
    mb_seal(buf.data());
    ossl_seal(ref.data());
    printf("ChaCha20-Poly1305 ciphertext %s, tag %s\n", buf == ref ? "equal" : "DIFFER",
           memcmp(tag, tag2, 16) ? "DIFFER" : "equal");
    std::vector<double> me, oe;
    for (int rep = 0; rep < 5; rep++) {
      auto t0 = clk::now();
      for (int i = 0; i < iters; i++) {
        iv[11] = i;
        mb_seal(buf.data());
      }
      auto t1 = clk::now();
      for (int i = 0; i < iters; i++) {
        iv[11] = i;
        ossl_seal(buf.data());
      }
      auto t2 = clk::now();
      auto mbs = [&](auto a, auto b) {
        return double(N) * iters / std::chrono::duration<double>(b - a).count() / 1e6;
      };
      me.push_back(mbs(t0, t1));
      oe.push_back(mbs(t1, t2));
    }
    printf(
        "ChaCha20-Poly1305 16 KiB, median of 5 x %d: ipsec-mb seal %.0f MB/s | libcrypto seal "
        "%.0f MB/s\n",
        iters, median(me), median(oe));
  }
}
