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


def _chunks(data: bytes, size: int = 7):
    def produce(fh) -> None:
        for at in range(0, len(data), size):
            fh.write(data[at:at + size])
    return produce


@pytest.mark.parametrize("new", [b"0123456789" * 10, b"0123456789" * 10 + b"more", b"0123456789" * 9,
                                 b"01234X6789" + b"0123456789" * 9, b"0123456789" * 9 + b"012345678X", b""])
def test_a_written_output_is_compared_as_it_comes_and_staged_only_if_it_differs(tmp_path: Path, new: bytes):
    """Staging.write: an output too big to hold (a book) streamed into its file; one that is on
    disk as it is leaves no temporary file, one that differs anywhere (longer, shorter, in the
    middle, at its end) is staged whole, and put in place by commit."""
    out = tmp_path / "out"
    old = b"0123456789" * 10
    write_outputs(out, {"books/a.epub": old})
    staging = Staging(out)
    changed = staging.write("books/a.epub", _chunks(new), "key")
    assert changed is (new != old)
    assert staging.keys["books/a.epub"] == "key" and "books/a.epub" in staging.names
    staged = [p.name for p in (out / "books").iterdir() if p.name.startswith(".tmp-")]
    assert len(staged) == (1 if changed else 0)
    assert (out / "books" / "a.epub").read_bytes() == old  # nothing in place before commit
    written, _ = staging.commit()
    assert written == (["books/a.epub"] if changed else [])
    assert (out / "books" / "a.epub").read_bytes() == new
    assert not [p for p in out.rglob(".tmp-*")]


def test_a_written_output_new_or_failing(tmp_path: Path):
    out = tmp_path / "out"
    staging = Staging(out)
    assert staging.write("deep/b.epub", _chunks(b"new book")) is True  # nothing there: written
    assert (out / "deep").is_dir() and not (out / "deep" / "b.epub").exists()

    def broken(fh) -> None:
        fh.write(b"half a bo")
        raise ValueError("an image changed")

    write_outputs(tmp_path / "other", {"c.epub": b"old"})
    again = Staging(tmp_path / "other")
    with pytest.raises(ValueError, match="an image changed"):
        again.write("c.epub", broken)
    assert sorted(p.name for p in (tmp_path / "other").iterdir()) == [MANIFEST, "c.epub"]  # nothing staged
    staging.commit()
    assert (out / "deep" / "b.epub").read_bytes() == b"new book"
