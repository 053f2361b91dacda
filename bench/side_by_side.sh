#!/bin/bash
# Runs the ns-3 anchor (../shared/anchors/ns3) and `tcplab bench` on the same workloads,
# interleaved, and prints one markdown table (medians over the repetitions).
#
#   bench/side_by_side.sh                 # full matrix, 3 repetitions (~15 min on 2 cores)
#   bench/side_by_side.sh --reps 5        # more repetitions
#   bench/side_by_side.sh --quick         # the small workloads only (~1 min)
#   bench/side_by_side.sh --only 'REGEX'  # only the workloads whose name matches (grep -E)
#   bench/side_by_side.sh --summarize DIR # the table again from an earlier run's logs
#
# Needs the Debian packages libns3-dev, ns3 and time: installed here if missing (as root).
# Env: NS3_ANCHOR_DIR (default ../shared/anchors/ns3 next to the repo), TCPLAB_BUILD_DIR
# (default build-bench), OUT (log dir, default $TCPLAB_BUILD_DIR/side_by_side/<time>).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPS=3
QUICK=0
SUMMARIZE=""
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --only) ONLY=$2; shift 2 ;;
    --summarize) SUMMARIZE=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "side_by_side.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

summarize() {
python3 - "$1" <<'PY'
import glob, os, re, statistics, sys
d = sys.argv[1]
order = [l.split()[0] for l in open(os.path.join(d, "workloads.txt"))]
def load(tool, name):
    rows = []
    pat = re.compile(re.escape(f"{tool}.{name}.") + r"\d+\.out$")
    for out in sorted(p for p in glob.glob(os.path.join(d, f"{tool}.{name}.*.out")) if pat.match(os.path.basename(p))):
        res = {}
        for line in open(out):
            if line.startswith("RESULT "):
                res = dict(kv.split("=", 1) for kv in line.split()[1:])
        if not res:
            continue
        t = open(out[:-4] + ".time").read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
        res["maxrss_kb"] = m.group(1) if m else "nan"
        u = re.search(r"User time \(seconds\): ([\d.]+)", t)
        y = re.search(r"System time \(seconds\): ([\d.]+)", t)
        if u and y:
            res["cpu_s"] = str(float(u.group(1)) + float(y.group(1)))
        rows.append(res)
    return rows
def med(rows, k):
    v = [float(r[k]) for r in rows if k in r]
    return statistics.median(v) if v else None
def f(x, fmt):
    return "n/a" if x is None else format(x, fmt)
def mb(kb):
    return None if kb is None else kb / 1024
hdr = ("| workload | ns-3 wall s | tcplab wall s | ratio | link pkts ns-3 / tcplab | link pkts per wall s ns-3 / tcplab (×) "
       "| process CPU s ns-3 / tcplab (×) | retx ns-3 / tcplab | loss drops, queue drops ns-3 / tcplab | conns/s ns-3 / tcplab "
       "| peak RSS MB ns-3 / tcplab |")
print(hdr)
print("|" + "---|" * (hdr.count("|") - 1))
notes = []
for name in order:
    n3, tl = load("ns3", name), load("tcplab", name)
    if not n3 and not tl:
        continue
    nw, tw = med(n3, "run_wall_s"), med(tl, "run_wall_s")
    npk, tpk = med(n3, "link_pkts"), med(tl, "link_pkts")
    nps, tps = med(n3, "pkts_per_s"), med(tl, "pkts_per_s")
    ratio = f"{nw / tw:.1f}×" if nw and tw else "n/a"
    dpk = f" ({(tpk - npk) / npk * 100:+.1f} %)" if npk and tpk else ""
    xps = f" ({tps / nps:.1f}×)" if nps and tps else ""
    nrx, trx = med(n3, "retx"), med(tl, "retx")
    ncpu, tcpu = med(n3, "cpu_s"), med(tl, "cpu_s")
    cpu = f"{f(ncpu, '.2f')} / {f(tcpu, '.2f')}" + (f" ({ncpu / tcpu:.1f}×)" if ncpu and tcpu else "")
    nd = f"{f(med(n3, 'err_drops'), '.0f')}, {f(med(n3, 'q_drops'), '.0f')}" if n3 else "n/a"
    td = f"{f(med(tl, 'err_drops'), '.0f')}, {f(med(tl, 'q_drops'), '.0f')}" if tl else "n/a"
    ncs, tcs = med(n3, "conns_per_s"), med(tl, "conns_per_s")
    cs = "" if ncs is None and tcs is None else f"{f(ncs, ',.0f')} / {f(tcs, ',.0f')}"
    wall = lambda rows, x: "n/a" if x is None else f"{x:.3f}" + (f" ({min(float(r['run_wall_s']) for r in rows):.3f}–{max(float(r['run_wall_s']) for r in rows):.3f})" if len(rows) > 1 else "")
    print(f"| {name} | {wall(n3, nw)} | {wall(tl, tw)} | {ratio} | {f(npk, ',.0f')} / {f(tpk, ',.0f')}{dpk} "
          f"| {f(nps, ',.0f')} / {f(tps, ',.0f')}{xps} | {cpu} | {f(nrx, '.0f')} / {f(trx, '.0f')} | {nd} / {td} | {cs} "
          f"| {f(mb(med(n3, 'maxrss_kb')), '.1f')} / {f(mb(med(tl, 'maxrss_kb')), '.1f')} |")
    if tl and "us_per_conn" in tl[0]:
        notes.append((name, med(tl, "us_per_conn"), med(tl, "bytes_per_conn"), med(tl, "run_cpu_s")))
print()
print(f"Medians of {max(len(load('tcplab', n)) for n in order)} interleaved runs; wall = the event loop only "
      "(ns-3 Simulator::Run, tcplab's step loop), min–max in brackets; ratio = ns-3 wall / tcplab wall; "
      "process CPU = user + system time of the whole process (setup included; insensitive to other load); "
      "peak RSS from /usr/bin/time -v. Rows named *_trace run tcplab with --trace against ns-3 without tracing.")
if notes:
    print()
    print("| tcplab connections | µs per connection (wall) | bytes per connection (RSS growth during the run) |")
    print("|---|---|---|")
    for name, us, b, cpu in notes:
        print(f"| {name} | {f(us, '.2f')} | {f(b, ',.0f')} |")
PY
}

if [ -n "$SUMMARIZE" ]; then summarize "$SUMMARIZE"; exit 0; fi

ANCHOR=${NS3_ANCHOR_DIR:-$ROOT/../shared/anchors/ns3}
BUILD=${TCPLAB_BUILD_DIR:-$ROOT/build-bench}
[ -f "$ANCHOR/ns3_bulk.cc" ] || { echo "side_by_side.sh: no ns-3 anchor at $ANCHOR (set NS3_ANCHOR_DIR)" >&2; exit 2; }

# --- dependencies and builds -------------------------------------------------------------
if ! dpkg -s libns3-dev ns3 time >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then echo "side_by_side.sh: needs libns3-dev ns3 time (apt-get, as root)" >&2; exit 2; fi
  echo "== installing libns3-dev ns3 time" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q libns3-dev ns3 time >&2
fi
NS3BIN=$BUILD/ns3
if [ ! -x "$NS3BIN/ns3_bulk" ] || [ ! -x "$NS3BIN/ns3_conns" ] || [ "$ANCHOR/ns3_bulk.cc" -nt "$NS3BIN/ns3_bulk" ] ||
   [ "$ANCHOR/ns3_conns.cc" -nt "$NS3BIN/ns3_conns" ]; then
  echo "== building the ns-3 anchor into $NS3BIN" >&2
  mkdir -p "$NS3BIN"
  "$ANCHOR/build.sh" "$NS3BIN" >&2   # its output dir may be absolute; the anchor dir may be read-only
fi
echo "== building tcplab (Release) in $BUILD" >&2
[ -f "$BUILD/build.ninja" ] || cmake -S "$ROOT" -B "$BUILD" -G Ninja -DTCPLAB_VIZ=OFF -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$BUILD" --target tcplab >&2
TCPLAB=$BUILD/bin/tcplab

# --- the matrix ---------------------------------------------------------------------------
# name | ns-3 program and arguments ("-" = ns-3 cannot run it) | tcplab bench arguments
W=(
  "bulk_100MB_loss0.01|ns3_bulk --bytes=100000000 --loss=0.01|bulk --bytes 100000000 --loss 0.01"
  "bulk_100MB_loss0.01_trace|ns3_bulk --bytes=100000000 --loss=0.01|bulk --bytes 100000000 --loss 0.01 --trace"
  "bulk_100MB_loss0.05|ns3_bulk --bytes=100000000 --loss=0.05|bulk --bytes 100000000 --loss 0.05"
  "conns_1000|ns3_conns --conns=1000|conns --conns 1000"
  "conns_1000_loss0.01|ns3_conns --conns=1000 --loss=0.01|conns --conns 1000 --loss 0.01"
)
if [ "$QUICK" = 0 ]; then
  W+=(
    "bulk_100MB_loss0|ns3_bulk --bytes=100000000 --loss=0|bulk --bytes 100000000 --loss 0"
    "bulk_100MB_loss0_buf2MB|ns3_bulk --bytes=100000000 --loss=0 --buf=2000000|bulk --bytes 100000000 --loss 0 --buf 2000000"
    "bulk_100MB_loss0.05_trace|ns3_bulk --bytes=100000000 --loss=0.05|bulk --bytes 100000000 --loss 0.05 --trace"
    "bulk_1GB_loss0.01|ns3_bulk --bytes=1000000000 --loss=0.01|bulk --bytes 1000000000 --loss 0.01"
    "bulk_100MB_loss0.01_4conns|ns3_bulk --bytes=100000000 --loss=0.01 --conns=4|bulk --bytes 100000000 --loss 0.01 --conns 4"
    "conns_10000|ns3_conns --conns=10000|conns --conns 10000"
    "conns_10000_par100|ns3_conns --conns=10000 --parallel=100|conns --conns 10000 --parallel 100"
    "conns_100000|-|conns --conns 100000"
    "conns_1000000|-|conns --conns 1000000"
  )
fi

if [ -n "$ONLY" ]; then
  KEEP=()
  for w in "${W[@]}"; do if grep -qE "$ONLY" <<< "${w%%|*}"; then KEEP+=("$w"); fi; done
  [ ${#KEEP[@]} -gt 0 ] || { echo "side_by_side.sh: no workload matches '$ONLY'" >&2; exit 2; }
  W=("${KEEP[@]}")
fi

OUT=${OUT:-$BUILD/side_by_side/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
: > "$OUT/workloads.txt"
for w in "${W[@]}"; do echo "${w%%|*}" >> "$OUT/workloads.txt"; done
{ date -u; uname -a; nproc; lscpu | grep -E 'Model name|^CPU\(s\)' || true; uptime;
  dpkg -s libns3-dev | grep -E '^Version' || true; echo "reps=$REPS quick=$QUICK only=$ONLY"; } > "$OUT/machine.txt"

run() {  # tool name rep command...
  local tool=$1 name=$2 rep=$3; shift 3
  /usr/bin/time -v "$@" > "$OUT/$tool.$name.$rep.out" 2> "$OUT/$tool.$name.$rep.time" || true
  local r; r=$(grep -h '^RESULT' "$OUT/$tool.$name.$rep.out" | grep -oE 'run_wall_s=[0-9.]+|link_pkts=[0-9]+' | tr '\n' ' ')
  echo "   $tool: $r" >&2
}

for rep in $(seq 1 "$REPS"); do
  for w in "${W[@]}"; do
    IFS='|' read -r name ns3 tl <<< "$w"
    echo "== $name rep $rep/$REPS" >&2
    # ns-3 runs each configuration once per repetition; the _trace rows reuse its untraced run.
    if [ "$ns3" != "-" ]; then
      if [[ "$name" == *_trace ]] && [ -f "$OUT/ns3.${name%_trace}.$rep.out" ]; then
        cp "$OUT/ns3.${name%_trace}.$rep.out" "$OUT/ns3.$name.$rep.out"
        cp "$OUT/ns3.${name%_trace}.$rep.time" "$OUT/ns3.$name.$rep.time"
      else
        # shellcheck disable=SC2086
        run ns3 "$name" "$rep" "$NS3BIN"/$ns3
      fi
    fi
    # shellcheck disable=SC2086
    run tcplab "$name" "$rep" "$TCPLAB" bench $tl -q
  done
done

{ echo "end of the run:"; date -u; uptime; } >> "$OUT/machine.txt"  # the load during the run: start and end
echo "== logs in $OUT" >&2
summarize "$OUT" | tee "$OUT/table.md"
