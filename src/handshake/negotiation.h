// handshake/negotiation.h — choosing version, suite, group, signature scheme
// and ALPN protocol by server preference, shared by TLS 1.3 and TLS 1.2.
//
// A failed choice explains itself: the error lists what the peer offered next
// to what our policy allows, e.g.
//   "no common group: peer offered [x25519], policy allows [secp384r1]".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tessera/algorithms.h"
#include "tessera/policy.h"
#include "tessera/result.h"

namespace tessera::handshake {

// choose_version picks the highest version in `offered` (supported_versions
// values) that the policy allows; protocol_version error otherwise.
Result<ProtocolVersion> choose_version(const Policy& policy, std::span<const uint16_t> offered);

// choose_suite picks, by policy preference, a suite of version `v` offered by
// the peer. `usable` filters suites the server cannot serve (e.g. no
// certificate for the suite's authentication); null means all.
Result<CipherSuite> choose_suite(const Policy& policy, ProtocolVersion v,
                                 std::span<const uint16_t> offered,
                                 bool (*usable)(CipherSuite, const void*) = nullptr,
                                 const void* usable_ctx = nullptr);

struct GroupChoice {
  NamedGroup group;
  bool have_share;  // the client already sent a key share for it (else HelloRetryRequest)
};

// choose_group_tls13: among the groups the client sent key shares for, the
// one the policy prefers most; if none is acceptable, the policy's most
// preferred group among the client's supported_groups (needs a
// HelloRetryRequest). handshake_failure when nothing is common.
Result<GroupChoice> choose_group_tls13(const Policy& policy, std::span<const uint16_t> supported,
                                       std::span<const uint16_t> shares);

// choose_group picks by policy preference among offered groups (TLS 1.2
// ECDHE/DHE), restricted to groups for which `want_ffdhe` matches.
Result<NamedGroup> choose_group(const Policy& policy, std::span<const uint16_t> offered,
                                bool want_ffdhe);

// choose_alpn: RFC 7301 3.2: the server picks by its own preference; if the
// client offered protocols and none is supported the server MUST send
// no_application_protocol. Empty server list: no ALPN (nullopt).
Result<std::optional<std::string>> choose_alpn(const std::vector<std::string>& server,
                                               const std::vector<std::string>& offered);

// is_ffdhe says whether g is a finite-field group.
bool is_ffdhe(uint16_t g);

// describe renders values as "[a, b]" with IANA names.
std::string describe_versions(std::span<const uint16_t> v);

}  // namespace tessera::handshake
