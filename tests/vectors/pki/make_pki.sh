#!/usr/bin/env bash
# Regenerates the test PKI used by the in-memory handshake tests (run once;
# the outputs are committed). Valid for 100 years from the day they were made
# (2026-11-26), so tests pin their clock at 2030-01-01.
set -euo pipefail
cd "$(dirname "$0")"
cnf() { printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n%s\n' "$1" > "$2"; }
key() {
  case "$1" in
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" ;;
    p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$2" ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$2" ;;
  esac
}
key ec ca.key
cnf $'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash' ca.cnf
openssl req -x509 -new -key ca.key -subj "/CN=tessera test CA" -not_before 20260101000000Z -not_after 21260101000000Z -out ca.pem -extensions v3 -config ca.cnf 2>/dev/null || \
  openssl req -x509 -new -key ca.key -subj "/CN=tessera test CA" -days 36500 -out ca.pem -extensions v3 -config ca.cnf
leaf() {  # name kind cn eku san
  key "$2" "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$3" -out "$1.csr"
  { echo "basicConstraints=critical,CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment";
    echo "extendedKeyUsage=$4"; echo "authorityKeyIdentifier=keyid";
    [ -n "$5" ] && echo "subjectAltName=$5"; } > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" -days 36500 -out "$1.pem" -extfile "$1.ext"
  rm -f "$1.csr" "$1.ext"
}
leaf server-ec ec localhost serverAuth "DNS:localhost,IP:127.0.0.1,IP:::1"
leaf server-p384 p384 localhost serverAuth "DNS:localhost,IP:127.0.0.1"
leaf server-rsa rsa localhost serverAuth "DNS:localhost,IP:127.0.0.1"
leaf server-ed25519 ed25519 localhost serverAuth "DNS:localhost,IP:127.0.0.1"
leaf server-other ec other.example serverAuth "DNS:other.example"
leaf client-ec ec "tessera test client" clientAuth ""
# an unrelated CA and a client certificate it issued
key ec rogue-ca.key
openssl req -x509 -new -key rogue-ca.key -subj "/CN=rogue CA" -days 36500 -out rogue-ca.pem -extensions v3 -config ca.cnf
key ec rogue-client.key
openssl req -new -key rogue-client.key -subj "/CN=rogue client" -out rogue-client.csr
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > rogue.ext
openssl x509 -req -in rogue-client.csr -CA rogue-ca.pem -CAkey rogue-ca.key -set_serial 0x0102 -days 36500 -out rogue-client.pem -extfile rogue.ext
rm -f rogue-client.csr rogue.ext ca.cnf *.srl
