#!/bin/bash
# The WebAssembly build and the native build produce the same trace (JSON Lines) and the
# same pcap, byte for byte, for every built-in lab and several seeds.
#   same_trace.sh NODE_CLI(tcplab-node.js) NATIVE_BIN_DIR CATALOGUE_DIR
set -uo pipefail
node_cli=$1 native=$2/tcplab catalogue=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=0 diffs=0
# A run slower than 2 s of wall time prints a progress line (labs/run_control): wall-clock
# dependent by design, so left out of the comparison.
progress=' (Ctrl-C stops here)$'
for lab in "$catalogue"/*.toml; do
  name=$(basename "$lab" .toml)
  seeds="1 7 42"
  # Labs with a [[bottleneck]] (long bulk transfers: seconds per run under Node) at one seed.
  grep -q '^\[\[bottleneck\]\]' "$lab" && seeds="1"
  for seed in $seeds; do
    node "$node_cli" run "$name" --seed "$seed" --trace "$tmp/w.jsonl" --pcap "$tmp/w.pcap" > "$tmp/w.out" 2>&1
    wrc=$?
    "$native" run "$name" --seed "$seed" --trace "$tmp/n.jsonl" --pcap "$tmp/n.pcap" > "$tmp/n.out" 2>&1
    nrc=$?
    runs=$((runs + 1))
    if [ $wrc -ne $nrc ] || ! cmp -s "$tmp/w.jsonl" "$tmp/n.jsonl" || ! cmp -s "$tmp/w.pcap" "$tmp/n.pcap" \
       || ! cmp -s <(grep -v "$progress" "$tmp/w.out") <(grep -v "$progress" "$tmp/n.out"); then
      diffs=$((diffs + 1))
      echo "DIFFERENT: $name seed $seed (exit $wrc vs $nrc)"
      diff <(head -c 100000 "$tmp/w.jsonl") <(head -c 100000 "$tmp/n.jsonl") | head -5
      diff "$tmp/w.out" "$tmp/n.out" | head -5
    elif [ ! -s "$tmp/n.jsonl" ]; then
      diffs=$((diffs + 1))
      echo "EMPTY trace: $name seed $seed"
    fi
  done
done
echo "$runs runs, $diffs different (trace, pcap and printed output compared)"
[ $diffs -eq 0 ]
