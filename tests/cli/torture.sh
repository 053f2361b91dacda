#!/bin/bash
# 2,000 random fault schedules must keep every TCP invariant (issue 8).
set -u
bin=$1
out=$("$bin/tcplab" torture --runs 2000 --seed 1 --save "$(mktemp -d)")
rc=$?
echo "$out" | tail -20
echo "$out" | grep -qx "2000 runs, 0 violations" || { echo "FAIL: expected '2000 runs, 0 violations'"; exit 1; }
[ $rc -eq 0 ] || { echo "FAIL: exit code $rc"; exit 1; }
