"""Sources that are not articles: redirect stubs (and every article's aliases) go to build/_redirects
and build/redirects.json; .txt files are wire stories only where configured or wire-shaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.build import build
from publisher.cli import cli
from publisher.config import load_config
from publisher.errors import BuildFailed
from tests.conftest import MINIMAL_CONFIG, write

ARTICLE = "---\ntitle: {title}\ndate: 2026-01-0{n}\n{more}---\n\nText.\n"


def _build(root: Path):
    config, _ = load_config(root / "publisher.toml")
    return build(config)


def test_redirect_stubs_and_aliases_make_a_redirects_file(tiny: Path):
    articles = tiny / "articles"
    write(articles / "new-home.md", ARTICLE.format(title="Home", n=1, more="aliases: [/old/home/, old-home.html]\n"))
    write(articles / "moved.md", "---\nredirect: /articles/new-home/\n---\n")
    write(articles / "gone.md", "---\ntitle: Gone\nredirect_to: https://elsewhere.example/post\n"
                                "aliases: ['/2019/gone']\n---\n")
    write(articles / "2026-01-02-second.md", ARTICLE.format(title="Second", n=2, more=""))
    result = _build(tiny)
    assert result.articles == 2 and result.diagnostics == []
    assert (tiny / "build" / "_redirects").read_text() == (
        "# Redirects made by publisher from the sources' redirect and aliases keys (Netlify and Cloudflare Pages "
        "format).\n"
        "/2019/gone https://elsewhere.example/post 301\n"
        "/articles/gone/ https://elsewhere.example/post 301\n"
        "/articles/moved/ /articles/new-home/ 301\n"
        "/old-home.html /articles/new-home/ 301\n"
        "/old/home/ /articles/new-home/ 301\n")
    data = json.loads((tiny / "build" / "redirects.json").read_text())
    assert data["redirects"][0] == {"from": "https://test.example/2019/gone", "to": "https://elsewhere.example/post",
                                    "status": 301, "source": "gone.md"}
    rss = (tiny / "build" / "rss.xml").read_text()
    assert "Gone" not in rss and "moved" not in rss  # stubs are in no feed


def test_a_site_without_redirects_gets_no_redirects_file(tiny: Path):
    write(tiny / "articles" / "a.md", ARTICLE.format(title="A", n=1, more=""))
    _build(tiny)
    assert not (tiny / "build" / "_redirects").exists() and not (tiny / "build" / "redirects.json").exists()


def test_a_redirect_beside_article_keys_is_an_error(tiny: Path):
    write(tiny / "articles" / "a.md", "---\ntitle: A\ndate: 2026-01-01\nredirect: /b/\n---\nSome text.\n")
    with pytest.raises(BuildFailed) as err:
        _build(tiny)
    assert "a.md:4: error: a redirect is not an article, but this source has date and a body as well" \
        in err.value.formatted()


def test_one_address_sent_to_two_places_is_an_error_naming_both(tiny: Path):
    write(tiny / "articles" / "a.md", "---\nredirect: /x/\naliases: [/old/]\n---\n")
    write(tiny / "articles" / "b.md", "---\nredirect: /y/\naliases: [/old/]\n---\n")
    write(tiny / "articles" / "c.md", ARTICLE.format(title="C", n=1, more=""))
    with pytest.raises(BuildFailed) as err:
        _build(tiny)
    assert "b.md:3: error: https://test.example/old/ is sent to https://test.example/y/ here and to " \
           "https://test.example/x/ by a.md; keep one" in err.value.formatted()


def test_a_redirect_to_a_script_url_is_an_error(tiny: Path):
    write(tiny / "articles" / "a.md", "---\nredirect: javascript:alert(1)\n---\n")
    write(tiny / "articles" / "c.md", ARTICLE.format(title="C", n=1, more=""))
    with pytest.raises(BuildFailed) as err:
        _build(tiny)
    assert "a.md:2: error: redirect 'javascript:alert(1)' must be a path on this site or an http(s) URL" \
        in err.value.formatted()


def test_normalize_says_a_stub_is_not_an_article(tiny: Path):
    path = write(tiny / "articles" / "a.md", "---\nredirect: /x/\n---\n")
    result = CliRunner().invoke(cli, ["normalize", "--config", str(tiny / "publisher.toml"), str(path)])
    assert result.exit_code == 1 and "a redirect, not an article" in result.output + (result.stderr or "")


WIRE = "Headline of the story\n\nFirst paragraph of it.\n\nAuthor: Ann Lee\n"


def test_txt_files_are_wire_stories_only_when_shaped_configured_or_with_a_sidecar(tiny: Path):
    articles = tiny / "articles"
    write(articles / "story.txt", WIRE)  # an Author: trailer
    write(articles / "headed.txt", "Date: 2026-01-02\n\nHeadline\n\nBody.\n")  # a header block
    write(articles / "LICENSE.txt", "MIT License\n\nPermission is hereby granted.\n")
    write(articles / "data/values.txt", "1 2 3\n4 5 6\n")
    write(articles / "side.txt", "A headline\n\nBody.\n")
    write(articles / "side.meta.yaml", "date: 2026-01-03\n")
    write(articles / "feeds/plain.txt", "Plain headline\n\nPlain body.\n")
    write(tiny / "publisher.toml", MINIMAL_CONFIG + 'date_from_path = true\nwire_glob = ["feeds/*.txt"]\n')
    write(articles / "feeds/plain.meta.yaml", "date: 2026-01-04\n")
    write(articles / "story.meta.yaml", "date: 2026-01-01\n")
    result = _build(tiny)
    assert result.articles == 4, [d.format() for d in result.diagnostics]
    assert sorted(result.assets) == ["LICENSE.txt", "data/values.txt"]
    rss = (tiny / "build" / "rss.xml").read_text()
    assert "MIT License" not in rss and "Headline of the story" in rss


def test_verbose_lists_the_txt_files_read_as_assets(tiny: Path):
    write(tiny / "articles" / "a.md", ARTICLE.format(title="A", n=1, more=""))
    write(tiny / "articles" / "LICENSE.txt", "MIT License\n")
    result = CliRunner().invoke(cli, ["build", "--config", str(tiny / "publisher.toml"), "-v"])
    assert result.exit_code == 0, result.output
    assert "not an article: LICENSE.txt, a text file without the wire shape" in result.output


def test_exclude_still_works_on_txt_and_stubs(tiny: Path):
    write(tiny / "articles" / "a.md", ARTICLE.format(title="A", n=1, more=""))
    write(tiny / "articles" / "story.txt", "Date: 2026-01-02\n\nHeadline\n\nBody.\n")
    write(tiny / "articles" / "stub.md", "---\nredirect: /x/\n---\n")
    write(tiny / "publisher.toml", MINIMAL_CONFIG + 'exclude = ["story.txt", "stub.md"]\n')
    result = _build(tiny)
    assert result.articles == 1 and not (tiny / "build" / "_redirects").exists()


def test_check_reports_a_bad_redirect_too(tiny: Path):
    write(tiny / "articles" / "a.md", "---\nredirect: ftp://x.example/\n---\n")
    write(tiny / "articles" / "c.md", ARTICLE.format(title="C", n=1, more=""))
    result = CliRunner().invoke(cli, ["check", "--config", str(tiny / "publisher.toml")])
    assert result.exit_code == 1
    assert "a.md:2: error: redirect 'ftp://x.example/' must be a path on this site or an http(s) URL" \
        in result.output + (result.stderr or "")


def test_check_finds_an_alias_sent_to_two_places_as_the_build_does(tiny: Path):
    write(tiny / "articles" / "2026-01-01-a.md", ARTICLE.format(title="A", n=1, more="aliases: [/old/port/]\n"))
    write(tiny / "articles" / "2026-01-02-b.md", ARTICLE.format(title="B", n=2, more="aliases: [/old/port/]\n"))
    result = CliRunner().invoke(cli, ["check", "--config", str(tiny / "publisher.toml")])
    assert result.exit_code == 1 and "/old/port/ is sent to" in result.output + (result.stderr or "")


@pytest.mark.parametrize("target", ["https://evil.example/a?b 200! x", "https://evil.example 200!/x",
                                    "/a\tb", "https://evil.example/a\n/b 200"])
def test_a_redirect_target_with_spaces_cannot_add_fields_to_a_redirects_line(tiny: Path, target: str):
    write(tiny / "articles" / "a.md", "---\nredirect: " + json.dumps(target) + "\n---\n")
    write(tiny / "articles" / "c.md", ARTICLE.format(title="C", n=1, more=""))
    with pytest.raises(BuildFailed) as err:
        _build(tiny)
    assert "with no spaces" in err.value.formatted()
    assert not (tiny / "build" / "_redirects").exists()
