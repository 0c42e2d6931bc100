// x509/identity.h — does a certificate name the peer we meant to reach?
// (RFC 6125 / RFC 9525 service identity, RFC 5280 4.2.1.6 names.)
//
// Reference identities are what the application asked for (a DNS host name,
// an IP address, an email address). Presented identities are the
// certificate's subjectAltName entries:
//   - DNS names match dNSName SANs only. The subject CN is never consulted
//     (RFC 9525 6.1.1 / CA/B BR), so a certificate without a dNSName SAN
//     matches no host. Comparison is ASCII case-insensitive; one trailing
//     dot on either side is ignored. IDNs must be given as A-labels
//     ("xn--..."): they are compared as ASCII.
//   - A wildcard is accepted only as the complete left-most label
//     ("*.example.com"), matches exactly one non-empty label, and only when
//     what follows it has at least two labels ("*.com" and "*" never match).
//     Partial wildcards ("f*.example.com", "*oo.example.com", "xn--*") never
//     match, and a wildcard never matches an A-label ("xn--..."), so
//     "*.example.com" does not match "xn--bcher-kva.example.com".
//   - IP addresses match iPAddress SANs byte for byte (4 bytes IPv4, 16
//     bytes IPv6; an IPv4 address never matches an IPv4-mapped IPv6 SAN).
//   - Email addresses match rfc822Name SANs: the local part exactly, the
//     domain ASCII case-insensitively (RFC 5280 7.5).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "tessera/result.h"

namespace tessera::x509 {

class Certificate;

// A reference identity (RFC 6125 1.8): what the peer must be. For ip, `value` is the text
// form ("127.0.0.1", "::1", "2001:db8::1").
struct ReferenceIdentity {
  enum class Kind { dns, ip, email } kind = Kind::dns;
  std::string value;
};

// reference_identity_to_string renders "DNS:example.com", "IP:::1", "email:a@b".
std::string reference_identity_to_string(const ReferenceIdentity& id);

// parse_ip_address parses dotted-quad IPv4 (exactly four decimal parts
// 0..255, no leading zeros) into 4 bytes or textual IPv6 (RFC 4291 2.2,
// including "::" compression and a trailing dotted IPv4) into 16 bytes;
// nullopt for anything else (no zone ids, no brackets).
std::optional<Bytes> parse_ip_address(std::string_view text);

// format_ip_address renders 4 bytes as dotted quad and 16 bytes as RFC 5952
// text ("2001:db8::1"); other lengths as hex groups.
std::string format_ip_address(ByteView ip);

// is_valid_dns_reference says whether `host` is usable as a reference DNS
// name: LDH labels of 1..63 characters (underscore tolerated), total at most
// 253, no wildcard, no empty label (one trailing dot allowed), and not
// numeric_ipv4_form.
bool is_valid_dns_reference(std::string_view host);

// numeric_ipv4_form says whether `host` ends in a numeric label (decimal, or
// 0x hexadecimal): the forms inet_aton and getaddrinfo read as an IPv4
// address ("127.1", "010.0.0.1", "0x7f000001"), which no DNS name takes
// (RFC 3696 2: a top-level domain is never all-numeric). RFC 9525 6.1: a
// reference that is an IP address is matched as one, never as a DNS name.
bool numeric_ipv4_form(std::string_view host);

// dns_name_matches says whether the presented dNSName `presented` (possibly
// a wildcard) matches reference host `host` with the rules above.
bool dns_name_matches(std::string_view presented, std::string_view host);

// email_matches says whether the rfc822Name `presented` matches the
// reference address `address` (local part exact, domain case-insensitive).
bool email_matches(std::string_view presented, std::string_view address);

// check_identity checks that `cert` presents `id`. cert_name_mismatch
// otherwise, with a message listing what the certificate does present, e.g.
//   "certificate does not match host www.example.org (presented: DNS:example.com,
//   DNS:*.example.net)".
// A reference that is not a valid host / address / email is config_invalid.
Result<void> check_identity(const Certificate& cert, const ReferenceIdentity& id);

}  // namespace tessera::x509
