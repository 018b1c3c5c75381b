"""The pages of a book around its articles: cover page, title page, contents page, and the two
navigation documents (EPUB 3 nav with toc and landmarks; NCX for EPUB 2 readers)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from publisher.books.chapters import CONTENTS, CSS_PATH, EPUB_TYPE, chapter_name
from publisher.books.editions import Edition
from publisher.dates import parse_iso
from publisher.i18n import _, join_names, long_date, n_
from publisher.model import ArticleView
from publisher.xmlutil import EPUB_NS, XHTML_NS, XML_LANG, H

NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
N = "{%s}" % NCX_NS
COVER_PAGE = "front/cover.xhtml"
TITLE_PAGE = "front/title.xhtml"
COVER_IMAGE = "images/cover.jpg"
DOCTYPE = "<!DOCTYPE html>"


@dataclass(frozen=True)
class BookInfo:
    """What the pages around the articles say about the book."""

    site: str
    title: str  # the book's full title: site and edition
    edition: Edition
    lang: str
    description: str
    publisher: str
    identifier: str
    cover_alt: str


def section_id(edition: Edition, index: int) -> str:
    """The contents page's fragment for a section ("" when the book is not grouped)."""
    return f"s-{edition.sections[index].key}" if len(edition.sections) > 1 else ""


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, H + tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
                          if attrs else None)
    el.text = text
    return el


def _lang(el: etree._Element, lang: str) -> None:
    el.set(XML_LANG, lang)
    el.set("lang", lang)


def page(title: str, lang: str, depth: int = 1) -> tuple[etree._Element, etree._Element]:
    """An empty XHTML page (html, body) linking the book's stylesheet; depth: folders below EPUB/."""
    html = etree.Element(H + "html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    _lang(html, lang)
    head = _el(html, "head")
    _el(head, "title", title)
    _el(head, "link", rel="stylesheet", type="text/css", href="../" * depth + CSS_PATH)
    return html, _el(html, "body")


def serialize(html: etree._Element, pretty: bool = False) -> bytes:
    """An XHTML document's bytes; ``pretty`` indents only elements without text around them."""
    return etree.tostring(html, encoding="utf-8", xml_declaration=True, doctype=DOCTYPE,
                          pretty_print=pretty)


def cover_page(info: BookInfo) -> bytes:
    html, body = page(_(info.lang, "Cover"), info.lang)
    body.set(EPUB_TYPE, "cover")
    section = _el(body, "section", class_="cover")
    section.set(EPUB_TYPE, "cover")
    _el(section, "img", src="../" + COVER_IMAGE, alt=info.cover_alt, role="doc-cover")
    return serialize(html, pretty=True)


def title_page(info: BookInfo) -> bytes:
    edition = info.edition
    html, body = page(info.title, info.lang)
    body.set(EPUB_TYPE, "frontmatter")
    section = _el(body, "section", class_="titlepage")
    section.set(EPUB_TYPE, "titlepage")
    _el(section, "h1", info.site, class_="title")
    _el(section, "p", edition.heading, class_="edition")
    _el(section, "p", edition.dates, class_="dates")
    if info.description:
        _el(section, "p", info.description, class_="description")
    count = len(edition.views)
    _el(section, "p", n_(info.lang, "{n} article", "{n} articles", count), class_="count")
    if info.publisher:
        _el(section, "p", info.publisher, class_="publisher")
    return serialize(html, pretty=True)


def _entry(ol: etree._Element, view: ArticleView, lang: str) -> None:
    li = _el(ol, "li")
    headline = _el(li, "p", class_="toc-headline")
    a = _el(headline, "a", view.headline, href="../" + chapter_name(view))
    if view.lang != lang:
        _lang(a, view.lang)
    _el(li, "p", f"{join_names([a.name for a in view.authors], lang)} · {long_date(parse_iso(view.published).date(), lang)}", class_="toc-meta")


def contents_page(info: BookInfo) -> bytes:
    """The table of contents as a page in the reading order (Kindle's "Table of Contents")."""
    edition = info.edition
    html, body = page(_(info.lang, "Contents"), info.lang)
    body.set(EPUB_TYPE, "frontmatter")
    nav = _el(body, "nav", class_="contents", aria_labelledby="contents-title")
    _el(nav, "h1", _(info.lang, "Contents"), id="contents-title")
    if len(edition.sections) == 1:
        ol = _el(nav, "ol", class_="toc")
        for view in edition.sections[0].views:
            _entry(ol, view, info.lang)
        return serialize(html, pretty=True)
    for index, section in enumerate(edition.sections):
        part = _el(nav, "section", id=section_id(edition, index), class_="toc-section")
        _el(part, "h2", section.label)
        ol = _el(part, "ol", class_="toc")
        for view in section.views:
            _entry(ol, view, info.lang)
    return serialize(html, pretty=True)


def nav_document(info: BookInfo) -> bytes:
    """nav.xhtml: the toc grouped by section, and landmarks (cover, toc, bodymatter)."""
    edition = info.edition
    html, body = page(info.title, info.lang, depth=0)
    toc = _el(body, "nav", id="toc", role="doc-toc")
    toc.set(EPUB_TYPE, "toc")
    _el(toc, "h1", _(info.lang, "Contents"))
    top = _el(toc, "ol")

    def article(ol: etree._Element, view: ArticleView) -> None:
        a = _el(_el(ol, "li"), "a", view.headline, href=chapter_name(view))
        if view.lang != info.lang:
            _lang(a, view.lang)

    if len(edition.sections) == 1:
        for view in edition.sections[0].views:
            article(top, view)
    else:
        for section in edition.sections:
            li = _el(top, "li")
            # a section opens at its first article: the toc must follow the reading order
            _el(li, "a", section.label, href=chapter_name(section.views[0]))
            ol = _el(li, "ol")
            for view in section.views:
                article(ol, view)
    landmarks = _el(body, "nav", id="landmarks", hidden="hidden")
    landmarks.set(EPUB_TYPE, "landmarks")
    _el(landmarks, "h2", _(info.lang, "Landmarks"))
    ol = _el(landmarks, "ol")
    for kind, href, label in (
        ("cover", COVER_PAGE, "Cover"),
        ("titlepage", TITLE_PAGE, "Title page"),
        ("toc", CONTENTS, "Contents"),
        ("bodymatter", chapter_name(edition.views[0]), "Articles"),
    ):
        a = _el(_el(ol, "li"), "a", _(info.lang, label), href=href)
        a.set(EPUB_TYPE, kind)
    return serialize(html, pretty=True)


def ncx_document(info: BookInfo) -> bytes:
    """toc.ncx for EPUB 2 readers: the same tree as the nav's toc."""
    edition = info.edition
    ncx = etree.Element(N + "ncx", nsmap={None: NCX_NS}, version="2005-1")
    ncx.set(XML_LANG, info.lang)
    head = etree.SubElement(ncx, N + "head")
    grouped = len(edition.sections) > 1
    for name, content in (("dtb:uid", info.identifier), ("dtb:depth", "2" if grouped else "1"),
                          ("dtb:totalPageCount", "0"), ("dtb:maxPageNumber", "0")):
        etree.SubElement(head, N + "meta", name=name, content=content)
    etree.SubElement(etree.SubElement(ncx, N + "docTitle"), N + "text").text = info.title
    nav_map = etree.SubElement(ncx, N + "navMap")
    order: dict[str, int] = {}  # one playOrder per target: a section and its first article share one
    points = iter(range(1, 1_000_000))

    def point(parent: etree._Element, label: str, src: str) -> etree._Element:
        n = order.setdefault(src, len(order) + 1)
        el = etree.SubElement(parent, N + "navPoint", id=f"np{next(points)}", playOrder=str(n))
        etree.SubElement(etree.SubElement(el, N + "navLabel"), N + "text").text = label
        etree.SubElement(el, N + "content", src=src)
        return el

    for section in edition.sections:
        parent = point(nav_map, section.label, chapter_name(section.views[0])) if grouped else nav_map
        for view in section.views:
            point(parent, view.headline, chapter_name(view))
    return etree.tostring(ncx, encoding="utf-8", xml_declaration=True, pretty_print=True)
