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
