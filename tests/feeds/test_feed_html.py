"""HTML inside feeds: what an HTML5 parser (html5lib) reads from it is the model's article."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import html5lib
import pytest
from lxml import etree

from publisher.build import build, load_articles
from publisher.errors import Reporter
from publisher.feeds import html as html_attrs
from publisher.feeds.html import (
    DROPPED,
    UNWRAPPED,
    content_html,
    feed_style,
    feed_url,
    foreign_as_html,
    html_string,
)
from publisher.incremental.cache import Cache
from publisher.model.content import article_content
from tests.conftest import site_config, write

XHTML = "http://www.w3.org/1999/xhtml"
ART_NS = "urn:publisher:article:1"  # the article XML's own elements
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Raw HTML a Markdown article may hold, chosen for what XML serialization gets wrong in HTML:
# empty non-void elements, void elements, foreign content, a newline after <pre>, odd URLs.
SHAPES = """---
title: Shapes
---

A table with an empty cell:

| a | b |
|---|---|
|   | x |

<div style="border: 1px solid var(--yellow); text-align: center; padding: 1em;"><p>Boxed</p></div>

<p>Line<br>break, <a href="mail-to:reach@example.org">mail</a>
<a href="mailto:reach@example.org">reach@example.org</a>, <a href="/about">about</a>,
<a href="#fn">here</a>, <a href="https://x.example/a b?q=é&r=1">space</a>, <a id="anchor"></a>.</p>

<progress></progress>

<svg viewBox="0 0 10 10" width="10"><title>Dot</title><circle cx="5" cy="5" r="4"/></svg>

<math><mi>x</mi><mo>=</mo><mn>1</mn></math>

<pre>
leading newline</pre>

<p><img src="https://img.example/pic one.png" alt="a &quot;pic&quot; &amp; &lt;more&gt;"></p>
"""


def _html5(markup: str) -> etree._Element:
    """``markup`` parsed as a feed reader does (html5lib, strict: any parse error raises)."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), strict=True,
                                 namespaceHTMLElements=True)
    root = etree.Element(f"{{{XHTML}}}div")
    for node in parser.parseFragment(markup, container="div"):
        if isinstance(node, str):
            if len(root):
                root[-1].tail = (root[-1].tail or "") + node
            else:
                root.text = (root.text or "") + node
        else:
            root.append(node)
    return root


def _model_attrs(el: etree._Element, base: str) -> dict[str, str]:
    """The attributes a feed should carry for ``el`` of the model (see feeds/html.py)."""
    attrs: dict[str, str] = {}
    for name, value in el.attrib.items():
        if name[:2].lower() == "on":
            continue  # event handlers never reach feeds
        if name.startswith("{"):
            if name not in (XLINK_HREF, XML_LANG):
                continue  # xml:space, epub:type, ...: nothing an HTML reader reads
            name = {XLINK_HREF: "href", XML_LANG: "lang"}[name]
        if name == "src" and value.startswith("data:image/svg+xml;base64,"):
            pass  # an inline SVG as its image (foreign_as_html): the only data: URL a model gets
        elif name in html_attrs.URL_ATTRS:
            value = feed_url(base, value, image=name == "src" and etree.QName(el).localname == "img")
        elif name == "style":
            value = feed_style(value) or None
        if value is not None:
            attrs.setdefault(name, value)
    return attrs


def _as_html_reads(model: etree._Element) -> etree._Element:
    """A copy of ``model`` with what HTML's tree construction adds to any tree: HTML has no
    ``table > tr``, so a parser puts each run of a table's rows in a ``tbody``. Author bios
    keep the article vocabulary's namespace in the model; their ``p`` is HTML's ``p``."""
    model = copy.deepcopy(model)
    foreign_as_html(model)  # inline SVG and MathML: an image and text in feeds
    for el in model.iter(f"{{{ART_NS}}}*"):
        el.tag = f"{{{XHTML}}}{etree.QName(el).localname}"
    # what feeds never carry (publisher/feeds/html.py: html_string)
    etree.strip_elements(model, *(f"{{{XHTML}}}{n}" for n in DROPPED), etree.Comment,
                         etree.ProcessingInstruction, with_tail=False)
    etree.strip_tags(model, *(f"{{{XHTML}}}{n}" for n in UNWRAPPED))
    for table in model.iter(f"{{{XHTML}}}table"):
        body = None
        for child in list(table):
            if child.tag == f"{{{XHTML}}}tr":
                if body is None:
                    body = etree.Element(f"{{{XHTML}}}tbody")
                    child.addprevious(body)
                body.append(child)
            elif isinstance(child.tag, str):
                body = None
    return model


def _same(model: etree._Element, parsed: etree._Element, base: str, where: str = "div") -> None:
    assert parsed.tag == model.tag, where
    assert dict(parsed.attrib) == _model_attrs(model, base), f"attributes of {where}"
    assert (parsed.text or "") == (model.text or ""), f"text of {where}"
    kids = [c for c in model if isinstance(c.tag, str)]
    parsed_kids = [c for c in parsed if isinstance(c.tag, str)]
    assert [c.tag for c in parsed_kids] == [c.tag for c in kids], f"children of {where}"
    for n, (m, p) in enumerate(zip(kids, parsed_kids, strict=True)):
        _same(m, p, base, f"{where}/{etree.QName(m).localname}[{n}]")
        assert (p.tail or "") == (m.tail or ""), f"tail of {where}/{etree.QName(m).localname}[{n}]"


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shapes")
    write(root / "publisher.toml", '[site]\ntitle = "T"\nbase_url = "https://test.example/"\n')
    write(root / "articles" / "2026-01-01-shapes.md", SHAPES)
    build(site_config(root))
    return root


def _views(root: Path):
    """The site's articles, from its build cache when it was built (normalizing is the cost)."""
    config = site_config(root)
    views, _ = load_articles(config, Reporter(), Cache(config.cache_path))
    return views


def test_feed_html_parses_without_error_to_the_models_tree(shapes: Path):
    item = json.loads((shapes / "build" / "feed.json").read_bytes())["items"][0]
    markup = item["content_html"]
    for xml_only in ("<td/>", "<th/>", "<a/>", "<progress/>", "ns0:", "xmlns", "<circle/>"):
        assert xml_only not in markup
    # the same string in RSS and Atom, escaped once
    for name in ("rss.xml", "atom.xml"):
        root = etree.parse(str(shapes / "build" / name)).getroot()
        texts = [el.text for el in root.iter() if el.text and "<table>" in el.text]
        assert texts == [markup], name
    views = _views(shapes)
    assert len(views) == 1
    view = views[0]
    assert markup == content_html(view)
    _same(_as_html_reads(article_content(view, with_header=False)), _html5(markup), view.canonical)
    # inline SVG is an image of itself (feed readers' sanitizers and the W3C code drop or warn
    # on SVG markup), its title the alt text; MathML is its text
    img = next(i for i in _html5(markup).iter(f"{{{XHTML}}}img") if i.get("src", "").startswith("data:image/svg"))
    assert img.get("alt") == "Dot" and img.get("width") == "10"
    svg = etree.fromstring(base64.b64decode(img.get("src").split(",", 1)[1]))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox") == "0 0 10 10"
    assert [c.tag for c in svg] == ["{http://www.w3.org/2000/svg}title", "{http://www.w3.org/2000/svg}circle"]
    assert "x=1" in [s.text for s in _html5(markup).iter(f"{{{XHTML}}}span") if s.get("class") == "math"]
    assert _html5(markup).find(".//{http://www.w3.org/2000/svg}svg") is None
    assert _html5(markup).find(".//{http://www.w3.org/1998/Math/MathML}math") is None


def _reads_back(views) -> list[str]:
    """The articles whose feed HTML an HTML5 parser does not read back as the model's tree."""
    wrong = []
    for view in views:
        try:
            _same(_as_html_reads(article_content(view, with_header=False)),
                  _html5(content_html(view)), view.canonical)
        except (AssertionError, html5lib.html5parser.ParseError) as exc:
            wrong.append(f"{view.source}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    return wrong


def test_bundled_feed_html_reads_back_as_the_model(site: Path):
    views = _views(site)
    assert len(views) == 7
    assert _reads_back(views) == []


def test_corpus_feed_html_reads_back_as_the_model(corpus_site: Path):
    """750 real posts: tables, footnotes, code, raw HTML (html5lib: about 10 s)."""
    views = _views(corpus_site)
    assert len(views) == 750
    assert _reads_back(views) == []


def test_html_serialization_cannot_be_broken_out_of():
    """Text that is markup once written raw (script/style text, a comment closed at <!-->)
    never reaches a reader as markup; plaintext would swallow the rest: its tag goes."""
    div = etree.fromstring(
        "<div><p>a<!--><img src=x onerror=alert(1)>--></p>"
        "<style>p{}&lt;/style&gt;&lt;img src=x onerror=alert(2)&gt;</style>"
        "<script>&lt;/script&gt;&lt;img src=x onerror=alert(3)&gt;</script><?php echo 1 ?>"
        "<p>b</p><plaintext>c</plaintext><p>d</p><noscript><p>e</p></noscript></div>")
    markup = html_string(div)
    parsed = _html5(markup)
    assert not [el for el in parsed.iter() if isinstance(el.tag, str) and el.get("onerror")]
    assert [etree.QName(el).localname for el in parsed.iter() if isinstance(el.tag, str)] == [
        "div", "p", "p", "p", "p"]
    assert "".join(parsed.itertext()) == "abcde"


def test_feed_html_carries_no_handler_and_no_dead_url(tiny: Path):
    """Whatever normalizing lets through, event handlers and URLs readers cannot open do not
    reach feeds (the text stays)."""
    write(tiny / "articles" / "2026-01-01-a.md", "---\ntitle: A\n---\n\n"
          '<p><a href="https://x.example/" onclick="alert(1)" ONMOUSEOVER="alert(2)">one</a> '
          '<a href="mail-to:x@example.org">two</a> <a href="java\tscript:alert(3)">three</a></p>\n')
    build(site_config(tiny))
    html = json.loads((tiny / "build" / "feed.json").read_bytes())["items"][0]["content_html"]
    parsed = _html5(html)
    links = [dict(a.attrib) for a in parsed.iter(f"{{{XHTML}}}a")]
    assert links == [{"href": "https://x.example/"}, {}, {}]
    assert "".join(parsed.itertext()).strip() == "one two three"


def test_feed_urls_are_absolute_valid_and_openable():
    base = "https://test.example/articles/a/"
    assert feed_url(base, "/about") == "https://test.example/about"
    assert feed_url(base, "#fn1") == "https://test.example/articles/a/#fn1"
    assert feed_url(base, "https://x.example/a b?q=é&r=1") == "https://x.example/a%20b?q=%C3%A9&r=1"
    assert feed_url(base, 'https://x.example/"><script>') == "https://x.example/%22%3E%3Cscript%3E"
    assert feed_url(base, "mailto:a@b.example") == "mailto:a@b.example"
    for dead in ("mail-to:a@b.example", "ttps://x.example/", "javascript:alert(1)", "http://[::1",
                 "data:text/html,<script>alert(1)</script>", "data:image/png;base64,AAAA"):
        assert feed_url(base, dead) is None, dead
    assert feed_url(base, "data:image/png;base64,AA+/", image=True) == "data:image/png;base64,AA+/"
    assert feed_url(base, "data:image/svg+xml,<svg onload=alert(1)>", image=True) is None


def test_feed_style_keeps_what_feed_readers_keep():
    assert feed_style("border: 1px solid var(--yellow); text-align: center; padding: 1em;") == \
        "text-align: center; padding: 1em"
    assert feed_style("min-width: 10em; color: red") == "color: red"
    assert feed_style("background: url(javascript:x)") == ""
    assert feed_style("position: fixed; top: 0") == ""


# (style, whether the W3C code flags it as written)
STYLES = [
    ("border: 1px solid var(--yellow); text-align: center; padding: 1em;", True),
    ("min-width: 10em; color: red", True),
    ("background: url(javascript:alert(1)); font-weight: bold", True),
    ("position: fixed; top: 0; left: 0; width: 100%", True),
    ("color: expression(alert(1))", True),
    ("padding: calc(1em + 2px); margin-left: -2px", True),
    ("color: red /* comment */; font: 12px/1.5 serif", True),
    ("margin: 0 auto; border-collapse: collapse; border: 2px dashed #ccc", False),
    ("font-family: 'Fira Sans', sans-serif; font-size: 1.2em", False),
    ("display: block; float: left; width: 50%; height: 10px", False),
    ("background-color: rgb(10, 20, 30); color: #fff", False),
    ("list-style-type: none; white-space: pre-wrap", False),
]


def test_feed_style_passes_the_w3c_style_check(tmp_path: Path):
    """Each style as written gets DangerousStyleAttr from the W3C code; what feed_style keeps
    gets nothing (its lists are the validator's)."""
    from tests.feeds.test_check import item, rss
    from tests.validators import w3c_check

    def feed(name: str, style: str) -> Path:
        html = f'<div style="{style}"><p>x</p></div>' if style else "<div><p>x</p></div>"
        escaped = html.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        return write(tmp_path / f"{name}.xml", rss(item(1, f"<description>{escaped}</description>")))

    raw = [feed(f"raw{n}", s) for n, (s, _) in enumerate(STYLES)]
    kept = [feed(f"kept{n}", feed_style(s)) for n, (s, _) in enumerate(STYLES)]
    found = w3c_check(raw + kept)
    flagged = {f.path for f in found if f.name == "DangerousStyleAttr"}
    assert flagged == {str(p) for p, (_, bad) in zip(raw, STYLES, strict=True) if bad}, \
        "\n".join(map(str, found))
    assert [f for f in found if f.path in {str(p) for p in kept}] == []
    for style, bad in STYLES:  # what the W3C accepts is kept whole
        if not bad:
            assert feed_style(style) == "; ".join(d.strip() for d in style.split(";")), style
