"""Which files are articles: the documented rule."""

from __future__ import annotations

from pathlib import Path

from publisher.sources import discover
from tests.conftest import write


def test_discover_skips_hidden_section_indexes_sidecars_assets_and_excluded(tmp_path: Path):
    root = tmp_path / "articles"
    for name in ("a.md", "sub/b.markdown", "c.txt", "d.xml", "_index.md", "sub/_index.md", ".draft.md",
                 ".hidden/e.md", "_drafts/f.md", "c.meta.yaml", "img/p.png", "releases/latest.md",
                 "releases/2026-01-01-real.md"):
        write(root / name, "x")
    found = [p.relative_to(root).as_posix() for p in discover(root, ["releases/latest.md"])]
    assert found == ["a.md", "c.txt", "d.xml", "releases/2026-01-01-real.md", "sub/b.markdown"]
    assert [p.relative_to(root).as_posix() for p in discover(root, ["releases/*"])] == ["a.md", "c.txt", "d.xml", "sub/b.markdown"]
