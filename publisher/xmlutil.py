"""The one safe lxml parser, namespaces, XML-1.0 character hygiene and serializers."""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

ART_NS = "urn:publisher:article:1"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
EPUB_NS = "http://www.idpf.org/2007/ops"

A = "{%s}" % ART_NS
H = "{%s}" % XHTML_NS
XML_LANG = "{%s}lang" % XML_NS
#: Source line a reader recorded on a body element; the normalizer reads it for messages, then drops it.
LINE_ATTR = "{urn:publisher:source-line}line"

# Parsing untrusted files: never resolve entities, never touch the network.
PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=False
)

# XML 1.0 allows TAB, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def forbidden_chars(text: str) -> list[tuple[int, str]]:
    """Offsets and characters that XML 1.0 cannot carry."""
    if _XML_FORBIDDEN.search(text) is None:  # nearly always: one scan in C, no list
        return []
    return [(m.start(), m.group()) for m in _XML_FORBIDDEN.finditer(text)]


def strip_forbidden(text: str) -> str:
    """Remove characters XML 1.0 forbids (callers report them before calling this)."""
    return _XML_FORBIDDEN.sub("", text)


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, PARSER)


def to_bytes(root: etree._Element, *, doctype: str | None = None) -> bytes:
    """Serialize a document: UTF-8, XML declaration, trailing newline."""
    return (
        etree.tostring(
            root, encoding="utf-8", xml_declaration=True, doctype=doctype, pretty_print=False
        )
        + b"\n"
    )


SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XLINK_NS = "http://www.w3.org/1999/xlink"
_PREFIXES = {"xml": XML_NS, "epub": EPUB_NS, "xlink": XLINK_NS}
_NAME = re.compile(r"^[^\W\d][\w.\-]*\Z")  # an XML name without a colon
# HTML parsers lower-case names; SVG's are case-sensitive.
_SVG_NAMES = {n.lower(): n for n in (
    "viewBox", "preserveAspectRatio", "gradientUnits", "gradientTransform", "patternUnits",
    "patternContentUnits", "patternTransform", "clipPathUnits", "markerWidth", "markerHeight",
    "markerUnits", "refX", "refY", "textLength", "lengthAdjust", "startOffset", "stdDeviation",
    "linearGradient", "radialGradient", "clipPath", "foreignObject", "textPath", "feGaussianBlur",
    "feOffset", "feBlend", "feColorMatrix", "feMerge", "feMergeNode", "feFlood", "feComposite",
)}


def html_fragment_to_xhtml(markup: str, notes: list[tuple[int, str]] | None = None) -> list[etree._Element | str]:
    """Parse an HTML fragment leniently and return XHTML-namespaced nodes (SVG and MathML in
    their own namespaces).

    The first item may be a string: text before the first element. HTML comments and
    processing instructions are not content (no reader shows them) and are not carried.
    What cannot be carried as it is, is repaired and described in ``notes`` as
    (index of the top-level node it is in, message): elements whose names XML cannot hold
    (Word's ``<o:p>``) are unwrapped with their text kept, unusable attributes are dropped,
    namespace declarations are left to the serializer, characters XML 1.0 forbids are removed.
    """
    wrapper = lxml_html.fragment_fromstring(markup, create_parent="div")
    holder = etree.Element(H + "div")
    _Converter(holder, notes).fill(holder, wrapper, H)
    out: list[etree._Element | str] = [holder.text] if holder.text else []
    out.extend(holder)
    return out


class _Converter:
    def __init__(self, holder: etree._Element, notes: list[tuple[int, str]] | None) -> None:
        self.holder = holder
        self.notes = notes

    def note(self, message: str) -> None:
        if self.notes is not None:
            self.notes.append((max(len(self.holder) - 1, 0), message))

    def clean(self, text: str | None) -> str | None:
        if text and _XML_FORBIDDEN.search(text):
            chars = ", ".join(sorted({f"U+{ord(c):04X}" for _, c in forbidden_chars(text)}))
            self.note(f"removed {chars}, a character XML 1.0 cannot hold")
            return strip_forbidden(text)
        return text

    def fill(self, target: etree._Element, source: etree._Element, ns: str) -> None:
        _add_text(target, self.clean(source.text))
        for child in source:
            self.add(target, child, ns)

    def add(self, parent: etree._Element, el: etree._Element, ns: str) -> None:
        if not isinstance(el.tag, str):  # comment or processing instruction
            _add_text(parent, self.clean(el.tail))
            return
        tag = el.tag.lower()
        if tag == "svg":
            ns = "{%s}" % SVG_NS
        elif tag == "math":
            ns = "{%s}" % MATHML_NS
        if not _NAME.match(tag):
            self.note(f"unwrapped <{el.tag}>: XHTML has no element of that name; its text is kept")
            self.fill(parent, el, ns)
            _add_text(parent, self.clean(el.tail))
            return
        svg = ns == "{%s}" % SVG_NS
        node = etree.SubElement(parent, ns + (_SVG_NAMES.get(tag, tag) if svg else tag))
        for name, value in el.attrib.items():
            self.attribute(node, _SVG_NAMES.get(name, name) if svg else name, value, tag)
        self.fill(node, el, ns)
        node.tail = self.clean(el.tail)

    def attribute(self, node: etree._Element, name: str, value: str, tag: str) -> None:
        value = self.clean(value) or ""
        lower = name.lower()
        if lower == "xmlns" or lower.startswith("xmlns:"):
            return  # a namespace declaration, not content: the serializer writes its own
        if ":" in name:
            prefix, local = name.split(":", 1)
            if prefix.lower() in _PREFIXES and _NAME.match(local):
                node.set("{%s}%s" % (_PREFIXES[prefix.lower()], local), value)
                return
            name = "data-" + re.sub(r"[^\w.\-]", "-", name)
        elif name not in _SVG_NAMES.values():
            name = lower
        if _NAME.match(name):
            node.set(name, value)
        else:
            self.note(f"dropped attribute {name!r} from <{tag}>: not a name XML can hold")


def _add_text(parent: etree._Element, text: str | None) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def text_content(el: etree._Element) -> str:
    return "".join(el.itertext())
