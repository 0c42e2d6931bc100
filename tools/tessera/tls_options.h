// tools/tessera/tls_options.h — options shared by `tessera client` and
// `tessera server`: policy, LIST options, versions, ALPN, trace and key log;
// and the revocation options they share with `tessera verify` (CrlOptions).
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/secret_file.h"
#include "tessera/config.h"
#include "tessera/connection.h"
#include "tessera/policy.h"
#include "tessera/result.h"

namespace tessera::cli {

struct TlsOptions {
  std::string policy = "default";
  std::string ciphers, groups, sigalgs, alpn;
  std::string min_version, max_version;
  std::string psk_modes;         // TLS 1.3 PSK modes, e.g. "psk_dhe_ke,psk_ke"
  size_t record_size_limit = 0;  // 0: the policy's (16385)
  std::string compress_cert;     // RFC 8879 algorithms, e.g. "brotli,zlib"; empty: none
  bool trace = false;
  std::string keylog_file;
  // --export-label / --export-length / --export-context (hex): keying
  // material to export once connected (Connection::export_keying_material).
  std::string export_label;
  size_t export_length = 32;
  std::string export_context;
  CLI::Option* export_context_option_ = nullptr;  // given (even empty): a context

  // add registers the options on a subcommand.
  void add(CLI::App& app);
  // make_policy builds the policy from the preset and the LIST options.
  Result<Policy> make_policy() const;
  std::vector<std::string> alpn_list() const;
  // keylog returns a callback appending to --keylog FILE or $SSLKEYLOGFILE
  // (null when neither is set).
  KeyLogCallback keylog() const;
  // describe_export is "exported keying material (label 'L', N bytes): HEX"
  // for an established connection, or the reason it failed; "" without
  // --export-label.
  std::string describe_export(const Connection& c) const;
};

// CrlOptions: --crl FILE (repeatable) and --crl-check chain|leaf|best-effort,
// for `tessera client` (the server's chain), `tessera server` (client
// certificates) and `tessera verify`. Not part of TlsOptions: `tessera demo`
// has no use for them.
struct CrlOptions {
  std::vector<std::string> files;
  std::string check = "chain";

  // add registers --crl and --crl-check on a subcommand; `whose` names the
  // certificates checked in the help text, e.g. "the server's chain".
  void add(CLI::App& app, const std::string& whose);
  bool given() const { return !files.empty(); }
  // mode is --crl-check as a CrlCheck (CLI11 has already refused other values).
  CrlCheck mode() const;
  // load reads every --crl file (PEM with any number of "X509 CRL" blocks, or
  // one DER CRL) into one set; null without --crl. io_error or cert_parse
  // naming the file.
  Result<std::shared_ptr<const x509::CrlSet>> load() const;
};

// PeerCheckOptions: --allow-peer SPEC (repeatable), the peers to go on
// with once they have authenticated (tessera::allow_peers: DNS:, IP:, URI:,
// email:, CN:, spki-sha256: or psk: entries, exact matches), for `tessera
// client` (the server) and `tessera server` (clients that authenticate).
struct PeerCheckOptions {
  std::vector<std::string> allowed;

  // add registers --allow-peer; `whom` names the peer in the help text.
  void add(CLI::App& app, const std::string& whom);
  bool given() const { return !allowed.empty(); }
  // make builds the check (null without --allow-peer); config_invalid
  // naming a malformed entry.
  Result<PeerCheck> make() const;
};

// PskOptions: --psk-file FILE and --psk-hash sha256|sha384, and for the
// client --psk-identity ID: TLS 1.3 external PSKs (tessera::ExternalPsk)
// from a file in GnuTLS's psk passwd format (gnutls-serv --pskpasswd,
// psktool): one "identity:hexkey" per line, the identity up to the first
// ':'; blank lines and lines starting with '#' are skipped. --psk-hash is the
// hash of every PSK in the file (the format has no field for it).
struct PskOptions {
  std::string file;
  std::string hash = "sha256";
  std::string identity;  // client: which line of the file

  // add registers the options on a subcommand; `client` adds --psk-identity.
  void add(CLI::App& app, bool client);
  bool given() const { return !file.empty(); }
  // load reads every PSK in the file, in order. The file is read with
  // read_secret_file (no stream buffer; its bytes are wiped) and each key is
  // decoded straight into the ExternalPsk that keeps it (wiped when it
  // dies). io_error naming the file; config_invalid naming the file and line
  // for a malformed line, a repeated identity or a key ExternalPsk::make
  // refuses (with its message); config_invalid for a file without a PSK.
  Result<std::vector<std::shared_ptr<const ExternalPsk>>> load() const;
  // load_one is the client's PSK: the one with --psk-identity, or the only
  // one in the file. config_invalid when the identity is not in the file, or
  // when the file holds several and --psk-identity is not given.
  Result<std::shared_ptr<const ExternalPsk>> load_one() const;
};

// parse_psk_file is load's parser: the PSKs in `text` (the contents of the
// file called `name` in messages), each with hash `hash`.
Result<std::vector<std::shared_ptr<const ExternalPsk>>> parse_psk_file(std::string_view text,
                                                                       const std::string& name,
                                                                       HashAlgorithm hash);

// Tracer prints "[  1.234 ms] side: line" to stderr with time since start.
class Tracer {
 public:
  explicit Tracer(std::string side)
      : side_(std::move(side)), start_(std::chrono::steady_clock::now()) {}
  void line(std::string_view text);
  TraceCallback callback() {
    return [this](std::string_view l) { line(l); };
  }

 private:
  std::string side_;
  std::chrono::steady_clock::time_point start_;
};

// write_text_file writes a whole file (mode 0644), creating parent
// directories, to a new file renamed over `path`; io_error names the path.
// Not for secrets: see write_secret_file.
Result<void> write_text_file(const std::string& path, const std::string& text);
// kMaxInputFile bounds read_text_file: no certificate file, CRL or OCSP
// response we take comes near it.
inline constexpr size_t kMaxInputFile = size_t{64} << 20;
// read_text_file reads a whole file of at most kMaxInputFile bytes; io_error
// names the path (a directory, a larger file). Not for secrets: see
// read_secret_file.
Result<std::string> read_text_file(const std::string& path);

// load_credential reads a --cert chain and its --key: a PEM key file, or a
// PKCS #11 URI (RFC 7512, "pkcs11:token=...;object=...") naming a key that
// stays on its token (tessera::pkcs11_signer). The module is the URI's
// module-path= or $TESSERA_PKCS11_MODULE; the PIN the URI's pin-value= or
// $TESSERA_PKCS11_PIN (which keeps it out of the process list). With
// asynchronous, such a key signs asynchronously (Pkcs11Options), for a
// server on EventServer's signing threads.
Result<Credential> load_credential(crypto::Provider& provider, const std::string& cert,
                                   const std::string& key, bool asynchronous = false);

// Private keys and session files (which hold a resumption secret) go through
// tessera::read_secret_file / write_secret_file (base/secret_file.h) instead.

// protection_line is the trace line naming what protects the application
// data: the cipher suite and the AEAD backend the provider uses for it, e.g.
// "application data protected with TLS_AES_128_GCM_SHA256: AES-128-GCM on
// libcrypto (OpenSSL 3.0.x ...)". provider null: the default provider.
std::string protection_line(const HandshakeSummary& s,
                            const std::shared_ptr<crypto::Provider>& provider);

// describe_summary renders the negotiated parameters, one "key: value" per line.
std::string describe_summary(const HandshakeSummary& s);
// describe_external_psk is "external PSK 'ID'" (the identity's unprintable
// bytes as \xNN) plus, with psk_ke, that there was no key exchange; "" when
// the handshake used no external PSK.
std::string describe_external_psk(const HandshakeSummary& s);

// stderr output shared by threads
std::mutex& output_mutex();

}  // namespace tessera::cli
