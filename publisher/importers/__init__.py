"""publisher import: the entries of an RSS 2.0, Atom 1.0 or JSON Feed file or a WordPress export
(WXR) as Markdown articles with full front matter, and a report of what was and was not imported.

One module per source format (rss, atom, jsonfeed, wxr) reads entries (entry.py); body.py
makes each body Markdown where that loses nothing, else keeps its HTML; writer.py writes the
files. The source is untrusted: read whole only under a size bound, XML through the build's
safe parser (no DTD, no entities, no network), written only into the target folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from publisher import limits
from publisher.errors import Reporter, SourceError
from publisher.importers import atom, body, jsonfeed, rss, wxr
from publisher.importers.entry import Entry, Feed, instant, local, parse
from publisher.importers.writer import Folder, document, slug_for

_ABSOLUTE_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:\S+$")
_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_ABSOLUTE_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


@dataclass
class Imported:
    path: str  # relative to the target folder
    entry: Entry
    body: str  # "markdown" or "html"


@dataclass
class Result:
    kind: str
    imported: list[Imported] = field(default_factory=list)
    skipped: list[Entry] = field(default_factory=list)


def read_feed(path: Path) -> Feed:
    """The source's entries; SourceError if it is too big or not a feed this reads."""
    size = path.stat().st_size
    if size > limits.IMPORT_BYTES:
        raise SourceError(f"is {size:,} bytes; publisher import reads at most {limits.mib(limits.IMPORT_BYTES)} "
                          "(split the export, e.g. by year)", path)
    with open(path, "rb") as fh:
        data = fh.read(limits.IMPORT_BYTES + 1)
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        return jsonfeed.read(data, path)
    if start != b"<":
        raise SourceError("is neither XML (RSS, Atom, a WordPress export) nor a JSON Feed", path, 1)
    root = parse(data, path)
    name = local(root)
    if name == "rss" and wxr.is_wxr(root):
        return wxr.read(root, path)
    if name == "rss":
        return rss.read(root, path)
    if root.tag == f"{{{atom.ATOM_NS}}}feed":
        return atom.read(root, path)
    if name == "RDF":
        raise SourceError("is RSS 1.0 (RDF), which publisher import does not read; export RSS 2.0 or Atom",
                          path, root.sourceline)
    raise SourceError(f"has a <{name}> root: not RSS 2.0, Atom 1.0 or a WordPress export", path, root.sourceline)


def run(source: Path, into: Path, report: Reporter, *, body_format: str = "md", dry_run: bool = False) -> Result:
    """Import ``source`` into the folder ``into``; every problem is a warning on ``report``
    with the item's line. With ``dry_run`` nothing is written (names are still chosen)."""
    feed = read_feed(source)
    for line, note in feed.notes:
        report.warn(source, note, line, code="import-note")
    result = Result(feed.kind)
    folder = Folder(into)
    seen: dict[str, int] = {}
    for entry in feed.entries:
        _check(entry, folder, seen)
        if entry.skip:  # its notes are about an article that is not made
            report.warn(source, f"{entry.label()} {entry.skip}", entry.line, code="not-imported")
            result.skipped.append(entry)
            continue
        for note in entry.notes:
            report.warn(source, f"{entry.label()}: {note}", entry.line, code="import-note")
        if len(entry.html) > 2 * limits.SOURCE_BYTES:  # not parsed at all: it could not be written
            entry.skip = (f"has a body of {len(entry.html):,} characters; an article source may have at most "
                          f"{limits.mib(limits.SOURCE_BYTES)}")
            report.warn(source, f"{entry.label()} {entry.skip}", entry.line, code="not-imported")
            result.skipped.append(entry)
            continue
        notes: list[str] = []
        nodes = body.prepare(entry.html, entry.canonical or feed.link, notes)
        body.lift_own_markup(nodes, entry)
        text, kind = body.as_markdown_body(nodes, body_format)
        for note in notes:
            report.warn(source, f"{entry.label()}: its body: {note}", entry.line, code="import-note")
        name, _ = folder.claim(entry.date, slug_for(entry.slug, _last_segment(entry.canonical), entry.title)
                                  or f"item-{entry.number}")
        data = document(_fields(entry, report, source), text).encode("utf-8")
        if len(data) > limits.SOURCE_BYTES:
            entry.skip = (f"would be a file of {len(data):,} bytes; an article source may have at most "
                          f"{limits.mib(limits.SOURCE_BYTES)}")
            report.warn(source, f"{entry.label()} {entry.skip}", entry.line, code="not-imported")
            result.skipped.append(entry)
            continue
        if not dry_run:
            folder.write(name, data.decode("utf-8"))
        if entry.uri:
            folder.uris[entry.uri] = name
        result.imported.append(Imported(name, entry, kind))
    return result


def _check(entry: Entry, folder: Folder, seen: dict[str, int]) -> None:
    """Set ``entry.skip`` when it cannot become an article."""
    if entry.skip:
        return
    if not entry.title:
        entry.skip = "has no title: not imported (an article needs a headline)"
    elif not entry.date:
        entry.skip = "has no date: not imported (an article needs a publication date)"
    elif entry.uri and entry.uri in seen:
        entry.skip = f"repeats the id of item {seen[entry.uri]} ({entry.uri}): not imported twice"
    elif entry.uri and entry.uri in folder.uris:
        entry.skip = f"is already imported as {folder.uris[entry.uri]} (same uri): not imported again"
    if entry.uri:
        seen.setdefault(entry.uri, entry.number)


def _last_segment(url: str) -> str:
    """The name an address gives its article (``/2019/05/hello-world/``: hello-world); none when a
    query names it (``/?p=12``) or the path is the site's."""
    parts = urlsplit(url)
    if parts.query or not parts.netloc:
        return ""
    segments = [s for s in parts.path.split("/") if s]
    return segments[-1].rsplit(".", 1)[0] if len(segments) > 0 else ""


def _fields(entry: Entry, report: Reporter, source: Path) -> dict:
    """The front matter of an entry, in the order a person reads it."""
    fields: dict = {"title": entry.title}
    if entry.deck:
        fields["deck"] = entry.deck
    if entry.authors:
        fields["authors"] = [{"name": a, "bio": "\n\n".join(entry.bios[a])} if a in entry.bios else a
                             for a in entry.authors]
    fields["date"] = entry.date
    if entry.updated:
        first, then = instant(entry.date), instant(entry.updated)
        comparable = first is not None and then is not None and (first.tzinfo is None) == (then.tzinfo is None)
        if comparable and then > first:
            fields["updated"] = entry.updated
        elif comparable and then < first:
            report.warn(source, f"{entry.label()}: its update time {entry.updated} is before its date: left out",
                        entry.line, code="import-note")
    if entry.tags:
        fields["tags"] = entry.tags
    if entry.summary:
        fields["summary"] = entry.summary
    if entry.lang and _LANG.match(entry.lang):
        fields["lang"] = entry.lang
    elif entry.lang:
        report.warn(source, f"{entry.label()}: its language {entry.lang!r} is not a BCP 47 tag: the site's "
                    "language applies", entry.line, code="import-note")
    if entry.uri and _ABSOLUTE_URI.match(entry.uri):
        fields["uri"] = entry.uri
    elif entry.uri and not re.search(r"\s", entry.uri):
        fields["id"] = entry.uri
        report.warn(source, f"{entry.label()}: its id {entry.uri!r} is not a URI, so it is kept as the article's "
                    "id and its feed id is made from it: readers may show it once more", entry.line,
                    code="import-note")
    elif entry.uri:
        report.warn(source, f"{entry.label()}: its id {entry.uri!r} has spaces and cannot be kept: readers "
                    "may show it once more", entry.line, code="import-note")
    if entry.canonical and _ABSOLUTE_URL.match(entry.canonical):
        fields["canonical"] = entry.canonical
    elif entry.canonical:
        report.warn(source, f"{entry.label()}: its link {entry.canonical!r} is not an absolute http(s) URL: "
                    "its URL is made by this site's article_url", entry.line, code="import-note")
    if entry.draft:
        fields["draft"] = True
    return fields
