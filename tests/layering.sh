#!/bin/bash
# The build enforces the direction viz -> labs -> import -> sim -> pkt -> stack (DESIGN "Layout"): each part
# sees only its own include root and those of the parts below it. A probe that includes a
# header of a part below compiles; one that includes a part above does not.
# Usage: layering.sh CXX INCLUDE_ROOTS_DIR
set -u
cxx=$1
roots=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# The roots each part is built with (its own and those below it).
declare -A sees=(
  [stack]="stack"
  [pkt]="stack pkt"
  [sim]="stack pkt sim"
  [import]="stack pkt sim import"
  [labs]="stack pkt sim import labs"
)
probe() {  # PART HEADER -> 0 if it compiles
  local flags=()
  for r in ${sees[$1]}; do flags+=(-I "$roots/$r"); done
  printf '#include "%s"\nint main() {}\n' "$2" > "$tmp/probe.cpp"
  "$cxx" -std=c++20 -fsyntax-only "${flags[@]}" -isystem /usr/include/tins "$tmp/probe.cpp" 2> "$tmp/err"
}
expect() {  # ok|fails PART HEADER
  # A failure counts only when it is the include itself that is not found.
  if probe "$2" "$3"; then got=ok; elif grep -qE "$3: No such file|'$3' file not found" "$tmp/err"; then got=fails; else got=broken; fi
  if [ "$got" = "$1" ]; then
    echo "ok: $2 including $3 $got"
  else
    echo "FAIL: $2 including $3 $got (expected: $1)"
    head -3 "$tmp/err"
    fail=1
  fi
}
expect ok stack stack/tcp_host.hpp
expect fails stack sim/world.hpp
expect ok pkt pkt/script.hpp
expect fails pkt sim/world.hpp
expect fails stack pkt/script.hpp
expect ok sim sim/world.hpp
expect fails sim labs/lab.hpp
expect fails sim import/infer.hpp
expect ok import sim/trace.hpp
expect fails import labs/lab.hpp
expect ok labs import/infer.hpp
expect ok labs labs/lab.hpp
expect fails labs viz/session.hpp
exit $fail
