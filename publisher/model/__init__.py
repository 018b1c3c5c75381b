"""The article vocabulary: its schema, validation, and read-only access for renderers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from lxml import etree

from publisher.dates import parse_iso
from publisher.xmlutil import A, H, PARSER, XML_LANG


@functools.cache
def schema() -> etree.RelaxNG:
    data = resources.files("publisher.model").joinpath("article.rng").read_bytes()
    return etree.RelaxNG(etree.fromstring(data, PARSER))


def validate(root: etree._Element) -> list[str]:
    """Schema errors for an article document, as ``line: message`` strings (empty when valid)."""
    rng = schema()
    if rng.validate(root):
        return []
    return [f"{e.line}: {e.message}" for e in rng.error_log]


@dataclass(frozen=True)
class Author:
    name: str
    bio_xml: tuple[bytes, ...] = ()  # each paragraph of the bio, serialized

    @functools.cached_property
    def bio(self) -> tuple[etree._Element, ...]:
        """The bio's paragraphs as elements (parsed when first asked for)."""
        return tuple(etree.fromstring(p, PARSER) for p in self.bio_xml)


@dataclass(frozen=True)
class Resource:
    href: str
    path: str
    type: str
    length: int


@dataclass(frozen=True)
class ArticleMeta:
    """Everything renderers read of an article except its body: small, picklable, and kept in
    the cache's catalog so that a rebuild need not parse unchanged articles again."""

    digest: str  # hash of the normalized document's bytes
    id: str
    uri: str
    slug: str
    source: str
    headline: str
    deck: str
    published: str
    updated: str
    summary: str
    language: str
    canonical: str
    draft: bool
    lang: str | None
    authors: tuple[Author, ...]
    tags: tuple[tuple[str, str], ...]  # (slug, label)
    resources: tuple[Resource, ...]
    lead_image: tuple[Resource, str] | None  # the first local image of the body, and its alt

    @classmethod
    def of(cls, root: etree._Element, digest: str = "") -> ArticleMeta:
        meta = root.find(A + "meta")

        def text(name: str) -> str:
            el = meta.find(A + name)
            return (el.text or "") if el is not None else ""

        resources = tuple(
            Resource(r.get("href"), r.get("path"), r.get("type"), int(r.get("length")))
            for r in meta.iterfind(f"{A}resources/{A}resource")
        )
        lead = None
        by_href = {r.href: r for r in resources}
        for img in root.find(A + "body").iter(H + "img"):
            res = by_href.get(img.get("src"))
            if res is not None:
                lead = (res, img.get("alt") or "")
                break
        return cls(
            digest=digest, id=text("id"), uri=text("uri"), slug=text("slug"), source=text("source"),
            headline=text("headline"), deck=text("deck"), published=text("published"),
            updated=text("updated"), summary=text("summary"), language=text("language"),
            canonical=text("canonical"), draft=root.get("status") == "draft", lang=root.get(XML_LANG),
            authors=tuple(
                Author(el.findtext(A + "name"), tuple(etree.tostring(p) for p in el.iterfind(f"{A}bio/*")))
                for el in meta.iterfind(f"{A}authors/{A}author")
            ),
            tags=tuple((t.get("slug"), t.text) for t in meta.iterfind(f"{A}tags/{A}tag")),
            resources=resources, lead_image=lead,
        )


    @functools.cached_property
    def plain(self) -> tuple:
        """The record as nested tuples of str, int, bool and None (for ``marshal``)."""
        res = lambda r: (r.href, r.path, r.type, r.length)  # noqa: E731
        return (self.digest, self.id, self.uri, self.slug, self.source, self.headline, self.deck,
                self.published, self.updated, self.summary, self.language, self.canonical,
                self.draft, self.lang, tuple((a.name, a.bio_xml) for a in self.authors), self.tags,
                tuple(res(r) for r in self.resources),
                (res(self.lead_image[0]), self.lead_image[1]) if self.lead_image else None)

    @classmethod
    def from_plain(cls, t: tuple) -> ArticleMeta:
        """The inverse of :meth:`plain`."""
        lead = t[17]
        meta = cls(*t[:14], tuple(Author(n, b) for n, b in t[14]), t[15],
                   tuple(Resource(*r) for r in t[16]), (Resource(*lead[0]), lead[1]) if lead else None)
        meta.__dict__["plain"] = t  # cached_property's slot: it is the tuple it was made from
        return meta


class ArticleView:
    """Typed, read-only access to a normalized article document.

    Metadata (an :class:`ArticleMeta`) is read once into attributes. The document itself is
    kept as a tree, as bytes, or only as a way to load its bytes again (``load``, e.g. from the
    cache): ``root`` and ``body`` parse it when asked for, so a build of many articles holds
    neither every tree nor every document in memory at once.
    """

    def __init__(self, root: etree._Element, digest: str = "", *, xml: bytes | None = None) -> None:
        self._root: etree._Element | None = root if xml is None else None
        self._xml = xml
        self._load: Callable[[], bytes] | None = None
        self._set(ArticleMeta.of(root, digest))

    @classmethod
    def from_xml(cls, xml: bytes, digest: str = "") -> ArticleView:
        return cls(etree.fromstring(xml, PARSER), digest, xml=xml)

    @classmethod
    def from_meta(cls, meta: ArticleMeta, load: Callable[[], bytes], ref: object = None) -> ArticleView:
        """A view of a document known by its metadata; ``load()`` gives its bytes when needed.
        ``ref`` is a small picklable stand-in for the bytes that worker processes can load."""
        view = cls.__new__(cls)
        view._root = view._xml = None
        view._load = load
        view.ref = ref
        view._set(meta)
        return view

    def _set(self, meta: ArticleMeta) -> None:
        self.meta = meta
        self.ref = getattr(self, "ref", None)
        #: Hash of the normalized document's bytes: what renderers' caches key on.
        self.digest = meta.digest
        self.id, self.uri, self.slug, self.source = meta.id, meta.uri, meta.slug, meta.source
        self.headline, self.deck, self.summary = meta.headline, meta.deck, meta.summary
        self.published, self.updated = meta.published, meta.updated
        self.language, self.canonical, self.draft, self.lang = meta.language, meta.canonical, meta.draft, meta.lang
        self.authors = list(meta.authors)
        self.tags = list(meta.tags)  #: (slug, label) pairs
        self.resources = list(meta.resources)
        #: The first local image of the body and its alt text: the article's picture in feeds.
        self.lead_image = meta.lead_image
        self._sort_key = (parse_iso(meta.published).timestamp(), meta.id)

    @property
    def root(self) -> etree._Element:
        if self._root is not None:
            return self._root
        return etree.fromstring(self.xml, PARSER)

    @property
    def xml(self) -> bytes:
        """The document's bytes (as stored, loaded again, or serialized from the tree)."""
        if self._xml is not None:
            return self._xml
        if self._load is not None:
            return self._load()
        return etree.tostring(self.root)

    @property
    def body(self) -> etree._Element:
        return self.root.find(A + "body")

    def sort_key(self) -> tuple[float, str]:
        """Newest first is ``sorted(..., key=sort_key, reverse=True)``; ties broken by id."""
        return self._sort_key


__all__ = ["ArticleMeta", "ArticleView", "Author", "Resource", "schema", "validate", "H"]
