#!/bin/bash
# Congestion control on a dumbbell, tcplab against ns-3 3.37 (Debian's libns3-dev): each lab
# in bench/dumbbell/ is run by `tcplab bench dumbbell` and, with the same numbers read from
# the lab file, by bench/ns3/ns3_dumbbell.cc; the two run interleaved, scenario by scenario.
# Prints a markdown table: each flow's share of the goodput, Jain's index, the bottleneck's
# drops and the retransmissions in the measuring window, and whether they are within the
# tolerances (bench/README.md, "Congestion control against ns-3 on a dumbbell").
# Both simulators are deterministic and a drop-tail queue makes the outcome depend on the
# flows' phase (which flow's burst meets the full queue), so each scenario runs several times
# with the last flow starting at each of --starts (default 1s,1.25s,1.5s,2s,3s) in both tools;
# the table gives the means (and each share's range), the tolerances apply to the means.
#
#   bench/dumbbell_vs_ns3.sh                    # every scenario, 5 start offsets (~8 min on 2 cores)
#   bench/dumbbell_vs_ns3.sh --starts lab       # the labs' own start times only (~2 min)
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
STARTS=1s,1.25s,1.5s,2s,3s
while [ $# -gt 0 ]; do
  case "$1" in
    --from) FROM=$2; shift 2 ;;
    --to) TO=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --starts) STARTS=$2; shift 2 ;;
    --summarize) SUMMARIZE=$2; shift 2 ;;
    --tcplab-only) TCPLAB_ONLY=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "dumbbell_vs_ns3.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

# The scenarios, in the table's order (bench/dumbbell/NAME.toml).
SCENARIOS=(newreno-2 cubic-2 newreno-vs-cubic cubic-vs-bbr newreno-rtt bbr-2)
[ -n "$ONLY" ] && SCENARIOS=("$ONLY")

summarize() {
python3 - "$1" <<'PY'
import glob, os, re, statistics, sys
d = sys.argv[1]
# Tolerances (bench/README.md): each flow's share of the summed goodput within 10 percentage
# points; Jain's index within 0.1; bottleneck drops and retransmissions (all flows) in the
# window within a factor of 2, or within 10 of each other when both are small. On the means
# over the runs (start offsets).
SHARE_PP, JAIN_ABS, COUNT_FACTOR, COUNT_FLOOR = 10.0, 0.1, 2.0, 10
def result(path):
    for line in open(path):
        if line.startswith("RESULT "):
            return dict(kv.split("=", 1) for kv in line.split()[1:])
    return None
def runs(tool, name):
    out = []
    for p in sorted(glob.glob(os.path.join(d, f"{tool}.{name}.*.out"))):
        if re.fullmatch(re.escape(f"{tool}.{name}.") + r"\d+\.out", os.path.basename(p)):
            r = result(p)
            if r:
                out.append(r)
    return out
def counts_ok(a, b):
    return abs(a - b) <= COUNT_FLOOR or (min(a, b) > 0 and max(a, b) / min(a, b) <= COUNT_FACTOR)
mean = lambda xs: statistics.fmean(xs) if xs else None
print("| scenario | flows (cc, base RTT) | share of each flow, ns-3 / tcplab: mean (min–max) | goodput Mbit/s ns-3 / tcplab "
      "| Jain ns-3 / tcplab | drops ns-3 / tcplab | retx ns-3 / tcplab | within tolerance |")
print("|---|---|---|---|---|---|---|---|")
ref = None
nruns = 0
for name in [l.strip() for l in open(os.path.join(d, "scenarios.txt")) if l.strip()]:
    n, t = runs("ns3", name), runs("tcplab", name)
    nruns = max(nruns, len(n), len(t))
    ref = (t or n or [None])[0]
    if ref is None:
        print(f"| {name} | (no result) | | | | | | |")
        continue
    k = int(ref["flows"])
    flows = ", ".join(f"{ref[f'cc_{i}']} {float(ref[f'rtt_ms_{i}']):.0f} ms" for i in range(k))
    col = lambda rs, key: [float(r[key]) for r in rs]
    retx = lambda rs: [sum(int(r[f"retx_{i}"]) for i in range(k)) for r in rs]
    def share(rs, i):
        v = col(rs, f"share_{i}")
        return "n/a" if not v else (f"{mean(v):.1f}" + (f" ({min(v):.0f}–{max(v):.0f})" if len(v) > 1 else ""))
    f = lambda v, fmt: "n/a" if v is None else format(v, fmt)
    shares = "; ".join(f"{share(n, i)} / {share(t, i)}" for i in range(k))
    gps = "; ".join(f"{f(mean(col(n, f'goodput_bps_{i}')) and mean(col(n, f'goodput_bps_{i}')) / 1e6, '.2f')} / "
                    f"{f(mean(col(t, f'goodput_bps_{i}')) and mean(col(t, f'goodput_bps_{i}')) / 1e6, '.2f')}" for i in range(k))
    notes, ok = [], None
    if n and t:
        ok = True
        for i in range(k):
            dv = abs(mean(col(n, f"share_{i}")) - mean(col(t, f"share_{i}")))
            if dv > SHARE_PP:
                ok = False
                notes.append(f"share {i} off by {dv:.0f} pp")
        dj = abs(mean(col(n, "jain")) - mean(col(t, "jain")))
        if dj > JAIN_ABS:
            ok = False
            notes.append(f"Jain off by {dj:.2f}")
        if not counts_ok(mean(col(n, "drops")), mean(col(t, "drops"))):
            ok = False
            notes.append("drops")
        if not counts_ok(mean(retx(n)), mean(retx(t))):
            ok = False
            notes.append("retx")
    verdict = "n/a" if ok is None else ("yes" if ok else "**no**: " + ", ".join(notes))
    print(f"| {name} | {flows} | {shares} | {gps} | {f(mean(col(n, 'jain')), '.3f')} / {f(mean(col(t, 'jain')), '.3f')} "
          f"| {f(mean(col(n, 'drops')), '.0f')} / {f(mean(col(t, 'drops')), '.0f')} "
          f"| {f(mean(retx(n)), '.0f')} / {f(mean(retx(t)), '.0f')} | {verdict} |")
print()
starts = open(os.path.join(d, "starts.txt")).read().split() if os.path.exists(os.path.join(d, "starts.txt")) else []
print(f"Means over {nruns} run(s) per tool (the last flow starting at {', '.join(starts) or 'the lab time'}); window "
      f"{ref['from_s'] if ref else '?'}–{ref['to_s'] if ref else '?'} s. Share: the flow's goodput (bytes its receiving "
      "application read in the window) over the flows' sum. Drops: the bottleneck queue's, data direction, in the window. "
      "Retx: retransmitted data segments of all flows in the window (tcplab: RTO and fast retransmit; its tail loss probes "
      "are in the logs as tlp_N). Tolerances on the means: share within ±10 percentage points, Jain within ±0.1, drops "
      "and retransmissions within a factor of 2 (or ±10 when small).")
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

# A copy of a lab with its last flow (the last host on the bottleneck's left) starting at $2.
lab_with_start() {
python3 - "$1" "$2" <<'PY'
import re, sys, tomllib
text = open(sys.argv[1]).read()
last = tomllib.loads(text)["bottleneck"][0]["left"][-1]
blocks = re.split(r"(?m)^(?=\[\[)", text)
for j, b in enumerate(blocks):
    if b.startswith("[[app]]") and re.search(rf'(?m)^host = "{re.escape(last)}"$', b) and "connect " in b:
        blocks[j], n = re.subn(r'(?m)^start = "[^"]*"$', f'start = "{sys.argv[2]}"', b)
        assert n == 1, "the last flow's app has one start line"
sys.stdout.write("".join(blocks))
PY
}

IFS=',' read -r -a START_LIST <<< "$STARTS"
echo "${START_LIST[*]}" > "$OUT/starts.txt"
mkdir -p "$OUT/labs"
for name in "${SCENARIOS[@]}"; do
  src=$ROOT/bench/dumbbell/$name.toml
  [ -f "$src" ] || { echo "dumbbell_vs_ns3.sh: no $src" >&2; exit 2; }
  for k in "${!START_LIST[@]}"; do
    st=${START_LIST[$k]}
    lab=$src
    if [ "$st" != lab ]; then
      lab=$OUT/labs/$name.$k.toml
      lab_with_start "$src" "$st" > "$lab"
    fi
    echo "== $name, last flow starting at $st" >&2
    if [ "$TCPLAB_ONLY" = 0 ]; then
      args=$(ns3_args "$lab")
      echo "$NS3 $args" > "$OUT/ns3.$name.$k.cmd"
      # shellcheck disable=SC2086
      "$NS3" $args > "$OUT/ns3.$name.$k.out" 2> "$OUT/ns3.$name.$k.err" || echo "   ns-3 failed: $OUT/ns3.$name.$k.err" >&2
      grep -h '^RESULT' "$OUT/ns3.$name.$k.out" | tr ' ' '\n' | grep -E '^(share_[0-9]+|jain|drops)=' | tr '\n' ' ' | sed 's/^/   ns-3:   /' >&2; echo >&2
    fi
    targs=(bench dumbbell "$lab" --from "$FROM")
    [ -n "$TO" ] && targs+=(--to "$TO")
    echo "$TCPLAB ${targs[*]}" > "$OUT/tcplab.$name.$k.cmd"
    "$TCPLAB" "${targs[@]}" > "$OUT/tcplab.$name.$k.out" 2> "$OUT/tcplab.$name.$k.err" || echo "   tcplab failed: $OUT/tcplab.$name.$k.err" >&2
    grep -h '^RESULT' "$OUT/tcplab.$name.$k.out" | tr ' ' '\n' | grep -E '^(share_[0-9]+|jain|drops)=' | tr '\n' ' ' | sed 's/^/   tcplab: /' >&2; echo >&2
  done
done

echo "== logs in $OUT" >&2
summarize "$OUT" | tee "$OUT/table.md"
