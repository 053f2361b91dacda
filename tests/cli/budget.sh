#!/bin/bash
# Labs too big to run (issue 14): refused before running when their generators cannot fit,
# stopped cleanly at --max-memory with what ran so far, stopped by Ctrl-C with the partial
# result and exit 130; never a signal, never an `internal error`.
# Usage: budget.sh BIN_DIR SOURCE_DIR
set -u
bin=$1
tmp=$(mktemp -d)
trap '[ "$pid" -gt 0 ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
pid=0
fail() { echo "FAIL: $*"; exit 1; }

# A transfer long enough that its trace outgrows a small memory limit.
cat > "$tmp/bulk.toml" <<'LAB'
title = "a long bulk transfer"
until = "3600s"
[[host]]
name = "a"
[[host]]
name = "b"
[link]
delay = "1ms"
rate = "100Mbps"
[[app]]
host = "b"
script = ["listen 80", "accept", "recv all", "close"]
[[app]]
host = "a"
script = ["connect b 80", "send 20000000000", "close"]
LAB

# 1. The memory budget: exit 2, the stop said on stdout and stderr, the run so far shown.
"$bin/tcplab" run "$tmp/bulk.toml" --max-memory 150MB > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "memory budget: exit $rc, expected 2"
grep -q "^stopped at virtual time .*: memory budget reached (.* in use, the limit is 150 MB: --max-memory)" "$tmp/out" \
  || fail "memory budget: no 'stopped at ...' line on stdout: $(tail -2 "$tmp/out")"
grep -q "Flags \[\.\], seq" "$tmp/out" || fail "memory budget: the partial run is not shown"
grep -q "internal error" "$tmp/err" && fail "memory budget: internal error"
echo "ok: --max-memory 150MB stops the run: $(grep '^stopped' "$tmp/out")"

# 2. Ctrl-C once the run is under way (its first progress line): exit 130, partial result.
"$bin/tcplab" run "$tmp/bulk.toml" -q > "$tmp/out" 2> "$tmp/err" &
pid=$!
for _ in $(seq 1 600); do
  grep -q "Ctrl-C stops here" "$tmp/err" && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
kill -INT $pid
wait $pid
rc=$?
pid=0
[ $rc -eq 130 ] || fail "Ctrl-C: exit $rc, expected 130 ($(cat "$tmp/err"))"
grep -q "^stopped at virtual time .*: interrupted; what is shown is the run up to there" "$tmp/out" || fail "Ctrl-C: no stopped line"
echo "ok: Ctrl-C: $(grep '^stopped' "$tmp/out")"

# 3. A malformed --max-memory is one line and exit 2.
"$bin/tcplab" run handshake --max-memory lots > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "--max-memory lots: exit $rc, stderr: $(cat "$tmp/err")"
grep -q "^tcplab: --max-memory: 'lots' is not a size" "$tmp/err" || fail "--max-memory lots: $(cat "$tmp/err")"
echo "ok: $(cat "$tmp/err")"
echo "PASS"
