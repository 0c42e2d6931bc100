// fuzz/fuzz_x509_differential.cc — our X.509 certificate parser
// (x509::Certificate::parse) against OpenSSL's d2i_X509 on the same bytes.
// (fuzz/ may include OpenSSL headers; src/ may not, see check_layering.py.)
//
// The rule checked: if tessera accepts a certificate, OpenSSL must accept it
// too, consume exactly the same bytes, and agree on version, serial, issuer,
// subject, validity and the SubjectPublicKeyInfo bytes.
//
// The other direction is explained and excluded, not checked: tessera is
// deliberately stricter than d2i_X509, which is a lenient BER-ish decoder
// that leaves policy to X509_verify_cert. Known, intended differences where
// OpenSSL accepts and tessera rejects:
//   - RFC 5280 4.1.1.2: signatureAlgorithm must equal tbsCertificate.signature;
//   - RFC 5280 4.1.2.2: negative serials and serials over 20 octets;
//   - RFC 5280 4.1.2.5: UTCTime/GeneralizedTime form (seconds, 'Z', the
//     1950..2049 UTCTime rule), validity checked as a calendar date;
//   - DER strictness (minimal lengths, BOOLEAN 0xFF, DEFAULT values not
//     encoded, minimal INTEGERs, unused bits zero) — X.690 11;
//   - string types (PrintableString charset, UTF-8 validity), version/field
//     combinations (4.1.2.1, 4.1.2.8), duplicate or malformed recognised
//     extensions (4.2), unknown critical extensions are left to validation;
//   - trailing bytes after the Certificate (d2i_X509 stops after one).
//
// And one known difference where tessera accepts and OpenSSL rejects, so it
// is excluded from the check (see openssl_takes_name_value):
//   - RFC 5280 4.1.2.4 defines AttributeValue ::= ANY -- DEFINED BY
//     AttributeType. tessera requires a valid string for the attribute types
//     it knows and keeps any other value opaque (checked for the DER rules
//     that need no type, see below, not interpreted). OpenSSL decodes every
//     value as
//     ASN1_PRINTABLE, a CHOICE of universal string types, BIT STRING and
//     SEQUENCE (B_ASN1_PRINTABLE in <openssl/asn1.h>), and rejects the whole
//     certificate when a value is outside that CHOICE (an unknown attribute
//     tagged [APPLICATION 21]) or is a malformed BIT STRING (unused-bits
//     octet over 7, found by this target). So a certificate whose subject or
//     issuer has a value that is not a character string is excluded when
//     OpenSSL rejects it.
//   - Likewise AlgorithmIdentifier.parameters is ANY DEFINED BY algorithm
//     (RFC 5280 4.1.1.2): for a public-key or signature algorithm tessera
//     does not know, the parameters stay opaque, while OpenSSL decodes them
//     as ASN1_ANY by their universal tag and rejects, e.g., a constructed
//     OCTET STRING (found by this target). Excluded when OpenSSL rejects and
//     either algorithm is unknown to tessera (no key type / no scheme).
//   Opaque is not lax: tessera checks such a value for the DER rules that
//   need no type, at every depth (DerReader::read_der_value). It did not
//   always: this target found it accepting parameters 03 01 07 (a BIT STRING
//   with 7 unused bits and no content), which OpenSSL also accepts but
//   re-encodes as 03 01 00, so the SubjectPublicKeyInfo comparison below
//   failed; the BIT STRING with an unused-bits octet of 110 and the
//   constructed OCTET STRING above are now rejected by both. The exclusions
//   remain for what OpenSSL rejects in values that are DER (such as the
//   [APPLICATION 21] attribute value).

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "x509/certificate.h"
#include "x509/der.h"

using namespace tessera;

namespace {

[[noreturn]] void disagree(const char* what) {
  std::fprintf(stderr, "differential: tessera accepted, OpenSSL differs: %s\n", what);
  std::abort();
}

Bytes i2d_name(const X509_NAME* n) {
  unsigned char* out = nullptr;
  int len = i2d_X509_NAME(n, &out);
  if (len < 0) return {};
  Bytes b(out, out + len);
  OPENSSL_free(out);
  return b;
}

// names_openssl_can_decode: every attribute value is a character string
// (x509::is_string_tag), which both parsers decode by the same rules.
bool names_openssl_can_decode(const x509::Name& n) {
  for (const auto& rdn : n.rdns()) {
    for (const auto& atv : rdn) {
      if (!x509::is_string_tag(atv.value_tag)) return false;
    }
  }
  return true;
}

bool time_equal(const ASN1_TIME* t, int64_t want) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return false;
  return static_cast<int64_t>(timegm(&tm)) == want;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto ours = x509::Certificate::parse(ByteView(data, size));
  const unsigned char* p = data;
  X509* theirs = d2i_X509(nullptr, &p, static_cast<long>(size));
  if (ours.ok() && theirs == nullptr &&
      (!names_openssl_can_decode(ours->subject()) || !names_openssl_can_decode(ours->issuer()))) {
    return 0;  // the known AttributeValue difference above
  }
  if (ours.ok() && theirs == nullptr &&
      (ours->public_key_info().algorithm == x509::PublicKeyAlgorithm::unknown ||
       !ours->signature_algorithm().scheme)) {
    return 0;  // the known AlgorithmIdentifier parameters difference above
  }
  if (ours.ok()) {
    if (theirs == nullptr) disagree("d2i_X509 rejected it");
    if (p != data + size) disagree("d2i_X509 consumed a different length");
    const long v = X509_get_version(theirs) + 1;
    if (v != ours->version()) disagree("version");
    // Serial: ours keeps the minimal two's-complement content octets.
    const ASN1_INTEGER* serial = X509_get0_serialNumber(theirs);
    BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
    if (bn == nullptr) disagree("serial not convertible");
    Bytes mag(static_cast<size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, mag.data());
    BN_free(bn);
    ByteView s = ours->serial();
    while (!s.empty() && s[0] == 0) s = s.subspan(1);  // magnitude of a positive serial
    if (Bytes(s.begin(), s.end()) != mag) disagree("serial");
    auto ours_issuer = ours->issuer().der();
    auto ours_subject = ours->subject().der();
    if (i2d_name(X509_get_issuer_name(theirs)) != Bytes(ours_issuer.begin(), ours_issuer.end()))
      disagree("issuer");
    if (i2d_name(X509_get_subject_name(theirs)) != Bytes(ours_subject.begin(), ours_subject.end()))
      disagree("subject");
    if (!time_equal(X509_get0_notBefore(theirs), ours->not_before())) disagree("notBefore");
    if (!time_equal(X509_get0_notAfter(theirs), ours->not_after())) disagree("notAfter");
    unsigned char* spki = nullptr;
    int spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(theirs), &spki);
    if (spki_len < 0) disagree("SubjectPublicKeyInfo not re-encodable");
    Bytes theirs_spki(spki, spki + spki_len);
    OPENSSL_free(spki);
    auto ours_spki = ours->spki_der();
    if (theirs_spki != Bytes(ours_spki.begin(), ours_spki.end())) disagree("SubjectPublicKeyInfo");
  }
  X509_free(theirs);
  return 0;
}
