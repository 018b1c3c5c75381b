"""Editions: the [[editions]] keys, how articles are chosen and grouped, file names and
identifiers, EPUBCheck on every book of the bundled site and of the Rust blog corpus."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from publisher.books.editions import date_span, plan, plan_editions
from publisher.build import SiteMedia, build, load_articles
from publisher.config.editions import EditionSpec, parse_editions
from publisher.errors import OutputError, Reporter, SourceError
from publisher.incremental.books import render_editions
from publisher.incremental.cache import Cache
from publisher.model import ArticleView
from publisher.xmlutil import A
from tests.books.test_epub import NS, Book
from tests.conftest import (
    CORPUS,
    MINIMAL_CONFIG,
    REPO,
    copy_site,
    corpus_config,
    epubcheck,
    site_config,
    write,
)

EDITIONS = """
[[editions]]
kind = "archive"

[[editions]]
kind = "latest"
n = 3

[[editions]]
kind = "period"
period = "week"

[[editions]]
kind = "tag"
tags = ["port", "Opinion", "deutsch", "libya"]  # each a different shape: sections, en-GB, German, wire
"""
WEEKS = {  # ISO week -> slugs of the bundled articles published in it (site zone Europe/London)
    "2016-W48": {"000-74b8af4278bed77c"},
    "2026-W46": {"port-funding-gap"},
    "2026-W47": {"port-expansion-vote", "cafe-kultur", "hafenfest", "tide-tables-explained"},
    "2026-W48": {"opinion-bridges"},
}
TAGS = {"city-council", "data", "deutsch", "economy", "food", "libya", "old-town", "opinion", "port", "russia",
        "transport"}
BOOK_TAGS = {"port", "opinion", "deutsch", "libya"}


def _parse(raw: object) -> tuple[tuple[EditionSpec, ...], Reporter]:
    report = Reporter()
    return parse_editions(raw, "publisher.toml", report), report


def _checked(paths: list[Path]) -> dict[Path, str]:
    """EPUBCheck on every book, two at a time; the messages of the books that have any."""
    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(paths, pool.map(epubcheck, paths), strict=True))
    return {p: r.summary() for p, r in results.items() if r.messages}


# --- the keys --------------------------------------------------------------------------------


def test_no_editions_table_means_the_archive_edition():
    assert _parse(None)[0] == ()


def test_keys_are_read_per_kind():
    specs, report = _parse([
        {"kind": "latest", "n": 5, "order": "oldest", "title": "Top {n}"},
        {"kind": "period", "period": "month", "last": 2, "section": "none"},
        {"kind": "tag", "tags": ["Port", "city-council"], "name": "topic"},
        {"kind": "section", "section": "folder"},
        {"kind": "archive", "sections": ["Port", "Opinion"]},
    ])
    assert report.diagnostics == []
    assert specs[0] == EditionSpec(kind="latest", n=5, order="oldest", title="Top {n}")
    assert specs[1] == EditionSpec(kind="period", period="month", last=2, section="none")
    assert specs[2].tags == ("Port", "city-council") and specs[2].stem == "topic"
    assert specs[3].stem == "section" and specs[4].sections == ("Port", "Opinion")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"kind": "weekly"}, "editions #1: unknown kind 'weekly'; known: archive, latest, period, tag, section"),
        ({"kind": "latest", "n": 0}, "editions #1: n must be at least 1, not 0"),
        ({"kind": "latest", "n": "5"}, "editions #1: n must be a whole number, not str"),
        ({"kind": "latest", "n": True}, "editions #1: n must be a whole number, not bool"),
        ({"kind": "period", "period": "year"}, "editions #1: period must be one of 'day', 'week', 'month', not 'year'"),
        ({"kind": "tag", "tags": ["port", 3]}, "editions #1: tags must be a list of non-empty strings"),
        ({"section": "author"}, "editions #1: section must be one of 'tag', 'folder', 'none', not 'author'"),
        ({"order": "random"}, "editions #1: order must be one of 'newest', 'oldest', not 'random'"),
        ({"name": "Weekly Edition"}, "editions #1: name must be lower-case letters, digits and dashes, not 'Weekly Edition'"),
        ({"title": "{site} weekly"}, "editions #1: title may only use {tag}, {section} and {n}, not '{site} weekly'"),
        ({"kind": "section", "section": "none"}, 'editions #1: kind "section" needs section = "tag" or "folder"'),
        ({"section": "folder", "sections": ["port"]}, 'editions #1: sections lists tags, so it needs section = "tag"'),
    ],
)
def test_invalid_values_are_errors(table: dict, message: str):
    specs, report = _parse([table])
    assert specs == ()
    assert [d.message for d in report.errors] == [message]


def test_unknown_and_misplaced_keys_are_warnings():
    specs, report = _parse([{"kind": "archive", "period": "day", "colour": "red"}])
    assert specs == (EditionSpec(),)
    assert [d.message for d in report.warnings] == [
        "editions #1: key 'colour' is unknown; ignored",
        "editions #1: key 'period' does not apply to kind 'archive'; ignored",
    ]


def test_an_archive_with_n_holds_the_newest_n_and_says_so(bundled):
    config, views = bundled
    [whole] = plan(EditionSpec(n=len(views)), views, config)
    assert (whole.title, whole.site_only, len(whole.views)) == ("All articles", True, len(views))
    [capped] = plan(EditionSpec(n=3), views, config)
    newest = sorted(views, key=lambda v: v.sort_key(), reverse=True)[:3]
    assert sorted(v.slug for v in capped.views) == sorted(v.slug for v in newest)
    assert (capped.path, capped.title, capped.site_only) == ("articles.epub", "Latest articles", False)
    [named] = plan(EditionSpec(n=3, title="Top {n}"), views, config)
    assert named.title == "Top 3"


def test_without_editions_the_book_holds_the_newest_hundred(bundled):
    from publisher.config.editions import DEFAULT_BOOK_ARTICLES

    config, views = bundled
    assert DEFAULT_BOOK_ARTICLES == 100 and not config.editions
    [book] = plan_editions(config, views)
    assert len(book.views) == len(views) and book.title == "All articles"  # a small site: every article
    many = views * (DEFAULT_BOOK_ARTICLES // len(views) + 1)  # a big site, as plan sees it
    [book] = plan_editions(config, many)
    assert (book.path, book.title, book.site_only, len(book.views)) == (
        "articles.epub", "Latest articles", False, DEFAULT_BOOK_ARTICLES)
    assert {v.slug for v in book.views} == {v.slug for v in views}


def test_two_tables_that_would_write_the_same_books_are_an_error():
    specs, report = _parse([{"kind": "latest"}, {"kind": "latest", "n": 5}, {"kind": "latest", "name": "top5"}])
    assert len(specs) == 2
    assert [d.message for d in report.errors] == [
        "editions #2 would write the same books as editions #1; give one of them its own name"]


def test_not_an_array_of_tables():
    assert [d.message for d in _parse({"kind": "archive"})[1].errors] == [
        "editions must be an array of tables ([[editions]])"]


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        ((2026, 11, 18), (2026, 11, 18), "18 November 2026"),
        ((2026, 11, 16), (2026, 11, 22), "16–22 November 2026"),
        ((2026, 11, 30), (2026, 12, 6), "30 November – 6 December 2026"),
        ((2026, 12, 28), (2027, 1, 3), "28 December 2026 – 3 January 2027"),
    ],
)
def test_date_spans(first: tuple, last: tuple, text: str):
    assert date_span(dt.date(*first), dt.date(*last)) == text


# --- choosing and grouping the bundled articles ------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> tuple:
    # the bundled articles without the bundled [[editions]]: each test says which it wants
    config = dataclasses.replace(site_config(REPO), editions=())
    report = Reporter()
    views, _ = load_articles(config, report)
    assert not report.errors
    return config, views


def test_weekly_editions_split_by_iso_week_in_the_site_zone(bundled):
    config, views = bundled
    editions = plan(EditionSpec(kind="period", period="week"), views, config)
    assert {e.path: {v.slug for v in e.views} for e in editions} == {
        f"books/weekly-{week}.epub": slugs for week, slugs in WEEKS.items()}
    w47 = next(e for e in editions if e.key == "weekly-2026-W47")
    assert w47.title == "Weekly edition, 16–22 November 2026"
    assert w47.book_title(config.title) == "The Harbour Dispatch — Weekly edition, 16–22 November 2026"
    assert (w47.series, w47.position) == ("The Harbour Dispatch Weekly", "202647")


def test_daily_and_monthly_editions(bundled):
    config, views = bundled
    days = plan(EditionSpec(kind="period", period="day", last=2), views, config)
    assert [(e.path, e.title) for e in days] == [
        ("books/daily-2026-11-22.epub", "Daily edition, 22 November 2026"),
        ("books/daily-2026-11-24.epub", "Daily edition, 24 November 2026"),
    ]
    months = plan(EditionSpec(kind="period", period="month"), views, config)
    assert [(e.path, e.title, len(e.views)) for e in months] == [
        ("books/monthly-2016-11.epub", "Monthly edition, 1–30 November 2016", 1),
        ("books/monthly-2026-11.epub", "Monthly edition, 1–30 November 2026", 6),
    ]


def test_sections_are_first_tags_alphabetically_then_other_newest_first(bundled):
    config, views = bundled
    [edition] = plan(EditionSpec(), views, config)
    assert [(s.label, [v.slug for v in s.views]) for s in edition.sections] == [
        ("Food", ["cafe-kultur"]),
        ("Libya", ["000-74b8af4278bed77c"]),
        ("Opinion", ["opinion-bridges"]),
        ("Port", ["tide-tables-explained", "hafenfest", "port-expansion-vote", "port-funding-gap"]),
    ]
    [oldest] = plan(EditionSpec(order="oldest"), views, config)
    assert [v.slug for v in oldest.sections[-1].views] == [
        "port-funding-gap", "port-expansion-vote", "hafenfest", "tide-tables-explained"]


def test_configured_sections_come_in_their_order_and_the_rest_under_other(bundled):
    config, views = bundled
    [edition] = plan(EditionSpec(sections=("Opinion", "economy")), views, config)
    assert [(s.label, sorted(v.slug for v in s.views)) for s in edition.sections] == [
        ("Opinion", ["opinion-bridges"]),
        ("Economy", ["port-expansion-vote", "port-funding-gap"]),
        ("Other", ["000-74b8af4278bed77c", "cafe-kultur", "hafenfest", "tide-tables-explained"]),
    ]


def test_latest_tag_and_ungrouped_editions(bundled):
    config, views = bundled
    [latest] = plan(EditionSpec(kind="latest", n=2, section="none"), views, config)
    assert [v.slug for v in latest.views] == ["opinion-bridges", "tide-tables-explained"]
    assert len(latest.sections) == 1 and latest.path == "books/latest.epub"
    tags = plan(EditionSpec(kind="tag", tags=("Port", "city-council", "no-such-tag")), views, config)
    assert [(e.path, e.title, len(e.views)) for e in tags] == [
        ("books/tag-city-council.epub", "City Council", 1),
        ("books/tag-port.epub", "Port", 4),
    ]
    assert {e.path for e in plan(EditionSpec(kind="tag"), views, config)} == {f"books/tag-{t}.epub" for t in TAGS}
    # an edition without articles is not written
    assert plan(EditionSpec(kind="tag", tags=("no-such-tag",)), views, config) == []
    assert plan(EditionSpec(), [], config) == []


def test_folder_sections_use_the_top_folder_and_the_site_title_for_the_rest(bundled):
    config, views = bundled
    moved = []
    for view in views:
        root = copy.deepcopy(view.root)
        if view.slug in ("hafenfest", "cafe-kultur"):
            source = root.find(f"{A}meta/{A}source")
            source.text = "kultur/" + source.text
        if view.slug == "opinion-bridges":  # a page bundle: its own folder is not a section
            root.find(f"{A}meta/{A}source").text = "opinion-bridges/index.md"
        moved.append(ArticleView(root))
    editions = plan(EditionSpec(kind="section", section="folder"), moved, config)
    assert [(e.path, e.title, len(e.views)) for e in editions] == [
        ("books/section-the-harbour-dispatch.epub", "The Harbour Dispatch", 5),
        ("books/section-kultur.epub", "Kultur", 2),
    ]


def test_two_editions_with_one_file_name_are_an_error(bundled):
    config, views = bundled
    clash = dataclasses.replace(config, editions=(EditionSpec(kind="latest", name="tag-port"), EditionSpec(kind="tag")))
    with pytest.raises(OutputError, match="two editions would both be written to books/tag-port.epub"):
        plan_editions(clash, views)
    assert [e.path for e in plan_editions(config, views)] == ["articles.epub"]  # no [[editions]]: the archive


def test_unsupported_image_type_is_an_error_naming_the_article(bundled):
    config, views = bundled
    changed = []
    for view in views:
        root = copy.deepcopy(view.root)
        for res in root.iter(A + "resource"):
            res.set("type", "image/webp")
        changed.append(ArticleView(root))
    with pytest.raises(SourceError) as info:
        render_editions(config, changed, SiteMedia(config, Cache(None)))
    assert "2026-11-18-port-expansion-vote.md" in info.value.formatted()
    assert "image/webp" in info.value.formatted()


# --- every book of the bundled site --------------------------------------------------------------


def _build_with(root: Path, editions: str) -> Path:
    """Build the site in ``root`` with ``editions`` in place of the bundled [[editions]] tables."""
    toml = root / "publisher.toml"
    site_only = toml.read_text(encoding="utf-8").split("[[editions]]", 1)[0]
    toml.write_text(site_only + editions, encoding="utf-8")
    build(site_config(root))
    return root / "build"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_with(copy_site(tmp_path_factory.mktemp("editions")), EDITIONS)


def _epubs(out: Path) -> dict[str, Path]:
    return {p.relative_to(out).as_posix(): p for p in sorted(out.rglob("*.epub"))}


def test_bundled_editions_are_written_with_stable_names(books: Path):
    expected = {"articles.epub", "books/latest.epub"}
    expected |= {f"books/weekly-{w}.epub" for w in WEEKS} | {f"books/tag-{t}.epub" for t in BOOK_TAGS}
    assert set(_epubs(books)) == expected


def test_every_bundled_edition_passes_epubcheck(books: Path, built: Path):
    epubs = _epubs(books)
    # the archive edition is the default book byte for byte, which test_epub checks
    assert epubs.pop("articles.epub").read_bytes() == (built / "articles.epub").read_bytes()
    assert _checked(list(epubs.values())) == {}


def test_identifiers_distinct_across_editions_and_stable_across_builds(books: Path, tmp_path: Path):
    first = _epubs(books)
    again = _epubs(_build_with(copy_site(tmp_path / "again"), EDITIONS))
    assert set(again) == set(first)
    for name, path in first.items():
        assert again[name].read_bytes() == path.read_bytes(), name
    idents = [Book(p).xpath(Book(p).opf, "string(//dc:identifier)") for p in first.values()]
    assert len(set(idents)) == len(idents)
    # the archive keeps the identifier it has always had
    assert Book(first["articles.epub"]).xpath(Book(first["articles.epub"]).opf, "string(//dc:identifier)") == (
        "urn:uuid:cf16a3f3-cb2c-5cde-ba22-e1f4e82e0d64")


def test_each_article_in_exactly_one_weekly_edition_under_its_section(books: Path):
    seen: list[str] = []
    for week, slugs in WEEKS.items():
        book = Book(books / f"books/weekly-{week}.epub")
        chapters = book.chapters
        assert {c.removeprefix("text/").removesuffix(".xhtml") for c in chapters} == slugs
        nav_articles = book.xpath(book.nav, "//h:nav[@epub:type='toc']//h:a/@href")
        assert all(nav_articles.count(c) in (1, 2) for c in chapters)  # once, plus its section's link
        seen += chapters
        assert book.meta("belongs-to-collection") == ["The Harbour Dispatch Weekly"]
    assert len(seen) == len(set(seen)) == 7


def test_tag_edition_holds_every_article_with_the_tag(books: Path):
    book = Book(books / "books/tag-port.epub")
    assert book.xpath(book.opf, "string(//dc:title)") == "The Harbour Dispatch — Port"
    assert book.xpath(book.opf, "//dc:subject/text()") == ["Port"]
    assert sorted(book.chapters) == sorted(
        f"text/{s}.xhtml" for s in ("port-funding-gap", "port-expansion-vote", "hafenfest", "tide-tables-explained"))


# --- notes, image names and remote media in a small site ----------------------------------------

NOTES = """---
title: Notes on the tide
date: 2026-11-20
tags: [Port]
---
The gauge was moved[^gauge] and the software was updated.[^sw]

![The old gauge](images/old%20gauge%20%C3%A9.png)

[^gauge]: In 2019, to the north quay.
[^sw]: Version 4.2.

    With a second paragraph.
"""
REMOTE = """---
title: Pictures from elsewhere
date: 2026-11-21
---
Before ![a remote chart](https://example.org/chart.png) after.

<video src="https://example.org/tide.mp4" poster="https://example.org/p.jpg">The tide film</video>

<audio controls><source src="https://example.org/horn.ogg" type="audio/ogg">The fog horn</audio>

<picture><source srcset="https://example.org/q.webp"><img src="https://example.org/q.png" alt="The quay"></picture>

Last paragraph, still here.
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small")
    write(root / "publisher.toml", MINIMAL_CONFIG)
    write(root / "articles" / "2026-11-20-notes.md", NOTES)
    write(root / "articles" / "2026-11-21-remote.md", REMOTE)
    write(root / "articles" / "images" / "old gauge é.png", (REPO / "articles/images/harbour-cranes.png").read_bytes())
    build(site_config(root))
    return root / "build" / "articles.epub"


def _chapter(epub: Path, slug: str) -> etree._Element:
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read(f"EPUB/text/{slug}.xhtml"))


def test_small_site_passes_epubcheck(small: Path):
    result = epubcheck(small)
    assert result.messages == [], result.summary()


def test_footnotes_become_epub_notes_with_back_links(small: Path):
    doc = _chapter(small, "notes")
    refs = doc.xpath("//h:a[@epub:type='noteref']", namespaces=NS)
    notes = doc.xpath("//h:section[@epub:type='footnotes']/h:aside[@epub:type='footnote']", namespaces=NS)
    assert len(refs) == len(notes) == 2
    for ref, note in zip(refs, notes, strict=True):
        assert ref.get("href") == "#" + note.get("id") and ref.get("role") == "doc-noteref"
        [back] = note.xpath(".//h:a[@role='doc-backlink']/@href", namespaces=NS)
        assert back == "#" + ref.get("id")
    assert "Version 4.2." in "".join(notes[1].itertext()) and len(notes[1].xpath("h:p", namespaces=NS)) == 2


def test_odd_image_names_get_safe_names_in_the_book(small: Path):
    # a space or an accent is not valid in an EPUB URL: the image gets an ASCII name in the book
    [src] = _chapter(small, "notes").xpath("//h:img/@src", namespaces=NS)
    assert src.startswith("../media/images/old-gauge-e-") and src.endswith(".png")
    with zipfile.ZipFile(small) as z:
        assert "EPUB/" + src.removeprefix("../") in z.namelist()


def test_remote_media_become_links_and_nothing_after_them_is_lost(small: Path):
    doc = _chapter(small, "remote")
    assert doc.xpath("//h:img | //h:video | //h:audio | //h:source | //h:picture", namespaces=NS) == []
    links = {a.get("href"): "".join(a.itertext()) for a in doc.xpath("//h:article//h:a", namespaces=NS)}
    assert links == {
        "https://example.org/chart.png": "a remote chart",
        "https://example.org/tide.mp4": "The tide film",
        "https://example.org/horn.ogg": "The fog horn",
        "https://example.org/q.png": "The quay",
    }
    assert "Last paragraph, still here." in "".join(doc.itertext())
    assert "poster" not in etree.tostring(doc).decode()


# --- the Rust blog corpus ----------------------------------------------------------------------

# after the corpus site's [site] keys (tests.conftest.corpus_config)
CORPUS_EXTRA = """
[[editions]]
kind = "archive"

[[editions]]
kind = "period"
period = "week"
last = 2  # every week would be ~370 books: EPUBCheck on all of them takes too long for a test

[[editions]]
kind = "tag"

[[editions]]
kind = "section"
section = "folder"
"""


@pytest.fixture(scope="module")
def corpus_books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (CORPUS / "content").is_dir():
        pytest.skip("the shared Rust blog corpus is not here")
    root = tmp_path_factory.mktemp("corpus")
    write(root / "publisher.toml", corpus_config(CORPUS_EXTRA))
    build(site_config(root))
    return root / "build"


def test_corpus_editions_pass_epubcheck(corpus_books: Path):
    books = _epubs(corpus_books)
    weekly = [n for n in books if n.startswith("books/weekly-")]
    assert len(weekly) == 2
    # the corpus has no tags, so the tag editions are empty and not written; its folders are sections
    assert not [n for n in books if n.startswith("books/tag-")]
    assert {"articles.epub", "books/section-inside-rust.epub", "books/section-rust-blog.epub"} <= set(books)
    archive = Book(books["articles.epub"])
    assert len(archive.chapters) == 750
    assert _checked(list(books.values())) == {}
