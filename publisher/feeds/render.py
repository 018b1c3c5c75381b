"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the site, each tag and each author, with RFC 5005 archives.

feedgen writes the documents; its known faults are worked around here (see DESIGN.md): every
date is set from the articles (never the clock), entries are appended in our order, the RSS
channel link is the site, authors go to dc:creator, and what it cannot write (Atom enclosures,
media:content, archive links, dcterms:modified, the CSS stylesheet PI) is added to its tree. No
xml:base: every URL in a feed is absolute, and a base equal to the alternate link is what the W3C
validator warns about (SameDocumentReference). The article HTML is made in feeds/html.py.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from html import escape as html_escape

from lxml import etree

from publisher import __version__
from publisher.config import Config
from publisher.dates import parse_iso
from publisher.feeds.browser import STYLESHEET
from publisher.feeds import podcast as media
from publisher.feeds.html import content_html
from publisher.model import ArticleView
from publisher.slugs import slug_or_hash

ATOM = "http://www.w3.org/2005/Atom"
DCTERMS = "http://purl.org/dc/terms/"
MEDIA = "http://search.yahoo.com/mrss/"
FH = "http://purl.org/syndication/history/1.0"
BROWSER_PAGE = "feeds.html"
#: The subscription documents of every feed set: (file name, kind).
FEED_FILES = (("rss.xml", "rss"), ("atom.xml", "atom"), ("feed.json", "json"))


#: Characters of article HTML the feeds' renderer keeps for reuse (an article is in its site's
#: latest feeds, archive pages and group feeds): the most recently used, up to this many. Kept
#: without a bound, every article's HTML was held until the last feed was written: about 150 MiB
#: of the build's peak at 10,000 articles, growing with the archive rather than with one page.
HTML_KEPT_CHARS = 16 * 1024 * 1024


class _Kept:
    """The most recently used article HTML, up to :data:`HTML_KEPT_CHARS` characters in all."""

    def __init__(self, budget: int = HTML_KEPT_CHARS) -> None:
        self.budget = budget
        self.size = 0
        self.items: OrderedDict[str, str] = OrderedDict()

    def get(self, key: str, make: Callable[[], str]) -> str:
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
            return value
        value = make()
        self.items[key] = value
        self.size += len(value)
        while self.size > self.budget and len(self.items) > 1:
            _, dropped = self.items.popitem(last=False)
            self.size -= len(dropped)
        return value


#: feedgen's document of the articles' own (already checked) text: no DTD, no entities, but an
#: article's whole HTML as one text node, which may be longer than lxml's default 10 MB limit.
_FEEDGEN = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)


def feed_files(config: Config) -> list[tuple[str, str]]:
    """The (file name, kind) of each subscription document the config asks for."""
    return [(name, kind) for name, kind in FEED_FILES if kind in config.feed_formats]


@dataclass(frozen=True)
class FeedSet:
    """One family of feeds (subscription documents and archives) over some articles."""

    prefix: str  # "" for the site, "tags/<slug>/", "authors/<slug>/"
    title: str
    group: str  # "site" | "tag" | "author"
    views: tuple[ArticleView, ...]  # newest first


def feed_sets(config: Config, views: list[ArticleView]) -> list[FeedSet]:
    sets = [FeedSet("", config.title, "site", tuple(views))]
    tags: dict[str, list[ArticleView]] = {}
    labels: dict[str, set[str]] = {}
    authors: dict[str, list[ArticleView]] = {}
    for view in views:
        for slug, label in view.tags:
            tags.setdefault(slug, []).append(view)
            labels.setdefault(slug, set()).add(label)
        for author in view.authors:
            authors.setdefault(author.name, []).append(view)
    if "tags" not in config.feed_groups:
        tags = {}
    if "authors" not in config.feed_groups:
        authors = {}
    for slug in sorted(tags):
        label = sorted(labels[slug])[0]
        sets.append(FeedSet(f"tags/{slug}/", f"{config.title}: {label}", "tag", tuple(tags[slug])))
    used: set[str] = set()
    for name in sorted(authors):
        slug = slug_or_hash(name) or "author"
        base, n = slug, 2
        while slug in used:  # two names with one slug: the later name (by sort) gets a number
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        sets.append(FeedSet(f"authors/{slug}/", f"{config.title}: {name}", "author", tuple(authors[name])))
    return sets


def rss_creator(view: ArticleView) -> str:
    """The one RSS dc:creator of an article: every author's name, separated by commas (a name
    may hold "and" or "&" itself: "TC & Eric Huss")."""
    return ", ".join(author.name for author in view.authors)


@dataclass(frozen=True)
class Document:
    """One document of the feeds, made only when loaded. ``inputs`` is everything its bytes are
    made from (plain strings, the tool's own code aside): whoever keeps documents between builds
    (the incremental layer) may give the bytes made last time from the same inputs instead.
    Empty ``inputs``: not worth keeping."""

    path: str
    inputs: tuple[str, ...]
    load: Callable[[], bytes]


class _Renderer:
    """Renders FeedSets; ``contents`` keeps recently made article HTML across all sets."""

    def __init__(self, config: Config, contents: _Kept | None = None) -> None:
        self.config = config
        self.contents = contents if contents is not None else _Kept()
        self.settings = repr(config)

    def keyed(self, path: str, kind: str, fs: FeedSet, items: list[ArticleView], links: dict[str, str],
              make: Callable[[], bytes]) -> Document:
        """The document at ``path`` with everything it is made from."""
        inputs = (self.settings, kind, fs.prefix, fs.title, repr(sorted(links.items())),
                  *(v.digest for v in items))
        return Document(path, inputs, make)

    def full(self, fs: FeedSet) -> bool:
        """Does this family carry each article's whole text? The site's always does."""
        return fs.group == "site" or self.config.feed_group_content == "full"

    def html(self, view: ArticleView) -> str:
        return self.contents.get(view.uri, partial(content_html, view))

    def documents(self, fs: FeedSet) -> Iterator[Document]:
        """Each of the set's documents, made only when loaded."""
        limit = self.config.feed_limit if fs.group == "site" else self.config.feed_group_limit
        chron = list(reversed(fs.views))
        archived = fs.group == "site" or self.config.feed_group_archives
        for fmt in [f for f in ("rss", "atom") if f in self.config.feed_formats]:
            full_pages = len(chron) // limit if archived and fmt in self.config.archive_formats else 0
            current = f"{fs.prefix}{fmt}.xml"
            links = {"self": current}
            if full_pages:
                links["prev-archive"] = f"{fs.prefix}archive/{fmt}/{full_pages}.xml"
            items = list(fs.views[:limit])
            yield self.keyed(current, fmt, fs, items, links, partial(self.document, fmt, fs, items, links, archive=False))
            for page in range(1, full_pages + 1):
                path = f"{fs.prefix}archive/{fmt}/{page}.xml"
                # A lone archive page has no neighbour to link: it says it is complete instead
                # (RFC 5005 section 2; a complete document links no "current" other than itself).
                links = {"self": path, "current": current} if full_pages > 1 else {"self": path}
                if page > 1:
                    links["prev-archive"] = f"{fs.prefix}archive/{fmt}/{page - 1}.xml"
                if page < full_pages:
                    links["next-archive"] = f"{fs.prefix}archive/{fmt}/{page + 1}.xml"
                page_items = list(reversed(chron[(page - 1) * limit : page * limit]))
                yield self.keyed(
                    path, fmt + "-archive", fs, page_items, links,
                    partial(self.document, fmt, fs, page_items, links, archive=True),
                )
        if "json" not in self.config.feed_formats:
            return
        latest = list(fs.views[:limit])
        yield self.keyed(f"{fs.prefix}feed.json", "json", fs, latest, {}, partial(self.json_feed, fs, latest))

    # -- RSS and Atom through feedgen ---------------------------------------------------------

    def document(self, fmt: str, fs: FeedSet, items: list[ArticleView], links: dict[str, str], *, archive: bool) -> bytes:
        from feedgen.feed import (
            FeedGenerator,  # here: a rebuild whose feeds are all kept never needs it
        )

        config = self.config
        fg = FeedGenerator()
        fg.load_extension("dc", atom=False, rss=True)
        self_url = config.url(links["self"])
        fg.id(config.url(fs.prefix) if not archive else self_url)
        fg.title(fs.title)
        fg.subtitle(config.description)
        fg.language(config.language)
        fg.generator("publisher", version=__version__)
        # feedgen makes the RSS channel <link> whichever link came last: self first, then the site.
        fg.link(href=self_url, rel="self")
        fg.link(href=config.site_url, rel="alternate")
        if items:  # feedgen defaults both to now(); a feed's date is its newest item's
            fg.updated(max(parse_iso(v.updated) for v in items))
            fg.lastBuildDate(max(parse_iso(v.updated) for v in items))
            fg.pubDate(max(parse_iso(v.published) for v in items))
        for view in items:
            fe = fg.add_entry(order="append")  # feedgen prepends unless told
            fe.id(view.uri)
            fe.guid(view.uri, permalink=False)
            fe.title(view.headline)
            fe.link(href=view.canonical, rel="alternate")
            fe.published(parse_iso(view.published))
            fe.updated(parse_iso(view.updated))
            for author in view.authors:
                fe.author({"name": author.name})
            if view.authors:
                # RSS <author> would need an e-mail address, so dc:creator; one naming every
                # author, as gofeed and ROME keep only the first of several (Atom keeps the list)
                fe.dc.dc_creator(rss_creator(view))
            for _, label in view.tags:
                fe.category(term=label, label=label)
            summary = view.summary or view.headline
            # RSS readers take <description> as HTML: plain text with a "<" must be escaped once
            # more. Atom's summary is type="text". (description first: summary() keeps it then.)
            fe.description(html_escape(summary, quote=False))
            fe.summary(summary)
            if self.full(fs):
                fe.content(self.html(view), type="html")
        data = fg.rss_str(pretty=False) if fmt == "rss" else fg.atom_str(pretty=False)
        root = etree.fromstring(data, _FEEDGEN)
        if fmt == "atom" and not self.full(fs):  # feedgen made the summary the content too
            for content in root.iterfind(f"{{{ATOM}}}entry/{{{ATOM}}}content"):
                content.getparent().remove(content)
        if fmt == "rss":
            root = self._finish_rss(root, items, links, archive)
            if fs.group == "site" and config.podcast is not None:  # the site's RSS is the podcast feed
                channel = root.find("channel")
                media.itunes_channel(channel, config, config.podcast)
                for item, view in zip(channel.iter("item"), items, strict=True):
                    media.itunes_item(item, view)
        else:
            root = self._finish_atom(root, items, links, archive)
        return self._serialize(root, links["self"])

    def _feed_links(self, anchor: etree._Element, links: dict[str, str], archive: bool) -> None:
        """After ``anchor``: fh:archive on archive pages, the RFC 5005 links, the hub, the page."""
        config = self.config
        tag = f"{{{ATOM}}}link"
        added = [etree.Element(f"{{{FH}}}archive")] if archive else []
        if archive and not {"prev-archive", "next-archive"} & set(links):
            added.append(etree.Element(f"{{{FH}}}complete"))
        added += [etree.Element(tag, rel=rel, href=config.url(links[rel]))
                  for rel in ("current", "prev-archive", "next-archive") if rel in links]
        if config.hub:
            added.append(etree.Element(tag, rel="hub", href=config.hub))
        added.append(etree.Element(tag, rel="related", type="text/html", href=config.url(BROWSER_PAGE)))
        for el in reversed(added):
            anchor.addnext(el)

    def _finish_rss(self, root, items, links, archive) -> etree._Element:
        root = _renamespaced(root, {"dcterms": DCTERMS, "media": MEDIA, "fh": FH, "itunes": media.ITUNES})
        channel = root.find("channel")
        self._feed_links(channel.find(f"{{{ATOM}}}link"), links, archive)
        for item, view in zip(channel.iter("item"), items, strict=True):
            modified = etree.Element(f"{{{DCTERMS}}}modified")
            modified.text = view.updated  # RSS 2.0 has no update date of its own
            item.find("pubDate").addnext(modified)
            lead, enclosure = view.lead_image, view.enclosure
            if enclosure is not None:  # one enclosure per item: the audio or video wins over the image
                media.rss_enclosure(item, enclosure)
            if lead is not None:
                res, alt = lead
                if enclosure is None:
                    etree.SubElement(item, "enclosure", url=res.href, length=str(res.length), type=res.type)
                self._media(item, res, alt)
        return root

    def _finish_atom(self, root, items, links, archive) -> etree._Element:
        root = _renamespaced(root, {"media": MEDIA, "fh": FH}, default=ATOM)
        self._feed_links(root.findall(f"{{{ATOM}}}link")[-1], links, archive)
        for entry, view in zip(root.iterfind(f"{{{ATOM}}}entry"), items, strict=True):
            lead, enclosure = view.lead_image, view.enclosure
            if enclosure is not None:  # as in RSS: the audio or video is the enclosure
                entry.find(f"{{{ATOM}}}link").addnext(media.atom_enclosure(enclosure))
            if lead is not None:
                res, alt = lead
                # feedgen keeps only href on Atom entry links; the enclosure is written here whole
                if enclosure is None:
                    link = etree.Element(f"{{{ATOM}}}link", rel="enclosure", type=res.type, length=str(res.length),
                                         href=res.href)
                    entry.find(f"{{{ATOM}}}link").addnext(link)
                self._media(entry, res, alt)
        return root

    @staticmethod
    def _media(parent: etree._Element, res, alt: str) -> None:
        content = etree.SubElement(parent, f"{{{MEDIA}}}content", url=res.href, type=res.type, fileSize=str(res.length), medium="image")
        if alt:
            etree.SubElement(content, f"{{{MEDIA}}}description", type="plain").text = alt
        etree.SubElement(parent, f"{{{MEDIA}}}thumbnail", url=res.href)

    def _serialize(self, root: etree._Element, self_path: str) -> bytes:
        depth = self_path.count("/")
        # CSS, not XSLT: see publisher.feeds.browser
        pi = etree.ProcessingInstruction("xml-stylesheet", f'type="text/css" href="{"../" * depth}{STYLESHEET}"')
        root.addprevious(pi)
        etree.cleanup_namespaces(root)
        etree.indent(root, space="  ")
        return etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True, pretty_print=True)

    # -- JSON Feed ----------------------------------------------------------------------------

    def json_feed(self, fs: FeedSet, items: list[ArticleView]) -> bytes:
        config = self.config
        feed: dict = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": fs.title,
            "home_page_url": config.site_url,
            "feed_url": config.url(f"{fs.prefix}feed.json"),
            "description": config.description,
            "language": config.language,
        }
        if config.hub:
            feed["hubs"] = [{"type": "WebSub", "url": config.hub}]
        feed["items"] = [self._json_item(v, self.full(fs)) for v in items]
        return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def _json_item(self, view: ArticleView, full: bool = True) -> dict:
        item: dict = {
            "id": view.uri,
            "url": view.canonical,
            "title": view.headline,
            # JSON Feed wants one of the two: a summary-only item's content is its summary
            **({"content_html": self.html(view)} if full else {"content_text": view.summary or view.headline}),
            "summary": view.summary or view.headline,
            "date_published": view.published,
            "date_modified": view.updated,
            "authors": [{"name": a.name} for a in view.authors],
            "language": view.lang,
        }
        if view.tags:
            item["tags"] = [label for _, label in view.tags]
        lead = view.lead_image
        if lead is not None:
            res, _ = lead
            item["image"] = res.href
            item["attachments"] = [{"url": res.href, "mime_type": res.type, "size_in_bytes": res.length}]
        if view.enclosure is not None:  # the audio or video is the attachment; the image stays the item's image
            item["attachments"] = [media.json_attachment(view.enclosure)]
        return item


def _renamespaced(root: etree._Element, extra: dict[str, str], default: str | None = None) -> etree._Element:
    """A copy of ``root`` declaring ``extra`` prefixes once on the root (no ns0 on added elements)."""
    nsmap = dict(root.nsmap)
    nsmap.update(extra)
    if default:
        nsmap[None] = default
    new = etree.Element(root.tag, root.attrib, nsmap=nsmap)
    new.text = root.text
    new.extend(root)
    return new


def opml(config: Config, sets: list[FeedSet]) -> bytes:
    """OPML 2.0 list of every feed, grouped as site, tags and authors: one outline per feed, in
    the site's preferred format (a reader importing it would subscribe once per outline, and show
    every article once per format); the other formats are on feeds.html."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{config.title}: feeds"
    body = etree.SubElement(root, "body")
    groups = {"site": body}
    for name, label in (("tag", "By tag"), ("author", "By author")):
        groups[name] = etree.SubElement(body, "outline", text=label, title=label)
    kind = config.opml_format
    file_name = next(name for name, k in FEED_FILES if k == kind)
    version = {"rss": "RSS2", "atom": "ATOM", "json": "JSONFEED"}[kind]
    for fs in sets:
        etree.SubElement(
            groups[fs.group],
            "outline",
            type="rss",  # OPML 2.0: every subscription list entry is type "rss", whatever its format
            version=version,
            text=fs.title,
            title=fs.title,
            xmlUrl=config.url(fs.prefix + file_name),
            htmlUrl=config.site_url,
        )
    for name in ("tag", "author"):
        if not len(groups[name]):
            body.remove(groups[name])
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def render_feeds(config: Config, views: list[ArticleView]) -> tuple[Iterator[Document], list[FeedSet]]:
    """Every feed document, archive page and the OPML list, each made only when loaded (a big
    site's feeds add up to far more than memory should hold at once); and the feed sets."""
    renderer = _Renderer(config)
    sets = feed_sets(config, views)

    def documents() -> Iterator[Document]:
        for fs in sets:
            yield from renderer.documents(fs)
        yield Document("feeds.opml", (), partial(opml, config, sets))

    return documents(), sets

