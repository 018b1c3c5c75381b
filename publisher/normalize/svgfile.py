"""SVG image files: reduced to the vocabulary's SVG subset before they are published anywhere."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

from publisher.errors import Reporter, SourceError
from publisher.model import vocabulary as v
from publisher.normalize.html import SVG, Conformer
from publisher.xmlutil import PARSER, H


def clean_svg(path: Path, data: bytes, report: Reporter | None = None) -> bytes:
    """The bytes to publish for the SVG file at ``path``: its figure with no script, style,
    animation, foreign object or reference outside itself, ids XML names and unique.

    Raises SourceError (with the line) when the file is not an SVG document; what was removed
    is reported as warnings on the file's lines. A pure function of the bytes: the build and
    the normalizer (which records the published length) get the same result."""
    try:
        root = etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position
        raise SourceError(f"SVG image is not well-formed XML: {exc.msg}", path, line, col) from None
    if b"<!ENTITY" in data:  # a DOCTYPE alone is harmless (nothing is loaded) and not published
        raise SourceError("SVG image must not declare entities; write the characters themselves", path, 1)
    if root.tag == "svg":  # written without its namespace: every unnamespaced element is SVG
        for el in root.iter():
            if isinstance(el.tag, str) and not el.tag.startswith("{"):
                el.tag = SVG + el.tag
    if root.tag != SVG + "svg":
        raise SourceError(f"image is not an SVG document (its root is {etree.QName(root).localname!r})",
                          path, root.sourceline)
    holder = etree.Element(H + "div")
    holder.append(root)

    def warn(el: etree._Element, message: str) -> None:
        if report is not None:
            report.warn(path, message, el.sourceline)

    Conformer(warn).conform(holder)
    svg = holder[0]
    etree.cleanup_namespaces(svg, top_nsmap={None: v.SVG_NS, "xlink": v.XLINK_NS})
    return etree.tostring(svg, encoding="utf-8", xml_declaration=True) + b"\n"


@functools.lru_cache(maxsize=64)
def _cleaned(path: str, data: bytes) -> bytes:
    return clean_svg(Path(path), data)


def published_bytes(path: Path, data: bytes) -> bytes:
    """What the build publishes for an image file: SVG cleaned, any other type as it is."""
    return _cleaned(str(path), data) if path.suffix.lower() == ".svg" else data
