#!/usr/bin/env python3
"""Writes COPIES copies of a raw-IP pcap one after the other (each shifted in time past the
previous one's end, its client ports moved by the copy number) into one big capture for
bench/import_rate.sh. The TCP checksums are not fixed (the importer only counts them).
Usage: replicate_pcap.py IN.pcap OUT.pcap COPIES"""
import struct
import sys


def main():
    data = open(sys.argv[1], "rb").read()
    copies = int(sys.argv[3])
    header, body = data[:24], data[24:]
    recs = []
    off = 0
    while off + 16 <= len(body):
        sec, usec, cap, wire = struct.unpack("<IIII", body[off:off + 16])
        recs.append((sec, usec, body[off + 16:off + 16 + cap], wire))
        off += 16 + cap
    span = recs[-1][0] - recs[0][0] + 2
    with open(sys.argv[2], "wb") as out:
        out.write(header)
        for k in range(copies):
            chunks = []
            for sec, usec, frame, wire in recs:
                f = bytearray(frame)
                ihl = (f[0] & 15) * 4
                sport, dport = struct.unpack("!HH", f[ihl:ihl + 4])
                # The client's ephemeral port (the one above 10000) moves with the copy.
                if sport > 10000:
                    sport = 10001 + (sport + k) % 50000
                if dport > 10000:
                    dport = 10001 + (dport + k) % 50000
                f[ihl:ihl + 4] = struct.pack("!HH", sport, dport)
                chunks.append(struct.pack("<IIII", sec + k * span, usec, len(f), wire) + bytes(f))
            out.write(b"".join(chunks))


if __name__ == "__main__":
    main()
