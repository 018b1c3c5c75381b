"""Feed behaviour on purpose-built sites: edits, hostile text, archives, hubs."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from publisher.build import build
from tests.conftest import site_config, write

ATOM = {"a": "http://www.w3.org/2005/Atom", "fh": "http://purl.org/syndication/history/1.0"}


def _article(root: Path, n: int, extra: str = "", body: str = "Body text.") -> Path:
    return write(root / "articles" / f"2026-01-{n:02d}-post-{n}.md", f"---\ntitle: Post {n}\n{extra}---\n\n{body}\n")


def test_edit_keeps_the_id_and_moves_updated(tiny: Path):
    path = _article(tiny, 1)
    build(site_config(tiny))
    before = feedparser.parse((tiny / "build" / "atom.xml").read_bytes()).entries[0]
    path.write_text("---\ntitle: Post 1, retitled\nupdated: 2026-02-01T10:00:00Z\n---\n\nEdited text.\n")
    build(site_config(tiny))
    after = feedparser.parse((tiny / "build" / "atom.xml").read_bytes())
    entry = after.entries[0]
    assert entry.id == before.id and entry.title == "Post 1, retitled"
    assert entry.updated == "2026-02-01T10:00:00+00:00" != before.updated
    assert after.feed.updated == "2026-02-01T10:00:00+00:00"


def test_moved_file_with_same_id_keeps_its_feed_id(tiny: Path):
    path = _article(tiny, 1, extra="id: story-1\n")
    build(site_config(tiny))
    first = feedparser.parse((tiny / "build" / "rss.xml").read_bytes()).entries[0].id
    path.unlink()
    write(tiny / "articles" / "sub" / "moved.md", "---\ntitle: Moved\nid: story-1\ndate: 2026-01-01\n---\nB.\n")
    build(site_config(tiny))
    assert feedparser.parse((tiny / "build" / "rss.xml").read_bytes()).entries[0].id == first


def test_hostile_titles_cdata_end_and_form_feed_stay_valid(tiny: Path):
    write(
        tiny / "articles" / "2026-01-01-h.md",
        "---\ntitle: 'Tom & Jerry <script> \"quoted\" & ''single'''\n---\n\n"
        "Code: `]]>` and text ]]> here.\n\nPage\x0cbreak.\n",
    )
    build(site_config(tiny))
    for name in ("rss.xml", "atom.xml"):
        feed = feedparser.parse((tiny / "build" / name).read_bytes())
        assert feed.bozo is False, feed.get("bozo_exception")
        entry = feed.entries[0]
        assert entry.title == "Tom & Jerry <script> “quoted” & ‘single’"
        assert "]]&gt;" in entry.content[0].value and "Pagebreak." in entry.content[0].value
    item = json.loads((tiny / "build" / "feed.json").read_bytes())["items"][0]
    assert item["title"] == "Tom & Jerry <script> “quoted” & ‘single’"


def _walk(folder: Path, start: str, fmt: str) -> tuple[list[str], list[list[str]]]:
    """Follow prev-archive links from the subscription document; ids of each archive page."""
    doc = etree.parse(str(folder / start)).getroot()
    rel = "a:link[@rel='prev-archive']/@href" if fmt == "atom" else "channel/a:link[@rel='prev-archive']/@href"
    ids = "a:entry/a:id/text()" if fmt == "atom" else "channel/item/guid/text()"
    current = doc.xpath(ids, namespaces=ATOM)
    pages = []
    nxt = doc.xpath(rel, namespaces=ATOM)
    while nxt:
        path = nxt[0].removeprefix("https://test.example/")
        page = etree.parse(str(folder / path)).getroot()
        scope = page if fmt == "atom" else page.find("channel")
        assert scope.find("fh:archive", ATOM) is not None
        assert scope.xpath("a:link[@rel='current']/@href", namespaces=ATOM) == [f"https://test.example/{start}"]
        pages.append(page.xpath(ids, namespaces=ATOM))
        nxt = page.xpath(rel, namespaces=ATOM)
    return current, pages


def test_archives_reach_every_article_exactly_once_and_full_pages_never_change(tiny: Path):
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text()
          + 'feed_limit = 3\nfeed_archive_formats = ["rss", "atom"]\n')
    for n in range(1, 11):
        _article(tiny, n)
    build(site_config(tiny))
    out = tiny / "build"
    for fmt in ("atom", "rss"):
        current, pages = _walk(out, f"{fmt}.xml", fmt)
        assert len(current) == 3 and len(pages) == 3
        archived = [i for page in pages for i in page]
        assert len(archived) == len(set(archived)) == 9  # pages are disjoint
        assert len(set(archived) | set(current)) == 10  # together they reach every article
    page1 = (out / "archive" / "atom" / "1.xml").read_bytes()
    _article(tiny, 11)
    _article(tiny, 12)
    build(site_config(tiny))
    assert (out / "archive" / "atom" / "1.xml").read_bytes() == page1  # a full page never changes
    assert (out / "archive" / "atom" / "4.xml").exists()


def test_a_lone_archive_page_says_it_is_complete_and_feeds_carry_no_xml_base(tiny: Path):
    """One full page: no neighbour to link, so fh:complete (RFC 5005 section 2) instead of a
    current link (the W3C validator: ArchiveIncomplete); no xml:base (SameDocumentReference)."""
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text()
          + 'feed_limit = 3\nfeed_archive_formats = ["rss", "atom"]\n')
    for n in range(1, 5):
        _article(tiny, n)
    build(site_config(tiny))
    out = tiny / "build"
    for fmt in ("atom", "rss"):
        assert not (out / "archive" / fmt / "2.xml").exists()
        page = etree.parse(str(out / "archive" / fmt / "1.xml")).getroot()
        scope = page if fmt == "atom" else page.find("channel")
        assert scope.find("fh:archive", ATOM) is not None and scope.find("fh:complete", ATOM) is not None
        assert not scope.xpath("a:link[@rel='current' or contains(@rel, '-archive')]", namespaces=ATOM)
        for doc in (page, etree.parse(str(out / f"{fmt}.xml")).getroot()):
            assert not doc.xpath("//@xml:base")
    for n in range(5, 8):  # a second full page: the first links it and is no longer complete
        _article(tiny, n)
    build(site_config(tiny))
    page1 = etree.parse(str(out / "archive" / "atom" / "1.xml")).getroot()
    assert page1.find("fh:complete", ATOM) is None
    assert page1.xpath("a:link[@rel='next-archive']/@href", namespaces=ATOM) == [
        "https://test.example/archive/atom/2.xml"]


def test_hub_is_announced_in_every_format(tiny: Path):
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text() + 'hub = "https://hub.example/"\n')
    _article(tiny, 1)
    build(site_config(tiny))
    atom = etree.parse(str(tiny / "build" / "atom.xml")).getroot()
    assert atom.xpath("a:link[@rel='hub']/@href", namespaces=ATOM) == ["https://hub.example/"]
    rss = etree.parse(str(tiny / "build" / "rss.xml")).getroot()
    assert rss.xpath("channel/a:link[@rel='hub']/@href", namespaces=ATOM) == ["https://hub.example/"]
    assert rss.xpath("channel/a:link[@rel='self']/@href", namespaces=ATOM) == ["https://test.example/rss.xml"]
    assert json.loads((tiny / "build" / "feed.json").read_bytes())["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]


def test_plain_text_summary_with_angle_brackets_is_escaped_for_rss(tiny: Path):
    from publisher.feeds.check import check_feed

    _article(tiny, 1, body="If a<b onload=x and 3 < 4 & so on.")
    build(site_config(tiny))
    rss = (tiny / "build" / "rss.xml").read_bytes()
    assert check_feed(rss, "rss.xml", self_url="https://test.example/rss.xml") == []
    import html

    entry = feedparser.parse(rss).entries[0]  # RSS descriptions are HTML: the text arrives escaped
    assert "<b" not in entry.summary and html.unescape(entry.summary) == "If a<b onload=x and 3 < 4 & so on."
    atom = feedparser.parse((tiny / "build" / "atom.xml").read_bytes()).entries[0]
    assert atom.summary == "If a<b onload=x and 3 < 4 & so on."


def test_posts_on_one_day_keep_a_stable_distinct_order(tiny: Path):
    for slug in ("b-second", "c-third", "a-first"):  # written in no particular order
        write(tiny / "articles" / f"2026-03-01-{slug}.md", f"---\ntitle: {slug}\n---\nText.\n")
    write(tiny / "articles" / "2026-03-01-timed.md", "---\ntitle: timed\ndate: 2026-03-01T09:00:00\n---\nText.\n")
    build(site_config(tiny))
    titles = [e.title for e in feedparser.parse((tiny / "build" / "atom.xml").read_bytes()).entries]
    # newest first; same time: by id, so every build and every machine agrees
    assert titles == ["timed", "c-third", "b-second", "a-first"]


def test_feed_selection_writes_only_what_the_config_asks_for(tiny: Path):
    config = (tiny / "publisher.toml").read_text()
    write(tiny / "publisher.toml", config + 'feed_limit = 2\nfeed_formats = ["rss", "atom"]\nfeed_groups = []\nfeed_archives = false\n')
    for n in range(1, 6):
        _article(tiny, n, extra="tags: [harbour]\nauthor: Ann Example\n")
    result = build(site_config(tiny))
    out = tiny / "build"
    assert sorted(p for p in result.outputs if not p.startswith("media/")) == [
        "articles.epub", "atom.xml", "feed.css", "feeds.html", "feeds.opml", "rss.xml"]
    for name in ("rss.xml", "atom.xml"):
        feed = feedparser.parse((out / name).read_bytes())
        assert not feed.bozo and [e.title for e in feed.entries] == ["Post 5", "Post 4"]
        assert b"prev-archive" not in (out / name).read_bytes()
    opml = etree.parse(str(out / "feeds.opml")).getroot()
    assert opml.xpath("//outline/@xmlUrl") == ["https://test.example/rss.xml"]  # one outline per feed
    page = (out / "feeds.html").read_text()
    assert "feed.json" not in page and "tags/" not in page and "rss.xml" in page
    # and back to the defaults: the files come back and the stale ones were never left behind
    write(tiny / "publisher.toml", config + "feed_limit = 2\n")
    result = build(site_config(tiny))
    assert {"feed.json", "tags/harbour/rss.xml", "authors/ann-example/atom.xml", "archive/atom/1.xml"} <= set(result.outputs)


def test_by_default_only_atom_has_archive_pages_and_rss_without_atom_does(tiny: Path):
    """Archive pages hold every older article in full, once: in Atom (RFC 5005's own format),
    or in RSS when Atom is not written. The subscription documents are as before."""
    config = (tiny / "publisher.toml").read_text()
    write(tiny / "publisher.toml", config + "feed_limit = 2\n")
    for n in range(1, 6):
        _article(tiny, n)
    result = build(site_config(tiny))
    out = tiny / "build"
    assert sorted(p for p in result.outputs if p.startswith("archive/")) == ["archive/atom/1.xml", "archive/atom/2.xml"]
    assert b"prev-archive" in (out / "atom.xml").read_bytes()
    assert b"prev-archive" not in (out / "rss.xml").read_bytes()
    assert [e.title for e in feedparser.parse((out / "rss.xml").read_bytes()).entries] == ["Post 5", "Post 4"]
    write(tiny / "publisher.toml", config + 'feed_limit = 2\nfeed_formats = ["rss", "json"]\n')
    result = build(site_config(tiny))
    assert sorted(p for p in result.outputs if p.startswith("archive/")) == ["archive/rss/1.xml", "archive/rss/2.xml"]
    assert not (out / "archive" / "atom").exists()  # the last build's pages went with it


@pytest.mark.parametrize("line, message", [
    ('feed_formats = ["rss", "html"]', "site.feed_formats takes each of"),
    ("feed_formats = []", "must name at least one format"),
    ('feed_groups = ["tags", "tags"]', "site.feed_groups takes each of"),
    ('feed_archives = "no"', "site.feed_archives must be a bool"),
    ('feed_group_content = "excerpt"', 'site.feed_group_content must be "summary" or "full"'),
    ('feed_group_archives = "yes"', "site.feed_group_archives must be a bool"),
    ("feed_group_limit = 0", "site.feed_group_limit must be at least 1"),
    ('feed_archive_formats = ["json"]', "site.feed_archive_formats takes each of 'rss', 'atom'"),
])
def test_feed_selection_is_checked(tiny: Path, line: str, message: str):
    from publisher.config import load_config
    from publisher.errors import ConfigError

    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text() + line + "\n")
    with pytest.raises(ConfigError, match=message):
        load_config(tiny / "publisher.toml")


def _group_site(tiny: Path, extra: str = "") -> Path:
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text() + "feed_limit = 3\nfeed_group_limit = 2\n" + extra)
    for n in range(1, 6):
        _article(tiny, n, extra="tags: [harbour]\nauthor: Ann Example\nsummary: Short <b> & sweet\n",
                 body=f"The whole text of post {n}, which only the site's feed carries.")
    build(site_config(tiny))
    return tiny / "build"


def test_tag_and_author_feeds_carry_summaries_and_no_archives_by_default(tiny: Path):
    """The defaults keep a big site's build/ small (README, "Configuration"): tag and author
    feeds carry each article's summary, not its text, and have no archive pages; the site's
    feed is what it was, whole text and archives."""
    out = _group_site(tiny)
    for group in ("tags/harbour/", "authors/ann-example/"):
        rss = (out / group / "rss.xml").read_bytes()
        atom = etree.parse(str(out / group / "atom.xml")).getroot()
        assert b"content:encoded" not in rss and b"whole text" not in rss
        assert b"<description>Short &amp;lt;b&amp;gt; &amp;amp; sweet</description>" in rss
        assert atom.xpath("//a:entry/a:content", namespaces=ATOM) == []
        assert atom.xpath("//a:entry/a:summary/text()", namespaces=ATOM)[0] == "Short <b> & sweet"
        assert len(atom.xpath("//a:entry", namespaces=ATOM)) == 2
        assert not atom.xpath("//a:link[@rel='prev-archive']", namespaces=ATOM)
        assert not (out / group / "archive").exists()
        items = json.loads((out / group / "feed.json").read_bytes())["items"]
        assert [set(i) & {"content_html", "content_text"} for i in items] == [{"content_text"}] * 2
        assert items[0]["content_text"] == "Short <b> & sweet"
        for entry in feedparser.parse(rss).entries:  # a reader still has all it lists
            assert entry.title and entry.link and entry.summary and entry.published and entry.author
    site = feedparser.parse((out / "atom.xml").read_bytes())
    assert "whole text of post 5" in site.entries[0].content[0].value
    assert len(site.entries) == 3  # feed_limit; the tag and author feeds hold feed_group_limit
    assert (out / "archive" / "atom" / "1.xml").is_file() and not (out / "archive" / "atom" / "2.xml").exists()
    assert "content_html" in json.loads((out / "feed.json").read_bytes())["items"][0]


def test_group_feeds_carry_the_whole_text_and_archives_when_asked(tiny: Path):
    out = _group_site(tiny, 'feed_group_content = "full"\nfeed_group_archives = true\n')
    for group in ("tags/harbour/", "authors/ann-example/"):
        feed = feedparser.parse((out / group / "atom.xml").read_bytes())
        assert "whole text of post 5" in feed.entries[0].content[0].value
        assert (out / group / "archive" / "atom" / "2.xml").is_file()
        assert "content_html" in json.loads((out / group / "feed.json").read_bytes())["items"][0]
