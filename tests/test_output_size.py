"""The default settings' output size: what a 10,000-article site's build/ comes to (README, "Output size").

Building 10,000 articles takes minutes, so the test builds the benchmark's generated site
(bench/gen_corpus.py: two own images per article) at 100 and 200 articles with the default
settings and extrapolates. build/ is the sum of

- parts that grow with every article: the site feed's archive pages (each article once per
  format), the book's chapters, each article's images (under media/ and in the book);
- tag and author feeds, which hold at most ``feed_group_limit`` articles each: their number is
  bounded by the generator's vocabulary (its tags and authors), so at 10,000 articles each is
  full, and their size is what 200 articles give plus the items they lack, at the bytes an
  item takes now;
- a few fixed files (the site's subscription feeds, feeds.html, OPML, CSS).

The growing part is measured as the difference between the two builds, per article: nothing
in it depends on how many articles there are besides, so 10,000 articles cost 9,800 times
that more than 200 do. Images are counted apart: they are the site's own bytes, written once
under media/ and once into the book, and the assertion is that they are not written more.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from publisher.build import build
from publisher.config import Config
from tests.conftest import REPO, site_config

sys.path.insert(0, str(REPO / "bench"))
import gen_corpus  # noqa: E402

BUDGET = 250_000_000  # bytes of build/ at 10,000 articles, images aside (see the module's docstring)
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
IMAGE_SUFFIXES = (".jpg", ".png")


def _tree(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def _default_site(root: Path, n: int) -> tuple[Path, dict[str, int]]:
    """Build the generated n-article site with the default settings: build/ and its parts."""
    subprocess.run([sys.executable, str(REPO / "bench" / "gen_corpus.py"), "--n", str(n), str(root)],
                   check=True, capture_output=True)
    config = root / "publisher.toml"  # without the benchmark's workload keys: the defaults
    lines = config.read_text("utf-8").splitlines(keepends=True)
    config.write_text("".join(x for x in lines if not x.startswith(("feed_formats", "feed_groups", "feed_archives"))))
    build(site_config(root), now=NOW)
    out = root / "build"
    with zipfile.ZipFile(out / "articles.epub") as book:
        book_images = [i for i in book.infolist() if i.filename.startswith("EPUB/media/") and i.filename.endswith(IMAGE_SUFFIXES)]
    groups = _tree(out / "tags") + _tree(out / "authors")
    items = 0
    for feed in [*(out / "tags").rglob("*"), *(out / "authors").rglob("*")]:
        if feed.is_file():
            data = feed.read_bytes()
            items += data.count(b"<item>") + data.count(b"<entry>") + data.count(b'"id": "urn:uuid:')
    parts = {
        "total": _tree(out), "media": _tree(out / "media"), "book images": sum(i.compress_size for i in book_images),
        "book image count": len(book_images), "groups": groups, "group items": items,
        "source images": _tree(root / "articles" / "images"),
        "image count": sum(1 for p in (root / "articles" / "images").rglob("*") if p.is_file()),
    }
    parts["rest"] = parts["total"] - parts["media"] - parts["book images"] - parts["groups"]
    return out, parts


@pytest.mark.skipif(not any(Path(p, "PIL").is_dir() for p in sys.path), reason="Pillow draws the images")
def test_default_build_of_10000_articles_fits_a_static_host(tmp_path: Path):
    _, small = _default_site(tmp_path / "n100", 100)
    out, big = _default_site(tmp_path / "n200", 200)

    # images are written once under media/ and once into the book, never more
    for parts in (small, big):
        assert parts["media"] == parts["source images"]
        assert parts["book image count"] == parts["image count"]
        assert parts["book images"] <= parts["source images"]

    per_article = (big["rest"] - small["rest"]) / 100
    sets = len(gen_corpus.TAGS) - 1 + len(gen_corpus.AUTHORS)  # one Greek-only tag gets no feed
    # every tag and author feed full: feed_group_limit items in RSS, Atom and JSON Feed
    full = sets * 3 * Config().feed_group_limit
    assert big["group items"] <= full
    per_item = big["groups"] / big["group items"]
    groups_at_10000 = big["groups"] + per_item * (full - big["group items"])
    at_10000 = big["rest"] + 9_800 * per_article + groups_at_10000
    report = (f"at 10,000 articles, images aside: {at_10000 / 1e6:.0f} MB ({per_article / 1000:.1f} KB per "
              f"article, tag and author feeds {groups_at_10000 / 1e6:.0f} MB); parts at 200: {big}")
    print(report)
    assert at_10000 <= BUDGET, report
    # the tag and author feeds are summaries: an item is a small fraction of an article's text
    assert per_item < 2_000, report
    # the site's feed still carries every article's whole text: its archive pages
    assert (out / "archive" / "rss" / "3.xml").is_file() and b"content:encoded" in (out / "archive" / "rss" / "3.xml").read_bytes()
