"""URLs in article bodies: the schemes the vocabulary knows, script URLs, typos, and escaping."""

from __future__ import annotations

import difflib
import posixpath
import re
from urllib.parse import urlsplit

from publisher.model.vocabulary import URL_SCHEMES

#: Schemes a link or image in an article may use: what EPUBCheck registers and readers follow.
KNOWN_SCHEMES = URL_SCHEMES
#: Schemes that run code or carry a whole document: removed, with a warning.
SCRIPT_SCHEMES = ("javascript", "vbscript", "livescript", "data")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# What browsers ignore when they read a URL (WHATWG URL parser): leading and trailing C0
# controls and spaces, and every tab, line feed and carriage return inside.
_EDGES = "".join(chr(c) for c in range(0x21))
_INSIDE = re.compile("[\t\n\r]")
# ASCII a URL may not hold as it is (RFC 3986): percent-encoded; a stray "%" too. "[" and "]"
# only stand in a host (IPv6), "#" only once.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\"<>\\^`{|}\[\]]|%(?![0-9A-Fa-f]{2})")
_PREFIX = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://[^/?#]*)?")


def as_browsers_read(value: str) -> str:
    """``value`` as a browser's URL parser sees it: ``java&#x09;script:`` is ``javascript:``."""
    return _INSIDE.sub("", value.strip(_EDGES))


def scheme(value: str) -> str | None:
    """The lower-cased scheme of ``value``, None when it has none."""
    m = _SCHEME.match(value)
    return m.group(1).lower() if m else None


def suggest(unknown: str) -> str:
    """' (did you mean https:?)' for a scheme that looks like a known one, else ''."""
    squeezed = re.sub(r"[^a-z]", "", unknown.lower())
    if squeezed in KNOWN_SCHEMES:
        return f" (did you mean {squeezed}:?)"
    close = difflib.get_close_matches(unknown.lower(), KNOWN_SCHEMES, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}:?)" if close else ""


def _encode(part: str) -> str:
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), part)


def escape(url: str) -> str:
    """Percent-encode the ASCII characters a URL may not hold (EPUBCheck and feed validators
    refuse them); non-ASCII is a valid IRI and left as written, and so is a host."""
    base, hash_, fragment = url.partition("#")
    prefix = _PREFIX.match(base).group()
    return prefix + _encode(base[len(prefix):]) + (hash_ and "#" + _encode(fragment).replace("#", "%23"))


def above_root(base: str, relative: str) -> bool:
    """Whether the relative URL path ``relative``, read from the page at ``base``, climbs above
    the site's root (``../../x`` from ``/a/``): browsers stop at the root, so it resolves, but
    not where its author meant."""
    path = urlsplit(relative).path
    if not path or path.startswith("/"):
        return False
    depth = len([p for p in posixpath.dirname(urlsplit(base).path or "/").split("/") if p])
    for part in path.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False
