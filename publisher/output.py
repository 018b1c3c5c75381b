"""The output folder: all-or-nothing writes of files whose bytes changed, and removal of stale ones."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from publisher.errors import OutputError

MANIFEST = ".publisher-outputs"


def unchanged(out_dir: Path, files: dict[str, bytes]) -> set[str]:
    """The paths whose bytes are already on disk in ``out_dir``."""
    same = set()
    for rel, data in files.items():
        target = out_dir / rel
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            same.add(rel)
    return same


def write_outputs(
    out_dir: Path, files: dict[str, bytes], same: set[str] | None = None
) -> tuple[list[str], list[str]]:
    """Write ``files`` (relative POSIX path -> bytes) into ``out_dir``.

    Every file is first written beside its target as a temporary file; only when all of them
    are on disk are they renamed into place, so a failure while writing leaves the old outputs.
    Unchanged files (``same``, found by ``unchanged`` when not given) are not touched. Files this
    tool wrote last time and no longer produces are removed. Returns (written, removed).
    """
    if same is None:
        same = unchanged(out_dir, files)
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(out_dir)
    staged: list[tuple[Path, Path]] = []
    written: list[str] = []
    try:
        for rel in sorted(files):
            if rel in same:
                continue
            target = out_dir / rel
            data = files[rel]
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
            staged.append((Path(tmp), target))
            written.append(rel)
    except OSError as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write outputs: {exc}", out_dir) from exc
    for tmp, target in staged:
        os.replace(tmp, target)
    removed = []
    for rel in sorted(previous - set(files)):
        stale = out_dir / rel
        if stale.is_file():
            stale.unlink()
            removed.append(rel)
            _prune_empty(stale.parent, out_dir)
    _write_manifest(out_dir, set(files))
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
