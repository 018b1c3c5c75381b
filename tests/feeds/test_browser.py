"""The browser view: feeds.html, feed.xsl run by lxml, and both rendered by headless Chromium."""

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
    assert sorted(files) == ["feed.xsl", "feeds.html"]


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


# --- feed.xsl ---------------------------------------------------------------------------------


def test_stylesheet_is_xslt_1_for_html_without_script_or_escaping_tricks(site, files):
    config, _ = site
    data = files["feed.xsl"]
    xsl = etree.fromstring(data)
    assert xsl.get("version") == "1.0"
    assert xsl.xpath("xsl:output/@method", namespaces=XSLT_NS) == ["html"]
    param = xsl.xpath("string(xsl:param[@name='feeds-page'])", namespaces=XSLT_NS)
    assert param == config.url("feeds.html")
    assert b"disable-output-escaping" not in data
    assert xsl.xpath("//script") == []


def transform(files: dict[str, bytes], feed: bytes) -> lxml_html.HtmlElement:
    xslt = etree.XSLT(etree.fromstring(files["feed.xsl"]))
    result = xslt(etree.fromstring(feed))
    assert not [e for e in xslt.error_log if e.level_name == "ERROR"], xslt.error_log
    return page(str(result).encode("utf-8"))


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_stylesheet_shows_title_subscribe_box_and_every_item(built: Path, site, files, name: str):
    config, _ = site
    feed = (built / name).read_bytes()
    root = transform(files, with_stylesheet_pi(feed, "feed.xsl"))
    assert root.get("lang") == "en"
    assert texts(root, "//h1") == [config.title]
    assert texts(root, "//p[@class='description']") == [config.description]
    (box,) = root.xpath("//section[@class='subscribe']")
    assert "copy its URL into your feed reader to subscribe" in box.findtext("h2")
    assert texts(box, ".//code[@class='url']") == [config.url(name)]
    assert box.xpath(".//a/@href") == ["feeds.html"]  # beside feed.xsl, wherever the site is served
    # Every item, in feed order, linked to its article, with date, byline and a plain-text summary.
    source = etree.fromstring(feed)
    entries = source.findall("channel/item") or source.findall(f"{ATOM}entry")
    headlines = [e.findtext("title") or e.findtext(f"{ATOM}title") for e in entries]
    assert len(headlines) == 7
    items = root.xpath("//ol[@class='items']/li/article")
    assert texts(root, "//ol[@class='items']/li/article/h3") == headlines
    for item in items:
        assert item.xpath("h3/a/@href")[0].startswith(config.url("articles/"))
        meta = texts(item, "p[@class='meta']")[0]
        assert " · By " in meta and meta.split(" · ")[0].split()[1] in ("November",)
        summary = item.findtext("p[@class='summary']")
        assert summary and "<" not in summary
    assert texts(items[0], "p[@class='meta']") == ["24 November 2026 · By Ingrid Halvorsen"]


ATOM_WITHOUT_SUMMARY = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
  <title>A &amp; B &lt;c&gt;</title>
  <link rel="self" href="https://test.example/tags/x/atom.xml"/>
  <author><name>Feed Author</name></author>
  <entry>
    <title>&lt;script&gt;alert(1)&lt;/script&gt;</title>
    <link href="javascript:alert(1)"/>
    <updated>2026-01-06T00:00:00Z</updated>
    <published>2026-01-05T00:00:00Z</published>
    <content type="html">&lt;p class="deck"&gt;Deck&lt;/p&gt;&lt;p&gt;Body &lt;em&gt;in&lt;/em&gt;,
      with &amp;amp; and &amp;lt;b&amp;gt;&lt;/p&gt;&lt;ul&gt;&lt;li&gt;one&lt;/li&gt;&lt;li&gt;two&lt;/li&gt;&lt;/ul&gt;
    </content>
  </entry>
</feed>
"""


@pytest.mark.parametrize(
    ("pi", "link"),
    [
        ('<?xml-stylesheet type="text/xsl" href="../../feed.xsl"?>', "../../feeds.html"),
        ('<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>', "/feeds.html"),
        # Not ours, or not relative: the absolute address of the site's page.
        ('<?xml-stylesheet type="text/xsl" href="/style/other.xsl"?>', None),
        ('<?xml-stylesheet type="text/xsl" href="https://cdn.example/feed.xsl"?>', None),
        ("", None),
    ],
)
def test_stylesheet_links_the_feeds_page_beside_itself(site, files, pi: str, link: str | None):
    config, _ = site
    feed = f"{pi}<rss version='2.0'><channel><title>T</title></channel></rss>"
    root = transform(files, feed.encode())
    expected = link or config.url("feeds.html")
    assert root.xpath("//section[@class='subscribe']//a/@href") == [expected]
    assert texts(root, "//ol") == [] and "no items yet" in root.text_content()


def test_stylesheet_treats_feed_text_as_text_and_drops_unsafe_links(files):
    root = transform(files, ATOM_WITHOUT_SUMMARY)
    assert root.get("lang") == "de"
    assert texts(root, "//h1") == ["A & B <c>"]
    assert root.xpath("//script") == []
    assert root.xpath("//@href[starts-with(., 'javascript')]") == []
    (item,) = root.xpath("//ol[@class='items']/li/article")
    assert texts(item, "h3") == ["<script>alert(1)</script>"]
    # The published date, not the first date in document order; the feed's author for an
    # entry without one.
    assert texts(item, "p[@class='meta']") == ["5 January 2026 · By Feed Author"]
    # No summary: the HTML content as text, tags dropped, blocks kept apart, entities decoded once.
    assert item.findtext("p[@class='summary']") == "Deck Body in, with & and <b> one two"


def test_stylesheet_shortens_long_content_and_reads_rss_without_extensions(files):
    words = " ".join(["word"] * 200)
    rss = f"""<rss version="2.0"><channel><title>T</title><link>https://t.example/</link>
      <item><title>x</title><guid>https://t.example/1</guid>
      <pubDate>Mon, 5 Jan 2026 00:00:00 GMT</pubDate>
      <author>ann@t.example (Ann)</author>
      <content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"
        >&lt;p&gt;{words}&lt;/p&gt;</content:encoded>
      </item></channel></rss>""".encode()
    root = transform(files, rss)
    (item,) = root.xpath("//ol[@class='items']/li/article")
    # A permalink guid serves as the link.
    assert item.xpath("h3/a/@href") == ["https://t.example/1"]
    assert texts(item, "p[@class='meta']") == ["5 January 2026 · By ann@t.example (Ann)"]
    summary = item.findtext("p[@class='summary']")
    assert summary.endswith("word…") and 200 < len(summary) <= 301
    # No self link: the reader is told to use the address bar.
    assert "address bar" in root.xpath("string(//section[@class='subscribe'])")


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
    # What a web server would send; Chromium applies an XSLT only to a document served as XML.
    # (Served as application/atom+xml or rss+xml, Chromium shows the feed as plain text.)
    extensions_map = {
        ".xml": "application/xml",
        ".xsl": "text/xsl",
        ".html": "text/html; charset=utf-8",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator:
    """serve(folder) -> base URL of an HTTP server on 127.0.0.1 (file:// would block the XSLT)."""
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


def with_stylesheet_pi(feed: bytes, href: str) -> bytes:
    """The feed with ``<?xml-stylesheet type="text/xsl" href=HREF?>`` after its XML declaration:
    inserted if absent, and in place of one with another href (a copy moved to another folder)."""
    pi = f'<?xml-stylesheet type="text/xsl" href="{href}"?>'.encode()
    if pi in feed:
        return feed
    feed = re.sub(rb"<\?xml-stylesheet[^>]*\?>\s*", b"", feed)
    declaration = re.match(rb"<\?xml [^>]*\?>\s*", feed)
    end = declaration.end() if declaration else 0
    return feed[:end] + pi + b"\n" + feed[end:]


@pytest.mark.parametrize(
    ("name", "copy_to"),
    [
        ("atom.xml", "atom.xml"),
        ("rss.xml", "rss.xml"),
        # A tag feed's place: the stylesheet is found two folders up.
        ("atom.xml", "tags/sample/atom.xml"),
    ],
)
def test_chromium_shows_a_feed_through_the_stylesheet(
    chromium, serve, built: Path, site, files, tmp_path: Path, capsys, name: str, copy_to: str
):
    config, _ = site
    root = tmp_path / "www"
    target = root / copy_to
    target.parent.mkdir(parents=True)
    up = "../" * copy_to.count("/")
    target.write_bytes(with_stylesheet_pi((built / name).read_bytes(), up + "feed.xsl"))
    (root / "feed.xsl").write_bytes(files["feed.xsl"])
    url = serve(root) + copy_to
    shot = tmp_path / "screenshots" / (copy_to.replace("/", "_") + ".png")
    dom = render(chromium, tmp_path, url, shot, capsys)
    # Headings only exist if Chromium ran the XSLT: the raw feed has no <h1> or <h3>.
    assert texts(dom, "//h1") == [config.title]
    (box,) = dom.xpath("//section[@class='subscribe']")
    assert texts(box, ".//code") == [config.url(name)]
    assert box.xpath(".//a/@href") == [up + "feeds.html"]
    source = etree.fromstring((built / name).read_bytes())
    headlines = [t.text for t in source.iter("title", f"{ATOM}title")][1:]
    assert len(headlines) == 7
    assert texts(dom, "//ol[@class='items']/li/article/h3") == headlines


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
