"""The body vocabulary: every element and attribute an article body may hold, with its value type.

This table is the one place the vocabulary is decided. ``publisher/model/article.rng`` holds
the same rules as RELAX NG (its body part is written from this table by
``python -m publisher.model.vocabulary``; a test checks the two agree), the normalizer maps
real-world HTML onto it, and docs/article-xml.md describes it.
"""

from __future__ import annotations

import sys

XHTML_NS = "http://www.w3.org/1999/xhtml"
SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XLINK_NS = "http://www.w3.org/1999/xlink"

#: Value types: the name of a RELAX NG define in article.rng.
TEXT, ID, CLASS, LANG, DIR, URL, FRAGMENT, STYLE = "text", "id", "class", "lang", "dir", "url", "fragment", "style"
INT, POSINT, NONNEG, NUMBER = "integer", "positiveInteger", "nonNegativeInteger", "number"

#: Attributes every XHTML element may carry.
GLOBAL = {"id": ID, "class": CLASS, "title": TEXT, "lang": LANG, "dir": DIR, "style": STYLE}

#: XHTML elements and their own attributes (besides GLOBAL). An attribute type may be a tuple:
#: the values it may take.
XHTML: dict[str, dict[str, str | tuple[str, ...]]] = {
    # blocks
    "p": {}, "div": {}, "section": {}, "aside": {}, "blockquote": {"cite": URL}, "pre": {}, "hr": {},
    "h1": {}, "h2": {}, "h3": {}, "h4": {}, "h5": {}, "h6": {},
    "ul": {}, "ol": {"start": INT, "reversed": ("reversed",), "type": ("1", "a", "A", "i", "I")},
    "li": {"value": INT}, "dl": {}, "dt": {}, "dd": {},
    "figure": {}, "figcaption": {}, "details": {"open": ("open",)}, "summary": {},
    "table": {}, "caption": {}, "colgroup": {"span": POSINT}, "col": {"span": POSINT},
    "thead": {}, "tbody": {}, "tfoot": {}, "tr": {},
    "th": {"colspan": POSINT, "rowspan": NONNEG, "scope": ("row", "col", "rowgroup", "colgroup"), "abbr": TEXT},
    "td": {"colspan": POSINT, "rowspan": NONNEG},
    # phrasing
    "a": {"href": URL, "aria-label": TEXT}, "img": {"src": URL, "alt": TEXT, "width": NONNEG, "height": NONNEG},
    "em": {}, "strong": {}, "b": {}, "i": {}, "s": {}, "u": {}, "small": {}, "mark": {}, "sub": {}, "sup": {},
    "del": {"cite": URL, "datetime": TEXT}, "ins": {"cite": URL, "datetime": TEXT},
    "abbr": {}, "time": {"datetime": TEXT}, "q": {"cite": URL}, "cite": {}, "dfn": {},
    "code": {}, "kbd": {}, "samp": {}, "var": {}, "br": {}, "wbr": {}, "span": {},
    "bdi": {}, "bdo": {}, "ruby": {}, "rt": {}, "rp": {},
    "progress": {"value": NUMBER, "max": NUMBER},
}

#: Content models that are not "any body content" (the rest hold text and every element of
#: ``h.any``). Names are RELAX NG patterns written by :func:`rng_body`; elements that may stand
#: only inside one parent (``li``, ``dt``, ``dd``, the table parts) are left out of ``h.any``.
EMPTY = {"br", "wbr", "hr", "img", "col"}
CONTENT: dict[str, str] = {
    "ul": '<zeroOrMore><ref name="h.li"/></zeroOrMore>',
    "ol": '<zeroOrMore><ref name="h.li"/></zeroOrMore>',
    # groups of one or more dt followed by one or more dd
    "dl": '<zeroOrMore><oneOrMore><ref name="h.dt"/></oneOrMore><oneOrMore><ref name="h.dd"/></oneOrMore></zeroOrMore>',
    # caption?, colgroup*, thead?, (tbody* | tr+), tfoot?
    "table": ('<optional><ref name="h.caption"/></optional><zeroOrMore><ref name="h.colgroup"/></zeroOrMore>'
              '<optional><ref name="h.thead"/></optional><choice><zeroOrMore><ref name="h.tbody"/></zeroOrMore>'
              '<oneOrMore><ref name="h.tr"/></oneOrMore></choice><optional><ref name="h.tfoot"/></optional>'),
    "thead": '<zeroOrMore><ref name="h.tr"/></zeroOrMore>',
    "tbody": '<zeroOrMore><ref name="h.tr"/></zeroOrMore>',
    "tfoot": '<zeroOrMore><ref name="h.tr"/></zeroOrMore>',
    "tr": '<zeroOrMore><choice><ref name="h.td"/><ref name="h.th"/></choice></zeroOrMore>',
    "colgroup": '<zeroOrMore><ref name="h.col"/></zeroOrMore>',
    # without datetime, its text is the date: no elements
    "time": '<choice><group><attribute name="datetime"><ref name="v.text"/></attribute><ref name="h.content"/></group><text/></choice>',
}
#: Elements that stand only inside these parents (and are not in ``h.any``).
PARENTS: dict[str, tuple[str, ...]] = {
    "li": ("ul", "ol"), "dt": ("dl",), "dd": ("dl",), "tr": ("table", "thead", "tbody", "tfoot"),
    "td": ("tr",), "th": ("tr",), "thead": ("table",), "tbody": ("table",), "tfoot": ("table",),
    "caption": ("table",), "colgroup": ("table",), "col": ("colgroup",),
}
#: Attributes an element must carry (in its own table above): ``bdo`` overrides the direction.
REQUIRED = {"bdo": {"dir": ("ltr", "rtl")}}

#: Inline SVG: shapes, text, gradients, clipping and markers; nothing that runs, animates,
#: embeds another document or loads anything (no script, style, foreignObject, image,
#: animate/set, feImage). ``href`` only names an element of the same SVG (``#id``).
SVG_ATTRS = ["id", "class", "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "opacity", "color", "font-family", "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline", "letter-spacing", "clip-path", "clip-rule", "mask", "marker-start", "marker-mid", "marker-end", "visibility", "display", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "dx", "dy", "d", "points", "width", "height", "rotate", "viewBox", "preserveAspectRatio", "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "clipPathUnits", "patternUnits", "patternContentUnits", "patternTransform", "markerWidth", "markerHeight", "markerUnits", "orient", "refX", "refY", "textLength", "lengthAdjust", "pathLength", "role", "aria-label", "aria-hidden"]
SVG: dict[str, tuple[str, ...]] = {
    name: tuple(SVG_ATTRS)
    for name in ["svg", "g", "defs", "symbol", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern", "marker", "title", "desc"]
}
# xlink:href (SVG 1.1, which EPUB 3 readers implement; SVG 2's plain href is read as it):
# "#id" of the same SVG only
SVG["use"] = (*SVG_ATTRS, "xlink:href")
SVG["textPath"] = (*SVG_ATTRS, "xlink:href", "startOffset")
#: SVG elements whose content is text only (nothing inside them may be markup).
SVG_TEXT_ONLY = {"title", "desc"}

#: Presentation MathML (MathML Core) without hyperlinks (no ``href``) or ``annotation-xml``.
MATHML_ATTRS = ["id", "class", "dir", "display", "displaystyle", "scriptlevel", "mathvariant", "mathsize", "mathcolor", "mathbackground", "stretchy", "symmetric", "fence", "separator", "largeop", "movablelimits", "accent", "accentunder", "lspace", "rspace", "minsize", "maxsize", "linethickness", "columnalign", "rowalign", "columnspan", "rowspan", "columnlines", "rowlines", "frame", "width", "height", "depth", "voffset", "notation", "encoding", "form"]
MATHML: dict[str, tuple[str, ...]] = {
    name: tuple(MATHML_ATTRS)
    for name in ["math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror", "semantics", "annotation"]
}

#: CSS properties ``style`` may set, and their values; the normalizer writes them as
#: ``name: value`` joined by ``; ``, in this order.
STYLE_PROPERTIES = {
    "text-align": ("left", "right", "center", "justify", "start", "end"),
    "vertical-align": ("top", "middle", "bottom", "baseline"),
}
#: Schemes absolute URLs may use (links and images); everything else is relative to the
#: article and made absolute, or a same-document fragment.
#: (EPUBCheck's registered schemes that a reading system can follow: HTM-025 otherwise.)
URL_SCHEMES = ("http", "https", "mailto", "ftp", "tel", "irc", "news", "nntp", "urn", "xmpp")


def _attr_type(kind: str | tuple[str, ...]) -> str:
    if isinstance(kind, tuple):
        return "<choice>" + "".join(f"<value>{v}</value>" for v in kind) + "</choice>"
    return f'<ref name="v.{kind}"/>'


_NS = {"h": XHTML_NS, "svg": SVG_NS, "m": MATHML_NS}


def _element(prefix: str, name: str, attrs: dict[str, str | tuple[str, ...]], content: str,
             required: dict[str, str | tuple[str, ...]] | None = None) -> str:
    def attribute(name: str) -> str:
        if name.startswith("xlink:"):
            return f'<attribute name="{name[6:]}" ns="{XLINK_NS}">'
        return f'<attribute name="{name}">'

    optional = "".join(
        f"<optional>{attribute(a)}{_attr_type(t)}</attribute></optional>" for a, t in sorted(attrs.items())
        if a not in (required or {})
    ) + "".join(f"{attribute(a)}{_attr_type(t)}</attribute>" for a, t in sorted((required or {}).items()))
    return (f'  <define name="{prefix}.{name}">\n    <element name="{name}" ns="{_NS[prefix]}">'
            f"{optional}{content}</element>\n  </define>\n")


def rng_body() -> str:
    """The body part of article.rng, written from the tables above."""
    out = []
    for name in sorted(XHTML):
        content = "<empty/>" if name in EMPTY else CONTENT.get(name, '<ref name="h.content"/>')
        attrs = {**GLOBAL, **XHTML[name]}
        if name == "time":
            del attrs["datetime"]  # in its content model
        out.append(_element("h", name, attrs, content, REQUIRED.get(name)))
    for name in sorted(SVG):
        content = "<text/>" if name in SVG_TEXT_ONLY else '<ref name="svg.content"/>'
        attrs = {a: (FRAGMENT if a == "xlink:href" else TEXT) for a in SVG[name]}
        attrs["id"] = ID
        out.append(_element("svg", name, attrs, content))
    for name in sorted(MATHML):
        content = "<text/>" if name == "annotation" else '<ref name="m.content"/>'
        attrs = {a: TEXT for a in MATHML[name]}
        attrs["id"] = ID
        out.append(_element("m", name, attrs, content))

    def choice(prefix: str, names) -> str:
        return "<choice>" + "".join(f'<ref name="{prefix}.{n}"/>' for n in sorted(names)) + "</choice>"

    style = "|".join(f"{p}: ({'|'.join(v)})" for p, v in STYLE_PROPERTIES.items())
    schemes = "|".join(URL_SCHEMES)
    head = f"""  <!-- Written by `python -m publisher.model.vocabulary` from publisher/model/vocabulary.py:
       edit the table there, not this part. -->
  <define name="h.any">{choice("h", set(XHTML) - set(PARENTS))}</define>
  <define name="h.content"><zeroOrMore><choice><text/><ref name="h.any"/><ref name="svg.svg"/><ref name="m.math"/></choice></zeroOrMore></define>
  <define name="svg.content"><zeroOrMore><choice><text/>{choice("svg", set(SVG) - {"svg"})}</choice></zeroOrMore></define>
  <define name="m.content"><zeroOrMore><choice><text/>{choice("m", set(MATHML) - {"math"})}</choice></zeroOrMore></define>
  <define name="v.text"><text/></define>
  <define name="v.id"><data type="NCName"/></define>
  <define name="v.class"><data type="string"><param name="pattern">[^\\s"'&lt;&gt;]+( [^\\s"'&lt;&gt;]+)*</param></data></define>
  <define name="v.lang"><choice><value></value><data type="language"/></choice></define>
  <define name="v.dir"><choice><value>ltr</value><value>rtl</value><value>auto</value></choice></define>
  <define name="v.url"><data type="string"><param name="pattern">(({schemes}):|#)[^\\s"&lt;&gt;\\\\^`{{|}}]*</param></data></define>
  <define name="v.fragment"><data type="string"><param name="pattern">#[^\\s"&lt;&gt;\\\\^`{{|}}]+</param></data></define>
  <define name="v.style"><data type="string"><param name="pattern">({style})(; ({style}))*</param></data></define>
  <define name="v.integer"><data type="integer"/></define>
  <define name="v.positiveInteger"><data type="positiveInteger"/></define>
  <define name="v.nonNegativeInteger"><data type="nonNegativeInteger"/></define>
  <define name="v.number"><data type="decimal"/></define>
"""
    return head + "".join(out)


BEGIN = "  <!-- body vocabulary: begin -->\n"
END = "  <!-- body vocabulary: end -->\n"


def write_rng(rng: str) -> str:
    """``rng`` (the text of article.rng) with its body part written anew from the tables."""
    before, _, rest = rng.partition(BEGIN)
    _, _, after = rest.partition(END)
    return before + BEGIN + rng_body() + END + after


if __name__ == "__main__":  # python -m publisher.model.vocabulary: rewrite article.rng's body part
    from pathlib import Path

    path = Path(__file__).with_name("article.rng")
    path.write_text(write_rng(path.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
