"""Normalisation: every bundled article validates, normalize is idempotent, bodies are cleaned."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from publisher import model, sources
from publisher.build import normalize_file
from publisher.errors import Reporter, SourceError
from publisher.model import ArticleView
from publisher.xmlutil import H, parse_xml, to_bytes
from tests.conftest import REPO, site_config, write

BUNDLED = sources.discover(REPO / "articles")


def test_bundled_articles_cover_the_model():
    assert len(BUNDLED) >= 7
    config = site_config(REPO)
    views = [ArticleView(normalize_file(p, config, Reporter())) for p in BUNDLED]
    assert {v.source for v in views} >= {"000_74b8af4278bed77c.txt"}
    assert any(len(v.authors) >= 2 for v in views)
    assert any(v.tags for v in views)
    assert any(v.resources for v in views)
    bodies = [etree.tostring(v.body, encoding="unicode") for v in views]
    assert any("<h:blockquote" in b for b in bodies)
    assert any("<h:ul" in b or "<h:ol" in b for b in bodies)
    assert any("<h:a " in b for b in bodies)
    assert any(any(ord(c) > 127 for c in b) for b in bodies)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_article_validates_against_shipped_schema(path: Path):
    root = normalize_file(path, site_config(REPO), Reporter())
    # validate the serialized form as a consumer would, not the in-memory tree
    reparsed = parse_xml(to_bytes(root))
    assert model.schema().validate(reparsed), model.schema().error_log


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_normalize_is_idempotent(path: Path, tmp_path: Path):
    config = site_config(REPO)
    first = to_bytes(normalize_file(path, config, Reporter()))
    again_path = write(tmp_path / "again.xml", first)
    second = to_bytes(normalize_file(again_path, config, Reporter()))
    assert second == first


def _normalize(site: Path, name: str, text: str, report: Reporter | None = None):
    path = write(site / "articles" / name, text)
    return normalize_file(path, site_config(site), report or Reporter())


def test_sanitizer_removes_scripts_handlers_and_javascript_urls_with_warnings(tiny: Path):
    report = Reporter()
    root = _normalize(
        tiny,
        "x.md",
        "---\ntitle: T\ndate: 2026-01-01\n---\n\n<div onclick=\"evil()\">kept <script>bad()</script>text</div>\n\n"
        "<a href=\"javascript:alert(1)\">link</a> <iframe src=\"https://x\"></iframe>\n",
        report,
    )
    body = etree.tostring(ArticleView(root).body, encoding="unicode")
    assert "script" not in body and "onclick" not in body and "javascript" not in body and "iframe" not in body
    assert "kept " in body and "text" in body and ">link<" in body
    messages = [d.message for d in report.warnings]
    assert "removed <script> and its content (articles run no code and embed no documents)" in messages
    assert "removed event-handler attribute onclick= from <div>" in messages
    assert "<a href=...>: removed a javascript: URL (articles carry no scripts or embedded documents)" in messages
    assert "removed <iframe> and its content (articles run no code and embed no documents)" in messages


def test_form_feed_is_removed_with_a_warning(tiny: Path, monkeypatch):
    monkeypatch.chdir(tiny)
    report = Reporter()
    root = _normalize(tiny, "ff.md", "---\ntitle: T\ndate: 2026-01-01\n---\n\nPage\x0cbreak\n", report)
    assert "Pagebreak" in "".join(ArticleView(root).body.itertext())
    assert [d.format() for d in report.warnings] == [
        "articles/ff.md:6:5: warning: removed U+000C, a character XML 1.0 cannot hold"
    ]


def test_relative_links_become_absolute_against_the_canonical_url(tiny: Path):
    root = _normalize(tiny, "2026-01-01-a.md", "---\ntitle: T\n---\n\n[up](../b/) [frag](#x) [abs](https://e.org/)\n")
    hrefs = [a.get("href") for a in ArticleView(root).body.iter(H + "a")]
    assert hrefs == ["https://test.example/articles/b/", "#x", "https://e.org/"]


def test_local_image_becomes_a_resource(tiny: Path):
    write(tiny / "articles" / "img" / "p.png", b"\x89PNG\r\n\x1a\n")
    root = _normalize(tiny, "2026-01-01-a.md", "---\ntitle: T\n---\n\n![alt](img/p.png)\n")
    view = ArticleView(root)
    assert [(r.href, r.path, r.type) for r in view.resources] == [
        ("https://test.example/media/img/p.png", "img/p.png", "image/png")
    ]
    assert next(view.body.iter(H + "img")).get("src") == "https://test.example/media/img/p.png"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.md", "---\ndate: 2026-01-01\n---\nBody.\n", "a.md:1: error: the article has no headline; add a 'title' to its front matter"),
        ("b.md", "---\ntitle: T\ndate: yesterday\n---\n", "b.md:3: error: date: 'yesterday' is not an ISO 8601 date or date-time (e.g. 2026-11-20 or 2026-11-20T09:30:00+01:00)"),
        ("c.md", "---\ntitle: T\n---\n", "c.md: error: the article has no date; add 'date: YYYY-MM-DD' to its front matter or sidecar, or put the date in its path (YYYY-MM-DD-slug or YYYY/MM/DD/slug)"),
        ("d.md", "---\ntitle: T\ndate: 2026-01-01\n---\n![x](missing.png)\n", "d.md:5: error: image 'missing.png' not found (looked for missing.png); fix the path or add the file"),
        ("e.md", "---\ntitle: T\ndate: 2026-01-01\n---\n![x](../../outside.png)\n", "e.md:5: error: image '../../outside.png' is outside the articles folder; copy it into articles/"),
        ("f.md", "---\ntitle: T\ndate: 2026-01-02\nupdated: 2026-01-01\n---\n", "f.md:4: error: updated is earlier than date; fix one of them"),
        ("g.md", "---\ntitle: T\ndate: 2026-01-01\nlang: not a lang\n---\n", "g.md:4: error: lang 'not a lang' is not a BCP 47 language tag (e.g. en, de-CH)"),
    ],
)
def test_source_errors_name_file_line_and_fix(tiny: Path, monkeypatch, name, text, message):
    monkeypatch.chdir(tiny / "articles")
    with pytest.raises(SourceError) as err:
        _normalize(tiny, name, text)
    assert err.value.formatted() == message


def test_sidecar_metadata_overrides_wire_source(tiny: Path):
    write(tiny / "articles" / "w.txt", "Head\n\nBody text.\n")
    write(tiny / "articles" / "w.meta.yaml", "date: 2026-02-03T04:05:06Z\nid: wire-42\ntags: [X]\n")
    view = ArticleView(normalize_file(tiny / "articles" / "w.txt", site_config(tiny), Reporter()))
    assert (view.id, view.published, view.tags) == ("wire-42", "2026-02-03T04:05:06+00:00", [("x", "X")])
    assert [a.name for a in view.authors] == ["Staff"]  # the site's default author


def test_naive_dates_take_the_site_zone(tiny: Path):
    view = ArticleView(_normalize(tiny, "z.md", "---\ntitle: T\ndate: 2026-07-01T12:00:00\n---\n"))
    assert view.published == "2026-07-01T12:00:00+02:00"  # Europe/Berlin in summer


def test_id_uri_is_stable_across_title_and_path_changes(tiny: Path):
    a = ArticleView(_normalize(tiny, "one.md", "---\ntitle: A\nid: story-1\ndate: 2026-01-01\n---\n"))
    b = ArticleView(_normalize(tiny, "sub/two.md", "---\ntitle: B\nid: story-1\ndate: 2026-01-01\n---\n"))
    assert a.uri == b.uri and a.uri.startswith("urn:uuid:")


def test_typography_applies_to_headline_deck_summary_bio_and_body_of_wire_and_markdown(tiny: Path):
    wire = ArticleView(normalize_file(write(tiny / "articles" / "2026-01-01-w.txt",
        "It's \"here\"\n\nThe 'deck'\n\n\"Quote\" -- said.\n\nAuthor: Ann\n\nAnn's bio...\n"), site_config(tiny), Reporter()))
    assert (wire.headline, wire.deck, wire.summary) == ("It’s “here”", "The ‘deck’", "“Quote” – said.")
    assert "".join(wire.authors[0].bio[0].itertext()) == "Ann’s bio…"
    md = ArticleView(_normalize(tiny, "2026-01-01-m.md",
        "---\ntitle: It's \"here\"\ndeck: The 'deck'\nlang: de\n---\n\n\"Zitat\" -- `code \"x\"`\n"))
    assert (md.headline, md.deck) == ("It’s „here“", "The ‚deck‘")
    assert etree.tostring(md.body, encoding="unicode").count("„Zitat“ – <h:code>code \"x\"</h:code>") == 1


def test_links_to_article_sources_resolve_to_their_canonical_url(tiny: Path):
    write(tiny / "articles" / "sub" / "2026-01-01-target.md", "---\ntitle: Target\nslug: the-target\n---\nT.\n")
    write(tiny / "articles" / "w.txt", "Wire\n\nText.\n")
    write(tiny / "articles" / "w.meta.yaml", "date: 2026-01-01\ncanonical: https://elsewhere.example/w\n")
    root = _normalize(
        tiny,
        "2026-01-02-src.md",
        "---\ntitle: S\n---\n\n[a](sub/2026-01-01-target.md#part) [b](w.txt) [c](missing.md) [d](../x/)\n",
    )
    hrefs = [a.get("href") for a in ArticleView(root).body.iter(H + "a")]
    assert hrefs == [
        "https://test.example/articles/the-target/#part",
        "https://elsewhere.example/w",
        "https://test.example/articles/src/missing.md",
        "https://test.example/articles/x/",
    ]


def test_sanitizer_warnings_carry_the_markdown_line(tiny: Path, monkeypatch):
    monkeypatch.chdir(tiny)
    report = Reporter()
    _normalize(tiny, "2026-01-01-s.md", "---\ntitle: T\n---\n\nFine.\n\n<div>\n<script>x()</script>\n</div>\n\nText <b onclick=\"y()\">b</b>\n", report)
    assert [d.format() for d in report.warnings] == [
        "articles/2026-01-01-s.md:8: warning: removed <script> and its content (articles run no code and embed no documents)",
        "articles/2026-01-01-s.md:11: warning: removed event-handler attribute onclick= from <b>",
    ]


def test_zola_style_path_key_gives_canonical_slug_id_and_date(tiny: Path):
    # site.path_trailing_slash: the path names a folder, as Zola serves it
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text() + "path_trailing_slash = true\n")
    view = ArticleView(_normalize(tiny, "post/index.md", '+++\ntitle = "T"\npath = "2019/11/19/infra-meeting"\n+++\nX\n'))
    assert (view.canonical, view.slug, view.id, view.published) == (
        "https://test.example/2019/11/19/infra-meeting/",
        "2019-11-19-infra-meeting",
        "2019/11/19/infra-meeting",
        "2019-11-19T00:00:00+01:00",
    )


def test_date_from_path_can_be_switched_off(tiny: Path):
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text() + "date_from_path = false\n")
    with pytest.raises(SourceError, match="the article has no date"):
        _normalize(tiny, "2026-01-01-x.md", "---\ntitle: T\n---\n")


def test_missing_images_remote_policy_links_with_a_warning(tiny: Path):
    write(tiny / "publisher.toml", (tiny / "publisher.toml").read_text() + 'missing_images = "remote"\n')
    report = Reporter()
    root = _normalize(tiny, "2026-01-01-x.md", "---\ntitle: T\n---\n\n![a](pic.png)\n", report)
    assert next(ArticleView(root).body.iter(H + "img")).get("src") == "https://test.example/articles/x/pic.png"
    assert [d.message for d in report.warnings] == [
        "image 'pic.png' not found (looked for pic.png); linking it as "
        "https://test.example/articles/x/pic.png (site.missing_images = \"remote\")"
    ]


def test_historic_local_mean_time_offsets_are_written_in_utc(tiny: Path):
    view = ArticleView(_normalize(tiny, "old.md", "---\ntitle: Old\ndate: 1850-06-01\n---\n"))
    assert view.published == "1850-05-31T23:06:32+00:00"  # Berlin's LMT was +00:53:28


def test_word_html_namespaced_tags_are_unwrapped_with_a_warning(tiny: Path, monkeypatch):
    monkeypatch.chdir(tiny)
    report = Reporter()
    root = _normalize(tiny, "2026-01-01-w.md", '---\ntitle: T\n---\n\nIntro.\n\n<p class="MsoNormal">Hi<o:p></o:p> there</p>\n', report)
    assert "Hi there" in "".join(ArticleView(root).body.itertext())
    assert [d.format() for d in report.warnings] == [
        "articles/2026-01-01-w.md:7: warning: unwrapped <o:p>: not in the article vocabulary; its text is kept"
    ]


def test_inline_svg_keeps_its_namespace_and_case(tiny: Path):
    root = _normalize(tiny, "2026-01-01-s.md", '---\ntitle: T\n---\n\n<svg viewBox="0 0 2 2"><circle r="1"/></svg>\n')
    svg = next(ArticleView(root).body.iter("{http://www.w3.org/2000/svg}svg"))
    assert svg.get("viewBox") == "0 0 2 2" and svg[0].tag == "{http://www.w3.org/2000/svg}circle"


def test_non_ascii_tags_get_a_stable_slug(tiny: Path):
    import hashlib

    view = ArticleView(_normalize(tiny, "2026-01-01-t.md", "---\ntitle: T\ntags: [港口, Ελλάδα, Café]\n---\n"))
    hashed = ["t-" + hashlib.sha1(t.encode()).hexdigest()[:10] for t in ("港口", "Ελλάδα")]
    assert view.tags == [(hashed[0], "港口"), (hashed[1], "Ελλάδα"), ("cafe", "Café")]


def test_dtd_in_article_xml_is_refused(tiny: Path):
    path = write(tiny / "articles" / "x.xml", '<?xml version="1.0"?>\n<!DOCTYPE article [<!ENTITY e "x">]>\n<article/>\n')
    with pytest.raises(SourceError, match="must not have a DTD"):
        normalize_file(path, site_config(tiny), Reporter())


def test_nothing_inside_a_removed_element_is_looked_at(tiny: Path):
    """A handler or a missing image inside a removed <script>/<object> is gone with it: no
    warning, no error, no resource."""
    report = Reporter()
    root = _normalize(
        tiny, "2026-01-01-inside.md",
        "---\ntitle: T\n---\n\n<div><object><img src=\"missing.png\" onclick=\"x()\"></object>"
        "<i onmouseover=\"y()\">kept</i></div>\n",
        report,
    )
    assert [d.message for d in report.warnings] == [
        "removed <object> and its content (articles run no code and embed no documents)",
        "removed event-handler attribute onclick= from <img>",
        "removed event-handler attribute onmouseover= from <i>",
    ]
    assert not ArticleView(root).resources
    assert b"line" not in to_bytes(root).split(b"<body", 1)[1]  # the readers' line marks are gone


def test_links_through_symbolic_links_resolve_as_path_resolve_does(tiny: Path):
    """Links and images are found through linked folders and files, and `..`, as
    Path.resolve() finds them (the normalizer resolves each folder once)."""
    import os

    arts = tiny / "articles"
    write(arts / "real" / "2026-01-01-target.md", "---\ntitle: Target\nslug: the-target\n---\nT.\n")
    write(arts / "real" / "pic.png", bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                                    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"))
    os.symlink("real", arts / "alias")
    os.symlink("2026-01-01-target.md", arts / "real" / "linked.md")
    root = _normalize(
        tiny, "sub/2026-01-02-src.md",
        "---\ntitle: S\n---\n\n[a](../alias/2026-01-01-target.md) [b](../alias/linked.md) "
        "[c](../real/./2026-01-01-target.md) [d](..) ![p](../alias/pic.png)\n",
    )
    body = ArticleView(root).body
    hrefs = [a.get("href") for a in body.iter(H + "a")]
    assert hrefs[:3] == ["https://test.example/articles/the-target/"] * 3
    assert hrefs[3] == "https://test.example/articles/"
    assert next(body.iter(H + "img")).get("src") == "https://test.example/media/real/pic.png"
