"""The archive book of the bundled site: EPUBCheck 5.x with zero messages, its structure read
with XPath (reading order, toc by section, landmarks, cover, metadata), links and content."""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from publisher.build import build
from tests.conftest import SEED, copy_site, epubcheck, site_config

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "h": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "n": "http://www.daisy.org/z3986/2005/ncx/",
}
#: (headline, section) of every bundled article: the section is the article's first tag.
ARTICLES = {
    "Café culture returns to the old town — with a twist": "Food",
    "Libya’s Gen. Hifter Meets Russia FM, Seeking Support": "Libya",
    "Opinion: Build the Bridge, Then Argue About Its Name": "Opinion",
    "Why the Tide Tables Were Wrong Last Week": "Port",
    "Hafenfest: „Wir kommen wieder“ – die Gäste aus Kiel": "Port",
    "Council Approves Port Expansion After Six-Hour Debate": "Port",
    "Port Authority Faces €40 Million Funding Gap": "Port",
}


class Book:
    """An EPUB opened for XPath: the package document, nav, NCX and any file by its OPF href."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        self.base = posixpath.dirname(self.opf_path)
        self.opf = etree.fromstring(self.zip.read(self.opf_path))
        self.nav = self.xml(self.hrefs_with("nav")[0])
        ncx_id = self.opf.xpath("//opf:spine/@toc", namespaces=NS)[0]
        self.ncx = self.xml(self.href_of(ncx_id))

    def read(self, href: str) -> bytes:
        return self.zip.read(posixpath.join(self.base, href))

    def xml(self, href: str) -> etree._Element:
        return etree.fromstring(self.read(href))

    def xpath(self, root: etree._Element, path: str) -> list:
        return root.xpath(path, namespaces=NS)

    def href_of(self, idref: str) -> str:
        return self.xpath(self.opf, f"//opf:manifest/opf:item[@id='{idref}']/@href")[0]

    def hrefs_with(self, prop: str) -> list[str]:
        return self.xpath(self.opf, f"//opf:item[contains(concat(' ', @properties, ' '), ' {prop} ')]/@href")

    def meta(self, prop: str) -> list[str]:
        return [t.strip() for t in self.xpath(self.opf, f"//opf:meta[@property='{prop}']/text()")]

    @property
    def spine(self) -> list[str]:
        return [self.href_of(i) for i in self.xpath(self.opf, "//opf:spine/opf:itemref/@idref")]

    @property
    def chapters(self) -> list[str]:
        return [h for h in self.spine if h.startswith("text/")]

    def headline(self, href: str) -> str:
        return " ".join("".join(self.xml(href).xpath("//h:article/h:header/h:h1", namespaces=NS)[0].itertext()).split())


@pytest.fixture(scope="module")
def book(built: Path) -> Book:
    return Book(built / "articles.epub")


def test_epubcheck_reports_nothing(built: Path):
    result = epubcheck(built / "articles.epub")
    assert result.messages == [], result.summary()


def test_zip_layout_mimetype_first_and_stored(built: Path):
    with zipfile.ZipFile(built / "articles.epub") as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
        # entry times are the newest article's update (2026-11-24T07:00Z), not the clock
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 24, 7, 0, 0)}


def test_metadata_title_language_identifier_dates(book: Book):
    assert book.xpath(book.opf, "//dc:title/text()") == ["The Harbour Dispatch"]
    # one language, the edition's (by default the site's), also on the package for Ace
    assert book.xpath(book.opf, "//dc:language/text()") == ["en"]
    assert book.xpath(book.opf, "/opf:package/@xml:lang") == ["en"]
    assert book.xpath(book.opf, "//dc:publisher/text()") == ["The Harbour Dispatch"]
    ident = book.xpath(book.opf, "//dc:identifier/text()")
    assert len(ident) == 2 and ident[0].startswith("urn:uuid:") and ident[1] == "edition:" + ident[0]
    assert book.xpath(book.opf, "/opf:package/@unique-identifier") == book.xpath(book.opf, "//dc:identifier[1]/@id")
    # the newest article's times, not the clock
    assert book.meta("dcterms:modified") == ["2026-11-24T07:00:00Z"]
    assert book.xpath(book.opf, "//dc:date/text()") == ["2026-11-24T07:00:00Z"]
    # the site made the anthology; its article authors are contributors, most articles first
    assert book.xpath(book.opf, "//dc:creator/text()") == ["The Harbour Dispatch"]
    assert book.xpath(book.opf, "//dc:contributor/text()") == [
        "Dispatch Staff", "Mara Lindqvist", "Tomás Ó Briain", "Ingrid Halvorsen", "Jason Ditz"]


def test_each_chapter_carries_its_articles_language(book: Book):
    langs = {href: book.xpath(book.xml(href), "/h:html/@xml:lang")[0] for href in book.chapters}
    assert langs["text/hafenfest.xhtml"] == "de"
    assert set(langs.values()) == {"en", "de", "en-GB"}


def test_contributors_are_bounded_and_do_not_follow_the_reading_order():
    from types import SimpleNamespace

    from publisher.books.epub import CONTRIBUTORS, contributors

    def view(*names):
        return SimpleNamespace(authors=[SimpleNamespace(name=n) for n in names])

    views = [view(f"Author {i:03d}") for i in range(200)] + [view("Zoe", "Author 150"), view("Zoe")]
    named = contributors(views)
    assert len(named) == CONTRIBUTORS and named[:2] == ["Author 150", "Zoe"]
    assert contributors(list(reversed(views))) == named


def test_edition_language_and_editor_are_configurable(tmp_path: Path):
    root = copy_site(tmp_path / "site")
    toml = (root / "publisher.toml").read_text(encoding="utf-8")
    (root / "publisher.toml").write_text(toml + '\n[[editions]]\nkind = "tag"\ntags = ["deutsch"]\nname = "de"\n'
                                         'language = "de"\neditor = "Die Redaktion"\n', encoding="utf-8")
    build(site_config(root))
    german = Book(root / "build" / "books" / "de-deutsch.epub")
    assert german.xpath(german.opf, "//dc:language/text()") == ["de"]
    assert german.xpath(german.opf, "/opf:package/@xml:lang") == ["de"]
    assert german.xpath(german.opf, "//dc:creator/text()") == ["Die Redaktion"]
    assert german.xpath(german.opf, "//opf:meta[@refines='#creator'][@property='role']/text()") == ["edt"]
    assert german.xpath(german.xml("nav.xhtml"), "/h:html/@xml:lang") == ["de"]


def test_every_article_exactly_once_in_reading_order_after_the_front_matter(book: Book):
    spine = book.spine
    assert spine[:3] == ["front/cover.xhtml", "front/title.xhtml", "front/contents.xhtml"]
    assert book.xpath(book.opf, "//opf:spine/opf:itemref[@linear='no']") == []
    chapters = book.chapters
    assert len(chapters) == len(set(chapters)) == len(spine) - 3 == 7
    assert sorted(book.headline(h) for h in chapters) == sorted(ARTICLES)
    assert "nav.xhtml" not in spine  # the nav document is not a page of the book


def test_nav_toc_has_each_article_once_under_its_section(book: Book):
    toc = book.xpath(book.nav, "//h:nav[@epub:type='toc']")[0]
    found = {}
    for li in book.xpath(toc, "h:ol/h:li"):
        section = li.xpath("string(h:a)", namespaces=NS)
        for a in book.xpath(li, "h:ol/h:li/h:a"):
            found.setdefault("".join(a.itertext()), []).append(section)
            assert a.get("href") in book.chapters
    assert found == {headline: [section] for headline, section in ARTICLES.items()}
    # sections in the toc follow the reading order: the toc *is* the reading order
    hrefs = book.xpath(toc, ".//h:ol/h:li/h:ol/h:li/h:a/@href")
    assert hrefs == book.chapters


def test_ncx_has_each_article_once_under_its_section(book: Book):
    assert book.xpath(book.ncx, "//n:meta[@name='dtb:uid']/@content") == book.xpath(book.opf, "//dc:identifier[@id=/opf:package/@unique-identifier]/text()")
    found = {}
    for point in book.xpath(book.ncx, "/n:ncx/n:navMap/n:navPoint"):
        section = book.xpath(point, "string(n:navLabel/n:text)")
        for inner in book.xpath(point, "n:navPoint"):
            found.setdefault(book.xpath(inner, "string(n:navLabel/n:text)"), []).append(section)
    assert found == {headline: [section] for headline, section in ARTICLES.items()}
    assert book.xpath(book.ncx, "//n:navPoint/n:navPoint/n:content/@src") == book.chapters


def test_landmarks_cover_toc_bodymatter(book: Book):
    marks = {a.get("{%s}type" % NS["epub"]): a.get("href")
             for a in book.xpath(book.nav, "//h:nav[@epub:type='landmarks']//h:a")}
    assert marks["cover"] == "front/cover.xhtml"
    assert marks["toc"] == "front/contents.xhtml"
    assert marks["bodymatter"] == book.chapters[0]
    guide = {r.get("type"): r.get("href") for r in book.xpath(book.opf, "//opf:guide/opf:reference")}
    assert guide == {"cover": "front/cover.xhtml", "toc": "front/contents.xhtml", "text": book.chapters[0]}


def test_cover_declared_both_ways_is_a_large_jpeg_with_a_page(book: Book):
    [cover_href] = book.hrefs_with("cover-image")
    cover_id = book.xpath(book.opf, f"//opf:item[@href='{cover_href}']/@id")[0]
    assert book.xpath(book.opf, "//opf:meta[@name='cover']/@content") == [cover_id]
    image = Image.open(io.BytesIO(book.read(cover_href)))
    assert image.format == "JPEG" and max(image.size) >= 1600
    assert "exif" not in image.info
    page = book.xml("front/cover.xhtml")
    [img] = book.xpath(page, "//h:img")
    assert posixpath.normpath(posixpath.join("front", img.get("src"))) == cover_href
    assert "The Harbour Dispatch" in img.get("alt")


def test_accessibility_metadata(book: Book):
    assert book.meta("schema:accessMode") == ["textual", "visual"]
    assert "textual" in book.meta("schema:accessModeSufficient")
    features = book.meta("schema:accessibilityFeature")
    assert {"structuralNavigation", "tableOfContents", "alternativeText"} <= set(features)
    assert book.meta("schema:accessibilityHazard") == ["none"]
    assert book.meta("schema:accessibilitySummary")[0]
    assert book.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert book.meta("a11y:certifiedBy") == ["The Harbour Dispatch"]


def test_alt_text_carried_from_the_source(book: Book):
    doc = book.xml("text/port-expansion-vote.xhtml")
    assert book.xpath(doc, "//h:img/@alt") == ["Cranes at the north quay at dusk"]


def test_previous_next_and_section_links_follow_the_reading_order(book: Book):
    chapters = book.chapters
    contents = book.xml("front/contents.xhtml")
    for i, href in enumerate(chapters):
        doc = book.xml(href)
        nav = book.xpath(doc, "//h:nav[@class='article-nav']")[0]
        prev = [posixpath.basename(h) for h in nav.xpath(".//h:a[@rel='prev']/@href", namespaces=NS)]
        nxt = [posixpath.basename(h) for h in nav.xpath(".//h:a[@rel='next']/@href", namespaces=NS)]
        assert prev == ([posixpath.basename(chapters[i - 1])] if i else [])
        assert nxt == ([posixpath.basename(chapters[i + 1])] if i + 1 < len(chapters) else [])
        [back] = [h for h in nav.xpath(".//h:a/@href", namespaces=NS) if "contents.xhtml" in h]
        section = back.partition("#")[2]
        # the section anchor lists this article
        listed = book.xpath(contents, f"//h:section[@id='{section}']//h:a/@href")
        assert "../" + href in listed


def test_all_internal_links_resolve_and_nothing_is_remote_or_scripted(book: Book):
    names = set(book.zip.namelist())
    ids: dict[str, set[str]] = {}
    docs = [h for h in book.xpath(book.opf, "//opf:item[@media-type='application/xhtml+xml']/@href")]
    for href in docs:
        ids[href] = set(book.xml(href).xpath("//@id"))
    for href in docs:
        doc = book.xml(href)
        assert doc.xpath("//h:script", namespaces=NS) == []
        for src in doc.xpath("//@src"):
            assert "://" not in src, (href, src)
            assert posixpath.join(book.base, posixpath.normpath(posixpath.join(posixpath.dirname(href), src))) in names
        for link in doc.xpath("//h:a/@href", namespaces=NS):
            if "://" in link or link.startswith("mailto:"):
                continue
            path, _, frag = link.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(href), path)) if path else href
            assert target in ids, (href, link)
            assert not frag or frag in ids[target], (href, link)


def test_sample_chapter_has_headline_deck_byline_date_body_and_bio(book: Book):
    blocks = [b.strip() for b in SEED.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    doc = book.xml("text/000-74b8af4278bed77c.xhtml")
    text = lambda xp: [" ".join("".join(e.itertext()).split()) for e in doc.xpath(xp, namespaces=NS)]  # noqa: E731
    assert text("//h:header/h:h1") == [blocks[0]]
    assert text("//h:header/h:p[@class='deck']") == [blocks[1]]
    assert text("//h:header/h:p[@class='byline']") == ["By Jason Ditz"]
    assert doc.xpath("//h:header//h:time/@datetime", namespaces=NS) == ["2016-11-29T14:30:00-05:00"]
    paragraphs = text("//h:article/h:p")
    assert paragraphs == blocks[2:-2]
    assert text("//h:section[@class='bio']/h:p") == [blocks[-1]]


def test_local_image_is_embedded_and_referenced(built: Path):
    with zipfile.ZipFile(built / "articles.epub") as z:
        assert "EPUB/media/images/harbour-cranes.png" in z.namelist()
        doc = etree.fromstring(z.read("EPUB/text/port-expansion-vote.xhtml"))
    assert doc.xpath("//h:img/@src", namespaces=NS) == ["../media/images/harbour-cranes.png"]


def test_stylesheet_is_plain_and_leaves_font_and_size_to_the_reader(book: Book):
    css = book.read("style/book.css").decode("utf-8")
    for banned in ("position: fixed", "position: absolute", "vw", "vh", "vmin", "@media", "var(", "!important", "px;"):
        assert banned not in css.replace("1px solid", ""), banned
    body = css.split("body {", 1)[1].split("}", 1)[0]
    assert "font-size" not in body and "font-family" not in body and "line-height" not in body


def test_rebuild_is_byte_identical(built: Path, tmp_path: Path):
    again = copy_site(tmp_path / "again")
    build(site_config(again))
    assert (again / "build" / "articles.epub").read_bytes() == (built / "articles.epub").read_bytes()


def test_accessibility_claims_only_what_the_book_shows():
    from publisher.books.a11y import Accessibility, _animated

    frames = [Image.new("RGB", (4, 4), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100)
    still = io.BytesIO()
    frames[0].save(still, "GIF")
    assert _animated(gif.getvalue()) and not _animated(still.getvalue())

    meta = dict(Accessibility(images=2, described=1, animated=1, mathml=False).metadata("Site"))
    assert meta["schema:accessModeSufficient"] == ["textual,visual"]
    assert "alternativeText" not in meta["schema:accessibilityFeature"]
    assert meta["schema:accessibilityHazard"] == ["unknownFlashingHazard", "unknownMotionSimulationHazard",
                                                  "noSoundHazard"]
    assert "dcterms:conformsTo" not in meta and "a11y:certifiedBy" not in meta
    assert "1 of 2 images" in meta["schema:accessibilitySummary"][0]
