"""Giving freed memory back to the system after a worker pool has run."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _trim():
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
