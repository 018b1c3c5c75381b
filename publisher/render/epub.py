"""EPUB 3 (with NCX for EPUB 2 readers) of normalized articles, through ebooklib, made reproducible."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from importlib import resources
from urllib.parse import urlsplit

from ebooklib import epub
from lxml import etree

from publisher.config import Config
from publisher.dates import parse_iso
from publisher.model import ArticleView
from publisher.render.content import article_content
from publisher.render.epubfix import make_conformant
from publisher.xmlutil import EPUB_NS, H, XHTML_NS, XML_LANG

CSS_PATH = "style/book.css"
_EPOCH_1980 = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


def book_identifier(config: Config, edition: str) -> str:
    """A stable URN for one edition of one site: re-downloads replace the old copy on devices."""
    host = urlsplit(config.base_url).netloc.lower()
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"publisher:{host}/edition/{edition}"))


def _chapter_name(view: ArticleView) -> str:
    return f"text/{view.slug}.xhtml"


def _media_name(path: str) -> str:
    return "media/" + path


class _Rewriter:
    """Points body URLs at what is inside the book: chapters for article links, embedded images."""

    def __init__(self, views: list[ArticleView]) -> None:
        self.chapters = {v.canonical: _chapter_name(v) for v in views}
        self.media: dict[str, str] = {}
        for view in views:
            for res in view.resources:
                self.media[res.href] = _media_name(res.path)

    def __call__(self, el: etree._Element) -> None:
        href = el.get("href")
        if href is not None:
            base, _, frag = href.partition("#")
            target = self.chapters.get(base)
            if target is not None:
                el.set("href", "../" + target + ("#" + frag if frag else ""))
        src = el.get("src")
        if src is not None and el.tag == H + "img":
            local = self.media.get(src)
            if local is not None:
                el.set("src", "../" + local)
                el.attrib.pop("srcset", None)
            else:
                # A remote image cannot be in an EPUB: keep it reachable as a link, with its text.
                link = etree.Element(H + "a", href=src)
                link.text = el.get("alt") or src
                link.tail = el.tail
                el.getparent().replace(el, link)


def chapter_xhtml(view: ArticleView, rewrite: _Rewriter) -> bytes:
    html = etree.Element(H + "html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    html.set(XML_LANG, view.lang)
    html.set("lang", view.lang)
    head = etree.SubElement(html, H + "head")
    etree.SubElement(head, H + "title").text = view.headline
    etree.SubElement(head, H + "link", rel="stylesheet", type="text/css", href="../" + CSS_PATH)
    body = etree.SubElement(html, H + "body")
    body.append(article_content(view, with_header=True, rewrite=rewrite))
    make_conformant(html)
    etree.cleanup_namespaces(html, top_nsmap={None: XHTML_NS, "epub": EPUB_NS})
    return etree.tostring(html, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>")


def _modified(views: list[ArticleView]) -> dt.datetime:
    newest = max((parse_iso(v.updated) for v in views), default=_EPOCH_1980)
    return max(newest.astimezone(dt.UTC), _EPOCH_1980)


def render_epub(config: Config, views: list[ArticleView], media: dict[str, bytes], *, edition: str = "archive") -> bytes:
    """One book of ``views`` in the given order. ``media`` maps resource paths to their bytes."""
    book = epub.EpubBook()
    book.set_identifier(book_identifier(config, edition))
    book.set_title(config.title)
    book.set_language(config.language)
    authors = []
    for view in views:
        for author in view.authors:
            if author.name not in authors:
                authors.append(author.name)
    for i, name in enumerate(authors):
        book.add_author(name, uid=f"creator{i}")
    if config.publisher:
        book.add_metadata("DC", "publisher", config.publisher)
    book.add_metadata("DC", "date", _modified(views).strftime("%Y-%m-%dT%H:%M:%SZ"))
    book.add_metadata("DC", "description", config.description)

    css = epub.EpubItem(
        uid="css",
        file_name=CSS_PATH,
        media_type="text/css",
        content=resources.files("publisher.render").joinpath("epub.css").read_bytes(),
    )
    book.add_item(css)
    rewrite = _Rewriter(views)
    chapters = []
    for n, view in enumerate(views, start=1):
        item = epub.EpubItem(
            uid=f"a{n:05d}",
            file_name=_chapter_name(view),
            media_type="application/xhtml+xml",
            content=chapter_xhtml(view, rewrite),
        )
        book.add_item(item)
        chapters.append((item, view))
    added = set()
    for view in views:
        for res in view.resources:
            if res.path in added:
                continue
            added.add(res.path)
            book.add_item(
                epub.EpubItem(
                    uid=f"m{len(added):05d}",
                    file_name=_media_name(res.path),
                    media_type=res.type,
                    content=media[res.path],
                )
            )
    book.toc = [epub.Link(item.file_name, view.headline, item.id) for item, view in chapters]
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title="Contents")
    nav.add_link(href=CSS_PATH, rel="stylesheet", type="text/css")
    book.add_item(nav)
    # The nav document is reachable from the reader's menu; in the spine it would be read as page 1.
    book.spine = [item for item, _ in chapters]

    raw = io.BytesIO()
    epub.write_epub(raw, book, {"mtime": _modified(views), "epub3_pages": False, "spine_direction": False})
    return repack(raw.getvalue(), _modified(views))


def repack(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a zip with fixed entry times and order: ``mimetype`` first and stored."""
    stamp = when.astimezone(dt.UTC).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        ordered = ["mimetype"] + [n for n in names if n != "mimetype"]
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, src.read(name))
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(info, src.read(name), compresslevel=9)
    return out.getvalue()
