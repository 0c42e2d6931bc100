#!/usr/bin/env bash
# Soak test (`make soak`, not part of `make test`): runs `tessera server --echo`
# and `tessera bench load` against it on loopback for SOAK_SECONDS, with full
# and resumed handshakes and echoed data whose every byte is checked, and
# compares the server's descriptor count (/proc/PID/fd) and memory (VmRSS in
# /proc/PID/status) before and after, each measured after a quiet period.
#
# Fails when the load generator reports any error, when the server holds more
# descriptors after than before (a leak), or when its RSS grew by more than
# SOAK_RSS_SLACK_KB (default 8 MiB) or 25 %, whichever is larger. "Before" is
# taken after a warm-up at the same concurrency (at most 256 connections), so
# the allocator's working set is already there: over the default run (about
# 30,000 handshakes here) the slack is a few hundred bytes per handshake.
#
# Usage: scripts/soak.sh [BUILD_DIR]
# Knobs (environment):     SOAK_SECONDS     run time                       (60)
#   SOAK_CONNECTIONS concurrent connections (256)  SOAK_REQUESTS echo rounds per connection, 0: hold (4)
#   SOAK_RESUME % resumed (50)   SOAK_SIZE bytes per round (4096)   SOAK_INTERVAL ms between rounds when holding (1000)
#   SOAK_WORKERS server threads (0: one per core)  SOAK_RSS_SLACK_KB (8192)
# The server and the load generator are always stopped on exit (trap).
set -euo pipefail

BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")/.." && pwd)
TESSERA=$BUILD/bin/tessera
PKI=$HERE/tests/vectors/pki
SECONDS_=${SOAK_SECONDS:-60}
CONNS=${SOAK_CONNECTIONS:-256}
REQUESTS=${SOAK_REQUESTS:-4}
RESUME=${SOAK_RESUME:-50}
SIZE=${SOAK_SIZE:-4096}
INTERVAL=${SOAK_INTERVAL:-1000}
WORKERS=${SOAK_WORKERS:-0}
SLACK_KB=${SOAK_RSS_SLACK_KB:-8192}
WARM=$(( CONNS < 256 ? CONNS : 256 ))

[ -x "$TESSERA" ] || { echo "soak: $TESSERA not built (make build)" >&2; exit 2; }

TMP=$(mktemp -d /tmp/tessera-soak.XXXXXX)
SERVER_PID=""
LOAD_PID=""
cleanup() {
  for pid in $LOAD_PID $SERVER_PID; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TESSERA" server --echo --port "$PORT" --workers "$WORKERS" \
  --cert "$PKI/server-ec.pem" --key "$PKI/server-ec.key" 2>"$TMP/server.log" &
SERVER_PID=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.log" >&2; exit 1; }
  sleep 0.1
done

fds() { ls "/proc/$SERVER_PID/fd" | wc -l; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }
# quiesce waits until the descriptor count stops changing (connections in
# their linger or timeout phase are released), at most 15 s.
quiesce() {
  local last now
  last=$(fds)
  for _ in $(seq 30); do
    sleep 0.5
    now=$(fds)
    [ "$now" = "$last" ] && [ "$now" -le "${1:-$now}" ] && break
    last=$now
  done
  sleep 3  # the server trims its heap at most once a second after connections go
}

load() {
  "$TESSERA" bench load "127.0.0.1:$PORT" --ca "$PKI/ca.pem" "$@"
}

echo "soak: server pid $SERVER_PID on 127.0.0.1:$PORT; $(nproc) CPUs; $(date -u +%FT%TZ)"
# Warm-up: the allocator and the session caches reach their working size.
load --connections "$WARM" --duration 5 --requests 2 --resume "$RESUME" --size "$SIZE" \
  >"$TMP/warmup.txt" 2>&1 || {
  cat "$TMP/warmup.txt" >&2; echo "soak: FAIL warm-up" >&2; exit 1; }
quiesce
FD_BEFORE=$(fds)
RSS_BEFORE=$(rss_kb)
echo "soak: before: $FD_BEFORE descriptors, VmRSS $RSS_BEFORE kB"

load --connections "$CONNS" --duration "$SECONDS_" --requests "$REQUESTS" --resume "$RESUME" \
  --size "$SIZE" --interval "$INTERVAL" --progress >"$TMP/load.txt" 2>"$TMP/load.err" &
LOAD_PID=$!
RSS_PEAK=0
FD_PEAK=0
while kill -0 "$LOAD_PID" 2>/dev/null; do
  r=$(rss_kb); f=$(fds)
  [ "$r" -gt "$RSS_PEAK" ] && RSS_PEAK=$r
  [ "$f" -gt "$FD_PEAK" ] && FD_PEAK=$f
  sleep 1
done
set +e
wait "$LOAD_PID"
LOAD_RC=$?
set -e
LOAD_PID=""
cat "$TMP/load.txt"
grep -v '^\[' "$TMP/load.err" >&2 || true
echo "soak: during: peak $FD_PEAK descriptors, peak VmRSS $RSS_PEAK kB"

quiesce "$FD_BEFORE"
FD_AFTER=$(fds)
RSS_AFTER=$(rss_kb)
echo "soak: after:  $FD_AFTER descriptors, VmRSS $RSS_AFTER kB"

FAIL=0
if [ "$LOAD_RC" -ne 0 ] || ! grep -q '^errors: *0$' "$TMP/load.txt"; then
  echo "soak: FAIL: the load generator reported errors (exit $LOAD_RC)"; FAIL=1
fi
if [ "$FD_AFTER" -gt "$FD_BEFORE" ]; then
  echo "soak: FAIL: descriptor leak: $FD_BEFORE before, $FD_AFTER after"; FAIL=1
fi
ALLOWED=$(( RSS_BEFORE / 4 > SLACK_KB ? RSS_BEFORE / 4 : SLACK_KB ))
if [ "$RSS_AFTER" -gt $(( RSS_BEFORE + ALLOWED )) ]; then
  echo "soak: FAIL: RSS grew from $RSS_BEFORE kB to $RSS_AFTER kB (allowed +$ALLOWED kB)"; FAIL=1
fi
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "soak: FAIL: the server died"; tail -20 "$TMP/server.log"; FAIL=1
fi
[ "$FAIL" -eq 0 ] && echo "soak: PASS" || exit 1
