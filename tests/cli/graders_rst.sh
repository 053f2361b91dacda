#!/bin/bash
# The INGInious feedback is reStructuredText that docutils (what INGInious renders it with)
# reads without a warning, for a lab that passes and for one whose check fails with a story
# full of RST markup characters (*, `, |, _); the CodeRunner HTML parses with balanced tags.
# Usage: graders_rst.sh BIN_DIR SOURCE_DIR
set -u
bin="$(cd "$1" && pwd)"
src="$(cd "$2" && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
if ! python3 -c "import docutils" 2>/dev/null; then
  echo "SKIP: python3-docutils is not installed (apt-get install python3-docutils)"
  exit 0
fi
# A handshake whose last check expects what does not happen.
# Its name is full of RST markup: emphasis never closed, a substitution, references.
sed -e 's/expect = \["LISTEN", "SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"\]/expect = ["LISTEN", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1"]/' \
  -e "s/^name = \"server's connection goes through.*/name = \"server *never closes \`first and |sub| then ref_ and _x\"/" \
  "$src/labs/catalogue/handshake.toml" >"$tmp/failing.toml"
grep -q '"FIN_WAIT_1"\]' "$tmp/failing.toml" || fail "could not make the failing lab"
for lab in lost-fin "$tmp/failing.toml"; do
  "$bin/tcplab" check "$lab" --inginious "$tmp/ing.json" --coderunner "$tmp/cr.json" >/dev/null
  rc=$?
  [ "$rc" -le 1 ] || fail "$lab: tcplab check exited $rc"
  python3 - "$tmp/ing.json" "$tmp/cr.json" "$lab" <<'PY' || fail "$lab: see above"
import html.parser, json, sys
import docutils.core, docutils.utils
ing = json.load(open(sys.argv[1]))
# halt_level 2: any warning (a broken literal block, unbalanced inline markup) is an error.
try:
    docutils.core.publish_string(ing["feedback"], writer_name="null",
                                 settings_overrides={"halt_level": 2, "report_level": 2})
except docutils.utils.SystemMessage as e:
    print(f"{sys.argv[3]}: the INGInious feedback is not clean reStructuredText: {e}")
    sys.exit(1)
cr = json.load(open(sys.argv[2]))
class Balance(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []
    def handle_starttag(self, tag, attrs): self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            raise ValueError(f"unbalanced </{tag}>")
for key in ("prologuehtml", "epiloguehtml"):
    b = Balance(); b.feed(cr[key]); b.close()
    if b.stack:
        print(f"{sys.argv[3]}: CodeRunner {key} leaves <{b.stack[-1]}> open"); sys.exit(1)
PY
done
[ "$fails" = 0 ] && echo "OK: INGInious RST and CodeRunner HTML are clean" || exit 1
