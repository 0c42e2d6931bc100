// `tessera cert`: a small CA for tests and local deployments.
//
//   tessera cert ca           --out-cert ca.pem --out-key ca.key [--subject "CN=..."]
//                             [--key-type T] [--days N] [--path-len N]
//   tessera cert intermediate --ca ca.pem --ca-key ca.key --out-cert --out-key
//                             [--subject] [--key-type] [--days] [--path-len N (default 0)]
//   tessera cert server       --ca --ca-key --dns NAME... --ip ADDR... --out-cert --out-key
//                             [--subject] [--key-type] [--days] [--chain]
//   tessera cert client       --ca --ca-key [--email ADDR...] [--dns NAME...] --out-cert
//                             --out-key [--subject] [--key-type] [--days] [--chain]
//   tessera cert local-mtls   --dir DIR [--host NAME|ADDR...] [--key-type] [--days]
//
// Key types: ec-p256 (default), ec-p384, rsa2048, rsa3072, rsa4096, ed25519.
// Keys are written as unencrypted PKCS#8 PEM with mode 0600. --chain appends
// the issuer's certificate file to the leaf's (a "fullchain" file).
// local-mtls writes ca.pem/ca.key, server.pem/server.key (localhost,
// 127.0.0.1, ::1 unless --host is given) and client.pem/client.key into DIR.
//
// Exit status: 0 written; 1 failure (message on stderr); 2 usage error.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "crypto/provider.h"
#include "tls_options.h"
#include "x509/builder.h"
#include "x509/certificate.h"
#include "x509/identity.h"
#include "x509/name.h"
#include "x509/pem.h"

namespace tessera::cli {
namespace {

struct CertArgs {
  std::string out_cert, out_key, subject, key_type = "ec-p256", ca, ca_key, dir;
  std::vector<std::string> dns, ip, email, hosts;
  int64_t days = 0;
  int64_t path_len = -1;
  bool chain = false;
};

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
  std::string pem;  // the --ca file as given (for --chain)
};

Result<Issuer> load_issuer(crypto::Provider& p, const CertArgs& a) {
  if (a.ca.empty() || a.ca_key.empty()) {
    return Error(ErrorCode::config_invalid, "--ca and --ca-key are required");
  }
  Issuer is;
  TESSERA_ASSIGN_OR_RETURN(is.pem, read_text_file(a.ca));
  TESSERA_ASSIGN_OR_RETURN(std::vector<x509::Certificate> certs,
                           x509::parse_certificates(as_bytes_view(is.pem)));
  if (certs.empty()) return Error(ErrorCode::cert_parse, "no certificate in " + a.ca);
  is.cert = std::move(certs[0]);
  TESSERA_ASSIGN_OR_RETURN(SecretBytes key_pem, read_secret_file(a.ca_key));
  Result<std::unique_ptr<crypto::PrivateKey>> key = p.load_private_key(key_pem.view());
  if (!key) return key.error().with_context("loading " + a.ca_key);
  is.key = std::move(*key);
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
    case Kind::server: b.leaf_for(x509::LeafRole::server); break;
    case Kind::client: b.leaf_for(x509::LeafRole::client); break;
  }
  for (const std::string& d : a.dns) b.add_dns(d);
  for (const Bytes& ip : ips) b.add_ip(ip);
  for (const std::string& e : a.email) b.add_email(e);

  Bytes der;
  std::string chain;
  if (kind == Kind::ca) {
    TESSERA_ASSIGN_OR_RETURN(der, b.self_sign(*key));
  } else {
    TESSERA_ASSIGN_OR_RETURN(Issuer is, load_issuer(*p, a));
    TESSERA_ASSIGN_OR_RETURN(der, b.sign(is.cert, *is.key));
    if (a.chain) chain = is.pem;
  }
  return write_outputs(a, der, *key, chain);
}

Result<void> local_mtls(const CertArgs& a) {
  if (a.dir.empty()) return Error(ErrorCode::config_invalid, "--dir is required");
  std::shared_ptr<crypto::Provider> p = crypto::default_provider();
  TESSERA_ASSIGN_OR_RETURN(crypto::KeyGenParams params, parse_key_type(a.key_type));
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

void add_common(CLI::App* sub, CertArgs& a, bool issued) {
  sub->add_option("--out-cert", a.out_cert, "Where to write the certificate (PEM)")->required();
  sub->add_option("--out-key", a.out_key, "Where to write the private key (PKCS#8 PEM, 0600)")
      ->required();
  sub->add_option("--subject", a.subject, "Subject name, e.g. \"CN=example, O=Org, C=US\"");
  sub->add_option("--key-type", a.key_type,
                  "ec-p256 (default), ec-p384, rsa2048, rsa3072, rsa4096, ed25519");
  sub->add_option("--days", a.days, "Validity in days");
  if (issued) {
    sub->add_option("--ca", a.ca, "Issuer certificate (PEM)")->required();
    sub->add_option("--ca-key", a.ca_key, "Issuer private key (PEM)")->required();
  }
}

const bool kRegistered = register_command(
    {"cert", "Create CA, intermediate, server and client certificates",
     [](CLI::App& app) -> Runner {
       auto a = std::make_shared<CertArgs>();
       app.require_subcommand(1);
       CLI::App* ca = app.add_subcommand("ca", "Create a self-signed root CA");
       add_common(ca, *a, false);
       ca->add_option("--path-len", a->path_len, "pathLenConstraint (default: none)");
       CLI::App* inter = app.add_subcommand("intermediate", "Create an intermediate CA");
       add_common(inter, *a, true);
       inter->add_option("--path-len", a->path_len, "pathLenConstraint (default 0)");
       CLI::App* server = app.add_subcommand("server", "Create a TLS server certificate");
       add_common(server, *a, true);
       server->add_option("--dns", a->dns, "DNS name (repeatable)");
       server->add_option("--ip", a->ip, "IP address (repeatable)");
       server->add_flag("--chain", a->chain, "Append the issuer certificate(s) to --out-cert");
       CLI::App* client = app.add_subcommand("client", "Create a TLS client certificate");
       add_common(client, *a, true);
       client->add_option("--email", a->email, "rfc822Name (repeatable)");
       client->add_option("--dns", a->dns, "DNS name (repeatable)");
       client->add_flag("--chain", a->chain, "Append the issuer certificate(s) to --out-cert");
       CLI::App* mtls = app.add_subcommand("local-mtls", "Create a CA, server and client set");
       mtls->add_option("--dir", a->dir, "Output directory")->required();
       mtls->add_option("--host", a->hosts,
                        "Server name or address (repeatable; default localhost 127.0.0.1 ::1)");
       mtls->add_option("--key-type", a->key_type, "Key type for all three keys");
       mtls->add_option("--days", a->days, "Validity in days (default 30)");
       return [a, &app, ca, inter, server, client, mtls]() {
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
         } else {
           std::fprintf(stderr, "%s", app.help().c_str());
           return 2;
         }
         return r.ok() ? 0 : fail(r.error());
       };
     }});

}  // namespace
}  // namespace tessera::cli
