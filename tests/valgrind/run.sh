#!/usr/bin/env bash
# tests/valgrind/run.sh BUILD_DIR — the unit tests (the GoogleTest binaries
# behind `ctest -L unit`: BUILD_DIR/bin/<layer>_tests) under valgrind memcheck.
# Any memory error or leak ("definitely"/"indirectly"/"possibly" lost) fails.
# Suppressions: openssl.supp next to this script (OpenSSL-internal, explained
# there). Runs two binaries at a time; logs in BUILD_DIR/valgrind/.
# Slow, so not in the default CI: on the shared 2-core machine (loaded) it took
# base 4 s, handshake 4 s, record 14 s, crypto 3 min, x509 ~9 min, conn 14 min
# and wire 35 min (its exhaustive mutation tests) wall time.
set -uo pipefail
build=${1:?build dir}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/valgrind"
# ct_tests is left out: its NegativeControl tests exist to make memcheck
# report (ctest -L ct runs it with the expectations it needs).
bins=$(ls "$build"/bin/*_tests 2>/dev/null | grep -v '/ct_tests$')
if [ -z "$bins" ]; then echo "valgrind: no test binaries in $build/bin" >&2; exit 2; fi
run_one() {
  local bin=$1 here=$2 build=$3
  local name
  name=$(basename "$bin")
  local log="$build/valgrind/$name.log"
  local start=$SECONDS
  valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 --track-origins=yes \
    --num-callers=30 --suppressions="$here/openssl.supp" --gen-suppressions=all \
    "$bin" --gtest_brief=1 >"$log" 2>&1
  local rc=$?
  if [ $rc -eq 0 ]; then
    echo "valgrind: $name ok ($((SECONDS - start)) s)"
  else
    echo "valgrind: $name FAILED (rc $rc, $((SECONDS - start)) s), see $log"
    grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|[0-9,]+ bytes in|ERROR SUMMARY)|FAILED' "$log" | head -20
  fi
  return $rc
}
export -f run_one
printf '%s\n' $bins | xargs -P "${VALGRIND_JOBS:-2}" -I{} bash -c 'run_one "$@"' _ {} "$here" "$build"
