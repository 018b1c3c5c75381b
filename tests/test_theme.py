"""A site's own theme (publisher/theme.py): themed books pass EPUBCheck and carry the theme, the
themed feed pages render in Chromium, theme errors name the file and line and leave the outputs
as they were, a theme change makes the books again, and untrusted theme files are refused."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from publisher import limits
from publisher.cli import cli
from publisher.config import load_config
from publisher.errors import PublisherError
from publisher.theme import css_problems
from tests.conftest import REPO, epubcheck, write

FONT = REPO / "publisher" / "books" / "fonts" / "DejaVuSans.ttf"
LOGO_RGB = (200, 30, 40)
FEED_PAGE_BG = "rgb(10, 20, 30)"
CHANNEL_BG = "rgb(16, 32, 48)"
CONFIG = '[site]\ntitle = "Themed"\nbase_url = "https://themed.example/"\n'
ARTICLE = "---\ntitle: Harbour opens\nauthor: Jane Roe\ndate: 2026-11-20\ntags: [Port]\n---\n\nThe harbour opened.\n"
BOOK_CSS = '@font-face { font-family: "House Sans"; src: url(fonts/DejaVuSans.ttf); }\n' \
           'h1 { font-family: "House Sans", sans-serif; color: #aa1122; }\n'
TEMPLATE = """<!DOCTYPE html>
<html lang="{{ site.language }}">
<head><meta charset="utf-8"><title>{{ site.title }}: feeds</title>
<style>{{ style }}
body { background: rgb(10, 20, 30); color: #eeeeee; }</style></head>
<body><h1 id="site">{{ site.title }}</h1>
{% for group in groups %}<h2>{{ group.heading }}</h2><ul>
{% for feed in group.feeds %}<li>{{ feed.title }}: {% for link in feed.links %}<a href="{{ link.url }}">{{ link.label }}</a> {% endfor %}</li>{% endfor %}
</ul>{% endfor %}
<ol>{% for a in latest %}<li><a href="{{ a.url }}">{{ a.headline }}</a> {{ a.date }}</li>{% endfor %}</ol>
</body></html>
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _png(rgb: tuple[int, int, int], size: tuple[int, int] = (400, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, rgb).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def themed(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write(root / "publisher.toml", CONFIG)
    write(root / "articles" / "2026-11-20-harbour-opens.md", ARTICLE)
    theme = root / "theme"
    write(theme / "book.css", BOOK_CSS)
    write(theme / "feed.css", "channel, atom|feed { background: #102030; }\n")
    write(theme / "feeds.html", TEMPLATE)
    write(theme / "cover.toml", 'background = "#fff8e0"\nband = "#aa1122"\nlogo = "logo.png"\n'
                                'font = "fonts/DejaVuSans.ttf"\n')
    write(theme / "logo.png", _png(LOGO_RGB))
    write(theme / "fonts" / "DejaVuSans.ttf", FONT.read_bytes())
    write(theme / "fonts" / "LICENSE", (FONT.parent / "LICENSE").read_bytes())
    return root


def build(root: Path, *args: str):
    return run("build", "--config", str(root / "publisher.toml"), *args)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_themed_book_passes_epubcheck_and_carries_the_theme(themed: Path):
    result = build(themed, "--strict")
    assert result.exit_code == 0, result.output
    book = themed / "build" / "articles.epub"
    found = epubcheck(book)
    assert not found.of("FATAL", "ERROR", "WARNING", "USAGE"), found.summary()
    with zipfile.ZipFile(book) as zf:
        css = zf.read("EPUB/style/book.css").decode("utf-8")
        assert css.index("page-break-after") < css.index('h1 { font-family: "House Sans"')  # appended
        assert zf.read("EPUB/style/fonts/DejaVuSans.ttf") == FONT.read_bytes()
        assert zf.read("EPUB/style/fonts/LICENSE") == (FONT.parent / "LICENSE").read_bytes()
        opf = zf.read("EPUB/content.opf").decode("utf-8")
        assert 'href="style/fonts/DejaVuSans.ttf"' in opf and "font/ttf" in opf
        cover = Image.open(io.BytesIO(zf.read("EPUB/images/cover.jpg"))).convert("RGB")
    # the logo, centred at the foot; the theme's paper and band colours
    logo_pixels = sum(1 for x in range(600, 1000, 10) for y in range(1900, 2300, 10)
                      if all(abs(a - b) < 24 for a, b in zip(cover.getpixel((x, y)), LOGO_RGB, strict=True)))
    assert logo_pixels > 100, logo_pixels
    assert all(abs(a - b) < 8 for a, b in zip(cover.getpixel((5, 5)), (0xAA, 0x11, 0x22), strict=True))
    assert all(abs(a - b) < 8 for a, b in zip(cover.getpixel((5, 1200)), (0xFF, 0xF8, 0xE0), strict=True))
    assert b"/* The site's theme: theme/feed.css */" in (themed / "build" / "feed.css").read_bytes()


def test_a_theme_change_makes_the_books_again_on_an_incremental_build(themed: Path):
    assert build(themed).exit_code == 0
    first = (themed / "build" / "articles.epub").read_bytes()
    assert build(themed).exit_code == 0
    assert (themed / "build" / "articles.epub").read_bytes() == first  # nothing changed: same bytes
    write(themed / "theme" / "book.css", BOOK_CSS + "p { text-indent: 1em; }\n")
    assert build(themed).exit_code == 0
    second = (themed / "build" / "articles.epub").read_bytes()
    assert second != first
    with zipfile.ZipFile(io.BytesIO(second)) as zf:
        assert "p { text-indent: 1em; }" in zf.read("EPUB/style/book.css").decode("utf-8")
    write(themed / "theme" / "cover.toml", 'background = "#000000"\n')  # the cover alone
    assert build(themed).exit_code == 0
    third = (themed / "build" / "articles.epub").read_bytes()
    assert third != second
    # and each is the book a clean build makes
    result = build(themed, "--no-cache", "-o", str(themed / "clean"))
    assert result.exit_code == 0, result.output
    assert (themed / "clean" / "articles.epub").read_bytes() == third


def _break(root: Path, name: str, text: str) -> None:
    write(root / "theme" / name, text)


@pytest.mark.parametrize(("name", "text", "message"), [
    ("feeds.html", TEMPLATE.replace("</ol>", "</ol>{% for x in latest %}"),
     "theme/feeds.html:10: error: template error: Unexpected end of template"),
    ("feeds.html", TEMPLATE.replace('id="site"', 'id="{{ site.nope }}"'),
     "theme/feeds.html:6: error: template error: UndefinedError"),
    ("cover.toml", 'band = "#aa1122"\n\nlogo = "missing.png"\n',
     "theme/cover.toml:3: error: logo 'missing.png' not found in theme/"),
    ("book.css", BOOK_CSS + "\nh2 { background: url(https://tracker.example/p.gif); }\n",
     "theme/book.css:4:18: error: url(https://tracker.example/p.gif) is not a font of the theme"),
    ("feeds.html", TEMPLATE.replace("<body>", "<body><script>alert(1)</script>"),
     "theme/feeds.html: error: the page it makes holds <script>"),
    ("feeds.html", TEMPLATE.replace("<body>", '<body><meta/http-equiv="refresh" content="0;url=https://evil.example/">'),
     "theme/feeds.html: error: the page it makes holds <meta"),
    ("feeds.html", TEMPLATE.replace("<h1 ", '<h1 onclick="alert(1)" '),
     "theme/feeds.html: error: the page it makes holds an on... event handler"),
    ("feeds.html", TEMPLATE.replace("<body>", "<body>{{ ''.__class__.__mro__ }}"),
     "theme/feeds.html:6: error: template error: SecurityError"),
    ("feeds.html", TEMPLATE.replace("<body>", '<body>{% set ns = namespace(s="x") %}{% for i in "x" * 60 %}'
                                              "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"),
     "theme/feeds.html:6: error: template error: MemoryError|theme/feeds.html: error: rendering the template "
     "failed .* it may use at most 512 MiB of memory"),
    ("feeds.html", TEMPLATE.replace("<body>", "<body>{% for a in 'x' * 90000 %}{% for b in 'x' * 90000 %}"
                                              "{% endfor %}{% endfor %}"),
     "theme/feeds.html: error: the template took more than"),
])
def test_theme_errors_name_the_file_and_line_and_leave_the_outputs(themed: Path, monkeypatch, name: str,
                                                                 text: str, message: str):
    monkeypatch.chdir(themed)
    if "took more than" in message:
        monkeypatch.setattr(limits, "THEME_RENDER_SECONDS", 3)  # the endless loop's case: not 10 s
    assert build(themed).exit_code == 0
    before = _tree(themed / "build")
    _break(themed, name, text)
    result = build(themed)
    assert result.exit_code == 1
    assert message in result.output or re.search(message, result.output), result.output
    assert "Traceback" not in result.output
    assert _tree(themed / "build") == before


@pytest.mark.parametrize(("css", "where", "says"), [
    ('@import "https://evil.example/x.css";', (1, 1), "@import is not allowed"),
    ("@\\69mport url(x.css);", (1, 1), "@import is not allowed"),
    ("a { background: url('\\6a avascript:alert(1)') }", (1, 22), "a script URL"),
    ("a { width: expression(alert(1)) }", (1, 12), "expression()"),
    ("a { b: url(\"https://e.example/a)b\") }", (1, 8), "is not a font of the theme"),
    ("a {\n  b: -webkit-image-set(\"https://e.example/x.png\" 1x) }", (2, 6), "image-set() is not allowed"),
    ("a { behavior: url(x.htc) }", (1, 5), "bindings and behaviors"),
    ("/* */ a { b: url( fonts/Other.ttf ) }", (1, 14), "is not a font of the theme"),
    # an escaped \@namespace is a plain word, and the url() after it loads (list-style: word url())
    ("li { list-style: \\@namespace url(https://evil.example/t.png) }", (1, 30), "is not a font of the theme"),
])
def test_css_that_could_load_script_or_remote_resources_is_refused(css: str, where: tuple[int, int], says: str):
    problems = css_problems(css, {"House.ttf"})
    assert any(p[:2] == where and says in p[2] for p in problems), problems


def test_css_that_loads_nothing_is_accepted():
    css = ('@namespace atom url(http://www.w3.org/2005/Atom);\n@font-face { font-family: H; '
           'src: url("fonts/House.ttf"), local(H); }\nh1::before { content: "\\201C"; color: #123456 }\n')
    assert css_problems(css, {"House.ttf"}) == []


def test_untrusted_theme_files_are_contained_and_type_checked(themed: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(themed)
    fonts = themed / "theme" / "fonts"
    write(fonts / "Fake.ttf", b"<html><script>alert(1)</script>")
    os.remove(fonts / "LICENSE")
    write(themed / "theme" / "cover.toml", 'logo = "fonts/Fake.ttf"\ntext = "red"\n')
    outside = write(tmp_path / "outside.css", "h1 { color: red }")
    os.symlink(outside, themed / "theme" / "book.css.tmp")
    os.remove(themed / "theme" / "book.css")
    os.rename(themed / "theme" / "book.css.tmp", themed / "theme" / "book.css")
    with pytest.raises(PublisherError) as caught:
        load_config(themed / "publisher.toml")
    shown = caught.value.formatted()
    assert "theme/book.css: error: leads outside the theme folder through a symbolic link" in shown
    assert "theme/fonts/Fake.ttf: error: is not the TTF font its name says" in shown
    assert "theme/fonts: error: holds fonts but no licence file" in shown
    assert "theme/cover.toml:1: error: logo 'fonts/Fake.ttf' is not a PNG or JPEG image" in shown
    assert "theme/cover.toml:2: error: text must be a colour written #rrggbb" in shown


def test_theme_folder_outside_the_site_is_refused(themed: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(themed)
    write(themed / "publisher.toml", CONFIG + 'theme_dir = "../elsewhere"\n')
    result = run("check", "--config", str(themed / "publisher.toml"))
    assert result.exit_code == 1
    assert "site.theme_dir '../elsewhere' goes up a folder (..)" in result.output


def test_no_theme_folder_is_the_built_in_look(tmp_path: Path):
    root = tmp_path / "plain"
    write(root / "publisher.toml", CONFIG)
    config, diagnostics = load_config(root / "publisher.toml")
    assert repr(config.theme) == "Theme(none)" and not diagnostics


# --- headless Chromium -----------------------------------------------------------------------------


def test_themed_feed_pages_render_in_chromium_with_the_themes_colours(themed: Path):
    from tests.browser_harness import Chromium, Visit, chromium_binary

    binary = chromium_binary()
    if binary is None:
        pytest.skip("no `chromium` on PATH: install the Debian package `chromium` to render the browser view")
    assert build(themed).exit_code == 0
    out = themed / "build"
    browser = Chromium(binary)
    try:
        seen = {}
        for name, js in (("feeds.html", "getComputedStyle(document.body).backgroundColor"),
                         ("rss.xml", "getComputedStyle(document.querySelector('channel')).backgroundColor"),
                         ("atom.xml", "getComputedStyle(document.documentElement).backgroundColor")):
            url = (out / name).as_uri()
            visit = Visit(url)
            target, session = browser._open(url, visit)
            seen[name] = browser._eval(session, js)
            if name == "feeds.html":
                seen["title"] = browser._eval(session, "document.getElementById('site').textContent")
                seen["links"] = browser._eval(session, "document.querySelectorAll('a').length")
            browser._close(target)
            assert not visit.dialogs
    finally:
        browser.close()
    assert seen["feeds.html"] == FEED_PAGE_BG, json.dumps(seen)
    assert seen["rss.xml"] == CHANNEL_BG and seen["atom.xml"] == CHANNEL_BG, json.dumps(seen)
    assert seen["title"] == "Themed" and seen["links"] >= 4


def test_check_reports_theme_problems_too(themed: Path, monkeypatch):
    monkeypatch.chdir(themed)
    write(themed / "theme" / "cover.toml", 'band = "#aa1122"\nlogo = "gone.png"\nbandd = "#000000"\n')
    result = run("check", "--config", str(themed / "publisher.toml"))
    assert result.exit_code == 1
    assert "theme/cover.toml:2: error: logo 'gone.png' not found in theme/" in result.output
    assert "theme/cover.toml:3: warning: unknown key bandd ignored" in result.output
    assert "did you mean 'band'?" in result.output
