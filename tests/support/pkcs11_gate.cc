// pkcs11_gate: a PKCS #11 module for the tests that passes every call to
// SoftHSM v2 and watches C_Sign: it counts the calls in progress at once
// and, when armed, holds each call until that many are in progress (or a
// time limit passes). With it a test can see whether a signer signs in
// parallel, which SoftHSM's fast signatures would otherwise hide. It can also
// refuse sessions, play a token outage, and hide mechanisms (a token
// without some of SoftHSM's).
//
// The test reaches the counters through the extern "C" functions below, in
// the copy of this module p11-kit loaded (dlopen with RTLD_NOLOAD).
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr const char* kRealModule = "/usr/lib/softhsm/libsofthsm2.so";

std::mutex mu;
std::condition_variable cv;
int inside = 0;       // C_Sign calls in progress
int most_inside = 0;  // the most at once since the last reset
int wanted = 0;       // armed: hold calls until this many are in progress
std::chrono::milliseconds hold_limit{0};
int sessions = 0;        // open through this module
int session_limit = -1;  // C_OpenSession fails with CKR_SESSION_COUNT at this many
int refused = 0;         // C_OpenSession calls failed so
// An outage: C_SignInit fails as if its session were gone, and
// C_OpenSession fails (CKR_TOKEN_NOT_PRESENT) after outage_delay.
bool outage = false;
bool empty_signatures = false;  // C_Sign answers a length query with 0
std::chrono::milliseconds outage_delay{0};
// Mechanisms the token does not have: left out of C_GetMechanismList,
// unknown to C_GetMechanismInfo and refused by C_SignInit.
std::vector<CK_MECHANISM_TYPE> hidden;
bool no_mechanism_list = false;  // C_GetMechanismList fails

bool is_hidden(CK_MECHANISM_TYPE m) {
  for (CK_MECHANISM_TYPE h : hidden)
    if (h == m) return true;
  return false;
}

CK_FUNCTION_LIST real;   // SoftHSM's functions
CK_FUNCTION_LIST gated;  // the same, with C_Sign below

CK_RV gated_sign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len,
                 CK_BYTE_PTR signature, CK_ULONG_PTR signature_len) {
  {
    std::unique_lock lock(mu);
    if (empty_signatures && signature == nullptr) {
      *signature_len = 0;  // the operation stays active, as after any length query
      return CKR_OK;
    }
    ++inside;
    if (inside > most_inside) most_inside = inside;
    if (wanted > 0) {
      if (inside >= wanted) {
        wanted = 0;  // reached: let everyone through from now on
        cv.notify_all();
      } else if (!cv.wait_for(lock, hold_limit, [] { return wanted == 0; })) {
        wanted = 0;  // not reached in time: disarm
        cv.notify_all();
      }
    }
  }
  CK_RV rv = real.C_Sign(session, data, data_len, signature, signature_len);
  std::lock_guard lock(mu);
  --inside;
  return rv;
}

CK_RV gated_sign_init(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  {
    std::lock_guard lock(mu);
    if (outage) return CKR_SESSION_HANDLE_INVALID;
    if (mechanism && is_hidden(mechanism->mechanism)) return CKR_MECHANISM_INVALID;
  }
  return real.C_SignInit(session, mechanism, key);
}

CK_RV gated_get_mechanism_list(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
  std::lock_guard lock(mu);
  if (no_mechanism_list) return CKR_FUNCTION_FAILED;
  CK_ULONG n = 0;
  if (CK_RV rv = real.C_GetMechanismList(slot, nullptr, &n); rv != CKR_OK) return rv;
  std::vector<CK_MECHANISM_TYPE> all(n);
  if (CK_RV rv = real.C_GetMechanismList(slot, all.data(), &n); rv != CKR_OK) return rv;
  all.resize(n);
  std::vector<CK_MECHANISM_TYPE> shown;
  for (CK_MECHANISM_TYPE m : all)
    if (!is_hidden(m)) shown.push_back(m);
  if (list == nullptr) {
    *count = shown.size();
    return CKR_OK;
  }
  if (*count < shown.size()) {
    *count = shown.size();
    return CKR_BUFFER_TOO_SMALL;
  }
  for (size_t i = 0; i < shown.size(); ++i) list[i] = shown[i];
  *count = shown.size();
  return CKR_OK;
}

CK_RV gated_get_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE type,
                               CK_MECHANISM_INFO_PTR info) {
  {
    std::lock_guard lock(mu);
    if (is_hidden(type)) return CKR_MECHANISM_INVALID;
  }
  return real.C_GetMechanismInfo(slot, type, info);
}

CK_RV gated_open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                         CK_SESSION_HANDLE_PTR session) {
  std::unique_lock lock(mu);
  if (outage) {
    const auto delay = outage_delay;
    lock.unlock();
    std::this_thread::sleep_for(delay);
    return CKR_TOKEN_NOT_PRESENT;
  }
  if (session_limit >= 0 && sessions >= session_limit) {
    ++refused;
    return CKR_SESSION_COUNT;
  }
  CK_RV rv = real.C_OpenSession(slot, flags, app, notify, session);
  if (rv == CKR_OK) ++sessions;
  return rv;
}

CK_RV gated_close_session(CK_SESSION_HANDLE session) {
  std::lock_guard lock(mu);
  CK_RV rv = real.C_CloseSession(session);
  if (rv == CKR_OK) --sessions;
  return rv;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  static void* handle = ::dlopen(kRealModule, RTLD_NOW | RTLD_LOCAL);
  if (!handle) return CKR_GENERAL_ERROR;
  auto get =
      reinterpret_cast<CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR)>(::dlsym(handle, "C_GetFunctionList"));
  if (!get) return CKR_GENERAL_ERROR;
  CK_FUNCTION_LIST_PTR inner = nullptr;
  if (CK_RV rv = get(&inner); rv != CKR_OK) return rv;
  real = *inner;
  gated = *inner;
  gated.C_Sign = gated_sign;
  gated.C_SignInit = gated_sign_init;
  gated.C_GetMechanismList = gated_get_mechanism_list;
  gated.C_GetMechanismInfo = gated_get_mechanism_info;
  gated.C_OpenSession = gated_open_session;
  gated.C_CloseSession = gated_close_session;
  *list = &gated;
  return CKR_OK;
}

// pkcs11_gate_arm holds C_Sign calls until `calls` are in progress at once,
// or for at most `limit_ms`, then lets every call through; it also resets
// the count of the most at once.
__attribute__((visibility("default"))) void pkcs11_gate_arm(int calls, int limit_ms) {
  std::lock_guard lock(mu);
  wanted = calls;
  hold_limit = std::chrono::milliseconds(limit_ms);
  most_inside = inside;
}

// pkcs11_gate_most_at_once is the most C_Sign calls in progress at once
// since the last pkcs11_gate_arm.
__attribute__((visibility("default"))) int pkcs11_gate_most_at_once() {
  std::lock_guard lock(mu);
  return most_inside;
}

// pkcs11_gate_limit_sessions makes C_OpenSession fail (CKR_SESSION_COUNT)
// while `open` sessions opened through this module are open; -1: no limit.
// It resets the count of calls refused.
__attribute__((visibility("default"))) void pkcs11_gate_limit_sessions(int open) {
  std::lock_guard lock(mu);
  session_limit = open;
  refused = 0;
}

// pkcs11_gate_refused is the number of C_OpenSession calls refused since the
// last pkcs11_gate_limit_sessions.
__attribute__((visibility("default"))) int pkcs11_gate_refused() {
  std::lock_guard lock(mu);
  return refused;
}

// pkcs11_gate_outage starts (on) or ends an outage: sessions are lost, and
// opening one fails after delay_ms.
__attribute__((visibility("default"))) void pkcs11_gate_outage(int on, int delay_ms) {
  std::lock_guard lock(mu);
  outage = on != 0;
  outage_delay = std::chrono::milliseconds(delay_ms);
}

// pkcs11_gate_empty_signatures makes C_Sign answer length queries with 0
// (on) or pass them through (off).
__attribute__((visibility("default"))) void pkcs11_gate_empty_signatures(int on) {
  std::lock_guard lock(mu);
  empty_signatures = on != 0;
}

// pkcs11_gate_hide_mechanisms makes the token lack the `n` mechanisms in
// `list` (n = 0: none); with n < 0, C_GetMechanismList fails instead.
__attribute__((visibility("default"))) void pkcs11_gate_hide_mechanisms(const unsigned long* list,
                                                                        int n) {
  std::lock_guard lock(mu);
  no_mechanism_list = n < 0;
  hidden.assign(list, list + (n > 0 ? n : 0));
}

// pkcs11_gate_sessions is the number of sessions open through this module.
__attribute__((visibility("default"))) int pkcs11_gate_sessions() {
  std::lock_guard lock(mu);
  return sessions;
}

}  // extern "C"
