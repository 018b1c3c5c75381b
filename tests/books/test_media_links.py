"""Books do not embed audio or video: a chapter links to the published media with a clear text,
and the book passes EPUBCheck."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publisher.books.chapters import _duration_text, enclosure_link
from publisher.build import build, load_articles
from publisher.errors import Reporter
from tests.conftest import epubcheck, site_config
from tests.media_support import podcast_site

XHTML = {"h": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = podcast_site(tmp_path_factory.mktemp("books") / "site")
    build(site_config(root))
    return root


def _chapter(book: Path, slug: str) -> etree._Element:
    with zipfile.ZipFile(book) as z:
        name = next(n for n in z.namelist() if n.endswith(f"text/{slug}.xhtml"))
        return etree.fromstring(z.read(name))


def test_chapters_link_the_media_at_their_published_urls(site: Path):
    book = site / "build" / "articles.epub"
    links = {slug: [(a.get("href"), a.text) for a in _chapter(book, slug).xpath(
        "//h:p[@class='enclosure']/h:a", namespaces=XHTML)] for slug in ("episode-one", "launch-video", "plain")}
    assert links == {
        "episode-one": [("https://talk.example/media/episodes/ep1.mp3", "Listen (MP3, 2 min)")],
        "launch-video": [("https://cdn.talk.example/video/launch.mp4", "Watch (MP4, 3 min)")],
        "plain": [],
    }
    with zipfile.ZipFile(book) as z:
        assert not any(n.endswith((".mp3", ".mp4")) for n in z.namelist())


def test_the_book_passes_epubcheck(site: Path):
    result = epubcheck(site / "build" / "articles.epub")
    assert result.messages == [], result.summary()


def test_the_link_speaks_the_books_language(site: Path):
    views, _ = load_articles(site_config(site), Reporter())
    episode = next(v for v in views if v.slug == "episode-one")
    p = enclosure_link(episode, "de")
    assert (p.get("lang"), p[0].text) == ("de", "Anhören (MP3, 2 min)")
    assert [_duration_text(s) for s in (45, 90, 1440, 3900)] == ["45 s", "2 min", "24 min", "1 h 5 min"]
