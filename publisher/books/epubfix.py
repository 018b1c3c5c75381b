"""Make a chapter's XHTML valid for EPUB 3 readers and EPUBCheck without losing its text.

The article vocabulary (publisher/model/vocabulary.py) already decides which elements,
attributes and values a body holds: no legacy markup, no presentational attributes, no
``target``, only registered URL schemes, escaped URLs, ids unique per article. What it leaves
open is where elements stand (its content models are loose), and what only a whole book
knows. Each rule below repairs one of those by moving or renaming elements, never by deleting
what a reader would see:

- ``details`` gets its ``summary`` first; without one it becomes a ``div`` (content stays visible).
- an ``a`` inside another ``a`` becomes a ``span`` (its text stays, the outer link wins).
- a block inside an element that may only hold phrasing content: a ``p``, heading or ``pre`` is
  split around it; an inline element (``span``, ``em``, a link in phrasing context...) is split and
  pushed down into the block, so the formatting still covers the same text; inside ``summary`` or
  ``legend``, which cannot be split, the blocks become ``span`` elements separated by ``br``.
- duplicate ids (the chapter's own around the article's): the first keeps its id, later ones
  get ``-2``, ``-3``...
- a ``#fragment`` link to an id missing from the chapter is pointed at the one id that matches it
  loosely (case, punctuation: Markdown anchor styles differ), else it stops being a link.
  Fragments into other chapters need the whole book: :func:`link_across`.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Callable, Mapping
from urllib.parse import unquote

from lxml import etree

from publisher.xmlutil import EPUB_NS, XHTML_NS, XML_LANG, H

# Elements that are phrasing content (or only live inside it); any other XHTML element is a block.
_PHRASING = set(
    ["a", "abbr", "area", "audio", "b", "bdi", "bdo", "br", "button", "canvas", "cite", "code", "data", "datalist", "del", "dfn", "em", "embed", "i", "iframe", "img", "input", "ins", "kbd", "label", "link", "map", "mark", "meta", "meter", "noscript", "object", "output", "picture", "progress", "q", "ruby", "rp", "rt", "s", "samp", "script", "select", "slot", "small", "span", "strong", "sub", "sup", "template", "textarea", "time", "u", "var", "video", "wbr", "source", "track", "param", "option", "optgroup"]
)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Split around a block; their formatting is not pushed into it (a heading inside a list is wrong).
_PARAGRAPHS = {"p", "pre"} | _HEADINGS
# Hold phrasing content only and cannot be split: their blocks are turned into spans.
_UNSPLITTABLE = {"summary", "legend"}
_INLINE = set(
    ["abbr", "b", "bdi", "bdo", "button", "cite", "code", "data", "dfn", "em", "i", "kbd", "label", "mark", "meter", "output", "progress", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"]
)
_PHRASING_ONLY = _INLINE | _PARAGRAPHS | _UNSPLITTABLE
# Their content model is their parent's.
_TRANSPARENT = {"a", "ins", "del", "map", "object", "audio", "video", "canvas"}
_PHRASING_TAGS = frozenset(H + n for n in _PHRASING)
_MAY_SPLIT_TAGS = sorted(H + n for n in _UNSPLITTABLE | _PARAGRAPHS | _INLINE | _TRANSPARENT)  # _fix_blocks
_WITH_ID = etree.XPath("descendant-or-self::*[@id]")
# Where rows, cells and items may stand, and the container made for them elsewhere.
_PARENTS = {"td": ("tr", {"tr"}), "th": ("tr", {"tr"}), "li": ("ul", {"ul", "ol", "menu"})}
_PARENTS["tr"] = ("table", {"table", "tbody", "thead", "tfoot"})
_PARENTS |= {n: ("table", {"table"}) for n in ("thead", "tbody", "tfoot")}
_PARENTS |= {n: ("dl", {"dl", "div"}) for n in ("dt", "dd")}
# Attributes every element may carry; the rest are dropped when an element changes its name.
_GLOBAL = {"id", "class", "style", "title", "lang", "dir", XML_LANG, "{%s}type" % EPUB_NS}
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Looser and looser spellings of an anchor: Markdown tools slug headings differently.
_LOOSE_KEYS: tuple[Callable[[str], str], ...] = (
    lambda s: "-".join(re.findall(r"[^\W_]+", s.casefold())),
    lambda s: "".join(re.findall(r"[^\W_]+", s.casefold())),
)

Node = str | etree._Element


_IDS = etree.XPath("descendant-or-self::*/@id", smart_strings=False)
#: Links inside links (an ``a`` may hold no other), in document order.
_NESTED_LINKS = etree.XPath("descendant::h:a[ancestor::h:a]", namespaces={"h": XHTML_NS})


def make_conformant(html: etree._Element) -> tuple[str, ...]:
    """Repair, in place, what the vocabulary's loose content models let stand where XHTML 5 in
    EPUB forbids it; returns the chapter's ids, in document order (as :meth:`IdIndex.ids_of`)."""
    _fix_details(html)
    _fix_orphans(html)
    # in document order, as found before any is changed: the outermost link of each nest stays
    for el in _NESTED_LINKS(html):
        _demote(el, "span")
    _fix_blocks(html)
    ids = _dedupe_ids(html)
    index = None  # made for the first fragment link: most chapters have none
    for el in list(html.iter(H + "a", H + "area")):
        if (href := el.get("href", "")).startswith("#") and len(href) > 1:
            if index is None:
                index = IdIndex(ids)
            _retarget(el, "", href[1:], index)
    return ids


def link_across(chapters: Mapping[str, etree._Element]) -> None:
    """Fix ``other.xhtml#frag`` links between chapters (names are paths inside the book).

    Run after :func:`make_conformant` on every chapter; the same loose matching applies, and an
    unmatched fragment is dropped so the link still opens the chapter.
    """
    ids = {name: IdIndex.ids_of(html) for name, html in chapters.items()}
    indexes: dict[str, IdIndex] = {}
    for name, html in sorted(chapters.items()):
        link_across_one(name, html, ids, indexes)


def _across(name: str, html: etree._Element, names):
    """(link, its fragment, the chapter it points into) for each link to another chapter with a fragment."""
    for el in html.iter(H + "a", H + "area"):
        base, hash_, frag = el.get("href", "").partition("#")
        if not (base and hash_) or _SCHEME.match(base) or base.startswith("/"):
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), base))
        if target in names:
            yield el, base, frag, target


def targets_across(name: str, html: etree._Element, names) -> tuple[str, ...]:
    """The chapters among ``names`` that chapter ``name`` links into with a fragment."""
    return tuple(sorted({target for *_, target in _across(name, html, names)}))


def link_across_one(name: str, html: etree._Element, ids: Mapping[str, tuple[str, ...]],
                    indexes: dict[str, IdIndex]) -> set[str]:
    """:func:`link_across` for one chapter, given every chapter's ids (``indexes`` is filled as
    a cache); returns the chapters it links into."""
    targets = set()
    for el, base, frag, target in list(_across(name, html, ids)):
        if target not in indexes:
            indexes[target] = IdIndex(ids[target])
        _retarget(el, base, frag, indexes[target])
        targets.add(target)
    return targets


def _name(el: etree._Element | None) -> str | None:
    """Local name of an XHTML element; None for no element, comments, PIs, SVG, MathML."""
    tag = None if el is None else el.tag
    return tag[len(H) :] if isinstance(tag, str) and tag.startswith(H) else None


def _is_block(node: Node) -> bool:
    name = None if isinstance(node, str) else _name(node)
    return name is not None and name not in _PHRASING


def _contents(el: etree._Element) -> list[Node]:
    """Take out el's text and children, in order (tails become separate strings)."""
    nodes: list[Node] = [el.text or ""]
    el.text = None
    for child in list(el):
        tail, child.tail = child.tail or "", None
        nodes += [child, tail]
    return nodes


def _fill(el: etree._Element, nodes: list[Node]) -> etree._Element:
    for node in nodes:
        if isinstance(node, str):
            if len(el):
                el[-1].tail = (el[-1].tail or "") + node
            else:
                el.text = (el.text or "") + node
        else:
            el.append(node)
    return el


def _replace(el: etree._Element, nodes: list[Node]) -> None:
    """Put nodes where el is, keeping el's tail after them."""
    parent, prev = el.getparent(), el.getprevious()
    for node in nodes + [el.tail or ""]:
        if isinstance(node, str):
            if prev is None:
                parent.text = (parent.text or "") + node
            else:
                prev.tail = (prev.tail or "") + node
        else:
            el.addprevious(node)
            prev = node
    el.tail = None
    parent.remove(el)


def _demote(el: etree._Element, name: str) -> None:
    """Rename el, keeping only the attributes every element may carry."""
    el.tag = H + name
    for key in [k for k in el.attrib if k not in _GLOBAL]:
        del el.attrib[key]


def _fix_details(html: etree._Element) -> None:
    for summary in list(html.iter(H + "summary")):
        if summary.getparent().tag != H + "details":
            _demote(summary, "div")
    for details in list(html.iter(H + "details")):
        summaries = [c for c in details if c.tag == H + "summary"]
        if not summaries:
            _demote(details, "div")
            continue
        for extra in summaries[1:]:
            _demote(extra, "div")
        first = summaries[0]
        if details[0] is not first or (details.text or "").strip():
            _replace(first, [])
            first.tail, details.text = details.text, None
            details.insert(0, first)


_ORPHAN_GROUPS = [[H + n for n in names] for names in (("td", "th"), ("tr", "thead", "tbody", "tfoot"), ("li",), ("dt", "dd"))]
_PARENT_TAGS = {H + n: frozenset(H + p for p in parents) for n, (_wrapper, parents) in _PARENTS.items()}


def _fix_orphans(html: etree._Element) -> None:
    """Rows, cells, items outside their container: into the container just before, or a new one."""
    for tags in _ORPHAN_GROUPS:
        names = [tag[len(H):] for tag in tags]
        for el in list(html.iter(*tags)):
            parent = el.getparent()
            if parent is not None and parent.tag in _PARENT_TAGS[el.tag]:
                continue
            wrapper, parents = _PARENTS[_name(el)]
            run = [el]
            while not (run[-1].tail or "").strip() and _name(run[-1].getnext()) in names:
                run.append(run[-1].getnext())
            home = el.getprevious()
            if home is None or _name(home) != wrapper or (home.tail or "").strip():
                home = etree.Element(H + wrapper)
                el.addprevious(home)
            tail, run[-1].tail = run[-1].tail or "", None
            home.extend(run)
            home.tail = (home.tail or "") + tail


def _in_phrasing(el: etree._Element) -> bool:
    parent = el.getparent()
    while _name(parent) in _TRANSPARENT:
        parent = parent.getparent()
    return _name(parent) in _PHRASING_ONLY


def _fix_blocks(html: etree._Element) -> None:
    if not _block_inside(html):  # the usual case: no rule below applies anywhere
        return
    # Innermost first: fixing a span lifts blocks into its parent, which is fixed after.
    for el in reversed(list(html.iter(*_MAY_SPLIT_TAGS))):  # no rule below applies to others
        name = _name(el)
        if name in _UNSPLITTABLE:
            if any(_is_block(c) and _name(c) not in _HEADINGS for c in el):
                _flatten(el)
        elif not any(_is_block(c) for c in el):
            continue
        elif name in _PARAGRAPHS:
            _split(el, push_down=False)
        elif name in _INLINE or (name in _TRANSPARENT and _in_phrasing(el)):
            _split(el, push_down=True)


def _block_inside(html: etree._Element) -> bool:
    """Has any element that _fix_blocks looks at a block among its children?"""
    for el in html.iter(*_MAY_SPLIT_TAGS):
        if len(el):
            for child in el:
                tag = child.tag
                if tag not in _PHRASING_TAGS and isinstance(tag, str) and tag.startswith(H):
                    return True
    return False


def _regroup(nodes: list[Node], shell: Callable[[], etree._Element], push_down: bool) -> list[Node]:
    """Wrap each run of phrasing content in a shell; blocks stand between runs."""
    out: list[Node] = []
    run: list[Node] = []

    def flush() -> None:
        if any(not isinstance(n, str) or n.strip() for n in run):
            out.append(_fill(shell(), run[:]))
        else:
            out.extend(run)
        run.clear()

    for node in nodes:
        if _is_block(node):
            flush()
            if push_down:
                _fill(node, _regroup(_contents(node), shell, True))
            out.append(node)
        else:
            run.append(node)
    flush()
    return out


def _split(el: etree._Element, push_down: bool) -> None:
    made: list[etree._Element] = []

    def shell() -> etree._Element:
        """An empty copy of el to wrap a piece of its content; only the first keeps el's id."""
        attrib = {k: v for k, v in el.attrib.items() if k != "id" or not made}
        made.append(etree.Element(el.tag, attrib))
        return made[-1]

    out = _regroup(_contents(el), shell, push_down)
    if not made and el.get("id"):
        # no piece of el is left to carry its id: the first block takes it, links keep working
        first = next((n for n in out if not isinstance(n, str) and n.get("id") is None), None)
        if first is not None:
            first.set("id", el.get("id"))
    _replace(el, out)


def _flatten(el: etree._Element) -> None:
    """Blocks inside an unsplittable element become spans, a line break after each."""
    for inner in [d for d in el.iterdescendants() if _is_block(d)]:
        if inner.getparent() is el and _name(inner) in _HEADINGS:
            continue
        _demote(inner, "span")
        if inner.getnext() is not None or (inner.tail or "").strip():
            br = etree.Element(H + "br")
            br.tail, inner.tail = inner.tail, None
            inner.addnext(br)


class IdIndex:
    """A chapter's ids, findable exactly or by looser keys: case, punctuation, runs of dashes."""

    @staticmethod
    def ids_of(html: etree._Element) -> tuple[str, ...]:
        return tuple(i for i in _IDS(html) if i)

    @classmethod
    def of(cls, html: etree._Element) -> IdIndex:
        return cls(cls.ids_of(html))

    def __init__(self, ids: tuple[str, ...]) -> None:
        self.exact = set(ids)
        self.loose: dict[tuple[int, str], list[str]] = {}
        for ident in ids:
            for n, key in enumerate(_LOOSE_KEYS):
                self.loose.setdefault((n, key(ident)), []).append(ident)

    def find(self, frag: str) -> str | None:
        if (frag := unquote(frag)) in self.exact:
            return frag
        for n, key in enumerate(_LOOSE_KEYS):
            found = self.loose.get((n, key(frag)), [])
            if key(frag) and len(found) == 1:  # an ambiguous match is not guessed
                return found[0]
        return None


def _retarget(el: etree._Element, base: str, frag: str, index: IdIndex) -> None:
    found = index.find(frag)
    if found == unquote(frag):
        return
    if found is not None:
        el.set("href", f"{base}#{found}")  # an id is an XML name: nothing in it to escape
    elif base:
        el.set("href", base)
    else:
        _unlink(el)


def _unlink(el: etree._Element) -> None:
    """A link to nowhere: an ``a`` becomes a ``span`` (text kept), an ``area`` loses its href."""
    if el.tag == H + "area":
        del el.attrib["href"]
    else:
        _demote(el, "span")


def _dedupe_ids(html: etree._Element) -> tuple[str, ...]:
    """Later holders of an id already taken get ``-2``, ``-3``...; returns the ids, in document order."""
    elements = _WITH_ID(html)
    taken, seen = {el.get("id") for el in elements}, set()
    for el in elements:
        ident = el.get("id")
        if ident in seen:
            ident = next(f"{ident}-{n}" for n in itertools.count(2) if f"{ident}-{n}" not in taken)
            taken.add(ident)
            el.set("id", ident)
        seen.add(ident)
    return tuple(ident for el in elements if (ident := el.get("id")))
