"""The command line through click's CliRunner: exit codes, summaries and exact messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import cli
from tests.conftest import copy_site, write


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help(command: str):
    result = run(command, "--help")
    assert result.exit_code == 0
    summary = cli.commands[command].help.split("\n")[0]
    assert summary and " ".join(summary.split()) in " ".join(result.output.split())


def test_build_prints_a_summary(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Built 7 article(s) into build/: articles.epub, atom.xml, feed.css, feed.json, feeds.html, "
        "feeds.opml, rss.xml, authors/ (15), books/ (16), media/ (1), tags/ (33); "
        "72 file(s) written, 0 unchanged.\n"
    )
    assert run("build").output.endswith("; 0 file(s) written, 72 unchanged.\n")


def test_build_failure_exits_non_zero_with_file_and_line(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    write(site / "articles" / "bad.md", "---\ntitle: T\ndate: 2026-13-45\n---\n")
    result = run("build")
    assert result.exit_code == 1
    assert result.output == (
        "articles/bad.md:3: error: date: '2026-13-45' is not an ISO 8601 date or date-time "
        "(e.g. 2026-11-20 or 2026-11-20T09:30:00+01:00)\n"
        "error: 1 error(s); nothing was written\n"
    )
    assert not (site / "build").exists()


def test_check_reports_all_problems_and_writes_nothing(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    write(site / "articles" / "a.md", "---\ntitle: A\nmood: x\ndate: 2026-01-01\n---\n")
    write(site / "articles" / "b.md", "---\ndate: 2026-01-01\n---\n")
    write(site / "articles" / "c.md", "---\ntitle: C\n---\n")
    result = run("check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "articles/a.md:3: warning: unknown front-matter key 'mood' kept as extra metadata" in lines
    assert "articles/b.md:1: error: the article has no headline; add a 'title' to its front matter" in lines
    assert any(line.startswith("articles/c.md: error: the article has no date") for line in lines)
    assert lines[-1] == "Checked 10 source(s) and 0 feed(s): 2 error(s), 1 warning(s)."
    assert not (site / "build").exists()


def test_check_strict_and_github_format(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    assert run("check").exit_code == 0
    write(site / "articles" / "a.md", "---\ntitle: A\nmood: x\ndate: 2026-01-01\n---\n")
    assert run("check").exit_code == 0
    assert run("check", "--strict").exit_code == 1
    result = run("check", "--format", "github")
    assert "::warning file=articles/a.md,line=3::unknown front-matter key 'mood' kept as extra metadata" in result.output


def test_normalize_prints_article_xml(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    result = run("normalize", "articles/000_74b8af4278bed77c.txt")
    assert result.exit_code == 0
    assert result.output.startswith("<?xml version='1.0' encoding='utf-8'?>\n<article xmlns=\"urn:publisher:article:1\"")
    assert "<headline>Libya’s Gen. Hifter Meets Russia FM, Seeking Support</headline>" in result.output


def test_bad_config_is_reported_with_line(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    write(site / "publisher.toml", '[site]\ntitle = "x"\nbase_url = "not a url"\ntimezone = "Mars/Base"\n')
    result = run("build")
    assert result.exit_code == 1
    assert result.output == (
        "publisher.toml: error: site.base_url must be an absolute http(s) URL, got 'not a url'; "
        "site.timezone 'Mars/Base' is not an IANA time zone (e.g. Europe/Berlin)\n"
    )
    write(site / "publisher.toml", '[site]\ntitle = \n')
    result = run("build")
    assert result.output.startswith("publisher.toml:2:")


def test_build_now_option_and_summary_of_left_out_articles(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    write(site / "articles" / "2030-01-01-future.md", "---\ntitle: Future\n---\nLater.\n")
    result = run("build", "--now", "2026-11-25T12:00:00Z")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "Left out: 0 draft(s), 1 article(s) dated in the future."
    bad = run("build", "--now", "tomorrow")
    assert bad.exit_code == 2 and "Invalid value for '--now'" in bad.output


def test_check_validates_the_written_feeds(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    assert run("build").exit_code == 0
    result = run("check")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1].startswith("Checked 7 source(s) and ")
    rss = site / "build" / "rss.xml"
    rss.write_bytes(rss.read_bytes().replace(b"<title>The Harbour Dispatch</title>", b"", 1))
    result = run("check")
    assert result.exit_code == 1
    assert "build/rss.xml:4: error: <channel> has no <title>" in result.output


def test_the_installed_command_prints_everything_and_exits_with_the_right_code(tmp_path: Path):
    """``publisher`` (cli.main) leaves with os._exit after a command: its output must still be
    complete when piped, and its exit codes those of click."""
    import subprocess
    import sys

    site = copy_site(tmp_path / "site")
    ok = subprocess.run([sys.executable, "-m", "publisher", "build", "--now", "2026-11-24T12:00:00Z"],
                        cwd=site, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("Built 7 article(s)") and ok.stdout.endswith("\n")
    bad = subprocess.run([sys.executable, "-m", "publisher", "build", "--now", "soon"],
                         cwd=site, capture_output=True, text=True)
    assert bad.returncode == 2 and "is not an ISO 8601 date" in bad.stderr
    (site / "articles" / "broken.md").write_text("---\ntitle: [unclosed\n---\nx\n", encoding="utf-8")
    failed = subprocess.run([sys.executable, "-m", "publisher", "build"], cwd=site, capture_output=True, text=True)
    assert failed.returncode == 1 and "broken.md" in failed.stderr
