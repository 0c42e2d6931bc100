// x509/name_constraints.h — RFC 5280 4.2.1.10 name constraints.
//
// The matching primitives work on plain strings and bytes; check_name_constraints
// applies one certificate's NameConstraints extension to the names of a
// certificate below it in the path (RFC 5280 6.1.3 (b) and (c)).
//
// Name forms and their rules:
//   - dNSName: a constraint "example.com" covers "example.com" and every name
//     made by adding labels on the left ("a.example.com"), compared ASCII
//     case-insensitively label by label ("badexample.com" is not covered).
//     A constraint with a leading dot (".example.com", an OpenSSL/Go
//     extension) covers only proper subdomains. An empty constraint covers
//     every name.
//   - rfc822Name: "user@host" is one mailbox; "host" every mailbox at that
//     host; ".host" every mailbox at any subdomain of host.
//   - iPAddress: address/mask pairs (8 octets for IPv4, 32 for IPv6); an
//     address is covered when it has the same length and agrees with the base
//     on every masked bit.
//   - directoryName: a Name is covered when the constraint's RDNs are a
//     prefix of its RDNs (RFC 5280 7.1 comparison).
// A wildcard dNSName ("*.example.com") is checked as the set of names it can
// match: it is permitted only if every name it matches is permitted, and
// excluded if any name it matches is excluded.
// Constraints of other forms (URI, otherName, ...) cannot be evaluated: if the
// certificate carries a name of such a form and a constraint of that form
// applies, the check fails closed with cert_unsupported.
#pragma once

#include <string_view>

#include "base/bytes.h"
#include "tessera/result.h"
#include "x509/extensions.h"
#include "x509/name.h"

namespace tessera::x509 {

class Certificate;

// dns_name_in_subtree says whether dNSName `name` (possibly "*.rest") lies in
// the subtree `constraint`, for a permitted check (wildcards must lie wholly
// inside).
bool dns_name_in_subtree(std::string_view name, std::string_view constraint);
// dns_name_overlaps_subtree says whether any name matched by `name` could lie
// in `constraint`, for an excluded check.
bool dns_name_overlaps_subtree(std::string_view name, std::string_view constraint);
// email_in_subtree says whether the address `email` lies in `constraint`.
bool email_in_subtree(std::string_view email, std::string_view constraint);
// ip_in_subtree says whether `ip` (4 or 16 octets) lies in `constraint`
// (address followed by mask: 8 or 32 octets).
bool ip_in_subtree(ByteView ip, ByteView constraint);
// directory_name_in_subtree says whether `name` lies under `constraint`.
bool directory_name_in_subtree(const Name& name, const Name& constraint);

// check_name_constraints applies `nc` (from a CA certificate) to `cert`'s
// names: every subjectAltName entry, the subject as a directoryName (when not
// empty), the subject's emailAddress attributes as rfc822Names, and, for the
// end-entity certificate (is_leaf) without any dNSName SAN, a subject CN that
// looks like a host name as a dNSName (as OpenSSL and BoringSSL do).
// cert_name_constraints naming the offending name and whether it was not
// permitted or excluded, e.g. "DNS:www.evil.com is not in the permitted
// subtrees (DNS:example.com)"; cert_unsupported as described above.
Result<void> check_name_constraints(const NameConstraints& nc, const Certificate& cert,
                                    bool is_leaf);

}  // namespace tessera::x509
