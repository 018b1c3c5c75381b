"""Round trip: our own RSS, Atom and JSON Feed imported into an empty site with the same config
and built again give the same feed ids, canonical URLs, titles, dates, authors, tags, summaries
and text; the new feeds pass the W3C validator and the new book EPUBCheck."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import feedparser
import pytest

from publisher import importers
from publisher.build import build
from publisher.errors import Reporter
from publisher.importers.entry import html_text
from tests.conftest import copy_site, epubcheck, site_config, write
from tests.media_support import mp3
from tests.validators import w3c_check

SMALL_CONFIG = """
[site]
title = "Small Paper"
base_url = "https://small.example/news/"
article_url = "{slug}.html"
timezone = "America/New_York"
author = "Desk"
"""
SMALL = {
    "2026-03-01-spring.md": """---
title: "Spring: what # the almanac says"
authors: [Ana Ruiz, Ben Ode, "Cy Dee"]
date: 2026-03-01T08:30:00
updated: 2026-03-04T17:05:09-05:00
tags: [Weather, Almanac, "C++"]
summary: A summary written by hand, with "quotes" & an ampersand.
---
First paragraph with *emphasis* and a [link](https://example.org/a?b=1&c=2).

- one
- two

```python
print("hi")
```
""",
    "2026-03-02-second.md": """---
title: "- Leading dash * and star"
author: Ben Ode
date: 2026-03-02
tags: Weather
deck: A deck under the headline
---
Body of the second with a table:

| a | b |
|---|---|
| 1 | 2 |
""",
    "notes/2026-03-03-third.md": """---
title: Third, with a path and an id
id: third-story
path: 2026/03/third
date: 2026-03-03T23:59:59Z
---
Text.[^1]

[^1]: A footnote.
""",
}


EPISODE = """---
title: Episode one
date: 2026-03-05T06:00:00Z
enclosure: episode-1.mp3
---
Show notes.
"""


def _small(root: Path) -> Path:
    write(root / "publisher.toml", SMALL_CONFIG)
    for name, text in SMALL.items():
        write(root / "articles" / name, text)
    write(root / "articles" / "2026-03-05-episode.md", EPISODE)  # an audio piece: its enclosure comes back
    (root / "articles" / "episode-1.mp3").write_bytes(mp3(3))
    return root


def _media(enclosures) -> tuple:
    """The audio and video enclosures: (url, type, length) each."""
    return tuple((e["href"], e["type"], str(e["length"])) for e in enclosures
                 if e.get("type", "").startswith(("audio/", "video/")))


def _text(html: str) -> str:
    """The characters a reader sees, whitespace aside (between blocks it is not content)."""
    return "".join(html_text(html).split())


def _entries(out: Path, fmt: str) -> list[tuple]:
    """Per entry of the site's ``fmt`` feed: id, URL, title, dates, authors, tags, summary, text."""
    if fmt == "json":
        items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
        return sorted((i["id"], i["url"], i["title"], i["date_published"], i["date_modified"],
                       tuple(a["name"] for a in i["authors"]), tuple(i.get("tags", ())), i["summary"],
                       _text(i["content_html"]),
                       _media({"href": a["url"], "type": a["mime_type"], "length": a.get("size_in_bytes")}
                              for a in i.get("attachments", ())), i["language"]) for i in items)
    parsed = feedparser.parse((out / f"{fmt}.xml").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return sorted((e.id, e.link, e.title, e.published, e.get("updated", e.get("dcterms_modified")),
                   tuple(a.get("name", "") for a in e.get("authors", [])) if fmt == "atom" else e.get("author"),
                   tuple(t.term for t in e.get("tags", [])), e.summary, _text(e.content[0].value),
                   _media(e.get("enclosures", [])))
                  for e in parsed.entries)


@pytest.fixture(scope="module", params=["bundled", "small"])
def original(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built once: the bundled one, or a small one with co-authors, updated dates,
    summaries, a deck, an id and a path; returns its root."""
    root = tmp_path_factory.mktemp(request.param)
    copy_site(root) if request.param == "bundled" else _small(root)
    build(site_config(root), workers=1)
    return root


def _reimported(original: Path, fmt: str, tmp: Path, *, rebuild: bool = True) -> tuple[Path, importers.Result]:
    root = tmp / f"from-{fmt}"
    (root / "articles").mkdir(parents=True)
    shutil.copy2(original / "publisher.toml", root / "publisher.toml")
    report = Reporter()
    name = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json"}[fmt]
    result = importers.run(original / "build" / name, root / "articles", report)
    assert not result.skipped, report.diagnostics
    assert not [d for d in report.diagnostics if d.code != "import-note"], report.diagnostics
    if rebuild:
        build(site_config(root), workers=1)
    return root, result


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_our_own_feed_comes_back_the_same(original: Path, fmt: str, tmp_path: Path):
    root, result = _reimported(original, fmt, tmp_path)
    assert len(result.imported) == len(_entries(original / "build", "atom"))
    for kind in ("rss", "atom", "json"):
        new, old = _entries(root / "build", kind), _entries(original / "build", kind)
        if kind == "json" and fmt != "json":  # only JSON Feed says an entry's language
            new, old = [e[:-1] for e in new], [e[:-1] for e in old]
        assert new == old, kind
    # bodies that Markdown can say whole become Markdown; the others (footnotes, a deck class) HTML
    assert {i.body for i in result.imported} >= {"markdown"}


def test_reimported_feeds_pass_the_w3c_validator_and_the_book_epubcheck(original: Path, tmp_path: Path):
    root, _ = _reimported(original, "atom", tmp_path)
    check = epubcheck(root / "build" / "articles.epub")
    assert not check.of("FATAL", "ERROR", "WARNING"), check.summary()
    # the site's feeds hold every entry (the tag and author feeds, the same entries again);
    # skipped, with the reason, where ../shared has no W3C client
    found = [f for f in w3c_check([root / "build" / "rss.xml", root / "build" / "atom.xml"], jobs=1)
             if f.name != "DuplicateUpdated"]
    assert not found, "\n".join(map(str, found))


def test_importing_twice_imports_nothing_new(original: Path, tmp_path: Path):
    root, first = _reimported(original, "rss", tmp_path, rebuild=False)
    before = sorted(p.name for p in (root / "articles").iterdir())
    again = importers.run(original / "build" / "atom.xml", root / "articles", Reporter())
    assert not again.imported and len(again.skipped) == len(first.imported)
    assert all("already imported" in e.skip for e in again.skipped)
    assert sorted(p.name for p in (root / "articles").iterdir()) == before


def test_the_same_source_gives_the_same_bytes(original: Path, tmp_path: Path):
    one, _ = _reimported(original, "atom", tmp_path / "one", rebuild=False)
    two, _ = _reimported(original, "atom", tmp_path / "two", rebuild=False)
    files = sorted(p.name for p in (one / "articles").iterdir())
    assert files == sorted(p.name for p in (two / "articles").iterdir())
    for name in files:
        assert (one / "articles" / name).read_bytes() == (two / "articles" / name).read_bytes()


def test_an_audio_piece_comes_back_with_its_enclosure(original: Path, tmp_path: Path):
    """The episode's MP3, published under media/, is imported as a remote enclosure with its type,
    length and (from JSON Feed, which carries it) duration; the rebuilt feeds enclose the same file."""
    if not (original / "articles" / "episode-1.mp3").exists():
        pytest.skip("the bundled site has no audio piece")
    root, _ = _reimported(original, "json", tmp_path)
    (episode,) = [p for p in (root / "articles").glob("*.md") if "Episode one" in p.read_text(encoding="utf-8")]
    text = episode.read_text(encoding="utf-8")
    assert "enclosure: https://small.example/news/media/episode-1.mp3" in text
    assert "enclosure_type: audio/mpeg" in text and "duration: 3" in text
    item = next(i for i in json.loads((root / "build" / "feed.json").read_text(encoding="utf-8"))["items"]
                if i["title"] == "Episode one")
    assert item["attachments"] == [{"url": "https://small.example/news/media/episode-1.mp3", "mime_type": "audio/mpeg",
                                    "size_in_bytes": len((original / "articles" / "episode-1.mp3").read_bytes()),
                                    "duration_in_seconds": 3}]
