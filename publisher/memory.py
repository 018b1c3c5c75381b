"""Memory housekeeping: freed memory given back after a worker pool, long-lived objects kept
out of garbage collection, the collector paused for a build."""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterator

_paused = False  # the collector is off because of collector_paused (seen by forked workers too)


@functools.cache
def _trim():
    import ctypes.util  # here: it costs 20 ms to import, and only builds with a pool trim (binds ctypes too)

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None


def release() -> None:
    """Return free heap pages to the system (glibc's ``malloc_trim``).

    A process pool's results are unpickled by a helper thread, whose glibc arena keeps every
    page it ever used: after 10,000 results that was about 100 MB of free memory still counted
    against the build's peak. Elsewhere than glibc this does nothing.
    """
    trim = _trim()
    if trim is not None:
        trim(0)


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Within the block, objects made before it are left out of garbage collection.

    A build's articles, catalog and chapter records (millions of objects) live until it ends;
    each full collection would walk all of them again (0.3 s a time at 10,000 articles). They
    are moved out of the collector's sight (``gc.freeze``) for the block and back after it.
    """
    if gc.get_freeze_count():  # someone else froze objects: leave their choice alone
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block, no garbage collection in this process.

    A rebuild at 10,000 articles makes about four million tracked objects (records, tuples,
    views); the collector's young-generation passes over them cost 0.17 s of a 1.7 s rebuild,
    while the reference cycles a build leaves behind are a few thousand small objects (measured:
    about 5 per article). Worker processes forked inside the block collect as usual: their
    initializers call :func:`worker_started`. A collector that was off already stays off.
    """
    global _paused
    if not gc.isenabled():
        yield
        return
    gc.disable()
    _paused = True
    try:
        yield
    finally:
        _paused = False
        gc.enable()


def worker_started() -> None:
    """In a worker process: collect garbage again if the parent paused the collector."""
    if _paused:
        gc.enable()
