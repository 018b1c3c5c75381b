"""Issue 14's invariant as a property: if ``publisher build`` exits 0, every EPUB passes EPUBCheck
with 0 errors and 0 warnings and every feed passes the W3C validator with 0 errors.

Article bodies come from a grammar of real-world HTML (legacy tags and attributes, nested tables,
SVG with odd ids and scripts, MathML, empty elements, entities, odd URLs, ``style``, comments,
CDATA), many articles per example in one site, so EPUBCheck (seconds per run) runs once per
example. The budget is fixed for CI: a few derandomized examples, no shrinking (each step would
cost a build and an EPUBCheck run). ``PUBLISHER_PROPERTY_EXAMPLES=N`` runs more, and
``PUBLISHER_PROPERTY_SHRINK=1`` shrinks a failure before it is pinned below as a regular test.
A build that does not exit 0 must exit 1 and name a source file and line, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context as currently_in_hypothesis

from tests.attack_support import EVIL, Built, article, build_site
from tests.conftest import SHARED, epubcheck

W3C = SHARED / "clients" / "w3c_feedcheck.py"
pytestmark = pytest.mark.skipif(
    not W3C.is_file(), reason=f"{W3C} is absent: the W3C validator's code lives in ../shared"
)

EXAMPLES = int(os.environ.get("PUBLISHER_PROPERTY_EXAMPLES", "3"))
PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("PUBLISHER_PROPERTY_SHRINK") else [])
ARTICLES = (4, 8)  # articles per example (one book, one EPUBCheck run)

# ------------------------------------------------------------------------------------------------
# The grammar
# ------------------------------------------------------------------------------------------------

WORDS = st.sampled_from([
    "harbour", "vote", "Ünïcödé", "naïve", "x < y", "a & b", "“quoted”", "it's", "--", "...", "中文",
    "&amp;", "&nbsp;", "&copy;", "&#x09;", "&#0;", "&#xD800;", "&bogus;", "&lt;tag&gt;", "&#128512;",
    "\u00a0", "\u200b", "\x0c", "e=mc²", "1 &lt; 2", '"', "'", "`code`", "*em*", "http://x",
])
URLS = st.sampled_from([
    "https://example.com/a", "/", "/..", "..", "../../../..", "//host.example/p", "", "#frag", "?q=1",
    "ttps://example.com", "htp://example.com", "mail-to:a@example.com", "mailto:a@example.com",
    "javascript:alert(1)", "java&#x09;script:alert(1)", "java&#x0A;script:alert(1)", " javascript:x",
    "data:text/html,<script>alert(1)</script>", "data:image/png;base64,iVBORw0KGgo=",
    f"https://{EVIL}/a b", "http://[::1", "file:///etc/passwd", "vbscript:msgbox", "https://例え.jp/パス",
    "HTTPS://EXAMPLE.COM/UPPER", "ftp://example.com/f", "tel:+4912345", "x:y", "https://e.com/%zz",
])
IDS = st.sampled_from(["1x", "a b", "dup", "dup", "ok", "ä", "x:y", "", "-", "id-with.dots", "footnote-1"])
STYLE = st.sampled_from([
    "color: red", "position: fixed; top: 0", "background: url(javascript:alert(1))", "width: expression(alert(1))",
    "font-weight:bold", "display:none", "behavior: url(x.htc)", "color:#fff;;", "}", "@import 'x'",
])
LEGACY_ATTRS = st.sampled_from([
    'align="center"', 'width="100%"', 'width="50"', 'height="0"', 'bgcolor="#ffcc00"', 'border="1"',
    'valign="top"', 'cellpadding="2"', 'cellspacing="0"', 'nowrap', 'color="red"', 'face="Arial"', 'size="+1"',
    'clear="all"', 'hspace="3"', 'lang="de"', 'dir="rtl"', 'class="a  b"', 'title="t &amp; t"', 'hidden',
    'onclick="alert(1)"', 'onmouseover="alert(1)"', 'tabindex="x"', 'contenteditable', 'data-x="1"',
])


@st.composite
def attrs(draw) -> str:
    parts = draw(st.lists(LEGACY_ATTRS, max_size=3))
    if draw(st.booleans()):
        parts.append(f'id="{draw(IDS)}"')
    if draw(st.integers(0, 4)) == 0:
        parts.append(f'style="{draw(STYLE)}"')
    return "".join(" " + p for p in parts)


def text() -> st.SearchStrategy[str]:
    return st.lists(WORDS, min_size=1, max_size=4).map(" ".join)


INLINE_TAGS = ["b", "i", "em", "strong", "u", "tt", "font", "big", "small", "strike", "s", "span", "code",
               "sub", "sup", "abbr", "nobr", "blink", "q", "cite", "kbd", "mark", "ins", "del", "time", "bdo"]
BLOCK_TAGS = ["div", "center", "p", "blockquote", "section", "article", "aside", "header", "footer",
              "figure", "pre", "address", "details", "marquee", "dl", "noscript"]
VOID = ["br", "hr", "wbr", "embed", "source", "track", "keygen", "img", "input", "area", "col", "param", "basefont"]


def svg() -> st.SearchStrategy[str]:
    child = st.sampled_from([
        '<circle cx="5" cy="5" r="4"/>', '<rect id="{id}" width="5" height="5"/>', '<g id="{id}"><path d="M0 0L5 5"/></g>',
        "<script>alert(1)</script>", "<foreignObject><p>inside</p><script>alert(1)</script></foreignObject>",
        "<desc><script>alert(1)</script>described</desc>", "<title>t</title>",
        '<a xlink:href="{url}"><text y="9">link</text></a>', '<a href="{url}"><text y="9">link</text></a>',
        '<animate attributeName="href" values="javascript:alert(1)"/>', '<set attributeName="onclick" to="alert(1)"/>',
        "<style>rect {{ fill: red }} @import url(https://evil.example/x.css);</style>",
        '<image href="{url}" width="2" height="2"/>', '<use href="#{id}"/>', "<text>café &amp; 1 &lt; 2</text>",
        '<linearGradient id="{id}"><stop offset="0"/></linearGradient>', "<![CDATA[ raw < text ]]>",
    ])

    @st.composite
    def build(draw) -> str:
        kids = [draw(child).format(id=draw(IDS), url=draw(URLS)) for _ in range(draw(st.integers(0, 4)))]
        root_id = f' id="{draw(IDS)}"' if draw(st.booleans()) else ""
        onload = ' onload="alert(1)"' if draw(st.integers(0, 3)) == 0 else ""
        return f'<svg width="20" height="20" viewBox="0 0 20 20"{root_id}{onload}>{"".join(kids)}</svg>'

    return build()


MATH = st.sampled_from([
    "<math><mi>x</mi><mo>=</mo><mn>2</mn></math>", "<math display=\"block\"><mfrac><mn>1</mn><mi>n</mi></mfrac></math>",
    "<math><mi>x</mi><script>alert(1)</script></math>", "<math><semantics><mi>y</mi><annotation-xml encoding=\"text/html\"><p>h</p></annotation-xml></semantics></math>",
    "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\"><mi>z</mi></maction></math>",
    "<math><mtext>text &amp; more</mtext></math>", "<math></math>",
])
ODDITIES = st.sampled_from([
    "<!-- a comment -->", "<!-- -- odd -- -->", "<![CDATA[ cdata < & ]]>", "<?php echo 1; ?>", "<!DOCTYPE html>",
    "<style>p { color: red }</style>", "<script>alert(1)</script>", "<iframe src=\"https://evil.example/\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<object data=\"x.swf\"><param name=\"a\" value=\"b\">fallback text</object>", "<base href=\"https://evil.example/\">",
    "<form action=\"javascript:alert(1)\"><input value=\"x\"><button>go</button></form>", "<template><p>t</p></template>",
    "<div></div>", "<p></p>", "<a></a>", "<td></td>", "<span/>", "<table></table>", "<ul></ul>", "<li>orphan item</li>",
    "</div>", "</p>", "<p>unclosed", "<b><i>misnested</b></i>", "<video src=\"v.mp4\" controls>video text</video>",
    "<audio src=\"a.mp3\"></audio>", "<canvas></canvas>", "<select><option>o</option></select>", "<textarea>ta</textarea>",
    "<applet code=\"x\"></applet>", "<frameset><frame src=\"x\"></frameset>", "<plaintext>",
])


def inline(depth: int = 2) -> st.SearchStrategy[str]:
    leaf = st.one_of(
        text(),
        st.builds(lambda u, t: f'<a href="{u}">{t}</a>', URLS, text()),
        st.builds(lambda u, t: f"[{t}]({u})" if " " not in u and "(" not in u else t, URLS, st.sampled_from(["md link", "x"])),
        st.builds(lambda u, a: f'<img src="{u}" alt="pic"{a}>', URLS, attrs()),
        st.sampled_from(VOID).map(lambda t: f"<{t}>"),
        MATH,
    )
    if depth == 0:
        return leaf
    return st.one_of(
        leaf,
        st.builds(lambda t, a, kids: f"<{t}{a}>{' '.join(kids)}</{t}>", st.sampled_from(INLINE_TAGS), attrs(),
                  st.lists(inline(depth - 1), min_size=0, max_size=3)),
    )


@st.composite
def table(draw, depth: int = 1) -> str:
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        cells = []
        for _ in range(draw(st.integers(0, 3))):
            tag = draw(st.sampled_from(["td", "th"]))
            span = draw(st.sampled_from(["", ' colspan="2"', ' rowspan="0"', ' colspan="x"']))
            inner = draw(table(depth - 1)) if depth > 0 and draw(st.integers(0, 3)) == 0 else draw(st.one_of(st.just(""), inline(1)))
            cells.append(f"<{tag}{span}{draw(attrs())}>{inner}</{tag}>")
        rows.append(f"<tr{draw(attrs())}>{''.join(cells)}</tr>")
    caption = f"<caption>{draw(text())}</caption>" if draw(st.booleans()) else ""
    body = "".join(rows)
    if draw(st.booleans()):
        body = f"<tbody>{body}</tbody>"
    return f"<table{draw(attrs())}>{caption}{body}</table>"


@st.composite
def block(draw, depth: int = 2) -> str:
    kind = draw(st.sampled_from(["para", "md", "html", "table", "svg", "math", "odd", "list", "nest"]))
    if kind == "para":
        return f"<p{draw(attrs())}>{' '.join(draw(st.lists(inline(), min_size=1, max_size=4)))}</p>"
    if kind == "md":
        return " ".join(draw(st.lists(inline(1), min_size=1, max_size=4)))
    if kind == "table":
        return draw(table())
    if kind == "svg":
        return draw(svg())
    if kind == "math":
        return draw(MATH)
    if kind == "odd":
        return draw(ODDITIES)
    if kind == "list":
        tag = draw(st.sampled_from(["ul", "ol", "dl", "menu", "dir"]))
        item = "dt" if tag == "dl" else "li"
        items = "".join(f"<{item}{draw(attrs())}>{draw(inline(1))}</{item}>" for _ in range(draw(st.integers(0, 3))))
        return f"<{tag}{draw(attrs())}>{items}</{tag}>"
    if kind == "nest" and depth > 0:
        tag = draw(st.sampled_from(BLOCK_TAGS))
        kids = draw(st.lists(block(depth - 1), min_size=0, max_size=3))
        return f"<{tag}{draw(attrs())}>{''.join(kids)}</{tag}>"
    return draw(text())


#: One article body: blocks separated by blank lines (each a Markdown paragraph or an HTML block).
bodies = st.lists(block(), min_size=1, max_size=6).map("\n\n".join)


# ------------------------------------------------------------------------------------------------
# The invariant
# ------------------------------------------------------------------------------------------------


def w3c_errors(feeds: list[Path]) -> list[str]:
    if not feeds:
        return []
    proc = subprocess.run([sys.executable, str(W3C), *map(str, feeds)], capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return [line for line in proc.stdout.splitlines() if ": error: " in line]


def check_invariant(site_bodies: list[str], root: Path) -> Built:
    articles = {
        f"2026-01-{n:02d}-p{n}.md": article(f"Property {n}", body, f"2026-01-{n:02d}")
        for n, body in enumerate(site_bodies, start=1)
    }
    built = build_site(root, articles, normalize=False)
    if currently_in_hypothesis():
        note(built.output[-4000:])
    assert "Traceback" not in built.output, built.output
    if built.returncode != 0:
        assert built.returncode == 1, built.output
        named = [n for n in articles if any(": error: " in d for d in built.diagnostics_for(n))]
        assert named, f"the build failed without a file:line error:\n{built.output}"
        return built
    for book in built.epubs():
        result = epubcheck(book)
        assert result.messages == [], f"{book.name}:\n{result.summary()[:6000]}"
    errors = w3c_errors([p for p in built.feeds() if p.suffix == ".xml"])
    assert errors == [], "\n".join(errors[:40])
    return built


@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=PHASES,
    suppress_health_check=list(HealthCheck),
)
@given(site_bodies=st.lists(bodies, min_size=ARTICLES[0], max_size=ARTICLES[1]))
def test_a_build_that_exits_0_passes_epubcheck_and_the_w3c_validator(site_bodies: list[str]):
    with tempfile.TemporaryDirectory(prefix="property-") as tmp:
        check_invariant(site_bodies, Path(tmp) / "site")


# ------------------------------------------------------------------------------------------------
# Failing examples the property found, pinned (each one build and one EPUBCheck run)
# ------------------------------------------------------------------------------------------------

PINNED: dict[str, list[str]] = {
    # h/vocab at 082f54b: everything after <plaintext> is text to an HTML5 parser, and the
    # normalizer's XML re-parse of it raised XMLSyntaxError (a traceback): "Opening and ending
    # tag mismatch: plaintext and p", "Specification mandates value for attribute n".
    "plaintext": ["<plaintext>n", "Normal paragraph."],
    "plaintext-then-valueless-attribute": ["<plaintext>\n<e n", "<td nowrap>cell</td>"],
    # The same on the Rust corpus (four survey posts): <noscript> holds raw text to html5ever.
    "noscript": ['<div class="bar-chart"><noscript>\n<img alt="chart" src="https://example.com/chart.png"/>\n</noscript></div>'],
    # Found with other seeds on h/vocab + h/feeds (e4c511f, 68fceee): the build exits 0 and
    # EPUBCheck reports RSC-005 "The bdo element must have a dir attribute" and
    # "element table not allowed here" (a table inside a dl).
    "bdo-without-dir": ["<p>a <bdo>reversed</bdo> b</p>"],
    "table-in-dl": ["<dl><table><tr><td>cell</td></tr></table></dl>"],
    # Found on h/vocab 3c360b8 + h/feeds 34d99af (the derandomized first example, shrunk by
    # hand): EPUBCheck RSC-005 with the build at exit 0.
    "dl-without-dd": ["<dl><dt>term</dt></dl>"],  # element "dl" incomplete; missing "dd"
    "time-with-elements": ['<p><time><a href="https://example.com/">link</a> <br> text</time></p>'],  # "a" not allowed here
    "col-in-cell": ["<table><tr><td>a <col> b</td></tr></table>"],  # "colgroup" not allowed here (after the rows)
}


@pytest.mark.parametrize("site_bodies", list(PINNED.values()), ids=list(PINNED))
def test_pinned_example(site_bodies: list[str], tmp_path: Path):
    check_invariant(site_bodies, tmp_path / "site")
