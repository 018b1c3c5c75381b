"""The per-article stage: read + normalize one source, cached, and run on all cores."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from publisher import sources
from publisher.cache import Cache, Entry, digest_file, key_for
from publisher.config import Config
from publisher.errors import Diagnostic, Reporter, SourceError, display_path
from publisher.normalize import Normalizer, identity, relative_source
from publisher.xmlutil import to_bytes


class SourceIndex:
    """Canonical URLs of article sources, read on demand: resolves ``[text](other.md)`` links.

    One index serves a whole build (in each worker): a source is read once however many
    articles link to it.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._known: dict[Path, str | None] = {}

    def __call__(self, target: Path) -> str | None:
        if target not in self._known:
            self._known[target] = self._canonical(target)
        return self._known[target]

    def _canonical(self, target: Path) -> str | None:
        root = self.config.articles_path
        try:
            rel = target.relative_to(root)
        except ValueError:
            return None
        if not sources.discover_one(root, rel, self.config.exclude):
            return None
        try:  # the target's own problems are reported when it is normalized itself
            return identity(sources.load(target, Reporter(), meta_only=True), self.config).canonical
        except SourceError:
            return None


class _Recorder:
    """Asks a SourceIndex and notes which sources one article linked to: they are its inputs."""

    def __init__(self, index: SourceIndex) -> None:
        self.index = index
        self.used: set[Path] = set()

    def __call__(self, target: Path) -> str | None:
        self.used.add(target)
        return self.index(target)


def normalize_file(
    path: Path, config: Config, report: Reporter, links: SourceIndex | _Recorder | None = None
) -> etree._Element:
    """Read and normalize one source: a pure function of its bytes (and sidecar), the config,
    the images it uses and the identity of the sources it links to."""
    return Normalizer(config, report, links or SourceIndex(config)).normalize(sources.load(path, report))


@dataclass(frozen=True)
class Outcome:
    path: Path
    xml: bytes | None  # None when the source has an error
    diagnostics: tuple[Diagnostic, ...]  # paths as the user sees them


def _absolute(d: Diagnostic) -> Diagnostic:
    return replace(d, path=str(Path(d.path).resolve())) if d.path != "-" else d


def _shown(d: Diagnostic) -> Diagnostic:
    return replace(d, path=display_path(d.path)) if d.path != "-" else d


def _deps(path: Path, config: Config, root: etree._Element | None, links: _Recorder) -> tuple[tuple[str, str], ...]:
    files = {path.with_name(path.stem + s) for s in sources.SIDECAR_SUFFIXES}
    if root is not None:
        from publisher.model import ArticleView

        files |= {config.articles_path / r.path for r in ArticleView(root).resources}
    for target in links.used:
        files.add(target)
        files |= {target.with_name(target.stem + s) for s in sources.SIDECAR_SUFFIXES}
    return tuple(sorted((str(f), digest_file(f)) for f in files))


def _compute(path: Path, config: Config, index: SourceIndex) -> tuple[Entry | None, tuple[Diagnostic, ...]]:
    """Normalize one source; the Entry is None when it has an error (errors are not cached)."""
    report = Reporter()
    links = _Recorder(index)
    try:
        root = normalize_file(path, config, report, links)
    except SourceError as exc:
        report.add(exc.diagnostic())
        return None, tuple(_absolute(d) for d in report.diagnostics)
    diagnostics = tuple(_absolute(d) for d in report.diagnostics)
    return Entry(to_bytes(root), diagnostics, _deps(path, config, root, links)), diagnostics


_worker: tuple[Config, SourceIndex] | None = None


def _init_worker(config: Config) -> None:
    global _worker
    _worker = (config, SourceIndex(config))


def _work(path: Path) -> tuple[Entry | None, tuple[Diagnostic, ...]]:
    assert _worker is not None
    return _compute(path, *_worker)


def run_stage(paths: list[Path], config: Config, cache: Cache, workers: int | None = None) -> list[Outcome]:
    """Outcomes in the order of ``paths``, whatever the number of workers."""
    keys: list[str] = []
    results: dict[int, tuple[Entry | None, tuple[Diagnostic, ...]]] = {}
    todo: list[int] = []
    for i, path in enumerate(paths):
        key = key_for(config, relative_source(config, path), cache.digest(str(path)))
        keys.append(key)
        entry = cache.get(key)
        if entry is not None:
            results[i] = (entry, entry.diagnostics)
        else:
            todo.append(i)
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(todo) >= 16:
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(config,)) as pool:
            chunk = max(1, len(todo) // (workers * 8))
            for i, result in zip(todo, pool.map(_work, [paths[i] for i in todo], chunksize=chunk), strict=True):
                results[i] = result
    else:
        index = SourceIndex(config)
        for i in todo:
            results[i] = _compute(paths[i], config, index)
    outcomes = []
    for i, path in enumerate(paths):
        entry, diagnostics = results[i]
        if entry is not None and i in todo:
            cache.put(keys[i], entry)
        outcomes.append(Outcome(path, entry.xml if entry else None, tuple(_shown(d) for d in diagnostics)))
    return outcomes
