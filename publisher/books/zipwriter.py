"""A deterministic ZIP writer for EPUB containers that takes entries compressed ahead of time.

Python's zipfile recompresses every entry on every build; a book of 10,000 chapters where one
changed should not. An entry can be given as :class:`Packed` (deflated once, by :func:`pack`,
and kept by the caller: the chapters and the frame of a book are kept compressed between
builds) or as :class:`Stored` (written as it is: images, compressed already, gain nothing from
deflate and cost the most CPU in it), and is laid out byte for byte the same way every time:
fixed order, fixed times, ``mimetype`` first and stored, UTF-8 names, no extra fields. The zip
is written as it is laid out (:func:`stream_zip`): a book is never held whole in memory.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from collections.abc import Callable, Iterable
from typing import NamedTuple

LEVEL = 6  # zlib's default: within 1 % of level 9's size on XHTML, in about half the time


class Packed(NamedTuple):
    """An entry compressed already (raw DEFLATE), with the CRC-32 and size of its bytes."""

    crc: int
    size: int
    payload: bytes


class Stored(NamedTuple):
    """An entry written as it is (ZIP method 0): its bytes, or what reads them when the entry is
    written (an image of the site, read then and let go: a book's images are never all in
    memory at once). Its CRC-32 is taken as it is written."""

    payload: bytes | Callable[[], bytes]


def _dos_time(when: dt.datetime) -> tuple[int, int]:
    when = max(when.astimezone(dt.UTC), dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
    time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
    date = ((when.year - 1980) << 9) | (when.month << 5) | when.day
    return time, date


def deflate(data: bytes) -> bytes:
    """Raw DEFLATE of ``data``."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def pack(data: bytes) -> Packed:
    """``data`` as a zip entry compressed ahead of :func:`write_zip`."""
    return Packed(zlib.crc32(data) & 0xFFFFFFFF, len(data), deflate(data))


Entry = tuple[str, "bytes | Packed | Stored"]

#: What a ZIP without the ZIP64 extensions holds: entries, and bytes up to the central directory.
#: Past them a book needs ZIP64, which many e-readers cannot open: books stay within them.
MAX_ENTRIES = 0xFFFF
MAX_BYTES = 0xFFFFFFFF


class ZipLimit(ValueError):
    """A book would need ZIP64: more than :data:`MAX_ENTRIES` files or :data:`MAX_BYTES` bytes."""


def stream_zip(entries: Iterable[Entry], when: dt.datetime, write: Callable[[bytes], object]) -> None:
    """A ZIP of ``entries`` (name, bytes or :class:`Packed` or :class:`Stored`) in the given order,
    given to ``write`` piece by piece as it is laid out (an entry's bytes are let go once
    written); plain bytes are deflated, but those of ``mimetype``, which are stored."""
    time, date = _dos_time(when)
    offset = 0
    central = bytearray()
    count = 0
    for name, data in entries:
        raw_name = name.encode("utf-8")
        if isinstance(data, Stored) or (name == "mimetype" and not isinstance(data, Packed)):
            payload = data if not isinstance(data, Stored) else data.payload() if callable(data.payload) \
                else data.payload
            method, crc, size = 0, zlib.crc32(payload) & 0xFFFFFFFF, len(payload)
        else:
            method = 8
            crc, size, payload = data if isinstance(data, Packed) else pack(data)
        flags = 0x0800  # names are UTF-8
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, flags, method, time, date, crc, len(payload), size, len(raw_name), 0
        )
        write(header + raw_name)
        write(payload)
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50, (3 << 8) | 20, 20, flags, method, time, date, crc, len(payload), size,
            len(raw_name), 0, 0, 0, 0, 0o100644 << 16, offset,
        )
        central += raw_name
        offset += len(header) + len(raw_name) + len(payload)
        count += 1
        if count > MAX_ENTRIES or offset > MAX_BYTES:
            raise ZipLimit(f"more than {MAX_ENTRIES:,} files or 4 GiB")
    if offset + len(central) > MAX_BYTES:
        raise ZipLimit("more than 4 GiB")
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), offset, 0)
    write(bytes(central) + end)


def write_zip(entries: Iterable[Entry], when: dt.datetime) -> bytes:
    """The ZIP of :func:`stream_zip` as one bytes object (small zips and tests)."""
    out = io.BytesIO()
    stream_zip(entries, when, out.write)
    return out.getvalue()
