"""The per-article cache and the worker pool never change what a build writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import publisher
from publisher.build import build
from publisher.incremental.cache import Cache
from tests.conftest import copy_site, site_config, write
from tests.test_build import snapshot


def clean_build(site: Path, tmp: Path) -> dict[str, bytes]:
    """What a build from scratch (no cache, fresh output folder, one worker) writes for ``site``."""
    fresh = tmp / "clean"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("build", ".publisher-cache"))
    build(site_config(fresh), cache=Cache(None), workers=1)
    return snapshot(fresh / "build")


@pytest.fixture
def warm(tmp_path: Path) -> Path:
    """The bundled site, built once so its cache is full."""
    site = copy_site(tmp_path / "site")
    build(site_config(site))
    assert any((site / ".publisher-cache").rglob("*"))
    return site


def _rebuild_matches_clean(site: Path, tmp: Path, expect_hits: int | None = None) -> None:
    cache = Cache(site_config(site).cache_path)
    build(site_config(site), cache=cache)
    assert snapshot(site / "build") == clean_build(site, tmp)
    if expect_hits is not None:
        assert cache.hits == expect_hits


def test_unchanged_rebuild_uses_the_cache_for_every_article(warm: Path, tmp_path: Path):
    shutil.rmtree(warm / ".publisher-cache" / "state")  # else the whole build is skipped (test_buildstate)
    _rebuild_matches_clean(warm, tmp_path, expect_hits=7)


def test_edit_of_one_article(warm: Path, tmp_path: Path):
    path = warm / "articles" / "2026-11-20-cafe-kultur.md"
    path.write_text(path.read_text(encoding="utf-8").replace("best cardamom", "finest cardamom"), encoding="utf-8")
    _rebuild_matches_clean(warm, tmp_path, expect_hits=6)


def test_sidecar_edit(warm: Path, tmp_path: Path):
    write(warm / "articles" / "000_74b8af4278bed77c.meta.yaml", "date: 2016-11-30T10:00:00Z\ntags: [Libya]\n")
    _rebuild_matches_clean(warm, tmp_path, expect_hits=6)


def test_image_change(warm: Path, tmp_path: Path):
    image = warm / "articles" / "images" / "harbour-cranes.png"
    image.write_bytes(image.read_bytes() + b"\0" * 10)  # a different length, in feeds and book
    _rebuild_matches_clean(warm, tmp_path, expect_hits=6)


def test_linked_article_changes_its_slug(warm: Path, tmp_path: Path):
    path = warm / "articles" / "2026-11-18-port-expansion-vote.md"
    path.write_text(path.read_text(encoding="utf-8").replace("tags:", "slug: the-vote\ntags:", 1), encoding="utf-8")
    _rebuild_matches_clean(warm, tmp_path)
    assert b"articles/the-vote/" in (warm / "build" / "atom.xml").read_bytes()  # the site feed: whole texts


@pytest.mark.parametrize("sidecar", ["2026-11-18-port-expansion-vote.meta.yaml", "2026-11-18-port-expansion-vote.meta.toml"])
def test_linked_article_gets_and_loses_a_sidecar_that_changes_its_slug(warm: Path, tmp_path: Path, sidecar: str):
    """A linking article depends on the sidecars its target may have: adding one, then
    deleting it, each rebuilds the link as a clean build would."""
    side = warm / "articles" / sidecar
    write(side, 'slug = "the-vote"\n' if sidecar.endswith(".toml") else "slug: the-vote\n")
    _rebuild_matches_clean(warm, tmp_path)
    assert b"articles/the-vote/" in (warm / "build" / "atom.xml").read_bytes()  # the site feed: whole texts
    side.unlink()
    _rebuild_matches_clean(warm, tmp_path)
    assert b"articles/the-vote/" not in (warm / "build" / "authors" / "ingrid-halvorsen" / "atom.xml").read_bytes()


def test_config_change(warm: Path, tmp_path: Path):
    toml = warm / "publisher.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("Europe/London", "America/New_York"), encoding="utf-8")
    _rebuild_matches_clean(warm, tmp_path, expect_hits=0)


def test_tool_version_change(warm: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(publisher.incremental.cache, "__version__", "999.0")
    cache = Cache(site_config(warm).cache_path)
    build(site_config(warm), cache=cache)
    assert cache.hits == 0
    assert snapshot(warm / "build") == clean_build(warm, tmp_path)


def test_tool_code_change_at_the_same_version(warm: Path, tmp_path: Path, monkeypatch):
    # a development checkout: the code changed, the version did not; nothing old is reused
    monkeypatch.setattr(publisher.incremental.cache, "package_hash", lambda: "other-code")
    cache = Cache(site_config(warm).cache_path)
    build(site_config(warm), cache=cache)
    assert cache.hits == 0
    assert snapshot(warm / "build") == clean_build(warm, tmp_path)


def test_package_hash_covers_the_code_and_is_stable():
    from publisher.incremental.cache import package_hash

    assert package_hash() == package_hash.__wrapped__() and len(package_hash()) == 20


def test_package_hash_covers_every_subpackage():
    """An edit of books/ or feeds/ must not reuse outputs the old code made (the hash once
    covered only incremental/, the cache module's own folder)."""
    import publisher
    from publisher.incremental.cache import PACKAGE_ROOT

    assert PACKAGE_ROOT == Path(publisher.__file__).resolve().parent


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_damaged_cache_entries_are_detected_and_rebuilt(warm: Path, tmp_path: Path, damage: str):
    entries = sorted(p for p in (warm / ".publisher-cache").rglob("*") if p.is_file())
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(
            {"truncate": data[: len(data) // 2], "flip": data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:],
             "garbage": b"not a cache entry", "empty": b""}[damage]
        )
    _rebuild_matches_clean(warm, tmp_path, expect_hits=0)


def test_interrupted_write_leaves_no_half_entry(warm: Path, tmp_path: Path, monkeypatch):
    shutil.rmtree(warm / ".publisher-cache")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(publisher.incremental.cache.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        build(site_config(warm))
    monkeypatch.undo()
    assert not [p for p in (warm / ".publisher-cache").rglob("*") if p.is_file() and not p.name.startswith(".tmp-")]
    _rebuild_matches_clean(warm, tmp_path)


def test_worker_count_does_not_change_outputs(tmp_path: Path):
    outputs = []
    for workers in (1, 2, 3):
        site = copy_site(tmp_path / f"w{workers}")
        for n in range(40):  # enough sources for the pool to be used
            write(site / "articles" / f"2026-10-{n % 28 + 1:02d}-extra-{n}.md",
                  f"---\ntitle: Extra {n}\ntags: [T{n % 3}]\n---\n\nText {n} links [up](2026-11-20-cafe-kultur.md).\n")
        build(site_config(site), cache=Cache(None), workers=workers)
        outputs.append(snapshot(site / "build"))
    assert outputs[0] == outputs[1] == outputs[2]


def test_only_books_holding_the_edited_article_are_made_again(warm: Path, tmp_path: Path, monkeypatch):
    from publisher.incremental import books  # the layer that calls the renderer

    made = []
    real = books.write_book
    monkeypatch.setattr(books, "write_book", lambda config, edition, media, out, keeper, workers=None: made.append(edition.path) or real(config, edition, media, out, keeper, workers))
    build(site_config(warm))
    assert made == []  # nothing changed: every book from the cache
    path = warm / "articles" / "2026-11-20-cafe-kultur.md"
    path.write_text(path.read_text(encoding="utf-8").replace("best cardamom", "finest cardamom"), encoding="utf-8")
    build(site_config(warm))
    assert sorted(made) == ["articles.epub", "books/latest.epub", "books/tag-food.epub",
                            "books/tag-old-town.epub", "books/weekly-2026-W47.epub"]
    monkeypatch.undo()
    assert snapshot(warm / "build") == clean_build(warm, tmp_path)


def test_no_cache_reads_and_writes_no_cache_at_all(tmp_path: Path):
    site = copy_site(tmp_path / "site")
    build(site_config(site), cache=Cache(None))
    assert not (site / ".publisher-cache").exists()


def test_rebuild_reads_one_catalog_not_every_entry(warm: Path, tmp_path: Path, monkeypatch):
    shutil.rmtree(warm / ".publisher-cache" / "state")
    opened = []
    real = Cache.get
    monkeypatch.setattr(Cache, "get", lambda self, key, base="": (self.folder and opened.append(key)) or real(self, key, base))
    _rebuild_matches_clean(warm, tmp_path, expect_hits=7)
    assert opened == []  # every article known from the catalog


def test_catalog_without_its_entries_still_gives_the_clean_outputs(warm: Path, tmp_path: Path):
    """Entries (documents, chapter packs, feed documents) gone, the catalog kept: documents
    asked for are normalized again, and the outputs are those of a clean build."""
    for path in (warm / ".publisher-cache").rglob("*"):
        if path.is_file() and "catalog" not in path.parts:
            path.unlink()
    (warm / "build").joinpath("articles.epub").unlink()
    path = warm / "articles" / "2026-11-20-cafe-kultur.md"
    path.write_text(path.read_text(encoding="utf-8").replace("best cardamom", "finest cardamom"), encoding="utf-8")
    _rebuild_matches_clean(warm, tmp_path, expect_hits=6)
    assert len(list((warm / ".publisher-cache" / "catalog").iterdir())) == 1


def test_catalog_record_is_not_used_when_an_image_changed(warm: Path, tmp_path: Path):
    from publisher.config import Config
    from publisher.incremental.cache import key_for
    from publisher.model import ArticleView
    from publisher.normalize import relative_source

    config: Config = site_config(warm)
    cache = Cache(config.cache_path)
    records = cache.catalog(config.site_relative(config.articles_path))
    assert len(records) == 7
    views = [ArticleView.from_meta(r.meta, lambda: b"") for r in records.values()]
    with_images = [v for v in views if v.resources]
    assert with_images
    image = config.articles_path / with_images[0].resources[0].path
    image.write_bytes(image.read_bytes() + b"\0")  # still a PNG to the reader, new bytes
    shutil.rmtree(warm / ".publisher-cache" / "state")
    _rebuild_matches_clean(warm, tmp_path)
    source = config.articles_path / with_images[0].source
    key = key_for(config, relative_source(config, source), Cache(None).digest(str(source)))
    after = ArticleView.from_meta(Cache(config.cache_path).catalog(config.site_relative(config.articles_path))[key].meta, lambda: b"")
    assert after.resources[0].length == with_images[0].resources[0].length + 1


def test_an_edit_rewrites_at_most_two_catalog_files(warm: Path, tmp_path: Path):
    folder = next((warm / ".publisher-cache" / "catalog").iterdir())
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    path = warm / "articles" / "2026-11-20-cafe-kultur.md"
    path.write_text(path.read_text(encoding="utf-8").replace("best cardamom", "finest cardamom"), encoding="utf-8")
    _rebuild_matches_clean(warm, tmp_path, expect_hits=6)
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert 1 <= len(changed) <= 2  # the file the old record left and the one the new record joined


def test_edits_do_not_grow_the_cache_by_whole_books_or_feeds(warm: Path, tmp_path: Path):
    """Books, frames and feed documents are kept one version per output: an edit replaces them.
    What does stay is the edited article's new entry (about its own size)."""
    def files() -> dict[str, int]:
        return {p.name: p.stat().st_size for p in (warm / ".publisher-cache").rglob("*")
                if p.is_file() and "state" not in p.parts}

    before = files()
    path = warm / "articles" / "2026-11-20-cafe-kultur.md"
    for word in ("finest", "richest"):
        path.write_text(path.read_text(encoding="utf-8").replace("best cardamom", f"{word} cardamom")
                        .replace("finest cardamom", f"{word} cardamom"), encoding="utf-8")
        _rebuild_matches_clean(warm, tmp_path)
    after = files()
    grown = {name: size - before.get(name, 0) for name, size in after.items()}
    book = (warm / "build" / "articles.epub").stat().st_size
    assert max(grown.values()) < book / 4  # no new copy of a book (or of a feed, or a frame)
    assert sum(after.values()) - sum(before.values()) < book / 2


def test_a_link_to_an_article_added_later(warm: Path, tmp_path: Path):
    """Found in review: a link to a source that did not exist yet was not a dependency, so
    adding that source later left the linking article with its old URL."""
    write(warm / "articles" / "2026-11-19-linker.md", "---\ntitle: Linker\n---\n\nSee [later](later.md).\n")
    build(site_config(warm))
    write(warm / "articles" / "later.md", "---\ntitle: The later one\ndate: 2026-11-18\nslug: the-later-one\n---\n\nX.\n")
    _rebuild_matches_clean(warm, tmp_path)
    assert b"articles/the-later-one/" in (warm / "build" / "atom.xml").read_bytes()


def test_a_missing_image_added_later(tmp_path: Path):
    """With missing_images = "remote" a missing image is linked where it would be on the site;
    once the file is added, the rebuild copies and links it like a clean build does."""
    site = copy_site(tmp_path / "site")
    toml = site / "publisher.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[site]\n", '[site]\nmissing_images = "remote"\n', 1),
                    encoding="utf-8")
    write(site / "articles" / "2026-11-19-pic.md", "---\ntitle: Pic\n---\n\n![A crane](images/later.png)\n")
    build(site_config(site))
    shutil.copy(site / "articles" / "images" / "harbour-cranes.png", site / "articles" / "images" / "later.png")
    _rebuild_matches_clean(site, tmp_path)
    assert (site / "build" / "media" / "images" / "later.png").is_file()


def _cache_files(site: Path) -> dict[str, int]:
    """Entries and blobs (not the catalog, state and roots bookkeeping), by name -> size."""
    root = site / ".publisher-cache"
    return {p.name: p.stat().st_size for p in root.rglob("*")
            if p.is_file() and len(p.parent.name) == 2 and not p.name.startswith(".tmp")}


def _only_what_the_last_build_used(site: Path) -> None:
    """One entry per article, and no blob that the last build did not use (its roots file)."""
    import marshal

    files = _cache_files(site)
    (roots,) = (site / ".publisher-cache" / "roots").iterdir()
    used = set(marshal.loads(roots.read_bytes()[32:]))
    articles = len(list((site / "articles").glob("*.md"))) + len(list((site / "articles").glob("*.txt")))
    assert len([n for n in files if len(n) == 64]) == articles  # entries: a key; blobs: "b" + a key
    assert {n for n in files if len(n) == 65} <= used


def test_an_edit_replaces_the_articles_entry_instead_of_adding_one(warm: Path, tmp_path: Path):
    _only_what_the_last_build_used(warm)
    path = warm / "articles" / "2026-11-20-cafe-kultur.md"
    for word in ("finest", "richest", "best"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("best cardamom", f"{word} cardamom").replace("finest cardamom", f"{word} cardamom")
                        .replace("richest cardamom", f"{word} cardamom"), encoding="utf-8")
        _rebuild_matches_clean(warm, tmp_path)
        _only_what_the_last_build_used(warm)


def test_a_deleted_article_takes_its_entry_with_it(warm: Path, tmp_path: Path):
    (warm / "articles" / "2026-11-20-cafe-kultur.md").unlink()
    _rebuild_matches_clean(warm, tmp_path)
    _only_what_the_last_build_used(warm)


@pytest.mark.parametrize("change", ["code", "settings"])
def test_a_new_tool_or_new_settings_do_not_leave_the_old_cache_behind(warm: Path, tmp_path: Path, monkeypatch, change):
    before = _cache_files(warm)
    if change == "code":
        monkeypatch.setattr(publisher.incremental.cache, "package_hash", lambda: "other-code")
    else:
        toml = warm / "publisher.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("Europe/London", "America/New_York"), encoding="utf-8")
    _rebuild_matches_clean(warm, tmp_path)
    after = _cache_files(warm)
    if change == "code":  # every name changes
        assert not before.keys() & after.keys()
    _only_what_the_last_build_used(warm)
    assert sum(after.values()) < 1.2 * sum(before.values())
    _rebuild_matches_clean(warm, tmp_path)  # and the cache left is a good one


def test_a_damaged_roots_file_deletes_nothing(warm: Path, tmp_path: Path):
    roots = next((warm / ".publisher-cache" / "roots").iterdir())
    roots.write_bytes(b"x" * 40)
    before = _cache_files(warm)
    shutil.rmtree(warm / ".publisher-cache" / "state")  # a full rebuild, not the no-op
    _rebuild_matches_clean(warm, tmp_path)
    assert _cache_files(warm) == before


def test_a_book_taken_from_the_cache_keeps_its_chapters_for_the_next_edit(warm: Path, tmp_path: Path, monkeypatch):
    """The sweep leaves the frame and chapter packs of books not made again in this build:
    a later edit into such a book makes only the edited chapter."""
    import zipfile

    from publisher.books import chapterset

    cafe = warm / "articles" / "2026-11-20-cafe-kultur.md"
    cafe.write_text(cafe.read_text(encoding="utf-8").replace("best cardamom", "finest cardamom"), encoding="utf-8")
    build(site_config(warm))  # remakes the books holding the café article; the rest come whole from the cache
    made = []
    real = chapterset.chapter_tree
    monkeypatch.setattr(chapterset, "chapter_tree", lambda view, *a: made.append(view.slug) or real(view, *a))
    port = warm / "articles" / "2026-11-12-port-funding-gap.md"
    port.write_text(port.read_text(encoding="utf-8").replace("draft budget", "draft budget plan", 1), encoding="utf-8")
    build(site_config(warm))
    books = [p for p in (warm / "build").rglob("*.epub")
             if any(n.endswith("port-funding-gap.xhtml") for n in zipfile.ZipFile(p).namelist())]
    untouched_before = [p for p in books if not any(n.endswith("cafe-kultur.xhtml") for n in zipfile.ZipFile(p).namelist())]
    assert untouched_before  # the case this is about: a book the café edit did not make again
    assert made == ["port-funding-gap"] * len(books)
    monkeypatch.undo()
    assert snapshot(warm / "build") == clean_build(warm, tmp_path)


def test_a_kept_slot_gives_its_bytes_only_for_its_own_key_and_only_when_intact(tmp_path: Path):
    cache = Cache(tmp_path / "c")
    cache.put_kept("book x.epub", "k1", b"data " * 1000)
    assert cache.get_kept("book x.epub", "k1") == b"data " * 1000
    assert cache.get_kept("book x.epub", "k2") is None  # another version: its key is read, not its bytes
    assert cache.get_kept("book y.epub", "k1") is None
    (path,) = [p for p in (tmp_path / "c").rglob("*") if p.is_file()]
    raw = path.read_bytes()
    path.write_bytes(raw[:-3] + b"XYZ")
    assert cache.get_kept("book x.epub", "k1") is None and not path.exists()  # damaged: dropped
