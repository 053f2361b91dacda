#!/bin/bash
# 1,000 random labs over the whole lab language (hosts, links, every script step, client
# generators, floods, scans, crashes, faults, checks) keep every invariant that still holds
# there, replay identically and rewind exactly (issue 14). About 10 s with the -O2 build.
set -u
bin=$1
src=$2
# TCPLAB_SAMPLE_EVERY=N (the sanitizer build, tests/CMakeLists.txt): 1000/N runs.
runs=$((1000 / ${TCPLAB_SAMPLE_EVERY:-1}))
out=$("$bin/tcplab" torture --world --runs $runs --seed 1 --save "$(mktemp -d)")
rc=$?
echo "$out" | tail -20
echo "$out" | grep -qx "$runs runs, 0 violations" || { echo "FAIL: expected '$runs runs, 0 violations'"; exit 1; }
[ $rc -eq 0 ] || { echo "FAIL: exit code $rc"; exit 1; }
# Labs that once failed, kept as files (a seed draws another lab once the generator learns a
# new knob): two zero windows after RTOs trading out-of-window ACKs forever at one instant
# (10278978, 10287783, 60533413, 61138994), a fast 1 us-path transfer the hang budget took for
# a hang (15123457), all 2026-12-05; a SYN cookie's TSval ahead of the clock, which PAWS
# rejected, looping at one instant (451), and a one-byte window's four events a byte taken
# for a hang (107867), 2026-12-06.
# Under ASan (ASAN_OPTIONS set, as scripts/test does) the two long ones are left out (107867 moves
# 200,000 bytes a byte at a time: 53 s and 2.8 GB there, 11 s in the main build; 15123457: 9 s):
# the main build runs them all.
for f in "$src"/tests/cli/torture_regressions/*.toml; do
  if [ -n "${ASAN_OPTIONS:-}" ] && [[ $f == *-107867.toml || $f == *-15123457.toml ]]; then
    echo "left out under ASan: $(basename "$f")"
    continue
  fi
  out=$("$bin/tcplab" torture --world --lab "$f")
  echo "$out" | grep -qx "1 runs, 0 violations" || { echo "FAIL: $f:"; echo "$out" | head -5; exit 1; }
done
echo "the labs that once failed pass"
# Seeds whose lab once needed gigabytes: a one-byte tcp_rmem window moving a 200,000-byte
# send a byte at a time (millions of trace events, 3 GB with the replay's copy; a 10^5-run
# campaign was OOM-killed, 2026-12-06). The generator now gives such hosts small sends; under
# a 1 GB address-space cap a run that needs more fails with std::bad_alloc, a violation.
# An ASan build reserves terabytes of shadow address space, which no address-space cap allows:
# there (ASAN_OPTIONS set, as scripts/test does) the seeds run uncapped; the doctest in
# tests/labs/test_torture_world.cpp bounds their trace either way.
cap=(prlimit --as=1000000000 --)
[ -n "${ASAN_OPTIONS:-}" ] && cap=()
for s in 30018470 30019299; do
  out=$("${cap[@]}" "$bin/tcplab" torture --world --runs 1 --seed $s)
  echo "$out" | grep -qx "1 runs, 0 violations" || { echo "FAIL: seed $s under a 1 GB cap:"; echo "$out" | head -5; exit 1; }
done
echo "the seeds that once needed gigabytes run in under 1 GB"
