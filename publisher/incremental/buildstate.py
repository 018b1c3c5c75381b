"""What the last successful build read and wrote, so that a rebuild with nothing changed does nothing.

Like make or ninja, but by content: the state records a hash of every input (each file under
the articles folder, byte for byte; the settings; the tool's own code; the output folder; the
working folder, which the messages are relative to), the range of build times for which the same
articles are published, the messages the build printed, and the size and modification
time (in ns) of every output it left. A rebuild whose inputs hash the same, whose time falls in that
range, and whose outputs are all still exactly as left, only replays the messages. Anything
else (an edit, a new or deleted file, an output touched by hand or deleted, a damaged state
file) falls through to the full incremental build, which trusts nothing it has not checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from publisher import sources
from publisher.config import Config
from publisher.errors import Diagnostic
from publisher.incremental.cache import _atomic_write, code_identity, discard
from publisher.output import stat_of
from publisher.sources import Listing

FORMAT = "publisher-build-state-3"


@dataclass
class BuildState:
    key: str
    published_from: str  # ISO UTC; the newest published article's date ("" for none)
    published_until: str  # ISO UTC; the first scheduled article's date ("" for none)
    articles: int
    drafts: int
    scheduled: int
    # (path, size, mtime_ns, key): key is the hash of everything the output was made from (""
    # for outputs compared byte for byte every time). Not the inode: a CI run restores build/
    # with its cache (tar keeps the times, not the inodes), and its outputs are still as left.
    outputs: list[tuple[str, int, int, str]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def left(self) -> dict[str, tuple[tuple[int, int], str]]:
        """What this build left in its output folder: path -> ((size, mtime_ns), key)."""
        return {rel: ((size, mtime), key) for rel, size, mtime, key in self.outputs}

    def covers(self, now: dt.datetime) -> bool:
        """Would a build at ``now`` publish exactly the articles this one did?"""
        if self.published_from and now < dt.datetime.fromisoformat(self.published_from):
            return False
        return not (self.published_until and now >= dt.datetime.fromisoformat(self.published_until))


def _file_digest(entry: tuple[str, str, str]) -> str:
    _, path, kind = entry
    data = b"\0special file"  # a FIFO is not opened: reading it could wait for ever
    if kind == "f" or (kind == "l" and os.path.isfile(path)):
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            data = b"\0unreadable"
    return hashlib.sha256(data).hexdigest()


_RUN = 128  # files hashed by one task of inputs_key


def _run_digests(run: list[tuple[str, str, str]]) -> list[str]:
    return [_file_digest(entry) for entry in run]


def inputs_key(config: Config, out_dir: Path, digests: dict[str, str] | None = None,
               folders: set[str] | None = None, listing: Listing | None = None) -> str:
    """A hash of everything a build reads: every file under the articles folder, the settings,
    the tool, and where the outputs and messages go. ``digests`` receives each file's SHA-256
    by absolute path (the build's cache checks need them too, so files are read once),
    ``folders`` every folder whose files were all listed, and ``listing`` the scan itself."""
    h = hashlib.sha256()
    for part in (FORMAT, code_identity(), repr(config), str(out_dir.resolve()), os.getcwd()):
        h.update(part.encode("utf-8") + b"\0")
    found = sources.scan(config.articles_path)
    # read and hashed on every core: file reads and SHA-256 let go of the GIL, and this is
    # the first thing a build does, before any worker starts (20,000 images and sources);
    # in runs of files, not one task each (a future per file cost more than its hashing)
    files = found.files
    runs = [files[i:i + _RUN] for i in range(0, len(files), _RUN)]
    with ThreadPoolExecutor(min(os.cpu_count() or 1, 8)) as threads:
        hashed = (digest for run in threads.map(_run_digests, runs) for digest in run)
        for (rel, path, _), digest in zip(files, hashed, strict=True):
            if digests is not None:
                digests[path] = digest
            h.update(rel.encode("utf-8", "surrogateescape") + b"\0" + digest.encode("ascii"))
    if folders is not None:
        folders.update(found.folders)
    if listing is not None:
        listing.files, listing.folders = found.files, found.folders
    return h.hexdigest()


class StateStore:
    """The state of builds into one output folder, kept in the cache folder."""

    def __init__(self, cache_folder: Path, out_dir: Path, name: str | None = None) -> None:
        # ``name``: the output folder as the config names it (relative to the site), so that a
        # site copied elsewhere with its cache finds its state; the key still says where it was.
        name = hashlib.sha256((name or str(out_dir.resolve())).encode("utf-8")).hexdigest()[:24]
        self.cache_folder = cache_folder
        self.path = cache_folder / "state" / name
        self.out_dir = out_dir

    def load(self) -> BuildState | None:
        try:
            raw = self.path.read_bytes()
        except OSError:
            return None
        checksum, _, body = raw.partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != checksum:
            return None
        try:
            data = json.loads(body)
            state = BuildState(**{k: v for k, v in data.items() if k not in ("outputs", "diagnostics")})
            state.outputs = [tuple(o) for o in data["outputs"]]
            if any(len(o) != 4 for o in state.outputs):  # a state of an older version
                return None
            state.diagnostics = [Diagnostic(**d) for d in data["diagnostics"]]
        except (ValueError, TypeError, KeyError):
            return None
        return state

    def fresh(self, state: BuildState, key: str, now: dt.datetime) -> bool:
        """Does the last build's ``state`` still hold: same inputs, same articles published at
        ``now``, and every output exactly as that build left it?"""
        if state.key != key or not state.covers(now):
            return False
        folder = os.path.join(self.out_dir, "")  # (strings: pathlib's parsing cost more than the stat)
        return all(stat_of(folder + rel) == (size, mtime) for rel, size, mtime, _ in state.outputs)

    def save(self, state: BuildState, outputs: list[str], keys: dict[str, str] | None = None) -> None:
        """Record ``state`` with the size and modification time of each of ``outputs``
        as they are now, and the key each was made from (``keys``)."""
        state.outputs = []
        folder = os.path.join(self.out_dir, "")
        for rel in outputs:
            found = stat_of(folder + rel)
            if found is None:
                return  # an output is already gone: record nothing, the next build checks all
            state.outputs.append((rel, *found, (keys or {}).get(rel, "")))
        # (dataclasses.asdict copies every message field by field, deeply: 0.7 s for 6,000 warnings)
        data = {**vars(state), "outputs": state.outputs, "diagnostics": [vars(d) for d in state.diagnostics]}
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        _atomic_write(self.cache_folder, self.path, hashlib.sha256(body).hexdigest().encode() + b"\n", body)

    def forget(self) -> None:
        discard(self.path)
