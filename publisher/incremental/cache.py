"""The per-article cache: normalized XML and messages by a hash of everything they depend on.

An entry is keyed by the tool (version and code), the config's fingerprint, the source's path and
the hash of its bytes.
It records its other inputs (sidecar, images, linked sources) with their content hashes and is
used only when all of them still match. Entries are written atomically and carry a checksum, so
an interrupted build or a damaged file is detected and the article is simply rebuilt.

Beside the entries, a catalog per articles folder (16 files) keeps every article's record: its
metadata, messages and dependencies. A rebuild reads those 16 files rather than one entry per
article, and loads an article's document from its entry only when a renderer needs it.
Blobs (feed documents, books, book frames, chapter packs) are stored by a hash of
everything they were made from.

The cache does not grow without end: when the catalog is written, the entries the last build
used and this one does not are deleted (an edited article's old version, every entry after a
new tool version), and after each build that wrote its outputs, so are the blobs that the last
build into the same output folder used and this one did not (:meth:`Cache.sweep`).

With ``cache_dir`` a URL, entries are also kept in a shared tier (:mod:`.remote`, through
fsspec) that every machine reads on a local miss and writes after normalizing; everything
else, and the deleting, stays in this machine's folder (``cache_local_dir``).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import itertools
import marshal
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from publisher import __version__
from publisher.config import Config
from publisher.errors import Diagnostic, OutputError
from publisher.incremental.remote import BATCH as REMOTE_BATCH
from publisher.incremental.remote import RemoteStore
from publisher.model import Meta

#: Entries and catalog files are stored with marshal, whose format belongs to one Python
#: version: files made by another are not read (the magic line differs).
MAGIC = f"publisher-cache-3 {sys.version_info[0]}.{sys.version_info[1]} {marshal.version}\n".encode()
CATALOG_MAGIC = f"publisher-catalog-3 {sys.version_info[0]}.{sys.version_info[1]} {marshal.version}\n".encode()
HEX = "0123456789abcdef"  # catalog files and chapter packs are kept in 16 shards, by a key's first digit


@dataclass(frozen=True)
class Record:
    """What a build needs of one article besides its document: kept for every article in one
    catalog file, so a rebuild reads one file instead of one entry per article."""

    meta: Meta  # meta[0] is the hash of the document's bytes
    diagnostics: tuple[Diagnostic, ...]  # paths relative to the articles folder, or absolute
    deps: tuple[tuple[str, str], ...]  # (path as diagnostics, digest of its bytes or "missing")


@dataclass(frozen=True)
class Entry:
    xml: bytes
    diagnostics: tuple[Diagnostic, ...]  # paths relative to the articles folder, or absolute
    deps: tuple[tuple[str, str], ...]  # (path as diagnostics, digest of its bytes or "missing")
    meta: Meta

    def record(self) -> Record:
        return Record(self.meta, self.diagnostics, self.deps)


def _plain(record: Record) -> tuple:
    diagnostics = tuple((d.path, d.line, d.col, d.severity, d.message, d.code) for d in record.diagnostics)
    return record.meta, diagnostics, record.deps


def _record(t: tuple) -> Record:
    return Record(t[0], tuple(Diagnostic(*d) for d in t[1]) if t[1] else (), t[2])


def code_identity() -> str:
    """The tool's version and a hash of every file of the installed package (code, schema,
    stylesheets, fonts): a cache made by other code is never used, even at the same version."""
    return f"{__version__}+{package_hash()}"


#: The whole installed package (every subpackage, schema, stylesheet and font), not this module's folder.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def package_hash() -> str:
    package = PACKAGE_ROOT
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            h.update(b"\0" + path.relative_to(package).as_posix().encode("utf-8") + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:20]


def digest_file(path: Path) -> str:
    """SHA-256 of a file's bytes; "missing" when there is none, "unreadable" for a folder or a
    file that cannot be read (a FIFO is not opened)."""
    try:
        if not path.is_file():
            return "missing" if not path.exists() else "unreadable"
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"


def key_for(config: Config, rel: str, digest: str) -> str:
    """An entry's key: the tool, the settings, the source's path and the hash of its bytes."""
    h = _settings_hash(code_identity(), config.fingerprint).copy()
    # surrogateescape: a file name that is not UTF-8 still has a key (its source is an error)
    h.update(rel.encode("utf-8", "surrogateescape") + b"\0" + digest.encode("utf-8") + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=8)
def _settings_hash(code: str, fingerprint: str):  # the part every key of one build shares
    h = hashlib.sha256()
    for part in (code, fingerprint):
        h.update(part.encode("utf-8") + b"\0")
    return h


class Cache:
    """A folder of entries; ``None`` folder means no caching."""

    writes = True  # False: see ReadOnlyCache

    def __init__(self, folder: Path | None, remote: RemoteStore | None = None) -> None:
        self.folder = folder
        self.remote = remote if folder is not None else None  # the shared tier (entries only)
        self._absent: set[str] = set()  # keys the shared tier was asked for and does not hold
        self._root = f"{folder}{os.sep}"
        self.hits = 0
        self.misses = 0
        self.normalized = 0  # articles read and normalized from source in this build (not from here)
        # Files do not change during one build: an image used by 500 articles is hashed once.
        self._digests: dict[str, str] = {}
        self._folders: set[str] = set()
        self._used: set[str] = set()  # blob files read or written by this build (see sweep)
        self._tracks: list[set[str]] = []

    def known(self, digests: dict[str, str], folders: set[str]) -> None:
        """Hashes of the files already read in this build (absolute path -> SHA-256 hex), and
        the folders all of whose files are among them: any other file there does not exist."""
        self._digests.update(digests)
        self._folders = set(folders)

    def digests(self) -> tuple[dict[str, str], set[str]]:
        """What :meth:`known` was told, and every digest found since (for worker processes)."""
        return dict(self._digests), set(self._folders)

    def digest(self, path: str) -> str:
        if path not in self._digests:
            listed = os.path.dirname(path) in self._folders
            self._digests[path] = "missing" if listed else digest_file(Path(path))
        return self._digests[path]

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / key

    def holds(self, deps: tuple[tuple[str, str], ...], base: str = "") -> bool:
        """Do all these files still have these digests? A relative path is relative to ``base``
        (a folder ending in a separator)."""
        known = self._digests
        for path, digest in deps:
            if base and path[:1] != os.sep:  # (os.path.isabs on POSIX, without its call)
                path = base + path
            if known.get(path) != digest and self.digest(path) != digest:
                return False
        return True

    def entry_path(self, key: str) -> str:
        assert self.folder is not None
        return f"{self._root}{key[:2]}{os.sep}{key}"

    def xml_of(self, key: str, digest: str) -> bytes | None:
        """The document stored under ``key``, if that entry is intact and its bytes hash to ``digest``."""
        return None if self.folder is None else read_xml(str(self._path(key)), digest)

    def _catalog_path(self, name: str, shard: str) -> Path:
        assert self.folder is not None
        return self.folder / "catalog" / hashlib.sha256(name.encode("utf-8")).hexdigest()[:24] / shard

    def catalog(self, name: str) -> dict[str, Record]:
        """The records the last build of ``name`` (an articles folder) kept, by entry key; none
        from a file that is missing or damaged. A record is still only used when its deps hold.

        Kept in 16 files by the key's first hex digit, so that an edit rewrites one or two of
        them; stored with ``marshal`` as plain tuples (ten times faster to load than pickles).
        """
        records: dict[str, Record] = {}
        if self.folder is None:
            return records
        for shard in HEX:
            try:
                raw = self._catalog_path(name, shard).read_bytes()
            except OSError:
                continue
            body = raw[len(CATALOG_MAGIC):] if raw.startswith(CATALOG_MAGIC) else b""
            checksum, payload = body[:32], body[32:]
            if len(checksum) != 32 or hashlib.sha256(payload).digest() != checksum:
                continue
            try:
                records.update((key, _record(t)) for key, t in marshal.loads(payload).items())
            except Exception:  # noqa: BLE001 - unreadable: its entries are looked up one by one
                continue
        return records

    def put_catalog(self, name: str, records: dict[str, Record], old: dict[str, Record]) -> None:
        """Keep ``records``, writing only the files whose records differ from ``old`` (as loaded)."""
        if self.folder is None:
            return
        now_by, old_by = by_shard(records), by_shard(old)
        for shard in HEX:
            now = now_by[shard]
            if now.keys() == old_by[shard].keys() and all(old[k] is r for k, r in now.items()):
                continue
            payload = marshal.dumps({key: _plain(r) for key, r in now.items()})
            _atomic_write(self.folder, self._catalog_path(name, shard), CATALOG_MAGIC, hashlib.sha256(payload).digest(), payload)
        # The entries of the last build that this one no longer uses: an edited article's old
        # version, a deleted article, every entry after a new tool version or settings change.
        for key in old.keys() - records.keys():
            discard(self.entry_path(key))

    def get(self, key: str, base: str = "") -> Entry | None:
        """The entry under ``key`` if intact and its deps (relative to ``base``) hold."""
        if self.folder is None:
            return None
        path = self.entry_path(key)
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError:
            return self._get_shared(key, base)
        entry = _decode(raw)
        if entry is None and self.writes:  # damaged: drop it, rebuild the article
            discard(path)
        elif entry is not None and not self.holds(entry.deps, base):
            entry = None
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def put(self, key: str, entry: Entry) -> None:
        if self.folder is None:
            return
        payload = marshal.dumps((entry.xml, *_plain(entry.record())))
        parts = (MAGIC, hashlib.sha256(payload).digest(), payload)
        _atomic_write(self.folder, self.entry_path(key), *parts)
        if self.remote is not None:
            self.remote.put(key, parts)

    def flush(self) -> None:
        """Send what :meth:`put` left for the shared tier (it sends entries in batches)."""
        if self.remote is not None:
            self.remote.flush()

    def prefetch(self, keys: Iterable[str]) -> None:
        """Copy into the local tier, in a few batched requests, those of these entries that it
        lacks and the shared tier holds (a fresh CI runner: one request per 256 articles
        rather than one each). A damaged one is a warning and a miss."""
        if self.remote is None or not self.writes:
            return
        wanted = [key for key in keys if key not in self._absent and not os.path.exists(self.entry_path(key))]
        for start in range(0, len(wanted), REMOTE_BATCH):  # one batch in memory at a time
            batch = wanted[start:start + REMOTE_BATCH]
            found = self.remote.get_many(batch)
            self._absent.update(key for key in batch if key not in found)
            for key, raw in found.items():
                if self._intact_shared(key, raw) is not None:
                    _atomic_write(self.folder, self.entry_path(key), raw)
                    self.remote.hits += 1
                else:
                    self._absent.add(key)

    def _get_shared(self, key: str, base: str) -> Entry | None:
        """The entry from the shared tier (copied into the local one), after a local miss."""
        entry = None
        if self.remote is not None and key not in self._absent:
            raw = self.remote.get(key)
            entry = None if raw is None else self._intact_shared(key, raw)
            if entry is None:
                self._absent.add(key)
            else:
                self.remote.hits += 1
                if self.writes:
                    _atomic_write(self.folder, self.entry_path(key), raw)
                if not self.holds(entry.deps, base):
                    entry = None  # made from other images or linked sources: normalized here
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def _intact_shared(self, key: str, raw: bytes) -> Entry | None:
        entry = _decode(raw)
        if entry is None and (raw.startswith(MAGIC) or not raw.startswith(b"publisher-cache-")):
            self.remote.damaged(key)  # (one made by another Python version is just a miss)
        return entry


    def get_blob(self, key: str) -> bytes | None:
        """Rendered bytes stored under ``key`` (a hash of all their inputs), if intact."""
        if self.folder is None:
            return None
        path = self._path("b" + key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        checksum, data = raw[:32], raw[32:]
        if len(checksum) != 32 or hashlib.sha256(data).digest() != checksum:
            discard(path)
            return None
        self._use("b" + key)
        return data

    def put_blob(self, key: str, data: bytes) -> None:
        if self.folder is None:
            return
        self._use("b" + key)
        _atomic_write(self.folder, self._path("b" + key), hashlib.sha256(data).digest(), data)

    def get_kept(self, slot: str, key: str) -> bytes | None:
        """The bytes kept in ``slot`` if they were made from ``key`` (a hash of their inputs).

        A slot (one output: a book, a feed document) holds one version: each new version
        replaces the last, so the cache does not grow by a whole book on every edit.
        """
        if self.folder is None:
            return None
        name = _slot_file(slot)
        tag = key.encode("ascii") + b"\n"
        try:
            with open(self._path(name), "rb") as fh:
                head = fh.read(32 + len(tag))
                if head[32:] != tag:  # another version (or none): not read further (a book is 30 MB)
                    return None
                data = fh.read()
        except OSError:
            return None
        checksum = hashlib.sha256(tag)
        checksum.update(data)
        if checksum.digest() != head[:32]:
            discard(self._path(name))
            return None
        self._use(name)
        return data

    def put_kept(self, slot: str, key: str, data: bytes) -> None:
        if self.folder is None:
            return
        tag = key.encode("ascii") + b"\n"
        checksum = hashlib.sha256(tag)
        checksum.update(data)
        name = _slot_file(slot)
        self._use(name)
        _atomic_write(self.folder, self._path(name), checksum.digest(), tag, data)

    def keep_slot(self, slot: str) -> None:
        """Count ``slot``'s kept output as used by this build without reading it (its output
        is on disk as it was made), so that :meth:`sweep` leaves it."""
        if self.folder is not None:
            self._use(_slot_file(slot))

    def _use(self, blob: str) -> None:
        self._used.add(blob)
        for track in self._tracks:
            track.add(blob)

    @contextlib.contextmanager
    def tracking(self) -> Iterator[set[str]]:
        """The blobs read or written inside the ``with`` block: what a kept output was made
        with (a book's frame and chapter packs), to be kept along with it (:meth:`keep`)."""
        track: set[str] = set()
        self._tracks.append(track)
        try:
            yield track
        finally:
            self._tracks.remove(track)

    def keep(self, blobs: Iterable[str]) -> None:
        """Count these blobs as used by this build (they belong to an output taken from the
        cache as a whole), so that :meth:`sweep` leaves them."""
        for blob in blobs:
            self._use(blob)

    def sweep(self, name: str) -> int:
        """Delete the blobs that the last build named ``name`` (an output folder) used and this
        one did not, and remember this one's; returns how many files went.

        Books, frames and feed documents replace their own files, but a new tool version (or a
        renamed edition) names every blob anew; without this the old ones would stay forever in
        a cache that CI keeps between runs. Run after a build that wrote all its outputs.
        """
        if self.folder is None:
            return 0
        path = self.folder / "roots" / hashlib.sha256(name.encode("utf-8")).hexdigest()[:24]
        old: set[str] = set()
        try:
            raw = path.read_bytes()
        except OSError:
            raw = b""
        checksum, payload = raw[:32], raw[32:]
        if len(checksum) == 32 and hashlib.sha256(payload).digest() == checksum:
            try:
                old = set(marshal.loads(payload))
            except Exception:  # noqa: BLE001 - unreadable: nothing is deleted
                old = set()
        payload = marshal.dumps(sorted(self._used))
        _atomic_write(self.folder, path, hashlib.sha256(payload).digest(), payload)
        gone = 0
        for blob in sorted(old - self._used):
            ours = len(blob) == 65 and blob[0] == "b" and all(c in HEX for c in blob[1:])  # only our own names
            if ours and os.path.lexists(self._path(blob)):
                discard(self._path(blob))
                gone += 1
        return gone


_made: set[str] = set()  # folders known to exist (one mkdir per folder and process)
_serial = itertools.count()


#: What an OSError says when the cache's own files are not what it made (a folder where an
#: entry goes, a file where a folder goes): damage, repaired by discarding what is in the way.
_DAMAGE = {errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOTEMPTY, errno.ELOOP}


def _atomic_write(root: Path | str, path: Path | str, *parts: bytes) -> None:
    """Write ``parts`` one after the other (not joined: a pack can be tens of MB) to a temporary
    file beside ``path``, then rename: readers see all or nothing. (Plain strings: at 10,000
    entries a build, pathlib's parsing cost more than the writing.)

    Whatever stands in the way inside the cache folder ``root`` is discarded and the write tried
    once more; a write that still fails (a full disk, ``ulimit -f``, no permission) leaves no
    temporary file and is an OutputError (exit 3): the environment, not the sources, is wrong.
    """
    path = os.fspath(path)
    try:
        _write(path, parts)
    except OSError as exc:
        if exc.errno not in _DAMAGE:
            raise _unwritable(path, exc) from None
        _clear_way(os.fspath(root), path)
        try:
            _write(path, parts)
        except OSError as again:
            raise _unwritable(path, again) from None


def _unwritable(path: str, exc: OSError) -> OutputError:
    return OutputError(f"cannot write the cache: {exc.strerror or exc}; free space or fix the folder's "
                       "permissions, or build with --no-cache", path)


def _write(path: str, parts: tuple[bytes, ...]) -> None:
    folder = os.path.dirname(path)
    if folder not in _made:
        os.makedirs(folder, exist_ok=True)
        _made.add(folder)
    # unique per process and write; O_EXCL so that a leftover of a crashed build is never reused
    tmp = f"{folder}{os.sep}.tmp-{os.getpid()}-{next(_serial)}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    except FileNotFoundError:  # the folder went since this process made it
        _made.discard(folder)
        return _write(path, parts)
    except NotADirectoryError:  # the folder was replaced by a file
        _made.discard(folder)
        raise
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _clear_way(root: str, path: str) -> None:
    """Discard what keeps ``path`` from being written inside the cache folder ``root``: a folder
    at ``path``, or a file (or link) where one of its folders goes. Nothing outside ``root``."""
    discard(path)
    folder = os.path.dirname(path)
    while len(folder) > len(root) and folder.startswith(root + os.sep):
        if os.path.isdir(folder) and not os.path.islink(folder):
            break
        _made.discard(folder)
        discard(folder)
        folder = os.path.dirname(folder)


def discard(path: Path | str) -> None:
    """Remove whatever is at ``path`` in the cache (a file, a link, a folder and all it holds); a
    damaged cache is repaired by forgetting what is damaged."""
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):
        pass


def by_shard(items: dict[str, object]) -> dict[str, dict]:
    """``items`` (by hex key) split into the 16 shards, by the key's first digit."""
    shards: dict[str, dict] = {shard: {} for shard in HEX}
    for key, value in items.items():
        shards.setdefault(key[:1], {})[key] = value  # (only hex keys are ever written)
    return shards


def _slot_file(slot: str) -> str:
    """The file name (a blob's) that holds a kept slot."""
    return "b" + blob_key("slot", slot)


def blob_key(*parts: str) -> str:
    h = _tool_hash(code_identity()).copy()
    h.update(b"".join(b"\0" + part.encode("utf-8") for part in parts))
    return h.hexdigest()


@functools.lru_cache(maxsize=4)
def _tool_hash(code: str):
    return hashlib.sha256(code.encode("utf-8"))


@dataclass(frozen=True)
class EntryRef:
    """Where a worker process reads one article's document (a view's ``ref``): called, it gives
    the document if the entry at ``path`` is intact and hashes to ``digest``, else None."""

    path: str
    digest: str

    def __call__(self) -> bytes | None:
        return read_xml(self.path, self.digest)


def read_xml(path: str, digest: str) -> bytes | None:
    """The document of the entry file at ``path`` if it is intact and hashes to ``digest``
    (worker processes load documents this way instead of receiving them)."""
    try:
        with open(path, "rb") as fh:
            entry = _decode(fh.read())
    except OSError:
        return None
    if entry is None or hashlib.sha256(entry.xml).hexdigest() != digest:
        return None
    return entry.xml


def _decode(raw: bytes) -> Entry | None:
    if not raw.startswith(MAGIC):
        return None
    body = raw[len(MAGIC) :]
    checksum, payload = body[:32], body[32:]
    if len(checksum) != 32 or hashlib.sha256(payload).digest() != checksum:
        return None
    try:
        xml, meta, diagnostics, deps = marshal.loads(payload)
        record = _record((meta, diagnostics, deps))
    except Exception:  # noqa: BLE001 - any unreadable entry is just a miss
        return None
    return Entry(xml, record.diagnostics, record.deps, record.meta) if isinstance(xml, bytes) else None


def open_cache(config: Config, *, enabled: bool = True, read_only: bool = False) -> Cache:
    """The config's cache: its local folder, with the shared tier when ``cache_dir`` is a URL
    (fsspec imported only then); none when ``enabled`` is false or cache_dir is empty."""
    folder = config.cache_path if enabled else None
    url = config.cache_url if folder is not None else None
    remote = RemoteStore(url) if url is not None else None
    return (ReadOnlyCache if read_only else Cache)(folder, remote)


class ReadOnlyCache(Cache):
    """A cache that is read and never written nor pruned (``publisher check`` writes nothing):
    what it lacks is computed and dropped."""

    writes = False

    def put(self, key: str, entry: Entry) -> None:
        pass

    def put_catalog(self, name: str, records: dict[str, Record], old: dict[str, Record]) -> None:
        pass

    def put_blob(self, key: str, data: bytes) -> None:
        pass

    def put_kept(self, slot: str, key: str, data: bytes) -> None:
        pass

    def sweep(self, name: str) -> int:
        return 0
