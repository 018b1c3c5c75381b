"""The one safe lxml parser, namespaces, XML-1.0 character hygiene and serializers."""

from __future__ import annotations

import re

from lxml import etree, html as lxml_html

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


def html_fragment_to_xhtml(markup: str) -> list[etree._Element | str]:
    """Parse an HTML fragment leniently and return XHTML-namespaced nodes.

    The first item may be a string: text before the first element. HTML comments and
    processing instructions are not content (no reader shows them) and are not carried.
    """
    wrapper = lxml_html.fragment_fromstring(markup, create_parent="div")
    out: list[etree._Element | str] = []
    if wrapper.text:
        out.append(wrapper.text)
    for child in wrapper:
        converted = _to_xhtml(child)
        if isinstance(converted, str):
            if out and not isinstance(out[-1], str):
                out[-1].tail = (out[-1].tail or "") + converted
            elif out:
                out[-1] += converted
            else:
                out.append(converted)
        else:
            out.append(converted)
    return out


def _to_xhtml(el: etree._Element) -> etree._Element | str:
    """An XHTML copy of ``el``; for a comment, just its tail text."""
    if not isinstance(el.tag, str):
        return el.tail or ""
    tag = el.tag.lower()
    node = etree.Element(H + tag)
    for name, value in el.attrib.items():
        if name.startswith("{"):
            node.set(name, value)
        elif ":" in name:
            prefix, local = name.split(":", 1)
            if prefix == "xml":
                node.set("{%s}%s" % (XML_NS, local), value)
            elif prefix == "epub":
                node.set("{%s}%s" % (EPUB_NS, local), value)
            # other prefixed attributes have no namespace to map to in HTML: dropped by the sanitizer
            else:
                node.set("data-" + prefix + "-" + local, value)
        else:
            node.set(name.lower(), value)
    node.text = el.text
    for child in el:
        converted = _to_xhtml(child)
        if isinstance(converted, str):
            if len(node):
                node[-1].tail = (node[-1].tail or "") + converted
            else:
                node.text = (node.text or "") + converted
        else:
            node.append(converted)
    node.tail = el.tail
    return node


def text_content(el: etree._Element) -> str:
    return "".join(el.itertext())
