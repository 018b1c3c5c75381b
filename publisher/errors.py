"""The one error root, diagnostics with a place, and named exit codes."""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import click

from publisher.paths import RealPaths


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
    code: str = ""  # a stable name for the kind of problem (see :meth:`kind`)

    def format(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.severity}: {self.message}"

    def kind(self) -> str:
        """The code, or for a diagnostic raised without one, ``error``/``warning`` by severity."""
        return self.code or self.severity

    def as_json(self) -> dict:
        return {"path": self.path, "line": self.line, "column": self.col, "severity": self.severity,
                "code": self.kind(), "message": self.message}

    def github(self) -> str:
        """A GitHub Actions workflow command (``::error file=...::message``), escaped as the
        runner unescapes it: a file name or message with a newline, ``%``, ``,`` or ``:`` cannot
        end the command early or forge another annotation."""
        props = [f"file={_gh_property(self.path)}"]
        if self.line is not None:
            props.append(f"line={self.line}")
            if self.col is not None:
                props.append(f"col={self.col}")
        props.append(f"title={_gh_property(self.kind())}")
        kind = "error" if self.severity == "error" else "warning"
        return f"::{kind} {','.join(props)}::{_gh_data(self.message)}"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` for the known word closest to a misspelled one, else ``""``."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        shown = str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = str(p)
    return _printable(shown)


def _printable(shown: str) -> str:
    # bytes of a name that are not UTF-8 (held as surrogates) as \xNN: printable, and unambiguous
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class PathDisplay:
    """:func:`display_path` for the many messages of one build, most of them about a few hundred
    files in a few folders (a rebuild shows every cached warning again: 6,000 on the Rust blog).
    Each path is shown once, each folder resolved once, each file checked for a link once: the
    same text as :func:`display_path`, without resolving every component of every path again.
    For use while the working folder and the files' folders stay as they are (one build)."""

    def __init__(self) -> None:
        cwd = os.path.realpath(os.getcwd())
        self._prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
        self._real = RealPaths()
        self._shown: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = self._show(path)
        return shown

    def _show(self, path: str) -> str:
        # the plain case: an absolute path inside the working folder; anything else is shown
        # by display_path itself
        real = self._real(path) if os.path.isabs(path) else ""
        if not real.startswith(self._prefix):
            return display_path(path)
        return _printable(real[len(self._prefix):])


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
        if errors:
            super().__init__(f"{len(errors)} error(s); nothing was written")
        else:
            super().__init__(f"{len(diagnostics)} warning(s), errors with --strict; nothing was written")

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

    def warn(self, path: Path | str, message: str, line: int | None = None, col: int | None = None,
             code: str = "") -> None:
        self.diagnostics.append(Diagnostic(display_path(path), line, col, "warning", message, code))

    def error(self, path: Path | str, message: str, line: int | None = None, col: int | None = None,
              code: str = "") -> None:
        self.diagnostics.append(Diagnostic(display_path(path), line, col, "error", message, code))

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]
