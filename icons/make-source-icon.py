#!/usr/bin/env python3
"""Draws Coffer's app icon (a safe door on a rounded indigo tile) as an RGBA PNG.

Pure standard library (zlib + struct), so it runs anywhere Python does. Shapes are signed distance
fields, which gives anti-aliased edges without supersampling. `npx tauri icon source.png` turns
the result into every platform's icon set.

Usage: python3 icons/make-source-icon.py icons/source.png
"""
import math
import struct
import sys
import zlib

SIZE = 1024


def rounded_box(px, py, cx, cy, hw, hh, r):
    """Signed distance from (px, py) to a rounded rectangle centred at (cx, cy)."""
    qx = abs(px - cx) - (hw - r)
    qy = abs(py - cy) - (hh - r)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - r


def coverage(distance):
    """Anti-aliased coverage of a shape for a pixel at signed `distance` from its edge."""
    return min(max(0.5 - distance, 0.0), 1.0)


def blend(dst, src, alpha):
    return tuple(d + (s - d) * alpha for d, s in zip(dst, src))


def pixel(x, y):
    px, py = x + 0.5, y + 0.5
    c = SIZE / 2
    # The tile: a macOS-style rounded square with a diagonal indigo-to-violet gradient.
    tile = rounded_box(px, py, c, c, 430, 430, 190)
    a = coverage(tile)
    if a <= 0:
        return (0, 0, 0, 0)
    t = (px + py) / (2 * SIZE)
    top, bottom = (79, 91, 245), (124, 58, 237)
    rgb = tuple(top[i] + (bottom[i] - top[i]) * t for i in range(3))
    white = (255, 255, 255)
    # The safe door: a white rounded square ring.
    outer = rounded_box(px, py, c, c + 10, 250, 235, 70)
    inner = rounded_box(px, py, c, c + 10, 205, 190, 40)
    rgb = blend(rgb, white, coverage(max(outer, -inner)))
    # The dial: a ring with a handle bar, and two hinges on the left.
    dial = math.hypot(px - c, py - (c + 10))
    rgb = blend(rgb, white, coverage(max(dial - 95, 60 - dial)))
    bar = rounded_box(px, py, c, c + 10, 16, 120, 16)
    rgb = blend(rgb, white, coverage(max(bar, -(dial - 60)) if dial < 60 else bar if dial > 95 else 1.0))
    for hy in (c - 120, c + 140):
        rgb = blend(rgb, white, coverage(rounded_box(px, py, c - 262, hy, 22, 48, 16)))
    return tuple(int(round(v)) for v in rgb) + (int(round(255 * a)),)


def png(width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "source.png"
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    with open(out, "wb") as f:
        f.write(png(SIZE, SIZE, rows))
