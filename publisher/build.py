"""The pipeline: sources -> normalized article XML -> feeds and book -> the output folder."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from publisher import sources
from publisher.config import Config
from publisher.dates import parse_iso
from publisher.errors import BuildFailed, ConfigError, Diagnostic, Reporter, SourceError, display_path
from publisher.model import ArticleView
from publisher.normalize import Normalizer, identity
from publisher.output import write_outputs
from publisher.render.epub import render_epub
from publisher.render.feeds import render_feeds


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
class BuildResult:
    articles: int
    drafts: int = 0
    scheduled: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class SourceIndex:
    """Canonical URLs of article sources, read on demand: resolves ``[text](other.md)`` links."""

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
        if target not in sources.discover_one(root, rel, self.config.exclude):
            return None
        try:  # the target's own problems are reported when it is normalized itself
            return identity(sources.load(target, Reporter()), self.config).canonical
        except SourceError:
            return None


def normalize_file(
    path: Path, config: Config, report: Reporter, links: SourceIndex | None = None
) -> etree._Element:
    """Read and normalize one source: a pure function of its bytes (and sidecar), the config,
    and the canonical URLs of the sources it links to."""
    return Normalizer(config, report, links or SourceIndex(config)).normalize(sources.load(path, report))


def load_articles(config: Config, report: Reporter) -> tuple[list[ArticleView], int]:
    """Every article, normalized and schema-checked, newest first, and the number of sources read.

    Problems go to ``report``; an article with an error is left out of the list.
    """
    root = config.articles_path
    if not root.is_dir():
        report.error(display_path(root), "articles folder not found; create it or set site.articles_dir")
        return [], 0
    paths = sources.discover(root, config.exclude)
    if not paths:
        report.error(display_path(root), "no article sources (.md, .markdown, .txt, .xml) found")
    views: list[ArticleView] = []
    links = SourceIndex(config)
    for path in paths:
        try:
            views.append(ArticleView(normalize_file(path, config, report, links)))
        except SourceError as exc:
            report.add(exc.diagnostic())
    _check_unique(views, config, report)
    return sorted(views, key=ArticleView.sort_key, reverse=True), len(paths)


def _check_unique(views: list[ArticleView], config: Config, report: Reporter) -> None:
    for what in ("id", "slug"):
        first: dict[str, ArticleView] = {}
        for view in sorted(views, key=lambda v: v.source):
            key = getattr(view, what)
            if key in first:
                report.error(
                    display_path(config.articles_path / view.source),
                    f"{what} {key!r} is also used by {first[key].source}; give one of them its own {what}",
                )
            else:
                first[key] = view


def build(config: Config, out_dir: Path | None = None, now: dt.datetime | None = None) -> BuildResult:
    report = Reporter()
    views, _ = load_articles(config, report)
    if report.errors:
        raise BuildFailed(report.diagnostics)
    views, drafts, scheduled = published(views, resolve_now(now))

    media = {}
    for view in views:
        for res in view.resources:
            media[res.path] = (config.articles_path / res.path).read_bytes()
    files, _ = render_feeds(config, views)
    files[f"{config.epub_name}.epub"] = render_epub(config, views, media)
    for path, data in media.items():
        files["media/" + path] = data

    written, removed = write_outputs(out_dir or config.output_path, files)
    return BuildResult(len(views), drafts, scheduled, written, removed, sorted(files), report.diagnostics)
