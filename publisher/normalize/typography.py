"""Typographic punctuation: curly quotes and apostrophes, en and em dashes, ellipses, by language.

Applied the same way to headline, deck, summary, bios and body text of every source format.
Code (``code``, ``pre``, ``kbd``, ``samp``, ``var``, ``tt``; in plain strings such as headlines,
Markdown code spans in backticks) and URLs are left as written.
Already-typographic text is left alone, so applying this twice changes nothing.
"""

from __future__ import annotations

import bisect
import re

from lxml import etree

from publisher.xmlutil import XHTML_NS

#: (open double, close double, open single, close single) by primary language subtag
QUOTES = {
    "en": ("“", "”", "‘", "’"),
    "de": ("„", "“", "‚", "‘"),
    "fr": ("«\u202f", "\u202f»", "‹\u202f", "\u202f›"),
    "es": ("«", "»", "“", "”"),
    "it": ("«", "»", "“", "”"),
    "pt": ("«", "»", "“", "”"),
    "sv": ("”", "”", "’", "’"),
    "fi": ("”", "”", "’", "’"),
    "nl": ("“", "”", "‘", "’"),
    "da": ("»", "«", "›", "‹"),
    "nb": ("«", "»", "‘", "’"),
    "pl": ("„", "”", "‚", "’"),
}
APOSTROPHE = "’"
SKIP = {"code", "pre", "kbd", "samp", "var", "tt", "script", "style", "math", "svg"}
BLOCKS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "div", "dd", "dt",
    "figcaption", "caption", "section", "article", "aside", "header", "footer", "ul", "ol", "dl",
    "table", "thead", "tbody", "tfoot", "tr", "figure", "details", "summary", "body", "bio",
}
_URL = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.|mailto:)[^\s<>\"]*")
#: A URL, or (in plain strings only) a Markdown code span: a run of backticks closed by the same run.
_URL_OR_CODE = re.compile(_URL.pattern + r"|(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_OPENERS = set("([{<\u2014\u2013-/") | {"“", "‘", "„", "‚", "«", "‹", "»", "›"}
OPAQUE = "\x00"  # stands for skipped content (code, URLs) when reading context: like a letter


def quotes_for(lang: str) -> tuple[str, str, str, str]:
    return QUOTES.get(lang.split("-")[0].lower(), QUOTES["en"])


def _dashes_and_ellipses(text: str) -> str:
    if "--" not in text and "..." not in text:
        return text
    text = text.replace("---", "\u2014").replace("--", "\u2013")
    if "...." not in text:  # every run of dots is at most three long: the three are an ellipsis
        return text.replace("...", "…")
    return _ELLIPSIS.sub("…", text)


#: Three dots that are not part of a longer run.
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")


def _trigger(text: str) -> bool:
    """Does ``text`` hold anything typography changes (a straight quote, "--", "...")? Four
    substring scans: several times faster than one regex with alternatives."""
    return '"' in text or "'" in text or "--" in text or "..." in text


def _positions(text: str, char: str) -> list[int]:
    """Where ``char`` stands in ``text`` (a scan in C per occurrence, not a regex per character)."""
    out = []
    i = text.find(char)
    while i >= 0:
        out.append(i)
        i = text.find(char, i + 1)
    return out


def _smarten(flat: str, lang: str) -> dict[int, str]:
    """Curl the straight quotes of a block's text (OPAQUE stands for code or a URL).

    Returns the replacement for each position that changes (a French quote mark brings its
    narrow space, so a replacement may be longer than one character).
    """
    out: dict[int, str] = {}
    positions = _positions(flat, '"') + _positions(flat, "'")
    if not positions:
        return out
    positions.sort()
    od, cd, os_, cs = quotes_for(lang)
    open_single = False
    last = len(flat) - 1
    for i in positions:
        c = flat[i]
        prev = flat[i - 1] if i > 0 else " "
        nxt = flat[i + 1] if i < last else " "
        word_before = prev.isalnum() or prev == OPAQUE
        word_after = nxt.isalnum() or nxt == OPAQUE
        opening = (prev.isspace() or prev in _OPENERS) and not nxt.isspace()
        if c == '"':
            out[i] = od if opening else cd
        elif word_before and word_after:
            out[i] = APOSTROPHE  # don't, rock'n'roll
        elif opening and nxt.isdigit():
            out[i] = APOSTROPHE  # '90s
        elif opening:
            out[i] = os_
            open_single = True
        elif open_single:
            out[i] = cs
            open_single = False
        else:
            out[i] = APOSTROPHE  # the students' union, Andreas' Buch
    return out


def _segments(text: str, code_spans: bool = False) -> list[tuple[str, bool]]:
    """(piece, is_opaque) pieces of a text: URLs, and with ``code_spans`` backtick code, are opaque."""
    if "://" not in text and "www." not in text and "mailto:" not in text and not (
            code_spans and "`" in text):  # what the patterns need
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in (_URL_OR_CODE if code_spans else _URL).finditer(text):
        if m.start() > pos:
            pieces.append((text[pos : m.start()], False))
        pieces.append((m.group(), True))
        pos = m.end()
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces


def smarten_text(text: str, lang: str) -> str:
    """Typography for a plain string (headline, deck, summary); its `code spans` are left alone."""
    return _smarten_slots([text], lang, code_spans=True)[0]


def _smarten_slots(slots: list[str | None], lang: str, code_spans: bool = False) -> list[str | None]:
    """Typography across text slots that read as one run; a None slot is skipped content."""
    for slot in slots:
        if slot and _trigger(slot):
            break
    else:
        return slots
    # Each slot as it will read (dashes and ellipses made, URLs and code as written), and the
    # run as the quotes are judged: the same characters, but URLs and code (and each None
    # slot: one character) OPAQUE. Curling changes only quote marks outside the opaque parts.
    made: list[str | None] = []
    flat: list[str] = []
    opaque = False
    for slot in slots:
        if slot is None:
            made.append(None)
            flat.append(OPAQUE)
        elif not code_spans and "://" not in slot and "www." not in slot and "mailto:" not in slot:
            slot = _dashes_and_ellipses(slot)  # no URL in it (what _segments would find)
            made.append(slot)
            flat.append(slot)
        else:
            real = []
            for piece, url in _segments(slot, code_spans):
                if url:
                    real.append(piece)
                    flat.append(OPAQUE * len(piece))
                    opaque = True
                else:
                    piece = _dashes_and_ellipses(piece)
                    real.append(piece)
                    flat.append(piece)
            made.append("".join(real))
    judged = "".join(flat)
    curled = _smarten(judged, lang) if "'" in judged or '"' in judged else None
    if not curled:
        return made
    text = "".join([OPAQUE if m is None else m for m in made]) if opaque else judged
    changed = sorted(curled)
    out: list[str | None] = []
    pos = k = 0
    last = len(changed)
    for m in made:
        if m is None:
            out.append(None)
            pos += 1
            continue
        end = pos + len(m)
        if k < last and changed[k] < end:
            parts = []
            at = pos
            while k < last and changed[k] < end:
                i = changed[k]
                parts += (text[at:i], curled[i])
                at = i + 1
                k += 1
            parts.append(text[at:end])
            out.append("".join(parts))
        else:
            out.append(m)
        pos = end
    return out


def smarten_tree(root: etree._Element, lang: str) -> None:
    """Apply typography in place to every text of ``root`` outside code and URLs.

    Each block (``p``, ``li``, ...; and ``root`` itself) is one run of text, read across its
    inline markup; a nested block is a run of its own. A block whose whole text holds nothing
    to change is passed over with everything inside it.
    """
    if _kind(root.tag) == _SKIPPED:
        return
    trigger = _trigger
    stack = [root]
    while stack:
        block = stack.pop()
        if not len(block):  # a leaf block (most paragraphs of plain text): its text is its run
            text = block.text
            if text and trigger(text):
                value = _smarten_slots([text], lang)[0]
                if value != text:
                    block.text = value
            continue
        if not trigger(etree.tostring(block, method="text", encoding="unicode", with_tail=False)):
            continue  # nothing in it to change, nested blocks included
        # the run's slots: each text or tail (``holders[i]``, ``tails[i]``), None for code
        holders: list[etree._Element | None] = []
        tails: list[bool] = []
        texts: list[str | None] = []
        nested: list[etree._Element] = []
        _collect(block, holders, tails, texts, nested)
        new = _smarten_slots(texts, lang)
        if new is not texts:
            for el, tail, old, value in zip(holders, tails, texts, new, strict=True):
                if value != old:
                    if tail:
                        el.tail = value
                    else:
                        el.text = value
        stack.extend(reversed(nested))  # document order, as the runs were read before


_INLINE, _BLOCK, _SKIPPED, _LINK, _OTHER = range(5)
_KINDS: dict[object, int] = {}


def _kind(tag: object) -> int:
    """What an element with this tag is to typography (any namespace: only the local name counts)."""
    kind = _KINDS.get(tag)
    if kind is None:
        if not isinstance(tag, str):  # comment or processing instruction
            kind = _OTHER
        else:
            local = tag.rsplit("}", 1)[-1]
            kind = _SKIPPED if local in SKIP else _BLOCK if local in BLOCKS else _LINK if local == "a" else _INLINE
        _KINDS[tag] = kind
    return kind


def _collect(el: etree._Element, holders: list, tails: list[bool], texts: list[str | None],
             nested: list[etree._Element]) -> None:
    """A block's text slots in reading order; nested blocks are their own run (added to
    ``nested``), code is opaque (a None text), and so is a link whose text is its URL."""
    text = el.text
    if text:
        holders.append(el)
        tails.append(False)
        texts.append(text)
    kinds = _KINDS
    for child in el:
        kind = kinds.get(child.tag)
        if kind is None:
            kind = _kind(child.tag)
        if kind == _BLOCK:
            nested.append(child)
        elif kind == _SKIPPED or (kind == _LINK and _is_url_text(child)):
            holders.append(None)
            tails.append(False)
            texts.append(None)
            if kind == _LINK:
                _blocks_in(child, nested)
        elif kind != _OTHER:
            _collect(child, holders, tails, texts, nested)
        text = child.tail
        if text:
            holders.append(child)
            tails.append(True)
            texts.append(text)


def _blocks_in(el: etree._Element, nested: list[etree._Element]) -> None:
    """Blocks inside an opaque link: still runs of their own, as everywhere outside code."""
    for child in el:
        kind = _kind(child.tag)
        if kind == _BLOCK:
            nested.append(child)
        elif kind in (_INLINE, _LINK):
            _blocks_in(child, nested)


def _is_url_text(a: etree._Element) -> bool:
    text = "".join(a.itertext()).strip()
    return bool(text) and (text == a.get("href") or bool(_URL.fullmatch(text)))


__all__ = ["smarten_text", "smarten_tree", "quotes_for", "XHTML_NS"]
