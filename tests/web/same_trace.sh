#!/bin/bash
# The WebAssembly build and the native build produce the same trace (JSON Lines) and the
# same pcap, byte for byte, for every built-in lab and several seeds.
#   same_trace.sh NODE_CLI(tcplab-node.js) NATIVE_BIN_DIR CATALOGUE_DIR
set -uo pipefail
node_cli=$1 native=$2/tcplab catalogue=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A run slower than 2 s of wall time prints a progress line (labs/run_control): wall-clock
# dependent by design, so left out of the comparison.
progress=' (Ctrl-C stops here)$'
one_run() {  # NAME SEED: prints "same" or what differs
  local name=$1 seed=$2 d="$tmp/$1-$2" wrc nrc
  mkdir -p "$d"
  node "$node_cli" run "$name" --seed "$seed" --trace "$d/w.jsonl" --pcap "$d/w.pcap" > "$d/w.out" 2>&1
  wrc=$?
  "$native" run "$name" --seed "$seed" --trace "$d/n.jsonl" --pcap "$d/n.pcap" > "$d/n.out" 2>&1
  nrc=$?
  if [ $wrc -ne $nrc ] || ! cmp -s "$d/w.jsonl" "$d/n.jsonl" || ! cmp -s "$d/w.pcap" "$d/n.pcap" \
     || ! cmp -s <(grep -v "$progress" "$d/w.out") <(grep -v "$progress" "$d/n.out"); then
    echo "DIFFERENT: $name seed $seed (exit $wrc vs $nrc)"
    diff <(head -c 100000 "$d/w.jsonl") <(head -c 100000 "$d/n.jsonl") | head -5
    diff "$d/w.out" "$d/n.out" | head -5
  elif [ ! -s "$d/n.jsonl" ]; then
    echo "EMPTY trace: $name seed $seed"
  else
    echo "same"
  fi
  rm -rf "$d"
}
export -f one_run
export node_cli native tmp progress
# Two runs at a time (the machine's two cores): each lab at seeds 1 and 42; labs with a
# [[bottleneck]] (long bulk transfers: seconds per run under Node) at seed 1 only. (Seed 7 as
# well took 148 s of CI's 30 minutes; golden.sh checks three seeds of the native build.)
for lab in "$catalogue"/*.toml; do
  name=$(basename "$lab" .toml)
  seeds="1 42"
  grep -q '^\[\[bottleneck\]\]' "$lab" && seeds="1"
  for seed in $seeds; do echo "$name $seed"; done
done | xargs -P2 -L1 bash -c 'one_run "$0" "$1"' > "$tmp/results"
runs=$(grep -cE '^(same|DIFFERENT|EMPTY)' "$tmp/results")
diffs=$(grep -cv '^same$' <(grep -E '^(same|DIFFERENT|EMPTY)' "$tmp/results"))
grep -v '^same$' "$tmp/results"
echo "$runs runs, $diffs different (trace, pcap and printed output compared)"
[ "$runs" -gt 0 ] && [ $diffs -eq 0 ]
