"""The one safe lxml parser, namespaces, XML-1.0 character hygiene and serializers."""

from __future__ import annotations

import re

from lxml import etree

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


def text_content(el: etree._Element) -> str:
    return "".join(el.itertext())
