"""The 750-post corpus builds whole: every post in the book and the feeds, every validator silent."""

from __future__ import annotations

import zipfile
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree

from publisher.build import build, load_articles
from publisher.cli import cli
from publisher.config import load_config
from publisher.errors import Reporter
from publisher.feeds.check import check_feed
from tests.conftest import CORPUS, corpus_config, epubcheck, write

pytestmark = pytest.mark.skipif(not (CORPUS / "content").is_dir(), reason="shared corpus not present")

# One book of every post (without [[editions]] the book holds the newest 100)
CONFIG = corpus_config('description = "Empowering everyone to build reliable and efficient software."\n'
                       '[[editions]]\nkind = "archive"\n')


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    write(root / "publisher.toml", CONFIG)
    config, _ = load_config(root / "publisher.toml")
    build(config)
    return root


def test_check_reports_no_error(corpus_site: Path, monkeypatch):
    monkeypatch.chdir(corpus_site)
    result = CliRunner().invoke(cli, ["check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output[-3000:]
    assert result.output.splitlines()[-1].startswith("Checked 750 source(s) and ")
    assert ": 0 error(s)," in result.output.splitlines()[-1]


def test_every_post_lands_in_the_book_and_epubcheck_is_silent(corpus_site: Path):
    config, _ = load_config(corpus_site / "publisher.toml")
    views, count = load_articles(config, Reporter())
    assert count == len(views) == 750
    book = corpus_site / "build" / "articles.epub"
    with zipfile.ZipFile(book) as z:
        nav_name = next(n for n in z.namelist() if n.endswith("nav.xhtml"))
        nav = etree.fromstring(z.read(nav_name))
        chapters = [n for n in z.namelist() if n.endswith(".xhtml")]
        text = b"".join(z.read(n) for n in chapters).decode("utf-8")
    nav_titles = [" ".join("".join(a.itertext()).split()) for a in nav.iter("{http://www.w3.org/1999/xhtml}a")]
    for view in views:
        assert " ".join(view.headline.split()) in nav_titles, view.source
    missing = [v.source for v in views if v.headline.replace("&", "&amp;").replace("<", "&lt;") not in text]
    assert missing == []
    result = epubcheck(book)
    assert result.messages == [], result.summary()[:5000]


def test_every_feed_parses_and_passes_the_feed_checks(corpus_site: Path):
    out = corpus_site / "build"
    feeds = sorted(out.rglob("*.xml"))
    assert len(feeds) > 100
    for path in feeds:
        data = path.read_bytes()
        rel = path.relative_to(out).as_posix()
        assert check_feed(data, rel, self_url="https://blog.rust-lang.org/" + rel) == [], rel
        parsed = feedparser.parse(data)
        assert parsed.bozo is False, (rel, parsed.get("bozo_exception"))
    site = feedparser.parse((out / "atom.xml").read_bytes())
    assert len(site.entries) == 50


def test_archives_reach_all_750_posts(corpus_site: Path):
    out = corpus_site / "build"
    ids: set[str] = set()
    pages = sorted((out / "archive" / "atom").glob("*.xml"))
    for page in pages:
        ids |= {e.id for e in feedparser.parse(page.read_bytes()).entries}
    ids |= {e.id for e in feedparser.parse((out / "atom.xml").read_bytes()).entries}
    assert len(ids) == 750 and len(pages) == 15
