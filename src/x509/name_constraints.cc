// x509/name_constraints.cc — RFC 5280 4.2.1.10 matching.
#include "x509/name_constraints.h"

#include <vector>

#include "x509/certificate.h"
#include "x509/identity.h"

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

std::string_view strip_trailing_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

// host_in_subtree: `host` equals `domain` or ends with "." + domain; with a
// leading dot on domain only proper subdomains qualify.
bool host_in_subtree(std::string_view host, std::string_view domain) {
  host = strip_trailing_dot(host);
  domain = strip_trailing_dot(domain);
  if (domain.empty()) return true;
  if (domain.front() == '.') {
    return host.size() > domain.size() && iequals(host.substr(host.size() - domain.size()), domain);
  }
  if (host.size() == domain.size()) return iequals(host, domain);
  return host.size() > domain.size() && host[host.size() - domain.size() - 1] == '.' &&
         iequals(host.substr(host.size() - domain.size()), domain);
}

bool is_wildcard(std::string_view name) { return name.size() > 2 && name.substr(0, 2) == "*."; }

// Does this CN look like a host name (OpenSSL's cn2dnsid heuristic: at least
// one dot and only LDH characters, optionally a leading "*.")?
bool cn_looks_like_host(std::string_view cn) {
  std::string_view rest = is_wildcard(cn) ? cn.substr(2) : cn;
  return rest.find('.') != std::string_view::npos && is_valid_dns_reference(rest);
}

struct NameToCheck {
  GeneralNameType type;
  std::string text;  // dns / email
  Bytes ip;          // ip
  const Name* dn = nullptr;
  std::string display;
};

std::string type_label(GeneralNameType t) {
  switch (t) {
    case GeneralNameType::dns_name: return "DNS";
    case GeneralNameType::rfc822_name: return "email";
    case GeneralNameType::ip_address: return "IP";
    case GeneralNameType::directory_name: return "DirName";
    case GeneralNameType::uri: return "URI";
    case GeneralNameType::other_name: return "otherName";
    case GeneralNameType::x400_address: return "x400Address";
    case GeneralNameType::edi_party_name: return "ediPartyName";
    case GeneralNameType::registered_id: return "registeredID";
  }
  return "name";
}

bool supported(GeneralNameType t) {
  return t == GeneralNameType::dns_name || t == GeneralNameType::rfc822_name ||
         t == GeneralNameType::ip_address || t == GeneralNameType::directory_name;
}

// matches: for permitted (`excluded` false) the name must lie wholly inside;
// for excluded any overlap counts.
bool matches(const NameToCheck& n, const GeneralName& c, bool excluded) {
  if (c.type != n.type) return false;
  switch (n.type) {
    case GeneralNameType::dns_name:
      return excluded ? dns_name_overlaps_subtree(n.text, c.text)
                      : dns_name_in_subtree(n.text, c.text);
    case GeneralNameType::rfc822_name: return email_in_subtree(n.text, c.text);
    case GeneralNameType::ip_address: return ip_in_subtree(n.ip, c.ip);
    case GeneralNameType::directory_name: return directory_name_in_subtree(*n.dn, c.directory_name);
    default: return false;
  }
}

std::string list_subtrees(const std::vector<GeneralSubtree>& subtrees, GeneralNameType t) {
  std::string out;
  for (const GeneralSubtree& s : subtrees) {
    if (s.base.type != t) continue;
    if (!out.empty()) out += ", ";
    out += s.base.to_string();
  }
  return out;
}

}  // namespace

bool dns_name_in_subtree(std::string_view name, std::string_view constraint) {
  // A wildcard "*.rest" stands for every one-label extension of rest: all of
  // them lie in "d" or ".d" iff rest is d or a subdomain of d.
  if (is_wildcard(name)) {
    std::string_view c = constraint;
    if (!c.empty() && c.front() == '.') c.remove_prefix(1);
    return host_in_subtree(name.substr(2), c);
  }
  return host_in_subtree(name, constraint);
}

bool dns_name_overlaps_subtree(std::string_view name, std::string_view constraint) {
  if (dns_name_in_subtree(name, constraint)) return true;
  if (!is_wildcard(name)) return false;
  // "*.example.com" can match "a.example.com": an excluded "a.example.com"
  // (or anything below a one-label extension of example.com) overlaps it.
  std::string_view rest = strip_trailing_dot(name.substr(2));
  std::string_view c = strip_trailing_dot(constraint);
  if (!c.empty() && c.front() == '.') c.remove_prefix(1);
  if (c.size() <= rest.size() + 1) return false;
  std::string_view tail = c.substr(c.size() - rest.size());
  return c[c.size() - rest.size() - 1] == '.' && iequals(tail, rest);
}

bool email_in_subtree(std::string_view email, std::string_view constraint) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view host = email.substr(at + 1);
  if (constraint.find('@') != std::string_view::npos) {
    // RFC 5280 4.2.1.10: "a particular mailbox": compare with the identity rules.
    return email_matches(email, constraint);
  }
  if (!constraint.empty() && constraint.front() == '.') return host_in_subtree(host, constraint);
  // "all mailboxes on a particular host": the host itself, no subdomains.
  return iequals(strip_trailing_dot(host), strip_trailing_dot(constraint));
}

bool ip_in_subtree(ByteView ip, ByteView constraint) {
  if (constraint.size() != 2 * ip.size() || (ip.size() != 4 && ip.size() != 16)) return false;
  ByteView base = constraint.first(ip.size());
  ByteView mask = constraint.subspan(ip.size());
  for (size_t i = 0; i < ip.size(); ++i) {
    if ((ip[i] & mask[i]) != (base[i] & mask[i])) return false;
  }
  return true;
}

bool directory_name_in_subtree(const Name& name, const Name& constraint) {
  const auto& n = name.rdns();
  const auto& c = constraint.rdns();
  if (c.size() > n.size()) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    if (!rdn_equal(n[i], c[i])) return false;
  }
  return true;
}

Result<void> check_name_constraints(const NameConstraints& nc, const Certificate& cert,
                                    bool is_leaf) {
  std::vector<NameToCheck> names;
  bool has_dns_san = false;
  const auto& sans = cert.extensions().subject_alt_names;
  if (sans) {
    for (const GeneralName& g : *sans) {
      NameToCheck n{g.type, g.text, g.ip, nullptr, g.to_string()};
      if (g.type == GeneralNameType::directory_name) n.dn = &g.directory_name;
      if (g.type == GeneralNameType::dns_name) has_dns_san = true;
      names.push_back(std::move(n));
    }
  }
  // RFC 5280 6.1.3 (b)/(c): the subject name is checked as a directoryName,
  // and emailAddress attributes of the subject as rfc822Names (4.2.1.10).
  if (!cert.subject().empty()) {
    names.push_back({GeneralNameType::directory_name,
                     {},
                     {},
                     &cert.subject(),
                     "DirName:" + cert.subject().to_string()});
  }
  for (const std::string& e : cert.subject().attribute_values(oids::kEmailAddress)) {
    names.push_back({GeneralNameType::rfc822_name, e, {}, nullptr, "email:" + e});
  }
  if (is_leaf && !has_dns_san) {
    std::optional<std::string> cn = cert.subject().common_name();
    if (cn && cn_looks_like_host(*cn)) {
      names.push_back(
          {GeneralNameType::dns_name, *cn, {}, nullptr, "DNS:" + *cn + " (subject CN)"});
    }
  }

  for (const NameToCheck& n : names) {
    bool has_permitted_of_type = false;
    bool permitted = false;
    for (const GeneralSubtree& s : nc.permitted) {
      if (s.base.type != n.type) continue;
      has_permitted_of_type = true;
      if (matches(n, s.base, false)) permitted = true;
    }
    bool constrained = has_permitted_of_type;
    for (const GeneralSubtree& s : nc.excluded) constrained |= (s.base.type == n.type);
    if (!constrained) continue;
    if (!supported(n.type)) {
      return Error(ErrorCode::cert_unsupported, "name constraints on " + type_label(n.type) +
                                                    " names cannot be checked (" + n.display + ")");
    }
    // RFC 5280 6.1.3 (b): the name must be within one of the permitted
    // subtrees of its type, if there are any.
    if (has_permitted_of_type && !permitted) {
      return Error(ErrorCode::cert_name_constraints, n.display +
                                                         " is not in the permitted subtrees (" +
                                                         list_subtrees(nc.permitted, n.type) + ")");
    }
    // RFC 5280 6.1.3 (c): and within none of the excluded subtrees.
    for (const GeneralSubtree& s : nc.excluded) {
      if (matches(n, s.base, true)) {
        return Error(ErrorCode::cert_name_constraints,
                     n.display + " is in the excluded subtree " + s.base.to_string());
      }
    }
  }
  return ok();
}

}  // namespace tessera::x509
