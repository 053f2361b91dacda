#!/bin/bash
# The page a classroom downloads: tcplab.html + tcplab.js + tcplab.wasm, under 3 MB.
dir=$1
total=0
for f in tcplab.html tcplab.js tcplab.wasm; do
  [ -f "$dir/$f" ] || { echo "missing $dir/$f"; exit 1; }
  n=$(stat -c %s "$dir/$f")
  printf "%-12s %9d bytes\n" "$f" "$n"
  total=$((total + n))
done
awk -v t="$total" 'BEGIN { printf "%-12s %9d bytes (%.2f MB)\n", "total", t, t / 1e6 }'
limit=3000000
[ "$total" -le "$limit" ] || { echo "the page is over $limit bytes"; exit 1; }
echo "under $limit bytes"
