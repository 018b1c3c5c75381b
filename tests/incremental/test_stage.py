"""The per-article stage: resolving links to other sources (the fast route by file name)."""

from __future__ import annotations

from pathlib import Path

import re

import pytest

from publisher import sources
from publisher.config import Config, load_config
from publisher.errors import Reporter, SourceError
from publisher.incremental import stage
from publisher.incremental.stage import SourceIndex, _named_by_path
from publisher.normalize import identity
from tests.conftest import CORPUS, write

SITE = """
[site]
title = "T"
base_url = "https://example.com/"
article_url = "a/{slug}/"
"""


def _config(root: Path) -> Config:
    write(root / "publisher.toml", SITE)
    (root / "articles").mkdir(exist_ok=True)
    config, _ = load_config(root / "publisher.toml")
    return config


def _full(config: Config, path: Path) -> str | None:
    """What a full read of the source says its URL is (None: it has an error)."""
    try:
        return identity(sources.load(path, Reporter(), meta_only=True), config).canonical
    except SourceError:
        return None


CASES = {
    # name: (file text, sidecar text or None, does the fast route decide it?)
    "2026-01-02-plain.md": ("---\ntitle: Plain\ndate: 2026-01-02\n---\nBody with a slug: word.\n", None, True),
    "no-front.md": ("# Just a heading\n\nText.\n", None, True),
    "toml.md": ('+++\ntitle = "T"\n+++\nx\n', None, True),
    "crlf.md": ("\ufeff---\r\ntitle: C\r\n---\r\nx\r\n", None, True),
    "has-slug.md": ("---\ntitle: S\nslug: Other Name\n---\nx\n", None, False),
    "has-url.md": ("---\ntitle: U\nurl: https://elsewhere.example/x/\n---\nx\n", None, False),
    "has-id.md": ("---\ntitle: I\nid: 1234\n---\nx\n", None, False),
    "quoted-key.md": ('---\ntitle: Q\n"canonical": https://elsewhere.example/q/\n---\nx\n', None, False),
    "escaped-key.md": ('---\ntitle: E\n"\\x73lug": escaped\n---\nx\n', None, False),
    "zola.md": ('+++\ntitle = "Z"\npath = "2014/12/12/zola-post"\n+++\nx\n', None, False),
    "merged.md": ("---\nbase: &b {slug: merged-in}\n<<: *b\ntitle: M\n---\nx\n", None, False),
    "escaped-value.md": ('---\ntitle: "a \\"quoted\\" \\t word"\n---\nx\n', None, True),
    "unicode-key.md": ('---\ntitle: E\n"\\u0073lug": escaped\n---\nx\n', None, False),
    "folded-key.md": ('---\ntitle: F\n? "sl\\\n  ug"\n: folded\n---\nx\n', None, False),
    "toml-escape.md": ('+++\ntitle = "T"\n"\\u0069d" = "x"\n+++\nx\n', None, False),
    "sidecar.md": ("---\ntitle: Side\n---\nx\n", "slug: from-sidecar\n", False),
    "index.md": ("---\ntitle: Folder\n---\nx\n", None, True),
    "unclosed.md": ("---\ntitle: never closed\n", None, False),
}


def test_fast_route_gives_the_same_url_as_a_full_read(tmp_path: Path):
    config = _config(tmp_path)
    for name, (text, sidecar, fast) in CASES.items():
        path = config.articles_path / ("folder-name/" + name if name == "index.md" else name)
        write(path, text)
        if sidecar is not None:
            write(path.with_name(path.stem + ".meta.yaml"), sidecar)
        assert (_named_by_path(path) is not None) == fast, name
        assert SourceIndex(config)(path) == _full(config, path), name
    assert SourceIndex(config)(config.articles_path / "has-slug.md") == "https://example.com/a/other-name/"
    assert SourceIndex(config)(config.articles_path / "folder-name/index.md") == "https://example.com/a/folder-name/"
    assert SourceIndex(config)(config.articles_path / "sidecar.md") == "https://example.com/a/from-sidecar/"
    assert SourceIndex(config)(config.articles_path / "unicode-key.md") == "https://example.com/a/escaped/"
    assert SourceIndex(config)(config.articles_path / "folded-key.md") == "https://example.com/a/folded/"


def test_fast_route_is_not_taken_for_other_formats(tmp_path: Path):
    config = _config(tmp_path)
    write(config.articles_path / "wire.txt", "Headline\n\nDeck\n\nText.\n")
    assert _named_by_path(config.articles_path / "wire.txt") is None


@pytest.mark.skipif(not (CORPUS / "content").is_dir(), reason="shared corpus not present")
def test_fast_route_agrees_with_a_full_read_on_the_corpus(tmp_path: Path):
    write(tmp_path / "publisher.toml", SITE + f'articles_dir = "{CORPUS / "content"}"\nexclude = ["releases/latest.md"]\n')
    config, _ = load_config(tmp_path / "publisher.toml")
    paths = sources.discover(config.articles_path, config.exclude)
    for path in paths:  # Zola posts: nearly all have a 'path' key, so this is mostly the full read
        assert SourceIndex(config)(path) == _full(config, path), path
    assert len(paths) == 750


def test_generated_corpus_takes_the_fast_route(tmp_path: Path):
    import subprocess
    import sys

    from tests.conftest import REPO

    subprocess.run([sys.executable, str(REPO / "bench" / "gen_corpus.py"), "--n", "60", str(tmp_path / "g")],
                   check=True, capture_output=True)
    config, _ = load_config(tmp_path / "g" / "publisher.toml")
    paths = sources.discover(config.articles_path, config.exclude)
    assert paths and all(_named_by_path(p) is not None for p in paths)
    assert all(stage.SourceIndex(config)(p) == _full(config, p) for p in paths)


def test_a_linked_article_with_broken_front_matter_fails_the_build_and_its_fix_rebuilds_the_link(tmp_path: Path):
    """The fast route gives a broken target a URL a full read would not: the build fails on
    the target itself, and once it is fixed the linking article (whose entry depends on the
    target's bytes) is made again with the target's real URL."""
    from publisher.build import build
    from publisher.errors import BuildFailed

    config = _config(tmp_path)
    write(config.articles_path / "2026-01-02-linker.md", "---\ntitle: L\n---\n\nSee [it](2026-01-01-target.md).\n")
    target = write(config.articles_path / "2026-01-01-target.md", "---\ntitle: [unclosed\n---\n\nT.\n")
    with pytest.raises(BuildFailed) as failed:
        build(config)
    errors = [d for d in failed.value.diagnostics if d.severity == "error"]
    assert errors and all(d.path.endswith("2026-01-01-target.md") for d in errors)
    target.write_text("---\ntitle: T\nslug: fixed-name\n---\n\nT.\n", encoding="utf-8")
    build(config)
    atom = (tmp_path / "build" / "atom.xml").read_text(encoding="utf-8")
    assert 'See &lt;a href="https://example.com/a/fixed-name/"' in atom  # the linker, made again


ODD_LINKS = """---
title: Odd links
date: 2026-01-02
---
[home](/) [up](/..) [far](../../../../../../..) [net](//other.example/p) [empty]() [dot](.) [q](?x=1)
"""


def test_odd_link_paths_neither_crash_the_stage_nor_escape_the_site(tmp_path: Path):
    config = _config(tmp_path)
    path = write(tmp_path / "articles" / "odd.md", ODD_LINKS)
    entry, diagnostics = stage._compute(path, config, SourceIndex(config))
    assert entry is not None, diagnostics
    hrefs = re.findall(rb'href="([^"]*)"', entry.xml)
    assert hrefs[:4] == [b"https://example.com/", b"https://example.com/", b"https://example.com/",
                         b"https://other.example/p"]
    # every dependency is a file with a name (the "/" crash came from Path("/").with_name)
    assert all(Path(f).name for f, _ in entry.deps)
