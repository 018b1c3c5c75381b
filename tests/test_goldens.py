"""Golden files: the bundled site's feeds, book manifest and normalized articles, reviewed as diffs.

Regenerate with ``python -m pytest tests/test_goldens.py --update-goldens`` and read ``git diff``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from publisher import sources
from publisher.build import normalize_file
from publisher.errors import Reporter
from publisher.xmlutil import to_bytes
from tests.conftest import REPO, site_config

GOLDEN = Path(__file__).parent / "cases" / "bundled" / "golden"


def _compare(name: str, actual: bytes, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
        return
    assert path.exists(), f"no golden {path}; run pytest --update-goldens"
    assert actual.decode("utf-8") == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml", "feed.json", "feeds.opml", "tags/port/atom.xml"])
def test_feed_golden(built: Path, update_goldens: bool, name: str):
    _compare(name, (built / name).read_bytes(), update_goldens)


def test_epub_golden(built: Path, update_goldens: bool):
    with zipfile.ZipFile(built / "articles.epub") as z:
        listing = "".join(f"{i.filename} {i.file_size} {i.CRC:08x}\n" for i in z.infolist())
        _compare("epub/listing.txt", listing.encode(), update_goldens)
        for name in ("EPUB/content.opf", "EPUB/nav.xhtml", "EPUB/toc.ncx", "EPUB/text/000-74b8af4278bed77c.xhtml"):
            _compare("epub/" + name.rsplit("/", 1)[-1], z.read(name), update_goldens)


@pytest.mark.parametrize("path", sources.discover(REPO / "articles"), ids=lambda p: p.name)
def test_normalized_golden(path: Path, update_goldens: bool):
    xml = to_bytes(normalize_file(path, site_config(REPO), Reporter()))
    _compare("articles/" + path.stem + ".xml", xml, update_goldens)
