#!/usr/bin/env python3
"""Crop a tall Chromium screenshot to its content: reads a PPM (P6) on stdin, drops the uniform rows at the bottom
(keeping a 24px margin) and writes a PNG to argv[1]. Pure standard library (no PIL / ImageMagick needed)."""
import struct, sys, zlib

data = sys.stdin.buffer.read()
# Parse the P6 header: magic, width, height, maxval separated by whitespace (no comments from our converter).
fields, pos = [], 0
while len(fields) < 4:
    while data[pos:pos + 1].isspace():
        pos += 1
    start = pos
    while not data[pos:pos + 1].isspace():
        pos += 1
    fields.append(data[start:pos])
pos += 1
assert fields[0] == b"P6", fields[0]
width, height = int(fields[1]), int(fields[2])
pixels = data[pos:pos + width * height * 3]
row = width * 3
bottom = pixels[(height - 1) * row:height * row]
last = height - 1
while last > 0 and pixels[last * row:(last + 1) * row] == bottom:
    last -= 1
keep = min(height, last + 1 + 24)

raw = b"".join(b"\x00" + pixels[y * row:(y + 1) * row] for y in range(keep))
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, keep, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
with open(sys.argv[1], "wb") as f:
    f.write(png)
print(f"{width}x{keep}")
