"""Preview pages as XHTML bytes, functions of the article views and the diagnostics: the index of
every article (drafts and scheduled ones marked), each article as the book shows it with its own
problems, and the not-found page. Only these pages carry the reload script; outputs never do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from urllib.parse import quote

from lxml import etree

from publisher.books.chapters import Rewriter, enclosure_link, shift_headings
from publisher.config import Config
from publisher.dates import parse_iso
from publisher.errors import Diagnostic
from publisher.model import ArticleView
from publisher.model.content import article_content, byline, human_date
from publisher.xmlutil import XHTML_NS, XML_LANG, H, strip_forbidden

#: Every preview URL but the index is under this prefix; all others are the build's outputs.
PREFIX = "/_preview/"
CSS_URL = PREFIX + "preview.css"
SCRIPT_URL = PREFIX + "reload.js"
EVENTS_URL = PREFIX + "events"
#: Media type of every preview page.
MEDIA_TYPE = "application/xhtml+xml; charset=utf-8"

#: The only script of the preview: reloads the page when the server says the site was rebuilt
#: (the generation it sends differs from the page's own). EventSource reconnects by itself.
RELOAD_JS = """\
(function () {
  "use strict";
  var mine = document.documentElement.getAttribute("data-generation");
  if (!window.EventSource || mine === null) return;
  var events = new EventSource("%s");
  events.onmessage = function (event) {
    if (event.data !== mine) { events.close(); window.location.reload(); }
  };
})();
""" % EVENTS_URL

_PREVIEW_CSS = """
/* The preview's own additions to the book's stylesheet: a column on a screen, marks, problems. */
html { background: #f4f1ea; }
body { max-width: 42em; margin: 0 auto; padding: 1em 1.5em 3em 1.5em; background: #ffffff;
       font-family: Georgia, "Times New Roman", serif; line-height: 1.5; color: #1a1a1a; }
.preview-bar { font-family: sans-serif; font-size: 0.85em; border-bottom: 1px solid #888888;
               padding: 0.4em 0; margin: 0 0 1.5em 0; }
.preview-bar a { margin-right: 1em; }
.mark { font-family: sans-serif; font-size: 0.75em; font-weight: bold; text-transform: uppercase;
        padding: 0.1em 0.4em; border-radius: 0.2em; margin-right: 0.4em; }
.mark-draft { background: #ffe08a; color: #5c4300; }
.mark-scheduled { background: #cfe3ff; color: #0b3a75; }
.status { font-family: sans-serif; padding: 0.5em 0.8em; background: #fff8dc; border: 1px solid #e0c060; }
.problems { font-family: sans-serif; font-size: 0.9em; border: 2px solid #b00020; padding: 0.5em 1em;
            margin: 0 0 1.5em 0; background: #fff4f4; }
.problems.warnings-only { border-color: #c07000; background: #fffaf0; }
.problems ul { padding-left: 1.2em; }
.problems code { font-size: 0.95em; }
.error { color: #b00020; }
.warning { color: #8a4b00; }
table.articles { width: 100%; font-family: sans-serif; font-size: 0.9em; }
table.articles td, table.articles th { border: 0; border-bottom: 1px solid #dddddd; }
"""


def stylesheet(config: Config) -> bytes:
    """The book's stylesheet with the preview's additions, then the site theme's book.css as the
    books have it (its url(fonts/NAME) resolve to the theme's fonts): pages look like chapters."""
    book = resources.files("publisher.books").joinpath("epub.css").read_text(encoding="utf-8")
    theme = config.theme
    own = f"\n/* The site's theme: {theme.name}/book.css */\n{theme.book_css}" if theme.book_css else ""
    return (book + _PREVIEW_CSS + own).encode("utf-8")


def theme_font(config: Config, name: str) -> bytes | None:
    """A font of the site's theme, by its file name, for the theme's stylesheet."""
    return next((font.data for font in config.theme.fonts if font.name == name), None)


def article_url(view: ArticleView) -> str:
    return f"{PREFIX}articles/{quote(view.slug, safe='')}.xhtml"


def media_url(path: str) -> str:
    return PREFIX + "media/" + quote(path)


@dataclass(frozen=True)
class Frame:
    """What every page shows around its content."""

    config: Config
    generation: int
    moment: dt.datetime  # the time that decides what is scheduled
    #: The errors of the latest build; when there are any, the pages are the last good preview.
    errors: tuple[Diagnostic, ...] = ()
    #: The outputs of the last good build (paths relative to the output folder).
    outputs: tuple[str, ...] = ()
    #: Problems by article source (relative to the articles folder), sidecars included.
    by_source: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    #: Problems of no article in the views (the config, feeds, sources with errors).
    others: tuple[Diagnostic, ...] = ()


def status(view: ArticleView, moment: dt.datetime) -> str:
    """"draft", "scheduled" (dated after ``moment``) or "published"."""
    if view.draft:
        return "draft"
    return "scheduled" if parse_iso(view.published) > moment else "published"


class _Links:
    """Points article links at their preview pages and local images at the preview's media URL."""

    select = Rewriter.select

    def __init__(self, views: list[ArticleView]) -> None:
        self.pages = {v.canonical: article_url(v) for v in views}
        self.media = {res.href: media_url(res.path) for v in views for res in v.resources}

    def __call__(self, el: etree._Element) -> None:
        href = el.get("href")
        if href is not None:
            base, _, frag = href.partition("#")
            if base in self.pages:
                el.set("href", self.pages[base] + ("#" + frag if frag else ""))
        src = el.get("src")
        if src is not None and src in self.media:
            el.set("src", self.media[src])
            el.attrib.pop("srcset", None)


def _clean(text: str) -> str:
    """Text an XML page can hold: a request path or a message may carry a NUL or a lone surrogate."""
    return strip_forbidden(text)


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, H + tag, {k.rstrip("_").replace("_", "-"): _clean(v) for k, v in attrs.items()})
    el.text = _clean(text) if text else text
    return el


def _page(frame: Frame, title: str, lang: str) -> tuple[etree._Element, etree._Element]:
    html = etree.Element(H + "html", nsmap={None: XHTML_NS})
    html.set(XML_LANG, lang)
    html.set("lang", lang)
    html.set("data-generation", str(frame.generation))
    head = _el(html, "head")
    _el(head, "meta", charset="utf-8")
    _el(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    _el(head, "title", title)
    _el(head, "link", rel="stylesheet", type="text/css", href=CSS_URL)
    _el(head, "script", "", src=SCRIPT_URL, defer="defer")
    body = _el(html, "body")
    bar = _el(body, "nav", class_="preview-bar", aria_label="Preview")
    _el(bar, "a", "All articles", href="/")
    _el(bar, "a", "Feeds", href="/feeds.html")
    _el(bar, "span", f"Preview of {frame.config.title}: not published")
    if frame.errors:
        _problems(body, "The sources have errors: this is the last good preview. Fix them and save; "
                  "the page reloads.", frame.errors)
    return html, body


def _where(d: Diagnostic) -> str:
    """``path:line:col`` of a diagnostic, as the command line prints it."""
    where = d.path
    if d.line is not None:
        where += f":{d.line}" + (f":{d.col}" if d.col is not None else "")
    return where


def _problems(parent: etree._Element, heading: str, found: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
    errors = any(d.severity == "error" for d in found)
    box = _el(parent, "section", class_="problems" if errors else "problems warnings-only",
              role="alert" if errors else "status")
    _el(box, "p", heading)
    items = _el(box, "ul")
    for d in found:
        li = _el(items, "li", class_=d.severity)
        _el(li, "code", _where(d)).tail = _clean(f": {d.severity}: {d.message}")


def _serialize(html: etree._Element) -> bytes:
    return etree.tostring(html, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>") + b"\n"


def _mark(parent: etree._Element, view: ArticleView, moment: dt.datetime) -> None:
    state = status(view, moment)
    if state == "draft":
        _el(parent, "span", "draft", class_="mark mark-draft")
    elif state == "scheduled":
        _el(parent, "span", "scheduled", class_="mark mark-scheduled",
            title=f"published from {human_date(view.published)}")


def index_page(frame: Frame, views: list[ArticleView]) -> bytes:
    """Every article, newest first, with its marks and problems; the site's outputs; the problems
    of no one article."""
    config = frame.config
    html, body = _page(frame, f"{config.title}: preview", config.language)
    _el(body, "h1", config.title)
    drafts = sum(status(v, frame.moment) == "draft" for v in views)
    scheduled = sum(status(v, frame.moment) == "scheduled" for v in views)
    _el(body, "p", f"{len(views)} article(s): {len(views) - drafts - scheduled} published, {drafts} draft(s), "
        f"{scheduled} scheduled. Drafts and scheduled articles are shown here only: the feeds and books "
        "leave them out until their time.", class_="summary")
    others = [d for d in frame.others if d not in frame.errors]  # those are shown above already
    if others:
        _problems(body, "Problems of the site:", others)
    table = _el(body, "table", class_="articles")
    head = _el(_el(table, "thead"), "tr")
    for name in ("Article", "Byline", "Date", "Problems"):
        _el(head, "th", name, scope="col")
    rows = _el(table, "tbody")
    for view in views:
        row = _el(rows, "tr", id="a-" + view.slug)
        cell = _el(row, "td")
        _mark(cell, view, frame.moment)
        link = _el(cell, "a", view.headline, href=article_url(view))
        if view.lang != config.language:
            link.set("lang", view.lang)
        _el(row, "td", byline(view))
        _el(_el(row, "td"), "time", human_date(view.published), datetime=view.published)
        found = frame.by_source.get(view.source, ())
        errors = sum(d.severity == "error" for d in found)
        text = (f"{errors} error(s), " if errors else "") + (f"{len(found) - errors} warning(s)" if found else "")
        cell = _el(row, "td", text.strip(", ") or "none")
        if found:
            cell.set("class", "error" if errors else "warning")
    outputs = [o for o in frame.outputs if "/" not in o or o.endswith(".epub")]
    if outputs:
        _el(body, "h2", "Outputs of the build")
        items = _el(body, "ul", class_="outputs")
        for path in outputs:
            _el(_el(items, "li"), "a", path, href="/" + quote(path))
    return _serialize(html)


def article_page(frame: Frame, view: ArticleView, views: list[ArticleView]) -> bytes:
    """The article as its book chapter shows it (headline, deck, byline, date, body, notes, bio),
    under its mark (draft, scheduled) and its problems with file and line."""
    html, body = _page(frame, view.headline, view.lang)
    state = status(view, frame.moment)
    if state != "published":
        note = ("Draft: not in the feeds or books until its draft mark is removed." if state == "draft" else
                f"Scheduled: in the feeds and books from {human_date(view.published)} ({view.published}).")
        _el(body, "p", note, class_="status")
    found = frame.by_source.get(view.source, ())
    if found:
        _problems(body, f"Problems of {view.source}:", found)
    article = article_content(view, with_header=True, rewrite=_Links(views))
    listen = enclosure_link(view, frame.config.language)  # as the chapter has it: its published URL
    if listen is not None:
        header = article.find(H + "header")
        (header if header is not None else article[0]).addnext(listen)
    shift_headings(article)
    body.append(article)
    return _serialize(html)


def not_found_page(frame: Frame, path: str) -> bytes:
    html, body = _page(frame, "Not found", frame.config.language)
    _el(body, "h1", "Not found")
    _el(body, "p", f"Nothing is served at {path!r}.")
    _el(_el(body, "p"), "a", "All articles", href="/")
    return _serialize(html)
