// handshake/peer_check.cc — allow_peers: the allowlist PeerCheck (see
// tessera/config.h).
#include <algorithm>

#include "base/hex.h"
#include "handshake/peer_verify.h"
#include "tessera/config.h"
#include "x509/identity.h"
#include "x509/pem.h"

namespace tessera {

namespace {

bool iequal_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

struct Allowed {
  enum class Kind : uint8_t { dns, ip, uri, email, cn, spki, psk } kind;
  std::string value;  // names: as the peer's names render them (after "DNS:" etc.)
  Bytes pin;          // spki
};

Result<Allowed> parse_entry(const std::string& e) {
  const auto colon = e.find(':');
  if (colon == std::string::npos || colon + 1 == e.size())
    return Error(ErrorCode::config_invalid,
                 "allowed peer '" + e +
                     "' is not TYPE:VALUE (DNS:, IP:, URI:, email:, CN:, spki-sha256:, psk:)");
  const std::string type = e.substr(0, colon), value = e.substr(colon + 1);
  Allowed a{Allowed::Kind::dns, value, {}};
  if (type == "DNS") {
    a.kind = Allowed::Kind::dns;
  } else if (type == "IP") {
    auto ip = x509::parse_ip_address(value);
    if (!ip) return Error(ErrorCode::config_invalid, "allowed peer '" + e + "': not an IP address");
    a.kind = Allowed::Kind::ip;
    a.value = x509::format_ip_address(*ip);  // as a certificate's iPAddress renders
  } else if (type == "URI") {
    a.kind = Allowed::Kind::uri;
  } else if (type == "email") {
    a.kind = Allowed::Kind::email;
  } else if (type == "CN") {
    a.kind = Allowed::Kind::cn;
  } else if (type == "psk") {
    a.kind = Allowed::Kind::psk;
  } else if (type == "spki-sha256") {
    a.kind = Allowed::Kind::spki;
    // RFC 7469 2.4 pins are base64 of the SHA-256; 64 hex digits also do.
    if (value.size() == 64) {
      if (auto h = from_hex(value)) a.pin = std::move(*h);
    } else if (auto b = x509::base64_decode(value); b.ok()) {
      a.pin = std::move(*b);
    }
    if (a.pin.size() != 32)
      return Error(
          ErrorCode::config_invalid,
          "allowed peer '" + e + "': a SHA-256 pin is 44 characters of base64 or 64 hex digits");
  } else if (value.rfind("//", 0) == 0) {  // "spiffe://...": a URI without its type
    return Error(ErrorCode::config_invalid, "allowed peer '" + e + "': unknown type '" + type +
                                                "' (a URI SAN is URI:" + e + ")");
  } else {
    return Error(ErrorCode::config_invalid, "allowed peer '" + e + "': unknown type '" + type +
                                                "' (DNS, IP, URI, email, CN, spki-sha256 or psk)");
  }
  return a;
}

bool has_name(const PeerIdentity& peer, std::string_view prefix, const std::string& value,
              bool ignore_case) {
  for (const auto& n : peer.names) {
    if (n.size() != prefix.size() + value.size() || n.compare(0, prefix.size(), prefix) != 0)
      continue;
    std::string_view v = std::string_view(n).substr(prefix.size());
    if (ignore_case ? iequal_ascii(v, value) : v == value) return true;
  }
  return false;
}

bool matches(const Allowed& a, const PeerIdentity& peer) {
  if (a.kind == Allowed::Kind::psk)
    return !peer.psk_identity.empty() && peer.psk_identity == a.value;
  if (!peer.psk_identity.empty()) return false;
  switch (a.kind) {
    case Allowed::Kind::dns: return has_name(peer, "DNS:", a.value, true);
    case Allowed::Kind::ip: return has_name(peer, "IP:", a.value, false);
    case Allowed::Kind::uri: return has_name(peer, "URI:", a.value, false);
    case Allowed::Kind::email: return has_name(peer, "email:", a.value, false);
    case Allowed::Kind::cn: return !peer.common_name.empty() && peer.common_name == a.value;
    case Allowed::Kind::spki:
      return peer.spki_sha256.size() == a.pin.size() &&
             std::equal(a.pin.begin(), a.pin.end(), peer.spki_sha256.begin());
    case Allowed::Kind::psk: break;
  }
  return false;
}

}  // namespace

Result<PeerCheck> allow_peers(const std::vector<std::string>& allowed) {
  if (allowed.empty())
    return Error(ErrorCode::config_invalid, "allow_peers needs at least one allowed peer");
  std::vector<Allowed> list;
  for (const auto& e : allowed) {
    TESSERA_ASSIGN_OR_RETURN(Allowed a, parse_entry(e));
    list.push_back(std::move(a));
  }
  return PeerCheck([list = std::move(list)](const PeerIdentity& peer) -> Result<void> {
    for (const auto& a : list)
      if (matches(a, peer)) return ok();
    std::string pin = peer.spki_sha256.empty()
                          ? std::string()
                          : ", spki-sha256:" + x509::base64_encode(peer.spki_sha256);
    return Error(ErrorCode::access_denied,
                 "not among the " + std::to_string(list.size()) + " allowed peer(s)" + pin);
  });
}

}  // namespace tessera
