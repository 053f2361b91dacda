#!/bin/bash
# The scripted-peer corpus (tests/pkt/scripts, issue 15) against both targets:
#  - tcplab --profile linux: every script passes, except those listed in
#    tests/pkt/linux-differences.txt, which must fail (a listed one that passes fails this
#    test: take it off the list);
#  - the Linux kernel of this machine, where it can run (root, /dev/net/tun, namespaces):
#    every script passes. A kernel run is real time; a script that fails there is retried
#    once (the machine may be loaded), and fails the test if it fails twice.
# Usage: pkt_corpus.sh BIN_DIR SOURCE_DIR
set -u
bin=$1/tcplab
src=$2
dir=$src/tests/pkt/scripts
list=$src/tests/pkt/linux-differences.txt
fail=0
declare -A expected
while IFS=$'\t' read -r name why; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  [[ -f "$dir/$name" ]] || { echo "FAIL: $list names $name, which is not in $dir"; fail=1; }
  expected[$name]=$why
done < "$list"

n=0; passed=0; xfailed=0
for f in "$dir"/*.pkt; do
  name=$(basename "$f")
  n=$((n + 1))
  out=$("$bin" pkt -q "$f" 2>&1); rc=$?
  if [[ -n "${expected[$name]+x}" ]]; then
    if [[ $rc -eq 1 ]]; then xfailed=$((xfailed + 1));
    else echo "FAIL: $name is listed as a difference of the linux profile but exits $rc against tcplab: take it off $list"; echo "$out"; fail=1; fi
  elif [[ $rc -eq 0 ]]; then passed=$((passed + 1));
  else echo "FAIL: $name against tcplab (exit $rc):"; echo "$out"; fail=1; fi
done
echo "tcplab --profile linux: $n scripts, $passed pass, $xfailed known differences (tests/pkt/linux-differences.txt)"

if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]]; then
  echo "kernel: skipped (needs root and /dev/net/tun)"
else
  kn=0; kpassed=0; version=""
  # TCPLAB_PKT_KERNEL_EVERY=N runs only every N-th script against the kernel (scripts/test's
  # sanitizer build: the kernel is the same as in the main build's run, which runs them all;
  # a sample still drives pkt/kernel_target under ASan). Every script runs against tcplab.
  every=${TCPLAB_PKT_KERNEL_EVERY:-1}
  # Kernel runs are real time and mostly wait on timers (a-time-wait-expiry alone waits 60 s for
  # TIME-WAIT), so four run at once, each in a network namespace of its own, the slowest first.
  slow_first=(a-time-wait-expiry.pkt a-syn-retransmit-linear.pkt b-synack-retries-count-timeouts.pkt
              b-zero-window-probe-backoff.pkt)
  chosen=()
  i=0
  for f in "$dir"/*.pkt; do
    i=$((i + 1))
    (( (i - 1) % every == 0 )) && chosen+=("$(basename "$f")")
  done
  ordered=()
  for name in "${slow_first[@]}"; do
    [[ " ${chosen[*]} " == *" $name "* ]] && ordered+=("$name")
  done
  for name in "${chosen[@]}"; do
    [[ " ${slow_first[*]} " == *" $name "* ]] || ordered+=("$name")
  done
  results=$(mktemp -d)
  # One script against the kernel; writes NAME.rc, NAME.out.
  run_on_kernel() {
    local out rc
    out=$("$bin" pkt --against kernel -q "$dir/$1" 2>&1); rc=$?
    printf '%s\n' "$out" > "$results/$1.out"
    echo "$rc" > "$results/$1.rc"
  }
  export -f run_on_kernel
  export bin dir results
  printf '%s\n' "${ordered[@]}" | xargs -P4 -I{} bash -c 'run_on_kernel "$1"' _ {}
  # A script that failed is retried once, alone, after the others: the kernel's timing is real
  # (a 10000-byte write left as one TSO segment or as 1000 + 9000 depends on when the reader of
  # the TUN device ran), and four at once beside the sanitizer build's tests load the machine
  # (CI, 2026-12-07: b-rto-sack-no-fast-retransmit.pkt failed twice in a row, retried at once).
  for name in "${ordered[@]}"; do
    if [[ $(cat "$results/$name.rc" 2>/dev/null) != 0 ]] && ! grep -q 'cannot run here' "$results/$name.out" 2>/dev/null; then
      touch "$results/$name.retried"
      run_on_kernel "$name"
    fi
  done
  kn=0; kpassed=0; version=""
  for name in "${chosen[@]}"; do
    kn=$((kn + 1))
    rc=$(cat "$results/$name.rc" 2>/dev/null || echo 99)
    out=$(cat "$results/$name.out" 2>/dev/null)
    if [[ $rc -eq 2 ]] && grep -q 'cannot run here' <<< "$out"; then echo "kernel: skipped ($out)"; kn=-1; break; fi
    if [[ $rc -eq 0 ]]; then kpassed=$((kpassed + 1)); version=$(sed -n 's/.*against \(Linux [^)]*\)).*/\1/p' <<< "$out" | head -1);
    else echo "FAIL: $name against the kernel (exit $rc):"; echo "$out"; fail=1; fi
  done
  retried=$(cd "$results" && ls -- *.retried 2>/dev/null | sed 's/\.retried$//' | tr '\n' ' ')
  rm -rf "$results"
  [[ $kn -ge 0 ]] && echo "kernel ($version): $kn scripts, $kpassed pass${retried:+ (retried once: $retried)}"
fi
exit $fail
