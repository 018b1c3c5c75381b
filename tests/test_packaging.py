"""Packaging: installing the project leaves build/ (the published folder) alone; the wheel is complete."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("hatchling") is None, reason="hatchling (test extra) not installed"
)


def _tree(folder: Path) -> dict[str, int] | None:
    if not folder.exists():
        return None
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in sorted(folder.rglob("*"))}


def test_pip_install_leaves_build_folder_as_it_was(tmp_path: Path):
    before = _tree(REPO / "build")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--no-compile", "--target", str(tmp_path / "target"), str(REPO)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert _tree(REPO / "build") == before
    installed = tmp_path / "target" / "publisher"
    for data in ("model/article.rng", "books/epub.css", "feeds/feed.css", "i18n/de.po", "books/fonts/LICENSE",
                 "scaffold/templates/publish.yml", "scaffold/templates/example.md"):
        assert (installed / data).is_file(), data
    assert list((tmp_path / "target").glob("newsroom_publisher-*.dist-info"))


def test_wheel_has_free_name_and_publisher_command(tmp_path: Path):
    meta = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["name"] == "newsroom-publisher"  # "publisher" belongs to another project
    assert meta["project"]["scripts"]["publisher"] == "publisher.cli:main"
    before = _tree(REPO / "build")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(tmp_path), str(REPO)],
                   capture_output=True, check=True)
    assert _tree(REPO / "build") == before
    (wheel,) = tmp_path.glob("newsroom_publisher-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(zf.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert "publisher = publisher.cli:main" in entry_points
    assert "publisher/model/article.rng" in names and "publisher/books/fonts/DejaVuSans.ttf" in names
    assert not any(n.startswith(("tests/", "build/")) for n in names)
