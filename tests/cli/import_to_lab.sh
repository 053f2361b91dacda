#!/bin/bash
# capture -> lab -> pcap (issue 21): `tcplab import --to-lab` on a lab's capture writes a lab
# that replays the same segment sequence: flags, relative seq/ack and lengths, segment by
# segment (tcpdump's text without times, windows, options and the SYNs' absolute numbers).
# zero-window: the receiver's small buffer comes from its SYN's window, its read from the window
# update after the zero window, the sender's one send() from its data going on as the window opens.
# A path's rate comes from the spacing of what reached the capture host (lossy-transfer's lab gets
# its 10Mbps and 20 ms). Losses before the capture point are found by replaying the lab
# (labs/capture_fit.hpp): lossy-transfer's lost ACK at the client (the capture lacks it, the
# replay had it), its 8 lost data segments at the server. Labs of several connections are checked
# on their first. A flow that shared a bottleneck with others (bufferbloat: a bulk flow and pings)
# does not replay with a stack at the far side (the queue the others filled set its timing): the
# far side then replays its captured segments as a script that checks nothing (check_arrivals =
# false), the capture host's congestion control the one of newreno, cubic, bbr that replays.
# (All six bottleneck labs replay at both hosts but bbr-vs-cubic at the client, where the server's
# ACKs followed a queue the other flow filled and BBR's paced sends sit microseconds from ACKs:
# README.md says more; checked here on bufferbloat, the shortest.)
# A far side gone silent (nothing back for the capture host's FIN or SYN,ACK copies: fin-wait-1-pileup
# and last-ack-pileup at the server, syn-flood's spoofed SYNs) is a host that went down after its last
# segment; a RST without ACK from an open side (half-open) a host that restarted, and the empty
# segments one below SND.NXT before it are keep-alive probes (the lab's keepalive_idle from them).
# A SYN from the side that did not open: it connected too (simultaneous open: both connect, the
# delay from each side's SYN to the SYN,ACK that answers it), and what its ACK does not cover had
# not reached it when it sent; a FIN that does not acknowledge the peer's left before that one
# arrived (simultaneous close: no read to the end first).
# An opener that sent what no stack sends (blind RSTs, a SYN in an open connection, old or
# impossible ACKs, segments after the peer's RST) is a scripted peer replaying its segments.
# lost-last-ack at the server: the client's lost ACK is not in the capture; the server's FIN,
# which acknowledged the client's FIN, got there (the client never sent its FIN again).
# idle-restart: the client's SYN offers 65535 with scale 7, a receive buffer set to 8 MiB
# (rcv_buf), and the server had 500 kB in flight, more than tcplab's fixed 64 KiB send buffer
# holds: Linux had grown its buffer (the lab's snd_buf: 4 MiB).
# Usage: import_to_lab.sh BIN_DIR SOURCE_DIR (CASES="LAB IP ..." to choose)
# TCPLAB_SAMPLE_EVERY=N (the sanitizer build, tests/CMakeLists.txt): every N-th replay.
set -u
bin=$1
src=$2
T=$bin/tcplab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
segments() {  # PCAP -> one line per segment: direction, flags, relative seq/ack, length
  "$T" import "$1" -S -q --trace "$tmp/t.jsonl" 2> /dev/null
  python3 - "$tmp/t.jsonl" <<'PY'
import json, sys
isn = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["type"] != "send":
        continue
    src, dst = e["conn"].split(">")
    # Each direction's ISN: a server's endpoint is shared by its clients' connections.
    if "S" in e["flags"]:
        isn[(src, dst)] = e["seq"]
    rel = lambda v, a, b: (v - isn.get((a, b), 0)) % 2**32
    ack = rel(e["ack"], dst, src) if "." in e["flags"] else "-"
    print(src, ">", dst, e["flags"], rel(e["seq"], src, dst), ack, e["len"])
PY
}
ports() { sed -E 's/[^ ]*[:.]([0-9]+) > [^ ]*[:.]([0-9]+) /\1 > \2 /'; }
# A capture -> its lab (connection 1, capture point AT) -> the lab's pcap: the same segments?
sample=0
replays() {  # NAME CAPTURE AT
  (( sample++ % ${TCPLAB_SAMPLE_EVERY:-1} == 0 )) || return 0
  "$T" import "$2" -q --at-host "$3" --to-lab "$tmp/lab.toml" --conn 1 2> "$tmp/err" || { echo "FAIL $1: --to-lab: $(cat "$tmp/err")"; fail=1; return; }
  "$T" run "$tmp/lab.toml" --pcap "$tmp/b.pcap" --pcap-at "$3" -q > "$tmp/run.out" 2>&1
  local rc=$?
  # A scripted client's lab checks that every segment it expected came as the capture shows.
  if grep -q '^kind = "peer"' "$tmp/lab.toml" && [ $rc -ne 0 ]; then
    echo "FAIL $1: the scripted client's check failed (exit $rc):"; grep -E "FAIL|MISMATCH" "$tmp/run.out" | head -5; fail=1
  fi
  # The lab holds connection 1: the capture's segments of that port pair.
  # Compared by port (an IPv6 capture's lab has IPv4 addresses), connection 1 chosen by address
  # and port (other clients may use the same port).
  segments "$2" > "$tmp/all.txt"
  local pair
  pair=$(head -1 "$tmp/all.txt" | awk '{print $1 " " $3}')
  awk -v p="$pair" '($1 " " $3) == p || ($3 " " $1) == p' "$tmp/all.txt" | ports > "$tmp/a.txt"
  segments "$tmp/b.pcap" | ports > "$tmp/b.txt"
  if [ -s "$tmp/a.txt" ] && cmp -s "$tmp/a.txt" "$tmp/b.txt"; then
    echo "ok   $1: the lab replays the capture's $(wc -l < "$tmp/a.txt") segments"
  else
    echo "FAIL $1: the lab's segments differ from the capture's"
    diff "$tmp/a.txt" "$tmp/b.txt" | head -10
    grep -E "^(faults|script|delay|until)" "$tmp/lab.toml"
    fail=1
  fi
}
for case in ${CASES:-"handshake 10.0.0.1" "lost-fin 10.0.0.1" "lost-synack 10.0.0.1" "close 10.0.0.1" "lost-last-ack 10.0.0.1"
                     "fin-wait-2 10.0.0.1" "syn-cookies 10.0.0.1" "zero-window 10.0.0.1" "lost-syn 10.0.0.1"
                     "syn-flood 10.0.0.1" "handshake 10.0.0.2" "lost-fin 10.0.0.2"
                     "close 10.0.0.2" "lost-syn 10.0.0.2" "lost-synack 10.0.0.2" "zero-window 10.0.0.2"
                     "fin-wait-2 10.0.0.2" "last-ack-pileup 10.0.0.1" "last-ack-pileup 10.0.0.2"
                     "fin-wait-1-pileup 10.0.0.2" "syn-flood 10.0.0.2" "half-open 10.0.0.1" "half-open 10.0.0.2"
                     "simultaneous-open 10.0.0.1" "simultaneous-open 10.0.0.2"
                     "simultaneous-close 10.0.0.1" "simultaneous-close 10.0.0.2"
                     "blind-reset 10.0.0.1" "blind-reset 10.0.0.2" "syn-in-established 10.0.0.1"
                     "syn-in-established 10.0.0.2" "data-after-close 10.0.0.1" "data-after-close 10.0.0.2"
                     "old-duplicate-ack 10.0.0.1" "old-duplicate-ack 10.0.0.2" "lost-last-ack 10.0.0.2"
                     "idle-restart 10.0.0.1" "idle-restart 10.0.0.2"
                     "lossy-transfer 10.0.0.1" "lossy-transfer 10.0.0.2"
                     "bufferbloat 10.0.0.1" "bufferbloat 10.0.0.2"}; do
  set -- $case
  "$T" run "$1" --pcap "$tmp/a.pcap" --pcap-at "$2" -q > /dev/null 2>&1
  replays "$1 at $2" "$tmp/a.pcap" "$2"
done
# A capture host whose segments no application's calls give tcplab's stack: the client's PSH on
# its 2nd data segment of one long write, as Linux marks it (tests/pkt/scripts/b-psh-inside-write.pkt),
# set in the catalogue's capture (raw IP frames). The client then replays as a script that sends
# each segment after what the capture shows arriving before it (three ACKs and two data segments
# share an instant), the server a stack.
"$T" run zero-window --pcap "$tmp/z.pcap" --pcap-at 10.0.0.1 -q > /dev/null 2>&1
python3 - "$tmp/z.pcap" "$tmp/zp.pcap" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
assert struct.unpack("<I", d[20:24])[0] == 101  # LINKTYPE_RAW: each frame begins with its IP header
off, data = 24, 0
while off < len(d):
    n = struct.unpack("<I", d[off + 8:off + 12])[0]
    ip = off + 16
    ihl = (d[ip] & 15) * 4
    tcp = ip + ihl
    payload = struct.unpack(">H", d[ip + 2:ip + 4])[0] - ihl - (d[tcp + 12] >> 4) * 4
    if d[ip + 12:ip + 16] == bytes([10, 0, 0, 1]) and payload > 0:
        data += 1
        if data == 2:
            d[tcp + 13] |= 0x08  # PSH (its checksum is now wrong: import reports it and keeps it)
    off += 16 + n
open(sys.argv[2], "wb").write(d)
PY
replays "zero-window at 10.0.0.1, PSH inside the client's write" "$tmp/zp.pcap" 10.0.0.1
if grep -q '^own_port = ' "$tmp/lab.toml" && grep -q '"listen 5001", "accept"' "$tmp/lab.toml"; then
  echo "ok   the client replays as a script, the server keeps its stack"
else
  echo "FAIL the PSH case's lab does not script the client with the server's stack kept"; fail=1
fi
# The path's rate and delay from a capture behind a 10 Mb/s bottleneck with 20 ms each way (at
# the sender: the ACKs come back spaced by the data's transmission); none without a bottleneck.
rate_of() {  # LAB IP -> the lab's [link] lines, joined
  "$T" run "$1" --pcap "$tmp/r.pcap" --pcap-at "$2" -q > /dev/null 2>&1
  "$T" import "$tmp/r.pcap" -q --at-host "$2" --to-lab "$tmp/r.toml" --conn 1 2> /dev/null
  grep -E '^(delay|rate) = ' "$tmp/r.toml" | tr '\n' ' '
}
for want in 'lossy-transfer 10.0.0.1|delay = "20000us" rate = "10Mbps" ' 'handshake 10.0.0.1|delay = "50us" '; do
  got=$(rate_of ${want%%|*})
  if [ "$got" = "${want#*|}" ]; then echo "ok   ${want%%|*}: the lab's link is $got"
  else echo "FAIL ${want%%|*}: the lab's link is '$got', expected '${want#*|}'"; fail=1; fi
done
# Linux's own TCP (tests/kernel/record_captures.sh, at the client 10.77.0.1): the article's close,
# the server closing first, an abort (SO_LINGER 0: RST), SYNs to a dead host, a half-close
# (the client's shutdown crosses the server's ACK; the server answers after reading to the FIN),
# the client's first FIN lost (the server's nftables dropped it), and a simultaneous open (each
# end dropped the other's first SYN; the SYNs sent again crossed).
for cap in "$src"/tests/import/linux/linux-*.pcap; do
  replays "$(basename "$cap" .pcap) (Linux 6.18)" "$cap" 10.77.0.1
done
# Linux's zero-window recording (payloads cut to 96 bytes): its server ACKed each pair of the
# client's back-to-back segments once, as the veth handed them over merged (README.md). The
# lab replays it with the server's tcp.gro, found by import, and not without it.
if ! "$T" import "$src/tests/import/linux/linux-zero-window.pcap" -q --at-host 10.77.0.1 --to-lab "$tmp/zw.toml" --conn 1 2> "$tmp/zw.err"; then
  echo "FAIL linux-zero-window: --to-lab: $(cat "$tmp/zw.err")"; fail=1
elif ! grep -q '^tcp = { rcv_buf = 8192, gro = "[0-9]*us" }$' "$tmp/zw.toml"; then
  echo "FAIL linux-zero-window: the server's tcp line is '$(grep -A2 'name = "server"' "$tmp/zw.toml" | grep '^tcp')', no gro"; fail=1
elif ! "$T" run "$tmp/zw.toml" -q > /dev/null 2>&1; then
  echo "FAIL linux-zero-window: the lab's scripted client's check fails"; fail=1
else
  echo "ok   linux-zero-window: the server has $(grep -o 'gro = "[0-9]*us"' "$tmp/zw.toml"), and the client's check passes"
  sed -E 's/, gro = "[0-9]+us"//' "$tmp/zw.toml" > "$tmp/zw0.toml"
  if "$T" run "$tmp/zw0.toml" -q > /dev/null 2>&1; then
    echo "FAIL linux-zero-window: the lab without tcp.gro passes its peer check too (gro decides nothing)"; fail=1
  else
    echo "ok   linux-zero-window: without tcp.gro the scripted client's check fails"
  fi
fi
# The lost FIN: the lab loses the client's first FIN on the link, and the client waits in
# FIN_WAIT_1 until its RTO sends it again. The simultaneous open: both ends stay stacks (no
# scripted peer), the server's first SYN is discarded on arrival at the client (the capture saw
# it: a firewall's drop, not the link's), and each end takes the other's SYN in SYN_SENT.
"$T" import "$src/tests/import/linux/linux-lost-fin.pcap" -q --at-host 10.77.0.1 --to-lab "$tmp/lf.toml" --conn 1 2> /dev/null
if grep -q '^faults = \["drop A>B#5"\]$' "$tmp/lf.toml" && "$T" run "$tmp/lf.toml" | grep -q 'XX A>B#5 FIN dropped'; then
  echo "ok   linux-lost-fin: the lab loses the client's first FIN (drop A>B#5)"
else
  echo "FAIL linux-lost-fin: the lab's faults are '$(grep '^faults' "$tmp/lf.toml")', expected drop A>B#5 (the first FIN)"; fail=1
fi
"$T" import "$src/tests/import/linux/linux-simultaneous-open.pcap" -q --at-host 10.77.0.1 --to-lab "$tmp/so.toml" --conn 1 2> /dev/null
opens=$("$T" run "$tmp/so.toml" | grep -c 'SYN_SENT -> SYN_RECEIVED.*simultaneous open')
if grep -q '^\[app.peer\]' "$tmp/so.toml"; then
  echo "FAIL linux-simultaneous-open: the lab scripts a side"; fail=1
elif ! grep -q '^faults = \["discard B>A#1", "drop A>B#1"\]$' "$tmp/so.toml"; then
  echo "FAIL linux-simultaneous-open: the lab's faults are '$(grep '^faults' "$tmp/so.toml")', expected the server's first SYN discarded at the client and the client's lost"; fail=1
elif [ "$opens" != 2 ]; then
  echo "FAIL linux-simultaneous-open: $opens of the lab's two ends went SYN_SENT -> SYN_RECEIVED"; fail=1
else
  echo "ok   linux-simultaneous-open: two stacks, the server's first SYN discarded at the client, both ends SYN_SENT -> SYN_RECEIVED"
fi
exit $fail
