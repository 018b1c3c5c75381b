"""Typography: quotes, apostrophes, dashes, ellipses by language; code and URLs untouched; idempotent."""

from __future__ import annotations

import pytest
from lxml import etree

from publisher.normalize.typography import smarten_text, smarten_tree


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", '"Hello," she said.', "“Hello,” she said."),
        ("en", "it's the '90s -- really...", "it’s the ’90s – really…"),
        ("en", "a---b", "a—b"),
        ("en", "the students' union and 'quoted' text", "the students’ union and ‘quoted’ text"),
        ("en-GB", "'single'", "‘single’"),
        ("de", 'Er sagte: "Das geht\'s" -- \'ja\'', "Er sagte: „Das geht’s“ – ‚ja‘"),
        ("fr", '"Bonjour"', "«\u202fBonjour\u202f»"),
        ("sv", '"Hej"', "”Hej”"),
        ("en", "see http://example.com/a--b...c and \"x\"", "see http://example.com/a--b...c and “x”"),
        ("en", "....", "...."),
    ],
)
def test_smarten_text(lang: str, text: str, expected: str):
    assert smarten_text(text, lang) == expected
    assert smarten_text(expected, lang) == expected  # idempotent


def test_tree_skips_code_and_url_links_but_reads_across_inline_markup():
    html = etree.fromstring(
        '<div><p>"Use <code>a--b "x"</code>" -- "<em>ok</em>" '
        '<a href="http://x.y/a--b">http://x.y/a--b</a></p><pre>"raw" -- code</pre></div>'
    )
    smarten_tree(html, "en")
    assert etree.tostring(html, encoding="unicode") == (
        '<div><p>“Use <code>a--b "x"</code>” – “<em>ok</em>” '
        '<a href="http://x.y/a--b">http://x.y/a--b</a></p><pre>"raw" -- code</pre></div>'
    )


def test_blocks_are_separate_runs():
    html = etree.fromstring("<div><p>He said</p><p>\"no\"</p></div>")
    smarten_tree(html, "en")
    assert [p.text for p in html] == ["He said", "“no”"]


# -- smarten_tree against the plain walk it replaced (every block, ancestors checked for code) --

def _reference_tree(root: etree._Element, lang: str) -> None:
    from publisher.normalize.typography import BLOCKS, SKIP, _is_url_text, _smarten_slots

    def local(el):
        return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""

    def skipped(el):
        node = el
        while node is not None:
            if local(node) in SKIP:
                return True
            if node is root:
                return False
            node = node.getparent()
        return False

    def collect(el, refs):
        if el.text:
            refs.append((el, "text"))
        for child in el:
            if not isinstance(child.tag, str) or local(child) in BLOCKS:
                pass
            elif local(child) in SKIP or (local(child) == "a" and _is_url_text(child)):
                refs.append(None)
            else:
                collect(child, refs)
            if child.tail:
                refs.append((child, "tail"))

    for block in root.iter(etree.Element):
        if (block is root or local(block) in BLOCKS) and not skipped(block):
            refs: list = []
            collect(block, refs)
            texts = [getattr(r[0], r[1]) if r else None for r in refs]
            for ref, value in zip(refs, _smarten_slots(texts, lang), strict=True):
                if ref is not None and value != getattr(ref[0], ref[1]):
                    setattr(ref[0], ref[1], value)


_TAGS = ["p", "li", "em", "a", "code", "div", "span", "pre", "h:p", "h:em", "blockquote", "svg"]
_BITS = ["it's", '"', "'", " ", "--", "...", "x", "http://e.x/a--b", "'90s", "«", "(", "é", "\n"]


def _random_tree(rng, depth=0):
    tag = rng.choice(_TAGS)
    el = etree.Element("{http://www.w3.org/1999/xhtml}" + tag[2:] if tag.startswith("h:") else tag)
    if tag == "a":
        el.set("href", "http://e.x/a--b")
    el.text = "".join(rng.choice(_BITS) for _ in range(rng.randrange(4))) or None
    for _ in range(rng.randrange(4) if depth < 4 else 0):
        if rng.random() < 0.1:
            child = etree.Comment("a - 'b' ...")
        elif rng.random() < 0.1 and tag == "a":
            child = etree.Element("div")
            child.text = "http://e.x/a--b"
        else:
            child = _random_tree(rng, depth + 1)
        child.tail = "".join(rng.choice(_BITS) for _ in range(rng.randrange(3))) or None
        el.append(child)
    return el


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_tree_equals_the_plain_walk_on_random_trees(lang):
    import random

    rng = random.Random(f"typography {lang}")
    for _ in range(3000):
        tree = _random_tree(rng)
        expected, got = etree.fromstring(etree.tostring(tree)), etree.fromstring(etree.tostring(tree))
        _reference_tree(expected, lang)
        smarten_tree(got, lang)
        assert etree.tostring(got) == etree.tostring(expected), etree.tostring(tree)


def test_tree_passes_over_blocks_with_nothing_to_change_but_not_their_nested_blocks():
    html = etree.fromstring("<div><ul><li>plain <em>text</em><p>it's</p></li></ul><pre>'x'</pre></div>")
    smarten_tree(html, "en")
    assert etree.tostring(html, encoding="unicode") == "<div><ul><li>plain <em>text</em><p>it’s</p></li></ul><pre>'x'</pre></div>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Deprecating `feature = "cargo-clippy"`', 'Deprecating `feature = "cargo-clippy"`'),
        ('"Use `it\'s--x...`" he said', '“Use `it\'s--x...`” he said'),
        ('``a ` "b"`` and "c"', '``a ` "b"`` and “c”'),
        ('a lone ` and "q"', "a lone ` and “q”"),
    ],
)
def test_plain_strings_leave_backtick_code_spans_alone(text: str, expected: str):
    assert smarten_text(text, "en") == expected
    assert smarten_text(expected, "en") == expected


def test_headline_deck_and_summary_keep_straight_quotes_in_code(tiny):
    from publisher.build import normalize_file
    from publisher.errors import Reporter
    from publisher.model import ArticleView
    from tests.conftest import site_config, write

    path = write(tiny / "articles" / "2026-01-01-c.md",
                 '---\ntitle: Deprecating `feature = "cargo-clippy"`\ndeck: Say \'use `cfg("x")`\'\n'
                 'summary: The "new" `"lint"`\n---\n\nBody.\n')
    view = ArticleView(normalize_file(path, site_config(tiny), Reporter()))
    assert view.headline == 'Deprecating `feature = "cargo-clippy"`'
    assert view.deck == 'Say ‘use `cfg("x")`’'
    assert view.summary == 'The “new” `"lint"`'
