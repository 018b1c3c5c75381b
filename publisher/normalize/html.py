"""Real-world HTML onto the body vocabulary: HTML5 parsing (nh3), legacy mapping, SVG/MathML subsets, ids.

Two steps, each with its own job:

- :func:`parse_fragment` parses raw HTML with html5ever, the WHATWG parser of Servo, through
  nh3 (the binding of the ammonia sanitizer): ``embed``, ``source``, ``track`` and ``wbr`` are
  void, nesting has no limit, SVG and MathML get their namespaces. ammonia removes what runs
  code or embeds documents (``script``, ``style``, ``iframe``, ``object``...) with its content,
  comments, and every element and attribute that is neither in the vocabulary nor mappable
  onto it (their text kept). What it removed is reported from the source text.
- :class:`Conformer` maps what is left onto :mod:`publisher.model.vocabulary`, for every
  source format: legacy presentational markup (``center``, ``font``, ``tt``, ``align``,
  ``bgcolor``...) becomes its equivalent or is unwrapped, ``style`` is reduced to the allowed
  properties, the SVG and MathML subsets are enforced, ids are made XML names and unique.
  Each change is a warning on the element's source line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import nh3
from lxml import etree

from publisher import limits
from publisher.model import vocabulary as v
from publisher.normalize import urls
from publisher.xmlutil import LINE_ATTR, forbidden_chars, strip_forbidden

H = f"{{{v.XHTML_NS}}}"
SVG = f"{{{v.SVG_NS}}}"
MATH = f"{{{v.MATHML_NS}}}"
XLINK_HREF = f"{{{v.XLINK_NS}}}href"

#: Obsolete or out-of-vocabulary HTML elements and what they become: (element, style) or
#: None to unwrap (the element goes, its content stays).
LEGACY: dict[str, tuple[str, str | None] | None] = {
    "center": ("div", "text-align: center"), "tt": ("code", None), "strike": ("s", None),
    "acronym": ("abbr", None), "dir": ("ul", None), "menu": ("ul", None), "listing": ("pre", None),
    "xmp": ("pre", None), "plaintext": ("pre", None), "font": ("span", None), "big": ("span", None),
    "nobr": ("span", None), "blink": ("span", None), "marquee": ("span", None),
    "main": ("div", None), "article": ("div", None), "header": ("div", None), "footer": ("div", None),
    "nav": ("div", None), "address": ("div", None), "hgroup": ("div", None), "search": ("div", None),
    "fieldset": ("div", None), "form": ("div", None), "legend": ("p", None),
    "noscript": None, "picture": None, "video": None, "audio": None, "label": None, "button": None,
    "select": None, "option": None, "optgroup": None, "textarea": None, "output": None, "meter": None,
    "data": None, "slot": None, "canvas": None, "map": None,
}
#: Removed with their content: they run code, embed other documents, or are not content.
REMOVED_WITH_CONTENT = {
    "script", "style", "template", "iframe", "object", "applet", "noembed", "noframes", "frameset",
    "frame",
}
#: Void elements outside the vocabulary: removed (they have no content to keep).
REMOVED_VOID = {"embed", "source", "track", "input", "keygen", "param", "area", "base", "link", "meta", "basefont",
                "bgsound", "image", "isindex", "spacer"}
#: Presentational attributes with no place in the vocabulary (styles of tables and fonts).
PRESENTATIONAL = {"bgcolor", "border", "cellpadding", "cellspacing", "color", "face", "size", "nowrap",
                  "background", "hspace", "vspace", "frame", "rules", "valign", "align", "width", "height",
                  "clear", "compact", "noshade", "char", "charoff", "axis", "summary", "text", "link",
                  "vlink", "alink", "bordercolor", "marginwidth", "marginheight"}
#: SVG and MathML elements removed with their content: they run code, animate, load or style.
FOREIGN_REMOVED = {"script", "style", "animate", "animateMotion", "animateTransform", "set", "discard",
                   "image", "feImage", "iframe", "video", "audio", "handler", "listener", "annotation-xml"}
MAX_DEPTH = limits.HTML_NESTING
_HTML_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
              "track", "wbr", "keygen", "basefont", "bgsound", "frame"}

#: html5ever writes the content of these as raw text (mutation XSS): never kept by the parse step.
_RAW_TEXT = {"noscript", "xmp", "plaintext", "noembed", "noframes", "iframe", "style", "script"}
_PARSE_TAGS = (
    set(v.XHTML) | set(v.SVG) | set(v.MATHML) | {k for k in LEGACY if "-" not in k} | {"foreignObject", "a"}
    | {"source"}  # where a <video> or <audio> has its media: kept long enough to become a link
) - _RAW_TEXT
_PARSE_ATTRS = (
    set(v.GLOBAL) | {a for attrs in v.XHTML.values() for a in attrs} | set(v.SVG_ATTRS) | set(v.MATHML_ATTRS)
    | PRESENTATIONAL | {"href", "xlink:href", "name", "startOffset", "xml:lang"}
)
_NOSCRIPT = re.compile(r"<(/?)noscript\b[^>]*>", re.IGNORECASE)
_PARSE_TAGS_LOWER = {t.lower() for t in _PARSE_TAGS}
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_START_NAME = re.compile(r"<([A-Za-z][^\s/>]*)")
_HANDLER_HINT = re.compile(r"[\s\"'/]on[A-Za-z]+\s*=", re.IGNORECASE)
# one per handler attribute: its tag's start as written, up to the attribute
_HANDLER = re.compile(r"<([A-Za-z][^\s/>]*)(?=[^>]*?[\s\"'/](on[A-Za-z]+)\s*=)", re.IGNORECASE)
_SCHEMES_IN = re.compile(r"""=\s*["']?\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:""")
_TAG = re.compile(r"<(/?)([^\s/>]+)([^>]*)>")

#: (the start tag as written in the source, message): where the reader finds the line.
Note = tuple[str, str]


def parse_fragment(markup: str, notes: list[Note]) -> list[etree._Element | str]:
    """An HTML fragment as XHTML nodes (SVG and MathML in their namespaces), as an HTML5
    browser parses it, with what cannot be carried removed; ``notes`` gets what was removed.

    The first item may be a string: text before the first element."""
    _note_removals(markup, notes)
    # html5ever parses <noscript> as a browser running scripts does (its content is text); a
    # book runs none, so its content is what shows: parse it as the markup it is
    markup = _NOSCRIPT.sub(lambda m: f"<{m.group(1)}div>", markup)
    schemes = {found.lower() for found in _SCHEMES_IN.findall(markup)}
    cleaned = nh3.clean(
        markup,
        tags=_PARSE_TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes={"*": _PARSE_ATTRS},
        url_schemes=schemes | set(urls.KNOWN_SCHEMES) | set(urls.SCRIPT_SCHEMES),  # judged later, with warnings
        generic_attribute_prefixes={"data-"},  # the readers' own marks (positions, footnotes)
        strip_comments=True,
        link_rel=None,
    )
    xml = _as_xml(cleaned)
    if forbidden_chars(xml):
        chars = ", ".join(sorted({f"U+{ord(c):04X}" for _, c in forbidden_chars(xml)}))
        notes.append(("", f"removed {chars}, a character XML 1.0 cannot hold"))
        xml = strip_forbidden(xml)
    start = f'<div xmlns="{v.XHTML_NS}" xmlns:xlink="{v.XLINK_NS}">'
    try:  # libxml2 stops at 256 levels: deeper markup is flattened, below MAX_DEPTH
        holder = etree.fromstring(start + xml + "</div>", _XML)
    except etree.XMLSyntaxError:
        xml, flattened = _flatten(xml)
        if flattened:
            notes.append(("", f"markup nested deeper than {MAX_DEPTH} levels was flattened; the text inside is kept"))
        try:
            holder = etree.fromstring(start + xml + "</div>", _XML)
        except etree.XMLSyntaxError:  # not expected of html5ever's output; the text is kept, not the markup
            notes.append(("", "this raw HTML could not be carried as markup; its text is kept"))
            holder = etree.Element(H + "div")
            holder.text = "".join(etree.fromstring(f"<x>{_TAGS_ONLY.sub('', xml)}</x>", _XML).itertext())
    out: list[etree._Element | str] = [holder.text] if holder.text else []
    out.extend(holder)
    return out


def _note_removals(markup: str, notes: list[Note]) -> None:
    markup = _COMMENT.sub("", markup) if "<!--" in markup else markup
    for m in _START_NAME.finditer(markup):
        name = m.group(1).lower()
        if name in _PARSE_TAGS_LOWER:
            continue
        if name in REMOVED_WITH_CONTENT:
            notes.append((m.group(0), f"removed <{name}> and its content (articles run no code and embed no documents)"))
        elif name in REMOVED_VOID:
            notes.append((m.group(0), f"removed <{name}> (articles embed no plugins or media)"))
        elif name == "noscript":
            notes.append((m.group(0), "mapped <noscript> to <div>: articles run no scripts, so its content shows"))
        elif name not in ("html", "body"):
            notes.append((m.group(0), f"unwrapped <{m.group(1)}>: not in the article vocabulary; its text is kept"))
    if _HANDLER_HINT.search(markup):
        for m in _HANDLER.finditer(markup):
            notes.append((m.group(0), f"removed event-handler attribute {m.group(2)}= from <{m.group(1).lower()}>"))


_VOIDS = "|".join(sorted(_HTML_VOID))
_VOID_START = re.compile(rf"<({_VOIDS})((?:\s[^>]*)?)>")
_VOID_END = re.compile(rf"</(?:{_VOIDS})>")
_FOREIGN_ROOT = re.compile(r"<(svg|math)(?=[\s>])")
_TAG_WITH_SPACE = re.compile(r"<[^>]*[\t\n\r][^>]*>")
_FOREIGN_NS = {"svg": v.SVG_NS, "math": v.MATHML_NS}
_TAGS_ONLY = re.compile(r"<[^>]*>")
_XML = etree.XMLParser(resolve_entities=False, no_network=True)


def _as_xml(html: str) -> str:
    """html5ever's serialization of a tree (every non-void element closed, attribute values
    quoted, ``<`` ``>`` ``&`` ``"`` escaped) as XML: void elements self-closed, ``&nbsp;`` as
    a character, SVG and MathML in their namespaces."""
    if "\t" in html or "\n" in html or "\r" in html:  # in attribute values, XML would make them spaces
        html = _TAG_WITH_SPACE.sub(
            lambda m: m.group().replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;"), html
        )
    html = _VOID_END.sub("", _VOID_START.sub(r"<\1\2/>", html))
    html = _FOREIGN_ROOT.sub(lambda m: f'<{m.group(1)} xmlns="{_FOREIGN_NS[m.group(1)]}"', html)
    return html.replace("&nbsp;", "\u00a0")


def _flatten(html: str) -> tuple[str, bool]:
    """``html`` (as XML) without the tags of elements deeper than MAX_DEPTH."""
    out: list[str] = []
    stack: list[bool] = []  # for each open element: whether its tags are kept
    flattened = False
    pos = 0
    for m in _TAG.finditer(html):
        if m.group(0).endswith("/>"):
            if len(stack) < MAX_DEPTH:
                continue
            out.append(html[pos:m.start()])
            pos = m.end()
            flattened = True
            continue
        out.append(html[pos:m.start()])
        pos = m.end()
        if m.group(1):
            if stack and stack.pop():
                out.append(m.group(0))
            continue
        keep = len(stack) < MAX_DEPTH
        flattened |= not keep
        stack.append(keep)
        if keep:
            out.append(m.group(0))
    out.append(html[pos:])
    return "".join(out), flattened


Warn = Callable[[etree._Element, str], None]


class Conformer:
    """Maps one body onto the vocabulary in place; ``warn(element, message)`` hears each change."""

    def __init__(self, warn: Warn) -> None:
        self.warn = warn

    def conform(self, body: etree._Element) -> None:
        # Without SVG or MathML in the body (none is ever made here), every XHTML element is in HTML.
        foreign = next(body.iter(SVG + "*", MATH + "*"), None) is not None
        for el in list(body.iter()):
            if el is body or not isinstance(el.tag, str) or _detached(el, body):
                continue
            local = _VOCABULARY.get(el.tag)
            if local is not None and (not foreign or _in_html(el)):
                # an element of the vocabulary where it may stand (what _xhtml would find): only
                # its attributes may need changes, and one without any (but its line) needs none
                keys = el.keys()
                if keys and (len(keys) > 1 or keys[0] != LINE_ATTR):
                    self._attributes(el, local)
                continue
            ns, _, local = el.tag[1:].partition("}")
            if ns == v.XHTML_NS:
                self._xhtml(el, local)
            elif ns == v.SVG_NS:
                self._foreign(el, local, v.SVG, "SVG")
            elif ns == v.MATHML_NS:
                self._foreign(el, local, v.MATHML, "MathML")
            else:
                self.warn(el, f"unwrapped <{local}>: not in the article vocabulary; its text is kept")
                _unwrap(el)
        for el in list(body.iter(etree.Comment, etree.ProcessingInstruction)):
            _remove(el)
        _Structure(self.warn).fix(body)
        _fix_ids(body, self.warn)

    def _xhtml(self, el: etree._Element, local: str) -> None:
        if local in REMOVED_WITH_CONTENT or local in REMOVED_VOID:
            self.warn(el, f"removed <{local}> and its content (articles run no code and embed no documents)")
            _remove(el)
            return
        if not _in_html(el):  # HTML inside SVG or MathML (foreignObject, mtext): its text only
            self.warn(el, f"unwrapped <{local}> inside SVG or MathML; its text is kept")
            _unwrap(el)
            return
        if local in ("video", "audio") and _media_to_link(el, local):
            self.warn(el, f"mapped <{local}> to a link to its media (articles embed no players)")
            local = "a"
        if local not in v.XHTML:
            mapped = LEGACY.get(local)
            if mapped is None:
                self.warn(el, f"unwrapped <{local}>: not in the article vocabulary; its text is kept")
                _unwrap(el)
                return
            new, style = mapped
            el.tag = H + new
            if style:
                el.set("style", style + ("; " + el.get("style") if el.get("style") else ""))
            shown = f' style="{style}"' if style else ""
            self.warn(el, f"mapped <{local}> to <{new}{shown}>")
            local = new
        self._attributes(el, local)

    def _attributes(self, el: etree._Element, local: str) -> None:
        allowed = _ALLOWED[local]
        styles: list[str] = []
        for name in list(el.attrib):
            value = el.attrib[name]
            if name == LINE_ATTR:
                continue
            if name in ("align", "valign") and local not in ("img", "table"):
                prop = "text-align" if name == "align" else "vertical-align"
                if value.strip().lower() in v.STYLE_PROPERTIES[prop]:
                    styles.append(f"{prop}: {value.strip().lower()}")
                    self.warn(el, f"mapped {name}=\"{value}\" on <{local}> to style=\"{prop}: {value.strip().lower()}\"")
                else:
                    self.warn(el, f"dropped {name}=\"{value}\" from <{local}>: not an alignment the vocabulary has")
                del el.attrib[name]
            elif name == "name" and local == "a" and not el.get("id"):
                del el.attrib[name]
                el.set("id", value)
            elif name == "style":
                kept = _reduce_style(value)
                if kept != value.strip().rstrip(";").strip():
                    self.warn(el, f"reduced style=\"{value}\" on <{local}> to "
                                  + (f"\"{kept}\"" if kept else "nothing") + " (the vocabulary keeps only "
                                  + ", ".join(v.STYLE_PROPERTIES) + ")")
                del el.attrib[name]
                if kept:
                    styles.insert(0, kept)
            elif name in allowed:
                fixed = _typed(allowed[name], value)
                if fixed is None:
                    self.warn(el, f"dropped {name}=\"{value}\" from <{local}>: not a valid value")
                    del el.attrib[name]
                elif fixed != value:
                    el.set(name, fixed)
            elif name.lower().startswith("on"):
                self.warn(el, f"removed event-handler attribute {name}= from <{local}>")
                del el.attrib[name]
            elif name in PRESENTATIONAL:
                self.warn(el, f"dropped presentational attribute {name}=\"{value}\" from <{local}>")
                del el.attrib[name]
            else:  # target, rel, data-*, aria-*: no effect on what a reader sees
                del el.attrib[name]
        if styles:
            merged = _reduce_style("; ".join(styles))
            if merged:
                el.set("style", merged)

    def _foreign(self, el: etree._Element, local: str, table: dict, kind: str) -> None:
        if local in FOREIGN_REMOVED:
            self.warn(el, f"removed {kind} <{local}> and its content (it runs, animates, styles or loads)")
            _remove(el)
            return
        if local not in table or (local not in ("svg", "math") and not _in_foreign(el, local, kind)):
            self.warn(el, f"unwrapped {kind} <{local}>: not in the article vocabulary; its text is kept")
            _unwrap(el)
            return
        allowed = table[local]
        for name in list(el.attrib):
            value = el.attrib[name]
            if name == LINE_ATTR:
                continue
            if name in ("href", XLINK_HREF):
                del el.attrib[name]
                if "xlink:href" in allowed and value.strip().startswith("#") and len(value.strip()) > 1:
                    el.set(XLINK_HREF, value.strip())
                else:
                    self.warn(el, f"removed href=\"{value}\" from {kind} <{local}>: only #id of the same figure is kept")
            elif name.lower().startswith("on"):
                self.warn(el, f"removed event-handler attribute {name}= from {kind} <{local}>")
                del el.attrib[name]
            elif name == "style":
                del el.attrib[name]
                dropped = self._style_to_attributes(el, value, allowed)
                if dropped:
                    self.warn(el, f"{kind} <{local}>: style properties {', '.join(dropped)} dropped "
                                  "(the others became presentation attributes)")
            elif name not in allowed:
                del el.attrib[name]
            elif _LOADS.search(value):
                self.warn(el, f"dropped {name}=\"{value}\" from {kind} <{local}>: it loads a resource")
                del el.attrib[name]
        if kind == "SVG" and local in v.SVG_TEXT_ONLY:
            for child in list(el):
                self.warn(child, f"unwrapped <{etree.QName(child).localname}> inside SVG <{local}>; its text is kept")
                _unwrap_all(child)


    @staticmethod
    def _style_to_attributes(el: etree._Element, style: str, allowed: tuple[str, ...]) -> list[str]:
        """SVG's ``style`` as the presentation attributes it sets (what Inkscape writes); the
        names of the properties that have none, or load something, are returned."""
        dropped = []
        for decl in style.split(";"):
            prop, _, value = decl.partition(":")
            prop, value = prop.strip(), value.strip()
            if not prop:
                continue
            if prop in allowed and prop not in ("id", "class", "href") and value and not _LOADS.search(value):
                if el.get(prop) is None:
                    el.set(prop, value)
            else:
                dropped.append(prop)
        return dropped


#: Each XHTML element of the vocabulary that is kept as it is (its attributes checked) by its
#: tag: {tag: local name}. <video> and <audio> (not in the vocabulary) become links first.
_VOCABULARY = {H + name: name for name in v.XHTML
               if name not in REMOVED_WITH_CONTENT and name not in REMOVED_VOID and name not in ("video", "audio")}
#: The attributes each element of the vocabulary may carry, with their types.
_ALLOWED = {name: {**v.GLOBAL, **attrs} for name, attrs in v.XHTML.items()}

#: The XHTML elements :meth:`_Structure.fix` looks at, by tag: {tag: local name}.
_STRUCTURED = {H + name: name for name in (
    set(v.PARENTS) | v.EMPTY | set(v.REQUIRED) | {"time", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr",
                                                   "colgroup"})}

_TABLE_PARTS = {"caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "td", "th"}


def _local(el) -> str | None:
    """The local name of an XHTML element; None for text holders of other kinds."""
    if isinstance(el.tag, str) and el.tag.startswith(H):
        return el.tag[len(H):]
    return None


class _Structure:
    """The content models of :data:`vocabulary.CONTENT`, :data:`~vocabulary.PARENTS` and
    :data:`~vocabulary.REQUIRED`, made true top-down: what stands where it may not is
    wrapped (loose content of a list, a dl, a table row), moved (content of a table that is
    not a table part goes before the table, as browsers show it) or unwrapped; text is never
    lost. Each change is a warning."""

    def __init__(self, warn: Warn) -> None:
        self.warn = warn

    def fix(self, body: etree._Element) -> None:
        for el in list(body.iter()):
            local = _STRUCTURED.get(el.tag)  # the others stand anywhere and hold anything
            if local is None or el is body or _detached(el, body):
                continue
            parent = el.getparent()
            parents = v.PARENTS.get(local)
            if parents and _local(parent) not in parents:
                self.warn(el, f"unwrapped <{local}>: it stands only inside <{'>, <'.join(parents)}>; its text is kept")
                _unwrap(el)
                continue
            if local in v.EMPTY and (len(el) or (el.text or "").strip()):
                self.warn(el, f"moved the content of <{local}> after it: <{local}> is empty")
                _empty(el)
            for attr, values in v.REQUIRED.get(local, {}).items():
                if el.get(attr) not in values:
                    self.warn(el, f"mapped <{local}> without {attr}=\"{'|'.join(values)}\" to <span>")
                    el.tag = H + "span"
                    el.attrib.pop(attr, None)
                    local = "span"
            if local == "time" and el.get("datetime") is None and len(el):
                self.warn(el, "unwrapped <time> without datetime: its text is the date and may hold no elements")
                _unwrap(el)
                continue
            if local in ("ul", "ol"):
                self._wrap_runs(el, lambda c: _local(c) == "li", "li")
            elif local == "dl":
                self._dl(el)
            elif local == "table":
                self._table(el)
            elif local in ("thead", "tbody", "tfoot"):
                self._wrap_runs(el, lambda c: _local(c) == "tr", "tr", cell=True)
            elif local == "tr":
                self._wrap_runs(el, lambda c: _local(c) in ("td", "th"), "td")
            elif local == "colgroup":
                for child in list(el):
                    if _local(child) != "col":
                        self._foster(child, el.getparent() if _local(el.getparent()) == "table" else el)

    def _wrap_runs(self, el, fits, wrapper: str, cell: bool = False) -> None:
        """Each run of children (and text) that does not fit ``el`` goes into a new ``wrapper``
        (a ``tr`` of one ``td`` when ``cell``); a run of cells gets a ``tr`` of its own."""
        nodes = _nodes(el)
        if all(isinstance(n, str) and not n.strip() or not isinstance(n, str) and fits(n) for n in nodes):
            return
        self.warn(el, f"wrapped content of <{_local(el)}> that may not stand there in <{wrapper}>")
        out, run = [], []

        def close() -> None:
            if any(not isinstance(n, str) or n.strip() for n in run):
                new = etree.Element(H + wrapper)
                inner = new
                cells = [n for n in run if not isinstance(n, str) and _local(n) in ("td", "th")]
                if cell and len(cells) != len([n for n in run if not isinstance(n, str)]) or cell and not cells:
                    inner = etree.SubElement(new, H + "td")
                _fill(inner, run)
                out.append(new)
            elif run:
                out.append("".join(run))  # whitespace
            run.clear()

        for n in nodes:
            if not isinstance(n, str) and fits(n):
                close()
                out.append(n)
            else:
                run.append(n)
        close()
        _refill(el, out)

    def _dl(self, el) -> None:
        self._wrap_runs(el, lambda c: _local(c) in ("dt", "dd"), "dd")
        children = list(el)
        changed = False
        for i, child in enumerate(children):
            prev = _local(children[i - 1]) if i else None
            nxt = _local(children[i + 1]) if i + 1 < len(children) else None
            if _local(child) == "dd" and prev is None:
                child.addprevious(etree.Element(H + "dt"))
                changed = True
            if _local(child) == "dt" and nxt not in ("dt", "dd"):
                new = etree.Element(H + "dd")
                new.tail, child.tail = child.tail, None
                child.addnext(new)
                changed = True
        if changed:
            self.warn(el, "completed <dl>: every group is one or more <dt> followed by one or more <dd>")

    def _table(self, el) -> None:
        """caption?, colgroup*, thead?, (tbody* | tr+), tfoot?, in that order."""
        for child in list(el):
            kind = _local(child)
            if kind not in _TABLE_PARTS:
                self._foster(child, el)
        loose = [el.text or ""] + [child.tail or "" for child in el]
        if any(t.strip() for t in loose):
            self.warn(el, "moved text inside <table> but outside its cells before the table")
            _add_tail(el, "".join(t for t in loose if t.strip()))
            el.text = None
            for child in el:
                child.tail = None
        caption, colgroups, thead, body, tfoot = None, [], None, [], None
        for child in list(el):
            kind = _local(child)
            if kind == "caption" and caption is None:
                caption = child
            elif kind == "colgroup":
                colgroups.append(child)
            elif kind == "col":
                if not colgroups or colgroups[-1].get("_made") is None:
                    colgroups.append(etree.Element(H + "colgroup", _made="1"))
                colgroups[-1].append(child)
            elif kind == "thead" and thead is None:
                thead = child
            elif kind == "tfoot" and tfoot is None:
                tfoot = child
            elif kind in ("tbody", "tr", "thead", "tfoot", "td", "th"):
                if kind in ("thead", "tfoot"):
                    child.tag = H + "tbody"
                body.append(child)
            else:  # a second caption
                self.warn(child, "mapped a second <caption> of a <table> to <div> before the table")
                child.tag = H + "div"
                el.addprevious(child)
        for c in colgroups:
            c.attrib.pop("_made", None)
        if any(_local(b) != "tbody" for b in body) and any(_local(b) == "tbody" for b in body) \
                or any(_local(b) in ("td", "th") for b in body):
            groups: list = []
            for b in body:
                if _local(b) == "tbody":
                    groups.append(b)
                    continue
                if not groups or groups[-1].get("_made") is None:
                    groups.append(etree.Element(H + "tbody", _made="1"))
                groups[-1].append(b)
            for g in groups:
                g.attrib.pop("_made", None)
            body = groups
        order = ([caption] if caption is not None else []) + colgroups + ([thead] if thead is not None else []) \
            + body + ([tfoot] if tfoot is not None else [])
        if order == list(el):
            return
        self.warn(el, "put the parts of <table> in their order: caption, colgroup, thead, tbody or tr, tfoot")
        for child in list(el):
            el.remove(child)
        for child in order:
            child.tail = None
            el.append(child)

    def _foster(self, child, table) -> None:
        """``child`` moved before ``table`` (with its text)."""
        self.warn(child, f"moved <{etree.QName(child).localname}> out of <{_local(child.getparent())}> "
                         f"before the <{_local(table)}>: it may not stand there")
        tail, child.tail = child.tail, None
        _add_tail(child, tail)
        child.getparent().remove(child)
        table.addprevious(child)
        child.tail = None


def _nodes(el) -> list:
    """The content of ``el`` as text strings and elements (element tails as strings)."""
    out: list = [el.text] if el.text else []
    for child in el:
        out.append(child)
        if child.tail:
            out.append(child.tail)
    return out


def _fill(el, nodes) -> None:
    """``nodes`` (from :func:`_nodes`: an element's tail is the string after it) into ``el``."""
    for n in nodes:
        if not isinstance(n, str):
            n.tail = None
    for n in nodes:
        if isinstance(n, str):
            if len(el):
                el[-1].tail = (el[-1].tail or "") + n
            else:
                el.text = (el.text or "") + n
        else:
            el.append(n)


def _refill(el, nodes) -> None:
    el.text = None
    for child in list(el):
        el.remove(child)
    for n in nodes:
        if not isinstance(n, str):
            n.tail = None
    _fill(el, nodes)


def _empty(el) -> None:
    """The content of an empty element moved after it."""
    nodes = _nodes(el)
    el.text = None
    for child in list(el):
        child.tail = None
        el.remove(child)
    tail, el.tail = el.tail, None
    parent = el.getparent()
    index = parent.index(el)
    for n in reversed([n for n in nodes if not isinstance(n, str)]):
        parent.insert(index + 1, n)
    # texts: rebuild in order after el
    last = el
    for n in nodes:
        if isinstance(n, str):
            last.tail = (last.tail or "") + n
        else:
            last = n
    if tail:
        last.tail = (last.tail or "") + tail


_LOADS = re.compile(r"url\(\s*['\"]?(?!#)|expression\(|[<>\\]", re.IGNORECASE)


def _media_to_link(el: etree._Element, local: str) -> bool:
    """Make a <video> or <audio> a link to its media, its fallback content the link's text (or
    the file's name): the URL is content too. False when it names no media (it is unwrapped)."""
    src = el.get("src") or next((s.get("src") for s in el.iter(H + "source") if s.get("src")), None)
    if not src or not src.strip():
        return False
    for child in list(el):  # sources and tracks say where the media is: the link says it now
        if child.tag in (H + "source", H + "track"):
            _remove(child)
    if next(el.iter(H + "a"), None) is not None:  # a link cannot hold a link: one after it instead
        link = etree.Element(H + "a", href=src)
        link.text = src.rstrip("/").rsplit("/", 1)[-1] or local
        link.tail, el.tail = el.tail, None
        el.addnext(link)
        _unwrap(el)
        return False
    el.attrib.clear()
    el.tag = H + "a"
    el.set("href", src)
    if not "".join(el.itertext()).strip():
        el.text = src.rstrip("/").rsplit("/", 1)[-1] or local
    return True


def _in_html(el: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if isinstance(parent.tag, str) and (parent.tag.startswith(SVG) or parent.tag.startswith(MATH)):
            return False
        parent = parent.getparent()
    return True


def _in_foreign(el: etree._Element, local: str, kind: str) -> bool:
    """Whether a non-root SVG/MathML element stands inside its own root (not loose in HTML)."""
    parent = el.getparent()
    ns = SVG if kind == "SVG" else MATH
    return parent is not None and isinstance(parent.tag, str) and parent.tag.startswith(ns)


def _typed(kind, value: str) -> str | None:
    value = value.strip() if kind not in (v.TEXT,) else value
    if isinstance(kind, tuple):
        if value in kind:
            return value
        lower = value.lower()
        return lower if lower in kind else (kind[0] if value == "" and len(kind) == 1 else None)
    if kind in (v.INT, v.POSINT, v.NONNEG):
        m = re.fullmatch(r"[+-]?\d+", value)
        if not m:
            return None
        n = int(value)
        if (kind == v.POSINT and n < 1) or (kind == v.NONNEG and n < 0):
            return None
        return str(n)
    if kind == v.NUMBER:
        return value if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value) else None
    if kind == v.CLASS:
        tokens = re.findall(r"[^\s\"'<>]+", value)
        return " ".join(tokens) or None
    if kind == v.DIR:
        return value.lower() if value.lower() in ("ltr", "rtl", "auto") else None
    if kind == v.LANG:
        return value if value == "" or re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", value) else None
    return value  # text, id (fixed with the others), url (checked by the normalizer), style


def _reduce_style(style: str) -> str:
    kept: dict[str, str] = {}
    for decl in style.split(";"):
        prop, _, value = decl.partition(":")
        prop, value = prop.strip().lower(), value.strip().lower().replace("!important", "").strip()
        if prop in v.STYLE_PROPERTIES and value in v.STYLE_PROPERTIES[prop]:
            kept[prop] = value
    return "; ".join(f"{p}: {kept[p]}" for p in v.STYLE_PROPERTIES if p in kept)


def _detached(el: etree._Element, body: etree._Element) -> bool:
    node = el.getparent()
    while node is not None and node is not body:
        node = node.getparent()
    return node is None


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    _add_tail(el, el.tail)
    parent.remove(el)


def _add_tail(el: etree._Element, text: str | None) -> None:
    """Put ``text`` just before ``el`` (where it stands, before it leaves)."""
    if not text:
        return
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent = el.getparent()
        parent.text = (parent.text or "") + text


def _unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content (text and children), keeping its tail."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    _add_tail(el, el.text)
    children = list(el)
    tail = el.tail
    if children:
        children[-1].tail = (children[-1].tail or "") + (tail or "")
        tail = None
    parent.remove(el)  # el's tail goes with it: put back below
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if tail:
        if index > 0:
            prev = parent[index - 1]
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _unwrap_all(el: etree._Element) -> None:
    text = "".join(el.itertext())
    tail = el.tail
    el.tail = None
    _add_tail(el, text + (tail or ""))
    el.getparent().remove(el)


_WITH_ID = etree.XPath("descendant-or-self::*[@id]")
_URL_VALUES = etree.XPath("descendant-or-self::*/@*[contains(., 'url(')]")
_ID_FIX = re.compile(r"[^\w.\-]")
_URL_REF = re.compile(r"url\(\s*(['\"]?)#([^)'\"]+)\1\s*\)")


def _fix_ids(body: etree._Element, warn: Warn) -> None:
    """Every id an XML name, unique in the article; references (``#id`` links, SVG ``href``
    and ``url(#id)``) follow the renamed ids, an SVG's own ids first."""
    used: set[str] = set()
    renamed: dict[str, str] = {}  # first holder of an old id -> its new id (links follow the first)
    local_maps: dict[etree._Element, dict[str, str]] = {}
    changed = False
    for el in _WITH_ID(body):  # document order
        old = el.get("id")
        new = _as_id(old)
        base, n = new, 2
        while new in used:
            new = f"{base}-{n}"
            n += 1
        used.add(new)
        if new != old:
            local = etree.QName(el).localname
            reason = "an id must be an XML name" if base != old else "an id must be unique in the article"
            warn(el, f"renamed id=\"{old}\" on <{local}> to \"{new}\" ({reason})")
            el.set("id", new)
            changed = True
        renamed.setdefault(old, new)
        figure = _foreign_root(el)
        if figure is not None:
            local_maps.setdefault(figure, {})[old] = new
    if not renamed:
        return
    if not changed:  # every reference still names its id: only url(#id) is written anew (as url(#id))
        for value in _URL_VALUES(body):
            el, name = value.getparent(), value.attrname
            if not (name in ("href", XLINK_HREF) and value.startswith("#")):
                el.set(name, _URL_REF.sub(lambda m: f"url(#{m.group(2)})", str(value)))
        return
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        figure = _foreign_root(el)
        mapping = {**renamed, **local_maps.get(figure, {})} if figure is not None else renamed
        for name, value in el.attrib.items():
            if name in ("href", XLINK_HREF) and value.startswith("#"):
                target = mapping.get(value[1:])
                if target is not None and target != value[1:]:
                    el.set(name, "#" + target)
            elif "url(" in value:
                el.set(name, _URL_REF.sub(lambda m, ids=mapping: f"url(#{ids.get(m.group(2), m.group(2))})", value))


# The schema's own test of an id (libxml2's NCName, which knows fewer letters than Python's \w)
_NCNAME_RNG = etree.RelaxNG(etree.fromstring(
    '<element xmlns="http://relaxng.org/ns/structure/1.0" name="x" '
    'datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes"><attribute name="id"><data type="NCName"/>'
    "</attribute></element>"
))


@functools.lru_cache(maxsize=4096)
def _is_id(value: str) -> bool:
    return bool(_NCNAME_RNG.validate(etree.Element("x", id=value)))


def _as_id(value: str) -> str:
    """``value`` as an id the schema accepts: characters it refuses become "-", and "id-"
    goes before a start it refuses."""
    if _is_id(value):
        return value
    new = "".join(c if _is_id("a" + c) else "-" for c in _ID_FIX.sub("-", value.strip()))
    return new if _is_id(new) else "id-" + new if _is_id("id-" + new) else "id"


def _foreign_root(el: etree._Element) -> etree._Element | None:
    node, root = el, None
    while node is not None and isinstance(node.tag, str) and (node.tag.startswith(SVG) or node.tag.startswith(MATH)):
        root = node
        node = node.getparent()
    return root
