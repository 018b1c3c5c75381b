"""Interface words of books and feeds.html in the edition's or site's language, from gettext
message catalogs (publisher/i18n/<lang>.po, compiled when first used) and Babel's locale data
for dates.

English is the source language: its messages are the msgids. A language without a catalog
(or a region of one: "de-CH" uses "de") falls back to English words.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from importlib import resources

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "publisher"


def _primary(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


def languages() -> list[str]:
    """The languages with a catalog, besides English."""
    return sorted(p.name.removesuffix(".po") for p in resources.files(__name__).iterdir()
                  if p.name.endswith(".po"))


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog for ``lang`` (BCP 47), compiled in memory; English words where there is none."""
    source = resources.files(__name__).joinpath(f"{_primary(lang)}.po")
    if not source.is_file():
        return gettext.NullTranslations()
    with source.open("rb") as po:
        catalog = read_po(po, locale=_primary(lang), domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(lang: str, message: str, **values: object) -> str:
    """``message`` in ``lang``, with ``{name}`` fields filled from ``values``."""
    text = translations(lang).gettext(message)
    return text.format(**values) if values else text


def n_(lang: str, singular: str, plural: str, n: int, **values: object) -> str:
    """The form of a message for the number ``n`` (``{n}`` is filled in, with ``values``)."""
    return translations(lang).ngettext(singular, plural, n).format(n=n, **values)


def join_names(names: list[str], lang: str) -> str:
    """Names as a list in ``lang``: "A", "A and B", "A, B and C"."""
    if len(names) < 2:
        return "".join(names)
    return _(lang, "{first} and {last}", first=", ".join(names[:-1]), last=names[-1])


@functools.cache
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(_primary(lang))
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en")


def long_date(value: dt.date, lang: str) -> str:
    """'29 November 2016', '29. November 2016', '29 novembre 2016': the day spelled out in ``lang``."""
    if _primary(lang) == "en":  # Babel's "en" is American ("November 29, 2016"); the site's style is not
        return format_date(value, format="d MMMM y", locale=_locale("en_GB"))
    return format_date(value, format="long", locale=_locale(lang))


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def date_range(first: dt.date, last: dt.date, lang: str) -> str:
    """The days from ``first`` to ``last`` in ``lang``, shared parts written once: '16–22 November
    2026', '30 November – 6 December 2026'; '16.–22. Nov. 2026' in German (CLDR's intervals)."""
    if first == last:
        return long_date(first, lang)
    if _primary(lang) != "en":
        return format_interval(first, last, "yMMMMd", locale=_locale(lang))

    def full(d: dt.date) -> str:
        return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"

    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {_MONTHS_EN[last.month - 1]} {last.year}"
    if first.year == last.year:
        return f"{first.day} {_MONTHS_EN[first.month - 1]} – {full(last)}"
    return f"{full(first)} – {full(last)}"


__all__ = ["DOMAIN", "_", "date_range", "join_names", "languages", "long_date", "n_", "translations"]
