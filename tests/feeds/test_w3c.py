"""The W3C Feed Validation Service's own code on every feed we write, and our check beside it.

Every RSS and Atom document of the bundled site and of the Rust blog corpus (subscription
feeds, per-author feeds, archive pages) must pass with 0 errors and 0 warnings, except the
warnings listed in ALLOWED_WARNINGS, each true of the sources and checked to be so here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from publisher.feeds.check import check_feed
from tests.conftest import write
from tests.feeds.test_check import atom, entry, item, rss
from tests.validators import W3CFinding, feed_files, require_w3c, w3c_check

ATOM_NS = "http://www.w3.org/2005/Atom"
DCTERMS_NS = "http://purl.org/dc/terms/"

#: Warnings that are true of the sources, not of our output: class name -> why.
ALLOWED_WARNINGS = {
    # Several corpus posts carry only a date, published the same day: their updated times
    # are that day's midnight, the same instant. Inventing distinct times would be false.
    "DuplicateUpdated": "posts dated by day only, several on one day, share an updated time",
}


def _report(found: list[W3CFinding]) -> str:
    return "\n".join(map(str, found))


@pytest.fixture(scope="session")
def bundled_w3c(built: Path) -> list[W3CFinding]:
    require_w3c()
    return w3c_check(feed_files(built))


def test_bundled_feeds_pass_the_w3c_validator_with_no_warning(built: Path, bundled_w3c):
    assert len(feed_files(built)) >= 4
    assert bundled_w3c == [], _report(bundled_w3c)


def test_corpus_feeds_pass_the_w3c_validator(corpus_w3c):
    out, found = corpus_w3c
    paths = feed_files(out)
    assert len(paths) > 300  # subscription, per-author and archive feeds, both formats
    assert any("/archive/" in str(p) for p in paths)
    errors = [f for f in found if f.kind == "error"]
    assert errors == [], _report(errors)
    unexplained = [f for f in found if f.name not in ALLOWED_WARNINGS]
    assert unexplained == [], _report(unexplained)


def test_allowed_duplicate_updated_warnings_are_true_of_the_sources(corpus_w3c):
    """Each DuplicateUpdated is a feed whose entries really share an updated time, at midnight:
    posts the sources date by day only."""
    _, found = corpus_w3c
    dupes = [f for f in found if f.name == "DuplicateUpdated"]
    for finding in dupes:
        root = etree.parse(finding.path).getroot()
        if root.tag == f"{{{ATOM_NS}}}feed":
            values = [e.findtext(f"{{{ATOM_NS}}}updated") for e in root.iter(f"{{{ATOM_NS}}}entry")]
        else:
            values = [i.findtext(f"{{{DCTERMS_NS}}}modified") for i in root.iter("item")]
        shared = [v for v, n in Counter(values).items() if n > 1]
        assert shared, finding
        assert all("T00:00:00" in v for v in shared), (finding, shared)


def test_our_check_finds_nothing_in_the_corpus_feeds(corpus_site: Path):
    out = corpus_site / "build"
    problems = [d for p in feed_files(out) for d in check_feed(
        p.read_bytes(), str(p), self_url="https://blog.rust-lang.org/" + p.relative_to(out).as_posix())]
    assert problems == [], "\n".join(map(str, problems))


# -- bad feeds: our check finds every error the W3C code finds --------------------------------

BAD_FEEDS = {
    # name: (document, the W3C error classes it must raise)
    "not-well-formed": (rss(item(1, "<description>a & b</description>")), {"SAXError"}),
    "rss-version": (rss(item(1)).replace(b'version="2.0"', b'version="3.0"'), {"InvalidRSSVersion"}),
    "rss-no-version": (rss(item(1)).replace(b' version="2.0"', b""), {"MissingAttribute"}),
    "rss-no-channel": (b'<?xml version="1.0"?>\n<rss version="2.0"></rss>\n', {"MissingElement"}),
    "rss-two-channels": (rss(item(1)).replace(
        b"</channel>\n</rss>", b"</channel>\n<channel><title>x</title><link>https://example.com/</link>"
        b"<description>d</description></channel>\n</rss>"), {"DuplicateElement"}),
    "channel-no-title": (rss(item(1)).replace(b"<title>Example</title>\n", b""), {"MissingTitle"}),
    "channel-no-link": (rss(item(1)).replace(b"<link>https://example.com/</link>\n", b""), {"MissingLink"}),
    "channel-no-description": (rss(item(1)).replace(b"<description>An example feed</description>\n", b""),
                               {"MissingDescription"}),
    "item-no-title-description": (rss("<item><link>https://example.com/1</link></item>"),
                                  {"ItemMustContainTitleOrDescription"}),
    "item-bad-pubdate": (rss(item(1, "<pubDate>2026-11-24</pubDate>")), {"InvalidRFC2822Date"}),
    "item-bad-weekday": (rss(item(1, "<pubDate>Mon, 24 Nov 2026 07:00:00 +0000</pubDate>")), {"IncorrectDOW"}),
    "item-bad-zone": (rss(item(1, "<pubDate>Tue, 24 Nov 2026 07:00:00 XYZ</pubDate>")), {"InvalidRFC2822Date"}),
    "channel-bad-lastbuild": (rss("<lastBuildDate>yesterday</lastBuildDate>", item(1)), {"InvalidRFC2822Date"}),
    "channel-link-relative": (rss(item(1)).replace(b"<link>https://example.com/</link>", b"<link>/home</link>"),
                              {"InvalidFullLink"}),
    "item-link-relative": (rss(item(1).replace("https://example.com/1", "example.com/1")), {"InvalidFullLink"}),
    "guid-permalink-not-url": (rss(item(1).replace('<guid isPermaLink="false">', "<guid>")), {"InvalidURN"}),
    "guid-bad-boolean": (rss(item(1).replace('isPermaLink="false"', 'isPermaLink="yes"')),
                         {"InvalidBooleanAttribute"}),
    "guid-duplicate": (rss(item(1), item(2).replace("urn:x:2", "urn:x:1")), {"DuplicateValue"}),
    "enclosure-no-length": (rss(item(1, '<enclosure url="https://example.com/a.mp3" type="audio/mpeg"/>')),
                            {"MissingAttribute"}),
    "enclosure-bad-length": (rss(item(1, '<enclosure url="https://example.com/a.mp3" length="big" '
                                      'type="audio/mpeg"/>')), {"InvalidIntegerAttribute"}),
    "enclosure-bad-url": (rss(item(1, '<enclosure url="a.mp3" length="1" type="audio/mpeg"/>')),
                          {"InvalidURLAttribute"}),
    "enclosure-bad-type": (rss(item(1, '<enclosure url="https://example.com/a.mp3" length="1" type="audio"/>')),
                           {"InvalidMIMEAttribute"}),
    # what XML serialization of HTML did to the Rust corpus: <a href="mail-to:…"/> beside an autolink
    "content-self-closed-link": (rss(item(1, "<description>d</description><content:encoded>&lt;p&gt;"
                                         "&lt;a href=\"mail-to:x@example.com\"/&gt;&lt;a href=\"mailto:"
                                         "x@example.com\"&gt;x&lt;/a&gt;&lt;/p&gt;</content:encoded>")),
                                 {"InvalidUriChar"}),
    "description-space-in-url": (rss(item(1, '<description>&lt;a href="a b"&gt;x&lt;/a&gt;</description>')),
                                 {"InvalidUriChar"}),
    "atom-no-id": (atom(entry(1)).replace(b"<id>https://example.com/</id>\n", b""), {"MissingElement"}),
    "atom-no-title": (atom(entry(1)).replace(b"<title>Example</title>\n", b""), {"MissingElement"}),
    "atom-no-updated": (atom(entry(1)).replace(b"<updated>2026-11-24T07:00:00Z</updated>\n", b""),
                        {"MissingElement"}),
    "atom-two-titles": (atom("<title>Again</title>", entry(1)), {"DuplicateElement"}),
    "entry-no-id": (atom(entry(1).replace("<id>urn:uuid:00000000-0000-0000-0000-000000000001</id>", "")),
                    {"MissingElement"}),
    "entry-no-updated": (atom(entry(1).replace("<updated>2026-11-24T07:00:00Z</updated>", "")),
                         {"MissingElement"}),
    "entry-two-ids": (atom(entry(1, "<id>urn:x:2</id>")), {"DuplicateElement", "InvalidURN"}),
    "atom-id-relative": (atom(entry(1)).replace(b"<id>https://example.com/</id>", b"<id>/feed</id>"),
                         {"InvalidFullLink"}),
    "entry-bad-updated": (atom(entry(1).replace("2026-11-24T07:00:00Z", "2026-11-24 07:00")),
                          {"InvalidRFC3339Date"}),
    "entry-bad-published": (atom(entry(1, "<published>24 Nov 2026</published>")), {"InvalidRFC3339Date"}),
    "entry-no-author": (atom(entry(1)).replace(b"<author><name>Jane Doe</name></author>\n", b""),
                        {"MissingElement"}),
    "author-no-name": (atom(entry(1, "<author><email>a@example.com</email></author>")), {"MissingElement"}),
    "duplicate-alternate": (atom(entry(1, '<link href="https://example.com/other"/>')), {"DuplicateAtomLink"}),
    "link-no-href": (atom(entry(1, '<link rel="related"/>')), {"MissingHref"}),
    "content-bad-type": (atom(entry(1, '<content type="weird">x</content>')), {"InvalidMIMEType"}),
    "title-bad-type": (atom(entry(1).replace("<title>Entry 1</title>", '<title type="markdown">x</title>')),
                       {"InvalidMIMEType"}),
    "xhtml-without-div": (atom(entry(1, '<content type="xhtml"><p xmlns="http://www.w3.org/1999/xhtml">x</p>'
                                        "</content>")), {"MissingXhtmlDiv"}),
}


@pytest.fixture(scope="module")
def bad_feeds_w3c(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[W3CFinding]]:
    require_w3c()
    folder = tmp_path_factory.mktemp("bad-feeds")
    paths = {name: write(folder / f"{name}.xml", data) for name, (data, _) in BAD_FEEDS.items()}
    found = w3c_check(list(paths.values()))
    return {name: [f for f in found if f.path == str(path)] for name, path in paths.items()}


@pytest.mark.parametrize("name", sorted(BAD_FEEDS))
def test_our_check_finds_every_error_the_w3c_code_finds(bad_feeds_w3c, name: str):
    data, classes = BAD_FEEDS[name]
    w3c_errors = [f for f in bad_feeds_w3c[name] if f.kind == "error"]
    assert {f.name for f in w3c_errors} == classes, _report(bad_feeds_w3c[name])  # the case is what it says
    ours = [d for d in check_feed(data, f"{name}.xml") if d.severity == "error"]
    assert len(ours) >= 1, f"W3C: {_report(w3c_errors)}; ours: none"
