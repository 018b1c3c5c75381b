"""One edition as an EPUB 3 book (NCX included for EPUB 2 readers).

ebooklib writes the package: metadata, manifest, spine, guide and the container. What it would
get wrong is kept out of its hands (see DESIGN.md): the navigation document and NCX are made
here as plain items (its own put the nav in the reading order and cannot group or add
landmarks), ``dcterms:modified`` is the newest article's time (never the clock), and its zip is
laid out again by ``zipwriter`` with fixed order and times, the chapters compressed ahead, the
images (compressed already) stored as they are and read from the site's files only as the zip
is written into the output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import pickle
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from importlib import resources
from typing import BinaryIO, NamedTuple
from urllib.parse import urlsplit

from ebooklib import epub

from publisher.books import pages as bookpages
from publisher.books.a11y import Accessibility, survey
from publisher.books.chapters import CONTENTS, CSS_PATH, chapter_name, media_name
from publisher.books.chapterset import Chapter, make_chapters
from publisher.books.cover import CoverText, render_cover
from publisher.books.editions import Edition
from publisher.books.parts import NOTHING, Images, Keeper
from publisher.books.zipwriter import MAX_ENTRIES, Packed, Stored, ZipLimit, pack, stream_zip
from publisher.config import Config
from publisher.dates import parse_iso
from publisher.errors import ConfigError, SourceError
from publisher.i18n import _, n_
from publisher.model import ArticleView
from publisher.xmlutil import XML_LANG

_EPOCH_1980 = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
#: What an image's first bytes must be for its media type (a mislabelled file is an EPUB error).
_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
IMAGE_TYPES = (*_MAGIC, "image/svg+xml")
#: Files compressed already, stored in the zip as they are (EPUB's OCF allows stored entries):
#: deflate saves nothing on them and was most of the CPU a book of many images cost. Text
#: (XHTML, CSS, SVG, NCX, the package) and uncompressed fonts are deflated.
STORED_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif",
                          "font/woff", "font/woff2"})
#: Where a theme's fonts and their licence go: beside the stylesheet, so its url(fonts/NAME) holds.
FONTS_PATH = CSS_PATH.rpartition("/")[0] + "/fonts"


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


#: At most this many article authors are named as the book's contributors (an anthology of
#: hundreds would give readers a field thousands of characters long).
CONTRIBUTORS = 10
#: The scheme calibre files the book's identifier under (shown by ebook-meta as "edition:urn:uuid:…").
CALIBRE_SCHEME = "edition"


def contributors(views: list[ArticleView]) -> list[str]:
    """The book's contributors: its articles' authors, most articles first (then by name), at most
    CONTRIBUTORS. Independent of the reading order, so adding an article rarely changes it."""
    counts: dict[str, int] = {}
    for view in views:
        for author in view.authors:
            counts[author.name] = counts.get(author.name, 0) + 1
    return sorted(counts, key=lambda name: (-counts[name], name))[:CONTRIBUTORS]


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


class Image(NamedTuple):
    """An image of the book as its kept frame holds it: not its bytes but the file they are
    read from when the book is written (then checked to be the file of that digest, and what
    its name says), and the digest the frame was made with."""

    path: str
    digest: str


class _Shown(NamedTuple):
    """An image the book holds: its manifest item's id, href and type, and the first article showing it."""

    id: str
    href: str
    media_type: str
    path: str
    view: ArticleView


def _media(config: Config, views: list[ArticleView]) -> list[_Shown]:
    """The book's images in the order of the articles that first show them (their bytes unread)."""
    shown: list[_Shown] = []
    seen: set[str] = set()
    for view in views:
        for res in view.resources:
            if res.path in seen:
                continue
            seen.add(res.path)
            if res.type not in IMAGE_TYPES:
                raise SourceError(f"image {res.path} is {res.type}; a book can only hold JPEG, PNG, GIF or SVG "
                                  "images", config.articles_path / view.source)
            shown.append(_Shown(f"m{len(seen):05d}", media_name(res.path), res.type, res.path, view))
    return shown


def _read_image(config: Config, images: Images, shown: _Shown) -> bytes:
    """The bytes of an image of the book, read now and checked."""
    data = images.read(shown.path, shown.view.source)
    _check_image(config, shown.view, shown.path, shown.media_type, data)
    return data


def _chapters(config: Config, edition: Edition, keeper: Keeper, workers: int | None) -> list[Chapter]:
    """Every article's chapter, repaired, cross-linked and compressed, in reading order."""
    sections = [(bookpages.section_id(edition, index), section.label, section.views)
                for index, section in enumerate(edition.sections)]
    pack = f"chapters {edition.key} {edition.path}"
    return make_chapters(edition.language, sections, edition.views, pack, keeper, workers)


def render_book(config: Config, edition: Edition, images: Images, keeper: Keeper | None = None,
                workers: int | None = None) -> bytes:
    """The EPUB bytes of one edition (see :func:`write_book`; a small book, or a test's)."""
    out = io.BytesIO()
    write_book(config, edition, images, out, keeper, workers)
    return out.getvalue()


def write_book(config: Config, edition: Edition, images: Images, out: BinaryIO, keeper: Keeper | None = None,
               workers: int | None = None) -> None:
    """Write the EPUB of one edition into ``out`` as it is laid out. ``images`` gives the site's
    images (read one at a time as they are written); ``keeper`` keeps the book's parts between
    builds (:mod:`parts`; by default nothing is kept).

    The book is its chapters (see :mod:`chapterset`) in a frame: every other file of the zip
    (package, navigation, contents, cover, title page, stylesheet, images). The frame depends on
    the articles' metadata, the chapters' names and facts and the images' digests, not on the
    articles' text, so after an edit of an article's body the kept one is used as it is. It
    holds the images as :class:`Image` references: their bytes are read from the site's files
    when the book is written, never kept in the cache nor all held at once.
    """
    keeper = keeper or NOTHING
    media = _media(config, edition.views)
    if len(edition.views) + len(media) + _FRAME_FILES > MAX_ENTRIES:  # known before any chapter is made
        raise _too_big(config, edition, f"{len(edition.views):,} chapters and {len(media):,} images")
    chapters = _chapters(config, edition, keeper, workers)
    key, slot = _frame_key(config, edition, chapters, media, images), f"frame {edition.key} {edition.path}"
    frame = _load_frame(keeper.kept(slot, key))
    if frame is None:
        frame = _frame(config, edition, chapters, media, images)
        keeper.keep(slot, key, pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL))
    by_name = {"EPUB/" + c.name: Packed(c.crc, c.size, c.packed) for c in chapters}
    by_path = {shown.path: shown for shown in media}

    def entry(name: str, data: bytes | Packed | Stored | Image | None) -> bytes | Packed | Stored:
        if data is None:
            return by_name[name]
        if isinstance(data, Image):  # read now, checked, let go once written
            return Stored(partial(_read_image, config, images, by_path[data.path]))
        return data

    try:
        stream_zip(((name, entry(name, data)) for name, data in frame), _modified(edition.views), out.write)
    except ZipLimit as exc:
        raise _too_big(config, edition, str(exc)) from None


#: Files of a book besides its chapters and images, and room to spare (package, navigation,
#: NCX, contents, cover, title page, stylesheet, fonts and their licence).
_FRAME_FILES = 64


def _too_big(config: Config, edition: Edition, what: str) -> ConfigError:
    return ConfigError(
        f"the book {edition.path} would hold {what}: past what an EPUB holds without ZIP64 "
        f"({MAX_ENTRIES:,} files, 4 GiB), which many e-readers cannot open. Make smaller books: "
        '[[editions]] with kind = "period" (one a month) or an n for the newest articles '
        "(docs/editions.md)", config.file)


def _frame_key(config: Config, edition: Edition, chapters: list[Chapter], media: list[_Shown],
               images: Images) -> tuple[str, ...]:
    """A hash of everything the frame is made of: the settings, the edition, every article's
    metadata (not its body), every chapter's name and facts, and the images' digests."""
    plain = [repr(config), edition.key, edition.path, edition.heading, edition.dates, edition.series,
             edition.position, edition.subjects, edition.site_only, edition.language, edition.editor,
             [(s.key, s.label, [v.shape for v in s.views]) for s in edition.sections],
             [(c.name, c.properties, c.images, c.described, c.mathml, c.lacks) for c in chapters],
             [(i.id, i.href, i.media_type, images.digest(i.path)) for i in media]]
    return ("frame", hashlib.sha256(repr(plain).encode("utf-8")).hexdigest())


Frame = list[tuple[str, "bytes | Packed | Stored | Image | None"]]  # zip order; None: a chapter goes here


def _load_frame(data: bytes | None) -> Frame | None:
    if data is None:
        return None
    try:
        frame = pickle.loads(data)  # noqa: S301 - our own checksummed file
    except Exception:  # noqa: BLE001 - unreadable: made again
        return None
    return frame if isinstance(frame, list) else None


def _frame(config: Config, edition: Edition, chapters: list[Chapter], media: list[_Shown], images: Images) -> Frame:
    views = edition.views
    identifier = book_identifier(config, edition.key)
    title = edition.book_title(config.title)
    # Whether a GIF is animated is in the accessibility metadata: the survey reads each, one at a time.
    gifs = (Item(i.id, i.href, i.media_type, _read_image(config, images, i)) for i in media if i.media_type == "image/gif")
    access = survey(chapters, gifs, grouped=len(edition.sections) > 1)
    # ebooklib lists every image in the package, but only an SVG's bytes go through it (to be
    # deflated with the text); the others are read, and stored as they are, as the book is written
    kept = {"EPUB/" + i.href: Image(i.path, images.digest(i.path)) for i in media if i.media_type in STORED_TYPES}
    media_items = [Item(i.id, i.href, i.media_type, b"" if "EPUB/" + i.href in kept else _read_image(config, images, i))
                   for i in media]
    newest_first = sorted(views, key=ArticleView.sort_key, reverse=True)
    lang = edition.language
    count = n_(lang, "{n} article", "{n} articles", len(views))
    cover_alt = _(lang, "Cover: {site}.", site=config.title) + f" {edition.heading}, {edition.dates}. " + " ".join(
        f"{v.headline.rstrip('.')}." for v in newest_first[:3])
    info = bookpages.BookInfo(
        site=config.title, title=title, edition=edition, lang=edition.language,
        description=config.description, publisher=config.publisher, identifier=identifier,
        cover_alt=cover_alt,
    )
    cover = render_cover(CoverText(
        site=config.title, title=edition.heading, dates=edition.dates,
        headlines=tuple(v.headline for v in newest_first),
        footer=" · ".join(x for x in (config.publisher or config.title, count) if x),
    ), config.theme.cover)
    css = resources.files("publisher.books").joinpath("epub.css").read_bytes()
    theme = config.theme
    if theme.book_css:  # the site's rules after the built-in ones: the same selectors win
        css += (f"\n/* The site's theme: {theme.name + '/' + 'book.css'} */\n" + theme.book_css).encode("utf-8")
    items = [
        Item("nav", "nav.xhtml", "application/xhtml+xml", bookpages.nav_document(info), "nav"),
        Item("ncx", "toc.ncx", "application/x-dtbncx+xml", bookpages.ncx_document(info)),
        Item("css", CSS_PATH, "text/css", css),
        Item("cover-image", bookpages.COVER_IMAGE, "image/jpeg", cover, "cover-image"),
        Item("cover", bookpages.COVER_PAGE, "application/xhtml+xml", bookpages.cover_page(info)),
        Item("titlepage", bookpages.TITLE_PAGE, "application/xhtml+xml", bookpages.title_page(info)),
        Item("contents", CONTENTS, "application/xhtml+xml", bookpages.contents_page(info)),
    ]
    for n, font in enumerate(theme.fonts, start=1):  # beside the stylesheet: url(fonts/NAME) as in the theme
        items.append(Item(f"font{n:02d}", f"{FONTS_PATH}/{font.name}", font.media_type, font.data))
    if theme.fonts and theme.licence is not None:
        items.append(Item("font-licence", f"{FONTS_PATH}/{theme.licence[0]}", "text/plain", theme.licence[1]))
    spine = ["cover", "titlepage", "contents"]
    for n, chapter in enumerate(chapters, start=1):
        # ebooklib lists the chapter in the package; its bytes go into the zip compressed already
        items.append(Item(f"a{n:05d}", chapter.name, "application/xhtml+xml", b"", chapter.properties))
        spine.append(f"a{n:05d}")
    items += media_items
    book = package_document(config, edition, info, items, spine, access, views)
    frame = frame_of(book, _modified(views), {"EPUB/" + c.name for c in chapters} | kept.keys())
    return [(name, kept.get(name, data)) for name, data in frame]


def package_document(config: Config, edition: Edition, info: bookpages.BookInfo, items: list[Item],
                     spine: list[str], access: Accessibility, views: list[ArticleView]) -> epub.EpubBook:
    """The book for ebooklib: metadata (with accessibility), manifest, spine and the EPUB 2 guide."""
    book = epub.EpubBook()
    # The package identifier is a urn:uuid; calibre reads that as the book's uuid, which its
    # conversion replaces with a random one (so every Kindle copy got a new ASIN). A second
    # identifier in calibre's "scheme:value" form is kept as it is, and calibre's Kindle output
    # takes the first identifier that starts with "urn:uuid:" as the ASIN: the same book, the same
    # ASIN, and re-sending replaces the copy on the device.
    book.set_identifier(info.identifier)
    book.add_metadata(None, "meta", "22", {"refines": "#id", "property": "identifier-type", "scheme": "onix:codelist5"})
    book.add_metadata("DC", "identifier", f"{CALIBRE_SCHEME}:{info.identifier}", {"id": "calibre-id"})
    book.add_metadata("DC", "title", info.title, {"id": "title"})
    book.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
    # One language: the edition's. Readers and calibre take the first or the most specific
    # dc:language as the book's, and Kindle picks its dictionary by it; chapters say their own.
    book.set_language(edition.language)
    # The book is the site's (or its editor's); article authors are in their chapters' bylines,
    # and the most frequent few are contributors (an anthology's authors are not its authors).
    book.add_metadata("DC", "creator", edition.editor, {"id": "creator"})
    book.add_metadata(None, "meta", "edt" if edition.editor != (config.publisher or config.title) else "aut",
                      {"refines": "#creator", "property": "role", "scheme": "marc:relators"})
    book.add_metadata(None, "meta", edition.editor, {"refines": "#creator", "property": "file-as"})
    for n, name in enumerate(contributors(views), start=1):
        book.add_metadata("DC", "contributor", name, {"id": f"contributor{n}"})
        book.add_metadata(None, "meta", "ctb", {"refines": f"#contributor{n}", "property": "role", "scheme": "marc:relators"})
    if config.publisher:
        book.add_metadata("DC", "publisher", config.publisher)
    book.add_metadata("DC", "date", _utc(max(parse_iso(v.published) for v in views)))
    if config.description:
        book.add_metadata("DC", "description", config.description)
    for subject in edition.subjects:
        book.add_metadata("DC", "subject", subject)
    if edition.series:
        book.add_metadata(None, "meta", edition.series, {"property": "belongs-to-collection", "id": "series"})
        book.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
        book.add_metadata(None, "meta", edition.position, {"refines": "#series", "property": "group-position"})
    for name, values in access.metadata(config.publisher or config.title, edition.language):
        for value in values:
            book.add_metadata(None, "meta", value, {"property": name})
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})

    by_id = {}
    for item in items:
        # Plain items: ebooklib writes their bytes as they are (its EpubHtml/EpubNav rewrite them).
        entry = epub.EpubItem(uid=item.id, file_name=item.href, media_type=item.media_type, content=item.data)
        if item.properties:
            entry.properties = item.properties.split()
        book.add_item(entry)
        by_id[item.id] = entry
    book.spine = [by_id[idref] for idref in spine]
    book.guide = [
        {"type": kind, "title": _(edition.language, label), "href": href}
        for kind, href, label in (("cover", bookpages.COVER_PAGE, "Cover"), ("toc", CONTENTS, "Contents"),
                                  ("text", chapter_name(views[0]), "Articles"))
    ]
    return book


class _FrameWriter(epub.EpubWriter):
    """ebooklib's writer, leaving out the entries of the ``placeholders`` (chapters: their bytes
    come compressed from chapterset). They are still in the package; the zip of 10,000
    chapters would otherwise hold 10,000 empty entries, written and read back for nothing."""

    def __init__(self, name, book: epub.EpubBook, options: dict, placeholders: set[str]) -> None:
        super().__init__(name, book, options)
        self.placeholders = placeholders

    def _write_opf_file(self, root) -> None:
        root.set(XML_LANG, self.book.language)  # Ace's epub-lang: the package says its language
        super()._write_opf_file(root)

    def _write_items(self) -> None:
        every = self.book.items
        self.book.items = [item for item in every if _zip_name(self.book, item) not in self.placeholders]
        try:
            super()._write_items()
        finally:
            self.book.items = every


def _zip_name(book: epub.EpubBook, item: epub.EpubItem) -> str:
    """Where ebooklib's writer puts an item in the zip."""
    inside = item.manifest or isinstance(item, (epub.EpubNcx, epub.EpubNav))
    return f"{book.FOLDER_NAME}/{item.file_name}" if inside else item.file_name


def frame_of(book: epub.EpubBook, when: dt.datetime, placeholders: set[str]) -> Frame:
    """ebooklib's container, laid out again: ``mimetype`` first and stored, the package next,
    every other entry deflated but those compressed already (:data:`STORED_TYPES`), stored,
    and ``None`` for the ``placeholders``, in the order ebooklib
    lists them (their compressed bytes are put in by the caller)."""
    raw = io.BytesIO()
    # compresslevel 0: ebooklib's own deflate would be thrown away by the repacking below
    writer = _FrameWriter(raw, book, {"mtime": when, "epub3_pages": False, "spine_direction": False,
                                      "compresslevel": 0}, placeholders)
    writer.process()
    writer.write()
    order = [_zip_name(book, item) for item in book.get_items()]
    stored = {_zip_name(book, item) for item in book.get_items() if item.media_type in STORED_TYPES}
    missing = placeholders - set(order)
    assert not missing, f"ebooklib left out {sorted(missing)[:3]}"
    with zipfile.ZipFile(raw) as written:
        names = written.namelist()
        first = ["mimetype", "META-INF/container.xml", "EPUB/content.opf"]
        assert names[:3] == first and names[3:] == [n for n in order if n not in placeholders], names[:5]
        frame: Frame = []
        # zlib lets go of the GIL while it deflates: the images and pages of a big book are
        # packed on every core (the same bytes as one by one), a few MB at a time, so that
        # no more than that is held unpacked at once
        with ThreadPoolExecutor(min(os.cpu_count() or 1, 8)) as threads:
            batch: list[tuple[int, bytes]] = []
            held = 0
            for name in [*first, *order, ""]:
                if batch and (not name or held > _BATCH_BYTES):
                    for (at, _), packed in zip(batch, threads.map(pack, [data for _, data in batch]), strict=True):
                        frame[at] = (frame[at][0], packed)
                    batch, held = [], 0
                if not name:
                    break
                if name in placeholders:
                    frame.append((name, None))
                elif name == "mimetype":
                    frame.append((name, written.read(name)))
                elif name in stored:  # the cover, a font compressed already
                    frame.append((name, Stored(written.read(name))))
                else:
                    frame.append((name, None))
                    batch.append((len(frame) - 1, written.read(name)))
                    held += len(batch[-1][1])
    return frame


_BATCH_BYTES = 8 * 1024 * 1024
