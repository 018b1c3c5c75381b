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
                    "--corpora", "images,shared", "--out", str(out), "--tmp", str(tmp_path)],
                   check=True, capture_output=True, text=True)
    text = out.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines()
            if "CI: fresh clone at another path, cache restored, one article edited" in line]
    assert len(rows) == 2  # the image corpus and the shared-image one
    with_build = [line for line in text.splitlines() if "cache and build/ restored, one article edited" in line]
    assert len(with_build) == 2 and all(r.endswith(" unchanged, 1 normalized |") for r in with_build), with_build
    for row in rows:
        assert row.endswith(" unchanged, 1 normalized |"), row
    assert "c edit one article" in text
    # the default-settings row and the size of its build/, and the ratios of one run
    assert "| images | g default settings: full build |" in text
    assert "| images | g default settings: size of build/ | **" in text
    assert "- images ratios (this run): full build / floor " in text
    assert "- images corpus: 5 articles" in text and "10 images" in text


def test_benchmark_runs_only_the_cases_asked_for_and_reports_scaling(tmp_path: Path):
    """--cases floor,a is the one-run point at a big size: nothing else is built; with two sizes
    the results compare the full build's cost per 1,000 articles and its memory."""
    out = tmp_path / "results.md"
    subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "4,8", "--runs", "1", "--no-tools",
                    "--cases", "floor,a", "--out", str(out), "--tmp", str(tmp_path)],
                   check=True, capture_output=True, text=True)
    text = out.read_text(encoding="utf-8")
    assert "| images | floor |" in text and "| images | a full build |" in text
    assert "b no-op" not in text and "g default" not in text and "CI: fresh clone" not in text
    assert "- images, a full build across sizes: N=4: " in text and "; N=8: " in text and "per 1,000 articles" in text
    bad = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--cases", "floor,c"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "add a" in bad.stderr


def test_image_corpus_gives_each_article_its_own_images(tmp_path: Path):
    """gen_corpus.py: two own images per article by default (PNG and JPEG, of several sizes),
    every one referenced, the same bytes from the same seed; --shared-images keeps the pool."""
    import re

    for name in ("a", "b"):
        subprocess.run([sys.executable, str(REPO / "bench" / "gen_corpus.py"), "--n", "12", str(tmp_path / name)],
                       check=True, capture_output=True)
    articles = tmp_path / "a" / "articles"
    images = sorted(p.relative_to(articles).as_posix() for p in (articles / "images").rglob("*") if p.is_file())
    assert len(images) == 24
    assert {p.rsplit(".", 1)[1] for p in images} == {"jpg", "png"}
    used = []
    for md in sorted(articles.glob("*.md")):
        refs = re.findall(r"!\[[^]]*\]\((images/[^ )]+)", md.read_text("utf-8"))
        assert len(refs) == 2 and all(r.startswith(f"images/{md.name[:4]}/{md.stem}-") for r in refs)
        used += refs
    assert sorted(used) == images
    sizes = {(articles / p).stat().st_size for p in images}
    assert len(sizes) > 12 and max(sizes) > 4 * min(sizes)  # variety, not one image copied
    for p in images:  # deterministic from the seed
        assert (articles / p).read_bytes() == (tmp_path / "b" / "articles" / p).read_bytes()
    subprocess.run([sys.executable, str(REPO / "bench" / "gen_corpus.py"), "--n", "12", "--shared-images",
                    str(tmp_path / "c")], check=True, capture_output=True)
    assert len(list((tmp_path / "c" / "articles" / "images").iterdir())) == 50
