# tests/vectors/openssl_ca.sh — shell helpers around `openssl ca`, sourced by
# the fixture generators (x509v/gen.sh, ocsp/gen.sh). They run in the
# generator's work directory $W.

# new_ca NAME: a CA database directory for `openssl ca` (db_NAME, a random
# first serial; a generator that wants fixed serials writes db_NAME/serial).
new_ca() {
  mkdir -p "db_$1"
  : > "db_$1/index.txt"
  echo "unique_subject = no" > "db_$1/index.txt.attr"
  cat > "db_$1/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
dir = $W/db_$1
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
[p]
commonName = supplied
CNF
  openssl rand -hex 8 > "db_$1/serial"
}

# key_ec NAME: a P-256 key in NAME.key. key_rsa NAME [BITS]: RSA (2048).
key_ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
key_rsa() {
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${2:-2048}" -out "$1.key" 2>/dev/null
}
