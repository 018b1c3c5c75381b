"""Typed site config: every key declared once with its type, default and meaning."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.config.editions import EditionSpec, parse_editions
from publisher.errors import ConfigError, Diagnostic, Reporter, display_path

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
    #: Feed families besides the site's own: "tags" (one per tag), "authors" (one per author).
    feed_groups: list[str] = field(default_factory=lambda: ["tags", "authors"])
    #: Write RFC 5005 archive pages (RSS and Atom) holding every article older than the newest
    #: feed_limit; false: the feeds carry the newest feed_limit articles and nothing more.
    feed_archives: bool = True
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
    #: Folder the config was loaded from; paths above are relative to it.
    root: Path = field(default_factory=Path.cwd)

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

    def url(self, relative: str) -> str:
        return self.site_url + relative.lstrip("/")

    @functools.cached_property
    def fingerprint(self) -> str:
        """Settings that change the per-article stage, as a stable string (for caching)."""
        keys = ("base_url", "article_url", "language", "timezone", "author", "date_from_path",
                "missing_images", "exclude", "articles_dir")
        parts = [f"{k}={getattr(self, k)}" for k in keys] + [f"root={self.root}"]
        parts += [f"author:{a.name}={a.bio}" for a in sorted(self.authors.values(), key=lambda a: a.name)]
        return "\n".join(parts)


_SITE_KEYS = {f.name for f in fields(Config)} - {"authors", "root", "editions"}


def load_config(path: Path | None = None, *, root: Path | None = None) -> tuple[Config, list[Diagnostic]]:
    """Load ``publisher.toml`` (or ``path``); a missing default file means all defaults.

    All problems are collected; if any is an error, ConfigError lists them all.
    """
    report = Reporter()
    if path is None:
        base = root or Path.cwd()
        candidate = base / CONFIG_NAME
        if not candidate.exists():
            return Config(root=base.resolve()), []
        path = candidate
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
    values: dict[str, Any] = {"root": path.parent.resolve()}
    for key in sorted(set(data) - {"site", "authors", "editions"}):
        report.warn(shown, f"unknown table or key [{key}] ignored; known: [site], [authors], [[editions]]")
    site = data.get("site", {})
    if not isinstance(site, dict):
        report.error(shown, "[site] must be a table")
        site = {}
    defaults = Config()
    for key, value in site.items():
        if key not in _SITE_KEYS:
            report.warn(shown, f"unknown key site.{key} ignored")
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
            report.warn(shown, f'unknown key authors."{name}".{key} ignored')
        authors[name] = AuthorInfo(name=name, bio=info.get("bio", ""))
    values["authors"] = authors
    values["editions"] = parse_editions(data.get("editions"), shown, report)

    config = Config(**values)
    _validate(config, shown, report)
    if report.errors:
        raise ConfigError("; ".join(d.message for d in report.errors), path)
    return config, report.diagnostics


def _validate(config: Config, shown: str, report: Reporter) -> None:
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
    if not config.feed_formats:
        report.error(shown, 'site.feed_formats must name at least one format ("rss", "atom", "json")')
    if config.hub and urlsplit(config.hub).scheme not in ("http", "https"):
        report.error(shown, f"site.hub must be an absolute http(s) URL, got {config.hub!r}")
    if not config.language.strip():
        report.error(shown, "site.language must not be empty")
