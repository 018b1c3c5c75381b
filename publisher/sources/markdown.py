"""Markdown with YAML or TOML front matter: CommonMark plus GFM tables, strikethrough, autolinks,
footnotes, and GitHub-style heading ids, through cmark-gfm (C, the GitHub reference parser)."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import cffi
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options
from lxml import etree

from publisher.errors import Reporter
from publisher.normalize.html import Note, parse_fragment
from publisher.sources import Reader, SourceArticle, decode, frontmatter, shortcodes
from publisher.xmlutil import LINE_ATTR, XHTML_NS, H

# UNSAFE keeps raw HTML (publisher's own sanitizer removes what is dangerous, with warnings);
# SOURCEPOS gives every block its source line for messages.
OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES | Options.CMARK_OPT_SOURCEPOS
EXTENSIONS = ["table", "strikethrough", "autolink"]
_SOURCEPOS = "data-sourcepos"
_HEADING_ATTR = re.compile(r"\s*\{#([A-Za-z][\w.:-]*)\}\s*$")  # "## Motivation {#motivation}" (Pandoc, Zola)
_CELLS = {H + "th", H + "td"}
#: Elements (the node itself included) that carry what _lines_from_sourcepos removes.
_POSITIONED = etree.XPath("descendant-or-self::*[@data-sourcepos or @align]")
_POSITIONED_BELOW = etree.XPath("descendant::*[@data-sourcepos or @align]")
_HEADING_TEST = " or ".join(f"self::h:h{n}" for n in range(1, 7))
_HEADINGS_IN = etree.XPath(f"descendant-or-self::*[{_HEADING_TEST}]", namespaces={"h": XHTML_NS})
_HEADINGS_BELOW = etree.XPath(f"descendant::*[{_HEADING_TEST}]", namespaces={"h": XHTML_NS})
_IDS = etree.XPath("descendant-or-self::*/@id")
_IDS_BELOW = etree.XPath("descendant::*/@id")


def render_html(markdown: str) -> str:
    """The HTML cmark-gfm makes of a Markdown body (with data-sourcepos attributes).

    Does what ``cmarkgfm.cmark.markdown_to_html_with_extensions`` does, and also frees the
    document tree and the HTML string, which that function leaks (about 70 KB per article:
    2.8 GB over a build of 10,000 worker-normalized articles, 400 MB peak per worker).
    """
    lib, ffi = _cmark.lib, _cmark.ffi
    text = markdown.encode("utf-8")
    parser = lib.cmark_parser_new(OPTIONS)
    try:
        for extension in _extensions():
            lib.cmark_parser_attach_syntax_extension(parser, extension)
        lib.cmark_parser_feed(parser, text, len(text))
        root = lib.cmark_parser_finish(parser)
        if root == ffi.NULL or lib.cmark_node_get_type(root) == lib.CMARK_NODE_NONE:
            raise ValueError("cmark-gfm could not parse the Markdown")
        try:
            html = lib.cmark_render_html(root, OPTIONS, lib.cmark_parser_get_syntax_extensions(parser))
            try:
                # cmark-gfm writes &#xFFFE; and &#xFFFF; as the lone bytes FE and FF; CommonMark
                # makes a reference to a code point that cannot be used U+FFFD, and so does this.
                return ffi.string(html).decode("utf-8", "replace")
            finally:
                _release("free", html)
        finally:
            _release("cmark_node_free", root)
    finally:
        lib.cmark_parser_free(parser)


#: Where Markdown may hold raw HTML that is well-formed XML: "<", then a letter, "/", "!" or
#: "?", then a ">" before any other "<" (an element needs such a tag: "</p>", "<br>", "<x/>").
#: Prose like "a<b" or "x < 3" does not match; cmark escapes those "<" itself. A "<" that
#: starts unclosed raw HTML makes the XML parse fail, which takes the lenient route too.
_RAW_HTML = re.compile(r"<[A-Za-z/!?][^<>]*>")
_SPACE_IN_ATTRIBUTE = re.compile(r'="[^"]*[\t\n]')  # cmark writes every other '"' as &quot;
_FAST = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _xhtml(html: str, markdown: str, notes: list[Note]) -> list:
    """cmark's HTML as XHTML nodes.

    Without raw HTML in the Markdown, cmark writes well-formed XHTML of its own few elements:
    the XML parser (C) takes it as it is, three times faster than the lenient HTML route, and
    gives the same nodes. Anything else (raw HTML, which HTML parsers repair by HTML's rules,
    or text XML 1.0 cannot hold) is parsed as an HTML5 browser parses it, which also reports
    what it removed.
    """
    # (and the XML parser would turn CR and whitespace in attribute values into spaces)
    # cmark escapes every "<" of text, so "<!" or "<?" in its output is raw HTML (a comment,
    # CDATA, a processing instruction: the lenient route drops those)
    if (not _RAW_HTML.search(markdown) and "<!" not in html and "<?" not in html and "\r" not in html
            and not _SPACE_IN_ATTRIBUTE.search(html)):
        try:
            holder = etree.fromstring(f'<div xmlns="{XHTML_NS}">{html}</div>', _FAST)
        except etree.XMLSyntaxError:
            pass
        else:
            return ([holder.text] if holder.text else []) + list(holder)
    return parse_fragment(html, notes)


@functools.cache
def _extensions() -> tuple:
    _cmark.lib.cmark_gfm_core_extensions_ensure_registered()
    found = []
    for name in EXTENSIONS:
        extension = _cmark.lib.cmark_find_syntax_extension(name.encode("ascii"))
        if extension == _cmark.ffi.NULL:
            raise ValueError(f"cmark-gfm has no {name!r} extension")
        found.append(extension)
    return tuple(found)


@functools.cache
def _c() -> tuple[cffi.FFI, object]:
    """``cmark_node_free`` (exported by cmarkgfm's library but not wrapped by it) and C's
    ``free`` (the library's default allocator made the HTML string), through our own cffi handle."""
    ffi = cffi.FFI()
    ffi.cdef("void cmark_node_free(void *node); void free(void *ptr);")
    return ffi, ffi.dlopen(_cmark.__file__)


def _release(function: str, pointer) -> None:
    ffi, lib = _c()
    getattr(lib, function)(ffi.cast("void *", int(_cmark.ffi.cast("uintptr_t", pointer))))


@functools.cache
def _xml_renderer() -> tuple[cffi.FFI, object]:
    """cmark-gfm's parser and its XML renderer (every node with its source position), through
    our own cffi handle: cmarkgfm wraps neither."""
    ffi = cffi.FFI()
    ffi.cdef("""
        void *cmark_parser_new(int options);
        int cmark_parser_attach_syntax_extension(void *parser, void *extension);
        void cmark_parser_feed(void *parser, const char *buffer, size_t len);
        void *cmark_parser_finish(void *parser);
        void cmark_parser_free(void *parser);
        char *cmark_render_xml(void *root, int options);
        void cmark_node_free(void *node);
        void free(void *ptr);
    """)
    return ffi, ffi.dlopen(_cmark.__file__)


_CMARK_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, recover=True)
_CODE_NODES = etree.XPath("//c:code | //c:code_block", namespaces={"c": "http://commonmark.org/xml/1.0"})


def code_ranges(markdown: str) -> list[tuple[int, int]]:
    """Where ``markdown`` holds code, as cmark-gfm parses it: (start, end) character offsets of
    every code span's text and every code block's lines. ``{{`` there is text, not a shortcode."""
    ffi, lib = _xml_renderer()
    data = markdown.encode("utf-8")
    parser = lib.cmark_parser_new(int(OPTIONS))
    try:
        for extension in _extensions():
            lib.cmark_parser_attach_syntax_extension(parser, ffi.cast("void *", int(_cmark.ffi.cast("uintptr_t", extension))))
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        try:
            xml = lib.cmark_render_xml(root, int(OPTIONS))
            try:
                document = ffi.string(xml)
            finally:
                lib.free(xml)
        finally:
            lib.cmark_node_free(root)
    finally:
        lib.cmark_parser_free(parser)
    # cmark-gfm's XML renderer names nodes of extensions it does not know (footnotes) "<unknown>"
    document = document.replace(b"<<unknown>", b"<unknown").replace(b"</<unknown>>", b"</unknown>")
    tree = etree.fromstring(document, _CMARK_XML)
    lines = markdown.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(line: int, byte_column: int) -> int:
        line = min(max(line, 1), len(lines))
        text = lines[line - 1]
        return starts[line - 1] + len(text.encode("utf-8")[: max(byte_column, 0)].decode("utf-8", "ignore"))

    found = []
    for node in _CODE_NODES(tree):
        pos = node.get("sourcepos")
        if not pos:
            continue
        (l1, c1), (l2, c2) = ((int(n) for n in part.split(":")) for part in pos.split("-"))
        if etree.QName(node).localname == "code_block":
            found.append((starts[min(l1, len(lines)) - 1], starts[min(l2, len(lines))]))
        else:
            found.append((offset(l1, c1 - 1), offset(l2, c2)))
    return found


def _inline(markdown: str) -> list:
    """One line of Markdown (a caption) as inline XHTML nodes."""
    nodes = _xhtml(render_html(markdown), markdown, [])
    first = next((n for n in nodes if not isinstance(n, str)), None)
    if first is None or first.tag != H + "p":
        return [" ".join(markdown.split())]
    out: list = [first.text] if first.text else []
    for child in first:
        child.attrib.pop(_SOURCEPOS, None)
        out.append(child)
    return out


def heading_id(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    text = unicodedata.normalize("NFC", text.strip().lower())
    return re.sub(r"\s", "-", re.sub(r"[^\w\- ]", "", text))


class MarkdownReader(Reader):
    name = "markdown"
    suffixes = (".md", ".markdown")

    def read(self, path: Path, data: bytes, report: Reporter) -> SourceArticle:
        article = self._front(path, data, report)
        text = self._body_text
        offset = self._body_line - 1
        notes: list[Note] = []
        expansion = None
        if "{{" in text:  # Hugo shortcodes, Go-template calls: outside code only
            expansion = shortcodes.expand(text, path, report, self.shortcodes or shortcodes.Settings(),
                                          code=code_ranges(text), first_line=self._body_line, render=_inline)
            if expansion is not None:
                text = expansion.text
        nodes = _xhtml(render_html(text), text, notes) if text.strip() else []
        if expansion is None:
            _lines_from_sourcepos(nodes, text, offset)
            for line, message in _note_lines(notes, text):
                report.warn(path, message, line + offset)
        else:
            nodes = shortcodes.place(expansion, nodes, path)
            _lines_from_sourcepos(nodes, text, 0)
            for node in nodes:
                if not isinstance(node, str) and node.get(LINE_ATTR):
                    node.set(LINE_ATTR, str(expansion.line_of(int(node.get(LINE_ATTR))) + offset))
            for line, message in _note_lines(notes, text):
                report.warn(path, message, expansion.line_of(line) + offset)
        if "title" not in article.fields and nodes and not isinstance(nodes[0], str) and nodes[0].tag == H + "h1":
            # A leading "# Headline" serves as the title when the front matter gives none.
            first = nodes.pop(0)
            article.fields["title"] = "".join(first.itertext())
            article.origins["title"] = (path, int(first.get(LINE_ATTR, self._body_line)))
            if first.tail and first.tail.strip():
                nodes.insert(0, first.tail)
        _heading_ids(nodes)
        article.body = nodes
        article.body_first_line = self._body_line
        return article

    def read_meta(self, path: Path, data: bytes, report: Reporter) -> SourceArticle:
        return self._front(path, data, report)

    def _front(self, path: Path, data: bytes, report: Reporter) -> SourceArticle:
        text = decode(path, data, report)
        kind, fm_text, body, body_line = frontmatter.split(path, text)
        article = SourceArticle(path=path, format=self.name)
        if kind is not None:
            values = frontmatter.load(path, kind, fm_text, 2)
            frontmatter.apply(article, values, frontmatter.key_lines(fm_text, 2), report,
                              self.keys or frontmatter.DEFAULT_KEYS)
        self._body_text, self._body_line = body, body_line
        return article


def _note_lines(notes: list[Note], text: str) -> list[tuple[int, str]]:
    """Each note with the line of the body where its tag is written (raw HTML is passed
    through as written), found in order; line 1 when it is not found."""
    out = []
    cursor = 0
    for needle, message in notes:
        found = text.find(needle, cursor) if needle else -1
        if found < 0 and needle:
            found = text.find(needle)
        if found >= 0:
            cursor = found
        out.append((text.count("\n", 0, found) + 1 if found >= 0 else 1, message))
    return out


def _lines_from_sourcepos(nodes: list, text: str, offset: int) -> None:
    """Turn cmark's data-sourcepos into source lines on top-level nodes; drop it everywhere.

    Raw HTML blocks carry no position: they start on the first non-blank line after the block
    before them.
    """
    lines: list[str] | None = None
    next_line = 1
    for node in nodes:
        if isinstance(node, str):
            continue
        pos = node.get(_SOURCEPOS)
        if pos:
            start, _, end = pos.partition("-")
            line = int(start.split(":")[0])
            next_line = int(end.split(":")[0]) + 1
        else:
            if lines is None:
                lines = text.split("\n")
            line = next_line
            while line <= len(lines) and not lines[line - 1].strip():
                line += 1
            next_line = line + 1
        node.set(LINE_ATTR, str(line + offset))
    for el in _each(nodes, _POSITIONED, _POSITIONED_BELOW):
        el.attrib.pop(_SOURCEPOS, None)
        align = el.attrib.pop("align", None) if el.tag in _CELLS else None
        if align:  # cmark-gfm writes HTML 4's align; XHTML 5 (and EPUB) wants CSS
            el.set("style", f"text-align: {align}")


def _each(nodes: list, within: etree.XPath, below: etree.XPath) -> list:
    """``within`` applied to each top-level node, in order; one ``below`` query on their common
    parent when they have one (the reader's holder element), which is one XPath call instead
    of one per paragraph."""
    elements = [n for n in nodes if not isinstance(n, str)]
    parent = elements[0].getparent() if elements else None
    if parent is not None and len(parent) == len(elements) and all(a is b for a, b in zip(parent, elements)):
        return below(parent)
    return [found for node in elements for found in within(node)]


def _explicit_id(heading: etree._Element) -> str | None:
    """The id of a trailing ``{#id}`` attribute, removed from the heading's text."""
    last = heading[-1] if len(heading) else None
    text = (last.tail if last is not None else heading.text) or ""
    m = _HEADING_ATTR.search(text)
    if not m:
        return None
    if last is not None:
        last.tail = text[: m.start()] or None
    else:
        heading.text = text[: m.start()] or None
    return m.group(1)


def _heading_ids(nodes: list) -> None:
    used: dict[str, int] = {}
    for value in _each(nodes, _IDS, _IDS_BELOW):
        if value:
            used[str(value)] = 1
    for el in _each(nodes, _HEADINGS_IN, _HEADINGS_BELOW):  # document order, as iter gives them
        if el.get("id"):
            continue
        explicit = _explicit_id(el)
        if explicit and explicit not in used:
            used[explicit] = 1
            el.set("id", explicit)
            continue
        base = heading_id("".join(el.itertext())) or "section"
        candidate, n = base, used.get(base, 0)
        while candidate in used:
            candidate = f"{base}-{n}"
            n += 1
        used[base] = n
        used[candidate] = 1
        el.set("id", candidate)
