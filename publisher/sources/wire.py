"""The plain-text wire format: headline, optional deck, paragraphs, ``Author:`` trailer and bio.

Rules (also in docs/wire-format.md):

* The file is UTF-8 (a BOM is ignored); CRLF and CR line endings are read as LF; trailing
  spaces are ignored. Blocks are separated by one or more blank lines; the lines of a block
  are joined with a space (hard-wrapped copy reads as one paragraph).
* An optional header block may come first: every line of it is ``Key: value`` with a key
  from HEADER_KEYS (``Date:``, ``Updated:``, ``Id:``, ``Slug:``, ``Tags:``, ``Lang:``,
  ``Summary:``, ``Canonical:``, ``Draft:``; case-insensitive). Then block 2 is the headline.
* Block 1 (after any header) is the headline.
* Block 2 is the deck when it is one line, at most 300 characters, does not end like a
  sentence (``. ! ? … :`` optionally followed by a closing quote) and more text follows it.
  Otherwise it is the first paragraph.
* The trailer starts at the first block whose first line is ``Author: NAME`` (or
  ``Authors: NAME; NAME`` / ``NAME and NAME``). The rest of that block and every following
  block are the author's bio, until the next ``Author:`` line, which starts the next author.
  With several names on one line, a bio paragraph goes to the author whose name it begins
  with, otherwise to the first name.
* Everything between the headline (and deck) and the trailer is body, one paragraph per block.
  Nothing is dropped: a file with no trailer is all body and gets the site's default author.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from publisher.errors import Reporter, SourceError
from publisher.sources import Reader, SourceArticle, SourceAuthor, decode
from publisher.xmlutil import LINE_ATTR, H

_AUTHOR = re.compile(r"^Authors?:\s*(?P<names>\S.*)$")
_SENTENCE_END = re.compile(r"[.!?…:][\"'”’»)\]]*$")
DECK_MAX = 300
HEADER_KEYS = {
    "date": "date",
    "updated": "updated",
    "id": "id",
    "slug": "slug",
    "tags": "tags",
    "lang": "lang",
    "language": "lang",
    "summary": "summary",
    "canonical": "canonical",
    "draft": "draft",
}
_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z]+):\s*(?P<value>\S.*)$")


def blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each blank-line-separated block."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip()
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            out.append((start, current))
            current = []
    if current:
        out.append((start, current))
    return out


def _is_header(block: list[str]) -> bool:
    matches = [_HEADER_LINE.match(line) for line in block]
    return all(m is not None and m.group("key").lower() in HEADER_KEYS for m in matches)


def has_wire_shape(text: str) -> bool:
    """Does ``text`` look like a wire story rather than any text file (a licence, a data file)?
    It does when it opens with a header block (``Date:``, ``Slug:``...) or has an ``Author:``
    trailer after its headline: what the format has and plain text has not."""
    parts = blocks(text)
    if not parts:
        return False
    if _is_header(parts[0][1]):
        return True
    return any(_AUTHOR.match(block[0]) for _, block in parts[1:])


def split_names(names: str) -> list[str]:
    parts = re.split(r"\s*;\s*|\s+and\s+|\s*&\s*", names.strip())
    return [p.strip() for p in parts if p.strip()]


def is_deck(block: list[str], has_more: bool) -> bool:
    if len(block) != 1 or not has_more:
        return False
    line = block[0]
    return len(line) <= DECK_MAX and not _SENTENCE_END.search(line) and not _AUTHOR.match(line)


class WireReader(Reader):
    name = "wire"
    suffixes = (".txt",)

    def read(self, path: Path, data: bytes, report: Reporter) -> SourceArticle:
        text = decode(path, data, report)
        parts = blocks(text)
        if not parts:
            raise SourceError("the file is empty; a wire story needs at least a headline line", path, 1)
        article = SourceArticle(path=path, format=self.name)
        if _is_header(parts[0][1]):
            self._header(article, parts.pop(0))
            if not parts:
                raise SourceError("the file has a header block but no headline after it", path, 1)

        trailer_at = next((i for i, (_, b) in enumerate(parts) if i > 0 and _AUTHOR.match(b[0])), len(parts))
        if _AUTHOR.match(parts[0][1][0]):
            raise SourceError(
                "the first line is an Author: line; a wire story starts with its headline", path, parts[0][0]
            )
        head_line, head = parts[0]
        article.fields["title"] = " ".join(head)
        article.origins["title"] = (path, head_line)
        rest = parts[1:trailer_at]
        if rest and is_deck(rest[0][1], has_more=len(rest) > 1):
            article.fields["deck"] = rest[0][1][0]
            article.origins["deck"] = (path, rest[0][0])
            rest = rest[1:]
        for line_no, block in rest:
            p = etree.Element(H + "p", {LINE_ATTR: str(line_no)})
            p.text = " ".join(block)
            article.body.append(p)
        article.body_first_line = rest[0][0] if rest else head_line
        article.authors = self._trailer(parts[trailer_at:])
        return article

    @staticmethod
    def _header(article: SourceArticle, block: tuple[int, list[str]]) -> None:
        first, lines = block
        for offset, line in enumerate(lines):
            m = _HEADER_LINE.match(line)
            assert m is not None  # _is_header checked every line
            key = HEADER_KEYS[m.group("key").lower()]
            value: object = m.group("value").strip()
            if key == "tags":
                value = [t.strip() for t in str(value).split(",") if t.strip()]
            elif key == "draft":
                flag = str(value).lower()
                if flag not in ("true", "false", "yes", "no"):
                    raise SourceError(f"Draft: must be true or false, not {value!r}", article.path, first + offset)
                value = flag in ("true", "yes")
            article.fields[key] = value
            article.origins[key] = (article.path, first + offset)

    @staticmethod
    def _trailer(parts: list[tuple[int, list[str]]]) -> list[SourceAuthor]:
        authors: list[SourceAuthor] = []
        group: list[SourceAuthor] = []
        for line_no, block in parts:
            m = _AUTHOR.match(block[0])
            if m:
                group = [SourceAuthor(name, [], line_no) for name in split_names(m.group("names"))]
                authors.extend(group)
                block = block[1:]
                if not block:
                    continue
            paragraph = " ".join(block)
            owner = next((a for a in group if paragraph.startswith(a.name)), group[0])
            owner.bio.append(paragraph)
        return authors
