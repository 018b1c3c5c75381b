"""publisher init and publisher new: what they write, that it builds cleanly, and that they never overwrite."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import cli
from publisher.config import Config, load_config
from publisher.scaffold import config_text, site_keys
from tests.conftest import REPO, epubcheck, write

DAY = dt.date(2026, 11, 30)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- publisher init ------------------------------------------------------------------------------


def test_config_text_names_every_site_key_with_its_default_and_meaning():
    text = config_text("Dispatch")
    from publisher.config import _SITE_KEYS  # what load_config reads from [site]

    assert len(_SITE_KEYS) > 25
    for name in _SITE_KEYS:
        assert re.search(rf"^# {name} = |^{name} = ", text, re.M), name
    assert "[authors." in text and "[[editions]]" in text
    assert set(site_keys()) >= {"title", "base_url", "feed_limit", "theme_dir"}
    # the meaning comes from the field's own comment in publisher/config/__init__.py
    assert "# How many of the newest articles each subscription feed carries" in text
    # every commented default is the real default, and parses as TOML
    site_table = text.split("[authors.")[0]
    uncommented = "\n".join(line[2:] if re.match(r"# \w+ = ", line) else line for line in site_table.splitlines())
    site = tomllib.loads(uncommented)["site"]
    defaults = Config()
    assert {k: v for k, v in site.items() if k != "title"} == {
        k: getattr(defaults, k) for k in site_keys() if k != "title"}


def test_init_writes_a_site_that_builds_and_whose_book_passes_epubcheck(tmp_path: Path):
    folder = tmp_path / "harbour-news"
    result = run("init", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(_tree(folder)) == [".github/workflows/publish.yml", ".gitignore",
                                     f"articles/{dt.datetime.now(dt.UTC).date().isoformat()}-welcome.md",
                                     "publisher.toml"]
    assert (folder / ".github/workflows/publish.yml").read_bytes() == (REPO / "docs/ci/publish.yml").read_bytes()
    assert {"/build/", "/.publisher-cache/"} <= set((folder / ".gitignore").read_text().split())
    config, diagnostics = load_config(folder / "publisher.toml")
    assert config.title == "Harbour News"
    assert [d.code for d in diagnostics] == ["default-base-url"]  # the one thing to set first
    result = run("build", "--config", str(folder / "publisher.toml"))
    assert result.exit_code == 0, result.output
    found = epubcheck(folder / "build" / "articles.epub")
    assert not found.of("FATAL", "ERROR", "WARNING"), found.summary()


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path):
    folder = tmp_path / "site"
    write(folder / ".gitignore", "mine\n")
    before = _tree(folder)
    result = run("init", str(folder))
    assert result.exit_code == 1
    assert re.search(r"\.gitignore: error: already exists; nothing was written", result.output), result.output
    assert _tree(folder) == before


def test_init_defaults_to_this_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    assert (tmp_path / "publisher.toml").is_file() and (tmp_path / "articles").is_dir()


# --- publisher new -------------------------------------------------------------------------------


CONFIG = '[site]\ntitle = "Test"\nbase_url = "https://test.example/"\ntimezone = "Europe/Berlin"\n'


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    write(tmp_path / "publisher.toml", CONFIG)
    (tmp_path / "articles").mkdir()
    return tmp_path


def new(desk: Path, *args: str):
    return run("new", "--config", str(desk / "publisher.toml"), *args)


def test_new_writes_markdown_with_front_matter_that_builds_cleanly(desk: Path):
    result = new(desk, "Café owners fear the “new” harbour: 港口", "-a", "Mara Lindqvist", "-a", "Tomás Ó Briain",
                 "-t", "Port", "-t", "City Council", "--date", "2026-11-30")
    assert result.exit_code == 0, result.output
    path = desk / "articles" / "2026-11-30-cafe-owners-fear-the-new-harbour.md"
    assert result.output.strip().endswith(str(path.relative_to(desk))) or str(path) in result.output
    text = path.read_text(encoding="utf-8")
    assert 'title: "Café owners fear the “new” harbour: 港口"' in text
    assert "date: 2026-11-30" in text and '- "Tomás Ó Briain"' in text
    built = run("build", "--strict", "--config", str(desk / "publisher.toml"))
    assert built.exit_code == 0, built.output
    feed = (desk / "build" / "atom.xml").read_text(encoding="utf-8")
    assert "Café owners fear the “new” harbour: 港口" in feed and "Tomás Ó Briain" in feed
    assert (desk / "build" / "tags" / "city-council").is_dir()


def test_new_wire_format_builds_cleanly(desk: Path):
    result = new(desk, "Tide tables explained", "--format", "txt", "-a", "Jane Roe", "-t", "Port",
                 "--date", "2026-11-30")
    assert result.exit_code == 0, result.output
    path = desk / "articles" / "2026-11-30-tide-tables-explained.txt"
    assert path.read_text(encoding="utf-8").startswith("Date: 2026-11-30\nTags: Port\n\nTide tables explained\n")
    built = run("build", "--strict", "--config", str(desk / "publisher.toml"))
    assert built.exit_code == 0, built.output
    feed = (desk / "build" / "rss.xml").read_text(encoding="utf-8")
    assert "Tide tables explained" in feed and "Jane Roe" in feed and "2026-11-30" in feed.replace(
        "30 Nov 2026", "2026-11-30")


def test_new_refuses_to_overwrite(desk: Path):
    assert new(desk, "Budget", "--date", "2026-11-30").exit_code == 0
    path = desk / "articles" / "2026-11-30-budget.md"
    path.write_text("---\ntitle: Mine\n---\n\nMine.\n", encoding="utf-8")
    result = new(desk, "Budget!", "--date", "2026-11-30")
    assert result.exit_code == 1
    assert "2026-11-30-budget.md: error: already exists" in result.output
    assert path.read_text(encoding="utf-8") == "---\ntitle: Mine\n---\n\nMine.\n"


@pytest.mark.parametrize(("headline", "name"), [
    ("港口 Ελλάδα", "2026-11-30-t-"),  # no ASCII letters: a stable hashed slug
    ("!!! ???", "2026-11-30-article.md"),  # nothing to make a slug of
    ("Šibenik übt", "2026-11-30-sibenik-ubt.md"),  # accents folded
])
def test_new_headlines_without_an_ascii_slug(desk: Path, headline: str, name: str):
    result = new(desk, headline, "--date", "2026-11-30")
    assert result.exit_code == 0, result.output
    (written,) = (desk / "articles").iterdir()
    assert written.name.startswith(name)
    assert run("build", "--strict", "--config", str(desk / "publisher.toml")).exit_code == 0


def test_new_follows_the_sites_folder_layout(desk: Path):
    write(desk / "articles" / "2025" / "03" / "01" / "first.md", "---\ntitle: First\n---\n\nText.\n")
    write(desk / "articles" / "2025" / "04" / "02" / "second.md", "---\ntitle: Second\n---\n\nText.\n")
    write(desk / "articles" / "loose.md", "---\ntitle: Loose\ndate: 2025-01-01\n---\n\nText.\n")
    result = new(desk, "Third one", "--date", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert (desk / "articles" / "2026" / "11" / "30" / "third-one.md").is_file()
    assert run("build", "--strict", "--config", str(desk / "publisher.toml")).exit_code == 0


def test_new_date_and_usage_errors(desk: Path):
    assert new(desk, "X", "--date", "30.11.2026").exit_code == 2
    result = new(desk, "  ")
    assert result.exit_code == 1 and "headline is empty" in result.output


def test_new_defaults_to_today_in_the_sites_zone(desk: Path):
    assert new(desk, "Today").exit_code == 0
    (written,) = (desk / "articles").iterdir()
    today = dt.datetime.now(Config(timezone="Europe/Berlin").zone).date()
    assert written.name in (f"{today.isoformat()}-today.md", f"{(today - dt.timedelta(days=1)).isoformat()}-today.md")


def test_new_outside_a_site_says_to_run_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = run("new", "Headline")
    assert result.exit_code == 1 and "run `publisher init` first" in result.output
    assert not any(tmp_path.iterdir())
