#!/bin/bash
# Every example a new user copies must run (issue 18): the "Examples:" footer of `tcplab
# --help` and of every subcommand's --help, and the command lines of the code blocks in
# README.md, labs/README.md and viz/README.md that start with `tcplab ` or `build/bin/tcplab `
# (a leading "$ " prompt allowed). Each runs in a scratch directory with a timeout; the test
# fails if tcplab exits 2 (bad input) or dies of a signal anywhere in the line (pipes and &&
# chains included: `tcplab` on PATH is a wrapper that logs such exits). Exit 1 (a check
# failed) and a timeout (a long run that started) are fine.
# Usage: help_examples.sh BIN_DIR SOURCE_DIR
set -u
bin="$(cd "$1" && pwd)"
src="$(cd "$2" && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# `tcplab` and `build/bin/tcplab` both reach the binary under test through this wrapper.
mkdir -p "$tmp/path" "$tmp/run/build/bin"
cat >"$tmp/path/tcplab" <<EOF
#!/bin/bash
"$bin/tcplab" "\$@"
rc=\$?
case \$rc in
  2 | 132 | 133 | 134 | 135 | 136 | 139) echo "exit \$rc: tcplab \$*" >>"$tmp/bad" ;;
esac
exit \$rc
EOF
chmod +x "$tmp/path/tcplab"
ln -s "$tmp/path/tcplab" "$tmp/run/build/bin/tcplab"
# Examples name files relative to the source tree (labs/catalogue/*.toml) and files the
# reader is assumed to have: my-lab.toml is labs/README.md's own example lab, so that block
# is checked too; alice-predictions.txt is a few predictions as `tcplab step` reads them.
for d in labs tests bench; do ln -s "$src/$d" "$tmp/run/$d"; done
awk '/^```toml/{inb=1; next} /^```/{if (inb) exit} inb' "$src/labs/README.md" >"$tmp/run/my-lab.toml"
grep -q '^title = ' "$tmp/run/my-lab.toml" || fail "labs/README.md has no \`\`\`toml example lab"
printf 'LISTEN\nSYN_SENT\nS 0 - 0\n' >"$tmp/run/alice-predictions.txt"

# Why an example is not run.
skip_reason() {
  case "$1" in
    sudo\ *) echo "needs root and the Linux kernel (TUN device, network namespace)" ;;
    *huge.toml*) echo "shows the refusal of an oversized lab on purpose (exit 2 is the point)" ;;
    *tcplab-viz*) echo "a GUI" ;;
    *\ /grade/*) echo "runs inside PrairieLearn's grading container (its /grade directory)" ;;
    *) return 1 ;;
  esac
}

# The examples, one a line: help footers first, then the READMEs' code blocks.
examples="$tmp/examples"
: >"$examples"
help_examples() {  # the lines of an "Examples:" footer, descriptions after 3+ spaces removed
  awk '/^Examples:/{on=1; next} on && /^  /{print; next} on{exit}' | grep 'tcplab' |
    sed -E 's/^ +//; s/ {3,}.*$//'
}
"$bin/tcplab" --help | help_examples >>"$examples"
subs=$("$bin/tcplab" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1; next} on{exit}')
[ -n "$subs" ] || fail "no subcommands found in tcplab --help"
for s in $subs; do "$bin/tcplab" "$s" --help | help_examples >>"$examples"; done
for f in README.md labs/README.md viz/README.md; do
  awk '/^```/{inb=!inb; next} inb' "$src/$f" | grep -E '^(\$ )?(build/bin/)?tcplab ' |
    sed -E 's/^\$ //; s/ +# .*$//' >>"$examples"
done
n=$(wc -l <"$examples")
[ "$n" -ge 20 ] || fail "only $n examples found; the extraction is broken"

ran=0
while IFS= read -r line; do
  if why=$(skip_reason "$line"); then
    echo "skip: $line  ($why)"
    continue
  fi
  : >"$tmp/bad"
  (cd "$tmp/run" && PATH="$tmp/path:$PATH" timeout 20 bash -c "$line" </dev/null >"$tmp/out" 2>"$tmp/err")
  rc=$?
  ran=$((ran + 1))
  if [ -s "$tmp/bad" ]; then
    fail "$line: $(head -1 "$tmp/bad"): $(head -c 300 "$tmp/err")"
  else
    echo "ok (exit $rc): $line"
  fi
done <"$examples"
[ "$ran" -ge 15 ] || fail "only $ran examples ran"
echo "$ran examples ran, $fails failed"
[ "$fails" -eq 0 ]
