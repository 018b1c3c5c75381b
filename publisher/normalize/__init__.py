"""Fields + body -> article XML: identity, dates, authors, typography, links and images, sanitizing."""

from __future__ import annotations

import os
import re
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from lxml import etree

from publisher import dates, limits, model, paths
from publisher.config import Config
from publisher.errors import Reporter, SourceError
from publisher.model.content import announced
from publisher.normalize import urls
from publisher.normalize.media import EnclosureReader, attributes
from publisher.normalize.html import Conformer
from publisher.normalize.svgfile import clean_svg
from publisher.normalize.typography import smarten_text, smarten_tree
from publisher.slugs import name_key, slug_or_hash, slugify, url_segment
from publisher.slugs import url_path as url_path_kept
from publisher.sources import NotAnArticle, SourceArticle, is_redirect
from publisher.xmlutil import ART_NS, LINE_ATTR, XHTML_NS, XML_LANG, A, H, text_content

#: The vocabulary's URL attributes (of XHTML elements: SVG's href only names a local #id).
URL_ATTRS = ("href", "src", "cite")
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}
SUMMARY_MAX = 300
_WITH_URL = etree.XPath(".//h:*[@href or @src or @cite]", namespaces={"h": XHTML_NS})
_LINED = etree.XPath(".//*[@l:line]", namespaces={"l": LINE_ATTR[1:].split("}")[0]})
#: An absolute URI as the schema's absoluteUri has it: a scheme, a colon, no space.
_ABSOLUTE_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:\S+$")
_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
#: Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a one-line
#: field they reorder what readers see of the text around it, in feed readers and book lists
#: ("Trojan Source"). The marks U+200E and U+200F, which change no order, stay.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

#: Maps an article source file to its canonical URL (None when it is not an article).
SourceLinks = Callable[[Path], "str | None"]


def article_uri(config: Config, article_id: str) -> str:
    """The permanent absolute id of an article: a name-based UUID of the site's host and the id.

    It changes neither with the title, the file's place nor the URL scheme, only with the id.
    """
    host = urlsplit(config.base_url).netloc.lower()
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"publisher:{host}/{article_id}"))


@dataclass(frozen=True)
class Identity:
    """Where an article lives: derived from its fields and file path only."""

    source: str  # path relative to the articles folder
    url_path: str  # the 'path' key, stripped of slashes ('' when absent)
    slug: str
    id: str
    canonical: str


def _where(src: SourceArticle, key: str) -> tuple[Path, int | None]:
    return src.origins.get(key, (src.path, None))


def relative_source(config: Config, path: Path) -> str:
    """``path`` relative to the articles folder, with ``/``; the file name when outside it."""
    text, root = str(path), str(config.articles_path) + os.sep
    # fast path for what discover() returns: absolute, normal, inside the folder, not a link
    if (text.startswith(root) and os.path.normpath(text) == text and not os.path.islink(text)):
        return text[len(root):].replace(os.sep, "/")
    try:
        return path.resolve().relative_to(config.articles_path).as_posix()
    except ValueError:
        return path.name


def _inside(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` with ``/`` (both absolute and normal, as ``Path.resolve``
    gives them), as ``Path.relative_to(root).as_posix()`` has it; None when it is not inside."""
    rel = paths.lexically_inside(path, root)
    return "." if rel == "" else rel


def _slug_from_path(rel: str) -> str:
    p = Path(rel)
    stem = p.parent.name if p.stem.lower() in ("index", "_index") and p.parent.name else p.stem
    # A date prefix (2026-11-18-slug) dates the article; it is not part of its name.
    return slugify(re.sub(r"^\d{4}-\d{2}-\d{2}-(?=.)", "", stem))


def identity(src: SourceArticle, config: Config, report: Reporter | None = None) -> Identity:
    """Where an article lives. An explicit ``url``, ``path`` or ``slug`` is kept as written
    (dots, case, a trailing "/" or none); each change a URL forces on it (a space escaped, a
    ".." segment dropped, another host) is a warning to ``report`` naming the old and new value.
    Only a slug derived from the file name is normalized. The ``slug`` of the document (file
    names in books) and the id are made as before, so neither changes with this."""
    f = src.fields
    rel = src.source_name or relative_source(config, src.path)
    raw_path = f["path"] if isinstance(f.get("path"), str) else ""
    url_path = raw_path.strip().strip("/")
    if f.get("slug"):
        slug = slugify(f["slug"])
    else:
        slug = slugify(url_path) if url_path else _slug_from_path(rel)
    if not slug:
        raise SourceError("cannot make a URL slug from the file name; add a 'slug' key", *_where(src, "slug"))
    article_id = str(f.get("id") or url_path or slug).strip()
    if not article_id or re.search(r"\s", article_id):
        raise SourceError(f"id {article_id!r} must be non-empty and contain no spaces", *_where(src, "id"))

    def changed(key: str, old: str, new: str, why: list[str]) -> None:
        if report is not None and why:
            path, line = _where(src, key)
            report.warn(path, f"{key} {old!r} is not a URL path as written ({', '.join(why)}); the URL uses "
                        f"{new!r}", line, 1 if line else None, code="url-changed")

    if f.get("canonical"):
        canonical = f["canonical"]
        if f.get("url") and report is not None:
            path, line = _where(src, "url")
            report.warn(path, "url is not used: canonical gives the article's URL", line)
    elif isinstance(f.get("url"), str) and f["url"].strip():
        canonical = _site_url(src, config, f["url"], changed)
    elif url_path:
        kept, why = url_path_kept(raw_path)
        if config.path_trailing_slash and not kept.endswith("/"):
            kept += "/"
        changed("path", raw_path, kept, why)
        canonical = config.url(kept)
    else:
        name = slug
        if f.get("slug"):
            name, why = url_segment(str(f["slug"]))
            if why:  # not a URL path segment: made one as a derived slug is (as before)
                name = slug
            changed("slug", str(f["slug"]), name, why)
        canonical = config.url(config.article_url.format(slug=name))
    if not urlsplit(canonical).scheme or not urlsplit(canonical).netloc or re.search(r"\s", canonical):
        raise SourceError(
            f"canonical {canonical!r} must be an absolute URL without spaces (write a space as %20)",
            *_where(src, "canonical"),
        )
    return Identity(rel, url_path, slug, article_id, canonical)


def _site_url(src: SourceArticle, config: Config, value: str,
              changed: Callable[[str, str, str, list[str]], None]) -> str:
    """The canonical URL an explicit ``url`` gives: a path under base_url (Hugo), or an absolute
    URL on base_url's host; on another host, its path on this site's host, with a warning."""
    text = value.strip()
    parts = urlsplit(text)
    site = urlsplit(config.site_url)
    if parts.scheme or text.startswith("//"):
        if parts.scheme and parts.scheme.lower() not in ("http", "https"):
            raise SourceError(f"url {text!r} must be a path on this site or an http(s) URL; for an address "
                              "elsewhere, use canonical", *_where(src, "url"))
        kept, why = url_path_kept(parts.path or "/")
        if parts.query or parts.fragment:
            why.append("a query or fragment")
        if (parts.hostname or "") != (site.hostname or "") or parts.port != site.port:
            why.append(f"it is on another host than base_url ({site.netloc}); for an article whose canonical "
                       "address is elsewhere, use canonical")
            new = config.url(_under_base(kept, site.path))
        else:
            new = f"{site.scheme}://{site.netloc}/{kept}" if kept or parts.path else config.site_url
            if new != text and not why:
                why.append(f"base_url's scheme and host are {site.scheme}://{site.netloc}")
        changed("url", text, new, why)
        return new
    kept, why = url_path_kept(text)
    changed("url", text, kept, why)
    return config.url(kept)


def _under_base(path: str, base_path: str) -> str:
    """``path`` (from the site's root) relative to base_url's own path when it is under it."""
    prefix = base_path.strip("/")
    return path[len(prefix) + 1:] if prefix and path.startswith(prefix + "/") else path


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, A + tag, attrs)
    if text is not None:
        el.text = text
    return el


class Normalizer:
    """Builds one article document; problems go to ``report`` (warnings) or raise SourceError.

    ``source_links`` resolves links to other article sources (``[x](other.md)``) to their
    canonical URLs; without it such links resolve like any relative URL.
    """

    def __init__(self, config: Config, report: Reporter, source_links: SourceLinks | None = None) -> None:
        self.config = config
        self.report = report
        self.source_links = source_links

    def _uri(self, ident: Identity) -> str:
        """The feed id: the source's ``uri`` as written (kept from an imported feed), else made
        from the site's host and the article's id."""
        given = self.src.fields.get("uri")
        if given is None:
            return article_uri(self.config, ident.id)
        uri = str(given).strip()
        if not _ABSOLUTE_URI.match(uri):
            raise SourceError(f"uri {uri!r} must be an absolute URI without spaces (tag:, urn:, https:...), "
                              "as feeds write it; remove the key to have one made from the id",
                              *_where(self.src, "uri"))
        return uri

    def normalize(self, src: SourceArticle) -> etree._Element:
        """The article document of ``src``; :class:`NotAnArticle` for a redirect stub."""
        if is_redirect(src):
            raise NotAnArticle(src.path)
        self.src = src
        self._folders: dict[str, str] = {}
        f = src.fields
        lang = str(f.get("lang") or self.config.language)
        if not _LANG.match(lang):
            raise SourceError(f"lang {lang!r} is not a BCP 47 language tag (e.g. en, de-CH)", *_where(src, "lang"))
        headline = smarten_text(" ".join(self._no_bidi(str(f.get("title") or ""), "title").split()), lang)
        if not headline:
            raise SourceError("the article has no headline; add a 'title' to its front matter", src.path, 1)
        ident = identity(src, self.config, self.report)
        published, updated = self._dates(ident)

        root = etree.Element(A + "article", nsmap={None: ART_NS, "h": XHTML_NS})
        root.set("version", "1")
        root.set(XML_LANG, lang)
        if f.get("draft") is True:
            root.set("status", "draft")
        meta = _sub(root, "meta")
        _sub(meta, "id", ident.id)
        _sub(meta, "uri", self._uri(ident))
        _sub(meta, "slug", ident.slug)
        _sub(meta, "source", ident.source, format=src.format)
        _sub(meta, "headline", headline)
        deck = " ".join(self._no_bidi(str(f.get("deck") or ""), "deck").split())
        if deck:
            _sub(meta, "deck", smarten_text(deck, lang))
        self._authors(_sub(meta, "authors"), lang)
        _sub(meta, "published", dates.rfc3339(published))
        _sub(meta, "updated", dates.rfc3339(updated))
        self._tags(meta)

        body = etree.Element(A + "body")
        for node in src.body:
            if isinstance(node, str):
                body.text = (body.text or "") + node
            else:
                body.append(node.__copy__())  # lxml's deepcopy, without copy.deepcopy's memo
        crossed = limits.body_problem(body)
        if crossed is not None:
            raise SourceError(crossed[1], src.path, self._line(crossed[0]))
        resources = self._clean_body(body, ident.canonical)
        smarten_tree(body, lang)

        summary = f.get("summary")
        summary = " ".join(summary.split()) if isinstance(summary, str) else self._summary(body)
        _sub(meta, "summary", smarten_text(summary, lang))
        _sub(meta, "language", lang)
        _sub(meta, "canonical", ident.canonical)
        if resources:
            res_el = _sub(meta, "resources")
            for href in sorted(resources):
                path, mtype, length = resources[href]
                _sub(res_el, "resource", href=href, path=path, type=mtype, length=length)
        media = EnclosureReader(self.config, self.report, src.path, src.origins)
        enclosure = media.read(f)
        if enclosure is not None:
            _sub(meta, "enclosure", **attributes(enclosure))
        extras = {**media.orphans, **src.extra}
        if extras:
            extra = _sub(meta, "extra")
            for name in sorted(extras):
                _sub(extra, "field", extras[name], name=name)
        root.append(body)
        etree.cleanup_namespaces(root)  # the readers' line attributes leave declarations behind

        errors = model.validate(root)
        if errors:  # a bug in a reader or here, not in the user's file; still say where it came from
            raise SourceError("normalized article fails the article schema: " + "; ".join(errors), src.path)
        return root

    # -- metadata -----------------------------------------------------------------------------

    def _dates(self, ident: Identity):
        zone = self.config.zone
        src = self.src
        f = src.fields
        from_path = None
        if self.config.date_from_path:
            from_path = (ident.url_path and dates.from_path(ident.url_path)) or dates.from_path(ident.source)
        if f.get("date") is not None:
            try:
                published = dates.parse(f["date"], zone)
            except dates.DateError as exc:
                raise SourceError(f"date: {exc}", *_where(src, "date")) from None
        elif from_path is not None:
            try:
                published = dates.parse(from_path, zone)
            except dates.DateError as exc:
                raise SourceError(f"date from the path: {exc}", src.path) from None
        else:
            raise SourceError(
                "the article has no date; add 'date: YYYY-MM-DD' to its front matter or sidecar, "
                "or put the date in its path (YYYY-MM-DD-slug or YYYY/MM/DD/slug)",
                src.path,
            )
        updated = published
        if f.get("updated") is not None:
            try:
                updated = dates.parse(f["updated"], zone)
            except dates.DateError as exc:
                raise SourceError(f"updated: {exc}", *_where(src, "updated")) from None
            if updated < published:
                raise SourceError("updated is earlier than date; fix one of them", *_where(src, "updated"))
        return published, updated

    def _authors(self, parent: etree._Element, lang: str) -> None:
        names: list[str] = []
        bios: dict[str, list[str]] = {}
        for author in self.src.authors:
            name = " ".join(author.name.split())
            if len(slug_or_hash(name)) > limits.SLUG_CHARS:
                raise SourceError(f"author name {name[:40]!r}... is too long: its slug may have at most "
                                  f"{limits.SLUG_CHARS} characters", self.src.path, author.line)
            if name not in bios:
                names.append(name)
                bios[name] = []
            bios[name] += author.bio  # named twice: one author with every bio paragraph given
        names = names or [" ".join(self.config.author.split())]
        for name in names:
            el = _sub(parent, "author")
            _sub(el, "name", name)
            paras = bios.get(name) or []
            if not paras and name in self.config.authors:
                paras = [p.strip() for p in re.split(r"\n\s*\n", self.config.authors[name].bio) if p.strip()]
            if paras:
                bio = _sub(el, "bio")
                for para in paras:
                    p = etree.SubElement(bio, H + "p")
                    p.text = smarten_text(" ".join(para.split()), lang)

    def _tags(self, meta: etree._Element) -> None:
        tags = self.src.fields.get("tags") or []
        if not tags:
            return
        tags_el = _sub(meta, "tags")
        seen: dict[str, str] = {}
        for tag in tags:
            tag = " ".join(self._no_bidi(tag, "tags").split())
            tag_slug = slug_or_hash(tag)
            if not tag_slug:
                raise SourceError(f"tag {tag!r} has no letters or digits", *_where(self.src, "tags"))
            if len(tag_slug) > limits.SLUG_CHARS:
                raise SourceError(f"tag {tag[:40]!r}... is too long: its slug has {len(tag_slug)} characters, "
                                  f"a tag's may have at most {limits.SLUG_CHARS}", *_where(self.src, "tags"))
            if tag_slug in seen and name_key(seen[tag_slug]) != name_key(tag):
                raise SourceError(f"tags {seen[tag_slug]!r} and {tag!r} would share one feed, tags/{tag_slug}/; "
                                  "make them one tag, or differ in letters or digits", *_where(self.src, "tags"))
            if tag_slug not in seen:
                seen[tag_slug] = tag
                _sub(tags_el, "tag", tag, slug=tag_slug)

    def _no_bidi(self, text: str, key: str) -> str:
        """``text`` without bidirectional controls, with a warning when it had any."""
        if not _BIDI_CONTROLS.search(text):
            return text
        found = ", ".join(sorted({f"U+{ord(c):04X}" for c in _BIDI_CONTROLS.findall(text)}))
        self.report.warn(*_where(self.src, key)[:1], f"{key}: removed bidirectional control characters ({found}), "
                         "which reorder the text around the field where it is shown", _where(self.src, key)[1])
        return _BIDI_CONTROLS.sub("", text)

    @staticmethod
    def _summary(body: etree._Element) -> str:
        first = next((p for p in body.iter(H + "p") if text_content(p).strip()), None)
        text = " ".join(text_content(first).split()) if first is not None else ""
        if len(text) <= SUMMARY_MAX:
            return text
        cut = text[:SUMMARY_MAX].rsplit(" ", 1)[0]
        return cut.rstrip(",;:") + "…"

    # -- body ---------------------------------------------------------------------------------

    def _line(self, el: etree._Element) -> int | None:
        """Source line of ``el``: its own or its nearest ancestor's, as the reader recorded it."""
        node = el
        while node is not None:
            line = node.get(LINE_ATTR)
            if line is not None:
                return int(line)
            if node.sourceline is not None and self.src.format == "xml":
                return node.sourceline
            node = node.getparent()
        return None

    def _clean_body(self, body: etree._Element, canonical: str) -> dict[str, tuple[str, str, str]]:
        """Map the body onto the vocabulary, absolutize URLs, collect local images. Returns
        resources by href."""
        path = self.src.path
        Conformer(lambda el, message: self.report.warn(path, message, self._line(el))).conform(body)
        known = {r["href"]: (r["path"], r["type"], r["length"]) for r in self.src.resources}
        resources: dict[str, tuple[str, str, str]] = {}
        for el in _WITH_URL(body):  # document order
            for name in URL_ATTRS:
                if el.get(name) is not None:
                    self._fix_url(el, name, canonical, known, resources)
        self._unannounced(body)
        for el in _LINED(body):
            del el.attrib[LINE_ATTR]
        return resources

    def _unannounced(self, body: etree._Element) -> None:
        """Warn, at its line, of a link or a table header a screen reader would announce as
        nothing: the book then says it lacks this and makes no accessibility claim."""
        for el in body.iter(H + "a", H + "th"):
            if el.tag == H + "a" and el.get("href") is None or announced(el):
                continue
            if el.tag == H + "a":
                self.report.warn(self.src.path, f"link to {el.get('href')} has no text: a screen reader announces "
                                 "nothing (books then make no accessibility claim); give it a text, or an image "
                                 "with alt text", self._line(el))
            else:
                self.report.warn(self.src.path, "empty table header cell: a screen reader announces nothing for "
                                 "its column or row; give it a text, or make it a <td>", self._line(el))

    def _resolve(self, rel_url_path: str) -> Path:
        """The file a relative URL path names from this source's folder, links resolved, as
        ``Path.resolve`` gives it; each folder is resolved once per article."""
        joined = os.path.join(str(self.src.path.parent), rel_url_path)
        folder, name = os.path.split(joined)
        if name in ("", ".", ".."):
            return Path(os.path.realpath(joined))
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        full = os.path.join(real, name)
        return Path(os.path.realpath(full) if os.path.islink(full) else full)

    def _fix_url(self, el, name, canonical, known, resources) -> None:
        value = el.get(name)
        local = etree.QName(el).localname
        image = local == "img" and name == "src"
        url = self._absolute(el, name, value, canonical, known, resources, image=image)
        if url is None:
            del el.attrib[name]
        else:
            el.set(name, url)

    def _url_problem(self, el, name: str, message: str) -> None:
        local = etree.QName(el).localname
        self.report.warn(self.src.path, f"<{local} {name}=...>: {message}", self._line(el))

    def _absolute(self, el, name, value, canonical, known, resources, *, image: bool) -> str | None:
        """The absolute URL ``value`` stands for, or None (with a warning) when it has none."""
        value = urls.as_browsers_read(value)
        if not value:
            self._url_problem(el, name, "empty URL removed (it would point at this same page)")
            return None
        if value.startswith("#"):
            return urls.escape(value)
        if value in known:  # an article document's own resource: its file must be there too
            target = self.config.articles_path / known[value][0]
            problem = "not found" if not os.path.isfile(target) else limits.image_problem(target)
            if problem is not None:
                line = next((int(r["line"]) for r in self.src.resources if r["href"] == value and r.get("line")), None)
                raise SourceError(f"resource {known[value][0]!r} {problem}", self.src.path, line or self._line(el))
            resources[value] = known[value]
            return value
        scheme = urls.scheme(value)
        if image and scheme == "file":  # a path on the machine that builds: nobody else has it
            raise SourceError(f"{value!r} is a file: URL; link to a web address, or give an image "
                              f"in {self.config.articles_dir}/ by its relative path", self.src.path, self._line(el))
        if scheme in urls.SCRIPT_SCHEMES:
            self._url_problem(el, name, f"removed a {scheme}: URL (articles carry no scripts or embedded documents)")
            return None
        if scheme is not None:
            if scheme not in urls.KNOWN_SCHEMES:
                self._url_problem(
                    el, name, f"unknown URL scheme {scheme}: in {value!r}{urls.suggest(scheme)}; the URL is removed"
                )
                return None
            return urls.escape(value)
        parts = urlsplit(value)
        if parts.netloc:  # //host/path
            return urls.escape(urljoin(canonical, value))
        if image:
            return self._local_image(el, parts.path, value, canonical, resources)
        if parts.path.startswith("/"):  # /path: from the site's root, not a file of this machine
            return urls.escape(urljoin(canonical, value))
        if urls.above_root(canonical, value):
            url = urls.escape(urljoin(canonical, value))
            self._url_problem(el, name, f"{value!r} climbs above the site's root; it resolves to {url}")
            return url
        if parts.path and self.source_links is not None:
            # asked even when no file is there: the answer depends on it (a later build may
            # find the article), so the cache must know
            target = self._resolve(unquote(parts.path))
            url = self.source_links(target)
            if url is not None:
                return url + (f"#{parts.fragment}" if parts.fragment else "")
        return urls.escape(urljoin(canonical, value))

    def _local_image(self, el, rel_url: str, value: str, canonical: str, resources) -> str:
        src = self.src
        target = self._resolve(unquote(rel_url))
        rel = _inside(str(target), str(self.config.articles_path))
        try:
            found = os.stat(target)
        except (OSError, ValueError):
            found = None
        if rel is None or found is None or not stat.S_ISREG(found.st_mode):
            if self.source_links is not None and rel is not None:
                self.source_links(target)  # not an article: asked so that the cache knows the file
            problem = (
                f"image {value!r} is outside the articles folder"
                if rel is None
                else f"image {value!r} not found (looked for {rel})"
            )
            if self.config.missing_images == "remote":
                url = urljoin(canonical, value)
                self.report.warn(
                    src.path, f"{problem}; linking it as {url} (site.missing_images = \"remote\")", self._line(el)
                )
                return url
            fix = f"copy it into {self.config.articles_dir}/" if rel is None else "fix the path or add the file"
            raise SourceError(f"{problem}; {fix}", src.path, self._line(el))
        mtype = IMAGE_TYPES.get(target.suffix.lower())
        if mtype is None:
            raise SourceError(
                f"image {value!r} is not JPEG, PNG, GIF or SVG; convert it to one of those", src.path, self._line(el)
            )
        problem = limits.image_problem(target)
        if problem is not None:
            raise SourceError(f"image {value!r} {problem}", src.path, self._line(el))
        href = self.config.url("media/" + quote(rel))
        if mtype == "image/svg+xml":  # published cleaned: its length is the cleaned file's
            size = len(clean_svg(target, target.read_bytes(), self.report))
        else:
            size = found.st_size
        resources[href] = (rel, mtype, str(size))
        return href
