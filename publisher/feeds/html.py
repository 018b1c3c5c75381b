"""The article as feeds carry it: HTML serialized by HTML rules, every URL absolute and valid.

RSS ``content:encoded`` and ``description``, Atom ``type="html"`` and JSON Feed ``content_html``
all hold HTML as text, which readers parse with an HTML parser. XML serialization is wrong
there: ``<td/>`` and ``<a/>`` are *open* tags to an HTML parser, and inline SVG or MathML comes
out as ``<ns0:svg>``. So the model's XHTML is written by HTML rules (lxml's ``method="html"``,
libxml2's serializer, C speed) after its names leave their namespaces (an HTML parser puts
``svg`` and ``math`` back in theirs from context). Atom stays ``type="html"`` rather than
``type="xhtml"``: one string serves all three formats, and it is what readers handle best.

Inline SVG and MathML are not carried as markup: feed readers' sanitizers drop both (their
HTML lists, which the W3C validator shares and warns by, NotHtml, predate HTML5's foreign
content). An SVG becomes ``<img src="data:image/svg+xml;base64,...">`` of itself (already
reduced to the vocabulary's safe subset, and an image runs nothing) with its title as ``alt``;
MathML becomes its text (its TeX annotation when it has one) in ``<span class="math">``.

What feed readers' sanitizers (and the W3C validator, which shares their lists) reject is
decided here, for feeds only: URLs are absolute, made of URI characters, and of a scheme a
reader can open; inline ``style`` keeps the declarations those sanitizers keep.
"""

from __future__ import annotations

import base64
import re
from functools import partial
from urllib.parse import quote, urljoin, urlsplit

from lxml import etree

from publisher.model import ArticleView
from publisher.model import vocabulary as v
from publisher.model.content import article_content

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
URL_ATTRS = ("href", "src", "poster", "cite", "action", "formaction", "data", "background",
             "longdesc", "usemap")
#: Elements feeds never carry, and raw-text elements whose tags go (see html_string).
DROPPED = ("script", "style")
UNWRAPPED = ("plaintext", "xmp", "noembed", "noframes", "noscript", "iframe", "template")
#: The namespaced attributes HTML has a plain name for; the others (xml:space, epub:type) go.
_PLAIN_NAMES = {XLINK_HREF: "href", XML_LANG: "lang"}
#: Schemes a link or image in a feed may use: what readers open. Anything else (a typo such as
#: ``mail-to:`` or ``ttps:``, ``javascript:``) loses its URL; the text stays. Normalizing warns.
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp", "urn", "news", "xmpp",
                         "irc", "ircs", "magnet", "geo", "sms"})
#: ``data:`` only as a raster image's ``src``: a data: link or SVG can carry a document or script.
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp|avif)[;,]", re.IGNORECASE)
#: RFC 3986 characters (unreserved, reserved, and "%" of escapes already there).
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~-._"
_URI_CLEAN = re.compile(r"[A-Za-z0-9!#$%&'()*+,/:;=?@\[\]~._-]*\Z")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")

# The inline CSS feed readers keep: the W3C Feed Validation Service's lists (feedvalidator
# validators.py, MIT, from feedparser's sanitizer), which warn (DangerousStyleAttr) on the rest.
CSS_PROPERTIES = frozenset([
    "azimuth", "background", "background-color", "border", "border-bottom",
    "border-bottom-color", "border-bottom-style", "border-bottom-width", "border-collapse",
    "border-color", "border-left", "border-left-color", "border-left-style",
    "border-left-width", "border-right", "border-right-color", "border-right-style",
    "border-right-width", "border-spacing", "border-style", "border-top", "border-top-color",
    "border-top-style", "border-top-width", "border-width", "clear", "color", "cursor",
    "direction", "display", "elevation", "float", "font", "font-family", "font-size",
    "font-style", "font-variant", "font-weight", "height", "letter-spacing", "line-height",
    "list-style-type", "margin", "margin-bottom", "margin-left", "margin-right", "margin-top",
    "overflow", "padding", "padding-bottom", "padding-left", "padding-right", "padding-top",
    "pause", "pause-after", "pause-before", "pitch", "pitch-range", "richness", "speak",
    "speak-header", "speak-numeral", "speak-punctuation", "speech-rate", "stress", "text-align",
    "text-decoration", "text-indent", "unicode-bidi", "vertical-align", "voice-family",
    "volume", "white-space", "width",
])
CSS_KEYWORDS = frozenset([
    "aqua", "auto", "black", "block", "blue", "bold", "both", "bottom", "brown", "center",
    "collapse", "dashed", "dotted", "fuchsia", "gray", "green", "!important", "italic", "left",
    "lime", "maroon", "medium", "none", "navy", "normal", "nowrap", "olive", "pointer",
    "purple", "red", "right", "solid", "silver", "teal", "top", "transparent", "underline",
    "white", "yellow",
])
_CSS_VALUE = re.compile(r"^(#[0-9a-f]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|\d?\.?\d?\d(cm|em|ex|in|mm|pc|pt|px|%|,|\))?)$")
_CSS_CHARS = re.compile(r"""^([:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*$""")
_CSS_DECL = re.compile(r"^\s*([-\w]+)\s*:\s*([^:;]*?)\s*$")


def feed_style(style: str) -> str:
    """The declarations of an inline ``style`` that feed readers keep, in their order."""
    kept = []
    for decl in style.split(";"):
        m = _CSS_DECL.match(decl)
        if not m or not _CSS_CHARS.match(decl):
            continue
        prop, value = m.group(1).lower(), m.group(2)
        if prop not in CSS_PROPERTIES:
            continue
        if prop.split("-")[0] in ("background", "border", "margin", "padding") and not all(
            k in CSS_KEYWORDS or _CSS_VALUE.match(k) for k in value.lower().split()
        ):
            continue
        kept.append(f"{prop}: {value}")
    return "; ".join(kept)


def feed_url(base: str, value: str, *, image: bool = False) -> str | None:
    """``value`` resolved against ``base`` and escaped to URI characters; None when readers
    could not open it (an unknown scheme, or a URL that does not parse). ``image``: the ``src``
    of an image, which may also be a raster ``data:`` URL."""
    value = value.strip()
    if image and _DATA_IMAGE.match(value):
        return value if _URI_CLEAN.match(value) else quote(value, safe=_URI_SAFE)
    url = value
    if not _SCHEME.match(value):  # most URLs are absolute already: urljoin only the others
        try:
            url = urljoin(base, value)
        except ValueError:  # e.g. an unclosed "[" in the host
            return None
    scheme = _SCHEME.match(url)
    if scheme is None or scheme.group(1).lower() not in URL_SCHEMES:
        return None
    if "[" in url:  # an IPv6 host: it must parse
        try:
            urlsplit(url)
        except ValueError:
            return None
    return url if _URI_CLEAN.match(url) else quote(url, safe=_URI_SAFE)


def _style_or_none(style: str) -> str | None:
    return feed_style(style) or None


def _srcset(base: str, value: str) -> str | None:
    candidates = []
    for part in value.split(","):
        words = part.split()
        url = feed_url(base, words[0]) if words else None
        if url is not None:
            candidates.append(" ".join([url, *words[1:]]))
    return ", ".join(candidates) or None


def _for_feeds(base: str):
    """The rewriter that makes one element of the model what a feed carries (see module doc)."""

    def rewrite(el: etree._Element) -> None:
        tag = el.tag
        if tag[0] == "{":  # HTML names: an HTML parser gives svg and math their namespace back
            el.tag = tag = tag[tag.index("}") + 1 :]
        if tag in ("pre", "textarea", "listing") and el.text and el.text[0] == "\n":
            el.text = "\n" + el.text  # an HTML parser drops one newline right after the start tag
        attrib = el.attrib
        if not attrib:
            return
        # xlink:href, xml:lang, xml:space, epub:type; and event handlers, which no reader runs
        for name in [n for n in attrib if n[0] == "{" or n[:2].lower() == "on"]:
            value = attrib.pop(name)
            plain = _PLAIN_NAMES.get(name)
            if plain and plain not in attrib:
                attrib[plain] = value
        for name in URL_ATTRS:
            value = attrib.get(name)
            if value is not None:
                url = feed_url(base, value, image=name == "src" and tag == "img")
                if url is None:
                    del attrib[name]
                else:
                    attrib[name] = url
        for name, clean in (("srcset", partial(_srcset, base)), ("style", _style_or_none)):
            value = attrib.get(name)
            if value is not None:
                value = clean(value)
                if value is None:
                    del attrib[name]
                else:
                    attrib[name] = value

    def select(root: etree._Element) -> list[etree._Element]:
        made = set(foreign_as_html(root))  # their data: URL is ours: no source URL is data:
        for el in made:
            el.tag = etree.QName(el).localname  # as rewrite does to the others
        return [el for el in root.iter(etree.Element) if el not in made]

    rewrite.select = select  # type: ignore[attr-defined]
    return rewrite


_SVG = f"{{{v.SVG_NS}}}svg"
_MATH = f"{{{v.MATHML_NS}}}math"
_NUMBER = re.compile(r"\d+(\.\d+)?(px)?\Z")


def foreign_as_html(root: etree._Element) -> list[etree._Element]:
    """Each inline SVG in ``root`` as an ``img`` of itself, each MathML formula as its text
    (see the module doc); the tail stays where it was. Returns the new elements."""
    made = []
    for el in list(root.iter(_SVG, _MATH)):
        parent = el.getparent()
        if parent is None or (isinstance(parent.tag, str) and parent.tag.startswith(("{" + v.SVG_NS, "{" + v.MATHML_NS))):
            continue
        if el.tag == _SVG:
            new = etree.Element(f"{{{v.XHTML_NS}}}img")
            svg = etree.tostring(el, encoding="utf-8", with_tail=False)
            new.set("src", "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"))
            titles = [t for t in el if t.tag == f"{{{v.SVG_NS}}}title"]
            alt = "".join(titles[0].itertext()) if titles else el.get("aria-label") or " ".join(
                "".join(t.itertext()).strip() for t in el.iter(f"{{{v.SVG_NS}}}text"))
            new.set("alt", " ".join(alt.split()))
            for dim in ("width", "height"):
                value = (el.get(dim) or "").strip()
                if _NUMBER.match(value):
                    new.set(dim, str(round(float(value.removesuffix("px")))))
        else:
            new = etree.Element(f"{{{v.XHTML_NS}}}span", {"class": "math"})
            tex = [a for a in el.iter(f"{{{v.MATHML_NS}}}annotation") if (a.get("encoding") or "").endswith("tex")]
            if tex:
                new.text = "".join(tex[0].itertext()).strip()
            else:
                new.text = "".join(
                    "".join(t.itertext()) for t in el.iter()
                    if t.tag in {f"{{{v.MATHML_NS}}}{n}" for n in ("mi", "mn", "mo", "ms", "mtext")}
                )
        new.tail = el.tail
        parent.replace(el, new)
        made.append(new)
    return made


def content_html(view: ArticleView) -> str:
    """The article as an HTML string: HTML serialization, every URL absolute and valid."""
    return html_string(article_content(view, with_header=False, rewrite=_for_feeds(view.canonical)))


def html_string(div: etree._Element) -> str:
    """The content of ``div`` (its names already HTML's) serialized by HTML rules.

    What HTML serialization cannot write safely goes first: libxml2 writes the text of
    ``script`` and ``style`` raw, so a text holding ``</style><script>`` (an article-XML source
    can say so in escaped form) would be markup to a reader; and a comment whose text starts
    with ">" is closed by HTML at ``<!-->``, with the rest read as markup. Both elements, all
    comments and processing instructions are dropped (feed readers drop them anyway), and the
    other raw-text elements (``plaintext`` swallows the rest of the page) are unwrapped.
    """
    etree.strip_elements(div, *DROPPED, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    etree.strip_tags(div, *UNWRAPPED)
    etree.cleanup_namespaces(div)  # the names left their namespaces: no declaration is used
    parts = [etree.tostring(child, encoding="unicode", method="html", with_tail=True) for child in div]
    return (div.text or "") + "".join(parts)
