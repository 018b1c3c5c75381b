"""Article XML as a source: lets ``publisher normalize`` be checked for idempotence, and keeps
hand-edited or converted articles in the canonical vocabulary."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from publisher import model
from publisher.errors import Reporter, SourceError
from publisher.paths import relative_name
from publisher.sources import Reader, SourceArticle, SourceAuthor
from publisher.xmlutil import PARSER, A, text_content

XINCLUDE = "http://www.w3.org/2001/XInclude"

_FIELDS = {
    "headline": "title",
    "deck": "deck",
    "published": "date",
    "updated": "updated",
    "summary": "summary",
    "language": "lang",
    "id": "id",
    "slug": "slug",
    "canonical": "canonical",
}


class ArticleXmlReader(Reader):
    name = "xml"
    suffixes = (".xml",)

    def read(self, path: Path, data: bytes, report: Reporter) -> SourceArticle:
        try:
            root = etree.fromstring(data, PARSER)
        except etree.XMLSyntaxError as exc:
            line, col = exc.position
            raise SourceError(f"not well-formed XML: {exc.msg}", path, line, col) from None
        if root.getroottree().docinfo.internalDTD is not None or b"<!ENTITY" in data:
            raise SourceError(
                "article XML must not have a DTD or entity declarations; write the characters themselves",
                path,
                1,
            )
        if root.tag != A + "article":
            raise SourceError(
                f"root element is {root.tag!r}; an article document has <article xmlns=\"{A[1:-1]}\">",
                path,
                root.sourceline,
            )
        for el in root.iter(f"{{{XINCLUDE}}}*"):  # docs/article-xml.md: a document is whole in itself
            raise SourceError("xi:include is not allowed in article XML; put the content itself here",
                              path, el.sourceline)
        errors = model.schema().validate(root)
        if not errors:
            err = model.schema().error_log[0]
            raise SourceError(f"does not match the article schema: {err.message}", path, err.line)
        meta = root.find(A + "meta")
        source = meta.find(A + "source")
        article = SourceArticle(path=path, format=source.get("format"))
        article.source_name = source.text
        for el in meta:
            key = _FIELDS.get(etree.QName(el).localname)
            if key is not None:
                article.fields[key] = el.text or ""
                article.origins[key] = (path, el.sourceline)
        article.fields["tags"] = [t.text for t in meta.iterfind(f"{A}tags/{A}tag")]
        if root.get("status") == "draft":
            article.fields["draft"] = True
        for author in meta.iterfind(f"{A}authors/{A}author"):
            bio = [text_content(p) for p in author.iterfind(f"{A}bio/*")]
            article.authors.append(SourceAuthor(author.findtext(A + "name"), bio, author.sourceline))
        for field in meta.iterfind(f"{A}extra/{A}field"):
            article.extra[field.get("name")] = field.text or ""
        for res in meta.iterfind(f"{A}resources/{A}resource"):
            # a path relative to the articles folder; the build reads it and writes it under
            # media/, so one escaping the folder would read and write host files
            problem = relative_name(res.get("path"))
            if problem is not None:
                raise SourceError(f"resource path {res.get('path')!r} {problem}; a resource is a file "
                                  "inside the articles folder, named relative to it", path, res.sourceline)
            article.resources.append({**res.attrib, "line": str(res.sourceline)})
        enclosure = meta.find(A + "enclosure")
        if enclosure is not None:
            _enclosure_fields(article, enclosure, path)
        body = root.find(A + "body")
        article.body_first_line = body.sourceline or 1
        if body.text:
            article.body.append(body.text)
        article.body.extend(body)
        return article


def _enclosure_fields(article: SourceArticle, el: etree._Element, path: Path) -> None:
    """The fields normalize/media.py reads, from an ``<enclosure>``: a local file by its path in
    the articles folder (checked as a resource's), a remote one by its URL and what it says."""
    where = (path, el.sourceline)
    stored = el.get("path")
    if stored is not None:
        problem = relative_name(stored)
        if problem is not None:
            raise SourceError(f"enclosure path {stored!r} {problem}; a local enclosure is a file inside the "
                              "articles folder, named relative to it", path, el.sourceline)
        article.fields["enclosure_file"] = stored
    else:
        article.fields["enclosure"] = el.get("href")
        article.fields["length"] = int(el.get("length"))
        article.fields["enclosure_type"] = el.get("type")
    for name in ("duration", "episode"):
        if el.get(name) is not None:
            article.fields[name] = int(el.get(name))
    if el.get("explicit") is not None:
        article.fields["explicit"] = el.get("explicit") == "true"
    for key in ("enclosure", "enclosure_file", "length", "enclosure_type", "duration", "episode", "explicit"):
        if key in article.fields:
            article.origins[key] = where
