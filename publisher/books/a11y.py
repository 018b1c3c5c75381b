"""EPUB Accessibility 1.1 metadata, stated only as far as the built book shows it to be true."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from publisher.xmlutil import H

if TYPE_CHECKING:
    from publisher.books.epub import Item

SVG = "{http://www.w3.org/2000/svg}"
MATHML = "{http://www.w3.org/1998/Math/MathML}"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


@dataclass(frozen=True)
class Accessibility:
    images: int  # pictures in the articles (the generated cover, which has a description, aside)
    described: int  # of those, how many carry a text alternative
    animated: int  # animated GIFs: they may flash, which nothing here can measure
    mathml: bool
    grouped: bool = True  # the table of contents has sections

    @property
    def all_described(self) -> bool:
        return self.described == self.images

    def metadata(self, certifier: str) -> list[tuple[str, list[str]]]:
        """(property, values) pairs for the package document, in a fixed order."""
        sufficient = ["textual"] if self.all_described else []
        sufficient.append("textual,visual")
        features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
        if self.all_described:
            features.append("alternativeText")
        if self.mathml:
            features.append("MathML")
        if self.animated:
            hazards = ["unknownFlashingHazard", "unknownMotionSimulationHazard", "noSoundHazard"]
        else:
            hazards = ["none"]
        out = [
            ("schema:accessMode", ["textual", "visual"]),
            ("schema:accessModeSufficient", sufficient),
            ("schema:accessibilityFeature", features),
            ("schema:accessibilityHazard", hazards),
            ("schema:accessibilitySummary", [self.summary()]),
        ]
        if self.all_described and not self.animated:
            out += [("dcterms:conformsTo", [CONFORMANCE]), ("a11y:certifiedBy", [certifier])]
        return out

    def summary(self) -> str:
        toc = "a table of contents grouped by section" if self.grouped else "a table of contents"
        parts = [
            "Articles in a single reading order, each with its headline as a heading, byline and "
            f"date; {toc}, and landmarks; text reflows and follows the reader's font and size "
            "settings.",
        ]
        if not self.images:
            parts.append("The articles have no images; the cover image has a text description.")
        elif self.all_described:
            parts.append("Every image, the cover included, has a text description.")
        else:
            missing = self.images - self.described
            parts.append(f"{missing} of {self.images} images in the articles have no text description.")
        if self.animated:
            parts.append(f"{self.animated} animated image(s) may flash or move.")
        else:
            parts.append("No flashing, motion or sound hazards.")
        return " ".join(parts)


def _described(el: etree._Element) -> bool:
    if el.tag == H + "img":
        return bool((el.get("alt") or "").strip())
    title = el.find(SVG + "title")
    return bool(el.get("aria-label") or (title is not None and "".join(title.itertext()).strip()))


def _animated(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return getattr(image, "n_frames", 1) > 1
    except (OSError, ValueError):
        return True  # unreadable: it cannot be said not to move


def count_images(html: etree._Element) -> tuple[int, int]:
    """(images and outermost SVGs in a chapter, how many of them have a text alternative)."""
    images = described = 0
    for el in html.iter(H + "img", SVG + "svg"):
        if el.tag == SVG + "svg" and next(el.iterancestors(SVG + "svg"), None) is not None:
            continue
        images += 1
        described += _described(el)
    return images, described


def survey(chapters: Iterable, media: Iterable[Item], grouped: bool) -> Accessibility:
    """What the chapters (their ``images``, ``described`` and ``mathml``: see chapterset) and
    embedded files show about the book's accessibility."""
    images = described = 0
    mathml = False
    for chapter in chapters:
        images += chapter.images
        described += chapter.described
        mathml = mathml or chapter.mathml
    animated = sum(_animated(item.data) for item in media if item.media_type == "image/gif")
    return Accessibility(images, described, animated, mathml, grouped)
