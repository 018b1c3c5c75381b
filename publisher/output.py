"""The output folder: all-or-nothing writes of files whose bytes changed, and removal of stale ones."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from publisher.errors import OutputError
from publisher.paths import relative_name

MANIFEST = ".publisher-outputs"
#: How every temporary file of a build starts (staged outputs here, entries in the cache)
STAGING_PREFIX = ".tmp-"


def lock_path(out_dir: Path) -> Path:
    """What a build locks to have an output folder to itself: the folder holding it (which exists
    even before the first build, and is the same folder for every build into ``out_dir``). The
    lock is ``flock`` on that folder itself, so it writes no file anywhere: nothing outside the
    output folder and the cache, nothing deployed with the site."""
    return Path(os.path.abspath(out_dir)).parent  # "." has no name of its own


@contextlib.contextmanager
def locked(out_dir: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold the exclusive lock on ``out_dir`` (``flock`` on :func:`lock_path`): one build at a
    time writes into a folder (and into the folders beside it). A second build waits for the
    first (saying so on stderr), or with ``wait=False`` fails at once. The kernel drops the lock
    when its holder dies, so a killed build never leaves the folder locked."""
    path = lock_path(out_dir)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise OutputError(f"cannot open the folder that holds the output folder: {exc.strerror}", path) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise OutputError(f"another build is writing into {out_dir}; wait for it to finish", path) from None
            print(f"publisher: waiting for another build into {out_dir} to finish", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def remove_leftovers(out_dir: Path) -> list[str]:
    """Delete the temporary files a killed build left in ``out_dir`` (names starting with
    ``.tmp-``, which only :class:`Staging` makes there), and folders that held nothing else
    and are empty now (made for them). Call it holding :func:`locked`. Returns the files removed
    (relative paths)."""
    removed: list[str] = []
    if out_dir.is_dir():
        _remove_leftovers(str(out_dir), "", removed)
    return removed


def _remove_leftovers(folder: str, rel: str, removed: list[str]) -> bool:
    """Remove leftovers under ``folder``; True if some were removed and it is empty now."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    before = len(removed)
    left = len(entries)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if _remove_leftovers(entry.path, rel + entry.name + "/", removed):
                with contextlib.suppress(OSError):
                    os.rmdir(entry.path)
                    left -= 1
        elif entry.name.startswith(STAGING_PREFIX):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
            removed.append(rel + entry.name)
            left -= 1
    return left == 0 and len(removed) > before


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


class Output(NamedTuple):
    """An output that may not need making: its path, the key of everything it is made from
    ("" when it has none: its bytes are then made and compared every time), how to get its
    bytes (from the cache or made anew), and what to tell the cache when the output is left as
    it is on disk (that its kept copy is still in use). An output too big to hold (a book) also
    says how to ``write`` its bytes into a file as they are made (:meth:`Staging.write`)."""

    path: str
    key: str
    load: Callable[[], bytes]
    keep: Callable[[], None]
    write: Callable[[BinaryIO], object] | None = None


class Staging:
    """Outputs written one at a time beside their targets, then put in place all together.

    Each file is compared with what is on disk as it is added: an unchanged one is not written,
    a changed one goes to a temporary file beside its target. So a build never holds all its
    outputs in memory (a site of 10,000 articles with per-author, per-tag and archive feeds
    writes about 1 GB), and nothing in the folder changes until :meth:`commit`. :meth:`abort`
    deletes the temporary files and any folder made for them.
    """

    def __init__(self, out_dir: Path, left: dict[str, tuple[tuple[int, int], str]] | None = None) -> None:
        """``left``: what the last build left in ``out_dir`` (see :meth:`BuildState.left`)."""
        self.out_dir = out_dir
        self.names: set[str] = set()  # every output of this build
        self.same: set[str] = set()  # ... whose bytes are on disk already
        self.keys: dict[str, str] = {}  # output -> the key it was made from, where it has one
        self._left = left or {}
        self._staged: dict[str, str] = {}  # output -> its temporary file
        self._made: list[Path] = []  # folders made for temporary files, parents first

    def left_as_is(self, rel: str, key: str) -> bool:
        """Is output ``rel``, made from ``key``, on disk as the last build left it, and was it
        made from the same key then? If so it counts as added and unchanged, without its bytes
        being made, read or compared. Trusts the file's size and modification time (to the ns), as
        the whole-build skip does (:meth:`~publisher.incremental.buildstate.StateStore.fresh`)."""
        was = self._left.get(rel)
        if not key or was is None or was[1] != key or stat_of(os.path.join(self.out_dir, rel)) != was[0]:
            return False
        self._drop(rel)
        self.names.add(rel)
        self.same.add(rel)
        self.keys[rel] = key
        return True

    def add(self, rel: str, data: bytes, key: str = "") -> bool:
        """Stage ``data`` as output ``rel`` (relative POSIX path), made from ``key`` if it has
        one; False if it is already on disk as it is. A second ``add`` of a path replaces the first."""
        target = self._enter(rel, key)
        try:
            if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                self.same.add(rel)
                return False
            with self._temporary(rel, target) as fh:
                fh.write(data)
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write outputs: {exc}", self.out_dir) from exc
        self.same.discard(rel)
        return True

    def write(self, rel: str, produce: Callable[[BinaryIO], object], key: str = "") -> bool:
        """Stage as output ``rel`` what ``produce`` writes into the file it is given (a book of
        hundreds of MB: written as it is made, never held whole); otherwise as :meth:`add`.

        What is written is compared with the file on disk as it comes: while it matches nothing
        is written, so an output that is on disk as it is costs no temporary file (False);
        at the first difference the part that matched is copied from the old file and the rest
        written after it. Whatever ``produce`` raises leaves nothing staged for ``rel``.
        """
        target = self._enter(rel, key)
        try:
            sink = _Compared(target, lambda: self._temporary(rel, target))
            try:
                produce(sink)
                changed = sink.finish()
            finally:
                sink.close()
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write outputs: {exc}", self.out_dir) from exc
        except BaseException:
            self._drop(rel)
            raise
        if changed:
            self.same.discard(rel)
        else:
            self.same.add(rel)
        return changed

    def _enter(self, rel: str, key: str) -> Path:
        """Count ``rel`` as an output made from ``key``; its target path."""
        problem = relative_name(rel)
        if problem is not None:  # a name from the config or a source that got past their checks
            self.abort()
            raise OutputError(f"output name {rel!r} {problem}; outputs stay inside the output folder", self.out_dir)
        self._drop(rel)
        self.names.add(rel)
        if key:
            self.keys[rel] = key
        else:
            self.keys.pop(rel, None)
        return self.out_dir / rel

    def _temporary(self, rel: str, target: Path) -> BinaryIO:
        """A new temporary file beside ``target``, open for writing, staged as ``rel``."""
        self._folder(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=STAGING_PREFIX, dir=target.parent)
        self._staged[rel] = tmp
        os.fchmod(fd, 0o644)
        return os.fdopen(fd, "wb")

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


class _Compared:
    """A file-like sink (``write`` only) that compares what it is given with the file at
    ``target`` and writes into a temporary file (opened by ``temporary``) only from the first
    difference on, copying the part that matched from the old file first."""

    _COPY = 1024 * 1024

    def __init__(self, target: Path, temporary: Callable[[], BinaryIO]) -> None:
        self._temporary = temporary
        self._out: BinaryIO | None = None
        self._old: BinaryIO | None = open(target, "rb") if target.is_file() else None  # noqa: SIM115 - see close
        self._at = 0  # bytes that matched the old file so far
        if self._old is None:
            self._diverge()

    def write(self, data: bytes) -> int:
        if self._out is None:
            if self._old.read(len(data)) == data:
                self._at += len(data)
                return len(data)
            self._diverge()
        self._out.write(data)
        return len(data)

    def _diverge(self) -> None:
        self._out = self._temporary()
        if self._old is not None:
            self._old.seek(0)
            left = self._at
            while left:
                chunk = self._old.read(min(left, self._COPY))
                if not chunk:
                    raise OSError(f"{self._old.name} changed while it was being compared")
                self._out.write(chunk)
                left -= len(chunk)
            self._old.close()
            self._old = None

    def finish(self) -> bool:
        """Done writing: True if the bytes differ from the old file's (and are staged)."""
        if self._out is None and self._old.read(1) != b"":  # the old file is longer
            self._diverge()
        changed = self._out is not None
        self.close()
        return changed

    def close(self) -> None:
        """Let go of both files (on an error too: the caller drops what was staged)."""
        for fh in (self._old, self._out):
            if fh is not None:
                fh.close()
        self._old = None


def stat_of(path: Path | str) -> tuple[int, int] | None:
    """(size, modification time in ns) of a file, None if there is none: what tells a
    file left as it was from one replaced or edited."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _read_manifest(out_dir: Path) -> set[str]:
    path = out_dir / MANIFEST
    if not path.is_file():
        return set()
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        # Only plain relative paths inside the folder are ever removed.
        if relative_name(line) is None:
            names.add(line)
    return names


def _write_manifest(out_dir: Path, names: set[str]) -> None:
    data = "".join(n + "\n" for n in sorted(names)).encode("utf-8")
    path = out_dir / MANIFEST
    if path.is_file() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(prefix=STAGING_PREFIX, dir=out_dir)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _prune_empty(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
