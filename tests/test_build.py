"""The pipeline end to end: byte-identical rebuilds anywhere, all-or-nothing outputs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from publisher import build as build_module
from publisher.build import build
from publisher.errors import BuildFailed
from tests.conftest import copy_site, site_config, write


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_in_different_folders_at_different_times_are_byte_identical(tmp_path: Path, monkeypatch):
    a = copy_site(tmp_path / "a")
    b = copy_site(tmp_path / "elsewhere" / "b")
    build(site_config(a))
    time.sleep(1.1)  # a different second on the clock: zip times or dates must not follow it
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        build(site_config(b))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert snapshot(a / "build") == snapshot(b / "build")
    assert {"rss.xml", "atom.xml", "articles.epub", "media/images/harbour-cranes.png"} <= set(snapshot(a / "build"))


def test_rebuild_writes_nothing_when_nothing_changed(site: Path):
    config = site_config(site)
    first = build(config)
    assert set(first.written) == set(first.outputs)
    second = build(config)
    assert second.written == [] and second.removed == []


def test_bad_article_fails_the_build_and_leaves_outputs_unchanged(site: Path):
    config = site_config(site)
    build(config)
    before = snapshot(site / "build")
    mtimes = {p: p.stat().st_mtime_ns for p in (site / "build").rglob("*")}
    write(site / "articles" / "broken.md", "---\ntitle: [oops\n---\nBody\n")
    write(site / "articles" / "2026-11-25-new.md", "---\ntitle: New one\n---\nFresh.\n")
    with pytest.raises(BuildFailed) as err:
        build(config)
    assert "articles/broken.md:3:1: error: front matter is not valid YAML" in err.value.formatted() or \
        "broken.md:3:1: error: front matter is not valid YAML" in err.value.formatted()
    assert snapshot(site / "build") == before
    assert {p: p.stat().st_mtime_ns for p in (site / "build").rglob("*")} == mtimes


def test_failure_while_rendering_half_way_leaves_outputs_unchanged(site: Path, monkeypatch):
    config = site_config(site)
    build(config)
    before = snapshot(site / "build")
    write(site / "articles" / "2026-11-25-new.md", "---\ntitle: New one\n---\nFresh.\n")

    def explode(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(build_module, "edition_outputs", explode)  # feeds are rendered, the book is not
    with pytest.raises(RuntimeError):
        build(config)
    assert snapshot(site / "build") == before
    assert not [p for p in (site / "build").rglob(".tmp-*")]


def test_outputs_no_longer_produced_are_removed_but_foreign_files_kept(site: Path):
    config = site_config(site)
    build(config)
    write(site / "build" / "CNAME", "dispatch.example.com\n")
    text = (site / "articles" / "2026-11-18-port-expansion-vote.md").read_text(encoding="utf-8")
    (site / "articles" / "2026-11-18-port-expansion-vote.md").write_text(
        text.replace("![Cranes at the north quay at dusk](images/harbour-cranes.png \"The north quay\")", ""),
        encoding="utf-8",
    )
    result = build(config)
    assert result.removed == ["media/images/harbour-cranes.png"]
    assert not (site / "build" / "media").exists()
    assert (site / "build" / "CNAME").read_text() == "dispatch.example.com\n"


def test_duplicate_slugs_are_an_error(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    write(site / "articles" / "2026-01-01-port-funding-gap.md", "---\ntitle: Clash\n---\nText.\n")
    with pytest.raises(BuildFailed) as err:
        build(site_config(site))
    assert (
        "articles/2026-11-12-port-funding-gap.md: error: slug 'port-funding-gap' is also used by "
        "2026-01-01-port-funding-gap.md; give one of them its own slug"
    ) in err.value.formatted()


def test_output_files_are_readable_by_everyone(site: Path):
    build(site_config(site))
    for path in (site / "build").rglob("*.xml"):
        assert os.stat(path).st_mode & 0o444 == 0o444


def test_drafts_and_future_articles_are_left_out_until_their_time(site: Path, monkeypatch):
    import datetime as dt

    import feedparser

    write(site / "articles" / "2026-12-01-later.md", "---\ntitle: Later\ndate: 2026-12-01T09:00:00Z\n---\nSoon.\n")
    write(site / "articles" / "2026-11-01-wip.md", "---\ntitle: Draft\ndraft: true\n---\nWIP.\n")
    config = site_config(site)

    def titles() -> list[str]:
        return [e.title for e in feedparser.parse((site / "build" / "atom.xml").read_bytes()).entries]

    result = build(config, now=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    assert (result.articles, result.drafts, result.scheduled) == (7, 1, 1)
    assert "Later" not in titles() and "Draft" not in titles()
    build(config, now=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    assert "Later" in titles() and "Draft" not in titles()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 11, 30, tzinfo=dt.UTC).timestamp())))
    build(config)
    assert "Later" not in titles()


def test_a_feed_that_fails_its_check_fails_the_build_and_leaves_the_folder_as_it_was(site: Path, monkeypatch):
    """Outputs are staged as they are made; a feed error found after some are staged (here
    in a new tag's feed, whose folder is new) still leaves every file and folder as it was."""
    from publisher.errors import Diagnostic

    config = site_config(site)
    build(config)
    out = site / "build"
    before = snapshot(out)
    folders = sorted(p for p in out.rglob("*") if p.is_dir())
    write(site / "articles" / "2026-11-25-new.md", "---\ntitle: New one\ntags: [Brand new tag]\n---\nFresh.\n")
    real = build_module.check_feed

    def strict(data, path, *, self_url=None):
        found = real(data, path, self_url=self_url)
        if path.endswith("brand-new-tag/atom.xml"):
            found.append(Diagnostic(path, 1, None, "error", "made-up problem"))
        return found

    monkeypatch.setattr(build_module, "check_feed", strict)
    with pytest.raises(BuildFailed, match="made-up problem"):
        build(config)
    assert snapshot(out) == before
    assert sorted(p for p in out.rglob("*") if p.is_dir()) == folders
    assert not list(out.rglob(".tmp-*"))


def test_feed_documents_are_made_one_at_a_time(site: Path, monkeypatch):
    """The build never holds every feed document at once: each is made when the build loads
    it, after the one before has gone to the output folder."""
    from publisher.build import load_articles
    from publisher.errors import Reporter
    from publisher.feeds import render as feeds

    config = site_config(site)
    views, _ = load_articles(config, Reporter(), workers=1)
    made = []
    real = feeds._Renderer.document
    monkeypatch.setattr(feeds._Renderer, "document", lambda self, *a, **k: made.append(a[0]) or real(self, *a, **k))
    documents, _ = feeds.render_feeds(config, views)
    first = next(documents)
    assert made == []  # not even the first is made before the build loads it
    first.load()
    assert len(made) == 1
    rest = list(documents)
    assert len(made) == 1
    for output in rest:
        output.load()
    assert len(made) == 1 + sum(1 for output in rest if output.path.endswith(".xml"))


def test_feed_html_kept_for_reuse_is_bounded_and_changes_no_byte(site: Path, monkeypatch):
    """The article HTML the feeds keep for reuse is the most recently used, within a budget:
    a site of any size holds about one budget's worth, not every article's HTML, and a renderer
    that keeps nothing writes the same bytes as one that keeps everything."""
    from publisher.build import load_articles
    from publisher.errors import Reporter
    from publisher.feeds import render as feeds

    config = site_config(site)
    views, _ = load_articles(config, Reporter(), workers=1)
    made: list[str] = []
    real = feeds.content_html
    monkeypatch.setattr(feeds, "content_html", lambda view: made.append(view.uri) or real(view))

    def rendered(budget: int) -> tuple[dict[str, bytes], list[str], feeds._Kept]:
        made.clear()
        kept = feeds._Kept(budget)
        renderer = feeds._Renderer(config, kept)
        out = {d.path: d.load() for fs in feeds.feed_sets(config, views) for d in renderer.documents(fs)}
        return out, list(made), kept

    everything, made_once, _ = rendered(10**12)
    assert sorted(made_once) == sorted(set(made_once))  # all kept: each article's HTML made once
    sizes = sorted(len(real(v)) for v in views)
    budget = sizes[0] + sizes[1]  # room for about two articles at a time
    bounded, made_again, kept = rendered(budget)
    assert bounded == everything
    assert len(made_again) > len(made_once)  # made again once dropped ...
    assert kept.size == sum(map(len, kept.items.values())) and len(kept.items) <= 2
    assert kept.size <= budget or len(kept.items) == 1  # one bigger than the budget is kept alone
    tiny, _, kept = rendered(1)  # ... and at least the one in use is kept, however small the budget
    assert tiny == everything and len(kept.items) == 1
