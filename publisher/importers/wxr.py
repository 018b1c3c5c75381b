"""WordPress export files (WXR: RSS 2.0 with wp:, content:encoded, excerpt:encoded) into entries:
posts only (pages, attachments and menu items are reported), drafts kept as drafts, authors by
display name, categories and tags, the post's slug and guid, and WordPress's stored text
(paragraphs by blank lines, [caption] shortcodes, <!--more-->) made into HTML."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from publisher.importers import rss
from publisher.importers.entry import CONTENT_NS, Entry, Feed, html_text, iso, local, one_line, text

WP_PREFIX = "http://wordpress.org/export/"
#: wp:status -> imported as a draft (True), as published (False), or not at all (None).
STATUS = {"publish": False, "future": False, "draft": True, "pending": True, "private": True,
          "trash": None, "auto-draft": None, "inherit": None}
_ZERO_DATE = "0000-00-00 00:00:00"
_MORE = re.compile(r"<!--more(.*?)-->", re.IGNORECASE)
_CAPTION = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.DOTALL | re.IGNORECASE)
_EMBED = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
_SHORTCODE = re.compile(r"\[([a-z][a-z0-9_-]*)(?:\s[^\]]*)?\]", re.IGNORECASE)
#: Block-level elements that WordPress's autop leaves unwrapped.
_BLOCK = re.compile(r"^\s*<(?:p|div|h[1-6]|ul|ol|li|dl|blockquote|pre|table|figure|hr|address|"
                    r"section|article|aside|form|fieldset|details|iframe|script|style|!--)[\s>/]", re.IGNORECASE)
_IMG = re.compile(r"<img\b[^>]*>|<a\b[^>]*>\s*<img\b[^>]*>\s*</a>", re.IGNORECASE | re.DOTALL)


def is_wxr(root: etree._Element) -> bool:
    return any(ns and ns.startswith(WP_PREFIX) for ns in root.nsmap.values())


def _wp(el: etree._Element, name: str) -> etree._Element | None:
    for child in el:
        if isinstance(child.tag, str) and child.tag.startswith("{" + WP_PREFIX) and local(child) == name:
            # wp:post_name and excerpt:encoded share the prefix; excerpt's namespace ends in /excerpt/
            if not child.tag.startswith("{" + WP_PREFIX) or "/excerpt/" in child.tag:
                continue
            return child
    return None


def _excerpt(el: etree._Element) -> str:
    for child in el:
        if isinstance(child.tag, str) and child.tag.startswith("{" + WP_PREFIX) and "/excerpt/" in child.tag:
            return text(child)
    return ""


def read(root: etree._Element, path: Path) -> Feed:
    channel = root.find("channel")
    if channel is None:
        return Feed("WordPress WXR", "", [], [(root.sourceline, "the export has no <channel>: nothing to import")])
    site = one_line(text(channel.find("link")))
    names: dict[str, str] = {}
    for author in channel:
        if isinstance(author.tag, str) and author.tag.startswith("{" + WP_PREFIX) and local(author) == "author":
            login = one_line(text(_wp(author, "author_login")))
            shown = one_line(text(_wp(author, "author_display_name")))
            if login:
                names[login] = shown or login
    entries = [_entry(item, n, site, names) for n, item in enumerate(channel.iterfind("item"), 1)]
    return Feed("WordPress WXR", site, entries)


def _entry(item: etree._Element, number: int, site: str, names: dict[str, str]) -> Entry:
    entry = rss.item_entry(item, number, site)
    entry.notes.clear()
    post_type = one_line(text(_wp(item, "post_type"))) or "post"
    status = one_line(text(_wp(item, "status"))) or "publish"
    if post_type != "post":
        entry.skip = f"is a WordPress {post_type}, not a post: only posts are imported" + (
            " (copy its text into an article by hand if it should be one)" if post_type == "page" else "")
        return entry
    draft = STATUS.get(status)
    if draft is None:
        entry.skip = f"has status {status!r}: not imported (only published, scheduled, pending, private and draft posts are)"
        return entry
    entry.draft = draft
    if status in ("pending", "private"):
        entry.notes.append(f"its status {status!r} is imported as a draft")
    gmt = one_line(text(_wp(item, "post_date_gmt")))
    local_date = one_line(text(_wp(item, "post_date")))
    if gmt and gmt != _ZERO_DATE:
        entry.date = iso(gmt.replace(" ", "T") + "+00:00")
    elif local_date and local_date != _ZERO_DATE:
        entry.date = iso(local_date)  # the blog's own clock: the site's time zone applies
        entry.notes.append("it has no UTC date (wp:post_date_gmt): its local date is read in the site's time zone")
    modified = one_line(text(_wp(item, "post_modified_gmt")))
    if modified and modified != _ZERO_DATE and entry.date:
        updated = iso(modified.replace(" ", "T") + "+00:00")
        entry.updated = updated if updated > entry.date and "+" in entry.date else ""
    entry.authors = [names.get(login, login) for login in entry.authors]
    entry.tags = []
    for category in item.iterfind("category"):
        if category.get("domain") in ("category", "post_tag"):
            tag = one_line(text(category))
            if tag and tag not in entry.tags:
                entry.tags.append(tag)
    entry.slug = unquote(one_line(text(_wp(item, "post_name"))))
    content = text(item.find(f"{{{CONTENT_NS}}}encoded"))
    excerpt = _excerpt(item)
    more = _MORE.search(content)
    if excerpt.strip():
        entry.summary = html_text(autop(excerpt))
    elif more:
        entry.summary = html_text(autop(_shortcodes(content[: more.start()], entry)))
    entry.html = autop(_shortcodes(_MORE.sub("", content), entry))
    if not entry.canonical and site:
        entry.notes.append("it has no <link>: its URL is made by this site's article_url")
    return entry


def _shortcodes(content: str, entry: Entry) -> str:
    """[caption] as a figure with its caption, [embed] as a link; any other shortcode stays as
    written, reported (WordPress ran them when it showed the post: here they would be text)."""

    def caption(m: re.Match) -> str:
        inner = m.group(2).strip()
        image = _IMG.search(inner)
        if image is None:
            return inner
        words = (inner[: image.start()] + inner[image.end():]).strip()
        return f"<figure>{image.group(0)}<figcaption>{words}</figcaption></figure>"

    content = _CAPTION.sub(caption, content)
    content = _EMBED.sub(lambda m: f'<p><a href="{escape(m.group(1).strip())}">{escape(m.group(1).strip())}</a></p>', content)
    seen = []
    for m in _SHORTCODE.finditer(re.sub(r"<[^>]*>", "", content)):
        name = m.group(1).lower()
        if name not in seen and not name.startswith("/"):
            seen.append(name)
    if seen:
        entry.notes.append("WordPress shortcode(s) " + ", ".join(f"[{n}]" for n in seen)
                           + " kept as written, as text: replace them by hand")
    return content


def autop(content: str) -> str:
    """WordPress's stored text as HTML: it keeps paragraphs as blank lines and line breaks as
    newlines, and adds the <p> and <br> only when it shows a post (its wpautop). Blocks that
    are HTML already (and the block editor's, whose markup is whole) are left as they are."""
    content = content.replace("\r\n", "\n").replace("\r", "\n")
    if not content.strip():
        return ""
    out = []
    for chunk in re.split(r"\n\s*\n", content.strip()):
        if _BLOCK.match(chunk) or _has_block(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.strip().replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(out)


def _has_block(chunk: str) -> bool:
    return bool(re.search(r"</(?:p|div|figure|ul|ol|table|blockquote|pre|h[1-6])>\s*$", chunk, re.IGNORECASE))
