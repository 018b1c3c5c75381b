"""Fuzzing the whole build over front matter and Markdown bodies: exit 0 or a diagnostic with its
place, never a traceback, and nothing written outside the output folder and the cache."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.cli import cli
from tests.conftest import REPO

NOW = "2026-12-01T00:00:00Z"
CONFIG = """[site]
title = "Fuzz"
base_url = "https://fuzz.example.com/"
timezone = "Europe/London"

[[editions]]
kind = "tag"
"""

KEYS = ["title", "deck", "author", "authors", "date", "updated", "tags", "summary", "lang", "id", "slug",
        "canonical", "draft", "extra"]
TEXT_BITS = ["C++", "c", "Port", "port", "\u202e", "\u2066", "\u200f", "&#xFFFE;", "\x00", "\ufeff", "港口", "a b",
             "<b>", "&amp;", "\u2028", "{slug}", "../", "é", " ", "", "---"]
DATES = ["2026-03-04", "2026-11-20T10:00:00+01:00", "0001-01-01T00:30:00+05:00", "9999-12-31T23:30:00-05:00",
         "2026-02-30", "yesterday", "1850-06-01", "2026-11-20T10:00:00Z"]
BODY_BITS = [
    "\n", "\n\n", "# ", "> ", "- ", "1. ", "```", "*", "_", "`", "[", "]", "(", ")", "![", "](", "<", ">", "&",
    "&#xFFFE;", "&#xFFFF;", "&#0;", "&#x202E;", "\u202e", "|", "|-|", "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "<div>", "</div>", "<script>x</script>", '<img src="file:///etc/passwd">', "![i](file:///etc/passwd)",
    "![i](images/pic.png)", "![i](../outside.png)", "![i](/etc/passwd)", "![i](images/bomb.gif)",
    '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd"/>', "[^1]", "[^1]: n",
    "<!--", "-->", "<![CDATA[", "]]>", "\\", "\t", "\x0c", "\u2028", "https://example.org/", "javascript:x()",
    "<svg><script>x</script></svg>", "<math><mi>x</mi></math>", "<table><tr><td>x</td></tr></table>",
]


def fragments(bits: list[str]) -> st.SearchStrategy[str]:
    piece = st.sampled_from(bits)
    repeated = st.tuples(st.sampled_from(bits), st.integers(1, 300)).map(lambda t: t[0] * t[1])
    return st.lists(st.one_of(piece, piece, piece, repeated, st.text(max_size=4)), max_size=30).map("".join)


scalar = st.one_of(st.none(), st.booleans(), st.integers(-3, 3000), fragments(TEXT_BITS), st.sampled_from(DATES))
value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.sampled_from(["name", "bio", "x"]), inner, max_size=2), max_leaves=6)


@st.composite
def source(draw) -> bytes:
    fields = {key: draw(value) for key in draw(st.lists(st.sampled_from(KEYS), max_size=4, unique=True))}
    if draw(st.integers(0, 9)):  # mostly the keys every article has, with values near the edges
        fields["title"] = draw(fragments(TEXT_BITS))
    if draw(st.integers(0, 9)):
        fields["date"] = draw(st.sampled_from(DATES))
    if draw(st.integers(0, 3)):
        fields["tags"] = draw(st.lists(fragments(TEXT_BITS), max_size=3))
    kind = draw(st.sampled_from(["yaml", "yaml", "toml-ish", "none"]))
    if kind == "yaml":
        head = "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n"
    elif kind == "toml-ish":
        head = "+++\n" + draw(fragments(["title = ", '"T"', "date = ", "2026-03-04", "\n", "[", "]", "tags = "])) + "\n+++\n"
    else:
        head = ""
    return (head + draw(fragments(BODY_BITS))).encode("utf-8", "surrogatepass")


class WriteWatch:
    """An audit hook (installed once per process, active only when armed) that records every
    path opened for writing, made, renamed or removed outside ``allowed``."""

    def __init__(self) -> None:
        self.allowed: tuple[str, ...] | None = None
        self.outside: list[str] = []
        sys.addaudithook(self)

    def __call__(self, event: str, args: tuple) -> None:
        if self.allowed is None:
            return
        if event == "open":
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            paths = [path] if writes else []
        elif event in ("os.mkdir", "os.remove", "os.rmdir", "os.truncate", "os.chmod", "os.utime", "os.symlink"):
            paths = [args[0]]
        elif event in ("os.rename", "os.link"):
            paths = [args[0], args[1]]
        elif event == "shutil.rmtree":
            paths = [args[0]]
        else:
            return
        for path in paths:
            if isinstance(path, int):
                continue
            text = os.path.abspath(os.fsdecode(path))
            if text == os.devnull:
                continue
            if not any(text == folder or text.startswith(folder + os.sep) for folder in self.allowed):
                self.outside.append(f"{event} {text}")


_watch: WriteWatch | None = None


@pytest.fixture(scope="module")
def watch() -> WriteWatch:
    global _watch
    if _watch is None:
        _watch = WriteWatch()
    return _watch


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("fuzz")
    (site / "articles" / "images").mkdir(parents=True)
    shutil.copy2(REPO / "articles" / "images" / "harbour-cranes.png", site / "articles" / "images" / "pic.png")
    (site / "articles" / "images" / "bomb.gif").write_bytes(
        b"GIF89a\x50\xc3\x50\xc3\x00\x00\x00,\x00\x00\x00\x00\x50\xc3\x50\xc3\x00\x02\x02D\x01\x00;")
    (site / "articles" / "2026-11-01-steady.md").write_text(
        "---\ntitle: Steady\ntags: [Port]\n---\n\nThe one article that is always there.\n", encoding="utf-8")
    (site / "publisher.toml").write_text(CONFIG, encoding="utf-8")
    return site


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=source())
def test_any_front_matter_and_body_builds_or_gives_a_diagnostic(
    fuzz_site: Path, watch: WriteWatch, monkeypatch: pytest.MonkeyPatch, data: bytes
):
    path = fuzz_site / "articles" / "2026-11-20-fuzz.md"
    path.write_bytes(data)
    monkeypatch.chdir(fuzz_site)
    watch.outside.clear()
    watch.allowed = tuple(str(fuzz_site / name) for name in ("build", ".publisher-cache"))
    try:
        result = CliRunner().invoke(cli, ["build", "--now", NOW, "-j", "1"], catch_exceptions=False)
    finally:
        watch.allowed = None
        path.unlink()
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code in (0, 1), output
    if result.exit_code == 1:
        assert re.search(r"^articles/\S+?(:\d+(:\d+)?)?: error: ", output, re.MULTILINE), output
    assert watch.outside == [], watch.outside
