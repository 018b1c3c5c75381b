"""The W3C Feed Validation Service's own code (../shared/clients), run on feed files for tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SHARED

W3C_CLIENT = SHARED / "clients" / "w3c_feedcheck.py"
_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<kind>error|warning): "
                   r"(?P<message>.*) \[(?P<name>\w+)\]$")


@dataclass(frozen=True)
class W3CFinding:
    """One error or warning of the W3C validator (first occurrence of its message in a feed)."""

    path: str
    line: int
    column: int
    kind: str  # "error" | "warning"
    message: str
    name: str  # the validator's class name: NotHtml, InvalidUriChar, ...

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.kind}: {self.message} [{self.name}]"


def require_w3c() -> None:
    """Skip the calling test, with the reason, when the W3C client is not beside the repository."""
    if not W3C_CLIENT.is_file():
        pytest.skip(f"the W3C Feed Validation Service's code is absent ({W3C_CLIENT} not found)")


def _run(paths: list[Path]) -> list[W3CFinding]:
    # A subprocess: the client disables sockets for its whole process, which a test session
    # must not inherit. One process per chunk of feeds: the validator's import costs ~0.3 s.
    proc = subprocess.run([sys.executable, str(W3C_CLIENT), *map(str, paths)],
                          capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"w3c_feedcheck.py exited {proc.returncode}: {proc.stderr.strip()}")
    found = []
    for line in proc.stdout.splitlines():
        m = _LINE.match(line)
        if m:
            found.append(W3CFinding(m["path"], int(m["line"]), int(m["col"]), m["kind"],
                                    m["message"], m["name"]))
        elif not line.startswith("w3c_feedcheck: "):
            raise RuntimeError(f"unexpected line from w3c_feedcheck.py: {line!r}")
    return found


def w3c_check(paths: list[Path], *, jobs: int | None = None) -> list[W3CFinding]:
    """Every error and warning the W3C validator reports on ``paths`` (RSS or Atom files), in
    the order of ``paths``; the files are shared among ``jobs`` processes (default: the CPUs)."""
    require_w3c()
    paths = list(paths)
    if not paths:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    chunks = [paths[i::jobs] for i in range(jobs)]
    with ThreadPoolExecutor(jobs) as pool:
        found = [f for part in pool.map(_run, chunks) for f in part]
    order = {str(p): n for n, p in enumerate(paths)}
    return sorted(found, key=lambda f: order[f.path])


def feed_files(folder: Path) -> list[Path]:
    """Every RSS and Atom document under a build folder, sorted (archives and groups included)."""
    return sorted(p for p in folder.rglob("*.xml") if p.name != "feeds.opml")
