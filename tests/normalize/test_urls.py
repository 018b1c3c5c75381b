"""URLs in bodies: script URLs however spelled, unknown and misspelled schemes, odd paths."""

from __future__ import annotations

from pathlib import Path

from publisher.build import normalize_file
from publisher.errors import Reporter
from publisher.model import ArticleView
from publisher.xmlutil import H
from tests.conftest import site_config, write


def _links(site: Path, body: str) -> tuple[list[str | None], list[str]]:
    path = write(site / "articles" / "2026-01-01-u.md", "---\ntitle: T\n---\n\n" + body + "\n")
    report = Reporter()
    root = normalize_file(path, site_config(site), report)
    hrefs = [a.get("href") for a in ArticleView(root).body.iter(H + "a")]
    return hrefs, [d.format() for d in report.warnings]


def test_script_urls_are_removed_however_their_scheme_is_hidden(tiny: Path):
    hrefs, warnings = _links(
        tiny,
        '<a href="java&#x09;script:alert(1)">a</a> <a href="java&#x0A;script:alert(2)">b</a> '
        '<a href="&#x0D;javascript:alert(3)">c</a> <a href=" JavaScript:alert(4)">d</a> '
        '<a href="vbscript:x">e</a> <a href="data:text/html,&lt;script&gt;">f</a>',
    )
    assert hrefs == [None] * 6
    assert len(warnings) == 6
    assert all(":5" in w and "removed a" in w for w in warnings), warnings


def test_unknown_and_misspelled_schemes_warn_with_the_line_and_a_guess(tiny: Path, monkeypatch):
    monkeypatch.chdir(tiny)
    hrefs, warnings = _links(tiny, "x\n\n[a](ttps://e.org/) [b](mail-to:me@e.org) [c](htp://e.org) [d](foo:bar)")
    assert hrefs == [None] * 4
    assert warnings == [
        ("articles/2026-01-01-u.md:7: warning: <a href=...>: unknown URL scheme ttps: in 'ttps://e.org/'"
         " (did you mean https:?); the URL is removed"),
        ("articles/2026-01-01-u.md:7: warning: <a href=...>: unknown URL scheme mail-to: in 'mail-to:me@e.org'"
         " (did you mean mailto:?); the URL is removed"),
        ("articles/2026-01-01-u.md:7: warning: <a href=...>: unknown URL scheme htp: in 'htp://e.org'"
         " (did you mean http:?); the URL is removed"),
        "articles/2026-01-01-u.md:7: warning: <a href=...>: unknown URL scheme foo: in 'foo:bar'; the URL is removed",
    ]


def test_odd_paths_resolve_or_warn(tiny: Path, monkeypatch):
    monkeypatch.chdir(tiny)
    hrefs, warnings = _links(
        tiny, "[r](/) [u](/..) [n](//other.example/p) [e]() [far](../../../../x) <a href=\"a b.html\">sp</a> "
        '<a href="">empty</a>',
    )
    assert hrefs == [
        "https://test.example/", "https://test.example/", "https://other.example/p", None,
        "https://test.example/x", "https://test.example/articles/u/a%20b.html", None,
    ]
    assert warnings == [
        "articles/2026-01-01-u.md:5: warning: <a href=...>: empty URL removed (it would point at this same page)",
        ("articles/2026-01-01-u.md:5: warning: <a href=...>: '../../../../x' climbs above the site's root;"
         " it resolves to https://test.example/x"),
        "articles/2026-01-01-u.md:5: warning: <a href=...>: empty URL removed (it would point at this same page)",
    ]


def test_characters_a_url_may_not_hold_are_percent_encoded(tiny: Path):
    hrefs, _ = _links(
        tiny,
        '<a href="https://c.net/?channels=##rust">a</a> <a href=" https://x.org/a b?q=[1]%zz ">b</a>'
        ' <a href="https://[::1]/ok#frag">c</a> <a href="https://e.org/ü">d</a>',
    )
    assert hrefs == [
        "https://c.net/?channels=#%23rust", "https://x.org/a%20b?q=%5B1%5D%25zz", "https://[::1]/ok#frag",
        "https://e.org/ü",
    ]
