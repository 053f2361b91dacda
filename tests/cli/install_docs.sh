#!/bin/bash
# --version, the man page and the bash completion generated from the command-line definitions,
# and what `cmake --install` puts where (issue 19, item 6):
# - `tcplab --version` (and tcplab-viz's) print the version CMakeLists.txt's project() names;
# - every subcommand `tcplab --help` lists, and every option of its --help, is in the man page,
#   and man(1) renders it without a warning (when man is installed);
# - the completion completes subcommands, options, built-in lab names and .toml files;
# - an install into a scratch prefix has bin/tcplab, share/man/man1/tcplab.1,
#   share/bash-completion/completions/tcplab and the catalogue, and the installed binary
#   reads its labs from there.
# Usage: install_docs.sh BIN_DIR SOURCE_DIR
set -u
bin="$(cd "$1" && pwd)"
src="$(cd "$2" && pwd)"
build="$(dirname "$bin")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

want=$(sed -n 's/^project(tcplab VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$want" ] || fail "no project(tcplab VERSION ...) in CMakeLists.txt"
out=$("$bin/tcplab" --version); rc=$?
[ "$rc" = 0 ] && [ "$out" = "tcplab $want" ] || fail "tcplab --version printed '$out' (exit $rc), wanted 'tcplab $want'"
if [ -x "$bin/tcplab-viz" ]; then
  out=$("$bin/tcplab-viz" --version); rc=$?
  [ "$rc" = 0 ] && [ "$out" = "tcplab-viz $want" ] || fail "tcplab-viz --version printed '$out' (exit $rc)"
fi

# --- the man page ---------------------------------------------------------------------------
man1="$build/share/tcplab.1"
[ -s "$man1" ] || fail "the build did not generate $man1"
cmp -s "$man1" <("$bin/tcplab" man) || fail "$man1 differs from \`tcplab man\` (stale)"
# Subcommands as --help lists them: the lines under "Subcommands:".
subs=$("$bin/tcplab" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR>1 && NF {print $1}')
[ "$(echo "$subs" | wc -w)" -ge 10 ] || fail "could not read the subcommands from tcplab --help: $subs"
for s in $subs; do
  grep -q "^\.SS tcplab ${s//-/\\\\-}\( \|$\)" "$man1" || fail "man page: no section for '$s'"
  # Every long option in the subcommand's --help appears, with troff's \- for each dash.
  for o in $("$bin/tcplab" "$s" --help | grep -oE '(^|[ ,])--[a-z][a-z-]*' | tr -d ' ,' | sort -u); do
    [ "$o" = --help ] && continue
    grep -qF -- "$(echo "$o" | sed 's/-/\\-/g')" "$man1" || fail "man page: '$s $o' is missing"
  done
done
if command -v man >/dev/null 2>&1; then
  warn=$(MANWIDTH=80 man --warnings -l "$man1" 2>&1 >/dev/null)
  [ -z "$warn" ] || fail "man reports: $warn"
  MANWIDTH=80 man -l "$man1" 2>/dev/null | grep -q "EXIT STATUS" || fail "man did not render the page"
else
  echo "note: man is not installed; the page was checked as text only"
fi

# --- bash completion ---------------------------------------------------------------------------
comp="$build/share/tcplab.bash"
[ -s "$comp" ] || fail "the build did not generate $comp"
bash -n "$comp" || fail "$comp is not valid bash"
if [ -f /usr/share/bash-completion/bash_completion ]; then
  complete_words() {  # the completions of the last word of "$@"
    (cd "$tmp/cwd" && bash -c '
      source /usr/share/bash-completion/bash_completion
      source "$0"
      COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
      COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
      _tcplab; printf "%s\n" "${COMPREPLY[@]}"' "$comp" "$@" | sort | tr '\n' ' ')
  }
  mkdir -p "$tmp/cwd" && touch "$tmp/cwd/mine.toml" "$tmp/cwd/notes.txt"
  expect() { local got; got=$(complete_words "${@:2}"); [ "$got" = "$1" ] || fail "completing '${*:2}': got '$got', wanted '$1'"; }
  expect "run " tcplab ru
  expect "lost-fin lost-last-ack lost-syn lost-synack " tcplab run lost
  expect "mine.toml " tcplab check mi
  expect "--pcap --pcap-at " tcplab run lost-fin --pc
  expect "mine.toml notes.txt " tcplab run lost-fin --trace ''
  expect "--version " tcplab --ver
else
  echo "note: bash-completion is not installed; the script was only syntax-checked"
fi

# --- cmake --install ---------------------------------------------------------------------------
prefix="$tmp/usr"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "cmake --install failed"; }
for f in bin/tcplab share/man/man1/tcplab.1 share/bash-completion/completions/tcplab share/tcplab/catalogue/lost-fin.toml; do
  [ -s "$prefix/$f" ] || fail "cmake --install did not put $f in the prefix"
done
n_src=$(ls "$src"/labs/catalogue/*.toml | wc -l)
n_inst=$(ls "$prefix"/share/tcplab/catalogue/*.toml 2>/dev/null | wc -l)
[ "$n_src" = "$n_inst" ] || fail "installed $n_inst catalogue labs of $n_src"
# The installed binary reads the installed labs: one removed there is gone from its list.
rm -f "$prefix/share/tcplab/catalogue/lost-fin.toml"
(unset TCPLAB_CATALOGUE; "$prefix/bin/tcplab" list) >"$tmp/list" 2>&1
grep -q "^handshake " "$tmp/list" || fail "the installed tcplab lists no labs: $(head -3 "$tmp/list")"
grep -q "^lost-fin " "$tmp/list" && fail "the installed tcplab read the source tree's labs, not its own"

[ "$fails" = 0 ] && echo "OK: --version, man page, completion and install" || exit 1
