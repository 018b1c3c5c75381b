"""The front-matter key uri: a feed id kept as written in every feed format (what publisher
import relies on to keep subscribers' readers quiet); an invalid or repeated one is an error."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from publisher.build import build
from publisher.errors import BuildFailed, SourceError
from tests.conftest import site_config, write


def _article(uri: str, slug: str = "one") -> str:
    return f'---\ntitle: One\ndate: 2020-01-01T10:00:00Z\nuri: "{uri}"\n---\nText.\n'


def test_uri_is_the_feed_id_in_rss_atom_and_json(tiny: Path):
    write(tiny / "articles" / "one.md", _article("tag:old.example,2019:post-1"))
    write(tiny / "articles" / "two.md", "---\ntitle: Two\ndate: 2020-01-02\n---\nText.\n")
    build(site_config(tiny), workers=1)
    out = tiny / "build"
    for name in ("rss.xml", "atom.xml"):
        ids = sorted(e.id for e in feedparser.parse((out / name).read_bytes()).entries)
        assert ids[0] == "tag:old.example,2019:post-1" and ids[1].startswith("urn:uuid:"), name
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert min(i["id"] for i in items) == "tag:old.example,2019:post-1"


@pytest.mark.parametrize("uri", ["not a uri", "no-scheme", "1:x"])
def test_an_invalid_uri_is_an_error_at_its_line(tiny: Path, uri: str):
    write(tiny / "articles" / "one.md", _article(uri))
    with pytest.raises((SourceError, BuildFailed)) as caught:
        build(site_config(tiny), workers=1)
    text = caught.value.formatted()
    assert "one.md:4:" in text and "must be an absolute URI" in text


def test_two_articles_with_one_uri_are_an_error(tiny: Path):
    write(tiny / "articles" / "one.md", _article("https://old.example/?p=1"))
    write(tiny / "articles" / "two.md", _article("https://old.example/?p=1").replace("One", "Two"))
    with pytest.raises(BuildFailed) as caught:
        build(site_config(tiny), workers=1)
    assert "uri 'https://old.example/?p=1' is also used by one.md" in caught.value.formatted()
