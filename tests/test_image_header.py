"""limits.header_pixels: the PNG/JPEG header read without Pillow agrees with Pillow, and leaves
to Pillow whatever it does not read plainly (so image_problem's verdicts are Pillow's)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from publisher import limits


def _save(path: Path, size: tuple[int, int], fmt: str) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buf, fmt)
    path.write_bytes(buf.getvalue())
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.mark.parametrize("fmt, suffix", [("PNG", ".png"), ("JPEG", ".jpg")])
@pytest.mark.parametrize("size", [(1, 1), (320, 200), (801, 3)])
def test_header_matches_pillow(tmp_path: Path, fmt: str, suffix: str, size: tuple[int, int]):
    path = _save(tmp_path / f"i{suffix}", size, fmt)
    assert limits.header_pixels(path) == size[0] * size[1]
    assert limits.image_problem(path) is None


def test_what_it_does_not_read_plainly_is_left_to_pillow(tmp_path: Path):
    png = _save(tmp_path / "a.png", (10, 10), "PNG").read_bytes()
    ihdr = _chunk(b"IHDR", struct.pack(">IIBBBBB", 10_000, 10_000, 8, 2, 0, 0, 0))
    twice = png[:33] + ihdr + png[33:]  # a second IHDR before the pixels: Pillow takes the last
    (tmp_path / "twice.png").write_bytes(twice)
    assert limits.header_pixels(tmp_path / "twice.png") is None
    assert "10,000 x 10,000 pixels" in limits.image_problem(tmp_path / "twice.png")
    (tmp_path / "cut.png").write_bytes(png[:20])  # no IHDR whole: not read here
    assert limits.header_pixels(tmp_path / "cut.png") is None
    gif = tmp_path / "g.png"  # named PNG, is a GIF: Pillow reads it by its bytes
    gif.write_bytes(b"GIF89a" + struct.pack("<HH", 50_000, 50_000) + b"\0" * 20)
    assert limits.header_pixels(gif) is None


def test_the_largest_jpeg_frame_header_counts(tmp_path: Path):
    jpg = _save(tmp_path / "a.jpg", (16, 16), "JPEG").read_bytes()
    sof = jpg.index(b"\xff\xc0")
    big = b"\xff\xc1" + struct.pack(">HBHHB", 11, 8, 9_000, 9_000, 1) + b"\x11\x00\x00"
    (tmp_path / "two.jpg").write_bytes(jpg[:sof] + big + jpg[sof:])
    assert limits.header_pixels(tmp_path / "two.jpg") == 9_000 * 9_000
    # over the bound here, so Pillow decides: it takes the last frame header, 16 x 16
    assert limits.image_problem(tmp_path / "two.jpg") is None
