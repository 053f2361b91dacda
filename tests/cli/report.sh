#!/bin/bash
# `tcplab report` on lost-fin: one self-contained HTML file (no URL, no src=, the ladder inline
# as SVG), the checks table with a verdict each, every state change of the run with its rule,
# the run's text, the command that reproduces it; the same bytes from two runs; a failing run
# (exit 1) has its failures narrated; bad input is one line and exit 2.
# Usage: report.sh BIN_DIR SOURCE_DIR
bin=$1
cmd=report
source "$(dirname "$0")/picture_test.bash"

"$bin/tcplab" report lost-fin --student 's<1>&"2"' --out "$tmp/r.html" >"$tmp/out" 2>"$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
grep -q "8 of 8 checks passed" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
grep -qiE 'https?:|src=|<link|<script|@import|url\([^#]' "$tmp/r.html" && fail "an external reference: $(grep -oiE 'https?:[^ ]*|src=[^ ]*|<link|<script|@import|url\([^#][^)]*' "$tmp/r.html" | head -3)"
"$bin/tcplab" run lost-fin --only states --color never | grep ' \*\* ' >"$tmp/states"
python3 - "$tmp/r.html" "$tmp/states" <<'EOF' || fail "html contents"
import html.parser, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
class Tables(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.cell, self.row, self.svg_texts, self.in_text = {}, None, None, [], False
        self.current = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table": self.current = a.get("class", ""); self.tables[self.current] = []
        elif tag == "tr" and self.current is not None: self.row = []; self.tables[self.current].append(self.row)
        elif tag in ("td", "th") and self.row is not None: self.cell = ""
        elif tag == "text": self.in_text = True; self.svg_texts.append("")
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None: self.row.append(self.cell.strip()); self.cell = None
        elif tag == "table": self.current = None; self.row = None
        elif tag == "text": self.in_text = False
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
        if self.in_text: self.svg_texts[-1] += d
p = Tables()
p.feed(page)
checks = p.tables["checks"]
assert checks[0] == ["verdict", "check", "expected", "actual"], checks[0]
assert len(checks) == 9 and all(r[0] == "PASS" for r in checks[1:]), [r[:2] for r in checks]
# Every state change `tcplab run` prints, with its time, endpoint, change and rule.
states = p.tables["states"][1:]
lines = open(sys.argv[2]).read().splitlines()
assert len(states) == len(lines) == 11, (len(states), len(lines))
for row, line in zip(states, lines):
    m = re.match(r"\S+ \*\* (\S+) (\S+): (\S+) -> (\S+)\s+\[(.*)\]$", line)
    assert m, line
    host, conn, frm, to, rule = m.groups()
    assert row[1] == f"{host} {conn}" and row[2] == f"{frm} → {to}" and row[3] == rule, (row, line)
meta = {r[0]: r[1] for r in p.tables["meta"]}
assert meta["student"] == 's<1>&"2"' and meta["seed"] == "1" and meta["variables"] == "outage = 1200ms", meta
assert meta["reproduce"].startswith("tcplab run lost-fin --seed 1"), meta["reproduce"]
assert 's<1>&"2"' not in page, "the student's id is not escaped"
# The ladder, inline, with its labels as text.
assert page.count("<svg") == 1 and "[F.] seq 8, ack 19  LOST" in p.svg_texts and "client" in p.svg_texts
assert "FIN_WAIT_1" in p.svg_texts
# The run's text as `tcplab run` prints it, and the lab's explanation.
assert "Flags [F.], seq 8, ack 19" in page and "** client" in page, "no tcpdump text"
assert 'id="explanation"' in page
EOF
"$bin/tcplab" report lost-fin --student 's<1>&"2"' --out "$tmp/again.html" >/dev/null 2>&1
cmp -s "$tmp/r.html" "$tmp/again.html" || fail "two runs give different reports"

# A run whose checks fail: exit 1, the report written, each failure told step by step.
"$bin/tcplab" report lost-fin --var outage=100ms --out "$tmp/f.html" >/dev/null 2>&1
rc=$?
[ $rc -eq 1 ] || fail "failing checks: exit $rc, expected 1"
[ "$(grep -c '<td class="fail">FAIL</td>' "$tmp/f.html")" -eq 5 ] || fail "failing checks: not 5 FAIL rows"
[ "$(grep -c '<pre class="narration">' "$tmp/f.html")" -eq 5 ] || fail "failing checks: not 5 narrations"
grep -q 'reproduce with `tcplab run lost-fin --seed 1 --var outage=100ms`' "$tmp/f.html" || fail "failing checks: the narration has no reproduce line"

bad "--out: '$tmp/x.pdf': a report is an HTML file (.html)" lost-fin --out "$tmp/x.pdf"
bad "--out: cannot open '$tmp/no/dir/x.html' for writing" lost-fin --out "$tmp/no/dir/x.html"
bad "no built-in lab or file named 'no-such-lab'" no-such-lab --out "$tmp/x.html"
[ ! -e "$tmp/x.html" ] || fail "a failed report left a file"

[ $fails -eq 0 ] || exit 1
echo "ok"
