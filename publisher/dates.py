"""Dates: ISO 8601 parsing with a site zone for naive values, dates from paths, RFC 3339 output."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

_PATH_DATE = re.compile(r"(?<!\d)(\d{4})([-/])(\d{2})\2(\d{2})(?!\d)")


class DateError(ValueError):
    pass


def parse(value: object, zone: ZoneInfo) -> dt.datetime:
    """A date or date-time (object or ISO 8601 text) as an aware datetime; naive ones get ``zone``."""
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        try:
            result = dt.datetime.fromisoformat(text)
        except ValueError:
            raise DateError(
                f"{value!r} is not an ISO 8601 date or date-time (e.g. 2026-11-20 or 2026-11-20T09:30:00+01:00)"
            ) from None
    else:
        raise DateError(f"{value!r} is not a date")
    if result.tzinfo is None:
        result = result.replace(tzinfo=zone)
    try:  # every date is later compared in UTC and shown in the site's zone: both must exist
        result.astimezone(dt.UTC)
        result.astimezone(zone)
    except OverflowError:
        raise DateError(
            f"{(value.isoformat() if isinstance(value, dt.date) else value)!r} is out of range: in UTC or the site's time zone it falls before year 1 or after year 9999"
        ) from None
    return result.replace(microsecond=0)


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def rfc3339(value: dt.datetime) -> str:
    """RFC 3339 with seconds. Offsets with seconds (local mean time before 1900, e.g. Berlin's
    +00:53:28) cannot be written in RFC 3339: such times are given in UTC, the same instant."""
    offset = value.utcoffset()
    if offset is not None and offset.seconds % 60:
        try:
            value = value.astimezone(dt.UTC)
        except OverflowError:  # year 1 minus the offset is before year 1: keep the wall time
            value = value.replace(tzinfo=dt.UTC)
    return value.isoformat(timespec="seconds")


def from_path(path: str) -> dt.date | None:
    """The last ``YYYY-MM-DD`` or ``YYYY/MM/DD`` in a relative path, if it is a real date."""
    matches = list(_PATH_DATE.finditer(PurePosixPath(path).as_posix()))
    for m in reversed(matches):
        try:
            return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            continue
    return None
