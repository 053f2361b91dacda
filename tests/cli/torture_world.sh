#!/bin/bash
# 1,000 random labs over the whole lab language (hosts, links, every script step, client
# generators, floods, scans, crashes, faults, checks) keep every invariant that still holds
# there, replay identically and rewind exactly (issue 14). About 10 s with the -O2 build.
set -u
bin=$1
out=$("$bin/tcplab" torture --world --runs 1000 --seed 1 --save "$(mktemp -d)")
rc=$?
echo "$out" | tail -20
echo "$out" | grep -qx "1000 runs, 0 violations" || { echo "FAIL: expected '1000 runs, 0 violations'"; exit 1; }
[ $rc -eq 0 ] || { echo "FAIL: exit code $rc"; exit 1; }
