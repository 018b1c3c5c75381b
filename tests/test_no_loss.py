"""No loss on the Rust corpus: the text of every paragraph of every source is still in the
article's EPUB chapter and in its Atom entry after normalization.

The expected side does not use the tool's reader: each body is rendered by cmark-gfm directly
(GFM extensions, raw HTML kept) and parsed by html5lib, as a browser would read it; every ``p`` of
that tree is a paragraph. Both sides are compared as text with typography folded back to ASCII
(the tool makes quotes curly and ``--`` a dash by design) and without whitespace (where a line
breaks is not content).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from lxml import etree

from publisher.books.chapters import chapter_name
from publisher.build import build, load_articles
from publisher.config import load_config
from publisher.errors import Reporter
from publisher.incremental.cache import Cache
from tests.attack_support import parse_html
from tests.conftest import CORPUS, corpus_config, write

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "content").is_dir(), reason=f"the Rust corpus is absent ({CORPUS}/content, in ../shared)"
)

CONFIG = corpus_config('[[editions]]\nkind = "archive"\n')  # one book of every post

ATOM = "{http://www.w3.org/2005/Atom}"
NOT_TEXT = {"script", "style", "template", "noscript", "iframe", "object", "embed", "title", "textarea"}
_FOLD = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "…": "...",
})
_DASHES = re.compile("[-\u2010\u2011\u2012\u2013\u2014]+")
_SPACE = re.compile(r"[\s\u00a0\u202f\u2009\u200b\ufeff]+")
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FRONT = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\r?\n.*?\r?\n\1[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def fold(text: str) -> str:
    return _SPACE.sub("", _DASHES.sub("-", _NOT_XML_CHAR.sub("", text).translate(_FOLD)))


def text(el: etree._Element) -> str:
    """The text a reader sees in ``el``: no comments, no script or style."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if isinstance(node.tag, str) and etree.QName(node).localname.lower() not in NOT_TEXT:
            parts.append(node.text or "")
            for child in node:
                walk(child)
        if node is not el:
            parts.append(node.tail or "")

    walk(el)
    return "".join(parts)


def source_paragraphs(path: Path) -> list[str]:
    """The text of every paragraph of a Markdown source, as cmark-gfm and an HTML5 parser see it."""
    markdown = _FRONT.sub("", path.read_text(encoding="utf-8"), count=1)
    html = cmarkgfm.github_flavored_markdown_to_html(
        markdown, options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
    )
    tree = parse_html(html)
    return [t for p in tree.iter("p") if (t := fold(text(p)))]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("noloss")
    write(root / "publisher.toml", CONFIG)
    config, _ = load_config(root / "publisher.toml")
    build(config)
    views, _ = load_articles(config, Reporter(), Cache(config.cache_path))  # the build's own work
    return config, views, root / "build"


def _missing(views, config, where: dict[str, str], key) -> dict[str, list[str]]:
    lost: dict[str, list[str]] = {}
    for view in views:
        found = where.get(key(view))
        if found is None:
            lost[view.source] = ["<the article is not there at all>"]
            continue
        gone = [p for p in source_paragraphs(config.articles_path / view.source) if p not in found]
        if gone:
            lost[view.source] = [p[:120] for p in gone]
    return lost


def book_texts(out: Path) -> dict[str, str]:
    """Folded text of every chapter of ``articles.epub``, by file name."""
    with zipfile.ZipFile(out / "articles.epub") as z:
        chapters = {name.rsplit("/", 1)[-1]: z.read(name) for name in z.namelist() if name.endswith(".xhtml")}
    return {name: fold(text(etree.fromstring(data))) for name, data in chapters.items()}


def feed_texts(out: Path) -> dict[str, str]:
    """Folded text of every Atom entry's content (subscription feed and archives), by entry id."""
    entries: dict[str, str] = {}
    for path in [out / "atom.xml", *sorted((out / "archive" / "atom").glob("*.xml"))]:
        for entry in etree.parse(str(path)).getroot().iter(f"{ATOM}entry"):
            content = entry.find(f"{ATOM}content")
            if content is None:
                continue
            if content.get("type") == "xhtml":
                body = text(content)
            else:
                body = text(parse_html(content.text or "").getroot())
            entries[entry.findtext(f"{ATOM}id")] = fold(body)
    return entries


def in_book(view) -> str:
    return chapter_name(view).rsplit("/", 1)[-1]


def in_feeds(view) -> str:
    return view.uri


@needs_corpus
def test_every_source_paragraph_is_in_the_book(corpus):
    config, views, out = corpus
    lost = _missing(views, config, book_texts(out), in_book)
    assert lost == {}, f"{len(lost)} article(s) lost text; first: {list(lost.items())[:5]}"


@needs_corpus
def test_every_source_paragraph_is_in_the_feeds(corpus):
    config, views, out = corpus
    lost = _missing(views, config, feed_texts(out), in_feeds)
    assert lost == {}, f"{len(lost)} article(s) lost text; first: {list(lost.items())[:5]}"


#: Raw HTML that lost text on main (libxml2's HTML 4 parser and a deny-list cleaner).
TRICKY = {
    "embed": "<p>one <embed src=\"a.swf\"> two words after the embed</p>\n\nThe paragraph after it.",
    "void": "<p>a <source src=\"a.mp4\"> b <track src=\"t.vtt\"> c <wbr> d <keygen name=\"k\"> e</p>",
    "legacy": "<center>centered text</center>\n\n<p><font color=\"red\">red text</font> and <u>under</u></p>",
    "tables": "<table><tr><td><table><tr><td>inner cell</td></tr></table></td><td></td></tr></table>\n\n"
              "<p>after the tables</p>",
    "deep": "<div>" * 300 + "<p>deep paragraph</p>" + "</div>" * 300,
    "links": "<p><a href=\"mail-to:x@example.com\">mail text</a> and <a href=\"ttps://e.com\">typo text</a></p>",
}


def test_no_paragraph_of_tricky_html_is_lost(tmp_path: Path):
    root = tmp_path / "site"
    write(root / "publisher.toml", '[site]\ntitle = "T"\nbase_url = "https://test.example/"\n')
    for n, (name, body) in enumerate(TRICKY.items(), start=1):
        write(root / "articles" / f"2026-01-{n:02d}-{name}.md", f"---\ntitle: {name}\n---\n\n{body}\n")
    config, _ = load_config(root / "publisher.toml")
    build(config, workers=1)
    views, _ = load_articles(config, Reporter(), Cache(config.cache_path))
    out = root / "build"
    assert _missing(views, config, book_texts(out), in_book) == {}
    assert _missing(views, config, feed_texts(out), in_feeds) == {}
