#!/usr/bin/env python3
"""Turns tcpdump's text (IPv4 TCP lines, as the reference article prints them) back into a
raw-IP pcap, so `tcplab import` can read the article's own capture: relative sequence numbers
made absolute from the SYNs' (tcpdump's rule: the first SYN each way sets its direction's base),
the options rebuilt in the order printed, the payload zeros of the printed length, checksums
right. "localhost" is 127.0.0.1. The date is 1970-01-01: the capture has only the time of day.
Usage: tcpdump_text_to_pcap.py IN.txt OUT.pcap"""
import re
import struct
import sys

LINE = re.compile(r"^(\d+):(\d+):(\d+)\.(\d+) IP (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\](.*)$")


def addr(name):
    return bytes([127, 0, 0, 1]) if name == "localhost" else bytes(int(x) for x in name.split("."))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def options(text):
    out = b""
    for opt in text.split(","):
        opt = opt.strip()
        if opt == "nop":
            out += b"\x01"
        elif opt == "sackOK":
            out += b"\x04\x02"
        elif opt.startswith("mss "):
            out += struct.pack("!BBH", 2, 4, int(opt[4:]))
        elif opt.startswith("wscale "):
            out += struct.pack("!BBB", 3, 3, int(opt[7:]))
        elif opt.startswith("TS val "):
            val, ecr = re.match(r"TS val (\d+) ecr (\d+)", opt).groups()
            out += struct.pack("!BBII", 8, 10, int(val), int(ecr))
    while len(out) % 4:
        out += b"\0"
    return out


def main():
    base = {}
    records = []
    for line in open(sys.argv[1]):
        m = LINE.match(line.strip())
        if not m:
            continue
        h, mi, s, frac, src, sport, dst, dport, flags_text, rest = m.groups()
        t_us = (int(h) * 3600 + int(mi) * 60 + int(s)) * 1_000_000 + int(frac.ljust(6, "0")[:6])
        flags = 0
        for ch, bit in (("F", 1), ("S", 2), ("R", 4), ("P", 8), (".", 16), ("U", 32)):
            if ch in flags_text:
                flags |= bit
        seq_m = re.search(r"seq (\d+)(?::(\d+))?", rest)
        ack_m = re.search(r"ack (\d+)", rest)
        win = int(re.search(r"win (\d+)", rest).group(1))
        length = int(re.search(r"length (\d+)", rest).group(1))
        opt_m = re.search(r"options \[([^\]]*)\]", rest)
        fwd, back = (src, sport, dst, dport), (dst, dport, src, sport)
        seq = int(seq_m.group(1)) if seq_m else 0
        ack = int(ack_m.group(1)) if ack_m else 0
        if flags & 2:
            base[fwd] = seq
        elif fwd in base:
            seq = (base[fwd] + seq) % 2**32 if seq_m else base[fwd] + 1
            if ack_m and back in base:
                ack = (base[back] + ack) % 2**32
        if flags & 2 and not seq_m:
            seq = 0
        if not seq_m and fwd in base and not flags & 2:
            # A pure ACK prints no seq: it is the sender's next one. Track it from the segments before.
            seq = next_seq.get(fwd, base[fwd] + 1)
        opts = options(opt_m.group(1)) if opt_m else b""
        tcp = struct.pack("!HHIIBBHHH", int(sport), int(dport), seq, ack, (5 + len(opts) // 4) << 4, flags, win, 0, 0) + opts
        tcp += bytes(length)
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), len(records) + 1, 0x4000, 64, 6, 0, addr(src), addr(dst)))
        ip[10:12] = struct.pack("!H", csum(bytes(ip)))
        pseudo = addr(src) + addr(dst) + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = bytearray(tcp)
        tcp[16:18] = struct.pack("!H", csum(pseudo + bytes(tcp)))
        frame = bytes(ip) + bytes(tcp)
        records.append(struct.pack("<IIII", t_us // 1_000_000, t_us % 1_000_000, len(frame), len(frame)) + frame)
        next_seq[fwd] = (seq + length + (1 if flags & 3 else 0)) % 2**32
    with open(sys.argv[2], "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        out.write(b"".join(records))


next_seq = {}

if __name__ == "__main__":
    main()
