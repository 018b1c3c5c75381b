"""The one error root, diagnostics with a place, and named exit codes."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import click


class ExitCode(IntEnum):
    OK = 0
    SOURCE_ERROR = 1  # an article source or the config is wrong: fix the input
    USAGE = 2  # click's own code for bad options
    OUTPUT_ERROR = 3  # outputs could not be written or failed their own checks


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in an input, with where it is."""

    path: str
    line: int | None
    col: int | None
    severity: str  # "error" | "warning"
    message: str

    def format(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.severity}: {self.message}"


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        shown = str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = str(p)
    # bytes of a name that are not UTF-8 (held as surrogates) as \xNN: printable, and unambiguous
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class PublisherError(click.ClickException):
    """A problem the user can fix; printed as ``path:line:col: error: message``."""

    exit_code = ExitCode.SOURCE_ERROR

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        col: int | None = None,
    ) -> None:
        self.path = display_path(path) if path is not None else None
        self.line = line
        self.col = col
        self.plain_message = message
        super().__init__(self.formatted())

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.path or "-", self.line, self.col, "error", self.plain_message)

    def formatted(self) -> str:
        if self.path is None:
            return f"error: {self.plain_message}"
        return self.diagnostic().format()

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(self.formatted(), file=file or sys.stderr)


class SourceError(PublisherError):
    """An article source cannot be read as written."""


class ConfigError(PublisherError):
    """The site config is invalid."""


class BuildFailed(PublisherError):
    """Several problems were found; each has been reported already."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__(f"{len(errors)} error(s); nothing was written")

    def formatted(self) -> str:
        lines = [d.format() for d in self.diagnostics]
        lines.append(f"error: {self.plain_message}")
        return "\n".join(lines)


class OutputError(PublisherError):
    """An output could not be produced or failed its own validation."""

    exit_code = ExitCode.OUTPUT_ERROR


class Reporter:
    """Collects warnings and errors so that all of them are shown, not just the first."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def warn(self, path: Path | str, message: str, line: int | None = None, col: int | None = None) -> None:
        self.diagnostics.append(Diagnostic(display_path(path), line, col, "warning", message))

    def error(self, path: Path | str, message: str, line: int | None = None, col: int | None = None) -> None:
        self.diagnostics.append(Diagnostic(display_path(path), line, col, "error", message))

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]
