"""The cache's shared tier through fsspec (memory:// and file://): the bytes of a local cache,
shared between runners, and never trusted when damaged."""

from __future__ import annotations

import shutil
import sys
import uuid
from pathlib import Path

import pytest

from publisher.build import build
from publisher.errors import ConfigError
from publisher.incremental.cache import open_cache
from tests.conftest import copy_small_site as copy_site
from tests.conftest import site_config
from tests.test_build import snapshot



fsspec = pytest.importorskip("fsspec", reason="the remote extra (fsspec) is not installed")

EDITED = "2026-11-20-cafe-kultur.md"
N = 7  # sources of the bundled site


def _site(dest: Path, cache_dir: str | None = None) -> Path:
    site = copy_site(dest)
    if cache_dir is not None:
        toml = site / "publisher.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("[site]", f'[site]\ncache_dir = "{cache_dir}"', 1),
                        encoding="utf-8")
    return site


def _edit(site: Path) -> None:
    path = site / "articles" / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace("best cardamom", "finest cardamom"), encoding="utf-8")


def _two_builds(site: Path) -> tuple[dict[str, bytes], dict[str, bytes], list]:
    """Build, edit one article, build again: both outputs, and each build's cache."""
    caches = [open_cache(site_config(site))]
    build(site_config(site), cache=caches[0])
    first = snapshot(site / "build")
    _edit(site)
    caches.append(open_cache(site_config(site)))
    build(site_config(site), cache=caches[1])
    return first, snapshot(site / "build"), caches


def _memory_url() -> str:
    return f"memory://publisher-test-{uuid.uuid4().hex}/cache"


def _entries(url: str) -> list[str]:
    fs, root = fsspec.core.url_to_fs(url)
    return sorted(p for p in fs.find(root) if "/entries/" in p)


def test_memory_and_file_caches_give_the_bytes_of_a_local_folder_cache(tmp_path: Path):
    local = _two_builds(_site(tmp_path / "local"))
    memory_url = _memory_url()
    memory = _two_builds(_site(tmp_path / "memory", memory_url))
    file_url = f"file://{tmp_path / 'bucket'}"
    on_file = _two_builds(_site(tmp_path / "file", file_url))
    assert local[0] != local[1]  # the edit shows
    for other in (memory, on_file):
        assert other[0] == local[0] and other[1] == local[1]
        first, second = other[2]
        assert first.normalized == N and first.remote.puts == N and first.remote.hits == 0
        assert second.normalized == 1 and second.remote.puts == 1  # the rest from the local tier
        assert first.remote.warnings == second.remote.warnings == []
    # The shared tier holds entries only, each once per version of an article (none deleted)
    assert len(_entries(memory_url)) == len(_entries(file_url)) == N + 1
    assert sorted(p.name for p in (tmp_path / "bucket").iterdir()) == ["entries"]
    assert not list((tmp_path / "bucket").rglob(".tmp-*"))
    # The machine's own tier is the local folder as always: catalog, state, feeds and books
    assert (tmp_path / "memory" / ".publisher-cache" / "catalog").is_dir()
    assert (tmp_path / "memory" / ".publisher-cache" / "state").is_dir()


def test_a_fresh_runner_takes_every_article_from_the_shared_tier(tmp_path: Path):
    url = _memory_url()
    first = _site(tmp_path / "runner-1", url)
    build(site_config(first), cache=open_cache(site_config(first)))
    second = _site(tmp_path / "runner-2" / "elsewhere", url)  # another checkout, no local cache
    cache = open_cache(site_config(second))
    build(site_config(second), cache=cache)
    assert cache.normalized == 0 and cache.remote.hits == N and cache.remote.puts == 0
    assert snapshot(second / "build") == snapshot(first / "build")


def test_a_damaged_shared_entry_is_a_miss_with_a_warning_and_is_rewritten(tmp_path: Path):
    url = _memory_url()
    first = _site(tmp_path / "one", url)
    build(site_config(first), cache=open_cache(site_config(first)))
    fs, _ = fsspec.core.url_to_fs(url)
    entries = _entries(url)
    damaged, truncated = entries[0], entries[1]
    fs.pipe_file(damaged, fs.cat_file(damaged).replace(b"<", b">", 1))
    fs.pipe_file(truncated, fs.cat_file(truncated)[:-10])
    second = _site(tmp_path / "two", url)
    cache = open_cache(site_config(second))
    build(site_config(second), cache=cache)
    assert cache.normalized == 2 and cache.remote.hits == N - 2 and cache.remote.puts == 2
    assert len(cache.remote.warnings) == 2
    assert all("damaged or truncated" in w and "normalized again" in w for w in cache.remote.warnings)
    assert snapshot(second / "build") == snapshot(first / "build")
    third = _site(tmp_path / "three", url)  # rewritten: the next runner takes them all
    cache = open_cache(site_config(third))
    build(site_config(third), cache=cache)
    assert cache.normalized == 0 and cache.remote.hits == N and cache.remote.warnings == []


def test_an_entry_the_shared_tier_holds_for_other_images_is_not_used(tmp_path: Path):
    """Two runners at different commits write one key (same source, other image): the entry
    records the image's hash, so the other runner normalizes rather than trust it."""
    url = _memory_url()
    first = _site(tmp_path / "one", url)
    build(site_config(first), cache=open_cache(site_config(first)))
    second = _site(tmp_path / "two", url)
    image = next(p for p in (second / "articles" / "images").iterdir() if p.suffix == ".png")
    from PIL import Image

    with Image.open(image) as im:
        im.convert("RGB").resize((im.width + 1, im.height)).save(image)
    cache = open_cache(site_config(second))
    build(site_config(second), cache=cache)
    assert cache.normalized >= 1 and cache.remote.warnings == []
    clean = _site(tmp_path / "clean")
    shutil.copy2(image, clean / "articles" / "images" / image.name)
    build(site_config(clean), cache=open_cache(site_config(clean), enabled=False))
    assert snapshot(second / "build") == snapshot(clean / "build")


def test_check_writes_nothing_to_either_tier(tmp_path: Path):
    from click.testing import CliRunner

    from publisher.cli import cli

    url = _memory_url()
    first = _site(tmp_path / "one", url)
    build(site_config(first), cache=open_cache(site_config(first)))
    before = {p: fsspec.core.url_to_fs(url)[0].cat_file(p) for p in _entries(url)}
    second = _site(tmp_path / "two", url)
    (second / "articles" / EDITED).write_text("---\ntitle: New\ndate: 2026-11-20\n---\nNew text.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--config", str(second / "publisher.toml")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not (second / ".publisher-cache").exists()
    assert {p: fsspec.core.url_to_fs(url)[0].cat_file(p) for p in _entries(url)} == before


def test_a_store_that_cannot_be_written_is_a_warning_not_a_failure(tmp_path: Path, monkeypatch):
    url = _memory_url()
    site = _site(tmp_path / "s", url)
    cache = open_cache(site_config(site))

    def refuse(*args, **kwargs):
        raise PermissionError("access denied")

    monkeypatch.setattr(cache.remote.fs, "pipe_file", refuse)
    build(site_config(site), cache=cache)
    assert cache.remote.puts == 0 and len(cache.remote.warnings) == 1
    assert "cannot write to the shared cache" in cache.remote.warnings[0]
    assert snapshot(site / "build")


def test_a_relative_file_url_is_relative_to_the_config_and_the_local_tier_is_its_own(tmp_path: Path):
    site = _site(tmp_path / "s", "file://../shared-cache")
    toml = site / "publisher.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[site]", '[site]\ncache_local_dir = ".runner-cache"', 1),
                    encoding="utf-8")
    config = site_config(site)
    assert config.cache_url == f"file://{(tmp_path / 'shared-cache').resolve().as_posix()}"
    assert config.cache_path == (site / ".runner-cache").resolve()
    assert config.site_relative(config.articles_path) == "articles"  # the site still moves with its cache


def test_a_file_url_inside_the_articles_folder_is_refused(tmp_path: Path):
    site = _site(tmp_path / "s", "file://articles/cache")
    with pytest.raises(ConfigError, match="site.cache_dir: the cache folder .* overlaps the articles folder"):
        site_config(site)


def test_without_fsspec_a_url_cache_is_a_clear_error(tmp_path: Path, monkeypatch):
    from click.testing import CliRunner

    from publisher.cli import cli

    monkeypatch.setitem(sys.modules, "fsspec", None)
    site = _site(tmp_path / "s", "s3://bucket/prefix")
    result = CliRunner().invoke(cli, ["build", "--config", str(site / "publisher.toml")], catch_exceptions=False)
    assert result.exit_code == 1
    assert "error: site.cache_dir is a URL (s3://bucket/prefix), which needs fsspec: install " \
           "'newsroom-publisher[remote]'" in result.output
    assert not (site / "build").exists() and "Traceback" not in result.output


def test_entries_go_to_an_object_store_in_batches(tmp_path: Path, monkeypatch):
    """One request for up to 256 entries (fsspec's pipe runs the PUTs concurrently on S3/GCS)."""
    url = _memory_url()
    site = _site(tmp_path / "s", url)
    cache = open_cache(site_config(site))
    calls: list[int] = []
    pipe = cache.remote.fs.pipe
    monkeypatch.setattr(cache.remote.fs, "pipe", lambda batch, **kw: (calls.append(len(batch)), pipe(batch, **kw))[1])
    build(site_config(site), cache=cache)
    assert calls == [N] and cache.remote.puts == N and len(_entries(url)) == N


def test_the_warning_of_a_damaged_shared_entry_is_on_stderr_and_not_a_diagnostic(tmp_path: Path):
    from click.testing import CliRunner

    from publisher.cli import cli

    url = _memory_url()
    first = _site(tmp_path / "one", url)
    build(site_config(first), cache=open_cache(site_config(first)))
    fs, _ = fsspec.core.url_to_fs(url)
    damaged = _entries(url)[0]
    fs.pipe_file(damaged, fs.cat_file(damaged)[:100])
    second = _site(tmp_path / "two", url)
    result = CliRunner().invoke(cli, ["build", "--strict", "--format", "json", "--config", str(second / "publisher.toml")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output  # --strict does not fail on the cache's warnings
    key = damaged.rsplit("/", 1)[1]
    assert f"warning: {url}/entries/{key[:2]}/{key}: shared cache entry damaged or truncated" in result.stderr
    assert key not in result.stdout
    assert snapshot(second / "build") == snapshot(first / "build")


def test_a_fresh_runner_fetches_in_batches(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("publisher.incremental.cache.REMOTE_BATCH", 3)
    url = _memory_url()
    first = _site(tmp_path / "one", url)
    build(site_config(first), cache=open_cache(site_config(first)))
    second = _site(tmp_path / "two", url)
    cache = open_cache(site_config(second))
    asked: list[int] = []
    get_many = cache.remote.get_many
    monkeypatch.setattr(cache.remote, "get_many", lambda keys: (asked.append(len(keys)), get_many(keys))[1])
    build(site_config(second), cache=cache)
    assert asked == [3, 3, 1] and cache.normalized == 0 and cache.remote.hits == N


def test_entries_made_by_worker_processes_reach_the_shared_tier(tmp_path: Path):
    """With a process pool (16 or more articles to make, -j 2) each worker writes its entries to
    the local tier; the shared tier must get every one of them too, not only the main process's."""
    url = f"file://{tmp_path / 'shared'}"
    first = _site(tmp_path / "runner-1", url)
    for n in range(14):
        (first / "articles" / f"2026-10-{n + 1:02d}-extra-{n}.md").write_text(
            f"---\ntitle: Extra {n}\ndate: 2026-10-{n + 1:02d}\n---\n\nParagraph {n}.\n", encoding="utf-8")
    build(site_config(first), cache=open_cache(site_config(first)), workers=2)
    second = tmp_path / "runner-2" / "elsewhere"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns(".publisher-cache", "build"))
    cache = open_cache(site_config(second))
    build(site_config(second), cache=cache, workers=2)
    assert cache.normalized == 0 and cache.remote.hits == N + 14
