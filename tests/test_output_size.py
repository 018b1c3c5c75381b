"""The default settings' output size: a 10,000-article site's whole build/, images included, fits a static host (README, "Output size").

Building 10,000 articles takes minutes, so the test builds the benchmark's generated site
(bench/gen_corpus.py: two own images per article, about 1,100 words each) at 2,000 articles with
the default settings and scales what grows with the number of articles. build/ is

- what grows with every article: its images under media/ (written once: the book that holds
  them is bounded, below), the site feed's archive pages (each article once, in full, in Atom),
  and the outputs manifest (a line per file);
- what is bounded whatever the number of articles, and already at its bound at 2,000: the
  book (the newest 100 articles when there are no ``[[editions]]``), the tag and author feeds
  (each holds at most ``feed_group_limit`` summaries; there are as many as the generator has
  tags and authors), the site's subscription feeds (the newest ``feed_limit``), feeds.html,
  OPML, CSS.

So 10,000 articles take the bounded part plus five times the growing part. The budget is
250 MB for all of it (GitHub Pages takes 1 GB a site; every content change uploads it again).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from publisher.build import build
from publisher.config import Config
from publisher.config.editions import DEFAULT_BOOK_ARTICLES
from tests.conftest import REPO, site_config

sys.path.insert(0, str(REPO / "bench"))
import gen_corpus  # noqa: E402

BUDGET = 250_000_000  # bytes of build/ at 10,000 articles, everything included
N = 2_000
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
IMAGE_SUFFIXES = (".jpg", ".png")
GROWING = ("media", "archive", ".publisher-outputs")  # top-level names that grow with the articles


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


@pytest.fixture(scope="module")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated 2,000-article site built with the default settings; its root."""
    if not any(Path(p, "PIL").is_dir() for p in sys.path):
        pytest.skip("Pillow draws the generated site's images (the test extra installs it)")
    root = tmp_path_factory.mktemp("defaults") / "site"
    subprocess.run([sys.executable, str(REPO / "bench" / "gen_corpus.py"), "--n", str(N), str(root)],
                   check=True, capture_output=True)
    config = root / "publisher.toml"  # without the benchmark's workload: the defaults
    config.write_text(gen_corpus.default_settings(config.read_text("utf-8")), "utf-8")
    build(site_config(root), now=NOW)
    return root


def test_default_build_of_10000_articles_fits_a_static_host(default_site: Path):
    out = default_site / "build"
    parts = {p.name: _size(p) for p in out.iterdir()}
    growing = sum(parts.get(name, 0) for name in GROWING)
    bounded = sum(parts.values()) - growing
    at_10000 = bounded + growing * 10_000 / N
    report = (f"at 10,000 articles: {at_10000 / 1e6:.0f} MB ({growing / N / 1000:.1f} KB per article, "
              f"{bounded / 1e6:.1f} MB bounded); parts at {N}: {parts}")
    print(report)
    assert at_10000 <= BUDGET, report


def test_images_are_written_once_and_the_book_is_bounded(default_site: Path):
    out = default_site / "build"
    sources = default_site / "articles" / "images"
    assert _size(out / "media") == _size(sources)  # every image, once, under media/
    with zipfile.ZipFile(out / "articles.epub") as book:
        names = book.namelist()
    chapters = [n for n in names if n.startswith("EPUB/text/") and n.endswith(".xhtml")]
    images = [n for n in names if n.startswith("EPUB/media/") and n.endswith(IMAGE_SUFFIXES)]
    assert len(chapters) == DEFAULT_BOOK_ARTICLES  # the newest 100 of 2,000
    per_article = sum(1 for p in sources.rglob("*") if p.is_file()) / N
    assert 0 < len(images) <= DEFAULT_BOOK_ARTICLES * per_article


def test_the_site_feed_keeps_every_article_in_full_and_group_feeds_are_summaries(default_site: Path):
    out = default_site / "build"
    config = Config()
    ids: set[bytes] = set()
    for page in [out / "atom.xml", *(out / "archive" / "atom").glob("*.xml")]:
        data = page.read_bytes()
        ids |= set(re.findall(rb"<entry>\s*<id>([^<]+)</id>", data))
        assert data.count(b"<entry>") == data.count(b'<content type="html">'), page  # whole text
    assert len(ids) == N
    assert not (out / "archive" / "rss").exists()  # archives once, in Atom (feed_archive_formats)
    groups = [*(out / "tags").rglob("*.xml"), *(out / "authors").rglob("*.xml")]
    assert len(groups) >= 2 * (len(gen_corpus.AUTHORS) + len(gen_corpus.TAGS) - 1)
    for feed in groups:
        data = feed.read_bytes()
        assert b"<content" not in data and b"content:encoded" not in data, feed
        assert data.count(b"<entry>") + data.count(b"<item>") <= config.feed_group_limit, feed
