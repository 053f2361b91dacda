#!/bin/bash
# `tcplab plot` on a catalogue lab with losses (lossy-transfer): the CSV's rows, columns and
# values (the window starts at 10 segments, the losses are there), the SVG (well-formed XML
# with the curves as paths), the PNG (decoded: the flow's colour in the plot area, white
# elsewhere), the same bytes from two runs, and bad input (exit 2, one line naming what).
# Usage: plot.sh BIN_DIR SOURCE_DIR
bin=$1
cmd=plot
source "$(dirname "$0")/picture_test.bash"
plot() { "$bin/tcplab" plot lossy-transfer "$@"; }

# CSV: the numbers, checked by a small reader of the long format.
plot --series cwnd,rtt,throughput --out "$tmp/a.csv" >"$tmp/summary" 2>"$tmp/err" || fail "csv: exit $?: $(cat "$tmp/err")"
grep -q '^  flow 1   shown .*client 10\.0\.0\.1:[0-9]*>10\.0\.0\.2:5001 cubic$' "$tmp/summary" || fail "summary: no shown client flow: $(cat "$tmp/summary")"
grep -q '^  flow 2   -  .*server ' "$tmp/summary" || fail "summary: the server's flow (no data sent) is not listed as hidden"
python3 - "$tmp/a.csv" <<'EOF' || fail "csv contents"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0] == ["t_s", "series", "flow", "value", "unit", "phase"], rows[0]
body = rows[1:]
assert all(len(r) == 6 for r in body), "a row without 6 columns"
ts = [float(r[0]) for r in body]
assert ts == sorted(ts), "rows are not in time order"
flows = {r[2] for r in body if r[1] == "cwnd"}
assert len(flows) == 1 and next(iter(flows)).startswith("client 10.0.0.1:"), flows
by = lambda s: [r for r in body if r[1] == s]
cwnd = by("cwnd")
# RFC 6928's initial window: 10 segments of 1448 bytes (1460 less the timestamp option), in slow start.
assert cwnd[0][3] == "14480" and cwnd[0][4] == "bytes" and cwnd[0][5] == "slow start", cwnd[0]
assert all(r[3] for r in cwnd), "a cwnd row without a value"
# The deliberate drop of the 8th data segment: fast recovery (the lab's check says ~83 ms after it was sent).
loss = by("loss")
assert loss and loss[0][5] == "recovery" and 0.1 < float(loss[0][0]) < 0.2, loss[:1]
assert len(loss) >= 2, "the random losses left no other episode"
# ssthresh: empty (not set) at first, then set by the first loss to about 0.7 of the window
# (CUBIC, the linux profile's default: 717/1024 of cwnd in whole segments).
ss = by("ssthresh")
assert ss[0][3] == "" and ss[1][3] != "" and float(ss[1][0]) == float(loss[0][0]), ss[:2]
assert 0.6 < int(ss[1][3]) / int(loss[0][3]) < 0.75, (ss[1], loss[0])
srtt = [float(r[3]) for r in by("srtt")]
assert srtt and all(40 <= v < 100 for v in srtt), "SRTT outside the 40 ms path RTT plus queueing"
tput = [float(r[3]) for r in by("throughput")]
assert tput and max(tput) <= 10.0 + 1e-9 and max(tput) > 2, "throughput over the 10 Mb/s link or none"
assert all(r[4] == "Mb/s" for r in by("throughput"))
assert not by("jain"), "Jain's index over time is for two flows or more"
EOF
# --flows, --from/--to: what is shown and when.
plot --series cwnd --flows all --out "$tmp/b.csv" >/dev/null 2>&1 || fail "--flows all: exit $?"
[ "$(cut -d, -f3 "$tmp/b.csv" | grep -v '^flow$' | cut -d' ' -f1 | sort -u | tr '\n' ' ')" = "client server " ] ||
  fail "--flows all: not the client's and the server's flows"
plot --series cwnd,throughput --from 0.5s --to 1s --out "$tmp/b.csv" >/dev/null 2>&1 || fail "--from --to: exit $?"
python3 - "$tmp/b.csv" <<'EOF' || fail "--from 0.5s --to 1s"
import csv, sys
body = list(csv.reader(open(sys.argv[1])))[1:]
assert body and all(0.5 <= float(r[0]) <= 1.0 for r in body), "a row outside 0.5 s .. 1 s"
assert any(r[1] == "cwnd" for r in body) and any(r[1] == "throughput" for r in body)
EOF
plot --series cwnd --flows server --out "$tmp/c.csv" >/dev/null 2>&1 || fail "--flows server: exit $?"
[ "$(cut -d, -f3 "$tmp/c.csv" | sort -u | grep -vc '^flow$')" -eq 1 ] && grep -q ',server ' "$tmp/c.csv" || fail "--flows server: not only the server's flow"

# SVG: XML with the curves; PNG: decoded and looked at.
plot --series cwnd,rtt,throughput --out "$tmp/a.svg" >/dev/null 2>&1 || fail "svg: exit $?"
python3 - "$tmp/a.svg" <<'EOF' || fail "svg contents"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
assert root.get("width") == "900px" and root.get("height") == "710px", (root.get("width"), root.get("height"))
paths = [e for e in root.iter("{http://www.w3.org/2000/svg}path")]
blue = [p for p in paths if "stroke:rgb(12.156863%,46.666667%,70.588235%)" in (p.get("style") or "")]
assert len(blue) >= 4, f"{len(blue)} paths in the flow's colour (#1f77b4): legend, cwnd, ssthresh, srtt, throughput"
assert sum(len(p.get("d")) > 1000 for p in blue) >= 3, "fewer than 3 long curves (cwnd, SRTT, throughput)"
EOF
plot --series cwnd --size 900x400 --out "$tmp/a.png" >/dev/null 2>&1 || fail "png: exit $?"
python3 - "$tmp/a.png" "$(dirname "$0")" <<'EOF' || fail "png contents"
import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[2])
import png_pixels
w, h, px = png_pixels.read(sys.argv[1])
assert (w, h) == (900, 400), (w, h)
area = [(x, y) for y in range(75, h - 60) for x in range(75, w - 70)]
blue = sum(px(x, y) == (0x1f, 0x77, 0xb4) for x, y in area)
white = sum(px(x, y) == (255, 255, 255) for x, y in area)
assert blue > 500, f"only {blue} pixels of the cwnd colour in the plot area"
assert white > len(area) // 2, f"only {white} of {len(area)} background pixels in the plot area"
assert px(3, 3) == px(w - 3, h - 3) == (255, 255, 255), "no white margin"
EOF

# Determinism: the same lab and seed, the same bytes.
for f in a.csv a.svg a.png; do
  plot --series cwnd,rtt,throughput --out "$tmp/again.${f#a.}" >/dev/null 2>&1
  [ "$f" = a.png ] && plot --series cwnd --size 900x400 --out "$tmp/again.png" >/dev/null 2>&1
  cmp -s "$tmp/$f" "$tmp/again.${f#a.}" || fail "$f: two runs differ"
done
plot --series cwnd --seed 2 --out "$tmp/seed2.csv" >/dev/null 2>&1
cmp -s "$tmp/a.csv" "$tmp/seed2.csv" && fail "another seed gives the same CSV"

# Bad input: exit 2 and one line naming what is wrong.
bad "--series: 'cwin' is not a series (cwnd, queue, rtt, throughput)" lossy-transfer --series cwnd,cwin --out "$tmp/x.svg"
bad "--out: '$tmp/x.jpg': unknown format" lossy-transfer --series cwnd --out "$tmp/x.jpg"
bad "--series queue: no queue was recorded in handshake" handshake --series queue --out "$tmp/x.svg"
bad "--flows: no flow 3 (flows: 1 client" lossy-transfer --series cwnd --flows 3 --out "$tmp/x.svg"
bad "--flows: 'nobody' is neither all, a flow number nor a host" lossy-transfer --series cwnd --flows nobody --out "$tmp/x.svg"
bad "--series throughput: the selected flows delivered no data" lossy-transfer --series throughput --flows server --out "$tmp/x.csv"
bad "--out: cannot open '$tmp/no/such/dir/x.png' for writing" lossy-transfer --series cwnd --out "$tmp/no/such/dir/x.png"
bad "--from/--to: the range 5.000 s to 2.000 s is empty" lossy-transfer --series cwnd --from 5s --to 2s --out "$tmp/x.csv"
bad "--size: '10x10' is not WIDTHxHEIGHT" lossy-transfer --series cwnd --size 10x10 --out "$tmp/x.png"
bad "--window: must be longer than 0" lossy-transfer --series throughput --window 0s --out "$tmp/x.csv"
bad "no built-in lab or file named 'no-such-lab'" no-such-lab --series cwnd --out "$tmp/x.csv"
[ ! -e "$tmp/x.svg" ] && [ ! -e "$tmp/x.csv" ] || fail "a failed plot left a file"

[ $fails -eq 0 ] || exit 1
echo "ok"
