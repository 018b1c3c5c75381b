"""Fields + body -> article XML: identity, dates, authors, links and images, sanitizing, schema check."""

from __future__ import annotations

import copy
import re
import unicodedata
import uuid
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from lxml import etree

from publisher import dates, model
from publisher.config import Config
from publisher.errors import Reporter, SourceError
from publisher.sources import SourceArticle
from publisher.xmlutil import A, ART_NS, H, XHTML_NS, XML_LANG, forbidden_chars, strip_forbidden, text_content

#: Elements removed with their content: they run code or embed other documents.
DANGEROUS = {"script", "style", "iframe", "object", "embed", "frame", "frameset", "base", "link", "meta", "applet"}
URL_ATTRS = ("href", "src", "poster", "cite", "action", "formaction", "longdesc")
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}
SUMMARY_MAX = 300
_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def slugify(text: str) -> str:
    """ASCII slug: accents folded, everything else that is not a letter or digit becomes '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def article_uri(config: Config, article_id: str) -> str:
    """The permanent absolute id of an article: a name-based UUID of the site's host and the id.

    It changes neither with the title, the file's place nor the URL scheme, only with the id.
    """
    host = urlsplit(config.base_url).netloc.lower()
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"publisher:{host}/{article_id}"))


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, A + tag, attrs)
    if text is not None:
        el.text = text
    return el


class Normalizer:
    """Builds one article document; problems go to ``report`` (warnings) or raise SourceError."""

    def __init__(self, config: Config, report: Reporter) -> None:
        self.config = config
        self.report = report

    def normalize(self, src: SourceArticle) -> etree._Element:
        self.src = src
        f = src.fields
        self._clean_fields()
        headline = f.get("title", "").strip() if isinstance(f.get("title"), str) else ""
        if not headline:
            raise SourceError("the article has no headline; add a 'title' to its front matter", src.path, 1)

        rel = src.source_name or self._relpath(src.path)
        url_path = f["path"].strip().strip("/") if isinstance(f.get("path"), str) else ""
        if f.get("slug"):
            slug = slugify(f["slug"])
        else:
            slug = slugify(url_path) if url_path else self._slug_from_path(rel)
        if not slug:
            raise SourceError("cannot make a URL slug from the file name; add a 'slug' key", *self._where("slug"))
        article_id = str(f.get("id") or url_path or slug).strip()
        if not article_id or re.search(r"\s", article_id):
            raise SourceError(f"id {article_id!r} must be non-empty and contain no spaces", *self._where("id"))
        lang = str(f.get("lang") or self.config.language)
        if not _LANG.match(lang):
            raise SourceError(f"lang {lang!r} is not a BCP 47 language tag (e.g. en, de-CH)", *self._where("lang"))
        if f.get("canonical"):
            canonical = f["canonical"]
        elif url_path:
            canonical = self.config.url(quote(url_path) + "/")
        else:
            canonical = self.config.url(self.config.article_url.format(slug=slug))
        if not urlsplit(canonical).scheme or not urlsplit(canonical).netloc:
            raise SourceError(f"canonical {canonical!r} must be an absolute URL", *self._where("canonical"))
        published, updated = self._dates(url_path, rel)

        root = etree.Element(A + "article", nsmap={None: ART_NS, "h": XHTML_NS})
        root.set("version", "1")
        root.set(XML_LANG, lang)
        if f.get("draft") is True:
            root.set("status", "draft")
        meta = _sub(root, "meta")
        _sub(meta, "id", article_id)
        _sub(meta, "uri", article_uri(self.config, article_id))
        _sub(meta, "slug", slug)
        _sub(meta, "source", rel, format=src.format)
        _sub(meta, "headline", headline)
        if isinstance(f.get("deck"), str) and f["deck"].strip():
            _sub(meta, "deck", f["deck"].strip())
        self._authors(_sub(meta, "authors"))
        _sub(meta, "published", dates.rfc3339(published))
        _sub(meta, "updated", dates.rfc3339(updated))
        tags = f.get("tags") or []
        if tags:
            tags_el = _sub(meta, "tags")
            seen = set()
            for tag in tags:
                tag_slug = slugify(tag)
                if not tag_slug:
                    raise SourceError(f"tag {tag!r} has no letters or digits", *self._where("tags"))
                if tag_slug not in seen:
                    seen.add(tag_slug)
                    _sub(tags_el, "tag", tag, slug=tag_slug)

        body = etree.Element(A + "body")
        if src.body and isinstance(src.body[0], str):
            body.text = src.body[0]
        for node in src.body:
            if not isinstance(node, str):
                body.append(copy.deepcopy(node))
        resources = self._clean_body(body, canonical)

        summary = f.get("summary")
        _sub(meta, "summary", summary.strip() if isinstance(summary, str) else self._summary(body))
        _sub(meta, "language", lang)
        _sub(meta, "canonical", canonical)
        if resources:
            res_el = _sub(meta, "resources")
            for href in sorted(resources):
                path, mtype = resources[href]
                _sub(res_el, "resource", href=href, path=path, type=mtype)
        if src.extra:
            extra = _sub(meta, "extra")
            for name in sorted(src.extra):
                _sub(extra, "field", strip_forbidden(src.extra[name]), name=name)
        root.append(body)

        errors = model.validate(root)
        if errors:  # a bug in a reader or here, not in the user's file; still say where it came from
            raise SourceError("normalized article fails the article schema: " + "; ".join(errors), src.path)
        return root

    # -- pieces -------------------------------------------------------------------------------

    def _where(self, key: str) -> tuple[Path, int | None]:
        return self.src.origins.get(key, (self.src.path, None))

    def _relpath(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.config.articles_path).as_posix()
        except ValueError:
            return path.name

    @staticmethod
    def _slug_from_path(rel: str) -> str:
        p = Path(rel)
        stem = p.parent.name if p.stem.lower() in ("index", "_index") and p.parent.name else p.stem
        # A date prefix (2026-11-18-slug) dates the article; it is not part of its name.
        return slugify(re.sub(r"^\d{4}-\d{2}-\d{2}-(?=.)", "", stem))

    def _clean_fields(self) -> None:
        for key, value in list(self.src.fields.items()):
            if isinstance(value, str) and forbidden_chars(value):
                where, line = self._where(key)
                self.report.warn(where, f"removed characters XML 1.0 cannot hold from {key!r}", line)
                self.src.fields[key] = strip_forbidden(value)

    def _dates(self, url_path: str, rel: str):
        zone = self.config.zone
        f = self.src.fields
        from_path = None
        if self.config.date_from_path:
            from_path = (url_path and dates.from_path(url_path)) or dates.from_path(rel)
        if f.get("date") is not None:
            try:
                published = dates.parse(f["date"], zone)
            except dates.DateError as exc:
                raise SourceError(f"date: {exc}", *self._where("date")) from None
        elif from_path is not None:
            published = dates.parse(from_path, zone)
        else:
            raise SourceError(
                "the article has no date; add 'date: YYYY-MM-DD' to its front matter or sidecar, "
                "or put the date in its path (YYYY-MM-DD-slug or YYYY/MM/DD/slug)",
                self.src.path,
            )
        updated = published
        if f.get("updated") is not None:
            try:
                updated = dates.parse(f["updated"], zone)
            except dates.DateError as exc:
                raise SourceError(f"updated: {exc}", *self._where("updated")) from None
            if updated < published:
                raise SourceError("updated is earlier than date; fix one of them", *self._where("updated"))
        return published, updated

    def _authors(self, parent: etree._Element) -> None:
        authors = self.src.authors or []
        names = [a.name for a in authors] or [self.config.author]
        bios = {a.name: a.bio for a in authors}
        seen = set()
        for name in names:
            name = strip_forbidden(name)
            if name in seen:
                continue
            seen.add(name)
            el = _sub(parent, "author")
            _sub(el, "name", name)
            paras = bios.get(name) or []
            if not paras and name in self.config.authors:
                paras = [p.strip() for p in re.split(r"\n\s*\n", self.config.authors[name].bio) if p.strip()]
            if paras:
                bio = _sub(el, "bio")
                for para in paras:
                    p = etree.SubElement(bio, H + "p")
                    p.text = strip_forbidden(para)

    def _clean_body(self, body: etree._Element, canonical: str) -> dict[str, tuple[str, str]]:
        """Sanitize, fix characters, absolutize URLs and collect local images. Returns resources."""
        path = self.src.path
        known = {r["href"]: (r["path"], r["type"]) for r in self.src.resources}
        resources: dict[str, tuple[str, str]] = {}
        line = self.src.body_first_line
        for el in list(body.iter()):
            if el is body:
                continue
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if etree.QName(el).namespace == XHTML_NS and local in DANGEROUS:
                self.report.warn(path, f"removed <{local}> element from the body (not allowed in articles)", line)
                _drop_keep_tail(el)
                continue
            for name in list(el.attrib):
                value = el.get(name)
                lname = name.lower()
                if lname.startswith("on"):
                    self.report.warn(path, f"removed event-handler attribute {name}= from <{local}>", line)
                    del el.attrib[name]
                    continue
                if forbidden_chars(value):
                    el.set(name, strip_forbidden(value))
                if lname in URL_ATTRS or lname == "srcset":
                    self._fix_url(el, name, canonical, known, resources)
        for el in body.iter():
            for attr in ("text", "tail"):
                value = getattr(el, attr)
                if value and forbidden_chars(value):
                    chars = ", ".join(sorted({f"U+{ord(c):04X}" for _, c in forbidden_chars(value)}))
                    self.report.warn(path, f"removed characters XML 1.0 cannot hold ({chars})", line)
                    setattr(el, attr, strip_forbidden(value))
        return resources

    def _fix_url(self, el, name, canonical, known, resources) -> None:
        value = el.get(name).strip()
        local = etree.QName(el).localname
        if name == "srcset":
            parts = []
            for item in value.split(","):
                bits = item.strip().split(None, 1)
                if bits:
                    url = self._absolute(bits[0], local, canonical, known, resources, image=True)
                    parts.append(" ".join([url, *bits[1:]]))
            el.set(name, ", ".join(parts))
            return
        if re.match(r"^\s*(javascript|vbscript|data:text/html)", value, re.I):
            self.report.warn(self.src.path, f"removed {name}= with a script URL from <{local}>", self.src.body_first_line)
            del el.attrib[name]
            return
        image = (local == "img" and name == "src") or (local in ("video",) and name == "poster")
        el.set(name, self._absolute(value, local, canonical, known, resources, image=image))

    def _absolute(self, value, local, canonical, known, resources, *, image: bool) -> str:
        if value.startswith("#") or not value:
            return value
        if value in known:
            resources[value] = known[value]
            return value
        parts = urlsplit(value)
        if parts.scheme or parts.netloc:
            return urljoin(canonical, value) if not parts.scheme else value
        if image:
            return self._local_image(parts.path, value, canonical, resources)
        return urljoin(canonical, value)

    def _local_image(self, rel_url: str, value: str, canonical: str, resources) -> str:
        src = self.src
        articles = self.config.articles_path
        target = (src.path.parent / unquote(rel_url)).resolve()
        try:
            rel = target.relative_to(articles).as_posix()
        except ValueError:
            rel = None
        if rel is None or not target.is_file():
            problem = (
                f"image {value!r} is outside the articles folder"
                if rel is None
                else f"image {value!r} not found (looked for {rel})"
            )
            if self.config.missing_images == "remote":
                url = urljoin(canonical, value)
                self.report.warn(src.path, f"{problem}; linking it as {url} (site.missing_images = \"remote\")")
                return url
            fix = f"copy it into {self.config.articles_dir}/" if rel is None else "fix the path or add the file"
            raise SourceError(f"{problem}; {fix}", src.path)
        mtype = IMAGE_TYPES.get(target.suffix.lower())
        if mtype is None:
            raise SourceError(
                f"image {value!r} is not JPEG, PNG, GIF or SVG; convert it to one of those", src.path
            )
        href = self.config.url("media/" + quote(rel))
        resources[href] = (rel, mtype)
        return href

    @staticmethod
    def _summary(body: etree._Element) -> str:
        first = next((p for p in body.iter(H + "p") if text_content(p).strip()), None)
        text = " ".join(text_content(first).split()) if first is not None else ""
        if len(text) <= SUMMARY_MAX:
            return text
        cut = text[:SUMMARY_MAX].rsplit(" ", 1)[0]
        return cut.rstrip(",;:") + "…"


def _drop_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)
