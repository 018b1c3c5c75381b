"""Shortcodes in Markdown bodies: Hugo's ``{{< name args >}}`` / ``{{% name args %}}`` (and their
paired forms) and Go-template calls ``{{name args}}``, found outside code (shortcode_syntax.py)
and expanded into Markdown or body elements by the built-ins (shortcode_builtins.py) or by a
site's own functions (docs/shortcodes.md); the interface those functions are given."""

from __future__ import annotations

import bisect
import functools
import hashlib
import importlib.metadata
import importlib.util
import os
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lxml import etree

from publisher import limits
from publisher.errors import Reporter, SourceError
from publisher.paths import inside
from publisher.sources.shortcode_builtins import BUILT_IN, ShortcodeError, code_element
from publisher.sources.shortcode_syntax import Args, Tag, TooMany, find_tags
from publisher.xmlutil import XHTML_NS, H

ENTRY_POINT_GROUP = "publisher.shortcodes"

#: What a shortcode function returns: Markdown text, an element (XHTML, or no namespace, which is
#: taken as XHTML) or a list of them, or None for nothing.
Result = Any
Function = Callable[["Args", "str | None", "Context"], Result]


@dataclass(frozen=True)
class Settings:
    """What expansion needs of the site (made by the per-article stage from the config)."""

    #: The articles folder: included files and ``ref`` targets must lie inside it. None: neither works.
    articles: Path | None = None
    #: "error" or "warning": what an unknown shortcode is.
    unknown: str = "error"
    #: The site's module of shortcode functions (``site.shortcodes``), a file beside the config.
    module: Path | None = None
    #: The canonical URL of an article source, or None; every file it is asked about becomes an
    #: input of the article in the cache (the stage's link recorder).
    links: Callable[[Path], str | None] | None = None


@dataclass
class Context:
    """What a shortcode function is told about where it is called."""

    name: str
    source: Path  # the article's file
    line: int
    column: int
    form: str  # "hugo" ({{< >}}), "hugo-markdown" ({{% %}}) or "go" ({{ }})
    _expander: "_Expander"

    def warn(self, message: str) -> None:
        """A warning at the shortcode's file, line and column."""
        self._expander.report.warn(self.source, f"shortcode {self.name!r}: {message}", self.line, self.column)

    def read(self, name: str) -> str:
        """The text of the file ``name`` (relative to the article's folder), which must lie inside
        the articles folder and have at most ``limits.INCLUDE_BYTES``; it becomes an input of the
        article, so editing it rebuilds the article."""
        return self._expander.include(name, self)

    def url_of(self, name: str) -> str:
        """The canonical URL of the article whose source is ``name`` (relative to this article's
        folder, or to the articles folder with a leading ``/``); ShortcodeError if there is none."""
        return self._expander.ref(name, self)


# -- the registry -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Shortcode:
    function: Function
    #: The inner text is code, taken as written (no shortcodes expanded inside it).
    literal: bool = False
    where: str = "built in"


def module_file(root: Path, name: str) -> Path:
    """The file of the site module ``name`` (``site.shortcodes``): ``NAME.py`` beside the config."""
    return root / (name + ".py")


def module_name_problem(name: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        return f"site.shortcodes {name!r} must be a module name (letters, digits, _), the file NAME.py beside the config"
    return None


def _installed_paths() -> list[str]:
    """The import path's folders inside the Python installation (site-packages): where installed
    distributions keep their metadata. Not the working folder or a source checkout on the path,
    which a build does not read."""
    prefixes = tuple({os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
    return [p for p in sys.path if p and (os.path.realpath(p) + os.sep).startswith(prefixes)]


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    """The installed ``publisher.shortcodes`` entry points, by name (the first distribution on the
    path that names one wins, as importlib.metadata orders them)."""
    found: dict[str, importlib.metadata.EntryPoint] = {}
    for dist in importlib.metadata.distributions(path=_installed_paths()):
        for ep in dist.entry_points:
            if ep.group == ENTRY_POINT_GROUP and ep.name not in found:
                found[ep.name] = ep
    return sorted(found.values(), key=lambda ep: ep.name)


def identity(module: Path | None) -> str:
    """What the expansion depends on besides the tool: the site module's bytes and the installed
    entry points. Part of every article's cache key, so changing one rebuilds the articles."""
    h = hashlib.sha256()
    if module is not None:
        try:
            h.update(b"module\0" + module.read_bytes())
        except OSError:
            h.update(b"module missing\0")
    h.update(_entry_points_identity().encode())
    return h.hexdigest()[:32]


@functools.cache
def _entry_points_identity() -> str:
    """The installed shortcode entry points, as :func:`identity` hashes them: name, target, and
    the distribution's name, version and RECORD (the hashes of its installed files). Once a
    process: listing every installed distribution takes tens of milliseconds."""
    h = hashlib.sha256()
    for ep in _entry_points():
        dist = ep.dist
        h.update(f"ep\0{ep.name}\0{ep.value}\0".encode())
        if dist is not None:
            h.update(f"{dist.name}\0{dist.version}\0{dist.read_text('RECORD') or ''}\0".encode())
    return h.hexdigest()[:32]


@functools.lru_cache(maxsize=8)
def _site_module(path: str, digest: str) -> dict[str, Shortcode]:
    name = f"publisher_site_shortcodes_{digest[:16]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SourceError("cannot load the site's shortcode module", path)
    module = importlib.util.module_from_spec(spec)
    try:
        sys.modules[name] = module
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise SourceError(f"the site's shortcode module is not valid Python: {exc.msg}", path, exc.lineno,
                          exc.offset) from None
    except Exception as exc:  # the site's own code: any failure is its author's to fix
        raise SourceError(f"the site's shortcode module failed to load: {type(exc).__name__}: {exc}", path) from None
    table = getattr(module, "SHORTCODES", None)
    if not isinstance(table, dict) or not all(isinstance(k, str) and callable(f) for k, f in table.items()):
        raise SourceError("the site's shortcode module must define SHORTCODES, a dict of names to functions", path)
    return {k: Shortcode(f, getattr(f, "literal", False), f"from {Path(path).name}") for k, f in table.items()}


@functools.cache
def _entry_point_table() -> dict[str, Shortcode]:
    """The shortcodes installed packages register (loaded once a process)."""
    table = {}
    for ep in _entry_points():
        try:
            function = ep.load()
        except Exception as exc:  # an installed package's code
            raise SourceError(f"the shortcode entry point {ep.name!r} ({ep.value}) failed to load: "
                              f"{type(exc).__name__}: {exc}", "-") from None
        if not callable(function):
            raise SourceError(f"the shortcode entry point {ep.name!r} ({ep.value}) is not a function", "-")
        table[ep.name] = Shortcode(function, getattr(function, "literal", False), f"entry point {ep.value}")
    return table


def forget_entry_points() -> None:
    """Look the installed entry points up again (after installing a package in a running process)."""
    _entry_points_identity.cache_clear()
    _entry_point_table.cache_clear()


def registry(settings: Settings) -> dict[str, Shortcode]:
    """Every shortcode a site can call: built-ins, then entry points, then the site's module (a
    later one of the same name wins)."""
    table = {name: Shortcode(function, getattr(function, "literal", False)) for name, function in BUILT_IN.items()}
    table.update(_entry_point_table())
    if settings.module is not None:
        try:
            data = settings.module.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read the site's shortcode module: {exc.strerror}", settings.module) from None
        table.update(_site_module(str(settings.module), hashlib.sha256(data).hexdigest()))
    return table


# -- expansion --------------------------------------------------------------------------------

#: Elements a placeholder may stand for that are blocks: they cannot stay inside a paragraph.
BLOCKS = {"p", "div", "section", "aside", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
          "ul", "ol", "dl", "figure", "details", "table"}
#: Parents a block may stand in.
_FLOW = {"body", "div", "section", "aside", "blockquote", "li", "dd", "td", "th", "figure", "details"}


@dataclass
class Placed:
    nodes: list  # elements (the first item may be a string)
    tag: Tag
    line: int
    column: int


@dataclass
class Expansion:
    """A body with its shortcodes expanded: ``text`` to give the Markdown parser, the nodes its
    placeholders stand for, and the line of the source each line of ``text`` comes from."""

    text: str
    marker: str
    placed: list[Placed]
    lines: list[int]  # lines[n - 1]: the body line that line n of text comes from

    def line_of(self, line: int) -> int:
        return self.lines[min(max(line, 1), len(self.lines)) - 1]


class _Lines:
    """Line and column of an offset in a text, by bisecting its line breaks (not by counting
    them again for each of up to limits.SHORTCODES tags)."""

    def __init__(self, text: str) -> None:
        self.breaks = [m.start() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self.breaks, offset) + 1

    def column(self, offset: int) -> int:
        n = bisect.bisect_left(self.breaks, offset)
        return offset - (self.breaks[n - 1] + 1 if n else 0) + 1


class _Chunks:
    """The expanded text, piece by piece, with where each line comes from."""

    def __init__(self, original: str, lines: _Lines) -> None:
        self.original = original
        self.index = lines
        self.parts: list[str] = []
        self.lines: list[int] = [1]

    def copy(self, start: int, end: int) -> None:
        piece = self.original[start:end]
        if not piece:
            return
        line = self.index.line(start)
        for n in range(piece.count("\n")):
            self.lines.append(line + n + 1)
        self.parts.append(piece)

    def made(self, text: str, line: int) -> None:
        self.lines.extend([line] * text.count("\n"))
        self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts)


class _Expander:
    def __init__(self, text: str, path: Path, report: Reporter, settings: Settings, first_line: int,
                 render: Callable[[str], list]) -> None:
        self.text, self.path, self.report, self.settings = text, path, report, settings
        self.first_line = first_line
        self.render = render
        self.lines = _Lines(text)
        self.marker = next(chr(c) for c in range(0xE000, 0xF8FF) if chr(c) not in text)
        self.placed: list[Placed] = []
        self._table: dict[str, Shortcode] | None = None

    @property
    def table(self) -> dict[str, Shortcode]:
        if self._table is None:
            try:
                self._table = registry(self.settings)
            except SourceError as exc:
                if exc.path in (None, "-"):
                    raise SourceError(exc.plain_message, self.path) from None
                raise
        return self._table

    def where(self, tag: Tag) -> tuple[int, int]:
        return self.lines.line(tag.start) + self.first_line - 1, self.lines.column(tag.start)

    def fail(self, tag: Tag, message: str) -> SourceError:
        return SourceError(message, self.path, *self.where(tag))

    def _literal(self, tag: Tag) -> bool:
        known = self.table.get(tag.name)
        return known is not None and known.literal

    # -- the output

    def expand(self, tags: list[Tag]) -> Expansion:
        tree = self._tree(tags)
        out = _Chunks(self.text, self.lines)
        self._emit(tree, 0, len(self.text), out)
        text = out.text()
        if len(text.encode("utf-8")) > limits.SOURCE_BYTES:
            raise SourceError(f"with its shortcodes expanded the body has more than "
                              f"{limits.mib(limits.SOURCE_BYTES)}; an article may have at most that", self.path)
        return Expansion(text, self.marker, self.placed, out.lines)

    def _tree(self, tags: list[Tag]) -> list[Tag]:
        """Tags as a tree: a paired shortcode holds the tags between its opening and closing
        tags (none when its inner text is code, taken as written); an opening never closed
        stands alone."""
        top: list[Tag] = []
        stack: list[tuple[Tag, list[Tag]]] = []  # open tags, each with the list holding it
        i = 0
        while i < len(tags):
            tag = tags[i]
            i += 1
            holder = stack[-1][0].children if stack else top
            if tag.closing:
                match = next((n for n in range(len(stack) - 1, -1, -1) if stack[n][0].name == tag.name), None)
                if match is None:
                    holder.append(tag)  # reported when expanded
                    continue
                for unclosed, held_in in reversed(stack[match + 1:]):
                    _stand_alone(unclosed, held_in)
                opening = stack[match][0]
                del stack[match:]
                opening.inner = (opening.end, tag.start)
                opening.end = tag.end
                continue
            holder.append(tag)
            if (tag.self_closing or tag.form == "go" or tag.literal is not None or tag.comment or tag.action
                    or tag.malformed):
                continue
            if self._literal(tag):
                close = next((j for j in range(i, len(tags)) if tags[j].closing and tags[j].name == tag.name), None)
                if close is None:
                    tag.self_closing = True
                else:
                    tag.inner = (tag.end, tags[close].start)
                    tag.end = tags[close].end
                    i = close + 1
                continue
            stack.append((tag, holder))
        for unclosed, held_in in reversed(stack):
            _stand_alone(unclosed, held_in)
        return top

    def _emit(self, tags: list[Tag], start: int, end: int, out: _Chunks) -> None:
        cursor = start
        for tag in tags:
            out.copy(cursor, tag.start)
            out.made(self._one(tag), self.lines.line(tag.start))
            cursor = tag.end
        out.copy(cursor, end)

    def _inner_text(self, tag: Tag) -> str | None:
        if tag.inner is None:
            return None
        a, b = tag.inner
        if self._literal(tag) or not tag.children:
            return self.text[a:b]
        inner = _Chunks(self.text, self.lines)
        self._emit(tag.children, a, b, inner)
        return inner.text()

    def _one(self, tag: Tag) -> str:
        """The text that replaces ``tag`` (and its inner part, when paired)."""
        if tag.comment:
            return ""
        if tag.literal is not None:
            return self._place(tag, [code_element(tag.literal)])
        if tag.malformed:
            return self._unknown(tag, f"cannot read the arguments of shortcode {tag.name!r} (quote a value that "
                                      'holds spaces or quotes: key="a b")')
        if tag.action or tag.closing:
            what = ("template action {{" + tag.name + "}}" if tag.action
                    else f"closing tag {{{{< /{tag.name} >}}}} without an opening tag")
            return self._unknown(tag, what)
        known = self.table.get(tag.name)
        if known is None:
            return self._unknown(tag, f"unknown shortcode {tag.name!r}")
        line, column = self.where(tag)
        context = Context(tag.name, self.path, line, column, tag.form, self)
        try:
            result = known.function(tag.args, self._inner_text(tag), context)
        except ShortcodeError as exc:
            raise SourceError(f"shortcode {tag.name!r}: {exc}", self.path, line, column) from None
        except SourceError:
            raise
        except Exception as exc:  # a site's function is code of its own: say where it failed
            raise SourceError(f"shortcode {tag.name!r} ({known.where}) failed: {type(exc).__name__}: {exc}",
                              self.path, line, column) from None
        return self._result(tag, result, known)

    def _unknown(self, tag: Tag, what: str) -> str:
        source = self.text[tag.start:tag.end if tag.inner is None else tag.inner[0]]
        if self.settings.unknown != "warning":
            names = ", ".join(sorted(self.table))
            raise self.fail(tag, f"{what}: define it (docs/shortcodes.md), remove it, or set "
                                 f"site.unknown_shortcodes = \"warning\" to keep it as text; known: {names}")
        line, column = self.where(tag)
        self.report.warn(self.path, f"{what} kept as text (site.unknown_shortcodes = \"warning\")", line, column)
        if tag.inner is None:
            return self._place(tag, [code_element(source)])
        closing = self.text[tag.inner[1]:tag.end]
        inner = self._inner_text(tag) or ""
        return self._place(tag, [code_element(source)]) + inner + self._place(tag, [code_element(closing)])

    def _result(self, tag: Tag, result: Result, known: Shortcode) -> str:
        if result is None:
            return ""
        if isinstance(result, str):
            return result
        items = result if isinstance(result, (list, tuple)) else [result]
        if not all(isinstance(item, etree._Element) for item in items):
            raise self.fail(tag, f"shortcode {tag.name!r} ({known.where}) returned {type(result).__name__}; "
                                 "a shortcode returns Markdown text, an element, a list of elements or None")
        if known.where == "built in":
            return self._place(tag, list(items))
        from publisher.normalize.html import parse_fragment  # a site's elements, cleaned like raw HTML

        markup = "".join(etree.tostring(_as_html(item), method="html", encoding="unicode") for item in items)
        notes: list[tuple[str, str]] = []
        nodes = parse_fragment(markup, notes)
        line, column = self.where(tag)
        for _, message in notes:
            self.report.warn(self.path, f"shortcode {tag.name!r}: {message}", line, column)
        return self._place(tag, nodes)

    def _place(self, tag: Tag, nodes: list) -> str:
        line, column = self.where(tag)
        self.placed.append(Placed(nodes, tag, line, column))
        return f"{self.marker}{len(self.placed) - 1}{self.marker}"

    # -- files

    def _target(self, name: str, context: Context, what: str) -> Path:
        articles = self.settings.articles
        if articles is None:
            raise ShortcodeError(f"cannot read {what} {name!r} outside a site build")
        if not name or "\0" in name or "\\" in name:
            raise ShortcodeError(f"{what} {name!r} is not a file name")
        base = articles if name.startswith("/") else self.path.parent
        target = Path(os.path.normpath(os.path.join(base, name.lstrip("/"))))
        real = inside(articles, target)
        if real is None:
            raise ShortcodeError(f"{what} {name!r} is outside the articles folder; a build reads nothing "
                                 "outside it: copy the file in")
        if any(part.startswith(".") for part in real.split("/")):
            raise ShortcodeError(f"{what} {name!r} is a hidden file (a name starting with '.'), which a build "
                                 "never reads; rename it")
        return target

    def include(self, name: str, context: Context) -> str:
        target = self._target(name, context, "file")
        if self.settings.links is not None:
            self.settings.links(target)  # an input of this article: editing it rebuilds the article
        try:
            mode = os.stat(target).st_mode
            if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):  # a FIFO would wait for ever
                raise ShortcodeError(f"{name!r} is not a regular file")
            with open(target, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size > limits.INCLUDE_BYTES:
                    raise ShortcodeError(f"file {name!r} is {size:,} bytes; an included file may have at most "
                                         f"{limits.mib(limits.INCLUDE_BYTES)}")
                data = fh.read(limits.INCLUDE_BYTES + 1)
        except IsADirectoryError:
            raise ShortcodeError(f"{name!r} is a folder, not a file") from None
        except FileNotFoundError:
            raise ShortcodeError(f"file {name!r} not found; fix the name or add the file") from None
        except OSError as exc:
            raise ShortcodeError(f"cannot read {name!r}: {exc.strerror}") from None
        if len(data) > limits.INCLUDE_BYTES:
            raise ShortcodeError(f"file {name!r} is larger than {limits.mib(limits.INCLUDE_BYTES)}")
        try:
            return data.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError:
            raise ShortcodeError(f"file {name!r} is not UTF-8 text") from None

    def ref(self, name: str, context: Context) -> str:
        path, _, anchor = name.partition("#")
        if not path:
            return "#" + anchor if anchor else ""
        target = self._target(path, context, "article")
        candidates = [target] + ([target.with_name(target.name + ".md"), target / "index.md"]
                                 if not target.suffix else [])
        for candidate in candidates:
            url = self.settings.links(candidate) if self.settings.links is not None else None
            if url is not None:
                return url + (f"#{quote(anchor, safe='-._~!$&()*+,;=:@/?')}" if anchor else "")
        raise ShortcodeError(f"no article {path!r} (looked for {_shown(candidates[0], self.settings.articles)}); "
                             "fix the path: it is relative to this article, or to the articles folder with a "
                             "leading /")


def _shown(path: Path, root: Path | None) -> str:
    try:
        return path.relative_to(root).as_posix() if root else path.name
    except ValueError:
        return path.name


def _stand_alone(tag: Tag, holder: list[Tag]) -> None:
    """An opening tag never closed is a call without inner text: what was taken as inside it
    follows it."""
    tag.self_closing = True
    at = holder.index(tag) + 1
    holder[at:at] = tag.children
    tag.children = []


def _as_html(el: etree._Element) -> etree._Element:
    """A copy of ``el`` with XHTML elements in no namespace, as HTML serialization wants them."""
    el = _copy(el)
    for node in el.iter():
        if isinstance(node.tag, str) and node.tag.startswith(H):
            node.tag = node.tag[len(H):]
    etree.cleanup_namespaces(el)
    return el


def _copy(el: etree._Element) -> etree._Element:
    import copy

    return copy.deepcopy(el)


def expand(text: str, path: Path, report: Reporter, settings: Settings, *, code: list[tuple[int, int]],
           first_line: int, render: Callable[[str], list]) -> Expansion | None:
    """``text`` (a Markdown body) with its shortcodes replaced; None when it calls none.

    ``code``: the spans (offsets) of code blocks and code spans, where ``{{`` is text;
    ``first_line``: the file's line of the body's first; ``render``: inline Markdown to nodes.
    """
    try:
        tags = find_tags(text, code)
    except TooMany:
        raise SourceError(f"the body calls more than {limits.SHORTCODES:,} shortcodes; an article may "
                          f"call at most {limits.SHORTCODES:,}", path, first_line) from None
    if not tags:
        return None
    return _Expander(text, path, report, settings, first_line, render).expand(tags)


def place(expansion: Expansion, nodes: list, path: Path) -> list:
    """``nodes`` (the parsed expanded text) with each placeholder replaced by what it stands for;
    a block that lands inside a paragraph splits it."""
    holder = etree.Element(H + "div")
    lead = [n for n in nodes[:1] if isinstance(n, str)]
    for node in nodes:
        if not isinstance(node, str):
            holder.append(node)
    pattern = re.compile(re.escape(expansion.marker) + r"(\d+)" + re.escape(expansion.marker))
    used: set[int] = set()
    blocks: list[tuple[etree._Element, Placed]] = []
    for el in list(holder.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.text and expansion.marker in el.text:
            _splice_text(el, pattern, expansion, used, blocks)
        if el is not holder and el.tail and expansion.marker in el.tail:
            _splice_tail(el, pattern, expansion, used, blocks)
    for block, placed in blocks:
        _lift(block, placed, path, holder)
    # a placeholder left anywhere (an attribute, a link's address) stood where no element can go
    for el in holder.iter():
        if not isinstance(el.tag, str):
            continue
        values = [el.text or "", el.tail or ""] + list(el.attrib.values())
        for value in values:
            m = pattern.search(value)
            if m and int(m.group(1)) < len(expansion.placed):
                placed = expansion.placed[int(m.group(1))]
                raise SourceError(f"shortcode {placed.tag.name or placed.tag.literal!r} stands where its result "
                                  "cannot go (a link's address, an attribute, a heading id); give its result a "
                                  "place of its own", path, placed.line, placed.column)
    for n, placed in enumerate(expansion.placed):
        if n not in used and placed.nodes:
            raise SourceError(f"shortcode {placed.tag.name!r}: its result has no place in the text (inside raw "
                              "HTML that was removed, or a comment)", path, placed.line, placed.column)
    return lead + list(holder)


def _pieces(text: str, pattern: re.Pattern, expansion: Expansion, used: set[int]) -> list:
    """``text`` split into strings and the Placed items its placeholders name."""
    out: list = []
    pos = 0
    for m in pattern.finditer(text):
        n = int(m.group(1))
        if n >= len(expansion.placed) or n in used:
            continue
        out.append(text[pos:m.start()])
        out.append(expansion.placed[n])
        used.add(n)
        pos = m.end()
    out.append(text[pos:])
    return out


def _copied(placed: Placed) -> list:
    return [_copy(n) if isinstance(n, etree._Element) else n for n in placed.nodes]


def _insert(parent: etree._Element, index: int, before_text: str, items: list, blocks: list,
            set_text: Callable[[str], None]) -> None:
    """Puts ``items`` (strings and Placed) at ``index`` of ``parent``; text before the first
    element goes through ``set_text``."""
    pending = before_text
    last: etree._Element | None = None
    for item in items:
        if isinstance(item, str):
            pending += item
            continue
        for node in _copied(item):
            if isinstance(node, str):
                pending += node
                continue
            if last is None:
                set_text(pending)
            else:
                last.tail = pending or None
            pending = ""
            parent.insert(index, node)
            index += 1
            last = node
            local = etree.QName(node).localname if isinstance(node.tag, str) else ""
            if local in BLOCKS and node.tag.startswith("{" + XHTML_NS):
                blocks.append((node, item))
    if last is None:
        set_text(pending)
    else:
        last.tail = pending or None


def _splice_text(el, pattern, expansion, used, blocks) -> None:
    items = _pieces(el.text, pattern, expansion, used)
    if len(items) == 1:
        return

    def set_text(value: str) -> None:
        el.text = value or None

    _insert(el, 0, items[0], items[1:], blocks, set_text)


def _splice_tail(el, pattern, expansion, used, blocks) -> None:
    items = _pieces(el.tail, pattern, expansion, used)
    if len(items) == 1:
        return
    parent = el.getparent()

    def set_text(value: str) -> None:
        el.tail = value or None

    _insert(parent, parent.index(el) + 1, items[0], items[1:], blocks, set_text)


def _lift(block: etree._Element, placed: Placed, path: Path, holder: etree._Element) -> None:
    """A block inside a paragraph splits it; one inside other inline markup is an error."""
    parent = block.getparent()
    if parent is None:
        return
    local = etree.QName(parent).localname
    if parent is holder or local in _FLOW:
        return
    if local != "p":
        raise SourceError(f"shortcode {placed.tag.name!r} makes a block (<{etree.QName(block).localname}>), "
                          f"which cannot stand inside <{local}>; put the shortcode on a line of its own",
                          path, placed.line, placed.column)
    after = etree.Element(parent.tag, dict(parent.attrib))
    after.text = block.tail
    block.tail = None
    for sibling in list(block.itersiblings()):
        after.append(sibling)
    after.tail = parent.tail
    parent.tail = None
    parent.addnext(block)
    block.addnext(after)
    for attr, value in parent.attrib.items():
        if attr.startswith("data-sourcepos"):
            block.set(attr, value)
    for para in (parent, after):
        if not (para.text or "").strip() and len(para) == 0:
            tail = para.tail
            prev = para.getprevious()
            holder_of = para.getparent()
            if tail and tail.strip():
                continue
            if prev is not None:
                prev.tail = (prev.tail or "") + (tail or "")
            else:
                holder_of.text = (holder_of.text or "") + (tail or "")
            holder_of.remove(para)


__all__ = ["Args", "Context", "Settings", "ShortcodeError", "ENTRY_POINT_GROUP", "expand", "place",
           "identity", "registry", "forget_entry_points"]
