"""Which books to make: the editions of the config (``config.editions``), planned from the articles.

An edition spec (parsed in ``publisher.config.editions``) and the published articles give the
books: their paths, titles, sections and reading order. The reading order is the table of
contents: sections in order, each section's articles in ``order``. Editions without articles
are not written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from publisher.config.editions import DEFAULT_EDITION, OTHER, EditionSpec
from publisher.dates import parse_iso
from publisher.errors import OutputError
from publisher.i18n import _, date_range
from publisher.slugs import slugify as base_slugify

if TYPE_CHECKING:
    from publisher.config import Config
    from publisher.model import ArticleView

# --- planning: from a spec and the articles to the books -------------------------------------


@dataclass(frozen=True)
class Section:
    key: str  # slug: ids in the book, and file names of section editions
    label: str  # "" for the one group of an ungrouped edition
    views: tuple[ArticleView, ...]


@dataclass(frozen=True)
class Edition:
    """One book to write: where, under which identity, and its articles grouped in sections."""

    key: str  # names the identifier: "archive", "weekly-2026-W47", "tag-port"
    path: str  # output path, e.g. "books/weekly-2026-W47.epub"
    heading: str  # "Weekly edition"
    dates: str  # "16–22 November 2026"
    sections: tuple[Section, ...]
    series: str = ""  # belongs-to-collection, for editions that come out periodically
    position: str = ""  # the edition's place in its series
    subjects: tuple[str, ...] = field(default=())
    site_only: bool = False  # the book's title is the site's name alone (the default archive)
    language: str = "en"  # the book's primary language (the spec's, else the site's)
    editor: str = ""  # the book's creator (the spec's editor, else the site's publisher or title)

    def book_title(self, site: str) -> str:
        """dc:title: "The Harbour Dispatch — Weekly edition, 16–22 November 2026"."""
        return site if self.site_only else f"{site} — {self.title}"

    @property
    def title(self) -> str:
        """The edition's own title: "Weekly edition, 16–22 November 2026"."""
        return f"{self.heading}, {self.dates}" if self.series else self.heading

    @property
    def views(self) -> list[ArticleView]:
        """Every article in reading order."""
        return [v for s in self.sections for v in s.views]


def slugify(text: str) -> str:
    """The project's slug (``publisher.slugs``); "section" when nothing is left of the text."""
    return base_slugify(text) or "section"


def _local_date(view: ArticleView, config: Config) -> dt.date:
    return parse_iso(view.published).astimezone(config.zone).date()


def date_span(first: dt.date, last: dt.date, lang: str = "en") -> str:
    """'16–22 November 2026', '30 November – 6 December 2026', '18 November 2026' (in ``lang``)."""
    return date_range(first, last, lang)


def _span_of(views: list[ArticleView], config: Config, lang: str) -> str:
    days = [_local_date(v, config) for v in views]
    return date_span(min(days), max(days), lang)


def _folder(view: ArticleView) -> str:
    parts = PurePosixPath(view.source).parts[:-1]
    if PurePosixPath(view.source).stem == "index":  # a page bundle: the folder is the article's own
        parts = parts[:-1]
    return parts[0] if parts else ""


def group(views: list[ArticleView], spec: EditionSpec, config: Config, lang: str = "en") -> tuple[Section, ...]:
    """``views`` in sections, each section's articles in the spec's order."""
    ordered = sorted(views, key=lambda v: v.sort_key(), reverse=spec.order == "newest")
    if spec.section == "none":
        return (Section("all", "", tuple(ordered)),)
    chosen = {_match_key(s) for s in spec.sections}
    buckets: dict[str, list[ArticleView]] = {}
    labels: dict[str, str] = {}
    for view in ordered:
        key, label = _section_of(view, spec, config, chosen)
        buckets.setdefault(key, []).append(view)
        labels.setdefault(key, label)
    if spec.section == "folder":
        keys = sorted(buckets, key=lambda k: (k != "", labels[k].casefold(), k))
    elif spec.sections:
        rank = {_match_key(s): i for i, s in enumerate(spec.sections)}
        keys = sorted(buckets, key=lambda k: rank.get(k, len(rank)))
    else:
        keys = sorted(buckets, key=lambda k: (k == "", labels[k].casefold(), k))
    # the catch-all of tag sections is "Other" in the book's language; its key (ids, file names)
    # stays the same in every language
    shown = {k: _(lang, OTHER) if k == "" and spec.section == "tag" else labels[k] for k in keys}
    return tuple(Section(_section_key(k, labels[k]), shown[k], tuple(buckets[k])) for k in keys)


def _match_key(text: str) -> str:
    return slugify(text)


def _section_key(key: str, label: str) -> str:
    return key or slugify(label)


def _section_of(view: ArticleView, spec: EditionSpec, config: Config, chosen: set[str]) -> tuple[str, str]:
    """(key, label); the key "" is the catch-all group ("Other", or the site's top folder)."""
    if spec.section == "folder":
        folder = _folder(view)
        if not folder:
            return "", config.title
        return slugify(folder), " ".join(w[:1].upper() + w[1:] for w in re.split(r"[-_\s]+", folder) if w)
    for slug, label in view.tags:
        if not chosen or slug in chosen or _match_key(label) in chosen:
            return slug, label
    return "", OTHER


def _format(template: str, **values: Any) -> str:
    return template.format(**{"tag": "", "section": "", "n": 0, **values})


def plan(spec: EditionSpec, views: list[ArticleView], config: Config) -> list[Edition]:
    """The books one spec makes from the published articles (none for an empty selection)."""
    language = spec.language or config.language
    editor = spec.editor or config.publisher or config.title
    return [replace(e, language=language, editor=editor) for e in _plan(spec, views, config, language)]


def _plan(spec: EditionSpec, views: list[ArticleView], config: Config, lang: str) -> list[Edition]:
    if not views:
        return []
    if spec.kind == "archive":
        path = f"books/{spec.name}.epub" if spec.name else f"{config.epub_name}.epub"
        whole = spec.count is None or len(views) <= spec.count
        if not whole:  # the newest n: headed as the latest articles, not as all of them
            views = sorted(views, key=lambda v: v.sort_key(), reverse=True)[: spec.count]
        heading = _(lang, "All articles") if whole else _(lang, "Latest articles")
        title = _format(spec.title or heading, n=len(views))
        dates, sections = _span_of(views, config, lang), group(views, spec, config, lang)
        return [Edition(spec.name or "archive", path, title, dates, sections,
                        site_only=whole and not (spec.title or spec.name))]
    if spec.kind == "latest":
        chosen = sorted(views, key=lambda v: v.sort_key(), reverse=True)[: spec.count]
        title = _format(spec.title or _(lang, "Latest articles"), n=len(chosen))
        return [Edition(spec.stem, f"books/{spec.stem}.epub", title, _span_of(chosen, config, lang),
                        group(chosen, spec, config, lang))]
    if spec.kind == "period":
        return _periods(spec, views, config, lang)
    if spec.kind == "tag":
        return _per_tag(spec, views, config, lang)
    return _per_section(spec, views, config, lang)


def _period_of(day: dt.date, period: str) -> tuple[str, dt.date, dt.date, str]:
    """(file stamp, first day, last day, series position) of the period holding ``day``."""
    if period == "day":
        return day.isoformat(), day, day, day.strftime("%Y%m%d")
    if period == "week":
        year, week, weekday = day.isocalendar()
        monday = day - dt.timedelta(days=weekday - 1)
        return f"{year}-W{week:02d}", monday, monday + dt.timedelta(days=6), f"{year}{week:02d}"
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return f"{day.year}-{day.month:02d}", first, last, f"{day.year}{day.month:02d}"


#: An edition's default heading and its series' name, per period (gettext msgids: the adjective
#: agrees with "edition" differently in each language).
_PERIOD_WORDS = {
    "day": ("Daily edition", "{site} Daily"),
    "week": ("Weekly edition", "{site} Weekly"),
    "month": ("Monthly edition", "{site} Monthly"),
}


def _periods(spec: EditionSpec, views: list[ArticleView], config: Config, lang: str) -> list[Edition]:
    buckets: dict[tuple[str, dt.date, dt.date, str], list[ArticleView]] = {}
    for view in views:
        buckets.setdefault(_period_of(_local_date(view, config), spec.period), []).append(view)
    periods = sorted(buckets, key=lambda p: p[1], reverse=True)
    if spec.last:
        periods = periods[: spec.last]
    heading_words, series_words = _PERIOD_WORDS[spec.period]
    series = _(lang, series_words, site=config.title)
    out = []
    for stamp, first, last, position in sorted(periods, key=lambda p: p[1]):
        chosen = buckets[(stamp, first, last, position)]
        heading = _format(spec.title or _(lang, heading_words), n=len(chosen))
        out.append(Edition(f"{spec.stem}-{stamp}", f"books/{spec.stem}-{stamp}.epub", heading,
                           date_span(first, last, lang), group(chosen, spec, config, lang), series, position))
    return out


def _per_tag(spec: EditionSpec, views: list[ArticleView], config: Config, lang: str) -> list[Edition]:
    labels: dict[str, str] = {}
    for view in sorted(views, key=lambda v: v.sort_key(), reverse=True):
        for slug, label in view.tags:
            labels.setdefault(slug, label)
    wanted = {_match_key(t) for t in spec.tags}
    out = []
    for slug in sorted(labels):
        if wanted and slug not in wanted and _match_key(labels[slug]) not in wanted:
            continue
        chosen = [v for v in views if slug in {s for s, _ in v.tags}]
        heading = _format(spec.title or "{tag}", tag=labels[slug], n=len(chosen))
        out.append(Edition(f"{spec.stem}-{slug}", f"books/{spec.stem}-{slug}.epub", heading,
                           _span_of(chosen, config, lang), group(chosen, spec, config, lang),
                           subjects=(labels[slug],)))
    return out


def _per_section(spec: EditionSpec, views: list[ArticleView], config: Config, lang: str) -> list[Edition]:
    out = []
    for section in group(views, spec, config, lang):
        chosen = list(section.views)
        heading = _format(spec.title or "{section}", section=section.label, n=len(chosen))
        out.append(Edition(f"{spec.stem}-{section.key}", f"books/{spec.stem}-{section.key}.epub", heading,
                           _span_of(chosen, config, lang), (section,), subjects=(section.label,)))
    return out


def plan_editions(config: Config, views: list[ArticleView]) -> list[Edition]:
    """Every book the config asks for, in a stable order; an output path is never used twice."""
    editions: list[Edition] = []
    seen: dict[str, Edition] = {}
    for spec in config.editions or (DEFAULT_EDITION,):
        for edition in plan(spec, views, config):
            if edition.path in seen:
                raise OutputError(f"two editions would both be written to {edition.path}; give one a name")
            seen[edition.path] = edition
            editions.append(edition)
    return editions
