"""Typed site config: publisher.toml in, a checked Config out; every key declared once with its
type, default and meaning (the ``[[editions]]`` tables in editions.py)."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.config.editions import EditionSpec, parse_editions
from publisher.errors import ConfigError, Diagnostic, Reporter, did_you_mean, display_path

CONFIG_NAME = "publisher.toml"
FEED_FORMATS = ("rss", "atom", "json")
FEED_GROUPS = ("tags", "authors")


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
    #: Write RFC 5005 archive pages (RSS and Atom) holding every article older than the newest
    #: feed_limit; false: the feeds carry the newest feed_limit articles and nothing more.
    feed_archives: bool = True
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
    #: Books to make (``[[editions]]`` tables); none means one archive edition of every article.
    editions: tuple[EditionSpec, ...] = ()
    #: Author bios by name (``[authors."Name"] bio = "..."``); a source's own bio wins.
    authors: dict[str, AuthorInfo] = field(default_factory=dict)
    #: Folder the config was loaded from; paths above are relative to it. Left out of repr()
    #: (what caches key on): the same site at another path reuses its cache.
    root: Path = field(default_factory=Path.cwd, repr=False)
    #: The config file read, or None when no publisher.toml was found (built-in defaults).
    file: Path | None = field(default=None, repr=False)

    @functools.cached_property
    def articles_path(self) -> Path:
        return (self.root / self.articles_dir).resolve()

    @property
    def output_path(self) -> Path:
        return (self.root / self.output_dir).resolve()

    @property
    def cache_path(self) -> Path | None:
        return (self.root / self.cache_dir).resolve() if self.cache_dir else None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def site_url(self) -> str:
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"

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
                "missing_images", "exclude", "articles_dir")
        parts = [f"{k}={getattr(self, k)}" for k in keys]  # not root: the cache moves with the site
        parts += [f"author:{a.name}={a.bio}" for a in sorted(self.authors.values(), key=lambda a: a.name)]
        return "\n".join(parts)


_SITE_KEYS = {f.name for f in fields(Config)} - {"authors", "root", "editions", "file"}
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
    for key in sorted(set(data) - {"site", "authors", "editions"}):
        report.warn(shown, f"unknown table or key [{key}] ignored; known: [site], [authors], [[editions]]"
                    + did_you_mean(key, ("site", "authors", "editions")), code="unknown-key")
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

    config = Config(**values)
    _validate(config, shown, report)
    if report.errors:
        raise ConfigError("; ".join(d.message for d in report.errors), path)
    return config, report.diagnostics


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
    if config.feed_limit < 1:
        report.error(shown, f"site.feed_limit must be at least 1, not {config.feed_limit}")
    for key, allowed in (("feed_formats", FEED_FORMATS), ("feed_groups", FEED_GROUPS)):
        values = getattr(config, key)
        wrong = [v for v in values if v not in allowed]
        if wrong or len(set(values)) != len(values):
            report.error(shown, f"site.{key} takes each of {', '.join(map(repr, allowed))} at most once, not {values!r}")
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
        for problem in folder_problems("cache", config.cache_path, articles=config.articles_path, config_file=conf):
            report.error(shown, f"site.cache_dir: {problem}")
