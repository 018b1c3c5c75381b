"""The article vocabulary: its schema, validation, and read-only access for renderers (article
XML in, ArticleViews out; content.py: the article as readers see it, shared by outputs)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from lxml import etree

from publisher.dates import parse_iso
from publisher.xmlutil import PARSER, XML_LANG, A, H


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
class Enclosure:
    """The audio or video file an article encloses: ``path`` is "" for a remote one (then
    ``length`` may be 0, unknown); ``duration`` in whole seconds, None when unknown."""

    href: str
    path: str
    type: str
    length: int
    duration: int | None = None
    episode: int | None = None
    explicit: bool | None = None


def _enclosure(meta: etree._Element) -> tuple | None:
    el = meta.find(A + "enclosure")
    if el is None:
        return None

    def number(name: str) -> int | None:
        value = el.get(name)
        return int(value) if value is not None else None

    explicit = el.get("explicit")
    return (el.get("href"), el.get("path") or "", el.get("type"), int(el.get("length")), number("duration"),
            number("episode"), None if explicit is None else explicit == "true")


@dataclass(frozen=True)
class Resource:
    href: str
    path: str
    type: str
    length: int


#: An article's metadata as plain nested tuples (str, int, bool, None: ``marshal`` can store
#: it), in this order: digest, id, uri, slug, source, headline, deck, published, updated,
#: summary, language, canonical, draft, lang, authors ((name, (bio paragraph bytes, ...)), ...),
#: tags ((slug, label), ...), resources ((href, path, type, length), ...), lead image
#: ((href, path, type, length), alt) or None, enclosure (href, path, type, length, duration,
#: episode, explicit) or None, a hash of all but the digest (what the article shows besides its
#: body: book frames key on it), and last its aliases (earlier URLs, as written).
Meta = tuple


def meta_of(root: etree._Element, digest: str = "") -> Meta:
    """The :data:`Meta` of a normalized article document whose bytes hash to ``digest``."""
    meta = root.find(A + "meta")
    first: dict[object, etree._Element] = {}  # each tag's first element, as meta.find gives it
    for el in meta:
        first.setdefault(el.tag, el)

    def text(name: str) -> str:
        el = first.get(A + name)
        return (el.text or "") if el is not None else ""

    resources = tuple(
        (r.get("href"), r.get("path"), r.get("type"), int(r.get("length")))
        for r in meta.iterfind(f"{A}resources/{A}resource")
    )
    lead = None
    by_href = {r[0]: r for r in resources}
    for img in root.find(A + "body").iter(H + "img"):
        res = by_href.get(img.get("src"))
        if res is not None:
            lead = (res, img.get("alt") or "")
            break
    fields = (
        text("id"), text("uri"), text("slug"), text("source"), text("headline"), text("deck"),
        text("published"), text("updated"), text("summary"), text("language"), text("canonical"),
        root.get("status") == "draft", root.get(XML_LANG),
        tuple((el.findtext(A + "name"), tuple(etree.tostring(p) for p in el.iterfind(f"{A}bio/*")))
              for el in meta.iterfind(f"{A}authors/{A}author")),
        tuple((t.get("slug"), t.text) for t in meta.iterfind(f"{A}tags/{A}tag")),
        resources, lead, _enclosure(meta),
    )
    # The earlier addresses (the aliases key, kept in <extra> as written, joined by ", "): after
    # the shape's hash, since the article does not show them (publisher.redirects reads them).
    field = meta.find(f"{A}extra/{A}field[@name='aliases']")
    aliases = tuple(a for a in (field.text or "").split(", ") if a.strip()) if field is not None else ()
    # repr, not marshal: marshal's bytes depend on which objects happen to be shared
    return (digest, *fields, hashlib.sha256(repr(fields).encode("utf-8")).hexdigest()[:32], aliases)


class ArticleView:
    """Typed, read-only access to a normalized article document.

    Its metadata (a :data:`Meta`) is read into attributes. The document itself is kept as a
    tree, as bytes, or only as a way to load its bytes again (``load``, e.g. from the cache):
    ``root`` and ``body`` parse it when asked for, so a build of many articles holds neither
    every tree nor every document in memory at once.
    """

    def __init__(self, root: etree._Element, digest: str = "", *, xml: bytes | None = None) -> None:
        self._root: etree._Element | None = root if xml is None else None
        self._xml = xml
        self._load: Callable[[], bytes] | None = None
        self.ref: object = None
        self._set(meta_of(root, digest))

    @classmethod
    def from_xml(cls, xml: bytes, digest: str = "") -> ArticleView:
        return cls(etree.fromstring(xml, PARSER), digest, xml=xml)

    @classmethod
    def from_meta(cls, meta: Meta, load: Callable[[], bytes], ref: object = None) -> ArticleView:
        """A view of a document known by its metadata; ``load()`` gives its bytes when needed.
        ``ref`` is a small picklable stand-in for the bytes: called in a worker process, it
        gives them (or None, and the caller uses ``load``)."""
        view = cls.__new__(cls)
        view._root = view._xml = None
        view._load = load
        view.ref = ref
        view._set(meta)
        return view

    def _set(self, meta: Meta) -> None:
        #: The metadata as plain tuples (see :data:`Meta`).
        self.meta = meta
        #: ``digest``: hash of the normalized document's bytes, what renderers' caches key on.
        (self.digest, self.id, self.uri, self.slug, self.source, self.headline, self.deck, self.published,
         self.updated, self.summary, self.language, self.canonical, self.draft, self.lang) = meta[:14]

    @functools.cached_property
    def authors(self) -> list[Author]:
        return [Author(name, bio) for name, bio in self.meta[14]]

    @functools.cached_property
    def tags(self) -> list[tuple[str, str]]:
        """(slug, label) pairs."""
        return list(self.meta[15])

    @functools.cached_property
    def resources(self) -> list[Resource]:
        return [Resource(*r) for r in self.meta[16]]

    @functools.cached_property
    def lead_image(self) -> tuple[Resource, str] | None:
        """The first local image of the body and its alt text: the article's picture in feeds."""
        lead = self.meta[17]
        return (Resource(*lead[0]), lead[1]) if lead else None

    @functools.cached_property
    def enclosure(self) -> Enclosure | None:
        """The audio or video file the article encloses (a podcast episode), if any."""
        enc = self.meta[18]
        return Enclosure(*enc) if enc else None

    @property
    def aliases(self) -> tuple[str, ...]:
        """The article's earlier addresses as its source writes them (``aliases``)."""
        return self.meta[20] if len(self.meta) > 20 else ()

    @property
    def shape(self) -> str:
        """A hash of the metadata except the digest: it changes when anything the article shows
        besides its body does."""
        return self.meta[19]

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
    def parses_on_demand(self) -> bool:
        """Does every ``root`` or ``body`` give a tree of its own (which its caller may change)?"""
        return self._root is None

    @property
    def body(self) -> etree._Element:
        return self.root.find(A + "body")

    @functools.cached_property
    def _sort_key(self) -> tuple[float, str]:
        return (parse_iso(self.published).timestamp(), self.id)

    def sort_key(self) -> tuple[float, str]:
        """Newest first is ``sorted(..., key=sort_key, reverse=True)``; ties broken by id."""
        return self._sort_key


__all__ = ["ArticleView", "Meta", "meta_of", "Author", "Enclosure", "Resource", "schema", "validate", "H"]
