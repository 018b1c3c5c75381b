"""A book's images: stored as they are, read one at a time as the book is written (never all held
at once), and an image that changed or went since the build read the site is an error naming it."""

from __future__ import annotations

import random
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from publisher import build as build_module
from publisher.build import build
from publisher.errors import SourceError
from tests.conftest import copy_small_site, site_config, write

TEXT = (".xhtml", ".css", ".svg", ".ncx", ".opf", ".xml")
IMAGES = (".png", ".jpg", ".jpeg", ".gif")


def _png(rng: random.Random, side: int) -> bytes:
    """A grey PNG of random pixels (nothing to compress), its pixels stored, not deflated."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\0" + rng.randbytes(side) for _ in range(side))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b""))


def test_images_are_stored_and_text_deflated(built: Path):
    with zipfile.ZipFile(built / "articles.epub") as z:
        kinds = {i.filename: i.compress_type for i in z.infolist()}
    assert kinds["mimetype"] == zipfile.ZIP_STORED
    images = [name for name in kinds if name.lower().endswith(IMAGES)]
    assert "EPUB/media/images/harbour-cranes.png" in images and "EPUB/images/cover.jpg" in images
    assert all(kinds[name] == zipfile.ZIP_STORED for name in images), images
    text = [name for name in kinds if name.endswith(TEXT)]
    assert len(text) > 10 and all(kinds[name] == zipfile.ZIP_DEFLATED for name in text)


def test_a_book_is_written_without_holding_its_images(tiny: Path):
    """48 images of 1 MiB: the build's peak of Python memory stays far below their total (the
    media/ copies and the book read each image when it is written)."""
    rng = random.Random(7)
    total = 0
    for n in range(8):
        lines = [f"---\ntitle: Pictures {n}\ndate: 2026-01-{n + 1:02d}\n---\n"]
        for k in range(6):
            data = write(tiny / "articles" / "images" / f"p{n}-{k}.png", _png(rng, 1024)).read_bytes()
            total += len(data)
            lines.append(f"![Picture {n}.{k}](images/p{n}-{k}.png)\n")
        write(tiny / "articles" / f"2026-01-{n + 1:02d}-pictures-{n}.md", "\n".join(lines))
    tracemalloc.start()
    try:
        build(site_config(tiny), workers=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total > 48 * 2**20 and peak < total / 2, (peak, total)  # 16 MB (fonts for the cover, ...)
    with zipfile.ZipFile(tiny / "build" / "articles.epub") as z:
        assert z.testzip() is None
        assert sum(i.compress_size for i in z.infolist() if i.filename.endswith(".png")) == total


@pytest.mark.parametrize("how", ["changed", "removed"])
def test_an_image_changed_or_gone_since_the_build_began_is_an_error_naming_it(tmp_path: Path, monkeypatch, how: str):
    site = copy_small_site(tmp_path / "site")
    build(site_config(site))
    before = {p: p.read_bytes() for p in (site / "build").rglob("*") if p.is_file()}
    image = site / "articles" / "images" / "harbour-cranes.png"
    image.write_bytes(image.read_bytes() + b"\0")  # a change, so that the book is made again
    real = build_module.render_feeds

    def then_the_image_changes(config, views):  # after the articles were read, before the outputs
        if how == "removed":
            image.unlink()
        else:
            image.write_bytes(image.read_bytes() + b"\0")
        return real(config, views)

    monkeypatch.setattr(build_module, "render_feeds", then_the_image_changes)
    with pytest.raises(SourceError) as info:
        build(site_config(site))
    shown = info.value.formatted()
    assert "images/harbour-cranes.png" in shown
    if how == "removed":
        assert "articles/2026-11-18-port-expansion-vote.md" in shown and "cannot be read" in shown
    else:
        assert "changed while the site was being built; build again" in shown
    assert {p: p.read_bytes() for p in (site / "build").rglob("*") if p.is_file()} == before  # all or nothing
