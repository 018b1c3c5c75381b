"""The preview's builds: the real build (into the preview's output folder, with the site's cache)
and every article it read, drafts and scheduled ones too, kept as a Snapshot the pages are made
from; a failed build keeps the last good snapshot, with the new errors on every page."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from publisher import paths
from publisher.build import build, load_articles, resolve_now
from publisher.config import Config, load_config
from publisher.errors import BuildFailed, Diagnostic, PublisherError, Reporter, display_path
from publisher.incremental.buildstate import StateStore
from publisher.incremental.cache import open_cache
from publisher.model import ArticleView
from publisher.preview import pages
from publisher.sources import SIDECAR_SUFFIXES

#: Rendered preview pages kept per snapshot; a site of thousands renders the ones asked for.
PAGES_KEPT = 256


@dataclass
class Snapshot:
    """What the preview shows after one build: the views (newest first) and every problem."""

    frame: pages.Frame
    views: list[ArticleView]
    ok: bool  # False: the build failed and ``views`` are the last good ones
    seconds: float = 0.0  # how long the build took
    _by_slug: dict[str, ArticleView] = field(default_factory=dict)
    _media: frozenset[str] = frozenset()
    _pages: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._by_slug = {v.slug: v for v in self.views}
        self._media = frozenset(res.path for v in self.views for res in v.resources)

    @property
    def generation(self) -> int:
        return self.frame.generation

    def _kept(self, key: str, make) -> bytes:  # noqa: ANN001 - a function giving bytes
        with self._lock:
            if key in self._pages:
                return self._pages[key]
        data = make()
        with self._lock:
            if len(self._pages) >= PAGES_KEPT:
                self._pages.clear()
            self._pages[key] = data
        return data

    def index(self) -> bytes:
        return self._kept("", lambda: pages.index_page(self.frame, self.views))

    def article(self, slug: str) -> bytes | None:
        """The article's page, or None when no article has that slug. A page that cannot be made
        (its cached document went and its source has an error now) is an error, not a crash."""
        view = self._by_slug.get(slug)
        if view is None:
            return None
        return self._kept("a/" + slug, lambda: pages.article_page(self.frame, view, self.views))

    def media(self, path: str) -> bytes | None:
        """An image an article of the preview uses (drafts' too, which the build does not publish),
        read from inside the articles folder; None for any other path."""
        if path not in self._media:
            return None
        try:
            return paths.read_inside(self.frame.config.articles_path, path)
        except ValueError:
            return None

    def not_found(self, path: str) -> bytes:
        return pages.not_found_page(self.frame, path)


class Builder:
    """Builds the site into ``out_dir`` each time it is asked, one build at a time."""

    def __init__(self, config_file: Path | None, out_dir: Path, config: Config) -> None:
        self.config_file = config_file
        self.out_dir = out_dir
        self.config = config
        self.generation = 0
        self.good: Snapshot | None = None
        self.latest: Snapshot | None = None
        self._lock = threading.Lock()

    def rebuild(self, workers: int | None = 1) -> Snapshot:
        """Build, and return the new snapshot (also in ``latest``). Never raises for what a user
        can fix: a failed build is a snapshot with its errors and the last good views."""
        with self._lock:
            start = time.monotonic()
            self.generation += 1
            config, found, views, outputs = self.config, [], None, ()
            moment = resolve_now()
            try:
                config, found = load_config(self.config_file)
                cache = open_cache(config)
                # never on the site's Dask cluster: a preview's drafts stay on this machine
                result = build(config, self.out_dir, moment, cache=cache, workers=workers, scheduler="")
                views, outputs = result.views, tuple(result.outputs)
                found = _unique([*found, *result.diagnostics])
                if not views:  # nothing changed since the last build into this folder: read them
                    report = Reporter()
                    views, _ = load_articles(config, report, cache, workers=1)
                    found = _unique([*found, *report.diagnostics])
                    if report.errors:  # a source changed between the build and this read
                        views = None
            except PublisherError as exc:
                found = _unique([*found, *(exc.diagnostics if isinstance(exc, BuildFailed) else [exc.diagnostic()])])
            except Exception as exc:  # noqa: BLE001 - the server outlives a bug; it is shown, not hidden
                found = [*found, Diagnostic("-", None, None, "error", f"the build failed unexpectedly: {exc!r}")]
            ok = views is not None and not any(d.severity == "error" for d in found)
            if ok:
                self.config = config
            else:
                views = self.good.views if self.good is not None else []
                outputs = self.good.frame.outputs if self.good is not None else ()
            by_source, others = _attach(config, views, found)
            errors = tuple(d for d in found if d.severity == "error")
            frame = pages.Frame(config, self.generation, moment, errors, outputs, by_source, others)
            snapshot = Snapshot(frame, views, ok, time.monotonic() - start)
            if ok:
                self.good = snapshot
            self.latest = snapshot
            return snapshot

    def forget_state(self) -> None:
        """Drop the cache's record of builds into the (temporary) output folder, which is going."""
        cache = self.config.cache_path
        if cache is not None and cache.is_dir():
            StateStore(cache, self.out_dir, self.config.site_relative(self.out_dir)).forget()


def _unique(found: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(found))


def _attach(config: Config, views: list[ArticleView],
            found: list[Diagnostic]) -> tuple[dict[str, tuple[Diagnostic, ...]], tuple[Diagnostic, ...]]:
    """Each problem to the article whose source or sidecar it names; the rest to the site.

    Diagnostics name files as display_path shows them; resolving every source's name costs
    seconds on a site of thousands, so names are made from the folder's shown name, and only a
    name that matches none (a link on the way, another working folder) is resolved."""
    rels: dict[str, str] = {}
    for view in views:
        stem = os.path.splitext(view.source)[0]
        rels[view.source] = view.source
        for suffix in SIDECAR_SUFFIXES:
            rels[stem + suffix] = view.source
    top = display_path(config.articles_path)
    owner = {os.path.normpath(os.path.join(top, rel)): source for rel, source in rels.items()}
    by_source: dict[str, list[Diagnostic]] = {}
    others: list[Diagnostic] = []
    for d in found:
        if d.path not in owner and d.path != "-":
            rel = paths.inside(config.articles_path, d.path)
            owner[d.path] = rels.get(rel, "") if rel is not None else ""
        source = owner.get(d.path)
        if source:
            by_source.setdefault(source, []).append(d)
        else:
            others.append(d)
    return {k: tuple(v) for k, v in by_source.items()}, tuple(others)


def temporary_output() -> tuple[Path, Path]:
    """(a new private folder, the output folder inside it). The build locks the folder holding
    its output folder: this one, not the shared temporary folder."""
    holder = Path(tempfile.mkdtemp(prefix="publisher-serve-"))
    return holder, holder / "build"


def remove_folder(folder: Path) -> None:
    if os.path.isdir(folder):
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["Builder", "Snapshot", "temporary_output", "remove_folder"]
