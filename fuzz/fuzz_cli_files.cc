// fuzz/fuzz_cli_files.cc — what the `tessera` CLI parses from files and
// options: --sess-in session files (Session::from_pem), --cert/--key
// (Credential::from_pem), --ca / --client-ca (TrustStore::add_pem), and the
// policy and LIST options (--policy, --ciphers, --groups, --sigalgs, --alpn,
// --min-version, --max-version) through the CLI's own TlsOptions.
//
// Input: byte 0 selects the file kind (mod 7); the rest is the file text.
//   0: session file. An accepted session must write out and read back to the
//      same file (to_pem o from_pem is stable).
//   1: --cert and --key: a 2-byte big-endian length, the chain PEM, the key PEM.
//   2: --ca: a PEM (or DER) CA bundle.
//   3: options: newline-separated values of --policy, --ciphers, --groups,
//      --sigalgs, --alpn, --min-version, --max-version; an accepted policy
//      must validate.
//   4: --psk-file (parse_psk_file): every PSK accepted is valid, with a
//      distinct identity.
//   5: --ech-key (EchKey::from_pem): an accepted key writes out and reads
//      back to the same file, and its config list is one parsable config.
//   6: --ech-config / `tessera ech show` of a file (parse_ech_file: a key
//      file, a PEM ECHCONFIG block, base64 or a binary list): an accepted
//      input's list parses, and describing its configs does not fail.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crypto/provider.h"
#include "ech_input.h"
#include "tessera/config.h"
#include "tessera/ech.h"
#include "tessera/session.h"
#include "tls_options.h"
#include "wire/ech.h"
#include "x509/trust_store.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t kind = data[0] % 7;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (kind) {
    case 0: {
      auto s = Session::from_pem(text);
      if (s.ok()) {
        std::string pem = s->to_pem();
        auto again = Session::from_pem(pem);
        if (!again.ok() || again->to_pem() != pem) std::abort();
      }
      break;
    }
    case 1: {
      if (text.size() < 2) return 0;
      size_t n =
          (static_cast<size_t>(static_cast<uint8_t>(text[0])) << 8) | static_cast<uint8_t>(text[1]);
      text.remove_prefix(2);
      if (n > text.size()) n = text.size();
      auto cred =
          Credential::from_pem(*crypto::default_provider(), text.substr(0, n), text.substr(n));
      if (cred.ok() && (cred->chain.empty() || cred->key == nullptr)) std::abort();
      break;
    }
    case 2: {
      x509::TrustStore ts;
      (void)ts.add_pem(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
      break;
    }
    case 3: {
      cli::TlsOptions o;
      std::string* fields[] = {&o.policy, &o.ciphers,     &o.groups,     &o.sigalgs,
                               &o.alpn,   &o.min_version, &o.max_version};
      size_t f = 0;
      for (char c : text) {
        if (c == '\n') {
          if (++f == std::size(fields)) break;
        } else {
          fields[f]->push_back(c);
        }
      }
      auto p = o.make_policy();
      if (p.ok() && !p->validate().ok()) std::abort();
      for (const std::string& a : o.alpn_list())
        if (a.empty()) std::abort();
      break;
    }
    case 4: {
      auto psks = cli::parse_psk_file(text, "fuzz", HashAlgorithm::sha256);
      if (psks.ok()) {
        if (psks->empty()) std::abort();
        for (size_t i = 0; i < psks->size(); ++i) {
          if (!(*psks)[i]->validate().ok()) std::abort();
          for (size_t j = 0; j < i; ++j)
            if ((*psks)[j]->identity == (*psks)[i]->identity) std::abort();
        }
      }
      break;
    }
    case 5: {
      auto key = EchKey::from_pem(text);
      if (key.ok()) {
        const std::string pem = key->to_pem();
        auto again = EchKey::from_pem(pem);
        if (!again.ok() || again->to_pem() != pem || again->config() != key->config()) std::abort();
        auto list = wire::EchConfigList::parse(key->config_list());
        if (!list.ok() || list->configs.size() != 1) std::abort();
      }
      break;
    }
    case 6: {
      auto in = cli::parse_ech_file(
          ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()), "fuzz");
      if (in.ok()) {
        auto list = wire::EchConfigList::parse(in->config_list);
        if (!list.ok() || list->configs.size() != in->parsed.configs.size()) std::abort();
        for (const auto& c : in->parsed.configs) {
          if (cli::describe_ech_config(c, "  ").empty()) std::abort();
          (void)cli::ech_config_unusable_reason(c);
        }
        (void)cli::describe_ech_config_list(in->config_list, "  ");
      }
      break;
    }
  }
  return 0;
}
