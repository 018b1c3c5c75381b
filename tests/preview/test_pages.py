"""Preview pages made in process through the Builder: each article's footnotes, bio and own
problems with file and line; drafts and scheduled marked; a failed build keeps the last good pages."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from publisher.config import load_config
from publisher.preview.builder import Builder
from publisher.preview.pages import RELOAD_JS, status
from tests.conftest import write

NOTED = """---
title: "Ferry Timetable Changes"
autor: "Typo Key"
authors:
  - name: Ana Ruiz
    bio: Ana Ruiz covers transport.
date: 2026-11-20T09:00:00
---

The winter timetable starts on Monday.[^1]

[^1]: According to the operator's notice.
"""

DRAFT = """---
title: "Unfinished Story"
date: 2026-11-21T09:00:00
draft: true
---

Not ready.
"""

H = "{http://www.w3.org/1999/xhtml}"


def _builder(site: Path) -> Builder:
    config, _ = load_config(site / "publisher.toml")
    return Builder(site / "publisher.toml", site / "out", config)


def _tree(page: bytes) -> etree._Element:
    return etree.fromstring(page)  # a preview page is well-formed XHTML


def test_article_page_has_notes_bio_and_its_own_warnings(tiny: Path):
    write(tiny / "articles" / "2026-11-20-ferry.md", NOTED)
    snap = _builder(tiny).rebuild()
    assert snap.ok, snap.frame.errors
    page = snap.article("ferry")
    root = _tree(page)
    assert root.get("data-generation") == "1"
    assert root.findtext(f".//{H}article/{H}header/{H}h1") == "Ferry Timetable Changes"
    notes = root.find(f".//{H}section[@class='footnotes']")
    assert notes is not None and "According to the operator" in "".join(notes.itertext())
    bio = root.find(f".//{H}section[@class='bio']")
    assert "Ana Ruiz covers transport." in "".join(bio.itertext())
    problems = root.find(f".//{H}section[@class='problems warnings-only']")
    text = "".join(problems.itertext())
    assert "articles/2026-11-20-ferry.md:3" in text and "did you mean 'author'" in text
    scripts = [s.get("src") for s in root.iter(f"{H}script")]
    assert scripts == ["/_preview/reload.js"]  # the one script, from the server, no inline code
    assert "EventSource" in RELOAD_JS
    index = _tree(snap.index())
    row = index.find(f".//{H}tr[@id='a-ferry']")
    assert "1 warning(s)" in "".join(row.itertext())


def test_drafts_and_scheduled_are_marked(tiny: Path):
    write(tiny / "articles" / "2026-11-21-unfinished.md", DRAFT)
    write(tiny / "articles" / "2099-01-01-future.md", "---\ntitle: Later\n---\nSoon.\n")
    write(tiny / "articles" / "2026-11-20-ferry.md", NOTED)
    snap = _builder(tiny).rebuild()
    marks = {v.slug: status(v, snap.frame.moment) for v in snap.views}
    assert marks == {"unfinished": "draft", "future": "scheduled", "ferry": "published"}
    draft = snap.article("unfinished").decode()
    assert "Draft: not in the feeds or books" in draft and "Not ready." in draft
    later = snap.article("future").decode()
    assert "Scheduled: in the feeds and books from 1 January 2099" in later
    rss = (tiny / "out" / "rss.xml").read_text(encoding="utf-8")
    assert "Ferry Timetable" in rss and "Unfinished" not in rss and "Later" not in rss


def test_a_failed_build_keeps_the_last_good_pages_with_the_error(tiny: Path):
    article = write(tiny / "articles" / "2026-11-20-ferry.md", NOTED)
    builder = _builder(tiny)
    assert builder.rebuild().ok
    article.write_text(NOTED.replace("date: 2026-11-20T09:00:00", "date: 20th November"), encoding="utf-8")
    snap = builder.rebuild()
    assert not snap.ok and snap.generation == 2
    page = snap.article("ferry").decode()  # the last good version of the article ...
    assert "The winter timetable starts on Monday." in page
    assert "The sources have errors: this is the last good preview" in page  # ... under the new error
    assert "articles/2026-11-20-ferry.md:7" in page
    assert (tiny / "out" / "rss.xml").is_file()  # the outputs of the last good build stay
    article.write_text(NOTED.replace("Monday", "Tuesday"), encoding="utf-8")
    snap = builder.rebuild()
    assert snap.ok and "starts on Tuesday" in snap.article("ferry").decode()
    assert "The sources have errors" not in snap.index().decode()


def test_a_broken_config_is_an_error_page_not_a_crash(tiny: Path):
    write(tiny / "articles" / "2026-11-20-ferry.md", NOTED)
    builder = _builder(tiny)
    assert builder.rebuild().ok
    config = tiny / "publisher.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\nfeed_limit = \n", encoding="utf-8")
    snap = builder.rebuild()
    assert not snap.ok
    assert "publisher.toml" in snap.index().decode()
    assert "Ferry Timetable Changes" in snap.index().decode()


def test_pages_hold_any_request_path(tiny: Path):
    write(tiny / "articles" / "2026-11-20-ferry.md", NOTED)
    snap = _builder(tiny).rebuild()
    page = snap.not_found("/a\x00b\udcff<script>")
    assert b"<script>" not in page and _tree(page) is not None


def test_a_port_in_use_is_a_clear_error(tiny: Path, tmp_path: Path, monkeypatch):
    import socket
    import tempfile

    from click.testing import CliRunner

    from publisher.cli import cli

    write(tiny / "articles" / "2026-11-20-ferry.md", NOTED)
    monkeypatch.chdir(tiny)
    (tmp_path / "t").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "t"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 3, result.output
    assert f"error: cannot listen on 127.0.0.1:{port} (Address already in use); choose another --port" in result.output
    assert not list((tmp_path / "t").iterdir())  # the temporary folder made for the build is gone
    result = CliRunner().invoke(cli, ["serve", "--output", "articles"])
    assert result.exit_code == 1 and "overlaps the articles folder" in result.output


def test_problems_find_their_article_from_any_working_folder(tiny: Path, monkeypatch):
    write(tiny / "articles" / "2026-11-20-ferry.md", NOTED)
    for where in (tiny, tiny / "articles", tiny.parent):
        monkeypatch.chdir(where)
        snap = _builder(tiny).rebuild()
        assert [d.message for d in snap.frame.by_source["2026-11-20-ferry.md"]] == [
            "unknown front-matter key 'autor' kept as extra metadata; did you mean 'author'?"], where


def test_an_edit_saved_before_the_watch_begins_is_not_lost(tiny: Path):
    """`serve` gives its address only once the OS watches; what changed between the first build
    and then (a busy machine starts the watcher thread late) is rebuilt on the spot."""
    import threading
    import time

    from publisher.preview.server import Reloads, Watcher

    article = write(tiny / "articles" / "2026-11-20-ferry.md", NOTED)
    builder = _builder(tiny)
    stop, told = threading.Event(), []
    watcher = Watcher(builder, Reloads(), stop, told.append)
    builder.rebuild()
    article.write_text(NOTED.replace("Monday", "Sunday") + "\n", encoding="utf-8")
    watcher.start()
    try:
        assert watcher.ready.wait(30)
        deadline = time.monotonic() + 30
        while not told and time.monotonic() < deadline:
            time.sleep(0.05)
        assert told and "starts on Sunday" in builder.latest.article("ferry").decode()
    finally:
        stop.set()
        watcher.join(30)
    assert not watcher.is_alive()


def test_preview_pages_wear_the_site_theme(tiny: Path):
    from publisher.preview.pages import stylesheet

    write(tiny / "articles" / "2026-11-20-ferry.md", NOTED)
    write(tiny / "theme" / "book.css", ".byline { color: #123456; }\n")
    snap = _builder(tiny).rebuild()
    assert snap.ok, snap.frame.errors
    css = stylesheet(snap.frame.config).decode()
    assert css.index(".byline { font-weight: bold; }") < css.index(".byline { color: #123456; }")


def test_an_audio_piece_shows_its_listen_link_as_the_book_chapter_does(tiny: Path):
    from tests.media_support import mp3

    (tiny / "articles" / "episode-1.mp3").write_bytes(mp3(3))
    write(tiny / "articles" / "2026-11-22-episode.md",
          "---\ntitle: Episode One\ndate: 2026-11-22T06:00:00\nenclosure: episode-1.mp3\n---\n\nShow notes.\n")
    snap = _builder(tiny).rebuild()
    assert snap.ok, snap.frame.errors
    root = _tree(snap.article("episode"))
    links = [a for a in root.iter(f"{H}a") if (a.get("href") or "").endswith("episode-1.mp3")]
    assert links and "Listen (MP3" in "".join(links[0].itertext())
