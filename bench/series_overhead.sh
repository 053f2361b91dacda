#!/bin/bash
# What recording the congestion series costs (issue 17: "recording the series adds at most
# 20 %"): `tcplab bench lab LAB` with and without --series, interleaved, REPS times each, on
# the same machine in the same run; prints a markdown table of medians and the machine.
#
#   bench/series_overhead.sh                      # bench/bottleneck-60s.toml and bufferbloat, 5 reps
#   bench/series_overhead.sh --reps 9 my-lab.toml
#
# Env: TCPLAB (a tcplab binary; default: build-bench/bin/tcplab, built Release if missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPS=5
LABS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "series_overhead.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    *) LABS+=("$1"); shift ;;
  esac
done
[ ${#LABS[@]} -gt 0 ] || LABS=("$ROOT/bench/bottleneck-60s.toml" bufferbloat)
if [ -z "${TCPLAB:-}" ]; then
  B=$ROOT/build-bench
  [ -f "$B/build.ninja" ] || cmake -S "$ROOT" -B "$B" -G Ninja -DTCPLAB_VIZ=OFF -DCMAKE_BUILD_TYPE=Release >&2
  cmake --build "$B" --target tcplab >&2
  TCPLAB=$B/bin/tcplab
fi
wall() { "$TCPLAB" bench lab "$@" | sed -n 's/.*run_wall_s=\([0-9.]*\).*/\1/p'; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
echo "Machine: $(uname -r), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"
echo "Binary: $TCPLAB; $REPS runs each, interleaved; wall = the world's run (trace recorded, no checks)"
echo
echo "| lab | trace events | series samples | wall s without series (median) | with series (median) | overhead |"
echo "|---|---|---|---|---|---|"
for lab in "${LABS[@]}"; do
  plain=() with=()
  for _ in $(seq 1 "$REPS"); do
    plain+=("$(wall "$lab")")
    with+=("$(wall "$lab" --series)")
  done
  line=$("$TCPLAB" bench lab "$lab" --series)
  events=$(echo "$line" | sed -n 's/.*trace_events=\([0-9]*\).*/\1/p')
  samples=$(echo "$line" | sed -n 's/.*series_samples=\([0-9]*\).*/\1/p')
  p=$(printf '%s\n' "${plain[@]}" | median)
  w=$(printf '%s\n' "${with[@]}" | median)
  echo "| $(basename "$lab") | $events | $samples | $p | $w | $(awk -v p="$p" -v w="$w" 'BEGIN {printf "%+.1f %%", (w - p) / p * 100}') |"
done
