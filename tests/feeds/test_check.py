"""Feed checks: a known-bad feed for every rule (exact message and line), known-good feeds, the built site."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.errors import Diagnostic
from publisher.feeds.check import check_feed

SITE = "https://dispatch.example.com/"

# Line 1-7; whatever a test adds starts on line 8, one line per argument.
RSS_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Example</title>
<link>https://example.com/</link>
<description>An example feed</description>
<atom:link href="https://example.com/rss.xml" rel="self" type="application/rss+xml"/>
"""

# Lines 1-7 likewise; the feed element is on line 2.
ATOM_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>https://example.com/</id>
<title>Example</title>
<updated>2026-11-24T07:00:00Z</updated>
<author><name>Jane Doe</name></author>
<link rel="self" href="https://example.com/atom.xml"/>
"""


def rss(*lines: str) -> bytes:
    return (RSS_HEAD + "".join(f"{line}\n" for line in lines) + "</channel>\n</rss>\n").encode()


def atom(*lines: str, head: str = ATOM_HEAD) -> bytes:
    return (head + "".join(f"{line}\n" for line in lines) + "</feed>\n").encode()


def item(n: int, body: str = "", *, title: str | None = None) -> str:
    """A valid RSS item on one line, with ``body`` added at its end."""
    return (
        f"<item><title>{title or f'Item {n}'}</title><link>https://example.com/{n}</link>"
        f'<guid isPermaLink="false">urn:x:{n}</guid>{body}</item>'
    )


def entry(n: int, body: str = "", *, title: str | None = None) -> str:
    """A valid Atom entry on one line, with ``body`` added at its end."""
    title_el = title if title is not None else f"<title>Entry {n}</title>"
    return (
        f"<entry><id>urn:uuid:00000000-0000-0000-0000-00000000000{n}</id>{title_el}"
        f'<updated>2026-11-24T07:00:00Z</updated><link href="https://example.com/{n}"/>{body}</entry>'
    )


def found(data: bytes, self_url: str | None = None) -> list[tuple[int | None, str, str]]:
    return [(d.line, d.severity, d.message) for d in check_feed(data, "feed.xml", self_url=self_url)]


def error(line: int, message: str) -> tuple[int, str, str]:
    return (line, "error", message)


def warning(line: int, message: str) -> tuple[int, str, str]:
    return (line, "warning", message)


# -- known good ---------------------------------------------------------------------------------

GOOD_RSS = rss(
    "<language>en</language>",
    "<pubDate>Tue, 24 Nov 2026 07:00:00 +0000</pubDate>",
    "<lastBuildDate>24 Nov 2026 08:30 GMT</lastBuildDate>",
    "<category>News</category>",
    "<item>",
    "<title>Q&amp;A: why Vec&lt;T&gt; grows</title>",
    "<link>https://example.com/qa</link>",
    "<description>Short &lt;em&gt;summary&lt;/em&gt;</description>",
    '<content:encoded><![CDATA[<p>See <a href="https://example.com/x">x</a>'
    ' and <a href="mailto:desk@example.com">mail</a>.<img src="https://example.com/i.png"/></p>]]>'
    "</content:encoded>",
    "<guid>https://example.com/qa</guid>",
    "<pubDate>Mon, 23 Nov 2026 07:00:00 EST</pubDate>",
    "<author>desk@example.com (News Desk)</author>",
    "<dc:creator>Jane Doe</dc:creator>",
    "<category>Port</category>",
    '<enclosure url="https://example.com/a.mp3" length="12345" type="audio/mpeg"/>',
    "</item>",
    "<item><description>An item may have a description and no title.</description>"
    '<guid isPermaLink="false">urn:x:2</guid></item>',
)

GOOD_ATOM = atom(
    '<link rel="alternate" type="text/html" href="https://example.com/"/>',
    '<link rel="alternate" type="text/html" hreflang="de" href="https://example.com/de/"/>',
    '<subtitle type="html">News &amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;</subtitle>',
    '<entry xml:base="https://example.com/posts/one/">',
    "<id>tag:example.com,2026:one</id>",
    '<title type="html">&lt;b&gt;Bold&lt;/b&gt; headline</title>',
    "<updated>2026-11-24T07:00:00.5+01:00</updated>",
    "<published>2026-11-23T23:59:60Z</published>",
    '<link href="https://example.com/posts/one/"/>',
    '<link rel="enclosure" type="image/png" length="2759" href="https://example.com/i.png"/>',
    '<summary type="html">&lt;p&gt;A &lt;a href="../two/"&gt;relative&lt;/a&gt; link, resolved by xml:base&lt;/p&gt;</summary>',
    '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <a href="https://example.com/">home</a></p></div></content>',
    "</entry>",
    "<entry>",
    "<id>urn:uuid:2f0d3a4e-1111-4c1c-9e0e-000000000002</id>",
    "<title>Second</title>",
    "<updated>2026-11-22T07:00:00-05:00</updated>",
    "<author><name>John Roe</name></author>",
    '<content type="image/png" src="https://example.com/i.png"/>',
    '<summary type="text">A picture</summary>',
    "</entry>",
)


def test_good_rss_has_no_diagnostics():
    assert found(GOOD_RSS, self_url="https://example.com/rss.xml") == []


def test_good_atom_has_no_diagnostics():
    assert found(GOOD_ATOM, self_url="https://example.com/atom.xml") == []


# -- XML ----------------------------------------------------------------------------------------


def test_not_well_formed_is_one_error_with_line_and_column_and_nothing_else():
    data = b'<?xml version="1.0"?>\n<rss version="1.0">\n<channel>\n<item><title>A</title></itemm>\n</channel></rss>\n'
    assert check_feed(data, "feed.xml") == [
        Diagnostic("feed.xml", 4, 31, "error", "not well-formed XML: Opening and ending tag mismatch: item line 4 and itemm")
    ]


def test_undefined_html_entity_is_not_well_formed():
    assert check_feed(rss("<item><title>A&nbsp;B</title></item>"), "feed.xml") == [
        Diagnostic("feed.xml", 8, 21, "error", "not well-formed XML: Entity 'nbsp' not defined")
    ]


def test_entities_are_never_expanded():
    data = b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<rss version="2.0"><channel><title>&x;</title><link>https://example.com/</link><description>d</description></channel></rss>'
    assert [m for _, _, m in found(data)] == ['<channel> has no <atom:link rel="self">; feed readers use it to know the feed\'s own address']


def test_unknown_root():
    assert found(b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>') == [
        error(2, "root element <{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF> is neither RSS 2.0 <rss> nor Atom 1.0 <feed>")
    ]


# -- RSS 2.0 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attr", "message"),
    [
        ("", '<rss> has no version; RSS 2.0 requires version="2.0"'),
        (' version="0.91"', '<rss> has version="0.91"; RSS 2.0 requires version="2.0"'),
    ],
)
def test_rss_version(attr: str, message: str):
    data = rss(item(1)).replace(b'<rss version="2.0"', f"<rss{attr}".encode())
    assert found(data) == [error(2, message)]


def test_rss_without_channel():
    assert found(b'<?xml version="1.0"?>\n<rss version="2.0"/>') == [
        error(2, "<rss> has no <channel>; RSS 2.0 requires exactly one")
    ]


def test_rss_with_two_channels():
    data = rss().replace(b"</rss>", b"<channel><title>B</title><link>https://b.example/</link><description>B</description></channel>\n</rss>")
    assert found(data) == [error(9, "<rss> has more than one <channel>; RSS 2.0 allows exactly one")]


@pytest.mark.parametrize("name", ["title", "link", "description"])
def test_channel_requires_title_link_and_description(name: str):
    head = RSS_HEAD.split("\n")
    data = rss(item(1)).replace(next(line for line in head if line.startswith(f"<{name}>")).encode() + b"\n", b"")
    assert found(data) == [error(3, f"<channel> has no <{name}>; RSS 2.0 requires it")]


def test_item_needs_title_or_description():
    data = rss(item(1), item(2), "<item><link>https://example.com/3</link></item>")
    assert found(data) == [error(10, "<item> 3 has no <title> or <description>; RSS 2.0 requires one of them")]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2026-11-24T07:00:00Z", "is not an RFC 822 date-time"),
        ("Tue, 24 Nov 2026 07:00:00", "is not an RFC 822 date-time"),
        ("Tue, 24 Nov 26 07:00:00 +0000", "does not have a 4-digit year"),
        ("Tue, 24 Nov 2026 07:00:00 CEST", 'has no valid time zone ("CEST"; use e.g. +0000 or GMT)'),
        ("Tue, 24 Nov 2026 07:00:00 +01:00", 'has no valid time zone ("+01:00"; use e.g. +0000 or GMT)'),
        ("Tue, 24 Nov 2026 07:00:00 0000", 'has no valid time zone ("0000"; use e.g. +0000 or GMT)'),
        ("Die, 24 Nov 2026 07:00:00 +0000", "has an unknown day or month name (use English three-letter abbreviations)"),
        ("Tue, 24 Nov. 2026 07:00:00 +0000", "is not an RFC 822 date-time"),
        ("Mon, 31 Nov 2026 07:00:00 +0000", "is not a real date"),
        ("Tue, 24 Nov 2026 24:00:00 +0000", "is not a real time of day"),
        ("Mon, 24 Nov 2026 07:00:00 +0000", "names the wrong weekday (Mon; that date is a Tue)"),
    ],
)
def test_item_pub_date_must_be_rfc822(value: str, problem: str):
    data = rss(item(1, f"<pubDate>{value}</pubDate>"))
    assert found(data) == [
        error(8, f'<pubDate> of <item> 1 {problem}: "{value}"; RSS 2.0 dates are RFC 822, e.g. "Tue, 24 Nov 2026 07:00:00 +0000"')
    ]


@pytest.mark.parametrize("name", ["pubDate", "lastBuildDate"])
def test_channel_dates_must_be_rfc822(name: str):
    data = rss(f"<{name}>2026-11-24</{name}>", item(1))
    assert found(data) == [
        error(8, f'<{name}> of <channel> is not an RFC 822 date-time: "2026-11-24"; RSS 2.0 dates are RFC 822, e.g. "Tue, 24 Nov 2026 07:00:00 +0000"')
    ]


@pytest.mark.parametrize("value", ["24 Nov 2026 07:00 GMT", "Tue, 24 Nov 2026 07:00:00 -0530", "Tue, 24 Nov 2026 02:00:00 EST", "Tue, 24 Nov 2026 07:00:00 Z", "Tue,24 Nov 2026 07:00:59 UT"])
def test_rfc822_variants_that_are_valid(value: str):
    assert found(rss(item(1, f"<pubDate>{value}</pubDate>"))) == []


def test_channel_link_must_be_absolute_http_url():
    data = rss(item(1)).replace(b"<link>https://example.com/</link>", b"<link>/</link>")
    assert found(data) == [error(5, '<link> of <channel> is not an absolute http(s) URL: "/"')]


@pytest.mark.parametrize("url", ["articles/one/", "ftp://example.com/one", "https:///nohost"])
def test_item_link_must_be_absolute_http_url(url: str):
    data = rss(item(1), f"<item><title>Two</title><link>{url}</link></item>")
    assert found(data) == [error(9, f'<link> of <item> 2 is not an absolute http(s) URL: "{url}"')]


@pytest.mark.parametrize("attr", ["", ' isPermaLink="true"'])
def test_permalink_guid_must_be_absolute_http_url(attr: str):
    data = rss(f"<item><title>A</title><guid{attr}>urn:uuid:1234</guid></item>")
    assert found(data) == [
        error(8, '<guid> of <item> 1 is a permalink (isPermaLink is "true" or absent) but not an absolute http(s) URL: "urn:uuid:1234"; add isPermaLink="false" if it is not a URL')
    ]


def test_guid_is_perma_link_must_be_true_or_false():
    data = rss('<item><title>A</title><guid isPermaLink="no">urn:x:1</guid></item>')
    assert found(data) == [error(8, '<guid> of <item> 1 has isPermaLink="no"; it must be "true" or "false"')]


def test_guids_must_be_unique():
    data = rss(item(1), item(2), item(3).replace("urn:x:3", "urn:x:1"))
    assert found(data) == [error(10, '<guid> of <item> 3 repeats the <guid> of <item> 1: "urn:x:1"; every item needs its own')]


def test_missing_rss_self_link_is_a_warning():
    data = rss(item(1)).replace(b'<atom:link href="https://example.com/rss.xml" rel="self" type="application/rss+xml"/>\n', b"")
    assert found(data) == [warning(3, '<channel> has no <atom:link rel="self">; feed readers use it to know the feed\'s own address')]


def test_rss_self_link_must_match_where_the_feed_is_published():
    assert found(rss(item(1)), self_url="https://example.com/rss.xml") == []
    assert found(rss(item(1)), self_url="https://example.com/feed/") == [
        error(7, '<atom:link rel="self"> of <channel> points to "https://example.com/rss.xml", but the feed is published at "https://example.com/feed/"')
    ]


def test_category_must_not_be_empty():
    data = rss(item(1, "<category>Port</category><category> </category>"))
    assert found(data) == [warning(8, "<category> of <item> 1 is empty; give it the category's name")]


def test_enclosure_requires_url_length_and_type():
    data = rss(item(1, '<enclosure url="https://example.com/a.mp3"/>'))
    assert found(data) == [error(8, "<enclosure> of <item> 1 has no length, type; RSS 2.0 requires url, length and type")]


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ('url="a.mp3" length="1" type="audio/mpeg"', '<enclosure> of <item> 1 has url="a.mp3"; it must be an absolute http(s) URL'),
        ('url="https://example.com/a.mp3" length="1.5 MB" type="audio/mpeg"', '<enclosure> of <item> 1 has length="1.5 MB"; it must be the size in bytes, a whole number'),
        ('url="https://example.com/a.mp3" length="-1" type="audio/mpeg"', '<enclosure> of <item> 1 has length="-1"; it must be the size in bytes, a whole number'),
        ('url="https://example.com/a.mp3" length="1" type="mp3"', '<enclosure> of <item> 1 has type="mp3"; it must be a MIME type such as "audio/mpeg"'),
    ],
)
def test_enclosure_values(attrs: str, message: str):
    assert found(rss(item(1, f"<enclosure {attrs}/>"))) == [error(8, message)]


def test_author_must_be_an_email_address_and_dc_creator_is_fine():
    data = rss(item(1, "<author>Jane Doe</author><dc:creator>Jane Doe</dc:creator>"), item(2, "<author>jane@example.com</author>"))
    assert found(data) == [
        warning(8, '<author> of <item> 1 is not an e-mail address: "Jane Doe"; RSS 2.0 wants "jane@example.com (Jane Doe)" (put bare names in <dc:creator>)')
    ]


@pytest.mark.parametrize(
    ("title", "markup"),
    [
        ("&lt;b&gt;Bold&lt;/b&gt; news", "<b>"),
        ("Port &lt;/em&gt; vote", "</em>"),
        ("Tom &amp;amp; Jerry", "&amp;"),
        ("Caf&amp;#233; culture", "&#233;"),
        ("<![CDATA[<i>Italic</i> news]]>", "<i>"),
    ],
)
def test_rss_title_with_html_is_a_warning(title: str, markup: str):
    assert found(rss(item(1, title=title))) == [
        warning(8, f'<title> of <item> 1 contains HTML markup "{markup}" but is plain text; feed readers will show it literally')
    ]


def test_channel_title_with_html_is_a_warning():
    data = rss(item(1)).replace(b"<title>Example</title>", b"<title>&lt;b&gt;Example&lt;/b&gt;</title>")
    assert found(data) == [warning(4, '<title> of <channel> contains HTML markup "<b>" but is plain text; feed readers will show it literally')]


@pytest.mark.parametrize("title", ["Q&amp;A: rates", "Why Vec&lt;T&gt; grows", "AT&amp;T; results", "1 &lt; 2"])
def test_rss_titles_that_only_look_a_little_like_html(title: str):
    assert found(rss(item(1, title=title))) == []


RISKY = [
    ("<script>alert(1)</script><p>x</p>", "<script>"),
    ('<iframe src="https://evil.example/"></iframe>', "<iframe>"),
    ('<object data="https://example.com/f.swf"></object>', "<object>"),
    ('<embed src="https://example.com/f.swf">', "<embed>"),
    ('<p onclick="steal()">x</p>', "an onclick= attribute"),
    ('<img src="https://example.com/i.png" onerror="steal()">', "an onerror= attribute"),
    ('<a href="javascript:steal()">x</a>', "a javascript: URL"),
    ('<a href=" JavaScript:steal()">x</a>', "a javascript: URL"),
]


@pytest.mark.parametrize(("html", "construct"), RISKY)
@pytest.mark.parametrize("element", ["description", "content:encoded"])
def test_risky_rss_content_is_a_warning(element: str, html: str, construct: str):
    data = rss(item(1, f"<{element}><![CDATA[{html}]]></{element}>"))
    assert found(data) == [
        warning(8, f"<{element}> of <item> 1 contains {construct}; feed readers treat it as a security risk and strip it or drop the item")
    ]


def test_each_risky_construct_is_named_once():
    data = rss(item(1, "<description><![CDATA[<script>a</script><script>b</script><p onclick='x'>c</p>]]></description>"))
    assert [m.split(";")[0] for _, _, m in found(data)] == [
        "<description> of <item> 1 contains <script>",
        "<description> of <item> 1 contains an onclick= attribute",
    ]


def test_relative_urls_in_rss_content_are_warnings():
    html = '&lt;p&gt;&lt;a href="/about"&gt;a&lt;/a&gt; &lt;img src="img/x.png"&gt; &lt;a href="#top"&gt;t&lt;/a&gt; &lt;a href="/about"&gt;again&lt;/a&gt;&lt;/p&gt;'
    data = rss(item(1, f"<content:encoded>{html}</content:encoded>"))
    assert found(data) == [
        warning(8, f'relative URL "{url}" in <content:encoded> of <item> 1; feed readers cannot resolve it reliably')
        for url in ("/about", "img/x.png", "#top")
    ]


def test_url_characters_a_uri_cannot_hold_are_errors():
    """The W3C validator's InvalidUriChar: a space in a URL, and the self-closed <a/> of XML
    serialization, whose quoted value (as the W3C reads it) runs into the next tag."""
    html = ('&lt;p&gt;&lt;a href="mail-to:x@example.com"/&gt;&lt;a href="mailto:x@example.com"&gt;x&lt;/a&gt;'
            ' &lt;img src="https://example.com/a b.png"&gt; &lt;a href="https://example.com/%20é"&gt;ok&lt;/a&gt;&lt;/p&gt;')
    data = rss(item(1, f"<content:encoded>{html}</content:encoded>"))
    hint = '(escape it, or close the tag: <a href="…"/> is an open tag in HTML)'
    assert found(data) == [
        error(8, f"<content:encoded> of <item> 1 has a link or image URL with '\"', which a URI cannot hold "
              f'{hint}: "mail-to:x@example.com\"/><a href=\"mailto:x@example.com"'),
        error(8, f"<content:encoded> of <item> 1 has a link or image URL with ' ', which a URI cannot hold "
              f'{hint}: "https://example.com/a b.png"'),
        warning(8, '<content:encoded> of <item> 1 has "<a/>", which HTML parsers read as an open tag: '
                "what follows lands inside it (write <a></a>)"),
    ]


def test_self_closed_html_elements_are_warnings_but_void_and_foreign_ones_are_not():
    html = "&lt;table&gt;&lt;tr&gt;&lt;td/&gt;&lt;td&gt;x&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;p/&gt;&lt;br/&gt;&lt;img src='https://example.com/i.png'/&gt;"
    data = rss(item(1, f"<content:encoded>{html}</content:encoded>"))
    assert found(data) == [
        warning(8, f'<content:encoded> of <item> 1 has "<{tag}/>", which HTML parsers read as an open tag: '
                f"what follows lands inside it (write <{tag}></{tag}>)")
        for tag in ("td", "p")
    ]
    svg = "&lt;p&gt;&lt;svg&gt;&lt;circle r='1'/&gt;&lt;a/&gt;&lt;/svg&gt;&lt;/p&gt;"
    assert found(rss(item(1, f"<description>{svg}</description>"))) == []


def test_xml_base_does_not_excuse_relative_urls_in_rss():
    data = rss(item(1, '<description xml:base="https://example.com/">&lt;a href="/x"&gt;x&lt;/a&gt;</description>'))
    assert found(data) == [warning(8, 'relative URL "/x" in <description> of <item> 1; feed readers cannot resolve it reliably')]


def test_duplicate_item_links_are_a_warning():
    data = rss(item(1), item(2), item(3).replace("https://example.com/3", "https://example.com/1"))
    assert found(data) == [warning(10, '<link> of <item> 3 is the same as that of <item> 1: "https://example.com/1"')]


# -- Atom 1.0 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["id", "title", "updated"])
def test_feed_requires_id_title_and_updated(name: str):
    line = next(line for line in ATOM_HEAD.split("\n") if line.startswith(f"<{name}>"))
    data = atom(entry(1), head=ATOM_HEAD.replace(line + "\n", ""))
    assert found(data) == [error(2, f"<feed> has no <{name}>; Atom requires exactly one")]


def test_feed_allows_exactly_one_title():
    assert found(atom("<title>Again</title>", entry(1))) == [error(8, "<feed> has more than one <title>; Atom allows exactly one")]


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("id", "<id>urn:uuid:00000000-0000-0000-0000-000000000002</id>"),
        ("title", "<title>Entry 2</title>"),
        ("updated", "<updated>2026-11-24T07:00:00Z</updated>"),
    ],
)
def test_entry_requires_id_title_and_updated_exactly_once(name: str, pattern: str):
    assert found(atom(entry(1), entry(2).replace(pattern, ""))) == [error(9, f"<entry> 2 has no <{name}>; Atom requires exactly one")]
    assert found(atom(entry(1), entry(2).replace(pattern, pattern * 2))) == [error(9, f"<entry> 2 has more than one <{name}>; Atom allows exactly one")]


@pytest.mark.parametrize("value", ["example.com/feed", "12345", "urn:uuid:has space", "http:relative/path"])
def test_ids_must_be_absolute_iris(value: str):
    data = atom(entry(1).replace("urn:uuid:00000000-0000-0000-0000-000000000001", value))
    assert found(data) == [error(8, f'<id> of <entry> 1 is not an absolute IRI: "{value}"; use a URL or a URN such as "urn:uuid:…"')]


def test_feed_id_must_be_an_absolute_iri():
    data = atom(entry(1), head=ATOM_HEAD.replace("<id>https://example.com/</id>", "<id>/feed</id>"))
    assert found(data) == [error(3, '<id> of <feed> is not an absolute IRI: "/feed"; use a URL or a URN such as "urn:uuid:…"')]


def test_repeated_entry_id_is_a_warning():
    data = atom(entry(1), entry(2).replace("00000000002", "00000000001"))
    assert found(data) == [warning(9, '<id> of <entry> 2 is the same as that of <entry> 1: "urn:uuid:00000000-0000-0000-0000-000000000001"')]


@pytest.mark.parametrize(
    "value",
    ["2026-11-24 07:00:00Z", "2026-11-24T07:00:00", "2026-11-24t07:00:00z", "2026-11-24", "2026-02-30T07:00:00Z", "2026-11-24T07:00:00+0100", "Tue, 24 Nov 2026 07:00:00 +0000"],
)
def test_dates_must_be_rfc3339(value: str):
    data = atom(entry(1, f"<published>{value}</published>"))
    assert found(data) == [error(8, f'<published> of <entry> 1 is not an RFC 3339 date-time: "{value}"; Atom dates look like "2026-11-24T07:00:00Z"')]
    data = atom(entry(1).replace("<updated>2026-11-24T07:00:00Z</updated>", f"<updated>{value}</updated>"))
    assert found(data) == [error(8, f'<updated> of <entry> 1 is not an RFC 3339 date-time: "{value}"; Atom dates look like "2026-11-24T07:00:00Z"')]


def test_feed_updated_must_be_rfc3339():
    data = atom(entry(1), head=ATOM_HEAD.replace("2026-11-24T07:00:00Z", "yesterday"))
    assert found(data) == [error(5, '<updated> of <feed> is not an RFC 3339 date-time: "yesterday"; Atom dates look like "2026-11-24T07:00:00Z"')]


NO_FEED_AUTHOR = ATOM_HEAD.replace("<author><name>Jane Doe</name></author>\n", "")


def test_every_entry_needs_an_author_when_the_feed_has_none():
    data = atom(
        entry(1, "<author><name>A</name></author>"),
        entry(2, '<source><id>https://other.example/</id><title>O</title><updated>2026-11-24T07:00:00Z</updated><author><name>B</name></author></source>'),
        entry(3),
        head=NO_FEED_AUTHOR,
    )
    assert found(data) == [error(9, "<entry> 3 has no <author> and neither has the <feed>; Atom requires one")]


def test_author_needs_a_name():
    data = atom(entry(1, "<author><email>a@example.com</email></author>"))
    assert found(data) == [error(8, "<author> of <entry> 1 has no <name>; Atom requires one")]


@pytest.mark.parametrize(
    ("links", "message"),
    [
        ('<link rel="alternate" href="https://example.com/1b"/>', '<entry> 1 has more than one <link rel="alternate"> with no type and no hreflang; Atom allows one per type and hreflang'),
        ('<link type="text/html" href="https://a.example/"/><link rel="alternate" type="text/html" href="https://b.example/"/>', '<entry> 1 has more than one <link rel="alternate"> with type="text/html" and no hreflang; Atom allows one per type and hreflang'),
    ],
)
def test_duplicate_alternate_links_are_an_error(links: str, message: str):
    assert found(atom(entry(1, links))) == [error(8, message)]


def test_alternate_links_differing_in_type_or_language_are_fine():
    links = '<link rel="alternate" type="text/html" hreflang="de" href="https://example.com/de/1"/><link rel="alternate" type="application/pdf" href="https://example.com/1.pdf"/>'
    assert found(atom(entry(1, links))) == []


def test_feed_level_duplicate_alternate_links_are_an_error():
    data = atom('<link href="https://example.com/"/>', '<link rel="alternate" href="https://example.com/home"/>', entry(1))
    assert found(data) == [error(9, '<feed> has more than one <link rel="alternate"> with no type and no hreflang; Atom allows one per type and hreflang')]


def test_link_needs_href():
    assert found(atom(entry(1, '<link rel="related"/>'))) == [error(8, "<link> of <entry> 1 has no href; Atom requires one")]


def test_missing_atom_self_link_is_a_warning():
    data = atom(entry(1), head=ATOM_HEAD.replace('<link rel="self" href="https://example.com/atom.xml"/>\n', ""))
    assert found(data) == [warning(2, '<feed> has no <link rel="self">; feed readers use it to know the feed\'s own address')]


def test_atom_self_link_must_match_where_the_feed_is_published():
    assert found(atom(entry(1)), self_url="https://example.com/atom.xml") == []
    assert found(atom(entry(1)), self_url="https://example.com/feed.atom") == [
        error(7, '<link rel="self"> of <feed> points to "https://example.com/atom.xml", but the feed is published at "https://example.com/feed.atom"')
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<summary type="CDATA">x</summary>', '<summary> of <entry> 1 has type="CDATA"; Atom allows text, html or xhtml'),
        ('<content type="CDATA">x</content>', '<content> of <entry> 1 has type="CDATA"; Atom allows text, html, xhtml or a MIME type'),
        ('<rights type="text/plain">x</rights>', '<rights> of <entry> 1 has type="text/plain"; Atom allows text, html or xhtml'),
    ],
)
def test_text_construct_types(body: str, message: str):
    assert found(atom(entry(1, body))) == [error(8, message)]


def test_title_type_must_be_text_html_or_xhtml():
    data = atom(entry(1, title='<title type="plain">T</title>'))
    assert found(data) == [error(8, '<title> of <entry> 1 has type="plain"; Atom allows text, html or xhtml')]


XHTML_NS = 'xmlns="http://www.w3.org/1999/xhtml"'


@pytest.mark.parametrize(
    "inner",
    [
        "<p>no div</p>",
        f"<div {XHTML_NS}>a</div><div {XHTML_NS}>b</div>",
        "<div>a div outside the XHTML namespace</div>",
        f"text <div {XHTML_NS}>a</div>",
        "",
    ],
)
def test_xhtml_content_is_exactly_one_xhtml_div(inner: str):
    data = atom(entry(1, f'<content type="xhtml">{inner}</content>'))
    assert found(data) == [
        error(8, '<content type="xhtml"> of <entry> 1 must contain exactly one xhtml:div (in the http://www.w3.org/1999/xhtml namespace) and nothing else')
    ]


def test_enclosure_link_without_length_is_a_warning():
    data = atom(entry(1, '<link rel="enclosure" type="audio/mpeg" href="https://example.com/a.mp3"/>'))
    assert found(data) == [warning(8, '<link rel="enclosure"> of <entry> 1 has no length; readers use it to plan the download')]


@pytest.mark.parametrize(
    ("title", "markup"),
    [
        ("<title>&lt;b&gt;Bold&lt;/b&gt;</title>", "<b>"),
        ('<title type="text">Tom &amp;amp; Jerry</title>', "&amp;"),
        ('<title>A <b xmlns="http://www.w3.org/1999/xhtml">b</b></title>', "<b>"),
    ],
)
def test_atom_text_title_with_html_is_a_warning(title: str, markup: str):
    assert found(atom(entry(1, title=title))) == [
        warning(8, f'<title> of <entry> 1 contains HTML markup "{markup}" but is plain text; feed readers will show it literally (declare type="html" if it is HTML)')
    ]


def test_atom_feed_title_with_html_is_a_warning():
    data = atom(entry(1), head=ATOM_HEAD.replace("<title>Example</title>", "<title>&lt;i&gt;Example&lt;/i&gt;</title>"))
    assert found(data) == [
        warning(4, '<title> of <feed> contains HTML markup "<i>" but is plain text; feed readers will show it literally (declare type="html" if it is HTML)')
    ]


@pytest.mark.parametrize(("html", "construct"), RISKY)
@pytest.mark.parametrize("element", ["content", "summary"])
def test_risky_atom_html_content_is_a_warning(element: str, html: str, construct: str):
    data = atom(entry(1, f'<{element} type="html"><![CDATA[{html}]]></{element}>'))
    assert found(data) == [
        warning(8, f'<{element} type="html"> of <entry> 1 contains {construct}; feed readers treat it as a security risk and strip it or drop the item')
    ]


@pytest.mark.parametrize(
    ("xhtml", "construct"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<p><iframe src="https://evil.example/"/></p>', "<iframe>"),
        ('<p onmouseover="x()">p</p>', "an onmouseover= attribute"),
        ('<a href="javascript:x()">a</a>', "a javascript: URL"),
    ],
)
def test_risky_atom_xhtml_content_is_a_warning(xhtml: str, construct: str):
    data = atom(entry(1, f'<content type="xhtml"><div {XHTML_NS}>{xhtml}</div></content>'))
    assert found(data) == [
        warning(8, f'<content type="xhtml"> of <entry> 1 contains {construct}; feed readers treat it as a security risk and strip it or drop the item')
    ]


def test_risky_markup_in_text_content_is_just_text():
    assert found(atom(entry(1, "<content>&lt;script&gt;x&lt;/script&gt;</content>"))) == []


def test_relative_urls_in_atom_content_without_xml_base_are_warnings():
    data = atom(
        entry(1, '<content type="html">&lt;img src="/media/x.png"&gt;</content>'),
        entry(2, f'<content type="xhtml"><div {XHTML_NS}><a href="../other/">o</a></div></content>'),
    )
    assert found(data) == [
        warning(8, 'relative URL "/media/x.png" in <content type="html"> of <entry> 1; feed readers cannot resolve it reliably'),
        warning(9, 'relative URL "../other/" in <content type="xhtml"> of <entry> 2; feed readers cannot resolve it reliably'),
    ]


@pytest.mark.parametrize(
    "where",
    ["feed", "entry", "content", "div"],
)
def test_xml_base_in_scope_resolves_relative_urls(where: str):
    base = ' xml:base="https://example.com/a/"'
    head = ATOM_HEAD.replace("<feed ", f"<feed{base} ") if where == "feed" else ATOM_HEAD
    html_entry = entry(1, f'<content type="html"{base if where == "content" else ""}>&lt;img src="x.png"&gt;</content>')
    xhtml_entry = entry(2, f'<content type="xhtml"{base if where == "content" else ""}><div {XHTML_NS}{base if where == "div" else ""}><a href="b/">b</a></div></content>')
    if where == "entry":
        html_entry, xhtml_entry = (e.replace("<entry>", f"<entry{base}>") for e in (html_entry, xhtml_entry))
    diagnostics = found(atom(html_entry, xhtml_entry, head=head))
    if where == "div":  # the div's base covers only the xhtml entry
        assert diagnostics == [warning(8, 'relative URL "x.png" in <content type="html"> of <entry> 1; feed readers cannot resolve it reliably')]
    else:
        assert diagnostics == []


def test_duplicate_entry_links_are_a_warning():
    data = atom(entry(1), entry(2).replace("https://example.com/2", "https://example.com/1"))
    assert found(data) == [warning(9, '<link rel="alternate"> of <entry> 2 is the same as that of <entry> 1: "https://example.com/1"')]


# -- the bundled site ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_built_feeds_have_no_errors_and_no_warnings(built: Path, name: str):
    assert check_feed((built / name).read_bytes(), name, self_url=SITE + name) == []
