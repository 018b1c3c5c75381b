"""Typed site config: publisher.toml in, a checked Config out; every key declared once with its
type, default and meaning (the ``[[editions]]`` tables in editions.py)."""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.config.editions import EditionSpec, parse_editions
from publisher.config.podcast import PodcastSpec, parse_podcast
from publisher.errors import BuildFailed, ConfigError, Diagnostic, Reporter, did_you_mean, display_path
from publisher.theme import Theme, load_theme

CONFIG_NAME = "publisher.toml"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")  # cache_dir as a URL (fsspec's forms)
FEED_FORMATS = ("rss", "atom", "json")
FEED_GROUPS = ("tags", "authors")
ARCHIVE_FORMATS = ("rss", "atom")  # the formats with RFC 5005 archive pages (JSON Feed has none)


@dataclass(frozen=True)
class AuthorInfo:
    name: str
    bio: str = ""  # Markdown-free plain text; blank lines separate paragraphs


@dataclass(frozen=True)
class Config:
    """Site settings. Each field is a key of the ``[site]`` table in ``publisher.toml``."""

    #: The site's name: feed titles and the EPUB title.
    title: str = "Publisher Site"
    #: One-line description of the site, used as the feed subtitle.
    description: str = "Articles"
    #: Absolute http(s) URL of the site's home page; every URL in the outputs is made from it.
    base_url: str = "https://example.com/"
    #: Canonical URL of an article, relative to base_url; ``{slug}`` is the article's slug.
    article_url: str = "articles/{slug}/"
    #: BCP 47 language of the site; an article may override it with ``lang``.
    language: str = "en"
    #: IANA time zone applied to dates written without a zone.
    timezone: str = "UTC"
    #: Author credited when a source names none.
    author: str = "Staff"
    #: Name given as the EPUB's publisher.
    publisher: str = ""
    #: Folder of article sources, relative to the config file.
    articles_dir: str = "articles"
    #: Folder the outputs go to, relative to the config file.
    output_dir: str = "build"
    #: Glob patterns (relative to articles_dir) of files that are not articles, e.g. "releases/latest.md".
    #: Files and folders whose names start with "." or "_" are always skipped.
    exclude: list[str] = field(default_factory=list)
    #: Take an article's date from its path (YYYY-MM-DD-slug, YYYY/MM/DD/slug) when it has no date key.
    date_from_path: bool = True
    #: What a relative image path that is not a file inside articles_dir means: "error" (stop the
    #: build), or "remote" (a warning; the image is taken to be served at that path relative to
    #: the article's canonical URL, as on a site migrated with its images left on the web server).
    missing_images: str = "error"
    #: How many of the newest articles each subscription feed carries; older ones are in archives.
    feed_limit: int = 50
    #: Feed formats to write for every feed family: any of "rss", "atom", "json" (JSON Feed 1.1).
    feed_formats: list[str] = field(default_factory=lambda: ["rss", "atom", "json"])
    #: The format feeds.opml lists each feed in (one outline per feed: a reader that imports it
    #: subscribes once); if it is not written, the first written of "rss", "atom", "json".
    #: feeds.html links every format.
    feed_preferred: str = "rss"
    #: Feed families besides the site's own: "tags" (one per tag), "authors" (one per author).
    feed_groups: list[str] = field(default_factory=lambda: ["tags", "authors"])
    #: Write RFC 5005 archive pages holding every article older than the newest feed_limit;
    #: false: the feeds carry the newest feed_limit articles and nothing more.
    feed_archives: bool = True
    #: The formats that have archive pages: "atom" (RFC 5005's own), "rss". Empty (the
    #: default): Atom's alone, or RSS's when Atom is not written: every article once, full text,
    #: so that a big site's build/ fits a static host. ["rss", "atom"] pages both.
    feed_archive_formats: list[str] = field(default_factory=list)
    #: What tag and author feeds carry of each article: "summary" (headline, link, summary,
    #: dates, authors, tags, lead image) or "full" (its whole text too, as the site's feed
    #: always does). Summaries keep a big site's feeds within what static hosts accept.
    feed_group_content: str = "summary"
    #: RFC 5005 archive pages (with feed_archives) for tag and author feeds too; by default only
    #: the site's feed has them, and a tag or author feed holds its newest feed_limit articles.
    feed_group_archives: bool = False
    #: How many of the newest articles each tag and author feed carries (the site's: feed_limit).
    feed_group_limit: int = 20
    #: WebSub hub URL announced in every feed (empty: none).
    hub: str = ""
    #: Folder of the per-article cache, relative to the config file ("" turns caching off).
    #: CI may keep it between runs; a damaged or stale entry is detected and rebuilt.
    cache_dir: str = ".publisher-cache"
    #: Basename (without .epub) of the EPUB of all articles.
    epub_name: str = "articles"
    #: Folder of the site's own theme, relative to the config file: book.css, feed.css, feeds.html,
    #: cover.toml, fonts/ (see README "Themes"). A missing folder means the built-in look.
    theme_dir: str = "theme"
    #: Globs (relative to articles_dir, as exclude) of .txt files that are wire-format articles
    #: whatever their shape. Other .txt files are articles only when they have the wire shape (a
    #: header block, or an ``Author:`` trailer) or a sidecar; the rest are assets (``-v`` lists them).
    wire_glob: list[str] = field(default_factory=list)
    #: true: a ``path`` key names a folder, as Zola serves it: a "/" is added when it has none.
    #: false: the URL ends as the ``path`` is written.
    path_trailing_slash: bool = False
    #: The site's names of front-matter keys (``[front_matter]``: ``authors = ["by"]``), as
    #: ((our key, (their keys, ...)), ...); they add to and override the built-in names.
    front_matter: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: What a shortcode no built-in, entry point or site module defines is: "error" (stop the
    #: build), or "warning" (kept as visible literal text, with a warning). See docs/shortcodes.md.
    unknown_shortcodes: str = "error"
    #: A Python module of the site's own shortcodes: "NAME" is the file NAME.py beside the config
    #: (empty: none). It is code run by the build: opt-in, and as trusted as the config itself.
    shortcodes: str = ""
    #: Books to make (``[[editions]]`` tables); none means one archive edition of every article.
    editions: tuple[EditionSpec, ...] = ()
    #: The ``[podcast]`` table: the site's RSS feed becomes a podcast feed (iTunes tags); None: not one.
    podcast: PodcastSpec | None = None
    #: Author bios by name (``[authors."Name"] bio = "..."``); a source's own bio wins.
    authors: dict[str, AuthorInfo] = field(default_factory=dict)
    #: The theme found in theme_dir, checked (publisher/theme.py); its repr is its content's
    #: digest, so a theme change reaches every cache key made from repr(config).
    theme: Theme = field(default_factory=Theme)
    #: When cache_dir is a URL (s3://, gs://, file://, memory://: the shared tier, article entries
    #: only, through fsspec), the folder of this machine's own tier: catalog, build state, feeds
    #: and book parts, and a copy of every entry used (docs/scaling.md). Left out of repr():
    #: where the cache lives never changes what it holds.
    cache_local_dir: str = field(default=".publisher-cache", repr=False)
    #: Where the per-article stage runs: "" (a process pool on this machine), "local" (a Dask
    #: LocalCluster) or a Dask scheduler's address ("tcp://host:8786"); needs publisher[dask].
    #: Outputs never depend on it (left out of repr()).
    scheduler: str = field(default="", repr=False)
    #: Folder the config was loaded from; paths above are relative to it. Left out of repr()
    #: (what caches key on): the same site at another path reuses its cache.
    root: Path = field(default_factory=Path.cwd, repr=False)
    #: The config file read, or None when no publisher.toml was found (built-in defaults).
    file: Path | None = field(default=None, repr=False)
    #: A hash of the site's shortcode module and the installed shortcode entry points: in repr()
    #: and the fingerprint, so that changing either rebuilds every article (and skips no build).
    shortcodes_identity: str = field(default="", init=False)

    def __post_init__(self) -> None:
        from publisher.sources.shortcodes import identity

        object.__setattr__(self, "shortcodes_identity", identity(self.shortcodes_path))

    @property
    def shortcodes_path(self) -> Path | None:
        """The site's shortcode module file, or None when the site names none."""
        from publisher.sources.shortcodes import module_file

        return module_file(self.root, self.shortcodes) if self.shortcodes else None

    @functools.cached_property
    def keys(self):  # noqa: ANN201 - a frontmatter.KeyMap
        """Which front-matter key gives which of ours (built-in names and ``[front_matter]``)."""
        from publisher.sources.frontmatter import KeyMap

        return KeyMap(self.front_matter)

    @functools.cached_property
    def articles_path(self) -> Path:
        return (self.root / self.articles_dir).resolve()

    @property
    def output_path(self) -> Path:
        return (self.root / self.output_dir).resolve()

    @property
    def cache_path(self) -> Path | None:
        """The cache's local folder (with a URL cache_dir: cache_local_dir, this machine's tier)."""
        if not self.cache_dir:
            return None
        return (self.root / (self.cache_local_dir if self.cache_url else self.cache_dir)).resolve()

    @property
    def cache_url(self) -> str | None:
        """cache_dir when it is a URL (the cache's shared tier), else None; a file:// URL's
        relative path is relative to the config's folder, as every path of the config."""
        if not _URL.match(self.cache_dir):
            return None
        scheme, rest = self.cache_dir.split("://", 1)
        if scheme.lower() == "file" and not rest.startswith("/"):
            return "file://" + (self.root / rest).resolve().as_posix()
        return self.cache_dir

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def site_url(self) -> str:
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"

    @property
    def archive_formats(self) -> list[str]:
        """The feed formats that get RFC 5005 archive pages (none without feed_archives)."""
        if not self.feed_archives:
            return []
        if self.feed_archive_formats:
            return [f for f in ARCHIVE_FORMATS if f in self.feed_archive_formats and f in self.feed_formats]
        return next(([f] for f in ("atom", "rss") if f in self.feed_formats), [])

    @property
    def opml_format(self) -> str:
        """The one format feeds.opml lists: feed_preferred when it is written."""
        if self.feed_preferred in self.feed_formats:
            return self.feed_preferred
        return next((f for f in FEED_FORMATS if f in self.feed_formats), self.feed_preferred)

    def url(self, relative: str) -> str:
        return self.site_url + relative.lstrip("/")

    def site_relative(self, path: Path) -> str:
        """How the cache names a folder (the articles, an output folder): relative to the config's
        folder when both it and the cache are inside that folder, so that a site copied elsewhere
        with its cache finds its entries; else absolute (a cache kept outside, perhaps shared by
        several sites, keeps their folders apart)."""
        resolved, root = path.resolve(), self.root.resolve()
        cache = self.cache_path
        if cache is None or not cache.is_relative_to(root) or not resolved.is_relative_to(root):
            return str(resolved)
        return resolved.relative_to(root).as_posix()

    @functools.cached_property
    def fingerprint(self) -> str:
        """Settings that change the per-article stage, as a stable string (for caching)."""
        keys = ("base_url", "article_url", "language", "timezone", "author", "date_from_path",
                "missing_images", "exclude", "articles_dir", "wire_glob", "path_trailing_slash", "front_matter",
                "unknown_shortcodes", "shortcodes", "shortcodes_identity")
        parts = [f"{k}={getattr(self, k)}" for k in keys]  # not root: the cache moves with the site
        parts += [f"author:{a.name}={a.bio}" for a in sorted(self.authors.values(), key=lambda a: a.name)]
        return "\n".join(parts)


_SITE_KEYS = {f.name for f in fields(Config)} - {"authors", "root", "editions", "file", "theme", "front_matter",
                                                  "shortcodes_identity", "podcast"}
_TABLES = ("site", "authors", "editions", "front_matter", "podcast")
DEFAULT_BASE_URL = Config.base_url


def find_config(start: Path) -> Path | None:
    """The nearest ``publisher.toml`` in ``start`` or a folder above it, as git finds .git."""
    here = start.resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None, *, root: Path | None = None) -> tuple[Config, list[Diagnostic]]:
    """Load ``publisher.toml`` (or ``path``); a missing default file means all defaults.

    All problems are collected; if any is an error, ConfigError lists them all.
    """
    report = Reporter()
    if path is None:
        base = root or Path.cwd()
        found = find_config(base)
        if found is None:
            config = Config(root=base.resolve())
            report.warn("-", f"no {CONFIG_NAME} in {display_path(base) or '.'} or any folder above it: "
                        f"built-in defaults, all URLs under {DEFAULT_BASE_URL}", code="default-base-url")
            return config, report.diagnostics
        path = found
    if not path.exists():
        raise ConfigError("config file not found; create it or drop --config", path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config is not UTF-8 ({exc.reason})", path) from exc
    except tomllib.TOMLDecodeError as exc:
        from publisher.sources.frontmatter import toml_error_position

        msg, line, col = toml_error_position(str(exc), path.read_text(encoding="utf-8"))
        raise ConfigError(f"config is not valid TOML: {msg}", path, line, col) from exc

    shown = display_path(path)
    values: dict[str, Any] = {"root": path.parent.resolve(), "file": path}
    for key in sorted(set(data) - set(_TABLES)):
        report.warn(shown, f"unknown table or key [{key}] ignored; known: [site], [authors], [[editions]], "
                    "[front_matter], [podcast]" + did_you_mean(key, _TABLES), code="unknown-key")
    site = data.get("site", {})
    if not isinstance(site, dict):
        report.error(shown, "[site] must be a table")
        site = {}
    defaults = Config()
    for key, value in site.items():
        if key not in _SITE_KEYS:
            report.warn(shown, f"unknown key site.{key} ignored" + did_you_mean(key, _SITE_KEYS), code="unknown-key")
            continue
        expected = type(getattr(defaults, key))
        if not isinstance(value, expected) or (expected is list and not all(isinstance(v, str) for v in value)):
            wanted = "list of strings" if expected is list else expected.__name__
            report.error(shown, f"site.{key} must be a {wanted}, not {type(value).__name__}")
            continue
        values[key] = value

    authors: dict[str, AuthorInfo] = {}
    for name, info in (data.get("authors") or {}).items():
        if not isinstance(info, dict) or not isinstance(info.get("bio", ""), str):
            report.error(shown, f'[authors."{name}"] must be a table with a string bio')
            continue
        for key in sorted(set(info) - {"bio"}):
            report.warn(shown, f'unknown key authors."{name}".{key} ignored' + did_you_mean(key, ("bio",)),
                        code="unknown-key")
        authors[name] = AuthorInfo(name=name, bio=info.get("bio", ""))
    values["authors"] = authors
    values["editions"] = parse_editions(data.get("editions"), shown, report)
    if "front_matter" in data:
        from publisher.sources.frontmatter import mapping_problems

        table, problems = mapping_problems(data["front_matter"])
        lines = _table_lines(path, "front_matter")
        for problem in problems:
            target = problem.partition(":")[0].removeprefix("front_matter.").split(" ")[0]
            line = lines.get(target, lines.get(""))
            report.error(shown, problem, line, 1 if line else None)
        values["front_matter"] = tuple(table.items())
    articles = (values["root"] / str(values.get("articles_dir", Config.articles_dir))).resolve()
    values["podcast"] = parse_podcast(data.get("podcast"), shown, report, values["root"], articles)

    config = Config(**values)
    _validate(config, shown, report)
    if not report.errors:  # the theme's own files, each problem with its file and line
        config = dataclasses.replace(config, theme=load_theme(config.root, config.theme_dir, shown, report))
        if any(d.path != shown for d in report.errors):
            raise BuildFailed(report.diagnostics)
    if report.errors:
        only = report.errors[0] if len(report.errors) == 1 else None  # its place, when it has one
        raise ConfigError("; ".join(d.message for d in report.errors), path, only and only.line, only and only.col)
    return config, report.diagnostics


def _table_lines(path: Path, table: str) -> dict[str, int]:
    """Line of ``[table]`` (under "") and of each ``key =`` in it, for messages."""
    import re

    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "") == f"[{table}]"
            if inside:
                lines[""] = number
            continue
        m = re.match(r"""^["']?([^"'=\s]+)["']?\s*=""", stripped)
        if inside and m and m.group(1) not in lines:
            lines[m.group(1)] = number
    return lines


def _validate(config: Config, shown: str, report: Reporter) -> None:
    if config.base_url == DEFAULT_BASE_URL:
        report.warn(shown, f"site.base_url is not set: every URL in the feeds and books is under "
                    f"{DEFAULT_BASE_URL}; set it to the site's address", code="default-base-url")
    parts = urlsplit(config.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        report.error(shown, f"site.base_url must be an absolute http(s) URL, got {config.base_url!r}")
    if "{slug}" not in config.article_url:
        report.error(shown, "site.article_url must contain {slug}")
    else:
        try:  # the only field it may name; a literal brace is written {{ or }}
            config.article_url.format(slug="slug")
        except (IndexError, KeyError, ValueError, AttributeError) as exc:
            report.error(shown, f"site.article_url {config.article_url!r} may name only {{slug}} "
                         f"(write a literal brace as {{{{ or }}}}): {type(exc).__name__}: {exc}")
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        report.error(shown, f"site.timezone {config.timezone!r} is not an IANA time zone (e.g. Europe/Berlin)")
    if config.missing_images not in ("error", "remote"):
        report.error(shown, f"site.missing_images must be \"error\" or \"remote\", not {config.missing_images!r}")
    if config.unknown_shortcodes not in ("error", "warning"):
        report.error(shown, f"site.unknown_shortcodes must be \"error\" or \"warning\", not {config.unknown_shortcodes!r}")
    if config.shortcodes:
        from publisher.paths import inside
        from publisher.sources.shortcodes import module_name_problem

        problem = module_name_problem(config.shortcodes)
        module = config.shortcodes_path
        if problem is not None:
            report.error(shown, problem)
        elif module is None or not module.is_file():
            report.error(shown, f"site.shortcodes: no file {config.shortcodes}.py beside the config")
        elif inside(config.root, module) is None:
            report.error(shown, f"site.shortcodes: {config.shortcodes}.py leads outside the config's folder")
    if config.feed_limit < 1:
        report.error(shown, f"site.feed_limit must be at least 1, not {config.feed_limit}")
    for key, allowed in (("feed_formats", FEED_FORMATS), ("feed_groups", FEED_GROUPS),
                         ("feed_archive_formats", ARCHIVE_FORMATS)):
        values = getattr(config, key)
        wrong = [v for v in values if v not in allowed]
        if wrong or len(set(values)) != len(values):
            report.error(shown, f"site.{key} takes each of {', '.join(map(repr, allowed))} at most once, not {values!r}")
    unwritten = [f for f in config.feed_archive_formats if f in ARCHIVE_FORMATS and f not in config.feed_formats]
    if unwritten and config.feed_archives:
        report.warn(shown, f"site.feed_archive_formats names {', '.join(map(repr, unwritten))}, which "
                           "site.feed_formats does not write: no archive pages in it")
    if config.feed_preferred not in FEED_FORMATS:
        report.error(shown, f"site.feed_preferred must be one of {', '.join(map(repr, FEED_FORMATS))}, "
                            f"not {config.feed_preferred!r}")
    if config.feed_group_limit < 1:
        report.error(shown, f"site.feed_group_limit must be at least 1, not {config.feed_group_limit}")
    if config.feed_group_content not in ("summary", "full"):
        report.error(shown, f"site.feed_group_content must be \"summary\" or \"full\", not {config.feed_group_content!r}")
    if not config.feed_formats:
        report.error(shown, 'site.feed_formats must name at least one format ("rss", "atom", "json")')
    if config.hub and urlsplit(config.hub).scheme not in ("http", "https"):
        report.error(shown, f"site.hub must be an absolute http(s) URL, got {config.hub!r}")
    if not config.language.strip():
        report.error(shown, "site.language must not be empty")
    _validate_paths(config, shown, report)


def _validate_paths(config: Config, shown: str, report: Reporter) -> None:
    """The output and cache folders, and the book's name, stay where a build may write."""
    from publisher.paths import folder_problems, relative_name

    problem = relative_name(config.epub_name + ".epub")
    if problem is not None:
        report.error(shown, f"site.epub_name {config.epub_name!r} {problem}; the book is written inside the "
                     "output folder")
    conf = Path(shown).resolve()
    for problem in folder_problems("output", config.output_path, articles=config.articles_path,
                                   config_file=conf, other=config.cache_path):
        report.error(shown, f"site.output_dir: {problem}")
    if config.cache_path is not None:
        key = "cache_local_dir" if config.cache_url else "cache_dir"
        for problem in folder_problems("cache", config.cache_path, articles=config.articles_path, config_file=conf):
            report.error(shown, f"site.{key}: {problem}")
    _validate_remote(config, shown, report, conf)


def _validate_remote(config: Config, shown: str, report: Reporter, conf: Path) -> None:
    """A URL cache_dir (its file:// folder stays where a build may write) and the scheduler."""
    from publisher.paths import folder_problems

    url = config.cache_url
    if url is not None and url.lower().startswith("file://"):
        for problem in folder_problems("cache", Path(url[len("file://"):]), articles=config.articles_path,
                                       config_file=conf, other=config.output_path):
            report.error(shown, f"site.cache_dir: {problem}")
    if config.scheduler and config.scheduler != "local" and "://" not in config.scheduler:
        report.error(shown, f'site.scheduler must be "local" or a Dask scheduler address such as '
                     f'"tcp://host:8786", not {config.scheduler!r}')
