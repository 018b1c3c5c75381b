"""The pipeline: sources -> normalized article XML -> feeds and book -> the output folder."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from publisher import limits, memory, paths, sources
from publisher.config import Config
from publisher.dates import parse_iso
from publisher.errors import (
    BuildFailed,
    ConfigError,
    Diagnostic,
    Reporter,
    SourceError,
    display_path,
)
from publisher.feeds.browser import FeedLink, browser_files
from publisher.feeds.check import check_feed
from publisher.feeds.render import feed_files, render_feeds
from publisher.incremental.books import edition_outputs
from publisher.incremental.buildstate import BuildState, StateStore, inputs_key
from publisher.incremental.cache import Cache, code_identity, open_cache
from publisher.incremental.feeds import checked_feed, feed_outputs
from publisher.incremental.stage import Progress, SourceIndex, normalize_file, run_stage
from publisher.model import ArticleView
from publisher.normalize.svgfile import published_bytes
from publisher.output import MANIFEST, Output, Staging, locked, remove_leftovers
from publisher.redirects import Redirect, article_redirects, redirect_files, stub_redirects
from publisher.slugs import name_key

__all__ = ["build", "load_articles", "normalize_file", "SourceIndex", "BuildResult", "resolve_now", "SiteMedia"]


def resolve_now(now: dt.datetime | None = None) -> dt.datetime:
    """The moment that decides which articles are published: ``now`` if given, else
    ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock."""
    if now is not None:
        return now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError):
            raise ConfigError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}") from None
    return dt.datetime.now(dt.UTC)


def published(views: list[ArticleView], now: dt.datetime) -> tuple[list[ArticleView], int, int]:
    """(articles to publish, drafts left out, scheduled articles left out until their time)."""
    drafts = [v for v in views if v.draft]
    scheduled = [v for v in views if not v.draft and parse_iso(v.published) > now]
    keep = [v for v in views if not v.draft and parse_iso(v.published) <= now]
    return keep, len(drafts), len(scheduled)


@dataclass
class NotArticles:
    """What discovery and the stage found that is not an article."""

    stubs: list[Path] = field(default_factory=list)  # redirect stubs
    redirects: list[Redirect] = field(default_factory=list)  # what the stubs ask for
    assets: list[str] = field(default_factory=list)  # .txt files that are not wire stories


@dataclass
class BuildResult:
    articles: int
    drafts: int = 0
    scheduled: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    normalized: int = 0  # articles normalized from source rather than taken from the cache
    #: .txt files under the articles folder read as assets, not wire stories (``--verbose``)
    assets: list[str] = field(default_factory=list)
    #: Every article read, drafts and scheduled ones too, newest first (empty when nothing changed
    #: since the last build and none was read): what `publisher serve` previews.
    views: list[ArticleView] = field(default_factory=list, repr=False)


def load_articles(
    config: Config, report: Reporter, cache: Cache | None = None, workers: int | None = None,
    listing: sources.Listing | None = None, progress: Progress | None = None,
    not_articles: NotArticles | None = None, scheduler: str | None = None,
) -> tuple[list[ArticleView], int]:
    """Every article, normalized and schema-checked, newest first, and the number of sources read.

    Problems go to ``report``; an article with an error is left out of the list. Sources that
    are not articles (redirect stubs, text files that are not wire stories) go to ``not_articles``.
    """
    found = not_articles if not_articles is not None else NotArticles()
    root = config.articles_path
    if not root.is_dir():
        report.error(display_path(root), "articles folder not found; create it or set site.articles_dir")
        return [], 0
    listing = listing if listing is not None and listing.folders else sources.scan(root)
    for path, problem in sources.refused(root, config.exclude, listing):  # named as the link, not its target
        report.add(Diagnostic(os.path.join(display_path(path.parent), path.name), None, None, "error", problem))
    named = sources.discover_named(root, config.exclude, listing, config.wire_glob, found.assets)
    paths = [path for _, path in named]
    if not paths:
        report.error(display_path(root), "no article sources (.md, .markdown, .txt, .xml) found")
    views: list[ArticleView] = []
    for outcome in run_stage(paths, config, cache or Cache(None), workers, [rel for rel, _ in named], progress,
                             scheduler):
        for diagnostic in outcome.diagnostics:
            report.add(diagnostic)
        if outcome.view is not None:
            views.append(outcome.view)
        elif not any(d.severity == "error" for d in outcome.diagnostics):
            found.stubs.append(outcome.path)  # no view and no error: a redirect stub
    _check_unique(views, config, report)
    found.redirects = stub_redirects(config, found.stubs, report)  # publisher check sees their errors too
    return sorted(views, key=ArticleView.sort_key, reverse=True), len(paths)


def _check_unique(views: list[ArticleView], config: Config, report: Reporter) -> None:
    tagged: dict[str, tuple[str, ArticleView]] = {}  # a tag's slug -> its first label and article
    for view in sorted(views, key=lambda v: v.source):
        for tag_slug, label in view.tags:
            first = tagged.setdefault(tag_slug, (label, view))
            if name_key(first[0]) != name_key(label):
                report.error(
                    display_path(config.articles_path / view.source),
                    f"tag {label!r} would share the feed tags/{tag_slug}/ with tag {first[0]!r} of "
                    f"{first[1].source}; make them one tag, or differ in letters or digits",
                )
    for what in ("id", "slug", "uri"):
        first: dict[str, ArticleView] = {}
        for view in sorted(views, key=lambda v: v.source):
            key = getattr(view, what)
            if key in first:
                if what == "slug" and _kept_names_clash(config, first[key], view, report):
                    continue
                report.error(
                    display_path(config.articles_path / view.source),
                    f"{what} {key!r} is also used by {first[key].source}; give one of them its own {what}",
                )
            else:
                first[key] = view


def _kept_names_clash(config: Config, one: ArticleView, other: ArticleView, report: Reporter) -> bool:
    """Two articles whose explicit slug, url or path differ only in case or punctuation (``Go1.21``,
    ``go1.21``) share the file name of their chapter in books, and on a case-insensitive disk
    one address: an error at the second one's key naming the first. False when neither has one."""
    from publisher.sources import load

    said = []
    for view in (one, other):
        try:
            src = load(config.articles_path / view.source, Reporter(), meta_only=True, keys=config.keys)
        except SourceError:
            return False
        key = next((k for k in ("url", "path", "slug") if isinstance(src.fields.get(k), str)), None)
        if key is None:
            said.append(None)
            continue
        said.append((key, src.fields[key], *src.origins.get(key, (src.path, None))))
    written = [said[n][1] if said[n] is not None else view.slug for n, view in enumerate((one, other))]
    if said[1] is None or written[0] == written[1]:  # the same name twice: said plainly by the caller
        return False
    key, value, path, line = said[1]
    before = f" and {said[0][0]} {said[0][1]!r} of {one.source}" + (f" (line {said[0][3]})" if said[0][3] else "") \
        if said[0] is not None else f" and the name of {one.source}"
    report.error(path, f"{key} {value!r}{before} differ only in case or punctuation: they would share one file "
                 f"(text/{other.slug}.xhtml in books; one address on a case-insensitive disk); give one of them "
                 "another slug", line, 1 if line else None)
    return True


def build(
    config: Config,
    out_dir: Path | None = None,
    now: dt.datetime | None = None,
    *,
    cache: Cache | None = None,
    workers: int | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> BuildResult:
    """Check every source, then render and write all outputs, or nothing if anything fails.

    ``cache`` defaults to the config's cache folder; ``workers`` to the number of cores;
    ``strict`` fails on warnings too; ``progress`` is told how far the build is. One build at a
    time writes into an output folder (:func:`publisher.output.locked`); it first removes what a
    killed build left there. ``scheduler`` (default: site.scheduler) runs the per-article stage
    on a Dask cluster: "local" or a scheduler's address.
    """
    target = out_dir or config.output_path
    cache_folder = cache.folder if cache is not None else config.cache_path
    problems = paths.folder_problems("output", target, articles=config.articles_path, config_file=None,
                                     other=cache_folder)
    if problems:
        raise ConfigError("; ".join(problems))
    with memory.collector_paused(), locked(target):
        remove_leftovers(target)
        return _build(config, out_dir, now, cache, workers, strict, progress,
                      config.scheduler if scheduler is None else scheduler)


def _build(config: Config, out_dir: Path | None, now: dt.datetime | None, cache: Cache | None,
           workers: int | None, strict: bool = False, progress: Progress | None = None,
           scheduler: str | None = None) -> BuildResult:
    report = Reporter()
    if cache is None:
        cache = open_cache(config)
    target = out_dir or config.output_path
    moment = resolve_now(now)
    store = key = listing = None
    left: dict[str, tuple[tuple[int, int], str]] = {}
    if cache.folder is not None and os.path.lexists(cache.folder) and not os.path.isdir(cache.folder):
        raise ConfigError(f"the cache folder {display_path(cache.folder)} is a file; set site.cache_dir to a "
                          "folder, or build with --no-cache", cache.folder)
    if cache.folder is not None:
        store = StateStore(cache.folder, target, config.site_relative(target))
        digests: dict[str, str] = {}
        folders: set[str] = set()
        listing = sources.Listing()
        key = inputs_key(config, target, digests, folders, listing)
        last = store.load()
        if last is not None and store.fresh(last, key, moment):  # nothing changed: its outputs stand
            if strict and last.diagnostics:
                raise BuildFailed(last.diagnostics)
            outputs = [rel for rel, *_ in last.outputs if rel != MANIFEST]
            assets: list[str] = []
            if any(rel.lower().endswith(".txt") for rel, _, _ in listing.files):
                sources.discover_named(config.articles_path, config.exclude, listing, config.wire_glob, assets)
            return BuildResult(last.articles, last.drafts, last.scheduled, [], [], outputs, last.diagnostics,
                               assets=assets)
        if last is not None:
            left = last.left()  # what the last build left in the folder, whatever its inputs
        store.forget()
        cache.known(digests, folders)
    not_articles = NotArticles()
    views, _ = load_articles(config, report, cache, workers, listing, progress, not_articles, scheduler)
    if report.errors or (strict and report.diagnostics):
        raise BuildFailed(report.diagnostics)
    if progress is not None:
        progress("writing feeds and books", 0, 0)
    with memory.long_lived():
        result = _render(config, views, moment, target, cache, workers, report, store, key, left,
                         not_articles.redirects)
    result.assets = not_articles.assets
    return result


def _render(config: Config, all_views: list[ArticleView], moment: dt.datetime, target: Path, cache: Cache,
            workers: int | None, report: Reporter, store: StateStore | None, key: str | None,
            left: dict[str, tuple[tuple[int, int], str]], redirects: list[Redirect] | None = None) -> BuildResult:
    views, drafts, scheduled = published(all_views, moment)

    # Images are read one at a time as each output that holds them is written (media/ and
    # books), never all at once: 129 MB at 10,000 articles with two images each.
    media = SiteMedia(config, cache)
    users: dict[str, str] = {}  # image -> the first article that shows it (named in errors)
    for view in views:
        for res in view.resources:
            users.setdefault(res.path, view.source)  # an image used by many articles is published once
    podcast_image = config.podcast.image_path if config.podcast is not None else None
    # Audio and video are not in books: copied into the output folder one at a time, each once.
    enclosures = sorted({v.enclosure.path for v in views if v.enclosure is not None and v.enclosure.path})
    # Each output goes to the output folder as it is made (staged beside its target; put in
    # place only once all are made and checked): a big site's feeds do not fit in memory at once.
    # An output made from the same key as the one the last build left, and left as it was, is
    # not made, read or compared at all.
    staging = Staging(target, left)
    problems: dict[str, list[Diagnostic]] = {}

    def put(output: Output) -> None:
        if staging.left_as_is(output.path, output.key):
            problems.pop(output.path, None)
            output.keep()
        elif output.write is not None:  # a book: written into its file as it is made
            problems.pop(output.path, None)
            staging.write(output.path, output.write, output.key)
        else:
            put_bytes(output.path, output.load(), output.key)

    def put_bytes(path: str, data: bytes, key: str = "") -> None:
        problems.pop(path, None)
        # A feed document already on disk as it is was checked when it was written; one written
        # again with bytes checked before takes that check's findings from the cache.
        if staging.add(path, data, key) and path.endswith(".xml"):
            problems[path] = checked_feed(cache, path, key, data, display_path(target / path), config.url(path),
                                          check_feed)

    try:
        documents, sets = render_feeds(config, views)
        for output in feed_outputs(documents, cache):
            put(output)
        del documents  # and with it the article HTML the feeds kept for reuse (feeds/render.py) ...
        memory.release()  # ... given back before the book's worker processes are forked
        links = [FeedLink(fs.title, fs.prefix + name, kind) for fs in sets for name, kind in feed_files(config)]
        for path, data in browser_files(config, views, links).items():
            put_bytes(path, data)
        for output in edition_outputs(config, views, media, cache, workers):
            put(output)
        for path, user in users.items():
            # keyed by the image's digest (known from the build's scan): an image left in place
            # by the last build is not read back and compared on every rebuild
            put(Output("media/" + path, f"media {code_identity()} {media.digest(path)}",
                       lambda path=path, user=user: media.read(path, user), lambda: None))
        if podcast_image and podcast_image not in users:  # the podcast's cover (checked with the config)
            put(Output("media/" + podcast_image, f"media {code_identity()} {media.digest(podcast_image)}",
                       lambda: _podcast_image(config, podcast_image), lambda: None))
        moved = [*(redirects or []), *article_redirects(config, views, report)]
        for path, data in redirect_files(config, views, moved, report).items():
            put_bytes(path, data)
        for path in enclosures:  # keyed by digest too: a 100 MB episode is not read back on every rebuild
            put(Output("media/" + path, f"media {code_identity()} {media.digest(path)}",
                       lambda path=path: _enclosure_bytes(config, path), lambda: None))
        for path in sorted(problems):  # the feed checks' findings, by path as always
            for diagnostic in problems[path]:
                report.add(diagnostic)
        if report.errors:
            raise BuildFailed(report.diagnostics)
        written, removed = staging.commit()
    except BaseException:
        staging.abort()
        raise
    cache.sweep(config.site_relative(target))
    result = BuildResult(len(views), drafts, scheduled, written, removed, sorted(staging.names), report.diagnostics,
                         cache.normalized, views=all_views)
    if store is not None and key is not None:
        store.save(_state(key, all_views, moment, result), [*result.outputs, MANIFEST], staging.keys)
    return result


class SiteMedia:
    """The site's local images as the outputs publish them (under media/ and in books): each
    read when an output that holds it is written, contained in the articles folder and bounded
    as when its article was read, an SVG cleaned (:func:`published_bytes`), and checked to be
    the file the build's scan hashed. Implements :class:`publisher.books.parts.Images`."""

    def __init__(self, config: Config, cache: Cache) -> None:
        self.root = config.articles_path
        self.cache = cache
        self._inside = paths.Inside(self.root)  # each folder resolved once, for this build
        self._digests: dict[str, str] = {}  # asked for by each book's keys and each write

    def digest(self, path: str) -> str:
        known = self._digests.get(path)
        if known is None:
            known = self._digests[path] = self.cache.digest(str(self.root / path))
        return known

    def read(self, path: str, user: str | None = None) -> bytes:
        file = self.root / path
        changed = f"image {path!r} changed while the site was being built; build again"
        with contextlib.suppress(OSError):  # gone or unreadable: read_inside says so
            if os.path.getsize(file) > limits.IMAGE_BYTES:  # it was not when its article was read
                raise SourceError(changed, file)
        try:
            data = self._inside.read(path)
        except ValueError as exc:
            raise SourceError(f"resource {exc}", self.root / user if user else file) from None
        if hashlib.sha256(data).hexdigest() != self.digest(path):
            raise SourceError(changed, file)
        return published_bytes(file, data)


def _podcast_image(config: Config, path: str) -> bytes:
    try:
        return paths.read_inside(config.articles_path, path)
    except ValueError as exc:
        raise ConfigError(f"podcast.image {exc}", config.file) from None


def _enclosure_bytes(config: Config, path: str) -> bytes:
    """The bytes of a local enclosure, contained and bounded again (it may have changed since
    it was normalized)."""
    where = config.articles_path / path
    try:
        if os.path.getsize(where) > limits.MEDIA_BYTES:
            raise ValueError(f"{path!r} is larger than {limits.mib(limits.MEDIA_BYTES)}")
        return paths.read_inside(config.articles_path, path)
    except (OSError, ValueError) as exc:
        raise SourceError(f"enclosure {exc}; build again", where) from None


def _state(key: str, views: list[ArticleView], moment: dt.datetime, result: BuildResult) -> BuildState:
    """The build's record; a build at another time publishes the same articles as long as no
    article's date falls between the two times."""
    dates = [parse_iso(v.published) for v in views if not v.draft]
    before = [d for d in dates if d <= moment]
    after = [d for d in dates if d > moment]
    return BuildState(
        key=key,
        published_from=max(before).isoformat() if before else "",
        published_until=min(after).isoformat() if after else "",
        articles=result.articles, drafts=result.drafts, scheduled=result.scheduled,
        diagnostics=list(result.diagnostics),
    )
