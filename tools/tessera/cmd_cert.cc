// `tessera cert`: a small CA for tests and local deployments.
//
//   tessera cert ca           --out-cert ca.pem --out-key ca.key [--subject "CN=..."]
//                             [--key-type T] [--days N] [--path-len N]
//   tessera cert intermediate --ca ca.pem --ca-key ca.key --out-cert --out-key
//                             [--subject] [--key-type] [--days] [--path-len N (default 0)]
//   tessera cert server       --ca --ca-key --dns NAME... --ip ADDR... [--uri URI...]
//                             --out-cert --out-key [--subject] [--key-type] [--days]
//                             [--chain] [--must-staple]
//   tessera cert client       --ca --ca-key [--email ADDR...] [--dns NAME...] [--uri URI...]
//                             --out-cert --out-key [--subject] [--key-type] [--days] [--chain]
//   tessera cert local-mtls   --dir DIR [--host NAME|ADDR...] [--key-type] [--days]
//   tessera cert crl          --ca --ca-key [--revoke CERT.pem...] [--serial HEX...]
//                             [--reason NAME] [--days N (default 7)] [--number N] --out
//   tessera cert ocsp         --ca --ca-key --cert LEAF.pem [--status good|revoked|unknown]
//                             [--reason NAME] [--days N (default 7)]
//                             [--responder-cert R.pem --responder-key R.key] --out
//
// Key types: ec-p256 (default), ec-p384, rsa2048, rsa3072, rsa4096, ed25519.
// Keys are written as unencrypted PKCS#8 PEM with mode 0600, certificates,
// CRLs and responses with 0644, each to a new file renamed into place. An
// existing output is replaced only with --force, and never when it is also an
// input (--ca, --ca-key, ...). --chain appends the certificates of the --ca
// file (re-encoded as PEM: nothing else the file holds) to the leaf's (a
// "fullchain" file).
// local-mtls writes ca.pem/ca.key, server.pem/server.key (localhost,
// 127.0.0.1, ::1 unless --host is given) and client.pem/client.key into DIR.
// crl writes a v2 CRL signed by --ca (PEM "X509 CRL"), valid from an hour ago
// (clock skew, as for certificates) until --days from now, listing the serial
// of each --revoke certificate (which --ca must have issued) and each --serial
// (hex, colons allowed), all with the same revocation date and --reason.
// ocsp writes a DER OCSPResponse (RFC 6960) giving --status for LEAF (which
// --ca must have issued; a chain file's first certificate), thisUpdate an
// hour ago, nextUpdate --days from now, signed by --ca or by the delegated
// responder --responder-cert (issued by --ca with extKeyUsage OCSPSigning,
// included in the response). A revoked certificate is revoked as of
// thisUpdate, with --reason if given.
//
// Exit status: 0 written; 1 failure (message on stderr); 2 usage error.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/hex.h"
#include "command.h"
#include "crypto/provider.h"
#include "tls_options.h"
#include "wire/extensions.h"
#include "x509/builder.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/identity.h"
#include "x509/name.h"
#include "x509/ocsp.h"
#include "x509/pem.h"

namespace tessera::cli {
namespace {

struct CertArgs {
  std::string out_cert, out_key, subject, key_type = "ec-p256", ca, ca_key, dir;
  std::vector<std::string> dns, ip, email, uri, hosts;
  std::vector<std::string> revoke, serials;                          // crl
  std::string reason, out;                                           // crl
  uint64_t crl_number = 1;                                           // crl
  std::string leaf, status = "good", responder_cert, responder_key;  // ocsp
  int64_t days = 0;
  int64_t path_len = -1;
  bool chain = false;
  bool must_staple = false;  // server: RFC 7633 TLS feature status_request
  bool force = false;        // replace existing output files
};

// check_outputs refuses, before anything is made or written: an output that
// is also an input (--out-key ca.key would lose the CA's key), two outputs at
// one path, a directory, and an existing file unless --force.
Result<void> check_outputs(const CertArgs& a, const std::vector<std::string>& outputs) {
  namespace fs = std::filesystem;
  std::vector<std::string> inputs = {a.ca, a.ca_key, a.leaf, a.responder_cert, a.responder_key};
  inputs.insert(inputs.end(), a.revoke.begin(), a.revoke.end());
  std::error_code ec;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string& out = outputs[i];
    if (out.empty() || !fs::exists(fs::symlink_status(out, ec))) {
      for (size_t j = 0; j < i; ++j)
        if (outputs[j] == out)
          return Error(ErrorCode::config_invalid, out + " is named for two outputs");
      continue;
    }
    if (fs::is_directory(out, ec))
      return Error(ErrorCode::config_invalid, "cannot write " + out + ": it is a directory");
    for (const std::string& in : inputs)
      if (!in.empty() && fs::equivalent(in, out, ec))
        return Error(ErrorCode::config_invalid,
                     out + " is also an input (" + in + "): refusing to overwrite it");
    for (size_t j = 0; j < i; ++j)
      if (fs::equivalent(outputs[j], out, ec))
        return Error(ErrorCode::config_invalid, out + " is named for two outputs");
    if (!a.force) return Error(ErrorCode::config_invalid, out + " exists; --force replaces it");
  }
  return ok();
}

int fail(const std::string& message) {
  std::fprintf(stderr, "tessera cert: %s\n", message.c_str());
  return 1;
}

int fail(const Error& e) { return fail(e.to_string()); }

Result<crypto::KeyGenParams> parse_key_type(const std::string& t) {
  crypto::KeyGenParams p;
  if (t == "ec-p256" || t == "p256") {
    p.type = crypto::KeyType::ec_p256;
  } else if (t == "ec-p384" || t == "p384") {
    p.type = crypto::KeyType::ec_p384;
  } else if (t == "ed25519") {
    p.type = crypto::KeyType::ed25519;
  } else if (t == "rsa2048" || t == "rsa3072" || t == "rsa4096") {
    p.type = crypto::KeyType::rsa;
    p.rsa_bits = static_cast<size_t>(std::stoi(t.substr(3)));
  } else {
    return Error(
        ErrorCode::config_invalid,
        "unknown key type \"" + t + "\" (ec-p256, ec-p384, rsa2048, rsa3072, rsa4096, ed25519)");
  }
  return p;
}

x509::UnixTime now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Issuer {
  x509::Certificate cert;
  std::unique_ptr<crypto::PrivateKey> key;
  // The --ca file's certificates, as PEM (for --chain): never the file
  // itself, which may hold the CA's private key too, or be DER.
  std::string chain_pem;
};

// load_signer reads a certificate file (its first certificate) and the
// private key that goes with it.
Result<Issuer> load_signer(crypto::Provider& p, const std::string& cert_path,
                           const std::string& key_path) {
  Issuer is;
  TESSERA_ASSIGN_OR_RETURN(std::string text, read_text_file(cert_path));
  Result<std::vector<x509::Certificate>> certs = x509::parse_certificates(as_bytes_view(text));
  if (!certs) return certs.error().with_context("reading " + cert_path);
  if (certs->empty()) return Error(ErrorCode::cert_parse, "no certificate in " + cert_path);
  for (const x509::Certificate& c : *certs)
    is.chain_pem += x509::pem_encode(x509::pem_label::kCertificate, c.der());
  is.cert = std::move((*certs)[0]);
  TESSERA_ASSIGN_OR_RETURN(SecretBytes key_pem, read_secret_file(key_path));
  Result<std::unique_ptr<crypto::PrivateKey>> key = p.load_private_key(key_pem.view());
  if (!key) return key.error().with_context("loading " + key_path);
  is.key = std::move(*key);
  return is;
}

Result<Issuer> load_issuer(crypto::Provider& p, const CertArgs& a) {
  if (a.ca.empty() || a.ca_key.empty()) {
    return Error(ErrorCode::config_invalid, "--ca and --ca-key are required");
  }
  TESSERA_ASSIGN_OR_RETURN(Issuer is, load_signer(p, a.ca, a.ca_key));
  if (!is.cert.is_ca()) {
    return Error(ErrorCode::cert_invalid_ca,
                 a.ca + " (" + is.cert.subject().to_string() + ") is not a CA certificate");
  }
  return is;
}

// Writes the certificate (plus the issuer chain when asked) and its key.
Result<void> write_outputs(const CertArgs& a, const Bytes& der, const crypto::PrivateKey& key,
                           const std::string& chain_pem) {
  if (a.out_cert.empty() || a.out_key.empty()) {
    return Error(ErrorCode::config_invalid, "--out-cert and --out-key are required");
  }
  std::string pem = x509::pem_encode(x509::pem_label::kCertificate, der);
  if (!chain_pem.empty()) pem += chain_pem;
  TESSERA_ASSIGN_OR_RETURN(std::string key_pem, key.to_pkcs8_pem());
  TESSERA_TRY(write_secret_file(a.out_key, key_pem));
  TESSERA_TRY(write_text_file(a.out_cert, pem));
  TESSERA_ASSIGN_OR_RETURN(x509::Certificate c, x509::Certificate::parse(der));
  std::printf("wrote %s: %s, serial %s, valid until %s\n", a.out_cert.c_str(),
              c.subject().to_string().c_str(), c.serial_hex().c_str(),
              x509::format_iso8601(c.not_after()).c_str());
  std::printf("wrote %s (%s key)\n", a.out_key.c_str(),
              std::string(crypto::key_type_name(key.type())).c_str());
  return ok();
}

enum class Kind { ca, intermediate, server, client };

Result<void> issue(Kind kind, const CertArgs& a) {
  std::shared_ptr<crypto::Provider> p = crypto::default_provider();
  TESSERA_ASSIGN_OR_RETURN(crypto::KeyGenParams params, parse_key_type(a.key_type));
  int64_t days = a.days > 0 ? a.days
                            : (kind == Kind::ca             ? 3650
                               : kind == Kind::intermediate ? 1825
                                                            : 365);
  x509::UnixTime t = now();

  std::vector<Bytes> ips;
  for (const std::string& s : a.ip) {
    std::optional<Bytes> ip = x509::parse_ip_address(s);
    if (!ip)
      return Error(ErrorCode::config_invalid, "--ip " + s + " is not an IPv4 or IPv6 address");
    ips.push_back(*ip);
  }
  // RFC 5280 4.2.1.6: a uniformResourceIdentifier SAN is an IA5String
  // holding an absolute URI (RFC 3986 3: scheme ":" ...), never a relative
  // one; SPIFFE IDs are "spiffe://trust-domain/path".
  for (const std::string& u : a.uri) {
    const size_t colon = u.find(':');
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < u.size() &&
              ((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z'));
    for (size_t i = 0; ok && i < colon; ++i)
      ok = std::isalnum(static_cast<unsigned char>(u[i])) || u[i] == '+' || u[i] == '-' ||
           u[i] == '.';
    for (char c : u) ok = ok && c > 0x20 && c < 0x7f;
    if (!ok)
      return Error(ErrorCode::config_invalid,
                   "--uri " + u + " is not an absolute URI (scheme:..., printable ASCII)");
  }
  // RFC 5280 4.2.1.6 / RFC 1034 3.5: a dNSName is a preferred-name-syntax
  // DNS name; RFC 9525 6.3: a wildcard only as the whole left-most label, over
  // at least two more. An IP address belongs in --ip.
  for (const std::string& d : a.dns) {
    const bool wildcard = d.rfind("*.", 0) == 0;
    const std::string_view base = wildcard ? std::string_view(d).substr(2) : std::string_view(d);
    if (x509::parse_ip_address(d) || x509::numeric_ipv4_form(d))
      return Error(ErrorCode::config_invalid, "--dns " + d + " is an IP address: use --ip");
    if (!x509::is_valid_dns_reference(base) || (wildcard && base.find('.') == std::string::npos))
      return Error(ErrorCode::config_invalid,
                   "--dns " + d +
                       " is not a DNS name (letters, digits and hyphens in dot-separated labels; "
                       "a wildcard only as \"*.\" before two or more labels)");
  }
  TESSERA_TRY(check_outputs(a, {a.out_cert, a.out_key}));
  if (kind == Kind::server && a.dns.empty() && a.ip.empty()) {
    return Error(ErrorCode::config_invalid,
                 "a server certificate needs at least one --dns or --ip");
  }
  std::string subject = a.subject;
  if (subject.empty()) {
    switch (kind) {
      case Kind::ca: subject = "O=tessera, CN=tessera CA"; break;
      case Kind::intermediate: subject = "O=tessera, CN=tessera intermediate CA"; break;
      case Kind::server: subject = "CN=" + (a.dns.empty() ? a.ip[0] : a.dns[0]); break;
      case Kind::client:
        subject = "CN=" + (a.email.empty() ? std::string("tessera client") : a.email[0]);
        break;
    }
  }
  TESSERA_ASSIGN_OR_RETURN(x509::Name name, x509::Name::from_string(subject));
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<crypto::PrivateKey> key,
                           p->generate_private_key(params));

  x509::CertificateBuilder b(*p);
  // Backdate by an hour to tolerate clock skew between hosts.
  b.subject(name).validity(t - 3600, t + days * 86400).subject_public_key(key->public_spki());
  switch (kind) {
    case Kind::ca:
      b.ca(a.path_len >= 0 ? std::optional<uint32_t>(static_cast<uint32_t>(a.path_len))
                           : std::nullopt);
      break;
    case Kind::intermediate: b.ca(static_cast<uint32_t>(a.path_len >= 0 ? a.path_len : 0)); break;
    case Kind::server:
      b.leaf_for(x509::LeafRole::server);
      // RFC 7633: clients that ask for OCSP then require a stapled response.
      if (a.must_staple) b.tls_feature({wire::kExtStatusRequest});
      break;
    case Kind::client: b.leaf_for(x509::LeafRole::client); break;
  }
  for (const std::string& d : a.dns) b.add_dns(d);
  for (const Bytes& ip : ips) b.add_ip(ip);
  for (const std::string& e : a.email) b.add_email(e);
  for (const std::string& u : a.uri) b.add_uri(u);

  Bytes der;
  std::string chain;
  if (kind == Kind::ca) {
    TESSERA_ASSIGN_OR_RETURN(der, b.self_sign(*key));
  } else {
    TESSERA_ASSIGN_OR_RETURN(Issuer is, load_issuer(*p, a));
    if (kind == Kind::intermediate) {
      // RFC 5280 4.2.1.9: an issuer with pathLenConstraint N allows at most
      // N - 1 below the CA it issues; 0 allows no CA at all. (6.1.4 (l): a
      // self-issued CA, one named as its issuer, would not count; so the
      // name must differ.)
      const auto& bc = is.cert.extensions().basic_constraints;
      const uint32_t ours = static_cast<uint32_t>(a.path_len >= 0 ? a.path_len : 0);
      if (bc && bc->path_len && *bc->path_len == 0)
        return Error(ErrorCode::cert_path_length,
                     a.ca + " (" + is.cert.subject().to_string() +
                         ") has pathLenConstraint 0: it may issue no CA certificate");
      if (bc && bc->path_len && ours >= *bc->path_len)
        return Error(ErrorCode::cert_path_length,
                     "--path-len " + std::to_string(ours) + ": " + a.ca +
                         " has pathLenConstraint " + std::to_string(*bc->path_len) +
                         ", so a CA it issues allows at most " + std::to_string(*bc->path_len - 1));
      if (x509::names_equal(name, is.cert.subject()))
        return Error(ErrorCode::config_invalid,
                     "the intermediate would have its issuer's name (" + name.to_string() +
                         "), which makes it self-issued (RFC 5280 6.1.4): give another --subject");
    }
    TESSERA_ASSIGN_OR_RETURN(der, b.sign(is.cert, *is.key));
    if (a.chain) chain = is.chain_pem;
  }
  return write_outputs(a, der, *key, chain);
}

Result<void> local_mtls(const CertArgs& a) {
  if (a.dir.empty()) return Error(ErrorCode::config_invalid, "--dir is required");
  std::shared_ptr<crypto::Provider> p = crypto::default_provider();
  TESSERA_ASSIGN_OR_RETURN(crypto::KeyGenParams params, parse_key_type(a.key_type));
  std::vector<std::string> outputs;
  for (const char* name : {"ca", "server", "client"})
    for (const char* ext : {".pem", ".key"})
      outputs.push_back((std::filesystem::path(a.dir) / (std::string(name) + ext)).string());
  TESSERA_TRY(check_outputs(a, outputs));
  TESSERA_ASSIGN_OR_RETURN(x509::LocalPki pki, x509::make_local_pki(*p, params, now(), a.hosts,
                                                                    a.days > 0 ? a.days : 30));
  struct Out {
    const char* name;
    const x509::IssuedCertificate* cert;
  } outs[] = {{"ca", &pki.ca}, {"server", &pki.server}, {"client", &pki.client}};
  for (const Out& o : outs) {
    std::string base = (std::filesystem::path(a.dir) / o.name).string();
    TESSERA_ASSIGN_OR_RETURN(std::string key_pem, o.cert->key_pem());
    TESSERA_TRY(write_secret_file(base + ".key", key_pem));
    TESSERA_TRY(write_text_file(base + ".pem", o.cert->cert_pem()));
    TESSERA_ASSIGN_OR_RETURN(x509::Certificate c, x509::Certificate::parse(o.cert->der));
    std::printf("wrote %s.pem: %s, valid until %s\n", base.c_str(), c.subject().to_string().c_str(),
                x509::format_iso8601(c.not_after()).c_str());
  }
  std::printf(
      "try: tessera server --port 8443 --cert %s/server.pem --key %s/server.key --client-ca "
      "%s/ca.pem --verify-client require\n"
      "     tessera client --ca %s/ca.pem --cert %s/client.pem --key %s/client.key "
      "localhost:8443\n",
      a.dir.c_str(), a.dir.c_str(), a.dir.c_str(), a.dir.c_str(), a.dir.c_str(), a.dir.c_str());
  return ok();
}

// RFC 5280 5.3.1 CRLReason names, as `openssl ca -crl_reason` spells them.
constexpr struct {
  const char* name;
  x509::CrlReason reason;
} kCrlReasons[] = {
    {"unspecified", x509::CrlReason::unspecified},
    {"keyCompromise", x509::CrlReason::key_compromise},
    {"CACompromise", x509::CrlReason::ca_compromise},
    {"affiliationChanged", x509::CrlReason::affiliation_changed},
    {"superseded", x509::CrlReason::superseded},
    {"cessationOfOperation", x509::CrlReason::cessation_of_operation},
    {"certificateHold", x509::CrlReason::certificate_hold},
    {"removeFromCRL", x509::CrlReason::remove_from_crl},
    {"privilegeWithdrawn", x509::CrlReason::privilege_withdrawn},
    {"AACompromise", x509::CrlReason::aa_compromise},
};

Result<x509::CrlReason> parse_crl_reason(const std::string& name) {
  std::string names;
  for (const auto& r : kCrlReasons) {
    // Case-insensitive: "cACompromise" (RFC 5280) and "CACompromise" (OpenSSL) both work.
    if (name.size() == std::string_view(r.name).size() &&
        std::equal(name.begin(), name.end(), r.name, [](char x, char y) {
          return std::tolower(static_cast<unsigned char>(x)) ==
                 std::tolower(static_cast<unsigned char>(y));
        }))
      return r.reason;
    names += (names.empty() ? "" : ", ") + std::string(r.name);
  }
  return Error(ErrorCode::config_invalid, "unknown --reason \"" + name + "\" (" + names + ")");
}

// parse_serial reads a serial number in hex ("0x" prefix and colons allowed,
// as openssl prints them) into INTEGER content octets as Certificate::serial()
// returns them: minimal, with a leading 0x00 when the top bit is set.
Result<Bytes> parse_serial(const std::string& text) {
  const Error not_hex(ErrorCode::config_invalid, "--serial \"" + text + "\" is not a hex number");
  std::string_view t = text;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.remove_prefix(2);
  std::string digits;
  for (char c : t) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return not_hex;
    digits.push_back(c);
  }
  if (digits.empty()) return not_hex;
  if (digits.size() % 2 != 0) digits.insert(digits.begin(), '0');
  std::optional<Bytes> raw = from_hex(digits);
  if (!raw) return not_hex;
  Bytes serial(std::find_if(raw->begin(), raw->end(), [](uint8_t b) { return b != 0; }),
               raw->end());
  if (serial.empty() || serial[0] & 0x80) serial.insert(serial.begin(), 0);
  // RFC 5280 4.1.2.2: serial numbers are at most 20 octets.
  if (serial.size() > 20)
    return Error(ErrorCode::config_invalid, "--serial \"" + text + "\" is longer than 20 octets");
  return serial;
}

// load_issued reads the certificates of `path` and checks that `issuer`
// issued the first (issuer name and signature); `option` is the flag that
// named the file and `why` ends the refusal.
Result<std::vector<x509::Certificate>> load_issued(crypto::Provider& p, const std::string& option,
                                                   const std::string& path, const Issuer& issuer,
                                                   const std::string& issuer_path,
                                                   const std::string& why) {
  TESSERA_ASSIGN_OR_RETURN(std::string text, read_text_file(path));
  auto certs = x509::parse_certificates(as_bytes_view(text));
  if (!certs) return std::move(certs).error().with_context(path);
  if (certs->empty()) return Error(ErrorCode::cert_parse, "no certificate in " + path);
  const x509::Certificate& c = (*certs)[0];
  if (!x509::names_equal(c.issuer(), issuer.cert.subject()) ||
      !x509::verify_certificate_signature(p, c, issuer.cert.spki_der()).ok()) {
    std::string message = option + " " + path + " (" + c.subject().to_string() + ", issued by " +
                          c.issuer().to_string() + ") was not issued by " + issuer_path + " (" +
                          issuer.cert.subject().to_string() + "): " + why;
    return Error(ErrorCode::config_invalid, std::move(message));
  }
  return std::move(*certs);
}

// load_revoked returns the serial of the first certificate of `path`, after
// checking that `issuer` issued it (issuer name and signature): a CRL can only
// revoke certificates of its own issuer.
Result<Bytes> load_revoked(crypto::Provider& p, const std::string& path, const Issuer& issuer,
                           const std::string& issuer_path) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<x509::Certificate> certs,
                           load_issued(p, "--revoke", path, issuer, issuer_path,
                                       "a CRL lists only its issuer's certificates"));
  const x509::Certificate& c = certs[0];
  // A chain file (as `tessera cert client --chain` writes) is the
  // certificate and then its issuers: those are not revoked. A file of
  // several certificates this CA issued is ambiguous, so refused rather than
  // revoking only the first.
  for (size_t i = 1; i < certs.size(); ++i) {
    const x509::Certificate& more = certs[i];
    if (std::ranges::equal(more.der(), issuer.cert.der())) continue;  // --ca itself (a root)
    if (x509::names_equal(more.issuer(), issuer.cert.subject()) &&
        x509::verify_certificate_signature(p, more, issuer.cert.spki_der()).ok())
      return Error(ErrorCode::config_invalid,
                   "--revoke " + path + " holds more than one certificate issued by " +
                       issuer_path + " (" + c.subject().to_string() + ", " +
                       more.subject().to_string() +
                       "): give one certificate per --revoke (a chain file may follow it with "
                       "its issuers)");
  }
  return Bytes(c.serial().begin(), c.serial().end());
}

Result<void> issue_crl(const CertArgs& a) {
  std::shared_ptr<crypto::Provider> p = crypto::default_provider();
  TESSERA_TRY(check_outputs(a, {a.out}));
  const int64_t days = a.days > 0 ? a.days : 7;
  std::optional<x509::CrlReason> reason;
  if (!a.reason.empty()) {
    TESSERA_ASSIGN_OR_RETURN(reason, parse_crl_reason(a.reason));
    // RFC 5280 5.3.1: removeFromCRL only appears in delta CRLs.
    if (reason == x509::CrlReason::remove_from_crl)
      return Error(ErrorCode::config_invalid,
                   "--reason removeFromCRL is only for delta CRLs; tessera cert crl issues "
                   "complete CRLs: to un-revoke a certificate, issue a new CRL without it");
  }
  TESSERA_ASSIGN_OR_RETURN(Issuer is, load_issuer(*p, a));
  std::vector<Bytes> serials;
  for (const std::string& path : a.revoke) {
    TESSERA_ASSIGN_OR_RETURN(Bytes s, load_revoked(*p, path, is, a.ca));
    serials.push_back(std::move(s));
  }
  for (const std::string& text : a.serials) {
    TESSERA_ASSIGN_OR_RETURN(Bytes s, parse_serial(text));
    serials.push_back(std::move(s));
  }
  // Backdated by an hour, as certificates are, for verifiers whose clock is
  // behind; the revocations take effect from the same moment.
  const x509::UnixTime t = now(), this_update = t - 3600, next_update = t + days * 86400;
  x509::CrlBuilder b(*p);
  b.this_update(this_update).next_update(next_update).crl_number(a.crl_number);
  std::vector<Bytes> listed;
  for (Bytes& s : serials) {
    if (std::find(listed.begin(), listed.end(), s) != listed.end()) continue;  // named twice
    listed.push_back(s);
    b.revoke(std::move(s), this_update, reason);
  }
  TESSERA_ASSIGN_OR_RETURN(Bytes der, b.sign(is.cert, *is.key));
  TESSERA_TRY(write_text_file(a.out, x509::pem_encode(x509::pem_label::kCrl, der)));
  std::printf("wrote %s: CRL number %llu by %s, %zu revoked, next update %s\n", a.out.c_str(),
              static_cast<unsigned long long>(a.crl_number), is.cert.subject().to_string().c_str(),
              listed.size(), x509::format_iso8601(next_update).c_str());
  return ok();
}

Result<void> issue_ocsp(const CertArgs& a) {
  std::shared_ptr<crypto::Provider> p = crypto::default_provider();
  TESSERA_TRY(check_outputs(a, {a.out}));
  // The CA/Browser Forum caps an OCSP response's validity at 10 days, and
  // clients (tessera's, x509::OcspCheckOptions::max_validity_s) use none
  // older than that, whatever its nextUpdate.
  if (a.days > 10)
    return Error(ErrorCode::config_invalid,
                 "--days " + std::to_string(a.days) +
                     ": OCSP responses are used for at most 10 days after thisUpdate");
  const int64_t days = a.days > 0 ? a.days : 7;
  x509::OcspCertStatus status = x509::OcspCertStatus::good;
  if (a.status == "revoked") status = x509::OcspCertStatus::revoked;
  if (a.status == "unknown") status = x509::OcspCertStatus::unknown;
  std::optional<x509::CrlReason> reason;
  if (!a.reason.empty()) {
    TESSERA_ASSIGN_OR_RETURN(reason, parse_crl_reason(a.reason));
  }
  TESSERA_ASSIGN_OR_RETURN(Issuer is, load_issuer(*p, a));
  TESSERA_ASSIGN_OR_RETURN(std::vector<x509::Certificate> leaf,
                           load_issued(*p, "--cert", a.leaf, is, a.ca,
                                       "an OCSP response of a CA covers only its certificates"));
  std::optional<Issuer> responder;
  if (!a.responder_cert.empty()) {
    TESSERA_ASSIGN_OR_RETURN(responder, load_signer(*p, a.responder_cert, a.responder_key));
  }
  // thisUpdate backdated by an hour, as certificates and CRLs are, for
  // verifiers whose clock is behind; a revocation takes effect from then.
  const x509::UnixTime t = now(), this_update = t - 3600, next_update = t + days * 86400;
  x509::OcspResponseBuilder b(*p);
  b.produced_at(t).add(leaf[0], is.cert, status, this_update, next_update,
                       status == x509::OcspCertStatus::revoked ? this_update : 0, reason);
  const Issuer& signer = responder ? *responder : is;
  Result<Bytes> der = b.sign(signer.cert, *signer.key);
  if (!der) {
    return responder ? der.error().with_context("--responder-cert " + a.responder_cert)
                     : der.error();
  }
  TESSERA_TRY(write_text_file(a.out, std::string(der->begin(), der->end())));
  std::string what(x509::ocsp_status_name(status));
  if (reason) what += " (reason " + x509::crl_reason_name(*reason) + ")";
  std::printf(
      "wrote %s: OCSP response for %s serial %s: %s, thisUpdate %s, nextUpdate %s, "
      "signed by %s%s\n",
      a.out.c_str(), leaf[0].subject().to_string().c_str(), leaf[0].serial_hex().c_str(),
      what.c_str(), x509::format_iso8601(this_update).c_str(),
      x509::format_iso8601(next_update).c_str(), signer.cert.subject().to_string().c_str(),
      responder ? " (delegated responder)" : "");
  return ok();
}

void add_common(CLI::App* sub, CertArgs& a, bool issued) {
  sub->add_option("--out-cert", a.out_cert, "Where to write the certificate (PEM)")->required();
  sub->add_option("--out-key", a.out_key, "Where to write the private key (PKCS#8 PEM, 0600)")
      ->required();
  sub->add_option("--subject", a.subject, "Subject name, e.g. \"CN=example, O=Org, C=US\"");
  sub->add_option("--key-type", a.key_type,
                  "ec-p256 (default), ec-p384, rsa2048, rsa3072, rsa4096, ed25519");
  sub->add_option("--days", a.days, "Validity in days (1 to 36500)")
      ->check(CLI::Range(int64_t{1}, int64_t{36500}));
  sub->add_flag("--force", a.force, "Replace --out-cert and --out-key if they exist");
  if (issued) {
    sub->add_option("--ca", a.ca, "Issuer certificate (PEM)")->required();
    sub->add_option("--ca-key", a.ca_key, "Issuer private key (PEM)")->required();
  }
}

const bool kRegistered = register_command(
    {"cert", "Create CA, intermediate, server and client certificates, CRLs and OCSP responses",
     [](CLI::App& app) -> Runner {
       auto a = std::make_shared<CertArgs>();
       app.require_subcommand(1);
       CLI::App* ca = app.add_subcommand("ca", "Create a self-signed root CA");
       add_common(ca, *a, false);
       ca->add_option("--path-len", a->path_len, "pathLenConstraint (default: none)")
           ->check(CLI::Range(int64_t{0}, int64_t{255}));
       CLI::App* inter = app.add_subcommand("intermediate", "Create an intermediate CA");
       add_common(inter, *a, true);
       inter->add_option("--path-len", a->path_len, "pathLenConstraint (default 0)")
           ->check(CLI::Range(int64_t{0}, int64_t{255}));
       CLI::App* server = app.add_subcommand("server", "Create a TLS server certificate");
       add_common(server, *a, true);
       server->add_option("--dns", a->dns, "DNS name (repeatable)");
       server->add_option("--ip", a->ip, "IP address (repeatable)");
       server->add_option("--uri", a->uri,
                          "URI, e.g. a SPIFFE ID spiffe://DOMAIN/PATH (repeatable)");
       server->add_flag("--chain", a->chain, "Append the issuer certificate(s) to --out-cert");
       server->add_flag("--must-staple", a->must_staple,
                        "Add the TLS feature status_request (RFC 7633, OCSP must-staple)");
       CLI::App* client = app.add_subcommand("client", "Create a TLS client certificate");
       add_common(client, *a, true);
       client->add_option("--email", a->email, "rfc822Name (repeatable)");
       client->add_option("--dns", a->dns, "DNS name (repeatable)");
       client->add_option("--uri", a->uri,
                          "URI, e.g. a SPIFFE ID spiffe://DOMAIN/PATH (repeatable)");
       client->add_flag("--chain", a->chain, "Append the issuer certificate(s) to --out-cert");
       CLI::App* mtls = app.add_subcommand("local-mtls", "Create a CA, server and client set");
       mtls->add_option("--dir", a->dir, "Output directory")->required();
       mtls->add_option("--host", a->hosts,
                        "Server name or address (repeatable; default localhost 127.0.0.1 ::1)");
       mtls->add_option("--key-type", a->key_type, "Key type for all three keys");
       mtls->add_flag("--force", a->force, "Replace the files if they exist in --dir");
       mtls->add_option("--days", a->days, "Validity in days (default 30; at most 36500)")
           ->check(CLI::Range(int64_t{1}, int64_t{36500}));
       CLI::App* crl = app.add_subcommand("crl", "Issue a certificate revocation list");
       crl->add_option("--ca", a->ca, "Issuer certificate (PEM)")->required();
       crl->add_option("--ca-key", a->ca_key, "Issuer private key (PEM)")->required();
       crl->add_option(
              "--revoke", a->revoke,
              "Revoke this certificate (PEM, issued by --ca; a chain file's first); repeatable")
           ->check(CLI::ExistingFile);
       crl->add_option("--serial", a->serials, "Revoke this serial number (hex); repeatable");
       crl->add_option("--reason", a->reason,
                       "CRLReason of every entry: keyCompromise, CACompromise, "
                       "affiliationChanged, superseded, cessationOfOperation, certificateHold, "
                       "privilegeWithdrawn, ... (default: none)");
       crl->add_option("--days", a->days, "Days until nextUpdate (default 7; at most 36500)")
           ->check(CLI::Range(int64_t{1}, int64_t{36500}));
       crl->add_option("--number", a->crl_number, "cRLNumber")
           ->check(CLI::NonNegativeNumber)
           ->capture_default_str();
       crl->add_option("--out", a->out, "Where to write the CRL (PEM)")->required();
       crl->add_flag("--force", a->force, "Replace --out if it exists");
       CLI::App* ocsp =
           app.add_subcommand("ocsp", "Issue an OCSP response (DER) for a certificate");
       ocsp->add_option("--ca", a->ca, "Issuer certificate (PEM)")->required();
       ocsp->add_option("--ca-key", a->ca_key, "Issuer private key (PEM)")->required();
       ocsp->add_option("--cert", a->leaf,
                        "The certificate (PEM, issued by --ca; a chain file's first)")
           ->required()
           ->check(CLI::ExistingFile);
       ocsp->add_option("--status", a->status, "good (default), revoked or unknown")
           ->check(CLI::IsMember({"good", "revoked", "unknown"}));
       ocsp->add_option("--reason", a->reason,
                        "CRLReason of a revoked certificate: keyCompromise, CACompromise, "
                        "superseded, ... (default: none)");
       ocsp->add_option("--days", a->days, "Days until nextUpdate (default 7, at most 10)")
           ->check(CLI::PositiveNumber);
       CLI::Option* rcert =
           ocsp->add_option("--responder-cert", a->responder_cert,
                            "Delegated responder certificate (PEM, issued by --ca, extKeyUsage "
                            "OCSPSigning) to sign with instead of --ca")
               ->check(CLI::ExistingFile);
       CLI::Option* rkey =
           ocsp->add_option("--responder-key", a->responder_key, "Its private key (PEM)")
               ->check(CLI::ExistingFile);
       rcert->needs(rkey);
       rkey->needs(rcert);
       ocsp->add_option("--out", a->out, "Where to write the response (DER)")->required();
       ocsp->add_flag("--force", a->force, "Replace --out if it exists");
       return [a, &app, ca, inter, server, client, mtls, crl, ocsp]() {
         Result<void> r = ok();
         if (ca->parsed()) {
           r = issue(Kind::ca, *a);
         } else if (inter->parsed()) {
           r = issue(Kind::intermediate, *a);
         } else if (server->parsed()) {
           r = issue(Kind::server, *a);
         } else if (client->parsed()) {
           r = issue(Kind::client, *a);
         } else if (mtls->parsed()) {
           r = local_mtls(*a);
         } else if (crl->parsed()) {
           r = issue_crl(*a);
         } else if (ocsp->parsed()) {
           // RFC 6960 4.2.1: revocationReason belongs to a revoked status.
           if (!a->reason.empty() && a->status != "revoked") {
             std::fprintf(stderr, "tessera cert ocsp: --reason needs --status revoked\n");
             return 2;
           }
           r = issue_ocsp(*a);
         } else {
           std::fprintf(stderr, "%s", app.help().c_str());
           return 2;
         }
         return r.ok() ? 0 : fail(r.error());
       };
     }});

}  // namespace
}  // namespace tessera::cli
