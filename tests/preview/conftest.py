"""A `publisher serve` run in a subprocess on a free port, on a copy of the bundled site with a
draft and a scheduled article added; the helpers the preview tests share."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_site, write

STARTUP = 120.0  # seconds for the first build and the address line, on a loaded machine
CHANGE = 30.0  # seconds an edit may take to show in the served page

DRAFT = """---
title: "Harbour Master Resigns (embargoed)"
date: 2026-11-25T09:00:00
draft: true
---

The draft body names the harbour master.
"""

SCHEDULED = """---
title: "Tall Ships Arrive Next Summer"
date: 2099-06-01T09:00:00
---

A story for the future.
"""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Served:
    """One running ``publisher serve``: its process, address and output folder."""

    proc: subprocess.Popen
    site: Path
    token: str  # in the environment of the server and every process it starts
    host: str = ""
    port: int = 0
    out: Path = Path()
    lines: queue.Queue = field(default_factory=queue.Queue)
    stdout: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def get(self, path: str, method: str = "GET") -> Response:
        """The answer to ``path`` sent as written (no normalization of ``..`` by a client)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path)
            answer = conn.getresponse()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
        finally:
            conn.close()

    def until(self, path: str, test: Callable[[Response], bool], seconds: float = CHANGE) -> tuple[Response, float]:
        """Poll ``path`` until ``test`` holds; the response and the seconds it took."""
        start = time.monotonic()
        while True:
            got = self.get(path)
            if test(got):
                return got, time.monotonic() - start
            if time.monotonic() - start > seconds:
                raise AssertionError(f"{path} did not change within {seconds} s; last: {got.status} "
                                     f"{got.text[:2000]}\nserver said: {self.output()}")
            time.sleep(0.1)

    def said(self, text: str, seconds: float = CHANGE) -> bool:
        """Has the server printed ``text`` (waiting up to ``seconds``: it prints after serving)?"""
        deadline = time.monotonic() + seconds
        while text not in self.output():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def output(self) -> str:
        while not self.lines.empty():
            line = self.lines.get_nowait()
            if line is not None:
                self.stdout.append(line)
        return "".join(self.stdout)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the server did not stop within 60 s of SIGTERM") from None
        finally:
            if self.reader is not None:
                self.reader.join(timeout=10)
            self.proc.stdout.close()


def processes_with(token: str) -> list[int]:
    """Processes whose environment holds ``token``: the server and anything it started."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if token.encode() in fh.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def start(site: Path, *args: str) -> Served:
    token = f"PUBLISHER_SERVE_TEST={uuid.uuid4().hex}"
    env = {**os.environ, token.split("=")[0]: token.split("=")[1], "PYTHONUNBUFFERED": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "publisher", "serve", "--port", "0", *args], cwd=site, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )
    served = Served(proc, site, token)

    def read() -> None:
        for line in proc.stdout:
            served.lines.put(line)
        served.lines.put(None)

    served.reader = threading.Thread(target=read, daemon=True)
    served.reader.start()
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        try:
            line = served.lines.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            raise AssertionError("the server ended before serving:\n" + "".join(served.stdout))
        served.stdout.append(line)
        found = re.search(r"at http://([0-9.]+):(\d+)/ \(built into (.+)\);", line)
        if found:
            served.host, served.port, served.out = found[1], int(found[2]), Path(found[3])
            return served
    proc.kill()
    raise AssertionError("no address printed within the time:\n" + "".join(served.stdout))


def preview_site(root: Path) -> Path:
    """The bundled site with a draft and a scheduled article."""
    site = copy_site(root)
    write(site / "articles" / "2026-11-25-harbour-master.md", DRAFT)
    write(site / "articles" / "2099-06-01-tall-ships.md", SCHEDULED)
    return site


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[Served]:
    """A server of its own for a test that edits the site."""
    served = start(preview_site(tmp_path / "site"))
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the tests that only read."""
    served = start(preview_site(tmp_path_factory.mktemp("preview") / "site"))
    try:
        yield served
    finally:
        served.stop()


__all__ = ["REPO", "Served", "Response", "start", "processes_with", "preview_site"]
