"""Markdown files with YAML front matter, written safely: named YYYY-MM-DD-slug.md inside the
target folder only, never over an existing file, every value quoted where YAML needs it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from publisher.errors import OutputError
from publisher.paths import relative_name
from publisher.slugs import slugify

#: Characters of the slug part of a file name (the date and ".md" come on top).
SLUG_CHARS = 80
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-(?=.)")
_URI_LINE = re.compile(r"^uri:[ \t]*(.+?)[ \t]*$", re.MULTILINE)
ARTICLE_SUFFIXES = (".md", ".markdown", ".txt", ".xml")


def front_matter(fields: dict[str, Any]) -> str:
    """``fields`` as a YAML front-matter block. PyYAML's safe dumper quotes every value that
    would read back as something else (``: ``, ``#``, a leading ``- `` or ``*``, ``yes``, a
    number, a date); the pure-Python dumper, so the bytes are the same wherever it runs."""
    text = yaml.dump(fields, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1_000_000)
    return f"---\n{text}---\n"


def document(fields: dict[str, Any], body: str) -> str:
    return front_matter(fields) + ("\n" + body if body else "")


def slug_for(*candidates: str) -> str:
    """The first candidate that makes a slug, cut to SLUG_CHARS at a hyphen."""
    for candidate in candidates:
        slug = slugify(candidate)
        if slug:
            if len(slug) > SLUG_CHARS:
                slug = slug[:SLUG_CHARS].rsplit("-", 1)[0] or slug[:SLUG_CHARS]
            return slug
    return ""


class Folder:
    """The target folder: which slugs and feed ids its articles already have, and new files
    written into it (and nowhere else) without replacing any."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.slugs: set[str] = set()
        self.uris: dict[str, str] = {}
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.suffix.lower() not in ARTICLE_SUFFIXES or not path.is_file() or path.is_symlink():
                    continue
                stem = path.parent.name if path.stem.lower() in ("index", "_index") else path.stem
                self.slugs.add(slugify(_DATE_PREFIX.sub("", stem)))
                if path.suffix.lower() in (".md", ".markdown"):
                    self._uri_of(path)

    def _uri_of(self, path: Path) -> None:
        with open(path, "rb") as fh:
            head = fh.read(8192).decode("utf-8", "replace")
        if not head.startswith("---"):
            return
        m = _URI_LINE.search(head.split("\n---", 1)[0])
        if m:
            try:
                value = yaml.load(m.group(1), Loader=yaml.SafeLoader)
            except yaml.YAMLError:
                return
            if isinstance(value, str):
                self.uris.setdefault(value.strip(), path.relative_to(self.root).as_posix())

    def claim(self, date: str, slug: str) -> tuple[str, str]:
        """A file name for an article (and its slug), used by no file and no article here."""
        base, n = slug, 2
        while slug in self.slugs or os.path.lexists(self.root / f"{date[:10]}-{slug}.md"):
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        name = f"{date[:10]}-{slug}.md"
        assert relative_name(name) is None and "/" not in name, name  # slugs are [a-z0-9-]
        return name, slug

    def write(self, name: str, text: str) -> None:
        """Create ``name`` in the folder; never over an existing file or through a link."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(self.root / name, flags, 0o644)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OSError as exc:
            raise OutputError(f"cannot write {name} ({exc.strerror}); nothing was written over", self.root / name) from None
