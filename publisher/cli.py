"""Command line: parse options, load config, call the library, print what happened."""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from pathlib import Path

import click

from publisher import __version__, dates
from publisher.build import build as run_build
from publisher.build import load_articles, normalize_file
from publisher.config import Config, load_config
from publisher.errors import Diagnostic, Reporter, display_path
from publisher.feeds.check import check_feed
from publisher.incremental.cache import Cache
from publisher.xmlutil import to_bytes

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Site config file [default: ./publisher.toml if present, else built-in defaults].",
)


def _config(config_path: Path | None) -> tuple[Config, list[Diagnostic]]:
    return load_config(config_path)


def _print(diagnostics: list[Diagnostic], fmt: str = "text") -> None:
    for d in diagnostics:
        if fmt == "github":
            kind = "error" if d.severity == "error" else "warning"
            where = f"file={d.path}" + (f",line={d.line}" if d.line else "") + (f",col={d.col}" if d.col else "")
            click.echo(f"::{kind} {where}::{d.message}", err=True)
        else:
            click.echo(d.format(), err=True)


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
def build(
    config_path: Path | None, now: dt.datetime | None, output: Path | None, workers: int | None, no_cache: bool
) -> None:
    """Read every article, then write feeds, the EPUB and media into the output folder."""
    config, diagnostics = _config(config_path)
    _print(diagnostics)
    cache = Cache(None if no_cache else config.cache_path)
    result = run_build(config, output, now, cache=cache, workers=workers)
    _print(result.diagnostics)
    out = display_path(output or config.output_path)
    top = [o for o in result.outputs if "/" not in o]
    folders: dict[str, int] = {}
    for o in result.outputs:
        if "/" in o:
            folders[o.split("/", 1)[0]] = folders.get(o.split("/", 1)[0], 0) + 1
    listing = ", ".join(top + [f"{name}/ ({n})" for name, n in sorted(folders.items())])
    unchanged = len(result.outputs) - len(result.written)
    click.echo(
        f"Built {result.articles} article(s) into {out}/: {listing}; "
        f"{len(result.written)} file(s) written, {unchanged} unchanged"
        + (f", {len(result.removed)} removed" if result.removed else "")
        + "."
    )
    if result.drafts or result.scheduled:
        click.echo(f"Left out: {result.drafts} draft(s), {result.scheduled} article(s) dated in the future.")


@cli.command()
@config_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text",
              help="github prints GitHub Actions annotations.")
def check(config_path: Path | None, strict: bool, fmt: str) -> None:
    """Check the config, every article and the feeds in the output folder, writing nothing."""
    config, diagnostics = _config(config_path)
    report = Reporter()
    _, count = load_articles(config, report, Cache(config.cache_path))
    written = sorted(config.output_path.rglob("*.xml")) if config.output_path.is_dir() else []
    for path in written:  # the feeds of the last build, checked as the W3C validator would
        rel = path.relative_to(config.output_path).as_posix()
        for d in check_feed(path.read_bytes(), display_path(path), self_url=config.url(rel)):
            report.add(d)
    everything = diagnostics + report.diagnostics
    _print(everything, fmt)
    errors = sum(d.severity == "error" for d in everything)
    warnings = len(everything) - errors
    click.echo(
        f"Checked {count} source(s) and {len(written)} feed(s): {errors} error(s), {warnings} warning(s)."
    )
    if errors or (strict and warnings):
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
