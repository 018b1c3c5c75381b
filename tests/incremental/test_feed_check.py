"""A feed's check findings are kept for the very bytes checked: a CI run that writes every feed
into a fresh output folder does not check them all again, and other bytes are always checked."""

from __future__ import annotations

import shutil
from pathlib import Path

from publisher import build as build_module
from publisher.build import build
from publisher.incremental import feeds
from publisher.incremental.cache import Cache
from tests.conftest import copy_small_site, site_config

BROKEN = b"<rss version='2.0'><channel><title>x</title></channel>"  # not well-formed: no </rss>


def _counting(monkeypatch, module=feeds) -> list[bytes]:
    seen: list[bytes] = []
    real = module.check_feed

    def check(data, path, *, self_url=None):
        seen.append(data)
        return real(data, path, self_url=self_url)

    monkeypatch.setattr(module, "check_feed", check)
    return seen


def test_findings_are_kept_for_the_same_bytes_only(tmp_path: Path, monkeypatch):
    seen = _counting(monkeypatch)
    cache = Cache(tmp_path / "cache")
    first = feeds.checked_feed(cache, "rss.xml", "k" * 64, BROKEN, "build/rss.xml", "https://x.example/rss.xml")
    assert first and first[0].severity == "error" and first[0].path == "build/rss.xml" and first[0].line == 1
    again = feeds.checked_feed(Cache(tmp_path / "cache"), "rss.xml", "k" * 64, BROKEN, "elsewhere/build/rss.xml",
                               "https://x.example/rss.xml")
    assert len(seen) == 1  # not checked again ...
    assert [(d.line, d.col, d.message) for d in again] == [(d.line, d.col, d.message) for d in first]
    assert all(d.path == "elsewhere/build/rss.xml" for d in again)  # ... and named where it is now
    feeds.checked_feed(cache, "rss.xml", "k" * 64, BROKEN + b" ", "build/rss.xml", "https://x.example/rss.xml")
    assert len(seen) == 2  # other bytes under the same key: checked
    feeds.checked_feed(cache, "rss.xml", "k" * 64, BROKEN, "build/rss.xml", "https://y.example/rss.xml")
    assert len(seen) == 3  # another self URL: checked
    feeds.checked_feed(cache, "rss.xml", "", BROKEN, "build/rss.xml", "https://x.example/rss.xml")
    feeds.checked_feed(Cache(None), "rss.xml", "k" * 64, BROKEN, "build/rss.xml", "https://x.example/rss.xml")
    assert len(seen) == 5  # no key, or no cache: always checked


def test_a_damaged_findings_file_is_checked_again(tmp_path: Path, monkeypatch):
    seen = _counting(monkeypatch)
    cache = Cache(tmp_path / "cache")
    feeds.checked_feed(cache, "rss.xml", "k" * 64, BROKEN, "build/rss.xml", "u")
    for blob in (tmp_path / "cache").rglob("b*"):
        if blob.is_file():
            blob.write_bytes(blob.read_bytes()[:-3] + b"xyz")
    found = feeds.checked_feed(Cache(tmp_path / "cache"), "rss.xml", "k" * 64, BROKEN, "build/rss.xml", "u")
    assert len(seen) == 2 and found and found[0].severity == "error"


def test_ci_clone_does_not_check_its_unchanged_feeds_again(tmp_path: Path, monkeypatch):
    site = copy_small_site(tmp_path / "site")
    build(site_config(site))
    # a rebuild in place that leaves every feed as it is (a file no article uses was added):
    # their findings stay in the cache all the same
    (site / "articles" / "images" / "spare.png").write_bytes(b"not used")
    seen = _counting(monkeypatch, build_module)
    again = build(site_config(site))
    assert seen == [] and not any(p.endswith(".xml") for p in again.written)
    clone = tmp_path / "elsewhere" / "clone"
    shutil.copytree(site, clone, ignore=shutil.ignore_patterns("build"))
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("build", ".publisher-cache"))
    cached = build(site_config(clone), cache=Cache(site_config(clone).cache_path))
    assert seen == []  # every feed written anew, none checked anew
    assert any(p.endswith(".xml") for p in cached.written)
    made = build(site_config(fresh), cache=Cache(None))
    assert seen  # without a cache each is checked
    assert [(d.line, d.message) for d in cached.diagnostics] == [(d.line, d.message) for d in made.diagnostics]
