"""Markdown with YAML/TOML front matter: fields, body, and errors that say where."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from publisher.errors import Reporter, SourceError
from publisher.sources.markdown import MarkdownReader
from publisher.xmlutil import H, text_content


def read(text: str, name: str = "post.md", report: Reporter | None = None):
    return MarkdownReader().read(Path(name), text.encode("utf-8"), report or Reporter())


def test_yaml_front_matter_fields_and_authors_with_bios():
    art = read(
        "---\ntitle: Hello\ndeck: Sub\nauthors:\n  - Ann\n  - name: Bo\n    bio: Bo writes.\n"
        "date: 2026-01-02\ntags: [A, b, A]\n---\n\nBody *text*.\n"
    )
    assert art.fields["title"] == "Hello"
    assert art.fields["deck"] == "Sub"
    assert [(a.name, a.bio) for a in art.authors] == [("Ann", []), ("Bo", ["Bo writes."])]
    assert art.fields["tags"] == ["A", "b"]
    assert str(art.fields["date"]) == "2026-01-02"
    assert [el.tag for el in art.body if not isinstance(el, str)] == [H + "p"]


def test_toml_front_matter():
    art = read('+++\ntitle = "T"\nauthors = ["X", "Y"]\ndate = 2026-03-04T05:06:07Z\n+++\nBody.\n')
    assert art.fields["title"] == "T"
    assert [a.name for a in art.authors] == ["X", "Y"]


def test_leading_h1_is_the_headline_when_no_title():
    art = read("# The Headline\n\nBody.\n")
    assert art.fields["title"] == "The Headline"
    assert [text_content(el) for el in art.body if not isinstance(el, str)] == ["Body."]


def test_tables_footnotes_strikethrough_and_heading_ids():
    art = read("## Sub head\n\n|a|b|\n|-|-|\n|1|2|\n\nText[^n] ~~gone~~\n\n[^n]: Note.\n")
    tags = {el.tag for top in art.body if not isinstance(top, str) for el in top.iter()}
    assert {H + "table", H + "del", H + "section", H + "h2"} <= tags
    h2 = next(el for el in art.body if not isinstance(el, str) and el.tag == H + "h2")
    assert h2.get("id") == "sub-head"


def test_unknown_key_is_a_warning_and_kept():
    report = Reporter()
    art = read("---\ntitle: T\nmood: sunny\n---\nBody.\n", report=report)
    assert art.extra == {"mood": "sunny"}
    assert [d.format() for d in report.diagnostics] == [
        "post.md:3: warning: unknown front-matter key 'mood' kept as extra metadata"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\ntitle: [unclosed\n---\nBody\n", "post.md:3:1: error: front matter is not valid YAML: "),
        ("+++\ntitle = \n+++\nBody\n", "post.md:2:9: error: front matter is not valid TOML: "),
        ("---\ntitle: T\n", "post.md:1: error: front matter opened with --- on line 1 is never closed; add a --- line"),
        ("---\ntitle: T\ntags: 5\n---\n", "post.md:3: error: front-matter key 'tags' must be list or str, not int"),
        ("---\n- a\n- b\n---\n", "post.md:2: error: front matter must be a mapping of keys to values, not a list"),
    ],
)
def test_front_matter_errors_name_file_and_line(text, expected):
    with pytest.raises(SourceError) as err:
        read(text)
    assert err.value.formatted().startswith(expected)


def test_explicit_heading_ids_and_duplicates():
    art = read("## Motivation {#motivation}\n\n## Same\n\n## Same\n\n## Also *em* {#also}\n")
    heads = [el for el in art.body if not isinstance(el, str)]
    assert [(h.get("id"), text_content(h)) for h in heads] == [
        ("motivation", "Motivation"), ("same", "Same"), ("same-1", "Same"), ("also", "Also em"),
    ]


def test_table_alignment_becomes_css():
    art = read("|a|b|\n|:-|-:|\n|1|2|\n")
    cells = [el for top in art.body if not isinstance(top, str) for el in top.iter(H + "td")]
    assert [(c.get("align"), c.get("style")) for c in cells] == [(None, "text-align: left"), (None, "text-align: right")]


def test_render_html_is_cmarkgfms_own_rendering():
    import cmarkgfm

    from publisher.sources.markdown import EXTENSIONS, OPTIONS, render_html

    for text in ("# T\n\nA *b* ~~c~~ www.example.com\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nx[^1]\n\n[^1]: n\n",
                 "", "<div>raw</div>\n\n> q\n", "Ünïcödé — “quotes” 港口\n"):
        assert render_html(text) == cmarkgfm.cmark.markdown_to_html_with_extensions(
            text, options=OPTIONS, extensions=EXTENSIONS)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the process's memory from /proc")
def test_render_html_frees_what_cmarkgfm_leaks():
    """cmarkgfm's wrapper leaks the document tree and the HTML (about 70 KB for this text):
    ours frees both, so rendering it 3,000 times leaves the process's memory where it was."""
    from publisher.sources.markdown import render_html

    def rss_kib() -> int:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))

    text = "\n\n".join(f"Paragraph {n} with [a link](https://example.com/{n}) and *emphasis*." for n in range(120))
    render_html(text)
    before = rss_kib()
    for _ in range(3000):
        render_html(text)
    assert rss_kib() - before < 40_000  # cmarkgfm's own wrapper: about 680 MB


def _shape(nodes) -> list:
    def canon(el):
        return (el.tag, tuple(el.attrib.items()), el.text, el.tail, tuple(canon(c) for c in el))

    return [n if isinstance(n, str) else canon(n) for n in nodes]


@pytest.mark.parametrize("text", [
    "Plain *text* with [a link](https://example.com/x?a=1&b=2 \"Its title\") and `code < 3`.\n\n- one\n- two\n",
    "| a | b |\n|:--|--:|\n| 1 | 2 |\n\nA footnote[^n].\n\n[^n]: The note.\n",
    "A [link](https://example.com \"a title\non two lines\") keeps its newline.\n",
    "Raw <a href=\"mail-to:x@example.com\">one <a href=\"mailto:x@example.com\">two</a> HTML.\n",
    "Autolink <https://example.com/> and a < b > c.\n",
    "<div>\n<p>raw block</p>\n</div>\n\nAfter.\n",
    "Prose a<b, n<7 and <0 °C stays text.\n",
    "Prose a<b and c>d.\n",
    "<div\nunclosed raw block\n\nText <em>x\n",
    "<p>one<p>two</p>\n",
    "Intro <!-- a < b --> here.\n",
    "<!-- values < 10 are ignored -->\n\nText.\n",
    "a <![CDATA[ x < y ]]> b\n",
    "x <?pi a < b?> y\n",
])
def test_fast_and_lenient_routes_give_the_same_nodes(text: str):
    from publisher.sources.markdown import _xhtml, render_html
    from publisher.normalize.html import parse_fragment

    html = render_html(text)
    assert _shape(_xhtml(html, text, [])) == _shape(parse_fragment(html, []))


def test_markdown_without_raw_html_skips_the_html_parser(monkeypatch):
    from publisher.sources import markdown

    def lenient(*args):
        raise AssertionError("took the lenient route")

    monkeypatch.setattr(markdown, "parse_fragment", lenient)
    nodes = markdown._xhtml(markdown.render_html("Some *text*, 3 < 4.\n"), "Some *text*, 3 < 4.\n", [])
    assert nodes[0].tag == H + "p"
    prose = "Prose a<b, n<7 and <0 °C.\n"
    assert markdown._xhtml(markdown.render_html(prose), prose, [])[0].tag == H + "p"
    with pytest.raises(AssertionError):
        markdown._xhtml(markdown.render_html("Raw <b>bold</b>.\n"), "Raw <b>bold</b>.\n", [])


def test_a_comment_with_a_bare_less_than_is_not_content():
    """Found in review: such a comment skipped the raw-HTML check, kept its comment node and
    broke the reader (or was published in feeds)."""
    art = read("---\ntitle: T\n---\n<!-- values < 10 are ignored -->\n\nIntro <!-- a < b --> here.\n")
    assert all(isinstance(n, str) or isinstance(n.tag, str) for n in art.body)
    assert "ignored" not in "".join(n if isinstance(n, str) else "".join(n.itertext()) for n in art.body)


def test_positions_and_ids_are_found_the_same_with_or_without_the_readers_holder():
    """_lines_from_sourcepos and _heading_ids query the holder element once when the nodes
    are all its children, and each node otherwise: both give the same nodes."""
    import copy

    from publisher.sources import markdown

    text = "# T\n\n## Same\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n## Same\n\n<div id=\"same\">x</div>\n\n## Other {#own}\n"
    html = markdown.render_html(text)
    results = []
    for attached in (True, False):
        nodes = markdown._xhtml(html, text, [])
        if not attached:
            nodes = [n if isinstance(n, str) else copy.deepcopy(n) for n in nodes]
            assert all(n.getparent() is None for n in nodes if not isinstance(n, str))
        markdown._lines_from_sourcepos(nodes, text, 3)
        markdown._heading_ids(nodes)
        results.append([n if isinstance(n, str) else [(e.tag, sorted(e.attrib.items()), e.text, e.tail)
                                                       for e in n.iter()] for n in nodes])
    assert results[0] == results[1]
    attributes = [a for node in results[0] if not isinstance(node, str) for e in node for a in e[1]]
    assert not [a for a in attributes if a[0] in ("data-sourcepos", "align")]
    assert ("style", "text-align: right") in attributes
    assert ("id", "same-1") in attributes and ("id", "own") in attributes
