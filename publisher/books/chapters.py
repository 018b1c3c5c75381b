"""One article as a chapter of a book: its XHTML with URLs inside the book, EPUB notes and links
to the previous and next article and back to its section in the contents."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from lxml import etree

from publisher.i18n import _
from publisher.model import ArticleView
from publisher.model.content import article_content
from publisher.xmlutil import EPUB_NS, XHTML_NS, XML_LANG, H

CSS_PATH = "style/book.css"
CONTENTS = "front/contents.xhtml"
EPUB_TYPE = "{%s}type" % EPUB_NS
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")
#: Elements that load a resource from the network; in a book only embedded images may.
_REMOTE_ONLY = {H + n for n in ("video", "audio", "source", "track")}
_IMG, _INPUT = H + "img", H + "input"


def chapter_name(view: ArticleView) -> str:
    return f"text/{view.slug}.xhtml"


def media_name(path: str) -> str:
    """Where an image is inside the book: its path under media/, made safe for every reader.

    Spaces, non-ASCII letters and the like are not valid in EPUB URLs and trouble older
    readers, so such a name becomes ASCII with a short hash of the original (no two collide).
    """
    if _SAFE_PATH.match(path):
        return "media/" + path
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    safe = lambda text: re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", text)  # noqa: E731
                              .encode("ascii", "ignore").decode("ascii")).strip("-.") or "x"
    digest = hashlib.sha1(path.encode("utf-8")).hexdigest()[:8]
    last = f"{safe(stem)}-{digest}" + (f".{safe(ext)}" if ext else "")
    parts = [safe(p) for p in folder.split("/") if p] + [last]
    return "media/" + "/".join(parts)


class Rewriter:
    """Points body URLs at what is inside the book: chapters for article links, embedded images.

    Articles outside this edition stay links to their canonical URL on the web. A book loads
    nothing from the network, so a remote image, video or audio becomes a link to it (its
    ``source`` and ``track`` alternatives go). Elements are replaced in :meth:`finish`, after the
    walk over the tree: replacing one that has children during the walk would end it early.
    """

    def __init__(self, views: list[ArticleView]) -> None:
        self.chapters = {v.canonical: chapter_name(v) for v in views}
        self.media: dict[str, str] = {}
        for view in views:
            for res in view.resources:
                self.media[res.href] = media_name(res.path)
        self.pending: list[etree._Element] = []

    #: The elements :meth:`__call__` changes or asks about; it leaves every other one alone.
    select = etree.XPath(
        "descendant-or-self::*[@href or @src or @poster or @srcset or self::h:img or self::h:video"
        " or self::h:audio or self::h:source or self::h:track]",
        namespaces={"h": XHTML_NS},
    )

    def __call__(self, el: etree._Element) -> None:
        href = el.get("href")
        if href is not None:
            base, _, frag = href.partition("#")
            target = self.chapters.get(base)
            if target is not None:
                el.set("href", "../" + target + ("#" + frag if frag else ""))
        tag = el.tag
        if tag == _IMG:
            local = self.media.get(el.get("src", ""))
            if local is not None:
                el.set("src", "../" + local)
                el.attrib.pop("srcset", None)
            else:
                self.pending.append(el)
            return
        if tag in _REMOTE_ONLY:
            self.pending.append(el)
        for name in ("poster", "srcset"):
            el.attrib.pop(name, None)
        if tag == _INPUT:
            el.attrib.pop("src", None)

    def finish(self) -> None:
        """Replace, after the walk, what cannot be in the book."""
        for el in self.pending:
            parent = el.getparent()
            if parent is None:
                continue
            if el.tag in (H + "source", H + "track"):
                _unwrap(el)
                continue
            src = el.get("src") or next((s.get("src") for s in el.iter(H + "source") if s.get("src")), "")
            text = el.get("alt") or el.get("title") or " ".join("".join(el.itertext()).split()) or src
            if el.tag == H + "img" and parent.tag == H + "picture":  # the picture goes as a whole
                el, parent = parent, parent.getparent()
            link = etree.Element(H + "a", href=src) if src else etree.Element(H + "span")
            link.text = text or None
            link.tail = el.tail
            parent.replace(el, link)
        self.pending.clear()


def _unwrap(el: etree._Element) -> None:
    """Put el's content where el is (HTML parsers sometimes nest the fallback inside a source)."""
    parent, prev = el.getparent(), el.getprevious()
    pieces: list = [el.text or ""]
    for child in list(el):
        pieces += [child]
    pieces.append(el.tail or "")
    index = parent.index(el)
    parent.remove(el)
    for piece in pieces:
        if isinstance(piece, str):
            if not piece:
                continue
            if prev is not None:
                prev.tail = (prev.tail or "") + piece
            else:
                parent.text = (parent.text or "") + piece
        else:
            parent.insert(index, piece)  # its own tail moves with it
            index += 1
            prev = piece


def _classes(el: etree._Element | None) -> list[str]:
    return (el.get("class") or "").split() if el is not None else []


def epub_notes(article: etree._Element) -> None:
    """Markdown footnotes (GFM's or markdown-it's markup) as EPUB 3 notes that readers can pop up.

    Each note of the list becomes an ``aside`` (epub:type="footnote", role="doc-footnote") in a
    ``section`` (epub:type="footnotes", labelled "Notes"), numbered as before; references get
    epub:type="noteref" and role="doc-noteref", back-links role="doc-backlink".
    """
    for section in article.iter(H + "section"):
        if "footnotes" not in _classes(section) and section.get("data-footnotes") is None:
            continue
        section.set(EPUB_TYPE, "footnotes")
        # no heading: Apple Books keeps footnote asides out of the page, which would leave it alone
        section.set("aria-label", "Notes")
        for ol in section.findall(H + "ol"):
            _notes_as_asides(section, ol)
    for a in article.iter(H + "a"):
        if "footnote-backref" in _classes(a) or a.get("data-footnote-backref") is not None:
            a.set("role", "doc-backlink")
        elif a.get("data-footnote-ref") is not None or "footnote-ref" in _classes(a.getparent()):
            a.set(EPUB_TYPE, "noteref")
            a.set("role", "doc-noteref")


def _notes_as_asides(section: etree._Element, ol: etree._Element) -> None:
    number = int(ol.get("start", "1")) if ol.get("start", "1").isdigit() else 1
    asides = []
    for li in ol.findall(H + "li"):
        aside = etree.Element(H + "aside", {k: v for k, v in li.attrib.items() if k in ("id", "class")})
        aside.set(EPUB_TYPE, "footnote")
        aside.set("role", "doc-footnote")
        aside.text, aside[:] = li.text, list(li)
        label = etree.Element(H + "span", {"class": "note-number"})
        label.text = f"{number}. "
        # the number goes into the note's first paragraph, or before its text
        in_paragraph = len(aside) and aside[0].tag == H + "p" and not (aside.text or "").strip()
        holder = aside[0] if in_paragraph else aside
        label.tail, holder.text = holder.text, None
        holder.insert(0, label)
        asides.append(aside)
        number += 1
    index = section.index(ol)
    section.remove(ol)
    for offset, aside in enumerate(asides):
        section.insert(index + offset, aside)


@dataclass(frozen=True)
class Neighbours:
    """Where a chapter's links lead: the articles before and after it, and its section."""

    previous: ArticleView | None
    next: ArticleView | None
    section_id: str  # fragment in the contents page; "" for an ungrouped book
    section_label: str
    site_lang: str


def _link(parent: etree._Element, href: str, label: str, text: str, lang: str | None,
          rel: str | None) -> None:
    p = etree.SubElement(parent, H + "p")
    p.text = label
    a = etree.SubElement(p, H + "a", href=href)
    if rel:
        a.set("rel", rel)
    if lang:
        span = etree.SubElement(a, H + "span")
        span.set(XML_LANG, lang)
        span.set("lang", lang)
        span.text = text
    else:
        a.text = text


def article_nav(view: ArticleView, around: Neighbours) -> etree._Element:
    """Links after the article: previous, the section in the contents, next."""
    lang = around.site_lang
    nav = etree.Element(H + "nav", {"class": "article-nav", "aria-label": _(lang, "Between articles")})
    if around.site_lang != view.lang:
        nav.set(XML_LANG, around.site_lang)
        nav.set("lang", around.site_lang)

    def lang_of(other: ArticleView) -> str | None:
        return other.lang if other.lang != around.site_lang else None

    if around.previous is not None:
        _link(nav, "../" + chapter_name(around.previous), _(lang, "Previous: "), around.previous.headline,
              lang_of(around.previous), "prev")
    contents = "../" + CONTENTS + (f"#{around.section_id}" if around.section_id else "")
    section = (_(lang, "All articles in {section}", section=around.section_label) if around.section_label
               else _(lang, "All articles"))
    _link(nav, contents, "", section, None, None)
    if around.next is not None:
        _link(nav, "../" + chapter_name(around.next), _(lang, "Next: "), around.next.headline, lang_of(around.next),
              "next")
    return nav


#: What a book's link calls each media type.
MEDIA_LABELS = {"audio/mpeg": "MP3", "audio/mp4": "M4A", "audio/aac": "AAC", "audio/ogg": "Ogg", "audio/wav": "WAV",
                "audio/flac": "FLAC", "audio/webm": "WebM", "video/mp4": "MP4", "video/quicktime": "MOV",
                "video/webm": "WebM", "video/ogg": "Ogg"}


def _duration_text(seconds: int) -> str:
    """'45 s', '24 min', '1 h 5 min': unit symbols, which every language of the books writes so."""
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def enclosure_link(view: ArticleView, lang: str) -> etree._Element | None:
    """A paragraph linking the article's audio or video at its published URL ("Listen (MP3,
    24 min)"): books do not embed media (their size; few readers play them)."""
    enc = view.enclosure
    if enc is None:
        return None
    label = MEDIA_LABELS.get(enc.type, enc.type.split("/")[1].upper())
    if enc.type.startswith("audio/"):
        text = (_(lang, "Listen ({format}, {duration})", format=label, duration=_duration_text(enc.duration))
                if enc.duration else _(lang, "Listen ({format})", format=label))
    else:
        text = (_(lang, "Watch ({format}, {duration})", format=label, duration=_duration_text(enc.duration))
                if enc.duration else _(lang, "Watch ({format})", format=label))
    p = etree.Element(H + "p", {"class": "enclosure"})
    if lang != view.lang:
        p.set(XML_LANG, lang)
        p.set("lang", lang)
    etree.SubElement(p, H + "a", href=enc.href).text = text
    return p


_HEADINGS = tuple(H + f"h{n}" for n in range(1, 7))


def shift_headings(article: etree._Element) -> None:
    """Body headings under the chapter's headline (its only h1): the first becomes h2, and each
    goes at most one level deeper than the one before it (sources jump from the headline to h4,
    or use h1 for their sections; Ace reports heading-order). Sibling levels stay siblings:
    a heading takes the level it got where its source level was last seen above it."""
    header = article.find(H + "header")
    stack: list[tuple[int, int]] = []  # (source level, level in the book), outermost first
    for el in article.iter(_HEADINGS):
        if header is not None and el.getparent() is header:
            continue
        source = int(el.tag[-1])
        while stack and stack[-1][0] > source:
            stack.pop()
        if stack and stack[-1][0] == source:
            level = stack[-1][1]
        else:
            level = min(stack[-1][1] + 1 if stack else 2, 6)
            stack.append((source, level))
        el.tag = H + f"h{level}"


def chapter_tree(view: ArticleView, rewrite: Rewriter, around: Neighbours) -> etree._Element:
    """The chapter's XHTML document, before the conformance repairs (see epubfix)."""
    html = etree.Element(H + "html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    html.set(XML_LANG, view.lang)
    html.set("lang", view.lang)
    head = etree.SubElement(html, H + "head")
    etree.SubElement(head, H + "title").text = view.headline
    etree.SubElement(head, H + "link", rel="stylesheet", type="text/css", href="../" + CSS_PATH)
    body = etree.SubElement(html, H + "body")
    body.set(EPUB_TYPE, "bodymatter")
    article = article_content(view, with_header=True, rewrite=rewrite)
    rewrite.finish()
    listen = enclosure_link(view, around.site_lang)
    if listen is not None:  # under the headline, before the text
        header = article.find(H + "header")
        (header if header is not None else article[0]).addnext(listen)
    shift_headings(article)
    epub_notes(article)
    body.append(article)
    body.append(article_nav(view, around))
    return html
