#!/bin/bash
# `tcplab check`, `step` and `grade` from the shell, as CI and graders call them:
# exit codes 0/1/2, the exact error line for a bad lab, well-formed JUnit, stdin-driven step.
# Usage: check_step_grade.sh BIN_DIR SOURCE_DIR
set -u
bin="$(cd "$1" && pwd)/tcplab"
src="$(cd "$2" && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_rc() {  # expect_rc WANT DESCRIPTION CMD...
  local want=$1 what=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" = "$want" ] || fail "$what: exit $rc, wanted $want ($(head -c 300 "$tmp/err"))"
}

# 0: every check passes; 1: a check fails; 2: bad input.
expect_rc 0 "check handshake" "$bin" check handshake
cat >"$tmp/failing.toml" <<'TOML'
title = "a failing lab"
[[host]]
name = "client"
[[host]]
name = "server"
[[app]]
host = "client"
script = ["connect server 9502"]
[[check]]
name = "the client connects"
kind = "app_result"
host = "client"
call = "connect"
expect = "OK"
TOML
expect_rc 1 "check failing.toml" "$bin" check "$tmp/failing.toml" --junit "$tmp/r.xml" --json "$tmp/r.json"
grep -q "the step that failed" "$tmp/out" || fail "the failure is not narrated"
grep -q "reproduce with \`tcplab run $tmp/failing.toml --seed 1\`" "$tmp/out" || fail "no reproduce line"
(cd "$src/tests/labs/bad" && "$bin" check check_unknown_key.toml >/dev/null 2>"$tmp/err"; echo $? >"$tmp/rc")
[ "$(cat "$tmp/rc")" = 2 ] || fail "bad lab: exit $(cat "$tmp/rc"), wanted 2"
want="tcplab: $(head -1 "$src/tests/labs/bad/check_unknown_key.toml" | sed 's/^# error: //')"
[ "$(cat "$tmp/err")" = "$want" ] || fail "bad lab: '$(cat "$tmp/err")', wanted '$want'"

# JUnit: well-formed with one testcase per check.
expect_rc 1 "check two labs" "$bin" check handshake "$tmp/failing.toml" --junit "$tmp/two.xml"
if command -v python3 >/dev/null 2>&1; then
  n=$(python3 -c 'import sys, xml.dom.minidom as m; print(len(m.parse(sys.argv[1]).getElementsByTagName("testcase")))' "$tmp/two.xml") ||
    fail "JUnit is not well-formed XML"
elif command -v xmllint >/dev/null 2>&1; then
  xmllint --noout "$tmp/two.xml" || fail "JUnit is not well-formed XML"
  n=$(grep -c "<testcase " "$tmp/two.xml")
else
  n=$(grep -c "<testcase " "$tmp/two.xml")
  [ "$(grep -c "<testsuite " "$tmp/two.xml")" = "$(grep -c "</testsuite>" "$tmp/two.xml")" ] || fail "unbalanced <testsuite>"
fi
[ "${n:-0}" = 4 ] || fail "JUnit has ${n:-0} testcases, wanted 4 (3 + 1)"

# step: predictions on stdin, the score on the last line; end of input is not an error.
printf 'LISTEN\nSYN_SENT\nS 0 - 0\nSYN_RECV\nS. 0 9 0\n' | "$bin" step handshake >"$tmp/step" 2>&1 || fail "step exited $?"
[ "$(tail -1 "$tmp/step")" = "score: 10/11" ] || fail "step: $(tail -1 "$tmp/step"), wanted score: 10/11"
grep -q "ack 1 wrong (you said 9)" "$tmp/step" || fail "step does not name the wrong field"

# grade: an answers file with predictions.
printf 'lab = "handshake"\nstudent = "s1"\npredictions = ["LISTEN", "SYN_SENT"]\n' >"$tmp/answers.toml"
expect_rc 1 "grade answers.toml" "$bin" grade "$tmp/answers.toml" --json "$tmp/g.json" --junit "$tmp/g.xml"
grep -q '"max_score": 51' "$tmp/g.json" || fail "grade JSON has no max_score 51"

[ "$fails" = 0 ] && echo "check_step_grade: all passed"
exit $((fails > 0))
