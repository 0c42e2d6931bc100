#include "x509/pem.h"

#include <string>

namespace tessera::x509 {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Error pem_error(size_t line, std::string msg) {
  return Error(ErrorCode::cert_parse, "PEM line " + std::to_string(line) + ": " + msg);
}

// Splits text into lines (LF or CRLF), with trailing blanks removed.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? text.npos : nl - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

}  // namespace

std::string base64_encode(ByteView data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

namespace {
// WipeOnExit runs `wipe` when it goes out of scope unless `keep` was set:
// the decoders below handle bytes that may be a secret (a saved session) and
// wipe them on every error path, and scratch buffers on every path.
template <class Wipe>
struct WipeOnExit {
  Wipe wipe;
  bool keep = false;
  ~WipeOnExit() {
    if (!keep) wipe();
  }
};
template <class Wipe>
WipeOnExit(Wipe) -> WipeOnExit<Wipe>;
}  // namespace

Result<Bytes> base64_decode(std::string_view text) {
  // RFC 4648 4: groups of four characters; '=' pads the final group only.
  if (text.size() % 4 != 0) {
    return Error(ErrorCode::cert_parse,
                 "base64 length " + std::to_string(text.size()) + " is not a multiple of 4");
  }
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  WipeOnExit guard{[&out] { secure_wipe(out.data(), out.size()); }};
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int v[4];
    size_t pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=') {
        if (!last || j < 2) {
          return Error(ErrorCode::cert_parse,
                       "base64 padding before the end at offset " + std::to_string(i + j));
        }
        ++pad;
        v[j] = 0;
        continue;
      }
      if (pad != 0) {
        return Error(ErrorCode::cert_parse,
                     "base64 data after padding at offset " + std::to_string(i + j));
      }
      v[j] = b64_value(c);
      if (v[j] < 0) {
        return Error(ErrorCode::cert_parse,
                     "invalid base64 character at offset " + std::to_string(i + j));
      }
    }
    uint32_t bits =
        (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    // RFC 4648 3.5: the pad bits of the last group must be zero.
    if ((pad == 1 && (bits & 0xff) != 0) || (pad == 2 && (bits & 0xffff) != 0)) {
      return Error(ErrorCode::cert_parse, "base64 has non-zero bits in its padding");
    }
    out.push_back(static_cast<uint8_t>(bits >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>((bits >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<uint8_t>(bits & 0xff));
  }
  guard.keep = true;
  return out;
}

bool looks_like_pem(std::string_view text) { return text.find(kBegin) != std::string_view::npos; }

Result<std::vector<PemBlock>> pem_decode(std::string_view text) {
  std::vector<PemBlock> blocks;
  // A malformed block after a good one: the good ones are wiped too.
  WipeOnExit guard{[&blocks] {
    for (PemBlock& b : blocks) secure_wipe(b.der.data(), b.der.size());
  }};
  std::vector<std::string_view> lines = split_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    // RFC 7468 2: text outside the encapsulation boundaries is ignored.
    size_t at = line.find(kBegin);
    if (at == std::string_view::npos) continue;
    std::string_view rest = line.substr(at + kBegin.size());
    if (rest.size() < kDashes.size() || rest.substr(rest.size() - kDashes.size()) != kDashes) {
      return pem_error(i + 1, "malformed BEGIN line");
    }
    std::string label(rest.substr(0, rest.size() - kDashes.size()));
    size_t begin_line = i + 1;
    // The body is gathered into one buffer sized beforehand and wiped after
    // decoding: a block may carry a secret (a saved session), and a growing
    // string would free copies of it unwiped.
    size_t body_size = 0;
    for (size_t j = i + 1; j < lines.size() && lines[j].substr(0, kEnd.size()) != kEnd; ++j)
      body_size += lines[j].size();
    std::string body;
    body.reserve(body_size);
    WipeOnExit wipe_body{[&body] { secure_wipe(body.data(), body.size()); }};
    bool ended = false;
    bool short_line_seen = false;
    for (++i; i < lines.size(); ++i) {
      std::string_view l = lines[i];
      if (l.substr(0, kEnd.size()) == kEnd) {
        std::string_view end_label = l.substr(kEnd.size());
        if (end_label.size() < kDashes.size() ||
            end_label.substr(end_label.size() - kDashes.size()) != kDashes ||
            end_label.substr(0, end_label.size() - kDashes.size()) != label) {
          return pem_error(i + 1, "END line does not match \"BEGIN " + label + "\"");
        }
        ended = true;
        break;
      }
      if (l.find(':') != std::string_view::npos) {
        return pem_error(i + 1, "PEM headers (encrypted or RFC 1421 PEM) are not supported");
      }
      if (l.empty()) continue;
      // Only the last line of the body may be shorter than the others.
      if (short_line_seen) return pem_error(i + 1, "base64 line after the final short line");
      if (l.size() % 4 != 0 || l.find('=') != std::string_view::npos) short_line_seen = true;
      body += l;
    }
    if (!ended) return pem_error(begin_line, "no END line for \"BEGIN " + label + "\"");
    Result<Bytes> der = base64_decode(body);
    if (!der) return pem_error(begin_line, "block \"" + label + "\": " + der.error().message());
    blocks.push_back(PemBlock{std::move(label), std::move(*der)});
  }
  guard.keep = true;
  return blocks;
}

Result<std::vector<Bytes>> pem_decode_label(std::string_view text, std::string_view label) {
  TESSERA_ASSIGN_OR_RETURN(std::vector<PemBlock> blocks, pem_decode(text));
  std::vector<Bytes> out;
  for (PemBlock& b : blocks) {
    if (b.label == label) {
      out.push_back(std::move(b.der));
    } else {
      // A block we do not return may be a private key in the same file (a
      // certificate and its key, an ECH key and its config): wipe it.
      secure_wipe(b.der.data(), b.der.size());
    }
  }
  return out;
}

Result<SecretBytes> pem_decode_secret(std::string_view text, std::string_view label) {
  Result<std::vector<PemBlock>> blocks = pem_decode(text);
  if (!blocks) return blocks.error();
  std::optional<SecretBytes> found;
  for (PemBlock& b : *blocks) {
    if (!found && b.label == label) found = SecretBytes(b.der);
    secure_wipe(b.der.data(), b.der.size());
  }
  if (!found) {
    return Error(ErrorCode::cert_parse, "no \"" + std::string(label) + "\" PEM block found");
  }
  return std::move(*found);
}

std::string pem_encode(std::string_view label, ByteView der) {
  std::string b64 = base64_encode(der);
  // Sized exactly, and no temporary per line: the block may carry a secret
  // (a saved session), so no copy of it is left in a buffer freed unwiped;
  // the base64 is wiped once it is written out.
  std::string out;
  out.reserve(kBegin.size() + kEnd.size() + 2 * (label.size() + 6) + b64.size() +
              (b64.size() + 63) / 64);
  out += kBegin;
  out += label;
  out += "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out += '\n';
  }
  out += kEnd;
  out += label;
  out += "-----\n";
  secure_wipe(b64.data(), b64.size());
  return out;
}

}  // namespace tessera::x509
