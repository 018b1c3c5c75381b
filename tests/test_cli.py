"""The command line through click's CliRunner: exit codes, summaries and exact messages."""

from __future__ import annotations

import shutil
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
        "Built 7 article(s) from publisher.toml into build/: articles.epub, atom.xml, feed.css, feed.json, feeds.html, "
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
    assert lines[-1] == "Checked 10 source(s) and 0 feed(s) of publisher.toml: 2 error(s), 1 warning(s)."
    assert not (site / "build").exists()


def test_check_strict_and_github_format(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    assert run("check").exit_code == 0
    write(site / "articles" / "a.md", "---\ntitle: A\nmood: x\ndate: 2026-01-01\n---\n")
    assert run("check").exit_code == 0
    assert run("check", "--strict").exit_code == 1
    result = run("check", "--format", "github")
    assert ("::warning file=articles/a.md,line=3,title=unknown-key::unknown front-matter key 'mood' kept as "
            "extra metadata") in result.output


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


# --- issue 17: CI-friendly output, check writes nothing, helpful diagnostics ------------------


def _files(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")} if folder.exists() else {}


def test_check_writes_nothing_not_even_the_cache(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    assert run("check").exit_code == 0
    assert not (site / ".publisher-cache").exists() and not (site / "build").exists()
    assert run("build").exit_code == 0
    path = site / "articles" / "2026-11-20-cafe-kultur.md"
    path.write_text(path.read_text(encoding="utf-8").replace("best cardamom", "finest cardamom"), encoding="utf-8")
    before = _files(site / ".publisher-cache"), _files(site / "build")
    assert run("check").exit_code == 0
    assert (_files(site / ".publisher-cache"), _files(site / "build")) == before


def test_build_json_summary_and_diagnostics(site: Path, monkeypatch):
    import json

    monkeypatch.chdir(site)
    write(site / "articles" / "a.md", "---\ntitle: A\nautor: Someone\ndate: 2026-01-01\n---\nBody.\n")
    first = run("build", "--format", "json")
    assert first.exit_code == 0
    data = json.loads(first.stdout)
    assert data["ok"] is True and data["config"] == str(site / "publisher.toml")
    summary = data["summary"]
    assert summary["normalized"] == 8 and summary["articles"] == 8 and summary["unchanged"] == []
    assert "rss.xml" in summary["written"] and summary["removed"] == []
    assert data["diagnostics"] == [{
        "path": "articles/a.md", "line": 3, "column": None, "severity": "warning", "code": "unknown-key",
        "message": "unknown front-matter key 'autor' kept as extra metadata; did you mean 'author'?"}]
    path = site / "articles" / "2026-11-20-cafe-kultur.md"
    path.write_text(path.read_text(encoding="utf-8").replace("best cardamom", "finest cardamom"), encoding="utf-8")
    (site / "articles" / "a.md").unlink()
    again = json.loads(run("build", "--format", "json").stdout)["summary"]
    assert again["normalized"] == 1 and "rss.xml" in again["written"] and "feed.css" in again["unchanged"]
    assert again["removed"] == ["books/weekly-2026-W01.epub"]  # a.md was the only article that week


def test_check_json_and_failed_build_json(site: Path, monkeypatch):
    import json

    monkeypatch.chdir(site)
    write(site / "articles" / "bad.md", "---\ntitle: T\ndate: 2026-13-45\n---\n")
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["summary"]["sources"] == 8 and data["errors"] == 1
    (d,) = data["diagnostics"]
    assert (d["path"], d["line"], d["severity"], d["code"]) == ("articles/bad.md", 3, "error", "error")
    failed = run("build", "--format", "json")
    assert failed.exit_code == 1 and json.loads(failed.stdout)["diagnostics"][0]["path"] == "articles/bad.md"
    assert not (site / "build").exists()


def test_github_annotations_on_build_cannot_be_forged_by_a_file_name(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    name = "x\n::error file=evil.md,line=1::forged, 100%: owned.md"
    write(site / "articles" / name, "---\ntitle: A\nautor: B\ndate: 2026-01-01\n---\nBody.\n")
    result = run("build", "--format", "github")
    assert result.exit_code == 0
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotations == [
        "::warning file=articles/x%0A%3A%3Aerror file=evil.md%2Cline=1%3A%3Aforged%2C 100%25%3A owned.md,"
        "line=3,title=unknown-key::unknown front-matter key 'autor' kept as extra metadata; did you mean 'author'?"
    ]
    assert result.stdout.splitlines()[-1].startswith("Built 8 article(s)")


def test_quiet_and_verbose(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    verbose = run("build", "--verbose")
    assert "wrote build/rss.xml" in verbose.stdout.splitlines()
    assert "Normalized 7 article(s) from source; the others came from the cache." in verbose.stdout
    assert run("build", "--quiet").output == ""
    write(site / "articles" / "a.md", "---\ntitle: A\nmood: x\ndate: 2026-01-01\n---\n")
    quiet = run("check", "-q")
    assert quiet.stdout == "" and "unknown front-matter key 'mood'" in quiet.stderr


def test_progress_bar_only_on_a_terminal_outside_ci(site: Path, monkeypatch):
    import io

    from publisher.build import build as run_build
    from publisher.cli import _Progress
    from publisher.incremental.cache import Cache
    from tests.conftest import site_config

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = _Progress(stream, delay=0.0)
    run_build(site_config(site), cache=Cache(None), workers=1, progress=progress)
    progress.close()
    shown = stream.getvalue()
    assert "normalizing" in shown and "7/7" in shown and "writing feeds and books..." in shown
    slow = _Progress(Terminal(), delay=3600.0)  # a build quicker than the delay shows nothing
    slow("normalizing", 1, 7)
    slow("writing feeds and books", 0, 0)
    slow.close()
    assert slow.stream.getvalue() == ""
    import time

    late = _Progress(Terminal(), delay=0.05)  # a long step without a count is named once the delay is up
    late("writing feeds and books", 0, 0)
    time.sleep(0.5)
    late.close()
    assert late.stream.getvalue() == "writing feeds and books...\n"
    monkeypatch.setattr("sys.stderr", Terminal())
    monkeypatch.delenv("CI", raising=False)
    assert _Progress.wanted(quiet=False) is not None
    assert _Progress.wanted(quiet=True) is None
    monkeypatch.setenv("CI", "true")
    assert _Progress.wanted(quiet=False) is None


def test_did_you_mean_and_strict(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    write(site / "articles" / "a.md", "---\ntitle: A\nautor: Someone\ndate: 2026-01-01\n---\nBody.\n")
    config = (site / "publisher.toml").read_text(encoding="utf-8")
    write(site / "publisher.toml", config.replace("[site]", "[site]\nfeed_limt = 3", 1))
    result = run("build")
    assert result.exit_code == 0
    assert "publisher.toml: warning: unknown key site.feed_limt ignored; did you mean 'feed_limit'?" in result.stderr
    assert ("articles/a.md:3: warning: unknown front-matter key 'autor' kept as extra metadata; "
            "did you mean 'author'?") in result.stderr
    shutil.rmtree(site / "build")
    strict = run("build", "--strict")
    assert strict.exit_code == 1 and not (site / "build").exists()
    assert strict.stderr.splitlines()[-1] == "error: 1 warning(s), errors with --strict; nothing was written"
    write(site / "publisher.toml", config)
    strict = run("build", "--strict")
    assert strict.exit_code == 1 and not (site / "build").exists()
    assert strict.stderr.splitlines()[-1] == "error: 1 warning(s), errors with --strict; nothing was written"
    assert run("check", "--strict").exit_code == 1
    (site / "articles" / "a.md").unlink()
    assert run("build", "--strict").exit_code == 0
    write(site / "articles" / "a.md", "---\ntitle: A\nautor: Someone\ndate: 2026-01-01\n---\nBody.\n")
    assert run("build").exit_code == 0  # its state has the warning: a skipped --strict build fails too
    assert run("build", "--strict").exit_code == 1


def test_default_base_url_is_a_warning(tiny: Path, monkeypatch):
    monkeypatch.chdir(tiny)
    write(tiny / "publisher.toml", '[site]\ntitle = "T"\n')
    write(tiny / "articles" / "2026-01-01-a.md", "---\ntitle: A\n---\nBody.\n")
    result = run("check")
    assert ("publisher.toml: warning: site.base_url is not set: every URL in the feeds and books is under "
            "https://example.com/; set it to the site's address") in result.stderr
    assert run("check", "--strict").exit_code == 1


def test_no_config_anywhere_says_where_it_looked(tmp_path: Path, monkeypatch):
    site = tmp_path / "bare"
    write(site / "articles" / "2026-01-01-a.md", "---\ntitle: A\n---\nBody.\n")
    monkeypatch.chdir(site)
    from publisher.config import find_config

    if find_config(site) is not None:
        pytest.skip(f"a publisher.toml above the test folder: {find_config(site)}")
    result = run("check")
    assert result.exit_code == 0
    assert result.stderr.startswith("-: warning: no publisher.toml in . or any folder above it: built-in "
                                    "defaults, all URLs under https://example.com/")
    assert result.stdout.endswith("of built-in defaults (no publisher.toml) in .: 0 error(s), 1 warning(s).\n")


def test_config_is_found_by_walking_up_and_named_in_the_summary(site: Path, monkeypatch):
    monkeypatch.chdir(site / "articles")
    result = run("build")
    assert result.exit_code == 0, result.output
    assert (site / "build" / "rss.xml").is_file() and not (site / "articles" / "build").exists()
    assert result.stdout.startswith(f"Built 7 article(s) from {site / 'publisher.toml'} into {site / 'build'}/: ")
    assert f"of {site / 'publisher.toml'}:" in run("check").stdout


def test_config_error_in_json_and_github_formats(site: Path, monkeypatch):
    import json

    monkeypatch.chdir(site)
    write(site / "publisher.toml", '[site]\ntitle = \n')
    result = run("build", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["summary"] is None
    (d,) = data["diagnostics"]
    assert (d["path"], d["line"], d["severity"]) == ("publisher.toml", 2, "error")
    github = run("check", "--format", "github")
    assert github.exit_code == 1 and github.stdout.startswith("::error file=publisher.toml,line=2,")


def test_a_failed_build_still_shows_the_config_warnings(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    config = (site / "publisher.toml").read_text(encoding="utf-8")
    write(site / "publisher.toml", config.replace("[site]", "[site]\nfeed_limt = 3", 1))
    write(site / "articles" / "bad.md", "---\ntitle: T\ndate: 2026-13-45\n---\n")
    result = run("build")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "publisher.toml: warning: unknown key site.feed_limt ignored; did you mean 'feed_limit'?"
    assert lines[-1] == "error: 1 error(s); nothing was written"

