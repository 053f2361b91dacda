#!/usr/bin/env python3
"""Round trip for `tcplab import` (issue 21's first verification): a lab's pcap, captured at
one host, imported; the inferred states must equal the simulation's true states. Exactly (to
the pcap's microsecond) for the capturing host's connections; for the far side, each
transition within the delay the capture point implies (the path's round trip, which the
importer halves to place far events: a lost answer can shift it by a retransmission, which
the tolerance does not hide).

Compared: per connection (4-tuple, seen from the host), the sequence of (from, to, time) of
the state changes up to the capture's last frame. Left out, because no segment shows them:
transitions caused by a host crash (all state lost, nothing sent), timer expiries the
importer does not model (FIN_WAIT_2's tcp_fin_timeout, an orphan's retries, keep-alive and
RTO give-ups) and the listener sockets (their LISTEN is never on the wire).

Usage: import_roundtrip.py TCPLAB LAB [--seed N] [--until T] [--host NAME ...]; prints one line per
capture point and exits 1 on a mismatch."""
import json
import os
import subprocess
import sys
import tempfile

INVISIBLE = ("crashed", "tcp_fin_timeout", "USER TIMEOUT", "R2:", "keep-alive", "keepalive", "orphan", "SO_LINGER")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def states_by_conn(events, ip, end_us):
    """{conn: [(from, to, t_us, cause)]} for the host with address ip, up to end_us."""
    out = {}
    for e in events:
        if e["type"] != "state" or e["conn"].endswith(":0"):
            continue
        if not e["conn"].startswith(ip + ":"):
            continue
        t = e["t_ns"] // 1000
        if t > end_us:
            continue
        out.setdefault(e["conn"], []).append((e["from"], e["to"], t, e["cause"]))
    return out


def cut_invisible(sim, imp):
    """Each connection up to its first transition no segment shows (a crash, an unmodelled timer):
    what follows it cannot be checked against the capture."""
    for conn, seq in sim.items():
        for k, (_, _, t, cause) in enumerate(seq):
            if any(w in cause for w in INVISIBLE):
                sim[conn] = seq[:k]
                if conn in imp:
                    imp[conn] = [x for x in imp[conn] if x[2] <= t]
                break


def compare(sim, imp, tolerance, lossy=frozenset(), cut_us=None):
    """Near side: tolerance 1us. Far side: the connection's round trip (tolerance maps a
    connection key to it), or later when the simulation lost one of its segments (the far
    side's change shows only in an answer that got through)."""
    problems = []
    cut_invisible(sim, imp)
    for conn in sorted(set(sim) | set(imp)):
        a, b = sim.get(conn), imp.get(conn, [])
        if a is None:
            continue  # no TCP state in the simulation: a scripted or spoofed peer (pkt, raw)
        if any("cookie" in c for _, _, _, c in a):
            continue  # SYN cookies keep no SYN_RECV state: nothing on the wire tells them from a backlog
        tolerance_us = tolerance(conn) if callable(tolerance) else tolerance
        if cut_us is not None:
            # Near the end of the window a far change may fall on either side of it.
            a = [x for x in a if x[2] <= cut_us - tolerance_us] + [x for x in a if x[2] > cut_us - tolerance_us and any(
                (y[0], y[1]) == (x[0], x[1]) for y in b)]
            b = [y for y in b if any((x[0], x[1]) == (y[0], y[1]) for x in a) or y[2] <= cut_us - tolerance_us]
        if a and "FIN queued" in a[-1][3] and [(x, y) for x, y, _, _ in a[:-1]] == [(x, y) for x, y, _, _ in b]:
            a = a[:-1]  # close() queued a FIN behind data that never left before the capture ended
        if conn_key(conn) in lossy and len(b) < len(a) and [(x, y) for x, y, _, _ in a[:len(b)]] == [(x, y) for x, y, _, _ in b]:
            a = a[:len(b)]  # the answers that would show the rest were lost before the capture point
        if [(x, y) for x, y, _, _ in a] != [(x, y) for x, y, _, _ in b]:
            problems.append(f"{conn}: simulation {[f'{x}->{y}@{t}' for x, y, t, _ in a]}\n      imported   {[f'{x}->{y}@{t}' for x, y, t, _ in b]}")
            continue
        for (x, y, ta, cause), (_, _, tb, _) in zip(a, b):
            if abs(ta - tb) <= tolerance_us:
                continue
            if "FIN queued" in cause and tb >= ta:
                continue  # close() is not on the wire: the FIN shows it when it leaves, behind the data
            if conn_key(conn) in lossy and tb >= ta:
                continue
            problems.append(f"{conn}: {x}->{y} at {ta}us in the simulation, {tb}us imported (tolerance {tolerance_us}us)")
    return problems


def conn_key(conn):
    a, b = conn.split(">")
    return min(a, b) + "|" + max(a, b)


def main():
    tcplab, lab = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    seed = None
    until = None
    hosts = []
    while args:
        if args[0] == "--seed":
            seed = args[1]
            args = args[2:]
        elif args[0] == "--until":
            until = args[1]
            args = args[2:]
        elif args[0] == "--host":
            hosts.append(args[1])
            args = args[2:]
        else:
            sys.exit(f"unknown argument {args[0]}")
    seed_args = (["--seed", seed] if seed else []) + (["--until", until] if until else [])
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        sim_trace = os.path.join(tmp, "sim.jsonl")
        r = run([tcplab, "run", lab, "-q", "--trace", sim_trace] + seed_args)
        if r.returncode not in (0, 1):
            print(f"FAIL {lab}: tcplab run: {r.stderr.strip()}")
            return 1
        events = load(sim_trace)
        ips = {}  # host name -> address, from its sockets (a host may also send spoofed segments)
        for e in events:
            if e["type"] == "state" and e["host"] not in ips:
                ips[e["host"]] = e["conn"].split(">")[0].rsplit(":", 1)[0]
        # Connections the simulation lost a segment of (by 4-tuple).
        dropped = set()
        by_id = {e["id"]: e["conn"] for e in events if e["type"] == "send"}
        for e in events:
            if e["type"] == "drop" and e["id"] in by_id:
                dropped.add(conn_key(by_id[e["id"]]))
        # The path's round trip: the longest handshake RTT any host saw (SYN to SYN,ACK).
        for name in hosts or sorted(ips):
            if name not in ips:
                continue
            ip = ips[name]
            pcap = os.path.join(tmp, f"{name}.pcap")
            r = run([tcplab, "run", lab, "-q", "--pcap", pcap, "--pcap-at", ip] + seed_args)
            imp_trace = os.path.join(tmp, f"{name}.jsonl")
            r = run([tcplab, "import", pcap, "--at-host", ip, "--trace", imp_trace, "-q"])
            if r.returncode != 0:
                print(f"FAIL {lab} at {name}: tcplab import: {r.stderr.strip()}")
                failed = True
                continue
            imported = load(imp_trace)
            sends = [e for e in imported if e["type"] == "send"]
            if not sends:
                print(f"ok   {lab} at {name}: no segments captured")
                continue
            end_us = max(e["t_ns"] for e in sends) // 1000
            # A crashed capture host captures nothing more: its far sides are unseen from then on.
            down = [e["t_ns"] // 1000 for e in events if e["type"] == "state" and e["conn"].startswith(ip + ":") and "crashed" in e["cause"]]
            far_end_us = min([end_us] + down)
            lossy = frozenset(dropped | {conn_key(e["conn"]) for e in sends if e["retx"]})
            near = compare(states_by_conn(events, ip, end_us), states_by_conn(imported, ip, end_us), 1)
            # Far sides: every other address in the capture, within the connection's round trip.
            far_ips = sorted({e["conn"].split(">")[1].rsplit(":", 1)[0] for e in sends if e["conn"].startswith(ip + ":")})
            rtts = round_trips(imported, ip)
            rtt_us = max([1] + list(rtts.values()))
            far = []
            for other in far_ips:
                if other in ips.values():
                    far += compare(restrict(states_by_conn(events, other, far_end_us), ip),
                                   restrict(states_by_conn(imported, other, far_end_us), ip),
                                   lambda conn: rtts.get(conn_key(conn), rtt_us), lossy, far_end_us)
            if near or far:
                failed = True
                print(f"FAIL {lab} at {name} ({ip}): {len(near)} near, {len(far)} far mismatches")
                for p in near[:6]:
                    print("   near " + p)
                for p in far[:6]:
                    print("   far  " + p)
            else:
                print(f"ok   {lab} at {name} ({ip}), far sides within {rtt_us}us")
    return 1 if failed else 0


def round_trips(events, ip):
    """{connection key: the longest round trip the capture host measured on it (microseconds)}:
    its segments that take sequence space, to the first answer that acknowledges them."""
    waiting = {}
    out = {}
    for e in events:
        if e["type"] != "send":
            continue
        t = e["t_ns"] // 1000
        key = conn_key(e["conn"])
        if e["conn"].startswith(ip + ":"):
            seg_len = e["len"] + ("S" in e["flags"]) + ("F" in e["flags"])
            if seg_len and not e["retx"]:
                waiting.setdefault(key, []).append(((e["seq"] + seg_len) % 2**32, t))
        elif "." in e["flags"] and key in waiting:
            keep = []
            for end, sent in waiting[key]:
                if (e["ack"] - end) % 2**32 < 2**31:
                    out[key] = max(out.get(key, 0), t - sent)
                else:
                    keep.append((end, sent))
            waiting[key] = keep
    return out


def handshake_rtt(events, ip):
    """The longest SYN (or SYN,ACK) to answer time the capture host saw, in microseconds."""
    sent = {}
    best = 0
    for e in events:
        if e["type"] != "send":
            continue
        t = e["t_ns"] // 1000
        if e["conn"].startswith(ip + ":") and "S" in e["flags"]:
            sent[e["conn"]] = t
        elif not e["conn"].startswith(ip + ":"):
            local, remote = e["conn"].split(">")
            key = remote + ">" + local
            if key in sent and e["kind"] in ("SYN-ACK", "ACK", "DATA", "FIN"):
                best = max(best, t - sent.pop(key))
    return best


def restrict(states, ip):
    """Only the connections with the capture host (a far host's other connections are not in the capture)."""
    return {c: v for c, v in states.items() if c.split(">")[1].startswith(ip + ":")}


if __name__ == "__main__":
    sys.exit(main())
