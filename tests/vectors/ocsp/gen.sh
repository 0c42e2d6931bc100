#!/usr/bin/env bash
# Generates the OCSP fixtures of tests/unit/x509/ocsp_test.cc with the openssl
# CLI (OpenSSL 3.0+): certificates made with `openssl ca`, responses made by
# `openssl ocsp` acting as a responder over a hand-written index. Re-run from
# this directory: ./gen.sh. Only certificates and responses are kept; keys
# live in a temp dir and vanish.
#
# Times: certificates are valid 2025-01-01 .. 2045-01-01. `openssl ocsp`
# stamps thisUpdate / producedAt with the time gen.sh runs (it has no option
# to set them), so the tests check at fixed times that hold for any run in
# 2026..2029: kNow = 2030-01-01 (inside the -ndays 3650 responses, past the
# -nmin 5 one and past max_age of the one without nextUpdate) and 2026-01-01
# (before thisUpdate: not yet valid).
#
# CA "CN=Tessera OCSP Test CA" (P-256) issued:
#   leaf.pem      serial 1001, good in the index
#   revoked.pem   serial 1002, revoked 2026-03-01T12:00:00Z, keyCompromise
#   unknown.pem   serial 1003, not in the index (status unknown)
#   responder.pem        RSA-2048 delegated responder, EKU OCSPSigning
#   responder_noeku.pem  a responder certificate without the EKU
# "CN=Tessera OCSP Other CA" issued other_responder.pem (EKU OCSPSigning).
# twin_ca.pem has the CA's name but its own key; twin_leaf.pem (serial 1001)
# is its leaf: same issuer name and serial as leaf.pem, another issuer key.
#
# Responses (DER), all for leaf.pem unless named otherwise:
#   good_byname.der          by the CA, ResponderID byName, SHA-1 CertID, nonce
#   good_bykey_sha256.der    by the CA, ResponderID byKey, SHA-256 CertID, no nonce
#   revoked.der              revoked.pem, by the CA
#   unknown.der              unknown.pem, by the CA
#   delegated.der            by responder.pem (certificate included), byName
#   delegated_bykey.der      by responder.pem, byKey
#   delegated_noeku.der      by responder_noeku.pem
#   delegated_other_ca.der   by other_responder.pem
#   nmin.der                 nextUpdate 5 minutes after thisUpdate
#   no_next.der              no nextUpdate
#   twin.der                 twin_leaf.pem, by twin_ca.pem
set -euo pipefail
OUT=$(cd "${1:-$(dirname "$0")}" && pwd)
HELPERS=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"

START=250101000000Z
END=450101000000Z

cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:ocsp-test.example.com
[responder]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[responder_noeku]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

# new_ca, key_ec, key_rsa.
source "$HELPERS/openssl_ca.sh"

# issue CANAME CACERT|-selfsign SUBJ NAME SERIAL EXT: NAME.pem from NAME.key.
issue() {
  local caname=$1 cacert=$2 subj=$3 name=$4 serial=$5 ext=$6
  echo "$serial" > "db_$caname/serial"
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null
  local args=(-batch -notext -config "db_$caname/ca.cnf" -in "$name.csr" -out "$name.pem"
              -startdate "$START" -enddate "$END" -subj "$subj" -extfile ext.cnf -extensions "$ext")
  if [ "$cacert" = "-selfsign" ]; then
    args+=(-selfsign -keyfile "$name.key")
  else
    args+=(-cert "$cacert.pem" -keyfile "$cacert.key")
  fi
  openssl ca "${args[@]}" 2>ca.err || { cat ca.err >&2; return 1; }
}

for n in ca twin_ca other_ca; do new_ca "$n"; done
for k in ca twin_ca other_ca leaf revoked unknown twin_leaf responder_noeku other_responder; do
  key_ec "$k"
done
key_rsa responder

issue ca -selfsign "/CN=Tessera OCSP Test CA" ca 01 ca
issue ca ca "/CN=ocsp leaf" leaf 1001 leaf
issue ca ca "/CN=ocsp revoked" revoked 1002 leaf
issue ca ca "/CN=ocsp unknown" unknown 1003 leaf
issue ca ca "/CN=ocsp responder" responder 2001 responder
issue ca ca "/CN=ocsp responder without EKU" responder_noeku 2002 responder_noeku
issue twin_ca -selfsign "/CN=Tessera OCSP Test CA" twin_ca 01 ca
issue twin_ca twin_ca "/CN=ocsp leaf" twin_leaf 1001 leaf
issue other_ca -selfsign "/CN=Tessera OCSP Other CA" other_ca 01 ca
issue other_ca other_ca "/CN=ocsp responder" other_responder 2001 responder

# The responders' index (the `openssl ca` database format): status, expiry,
# revocation "time,reason", serial, file, subject. 1003 is absent: unknown.
printf 'V\t450101000000Z\t\t1001\tunknown\t/CN=ocsp leaf\n' > index.txt
printf 'R\t450101000000Z\t260301120000Z,keyCompromise\t1002\tunknown\t/CN=ocsp revoked\n' >> index.txt
echo "unique_subject = no" > index.txt.attr

# respond OUT CERT ISSUER SIGNER [openssl ocsp options...]
respond() {
  local out=$1 cert=$2 issuer=$3 signer=$4
  shift 4
  # Options first: a CertID digest (-sha256) must come before -cert.
  openssl ocsp "$@" -index index.txt -CA "$issuer.pem" -issuer "$issuer.pem" -cert "$cert.pem" \
    -rsigner "$signer.pem" -rkey "$signer.key" -respout "$OUT/$out.der" >ocsp.out 2>&1 ||
    { cat ocsp.out >&2; return 1; }
}

respond good_byname leaf ca ca -ndays 3650
respond good_bykey_sha256 leaf ca ca -ndays 3650 -resp_key_id -sha256 -no_nonce
respond revoked revoked ca ca -ndays 3650
respond unknown unknown ca ca -ndays 3650
respond delegated leaf ca responder -ndays 3650
respond delegated_bykey leaf ca responder -ndays 3650 -resp_key_id
respond delegated_noeku leaf ca responder_noeku -ndays 3650
respond delegated_other_ca leaf ca other_responder -ndays 3650
respond nmin leaf ca ca -nmin 5
respond no_next leaf ca ca
respond twin twin_leaf twin_ca twin_ca -ndays 3650

for c in ca leaf revoked unknown responder responder_noeku twin_ca twin_leaf other_ca \
         other_responder; do
  cp "$c.pem" "$OUT/$c.pem"
done
echo "wrote $(ls "$OUT" | wc -l) files to $OUT"
