"""The article vocabulary: its schema, validation, and read-only access for renderers."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from lxml import etree

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
    """Typed, read-only access to a normalized article document."""

    def __init__(self, root: etree._Element, digest: str = "") -> None:
        self.root = root
        self._meta = root.find(A + "meta")
        #: Hash of the normalized document's bytes: what renderers' caches key on.
        self.digest = digest

    def _text(self, name: str) -> str:
        el = self._meta.find(A + name)
        return el.text or "" if el is not None else ""

    id = property(lambda self: self._text("id"))
    uri = property(lambda self: self._text("uri"))
    slug = property(lambda self: self._text("slug"))
    source = property(lambda self: self._text("source"))
    headline = property(lambda self: self._text("headline"))
    deck = property(lambda self: self._text("deck"))
    published = property(lambda self: self._text("published"))
    updated = property(lambda self: self._text("updated"))
    summary = property(lambda self: self._text("summary"))
    language = property(lambda self: self._text("language"))
    canonical = property(lambda self: self._text("canonical"))

    @property
    def draft(self) -> bool:
        return self.root.get("status") == "draft"

    @property
    def lang(self) -> str:
        return self.root.get(XML_LANG)

    @property
    def authors(self) -> list[Author]:
        out = []
        for el in self._meta.iterfind(f"{A}authors/{A}author"):
            bio = el.find(A + "bio")
            out.append(Author(el.findtext(A + "name"), tuple(bio) if bio is not None else ()))
        return out

    @property
    def tags(self) -> list[tuple[str, str]]:
        """(slug, label) pairs."""
        return [(t.get("slug"), t.text) for t in self._meta.iterfind(f"{A}tags/{A}tag")]

    @property
    def resources(self) -> list[Resource]:
        return [
            Resource(r.get("href"), r.get("path"), r.get("type"), int(r.get("length")))
            for r in self._meta.iterfind(f"{A}resources/{A}resource")
        ]

    @property
    def lead_image(self) -> tuple[Resource, str] | None:
        """The first local image of the body and its alt text: the article's picture in feeds."""
        by_href = {r.href: r for r in self.resources}
        for img in self.body.iter(H + "img"):
            res = by_href.get(img.get("src"))
            if res is not None:
                return res, img.get("alt") or ""
        return None

    @property
    def body(self) -> etree._Element:
        return self.root.find(A + "body")

    def sort_key(self) -> tuple[str, str]:
        """Newest first is ``sorted(..., key=sort_key, reverse=True)``; ties broken by id."""
        from publisher.dates import parse_iso

        return (parse_iso(self.published).timestamp(), self.id)


__all__ = ["ArticleView", "Author", "Resource", "schema", "validate", "H"]
