"""Accessibility that is true: Ace by DAISY (the checker publishers and stores use) finds no
critical or serious violation in the bundled books, and a book claims WCAG 2.1 AA exactly where
Ace agrees (the bundled books and a Rust-corpus edition). Ace runs where .ci/run installed it
(npm @daisy/ace, on Debian's chromium); elsewhere these tests are skipped with the reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publisher.books.a11y import Accessibility, shortcomings
from publisher.build import build
from publisher.config import load_config
from publisher.xmlutil import H
from tests.clients import NODE_MODULES, node_env, npm_package
from tests.conftest import CORPUS, corpus_config, write

ACE_TIMEOUT = 900  # seconds: Ace opens every chapter in Chromium


def _ace_reason() -> str | None:
    if shutil.which("chromium") is None:
        return "no chromium on PATH (Debian package chromium): Ace needs a browser"
    return npm_package("@daisy/ace")


def ace(book: Path, out: Path) -> list[tuple[str, str, str]]:
    """(impact, rule, file) of every violation Ace reports."""
    proc = subprocess.run([str(NODE_MODULES / ".bin" / "ace-puppeteer"), "-f", "-s", "-o", str(out), str(book)],
                          capture_output=True, text=True, env=node_env(), timeout=ACE_TIMEOUT, check=False)
    report = out / "report.json"
    assert report.is_file(), proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(report.read_text(encoding="utf-8"))
    return [(a["earl:test"]["earl:impact"], a["earl:test"]["dct:title"], group["earl:testSubject"]["url"])
            for group in data["assertions"] for a in group["assertions"]]


def claims(book: Path) -> bool:
    with zipfile.ZipFile(book) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    return bool(opf.xpath("//*[local-name()='meta'][@property='dcterms:conformsTo']"))


def _check(book: Path, out: Path) -> list[tuple[str, str, str]]:
    reason = _ace_reason()
    if reason:
        pytest.skip(reason)
    found = ace(book, out)
    grave = [v for v in found if v[0] in ("critical", "serious")]
    assert claims(book) == (not grave), grave  # the claim is Ace's verdict
    return grave


# one book of every kind the bundled config makes (archive, latest, week, tag)
@pytest.mark.parametrize("name", ["articles.epub", "books/latest.epub", "books/tag-deutsch.epub",
                                  "books/weekly-2026-W47.epub"])
def test_ace_finds_nothing_critical_or_serious_in_the_bundled_books(built: Path, tmp_path: Path, name: str):
    assert _check(built / name, tmp_path / "ace") == []


# after the corpus site's [site] keys (tests.conftest.corpus_config)
CORPUS_EXTRA = """feed_formats = ["rss"]
feed_groups = []

[[editions]]
kind = "latest"
n = 40
"""


@pytest.mark.skipif(not (CORPUS / "content").is_dir(), reason="shared corpus not present")
def test_a_corpus_edition_claims_conformance_exactly_where_ace_agrees(tmp_path: Path):
    reason = _ace_reason()
    if reason:
        pytest.skip(reason)
    root = tmp_path / "rust"
    write(root / "publisher.toml", corpus_config(CORPUS_EXTRA))
    config, _ = load_config(root / "publisher.toml")
    build(config)
    _check(root / "build" / "books" / "latest.epub", tmp_path / "ace")


def _chapter(body: str) -> etree._Element:
    return etree.fromstring(f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{body}</body></html>')


def test_shortcomings_find_empty_links_colours_and_empty_table_headers():
    html = _chapter('<p><a href="mailto:x@example.com"></a> <a href="#n"><img src="i.png" alt="Note"/></a>'
                    ' <a href="#m" aria-label="More"/> <span style="color:white;background:#4A90E2">x</span></p>'
                    '<table><tr><th></th><th>Name</th></tr></table>')
    assert shortcomings(html) == (("link-name", 1), ("color", 1), ("empty-table-header", 1))
    assert shortcomings(_chapter('<p><a href="https://e.example/">text</a></p>')) == ()
    assert H  # the module's namespace helper is what shortcomings looks for


def test_colours_count_only_on_text_with_too_little_or_unknown_contrast():
    from publisher.books.a11y import contrast

    assert round(contrast((255, 255, 255), (0x4A, 0x90, 0xE2)), 2) == 3.29  # the Rust blog's buttons
    assert contrast((0, 0, 0), (255, 255, 255)) == 21.0
    styles = {
        "color:white;background:#4A90E2": 1,  # 3.3:1
        "color: #333": 0,  # on the default white: 12.6:1
        "height: 1px; background-color: black;": 0,  # no text: a rule, not text
        "color: var(--x)": 1,  # unknown
        "background-color: #000; color: #fff": 0,
        "font-weight: bold": 0,
    }
    for style, n in styles.items():
        text = "" if "height" in style else "x"
        found = dict(shortcomings(_chapter(f'<div style="{style}">{text}</div>')))
        assert found.get("color", 0) == n, style


def test_a_book_with_blocking_shortcomings_makes_no_claim_and_says_what_it_lacks():
    ok = Accessibility(images=1, described=1, animated=0, mathml=False, lacks=(("empty-table-header", 2),))
    assert ok.conforms and "dcterms:conformsTo" in dict(ok.metadata("Site"))
    assert "2 empty table header cells." in ok.summary()
    bad = Accessibility(images=1, described=1, animated=0, mathml=False, lacks=(("link-name", 3),))
    meta = dict(bad.metadata("Site"))
    assert not bad.conforms and "dcterms:conformsTo" not in meta and "a11y:certifiedBy" not in meta
    assert "3 links without text" in meta["schema:accessibilitySummary"][0]
    assert "does not claim to meet WCAG 2.1 AA" in meta["schema:accessibilitySummary"][0]
