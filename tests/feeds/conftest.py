"""Fixtures of the feed tests: the Rust blog corpus built once, and its feeds validated once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from publisher.build import build
from tests.conftest import CORPUS, corpus_config, site_config, write
from tests.validators import W3CFinding, feed_files, require_w3c, w3c_check

# Feeds only: one small book keeps the build short (the books have their own EPUBCheck tests).
# Archive pages in both formats, so that the validators read RSS archives too.
CORPUS_FEEDS_CONFIG = corpus_config("""feed_archive_formats = ["rss", "atom"]
[[editions]]
kind = "latest"
n = 1
""")


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Rust blog corpus built once (feeds, one tiny book); the site's root folder."""
    if not CORPUS.is_dir():
        pytest.skip(f"the Rust blog corpus is absent ({CORPUS} not found)")
    root = tmp_path_factory.mktemp("corpus-feeds")
    write(root / "publisher.toml", CORPUS_FEEDS_CONFIG)
    build(site_config(root))
    return root


@pytest.fixture(scope="session")
def corpus_w3c(corpus_site: Path) -> tuple[Path, list[W3CFinding]]:
    """The corpus's build folder and what the W3C code reports on every feed in it."""
    require_w3c()
    out = corpus_site / "build"
    paths = feed_files(out)
    start = time.perf_counter()
    found = w3c_check(paths)
    print(f"W3C validator: {len(paths)} corpus feeds in {time.perf_counter() - start:.1f} s")
    return out, found
