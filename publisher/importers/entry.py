"""An imported entry (what every feed format gives) and what the format readers share: the safe
XML parse, text of elements, dates, HTML as plain text."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from publisher.errors import SourceError
from publisher.normalize.html import parse_fragment
from publisher.xmlutil import PARSER

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass
class Entry:
    """One item of the source, as read; ``skip`` says why it cannot be an article ("" if it can).

    Dates are ISO 8601 text as they will be written (with the source's offset; without one,
    the site's zone applies when the article is built)."""

    number: int  # 1-based position among the source's items
    line: int | None  # where the item starts in the source (None for JSON)
    title: str = ""
    uri: str = ""  # the entry's own id as written (Atom id, RSS guid, JSON Feed id)
    canonical: str = ""
    date: str = ""
    updated: str = ""
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: str = ""
    deck: str = ""
    lang: str = ""  # the entry's own language, when the source gives one per entry
    bios: dict[str, list[str]] = field(default_factory=dict)  # author -> bio, paragraph by paragraph
    html: str = ""  # the body, HTML
    slug: str = ""  # the source's own URL name, when it has one
    draft: bool = False
    notes: list[str] = field(default_factory=list)  # reported with the item's line
    skip: str = ""

    def label(self) -> str:
        """How the report names the item: its title, else its id, else its number."""
        name = self.title or self.uri
        return f"item {self.number} {name!r}" if name else f"item {self.number}"


@dataclass
class Feed:
    kind: str  # "RSS 2.0", "Atom 1.0", "JSON Feed", "WordPress WXR"
    link: str  # the site's address, against which relative URLs are resolved ("" when unknown)
    entries: list[Entry]
    notes: list[tuple[int | None, str]] = field(default_factory=list)


def parse(data: bytes, path: Path) -> etree._Element:
    """The document's root, parsed by the build's one safe parser (no DTD loaded, no entity
    expanded, no network). A DOCTYPE declaring entities is refused: they are what XXE and
    "billion laughs" attacks are made of, and a feed has no use for them."""
    try:
        root = etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (None, None)
        raise SourceError(f"not well-formed XML: {exc.msg}; fix the file or export it again", path, line,
                          col) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise SourceError("the document declares entities in its DOCTYPE, which publisher import never "
                          "expands (they can read files or take all memory); remove the DOCTYPE", path, 1)
    return root


def text(el: etree._Element | None) -> str:
    """The text of ``el`` and its descendants (comments left out); an entity reference left
    unexpanded stays as written (``&name;``)."""
    if el is None:
        return ""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child, etree._Entity):
            parts.append(f"&{child.name};")
        elif isinstance(child.tag, str):
            parts.append(text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def inner_xml(el: etree._Element) -> str:
    """The markup inside ``el`` (Atom type="xhtml" content), as HTML text."""
    parts = [el.text or ""]
    for child in el:
        etree.cleanup_namespaces(child)
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", "".join(parts))


def one_line(value: str) -> str:
    return " ".join(value.split())


def html_text(html: str) -> str:
    """What a reader sees of ``html`` as one line of plain text (a summary)."""
    if "<" not in html and "&" not in html:
        return one_line(html)
    nodes = parse_fragment(html, [])
    return one_line("".join(n if isinstance(n, str) else "".join(n.itertext()) + (n.tail or "") for n in nodes))


def rfc822(value: str) -> str:
    """An RSS date (RFC 822) as ISO 8601, or "" when it is not one."""
    value = value.strip()
    if not value:
        return ""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return iso(value)  # many feeds write ISO 8601 where RFC 822 belongs
    return parsed.isoformat()


def iso(value: str) -> str:
    """An ISO 8601 / RFC 3339 date as the front matter writes it, or "" when it is not one."""
    value = value.strip()
    if not value:
        return ""
    candidate = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = dt.datetime.fromisoformat(candidate.replace(" ", "T", 1) if len(candidate) > 10 else candidate)
    except ValueError:
        return ""
    return parsed.isoformat() if len(candidate) > 10 else parsed.date().isoformat()


def instant(value: str) -> dt.datetime | None:
    """An ISO date as a datetime (naive when it has no offset), for comparing two of one entry."""
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""
