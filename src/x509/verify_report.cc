// x509/verify_report.cc — VerifyReport::to_string, the text behind
// `tessera verify --explain`.
#include <algorithm>

#include "x509/verify.h"

namespace tessera::x509 {
namespace {

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::string VerifyReport::to_string() const {
  std::string out;
  out += "Chain (leaf first, " + std::to_string(chain.size()) + " certificate" +
         (chain.size() == 1 ? "" : "s") + "):\n";
  for (const CertSummary& c : chain) {
    std::string tag = c.anchor ? "  [trust anchor]" : (c.depth == 0 ? "  [leaf]" : "");
    out += "  " + std::to_string(c.depth) + ". " + c.subject + tag + "\n";
    out += "       issuer    " + (c.self_issued ? std::string("(self-issued)") : c.issuer) + "\n";
    out += "       validity  " + format_iso8601(c.not_before) + " .. " +
           format_iso8601(c.not_after) + "\n";
    out += "       key       " + c.key + ", signed with " + c.signature + "\n";
    out += "       serial    " + c.serial + "\n";
  }
  if (!checks.empty()) {
    // Group the checks by certificate, leaf first, chain-wide ones last.
    std::vector<Check> sorted = checks;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Check& a, const Check& b) {
      auto key = [](int d) { return d < 0 ? 1 << 30 : d; };
      return key(a.depth) < key(b.depth);
    });
    size_t name_width = 0;
    for (const Check& ch : checks) name_width = std::max(name_width, ch.name.size());
    out += "Checks:\n";
    for (const Check& ch : sorted) {
      std::string where = ch.depth < 0 ? "chain" : "cert " + std::to_string(ch.depth);
      out += std::string("  ") + (ch.ok ? "ok  " : "FAIL") + "  " + pad(where, 7) + "  " +
             pad(ch.name, name_width) + "  " + ch.detail + "\n";
    }
  }
  if (!notes.empty()) {
    out += "Notes:\n";
    for (const std::string& n : notes) out += "  - " + n + "\n";
  }
  out += "Work: " + std::to_string(signature_checks) + " signature check(s), " +
         std::to_string(paths_tried) + " candidate path(s)\n";
  if (valid) {
    out += "Result: OK\n";
  } else {
    out +=
        "Result: REJECTED: " + (error ? error->to_string() : std::string("unknown error")) + "\n";
  }
  return out;
}

}  // namespace tessera::x509
