#include "handshake/negotiation.h"

#include <algorithm>
#include <cstdio>

namespace tessera::handshake {

namespace {

template <class E>
std::vector<uint16_t> values(const std::vector<E>& v) {
  std::vector<uint16_t> out;
  out.reserve(v.size());
  for (E e : v) out.push_back(static_cast<uint16_t>(e));
  return out;
}

bool contains(std::span<const uint16_t> v, uint16_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

bool is_ffdhe(uint16_t g) { return g >= 0x0100 && g <= 0x01ff; }

std::string describe_versions(std::span<const uint16_t> v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    if (v[i] == 0x0304)
      s += "TLS 1.3";
    else if (v[i] == 0x0303)
      s += "TLS 1.2";
    else if (v[i] == 0x0302)
      s += "TLS 1.1";
    else if (v[i] == 0x0301)
      s += "TLS 1.0";
    else if (v[i] == 0x0300)
      s += "SSL 3.0";
    else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%04x", v[i]);
      s += buf;
    }
  }
  return s + "]";
}

Result<ProtocolVersion> choose_version(const Policy& policy, std::span<const uint16_t> offered) {
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    if (policy.allows_version(v) && contains(offered, static_cast<uint16_t>(v))) return v;
  }
  std::vector<uint16_t> allowed;
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12})
    if (policy.allows_version(v)) allowed.push_back(static_cast<uint16_t>(v));
  // RFC 8446 4.2.1: if the server does not support any of the versions
  // offered it MUST abort with a "protocol_version" alert.
  return Error(ErrorCode::protocol_version, "no common protocol version: peer offered " +
                                                describe_versions(offered) + ", policy allows " +
                                                describe_versions(allowed));
}

Result<CipherSuite> choose_suite(const Policy& policy, ProtocolVersion v,
                                 std::span<const uint16_t> offered,
                                 bool (*usable)(CipherSuite, const void*), const void* ctx) {
  auto mine = policy.suites_for(v);
  for (CipherSuite s : mine) {
    if (!contains(offered, static_cast<uint16_t>(s))) continue;
    if (usable && !usable(s, ctx)) continue;
    return s;
  }
  // RFC 8446 4.1.1 / RFC 5246 7.4.1.3: no acceptable parameters ->
  // handshake_failure.
  std::vector<uint16_t> off(offered.begin(), offered.end());
  return Error(ErrorCode::handshake_failure,
               "no common cipher suite for " + version_name(v) + ": peer offered " +
                   describe_suites(off) + ", policy allows " + describe_suites(values(mine)));
}

Result<GroupChoice> choose_group_tls13(const Policy& policy, std::span<const uint16_t> supported,
                                       std::span<const uint16_t> shares) {
  for (NamedGroup g : policy.groups) {
    if (contains(shares, static_cast<uint16_t>(g))) return GroupChoice{g, true};
  }
  for (NamedGroup g : policy.groups) {
    if (contains(supported, static_cast<uint16_t>(g))) return GroupChoice{g, false};
  }
  std::vector<uint16_t> off(supported.begin(), supported.end());
  // RFC 8446 4.1.1: no common group -> handshake_failure (or
  // insufficient_security); we use handshake_failure.
  return Error(ErrorCode::handshake_failure, "no common group: peer offered " +
                                                 describe_groups(off) + ", policy allows " +
                                                 describe_groups(values(policy.groups)));
}

Result<NamedGroup> choose_group(const Policy& policy, std::span<const uint16_t> offered,
                                bool want_ffdhe) {
  std::vector<uint16_t> mine;
  for (NamedGroup g : policy.groups) {
    if (is_ffdhe(static_cast<uint16_t>(g)) != want_ffdhe) continue;
    mine.push_back(static_cast<uint16_t>(g));
    if (contains(offered, static_cast<uint16_t>(g))) return g;
  }
  std::vector<uint16_t> off(offered.begin(), offered.end());
  return Error(ErrorCode::handshake_failure, std::string("no common ") +
                                                 (want_ffdhe ? "finite-field" : "elliptic-curve") +
                                                 " group: peer offered " + describe_groups(off) +
                                                 ", policy allows " + describe_groups(mine));
}

Result<std::optional<std::string>> choose_alpn(const std::vector<std::string>& server,
                                               const std::vector<std::string>& offered) {
  if (server.empty() || offered.empty()) return std::optional<std::string>{};
  for (const auto& p : server) {
    if (std::find(offered.begin(), offered.end(), p) != offered.end())
      return std::optional<std::string>{p};
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s + "]";
  };
  // RFC 7301 3.2: no overlap -> fatal "no_application_protocol".
  return Error(ErrorCode::no_application_protocol, "no common application protocol: peer offered " +
                                                       join(offered) + ", server supports " +
                                                       join(server));
}

}  // namespace tessera::handshake
