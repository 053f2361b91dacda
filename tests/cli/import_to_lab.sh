#!/bin/bash
# capture -> lab -> pcap (issue 21): `tcplab import --to-lab` on a lab's capture writes a lab
# that replays the same segment sequence: flags, relative seq/ack and lengths, segment by
# segment (tcpdump's text without times, windows, options and the SYNs' absolute numbers).
# zero-window: the receiver's small buffer comes from its SYN's window, its read from the window
# update after the zero window, the sender's one send() from its data going on as the window opens.
# A path's rate comes from the spacing of what reached the capture host (lossy-transfer's lab gets
# its 10Mbps and 20 ms), but its losses and queue do not replay exactly yet (lossy-transfer differs
# from its 440th segment on); labs of several connections are checked on their first.
# Usage: import_to_lab.sh BIN_DIR SOURCE_DIR (CASES="LAB IP ..." to choose)
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
    if "S" in e["flags"]:
        isn[src] = e["seq"]
    rel = lambda v, who: (v - isn.get(who, 0)) % 2**32
    ack = rel(e["ack"], dst) if "." in e["flags"] else "-"
    print(src.rsplit(":", 1)[1], ">", dst.rsplit(":", 1)[1], e["flags"], rel(e["seq"], src), ack, e["len"])
PY
}
# A capture -> its lab (connection 1, capture point AT) -> the lab's pcap: the same segments?
replays() {  # NAME CAPTURE AT
  "$T" import "$2" -q --at-host "$3" --to-lab "$tmp/lab.toml" --conn 1 2> "$tmp/err" || { echo "FAIL $1: --to-lab: $(cat "$tmp/err")"; fail=1; return; }
  "$T" run "$tmp/lab.toml" --pcap "$tmp/b.pcap" --pcap-at "$3" -q > /dev/null 2>&1
  # The lab holds connection 1: the capture's segments of that port pair.
  segments "$2" > "$tmp/all.txt"
  local pair
  pair=$(head -1 "$tmp/all.txt" | awk '{print $1 " " $3}')
  awk -v p="$pair" '($1 " " $3) == p || ($3 " " $1) == p' "$tmp/all.txt" > "$tmp/a.txt"
  segments "$tmp/b.pcap" > "$tmp/b.txt"
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
                     "close 10.0.0.2" "lost-syn 10.0.0.2" "lost-synack 10.0.0.2" "zero-window 10.0.0.2"}; do
  set -- $case
  "$T" run "$1" --pcap "$tmp/a.pcap" --pcap-at "$2" -q > /dev/null 2>&1
  replays "$1 at $2" "$tmp/a.pcap" "$2"
done
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
# (the client's shutdown crosses the server's ACK; the server answers after reading to the FIN).
for cap in "$src"/tests/import/linux/linux-*.pcap; do
  replays "$(basename "$cap" .pcap) (Linux 6.18)" "$cap" 10.77.0.1
done
exit $fail
