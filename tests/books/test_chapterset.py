"""Chapters are remade only when something they show changed, and never differ from a clean build."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from publisher.books import chapterset
from publisher.build import build
from publisher.incremental.books import CachedParts
from publisher.incremental.cache import Cache
from tests.conftest import site_config, write
from tests.test_build import snapshot
from tests.incremental.test_cache import clean_build

CONFIG = """
[site]
title = "Test Site"
base_url = "https://test.example/"
feed_formats = ["atom"]
feed_groups = []
"""


def _article(root: Path, n: int, body: str, title: str | None = None) -> Path:
    return write(root / "articles" / f"2026-01-{n:02d}-post-{n}.md",
                 f"---\ntitle: {title or f'Post {n}'}\n---\n\n{body}\n")


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """The names of the chapters made (not taken from the cache) by each build."""
    names: list[str] = []
    real = chapterset._make

    def make(task):
        result = real(task)
        if result is not None:
            names.append(result[0].name)
        return result

    monkeypatch.setattr(chapterset, "_make", make)
    return names


@pytest.fixture
def book_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write(root / "publisher.toml", CONFIG)
    for n in range(1, 7):
        _article(root, n, f"Paragraph of post {n}.\n\n## Part two\n\nMore of post {n}.")
    # post 6 links into post 2's second part
    _article(root, 6, "See [part two of post 2](2026-01-02-post-2.md#part-two).")
    return root


def _rebuild(root: Path) -> None:
    for state in (root / ".publisher-cache" / "state").glob("*"):
        state.unlink()  # else a build with nothing changed is skipped before the chapters
    build(site_config(root), workers=1)


def test_unchanged_chapters_come_from_the_pack(book_site: Path, made: list[str]):
    build(site_config(book_site), workers=1)
    assert len(made) == 6
    made.clear()
    _rebuild(book_site)
    assert made == []


def test_an_edit_remakes_only_that_chapter(book_site: Path, tmp_path: Path, made: list[str]):
    build(site_config(book_site), workers=1)
    made.clear()
    _article(book_site, 4, "Paragraph of post 4, edited.\n\n## Part two\n\nMore of post 4.")
    _rebuild(book_site)
    assert made == ["text/post-4.xhtml"]
    assert snapshot(book_site / "build") == clean_build(book_site, tmp_path)


def test_a_new_headline_remakes_the_neighbours_that_show_it(book_site: Path, tmp_path: Path, made: list[str]):
    build(site_config(book_site), workers=1)
    made.clear()
    _article(book_site, 4, "Paragraph of post 4.\n\n## Part two\n\nMore of post 4.", title="Post four renamed")
    _rebuild(book_site)
    assert sorted(made) == ["text/post-3.xhtml", "text/post-4.xhtml", "text/post-5.xhtml"]
    assert snapshot(book_site / "build") == clean_build(book_site, tmp_path)


def test_a_changed_target_id_relinks_the_chapter_pointing_at_it(book_site: Path, tmp_path: Path, made: list[str]):
    build(site_config(book_site), workers=1)
    chapter6 = zipfile.ZipFile(book_site / "build" / "articles.epub").read("EPUB/text/post-6.xhtml")
    assert b'href="post-2.xhtml#part-two"' in chapter6 or b'href="../text/post-2.xhtml#part-two"' in chapter6
    made.clear()
    # the heading's id changes: the fragment no longer matches and must be dropped from post 6
    _article(book_site, 2, "Paragraph of post 2.\n\n## Second half\n\nMore of post 2.")
    _rebuild(book_site)
    assert sorted(made) == ["text/post-2.xhtml", "text/post-6.xhtml"]
    chapter6 = zipfile.ZipFile(book_site / "build" / "articles.epub").read("EPUB/text/post-6.xhtml")
    assert b"#part-two" not in chapter6 and b"post-2.xhtml" in chapter6
    assert snapshot(book_site / "build") == clean_build(book_site, tmp_path)


def test_a_deleted_link_target_remakes_the_chapter_linking_to_it(book_site: Path, tmp_path: Path, made: list[str]):
    build(site_config(book_site), workers=1)
    made.clear()
    (book_site / "articles" / "2026-01-02-post-2.md").unlink()
    _rebuild(book_site)
    # the link map no longer has post 2: post 6, which links to it, is made again
    assert "text/post-6.xhtml" in made
    assert snapshot(book_site / "build") == clean_build(book_site, tmp_path)


def test_a_damaged_pack_is_ignored(book_site: Path, tmp_path: Path, made: list[str]):
    build(site_config(book_site), workers=1)
    made.clear()
    for blob in (book_site / ".publisher-cache").rglob("b*"):
        if blob.is_file():  # every pack shard (and every other stored blob)
            blob.write_bytes(blob.read_bytes()[:-7])
    _rebuild(book_site)
    assert len(made) == 6  # no damaged chapter was trusted
    assert snapshot(book_site / "build") == clean_build(book_site, tmp_path)


def test_any_worker_count_gives_the_same_book(book_site: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(chapterset, "POOL_MIN", 1)
    for n in range(7, 12):
        _article(book_site, n, f"Post {n} text.")
    build(site_config(book_site), workers=2)  # chapters made in two worker processes
    pooled = snapshot(book_site / "build")
    assert pooled == clean_build(book_site, tmp_path)


@pytest.fixture
def framed(monkeypatch) -> list[str]:
    """The titles of the books whose frame (package, navigation, pages) each build made."""
    from publisher.books import epub

    titles: list[str] = []
    real = epub.package_document

    def package(config, edition, info, *rest):
        titles.append(info.title)
        return real(config, edition, info, *rest)

    monkeypatch.setattr(epub, "package_document", package)
    return titles


def test_a_body_edit_reuses_the_frame(book_site: Path, tmp_path: Path, framed: list[str]):
    build(site_config(book_site), workers=1)
    assert framed == ["Test Site"]
    framed.clear()
    _article(book_site, 3, "Paragraph of post 3.\n\n## Part two\n\nMore of post 3, edited.")
    _rebuild(book_site)
    assert framed == []  # same metadata, same chapter names: the frame comes from the cache
    assert snapshot(book_site / "build") == clean_build(book_site, tmp_path)


def test_a_headline_edit_remakes_the_frame(book_site: Path, tmp_path: Path, framed: list[str]):
    build(site_config(book_site), workers=1)
    framed.clear()
    _article(book_site, 3, "Paragraph of post 3.\n\n## Part two\n\nMore of post 3.", title="Post three")
    _rebuild(book_site)
    assert framed == ["Test Site"]
    assert snapshot(book_site / "build") == clean_build(book_site, tmp_path)
    with zipfile.ZipFile(book_site / "build" / "articles.epub") as book:
        assert "Post three" in book.read("EPUB/nav.xhtml").decode("utf-8")


def test_an_edit_rewrites_only_the_pack_shards_it_touched(book_site: Path, monkeypatch):
    build(site_config(book_site), workers=1)
    written: list[str] = []
    real = Cache.put_blob
    monkeypatch.setattr(Cache, "put_blob", lambda self, key, data: written.append(key) or real(self, key, data))
    _article(book_site, 3, "Paragraph of post 3.\n\n## Part two\n\nMore of post 3, edited.")
    shards = []
    real_store = CachedParts.store_pack
    monkeypatch.setattr(CachedParts, "store_pack", lambda self, slot, items, old: shards.append(
        (len(written), slot)) or real_store(self, slot, items, old) or shards.append((len(written), slot)))
    _rebuild(book_site)
    (before, _), (after, _) = shards
    assert 1 <= after - before <= 2  # the shard the old chapter left and the one the new one joined
