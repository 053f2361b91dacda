#!/bin/bash
# `tcplab run` filters (--host, --conn, --only) keep exactly the lines they name, and colour
# (--color) never reaches a pipe unless asked for. Usage: run_filters.sh BIN_DIR SOURCE_DIR
set -u
bin=$1
fail() { echo "FAIL: $*"; exit 1; }
lines() { "$bin/tcplab" run fin-wait-1-pileup "$@" 2>/dev/null | grep -E '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} '; }
all=$(lines)
n_all=$(echo "$all" | wc -l)
# --only: each kind alone is exactly the lines of that kind.
for k in states:'\*\*' segments:'IP' drops:'XX' apps:'\.\.'; do
  kind=${k%%:*} mark=${k#*:}
  want=$(echo "$all" | grep -c " $mark ")
  got=$(lines --only "$kind")
  [ "$(echo "$got" | grep -c " $mark ")" -eq "$want" ] || fail "--only $kind: not every $kind line"
  [ "$(echo "$got" | grep -vc " $mark ")" -eq 0 ] || fail "--only $kind: other lines: $(echo "$got" | grep -v " $mark " | head -2)"
  [ "$want" -gt 0 ] || fail "--only $kind: the lab has no such line"
done
got=$(lines --only states,drops | wc -l)
want=$(echo "$all" | grep -cE ' (\*\*|XX) ')
[ "$got" -eq "$want" ] || fail "--only states,drops: $got lines, expected $want"
# --host: the host's state changes and app calls, the segments it sends or is sent.
got=$(lines --host client)
[ "$(echo "$got" | grep -E ' (\*\*|\.\.) ' | grep -vc ' client ')" -eq 0 ] || fail "--host client: another host's state or app line"
[ "$(echo "$got" | grep ' IP ' | grep -vcE '10\.0\.0\.1\.[0-9]+ >|> 10\.0\.0\.1\.[0-9]+:')" -eq 0 ] || fail "--host client: a segment neither from nor to the client"
want=$(echo "$all" | grep -cE ' (\*\*|\.\.) client |10\.0\.0\.1\.[0-9]+ >|> 10\.0\.0\.1\.[0-9]+:|XX A>| XX [B-Z]>A')
[ "$(echo "$got" | wc -l)" -eq "$want" ] || fail "--host client: $(echo "$got" | wc -l) lines, expected $want"
[ "$(echo "$got" | wc -l)" -lt "$n_all" ] || fail "--host client keeps every line"
# --conn: the 2nd connection, by number and by its 4-tuple (either way round), the same lines.
c2=$(lines --conn 2)
tuple=$(echo "$c2" | grep -m1 -oE '\*\* client [0-9.:]+>[0-9.:]+' | awk '{print $3}' | sed 's/:$//')
[ -n "$tuple" ] || fail "--conn 2: no client state line"
a=${tuple%>*} b=${tuple#*>}
[ "$(lines --conn "$tuple")" = "$c2" ] || fail "--conn $tuple differs from --conn 2"
[ "$(lines --conn "$b>$a")" = "$c2" ] || fail "--conn $b>$a differs from --conn 2"
pa=${a##*:}
[ "$(echo "$c2" | grep -v " XX " | grep -vcE "[.:]$pa([ :>]|$)")" -eq 0 ] || fail "--conn 2: a line of another connection: $(echo "$c2" | grep -v " XX " | grep -vE "[.:]$pa([ :>]|$)" | head -1)"
[ "$(echo "$c2" | grep " XX " | grep -vc "B>A.2#")" -eq 0 ] && [ "$(echo "$c2" | grep -c "XX B>A.2#")" -gt 0 ] || fail "--conn 2: its drops are not (only) B>A.2#n"
# Colour: never in a pipe by default; always when asked; NO_COLOR wins over auto.
esc=$'\033'
[ "$("$bin/tcplab" run fin-wait-1-pileup 2>&1 | grep -c "$esc")" -eq 0 ] || fail "escape codes in a pipe"
[ "$("$bin/tcplab" run fin-wait-1-pileup --color never 2>&1 | grep -c "$esc")" -eq 0 ] || fail "escape codes with --color never"
painted=$("$bin/tcplab" run fin-wait-1-pileup --color always 2>/dev/null | grep "$esc")
[ "$(echo "$painted" | grep -cE ' (\*\*|XX) ')" -eq "$(echo "$all" | grep -cE ' (\*\*|XX) ')" ] || fail "--color always: not every state and drop line is coloured"
[ "$(echo "$painted" | grep -cE ' (IP|\.\.) ')" -eq 0 ] || fail "--color always: a packet or app line is coloured"
if command -v script >/dev/null 2>&1; then
  [ "$(NO_COLOR=1 script -qec "$bin/tcplab run fin-wait-1-pileup" /dev/null | grep -c "$esc")" -eq 0 ] || fail "NO_COLOR=1 on a terminal: escape codes"
  [ "$(script -qec "$bin/tcplab run fin-wait-1-pileup" /dev/null | grep -c "$esc")" -gt 0 ] || fail "on a terminal: no colour"
fi
# Bad values: one line, exit 2.
for bad in "--only foo" "--host nobody" "--conn 0" "--conn x" "--color sometimes"; do
  out=$("$bin/tcplab" run fin-wait-1-pileup $bad 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] || fail "$bad: exit $rc, expected 2"
  [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "$bad: more than one line: $out"
done
echo "ok: --only, --host, --conn keep exactly their lines ($n_all in all); colour only on a terminal or when asked"
