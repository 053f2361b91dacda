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
echo "bridge: all scenarios passed"
