#!/bin/bash
# The tcplab half of bench/dumbbell_vs_ns3.sh, kept from rotting: every lab in bench/dumbbell/
# loads and runs (`tcplab check`), and `tcplab bench dumbbell` on a short window yields a
# RESULT line with every key the comparison reads, per flow and in all, with numbers that
# make sense (shares summing to 100, Jain in (0, 1], goodput within what the bottleneck carries).
# Bad input: a lab without a bottleneck and a window outside the run, exit 2.
# Usage: bench_dumbbell.sh BIN_DIR SOURCE_DIR
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

labs=("$src"/bench/dumbbell/*.toml)
[ "${#labs[@]}" -ge 6 ] || fail "expected the six scenarios in bench/dumbbell, found ${#labs[@]}"
for lab in "${labs[@]}"; do
  name=$(basename "$lab" .toml)
  "$bin/tcplab" check "$lab" --until 3s >"$tmp/$name.check" 2>&1 || fail "$name: tcplab check: exit $?: $(tail -3 "$tmp/$name.check")"
  "$bin/tcplab" bench dumbbell "$lab" --from 2s --until 4s >"$tmp/$name.out" 2>"$tmp/$name.err" ||
    { fail "$name: bench dumbbell: exit $?: $(cat "$tmp/$name.err")"; continue; }
  python3 - "$tmp/$name.out" "$lab" <<'PY' || fail "$name: RESULT: $(grep RESULT "$tmp/$name.out")"
import sys, tomllib
res = [l for l in open(sys.argv[1]) if l.startswith("RESULT ")]
assert len(res) == 1, "one RESULT line"
r = dict(kv.split("=", 1) for kv in res[0].split()[1:])
lab = tomllib.load(open(sys.argv[2], "rb"))
n = len(lab["bottleneck"][0]["left"])
assert r["prog"] == "tcplab_dumbbell" and int(r["flows"]) == n, (r["prog"], r["flows"], n)
assert float(r["from_s"]) == 2 and float(r["to_s"]) == 4, (r["from_s"], r["to_s"])
for k in ["rate_bps", "buffer", "goodput_bps", "jain", "drops", "drops_total", "drops_rev_total", "other_drops"]:
    assert k in r, k
hosts = {h["name"]: h for h in lab["host"]}
shares = 0
for i in range(n):
    for k in ["cc", "rtt_ms", "rx", "goodput_bps", "share", "retx", "retx_total", "tlp", "tlp_total"]:
        assert f"{k}_{i}" in r, f"{k}_{i}"
    sender = lab["bottleneck"][0]["left"][i]
    assert r[f"cc_{i}"] == hosts[sender]["tcp"]["cc"], (i, r[f"cc_{i}"])
    assert int(r[f"rx_{i}"]) > 0, f"flow {i} delivered nothing from 2 s to 4 s"
    assert abs(float(r[f"goodput_bps_{i}"]) - int(r[f"rx_{i}"]) * 8 / 2) < 1, "goodput = rx * 8 / window"
    assert int(r[f"retx_{i}"]) <= int(r[f"retx_total_{i}"])
    shares += float(r[f"share_{i}"])
assert abs(shares - 100) < 0.1, shares
assert 0 < float(r["jain"]) <= 1, r["jain"]
# Goodput is what the applications read in the window, in order: a hole filled just after the
# window opens also delivers what the receiver held out of order from before it, at most a
# round trip's data and a full queue (with SACK kept across a timeout, cubic-vs-bbr's CUBIC
# flow read 0.03 % more than the link carried in 2 s).
held = int(r["buffer"]) * 1500 * 8 + int(r["rate_bps"]) * max(float(r[f"rtt_ms_{i}"]) for i in range(n)) / 1000
assert float(r["goodput_bps"]) * 2 <= int(r["rate_bps"]) * 2 + held, "more goodput than the bottleneck carries"
assert int(r["drops"]) <= int(r["drops_total"]) and int(r["other_drops"]) == 0
PY
done

# The same lab twice: the same RESULT (no wall clock in it).
one=$src/bench/dumbbell/newreno-vs-cubic.toml
a=$("$bin/tcplab" bench dumbbell "$one" --from 1s --until 3s | grep RESULT)
b=$("$bin/tcplab" bench dumbbell "$one" --from 1s --until 3s | grep RESULT)
[ "$a" = "$b" ] || fail "two runs differ: $a / $b"

# Bad input: exit 2 and one line saying what.
"$bin/tcplab" bench dumbbell "$src/labs/catalogue/handshake.toml" >/dev/null 2>"$tmp/e1"
[ $? -eq 2 ] && grep -q 'no \[\[bottleneck\]\]' "$tmp/e1" || fail "a lab without a bottleneck: $(cat "$tmp/e1")"
"$bin/tcplab" bench dumbbell "$one" --from 5s --until 4s >/dev/null 2>"$tmp/e2"
[ $? -eq 2 ] && grep -q 'from' "$tmp/e2" || fail "a window outside the run: $(cat "$tmp/e2")"
"$bin/tcplab" bench dumbbell >/dev/null 2>"$tmp/e3"
[ $? -eq 2 ] || fail "no lab: $(cat "$tmp/e3")"

[ "$fails" -eq 0 ] && echo "bench_dumbbell: ok (${#labs[@]} labs)"
exit $((fails > 0))
