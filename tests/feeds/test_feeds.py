"""RSS 2.0 and Atom 1.0 as a feed reader sees them (feedparser), plus XPath checks."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from tests.conftest import SEED

FEEDS = ["rss.xml", "atom.xml"]
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


def seed_parts() -> tuple[str, str, list[str], str, str]:
    blocks = [b.strip() for b in SEED.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    return blocks[0], blocks[1], blocks[2:-2], blocks[-2].removeprefix("Author: "), blocks[-1]


@pytest.mark.parametrize("name", FEEDS)
def test_feedparser_reads_every_entry_complete(built: Path, name: str):
    feed = feedparser.parse((built / name).read_bytes())
    assert feed.bozo is False, feed.get("bozo_exception")
    assert len(feed.entries) == 7
    for entry in feed.entries:
        for key in ("title", "link", "id", "published", "author", "content"):
            assert entry.get(key), (key, entry.get("title"))
        assert re.match(r"^[a-z][a-z0-9+.-]*:\S+$", entry.id), entry.id
        assert entry.link.startswith("https://dispatch.example.com/articles/")


@pytest.mark.parametrize("name", FEEDS)
def test_newest_first_and_feed_date_is_newest_item(built: Path, name: str):
    feed = feedparser.parse((built / name).read_bytes())
    published = [e.published_parsed for e in feed.entries]
    assert published == sorted(published, reverse=True)
    updated = max(e.updated_parsed for e in feed.entries)
    assert feed.feed.updated_parsed == updated


@pytest.mark.parametrize("name", FEEDS)
def test_sample_article_arrives_whole(built: Path, name: str):
    headline, deck, paragraphs, author, bio = seed_parts()
    feed = feedparser.parse((built / name).read_bytes())
    entry = next(e for e in feed.entries if e.title == headline)
    html = entry.content[0].value
    text = etree.tostring(etree.fromstring(f"<div>{html}</div>".encode()), method="text", encoding="unicode")
    assert deck in text
    for para in paragraphs:
        assert para in text
    assert bio in text
    assert entry.author == author
    assert [a.name for a in entry.authors] == [author]


def test_rss_specifics(built: Path):
    root = etree.parse(str(built / "rss.xml")).getroot()
    channel = root.find("channel")
    assert channel.findtext("link") == "https://dispatch.example.com/"
    self_link = channel.find("atom:link", NS)
    assert (self_link.get("rel"), self_link.get("href")) == ("self", "https://dispatch.example.com/rss.xml")
    for item in channel.iter("item"):
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false" and guid.text.startswith("urn:uuid:")
        assert item.find("content:encoded", NS).text
        assert len(item.findall("dc:creator", NS)) == 1  # one, naming every author
        assert item.find("author") is None  # would need an e-mail address
    two = next(i for i in channel.iter("item") if "," in i.findtext("dc:creator", namespaces=NS))
    assert [c.text for c in two.findall("dc:creator", NS)] == ["Mara Lindqvist, Tomás Ó Briain"]
    assert [c.text for c in two.findall("category")] == ["Port", "City Council", "Economy"]


def test_atom_specifics(built: Path):
    root = etree.parse(str(built / "atom.xml")).getroot()
    for entry in root.iterfind("atom:entry", NS):
        assert entry.findtext("atom:id", namespaces=NS).startswith("urn:uuid:")
        assert entry.findtext("atom:published", namespaces=NS)
        assert entry.findtext("atom:updated", namespaces=NS)
        assert entry.find("atom:content", NS).get("type") == "html"
    links = root.findall("atom:link", NS)
    assert {(l.get("rel"), l.get("href")) for l in links} >= {("self", "https://dispatch.example.com/atom.xml")}


@pytest.mark.parametrize("name", FEEDS)
def test_no_relative_urls_in_content(built: Path, name: str):
    feed = feedparser.parse((built / name).read_bytes())
    for entry in feed.entries:
        html = entry.content[0].value
        for url in re.findall(r'(?:href|src)="([^"]*)"', html):
            assert re.match(r"^https?://", url), (entry.title, url)


# -- every feed the build writes ------------------------------------------------------------------


def _all_feeds(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xml"))


def test_every_written_feed_reads_complete_in_feedparser(built: Path):
    feeds = _all_feeds(built)
    assert len(feeds) >= 2 + 2 * 10  # site + tags + authors, RSS and Atom each
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo is False, (path, feed.get("bozo_exception"))
        assert feed.entries, path
        # the site's feed carries the whole text; tag and author feeds the summary (the default)
        group = path.relative_to(built).parts[0] in ("tags", "authors")
        raw = path.read_bytes()
        assert (b"<content" not in raw) is group, path  # Atom content, RSS content:encoded
        for entry in feed.entries:
            for key in ("title", "link", "id", "published", "updated", "author", "summary", *(() if group else ("content",))):
                assert entry.get(key), (path.name, key, entry.get("title"))
            for url in re.findall(r'(?:href|src|srcset|poster)="([^"]*)"', entry.content[0].value if not group else ""):
                assert re.match(r"^(https?|mailto):", url), (path, url)


def test_tag_and_author_feeds_hold_exactly_their_articles(built: Path):
    port = feedparser.parse((built / "tags" / "port" / "atom.xml").read_bytes())
    assert sorted(e.title for e in port.entries) == sorted(
        [
            "Council Approves Port Expansion After Six-Hour Debate",
            "Port Authority Faces €40 Million Funding Gap",
            "Why the Tide Tables Were Wrong Last Week",
            "Hafenfest: „Wir kommen wieder“ – die Gäste aus Kiel",
        ]
    )
    tomas = feedparser.parse((built / "authors" / "tomas-o-briain" / "rss.xml").read_bytes())
    assert len(tomas.entries) == 2 and all("Tomás Ó Briain" in e.author for e in tomas.entries)


def test_opml_has_exactly_one_outline_per_feed_in_the_preferred_format(built: Path):
    opml = etree.parse(str(built / "feeds.opml")).getroot()
    urls = opml.xpath("//outline/@xmlUrl")
    written = {"https://dispatch.example.com/" + p.relative_to(built).as_posix() for p in built.rglob("*")
               if p.name == "rss.xml" and "archive" not in p.parts}
    assert sorted(urls) == sorted(written) and len(urls) == len(set(urls))
    assert set(opml.xpath("//outline[@xmlUrl]/@version")) == {"RSS2"}
    titles = opml.xpath("//outline[@xmlUrl]/@text")
    assert len(titles) == len(set(titles))  # one subscription per feed, not one per format
    # the other formats are a link away on feeds.html
    page = (built / "feeds.html").read_text(encoding="utf-8")
    assert all(u.replace("rss.xml", other) in page for u in urls for other in ("atom.xml", "feed.json"))


def test_opml_takes_the_configured_format(tiny: Path):
    from publisher.build import build
    from tests.conftest import site_config, write

    write(tiny / "articles" / "2026-01-01-a.md", "---\ntitle: A\ntags: [x]\n---\n\nBody.\n")
    config = (tiny / "publisher.toml").read_text(encoding="utf-8")
    write(tiny / "publisher.toml", config + 'feed_preferred = "atom"\n')
    build(site_config(tiny))
    opml = etree.parse(str(tiny / "build" / "feeds.opml")).getroot()
    assert sorted(opml.xpath("//outline/@xmlUrl")) == [
        "https://test.example/atom.xml", "https://test.example/authors/staff/atom.xml",
        "https://test.example/tags/x/atom.xml"]
    assert set(opml.xpath("//outline[@xmlUrl]/@version")) == {"ATOM"}


def test_lead_image_as_enclosure_and_media_content(built: Path):
    rss = etree.parse(str(built / "rss.xml")).getroot()
    item = next(i for i in rss.iter("item") if i.find("enclosure") is not None)
    enc = item.find("enclosure")
    assert (enc.get("url"), enc.get("length"), enc.get("type")) == (
        "https://dispatch.example.com/media/images/harbour-cranes.png", "2759", "image/png")
    assert item.find("{http://search.yahoo.com/mrss/}content").get("url") == enc.get("url")
    atom = etree.parse(str(built / "atom.xml")).getroot()
    links = atom.xpath("//atom:entry/atom:link[@rel='enclosure']", namespaces=NS)
    assert [(l.get("href"), l.get("length"), l.get("type")) for l in links] == [
        ("https://dispatch.example.com/media/images/harbour-cranes.png", "2759", "image/png")]
    alternates = atom.xpath("//atom:entry/atom:link[not(@rel) or @rel='alternate']", namespaces=NS)
    assert len(alternates) == 7  # the enclosure did not become a second alternate link
    parsed = feedparser.parse((built / "atom.xml").read_bytes())
    assert [e.enclosures[0].href for e in parsed.entries if e.get("enclosures")] == [enc.get("url")]


def test_feed_dates_come_from_articles_never_the_clock(built: Path):
    atom = etree.parse(str(built / "tags" / "libya" / "atom.xml")).getroot()
    assert atom.findtext("atom:updated", namespaces=NS) == "2016-11-29T14:30:00-05:00"
    rss = etree.parse(str(built / "tags" / "libya" / "rss.xml")).getroot()
    assert rss.findtext("channel/lastBuildDate") == "Tue, 29 Nov 2016 14:30:00 -0500"


def test_browser_stylesheet_instruction_points_at_the_root_css(built: Path):
    assert (built / "rss.xml").read_bytes().split(b"\n")[1] == b'<?xml-stylesheet type="text/css" href="feed.css"?>'
    assert b'href="../../feed.css"' in (built / "tags" / "port" / "atom.xml").read_bytes()


# -- JSON Feed 1.1 --------------------------------------------------------------------------------


def check_json_feed(data: bytes) -> list[str]:
    """The rules of JSON Feed 1.1 (https://jsonfeed.org/version/1.1) that a document can break."""
    import json
    from datetime import datetime

    problems = []
    feed = json.loads(data)
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version")
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        problems.append("title")
    for key in ("home_page_url", "feed_url"):
        if key in feed and not re.match(r"^https?://", feed[key]):
            problems.append(key)
    if not isinstance(feed.get("items"), list):
        return problems + ["items"]
    ids = set()
    for n, item in enumerate(feed["items"]):
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"items[{n}].id")
        elif item["id"] in ids:
            problems.append(f"items[{n}].id duplicate")
        ids.add(item.get("id"))
        if not (isinstance(item.get("content_html"), str) or isinstance(item.get("content_text"), str)):
            problems.append(f"items[{n}] content")
        for key in ("date_published", "date_modified"):
            if key in item:
                try:
                    value = datetime.fromisoformat(item[key].replace("Z", "+00:00"))
                    assert value.tzinfo is not None and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", item[key])
                except (ValueError, AssertionError):
                    problems.append(f"items[{n}].{key}")
        for key in ("url", "image"):
            if key in item and not re.match(r"^https?://", item[key]):
                problems.append(f"items[{n}].{key}")
        for author in item.get("authors", []):
            if not isinstance(author, dict) or not any(author.get(k) for k in ("name", "url", "avatar")):
                problems.append(f"items[{n}].authors")
        if "tags" in item and not all(isinstance(t, str) for t in item["tags"]):
            problems.append(f"items[{n}].tags")
        for att in item.get("attachments", []):
            if not att.get("url") or not att.get("mime_type"):
                problems.append(f"items[{n}].attachments")
    return problems


def test_json_feeds_follow_json_feed_1_1(built: Path):
    import json

    paths = sorted(built.rglob("feed.json"))
    assert len(paths) >= 10
    for path in paths:
        assert check_json_feed(path.read_bytes()) == [], path
    site = json.loads((built / "feed.json").read_bytes())
    assert len(site["items"]) == 7 and all(i["summary"] and i["content_html"] for i in site["items"])


def test_json_feed_checker_catches_bad_documents():
    bad = b'{"version": "1", "items": [{"id": "", "date_published": "yesterday", "url": "/rel"}]}'
    assert check_json_feed(bad) == ["version", "title", "items[0].id", "items[0] content",
                                    "items[0].date_published", "items[0].url"]
