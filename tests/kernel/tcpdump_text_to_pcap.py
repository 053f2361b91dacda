#!/usr/bin/env python3
"""Turns `tcpdump -n`-style text lines (as people paste them: the reference article's capture
is one) into a pcap that `tcplab import` can read (issue 21). Raw IPv4 link type; sequence
numbers tcpdump printed relative to a flow's ISN are made absolute again from the flow's SYN
and SYN,ACK; checksums are computed; payload bytes are 'x'. Host names: localhost is 127.0.0.1.

Usage: tcpdump_text_to_pcap.py IN.txt OUT.pcap [--date YYYY-MM-DD]
Lines that are not tcpdump TCP lines are skipped; each skipped line that starts with a time is
named on stderr. Exits 2 when no line could be used."""
import datetime
import re
import struct
import sys

LINE = re.compile(
    r"^(?P<time>\d\d:\d\d:\d\d\.\d+)\s+IP6?\s+(?P<src>\S+)\s+>\s+(?P<dst>\S+?):\s+Flags\s+\[(?P<flags>[^\]]*)\]"
    r"(?:,\s+seq\s+(?P<seq>\d+)(?::(?P<seqend>\d+))?)?(?:,\s+ack\s+(?P<ack>\d+))?(?:,\s+win\s+(?P<win>\d+))?"
    r"(?:,\s+options\s+\[(?P<opts>[^\]]*)\])?(?:,\s+length\s+(?P<len>\d+))?")
NAMES = {"localhost": "127.0.0.1"}
FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, ".": 0x10, "U": 0x20, "E": 0x40, "W": 0x80}


def endpoint(text):
    host, port = text.rsplit(".", 1)
    return NAMES.get(host, host), int(port)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def options(text):
    out = b""
    for o in (x.strip() for x in (text or "").split(",") if x.strip()):
        if o.startswith("mss "):
            out += struct.pack("!BBH", 2, 4, int(o[4:]))
        elif o == "sackOK":
            out += b"\x04\x02"
        elif o == "nop":
            out += b"\x01"
        elif o.startswith("wscale "):
            out += struct.pack("!BBB", 3, 3, int(o[7:]))
        elif o.startswith("TS val "):
            m = re.match(r"TS val (\d+) ecr (\d+)", o)
            out += struct.pack("!BBII", 8, 10, int(m.group(1)), int(m.group(2)))
    while len(out) % 4:
        out += b"\x01"  # tcpdump prints the padding nops it saw; keep the header aligned
    return out


def main():
    args = sys.argv[1:]
    date = datetime.date(2026, 1, 1)
    if "--date" in args:
        i = args.index("--date")
        date = datetime.date.fromisoformat(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__.splitlines()[6], file=sys.stderr)
        return 2
    isn = {}  # (src, sport, dst, dport) -> ISN of that direction
    nxt = {}  # the same -> the sequence number after the last segment seen
    packets = []
    for n, raw in enumerate(open(args[0], encoding="utf-8", errors="replace"), 1):
        line = raw.strip()
        m = LINE.match(line)
        if not m:
            if re.match(r"^\d\d:\d\d:\d\d\.", line):
                print(f"{args[0]}:{n}: not a tcpdump TCP line, skipped", file=sys.stderr)
            continue
        (sip, sport), (dip, dport) = endpoint(m["src"]), endpoint(m["dst"])
        flags = sum(FLAG_BITS.get(c, 0) for c in m["flags"])
        fwd, rev = (sip, sport, dip, dport), (dip, dport, sip, sport)
        length = int(m["len"] or 0)
        if m["seq"] is None:
            seq = nxt.get(fwd, 0)  # tcpdump prints no seq on a segment without data: SND.NXT
        else:
            seq = int(m["seq"])
            if flags & 0x02:
                isn[fwd] = seq  # a SYN prints its absolute ISN
            elif fwd in isn:
                seq = (isn[fwd] + seq) & 0xFFFFFFFF  # tcpdump made it relative after the handshake
        end = (seq + length + (1 if flags & 0x02 else 0) + (1 if flags & 0x01 else 0)) & 0xFFFFFFFF
        if fwd not in nxt or (end - nxt[fwd]) & 0x80000000 == 0:
            nxt[fwd] = end
        ack = int(m["ack"] or 0)
        if flags & 0x10 and not flags & 0x02 and rev in isn:
            ack = (isn[rev] + ack) & 0xFFFFFFFF
        opts = options(m["opts"])
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (20 + len(opts)) // 4 << 4, flags,
                          int(m["win"] or 0), 0, 0) + opts + b"x" * length
        src = bytes(map(int, sip.split("."))); dst = bytes(map(int, dip.split(".")))
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), n & 0xFFFF, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        h, mi, s = m["time"].split(":")
        t = datetime.datetime.combine(date, datetime.time(int(h), int(mi))) + datetime.timedelta(seconds=float(s))
        stamp = t.replace(tzinfo=datetime.timezone.utc).timestamp()
        packets.append((int(stamp), round((stamp - int(stamp)) * 1e6), ip + tcp))
    if not packets:
        print(f"{args[0]}: no tcpdump TCP lines", file=sys.stderr)
        return 2
    with open(args[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        for sec, usec, data in packets:
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)
    print(f"{args[1]}: {len(packets)} packets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
