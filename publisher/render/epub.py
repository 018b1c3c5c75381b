"""One edition as an EPUB 3 book (NCX included for EPUB 2 readers), written byte for byte here.

The package document, navigation and zip are made directly with lxml and zipfile rather than
through ebooklib: the book needs manifest properties (cover-image, svg), landmarks, a grouped
NCX, refined metadata and accessibility metadata that ebooklib either cannot express or fills in
from the clock, and owning the bytes keeps rebuilds identical.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

from lxml import etree

from publisher.config import Config
from publisher.dates import parse_iso
from publisher.errors import SourceError
from publisher.model import ArticleView
from publisher.render import bookpages
from publisher.render.a11y import Accessibility, survey
from publisher.render.chapters import (
    CONTENTS,
    CSS_PATH,
    Neighbours,
    Rewriter,
    chapter_name,
    chapter_tree,
    media_name,
)
from publisher.render.cover import CoverText, render_cover
from publisher.render.editions import Edition
from publisher.render.epubfix import link_across, make_conformant
from publisher.xmlutil import EPUB_NS, XHTML_NS

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
O = "{%s}" % OPF_NS
DC = "{%s}" % DC_NS
SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
_EPOCH_1980 = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
#: What an image's first bytes must be for its media type (a mislabelled file is an EPUB error).
_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
IMAGE_TYPES = (*_MAGIC, "image/svg+xml")
CONTAINER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
    b'  <rootfiles>\n'
    b'    <rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/>\n'
    b'  </rootfiles>\n'
    b'</container>\n'
)


def book_identifier(config: Config, edition: str) -> str:
    """A stable URN for one edition of one site: re-downloads replace the old copy on devices."""
    host = urlsplit(config.base_url).netloc.lower()
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"publisher:{host}/edition/{edition}"))


@dataclass
class Item:
    """One file of the book, under EPUB/."""

    id: str
    href: str
    media_type: str
    data: bytes
    properties: str = ""


def _utc(value: dt.datetime) -> str:
    return max(value.astimezone(dt.UTC), _EPOCH_1980).strftime("%Y-%m-%dT%H:%M:%SZ")


def _modified(views: list[ArticleView]) -> dt.datetime:
    return max(max(parse_iso(v.updated) for v in views).astimezone(dt.UTC), _EPOCH_1980)


def _authors(views: list[ArticleView]) -> list[str]:
    names: list[str] = []
    for view in views:
        for author in view.authors:
            if author.name not in names:
                names.append(author.name)
    return names


def _check_image(config: Config, view: ArticleView, path: str, media_type: str, data: bytes) -> None:
    """Only JPEG, PNG, GIF and SVG may be in a book, and a file must be what its name says."""
    where = config.articles_path / view.source
    if media_type not in IMAGE_TYPES:
        raise SourceError(
            f"image {path} is {media_type}; a book can only hold JPEG, PNG, GIF or SVG images", where
        )
    magic = _MAGIC.get(media_type)
    if magic and not data.startswith(magic):
        raise SourceError(f"image {path} is not the {media_type.split('/')[1].upper()} its name says", where)
    if media_type == "image/svg+xml" and b"<svg" not in data[:4096]:
        raise SourceError(f"image {path} is not an SVG document", where)


def _media_items(config: Config, views: list[ArticleView], media: dict[str, bytes]) -> list[Item]:
    items: list[Item] = []
    seen: set[str] = set()
    for view in views:
        for res in view.resources:
            if res.path in seen:
                continue
            seen.add(res.path)
            _check_image(config, view, res.path, res.type, media[res.path])
            items.append(Item(f"m{len(seen):05d}", media_name(res.path), res.type, media[res.path]))
    return items


def _chapters(config: Config, edition: Edition) -> dict[str, etree._Element]:
    """Every article's chapter document, repaired and cross-linked, by name in reading order."""
    views = edition.views
    rewrite = Rewriter(views)
    trees: dict[str, etree._Element] = {}
    position = 0
    for index, section in enumerate(edition.sections):
        for view in section.views:
            around = Neighbours(
                previous=views[position - 1] if position else None,
                next=views[position + 1] if position + 1 < len(views) else None,
                section_id=bookpages.section_id(edition, index),
                section_label=section.label,
                site_lang=config.language,
            )
            html = chapter_tree(view, rewrite, around)
            make_conformant(html)
            trees[chapter_name(view)] = html
            position += 1
    link_across(trees)
    for html in trees.values():
        etree.cleanup_namespaces(html, top_nsmap={None: XHTML_NS, "epub": EPUB_NS})
    return trees


def _properties(html: etree._Element) -> str:
    props = []
    if html.find(f".//{{{MATHML_NS}}}math") is not None:
        props.append("mathml")
    if html.find(f".//{{{SVG_NS}}}svg") is not None:
        props.append("svg")
    return " ".join(props)


def render_book(config: Config, edition: Edition, media: dict[str, bytes]) -> bytes:
    """The EPUB bytes of one edition. ``media`` maps resource paths to their bytes."""
    views = edition.views
    identifier = book_identifier(config, edition.key)
    title = edition.book_title(config.title)
    chapters = _chapters(config, edition)
    media_items = _media_items(config, views, media)
    access = survey(chapters.values(), media_items, grouped=len(edition.sections) > 1)
    newest_first = sorted(views, key=ArticleView.sort_key, reverse=True)
    count = f"{len(views)} article" + ("" if len(views) == 1 else "s")
    cover_alt = f"Cover: {config.title}. {edition.heading}, {edition.dates}. " + " ".join(
        f"{v.headline.rstrip('.')}." for v in newest_first[:3])
    info = bookpages.BookInfo(
        site=config.title, title=title, edition=edition, lang=config.language,
        description=config.description, publisher=config.publisher, identifier=identifier,
        cover_alt=cover_alt,
    )
    cover = render_cover(CoverText(
        site=config.title, title=edition.heading, dates=edition.dates,
        headlines=tuple(v.headline for v in newest_first),
        footer=" · ".join(x for x in (config.publisher or config.title, count) if x),
    ))
    css = resources.files("publisher.render").joinpath("epub.css").read_bytes()
    items = [
        Item("nav", "nav.xhtml", "application/xhtml+xml", bookpages.nav_document(info), "nav"),
        Item("ncx", "toc.ncx", "application/x-dtbncx+xml", bookpages.ncx_document(info)),
        Item("css", CSS_PATH, "text/css", css),
        Item("cover-image", bookpages.COVER_IMAGE, "image/jpeg", cover, "cover-image"),
        Item("cover", bookpages.COVER_PAGE, "application/xhtml+xml", bookpages.cover_page(info)),
        Item("titlepage", bookpages.TITLE_PAGE, "application/xhtml+xml", bookpages.title_page(info)),
        Item("contents", CONTENTS, "application/xhtml+xml", bookpages.contents_page(info)),
    ]
    spine = ["cover", "titlepage", "contents"]
    for n, (name, html) in enumerate(chapters.items(), start=1):
        data = bookpages.serialize(html)
        items.append(Item(f"a{n:05d}", name, "application/xhtml+xml", data, _properties(html)))
        spine.append(f"a{n:05d}")
    items += media_items
    opf = package_document(config, edition, info, items, spine, access, views)
    return zip_book(opf, items, _modified(views))


def package_document(config: Config, edition: Edition, info: bookpages.BookInfo, items: list[Item],
                     spine: list[str], access: Accessibility, views: list[ArticleView]) -> bytes:
    """content.opf: metadata (with accessibility), manifest, spine and the EPUB 2 guide."""
    package = etree.Element(O + "package", {"version": "3.0", "unique-identifier": "pub-id"},
                            nsmap={None: OPF_NS})
    package.set("{http://www.w3.org/XML/1998/namespace}lang", config.language)
    meta = etree.SubElement(package, O + "metadata", nsmap={"dc": DC_NS})

    def dc(name: str, text: str, **attrs: str) -> etree._Element:
        el = etree.SubElement(meta, DC + name, attrs)
        el.text = text
        return el

    def prop(name: str, text: str, **attrs: str) -> None:
        el = etree.SubElement(meta, O + "meta", {"property": name, **attrs})
        el.text = text

    dc("identifier", info.identifier, id="pub-id")
    dc("title", info.title, id="title")
    prop("title-type", "main", refines="#title")
    languages = [config.language] + sorted({v.lang for v in views} - {config.language})
    for lang in languages:
        dc("language", lang)
    for n, name in enumerate(_authors(views), start=1):
        dc("creator", name, id=f"creator{n}")
        prop("role", "aut", refines=f"#creator{n}", scheme="marc:relators")
    if config.publisher:
        dc("publisher", config.publisher)
    dc("date", _utc(max(parse_iso(v.published) for v in views)))
    if config.description:
        dc("description", config.description)
    for subject in edition.subjects:
        dc("subject", subject)
    prop("dcterms:modified", _utc(_modified(views)))
    if edition.series:
        prop("belongs-to-collection", edition.series, id="series")
        prop("collection-type", "series", refines="#series")
        prop("group-position", edition.position, refines="#series")
    for name, values in access.metadata(config.publisher or config.title):
        for value in values:
            prop(name, value)
    etree.SubElement(meta, O + "meta", name="cover", content="cover-image")

    manifest = etree.SubElement(package, O + "manifest")
    for item in items:
        attrs = {"id": item.id, "href": item.href, "media-type": item.media_type}
        if item.properties:
            attrs["properties"] = item.properties
        etree.SubElement(manifest, O + "item", attrs)
    spine_el = etree.SubElement(package, O + "spine", toc="ncx")
    for idref in spine:
        etree.SubElement(spine_el, O + "itemref", idref=idref)
    guide = etree.SubElement(package, O + "guide")
    for kind, href, label in (("cover", bookpages.COVER_PAGE, "Cover"), ("toc", CONTENTS, "Contents"),
                              ("text", chapter_name(views[0]), "Articles")):
        etree.SubElement(guide, O + "reference", type=kind, title=label, href=href)
    return etree.tostring(package, encoding="utf-8", xml_declaration=True, pretty_print=True)


def zip_book(opf: bytes, items: list[Item], when: dt.datetime) -> bytes:
    """The OCF zip: ``mimetype`` first and stored, then everything in a fixed order and time."""
    stamp = max(when.astimezone(dt.UTC), _EPOCH_1980).timetuple()[:6]
    out = io.BytesIO()
    entries = [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", CONTAINER),
               ("EPUB/content.opf", opf)] + [("EPUB/" + item.href, item.data) for item in items]
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                z.writestr(info, data)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data, compresslevel=9)
    return out.getvalue()
