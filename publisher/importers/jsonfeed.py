"""JSON Feed 1.0 and 1.1 (jsonfeed.org) into entries."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from publisher.errors import SourceError
from publisher.importers.entry import Entry, Feed, iso, one_line


def read(data: bytes, path: Path) -> Feed:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text (byte {exc.start}); JSON Feed is UTF-8", path) from None
    except json.JSONDecodeError as exc:
        raise SourceError(f"not valid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    except RecursionError:
        raise SourceError("JSON nested too deep to be a feed", path) from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise SourceError("a JSON file that is not a JSON Feed (no \"version\": \"https://jsonfeed.org/version/1.1\")", path, 1)
    items = doc.get("items")
    if not isinstance(items, list):
        raise SourceError("the JSON Feed has no \"items\" list", path, 1)
    feed_authors = _authors(doc)
    entries = []
    for n, item in enumerate(items, 1):
        entries.append(_entry(item, n, feed_authors) if isinstance(item, dict) else
                       Entry(n, None, skip="not a JSON object"))
    return Feed("JSON Feed", _str(doc.get("home_page_url")), entries)


def _str(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    return one_line(str(value)) if isinstance(value, (str, int, float)) else ""


def _authors(obj: dict) -> list[str]:
    found = obj.get("authors")
    if not isinstance(found, list):
        found = [obj["author"]] if isinstance(obj.get("author"), dict) else []  # JSON Feed 1.0
    names = []
    for author in found:
        name = _str(author.get("name")) if isinstance(author, dict) else ""
        if name and name not in names:
            names.append(name)
    return names


def _entry(item: dict, number: int, feed_authors: list[str]) -> Entry:
    entry = Entry(number, None)
    entry.uri = _str(item.get("id"))
    entry.title = _str(item.get("title"))
    entry.canonical = _str(item.get("url"))
    if not entry.canonical and _str(item.get("external_url")):
        entry.canonical = _str(item.get("external_url"))
    entry.date = iso(_str(item.get("date_published")))
    updated = iso(_str(item.get("date_modified")))
    if not entry.date:
        entry.date = updated
    elif updated != entry.date:
        entry.updated = updated
    entry.authors = _authors(item) or list(feed_authors)
    entry.lang = _str(item.get("language"))
    tags = item.get("tags")
    for tag in tags if isinstance(tags, list) else []:
        tag = _str(tag)
        if tag and tag not in entry.tags:
            entry.tags.append(tag)
    html, plain = item.get("content_html"), item.get("content_text")
    if isinstance(html, str) and html.strip():
        entry.html = html
    elif isinstance(plain, str):
        entry.html = "".join(f"<p>{escape(p.strip(), quote=False)}</p>" for p in plain.split("\n\n") if p.strip())
    summary = item.get("summary")
    if isinstance(summary, str):
        entry.summary = one_line(summary)
    image = _str(item.get("image"))
    if image and image not in entry.html:
        entry.html = f'<p><img src="{escape(image)}" alt=""></p>' + entry.html
        entry.notes.append(f"its image {image} is put at the top of the body")
    attachments = item.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        url = _str(attachment.get("url")) if isinstance(attachment, dict) else ""
        if url and url not in entry.html:
            entry.html += f'<p><a href="{escape(url)}">{escape(url, quote=False)}</a></p>'
            entry.notes.append(f"its attachment {url} is kept as a link at the end of the body")
    return entry
