#!/usr/bin/env bash
# Installs the Debian 12 packages tessera needs to build, test and benchmark.
# Idempotent and quick when everything is present: apt-get runs only if a
# package is missing. Run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ make pkg-config python3
  libssl-dev openssl
  libipsec-mb-dev
  zlib1g-dev libbrotli-dev libzstd-dev
  libp11-kit-dev softhsm2
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  gnutls-bin curl
  clang-14 libclang-rt-14-dev valgrind
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
