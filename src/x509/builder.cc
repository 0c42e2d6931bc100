#include "x509/builder.h"

#include <algorithm>
#include <utility>

#include "x509/der.h"
#include "x509/der_writer.h"
#include "x509/identity.h"
#include "x509/pem.h"

namespace tessera::x509 {
namespace {

Error config_error(std::string msg) { return Error(ErrorCode::config_invalid, std::move(msg)); }

GeneralName make_name(GeneralNameType type, std::string text) {
  GeneralName n;
  n.type = type;
  n.text = std::move(text);
  return n;
}

// Writes one GeneralName (RFC 5280 4.2.1.6, implicit tags).
void write_general_name(DerWriter& w, const GeneralName& n) {
  switch (n.type) {
    case GeneralNameType::rfc822_name:
    case GeneralNameType::dns_name:
    case GeneralNameType::uri:
      w.string(tag::context_specific(static_cast<uint8_t>(n.type)), n.text);
      return;
    case GeneralNameType::ip_address: w.octet_string(n.ip, tag::context_specific(7)); return;
    case GeneralNameType::directory_name:
      w.constructed(tag::context_constructed(4),
                    [&](DerWriter& d) { d.raw(n.directory_name.der()); });
      return;
    case GeneralNameType::registered_id:
      w.element(tag::context_specific(8), n.registered_id.der_content());
      return;
    default: w.raw(n.raw); return;
  }
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Writes an AlgorithmIdentifier for a signature scheme.
Result<void> write_signature_algorithm(DerWriter& w, SignatureScheme scheme) {
  switch (scheme) {
    // RFC 4055 5: sha*WithRSAEncryption parameters are NULL.
    case SignatureScheme::rsa_pkcs1_sha256:
      w.sequence([](DerWriter& a) {
        a.oid(oids::kSha256WithRsa);
        a.null();
      });
      return ok();
    // RFC 5758 3.2: ecdsa-with-SHA* parameters are absent.
    case SignatureScheme::ecdsa_secp256r1_sha256:
      w.sequence([](DerWriter& a) { a.oid(oids::kEcdsaWithSha256); });
      return ok();
    case SignatureScheme::ecdsa_secp384r1_sha384:
      w.sequence([](DerWriter& a) { a.oid(oids::kEcdsaWithSha384); });
      return ok();
    case SignatureScheme::ecdsa_secp521r1_sha512:
      w.sequence([](DerWriter& a) { a.oid(oids::kEcdsaWithSha512); });
      return ok();
    // RFC 8410 3: Ed25519 parameters are absent.
    case SignatureScheme::ed25519:
      w.sequence([](DerWriter& a) { a.oid(oids::kEd25519); });
      return ok();
    default: break;
  }
  return Error(
      ErrorCode::unsupported_algorithm,
      "cannot sign certificates with " + signature_scheme_name(static_cast<uint16_t>(scheme)));
}

Bytes random_serial(crypto::Provider& provider) {
  Bytes serial(16);
  provider.random(serial);
  // Positive, and exactly 16 octets: top bit clear, next bit set.
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);
  return serial;
}

Result<void> check_time(UnixTime t, std::string_view what) {
  Result<EncodedTime> e = encode_x509_time(t);
  if (!e) return e.error().with_context(what);
  return ok();
}

// Writes one Extension.
template <class Fn>
void write_extension(DerWriter& w, const Oid& oid, bool critical, Fn&& value) {
  w.sequence([&](DerWriter& e) {
    e.oid(oid);
    if (critical) e.boolean(true);
    e.octet_string_wrapping(std::forward<Fn>(value));
  });
}

}  // namespace

Result<SignatureScheme> signature_scheme_for_key(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::ec_p256: return SignatureScheme::ecdsa_secp256r1_sha256;
    case crypto::KeyType::ec_p384: return SignatureScheme::ecdsa_secp384r1_sha384;
    case crypto::KeyType::ec_p521: return SignatureScheme::ecdsa_secp521r1_sha512;
    case crypto::KeyType::rsa: return SignatureScheme::rsa_pkcs1_sha256;
    case crypto::KeyType::ed25519: return SignatureScheme::ed25519;
    case crypto::KeyType::rsa_pss: break;
  }
  return Error(
      ErrorCode::unsupported_algorithm,
      "cannot sign certificates with a " + std::string(crypto::key_type_name(type)) + " key");
}

Result<Bytes> key_identifier(crypto::Provider& provider, ByteView spki_der) {
  TESSERA_ASSIGN_OR_RETURN(SubjectPublicKeyInfo spki, parse_subject_public_key_info(spki_der));
  // RFC 5280 4.2.1.2 (1): the keyIdentifier is composed of the 160-bit SHA-1
  // hash of the value of the BIT STRING subjectPublicKey.
  return provider.digest(HashAlgorithm::sha1, spki.public_key);
}

CertificateBuilder& CertificateBuilder::subject(Name name) {
  subject_ = std::move(name);
  return *this;
}
CertificateBuilder& CertificateBuilder::serial(Bytes magnitude) {
  serial_ = std::move(magnitude);
  return *this;
}
CertificateBuilder& CertificateBuilder::validity(UnixTime not_before, UnixTime not_after) {
  not_before_ = not_before;
  not_after_ = not_after;
  return *this;
}
CertificateBuilder& CertificateBuilder::subject_public_key(Bytes spki_der) {
  spki_ = std::move(spki_der);
  return *this;
}
CertificateBuilder& CertificateBuilder::ca(std::optional<uint32_t> path_len) {
  basic_constraints_ = BasicConstraints{true, path_len};
  role_.reset();
  return *this;
}
CertificateBuilder& CertificateBuilder::leaf_for(LeafRole role) {
  basic_constraints_ = BasicConstraints{false, std::nullopt};
  role_ = role;
  return *this;
}
CertificateBuilder& CertificateBuilder::key_usage(KeyUsage ku) {
  key_usage_ = ku;
  return *this;
}
CertificateBuilder& CertificateBuilder::ext_key_usage(std::vector<Oid> purposes) {
  eku_ = std::move(purposes);
  return *this;
}
CertificateBuilder& CertificateBuilder::add_dns(std::string name) {
  sans_.push_back(make_name(GeneralNameType::dns_name, std::move(name)));
  return *this;
}
CertificateBuilder& CertificateBuilder::add_ip(Bytes address) {
  GeneralName n;
  n.type = GeneralNameType::ip_address;
  n.ip = std::move(address);
  sans_.push_back(std::move(n));
  return *this;
}
CertificateBuilder& CertificateBuilder::add_email(std::string address) {
  sans_.push_back(make_name(GeneralNameType::rfc822_name, std::move(address)));
  return *this;
}
CertificateBuilder& CertificateBuilder::add_uri(std::string uri) {
  sans_.push_back(make_name(GeneralNameType::uri, std::move(uri)));
  return *this;
}
CertificateBuilder& CertificateBuilder::name_constraints(std::vector<GeneralName> permitted,
                                                         std::vector<GeneralName> excluded) {
  NameConstraints nc;
  for (GeneralName& n : permitted) nc.permitted.push_back(GeneralSubtree{std::move(n)});
  for (GeneralName& n : excluded) nc.excluded.push_back(GeneralSubtree{std::move(n)});
  name_constraints_ = std::move(nc);
  return *this;
}
CertificateBuilder& CertificateBuilder::tls_feature(std::vector<uint16_t> features) {
  tls_features_ = std::move(features);
  return *this;
}

CertificateBuilder& CertificateBuilder::ocsp_nocheck() {
  ocsp_nocheck_ = true;
  return *this;
}

CertificateBuilder& CertificateBuilder::crl_distribution_uri(std::string uri) {
  crl_uris_.push_back(std::move(uri));
  return *this;
}
CertificateBuilder& CertificateBuilder::policy(Oid oid) {
  policies_.push_back(oid);
  return *this;
}

Result<Bytes> CertificateBuilder::self_sign(const crypto::PrivateKey& key) {
  if (!spki_) spki_ = key.public_spki();
  if (*spki_ != key.public_spki()) {
    return config_error("self_sign: the subject public key is not the signing key's");
  }
  Bytes spki = *spki_;
  return build(subject_, spki, std::nullopt, key);
}

Result<Bytes> CertificateBuilder::sign(const Certificate& issuer,
                                       const crypto::PrivateKey& issuer_key) {
  if (issuer_key.public_spki() != issuer.public_key_info().der) {
    return config_error("the issuer key does not match the issuer certificate (" +
                        issuer.subject().to_string() + ")");
  }
  return build(issuer.subject(), issuer.spki_der(), issuer.extensions().subject_key_id, issuer_key);
}

Result<Bytes> CertificateBuilder::build(const Name& issuer, ByteView issuer_spki,
                                        std::optional<Bytes> issuer_kid,
                                        const crypto::PrivateKey& key) {
  if (!spki_) return config_error("no subject public key was set");
  if (issuer.empty()) return config_error("the issuer name is empty");
  if (subject_.empty() && sans_.empty()) {
    return config_error("a certificate needs a subject name or a subjectAltName");
  }
  TESSERA_TRY(check_time(not_before_, "notBefore"));
  TESSERA_TRY(check_time(not_after_, "notAfter"));
  if (not_after_ <= not_before_) {
    return config_error("notAfter " + format_iso8601(not_after_) + " is not after notBefore " +
                        format_iso8601(not_before_));
  }
  // Validate the subject key now: a certificate for an unparseable SPKI is useless.
  TESSERA_ASSIGN_OR_RETURN(SubjectPublicKeyInfo subject_spki,
                           with_field(parse_subject_public_key_info(*spki_), "subject public key"));
  for (const GeneralName& n : sans_) {
    if (n.type == GeneralNameType::ip_address && n.ip.size() != 4 && n.ip.size() != 16) {
      return config_error("IP address SAN of " + std::to_string(n.ip.size()) + " octets");
    }
    if ((n.type == GeneralNameType::dns_name || n.type == GeneralNameType::rfc822_name ||
         n.type == GeneralNameType::uri) &&
        (n.text.empty() || !is_ascii(n.text))) {
      return config_error("SAN \"" + n.text + "\" must be non-empty ASCII (IA5String)");
    }
  }
  if (serial_ && (serial_->empty() || serial_->size() > 20)) {
    return config_error("the serial number must have 1..20 octets");
  }
  Bytes serial = serial_ ? *serial_ : random_serial(provider_);
  TESSERA_ASSIGN_OR_RETURN(SignatureScheme scheme, signature_scheme_for_key(key.type()));
  TESSERA_ASSIGN_OR_RETURN(Bytes ski, key_identifier(provider_, *spki_));
  Bytes aki;
  if (issuer_kid) {
    aki = *issuer_kid;
  } else {
    TESSERA_ASSIGN_OR_RETURN(aki, key_identifier(provider_, issuer_spki));
  }
  bool self_signed = issuer_spki.size() == spki_->size() &&
                     std::equal(issuer_spki.begin(), issuer_spki.end(), spki_->begin());

  KeyUsage ku;
  if (key_usage_) {
    ku = *key_usage_;
  } else if (basic_constraints_ && basic_constraints_->ca) {
    ku.bits = (1u << static_cast<unsigned>(KeyUsageBit::key_cert_sign)) |
              (1u << static_cast<unsigned>(KeyUsageBit::crl_sign)) |
              (1u << static_cast<unsigned>(KeyUsageBit::digital_signature));
  } else if (role_) {
    ku.bits = 1u << static_cast<unsigned>(KeyUsageBit::digital_signature);
    // RSA key transport (TLS 1.2 RSA suites) needs keyEncipherment.
    if (subject_spki.algorithm == PublicKeyAlgorithm::rsa && *role_ != LeafRole::client) {
      ku.bits = static_cast<uint16_t>(ku.bits |
                                      (1u << static_cast<unsigned>(KeyUsageBit::key_encipherment)));
    }
  }
  std::vector<Oid> eku;
  if (eku_) {
    eku = *eku_;
  } else if (role_) {
    if (*role_ != LeafRole::client) eku.push_back(oids::kServerAuth);
    if (*role_ != LeafRole::server) eku.push_back(oids::kClientAuth);
  }

  Result<void> alg_ok = ok();
  DerWriter tbs;
  tbs.sequence([&](DerWriter& t) {
    // RFC 5280 4.1.2.1: version is v3 (value 2) when extensions are present.
    t.constructed(tag::context_constructed(0), [](DerWriter& v) { v.integer(2); });
    t.unsigned_integer(serial);
    alg_ok = write_signature_algorithm(t, scheme);
    t.raw(issuer.der());
    t.sequence([&](DerWriter& v) {
      v.time(not_before_);
      v.time(not_after_);
    });
    t.raw(subject_.der().empty() ? ByteView(Name::from_rdns({}).der()) : subject_.der());
    t.raw(*spki_);
    t.constructed(tag::context_constructed(3), [&](DerWriter& x) {
      x.sequence([&](DerWriter& exts) {
        if (basic_constraints_) {
          // RFC 5280 4.2.1.9: conforming CAs MUST mark basicConstraints critical.
          write_extension(exts, oids::kBasicConstraints, true, [&](DerWriter& v) {
            v.sequence([&](DerWriter& bc) {
              if (basic_constraints_->ca) bc.boolean(true);  // DEFAULT FALSE is omitted
              if (basic_constraints_->ca && basic_constraints_->path_len) {
                bc.integer(*basic_constraints_->path_len);
              }
            });
          });
        }
        if (ku.bits != 0) {
          // RFC 5280 4.2.1.3: conforming CAs SHOULD mark keyUsage critical.
          write_extension(exts, oids::kKeyUsage, true,
                          [&](DerWriter& v) { v.named_bits(ku.bits); });
        }
        if (!eku.empty()) {
          write_extension(exts, oids::kExtKeyUsage, false, [&](DerWriter& v) {
            v.sequence([&](DerWriter& s) {
              for (const Oid& o : eku) s.oid(o);
            });
          });
        }
        if (!sans_.empty()) {
          // RFC 5280 4.2.1.6: if the subject is empty, the subjectAltName
          // extension MUST be critical.
          write_extension(exts, oids::kSubjectAltName, subject_.empty(), [&](DerWriter& v) {
            v.sequence([&](DerWriter& s) {
              for (const GeneralName& n : sans_) write_general_name(s, n);
            });
          });
        }
        if (name_constraints_) {
          // RFC 5280 4.2.1.10: conforming CAs MUST mark nameConstraints critical.
          write_extension(exts, oids::kNameConstraints, true, [&](DerWriter& v) {
            v.sequence([&](DerWriter& s) {
              auto subtrees = [&](uint8_t t2, const std::vector<GeneralSubtree>& list) {
                if (list.empty()) return;
                s.constructed(t2, [&](DerWriter& l) {
                  for (const GeneralSubtree& st : list) {
                    l.sequence([&](DerWriter& g) { write_general_name(g, st.base); });
                  }
                });
              };
              subtrees(tag::context_constructed(0), name_constraints_->permitted);
              subtrees(tag::context_constructed(1), name_constraints_->excluded);
            });
          });
        }
        // RFC 5280 4.2.1.2: subjectKeyIdentifier in every CA certificate (and
        // SHOULD in end-entity certificates).
        write_extension(exts, oids::kSubjectKeyIdentifier, false,
                        [&](DerWriter& v) { v.octet_string(ski); });
        // RFC 5280 4.2.1.1: authorityKeyIdentifier in all but self-signed certificates.
        if (!self_signed) {
          write_extension(exts, oids::kAuthorityKeyIdentifier, false, [&](DerWriter& v) {
            v.sequence([&](DerWriter& s) { s.octet_string(aki, tag::context_specific(0)); });
          });
        }
        if (!policies_.empty()) {
          write_extension(exts, oids::kCertificatePolicies, false, [&](DerWriter& v) {
            v.sequence([&](DerWriter& s) {
              for (const Oid& p : policies_) s.sequence([&](DerWriter& pi) { pi.oid(p); });
            });
          });
        }
        if (!tls_features_.empty()) {
          // RFC 7633 4.1: Features ::= SEQUENCE OF INTEGER.
          write_extension(exts, oids::kTlsFeature, false, [&](DerWriter& v) {
            v.sequence([&](DerWriter& s) {
              for (uint16_t f : tls_features_) s.integer(f);
            });
          });
        }
        if (ocsp_nocheck_) {
          // RFC 6960 4.2.2.2.1: "The value of the extension SHALL be NULL."
          write_extension(exts, oids::kOcspNoCheck, false, [](DerWriter& v) { v.null(); });
        }
        if (!crl_uris_.empty()) {
          write_extension(exts, oids::kCrlDistributionPoints, false, [&](DerWriter& v) {
            v.sequence([&](DerWriter& s) {
              for (const std::string& uri : crl_uris_) {
                s.sequence([&](DerWriter& dp) {
                  dp.constructed(tag::context_constructed(0), [&](DerWriter& dpn) {
                    dpn.constructed(tag::context_constructed(0), [&](DerWriter& full) {
                      full.string(tag::context_specific(6), uri);
                    });
                  });
                });
              }
            });
          });
        }
      });
    });
  });
  TESSERA_TRY(alg_ok);
  Bytes tbs_der = std::move(tbs).take();
  TESSERA_ASSIGN_OR_RETURN(Bytes signature, key.sign(scheme, tbs_der));
  DerWriter cert;
  cert.sequence([&](DerWriter& c) {
    c.raw(tbs_der);
    (void)write_signature_algorithm(c, scheme);
    c.bit_string(signature);
  });
  Bytes der = std::move(cert).take();
  // Our own output must satisfy our own parser.
  TESSERA_TRY(with_field(Certificate::parse(der), "built certificate"));
  return der;
}

CrlBuilder& CrlBuilder::this_update(UnixTime t) {
  this_update_ = t;
  return *this;
}
CrlBuilder& CrlBuilder::next_update(UnixTime t) {
  next_update_ = t;
  return *this;
}
CrlBuilder& CrlBuilder::crl_number(uint64_t n) {
  crl_number_ = n;
  return *this;
}
CrlBuilder& CrlBuilder::revoke(Bytes serial, UnixTime when, std::optional<CrlReason> reason) {
  revoked_.push_back(RevokedCertificate{std::move(serial), when, reason});
  return *this;
}

Result<Bytes> CrlBuilder::sign(const Certificate& issuer, const crypto::PrivateKey& issuer_key) {
  if (issuer_key.public_spki() != issuer.public_key_info().der) {
    return config_error("the CRL issuer key does not match the issuer certificate");
  }
  TESSERA_TRY(check_time(this_update_, "thisUpdate"));
  if (next_update_) TESSERA_TRY(check_time(*next_update_, "nextUpdate"));
  for (const RevokedCertificate& r : revoked_) {
    TESSERA_TRY(check_time(r.revocation_date, "revocationDate"));
    if (r.serial.empty()) return config_error("empty serial in a CRL entry");
    // RFC 5280 5.3.1: removeFromCRL is used only in delta CRLs; this
    // builder writes complete CRLs.
    if (r.reason == CrlReason::remove_from_crl)
      return config_error(
          "reason removeFromCRL is only for delta CRLs; a complete CRL leaves "
          "an un-revoked certificate out instead");
  }
  TESSERA_ASSIGN_OR_RETURN(SignatureScheme scheme, signature_scheme_for_key(issuer_key.type()));
  Bytes aki;
  if (issuer.extensions().subject_key_id) {
    aki = *issuer.extensions().subject_key_id;
  } else {
    TESSERA_ASSIGN_OR_RETURN(aki, key_identifier(provider_, issuer.spki_der()));
  }
  Bytes number;
  for (int i = 7; i >= 0; --i) number.push_back(static_cast<uint8_t>(crl_number_ >> (8 * i)));
  Result<void> alg_ok = ok();
  DerWriter tbs;
  tbs.sequence([&](DerWriter& t) {
    t.integer(1);  // v2
    alg_ok = write_signature_algorithm(t, scheme);
    t.raw(issuer.subject().der());
    t.time(this_update_);
    if (next_update_) t.time(*next_update_);
    if (!revoked_.empty()) {
      t.sequence([&](DerWriter& list) {
        for (const RevokedCertificate& r : revoked_) {
          list.sequence([&](DerWriter& e) {
            e.element(tag::kInteger, r.serial);
            e.time(r.revocation_date);
            if (r.reason) {
              e.sequence([&](DerWriter& exts) {
                write_extension(exts, oids::kCrlReason, false, [&](DerWriter& v) {
                  v.integer(static_cast<int64_t>(*r.reason), tag::kEnumerated);
                });
              });
            }
          });
        }
      });
    }
    t.constructed(tag::context_constructed(0), [&](DerWriter& x) {
      x.sequence([&](DerWriter& exts) {
        write_extension(exts, oids::kAuthorityKeyIdentifier, false, [&](DerWriter& v) {
          v.sequence([&](DerWriter& s) { s.octet_string(aki, tag::context_specific(0)); });
        });
        write_extension(exts, oids::kCrlNumber, false,
                        [&](DerWriter& v) { v.unsigned_integer(number); });
      });
    });
  });
  TESSERA_TRY(alg_ok);
  Bytes tbs_der = std::move(tbs).take();
  TESSERA_ASSIGN_OR_RETURN(Bytes signature, issuer_key.sign(scheme, tbs_der));
  DerWriter crl;
  crl.sequence([&](DerWriter& c) {
    c.raw(tbs_der);
    (void)write_signature_algorithm(c, scheme);
    c.bit_string(signature);
  });
  Bytes der = std::move(crl).take();
  TESSERA_TRY(with_field(Crl::parse(der), "built CRL"));
  return der;
}

OcspResponseBuilder& OcspResponseBuilder::produced_at(UnixTime t) {
  produced_at_ = t;
  return *this;
}

OcspResponseBuilder& OcspResponseBuilder::add(const Certificate& cert, const Certificate& issuer,
                                              OcspCertStatus status, UnixTime this_update,
                                              std::optional<UnixTime> next_update,
                                              UnixTime revocation_time,
                                              std::optional<CrlReason> reason) {
  Entry e{OcspSingleResponse{}, issuer};
  OcspSingleResponse& s = e.single;
  // RFC 6960 4.1.1: issuerNameHash is the hash of the issuer's DN as it
  // appears in the certificate, issuerKeyHash the hash of the issuer's
  // subjectPublicKey BIT STRING value.
  s.hash = HashAlgorithm::sha1;
  s.issuer_name_hash = provider_.digest(s.hash, cert.issuer().der());
  s.issuer_key_hash = provider_.digest(s.hash, issuer.public_key_info().public_key);
  s.serial.assign(cert.serial().begin(), cert.serial().end());
  s.status = status;
  s.revocation_time = revocation_time;
  s.reason = reason;
  s.this_update = this_update;
  s.next_update = next_update;
  entries_.push_back(std::move(e));
  return *this;
}

OcspResponseBuilder& OcspResponseBuilder::response_extension(const Oid& oid, bool critical,
                                                             Bytes value) {
  extensions_.push_back(ExtensionInfo{oid, critical, std::move(value)});
  return *this;
}

Result<Bytes> OcspResponseBuilder::sign(const Certificate& responder,
                                        const crypto::PrivateKey& responder_key) {
  if (responder_key.public_spki() != responder.public_key_info().der) {
    return config_error("the OCSP responder key does not match the responder certificate " +
                        responder.subject().to_string());
  }
  if (entries_.empty()) return config_error("an OCSP response lists at least one certificate");
  UnixTime produced = 0;
  for (const Entry& e : entries_) produced = std::max(produced, e.single.this_update);
  if (produced_at_) produced = *produced_at_;
  TESSERA_TRY(check_time(produced, "producedAt"));
  bool delegated = false;
  for (const Entry& e : entries_) {
    const OcspSingleResponse& s = e.single;
    TESSERA_TRY(check_time(s.this_update, "thisUpdate"));
    if (s.next_update) {
      TESSERA_TRY(check_time(*s.next_update, "nextUpdate"));
      if (*s.next_update < s.this_update) return config_error("nextUpdate is before thisUpdate");
    }
    if (s.status == OcspCertStatus::revoked) {
      TESSERA_TRY(check_time(s.revocation_time, "revocationTime"));
      // RFC 5280 5.3.1: removeFromCRL un-revokes; it is no reason for a
      // revoked status.
      if (s.reason == CrlReason::remove_from_crl)
        return config_error("reason removeFromCRL does not describe a revoked certificate");
    } else if (s.reason || s.revocation_time != 0) {
      return config_error("a revocation time or reason is only for status revoked, not " +
                          std::string(ocsp_status_name(s.status)));
    }
    if (std::ranges::equal(responder.spki_der(), e.issuer.spki_der()) &&
        names_equal(responder.subject(), e.issuer.subject()))
      continue;  // signed by the issuer itself
    // RFC 6960 4.2.2.2: otherwise by a responder the issuer delegated.
    OcspCheckOptions at;
    at.now = produced;
    at.skew_s = 0;
    std::string why = ocsp_delegation_problem(provider_, responder, e.issuer, at);
    if (!why.empty()) {
      return config_error("responder " + responder.subject().to_string() +
                          " is neither the issuer " + e.issuer.subject().to_string() +
                          " nor a responder it delegated (id-kp-OCSPSigning): " + why);
    }
    delegated = true;
  }
  TESSERA_ASSIGN_OR_RETURN(SignatureScheme scheme, signature_scheme_for_key(responder_key.type()));

  // RFC 6960 4.2.1: ResponseData (v1, left out), ResponderID byName [1]
  // EXPLICIT Name, producedAt, responses, responseExtensions [1]. byName,
  // as OpenSSL's responder writes it: GnuTLS finds a responder that the
  // response does not include (the issuer itself) in its trust store by name
  // only, so a byKey response signed by a trusted root is refused there.
  DerWriter tbs;
  tbs.sequence([&](DerWriter& t) {
    t.constructed(tag::context_constructed(1),
                  [&](DerWriter& id) { id.raw(responder.subject().der()); });
    t.generalized_time(produced);
    t.sequence([&](DerWriter& list) {
      for (const Entry& e : entries_) {
        const OcspSingleResponse& s = e.single;
        list.sequence([&](DerWriter& sr) {
          sr.sequence([&](DerWriter& id) {
            id.sequence([](DerWriter& alg) {
              alg.oid(oids::kSha1);
              alg.null();
            });
            id.octet_string(s.issuer_name_hash);
            id.octet_string(s.issuer_key_hash);
            id.element(tag::kInteger, s.serial);
          });
          // CertStatus: good [0] IMPLICIT NULL, revoked [1] IMPLICIT
          // RevokedInfo, unknown [2] IMPLICIT NULL.
          switch (s.status) {
            case OcspCertStatus::good: sr.element(tag::context_specific(0), {}); break;
            case OcspCertStatus::unknown: sr.element(tag::context_specific(2), {}); break;
            case OcspCertStatus::revoked:
              sr.constructed(tag::context_constructed(1), [&](DerWriter& ri) {
                ri.generalized_time(s.revocation_time);
                if (s.reason) {
                  ri.constructed(tag::context_constructed(0), [&](DerWriter& r) {
                    r.integer(static_cast<int64_t>(*s.reason), tag::kEnumerated);
                  });
                }
              });
              break;
          }
          sr.generalized_time(s.this_update);
          if (s.next_update) {
            sr.constructed(tag::context_constructed(0),
                           [&](DerWriter& n) { n.generalized_time(*s.next_update); });
          }
        });
      }
    });
    if (!extensions_.empty()) {
      t.constructed(tag::context_constructed(1), [&](DerWriter& x) {
        x.sequence([&](DerWriter& exts) {
          for (const ExtensionInfo& e : extensions_)
            write_extension(exts, e.oid, e.critical, [&](DerWriter& v) { v.raw(e.value); });
        });
      });
    }
  });
  Bytes tbs_der = std::move(tbs).take();
  TESSERA_ASSIGN_OR_RETURN(Bytes signature, responder_key.sign(scheme, tbs_der));
  // BasicOCSPResponse, then OCSPResponse { successful, [0] EXPLICIT
  // ResponseBytes { id-pkix-ocsp-basic, OCTET STRING } }.
  DerWriter out;
  out.sequence([&](DerWriter& r) {
    r.integer(0, tag::kEnumerated);
    r.constructed(tag::context_constructed(0), [&](DerWriter& rb) {
      rb.sequence([&](DerWriter& b) {
        b.oid(oids::kOcspBasic);
        b.octet_string_wrapping([&](DerWriter& basic) {
          basic.sequence([&](DerWriter& c) {
            c.raw(tbs_der);
            (void)write_signature_algorithm(c, scheme);
            c.bit_string(signature);
            if (delegated) {
              c.constructed(tag::context_constructed(0), [&](DerWriter& certs) {
                certs.sequence([&](DerWriter& list) { list.raw(responder.der()); });
              });
            }
          });
        });
      });
    });
  });
  Bytes der = std::move(out).take();
  TESSERA_TRY(with_field(OcspResponse::parse(der), "built OCSP response"));
  return der;
}

std::string IssuedCertificate::cert_pem() const { return pem_encode(pem_label::kCertificate, der); }

Result<std::string> IssuedCertificate::key_pem() const {
  if (!key) return Error(ErrorCode::internal_error, "no private key");
  return key->to_pkcs8_pem();
}

Result<LocalPki> make_local_pki(crypto::Provider& provider, const crypto::KeyGenParams& key_params,
                                UnixTime now, std::vector<std::string> hosts, int64_t days) {
  if (hosts.empty()) hosts = {"localhost", "127.0.0.1", "::1"};
  if (days <= 0) return config_error("validity must be at least one day");
  UnixTime not_before = now - 3600;
  UnixTime not_after = now + days * 86400;
  LocalPki pki;
  TESSERA_ASSIGN_OR_RETURN(pki.ca.key, provider.generate_private_key(key_params));
  TESSERA_ASSIGN_OR_RETURN(pki.server.key, provider.generate_private_key(key_params));
  TESSERA_ASSIGN_OR_RETURN(pki.client.key, provider.generate_private_key(key_params));

  CertificateBuilder ca(provider);
  TESSERA_ASSIGN_OR_RETURN(Name ca_name, Name::from_string("O=tessera, CN=tessera local CA"));
  ca.subject(ca_name).validity(not_before, not_after).ca(0);
  TESSERA_ASSIGN_OR_RETURN(pki.ca.der, ca.self_sign(*pki.ca.key));
  TESSERA_ASSIGN_OR_RETURN(Certificate ca_cert, Certificate::parse(pki.ca.der));

  CertificateBuilder server(provider);
  std::string cn = hosts[0];
  for (char& c : cn) {
    if (c == ',' || c == '+' || c == '=' || c == '\\') c = '_';
  }
  TESSERA_ASSIGN_OR_RETURN(Name server_name, Name::from_string("O=tessera, CN=" + cn));
  server.subject(server_name)
      .validity(not_before, not_after)
      .leaf_for(LeafRole::server)
      .subject_public_key(pki.server.key->public_spki());
  for (const std::string& h : hosts) {
    if (std::optional<Bytes> ip = parse_ip_address(h)) {
      server.add_ip(*ip);
    } else {
      server.add_dns(h);
    }
  }
  TESSERA_ASSIGN_OR_RETURN(pki.server.der, server.sign(ca_cert, *pki.ca.key));

  CertificateBuilder client(provider);
  TESSERA_ASSIGN_OR_RETURN(Name client_name, Name::from_string("O=tessera, CN=tessera client"));
  client.subject(client_name)
      .validity(not_before, not_after)
      .leaf_for(LeafRole::client)
      .subject_public_key(pki.client.key->public_spki());
  TESSERA_ASSIGN_OR_RETURN(pki.client.der, client.sign(ca_cert, *pki.ca.key));
  return pki;
}

}  // namespace tessera::x509
