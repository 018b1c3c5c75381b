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
