#include "tls_options.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fstream>
#include <sstream>

#include "base/hex.h"
#include "base/secret_file.h"
#include "crypto/provider.h"
#include "handshake/common.h"
#include "tessera/algorithms.h"
#include "tessera/signer.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/pem.h"

namespace tessera::cli {

std::mutex& output_mutex() {
  static std::mutex m;
  return m;
}

void TlsOptions::add(CLI::App& app) {
  app.add_option("--policy", policy, "Policy preset: default, strict, compat")
      ->capture_default_str();
  app.add_option("--ciphers", ciphers,
                 "Comma-separated cipher suites (IANA or OpenSSL names), in preference order");
  app.add_option("--groups", groups, "Comma-separated groups, e.g. x25519,secp256r1,ffdhe2048");
  app.add_option("--sigalgs", sigalgs, "Comma-separated signature schemes");
  app.add_option("--alpn", alpn, "Comma-separated ALPN protocols, e.g. h2,http/1.1");
  app.add_option("--min-version", min_version, "Minimum TLS version: 1.2 or 1.3");
  app.add_option("--max-version", max_version, "Maximum TLS version: 1.2 or 1.3");
  app.add_option("--psk-modes", psk_modes,
                 "TLS 1.3 PSK modes (resumption and --psk-file) in preference order: "
                 "psk_dhe_ke, psk_ke (psk_ke: no key exchange, no forward secrecy); default "
                 "psk_dhe_ke");
  app.add_option("--record-size-limit", record_size_limit,
                 "Largest record plaintext to accept, 64..16385 (RFC 8449 record_size_limit; "
                 "binds peers that support it)")
      ->check(CLI::Range(64, 16385));
  app.add_option("--compress-cert", compress_cert,
                 "Certificate compression, TLS 1.3 (RFC 8879): comma-separated zlib, brotli, "
                 "zstd in preference order; take the peer's certificate compressed and compress "
                 "ours when the peer takes it (default: none)");
  app.add_option("--export-label", export_label,
                 "Export keying material with this label once connected (RFC 8446 7.5 / RFC "
                 "5705), e.g. EXPORTER-Channel-Binding (RFC 9266)");
  app.add_option("--export-length", export_length, "Bytes of keying material to export")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{255 * 48}));
  export_context_option_ =
      app.add_option("--export-context", export_context,
                     "Exporter context value, in hex; \"\" for an empty one (none if not given)");
  app.add_flag("--trace", trace, "Print each handshake step as it happens");
  app.add_option("--keylog", keylog_file, "Append NSS key log lines (for Wireshark) to FILE");
}

void CrlOptions::add(CLI::App& app, const std::string& whose) {
  CLI::Option* crl = app.add_option("--crl", files,
                                    "Certificate revocation lists for " + whose +
                                        " (PEM, any number of CRLs, or one DER CRL); repeatable")
                         ->check(CLI::ExistingFile);
  app.add_option("--crl-check", check,
                 "With --crl: which certificates must be covered by a usable CRL from their "
                 "issuer: chain (all below the trust anchor), leaf, or best-effort (none; "
                 "revoked is still refused)")
      ->check(CLI::IsMember({"chain", "leaf", "best-effort"}))
      ->capture_default_str()
      ->needs(crl);
}

CrlCheck CrlOptions::mode() const {
  if (check == "leaf") return CrlCheck::leaf;
  if (check == "best-effort") return CrlCheck::best_effort;
  return CrlCheck::chain;
}

Result<std::shared_ptr<const x509::CrlSet>> CrlOptions::load() const {
  if (files.empty()) return std::shared_ptr<const x509::CrlSet>();
  auto set = std::make_shared<x509::CrlSet>();
  for (const std::string& path : files) {
    TESSERA_ASSIGN_OR_RETURN(std::string data, read_text_file(path));
    auto r = set->add_pem(as_bytes_view(data));
    if (!r) return std::move(r).error().with_context(path);
  }
  return std::shared_ptr<const x509::CrlSet>(std::move(set));
}

void PeerCheckOptions::add(CLI::App& app, const std::string& whom) {
  app.add_option("--allow-peer", allowed,
                 "Go on only with " + whom +
                     " matching one of these (repeatable): DNS:NAME, IP:ADDR, URI:URI (e.g. a "
                     "SPIFFE ID), email:ADDR, CN:NAME, spki-sha256:BASE64 (a key pin, as "
                     "curl's sha256//) or psk:IDENTITY; exact matches only. Others get the "
                     "access_denied alert");
}

Result<PeerCheck> PeerCheckOptions::make() const {
  if (allowed.empty()) return PeerCheck();
  auto check = allow_peers(allowed);
  if (!check.ok()) return std::move(check).error().with_context("--allow-peer");
  return check;
}

void PskOptions::add(CLI::App& app, bool client) {
  CLI::Option* f = app.add_option(
      "--psk-file", file,
      std::string("TLS 1.3 external PSKs, one IDENTITY:HEXKEY per line (GnuTLS psk passwd "
                  "format; keys of 16..256 random bytes)") +
          (client ? "; the server must take the PSK unless --ca is given, which lets a server "
                    "that does not be verified by its certificate instead"
                  : "; --cert/--key become optional"));
  app.add_option("--psk-hash", hash, "Hash of the --psk-file PSKs: sha256 or sha384")
      ->check(CLI::IsMember({"sha256", "sha384"}))
      ->capture_default_str()
      ->needs(f);
  if (client)
    app.add_option("--psk-identity", identity,
                   "The identity of the --psk-file line to offer (needed when it has several)")
        ->needs(f);
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::vector<std::shared_ptr<const ExternalPsk>>> PskOptions::load() const {
  TESSERA_ASSIGN_OR_RETURN(SecretBytes bytes, read_secret_file(file));
  return parse_psk_file(as_text(bytes), file,
                        hash == "sha384" ? HashAlgorithm::sha384 : HashAlgorithm::sha256);
}

Result<std::vector<std::shared_ptr<const ExternalPsk>>> parse_psk_file(std::string_view text,
                                                                       const std::string& file,
                                                                       HashAlgorithm h) {
  std::vector<std::shared_ptr<const ExternalPsk>> out;
  std::vector<size_t> line_of;  // out[i] is on line line_of[i]
  std::string_view rest = text;
  for (size_t n = 1; !rest.empty(); ++n) {
    const size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') continue;
    // Messages name the file, the line and at most the identity: never the
    // line itself, which may be all key.
    const std::string where = file + ":" + std::to_string(n);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return Error(ErrorCode::config_invalid,
                   where + ": expected IDENTITY:HEXKEY (GnuTLS psk passwd format), found no ':'");
    std::string id(line.substr(0, colon));
    const std::string_view hex = line.substr(colon + 1);
    if (hex.size() % 2 != 0 ||
        std::any_of(hex.begin(), hex.end(), [](char c) { return hex_digit(c) < 0; }))
      return Error(ErrorCode::config_invalid,
                   where + ": the key of '" + handshake::printable_identity(id) +
                       "' is not hex (an even number of digits 0-9, a-f)");
    for (size_t i = 0; i < out.size(); ++i)
      if (out[i]->identity == id)
        return Error(ErrorCode::config_invalid,
                     where + ": identity '" + handshake::printable_identity(id) +
                         "' is already on line " + std::to_string(line_of[i]));
    // Decoded into a buffer of its final size, which ExternalPsk::make takes
    // over (and wipes when it dies, even when it refuses the key).
    std::vector<uint8_t> key(hex.size() / 2);
    for (size_t i = 0; i < key.size(); ++i)
      key[i] = static_cast<uint8_t>(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
    auto psk = ExternalPsk::make(std::move(id), std::move(key), h);
    if (!psk.ok()) return psk.error().with_context(where);
    out.push_back(std::make_shared<const ExternalPsk>(std::move(*psk)));
    line_of.push_back(n);
  }
  if (out.empty())
    return Error(ErrorCode::config_invalid,
                 file + " holds no PSK (one IDENTITY:HEXKEY per line is expected)");
  return out;
}

Result<std::shared_ptr<const ExternalPsk>> PskOptions::load_one() const {
  TESSERA_ASSIGN_OR_RETURN(auto all, load());
  if (!identity.empty()) {
    for (auto& x : all)
      if (x->identity == identity) return std::move(x);
    return Error(ErrorCode::config_invalid, file + " has no PSK with identity '" +
                                                handshake::printable_identity(identity) + "'");
  }
  if (all.size() != 1)
    return Error(ErrorCode::config_invalid, file + " holds " + std::to_string(all.size()) +
                                                " PSKs: choose one with --psk-identity");
  return std::move(all.front());
}

Result<Policy> TlsOptions::make_policy() const {
  auto p = Policy::by_name(policy);
  if (!p) {
    std::string names;
    for (const auto& n : Policy::preset_names()) names += (names.empty() ? "" : ", ") + n;
    return Error(ErrorCode::config_invalid,
                 "unknown policy '" + policy + "' (presets: " + names + ")");
  }
  if (!ciphers.empty()) TESSERA_TRY(p->set_cipher_suites(ciphers));
  if (!groups.empty()) TESSERA_TRY(p->set_groups(groups));
  if (!sigalgs.empty()) TESSERA_TRY(p->set_signature_schemes(sigalgs));
  if (!min_version.empty()) {
    auto v = parse_version(min_version);
    if (!v) return Error(ErrorCode::config_invalid, "unknown version '" + min_version + "'");
    p->min_version = *v;
  }
  if (!max_version.empty()) {
    auto v = parse_version(max_version);
    if (!v) return Error(ErrorCode::config_invalid, "unknown version '" + max_version + "'");
    p->max_version = *v;
  }
  if (!psk_modes.empty()) {
    p->psk_modes.clear();
    std::stringstream ss(psk_modes);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (item == "psk_dhe_ke")
        p->psk_modes.push_back(PskMode::psk_dhe_ke);
      else if (item == "psk_ke")
        p->psk_modes.push_back(PskMode::psk_ke);
      else
        return Error(ErrorCode::config_invalid,
                     "unknown PSK mode '" + item + "' (psk_dhe_ke, psk_ke)");
    }
  }
  if (record_size_limit != 0) p->limits.record_size_limit = record_size_limit;
  if (!compress_cert.empty()) TESSERA_TRY(p->set_cert_compression(compress_cert));
  TESSERA_TRY(p->validate());
  return *p;
}

std::vector<std::string> TlsOptions::alpn_list() const {
  std::vector<std::string> out;
  std::stringstream ss(alpn);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

KeyLogCallback TlsOptions::keylog() const {
  std::string path = keylog_file;
  if (path.empty()) {
    if (const char* env = std::getenv("SSLKEYLOGFILE")) path = env;
  }
  if (path.empty()) return nullptr;
  auto mu = std::make_shared<std::mutex>();
  auto warned = std::make_shared<bool>(false);  // under mu
  return [path, mu, warned](std::string_view line) {
    std::lock_guard<std::mutex> lock(*mu);
    // The lines are traffic secrets: a file created 0600, and the line
    // written with one write(2) from a buffer that is wiped (no stream
    // buffer). Appending never truncates what is there.
    std::string text;
    text.reserve(line.size() + 1);
    text.append(line).push_back('\n');
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ssize_t n;
      do {
        n = ::write(fd, text.data(), text.size());
      } while (n < 0 && errno == EINTR);
      ::close(fd);
    } else if (!*warned) {
      // Once: the connection goes on, but the user asked for the lines.
      *warned = true;
      std::fprintf(stderr, "tessera: warning: cannot write the key log %s: %s\n", path.c_str(),
                   std::strerror(errno));
    }
    secure_wipe(text.data(), text.size());
  };
}

void Tracer::line(std::string_view text) {
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  std::lock_guard<std::mutex> lock(output_mutex());
  std::fprintf(stderr, "[%9.3f ms] %s: %.*s\n", ms, side_.c_str(), static_cast<int>(text.size()),
               text.data());
}

Result<std::string> read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Error(ErrorCode::io_error, "cannot read " + path + ": it is a directory");
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error(ErrorCode::io_error, "cannot open " + path);
  // Certificates, CRLs and OCSP responses: a file past kMaxInputFile (or a
  // device that never ends, /dev/zero) is refused, not read to exhaustion.
  std::string text;
  char buf[64 * 1024];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {
    if (text.size() + static_cast<size_t>(f.gcount()) > kMaxInputFile)
      return Error(ErrorCode::io_error, "cannot read " + path + ": larger than " +
                                            std::to_string(kMaxInputFile >> 20) + " MiB");
    text.append(buf, static_cast<size_t>(f.gcount()));
  }
  if (f.bad()) return Error(ErrorCode::io_error, "cannot read " + path);
  return text;
}

// without_pin is a PKCS #11 URI as it may be shown in a message: each
// pin-value attribute's value (RFC 7512 2.3) replaced by "***".
std::string without_pin(std::string_view uri) {
  constexpr std::string_view kAttr = "pin-value=";
  std::string out;
  size_t at = 0;
  for (size_t attr; (attr = uri.find(kAttr, at)) != std::string_view::npos;) {
    out.append(uri.substr(at, attr + kAttr.size() - at)).append("***");
    at = std::min(uri.size(), uri.find_first_of("&;?", attr + kAttr.size()));
  }
  return out.append(uri.substr(at));
}

Result<Credential> load_credential(crypto::Provider& provider, const std::string& cert,
                                   const std::string& key, bool asynchronous) {
  if (key.rfind("pkcs11:", 0) != 0) return Credential::from_pem_files(provider, cert, key);
  Pkcs11Options o;
  o.asynchronous = asynchronous;
  if (const char* m = std::getenv("TESSERA_PKCS11_MODULE")) o.module_path = m;
  if (const char* pin = std::getenv("TESSERA_PKCS11_PIN")) o.pin = pin;
  auto signer = pkcs11_signer(key, o);
  if (!signer.ok()) return std::move(signer).error().with_context("--key " + without_pin(key));
  TESSERA_ASSIGN_OR_RETURN(std::string chain, read_text_file(cert));
  auto cred = Credential::from_signer(provider, chain, std::move(*signer));
  if (!cred.ok())
    return std::move(cred).error().with_context("--cert " + cert + " --key " + without_pin(key));
  return cred;
}

Result<void> write_text_file(const std::string& path, const std::string& text) {
  // A new file renamed into place: a link at `path` is replaced, never
  // written through, and a failure leaves the old file as it was.
  return write_public_file(path, text);
}

std::string protection_line(const HandshakeSummary& s,
                            const std::shared_ptr<crypto::Provider>& provider) {
  std::string line = "application data protected with " + cipher_suite_name(s.cipher_suite);
  auto info = cipher_suite_info(s.cipher_suite);
  if (info) {
    crypto::Provider& p = provider ? *provider : *crypto::default_provider();
    line += ": " + std::string(aead_name(info->aead)) + " on " + p.aead_implementation(info->aead);
  }
  return line;
}

std::string TlsOptions::describe_export(const Connection& c) const {
  if (export_label.empty()) return {};
  std::optional<Bytes> context;
  if (export_context_option_ && export_context_option_->count() > 0) {
    context = export_context.empty() ? std::optional<Bytes>(Bytes{}) : from_hex(export_context);
    if (!context) return "keying material export: --export-context is not hex";
  }
  std::vector<uint8_t> out(export_length);
  auto r = c.export_keying_material(
      out, export_label,
      context ? std::optional<std::span<const uint8_t>>(*context) : std::nullopt);
  if (!r.ok()) return "keying material export failed: " + r.error().to_string();
  return "exported keying material (label '" + export_label + "', " +
         std::to_string(export_length) + " bytes" + (context ? ", with context" : "") +
         "): " + to_hex(out);
}

std::string describe_summary(const HandshakeSummary& s) {
  std::string out;
  out += "version: " + version_name(s.version) + "\n";
  out += "cipher suite: " + cipher_suite_name(s.cipher_suite) + "\n";
  auto info = cipher_suite_info(s.cipher_suite);
  std::string group = s.group ? group_name(s.group)
                      : info && info->kx == KeyExchange::dhe
                          ? std::string("custom Diffie-Hellman group chosen by the server")
                          : std::string("none (RSA key transport)");
  out += "key exchange group: " + group + "\n";
  if (s.version == ProtocolVersion::tls12)
    out +=
        std::string("extended master secret: ") + (s.extended_master_secret ? "yes" : "no") + "\n";
  if (s.signature_scheme)
    out += "server signature: " + signature_scheme_name(s.signature_scheme) + "\n";
  out += "ALPN: " + (s.alpn.empty() ? std::string("(none)") : s.alpn) + "\n";
  out += "SNI: " + (s.server_name.empty() ? std::string("(none)") : s.server_name) + "\n";
  // Encrypted Client Hello, when it was offered. A client knows the public
  // name its outer ClientHello showed; a server, that it opened the inner one.
  if (s.ech == EchStatus::accepted)
    out += s.ech_public_name.empty()
               ? std::string("ECH: accepted (we opened the encrypted ClientHello)\n")
               : "ECH: accepted (outer ClientHello named " + s.ech_public_name + ")\n";
  else if (s.ech == EchStatus::rejected)
    out += s.ech_public_name.empty()
               ? std::string("ECH: refused (no key of ours opened the encrypted ClientHello)\n")
               : "ECH: refused (the server answered the outer ClientHello, named " +
                     s.ech_public_name + ")\n";
  else if (s.ech == EchStatus::grease)
    out += "ECH: GREASE only (a random encrypted_client_hello; nothing was encrypted)\n";
  if (!s.peer_subject.empty()) out += "peer certificate: " + s.peer_subject + "\n";
  // RFC 7469 2.4: the leaf key's pin, in the form --allow-peer takes.
  if (!s.peer_chain.empty()) {
    if (auto leaf = x509::Certificate::parse(s.peer_chain[0]); leaf.ok())
      out += "peer key pin: spki-sha256:" +
             x509::base64_encode(
                 crypto::default_provider()->digest(HashAlgorithm::sha256, leaf->spki_der())) +
             "\n";
  }
  if (!s.peer_verified_by.empty()) out += "verified by: " + s.peer_verified_by + "\n";
  if (!s.psk_identity.empty()) out += "authenticated by: " + describe_external_psk(s) + "\n";
  if (!s.peer_ocsp.empty()) out += "OCSP (stapled): " + s.peer_ocsp + "\n";
  if (s.peer_record_size_limit)
    out += "peer record_size_limit: " + std::to_string(s.peer_record_size_limit) +
           " bytes (RFC 8449: our records to it are no larger)\n";
  if (s.peer_cert_compression)
    out += "peer certificate compressed with: " + cert_compression_name(s.peer_cert_compression) +
           " (RFC 8879)\n";
  if (s.own_cert_compression)
    out += "our certificate compressed with: " + cert_compression_name(s.own_cert_compression) +
           " (RFC 8879)\n";
  if (s.hello_retry) out += "hello retry: yes\n";
  out += std::string("resumed: ") +
         (s.resumed ? (s.version == ProtocolVersion::tls13
                           ? (s.psk_only ? "yes (PSK only, psk_ke: no key exchange, no forward "
                                           "secrecy)"
                                         : "yes (PSK from an earlier session; no certificate "
                                           "exchange)")
                           : "yes (TLS 1.2 session; no certificates, no key exchange)")
                    : "no") +
         "\n";
  if (s.early_data != EarlyData::not_offered)
    out += std::string("early data: ") +
           (s.early_data == EarlyData::accepted ? "accepted (0-RTT, replayable)"
                                                : "rejected (skipped by the server)") +
           "\n";
  return out;
}

std::string describe_external_psk(const HandshakeSummary& s) {
  if (s.psk_identity.empty()) return {};
  return "external PSK '" + handshake::printable_identity(s.psk_identity) + "' (no certificates; " +
         (s.psk_only ? std::string("psk_ke: no key exchange, no forward secrecy")
                     : "psk_dhe_ke: " + group_name(s.group) + " key exchange, forward secrecy") +
         ")";
}

}  // namespace tessera::cli
