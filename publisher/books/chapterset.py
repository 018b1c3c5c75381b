"""The chapters of one edition: made on all cores, kept compressed, and remade only when changed.

A chapter is one article's XHTML (see :mod:`chapters`), repaired for EPUB (:mod:`epubfix`) and
deflated for the zip. What it is made of is recorded with it: the article's digest, its
neighbours and section (in its key), every answer the book's link map gave while it was
made (which other articles and images are in this book, and under what name), and the ids of the
chapters it links into with a fragment. A kept chapter is used only when all of these are
still the same, so after one article is edited only that chapter (and the ones whose previous or
next link shows its headline) is made again; the rest of the book is copied compressed.

The chapters are kept by whoever the caller passes as ``keeper`` (:mod:`parts`; the
incremental layer), as one pack per edition with exactly the chapters the last build used.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from lxml import etree

from publisher import memory
from publisher.books import pages as bookpages
from publisher.books.a11y import count_images, shortcomings
from publisher.books.chapters import Neighbours, Rewriter, chapter_name, chapter_tree
from publisher.books.epubfix import link_across_one, make_conformant, targets_across
from publisher.books.parts import NOTHING, Keeper
from publisher.books.zipwriter import pack
from publisher.model import ArticleView, Meta
from publisher.xmlutil import EPUB_NS, XHTML_NS

SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
#: Below this many chapters to make, worker processes cost more than they save.
POOL_MIN = 64
#: At most this many chapters go to a worker at a time (about 40 ms of work).
CHUNK_MAX = 16


@dataclass(frozen=True)
class Near:
    """What a chapter shows of a neighbour: its link (from the slug), headline and language."""

    slug: str
    headline: str
    lang: str | None


@dataclass(frozen=True)
class Chapter:
    name: str
    properties: str  # "mathml", "svg" for the manifest
    ids: tuple[str, ...]
    images: int  # images and top-level SVGs (accessibility summary)
    described: int  # ... of which have a text alternative
    mathml: bool
    crc: int
    size: int
    packed: bytes  # raw DEFLATE of the XHTML
    asked: tuple[tuple[str, str, str | None], ...]  # ("c"|"m", URL, what the link map answered)
    across: tuple[tuple[str, str], ...]  # (chapter linked with a fragment, hash of its ids)
    lacks: tuple[tuple[str, int], ...] = ()  # accessibility shortcomings found (see a11y.shortcomings)

    def data(self) -> bytes:
        return zlib.decompress(self.packed, -15)


def _text(near: Near | None) -> str:
    return "-" if near is None else f"{near.slug}\x1f{near.headline}\x1f{near.lang}"


def ids_hash(ids: tuple[str, ...]) -> str:
    return hashlib.sha256("\0".join(ids).encode("utf-8")).hexdigest()[:16]


class _Recorder(Rewriter):
    """The book's link map, noting every question asked of it."""

    def __init__(self, chapters: dict[str, str], media: dict[str, str]) -> None:
        self.log: dict[tuple[str, str], str | None] = {}
        self.chapters = _Asked(chapters, "c", self.log)
        self.media = _Asked(media, "m", self.log)
        self.pending = []

    def asked(self) -> tuple[tuple[str, str, str | None], ...]:
        return tuple(sorted((kind, url, answer) for (kind, url), answer in self.log.items()))


class _Asked:
    """One map of the book's (read, never copied: every chapter shares it), noting in ``log``
    each question asked of it and the answer."""

    __slots__ = ("data", "kind", "log")

    def __init__(self, data: dict[str, str], kind: str, log: dict[tuple[str, str], str | None]) -> None:
        self.data = data
        self.kind = kind
        self.log = log

    def get(self, key, default=None):  # noqa: D102 - dict.get, recorded
        value = self.data.get(key)
        self.log[(self.kind, key)] = value
        return value if value is not None else default


def _still_true(chapter: Chapter, chapters: dict[str, str], media: dict[str, str]) -> bool:
    for kind, url, answer in chapter.asked:
        if (chapters if kind == "c" else media).get(url) != answer:
            return False
    return True


def _facts(name: str, html: etree._Element, ids: tuple[str, ...], asked) -> tuple[Chapter, bytes]:
    """The chapter's facts and XHTML, not yet compressed (``packed`` is empty)."""
    etree.cleanup_namespaces(html, top_nsmap={None: XHTML_NS, "epub": EPUB_NS})
    data = bookpages.serialize(html)
    images, described = count_images(html)
    mathml = next(html.iter(f"{{{MATHML_NS}}}math"), None) is not None
    svg = next(html.iter(f"{{{SVG_NS}}}svg"), None) is not None
    properties = " ".join(name for name, present in (("mathml", mathml), ("svg", svg)) if present)
    return Chapter(name, properties, ids, images, described, mathml, 0, len(data), b"", asked, (),
                   shortcomings(html)), data


def _packed(chapter: Chapter, data: bytes, across: tuple[tuple[str, str], ...] = ()) -> Chapter:
    """The chapter with ``data`` as its compressed XHTML."""
    crc, size, packed = pack(data)
    return Chapter(chapter.name, chapter.properties, chapter.ids, chapter.images, chapter.described,
                   chapter.mathml, crc, size, packed, chapter.asked, across, chapter.lacks)


# -- one chapter, in this process or a worker -------------------------------------------------

_maps: tuple[dict[str, str], dict[str, str], frozenset[str]] | None = None


def _init(chapters: dict[str, str], media: dict[str, str]) -> None:
    global _maps
    _maps = (chapters, media, frozenset(chapters.values()))


def _init_worker(chapters: dict[str, str], media: dict[str, str]) -> None:
    memory.worker_started()
    _init(chapters, media)


def _make(task: tuple[bytes | Callable[[], bytes | None], Meta, Near | None, Near | None, str, str, str]
          ) -> tuple[Chapter, bytes | None, tuple[str, ...]] | None:
    """(chapter, its XHTML and the chapters it links into when it links into other chapters
    with fragments: those links are fixed by :func:`_link`, once every chapter's ids are known).

    The task carries the article's document, or the view's ``ref``, which a worker calls to
    read it: None when that gives nothing, and the caller makes the chapter itself.
    """
    assert _maps is not None
    source, meta, previous, following, section_id, section_label, site_lang = task
    chapters, media, names = _maps
    xml = source if isinstance(source, bytes) else source()
    if xml is None:
        return None
    view = ArticleView.from_meta(meta, lambda: xml)
    rewrite = _Recorder(chapters, media)
    around = Neighbours(previous, following, section_id, section_label, site_lang)
    html = chapter_tree(view, rewrite, around)  # type: ignore[arg-type]  # Near stands in for a view
    ids = make_conformant(html)
    name = chapter_name(view)
    targets = targets_across(name, html, names)
    chapter, data = _facts(name, html, ids, rewrite.asked())
    if targets:
        return chapter, data, targets
    return _packed(chapter, data), None, ()


def _link(task: tuple[Chapter, bytes, dict[str, tuple[str, ...]]]) -> Chapter:
    """Fix one chapter's fragment links into other chapters, given those chapters' ids.

    Only ``href`` values change (a fragment is matched or dropped; the link stays): the facts
    found by :func:`_make` (ids, images, shortcomings...) still hold.
    """
    chapter, data, ids = task
    html = etree.fromstring(data)
    targets = link_across_one(chapter.name, html, ids, {})
    etree.cleanup_namespaces(html, top_nsmap={None: XHTML_NS, "epub": EPUB_NS})
    return _packed(chapter, bookpages.serialize(html),
                   tuple((t, ids_hash(ids.get(t, ()))) for t in sorted(targets)))


# -- the whole edition ------------------------------------------------------------------------

def make_chapters(site_lang: str, sections, views: list[ArticleView], pack_slot: str,
                  keeper: Keeper | None = None, workers: int | None = None) -> list[Chapter]:
    """Every chapter of the book in reading order. ``sections``: (section id, label, views);
    ``pack_slot``: the edition's pack of chapters in ``keeper``."""
    keeper = keeper or NOTHING
    rewrite = Rewriter(views)
    chapters, media = dict(rewrite.chapters), dict(rewrite.media)
    kept = keeper.pack(pack_slot)
    old = _chapters(kept)

    order: list[tuple[str, tuple, ArticleView]] = []  # (key, task, view) in reading order
    position = 0
    for section_id, section_label, members in sections:
        for view in members:
            prev_view = views[position - 1] if position else None
            next_view = views[position + 1] if position + 1 < len(views) else None
            near = [Near(v.slug, v.headline, v.lang) if v is not None else None for v in (prev_view, next_view)]
            task = (view.ref or view.xml, view.meta,
                    near[0], near[1], section_id, section_label, site_lang)
            key = _key(view.digest, *(_text(n) for n in near), section_id, section_label, site_lang)
            order.append((key, task, view))
            position += 1

    done: dict[str, Chapter] = {}
    todo: list[int] = []
    for i, (key, task, _) in enumerate(order):
        hit = old.get(key)
        if hit is not None and task[1][0] and _still_true(hit, chapters, media):  # [1][0]: the digest
            done[key] = hit
        else:
            todo.append(i)
    linking: dict[str, tuple[bytes, tuple[str, ...]]] = {}  # key -> (XHTML, chapters it links into)
    _init(chapters, media)
    with _Workers(workers, len(todo), chapters, media) as run:
        for i, made in zip(todo, run(_make, [order[i][1] for i in todo]), strict=True):
            if made is None:  # the ref gave nothing: the view loads (or remakes) the document
                made = _make((order[i][2].xml, *order[i][1][1:]))
                assert made is not None
            chapter, pending, targets = made
            done[order[i][0]] = chapter
            if pending is not None:
                linking[order[i][0]] = (pending, targets)
        ids = {c.name: c.ids for c in done.values()}
        # a kept chapter linking into one whose ids changed is made again (its links, as
        # written in the source, are matched against the new ids)
        for key, task, view in order:
            chapter = done[key]
            if key not in linking and any(ids_hash(ids.get(t, ())) != h for t, h in chapter.across):
                made = _make((view.xml, *task[1:]))
                assert made is not None
                done[key], pending, targets = made
                linking[key] = (pending if pending is not None else done[key].data(), targets)
        jobs = [(done[key], data, {t: ids.get(t, ()) for t in targets})
                for key, (data, targets) in linking.items()]
        for key, chapter in zip(linking, run(_link, jobs), strict=True):
            done[key] = chapter
    result = [done[key] for key, _, _ in order]
    if todo or linking or set(old) != {key for key, _, _ in order}:
        keeper.store_pack(pack_slot, {key: kept[key] if done[key] is old.get(key) else _plain(done[key])
                                      for key, _, _ in order}, kept)
    return result


class _Workers:
    """Runs a function over tasks, in order: in worker processes when there are enough tasks
    to be worth them (one pool for the whole edition), else here (``_init`` done by the caller)."""

    def __init__(self, workers: int | None, tasks: int, chapters: dict[str, str], media: dict[str, str]) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.pool = None
        if self.workers > 1 and tasks >= POOL_MIN:
            self.pool = ProcessPoolExecutor(self.workers, initializer=_init_worker, initargs=(chapters, media))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            memory.release()

    def __call__(self, fn, tasks: list) -> list:
        if self.pool is None or len(tasks) < POOL_MIN:
            return [fn(task) for task in tasks]
        # small chunks keep every worker busy to the end of the list (a sixteenth of it each, as
        # before, is 625 chapters at 10,000: one worker could go on alone for a second or more)
        return list(self.pool.map(fn, tasks, chunksize=max(1, min(CHUNK_MAX, len(tasks) // (self.workers * 8)))))


def _key(*parts: str) -> str:
    """A chapter's key in its pack: a hash of everything it shows but the links it asked about
    (those are checked one by one, see :func:`_still_true`)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _plain(c: Chapter) -> tuple:
    """A chapter as plain values, to be kept (a tuple: several times faster than an object both ways)."""
    return (c.name, c.properties, c.ids, c.images, c.described, c.mathml, c.crc, c.size, c.packed,
            c.asked, c.across, c.lacks)


def _chapters(kept: dict[str, tuple]) -> dict[str, Chapter]:
    """The chapters of a pack; an item of another shape is left out (its chapter is made again)."""
    old: dict[str, Chapter] = {}
    for key, t in kept.items():
        try:
            old[key] = Chapter(*t)
        except TypeError:
            continue
    return old


__all__ = ["Chapter", "Near", "make_chapters"]
