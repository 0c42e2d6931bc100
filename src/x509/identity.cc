// x509/identity.cc — RFC 6125 / RFC 9525 identity matching.
#include "x509/identity.h"

#include <algorithm>
#include <cctype>

#include <cstdio>

#include "x509/certificate.h"

namespace tessera::x509 {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view strip_trailing_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

size_t count_labels(std::string_view s) {
  if (s.empty()) return 0;
  size_t n = 1;
  for (char c : s) n += (c == '.');
  return n;
}

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  for (char c : label) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return label.front() != '-' && label.back() != '-';
}

std::optional<Bytes> parse_ipv4(std::string_view text) {
  Bytes out;
  size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
    }
    size_t len = pos - start;
    if (len == 0 || value > 255) return std::nullopt;
    // No leading zeros: "010" is octal to some parsers and decimal to others.
    if (len > 1 && text[start] == '0') return std::nullopt;
    out.push_back(static_cast<uint8_t>(value));
  }
  if (pos != text.size()) return std::nullopt;
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Bytes> parse_ipv6(std::string_view text) {
  // Split at "::" (at most once); each side is a list of 16-bit groups, the
  // last group of the whole address may be a dotted IPv4.
  std::vector<uint16_t> head, tail;
  bool compressed = false;
  std::string_view rest = text;
  std::vector<uint16_t>* cur = &head;
  std::optional<Bytes> v4;
  if (rest.substr(0, 2) == "::") {
    compressed = true;
    cur = &tail;
    rest.remove_prefix(2);
  } else if (!rest.empty() && rest.front() == ':') {
    return std::nullopt;
  }
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string_view group = rest.substr(0, colon);
    if (group.find('.') != std::string_view::npos) {
      if (colon != std::string_view::npos) return std::nullopt;  // IPv4 must be last
      v4 = parse_ipv4(group);
      if (!v4) return std::nullopt;
      rest = {};
      break;
    }
    if (group.empty() || group.size() > 4) return std::nullopt;
    unsigned value = 0;
    for (char c : group) {
      int h = hex_value(c);
      if (h < 0) return std::nullopt;
      value = value * 16 + static_cast<unsigned>(h);
    }
    cur->push_back(static_cast<uint16_t>(value));
    if (colon == std::string_view::npos) {
      rest = {};
      break;
    }
    rest.remove_prefix(colon + 1);
    if (!rest.empty() && rest.front() == ':') {
      if (compressed) return std::nullopt;  // a second "::"
      compressed = true;
      cur = &tail;
      rest.remove_prefix(1);
    } else if (rest.empty()) {
      return std::nullopt;  // trailing single ':'
    }
  }
  size_t groups = head.size() + tail.size() + (v4 ? 2 : 0);
  if (compressed ? groups > 7 : groups != 8) return std::nullopt;
  Bytes out;
  for (uint16_t g : head) {
    out.push_back(static_cast<uint8_t>(g >> 8));
    out.push_back(static_cast<uint8_t>(g));
  }
  size_t zeros = 16 - 2 * (head.size() + tail.size()) - (v4 ? 4 : 0);
  out.insert(out.end(), zeros, 0);
  for (uint16_t g : tail) {
    out.push_back(static_cast<uint8_t>(g >> 8));
    out.push_back(static_cast<uint8_t>(g));
  }
  if (v4) out.insert(out.end(), v4->begin(), v4->end());
  return out;
}

std::string presented_names(const Certificate& cert) {
  std::string out;
  const auto& sans = cert.extensions().subject_alt_names;
  if (!sans || sans->empty()) return "no subjectAltName";
  for (const GeneralName& n : *sans) {
    if (!out.empty()) out += ", ";
    out += n.to_string();
  }
  return out;
}

}  // namespace

std::string reference_identity_to_string(const ReferenceIdentity& id) {
  switch (id.kind) {
    case ReferenceIdentity::Kind::dns: return "DNS:" + id.value;
    case ReferenceIdentity::Kind::ip: return "IP:" + id.value;
    case ReferenceIdentity::Kind::email: return "email:" + id.value;
  }
  return id.value;
}

std::optional<Bytes> parse_ip_address(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return parse_ipv6(text);
  return parse_ipv4(text);
}

std::string format_ip_address(ByteView ip) {
  char buf[8];
  std::string out;
  if (ip.size() == 4) {
    for (size_t i = 0; i < 4; ++i) {
      std::snprintf(buf, sizeof buf, i ? ".%u" : "%u", static_cast<unsigned>(ip[i]));
      out += buf;
    }
    return out;
  }
  if (ip.size() != 16) {
    for (uint8_t b : ip) {
      std::snprintf(buf, sizeof buf, "%02x", b);
      out += buf;
    }
    return out;
  }
  uint16_t g[8];
  for (size_t i = 0; i < 8; ++i) g[i] = static_cast<uint16_t>(ip[2 * i] << 8 | ip[2 * i + 1]);
  // RFC 5952 4.2: compress the longest run (>= 2) of zero groups, the first
  // one on a tie.
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(g[i]));
    out += buf;
  }
  return out;
}

bool numeric_ipv4_form(std::string_view host) {
  host = strip_trailing_dot(host);
  const size_t dot = host.rfind('.');
  std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.size() > 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
    last.remove_prefix(2);
    return std::all_of(last.begin(), last.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  }
  return !last.empty() &&
         std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_valid_dns_reference(std::string_view host) {
  host = strip_trailing_dot(host);
  if (host.empty() || host.size() > 253 || numeric_ipv4_form(host)) return false;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    if (!valid_label(host.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool dns_name_matches(std::string_view presented, std::string_view host) {
  presented = strip_trailing_dot(presented);
  host = strip_trailing_dot(host);
  if (presented.empty() || !is_valid_dns_reference(host)) return false;
  size_t star = presented.find('*');
  if (star == std::string_view::npos) return iequals(presented, host);
  // RFC 6125 6.4.3 / RFC 9525 6.3: the wildcard must be the complete
  // left-most label; partial wildcards ("f*.example.com") are not honoured.
  if (star != 0 || presented.size() < 2 || presented[1] != '.') return false;
  std::string_view suffix = presented.substr(2);
  if (suffix.find('*') != std::string_view::npos) return false;
  // CA/B BR 3.2.2.6 spirit: "*.com", "*" — a wildcard over fewer than two
  // labels would cover a whole public suffix; refuse it.
  if (count_labels(suffix) < 2 || !is_valid_dns_reference(suffix)) return false;
  size_t dot = host.find('.');
  if (dot == std::string_view::npos) return false;
  std::string_view first = host.substr(0, dot);
  // RFC 6125 6.4.3: the wildcard matches exactly one label; never an IDN
  // A-label (we do not match into punycode).
  if (first.empty() || istarts_with(first, "xn--")) return false;
  return iequals(host.substr(dot + 1), suffix);
}

bool email_matches(std::string_view presented, std::string_view address) {
  size_t pa = presented.rfind('@');
  size_t ra = address.rfind('@');
  if (pa == std::string_view::npos || ra == std::string_view::npos) return false;
  // RFC 5280 7.5: the local part is case-sensitive, the host part is not.
  return presented.substr(0, pa) == address.substr(0, ra) && pa > 0 &&
         iequals(presented.substr(pa + 1), address.substr(ra + 1)) && pa + 1 < presented.size();
}

Result<void> check_identity(const Certificate& cert, const ReferenceIdentity& id) {
  const auto& sans = cert.extensions().subject_alt_names;
  switch (id.kind) {
    case ReferenceIdentity::Kind::dns: {
      if (numeric_ipv4_form(id.value))
        return Error(ErrorCode::config_invalid,
                     "'" + id.value +
                         "' is read as an IPv4 address by the resolver but is not in dotted-quad "
                         "form (a.b.c.d, no leading zeros): write the address that way");
      if (!is_valid_dns_reference(id.value)) {
        return Error(ErrorCode::config_invalid, "'" + id.value + "' is not a valid DNS host name");
      }
      if (sans) {
        for (const GeneralName& n : *sans) {
          // RFC 9525 6.3: only dNSName SANs are compared; the CN is ignored.
          if (n.type == GeneralNameType::dns_name && dns_name_matches(n.text, id.value)) {
            return ok();
          }
        }
      }
      return Error(ErrorCode::cert_name_mismatch, "certificate does not match host " + id.value +
                                                      " (presented: " + presented_names(cert) +
                                                      ")");
    }
    case ReferenceIdentity::Kind::ip: {
      std::optional<Bytes> ip = parse_ip_address(id.value);
      if (!ip) {
        return Error(ErrorCode::config_invalid, "'" + id.value + "' is not a valid IP address");
      }
      if (sans) {
        for (const GeneralName& n : *sans) {
          // RFC 9525 6.4 / RFC 5280 4.2.1.6: iPAddress holds 4 or 16 octets
          // in network byte order; compare them exactly.
          if (n.type == GeneralNameType::ip_address && n.ip == *ip) return ok();
        }
      }
      return Error(ErrorCode::cert_name_mismatch,
                   "certificate does not match IP address " + format_ip_address(*ip) +
                       " (presented: " + presented_names(cert) + ")");
    }
    case ReferenceIdentity::Kind::email: {
      size_t at = id.value.rfind('@');
      if (at == std::string::npos || at == 0 || at + 1 == id.value.size()) {
        return Error(ErrorCode::config_invalid, "'" + id.value + "' is not a valid email address");
      }
      if (sans) {
        for (const GeneralName& n : *sans) {
          if (n.type == GeneralNameType::rfc822_name && email_matches(n.text, id.value)) {
            return ok();
          }
        }
      }
      return Error(ErrorCode::cert_name_mismatch, "certificate does not match email " + id.value +
                                                      " (presented: " + presented_names(cert) +
                                                      ")");
    }
  }
  return Error(ErrorCode::internal_error, "unknown identity kind");
}

}  // namespace tessera::x509
