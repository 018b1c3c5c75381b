"""Feed documents made through the cache: each kept whole under its path, keyed by everything it
is made from, and made again only when that changed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial

from publisher.feeds.render import Document
from publisher.incremental.cache import Cache, blob_key
from publisher.output import Output


def feed_outputs(documents: Iterable[Document], cache: Cache) -> Iterator[Output]:
    """Each document as an output whose bytes come from the cache when it holds them (made from
    the same inputs by the same code), else are made and kept there; one at a time, as asked."""
    for document in documents:
        if not document.inputs:
            yield Output(document.path, "", document.load, _nothing)
            continue
        slot = "feed " + document.path  # one version per document: each replaces the last
        key = blob_key(*document.inputs)
        yield Output(document.path, key, partial(_load, cache, slot, key, document.load),
                     partial(cache.keep_slot, slot))


def _load(cache: Cache, slot: str, key: str, make) -> bytes:
    data = cache.get_kept(slot, key)
    if data is None:
        data = make()
        cache.put_kept(slot, key, data)
    return data


def _nothing() -> None:
    return None
