"""`publisher serve` end to end: a real process on a free port, fetched over HTTP, edited, broken
and stopped."""

from __future__ import annotations

import os
import signal
import zipfile
from io import BytesIO

import pytest

from publisher.build import build
from tests.conftest import site_config, write
from tests.preview.conftest import Served, preview_site, processes_with, start

HEADLINE = "Council Approves Port Expansion After Six-Hour Debate"
PAGE = "/_preview/articles/port-expansion-vote.xhtml"


def test_index_lists_every_article_with_drafts_and_scheduled_marked(shared_server: Served):
    got = shared_server.get("/")
    assert got.status == 200
    assert got.headers["content-type"].startswith("application/xhtml+xml")
    assert HEADLINE in got.text
    assert "Harbour Master Resigns (embargoed)" in got.text and "Tall Ships Arrive Next Summer" in got.text
    assert '<span class="mark mark-draft">draft</span><a href="/_preview/articles/harbour-master.xhtml"' in got.text
    assert '<span class="mark mark-scheduled"' in got.text
    assert "9 article(s): 7 published, 1 draft(s), 1 scheduled" in got.text


def test_article_page_is_the_model_as_the_book_shows_it(shared_server: Served):
    got = shared_server.get(PAGE)
    assert got.status == 200, got.text
    text = got.text
    assert f"<h1>{HEADLINE}</h1>" in text
    assert '<p class="deck">The €240 million plan wins by two votes' in text
    assert '<p class="byline">By Mara Lindqvist and Tomás Ó Briain</p>' in text
    assert '<time datetime="2026-11-18T21:40:00+00:00">18 November 2026</time>' in text
    assert "He previously built election maps" in text  # the bio
    assert 'href="/_preview/preview.css"' in text and 'src="/_preview/reload.js"' in text
    css = shared_server.get("/_preview/preview.css")
    assert css.status == 200 and ".byline { font-weight: bold; }" in css.text  # the book's stylesheet
    image = shared_server.get("/_preview/media/images/harbour-cranes.png")
    assert image.status == 200 and image.headers["content-type"] == "image/png"
    assert 'src="/_preview/media/images/harbour-cranes.png"' in text


def test_a_draft_has_its_page_but_reaches_no_output(shared_server: Served, tmp_path):
    page = shared_server.get("/_preview/articles/harbour-master.xhtml")
    assert page.status == 200 and "The draft body names the harbour master." in page.text
    assert "Draft: not in the feeds or books" in page.text
    for path in ("/rss.xml", "/atom.xml", "/feed.json", "/feeds.html"):
        served = shared_server.get(path)
        assert served.status == 200, path
        assert "embargoed" not in served.text and "Tall Ships" not in served.text, path
    book = zipfile.ZipFile(BytesIO(shared_server.get("/articles.epub").body))
    assert not any("harbour-master" in name or "tall-ships" in name for name in book.namelist())
    assert not any(p.name.startswith(("harbour-master", "tall-ships")) for p in shared_server.out.rglob("*"))
    # and a real build of the same site leaves them out too
    build(site_config(shared_server.site), tmp_path / "out")
    for path in (tmp_path / "out").rglob("*"):
        if path.suffix in (".xml", ".json", ".html"):
            assert "embargoed" not in path.read_text(encoding="utf-8"), path


def test_outputs_have_the_types_a_browser_shows_and_books_download(shared_server: Served):
    assert shared_server.get("/rss.xml").headers["content-type"] == "application/xml"
    assert shared_server.get("/atom.xml").headers["content-type"] == "application/xml"
    assert shared_server.get("/feed.json").headers["content-type"] == "application/json"
    book = shared_server.get("/articles.epub")
    assert book.headers["content-type"] == "application/epub+zip"
    assert book.headers["content-disposition"] == "attachment; filename*=UTF-8''articles.epub"
    assert book.body[:2] == b"PK"
    head = shared_server.get("/books/latest.epub", method="HEAD")
    assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) > 1000


def test_no_script_reaches_the_outputs(shared_server: Served):
    for path in ("/feeds.html", "/rss.xml", "/atom.xml"):
        got = shared_server.get(path)
        assert "<script" not in got.text and "reload.js" not in got.text, path
        assert "script-src" not in got.headers["content-security-policy"]  # default-src 'none' covers it
    for path in shared_server.out.rglob("*"):  # no preview page and no reloader in the output folder
        if path.is_file() and path.suffix != ".epub":
            assert b"reload.js" not in path.read_bytes() and b"_preview" not in path.read_bytes(), path
        elif path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                assert not any(b"reload.js" in book.read(n) or b"<script" in book.read(n) for n in book.namelist())


def test_ctrl_c_stops_it_cleanly(tmp_path):
    served = start(preview_site(tmp_path / "site"), "--output", str(tmp_path / "kept"))
    assert served.get("/").status == 200
    served.proc.send_signal(signal.SIGINT)
    assert served.proc.wait(timeout=60) == 0  # stopped by SIGINT alone
    served.stop()
    assert not processes_with(served.token)
    assert (tmp_path / "kept" / "rss.xml").is_file()  # an --output folder stays
    assert "Traceback" not in served.output()


@pytest.mark.parametrize("path", [
    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc/passwd",
    "//etc/passwd", "/..%2f..%2fetc%2fpasswd", "/./rss.xml", "/a\\..\\rss.xml", "/rss.xml%00.html",
    "/_preview/media/../../publisher.toml", "/_preview/media/%2e%2e/publisher.toml",
    "/_preview/media/images/../../publisher.toml", "/_preview/articles/../../publisher.toml.xhtml",
    "/%ff%fe", "/leak.txt", "/nothing-here.xml", "http://127.0.0.1/../etc/passwd",
])
def test_paths_outside_the_served_folder_are_404(shared_server: Served, path: str):
    leak = shared_server.out / "leak.txt"
    if not os.path.lexists(leak):  # a link in the output folder to a file outside it
        os.symlink(shared_server.site / "publisher.toml", leak)
    got = shared_server.get(path)
    assert got.status == 404, (path, got.text[:300])
    assert "root:" not in got.text and "[site]" not in got.text


def test_edit_error_and_stop(serving: Served):
    """An edit shows within the bound; a broken source shows its error while the last good pages
    stay; SIGTERM stops the server, its processes and removes its temporary folder."""
    article = serving.site / "articles" / "2026-11-18-port-expansion-vote.md"
    assert "by 27 votes to 25" in serving.get(PAGE).text
    article.write_text(article.read_text(encoding="utf-8").replace("by 27 votes to 25", "by 28 votes to 24"),
                       encoding="utf-8")
    got, seconds = serving.until(PAGE, lambda r: "by 28 votes to 24" in r.text)
    assert "by 27 votes to 25" not in got.text

    write(serving.site / "articles" / "2026-11-26-broken.md", "---\ntitle: Broken\ndate: not-a-date\n---\nText.\n")
    index, _ = serving.until("/", lambda r: "2026-11-26-broken.md:3" in r.text)
    assert "The sources have errors: this is the last good preview" in index.text
    assert "is not an ISO 8601 date" in index.text
    old = serving.get(PAGE)  # the last good article page is still served, with the error banner
    assert old.status == 200 and "by 28 votes to 24" in old.text and "2026-11-26-broken.md:3" in old.text
    assert serving.get("/rss.xml").status == 200
    assert serving.said("articles/2026-11-26-broken.md:3"), serving.output()  # said on the terminal too

    (serving.site / "articles" / "2026-11-26-broken.md").unlink()
    serving.until("/", lambda r: "The sources have errors" not in r.text)

    config = serving.site / "publisher.toml"  # the config is watched too
    config.write_text(config.read_text(encoding="utf-8").replace('title = "The Harbour Dispatch"',
                                                                 'title = "The Harbour Courier"'), encoding="utf-8")
    serving.until("/", lambda r: "<h1>The Harbour Courier</h1>" in r.text)

    assert processes_with(serving.token)  # the test sees the server's process
    assert serving.out.is_dir()
    assert serving.stop() == 0
    assert not processes_with(serving.token), "processes of the server outlived it"
    assert not serving.out.exists() and not serving.out.parent.exists(), "the temporary folder stayed"
