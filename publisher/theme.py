"""The site's own theme (site.theme_dir: book.css, feed.css, feeds.html, cover.toml, fonts/), resolved
once and checked, then handed to renderers as data; and the sandbox its feeds.html template runs in.

Theme files are untrusted, as sources are: each is read inside the theme folder (symbolic links
resolved), bounded in size (limits.py), CSS refused when it could load a script or a remote
resource, fonts and logo type-checked, and the page a template makes refused if it holds a script.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tomllib
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher import limits, paths
from publisher.errors import Reporter, SourceError, did_you_mean, display_path

BOOK_CSS, FEED_CSS, FEEDS_PAGE, COVER, FONTS = "book.css", "feed.css", "feeds.html", "cover.toml", "fonts"
KNOWN = (BOOK_CSS, FEED_CSS, FEEDS_PAGE, COVER, FONTS)
#: Font files by suffix: their media type in a book, and the first bytes they must start with.
FONT_TYPES = {
    ".ttf": ("font/ttf", (b"\x00\x01\x00\x00", b"true")),
    ".otf": ("font/otf", (b"OTTO", b"\x00\x01\x00\x00")),
    ".woff": ("font/woff", (b"wOFF",)),
    ".woff2": ("font/woff2", (b"wOF2",)),
}
#: Names a font licence may have in fonts/ (one is required when there are fonts).
LICENCES = ("LICENSE", "LICENSE.txt", "LICENCE", "LICENCE.txt", "OFL.txt", "COPYING", "COPYING.txt")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Font:
    name: str  # file name in fonts/, the same in the book (EPUB/style/fonts/NAME)
    media_type: str
    data: bytes


@dataclass(frozen=True)
class CoverStyle:
    """The generated cover's look; None keeps the built-in one (publisher/books/cover.py)."""

    background: RGB | None = None
    text: RGB | None = None
    band: RGB | None = None
    band_text: RGB | None = None
    logo: bytes | None = None  # PNG or JPEG, drawn at the foot of the cover
    font: bytes | None = None  # a TrueType/OpenType font of fonts/ for the cover's words


@dataclass(frozen=True)
class Theme:
    """What the theme folder holds, checked. ``repr`` is its digest: it is part of repr(config),
    and so of every cache key made from the settings (a theme change makes the books again)."""

    folder: str = ""  # as shown in messages
    name: str = ""  # site.theme_dir as written: what outputs may say (never where the site is)
    book_css: str = ""  # appended after the built-in book stylesheet
    feed_css: str = ""  # appended after the built-in feed.css
    feeds_page: str | None = None  # the feeds.html template's source
    cover: CoverStyle = field(default_factory=CoverStyle)
    fonts: tuple[Font, ...] = ()
    licence: tuple[str, bytes] | None = None  # the fonts' licence file
    digest: str = ""

    def __repr__(self) -> str:
        return f"Theme({self.digest or 'none'})"

    def path(self, name: str) -> str:
        return f"{self.folder}/{name}" if self.folder else name


def load_theme(root: Path, theme_dir: str, config_shown: str, report: Reporter) -> Theme:
    """The theme in ``root/theme_dir`` (an empty Theme if there is no such folder). Problems go to
    ``report``, each with its file (and line where there is one)."""
    problem = paths.relative_name(theme_dir)
    if problem is not None:
        report.error(config_shown, f"site.theme_dir {theme_dir!r} {problem}; the theme folder must be inside the site")
        return Theme()
    folder = root / theme_dir
    if not os.path.lexists(folder):
        return Theme()
    shown = display_path(folder)
    if paths.inside(root, folder) is None:
        report.error(shown, "the theme folder leads outside the site folder through a symbolic link; "
                     "a build reads nothing outside it: copy the theme in")
        return Theme()
    if not folder.is_dir():
        report.error(shown, "is not a folder; site.theme_dir names the theme folder")
        return Theme()
    reader = _Reader(folder, shown, report)
    fonts, licence = _fonts(reader)
    font_names = {f.name for f in fonts}
    book_css = reader.css(BOOK_CSS, font_names)
    feed_css = reader.css(FEED_CSS, set())
    page = reader.text(FEEDS_PAGE)
    if page is not None:
        compile_page(page, f"{shown}/{FEEDS_PAGE}", report)
    cover = _cover(reader, fonts)
    for name in sorted(os.listdir(folder)):
        if name not in KNOWN and name not in reader.used and not name.startswith("."):
            report.warn(f"{shown}/{name}", "not a theme file, not used; a theme holds "
                        + ", ".join(KNOWN) + " and the logo cover.toml names" + did_you_mean(name, KNOWN))
    digest = hashlib.sha256()
    for name, data in sorted(reader.used.items()):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return Theme(shown, theme_dir, book_css or "", feed_css or "", page, cover, fonts, licence,
                 digest.hexdigest() if reader.used else "")


class _Reader:
    """Reads theme files inside the folder, bounded, remembering what it read (for the digest)."""

    def __init__(self, folder: Path, shown: str, report: Reporter) -> None:
        self.folder, self.shown, self.report = folder, shown, report
        self.used: dict[str, bytes] = {}

    def where(self, name: str) -> str:
        return f"{self.shown}/{name}"

    def data(self, name: str, bound: int, required: bool = False) -> bytes | None:
        path = self.folder / name
        if not os.path.lexists(path):
            return None
        if paths.inside(self.folder, path) is None:
            self.report.error(self.where(name), "leads outside the theme folder through a symbolic link; copy it in")
            return None
        if not os.path.isfile(path):
            self.report.error(self.where(name), "is not a file")
            return None
        size = path.stat().st_size
        if size > bound:
            self.report.error(self.where(name), f"is {size:,} bytes; a theme's {name.rsplit('/', 1)[-1]} may have "
                              f"at most {limits.mib(bound)}")
            return None
        try:
            data = paths.read_inside(self.folder, name)
        except ValueError as exc:
            self.report.error(self.where(name), str(exc))
            return None
        self.used[name] = data
        return data

    def text(self, name: str) -> str | None:
        data = self.data(name, limits.THEME_TEXT_BYTES)
        if data is None:
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.report.error(self.where(name), "is not UTF-8; save it as UTF-8", line)
            return None

    def css(self, name: str, fonts: set[str]) -> str | None:
        text = self.text(name)
        if text is None:
            return None
        ok = True
        for line, col, message in css_problems(text, fonts):
            self.report.error(self.where(name), message, line, col)
            ok = False
        return text if ok else None


# --- CSS -------------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})([ \t\r\f]|\n)?|\\(.)", re.S)
_FORBIDDEN = (
    (re.compile(r"@import"), "@import is not allowed in a theme (it could load a remote stylesheet); "
                             "put the rules in this file"),
    (re.compile(r"expression\s*\("), "expression() runs script in old browsers; remove it"),
    (re.compile(r"(?:java|vb|live)script\s*:"), "a script URL is not allowed in a theme; remove it"),
    (re.compile(r"-moz-binding|behavior\s*:"), "bindings and behaviors run script; remove them"),
    (re.compile(r"</\s*style"), "</style> is not CSS; remove it"),
)
_URL = re.compile(r"url\(|(?<![a-z0-9_-])(?:-[a-z]+-)?(?:src|image|image-set|cross-fade|element)\s*\(")


def _unescape(text: str) -> tuple[str, list[int]]:
    """CSS as a browser reads it, escapes decoded and comments blanked, with each character's
    offset in ``text`` (so that a problem is reported where it is written)."""
    out: list[str] = []
    origin: list[int] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            for j in range(i, end):
                out.append("\n" if text[j] == "\n" else " ")
                origin.append(j)
            i = end
            continue
        m = _ESCAPE.match(text, i) if text[i] == "\\" else None
        if m is None:
            out.append(text[i])
            origin.append(i)
            i += 1
            continue
        if m.group(1):
            code = int(m.group(1), 16)
            out.append(chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd")
            origin.append(i)
            if m.group(2) == "\n":
                out.append("\n")
                origin.append(m.end() - 1)
        else:
            out.append(m.group(3))
            origin.append(i)
        i = m.end()
    return "".join(out), origin


def _url_target(text: str, start: int) -> str | None:
    """The URL of a ``url(`` whose argument starts at ``start``: a quoted string (up to its
    closing quote) or the bare text up to ``)``; None when it does not end."""
    rest = text[start:].lstrip()
    if rest[:1] in ("'", '"'):
        end = rest.find(rest[0], 1)
        return rest[1:end].strip() if end > 0 else None
    end = rest.find(")")
    return rest[:end].strip() if end >= 0 else None


def css_problems(text: str, fonts: set[str]) -> list[tuple[int, int, str]]:
    """(line, column, message) for whatever in a theme's CSS could load a script or a remote
    resource. ``url()`` may only name a font of the theme's fonts/ (``url(fonts/NAME)``)."""
    plain, origin = _unescape(text)
    lowered = plain.lower()
    found = []

    def at(offset: int) -> tuple[int, int]:
        offset = origin[offset] if offset < len(origin) else len(text)
        line = text.count("\n", 0, offset) + 1
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    for pattern, message in _FORBIDDEN:
        for m in pattern.finditer(lowered):
            found.append((*at(m.start()), message))
    for m in _URL.finditer(lowered):
        start = max(0, m.start() - 80)
        rule = re.search(r"(?:^|[;}])\s*(@)namespace\s+[a-z0-9_-]*\s*$", lowered[start:m.start()])
        if rule and (rule.group(0)[:1] in (";", "}") or start + rule.start() == 0) and text[origin[start + rule.start(1)]] == "@":
            continue  # a namespace's name, never loaded: an @namespace rule, written as one (not \@)
        if not m.group(0).startswith("url("):
            found.append((*at(m.start()), f"{m.group(0).rstrip('( ')}() is not allowed in a theme; use url(fonts/NAME)"))
            continue
        target = _url_target(plain, m.end())
        if target is None or not (target.startswith("fonts/") and target[len("fonts/"):] in fonts):
            known = ", ".join(f"fonts/{n}" for n in sorted(fonts)) or "none: this theme has no fonts/"
            found.append((*at(m.start()), f"url({(target or '')[:80]}) is not a font of the theme; a theme's CSS "
                          f"may only name its own fonts ({known}), never a remote or other file"))
    return sorted(found)


# --- fonts and cover -------------------------------------------------------------------------------


def _fonts(reader: _Reader) -> tuple[tuple[Font, ...], tuple[str, bytes] | None]:
    folder = reader.folder / FONTS
    if not os.path.lexists(folder):
        return (), None
    if paths.inside(reader.folder, folder) is None or not folder.is_dir():
        reader.report.error(reader.where(FONTS), "must be a folder inside the theme folder")
        return (), None
    fonts: list[Font] = []
    licence = None
    total = 0
    for name in sorted(os.listdir(folder)):
        rel = f"{FONTS}/{name}"
        if name.startswith("."):
            continue
        if name in LICENCES:
            data = reader.data(rel, limits.THEME_TEXT_BYTES)
            if data is not None and licence is None:
                licence = (name, data)
            continue
        kind = FONT_TYPES.get(os.path.splitext(name)[1].lower())
        if kind is None:
            reader.report.warn(reader.where(rel), "not a font (.ttf, .otf, .woff, .woff2) or a licence ("
                               + ", ".join(LICENCES) + "); not used")
            continue
        if not _NAME.fullmatch(name):
            reader.report.error(reader.where(rel), "a font's name may hold only letters, digits, '.', '_' and '-'")
            continue
        data = reader.data(rel, limits.THEME_FONT_BYTES)
        if data is None:
            continue
        if not data.startswith(kind[1]):
            reader.report.error(reader.where(rel), f"is not the {kind[0].split('/')[1].upper()} font its name says")
            continue
        total += len(data)
        if total > limits.THEME_FONTS_BYTES:
            reader.report.error(reader.where(rel), f"the theme's fonts come to more than "
                                f"{limits.mib(limits.THEME_FONTS_BYTES)}; ship fewer or smaller ones")
            break
        fonts.append(Font(name, kind[0], data))
    if fonts and licence is None:
        reader.report.error(reader.where(FONTS), "holds fonts but no licence file; ship the fonts' licence as "
                            + " or ".join(LICENCES[:3]) + " (it goes into every book with them)")
    return tuple(fonts), licence


_COLOUR = re.compile(r"#([0-9a-fA-F]{6})")
COVER_KEYS = ("background", "text", "band", "band_text", "logo", "font")


def _line_of(text: str, key: str) -> int | None:
    m = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _cover(reader: _Reader, fonts: tuple[Font, ...]) -> CoverStyle:
    text = reader.text(COVER)
    if text is None:
        return CoverStyle()
    where = reader.where(COVER)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        reader.report.error(where, f"is not valid TOML: {exc}", *(map(int, m.groups()) if m else ()))
        return CoverStyle()
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = _line_of(text, key)
        if key not in COVER_KEYS:
            reader.report.warn(where, f"unknown key {key} ignored; known: {', '.join(COVER_KEYS)}"
                               + did_you_mean(key, COVER_KEYS), line)
        elif not isinstance(value, str):
            reader.report.error(where, f"{key} must be a string", line)
        elif key in ("logo", "font"):
            values[key] = _cover_file(reader, key, value, line, fonts)
        elif m := _COLOUR.fullmatch(value):
            values[key] = tuple(bytes.fromhex(m.group(1)))
        else:
            reader.report.error(where, f"{key} must be a colour written #rrggbb, not {value!r}", line)
    return CoverStyle(**{k: v for k, v in values.items() if v is not None})


def _cover_file(reader: _Reader, key: str, name: str, line: int | None, fonts: tuple[Font, ...]) -> bytes | None:
    where = reader.where(COVER)
    problem = paths.relative_name(name)
    if problem is not None:
        reader.report.error(where, f"{key} {name!r} {problem}; name a file in the theme folder", line)
        return None
    if key == "font":
        font = next((f for f in fonts if f"{FONTS}/{f.name}" == name), None)
        if font is None or font.media_type not in ("font/ttf", "font/otf"):
            reader.report.error(where, f"font {name!r} is not a TrueType or OpenType font in the theme's fonts/ "
                                "(the cover's font must be shipped there, with its licence)", line)
            return None
        return font.data
    if not os.path.lexists(reader.folder / name):
        reader.report.error(where, f"logo {name!r} not found in {reader.shown}/; add the file or remove the key", line)
        return None
    data = reader.data(name, limits.THEME_LOGO_BYTES)
    if data is None:
        return None
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise ValueError(image.format)
            if image.width * image.height > limits.THEME_LOGO_PIXELS:
                reader.report.error(where, f"logo {name!r} is {image.width:,} x {image.height:,} pixels; a logo "
                                    f"may have at most {limits.THEME_LOGO_PIXELS:,}", line)
                return None
            image.load()
    except Exception:  # noqa: BLE001 - whatever Pillow cannot read is not a logo
        reader.report.error(where, f"logo {name!r} is not a PNG or JPEG image", line)
        return None
    return data


# --- the feeds.html template -----------------------------------------------------------------------


def _environment() -> Any:
    """A sandboxed Jinja2 environment with autoescaping, strict undefineds, no range() and no
    operators or filters that make huge strings: a template cannot reach Python's insides and its
    cost stays bounded by the data it is given."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment, SecurityError

    class Env(SandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**", "%"])

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "%" and isinstance(left, str):
                raise SecurityError("% formatting is not allowed in a theme template")
            if operator == "**" and isinstance(right, int) and right > 64:
                raise SecurityError("a power above 64 is not allowed in a theme template")
            if operator == "*" and isinstance(left, (str, list, tuple)) and isinstance(right, int) \
                    and len(left) * right > 100_000:
                raise SecurityError("a repeated string or list over 100,000 items is not allowed in a theme template")
            return super().call_binop(context, operator, left, right)

    env = Env(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals.pop("range", None)
    for name in ("format", "center", "indent", "wordwrap"):
        env.filters.pop(name, None)
    return env


def compile_page(source: str, where: str, report: Reporter | None = None) -> Any:
    """The template compiled; a syntax error is reported (or raised) with its line."""
    from jinja2 import TemplateSyntaxError

    env = _environment()
    try:
        code = env.compile(source, FEEDS_PAGE, where)
    except TemplateSyntaxError as exc:
        if report is None:
            raise SourceError(f"template error: {exc.message}", where, exc.lineno) from None
        report.error(where, f"template error: {exc.message}", exc.lineno)
        return None
    return env.template_class.from_code(env, code, env.make_globals(None))


#: What a page made from a theme's template may not hold: elements that run or embed code.
_UNSAFE_TAGS = re.compile(r"<\s*/?\s*(script|iframe|object|embed|frame|frameset|applet|base|form|meta[\s/][^>]*"
                          r"http-equiv|svg|math|template|noscript|portal)\b", re.I)
_HANDLER = re.compile(r"<[a-z][^>]*?[\s/\"']on[a-z]+\s*=", re.I | re.S)
_SAFE_URL = re.compile(r"(https?:|mailto:|[^:]*$)", re.I)


def render_page(theme: Theme, context: dict[str, Any]) -> bytes:
    """feeds.html from the theme's template: autoescaped, sandboxed, and refused (SourceError
    naming the template, with the line where it is known) when the page holds script."""
    from jinja2 import TemplateError
    from lxml import html as lxml_html

    where = theme.path(FEEDS_PAGE)
    template = compile_page(theme.feeds_page or "", where)

    def render() -> tuple[str, str | None, int | None]:
        try:
            return template.render(**context), None, None
        except (TemplateError, TypeError, ValueError, ArithmeticError, AttributeError, MemoryError,
                RecursionError) as exc:
            tb = traceback.extract_tb(exc.__traceback__)
            line = next((f.lineno for f in reversed(tb) if f.filename == where), None)
            return "", f"template error: {type(exc).__name__}: {exc}", line

    page, problem, line = _bounded(render, where)
    if problem is not None:
        raise SourceError(problem, where, line)
    if len(page) > limits.THEME_PAGE_CHARS:
        raise SourceError(f"the page it makes has {len(page):,} characters; at most {limits.THEME_PAGE_CHARS:,}", where)

    def refuse(offset: int, what: str) -> SourceError:
        return SourceError(f"the page it makes holds {what} at line {page.count(chr(10), 0, offset) + 1} of "
                           "feeds.html; a theme may not add scripts, frames, forms or handlers", where)

    if m := _UNSAFE_TAGS.search(page):
        raise refuse(m.start(), f"<{m.group(1).split()[0].lower()}>")
    if m := _HANDLER.search(page):
        raise refuse(m.start(), "an on... event handler")
    for el in lxml_html.document_fromstring(page.encode("utf-8")).iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                raise SourceError(f"the page it makes has an {name} handler on <{el.tag}>", where)
            if name.lower() in ("href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href") \
                    and not _SAFE_URL.match(re.sub(r"[\x00-\x20]", "", value)):
                raise SourceError(f"the page it makes links {value[:60]!r} from <{el.tag}>; only http(s), mailto "
                                  "and relative URLs", where)
            if name.lower() == "style" and css_problems(value, set()):
                raise SourceError(f"the page it makes has a style on <{el.tag}> that {css_problems(value, set())[0][2]}",
                                  where)
        if el.tag == "link" and not set(el.get("rel", "").lower().split()) <= {"alternate", "icon", "canonical"}:
            raise SourceError(f"the page it makes has <link rel={el.get('rel', '')!r}>; a theme's page may link "
                              "only alternate (feeds), icon and canonical", where)
        if el.tag == "meta" and el.get("http-equiv") is not None:
            raise SourceError(f"the page it makes has <meta http-equiv={el.get('http-equiv')!r}>, which can "
                              "send the reader elsewhere; a theme's page may not have one", where)
        if el.tag == "style" and css_problems(el.text or "", set()):
            line, _, message = css_problems(el.text or "", set())[0]
            raise SourceError(f"a <style> of the page it makes: {message}", where)
    return page.encode("utf-8")


def _bounded(render: Any, where: str) -> tuple[str, str | None, int | None]:
    """``render()`` in a forked child with limits.THEME_RENDER_SECONDS and THEME_RENDER_MEMORY:
    a template's loops and joins (``~`` cannot be intercepted by the sandbox) cannot hold up or
    exhaust the build. Where fork is not available, in this process."""
    if not hasattr(os, "fork"):
        return render()
    import pickle
    import resource
    import select
    import signal
    import warnings

    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # the child only renders and writes to the pipe, then exits
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: whatever happens, it ends here
        try:
            os.close(read_end)
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            size = _address_space() + limits.THEME_RENDER_MEMORY
            if hard == resource.RLIM_INFINITY or size < hard:
                resource.setrlimit(resource.RLIMIT_AS, (size, hard))
            try:
                data = pickle.dumps(render())
            except BaseException as exc:  # noqa: BLE001 - reported by the parent
                data = pickle.dumps(("", f"template error: {type(exc).__name__}: {exc}", None))
            with os.fdopen(write_end, "wb") as fh:
                fh.write(data)
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    deadline = limits.THEME_RENDER_SECONDS
    import time

    end = time.monotonic() + deadline
    with os.fdopen(read_end, "rb") as fh:
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([fh], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return "", (f"the template took more than {deadline} s to render; a theme's page may not "
                            "loop without end"), None
            chunk = os.read(fh.fileno(), 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    try:
        return pickle.loads(b"".join(chunks))  # noqa: S301 - our own child's
    except Exception:  # noqa: BLE001 - the child died (out of memory): nothing or half a result
        return "", (f"rendering the template failed (exit status {status}); it may use at most "
                    f"{limits.mib(limits.THEME_RENDER_MEMORY)} of memory"), None


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 where /proc does not say)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
