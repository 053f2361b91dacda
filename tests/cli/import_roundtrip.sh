#!/bin/bash
# `tcplab import` round trip (issue 21): every catalogue lab's pcap, captured at each host,
# imported; the inferred states equal the simulation's (exactly at the capturing host, within
# the round trip for the far side: tests/cli/import_roundtrip.py says what is left out and why).
# A few labs again at other seeds. The three 38-second bulk-transfer labs run their first 10 s
# (their connections open there; their FINs never leave before the end).
# Usage: import_roundtrip.sh BIN_DIR SOURCE_DIR
set -u
bin=$1
src=$2
fail=0
check() {
  if ! out=$(python3 "$src/tests/cli/import_roundtrip.py" "$bin/tcplab" "$@" 2>&1); then
    echo "$out"
    fail=1
  else
    echo "$out" | sed 's/^/  /'
  fi
}
for lab in "$src"/labs/catalogue/*.toml; do
  name=$(basename "$lab" .toml)
  case $name in
    bbr-vs-cubic|reno-vs-cubic|rtt-unfairness) check "$name" --until 10s ;;
    *) check "$name" ;;
  esac
done
for seed in 2 3; do
  for name in handshake lost-fin lost-synack lost-last-ack lossy-transfer zero-window simultaneous-open; do
    check "$name" --seed $seed
  done
done
[ $fail = 0 ] && echo "import round trip: every capture point of every lab agrees with the simulation"
exit $fail
