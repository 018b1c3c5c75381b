"""Which books to make: the editions declared in the config, each a selection of articles.

Every ``[[editions]]`` table of ``publisher.toml`` makes one or more EPUB books; without any,
the build makes one archive edition of every article at ``{site.epub_name}.epub``. Keys (all
optional; documented for users in docs/editions.md):

``kind``
    ``"archive"`` (default): every article, one book, at ``{epub_name}.epub``.
    ``"latest"``: the newest ``n`` articles, at ``books/latest.epub``.
    ``"period"``: one book per ``period`` that has articles, e.g. ``books/weekly-2026-W47.epub``.
    ``"tag"``: one book per tag in ``tags``, e.g. ``books/tag-port.epub``.
    ``"section"``: one book per section (see ``section``), e.g. ``books/section-inside-rust.epub``.
``n`` (latest)
    How many of the newest articles; default 20.
``period`` (period)
    ``"day"``, ``"week"`` (ISO week, Monday to Sunday; default) or ``"month"``, in the site's
    time zone. Files: ``daily-YYYY-MM-DD``, ``weekly-YYYY-Www``, ``monthly-YYYY-MM``.
``last`` (period)
    Only the newest ``last`` periods that have articles; default: every one.
``tags`` (tag)
    Tag slugs or labels; default: every tag any article has.
``title``
    The edition's title on the cover and title page and after the site's name in the book's
    title. ``{tag}``, ``{section}`` and ``{n}`` are replaced. Defaults: "All articles", "Latest
    articles", "Daily/Weekly/Monthly edition" (the dates are added: "Weekly edition, 16–22
    November 2026"), the tag's or section's name.
``section``
    How the table of contents is grouped: ``"tag"`` (default; an article's first tag, else
    "Other"), ``"folder"`` (the article's top folder under articles_dir, as in Zola and Hugo
    sections; articles at the top level are under the site's title), or ``"none"``.
``sections`` (section = "tag")
    Tags (slugs or labels) that are sections, in this order: an article goes under the first of
    them it carries, else under "Other", which comes last. Without it, sections are the tags,
    alphabetically, then "Other".
``order``
    ``"newest"`` (default: newest first within each section, as on a front page) or ``"oldest"``.
``name``
    Replaces the default file name stem (``latest``, ``weekly``, ``tag``...; for archive it moves
    the book to ``books/NAME.epub``). The stem also names the book's identifier: a URN made from
    the site's host and the stem, so a re-download replaces the copy on a device.

The reading order is the table of contents: sections in order, each section's articles in
``order``. Editions without articles are not written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from publisher.cache import Cache, blob_key
from publisher.dates import parse_iso
from publisher.errors import OutputError, Reporter
from publisher.output import Output
from publisher.render.content import MONTHS

if TYPE_CHECKING:
    from publisher.config import Config
    from publisher.model import ArticleView

KINDS = ("archive", "latest", "period", "tag", "section")
PERIODS = {"day": "daily", "week": "weekly", "month": "monthly"}
SECTION_MODES = ("tag", "folder", "none")
ORDERS = ("newest", "oldest")
#: Keys each kind reads; the others are warned about and ignored.
_COMMON = {"kind", "title", "section", "sections", "order", "name"}
_KEYS = {
    "archive": _COMMON,
    "latest": _COMMON | {"n"},
    "period": _COMMON | {"period", "last"},
    "tag": _COMMON | {"tags"},
    "section": _COMMON,
}
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
OTHER = "Other"


@dataclass(frozen=True)
class EditionSpec:
    """One ``[[editions]]`` table of publisher.toml (see the module docstring for each key)."""

    kind: str = "archive"
    n: int = 20
    period: str = "week"
    last: int = 0  # 0: every period
    tags: tuple[str, ...] = ()  # empty: every tag
    title: str = ""
    section: str = "tag"
    sections: tuple[str, ...] = ()
    order: str = "newest"
    name: str = ""

    @property
    def stem(self) -> str:
        """The file name stem this spec's books start with (unique among specs)."""
        if self.kind == "archive":
            return self.name
        if self.kind == "period":
            return self.name or PERIODS[self.period]
        return self.name or self.kind


def parse_editions(raw: Any, where: str, report: Reporter) -> tuple[EditionSpec, ...]:
    """Validate the ``editions`` array of tables; problems go to ``report``."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        report.error(where, "editions must be an array of tables ([[editions]])")
        return ()
    specs: list[EditionSpec] = []
    stems: dict[tuple[str, str], int] = {}
    for n, table in enumerate(raw, start=1):
        spec = _parse_one(table, f"editions #{n}", where, report)
        if spec is None:
            continue
        key = ("archive" if spec.kind == "archive" else "books", spec.stem)
        if key in stems:
            report.error(where, f"editions #{n} would write the same books as editions #{stems[key]}; "
                         "give one of them its own name")
            continue
        stems[key] = n
        specs.append(spec)
    return tuple(specs)


def _parse_one(table: dict, label: str, where: str, report: Reporter) -> EditionSpec | None:
    errors = len(report.errors)
    kind = table.get("kind", "archive")
    if kind not in KINDS:
        report.error(where, f"{label}: unknown kind {kind!r}; known: {', '.join(KINDS)}")
        return None
    for key in sorted(set(table) - _KEYS[kind]):
        known = any(key in keys for keys in _KEYS.values())
        report.warn(where, f"{label}: key {key!r} " + (f"does not apply to kind {kind!r}; ignored" if known
                                                          else "is unknown; ignored"))
    values: dict[str, Any] = {"kind": kind}

    def get(key: str, types: type | tuple[type, ...], wanted: str) -> Any:
        value = table.get(key)
        if value is None or key not in _KEYS[kind]:
            return None
        if isinstance(value, bool) or not isinstance(value, types):
            report.error(where, f"{label}: {key} must be {wanted}, not {type(value).__name__}")
            return None
        return value

    for key in ("n", "last"):
        value = get(key, int, "a whole number")
        if value is not None:
            if value < 1:
                report.error(where, f"{label}: {key} must be at least 1, not {value}")
            values[key] = value
    for key, choices in (("period", tuple(PERIODS)), ("section", SECTION_MODES), ("order", ORDERS)):
        value = get(key, str, "a string")
        if value is not None:
            if value not in choices:
                listed = ", ".join(map(repr, choices))
                report.error(where, f"{label}: {key} must be one of {listed}, not {value!r}")
            values[key] = value
    for key in ("tags", "sections"):
        value = get(key, list, "a list of strings")
        if value is not None:
            if not all(isinstance(v, str) and v.strip() for v in value):
                report.error(where, f"{label}: {key} must be a list of non-empty strings")
            else:
                values[key] = tuple(v.strip() for v in value)
    title = get("title", str, "a string")
    if title is not None:
        try:
            title.format(tag="", section="", n=0)
        except (KeyError, IndexError, ValueError):
            report.error(where, f"{label}: title may only use {{tag}}, {{section}} and {{n}}, not {title!r}")
        values["title"] = title
    name = get("name", str, "a string")
    if name is not None:
        if not _SLUG.match(name):
            report.error(where, f"{label}: name must be lower-case letters, digits and dashes, not {name!r}")
        values["name"] = name
    if values.get("sections") and values.get("section", "tag") != "tag":
        report.error(where, f"{label}: sections lists tags, so it needs section = \"tag\"")
    if kind == "section" and values.get("section") == "none":
        report.error(where, f"{label}: kind \"section\" needs section = \"tag\" or \"folder\"")
    return EditionSpec(**values) if len(report.errors) == errors else None


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
    """The project's slug (``normalize.slugify``); "section" when nothing is left of the text."""
    from publisher.normalize import slugify as base

    return base(text) or "section"


def _local_date(view: ArticleView, config: Config) -> dt.date:
    return parse_iso(view.published).astimezone(config.zone).date()


def date_span(first: dt.date, last: dt.date) -> str:
    """'16–22 November 2026', '30 November – 6 December 2026', '18 November 2026'."""
    def full(d: dt.date) -> str:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"

    if first == last:
        return full(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {MONTHS[last.month - 1]} {last.year}"
    if first.year == last.year:
        return f"{first.day} {MONTHS[first.month - 1]} – {full(last)}"
    return f"{full(first)} – {full(last)}"


def _span_of(views: list[ArticleView], config: Config) -> str:
    days = [_local_date(v, config) for v in views]
    return date_span(min(days), max(days))


def _folder(view: ArticleView) -> str:
    parts = PurePosixPath(view.source).parts[:-1]
    if PurePosixPath(view.source).stem == "index":  # a page bundle: the folder is the article's own
        parts = parts[:-1]
    return parts[0] if parts else ""


def group(views: list[ArticleView], spec: EditionSpec, config: Config) -> tuple[Section, ...]:
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
    return tuple(Section(_section_key(k, labels[k]), labels[k], tuple(buckets[k])) for k in keys)


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
    if not views:
        return []
    if spec.kind == "archive":
        path = f"books/{spec.name}.epub" if spec.name else f"{config.epub_name}.epub"
        title = _format(spec.title or "All articles", n=len(views))
        dates, sections = _span_of(views, config), group(views, spec, config)
        return [Edition(spec.name or "archive", path, title, dates, sections, site_only=not (spec.title or spec.name))]
    if spec.kind == "latest":
        chosen = sorted(views, key=lambda v: v.sort_key(), reverse=True)[: spec.n]
        title = _format(spec.title or "Latest articles", n=len(chosen))
        return [Edition(spec.stem, f"books/{spec.stem}.epub", title, _span_of(chosen, config),
                        group(chosen, spec, config))]
    if spec.kind == "period":
        return _periods(spec, views, config)
    if spec.kind == "tag":
        return _per_tag(spec, views, config)
    return _per_section(spec, views, config)


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


def _periods(spec: EditionSpec, views: list[ArticleView], config: Config) -> list[Edition]:
    buckets: dict[tuple[str, dt.date, dt.date, str], list[ArticleView]] = {}
    for view in views:
        buckets.setdefault(_period_of(_local_date(view, config), spec.period), []).append(view)
    periods = sorted(buckets, key=lambda p: p[1], reverse=True)
    if spec.last:
        periods = periods[: spec.last]
    adjective = PERIODS[spec.period].capitalize()
    series = f"{config.title} {adjective}"
    out = []
    for stamp, first, last, position in sorted(periods, key=lambda p: p[1]):
        chosen = buckets[(stamp, first, last, position)]
        heading = _format(spec.title or f"{adjective} edition", n=len(chosen))
        out.append(Edition(f"{spec.stem}-{stamp}", f"books/{spec.stem}-{stamp}.epub", heading,
                           date_span(first, last), group(chosen, spec, config), series, position))
    return out


def _per_tag(spec: EditionSpec, views: list[ArticleView], config: Config) -> list[Edition]:
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
                           _span_of(chosen, config), group(chosen, spec, config), subjects=(labels[slug],)))
    return out


def _per_section(spec: EditionSpec, views: list[ArticleView], config: Config) -> list[Edition]:
    out = []
    for section in group(views, spec, config):
        chosen = list(section.views)
        heading = _format(spec.title or "{section}", section=section.label, n=len(chosen))
        out.append(Edition(f"{spec.stem}-{section.key}", f"books/{spec.stem}-{section.key}.epub", heading,
                           _span_of(chosen, config), (section,), subjects=(section.label,)))
    return out


def plan_editions(config: Config, views: list[ArticleView]) -> list[Edition]:
    """Every book the config asks for, in a stable order; an output path is never used twice."""
    editions: list[Edition] = []
    seen: dict[str, Edition] = {}
    for spec in config.editions or (EditionSpec(),):
        for edition in plan(spec, views, config):
            if edition.path in seen:
                raise OutputError(f"two editions would both be written to {edition.path}; give one a name")
            seen[edition.path] = edition
            editions.append(edition)
    return editions


def render_editions(
    config: Config, views: list[ArticleView], media: dict[str, bytes], cache: Cache | None = None,
    workers: int | None = None,
) -> dict[str, bytes]:
    """Every configured edition as output path -> EPUB bytes; by default the archive edition."""
    return {book.path: book.load() for book in edition_outputs(config, views, media, cache, workers)}


def edition_outputs(
    config: Config, views: list[ArticleView], media: dict[str, bytes], cache: Cache | None = None,
    workers: int | None = None,
) -> list[Output]:
    """Every configured edition, each made only when loaded.

    A book whose inputs (settings, edition, articles, images) are unchanged comes from the build
    cache: after an edit only the editions holding that article are made again.
    """
    if cache is None or not all(v.digest for v in views):  # no digests: nothing to key books on
        cache = Cache(None)
    books = []
    for edition in plan_editions(config, views):
        key = _book_key(config, edition, media)
        books.append(Output(edition.path, key, partial(_book, config, edition, media, cache, workers, key),
                            partial(_keep_book, cache, edition.path, key)))
    return books


def _book(config: Config, edition: Edition, media: dict[str, bytes], cache: Cache, workers: int | None,
          key: str) -> bytes:
    from publisher.render.epub import render_book

    data = cache.get_kept("book " + edition.path, key)
    if data is None:
        with cache.tracking() as parts:
            data = render_book(config, edition, media, cache, workers)
        cache.put_kept("book " + edition.path, key, data)
        cache.put_kept("book parts " + edition.path, key, "\n".join(sorted(parts)).encode("ascii"))
    else:
        _keep_parts(cache, edition.path, key)
    return data


def _keep_book(cache: Cache, path: str, key: str) -> None:
    """The book is on disk as it was made: its kept copy, frame and chapter packs stay in the
    cache for the next time it is made."""
    cache.keep_slot("book " + path)
    _keep_parts(cache, path, key)


def _keep_parts(cache: Cache, path: str, key: str) -> None:
    parts = cache.get_kept("book parts " + path, key)
    cache.keep(parts.decode("ascii").split() if parts else ())


def _book_key(config: Config, edition: Edition, media: dict[str, bytes]) -> str:
    parts = [repr(config), edition.key, edition.path, edition.heading, edition.dates, edition.series,
             edition.position, repr(edition.subjects), str(edition.site_only)]
    for section in edition.sections:
        parts.append(f"section {section.key} {section.label}")
        parts += [view.digest for view in section.views]
    for path in sorted({r.path for view in edition.views for r in view.resources}):
        parts.append(f"{path} {hashlib.sha256(media[path]).hexdigest()}")
    return blob_key("book", *parts)
