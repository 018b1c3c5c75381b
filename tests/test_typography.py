"""Typography: quotes, apostrophes, dashes, ellipses by language; code and URLs untouched; idempotent."""

from __future__ import annotations

import pytest
from lxml import etree

from publisher.typography import smarten_text, smarten_tree


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
