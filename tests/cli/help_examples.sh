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

# Two examples at a time (the machine's two cores), each in its own copy of the scratch
# directory (examples write files: two may write the same name), its own wrapper log.
run_one() {  # K LINE: runs example K, writes $tmp/result.K
  local k=$1 line=$2 dir="$tmp/run.$k" rc
  cp -a "$tmp/run" "$dir"
  sed "s|$tmp/bad|$tmp/bad.$k|" "$tmp/path/tcplab" >"$tmp/path.$k"
  mkdir -p "$tmp/pathdir.$k" "$dir/build/bin"
  mv "$tmp/path.$k" "$tmp/pathdir.$k/tcplab"
  chmod +x "$tmp/pathdir.$k/tcplab"
  ln -sf "$tmp/pathdir.$k/tcplab" "$dir/build/bin/tcplab"
  : >"$tmp/bad.$k"
  (cd "$dir" && PATH="$tmp/pathdir.$k:$PATH" timeout 20 bash -c "$line" </dev/null >"$tmp/out.$k" 2>"$tmp/err.$k")
  rc=$?
  if [ -s "$tmp/bad.$k" ]; then
    echo "FAIL: $line: $(head -1 "$tmp/bad.$k"): $(head -c 300 "$tmp/err.$k")" >"$tmp/result.$k"
  else
    echo "ok (exit $rc): $line" >"$tmp/result.$k"
  fi
  rm -rf "$dir"
}
ran=0
k=0
eligible=0
while IFS= read -r line; do
  k=$((k + 1))
  if why=$(skip_reason "$line"); then
    echo "skip: $line  ($why)" >"$tmp/result.$k"
    continue
  fi
  eligible=$((eligible + 1))
  # TCPLAB_SAMPLE_EVERY=N (the sanitizer build): every N-th example; the main build runs all.
  if (( (eligible - 1) % ${TCPLAB_SAMPLE_EVERY:-1} != 0 )); then
    echo "skip: $line  (sampled out under the sanitizers)" >"$tmp/result.$k"
    continue
  fi
  ran=$((ran + 1))
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
  run_one "$k" "$line" &
done <"$examples"
wait
for i in $(seq 1 "$k"); do
  cat "$tmp/result.$i"
  grep -q '^FAIL: ' "$tmp/result.$i" && fails=$((fails + 1))
done
# The examples found (a broken extraction finds none), and the sample taken of them.
[ "$eligible" -ge 15 ] || fail "only $eligible examples found"
[ "$ran" -ge $((eligible / ${TCPLAB_SAMPLE_EVERY:-1})) ] || fail "only $ran of $eligible examples ran"
echo "$ran examples ran, $fails failed"
[ "$fails" -eq 0 ]
