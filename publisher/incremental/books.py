"""Books made through the cache: each edition keyed by everything it is made from, and taken
whole from the cache when none of it changed (after an edit only the editions holding that
article are made again)."""

from __future__ import annotations

import hashlib
from functools import partial

from publisher.books.editions import Edition, plan_editions
from publisher.books.epub import render_book
from publisher.config import Config
from publisher.incremental.cache import Cache, blob_key
from publisher.model import ArticleView
from publisher.output import Output


def render_editions(
    config: Config, views: list[ArticleView], media: dict[str, bytes], cache: Cache | None = None,
    workers: int | None = None,
) -> dict[str, bytes]:
    """Every configured edition as output path -> EPUB bytes; by default the archive edition."""
    return {book.path: book.load() for book in edition_outputs(config, views, media, cache, workers)}


def edition_outputs(
    config: Config, views: list[ArticleView], media: dict[str, bytes], cache: Cache | None = None,
    workers: int | None = None,
) -> list[Output]:
    """Every configured edition, each made only when loaded.

    A book whose inputs (settings, edition, articles, images) are unchanged comes from the build
    cache: after an edit only the editions holding that article are made again.
    """
    if cache is None or not all(v.digest for v in views):  # no digests: nothing to key books on
        cache = Cache(None)
    books = []
    for edition in plan_editions(config, views):
        key = _book_key(config, edition, media)
        books.append(Output(edition.path, key, partial(_book, config, edition, media, cache, workers, key),
                            partial(_keep_book, cache, edition.path, key)))
    return books


def _book(config: Config, edition: Edition, media: dict[str, bytes], cache: Cache, workers: int | None,
          key: str) -> bytes:
    data = cache.get_kept("book " + edition.path, key)
    if data is None:
        with cache.tracking() as parts:
            data = render_book(config, edition, media, cache, workers)
        cache.put_kept("book " + edition.path, key, data)
        cache.put_kept("book parts " + edition.path, key, "\n".join(sorted(parts)).encode("ascii"))
    else:
        _keep_parts(cache, edition.path, key)
    return data


def _keep_book(cache: Cache, path: str, key: str) -> None:
    """The book is on disk as it was made: its kept copy, frame and chapter packs stay in the
    cache for the next time it is made."""
    cache.keep_slot("book " + path)
    _keep_parts(cache, path, key)


def _keep_parts(cache: Cache, path: str, key: str) -> None:
    parts = cache.get_kept("book parts " + path, key)
    cache.keep(parts.decode("ascii").split() if parts else ())


def _book_key(config: Config, edition: Edition, media: dict[str, bytes]) -> str:
    parts = [repr(config), edition.key, edition.path, edition.heading, edition.dates, edition.series,
             edition.position, repr(edition.subjects), str(edition.site_only)]
    for section in edition.sections:
        parts.append(f"section {section.key} {section.label}")
        parts += [view.digest for view in section.views]
    for path in sorted({r.path for view in edition.views for r in view.resources}):
        parts.append(f"{path} {hashlib.sha256(media[path]).hexdigest()}")
    return blob_key("book", *parts)
