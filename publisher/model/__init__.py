"""The article vocabulary: its schema, validation, and read-only access for renderers."""

from __future__ import annotations

import copy
import functools
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
    bio: tuple[etree._Element, ...]


@dataclass(frozen=True)
class Resource:
    href: str
    path: str
    type: str
    length: int


class ArticleView:
    """Typed, read-only access to a normalized article document.

    Metadata is read once into attributes. Made with ``from_xml``, a view keeps only the
    document's bytes and parses them again when ``root`` or ``body`` is asked for, so that a
    build of many articles does not hold every tree in memory at once.
    """

    def __init__(self, root: etree._Element, digest: str = "", *, xml: bytes | None = None) -> None:
        #: Hash of the normalized document's bytes: what renderers' caches key on.
        self.digest = digest
        self._root: etree._Element | None = root if xml is None else None
        self._xml = xml
        meta = root.find(A + "meta")

        def text(name: str) -> str:
            el = meta.find(A + name)
            return (el.text or "") if el is not None else ""

        self.id = text("id")
        self.uri = text("uri")
        self.slug = text("slug")
        self.source = text("source")
        self.headline = text("headline")
        self.deck = text("deck")
        self.published = text("published")
        self.updated = text("updated")
        self.summary = text("summary")
        self.language = text("language")
        self.canonical = text("canonical")
        self.draft = root.get("status") == "draft"
        self.lang = root.get(XML_LANG)
        self.authors = [
            Author(el.findtext(A + "name"), tuple(copy.deepcopy(p) for p in el.iterfind(f"{A}bio/*")))
            for el in meta.iterfind(f"{A}authors/{A}author")
        ]
        #: (slug, label) pairs
        self.tags = [(t.get("slug"), t.text) for t in meta.iterfind(f"{A}tags/{A}tag")]
        self.resources = [
            Resource(r.get("href"), r.get("path"), r.get("type"), int(r.get("length")))
            for r in meta.iterfind(f"{A}resources/{A}resource")
        ]
        #: The first local image of the body and its alt text: the article's picture in feeds.
        self.lead_image: tuple[Resource, str] | None = None
        by_href = {r.href: r for r in self.resources}
        for img in root.find(A + "body").iter(H + "img"):
            res = by_href.get(img.get("src"))
            if res is not None:
                self.lead_image = (res, img.get("alt") or "")
                break
        self._sort_key = (parse_iso(self.published).timestamp(), self.id)

    @classmethod
    def from_xml(cls, xml: bytes, digest: str = "") -> ArticleView:
        return cls(etree.fromstring(xml, PARSER), digest, xml=xml)

    @property
    def root(self) -> etree._Element:
        if self._root is not None:
            return self._root
        assert self._xml is not None
        return etree.fromstring(self._xml, PARSER)

    @property
    def xml(self) -> bytes:
        """The document's bytes (as stored, or serialized from the tree it was made with)."""
        return self._xml if self._xml is not None else etree.tostring(self.root)

    @property
    def body(self) -> etree._Element:
        return self.root.find(A + "body")

    def sort_key(self) -> tuple[float, str]:
        """Newest first is ``sorted(..., key=sort_key, reverse=True)``; ties broken by id."""
        return self._sort_key


__all__ = ["ArticleView", "Author", "Resource", "schema", "validate", "H"]
