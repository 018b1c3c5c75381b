"""Slugs: the ASCII names of articles, tags, authors and sections in URLs and file names."""

from __future__ import annotations

import hashlib
import re
import unicodedata


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
