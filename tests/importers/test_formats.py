"""Each format's corners: Atom xhtml content, xml:base, feed-level authors, updated-only dates;
RSS author addresses, several dc:creator, enclosures; JSON Feed 1.0 and content_text; bodies
kept whole whether written as Markdown or as HTML."""

from __future__ import annotations

from pathlib import Path

from publisher import importers
from publisher.errors import Reporter
from publisher.importers import body
from publisher.sources import frontmatter
from tests.conftest import write

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/">
  <title>B</title><id>tag:blog.example,2020:feed</id><updated>2020-02-01T00:00:00Z</updated>
  <author><name>Feed Author</name></author>
  <link href="/" rel="alternate"/>
  <entry xml:lang="fr">
    <id>tag:blog.example,2020:1</id>
    <title type="html">A &lt;em&gt;bold&lt;/em&gt; move</title>
    <link href="posts/bold.html"/>
    <updated>2020-02-01T09:00:00+01:00</updated>
    <category term="x" label="Ex"/><category term="y"/>
    <summary type="html">&lt;p&gt;Short &amp;amp; sweet&lt;/p&gt;</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <a href="other.html">there</a>
      <img src="img/a.png" alt="A"/></p></div></content>
  </entry>
</feed>
"""
RSS = """<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>R</title>
<link>https://r.example/</link><description>d</description>
<item><title>Two writers</title><link>https://r.example/two</link><guid>https://r.example/two</guid>
<pubDate>Tue, 10 Mar 2020 12:00:00 GMT</pubDate>
<dc:creator>Ann</dc:creator><dc:creator>Bo</dc:creator>
<description>&lt;p&gt;Text &lt;b&gt;bold&lt;/b&gt;&lt;/p&gt;</description>
<enclosure url="https://r.example/ep1.mp3" length="1000" type="audio/mpeg"/></item>
<item><title>Mailed</title><guid isPermaLink="false">12345</guid><author>ed@r.example (Ed Itor)</author>
<pubDate>2020-03-11T08:00:00Z</pubDate><description>Plain</description></item>
<item><title>Dublin</title><dc:date>2020-03-12T08:00:00+02:00</dc:date><description>Core</description></item>
<item><title>Undated</title><pubDate>someday</pubDate><description>x</description></item>
</channel></rss>
"""
JSON10 = """{"version": "https://jsonfeed.org/version/1", "title": "J", "author": {"name": "Old Style"},
 "items": [{"id": "https://j.example/1", "url": "https://j.example/1", "title": "Text only",
  "content_text": "Para one.\\n\\nPara *two*.", "date_published": "2020-04-01T00:00:00Z"}]}"""


def _front(path: Path) -> tuple[dict, str]:
    kind, text, rest, _ = frontmatter.split(path, path.read_text(encoding="utf-8"))
    return frontmatter.load(path, kind, text, 2), rest


def test_atom_corners(tmp_path: Path):
    result = importers.run(write(tmp_path / "a.xml", ATOM), tmp_path / "out", Reporter())
    assert result.kind == "Atom 1.0" and len(result.imported) == 1
    fields, text = _front(tmp_path / "out" / result.imported[0].path)
    assert fields["title"] == "A bold move" and fields["authors"] == ["Feed Author"]
    assert fields["date"] == "2020-02-01T09:00:00+01:00" and "updated" not in fields
    assert fields["tags"] == ["Ex", "y"] and fields["summary"] == "Short & sweet" and fields["lang"] == "fr"
    assert fields["canonical"] == "https://blog.example/posts/bold.html"
    assert "https://blog.example/posts/other.html" in text and "https://blog.example/posts/img/a.png" in text


def test_rss_corners(tmp_path: Path):
    report = Reporter()
    result = importers.run(write(tmp_path / "r.xml", RSS), tmp_path / "out", report)
    first, text = _front(tmp_path / "out" / result.imported[0].path)
    assert first["authors"] == ["Ann", "Bo"] and first["uri"] == "https://r.example/two"
    assert first["date"] == "2020-03-10T12:00:00+00:00"
    assert first["enclosure"] == "https://r.example/ep1.mp3" and "ep1.mp3" not in text  # its audio: an enclosure
    assert first["enclosure_type"] == "audio/mpeg" and first["length"] == 1000
    assert "<b>bold</b>" in text  # Markdown would make it <strong>: the HTML is kept
    second, _ = _front(tmp_path / "out" / result.imported[1].path)
    assert second["authors"] == ["Ed Itor"] and second["id"] == "12345" and "uri" not in second
    assert second["date"] == "2020-03-11T08:00:00+00:00"
    assert any("'12345' is not a URI" in d.message for d in report.diagnostics)
    third, _ = _front(tmp_path / "out" / result.imported[2].path)
    assert third["date"] == "2020-03-12T08:00:00+02:00"
    assert [e.title for e in result.skipped] == ["Undated"] and "no date" in result.skipped[0].skip


def test_json_feed_1_0(tmp_path: Path):
    result = importers.run(write(tmp_path / "j.json", JSON10), tmp_path / "out", Reporter())
    fields, text = _front(tmp_path / "out" / result.imported[0].path)
    assert fields["authors"] == ["Old Style"] and result.kind == "JSON Feed"
    assert "Para one." in text and "Para \\*two\\*." in text  # text stays text: the star is escaped


def test_bodies_come_back_whole_as_markdown_or_html():
    cases = {
        "<p>plain <em>em</em> <strong>strong</strong> <a href='https://x.example/'>link</a></p><ul><li>a</li><li>b</li></ul>": "markdown",
        "<h2>Title</h2><blockquote><p>quote</p></blockquote><pre><code>x = 1\n\n*y* = 2\n</code></pre>": "markdown",
        '<p class="lead">classy</p>': "html",
        "<pre>\n\nstarts with newlines\n\n\n* and blank lines</pre><p>after</p>": "html",
        "text at the top <b>bold</b><div>block</div> tail": "html",
        "<table><tr><td style='text-align: right'>1</td></tr></table>": "html",
    }
    for html, expected in cases.items():
        nodes = body.prepare(html, "https://x.example/a/", [])
        text, kind = body.as_markdown_body(nodes, "md")
        assert kind == expected, (html, text)
        reference = body.html_block(body.prepare(html, "https://x.example/a/", []))
        assert body.canon(text) == body.canon(reference), html
        # the HTML written for Markdown reads back as the HTML parser reads the original
        assert body.canon(reference) == _parsed(html), html


def _parsed(html: str) -> str:
    """The original as the build's HTML parser reads it, in canon's form."""
    from publisher.normalize.html import parse_fragment

    nodes = parse_fragment(html, [])
    wrapped = body.html_block(nodes)
    return body.canon(wrapped)


def test_wordpress_text_becomes_paragraphs_and_block_markup_stays():
    from publisher.importers.wxr import autop

    classic = "One line\nand the next.\n\nSecond paragraph.\n\n<ul>\n<li>kept</li>\n</ul>"
    assert autop(classic) == ("<p>One line<br>\nand the next.</p>\n\n<p>Second paragraph.</p>\n\n"
                              "<ul>\n<li>kept</li>\n</ul>")
    blocks = "<!-- wp:paragraph -->\n<p>Hello</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:list -->\n<ul><li>a</li></ul>\n<!-- /wp:list -->"
    assert autop(blocks) == blocks
    nodes = body.prepare(autop(blocks), "https://x.example/", [])
    text, kind = body.as_markdown_body(nodes, "md")
    assert (kind, text) == ("markdown", "Hello\n\n- a\n")


def test_template_braces_in_an_imported_post_stay_text(tmp_path: Path):
    """A post about templates ("{{ .Title }}") imports as text the build does not read as a call."""
    from publisher.build import build
    from publisher.config import load_config

    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://t.example/</link>'
            '<description>d</description><item><title>Braces</title><link>https://t.example/b</link>'
            '<guid>https://t.example/b</guid><pubDate>Tue, 10 Mar 2020 12:00:00 GMT</pubDate><description>'
            '&lt;p&gt;In Hugo you write {{ .Title }}; Jinja says {{ user.name }}.&lt;/p&gt;</description></item>'
            '</channel></rss>')
    write(tmp_path / "publisher.toml", '[site]\nbase_url = "https://t.example/"\n')
    result = importers.run(write(tmp_path / "f.xml", feed), tmp_path / "articles", Reporter())
    assert len(result.imported) == 1
    config, _ = load_config(tmp_path / "publisher.toml")
    build(config)
    assert "In Hugo you write {{ .Title }}; Jinja says {{ user.name }}." in \
        (tmp_path / "build" / "feed.json").read_text(encoding="utf-8")
