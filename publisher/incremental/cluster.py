"""The per-article stage on a Dask distributed cluster (``--scheduler``); Dask is imported only here.

The coordinator sends each worker batches of ``(path, hash of the source's bytes)`` and the
settings; the worker reads the site itself, where the coordinator has it (a shared file system,
or the same checkout at the same path), because normalizing an article reads more than its
source: its sidecar, its images (type, size, pixels) and every source it links to, which are
known only once it is parsed. What comes back is what the local process pool returns: the
entry (the normalized XML bytes the cache stores, its metadata, messages and the hashes of every
file it read) or the source's diagnostics. The coordinator checks every one of those hashes
against its own files, and the worker the source's: a worker that saw other bytes, or runs other
code, makes the build fail with a diagnostic, never differ.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from publisher.config import Config
from publisher.errors import ConfigError

#: Sources in one task: large enough that scheduling costs little next to normalizing
#: (about 10 ms an article), small enough that every worker gets many tasks.
BATCH = 64

#: How long to try to reach a scheduler before the build fails.
CONNECT_TIMEOUT = "20s"

#: A LocalCluster's scheduler without a dashboard, and its HTTP routes on a free local port
#: (by default they take :8787, which may be taken).
QUIET = {"dashboard": False, "dashboard_address": "127.0.0.1:0"}

#: Batches in flight per worker.
WINDOW = 4

Task = tuple[Path, str]


def normalize(tasks: list[Task], config: Config, scheduler: str, workers: int | None,
              work: Callable[[Config, list[Task]], list], scratch: Path | None = None) -> Iterator[tuple[int, object]]:
    """``work(config, batch)`` for batches of ``tasks`` on the cluster: yields ``(index in
    tasks, result)`` as the batches finish (the caller orders them; outputs never depend on it).
    ``scratch``: the folder a LocalCluster's workers may write to (inside the cache), rather
    than the system's temporary folder."""
    try:
        from distributed import as_completed
    except ImportError:
        raise ConfigError("--scheduler (site.scheduler) needs Dask: install 'newsroom-publisher[dask]' "
                          "(dask[distributed]), or build without it") from None
    with _client(scheduler, workers, scratch) as client:
        size = len(client.scheduler_info().get("workers", {})) or 1
        batch = max(1, min(BATCH, math.ceil(len(tasks) / (size * 4))))
        starts = iter(range(0, len(tasks), batch))
        settings = client.scatter(config, broadcast=True)
        futures: dict = {}

        def submit():  # noqa: ANN202 - the next batch's future, or None when all are sent
            start = next(starts, None)
            if start is None:
                return None
            future = client.submit(work, settings, tasks[start:start + batch], pure=False)
            futures[future] = start
            return future

        # A bounded window of batches in flight: results wait on the workers only until the
        # coordinator takes them, so memory does not grow with the archive.
        first = [submit() for _ in range(size * WINDOW)]
        running = as_completed([f for f in first if f is not None], with_results=True)
        try:
            for future, results in running:
                start = futures.pop(future)
                following = submit()
                if following is not None:
                    running.add(following)
                for k, result in enumerate(results):
                    yield start + k, result
        except Exception as exc:  # noqa: BLE001 - named below; a bug in normalizing keeps its traceback
            if type(exc).__name__ in ("KilledWorker", "CancelledError", "FutureCancelledError", "CommClosedError"):
                raise ConfigError(f"the Dask cluster at {scheduler} lost its workers ({type(exc).__name__}: "
                                  f"{exc}); nothing was written") from None
            raise


@contextlib.contextmanager
def _client(scheduler: str, workers: int | None, scratch: Path | None):  # noqa: ANN202 - a distributed.Client
    from distributed import Client, LocalCluster

    if scheduler == "local":  # one worker process per core (or -j), one thread each
        where = {"local_directory": str(scratch)} if scratch is not None else {}
        with LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                          dashboard_address=None, scheduler_kwargs=QUIET, silence_logs=logging.ERROR,
                          **where) as cluster, \
                Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}; start it, or build "
                          "without --scheduler (site.scheduler)") from None
    with client:
        yield client
