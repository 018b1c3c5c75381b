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
        assert item.findall("dc:creator", NS)
        assert item.find("author") is None  # would need an e-mail address
    two = next(i for i in channel.iter("item") if len(i.findall("dc:creator", NS)) == 2)
    assert [c.text for c in two.findall("dc:creator", NS)] == ["Mara Lindqvist", "Tomás Ó Briain"]
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
