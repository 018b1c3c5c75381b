"""epubfix: each repair rule on a small XHTML snippet; the text survives, the structure is valid."""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree

from publisher.books.epubfix import link_across, make_conformant
from publisher.xmlutil import XHTML_NS


def tree(body: str) -> etree._Element:
    return etree.fromstring(
        f'<html xmlns="{XHTML_NS}"><head><title>t</title></head><body>{body}</body></html>'
    )


def inner(html: etree._Element) -> str:
    """The body's content as markup, without namespace declarations."""
    body = html[1]
    markup = (body.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in body)
    return re.sub(r' xmlns(:\w+)?="[^"]*"', "", markup)


def chars(html: etree._Element) -> Counter[str]:
    """Every visible character of the body, in any order (repairs may move text, not drop it)."""
    return Counter("".join("".join(html[1].itertext()).split()))


def fix(body: str, added: str = "") -> str:
    html = tree(body)
    before = chars(html)
    make_conformant(html)
    assert chars(html) == before + Counter(added.replace(" ", "")), "a repair lost text"
    return inner(html)


def test_details_summary_moves_first():
    got = fix("<details><p>body</p><summary>More</summary></details>")
    assert got == "<details><summary>More</summary><p>body</p></details>"


def test_details_without_summary_and_stray_summary_become_divs():
    assert fix('<details open="open"><p>body</p></details>') == "<div><p>body</p></div>"
    assert fix("<div><summary>alone</summary></div>") == "<div><div>alone</div></div>"


def test_nested_anchor_becomes_span_keeping_text():
    got = fix('<p><a href="https://x.org/b.png"><a href="https://x.org/i" id="i">Img</a></a></p>')
    assert got == '<p><a href="https://x.org/b.png"><span id="i">Img</span></a></p>'


def test_nested_paragraph_is_split():
    got = fix('<p class="c">a<p>b</p>c</p>')
    assert got == '<p class="c">a</p><p>b</p><p class="c">c</p>'


def test_inline_around_block_is_pushed_into_it_and_the_paragraph_split():
    got = fix("<p>x <em>y<ul><li>z</li></ul>w</em> v</p>")
    assert got == "<p>x <em>y</em></p><ul><li><em>z</em></li></ul><p><em>w</em> v</p>"


def test_span_around_paragraphs_keeps_its_id_once():
    got = fix('<div><span id="s" style="font-weight: bold;"><p>a</p><p>b</p></span></div>')
    assert got == (
        '<div><p><span id="s" style="font-weight: bold;">a</span></p>'
        '<p><span style="font-weight: bold;">b</span></p></div>'
    )


def test_link_in_phrasing_context_is_split_around_block():
    got = fix('<p><a href="https://x.org/">x<div>y</div></a></p>')
    assert got == '<p><a href="https://x.org/">x</a></p><div><a href="https://x.org/">y</a></div>'


def test_link_around_block_in_flow_context_is_valid_and_left_alone():
    body = '<div><a href="https://x.org/"><p>x</p></a></div>'
    assert fix(body) == body


def test_blocks_inside_summary_become_spans_with_line_breaks():
    got = fix("<details><summary><span><p>one</p><p>two</p></span></summary><p>body</p></details>")
    assert got == (
        "<details><summary><span><span>one</span></span><br/><span><span>two</span></span>"
        "</summary><p>body</p></details>"
    )


def test_orphan_rows_join_the_table_before_them_and_items_get_a_list():
    got = fix("<table><tr><td>1</td></tr></table>\n<tr><td>2</td></tr>\n<tr><td>3</td></tr>")
    assert got == "<table><tr><td>1</td></tr><tr><td>2</td></tr>\n<tr><td>3</td></tr></table>\n"
    assert fix("<div><li>a</li> <li>b</li></div>") == "<div><ul><li>a</li> <li>b</li></ul></div>"
    assert fix("<div><td>a</td></div>") == "<div><table><tr><td>a</td></tr></table></div>"


def test_duplicate_ids_get_numbered_deterministically():
    got = fix('<h2 id="a">1</h2><h2 id="a">2</h2><h2 id="a-2">3</h2><h2 id="a">4</h2>')
    assert got == '<h2 id="a">1</h2><h2 id="a-3">2</h2><h2 id="a-2">3</h2><h2 id="a-4">4</h2>'


def test_fragment_links_are_kept_retargeted_or_unlinked():
    got = fix(
        '<h2 id="--all-targets">x</h2><h3 id="toml-11">y</h3><p><a id="tool"/>z</p>'
        '<p><a href="#--all-targets">1</a><a href="#all-targets">2</a><a href="#toml-1-1">3</a>'
        '<a href="#tool">4</a><a href="#gone" class="k">5</a><a href="#">6</a></p>'
    )
    assert got == (
        '<h2 id="--all-targets">x</h2><h3 id="toml-11">y</h3><p><a id="tool"/>z</p>'
        '<p><a href="#--all-targets">1</a><a href="#--all-targets">2</a><a href="#toml-11">3</a>'
        '<a href="#tool">4</a><span class="k">5</span><a href="#">6</a></p>'
    )


def test_ambiguous_loose_fragment_is_not_guessed():
    got = fix('<h2 id="a-b">1</h2><h2 id="A_B">2</h2><p><a href="#a.b">x</a></p>')
    assert got.endswith("<p><span>x</span></p>")


def test_link_across_retargets_or_drops_fragments_into_other_chapters():
    one = tree(
        '<p><a href="../text/two.xhtml#lockfile-path">a</a> <a href="../text/two.xhtml#nope">b</a>'
        ' <a href="../text/two.xhtml#ok">c</a> <a href="https://x.org/#nope">d</a>'
        ' <a href="../text/gone.xhtml#nope">e</a></p>'
    )
    two = tree('<h2 id="--lockfile-path">l</h2><h2 id="ok">o</h2>')
    link_across({"text/one.xhtml": one, "text/two.xhtml": two})
    assert inner(one) == (
        '<p><a href="../text/two.xhtml#--lockfile-path">a</a> <a href="../text/two.xhtml">b</a>'
        ' <a href="../text/two.xhtml#ok">c</a> <a href="https://x.org/#nope">d</a>'
        ' <a href="../text/gone.xhtml#nope">e</a></p>'
    )


def test_same_input_same_output():
    body = (
        '<span id="s"><p>a<a href="https://x.org/##">b<a href="#s">c</a></a></p></span>'
        '<details><p id="s">d</p><summary><div>e</div></summary></details>'
        "<noscript><li>f</li></noscript>"
    )
    assert fix(body) == fix(body)


def test_book_with_presentational_raw_html_passes_epubcheck(tiny):
    from publisher.build import build
    from tests.conftest import epubcheck, site_config, write

    write(tiny / "articles" / "2026-01-01-a.md",
          '---\ntitle: A\n---\n\n<p align="center">Centered</p>\n\n'
          '<table border="2" cellpadding="3" width="100%"><tr><td valign="top" bgcolor="#eee" nowrap>x</td></tr></table>\n')
    build(site_config(tiny))
    result = epubcheck(tiny / "build" / "articles.epub")
    assert result.messages == [], result.summary()


def test_block_precheck_agrees_with_the_rules_on_random_markup():
    """_fix_blocks skips its walk when no element it looks at has a block child: whenever the
    check says so, no element of the walk has one (and the walk would change nothing)."""
    import random

    from publisher.books import epubfix

    rng = random.Random("blocks")
    names = ["p", "span", "em", "a", "div", "ul", "li", "summary", "details", "h2", "pre", "b", "blockquote"]

    def markup(depth: int = 0) -> str:
        out = []
        for _ in range(rng.randrange(3)):
            name = rng.choice(names)
            inside = markup(depth + 1) if depth < 3 else ""
            out.append(f"<{name}>x{inside}</{name}>y")
        return "".join(out)

    found = 0
    for _ in range(1500):
        html = tree(markup())
        before = etree.tostring(html)
        inside = epubfix._block_inside(html)
        found += inside
        walked = [el for el in html.iter(*epubfix._MAY_SPLIT_TAGS) if any(epubfix._is_block(c) for c in el)]
        assert inside == bool(walked), before
    assert 100 < found < 1400


def test_book_with_legacy_svg_and_mathml_raw_html_passes_epubcheck(tiny):
    """The classes of issue 14 in one article: the normalizer's output makes a valid book."""
    from publisher.build import build
    from tests.conftest import epubcheck, site_config, write

    figure = ('<svg viewBox="0 0 10 10"><script>alert(1)</script><defs><linearGradient id="1 g">'
              '<stop offset="0"/></linearGradient></defs><rect id="r" width="5" height="5" fill="url(#1 g)"'
              ' style="stroke:#000;cursor:pointer"/><use xlink:href="#r"/><foreignObject><p>x</p></foreignObject>'
              '<a xlink:href="javascript:alert(2)"><text>t</text></a></svg>')
    write(tiny / "articles" / "2026-01-01-a.md",
          "---\ntitle: A\n---\n\n<center>Centered <font color=red>red</font> <tt>tt</tt> <u>u</u></center>\n\n"
          f"{figure}\n\n{figure}\n\n"
          '<math display="block"><mfrac><mi>a</mi><mn>2</mn></mfrac><annotation-xml><p>x</p></annotation-xml></math>\n\n'
          '<p>before <embed src="x"> after <a href="java&#x09;script:alert(3)">j</a> <a href="ttps://x.org">t</a>'
          ' <a href="https://c.net/?channels=##rust">c</a> <a href="/">root</a> <a name="n">named</a></p>\n\n'
          '<table width="100%" border="1"><tr><td align="right" bgcolor="#eee">c</td></tr></table>\n\n'
          '<p><img src="https://e.org/i.png" width="100%" alt="i"></p>\n\n<details><p>no summary</p></details>\n')
    build(site_config(tiny))
    result = epubcheck(tiny / "build" / "articles.epub")
    assert result.messages == [], result.summary()
