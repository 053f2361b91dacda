#!/bin/bash
# The real Linux kernel as the peer (issue 8): both directions, both closers, 10 MB each way
# with 1 % loss, byte-exact; the kernel's connect() to a closed tcplab port gets RST.
# Needs root and /dev/net/tun; skipped with a message otherwise.
set -u
bin=$1
run() {
  out=$(timeout 170 "$bin/tcplab" bridge "$@" 2>&1)
  rc=$?
  if [ $rc -eq 77 ]; then echo "SKIPPED: $out"; exit 0; fi
  echo "--- tcplab bridge $*"
  echo "$out" | grep -vE '^(State|LISTEN|TIME-WAIT|LAST-ACK|FIN-WAIT|CLOSE)' | head -12
  [ $rc -eq 0 ] || { echo "FAIL: tcplab bridge $* exited $rc"; exit 1; }
  echo "$out" | grep -q "^RESULT ok=1" || { echo "FAIL: no RESULT ok=1"; exit 1; }
}
run --role server --bytes 10000000 --loss 0.01 --closer tcplab
run --role server --bytes 10000000 --loss 0.01 --closer kernel
run --role client --bytes 10000000 --loss 0.01 --closer tcplab
run --role client --bytes 10000000 --loss 0.01 --closer kernel
run --refused
# --pcap: tun0 as tcpdump on the kernel's side would capture it, which `tcplab import` reads:
# the kernel closed first, so its side ends in TIME_WAIT (as its `ss` says) and tcplab's, inferred
# from the kernel's capture point, in CLOSED after LAST_ACK.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run --role server --bytes 1000000 --loss 0.01 --closer kernel --pcap "$tmp/k.pcap"
echo "$out" | grep -q '^TIME-WAIT .*10\.0\.0\.1:' || { echo "FAIL: the kernel's ss shows no TIME-WAIT"; exit 1; }
states=$("$bin/tcplab" import "$tmp/k.pcap" --at-host 10.0.0.1 2>/dev/null | grep ' \*\* ')
echo "$states" | tail -1 | grep -q 'LAST_ACK -> CLOSED' || { echo "FAIL: tcplab's side inferred from the bridge's pcap does not end LAST_ACK -> CLOSED"; exit 1; }
echo "$states" | grep -q '\*\* 10\.0\.0\.1 .*FIN_WAIT_2 -> TIME_WAIT' || { echo "FAIL: the kernel's side inferred from the bridge's pcap never reaches TIME_WAIT"; exit 1; }
echo "bridge --pcap: $(tcpdump -nr "$tmp/k.pcap" 2>/dev/null | wc -l) segments captured; import: the kernel FIN_WAIT_2 -> TIME_WAIT, tcplab LAST_ACK -> CLOSED"
echo "bridge: all scenarios passed"
