"""The browser view: feeds.html and feed.css, rendered by headless Chromium with XSLT off."""

from __future__ import annotations

import copy
import dataclasses
import functools
import http.server
import re
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from publisher.build import load_articles
from publisher.config import Config
from publisher.errors import Reporter
from publisher.feeds.browser import LATEST, FeedLink, browser_files
from publisher.model import ArticleView
from publisher.xmlutil import A
from tests.conftest import REPO, site_config

XSLT_NS = {"xsl": "http://www.w3.org/1999/XSL/Transform"}
ATOM = "{http://www.w3.org/2005/Atom}"
CHROMIUM_TIMEOUT = 120  # seconds for one headless run; a cold start here takes about two


def feed_links(config: Config) -> list[FeedLink]:
    """What the build will pass: site feeds first, then tags and authors in no particular order."""
    t = config.title
    return [
        FeedLink(t, "rss.xml", "rss"),
        FeedLink(t, "atom.xml", "atom"),
        FeedLink(t, "feed.json", "json"),
        FeedLink(f"{t}: Transport", "tags/transport/atom.xml", "atom"),
        FeedLink(f"{t}: Port", "tags/port/rss.xml", "rss"),
        FeedLink(f"{t}: Port", "tags/port/atom.xml", "atom"),
        FeedLink(f"{t}: Transport", "tags/transport/rss.xml", "rss"),
        FeedLink(f"{t}: Mara Lindqvist", "authors/mara-lindqvist/rss.xml", "rss"),
        FeedLink(f"{t}: Ingrid Halvorsen", "authors/ingrid-halvorsen/atom.xml", "atom"),
    ]


@pytest.fixture(scope="module")
def site() -> tuple[Config, list[ArticleView]]:
    config = site_config(REPO)
    report = Reporter()
    views, _ = load_articles(config, report)
    assert not report.errors, report.diagnostics
    return config, views


@pytest.fixture(scope="module")
def files(site) -> dict[str, bytes]:
    config, views = site
    return browser_files(config, views, feed_links(config))


def page(data: bytes) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(data)


def texts(root: etree._Element, xpath: str) -> list[str]:
    return [" ".join(el.text_content().split()) for el in root.xpath(xpath)]


def retitled(view: ArticleView, headline: str) -> ArticleView:
    root = copy.deepcopy(view.root)
    root.find(f"{A}meta/{A}headline").text = headline
    return ArticleView(root)


# --- feeds.html -------------------------------------------------------------------------------


def test_browser_files_gives_the_stylesheet_and_the_page(files):
    assert sorted(files) == ["feed.css", "feeds.html"]


def test_feeds_page_is_an_html5_document_in_the_site_language(site, files):
    config, _ = site
    data = files["feeds.html"]
    assert data.startswith(b"<!DOCTYPE html>\n")
    root = page(data)
    assert root.get("lang") == config.language
    head = root.find("head")
    assert head[0].tag == "meta" and head[0].get("charset") == "utf-8"  # first, as HTML5 wants
    assert head.findtext("title") == f"{config.title}: feeds"
    assert root.xpath("//script") == [] and root.xpath("//@*[starts-with(name(), 'on')]") == []
    ids = root.xpath("//@id")
    assert len(ids) == len(set(ids))
    data.decode("utf-8")


def test_feeds_page_lists_every_feed_with_its_absolute_url_and_kind(site, files):
    config, _ = site
    root = page(files["feeds.html"])
    for feed in feed_links(config):
        url = config.url(feed.path)
        (link,) = root.xpath("//section[@id='feeds']//a[@href=$u]", u=url)
        assert link.text_content() == url
        kind = link.getparent().findtext("span")
        assert kind == {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}[feed.kind]
    # The site's own feeds are also announced for browsers and readers that autodiscover.
    alternates = root.xpath("//head/link[@rel='alternate']/@href")
    assert alternates == [config.url("rss.xml"), config.url("atom.xml"), config.url("feed.json")]


def test_feeds_page_groups_site_tags_and_authors_in_a_stable_order(site, files):
    config, views = site
    root = page(files["feeds.html"])
    headings = texts(root, "//section[@id='feeds']/h3")
    assert headings == ["Everything on the site", "By topic", "By author"]
    lists = root.xpath("//section[@id='feeds']/ul")
    t = config.title
    assert [texts(ul, "li/strong") for ul in lists] == [
        [t],
        [f"{t}: Port", f"{t}: Transport"],
        [f"{t}: Ingrid Halvorsen", f"{t}: Mara Lindqvist"],
    ]
    # Each feed's formats together, RSS before Atom before JSON Feed.
    assert texts(lists[0], "li/ul/li/span") == ["RSS", "Atom", "JSON Feed"]
    assert texts(lists[1], "li[1]/ul/li/span") == ["RSS", "Atom"]
    # Deterministic: same input, same bytes; topic and author order does not depend on the caller's.
    shuffled = feed_links(config)[:3] + list(reversed(feed_links(config)[3:]))
    assert browser_files(config, views, shuffled)["feeds.html"] == files["feeds.html"]


def test_feeds_page_shows_the_latest_articles_newest_first(site, files):
    _, views = site
    root = page(files["feeds.html"])
    newest = sorted(views, key=ArticleView.sort_key, reverse=True)
    items = root.xpath("//section[@id='latest']/ol/li/article")
    assert len(items) == len(newest) == 7
    for item, view in zip(items, newest, strict=True):
        (link,) = item.xpath("h3/a")
        assert (link.text_content(), link.get("href")) == (view.headline, view.canonical)
        time = item.find("p/time")
        assert time.get("datetime") == view.published
        summary = item.findtext("p[@class='summary']")
        assert " ".join(summary.split()) == " ".join(view.summary.split())
    oldest = items[-1]  # the 2016 wire story
    assert texts(oldest, "p[@class='meta']") == ["29 November 2016 · By Jason Ditz"]
    both = [i for i in items if "Port Expansion" in i.findtext("h3/a")][0]
    assert "By Mara Lindqvist and Tomás Ó Briain" in both.find("p").text_content()
    # An article in another language than the site says so, for screen readers and hyphenation.
    assert [i.get("lang") for i in items] == [None if v.lang == "en" else v.lang for v in newest]
    assert "de" in [i.get("lang") for i in items]


def test_feeds_page_lists_at_most_the_latest_twenty(site):
    config, views = site
    many = [retitled(v, f"{v.headline} #{n}") for n in range(4) for v in views]
    root = page(browser_files(config, many, [])["feeds.html"])
    assert len(root.xpath("//section[@id='latest']/ol/li")) == LATEST
    assert texts(root, "//section[@id='feeds']/p") == ["This site has no feeds yet."]


def test_feeds_page_escapes_titles_headlines_and_urls(site):
    config, views = site
    nasty = "A & B <c>"
    config = dataclasses.replace(config, title=nasty, description=f"{nasty} desc")
    views = [retitled(views[0], nasty)] + views[1:]
    feeds = [
        FeedLink(nasty, "rss.xml", "rss"),
        FeedLink(f"{nasty}: Q&A", "tags/q-a/atom.xml", "atom"),
    ]
    data = browser_files(config, views, feeds)["feeds.html"]
    assert b"A &amp; B &lt;c&gt;" in data
    assert b"<c>" not in data
    root = page(data)
    assert root.findtext("head/title") == f"{nasty}: feeds"
    assert texts(root, "//h1") == [nasty]
    assert texts(root, "//section[@id='latest']//h3/a")[0] == nasty
    assert texts(root, "//section[@id='feeds']//strong") == [nasty, f"{nasty}: Q&A"]
    assert root.xpath("//head/link[@rel='alternate']/@title") == [f"{nasty} (RSS)"]


# --- feed.css ---------------------------------------------------------------------------------


def test_feeds_point_to_a_css_stylesheet_not_xslt(built: Path):
    """No XSLT (Chromium is removing it; from file:// it is a blank page): a CSS stylesheet PI,
    found from every feed's folder."""
    for feed in [*built.rglob("rss.xml"), *built.rglob("atom.xml")]:
        pis = re.findall(rb"<\?xml-stylesheet[^>]*\?>", feed.read_bytes()[:300])
        up = "../" * (len(feed.relative_to(built).parts) - 1)
        assert pis == [f'<?xml-stylesheet type="text/css" href="{up}feed.css"?>'.encode()], feed
    assert not list(built.rglob("*.xsl"))


def test_stylesheet_is_plain_css_with_the_note_in_a_string(site, files):
    config, _ = site
    css = files["feed.css"].decode("utf-8")
    assert "@import" not in css and "url(" not in css.replace("@namespace", "").split("url(http")[0]
    assert "copy the address of this page into a feed reader.\\a Every feed" in css
    assert config.url("feeds.html") in css
    assert css.count("{") == css.count("}")


def test_css_strings_escape_quotes_backslashes_and_line_ends():
    from publisher.feeds.browser import css_string

    assert css_string('a "b" \\ c\nd') == '"a \\22 b\\22  \\5c  c\\a d"'
    assert css_string("Café </style>") == '"Café </style>"'



# --- headless Chromium ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip(
            "no `chromium` on PATH: install the Debian package `chromium` to render the browser view"
        )
    return path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    # What a web server would send. (Served as application/atom+xml or rss+xml, Chromium shows
    # the feed as plain text: servers should send feeds as application/xml for browsers.)
    extensions_map = {  # noqa: RUF012 - the base class's attribute, replaced
        ".xml": "application/xml",
        ".css": "text/css",
        ".html": "text/html; charset=utf-8",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator:
    """serve(folder) -> base URL of an HTTP server on 127.0.0.1."""
    servers = []

    def start(folder: Path) -> str:
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def run_chromium(binary: str, tmp: Path, url: str, *mode: str) -> str:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    proc = subprocess.run(
        [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--window-size=1200,1600", *mode, url,
        ],
        capture_output=True,
        timeout=CHROMIUM_TIMEOUT,
        check=False,
        cwd=tmp,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-3000:]
    return proc.stdout.decode("utf-8")


def render(
    binary: str, tmp: Path, url: str, shot: Path, capsys: pytest.CaptureFixture
) -> lxml_html.HtmlElement:
    """Screenshot ``url`` to ``shot`` (path printed to the terminal) and return its rendered DOM."""
    shot.parent.mkdir(parents=True, exist_ok=True)
    run_chromium(binary, tmp, url, f"--screenshot={shot}")
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1200, 1600)
    assert len(png) > 50_000, "screenshot looks blank"  # an empty white page is a few kilobytes
    with capsys.disabled():
        print(f"\nscreenshot of {url}: {shot}")
    return page(run_chromium(binary, tmp, url, "--dump-dom").encode("utf-8"))


NOTE = (0xFF, 0xF8, 0xE1)  # the note's background in feed.css (light scheme)


def note_pixels(shot: Path) -> int:
    """How many pixels of the screenshot have the note's colour: only there if the CSS applied."""
    from PIL import Image

    with Image.open(shot) as image:
        return sum(n for n, colour in image.convert("RGB").getcolors(1 << 24) if colour == NOTE)


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml", "tags/port/rss.xml", "tags/port/atom.xml"])
@pytest.mark.parametrize("how", ["file", "http"])
def test_chromium_without_xslt_shows_a_readable_feed(chromium, serve, built: Path, tmp_path: Path, capsys,
                                                    name: str, how: str):
    """With XSLT switched off, as Chromium will ship, over file:// and http: the feed is a page
    with the note, its title and its items, not raw XML (look at the printed screenshots)."""
    url = (built / name).as_uri() if how == "file" else serve(built) + name
    shot = tmp_path / "screenshots" / f"{how}-{name.replace('/', '_')}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    run_chromium(chromium, tmp_path, url, "--disable-blink-features=XSLT", f"--screenshot={shot}")
    with capsys.disabled():
        print(f"\nscreenshot of {url} without XSLT: {shot}")
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1200, 1600)
    assert len(png) > 50_000, "screenshot looks blank"
    assert note_pixels(shot) > 20_000, "the feed's CSS was not applied"


def test_raw_xml_has_no_note_so_the_pixel_check_can_fail(chromium, built: Path, tmp_path: Path):
    raw = tmp_path / "raw.xml"
    raw.write_bytes(re.sub(rb"<\?xml-stylesheet[^>]*\?>", b"", (built / "rss.xml").read_bytes()))
    shot = tmp_path / "raw.png"
    run_chromium(chromium, tmp_path, raw.as_uri(), "--disable-blink-features=XSLT", f"--screenshot={shot}")
    assert note_pixels(shot) == 0



def test_chromium_shows_the_plain_feeds_page(chromium, serve, site, files, tmp_path: Path, capsys):
    config, views = site
    root = tmp_path / "www"
    root.mkdir()
    (root / "feeds.html").write_bytes(files["feeds.html"])
    shot = tmp_path / "screenshots" / "feeds.html.png"
    dom = render(chromium, tmp_path, serve(root) + "feeds.html", shot, capsys)
    assert texts(dom, "//h1") == [config.title]
    assert texts(dom, "//section[@id='latest']//h3") == [v.headline for v in views]
    hrefs = dom.xpath("//section[@id='feeds']//a/@href")
    assert hrefs and all(config.url(f.path) in hrefs for f in feed_links(config))
