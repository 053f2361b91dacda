#!/bin/bash
# The pcap files of the handshake lab and of a lossy lab read cleanly in tshark: no malformed
# frame, no bad IP or TCP checksum, and one frame per `send` event of the trace.
# Usage: sim_pcap.sh BIN_DIR SOURCE_DIR
set -u
bin=$1
if ! command -v tshark >/dev/null 2>&1; then
  echo "SKIP: tshark is not installed (apt-get install tshark); pcap files not checked"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat > "$tmp/lossy.toml" <<'LAB'
title = "lossy bulk transfer for the pcap check"
seed = 7
until = "60s"

[[host]]
name = "client"
ip = "10.0.0.1"

[[host]]
name = "server"
ip = "10.0.0.2"

[link]
delay = "2ms"
rate = "10Mbps"
loss = "5%"

[[app]]
host = "server"
script = ["listen 5001", "accept", "recv all verify", "send 3000", "close"]

[[app]]
host = "client"
start = "1ms"
script = ["connect server 5001", "send 200000", "shutdown", "recv all", "close"]
LAB

tshark_q() { tshark -n -r "$@" 2>"$tmp/tshark.err"; }

check() {
  local name=$1 lab=$2
  local pcap="$tmp/$name.pcap" trace="$tmp/$name.jsonl"
  "$bin/tcplab" run "$lab" -q --pcap "$pcap" --pcap-at link --trace "$trace" >"$tmp/$name.out" 2>&1
  local rc=$?
  [ $rc -le 1 ] || { cat "$tmp/$name.out"; fail "$name: tcplab run exited $rc"; }
  [ -s "$pcap" ] || fail "$name: no pcap written"
  local bad
  bad=$(tshark_q "$pcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
        -Y '_ws.malformed || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad"') ||
    { cat "$tmp/tshark.err"; fail "$name: tshark could not read $pcap"; }
  [ -z "$bad" ] || { echo "$bad" | head -20; fail "$name: tshark reports malformed frames or bad checksums"; }
  local frames sends
  frames=$(tshark_q "$pcap" -T fields -e frame.number | wc -l)
  sends=$(grep -c '"type":"send"' "$trace")
  [ "$frames" -eq "$sends" ] || fail "$name: $frames frames in the pcap, $sends send events in the trace"
  echo "ok: $name: $frames frames, checksums good, nothing malformed"
}

check handshake handshake
check lossy "$tmp/lossy.toml"

# tshark reads the same handshake: SYN and SYN-ACK with MSS 1460, the 7- and 18-byte payloads.
syns=$(tshark_q "$tmp/handshake.pcap" -Y 'tcp.flags.syn == 1 && tcp.options.mss_val == 1460' | wc -l)
[ "$syns" -eq 2 ] || fail "handshake: expected 2 SYNs with MSS 1460, tshark found $syns"
lens=$(tshark_q "$tmp/handshake.pcap" -Y 'tcp.len > 0' -T fields -e tcp.len | tr '\n' ' ')
[ "$lens" = "7 18 " ] || fail "handshake: payload lengths '$lens', expected '7 18 '"
# The lossy run has retransmissions, and tshark sees them as such.
retx=$(tshark_q "$tmp/lossy.pcap" -Y 'tcp.analysis.retransmission || tcp.analysis.fast_retransmission' | wc -l)
[ "$retx" -gt 0 ] || fail "lossy: tshark found no retransmissions"
echo "ok: tshark sees 2 SYNs with MSS 1460, payloads 7 and 18, and $retx retransmissions in the lossy run"

# The default capture point is the client (what its tcpdump sees): its own sends and what
# arrived there; tshark finds no segment out of order that the client never saw out of order.
"$bin/tcplab" run "$tmp/lossy.toml" -q --pcap "$tmp/client.pcap" --trace "$tmp/c.jsonl" >/dev/null 2>&1
[ $? -le 1 ] || fail "lossy at the client: tcplab run failed"
frames=$(tshark_q "$tmp/client.pcap" -T fields -e frame.number | wc -l)
want=$(( $(grep -c '"type":"send","host":"client"' "$tmp/c.jsonl") + $(grep -c '"type":"deliver","host":"client"' "$tmp/c.jsonl") ))
[ "$frames" -eq "$want" ] || fail "lossy at the client: $frames frames, expected $want (client's sends + deliveries to it)"
# A capture point that names no host: one line, exit 2.
out=$("$bin/tcplab" run handshake -q --pcap "$tmp/x.pcap" --pcap-at nobody 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "--pcap-at nobody: exit $rc, expected 2"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "--pcap-at nobody: more than one line: $out"
echo "ok: the client's capture has its $frames sends and arrivals; --pcap-at nobody is refused"
