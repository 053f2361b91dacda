# Decodes an 8-bit RGB or RGBA PNG (no library needed): read(path) -> (width, height, px) with
# px(x, y) the pixel's (r, g, b). For the tests of `tcplab plot` and `tcplab draw`.
import struct
import zlib


def read(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks = 8, {}
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks.setdefault(kind, b"")
        chunks[kind] += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h, depth, ctype = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8, depth
    bpp = {2: 3, 6: 4}[ctype]
    raw, stride, prev, img = zlib.decompress(chunks[b"IDAT"]), w * bpp, bytearray(w * bpp), []
    for y in range(h):  # undo the PNG row filters (RFC 2083 6)
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        img.append(line)
        prev = line
    return w, h, lambda x, y: tuple(img[y][x * bpp:x * bpp + 3])
