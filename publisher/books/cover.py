"""The generated cover of a book: a JPEG with the site's name, the edition, its date and headlines.

Drawn with Pillow and the DejaVu fonts shipped in ``fonts/`` (never the system's), so the same
inputs give the same bytes: basic text layout (no Raqm), fixed JPEG settings, no EXIF.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from PIL import Image, ImageDraw, ImageFont

from publisher.theme import CoverStyle

#: 1600 x 2560 (1:1.6) is the size Kindle's guidelines ask for; Kobo and Apple Books scale it.
WIDTH, HEIGHT = 1600, 2560
MARGIN = 120
INK = (20, 24, 33)
PAPER = (247, 244, 236)
BAND = (28, 42, 68)
BAND_INK = (247, 244, 236)
RULE = (120, 120, 120)
MAX_HEADLINES = 6


@dataclass(frozen=True)
class CoverText:
    site: str
    title: str  # the edition, e.g. "Weekly edition"
    dates: str  # e.g. "16–22 November 2026"
    headlines: tuple[str, ...]  # newest first; as many as fit are drawn
    footer: str = ""  # e.g. the publisher and the number of articles


@functools.cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    data = resources.files("publisher.books").joinpath("fonts").joinpath(name).read_bytes()
    return ImageFont.truetype(io.BytesIO(data), size, layout_engine=ImageFont.Layout.BASIC)


def _serif(size: int) -> ImageFont.FreeTypeFont:
    return _font("DejaVuSerif-Bold.ttf", size)


def _sans(size: int) -> ImageFont.FreeTypeFont:
    return _font("DejaVuSans.ttf", size)


@functools.lru_cache(maxsize=64)
def _theme_font(data: bytes, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(data), size, layout_engine=ImageFont.Layout.BASIC)


#: The logo's box at the foot of the cover (it is scaled down to fit, never up).
LOGO_HEIGHT = 280


def _logo(data: bytes, width: int) -> Image.Image:
    with Image.open(io.BytesIO(data)) as source:
        logo = source.convert("RGBA")
    scale = min(1.0, width / logo.width, LOGO_HEIGHT / logo.height)
    if scale < 1.0:
        logo = logo.resize((max(1, round(logo.width * scale)), max(1, round(logo.height * scale))),
                           Image.Resampling.LANCZOS)
    return logo


def _fits(text: str, font: ImageFont.FreeTypeFont, width: int) -> bool:
    """Whether text fits in width pixels. No glyph drawn here is narrower than a pixel, so a text
    longer than width characters is not measured: FreeType's 32-bit advance sum overflows (and
    says it fits) on a text of a million characters."""
    return len(text) <= width and font.getlength(text) <= width


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Greedy line breaking at spaces; a word longer than the line is cut by characters. Stops
    after max_lines + 1 lines (enough to tell that the text does not fit), so the cost is bounded
    by what is drawn, not by the length of the text."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if _fits(candidate, font, width):
            line = candidate
            continue
        if line:
            lines.append(line)
        while len(lines) <= max_lines and not _fits(word, font, width):
            low, high = 1, min(len(word), width)  # the longest prefix that fits, by bisection
            while low < high:
                mid = (low + high + 1) // 2
                if _fits(word[:mid], font, width):
                    low = mid
                else:
                    high = mid - 1
            lines.append(word[:low])
            word = word[low:]
        if len(lines) > max_lines:
            return lines
        line = word
    if line:
        lines.append(line)
    return lines


def _fit(text: str, make: Callable[[int], ImageFont.FreeTypeFont], sizes: range, width: int,
         max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font size (``sizes`` runs largest first) at which text takes the fewest lines,
    up to max_lines (fewer lines win down to half the largest size); at the smallest size, what
    does not fit is cut with an ellipsis."""
    for lines_wanted in range(1, max_lines + 1):
        for size in sizes:
            font = make(size)
            lines = _wrap(text, font, width, max_lines)
            if len(lines) <= lines_wanted and (lines_wanted == max_lines or size >= sizes[0] // 2):
                return font, lines
    font = make(sizes[-1])
    return font, _clip(_wrap(text, font, width, max_lines), max_lines, font, width)


def _clip(lines: list[str], max_lines: int, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """At most max_lines; a cut shows as an ellipsis that still fits the line."""
    if len(lines) <= max_lines:
        return lines
    lines = lines[:max_lines]
    last = lines[-1]
    while last and not _fits(last.rstrip(" .,;:") + "…", font, width):
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    lines[-1] = last.rstrip(" .,;:") + "…"
    return lines


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return int((ascent + descent) * 1.12)


def _draw_lines(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont, y: int,
                fill: tuple) -> int:
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=fill)
        y += _line_height(font)
    return y


def render_cover(text: CoverText, style: CoverStyle | None = None) -> bytes:
    """The cover as JPEG bytes, WIDTH x HEIGHT pixels; ``style`` is the theme's (colours, logo, font)."""
    style = style or CoverStyle()
    paper, ink = style.background or PAPER, style.text or INK
    band, band_ink = style.band or BAND, style.band_text or BAND_INK
    serif, sans = _serif, _sans
    if style.font is not None:
        font_data = style.font
        serif = sans = functools.partial(_theme_font, font_data)
    image = Image.new("RGB", (WIDTH, HEIGHT), paper)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN

    # Masthead: the site's name, white on a dark band (reads as a dark grey on e-ink).
    font, lines = _fit(text.site, serif, range(200, 59, -10), inner, 2)
    band_bottom = MARGIN + len(lines) * _line_height(font) + MARGIN // 2
    draw.rectangle((0, 0, WIDTH, band_bottom), fill=band)
    _draw_lines(draw, lines, font, MARGIN - MARGIN // 4, band_ink)

    # The edition and its date.
    y = band_bottom + 90
    font, lines = _fit(text.title, sans, range(96, 47, -4), inner, 3)
    y = _draw_lines(draw, lines, font, y, ink)
    if text.dates:
        font, lines = _fit(text.dates, sans, range(72, 39, -4), inner, 2)
        y = _draw_lines(draw, lines, font, y + 10, ink)
    y += 60
    draw.rectangle((MARGIN, y, WIDTH - MARGIN, y + 6), fill=ink)
    y += 80

    # Headlines, newest first, as many as fit above the footer.
    footer_font = sans(44)
    limit = HEIGHT - MARGIN - _line_height(footer_font) - 60
    logo = _logo(style.logo, inner) if style.logo is not None else None
    if logo is not None:  # at the foot, centred, above the footer
        limit -= logo.height + 40
        image.paste(logo, ((WIDTH - logo.width) // 2, limit + 20), logo)
    headline_font = serif(70)
    for headline in text.headlines[:MAX_HEADLINES]:
        lines = _clip(_wrap(headline, headline_font, inner, 3), 3, headline_font, inner)
        needed = len(lines) * _line_height(headline_font)
        if y + needed > limit:
            break
        y = _draw_lines(draw, lines, headline_font, y, ink) + 50

    if text.footer:
        draw.rectangle((MARGIN, HEIGHT - MARGIN - _line_height(footer_font) - 30, WIDTH - MARGIN,
                        HEIGHT - MARGIN - _line_height(footer_font) - 27), fill=RULE)
        _draw_lines(draw, _clip(_wrap(text.footer, footer_font, inner, 1), 1, footer_font, inner), footer_font,
                    HEIGHT - MARGIN - _line_height(footer_font), ink)

    out = io.BytesIO()
    # Fixed settings: the same cover gives the same bytes (Pillow writes no EXIF unless asked).
    image.save(out, "JPEG", quality=88, optimize=False, progressive=False, subsampling="4:2:0")
    return out.getvalue()
