"""The article as readers see it, shared by feeds and books: deck, body and author bios."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from lxml import etree

from publisher.dates import parse_iso
from publisher.i18n import _, join_names, long_date, n_
from publisher.model import ArticleView
from publisher.xmlutil import XHTML_NS, H


def byline(view: ArticleView) -> str:
    """The article's authors as a list in its own language: "A", "A and B", "A, B and C"."""
    return join_names([a.name for a in view.authors], view.lang or "en")


def human_date(iso: str, lang: str = "en") -> str:
    """'29 November 2016', '29. November 2016': the day spelled out in ``lang`` (Babel's data,
    not the process locale, which feedgen changes)."""
    value: dt.datetime = parse_iso(iso)
    return long_date(value.date(), lang)


def announced(el: etree._Element) -> str:
    """What a screen reader announces for an element: its text and its images' alternatives
    (the normalizer warns where a link or a table header would announce nothing; books count it)."""
    parts = ["".join(el.itertext())]
    parts += [img.get("alt") or "" for img in el.iter(H + "img")]
    return "".join(parts).strip() or (el.get("aria-label") or el.get("title") or "").strip()


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
    lang = view.lang or "en"  # the article's words are in its language, whatever the book's
    root = etree.Element(H + ("article" if with_header else "div"), nsmap={None: XHTML_NS})
    if with_header:
        header = _el(root, "header")
        _el(header, "h1", view.headline)
        if view.deck:
            _el(header, "p", view.deck, class_="deck")
        _el(header, "p", _(lang, "By {names}", names=byline(view)), class_="byline")
        _el(_el(header, "p", class_="dateline"), "time", human_date(view.published, lang), datetime=view.published)
    elif view.deck:
        _el(root, "p", view.deck, class_="deck")
    body = view.body
    if body.text and body.text.strip():
        _el(root, "p", body.text.strip())
    # Copied even from a body parsed for this call alone: lxml moves a node out of the article
    # document in time linear in the size of that document, not of the node (its namespaces are
    # declared on the article's root), so moving a 50-row table of 2,000 columns cell by cell
    # took 7 s; a copy carries its namespaces with it and costs 0.1 s.
    for node in body:
        root.append(node.__copy__())  # lxml's __deepcopy__ is this, without copy.deepcopy's memo
    bios = [a for a in view.authors if a.bio]
    if bios:
        section = _el(root, "section", class_="bio")
        heading = n_(lang, "About the author", "About the authors", len(bios))
        _el(section, "h2" if with_header else "h3", heading)
        for author in bios:
            for para in author.bio:
                section.append(para.__copy__())
    if rewrite is not None:
        select = getattr(rewrite, "select", None)
        for el in select(root) if select is not None else root.iter(etree.Element):
            rewrite(el)
    return root
