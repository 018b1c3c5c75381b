"""RSS 2.0 (and RSS with content:encoded, dc:creator, dcterms:modified, atom:link) into entries."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from publisher.importers.entry import (
    ATOM_NS,
    CONTENT_NS,
    DC_NS,
    DCTERMS_NS,
    Entry,
    Feed,
    html_text,
    iso,
    one_line,
    rfc822,
    text,
)

#: ``<author>`` as RSS 2.0 writes it: "mail@example.com (Name)".
_MAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((.+)\)\s*$")


def read(root: etree._Element, path: Path) -> Feed:
    channel = root.find("channel")
    if channel is None:
        return Feed("RSS 2.0", "", [], [(root.sourceline, "the <rss> element has no <channel>: nothing to import")])
    link = one_line(text(channel.find("link")))
    entries = [item_entry(item, n, link) for n, item in enumerate(channel.iterfind("item"), 1)]
    return Feed("RSS 2.0", link, entries)


def authors(item: etree._Element) -> list[str]:
    """dc:creator (each; one holding "A, B" is several, as this tool's own feeds write
    co-authors), else <author>'s name (or address)."""
    names: list[str] = []
    for creator in item.iterfind(f"{{{DC_NS}}}creator"):
        for name in one_line(text(creator)).split(", "):
            if name.strip() and name.strip() not in names:
                names.append(name.strip())
    if not names:
        for author in item.iterfind("author"):
            value = one_line(text(author))
            m = _MAIL_NAME.match(value)
            name = m.group(1).strip() if m else value
            if name and name not in names:
                names.append(name)
    return names


def item_entry(item: etree._Element, number: int, site: str) -> Entry:
    entry = Entry(number, item.sourceline)
    entry.title = one_line(text(item.find("title")))
    entry.canonical = one_line(text(item.find("link")))
    guid = item.find("guid")
    if guid is not None:
        entry.uri = one_line(text(guid))
        if not entry.canonical and guid.get("isPermaLink", "true") == "true" and entry.uri.startswith(("http://", "https://")):
            entry.canonical = entry.uri
    written = one_line(text(item.find("pubDate")))
    entry.date = rfc822(written)
    if not entry.date:  # many feeds date items with Dublin Core instead
        entry.date = iso(text(item.find(f"{{{DC_NS}}}date")))
    if written and not entry.date:
        entry.notes.append(f"pubDate {written!r} is not an RFC 822 date")
    updated = item.find(f"{{{DCTERMS_NS}}}modified")
    if updated is None:
        updated = item.find(f"{{{ATOM_NS}}}updated")
    entry.updated = iso(text(updated)) if updated is not None else ""
    entry.authors = authors(item)
    entry.lang = one_line(text(item.find(f"{{{DC_NS}}}language")))
    for category in item.iterfind("category"):
        tag = one_line(text(category))
        if tag and tag not in entry.tags:
            entry.tags.append(tag)
    description = text(item.find("description"))
    content = item.find(f"{{{CONTENT_NS}}}encoded")
    if content is not None and text(content).strip():
        entry.html = text(content)
        entry.summary = html_text(description)
    else:
        entry.html = description
    for enclosure in item.iterfind("enclosure"):
        url = (enclosure.get("url") or "").strip()
        if url and url not in entry.html:
            kind = enclosure.get("type") or "a file"
            entry.html += f'\n<p><a href="{_attr(url)}">{_attr(url)}</a></p>'
            entry.notes.append(f"its enclosure ({kind}) {url} is kept as a link at the end of the body")
    return entry


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
