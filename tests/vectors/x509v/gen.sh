#!/usr/bin/env bash
# Generates the certificate fixtures of tests/unit/x509/verify_test.cc with the
# openssl CLI (OpenSSL 3.0+). Re-run from this directory: ./gen.sh
# Only certificates and CRLs are kept; keys live in a temp dir and vanish.
#
# Times: everything "valid" runs 2025-01-01 .. 2035-01-01; the tests verify
# at 2026-06-01T00:00:00Z (1780272000) unless they say otherwise.
set -euo pipefail
# Usage: gen.sh [OUTDIR]  (default: this directory; tests/cli/test_verify.py
# generates a fresh corpus in a temp dir this way).
OUT=$(cd "${1:-$(dirname "$0")}" && pwd)
HELPERS=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"

START=250101000000Z
END=350101000000Z

cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca_pl0]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca_noku]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca_nc]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical,permitted;DNS:example.com,permitted;IP:10.0.0.0/255.0.0.0,excluded;DNS:bad.example.com
[not_ca]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyCertSign,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:www.example.com,DNS:*.example.org,IP:127.0.0.1,IP:::1,email:admin@example.com
[leaf_noaki]
basicConstraints = critical,CA:FALSE
authorityKeyIdentifier = none
subjectKeyIdentifier = none
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.com
[leaf_nosan]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
[leaf_client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:www.example.com
[leaf_ku]
basicConstraints = critical,CA:FALSE
keyUsage = critical,nonRepudiation
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:www.example.com
[leaf_crit]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:www.example.com
1.3.6.1.4.1.55555.1 = critical,ASN1:NULL
[nc_ok]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.com,IP:10.1.2.3
[nc_dns_bad]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.com,DNS:www.example.net
[nc_excluded]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:x.bad.example.com
[nc_ip_bad]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.com,IP:192.168.1.1
CNF

# new_ca, key_ec, key_rsa.
source "$HELPERS/openssl_ca.sh"

# sign CANAME CAKEY CACERT|-selfsign SUBJ KEY OUT START END EXT [MD]
# EXT "none" makes a v1 certificate.
sign() {
  local caname=$1 cakey=$2 cacert=$3 subj=$4 key=$5 out=$6 start=$7 end=$8 ext=$9 md=${10:-sha256}
  openssl req -new -key "$key.key" -subj "$subj" -out "$out.csr" 2>/dev/null
  local args=(-batch -notext -config "db_$caname/ca.cnf" -keyfile "$cakey.key" -in "$out.csr"
              -out "$out.pem" -startdate "$start" -enddate "$end" -md "$md" -subj "$subj")
  if [ "$cacert" = "-selfsign" ]; then args+=(-selfsign); else args+=(-cert "$cacert.pem"); fi
  if [ "$ext" != "none" ]; then args+=(-extfile ext.cnf -extensions "$ext"); fi
  openssl ca "${args[@]}" 2>ca.err || { cat ca.err >&2; return 1; }
}

# Root and intermediate.
for n in root int root2 other fake_int nc_int noca_int v1_int pl0_int under_pl0 sub_int; do key_ec $n; done
for n in root root2 other int fake_int; do new_ca $n; done
for n in pl0_int under_pl0 nc_int noca_int v1_int sub_int; do new_ca $n; done
sign root root -selfsign "/CN=Test Root" root root "$START" "$END" ca
sign int root root "/CN=Test Intermediate" int int "$START" "$END" ca
# Root Two: expired; it cross-signs Test Intermediate (same key and name).
sign root2 root2 -selfsign "/CN=Root Two" root2 root2_expired 200101000000Z 210101000000Z ca
sign root2 root2 root2_expired "/CN=Test Intermediate" int int_by_root2 "$START" "$END" ca
# The intermediate, again from Test Root but expired.
sign root root root "/CN=Test Intermediate" int int_expired 200101000000Z 210101000000Z ca

# Leaves under Test Intermediate.
key_ec leaf
sign int int int "/CN=www.example.com" leaf leaf "$START" "$END" leaf
sign int int int "/CN=www.example.com" leaf leaf_expired 200101000000Z 210101000000Z leaf
sign int int int "/CN=www.example.com" leaf leaf_future 300101000000Z 310101000000Z leaf
sign int int int "/CN=cn-only.example.com" leaf leaf_cn_only "$START" "$END" leaf_nosan
sign int int int "/CN=www.example.com" leaf leaf_client "$START" "$END" leaf_client
sign int int int "/CN=www.example.com" leaf leaf_ku "$START" "$END" leaf_ku
sign int int int "/CN=www.example.com" leaf leaf_crit "$START" "$END" leaf_crit
sign int int int "/CN=www.example.com" leaf leaf_sha1 "$START" "$END" leaf sha1
key_rsa rsa1024 1024
sign int int int "/CN=www.example.com" rsa1024 leaf_rsa1024 "$START" "$END" leaf
sign int int int "/CN=revoked.example.com" leaf leaf_revoked "$START" "$END" leaf

# Wrong issuer: a different key that claims the name Test Intermediate.
sign fake_int fake_int -selfsign "/CN=Test Intermediate" fake_int fake_int_self "$START" "$END" ca
# leaf_badsig has no AKI, so the real Test Intermediate is tried and its
# key does not verify; leaf_wrong_akid's AKI names the impostor's key.
sign fake_int fake_int fake_int_self "/CN=www.example.com" leaf leaf_badsig "$START" "$END" leaf_noaki
sign fake_int fake_int fake_int_self "/CN=www.example.com" leaf leaf_wrong_akid "$START" "$END" leaf
# Unknown issuer.
sign other other -selfsign "/CN=Other Root" other other_root "$START" "$END" ca
sign other other other_root "/CN=www.example.com" leaf leaf_other "$START" "$END" leaf

# Depth: leaf -> Sub Intermediate -> Test Intermediate -> Test Root.
sign int int int "/CN=Sub Intermediate" sub_int sub_int "$START" "$END" ca
sign sub_int sub_int sub_int "/CN=www.example.com" leaf leaf_sub "$START" "$END" leaf
# pathLen: Test Root -> PathLen0 (pathlen 0) -> Under PathLen0 -> leaf.
sign root root root "/CN=PathLen0 Intermediate" pl0_int pl0_int "$START" "$END" ca_pl0
sign pl0_int pl0_int pl0_int "/CN=Under PathLen0" under_pl0 under_pl0 "$START" "$END" ca
sign under_pl0 under_pl0 under_pl0 "/CN=www.example.com" leaf leaf_pl "$START" "$END" leaf
# Name constraints.
sign root root root "/CN=NC Intermediate" nc_int nc_int "$START" "$END" ca_nc
for c in nc_ok nc_dns_bad nc_excluded nc_ip_bad; do
  sign nc_int nc_int nc_int "/CN=$c" leaf "leaf_$c" "$START" "$END" "$c"
done
# CA:FALSE and v1 intermediates, and a CA whose keyUsage lacks keyCertSign.
sign root root root "/CN=NotCA Intermediate" noca_int noca_int "$START" "$END" not_ca
sign noca_int noca_int noca_int "/CN=www.example.com" leaf leaf_under_noca "$START" "$END" leaf
sign root root root "/CN=V1 Intermediate" v1_int v1_int "$START" "$END" none
sign v1_int v1_int v1_int "/CN=www.example.com" leaf leaf_under_v1 "$START" "$END" leaf_noaki

# CRL from Test Intermediate revoking leaf_revoked.
openssl ca -config db_int/ca.cnf -keyfile int.key -cert int.pem -revoke leaf_revoked.pem \
  -crl_reason keyCompromise 2>/dev/null
openssl ca -config db_int/ca.cnf -keyfile int.key -cert int.pem -gencrl -out int_crl.pem \
  -crl_lastupdate 260101000000Z -crl_nextupdate 270101000000Z 2>/dev/null

# Hostile: 20 CA certificates all named "Hostile", all with the same key and
# self-signed by it, so each one validly signs every other; the leaf is
# signed by that key. No anchor is named Hostile: an unbounded search would
# try 20!/(20-8)! paths.
key_ec hostile
new_ca hostile
: > hostile_set.pem
for i in $(seq 1 20); do
  sign hostile hostile -selfsign "/CN=Hostile" hostile "hostile_$i" "$START" "$END" ca
  cat "hostile_$i.pem" >> hostile_set.pem
done
sign hostile hostile hostile_1 "/CN=www.example.com" leaf leaf_hostile "$START" "$END" leaf

keep="root int root2_expired int_by_root2 int_expired leaf leaf_expired leaf_future leaf_cn_only leaf_client
      leaf_ku leaf_crit leaf_sha1 leaf_rsa1024 leaf_revoked fake_int_self leaf_badsig leaf_wrong_akid other_root
      leaf_other sub_int leaf_sub pl0_int under_pl0 leaf_pl nc_int leaf_nc_ok leaf_nc_dns_bad
      leaf_nc_excluded leaf_nc_ip_bad noca_int leaf_under_noca v1_int leaf_under_v1 int_crl
      hostile_set leaf_hostile"
for k in $keep; do cp "$k.pem" "$OUT/$k.pem"; done
echo "wrote $(echo $keep | wc -w) files to $OUT"
