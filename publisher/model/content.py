"""The article as readers see it, shared by feeds and books: deck, body and author bios."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable

from lxml import etree

from publisher.dates import parse_iso
from publisher.model import ArticleView
from publisher.xmlutil import XHTML_NS, H


def byline(view: ArticleView) -> str:
    names = [a.name for a in view.authors]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def human_date(iso: str) -> str:
    """'29 November 2016': spelled out without the process locale, which feedgen changes."""
    value: dt.datetime = parse_iso(iso)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, H + tag, {k.rstrip("_"): v for k, v in attrs.items()})
    el.text = text
    return el


def article_content(
    view: ArticleView,
    *,
    with_header: bool,
    rewrite: Callable[[etree._Element], None] | None = None,
) -> etree._Element:
    """An XHTML ``<div>`` (feeds) or ``<article>`` (books) with the whole article.

    ``rewrite`` is called on every element of the copied body and bios, to fix URLs for the
    output at hand; a rewriter with a ``select`` XPath is called only on the elements it selects.
    """
    root = etree.Element(H + ("article" if with_header else "div"), nsmap={None: XHTML_NS})
    if with_header:
        header = _el(root, "header")
        _el(header, "h1", view.headline)
        if view.deck:
            _el(header, "p", view.deck, class_="deck")
        _el(header, "p", "By " + byline(view), class_="byline")
        _el(_el(header, "p", class_="dateline"), "time", human_date(view.published), datetime=view.published)
    elif view.deck:
        _el(root, "p", view.deck, class_="deck")
    body = view.body
    if body.text and body.text.strip():
        _el(root, "p", body.text.strip())
    # Copied even from a body parsed for this call alone: lxml moves a node out of the article
    # document in time linear in the size of that document, not of the node (its namespaces are
    # declared on the article's root), so moving a 50-row table of 2,000 columns cell by cell
    # took 7 s; a copy carries its namespaces with it and costs 0.1 s.
    for node in map(copy.deepcopy, body):
        root.append(node)
    bios = [a for a in view.authors if a.bio]
    if bios:
        section = _el(root, "section", class_="bio")
        heading = "About the author" if len(bios) == 1 else "About the authors"
        _el(section, "h2" if with_header else "h3", heading)
        for author in bios:
            for para in author.bio:
                section.append(copy.deepcopy(para))
    if rewrite is not None:
        select = getattr(rewrite, "select", None)
        for el in select(root) if select is not None else root.iter(etree.Element):
            rewrite(el)
    return root
