"""The cache's shared tier: article entries in object storage through fsspec (``cache_dir = "s3://…"``).

Only article entries are shared. They are content-addressed (the key is a hash of the tool,
the settings, the source's path and bytes), written whole and checksummed, and each records
the other files it was made from with their hashes, which the reader checks before using it:
so any runner may read what any other wrote, and two runners writing one key at once is safe
(an object store's PUT of a whole object is atomic; a ``file://`` entry is written to a
temporary name and renamed, as the local tier does). Everything else stays in the local tier
(``site.cache_local_dir``): the catalog, the build state, feeds, books and their parts, the
lock and the sweep belong to one machine's output folder. Nothing here deletes a shared
entry: runners at other commits may still want it (expire old objects with the bucket's own
lifecycle rule; a missing entry is only a rebuild).

The shared tier can never make a build wrong or fail: an entry that is damaged, truncated,
too large or unreadable is a miss (the article is normalized again and the entry written
anew), and a store that cannot be reached or written costs a warning, not the build.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable

from publisher import limits
from publisher.errors import ConfigError

#: Bytes of one shared entry: the normalized document of a source of at most
#: ``limits.SOURCE_BYTES`` with its metadata; anything larger is not read (a miss).
ENTRY_BYTES = 16 * limits.SOURCE_BYTES

#: Entries fetched or sent in one request to the store (fsspec runs them concurrently on s3/gcs).
BATCH = 256


class RemoteStore:
    """Entries by key under ``url``; every failure of the store is a miss and a warning."""

    def __init__(self, url: str) -> None:
        try:
            import fsspec
        except ImportError:
            raise ConfigError(f"site.cache_dir is a URL ({url}), which needs fsspec: install "
                              "'newsroom-publisher[remote]' (and s3fs or gcsfs for s3:// or gs://), "
                              "or set cache_dir to a folder") from None
        try:
            self.fs, root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise ConfigError(f"site.cache_dir {url!r} cannot be opened: {exc}") from None
        self.url = url.rstrip("/")
        self.root = root.rstrip("/")
        self.local = "file" in _protocols(self.fs)
        self.hits = 0  # entries read from the store in this build
        self.puts = 0  # entries written to it
        self.warnings: list[str] = []  # shown on stderr after the build (never in its diagnostics)
        self._failed_put = False
        self._pending: dict[str, bytes] = {}  # entries put and not yet sent (see flush)

    def _path(self, key: str) -> str:
        return f"{self.root}/entries/{key[:2]}/{key}"

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The raw bytes of those of ``keys`` the store holds (unchecked: see :meth:`damaged`)."""
        keys = list(keys)
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), BATCH):
            batch = {self._path(key): key for key in keys[start:start + BATCH]}
            try:
                got = self.fs.cat(list(batch), on_error="omit", start=0, end=ENTRY_BYTES + 1)
            except Exception as exc:  # noqa: BLE001 - a store that fails is a miss, never the build's failure
                self._warn(f"cannot read the shared cache {self.url}: {_why(exc)}; its articles are normalized here")
                return found
            for path, raw in got.items():
                key = batch.get(path) or batch.get(path.split("://", 1)[-1])
                if key is None or not isinstance(raw, bytes):
                    continue
                if len(raw) > ENTRY_BYTES:
                    self.damaged(key, "larger than any entry")
                    continue
                found[key] = raw
        return found

    def get(self, key: str) -> bytes | None:
        return self.get_many([key]).get(key)

    def damaged(self, key: str, why: str = "damaged or truncated") -> None:
        self._warn(f"{self.url}/entries/{key[:2]}/{key}: shared cache entry {why}; its article was "
                   "normalized again and the entry rewritten")

    def put(self, key: str, parts: tuple[bytes, ...]) -> None:
        """Store an entry whole (readers see the old object or the new one, never a part); sent
        with others, BATCH at a time, by :meth:`flush`."""
        if not self._failed_put:
            self._pending[self._path(key)] = b"".join(parts)
            if len(self._pending) >= BATCH:
                self.flush()

    def flush(self) -> None:
        """Send the entries :meth:`put` holds: one request for the batch on an object store
        (fsspec's ``pipe`` runs the PUTs concurrently), a temporary name and a rename for each
        on a ``file://`` folder."""
        pending, self._pending = self._pending, {}
        if not pending or self._failed_put:
            return
        try:
            if self.local:
                for path, data in pending.items():
                    self._put_file(path, data)
            else:
                self.fs.pipe(pending)
        except Exception as exc:  # noqa: BLE001 - the local tier has the entries; the build goes on
            self._failed_put = True
            self._warn(f"cannot write to the shared cache {self.url}: {_why(exc)}; this build's entries "
                       "stay in the local cache")
            return
        self.puts += len(pending)

    def _put_file(self, path: str, data: bytes) -> None:
        folder = path.rsplit("/", 1)[0]
        self.fs.makedirs(folder, exist_ok=True)
        tmp = f"{folder}/.tmp-{os.getpid()}-{uuid.uuid4().hex}"
        try:
            self.fs.pipe_file(tmp, data)
            os.replace(tmp, path)
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)


def _protocols(fs) -> tuple[str, ...]:  # noqa: ANN001 - an fsspec filesystem
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
