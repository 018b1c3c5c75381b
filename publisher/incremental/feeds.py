"""Feed documents made through the cache: each kept whole under its path, keyed by everything it
is made from, and made again only when that changed; and the findings of each one's check, kept
for the very bytes checked."""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Iterable, Iterator
from functools import partial

from publisher.errors import Diagnostic
from publisher.feeds.check import check_feed
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
                     partial(_keep, cache, slot, document.path, key))


def checked_feed(cache: Cache, path: str, key: str, data: bytes, shown: str, self_url: str,
                 check: Callable[..., list[Diagnostic]] | None = None) -> list[Diagnostic]:
    """What ``check`` (:func:`check_feed`) finds in output ``path`` (``data``, made from ``key``;
    messages name it ``shown``). An output with a key keeps its findings in the cache, with the
    hash of the bytes checked and the self URL: the same bytes written again (a CI run's fresh
    output folder gets every feed anew, hundreds on a site with per-author feeds) are not
    checked again, and any other bytes are."""
    check = check or check_feed
    if not key:
        return check(data, shown, self_url=self_url)
    name = _check_key(path, key)
    digest = hashlib.sha256(data).hexdigest()
    raw = cache.get_blob(name)
    if raw is not None:
        try:
            was_digest, was_url, findings = marshal.loads(raw)
            if was_digest == digest and was_url == self_url:
                return [Diagnostic(shown, *f) for f in findings]
        except Exception:  # noqa: BLE001 - unreadable: checked again
            pass
    found = check(data, shown, self_url=self_url)
    cache.put_blob(name, marshal.dumps((digest, self_url, [(d.line, d.col, d.severity, d.message, d.code)
                                                           for d in found])))
    return found


def _check_key(path: str, key: str) -> str:
    return blob_key("feed check", path, key)


def _load(cache: Cache, slot: str, key: str, make) -> bytes:
    data = cache.get_kept(slot, key)
    if data is None:
        data = make()
        cache.put_kept(slot, key, data)
    return data


def _keep(cache: Cache, slot: str, path: str, key: str) -> None:
    """The output stays on disk as it was made: its kept bytes and its check's findings are
    still in use (see :meth:`Cache.sweep`)."""
    cache.keep_slot(slot)
    cache.keep(["b" + _check_key(path, key)])


def _nothing() -> None:
    return None
