"""The bounds on what one source may cost a build, each decided here once (docs/security.md, "Limits").

A source that crosses one is an error with its file and line, exit 1, and the previous outputs
stay as they were: a build's time and memory grow with what it reads, never faster.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from lxml import etree

_XHTML = "{http://www.w3.org/1999/xhtml}"

#: Bytes of one article source or sidecar file: a novel's length. A feed carries an article's
#: whole body as one text node of escaped HTML, up to nine times the source ("&" is "&amp;amp;"),
#: and lxml (feed checks, readers) refuses a text node over 10 MB.
SOURCE_BYTES = 1024 * 1024

#: Bytes of one file that ``publisher import`` reads (a feed or a WordPress export): its tree
#: takes several times this in memory, and a bigger export can be split by year.
IMPORT_BYTES = 128 * 1024 * 1024

#: Bytes of one image file copied into the outputs (and into every book that shows it).
IMAGE_BYTES = 32 * 1024 * 1024

#: Bytes of one local audio or video file (an enclosure) published under media/: a 128 kbit/s
#: MP3 of four and a half hours, a short video. A build reads it once to copy it, and the output
#: folder compares it with what is there; larger media are hosted elsewhere and named by URL.
MEDIA_BYTES = 256 * 1024 * 1024

#: Pixels (width x height, as the file's header claims) of one image: about 8,000 x 5,000.
IMAGE_PIXELS = 40_000_000

#: Cells (th and td) of one table in an article body.
TABLE_CELLS = 20_000

#: Elements directly inside one element of an article body (a paragraph's inline elements, a
#: table row's cells). libxml2's RELAX NG validation, which every article passes, takes time
#: quadratic in this number: 20,000 inline elements in one paragraph take 3.5 s, 40,000 take 13 s.
CHILDREN = 5_000

#: Characters of a tag's or an author's slug, which names a folder of feeds and a book file
#: (a file name may have at most 255 bytes; slugs are ASCII).
SLUG_CHARS = 200

#: Elements nested inside one another in an article body (lxml itself stops at 256).
NESTING = 100

#: Raw HTML nested deeper than this is flattened (its text kept, with a warning) before it joins
#: the body, leaving room under NESTING for the Markdown lists and quotes around it.
HTML_NESTING = 64


#: Shortcodes one Markdown body may call (docs/shortcodes.md).
SHORTCODES = 2_000

#: Bytes of one file a shortcode includes (``{{< code "main.go" >}}``); the body with every
#: shortcode expanded is bounded by SOURCE_BYTES as a source is.
INCLUDE_BYTES = 256 * 1024


def mib(n: int) -> str:
    """A byte count as the messages show it: "4 MiB"."""
    return f"{n / (1024 * 1024):g} MiB"


def image_problem(path: Path) -> str | None:
    """What makes the image file at ``path`` cross a bound, or None. Reads only its header: the
    pixels a GIF or PNG claims are known before any is decoded (a 60-byte GIF may claim 50,000 x
    50,000)."""
    size = path.stat().st_size
    if size > IMAGE_BYTES:
        return f"is {size:,} bytes; an image may have at most {mib(IMAGE_BYTES)}"
    if path.suffix.lower() == ".svg":
        return None
    claimed = header_pixels(path)
    if claimed is not None and claimed <= IMAGE_PIXELS:
        return None  # what Pillow would find too, without importing and running it per image
    from PIL import Image

    try:
        with warnings.catch_warnings():  # the bound here decides, not Pillow's warning
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return f"claims more than {IMAGE_PIXELS:,} pixels"
    except (OSError, ValueError, SyntaxError):  # not an image Pillow reads: passed on as it is
        return None
    if width * height > IMAGE_PIXELS:
        return f"is {width:,} x {height:,} pixels; an image may have at most {IMAGE_PIXELS:,} pixels"
    return None


_PNG = b"\x89PNG\r\n\x1a\n"
#: JPEG markers that start a frame (SOF0-SOF15 but DHT, JPG and DAC), whose header gives the size.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_HEAD = 65536


def header_pixels(path: Path) -> int | None:
    """Pixels a PNG or JPEG file's header claims, read from its first 64 KiB without Pillow
    (an image-heavy site has thousands); None for any other file, or a header this does not
    read plainly, and then :func:`image_problem` asks Pillow. For a claim within the bound
    the two agree: every frame header Pillow would read before the pixel data is counted
    (the largest decides), and a second PNG IHDR is left to Pillow."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD)
    except OSError:
        return None
    if head.startswith(_PNG):
        return _png_pixels(head)
    if head.startswith(b"\xff\xd8\xff"):
        return _jpeg_pixels(head)
    return None


def _png_pixels(head: bytes) -> int | None:
    at, size = 8, None
    while at + 8 <= len(head):
        length = int.from_bytes(head[at:at + 4], "big")
        kind = head[at + 4:at + 8]
        if kind == b"IHDR":
            if size is not None or length != 13 or at + 16 > len(head):
                return None
            size = int.from_bytes(head[at + 8:at + 12], "big") * int.from_bytes(head[at + 12:at + 16], "big")
        elif kind == b"IDAT":
            return size
        elif size is None:  # IHDR must come first
            return None
        at += 12 + length
    return None  # no pixel data within the head: left to Pillow


def _jpeg_pixels(head: bytes) -> int | None:
    at, largest = 2, None
    while at + 4 <= len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan: the headers end here
            return largest
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length
            at += 2
            continue
        length = int.from_bytes(head[at + 2:at + 4], "big")
        if length < 2:
            return None
        if marker in _SOF:
            if at + 9 > len(head):
                return None
            pixels = int.from_bytes(head[at + 5:at + 7], "big") * int.from_bytes(head[at + 7:at + 9], "big")
            largest = pixels if largest is None else max(largest, pixels)
        at += 2 + length
    return None


def body_problem(body: etree._Element) -> tuple[etree._Element, str] | None:
    """The first element of an article body (in document order) that crosses a bound, and how;
    None when none does. One walk over the body."""
    depth = 0
    for event, el in etree.iterwalk(body, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth > NESTING:
            return el, f"elements are nested more than {NESTING} deep here; an article body may nest at most {NESTING}"
        if len(el) > CHILDREN:
            return el, (f"this element holds {len(el):,} elements; one element of an article body may "
                        f"hold at most {CHILDREN:,}")
        if el.tag == _XHTML + "table":
            cells = sum(1 for _ in el.iter(_XHTML + "td", _XHTML + "th"))
            if cells > TABLE_CELLS:
                return el, f"this table has {cells:,} cells; a table may have at most {TABLE_CELLS:,}"
    return None


# --- the site's theme (publisher/theme.py) ---------------------------------------------------------

#: Bytes of one theme text file: book.css, feed.css, feeds.html, cover.toml, a font licence.
THEME_TEXT_BYTES = 256 * 1024

#: Bytes of one font file in theme/fonts/, and of all of them (each goes into every book).
THEME_FONT_BYTES = 4 * 1024 * 1024
THEME_FONTS_BYTES = 16 * 1024 * 1024

#: Bytes and pixels of the cover's logo.
THEME_LOGO_BYTES = 4 * 1024 * 1024
THEME_LOGO_PIXELS = 16_000_000

#: Characters of the feeds.html a theme's template makes.
THEME_PAGE_CHARS = 8 * 1024 * 1024

#: Seconds and bytes of memory (above what the build holds) that rendering it may take.
THEME_RENDER_SECONDS = 10
THEME_RENDER_MEMORY = 512 * 1024 * 1024
