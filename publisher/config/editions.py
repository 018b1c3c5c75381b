"""The ``[[editions]]`` tables of publisher.toml, parsed and checked: which books to make.

Each table becomes an :class:`EditionSpec`; ``books.editions`` turns specs and articles into
books. Keys (all optional; documented for users in docs/editions.md):

``kind``
    ``"archive"`` (default): every article, one book, at ``{epub_name}.epub``.
    ``"latest"``: the newest ``n`` articles, at ``books/latest.epub``.
    ``"period"``: one book per ``period`` that has articles, e.g. ``books/weekly-2026-W47.epub``.
    ``"tag"``: one book per tag in ``tags``, e.g. ``books/tag-port.epub``.
    ``"section"``: one book per section (see ``section``), e.g. ``books/section-inside-rust.epub``.
``n`` (latest, archive)
    How many of the newest articles; default 20 for latest, every article for archive. An
    archive that leaves articles out is headed "Latest articles" unless it has a ``title``.
    With no ``[[editions]]`` at all, the one book is an archive with ``n = 100``
    (:data:`DEFAULT_BOOK_ARTICLES`): every article of a small site, the newest 100 of a big one,
    whose images would otherwise be in build/ twice (under media/ and in the book).
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
``language``
    The book's language (BCP 47): its one primary ``dc:language``, the package's ``xml:lang``
    and the language of its interface words (contents, navigation). Default: the site's.
    Each chapter keeps its own article's language.
``editor``
    The book's creator (``dc:creator``), as calibre and e-readers show its author. Default: the
    site's publisher, else its title. The articles' authors stay with their chapters.
``name``
    Replaces the default file name stem (``latest``, ``weekly``, ``tag``...; for archive it moves
    the book to ``books/NAME.epub``). The stem also names the book's identifier: a URN made from
    the site's host and the stem, so a re-download replaces the copy on a device.

The reading order is the table of contents: sections in order, each section's articles in
``order``. Editions without articles are not written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from publisher.errors import Reporter

KINDS = ("archive", "latest", "period", "tag", "section")
PERIODS = {"day": "daily", "week": "weekly", "month": "monthly"}
SECTION_MODES = ("tag", "folder", "none")
ORDERS = ("newest", "oldest")
#: Keys each kind reads; the others are warned about and ignored.
_COMMON = {"kind", "title", "section", "sections", "order", "name", "language", "editor"}
_KEYS = {
    "archive": _COMMON | {"n"},
    "latest": _COMMON | {"n"},
    "period": _COMMON | {"period", "last"},
    "tag": _COMMON | {"tags"},
    "section": _COMMON,
}
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
OTHER = "Other"
#: The newest articles the book holds when publisher.toml has no ``[[editions]]``: a site's
#: whole archive as one EPUB outgrows e-readers and static hosts (see the module docstring).
DEFAULT_BOOK_ARTICLES = 100


@dataclass(frozen=True)
class EditionSpec:
    """One ``[[editions]]`` table of publisher.toml (see the module docstring for each key)."""

    kind: str = "archive"
    n: int = 0  # 0: the kind's default (latest: 20; archive: every article)
    period: str = "week"
    last: int = 0  # 0: every period
    tags: tuple[str, ...] = ()  # empty: every tag
    title: str = ""
    section: str = "tag"
    sections: tuple[str, ...] = ()
    order: str = "newest"
    name: str = ""
    language: str = ""  # "": the site's
    editor: str = ""  # "": the site's publisher, else its title

    @property
    def count(self) -> int | None:
        """How many of the newest articles the books hold; None: every one."""
        if self.kind == "latest":
            return self.n or 20
        return self.n or None

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
    language = get("language", str, "a string")
    if language is not None:
        if not _LANGUAGE.match(language):
            report.error(where, f"{label}: language must be a BCP 47 tag such as \"en\" or \"de-CH\", not {language!r}")
        values["language"] = language
    editor = get("editor", str, "a string")
    if editor is not None:
        if not editor.strip():
            report.error(where, f"{label}: editor must not be empty")
        values["editor"] = " ".join(editor.split())
    if values.get("sections") and values.get("section", "tag") != "tag":
        report.error(where, f"{label}: sections lists tags, so it needs section = \"tag\"")
    if kind == "section" and values.get("section") == "none":
        report.error(where, f"{label}: kind \"section\" needs section = \"tag\" or \"folder\"")
    return EditionSpec(**values) if len(report.errors) == errors else None


#: The one book made when publisher.toml has no ``[[editions]]``.
DEFAULT_EDITION = EditionSpec(n=DEFAULT_BOOK_ARTICLES)
