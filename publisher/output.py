"""The output folder: all-or-nothing writes of files whose bytes changed, and removal of stale ones."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from publisher.errors import OutputError

MANIFEST = ".publisher-outputs"


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """Write ``files`` (relative POSIX path -> bytes) into ``out_dir``, all or nothing: see
    :class:`Staging`. Files whose bytes are on disk already are not touched; files this tool
    wrote last time and no longer produces are removed. Returns (written, removed)."""
    staging = Staging(out_dir)
    try:
        for rel in sorted(files):
            staging.add(rel, files[rel])
        return staging.commit()
    except BaseException:
        staging.abort()
        raise


class Staging:
    """Outputs written one at a time beside their targets, then put in place all together.

    Each file is compared with what is on disk as it is added: an unchanged one is not written,
    a changed one goes to a temporary file beside its target. So a build never holds all its
    outputs in memory (a site of 10,000 articles with per-author, per-tag and archive feeds
    writes about 1 GB), and nothing in the folder changes until :meth:`commit`. :meth:`abort`
    deletes the temporary files and any folder made for them.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.names: set[str] = set()  # every output of this build
        self.same: set[str] = set()  # ... whose bytes are on disk already
        self._staged: dict[str, str] = {}  # output -> its temporary file
        self._made: list[Path] = []  # folders made for temporary files, parents first

    def add(self, rel: str, data: bytes) -> bool:
        """Stage ``data`` as output ``rel`` (relative POSIX path); False if it is already on
        disk as it is. A second ``add`` of the same path replaces the first."""
        self._drop(rel)
        self.names.add(rel)
        target = self.out_dir / rel
        try:
            if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                self.same.add(rel)
                return False
            self._folder(target.parent)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            self._staged[rel] = tmp
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write outputs: {exc}", self.out_dir) from exc
        self.same.discard(rel)
        return True

    def _drop(self, rel: str) -> None:
        tmp = self._staged.pop(rel, None)
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)

    def _folder(self, folder: Path) -> None:
        missing = []
        while not folder.is_dir():
            missing.append(folder)
            folder = folder.parent
        for made in reversed(missing):
            made.mkdir()
            self._made.append(made)

    def abort(self) -> None:
        """Delete what was staged; the folder is left as it was."""
        for rel in list(self._staged):
            self._drop(rel)
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):  # not empty: something else was put there
                folder.rmdir()
        self._made.clear()

    def commit(self) -> tuple[list[str], list[str]]:
        """Put every staged file in place and remove the outputs this tool wrote last time and
        no longer produces (foreign files stay). Returns (written, removed)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        previous = _read_manifest(self.out_dir)
        written = sorted(self._staged)
        for rel in written:
            os.replace(self._staged[rel], self.out_dir / rel)
        self._staged.clear()
        self._made.clear()
        removed = []
        for rel in sorted(previous - self.names):
            stale = self.out_dir / rel
            if stale.is_file():
                stale.unlink()
                removed.append(rel)
                _prune_empty(stale.parent, self.out_dir)
        _write_manifest(self.out_dir, self.names)
        return written, removed


def _read_manifest(out_dir: Path) -> set[str]:
    path = out_dir / MANIFEST
    if not path.is_file():
        return set()
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        # Only plain relative paths inside the folder are ever removed.
        if line and not line.startswith("/") and ".." not in Path(line).parts:
            names.add(line)
    return names


def _write_manifest(out_dir: Path, names: set[str]) -> None:
    data = "".join(n + "\n" for n in sorted(names)).encode("utf-8")
    path = out_dir / MANIFEST
    if path.is_file() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=out_dir)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _prune_empty(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
