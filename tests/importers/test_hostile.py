"""An import source is untrusted: hostile slugs stay inside the target folder, XXE and "billion
laughs" are refused, sizes are bounded, nothing existing is overwritten, and every failure is a
diagnostic with exit 1, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher import importers, limits
from publisher.cli import cli
from publisher.errors import Reporter, SourceError
from tests.conftest import write


def _json_feed(*items: dict) -> str:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": list(items)})


def _item(n: int, **extra) -> dict:
    return {"id": f"tag:evil.example,2020:{n}", "title": f"Item {n}", "date_published": "2020-01-01T00:00:00Z",
            "content_html": "<p>x</p>", **extra}


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_hostile_slugs_stay_in_the_folder(tmp_path: Path):
    target = tmp_path / "site" / "articles"
    source = write(tmp_path / "feed.json", _json_feed(
        _item(1, url="https://evil.example/../../../../etc/passwd"),
        _item(2, url="https://evil.example/%2e%2e%2f%2e%2e%2fescape", title="../../x"),
        _item(3, url="file:///etc/passwd", title="/etc/passwd"),
        _item(4, url="https://evil.example/a\u0000b", title="nul\u0000byte"),
        _item(5, url="https://evil.example/" + "a" * 5000, title="b" * 5000),
        _item(6, url="https://evil.example/", title="..."),
    ))
    result = importers.run(source, target, Reporter())
    assert len(result.imported) == 6
    for item in result.imported:
        path = target / item.path
        assert path.is_file() and path.parent == target and os.path.realpath(path).startswith(str(target))
        assert len(item.path) <= 10 + 1 + 80 + 3
    assert set(_files(tmp_path)) == {"feed.json", "site", "site/articles", *(f"site/articles/{i.path}" for i in result.imported)}
    assert {i.path for i in result.imported} >= {"2020-01-01-passwd.md", "2020-01-01-item-6.md"}


def test_existing_files_and_links_are_never_written_over(tmp_path: Path):
    target = tmp_path / "articles"
    kept = write(target / "2020-01-01-item-1.md", "---\ntitle: Mine\ndate: 2020-01-01\n---\nMine.\n")
    outside = write(tmp_path / "outside.md", "outside\n")
    (target / "2020-01-01-item-1-2.md").symlink_to(outside)
    (target / "2020-01-01-item-1-3.md").symlink_to(tmp_path / "nowhere.md")  # a dangling link
    source = write(tmp_path / "feed.json", _json_feed(_item(1)))
    report = Reporter()
    result = importers.run(source, target, report)
    assert [i.path for i in result.imported] == ["2020-01-01-item-1-4.md"]
    assert not (tmp_path / "nowhere.md").exists()
    assert kept.read_text() == "---\ntitle: Mine\ndate: 2020-01-01\n---\nMine.\n"
    assert outside.read_text() == "outside\n"


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&xxe;</title><pubDate>Wed, 01 May 2019 10:00:00 +0000</pubDate>
<description>x</description></item></channel></rss>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:x,2020:1</id><title>&lol3;</title>
<updated>2020-01-01T00:00:00Z</updated></entry></feed>"""


@pytest.mark.parametrize("data, message", [
    (XXE, "declares entities"),
    (LAUGHS, "declares entities"),
    (b"<rss><channel><item><title>x</item></channel></rss>", "not well-formed XML"),
    (b"just some text", "neither XML"),
    (b'{"items": []}', "not a JSON Feed"),
    (b"[" * 100_000, "nested too deep"),
    (b"<html><body>hi</body></html>", "not RSS 2.0, Atom 1.0"),
])
def test_bad_sources_are_a_diagnostic_and_exit_1(tmp_path: Path, monkeypatch, data: bytes, message: str):
    write(tmp_path / "site" / "publisher.toml", "[site]\nbase_url = 'https://x.example/'\n")
    source = write(tmp_path / "site" / "in.xml", data)
    monkeypatch.chdir(tmp_path / "site")
    out = CliRunner().invoke(cli, ["import", "in.xml"])
    assert out.exit_code == 1, out.output
    assert out.exception is None or isinstance(out.exception, SystemExit)
    assert "Traceback" not in out.output and message in out.stderr
    assert out.stderr.startswith("in.xml:") or out.stderr.startswith("error:") or "in.xml" in out.stderr
    assert not (tmp_path / "site" / "articles").exists()
    assert source.exists()


def test_sizes_are_bounded(tmp_path: Path, monkeypatch):
    source = write(tmp_path / "feed.json", _json_feed(
        _item(1, content_html="<p>" + "word " * (limits.SOURCE_BYTES // 5 + 10) + "</p>"), _item(2),
        _item(3, content_html="<p>" + "x" * (3 * limits.SOURCE_BYTES) + "</p>")))
    result = importers.run(source, tmp_path / "articles", Reporter())
    assert [i.path for i in result.imported] == ["2020-01-01-item-2.md"]
    assert [e.number for e in result.skipped] == [1, 3]
    assert all("an article source may have at most" in e.skip for e in result.skipped)
    monkeypatch.setattr(limits, "IMPORT_BYTES", 1000)
    with pytest.raises(SourceError, match="publisher import reads at most"):
        importers.run(source, tmp_path / "articles", Reporter())


def test_scripts_are_reported_and_not_written(tmp_path: Path):
    source = write(tmp_path / "feed.json", _json_feed(
        _item(1, content_html='<p onclick="evil()">a<script>alert(1)</script></p><iframe src="https://x"></iframe>')))
    report = Reporter()
    result = importers.run(source, tmp_path / "articles", report)
    text = (tmp_path / "articles" / result.imported[0].path).read_text()
    assert "script" not in text and "onclick" not in text and "iframe" not in text
    assert any("script" in d.message for d in report.diagnostics)
