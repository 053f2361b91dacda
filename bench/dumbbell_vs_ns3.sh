#!/bin/bash
# Congestion control on a dumbbell, tcplab against ns-3 3.37 (Debian's libns3-dev): each lab
# in bench/dumbbell/ is run by `tcplab bench dumbbell` and, with the same numbers read from
# the lab file, by bench/ns3/ns3_dumbbell.cc; the two run interleaved, scenario by scenario.
# Prints a markdown table: each flow's share of the goodput, Jain's index, the bottleneck's
# drops and the retransmissions in the measuring window, and whether they are within the
# tolerances (bench/README.md, "Congestion control against ns-3 on a dumbbell").
#
#   bench/dumbbell_vs_ns3.sh                    # every scenario (~2 min on 2 cores)
#   bench/dumbbell_vs_ns3.sh --only cubic-vs-bbr
#   bench/dumbbell_vs_ns3.sh --from 10s --to 60s
#   bench/dumbbell_vs_ns3.sh --summarize DIR    # the table again from a run's logs
#   bench/dumbbell_vs_ns3.sh --tcplab-only      # tcplab's half alone (no ns-3 needed)
#
# Needs python3 (3.11: tomllib) and, for ns-3, the Debian packages libns3-dev and ns3:
# installed here if missing (as root). Env: TCPLAB_BUILD_DIR (default build-bench), OUT (log
# dir, default $TCPLAB_BUILD_DIR/dumbbell/<time>).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FROM=10s
TO=""
ONLY=""
SUMMARIZE=""
TCPLAB_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --from) FROM=$2; shift 2 ;;
    --to) TO=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --summarize) SUMMARIZE=$2; shift 2 ;;
    --tcplab-only) TCPLAB_ONLY=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "dumbbell_vs_ns3.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

# The scenarios, in the table's order (bench/dumbbell/NAME.toml).
SCENARIOS=(newreno-2 cubic-2 newreno-vs-cubic cubic-vs-bbr newreno-rtt bbr-2)
[ -n "$ONLY" ] && SCENARIOS=("$ONLY")

summarize() {
python3 - "$1" <<'PY'
import os, sys
d = sys.argv[1]
# Tolerances (bench/README.md): each flow's share of the summed goodput within 10 percentage
# points; Jain's index within 0.1; bottleneck drops and retransmissions (all flows) in the
# window within a factor of 2, or within 10 of each other when both are small.
SHARE_PP, JAIN_ABS, COUNT_FACTOR, COUNT_FLOOR = 10.0, 0.1, 2.0, 10
def result(path):
    if not os.path.exists(path):
        return None
    for line in open(path):
        if line.startswith("RESULT "):
            return dict(kv.split("=", 1) for kv in line.split()[1:])
    return None
def counts_ok(a, b):
    return abs(a - b) <= COUNT_FLOOR or (min(a, b) > 0 and max(a, b) / min(a, b) <= COUNT_FACTOR)
print("| scenario | flows (cc, base RTT) | share of each flow, ns-3 / tcplab | goodput Mbit/s, ns-3 / tcplab "
      "| Jain ns-3 / tcplab | drops ns-3 / tcplab | retx ns-3 / tcplab | within tolerance |")
print("|---|---|---|---|---|---|---|---|")
for name in [l.strip() for l in open(os.path.join(d, "scenarios.txt")) if l.strip()]:
    n, t = result(os.path.join(d, f"ns3.{name}.out")), result(os.path.join(d, f"tcplab.{name}.out"))
    ref = t or n
    if ref is None:
        print(f"| {name} | (no result) | | | | | | |")
        continue
    k = int(ref["flows"])
    flows = ", ".join(f"{ref[f'cc_{i}']} {float(ref[f'rtt_ms_{i}']):.0f} ms" for i in range(k))
    g = lambda r, key, fmt: "n/a" if r is None or key not in r else format(float(r[key]), fmt)
    shares = "; ".join(f"{g(n, f'share_{i}', '.1f')} / {g(t, f'share_{i}', '.1f')} %" for i in range(k))
    gps = "; ".join(f"{float(n[f'goodput_bps_{i}']) / 1e6 if n else float('nan'):.2f} / "
                    f"{float(t[f'goodput_bps_{i}']) / 1e6 if t else float('nan'):.2f}" for i in range(k))
    retx = lambda r: None if r is None else sum(int(r[f"retx_{i}"]) for i in range(k))
    notes, ok = [], None
    if n and t:
        ok = True
        for i in range(k):
            dv = abs(float(n[f"share_{i}"]) - float(t[f"share_{i}"]))
            if dv > SHARE_PP:
                ok = False
                notes.append(f"share {i} off by {dv:.0f} pp")
        dj = abs(float(n["jain"]) - float(t["jain"]))
        if dj > JAIN_ABS:
            ok = False
            notes.append(f"Jain off by {dj:.2f}")
        if not counts_ok(int(n["drops"]), int(t["drops"])):
            ok = False
            notes.append("drops")
        if not counts_ok(retx(n), retx(t)):
            ok = False
            notes.append("retx")
    verdict = "n/a" if ok is None else ("yes" if ok else "**no**: " + ", ".join(notes))
    print(f"| {name} | {flows} | {shares} | {gps} | {g(n, 'jain', '.3f')} / {g(t, 'jain', '.3f')} "
          f"| {n['drops'] if n else 'n/a'} / {t['drops'] if t else 'n/a'} "
          f"| {retx(n) if n else 'n/a'} / {retx(t) if t else 'n/a'} | {verdict} |")
print()
print(f"Window {ref['from_s']}-{ref['to_s']} s. Share: the flow's goodput (bytes its receiving application read in "
      "the window) over the flows' sum. Drops: the bottleneck queue's, data direction, in the window. Retx: "
      "retransmitted data segments of all flows in the window (tcplab: RTO and fast retransmit; its tail loss "
      "probes are in the logs as tlp_N). Tolerances: share within ±10 percentage points, Jain within ±0.1, drops and "
      "retransmissions within a factor of 2 (or ±10 when small).")
PY
}

if [ -n "$SUMMARIZE" ]; then summarize "$SUMMARIZE"; exit 0; fi

BUILD=${TCPLAB_BUILD_DIR:-$ROOT/build-bench}
# --- dependencies and builds -------------------------------------------------------------
if [ "$TCPLAB_ONLY" = 0 ]; then
  if ! dpkg -s libns3-dev ns3 >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then echo "dumbbell_vs_ns3.sh: needs libns3-dev ns3 (apt-get, as root)" >&2; exit 2; fi
    echo "== installing libns3-dev ns3" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q libns3-dev ns3 >&2
  fi
  NS3=$BUILD/ns3/ns3_dumbbell
  if [ ! -x "$NS3" ] || [ "$ROOT/bench/ns3/ns3_dumbbell.cc" -nt "$NS3" ]; then
    echo "== building $NS3" >&2
    "$ROOT/bench/ns3/build.sh" "$BUILD/ns3" >&2
  fi
fi
echo "== building tcplab (Release) in $BUILD" >&2
[ -f "$BUILD/build.ninja" ] || cmake -S "$ROOT" -B "$BUILD" -G Ninja -DTCPLAB_VIZ=OFF -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$BUILD" --target tcplab >&2
TCPLAB=$BUILD/bin/tcplab

OUT=${OUT:-$BUILD/dumbbell/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
printf '%s\n' "${SCENARIOS[@]}" > "$OUT/scenarios.txt"
{ date -u; uname -r; nproc; lscpu | grep -E 'Model name' || true; uptime;
  dpkg -s libns3-dev 2>/dev/null | grep -E '^Version' || true; git -C "$ROOT" rev-parse --short HEAD;
  echo "from=$FROM to=${TO:-until}"; } > "$OUT/machine.txt"

# ns-3's arguments from a lab file: the same bottleneck, access links, algorithms, start and
# stop times, MSS (payload: the announced MSS less the 12 timestamp bytes), buffers.
ns3_args() {
python3 - "$1" "$FROM" "$TO" <<'PY'
import sys, tomllib
lab = tomllib.load(open(sys.argv[1], "rb"))
frm, to = sys.argv[2], sys.argv[3] or lab["until"]
hosts = {h["name"]: h for h in lab["host"]}
bn = lab["bottleneck"][0]
assert bn.get("qdisc", "drop-tail") == "drop-tail" and isinstance(bn["buffer"], int), "ns3_dumbbell: packets, drop-tail"
def access(name):
    a = bn.get("access", {}).get(name, "0ms")
    return (a, None) if isinstance(a, str) else (a.get("delay", "0ms"), a.get("rate"))
flows, rates, mss, snd, rcv = [], set(), set(), set(), set()
for s in bn["left"]:
    app = next(a for a in lab["app"] if a["host"] == s and any(x.startswith("connect ") for x in a.get("script", [])))
    r = next(x for x in app["script"] if x.startswith("connect ")).split()[1]
    (sd, sr), (rd, rr) = access(s), access(r)
    rates |= {sr, rr}
    tcp = hosts[s].get("tcp", {})
    flows.append(f"{tcp.get('cc', 'cubic')}:{sd}:{app.get('start', '0ms')}:{app.get('stop', lab['until'])}:{rd}")
    mss.add(tcp.get("mss", 1460) - 12)
    snd.add(tcp["snd_buf"])
    rcv.add(hosts[r]["tcp"]["rcv_buf"] // 2)  # Linux offers about half of SO_RCVBUF as window
assert len(rates) == 1 and None not in rates and len(mss) == len(snd) == len(rcv) == 1, "one access rate, MSS, buffers"
print(f"--flows={','.join(flows)} --rate={bn['rate']} --delay={bn.get('delay', '0ms')} --buffer={bn['buffer']} "
      f"--accessRate={rates.pop()} --mss={mss.pop()} --sndBuf={snd.pop()} --rcvBuf={rcv.pop()} "
      f"--from={frm} --to={to} --until={lab['until']}")
PY
}

for name in "${SCENARIOS[@]}"; do
  lab=$ROOT/bench/dumbbell/$name.toml
  [ -f "$lab" ] || { echo "dumbbell_vs_ns3.sh: no $lab" >&2; exit 2; }
  echo "== $name" >&2
  if [ "$TCPLAB_ONLY" = 0 ]; then
    args=$(ns3_args "$lab")
    echo "$NS3 $args" > "$OUT/ns3.$name.cmd"
    # shellcheck disable=SC2086
    "$NS3" $args > "$OUT/ns3.$name.out" 2> "$OUT/ns3.$name.err" || echo "   ns-3 failed: $OUT/ns3.$name.err" >&2
  fi
  targs=(bench dumbbell "$lab" --from "$FROM")
  [ -n "$TO" ] && targs+=(--to "$TO")
  echo "$TCPLAB ${targs[*]}" > "$OUT/tcplab.$name.cmd"
  "$TCPLAB" "${targs[@]}" > "$OUT/tcplab.$name.out" 2> "$OUT/tcplab.$name.err" || echo "   tcplab failed: $OUT/tcplab.$name.err" >&2
  grep -h '^  ' "$OUT/tcplab.$name.out" >&2 || true
done

echo "== logs in $OUT" >&2
summarize "$OUT" | tee "$OUT/table.md"
