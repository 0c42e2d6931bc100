// x509/builder.h — building and signing certificates and CRLs (for the CLI's
// CA tooling, the demo and tests).
//
// CertificateBuilder assembles a v3 TBSCertificate with our DER writer and
// signs it with a crypto::PrivateKey:
//
//   CertificateBuilder b(provider);
//   b.subject(*Name::from_string("CN=localhost"))
//       .validity(now - 3600, now + 90 * 86400)
//       .leaf_for(LeafRole::server)
//       .add_dns("localhost").add_ip(*parse_ip_address("127.0.0.1"))
//       .subject_public_key(server_key->public_spki());
//   Result<Bytes> der = b.sign(ca_cert, *ca_key);
//
// Signature algorithms follow the issuer key: EC P-256 -> ecdsa-with-SHA256,
// P-384 -> ecdsa-with-SHA384, P-521 -> ecdsa-with-SHA512, RSA ->
// sha256WithRSAEncryption, Ed25519 -> Ed25519. Key identifiers are RFC 5280
// 4.2.1.2 method 1 (SHA-1 of the subjectPublicKey BIT STRING contents)
// computed through the provider. Time and randomness come from the caller and
// the provider: nothing here reads a clock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "crypto/provider.h"
#include "tessera/result.h"
#include "x509/certificate.h"
#include "x509/crl.h"
#include "x509/extensions.h"
#include "x509/name.h"
#include "x509/ocsp.h"
#include "x509/time.h"

namespace tessera::x509 {

// Common profiles for end-entity certificates.
enum class LeafRole : uint8_t { server, client, server_and_client };

class CertificateBuilder {
 public:
  explicit CertificateBuilder(crypto::Provider& provider) : provider_(provider) {}

  // subject sets the subject name (may be empty if SANs are added: the SAN
  // extension is then marked critical, RFC 5280 4.2.1.6).
  CertificateBuilder& subject(Name name);
  // serial sets the serial number magnitude (big-endian, 1..20 octets);
  // without it sign() draws 16 random octets from the provider (positive).
  CertificateBuilder& serial(Bytes magnitude);
  CertificateBuilder& validity(UnixTime not_before, UnixTime not_after);
  // subject_public_key sets the SPKI DER of the certified key. For
  // self_sign() it defaults to the signing key's public half.
  CertificateBuilder& subject_public_key(Bytes spki_der);

  // ca makes this a CA certificate: basicConstraints critical cA TRUE with
  // the optional pathLenConstraint, and (unless key_usage() is called)
  // keyUsage critical keyCertSign | cRLSign | digitalSignature.
  CertificateBuilder& ca(std::optional<uint32_t> path_len);
  // leaf_for sets an end-entity profile: basicConstraints critical cA FALSE,
  // keyUsage critical digitalSignature (plus keyEncipherment for RSA keys),
  // and extKeyUsage serverAuth / clientAuth / both.
  CertificateBuilder& leaf_for(LeafRole role);
  // key_usage overrides the keyUsage bits (critical); 0 removes the extension.
  CertificateBuilder& key_usage(KeyUsage ku);
  // ext_key_usage overrides the EKU purposes (empty removes the extension).
  CertificateBuilder& ext_key_usage(std::vector<Oid> purposes);

  // Subject alternative names, in the order added.
  CertificateBuilder& add_dns(std::string name);
  // add_ip takes a 4- or 16-octet address (see parse_ip_address in identity.h).
  CertificateBuilder& add_ip(Bytes address);
  CertificateBuilder& add_email(std::string address);
  CertificateBuilder& add_uri(std::string uri);

  // name_constraints adds a critical nameConstraints extension. Each
  // GeneralName is encoded as given (iPAddress: address followed by mask).
  CertificateBuilder& name_constraints(std::vector<GeneralName> permitted,
                                       std::vector<GeneralName> excluded);
  // crl_distribution_uri adds a cRLDistributionPoints fullName URI.
  CertificateBuilder& crl_distribution_uri(std::string uri);
  // policy adds a certificatePolicies policy OID.
  CertificateBuilder& policy(Oid oid);
  // tls_feature adds the RFC 7633 TLS feature extension listing these TLS
  // extension types (5, status_request: "OCSP must-staple"); non-critical.
  CertificateBuilder& tls_feature(std::vector<uint16_t> features);
  // ocsp_nocheck adds id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1: clients
  // need not check this OCSP responder's certificate for revocation);
  // non-critical, value NULL.
  CertificateBuilder& ocsp_nocheck();

  // self_sign signs with `key` as its own issuer (issuer = subject). Adds a
  // subjectKeyIdentifier; no authorityKeyIdentifier.
  Result<Bytes> self_sign(const crypto::PrivateKey& key);
  // sign signs as `issuer` (whose key is `issuer_key`): issuer name copied
  // byte for byte from the issuer's subject, authorityKeyIdentifier = the
  // issuer's subjectKeyIdentifier (or SHA-1 of its key). Fails
  // (config_invalid) if issuer_key does not match the issuer certificate, if
  // no subject key was set, or if the validity is empty or not encodable.
  Result<Bytes> sign(const Certificate& issuer, const crypto::PrivateKey& issuer_key);

 private:
  Result<Bytes> build(const Name& issuer, ByteView issuer_spki, std::optional<Bytes> issuer_kid,
                      const crypto::PrivateKey& key);

  crypto::Provider& provider_;
  Name subject_;
  std::optional<Bytes> serial_;
  UnixTime not_before_ = 0;
  UnixTime not_after_ = 0;
  std::optional<Bytes> spki_;
  std::optional<BasicConstraints> basic_constraints_;
  std::optional<LeafRole> role_;
  std::optional<KeyUsage> key_usage_;
  std::optional<std::vector<Oid>> eku_;
  std::vector<GeneralName> sans_;
  std::optional<NameConstraints> name_constraints_;
  std::vector<std::string> crl_uris_;
  std::vector<Oid> policies_;
  std::vector<uint16_t> tls_features_;
  bool ocsp_nocheck_ = false;
};

// Builds and signs a v2 CRL.
class CrlBuilder {
 public:
  explicit CrlBuilder(crypto::Provider& provider) : provider_(provider) {}
  CrlBuilder& this_update(UnixTime t);
  CrlBuilder& next_update(UnixTime t);
  CrlBuilder& crl_number(uint64_t n);
  // revoke lists a serial (INTEGER content octets as Certificate::serial()
  // returns them) with its revocation date and optional reason.
  CrlBuilder& revoke(Bytes serial, UnixTime when, std::optional<CrlReason> reason = std::nullopt);
  // sign produces the CRL DER signed by issuer_key as `issuer`
  // (authorityKeyIdentifier and cRLNumber extensions included).
  Result<Bytes> sign(const Certificate& issuer, const crypto::PrivateKey& issuer_key);

 private:
  crypto::Provider& provider_;
  UnixTime this_update_ = 0;
  std::optional<UnixTime> next_update_;
  uint64_t crl_number_ = 1;
  std::vector<RevokedCertificate> revoked_;
};

// Builds and signs an OCSPResponse (RFC 6960 4.2.1): successful, basic,
// ResponderID byName (the responder's subject, as OpenSSL writes it; see
// sign()), GeneralizedTime times.
//
//   OcspResponseBuilder b(provider);
//   b.produced_at(now).add(leaf, ca, OcspCertStatus::good, now, now + 7 * 86400);
//   Result<Bytes> der = b.sign(ca, *ca_key);
class OcspResponseBuilder {
 public:
  explicit OcspResponseBuilder(crypto::Provider& provider) : provider_(provider) {}
  // produced_at sets producedAt (default: the latest thisUpdate).
  OcspResponseBuilder& produced_at(UnixTime t);
  // add lists cert's status (CertID with SHA-1, as RFC 5019 and OpenSSL use).
  // `issuer` is the certificate that issued `cert`. revocation_time and
  // reason are for status revoked only (sign() refuses them otherwise).
  OcspResponseBuilder& add(const Certificate& cert, const Certificate& issuer,
                           OcspCertStatus status, UnixTime this_update,
                           std::optional<UnixTime> next_update, UnixTime revocation_time = 0,
                           std::optional<CrlReason> reason = std::nullopt);
  // response_extension adds a responseExtensions entry (e.g. a nonce, or
  // for tests an unknown critical extension); `value` is the extnValue
  // contents.
  OcspResponseBuilder& response_extension(const Oid& oid, bool critical, Bytes value);
  // sign signs by `responder`: the issuer of every added certificate itself,
  // or a responder that issuer delegated (RFC 6960 4.2.2.2: issued by it,
  // extKeyUsage id-kp-OCSPSigning), whose certificate is then included in
  // certs. The result is parsed by OcspResponse::parse before it is
  // returned. config_invalid if responder_key is not the responder's, if
  // nothing was added, if a responder is not authorised for an entry, for
  // revocation details on an entry that is not revoked, removeFromCRL, or a
  // time that cannot be encoded.
  Result<Bytes> sign(const Certificate& responder, const crypto::PrivateKey& responder_key);

 private:
  struct Entry {
    OcspSingleResponse single;
    Certificate issuer;
  };
  crypto::Provider& provider_;
  std::optional<UnixTime> produced_at_;
  std::vector<Entry> entries_;
  std::vector<ExtensionInfo> extensions_;
};

// signature_scheme_for_key returns the scheme the builders sign with for a
// key type (see the file comment); unsupported_algorithm for rsa_pss keys.
Result<SignatureScheme> signature_scheme_for_key(crypto::KeyType type);

// key_identifier returns SHA-1 of the subjectPublicKey BIT STRING contents of
// an SPKI (RFC 5280 4.2.1.2 method 1).
Result<Bytes> key_identifier(crypto::Provider& provider, ByteView spki_der);

// A certificate with its private key.
struct IssuedCertificate {
  Bytes der;
  std::unique_ptr<crypto::PrivateKey> key;

  std::string cert_pem() const;
  // key_pem is the PKCS#8 PEM of the key.
  Result<std::string> key_pem() const;
};

// A complete local PKI for tests, the demo and `tessera cert local-mtls`.
struct LocalPki {
  IssuedCertificate ca;      // self-signed root, pathlen 0
  IssuedCertificate server;  // EKU serverAuth, SANs: hosts (DNS or IP)
  IssuedCertificate client;  // EKU clientAuth, CN "tessera client"
};

// make_local_pki generates three keys of `key_params` and issues: a CA
// ("CN=tessera local CA"), a server certificate for `hosts` (each added as an
// IP SAN if it parses as an address, else as a DNS SAN; default localhost,
// 127.0.0.1 and ::1; CN is the first host) and a client certificate, all valid
// from now - 1 hour for `days` days.
Result<LocalPki> make_local_pki(crypto::Provider& provider, const crypto::KeyGenParams& key_params,
                                UnixTime now, std::vector<std::string> hosts = {},
                                int64_t days = 30);

}  // namespace tessera::x509
