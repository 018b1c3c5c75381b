"""Source readers: one per format, each turning a file's bytes into a SourceArticle (fields and
body with source lines) for normalize/; which reader reads a file is decided by its suffix."""

from __future__ import annotations

import fnmatch
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from lxml import etree

from publisher import limits
from publisher.errors import PublisherError, Reporter, SourceError
from publisher.paths import inside, link_problem
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


class NotAnArticle(PublisherError):  # noqa: N818 - not an error in a build: a source that is something else
    """A source that is not an article (a redirect stub): a build leaves it out of feeds and books
    and reads it again for its own output (``publisher.redirects``); ``publisher normalize`` says
    so (exit 1), having no article XML to print."""

    def __init__(self, path: Path) -> None:
        super().__init__("a redirect, not an article: it has no article XML (a build puts it in _redirects and "
                         "redirects.json)", path)


#: What a redirect stub may say besides its target: its title, its own address, and earlier ones.
STUB_KEYS = frozenset({"redirect", "aliases", "title", "slug", "url", "path", "id"})


def is_redirect(src: SourceArticle) -> bool:
    """Is ``src`` a redirect stub rather than an article? It is when it has a ``redirect`` (or
    ``redirect_to``) key, or when its only keys are ``aliases`` (with ``title``, ``slug``,
    ``url``, ``path``) and it has no body: a page another generator made, listing its earlier
    addresses. A ``redirect`` beside article keys (date, tags, authors...) or a body is an
    error: which was meant is not clear."""
    given = set(src.fields) | ({"authors"} if src.authors else set())
    empty = all(isinstance(node, str) and not node.strip() for node in src.body)
    if "redirect" in given:
        other = sorted(given - STUB_KEYS)
        if other or not empty:
            what = ", ".join(other) + (" and " if other and not empty else "") + ("a body" if not empty else "")
            path, line = src.origins.get("redirect", (src.path, None))
            raise SourceError(f"a redirect is not an article, but this source has {what} as well: remove the "
                              "redirect key to publish it, or the rest to make it a redirect", path, line)
        return True
    return "aliases" in given and empty and given <= STUB_KEYS


class Reader:
    """A source format. Subclasses set ``name`` and ``suffixes`` and implement ``read``."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    #: Which front-matter key gives which of ours (a ``frontmatter.KeyMap``; None: the built-in
    #: names). Set by :func:`load` from the site's ``[front_matter]`` table.
    keys: Any = None
    #: The site's shortcode settings (``shortcodes.Settings``), set by :func:`load`; formats
    #: whose bodies call no shortcodes ignore it.
    shortcodes: Any = None

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
    return _reader_for_name(path.name)


@functools.cache
def _reader_classes() -> dict[str, type[Reader]]:
    return {suffix: type(reader) for reader in reversed(readers()) for suffix in reader.suffixes}


def _reader_class(name: str) -> type[Reader] | None:
    dot = name.rfind(".")
    suffix = name[dot:].lower() if 0 < dot < len(name) - 1 else ""  # PurePosixPath(name).suffix
    return _reader_classes().get(suffix)


def _reader_for_name(name: str) -> Reader | None:
    cls = _reader_class(name)
    return cls() if cls is not None else None


SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.toml")


def is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(SIDECAR_SUFFIXES)


@dataclass
class Listing:
    """Everything under a folder, as one scan found it (links to folders not followed, as with
    ``os.walk`` and ``rglob``)."""

    #: (path relative to the folder with ``/``, absolute path, kind): kind "f" a regular file,
    #: "l" a symbolic link (to a file inside the folder, or broken), "x" a symbolic link that
    #: leads out of the folder or round in a loop (never opened: see :func:`refused`), "o"
    #: anything else (FIFO, socket, device).
    files: list[tuple[str, str, str]] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)  # absolute paths of every folder listed


def scan(root: Path) -> Listing:
    """Every file under ``root``, in a fixed order (each folder's entries sorted by name)."""
    listing = Listing()
    _scan(str(root), "", listing, str(root))
    return listing


def _scan(folder: str, rel_dir: str, listing: Listing, root: str) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    listing.folders.append(folder)
    for entry in entries:
        rel = rel_dir + entry.name
        # the type comes with the listing: no stat per entry (and none through a link, which
        # could loop)
        if entry.is_symlink():
            if not os.path.isdir(entry.path):  # links to folders are not entered
                listing.files.append((rel, entry.path, "x" if link_problem(root, entry.path) else "l"))
        elif entry.is_dir():
            _scan(entry.path, rel + "/", listing, root)
        else:
            listing.files.append((rel, entry.path, "f" if entry.is_file() else "o"))


def discover(articles: Path, exclude: list[str] | tuple[str, ...] = (), listing: Listing | None = None,
             wire_glob: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Every article source under ``articles``, in a stable order (sorted by relative path).

    Skipped: names starting with ``.`` or ``_`` (hidden files, section indexes like
    ``_index.md``), paths matching an ``exclude`` glob, sidecars, and files of no known format
    (images and other assets live beside the articles), and ``.txt`` files that are not wire
    stories (:func:`is_wire`). ``listing``: a scan of ``articles`` made already.
    """
    return [path for _, path in discover_named(articles, exclude, listing, wire_glob)]


def discover_named(articles: Path, exclude: list[str] | tuple[str, ...] = (),
                   listing: Listing | None = None, wire_glob: list[str] | tuple[str, ...] = (),
                   assets: list[str] | None = None) -> list[tuple[str | None, Path]]:
    """:func:`discover`, each path with its name relative to ``articles`` (None for a link,
    whose name is where it leads). A ``.txt`` file is an article only when it matches a
    ``wire_glob`` glob, has a sidecar or has the wire shape (:func:`is_wire`); the names of the
    others are added to ``assets``."""
    found: list[tuple[str, str, str]] = []
    for rel, path, kind in (listing or scan(articles)).files:
        if _is_article_name(rel, exclude) and (kind == "f" or (kind == "l" and os.path.isfile(path))):
            if not is_wire(rel, Path(path), wire_glob):
                if assets is not None:
                    assets.append(rel)
                continue
            found.append((rel, path, kind))
    return [(rel if kind == "f" else None, Path(path)) for rel, path, kind in sorted(found)]


def is_wire(rel: str, path: Path, wire_glob: list[str] | tuple[str, ...] = ()) -> bool:
    """Is ``path`` (named ``rel`` under the articles folder) read as an article? Every file of a
    known format is, but a ``.txt`` file only when it matches a ``wire_glob`` glob, has a
    sidecar (``NAME.meta.yaml``), or has the wire shape: a header block or an ``Author:``
    trailer. Other text files beside the articles (licences, data) are assets."""
    if not rel.lower().endswith(".txt"):
        return True
    if wire_glob and _matches(rel, wire_glob):
        return True
    if any(path.with_name(path.stem + suffix).is_file() for suffix in SIDECAR_SUFFIXES):
        return True
    from publisher.sources.wire import has_wire_shape

    try:
        text = decode(path, read_bounded(path))
    except SourceError:
        return True  # not readable as text: the reader says why, as an error
    return has_wire_shape(text)


def refused(articles: Path, exclude: list[str] | tuple[str, ...] = (),
            listing: Listing | None = None) -> list[tuple[Path, str]]:
    """Symbolic links under ``articles`` that a build refuses to follow (out of the folder, or
    in a loop), each with why; hidden and excluded names are never read and not listed."""
    out = []
    for rel, path, kind in (listing or scan(articles)).files:
        if kind == "x" and not _skipped_name(rel, exclude):
            problem = link_problem(articles, path)
            if problem is not None:
                out.append((Path(path), problem))
    return out


def discover_one(articles: Path, rel: Path, exclude: list[str] | tuple[str, ...] = (),
                 wire_glob: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """``[articles / rel]`` if that file is an article source by the rules of ``discover``, else []."""
    path = articles / rel
    ok = _is_article(articles, path, rel, exclude) and is_wire(rel.as_posix(), path, wire_glob)
    return [path] if ok else []


def _is_article(articles: Path, path: Path, rel: Path, exclude: list[str] | tuple[str, ...]) -> bool:
    # resolved: a link (of the file or of a folder on the way) may not lead out of articles/
    return _is_article_name(rel.as_posix(), exclude) and path.is_file() and inside(articles, path) is not None


def _is_article_name(rel: str, exclude: list[str] | tuple[str, ...]) -> bool:
    """The rules of ``discover`` that look only at the relative path (``/``-separated)."""
    if _skipped_name(rel, exclude):
        return False
    name = rel.rpartition("/")[2]
    return not name.lower().endswith(SIDECAR_SUFFIXES) and _reader_class(name) is not None


def _skipped_name(rel: str, exclude: list[str] | tuple[str, ...]) -> bool:
    """Is ``rel`` hidden (a part starting with ``.`` or ``_``) or excluded?"""
    if any(part.startswith((".", "_")) for part in rel.split("/")):
        return True
    return bool(exclude) and _matches(rel, exclude)


def _matches(rel: str, globs: list[str] | tuple[str, ...]) -> bool:
    """Does ``rel`` match one of ``globs`` (as ``site.exclude`` matches)?"""
    pure = PurePosixPath(rel)
    return any(pure.match(pattern) or fnmatch.fnmatch(rel, pattern) for pattern in globs)


def load(path: Path, report: Reporter, *, meta_only: bool = False, keys: Any = None,
         shortcodes: Any = None) -> SourceArticle:
    """Read one source with the reader for its suffix, then apply its sidecar metadata file.

    With ``meta_only`` the body may be left unread (fields and identity only). ``keys``: a
    ``frontmatter.KeyMap`` (the site's names of front-matter keys), else the built-in one.
    ``shortcodes``: the site's ``shortcodes.Settings`` for the formats whose bodies call
    shortcodes (Markdown); None: the built-in ones only.
    """
    from publisher.sources.frontmatter import DEFAULT_KEYS, apply_sidecar

    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:  # held as surrogates: XML, URLs and the outputs' names cannot hold it
        raise SourceError("the file's path is not UTF-8; rename the file or its folder", path) from None
    reader = reader_for(path)
    if reader is None:
        raise SourceError(f"no reader for {path.suffix!r} files; use .md, .txt or .xml", path)
    data = read_bounded(path)
    reader.keys = keys or DEFAULT_KEYS
    reader.shortcodes = shortcodes  # set on every load: a reader keeps no site's settings for another
    article = (reader.read_meta if meta_only else reader.read)(path, data, report)
    apply_sidecar(article, report, reader.keys)
    return article


def read_bounded(path: Path) -> bytes:
    """A source or sidecar file's bytes; one larger than ``limits.SOURCE_BYTES`` is an error
    before it is read (a 100 MB Markdown file would take cmark, lxml and the feeds minutes)."""
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > limits.SOURCE_BYTES:
                raise SourceError(
                    f"the file is {size:,} bytes; an article source may have at most "
                    f"{limits.mib(limits.SOURCE_BYTES)} ({limits.SOURCE_BYTES:,} bytes)", path, 1)
            data = file.read(limits.SOURCE_BYTES + 1)
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror}", path) from exc
    if len(data) > limits.SOURCE_BYTES:  # it grew while being read
        raise SourceError(f"the file is larger than {limits.mib(limits.SOURCE_BYTES)}", path, 1)
    return data
