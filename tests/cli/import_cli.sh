#!/bin/bash
# `tcplab import` and `tcplab netstat CAPTURE` on captures in every form real ones come in
# (tests/cli/import_pcaps.py makes them from a lab's pcap): the same inferred states through
# every link type, IPv6 and pcapng; one line per kind of damage on stderr; exit 2 only when
# nothing can be read; the trace's keys; the findings named on the labs that teach them.
# Usage: import_cli.sh BIN_DIR SOURCE_DIR
set -u
bin=$1
src=$2
T=$bin/tcplab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
states() { "$T" import "$1" --states --no-causes "${@:2}" 2> "$tmp/err" | sed 's/^[^*]*\*\* //'; }

"$T" run handshake --pcap "$tmp/h.pcap" -q > /dev/null || bad "tcplab run --pcap"
python3 "$src/tests/cli/import_pcaps.py" "$tmp/h.pcap" "$tmp/forms" || bad "import_pcaps.py"
states "$tmp/h.pcap" > "$tmp/ref"
[ "$(wc -l < "$tmp/ref")" = 9 ] || bad "handshake: 9 inferred state changes expected, got $(wc -l < "$tmp/ref")"
grep -q "10.0.0.2:9502>10.0.0.1:39870: LAST_ACK -> CLOSED" "$tmp/ref" || bad "handshake: the server's LAST_ACK -> CLOSED"

# Every form gives the same states (IPv6: the same with the mapped addresses), with its note.
expect_note() {  # FILE PATTERN: the state lines equal the reference's, stderr has PATTERN
  local f=$1 pattern=$2
  states "$tmp/forms/$f" > "$tmp/out"
  if [ "$f" = ipv6.pcap ]; then
    sed -i 's/2001:db8::a00:/10.0.0./g; s/\[\(10\.0\.0\.[0-9]\)\]/\1/g' "$tmp/out"
  fi
  if [ "$f" = cut.pcap ]; then
    head -n "$(wc -l < "$tmp/out")" "$tmp/ref" | cmp -s - "$tmp/out" || bad "$f: not a prefix of the reference"
  else
    cmp -s "$tmp/ref" "$tmp/out" || { bad "$f: states differ"; diff "$tmp/ref" "$tmp/out" | head -5; }
  fi
  [ -z "$pattern" ] || grep -q "$pattern" "$tmp/err" || bad "$f: no note matching '$pattern' (stderr: $(cat "$tmp/err"))"
  [ "$(grep -c '' "$tmp/err")" -le 3 ] || bad "$f: more than 3 note lines"
}
expect_note ether.pcap "frame skipped: not IP"
expect_note sll.pcap ""
expect_note sll2.pcap "frame skipped: not TCP"
expect_note null.pcap ""
expect_note ipv6.pcap "IPv6 extension headers"
expect_note options.pcap "IPv4 options"
expect_note badsum.pcap "bad TCP checksum .*kept"
expect_note snap.pcap "cut by the snap length"
expect_note cut.pcap "reading stopped after frame 9: truncated"
expect_note nsec.pcap ""
grep -q "IP6 2001:db8::a00:1.39870 > 2001:db8::a00:2.9502: Flags \[S\]" <("$T" import "$tmp/forms/ipv6.pcap" 2>/dev/null) ||
  bad "ipv6: tcpdump's IP6 line"
# netstat writes IPv6 sockets as net-tools does (checked on Linux 6.18's netstat -nat): tcp6, addr:port, :::PORT.
"$T" netstat "$tmp/forms/ipv6.pcap" --at 10s 2>/dev/null > "$tmp/n6"
grep -qE "^tcp6 +0 +0 :::9502 +:::\* +LISTEN$" "$tmp/n6" || bad "ipv6: netstat's listener line"
grep -qE "^tcp6 +0 +0 2001:db8::a00:1:39870 +2001:db8::a00:2:9502 +(TIME_WAIT|ESTABLISHED|FIN_WAIT2|CLOSE_WAIT)$" "$tmp/n6" ||
  { bad "ipv6: netstat's connection line"; cat "$tmp/n6"; }
if command -v editcap > /dev/null; then
  editcap -F pcapng "$tmp/h.pcap" "$tmp/h.pcapng"
  states "$tmp/h.pcapng" | cmp -s "$tmp/ref" - || bad "pcapng: states differ"
fi

# Filters: one that keeps everything, one that keeps nothing (a note, exit 0), one that is wrong (exit 2).
states "$tmp/h.pcap" --filter "tcp port 9502" | cmp -s "$tmp/ref" - || bad "--filter 'tcp port 9502' changed the states"
"$T" import "$tmp/h.pcap" --filter "tcp port 1" > "$tmp/out" 2> "$tmp/err" || bad "--filter matching nothing: exit $?"
grep -q "no TCP segment in 0 frames that pass the filter" "$tmp/err" || bad "--filter matching nothing: note ($(cat "$tmp/err"))"
"$T" import "$tmp/h.pcap" --filter "tcp port" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q "not a filter libpcap understands" "$tmp/err" || bad "bad --filter: exit $rc, $(cat "$tmp/err")"
# Nothing readable: exit 2 with one line.
printf 'not a capture at all\n' > "$tmp/text.pcap"
"$T" import "$tmp/text.pcap" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc = 2 ] && [ "$(grep -c '' "$tmp/err")" = 1 ] && grep -q "not a pcap or pcapng capture" "$tmp/err" || bad "not a capture: exit $rc, $(cat "$tmp/err")"
"$T" import "$tmp/missing.pcap" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q "cannot open" "$tmp/err" || bad "missing file: exit $rc, $(cat "$tmp/err")"
head -c 30 "$tmp/h.pcap" > "$tmp/short.pcap"
"$T" import "$tmp/short.pcap" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q "no frame could be read" "$tmp/err" || bad "header only, cut: exit $rc, $(cat "$tmp/err")"

# The trace: the keys of `tcplab run --trace`, a state line marked as inferred.
"$T" import "$tmp/h.pcap" --trace "$tmp/t.jsonl" -q 2> /dev/null || bad "--trace"
grep -q '"type":"send","host":"10.0.0.1","conn":"10.0.0.1:39870>10.0.0.2:9502","id":"10.0.0.1>10.0.0.2#1","kind":"SYN","flags":"S","seq":3654526670' "$tmp/t.jsonl" ||
  bad "--trace: the SYN's send line"
grep -q '"type":"state".*"from":"SYN_SENT","to":"ESTABLISHED","cause":"inferred (capture at this host: exact): 3.10.7.3' "$tmp/t.jsonl" ||
  bad "--trace: the client's ESTABLISHED"

# Findings: the article's pathologies, each on the lab that shows it.
finding() {  # LAB AT PATTERN
  "$T" run "$1" --pcap "$tmp/f.pcap" --pcap-at "$2" -q > /dev/null 2>&1
  "$T" import "$tmp/f.pcap" --findings -q > "$tmp/find" 2> /dev/null || bad "$1: --findings exit $?"
  grep -q "$3" "$tmp/find" || { bad "$1 at $2: no finding '$3'"; head -5 "$tmp/find"; }
}
finding syn-flood 10.0.0.2 "SYN_RECV that never complete (SYN flood signature)"
finding port-scan 10.0.0.1 "many SYN_SENT without an answer"
finding close-wait-leak 10.0.0.2 "stuck in CLOSE_WAIT"
finding fin-wait-1-pileup 10.0.0.2 "FIN_WAIT_1 piling up"
finding fin-wait-1-pileup 10.0.0.2 "peers gone without a FIN"
finding last-ack-pileup 10.0.0.2 "LAST_ACK piling up"
finding time-wait-pileup 10.0.0.1 "TIME_WAIT counts"
finding zero-window 10.0.0.2 "zero-window stalls"
finding last-ack-pileup 10.0.0.2 "RTO retransmission chains"
grep -q "如果发现有很多SYN_RCVD状态" <("$T" run syn-flood --pcap "$tmp/f.pcap" --pcap-at 10.0.0.2 -q > /dev/null 2>&1; "$T" import "$tmp/f.pcap" --findings -q 2> /dev/null) ||
  bad "syn-flood: the article's own words"
"$T" import "$tmp/h.pcap" --findings -q 2> /dev/null | grep -q "none of the article's pathologies" || bad "handshake: no findings expected"

# netstat on a capture agrees with netstat on the lab at the same moment (the server's side: exact).
"$T" run close-wait-leak --pcap "$tmp/cw.pcap" --pcap-at 10.0.0.2 -q > /dev/null 2>&1
"$T" netstat "$tmp/cw.pcap" --at 00:00:01.500000 --host 10.0.0.2 2> /dev/null | tail -n +2 > "$tmp/a"
"$T" netstat close-wait-leak --at 1500ms --host server | tail -n +2 > "$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || { bad "netstat CAPTURE differs from netstat LAB"; diff "$tmp/a" "$tmp/b" | head; }
"$T" netstat "$tmp/cw.pcap" --at 00:00:01.500000 --host 10.0.0.2 --ss 2> /dev/null | tail -n +2 > "$tmp/a"
"$T" netstat close-wait-leak --at 1500ms --host server --ss | tail -n +2 > "$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || { bad "netstat --ss CAPTURE differs from the lab's"; diff "$tmp/a" "$tmp/b" | head; }
"$T" netstat "$tmp/cw.pcap" --at 1s -o > /dev/null 2>&1; [ $? = 2 ] || bad "netstat CAPTURE -o: exit 2 expected"

# The reference article's own capture (its tcpdump text, tests/import/article_capture.txt): the
# pcap made from it prints as the article printed it, and both sides reach ESTABLISHED.
python3 "$src/tests/cli/tcpdump_text_to_pcap.py" "$src/tests/import/article_capture.txt" "$tmp/article.pcap" || bad "tcpdump_text_to_pcap.py"
cmp -s "$tmp/article.pcap" "$src/tests/import/article.pcap" || bad "tests/import/article.pcap is not what tcpdump_text_to_pcap.py makes of the text"
if command -v tcpdump > /dev/null; then
  tcpdump -nr "$tmp/article.pcap" 2> /dev/null | sed 's/127\.0\.0\.1/localhost/g' | cmp -s - "$src/tests/import/article_capture.txt" ||
    bad "the article's capture does not print back as its text"
fi
"$T" import "$tmp/article.pcap" --states --no-causes 2> /dev/null > "$tmp/art"
grep -q "14:12:45.104701 \*\* 127.0.0.1 127.0.0.1:39870>127.0.0.1:9502: SYN_SENT -> ESTABLISHED" "$tmp/art" &&
  grep -q "14:12:45.104711 \*\* 127.0.0.1 127.0.0.1:9502>127.0.0.1:39870: SYN_RECEIVED -> ESTABLISHED" "$tmp/art" ||
  { bad "the article's capture: the handshake's states"; cat "$tmp/art"; }

# A real capture: `tcpdump -i any` (SLL2) on Linux 6.18's loopback, a Python client and server
# over IPv4 (request, reply, client closes first) and IPv6 (server closes first); loopback
# leaves the checksums to offload (every one "bad", kept). The inferred states are the file's.
"$T" import "$src/tests/import/linux-6.18-loopback-sll2.pcap" --states --no-causes 2> "$tmp/err" |
  cmp -s - "$src/tests/import/linux-6.18-loopback-sll2.states" || bad "the Linux loopback capture's states changed"
grep -q "19 TCP segments with a bad TCP checksum" "$tmp/err" || bad "the Linux loopback capture: checksum offload note"

[ $fail = 0 ] && echo "import: every form, damage, filter, trace, finding and netstat as expected"
exit $fail
