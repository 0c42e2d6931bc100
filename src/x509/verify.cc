// x509/verify.cc — path building with backtracking and RFC 5280 6 validation.
#include "x509/verify.h"

#include <algorithm>
#include <map>

#include "crypto/provider.h"
#include "x509/checks.h"
#include "x509/name_constraints.h"

namespace tessera::x509 {
namespace {

using CertPtr = std::shared_ptr<const Certificate>;

std::string subject_text(const Certificate& c) {
  std::string s = c.subject().to_string();
  return s.empty() ? std::string("empty subject") : s;
}

std::string who(size_t depth, const Certificate& c) {
  return "certificate " + std::to_string(depth) + " (" + subject_text(c) + ")";
}

bool same_der(ByteView a, ByteView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

std::optional<Oid> purpose_oid(Purpose p) {
  switch (p) {
    case Purpose::server_auth: return oids::kServerAuth;
    case Purpose::client_auth: return oids::kClientAuth;
    case Purpose::any: return std::nullopt;
  }
  return std::nullopt;
}

// One certificate the builder can place in a path: the leaf, an untrusted
// certificate, or a trust anchor.
struct Node {
  CertPtr cert;
  bool anchor = false;
  size_t anchor_index = 0;
  std::unique_ptr<crypto::PublicKey> key;  // untrusted issuers: loaded lazily
  bool key_failed = false;
  std::string key_error;
};

// Failures are ranked so the most informative one is reported when no path
// verifies: a complete path that failed validation beats a rejected edge
// (bad signature, depth), which beats a dead end (issuer not found).
enum class Rank { none = 0, dead_end = 1, edge = 2, path = 3 };

class PathBuilder {
 public:
  PathBuilder(crypto::Provider& provider, const TrustStore& trust, const VerifyOptions& options,
              VerifyReport* report)
      : provider_(provider), trust_(trust), options_(options), report_(report) {}

  Result<VerifiedPath> run(std::span<const Bytes> chain_der);

 private:
  enum class Outcome { found, exhausted, aborted };

  Outcome extend(std::vector<size_t>& path);
  std::vector<size_t> candidates(size_t child);
  size_t anchor_node(size_t anchor_index);
  Result<void> check_edge(size_t child, size_t issuer);
  Result<void> verify_by(size_t issuer, const SignatureAlgorithm& alg, ByteView tbs,
                         ByteView signature);
  Result<void> validate(const std::vector<size_t>& path, std::vector<VerifyReport::Check>& checks);
  void fail(Rank rank, Error e);
  bool over_budget();

  crypto::Provider& provider_;
  const TrustStore& trust_;
  const VerifyOptions& options_;
  VerifyReport* report_;

  std::vector<Node> nodes_;                // 0 = leaf, then untrusted, then anchors used
  size_t untrusted_end_ = 1;               // nodes_[1..untrusted_end_) are untrusted
  std::map<size_t, size_t> anchor_nodes_;  // anchor index -> node
  std::map<std::pair<size_t, size_t>, std::optional<Error>> edges_;  // memoized signatures
  size_t signature_checks_ = 0;
  size_t paths_ = 0;
  size_t key_id_mismatches_ = 0;  // set by candidates()
  std::optional<Error> abort_;
  Rank best_rank_ = Rank::none;
  std::optional<Error> best_error_;
  std::vector<size_t> best_path_;
  std::vector<VerifyReport::Check> best_checks_;
  std::vector<size_t> found_path_;
  std::vector<VerifyReport::Check> found_checks_;
};

size_t PathBuilder::anchor_node(size_t anchor_index) {
  auto it = anchor_nodes_.find(anchor_index);
  if (it != anchor_nodes_.end()) return it->second;
  Node n;
  n.cert = trust_.anchors()[anchor_index];
  n.anchor = true;
  n.anchor_index = anchor_index;
  nodes_.push_back(std::move(n));
  anchor_nodes_[anchor_index] = nodes_.size() - 1;
  return nodes_.size() - 1;
}

void PathBuilder::fail(Rank rank, Error e) {
  if (rank > best_rank_) {
    best_rank_ = rank;
    best_error_ = std::move(e);
  }
}

bool PathBuilder::over_budget() {
  if (abort_) return true;
  if (signature_checks_ > options_.max_signature_checks) {
    abort_ = Error(ErrorCode::cert_work_limit,
                   "path building gave up after " + std::to_string(options_.max_signature_checks) +
                       " signature checks without finding a valid path");
  } else if (paths_ > options_.max_paths) {
    abort_ = Error(ErrorCode::cert_work_limit, "path building gave up after trying " +
                                                   std::to_string(options_.max_paths) +
                                                   " candidate paths");
  }
  return abort_.has_value();
}

std::vector<size_t> PathBuilder::candidates(size_t child) {
  const Certificate& c = *nodes_[child].cert;
  const auto& aki = c.extensions().authority_key_id;
  auto key_id_match = [&](const Certificate& issuer) -> int {
    // RFC 5280 4.2.1.1: the AKI keyIdentifier identifies the issuer's key by
    // its subjectKeyIdentifier. 1 = match, 0 = unknown, -1 = mismatch.
    if (!aki || !aki->key_id || !issuer.extensions().subject_key_id) return 0;
    return *aki->key_id == *issuer.extensions().subject_key_id ? 1 : -1;
  };
  std::vector<size_t> out;
  key_id_mismatches_ = 0;
  for (size_t a : trust_.find_issuers(c.issuer())) {
    if (key_id_match(*trust_.anchors()[a]) >= 0) {
      out.push_back(anchor_node(a));
    } else {
      ++key_id_mismatches_;
    }
  }
  std::vector<std::pair<int, size_t>> ranked;
  for (size_t i = 1; i < untrusted_end_; ++i) {
    const Certificate& cand = *nodes_[i].cert;
    if (!names_equal(cand.subject(), c.issuer())) continue;
    int km = key_id_match(cand);
    if (km < 0) {
      ++key_id_mismatches_;
      continue;
    }
    bool valid_now =
        cand.not_before() <= options_.now_unix && options_.now_unix <= cand.not_after();
    ranked.push_back({(km > 0 ? 0 : 2) + (valid_now ? 0 : 1), i});
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& r : ranked) out.push_back(r.second);
  return out;
}

Result<void> PathBuilder::verify_by(size_t issuer, const SignatureAlgorithm& alg, ByteView tbs,
                                    ByteView signature) {
  Node& n = nodes_[issuer];
  if (n.anchor) return trust_.verify_with_anchor(provider_, n.anchor_index, alg, tbs, signature);
  TESSERA_TRY(check_signature_algorithm(alg));
  if (!n.key && !n.key_failed) {
    auto key = provider_.load_public_key(n.cert->spki_der());
    if (key) {
      n.key = std::move(*key);
    } else {
      n.key_failed = true;
      n.key_error = key.error().message();
    }
  }
  if (n.key_failed) {
    return Error(ErrorCode::cert_bad_signature,
                 "cannot load the issuer's public key: " + n.key_error);
  }
  return verify_with_key(*n.key, alg, tbs, signature);
}

Result<void> PathBuilder::check_edge(size_t child, size_t issuer) {
  auto it = edges_.find({child, issuer});
  if (it == edges_.end()) {
    ++signature_checks_;
    const Certificate& c = *nodes_[child].cert;
    Result<void> r = verify_by(issuer, c.signature_algorithm(), c.tbs(), c.signature());
    std::optional<Error> e;
    if (!r) e = std::move(r).error();
    it = edges_.emplace(std::make_pair(child, issuer), std::move(e)).first;
  }
  if (it->second) return *it->second;
  return ok();
}

PathBuilder::Outcome PathBuilder::extend(std::vector<size_t>& path) {
  if (over_budget()) return Outcome::aborted;
  size_t cur = path.back();
  if (nodes_[cur].anchor) {
    ++paths_;
    std::vector<VerifyReport::Check> checks;
    Result<void> r = validate(path, checks);
    if (r) {
      found_path_ = path;
      found_checks_ = std::move(checks);
      return Outcome::found;
    }
    if (report_) {
      std::string p;
      for (size_t i : path) p += (p.empty() ? "" : " -> ") + subject_text(*nodes_[i].cert);
      report_->notes.push_back("path " + p + " rejected: " + r.error().message());
    }
    if (best_rank_ < Rank::path) {
      best_path_ = path;
      best_checks_ = std::move(checks);
    }
    fail(Rank::path, std::move(r).error());
    return over_budget() ? Outcome::aborted : Outcome::exhausted;
  }
  size_t depth = path.size() - 1;
  const Certificate& c = *nodes_[cur].cert;
  std::vector<size_t> cands = candidates(cur);
  const size_t mismatches = key_id_mismatches_;
  bool progressed = false;
  bool any_new = false;
  for (size_t cand : cands) {
    if (std::find(path.begin(), path.end(), cand) != path.end()) continue;  // loop
    any_new = true;
    // Intermediates are path positions 1..n-1; an untrusted issuer here
    // would be intermediate number depth + 1.
    if (!nodes_[cand].anchor && depth + 1 > options_.max_intermediates) {
      fail(Rank::edge,
           Error(ErrorCode::cert_path_length,
                 who(depth, c) + ": a path through issuer " + subject_text(*nodes_[cand].cert) +
                     " would exceed the maximum of " + std::to_string(options_.max_intermediates) +
                     " intermediates"));
      continue;
    }
    Result<void> sig = check_edge(cur, cand);
    if (over_budget()) return Outcome::aborted;
    if (!sig) {
      if (report_) {
        report_->notes.push_back(
            who(depth, c) + ": candidate issuer " + subject_text(*nodes_[cand].cert) +
            (nodes_[cand].anchor ? " (trusted)" : "") + " rejected: " + sig.error().message());
      }
      fail(Rank::edge, Error(sig.error().code(), who(depth, c) + " signature by " +
                                                     subject_text(*nodes_[cand].cert) + ": " +
                                                     sig.error().message()));
      continue;
    }
    progressed = true;
    path.push_back(cand);
    Outcome o = extend(path);
    if (o != Outcome::exhausted) return o;
    path.pop_back();
  }
  if (!progressed) {
    ++paths_;
    if (!any_new) {
      std::string among =
          std::to_string(trust_.size()) + " trusted certificates" +
          (untrusted_end_ > 1 ? " and " + std::to_string(untrusted_end_ - 1) + " untrusted ones"
                              : std::string());
      std::string hint =
          mismatches == 0 ? std::string()
                          : " (" + std::to_string(mismatches) +
                                " certificate(s) with that name have a different key identifier)";
      fail(Rank::dead_end, Error(ErrorCode::cert_untrusted,
                                 c.is_self_issued() && !cands.empty()
                                     ? who(depth, c) + " is self-signed and not among the " + among
                                     : who(depth, c) + " issuer " + c.issuer().to_string() +
                                           " not found among " + among + hint));
    }
    if (over_budget()) return Outcome::aborted;
  }
  return Outcome::exhausted;
}

Result<void> PathBuilder::validate(const std::vector<size_t>& path,
                                   std::vector<VerifyReport::Check>& checks) {
  std::optional<Error> first;
  // A passed check's detail is for the report (tessera verify) alone: it is
  // built, and the check listed, only when a report was asked for (a
  // handshake asks for none: formatting the dates and names cost ~12k
  // instructions per handshake). A failed check always carries its error.
  const bool want_report = report_ != nullptr;
  auto passed = [&](int depth, std::string_view name, auto&& detail) {
    if (want_report)
      checks.push_back(VerifyReport::Check{depth, std::string(name), true, detail()});
  };
  auto record = [&](int depth, std::string_view name, Result<void> r) {
    if (r.ok()) return;
    checks.push_back(VerifyReport::Check{depth, std::string(name), false, r.error().message()});
    if (!first) first = std::move(r).error();
  };
  auto err = [](ErrorCode code, size_t depth, const Certificate& c, const std::string& what) {
    return Result<void>(Error(code, who(depth, c) + " " + what));
  };
  const size_t n = path.size() - 1;  // index of the anchor
  const int64_t now = options_.now_unix;
  const std::optional<Oid> purpose = purpose_oid(options_.purpose);

  for (size_t i = 0; i <= n; ++i) {
    const Certificate& c = *nodes_[path[i]].cert;
    const int d = static_cast<int>(i);
    const bool is_anchor = i == n;
    // RFC 5280 4.2: "A certificate-using system MUST reject the certificate
    // if it encounters a critical extension it does not recognize".
    if (c.extensions().has_unknown_critical_extension) {
      std::string oids;
      for (const Oid& o : c.extensions().unknown_critical_oids) {
        oids += (oids.empty() ? "" : ", ") + o.to_string();
      }
      record(d, "critical extensions",
             err(ErrorCode::cert_unsupported, i, c, "has unsupported critical extension " + oids));
    } else {
      passed(d, "critical extensions", [&] { return "all understood"; });
    }
    // CA/B BR 6.1.5: RSA keys of at least 2048 bits (or the caller's more).
    Result<void> strength = check_key_strength(c.public_key_info(), options_.min_rsa_bits);
    if (strength) {
      passed(d, "key strength", [&] { return describe_key(c.public_key_info()); });
    } else {
      record(d, "key strength", err(strength.error().code(), i, c, strength.error().message()));
    }
    if (is_anchor) {
      passed(d, "trust anchor",
             [&] { return "in the trust store (its own signature is not checked)"; });
    } else {
      // RFC 5280 6.1.3 (a)(1): the signature was checked while building.
      passed(d, "signature", [&] {
        return c.signature_algorithm().name + " by " + subject_text(*nodes_[path[i + 1]].cert);
      });
    }
    // RFC 5280 6.1.3 (a)(2): the validity period includes the current time.
    if (now < c.not_before()) {
      record(d, "validity",
             err(ErrorCode::cert_not_yet_valid, i, c,
                 "is not valid before " + format_iso8601(c.not_before())));
    } else if (now > c.not_after()) {
      record(d, "validity",
             err(ErrorCode::cert_expired, i, c, "expired at " + format_iso8601(c.not_after())));
    } else {
      passed(d, "validity", [&] {
        return format_iso8601(c.not_before()) + " .. " + format_iso8601(c.not_after());
      });
    }
    if (i == 0) continue;
    // --- issuer checks (i >= 1) ---
    const auto& bc = c.extensions().basic_constraints;
    // RFC 5280 6.1.4 (k): an intermediate must have basicConstraints with cA
    // TRUE; v1/v2 certificates cannot be CAs. Anchors vouched for by the
    // trust store may be v1 (or lack the extension), but not cA FALSE.
    if (bc && bc->ca) {
      passed(d, "basicConstraints", [&] { return "CA:TRUE"; });
    } else if (is_anchor && !bc) {
      passed(d, "basicConstraints", [&] {
        return "trust anchor without basicConstraints (v" + std::to_string(c.version()) +
               "), accepted as a CA";
      });
    } else if (c.version() < 3) {
      record(d, "basicConstraints",
             err(ErrorCode::cert_invalid_ca, i, c,
                 "is a v" + std::to_string(c.version()) +
                     " certificate and cannot issue certificates"));
    } else {
      record(d, "basicConstraints",
             err(ErrorCode::cert_invalid_ca, i, c,
                 bc ? "is not a CA (basicConstraints CA:FALSE)"
                    : "is not a CA (no basicConstraints extension)"));
    }
    // RFC 5280 6.1.4 (n): if keyUsage is present, keyCertSign must be set.
    const auto& ku = c.extensions().key_usage;
    if (ku && !ku->has(KeyUsageBit::key_cert_sign)) {
      record(d, "keyUsage",
             err(ErrorCode::cert_invalid_ca, i, c, "keyUsage does not allow keyCertSign"));
    } else {
      passed(d, "keyUsage", [&] { return ku ? "keyCertSign" : "no keyUsage extension"; });
    }
    // RFC 5280 6.1.4 (l)/(m): pathLenConstraint limits the number of
    // non-self-issued intermediates that may follow this certificate.
    if (bc && bc->ca && bc->path_len) {
      size_t below = 0;
      for (size_t j = 1; j < i; ++j) below += nodes_[path[j]].cert->is_self_issued() ? 0 : 1;
      if (below > *bc->path_len) {
        record(d, "pathLenConstraint",
               err(ErrorCode::cert_path_length, i, c,
                   "allows " + std::to_string(*bc->path_len) + " intermediate(s) below it, found " +
                       std::to_string(below)));
      } else {
        passed(d, "pathLenConstraint",
               [&] { return std::to_string(below) + " <= " + std::to_string(*bc->path_len); });
      }
    }
    // EKU chaining: an intermediate that restricts its EKUs must allow the
    // purpose (anyExtendedKeyUsage included).
    const auto& eku = c.extensions().ext_key_usage;
    if (purpose && eku && !is_anchor) {
      if (eku->allows(*purpose)) {
        passed(d, "extKeyUsage", [&] { return oid_name(*purpose) + " allowed"; });
      } else {
        record(d, "extKeyUsage",
               err(ErrorCode::cert_bad_usage, i, c,
                   "extKeyUsage does not allow " + oid_name(*purpose)));
      }
    }
    // RFC 5280 6.1.3 (b)/(c), 6.1.4 (g): apply this issuer's name
    // constraints to every certificate below it that is the leaf or not
    // self-issued.
    const auto& nc = c.extensions().name_constraints;
    if (nc) {
      bool all_ok = true;
      for (size_t j = 0; j < i; ++j) {
        const Certificate& below = *nodes_[path[j]].cert;
        if (j != 0 && below.is_self_issued()) continue;
        Result<void> r = check_name_constraints(*nc, below, j == 0);
        if (!r) {
          all_ok = false;
          record(d, "name constraints",
                 Error(r.error().code(), who(j, below) + " violates the name constraints of " +
                                             who(i, c) + ": " + r.error().message()));
          break;
        }
      }
      if (all_ok)
        passed(d, "name constraints", [&] { return "satisfied by the certificates below"; });
    }
  }

  // Maximum depth (also enforced while building).
  if (n > 0 && n - 1 > options_.max_intermediates) {
    record(-1, "depth",
           Error(ErrorCode::cert_path_length, "path has " + std::to_string(n - 1) +
                                                  " intermediates, more than the maximum of " +
                                                  std::to_string(options_.max_intermediates)));
  }

  // --- leaf usage ---
  const Certificate& leaf = *nodes_[path[0]].cert;
  const auto& leaf_eku = leaf.extensions().ext_key_usage;
  std::vector<Oid> wanted;
  if (purpose) wanted.push_back(*purpose);
  for (const std::string& e : options_.required_ekus) {
    std::optional<Oid> o = eku_from_name(e);
    if (!o) {
      record(0, "extKeyUsage",
             Error(ErrorCode::config_invalid, "unknown extended key usage '" + e + "'"));
      continue;
    }
    wanted.push_back(*o);
  }
  for (const Oid& w : wanted) {
    // RFC 5280 4.2.1.12 + CA/B BR 7.1.2.7.10: a leaf with extKeyUsage must
    // list the purpose itself; anyExtendedKeyUsage is not accepted here.
    if (leaf_eku && !leaf_eku->has(w)) {
      record(
          0, "extKeyUsage",
          err(ErrorCode::cert_bad_usage, 0, leaf, "extKeyUsage does not include " + oid_name(w)));
    } else {
      passed(0, "extKeyUsage", [&] {
        return oid_name(w) + (leaf_eku ? " listed" : " (no extKeyUsage extension: unrestricted)");
      });
    }
  }
  const auto& leaf_ku = leaf.extensions().key_usage;
  if (leaf_ku) {
    uint16_t need_any = 0;
    if (options_.purpose == Purpose::server_auth) {
      need_any = (1u << static_cast<unsigned>(KeyUsageBit::digital_signature)) |
                 (1u << static_cast<unsigned>(KeyUsageBit::key_encipherment)) |
                 (1u << static_cast<unsigned>(KeyUsageBit::key_agreement));
    } else if (options_.purpose == Purpose::client_auth) {
      need_any = (1u << static_cast<unsigned>(KeyUsageBit::digital_signature)) |
                 (1u << static_cast<unsigned>(KeyUsageBit::key_agreement));
    }
    if (need_any && !(leaf_ku->bits & need_any)) {
      record(0, "keyUsage",
             err(ErrorCode::cert_bad_usage, 0, leaf,
                 "keyUsage allows neither digitalSignature nor key exchange"));
    } else if ((leaf_ku->bits & options_.required_key_usage) != options_.required_key_usage) {
      record(0, "keyUsage",
             err(ErrorCode::cert_bad_usage, 0, leaf, "keyUsage lacks a required bit"));
    } else {
      passed(0, "keyUsage", [&] { return "allows the purpose"; });
    }
  }

  // --- revocation (RFC 5280 6.3) ---
  if (options_.crls) {
    for (size_t i = 0; i < n; ++i) {
      const Certificate& c = *nodes_[path[i]].cert;
      const Certificate& issuer = *nodes_[path[i + 1]].cert;
      const bool required =
          options_.crl_check == CrlCheck::chain || (options_.crl_check == CrlCheck::leaf && i == 0);
      size_t consulted = 0;
      std::optional<Error> revoked;
      std::vector<std::string> unusable;  // why each CRL of this issuer was not used
      const std::vector<Crl>& crls = options_.crls->crls();
      for (size_t k = 0; k < crls.size(); ++k) {
        const Crl& crl = crls[k];
        if (!names_equal(crl.issuer(), c.issuer())) continue;
        std::string why;
        if (crl.is_delta()) {
          why = "is a delta CRL";
        } else if (crl.lists_remove_from_crl()) {
          // RFC 5280 5.3.1: removeFromCRL appears only in delta CRLs.
          why = "lists an entry with reason removeFromCRL, which only delta CRLs may";
        } else if (crl.has_issuing_distribution_point()) {
          // RFC 5280 6.3.3 (b)(2): a CRL with an issuingDistributionPoint
          // covers only its scope (CA or user certificates, some reasons, a
          // distribution point), critical or not; we do not check scopes.
          why =
              "has an issuingDistributionPoint (a partitioned CRL, RFC 5280 5.2.5), whose "
              "scope is not supported";
        } else if (crl.has_unknown_critical_extension()) {
          // RFC 5280 5.2: do not use a CRL with an unrecognised critical extension.
          why = "has an unsupported critical extension";
        } else if (crl.this_update() > now) {
          why = "is not yet valid (thisUpdate " + format_iso8601(crl.this_update()) + ")";
        } else if (crl.next_update() && *crl.next_update() < now) {
          // RFC 5280 6.3.3 (a)(2): a CRL past its nextUpdate is not current.
          why = "expired (nextUpdate " + format_iso8601(*crl.next_update()) + ")";
        } else if (issuer.extensions().key_usage &&
                   !issuer.extensions().key_usage->has(KeyUsageBit::crl_sign)) {
          // RFC 5280 6.3.3 (f): the CRL issuer's key must allow cRLSign.
          why = "issuer keyUsage does not allow cRLSign";
        } else if (!options_.crls->verified_with(k, issuer.spki_der())) {
          // RFC 5280 6.3.3 (g): the CRL's signature, by the certificate's
          // issuer. Remembered per issuer key, so a CRL shared by many
          // handshakes is checked once.
          Result<void> sig =
              verify_by(path[i + 1], crl.signature_algorithm(), crl.tbs(), crl.signature());
          if (sig) {
            options_.crls->remember_verified(k, issuer.spki_der());
          } else {
            why = "signature does not verify: " + sig.error().message();
          }
        }
        if (!why.empty()) {
          unusable.push_back("CRL from " + crl.issuer().to_string() + " " + why);
          if (report_) report_->notes.push_back(unusable.back());
          continue;
        }
        ++consulted;
        if (const RevokedCertificate* rc = crl.find_revoked(c.serial())) {
          std::string reason = rc->reason ? " (reason: " + crl_reason_name(*rc->reason) + ")" : "";
          revoked = Error(ErrorCode::cert_revoked,
                          who(i, c) + " was revoked at " + format_iso8601(rc->revocation_date) +
                              reason + " by CRL of " + crl.issuer().to_string());
        }
      }
      if (revoked) {
        record(static_cast<int>(i), "revocation", std::move(*revoked));
      } else if (consulted == 0 && required) {
        std::string detail = "has no usable CRL from its issuer " + c.issuer().to_string();
        if (unusable.empty()) {
          detail += " (none given)";
        } else {
          for (size_t u = 0; u < unusable.size(); ++u)
            detail += (u == 0 ? ": " : "; ") + unusable[u];
        }
        record(static_cast<int>(i), "revocation",
               Error(ErrorCode::cert_revocation_unknown, who(i, c) + " " + detail));
      } else {
        passed(static_cast<int>(i), "revocation", [&] {
          return consulted ? "not listed in " + std::to_string(consulted) + " CRL(s)"
                           : std::string("no usable CRL: not checked (not required)");
        });
      }
    }
  }

  // --- identity ---
  for (const ReferenceIdentity& id : options_.identities) {
    Result<void> r = check_identity(leaf, id);
    if (r) {
      passed(0, "identity", [&] { return reference_identity_to_string(id) + " matches"; });
    } else {
      record(0, "identity", Error(r.error().code(), who(0, leaf) + ": " + r.error().message()));
    }
  }

  if (first) return std::move(*first);
  return ok();
}

Result<VerifiedPath> PathBuilder::run(std::span<const Bytes> chain_der) {
  if (chain_der.empty()) {
    return Error(ErrorCode::cert_parse, AlertDescription::bad_certificate,
                 "no certificate to verify");
  }
  if (options_.now_unix <= 0) {
    return Error(ErrorCode::config_invalid, "verification time (now_unix) not set");
  }
  // Parsed once per distinct certificate (parse_cached): peers present the
  // same chain again and again.
  auto leaf = parse_cached(chain_der[0]);
  if (!leaf) return std::move(leaf).error().with_context("certificate 0");
  nodes_.emplace_back();
  nodes_.back().cert = std::move(*leaf);
  for (size_t i = 1; i < chain_der.size(); ++i) {
    bool dup = false;
    for (const Node& n : nodes_) dup |= same_der(n.cert->der(), chain_der[i]);
    if (dup) continue;
    auto c = parse_cached(chain_der[i]);
    if (!c) {
      if (report_) {
        report_->notes.push_back("untrusted certificate " + std::to_string(i) +
                                 " ignored: " + c.error().message());
      }
      continue;
    }
    nodes_.emplace_back();
    nodes_.back().cert = std::move(*c);
  }
  untrusted_end_ = nodes_.size();

  std::vector<size_t> path{0};
  // A leaf that is itself a trust anchor is a path of one.
  if (std::optional<size_t> a = trust_.contains_der(nodes_[0].cert->der())) {
    path = {anchor_node(*a)};
  }
  Outcome o = extend(path);
  auto fill_report = [&](const std::vector<size_t>& p, std::vector<VerifyReport::Check> checks) {
    if (!report_) return;
    report_->chain.clear();
    for (size_t i = 0; i < p.size(); ++i) {
      const Node& node = nodes_[p[i]];
      const Certificate& c = *node.cert;
      VerifyReport::CertSummary s;
      s.depth = static_cast<int>(i);
      s.subject = subject_text(c);
      s.issuer = c.issuer().to_string();
      s.not_before = c.not_before();
      s.not_after = c.not_after();
      s.key = describe_key(c.public_key_info());
      s.signature = c.signature_algorithm().name;
      s.serial = c.serial_hex();
      s.anchor = node.anchor;
      s.self_issued = c.is_self_issued();
      report_->chain.push_back(std::move(s));
    }
    report_->checks = std::move(checks);
  };
  if (report_) {
    report_->signature_checks = signature_checks_;
    report_->paths_tried = paths_;
  }
  if (o == Outcome::found) {
    fill_report(found_path_, std::move(found_checks_));
    if (report_) report_->valid = true;
    VerifiedPath vp;
    for (size_t i : found_path_) vp.certs.push_back(nodes_[i].cert);
    return vp;
  }
  Error e = abort_        ? *abort_
            : best_error_ ? *best_error_
                          : Error(ErrorCode::cert_untrusted, "no path to a trust anchor");
  if (best_rank_ == Rank::path) {
    fill_report(best_path_, std::move(best_checks_));
  } else if (report_) {
    fill_report({0}, {});
  }
  if (report_) {
    report_->valid = false;
    report_->error = e;
  }
  return e;
}

}  // namespace

Result<VerifiedPath> verify_chain(crypto::Provider& provider, const TrustStore& trust,
                                  std::span<const Bytes> chain_der, const VerifyOptions& options,
                                  VerifyReport* report) {
  if (report) *report = VerifyReport{};
  PathBuilder builder(provider, trust, options, report);
  return builder.run(chain_der);
}

std::optional<Oid> eku_from_name(std::string_view name) {
  struct Entry {
    std::string_view name;
    Oid oid;
  };
  static const Entry kTable[] = {
      {"serverAuth", oids::kServerAuth},
      {"server", oids::kServerAuth},
      {"clientAuth", oids::kClientAuth},
      {"client", oids::kClientAuth},
      {"codeSigning", oids::kCodeSigning},
      {"emailProtection", oids::kEmailProtection},
      {"timeStamping", oids::kTimeStamping},
      {"OCSPSigning", oids::kOcspSigning},
      {"anyExtendedKeyUsage", oids::kAnyExtendedKeyUsage},
  };
  for (const Entry& e : kTable) {
    if (e.name == name) return e.oid;
  }
  if (!name.empty() && name.front() >= '0' && name.front() <= '2') {
    auto o = Oid::from_string(name);
    if (o) return *o;
  }
  return std::nullopt;
}

std::optional<uint16_t> key_usage_from_name(std::string_view name) {
  struct Entry {
    std::string_view name;
    KeyUsageBit bit;
  };
  static const Entry kTable[] = {
      {"digitalSignature", KeyUsageBit::digital_signature},
      {"nonRepudiation", KeyUsageBit::non_repudiation},
      {"contentCommitment", KeyUsageBit::non_repudiation},
      {"keyEncipherment", KeyUsageBit::key_encipherment},
      {"dataEncipherment", KeyUsageBit::data_encipherment},
      {"keyAgreement", KeyUsageBit::key_agreement},
      {"keyCertSign", KeyUsageBit::key_cert_sign},
      {"cRLSign", KeyUsageBit::crl_sign},
      {"encipherOnly", KeyUsageBit::encipher_only},
      {"decipherOnly", KeyUsageBit::decipher_only},
  };
  for (const Entry& e : kTable) {
    if (e.name == name) return static_cast<uint16_t>(1u << static_cast<unsigned>(e.bit));
  }
  return std::nullopt;
}

}  // namespace tessera::x509
