#!/bin/bash
# Issue 21's real-kernel check (tests/kernel/check_kernel_captures.sh): Linux's own TCP
# recorded in two network namespaces (tcpdump at the client, its socket states polled about
# every millisecond) for six scenarios, imported, and each state the kernel had found in the
# import's inferred states within the polling interval. SKIPPED (exit 0) without root or
# namespaces.
exec bash "$2/tests/kernel/check_kernel_captures.sh" "$1" "$2"
