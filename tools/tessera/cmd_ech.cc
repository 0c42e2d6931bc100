// `tessera ech`: Encrypted Client Hello keys (draft-ietf-tls-esni-25).
//
//   tessera ech keygen --public-name NAME [--config-id N] [--max-name-length N] --out FILE
//     makes an X25519 ECH key and its ECHConfig (EchKey::generate), writes
//     both to FILE (EchKey::to_pem; mode 0600, never over an existing file)
//     and prints the ECHConfigList in base64 (the ech= parameter of a DNS
//     HTTPS record, and what `tessera client --ech-config` takes) and a line
//     describing the config.
//   tessera ech show FILE|BASE64
//     decodes an ECH key file (only its public parts are shown) or an
//     ECHConfigList (base64 text, or a file holding base64, a PEM
//     "ECHCONFIG" block or the binary list) and prints every field of each
//     config and whether tessera's client can use it. Exit status 0 when one
//     can be used, 1 otherwise.
#include <cstdio>

#include "command.h"
#include "crypto/provider.h"
#include "ech_input.h"
#include "x509/pem.h"

namespace tessera::cli {
namespace {

struct KeygenOptions {
  std::string public_name;
  int config_id = -1;  // -1: a random byte
  int max_name_length = 0;
  std::string out;
};

int run_keygen(const KeygenOptions& o) {
  auto provider = crypto::default_provider();
  EchKeyParams params;
  params.public_name = o.public_name;
  if (o.config_id >= 0) {
    params.config_id = static_cast<uint8_t>(o.config_id);
  } else {
    uint8_t id[1];
    provider->public_random(id);
    params.config_id = id[0];
  }
  params.maximum_name_length = static_cast<uint8_t>(o.max_name_length);
  auto key = EchKey::generate(params, provider);
  if (!key.ok()) {
    std::fprintf(stderr, "tessera ech keygen: %s\n", key.error().to_string().c_str());
    return 1;
  }
  std::string pem = key->to_pem();
  if (auto w = write_new_secret_file(o.out, pem); !w.ok()) {
    std::fprintf(stderr, "tessera ech keygen: %s\n", w.error().to_string().c_str());
    return 1;
  }
  const auto list = key->config_list();
  auto config = wire::EchConfig::parse(key->config());
  std::printf("%s\n%s\n", x509::base64_encode(list).c_str(),
              config.ok() ? describe_ech_config_line(*config).c_str() : "?");
  std::fprintf(stderr,
               "tessera ech keygen: wrote the private key and its config to %s (mode 0600: give "
               "it to tessera server --ech-key, with a certificate for %s). Publish the "
               "ECHConfigList above (base64) as the ech= parameter of the HTTPS record of the "
               "names the server serves; clients take it with --ech-config.\n",
               o.out.c_str(), o.public_name.c_str());
  return 0;
}

int run_show(const std::string& arg) {
  auto in = load_ech_input(arg);
  if (!in.ok()) {
    std::fprintf(stderr, "tessera ech show: %s\n", in.error().to_string().c_str());
    return 1;
  }
  const size_t n = in->parsed.configs.size();
  std::printf("ECHConfigList from %s: %zu config%s, %zu bytes\n", in->source.c_str(), n,
              n == 1 ? "" : "s", in->config_list.size());
  if (in->key) std::printf("private key: X25519, matching the config's public key (not shown)\n");
  std::printf("base64: %s\n", x509::base64_encode(in->config_list).c_str());
  size_t usable = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto& c = in->parsed.configs[i];
    std::printf("\nconfig %zu of %zu:\n%s", i + 1, n, describe_ech_config(c, "  ").c_str());
    if (ech_config_unusable_reason(c).empty()) ++usable;
  }
  if (usable == 0) {
    std::printf("\ntessera cannot use any config of this list\n");
    return 1;
  }
  return 0;
}

const bool kRegistered = register_command(
    {"ech", "Encrypted Client Hello keys: keygen, show", [](CLI::App& app) -> Runner {
       app.require_subcommand(1);
       auto k = std::make_shared<KeygenOptions>();
       CLI::App* keygen = app.add_subcommand(
           "keygen", "Make an ECH key (X25519) and its ECHConfig; print the ECHConfigList");
       keygen
           ->add_option("--public-name", k->public_name,
                        "The name the outer ClientHello shows (ECHConfig public_name; the server "
                        "needs a certificate for it)")
           ->required();
       keygen
           ->add_option("--config-id", k->config_id,
                        "ECHConfig config_id, 0..255, distinct for each key a server holds "
                        "(default: a random byte)")
           ->check(CLI::Range(0, 255));
       keygen
           ->add_option("--max-name-length", k->max_name_length,
                        "ECHConfig maximum_name_length, 0..255: clients pad their encrypted "
                        "ClientHello to hide server names up to this length (0: their own rule)")
           ->check(CLI::Range(0, 255))
           ->capture_default_str();
       keygen
           ->add_option("--out", k->out,
                        "The key file to write (PEM: PRIVATE KEY and ECHCONFIG; mode 0600; an "
                        "existing file is not overwritten)")
           ->required();
       auto input = std::make_shared<std::string>();
       CLI::App* show = app.add_subcommand(
           "show", "Decode an ECH key file or ECHConfigList and print each config");
       show->add_option("input", *input,
                        "An ECH key file, a file holding an ECHConfigList (base64, PEM "
                        "ECHCONFIG or binary), or the base64 text itself")
           ->required();
       return [k, input, keygen, show]() -> int {
         if (keygen->parsed()) return run_keygen(*k);
         if (show->parsed()) return run_show(*input);
         return 2;
       };
     }});

}  // namespace
}  // namespace tessera::cli
