#!/bin/bash
# `tcplab pkt` as a user meets it: a passing and a failing script (exit 1, the line, what
# was expected and what was sent), the summary line, a bad script (file:line:col, exit 2),
# an unsupported feature named, bad options, and the --junit/--pcap/--trace files.
# Usage: pkt_cli.sh BIN_DIR SOURCE_DIR
set -u
bin=$(cd "$1" && pwd)/tcplab
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # DESCRIPTION COMMAND...: the command must succeed
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
cd "$tmp"
good=$src/tests/pkt/scripts/a-passive-open-accept.pkt
cat > badwin.pkt <<'PKT'
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1460>
+0 > S. 0:0(0) ack 1 win 65535 <mss 1460>
PKT
printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bindd(3, ..., ...) = 0\n' > badsyntax.pkt
printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n%%{ print(1) }%%\n' > python.pkt

out=$("$bin" pkt -q "$good" 2>&1); rc=$?
check "a passing script exits 0 and says PASS" test $rc -eq 0 -a -n "$(grep -F 'PASS' <<< "$out")"

out=$("$bin" pkt -q badwin.pkt "$good" --junit j.xml --pcap p.pcap --trace t.jsonl 2>&1); rc=$?
check "a failing script exits 1" test $rc -eq 1
check "the mismatch names the line and what differs" grep -qF 'badwin.pkt:5: at 0.000000: win 64240, the script expects win 65535' <<< "$out"
check "the mismatch shows the segment as sent, in the script's terms" grep -qF 'sent:     > S. 0:0(0) ack 1 win 64240 <mss 1460>' <<< "$out"
check "several scripts end with the summary line" grep -qxF '1 passed, 1 failed (against tcplab, profile linux)' <<< "$out"
check "--junit has one case per script, one failure" grep -qF 'tests="2" failures="1"' j.xml
check "--trace has the injected SYN and the SYN-ACK" test "$(grep -c '"script":"badwin.pkt"' t.jsonl)" -eq 2
check "--pcap is a pcap (magic a1b2c3d4 or d4c3b2a1)" grep -qE '^(d4c3b2a1|a1b2c3d4)' <<< "$(head -c4 p.pcap | od -An -tx1 | tr -d ' \n')"

out=$("$bin" pkt badsyntax.pkt 2>&1); rc=$?
check "a bad script exits 2" test $rc -eq 2
check "a bad script's error is file:line:col and names the call" grep -qF 'badsyntax.pkt:2:4: system call "bindd" is outside the supported subset' <<< "$out"
out=$("$bin" pkt python.pkt 2>&1); rc=$?
check "a python block is refused by name, exit 2" test $rc -eq 2 -a -n "$(grep -F 'python blocks (%{ }%) are not supported' <<< "$out")"
out=$("$bin" pkt "$good" --tolerance 4parsecs 2>&1); rc=$?
check "a bad --tolerance is one line, exit 2" test $rc -eq 2 -a "$(wc -l <<< "$out")" -eq 1
out=$("$bin" pkt -q "$good" --tolerance 30ms 2>&1); rc=$?
check "--tolerance 30ms is taken (the 10 s bound is on the duration, not the number)" test $rc -eq 0
out=$("$bin" pkt -q "$good" --tolerance 11s 2>&1); rc=$?
check "--tolerance 11s is over the bound, exit 2" test $rc -eq 2
out=$("$bin" pkt -q "$good" --kernel-states s.txt 2>&1); rc=$?
check "--kernel-states without --against kernel is one line, exit 2" test $rc -eq 2 -a "$(wc -l <<< "$out")" -eq 1 -a -n "$(grep -F -- '--kernel-states: only with --against kernel' <<< "$out")"
out=$("$bin" pkt "$good" --tcp tcp_no_such_knob=1 2>&1); rc=$?
check "an unknown sysctl in --tcp is one line, exit 2" test $rc -eq 2 -a -n "$(grep -F 'does not know the sysctl net.ipv4.tcp_no_such_knob' <<< "$out")"
out=$("$bin" pkt -q "$good" --tcp tcp_ecn=1 2>&1); rc=$?
check "a sysctl tcplab does not model runs, and says so" test $rc -eq 0 -a -n "$(grep -F 'note: tcplab does not model net.ipv4.tcp_ecn' <<< "$out")"
out=$("$bin" pkt "$good" --profile bsd 2>&1); rc=$?
check "an unknown profile is exit 2" test $rc -eq 2
exit $fail
