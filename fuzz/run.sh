#!/usr/bin/env bash
# fuzz/run.sh BUILD_DIR SECONDS [TARGET...] — runs each libFuzzer target for
# SECONDS on a scratch copy of its seed corpus (fuzz/corpus/<name>), so the
# committed corpora are never modified. Crash, leak, timeout and OOM inputs
# are kept in BUILD_DIR/fuzz-artifacts/<name>/. Exits non-zero if any target
# failed; prints a per-target summary (runs, coverage, status).
# FUZZ_SEED=N fixes libFuzzer's random seed (-seed=N), so a run walks the
# same sequence of mutations on every machine, a faster one further along it
# in the same time (what `make fuzz-smoke`, the CI's pass, does); unset, every
# run explores afresh.
set -uo pipefail
build=${1:?build dir}
secs=${2:?seconds}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(deframer record handshake extensions der pem x509 path x509_differential client server tickets cli_files)
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tessera-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
seed_arg=()
if [ -n "${FUZZ_SEED:-}" ]; then seed_arg=(-seed="$FUZZ_SEED"); fi
failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  if [ ! -x "$bin" ]; then echo "fuzz: $bin not built" >&2; exit 2; fi
  mkdir -p "$scratch/$t" "$build/fuzz-artifacts/$t"
  if [ -d "$here/corpus/$t" ]; then cp -r "$here/corpus/$t/." "$scratch/$t/"; fi
  log="$build/fuzz-artifacts/$t.log"
  echo "== fuzz_$t: ${secs}s, $(ls "$scratch/$t" | wc -l) seeds"
  "$bin" "${seed_arg[@]}" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$t/" "$scratch/$t" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if [ $rc -ne 0 ]; then
    failed+=("$t")
    summary+=("fuzz_$t: FAILED (rc $rc), see $log")
    grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -8
  else
    summary+=("fuzz_$t: ok, ${runs:-?} runs, ${cov:-cov ?}")
  fi
done
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
