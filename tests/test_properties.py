"""Property-based tests: generated Markdown and wire stories (and some noise), normalized.

For every generated source:

1. **No crash.** Normalizing succeeds or fails with the tool's own error (a ``PublisherError``
   subclass). Any other exception is a bug, and so is the normalizer's own self-check
   ``normalized article fails the article schema``: that message means a reader or the
   normalizer produced an invalid document, which is never the user's fault.
   The *realistic* generators (``wire_stories``, ``markdown_articles``) only produce valid
   sources, so for them any error at all is a failure.
2. **Schema-valid.** A normalized document validates against the shipped schema
   (``publisher.model.schema()``), in memory and after ``to_bytes`` / ``parse_xml``.
3. **Idempotent.** The XML written to a ``.xml`` file and normalized again gives the same bytes.
4. **Nothing lost.** The words of the source are the words of the output; see ``words`` for
   what a word is, per format.

Documented design decisions the generators stay away from (they would make property 4 fail
by design): ``script``/``style``/``iframe``/``object``/``embed``/... elements in raw HTML (removed
with a warning); a wire body paragraph that begins with ``Author:`` (it starts the trailer);
a wire headline that looks like a header block (``Date: ...``); French typography (it adds
narrow no-break spaces inside quotes, which changes whitespace-separated words). HTML comments
*are* generated: they are not carried (by design), but they are not words either, because a
Markdown renderer does not show them (see ``rendered_text``).

Counterexamples the properties found are pinned with ``@example``: Hypothesis runs them first,
and while one fails the random phase is skipped, so the file fails fast (about a second).
With every example passing, the random phase takes about 10-20 s on two cores.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from publisher import model
from publisher.build import normalize_file
from publisher.config import Config
from publisher.errors import PublisherError, Reporter
from publisher.model import ArticleView
from publisher.xmlutil import parse_xml, to_bytes
from tests.conftest import MINIMAL_CONFIG, site_config, write

# Hypothesis budget: the whole file runs in well under a minute on two cores.
PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
DEFAULT_AUTHOR = "Staff"  # Config.author: MINIMAL_CONFIG names none
SCHEMA_SELF_CHECK = "normalized article fails the article schema"


# ------------------------------------------------------------------------------------------------
# Words
# ------------------------------------------------------------------------------------------------

#: Characters XML 1.0 cannot hold (everything outside Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] |
#: [#xE000-#xFFFD] | [#x10000-#x10FFFF]). The tool removes them by design, so the expected side
#: drops them too. Written from the XML spec, independently of publisher.xmlutil.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Typography (curly quotes, dashes, ellipsis) folded back to ASCII, on both sides.
_FOLD = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
        "…": "...",
    }
)
_DASH_RUN = re.compile("[-\u2013\u2014]+")  # "--" -> en dash, "---" -> em dash: any run is one "-"


def words(text: str) -> list[str]:
    """The words of a text, as property 4 compares them.

    A word is a maximal run of non-whitespace characters (``str.split()``: Unicode whitespace,
    so a no-break space separates words too), after

    * removing the characters XML 1.0 forbids (U+000C and friends are dropped by design, so
      ``Page<FF>break`` is the one word ``Pagebreak``),
    * folding typography back: ‘ ’ ‚ ‹ › to ``'``, “ ” „ « » to ``"``, … to ``...``, and any run
      of ``-`` – — to a single ``-`` (so ``--``, ``–`` and ``---`` compare equal).

    The same function is applied to the source side and to the output side.

    * **Wire** text: the words of the headline, deck, each body paragraph and each bio, taken
      from the generated source text (the lines of a block are joined by whitespace anyway).
    * **Markdown**: the words of what a Markdown renderer *shows*: the body is rendered with
      the project's own Markdown renderer and its text extracted with lxml.html (see
      ``rendered_text``), so ``*``, ``#``, backticks, link URLs, tag names, attribute values and
      comments are not words, while ``&amp;`` is the word ``&``.
    """
    return _DASH_RUN.sub("-", _NOT_XML_CHAR.sub("", text).translate(_FOLD)).split()


def render_markdown(markdown: str) -> str:
    """HTML of a Markdown body, made by the same Markdown dialect the project reads: its
    cmark-gfm ``render_html`` (or, in versions before it, its markdown-it-py ``parser()``)."""
    from publisher.sources import markdown as reader  # looked up late: the reader is being reworked

    if hasattr(reader, "render_html"):
        return reader.render_html(markdown)
    return reader.parser().render(markdown)


def rendered_text(markdown: str) -> list[etree._Element | str]:
    """The body as a renderer shows it: rendered HTML parsed by lxml.html (a list of top-level
    nodes; a leading string is text before the first element)."""
    html = render_markdown(_NOT_XML_CHAR.sub("", markdown))
    if not html.strip():
        return []
    wrapper = lxml_html.fragment_fromstring(html, create_parent="div")
    return ([wrapper.text] if wrapper.text else []) + list(wrapper)


def text_of(nodes: list[etree._Element | str]) -> str:
    """Visible text of HTML nodes: text and tails, not comments or processing instructions."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        if isinstance(node.tag, str):
            out.extend(node.itertext())
        out.append(node.tail or "")
    return "".join(out)


def output_text(el: etree._Element | None) -> str:
    return "".join(el.itertext()) if el is not None else ""


# ------------------------------------------------------------------------------------------------
# Running the tool: properties 1-3
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Config:
    root = tmp_path_factory.mktemp("properties")
    write(root / "publisher.toml", MINIMAL_CONFIG)
    (root / "articles").mkdir()
    return site_config(root)


@contextmanager
def fresh_folder(config: Config) -> Iterator[Path]:
    """A new, empty folder inside the articles folder for one example (names without dates)."""
    folder = Path(tempfile.mkdtemp(prefix="x", dir=config.articles_path))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def normalize_checked(path: Path, config: Config, *, must_succeed: bool) -> etree._Element | None:
    """Normalize ``path`` and check properties 1-3; the re-parsed document, or None when the tool
    rejected the source with its own error (allowed only when ``must_succeed`` is false)."""
    report = Reporter()
    try:
        root = normalize_file(path, config, report)  # property 1: anything but PublisherError propagates
    except PublisherError as exc:
        note(f"PublisherError: {exc.formatted()}")
        assert SCHEMA_SELF_CHECK not in exc.plain_message, f"an invalid document was built: {exc.formatted()}"
        assert not must_succeed, f"a valid source was rejected: {exc.formatted()}"
        return None
    note("warnings: " + "; ".join(d.format() for d in report.diagnostics))

    # property 2: valid in memory and as a consumer reads it
    rng = model.schema()
    assert rng.validate(root), rng.error_log
    data = to_bytes(root)
    note(data.decode("utf-8"))
    reparsed = parse_xml(data)
    assert rng.validate(reparsed), rng.error_log

    # property 3: normalizing the normalized XML gives the same bytes
    again = write(path.parent / "again.xml", data)
    second = to_bytes(normalize_file(again, config, Reporter()))
    assert second.decode("utf-8") == data.decode("utf-8")
    return reparsed


def authors_of(view: ArticleView) -> list[tuple[str, list[str]]]:
    """(name, words of the bio) per author of a normalized article."""
    return [(a.name, words(" ".join("".join(p.itertext()) for p in a.bio))) for a in view.authors]


# ------------------------------------------------------------------------------------------------
# Building blocks of generated text
# ------------------------------------------------------------------------------------------------

ASCII_WORDS = [
    "the", "port", "council", "approved", "vote", "Harbour", "plan", "on", "Tuesday", "2026", "42",
    "€240", "3.5%", "$1.2bn", "don't", "it's", "O'Brien", "rock'n'roll", "students'", "'90s",
    '"quoted"', "'single'", '"open', 'close"', "AT&T", "&", "&&", "<", ">", "<=", "a<b", "x>y",
    "->", "]]>", "<3", "--", "---", "...", "a--b", "well-known", "e.g.", "U.S.", "(see", "below)",
    "[1]", "#1", "#", "*", "**", "_", "__init__", "~", "|", "\\", "!", "?", "1.", "C++", "x=y",
    "50/50", "@handle", "https://example.org/a?b=1&c=2", "&amp;", "&copy;", "`tick`", "{braces}",
]
ACCENTED_WORDS = ["café", "Zürich", "naïve", "façade", "déjà", "Straße", "Łódź", "Ålesund", "Ó", "São", "Čapek", "e\u0301", "Æøå"]
CJK_WORDS = ["港口", "議会", "ニュース", "한국어", "中文。", "「引用」", "（注）"]
EMOJI_WORDS = ["🚢", "⚓", "👍🏽", "🇳🇴", "👨\u200d👩\u200d👧", "☕️"]
OTHER_WORDS = ["Привет", "Ωμέγα", "مرحبا", "שלום", "ß", "ﬁ", "½", "“curly”", "‘single’", "it’s", "–", "—", "…"]
WORD_LIST = ASCII_WORDS * 3 + ACCENTED_WORDS + CJK_WORDS + EMOJI_WORDS + OTHER_WORDS
#: Characters XML 1.0 forbids, occasionally put inside a word (U+007F is allowed and kept).
CONTROL = ["\x0c", "\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\ufffe", "\uffff"]
#: Word separators inside a line: mostly a space, sometimes wider or exotic whitespace.
SEPARATORS = [" "] * 12 + ["  ", "\t", "\xa0", "\u3000", " \u2009"]
NAMES = ["Jane Roe", "Ann Lee", "Bo Chan", "Tomás Ó Briain", "Zoë Ångström", "李明", "Mary-Jane O'Neil", "Jason Ditz"]
ENDINGS = [".", ".", ".", "!", "?", "…", ":", '."', ".”", ".)", "?’"]
HEADER_LINES = [
    "Tags: Port, City Council", "Id: story-42", "Slug: my-story", "Lang: en", "Draft: no",
    "Summary: A short summary.", "Updated: 2026-03-05T09:00:00+01:00", "Draft: yes",
]
PLAIN = ["today", "port", "vote", "2026", "Harbour", "café", "港口"]  # ends a deck: not like a sentence

random_word = st.text(st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S")), min_size=1, max_size=6)
base_word = st.one_of(st.sampled_from(WORD_LIST), st.sampled_from(WORD_LIST), st.sampled_from(WORD_LIST), random_word)


@st.composite
def word(draw) -> str:
    w = draw(base_word)
    if draw(st.integers(0, 24)) == 0:  # now and then a control character inside a word
        at = draw(st.integers(0, len(w)))
        w = w[:at] + draw(st.sampled_from(CONTROL)) + w[at:]
    return w


@st.composite
def prose(draw, min_words: int = 1, max_words: int = 20, wrap: bool = True, inline=None) -> str:
    """Words joined by whitespace; with ``wrap``, hard-wrapped onto several lines now and then."""
    items = draw(st.lists(inline if inline is not None else word(), min_size=min_words, max_size=max_words))
    out = items[0]
    for item in items[1:]:
        sep = draw(st.sampled_from(SEPARATORS))
        if wrap and draw(st.integers(0, 7)) == 0:
            sep = draw(st.sampled_from(["\n", "\n", "\n  "]))
        out += sep + item
    return out


@st.composite
def messy_lines(draw, text: str, trailing: bool = True) -> str:
    """Editor noise on LF text: raw forbidden characters anywhere (rarely), trailing spaces.

    No trailing spaces in YAML front matter: after a ``\\`` line continuation inside a quoted
    string they would be part of the value (YAML's rule, not the tool's)."""
    for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 5)) == 0 else 0):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(CONTROL)) + text[at:]
    if trailing and draw(st.booleans()):
        lines = text.split("\n")
        last = lines.pop()  # what follows the final line break is not a line end
        text = "".join(line + draw(st.sampled_from(["", "", " ", "  ", "\t"])) + "\n" for line in lines) + last
    return text


@st.composite
def encoded(draw, text: str) -> bytes:
    """LF text saved with LF, CRLF or CR line endings, with or without a byte-order mark."""
    text = text.replace("\n", draw(st.sampled_from(["\n", "\n", "\r\n", "\r"])))
    return (b"\xef\xbb\xbf" if draw(st.integers(0, 3)) == 0 else b"") + text.encode("utf-8")


def short(text: str, limit: int = 2000) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# ------------------------------------------------------------------------------------------------
# Wire stories
# ------------------------------------------------------------------------------------------------


@dataclass
class WireStory:
    name: str  # relative to the example's folder
    data: bytes
    sidecar: str | None
    headline: str
    deck: str | None
    paragraphs: list[str]
    trailer: list[tuple[list[str], list[str]]]  # (names on one Author(s): line, bio paragraphs)

    def __repr__(self) -> str:
        side = f", sidecar={self.sidecar!r}" if self.sidecar else ""
        return f"WireStory({self.name!r}, {self.data.decode('utf-8')!r}{side})"


@st.composite
def wire_stories(draw) -> WireStory:
    """A wire story as the format documents it: optional header, headline, optional deck,
    paragraphs, optional Author trailers with bios; dated by path, header or sidecar."""
    headline = draw(prose(1, 12))
    deck = None
    if draw(st.booleans()):
        deck = draw(prose(1, 8, wrap=False)) + " " + draw(st.sampled_from(PLAIN))
    paragraphs = [
        draw(prose(1, 30)) + draw(st.sampled_from(ENDINGS)) for _ in range(draw(st.integers(0, 4)))
    ]
    trailer: list[tuple[list[str], list[str]]] = []
    for _ in range(draw(st.integers(0, 2))):
        names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
        bios = []
        for _ in range(draw(st.integers(0, 2))):
            bio = draw(prose(1, 15)) + draw(st.sampled_from(ENDINGS))
            if draw(st.booleans()):
                bio = draw(st.sampled_from(names)) + " " + bio  # "Ann Lee covers ...": goes to Ann Lee
            bios.append(bio)
        trailer.append((names, bios))

    header: list[str] = []
    dating = draw(st.sampled_from(["path", "nested-path", "header", "sidecar"]))
    if dating == "header":
        header.append(draw(st.sampled_from(["Date", "date", "DATE"])) + ": 2026-03-04T14:30:00-05:00")
    if draw(st.integers(0, 4)) == 0:  # more header lines (every date here is before Updated:)
        header += draw(st.lists(st.sampled_from(HEADER_LINES), min_size=1, max_size=3, unique=True))

    blocks = ([("\n".join(header))] if header else []) + [headline] + ([deck] if deck else []) + paragraphs
    for names, bios in trailer:
        label = "Author:" if len(names) == 1 else draw(st.sampled_from(["Authors:", "Author:"]))
        joiner = draw(st.sampled_from(["; ", " and ", " & ", ";"]))
        line = label + draw(st.sampled_from([" ", " ", "", "  "])) + joiner.join(names)
        if bios and draw(st.booleans()):  # bio on the lines right under the Author: line
            blocks.append(line + "\n" + bios[0])
            blocks += bios[1:]
        else:
            blocks.append(line)
            blocks += bios
    text = draw(st.sampled_from(["", "", "\n", " \n\n"]))
    for i, block in enumerate(blocks):
        gap = draw(st.sampled_from(["\n\n", "\n\n", "\n\n\n", "\n \n", "\n\t\n\n"]))
        text += block + (gap if i < len(blocks) - 1 else "")
    text += draw(st.sampled_from(["\n", "", "\n\n"]))
    text = draw(messy_lines(text))

    name, sidecar = {
        "path": ("2026-03-04-story.txt", None),
        "nested-path": ("2026/03/04/story.txt", None),
        "header": ("story.txt", None),
        "sidecar": ("story.txt", "date: 2016-11-29T14:30:00-05:00\ntags: [Wire]\n"),
    }[dating]
    return WireStory(name, draw(encoded(text)), sidecar, headline, deck, paragraphs, trailer)


def expected_wire_authors(story: WireStory) -> list[tuple[str, list[str]]]:
    """The documented trailer rules: a bio paragraph goes to the author on its Author(s): line
    whose name it begins with, else to the first; an author named twice is one author and
    keeps every bio paragraph given for them (nothing is lost)."""
    found: dict[str, list[str]] = {}
    for names, bios in story.trailer:
        for name in names:
            found.setdefault(name, [])
        for bio in bios:
            shown = " ".join(_NOT_XML_CHAR.sub("", bio).split())
            owner = next((n for n in names if shown.startswith(n)), names[0])
            found[owner] += words(bio)
    return list(found.items()) or [(DEFAULT_AUTHOR, [])]


# Minimal counterexamples the properties found, pinned so that every run checks them first.
@example(story=WireStory(  # an author named on two Author: lines keeps both bios (not only the last)
    "2026-03-04-story.txt", b"Head\n\nBody.\n\nAuthor: Ann Lee\n\nAnn Lee reports.\n\nAuthor: Ann Lee\n",
    None, "Head", None, ["Body."], [(["Ann Lee"], ["Ann Lee reports."]), (["Ann Lee"], [])]))
@example(story=WireStory(  # a draft stays a draft when its XML is normalized again
    "2026-03-04-story.txt", b"Draft: yes\n\nHead\n\nBody.\n", None, "Head", None, ["Body."], []))
@settings(PROPERTY, max_examples=150)
@given(story=wire_stories())
def test_wire_stories_normalize_validly_idempotently_and_lose_no_words(site: Config, story: WireStory):
    with fresh_folder(site) as folder:
        path = write(folder / story.name, story.data)
        if story.sidecar:
            write(path.with_name("story.meta.yaml"), story.sidecar)
        root = normalize_checked(path, site, must_succeed=True)
    view = ArticleView(root)

    assert words(view.headline) == words(story.headline)
    paragraphs = list(view.body)
    # The deck rule only decides where the words of block 2 go; none may be lost either way.
    source_words = words(" ".join(([story.deck] if story.deck else []) + story.paragraphs))
    body_words = [w for p in paragraphs for w in words(output_text(p))]
    assert words(view.deck) + body_words == source_words
    if story.paragraphs:  # a one-line, headline-like block 2 with text after it is the deck
        assert words(view.deck) == words(story.deck or "")
        assert len(paragraphs) == len(story.paragraphs)  # one paragraph per block
    assert authors_of(view) == expected_wire_authors(story)


# ------------------------------------------------------------------------------------------------
# Markdown articles
# ------------------------------------------------------------------------------------------------

LINK_URLS = [
    "https://example.org/a?b=1&c=2", "/relative/path", "../other/", "#frag", "mailto:desk@example.org",
    "https://example.org/caf%C3%A9", "https://example.org/a_(b)", "<https://example.org/with space>",
    "javascript:alert(1)", "other.md#part",
]
INLINE_TAGS = ["span", "em", "strong", "abbr", "kbd", "sup", "sub", "mark", "small", "q", "cite", "code", "u", "i", "b", "time", "a"]
ATTRIBUTES = [
    "", "", "", ' class="lede"', ' title="Tom &amp; Jerry"', " data-id='7'", ' lang="fr"', ' xml:lang="de"',
    ' onclick="steal()"', ' style="color: red"', ' epub:type="noteref"', ' id="a1"', " hidden",
    ' href="javascript:alert(1)"', ' href="https://example.org/"',
]
ENTITIES = ["&amp;", "&copy;", "&#x1F6A2;", "&nbsp;", "&lt;b&gt;", "&quot;", "&#8212;", "&#12;", "&#1;", "\\*", "\\#", "\\<"]
CODE_LINES = [
    "if a < b && c > d:", "<script>alert('x')</script>", "]]> & <![CDATA[", "x = \"quoted\" -- 'single' ...",
    "print('héllo 港口 🚢')", "# not a heading", "  indented(1)", "<o:p></o:p>", "",
]
#: Raw HTML blocks as editors paste them, word processors included (Word's <o:p>, smart tags).
#: Never script/style/iframe/object/embed/...: removing those is by design.
HTML_BLOCKS = [
    '<div class="note">\n\n{p}\n\n</div>',
    "<div>{w}</div>",
    '<p class="MsoNormal">{w}<o:p></o:p></p>',
    "<p class=MsoNormal><span lang=EN-GB style='font-size:11.0pt'>{w}</span><o:p>&nbsp;</o:p></p>",
    '<p><st1:City w:st="on">{w}</st1:City> says</p>',
    "<table>\n<tr><td>{w}</td><td>2</td></tr>\n</table>",
    "<details>\n<summary>{w}</summary>\n\n{p}\n\n</details>",
    '<figure>\n<img src="https://example.org/i.png" alt="{w}">\n<figcaption>{w}</figcaption>\n</figure>',
    "<!-- {w} -->",
    '<aside xml:lang="fr" data-x="1">{w}</aside>',
    '<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="9">{w}</text></svg>',
]


def md_run(max_words: int = 5):
    return prose(1, max_words, wrap=False)


@st.composite
def md_inline(draw) -> str:
    kind = draw(st.integers(0, 19))
    if kind < 9:
        return draw(word())
    if kind == 9:
        return draw(st.sampled_from(["*{}*", "**{}**", "_{}_", "~~{}~~", "***{}***"])).format(draw(md_run()))
    if kind == 10:
        return "`" + draw(md_run()) + "`"
    if kind == 11:
        title = draw(st.sampled_from(["", ' "A title"']))
        return f"[{draw(md_run())}]({draw(st.sampled_from(LINK_URLS))}{title})"
    if kind == 12:
        return f"![{draw(md_run())}](https://example.org/i.png)"
    if kind == 13:
        tag = draw(st.sampled_from(INLINE_TAGS))
        return f"<{tag}{draw(st.sampled_from(ATTRIBUTES))}>{draw(md_run())}</{tag}>"
    if kind == 14:
        return draw(st.sampled_from(["<br>", "<br/>", "<wbr>", '<img src="https://example.org/i.png" alt="x">', "<!-- aside -->"]))
    if kind == 15:
        return draw(st.sampled_from(ENTITIES))
    if kind == 16:
        return "<https://example.org/auto?x=1>"
    if kind == 17:
        return draw(md_run()) + "[^" + draw(st.sampled_from(["1", "note"])) + "]"
    return draw(word())


@st.composite
def md_paragraph(draw, wrap: bool = True) -> str:
    text = draw(prose(1, 15, wrap=wrap, inline=md_inline()))
    if wrap and draw(st.integers(0, 5)) == 0:
        text += draw(st.sampled_from(["  \n", "\\\n", "\n"])) + draw(prose(1, 6, wrap=False, inline=md_inline()))
    return text


@st.composite
def md_block(draw) -> str:
    kind = draw(st.integers(0, 13))
    if kind < 4:
        return draw(md_paragraph())
    if kind == 4:
        return "#" * draw(st.integers(1, 6)) + " " + draw(md_paragraph(wrap=False))
    if kind == 5:
        marker = draw(st.sampled_from(["-", "*", "+", "1.", "2)"]))
        items = draw(st.lists(md_paragraph(wrap=False), min_size=1, max_size=4))
        text = "\n".join(f"{marker} {item}" for item in items)
        if draw(st.booleans()):
            text += "\n   - " + draw(md_paragraph(wrap=False))  # a nested list
        return text
    if kind == 6:
        return "\n".join("> " + line for line in draw(md_paragraph()).split("\n"))
    if kind == 7:
        fence = draw(st.sampled_from(["```", "~~~"]))
        lang = draw(st.sampled_from(["", "python", "html"]))
        code = "\n".join(draw(st.lists(st.one_of(st.sampled_from(CODE_LINES), md_run()), min_size=1, max_size=4)))
        return f"{fence}{lang}\n{code}\n{fence}"
    if kind == 8:  # indented code; after a list item it is the item's text, so no raw HTML here
        return "    " + draw(st.sampled_from([line for line in CODE_LINES if line and "<" not in line]))
    if kind == 9:
        cells = [draw(md_run(3)).replace("|", "\\|") for _ in range(4)]
        return f"| {cells[0]} | {cells[1]} |\n|---|:-:|\n| {cells[2]} | {cells[3]} |"
    if kind == 10:
        pattern = draw(st.sampled_from(HTML_BLOCKS))
        return pattern.format(w=draw(md_run()), p=draw(md_paragraph()))
    if kind == 11:
        return draw(st.sampled_from(["***", "- - -", "___"]))
    if kind == 12:
        return "[^" + draw(st.sampled_from(["1", "note"])) + "]: " + draw(md_paragraph(wrap=False))
    return draw(md_paragraph())


def toml_string(value: str) -> str:
    """A TOML basic string: every control character escaped, like a careful editor would."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@dataclass
class MarkdownArticle:
    name: str
    data: bytes
    body: str  # the Markdown body exactly as it follows the front matter (LF line endings)
    title: str | None  # None: the leading "# Heading" of the body is the headline
    deck: str | None
    authors: list[tuple[str, str | None]] = field(default_factory=list)  # (name, bio) in order

    def __repr__(self) -> str:
        return f"MarkdownArticle({self.name!r}, {self.data.decode('utf-8')!r})"


@st.composite
def markdown_articles(draw) -> MarkdownArticle:
    """An article as editors write them: YAML or TOML front matter with title and date (or a
    leading "# Heading" as the headline), a body mixing paragraphs, emphasis, lists, quotes,
    code, links, tables, footnotes and raw HTML."""
    mode = draw(st.sampled_from(["yaml", "yaml", "yaml", "toml", "h1"]))
    title = draw(prose(1, 12, wrap=False)) if mode != "h1" else None
    deck = draw(prose(1, 12, wrap=False)) if mode != "h1" and draw(st.booleans()) else None
    authors: list[tuple[str, str | None]] = []
    for _ in range(draw(st.integers(0, 3)) if mode != "h1" else 0):
        name = draw(st.one_of(st.sampled_from(NAMES), prose(1, 3, wrap=False)))
        bio = None
        if draw(st.booleans()):
            bio = "\n\n".join(draw(st.lists(prose(1, 15), min_size=1, max_size=2)))
        authors.append((name, bio))
    author_key = draw(st.sampled_from(["authors", "author"]))
    tags = draw(st.lists(st.sampled_from(["Port", "City Council", "Café culture", "2026", "R&D"]), max_size=3))
    lang = draw(st.sampled_from(["en", "en", "en", "en-GB", "de", "nl"]))
    date = draw(st.sampled_from(
        ["2026-03-04", "2026-03-04T10:20:30", "2026-03-04T10:20:30+01:00", "2026-03-04T10:20:30Z", "1999-12-31"]
    ))

    blocks = draw(st.lists(md_block(), min_size=0, max_size=6))
    if mode == "h1":
        heading = draw(prose(1, 8, wrap=False, inline=md_inline()))
        blocks.insert(0, "# " + draw(st.sampled_from(PLAIN)) + " " + heading)
    body = draw(messy_lines("\n\n".join(blocks) + "\n"))

    if mode == "yaml":
        fm: dict = {"title": title}
        if deck:
            fm[draw(st.sampled_from(["deck", "subtitle"]))] = deck
        if authors:
            if len(authors) == 1 and authors[0][1] is None and draw(st.booleans()):
                fm[author_key] = authors[0][0]
            else:
                fm[author_key] = [n if b is None else {"name": n, "bio": b} for n, b in authors]
        if tags:
            fm["tags"] = tags
        if lang != "en" or draw(st.booleans()):
            fm["lang"] = lang
        if draw(st.integers(0, 4)) == 0:
            fm["mood"] = draw(prose(1, 4, wrap=False))  # unknown key: a warning, kept in <extra>
        if draw(st.integers(0, 5)) == 0:
            fm["draft"] = draw(st.booleans())
        width = draw(st.sampled_from([80, 10**6]))
        front = yaml.safe_dump(fm, allow_unicode=True, sort_keys=False, width=width)
        front += f"date: {date}\n"
        opening = draw(st.sampled_from(["---", "---", "---", "--- "]))  # editors leave trailing spaces
        closing = draw(st.sampled_from(["---", "---", "...", "---  "]))
        head = opening + "\n" + draw(messy_lines(front, trailing=False)) + closing + "\n"
    elif mode == "toml":
        lines = [f"title = {toml_string(title)}"]
        if deck:
            lines.append(f"deck = {toml_string(deck)}")
        lines.append(f"date = {date}")  # a TOML date or date-time value
        if authors:
            items = [
                toml_string(n) if b is None else f"{{name = {toml_string(n)}, bio = {toml_string(b)}}}"
                for n, b in authors
            ]
            lines.append(f"{author_key} = [{', '.join(items)}]")
        if tags:
            lines.append("tags = [" + ", ".join(toml_string(t) for t in tags) + "]")
        if lang != "en":
            lines.append(f"lang = {toml_string(lang)}")
        if draw(st.integers(0, 5)) == 0:
            lines.append("draft = true")
        head = "+++\n" + draw(messy_lines("\n".join(lines) + "\n")) + "+++\n"
    else:
        head = "" if draw(st.booleans()) else f"---\ndate: {date}\n---\n"
    text = head + draw(st.sampled_from(["", "\n"]))
    body = text[len(head):] + body  # the body starts right after the closing fence line
    text = head + body
    names = ["article.md", "2026/03/04/index.md", "post.markdown"]
    name = "2026-03-04-article.md" if mode == "h1" else draw(st.sampled_from(names))
    return MarkdownArticle(name, draw(encoded(text)), body, title, deck, authors)


def expected_markdown_authors(article: MarkdownArticle) -> list[tuple[str, list[str]]]:
    """Front-matter authors in order; a name given twice is one author with every bio given
    for it (nothing is lost); no authors: the site's default author."""
    found: dict[str, list[str]] = {}
    for name, bio in article.authors:
        key = " ".join(_NOT_XML_CHAR.sub("", name).split())
        found.setdefault(key, [])
        found[key] += words(bio or "")
    return list(found.items()) or [(DEFAULT_AUTHOR, [])]


def markdown_case(front: str, body: str, title: str | None, authors=()) -> MarkdownArticle:
    return MarkdownArticle("article.md", (front + body).encode("utf-8"), body, title, None, list(authors))


FRONT = "---\ntitle: T\ndate: 2026-03-04\n---\n"


# Minimal counterexamples the properties found, pinned so that every run checks them first.
@example(article=markdown_case(FRONT, '<p class="MsoNormal">Hi<o:p></o:p></p>\n', "T"))  # Word HTML: crash
@example(article=markdown_case(FRONT, "<br>\n<https://example.org/>\n", "T"))  # autolink in an HTML block: crash
@example(article=markdown_case(FRONT, '<div a"b="c">z</div>\n', "T"))  # malformed attribute: crash
@example(article=markdown_case(FRONT, "a &#12; b\n", "T"))  # character reference to U+000C: crash
@example(article=markdown_case('---\ntitle: "T\\x01"\ndate: 2026-03-04\n---\n', "", "T\x01"))  # YAML escape: crash
@example(article=markdown_case("--- \ntitle: T\ndate: 2026-03-04\n---\n", "Body.\n", "T"))  # "--- " opening fence
@example(article=markdown_case(  # the same author listed twice: the bio is lost
    "---\ntitle: T\ndate: 2026-03-04\nauthors:\n  - name: Ann Lee\n    bio: Ann Lee reports.\n  - Ann Lee\n---\n",
    "", "T", [("Ann Lee", "Ann Lee reports."), ("Ann Lee", None)]))
@example(article=markdown_case(  # two spaces in an author's name: the bio is lost
    '---\ntitle: T\ndate: 2026-03-04\nauthors:\n  - name: "Ann  Lee"\n    bio: Bio.\n---\n', "", "T", [("Ann  Lee", "Bio.")]))
@example(article=markdown_case(FRONT, 'x <span xmlns="urn:x">y</span>\n', "T"))  # xmlns attribute: not idempotent
@example(article=markdown_case("---\ntitle: T\ndate: 2026-03-04\ndraft: true\n---\n", "", "T"))  # draft: not idempotent
@settings(PROPERTY, max_examples=200)
@given(article=markdown_articles())
def test_markdown_articles_normalize_validly_idempotently_and_lose_no_words(
    site: Config, article: MarkdownArticle
):
    with fresh_folder(site) as folder:
        root = normalize_checked(write(folder / article.name, article.data), site, must_succeed=True)
    view = ArticleView(root)

    shown = rendered_text(article.body)
    if article.title is None:  # the leading "# Heading" is the headline, as a reader sees it
        first = next(i for i, node in enumerate(shown) if not isinstance(node, str))
        assert shown[first].tag == "h1"
        expected_headline = words(text_of([shown[first]]))
        shown = shown[:first] + shown[first + 1 :]
    else:
        expected_headline = words(article.title)
    note(f"rendered: {short(text_of(shown))!r}")
    assert words(view.headline) == expected_headline
    assert words(view.deck) == words(article.deck or "")
    assert words(output_text(view.body)) == words(text_of(shown))
    assert authors_of(view) == expected_markdown_authors(article)


# ------------------------------------------------------------------------------------------------
# Noise: anything an editor, a converter or a broken upload can produce (property 1, then 2-3)
# ------------------------------------------------------------------------------------------------

WIRE_NOISE = [
    "\n", "\n\n", "\n\n", " ", "\t", "\r\n", "\r", "Author: ", "Authors: ", " and ", "; ", " & ", "Date: ",
    "Tags: ", "Draft: maybe", "Id: x y", "Slug: ", "Lang: ", "Canonical: ", "Summary: ", "Updated: ",
    "2026-03-04", "2026-13-45", "1850-06-01", "T10:00:00+05:30", "https://example.org/", ".", ":", "”",
    "\ufeff", "\x0c", "\x00", "\u2028", "\x85",
]
#: Header lines a wire desk gets wrong: bad values for every header key.
WIRE_HEADER_NOISE = [
    "Date: 2026-02-30", "Date: 1850-06-01T12:00:00", "Date: 0001-01-01", "Updated: 2020-01-01", "Id: ", "Id: a b",
    "Slug: ö", "Slug: ---", "Lang: en_GB", "Lang: zz-ZZZZZZZZZ", "Canonical: https://example.org/a b",
    "Canonical: example.org", "Canonical: mailto:desk@example.org", "Tags: ,,", "Tags: 港口", "Tags: C++, c",
    "Summary: \u2028", "Draft: yes", "DRAFT: No",
]
MARKDOWN_NOISE = [
    "\n", "\n\n", "\n\n", " ", "# ", "## ", "- ", "1. ", "> ", "```", "~~~", "    ", "*", "**", "_", "`", "[", "]",
    "(", ")", "![", "](", "<", ">", "</", "&", "&#", ";", "#", "|", "---", "===", "[^1]", "[^1]: ", "<div>",
    "</div>", "<span>", "</span>", "<o:p>", "<p class=MsoNormal>", "<!--", "-->", "<?", "?>", "<![CDATA[", "]]>",
    ' a:b="1"', ' title="', '"', "'", "\\", "\t", "\x0c", "\x00", "\u2028", "https://example.org/", "javascript:",
    "<script>", "</script>", "<style>", "&amp;", "&#12;", "&#x0;", "<br>", '<a href="', '<img src="https://example.org/i.png" srcset="',
    "..", "--", "‘", "<table>", "<td>", "<svg>", "<math>", "<textarea>", "<template>", "<noscript>",
]
FRONT_MATTER_KEYS = [
    "title", "deck", "subtitle", "authors", "author", "date", "updated", "lastmod", "tags", "summary",
    "description", "lang", "language", "id", "slug", "canonical", "url", "path", "draft", "aliases", "extra",
    "mood", "Title",
]
DATES = [
    "2026-03-04", "2026-03-04T10:20:30", "2026-03-04T10:20:30Z", "2026-03-04 10:20:30+05:30", "2026-13-45",
    "yesterday", "1850-06-01", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00",
    "2026-03-04T10:20:30.123456+00:00", "2026-W10", "20260304", "2026-03-29T02:30:00", "2026-03-04T25:00:00",
]
#: Values that are nearly right, per front-matter key.
EDGE_VALUES = {
    "canonical": ["https://example.org/a b", "example.org/x", "https://", "mailto:desk@example.org", "https://例え.jp/パス"],
    "url": ["https://example.org/a b", "//example.org/x"],
    "id": ["", "a b", "a\u00a0b", "a/b", 7, "ö"],
    "slug": ["", "ö", "---", "港口", "A B", "a/b"],
    "path": ["2019/11/19/slug", "/", "a b/c", "../up", "2026/02/30/x"],
    "tags": [[""], ["港口"], ["C++", "c"], "a,,b", [1, True], [None]],
    "authors": [[""], [{"name": "A  B", "bio": "Bio."}, "A  B"], [{"name": "X", "bio": 3}], "Ann & Bo", [{"bio": "x"}]],
    "lang": ["en_GB", "zz-ZZZZZZZZZ", "de-CH-1996", ""],
    "updated": ["2020-01-01", "2026-03-04T00:00:00+01:00", "2026-03-04T00:00:00+14:00"],
    "draft": ["yes", 1, True],
}
URLS = ["https://example.org/x", "https://a b/", "http://", "/relative", "mailto:x@example.org", "urn:x:y", "https://例え.jp/パス"]
LANGS = ["en", "de-CH", "x", "not a lang", "zh-Hant-TW", "i-klingon", "en_GB", "abcdefghi"]

scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3000), st.floats(allow_nan=False, allow_infinity=False, width=32),
    prose(1, 4, wrap=False), st.sampled_from(DATES), st.sampled_from(URLS), st.sampled_from(LANGS),
    st.text(max_size=5),
)
yaml_value = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["name", "bio", "x"]) | st.text(max_size=3), inner, max_size=3),
    max_leaves=5,
)


def noise(fragments: list[str]):
    return st.lists(st.one_of(st.sampled_from(fragments), word(), st.text(max_size=3)), max_size=40).map("".join)


@st.composite
def noisy_wire(draw) -> tuple[str, bytes]:
    if draw(st.integers(0, 9)) == 0:
        return "2026-03-04-noise.txt", draw(st.binary(max_size=80))
    header = "\n".join(draw(st.lists(st.sampled_from(WIRE_HEADER_NOISE), max_size=3)))
    text = (header + draw(st.sampled_from(["\n\n", "\n", ""])) if header else "") + draw(noise(WIRE_NOISE))
    return "2026-03-04-noise.txt", text.encode("utf-8")


@st.composite
def noisy_markdown(draw) -> tuple[str, bytes]:
    if draw(st.integers(0, 9)) == 0:
        return "2026-03-04-noise.md", draw(st.binary(max_size=80))
    fm = {}
    if draw(st.integers(0, 3)):
        fm["title"] = draw(st.one_of(prose(1, 4, wrap=False), scalar))
    if draw(st.integers(0, 3)):
        fm["date"] = draw(st.one_of(st.sampled_from(DATES), scalar))
    for key in draw(st.lists(st.sampled_from(FRONT_MATTER_KEYS), max_size=5, unique=True)):
        fm[key] = draw(st.one_of(st.sampled_from(EDGE_VALUES.get(key, [None])), yaml_value))
    kind = draw(st.sampled_from(["yaml", "yaml", "raw", "none"]))
    if kind == "yaml":
        head = "---\n" + yaml.safe_dump(fm, allow_unicode=True, sort_keys=False) + "---\n"
    elif kind == "raw":
        fence = draw(st.sampled_from(["---", "+++"]))
        pieces = ["title", "date", ":", " = ", "\n", '"', "'", "[", "]", "{", "}", "- ", "2026-03-04", ",", "#"]
        head = fence + "\n" + draw(noise(pieces)) + "\n" + fence + "\n"
    else:
        head = ""
    return "2026-03-04-noise.md", (head + draw(noise(MARKDOWN_NOISE))).encode("utf-8", "surrogatepass")


@example(source=("2026-03-04-noise.txt", b"Canonical: https://example.org/a b\n\nHead\n"))  # invalid document built
@example(source=("2026-03-04-noise.md", b'---\ntitle: T\nid: "a\\x01"\n---\n'))  # crash
@example(source=("2026-03-04-noise.md", b"---\ntitle: T\ndate: 0001-01-01\n---\n"))  # crash (OverflowError)
@settings(PROPERTY, max_examples=150)
@given(source=st.one_of(noisy_wire(), noisy_markdown()))
def test_any_input_fails_only_with_the_tools_own_error_else_normalizes_validly(
    site: Config, source: tuple[str, bytes]
):
    name, data = source
    with fresh_folder(site) as folder:
        normalize_checked(write(folder / name, data), site, must_succeed=False)


@pytest.fixture(scope="module")
def article_xml(site: Config) -> bytes:
    with fresh_folder(site) as folder:
        story = "Head\n\nDeck line\n\nBody one.\n\nAuthor: Ann Lee\n\nAnn Lee writes.\n"
        path = write(folder / "2026-03-04-base.txt", story)
        return to_bytes(normalize_file(path, site, Reporter()))


XML_NOISE = [
    "<", ">", "&", "&amp;", "&#12;", "&#xD800;", "<h:p>", "</h:p>", "<h:script>x</h:script>", "&e;", "<!-- c -->",
    "<?pi x?>", "<![CDATA[x]]>", "\x0c", ' xml:lang="zz"', ' status="draft"', "<h:p onclick=\"x()\">y</h:p>",
    "<deck>D</deck>", "<extra><field name=\"a\">b</field></extra>", '<h:a href="javascript:x()">y</h:a>',
]


EDIT = st.tuples(st.floats(0, 1), st.integers(0, 12), st.one_of(st.sampled_from(XML_NOISE), word()))


@settings(PROPERTY, max_examples=60)
@given(edits=st.lists(EDIT, max_size=3), doctype=st.booleans())
def test_edited_article_xml_fails_only_with_the_tools_own_error(
    site: Config, article_xml: bytes, edits, doctype: bool
):
    text = article_xml.decode("utf-8")
    if doctype:
        text = text.replace("?>\n", "?>\n<!DOCTYPE article [<!ENTITY e 'entity text'>]>\n", 1)
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    with fresh_folder(site) as folder:
        normalize_checked(write(folder / "edited.xml", text.encode("utf-8")), site, must_succeed=False)
