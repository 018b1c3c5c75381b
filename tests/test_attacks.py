"""Regression table for issue 14: every error class and attack found on unseen and hostile content.

Each row is a Markdown source (and its files); the site is built with ``publisher build`` in a fresh
process and the row says what must and must not appear in the normalized XML, in every EPUB
chapter and in every HTML string every feed carries (parsed as a browser parses it), and which
diagnostics the user must see. Rows common to all: no traceback; exit 0, or, where the row allows
refusing the input, exit 1 with an error naming the source file and line; nothing a browser would
run, load as a document or follow to a script URL (``attack_support.dangers``); every word the
row marks as content still there.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from tests.attack_support import (
    EVIL,
    Built,
    article,
    body_of,
    build_site,
    dangers,
    html_tree,
    text_of,
)
from tests.conftest import SHARED, epubcheck

P = f"document.title='pwned';alert(1);fetch('https://{EVIL}/x')"  # what each payload tries
XHTML = "http://www.w3.org/1999/xhtml"
#: HTML elements that are never void: written ``<td/>`` they are open tags to an HTML parser.
NOT_VOID = "a|abbr|b|blockquote|caption|cite|code|dd|div|dl|dt|em|figcaption|figure|h[1-6]|i|li|ol|p|pre|q|s|section|small|span|strong|sub|sup|table|tbody|td|tfoot|th|thead|tr|u|ul"
SELF_CLOSED_HTML = re.compile(rf"<(?:{NOT_VOID})(?:\s[^<>]*)?/>")
#: HTML void elements: libxml2's HTML 4 parser made some of them containers of what follows.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "keygen"}


def filled_voids(root: etree._Element) -> list[str]:
    """Void elements (in the XHTML namespace or none) that hold text or elements."""
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        qn = etree.QName(el)
        if qn.namespace in (None, XHTML) and qn.localname in VOID and (len(el) or (el.text or "").strip()):
            found.append(f"<{qn.localname}> holds {' '.join(''.join(el.itertext()).split())[:60]!r}")
    return found


@dataclass(frozen=True)
class Case:
    id: str
    body: str
    keep: tuple[str, ...] = ()  # text that must survive into the XML, the book and the feeds
    forbid: tuple[str, ...] = ()  # regexes that must match nowhere in the XML, the chapters, the feed HTML
    warn: bool = False  # a diagnostic must name the source file and line
    refuse_ok: bool = False  # exit 1 with a file:line error is an acceptable answer
    files: dict[str, bytes] = field(default_factory=dict)
    epubcheck: bool = False  # the book must pass EPUBCheck with 0 errors and 0 warnings


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 2), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PNG = _png()

BAD_SVG = f"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40" onload="{P}">
  <script>{P}</script>
  <image href="https://{EVIL}/track.png" width="1" height="1"/>
  <use xlink:href="file:///etc/passwd#x"/>
  <a xlink:href="javascript:{P}"><rect id="r" width="20" height="20"/></a>
  <foreignObject><iframe xmlns="{XHTML}" src="https://{EVIL}/"/></foreignObject>
  <set attributeName="onmouseover" to="{P}"/>
</svg>
""".encode()

ODD_ID_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" id="1 chart">
  <defs><linearGradient id="0g"><stop offset="0" stop-color="#000"/></linearGradient></defs>
  <g id="dup"><rect width="10" height="10" fill="url(#0g)"/></g>
  <g id="dup"><rect x="10" width="10" height="10"/></g>
</svg>
"""

CASES = [
    # --- crashes --------------------------------------------------------------------------------
    Case("link-to-site-root", "Go [home](/) now.", keep=("Go home now.",)),
    Case("link-above-root", "Up [one](/..) and [two](../../../../x) and [three](..).", keep=("one", "two", "three")),
    Case("odd-paths", 'A [net path](//host.example/p), an [empty]() and <a href="">bare</a> link.',
         keep=("net path", "empty", "bare")),
    # --- EPUBCheck errors on unseen content -----------------------------------------------------
    Case("svg-file-odd-and-duplicate-ids", "![chart](chart.svg)\n\nAfter the chart.", keep=("After the chart.",),
         files={"chart.svg": ODD_ID_SVG}, epubcheck=True, refuse_ok=True),
    Case("inline-svg-odd-and-duplicate-ids",
         '<svg width="20" height="20" id="1x"><g id="a b"><rect width="5" height="5"/></g>'
         '<g id="a b"><rect width="5" height="5"/></g></svg>\n\nText after.',
         keep=("Text after.",), epubcheck=True),
    Case("legacy-center", "<center>Centered words</center>\n\nNext.", keep=("Centered words", "Next."),
         forbid=(r"<(?:\w+:)?center\b",), warn=True, epubcheck=True),
    Case("legacy-width-100",
         '<table width="100%" border="1" bgcolor="#fff"><tr><td align="center">cell text</td></tr></table>\n\n'
         '<p><img src="wide.png" width="100%" alt="wide"></p>',
         keep=("cell text",), files={"wide.png": PNG}, forbid=(r'width="100%"', r"\bbgcolor=", r"\balign="), warn=True, epubcheck=True),
    Case("legacy-font-u-tt", '<p><font color="red" face="Arial">red words</font> <u>under</u> <tt>mono</tt></p>',
         keep=("red words", "under", "mono"), forbid=(r"<(?:\w+:)?(?:font|tt)\b",), warn=True, epubcheck=True),
    # --- HTML in feeds written with XML rules ---------------------------------------------------
    Case("empty-td", "<table><tr><td></td><td>full</td></tr></table>\n\nAfter table.", keep=("full", "After table.")),
    Case("empty-div", "<div></div>\n\nParagraph after the div.", keep=("Paragraph after the div.",)),
    Case("mail-to-beside-autolink", '<a href="mail-to:someone@example.com">someone@example.com</a> wrote.',
         keep=("someone@example.com", "wrote."), warn=True),
    # --- typo URLs ------------------------------------------------------------------------------
    Case("typo-schemes", "See [one](ttps://example.com/a), [two](htp://example.com/b) and [three](mail-to:x@example.com).",
         keep=("one", "two", "three"), warn=True),
    # --- script through the deny-list ------------------------------------------------------------
    Case("svg-script", f'<svg width="10" height="10"><script>{P}</script><circle r="4"/></svg>\n\nSafe text.',
         keep=("Safe text.",), warn=True, refuse_ok=True),
    Case("svg-foreignobject-script",
         f'<svg width="10" height="10"><foreignObject><script>{P}</script><p>inside</p></foreignObject></svg>\n\nSafe.',
         keep=("Safe.",), warn=True, refuse_ok=True),
    Case("svg-desc-script", f'<svg width="10" height="10"><desc><script>{P}</script></desc></svg>\n\nSafe.',
         keep=("Safe.",), warn=True, refuse_ok=True),
    Case("math-script", f"<math><mi>x</mi><script>{P}</script></math>\n\nSafe.", keep=("Safe.",), warn=True, refuse_ok=True),
    Case("svg-xlink-javascript",
         f'<svg width="50" height="20"><a xlink:href="javascript:{P}"><text y="15">click</text></a></svg>',
         warn=True, refuse_ok=True),
    Case("svg-animate-href",
         f'<svg width="50" height="20"><a><animate attributeName="href" values="javascript:{P}"/>'
         '<text y="15">click</text></a></svg>', warn=True, refuse_ok=True),
    Case("svg-set-event", f'<svg width="50" height="20"><set attributeName="onmouseover" to="{P}"/><rect width="9" height="9"/></svg>',
         warn=True, refuse_ok=True),
    Case("svg-style", f'<svg width="9" height="9"><style>@import url(https://{EVIL}/x.css); rect {{fill: red}}</style>'
         '<rect width="9" height="9"/></svg>', warn=True, refuse_ok=True),
    Case("href-tab", f'<a href="java&#x09;script:{P}">tab link</a>', keep=("tab link",), warn=True, refuse_ok=True),
    Case("href-newline", f'<a href="java&#x0A;script:{P}">newline link</a>', keep=("newline link",), warn=True, refuse_ok=True),
    Case("href-return", f'<a href="java&#x0D;script:{P}">return link</a>', keep=("return link",), warn=True, refuse_ok=True),
    Case("href-leading-space", f'<a href=" &#x01;javascript:{P}">space link</a>', keep=("space link",), warn=True, refuse_ok=True),
    Case("markdown-javascript-link", "[md link](javascript:alert(1))", keep=("md link",), warn=True, refuse_ok=True),
    Case("img-onerror", f'<img src="x:y" onerror="{P}" alt="pic">\n\nAfter.', keep=("After.",), warn=True, refuse_ok=True),
    Case("iframe-srcdoc", f'<iframe srcdoc="<script>{P}</script>"></iframe>\n\nAfter.', keep=("After.",), warn=True, refuse_ok=True),
    Case("meta-refresh", f'<meta http-equiv="refresh" content="0;url=https://{EVIL}/">\n\nAfter.', keep=("After.",), warn=True, refuse_ok=True),
    Case("data-html-link", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
         keep=("data link",), warn=True, refuse_ok=True),
    Case("svg-image-file-with-script", "![diagram](bad.svg)\n\nAfter the diagram.", keep=("After the diagram.",),
         files={"bad.svg": BAD_SVG}, refuse_ok=True, epubcheck=True),
    # --- libxml2's HTML 4 parser -----------------------------------------------------------------
    *[
        Case(f"{tag}-swallows", f"<p>one <{tag}{attrs}> two words</p>\n\nThe next paragraph.",
             keep=("one", "two words", "The next paragraph."))
        for tag, attrs in [("embed", ' src="a.swf"'), ("source", ' src="a.mp4"'), ("track", ' src="a.vtt"'),
                           ("wbr", ""), ("keygen", ' name="k"')]
    ],
    # --- raw-text elements (a Rust-corpus survey post crashed the normalizer on h/vocab) ---------
    Case("noscript-image", '<div class="chart"><noscript>\n<img alt="chart" src="https://example.com/c.png"/>\n'
         "</noscript></div>\n\nAfter the chart.", keep=("After the chart.",)),
    Case("plaintext", "<plaintext>\n<b nowrap>bold</b>\n\nAfter.", keep=("bold",), refuse_ok=True),
    # --- SVG and MathML namespaces in feeds ------------------------------------------------------
    Case("inline-svg-in-feeds", '<svg width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>\n\nAfter svg.',
         keep=("After svg.",), forbid=(r"<ns\d+:", r"xmlns:ns\d+")),
    Case("inline-math-in-feeds", "<math><mi>x</mi><mo>=</mo><mn>2</mn></math> is the answer.",
         keep=("is the answer.",), forbid=(r"<ns\d+:", r"xmlns:ns\d+")),
]


@pytest.fixture(scope="module", params=CASES, ids=[c.id for c in CASES])
def case_built(request, tmp_path_factory) -> tuple[Case, Built]:
    case: Case = request.param
    root = tmp_path_factory.mktemp(case.id)
    built = build_site(root, {"2026-01-01-case.md": article("Case", case.body)}, case.files)
    return case, built


SOURCE = "2026-01-01-case.md"


def _chapter_bodies(built: Built) -> dict[str, etree._Element]:
    bodies = {}
    for name, data in built.chapters().items():
        if name.endswith(".svg"):
            bodies[name] = etree.fromstring(data)
            continue
        root = etree.fromstring(data)
        body = root.find(f"{{{XHTML}}}body")
        if body is not None and "Case" in "".join(root.itertext()):
            bodies[name] = body
    return bodies


def test_exits_cleanly(case_built):
    case, built = case_built
    assert "Traceback" not in built.output, built.output
    if built.returncode == 1 and case.refuse_ok:
        assert [d for d in built.diagnostics_for(SOURCE) if ": error: " in d], built.output
        return
    assert built.returncode == 0, built.output


def _accepted(case_built) -> tuple[Case, Built]:
    case, built = case_built
    if built.returncode != 0:
        if case.refuse_ok and built.returncode == 1 and "Traceback" not in built.output:
            pytest.skip("the input was refused with a file:line error, which this row allows")
        pytest.fail(f"build failed: {built.output}")
    return case, built


def test_normalized_xml(case_built):
    case, built = _accepted(case_built)
    body = body_of(built.normalized[SOURCE])
    assert body is not None, built.output
    assert dangers(body) == []
    assert filled_voids(body) == []
    text = text_of(body)
    for words in case.keep:
        assert " ".join(words.split()) in text
    serialized = etree.tostring(body, encoding="unicode")
    for pattern in case.forbid:
        assert not re.search(pattern, serialized), pattern


def test_epub_chapters(case_built):
    case, built = case_built
    case, built = _accepted(case_built)
    bodies = _chapter_bodies(built)
    assert bodies, "no chapter of the article in any EPUB"
    text = " ".join(text_of(b) for b in bodies.values())
    for name, body in bodies.items():
        assert dangers(body) == [], name
        assert filled_voids(body) == [], name
        serialized = etree.tostring(body, encoding="unicode")
        for pattern in case.forbid:
            assert not re.search(pattern, serialized), (name, pattern)
    for words in case.keep:
        assert " ".join(words.split()) in text


def test_feed_html(case_built):
    case, built = _accepted(case_built)
    html = {k: v for k, v in built.feed_html().items() if "description" not in k or "<" in v}
    assert html, "no HTML content in any feed"
    for where, fragment in html.items():
        tree = html_tree(fragment)
        assert dangers(tree) == [], where
        assert filled_voids(tree) == [], where
        assert not SELF_CLOSED_HTML.search(fragment), (where, SELF_CLOSED_HTML.search(fragment).group(0))
        for pattern in case.forbid:
            assert not re.search(pattern, fragment), (where, pattern)
        for a in tree.iter("a"):
            assert not list(a.iterancestors("a")), f"{where}: a link nested in a link"
        if "content" in where:
            text = text_of(tree)
            for words in case.keep:
                assert " ".join(words.split()) in text, where


def test_feed_html_parses_like_the_model(case_built):
    """An HTML parser reads each feed's HTML with the block structure the article has: a
    paragraph after an empty element is not inside it, a table cell holds only its own text."""
    _case, built = _accepted(case_built)
    for where, fragment in built.feed_html().items():
        if "content" not in where:
            continue
        tree = html_tree(fragment)
        for p in tree.iter("p"):
            assert not [a for a in p.iterancestors() if a.tag in ("div", "td", "a", "span", "p")], (
                f"{where}: paragraph {text_of(p)!r} nested in {[a.tag for a in p.iterancestors()]}"
            )
        for td in tree.iter("td"):
            assert not list(td.iter("td"))[1:], f"{where}: a cell inside a cell"


def test_diagnostics_name_the_source(case_built):
    case, built = case_built
    if not case.warn:
        pytest.skip("this row changes nothing the user wrote")
    assert built.diagnostics_for(SOURCE), built.output


def test_media_has_no_script(case_built):
    _case, built = _accepted(case_built)
    for name, data in built.media().items():
        if name.endswith(".svg"):
            assert dangers(etree.fromstring(data)) == [], name
            assert EVIL.encode() not in data and b"file:" not in data, name
    for name, data in built.chapters().items():
        if name.endswith(".svg"):
            assert dangers(etree.fromstring(data)) == [], name


EPUBCHECK_ROWS = [c for c in CASES if c.epubcheck]


@pytest.fixture(scope="module")
def book_of_rows(tmp_path_factory) -> tuple[Built, list[str], list[dict]]:
    """The rows about book validity as one site, one article each (slug = row id), so EPUBCheck
    (seconds per run) runs once; a row the build refuses with a file:line error is left out."""
    root = tmp_path_factory.mktemp("book-of-rows")
    articles = {f"2026-01-{n:02d}-{c.id}.md": article(c.id, c.body, f"2026-01-{n:02d}")
                for n, c in enumerate(EPUBCHECK_ROWS, start=1)}
    files = {name: data for c in EPUBCHECK_ROWS for name, data in c.files.items()}
    refused: list[str] = []
    for _ in range(len(articles)):
        built = build_site(root, articles, files, normalize=False)
        assert "Traceback" not in built.output, built.output
        if built.returncode == 0:
            messages = [m for book in built.epubs() for m in epubcheck(book).messages]
            return built, refused, messages
        named = [n for n in articles if any(": error: " in d for d in built.diagnostics_for(n))]
        assert built.returncode == 1 and named, built.output
        for name in named:
            refused.append(name)
            del articles[name]
            (root / "articles" / name).unlink()
    pytest.fail("every row was refused")


def _where(message: dict) -> list[str]:
    return [loc.get("path", "") for loc in message.get("locations", [])]


@pytest.mark.parametrize("case", EPUBCHECK_ROWS, ids=[c.id for c in EPUBCHECK_ROWS])
def test_epubcheck_reports_nothing(book_of_rows, case: Case):
    _built, refused, messages = book_of_rows
    if any(case.id in name for name in refused):
        pytest.skip("the input was refused with a file:line error, which this row allows")
    mine = (f"text/{case.id}.xhtml", *(f"/{name}" for name in case.files))
    found = [m for m in messages if any(path.endswith(mine) for path in _where(m))]
    assert found == [], "\n".join(f"{m['severity']} {m['ID']}: {m['message']} at {_where(m)}" for m in found)


def test_epubcheck_reports_nothing_about_the_book_as_a_whole(book_of_rows):
    """Messages that name no row's chapter or file (the package, the nav) are everyone's."""
    _built, _refused, messages = book_of_rows
    rows = [(f"text/{c.id}.xhtml", *(f"/{n}" for n in c.files)) for c in EPUBCHECK_ROWS]
    other = [m for m in messages if not any(p.endswith(r) for p in _where(m) for r in rows)]
    assert other == [], "\n".join(f"{m['severity']} {m['ID']}: {m['message']} at {_where(m)}" for m in other)


def test_deep_nesting_is_kept_or_reported(tmp_path: Path):
    """20,000 nested ``div``s: libxml2 cut them to 253 with no word. The innermost text must
    survive, and any nesting the tool removes must be reported."""
    depth = 20_000
    body = "<div>" * depth + "deepest words" + "</div>" * depth + "\n\nAfter the divs."
    built = build_site(tmp_path / "site", {SOURCE: article("Case", body)})
    assert "Traceback" not in built.output
    if built.returncode == 1:
        assert [d for d in built.diagnostics_for(SOURCE) if ": error: " in d], built.output
        return
    assert built.returncode == 0, built.output
    xml = body_of(built.normalized[SOURCE])
    assert "deepest words" in text_of(xml) and "After the divs." in text_of(xml)
    kept = max(len(list(el.iterancestors())) for el in xml.iter())
    if kept < depth:
        assert built.diagnostics_for(SOURCE), f"nesting cut to {kept} with no diagnostic"


W3C = SHARED / "clients" / "w3c_feedcheck.py"
W3C_CLASSES = ("NotHtml", "DangerousStyleAttr", "SameDocumentReference", "ArchiveIncomplete", "InvalidUriChar")


def _w3c_findings(root: Path, bodies: list[str]) -> str:
    """Build a site of ``bodies`` with archives; the W3C code's errors and listed warnings."""
    config = (
        '[site]\ntitle = "Test Site"\nbase_url = "https://test.example/"\ntimezone = "Europe/Berlin"\n'
        "feed_limit = 2\n"
    )
    articles = {
        f"2026-01-0{n}-a{n}.md": article(f"A{n}", body, f"2026-01-0{n}") for n, body in enumerate(bodies, start=1)
    }
    built = build_site(root, articles, config=config, normalize=False)
    assert built.returncode == 0, built.output
    feeds = [str(p) for p in built.feeds() if p.suffix == ".xml"]
    proc = subprocess.run([sys.executable, str(W3C), *feeds], capture_output=True, text=True, check=False)
    return "\n".join(
        line for line in proc.stdout.splitlines() if ": error: " in line or any(c in line for c in W3C_CLASSES)
    )


@pytest.mark.skipif(not W3C.is_file(), reason=f"{W3C} is absent: the W3C validator's code lives in ../shared")
def test_w3c_finds_nothing_of_the_listed_classes(tmp_path: Path):
    """The W3C Feed Validation Service's code on feeds made from legacy markup, inline style,
    a ``mail-to:`` link and empty elements, with archives: no error, and none of the warnings the
    issue lists (NotHtml, DangerousStyleAttr, SameDocumentReference, ArchiveIncomplete)."""
    assert _w3c_findings(tmp_path / "site", [
        '<p style="color: red; position: fixed">styled words</p>',
        '<center>centered</center>\n\n<table width="100%"><tr><td></td></tr></table>',
        '<a href="mail-to:x@example.com">x@example.com</a> <https://example.com>',
        "<div></div>\n\nAfter.",
    ]) == ""


@pytest.mark.skipif(not W3C.is_file(), reason=f"{W3C} is absent: the W3C validator's code lives in ../shared")
def test_w3c_reads_inline_svg_and_mathml(tmp_path: Path):
    """Inline SVG and MathML in feed HTML: no error, no NotHtml. (On h/vocab + h/feeds the W3C
    code says "Non-html tag [NotHtml]" for them: its HTML list predates HTML5's foreign content;
    either the feeds carry them another way or the warning is documented as true of the source.)"""
    assert _w3c_findings(tmp_path / "site", [
        '<svg width="10" height="10"><circle r="4"/></svg>\n\nAfter the picture.',
        "<math><mi>x</mi><mo>=</mo><mn>2</mn></math> is the answer.",
        "A plain paragraph.",
    ]) == ""
