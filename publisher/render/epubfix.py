"""Make a chapter's XHTML valid for EPUB 3 readers and EPUBCheck without losing its text."""

from __future__ import annotations

from lxml import etree

from publisher.xmlutil import H

_TARGET_OK = {"_blank", "_self", "_parent", "_top"}


def make_conformant(html: etree._Element) -> None:
    """Repair, in place, what raw HTML from sources puts where XHTML 5 in EPUB forbids it."""
    for el in html.iter(H + "a"):
        # browsing-context names mean nothing in a book; EPUBCheck rejects most of them
        target = el.get("target")
        if target is not None and target not in _TARGET_OK:
            del el.attrib["target"]
