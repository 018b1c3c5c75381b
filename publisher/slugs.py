"""Slugs: the ASCII names of articles, tags, authors and sections in URLs and file names, and URL
paths kept as a source writes them (``slug: go1.21``, ``url: /blog/Go1.22``), repaired only where a
URL cannot hold them."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote


def slugify(text: str) -> str:
    """ASCII slug: accents folded, everything else that is not a letter or digit becomes '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def slug_or_hash(text: str) -> str:
    """A slug; for names with no ASCII letters (港口, Ελλάδα folds fine) a stable ``t-`` + hash."""
    slug = slugify(text)
    if slug or not any(c.isalnum() for c in text):
        return slug
    return "t-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def name_key(text: str) -> str:
    """What two names sharing one slug must have in common to be one name: the same letters, digits
    and symbols, ignoring case, accents, spaces, hyphens and underscores ("Port expansion" and
    "port-expansion", "Café" and "cafe" are one; "C++" and "c", "C#" and "C" are two)."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\s_\-]+", " ", folded.casefold()).strip()


#: What a URL path segment holds as it is (RFC 3986 pchar): letters, digits, "-._~", the
#: sub-delimiters and ":@"; "%" only as an escape (checked apart). Other ASCII is escaped.
_PCHAR_SAFE = "-._~!$&'()*+,;=:@%"
_BAD_ASCII = re.compile(r"[\x00-\x20\x7f\"#<>?\[\\\]^`{|}/]|%(?![0-9A-Fa-f]{2})")
_WHAT = {" ": "a space", "%": "a \"%\" that is not an escape", "?": "a \"?\"", "#": "a \"#\"", "/": "a \"/\""}


def _encode(segment: str) -> tuple[str, list[str]]:
    """``segment`` as a URL holds it, and what had to change (non-ASCII letters are escaped
    without a word: the same address written as a URI)."""
    changes = []
    for m in _BAD_ASCII.finditer(segment):
        what = _WHAT.get(m.group(0), f"the character {m.group(0)!r}")
        if what not in changes:
            changes.append(what)
    fixed = _BAD_ASCII.sub(lambda m: "%25" if m.group(0) == "%" else quote(m.group(0), safe=""), segment)
    return quote(fixed, safe=_PCHAR_SAFE), changes


def url_segment(value: str) -> tuple[str, list[str]]:
    """An explicit slug kept as written as one URL path segment (dots, case and all); with the
    changes made to it, each a phrase ("a space", "a \"/\""); [] when kept as written."""
    text = value.strip()
    if text in (".", ".."):
        return slugify(text), [f"{text!r} is not a name"]
    kept, changes = _encode(text)
    return kept, changes


def url_path(value: str) -> tuple[str, list[str]]:
    """An explicit path (``path``, ``url``) kept as written, relative to the site's root (a
    leading "/" is dropped), with its trailing "/" or none; "." and ".." segments and empty
    ones inside are removed and other characters a path cannot hold escaped, each change
    named."""
    text = value.strip()
    trailing = text.endswith("/")
    parts = text.strip("/").split("/")
    out: list[str] = []
    changes: list[str] = []
    for part in parts:
        if part in ("", ".", ".."):
            if part == "" and len(parts) == 1:
                continue
            what = {"": "an empty segment (\"//\")", ".": "a \".\" segment", "..": "a \"..\" segment"}[part]
            if what not in changes:
                changes.append(what)
            continue
        kept, found = _encode(part)
        changes += [c for c in found if c not in changes]
        out.append(kept)
    path = "/".join(out)
    return (path + "/" if trailing and path else path), changes
