"""RSS 2.0 and Atom 1.0 from normalized articles, through feedgen with its known faults worked around."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator
from lxml import etree

from publisher import __version__
from publisher.config import Config
from publisher.dates import parse_iso
from publisher.model import ArticleView
from publisher.render.content import article_content, byline
from publisher.xmlutil import XHTML_NS

URL_ATTRS = ("href", "src", "poster", "cite")
_NS_DECL = re.compile(r' xmlns(:\w+)?="[^"]*"')


def _absolutize(base: str):
    def rewrite(el: etree._Element) -> None:
        for name in URL_ATTRS:
            value = el.get(name)
            if value is not None:
                el.set(name, urljoin(base, value))
        srcset = el.get("srcset")
        if srcset:
            parts = [p.strip().split(None, 1) for p in srcset.split(",") if p.strip()]
            el.set("srcset", ", ".join(" ".join([urljoin(base, p[0]), *p[1:]]) for p in parts))

    return rewrite


def content_html(view: ArticleView) -> str:
    """The article as an HTML string with every URL absolute (readers resolve nothing)."""
    div = article_content(view, with_header=False, rewrite=_absolutize(view.canonical))
    etree.cleanup_namespaces(div)
    parts = [etree.tostring(child, encoding="unicode", method="xml", with_tail=True) for child in div]
    html = (div.text or "") + "".join(parts)
    # The markup is XHTML in the XHTML namespace; as HTML inside a feed it needs no declaration.
    return _NS_DECL.sub("", html)


def _feed(config: Config, views: list[ArticleView], self_href: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(config.site_url)
    fg.title(config.title)
    fg.subtitle(config.description)
    fg.language(config.language)
    fg.generator("publisher", version=__version__)
    # feedgen makes the RSS channel <link> whichever link came last: self first, then the site.
    fg.link(href=self_href, rel="self")
    fg.link(href=config.site_url, rel="alternate")
    newest = max((parse_iso(v.updated) for v in views), default=None)
    if newest is not None:  # feedgen defaults both to now(); the feed's date is its newest item's
        fg.updated(newest)
        fg.lastBuildDate(newest)
        fg.pubDate(max(parse_iso(v.published) for v in views))
    for view in views:
        fe = fg.add_entry(order="append")  # feedgen prepends unless told
        fe.id(view.uri)
        fe.guid(view.uri, permalink=False)
        fe.title(view.headline)
        fe.link(href=view.canonical, rel="alternate")
        fe.published(parse_iso(view.published))
        fe.updated(parse_iso(view.updated))
        for author in view.authors:
            fe.author({"name": author.name})
            fe.dc.dc_creator(author.name)  # RSS <author> would need an e-mail address
        for slug, label in view.tags:
            fe.category(term=label, label=label)
        fe.description(view.summary or view.headline)
        fe.content(content_html(view), type="html")
    return fg


DCTERMS = "http://purl.org/dc/terms/"


def render_rss(config: Config, views: list[ArticleView]) -> bytes:
    data = _feed(config, views, config.url("rss.xml")).rss_str(pretty=False)
    # RSS 2.0 has no per-item update date; dcterms:modified is the one readers understand.
    root = etree.fromstring(data)
    nsmap = dict(root.nsmap, dcterms=DCTERMS)
    new_root = etree.Element(root.tag, root.attrib, nsmap=nsmap)
    new_root.extend(root)
    for item, view in zip(new_root.iter("item"), views, strict=True):
        modified = etree.Element("{%s}modified" % DCTERMS)
        modified.text = view.updated
        item.find("pubDate").addnext(modified)
    etree.indent(new_root, space="  ")
    return etree.tostring(new_root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def render_atom(config: Config, views: list[ArticleView]) -> bytes:
    return _feed(config, views, config.url("atom.xml")).atom_str(pretty=True)


__all__ = ["render_rss", "render_atom", "content_html", "byline", "XHTML_NS"]
