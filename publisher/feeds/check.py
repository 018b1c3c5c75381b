"""Feed checks: the W3C Feed Validation Service's RSS 2.0 and Atom 1.0 rules, as Diagnostics."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date
from html import unescape
from html.entities import name2codepoint
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html
from lxml.html import defs as html_defs

from publisher.errors import Diagnostic
from publisher.xmlutil import PARSER, XML_NS

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
XHTML_DIV = "{http://www.w3.org/1999/xhtml}div"
XML_BASE = "{%s}base" % XML_NS
A = "{%s}" % ATOM_NS

# What the W3C validator reports as a security risk inside HTML content.
RISKY_TAGS = ("script", "iframe", "object", "embed", "applet", "frame", "frameset", "meta")
URL_ATTRS = ("href", "src", "action", "formaction", "poster", "cite", "data", "background")
TEXT_TYPES = ("text", "html", "xhtml")
RFC822_EXAMPLE = '"Tue, 24 Nov 2026 07:00:00 +0000"'
RFC3339_EXAMPLE = '"2026-11-24T07:00:00Z"'

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# RFC 822 section 5: UT/GMT, the named US zones, the military letters (J is not one), +hhmm.
_ZONE = re.compile(r"UT|GMT|[ECMP][SD]T|[A-IK-Z]|[+-]\d\d[0-5]\d")
_RFC822 = re.compile(r"(?:(\w+),\s*)?(\d{1,2})\s+(\w+)\s+(\d+)\s+(\d\d):(\d\d)(?::(\d\d))?\s+(\S+)")
# RFC 4287 3.3: RFC 3339 with an uppercase T and Z.
_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?"
                      r"(?:Z|[+-](\d\d):(\d\d))")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_MIME = re.compile(r"[^\s()<>@,;:\\\"/\[\]?=]+/[^\s()<>@,;:\\\"/\[\]?=]+")
_EMAIL = re.compile(r"[\w.+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:\s*\(.*\))?")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_JS = re.compile(r"javascript:", re.IGNORECASE)
# The W3C validator's scan of escaped HTML for link and image URLs (feedvalidator validators.py,
# absUrlMixin): a quoted value runs to the first quote followed by a space or ">", so a
# self-closed ``<a href="x"/>`` swallows what follows; an ASCII character outside RFC 2396 in
# such a URL is an error there (InvalidUriChar), and so here.
_HTML_URLS = (re.compile(r"""<a\s+href=(?:"(.*?)"|'(.*?)'|([\w-]+))[\s>]""", re.IGNORECASE),
              re.compile(r"""<img\s+[^>]*src=(?:"(.*?)"|'(.*?)'|([\w-]+))[\s>]""", re.IGNORECASE))
_NOT_URI_CHAR = re.compile(r"[\x00-\x7f]", re.ASCII)
_URI_CHAR = re.compile(r"[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]")
# HTML5's void elements: the only HTML elements a trailing "/>" closes (in foreign content,
# SVG and MathML, any element may self-close, so markup holding those is not judged).
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen",
                       "link", "meta", "param", "source", "track", "wbr"})
_SELF_CLOSED = re.compile(r"<([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/>")
_FOREIGN = re.compile(r"<(?:svg|math)[\s>/]", re.IGNORECASE)
_LXML_WHERE = re.compile(r", line \d+, column \d+$")


class _Found(list):
    """The diagnostics of one document, each at the line of the element it is about."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def error(self, el: etree._Element, message: str) -> None:
        self.append(Diagnostic(self.path, el.sourceline, None, "error", message))

    def warn(self, el: etree._Element, message: str) -> None:
        self.append(Diagnostic(self.path, el.sourceline, None, "warning", message))


def check_feed(data: bytes, path: str, *, self_url: str | None = None) -> list[Diagnostic]:
    """Every problem found in one feed document (RSS 2.0 or Atom 1.0, detected from the root)."""
    try:
        root = etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position
        message = _LXML_WHERE.sub("", exc.msg)
        return [Diagnostic(path, line, col, "error", f"not well-formed XML: {message}")]
    found = _Found(path)
    if root.tag == "rss":
        _check_rss(root, found, self_url)
    elif root.tag == A + "feed":
        _check_atom(root, found, self_url)
    else:
        found.error(root, f"root element <{root.tag}> is neither RSS 2.0 <rss> nor Atom 1.0 <feed>")
    # A stable sort: problems on one line keep the order in which they were found.
    return sorted(found, key=lambda d: d.line or 0)


# -- RSS 2.0 ------------------------------------------------------------------------------------


def _check_rss(rss: etree._Element, found: _Found, self_url: str | None) -> None:
    version = rss.get("version")
    if version != "2.0":
        has = "has no version" if version is None else f'has version="{version}"'
        found.error(rss, f'<rss> {has}; RSS 2.0 requires version="2.0"')
    channels = rss.findall("channel")
    if not channels:
        found.error(rss, "<rss> has no <channel>; RSS 2.0 requires exactly one")
        return
    for extra in channels[1:]:
        found.error(extra, "<rss> has more than one <channel>; RSS 2.0 allows exactly one")
    channel = channels[0]
    for name in ("title", "link", "description"):
        if channel.find(name) is None:
            found.error(channel, f"<channel> has no <{name}>; RSS 2.0 requires it")
    _rss_fields(channel, "<channel>", found)
    _self_link(channel, channel.findall(A + "link"), "atom:link", "<channel>", found, self_url)
    guids: dict[str, int] = {}
    links: dict[str, int] = {}
    for n, item in enumerate(channel.findall("item"), 1):
        where = f"<item> {n}"
        if item.find("title") is None and item.find("description") is None:
            found.error(item, f"{where} has no <title> or <description>; "
                        "RSS 2.0 requires one of them")
        _rss_fields(item, where, found)
        link, guid = item.find("link"), item.find("guid")
        if link is not None:
            _note_repeat(link, _text(link), n, links, where, "<link>", found)
        if guid is not None:
            _check_guid(guid, n, guids, found)
        for enclosure in item.findall("enclosure"):
            _check_enclosure(enclosure, where, found)
        for author in item.findall("author"):
            if not _EMAIL.fullmatch(_text(author)):
                found.warn(author, f'<author> of {where} is not an e-mail address: '
                           f'"{_text(author)}"; RSS 2.0 wants "jane@example.com (Jane Doe)" '
                           "(put bare names in <dc:creator>)")
        for el in (*item.findall("description"), *item.findall(f"{{{CONTENT_NS}}}encoded")):
            label = f"<{_name(el)}> of {where}"
            _check_escaped(el, el.text or "", label, found, base=False)
    if any(isinstance(el.tag, str) and el.tag.startswith(ITUNES) for el in channel.iter()):
        _check_itunes(channel, found)


def _rss_fields(parent: etree._Element, where: str, found: _Found) -> None:
    """The checks a channel and an item share: title, link, dates and categories."""
    for title in parent.findall("title"):
        _check_plain_title(title, where, found, atom=False)
    for link in parent.findall("link"):
        if not _is_http_url(_text(link)):
            found.error(link, f'<link> of {where} is not an absolute http(s) URL: "{_text(link)}"')
    for name in ("pubDate", "lastBuildDate"):
        for el in parent.findall(name):
            problem = _rfc822_problem(_text(el))
            if problem:
                found.error(el, f'<{name}> of {where} {problem}: "{_text(el)}"; '
                            f"RSS 2.0 dates are RFC 822, e.g. {RFC822_EXAMPLE}")
    for category in parent.findall("category"):
        if not _text(category):
            found.warn(category, f"<category> of {where} is empty; give it the category's name")


def _check_guid(guid: etree._Element, n: int, guids: dict[str, int], found: _Found) -> None:
    where, value = f"<item> {n}", _text(guid)
    # RSS 2.0: a guid without isPermaLink is a permalink, so it must be a URL readers can open.
    permalink = guid.get("isPermaLink", "true")
    if permalink not in ("true", "false"):
        found.error(guid, f'<guid> of {where} has isPermaLink="{permalink}"; '
                    'it must be "true" or "false"')
    elif permalink == "true" and not _is_http_url(value):
        found.error(guid, f'<guid> of {where} is a permalink (isPermaLink is "true" or absent) '
                    f'but not an absolute http(s) URL: "{value}"; '
                    'add isPermaLink="false" if it is not a URL')
    # The W3C validator's DuplicateValue is an error: a guid is what readers tell items apart by.
    if value in guids:
        found.error(guid, f'<guid> of {where} repeats the <guid> of <item> {guids[value]}: '
                    f'"{value}"; every item needs its own')
    else:
        guids[value] = n


def _check_enclosure(enc: etree._Element, where: str, found: _Found) -> None:
    label = f"<enclosure> of {where}"
    missing = [name for name in ("url", "length", "type") if enc.get(name) is None]
    if missing:
        found.error(enc, f"{label} has no {', '.join(missing)}; "
                    "RSS 2.0 requires url, length and type")
    for attr, valid, wanted in (
        ("url", _is_http_url, "an absolute http(s) URL"),
        ("length", re.compile(r"\d+").fullmatch, "the size in bytes, a whole number"),
        ("type", _MIME.fullmatch, 'a MIME type such as "audio/mpeg"'),
    ):
        value = enc.get(attr)
        if value is not None and not valid(value.strip()):
            found.error(enc, f'{label} has {attr}="{value}"; it must be {wanted}')


ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
#: What the W3C validator's itunes rules accept: the enclosure suffixes Apple Podcasts plays.
ITUNES_SUFFIXES = ("m4a", "mp3", "mov", "mp4", "m4v", "pdf", "epub")
_DURATION = re.compile(r"\d+(:[0-5][0-9](:[0-5][0-9])?)?")


def _check_itunes(channel: etree._Element, found: _Found) -> None:
    """The W3C validator's rules for a podcast feed (one using the iTunes namespace)."""
    for name in ("category", "explicit", "owner"):
        if channel.find(ITUNES + name) is None:
            found.warn(channel, f"a podcast's <channel> has no <itunes:{name}>; Apple Podcasts requires it")
    for el in channel.iter(ITUNES + "explicit"):
        if _text(el).lower() not in ("true", "false"):
            found.error(el, f'<itunes:explicit> is "{_text(el)}"; it must be "true" or "false"')
    for n, item in enumerate(channel.findall("item"), 1):
        for el in item.findall(ITUNES + "duration"):
            if not _DURATION.fullmatch(_text(el)):
                found.error(el, f'<itunes:duration> of <item> {n} is "{_text(el)}"; write seconds or HH:MM:SS')
        for enc in item.findall("enclosure"):
            suffix = (enc.get("url") or "").rsplit(".", 1)[-1]
            if suffix not in ITUNES_SUFFIXES:
                found.warn(enc, f"<enclosure> of <item> {n} is a .{suffix} file, which Apple Podcasts does not "
                           f"play (it plays .{', .'.join(ITUNES_SUFFIXES[:5])})")


# -- Atom 1.0 -----------------------------------------------------------------------------------


def _check_atom(feed: etree._Element, found: _Found, self_url: str | None) -> None:
    _atom_fields(feed, "<feed>", found)
    _self_link(feed, feed.findall(A + "link"), "link", "<feed>", found, self_url)
    feed_author = feed.find(A + "author") is not None
    ids: dict[str, int] = {}
    links: dict[str, int] = {}
    for n, entry in enumerate(feed.findall(A + "entry"), 1):
        where = f"<entry> {n}"
        _atom_fields(entry, where, found)
        for published in entry.findall(A + "published"):
            _check_rfc3339(published, where, found)
        has_author = any(entry.find(p) is not None for p in (A + "author", f"{A}source/{A}author"))
        if not (feed_author or has_author):
            found.error(entry, f"{where} has no <author> and neither has the <feed>; "
                        "Atom requires one")
        # RFC 4287 4.1.1 lets an id repeat only for versions of one entry; the W3C validator
        # reports that as a warning (DuplicateEntries), not an error.
        id_el = entry.find(A + "id")
        if id_el is not None:
            _note_repeat(id_el, _text(id_el), n, ids, where, "<id>", found)
        for link in entry.findall(A + "link"):
            if link.get("rel", "alternate") == "alternate":  # the first one is the entry's page
                tag = '<link rel="alternate">'
                _note_repeat(link, link.get("href", ""), n, links, where, tag, found)
                break
        for el in (*entry.findall(A + "content"), *entry.findall(A + "summary")):
            kind = el.get("type", "text")
            label = f'<{_name(el)} type="{kind}"> of {where}'
            if kind == "html":
                _check_escaped(el, el.text or "", label, found, base=_has_base(el))
            elif kind == "xhtml":
                nodes = (node for child in el for node in child.iter())
                _check_html(el, nodes, label, found, base=None)


def _atom_fields(parent: etree._Element, where: str, found: _Found) -> None:
    """The checks a feed and an entry share: id, title, updated, text constructs, links, authors."""
    for name in ("id", "title", "updated"):
        els = parent.findall(A + name)
        if not els:
            found.error(parent, f"{where} has no <{name}>; Atom requires exactly one")
        for extra in els[1:]:
            found.error(extra, f"{where} has more than one <{name}>; Atom allows exactly one")
    for id_el in parent.findall(A + "id"):
        if not _is_absolute_iri(_text(id_el)):
            found.error(id_el, f'<id> of {where} is not an absolute IRI: "{_text(id_el)}"; '
                        'use a URL or a URN such as "urn:uuid:…"')
    for updated in parent.findall(A + "updated"):
        _check_rfc3339(updated, where, found)
    for name in ("title", "subtitle", "rights", "summary", "content"):
        for el in parent.findall(A + name):
            _check_type(el, where, found)
    alternates: set[tuple[str | None, str | None]] = set()
    for link in parent.findall(A + "link"):
        rel = link.get("rel", "alternate")  # RFC 4287 4.2.7.2: no rel means alternate
        if link.get("href") is None:
            found.error(link, f"<link> of {where} has no href; Atom requires one")
        if rel == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            if key in alternates:
                same = " and ".join(f'{a}="{v}"' if v else f"no {a}"
                                    for a, v in zip(("type", "hreflang"), key, strict=True))
                found.error(link, f'{where} has more than one <link rel="alternate"> with {same}; '
                            "Atom allows one per type and hreflang")
            alternates.add(key)
        elif rel == "enclosure" and link.get("length") is None:
            found.warn(link, f'<link rel="enclosure"> of {where} has no length; '
                       "readers use it to plan the download")
    for author in parent.findall(A + "author"):
        if author.find(A + "name") is None:
            found.error(author, f"<author> of {where} has no <name>; Atom requires one")


def _check_type(el: etree._Element, where: str, found: _Found) -> None:
    """The type of a text construct or content, the xhtml div, and markup in text titles."""
    name, kind = _name(el), el.get("type", "text")
    if name == "content":
        if kind not in TEXT_TYPES and not _MIME.fullmatch(kind):
            found.error(el, f'<content> of {where} has type="{kind}"; '
                        "Atom allows text, html, xhtml or a MIME type")
    elif kind not in TEXT_TYPES:
        found.error(el, f'<{name}> of {where} has type="{kind}"; Atom allows text, html or xhtml')
    if kind == "xhtml":
        children = [c for c in el if isinstance(c.tag, str)]
        loose = (el.text or "") + "".join(c.tail or "" for c in el)
        if len(children) != 1 or children[0].tag != XHTML_DIV or loose.strip():
            found.error(el, f'<{name} type="xhtml"> of {where} must contain exactly one xhtml:div '
                        "(in the http://www.w3.org/1999/xhtml namespace) and nothing else")
    if name == "title" and kind == "text":
        _check_plain_title(el, where, found, atom=True)


def _check_rfc3339(el: etree._Element, where: str, found: _Found) -> None:
    value = _text(el)
    m = _RFC3339.fullmatch(value)
    if m:
        year, month, day, hh, mm, ss, zh, zm = (int(g or 0) for g in m.groups())
        if hh < 24 and mm < 60 and ss <= 60 and zh < 24 and zm < 60 and _date(year, month, day):
            return
    found.error(el, f'<{_name(el)}> of {where} is not an RFC 3339 date-time: "{value}"; '
                f"Atom dates look like {RFC3339_EXAMPLE}")


# -- shared -------------------------------------------------------------------------------------


def _self_link(owner: etree._Element, links: list[etree._Element], tag: str, where: str,
               found: _Found, self_url: str | None) -> None:
    selfs = [link for link in links if link.get("rel") == "self"]
    if not selfs:
        found.warn(owner, f'{where} has no <{tag} rel="self">; '
                   "feed readers use it to know the feed's own address")
    for link in selfs:
        href = link.get("href")
        # The W3C validator only warns (SelfDoesntMatchLocation): it cannot know where a feed
        # will live. We do, so a wrong self link is a build error.
        if self_url is not None and href != self_url:
            found.error(link, f'<{tag} rel="self"> of {where} points to "{href}", '
                        f'but the feed is published at "{self_url}"')


def _note_repeat(el: etree._Element, value: str, n: int, seen: dict[str, int], where: str,
                 tag: str, found: _Found) -> None:
    """Warn when ``value`` was already used by an earlier item or entry."""
    if not value:
        return
    if value in seen:
        kind = where.split()[0]
        found.warn(el, f'{tag} of {where} is the same as that of {kind} {seen[value]}: "{value}"')
    else:
        seen[value] = n


def _check_plain_title(el: etree._Element, where: str, found: _Found, *, atom: bool) -> None:
    """A text title is shown literally: markup in it reaches the reader as visible tags."""
    child = next((c for c in el if isinstance(c.tag, str)), None)
    markup = f"<{_name(child)}>" if child is not None else _markup_in(_text(el))
    if markup:
        hint = ' (declare type="html" if it is HTML)' if atom else ""
        found.warn(el, f'<title> of {where} contains HTML markup "{markup}" but is plain text; '
                   f"feed readers will show it literally{hint}")


def _markup_in(text: str) -> str | None:
    # Only names HTML knows: "Vec<T>" or "AT&T;" in a headline is not markup.
    for m in _TAG.finditer(text):
        if m.group(1).lower() in html_defs.tags:
            return m.group(0)
    for m in _ENTITY.finditer(text):
        if m.group(1).startswith("#") or m.group(1) in name2codepoint:
            return m.group(0)
    return None


def _html_nodes(markup: str) -> Iterable[etree._Element]:
    """The elements of an escaped HTML fragment, parsed leniently as feed readers do."""
    if not markup.strip():
        return []
    try:
        return lxml_html.fragment_fromstring(markup, create_parent="div").iter()
    except (etree.ParserError, ValueError):
        return []


def _constructs(nodes: Iterable[etree._Element], base: bool | None) -> tuple[list[str], list[str]]:
    """(risky constructs, relative URLs) among ``nodes``; ``base`` None: look at each node."""
    risky: list[str] = []
    relative: list[str] = []
    for node in nodes:
        if not isinstance(node.tag, str):
            continue  # comments and processing instructions
        if _local(node.tag) in RISKY_TAGS:
            risky.append(f"<{_local(node.tag)}>")
        for attr, value in node.attrib.items():
            attr = _local(attr)  # lxml.html keeps "xlink:href" as one name
            if attr.startswith("on"):
                risky.append(f"an {attr}= attribute")
            # Browsers ignore whitespace and control characters inside the scheme.
            if attr in URL_ATTRS and _JS.match(re.sub(r"[\x00-\x20]", "", value)):
                risky.append("a javascript: URL")
            elif attr in ("href", "src") and not _SCHEME.match(value.strip()):
                if not (base if base is not None else _has_base(node)):
                    relative.append(value)
    return risky, relative


#: What :func:`_scan_markup` found, by a hash of the markup. One article's content recurs in
#: about ten feed documents (the site's, its authors', its tags', an archive page's), far
#: apart in a build: at 10,000 articles a 4,096-entry LRU of the texts themselves missed 63 %
#: of the time. Hashes keep the memo small (about 100 bytes an article) so it can hold them all.
_SCANNED: dict[bytes, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_SCANNED_MAX = 500_000


def _scan_markup(markup: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...],
                                       tuple[str, ...]]:
    """(risky constructs, relative URLs, (URL, bad character) pairs, self-closed HTML elements)
    of escaped HTML, scanned once per distinct text."""
    key = hashlib.blake2b(markup.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    found = _SCANNED.get(key)
    if found is None:
        risky, relative = _constructs(_html_nodes(markup), base=False)
        if len(_SCANNED) >= _SCANNED_MAX:  # a long-lived process building many sites
            _SCANNED.clear()
        found = _SCANNED[key] = (tuple(risky), tuple(relative), tuple(_bad_uri_chars(markup)),
                                 tuple(_self_closed(markup)))
    return found


def _self_closed(markup: str) -> list[str]:
    """HTML elements written ``<td/>``: an HTML parser (the W3C's too: NotHtml) reads an open tag."""
    if _FOREIGN.search(markup):
        return []
    names = (m.group(1).lower() for m in _SELF_CLOSED.finditer(markup))
    return list(dict.fromkeys(n for n in names if n in html_defs.tags and n not in VOID_TAGS))


def _bad_uri_chars(markup: str) -> list[tuple[str, str]]:
    """(URL, first character a URI cannot hold) for each link or image URL, as the W3C finds them."""
    bad = []
    for pattern in _HTML_URLS:
        for groups in pattern.findall(markup):
            url = unescape(next((g for g in groups if g), "")).strip()
            char = next((c for c in url if _NOT_URI_CHAR.match(c) and not _URI_CHAR.match(c)), None)
            if char is not None:
                bad.append((url, char))
    return list(dict.fromkeys(bad))


def _check_escaped(el: etree._Element, markup: str, label: str, found: _Found, *, base: bool) -> None:
    risky, relative, bad_chars, self_closed = _scan_markup(markup)
    for url, char in bad_chars:
        found.error(el, f"{label} has a link or image URL with {char!r}, which a URI cannot hold "
                    f'(escape it, or close the tag: <a href="…"/> is an open tag in HTML): "{url}"')
    for tag in self_closed:
        found.warn(el, f'{label} has "<{tag}/>", which HTML parsers read as an open tag: what follows '
                   f"lands inside it (write <{tag}></{tag}>)")
    _report_html(el, label, found, list(risky), [] if base else list(relative))


def _check_html(el: etree._Element, nodes: Iterable[etree._Element], label: str, found: _Found,
                *, base: bool | None) -> None:
    """Risky constructs and relative URLs in HTML content; ``base`` None: look at each node."""
    risky, relative = _constructs(nodes, base)
    _report_html(el, label, found, risky, relative)


def _report_html(el: etree._Element, label: str, found: _Found, risky: list[str], relative: list[str]) -> None:
    for construct in dict.fromkeys(risky):
        found.warn(el, f"{label} contains {construct}; feed readers treat it as a security risk "
                   "and strip it or drop the item")
    for url in dict.fromkeys(relative):
        found.warn(el, f'relative URL "{url}" in {label}; feed readers cannot resolve it reliably')


def _has_base(el: etree._Element) -> bool:
    return any(e.get(XML_BASE) is not None for e in (el, *el.iterancestors()))


def _rfc822_problem(value: str) -> str | None:
    m = _RFC822.fullmatch(value)
    if not m:
        return "is not an RFC 822 date-time"
    dow, day, month, year, hh, mm, ss, zone = m.groups()
    if len(year) != 4:
        return "does not have a 4-digit year"
    if month not in _MONTHS or (dow is not None and dow not in _DAYS):
        return "has an unknown day or month name (use English three-letter abbreviations)"
    if not _ZONE.fullmatch(zone):
        return f'has no valid time zone ("{zone}"; use e.g. +0000 or GMT)'
    real = _date(int(year), _MONTHS.index(month) + 1, int(day))
    if real is None:
        return "is not a real date"
    if int(hh) > 23 or int(mm) > 59 or int(ss or 0) > 60:
        return "is not a real time of day"
    if dow is not None and dow != _DAYS[real.weekday()]:
        return f"names the wrong weekday ({dow}; that date is a {_DAYS[real.weekday()]})"
    return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 31 November, 29 February 2027, month 13
        return None


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", value)


def _is_absolute_iri(value: str) -> bool:
    if not _IRI.fullmatch(value):
        return False
    return _is_http_url(value) if value.split(":", 1)[0].lower() in ("http", "https") else True


def _text(el: etree._Element) -> str:
    return "".join(el.itertext()).strip()


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _name(el: etree._Element) -> str:
    """The name as the feed's author wrote it: content:encoded, not {…}encoded."""
    qname = etree.QName(el)
    if qname.namespace == CONTENT_NS:
        return f"content:{qname.localname}"
    return qname.localname
