# Sourced by the tests of the picture commands (plot.sh, draw.sh, report.sh) after they set
# $bin (the binaries) and $cmd (the subcommand): a scratch directory $tmp, fail() counting
# into $fails, and `bad 'expected message' args...`, which runs `tcplab $cmd args...` and
# expects bad input: exit 2 and one line on stderr saying that.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
bad() {
  local want=$1
  shift
  "$bin/tcplab" "$cmd" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ $rc -eq 2 ] || fail "$cmd $*: exit $rc, expected 2"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$cmd $*: $(wc -l <"$tmp/err") lines on stderr: $(cat "$tmp/err")"
  grep -qF -- "$want" "$tmp/err" || fail "$cmd $*: '$(cat "$tmp/err")' does not say '$want'"
}
