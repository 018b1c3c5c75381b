"""EPUB Accessibility 1.1 metadata, stated only as far as the built book shows it to be true."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from publisher.i18n import _, n_
from publisher.model.content import announced
from publisher.xmlutil import H

if TYPE_CHECKING:
    from publisher.books.epub import Item

SVG = "{http://www.w3.org/2000/svg}"
MATHML = "{http://www.w3.org/1998/Math/MathML}"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


#: Shortcomings a chapter can have that Ace by DAISY reports as critical or serious (the book
#: then makes no conformance claim), and minor ones it only reports; with the summary's words
#: (gettext singular and plural msgids).
BLOCKING = {
    "link-name": ("{n} link without text (an empty link names nothing to a screen reader).",
                  "{n} links without text (an empty link names nothing to a screen reader)."),
    "color": ("{n} text coloured by its source with too little or unknown contrast.",
              "{n} texts coloured by their source with too little or unknown contrast."),
}
MINOR = {
    "empty-table-header": ("{n} empty table header cell.", "{n} empty table header cells."),
}
_COLOUR = re.compile(r"(?:^|;)\s*(background(?:-color)?|color)\s*:\s*([^;]+)", re.IGNORECASE)
_NAMED = {"black": (0, 0, 0), "white": (255, 255, 255)}
#: WCAG 2.1 AA: normal text needs a contrast ratio of at least 4.5:1 with its background.
MIN_CONTRAST = 4.5


def _rgb(value: str) -> tuple[int, int, int] | None:
    value = value.strip().lower().removesuffix("!important").strip()
    if value in _NAMED:
        return _NAMED[value]
    if m := re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", value):
        digits = m.group(1) if len(m.group(1)) == 6 else "".join(c * 2 for c in m.group(1))
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    if m := re.fullmatch(r"rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)", value):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return None


def contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """The WCAG 2.1 contrast ratio of two sRGB colours (1 to 21)."""
    def luminance(rgb: tuple[int, int, int]) -> float:
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _unsure_colours(el: etree._Element) -> bool:
    """Whether an element's own style sets a colour on text whose contrast is not known to be
    enough: against the reading system's default (black on white) where one side is not set,
    and where a colour cannot be read (a reader in night mode changes the default anyway)."""
    found = {name.lower().split("-")[0]: value for name, value in _COLOUR.findall(el.get("style") or "")}
    if not found or not "".join(el.itertext()).strip():
        return False  # no colour, or no text to read (a rule drawn with a background)
    fg, bg = _rgb(found.get("color", "black")), _rgb(found.get("background", "white"))
    return fg is None or bg is None or contrast(fg, bg) < MIN_CONTRAST


#: The elements with a style of their own (only those can colour text).
_STYLED = etree.XPath("descendant-or-self::*[@style]")


def _unnamed(el: etree._Element) -> bool:
    """Whether a screen reader would announce nothing for el (its own text, when there is some,
    spares walking it: see :func:`announced`)."""
    text = el.text
    return not (text and not text.isspace()) and not announced(el)


def shortcomings(html: etree._Element) -> tuple[tuple[str, int], ...]:
    """(kind, count) of what a chapter lacks for accessibility (kinds of BLOCKING and MINOR)."""
    found = {
        "link-name": sum(1 for a in html.iter(H + "a") if a.get("href") is not None and _unnamed(a)),
        "color": sum(1 for el in _STYLED(html) if _unsure_colours(el)),
        "empty-table-header": sum(1 for th in html.iter(H + "th") if _unnamed(th)),
    }
    return tuple((kind, n) for kind, n in found.items() if n)


@dataclass(frozen=True)
class Accessibility:
    images: int  # pictures in the articles (the generated cover, which has a description, aside)
    described: int  # of those, how many carry a text alternative
    animated: int  # animated GIFs: they may flash, which nothing here can measure
    mathml: bool
    grouped: bool = True  # the table of contents has sections
    lacks: tuple[tuple[str, int], ...] = ()  # (kind, count) over the chapters, kinds in a fixed order

    @property
    def all_described(self) -> bool:
        return self.described == self.images

    @property
    def conforms(self) -> bool:
        """Whether the book can claim WCAG 2.1 AA: what Ace would report as critical or serious
        is absent (undescribed images, links without text, unchecked colours) and nothing moves."""
        return self.all_described and not self.animated and not any(kind in BLOCKING for kind, _n in self.lacks)

    def metadata(self, certifier: str, lang: str = "en") -> list[tuple[str, list[str]]]:
        """(property, values) pairs for the package document, in a fixed order; the summary in
        ``lang``, the book's language."""
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
            ("schema:accessibilitySummary", [self.summary(lang)]),
        ]
        if self.conforms:
            out += [("dcterms:conformsTo", [CONFORMANCE]), ("a11y:certifiedBy", [certifier])]
        return out

    def summary(self, lang: str = "en") -> str:
        """The accessibility summary a person reads, in ``lang``."""
        if self.grouped:
            parts = [_(lang, "Articles in a single reading order, each with its headline as a heading, "
                             "byline and date; a table of contents grouped by section, and landmarks; "
                             "text reflows and follows the reader's font and size settings.")]
        else:
            parts = [_(lang, "Articles in a single reading order, each with its headline as a heading, "
                             "byline and date; a table of contents, and landmarks; text reflows and "
                             "follows the reader's font and size settings.")]
        if not self.images:
            parts.append(_(lang, "The articles have no images; the cover image has a text description."))
        elif self.all_described:
            parts.append(_(lang, "Every image, the cover included, has a text description."))
        else:
            parts.append(n_(lang, "{missing} of {n} image in the articles has no text description.",
                            "{missing} of {n} images in the articles have no text description.",
                            self.images, missing=self.images - self.described))
        for kind, n in self.lacks:
            parts.append(n_(lang, *(BLOCKING | MINOR)[kind], n))
        if not self.conforms:
            parts.append(_(lang, "So the book does not claim to meet WCAG 2.1 AA."))
        if self.animated:
            parts.append(n_(lang, "{n} animated image may flash or move.",
                            "{n} animated images may flash or move.", self.animated))
        else:
            parts.append(_(lang, "No flashing, motion or sound hazards."))
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
    lacks = dict.fromkeys([*BLOCKING, *MINOR], 0)
    for chapter in chapters:
        images += chapter.images
        described += chapter.described
        mathml = mathml or chapter.mathml
        for kind, n in getattr(chapter, "lacks", ()):
            lacks[kind] += n
    animated = sum(_animated(item.data) for item in media if item.media_type == "image/gif")
    return Accessibility(images, described, animated, mathml, grouped,
                         tuple((kind, n) for kind, n in lacks.items() if n))
