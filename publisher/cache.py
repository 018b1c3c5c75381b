"""The per-article cache: normalized XML and messages by a hash of everything they depend on.

An entry is keyed by the tool (version and code), the config's fingerprint, the source's path and
the hash of its bytes.
It records its other inputs (sidecar, images, linked sources) with their content hashes and is
used only when all of them still match. Entries are written atomically and carry a checksum, so
an interrupted build or a damaged file is detected and the article is simply rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from publisher import __version__
from publisher.config import Config
from publisher.errors import Diagnostic

MAGIC = b"publisher-cache-1\n"


@dataclass(frozen=True)
class Entry:
    xml: bytes
    diagnostics: tuple[Diagnostic, ...]  # paths absolute
    deps: tuple[tuple[str, str], ...]  # (absolute path, digest of its bytes or "missing")


def code_identity() -> str:
    """The tool's version and a hash of every file of the installed package (code, schema,
    stylesheets, fonts): a cache made by other code is never used, even at the same version."""
    return f"{__version__}+{package_hash()}"


@functools.cache
def package_hash() -> str:
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            h.update(b"\0" + path.relative_to(package).as_posix().encode("utf-8") + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:20]


def digest_file(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"


def key_for(config: Config, rel: str, digest: str) -> str:
    """An entry's key: the tool, the settings, the source's path and the hash of its bytes."""
    h = hashlib.sha256()
    for part in (code_identity(), config.fingerprint, rel, digest):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


class Cache:
    """A folder of entries; ``None`` folder means no caching."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        # Files do not change during one build: an image used by 500 articles is hashed once.
        self._digests: dict[str, str] = {}
        self._folders: set[str] = set()

    def known(self, digests: dict[str, str], folders: set[str]) -> None:
        """Hashes of the files already read in this build (absolute path -> SHA-256 hex), and
        the folders all of whose files are among them: any other file there does not exist."""
        self._digests.update(digests)
        self._folders = set(folders)

    def digest(self, path: str) -> str:
        if path not in self._digests:
            listed = os.path.dirname(path) in self._folders
            self._digests[path] = "missing" if listed else digest_file(Path(path))
        return self._digests[path]

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / key

    def get(self, key: str) -> Entry | None:
        if self.folder is None:
            return None
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        entry = _decode(raw)
        if entry is None:  # damaged: drop it, rebuild the article
            path.unlink(missing_ok=True)
        elif any(self.digest(p) != d for p, d in entry.deps):
            entry = None
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def put(self, key: str, entry: Entry) -> None:
        if self.folder is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, path)


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
            path.unlink(missing_ok=True)
            return None
        return data

    def put_blob(self, key: str, data: bytes) -> None:
        if self.folder is None:
            return
        path = self._path("b" + key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(hashlib.sha256(data).digest() + data)
        os.replace(tmp, path)


def blob_key(*parts: str) -> str:
    h = hashlib.sha256(code_identity().encode("utf-8"))
    for part in parts:
        h.update(b"\0" + part.encode("utf-8"))
    return h.hexdigest()


def _decode(raw: bytes) -> Entry | None:
    if not raw.startswith(MAGIC):
        return None
    body = raw[len(MAGIC) :]
    checksum, payload = body[:32], body[32:]
    if len(checksum) != 32 or hashlib.sha256(payload).digest() != checksum:
        return None
    try:
        entry = pickle.loads(payload)  # noqa: S301 - our own file, checksum verified above
    except Exception:  # noqa: BLE001 - any unreadable entry is just a miss
        return None
    return entry if isinstance(entry, Entry) else None
