"""Enclosures in the article XML: a local file's type from its bytes, its length and duration;
remote ones as the source says; every way a source can get one wrong is a diagnostic with its
file and line, and the previous outputs stay as they were."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from publisher import limits
from publisher.build import normalize_file
from publisher.errors import Reporter, SourceError
from publisher.model import ArticleView, Enclosure
from publisher.normalize.media import parse_duration
from publisher.xmlutil import to_bytes
from tests.attack_support import run
from tests.conftest import site_config, write
from tests.media_support import EPISODE, OGG, mp3

HEAD = "---\ntitle: T\ndate: 2026-01-01\n"


@pytest.fixture(autouse=True)
def _in_articles(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Diagnostics name files as the user sees them: relative to the folder a command runs in."""
    monkeypatch.chdir(tiny / "articles")


def _view(site: Path, name: str, text: str, report: Reporter | None = None) -> ArticleView:
    path = write(site / "articles" / name, text)
    return ArticleView(normalize_file(path, site_config(site), report or Reporter()))


def _error(site: Path, name: str, text: str) -> str:
    with pytest.raises(SourceError) as err:
        _view(site, name, text)
    return err.value.formatted()


def test_a_local_mp3_gets_its_type_length_and_duration_from_its_bytes(tiny: Path):
    write(tiny / "articles" / "audio" / "ep.mp3", EPISODE)
    view = _view(tiny, "a.md", HEAD + "audio: audio/ep.mp3\nepisode: 3\nexplicit: true\n---\nText.\n")
    assert view.enclosure == Enclosure("https://test.example/media/audio/ep.mp3", "audio/ep.mp3", "audio/mpeg",
                                       len(EPISODE), 90, 3, True)
    assert view.resources == []  # not a resource: books do not embed it


def test_a_duration_key_wins_and_is_read_in_every_shape(tiny: Path):
    write(tiny / "articles" / "ep.mp3", EPISODE)
    assert _view(tiny, "a.md", HEAD + "enclosure: ep.mp3\nduration: \"01:02:03\"\n---\n").enclosure.duration == 3723
    assert [parse_duration(v) for v in (75, "75", "1:15", "0:01:15", "01:15.4", "x", "1:75", -1)] == [
        75, 75, 75, 75, 75, None, None, None]


def test_a_remote_video_takes_type_from_its_name_and_length_from_the_source(tiny: Path):
    view = _view(tiny, "v.md", HEAD + "video: HTTPS://cdn.example/a%20b/clip.webm\nsize: 99\n---\n")
    assert view.enclosure == Enclosure("https://cdn.example/a%20b/clip.webm", "", "video/webm", 99)
    report = Reporter()
    view = _view(tiny, "w.md", HEAD + "enclosure: https://cdn.example/feed?id=7\nenclosure_type: audio/mpeg\n---\n",
                 report)
    assert (view.enclosure.type, view.enclosure.length) == ("audio/mpeg", 0)
    assert [d.format() for d in report.diagnostics] == [
        "w.md:4: warning: enclosure 'https://cdn.example/feed?id=7' is remote and its size unknown: RSS writes "
        "length 0; add 'length' (bytes) so that podcast apps can plan the download"]


def test_bytes_that_disagree_with_the_name_are_a_warning_and_the_bytes_win(tiny: Path):
    write(tiny / "articles" / "ep.mp3", OGG)
    report = Reporter()
    view = _view(tiny, "a.md", HEAD + "enclosure: ep.mp3\n---\n", report)
    assert view.enclosure.type == "audio/ogg"
    assert [d.format() for d in report.diagnostics] == [
        "a.md:4: warning: enclosure 'ep.mp3' is named .mp3 but its bytes are audio/ogg; published as audio/ogg "
        "(rename the file to match)"]
    write(tiny / "articles" / "ep.m4a", b"\x00\x00\x00\x18ftypisom" + bytes(100))  # generic MP4 brand: the suffix tells
    assert _view(tiny, "b.md", HEAD + "enclosure: ep.m4a\n---\n").enclosure.type == "audio/mp4"


@pytest.mark.parametrize(("value", "message"), [
    ("../../etc/passwd", "enclosure '../../etc/passwd' is outside the articles folder; a build reads nothing outside "
                         "it: copy the file into articles/"),
    ("/etc/passwd", "enclosure '/etc/passwd' is an absolute path; name the file relative to the article, or give an "
                    "http(s) URL"),
    ("missing.mp3", "enclosure 'missing.mp3' not found (looked for missing.mp3); fix the path or add the file"),
    ("notes.mp3", "enclosure 'notes.mp3' is not an audio or video file: its bytes are none of MP3, AAC, M4A/MP4, "
                  "MOV, Ogg (Vorbis, Opus, Theora), WAV, FLAC or WebM; export it as one of those"),
    ("file:///etc/passwd", "enclosure 'file:///etc/passwd' is not an http(s) URL or a file; feed readers download "
                           "enclosures over http(s)"),
    ("https://cdn.example/episode", "enclosure 'https://cdn.example/episode': its type cannot be told from its name; "
                                    "add 'enclosure_type' (e.g. audio/mpeg, video/mp4)"),
])
def test_wrong_enclosures_are_errors_at_their_line(tiny: Path, value: str, message: str):
    write(tiny / "articles" / "notes.mp3", b"Dear diary,\nthis is text.\n")
    assert _error(tiny, "a.md", HEAD + f"enclosure: {value}\n---\n") == f"a.md:4: error: {message}"


def test_wrong_companion_keys_are_errors_or_warnings(tiny: Path):
    write(tiny / "articles" / "ep.mp3", EPISODE)
    assert _error(tiny, "a.md", HEAD + "enclosure: ep.mp3\nduration: soon\n---\n") == (
        "a.md:5: error: duration 'soon' is not a length of time; write seconds or \"HH:MM:SS\"")
    assert _error(tiny, "b.md", HEAD + "enclosure: ep.mp3\nepisode: 0\n---\n") == (
        "b.md:5: error: episode 0 must be a whole number from 1")
    report = Reporter()
    view = _view(tiny, "c.md", HEAD + "duration: 10\n---\n", report)
    assert [d.format() for d in report.diagnostics] == [
        "c.md:4: warning: 'duration' says something of an enclosure, and the article has none; kept as extra "
        "metadata (add 'enclosure', a media file or URL, or remove it)"]
    assert b'<field name="duration">10</field>' in to_bytes(view.root) and view.enclosure is None


def test_a_symbolic_link_out_of_the_articles_folder_is_refused(tiny: Path, tmp_path: Path):
    write(tmp_path / "outside" / "secret.mp3", EPISODE)
    (tiny / "articles" / "ep.mp3").symlink_to(tmp_path / "outside" / "secret.mp3")
    message = _error(tiny, "a.md", HEAD + "enclosure: ep.mp3\n---\n")
    assert message.startswith("a.md:4: error: enclosure 'ep.mp3' is a symbolic link to ") and "outside the articles" \
        in message


def test_an_oversized_file_is_refused_without_being_read(tiny: Path):
    big = tiny / "articles" / "big.mp3"
    with open(big, "wb") as fh:  # sparse: no disk used
        fh.write(EPISODE[:1024])
        fh.truncate(limits.MEDIA_BYTES + 1)
    assert _error(tiny, "a.md", HEAD + "enclosure: big.mp3\n---\n") == (
        f"a.md:4: error: enclosure 'big.mp3' is {limits.MEDIA_BYTES + 1:,} bytes; a local media file may have at "
        "most 256 MiB: publish it elsewhere and give its URL (with 'length')")


def test_the_article_xml_carries_the_enclosure_and_reads_back_to_the_same_bytes(tiny: Path):
    write(tiny / "articles" / "sound" / "ep.mp3", EPISODE)
    first = to_bytes(_view(tiny, "sub/a.md", HEAD + "enclosure: ../sound/ep.mp3\nepisode: 2\n---\nText.\n").root)
    assert b'<enclosure href="https://test.example/media/sound/ep.mp3" type="audio/mpeg" length="' in first
    again = to_bytes(_view(tiny, "sub/a.xml", first.decode()).root)
    assert again == first
    remote = to_bytes(_view(tiny, "r.md", HEAD + "video: https://cdn.example/v.mp4\nlength: 5\n---\n").root)
    assert to_bytes(_view(tiny, "r.xml", remote.decode()).root) == remote


def test_article_xml_may_not_name_a_file_outside_the_folder(tiny: Path):
    write(tiny / "articles" / "ep.mp3", EPISODE)
    xml = to_bytes(_view(tiny, "a.md", HEAD + "enclosure: ep.mp3\n---\n").root).decode()
    message = _error(tiny, "b.xml", xml.replace('path="ep.mp3"', 'path="../../etc/passwd"'))
    assert message.startswith("b.xml:") and "enclosure path '../../etc/passwd' goes up a folder" in message


def test_a_wire_story_takes_its_enclosure_from_its_sidecar(tiny: Path):
    write(tiny / "articles" / "ep.mp3", mp3(30))
    write(tiny / "articles" / "w.meta.yaml", "date: 2026-01-01\nenclosure: ep.mp3\n")
    view = _view(tiny, "w.txt", "Headline\n\nBody.\n")
    assert (view.enclosure.path, view.enclosure.duration) == ("ep.mp3", 30)


def test_a_build_with_a_bad_enclosure_exits_1_and_leaves_the_outputs(tiny: Path):
    write(tiny / "articles" / "ep.mp3", EPISODE)
    write(tiny / "articles" / "a.md", HEAD + "enclosure: ep.mp3\n---\nText.\n")
    assert run(tiny, "build").returncode == 0
    before = {p: p.read_bytes() for p in (tiny / "build").rglob("*") if p.is_file()}
    write(tiny / "articles" / "a.md", HEAD + "enclosure: ../../../etc/passwd\n---\nText.\n")
    proc = run(tiny, "build")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "articles/a.md:4: error: enclosure '../../../etc/passwd' is outside the articles folder" in proc.stderr
    assert {p: p.read_bytes() for p in (tiny / "build").rglob("*") if p.is_file()} == before
    assert os.path.getsize(tiny / "build" / "media" / "ep.mp3") == len(EPISODE)


def test_a_file_name_too_long_for_the_system_is_a_diagnostic_not_a_traceback(tiny: Path):
    """Path.is_file raises ENAMETOOLONG on Python 3.11 where it should say False."""
    long = "a" * 300
    message = _error(tiny, "ep.md", HEAD + f"enclosure: {long}.mp3\n---\n\nText.\n")
    assert "ep.md:4" in message and "error" in message
    message = _error(tiny, "img.md", HEAD + f"---\n\n![x]({long}.png)\n")
    assert "img.md:6: error: image" in message
