"""The benchmark's lower-bound script runs end to end and writes a real EPUB-shaped zip."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_lower_bound_runs_every_article_through_the_required_steps(tmp_path: Path):
    site = tmp_path / "g"
    subprocess.run([sys.executable, str(REPO / "bench" / "gen_corpus.py"), "--n", "40", str(site)],
                   check=True, capture_output=True)
    done = subprocess.run([sys.executable, str(REPO / "bench" / "lower_bound.py"), str(site), "--runs", "1"],
                          check=True, capture_output=True, text=True)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("articles 40, workers ")
    assert any(line.startswith("lower bound  median ") and line.endswith("x floor") for line in lines)
    assert any(line.strip().startswith("total") for line in lines)
    with zipfile.ZipFile(site / ".lower-bound" / "lower.epub") as book:
        names = book.namelist()
        assert names[0] == "mimetype" and book.read("mimetype") == b"application/epub+zip"
        chapters = [n for n in names if n.endswith(".xhtml")]
        assert len(chapters) == 40
        assert book.testzip() is None  # every entry's CRC checks
        page = book.read(chapters[0])
        assert page.startswith(b"<?xml") and b"<p" in page and b"</body>" in page


def test_benchmark_ci_row_reuses_the_cache_at_another_path(tmp_path: Path):
    """bench/run.py at a tiny size: the "CI: fresh clone" case builds a copy of the site and its
    cache at another path with one more article edited, and only that article is normalized."""
    out = tmp_path / "results.md"
    subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "5", "--runs", "1", "--no-tools",
                    "--out", str(out), "--tmp", str(tmp_path)], check=True, capture_output=True, text=True)
    rows = [line for line in out.read_text(encoding="utf-8").splitlines()
            if "CI: fresh clone at another path, cache restored, one article edited" in line]
    assert len(rows) == 2  # the plain and the '<' corpus
    for row in rows:
        assert row.endswith(" unchanged, 1 normalized |"), row
    assert "c edit one article" in out.read_text(encoding="utf-8")
