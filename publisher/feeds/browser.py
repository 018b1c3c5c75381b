"""The feeds in a browser: the CSS stylesheet every feed points to, and a plain HTML page of all feeds.

No XSLT: Chromium is removing it (a deprecation banner today; with it off, raw XML under "This
document cannot be formatted as intended"), and a feed with an XSLT stylesheet opened from
file:// is a blank page. A CSS stylesheet processing instruction works in every browser that
shows XML, over http and file://.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from lxml import etree
from lxml import html as lxml_html

from publisher.config import Config
from publisher.dates import parse_iso
from publisher.i18n import _, join_names, long_date
from publisher.model import ArticleView
from publisher.theme import render_page

STYLESHEET = "feed.css"
#: How many articles feeds.html lists.
LATEST = 20
#: Shown for a FeedLink.kind, in this order within one feed.
KINDS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
#: (path prefix, heading) of the groups on feeds.html; "" is the rest (the site's own feeds).
#: The headings are messages of publisher.i18n, shown in the site's language.
GROUPS = (("", "Everything on the site"), ("tags/", "By topic"), ("authors/", "By author"))
PAGE = "feeds.html"


@dataclass(frozen=True)
class FeedLink:
    title: str  # e.g. "The Harbour Dispatch: Port"
    path: str  # output-relative path, e.g. "tags/port/atom.xml"
    kind: str  # "rss" | "atom" | "json"


def browser_files(
    config: Config, views: list[ArticleView], feeds: list[FeedLink]
) -> dict[str, bytes]:
    """{"feed.css": ..., "feeds.html": ...}: the stylesheet the feeds reference and the plain HTML page."""
    return {
        STYLESHEET: feed_stylesheet(config),
        PAGE: feeds_page(config, views, feeds, _resource("feeds-page.css")),
    }


def _resource(name: str) -> str:
    return resources.files("publisher.feeds").joinpath(name).read_text(encoding="utf-8")


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (quotes, backslashes and line ends escaped)."""
    escaped = "".join(c if c.isprintable() and c not in '"\\' else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def feed_stylesheet(config: Config) -> bytes:
    """feed.css: the feeds shown as a page, under a note saying what a feed is and where every
    feed of the site is listed (a URL to copy: CSS cannot make links)."""
    lang = config.language
    note = (_(lang, "This is a web feed of {site}. To follow it, copy the address of this page into a feed reader.",
              site=config.title) + "\n"
            + _(lang, "Every feed of the site, and how to subscribe: {url}", url=config.url(PAGE)))
    rule = f"channel::before, atom|feed::before {{ content: {css_string(note)}; }}\n"
    theme = config.theme
    if theme.feed_css:  # the site's rules after the built-in ones (its namespaces, atom| and dc|, hold)
        rule += f"\n/* The site's theme: {theme.name + '/' + STYLESHEET} */\n" + theme.feed_css
    return (_resource(STYLESHEET) + rule).encode("utf-8")


def feeds_page(config: Config, views: list[ArticleView], feeds: list[FeedLink], css: str) -> bytes:
    """A static HTML5 page: what feeds are, how to subscribe, every feed, the latest articles;
    made from the theme's feeds.html template when the site has one."""
    if config.theme.feeds_page is not None:
        return render_page(config.theme, page_context(config, views, feeds, css))
    lang = config.language
    root = lxml_html.Element("html", lang=lang)
    head = _el(root, "head")
    _el(head, "meta", charset="utf-8")
    _el(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    _el(head, "title", _(lang, "{site}: feeds", site=config.title))
    _el(head, "meta", name="description", content=_(lang, "How to follow {site} in a feed reader", site=config.title))
    for feed in _grouped(feeds).get("", []):
        for link in feed:
            if link.kind in MEDIA_TYPES:
                _el(head, "link", rel="alternate", type=MEDIA_TYPES[link.kind],
                    title=f"{link.title} ({KINDS[link.kind]})", href=config.url(link.path))
    _el(head, "style", "\n" + css.strip() + "\n")

    page = _el(_el(root, "body"), "div", class_="page")
    header = _el(page, "header")
    _el(header, "p", _(lang, "Feeds"), class_="kicker")
    _el(header, "h1", config.title)
    if config.description:
        _el(header, "p", config.description, class_="description")
    _el(_el(header, "p"), "a", _(lang, "Visit the website"), href=config.site_url)
    main = _el(page, "main")
    _how_to(main, config)
    _feed_list(main, config, feeds)
    _latest(main, config, views)
    return lxml_html.tostring(
        root, doctype="<!DOCTYPE html>", encoding="utf-8", method="html", pretty_print=True
    )


def page_context(config: Config, views: list[ArticleView], feeds: list[FeedLink], css: str) -> dict:
    """What a theme's feeds.html template is given (README, "Themes"): plain values, text that
    autoescaping escapes, and the built-in page's stylesheet as ``style``."""
    from markupsafe import Markup

    lang = config.language
    groups = _grouped(feeds)
    newest = sorted(views, key=ArticleView.sort_key, reverse=True)[:LATEST]
    return {
        "site": {"title": config.title, "description": config.description, "url": config.site_url,
                 "language": lang, "feeds_page": config.url(PAGE)},
        "style": Markup(css.replace("</", "<\\/")),  # ours; a </style> cannot end it early
        "groups": [{"heading": _(lang, heading), "feeds": [
            {"title": links[0].title, "links": [
                {"kind": link.kind, "label": KINDS.get(link.kind, link.kind.upper()), "url": config.url(link.path),
                 "type": MEDIA_TYPES.get(link.kind, "")} for link in links]}
            for links in groups[prefix]]} for prefix, heading in GROUPS if prefix in groups],
        "latest": [{"headline": v.headline, "url": v.canonical, "published": v.published,
                    "date": long_date(parse_iso(v.published).date(), lang), "summary": v.summary or "",
                    "authors": [a.name for a in v.authors], "lang": v.lang or v.language or lang}
                   for v in newest],
    }


def _how_to(main: etree._Element, config: Config) -> None:
    lang = config.language
    box = _section(main, "subscribe", class_="subscribe")
    _el(box, "h2", _(lang, "How to subscribe"), id="subscribe-heading")
    _el(box, "p", _(lang, "A feed lets you follow {site} without visiting the site or signing up: "
                          "new articles arrive by themselves in a feed reader, an app or website that "
                          "collects the feeds you choose. No account or e-mail address is needed.",
                    site=config.title))
    steps = _el(box, "ol", class_="steps")
    _el(steps, "li", _(lang, "Get a feed reader. Many are free, for phones, computers and the web; "
                             "some e-mail programs and browsers can read feeds too."))
    _el(steps, "li", _(lang, "Choose a feed below and copy its address: right-click it (or press and hold "
                             "on a phone) and choose “Copy link”."))
    _el(steps, "li", _(lang, "In your reader, choose “Add feed” or “Subscribe” and paste the address."))
    _el(box, "p", _(lang, "Which format? Any of them carries the same articles. If your reader asks, "
                          "or you are not sure, choose RSS."))


def _kind_order(link: FeedLink) -> tuple[int, str, str]:
    rank = list(KINDS).index(link.kind) if link.kind in KINDS else len(KINDS)
    return (rank, link.kind, link.path)


def _grouped(feeds: list[FeedLink]) -> dict[str, list[list[FeedLink]]]:
    """Feeds by group prefix; the formats of one feed (same folder) together, in a stable order."""
    by_folder: dict[str, list[FeedLink]] = {}
    for link in feeds:
        by_folder.setdefault(link.path.rpartition("/")[0], []).append(link)
    groups: dict[str, list[list[FeedLink]]] = {}
    for folder, links in by_folder.items():
        prefix = next((p for p, _ in GROUPS[1:] if folder.startswith(p)), "")
        links.sort(key=_kind_order)
        groups.setdefault(prefix, []).append(links)
    for prefix, members in groups.items():
        if prefix:  # the site's own feeds keep the caller's order; topics and authors go A to Z
            members.sort(key=lambda links: (links[0].title.casefold(), links[0].path))
    return groups


def _feed_list(main: etree._Element, config: Config, feeds: list[FeedLink]) -> None:
    lang = config.language
    section = _section(main, "feeds")
    _el(section, "h2", _(lang, "All feeds"), id="feeds-heading")
    groups = _grouped(feeds)
    if not groups:
        _el(section, "p", _(lang, "This site has no feeds yet."))
    for prefix, heading in GROUPS:
        if prefix not in groups:
            continue
        _el(section, "h3", _(lang, heading))
        ul = _el(section, "ul", class_="feeds")
        for links in groups[prefix]:
            li = _el(ul, "li")
            _el(li, "strong", links[0].title)
            formats = _el(li, "ul", class_="formats")
            for link in links:
                item = _el(formats, "li")
                _el(item, "span", KINDS.get(link.kind, link.kind.upper()), class_="kind")
                url = config.url(link.path)
                _el(_el(item, "a", href=url, type=MEDIA_TYPES.get(link.kind)), "code", url)


def _latest(main: etree._Element, config: Config, views: list[ArticleView]) -> None:
    site_lang = config.language
    section = _section(main, "latest")
    _el(section, "h2", _(site_lang, "Latest articles"), id="latest-heading")
    newest = sorted(views, key=ArticleView.sort_key, reverse=True)[:LATEST]
    if not newest:
        _el(section, "p", _(site_lang, "No articles yet."))
        return
    ol = _el(section, "ol", class_="items")
    for view in newest:
        lang = view.lang or view.language
        other = lang if lang and lang != config.language else None
        article = _el(_el(ol, "li"), "article", lang=other)
        _el(_el(article, "h3"), "a", view.headline, href=view.canonical)
        meta = _el(article, "p", class_="meta")
        _el(meta, "time", long_date(parse_iso(view.published).date(), site_lang), datetime=view.published)
        if view.authors:
            meta[-1].tail = " · " + _(site_lang, "By {names}", names=join_names([a.name for a in view.authors], site_lang))
        if view.summary:
            _el(article, "p", view.summary, class_="summary")


def _section(main: etree._Element, name: str, **attrs: str) -> etree._Element:
    return _el(main, "section", id=name, **{"aria-labelledby": f"{name}-heading"}, **attrs)


def _el(
    parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None
) -> etree._Element:
    """A child element; ``class_`` is ``class``, and attributes given as None are left out."""
    attrib = {k.rstrip("_"): v for k, v in attrs.items() if v is not None}
    el = etree.SubElement(parent, tag, attrib)
    el.text = text
    return el


__all__ = ["LATEST", "STYLESHEET", "FeedLink", "browser_files", "feed_stylesheet", "feeds_page"]
