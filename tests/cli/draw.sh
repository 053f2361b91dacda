#!/bin/bash
# `tcplab draw` on lost-fin: the ladder's SVG has real text (the segments' labels as tcpdump
# prints them, the host names, the state pills) and well-formed XML; the PNG has the size
# asked for and the ladder's ink on white; Figure 5 and the endpoint at 1.5 s say TIME_WAIT;
# the same bytes from two runs; bad input is one line and exit 2.
# Usage: draw.sh BIN_DIR SOURCE_DIR
bin=$1
cmd=draw
source "$(dirname "$0")/picture_test.bash"
draw() { "$bin/tcplab" draw lost-fin "$@"; }

draw --out "$tmp/ladder.svg" >"$tmp/out" 2>"$tmp/err" || fail "svg: exit $?: $(cat "$tmp/err")"
grep -q "^$tmp/ladder.svg: the ladder of lost-fin (seed 1), 900x" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
python3 - "$tmp/ladder.svg" <<'EOF' || fail "svg contents"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
for want in ["client", "server", "10.0.0.1", "10.0.0.2", "[S] seq 1630876715", "[F.] seq 8, ack 19  LOST",
             "[F.] seq 19, ack 9", "[.] ack 20", "FIN_WAIT_1", "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK", "1.040 s"]:
    assert want in texts, f"no <text> {want!r} in the ladder"
# The lost FIN's cross: two red strokes; the retransmitted FIN: a dashed line.
red = [p for p in root.iter("{http://www.w3.org/2000/svg}polyline") if p.get("stroke") == "#d62728"]
assert len(red) >= 2, f"{len(red)} red strokes (the lost FIN's cross)"
dashed = [p for p in root.iter("{http://www.w3.org/2000/svg}polyline") if p.get("stroke-dasharray") and p.get("stroke") == "#7b3fb8"]
assert len(dashed) == 1, f"{len(dashed)} dashed FIN arrows (the retransmission)"
EOF

draw --size 900x500 --out "$tmp/ladder.png" >/dev/null 2>"$tmp/err" || fail "png: exit $?: $(cat "$tmp/err")"
python3 - "$tmp/ladder.png" "$(dirname "$0")" <<'EOF' || fail "png contents"
import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[2])
import png_pixels
w, h, px = png_pixels.read(sys.argv[1])
assert (w, h) == (900, 500), (w, h)
pixels = [px(x, y) for y in range(0, h, 2) for x in range(0, w, 2)]
white = sum(p == (255, 255, 255) for p in pixels)
assert white > len(pixels) // 2, "the background is not white"
ink = len(pixels) - white
assert ink > 2000, f"only {ink} pixels drawn"
red = sum(p[0] > 180 and p[1] < 80 and p[2] < 80 for p in pixels)
assert red > 5, "no red cross for the lost FIN"
EOF

# Figure 5 and the endpoint at 1.5 s: the client in TIME_WAIT, its timer running.
draw --at 1.5s --what diagram --out "$tmp/fig5.svg" >/dev/null 2>&1 || fail "diagram: exit $?"
grep -q '>why FIN_WAIT_1 → TIME_WAIT  (1.280 s)</text>' "$tmp/fig5.svg" || fail "diagram: no why of the edge just taken"
grep -q '>TIME-WAIT</text>' "$tmp/fig5.svg" && grep -q '>FIN-WAIT-2</text>' "$tmp/fig5.svg" || fail "diagram: Figure 5's boxes"
draw --at 1.5s --what endpoint --out "$tmp/ep.svg" >/dev/null 2>&1 || fail "endpoint: exit $?"
for want in '>TIME_WAIT</text>' '>SND.UNA</text>' '>RCV.NXT</text>' '>59.78 s left, due 61.280 s</text>'; do
  grep -qF "$want" "$tmp/ep.svg" || fail "endpoint: no $want"
done
draw --step 3 --what endpoint --host server --out "$tmp/srv.svg" >/dev/null 2>&1 || fail "--step --host: exit $?"
grep -q '>SYN_RECEIVED</text>' "$tmp/srv.svg" && grep -q '>server  10.0.0.2:9502&gt;' "$tmp/srv.svg" || fail "--step 3 --host server: not the server in SYN_RECEIVED"
draw --from 1s --to 1.3s --out "$tmp/window.svg" >/dev/null 2>&1 || fail "--from --to: exit $?"
grep -q '>\[F.\] seq 8, ack 19  LOST</text>' "$tmp/window.svg" && ! grep -q '>\[S\] seq' "$tmp/window.svg" || fail "--from 1s --to 1.3s: not the close alone"

# Determinism.
draw --out "$tmp/again.svg" >/dev/null 2>&1
cmp -s "$tmp/ladder.svg" "$tmp/again.svg" || fail "two runs give different SVGs"
draw --size 900x500 --out "$tmp/again.png" >/dev/null 2>&1
cmp -s "$tmp/ladder.png" "$tmp/again.png" || fail "two runs give different PNGs"

bad "--what: 'stairs' is not a panel (ladder, diagram, endpoint)" lost-fin --what stairs --out "$tmp/x.svg"
bad "--at 700s is after the end of the lab at" lost-fin --at 700s --out "$tmp/x.svg"
bad "--host: the lab has no host 'nobody' (hosts: client server)" lost-fin --what endpoint --host nobody --out "$tmp/x.svg"
bad "--out: cannot open '$tmp/no/such/dir/x.svg' for writing" lost-fin --out "$tmp/no/such/dir/x.svg"
bad "--out: '$tmp/x.jpg': unknown format (the file must end in .svg or .png)" lost-fin --out "$tmp/x.jpg"
bad "--step 99: the run has 15 steps (1 to 15)" lost-fin --step 99 --out "$tmp/x.svg"
bad "--size: '10x10' is not WIDTHxHEIGHT" lost-fin --size 10x10 --out "$tmp/x.png"
bad "--from/--to: no step of the run is in that window" lost-fin --from 100s --to 200s --out "$tmp/x.svg"
bad "no built-in lab or file named 'no-such-lab'" no-such-lab --out "$tmp/x.svg"
[ ! -e "$tmp/x.svg" ] && [ ! -e "$tmp/x.png" ] || fail "a failed draw left a file"

[ $fails -eq 0 ] || exit 1
echo "ok"
