"""Source readers: one per format, each turning a file's bytes into a SourceArticle."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree

from publisher.errors import Reporter, SourceError
from publisher.xmlutil import forbidden_chars, strip_forbidden


@dataclass
class SourceAuthor:
    name: str
    bio: list[str] = field(default_factory=list)  # plain-text paragraphs
    line: int | None = None


@dataclass
class SourceArticle:
    """What a reader found in a source, before normalisation.

    ``fields`` holds the metadata as written (strings, dates, lists) keyed by the
    front-matter vocabulary in ``publisher.sources.frontmatter.KEYS``; ``origins`` says in which
    file (the source or its sidecar) and on which line each field was found.
    """

    path: Path
    format: str
    fields: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, tuple[Path, int | None]] = field(default_factory=dict)
    authors: list[SourceAuthor] = field(default_factory=list)
    body: list[etree._Element | str] = field(default_factory=list)  # XHTML nodes
    #: Line of the source on which the body starts
    body_first_line: int = 1
    extra: dict[str, str] = field(default_factory=dict)  # unknown keys, kept verbatim
    resources: list[dict[str, str]] = field(default_factory=list)  # already-normalised resources
    #: Source path recorded in an article document read back in; None means ``path``
    source_name: str | None = None


class Reader:
    """A source format. Subclasses set ``name`` and ``suffixes`` and implement ``read``."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]

    def read(self, path: Path, data: bytes, report: Reporter) -> SourceArticle:
        raise NotImplementedError

    def read_meta(self, path: Path, data: bytes, report: Reporter) -> SourceArticle:
        """Just the metadata (for resolving links to this source); formats may skip the body."""
        return self.read(path, data, report)


def decode(path: Path, data: bytes, report: Reporter | None = None) -> str:
    """UTF-8 text with a BOM dropped and line endings made LF; an error names the bad byte's line.

    Characters XML 1.0 cannot hold (a form feed, say) are removed here, each with a warning
    that gives its line and column, so that no later stage ever sees them.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", path, line
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = forbidden_chars(text)
    if bad and report is not None:
        for offset, char in bad:
            line = text.count("\n", 0, offset) + 1
            col = offset - (text.rfind("\n", 0, offset) + 1) + 1
            report.warn(path, f"removed U+{ord(char):04X}, a character XML 1.0 cannot hold", line, col)
    return strip_forbidden(text) if bad else text


def readers() -> list[Reader]:
    from publisher.sources.markdown import MarkdownReader
    from publisher.sources.wire import WireReader
    from publisher.sources.xmlsource import ArticleXmlReader

    return [MarkdownReader(), WireReader(), ArticleXmlReader()]


def reader_for(path: Path) -> Reader | None:
    suffix = path.suffix.lower()
    for reader in readers():
        if suffix in reader.suffixes:
            return reader
    return None


SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.toml")


def is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(SIDECAR_SUFFIXES)


def discover(articles: Path, exclude: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Every article source under ``articles``, in a stable order (sorted by relative path).

    Skipped: names starting with ``.`` or ``_`` (hidden files, section indexes like
    ``_index.md``), paths matching an ``exclude`` glob, sidecars, and files of no known format
    (images and other assets live beside the articles).
    """
    found = [p for p in articles.rglob("*") if _is_article(p, p.relative_to(articles), exclude)]
    return sorted(found, key=lambda p: p.relative_to(articles).as_posix())


def discover_one(articles: Path, rel: Path, exclude: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """``[articles / rel]`` if that file is an article source by the rules of ``discover``, else []."""
    path = articles / rel
    return [path] if _is_article(path, rel, exclude) else []


def _is_article(path: Path, rel: Path, exclude: list[str] | tuple[str, ...]) -> bool:
    if any(part.startswith((".", "_")) for part in rel.parts):
        return False
    if any(rel.match(pattern) or fnmatch.fnmatch(rel.as_posix(), pattern) for pattern in exclude):
        return False
    return path.is_file() and not is_sidecar(path) and reader_for(path) is not None


def load(path: Path, report: Reporter, *, meta_only: bool = False) -> SourceArticle:
    """Read one source with the reader for its suffix, then apply its sidecar metadata file.

    With ``meta_only`` the body may be left unread (fields and identity only).
    """
    from publisher.sources.frontmatter import apply_sidecar

    reader = reader_for(path)
    if reader is None:
        raise SourceError(f"no reader for {path.suffix!r} files; use .md, .txt or .xml", path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror}", path) from exc
    article = (reader.read_meta if meta_only else reader.read)(path, data, report)
    apply_sidecar(article, report)
    return article
