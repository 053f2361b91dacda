#!/bin/bash
# Real-kernel captures of what veth cannot make happen (issue 21): this kernel has no netem or
# iptables to lose a FIN or make two SYNs cross, so the peer is a script (tcplab pkt --against
# kernel: the kernel in its own namespace behind a TUN device), and the exchange, which the
# script checks segment by segment against the kernel, is written as a pcap and imported. The
# kernel's side (192.168.0.1, the capture host: exact) must go through the states Linux goes
# through (tcp_rcv_synsent_state_process: SYN_SENT -> SYN_RECV on a crossing SYN; a lost FIN:
# LAST_ACK held across its retransmissions until the ACK), and every state the kernel itself
# had while the script ran (`--kernel-states`: /proc/net/tcp in the script's namespace, read
# about every millisecond) must be the import's within that read's interval
# (tests/kernel/compare_states.py, as for the veth recordings).
# Usage: import_kernel_pkt.sh BIN_DIR SOURCE_DIR
set -u
T=$1/tcplab
src=$2
if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]]; then
  echo "skip: needs root and /dev/net/tun"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # SCRIPT EXPECTED-STATES...
  local name=$1
  shift
  local out rc
  local run=("$T" pkt --against kernel -q "$src/tests/pkt/scripts/$name.pkt" --pcap "$tmp/$name.pcap" --kernel-states "$tmp/$name.ss")
  out=$("${run[@]}" 2>&1); rc=$?
  if [[ $rc -ne 0 ]]; then  # a loaded machine: once more
    out=$("${run[@]}" 2>&1); rc=$?
  fi
  if [[ $rc -eq 2 ]] && grep -q 'cannot run here' <<< "$out"; then echo "skip: $out"; return; fi
  [[ $rc -eq 0 ]] || { echo "FAIL $name against the kernel: $out"; fail=1; return; }
  local got
  got=$("$T" import "$tmp/$name.pcap" --states --at-host 192.168.0.1 2>/dev/null | grep ' \*\* 192\.168\.0\.1 ' |
        sed -E 's/.*: ([A-Z_0-9]+) -> ([A-Z_0-9]+) .*/\1->\2/' | tr '\n' ' ')
  local want="$*"
  if [[ "$got" == "$want " ]]; then
    echo "ok   $name: the kernel's side $want"
  else
    echo "FAIL $name: the kernel's side inferred as '$got', Linux goes '$want'"
    fail=1
  fi
  "$T" import "$tmp/$name.pcap" --at-host 192.168.0.1 --trace "$tmp/$name.jsonl" -q 2>/dev/null
  if python3 "$src/tests/kernel/compare_states.py" "$tmp/$name.jsonl" "$tmp/$name.ss" "$tmp/$name.pcap" > "$tmp/cmp.txt"; then
    echo "ok   $name: $(tail -1 "$tmp/cmp.txt")"
  else
    echo "FAIL $name: the kernel's polled states against the import:"; cat "$tmp/cmp.txt"
    fail=1
  fi
}
check a-simultaneous-open "CLOSED->SYN_SENT" "SYN_SENT->SYN_RECEIVED" "SYN_RECEIVED->ESTABLISHED"
check a-last-ack-retransmit "LISTEN->SYN_RECEIVED" "SYN_RECEIVED->ESTABLISHED" "ESTABLISHED->CLOSE_WAIT" "CLOSE_WAIT->LAST_ACK" "LAST_ACK->CLOSED"
check b-tlp-lost-fin "LISTEN->SYN_RECEIVED" "SYN_RECEIVED->ESTABLISHED" "ESTABLISHED->CLOSE_WAIT" "CLOSE_WAIT->LAST_ACK" "LAST_ACK->CLOSED"
exit $fail
