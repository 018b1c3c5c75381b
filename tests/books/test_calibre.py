"""An e-book engine opens the book: calibre's ebook-convert turns the archive edition into text
that holds every headline. Skipped only where calibre is not installed (Debian: apt-get install
calibre)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from publisher.build import load_articles
from publisher.errors import Reporter
from tests.conftest import REPO, site_config

CALIBRE_TIMEOUT = 300  # seconds; a cold start of calibre's Qt takes a few


@pytest.mark.skipif(shutil.which("ebook-convert") is None, reason="calibre's ebook-convert is not installed")
def test_calibre_converts_the_archive_with_every_headline(built: Path, tmp_path: Path):
    out = tmp_path / "book.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1"}
    proc = subprocess.run(
        ["ebook-convert", str(built / "articles.epub"), str(out)],
        capture_output=True, text=True, env=env, timeout=CALIBRE_TIMEOUT, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    text = " ".join(out.read_text(encoding="utf-8").split())
    views, _ = load_articles(site_config(REPO), Reporter())
    assert len(views) == 7
    missing = [v.headline for v in views if " ".join(v.headline.split()) not in text]
    assert missing == []
    assert "Contents" in text and "The Harbour Dispatch" in text


def _meta(path: Path) -> dict[str, str]:
    """What calibre's ebook-meta reads from a book: {"Languages": "eng", ...}."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(["ebook-meta", str(path)], capture_output=True, text=True, env=env,
                          timeout=CALIBRE_TIMEOUT, check=True)
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in proc.stdout.splitlines()) if v}


@pytest.mark.skipif(shutil.which("ebook-convert") is None, reason="calibre's ebook-convert is not installed")
@pytest.mark.parametrize("name", ["articles.epub", "books/latest.epub", "books/tag-port.epub"])
def test_kindle_conversion_keeps_language_site_as_author_and_identifier(built: Path, tmp_path: Path, name: str):
    """The route to Kindle: calibre's AZW3 reads back the edition's language (these books mix
    English, German and British English articles: before, calibre read them as German), the site
    as the one author, and the book's own uuid as the ASIN (before, a new random one each time)."""
    from publisher.books.epub import book_identifier

    azw3 = tmp_path / "book.azw3"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1"}
    proc = subprocess.run(["ebook-convert", str(built / name), str(azw3)], capture_output=True, text=True,
                          env=env, timeout=CALIBRE_TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    meta = _meta(azw3)
    key = {"articles.epub": "archive", "books/latest.epub": "latest", "books/tag-port.epub": "tag-port"}[name]
    uuid = book_identifier(site_config(REPO), key).removeprefix("urn:uuid:")
    assert meta["Languages"] == "eng"
    assert meta["Author(s)"] == "The Harbour Dispatch"
    assert meta["Identifiers"] == f"mobi-asin:{uuid}"
    epub_meta = _meta(built / name)
    assert epub_meta["Identifiers"] == f"edition:urn:uuid:{uuid}"
    assert epub_meta["Languages"] == "eng"
