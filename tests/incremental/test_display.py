"""PathDisplay (how a rebuild shows thousands of cached messages) says exactly what display_path says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from publisher.errors import PathDisplay, display_path


@pytest.fixture
def tree(tmp_path: Path, monkeypatch) -> Path:
    site = tmp_path / "site"
    (site / "articles" / "sub").mkdir(parents=True)
    (site / "articles" / "a.md").write_text("a")
    (site / "articles" / "sub" / "b.md").write_text("b")
    (site / "articles" / "alias.md").symlink_to(site / "articles" / "sub" / "b.md")
    (site / "linked").symlink_to(site / "articles" / "sub")
    (tmp_path / "outside.md").write_text("o")
    monkeypatch.chdir(site)
    return tmp_path


def _paths(root: Path) -> list[str]:
    site = root / "site"
    return [
        str(site / "articles" / "a.md"),
        str(site / "articles" / "sub" / "b.md"),
        str(site / "articles" / "alias.md"),  # a link to another file: shown as that file
        str(site / "linked" / "b.md"),  # through a linked folder
        str(site / "articles" / "gone.md"),  # no such file
        str(site / "articles" / "sub" / ".." / "a.md"),
        str(site / "articles"),
        str(site),
        str(root / "outside.md"),  # outside the working folder: as given
        "articles/a.md",  # relative
        "-",
        str(site / "articles" / "caf\udce9.md"),  # a name that is not UTF-8
    ]


def test_path_display_agrees_with_display_path(tree: Path):
    display = PathDisplay()
    for path in _paths(tree):
        assert display(path) == display_path(path), path
        assert display(path) == display_path(path), path  # and again, from its memory


def test_path_display_under_a_linked_working_folder(tree: Path, monkeypatch):
    (tree / "cwd-link").symlink_to(tree / "site")
    monkeypatch.chdir(tree / "cwd-link")
    display = PathDisplay()
    for path in _paths(tree):
        assert display(path) == display_path(path), path
    assert display(str(tree / "site" / "articles" / "a.md")) == os.path.join("articles", "a.md")
