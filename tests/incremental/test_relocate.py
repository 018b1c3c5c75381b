"""The cache does not depend on where the checkout is: CI restores it into a fresh clone elsewhere."""

from __future__ import annotations

import shutil
from pathlib import Path

from publisher.build import build
from publisher.incremental.cache import Cache
from tests.conftest import copy_site, site_config
from tests.test_build import snapshot


def _moved(site: Path, dest: Path) -> Path:
    """``site`` with its cache (not its outputs) copied to ``dest``, as a CI cache restore does."""
    shutil.copytree(site, dest, ignore=shutil.ignore_patterns("build"))
    return dest


def _edit(site: Path) -> None:
    path = site / "articles" / "2026-11-20-cafe-kultur.md"
    path.write_text(path.read_text(encoding="utf-8").replace("best cardamom", "finest cardamom"), encoding="utf-8")


def test_cache_restored_at_another_path_normalizes_only_the_edited_article(tmp_path: Path):
    first = copy_site(tmp_path / "checkout-1" / "site")
    build(site_config(first))
    moved = _moved(first, tmp_path / "elsewhere" / "clone")
    shutil.rmtree(first)  # nothing may be read from the old place
    _edit(moved)
    cache = Cache(site_config(moved).cache_path)
    result = build(site_config(moved), cache=cache)
    assert result.normalized == 1
    assert cache.normalized == 1
    clean = _moved(moved, tmp_path / "clean")
    shutil.rmtree(clean / ".publisher-cache")
    build(site_config(clean), cache=Cache(None))
    assert snapshot(moved / "build") == snapshot(clean / "build")


def test_unchanged_site_at_another_path_normalizes_nothing_and_keeps_its_messages(tmp_path: Path):
    first = copy_site(tmp_path / "a")
    (first / "articles" / "2026-11-21-hafenfest.md").write_text(
        (first / "articles" / "2026-11-21-hafenfest.md").read_text(encoding="utf-8").replace(
            "title:", "autor: Someone\ntitle:", 1), encoding="utf-8")
    before = build(site_config(first))
    moved = _moved(first, tmp_path / "b" / "c")
    shutil.rmtree(first)
    cache = Cache(site_config(moved).cache_path)
    after = build(site_config(moved), cache=cache)
    assert cache.normalized == 0 and after.normalized == 0
    # the messages name the file where it is now
    assert [d.message for d in after.diagnostics] == [d.message for d in before.diagnostics]
    assert any("autor" in d.message for d in after.diagnostics)
    assert all(str(tmp_path / "a") not in d.path for d in after.diagnostics)
    assert any(d.path.endswith("articles/2026-11-21-hafenfest.md") and Path(d.path).is_absolute()
               and str(moved) in d.path for d in after.diagnostics)


def test_a_cache_outside_the_site_names_folders_by_absolute_path(tmp_path: Path):
    """Two sites sharing one cache folder elsewhere must not take each other's catalog or state."""
    site = copy_site(tmp_path / "s")
    inside = site_config(site)
    assert inside.site_relative(inside.articles_path) == "articles"
    assert inside.site_relative(inside.output_path) == "build"
    assert inside.site_relative(tmp_path / "out") == str((tmp_path / "out").resolve())
    toml = site / "publisher.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[site]", f'[site]\ncache_dir = "{tmp_path / "shared"}"', 1),
                    encoding="utf-8")
    outside = site_config(site)
    assert outside.site_relative(outside.articles_path) == str(outside.articles_path)


def _warn(site: Path) -> None:
    """Warnings with a line (one with a column too) in two articles."""
    path = site / "articles" / "2026-11-21-hafenfest.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "autor: Someone\ntitle:", 1)
                    + '\n<h3 id="-bad">Heading</h3>\n\nA bell\x07 rang.\n', encoding="utf-8")
    other = site / "articles" / "2026-11-20-cafe-kultur.md"
    other.write_text(other.read_text(encoding="utf-8").replace("title =", 'autor = "Someone"\ntitle =', 1),
                     encoding="utf-8")


def test_cached_warnings_name_path_line_col_where_the_site_is_now(tmp_path: Path, monkeypatch):
    """A CI run restores the cache into a clone elsewhere and builds from there: the warnings
    taken from the cache read exactly as a build without a cache prints them in that folder."""
    first = copy_site(tmp_path / "checkout-1" / "site")
    _warn(first)
    monkeypatch.chdir(first)
    build(site_config(first))
    moved = _moved(first, tmp_path / "elsewhere" / "clone")
    fresh = _moved(first, tmp_path / "fresh" / "clone")
    shutil.rmtree(fresh / ".publisher-cache")
    shutil.rmtree(first)
    monkeypatch.chdir(moved)
    cache = Cache(site_config(moved).cache_path)
    cached = build(site_config(moved), cache=cache)
    assert cache.normalized == 0
    monkeypatch.chdir(fresh)
    made = build(site_config(fresh), cache=Cache(None))
    shown = [d.format() for d in cached.diagnostics]
    assert shown == [d.format() for d in made.diagnostics]
    assert any(d.line is not None and d.col is not None for d in cached.diagnostics)
    assert all(d.path.startswith("articles/") for d in cached.diagnostics), shown
    assert "articles/2026-11-21-hafenfest.md:2: warning" in " ".join(shown)
    assert "articles/2026-11-20-cafe-kultur.md:2: warning" in " ".join(shown)


def test_ci_clone_normalizes_only_the_edited_article_and_says_so(tmp_path: Path, monkeypatch):
    """The CI case through the command line: the summary says one article was normalized, and
    the cached warnings name the files as they are in the clone (relative, with line:col)."""
    from click.testing import CliRunner

    from publisher.cli import cli

    first = copy_site(tmp_path / "checkout-1" / "site")
    _warn(first)
    monkeypatch.chdir(first)
    before = CliRunner().invoke(cli, ["build", "--now", "2030-01-01T00:00:00Z"], catch_exceptions=False)
    assert before.exit_code == 0, before.output
    moved = _moved(first, tmp_path / "elsewhere" / "clone")
    shutil.rmtree(first)
    _edit(moved)
    monkeypatch.chdir(moved)
    after = CliRunner().invoke(cli, ["build", "--now", "2030-01-01T00:00:00Z", "--verbose"], catch_exceptions=False)
    assert after.exit_code == 0, after.output
    assert "Normalized 1 article(s) from source" in after.output
    warned = [line for line in before.output.splitlines() if ": warning: " in line]
    assert warned and all(line.startswith("articles/") for line in warned)
    assert warned == [line for line in after.output.splitlines() if ": warning: " in line]


def test_outputs_restored_with_the_cache_are_left_as_they_are(tmp_path: Path, monkeypatch):
    """docs/ci/publish.yml restores build/ with the cache: the copies have new inodes and the
    old times, and an output whose key is unchanged is not made, compared or written again;
    one whose file was changed (its time with it) is made again."""
    import publisher.build as build_module

    first = copy_site(tmp_path / "checkout-1" / "site")
    build(site_config(first))
    moved = tmp_path / "elsewhere" / "clone"
    shutil.copytree(first, moved)  # copy2: the times come along, the inodes do not
    shutil.rmtree(first)
    _edit(moved)
    (moved / "build" / "rss.xml").write_bytes(b"changed by hand")
    loaded: list[str] = []
    real = build_module.Output

    def spy(path, key, load, keep, *rest):
        return real(path, key, lambda: (loaded.append(path), load())[1], keep, *rest)

    monkeypatch.setattr(build_module, "Output", spy)
    result = build(site_config(moved))
    assert result.normalized == 1
    media = [p for p in result.outputs if p.startswith("media/")]
    assert media and not [p for p in loaded if p.startswith("media/")]  # images left as they are
    assert "rss.xml" in result.written and not [p for p in result.written if p.startswith("media/")]
    clean = tmp_path / "clean"
    shutil.copytree(moved, clean, ignore=shutil.ignore_patterns("build", ".publisher-cache"))
    build(site_config(clean), cache=Cache(None))
    assert snapshot(moved / "build") == snapshot(clean / "build")
