"""Books made through the cache: each edition keyed by everything it is made from, and not made
at all while the book it gave is in the output folder as it was (after an edit only the editions
holding that article are made again); the parts of a book being made (its frame, its chapter
pack) are kept by :class:`CachedParts`, the cache's side of :class:`publisher.books.parts.Keeper`,
so that a book made again is mostly put together from them. A book is written into its output
file as it is made, never held whole (nor kept whole in the cache: at 10,000 articles with two
images each it is hundreds of MB)."""

from __future__ import annotations

import io
import marshal
import sys
from functools import partial
from typing import BinaryIO

from publisher.books.editions import Edition, plan_editions
from publisher.books.epub import write_book
from publisher.books.parts import Images
from publisher.config import Config
from publisher.incremental.cache import HEX, Cache, blob_key, by_shard
from publisher.model import ArticleView
from publisher.output import Output


def render_editions(
    config: Config, views: list[ArticleView], media: Images, cache: Cache | None = None,
    workers: int | None = None,
) -> dict[str, bytes]:
    """Every configured edition as output path -> EPUB bytes; by default the archive edition."""
    return {book.path: book.load() for book in edition_outputs(config, views, media, cache, workers)}


def edition_outputs(
    config: Config, views: list[ArticleView], media: Images, cache: Cache | None = None,
    workers: int | None = None,
) -> list[Output]:
    """Every configured edition, each made only when written (or loaded).

    A book whose inputs (settings, edition, articles, images) are unchanged is left in the
    output folder as it is; one made again takes the parts that did not change from the cache.
    """
    if cache is None or not all(v.digest for v in views):  # no digests: nothing to key books on
        cache = Cache(None)
    books = []
    for edition in plan_editions(config, views):
        key = _book_key(config, edition, media)
        write = partial(_write_book, config, edition, media, cache, workers, key)
        books.append(Output(edition.path, key, partial(_book_bytes, write),
                            partial(_keep_parts, cache, edition.path, key), write))
    return books


def _write_book(config: Config, edition: Edition, media: Images, cache: Cache, workers: int | None, key: str,
                out: BinaryIO) -> None:
    with cache.tracking() as parts:
        write_book(config, edition, media, out, CachedParts(cache), workers)
    cache.put_kept("book parts " + edition.path, key, "\n".join(sorted(parts)).encode("ascii"))


def _book_bytes(write: partial) -> bytes:
    out = io.BytesIO()
    write(out)
    return out.getvalue()


def _keep_parts(cache: Cache, path: str, key: str) -> None:
    """The book is on disk as it was made: its frame and chapter packs stay in the cache for
    the next time it is made."""
    parts = cache.get_kept("book parts " + path, key)
    cache.keep(parts.decode("ascii").split() if parts else ())


def _book_key(config: Config, edition: Edition, media: Images) -> str:
    parts = [repr(config), edition.key, edition.path, edition.heading, edition.dates, edition.series,
             edition.position, repr(edition.subjects), str(edition.site_only)]
    for section in edition.sections:
        parts.append(f"section {section.key} {section.label}")
        parts += [view.digest for view in section.views]
    for path in sorted({r.path for view in edition.views for r in view.resources}):
        parts.append(f"{path} {media.digest(path)}")
    return blob_key("book", *parts)


#: marshal's format belongs to one Python version; packs of another are not read.
PACK_FORMAT = f"marshal {marshal.version} {sys.version_info[0]}.{sys.version_info[1]}"


class CachedParts:
    """A book's parts kept in the build cache (see :class:`publisher.books.parts.Keeper`): the
    renderer's keys are hashed with the tool's identity, so other code never uses them."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def kept(self, slot: str, key: tuple[str, ...]) -> bytes | None:
        return self.cache.get_kept(slot, blob_key(*key))

    def keep(self, slot: str, key: tuple[str, ...], data: bytes) -> None:
        self.cache.put_kept(slot, blob_key(*key), data)

    def pack(self, slot: str) -> dict[str, tuple]:
        """A pack is kept in 16 files, by the first hex digit of the item's key: an edit
        rewrites the one or two files its chapters are in."""
        base = blob_key("pack", slot, PACK_FORMAT)
        items: dict[str, tuple] = {}
        for shard in HEX:
            data = self.cache.get_blob(blob_key(base, shard))
            if data is None:
                continue
            try:  # plain tuples with marshal: several times faster than pickled objects both ways
                loaded = marshal.loads(data)
                items.update((k, t) for k, t in loaded.items() if isinstance(t, tuple))
            except Exception:  # noqa: BLE001 - unreadable: its items are made again
                continue
        return items

    def store_pack(self, slot: str, items: dict[str, tuple], old: dict[str, tuple]) -> None:
        """Write the shards whose items differ from ``old`` (what :meth:`pack` gave)."""
        base = blob_key("pack", slot, PACK_FORMAT)
        now_by, old_by = by_shard(items), by_shard(old)
        for shard in HEX:
            now = now_by[shard]
            if now.keys() == old_by[shard].keys() and all(old[k] is t for k, t in now.items()):
                continue
            self.cache.put_blob(blob_key(base, shard), marshal.dumps(now))
