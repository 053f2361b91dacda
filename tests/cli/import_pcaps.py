#!/usr/bin/env python3
"""Rewrites a raw-IPv4 pcap (what `tcplab run --pcap` writes) into the forms real captures
come in, for tests/cli/import_cli.sh and the fuzzer's seed corpus:

  ether.pcap    Ethernet II, every other frame with an 802.1Q tag, an ARP frame first
  sll.pcap      Linux cooked v1 (tcpdump -i any, libpcap < 1.10)
  sll2.pcap     Linux cooked v2 (tcpdump -i any, libpcap >= 1.10), a UDP datagram mixed in
  null.pcap     BSD loopback (4-byte family, host byte order)
  ipv6.pcap     raw IPv6 (the addresses mapped into 2001:db8::/64), a hop-by-hop header on SYNs
  options.pcap  raw IPv4 with a 4-byte IP option (NOPs + EOL) on every frame
  badsum.pcap   raw IPv4, the TCP checksum of every third frame wrong (checksum offload)
  snap.pcap     raw IPv4 captured with a 60-byte snap length
  cut.pcap      raw IPv4, the file cut in the middle of its last record
  nsec.pcap     raw IPv4, nanosecond timestamps

Usage: import_pcaps.py IN.pcap OUT_DIR"""
import os
import struct
import sys


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, _, _, _, _, _, link = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xA1B2C3D4 and link == 101, "expects a little-endian microsecond raw-IP pcap"
    frames = []
    off = 24
    while off + 16 <= len(data):
        sec, usec, caplen, wirelen = struct.unpack("<IIII", data[off:off + 16])
        frames.append((sec, usec, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return frames


def write_pcap(path, link, frames, snap=65535, nsec=False, cut=0):
    out = bytearray(struct.pack("<IHHiIII", 0xA1B23C4D if nsec else 0xA1B2C3D4, 2, 4, 0, 0, snap, link))
    for sec, usec, frame in frames:
        cap = frame[:snap]
        out += struct.pack("<IIII", sec, usec * 1000 if nsec else usec, len(cap), len(frame)) + cap
    if cut:
        out = out[:-cut]
    with open(path, "wb") as f:
        f.write(out)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4_parts(frame):
    ihl = (frame[0] & 15) * 4
    return frame[:ihl], frame[ihl:]


def tcp_with_checksum(tcp, pseudo):
    tcp = bytearray(tcp)
    tcp[16:18] = b"\0\0"
    tcp[16:18] = struct.pack("!H", csum(pseudo + bytes(tcp)))
    return bytes(tcp)


def to_ipv6(frame, hop_by_hop):
    ip, tcp = ipv4_parts(frame)
    src = bytes.fromhex("20010db8000000000000000000000000")[:12] + ip[12:16]
    dst = bytes.fromhex("20010db8000000000000000000000000")[:12] + ip[16:20]
    pseudo = src + dst + struct.pack("!I", len(tcp)) + b"\0\0\0\x06"
    tcp = tcp_with_checksum(tcp, pseudo)
    ext = b""
    nxt = 6
    if hop_by_hop:
        ext = bytes([6, 0, 1, 4, 0, 0, 0, 0])  # next header TCP, length 0 (8 bytes), PadN option
        nxt = 0
    return struct.pack("!IHBB", 6 << 28, len(ext) + len(tcp), nxt, 64) + src + dst + ext + tcp


def with_ip_options(frame):
    ip, tcp = ipv4_parts(frame)
    ip = bytearray(ip[:20] + b"\x01\x01\x01\x00")  # NOP NOP NOP EOL
    ip[0] = 0x46
    ip[2:4] = struct.pack("!H", len(ip) + len(tcp))
    ip[10:12] = b"\0\0"
    ip[10:12] = struct.pack("!H", csum(bytes(ip)))
    return bytes(ip) + tcp


def bad_checksum(frame):
    f = bytearray(frame)
    ihl = (f[0] & 15) * 4
    f[ihl + 16] ^= 0xFF
    return bytes(f)


def udp_frame():
    payload = b"hello"
    udp = struct.pack("!HHHH", 53, 5353, 8 + len(payload), 0) + payload
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, bytes([10, 0, 0, 9]), bytes([10, 0, 0, 2])))
    ip[10:12] = struct.pack("!H", csum(bytes(ip)))
    return bytes(ip) + udp


def main():
    frames = read_pcap(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    mac_a, mac_b = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
    arp = mac_b + mac_a + b"\x08\x06" + bytes(28)
    ether = [(frames[0][0], frames[0][1], arp)]
    for k, (s, u, f) in enumerate(frames):
        tag = b"\x81\x00\x00\x05" if k % 2 else b""
        ether.append((s, u, mac_b + mac_a + tag + b"\x08\x00" + f))
    write_pcap(os.path.join(out, "ether.pcap"), 1, ether)
    sll = [(s, u, struct.pack("!HHH", 0, 1, 6) + mac_a + b"\0\0" + b"\x08\x00" + f) for s, u, f in frames]
    write_pcap(os.path.join(out, "sll.pcap"), 113, sll)
    sll2 = [(s, u, b"\x08\x00\0\0" + struct.pack("!I", 2) + struct.pack("!HBB", 1, 0, 6) + mac_a + b"\0\0" + f) for s, u, f in frames]
    sll2.insert(1, (frames[0][0], frames[0][1], b"\x08\x00\0\0" + struct.pack("!I", 2) + struct.pack("!HBB", 1, 0, 6) + mac_a + b"\0\0" + udp_frame()))
    write_pcap(os.path.join(out, "sll2.pcap"), 276, sll2)
    write_pcap(os.path.join(out, "null.pcap"), 0, [(s, u, struct.pack("<I", 2) + f) for s, u, f in frames])
    write_pcap(os.path.join(out, "ipv6.pcap"), 101, [(s, u, to_ipv6(f, f[(f[0] & 15) * 4 + 13] & 2)) for s, u, f in frames])
    write_pcap(os.path.join(out, "options.pcap"), 101, [(s, u, with_ip_options(f)) for s, u, f in frames])
    write_pcap(os.path.join(out, "badsum.pcap"), 101, [(s, u, bad_checksum(f) if k % 3 == 2 else f) for k, (s, u, f) in enumerate(frames)])
    write_pcap(os.path.join(out, "snap.pcap"), 101, frames, snap=60)
    write_pcap(os.path.join(out, "cut.pcap"), 101, frames, cut=7)
    write_pcap(os.path.join(out, "nsec.pcap"), 101, frames, nsec=True)


if __name__ == "__main__":
    main()
