"""The garbage collector is paused for a build in this process, and only there."""

from __future__ import annotations

import gc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from publisher import build as build_module
from publisher import memory
from publisher.books import chapterset
from publisher.build import build
from publisher.incremental.stage import _init_worker
from tests.conftest import site_config


@pytest.fixture(autouse=True)
def collector_restored():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_the_block_and_back_after_it_even_on_error():
    gc.enable()
    with memory.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), memory.collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off():
    gc.disable()
    with memory.collector_paused():
        assert not gc.isenabled()
        memory.worker_started()  # not paused by us: a worker leaves the caller's choice alone
        assert not gc.isenabled()
    assert not gc.isenabled()


def _enabled_in_worker() -> bool:
    return gc.isenabled()


def test_forked_workers_collect_again():
    gc.enable()
    with memory.collector_paused():
        with ProcessPoolExecutor(1, initializer=memory.worker_started) as pool:
            assert pool.submit(_enabled_in_worker).result() is True
        with ProcessPoolExecutor(1) as pool:  # what the initializer undoes
            assert pool.submit(_enabled_in_worker).result() is False


@pytest.mark.parametrize("initializer", ["stage", "chapters"])
def test_the_worker_pools_initializers_turn_collection_back_on(site: Path, initializer: str):
    gc.enable()
    with memory.collector_paused():
        if initializer == "stage":
            _init_worker(site_config(site), {}, set())
        else:
            chapterset._init_worker({}, {})
        assert gc.isenabled()


def test_a_build_runs_with_the_collector_paused_and_restores_it(site: Path, monkeypatch):
    seen = []
    real = build_module.load_articles

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "load_articles", spy)
    gc.enable()
    build(site_config(site), workers=1)
    assert seen == [False]
    assert gc.isenabled()
