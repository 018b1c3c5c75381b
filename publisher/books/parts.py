"""What the book renderer asks of whoever keeps its parts between builds (the incremental layer),
and of whoever gives it the site's images.

A book is made of parts that are worth keeping on their own: the frame (every file of the zip
but the chapters) and the chapters, compressed. The renderer says what each part is made from
(a key: plain strings, everything the part depends on but the tool's own code) and how to
turn it into plain data; the keeper decides where it is stored, whether a kept copy is still
good, and when it goes. :data:`NOTHING` keeps nothing: every part is made each time.
"""

from __future__ import annotations

from typing import Protocol


class Keeper(Protocol):
    """Implemented by :class:`publisher.incremental.books.CachedParts`."""

    def kept(self, slot: str, key: tuple[str, ...]) -> bytes | None:
        """The bytes kept in ``slot`` (one part: one version at a time) if made from ``key``."""

    def keep(self, slot: str, key: tuple[str, ...], data: bytes) -> None:
        """Keep ``data``, made from ``key``, in ``slot`` (replacing what was there)."""

    def pack(self, slot: str) -> dict[str, tuple]:
        """The items last stored in the pack ``slot`` (by hex key); what cannot be read is left out."""

    def store_pack(self, slot: str, items: dict[str, tuple], old: dict[str, tuple]) -> None:
        """Store ``items`` (hex key -> tuple of marshal-able values) as the pack ``slot``;
        ``old`` is what :meth:`pack` gave: an item that is the same object as there is unchanged."""


class Images(Protocol):
    """The site's images, as the book takes them: each read when its entry is written (and when
    the frame is made), one at a time; never all held at once. Implemented by
    :class:`publisher.build.SiteMedia`."""

    def digest(self, path: str) -> str:
        """A hash of the bytes of the image ``path`` (relative to the articles folder) as the
        build found them: what the book's keys are made of."""

    def read(self, path: str, user: str | None = None) -> bytes:
        """The bytes of image ``path`` as published (an SVG cleaned), checked to be those its
        :meth:`digest` was made from; a SourceError (at ``user``, the source of an article that
        shows the image, when given) if it cannot be read or has changed since."""


class _Nothing:
    """Keeps nothing."""

    def kept(self, slot: str, key: tuple[str, ...]) -> bytes | None:
        return None

    def keep(self, slot: str, key: tuple[str, ...], data: bytes) -> None:
        return None

    def pack(self, slot: str) -> dict[str, tuple]:
        return {}

    def store_pack(self, slot: str, items: dict[str, tuple], old: dict[str, tuple]) -> None:
        return None


NOTHING: Keeper = _Nothing()
