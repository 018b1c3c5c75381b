"""Staging: outputs written one at a time beside their targets, put in place all together."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.errors import OutputError
from publisher.output import MANIFEST, Staging, write_outputs


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_staged_files_are_on_disk_but_not_in_place_until_commit(tmp_path: Path):
    out = tmp_path / "out"
    write_outputs(out, {"a.xml": b"old", "keep.xml": b"same"})
    staging = Staging(out)
    assert staging.add("a.xml", b"new") is True
    assert staging.add("keep.xml", b"same") is False
    assert staging.add("deep/er/b.xml", b"b") is True
    assert (out / "a.xml").read_bytes() == b"old"  # not in place yet ...
    staged = [p for p in out.rglob(".tmp-*")]
    assert len(staged) == 2 and sorted(p.read_bytes() for p in staged) == [b"b", b"new"]  # ... but written
    assert staging.commit() == (["a.xml", "deep/er/b.xml"], [])
    assert _files(out) == {MANIFEST: b"a.xml\ndeep/er/b.xml\nkeep.xml\n", "a.xml": b"new",
                           "deep/er/b.xml": b"b", "keep.xml": b"same"}
    assert staging.same == {"keep.xml"}


def test_abort_leaves_the_folder_as_it_was(tmp_path: Path):
    out = tmp_path / "out"
    write_outputs(out, {"a.xml": b"old", "tags/x/atom.xml": b"x"})
    (out / "tags" / "foreign.txt").write_bytes(b"mine")
    before = _files(out)
    folders = sorted(p for p in out.rglob("*") if p.is_dir())
    staging = Staging(out)
    staging.add("a.xml", b"new")
    staging.add("tags/y/z/atom.xml", b"y")  # new folders, made for the staged file
    staging.add("tags/x/atom.xml", b"x2")
    staging.abort()
    assert _files(out) == before
    assert sorted(p for p in out.rglob("*") if p.is_dir()) == folders


def test_abort_on_a_first_build_leaves_no_output_folder(tmp_path: Path):
    staging = Staging(tmp_path / "out" / "site")
    staging.add("media/a.png", b"png")
    staging.abort()
    assert not (tmp_path / "out").exists()


def test_adding_a_path_twice_keeps_the_last_bytes_and_no_stray_file(tmp_path: Path):
    out = tmp_path / "out"
    staging = Staging(out)
    staging.add("a.xml", b"first")
    staging.add("a.xml", b"second")
    staging.commit()
    assert _files(out) == {MANIFEST: b"a.xml\n", "a.xml": b"second"}


def test_outputs_no_longer_made_are_removed_and_foreign_files_kept(tmp_path: Path):
    out = tmp_path / "out"
    write_outputs(out, {"a.xml": b"a", "old/b.xml": b"b"})
    (out / "foreign.txt").write_bytes(b"mine")
    assert write_outputs(out, {"a.xml": b"a"}) == ([], ["old/b.xml"])
    assert _files(out) == {MANIFEST: b"a.xml\n", "a.xml": b"a", "foreign.txt": b"mine"}


def test_a_write_that_fails_names_the_folder_and_stages_nothing(tmp_path: Path):
    out = tmp_path / "out"
    write_outputs(out, {"a.xml": b"a"})
    (out / "blocked").write_bytes(b"a file where a folder is needed")
    staging = Staging(out)
    staging.add("a.xml", b"changed")
    with pytest.raises(OutputError, match="cannot write outputs"):
        staging.add("blocked/b.xml", b"b")
    assert not list(out.rglob(".tmp-*"))
    assert (out / "a.xml").read_bytes() == b"a"
