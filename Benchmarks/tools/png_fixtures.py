"""Writes the PNG decoding fixtures in Tests/RenderTests/Fixtures/png/: the same 4×3 picture
in every PNG flavour an author might drop into Content/images/, written by Pillow (not by
libpng through vizsite), so decoding is checked against an independent encoder.

    Benchmarks/.venv/bin/python Benchmarks/tools/png_fixtures.py
"""
from pathlib import Path

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parents[2] / "Tests/RenderTests/Fixtures/png"
gray = np.array([[0, 64, 128, 255], [255, 128, 64, 0], [10, 20, 30, 40]], dtype=np.uint8)
rgb = np.stack([gray, 255 - gray, gray // 2], axis=-1)
alpha = np.full_like(gray, 200)

Image.fromarray(gray, "L").save(OUT / "gray8.png")
Image.fromarray(np.stack([gray, alpha], -1), "LA").save(OUT / "gray-alpha.png")
Image.fromarray(rgb, "RGB").save(OUT / "rgb.png")
Image.fromarray(np.concatenate([rgb, alpha[..., None]], -1), "RGBA").save(OUT / "rgba.png")
Image.fromarray(rgb, "RGB").quantize(colors=16, method=Image.Quantize.MEDIANCUT).save(OUT / "palette.png")
Image.fromarray(gray.astype(np.uint16) * 257).save(OUT / "gray16.png")


def write_adam7(path, pixels):
    """An RGB PNG written by hand with Adam7 interlacing (Pillow writes none)."""
    import struct
    import zlib
    h, w, _ = pixels.shape
    raw = b""
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
        rows = [pixels[y, x0::dx] for y in range(y0, h, dy)]
        if not rows or rows[0].shape[0] == 0:
            continue
        raw += b"".join(b"\x00" + r.tobytes() for r in rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


write_adam7(OUT / "interlaced.png", rgb)
assert Image.open(OUT / "interlaced.png").convert("RGB").tobytes() == Image.fromarray(rgb, "RGB").tobytes()
print("ok")
