"""Helpers for the attack tests: build a throwaway site, collect the HTML every output carries, and
find what a browser would run or fetch in it."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import subprocess
import traceback
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import html5lib
import html5lib.constants
from lxml import etree

from tests.conftest import MINIMAL_CONFIG, write

NOW = "2026-12-01T00:00:00Z"
EVIL = "evil.example"  # every payload that fetches something fetches it from this host

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"

#: Elements that run script, load a document or a plug-in, or change where the page goes.
ACTIVE = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "meta", "base", "link",
    "form", "foreignobject", "handler", "listener", "portal", "noscript", "style",
}
#: SVG animation elements: they can set ``href`` or an event attribute after load.
ANIMATION = {"animate", "set", "animatemotion", "animatetransform", "animatecolor", "discard"}
#: Attributes whose value a browser follows as a URL.
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href",
             "srcdoc", "codebase", "cite", "lowsrc", "dynsrc", "ping", "values", "from", "to", "by"}
_BROWSER_STRIPPED = re.compile(r"[\t\n\r]")  # the URL parser removes these anywhere in a URL
_SCHEME = re.compile(r"^[\x00-\x20]*([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


def url_scheme(value: str) -> str | None:
    """The scheme a browser sees in an attribute value: ``java&#x09;script:`` is ``javascript``."""
    m = _SCHEME.match(_BROWSER_STRIPPED.sub("", value))
    return m.group(1).lower() if m else None


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def dangers(root: etree._Element) -> list[str]:
    """What in this tree (an XHTML chapter, a parsed feed HTML fragment or a normalized body)
    a browser would run, load as a document, or follow to a script URL."""
    found: list[str] = []
    for el in root.iter():
        name = _local(el.tag)
        if not name:
            continue
        if name in ACTIVE:
            found.append(f"<{name}>")
        if name in ANIMATION:
            found.append(f"<{name} attributeName={el.get('attributeName')!r}>")
        for attr, value in el.attrib.items():
            qn = etree.QName(attr)
            local = qn.localname.lower()
            full = ("xlink:" if qn.namespace == XLINK_NS else "") + local
            if local.startswith("on"):
                found.append(f"<{name} {full}=...>")
            elif local == "style" and re.search(r"expression\s*\(|url\s*\(|javascript:|@import|behavior", value, re.IGNORECASE):
                found.append(f"<{name} style={value!r}>")
            elif full in URL_ATTRS or local in URL_ATTRS:
                scheme = url_scheme(value)
                if scheme in {"javascript", "vbscript", "livescript"} or (
                    scheme == "data" and not re.match(r"\s*data:image/(png|jpeg|gif|webp);", value, re.IGNORECASE)
                    and not _safe_svg_image(name, local, value)
                ):
                    found.append(f"<{name} {full}={value!r}>")
                elif local == "srcdoc":
                    found.append(f"<{name} srcdoc>")
                elif EVIL in value:
                    found.append(f"<{name} {full}={value!r}>")
    return found


def _safe_svg_image(element: str, attr: str, value: str) -> bool:
    """An inline SVG as feeds carry it (publisher/feeds/html.py): ``img src`` of a base64 SVG
    that has no dangers itself (as an image it runs nothing; checked all the same)."""
    prefix = "data:image/svg+xml;base64,"
    if element != "img" or attr != "src" or not value.startswith(prefix):
        return False
    try:
        svg = etree.fromstring(base64.b64decode(value[len(prefix):], validate=True))
    except (ValueError, etree.XMLSyntaxError):
        return False
    return dangers(svg) == [] and EVIL.encode() not in etree.tostring(svg)


def parse_html(markup: str, *, fragment: bool = False):
    """``markup`` parsed by html5lib (the WHATWG algorithm) into lxml. html5lib's lxml builder
    warns where lxml cannot hold a node as parsed (a comment with "--"): that is not the
    markup's fault, and the tests run with warnings as errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", html5lib.constants.DataLossWarning)
        parse = html5lib.parseFragment if fragment else html5lib.parse
        return parse(markup, treebuilder="lxml", namespaceHTMLElements=False)


def html_tree(fragment: str) -> etree._Element:
    """An HTML fragment as a browser's HTML parser reads it (html5lib: the WHATWG algorithm)."""
    parsed = parse_html(fragment, fragment=True)
    wrapper = etree.Element("fragment")
    if isinstance(parsed, str):
        wrapper.text = parsed
        return wrapper
    for child in parsed:
        wrapper.append(child)
    return wrapper


@dataclass
class Built:
    """A throwaway site after ``publisher build``: exit code, what it printed, and its outputs."""

    root: Path
    returncode: int
    output: str
    normalized: dict[str, str] = field(default_factory=dict)

    @property
    def out(self) -> Path:
        return self.root / "build"

    def diagnostics_for(self, source: str) -> list[str]:
        """Printed diagnostics that name ``source`` with a line (``articles/NAME:LINE[:COL]: ...``)."""
        pattern = re.compile(rf"^articles/{re.escape(source)}:\d+(:\d+)?: (warning|error): .*$", re.MULTILINE)
        return [m.group(0) for m in pattern.finditer(self.output)]

    def epubs(self) -> list[Path]:
        return sorted(self.out.rglob("*.epub"))

    def chapters(self) -> dict[str, bytes]:
        """Every XHTML document of every EPUB, by ``book!name``."""
        found = {}
        for book in self.epubs():
            with zipfile.ZipFile(book) as z:
                for name in z.namelist():
                    if name.endswith((".xhtml", ".html", ".htm", ".svg")):
                        found[f"{book.name}!{name}"] = z.read(name)
        return found

    def feeds(self) -> list[Path]:
        return sorted(
            p for p in self.out.rglob("*")
            if p.name.endswith((".xml", ".json")) and p.name not in {"feeds.opml", "feed.xsl"}
        )

    def feed_html(self) -> dict[str, str]:
        """Every HTML string a feed carries (RSS content:encoded and description, Atom
        type="html" content and summary, JSON Feed content_html), by ``feed#n``."""
        found: dict[str, str] = {}
        for path in self.feeds():
            rel = path.relative_to(self.out).as_posix()
            if path.suffix == ".json":
                for n, item in enumerate(json.loads(path.read_bytes())["items"]):
                    if "content_html" in item:
                        found[f"{rel}#{n}.content_html"] = item["content_html"]
                continue
            root = etree.fromstring(path.read_bytes())
            for n, el in enumerate(root.iter("description", "{http://purl.org/rss/1.0/modules/content/}encoded")):
                if el.text:
                    found[f"{rel}#{n}.{_local(el.tag)}"] = el.text
            for n, el in enumerate(root.iter("{http://www.w3.org/2005/Atom}content", "{http://www.w3.org/2005/Atom}summary")):
                if el.get("type") == "html" and el.text:
                    found[f"{rel}#{n}.{_local(el.tag)}"] = el.text
                elif el.get("type") == "xhtml":
                    found[f"{rel}#{n}.{_local(el.tag)}(xhtml)"] = etree.tostring(el[0], encoding="unicode")
        return found

    def media(self) -> dict[str, bytes]:
        return {p.relative_to(self.out).as_posix(): p.read_bytes() for p in (self.out / "media").rglob("*") if p.is_file()}


def make_site(root: Path, articles: dict[str, str], files: dict[str, bytes] | None = None,
              config: str = MINIMAL_CONFIG) -> Path:
    write(root / "publisher.toml", config)
    (root / "articles").mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        write(root / "articles" / name, text)
    for name, data in (files or {}).items():
        write(root / "articles" / name, data)
    return root


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``publisher ARGS`` in ``root`` as a user runs it: the real command line and exit code, in
    this process (a fresh interpreter per call costs seconds on a loaded machine). An exception
    that escapes the command is printed as the traceback a user would see."""
    from click.testing import CliRunner

    from publisher.cli import cli

    with contextlib.chdir(root):
        result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["publisher", *args], result.exit_code, result.stdout, output)


def build_site(root: Path, articles: dict[str, str], files: dict[str, bytes] | None = None,
               config: str = MINIMAL_CONFIG, *, normalize: bool = True) -> Built:
    """Make the site, ``publisher build`` it (no cache, one worker) and, for each source, keep
    ``publisher normalize``'s output."""
    make_site(root, articles, files, config)
    proc = run(root, "build", "--now", NOW, "--no-cache", "-j", "1")
    built = Built(root, proc.returncode, proc.stderr)
    if normalize:
        for name in articles:
            if name.endswith((".md", ".txt", ".xml")):
                got = run(root, "normalize", f"articles/{name}")
                built.normalized[name] = got.stdout if got.returncode == 0 else ""
                built.output += got.stderr if "Traceback" in got.stderr else ""
    return built


def article(title: str, body: str, date: str = "2026-01-01") -> str:
    """A Markdown source with front matter."""
    return f"---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n"


def body_of(normalized: str) -> etree._Element | None:
    """The ``<body>`` of a normalized article document."""
    if not normalized:
        return None
    root = etree.fromstring(normalized.encode("utf-8"), etree.XMLParser(huge_tree=True))
    return root.find("{urn:publisher:article:1}body")


def text_of(el: etree._Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""
