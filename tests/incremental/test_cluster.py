"""The per-article stage on a Dask cluster (--scheduler): the bytes of a local build, the same
diagnostics, and a clear error without the extra."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.build import build
from publisher.cli import cli
from publisher.errors import BuildFailed, ConfigError
from publisher.incremental.cache import Cache, code_identity, open_cache
from publisher.incremental.stage import OtherCode, normalize_batch
from tests.conftest import copy_small_site as copy_site
from tests.conftest import site_config
from tests.test_build import snapshot



distributed = pytest.importorskip("distributed", reason="the dask extra (dask[distributed]) is not installed")

EXTRA = 12  # generated articles besides the bundled ones


@pytest.fixture(scope="module")
def scheduler():
    """Two worker processes of one thread each, shared by this module's tests (about 2 s to start)."""
    import logging

    from publisher.incremental.cluster import QUIET

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  scheduler_kwargs=QUIET, silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def _site(dest: Path) -> Path:
    """The bundled site and EXTRA generated articles that link to each other and use an image."""
    site = copy_site(dest)
    for n in range(EXTRA):
        links = f" See [the vote](2026-11-18-port-expansion-vote.md) and [the last](2026-10-{n:02}-gen-{n - 1}.md)." if n else ""
        (site / "articles" / f"2026-10-{n + 1:02}-gen-{n}.md").write_text(
            f"---\ntitle: Generated {n}\ntags: [gen, n{n % 3}]\n---\n\nArticle {n}: \"quotes\" -- and more...{links}\n\n"
            "![Cranes](images/harbour-cranes.png)\n", encoding="utf-8")
    return site


def test_a_build_on_a_dask_cluster_gives_the_bytes_of_a_local_build(tmp_path: Path, scheduler: str, monkeypatch):
    monkeypatch.setattr("publisher.incremental.cluster.WINDOW", 1)  # 7 batches, 2 in flight: the window moves
    local = _site(tmp_path / "local")
    build(site_config(local), cache=Cache(None), workers=1)
    remote = _site(tmp_path / "remote")
    cache = open_cache(site_config(remote))
    build(site_config(remote), cache=cache, scheduler=scheduler)
    assert cache.normalized == 7 + EXTRA
    assert snapshot(remote / "build") == snapshot(local / "build")
    # what the workers made is in the cache: a local rebuild after an edit normalizes one article
    path = remote / "articles" / "2026-10-03-gen-2.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Article 2", "Article two"), encoding="utf-8")
    cache = open_cache(site_config(remote))
    build(site_config(remote), cache=cache)
    assert cache.normalized == 1 + 1  # it, and the article that links to it


def test_a_source_error_on_a_worker_is_a_diagnostic_and_outputs_stay(tmp_path: Path, scheduler: str):
    site = _site(tmp_path / "s")
    build(site_config(site), cache=Cache(None), workers=1)
    before = snapshot(site / "build")
    bad = site / "articles" / "2026-10-05-gen-4.md"
    bad.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--config", str(site / "publisher.toml"), "--scheduler", scheduler],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert f"{bad}:2:" in result.output or "articles/2026-10-05-gen-4.md:" in result.output, result.output
    assert ": error: " in result.output and "Traceback" not in result.output
    assert snapshot(site / "build") == before


def test_a_worker_that_sees_other_bytes_is_an_error(tmp_path: Path):
    site = _site(tmp_path / "s")
    config = site_config(site)
    path = config.articles_path / "2026-10-01-gen-0.md"
    [(entry, diagnostics)] = normalize_batch(code_identity(), config, [(path, "0" * 64)])
    assert entry is None and diagnostics[0].severity == "error"
    assert "other bytes than this machine has" in diagnostics[0].message
    with pytest.raises(OtherCode, match="install the same publisher on every worker"):
        normalize_batch("0.0.0+other", config, [(path, "0" * 64)])


def test_a_worker_running_other_code_fails_the_build_once(tmp_path: Path, scheduler: str, monkeypatch):
    monkeypatch.setattr("publisher.incremental.stage.code_identity", lambda: "0.0.0+coordinator")
    site = _site(tmp_path / "s")
    result = CliRunner().invoke(cli, ["build", "--config", str(site / "publisher.toml"), "--scheduler", scheduler],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.count("error:") == 1
    assert "error: a Dask worker runs publisher 0.1.0+" in result.output and "this machine 0.0.0+coordinator" in result.output
    assert not (site / "build").exists()


def test_scheduler_local_starts_a_local_cluster(tmp_path: Path):
    site = _site(tmp_path / "s")
    result = CliRunner().invoke(cli, ["build", "--config", str(site / "publisher.toml"), "--scheduler", "local",
                                      "-j", "1", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (site / ".publisher-cache" / "dask").is_dir()  # its workers' scratch space: in the cache
    local = _site(tmp_path / "l")
    build(site_config(local), cache=Cache(None), workers=1)
    assert snapshot(site / "build") == snapshot(local / "build")


def test_without_dask_the_scheduler_is_a_clear_error(tmp_path: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    site = _site(tmp_path / "s")
    with pytest.raises(ConfigError, match=r"needs Dask: install 'newsroom-publisher\[dask\]'"):
        build(site_config(site), cache=Cache(None), scheduler="local")
    assert not (site / "build").exists()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # distributed's own socket
def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("publisher.incremental.cluster.CONNECT_TIMEOUT", "1s")
    site = _site(tmp_path / "s")
    result = CliRunner().invoke(cli, ["build", "--config", str(site / "publisher.toml"), "--no-cache",
                                      "--scheduler", "tcp://127.0.0.1:9"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert not (site / "build").exists()


def test_a_scheduler_that_is_not_an_address_is_a_config_error(tmp_path: Path):
    site = _site(tmp_path / "s")
    toml = site / "publisher.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[site]", '[site]\nscheduler = "my-cluster"', 1),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match='site.scheduler must be "local" or a Dask scheduler address'):
        site_config(site)
