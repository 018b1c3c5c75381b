"""A rebuild with nothing changed is skipped whole; any change at all falls through to a real build."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import publisher.build
from publisher.build import build
from publisher.incremental.cache import Cache
from tests.conftest import copy_site, site_config, write
from tests.test_build import snapshot

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@pytest.fixture
def warm(tmp_path: Path) -> Path:
    site = copy_site(tmp_path / "site")
    build(site_config(site), now=NOW)
    return site


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    """How many times the articles were read (0 means the build was skipped)."""
    calls: list[int] = []
    real = publisher.build.load_articles

    def load(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(publisher.build, "load_articles", load)
    return calls


def test_nothing_changed_is_skipped_and_says_what_the_build_said(warm: Path, counted: list[int]):
    write(warm / "articles" / "2026-01-05-odd.md", "---\ntitle: Odd\nmood: calm\n---\n\nText.\n")
    first = build(site_config(warm), now=NOW)
    assert counted == [1] and any("mood" in d.message for d in first.diagnostics)
    before = snapshot(warm / "build")
    again = build(site_config(warm), now=NOW)
    assert counted == [1]  # not read again
    assert again.written == [] and again.removed == []
    assert again.outputs == first.outputs and again.articles == first.articles
    assert again.diagnostics == first.diagnostics  # the warning is shown again
    assert snapshot(warm / "build") == before


@pytest.mark.parametrize("change", ["edit", "new-file", "delete", "image", "config", "sidecar-added"])
def test_any_input_change_rebuilds(warm: Path, tmp_path: Path, counted: list[int], change: str):
    articles = warm / "articles"
    if change == "edit":
        path = articles / "2026-11-20-cafe-kultur.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    elif change == "new-file":
        write(articles / "2026-01-06-new.md", "---\ntitle: New\n---\n\nNew text.\n")
    elif change == "delete":
        (articles / "2026-11-20-cafe-kultur.md").unlink()
    elif change == "image":
        image = articles / "images" / "harbour-cranes.png"
        image.write_bytes(image.read_bytes() + b"\0")
    elif change == "config":
        toml = warm / "publisher.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("feed_limit", "# feed_limit"), encoding="utf-8")
        toml.write_text(toml.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        toml.write_text(toml.read_text(encoding="utf-8").replace('title = "', 'title = "New: ', 1), encoding="utf-8")
    elif change == "sidecar-added":
        write(articles / "2026-11-20-cafe-kultur.meta.yaml", "tags: [coffee]\n")
    build(site_config(warm), now=NOW)
    assert counted == [1]
    assert snapshot(warm / "build") == clean_build_at(warm, tmp_path)


def clean_build_at(site: Path, tmp: Path) -> dict[str, bytes]:
    fresh = tmp / "clean"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("build", ".publisher-cache"))
    build(site_config(fresh), cache=Cache(None), workers=1, now=NOW)
    return snapshot(fresh / "build")


@pytest.mark.parametrize("damage", ["deleted", "rewritten", "truncated"])
def test_an_output_changed_by_hand_is_restored(warm: Path, counted: list[int], damage: str):
    before = snapshot(warm / "build")
    target = warm / "build" / "atom.xml"
    if damage == "deleted":
        target.unlink()
    elif damage == "rewritten":  # same bytes, but not the file this tool left
        data = target.read_bytes()
        target.unlink()
        target.write_bytes(data)
    else:
        target.write_bytes(target.read_bytes()[:100])
    build(site_config(warm), now=NOW)
    assert counted == [1]
    assert snapshot(warm / "build") == before


def test_time_decides_only_when_an_article_date_is_crossed(tiny: Path, counted: list[int]):
    write(tiny / "articles" / "2026-01-01-old.md", "---\ntitle: Old\ndate: 2026-01-01T10:00:00Z\n---\n\nOld.\n")
    write(tiny / "articles" / "2026-03-01-later.md", "---\ntitle: Later\ndate: 2026-03-01T10:00:00Z\n---\n\nLater.\n")
    config = site_config(tiny)
    at = lambda *args: dt.datetime(*args, tzinfo=dt.UTC)  # noqa: E731
    assert build(config, now=at(2026, 2, 1)).articles == 1
    assert build(config, now=at(2026, 2, 20)).articles == 1 and len(counted) == 1  # same articles: skipped
    assert build(config, now=at(2026, 3, 1, 10)).articles == 2 and len(counted) == 2  # "later" is due
    assert build(config, now=at(2027, 1, 1)).articles == 2 and len(counted) == 2
    assert build(config, now=at(2026, 2, 1)).articles == 1 and len(counted) == 3  # back in time


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_damaged_state_is_ignored(warm: Path, counted: list[int], damage: bytes | None):
    (state,) = (warm / ".publisher-cache" / "state").iterdir()
    data = state.read_bytes()
    state.write_bytes(damage if damage is not None else data[:-3] + b"}}}")
    before = snapshot(warm / "build")
    build(site_config(warm), now=NOW)
    assert counted == [1] and snapshot(warm / "build") == before


def test_no_cache_means_no_state_and_another_output_folder_has_its_own(warm: Path, tmp_path: Path, counted: list[int]):
    build(site_config(warm), now=NOW, cache=Cache(None))
    assert counted == [1]
    other = tmp_path / "elsewhere"
    build(site_config(warm), other, now=NOW)
    assert counted == [1, 1]
    assert snapshot(other) == snapshot(warm / "build")
    build(site_config(warm), other, now=NOW)
    assert counted == [1, 1]


def test_a_failed_build_leaves_no_state_that_could_skip_the_next(warm: Path, counted: list[int]):
    from publisher.errors import BuildFailed

    bad = write(warm / "articles" / "2026-01-07-bad.md", "---\ntitle: [unclosed\n---\n\nText.\n")
    with pytest.raises(BuildFailed):
        build(site_config(warm), now=NOW)
    bad.unlink()
    build(site_config(warm), now=NOW)
    assert counted == [1, 1]  # the state was dropped: the good inputs are checked again, in full


# -- outputs left as they were: not made, read or compared again ---------------------------------


@pytest.fixture
def loaded(monkeypatch) -> list[str]:
    """The outputs whose bytes a build made or read (the others it found left as they were)."""
    from publisher.output import Staging

    paths: list[str] = []
    for name in ("add", "write"):  # bytes made whole, or written as they are made (books)
        real = getattr(Staging, name)

        def spy(self, rel, data, key="", real=real):
            paths.append(rel)
            return real(self, rel, data, key)

        monkeypatch.setattr(Staging, name, spy)
    return paths


def test_an_edit_loads_only_the_outputs_it_changes(warm: Path, tmp_path: Path, loaded: list[str]):
    path = warm / "articles" / "2026-11-20-cafe-kultur.md"
    path.write_text(path.read_text(encoding="utf-8").replace("best cardamom", "finest cardamom"), encoding="utf-8")
    build(site_config(warm), now=NOW)
    keyed = [p for p in loaded if p.endswith((".xml", ".json", ".epub"))]
    assert snapshot(warm / "build") == clean_build_at(warm, tmp_path)
    assert "articles.epub" in keyed and "atom.xml" in keyed  # they hold the edited article
    assert "authors/ingrid-halvorsen/atom.xml" not in keyed  # ... and this one does not
    assert len(keyed) < len([p for p in snapshot(warm / "build") if p.endswith((".xml", ".json", ".epub"))])


@pytest.mark.parametrize("damage", ["rewritten", "truncated", "deleted"])
def test_an_output_changed_by_hand_is_restored_by_the_next_real_build(warm: Path, tmp_path: Path, damage: str):
    target = warm / "build" / "authors" / "ingrid-halvorsen" / "atom.xml"  # not touched by the edit
    data = target.read_bytes()
    target.unlink()
    if damage == "rewritten":  # same bytes and size, another file
        target.write_bytes(data)
    elif damage == "truncated":
        target.write_bytes(data[:100])
    path = warm / "articles" / "2026-11-20-cafe-kultur.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build(site_config(warm), now=NOW)
    assert snapshot(warm / "build") == clean_build_at(warm, tmp_path)


def test_keys_are_those_of_the_build_that_left_the_folder_not_of_the_shared_cache(warm: Path, tmp_path: Path):
    """Two output folders, one cache: folder A built at one state of the sources, folder B at
    another, then A again at B's state. A's files were made from the first state, so none of
    them may count as left as they are, although the cache now holds B's versions."""
    config = site_config(warm)
    path = warm / "articles" / "2026-11-20-cafe-kultur.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("best cardamom", "finest cardamom"), encoding="utf-8")
    other = tmp_path / "b"
    build(config, other, now=NOW)
    build(config, now=NOW)  # A at the new state too
    assert snapshot(warm / "build") == snapshot(other) == clean_build_at(warm, tmp_path)
    path.write_text(original, encoding="utf-8")
    build(config, other, now=NOW)  # B back at the first state
    build(config, now=NOW)
    assert snapshot(warm / "build") == snapshot(other) == clean_build_at(warm, tmp_path)


def test_a_state_of_the_previous_format_is_not_trusted(warm: Path, tmp_path: Path, counted: list[int]):
    import hashlib
    import json

    (state,) = (warm / ".publisher-cache" / "state").iterdir()
    data = json.loads(state.read_bytes().partition(b"\n")[2])
    data["outputs"] = [[o[0], o[1], 1234, o[2], o[3]] for o in data["outputs"]]  # with the inode, as before
    body = json.dumps(data, sort_keys=True).encode("utf-8")
    state.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    (warm / "build" / "atom.xml").write_bytes(b"changed by hand")
    build(site_config(warm), now=NOW)
    assert counted == [1]
    assert snapshot(warm / "build") == clean_build_at(warm, tmp_path)
