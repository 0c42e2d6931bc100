#!/bin/sh
# Generates the X.509 fixtures used by tests/unit/x509/ with the openssl CLI.
# Run once from this directory (the outputs are committed); the private keys
# are kept so the fixtures can be regenerated consistently, and are test-only.
#
#   root_rsa.pem      RSA-2048 self-signed root, sha256WithRSAEncryption, CA pathlen 1
#   inter_ec.pem      P-256 intermediate signed by the root, CA pathlen 0, nameConstraints
#   leaf_ec.pem       P-256 leaf signed by the intermediate (ecdsa-with-SHA256), all SAN kinds,
#                     EKU serverAuth+clientAuth, policies, CRL distribution point
#   leaf_p384.pem     P-384 leaf signed by the intermediate with ecdsa-with-SHA384
#   leaf_pss.pem      RSA leaf signed by the root with RSASSA-PSS (SHA-256, salt 32)
#   ed25519.pem       self-signed Ed25519 certificate
#   unknown_crit.pem  leaf with an unknown critical extension 1.3.6.1.4.1.55555.1
#   v1.pem            X.509 v1 certificate (no extensions)
#   root.crl.pem      CRL of the root revoking leaf_pss.pem's serial (reason keyCompromise)
set -eu
cd "$(dirname "$0")"
DAYS=36500
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

[ -f root_rsa.key ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root_rsa.key 2>/dev/null
[ -f inter_ec.key ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out inter_ec.key 2>/dev/null
[ -f leaf_ec.key ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf_ec.key 2>/dev/null
[ -f leaf_p384.key ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out leaf_p384.key 2>/dev/null
[ -f leaf_pss.key ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf_pss.key 2>/dev/null
[ -f ed25519.key ] || openssl genpkey -algorithm ED25519 -out ed25519.key 2>/dev/null

cat > "$T/ext.cnf" <<'CNF'
[root]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical, permitted;DNS:example.com, permitted;IP:10.0.0.0/255.0.0.0, permitted;IP:2001:db8::/ffff:ffff::, permitted;email:example.com, excluded;DNS:bad.example.com, excluded;IP:2001:db8:bad::/ffff:ffff:ffff::

[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = @alt
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 2.23.140.1.2.1, 1.3.6.1.4.1.55555.7
crlDistributionPoints = URI:http://crl.example.com/inter.crl

[alt]
DNS.1 = www.example.com
DNS.2 = *.example.com
IP.1 = 10.1.2.3
IP.2 = 2001:db8::1
email.1 = admin@example.com
URI.1 = https://www.example.com/
dirName.1 = dir_sect

[dir_sect]
C = US
O = Example Dir
CN = Directory Name

[p384]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:p384.example.com
authorityKeyIdentifier = keyid

[pss]
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectAltName = email:pss@example.com
authorityKeyIdentifier = keyid

[ed]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign
subjectAltName = DNS:ed25519.example.com
subjectKeyIdentifier = hash

[unknown]
basicConstraints = critical, CA:FALSE
subjectAltName = DNS:unknown.example.com
1.3.6.1.4.1.55555.1 = critical, ASN1:UTF8String:must understand
1.3.6.1.4.1.55555.2 = ASN1:UTF8String:may ignore
CNF

cat > "$T/ca.cnf" <<'CNF'
[ca]
default_ca = root
[root]
database = index.txt
crlnumber = crlnumber
default_md = sha256
default_crl_days = 36500
CNF

openssl req -new -x509 -key root_rsa.key -sha256 -days $DAYS -set_serial 0x01 \
  -subj "/C=US/O=Tessera Test/CN=Tessera Test Root" -config /dev/null \
  -extfile "$T/ext.cnf" -extensions root -out root_rsa.pem 2>/dev/null || \
openssl req -new -x509 -key root_rsa.key -sha256 -days $DAYS -set_serial 0x01 \
  -subj "/C=US/O=Tessera Test/CN=Tessera Test Root" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:1" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" -out root_rsa.pem

sign() {  # sign <key> <subject> <issuer cert> <issuer key> <section> <serial> <out> [extra x509 args]
  key=$1 subj=$2 icert=$3 ikey=$4 sect=$5 serial=$6 out=$7
  shift 7
  openssl req -new -key "$key" -subj "$subj" -out "$T/req.csr"
  openssl x509 -req -in "$T/req.csr" -CA "$icert" -CAkey "$ikey" -set_serial "$serial" \
    -days $DAYS -extfile "$T/ext.cnf" -extensions "$sect" -out "$out" "$@"
}

sign inter_ec.key "/C=US/O=Tessera Test/CN=Tessera Test Intermediate" root_rsa.pem root_rsa.key \
  inter 0x1002 inter_ec.pem -sha256
sign leaf_ec.key "/C=US/ST=California/L=San Francisco/O=Example, Inc./OU=Web/CN=www.example.com" \
  inter_ec.pem inter_ec.key leaf 0x00c0ffee0123456789abcdef0123456789abcdef leaf_ec.pem -sha256
sign leaf_p384.key "/CN=p384.example.com" inter_ec.pem inter_ec.key p384 0x3840 leaf_p384.pem -sha384
sign leaf_pss.key "/CN=PSS Client/emailAddress=pss@example.com" root_rsa.pem root_rsa.key pss \
  0x7055 leaf_pss.pem -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest
sign leaf_ec.key "/CN=unknown.example.com" inter_ec.pem inter_ec.key unknown 0x0bad unknown_crit.pem -sha256
openssl req -new -x509 -key ed25519.key -days $DAYS -set_serial 0x25519 \
  -subj "/CN=Ed25519 Test/O=Tessera Test" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,digitalSignature,keyCertSign" \
  -addext "subjectAltName=DNS:ed25519.example.com" -out ed25519.pem
# A v1 certificate: x509 -req without extensions.
openssl req -new -key leaf_ec.key -subj "/CN=v1.example.com" -out "$T/v1.csr"
openssl x509 -req -in "$T/v1.csr" -CA root_rsa.pem -CAkey root_rsa.key -set_serial 0x11 \
  -days $DAYS -sha256 -out v1.pem

# CRL: the root revokes leaf_pss.pem.
(cd "$T" && : > index.txt && echo 1000 > crlnumber)
cp "$T/ca.cnf" "$T/ca2.cnf"
sed -i "s#index.txt#$T/index.txt#; s#= crlnumber#= $T/crlnumber#" "$T/ca2.cnf"
openssl ca -config "$T/ca2.cnf" -keyfile root_rsa.key -cert root_rsa.pem -revoke leaf_pss.pem \
  -crl_reason keyCompromise 2>/dev/null
openssl ca -config "$T/ca2.cnf" -keyfile root_rsa.key -cert root_rsa.pem -gencrl \
  -out root.crl.pem 2>/dev/null

for f in *.pem; do openssl x509 -in "$f" -noout 2>/dev/null || openssl crl -in "$f" -noout; done
echo "fixtures written"
