"""The incremental layer keeps what renderers make: feeds and books are rendered without a cache
and give the same bytes through it; the layer alone decides what is reused."""

from __future__ import annotations

import pickle
from pathlib import Path

from publisher.books.editions import plan_editions
from publisher.books.epub import render_book
from publisher.build import SiteMedia, load_articles
from publisher.errors import Reporter
from publisher.feeds.render import Document, render_feeds
from publisher.incremental.books import CachedParts
from publisher.incremental.cache import Cache, EntryRef, blob_key
from publisher.incremental.feeds import feed_outputs
from tests.conftest import site_config


def _views(site: Path):
    config = site_config(site)
    views, _ = load_articles(config, Reporter(), Cache(None), workers=1)
    return config, views


def test_feed_documents_are_made_once_and_then_come_from_the_cache(site: Path, tmp_path: Path):
    config, views = _views(site)
    made: list[str] = []

    def counted(documents):
        for d in documents:
            yield Document(d.path, d.inputs, lambda d=d: made.append(d.path) or d.load())

    plain = {d.path: d.load() for d in render_feeds(config, views)[0]}  # no cache anywhere
    cache = Cache(tmp_path / "cache")
    first = {o.path: o.load() for o in feed_outputs(counted(render_feeds(config, views)[0]), cache)}
    assert first == plain and sorted(made) == sorted(plain)
    made.clear()
    again = list(feed_outputs(counted(render_feeds(config, views)[0]), Cache(tmp_path / "cache")))
    assert {o.path: o.load() for o in again} == plain
    assert made == ["feeds.opml"]  # a document without inputs is not kept; every other one is
    keyed = {o.path: o.key for o in again}
    assert keyed["feeds.opml"] == ""
    assert all(keyed[d.path] == blob_key(*d.inputs) for d in render_feeds(config, views)[0] if d.inputs)


def test_a_changed_input_makes_the_document_again(site: Path, tmp_path: Path):
    config, views = _views(site)
    cache = Cache(tmp_path / "cache")
    [o.load() for o in feed_outputs(render_feeds(config, views)[0], cache)]
    made: list[str] = []
    changed = (Document(d.path, (*d.inputs, "new"), lambda d=d: made.append(d.path) or d.load())
               for d in render_feeds(config, views)[0])
    [o.load() for o in feed_outputs(changed, cache)]
    assert "rss.xml" in made and "atom.xml" in made


def test_a_book_is_the_same_with_its_parts_kept_or_not(site: Path, tmp_path: Path):
    config, views = _views(site)
    edition = plan_editions(config, views)[0]
    media = SiteMedia(config, Cache(None))
    alone = render_book(config, edition, media, None, 1)
    parts = CachedParts(Cache(tmp_path / "cache"))
    assert render_book(config, edition, media, parts, 1) == alone  # parts made and kept
    assert render_book(config, edition, media, parts, 1) == alone  # parts taken from the cache
    assert parts.pack(f"chapters {edition.key} {edition.path}")  # the chapters were kept


def test_a_damaged_pack_file_loses_only_its_own_items(tmp_path: Path):
    cache = Cache(tmp_path / "cache")
    parts = CachedParts(cache)
    items = {f"{digit}{'0' * 63}": (digit, 1) for digit in "0123456789abcdef"}
    parts.store_pack("chapters e e.epub", items, {})
    assert parts.pack("chapters e e.epub") == items
    damaged = next(p for p in (tmp_path / "cache").rglob("b*") if p.is_file())
    damaged.write_bytes(damaged.read_bytes()[:-3])
    assert len(parts.pack("chapters e e.epub")) == 15
    assert parts.pack("chapters other e.epub") == {}


def test_a_pack_is_rewritten_only_where_it_changed(tmp_path: Path, monkeypatch):
    parts = CachedParts(Cache(tmp_path / "cache"))
    slot = "chapters e e.epub"
    parts.store_pack(slot, {"a1": (1,), "b2": (2,)}, {})
    old = parts.pack(slot)
    written: list[str] = []
    real = Cache.put_blob
    monkeypatch.setattr(Cache, "put_blob", lambda self, key, data: written.append(key) or real(self, key, data))
    parts.store_pack(slot, dict(old), old)  # the same objects: nothing written
    assert written == []
    parts.store_pack(slot, {"a1": old["a1"], "b2": (3,)}, old)
    assert len(written) == 1
    assert parts.pack(slot) == {"a1": (1,), "b2": (3,)}


def test_an_entry_ref_reads_in_another_process_and_gives_none_when_gone(site: Path, tmp_path: Path):
    config = site_config(site)
    cache = Cache(tmp_path / "cache")
    load_articles(config, Reporter(), cache, workers=1)  # fills the cache
    views, _ = load_articles(config, Reporter(), Cache(tmp_path / "cache"), workers=1)
    view = views[0]
    assert isinstance(view.ref, EntryRef)
    ref = pickle.loads(pickle.dumps(view.ref))  # as a worker process receives it
    assert ref() == view.xml
    assert EntryRef(str(tmp_path / "gone"), view.digest)() is None
    assert EntryRef(view.ref.path, "0" * 64)() is None  # not the document it should be
