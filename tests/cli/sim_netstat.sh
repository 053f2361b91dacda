#!/bin/bash
# `tcplab netstat LAB --at T` and its --ss / --sar / --lsof views; bad input exits 2 with a
# one-line message; `tcplab bench-seek` prints its RESULT line.
# Usage: sim_netstat.sh BIN_DIR SOURCE_DIR
set -u
bin=$1
t=$bin/tcplab
fail() { echo "FAIL: $*"; exit 1; }
expect() {  # expect NAME WANT GOT
  if [ "$2" != "$3" ]; then
    echo "--- want"; echo "$2"; echo "--- got"; echo "$3"
    fail "$1"
  fi
  echo "ok: $1"
}

got=$("$t" netstat handshake --at 1050us --host server) || fail "netstat exited $?"
expect "netstat -nat at the SYN-ACK" "# handshake at 00:00:00.001050 (seed 1)
Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State
tcp        0      0 0.0.0.0:9502            0.0.0.0:*               LISTEN
tcp        0      0 10.0.0.2:9502           10.0.0.1:39870          SYN_RECV" "$got"

got=$("$t" netstat handshake --at 101220us) || fail "netstat exited $?"
expect "netstat -nat on every host, unacked reply in Send-Q, the unacked FIN as 1" "# handshake at 00:00:00.101220 (seed 1)
== client (10.0.0.1) ==
Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State
tcp        0      1 10.0.0.1:39870          10.0.0.2:9502           FIN_WAIT1

== server (10.0.0.2) ==
Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State
tcp        0      0 0.0.0.0:9502            0.0.0.0:*               LISTEN
tcp        0     18 10.0.0.2:9502           10.0.0.1:39870          ESTABLISHED" "$got"

got=$("$t" netstat handshake --at 30s --host client --ss | sed -n 2,3p) || fail "--ss exited $?"
expect "ss -s in TIME_WAIT (counted under closed too, as real ss does)" "Total: 0
TCP:   1 (estab 0, closed 1, orphaned 0, timewait 1)" "$got"

got=$("$t" netstat handshake --at 1200us --host A --lsof 9502) || fail "--lsof exited $?"
expect "lsof -i :9502 on the client (by tag)" "# handshake at 00:00:00.001200 (seed 1)
COMMAND  PID USER   FD  TYPE DEVICE SIZE/OFF NODE NAME
client  1001 lab    3u  IPv4 100000      0t0  TCP 10.0.0.1:39870->10.0.0.2:9502 (ESTABLISHED)" "$got"

got=$("$t" netstat handshake --at 70s --host client --sar --interval 20s) || fail "--sar exited $?"
expect "sar -n SOCK every 20s" "# handshake at 00:01:10.000000 (seed 1)
00:00:00       totsck    tcpsck    udpsck    rawsck   ip-frag    tcp-tw
00:00:20            0         0         0         0         0         1
00:00:40            0         0         0         0         0         1
00:01:00            0         0         0         0         0         1
Average:            0         0         0         0         0         1" "$got"

# Bad input: exit 2 and one line on stderr.
bad() {  # bad NAME ARGS...
  local name=$1; shift
  local err rc
  err=$("$t" "$@" 2>&1 >/dev/null)
  rc=$?
  [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2 (stderr: $err)"
  [ -n "$err" ] || fail "$name: no message"
  echo "ok: $name -> exit 2: $(echo "$err" | head -1)"
}
# tcplab ss (issue 19): ss -tanoe's columns, and netstat -o's Timer column; the format is
# that of tests/cli/ss_reference.txt (captured from ss and netstat on Linux 6.18).
got=$("$t" ss handshake --at 101220us -tanoe --host client) || fail "ss exited $?"
expect "ss -tanoe: the client's unacknowledged FIN, its RTO timer, both directions shut" "# handshake at 00:00:00.101220 (seed 1)
State      Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
FIN-WAIT-1 0      1           10.0.0.1:39870     10.0.0.2:9502 timer:(on,200ms,0) ino:0 sk:186a0 ---" "$got"
got=$("$t" ss handshake --at 101220us -tn --host server) || fail "ss -tn exited $?"
expect "ss -tn: no listener without -a" "# handshake at 00:00:00.101220 (seed 1)
State Recv-Q Send-Q Local Address:Port Peer Address:Port Process
ESTAB 0      18          10.0.0.2:9502     10.0.0.1:39870" "$got"
got=$("$t" ss handshake --at 101220us -tinoe --host server | sed -n 4p) || fail "ss -tinoe exited $?"
case "$got" in $'\t'" ts sack cubic wscale:10,10 rto:200 rtt:"*" cwnd:10 bytes_acked:1 bytes_received:7 "*"unacked:1 snd_wnd:64512") echo "ok: ss -i line";;
  *) fail "ss -i line: $got";; esac
got=$("$t" netstat handshake --at 101220us -o --host client | tail -1) || fail "netstat -o exited $?"
expect "netstat -o: the Timer column" "tcp        0      1 10.0.0.1:39870          10.0.0.2:9502           FIN_WAIT1   on (0.20/0/0)" "$got"
bad "ss: an unknown option" ss handshake --at 1s -x
bad "ss: a bare number" ss handshake --at 5
bad "ss: no --at" ss handshake -tinoe
bad "ss: --at after the end" ss handshake --at 500s
bad "ss: an unknown host" ss handshake --at 1s --host nobody
bad "netstat: -o with --ss" netstat handshake --at 1s --ss -o
lines=$("$t" ss handshake --at 5 2>&1 >/dev/null | wc -l)
[ "$lines" -eq 1 ] || fail "ss: a bad --at gives $lines lines on stderr, expected 1"

bad "a bare number" netstat handshake --at 5
bad "an unknown unit" netstat handshake --at 5parsecs
bad "a negative time" netstat handshake --at -1s
bad "no --at" netstat handshake
bad "an unknown host" netstat handshake --at 1s --host nobody
bad "an unknown lab" netstat no-such-lab --at 1s
bad "two views" netstat handshake --at 1s --ss --lsof 80
bad "--interval without --sar" netstat handshake --at 1s --interval 1s
bad "--interval 0" netstat handshake --at 1s --sar --interval 0s
bad "--interval longer than --at" netstat handshake --at 1s --sar --interval 2s
bad "--at after the lab's end (issue 18: an empty table, silently)" netstat handshake --at 500s
msg=$("$t" netstat handshake --at 500s 2>&1 >/dev/null)
expect "the --at after the end message" "tcplab: --at 500s is after the end of the lab at 120s (its until); netstat shows a moment of the run" "$msg"
lines=$("$t" netstat handshake --at 5 2>&1 >/dev/null | wc -l)
[ "$lines" -eq 1 ] || fail "a bad --at gives $lines lines on stderr, expected 1"
msg=$("$t" netstat handshake --at 5 2>&1 >/dev/null)
expect "the bad --at message" "tcplab: --at: duration '5' has no unit (write e.g. 5ms or 5s)" "$msg"

help=$("$t" netstat --help) || fail "--help exited $?"
echo "$help" | grep -q "Examples:" || fail "netstat --help has no examples"
echo "$help" | grep -q -- "--lsof" || fail "netstat --help does not mention --lsof"
echo "ok: netstat --help"

out=$("$t" bench-seek --events 20000 --seeks 50) || fail "bench-seek exited $?"
echo "$out" | grep -Eq '^RESULT events=[0-9]+ .*seeks=50 .*max_ms=[0-9.]+ mean_ms=[0-9.]+ checkpoints=[0-9]+ .*rss_kb=[0-9]+$' ||
  fail "bench-seek printed: $out"
echo "ok: $out"
