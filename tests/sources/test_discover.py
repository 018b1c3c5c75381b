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


def test_links_fifos_and_linked_folders(tmp_path: Path):
    """Links to files inside the folder count (by their name here), broken links and FIFOs do
    not, links out of the folder are refused (kind "x"), linked folders are not entered (as
    with rglob); the build's hash of its inputs does not open a FIFO, nor a link leading out."""
    import os

    from publisher.incremental.buildstate import inputs_key
    from publisher.sources import discover_named, scan
    from tests.conftest import site_config

    site = tmp_path / "site"
    root = site / "articles"
    write(root / "a.md", "---\ntitle: A\n---\nx\n")
    write(site / "publisher.toml", '[site]\ntitle = "T"\nbase_url = "https://t.example/"\n')
    write(root / "_kept" / "b.md", "---\ntitle: B\n---\nx\n")
    write(tmp_path / "elsewhere" / "out.md", "---\ntitle: Out\n---\nx\n")
    write(tmp_path / "folder" / "c.md", "---\ntitle: C\n---\nx\n")
    (root / "b.md").symlink_to(root / "_kept" / "b.md")
    (root / "out.md").symlink_to(tmp_path / "elsewhere" / "out.md")
    (root / "gone.md").symlink_to(tmp_path / "nowhere.md")
    (root / "linked").symlink_to(tmp_path / "folder", target_is_directory=True)
    os.mkfifo(root / "pipe.md")
    (root / "pipe-link.md").symlink_to(root / "pipe.md")
    assert [(rel, p.name) for rel, p in discover_named(root)] == [("a.md", "a.md"), (None, "b.md")]
    assert {rel: kind for rel, _, kind in scan(root).files} == {
        "_kept/b.md": "f", "a.md": "f", "b.md": "l", "gone.md": "l", "out.md": "x", "pipe.md": "o", "pipe-link.md": "l"}
    digests: dict[str, str] = {}
    inputs_key(site_config(site), site / "build", digests)  # returns: no FIFO was read, linked or not
    assert str(root / "a.md") in digests and str(root / "pipe.md") in digests
