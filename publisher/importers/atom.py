"""Atom 1.0 (RFC 4287) into entries: id, title, alternate link, published/updated, authors,
categories, summary and content of any type."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

from lxml import etree

from publisher.importers.entry import (
    ATOM_NS,
    Entry,
    Feed,
    html_text,
    inner_xml,
    iso,
    one_line,
    text,
)

A = f"{{{ATOM_NS}}}"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read(root: etree._Element, path: Path) -> Feed:
    feed_authors = _authors(root)
    site = ""
    for link in root.iterfind(A + "link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            site = _url(link, link.get("href", ""))
            break
    entries = []
    for n, el in enumerate(root.iterfind(A + "entry"), 1):
        entries.append(_entry(el, n, feed_authors))
    return Feed("Atom 1.0", site, entries)


def _base(el: etree._Element) -> str:
    """The xml:base in force at ``el`` (RFC 4287 section 2: relative references resolve against it)."""
    chain = []
    node: etree._Element | None = el
    while node is not None:
        if node.get(_XML_BASE):
            chain.append(node.get(_XML_BASE))
        node = node.getparent()
    base = ""
    for value in reversed(chain):
        base = urljoin(base, value.strip())
    return base


def _url(el: etree._Element, value: str) -> str:
    value = value.strip()
    base = _base(el)
    return urljoin(base, value) if base else value


def _authors(el: etree._Element) -> list[str]:
    names = []
    for author in el.iterfind(A + "author"):
        name = one_line(text(author.find(A + "name")))
        if name and name not in names:
            names.append(name)
    return names


def _construct(el: etree._Element | None) -> str:
    """An Atom text construct (title, summary, content) as HTML."""
    if el is None:
        return ""
    kind = el.get("type", "text")
    if kind == "xhtml":
        div = el.find("{http://www.w3.org/1999/xhtml}div")
        return inner_xml(div) if div is not None else ""
    if kind == "html":
        return text(el)
    value = text(el)
    if kind not in ("text", "") and "/" in kind and not kind.startswith("text/"):
        return ""  # base64 media content: not a body
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _entry(el: etree._Element, number: int, feed_authors: list[str]) -> Entry:
    entry = Entry(number, el.sourceline)
    entry.uri = one_line(text(el.find(A + "id")))
    entry.title = html_text(_construct(el.find(A + "title")))
    for link in el.iterfind(A + "link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            entry.canonical = _url(link, link.get("href", ""))
            break
    published, updated = iso(text(el.find(A + "published"))), iso(text(el.find(A + "updated")))
    entry.date = published or updated
    if published and updated and updated != published:
        entry.updated = updated
    entry.authors = _authors(el)
    lang = el.get(_XML_LANG) or (el.find(A + "content").get(_XML_LANG) if el.find(A + "content") is not None else None)
    entry.lang = one_line(lang or "")
    source = el.find(A + "source")
    if not entry.authors and source is not None:
        entry.authors = _authors(source)
    if not entry.authors:
        entry.authors = list(feed_authors)
    for category in el.iterfind(A + "category"):
        tag = one_line(category.get("label") or category.get("term") or "")
        if tag and tag not in entry.tags:
            entry.tags.append(tag)
    content = el.find(A + "content")
    summary = _construct(el.find(A + "summary"))
    if content is not None and content.get("src"):
        href = _url(content, content.get("src", ""))
        entry.html = f'<p><a href="{href.replace("&", "&amp;").replace(chr(34), "&quot;")}">{href}</a></p>'
        entry.notes.append(f"its content is out of line ({href}): the body is a link to it")
        entry.summary = html_text(summary)
    elif content is not None:
        entry.html = _construct(content)
        if not entry.html and content.get("type"):
            entry.notes.append(f"its content of type {content.get('type')} is not text: not imported")
        entry.summary = html_text(summary)
    else:
        entry.html = summary
    base = _base(el)
    if base:
        entry.notes.append(f"relative URLs in its content resolve against the canonical URL, not xml:base {base}")
    return entry
