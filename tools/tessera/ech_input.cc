#include "ech_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/hex.h"
#include "base/secret_file.h"
#include "crypto/hpke.h"
#include "crypto/provider.h"
#include "handshake/ech.h"
#include "x509/pem.h"

namespace tessera::cli {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// strip_presentation removes what surrounds the base64 when it is copied
// from a DNS zone or `dig` output: blanks, an "ech=" key, quotes.
std::string strip_presentation(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.size() >= 4 && (text.substr(0, 4) == "ech=" || text.substr(0, 4) == "ECH="))
    text.remove_prefix(4);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
    text = text.substr(1, text.size() - 2);
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    if (!is_space(c)) out += c;
  return out;
}

// decode_base64_list decodes base64 text of an ECHConfigList (nullopt: it
// is not base64).
std::optional<Bytes> decode_base64_list(std::string_view text) {
  std::string b64 = strip_presentation(text);
  if (b64.empty()) return std::nullopt;
  auto bytes = x509::base64_decode(b64);
  if (!bytes.ok()) return std::nullopt;
  return std::move(*bytes);
}

Result<EchInput> finish(Bytes list, std::string source, std::shared_ptr<const EchKey> key) {
  auto parsed = wire::EchConfigList::parse(list);
  if (!parsed.ok())
    return Error(ErrorCode::config_invalid,
                 source + " does not hold an ECHConfigList: " + parsed.error().message());
  EchInput in;
  in.config_list = std::move(list);
  in.parsed = std::move(*parsed);
  in.key = std::move(key);
  in.source = std::move(source);
  return in;
}

bool is_text(ByteView b) {
  for (uint8_t c : b)
    if ((c < 0x20 || c > 0x7e) && c != '\n' && c != '\r' && c != '\t') return false;
  return true;
}

std::string u16_hex(uint16_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) s += digits[(v >> shift) & 0xf];
  return s;
}

std::string suite_list(const wire::HpkeKeyConfig& kc) {
  std::string out;
  for (const auto& s : kc.cipher_suites) {
    if (!out.empty()) out += ", ";
    out += crypto::hpke_kdf_name(s.kdf_id) + " + " + crypto::hpke_aead_name(s.aead_id);
  }
  return out.empty() ? "(none)" : out;
}

std::unique_ptr<handshake::EchClient> choose_one(const wire::EchConfig& config, std::string* why) {
  auto list = wire::EchConfigList::make({config});
  if (!list.ok()) {
    if (why) *why = list.error().message();
    return nullptr;
  }
  auto chosen = handshake::EchClient::choose(list->raw);
  if (chosen.ok()) return std::move(*chosen);
  if (why) {
    // "no usable ECHConfig in the list (config 7: REASON)" -> REASON.
    std::string m = chosen.error().message();
    const std::string head = "no usable ECHConfig in the list (";
    if (m.rfind(head, 0) == 0 && m.back() == ')')
      m = m.substr(head.size(), m.size() - head.size() - 1);
    const std::string config_head =
        "config " + std::to_string(config.contents.key_config.config_id) + ": ";
    if (config.supported() && m.rfind(config_head, 0) == 0) m = m.substr(config_head.size());
    *why = m;
  }
  return nullptr;
}

}  // namespace

std::string printable_name(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return out;
}

Result<std::shared_ptr<const EchKey>> load_ech_key(const std::string& path) {
  TESSERA_ASSIGN_OR_RETURN(SecretBytes text, read_secret_file(path));
  auto key = EchKey::from_pem(as_text(text));
  if (!key.ok()) return std::move(key).error().with_context(path);
  return std::shared_ptr<const EchKey>(std::make_shared<EchKey>(std::move(*key)));
}

Result<EchInput> load_ech_input(const std::string& arg) {
  struct stat st {};
  if (arg.empty())
    return Error(ErrorCode::config_invalid, "expected a file or base64 ECHConfigList, got ''");
  if (::stat(arg.c_str(), &st) != 0) {
    const int stat_errno = errno;
    // Not a file: base64 text.
    auto bytes = decode_base64_list(arg);
    if (!bytes) {
      const std::string shown = printable_name(arg.size() > 80 ? arg.substr(0, 77) + "..." : arg);
      if (arg.find('/') != std::string::npos || arg.find('.') != std::string::npos)
        return Error(ErrorCode::config_invalid, "cannot open '" + shown +
                                                    "': " + std::strerror(stat_errno) +
                                                    " (and it is not base64 text of an "
                                                    "ECHConfigList either)");
      return Error(ErrorCode::config_invalid,
                   "'" + shown + "' is neither a file nor base64 text of an ECHConfigList");
    }
    return finish(std::move(*bytes), "the base64 text", nullptr);
  }
  // A file: read as a secret (it may be a key file), whatever it holds.
  TESSERA_ASSIGN_OR_RETURN(SecretBytes data, read_secret_file(arg));
  return parse_ech_file(data.view(), arg);
}

Result<EchInput> parse_ech_file(ByteView data, const std::string& arg) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (text.find("PRIVATE KEY-----") != std::string_view::npos) {
    auto key = EchKey::from_pem(text);
    if (!key.ok()) return std::move(key).error().with_context(arg);
    auto shared = std::make_shared<const EchKey>(std::move(*key));
    return finish(shared->config_list(), "key file " + arg, shared);
  }
  if (x509::looks_like_pem(text)) {
    auto blocks = x509::pem_decode_label(text, "ECHCONFIG");
    if (!blocks.ok()) return std::move(blocks).error().with_context(arg);
    if (blocks->size() != 1)
      return Error(
          ErrorCode::config_invalid,
          arg + ": expected one PEM \"ECHCONFIG\" block, found " + std::to_string(blocks->size()));
    return finish(std::move(blocks->front()), arg + " (PEM)", nullptr);
  }
  if (is_text(data)) {
    auto bytes = decode_base64_list(text);
    if (!bytes)
      return Error(ErrorCode::config_invalid,
                   arg +
                       " is not an ECH key file, a PEM \"ECHCONFIG\" block or base64 text of an "
                       "ECHConfigList");
    return finish(std::move(*bytes), arg + " (base64)", nullptr);
  }
  return finish(Bytes(data.begin(), data.end()), arg + " (binary)", nullptr);
}

std::string ech_config_unusable_reason(const wire::EchConfig& config) {
  std::string why;
  return choose_one(config, &why) ? std::string() : why;
}

std::string ech_config_choice(const wire::EchConfig& config) {
  auto c = choose_one(config, nullptr);
  return c ? c->describe() : std::string();
}

std::string describe_ech_config_line(const wire::EchConfig& config) {
  if (!config.supported())
    return "a config of version " + u16_hex(config.version) +
           " (not supported: " + std::to_string(config.raw.size()) + " bytes not decoded)";
  const auto& c = config.contents;
  const auto& kc = c.key_config;
  return "config " + std::to_string(kc.config_id) + ", public name " +
         printable_name(c.public_name) + ", " + crypto::hpke_kem_name(kc.kem_id) + ", suites " +
         suite_list(kc) + ", maximum_name_length " + std::to_string(c.maximum_name_length);
}

std::string describe_ech_config_list(const std::vector<uint8_t>& list, const std::string& indent) {
  auto parsed = wire::EchConfigList::parse(list);
  if (!parsed.ok()) return indent + "(does not decode: " + parsed.error().message() + ")\n";
  std::string out;
  for (const auto& c : parsed->configs) out += indent + describe_ech_config_line(c) + "\n";
  return out;
}

std::string describe_ech_config(const wire::EchConfig& config, const std::string& indent) {
  std::string out;
  auto line = [&](const std::string& k, const std::string& v) {
    std::string key = k + ":";
    if (key.size() < 21) key.resize(21, ' ');
    out += indent + key + v + "\n";
  };
  if (!config.supported()) {
    line("version", u16_hex(config.version) + " (not a version tessera supports; " +
                        std::to_string(config.raw.size()) + " bytes, not decoded)");
    line("usable by tessera", "no: " + ech_config_unusable_reason(config));
    return out;
  }
  const auto& c = config.contents;
  const auto& kc = c.key_config;
  line("version", u16_hex(config.version) + " (draft-ietf-tls-esni-25)");
  line("config id", std::to_string(kc.config_id));
  line("KEM", crypto::hpke_kem_name(kc.kem_id) + " (" + u16_hex(kc.kem_id) + ")");
  line("public key", std::to_string(kc.public_key.size()) + " bytes: " + to_hex(kc.public_key));
  std::string suites;
  for (const auto& s : kc.cipher_suites) {
    if (!suites.empty()) suites += ", ";
    suites += crypto::hpke_kdf_name(s.kdf_id) + " + " + crypto::hpke_aead_name(s.aead_id) + " (" +
              u16_hex(s.kdf_id) + "/" + u16_hex(s.aead_id) + ")";
  }
  line("cipher suites", suites.empty() ? "(none)" : suites);
  line("maximum_name_length", std::to_string(c.maximum_name_length) +
                                  (c.maximum_name_length == 0 ? " (clients pad by their own rule)"
                                                              : " (clients pad to this length)"));
  line("public_name", printable_name(c.public_name));
  std::string exts;
  for (const auto& e : c.extensions) {
    if (!exts.empty()) exts += ", ";
    exts += u16_hex(e.type) + " (" + std::to_string(e.data.size()) + " bytes" +
            (wire::is_mandatory_ech_config_extension(e.type) ? ", mandatory" : "") + ")";
  }
  line("extensions", exts.empty() ? "none" : exts);
  const std::string choice = ech_config_choice(config);
  line("usable by tessera",
       choice.empty() ? "no: " + ech_config_unusable_reason(config) : "yes (" + choice + ")");
  return out;
}

Result<void> write_new_secret_file(const std::string& path, std::string& text) {
  struct Wipe {
    std::string& s;
    ~Wipe() { secure_wipe(s.data(), s.size()); }
  } wipe{text};
  struct stat st {};
  auto exists = [&] {
    return Error(ErrorCode::io_error,
                 path +
                     " already exists: not overwritten (remove it first, or choose another "
                     "name)");
  };
  if (::lstat(path.c_str(), &st) == 0) return exists();
  // A name of our own beside the target, then link(2), which never replaces
  // what is at `path` (a file that appeared since the check above).
  uint8_t r[8];
  crypto::default_provider()->public_random(r);
  const std::string tmp = path + ".new-" + to_hex(r);
  TESSERA_TRY(write_secret_file(tmp, text));
  int err = ::link(tmp.c_str(), path.c_str()) == 0 ? 0 : errno;
  ::unlink(tmp.c_str());
  if (err == EEXIST) return exists();
  if (err != 0)
    return Error(ErrorCode::io_error, "cannot write " + path + ": " + std::strerror(err));
  return ok();
}

}  // namespace tessera::cli
