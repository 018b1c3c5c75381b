"""Interface words come from the gettext catalogs: every message the code uses is in the template,
every language the typography knows has a complete catalog, and books and feeds.html speak the
edition's or site's language."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from publisher.books.a11y import BLOCKING, MINOR
from publisher.books.editions import _PERIOD_WORDS as PERIOD_WORDS
from publisher.config.editions import OTHER
from publisher.i18n import _, date_range, join_names, languages, long_date, n_
from publisher.normalize.typography import QUOTES

PACKAGE = Path(resources.files("publisher"))
CATALOGS = PACKAGE / "i18n"
_FIELD = re.compile(r"\{(\w+)\}")


def _template() -> dict:
    with (CATALOGS / "publisher.pot").open("rb") as f:
        return {m.id: m for m in read_po(f) if m.id}


def test_every_language_of_the_typography_has_a_catalog():
    assert set(QUOTES) == {"en", *languages()}


def test_every_message_in_the_code_is_in_the_template():
    used = set()
    for _name, _line, message, *_rest in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords={"_": (2,), "n_": (2, 3)}):
        used.add(message if isinstance(message, str) else message[0])
    # labels defined in tables and translated where shown
    used |= {"Cover", "Title page", "Contents", "Articles", "Everything on the site", "By topic", "By author",
             OTHER, *(words for pair in PERIOD_WORDS.values() for words in pair),
             *(singular for singular, _plural in (BLOCKING | MINOR).values())}
    ids = {k if isinstance(k, str) else k[0] for k in _template()}
    assert used - ids == set()
    assert ids - used == set()  # no message left over from code that is gone


@pytest.mark.parametrize("lang", languages())
def test_each_catalog_translates_every_message_with_the_same_fields(lang: str):
    with (CATALOGS / f"{lang}.po").open("rb") as f:
        catalog = read_po(f)
    template = _template()
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id} == {
        k if isinstance(k, str) else k[0] for k in template}
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings), (lang, message.id)
        assert all(set(_FIELD.findall(s)) == set(_FIELD.findall(ids[-1])) for s in strings), (lang, message.id)
    if shutil.which("msgfmt"):
        proc = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(CATALOGS / f"{lang}.po")],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr


def test_messages_plurals_names_and_dates_by_language():
    assert _("de", "Contents") == "Inhalt" and _("de-CH", "Contents") == "Inhalt"
    assert _("en", "Contents") == "Contents" and _("xx", "Contents") == "Contents"
    assert [n_("pl", "{n} article", "{n} articles", n) for n in (1, 3, 5, 22)] == [
        "1 artykuł", "3 artykuły", "5 artykułów", "22 artykuły"]
    assert n_("en", "{n} article", "{n} articles", 1) == "1 article"
    assert join_names(["A", "B", "C"], "fr") == "A, B et C" and join_names(["A"], "fr") == "A"
    day = dt.date(2016, 11, 29)
    assert long_date(day, "en") == "29 November 2016"
    assert long_date(day, "de") == "29. November 2016"
    assert long_date(day, "pl") == "29 listopada 2016"


def test_a_german_site_has_feeds_html_and_books_in_german(tmp_path: Path):
    from publisher.build import build
    from tests.books.test_epub import NS, Book
    from tests.conftest import copy_site, site_config

    root = copy_site(tmp_path / "site")
    toml = (root / "publisher.toml").read_text(encoding="utf-8").replace('language = "en"', 'language = "de"')
    (root / "publisher.toml").write_text(toml, encoding="utf-8")
    build(site_config(root))
    page = (root / "build" / "feeds.html").read_text(encoding="utf-8")
    assert "So abonnieren Sie" in page and "Neueste Artikel" in page and "How to subscribe" not in page
    assert "24. November 2026" in page and "Von Mara Lindqvist und Tomás Ó Briain" in page
    assert "Dies ist ein Web-Feed" in (root / "build" / "feed.css").read_text(encoding="utf-8")
    book = Book(root / "build" / "articles.epub")
    assert book.xpath(book.xml("nav.xhtml"), "//h:nav[@id='toc']/h:h1/text()") == ["Inhalt"]
    assert book.xpath(book.xml("front/title.xhtml"), "//h:p[@class='count']/text()") == ["7 Artikel"]
    chapter = book.xml(book.chapters[1])
    assert book.xpath(chapter, "//h:nav[@class='article-nav']/@aria-label") == ["Zwischen den Artikeln"]
    assert book.xpath(chapter, "//h:nav//h:p[1]/text()")[0] == "Vorheriger: "
    assert NS
    # the article's own words around its body: byline, date, the authors' bios
    # (in the article's language: an article that says it is in English keeps "By")
    bylines = {}
    for c in book.chapters:
        doc = book.xml(c)
        for t in book.xpath(doc, "//h:p[@class='byline']/text()"):
            lang = book.xpath(doc, "//h:p[@class='byline']/ancestor-or-self::*[@xml:lang][1]/@xml:lang")[0]
            bylines[t] = lang
    assert {t.split(" ")[0] for t, lang in bylines.items() if lang.startswith("de")} == {"Von"}
    assert {t.split(" ")[0] for t, lang in bylines.items() if lang.startswith("en")} == {"By"}
    assert "Von Mara Lindqvist und Tomás Ó Briain" in bylines
    dates = [t for c in book.chapters for t in book.xpath(book.xml(c), "//h:p[@class='dateline']/h:time/text()")]
    assert "22. November 2026" in dates and "24 November 2026" in dates  # German, and the English article
    bios = {t for c in book.chapters for t in book.xpath(book.xml(c), "//h:section[@class='bio']/h:h2/text()")}
    assert {"Über den Autor", "Über die Autoren"} <= bios <= {"Über den Autor", "Über die Autoren", "About the author"}
    summary = book.xpath(book.opf, "//opf:meta[@property='schema:accessibilitySummary']/text()")
    assert summary and summary[0].startswith("Artikel in einer einzigen Lesereihenfolge"), summary


def test_edition_titles_and_date_ranges_by_language():
    from publisher.books.editions import date_span

    week = dt.date(2026, 11, 16), dt.date(2026, 11, 22)
    assert date_range(*week, "en") == date_span(*week) == "16–22 November 2026"
    assert date_range(dt.date(2026, 11, 30), dt.date(2026, 12, 6), "en") == "30 November – 6 December 2026"
    assert date_range(*week, "de") == "16.–22. Nov. 2026"
    assert date_range(*week, "pl") == "16–22 listopada 2026"
    assert date_range(week[0], week[0], "fr") == "16 novembre 2026"
    assert [_(lang, "Weekly edition") for lang in ("en", "de", "fr")] == [
        "Weekly edition", "Wochenausgabe", "Édition de la semaine"]
    assert [n_("pl", "About the author", "About the authors", n) for n in (1, 2)] == ["O autorze", "O autorach"]
