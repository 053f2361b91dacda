#!/bin/bash
# `tcplab import`'s speed and memory on a big capture (issue 21: >= 1 M packets/s for the
# inference on one core, bounded memory for 10^7 packets). The capture: bench/bottleneck-60s.toml's
# pcap at the link (bulk data, losses, retransmissions), copied COPIES times one after the
# other with the client port moved per copy (so each copy is new connections, not one
# connection's old duplicates), written by bench/replicate_pcap.py. Prints one RESULT line:
# packets, seconds (user+sys of the import, no output but the trace records made), packets/s,
# and the peak RSS.
# Usage: bench/import_rate.sh [COPIES] (default 40: about 2 M packets)
set -eu
copies=${1:-40}
bin=${TCPLAB_BIN:-build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin/tcplab" run bench/bottleneck-60s.toml --pcap "$tmp/one.pcap" --pcap-at link -q > /dev/null || true
python3 bench/replicate_pcap.py "$tmp/one.pcap" "$tmp/big.pcap" "$copies"
packets=$(( $(stat -c %s "$tmp/big.pcap") > 0 ? $(python3 -c "import struct,sys
d=open(sys.argv[1],'rb').read(); o=24; n=0
while o+16<=len(d):
  n+=1; o+=16+struct.unpack('<I',d[o+8:o+12])[0]
print(n)" "$tmp/big.pcap") : 0 ))
cat "$tmp/big.pcap" > /dev/null  # into the page cache: the disk is not what is measured
/usr/bin/time -f "%U %S %M" -o "$tmp/time" "$bin/tcplab" import "$tmp/big.pcap" -q --at-host 10.0.0.1 2> /dev/null
read -r user sys rss < "$tmp/time"
python3 -c "import sys
p, u, s, r = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f'RESULT packets={p} cpu_s={u+s:.2f} packets_per_s={p/(u+s):,.0f} peak_rss_mb={r/1024:.0f}')" "$packets" "$user" "$sys" "$rss"
