"""Hostile inputs through the real CLI: a diagnostic with its place and exit 1, never a traceback,
and the outputs of the last build untouched (issue 15, items 7-9)."""

from __future__ import annotations

import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher import limits
from publisher.cli import cli
from tests.conftest import REPO, copy_site

NOW = "2026-12-01T00:00:00Z"
MD = "---\ntitle: {title}\ndate: {date}\ntags: {tags}\n---\n\n{body}\n"


def article(site: Path, name: str, *, title: str = "T", date: str = "2026-11-25T10:00:00Z", tags: str = "[x]",
            body: str = "Hello.") -> Path:
    path = site / "articles" / name
    path.write_text(MD.format(title=title, date=date, tags=tags, body=body), encoding="utf-8")
    return path


def png(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (Pillow reads only the header to know its size)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b"")


def gif(width: int, height: int) -> bytes:
    screen = struct.pack("<HH", width, height)
    return b"GIF89a" + screen + b"\x00\x00\x00" + b",\x00\x00\x00\x00" + screen + b"\x00\x02\x02D\x01\x00;"


def xml_copy(site: Path, edit: Callable[[str], str]) -> None:
    """The bundled article with an image, as article XML under another id, edited."""
    runner = CliRunner()
    result = runner.invoke(cli, ["normalize", "--config", str(site / "publisher.toml"),
                                 str(site / "articles" / "2026-11-18-port-expansion-vote.md")], catch_exceptions=False)
    assert result.exit_code == 0
    text = result.stdout.replace("<id>port-expansion-vote</id>", "<id>copy</id>")
    text = text.replace("<slug>port-expansion-vote</slug>", "<slug>copy</slug>").replace("urn:uuid:", "urn:uuid:0")
    (site / "articles" / "copy.xml").write_text(edit(text), encoding="utf-8")


def set_site_key(site: Path, line: str) -> None:
    toml = site / "publisher.toml"
    key = line.split("=")[0].strip()
    text = re.sub(rf"(?m)^{key} = .*\n", "", toml.read_text(encoding="utf-8"))
    toml.write_text(text.replace("[site]\n", f"[site]\n{line}\n", 1), encoding="utf-8")


def self_link(site: Path) -> None:
    os.symlink("loop.md", site / "articles" / "loop.md")


def non_utf8_name(site: Path) -> None:
    name = os.fsdecode(b"2026-11-25-\xff.md")
    (site / "articles" / name).write_text(MD.format(title="T", date="2026-11-25", tags="[x]", body="b"))


def wide_table(site: Path) -> None:
    row = "|" + "|".join(f"c{i}" for i in range(1000)) + "|\n"
    article(site, "tab.md", body=row + "|" + "-|" * 1000 + "\n" + row * 49)


def sparse_png(site: Path) -> None:
    path = site / "articles" / "images" / "huge.png"
    path.write_bytes(png(100, 100))
    os.truncate(path, limits.IMAGE_BYTES + 1)  # a sparse file: nothing is written
    article(site, "hi.md", body="Text.\n\n![x](images/huge.png)")


#: (name, what to do to a built site, exit code, a regular expression the output must match)
CASES: list[tuple[str, Callable[[Path], object], int, str]] = [
    ("year 1 with a positive offset", lambda s: article(s, "y1.md", date="0001-01-01T00:30:00+05:00"),
     1, r"articles/y1\.md:3: error: date: '0001-01-01T00:30:00\+05:00' is out of range"),
    ("year 9999 with a negative offset", lambda s: article(s, "y9.md", date="9999-12-31T23:30:00-05:00"),
     1, r"articles/y9\.md:3: error: date: .* is out of range"),
    ("a source over the size bound", lambda s: article(s, "big.md", body="word " * (limits.SOURCE_BYTES // 5 + 1)),
     1, r"articles/big\.md:1: error: the file is [\d,]+ bytes; an article source may have at most 1 MiB"),
    ("&#xFFFE; in Markdown", lambda s: article(s, "ff.md", body="bad &#xFFFE; &#xFFFF; char"), 0, r"Built 8 article"),
    ("a file name that is not UTF-8", non_utf8_name,
     1, r"articles/2026-11-25-\\xff\.md: error: the file's path is not UTF-8"),
    ("a source linked to itself", self_link,
     1, r"articles/loop\.md: error: is a symbolic link that leads round in a loop"),
    ("a GIF claiming 50,000 x 50,000", lambda s: ((s / "articles/images/bomb.gif").write_bytes(gif(50_000, 50_000)),
                                                   article(s, "g.md", body="Text.\n\n![x](images/bomb.gif)")),
     1, r"articles/g\.md:9: error: image 'images/bomb\.gif' claims more than 40,000,000 pixels"),
    ("a PNG of 10,000 x 10,000", lambda s: ((s / "articles/images/big.png").write_bytes(png(10_000, 10_000)),
                                            article(s, "p.md", body="![x](images/big.png)")),
     1, r"articles/p\.md:7: error: image 'images/big\.png' is 10,000 x 10,000 pixels; an image may have at most"),
    ("an image over the byte bound", sparse_png,
     1, r"articles/hi\.md:9: error: image 'images/huge\.png' is [\d,]+ bytes; an image may have at most 32 MiB"),
    ("a missing .xml resource", lambda s: xml_copy(s, lambda x: x.replace('path="images/harbour-cranes.png"',
                                                                         'path="images/nope.png"')),
     1, r"articles/copy\.xml:\d+: error: resource 'images/nope\.png' not found"),
    ("xi:include in an .xml body", lambda s: xml_copy(s, lambda x: x.replace(
        "<body>", '<body><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>')),
     1, r"articles/copy\.xml:\d+: error: xi:include is not allowed in article XML"),
    ("article_url with a positional field", lambda s: set_site_key(s, 'article_url = "{slug}/{0}"'),
     1, r"publisher\.toml: error: site\.article_url '\{slug\}/\{0\}' may name only \{slug\}"),
    ("cache_dir naming a file", lambda s: (set_site_key(s, 'cache_dir = "afile"'), (s / "afile").write_text("x")),
     1, r"publisher\.toml: error: site\.cache_dir: the cache folder \S*afile is a file, not a folder"),
    ("a file: image URL", lambda s: article(s, "fu.md", body="![x](file:///etc/passwd)"),
     1, r"articles/fu\.md:7: error: 'file:///etc/passwd' is a file: URL"),
    ("tags C++ and c in two articles", lambda s: (article(s, "a.md", tags='["C++"]'), article(s, "b.md", tags="[c]")),
     1, r"articles/b\.md: error: tag 'c' would share the feed tags/c/ with tag 'C\+\+' of a\.md"),
    ("tags C++ and c in one article", lambda s: article(s, "a.md", tags='["C++", c]'),
     1, r"articles/a\.md:4: error: tags 'C\+\+' and 'c' would share one feed, tags/c/"),
    ("a tag of 300 letters", lambda s: article(s, "lt.md", tags="[" + "ab " * 100 + "]"),
     1, r"articles/lt\.md:4: error: tag 'ab ab .*'\.\.\. is too long: its slug has 299 characters"),
    ("an author of 300 letters", lambda s: article(s, "la.md", title="T\nauthor: " + "ab " * 100),
     1, r"articles/la\.md:3: error: author name 'ab ab .*'\.\.\. is too long"),
    ("a bidi override in a headline", lambda s: article(s, "bd.md", title="abc\u202edef"),
     0, r"articles/bd\.md:2: warning: title: removed bidirectional control characters \(U\+202E\)"),
    ("a table of 50 x 1,000 cells", wide_table,
     1, r"articles/tab\.md:7: error: this table has 50,000 cells; a table may have at most 20,000"),
    ("6,000 inline elements in a paragraph", lambda s: article(s, "w.md", body="*a* " * 6000),
     1, r"articles/w\.md:7: error: this element holds 6,000 elements; one element of an article body may hold at most 5,000"),
    # Markdown's HTML and raw HTML are flattened below limits.HTML_NESTING, text kept
    # (normalize/html.py); limits.NESTING bounds the body whatever made it
    ("blockquotes 1,000 deep", lambda s: article(s, "d.md", body="> " * 1000 + "x"),
     0, r"articles/d\.md:\d+: warning: markup nested deeper than 64 levels was flattened"),
    ("divs 1,000 deep", lambda s: article(s, "d.md", body="<div>" * 1000 + "x"),
     0, r"articles/d\.md:\d+: warning: markup nested deeper than 64 levels was flattened"),
]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_build(site: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(site)
    return CliRunner().invoke(cli, ["build", "--now", NOW, *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled site built once (with its cache); each case works on a copy."""
    site = copy_site(tmp_path_factory.mktemp("hostile"))
    result = subprocess.run([sys.executable, "-m", "publisher", "build", "--now", NOW], cwd=site,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return site


@pytest.mark.parametrize(("name", "make", "code", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_gives_a_diagnostic_and_leaves_the_outputs(
    built_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    name: str, make: Callable[[Path], object], code: int, expected: str,
):
    site = tmp_path / "site"
    shutil.copytree(built_site, site, symlinks=True)
    before = snapshot(site / "build")
    make(site)
    result = run_build(site, monkeypatch)  # an exception other than the tool's own fails the test here
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code == code, output
    assert re.search(expected, output), output
    if code != 0:
        assert snapshot(site / "build") == before  # nothing written, nothing removed
        assert "nothing was written" in output or re.search(r"^\S+: error: ", output, re.MULTILINE)


# --- the cache: damage is repaired, an unwritable cache is the environment's fault ---------------


@pytest.mark.parametrize("damage", ["files become folders", "folders become files"])
def test_a_damaged_cache_is_repaired_on_the_next_build(built_site: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch, damage: str):
    site = tmp_path / "site"
    shutil.copytree(built_site, site, symlinks=True)
    article(site, "new.md")  # so that the next build is not skipped as a whole
    cache = site / ".publisher-cache"
    if damage == "files become folders":
        files = [p for p in cache.rglob("*") if p.is_file()]
        for path in files:
            path.unlink()
            (path / "inside").mkdir(parents=True)
        assert files
    else:
        folders = sorted((p for p in cache.rglob("*") if p.is_dir()), key=lambda p: len(p.parts))
        for path in folders:
            if path.exists():
                shutil.rmtree(path)
                path.write_text("x")
        assert folders
    for _ in range(2):  # repaired by the first, and nothing left over for the second
        result = run_build(site, monkeypatch)
        assert result.exit_code == 0, result.stdout + result.stderr
    clean = copy_site(tmp_path / "clean")
    article(clean, "new.md")
    assert run_build(clean, monkeypatch, "--no-cache").exit_code == 0
    assert snapshot(site / "build") == snapshot(clean / "build")


def test_a_cache_that_cannot_be_written_is_exit_3_and_leaves_no_temporary_file(tmp_path: Path):
    site = copy_site(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    first = subprocess.run([sys.executable, "-m", "publisher", "build", "--now", NOW, "--no-cache"], cwd=site,
                           capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0, first.stderr
    before = snapshot(site / "build")

    def small_files() -> None:  # ulimit -f 100: a write past 100 KiB fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (100 * 1024, 100 * 1024))

    result = subprocess.run([sys.executable, "-m", "publisher", "build", "--now", NOW], cwd=site, capture_output=True,
                            text=True, env=env, preexec_fn=small_files, check=False)
    assert "Traceback" not in result.stderr
    assert result.returncode == 3, result.stderr
    assert re.search(r"^\.publisher-cache/\S+: error: cannot write the cache: File too large", result.stderr, re.MULTILINE)
    assert snapshot(site / "build") == before
    assert not list(site.rglob(".tmp-*"))


def test_cache_write_failures_other_than_damage_are_output_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import errno

    from publisher.errors import OutputError
    from publisher.incremental import cache as cache_module

    def full(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    target = tmp_path / "c" / "ab" / "entry"
    with pytest.raises(OutputError, match="No space left on device"):
        cache_module._atomic_write(tmp_path / "c", target, b"x" * 100_000)
    monkeypatch.undo()
    assert not list((tmp_path / "c").rglob(".tmp-*"))


# --- the cover ---------------------------------------------------------------------------------


def test_a_one_megabyte_headline_makes_a_cover():
    from publisher.books.cover import CoverText, render_cover

    for headline in ("A" * 1_000_000, "word " * 200_000):
        start = time.perf_counter()
        data = render_cover(CoverText("Site", "Weekly edition", "1 May 2026", (headline,), footer="f"))
        assert data[:2] == b"\xff\xd8"
        assert time.perf_counter() - start < 60  # was a traceback (Pillow DecompressionBombError) after 18 s
