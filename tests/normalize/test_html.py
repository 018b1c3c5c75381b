"""Raw HTML onto the vocabulary: HTML5 parsing, legacy markup, SVG and MathML subsets, ids, depth."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from publisher import limits, model
from publisher.build import normalize_file
from publisher.errors import Reporter
from publisher.model import ArticleView
from publisher.xmlutil import H, to_bytes
from tests.conftest import site_config, write

SVG = "{http://www.w3.org/2000/svg}"
MATH = "{http://www.w3.org/1998/Math/MathML}"


def _norm(site: Path, body: str) -> tuple[etree._Element, list[str], str]:
    path = write(site / "articles" / "2026-01-01-h.md", "---\ntitle: T\n---\n\n" + body + "\n")
    report = Reporter()
    root = normalize_file(path, site_config(site), report)
    assert model.validate(root) == []
    body_el = ArticleView(root).body
    return body_el, [d.format() for d in report.warnings], etree.tostring(body_el, encoding="unicode")


@pytest.mark.parametrize("void", ["embed", "source", "track", "wbr", "keygen"])
def test_void_elements_do_not_swallow_what_follows(tiny: Path, void: str):
    body, _, _ = _norm(tiny, f"<p>before <{void} src=\"x\"> after</p>\n\n<p>next paragraph</p>\n\nMarkdown *too*.\n\n"
                             f"<div>in a div <{void} src=\"y\"> after it</div>")
    assert [p.xpath("string()") for p in body.iter(H + "p")] == ["before  after", "next paragraph", "Markdown too."]
    for el in body.iter(H + void):  # wbr stays (empty); the others go
        assert el.text is None and len(el) == 0
    assert next(body.iter(H + "div")).xpath("string()") == "in a div  after it"


def test_legacy_markup_is_mapped_or_unwrapped_with_the_line(tiny: Path, monkeypatch):
    monkeypatch.chdir(tiny)
    body, warnings, _ = _norm(
        tiny,
        "Intro.\n\n<center>Centered <font color=\"red\" face=\"Arial\">red</font> <tt>code</tt> <strike>old</strike>"
        " <u>u</u> <big>big</big> <blink>blink</blink></center>\n\n"
        "<table width=\"100%\" border=\"1\" bgcolor=\"#fff\"><tr><td align=\"right\" valign=\"top\" width=\"50\">c</td></tr></table>\n\n"
        "<img src=\"https://e.org/i.png\" width=\"100%\" height=\"20\" alt=\"i\" style=\"float: left; text-align: center\">",
    )
    assert "Centered red code old u big blink" in " ".join(body.xpath("string()").split())
    div = next(body.iter(H + "div"))
    assert div.get("style") == "text-align: center"
    assert [c.tag for c in div] == [H + "span", H + "code", H + "s", H + "u", H + "span", H + "span"]
    td = next(body.iter(H + "td"))
    assert td.get("style") == "text-align: right; vertical-align: top" and td.get("width") is None
    table = next(body.iter(H + "table"))
    assert dict(table.attrib) == {}
    img = next(body.iter(H + "img"))
    assert (img.get("width"), img.get("height"), img.get("style")) == (None, "20", "text-align: center")
    at = "articles/2026-01-01-h.md:"
    assert f"{at}7: warning: mapped <center> to <div style=\"text-align: center\">" in warnings
    assert f"{at}7: warning: mapped <font> to <span>" in warnings
    assert f"{at}7: warning: mapped <tt> to <code>" in warnings
    assert f"{at}9: warning: dropped presentational attribute bgcolor=\"#fff\" from <table>" in warnings
    assert f"{at}9: warning: mapped valign=\"top\" on <td> to style=\"vertical-align: top\"" in warnings
    assert f"{at}11: warning: dropped width=\"100%\" from <img>: not a valid value" in warnings
    assert any(w.startswith(f"{at}11: warning: reduced style=\"float: left; text-align: center\" on <img>") for w in warnings)


def test_unknown_elements_keep_their_text_with_a_warning(tiny: Path):
    body, warnings, _ = _norm(tiny, "<p>a <custom-tag>kept</custom-tag> <blah x=1>also</blah> b</p>")
    assert body.xpath("string()").split() == ["a", "kept", "also", "b"]
    assert sum("unwrapped <custom-tag>" in w for w in warnings) == 1
    assert sum("unwrapped <blah>" in w for w in warnings) == 1


@pytest.mark.parametrize("payload", [
    '<svg><script>alert(1)</script><circle r="1"/></svg>',
    '<svg><foreignObject><script>alert(1)</script><p>t</p></foreignObject></svg>',
    '<svg><desc><script>alert(1)</script></desc></svg>',
    '<math><mi>x</mi><script>alert(1)</script></math>',
    '<math><mtext><script>alert(1)</script></mtext></math>',
    '<svg><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>',
    '<svg><use xlink:href="javascript:alert(1)"/><use href="https://evil.example/x.svg#a"/></svg>',
    '<svg><animate attributeName="href" to="javascript:alert(1)"/><set attributeName="onclick" to="alert(1)"/></svg>',
    '<svg><style>circle{fill:url(javascript:alert(1))}</style><circle r="1" onload="alert(1)"/></svg>',
    '<svg><image href="javascript:alert(1)"/><circle r="1" fill="url(https://evil.example/p.svg#g)"/></svg>',
    '<math href="javascript:alert(1)"><mi>x</mi></math>',
    '<a href="java&#x09;script:alert(1)">t</a><a href="java&#x0A;script:alert(1)">t</a><a href="java&#x0D;script:alert(1)">t</a>',
    '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>',
    '<svg><p><style><img src=x onerror=alert(1)></style></p></svg>',
    '<noscript><p title="</noscript><img src=https://e.org/x onerror=alert(1)>"></noscript>',
])
def test_scripts_never_survive_in_svg_math_or_urls(tiny: Path, payload: str):
    body, warnings, _ = _norm(tiny, payload)
    for el in body.iter():
        local = etree.QName(el).localname.lower()
        assert local not in ("script", "style", "foreignobject", "animate", "set", "image", "annotation-xml", "iframe")
        for name, value in el.attrib.items():
            assert not etree.QName(name).localname.lower().startswith("on"), (name, value)
            assert "javascript" not in value.lower().replace("\t", "").replace("\n", "").replace("\r", "") or name == "title"
            assert "evil.example" not in value
    assert warnings  # every removal said


def test_svg_ids_become_xml_names_unique_per_article_and_references_follow(tiny: Path):
    figure = ('<svg viewBox="0 0 10 10"><defs><linearGradient id="1 grad"><stop offset="0"/></linearGradient></defs>'
              '<rect id="r" fill="url(#1 grad)" width="1" height="1"/><use href="#r"/></svg>')
    body, warnings, _ = _norm(tiny, f'<p id="r">para</p>\n\n{figure}\n\n{figure}')
    ids = [el.get("id") for el in body.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) == 5
    assert all(etree.QName("x", i) for i in ids)
    svgs = list(body.iter(SVG + "svg"))
    for svg in svgs:
        rect = next(svg.iter(SVG + "rect"))
        grad = next(svg.iter(SVG + "linearGradient"))
        assert rect.get("fill") == f"url(#{grad.get('id')})"
        assert next(svg.iter(SVG + "use")).get("{http://www.w3.org/1999/xlink}href") == "#" + rect.get("id")
    assert any("renamed id=\"1 grad\"" in w for w in warnings)


def test_mathml_keeps_its_presentation_subset(tiny: Path):
    body, warnings, _ = _norm(tiny, '<math display="block"><mfrac><mi>a</mi><mn>2</mn></mfrac></math>')
    math = next(body.iter(MATH + "math"))
    assert math.get("display") == "block" and [c.tag for c in math[0]] == [MATH + "mi", MATH + "mn"]
    assert warnings == []


def test_twenty_thousand_nested_divs_are_flattened_not_cut(tiny: Path, monkeypatch):
    monkeypatch.chdir(tiny)
    _, warnings, text = _norm(tiny, "Intro.\n\n" + "<div>" * 20000 + "deep text" + "</div>" * 20000 + "\n\nAfter.")
    assert "deep text" in text and "After." in text
    assert any(f"nested deeper than {limits.HTML_NESTING} levels was flattened" in w for w in warnings)


def test_style_is_reduced_with_a_warning(tiny: Path):
    body, warnings, _ = _norm(tiny, '<p style="color: red; text-align: justify; position: fixed">x</p>')
    assert next(body.iter(H + "p")).get("style") == "text-align: justify"
    assert any("reduced style=" in w for w in warnings)


def test_normalizing_twice_gives_the_same_bytes(tiny: Path):
    body = '<center><font color=red>x</font></center><svg><rect id="1" width="1" height="1"/></svg>'
    path = write(tiny / "articles" / "2026-01-01-h.md", "---\ntitle: T\n---\n\n" + body + "\n")
    first = to_bytes(normalize_file(path, site_config(tiny), Reporter()))
    again = write(tiny / "articles" / "again.xml", first)
    assert to_bytes(normalize_file(again, site_config(tiny), Reporter())) == first


EVIL_SVG = """<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://evil.example/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(2)</script>
  <style>rect { fill: url(javascript:alert(3)) }</style>
  <defs><linearGradient id="1 g"><stop offset="0"/></linearGradient></defs>
  <rect id="r" width="10" height="10" fill="url(#1 g)"/>
  <rect id="r" width="5" height="5"/>
  <image xlink:href="file:///etc/passwd"/>
  <use xlink:href="http://evil.example/x.svg#a"/>
  <a xlink:href="javascript:alert(4)"><text>label</text></a>
  <animate attributeName="href" to="javascript:alert(5)"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html text</div></foreignObject>
</svg>
"""


def test_svg_image_files_are_published_cleaned_everywhere(tiny: Path, monkeypatch):
    """build/media, the EPUB and the enclosure's length all get the cleaned file."""
    import zipfile

    from publisher.build import build
    from publisher.config import load_config

    monkeypatch.chdir(tiny)
    write(tiny / "articles" / "fig.svg", EVIL_SVG)
    write(tiny / "articles" / "2026-01-01-fig.md", "---\ntitle: Figure\n---\n\nText.\n\n![a figure](fig.svg)\n")
    config, _ = load_config(tiny / "publisher.toml")
    report = Reporter()
    normalize_file(tiny / "articles" / "2026-01-01-fig.md", config, report)
    warnings = [d.format() for d in report.warnings]
    assert "articles/fig.svg:3: warning: removed event-handler attribute onload= from SVG <svg>" in warnings
    assert "articles/fig.svg:4: warning: removed SVG <script> and its content (it runs, animates, styles or loads)" in warnings
    build(config)
    published = (tiny / "build" / "media" / "fig.svg").read_bytes()
    with zipfile.ZipFile(tiny / "build" / "articles.epub") as z:
        in_book = next(z.read(n) for n in z.namelist() if n.endswith(".svg"))
    assert in_book == published
    for bad in (b"script", b"javascript", b"evil.example", b"file:", b"onload", b"<style", b"animate", b"foreignObject",
                b"<image"):
        assert bad not in published, bad
    assert b"html text" in published and b"label" in published
    root = etree.fromstring(published)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) == 3
    rss = (tiny / "build" / "rss.xml").read_bytes()
    assert f'length="{len(published)}"'.encode() in rss


@pytest.mark.parametrize(("text", "message"), [
    ("<svg><rect></svg>", "fig.svg:1:18: error: SVG image is not well-formed XML"),
    ('<html xmlns="http://www.w3.org/1999/xhtml"/>', "fig.svg:1: error: image is not an SVG document (its root is 'html')"),
    ('<!DOCTYPE svg [<!ENTITY e "x">]><svg xmlns="http://www.w3.org/2000/svg">&e;</svg>',
     "fig.svg:1: error: SVG image must not declare entities"),
])
def test_an_svg_image_that_is_not_svg_is_an_error_with_its_line(tiny: Path, monkeypatch, text: str, message: str):
    from publisher.errors import SourceError

    monkeypatch.chdir(tiny)
    write(tiny / "articles" / "fig.svg", text)
    path = write(tiny / "articles" / "2026-01-01-fig.md", "---\ntitle: Figure\n---\n\n![a figure](fig.svg)\n")
    with pytest.raises(SourceError) as info:
        normalize_file(path, site_config(tiny), Reporter())
    assert info.value.diagnostic().format().startswith("articles/" + message)


def test_check_reports_every_change_with_file_and_line(tiny: Path, monkeypatch):
    from click.testing import CliRunner

    from publisher.cli import cli

    monkeypatch.chdir(tiny)
    write(tiny / "articles" / "2026-01-01-c.md", "---\ntitle: C\n---\n\nIntro.\n\n"
          "<center>mapped</center>\n\n<p style=\"color: red\">reduced</p>\n\n<blah>unwrapped</blah>\n\n[t](ttps://e.org)\n")
    result = CliRunner().invoke(cli, ["check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "articles/2026-01-01-c.md:7: warning: mapped <center> to <div style=\"text-align: center\">" in out
    assert "articles/2026-01-01-c.md:9: warning: reduced style=\"color: red\" on <p> to nothing" in out
    assert "articles/2026-01-01-c.md:11: warning: unwrapped <blah>: not in the article vocabulary; its text is kept" in out
    assert "articles/2026-01-01-c.md:13: warning: <a href=...>: unknown URL scheme ttps:" in out


def test_svg_style_becomes_presentation_attributes(tiny: Path):
    body, warnings, _ = _norm(
        tiny, '<svg><path d="M0 0" style="fill:#ff0000;stroke-width:2;cursor:pointer;filter:url(https://e.org/f)"/></svg>'
    )
    path = next(body.iter(SVG + "path"))
    assert (path.get("fill"), path.get("stroke-width"), path.get("style")) == ("#ff0000", "2", None)
    assert any("style properties cursor, filter dropped" in w for w in warnings)


@pytest.mark.parametrize(("markup", "links"), [
    ('<video src="https://example.org/a.mp4">The film</video>', {"https://example.org/a.mp4": "The film"}),
    ('<audio><source src="https://example.org/b.ogg" type="audio/ogg"></audio>', {"https://example.org/b.ogg": "b.ogg"}),
    # a link cannot hold a link: the fallback's own link stays, the media's comes after it
    ('<video src="https://example.org/c.mp4">See <a href="https://example.org/page">the page</a></video>',
     {"https://example.org/page": "the page", "https://example.org/c.mp4": "c.mp4"}),
])
def test_video_and_audio_become_links_to_their_media(tiny: Path, markup: str, links: dict):
    body, warnings, _ = _norm(tiny, markup)
    found = {a.get("href"): "".join(a.itertext()) for a in body.iter("{http://www.w3.org/1999/xhtml}a")}
    assert found == links
    assert any("to a link to its media" in w for w in warnings) or "<a href" in markup


@pytest.mark.parametrize(("markup", "shape", "warning"), [
    ("<p>a <bdo>reversed</bdo> b</p>", "<p>a <span>reversed</span> b</p>", "mapped <bdo> without dir"),
    ('<p>a <bdo dir="rtl">kept</bdo></p>', '<bdo dir="rtl">kept</bdo>', None),
    ("<dl><table><tr><td>cell</td></tr></table></dl>", "<dl><dt/><dd><table>", "wrapped content of <dl>"),
    ("<dl><dt>term</dt></dl>", "<dl><dt>term</dt><dd/></dl>", "completed <dl>"),
    ("<dl><dd>q</dd>r<dt>s</dt></dl>", "<dl><dt/><dd>q</dd><dd>r</dd><dt>s</dt><dd/></dl>", "completed <dl>"),
    ('<p><time><a href="https://example.com/">link</a> text</time></p>',
     '<p><a href="https://example.com/">link</a> text</p>', "unwrapped <time> without datetime"),
    ('<p><time datetime="2026-01-01"><b>New</b> year</time></p>', "<time datetime=\"2026-01-01\"><b>", None),
    ("<table><tr><td>a <col> b</td></tr></table>", "<table><colgroup><col/>", "put the parts of <table>"),
    ("<ul>t<li>a</li><p>x</p></ul>", "<ul><li>t</li><li>a</li><li><p>x</p></li></ul>", "wrapped content of <ul>"),
])
def test_content_models_are_made_true_with_warnings(tiny: Path, markup: str, shape: str, warning: str | None):
    """What the schema says an element may hold (vocabulary.CONTENT, PARENTS, REQUIRED) is
    made true by wrapping, moving or unwrapping, with a warning, and no text is lost
    (_norm checks the result against the schema)."""
    body, warnings, xml = _norm(tiny, markup)
    assert shape in xml.replace("h:", "")
    text = etree.fromstring(f"<x>{markup.replace('<col>', '').replace('<br>', '')}</x>", etree.HTMLParser())
    assert sorted("".join(body.itertext()).split()) == sorted("".join(text.itertext()).split())
    if warning:
        assert any(warning in w and "2026-01-01-h.md:" in w for w in warnings), warnings
    else:
        assert not any("<bdo>" in w or "<time>" in w for w in warnings), warnings


def test_parts_outside_their_parent_are_unwrapped_and_the_schema_refuses_them(tiny: Path):
    """li, dt, dd and the table parts stand only in their parents: the schema says so (not in
    h.any), and the Conformer unwraps them elsewhere (an article-XML source can hold any)."""
    from publisher.model import vocabulary as v

    assert "h.li" not in v.rng_body().split('<define name="h.any">')[1].split("</define>")[0]
    assert "h.td" not in v.rng_body().split('<define name="h.any">')[1].split("</define>")[0]
    holder = etree.fromstring(f'<body><div xmlns="{v.XHTML_NS}"><li>item</li><dd>def</dd></div></body>')
    warnings: list[str] = []
    from publisher.normalize.html import Conformer

    Conformer(lambda el, m: warnings.append(m)).conform(holder)
    assert holder[0].text == "itemdef" and len(holder[0]) == 0
    assert any("unwrapped <li>" in w for w in warnings) and any("unwrapped <dd>" in w for w in warnings)


def test_links_and_table_headers_that_announce_nothing_are_reported_at_their_line(tiny: Path):
    """Ace's link-name and empty-table-header, found at the source rather than in the book."""
    body, warnings, _ = _norm(tiny, "A [](https://example.org/x) link, [ok](https://example.org/y),\n"
                                    "[![logo](https://example.org/l.png)](https://example.org/z) and\n"
                                    "<a href=\"mailto:a@example.org\"></a>.\n\n"
                                    "| | b |\n|---|---|\n| 1 | 2 |\n")
    found = [w for w in warnings if "announces nothing" in w]
    assert len(found) == 3, warnings
    assert found[0].split(" ")[0].endswith("articles/2026-01-01-h.md:5:") and "https://example.org/x" in found[0]
    assert ":5:" in found[1] and "mailto:a@example.org" in found[1]  # raw HTML inline: its paragraph's line
    assert ":9:" in found[2] and "table header" in found[2]
    assert len(list(body.iter(H + "a"))) == 4  # reported, not removed
