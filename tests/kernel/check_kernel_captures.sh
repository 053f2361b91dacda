#!/bin/bash
# Issue 21's real-kernel check: record Linux's own TCP in six scenarios (record_captures.sh:
# two namespaces, tcpdump at the client, the kernel's socket states polled about every
# millisecond), import each capture with `tcplab import --at-host <client>` and compare the
# inferred states of both sides with the kernel's (compare_states.py: each state the kernel
# had must be the import's at some moment within that poll's interval, +-5 ms).
# Prints SKIPPED and exits 0 where root, namespaces or tcpdump are missing.
# Usage: check_kernel_captures.sh BIN_DIR SOURCE_DIR
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$src/tests/kernel/record_captures.sh" "$tmp" >"$tmp/record.log" 2>&1
rc=$?
if [ $rc -eq 77 ]; then
  cat "$tmp/record.log"
  exit 0
fi
[ $rc -eq 0 ] || { echo "FAIL: recording the kernel failed:"; cat "$tmp/record.log"; exit 1; }
cat "$tmp/record.log"
fails=0
for pcap in "$tmp"/*.pcap; do
  sc=$(basename "$pcap" .pcap)
  if ! "$bin/tcplab" import "$pcap" --at-host 10.77.0.1 --trace "$tmp/$sc.jsonl" -q 2>"$tmp/$sc.err"; then
    echo "FAIL: tcplab import $sc.pcap:"; cat "$tmp/$sc.err"; fails=$((fails + 1)); continue
  fi
  echo "== $sc"
  python3 "$src/tests/kernel/compare_states.py" "$tmp/$sc.jsonl" "$tmp/$sc.ss" "$pcap" || fails=$((fails + 1))
  # capture -> lab -> pcap: the lab made from the recording replays every segment (flags,
  # relative seq/ack, lengths) at the capture point; `import` says how far it got otherwise.
  # (zero-window: its server ACKs each pair of back-to-back segments once, as the veth hands it
  # them merged; the lab gets tcp.gro for it.)
  if ! "$bin/tcplab" import "$pcap" --at-host 10.77.0.1 --to-lab "$tmp/$sc.toml" --conn 1 2>"$tmp/$sc.lab.err" >/dev/null; then
    echo "FAIL: tcplab import $sc.pcap --to-lab:"; cat "$tmp/$sc.lab.err"; fails=$((fails + 1)); continue
  fi
  if grep -q "replays the capture's first" "$tmp/$sc.lab.err"; then
    echo "FAIL: the lab made from $sc.pcap does not replay it: $(grep "replays the capture's first" "$tmp/$sc.lab.err")"
    fails=$((fails + 1))
  else
    echo "the lab made from $sc.pcap replays its $(tcpdump -nr "$pcap" 2>/dev/null | wc -l) segments$(grep -o ', tcp.gro = .*' "$tmp/$sc.lab.err")"
  fi
done
[ $fails -eq 0 ] || { echo "FAIL: $fails scenarios"; exit 1; }
echo "every state the kernel had is the import's within the polling interval, and every recording's lab replays it"
