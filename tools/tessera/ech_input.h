// tools/tessera/ech_input.h — Encrypted Client Hello (draft-ietf-tls-esni-25)
// inputs and descriptions shared by `tessera ech`, `tessera server
// --ech-key`, `tessera client --ech-config` and `tessera demo`.
//
// An ECH input is one of:
//   - an ECH key file, as `tessera ech keygen` writes it (EchKey::to_pem: a
//     PKCS#8 X25519 "PRIVATE KEY" block and an "ECHCONFIG" block); read
//     with read_secret_file and checked by EchKey::from_pem;
//   - a file holding a PEM "ECHCONFIG" block, base64 text (the value of a
//     DNS HTTPS record's ech= parameter, line breaks allowed) or a binary
//     ECHConfigList;
//   - base64 text given on the command line (an "ech=" prefix and quotes,
//     as dig prints the record, are tolerated).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/ech.h"
#include "tessera/result.h"
#include "wire/ech.h"

namespace tessera::cli {

struct EchInput {
  std::vector<uint8_t> config_list;   // the ECHConfigList, as on the wire
  wire::EchConfigList parsed;         // config_list decoded
  std::shared_ptr<const EchKey> key;  // set when the input was an ECH key file
  std::string source;                 // e.g. "key file k.pem", "base64 text"
};

// load_ech_input reads `arg` as described above; the list must parse
// (wire::EchConfigList::parse), whether or not tessera can use its configs.
// io_error for a file that cannot be read; config_invalid saying what `arg`
// is not, e.g. "'x!' is neither a file nor base64", or what is wrong with
// it (a key file whose config does not carry its key's public half, a list
// that does not decode).
Result<EchInput> load_ech_input(const std::string& arg);
// parse_ech_file is load_ech_input for the contents of a file named `name`
// (read already): a key file, a PEM "ECHCONFIG" block, base64 text or a
// binary list.
Result<EchInput> parse_ech_file(ByteView data, const std::string& name);

// load_ech_key reads an ECH key file (read_secret_file, EchKey::from_pem).
Result<std::shared_ptr<const EchKey>> load_ech_key(const std::string& path);

// ech_config_usable: "" when tessera's client can use `config` (the check
// Connection::client makes, handshake::EchClient::choose), else why not.
std::string ech_config_unusable_reason(const wire::EchConfig& config);
// ech_config_choice: the config and suite tessera's client would use, e.g.
// "config 7 for public name example.com, DHKEM(X25519, HKDF-SHA256),
// HKDF-SHA256, AES-128-GCM"; "" when it cannot use it.
std::string ech_config_choice(const wire::EchConfig& config);

// describe_ech_config_line is one line about a config: "config 42, public
// name other.example, DHKEM(X25519, HKDF-SHA256), suites HKDF-SHA256 +
// AES-128-GCM, HKDF-SHA256 + ChaCha20Poly1305, maximum_name_length 0".
std::string describe_ech_config_line(const wire::EchConfig& config);
// describe_ech_config_list: describe_ech_config_line of each config of a
// list (wire form), one per line, each line starting with `indent`; a line
// saying why when the list does not parse.
std::string describe_ech_config_list(const std::vector<uint8_t>& list, const std::string& indent);
// describe_ech_config is `tessera ech show`'s block: every field, one per
// line, each starting with `indent`, and whether tessera can use it.
std::string describe_ech_config(const wire::EchConfig& config, const std::string& indent);

// printable_name shows bytes received from the wire (a public name) with
// printable ASCII as is and other bytes as \xNN.
std::string printable_name(std::string_view s);

// write_new_secret_file writes `text` (wiped, as write_secret_file does) to
// `path` with mode 0600, refusing to replace anything already at `path`:
// the new file is written beside it and hard-linked into place, which fails
// if the name was taken meanwhile. io_error naming the path.
Result<void> write_new_secret_file(const std::string& path, std::string& text);

}  // namespace tessera::cli
