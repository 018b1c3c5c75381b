"""The EPUB: EPUBCheck 5.x with zero messages, structure checked with XPath, sample text complete."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from tests.conftest import SEED, epubcheck

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def test_epubcheck_reports_nothing(built: Path):
    result = epubcheck(built / "articles.epub")
    assert result.messages == [], result.summary()


def test_zip_layout_mimetype_first_and_stored(built: Path):
    with zipfile.ZipFile(built / "articles.epub") as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
        assert len({i.date_time for i in z.infolist()}) == 1


def _opf(built: Path) -> etree._Element:
    with zipfile.ZipFile(built / "articles.epub") as z:
        return etree.fromstring(z.read("EPUB/content.opf"))


def test_metadata_language_identifier_modified(built: Path):
    opf = _opf(built)
    assert opf.xpath("//dc:language/text()", namespaces=OPF) == ["en"]
    ident = opf.xpath("//dc:identifier/text()", namespaces=OPF)
    assert len(ident) == 1 and ident[0].startswith("urn:uuid:")
    # the newest article's update time, not the clock
    assert opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=OPF) == ["2026-11-24T07:00:00Z"]


def test_every_article_once_in_spine_nav_and_ncx(built: Path):
    opf = _opf(built)
    spine = opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=OPF)
    hrefs = [opf.xpath(f"//opf:item[@id='{i}']/@href", namespaces=OPF)[0] for i in spine]
    assert len(hrefs) == len(set(hrefs)) == 7
    assert all(h.startswith("text/") for h in hrefs)  # the nav document is not page 1
    with zipfile.ZipFile(built / "articles.epub") as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        ncx = etree.fromstring(z.read("EPUB/toc.ncx"))
    nav_hrefs = nav.xpath("//h:nav[@epub:type='toc']//h:a/@href", namespaces=XHTML)
    assert sorted(nav_hrefs) == sorted(hrefs)
    ncx_src = ncx.xpath("//n:navPoint/n:content/@src", namespaces={"n": "http://www.daisy.org/z3986/2005/ncx/"})
    assert sorted(ncx_src) == sorted(hrefs)


def test_sample_chapter_has_headline_deck_byline_date_body_and_bio(built: Path):
    blocks = [b.strip() for b in SEED.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    with zipfile.ZipFile(built / "articles.epub") as z:
        doc = etree.fromstring(z.read("EPUB/text/000-74b8af4278bed77c.xhtml"))
    text = lambda xp: [" ".join("".join(e.itertext()).split()) for e in doc.xpath(xp, namespaces=XHTML)]  # noqa: E731
    assert text("//h:header/h:h1") == [blocks[0]]
    assert text("//h:header/h:p[@class='deck']") == [blocks[1]]
    assert text("//h:header/h:p[@class='byline']") == ["By Jason Ditz"]
    assert doc.xpath("//h:header//h:time/@datetime", namespaces=XHTML) == ["2016-11-29T14:30:00-05:00"]
    paragraphs = text("//h:article/h:p")
    assert paragraphs == blocks[2:-2]
    assert text("//h:section[@class='bio']/h:p") == [blocks[-1]]


def test_local_image_is_embedded_and_referenced(built: Path):
    with zipfile.ZipFile(built / "articles.epub") as z:
        assert "EPUB/media/images/harbour-cranes.png" in z.namelist()
        doc = etree.fromstring(z.read("EPUB/text/port-expansion-vote.xhtml"))
    assert doc.xpath("//h:img/@src", namespaces=XHTML) == ["../media/images/harbour-cranes.png"]
