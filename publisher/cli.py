"""Command line: parse options, load config, call the library, print what happened."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from publisher import __version__, dates
from publisher.build import build as run_build
from publisher.build import NotArticles, load_articles, normalize_file, published, resolve_now
from publisher.redirects import article_redirects, redirect_files
from publisher.config import CONFIG_NAME, Config, load_config
from publisher.errors import BuildFailed, Diagnostic, PublisherError, Reporter, display_path
from publisher.feeds.check import check_feed
from publisher.incremental.cache import Cache, open_cache
from publisher.xmlutil import to_bytes

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Site config file [default: the nearest publisher.toml in this folder or one above it, "
    "else built-in defaults].",
)
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors (nothing is written).")
format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
    help="text: messages on stderr, summary on stdout; json: one JSON document on stdout; "
    "github: GitHub Actions annotations.")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
verbose_option = click.option("--verbose", "-v", is_flag=True, help="Also list every file written or removed.")


def _config(config_path: Path | None) -> tuple[Config, list[Diagnostic]]:
    return load_config(config_path)


def _print(diagnostics: list[Diagnostic], fmt: str = "text") -> None:
    for d in diagnostics:
        if fmt == "github":  # workflow commands are read from stdout
            click.echo(d.github())
        elif fmt == "text":
            click.echo(d.format(), err=True)


def _site(config: Config) -> str:
    """Which site a command used, for its summary."""
    if config.file is not None:
        return display_path(config.file)
    return f"built-in defaults (no {CONFIG_NAME}) in {display_path(config.root)}"


def _json(command: str, config: Config | None, diagnostics: list[Diagnostic], summary: dict | None) -> None:
    errors = sum(d.severity == "error" for d in diagnostics)
    click.echo(json.dumps({
        "command": command,
        "config": None if config is None or config.file is None else str(config.file),
        "site": None if config is None else str(config.root),
        "ok": summary is not None and not errors,
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [d.as_json() for d in diagnostics],
        "summary": summary,
    }, ensure_ascii=False, indent=1))


class _Progress:
    """A progress bar on stderr (click's), once a build has run for ``delay`` seconds; only on a
    terminal and never in CI (``CI`` set), so logs stay clean."""

    def __init__(self, stream: IO[str], delay: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.delay, self.clock = stream, delay, clock
        self.start = clock()
        self.bar: Any = None
        self.what = ""
        self.done = 0
        self.timer: threading.Timer | None = None

    @classmethod
    def wanted(cls, quiet: bool) -> _Progress | None:
        stream = sys.stderr
        if quiet or os.environ.get("CI") or not stream.isatty():
            return None
        return cls(stream)

    def __call__(self, what: str, done: int, of: int) -> None:
        waited = self.clock() - self.start
        if self.bar is None and waited < self.delay:
            if not of and self.timer is None:  # a long step without a count: name it once the delay is up
                self.timer = threading.Timer(self.delay - waited, self, (what, 0, 0))
                self.timer.daemon = True
                self.timer.start()
            return
        if what != self.what or self.bar is None:
            self.close()
            self.what = what
            if not of:  # a step without a count: say what it is doing
                click.echo(f"{what}...", file=self.stream)
                self.bar = False
                return
            self.bar = click.progressbar(length=of, label=what, file=self.stream, show_pos=True)
            self.bar.__enter__()
            self.done = 0
        if self.bar and done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.bar:
            self.bar.__exit__(None, None, None)
        self.bar = None


def _fail(command: str, fmt: str, config: Config | None, exc: PublisherError,
          before: list[Diagnostic]) -> NoReturn:
    """Report a failed command in ``fmt`` and exit with the error's code."""
    if fmt == "text":
        _print(before)
        raise exc
    found = [*before, *(exc.diagnostics if isinstance(exc, BuildFailed) else [exc.diagnostic()])]
    if fmt == "json":
        _json(command, config, found, None)
    else:
        _print(found, fmt)
        click.echo(exc.formatted().splitlines()[-1], err=True)
    raise SystemExit(exc.exit_code)


def _cache_warnings(cache: Cache | None) -> None:
    """What the shared cache tier could not do (it never fails a build nor joins its diagnostics,
    which a skipped build replays): on stderr, in every output format."""
    for message in cache.remote.warnings if cache is not None and cache.remote is not None else ():
        click.echo(f"warning: {message}", err=True)


@click.group()
@click.version_option(__version__, prog_name="publisher")
def cli() -> None:
    """Build syndication feeds and EPUB books from the article files in articles/."""


def _parse_now(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dates.parse(value, dt.UTC)
    except dates.DateError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@config_option
@click.option("--now", callback=_parse_now, metavar="DATETIME",
              help="Publish as of this ISO 8601 time [default: SOURCE_DATE_EPOCH if set, else the clock]. "
              "Drafts and articles dated later are left out.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder [default: site.output_dir, normally build/].")
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Processes for reading articles [default: one per core]. Outputs do not depend on it.")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update the per-article cache.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help='Normalize articles on a Dask cluster: "local" (a LocalCluster of -j workers) or a '
              'scheduler address such as tcp://host:8786 [default: site.scheduler; needs publisher[dask]]. '
              "Outputs do not depend on it.")
@strict_option
@format_option
@quiet_option
@verbose_option
def build(
    config_path: Path | None, now: dt.datetime | None, output: Path | None, workers: int | None, no_cache: bool,
    scheduler: str | None, strict: bool, fmt: str, quiet: bool, verbose: bool,
) -> None:
    """Read every article, then write feeds, the EPUB and media into the output folder."""
    config: Config | None = None
    cache: Cache | None = None
    diagnostics: list[Diagnostic] = []
    progress = _Progress.wanted(quiet) if fmt != "json" else None
    try:
        config, diagnostics = _config(config_path)
        if strict and diagnostics:
            failed, diagnostics = diagnostics, []  # reported by the exception
            raise BuildFailed(failed)
        cache = open_cache(config, enabled=not no_cache)
        result = run_build(config, output, now, cache=cache, workers=workers, strict=strict, progress=progress,
                           scheduler=scheduler)
    except PublisherError as exc:
        if progress is not None:
            progress.close()
        _cache_warnings(cache)
        _fail("build", fmt, config, exc, diagnostics)
    if progress is not None:
        progress.close()
    _cache_warnings(cache)
    everything = diagnostics + result.diagnostics
    out = display_path(output or config.output_path)
    written = set(result.written)
    unchanged = [o for o in result.outputs if o not in written]
    if fmt == "json":
        _json("build", config, everything, {
            "output": str((output or config.output_path).resolve()), "articles": result.articles,
            "drafts": result.drafts, "scheduled": result.scheduled, "normalized": result.normalized,
            "written": result.written, "unchanged": unchanged, "removed": result.removed,
        })
        return
    _print(everything, fmt)
    if quiet:
        return
    top = [o for o in result.outputs if "/" not in o]
    folders: dict[str, int] = {}
    for o in result.outputs:
        if "/" in o:
            folders[o.split("/", 1)[0]] = folders.get(o.split("/", 1)[0], 0) + 1
    listing = ", ".join(top + [f"{name}/ ({n})" for name, n in sorted(folders.items())])
    if verbose:
        for path in result.written:
            click.echo(f"wrote {out}/{path}")
        for path in result.removed:
            click.echo(f"removed {out}/{path}")
    click.echo(
        f"Built {result.articles} article(s) from {_site(config)} into {out}/: {listing}; "
        f"{len(result.written)} file(s) written, {len(unchanged)} unchanged"
        + (f", {len(result.removed)} removed" if result.removed else "")
        + "."
    )
    if verbose:
        click.echo(f"Normalized {result.normalized} article(s) from source; the others came from the cache.")
        for rel in result.assets:
            click.echo(f"not an article: {rel}, a text file without the wire shape (an asset; site.wire_glob "
                       "makes it a wire story)")
    if result.drafts or result.scheduled:
        click.echo(f"Left out: {result.drafts} draft(s), {result.scheduled} article(s) dated in the future.")


@cli.command()
@config_option
@strict_option
@format_option
@quiet_option
@verbose_option
def check(config_path: Path | None, strict: bool, fmt: str, quiet: bool, verbose: bool) -> None:
    """Check the config, every article and the feeds in the output folder, writing nothing."""
    config: Config | None = None
    try:
        config, diagnostics = _config(config_path)
    except PublisherError as exc:
        _fail("check", fmt, config, exc, [])
    report = Reporter()
    # The cache is read (an unchanged article is not parsed again) but never written.
    try:
        cache = open_cache(config, read_only=True)
    except PublisherError as exc:
        _fail("check", fmt, config, exc, [])
    not_articles = NotArticles()
    views, count = load_articles(config, report, cache, not_articles=not_articles)
    # the redirects a build would write, with its errors (one address sent to two places)
    shown, _, _ = published(views, resolve_now())
    redirect_files(config, shown, [*not_articles.redirects, *article_redirects(config, shown, report)], report)
    _cache_warnings(cache)
    written = sorted(config.output_path.rglob("*.xml")) if config.output_path.is_dir() else []
    for path in written:  # the feeds of the last build, checked as the W3C validator would
        rel = path.relative_to(config.output_path).as_posix()
        for d in check_feed(path.read_bytes(), display_path(path), self_url=config.url(rel)):
            report.add(d)
    everything = diagnostics + report.diagnostics
    errors = sum(d.severity == "error" for d in everything)
    warnings = len(everything) - errors
    failed = bool(errors or (strict and warnings))
    if fmt == "json":
        _json("check", config, everything, {"sources": count, "feeds": len(written), "failed": failed})
    else:
        _print(everything, fmt)
        if verbose:
            for path in written:
                click.echo(f"checked {display_path(path)}")
        if not quiet:
            click.echo(f"Checked {count} source(s) and {len(written)} feed(s) of {_site(config)}: "
                       f"{errors} error(s), {warnings} warning(s).")
    if failed:
        raise SystemExit(1)


@cli.command()
@config_option
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def normalize(config_path: Path | None, path: Path) -> None:
    """Print the normalized article XML of one source file."""
    config, diagnostics = _config(config_path)
    report = Reporter()
    root = normalize_file(path, config, report)
    _print(diagnostics + report.diagnostics)
    click.echo(to_bytes(root).decode("utf-8"), nl=False)


# --- publisher init / publisher new (publisher/scaffold/) ------------------------------------


def _parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path), default=".")
def init(folder: Path) -> None:
    """Start a new site in FOLDER (default: this folder): a commented publisher.toml, an example
    article, .gitignore and a GitHub Actions workflow. Never overwrites a file."""
    from publisher.scaffold import init_site

    for path in init_site(folder):
        click.echo(f"wrote {display_path(path)}")
    click.echo(f"Set base_url in {display_path(folder / CONFIG_NAME)}, then run `publisher build`.")


@cli.command()
@config_option
@click.argument("headline")
@click.option("--author", "-a", "authors", multiple=True, help="Byline; give it once per author, in order.")
@click.option("--tag", "-t", "tags", multiple=True, help="A tag; give it once per tag.")
@click.option("--date", "day", callback=_parse_day, metavar="YYYY-MM-DD",
              help="Publication date [default: today in the site's time zone].")
@click.option("--format", "fmt", type=click.Choice(["md", "txt"]), default="md",
              help="md: Markdown with front matter; txt: the plain-text wire format.")
@click.option("--draft", is_flag=True, help="Mark it as a draft (left out of every output until unmarked).")
def new(config_path: Path | None, headline: str, authors: tuple[str, ...], tags: tuple[str, ...],
        day: dt.date | None, fmt: str, draft: bool) -> None:
    """Write a new article HEADLINE into articles/ (named YYYY-MM-DD-slug, or as the site's
    articles are laid out) and print its path. Never overwrites a file."""
    from publisher.scaffold.article import new_article

    config, diagnostics = _config(config_path)
    if config.file is None:
        raise PublisherError(f"no {CONFIG_NAME} in this folder or any above it: run `publisher init` first, "
                             "or give --config")
    _print([d for d in diagnostics if d.code != "default-base-url"])  # not the article's business
    path = new_article(config, headline, list(authors), list(tags), day, fmt, draft)
    click.echo(display_path(path))


@cli.command("import")
@config_option
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write the articles into [default: the site's articles folder].")
@click.option("--body", "body_format", type=click.Choice(["md", "html"]), default="md",
              help="md: Markdown where the conversion loses nothing, else the HTML kept; html: always the HTML.")
@click.option("--dry-run", is_flag=True, help="Report what would be imported; write nothing.")
@format_option
@quiet_option
def import_(config_path: Path | None, source: Path, into: Path | None, body_format: str, dry_run: bool,
            fmt: str, quiet: bool) -> None:
    """Import an RSS 2.0, Atom 1.0 or JSON Feed file or a WordPress export (WXR) as Markdown articles."""
    from publisher import importers  # only this command needs the importers (and markdownify)

    config: Config | None = None
    diagnostics: list[Diagnostic] = []
    report = Reporter()
    try:
        config, diagnostics = _config(config_path)
        target = into if into is not None else config.articles_path
        result = importers.run(source, target, report, body_format=body_format, dry_run=dry_run)
    except PublisherError as exc:
        _fail("import", fmt, config, exc, diagnostics + report.diagnostics)
    everything = diagnostics + report.diagnostics
    shown = display_path(target)
    if fmt == "json":
        _json("import", config, everything, {
            "source": str(source), "format": result.kind, "into": str(target.resolve()), "dry_run": dry_run,
            "imported": [{"path": f"{shown}/{i.path}", "title": i.entry.title, "id": i.entry.uri,
                          "line": i.entry.line, "body": i.body} for i in result.imported],
            "not_imported": [{"item": e.number, "line": e.line, "title": e.title, "id": e.uri, "reason": e.skip}
                             for e in result.skipped],
        })
        return
    _print(everything, fmt)
    if quiet:
        return
    verb = "would import" if dry_run else "imported"
    for item in result.imported:
        click.echo(f"{verb} {shown}/{item.path} ({item.body}): {item.entry.title}")
    click.echo(f"{'Would import' if dry_run else 'Imported'} {len(result.imported)} of "
               f"{len(result.imported) + len(result.skipped)} item(s) of {display_path(source)} ({result.kind}) "
               f"into {shown}/; {len(result.skipped)} not imported"
               + (" (each said above, with its line)" if result.skipped else "") + ".")


@cli.command()
@config_option
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Build into this folder (kept) [default: a temporary folder, removed on exit].")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0: any free port (the address is printed).")
@click.option("--bind", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this machine can connect unless you give another.")
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Processes for the first build [default: one per core]; rebuilds use one.")
def serve(config_path: Path | None, output: Path | None, port: int, bind: str, workers: int | None) -> None:
    """Preview the site: build, serve it on 127.0.0.1, rebuild and reload pages on every change.

    Every article has a page (drafts and scheduled ones too, marked; they never reach the feeds
    or books) with its problems; the feeds and books of the build are served beside them.
    """
    from publisher.preview.server import serve as run_serve

    config, diagnostics = _config(config_path)
    _print(diagnostics)
    run_serve(config, config_path or config.file, output=output, bind=bind, port=port, workers=workers,
              say=click.echo, warn=lambda text: click.echo(text, err=True))


def main() -> None:
    # A build makes hundreds of thousands of small objects that live until it ends; the
    # collector's default thresholds scan them over and over (about 15 % of a rebuild's time).
    # Reference cycles are still collected, just less often.
    gc.set_threshold(100_000, 50, 1000)
    try:
        cli(prog_name="publisher")
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            # Every file is closed and every worker pool shut down by now: exit without
            # freeing a big build's million objects one by one (0.1 s of a 1.6 s rebuild).
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(done.code or 0)
        raise
