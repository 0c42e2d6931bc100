// `tessera verify`: verify a certificate chain against trust anchors.
//
//   tessera verify --trust ROOTS.pem [--untrusted INTERMEDIATES.pem] [--crl CRLS.pem]
//                  [--crl-check chain|leaf|best-effort] [--at UNIX_SECONDS]
//                  [--purpose server|client]
//                  [--host DNSNAME | --ip ADDRESS | --email ADDR] [--peer-name
//                  dns:N|ip:A|rfc822:E]...
//                  [--eku NAME|OID]... [--key-usage NAME]... [--max-depth N] [--explain] LEAF.pem
//
// --trust, --untrusted and --crl are repeatable; --trust also takes a
// directory (files *.pem, *.crt, hashed names). Every certificate given with
// --trust is an anchor, self-signed or not. Certificates after the first one
// in LEAF.pem are used as untrusted intermediates (a "fullchain.pem").
// --max-depth counts intermediates only. With --crl, --crl-check says which
// certificates must be covered by a usable CRL from their issuer: chain (the
// default, as the library's CrlCheck::chain: every certificate below the
// anchor), leaf, or best-effort (none; a listed serial is still revoked).
//
// Exit status: 0 valid ("OK" and the chain on stdout); 1 rejected, with the
// reason as the first line on stderr (unparsable input is a rejection too);
// 2 usage error; 3 something this run needs is not supported.
// --explain prints the chain that was built and every check with its result
// on stdout.
#include <sys/stat.h>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "crypto/provider.h"
#include "tls_options.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/pem.h"
#include "x509/verify.h"

namespace tessera::cli {
namespace {

struct VerifyArgs {
  std::vector<std::string> trust, untrusted, peer_names, ekus, key_usages;
  CrlOptions crl;
  std::string leaf, purpose = "server", host, ip, email;
  int64_t at = 0;
  bool at_set = false;
  size_t max_depth = 8;
  bool explain = false;
};

int usage(const std::string& message) {
  std::fprintf(stderr, "usage error: %s\n", message.c_str());
  return 2;
}

int reject(const Error& e) {
  std::fprintf(stderr, "%s\n", e.to_string().c_str());
  return e.code() == ErrorCode::unsupported_algorithm ? 3 : 1;
}

Result<Bytes> read_file(const std::string& path) {
  TESSERA_ASSIGN_OR_RETURN(std::string text, read_text_file(path));
  return Bytes(text.begin(), text.end());
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// load_certs returns every certificate of a PEM or DER file as DER.
Result<std::vector<Bytes>> load_certs(const std::string& path) {
  TESSERA_ASSIGN_OR_RETURN(Bytes data, read_file(path));
  auto certs = x509::parse_certificates(data);
  if (!certs) return std::move(certs).error().with_context(path);
  if (certs->empty()) return Error(ErrorCode::cert_parse, path + ": no certificate found");
  std::vector<Bytes> out;
  for (const x509::Certificate& c : *certs) out.emplace_back(c.der().begin(), c.der().end());
  return out;
}

std::string brief(const x509::Certificate& c) {
  std::string s = c.subject().to_string();
  return s.empty() ? "(empty subject)" : s;
}

int run_verify(const VerifyArgs& a) {
  x509::VerifyOptions opts;
  // --- options that are usage errors when wrong ---
  if (a.purpose == "server") {
    opts.purpose = x509::Purpose::server_auth;
  } else if (a.purpose == "client") {
    opts.purpose = x509::Purpose::client_auth;
  } else if (a.purpose == "any") {
    opts.purpose = x509::Purpose::any;
  } else {
    return usage("--purpose must be server, client or any, not '" + a.purpose + "'");
  }
  using Kind = x509::ReferenceIdentity::Kind;
  if (!a.host.empty()) opts.identities.push_back({Kind::dns, a.host});
  if (!a.ip.empty()) opts.identities.push_back({Kind::ip, a.ip});
  if (!a.email.empty()) opts.identities.push_back({Kind::email, a.email});
  for (const std::string& p : a.peer_names) {
    size_t colon = p.find(':');
    std::string kind = p.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : p.substr(colon + 1);
    if (value.empty()) return usage("--peer-name wants dns:NAME, ip:ADDRESS or rfc822:EMAIL");
    if (kind == "dns" || kind == "DNS") {
      opts.identities.push_back({Kind::dns, value});
    } else if (kind == "ip" || kind == "IP") {
      opts.identities.push_back({Kind::ip, value});
    } else if (kind == "rfc822" || kind == "email") {
      opts.identities.push_back({Kind::email, value});
    } else {
      return usage("--peer-name kind '" + kind + "' is not dns, ip or rfc822");
    }
  }
  for (const x509::ReferenceIdentity& id : opts.identities) {
    if (id.kind == Kind::ip && !x509::parse_ip_address(id.value)) {
      return usage("'" + id.value + "' is not an IP address");
    }
    if (id.kind == Kind::dns && !x509::is_valid_dns_reference(id.value)) {
      return usage("'" + id.value + "' is not a DNS host name");
    }
    if (id.kind == Kind::email && id.value.find('@') == std::string::npos) {
      return usage("'" + id.value + "' is not an email address");
    }
  }
  for (const std::string& e : a.ekus) {
    if (!x509::eku_from_name(e)) return usage("unknown extended key usage '" + e + "'");
    opts.required_ekus.push_back(e);
  }
  for (const std::string& k : a.key_usages) {
    auto bit = x509::key_usage_from_name(k);
    if (!bit) return usage("unknown key usage '" + k + "'");
    opts.required_key_usage = static_cast<uint16_t>(opts.required_key_usage | *bit);
  }
  opts.max_intermediates = a.max_depth;
  opts.now_unix = a.at_set ? a.at
                           : std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  if (opts.now_unix <= 0) return usage("--at must be a positive number of seconds");

  // --- inputs: failures here are rejections ---
  x509::TrustStore trust;
  for (const std::string& t : a.trust) {
    Result<size_t> r = is_directory(t) ? trust.add_directory(t) : trust.add_file(t);
    if (!r) return reject(r.error());
  }
  if (trust.size() == 0) {
    std::string why = "no trusted certificate found";
    if (trust.skipped_files() != 0)
      why += " (" + std::to_string(trust.skipped_files()) + " file" +
             (trust.skipped_files() == 1 ? "" : "s") +
             " skipped; the first: " + trust.first_skipped_file()->to_string() + ")";
    return reject(Error(ErrorCode::cert_parse, why));
  }
  std::vector<Bytes> chain;
  {
    auto leaf = load_certs(a.leaf);
    if (!leaf) return reject(leaf.error());
    chain = std::move(*leaf);
  }
  for (const std::string& u : a.untrusted) {
    auto certs = load_certs(u);
    if (!certs) return reject(certs.error());
    for (Bytes& b : *certs) chain.push_back(std::move(b));
  }
  auto crls = a.crl.load();
  if (!crls) return reject(crls.error());
  opts.crls = crls->get();  // null without --crl: revocation is not checked
  opts.crl_check = a.crl.mode();

  auto provider = crypto::default_provider();
  x509::VerifyReport report;
  auto result = x509::verify_chain(*provider, trust, chain, opts, &report);
  if (!result) {
    int rc = reject(result.error());
    if (a.explain) std::printf("%s", report.to_string().c_str());
    return rc;
  }
  std::printf("OK\n");
  for (size_t i = 0; i < result->certs.size(); ++i) {
    bool anchor = i + 1 == result->certs.size();
    std::printf("  %zu %s%s\n", i, brief(*result->certs[i]).c_str(),
                anchor ? "  [trust anchor]" : "");
  }
  // What --allow-peer (tessera::allow_peers) can name this leaf by.
  const x509::Certificate& leaf = *result->certs.front();
  std::string names;
  if (const auto& sans = leaf.extensions().subject_alt_names)
    for (const auto& n : *sans) names += (names.empty() ? "" : ", ") + n.to_string();
  if (!names.empty()) std::printf("  leaf names: %s\n", names.c_str());
  std::printf(
      "  leaf key pin: spki-sha256:%s\n",
      x509::base64_encode(provider->digest(HashAlgorithm::sha256, leaf.spki_der())).c_str());
  if (a.explain) std::printf("%s", report.to_string().c_str());
  return 0;
}

const bool kRegistered = register_command(
    {"verify", "Verify a certificate chain against trust anchors", [](CLI::App& app) -> Runner {
       auto a = std::make_shared<VerifyArgs>();
       app.add_option("--trust", a->trust,
                      "Trusted certificates (PEM file or directory); repeatable")
           ->required()
           ->check(CLI::ExistingPath);
       app.add_option("--untrusted", a->untrusted, "Untrusted intermediates (PEM); repeatable")
           ->check(CLI::ExistingFile);
       a->crl.add(app, "the chain");
       app.add_option_function<int64_t>(
           "--at",
           [a](const int64_t& v) {
             a->at = v;
             a->at_set = true;
           },
           "Validation time in unix seconds (default: now)");
       app.add_option("--purpose", a->purpose, "server (default), client or any");
       auto* host = app.add_option("--host", a->host, "Expected DNS name");
       auto* ip = app.add_option("--ip", a->ip, "Expected IP address");
       auto* email = app.add_option("--email", a->email, "Expected email address");
       host->excludes(ip)->excludes(email);
       ip->excludes(email);
       app.add_option("--peer-name", a->peer_names,
                      "dns:NAME, ip:ADDRESS or rfc822:EMAIL; repeatable");
       app.add_option("--eku", a->ekus, "Required extended key usage (name or OID); repeatable");
       app.add_option("--key-usage", a->key_usages,
                      "Required key usage (RFC 5280 name); repeatable");
       app.add_option("--max-depth", a->max_depth, "Maximum number of intermediates (default 8)");
       app.add_flag("--explain", a->explain, "Print the chain built and every check");
       app.add_option("leaf", a->leaf, "The certificate to verify (PEM or DER)")
           ->required()
           ->check(CLI::ExistingFile);
       return [a]() { return run_verify(*a); };
     }});

}  // namespace
}  // namespace tessera::cli
