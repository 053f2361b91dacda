#!/bin/bash
# Records Linux's own TCP for `tcplab import` to be checked against (issue 21): two network
# namespaces joined by a veth pair, small Python programs as client and server, tcpdump on the
# client's side, and `ss -tanH` polled in both namespaces every few milliseconds. For each
# scenario NAME it writes OUT/NAME.pcap (the client's capture point) and OUT/NAME.ss: a line
# per socket state change seen by the poller below (ns is "client" or "server"; times are
# CLOCK_REALTIME, the clock of the pcap's timestamps). States are named as `ss` names them. Needs root, iproute2, tcpdump, ethtool and python3; exits 77 otherwise.
# Nothing outside the two namespaces it creates (and removes) is touched.
# Usage: record_captures.sh OUT_DIR [SCENARIO...]
set -u
out=$1
shift
mkdir -p "$out"
[ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root"; exit 77; }
for t in ip tcpdump ss python3 ethtool; do
  command -v $t >/dev/null || { echo "SKIPPED: needs $t"; exit 77; }
done
tag=tl$$
ca=${tag}c
sa=${tag}s
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null
  ip netns del "$ca" 2>/dev/null
  ip netns del "$sa" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$ca" && ip netns add "$sa" || { echo "SKIPPED: cannot create network namespaces"; exit 77; }
ip link add "${tag}a" netns "$ca" type veth peer name "${tag}b" netns "$sa" || { echo "SKIPPED: no veth"; exit 77; }
ip -n "$ca" addr add 10.77.0.1/24 dev "${tag}a"
ip -n "$sa" addr add 10.77.0.2/24 dev "${tag}b"
for n in "$ca" "$sa"; do
  ip -n "$n" link set lo up
  ip netns exec "$n" sysctl -qw net.ipv4.tcp_congestion_control=reno 2>/dev/null || true
  # One segment per packet in the capture, as a NIC without offloads would send them.
  ip netns exec "$n" ethtool -K "${tag}a" tso off gso off gro off 2>/dev/null || true
  ip netns exec "$n" ethtool -K "${tag}b" tso off gso off gro off 2>/dev/null || true
done
ip -n "$ca" link set "${tag}a" up
ip -n "$sa" link set "${tag}b" up
for n in "$ca" "$sa"; do
  ip netns exec "$n" ethtool -K "${tag}a" tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec "$n" ethtool -K "${tag}b" tso off gso off gro off >/dev/null 2>&1 || true
done
# 10.77.0.3 is nobody: its frames go to the server's namespace, which does not forward them.
ip -n "$ca" neigh add 10.77.0.3 lladdr "$(ip -n "$sa" -o link show "${tag}b" | sed -E 's/.*link\/ether ([0-9a-f:]+).*/\1/')" \
  dev "${tag}a" nud permanent
sleep 0.2  # the veth pair comes up (IPv6 DAD does not matter: IPv4 only)

# The two ends of each scenario, in Python: argv = scenario role.
cat >"$out/.roles.py" <<'PY'
import os, re, select, socket, struct, subprocess, sys, time
scenario, role, here = sys.argv[1], sys.argv[2], sys.argv[3]
SERVER = ("10.77.0.2", 9502)

# Losses, made by this end's own namespace (nftables: no netem on these kernels): arriving
# segments that match `rule` are counted and dropped until undrop().
def nft(cmd):
    subprocess.run(["nft", cmd], check=True)
def drop_arriving(rule):
    nft("add table inet tl")
    nft("add chain inet tl in { type filter hook input priority 0; }")
    nft("add rule inet tl in " + rule + " counter drop")
def dropped():
    out = subprocess.run(["nft", "list chain inet tl in"], capture_output=True, text=True).stdout
    m = re.search(r"counter packets (\d+)", out)
    return int(m.group(1)) if m else 0
def undrop_after_first():  # waits until one segment was dropped, then lets the rest through
    t = time.time()
    while dropped() < 1:
        if time.time() - t > 10: sys.exit("%s: nothing was dropped" % role)
        time.sleep(0.002)
    nft("delete table inet tl")

def listener(rcvbuf=None):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind(SERVER); s.listen(8)
    return s

def read_all(c):
    n = 0
    while True:
        d = c.recv(65536)
        if not d: return n
        n += len(d)

if scenario == "close":  # the article's exchange, then the client closes first
    if role == "server":
        l = listener(); c, _ = l.accept()
        c.recv(7); c.sendall(b"x" * 18)
        read_all(c); time.sleep(0.3); c.close()     # CLOSE_WAIT for 0.3 s, then LAST_ACK
    else:
        c = socket.create_connection(SERVER); time.sleep(0.1)
        c.sendall(b"request"); c.recv(18); time.sleep(0.2)
        c.close(); time.sleep(1.0)                   # FIN_WAIT_2, then TIME_WAIT
elif scenario == "passive-close":  # the server closes first
    if role == "server":
        l = listener(); c, _ = l.accept()
        c.sendall(b"y" * 1000); time.sleep(0.2); c.close(); time.sleep(1.0)
    else:
        c = socket.create_connection(SERVER)
        while len(c.recv(4096)) > 0: pass
        time.sleep(0.3); c.close(); time.sleep(0.3)  # CLOSE_WAIT for 0.3 s
elif scenario == "rst":  # SO_LINGER 0: close() sends an RST
    if role == "server":
        l = listener(); c, _ = l.accept(); c.recv(100); time.sleep(0.1)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close(); time.sleep(0.3)
    else:
        c = socket.create_connection(SERVER); c.sendall(b"hello")
        try: c.recv(100)
        except ConnectionResetError: pass
        time.sleep(0.3)
elif scenario == "dead-host":  # SYNs to an address nobody answers: SYN_SENT, retransmissions
    if role == "client":  # still waiting when the recording stops (3.5 s)
        c = socket.socket(); c.setblocking(False)
        try: c.connect(("10.77.0.3", 9502))
        except BlockingIOError: pass
        time.sleep(4.5)
    else:
        time.sleep(2.5)
elif scenario == "zero-window":  # a receiver that does not read: the window closes, probes
    if role == "server":
        l = listener(rcvbuf=4096); c, _ = l.accept(); time.sleep(1.5)
        read_all(c); c.close(); time.sleep(0.3)
    else:
        c = socket.create_connection(SERVER); c.sendall(b"z" * 200000); c.close(); time.sleep(1.0)
elif scenario == "half-close":  # shutdown(SHUT_WR): the other way keeps sending
    if role == "server":
        l = listener(); c, _ = l.accept(); read_all(c)
        for _ in range(3): c.sendall(b"w" * 500); time.sleep(0.1)
        c.close(); time.sleep(0.3)
    else:
        c = socket.create_connection(SERVER); c.sendall(b"q" * 100); c.shutdown(socket.SHUT_WR)
        read_all(c); c.close(); time.sleep(0.5)
elif scenario == "lost-fin":  # the client's first FIN never reaches the server: FIN_WAIT_1 until it is sent again
    if role == "server":
        drop_arriving("tcp flags & fin == fin"); l = listener(); c, _ = l.accept()
        c.recv(7); c.sendall(b"x" * 18)
        undrop_after_first(); read_all(c); time.sleep(0.1); c.close(); time.sleep(0.3)
    else:
        c = socket.create_connection(SERVER); c.sendall(b"request"); c.recv(18); time.sleep(0.1)
        c.close(); time.sleep(1.5)
elif scenario == "simultaneous-open":  # both ends connect() to each other, no listener
    # Each end drops the other's first SYN, so both wait in SYN_SENT; the two SYNs sent again
    # (both timers armed within a millisecond or two, in the same slot of the kernel's timer
    # wheel) then cross, and each end takes the other's SYN in SYN_SENT: SYN_RECV, SYN,ACK.
    me, peer = (SERVER, ("10.77.0.1", 9503)) if role == "server" else (("10.77.0.1", 9503), SERVER)
    drop_arriving("tcp flags & (syn|ack) == syn")
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(me)
    open(os.path.join(here, ".ready-" + role), "w").close()
    other = os.path.join(here, ".ready-" + ("client" if role == "server" else "server"))
    t = time.time()
    while not os.path.exists(other):
        if time.time() - t > 10: sys.exit("%s: the other end never got ready" % role)
        time.sleep(0.0005)
    s.setblocking(False); s.connect_ex(peer)
    undrop_after_first()
    if not select.select([], [s], [], 10)[1] or s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
        sys.exit("%s: the simultaneous open failed" % role)
    # Then one exchange, a pause before each send (no data crossing within microseconds), and
    # the server closes first.
    s.setblocking(True)
    if role == "server":
        time.sleep(0.05); s.sendall(b"server"); s.recv(100); time.sleep(0.2); s.close(); time.sleep(1.0)
    else:
        s.recv(100); time.sleep(0.05); s.sendall(b"client"); read_all(s); time.sleep(0.2); s.close(); time.sleep(0.3)
else:
    sys.exit("no scenario " + scenario)
PY

# The poller: /proc/net/tcp read every millisecond or so (no process per poll), one line per
# socket each time its state is first seen: t_ns <TAB> ns <TAB> STATE <TAB> local <TAB> peer
# <TAB> t_ns when the read before started (the state began between the two). A socket that disappears
# is reported once as CLOSED.
cat >"$out/.poll.py" <<'PY'
import socket, struct, sys, time
ns = sys.argv[1]
NAMES = {1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2", 6: "TIME-WAIT",
         7: "CLOSED", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING", 12: "NEW-SYN-RECV"}
def addr(h):
    ip, port = h.split(":")
    return "%s:%d" % (socket.inet_ntoa(struct.pack("<I", int(ip, 16))), int(port, 16))
seen, prev = {}, time.time_ns()
out = sys.stdout
while True:
    # A state first seen in this read began after the previous read started (prev) and
    # before this one ended (now): the clock is read around the file, since the poller may
    # be descheduled anywhere in between on a loaded machine.
    start = time.time_ns()
    cur = {}
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            p = line.split()
            cur[(addr(p[1]), addr(p[2]))] = NAMES.get(int(p[3], 16), p[3])
    now = time.time_ns()
    for k, st in cur.items():
        if seen.get(k) != st:
            out.write("%d\t%s\t%s\t%s\t%s\t%d\n" % (now, ns, st, k[0], k[1], prev))
    for k in seen:
        if k not in cur:
            out.write("%d\t%s\tCLOSED\t%s\t%s\t%d\n" % (now, ns, k[0], k[1], prev))
    out.flush()
    seen, prev = cur, start
    time.sleep(0.001)
PY
poll() {  # poll NS LABEL FILE: until killed
  ip netns exec "$1" python3 "$out/.poll.py" "$2" >>"$3" 2>/dev/null &
}

scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=(close passive-close rst dead-host zero-window half-close lost-fin simultaneous-open)
# The two that lose segments need nftables in the namespaces.
if ! command -v nft >/dev/null; then
  kept=()
  for sc in "${scenarios[@]}"; do
    case $sc in lost-fin|simultaneous-open) echo "$sc: SKIPPED: needs nft (Debian's nftables)" ;; *) kept+=("$sc") ;; esac
  done
  scenarios=("${kept[@]}")
fi
record() {  # SCENARIO: one recording; fails when tcpdump says the kernel dropped packets
  local sc=$1
  : >"$out/$sc.ss"
  # A large buffer: on a loaded machine (CI's builds) tcpdump falls behind, and a capture that
  # lost segments is a different exchange (a zero-window run lost its FINs that way).
  ip netns exec "$ca" tcpdump -i "${tag}a" -n -s 0 -B 32768 -U --immediate-mode -w "$out/$sc.pcap" tcp 2>"$out/.dump.err" &
  dump=$!
  poll "$ca" client "$out/$sc.ss"; pc=$!
  poll "$sa" server "$out/$sc.ss"; ps=$!
  sleep 0.5  # tcpdump attached, both pollers running
  # Each end has 20 s (the longest scenario takes 4.5): one that hangs (a peer that failed
  # early) ends the recording as failed instead of stalling it.
  rm -f "$out/.ready-client" "$out/.ready-server"
  ip netns exec "$sa" timeout 20 python3 "$out/.roles.py" "$sc" server "$out" &
  srv=$!
  # The client starts once the server listens (a loaded machine can take longer than any fixed
  # pause to start Python, and a SYN before the listen is answered with RST); the dead host's
  # "server" listens on nothing, and the two ends of a simultaneous open wait for each other.
  case $sc in dead-host|simultaneous-open) sleep 0.2 ;; *) false ;; esac || for _ in $(seq 100); do
    [ -n "$(ip netns exec "$sa" ss -Hltn 'sport = :9502')" ] && break
    sleep 0.05
  done
  ip netns exec "$ca" timeout 20 python3 "$out/.roles.py" "$sc" client "$out" &
  cli=$!
  wait $srv
  local rc_srv=$?
  sleep 1  # the last packets reach the capture file
  kill $pc $ps 2>/dev/null; wait $pc $ps 2>/dev/null
  kill -INT $dump; wait $dump 2>/dev/null
  wait $cli
  local rc_cli=$?
  sort -o "$out/$sc.ss" "$out/$sc.ss"
  [ $rc_srv -eq 0 ] && [ $rc_cli -eq 0 ] || { echo "$sc: the server exited $rc_srv, the client $rc_cli: recording again"; return 1; }
  local dropped
  dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$out/.dump.err" | head -1)
  [ "${dropped:-0}" -eq 0 ] || { echo "$sc: tcpdump's buffer lost $dropped packets: recording again"; return 1; }
}
for sc in "${scenarios[@]}"; do
  record "$sc" || record "$sc" || record "$sc"
  echo "$sc: $(tcpdump -r "$out/$sc.pcap" -n 2>/dev/null | wc -l) packets, $(wc -l <"$out/$sc.ss") ss lines"
done
rm -f "$out/.dump.err"
rm -f "$out/.roles.py" "$out/.poll.py" "$out/.ready-client" "$out/.ready-server"
