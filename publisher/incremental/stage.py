"""The per-article stage: read + normalize one source, cached, and run on all cores."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from lxml import etree

from publisher import memory, sources
from publisher.config import Config
from publisher.errors import ConfigError, Diagnostic, PathDisplay, Reporter, SourceError
from publisher.incremental.cache import Cache, Entry, EntryRef, Record, code_identity, key_for
from publisher.model import ArticleView, Meta, meta_of
from publisher.normalize import Normalizer, identity, relative_source
from publisher.sources import SourceArticle, frontmatter, shortcodes
from publisher.sources.markdown import MarkdownReader
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
        if not sources.discover_one(root, rel, self.config.exclude, self.config.wire_glob):
            return None
        try:  # the target's own problems are reported when it is normalized itself
            src = _named_by_path(target, self.config)
            if src is None:
                src = sources.load(target, Reporter(), meta_only=True, keys=self.config.keys)
            return identity(src, self.config).canonical
        except SourceError:
            return None


#: Every front-matter key that changes an identity (and the names a site's [front_matter] gives them).
_IDENTITY_KEYS = ("slug", "path", "id", "canonical", "url")
_IDENTITY_WORD = re.compile(r"\b(?:slug|path|id|canonical|url)\b", re.IGNORECASE)
#: The YAML and TOML escapes that can stand for a letter, and YAML's escaped line break.
_LETTER_ESCAPE = re.compile(r"\\(?:[xuU]|$)", re.MULTILINE)


@functools.lru_cache(maxsize=8)
def _identity_word(table: tuple[tuple[str, tuple[str, ...]], ...]) -> re.Pattern[str]:
    names = [name for ours, theirs in table if ours in _IDENTITY_KEYS for name in theirs]
    if not names:
        return _IDENTITY_WORD
    return re.compile(r"\b(?:slug|path|id|canonical|url|" + "|".join(map(re.escape, sorted(names))) + r")\b",
                      re.IGNORECASE)


def _named_by_path(target: Path, config: Config | None = None) -> SourceArticle | None:
    """A Markdown source whose identity comes from its file name alone, found without parsing
    its front matter: there is no sidecar, and no identity key anywhere in the front matter,
    nor an escape that could spell one (``\\x``, ``\\u``, ``\\U``, or a backslash ending a line,
    which joins two lines of a YAML string). None means: read it properly.

    Most sites name articles by file (``2026-11-18-harbour-vote.md``), and resolving a link
    to one is then a read and a search instead of a YAML parse. A front matter with an error
    (not valid YAML, a key of the wrong type) gives a URL here where a full read gives none;
    that article fails the build on its own, and the linking article's entry depends on its
    bytes, so it is made again once the error is fixed.
    """
    if target.suffix.lower() not in MarkdownReader.suffixes:
        return None
    if frontmatter.sidecar_for(target) is not None:
        return None
    try:
        kind, front, _, _ = frontmatter.split(target, sources.decode(target, target.read_bytes()))
    except (OSError, SourceError):
        return None
    identity_word = _identity_word(config.front_matter if config else ())
    if kind is not None and (identity_word.search(front) or _LETTER_ESCAPE.search(front)):
        return None
    return SourceArticle(path=target, format=MarkdownReader.name)


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
    links = links or SourceIndex(config)
    settings = shortcodes.Settings(articles=config.articles_path, unknown=config.unknown_shortcodes,
                                   module=config.shortcodes_path, links=links)
    return Normalizer(config, report, links).normalize(
        sources.load(path, report, keys=config.keys, shortcodes=settings))


@dataclass(frozen=True)
class Outcome:
    path: Path
    view: ArticleView | None  # None when the source has an error
    diagnostics: tuple[Diagnostic, ...]  # paths as the user sees them


class Stored:
    """Loads one article's document again from its cache entry, for a view that keeps only
    its metadata. If the entry has gone or is damaged, the article is normalized again (the
    same inputs give the same bytes) and the entry written anew."""

    def __init__(self, cache: Cache, key: str, path: Path, config: Config, digest: str) -> None:
        self.cache, self.key, self.path, self.config, self.digest = cache, key, path, config, digest

    def __call__(self) -> bytes:
        xml = self.cache.xml_of(self.key, self.digest)
        if xml is not None:
            return xml
        entry, _ = _compute(self.path, self.config, SourceIndex(self.config))
        if entry is None or entry.meta[0] != self.digest:
            raise SourceError(
                "the article changed while it was being built; run the build again", self.path
            )
        self.cache.put(self.key, entry)
        self.cache.flush()
        return entry.xml


# The cache names files inside the articles folder relative to it (``base``: that folder and a
# separator), others by absolute path: a site and its cache copied to another path (a CI cache
# restored into a fresh clone) find their entries and dependencies where they now are.

def _base(config: Config) -> str:
    return str(config.articles_path) + os.sep


def _relative(path: str, base: str) -> str:
    return path[len(base):] if path.startswith(base) else path


def _stored(diagnostics: list[Diagnostic], base: str) -> tuple[Diagnostic, ...]:
    """One article's messages as the cache keeps them (each file resolved once: an article's
    warnings mostly name the article)."""
    names: dict[str, str] = {}
    out = []
    for d in diagnostics:
        if d.path != "-":
            if d.path not in names:
                names[d.path] = _relative(str(Path(d.path).resolve()), base)
            d = replace(d, path=names[d.path])
        out.append(d)
    return tuple(out)


def _shown(d: Diagnostic, base: str, display: PathDisplay) -> Diagnostic:
    return replace(d, path=display(os.path.join(base, d.path))) if d.path != "-" else d


def _deps(path: Path, config: Config, root: etree._Element | None, links: _Recorder,
          meta: Meta, hashes: Cache) -> tuple[tuple[str, str], ...]:
    files = {path.with_name(path.stem + s) for s in sources.SIDECAR_SUFFIXES}
    if root is not None:
        files |= {config.articles_path / rel for _, rel, _, _ in meta[16]}  # its images
        if meta[18] and meta[18][1]:  # its audio or video file (type, length and duration come from it)
            files.add(config.articles_path / meta[18][1])
    for target in links.used:
        if not target.name:  # "/" or a folder's "..": no file, so no dependency
            continue
        files.add(target)
        files |= {target.with_name(target.stem + s) for s in sources.SIDECAR_SUFFIXES}
    base = _base(config)
    return tuple(sorted((_relative(str(f), base), hashes.digest(str(f))) for f in files))


def _compute(path: Path, config: Config, index: SourceIndex,
             hashes: Cache | None = None) -> tuple[Entry | None, tuple[Diagnostic, ...]]:
    """Normalize one source; the Entry is None when it has an error (errors are not cached).
    ``hashes`` knows the digests of files read already in this build."""
    report = Reporter()
    links = _Recorder(index)
    try:
        root = normalize_file(path, config, report, links)
    except SourceError as exc:
        report.add(exc.diagnostic())
        return None, _stored(report.diagnostics, _base(config))
    except sources.NotAnArticle:  # a redirect stub: no view, no error (publisher.redirects reads it)
        return None, _stored(report.diagnostics, _base(config))
    diagnostics = _stored(report.diagnostics, _base(config))
    xml = to_bytes(root)
    meta = meta_of(root, hashlib.sha256(xml).hexdigest())
    return Entry(xml, diagnostics, _deps(path, config, root, links, meta, hashes or Cache(None)), meta), diagnostics


_worker: tuple[Config, SourceIndex, Cache] | None = None
_store: Cache | None = None  # where a worker writes the entries it makes


def _init_worker(config: Config, digests: dict[str, str], folders: set[str], store: Cache | None = None) -> None:
    global _worker, _store
    memory.worker_started()
    hashes = Cache(None)
    hashes.known(digests, folders)
    _worker = (config, SourceIndex(config), hashes)
    _store = store


def _work(task: tuple[Path, str]) -> tuple[Entry | Record | None, tuple[Diagnostic, ...]]:
    """One article in a worker. Its entry is written to the cache here, on the worker's core,
    and only its record (no document) goes back: the main process would otherwise write every
    entry itself, one after the other, while a core idles."""
    assert _worker is not None
    path, key = task
    entry, diagnostics = _compute(path, *_worker)
    if entry is not None and _store is not None:
        _store.put(key, entry)
        return entry.record(), diagnostics
    return entry, diagnostics


class OtherCode(Exception):  # noqa: N818 - raised on a worker, re-raised here by Dask
    """A worker runs other code than the coordinator: its entries would be stored under keys
    that do not describe them."""


def normalize_batch(identity: str, config: Config,
                    batch: list[tuple[Path, str]]) -> list[tuple[Entry | None, tuple[Diagnostic, ...]]]:
    """Normalize sources on a Dask worker (see :mod:`publisher.incremental.cluster`): each
    ``(path, digest of its bytes on the coordinator)``. The worker reads the site where the
    coordinator has it; a source whose bytes differ there, or a worker running other code, is
    an error rather than an entry under a key that does not describe it."""
    base = _base(config)
    if code_identity() != identity:
        raise OtherCode(f"a Dask worker runs publisher {code_identity()}, this machine {identity}; "
                        "install the same publisher on every worker")
    if shortcodes.identity(config.shortcodes_path) != config.shortcodes_identity:
        raise OtherCode("a Dask worker has other shortcodes (the site's module or the installed entry points) "
                        "than this machine; give every worker the same site and the same packages")
    hashes, index = Cache(None), SourceIndex(config)
    out = []
    for path, digest in batch:
        if hashes.digest(str(path)) != digest:
            out.append((None, (_differs(path, base, "this file"),)))
        else:
            out.append(_compute(path, config, index, hashes))
    return out


def _differs(path: Path, base: str, what: str) -> Diagnostic:
    return Diagnostic(_relative(str(path), base), None, None, "error",
                      f"the Dask worker read {what} with other bytes than this machine has: every worker must "
                      f"see the site at {base.rstrip(os.sep)} as it is here (a shared or identical checkout)")


Progress = Callable[[str, int, int], None]  # (what, done, of): told as each article is normalized


def run_stage(paths: list[Path], config: Config, cache: Cache, workers: int | None = None,
              names: list[str | None] | None = None, progress: Progress | None = None,
              scheduler: str | None = None) -> list[Outcome]:
    """Outcomes in the order of ``paths``, whatever the number of workers. ``names``: each
    path relative to the articles folder, where :func:`sources.discover_named` knew it.
    ``scheduler``: run the articles to normalize on a Dask cluster ("local" or an address;
    see :mod:`publisher.incremental.cluster`); the outcomes are the same bytes.

    An article whose inputs are unchanged is known from the cache's catalog alone: its view
    loads the document from its entry only if a renderer asks for it. Without a cache folder,
    views hold their documents.
    """
    root = config.site_relative(config.articles_path)  # the catalog's name, not a path
    base = _base(config)
    catalog = cache.catalog(root)
    keys: list[str] = []
    results: dict[int, Record | Entry] = {}
    failed: dict[int, tuple[Diagnostic, ...]] = {}
    todo: list[int] = []
    pending: list[int] = []  # not known from the catalog: looked up entry by entry
    for i, path in enumerate(paths):
        rel = names[i] if names is not None and names[i] is not None else relative_source(config, path)
        key = key_for(config, rel, cache.digest(str(path)))
        keys.append(key)
        record = catalog.get(key)
        if record is not None and cache.holds(record.deps, base):
            cache.hits += 1
            results[i] = record
            continue
        pending.append(i)
    cache.prefetch(keys[i] for i in pending)  # from the shared tier, if any, in batches
    for i in pending:
        entry = cache.get(keys[i], base)
        if entry is not None:
            results[i] = entry.record()
        else:
            todo.append(i)

    done = 0

    def finish(i: int, entry: Entry | Record | None, diagnostics: tuple[Diagnostic, ...]) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress("normalizing", done, len(todo))
        if entry is None:
            failed[i] = diagnostics
        elif isinstance(entry, Record):  # kept by the worker that made it, in the local tier
            results[i] = entry
            if cache.remote is not None:  # the shared tier gets it from here (a worker's queue dies with it)
                try:
                    with open(cache.entry_path(keys[i]), "rb") as made:
                        cache.remote.put(keys[i], (made.read(),))
                except OSError:
                    pass  # the next build that lacks it makes it again
        elif cache.folder is None:
            results[i] = entry  # nowhere to load it from again: the view keeps the bytes
        else:
            cache.put(keys[i], entry)
            results[i] = entry.record()

    cache.normalized += len(todo)
    workers = workers or os.cpu_count() or 1
    if scheduler and todo:  # on a Dask cluster (publisher[dask], imported only here)
        from publisher.incremental import cluster

        tasks = [(paths[i], cache.digest(str(paths[i]))) for i in todo]
        try:
            for j, (entry, diagnostics) in cluster.normalize(tasks, config, scheduler, workers,
                                                              partial(normalize_batch, code_identity()),
                                                              cache.folder / "dask" if cache.folder else None):
                if entry is not None and not cache.holds(entry.deps, base):  # what the worker read is not ours
                    entry, diagnostics = None, (_differs(paths[todo[j]], base, "a file it uses"),)
                finish(todo[j], entry, diagnostics)
        except OtherCode as exc:
            raise ConfigError(str(exc)) from None
    elif workers > 1 and len(todo) >= 16:
        digests, folders = cache.digests()
        store = Cache(cache.folder) if cache.folder is not None else None  # the local tier: see finish()
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(config, digests, folders, store)) as pool:
            chunk = max(1, len(todo) // (workers * 8))
            tasks = [(paths[i], keys[i]) for i in todo]
            for i, result in zip(todo, pool.map(_work, tasks, chunksize=chunk), strict=True):
                finish(i, *result)
        memory.release()
    else:
        index = SourceIndex(config)
        for i in todo:
            finish(i, *_compute(paths[i], config, index, cache))
    cache.flush()
    outcomes = []
    kept: dict[str, Record] = {}
    display = PathDisplay()  # one build's messages name a few hundred files, each many times
    for i, path in enumerate(paths):
        if i in failed:
            outcomes.append(Outcome(path, None, tuple(_shown(d, base, display) for d in failed[i])))
            continue
        got = results[i]
        if isinstance(got, Entry):
            view = ArticleView.from_xml(got.xml, got.meta[0])
        else:
            kept[keys[i]] = got
            digest = got.meta[0]
            view = ArticleView.from_meta(got.meta, Stored(cache, keys[i], path, config, digest),
                                         EntryRef(cache.entry_path(keys[i]), digest))
        outcomes.append(Outcome(path, view, tuple(_shown(d, base, display) for d in got.diagnostics)))
    if kept and (todo or kept.keys() != catalog.keys()):
        cache.put_catalog(root, kept, catalog)
    return outcomes
